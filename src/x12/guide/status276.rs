//! Table of the 276 Health Care Claim Status Request guide, 005010X212: every loop and segment.
//!
//! The request side of the same TR3 as the 277 table: its loops and segments as
//! LinuxForHealth x12's 276 005010X212 models give them (Apache-2.0: loop ids, usages,
//! repeats and the codes of NM1, REF, AMT and DTP), the elements shared with the 277 from
//! pyx12's map `277.5010.X212.xml` (BSD-3-Clause).
//!
//! Situational segments and elements are checked for form; see the `guide` module for what no
//! table decides.

use super::DataType::{Alphanumeric as AN, Date as DT, Identifier as ID, Time as TM};
use super::Usage::{NotUsed as N, Required as R, Situational as S};
use super::{Guide, Node, UNBOUNDED, el, loop_of, nested, segment, shared};

/// Loop 2100A.
#[rustfmt::skip]
const LOOP_2100A: &[Node] = &[
    segment("NM1", 500, R, 1, shared::NM1_NOTES_2, shared::NM1_5),
];

/// Loop 2100B.
#[rustfmt::skip]
const LOOP_2100B: &[Node] = &[
    segment("NM1", 500, R, 1, shared::NM1_NOTES_2, shared::NM1_1),
];

/// Loop 2100C.
#[rustfmt::skip]
const LOOP_2100C: &[Node] = &[
    segment("NM1", 500, R, 1, shared::NM1_NOTES_2, shared::NM1_35),
];

/// Loop 2100D.
#[rustfmt::skip]
const LOOP_2100D: &[Node] = &[
    segment("NM1", 500, R, 1, shared::NM1_NOTES_2, shared::NM1_36),
];

/// Loop 2210D.
#[rustfmt::skip]
const LOOP_2210D: &[Node] = &[
    segment("SVC", 1300, R, 1, &[], shared::SVC_2),
    segment("REF", 1400, S, 1, shared::REF_NOTES, shared::REF_46),
    segment("DTP", 1500, R, 1, &[], shared::DTP_18),
];

/// Loop 2200D.
#[rustfmt::skip]
const LOOP_2200D: &[Node] = &[
    segment("TRN", 900, R, 1, &[], shared::TRN_1),
    segment("REF", 1000, S, 1, shared::REF_NOTES, shared::REF_41),
    segment("REF", 1000, S, 1, shared::REF_NOTES, shared::REF_42),
    segment("REF", 1000, S, 1, shared::REF_NOTES, shared::REF_32),
    segment("REF", 1000, S, 1, shared::REF_NOTES, shared::REF_47),
    segment("REF", 1000, S, 1, shared::REF_NOTES, shared::REF_43),
    segment("REF", 1000, S, 1, shared::REF_NOTES, shared::REF_44),
    segment("REF", 1000, S, 1, shared::REF_NOTES, shared::REF_17),
    segment("AMT", 1100, S, 1, &[], shared::AMT_12),
    segment("DTP", 1200, S, 1, &[], shared::DTP_18),
    nested("2210D", S, UNBOUNDED, LOOP_2210D),
];

/// Loop 2100E.
#[rustfmt::skip]
const LOOP_2100E: &[Node] = &[
    segment("NM1", 500, R, 1, shared::NM1_NOTES_2, shared::NM1_19),
];

/// Loop 2200E.
#[rustfmt::skip]
const LOOP_2200E: &[Node] = &[
    segment("TRN", 900, R, 1, &[], shared::TRN_1),
    segment("REF", 1000, S, 1, shared::REF_NOTES, shared::REF_41),
    segment("REF", 1000, S, 1, shared::REF_NOTES, shared::REF_42),
    segment("REF", 1000, S, 1, shared::REF_NOTES, shared::REF_32),
    segment("REF", 1000, S, 1, shared::REF_NOTES, shared::REF_47),
    segment("REF", 1000, S, 1, shared::REF_NOTES, shared::REF_43),
    segment("REF", 1000, S, 1, shared::REF_NOTES, shared::REF_44),
    segment("REF", 1000, S, 1, shared::REF_NOTES, shared::REF_17),
    segment("AMT", 1100, S, 1, &[], shared::AMT_12),
    segment("DTP", 1200, S, 1, &[], shared::DTP_18),
    nested("2210E", S, UNBOUNDED, LOOP_2210D),
];

/// Loop 2000E.
#[rustfmt::skip]
const LOOP_2000E: &[Node] = &[
    segment("HL", 100, R, 1, &[], shared::HL_6),
    segment("DMG", 400, R, 1, shared::DMG_NOTES_2, shared::DMG_4),
    nested("2100E", R, 1, LOOP_2100E),
    nested("2200E", R, UNBOUNDED, LOOP_2200E),
];

/// Loop 2000D.
#[rustfmt::skip]
const LOOP_2000D: &[Node] = &[
    segment("HL", 100, R, 1, &[], shared::HL_2),
    segment("DMG", 400, S, 1, shared::DMG_NOTES_2, shared::DMG_4),
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
        el(4, "736", R, ID, 1, 1, &["1"]),
    ]),
    nested("2100C", R, 1, LOOP_2100C),
    nested("2000D", R, UNBOUNDED, LOOP_2000D),
];

/// Loop 2000B.
#[rustfmt::skip]
const LOOP_2000B: &[Node] = &[
    segment("HL", 100, R, 1, &[], shared::HL_4),
    nested("2100B", R, 1, LOOP_2100B),
    nested("2000C", R, UNBOUNDED, LOOP_2000C),
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
        el(1, "143", R, ID, 3, 3, &["276"]),
        el(2, "329", R, AN, 4, 9, &[]),
        el(3, "1705", R, AN, 1, 35, &["005010X212"]),
    ]),
    segment("BHT", 200, R, 1, &[], &[
        el(1, "1005", R, ID, 4, 4, &["0010"]),
        el(2, "353", R, ID, 2, 2, &["13"]),
        el(3, "127", R, AN, 1, 50, &[]),
        el(4, "373", R, DT, 8, 8, &[]),
        el(5, "337", S, TM, 4, 8, &[]),
        el(6, "640", N, ID, 2, 2, &[]),
    ]),
    nested("2000A", R, UNBOUNDED, LOOP_2000A),
    segment("SE", 2700, R, 1, &[], shared::SE_1),
];

/// The 005010X212 guide.
pub(super) static GUIDE: Guide = Guide {
    transaction_set: "276",
    implementation: "005010X212",
    also_serves: &[],
    name: "276 Health Care Claim Status Request",
    root: loop_of("ST_LOOP", R, 1, LOOP_ST),
    business_unit: None,
};
