//! Element lists that several segments of the guide tables share (the same elements with the
//! same usage, type, length and codes), written once.

use super::DataType::{
    Alphanumeric as AN, Date as DT, Decimal as DR, Identifier as ID, Numeric0 as N0, Time as TM,
};
use super::ElementRule;
use super::SyntaxKind::{AtLeastOne, Conditional, Exclusive, ListConditional, Paired};
use super::Usage::{NotUsed as N, Required as R, Situational as S};
use super::{SyntaxNote, composite, el};

/// The elements of segment AMT, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const AMT_1: &[ElementRule] = &[
    el(1, "522", R, ID, 1, 3, &["F5"]),
    el(2, "782", R, DR, 1, 18, &[]),
    el(3, "478", N, ID, 1, 1, &[]),
];

/// The elements of segment AMT, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const AMT_10: &[ElementRule] = &[
    el(1, "522", R, ID, 1, 3, &["YU"]),
    el(2, "782", R, DR, 1, 18, &[]),
    el(3, "478", N, ID, 1, 1, &[]),
];

/// The elements of segment AMT, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const AMT_11: &[ElementRule] = &[
    el(1, "522", R, ID, 1, 3, &["YY"]),
    el(2, "782", R, DR, 1, 18, &[]),
    el(3, "478", N, ID, 1, 1, &[]),
];

/// The elements of segment AMT, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const AMT_2: &[ElementRule] = &[
    el(1, "522", R, ID, 1, 3, &["D"]),
    el(2, "782", R, DR, 1, 18, &[]),
    el(3, "478", N, ID, 1, 1, &[]),
];

/// The elements of segment AMT, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const AMT_3: &[ElementRule] = &[
    el(1, "522", R, ID, 1, 3, &["A8"]),
    el(2, "782", R, DR, 1, 18, &[]),
    el(3, "478", N, ID, 1, 1, &[]),
];

/// The elements of segment AMT, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const AMT_4: &[ElementRule] = &[
    el(1, "522", R, ID, 1, 3, &["EAF"]),
    el(2, "782", R, DR, 1, 18, &[]),
    el(3, "478", N, ID, 1, 1, &[]),
];

/// The elements of segment AMT, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const AMT_5: &[ElementRule] = &[
    el(1, "522", R, ID, 1, 3, &["T"]),
    el(2, "782", R, DR, 1, 18, &[]),
    el(3, "478", N, ID, 1, 1, &[]),
];

/// The elements of segment AMT, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const AMT_6: &[ElementRule] = &[
    el(1, "522", R, ID, 1, 3, &["F4"]),
    el(2, "782", R, DR, 1, 18, &[]),
    el(3, "478", N, ID, 1, 1, &[]),
];

/// The elements of segment AMT, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const AMT_7: &[ElementRule] = &[
    el(1, "522", R, ID, 1, 3, &["F3"]),
    el(2, "782", R, DR, 1, 18, &[]),
    el(3, "478", N, ID, 1, 1, &[]),
];

/// The elements of segment AMT, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const AMT_8: &[ElementRule] = &[
    el(1, "522", R, ID, 1, 3, &["GT"]),
    el(2, "782", R, DR, 1, 18, &[]),
    el(3, "478", N, ID, 1, 1, &[]),
];

/// The elements of segment AMT, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const AMT_9: &[ElementRule] = &[
    el(1, "522", R, ID, 1, 3, &["N8"]),
    el(2, "782", R, DR, 1, 18, &[]),
    el(3, "478", N, ID, 1, 1, &[]),
];

/// The components of composite C001, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const C001_1: &[ElementRule] = &[
    el(1, "355", R, ID, 2, 2, &["F2", "GR", "ME", "ML", "UN"]),
    el(2, "1018", N, DR, 1, 15, &[]),
    el(3, "649", N, DR, 1, 10, &[]),
    el(4, "355", N, ID, 2, 2, &[]),
    el(5, "1018", N, DR, 1, 15, &[]),
    el(6, "649", N, DR, 1, 10, &[]),
    el(7, "355", N, ID, 2, 2, &[]),
    el(8, "1018", N, DR, 1, 15, &[]),
    el(9, "649", N, DR, 1, 10, &[]),
    el(10, "355", N, ID, 2, 2, &[]),
    el(11, "1018", N, DR, 1, 15, &[]),
    el(12, "649", N, DR, 1, 10, &[]),
    el(13, "355", N, ID, 2, 2, &[]),
    el(14, "1018", N, DR, 1, 15, &[]),
    el(15, "649", N, DR, 1, 10, &[]),
];

/// The components of composite C003, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const C003_1: &[ElementRule] = &[
    el(1, "235", R, ID, 2, 2, &["ER", "HC", "IV", "WK"]),
    el(2, "234", R, AN, 1, 48, &[]),
    el(3, "1339", S, AN, 2, 2, &[]),
    el(4, "1339", S, AN, 2, 2, &[]),
    el(5, "1339", S, AN, 2, 2, &[]),
    el(6, "1339", S, AN, 2, 2, &[]),
    el(7, "352", S, AN, 1, 80, &[]),
    el(8, "234", N, AN, 1, 48, &[]),
];

/// The components of composite C003, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const C003_2: &[ElementRule] = &[
    el(1, "235", R, ID, 2, 2, &["HC"]),
    el(2, "234", R, AN, 1, 48, &[]),
    el(3, "1339", N, AN, 2, 2, &[]),
    el(4, "1339", N, AN, 2, 2, &[]),
    el(5, "1339", N, AN, 2, 2, &[]),
    el(6, "1339", N, AN, 2, 2, &[]),
    el(7, "352", N, AN, 1, 80, &[]),
    el(8, "234", N, AN, 1, 48, &[]),
];

/// The components of composite C003, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const C003_3: &[ElementRule] = &[
    el(1, "235", R, ID, 2, 2, &["ER", "HC", "HP", "IV", "WK"]),
    el(2, "234", R, AN, 1, 48, &[]),
    el(3, "1339", S, AN, 2, 2, &[]),
    el(4, "1339", S, AN, 2, 2, &[]),
    el(5, "1339", S, AN, 2, 2, &[]),
    el(6, "1339", S, AN, 2, 2, &[]),
    el(7, "352", S, AN, 1, 80, &[]),
    el(8, "234", N, AN, 1, 48, &[]),
];

/// The components of composite C004, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const C004_1: &[ElementRule] = &[
    el(1, "1328", R, N0, 1, 2, &["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"]),
    el(2, "1328", S, N0, 1, 2, &["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"]),
    el(3, "1328", S, N0, 1, 2, &["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"]),
    el(4, "1328", S, N0, 1, 2, &["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"]),
];

/// The components of composite C022, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const C022_1: &[ElementRule] = &[
    el(1, "1270", R, ID, 1, 3, &["ABK", "BK"]),
    el(2, "1271", R, AN, 1, 30, &[]),
    el(3, "1250", N, ID, 2, 3, &[]),
    el(4, "1251", N, AN, 1, 35, &[]),
    el(5, "782", N, DR, 1, 18, &[]),
    el(6, "380", N, DR, 1, 15, &[]),
    el(7, "799", N, AN, 1, 30, &[]),
    el(8, "1271", N, AN, 1, 30, &[]),
    el(9, "1073", N, ID, 1, 1, &[]),
];

/// The components of composite C022, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const C022_10: &[ElementRule] = &[
    el(1, "1270", R, ID, 1, 3, &["DR"]),
    el(2, "1271", R, AN, 1, 30, &[]),
    el(3, "1250", N, ID, 2, 3, &[]),
    el(4, "1251", N, AN, 1, 35, &[]),
    el(5, "782", N, DR, 1, 18, &[]),
    el(6, "380", N, DR, 1, 15, &[]),
    el(7, "799", N, AN, 1, 30, &[]),
    el(8, "1271", N, AN, 1, 30, &[]),
    el(9, "1073", N, ID, 1, 1, &[]),
];

/// The components of composite C022, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const C022_11: &[ElementRule] = &[
    el(1, "1270", R, ID, 1, 3, &["ABF", "BF"]),
    el(2, "1271", R, AN, 1, 30, &[]),
    el(3, "1250", N, ID, 2, 3, &[]),
    el(4, "1251", N, AN, 1, 35, &[]),
    el(5, "782", N, DR, 1, 18, &[]),
    el(6, "380", N, DR, 1, 15, &[]),
    el(7, "799", N, AN, 1, 30, &[]),
    el(8, "1271", N, AN, 1, 30, &[]),
    el(9, "1073", S, ID, 1, 1, &["N", "U", "W", "Y"]),
];

/// The components of composite C022, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const C022_12: &[ElementRule] = &[
    el(1, "1270", R, ID, 1, 3, &["BBR", "BR", "CAH"]),
    el(2, "1271", R, AN, 1, 30, &[]),
    el(3, "1250", R, ID, 2, 3, &["D8"]),
    el(4, "1251", R, AN, 1, 35, &[]),
    el(5, "782", N, DR, 1, 18, &[]),
    el(6, "380", N, DR, 1, 15, &[]),
    el(7, "799", N, AN, 1, 30, &[]),
    el(8, "1271", N, AN, 1, 30, &[]),
    el(9, "1073", N, ID, 1, 1, &[]),
];

/// The components of composite C022, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const C022_13: &[ElementRule] = &[
    el(1, "1270", R, ID, 1, 3, &["BBQ", "BQ"]),
    el(2, "1271", R, AN, 1, 30, &[]),
    el(3, "1250", R, ID, 2, 3, &["D8"]),
    el(4, "1251", R, AN, 1, 35, &[]),
    el(5, "782", N, DR, 1, 18, &[]),
    el(6, "380", N, DR, 1, 15, &[]),
    el(7, "799", N, AN, 1, 30, &[]),
    el(8, "1271", N, AN, 1, 30, &[]),
    el(9, "1073", N, ID, 1, 1, &[]),
];

/// The components of composite C022, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const C022_14: &[ElementRule] = &[
    el(1, "1270", R, ID, 1, 3, &["BI"]),
    el(2, "1271", R, AN, 1, 30, &[]),
    el(3, "1250", R, ID, 2, 3, &["RD8"]),
    el(4, "1251", R, AN, 1, 35, &[]),
    el(5, "782", N, DR, 1, 18, &[]),
    el(6, "380", N, DR, 1, 15, &[]),
    el(7, "799", N, AN, 1, 30, &[]),
    el(8, "1271", N, AN, 1, 30, &[]),
    el(9, "1073", N, ID, 1, 1, &[]),
];

/// The components of composite C022, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const C022_15: &[ElementRule] = &[
    el(1, "1270", R, ID, 1, 3, &["BH"]),
    el(2, "1271", R, AN, 1, 30, &[]),
    el(3, "1250", R, ID, 2, 3, &["D8"]),
    el(4, "1251", R, AN, 1, 35, &[]),
    el(5, "782", N, DR, 1, 18, &[]),
    el(6, "380", N, DR, 1, 15, &[]),
    el(7, "799", N, AN, 1, 30, &[]),
    el(8, "1271", N, AN, 1, 30, &[]),
    el(9, "1073", N, ID, 1, 1, &[]),
];

/// The components of composite C022, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const C022_16: &[ElementRule] = &[
    el(1, "1270", R, ID, 1, 3, &["BE"]),
    el(2, "1271", R, AN, 1, 30, &[]),
    el(3, "1250", N, ID, 2, 3, &[]),
    el(4, "1251", N, AN, 1, 35, &[]),
    el(5, "782", R, DR, 1, 18, &[]),
    el(6, "380", N, DR, 1, 15, &[]),
    el(7, "799", N, AN, 1, 30, &[]),
    el(8, "1271", N, AN, 1, 30, &[]),
    el(9, "1073", N, ID, 1, 1, &[]),
];

/// The components of composite C022, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const C022_17: &[ElementRule] = &[
    el(1, "1270", R, ID, 1, 3, &["TC"]),
    el(2, "1271", R, AN, 1, 30, &[]),
    el(3, "1250", N, ID, 2, 3, &[]),
    el(4, "1251", N, AN, 1, 35, &[]),
    el(5, "782", N, DR, 1, 18, &[]),
    el(6, "380", N, DR, 1, 15, &[]),
    el(7, "799", N, AN, 1, 30, &[]),
    el(8, "1271", N, AN, 1, 30, &[]),
    el(9, "1073", N, ID, 1, 1, &[]),
];

/// The components of composite C022, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const C022_2: &[ElementRule] = &[
    el(1, "1270", R, ID, 1, 3, &["ABF", "BF"]),
    el(2, "1271", R, AN, 1, 30, &[]),
    el(3, "1250", N, ID, 2, 3, &[]),
    el(4, "1251", N, AN, 1, 35, &[]),
    el(5, "782", N, DR, 1, 18, &[]),
    el(6, "380", N, DR, 1, 15, &[]),
    el(7, "799", N, AN, 1, 30, &[]),
    el(8, "1271", N, AN, 1, 30, &[]),
    el(9, "1073", N, ID, 1, 1, &[]),
];

/// The components of composite C022, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const C022_3: &[ElementRule] = &[
    el(1, "1270", R, ID, 1, 3, &["BP"]),
    el(2, "1271", R, AN, 1, 30, &[]),
    el(3, "1250", N, ID, 2, 3, &[]),
    el(4, "1251", N, AN, 1, 35, &[]),
    el(5, "782", N, DR, 1, 18, &[]),
    el(6, "380", N, DR, 1, 15, &[]),
    el(7, "799", N, AN, 1, 30, &[]),
    el(8, "1271", N, AN, 1, 30, &[]),
    el(9, "1073", N, ID, 1, 1, &[]),
];

/// The components of composite C022, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const C022_4: &[ElementRule] = &[
    el(1, "1270", R, ID, 1, 3, &["BO"]),
    el(2, "1271", R, AN, 1, 30, &[]),
    el(3, "1250", N, ID, 2, 3, &[]),
    el(4, "1251", N, AN, 1, 35, &[]),
    el(5, "782", N, DR, 1, 18, &[]),
    el(6, "380", N, DR, 1, 15, &[]),
    el(7, "799", N, AN, 1, 30, &[]),
    el(8, "1271", N, AN, 1, 30, &[]),
    el(9, "1073", N, ID, 1, 1, &[]),
];

/// The components of composite C022, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const C022_5: &[ElementRule] = &[
    el(1, "1270", R, ID, 1, 3, &["BG"]),
    el(2, "1271", R, AN, 1, 30, &[]),
    el(3, "1250", N, ID, 2, 3, &[]),
    el(4, "1251", N, AN, 1, 35, &[]),
    el(5, "782", N, DR, 1, 18, &[]),
    el(6, "380", N, DR, 1, 15, &[]),
    el(7, "799", N, AN, 1, 30, &[]),
    el(8, "1271", N, AN, 1, 30, &[]),
    el(9, "1073", N, ID, 1, 1, &[]),
];

/// The components of composite C022, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const C022_6: &[ElementRule] = &[
    el(1, "1270", R, ID, 1, 3, &["ABK", "BK"]),
    el(2, "1271", R, AN, 1, 30, &[]),
    el(3, "1250", N, ID, 2, 3, &[]),
    el(4, "1251", N, AN, 1, 35, &[]),
    el(5, "782", N, DR, 1, 18, &[]),
    el(6, "380", N, DR, 1, 15, &[]),
    el(7, "799", N, AN, 1, 30, &[]),
    el(8, "1271", N, AN, 1, 30, &[]),
    el(9, "1073", S, ID, 1, 1, &["N", "U", "W", "Y"]),
];

/// The components of composite C022, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const C022_7: &[ElementRule] = &[
    el(1, "1270", R, ID, 1, 3, &["ABJ", "BJ"]),
    el(2, "1271", R, AN, 1, 30, &[]),
    el(3, "1250", N, ID, 2, 3, &[]),
    el(4, "1251", N, AN, 1, 35, &[]),
    el(5, "782", N, DR, 1, 18, &[]),
    el(6, "380", N, DR, 1, 15, &[]),
    el(7, "799", N, AN, 1, 30, &[]),
    el(8, "1271", N, AN, 1, 30, &[]),
    el(9, "1073", N, ID, 1, 1, &[]),
];

/// The components of composite C022, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const C022_8: &[ElementRule] = &[
    el(1, "1270", R, ID, 1, 3, &["APR", "PR"]),
    el(2, "1271", R, AN, 1, 30, &[]),
    el(3, "1250", N, ID, 2, 3, &[]),
    el(4, "1251", N, AN, 1, 35, &[]),
    el(5, "782", N, DR, 1, 18, &[]),
    el(6, "380", N, DR, 1, 15, &[]),
    el(7, "799", N, AN, 1, 30, &[]),
    el(8, "1271", N, AN, 1, 30, &[]),
    el(9, "1073", N, ID, 1, 1, &[]),
];

/// The components of composite C022, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const C022_9: &[ElementRule] = &[
    el(1, "1270", R, ID, 1, 3, &["ABN", "BN"]),
    el(2, "1271", R, AN, 1, 30, &[]),
    el(3, "1250", N, ID, 2, 3, &[]),
    el(4, "1251", N, AN, 1, 35, &[]),
    el(5, "782", N, DR, 1, 18, &[]),
    el(6, "380", N, DR, 1, 15, &[]),
    el(7, "799", N, AN, 1, 30, &[]),
    el(8, "1271", N, AN, 1, 30, &[]),
    el(9, "1073", S, ID, 1, 1, &["N", "U", "W", "Y"]),
];

/// The components of composite C023, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const C023_1: &[ElementRule] = &[
    el(1, "1331", R, AN, 1, 2, &[]),
    el(2, "1332", R, ID, 1, 2, &["B"]),
    el(3, "1325", R, ID, 1, 1, &[]),
];

/// The components of composite C023, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const C023_2: &[ElementRule] = &[
    el(1, "1331", R, AN, 1, 2, &[]),
    el(2, "1332", R, ID, 1, 2, &["A"]),
    el(3, "1325", R, ID, 1, 1, &[]),
];

/// The components of composite C024, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const C024_1: &[ElementRule] = &[
    el(1, "1362", R, ID, 2, 3, &["AA", "EM", "OA"]),
    el(2, "1362", S, ID, 2, 3, &["AA", "EM", "OA"]),
    el(3, "1362", N, ID, 2, 3, &[]),
    el(4, "156", S, ID, 2, 2, &[]),
    el(5, "26", S, ID, 2, 3, &[]),
];

/// The components of composite C030, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const C030_1: &[ElementRule] = &[
    el(1, "722", R, N0, 1, 2, &[]),
    el(2, "1528", S, N0, 1, 2, &[]),
    el(3, "1686", S, N0, 1, 4, &[]),
];

/// The components of composite C040, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const C040_1: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["2U"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "128", N, ID, 2, 3, &[]),
    el(4, "127", N, AN, 1, 50, &[]),
    el(5, "128", N, ID, 2, 3, &[]),
    el(6, "127", N, AN, 1, 50, &[]),
];

