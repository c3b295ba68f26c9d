//! Table of the 277 Health Care Claim Status Response guide, 005010X212: every loop and segment.
//!
//! Derived from pyx12's map `277.5010.X212.xml` (pyx12 4.0.0, BSD-3-Clause), with the HL
//! levels nested as the TR3's hierarchy has them.
//!
//! Situational segments and elements are checked for form; see the `guide` module for what no
//! table decides.

use super::DataType::{
    Alphanumeric as AN, Date as DT, Decimal as DR, Identifier as ID, Time as TM,
};
use super::Usage::{NotUsed as N, Required as R, Situational as S};
use super::{Guide, Node, UNBOUNDED, composite, el, loop_of, nested, segment, shared};

/// Loop 2100A.
#[rustfmt::skip]
const LOOP_2100A: &[Node] = &[
    segment("NM1", 500, R, 1, shared::NM1_NOTES_2, shared::NM1_5),
    segment("PER", 800, S, 1, shared::PER_NOTES, &[
        el(1, "366", R, ID, 2, 2, &["IC"]),
        el(2, "93", S, AN, 1, 60, &[]),
        el(3, "365", R, ID, 2, 2, &["ED", "EM", "FX", "TE"]),
        el(4, "364", R, AN, 1, 256, &[]),
        el(5, "365", S, ID, 2, 2, &["ED", "EM", "EX", "FX", "TE"]),
        el(6, "364", S, AN, 1, 256, &[]),
        el(7, "365", S, ID, 2, 2, &["ED", "EM", "EX", "FX", "TE"]),
        el(8, "364", S, AN, 1, 256, &[]),
        el(9, "443", N, AN, 1, 20, &[]),
    ]),
];

/// Loop 2100B.
#[rustfmt::skip]
const LOOP_2100B: &[Node] = &[
    segment("NM1", 500, R, 1, shared::NM1_NOTES_2, &[
        el(1, "98", R, ID, 2, 3, &["41"]),
        el(2, "1065", R, ID, 1, 1, &["1", "2"]),
        el(3, "1035", S, AN, 1, 60, &[]),
        el(4, "1036", S, AN, 1, 35, &[]),
        el(5, "1037", S, AN, 1, 25, &[]),
        el(6, "1038", N, AN, 1, 10, &[]),
        el(7, "1039", N, AN, 1, 10, &[]),
        el(8, "66", R, ID, 1, 2, &["46"]),
        el(9, "67", R, AN, 2, 80, &[]),
        el(10, "706", N, ID, 2, 2, &[]),
        el(11, "98", N, ID, 2, 3, &[]),
        el(12, "1035", N, AN, 1, 60, &[]),
    ]),
];

/// Loop 2200B.
#[rustfmt::skip]
const LOOP_2200B: &[Node] = &[
    segment("TRN", 900, R, 1, &[], shared::TRN_2),
    segment("STC", 1000, R, UNBOUNDED, &[], &[
        composite(1, "C043", R, &[
            el(1, "1271", R, AN, 1, 30, &[]),
            el(2, "1271", R, AN, 1, 30, &[]),
            el(3, "98", S, ID, 2, 3, &["41", "AY", "PR"]),
            el(4, "1270", N, ID, 1, 3, &[]),
        ]),
        el(2, "373", R, DT, 8, 8, &[]),
        el(3, "306", N, ID, 1, 2, &[]),
        el(4, "782", N, DR, 1, 18, &[]),
        el(5, "782", N, DR, 1, 18, &[]),
        el(6, "373", N, DT, 8, 8, &[]),
        el(7, "591", N, ID, 3, 3, &[]),
        el(8, "373", N, DT, 8, 8, &[]),
        el(9, "429", N, AN, 1, 16, &[]),
        composite(10, "C043", S, shared::C043_1),
        composite(11, "C043", S, shared::C043_1),
        el(12, "933", N, AN, 1, 264, &[]),
    ]),
];

/// Loop 2100C.
#[rustfmt::skip]
const LOOP_2100C: &[Node] = &[
    segment("NM1", 500, R, 1, shared::NM1_NOTES_2, shared::NM1_35),
];

/// Loop 2200C.
#[rustfmt::skip]
const LOOP_2200C: &[Node] = &[
    segment("TRN", 900, R, 1, &[], shared::TRN_1),
    segment("STC", 1000, R, UNBOUNDED, &[], &[
        composite(1, "C043", R, &[
            el(1, "1271", R, AN, 1, 30, &[]),
            el(2, "1271", R, AN, 1, 30, &[]),
            el(3, "98", S, ID, 2, 3, &["1P"]),
            el(4, "1270", N, ID, 1, 3, &[]),
        ]),
        el(2, "373", R, DT, 8, 8, &[]),
        el(3, "306", N, ID, 1, 2, &[]),
        el(4, "782", N, DR, 1, 18, &[]),
        el(5, "782", N, DR, 1, 18, &[]),
        el(6, "373", N, DT, 8, 8, &[]),
        el(7, "591", N, ID, 3, 3, &[]),
        el(8, "373", N, DT, 8, 8, &[]),
        el(9, "429", N, AN, 1, 16, &[]),
        composite(10, "C043", S, shared::C043_1),
        composite(11, "C043", S, shared::C043_1),
        el(12, "933", N, AN, 1, 264, &[]),
    ]),
];

/// Loop 2100D.
#[rustfmt::skip]
const LOOP_2100D: &[Node] = &[
    segment("NM1", 500, R, 1, shared::NM1_NOTES_2, shared::NM1_36),
];

