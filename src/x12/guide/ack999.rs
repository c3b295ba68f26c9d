//! Table of the 999 implementation acknowledgment guide, 005010X231A1: every loop and segment.
//!
//! Situational segments and elements are checked for form; see the `guide` module for what no
//! table decides.

use super::DataType::{Alphanumeric as AN, Identifier as ID, Numeric0 as N0};
use super::Usage::{NotUsed as N, Required as R, Situational as S};
use super::{Guide, Node, UNBOUNDED, composite, el, loop_of, nested, segment, shared};

/// Loop 2110.
#[rustfmt::skip]
const LOOP_2110: &[Node] = &[
    segment("IK4", 600, S, 1, &[], &[
        composite(1, "C030", R, shared::C030_1),
        el(2, "725", S, N0, 1, 4, &[]),
        el(3, "621", R, ID, 1, 3, &["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "I10", "I11", "I12", "I13", "I6", "I9"]),
        el(4, "724", S, AN, 1, 99, &[]),
    ]),
    segment("CTX", 700, S, 10, &[], shared::CTX_1),
];

/// Loop 2100.
#[rustfmt::skip]
const LOOP_2100: &[Node] = &[
    segment("IK3", 400, R, 1, &[], &[
        el(1, "721", R, ID, 2, 3, &[]),
        el(2, "719", R, N0, 1, 6, &[]),
        el(3, "447", S, AN, 1, 4, &[]),
        el(4, "620", S, ID, 1, 3, &["1", "2", "3", "4", "5", "6", "7", "8", "I4", "I6", "I7", "I8", "I9"]),
    ]),
    segment("CTX", 500, S, 9, &[], shared::CTX_1),
    segment("CTX", 500, S, 1, &[], &[
        composite(1, "C998", R, &[
            el(1, "9999", R, AN, 1, 35, &["TRN02", "NM109", "PATIENT NAME NM109", "SUBSCRIBER NAME NM109", "ENT01", "SUBSCRIBER NUMBER REF02", "CLM01"]),
            el(2, "9998", R, AN, 1, 35, &[]),
        ]),
        el(2, "721", N, ID, 2, 3, &[]),
        el(3, "719", N, N0, 1, 6, &[]),
        el(4, "447", N, AN, 1, 4, &[]),
        composite(5, "C030", S, shared::C030_1),
        composite(6, "C999", N, shared::C999_1),
    ]),
    nested("2110", S, UNBOUNDED, LOOP_2110),
];

/// Loop 2000.
#[rustfmt::skip]
const LOOP_2000: &[Node] = &[
    segment("AK2", 300, R, 1, &[], &[
        el(1, "143", R, ID, 3, 3, &["270", "271", "276", "277", "278", "820", "834", "835", "837"]),
        el(2, "329", R, AN, 4, 9, &[]),
        el(3, "1705", S, AN, 1, 35, &[]),
    ]),
    nested("2100", S, UNBOUNDED, LOOP_2100),
    segment("IK5", 800, R, 1, &[], &[
        el(1, "717", R, ID, 1, 1, &["A", "E", "M", "R", "W", "X"]),
        el(2, "618", S, ID, 1, 3, &["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "15", "16", "17", "18", "19", "23", "24", "25", "26", "27", "I5", "I6"]),
        el(3, "618", S, ID, 1, 3, &["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "15", "16", "17", "18", "19", "23", "24", "25", "26", "27", "I5", "I6"]),
        el(4, "618", S, ID, 1, 3, &["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "15", "16", "17", "18", "19", "23", "24", "25", "26", "27", "I5", "I6"]),
        el(5, "618", S, ID, 1, 3, &["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "15", "16", "17", "18", "19", "23", "24", "25", "26", "27", "I5", "I6"]),
        el(6, "618", S, ID, 1, 3, &["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "15", "16", "17", "18", "19", "23", "24", "25", "26", "27", "I5", "I6"]),
    ]),
];

/// The transaction set (ST..SE).
#[rustfmt::skip]
const LOOP_ST: &[Node] = &[
    segment("ST", 50, R, 1, &[], &[
        el(1, "143", R, ID, 3, 3, &["999"]),
        el(2, "329", R, AN, 4, 9, &[]),
        el(3, "1705", R, AN, 1, 35, &["005010X231A1"]),
    ]),
    segment("AK1", 200, R, 1, &[], &[
        el(1, "479", R, ID, 2, 2, &["BE", "HB", "HC", "HI", "HN", "HP", "HR", "HS", "RA"]),
        el(2, "28", R, N0, 1, 9, &[]),
        el(3, "480", R, AN, 1, 12, &[]),
    ]),
    nested("2000", S, UNBOUNDED, LOOP_2000),
    segment("AK9", 900, R, 1, &[], &[
        el(1, "715", R, ID, 1, 1, &["A", "E", "M", "P", "R", "W", "X"]),
        el(2, "97", R, N0, 1, 6, &[]),
        el(3, "123", R, N0, 1, 6, &[]),
        el(4, "2", R, N0, 1, 6, &[]),
        el(5, "716", S, ID, 1, 3, &["1", "2", "3", "4", "5", "6", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19", "23", "24", "25", "26"]),
        el(6, "716", S, ID, 1, 3, &["1", "2", "3", "4", "5", "6", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19", "23", "24", "25", "26"]),
        el(7, "716", S, ID, 1, 3, &["1", "2", "3", "4", "5", "6", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19", "23", "24", "25", "26"]),
        el(8, "716", S, ID, 1, 3, &["1", "2", "3", "4", "5", "6", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19", "23", "24", "25", "26"]),
        el(9, "716", S, ID, 1, 3, &["1", "2", "3", "4", "5", "6", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19", "23", "24", "25", "26"]),
    ]),
    segment("SE", 800, R, 1, &[], shared::SE_1),
];

/// The 005010X231A1 guide.
pub(super) static GUIDE: Guide = Guide {
    transaction_set: "999",
    implementation: "005010X231A1",
    also_serves: &["005010X231"],
    name: "999 Implementation Acknowledgment",
    root: loop_of("ST_LOOP", R, 1, LOOP_ST),
    business_unit: None,
};