/// The components of composite C042, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const C042_1: &[ElementRule] = &[
    el(1, "426", R, ID, 2, 2, &[]),
    el(2, "127", S, AN, 1, 50, &[]),
];

/// The components of composite C043, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const C043_1: &[ElementRule] = &[
    el(1, "1271", R, AN, 1, 30, &[]),
    el(2, "1271", R, AN, 1, 30, &[]),
    el(3, "98", S, ID, 2, 3, &[]),
    el(4, "1270", N, ID, 1, 3, &[]),
];

/// The components of composite C043, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const C043_2: &[ElementRule] = &[
    el(1, "1271", R, AN, 1, 30, &[]),
    el(2, "1271", R, AN, 1, 30, &[]),
    el(3, "98", S, ID, 2, 3, &[]),
];

/// The components of composite C998, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const C998_1: &[ElementRule] = &[
    el(1, "9999", R, AN, 1, 35, &["SITUATIONAL TRIGGER"]),
    el(2, "9998", N, AN, 1, 35, &[]),
];

/// The components of composite C999, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const C999_1: &[ElementRule] = &[
    el(1, "725", R, N0, 1, 4, &[]),
    el(2, "725", N, N0, 1, 4, &[]),
];

/// The elements of segment CAS, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const CAS_1: &[ElementRule] = &[
    el(1, "1033", R, ID, 1, 2, &["CO", "CR", "OA", "PI", "PR"]),
    el(2, "1034", R, ID, 1, 5, &[]),
    el(3, "782", R, DR, 1, 18, &[]),
    el(4, "380", S, DR, 1, 15, &[]),
    el(5, "1034", S, ID, 1, 5, &[]),
    el(6, "782", S, DR, 1, 18, &[]),
    el(7, "380", S, DR, 1, 15, &[]),
    el(8, "1034", S, ID, 1, 5, &[]),
    el(9, "782", S, DR, 1, 18, &[]),
    el(10, "380", S, DR, 1, 15, &[]),
    el(11, "1034", S, ID, 1, 5, &[]),
    el(12, "782", S, DR, 1, 18, &[]),
    el(13, "380", S, DR, 1, 15, &[]),
    el(14, "1034", S, ID, 1, 5, &[]),
    el(15, "782", S, DR, 1, 18, &[]),
    el(16, "380", S, DR, 1, 15, &[]),
    el(17, "1034", S, ID, 1, 5, &[]),
    el(18, "782", S, DR, 1, 18, &[]),
    el(19, "380", S, DR, 1, 15, &[]),
];

/// The elements of segment CAS, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const CAS_2: &[ElementRule] = &[
    el(1, "1033", R, ID, 1, 2, &["CO", "OA", "PI", "PR"]),
    el(2, "1034", R, ID, 1, 5, &[]),
    el(3, "782", R, DR, 1, 18, &[]),
    el(4, "380", S, DR, 1, 15, &[]),
    el(5, "1034", S, ID, 1, 5, &[]),
    el(6, "782", S, DR, 1, 18, &[]),
    el(7, "380", S, DR, 1, 15, &[]),
    el(8, "1034", S, ID, 1, 5, &[]),
    el(9, "782", S, DR, 1, 18, &[]),
    el(10, "380", S, DR, 1, 15, &[]),
    el(11, "1034", S, ID, 1, 5, &[]),
    el(12, "782", S, DR, 1, 18, &[]),
    el(13, "380", S, DR, 1, 15, &[]),
    el(14, "1034", S, ID, 1, 5, &[]),
    el(15, "782", S, DR, 1, 18, &[]),
    el(16, "380", S, DR, 1, 15, &[]),
    el(17, "1034", S, ID, 1, 5, &[]),
    el(18, "782", S, DR, 1, 18, &[]),
    el(19, "380", S, DR, 1, 15, &[]),
];

/// The elements of segment CL1, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const CL1_1: &[ElementRule] = &[
    el(1, "1315", S, ID, 1, 1, &[]),
    el(2, "1314", S, ID, 1, 1, &[]),
    el(3, "1352", R, ID, 1, 2, &[]),
    el(4, "1345", N, ID, 1, 1, &[]),
];

/// The elements of segment CLM, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const CLM_1: &[ElementRule] = &[
    el(1, "1028", R, AN, 1, 38, &[]),
    el(2, "782", R, DR, 1, 18, &[]),
    el(3, "1032", N, ID, 1, 2, &[]),
    el(4, "1343", N, ID, 1, 2, &[]),
    composite(5, "C023", R, C023_1),
    el(6, "1073", R, ID, 1, 1, &["N", "Y"]),
    el(7, "1359", R, ID, 1, 1, &["A", "B", "C"]),
    el(8, "1073", R, ID, 1, 1, &["N", "W", "Y"]),
    el(9, "1363", R, ID, 1, 1, &["I", "Y"]),
    el(10, "1351", S, ID, 1, 1, &["P"]),
    composite(11, "C024", S, C024_1),
    el(12, "1366", S, ID, 2, 3, &["02", "03", "05", "09"]),
    el(13, "1073", N, ID, 1, 1, &[]),
    el(14, "1338", N, ID, 1, 3, &[]),
    el(15, "1073", N, ID, 1, 1, &[]),
    el(16, "1360", N, ID, 1, 1, &[]),
    el(17, "1029", N, ID, 1, 2, &[]),
    el(18, "1073", N, ID, 1, 1, &[]),
    el(19, "1383", N, ID, 2, 2, &[]),
    el(20, "1514", S, ID, 1, 2, &["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "15"]),
];

/// The elements of segment CLM, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const CLM_2: &[ElementRule] = &[
    el(1, "1028", R, AN, 1, 38, &[]),
    el(2, "782", R, DR, 1, 18, &[]),
    el(3, "1032", N, ID, 1, 2, &[]),
    el(4, "1343", N, ID, 1, 2, &[]),
    composite(5, "C023", R, C023_2),
    el(6, "1073", N, ID, 1, 1, &[]),
    el(7, "1359", R, ID, 1, 1, &["A", "B", "C"]),
    el(8, "1073", R, ID, 1, 1, &["N", "W", "Y"]),
    el(9, "1363", R, ID, 1, 1, &["I", "Y"]),
    el(10, "1351", N, ID, 1, 1, &[]),
    composite(11, "C024", N, &[]),
    el(12, "1366", N, ID, 2, 3, &[]),
    el(13, "1073", N, ID, 1, 1, &[]),
    el(14, "1338", N, ID, 1, 3, &[]),
    el(15, "1073", N, ID, 1, 1, &[]),
    el(16, "1360", N, ID, 1, 1, &[]),
    el(17, "1029", N, ID, 1, 2, &[]),
    el(18, "1073", N, ID, 1, 1, &[]),
    el(19, "1383", N, ID, 2, 2, &[]),
    el(20, "1514", S, ID, 1, 2, &["1", "10", "11", "15", "2", "3", "4", "5", "6", "7", "8", "9"]),
];

/// The elements of segment CN1, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const CN1_1: &[ElementRule] = &[
    el(1, "1166", R, ID, 2, 2, &["01", "02", "03", "04", "05", "06", "09"]),
    el(2, "782", S, DR, 1, 18, &[]),
    el(3, "332", S, DR, 1, 6, &[]),
    el(4, "127", S, AN, 1, 50, &[]),
    el(5, "338", S, DR, 1, 6, &[]),
    el(6, "799", S, AN, 1, 30, &[]),
];

/// The elements of segment CR1, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const CR1_1: &[ElementRule] = &[
    el(1, "355", S, ID, 2, 2, &["LB"]),
    el(2, "81", S, DR, 1, 10, &[]),
    el(3, "1316", N, ID, 1, 1, &[]),
    el(4, "1317", R, ID, 1, 1, &["A", "B", "C", "D", "E"]),
    el(5, "355", R, ID, 2, 2, &["DH"]),
    el(6, "380", R, DR, 1, 15, &[]),
    el(7, "166", N, AN, 1, 55, &[]),
    el(8, "166", N, AN, 1, 55, &[]),
    el(9, "352", S, AN, 1, 80, &[]),
    el(10, "352", S, AN, 1, 80, &[]),
];

/// The elements of segment CR2, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const CR2_1: &[ElementRule] = &[
    el(1, "609", N, N0, 1, 9, &[]),
    el(2, "380", N, DR, 1, 15, &[]),
    el(3, "1367", N, ID, 2, 3, &[]),
    el(4, "1367", N, ID, 2, 3, &[]),
    el(5, "355", N, ID, 2, 2, &[]),
    el(6, "380", N, DR, 1, 15, &[]),
    el(7, "380", N, DR, 1, 15, &[]),
    el(8, "1342", R, ID, 1, 1, &["A", "C", "D", "E", "F", "G", "M"]),
    el(9, "1073", N, ID, 1, 1, &[]),
    el(10, "352", S, AN, 1, 80, &[]),
    el(11, "352", S, AN, 1, 80, &[]),
    el(12, "1073", N, ID, 1, 1, &[]),
];

/// The elements of segment CR3, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const CR3_1: &[ElementRule] = &[
    el(1, "1322", R, ID, 1, 1, &["I", "R", "S"]),
    el(2, "355", R, ID, 2, 2, &["MO"]),
    el(3, "380", R, DR, 1, 15, &[]),
    el(4, "1335", N, ID, 1, 1, &[]),
    el(5, "352", N, AN, 1, 80, &[]),
];

/// The elements of segment CRC, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const CRC_1: &[ElementRule] = &[
    el(1, "1136", R, ID, 2, 2, &["07"]),
    el(2, "1073", R, ID, 1, 1, &["N", "Y"]),
    el(3, "1321", R, ID, 2, 3, &["01", "04", "05", "06", "07", "08", "09", "12"]),
    el(4, "1321", S, ID, 2, 3, &["01", "04", "05", "06", "07", "08", "09", "12"]),
    el(5, "1321", S, ID, 2, 3, &["01", "04", "05", "06", "07", "08", "09", "12"]),
    el(6, "1321", S, ID, 2, 3, &["01", "04", "05", "06", "07", "08", "09", "12"]),
    el(7, "1321", S, ID, 2, 3, &["01", "04", "05", "06", "07", "08", "09", "12"]),
];

/// The elements of segment CRC, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const CRC_2: &[ElementRule] = &[
    el(1, "1136", R, ID, 2, 2, &["E1", "E2", "E3"]),
    el(2, "1073", R, ID, 1, 1, &["N", "Y"]),
    el(3, "1321", R, ID, 2, 3, &["L1", "L2", "L3", "L4", "L5"]),
    el(4, "1321", S, ID, 2, 3, &["L1", "L2", "L3", "L4", "L5"]),
    el(5, "1321", S, ID, 2, 3, &["L1", "L2", "L3", "L4", "L5"]),
    el(6, "1321", S, ID, 2, 3, &["L1", "L2", "L3", "L4", "L5"]),
    el(7, "1321", S, ID, 2, 3, &["L1", "L2", "L3", "L4", "L5"]),
];

/// The elements of segment CRC, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const CRC_3: &[ElementRule] = &[
    el(1, "1136", R, ID, 2, 2, &["75"]),
    el(2, "1073", R, ID, 1, 1, &["Y"]),
    el(3, "1321", R, ID, 2, 3, &["IH"]),
    el(4, "1321", N, ID, 2, 3, &[]),
    el(5, "1321", N, ID, 2, 3, &[]),
    el(6, "1321", N, ID, 2, 3, &[]),
    el(7, "1321", N, ID, 2, 3, &[]),
];

/// The elements of segment CRC, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const CRC_4: &[ElementRule] = &[
    el(1, "1136", R, ID, 2, 2, &["ZZ"]),
    el(2, "1073", R, ID, 1, 1, &["N", "Y"]),
    el(3, "1321", R, ID, 2, 3, &["AV", "NU", "S2", "ST"]),
    el(4, "1321", S, ID, 2, 3, &["AV", "NU", "S2", "ST"]),
    el(5, "1321", S, ID, 2, 3, &["AV", "NU", "S2", "ST"]),
    el(6, "1321", N, ID, 2, 3, &[]),
    el(7, "1321", N, ID, 2, 3, &[]),
];

/// The elements of segment CRC, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const CRC_5: &[ElementRule] = &[
    el(1, "1136", R, ID, 2, 2, &["70"]),
    el(2, "1073", R, ID, 1, 1, &["N", "Y"]),
    el(3, "1321", R, ID, 2, 3, &["65"]),
    el(4, "1321", N, ID, 2, 3, &[]),
    el(5, "1321", N, ID, 2, 3, &[]),
    el(6, "1321", N, ID, 2, 3, &[]),
    el(7, "1321", N, ID, 2, 3, &[]),
];

/// The elements of segment CRC, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const CRC_6: &[ElementRule] = &[
    el(1, "1136", R, ID, 2, 2, &["09"]),
    el(2, "1073", R, ID, 1, 1, &["N", "Y"]),
    el(3, "1321", R, ID, 2, 3, &["38", "ZV"]),
    el(4, "1321", S, ID, 2, 3, &["38", "ZV"]),
    el(5, "1321", N, ID, 2, 3, &["38", "ZV"]),
    el(6, "1321", N, ID, 2, 3, &["38", "ZV"]),
    el(7, "1321", N, ID, 2, 3, &["38", "ZV"]),
];

/// The elements of segment CRC, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const CRC_7: &[ElementRule] = &[
    el(1, "1136", R, ID, 2, 2, &["ZZ"]),
    el(2, "1073", R, ID, 1, 1, &["N", "Y"]),
    el(3, "1321", R, ID, 2, 3, &["AV", "NU", "S2", "ST"]),
    el(4, "1321", S, ID, 2, 3, &[]),
    el(5, "1321", S, ID, 2, 3, &[]),
    el(6, "1321", N, ID, 2, 3, &[]),
    el(7, "1321", N, ID, 2, 3, &[]),
];

/// The elements of segment CTP, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const CTP_1: &[ElementRule] = &[
    el(1, "687", N, ID, 2, 2, &[]),
    el(2, "236", N, ID, 3, 3, &[]),
    el(3, "212", N, DR, 1, 17, &[]),
    el(4, "380", R, DR, 1, 15, &[]),
    composite(5, "C001", R, C001_1),
    el(6, "648", N, ID, 3, 3, &[]),
    el(7, "649", N, DR, 1, 10, &[]),
    el(8, "782", N, DR, 1, 18, &[]),
    el(9, "639", N, ID, 2, 2, &[]),
    el(10, "499", N, AN, 1, 10, &[]),
    el(11, "289", N, N0, 1, 2, &[]),
];

/// The elements of segment CTX, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const CTX_1: &[ElementRule] = &[
    composite(1, "C998", R, C998_1),
    el(2, "721", R, ID, 2, 3, &[]),
    el(3, "719", R, N0, 1, 6, &[]),
    el(4, "447", S, AN, 1, 4, &[]),
    composite(5, "C030", S, C030_1),
    composite(6, "C999", S, C999_1),
];

/// The elements of segment CUR, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const CUR_1: &[ElementRule] = &[
    el(1, "98", R, ID, 2, 3, &["85"]),
    el(2, "100", R, ID, 3, 3, &[]),
    el(3, "280", N, DR, 4, 10, &[]),
    el(4, "98", N, ID, 2, 3, &[]),
    el(5, "100", N, ID, 3, 3, &[]),
    el(6, "669", N, ID, 3, 3, &[]),
    el(7, "374", N, ID, 3, 3, &[]),
    el(8, "373", N, DT, 8, 8, &[]),
    el(9, "337", N, TM, 4, 8, &[]),
    el(10, "374", N, ID, 3, 3, &[]),
    el(11, "373", N, DT, 8, 8, &[]),
    el(12, "337", N, TM, 4, 8, &[]),
    el(13, "374", N, ID, 3, 3, &[]),
    el(14, "373", N, DT, 8, 8, &[]),
    el(15, "337", N, TM, 4, 8, &[]),
    el(16, "374", N, ID, 3, 3, &[]),
    el(17, "373", N, DT, 8, 8, &[]),
    el(18, "337", N, TM, 4, 8, &[]),
    el(19, "374", N, ID, 3, 3, &[]),
    el(20, "373", N, DT, 8, 8, &[]),
    el(21, "337", N, TM, 4, 8, &[]),
];

/// The elements of segment DMG, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const DMG_1: &[ElementRule] = &[
    el(1, "1250", R, ID, 2, 3, &["D8"]),
    el(2, "1251", R, AN, 1, 35, &[]),
    el(3, "1068", R, ID, 1, 1, &["F", "M", "U"]),
    el(4, "1067", N, ID, 1, 1, &[]),
    composite(5, "C056", N, &[]),
    el(6, "1066", N, ID, 1, 2, &[]),
    el(7, "26", N, ID, 2, 3, &[]),
    el(8, "659", N, ID, 1, 2, &[]),
    el(9, "380", N, DR, 1, 15, &[]),
    el(10, "1270", N, ID, 1, 3, &[]),
    el(11, "1271", N, AN, 1, 30, &[]),
];

/// The elements of segment DTP, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const DTP_1: &[ElementRule] = &[
    el(1, "374", R, ID, 3, 3, &["431"]),
    el(2, "1250", R, ID, 2, 3, &["D8"]),
    el(3, "1251", R, AN, 1, 35, &[]),
];

/// The elements of segment DTP, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const DTP_10: &[ElementRule] = &[
    el(1, "374", R, ID, 3, 3, &["297"]),
    el(2, "1250", R, ID, 2, 3, &["D8"]),
    el(3, "1251", R, AN, 1, 35, &[]),
];

/// The elements of segment DTP, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const DTP_11: &[ElementRule] = &[
    el(1, "374", R, ID, 3, 3, &["296"]),
    el(2, "1250", R, ID, 2, 3, &["D8"]),
    el(3, "1251", R, AN, 1, 35, &[]),
];

/// The elements of segment DTP, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const DTP_12: &[ElementRule] = &[
    el(1, "374", R, ID, 3, 3, &["435"]),
    el(2, "1250", R, ID, 2, 3, &["D8"]),
    el(3, "1251", R, AN, 1, 35, &[]),
];

/// The elements of segment DTP, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const DTP_13: &[ElementRule] = &[
    el(1, "374", R, ID, 3, 3, &["096"]),
    el(2, "1250", R, ID, 2, 3, &["D8"]),
    el(3, "1251", R, AN, 1, 35, &[]),
];

/// The elements of segment DTP, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const DTP_14: &[ElementRule] = &[
    el(1, "374", R, ID, 3, 3, &["090", "091"]),
    el(2, "1250", R, ID, 2, 3, &["D8"]),
    el(3, "1251", R, AN, 1, 35, &[]),
];

