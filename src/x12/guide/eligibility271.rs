//! Table of the 271 Health Care Eligibility Benefit Response guide, 005010X279A1: every loop and segment.
//!
//! Derived from pyx12's map `271.5010.X279.A1.xml` (azoner/pyx12 at
//! `a5643617`, BSD-3-Clause), with the HL levels nested and LS, loop 2120C/D and LE placed in
//! loop 2110C/D after loop 2115C/D, where the TR3 has them (the map puts them inside 2115C/D).
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
    segment("PER", 800, S, 3, shared::PER_NOTES, &[
        el(1, "366", R, ID, 2, 2, &["IC"]),
        el(2, "93", S, AN, 1, 60, &[]),
        el(3, "365", S, ID, 2, 2, &["ED", "EM", "FX", "TE", "UR"]),
        el(4, "364", S, AN, 1, 256, &[]),
        el(5, "365", S, ID, 2, 2, &["ED", "EM", "EX", "FX", "TE", "UR"]),
        el(6, "364", S, AN, 1, 256, &[]),
        el(7, "365", S, ID, 2, 2, &["ED", "EM", "EX", "FX", "TE", "UR"]),
        el(8, "364", S, AN, 1, 256, &[]),
        el(9, "443", N, AN, 1, 20, &[]),
    ]),
    segment("AAA", 850, S, 9, &[], &[
        el(1, "1073", R, ID, 1, 1, &["N", "Y"]),
        el(2, "559", N, ID, 2, 2, &[]),
        el(3, "901", R, ID, 2, 2, &["04", "41", "42", "79", "80", "T4"]),
        el(4, "889", R, ID, 1, 1, &["C", "N", "P", "R", "S", "W", "X", "Y"]),
    ]),
];

