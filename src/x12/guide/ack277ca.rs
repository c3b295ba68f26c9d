//! Table of the 277CA claim acknowledgment guide, 005010X214: every loop and segment.
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
    segment("NM1", 500, R, 1, shared::NM1_NOTES_2, &[
        el(1, "98", R, ID, 2, 3, &["PR", "AY"]),
        el(2, "1065", R, ID, 1, 1, &["2"]),
        el(3, "1035", R, AN, 1, 60, &[]),
        el(4, "1036", N, AN, 1, 35, &[]),
        el(5, "1037", N, AN, 1, 25, &[]),
        el(6, "1038", N, AN, 1, 10, &[]),
        el(7, "1039", N, AN, 1, 10, &[]),
        el(8, "66", R, ID, 1, 2, &["46", "FI", "PI", "XV"]),
        el(9, "67", R, AN, 2, 80, &[]),
        el(10, "706", N, ID, 2, 2, &[]),
        el(11, "98", N, ID, 2, 3, &[]),
        el(12, "1035", N, AN, 1, 60, &[]),
    ]),
];

/// Loop 2200A.
#[rustfmt::skip]
const LOOP_2200A: &[Node] = &[
    segment("TRN", 900, R, 1, &[], shared::TRN_1),
    segment("DTP", 1200, R, 1, &[], shared::DTP_16),
    segment("DTP", 1200, R, 1, &[], &[
        el(1, "374", R, ID, 3, 3, &["009"]),
        el(2, "1250", R, ID, 2, 3, &["D8"]),
        el(3, "1251", R, AN, 1, 35, &[]),
    ]),
];

/// Loop 2100B.
#[rustfmt::skip]
const LOOP_2100B: &[Node] = &[
    segment("NM1", 500, R, 1, shared::NM1_NOTES_2, shared::NM1_1),
];

/// Loop 2200B.
#[rustfmt::skip]
const LOOP_2200B: &[Node] = &[
    segment("TRN", 900, R, 1, &[], shared::TRN_2),
    segment("STC", 1000, R, UNBOUNDED, &[], &[
        composite(1, "C043", R, &[
            el(1, "1271", R, AN, 1, 30, &[]),
            el(2, "1271", R, AN, 1, 30, &[]),
            el(3, "98", S, ID, 2, 3, &["36", "40", "41", "AY", "PR"]),
            el(4, "1270", N, ID, 1, 3, &[]),
        ]),
        el(2, "373", R, DT, 8, 8, &[]),
        el(3, "306", R, ID, 1, 2, &["U", "WQ"]),
        el(4, "782", R, DR, 1, 18, &[]),
        el(5, "782", N, DR, 1, 18, &[]),
        el(6, "373", N, DT, 8, 8, &[]),
        el(7, "591", N, ID, 3, 3, &[]),
        el(8, "373", N, DT, 8, 8, &[]),
        el(9, "429", N, AN, 1, 16, &[]),
        composite(10, "C043", S, shared::C043_1),
        composite(11, "C043", S, shared::C043_1),
        el(12, "933", N, AN, 1, 264, &[]),
    ]),
    segment("QTY", 1210, S, 1, shared::QTY_NOTES, &[
        el(1, "673", R, ID, 2, 2, &["90"]),
        el(2, "380", R, DR, 1, 15, &[]),
        composite(3, "C001", N, &[]),
        el(4, "61", N, AN, 1, 30, &[]),
    ]),
    segment("QTY", 1210, S, 1, shared::QTY_NOTES, &[
        el(1, "673", R, ID, 2, 2, &["AA"]),
        el(2, "380", R, DR, 1, 15, &[]),
        composite(3, "C001", N, &[]),
        el(4, "61", N, AN, 1, 30, &[]),
    ]),
    segment("AMT", 1220, S, 1, &[], shared::AMT_10),
    segment("AMT", 1220, S, 1, &[], shared::AMT_11),
];