/// The elements of segment DTP, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const DTP_15: &[ElementRule] = &[
    el(1, "374", R, ID, 3, 3, &["444"]),
    el(2, "1250", R, ID, 2, 3, &["D8"]),
    el(3, "1251", R, AN, 1, 35, &[]),
];

/// The elements of segment DTP, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const DTP_16: &[ElementRule] = &[
    el(1, "374", R, ID, 3, 3, &["050"]),
    el(2, "1250", R, ID, 2, 3, &["D8"]),
    el(3, "1251", R, AN, 1, 35, &[]),
];

/// The elements of segment DTP, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const DTP_17: &[ElementRule] = &[
    el(1, "374", R, ID, 3, 3, &["573"]),
    el(2, "1250", R, ID, 2, 3, &["D8"]),
    el(3, "1251", R, AN, 1, 35, &[]),
];

/// The elements of segment DTP, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const DTP_18: &[ElementRule] = &[
    el(1, "374", R, ID, 3, 3, &["472"]),
    el(2, "1250", R, ID, 2, 3, &["D8", "RD8"]),
    el(3, "1251", R, AN, 1, 35, &[]),
];

/// The elements of segment DTP, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const DTP_19: &[ElementRule] = &[
    el(1, "374", R, ID, 3, 3, &["607"]),
    el(2, "1250", R, ID, 2, 3, &["D8"]),
    el(3, "1251", R, AN, 1, 35, &[]),
];

/// The elements of segment DTP, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const DTP_2: &[ElementRule] = &[
    el(1, "374", R, ID, 3, 3, &["454"]),
    el(2, "1250", R, ID, 2, 3, &["D8"]),
    el(3, "1251", R, AN, 1, 35, &[]),
];

/// The elements of segment DTP, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const DTP_20: &[ElementRule] = &[
    el(1, "374", R, ID, 3, 3, &["463"]),
    el(2, "1250", R, ID, 2, 3, &["D8"]),
    el(3, "1251", R, AN, 1, 35, &[]),
];

/// The elements of segment DTP, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const DTP_21: &[ElementRule] = &[
    el(1, "374", R, ID, 3, 3, &["461"]),
    el(2, "1250", R, ID, 2, 3, &["D8"]),
    el(3, "1251", R, AN, 1, 35, &[]),
];

/// The elements of segment DTP, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const DTP_22: &[ElementRule] = &[
    el(1, "374", R, ID, 3, 3, &["738", "739"]),
    el(2, "1250", R, ID, 2, 3, &["D8"]),
    el(3, "1251", R, AN, 1, 35, &[]),
];

/// The elements of segment DTP, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const DTP_23: &[ElementRule] = &[
    el(1, "374", R, ID, 3, 3, &["011"]),
    el(2, "1250", R, ID, 2, 3, &["D8"]),
    el(3, "1251", R, AN, 1, 35, &[]),
];

/// The elements of segment DTP, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const DTP_24: &[ElementRule] = &[
    el(1, "374", R, ID, 3, 3, &["096"]),
    el(2, "1250", R, ID, 2, 3, &["TM"]),
    el(3, "1251", R, AN, 1, 35, &[]),
];

/// The elements of segment DTP, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const DTP_25: &[ElementRule] = &[
    el(1, "374", R, ID, 3, 3, &["434"]),
    el(2, "1250", R, ID, 2, 3, &["RD8"]),
    el(3, "1251", R, AN, 1, 35, &[]),
];

/// The elements of segment DTP, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const DTP_26: &[ElementRule] = &[
    el(1, "374", R, ID, 3, 3, &["435"]),
    el(2, "1250", R, ID, 2, 3, &["D8", "DT"]),
    el(3, "1251", R, AN, 1, 35, &[]),
];

/// The elements of segment DTP, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const DTP_3: &[ElementRule] = &[
    el(1, "374", R, ID, 3, 3, &["304"]),
    el(2, "1250", R, ID, 2, 3, &["D8"]),
    el(3, "1251", R, AN, 1, 35, &[]),
];

/// The elements of segment DTP, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const DTP_4: &[ElementRule] = &[
    el(1, "374", R, ID, 3, 3, &["453"]),
    el(2, "1250", R, ID, 2, 3, &["D8"]),
    el(3, "1251", R, AN, 1, 35, &[]),
];

/// The elements of segment DTP, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const DTP_5: &[ElementRule] = &[
    el(1, "374", R, ID, 3, 3, &["439"]),
    el(2, "1250", R, ID, 2, 3, &["D8"]),
    el(3, "1251", R, AN, 1, 35, &[]),
];

/// The elements of segment DTP, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const DTP_6: &[ElementRule] = &[
    el(1, "374", R, ID, 3, 3, &["484"]),
    el(2, "1250", R, ID, 2, 3, &["D8"]),
    el(3, "1251", R, AN, 1, 35, &[]),
];

/// The elements of segment DTP, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const DTP_7: &[ElementRule] = &[
    el(1, "374", R, ID, 3, 3, &["455"]),
    el(2, "1250", R, ID, 2, 3, &["D8"]),
    el(3, "1251", R, AN, 1, 35, &[]),
];

/// The elements of segment DTP, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const DTP_8: &[ElementRule] = &[
    el(1, "374", R, ID, 3, 3, &["471"]),
    el(2, "1250", R, ID, 2, 3, &["D8"]),
    el(3, "1251", R, AN, 1, 35, &[]),
];

/// The elements of segment DTP, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const DTP_9: &[ElementRule] = &[
    el(1, "374", R, ID, 3, 3, &["314", "360", "361"]),
    el(2, "1250", R, ID, 2, 3, &["D8", "RD8"]),
    el(3, "1251", R, AN, 1, 35, &[]),
];

/// The elements of segment FRM, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const FRM_1: &[ElementRule] = &[
    el(1, "350", R, AN, 1, 20, &[]),
    el(2, "1073", S, ID, 1, 1, &["N", "W", "Y"]),
    el(3, "127", S, AN, 1, 50, &[]),
    el(4, "373", S, DT, 8, 8, &[]),
    el(5, "332", S, DR, 1, 6, &[]),
];

/// The elements of segment HCP, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const HCP_1: &[ElementRule] = &[
    el(1, "1473", R, ID, 2, 2, &["00", "01", "02", "03", "04", "05", "07", "08", "09", "10", "11", "12", "13", "14"]),
    el(2, "782", R, DR, 1, 18, &[]),
    el(3, "782", S, DR, 1, 18, &[]),
    el(4, "127", S, AN, 1, 50, &[]),
    el(5, "118", S, DR, 1, 9, &[]),
    el(6, "127", S, AN, 1, 50, &[]),
    el(7, "782", S, DR, 1, 18, &[]),
    el(8, "234", N, AN, 1, 48, &[]),
    el(9, "235", N, ID, 2, 2, &[]),
    el(10, "234", N, AN, 1, 48, &[]),
    el(11, "355", N, ID, 2, 2, &[]),
    el(12, "380", N, DR, 1, 15, &[]),
    el(13, "901", S, ID, 2, 2, &["T1", "T2", "T3", "T4", "T5", "T6"]),
    el(14, "1526", S, ID, 1, 2, &["1", "2", "3", "4", "5"]),
    el(15, "1527", S, ID, 1, 2, &["1", "2", "3", "4", "5", "6"]),
];

/// The elements of segment HCP, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const HCP_2: &[ElementRule] = &[
    el(1, "1473", R, ID, 2, 2, &["00", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14"]),
    el(2, "782", R, DR, 1, 18, &[]),
    el(3, "782", S, DR, 1, 18, &[]),
    el(4, "127", S, AN, 1, 50, &[]),
    el(5, "118", S, DR, 1, 9, &[]),
    el(6, "127", S, AN, 1, 50, &[]),
    el(7, "782", S, DR, 1, 18, &[]),
    el(8, "234", N, AN, 1, 48, &[]),
    el(9, "235", S, ID, 2, 2, &["ER", "HC", "IV", "WK"]),
    el(10, "234", S, AN, 1, 48, &[]),
    el(11, "355", S, ID, 2, 2, &["MJ", "UN"]),
    el(12, "380", S, DR, 1, 15, &[]),
    el(13, "901", S, ID, 2, 2, &["T1", "T2", "T3", "T4", "T5", "T6"]),
    el(14, "1526", S, ID, 1, 2, &["1", "2", "3", "4", "5"]),
    el(15, "1527", S, ID, 1, 2, &["1", "2", "3", "4", "5", "6"]),
];

/// The elements of segment HCP, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const HCP_3: &[ElementRule] = &[
    el(1, "1473", R, ID, 2, 2, &["00", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14"]),
    el(2, "782", R, DR, 1, 18, &[]),
    el(3, "782", S, DR, 1, 18, &[]),
    el(4, "127", S, AN, 1, 50, &[]),
    el(5, "118", S, DR, 1, 9, &[]),
    el(6, "127", S, AN, 1, 50, &[]),
    el(7, "782", S, DR, 1, 18, &[]),
    el(8, "234", S, AN, 1, 48, &[]),
    el(9, "235", N, ID, 2, 2, &[]),
    el(10, "234", N, AN, 1, 48, &[]),
    el(11, "355", S, ID, 2, 2, &["DA", "UN"]),
    el(12, "380", S, DR, 1, 15, &[]),
    el(13, "901", S, ID, 2, 2, &["T1", "T2", "T3", "T4", "T5", "T6"]),
    el(14, "1526", S, ID, 1, 2, &["1", "2", "3", "4", "5"]),
    el(15, "1527", S, ID, 1, 2, &["1", "2", "3", "4", "5", "6"]),
];

/// The elements of segment HCP, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const HCP_4: &[ElementRule] = &[
    el(1, "1473", R, ID, 2, 2, &["00", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14"]),
    el(2, "782", R, DR, 1, 18, &[]),
    el(3, "782", S, DR, 1, 18, &[]),
    el(4, "127", S, AN, 1, 50, &[]),
    el(5, "118", S, DR, 1, 9, &[]),
    el(6, "127", S, AN, 1, 50, &[]),
    el(7, "782", S, DR, 1, 18, &[]),
    el(8, "234", S, AN, 1, 48, &[]),
    el(9, "235", S, ID, 2, 2, &["ER", "HC", "HP", "IV", "WK"]),
    el(10, "234", S, AN, 1, 48, &[]),
    el(11, "355", S, ID, 2, 2, &["DA", "UN"]),
    el(12, "380", S, DR, 1, 15, &[]),
    el(13, "901", S, ID, 2, 2, &["T1", "T2", "T3", "T4", "T5", "T6"]),
    el(14, "1526", S, ID, 1, 2, &["1", "2", "3", "4", "5"]),
    el(15, "1527", S, ID, 1, 2, &["1", "2", "3", "4", "5", "6"]),
];

/// The elements of segment HI, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const HI_1: &[ElementRule] = &[
    composite(1, "C022", R, C022_1),
    composite(2, "C022", S, C022_2),
    composite(3, "C022", S, C022_2),
    composite(4, "C022", S, C022_2),
    composite(5, "C022", S, C022_2),
    composite(6, "C022", S, C022_2),
    composite(7, "C022", S, C022_2),
    composite(8, "C022", S, C022_2),
    composite(9, "C022", S, C022_2),
    composite(10, "C022", S, C022_2),
    composite(11, "C022", S, C022_2),
    composite(12, "C022", S, C022_2),
];

/// The elements of segment HI, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const HI_10: &[ElementRule] = &[
    composite(1, "C022", R, C022_12),
    composite(2, "C022", N, &[]),
    composite(3, "C022", N, &[]),
    composite(4, "C022", N, &[]),
    composite(5, "C022", N, &[]),
    composite(6, "C022", N, &[]),
    composite(7, "C022", N, &[]),
    composite(8, "C022", N, &[]),
    composite(9, "C022", N, &[]),
    composite(10, "C022", N, &[]),
    composite(11, "C022", N, &[]),
    composite(12, "C022", N, &[]),
];

/// The elements of segment HI, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const HI_11: &[ElementRule] = &[
    composite(1, "C022", R, C022_13),
    composite(2, "C022", S, C022_13),
    composite(3, "C022", S, C022_13),
    composite(4, "C022", S, C022_13),
    composite(5, "C022", S, C022_13),
    composite(6, "C022", S, C022_13),
    composite(7, "C022", S, C022_13),
    composite(8, "C022", S, C022_13),
    composite(9, "C022", S, C022_13),
    composite(10, "C022", S, C022_13),
    composite(11, "C022", S, C022_13),
    composite(12, "C022", S, C022_13),
];

/// The elements of segment HI, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const HI_12: &[ElementRule] = &[
    composite(1, "C022", R, C022_14),
    composite(2, "C022", S, C022_14),
    composite(3, "C022", S, C022_14),
    composite(4, "C022", S, C022_14),
    composite(5, "C022", S, C022_14),
    composite(6, "C022", S, C022_14),
    composite(7, "C022", S, C022_14),
    composite(8, "C022", S, C022_14),
    composite(9, "C022", S, C022_14),
    composite(10, "C022", S, C022_14),
    composite(11, "C022", S, C022_14),
    composite(12, "C022", S, C022_14),
];

/// The elements of segment HI, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const HI_13: &[ElementRule] = &[
    composite(1, "C022", R, C022_15),
    composite(2, "C022", S, C022_15),
    composite(3, "C022", S, C022_15),
    composite(4, "C022", S, C022_15),
    composite(5, "C022", S, C022_15),
    composite(6, "C022", S, C022_15),
    composite(7, "C022", S, C022_15),
    composite(8, "C022", S, C022_15),
    composite(9, "C022", S, C022_15),
    composite(10, "C022", S, C022_15),
    composite(11, "C022", S, C022_15),
    composite(12, "C022", S, C022_15),
];

/// The elements of segment HI, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const HI_14: &[ElementRule] = &[
    composite(1, "C022", R, C022_16),
    composite(2, "C022", S, C022_16),
    composite(3, "C022", S, C022_16),
    composite(4, "C022", S, C022_16),
    composite(5, "C022", S, C022_16),
    composite(6, "C022", S, C022_16),
    composite(7, "C022", S, C022_16),
    composite(8, "C022", S, C022_16),
    composite(9, "C022", S, C022_16),
    composite(10, "C022", S, C022_16),
    composite(11, "C022", S, C022_16),
    composite(12, "C022", S, C022_16),
];

/// The elements of segment HI, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const HI_15: &[ElementRule] = &[
    composite(1, "C022", R, C022_17),
    composite(2, "C022", S, C022_17),
    composite(3, "C022", S, C022_17),
    composite(4, "C022", S, C022_17),
    composite(5, "C022", S, C022_17),
    composite(6, "C022", S, C022_17),
    composite(7, "C022", S, C022_17),
    composite(8, "C022", S, C022_17),
    composite(9, "C022", S, C022_17),
    composite(10, "C022", S, C022_17),
    composite(11, "C022", S, C022_17),
    composite(12, "C022", S, C022_17),
];

/// The elements of segment HI, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const HI_2: &[ElementRule] = &[
    composite(1, "C022", R, C022_3),
    composite(2, "C022", S, C022_4),
    composite(3, "C022", N, &[]),
    composite(4, "C022", N, &[]),
    composite(5, "C022", N, &[]),
    composite(6, "C022", N, &[]),
    composite(7, "C022", N, &[]),
    composite(8, "C022", N, &[]),
    composite(9, "C022", N, &[]),
    composite(10, "C022", N, &[]),
    composite(11, "C022", N, &[]),
    composite(12, "C022", N, &[]),
];

/// The elements of segment HI, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const HI_3: &[ElementRule] = &[
    composite(1, "C022", R, C022_5),
    composite(2, "C022", S, C022_5),
    composite(3, "C022", S, C022_5),
    composite(4, "C022", S, C022_5),
    composite(5, "C022", S, C022_5),
    composite(6, "C022", S, C022_5),
    composite(7, "C022", S, C022_5),
    composite(8, "C022", S, C022_5),
    composite(9, "C022", S, C022_5),
    composite(10, "C022", S, C022_5),
    composite(11, "C022", S, C022_5),
    composite(12, "C022", S, C022_5),
];

/// The elements of segment HI, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const HI_4: &[ElementRule] = &[
    composite(1, "C022", R, C022_6),
    composite(2, "C022", N, &[]),
    composite(3, "C022", N, &[]),
    composite(4, "C022", N, &[]),
    composite(5, "C022", N, &[]),
    composite(6, "C022", N, &[]),
    composite(7, "C022", N, &[]),
    composite(8, "C022", N, &[]),
    composite(9, "C022", N, &[]),
    composite(10, "C022", N, &[]),
    composite(11, "C022", N, &[]),
    composite(12, "C022", N, &[]),
];

/// The elements of segment HI, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const HI_5: &[ElementRule] = &[
    composite(1, "C022", R, C022_7),
    composite(2, "C022", N, &[]),
    composite(3, "C022", N, &[]),
    composite(4, "C022", N, &[]),
    composite(5, "C022", N, &[]),
    composite(6, "C022", N, &[]),
    composite(7, "C022", N, &[]),
    composite(8, "C022", N, &[]),
    composite(9, "C022", N, &[]),
    composite(10, "C022", N, &[]),
    composite(11, "C022", N, &[]),
    composite(12, "C022", N, &[]),
];

/// The elements of segment HI, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const HI_6: &[ElementRule] = &[
    composite(1, "C022", R, C022_8),
    composite(2, "C022", S, C022_8),
    composite(3, "C022", S, C022_8),
    composite(4, "C022", N, &[]),
    composite(5, "C022", N, &[]),
    composite(6, "C022", N, &[]),
    composite(7, "C022", N, &[]),
    composite(8, "C022", N, &[]),
    composite(9, "C022", N, &[]),
    composite(10, "C022", N, &[]),
    composite(11, "C022", N, &[]),
    composite(12, "C022", N, &[]),
];

/// The elements of segment HI, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const HI_7: &[ElementRule] = &[
    composite(1, "C022", R, C022_9),
    composite(2, "C022", S, C022_9),
    composite(3, "C022", S, C022_9),
    composite(4, "C022", S, C022_9),
    composite(5, "C022", S, C022_9),
    composite(6, "C022", S, C022_9),
    composite(7, "C022", S, C022_9),
    composite(8, "C022", S, C022_9),
    composite(9, "C022", S, C022_9),
    composite(10, "C022", S, C022_9),
    composite(11, "C022", S, C022_9),
    composite(12, "C022", S, C022_9),
];

/// The elements of segment HI, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const HI_8: &[ElementRule] = &[
    composite(1, "C022", R, C022_10),
    composite(2, "C022", N, &[]),
    composite(3, "C022", N, &[]),
    composite(4, "C022", N, &[]),
    composite(5, "C022", N, &[]),
    composite(6, "C022", N, &[]),
    composite(7, "C022", N, &[]),
    composite(8, "C022", N, &[]),
    composite(9, "C022", N, &[]),
    composite(10, "C022", N, &[]),
    composite(11, "C022", N, &[]),
    composite(12, "C022", N, &[]),
];

