//! Table of the 270 Health Care Eligibility Benefit Inquiry guide, 005010X279A1: every loop and segment.
//!
//! Derived from pyx12's map `270.5010.X279.A1.xml` (azoner/pyx12 at
//! `a5643617`, BSD-3-Clause), with the subscriber and dependent levels nested as the HL
//! hierarchy of the TR3 has them.
//!
//! Situational segments and elements are checked for form; see the `guide` module for what no
//! table decides.

use super::DataType::{
    Alphanumeric as AN, Date as DT, Decimal as DR, Identifier as ID, Numeric0 as N0, Time as TM,
};
use super::Usage::{NotUsed as N, Required as R, Situational as S};
use super::{Guide, Node, UNBOUNDED, composite, el, loop_of, nested, repeats, segment, shared};

/// Loop 2100A.
#[rustfmt::skip]
const LOOP_2100A: &[Node] = &[
    segment("NM1", 300, R, 1, shared::NM1_NOTES_2, shared::NM1_31),
];

/// Loop 2100B.
#[rustfmt::skip]
const LOOP_2100B: &[Node] = &[
    segment("NM1", 300, R, 1, shared::NM1_NOTES_2, &[
        el(1, "98", R, ID, 2, 3, &["1P", "2B", "36", "80", "FA", "GP", "P5", "PR"]),
        el(2, "1065", R, ID, 1, 1, &["1", "2"]),
        el(3, "1035", R, AN, 1, 60, &[]),
        el(4, "1036", S, AN, 1, 35, &[]),
        el(5, "1037", S, AN, 1, 25, &[]),
        el(6, "1038", N, AN, 1, 10, &[]),
        el(7, "1039", S, AN, 1, 10, &[]),
        el(8, "66", R, ID, 1, 2, &["24", "34", "FI", "PI", "PP", "SV", "XV", "XX"]),
        el(9, "67", R, AN, 2, 80, &[]),
        el(10, "706", N, ID, 2, 2, &[]),
        el(11, "98", N, ID, 2, 3, &[]),
        el(12, "1035", N, AN, 1, 60, &[]),
    ]),
    segment("REF", 400, S, 9, shared::REF_NOTES, shared::REF_39),
    segment("N3", 600, S, 1, &[], shared::N3_1),
    segment("N4", 700, S, 1, shared::N4_NOTES, shared::N4_1),
    segment("PRV", 900, S, 1, shared::PRV_NOTES, shared::PRV_4),
];

/// Loop 2110C.
#[rustfmt::skip]
const LOOP_2110C: &[Node] = &[
    segment("EQ", 1300, R, 1, shared::EQ_NOTES, &[
        repeats(99, el(1, "1365", S, ID, 1, 2, &["1", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19", "2", "20", "21", "22", "23", "24", "25", "26", "27", "28", "3", "30", "32", "33", "34", "35", "36", "37", "38", "39", "4", "40", "41", "42", "43", "44", "45", "46", "47", "48", "49", "5", "50", "51", "52", "53", "54", "55", "56", "57", "58", "59", "6", "60", "61", "62", "63", "64", "65", "66", "67", "68", "69", "7", "70", "71", "72", "73", "74", "75", "76", "77", "78", "79", "8", "80", "81", "82", "83", "84", "85", "86", "87", "88", "89", "9", "90", "91", "92", "93", "94", "95", "96", "97", "98", "99", "A0", "A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8", "A9", "AA", "AB", "AC", "AD", "AE", "AF", "AG", "AH", "AI", "AJ", "AK", "AL", "AM", "AN", "AO", "AQ", "AR", "B1", "B2", "B3", "BA", "BB", "BC", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BK", "BL", "BM", "BN", "BP", "BQ", "BR", "BS", "BT", "BU", "BV", "BW", "BX", "BY", "BZ", "C1", "CA", "CB", "CC", "CD", "CE", "CF", "CG", "CH", "CI", "CJ", "CK", "CL", "CM", "CN", "CO", "CP", "CQ", "DG", "DM", "DS", "GF", "GN", "GY", "IC", "MH", "NI", "ON", "PT", "PU", "RN", "RT", "TC", "TN", "UC"])),
        composite(2, "C003", S, shared::C003_4),
        el(3, "1207", S, ID, 3, 3, &["FAM"]),
        el(4, "1336", N, ID, 1, 3, &[]),
        composite(5, "C004", S, shared::C004_2),
    ]),
    segment("AMT", 1350, S, 1, &[], &[
        el(1, "522", R, ID, 1, 3, &["R"]),
        el(2, "782", R, DR, 1, 18, &[]),
        el(3, "478", N, ID, 1, 1, &[]),
    ]),
    segment("AMT", 1350, S, 1, &[], &[
        el(1, "522", R, ID, 1, 3, &["PB"]),
        el(2, "782", R, DR, 1, 18, &[]),
        el(3, "478", N, ID, 1, 1, &[]),
    ]),
    segment("III", 1700, S, 1, shared::III_NOTES, shared::III_1),
    segment("REF", 1900, S, 1, shared::REF_NOTES, shared::REF_40),
    segment("DTP", 2000, S, 1, &[], shared::DTP_28),
];