/// Loop 2220D.
#[rustfmt::skip]
const LOOP_2220D: &[Node] = &[
    segment("SVC", 1800, R, 1, &[], shared::SVC_1),
    segment("STC", 1900, R, UNBOUNDED, &[], shared::STC_2),
    segment("REF", 2000, S, 1, shared::REF_NOTES, shared::REF_46),
    segment("DTP", 2100, R, 1, &[], shared::DTP_18),
];

/// Loop 2200D.
#[rustfmt::skip]
const LOOP_2200D: &[Node] = &[
    segment("TRN", 900, R, 1, &[], shared::TRN_2),
    segment("STC", 1000, R, UNBOUNDED, &[], shared::STC_1),
    segment("REF", 1100, S, 1, shared::REF_NOTES, shared::REF_41),
    segment("REF", 1100, S, 1, shared::REF_NOTES, shared::REF_42),
    segment("REF", 1100, S, 1, shared::REF_NOTES, shared::REF_43),
    segment("REF", 1100, S, 1, shared::REF_NOTES, shared::REF_44),
    segment("REF", 1100, S, 1, shared::REF_NOTES, shared::REF_45),
    segment("REF", 1100, S, 1, shared::REF_NOTES, shared::REF_17),
    segment("DTP", 1200, S, 1, &[], shared::DTP_18),
    nested("2220D", S, UNBOUNDED, LOOP_2220D),
];

/// Loop 2100E.
#[rustfmt::skip]
const LOOP_2100E: &[Node] = &[
    segment("NM1", 500, R, 1, shared::NM1_NOTES_2, shared::NM1_19),
];

/// Loop 2200E.
#[rustfmt::skip]
const LOOP_2200E: &[Node] = &[
    segment("TRN", 900, R, 1, &[], shared::TRN_2),
    segment("STC", 1000, R, UNBOUNDED, &[], shared::STC_1),
    segment("REF", 1100, S, 1, shared::REF_NOTES, shared::REF_41),
    segment("REF", 1100, S, 1, shared::REF_NOTES, shared::REF_42),
    segment("REF", 1100, S, 1, shared::REF_NOTES, shared::REF_43),
    segment("REF", 1100, S, 1, shared::REF_NOTES, shared::REF_44),
    segment("REF", 1100, S, 1, shared::REF_NOTES, shared::REF_45),
    segment("REF", 1100, S, 1, shared::REF_NOTES, shared::REF_17),
    segment("DTP", 1200, S, 1, &[], shared::DTP_18),
    nested("2220E", S, UNBOUNDED, LOOP_2220D),
];

/// Loop 2000E.
#[rustfmt::skip]
const LOOP_2000E: &[Node] = &[
    segment("HL", 100, R, 1, &[], shared::HL_6),
    nested("2100E", R, 1, LOOP_2100E),
    nested("2200E", R, UNBOUNDED, LOOP_2200E),
];

/// Loop 2000D.
#[rustfmt::skip]
const LOOP_2000D: &[Node] = &[
    segment("HL", 100, R, 1, &[], shared::HL_2),
    nested("2100D", R, 1, LOOP_2100D),
    nested("2200D", S, UNBOUNDED, LOOP_2200D),
    nested("2000E", S, UNBOUNDED, LOOP_2000E),
];

/// Loop 2000C.
#[rustfmt::skip]
const LOOP_2000C: &[Node] = &[
    segment("HL", 100, R, 1, &[], &[
        el(1, "628", R, AN, 1, 12, &[]),
        el(2, "734", R, AN, 1, 12, &[]),
        el(3, "735", R, ID, 1, 2, &["19"]),
        el(4, "736", R, ID, 1, 1, &["0", "1"]),
    ]),
    nested("2100C", R, 2, LOOP_2100C),
    nested("2200C", S, 1, LOOP_2200C),
    nested("2000D", S, UNBOUNDED, LOOP_2000D),
];

/// Loop 2000B.
#[rustfmt::skip]
const LOOP_2000B: &[Node] = &[
    segment("HL", 100, R, 1, &[], shared::HL_5),
    nested("2100B", R, 1, LOOP_2100B),
    nested("2200B", S, 1, LOOP_2200B),
    nested("2000C", S, UNBOUNDED, LOOP_2000C),
];

/// Loop 2000A.
#[rustfmt::skip]
const LOOP_2000A: &[Node] = &[
    segment("HL", 100, R, 1, &[], shared::HL_1),
    nested("2100A", R, 1, LOOP_2100A),
    nested("2000B", R, UNBOUNDED, LOOP_2000B),
];

/// The transaction set (ST..SE).
#[rustfmt::skip]
const LOOP_ST: &[Node] = &[
    segment("ST", 100, R, 1, &[], &[
        el(1, "143", R, ID, 3, 3, &["277"]),
        el(2, "329", R, AN, 4, 9, &[]),
        el(3, "1705", R, AN, 1, 35, &["005010X212"]),
    ]),
    segment("BHT", 200, R, 1, &[], &[
        el(1, "1005", R, ID, 4, 4, &["0010"]),
        el(2, "353", R, ID, 2, 2, &["08"]),
        el(3, "127", R, AN, 1, 50, &[]),
        el(4, "373", R, DT, 8, 8, &[]),
        el(5, "337", R, TM, 4, 8, &[]),
        el(6, "640", R, ID, 2, 2, &["DG"]),
    ]),
    nested("2000A", R, UNBOUNDED, LOOP_2000A),
    segment("SE", 2700, R, 1, &[], shared::SE_1),
];

/// The 005010X212 guide.
pub(super) static GUIDE: Guide = Guide {
    transaction_set: "277",
    implementation: "005010X212",
    also_serves: &[],
    name: "277 Health Care Claim Status Response",
    root: loop_of("ST_LOOP", R, 1, LOOP_ST),
    business_unit: None,
};