/// The elements of segment HI, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const HI_9: &[ElementRule] = &[
    composite(1, "C022", R, C022_11),
    composite(2, "C022", S, C022_11),
    composite(3, "C022", S, C022_11),
    composite(4, "C022", S, C022_11),
    composite(5, "C022", S, C022_11),
    composite(6, "C022", S, C022_11),
    composite(7, "C022", S, C022_11),
    composite(8, "C022", S, C022_11),
    composite(9, "C022", S, C022_11),
    composite(10, "C022", S, C022_11),
    composite(11, "C022", S, C022_11),
    composite(12, "C022", S, C022_11),
];

/// The elements of segment HL, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const HL_1: &[ElementRule] = &[
    el(1, "628", R, AN, 1, 12, &[]),
    el(2, "734", N, AN, 1, 12, &[]),
    el(3, "735", R, ID, 1, 2, &["20"]),
    el(4, "736", R, ID, 1, 1, &["1"]),
];

/// The elements of segment HL, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const HL_2: &[ElementRule] = &[
    el(1, "628", R, AN, 1, 12, &[]),
    el(2, "734", R, AN, 1, 12, &[]),
    el(3, "735", R, ID, 1, 2, &["22"]),
    el(4, "736", R, ID, 1, 1, &["0", "1"]),
];

/// The elements of segment HL, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const HL_3: &[ElementRule] = &[
    el(1, "628", R, AN, 1, 12, &[]),
    el(2, "734", R, AN, 1, 12, &[]),
    el(3, "735", R, ID, 1, 2, &["23"]),
    el(4, "736", R, ID, 1, 1, &["0"]),
];

/// The elements of segment K3, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const K3_1: &[ElementRule] = &[
    el(1, "449", R, AN, 1, 80, &[]),
    el(2, "1333", N, ID, 1, 2, &[]),
    composite(3, "C001", N, &[]),
];

/// The elements of segment LIN, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const LIN_1: &[ElementRule] = &[
    el(1, "350", N, AN, 1, 20, &[]),
    el(2, "235", R, ID, 2, 2, &["EN", "EO", "HI", "N4", "ON", "UK", "UP"]),
    el(3, "234", R, AN, 1, 48, &[]),
    el(4, "235", N, ID, 2, 2, &[]),
    el(5, "234", N, AN, 1, 48, &[]),
    el(6, "235", N, ID, 2, 2, &[]),
    el(7, "234", N, AN, 1, 48, &[]),
    el(8, "235", N, ID, 2, 2, &[]),
    el(9, "234", N, AN, 1, 48, &[]),
    el(10, "235", N, ID, 2, 2, &[]),
    el(11, "234", N, AN, 1, 48, &[]),
    el(12, "235", N, ID, 2, 2, &[]),
    el(13, "234", N, AN, 1, 48, &[]),
    el(14, "235", N, ID, 2, 2, &[]),
    el(15, "234", N, AN, 1, 48, &[]),
    el(16, "235", N, ID, 2, 2, &[]),
    el(17, "234", N, AN, 1, 48, &[]),
    el(18, "235", N, ID, 2, 2, &[]),
    el(19, "234", N, AN, 1, 48, &[]),
    el(20, "235", N, ID, 2, 2, &[]),
    el(21, "234", N, AN, 1, 48, &[]),
    el(22, "235", N, ID, 2, 2, &[]),
    el(23, "234", N, AN, 1, 48, &[]),
    el(24, "235", N, ID, 2, 2, &[]),
    el(25, "234", N, AN, 1, 48, &[]),
    el(26, "235", N, ID, 2, 2, &[]),
    el(27, "234", N, AN, 1, 48, &[]),
    el(28, "235", N, ID, 2, 2, &[]),
    el(29, "234", N, AN, 1, 48, &[]),
    el(30, "235", N, ID, 2, 2, &[]),
    el(31, "234", N, AN, 1, 48, &[]),
];

/// The elements of segment LIN, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const LIN_2: &[ElementRule] = &[
    el(1, "350", N, AN, 1, 20, &[]),
    el(2, "235", R, ID, 2, 2, &["N4"]),
    el(3, "234", R, AN, 1, 48, &[]),
    el(4, "235", N, ID, 2, 2, &[]),
    el(5, "234", N, AN, 1, 48, &[]),
    el(6, "235", N, ID, 2, 2, &[]),
    el(7, "234", N, AN, 1, 48, &[]),
    el(8, "235", N, ID, 2, 2, &[]),
    el(9, "234", N, AN, 1, 48, &[]),
    el(10, "235", N, ID, 2, 2, &[]),
    el(11, "234", N, AN, 1, 48, &[]),
    el(12, "235", N, ID, 2, 2, &[]),
    el(13, "234", N, AN, 1, 48, &[]),
    el(14, "235", N, ID, 2, 2, &[]),
    el(15, "234", N, AN, 1, 48, &[]),
    el(16, "235", N, ID, 2, 2, &[]),
    el(17, "234", N, AN, 1, 48, &[]),
    el(18, "235", N, ID, 2, 2, &[]),
    el(19, "234", N, AN, 1, 48, &[]),
    el(20, "235", N, ID, 2, 2, &[]),
    el(21, "234", N, AN, 1, 48, &[]),
    el(22, "235", N, ID, 2, 2, &[]),
    el(23, "234", N, AN, 1, 48, &[]),
    el(24, "235", N, ID, 2, 2, &[]),
    el(25, "234", N, AN, 1, 48, &[]),
    el(26, "235", N, ID, 2, 2, &[]),
    el(27, "234", N, AN, 1, 48, &[]),
    el(28, "235", N, ID, 2, 2, &[]),
    el(29, "234", N, AN, 1, 48, &[]),
    el(30, "235", N, ID, 2, 2, &[]),
    el(31, "234", N, AN, 1, 48, &[]),
];

/// The elements of segment LQ, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const LQ_1: &[ElementRule] = &[
    el(1, "1270", R, ID, 1, 3, &["AS", "UT"]),
    el(2, "1271", R, AN, 1, 30, &[]),
];

/// The elements of segment LX, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const LX_1: &[ElementRule] = &[
    el(1, "554", R, N0, 1, 6, &[]),
];

/// The elements of segment MEA, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const MEA_1: &[ElementRule] = &[
    el(1, "737", R, ID, 2, 2, &["OG", "TR"]),
    el(2, "738", R, ID, 1, 3, &["HT", "R1", "R2", "R3", "R4"]),
    el(3, "739", R, DR, 1, 20, &[]),
    composite(4, "C001", N, &[]),
    el(5, "740", N, DR, 1, 20, &[]),
    el(6, "741", N, DR, 1, 20, &[]),
    el(7, "935", N, ID, 2, 2, &[]),
    el(8, "936", N, ID, 2, 2, &[]),
    el(9, "752", N, ID, 2, 2, &[]),
    el(10, "1373", N, ID, 2, 4, &[]),
    el(11, "1270", N, ID, 1, 3, &[]),
    el(12, "1271", N, AN, 1, 30, &[]),
];

/// The elements of segment MIA, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const MIA_1: &[ElementRule] = &[
    el(1, "380", R, DR, 1, 15, &[]),
    el(2, "782", N, DR, 1, 18, &[]),
    el(3, "380", S, DR, 1, 15, &[]),
    el(4, "782", S, DR, 1, 18, &[]),
    el(5, "127", S, AN, 1, 50, &[]),
    el(6, "782", S, DR, 1, 18, &[]),
    el(7, "782", S, DR, 1, 18, &[]),
    el(8, "782", S, DR, 1, 18, &[]),
    el(9, "782", S, DR, 1, 18, &[]),
    el(10, "782", S, DR, 1, 18, &[]),
    el(11, "782", S, DR, 1, 18, &[]),
    el(12, "782", S, DR, 1, 18, &[]),
    el(13, "782", S, DR, 1, 18, &[]),
    el(14, "782", S, DR, 1, 18, &[]),
    el(15, "380", S, DR, 1, 15, &[]),
    el(16, "782", S, DR, 1, 18, &[]),
    el(17, "782", S, DR, 1, 18, &[]),
    el(18, "782", S, DR, 1, 18, &[]),
    el(19, "782", S, DR, 1, 18, &[]),
    el(20, "127", S, AN, 1, 50, &[]),
    el(21, "127", S, AN, 1, 50, &[]),
    el(22, "127", S, AN, 1, 50, &[]),
    el(23, "127", S, AN, 1, 50, &[]),
    el(24, "782", S, DR, 1, 18, &[]),
];

/// The elements of segment MOA, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const MOA_1: &[ElementRule] = &[
    el(1, "954", S, DR, 1, 10, &[]),
    el(2, "782", S, DR, 1, 18, &[]),
    el(3, "127", S, AN, 1, 50, &[]),
    el(4, "127", S, AN, 1, 50, &[]),
    el(5, "127", S, AN, 1, 50, &[]),
    el(6, "127", S, AN, 1, 50, &[]),
    el(7, "127", S, AN, 1, 50, &[]),
    el(8, "782", S, DR, 1, 18, &[]),
    el(9, "782", S, DR, 1, 18, &[]),
];

/// The elements of segment N3, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const N3_1: &[ElementRule] = &[
    el(1, "166", R, AN, 1, 55, &[]),
    el(2, "166", S, AN, 1, 55, &[]),
];

/// The elements of segment N4, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const N4_1: &[ElementRule] = &[
    el(1, "19", R, AN, 2, 30, &[]),
    el(2, "156", S, ID, 2, 2, &[]),
    el(3, "116", S, ID, 3, 15, &[]),
    el(4, "26", S, ID, 2, 3, &[]),
    el(5, "309", N, ID, 1, 2, &[]),
    el(6, "310", N, AN, 1, 30, &[]),
    el(7, "1715", S, ID, 1, 3, &[]),
];

/// The elements of segment NM1, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const NM1_1: &[ElementRule] = &[
    el(1, "98", R, ID, 2, 3, &["41"]),
    el(2, "1065", R, ID, 1, 1, &["1", "2"]),
    el(3, "1035", R, AN, 1, 60, &[]),
    el(4, "1036", S, AN, 1, 35, &[]),
    el(5, "1037", S, AN, 1, 25, &[]),
    el(6, "1038", N, AN, 1, 10, &[]),
    el(7, "1039", N, AN, 1, 10, &[]),
    el(8, "66", R, ID, 1, 2, &["46"]),
    el(9, "67", R, AN, 2, 80, &[]),
    el(10, "706", N, ID, 2, 2, &[]),
    el(11, "98", N, ID, 2, 3, &[]),
    el(12, "1035", N, AN, 1, 60, &[]),
];

/// The elements of segment NM1, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const NM1_10: &[ElementRule] = &[
    el(1, "98", R, ID, 2, 3, &["PW"]),
    el(2, "1065", R, ID, 1, 1, &["2"]),
    el(3, "1035", N, AN, 1, 60, &[]),
    el(4, "1036", N, AN, 1, 35, &[]),
    el(5, "1037", N, AN, 1, 25, &[]),
    el(6, "1038", N, AN, 1, 10, &[]),
    el(7, "1039", N, AN, 1, 10, &[]),
    el(8, "66", N, ID, 1, 2, &[]),
    el(9, "67", N, AN, 2, 80, &[]),
    el(10, "706", N, ID, 2, 2, &[]),
    el(11, "98", N, ID, 2, 3, &[]),
    el(12, "1035", N, AN, 1, 60, &[]),
];

/// The elements of segment NM1, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const NM1_11: &[ElementRule] = &[
    el(1, "98", R, ID, 2, 3, &["45"]),
    el(2, "1065", R, ID, 1, 1, &["2"]),
    el(3, "1035", S, AN, 1, 60, &[]),
    el(4, "1036", N, AN, 1, 35, &[]),
    el(5, "1037", N, AN, 1, 25, &[]),
    el(6, "1038", N, AN, 1, 10, &[]),
    el(7, "1039", N, AN, 1, 10, &[]),
    el(8, "66", N, ID, 1, 2, &[]),
    el(9, "67", N, AN, 2, 80, &[]),
    el(10, "706", N, ID, 2, 2, &[]),
    el(11, "98", N, ID, 2, 3, &[]),
    el(12, "1035", N, AN, 1, 60, &[]),
];

/// The elements of segment NM1, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const NM1_12: &[ElementRule] = &[
    el(1, "98", R, ID, 2, 3, &["DN", "P3"]),
    el(2, "1065", R, ID, 1, 1, &["1"]),
    el(3, "1035", N, AN, 1, 60, &[]),
    el(4, "1036", N, AN, 1, 35, &[]),
    el(5, "1037", N, AN, 1, 25, &[]),
    el(6, "1038", N, AN, 1, 10, &[]),
    el(7, "1039", N, AN, 1, 10, &[]),
    el(8, "66", N, ID, 1, 2, &[]),
    el(9, "67", N, AN, 2, 80, &[]),
    el(10, "706", N, ID, 2, 2, &[]),
    el(11, "98", N, ID, 2, 3, &[]),
    el(12, "1035", N, AN, 1, 60, &[]),
];

/// The elements of segment NM1, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const NM1_13: &[ElementRule] = &[
    el(1, "98", R, ID, 2, 3, &["82"]),
    el(2, "1065", R, ID, 1, 1, &["1", "2"]),
    el(3, "1035", N, AN, 1, 60, &[]),
    el(4, "1036", N, AN, 1, 35, &[]),
    el(5, "1037", N, AN, 1, 25, &[]),
    el(6, "1038", N, AN, 1, 10, &[]),
    el(7, "1039", N, AN, 1, 10, &[]),
    el(8, "66", N, ID, 1, 2, &[]),
    el(9, "67", N, AN, 2, 80, &[]),
    el(10, "706", N, ID, 2, 2, &[]),
    el(11, "98", N, ID, 2, 3, &[]),
    el(12, "1035", N, AN, 1, 60, &[]),
];

/// The elements of segment NM1, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const NM1_14: &[ElementRule] = &[
    el(1, "98", R, ID, 2, 3, &["77"]),
    el(2, "1065", R, ID, 1, 1, &["2"]),
    el(3, "1035", N, AN, 1, 60, &[]),
    el(4, "1036", N, AN, 1, 35, &[]),
    el(5, "1037", N, AN, 1, 25, &[]),
    el(6, "1038", N, AN, 1, 10, &[]),
    el(7, "1039", N, AN, 1, 10, &[]),
    el(8, "66", N, ID, 1, 2, &[]),
    el(9, "67", N, AN, 2, 80, &[]),
    el(10, "706", N, ID, 2, 2, &[]),
    el(11, "98", N, ID, 2, 3, &[]),
    el(12, "1035", N, AN, 1, 60, &[]),
];

/// The elements of segment NM1, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const NM1_15: &[ElementRule] = &[
    el(1, "98", R, ID, 2, 3, &["DQ"]),
    el(2, "1065", R, ID, 1, 1, &["1"]),
    el(3, "1035", N, AN, 1, 60, &[]),
    el(4, "1036", N, AN, 1, 35, &[]),
    el(5, "1037", N, AN, 1, 25, &[]),
    el(6, "1038", N, AN, 1, 10, &[]),
    el(7, "1039", N, AN, 1, 10, &[]),
    el(8, "66", N, ID, 1, 2, &[]),
    el(9, "67", N, AN, 2, 80, &[]),
    el(10, "706", N, ID, 2, 2, &[]),
    el(11, "98", N, ID, 2, 3, &[]),
    el(12, "1035", N, AN, 1, 60, &[]),
];

/// The elements of segment NM1, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const NM1_16: &[ElementRule] = &[
    el(1, "98", R, ID, 2, 3, &["85"]),
    el(2, "1065", R, ID, 1, 1, &["1", "2"]),
    el(3, "1035", N, AN, 1, 60, &[]),
    el(4, "1036", N, AN, 1, 35, &[]),
    el(5, "1037", N, AN, 1, 25, &[]),
    el(6, "1038", N, AN, 1, 10, &[]),
    el(7, "1039", N, AN, 1, 10, &[]),
    el(8, "66", N, ID, 1, 2, &[]),
    el(9, "67", N, AN, 2, 80, &[]),
    el(10, "706", N, ID, 2, 2, &[]),
    el(11, "98", N, ID, 2, 3, &[]),
    el(12, "1035", N, AN, 1, 60, &[]),
];

/// The elements of segment NM1, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const NM1_17: &[ElementRule] = &[
    el(1, "98", R, ID, 2, 3, &["QB"]),
    el(2, "1065", R, ID, 1, 1, &["1", "2"]),
    el(3, "1035", N, AN, 1, 60, &[]),
    el(4, "1036", N, AN, 1, 35, &[]),
    el(5, "1037", N, AN, 1, 25, &[]),
    el(6, "1038", N, AN, 1, 10, &[]),
    el(7, "1039", N, AN, 1, 10, &[]),
    el(8, "66", S, ID, 1, 2, &["XX"]),
    el(9, "67", S, AN, 2, 80, &[]),
    el(10, "706", N, ID, 2, 2, &[]),
    el(11, "98", N, ID, 2, 3, &[]),
    el(12, "1035", N, AN, 1, 60, &[]),
];

/// The elements of segment NM1, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const NM1_18: &[ElementRule] = &[
    el(1, "98", R, ID, 2, 3, &["DK"]),
    el(2, "1065", R, ID, 1, 1, &["1"]),
    el(3, "1035", R, AN, 1, 60, &[]),
    el(4, "1036", S, AN, 1, 35, &[]),
    el(5, "1037", S, AN, 1, 25, &[]),
    el(6, "1038", N, AN, 1, 10, &[]),
    el(7, "1039", S, AN, 1, 10, &[]),
    el(8, "66", S, ID, 1, 2, &["XX"]),
    el(9, "67", S, AN, 2, 80, &[]),
    el(10, "706", N, ID, 2, 2, &[]),
    el(11, "98", N, ID, 2, 3, &[]),
    el(12, "1035", N, AN, 1, 60, &[]),
];

/// The elements of segment NM1, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const NM1_19: &[ElementRule] = &[
    el(1, "98", R, ID, 2, 3, &["QC"]),
    el(2, "1065", R, ID, 1, 1, &["1"]),
    el(3, "1035", R, AN, 1, 60, &[]),
    el(4, "1036", S, AN, 1, 35, &[]),
    el(5, "1037", S, AN, 1, 25, &[]),
    el(6, "1038", N, AN, 1, 10, &[]),
    el(7, "1039", S, AN, 1, 10, &[]),
    el(8, "66", N, ID, 1, 2, &[]),
    el(9, "67", N, AN, 2, 80, &[]),
    el(10, "706", N, ID, 2, 2, &[]),
    el(11, "98", N, ID, 2, 3, &[]),
    el(12, "1035", N, AN, 1, 60, &[]),
];

