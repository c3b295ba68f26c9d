//! Table of the 837 institutional claim guide, 005010X223A2: every loop and segment. It is
//! transcribed from the A1 edition; where the A2 errata changed a code list or a usage, this
//! table still holds the A1 reading.
//!
//! Situational segments and elements are checked for form; see the `guide` module for what no
//! table decides.

use super::DataType::{
    Alphanumeric as AN, Date as DT, Decimal as DR, Identifier as ID, Time as TM,
};
use super::Usage::{NotUsed as N, Required as R, Situational as S};
use super::{BusinessUnit, Guide, Node, UNBOUNDED, el, loop_of, nested, segment, shared};

/// Loop 1000A.
#[rustfmt::skip]
const LOOP_1000A: &[Node] = &[
    segment("NM1", 200, R, 1, shared::NM1_NOTES_2, shared::NM1_1),
    segment("PER", 450, R, 2, shared::PER_NOTES, shared::PER_1),
];

/// Loop 1000B.
#[rustfmt::skip]
const LOOP_1000B: &[Node] = &[
    segment("NM1", 200, R, 1, shared::NM1_NOTES_2, shared::NM1_2),
];

/// Loop 2010AA.
#[rustfmt::skip]
const LOOP_2010AA: &[Node] = &[
    segment("NM1", 150, R, 1, shared::NM1_NOTES_2, &[
        el(1, "98", R, ID, 2, 3, &["85"]),
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
    ]),
    segment("N3", 250, R, 1, &[], shared::N3_1),
    segment("N4", 300, R, 1, shared::N4_NOTES, shared::N4_1),
    segment("REF", 350, R, 1, shared::REF_NOTES, shared::REF_2),
    segment("PER", 400, S, 2, shared::PER_NOTES, shared::PER_1),
];

/// Loop 2010AB.
#[rustfmt::skip]
const LOOP_2010AB: &[Node] = &[
    segment("NM1", 150, R, 1, shared::NM1_NOTES_2, &[
        el(1, "98", R, ID, 2, 3, &["87"]),
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
    ]),
    segment("N3", 250, R, 1, &[], shared::N3_1),
    segment("N4", 300, R, 1, shared::N4_NOTES, shared::N4_1),
];

/// Loop 2010AC.
#[rustfmt::skip]
const LOOP_2010AC: &[Node] = &[
    segment("NM1", 150, R, 1, shared::NM1_NOTES_2, shared::NM1_3),
    segment("N3", 250, R, 1, &[], shared::N3_1),
    segment("N4", 300, R, 1, shared::N4_NOTES, shared::N4_1),
    segment("REF", 350, S, 1, shared::REF_NOTES, shared::REF_1),
    segment("REF", 350, R, 1, shared::REF_NOTES, shared::REF_2),
];

/// Loop 2010BA.
#[rustfmt::skip]
const LOOP_2010BA: &[Node] = &[
    segment("NM1", 150, R, 1, shared::NM1_NOTES_2, &[
        el(1, "98", R, ID, 2, 3, &["IL"]),
        el(2, "1065", R, ID, 1, 1, &["1", "2"]),
        el(3, "1035", R, AN, 1, 60, &[]),
        el(4, "1036", S, AN, 1, 35, &[]),
        el(5, "1037", S, AN, 1, 25, &[]),
        el(6, "1038", N, AN, 1, 10, &[]),
        el(7, "1039", S, AN, 1, 10, &[]),
        el(8, "66", S, ID, 1, 2, &["II", "MI"]),
        el(9, "67", S, AN, 2, 80, &[]),
        el(10, "706", N, ID, 2, 2, &[]),
        el(11, "98", N, ID, 2, 3, &[]),
        el(12, "1035", N, AN, 1, 60, &[]),
    ]),
    segment("N3", 250, S, 1, &[], shared::N3_1),
    segment("N4", 300, S, 1, shared::N4_NOTES, shared::N4_1),
    segment("DMG", 320, S, 1, shared::DMG_NOTES, shared::DMG_1),
    segment("REF", 350, S, 1, shared::REF_NOTES, shared::REF_3),
    segment("REF", 350, S, 1, shared::REF_NOTES, shared::REF_4),
];