/// Loop 2100C.
#[rustfmt::skip]
const LOOP_2100C: &[Node] = &[
    segment("NM1", 500, R, 1, &[], &[
        el(1, "98", R, ID, 2, 3, &["85"]),
        el(2, "1065", R, ID, 1, 1, &["1", "2"]),
        el(3, "1035", R, AN, 1, 60, &[]),
        el(4, "1036", S, AN, 1, 35, &[]),
        el(5, "1037", S, AN, 1, 25, &[]),
        el(6, "1038", S, AN, 1, 10, &[]),
        el(7, "1039", S, AN, 1, 10, &[]),
        el(8, "66", R, ID, 1, 2, &["FI", "SV", "XX"]),
        el(9, "67", R, AN, 2, 80, &[]),
        el(10, "706", N, ID, 2, 2, &[]),
        el(11, "98", N, ID, 2, 3, &[]),
    ]),
];

/// Loop 2200C.
#[rustfmt::skip]
const LOOP_2200C: &[Node] = &[
    segment("TRN", 900, R, 1, &[], shared::TRN_1),
    segment("STC", 1000, R, UNBOUNDED, &[], &[
        composite(1, "C043", R, &[
            el(1, "1271", R, AN, 1, 30, &[]),
            el(2, "1271", R, AN, 1, 30, &[]),
            el(3, "98", S, ID, 2, 3, &["36", "40", "41", "77", "82", "85", "87", "AY", "PR"]),
            el(4, "1270", N, ID, 1, 3, &[]),
        ]),
        el(2, "373", N, DT, 8, 8, &[]),
        el(3, "306", R, ID, 1, 2, &["U", "WQ"]),
        el(4, "782", R, DR, 1, 18, &[]),
        el(5, "782", N, DR, 1, 18, &[]),
        el(6, "373", N, DT, 8, 8, &[]),
        el(7, "591", N, ID, 3, 3, &[]),
        el(8, "373", N, DT, 8, 8, &[]),
        el(9, "429", N, AN, 1, 16, &[]),
        composite(10, "C043", S, shared::C043_1),
        composite(11, "C043", S, shared::C043_1),
        el(12, "933", N, AN, 1, 264, &[]),
    ]),
    segment("REF", 1100, S, 1, &[], &[
        el(1, "128", R, ID, 2, 3, &["0B", "1G", "G2", "LU", "SY", "TJ"]),
        el(2, "127", R, AN, 1, 50, &[]),
        el(3, "352", N, AN, 1, 80, &[]),
        composite(4, "C040", N, &[]),
    ]),
    segment("QTY", 1210, S, 1, shared::QTY_NOTES, &[
        el(1, "673", R, ID, 2, 2, &["QA"]),
        el(2, "380", R, DR, 1, 15, &[]),
        composite(3, "C001", N, &[]),
        el(4, "61", N, AN, 1, 30, &[]),
    ]),
    segment("QTY", 1210, S, 1, shared::QTY_NOTES, &[
        el(1, "673", R, ID, 2, 2, &["QC"]),
        el(2, "380", R, DR, 1, 15, &[]),
        composite(3, "C001", N, &[]),
        el(4, "61", N, AN, 1, 30, &[]),
    ]),
    segment("AMT", 1220, S, 1, &[], shared::AMT_10),
    segment("AMT", 1220, S, 1, &[], shared::AMT_11),
];

/// Loop 2100D.
#[rustfmt::skip]
const LOOP_2100D: &[Node] = &[
    segment("NM1", 500, R, 1, &[], &[
        el(1, "98", R, ID, 2, 3, &["QC"]),
        el(2, "1065", R, ID, 1, 1, &["1"]),
        el(3, "1035", R, AN, 1, 60, &[]),
        el(4, "1036", S, AN, 1, 35, &[]),
        el(5, "1037", S, AN, 1, 25, &[]),
        el(6, "1038", S, AN, 1, 10, &[]),
        el(7, "1039", S, AN, 1, 10, &[]),
        el(8, "66", R, ID, 1, 2, &["II", "MI"]),
        el(9, "67", R, AN, 2, 80, &[]),
        el(10, "706", N, ID, 2, 2, &[]),
        el(11, "98", N, ID, 2, 3, &[]),
    ]),
];