/// The elements of segment NM1, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const NM1_2: &[ElementRule] = &[
    el(1, "98", R, ID, 2, 3, &["40"]),
    el(2, "1065", R, ID, 1, 1, &["2"]),
    el(3, "1035", R, AN, 1, 60, &[]),
    el(4, "1036", N, AN, 1, 35, &[]),
    el(5, "1037", N, AN, 1, 25, &[]),
    el(6, "1038", N, AN, 1, 10, &[]),
    el(7, "1039", N, AN, 1, 10, &[]),
    el(8, "66", R, ID, 1, 2, &["46"]),
    el(9, "67", R, AN, 2, 80, &[]),
    el(10, "706", N, ID, 2, 2, &[]),
    el(11, "98", N, ID, 2, 3, &[]),
    el(12, "1035", N, AN, 1, 60, &[]),
];

/// The elements of segment NM1, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const NM1_20: &[ElementRule] = &[
    el(1, "98", R, ID, 2, 3, &["71"]),
    el(2, "1065", R, ID, 1, 1, &["1"]),
    el(3, "1035", R, AN, 1, 60, &[]),
    el(4, "1036", S, AN, 1, 35, &[]),
    el(5, "1037", S, AN, 1, 25, &[]),
    el(6, "1038", N, AN, 1, 10, &[]),
    el(7, "1039", S, AN, 1, 10, &[]),
    el(8, "66", S, ID, 1, 2, &["XX"]),
    el(9, "67", S, AN, 2, 80, &[]),
    el(10, "706", N, ID, 2, 2, &[]),
    el(11, "98", N, ID, 2, 3, &[]),
    el(12, "1035", N, AN, 1, 60, &[]),
];

/// The elements of segment NM1, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const NM1_21: &[ElementRule] = &[
    el(1, "98", R, ID, 2, 3, &["72"]),
    el(2, "1065", R, ID, 1, 1, &["1"]),
    el(3, "1035", R, AN, 1, 60, &[]),
    el(4, "1036", S, AN, 1, 35, &[]),
    el(5, "1037", S, AN, 1, 25, &[]),
    el(6, "1038", N, AN, 1, 10, &[]),
    el(7, "1039", S, AN, 1, 10, &[]),
    el(8, "66", S, ID, 1, 2, &["XX"]),
    el(9, "67", S, AN, 2, 80, &[]),
    el(10, "706", N, ID, 2, 2, &[]),
    el(11, "98", N, ID, 2, 3, &[]),
    el(12, "1035", N, AN, 1, 60, &[]),
];

/// The elements of segment NM1, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const NM1_22: &[ElementRule] = &[
    el(1, "98", R, ID, 2, 3, &["ZZ"]),
    el(2, "1065", R, ID, 1, 1, &["1"]),
    el(3, "1035", R, AN, 1, 60, &[]),
    el(4, "1036", S, AN, 1, 35, &[]),
    el(5, "1037", S, AN, 1, 25, &[]),
    el(6, "1038", N, AN, 1, 10, &[]),
    el(7, "1039", S, AN, 1, 10, &[]),
    el(8, "66", S, ID, 1, 2, &["XX"]),
    el(9, "67", S, AN, 2, 80, &[]),
    el(10, "706", N, ID, 2, 2, &[]),
    el(11, "98", N, ID, 2, 3, &[]),
    el(12, "1035", N, AN, 1, 60, &[]),
];

/// The elements of segment NM1, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const NM1_23: &[ElementRule] = &[
    el(1, "98", R, ID, 2, 3, &["82"]),
    el(2, "1065", R, ID, 1, 1, &["1"]),
    el(3, "1035", R, AN, 1, 60, &[]),
    el(4, "1036", S, AN, 1, 35, &[]),
    el(5, "1037", S, AN, 1, 25, &[]),
    el(6, "1038", N, AN, 1, 10, &[]),
    el(7, "1039", S, AN, 1, 10, &[]),
    el(8, "66", S, ID, 1, 2, &["XX"]),
    el(9, "67", S, AN, 2, 80, &[]),
    el(10, "706", N, ID, 2, 2, &[]),
    el(11, "98", N, ID, 2, 3, &[]),
    el(12, "1035", N, AN, 1, 60, &[]),
];

/// The elements of segment NM1, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const NM1_24: &[ElementRule] = &[
    el(1, "98", R, ID, 2, 3, &["DN"]),
    el(2, "1065", R, ID, 1, 1, &["1"]),
    el(3, "1035", R, AN, 1, 60, &[]),
    el(4, "1036", S, AN, 1, 35, &[]),
    el(5, "1037", S, AN, 1, 25, &[]),
    el(6, "1038", N, AN, 1, 10, &[]),
    el(7, "1039", S, AN, 1, 10, &[]),
    el(8, "66", S, ID, 1, 2, &["XX"]),
    el(9, "67", S, AN, 2, 80, &[]),
    el(10, "706", N, ID, 2, 2, &[]),
    el(11, "98", N, ID, 2, 3, &[]),
    el(12, "1035", N, AN, 1, 60, &[]),
];

/// The elements of segment NM1, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const NM1_25: &[ElementRule] = &[
    el(1, "98", R, ID, 2, 3, &["71"]),
    el(2, "1065", R, ID, 1, 1, &["1"]),
    el(3, "1035", N, AN, 1, 60, &[]),
    el(4, "1036", N, AN, 1, 35, &[]),
    el(5, "1037", N, AN, 1, 25, &[]),
    el(6, "1038", N, AN, 1, 10, &[]),
    el(7, "1039", N, AN, 1, 10, &[]),
    el(8, "66", N, ID, 1, 2, &[]),
    el(9, "67", N, AN, 2, 80, &[]),
    el(10, "706", N, ID, 2, 2, &[]),
    el(11, "98", N, ID, 2, 3, &[]),
    el(12, "1035", N, AN, 1, 60, &[]),
];

/// The elements of segment NM1, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const NM1_26: &[ElementRule] = &[
    el(1, "98", R, ID, 2, 3, &["72"]),
    el(2, "1065", R, ID, 1, 1, &["1"]),
    el(3, "1035", N, AN, 1, 60, &[]),
    el(4, "1036", N, AN, 1, 35, &[]),
    el(5, "1037", N, AN, 1, 25, &[]),
    el(6, "1038", N, AN, 1, 10, &[]),
    el(7, "1039", N, AN, 1, 10, &[]),
    el(8, "66", N, ID, 1, 2, &[]),
    el(9, "67", N, AN, 2, 80, &[]),
    el(10, "706", N, ID, 2, 2, &[]),
    el(11, "98", N, ID, 2, 3, &[]),
    el(12, "1035", N, AN, 1, 60, &[]),
];

/// The elements of segment NM1, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const NM1_27: &[ElementRule] = &[
    el(1, "98", R, ID, 2, 3, &["ZZ"]),
    el(2, "1065", R, ID, 1, 1, &["1"]),
    el(3, "1035", N, AN, 1, 60, &[]),
    el(4, "1036", N, AN, 1, 35, &[]),
    el(5, "1037", N, AN, 1, 25, &[]),
    el(6, "1038", N, AN, 1, 10, &[]),
    el(7, "1039", N, AN, 1, 10, &[]),
    el(8, "66", N, ID, 1, 2, &[]),
    el(9, "67", N, AN, 2, 80, &[]),
    el(10, "706", N, ID, 2, 2, &[]),
    el(11, "98", N, ID, 2, 3, &[]),
    el(12, "1035", N, AN, 1, 60, &[]),
];

/// The elements of segment NM1, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const NM1_28: &[ElementRule] = &[
    el(1, "98", R, ID, 2, 3, &["82"]),
    el(2, "1065", R, ID, 1, 1, &["1"]),
    el(3, "1035", N, AN, 1, 60, &[]),
    el(4, "1036", N, AN, 1, 35, &[]),
    el(5, "1037", N, AN, 1, 25, &[]),
    el(6, "1038", N, AN, 1, 10, &[]),
    el(7, "1039", N, AN, 1, 10, &[]),
    el(8, "66", N, ID, 1, 2, &[]),
    el(9, "67", N, AN, 2, 80, &[]),
    el(10, "706", N, ID, 2, 2, &[]),
    el(11, "98", N, ID, 2, 3, &[]),
    el(12, "1035", N, AN, 1, 60, &[]),
];

/// The elements of segment NM1, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const NM1_29: &[ElementRule] = &[
    el(1, "98", R, ID, 2, 3, &["DN"]),
    el(2, "1065", R, ID, 1, 1, &["1"]),
    el(3, "1035", N, AN, 1, 60, &[]),
    el(4, "1036", N, AN, 1, 35, &[]),
    el(5, "1037", N, AN, 1, 25, &[]),
    el(6, "1038", N, AN, 1, 10, &[]),
    el(7, "1039", N, AN, 1, 10, &[]),
    el(8, "66", N, ID, 1, 2, &[]),
    el(9, "67", N, AN, 2, 80, &[]),
    el(10, "706", N, ID, 2, 2, &[]),
    el(11, "98", N, ID, 2, 3, &[]),
    el(12, "1035", N, AN, 1, 60, &[]),
];

/// The elements of segment NM1, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const NM1_3: &[ElementRule] = &[
    el(1, "98", R, ID, 2, 3, &["PE"]),
    el(2, "1065", R, ID, 1, 1, &["2"]),
    el(3, "1035", R, AN, 1, 60, &[]),
    el(4, "1036", N, AN, 1, 35, &[]),
    el(5, "1037", N, AN, 1, 25, &[]),
    el(6, "1038", N, AN, 1, 10, &[]),
    el(7, "1039", N, AN, 1, 10, &[]),
    el(8, "66", R, ID, 1, 2, &["PI", "XV"]),
    el(9, "67", R, AN, 2, 80, &[]),
    el(10, "706", N, ID, 2, 2, &[]),
    el(11, "98", N, ID, 2, 3, &[]),
    el(12, "1035", N, AN, 1, 60, &[]),
];

/// The elements of segment NM1, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const NM1_30: &[ElementRule] = &[
    el(1, "98", R, ID, 2, 3, &["85"]),
    el(2, "1065", R, ID, 1, 1, &["2"]),
    el(3, "1035", N, AN, 1, 60, &[]),
    el(4, "1036", N, AN, 1, 35, &[]),
    el(5, "1037", N, AN, 1, 25, &[]),
    el(6, "1038", N, AN, 1, 10, &[]),
    el(7, "1039", N, AN, 1, 10, &[]),
    el(8, "66", N, ID, 1, 2, &[]),
    el(9, "67", N, AN, 2, 80, &[]),
    el(10, "706", N, ID, 2, 2, &[]),
    el(11, "98", N, ID, 2, 3, &[]),
    el(12, "1035", N, AN, 1, 60, &[]),
];

/// The elements of segment NM1, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const NM1_4: &[ElementRule] = &[
    el(1, "98", R, ID, 2, 3, &["IL"]),
    el(2, "1065", R, ID, 1, 1, &["1", "2"]),
    el(3, "1035", R, AN, 1, 60, &[]),
    el(4, "1036", S, AN, 1, 35, &[]),
    el(5, "1037", S, AN, 1, 25, &[]),
    el(6, "1038", N, AN, 1, 10, &[]),
    el(7, "1039", S, AN, 1, 10, &[]),
    el(8, "66", R, ID, 1, 2, &["II", "MI"]),
    el(9, "67", R, AN, 2, 80, &[]),
    el(10, "706", N, ID, 2, 2, &[]),
    el(11, "98", N, ID, 2, 3, &[]),
    el(12, "1035", N, AN, 1, 60, &[]),
];

/// The elements of segment NM1, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const NM1_5: &[ElementRule] = &[
    el(1, "98", R, ID, 2, 3, &["PR"]),
    el(2, "1065", R, ID, 1, 1, &["2"]),
    el(3, "1035", R, AN, 1, 60, &[]),
    el(4, "1036", N, AN, 1, 35, &[]),
    el(5, "1037", N, AN, 1, 25, &[]),
    el(6, "1038", N, AN, 1, 10, &[]),
    el(7, "1039", N, AN, 1, 10, &[]),
    el(8, "66", R, ID, 1, 2, &["PI", "XV"]),
    el(9, "67", R, AN, 2, 80, &[]),
    el(10, "706", N, ID, 2, 2, &[]),
    el(11, "98", N, ID, 2, 3, &[]),
    el(12, "1035", N, AN, 1, 60, &[]),
];

/// The elements of segment NM1, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const NM1_6: &[ElementRule] = &[
    el(1, "98", R, ID, 2, 3, &["DN", "P3"]),
    el(2, "1065", R, ID, 1, 1, &["1"]),
    el(3, "1035", R, AN, 1, 60, &[]),
    el(4, "1036", S, AN, 1, 35, &[]),
    el(5, "1037", S, AN, 1, 25, &[]),
    el(6, "1038", N, AN, 1, 10, &[]),
    el(7, "1039", S, AN, 1, 10, &[]),
    el(8, "66", S, ID, 1, 2, &["XX"]),
    el(9, "67", S, AN, 2, 80, &[]),
    el(10, "706", N, ID, 2, 2, &[]),
    el(11, "98", N, ID, 2, 3, &[]),
    el(12, "1035", N, AN, 1, 60, &[]),
];

/// The elements of segment NM1, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const NM1_7: &[ElementRule] = &[
    el(1, "98", R, ID, 2, 3, &["82"]),
    el(2, "1065", R, ID, 1, 1, &["1", "2"]),
    el(3, "1035", R, AN, 1, 60, &[]),
    el(4, "1036", S, AN, 1, 35, &[]),
    el(5, "1037", S, AN, 1, 25, &[]),
    el(6, "1038", N, AN, 1, 10, &[]),
    el(7, "1039", S, AN, 1, 10, &[]),
    el(8, "66", S, ID, 1, 2, &["XX"]),
    el(9, "67", S, AN, 2, 80, &[]),
    el(10, "706", N, ID, 2, 2, &[]),
    el(11, "98", N, ID, 2, 3, &[]),
    el(12, "1035", N, AN, 1, 60, &[]),
];

/// The elements of segment NM1, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const NM1_8: &[ElementRule] = &[
    el(1, "98", R, ID, 2, 3, &["77"]),
    el(2, "1065", R, ID, 1, 1, &["2"]),
    el(3, "1035", R, AN, 1, 60, &[]),
    el(4, "1036", N, AN, 1, 35, &[]),
    el(5, "1037", N, AN, 1, 25, &[]),
    el(6, "1038", N, AN, 1, 10, &[]),
    el(7, "1039", N, AN, 1, 10, &[]),
    el(8, "66", S, ID, 1, 2, &["XX"]),
    el(9, "67", S, AN, 2, 80, &[]),
    el(10, "706", N, ID, 2, 2, &[]),
    el(11, "98", N, ID, 2, 3, &[]),
    el(12, "1035", N, AN, 1, 60, &[]),
];

/// The elements of segment NM1, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const NM1_9: &[ElementRule] = &[
    el(1, "98", R, ID, 2, 3, &["DQ"]),
    el(2, "1065", R, ID, 1, 1, &["1"]),
    el(3, "1035", R, AN, 1, 60, &[]),
    el(4, "1036", S, AN, 1, 35, &[]),
    el(5, "1037", S, AN, 1, 25, &[]),
    el(6, "1038", N, AN, 1, 10, &[]),
    el(7, "1039", S, AN, 1, 10, &[]),
    el(8, "66", S, ID, 1, 2, &["XX"]),
    el(9, "67", S, AN, 2, 80, &[]),
    el(10, "706", N, ID, 2, 2, &[]),
    el(11, "98", N, ID, 2, 3, &[]),
    el(12, "1035", N, AN, 1, 60, &[]),
];

/// The elements of segment NTE, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const NTE_1: &[ElementRule] = &[
    el(1, "363", R, ID, 3, 3, &["ADD", "CER", "DCP", "DGN", "TPO"]),
    el(2, "352", R, AN, 1, 80, &[]),
];

/// The elements of segment NTE, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const NTE_2: &[ElementRule] = &[
    el(1, "363", R, ID, 3, 3, &["ADD", "DCP"]),
    el(2, "352", R, AN, 1, 80, &[]),
];

/// The elements of segment NTE, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const NTE_3: &[ElementRule] = &[
    el(1, "363", R, ID, 3, 3, &["TPO"]),
    el(2, "352", R, AN, 1, 80, &[]),
];

/// The elements of segment NTE, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const NTE_4: &[ElementRule] = &[
    el(1, "363", R, ID, 3, 3, &["ALG", "DCP", "DGN", "DME", "MED", "NTR", "ODT", "RHB", "RLH", "RNH", "SET", "SFM", "SPT", "UPI"]),
    el(2, "352", R, AN, 1, 80, &[]),
];

/// The elements of segment NTE, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const NTE_5: &[ElementRule] = &[
    el(1, "363", R, ID, 3, 3, &["ADD"]),
    el(2, "352", R, AN, 1, 80, &[]),
];

/// The elements of segment OI, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const OI_1: &[ElementRule] = &[
    el(1, "1032", N, ID, 1, 2, &[]),
    el(2, "1383", N, ID, 2, 2, &[]),
    el(3, "1073", R, ID, 1, 1, &["N", "W", "Y"]),
    el(4, "1351", S, ID, 1, 1, &["P"]),
    el(5, "1360", N, ID, 1, 1, &[]),
    el(6, "1363", R, ID, 1, 1, &["I", "Y"]),
];

/// The elements of segment OI, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const OI_2: &[ElementRule] = &[
    el(1, "1032", N, ID, 1, 2, &[]),
    el(2, "1383", N, ID, 2, 2, &[]),
    el(3, "1073", R, ID, 1, 1, &["N", "W", "Y"]),
    el(4, "1351", N, ID, 1, 1, &[]),
    el(5, "1360", N, ID, 1, 1, &[]),
    el(6, "1363", R, ID, 1, 1, &["I", "Y"]),
];

/// The elements of segment PER, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const PER_1: &[ElementRule] = &[
    el(1, "366", R, ID, 2, 2, &["IC"]),
    el(2, "93", S, AN, 1, 60, &[]),
    el(3, "365", R, ID, 2, 2, &["EM", "FX", "TE"]),
    el(4, "364", R, AN, 1, 256, &[]),
    el(5, "365", S, ID, 2, 2, &["EM", "EX", "FX", "TE"]),
    el(6, "364", S, AN, 1, 256, &[]),
    el(7, "365", S, ID, 2, 2, &["EM", "EX", "FX", "TE"]),
    el(8, "364", S, AN, 1, 256, &[]),
    el(9, "443", N, AN, 1, 20, &[]),
];