/// Loop 2010BB.
#[rustfmt::skip]
const LOOP_2010BB: &[Node] = &[
    segment("NM1", 150, R, 1, shared::NM1_NOTES_2, shared::NM1_5),
    segment("N3", 250, S, 1, &[], shared::N3_1),
    segment("N4", 300, S, 1, shared::N4_NOTES, shared::N4_1),
    segment("REF", 350, S, 3, shared::REF_NOTES, shared::REF_5),
    segment("REF", 350, S, 1, shared::REF_NOTES, shared::REF_6),
];

/// Loop 2310A.
#[rustfmt::skip]
const LOOP_2310A: &[Node] = &[
    segment("NM1", 2500, R, 1, shared::NM1_NOTES_2, shared::NM1_20),
    segment("PRV", 2550, S, 1, shared::PRV_NOTES, shared::PRV_3),
    segment("REF", 2710, S, 4, shared::REF_NOTES, shared::REF_22),
];

/// Loop 2310B.
#[rustfmt::skip]
const LOOP_2310B: &[Node] = &[
    segment("NM1", 2500, R, 1, shared::NM1_NOTES_2, shared::NM1_21),
    segment("REF", 2710, S, 4, shared::REF_NOTES, shared::REF_22),
];

/// Loop 2310C.
#[rustfmt::skip]
const LOOP_2310C: &[Node] = &[
    segment("NM1", 2500, R, 1, shared::NM1_NOTES_2, shared::NM1_22),
    segment("REF", 2710, S, 4, shared::REF_NOTES, shared::REF_22),
];

/// Loop 2310D.
#[rustfmt::skip]
const LOOP_2310D: &[Node] = &[
    segment("NM1", 2500, R, 1, shared::NM1_NOTES_2, shared::NM1_23),
    segment("REF", 2710, S, 4, shared::REF_NOTES, shared::REF_22),
];

/// Loop 2310E.
#[rustfmt::skip]
const LOOP_2310E: &[Node] = &[
    segment("NM1", 2500, R, 1, shared::NM1_NOTES_2, shared::NM1_8),
    segment("N3", 2650, R, 1, &[], shared::N3_1),
    segment("N4", 2700, R, 1, shared::N4_NOTES, shared::N4_1),
    segment("REF", 2710, S, 3, shared::REF_NOTES, shared::REF_23),
];

/// Loop 2310F.
#[rustfmt::skip]
const LOOP_2310F: &[Node] = &[
    segment("NM1", 2500, R, 1, shared::NM1_NOTES_2, shared::NM1_24),
    segment("REF", 2710, S, 3, shared::REF_NOTES, shared::REF_21),
];

/// Loop 2330A.
#[rustfmt::skip]
const LOOP_2330A: &[Node] = &[
    segment("NM1", 3250, R, 1, shared::NM1_NOTES_2, shared::NM1_4),
    segment("N3", 3320, S, 1, &[], shared::N3_1),
    segment("N4", 3400, S, 1, shared::N4_NOTES, shared::N4_1),
    segment("REF", 3550, S, 2, shared::REF_NOTES, shared::REF_3),
];

/// Loop 2330B.
#[rustfmt::skip]
const LOOP_2330B: &[Node] = &[
    segment("NM1", 3250, R, 1, shared::NM1_NOTES_2, shared::NM1_5),
    segment("N3", 3320, S, 1, &[], shared::N3_1),
    segment("N4", 3400, S, 1, shared::N4_NOTES, shared::N4_1),
    segment("DTP", 3500, S, 1, &[], shared::DTP_17),
    segment("REF", 3550, S, 2, shared::REF_NOTES, shared::REF_5),
    segment("REF", 3550, S, 1, shared::REF_NOTES, shared::REF_11),
    segment("REF", 3550, S, 1, shared::REF_NOTES, shared::REF_10),
    segment("REF", 3550, S, 1, shared::REF_NOTES, shared::REF_24),
    segment("REF", 3550, S, 1, shared::REF_NOTES, shared::REF_12),
];

