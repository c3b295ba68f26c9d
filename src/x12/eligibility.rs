//! Eligibility and benefit inquiry and response, 270/271 (005010X279A1): one writer and one
//! typed reader for both, since the two sets share their hierarchy.
//!
//! Hierarchy: 2000A information source (HL 20: the payer, NM1*PR), 2000B information receiver
//! (HL 21: the provider asking, NM1*1P), 2000C subscriber (HL 22) with its trace number (TRN),
//! name and member id (NM1*IL), dates (DTP), the 270's inquiries (EQ, loop 2110C) or the 271's
//! benefits (EB, loop 2110C). AAA segments at any level say why a request could not be
//! answered (AAA03 `75`: subscriber not found). One subscriber per transaction set is read;
//! a further subscriber or dependent level is reported as a warning.

use serde::{Deserialize, Serialize};

use super::X12Error;
use super::envelope::TransactionSet;
use super::inquiry::{NamedParty, read_member, write_member};
use super::reader::Segment;
use super::typed::{FieldProblem, ReadOutcome, SegmentIssue, read_documents};
use super::values::{Amount, Date, Quantity};
use super::writer::{SingleSetEnvelope, WriteError};

/// Implementation reference of the 270 and 271 guide.
pub const IMPLEMENTATION_270: &str = "005010X279A1";

/// An AAA segment: why a request was not answered, and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestRejection {
    /// HL03 of the level it came at: `20` payer, `21` provider, `22` subscriber.
    pub level: String,
    /// AAA03: reject reason code (`75` subscriber not found, `42` unable to respond now...).
    pub reason: String,
    /// AAA04: follow-up action code (`C` correct and resubmit, `R` resubmit...).
    pub follow_up: Option<String>,
}

/// One EB segment of a 271: a benefit or coverage fact.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Benefit {
    /// EB01: `1` active coverage, `6` inactive, `A` coinsurance, `B` co-payment, `C`
    /// deductible, `G` out of pocket (stop loss)...
    pub code: String,
    /// EB02: coverage level (`IND` individual, `FAM` family).
    pub coverage_level: Option<String>,
    /// EB03: service type code (`30` health benefit plan coverage).
    pub service_type: Option<String>,
    /// EB04: insurance type (`HM` HMO).
    pub insurance_type: Option<String>,
    /// EB05: plan coverage description.
    pub plan: Option<String>,
    /// EB06: time period (`23` calendar year, `29` remaining, `27` visit).
    pub period: Option<String>,
    /// EB07: monetary amount.
    pub amount: Option<Amount>,
    /// EB08: percent, in basis points (`.2` is 2000).
    pub percent_basis_points: Option<i64>,
}

/// One 270 inquiry or 271 response about one subscriber.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EligibilityMessage {
    /// ST02.
    pub control_number: String,
    /// BHT03: the submitter's (270) or payer's (271) reference.
    pub reference: String,
    /// BHT04: when the set was created.
    pub created: Option<Date>,
    /// TRN02 of the subscriber level: the trace number the 270 assigns and the 271 returns.
    pub trace: String,
    /// TRN03: who assigned the trace (10 characters: `1` and an EIN, or `9` and an id).
    pub trace_assigner: String,
    /// NM1*PR: the payer.
    pub payer: NamedParty,
    /// NM1*1P: the provider asking.
    pub provider: NamedParty,
    /// NM109 of NM1*IL: the member id.
    pub member_id: String,
    /// NM103 of NM1*IL: the member's last name.
    pub member_last_name: Option<String>,
    /// NM104 of NM1*IL: the member's first name.
    pub member_first_name: Option<String>,
    /// DMG02: the member's date of birth.
    pub member_birth_date: Option<Date>,
    /// DTP*291 (270): the date of service asked about.
    pub service_date: Option<Date>,
    /// DTP*346 (271): plan begin.
    pub plan_begin: Option<Date>,
    /// DTP*347 (271): plan end.
    pub plan_end: Option<Date>,
    /// EQ01 (270): the service types asked about.
    pub service_types: Vec<String>,
    /// AAA segments (271): why it was not answered.
    pub rejections: Vec<RequestRejection>,
    /// EB segments (271).
    pub benefits: Vec<Benefit>,
}