/// The elements of segment PER, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const PER_2: &[ElementRule] = &[
    el(1, "366", R, ID, 2, 2, &["IC"]),
    el(2, "93", S, AN, 1, 60, &[]),
    el(3, "365", R, ID, 2, 2, &["TE"]),
    el(4, "364", R, AN, 1, 256, &[]),
    el(5, "365", S, ID, 2, 2, &["EX"]),
    el(6, "364", S, AN, 1, 256, &[]),
    el(7, "365", N, ID, 2, 2, &[]),
    el(8, "364", N, AN, 1, 256, &[]),
    el(9, "443", N, AN, 1, 20, &[]),
];

/// The elements of segment PRV, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const PRV_1: &[ElementRule] = &[
    el(1, "1221", R, ID, 1, 3, &["BI"]),
    el(2, "128", R, ID, 2, 3, &["PXC"]),
    el(3, "127", R, AN, 1, 50, &[]),
    el(4, "156", N, ID, 2, 2, &[]),
    composite(5, "C035", N, &[]),
    el(6, "1223", N, ID, 3, 3, &[]),
];

/// The elements of segment PRV, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const PRV_2: &[ElementRule] = &[
    el(1, "1221", R, ID, 1, 3, &["PE"]),
    el(2, "128", R, ID, 2, 3, &["PXC"]),
    el(3, "127", R, AN, 1, 50, &[]),
    el(4, "156", N, ID, 2, 2, &[]),
    composite(5, "C035", N, &[]),
    el(6, "1223", N, ID, 3, 3, &[]),
];

/// The elements of segment PRV, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const PRV_3: &[ElementRule] = &[
    el(1, "1221", R, ID, 1, 3, &["AT"]),
    el(2, "128", R, ID, 2, 3, &["PXC"]),
    el(3, "127", R, AN, 1, 50, &[]),
    el(4, "156", N, ID, 2, 2, &[]),
    composite(5, "C035", N, &[]),
    el(6, "1223", N, ID, 3, 3, &[]),
];

/// The elements of segment PS1, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const PS1_1: &[ElementRule] = &[
    el(1, "127", R, AN, 1, 50, &[]),
    el(2, "782", R, DR, 1, 18, &[]),
    el(3, "156", N, ID, 2, 2, &[]),
];

/// The elements of segment PWK, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const PWK_1: &[ElementRule] = &[
    el(1, "755", R, ID, 2, 2, &["03", "04", "05", "06", "07", "08", "09", "10", "11", "13", "15", "21", "A3", "A4", "AM", "AS", "B2", "B3", "B4", "BR", "BS", "BT", "CB", "CK", "CT", "D2", "DA", "DB", "DG", "DJ", "DS", "EB", "HC", "HR", "I5", "IR", "LA", "M1", "MT", "NN", "OB", "OC", "OD", "OE", "OX", "OZ", "P4", "P5", "PE", "PN", "PO", "PQ", "PY", "PZ", "RB", "RR", "RT", "RX", "SG", "V5", "XP"]),
    el(2, "756", R, ID, 1, 2, &["AA", "BM", "EL", "EM", "FT", "FX"]),
    el(3, "757", N, N0, 1, 2, &[]),
    el(4, "98", N, ID, 2, 3, &[]),
    el(5, "66", S, ID, 1, 2, &["AC"]),
    el(6, "67", S, AN, 2, 80, &[]),
    el(7, "352", N, AN, 1, 80, &[]),
    composite(8, "C002", N, &[]),
    el(9, "1525", N, ID, 1, 2, &[]),
];

/// The elements of segment PWK, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const PWK_2: &[ElementRule] = &[
    el(1, "755", R, ID, 2, 2, &["CT"]),
    el(2, "756", R, ID, 1, 2, &["AB", "AD", "AF", "AG", "NS"]),
    el(3, "757", N, N0, 1, 2, &[]),
    el(4, "98", N, ID, 2, 3, &[]),
    el(5, "66", N, ID, 1, 2, &[]),
    el(6, "67", N, AN, 2, 80, &[]),
    el(7, "352", N, AN, 1, 80, &[]),
    composite(8, "C002", N, &[]),
    el(9, "1525", N, ID, 1, 2, &[]),
];

/// The elements of segment QTY, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const QTY_1: &[ElementRule] = &[
    el(1, "673", R, ID, 2, 2, &["PT"]),
    el(2, "380", R, DR, 1, 15, &[]),
    composite(3, "C001", N, &[]),
    el(4, "61", N, AN, 1, 30, &[]),
];

/// The elements of segment QTY, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const QTY_2: &[ElementRule] = &[
    el(1, "673", R, ID, 2, 2, &["FL"]),
    el(2, "380", R, DR, 1, 15, &[]),
    composite(3, "C001", N, &[]),
    el(4, "61", N, AN, 1, 30, &[]),
];

/// The elements of segment REF, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const REF_1: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["2U", "FY", "NF"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "352", N, AN, 1, 80, &[]),
    composite(4, "C040", N, &[]),
];

/// The elements of segment REF, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const REF_10: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["9F"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "352", N, AN, 1, 80, &[]),
    composite(4, "C040", N, &[]),
];

/// The elements of segment REF, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const REF_11: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["G1"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "352", N, AN, 1, 80, &[]),
    composite(4, "C040", N, &[]),
];

/// The elements of segment REF, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const REF_12: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["F8"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "352", N, AN, 1, 80, &[]),
    composite(4, "C040", N, &[]),
];

/// The elements of segment REF, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const REF_13: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["X4"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "352", N, AN, 1, 80, &[]),
    composite(4, "C040", N, &[]),
];

/// The elements of segment REF, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const REF_14: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["9A"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "352", N, AN, 1, 80, &[]),
    composite(4, "C040", N, &[]),
];

/// The elements of segment REF, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const REF_15: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["9C"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "352", N, AN, 1, 80, &[]),
    composite(4, "C040", N, &[]),
];

/// The elements of segment REF, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const REF_16: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["LX"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "352", N, AN, 1, 80, &[]),
    composite(4, "C040", N, &[]),
];

/// The elements of segment REF, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const REF_17: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["D9"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "352", N, AN, 1, 80, &[]),
    composite(4, "C040", N, &[]),
];

/// The elements of segment REF, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const REF_18: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["EA"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "352", N, AN, 1, 80, &[]),
    composite(4, "C040", N, &[]),
];

/// The elements of segment REF, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const REF_19: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["P4"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "352", N, AN, 1, 80, &[]),
    composite(4, "C040", N, &[]),
];

/// The elements of segment REF, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const REF_2: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["EI"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "352", N, AN, 1, 80, &[]),
    composite(4, "C040", N, &[]),
];

/// The elements of segment REF, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const REF_20: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["1J"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "352", N, AN, 1, 80, &[]),
    composite(4, "C040", N, &[]),
];

/// The elements of segment REF, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const REF_21: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["0B", "1G", "G2"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "352", N, AN, 1, 80, &[]),
    composite(4, "C040", N, &[]),
];

/// The elements of segment REF, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const REF_22: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["0B", "1G", "G2", "LU"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "352", N, AN, 1, 80, &[]),
    composite(4, "C040", N, &[]),
];

/// The elements of segment REF, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const REF_23: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["0B", "G2", "LU"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "352", N, AN, 1, 80, &[]),
    composite(4, "C040", N, &[]),
];

/// The elements of segment REF, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const REF_24: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["T4"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "352", N, AN, 1, 80, &[]),
    composite(4, "C040", N, &[]),
];

/// The elements of segment REF, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const REF_25: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["9B"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "352", N, AN, 1, 80, &[]),
    composite(4, "C040", N, &[]),
];

/// The elements of segment REF, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const REF_26: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["9D"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "352", N, AN, 1, 80, &[]),
    composite(4, "C040", N, &[]),
];

/// The elements of segment REF, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const REF_27: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["6R"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "352", N, AN, 1, 80, &[]),
    composite(4, "C040", N, &[]),
];

/// The elements of segment REF, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const REF_28: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["F4"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "352", N, AN, 1, 80, &[]),
    composite(4, "C040", N, &[]),
];

/// The elements of segment REF, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const REF_29: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["BT"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "352", N, AN, 1, 80, &[]),
    composite(4, "C040", N, &[]),
];

/// The elements of segment REF, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const REF_3: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["SY"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "352", N, AN, 1, 80, &[]),
    composite(4, "C040", N, &[]),
];

/// The elements of segment REF, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const REF_30: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["VY", "XZ"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "352", N, AN, 1, 80, &[]),
    composite(4, "C040", N, &[]),
];

/// The elements of segment REF, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const REF_31: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["1W", "SY"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "352", N, AN, 1, 80, &[]),
    composite(4, "C040", N, &[]),
];

/// The elements of segment REF, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const REF_32: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["LU"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "352", N, AN, 1, 80, &[]),
    composite(4, "C040", N, &[]),
];

/// The elements of segment REF, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const REF_33: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["G4"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "352", N, AN, 1, 80, &[]),
    composite(4, "C040", N, &[]),
];

/// The elements of segment REF, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const REF_34: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["G1"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "352", N, AN, 1, 80, &[]),
    composite(4, "C040", S, C040_1),
];

/// The elements of segment REF, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const REF_35: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["9F"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "352", N, AN, 1, 80, &[]),
    composite(4, "C040", S, C040_1),
];

/// The elements of segment REF, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const REF_36: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["0B", "1G", "G2", "LU"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "352", N, AN, 1, 80, &[]),
    composite(4, "C040", S, C040_1),
];

/// The elements of segment REF, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const REF_37: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["0B", "1G", "G2"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "352", N, AN, 1, 80, &[]),
    composite(4, "C040", S, C040_1),
];

/// The elements of segment REF, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const REF_38: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["G2", "LU"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "352", N, AN, 1, 80, &[]),
    composite(4, "C040", S, C040_1),
];

/// The elements of segment REF, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const REF_4: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["Y4"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "352", N, AN, 1, 80, &[]),
    composite(4, "C040", N, &[]),
];

/// The elements of segment REF, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const REF_5: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["2U", "EI", "FY", "NF"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "352", N, AN, 1, 80, &[]),
    composite(4, "C040", N, &[]),
];

/// The elements of segment REF, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const REF_6: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["G2", "LU"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "352", N, AN, 1, 80, &[]),
    composite(4, "C040", N, &[]),
];

/// The elements of segment REF, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const REF_7: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["4N"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "352", N, AN, 1, 80, &[]),
    composite(4, "C040", N, &[]),
];

/// The elements of segment REF, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const REF_8: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["F5"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "352", N, AN, 1, 80, &[]),
    composite(4, "C040", N, &[]),
];

/// The elements of segment REF, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const REF_9: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["EW"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "352", N, AN, 1, 80, &[]),
    composite(4, "C040", N, &[]),
];

/// The elements of segment SBR, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const SBR_1: &[ElementRule] = &[
    el(1, "1138", R, ID, 1, 1, &["A", "B", "C", "D", "E", "F", "G", "H", "P", "S", "T", "U"]),
    el(2, "1069", R, ID, 2, 2, &["01", "18", "19", "20", "21", "39", "40", "53", "G8"]),
    el(3, "127", S, AN, 1, 50, &[]),
    el(4, "93", S, AN, 1, 60, &[]),
    el(5, "1336", S, ID, 1, 3, &["12", "13", "14", "15", "16", "41", "42", "43", "47"]),
    el(6, "1143", N, ID, 1, 1, &[]),
    el(7, "1073", N, ID, 1, 1, &[]),
    el(8, "584", N, ID, 2, 2, &[]),
    el(9, "1032", S, ID, 1, 2, &["11", "12", "13", "14", "15", "16", "17", "AM", "BL", "CH", "CI", "DS", "FI", "HM", "LM", "MA", "MB", "MC", "OF", "TV", "VA", "WC", "ZZ"]),
];

/// The elements of segment SBR, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const SBR_2: &[ElementRule] = &[
    el(1, "1138", R, ID, 1, 1, &["A", "B", "C", "D", "E", "F", "G", "H", "P", "S", "T", "U"]),
    el(2, "1069", R, ID, 2, 2, &["01", "18", "19", "20", "21", "39", "40", "53", "G8"]),
    el(3, "127", S, AN, 1, 50, &[]),
    el(4, "93", S, AN, 1, 60, &[]),
    el(5, "1336", N, ID, 1, 3, &[]),
    el(6, "1143", N, ID, 1, 1, &[]),
    el(7, "1073", N, ID, 1, 1, &[]),
    el(8, "584", N, ID, 2, 2, &[]),
    el(9, "1032", S, ID, 1, 2, &["11", "12", "13", "14", "15", "16", "17", "AM", "BL", "CH", "CI", "DS", "FI", "HM", "LM", "MA", "MB", "MC", "OF", "TV", "VA", "WC", "ZZ"]),
];

/// The elements of segment SE, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const SE_1: &[ElementRule] = &[
    el(1, "96", R, N0, 1, 10, &[]),
    el(2, "329", R, AN, 4, 9, &[]),
];

/// The elements of segment SV1, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const SV1_1: &[ElementRule] = &[
    composite(1, "C003", R, C003_1),
    el(2, "782", R, DR, 1, 18, &[]),
    el(3, "355", R, ID, 2, 2, &["MJ", "UN"]),
    el(4, "380", R, DR, 1, 15, &[]),
    el(5, "1331", S, AN, 1, 2, &[]),
    el(6, "1365", N, ID, 1, 2, &[]),
    composite(7, "C004", R, C004_1),
    el(8, "782", N, DR, 1, 18, &[]),
    el(9, "1073", S, ID, 1, 1, &["Y"]),
    el(10, "1340", N, ID, 1, 2, &[]),
    el(11, "1073", S, ID, 1, 1, &["Y"]),
    el(12, "1073", S, ID, 1, 1, &["Y"]),
    el(13, "1364", N, ID, 1, 2, &[]),
    el(14, "1341", N, AN, 1, 2, &[]),
    el(15, "1327", S, ID, 1, 1, &["0"]),
    el(16, "1334", N, ID, 1, 1, &[]),
    el(17, "127", N, AN, 1, 50, &[]),
    el(18, "116", N, ID, 3, 15, &[]),
    el(19, "782", N, DR, 1, 18, &[]),
    el(20, "1337", N, ID, 1, 1, &[]),
    el(21, "1360", N, ID, 1, 1, &[]),
];

/// The elements of segment SV2, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const SV2_1: &[ElementRule] = &[
    el(1, "234", R, AN, 1, 48, &[]),
    composite(2, "C003", S, C003_3),
    el(3, "782", R, DR, 1, 18, &[]),
    el(4, "355", R, ID, 2, 2, &["DA", "UN"]),
    el(5, "380", R, DR, 1, 15, &[]),
    el(6, "1371", N, DR, 1, 10, &[]),
    el(7, "782", S, DR, 1, 18, &[]),
    el(8, "1073", N, ID, 1, 1, &[]),
    el(9, "1345", N, ID, 1, 1, &[]),
    el(10, "1337", N, ID, 1, 1, &[]),
];

/// The elements of segment SV5, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const SV5_1: &[ElementRule] = &[
    composite(1, "C003", R, C003_2),
    el(2, "355", R, ID, 2, 2, &["DA"]),
    el(3, "380", R, DR, 1, 15, &[]),
    el(4, "782", R, DR, 1, 18, &[]),
    el(5, "782", R, DR, 1, 18, &[]),
    el(6, "594", R, ID, 1, 1, &["1", "4", "6"]),
    el(7, "923", N, ID, 1, 1, &[]),
];

/// The elements of segment SVD, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const SVD_1: &[ElementRule] = &[
    el(1, "67", R, AN, 2, 80, &[]),
    el(2, "782", R, DR, 1, 18, &[]),
    composite(3, "C003", R, C003_1),
    el(4, "234", N, AN, 1, 48, &[]),
    el(5, "380", R, DR, 1, 15, &[]),
    el(6, "554", S, N0, 1, 6, &[]),
];

/// The elements of segment SVD, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const SVD_2: &[ElementRule] = &[
    el(1, "67", R, AN, 2, 80, &[]),
    el(2, "782", R, DR, 1, 18, &[]),
    composite(3, "C003", S, C003_3),
    el(4, "234", R, AN, 1, 48, &[]),
    el(5, "380", R, DR, 1, 15, &[]),
    el(6, "554", S, N0, 1, 6, &[]),
];

/// The elements of segment TRN, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const TRN_1: &[ElementRule] = &[
    el(1, "481", R, ID, 1, 2, &["1"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "509", N, AN, 10, 10, &[]),
    el(4, "127", N, AN, 1, 50, &[]),
];

/// The elements of segment TRN, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const TRN_2: &[ElementRule] = &[
    el(1, "481", R, ID, 1, 2, &["2"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "509", N, AN, 10, 10, &[]),
    el(4, "127", N, AN, 1, 50, &[]),
];

/// The syntax notes of segment BPR.
#[rustfmt::skip]
pub(super) const BPR_NOTES: &[SyntaxNote] = &[SyntaxNote::new(Paired, &[6, 7]), SyntaxNote::new(Conditional, &[8, 9]), SyntaxNote::new(Paired, &[12, 13]), SyntaxNote::new(Conditional, &[14, 15]), SyntaxNote::new(Paired, &[18, 19]), SyntaxNote::new(Conditional, &[20, 21])];

/// The syntax notes of segment CAS.
#[rustfmt::skip]
pub(super) const CAS_NOTES: &[SyntaxNote] = &[SyntaxNote::new(ListConditional, &[5, 6, 7]), SyntaxNote::new(Conditional, &[6, 5]), SyntaxNote::new(Conditional, &[7, 5]), SyntaxNote::new(ListConditional, &[8, 9, 10]), SyntaxNote::new(Conditional, &[9, 8]), SyntaxNote::new(Conditional, &[10, 8]), SyntaxNote::new(ListConditional, &[11, 12, 13]), SyntaxNote::new(Conditional, &[12, 11]), SyntaxNote::new(Conditional, &[13, 11]), SyntaxNote::new(ListConditional, &[14, 15, 16]), SyntaxNote::new(Conditional, &[15, 14]), SyntaxNote::new(Conditional, &[16, 14]), SyntaxNote::new(ListConditional, &[17, 18, 19]), SyntaxNote::new(Conditional, &[18, 17]), SyntaxNote::new(Conditional, &[19, 17])];

/// The syntax notes of segment CR1.
#[rustfmt::skip]
pub(super) const CR1_NOTES: &[SyntaxNote] = &[SyntaxNote::new(Paired, &[1, 2]), SyntaxNote::new(Paired, &[5, 6])];

/// The syntax notes of segment CR2.
#[rustfmt::skip]
pub(super) const CR2_NOTES: &[SyntaxNote] = &[SyntaxNote::new(Paired, &[1, 2]), SyntaxNote::new(Conditional, &[4, 3]), SyntaxNote::new(Paired, &[5, 6])];

/// The syntax notes of segment CR3.
#[rustfmt::skip]
pub(super) const CR3_NOTES: &[SyntaxNote] = &[SyntaxNote::new(Paired, &[2, 3])];