/// Loop 2330C.
#[rustfmt::skip]
const LOOP_2330C: &[Node] = &[
    segment("NM1", 3250, R, 1, shared::NM1_NOTES_2, shared::NM1_25),
    segment("REF", 3550, R, 4, shared::REF_NOTES, shared::REF_22),
];

/// Loop 2330D.
#[rustfmt::skip]
const LOOP_2330D: &[Node] = &[
    segment("NM1", 3250, R, 1, shared::NM1_NOTES_2, shared::NM1_26),
    segment("REF", 3550, R, 4, shared::REF_NOTES, shared::REF_22),
];

/// Loop 2330E.
#[rustfmt::skip]
const LOOP_2330E: &[Node] = &[
    segment("NM1", 3250, R, 1, shared::NM1_NOTES_2, shared::NM1_27),
    segment("REF", 3550, R, 4, shared::REF_NOTES, shared::REF_22),
];

/// Loop 2330F.
#[rustfmt::skip]
const LOOP_2330F: &[Node] = &[
    segment("NM1", 3250, R, 1, shared::NM1_NOTES_2, shared::NM1_14),
    segment("REF", 3550, R, 3, shared::REF_NOTES, shared::REF_23),
];

/// Loop 2330G.
#[rustfmt::skip]
const LOOP_2330G: &[Node] = &[
    segment("NM1", 3250, R, 1, shared::NM1_NOTES_2, shared::NM1_28),
    segment("REF", 3550, R, 4, shared::REF_NOTES, shared::REF_22),
];

/// Loop 2330H.
#[rustfmt::skip]
const LOOP_2330H: &[Node] = &[
    segment("NM1", 3250, R, 1, shared::NM1_NOTES_2, shared::NM1_29),
    segment("REF", 3550, R, 3, shared::REF_NOTES, shared::REF_21),
];

/// Loop 2330I.
#[rustfmt::skip]
const LOOP_2330I: &[Node] = &[
    segment("NM1", 3250, R, 1, shared::NM1_NOTES_2, shared::NM1_30),
    segment("REF", 3550, R, 2, shared::REF_NOTES, shared::REF_6),
];

/// Loop 2320.
#[rustfmt::skip]
const LOOP_2320: &[Node] = &[
    segment("SBR", 2900, R, 1, &[], shared::SBR_2),
    segment("CAS", 2950, S, 5, shared::CAS_NOTES, shared::CAS_1),
    segment("AMT", 3000, S, 1, &[], shared::AMT_2),
    segment("AMT", 3000, S, 1, &[], shared::AMT_4),
    segment("AMT", 3000, S, 1, &[], shared::AMT_3),
    segment("OI", 3100, R, 1, &[], shared::OI_2),
    segment("MIA", 3150, S, 1, &[], shared::MIA_1),
    segment("MOA", 3200, S, 1, &[], shared::MOA_1),
    nested("2330A", R, 1, LOOP_2330A),
    nested("2330B", R, 1, LOOP_2330B),
    nested("2330C", S, 1, LOOP_2330C),
    nested("2330D", S, 1, LOOP_2330D),
    nested("2330E", S, 1, LOOP_2330E),
    nested("2330F", S, 1, LOOP_2330F),
    nested("2330G", S, 1, LOOP_2330G),
    nested("2330H", S, 1, LOOP_2330H),
    nested("2330I", S, 1, LOOP_2330I),
];

/// Loop 2410.
#[rustfmt::skip]
const LOOP_2410: &[Node] = &[
    segment("LIN", 4930, R, 1, shared::LIN_NOTES, shared::LIN_2),
    segment("CTP", 4940, R, 1, shared::CTP_NOTES, shared::CTP_1),
    segment("REF", 4950, S, 1, shared::REF_NOTES, shared::REF_30),
];