/// Loop 2100C.
#[rustfmt::skip]
const LOOP_2100C: &[Node] = &[
    segment("NM1", 300, R, 1, shared::NM1_NOTES_2, shared::NM1_32),
    segment("REF", 400, S, 9, shared::REF_NOTES, &[
        el(1, "128", R, ID, 2, 3, &["18", "1L", "1W", "3H", "6P", "CT", "EA", "EJ", "F6", "GH", "HJ", "IG", "N6", "NQ", "SY", "Y4"]),
        el(2, "127", R, AN, 1, 50, &[]),
        el(3, "352", N, AN, 1, 80, &[]),
        composite(4, "C040", N, &[]),
    ]),
    segment("N3", 600, S, 1, &[], shared::N3_1),
    segment("N4", 700, S, 1, shared::N4_NOTES, shared::N4_1),
    segment("PRV", 900, S, 1, shared::PRV_NOTES, shared::PRV_5),
    segment("DMG", 1000, S, 1, shared::DMG_NOTES, shared::DMG_2),
    segment("INS", 1100, S, 1, shared::INS_NOTES, &[
        el(1, "1073", R, ID, 1, 1, &["Y"]),
        el(2, "1069", R, ID, 2, 2, &["18"]),
        el(3, "875", N, ID, 3, 3, &[]),
        el(4, "1203", N, ID, 2, 3, &[]),
        el(5, "1216", N, ID, 1, 1, &[]),
        composite(6, "C052", N, &[]),
        el(7, "1219", N, ID, 1, 2, &[]),
        el(8, "584", N, ID, 2, 2, &[]),
        el(9, "1220", N, ID, 1, 1, &[]),
        el(10, "1073", N, ID, 1, 1, &[]),
        el(11, "1250", N, ID, 2, 3, &[]),
        el(12, "1251", N, AN, 1, 35, &[]),
        el(13, "1165", N, ID, 1, 1, &[]),
        el(14, "19", N, AN, 2, 30, &[]),
        el(15, "156", N, ID, 2, 2, &[]),
        el(16, "26", N, ID, 2, 3, &[]),
        el(17, "1470", R, N0, 1, 9, &[]),
    ]),
    segment("HI", 1150, S, 1, &[], shared::HI_16),
    segment("DTP", 1200, S, 2, &[], shared::DTP_27),
    nested("2110C", S, 99, LOOP_2110C),
];

/// Loop 2110D.
#[rustfmt::skip]
const LOOP_2110D: &[Node] = &[
    segment("EQ", 1300, R, 1, shared::EQ_NOTES, &[
        repeats(99, el(1, "1365", S, ID, 1, 2, &["1", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19", "2", "20", "21", "22", "23", "24", "25", "26", "27", "28", "3", "30", "32", "33", "34", "35", "36", "37", "38", "39", "4", "40", "41", "42", "43", "44", "45", "46", "47", "48", "49", "5", "50", "51", "52", "53", "54", "55", "56", "57", "58", "59", "6", "60", "61", "62", "63", "64", "65", "66", "67", "68", "69", "7", "70", "71", "72", "73", "74", "75", "76", "77", "78", "79", "8", "80", "81", "82", "83", "84", "85", "86", "87", "88", "89", "9", "90", "91", "92", "93", "94", "95", "96", "97", "98", "99", "A0", "A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8", "A9", "AA", "AB", "AC", "AD", "AE", "AF", "AG", "AH", "AI", "AJ", "AK", "AL", "AM", "AN", "AO", "AQ", "AR", "B1", "B2", "B3", "BA", "BB", "BC", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BK", "BL", "BM", "BN", "BP", "BQ", "BR", "BS", "BT", "BU", "BV", "BW", "BX", "BY", "BZ", "C1", "CA", "CB", "CC", "CD", "CE", "CF", "CG", "CH", "CI", "CJ", "CK", "CL", "CM", "CN", "CO", "CP", "CQ", "DG", "DM", "DS", "GF", "GN", "GY", "IC", "MH", "NI", "ON", "PT", "PU", "RN", "RT", "TC", "TN", "UC"])),
        composite(2, "C003", S, shared::C003_4),
        el(3, "1207", N, ID, 3, 3, &[]),
        el(4, "1336", N, ID, 1, 3, &[]),
        composite(5, "C004", S, shared::C004_2),
    ]),
    segment("III", 1700, S, 1, shared::III_NOTES, shared::III_1),
    segment("REF", 1900, S, 1, shared::REF_NOTES, shared::REF_40),
    segment("DTP", 2000, S, 1, &[], shared::DTP_28),
];