/// The syntax notes of segment CTP.
#[rustfmt::skip]
pub(super) const CTP_NOTES: &[SyntaxNote] = &[SyntaxNote::new(Paired, &[4, 5]), SyntaxNote::new(Conditional, &[6, 7]), SyntaxNote::new(Conditional, &[9, 2]), SyntaxNote::new(Conditional, &[10, 2]), SyntaxNote::new(Conditional, &[11, 3])];

/// The syntax notes of segment CUR.
#[rustfmt::skip]
pub(super) const CUR_NOTES: &[SyntaxNote] = &[SyntaxNote::new(Conditional, &[8, 7]), SyntaxNote::new(Conditional, &[9, 7]), SyntaxNote::new(ListConditional, &[10, 11, 12]), SyntaxNote::new(Conditional, &[11, 10]), SyntaxNote::new(Conditional, &[12, 10]), SyntaxNote::new(ListConditional, &[13, 14, 15]), SyntaxNote::new(Conditional, &[14, 13]), SyntaxNote::new(Conditional, &[15, 13]), SyntaxNote::new(ListConditional, &[16, 17, 18]), SyntaxNote::new(Conditional, &[17, 16]), SyntaxNote::new(Conditional, &[18, 16]), SyntaxNote::new(ListConditional, &[19, 20, 21]), SyntaxNote::new(Conditional, &[20, 19]), SyntaxNote::new(Conditional, &[21, 19])];

/// The syntax notes of segment DMG.
#[rustfmt::skip]
pub(super) const DMG_NOTES: &[SyntaxNote] = &[SyntaxNote::new(Paired, &[1, 2]), SyntaxNote::new(Paired, &[10, 11]), SyntaxNote::new(Conditional, &[11, 5])];

/// The syntax notes of segment DTM.
#[rustfmt::skip]
pub(super) const DTM_NOTES: &[SyntaxNote] = &[SyntaxNote::new(AtLeastOne, &[2, 3, 5]), SyntaxNote::new(Conditional, &[4, 3]), SyntaxNote::new(Paired, &[5, 6])];

/// The syntax notes of segment FRM.
#[rustfmt::skip]
pub(super) const FRM_NOTES: &[SyntaxNote] = &[SyntaxNote::new(AtLeastOne, &[2, 3, 4, 5])];

/// The syntax notes of segment HCP.
#[rustfmt::skip]
pub(super) const HCP_NOTES: &[SyntaxNote] = &[SyntaxNote::new(AtLeastOne, &[1, 13]), SyntaxNote::new(Paired, &[9, 10]), SyntaxNote::new(Paired, &[11, 12])];

/// The syntax notes of segment LIN.
#[rustfmt::skip]
pub(super) const LIN_NOTES: &[SyntaxNote] = &[SyntaxNote::new(Paired, &[4, 5]), SyntaxNote::new(Paired, &[6, 7]), SyntaxNote::new(Paired, &[8, 9]), SyntaxNote::new(Paired, &[10, 11]), SyntaxNote::new(Paired, &[12, 13]), SyntaxNote::new(Paired, &[14, 15]), SyntaxNote::new(Paired, &[16, 17]), SyntaxNote::new(Paired, &[18, 19]), SyntaxNote::new(Paired, &[20, 21]), SyntaxNote::new(Paired, &[22, 23]), SyntaxNote::new(Paired, &[24, 25]), SyntaxNote::new(Paired, &[26, 27]), SyntaxNote::new(Paired, &[28, 29]), SyntaxNote::new(Paired, &[30, 31])];

/// The syntax notes of segment LQ.
#[rustfmt::skip]
pub(super) const LQ_NOTES: &[SyntaxNote] = &[SyntaxNote::new(Conditional, &[1, 2])];

/// The syntax notes of segment MEA.
#[rustfmt::skip]
pub(super) const MEA_NOTES: &[SyntaxNote] = &[SyntaxNote::new(AtLeastOne, &[3, 5, 6, 8]), SyntaxNote::new(ListConditional, &[5, 4, 12]), SyntaxNote::new(ListConditional, &[6, 4, 12]), SyntaxNote::new(ListConditional, &[7, 3, 5, 6]), SyntaxNote::new(Exclusive, &[8, 3]), SyntaxNote::new(Paired, &[11, 12])];

/// The syntax notes of segment N1.
#[rustfmt::skip]
pub(super) const N1_NOTES: &[SyntaxNote] = &[SyntaxNote::new(AtLeastOne, &[2, 3]), SyntaxNote::new(Paired, &[3, 4])];

/// The syntax notes of segment N4.
#[rustfmt::skip]
pub(super) const N4_NOTES: &[SyntaxNote] = &[SyntaxNote::new(Exclusive, &[2, 7]), SyntaxNote::new(Conditional, &[6, 5]), SyntaxNote::new(Conditional, &[7, 4])];

/// The syntax notes of segment NM1.
#[rustfmt::skip]
pub(super) const NM1_NOTES: &[SyntaxNote] = &[SyntaxNote::new(Paired, &[8, 9]), SyntaxNote::new(Conditional, &[11, 10])];

/// The syntax notes of segment NM1.
#[rustfmt::skip]
pub(super) const NM1_NOTES_2: &[SyntaxNote] = &[SyntaxNote::new(Paired, &[8, 9]), SyntaxNote::new(Conditional, &[11, 10]), SyntaxNote::new(Conditional, &[12, 3])];

/// The syntax notes of segment PAT.
#[rustfmt::skip]
pub(super) const PAT_NOTES: &[SyntaxNote] = &[SyntaxNote::new(Paired, &[5, 6]), SyntaxNote::new(Paired, &[7, 8])];

/// The syntax notes of segment PER.
#[rustfmt::skip]
pub(super) const PER_NOTES: &[SyntaxNote] = &[SyntaxNote::new(Paired, &[3, 4]), SyntaxNote::new(Paired, &[5, 6]), SyntaxNote::new(Paired, &[7, 8])];

/// The syntax notes of segment PLB.
#[rustfmt::skip]
pub(super) const PLB_NOTES: &[SyntaxNote] = &[SyntaxNote::new(Paired, &[5, 6]), SyntaxNote::new(Paired, &[7, 8]), SyntaxNote::new(Paired, &[9, 10]), SyntaxNote::new(Paired, &[11, 12]), SyntaxNote::new(Paired, &[13, 14])];

/// The syntax notes of segment PRV.
#[rustfmt::skip]
pub(super) const PRV_NOTES: &[SyntaxNote] = &[SyntaxNote::new(Paired, &[2, 3])];

/// The syntax notes of segment PWK.
#[rustfmt::skip]
pub(super) const PWK_NOTES: &[SyntaxNote] = &[SyntaxNote::new(Paired, &[5, 6])];

/// The syntax notes of segment QTY.
#[rustfmt::skip]
pub(super) const QTY_NOTES: &[SyntaxNote] = &[SyntaxNote::new(Exclusive, &[2, 4]), SyntaxNote::new(AtLeastOne, &[2, 4])];

/// The syntax notes of segment REF.
#[rustfmt::skip]
pub(super) const REF_NOTES: &[SyntaxNote] = &[SyntaxNote::new(AtLeastOne, &[2, 3])];

/// The syntax notes of segment SV1.
#[rustfmt::skip]
pub(super) const SV1_NOTES: &[SyntaxNote] = &[SyntaxNote::new(Paired, &[3, 4])];

/// The syntax notes of segment SV2.
#[rustfmt::skip]
pub(super) const SV2_NOTES: &[SyntaxNote] = &[SyntaxNote::new(AtLeastOne, &[1, 2]), SyntaxNote::new(Paired, &[4, 5])];

/// The syntax notes of segment SV5.
#[rustfmt::skip]
pub(super) const SV5_NOTES: &[SyntaxNote] = &[SyntaxNote::new(AtLeastOne, &[4, 5]), SyntaxNote::new(Conditional, &[6, 4])];

/// The elements of segment NM1, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const NM1_31: &[ElementRule] = &[
    el(1, "98", R, ID, 2, 3, &["2B", "36", "GP", "P5", "PR"]),
    el(2, "1065", R, ID, 1, 1, &["1", "2"]),
    el(3, "1035", R, AN, 1, 60, &[]),
    el(4, "1036", S, AN, 1, 35, &[]),
    el(5, "1037", S, AN, 1, 25, &[]),
    el(6, "1038", N, AN, 1, 10, &[]),
    el(7, "1039", S, AN, 1, 10, &[]),
    el(8, "66", R, ID, 1, 2, &["24", "46", "FI", "NI", "PI", "XV", "XX"]),
    el(9, "67", R, AN, 2, 80, &[]),
    el(10, "706", N, ID, 2, 2, &[]),
    el(11, "98", N, ID, 2, 3, &[]),
    el(12, "1035", N, AN, 1, 60, &[]),
];

/// The elements of segment HL, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const HL_4: &[ElementRule] = &[
    el(1, "628", R, AN, 1, 12, &[]),
    el(2, "734", R, AN, 1, 12, &[]),
    el(3, "735", R, ID, 1, 2, &["21"]),
    el(4, "736", R, ID, 1, 1, &["1"]),
];

/// The elements of segment REF, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const REF_39: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["0B", "1C", "1D", "1J", "4A", "CT", "EL", "EO", "HPI", "JD", "N5", "N7", "Q4", "SY", "TJ"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "352", S, AN, 1, 80, &[]),
    composite(4, "C040", N, &[]),
];

/// The elements of segment PRV, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const PRV_4: &[ElementRule] = &[
    el(1, "1221", R, ID, 1, 3, &["AD", "AT", "BI", "CO", "CV", "H", "HH", "LA", "OT", "P1", "P2", "PC", "PE", "R", "RF", "SB", "SK", "SU"]),
    el(2, "128", S, ID, 2, 3, &["PXC"]),
    el(3, "127", S, AN, 1, 50, &[]),
    el(4, "156", N, ID, 2, 2, &[]),
    composite(5, "C035", N, &[]),
    el(6, "1223", N, ID, 3, 3, &[]),
];

/// The elements of segment TRN, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const TRN_3: &[ElementRule] = &[
    el(1, "481", R, ID, 1, 2, &["1"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "509", R, AN, 10, 10, &[]),
    el(4, "127", S, AN, 1, 50, &[]),
];

/// The elements of segment NM1, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const NM1_32: &[ElementRule] = &[
    el(1, "98", R, ID, 2, 3, &["IL"]),
    el(2, "1065", R, ID, 1, 1, &["1", "2"]),
    el(3, "1035", S, AN, 1, 60, &[]),
    el(4, "1036", S, AN, 1, 35, &[]),
    el(5, "1037", S, AN, 1, 25, &[]),
    el(6, "1038", N, AN, 1, 10, &[]),
    el(7, "1039", S, AN, 1, 10, &[]),
    el(8, "66", S, ID, 1, 2, &["II", "MI"]),
    el(9, "67", S, AN, 2, 80, &[]),
    el(10, "706", N, ID, 2, 2, &[]),
    el(11, "98", N, ID, 2, 3, &[]),
    el(12, "1035", N, AN, 1, 60, &[]),
];

/// The elements of segment PRV, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const PRV_5: &[ElementRule] = &[
    el(1, "1221", R, ID, 1, 3, &["AD", "AT", "BI", "CO", "CV", "H", "HH", "LA", "OT", "P1", "P2", "PC", "PE", "R", "RF", "SK", "SU"]),
    el(2, "128", S, ID, 2, 3, &["9K", "D3", "EI", "HPI", "PXC", "SY", "TJ"]),
    el(3, "127", S, AN, 1, 50, &[]),
    el(4, "156", N, ID, 2, 2, &[]),
    composite(5, "C035", N, &[]),
    el(6, "1223", N, ID, 3, 3, &[]),
];

/// The elements of segment DMG, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const DMG_2: &[ElementRule] = &[
    el(1, "1250", S, ID, 2, 3, &["D8"]),
    el(2, "1251", S, AN, 1, 35, &[]),
    el(3, "1068", S, ID, 1, 1, &["F", "M"]),
    el(4, "1067", N, ID, 1, 1, &[]),
    composite(5, "C056", N, &[]),
    el(6, "1066", N, ID, 1, 2, &[]),
    el(7, "26", N, ID, 2, 3, &[]),
    el(8, "659", N, ID, 1, 2, &[]),
    el(9, "380", N, DR, 1, 15, &[]),
    el(10, "1270", N, ID, 1, 3, &[]),
    el(11, "1271", N, AN, 1, 30, &[]),
];

/// The syntax notes of segment INS.
#[rustfmt::skip]
pub(super) const INS_NOTES: &[SyntaxNote] = &[SyntaxNote::new(Paired, &[11, 12])];

/// The elements of segment HI, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const HI_16: &[ElementRule] = &[
    composite(1, "C022", R, C022_1),
    composite(2, "C022", S, C022_2),
    composite(3, "C022", S, C022_2),
    composite(4, "C022", S, C022_2),
    composite(5, "C022", S, C022_2),
    composite(6, "C022", S, C022_2),
    composite(7, "C022", S, C022_2),
    composite(8, "C022", S, C022_2),
    composite(9, "C022", N, &[]),
    composite(10, "C022", N, &[]),
    composite(11, "C022", N, &[]),
    composite(12, "C022", N, &[]),
];

/// The elements of segment DTP, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const DTP_27: &[ElementRule] = &[
    el(1, "374", R, ID, 3, 3, &["102", "291"]),
    el(2, "1250", R, ID, 2, 3, &["D8", "RD8"]),
    el(3, "1251", R, AN, 1, 35, &[]),
];

/// The components of composite C003.
#[rustfmt::skip]
pub(super) const C003_4: &[ElementRule] = &[
    el(1, "235", R, ID, 2, 2, &["AD", "CJ", "HC", "ID", "IV", "N4", "ZZ"]),
    el(2, "234", R, AN, 1, 48, &[]),
    el(3, "1339", S, AN, 2, 2, &[]),
    el(4, "1339", S, AN, 2, 2, &[]),
    el(5, "1339", S, AN, 2, 2, &[]),
    el(6, "1339", S, AN, 2, 2, &[]),
    el(7, "352", N, AN, 1, 80, &[]),
    el(8, "234", N, AN, 1, 48, &[]),
];

/// The components of composite C004.
#[rustfmt::skip]
pub(super) const C004_2: &[ElementRule] = &[
    el(1, "1328", R, N0, 1, 2, &[]),
    el(2, "1328", S, N0, 1, 2, &[]),
    el(3, "1328", S, N0, 1, 2, &[]),
    el(4, "1328", S, N0, 1, 2, &[]),
];

/// The syntax notes of segment EQ.
#[rustfmt::skip]
pub(super) const EQ_NOTES: &[SyntaxNote] = &[SyntaxNote::new(AtLeastOne, &[1, 2])];

/// The elements of segment III, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const III_1: &[ElementRule] = &[
    el(1, "1270", R, ID, 1, 3, &["ZZ"]),
    el(2, "1271", R, AN, 1, 30, &[]),
    el(3, "1136", N, ID, 2, 2, &[]),
    el(4, "933", N, AN, 1, 264, &[]),
    el(5, "380", N, DR, 1, 15, &[]),
    composite(6, "C001", N, &[]),
    el(7, "752", N, ID, 2, 2, &[]),
    el(8, "752", N, ID, 2, 2, &[]),
    el(9, "752", N, ID, 2, 2, &[]),
];

/// The syntax notes of segment III.
#[rustfmt::skip]
pub(super) const III_NOTES: &[SyntaxNote] = &[SyntaxNote::new(Paired, &[1, 2]), SyntaxNote::new(ListConditional, &[3, 4, 5])];

/// The elements of segment REF, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const REF_40: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["9F", "G1"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "352", N, AN, 1, 80, &[]),
    composite(4, "C040", N, &[]),
];

/// The elements of segment DTP, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const DTP_28: &[ElementRule] = &[
    el(1, "374", R, ID, 3, 3, &["291"]),
    el(2, "1250", R, ID, 2, 3, &["D8", "RD8"]),
    el(3, "1251", R, AN, 1, 35, &[]),
];

/// The elements of segment NM1, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const NM1_33: &[ElementRule] = &[
    el(1, "98", R, ID, 2, 3, &["03"]),
    el(2, "1065", R, ID, 1, 1, &["1"]),
    el(3, "1035", S, AN, 1, 60, &[]),
    el(4, "1036", S, AN, 1, 35, &[]),
    el(5, "1037", S, AN, 1, 25, &[]),
    el(6, "1038", N, AN, 1, 10, &[]),
    el(7, "1039", S, AN, 1, 10, &[]),
    el(8, "66", N, ID, 1, 2, &[]),
    el(9, "67", N, AN, 2, 80, &[]),
    el(10, "706", N, ID, 2, 2, &[]),
    el(11, "98", N, ID, 2, 3, &[]),
    el(12, "1035", N, AN, 1, 60, &[]),
];

/// The elements of segment HL, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const HL_5: &[ElementRule] = &[
    el(1, "628", R, AN, 1, 12, &[]),
    el(2, "734", R, AN, 1, 12, &[]),
    el(3, "735", R, ID, 1, 2, &["21"]),
    el(4, "736", R, ID, 1, 1, &["0", "1"]),
];

/// The elements of segment TRN, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const TRN_4: &[ElementRule] = &[
    el(1, "481", R, ID, 1, 2, &["1", "2"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "509", R, AN, 10, 10, &[]),
    el(4, "127", S, AN, 1, 50, &[]),
];

/// The elements of segment PRV, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const PRV_6: &[ElementRule] = &[
    el(1, "1221", R, ID, 1, 3, &["AD", "AT", "BI", "CO", "CV", "H", "HH", "LA", "OT", "P1", "P2", "PC", "PE", "R", "RF", "SK", "SU"]),
    el(2, "128", S, ID, 2, 3, &["PXC"]),
    el(3, "127", S, AN, 1, 50, &[]),
    el(4, "156", N, ID, 2, 2, &[]),
    composite(5, "C035", N, &[]),
    el(6, "1223", N, ID, 3, 3, &[]),
];

/// The elements of segment DMG, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const DMG_3: &[ElementRule] = &[
    el(1, "1250", S, ID, 2, 3, &["D8"]),
    el(2, "1251", S, AN, 1, 35, &[]),
    el(3, "1068", S, ID, 1, 1, &["F", "M", "U"]),
    el(4, "1067", N, ID, 1, 1, &[]),
    composite(5, "C056", N, &[]),
    el(6, "1066", N, ID, 1, 2, &[]),
    el(7, "26", N, ID, 2, 3, &[]),
    el(8, "659", N, ID, 1, 2, &[]),
    el(9, "380", N, DR, 1, 15, &[]),
    el(10, "1270", N, ID, 1, 3, &[]),
    el(11, "1271", N, AN, 1, 30, &[]),
];