/// Loop 2420A.
#[rustfmt::skip]
const LOOP_2420A: &[Node] = &[
    segment("NM1", 5000, R, 1, shared::NM1_NOTES_2, shared::NM1_21),
    segment("REF", 5250, S, 20, shared::REF_NOTES, shared::REF_36),
];

/// Loop 2420B.
#[rustfmt::skip]
const LOOP_2420B: &[Node] = &[
    segment("NM1", 5000, R, 1, shared::NM1_NOTES_2, shared::NM1_22),
    segment("REF", 5250, S, 20, shared::REF_NOTES, shared::REF_36),
];

/// Loop 2420C.
#[rustfmt::skip]
const LOOP_2420C: &[Node] = &[
    segment("NM1", 5000, R, 1, shared::NM1_NOTES_2, shared::NM1_23),
    segment("REF", 5250, S, 20, shared::REF_NOTES, shared::REF_36),
];

/// Loop 2420D.
#[rustfmt::skip]
const LOOP_2420D: &[Node] = &[
    segment("NM1", 5000, R, 1, shared::NM1_NOTES_2, shared::NM1_24),
    segment("REF", 5250, S, 20, shared::REF_NOTES, shared::REF_37),
];

/// Loop 2430.
#[rustfmt::skip]
const LOOP_2430: &[Node] = &[
    segment("SVD", 5400, R, 1, &[], shared::SVD_2),
    segment("CAS", 5450, S, 5, shared::CAS_NOTES, shared::CAS_1),
    segment("DTP", 5500, R, 1, &[], shared::DTP_17),
    segment("AMT", 5505, S, 1, &[], shared::AMT_4),
];

/// Loop 2400.
#[rustfmt::skip]
const LOOP_2400: &[Node] = &[
    segment("LX", 3650, R, 1, &[], shared::LX_1),
    segment("SV2", 3750, R, 1, shared::SV2_NOTES, shared::SV2_1),
    segment("PWK", 4200, S, 10, shared::PWK_NOTES, shared::PWK_1),
    segment("DTP", 4550, S, 1, &[], shared::DTP_18),
    segment("REF", 4700, S, 1, shared::REF_NOTES, shared::REF_27),
    segment("REF", 4700, S, 1, shared::REF_NOTES, shared::REF_25),
    segment("REF", 4700, S, 1, shared::REF_NOTES, shared::REF_26),
    segment("AMT", 4750, S, 1, &[], shared::AMT_8),
    segment("AMT", 4750, S, 1, &[], shared::AMT_9),
    segment("NTE", 4850, S, 1, &[], shared::NTE_3),
    segment("HCP", 4920, S, 1, shared::HCP_NOTES, shared::HCP_4),
    nested("2410", S, 1, LOOP_2410),
    nested("2420A", S, 1, LOOP_2420A),
    nested("2420B", S, 1, LOOP_2420B),
    nested("2420C", S, 1, LOOP_2420C),
    nested("2420D", S, 1, LOOP_2420D),
    nested("2430", S, 15, LOOP_2430),
];