/// Loop 2100B.
#[rustfmt::skip]
const LOOP_2100B: &[Node] = &[
    segment("NM1", 300, R, 1, shared::NM1_NOTES_2, &[
        el(1, "98", R, ID, 2, 3, &["1P", "2B", "36", "80", "FA", "GP", "P5", "PR"]),
        el(2, "1065", R, ID, 1, 1, &["1", "2"]),
        el(3, "1035", S, AN, 1, 60, &[]),
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
    segment("AAA", 850, S, 9, &[], &[
        el(1, "1073", R, ID, 1, 1, &["N", "Y"]),
        el(2, "559", N, ID, 2, 2, &[]),
        el(3, "901", R, ID, 2, 2, &["15", "41", "43", "44", "45", "46", "47", "48", "50", "51", "79", "97", "T4"]),
        el(4, "889", R, ID, 1, 1, &["C", "N", "R", "S", "W", "X", "Y"]),
    ]),
    segment("PRV", 900, S, 1, shared::PRV_NOTES, shared::PRV_4),
];

/// Loop 2115C.
#[rustfmt::skip]
const LOOP_2115C: &[Node] = &[
    segment("III", 2600, R, 1, shared::III_NOTES, shared::III_2),
];

/// Loop 2120C.
#[rustfmt::skip]
const LOOP_2120C: &[Node] = &[
    segment("NM1", 3400, R, 1, shared::NM1_NOTES_2, shared::NM1_34),
    segment("N3", 3600, S, 1, &[], shared::N3_1),
    segment("N4", 3700, S, 1, shared::N4_NOTES, shared::N4_2),
    segment("PER", 3800, S, 3, shared::PER_NOTES, shared::PER_3),
    segment("PRV", 3900, S, 1, shared::PRV_NOTES, shared::PRV_4),
];

/// Loop 2110C.
#[rustfmt::skip]
const LOOP_2110C: &[Node] = &[
    segment("EB", 1300, R, 1, shared::EB_NOTES, &[
        el(1, "1390", R, ID, 1, 2, &["1", "2", "3", "4", "5", "6", "7", "8", "A", "B", "C", "CB", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "MC", "N", "O", "P", "Q", "R", "S", "T", "U", "V", "W", "X", "Y"]),
        el(2, "1207", S, ID, 3, 3, &["CHD", "DEP", "ECH", "EMP", "ESP", "FAM", "IND", "SPC", "SPO"]),
        repeats(99, el(3, "1365", S, ID, 1, 2, &["1", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19", "2", "20", "21", "22", "23", "24", "25", "26", "27", "28", "3", "30", "32", "33", "34", "35", "36", "37", "38", "39", "4", "40", "41", "42", "43", "44", "45", "46", "47", "48", "49", "5", "50", "51", "52", "53", "54", "55", "56", "57", "58", "59", "6", "60", "61", "62", "63", "64", "65", "66", "67", "68", "69", "7", "70", "71", "72", "73", "74", "75", "76", "77", "78", "79", "8", "80", "81", "82", "83", "84", "85", "86", "87", "88", "89", "9", "90", "91", "92", "93", "94", "95", "96", "97", "98", "99", "A0", "A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8", "A9", "AA", "AB", "AC", "AD", "AE", "AF", "AG", "AH", "AI", "AJ", "AK", "AL", "AM", "AN", "AO", "AQ", "AR", "B1", "B2", "B3", "BA", "BB", "BC", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BK", "BL", "BM", "BN", "BP", "BQ", "BR", "BS", "BT", "BU", "BV", "BW", "BX", "BY", "BZ", "C1", "CA", "CB", "CC", "CD", "CE", "CF", "CG", "CH", "CI", "CJ", "CK", "CL", "CM", "CN", "CO", "CP", "CQ", "DG", "DM", "DS", "GF", "GN", "GY", "IC", "MH", "NI", "ON", "PT", "PU", "RN", "RT", "TC", "TN", "UC"])),
        el(4, "1336", S, ID, 1, 3, &["12", "13", "14", "15", "16", "41", "42", "43", "47", "AP", "C1", "CO", "CP", "D", "DB", "EP", "FF", "GP", "HM", "HN", "HS", "IN", "IP", "LC", "LD", "LI", "LT", "MA", "MB", "MC", "MH", "MI", "MP", "OT", "PE", "PL", "PP", "PR", "PS", "QM", "RP", "SP", "TF", "WC", "WU"]),
        el(5, "1204", S, AN, 1, 50, &[]),
        el(6, "615", S, ID, 1, 2, &["13", "21", "22", "23", "24", "25", "26", "27", "28", "29", "30", "31", "32", "33", "34", "35", "36", "6", "7"]),
        el(7, "782", S, DR, 1, 18, &[]),
        el(8, "954", S, DR, 1, 10, &[]),
        el(9, "673", S, ID, 2, 2, &["8H", "99", "CA", "CE", "D3", "DB", "DY", "HS", "LA", "LE", "M2", "MN", "P6", "QA", "S7", "S8", "VS", "YY"]),
        el(10, "380", S, DR, 1, 15, &[]),
        el(11, "1073", S, ID, 1, 1, &["N", "U", "Y"]),
        el(12, "1073", S, ID, 1, 1, &["N", "U", "W", "Y"]),
        composite(13, "C003", S, shared::C003_5),
        composite(14, "C004", S, shared::C004_2),
    ]),
    segment("HSD", 1350, S, 9, shared::HSD_NOTES, shared::HSD_1),
    segment("REF", 1400, S, 9, shared::REF_NOTES, &[
        el(1, "128", R, ID, 2, 3, &["18", "1L", "1W", "49", "6P", "9F", "ALS", "CLI", "F6", "FO", "G1", "IG", "M7", "N6", "NQ"]),
        el(2, "127", R, AN, 1, 50, &[]),
        el(3, "352", S, AN, 1, 80, &[]),
        composite(4, "C040", N, &[]),
    ]),
    segment("DTP", 1500, S, 20, &[], shared::DTP_30),
    segment("AAA", 1600, S, 9, &[], shared::AAA_1),
    segment("MSG", 2500, S, 10, shared::MSG_NOTES, shared::MSG_1),
    nested("2115C", S, 10, LOOP_2115C),
    segment("LS", 3300, S, 1, &[], shared::LS_1),
    nested("2120C", S, 23, LOOP_2120C),
    segment("LE", 4000, S, 1, &[], shared::LS_1),
];

/// Loop 2100C.
#[rustfmt::skip]
const LOOP_2100C: &[Node] = &[
    segment("NM1", 300, R, 1, shared::NM1_NOTES_2, shared::NM1_32),
    segment("REF", 400, S, 9, shared::REF_NOTES, &[
        el(1, "128", R, ID, 2, 3, &["18", "1L", "1W", "3H", "49", "6P", "CE", "CT", "EA", "EJ", "F6", "GH", "HJ", "IF", "IG", "N6", "NQ", "Q4", "SY", "Y4"]),
        el(2, "127", R, AN, 1, 50, &[]),
        el(3, "352", S, AN, 1, 80, &[]),
        composite(4, "C040", N, &[]),
    ]),
    segment("N3", 600, S, 1, &[], shared::N3_1),
    segment("N4", 700, S, 1, shared::N4_NOTES, shared::N4_1),
    segment("AAA", 850, S, 9, &[], &[
        el(1, "1073", R, ID, 1, 1, &["N", "Y"]),
        el(2, "559", N, ID, 2, 2, &[]),
        el(3, "901", R, ID, 2, 2, &["15", "35", "42", "43", "45", "47", "48", "49", "51", "52", "56", "57", "58", "60", "61", "62", "63", "71", "72", "73", "74", "75", "76", "78"]),
        el(4, "889", R, ID, 1, 1, &["C", "N", "R", "S", "W", "X", "Y"]),
    ]),
    segment("PRV", 900, S, 1, shared::PRV_NOTES, shared::PRV_6),
    segment("DMG", 1000, S, 1, shared::DMG_NOTES, shared::DMG_3),
    segment("INS", 1100, S, 1, shared::INS_NOTES, &[
        el(1, "1073", R, ID, 1, 1, &["Y"]),
        el(2, "1069", R, ID, 2, 2, &["18"]),
        el(3, "875", S, ID, 3, 3, &["001"]),
        el(4, "1203", S, ID, 2, 3, &["25"]),
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
    segment("DTP", 1200, S, 9, &[], shared::DTP_29),
    segment("MPI", 1275, S, 1, shared::MPI_NOTES, shared::MPI_1),
    nested("2110C", S, UNBOUNDED, LOOP_2110C),
];

/// Loop 2110D.
#[rustfmt::skip]
const LOOP_2110D: &[Node] = &[
    segment("EB", 1300, R, 1, shared::EB_NOTES, &[
        el(1, "1390", R, ID, 1, 2, &["1", "2", "3", "4", "5", "6", "7", "8", "A", "B", "C", "CB", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "MC", "N", "O", "P", "Q", "R", "S", "T", "U", "V", "W", "X", "Y"]),
        el(2, "1207", S, ID, 3, 3, &["CHD", "DEP", "ECH", "ESP", "FAM", "IND", "SPC", "SPO"]),
        repeats(99, el(3, "1365", S, ID, 1, 2, &["1", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19", "2", "20", "21", "22", "23", "24", "25", "26", "27", "28", "3", "30", "32", "33", "34", "35", "36", "37", "38", "39", "4", "40", "41", "42", "43", "44", "45", "46", "47", "48", "49", "5", "50", "51", "52", "53", "54", "55", "56", "57", "58", "59", "6", "60", "61", "62", "63", "64", "65", "66", "67", "68", "69", "7", "70", "71", "72", "73", "74", "75", "76", "77", "78", "79", "8", "80", "81", "82", "83", "84", "85", "86", "87", "88", "89", "9", "90", "91", "92", "93", "94", "95", "96", "97", "98", "99", "A0", "A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8", "A9", "AA", "AB", "AC", "AD", "AE", "AF", "AG", "AH", "AI", "AJ", "AK", "AL", "AM", "AN", "AO", "AQ", "AR", "B1", "B2", "B3", "BA", "BB", "BC", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BK", "BL", "BM", "BN", "BP", "BQ", "BR", "BS", "BT", "BU", "BV", "BW", "BX", "BY", "BZ", "C1", "CA", "CB", "CC", "CD", "CE", "CF", "CG", "CH", "CI", "CJ", "CK", "CL", "CM", "CN", "CO", "CP", "CQ", "DG", "DM", "DS", "GF", "GN", "GY", "IC", "MH", "NI", "ON", "PT", "PU", "RN", "RT", "TC", "TN", "UC"])),
        el(4, "1336", S, ID, 1, 3, &["12", "13", "14", "15", "16", "41", "42", "43", "47", "AP", "C1", "CO", "CP", "D", "DB", "EP", "FF", "GP", "HM", "HN", "HS", "IN", "IP", "LC", "LD", "LI", "LT", "MA", "MB", "MC", "MH", "MI", "MP", "OT", "PE", "PL", "PP", "PR", "PS", "QM", "RP", "SP", "TF", "WC", "WU"]),
        el(5, "1204", S, AN, 1, 50, &[]),
        el(6, "615", S, ID, 1, 2, &["13", "21", "22", "23", "24", "25", "26", "27", "28", "29", "30", "31", "32", "33", "34", "35", "36", "6", "7"]),
        el(7, "782", S, DR, 1, 18, &[]),
        el(8, "954", S, DR, 1, 10, &[]),
        el(9, "673", S, ID, 2, 2, &["8H", "99", "CA", "CE", "D3", "DB", "DY", "HS", "LA", "LE", "M2", "MN", "P6", "QA", "S7", "S8", "VS", "YY"]),
        el(10, "380", S, DR, 1, 15, &[]),
        el(11, "1073", S, ID, 1, 1, &["N", "U", "Y"]),
        el(12, "1073", S, ID, 1, 1, &["N", "U", "W", "Y"]),
        composite(13, "C003", S, shared::C003_5),
        composite(14, "C004", S, shared::C004_2),
    ]),
    segment("HSD", 1350, S, 9, shared::HSD_NOTES, shared::HSD_1),
    segment("REF", 1400, S, 9, shared::REF_NOTES, &[
        el(1, "128", R, ID, 2, 3, &["18", "1L", "1W", "49", "6P", "9F", "ALS", "CLI", "F6", "FO", "G1", "IG", "N6", "NQ"]),
        el(2, "127", R, AN, 1, 50, &[]),
        el(3, "352", S, AN, 1, 80, &[]),
        composite(4, "C040", N, &[]),
    ]),
    segment("DTP", 1500, S, 20, &[], shared::DTP_30),
    segment("AAA", 1600, S, 9, &[], shared::AAA_1),
    segment("MSG", 2500, S, 10, shared::MSG_NOTES, shared::MSG_1),
    nested("2115D", S, 10, LOOP_2115C),
    segment("LS", 3300, S, 1, &[], shared::LS_1),
    nested("2120D", S, 23, LOOP_2120C),
    segment("LE", 4000, S, 1, &[], shared::LS_1),
];

/// Loop 2100D.
#[rustfmt::skip]
const LOOP_2100D: &[Node] = &[
    segment("NM1", 300, R, 1, shared::NM1_NOTES_2, shared::NM1_33),
    segment("REF", 400, S, 9, shared::REF_NOTES, &[
        el(1, "128", R, ID, 2, 3, &["18", "1L", "1W", "49", "6P", "CE", "CT", "EA", "EJ", "F6", "GH", "HJ", "IF", "IG", "MRC", "N6", "NQ", "Q4", "SY", "Y4"]),
        el(2, "127", R, AN, 1, 50, &[]),
        el(3, "352", S, AN, 1, 80, &[]),
        composite(4, "C040", N, &[]),
    ]),
    segment("N3", 600, S, 1, &[], shared::N3_1),
    segment("N4", 700, S, 1, shared::N4_NOTES, shared::N4_1),
    segment("AAA", 850, S, 9, &[], &[
        el(1, "1073", R, ID, 1, 1, &["N", "Y"]),
        el(2, "559", N, ID, 2, 2, &[]),
        el(3, "901", R, ID, 2, 2, &["15", "35", "42", "43", "45", "47", "48", "49", "51", "52", "56", "57", "58", "60", "61", "62", "63", "64", "65", "66", "67", "68", "71", "77"]),
        el(4, "889", R, ID, 1, 1, &["C", "N", "R", "S", "W", "X", "Y"]),
    ]),
    segment("PRV", 900, S, 1, shared::PRV_NOTES, shared::PRV_6),
    segment("DMG", 1000, S, 1, shared::DMG_NOTES, shared::DMG_3),
    segment("INS", 1100, S, 1, shared::INS_NOTES, &[
        el(1, "1073", R, ID, 1, 1, &["N"]),
        el(2, "1069", R, ID, 2, 2, &["01", "19", "20", "21", "39", "40", "53", "G8"]),
        el(3, "875", S, ID, 3, 3, &["001"]),
        el(4, "1203", S, ID, 2, 3, &["25"]),
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
    segment("DTP", 1200, S, 9, &[], shared::DTP_29),
    segment("MPI", 1275, S, 1, shared::MPI_NOTES, shared::MPI_1),
    nested("2110D", S, UNBOUNDED, LOOP_2110D),
];

/// Loop 2000D.
#[rustfmt::skip]
const LOOP_2000D: &[Node] = &[
    segment("HL", 100, R, 1, &[], shared::HL_3),
    segment("TRN", 200, S, 3, &[], shared::TRN_4),
    nested("2100D", R, 1, LOOP_2100D),
];

/// Loop 2000C.
#[rustfmt::skip]
const LOOP_2000C: &[Node] = &[
    segment("HL", 100, R, 1, &[], shared::HL_2),
    segment("TRN", 200, S, 3, &[], shared::TRN_4),
    nested("2100C", R, 1, LOOP_2100C),
    nested("2000D", S, UNBOUNDED, LOOP_2000D),
];

/// Loop 2000B.
#[rustfmt::skip]
const LOOP_2000B: &[Node] = &[
    segment("HL", 100, R, 1, &[], shared::HL_5),
    nested("2100B", R, 1, LOOP_2100B),
    nested("2000C", S, UNBOUNDED, LOOP_2000C),
];

/// Loop 2000A.
#[rustfmt::skip]
const LOOP_2000A: &[Node] = &[
    segment("HL", 100, R, 1, &[], &[
        el(1, "628", R, AN, 1, 12, &[]),
        el(2, "734", N, AN, 1, 12, &[]),
        el(3, "735", R, ID, 1, 2, &["20"]),
        el(4, "736", R, ID, 1, 1, &["0", "1"]),
    ]),
    segment("AAA", 250, S, 9, &[], &[
        el(1, "1073", R, ID, 1, 1, &["N", "Y"]),
        el(2, "559", N, ID, 2, 2, &[]),
        el(3, "901", R, ID, 2, 2, &["04", "41", "42", "79"]),
        el(4, "889", R, ID, 1, 1, &["C", "N", "P", "R", "S", "Y"]),
    ]),
    nested("2100A", R, 1, LOOP_2100A),
    nested("2000B", S, UNBOUNDED, LOOP_2000B),
];

/// The transaction set (ST..SE).
#[rustfmt::skip]
const LOOP_ST: &[Node] = &[
    segment("ST", 100, R, 1, &[], &[
        el(1, "143", R, ID, 3, 3, &["271"]),
        el(2, "329", R, AN, 4, 9, &[]),
        el(3, "1705", R, AN, 1, 35, &["005010X279A1"]),
    ]),
    segment("BHT", 200, R, 1, &[], &[
        el(1, "1005", R, ID, 4, 4, &["0022"]),
        el(2, "353", R, ID, 2, 2, &["06", "11"]),
        el(3, "127", S, AN, 1, 50, &[]),
        el(4, "373", R, DT, 8, 8, &[]),
        el(5, "337", R, TM, 4, 8, &[]),
        el(6, "640", N, ID, 2, 2, &[]),
    ]),
    nested("2000A", R, UNBOUNDED, LOOP_2000A),
    segment("SE", 4100, R, 1, &[], shared::SE_1),
];

/// The 005010X279A1 guide.
pub(super) static GUIDE: Guide = Guide {
    transaction_set: "271",
    implementation: "005010X279A1",
    also_serves: &[],
    name: "271 Health Care Eligibility Benefit Response",
    root: loop_of("ST_LOOP", R, 1, LOOP_ST),
    business_unit: None,
};