/// Loop 2220D.
#[rustfmt::skip]
const LOOP_2220D: &[Node] = &[
    segment("SVC", 1800, R, 1, &[], &[
        composite(1, "C003", R, &[
            el(1, "235", R, ID, 2, 2, &["AD", "ER", "HC", "HP", "IV", "NU", "NU", "WK"]),
            el(2, "234", R, AN, 1, 48, &[]),
            el(3, "1339", S, AN, 2, 2, &[]),
            el(4, "1339", S, AN, 2, 2, &[]),
            el(5, "1339", S, AN, 2, 2, &[]),
            el(6, "1339", S, AN, 2, 2, &[]),
            el(7, "352", N, AN, 1, 80, &[]),
        ]),
        el(2, "782", R, DR, 1, 18, &[]),
        el(3, "782", N, DR, 1, 18, &[]),
        el(4, "234", S, AN, 1, 48, &[]),
        el(5, "380", N, DR, 1, 15, &[]),
        composite(6, "C003", N, &[]),
        el(7, "380", S, DR, 1, 15, &[]),
    ]),
    segment("STC", 1900, R, 1, &[], &[
        composite(1, "C043", R, &[
            el(1, "1271", R, AN, 1, 30, &[]),
            el(2, "1271", R, AN, 1, 30, &[]),
            el(3, "98", S, ID, 2, 3, &["03", "1P", "1Z", "40", "41", "71", "72", "73", "77", "82", "85", "87", "DK", "DN", "DQ", "FA", "GB", "HK", "IL", "LI", "MSC", "PR", "PRP", "QB", "QC", "QD", "SEP", "TL", "TTP", "TU"]),
        ]),
        el(2, "373", R, DT, 8, 8, &[]),
        el(3, "306", R, ID, 1, 2, &["U"]),
        el(4, "782", N, DR, 1, 18, &[]),
        el(5, "782", N, DR, 1, 18, &[]),
        el(6, "373", N, DT, 8, 8, &[]),
        el(7, "591", N, ID, 3, 3, &[]),
        el(8, "373", N, DT, 8, 8, &[]),
        el(9, "429", N, AN, 1, 16, &[]),
        composite(10, "C043", S, shared::C043_2),
        composite(11, "C043", S, shared::C043_2),
        el(12, "933", N, AN, 1, 264, &[]),
    ]),
    segment("REF", 2000, S, 1, &[], &[
        el(1, "128", R, ID, 2, 3, &["FJ"]),
        el(2, "127", R, AN, 1, 50, &[]),
        el(3, "352", N, AN, 1, 80, &[]),
        composite(4, "C040", N, &[]),
    ]),
    segment("REF", 2000, S, 1, &[], &[
        el(1, "128", R, ID, 2, 3, &["XZ"]),
        el(2, "127", R, AN, 1, 50, &[]),
        el(3, "352", N, AN, 1, 80, &[]),
        composite(4, "C040", N, &[]),
    ]),
    segment("DTP", 2100, S, 1, &[], shared::DTP_18),
];

/// Loop 2200D.
#[rustfmt::skip]
const LOOP_2200D: &[Node] = &[
    segment("TRN", 900, R, 1, &[], shared::TRN_2),
    segment("STC", 1000, R, UNBOUNDED, &[], &[
        composite(1, "C043", R, &[
            el(1, "1271", R, AN, 1, 30, &[]),
            el(2, "1271", R, AN, 1, 30, &[]),
            el(3, "98", S, ID, 2, 3, &["03", "1P", "1Z", "40", "41", "71", "72", "73", "77", "82", "85", "87", "DK", "DN", "DQ", "FA", "GB", "HK", "IL", "LI", "MSC", "PR", "PRP", "QB", "QC", "QD", "SEP", "TL", "TTP", "TU"]),
            el(4, "1270", N, ID, 1, 3, &[]),
        ]),
        el(2, "373", R, DT, 8, 8, &[]),
        el(3, "306", R, ID, 1, 2, &["U", "WQ"]),
        el(4, "782", R, DR, 1, 18, &[]),
        el(5, "782", N, DR, 1, 18, &[]),
        el(6, "373", N, DT, 8, 8, &[]),
        el(7, "591", N, ID, 3, 3, &["ACH", "BOP", "CHK", "FWT", "NON"]),
        el(8, "373", N, DT, 8, 8, &[]),
        el(9, "429", N, AN, 1, 16, &[]),
        composite(10, "C043", S, shared::C043_2),
        composite(11, "C043", S, shared::C043_2),
        el(12, "933", S, AN, 1, 264, &[]),
    ]),
    segment("REF", 1100, S, 1, &[], &[
        el(1, "128", R, ID, 2, 3, &["1K"]),
        el(2, "127", R, AN, 1, 50, &[]),
        el(3, "352", N, AN, 1, 80, &[]),
        composite(4, "C040", N, &[]),
    ]),
    segment("REF", 1100, S, 1, &[], shared::REF_17),
    segment("REF", 1100, S, 1, &[], &[
        el(1, "128", R, ID, 2, 3, &["BLT"]),
        el(2, "127", R, AN, 1, 50, &[]),
        el(3, "352", N, AN, 1, 80, &[]),
        composite(4, "C040", N, &[]),
    ]),
    segment("DTP", 1200, R, 1, &[], &[
        el(1, "374", R, ID, 3, 3, &["472"]),
        el(2, "1250", R, ID, 2, 3, &["RD8", "D8"]),
        el(3, "1251", R, AN, 1, 35, &[]),
    ]),
    nested("2220D", S, UNBOUNDED, LOOP_2220D),
];