/// Loop 2300.
#[rustfmt::skip]
const LOOP_2300: &[Node] = &[
    segment("CLM", 1300, R, 1, &[], shared::CLM_2),
    segment("DTP", 1350, S, 1, &[], shared::DTP_24),
    segment("DTP", 1350, R, 1, &[], shared::DTP_25),
    segment("DTP", 1350, S, 1, &[], shared::DTP_26),
    segment("DTP", 1350, S, 1, &[], shared::DTP_16),
    segment("CL1", 1400, R, 1, &[], shared::CL1_1),
    segment("PWK", 1550, S, 10, shared::PWK_NOTES, shared::PWK_1),
    segment("CN1", 1600, S, 1, &[], shared::CN1_1),
    segment("AMT", 1750, S, 1, &[], shared::AMT_7),
    segment("REF", 1800, S, 1, shared::REF_NOTES, shared::REF_7),
    segment("REF", 1800, S, 1, shared::REF_NOTES, shared::REF_10),
    segment("REF", 1800, S, 1, shared::REF_NOTES, shared::REF_11),
    segment("REF", 1800, S, 1, shared::REF_NOTES, shared::REF_12),
    segment("REF", 1800, S, 1, shared::REF_NOTES, shared::REF_14),
    segment("REF", 1800, S, 1, shared::REF_NOTES, shared::REF_15),
    segment("REF", 1800, S, 5, shared::REF_NOTES, shared::REF_16),
    segment("REF", 1800, S, 1, shared::REF_NOTES, shared::REF_17),
    segment("REF", 1800, S, 1, shared::REF_NOTES, shared::REF_32),
    segment("REF", 1800, S, 1, shared::REF_NOTES, shared::REF_18),
    segment("REF", 1800, S, 1, shared::REF_NOTES, shared::REF_19),
    segment("REF", 1800, S, 1, shared::REF_NOTES, shared::REF_33),
    segment("K3", 1850, S, 10, &[], shared::K3_1),
    segment("NTE", 1900, S, 10, &[], shared::NTE_4),
    segment("NTE", 1900, S, 1, &[], shared::NTE_5),
    segment("CRC", 2200, S, 1, &[], shared::CRC_7),
    segment("HI", 2310, R, 1, &[], shared::HI_4),
    segment("HI", 2310, S, 1, &[], shared::HI_5),
    segment("HI", 2310, S, 1, &[], shared::HI_6),
    segment("HI", 2310, S, 1, &[], shared::HI_7),
    segment("HI", 2310, S, 1, &[], shared::HI_8),
    segment("HI", 2310, S, 2, &[], shared::HI_9),
    segment("HI", 2310, S, 1, &[], shared::HI_10),
    segment("HI", 2310, S, 2, &[], shared::HI_11),
    segment("HI", 2310, S, 2, &[], shared::HI_12),
    segment("HI", 2310, S, 2, &[], shared::HI_13),
    segment("HI", 2310, S, 2, &[], shared::HI_14),
    segment("HI", 2310, S, 2, &[], shared::HI_3),
    segment("HI", 2310, S, 2, &[], shared::HI_15),
    segment("HCP", 2410, S, 1, shared::HCP_NOTES, shared::HCP_3),
    nested("2310A", S, 1, LOOP_2310A),
    nested("2310B", S, 1, LOOP_2310B),
    nested("2310C", S, 1, LOOP_2310C),
    nested("2310D", S, 1, LOOP_2310D),
    nested("2310E", S, 1, LOOP_2310E),
    nested("2310F", S, 1, LOOP_2310F),
    nested("2320", S, 10, LOOP_2320),
    nested("2400", R, 999, LOOP_2400),
];

/// Loop 2010CA.
#[rustfmt::skip]
const LOOP_2010CA: &[Node] = &[
    segment("NM1", 150, R, 1, shared::NM1_NOTES_2, shared::NM1_19),
    segment("N3", 250, R, 1, &[], shared::N3_1),
    segment("N4", 300, R, 1, shared::N4_NOTES, shared::N4_1),
    segment("DMG", 320, R, 1, shared::DMG_NOTES, shared::DMG_1),
    segment("REF", 350, S, 1, shared::REF_NOTES, shared::REF_4),
    segment("REF", 350, S, 1, shared::REF_NOTES, shared::REF_31),
];

/// Loop 2000C.
#[rustfmt::skip]
const LOOP_2000C: &[Node] = &[
    segment("HL", 10, R, 1, &[], shared::HL_3),
    segment("PAT", 70, R, 1, shared::PAT_NOTES, &[
        el(1, "1069", R, ID, 2, 2, &["01", "19", "20", "21", "39", "40", "53", "G8"]),
        el(2, "1384", N, ID, 1, 1, &[]),
        el(3, "584", N, ID, 2, 2, &[]),
        el(4, "1220", N, ID, 1, 1, &[]),
        el(5, "1250", N, ID, 2, 3, &[]),
        el(6, "1251", N, AN, 1, 35, &[]),
        el(7, "355", N, ID, 2, 2, &[]),
        el(8, "81", N, DR, 1, 10, &[]),
        el(9, "1073", N, ID, 1, 1, &[]),
    ]),
    nested("2010CA", R, 1, LOOP_2010CA),
    nested("2300", R, 100, LOOP_2300),
];

