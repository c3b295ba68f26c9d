//! Table of the 837 professional claim guide, 005010X222A1 (also applied to the A2 errata):
//! every loop and segment of the TR3.
//!
//! Situational segments and elements are checked for form; see the `guide` module for what no
//! table decides.

use super::DataType::{
    Alphanumeric as AN, Date as DT, Decimal as DR, Identifier as ID, Time as TM,
};
use super::Usage::{NotUsed as N, Required as R, Situational as S};
use super::{
    BusinessUnit, Guide, Node, UNBOUNDED, composite, el, loop_of, nested, segment, shared,
};

/// Loop 1000A.
#[rustfmt::skip]
const LOOP_1000A: &[Node] = &[
    segment("NM1", 200, R, 1, shared::NM1_NOTES, shared::NM1_1),
    segment("PER", 450, R, 2, shared::PER_NOTES, &[
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

/// Loop 1000B.
#[rustfmt::skip]
const LOOP_1000B: &[Node] = &[
    segment("NM1", 200, R, 1, shared::NM1_NOTES, shared::NM1_2),
];

/// Loop 2010AA.
#[rustfmt::skip]
const LOOP_2010AA: &[Node] = &[
    segment("NM1", 150, R, 1, shared::NM1_NOTES_2, &[
        el(1, "98", R, ID, 2, 3, &["85"]),
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
    ]),
    segment("N3", 250, R, 1, &[], shared::N3_1),
    segment("N4", 300, R, 1, shared::N4_NOTES, shared::N4_1),
    segment("REF", 350, R, 1, shared::REF_NOTES, &[
        el(1, "128", R, ID, 2, 3, &["EI", "SY"]),
        el(2, "127", R, AN, 1, 50, &[]),
        el(3, "352", N, AN, 1, 80, &[]),
        composite(4, "C040", N, &[]),
    ]),
    segment("REF", 350, S, 2, shared::REF_NOTES, &[
        el(1, "128", R, ID, 2, 3, &["0B", "1G"]),
        el(2, "127", R, AN, 1, 50, &[]),
        el(3, "352", N, AN, 1, 80, &[]),
        composite(4, "C040", N, &[]),
    ]),
    segment("PER", 400, S, 2, shared::PER_NOTES, shared::PER_1),
];

/// Loop 2010AB.
#[rustfmt::skip]
const LOOP_2010AB: &[Node] = &[
    segment("NM1", 150, R, 1, shared::NM1_NOTES_2, &[
        el(1, "98", R, ID, 2, 3, &["87"]),
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
    segment("NM1", 150, R, 1, shared::NM1_NOTES_2, shared::NM1_4),
    segment("N3", 250, S, 1, &[], shared::N3_1),
    segment("N4", 300, S, 1, shared::N4_NOTES, shared::N4_1),
    segment("DMG", 320, S, 1, shared::DMG_NOTES, shared::DMG_1),
    segment("REF", 350, S, 1, shared::REF_NOTES, shared::REF_3),
    segment("REF", 350, S, 1, shared::REF_NOTES, shared::REF_4),
    segment("PER", 400, S, 1, shared::PER_NOTES, shared::PER_2),
];

/// Loop 2010BB.
#[rustfmt::skip]
const LOOP_2010BB: &[Node] = &[
    segment("NM1", 150, R, 1, shared::NM1_NOTES_2, shared::NM1_5),
    segment("N3", 250, S, 1, &[], shared::N3_1),
    segment("N4", 300, S, 1, shared::N4_NOTES, shared::N4_1),
    segment("REF", 350, S, 3, shared::REF_NOTES, shared::REF_5),
    segment("REF", 350, S, 2, shared::REF_NOTES, shared::REF_6),
];

/// Loop 2310A.
#[rustfmt::skip]
const LOOP_2310A: &[Node] = &[
    segment("NM1", 2500, R, 1, shared::NM1_NOTES_2, shared::NM1_6),
    segment("REF", 2710, S, 3, shared::REF_NOTES, shared::REF_21),
];

/// Loop 2310B.
#[rustfmt::skip]
const LOOP_2310B: &[Node] = &[
    segment("NM1", 2500, R, 1, shared::NM1_NOTES_2, shared::NM1_7),
    segment("PRV", 2550, S, 1, shared::PRV_NOTES, shared::PRV_2),
    segment("REF", 2710, S, 4, shared::REF_NOTES, shared::REF_22),
];

/// Loop 2310C.
#[rustfmt::skip]
const LOOP_2310C: &[Node] = &[
    segment("NM1", 2500, R, 1, shared::NM1_NOTES_2, shared::NM1_8),
    segment("N3", 2650, R, 1, &[], shared::N3_1),
    segment("N4", 2700, R, 1, shared::N4_NOTES, shared::N4_1),
    segment("REF", 2710, S, 3, shared::REF_NOTES, shared::REF_23),
    segment("PER", 2750, S, 1, shared::PER_NOTES, shared::PER_2),
];

/// Loop 2310D.
#[rustfmt::skip]
const LOOP_2310D: &[Node] = &[
    segment("NM1", 2500, R, 1, shared::NM1_NOTES_2, shared::NM1_9),
    segment("REF", 2710, S, 4, shared::REF_NOTES, shared::REF_22),
];

/// Loop 2310E.
#[rustfmt::skip]
const LOOP_2310E: &[Node] = &[
    segment("NM1", 2500, R, 1, shared::NM1_NOTES_2, shared::NM1_10),
    segment("N3", 2650, R, 1, &[], shared::N3_1),
    segment("N4", 2700, R, 1, shared::N4_NOTES, shared::N4_1),
];

/// Loop 2310F.
#[rustfmt::skip]
const LOOP_2310F: &[Node] = &[
    segment("NM1", 2500, R, 1, shared::NM1_NOTES_2, shared::NM1_11),
    segment("N3", 2650, R, 1, &[], shared::N3_1),
    segment("N4", 2700, R, 1, shared::N4_NOTES, shared::N4_1),
];

/// Loop 2330A.
#[rustfmt::skip]
const LOOP_2330A: &[Node] = &[
    segment("NM1", 3250, R, 1, shared::NM1_NOTES_2, shared::NM1_4),
    segment("N3", 3320, S, 1, &[], shared::N3_1),
    segment("N4", 3400, S, 1, shared::N4_NOTES, shared::N4_1),
    segment("REF", 3550, S, 1, shared::REF_NOTES, shared::REF_3),
];

/// Loop 2330B.
#[rustfmt::skip]
const LOOP_2330B: &[Node] = &[
    segment("NM1", 3250, R, 1, shared::NM1_NOTES_2, shared::NM1_5),
    segment("N3", 3320, S, 1, &[], shared::N3_1),
    segment("N4", 3400, S, 1, shared::N4_NOTES, shared::N4_1),
    segment("DTP", 3450, S, 1, &[], shared::DTP_17),
    segment("REF", 3550, S, 2, shared::REF_NOTES, shared::REF_5),
    segment("REF", 3550, S, 1, shared::REF_NOTES, shared::REF_11),
    segment("REF", 3550, S, 1, shared::REF_NOTES, shared::REF_10),
    segment("REF", 3550, S, 1, shared::REF_NOTES, shared::REF_24),
    segment("REF", 3550, S, 1, shared::REF_NOTES, shared::REF_12),
];

/// Loop 2330C.
#[rustfmt::skip]
const LOOP_2330C: &[Node] = &[
    segment("NM1", 3250, R, 1, shared::NM1_NOTES_2, shared::NM1_12),
    segment("REF", 3550, R, 3, shared::REF_NOTES, shared::REF_21),
];

/// Loop 2330D.
#[rustfmt::skip]
const LOOP_2330D: &[Node] = &[
    segment("NM1", 3250, R, 1, shared::NM1_NOTES_2, shared::NM1_13),
    segment("REF", 3550, R, 3, shared::REF_NOTES, shared::REF_22),
];

/// Loop 2330E.
#[rustfmt::skip]
const LOOP_2330E: &[Node] = &[
    segment("NM1", 3250, R, 1, shared::NM1_NOTES_2, shared::NM1_14),
    segment("REF", 3550, R, 3, shared::REF_NOTES, shared::REF_23),
];

/// Loop 2330F.
#[rustfmt::skip]
const LOOP_2330F: &[Node] = &[
    segment("NM1", 3250, R, 1, shared::NM1_NOTES_2, shared::NM1_15),
    segment("REF", 3550, R, 3, shared::REF_NOTES, shared::REF_22),
];

/// Loop 2330G.
#[rustfmt::skip]
const LOOP_2330G: &[Node] = &[
    segment("NM1", 3250, R, 1, shared::NM1_NOTES_2, shared::NM1_16),
    segment("REF", 3550, R, 2, shared::REF_NOTES, shared::REF_6),
];

/// Loop 2320.
#[rustfmt::skip]
const LOOP_2320: &[Node] = &[
    segment("SBR", 2900, R, 1, &[], shared::SBR_1),
    segment("CAS", 2950, S, 5, shared::CAS_NOTES, shared::CAS_1),
    segment("AMT", 3000, S, 1, &[], shared::AMT_2),
    segment("AMT", 3000, S, 1, &[], shared::AMT_3),
    segment("AMT", 3000, S, 1, &[], shared::AMT_4),
    segment("OI", 3100, R, 1, &[], shared::OI_1),
    segment("MOA", 3200, S, 1, &[], shared::MOA_1),
    nested("2330A", R, 1, LOOP_2330A),
    nested("2330B", R, 1, LOOP_2330B),
    nested("2330C", S, 2, LOOP_2330C),
    nested("2330D", S, 1, LOOP_2330D),
    nested("2330E", S, 1, LOOP_2330E),
    nested("2330F", S, 1, LOOP_2330F),
    nested("2330G", S, 1, LOOP_2330G),
];

/// Loop 2410.
#[rustfmt::skip]
const LOOP_2410: &[Node] = &[
    segment("LIN", 4930, R, 1, shared::LIN_NOTES, shared::LIN_1),
    segment("CTP", 4940, R, 1, shared::CTP_NOTES, shared::CTP_1),
    segment("REF", 4950, S, 1, shared::REF_NOTES, shared::REF_30),
];

/// Loop 2420A.
#[rustfmt::skip]
const LOOP_2420A: &[Node] = &[
    segment("NM1", 5000, R, 1, shared::NM1_NOTES_2, shared::NM1_7),
    segment("PRV", 5050, S, 1, shared::PRV_NOTES, shared::PRV_2),
    segment("REF", 5250, S, 20, shared::REF_NOTES, shared::REF_36),
];

/// Loop 2420B.
#[rustfmt::skip]
const LOOP_2420B: &[Node] = &[
    segment("NM1", 5000, R, 1, shared::NM1_NOTES_2, shared::NM1_17),
    segment("REF", 5250, S, 20, shared::REF_NOTES, shared::REF_37),
];

/// Loop 2420C.
#[rustfmt::skip]
const LOOP_2420C: &[Node] = &[
    segment("NM1", 5000, R, 1, shared::NM1_NOTES_2, shared::NM1_8),
    segment("N3", 5140, R, 1, &[], shared::N3_1),
    segment("N4", 5200, R, 1, shared::N4_NOTES, shared::N4_1),
    segment("REF", 5250, S, 3, shared::REF_NOTES, shared::REF_38),
];

/// Loop 2420D.
#[rustfmt::skip]
const LOOP_2420D: &[Node] = &[
    segment("NM1", 5000, R, 1, shared::NM1_NOTES_2, shared::NM1_9),
    segment("REF", 5250, S, 20, shared::REF_NOTES, shared::REF_36),
];

/// Loop 2420E.
#[rustfmt::skip]
const LOOP_2420E: &[Node] = &[
    segment("NM1", 5000, R, 1, shared::NM1_NOTES_2, shared::NM1_18),
    segment("N3", 5140, S, 1, &[], shared::N3_1),
    segment("N4", 5200, S, 1, shared::N4_NOTES, shared::N4_1),
    segment("REF", 5250, S, 20, shared::REF_NOTES, shared::REF_37),
    segment("PER", 5300, S, 1, shared::PER_NOTES, shared::PER_1),
];

/// Loop 2420F.
#[rustfmt::skip]
const LOOP_2420F: &[Node] = &[
    segment("NM1", 5000, R, 1, shared::NM1_NOTES_2, shared::NM1_6),
    segment("REF", 5250, S, 20, shared::REF_NOTES, shared::REF_37),
];

/// Loop 2420G.
#[rustfmt::skip]
const LOOP_2420G: &[Node] = &[
    segment("NM1", 5000, R, 1, shared::NM1_NOTES_2, shared::NM1_10),
    segment("N3", 5140, R, 1, &[], shared::N3_1),
    segment("N4", 5200, R, 1, shared::N4_NOTES, shared::N4_1),
];

/// Loop 2420H.
#[rustfmt::skip]
const LOOP_2420H: &[Node] = &[
    segment("NM1", 5000, R, 1, shared::NM1_NOTES_2, shared::NM1_11),
    segment("N3", 5140, R, 1, &[], shared::N3_1),
    segment("N4", 5200, R, 1, shared::N4_NOTES, shared::N4_1),
];

/// Loop 2430.
#[rustfmt::skip]
const LOOP_2430: &[Node] = &[
    segment("SVD", 5400, R, 1, &[], shared::SVD_1),
    segment("CAS", 5450, S, 5, shared::CAS_NOTES, shared::CAS_1),
    segment("DTP", 5500, R, 1, &[], shared::DTP_17),
    segment("AMT", 5505, S, 1, &[], shared::AMT_4),
];

/// Loop 2440.
#[rustfmt::skip]
const LOOP_2440: &[Node] = &[
    segment("LQ", 5510, R, 1, shared::LQ_NOTES, shared::LQ_1),
    segment("FRM", 5520, R, 99, shared::FRM_NOTES, shared::FRM_1),
];

/// Loop 2400.
#[rustfmt::skip]
const LOOP_2400: &[Node] = &[
    segment("LX", 3650, R, 1, &[], shared::LX_1),
    segment("SV1", 3700, R, 1, shared::SV1_NOTES, shared::SV1_1),
    segment("SV5", 4000, S, 1, shared::SV5_NOTES, shared::SV5_1),
    segment("PWK", 4200, S, 10, shared::PWK_NOTES, shared::PWK_1),
    segment("PWK", 4200, S, 1, shared::PWK_NOTES, shared::PWK_2),
    segment("CR1", 4250, S, 1, shared::CR1_NOTES, shared::CR1_1),
    segment("CR3", 4350, S, 1, shared::CR3_NOTES, shared::CR3_1),
    segment("CRC", 4500, S, 3, &[], shared::CRC_1),
    segment("CRC", 4500, S, 1, &[], shared::CRC_5),
    segment("CRC", 4500, S, 1, &[], shared::CRC_6),
    segment("DTP", 4550, R, 1, &[], shared::DTP_18),
    segment("DTP", 4550, S, 1, &[], shared::DTP_8),
    segment("DTP", 4550, S, 1, &[], shared::DTP_19),
    segment("DTP", 4550, S, 1, &[], shared::DTP_20),
    segment("DTP", 4550, S, 1, &[], shared::DTP_21),
    segment("DTP", 4550, S, 1, &[], shared::DTP_3),
    segment("DTP", 4550, S, 2, &[], shared::DTP_22),
    segment("DTP", 4550, S, 1, &[], shared::DTP_23),
    segment("DTP", 4550, S, 1, &[], shared::DTP_7),
    segment("DTP", 4550, S, 1, &[], shared::DTP_2),
    segment("QTY", 4600, S, 1, shared::QTY_NOTES, shared::QTY_1),
    segment("QTY", 4600, S, 1, shared::QTY_NOTES, shared::QTY_2),
    segment("MEA", 4620, S, 5, shared::MEA_NOTES, shared::MEA_1),
    segment("CN1", 4650, S, 1, &[], shared::CN1_1),
    segment("REF", 4700, S, 1, shared::REF_NOTES, shared::REF_25),
    segment("REF", 4700, S, 1, shared::REF_NOTES, shared::REF_26),
    segment("REF", 4700, S, 5, shared::REF_NOTES, shared::REF_34),
    segment("REF", 4700, S, 1, shared::REF_NOTES, shared::REF_27),
    segment("REF", 4700, S, 1, shared::REF_NOTES, shared::REF_9),
    segment("REF", 4700, S, 1, shared::REF_NOTES, shared::REF_13),
    segment("REF", 4700, S, 1, shared::REF_NOTES, shared::REF_28),
    segment("REF", 4700, S, 1, shared::REF_NOTES, shared::REF_29),
    segment("REF", 4700, S, 5, shared::REF_NOTES, shared::REF_35),
    segment("AMT", 4750, S, 1, &[], shared::AMT_5),
    segment("AMT", 4750, S, 1, &[], shared::AMT_6),
    segment("K3", 4800, S, 10, &[], shared::K3_1),
    segment("NTE", 4850, S, 1, &[], shared::NTE_2),
    segment("NTE", 4850, S, 1, &[], shared::NTE_3),
    segment("PS1", 4880, S, 1, &[], shared::PS1_1),
    segment("HCP", 4920, S, 1, shared::HCP_NOTES, shared::HCP_2),
    nested("2410", S, 1, LOOP_2410),
    nested("2420A", S, 1, LOOP_2420A),
    nested("2420B", S, 1, LOOP_2420B),
    nested("2420C", S, 1, LOOP_2420C),
    nested("2420D", S, 1, LOOP_2420D),
    nested("2420E", S, 1, LOOP_2420E),
    nested("2420F", S, 2, LOOP_2420F),
    nested("2420G", S, 1, LOOP_2420G),
    nested("2420H", S, 1, LOOP_2420H),
    nested("2430", S, 15, LOOP_2430),
    nested("2440", S, UNBOUNDED, LOOP_2440),
];

/// Loop 2300.
#[rustfmt::skip]
const LOOP_2300: &[Node] = &[
    segment("CLM", 1300, R, 1, &[], shared::CLM_1),
    segment("DTP", 1350, S, 1, &[], shared::DTP_1),
    segment("DTP", 1350, S, 1, &[], shared::DTP_2),
    segment("DTP", 1350, S, 1, &[], shared::DTP_3),
    segment("DTP", 1350, S, 1, &[], shared::DTP_4),
    segment("DTP", 1350, S, 1, &[], shared::DTP_5),
    segment("DTP", 1350, S, 1, &[], shared::DTP_6),
    segment("DTP", 1350, S, 1, &[], shared::DTP_7),
    segment("DTP", 1350, S, 1, &[], shared::DTP_8),
    segment("DTP", 1350, S, 1, &[], shared::DTP_9),
    segment("DTP", 1350, S, 1, &[], shared::DTP_10),
    segment("DTP", 1350, S, 1, &[], shared::DTP_11),
    segment("DTP", 1350, S, 1, &[], shared::DTP_12),
    segment("DTP", 1350, S, 1, &[], shared::DTP_13),
    segment("DTP", 1350, S, 2, &[], shared::DTP_14),
    segment("DTP", 1350, S, 1, &[], shared::DTP_15),
    segment("DTP", 1350, S, 1, &[], shared::DTP_16),
    segment("PWK", 1550, S, 10, shared::PWK_NOTES, shared::PWK_1),
    segment("CN1", 1600, S, 1, &[], shared::CN1_1),
    segment("AMT", 1750, S, 1, &[], shared::AMT_1),
    segment("REF", 1800, S, 1, shared::REF_NOTES, shared::REF_7),
    segment("REF", 1800, S, 1, shared::REF_NOTES, shared::REF_8),
    segment("REF", 1800, S, 1, shared::REF_NOTES, shared::REF_9),
    segment("REF", 1800, S, 1, shared::REF_NOTES, shared::REF_10),
    segment("REF", 1800, S, 1, shared::REF_NOTES, shared::REF_11),
    segment("REF", 1800, S, 1, shared::REF_NOTES, shared::REF_12),
    segment("REF", 1800, S, 1, shared::REF_NOTES, shared::REF_13),
    segment("REF", 1800, S, 1, shared::REF_NOTES, shared::REF_14),
    segment("REF", 1800, S, 1, shared::REF_NOTES, shared::REF_15),
    segment("REF", 1800, S, 1, shared::REF_NOTES, shared::REF_16),
    segment("REF", 1800, S, 1, shared::REF_NOTES, shared::REF_17),
    segment("REF", 1800, S, 1, shared::REF_NOTES, shared::REF_18),
    segment("REF", 1800, S, 1, shared::REF_NOTES, shared::REF_19),
    segment("REF", 1800, S, 1, shared::REF_NOTES, shared::REF_20),
    segment("K3", 1850, S, 10, &[], shared::K3_1),
    segment("NTE", 1900, S, 1, &[], shared::NTE_1),
    segment("CR1", 1950, S, 1, shared::CR1_NOTES, shared::CR1_1),
    segment("CR2", 2000, S, 1, shared::CR2_NOTES, shared::CR2_1),
    segment("CRC", 2200, S, 3, &[], shared::CRC_1),
    segment("CRC", 2200, S, 3, &[], shared::CRC_2),
    segment("CRC", 2200, S, 1, &[], shared::CRC_3),
    segment("CRC", 2200, S, 1, &[], shared::CRC_4),
    segment("HI", 2310, R, 1, &[], shared::HI_1),
    segment("HI", 2310, S, 1, &[], shared::HI_2),
    segment("HI", 2310, S, 2, &[], shared::HI_3),
    segment("HCP", 2410, S, 1, shared::HCP_NOTES, shared::HCP_1),
    nested("2310A", S, 2, LOOP_2310A),
    nested("2310B", S, 1, LOOP_2310B),
    nested("2310C", S, 1, LOOP_2310C),
    nested("2310D", S, 1, LOOP_2310D),
    nested("2310E", S, 1, LOOP_2310E),
    nested("2310F", S, 1, LOOP_2310F),
    nested("2320", S, 10, LOOP_2320),
    nested("2400", R, 50, LOOP_2400),
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
    segment("PER", 400, S, 1, shared::PER_NOTES, shared::PER_2),
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
        el(5, "1250", S, ID, 2, 3, &["D8"]),
        el(6, "1251", S, AN, 1, 35, &[]),
        el(7, "355", S, ID, 2, 2, &["01"]),
        el(8, "81", S, DR, 1, 10, &[]),
        el(9, "1073", S, ID, 1, 1, &["Y"]),
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
        el(5, "1336", S, ID, 1, 3, &["12", "13", "14", "15", "16", "41", "42", "43", "47"]),
        el(6, "1143", N, ID, 1, 1, &[]),
        el(7, "1073", N, ID, 1, 1, &[]),
        el(8, "584", N, ID, 2, 2, &[]),
        el(9, "1032", S, ID, 1, 2, &["11", "12", "13", "14", "15", "16", "17", "AM", "BL", "CH", "CI", "DS", "FI", "HM", "LM", "MA", "MB", "MC", "OF", "TV", "VA", "WC", "ZZ"]),
    ]),
    segment("PAT", 70, S, 1, shared::PAT_NOTES, &[
        el(1, "1069", N, ID, 2, 2, &[]),
        el(2, "1384", N, ID, 1, 1, &[]),
        el(3, "584", N, ID, 2, 2, &[]),
        el(4, "1220", N, ID, 1, 1, &[]),
        el(5, "1250", S, ID, 2, 3, &["D8"]),
        el(6, "1251", S, AN, 1, 35, &[]),
        el(7, "355", S, ID, 2, 2, &["01"]),
        el(8, "81", S, DR, 1, 10, &[]),
        el(9, "1073", S, ID, 1, 1, &["Y"]),
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
        el(3, "1705", S, AN, 1, 35, &[]),
    ]),
    segment("BHT", 100, R, 1, &[], &[
        el(1, "1005", R, ID, 4, 4, &["0019"]),
        el(2, "353", R, ID, 2, 2, &["00", "18"]),
        el(3, "127", R, AN, 1, 50, &[]),
        el(4, "373", R, DT, 8, 8, &[]),
        el(5, "337", R, TM, 4, 8, &[]),
        el(6, "640", R, ID, 2, 2, &["CH", "RP"]),
    ]),
    nested("1000A", R, 1, LOOP_1000A),
    nested("1000B", R, 1, LOOP_1000B),
    nested("2000A", R, UNBOUNDED, LOOP_2000A),
    segment("SE", 5550, R, 1, &[], shared::SE_1),
];

/// The 005010X222A1 guide.
pub(super) static GUIDE: Guide = Guide {
    transaction_set: "837",
    implementation: "005010X222A1",
    also_serves: &["005010X222A2", "005010X222"],
    name: "837 Health Care Claim: Professional",
    root: loop_of("ST_LOOP", R, 1, LOOP_ST),
    business_unit: Some(BusinessUnit {
        loop_id: "2300",
        element: 1,
        label: "CLM01",
    }),
};