impl EligibilityMessage {
    /// The first benefit with EB01 `code` and, when given, EB06 `period`.
    pub fn benefit(&self, code: &str, period: Option<&str>) -> Option<&Benefit> {
        self.benefits
            .iter()
            .find(|b| b.code == code && (period.is_none() || b.period.as_deref() == period))
    }
}

/// Reads every 270 of an interchange.
pub fn read_270(input: &[u8]) -> Result<ReadOutcome<EligibilityMessage>, X12Error> {
    read_documents(input, "270", read_set)
}

/// Reads every 271 of an interchange.
pub fn read_271(input: &[u8]) -> Result<ReadOutcome<EligibilityMessage>, X12Error> {
    read_documents(input, "271", read_set)
}

fn read_set(
    set: &TransactionSet,
    segments: &[Segment<'_>],
    warnings: &mut Vec<SegmentIssue>,
) -> Result<EligibilityMessage, SegmentIssue> {
    let mut message = EligibilityMessage {
        control_number: set.control_number.clone(),
        ..EligibilityMessage::default()
    };
    // HL03 of the level being read; empty before the first HL.
    let mut level = String::new();
    let mut subscribers = 0;
    for segment in segments {
        let known = match (segment.id(), level.as_str()) {
            ("ST" | "SE", _) => true,
            ("BHT", "") => {
                message.reference = segment.string_at(3).unwrap_or_default();
                message.created = segment.date_at(4, warnings);
                true
            }
            ("HL", _) => {
                level = segment.string_at(3).unwrap_or_default();
                if level == "22" {
                    subscribers += 1;
                }
                matches!(level.as_str(), "20" | "21") || (level == "22" && subscribers == 1)
            }
            ("NM1", "20") => {
                message.payer = NamedParty::from_nm1(segment);
                true
            }
            ("NM1", "21") => {
                message.provider = NamedParty::from_nm1(segment);
                true
            }
            (_, "20" | "21" | "22") if segment.id() == "AAA" => {
                message.rejections.push(RequestRejection {
                    level: level.clone(),
                    reason: segment.required_string_at(3, "AAA03 reject reason code")?,
                    follow_up: segment.string_at(4),
                });
                true
            }
            (_, "22") if subscribers == 1 => read_subscriber(&mut message, segment, warnings)?,
            (_, "20" | "21") => matches!(segment.id(), "REF" | "N3" | "N4" | "PRV" | "PER"),
            _ => false,
        };
        if !known {
            let context = if subscribers > 1 || level == "23" {
                "in a 270/271 after its first subscriber (one is read per set)".to_owned()
            } else {
                "in a 270/271".to_owned()
            };
            warnings.push(segment.issue(None, FieldProblem::UnexpectedSegment { context }));
        }
    }
    Ok(message)
}

/// Applies one segment of the subscriber level (2000C to 2110C); whether it was known.
fn read_subscriber(
    message: &mut EligibilityMessage,
    segment: &Segment<'_>,
    warnings: &mut Vec<SegmentIssue>,
) -> Result<bool, SegmentIssue> {
    match segment.id() {
        "TRN" => {
            // A 271 may add the payer's own trace (TRN01 1) after ours (TRN01 2).
            if message.trace.is_empty() {
                message.trace = segment.required_string_at(2, "TRN02 trace number")?;
                message.trace_assigner = segment.string_at(3).unwrap_or_default();
            }
        }
        "NM1" => {
            (
                message.member_id,
                message.member_last_name,
                message.member_first_name,
            ) = read_member(segment);
        }
        "DTP" => {
            let date = segment
                .string_at(2)
                .filter(|format| format == "D8")
                .and_then(|_| segment.date_at(3, warnings));
            match segment.string_at(1).as_deref() {
                Some("291") => message.service_date = date,
                Some("346") => message.plan_begin = date,
                Some("347") => message.plan_end = date,
                _ => {}
            }
        }
        "EQ" => message
            .service_types
            .extend(segment.string_at(1).into_iter().flat_map(|codes| {
                codes
                    .split(segment.separators().repetition.map_or('^', char::from))
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })),
        "EB" => {
            let percent = segment
                .quantity_at(8)?
                .map(|q: Quantity| q.0 / 100)
                .filter(|bp| (0..=10_000).contains(bp));
            message.benefits.push(Benefit {
                code: segment.required_string_at(1, "EB01 eligibility or benefit information")?,
                coverage_level: segment.string_at(2),
                service_type: segment.string_at(3),
                insurance_type: segment.string_at(4),
                plan: segment.string_at(5),
                period: segment.string_at(6),
                amount: segment.amount_at(7)?,
                percent_basis_points: percent,
            });
        }
        "DMG" => {
            message.member_birth_date = segment
                .string_at(1)
                .filter(|format| format == "D8")
                .and_then(|_| segment.date_at(2, warnings));
        }
        "REF" | "N3" | "N4" | "PRV" | "INS" | "HI" | "MSG" | "HSD" | "III" | "LS" | "LE"
        | "PER" => {}
        _ => return Ok(false),
    }
    Ok(true)
}

/// A writer with a 270 (`HS` group, BHT02 `13` request) or a 271 (`HB`, BHT02 `11`
/// response) open, numbered `[interchange, group]`, and its BHT and levels written up to the
/// subscriber's demographics.
fn begin(
    message: &EligibilityMessage,
    envelope: &SingleSetEnvelope,
    set: &str,
    [interchange_control, group_control]: [u32; 2],
) -> Result<super::X12Writer, WriteError> {
    let (functional_id, purpose) = if set == "270" {
        ("HS", "13")
    } else {
        ("HB", "11")
    };
    let mut w = envelope.begin(
        functional_id,
        set,
        IMPLEMENTATION_270,
        interchange_control,
        group_control,
    )?;
    w.segment(
        "BHT",
        &[
            "0022",
            purpose,
            &message.reference,
            &envelope.date.ccyymmdd(),
            &envelope.time.hhmm(),
        ],
    )?;
    write_levels(&mut w, message, if set == "270" { "1" } else { "2" })?;
    Ok(w)
}

/// Writes the 2000A and 2000B levels and opens 2000C with the trace number (TRN01 `1` in a
/// 270, `2` in a 271 returning the inquiry's), the subscriber's name, why the request was not
/// answered (AAA, a 271's rejections) and the date of birth.
fn write_levels(
    w: &mut super::X12Writer,
    message: &EligibilityMessage,
    trace_type: &str,
) -> Result<(), WriteError> {
    w.segment("HL", &["1", "", "20", "1"])?;
    message.payer.write_nm1(w, "PR")?;
    w.segment("HL", &["2", "1", "21", "1"])?;
    message.provider.write_nm1(w, "1P")?;
    w.segment("HL", &["3", "2", "22", "0"])?;
    w.segment(
        "TRN",
        &[trace_type, &message.trace, &message.trace_assigner],
    )?;
    let names = [&message.member_last_name, &message.member_first_name];
    write_member(w, &message.member_id, names)?;
    for rejection in &message.rejections {
        w.segment(
            "AAA",
            &[
                "Y",
                "",
                &rejection.reason,
                rejection.follow_up.as_deref().unwrap_or("C"),
            ],
        )?;
    }
    match message.member_birth_date {
        Some(born) => w.segment("DMG", &["D8", &born.ccyymmdd()]),
        None => Ok(()),
    }
}

/// Writes a 270 inquiry: `message`'s payer, provider, member, trace, date of service and
/// service types (`30` when none), in one interchange numbered `[interchange, group]`.
pub fn write_270(
    message: &EligibilityMessage,
    envelope: &SingleSetEnvelope,
    controls: [u32; 2],
) -> Result<Vec<u8>, WriteError> {
    let request = EligibilityMessage {
        rejections: Vec::new(),
        ..message.clone()
    };
    let mut w = begin(&request, envelope, "270", controls)?;
    if let Some(date) = message.service_date {
        w.segment("DTP", &["291", "D8", &date.ccyymmdd()])?;
    }
    let types = if message.service_types.is_empty() {
        vec!["30".to_owned()]
    } else {
        message.service_types.clone()
    };
    for service_type in &types {
        w.segment("EQ", &[service_type])?;
    }
    w.finish_single_set()
}

/// Writes a 271 response: the inquiry's levels and trace, then either the rejections (AAA in
/// 2100C) or the plan dates and benefits, numbered `[interchange, group]`.
pub fn write_271(
    message: &EligibilityMessage,
    envelope: &SingleSetEnvelope,
    controls: [u32; 2],
) -> Result<Vec<u8>, WriteError> {
    let mut w = begin(message, envelope, "271", controls)?;
    for (qualifier, date) in [("346", message.plan_begin), ("347", message.plan_end)] {
        if let Some(date) = date {
            w.segment("DTP", &[qualifier, "D8", &date.ccyymmdd()])?;
        }
    }
    for benefit in &message.benefits {
        let amount = benefit.amount.map(|a| a.to_string()).unwrap_or_default();
        let percent = benefit
            .percent_basis_points
            .map(|bp| Quantity(bp * 100).to_string())
            .unwrap_or_default();
        w.segment(
            "EB",
            &[
                &benefit.code,
                benefit.coverage_level.as_deref().unwrap_or_default(),
                benefit.service_type.as_deref().unwrap_or_default(),
                benefit.insurance_type.as_deref().unwrap_or_default(),
                benefit.plan.as_deref().unwrap_or_default(),
                benefit.period.as_deref().unwrap_or_default(),
                &amount,
                &percent,
            ],
        )?;
    }
    w.finish_single_set()
}

/// Sample inquiries for the tests of this crate.
#[cfg(test)]
pub(crate) mod samples {
    use super::*;
    use crate::x12::{Time, UsageIndicator};

    /// Our envelope to Acme Health, dated 2026-12-01.
    pub(crate) fn envelope() -> SingleSetEnvelope {
        SingleSetEnvelope {
            sender_qualifier: "ZZ".into(),
            sender_id: "SWITCHBOARD01".into(),
            receiver_qualifier: "ZZ".into(),
            receiver_id: "ACMEHEALTH".into(),
            date: Date::new(2026, 12, 1).unwrap(),
            time: Time::new(9, 30, None).unwrap(),
            usage: UsageIndicator::Test,
        }
    }

    /// An inquiry about member MEM12345 (Mary O'Brien) on 2026-12-01.
    pub(crate) fn inquiry() -> EligibilityMessage {
        EligibilityMessage {
            reference: "SBE1".into(),
            trace: "SBE0000000001".into(),
            trace_assigner: "1123456789".into(),
            payer: NamedParty {
                name: "Acme Health Plan".into(),
                id_qualifier: "PI".into(),
                id: "HMO1".into(),
            },
            provider: NamedParty {
                name: "Springfield Family Clinic".into(),
                id_qualifier: "XX".into(),
                id: "1234567893".into(),
            },
            member_id: "MEM12345".into(),
            member_last_name: Some("O'Brien".into()),
            member_first_name: Some("Mary".into()),
            member_birth_date: Date::new(1980, 2, 29),
            service_date: Date::new(2026, 12, 1),
            service_types: vec!["30".into()],
            ..EligibilityMessage::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::samples::{envelope, inquiry};
    use super::*;

    #[test]
    fn a_270_reads_back_what_was_written() {
        let file = write_270(&inquiry(), &envelope(), [12, 3]).unwrap();
        let text = String::from_utf8(file.clone()).unwrap();
        assert!(text.contains("GS*HS*SWITCHBOARD01*ACMEHEALTH*"), "{text}");
        assert!(text.contains("ST*270*0001*005010X279A1~"), "{text}");
        assert!(text.contains("TRN*1*SBE0000000001*1123456789~"), "{text}");
        assert!(
            text.contains("NM1*IL*1*O'Brien*Mary****MI*MEM12345~\nDMG*D8*19800229~"),
            "{text}"
        );
        assert!(text.contains("DTP*291*D8*20261201~\nEQ*30~"), "{text}");
        let read = read_270(&file).unwrap();
        assert!(read.envelope_problems.is_empty() && read.warnings.is_empty());
        let mut expected = inquiry();
        expected.control_number = "0001".into();
        expected.created = Date::new(2026, 12, 1);
        assert_eq!(read.documents, [expected]);
    }

    #[test]
    fn a_271_carries_benefits_or_the_reason_it_has_none() {
        let mut answer = inquiry();
        answer.plan_begin = Date::new(2026, 1, 1);
        answer.benefits = vec![
            Benefit {
                code: "1".into(),
                coverage_level: Some("IND".into()),
                service_type: Some("30".into()),
                insurance_type: Some("HM".into()),
                plan: Some("Gold HMO".into()),
                ..Benefit::default()
            },
            Benefit {
                code: "A".into(),
                coverage_level: Some("IND".into()),
                service_type: Some("30".into()),
                percent_basis_points: Some(2_000),
                ..Benefit::default()
            },
            Benefit {
                code: "C".into(),
                coverage_level: Some("IND".into()),
                service_type: Some("30".into()),
                period: Some("29".into()),
                amount: Some(Amount::from_cents(12_550)),
                ..Benefit::default()
            },
        ];
        let file = write_271(&answer, &envelope(), [13, 4]).unwrap();
        let text = String::from_utf8(file.clone()).unwrap();
        assert!(text.contains("TRN*2*SBE0000000001*1123456789~"), "{text}");
        assert!(text.contains("EB*1*IND*30*HM*Gold HMO~"), "{text}");
        assert!(text.contains("EB*A*IND*30*****0.2~"), "{text}");
        assert!(text.contains("EB*C*IND*30***29*125.5~"), "{text}");
        let read = read_271(&file).unwrap();
        assert!(read.warnings.is_empty(), "{:?}", read.warnings);
        let got = &read.documents[0];
        assert_eq!(got.benefits, answer.benefits);
        assert_eq!(got.plan_begin, answer.plan_begin);
        assert_eq!(
            got.benefit("C", Some("29")).and_then(|b| b.amount),
            Some(Amount::from_cents(12_550))
        );

        let mut unknown = inquiry();
        unknown.rejections = vec![RequestRejection {
            level: "22".into(),
            reason: "75".into(),
            follow_up: Some("C".into()),
        }];
        let file = write_271(&unknown, &envelope(), [14, 5]).unwrap();
        assert!(
            String::from_utf8_lossy(&file).contains("MI*MEM12345~\nAAA*Y**75*C~\nDMG*D8*19800229~")
        );
        let read = read_271(&file).unwrap();
        assert_eq!(read.documents[0].rejections, unknown.rejections);
        assert!(read.documents[0].benefits.is_empty());
    }

    #[test]
    fn a_second_subscriber_is_a_warning_and_a_bad_eb_an_error() {
        let file = write_270(&inquiry(), &envelope(), [12, 3]).unwrap();
        let text = String::from_utf8(file).unwrap();
        let two = text
            .replace("EQ*30~", "EQ*30~\nHL*4*2*22*0~\nNM1*IL*1*X****MI*M2~")
            .replace("SE*13*", "SE*15*");
        let read = read_270(two.as_bytes()).unwrap();
        assert_eq!(read.documents[0].member_id, "MEM12345");
        assert_eq!(read.warnings.len(), 2, "{:?}", read.warnings);
        let bad = text.replace("EQ*30~", "EB*1*IND*30*****abc~");
        let err = read_271(bad.replace("ST*270", "ST*271").as_bytes()).unwrap_err();
        assert!(err.to_string().contains("EB"), "{err}");
    }
}