/// Loop 2000B.
#[rustfmt::skip]
const LOOP_2000B: &[Node] = &[
    segment("HL", 10, R, 1, &[], shared::HL_2),
    segment("SBR", 50, R, 1, &[], &[
        el(1, "1138", R, ID, 1, 1, &["A", "B", "C", "D", "E", "F", "G", "H", "P", "S", "T", "U"]),
        el(2, "1069", S, ID, 2, 2, &["18"]),
        el(3, "127", S, AN, 1, 50, &[]),
        el(4, "93", S, AN, 1, 60, &[]),
        el(5, "1336", N, ID, 1, 3, &[]),
        el(6, "1143", N, ID, 1, 1, &[]),
        el(7, "1073", N, ID, 1, 1, &[]),
        el(8, "584", N, ID, 2, 2, &[]),
        el(9, "1032", S, ID, 1, 2, &["11", "12", "13", "14", "15", "16", "17", "AM", "BL", "CH", "CI", "DS", "FI", "HM", "LM", "MA", "MB", "MC", "OF", "TV", "VA", "WC", "ZZ"]),
    ]),
    nested("2010BA", R, 1, LOOP_2010BA),
    nested("2010BB", R, 1, LOOP_2010BB),
    nested("2300", S, 100, LOOP_2300),
    nested("2000C", S, UNBOUNDED, LOOP_2000C),
];

/// Loop 2000A.
#[rustfmt::skip]
const LOOP_2000A: &[Node] = &[
    segment("HL", 10, R, 1, &[], shared::HL_1),
    segment("PRV", 30, S, 1, shared::PRV_NOTES, shared::PRV_1),
    segment("CUR", 100, S, 1, shared::CUR_NOTES, shared::CUR_1),
    nested("2010AA", R, 1, LOOP_2010AA),
    nested("2010AB", S, 1, LOOP_2010AB),
    nested("2010AC", S, 1, LOOP_2010AC),
    nested("2000B", R, UNBOUNDED, LOOP_2000B),
];

/// The transaction set (ST..SE).
#[rustfmt::skip]
const LOOP_ST: &[Node] = &[
    segment("ST", 50, R, 1, &[], &[
        el(1, "143", R, ID, 3, 3, &["837"]),
        el(2, "329", R, AN, 4, 9, &[]),
        el(3, "1705", R, AN, 1, 35, &["005010X223A2"]),
    ]),
    segment("BHT", 100, R, 1, &[], &[
        el(1, "1005", R, ID, 4, 4, &["0019"]),
        el(2, "353", R, ID, 2, 2, &["00", "18"]),
        el(3, "127", R, AN, 1, 50, &[]),
        el(4, "373", R, DT, 8, 8, &[]),
        el(5, "337", R, TM, 4, 8, &[]),
        el(6, "640", R, ID, 2, 2, &["31", "CH", "RP"]),
    ]),
    nested("1000A", R, 1, LOOP_1000A),
    nested("1000B", R, 1, LOOP_1000B),
    nested("2000A", R, UNBOUNDED, LOOP_2000A),
    segment("SE", 5550, R, 1, &[], shared::SE_1),
];

/// The 005010X223A2 guide.
pub(super) static GUIDE: Guide = Guide {
    transaction_set: "837",
    implementation: "005010X223A2",
    also_serves: &["005010X223A1", "005010X223A3"],
    name: "837 Health Care Claim: Institutional",
    root: loop_of("ST_LOOP", R, 1, LOOP_ST),
    business_unit: Some(BusinessUnit {
        loop_id: "2300",
        element: 1,
        label: "CLM01",
    }),
};