/// Loop 2000D.
#[rustfmt::skip]
const LOOP_2000D: &[Node] = &[
    segment("HL", 100, R, 1, &[], &[
        el(1, "628", R, AN, 1, 12, &[]),
        el(2, "734", R, AN, 1, 12, &[]),
        el(3, "735", R, ID, 1, 2, &["PT"]),
        el(4, "736", N, ID, 1, 1, &["0", "1"]),
    ]),
    nested("2100D", R, 1, LOOP_2100D),
    nested("2200D", S, UNBOUNDED, LOOP_2200D),
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
    nested("2100C", R, UNBOUNDED, LOOP_2100C),
    nested("2200C", R, 1, LOOP_2200C),
    nested("2000D", R, UNBOUNDED, LOOP_2000D),
];

/// Loop 2000B.
#[rustfmt::skip]
const LOOP_2000B: &[Node] = &[
    segment("HL", 100, R, 1, &[], &[
        el(1, "628", R, AN, 1, 12, &[]),
        el(2, "734", R, AN, 1, 12, &[]),
        el(3, "735", R, ID, 1, 2, &["21"]),
        el(4, "736", R, ID, 1, 1, &["0", "1"]),
    ]),
    nested("2100B", R, 1, LOOP_2100B),
    nested("2200B", R, 1, LOOP_2200B),
    nested("2000C", R, UNBOUNDED, LOOP_2000C),
];

/// Loop 2000A.
#[rustfmt::skip]
const LOOP_2000A: &[Node] = &[
    segment("HL", 100, R, 1, &[], shared::HL_1),
    nested("2100A", R, 1, LOOP_2100A),
    nested("2200A", R, UNBOUNDED, LOOP_2200A),
    nested("2000B", R, 1, LOOP_2000B),
];

/// The transaction set (ST..SE).
#[rustfmt::skip]
const LOOP_ST: &[Node] = &[
    segment("ST", 50, R, 1, &[], &[
        el(1, "143", R, ID, 3, 3, &["277"]),
        el(2, "329", R, AN, 4, 9, &[]),
        el(3, "1705", R, AN, 1, 35, &["005010X214"]),
    ]),
    segment("BHT", 200, R, 1, &[], &[
        el(1, "1005", R, ID, 4, 4, &["0085"]),
        el(2, "353", R, ID, 2, 2, &["08"]),
        el(3, "127", R, AN, 1, 50, &[]),
        el(4, "373", R, DT, 8, 8, &[]),
        el(5, "337", R, TM, 4, 8, &[]),
        el(6, "640", R, ID, 2, 2, &["TH"]),
    ]),
    nested("2000A", R, UNBOUNDED, LOOP_2000A),
    segment("SE", 5550, R, 1, &[], shared::SE_1),
];

/// The 005010X214 guide.
pub(super) static GUIDE: Guide = Guide {
    transaction_set: "277",
    implementation: "005010X214",
    also_serves: &[],
    name: "277 Health Care Claim Acknowledgment",
    root: loop_of("ST_LOOP", R, 1, LOOP_ST),
    business_unit: None,
};