/// Loop 2100D.
#[rustfmt::skip]
const LOOP_2100D: &[Node] = &[
    segment("NM1", 300, R, 1, shared::NM1_NOTES_2, shared::NM1_33),
    segment("REF", 400, S, 9, shared::REF_NOTES, &[
        el(1, "128", R, ID, 2, 3, &["18", "1L", "1W", "6P", "CT", "EA", "EJ", "F6", "GH", "HJ", "IF", "IG", "MRC", "N6", "SY", "Y4"]),
        el(2, "127", R, AN, 1, 50, &[]),
        el(3, "352", N, AN, 1, 80, &[]),
        composite(4, "C040", N, &[]),
    ]),
    segment("N3", 600, S, 1, &[], shared::N3_1),
    segment("N4", 700, S, 1, shared::N4_NOTES, shared::N4_1),
    segment("PRV", 900, S, 1, shared::PRV_NOTES, shared::PRV_5),
    segment("DMG", 1000, S, 1, shared::DMG_NOTES, shared::DMG_2),
    segment("INS", 1100, S, 1, shared::INS_NOTES, &[
        el(1, "1073", R, ID, 1, 1, &["N"]),
        el(2, "1069", R, ID, 2, 2, &["01", "19", "34"]),
        el(3, "875", N, ID, 3, 3, &[]),
        el(4, "1203", N, ID, 2, 3, &[]),
        el(5, "1216", N, ID, 1, 1, &[]),
        composite(6, "C052", N, &[]),
        el(7, "1219", N, ID, 1, 2, &[]),
        el(8, "584", N, ID, 2, 2, &[]),
        el(9, "1220", N, ID, 1, 1, &[]),
        el(10, "1073", N, ID, 1, 1, &[]),
        el(11, "1250", N, ID, 2, 3, &[]),
        el(12, "1251", N, AN, 1, 35, &[]),
        el(13, "1165", N, ID, 1, 1, &[]),
        el(14, "19", N, AN, 2, 30, &[]),
        el(15, "156", N, ID, 2, 2, &[]),
        el(16, "26", N, ID, 2, 3, &[]),
        el(17, "1470", S, N0, 1, 9, &[]),
    ]),
    segment("HI", 1150, S, 1, &[], shared::HI_16),
    segment("DTP", 1200, S, 2, &[], shared::DTP_27),
    nested("2110D", R, 99, LOOP_2110D),
];

/// Loop 2000D.
#[rustfmt::skip]
const LOOP_2000D: &[Node] = &[
    segment("HL", 100, R, 1, &[], shared::HL_3),
    segment("TRN", 200, S, 2, &[], shared::TRN_3),
    nested("2100D", R, 1, LOOP_2100D),
];

/// Loop 2000C.
#[rustfmt::skip]
const LOOP_2000C: &[Node] = &[
    segment("HL", 100, R, 1, &[], shared::HL_2),
    segment("TRN", 200, S, 2, &[], shared::TRN_3),
    nested("2100C", R, 1, LOOP_2100C),
    nested("2000D", S, UNBOUNDED, LOOP_2000D),
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
        el(1, "143", R, ID, 3, 3, &["270"]),
        el(2, "329", R, AN, 4, 9, &[]),
        el(3, "1705", R, AN, 1, 35, &["005010X279A1"]),
    ]),
    segment("BHT", 200, R, 1, &[], &[
        el(1, "1005", R, ID, 4, 4, &["0022"]),
        el(2, "353", R, ID, 2, 2, &["01", "13"]),
        el(3, "127", S, AN, 1, 50, &[]),
        el(4, "373", R, DT, 8, 8, &[]),
        el(5, "337", R, TM, 4, 8, &[]),
        el(6, "640", S, ID, 2, 2, &["RT"]),
    ]),
    nested("2000A", R, UNBOUNDED, LOOP_2000A),
    segment("SE", 2100, R, 1, &[], shared::SE_1),
];

/// The 005010X279A1 guide.
pub(super) static GUIDE: Guide = Guide {
    transaction_set: "270",
    implementation: "005010X279A1",
    also_serves: &[],
    name: "270 Health Care Eligibility Benefit Inquiry",
    root: loop_of("ST_LOOP", R, 1, LOOP_ST),
    business_unit: None,
};