/// The elements of segment DTP, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const DTP_29: &[ElementRule] = &[
    el(1, "374", R, ID, 3, 3, &["096", "102", "152", "291", "307", "318", "340", "341", "342", "343", "346", "347", "356", "357", "382", "435", "442", "458", "472", "539", "540", "636", "771"]),
    el(2, "1250", R, ID, 2, 3, &["D8", "RD8"]),
    el(3, "1251", R, AN, 1, 35, &[]),
];

/// The elements of segment MPI, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const MPI_1: &[ElementRule] = &[
    el(1, "1201", R, ID, 1, 1, &["A", "C", "L", "O", "P", "S", "T"]),
    el(2, "584", R, ID, 2, 2, &["AE", "AO", "AS", "AT", "AU", "CC", "DD", "HD", "IR", "LX", "PE", "RE", "RM", "RR", "RU"]),
    el(3, "1595", R, ID, 1, 1, &["A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "Q", "R", "S", "U", "W"]),
    el(4, "352", S, AN, 1, 80, &[]),
    el(5, "1596", S, ID, 2, 2, &["A1", "A2", "A3", "B1", "B2", "C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9", "E1", "F1", "F2", "F3", "F4", "G1", "G4", "L1", "L2", "L3", "L4", "L5", "L6", "M1", "M2", "M3", "M4", "M5", "M6", "P1", "P2", "P3", "P4", "P5", "R1", "R2", "S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8", "S9", "SA", "SB", "SC", "T1", "V1", "W1"]),
    el(6, "1250", S, ID, 2, 3, &["D8", "RD8"]),
    el(7, "1251", S, AN, 1, 35, &[]),
];

/// The syntax notes of segment MPI.
#[rustfmt::skip]
pub(super) const MPI_NOTES: &[SyntaxNote] = &[SyntaxNote::new(Paired, &[6, 7])];

/// The components of composite C003.
#[rustfmt::skip]
pub(super) const C003_5: &[ElementRule] = &[
    el(1, "235", R, ID, 2, 2, &["AD", "CJ", "HC", "ID", "IV", "N4", "ZZ"]),
    el(2, "234", R, AN, 1, 48, &[]),
    el(3, "1339", S, AN, 2, 2, &[]),
    el(4, "1339", S, AN, 2, 2, &[]),
    el(5, "1339", S, AN, 2, 2, &[]),
    el(6, "1339", S, AN, 2, 2, &[]),
    el(7, "352", N, AN, 1, 80, &[]),
    el(8, "234", S, AN, 1, 48, &[]),
];

/// The syntax notes of segment EB.
#[rustfmt::skip]
pub(super) const EB_NOTES: &[SyntaxNote] = &[SyntaxNote::new(Paired, &[9, 10])];

/// The elements of segment HSD, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const HSD_1: &[ElementRule] = &[
    el(1, "673", S, ID, 2, 2, &["DY", "FL", "HS", "MN", "VS"]),
    el(2, "380", S, DR, 1, 15, &[]),
    el(3, "355", S, ID, 2, 2, &["DA", "MO", "VS", "WK", "YR"]),
    el(4, "1167", S, DR, 1, 6, &[]),
    el(5, "615", S, ID, 1, 2, &["21", "22", "23", "24", "25", "26", "27", "28", "29", "30", "31", "32", "33", "34", "35", "6", "7"]),
    el(6, "616", S, N0, 1, 3, &[]),
    el(7, "678", S, ID, 1, 2, &["1", "2", "3", "4", "5", "6", "7", "8", "9", "A", "B", "C", "D", "E", "F", "G", "H", "J", "K", "L", "M", "N", "O", "P", "Q", "R", "S", "SG", "SL", "SP", "SX", "SY", "SZ", "T", "U", "V", "W", "X", "Y"]),
    el(8, "679", S, ID, 1, 1, &["A", "B", "C", "D", "E", "F", "G", "Y"]),
];

/// The syntax notes of segment HSD.
#[rustfmt::skip]
pub(super) const HSD_NOTES: &[SyntaxNote] = &[SyntaxNote::new(Paired, &[1, 2]), SyntaxNote::new(Conditional, &[6, 5])];

/// The elements of segment DTP, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const DTP_30: &[ElementRule] = &[
    el(1, "374", R, ID, 3, 3, &["096", "193", "194", "198", "290", "291", "292", "295", "304", "307", "318", "346", "348", "349", "356", "357", "435", "472", "636", "771"]),
    el(2, "1250", R, ID, 2, 3, &["D8", "RD8"]),
    el(3, "1251", R, AN, 1, 35, &[]),
];

/// The elements of segment AAA, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const AAA_1: &[ElementRule] = &[
    el(1, "1073", R, ID, 1, 1, &["N", "Y"]),
    el(2, "559", N, ID, 2, 2, &[]),
    el(3, "901", R, ID, 2, 2, &["15", "33", "52", "53", "54", "55", "56", "57", "60", "61", "62", "63", "69", "70", "98", "AA", "AE", "AF", "AG", "AO", "CI", "E8", "IA", "MA"]),
    el(4, "889", R, ID, 1, 1, &["C", "N", "R", "W", "X", "Y"]),
];

/// The elements of segment MSG, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const MSG_1: &[ElementRule] = &[
    el(1, "933", R, AN, 1, 264, &[]),
    el(2, "934", N, ID, 2, 2, &[]),
    el(3, "1470", N, N0, 1, 9, &[]),
];

/// The syntax notes of segment MSG.
#[rustfmt::skip]
pub(super) const MSG_NOTES: &[SyntaxNote] = &[SyntaxNote::new(Conditional, &[3, 2])];

/// The elements of segment III, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const III_2: &[ElementRule] = &[
    el(1, "1270", S, ID, 1, 3, &["GR", "NI", "ZZ"]),
    el(2, "1271", S, AN, 1, 30, &[]),
    el(3, "1136", S, ID, 2, 2, &["44"]),
    el(4, "933", S, AN, 1, 264, &[]),
    el(5, "380", N, DR, 1, 15, &[]),
    composite(6, "C001", N, &[]),
    el(7, "752", N, ID, 2, 2, &[]),
    el(8, "752", N, ID, 2, 2, &[]),
    el(9, "752", N, ID, 2, 2, &[]),
];

/// The elements of segment LS, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const LS_1: &[ElementRule] = &[
    el(1, "447", R, AN, 1, 4, &[]),
];

/// The elements of segment NM1, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const NM1_34: &[ElementRule] = &[
    el(1, "98", R, ID, 2, 3, &["13", "1I", "1P", "2B", "36", "73", "FA", "GP", "GW", "I3", "IL", "LR", "OC", "P3", "P4", "P5", "PR", "PRP", "SEP", "TTP", "VER", "VN", "VY", "X3", "Y2"]),
    el(2, "1065", R, ID, 1, 1, &["1", "2"]),
    el(3, "1035", S, AN, 1, 60, &[]),
    el(4, "1036", S, AN, 1, 35, &[]),
    el(5, "1037", S, AN, 1, 25, &[]),
    el(6, "1038", N, AN, 1, 10, &[]),
    el(7, "1039", S, AN, 1, 10, &[]),
    el(8, "66", S, ID, 1, 2, &["24", "34", "46", "FA", "FI", "II", "MI", "NI", "PI", "PP", "SV", "XV", "XX"]),
    el(9, "67", S, AN, 2, 80, &[]),
    el(10, "706", S, ID, 2, 2, &["01", "02", "27", "41", "48", "65", "72"]),
    el(11, "98", N, ID, 2, 3, &[]),
    el(12, "1035", N, AN, 1, 60, &[]),
];

/// The elements of segment N4, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const N4_2: &[ElementRule] = &[
    el(1, "19", R, AN, 2, 30, &[]),
    el(2, "156", S, ID, 2, 2, &[]),
    el(3, "116", S, ID, 3, 15, &[]),
    el(4, "26", S, ID, 2, 3, &[]),
    el(5, "309", S, ID, 1, 2, &["RJ"]),
    el(6, "310", S, AN, 1, 30, &[]),
    el(7, "1715", S, ID, 1, 3, &[]),
];

/// The elements of segment PER, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const PER_3: &[ElementRule] = &[
    el(1, "366", R, ID, 2, 2, &["IC"]),
    el(2, "93", S, AN, 1, 60, &[]),
    el(3, "365", S, ID, 2, 2, &["ED", "EM", "FX", "TE", "UR", "WP"]),
    el(4, "364", S, AN, 1, 256, &[]),
    el(5, "365", S, ID, 2, 2, &["ED", "EM", "EX", "FX", "TE", "UR", "WP"]),
    el(6, "364", S, AN, 1, 256, &[]),
    el(7, "365", S, ID, 2, 2, &["ED", "EM", "EX", "FX", "TE", "UR", "WP"]),
    el(8, "364", S, AN, 1, 256, &[]),
    el(9, "443", N, AN, 1, 20, &[]),
];

/// The elements of segment NM1, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const NM1_35: &[ElementRule] = &[
    el(1, "98", R, ID, 2, 3, &["1P"]),
    el(2, "1065", R, ID, 1, 1, &["1", "2"]),
    el(3, "1035", S, AN, 1, 60, &[]),
    el(4, "1036", S, AN, 1, 35, &[]),
    el(5, "1037", S, AN, 1, 25, &[]),
    el(6, "1038", N, AN, 1, 10, &[]),
    el(7, "1039", S, AN, 1, 10, &[]),
    el(8, "66", R, ID, 1, 2, &["FI", "SV", "XX"]),
    el(9, "67", R, AN, 2, 80, &[]),
    el(10, "706", N, ID, 2, 2, &[]),
    el(11, "98", N, ID, 2, 3, &[]),
    el(12, "1035", N, AN, 1, 60, &[]),
];

/// The elements of segment NM1, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const NM1_36: &[ElementRule] = &[
    el(1, "98", R, ID, 2, 3, &["IL"]),
    el(2, "1065", R, ID, 1, 1, &["1", "2"]),
    el(3, "1035", R, AN, 1, 60, &[]),
    el(4, "1036", S, AN, 1, 35, &[]),
    el(5, "1037", S, AN, 1, 25, &[]),
    el(6, "1038", N, AN, 1, 10, &[]),
    el(7, "1039", S, AN, 1, 10, &[]),
    el(8, "66", R, ID, 1, 2, &["24", "II", "MI"]),
    el(9, "67", R, AN, 2, 80, &[]),
    el(10, "706", N, ID, 2, 2, &[]),
    el(11, "98", N, ID, 2, 3, &[]),
    el(12, "1035", N, AN, 1, 60, &[]),
];

/// The components of composite C043.
#[rustfmt::skip]
pub(super) const C043_3: &[ElementRule] = &[
    el(1, "1271", R, AN, 1, 30, &[]),
    el(2, "1271", R, AN, 1, 30, &[]),
    el(3, "98", S, ID, 2, 3, &["03", "13", "17", "1E", "1G", "1H", "1I", "1O", "1P", "1Q", "1R", "1S", "1T", "1U", "1V", "1W", "1X", "1Y", "1Z", "28", "2A", "2B", "2D", "2E", "2I", "2K", "2P", "2Q", "2S", "2Z", "30", "36", "3A", "3C", "3D", "3E", "3F", "3G", "3H", "3I", "3J", "3K", "3L", "3M", "3N", "3O", "3P", "3Q", "3R", "3S", "3T", "3U", "3V", "3W", "3X", "3Y", "3Z", "40", "43", "44", "4A", "4B", "4C", "4D", "4E", "4F", "4G", "4H", "4I", "4J", "4L", "4M", "4N", "4O", "4P", "4Q", "4R", "4S", "4U", "4V", "4W", "4X", "4Y", "4Z", "5A", "5B", "5C", "5D", "5E", "5F", "5G", "5H", "5I", "5J", "5K", "5L", "5M", "5N", "5O", "5P", "5Q", "5R", "5S", "5T", "5U", "5V", "5W", "5X", "5Y", "5Z", "61", "6A", "6B", "6C", "6D", "6E", "6F", "6G", "6H", "6I", "6J", "6K", "6L", "6M", "6N", "6O", "6P", "6Q", "6R", "6S", "6U", "6V", "6W", "6X", "6Y", "71", "72", "73", "74", "77", "7C", "80", "82", "84", "85", "87", "95", "CK", "CZ", "D2", "DD", "DJ", "DK", "DN", "DO", "DQ", "E1", "E2", "E7", "E9", "FA", "FD", "FE", "G0", "G3", "GB", "GD", "GI", "GJ", "GK", "GM", "GY", "HF", "HH", "I3", "IJ", "IL", "IN", "LI", "LR", "MR", "MSC", "OB", "OD", "OX", "P0", "P2", "P3", "P4", "P6", "P7", "PRP", "PT", "PV", "PW", "QA", "QB", "QC", "QD", "QE", "QH", "QK", "QL", "QN", "QO", "QS", "QV", "QY", "RC", "RW", "S4", "SEP", "SJ", "SU", "T4", "TL", "TQ", "TT", "TTP", "TU", "UH", "X3", "X4", "X5", "ZZ"]),
    el(4, "1270", S, ID, 1, 3, &["RX"]),
];

/// The components of composite C043.
#[rustfmt::skip]
pub(super) const C043_4: &[ElementRule] = &[
    el(1, "1271", R, AN, 1, 30, &[]),
    el(2, "1271", R, AN, 1, 30, &[]),
    el(3, "98", S, ID, 2, 3, &[]),
    el(4, "1270", S, ID, 1, 3, &["RX"]),
];

/// The elements of segment STC, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const STC_1: &[ElementRule] = &[
    composite(1, "C043", R, C043_3),
    el(2, "373", R, DT, 8, 8, &[]),
    el(3, "306", N, ID, 1, 2, &[]),
    el(4, "782", S, DR, 1, 18, &[]),
    el(5, "782", S, DR, 1, 18, &[]),
    el(6, "373", S, DT, 8, 8, &[]),
    el(7, "591", N, ID, 3, 3, &[]),
    el(8, "373", S, DT, 8, 8, &[]),
    el(9, "429", S, AN, 1, 16, &[]),
    composite(10, "C043", S, C043_4),
    composite(11, "C043", S, C043_4),
    el(12, "933", N, AN, 1, 264, &[]),
];

/// The elements of segment REF, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const REF_41: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["1K"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "352", N, AN, 1, 80, &[]),
    composite(4, "C040", N, &[]),
];

/// The elements of segment REF, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const REF_42: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["BLT"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "352", N, AN, 1, 80, &[]),
    composite(4, "C040", N, &[]),
];

/// The elements of segment REF, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const REF_43: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["EJ"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "352", N, AN, 1, 80, &[]),
    composite(4, "C040", N, &[]),
];

/// The elements of segment REF, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const REF_44: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["XZ"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "352", N, AN, 1, 80, &[]),
    composite(4, "C040", N, &[]),
];

/// The elements of segment REF, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const REF_45: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["VV"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "352", N, AN, 1, 80, &[]),
    composite(4, "C040", N, &[]),
];

/// The components of composite C003.
#[rustfmt::skip]
pub(super) const C003_6: &[ElementRule] = &[
    el(1, "235", R, ID, 2, 2, &["AD", "ER", "HC", "HP", "IV", "N4", "NU", "WK"]),
    el(2, "234", R, AN, 1, 48, &[]),
    el(3, "1339", S, AN, 2, 2, &[]),
    el(4, "1339", S, AN, 2, 2, &[]),
    el(5, "1339", S, AN, 2, 2, &[]),
    el(6, "1339", S, AN, 2, 2, &[]),
    el(7, "352", N, AN, 1, 80, &[]),
    el(8, "234", N, AN, 1, 48, &[]),
];

/// The elements of segment SVC, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const SVC_1: &[ElementRule] = &[
    composite(1, "C003", R, C003_6),
    el(2, "782", R, DR, 1, 18, &[]),
    el(3, "782", R, DR, 1, 18, &[]),
    el(4, "234", S, AN, 1, 48, &[]),
    el(5, "380", N, DR, 1, 15, &[]),
    composite(6, "C003", N, &[]),
    el(7, "380", R, DR, 1, 15, &[]),
];

/// The elements of segment STC, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const STC_2: &[ElementRule] = &[
    composite(1, "C043", R, C043_3),
    el(2, "373", R, DT, 8, 8, &[]),
    el(3, "306", N, ID, 1, 2, &[]),
    el(4, "782", N, DR, 1, 18, &[]),
    el(5, "782", N, DR, 1, 18, &[]),
    el(6, "373", N, DT, 8, 8, &[]),
    el(7, "591", N, ID, 3, 3, &[]),
    el(8, "373", N, DT, 8, 8, &[]),
    el(9, "429", N, AN, 1, 16, &[]),
    composite(10, "C043", S, C043_4),
    composite(11, "C043", S, C043_4),
    el(12, "933", N, AN, 1, 264, &[]),
];

/// The elements of segment REF, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const REF_46: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["FJ"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "352", N, AN, 1, 80, &[]),
    composite(4, "C040", N, &[]),
];

/// The elements of segment HL, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const HL_6: &[ElementRule] = &[
    el(1, "628", R, AN, 1, 12, &[]),
    el(2, "734", R, AN, 1, 12, &[]),
    el(3, "735", R, ID, 1, 2, &["23"]),
    el(4, "736", N, ID, 1, 1, &[]),
];

/// The elements of segment DMG, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const DMG_4: &[ElementRule] = &[
    el(1, "1250", R, ID, 2, 3, &["D8"]),
    el(2, "1251", R, AN, 1, 35, &[]),
    el(3, "1068", S, ID, 1, 1, &["F", "M", "U"]),
];

/// The syntax notes of segment DMG.
#[rustfmt::skip]
pub(super) const DMG_NOTES_2: &[SyntaxNote] = &[SyntaxNote::new(Paired, &[1, 2])];

/// The elements of segment REF, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const REF_47: &[ElementRule] = &[
    el(1, "128", R, ID, 2, 3, &["6P"]),
    el(2, "127", R, AN, 1, 50, &[]),
    el(3, "352", N, AN, 1, 80, &[]),
    composite(4, "C040", N, &[]),
];

/// The elements of segment AMT, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const AMT_12: &[ElementRule] = &[
    el(1, "522", R, ID, 1, 3, &["T3"]),
    el(2, "782", R, DR, 1, 18, &[]),
    el(3, "478", N, ID, 1, 1, &[]),
];

/// The elements of segment SVC, as several places of the guides have them.
#[rustfmt::skip]
pub(super) const SVC_2: &[ElementRule] = &[
    composite(1, "C003", R, C003_6),
    el(2, "782", R, DR, 1, 18, &[]),
    el(3, "782", S, DR, 1, 18, &[]),
    el(4, "234", S, AN, 1, 48, &[]),
    el(5, "380", N, DR, 1, 15, &[]),
    composite(6, "C003", N, &[]),
    el(7, "380", R, DR, 1, 15, &[]),
];
