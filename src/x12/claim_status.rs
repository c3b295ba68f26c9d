//! Claim status request and response, 276/277 (005010X212): one writer and one typed reader
//! for both.
//!
//! Hierarchy: 2000A information source (HL 20: the payer, NM1*PR), 2000B information receiver
//! (HL 21: the submitter, NM1*41), 2000C service provider (HL 19: NM1*1P), 2000D subscriber
//! (HL 22: DMG and NM1*IL), then the claim (2200D): its trace (TRN), the 277's statuses (STC),
//! the payer's claim number (REF*1K), our claim number (REF*EJ), the charge (AMT*T3, 276) and
//! the service dates (DTP*472). One claim per transaction set is read; a further claim is
//! reported as a warning.

use serde::{Deserialize, Serialize};

use super::X12Error;
use super::envelope::TransactionSet;
use super::inquiry::{NamedParty, read_member, write_member};
use super::reader::Segment;
use super::typed::{FieldProblem, ReadOutcome, SegmentIssue, read_documents};
use super::values::{Amount, Date, DatePeriod};
use super::writer::{Field, SingleSetEnvelope, WriteError};

/// Implementation reference of the 276 and 277 claim status guide.
pub const IMPLEMENTATION_276: &str = "005010X212";

/// One STC segment of a 277: where the claim stands.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimStatusEntry {
    /// STC01-1: status category (`F1` finalized/payment, `F2` finalized/denial, `P1`
    /// pending, `A1` acknowledged, `D0` not found...).
    pub category: String,
    /// STC01-2: status code (`65` paid, `35` claim not found...).
    pub code: String,
    /// STC02: the status's effective date.
    pub effective: Option<Date>,
    /// STC04: total claim charge.
    pub charge: Option<Amount>,
    /// STC05: claim payment amount.
    pub paid: Option<Amount>,
    /// STC06: adjudication or payment date.
    pub adjudicated: Option<Date>,
    /// STC09: check or EFT trace number.
    pub check_number: Option<String>,
}

/// One 276 request or 277 response about one claim.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimStatusMessage {
    /// ST02.
    pub control_number: String,
    /// BHT03: the reference of the request or the response.
    pub reference: String,
    /// TRN02 of the claim: the trace number the 276 assigns and the 277 returns.
    pub trace: String,
    /// NM1*PR: the payer.
    pub payer: NamedParty,
    /// NM1*41: the submitter asking.
    pub submitter: NamedParty,
    /// NM1*1P: the provider of service.
    pub provider: NamedParty,
    /// NM109 of NM1*IL: the member id.
    pub member_id: String,
    /// NM103 of NM1*IL.
    pub member_last_name: Option<String>,
    /// NM104 of NM1*IL.
    pub member_first_name: Option<String>,
    /// DMG02 (276).
    pub member_birth_date: Option<Date>,
    /// REF*EJ: our claim number (CLM01).
    pub claim_number: Option<String>,
    /// REF*1K: the payer's claim number.
    pub payer_claim_number: Option<String>,
    /// AMT*T3 (276): the claim's total charge.
    pub charge: Option<Amount>,
    /// DTP*472: the claim's service dates.
    pub service_period: Option<DatePeriod>,
    /// STC segments (277).
    pub statuses: Vec<ClaimStatusEntry>,
}

/// Reads every 276 of an interchange.
pub fn read_276(input: &[u8]) -> Result<ReadOutcome<ClaimStatusMessage>, X12Error> {
    read_documents(input, "276", read_set)
}

/// Reads every 277 of an interchange as claim status responses (005010X212; a 277CA,
/// 005010X214, reads with [`super::read_277ca`]).
pub fn read_277_status(input: &[u8]) -> Result<ReadOutcome<ClaimStatusMessage>, X12Error> {
    read_documents(input, "277", read_set)
}

fn read_set(
    set: &TransactionSet,
    segments: &[Segment<'_>],
    warnings: &mut Vec<SegmentIssue>,
) -> Result<ClaimStatusMessage, SegmentIssue> {
    let mut message = ClaimStatusMessage {
        control_number: set.control_number.clone(),
        ..ClaimStatusMessage::default()
    };
    let mut level = String::new();
    let mut claims = 0;
    for segment in segments {
        let party = || NamedParty::from_nm1(segment);
        let known = match (segment.id(), level.as_str()) {
            ("ST" | "SE", _) => true,
            ("BHT", "") => {
                message.reference = segment.string_at(3).unwrap_or_default();
                true
            }
            ("HL", _) => {
                level = segment.string_at(3).unwrap_or_default();
                matches!(level.as_str(), "20" | "21" | "19" | "22")
            }
            ("NM1", "20") => {
                message.payer = party();
                true
            }
            ("NM1", "21") => {
                message.submitter = party();
                true
            }
            ("NM1", "19") => {
                message.provider = party();
                true
            }
            ("TRN", "22") => {
                claims += 1;
                if claims == 1 {
                    message.trace = segment.required_string_at(2, "TRN02 trace number")?;
                }
                claims == 1
            }
            (_, "22") if claims <= 1 => read_claim(&mut message, segment, warnings)?,
            (_, "20" | "21" | "19") => matches!(segment.id(), "PER"),
            _ => false,
        };
        if !known {
            let context = if claims > 1 {
                "in a 276/277 after its first claim (one is read per set)".to_owned()
            } else {
                "in a 276/277".to_owned()
            };
            warnings.push(segment.issue(None, FieldProblem::UnexpectedSegment { context }));
        }
    }
    Ok(message)
}

/// Applies one segment of the subscriber and claim levels; whether it was known.
fn read_claim(
    message: &mut ClaimStatusMessage,
    segment: &Segment<'_>,
    warnings: &mut Vec<SegmentIssue>,
) -> Result<bool, SegmentIssue> {
    match segment.id() {
        "DMG" => {
            message.member_birth_date = segment.date_at(2, warnings);
        }
        "NM1" => {
            (
                message.member_id,
                message.member_last_name,
                message.member_first_name,
            ) = read_member(segment);
        }
        "STC" => message.statuses.push(ClaimStatusEntry {
            category: segment
                .component_string_at(1, 1)
                .ok_or_else(|| segment.issue(Some(1), missing("STC01-1 status category")))?,
            code: segment.component_string_at(1, 2).unwrap_or_default(),
            effective: segment.date_at(2, warnings),
            charge: segment.amount_at(4)?,
            paid: segment.amount_at(5)?,
            adjudicated: segment.date_at(6, warnings),
            check_number: segment.string_at(9),
        }),
        "REF" => match segment.string_at(1).as_deref() {
            Some("EJ") => message.claim_number = segment.string_at(2),
            Some("1K") => message.payer_claim_number = segment.string_at(2),
            _ => {}
        },
        "AMT" => message.charge = segment.amount_at(2)?,
        "DTP" => {
            if let (Some(format), Some(text)) = (segment.string_at(2), segment.string_at(3)) {
                match DatePeriod::parse(&format, &text) {
                    Ok(period) => message.service_period = Some(period),
                    Err(err) => {
                        warnings.push(segment.issue(Some(3), FieldProblem::InvalidDate(err)))
                    }
                }
            }
        }
        _ => return Ok(false),
    }
    Ok(true)
}

fn missing(name: &str) -> FieldProblem {
    FieldProblem::MissingElement {
        name: name.to_owned(),
    }
}

/// Writes a 276 (`request`) or a 277 (response): the levels, the subscriber and the claim with
/// its trace number (TRN01 `1` in a 276, `2` in a 277 returning the request's).
fn write(
    message: &ClaimStatusMessage,
    envelope: &SingleSetEnvelope,
    request: bool,
    [interchange, group]: [u32; 2],
) -> Result<Vec<u8>, WriteError> {
    let (functional_id, set, purpose) = if request {
        ("HR", "276", "13")
    } else {
        ("HN", "277", "08")
    };
    let mut w = envelope.begin(functional_id, set, IMPLEMENTATION_276, interchange, group)?;
    let date = envelope.date.ccyymmdd();
    let time = envelope.time.hhmm();
    let mut bht = vec!["0010", purpose, &message.reference, &date, &time];
    if !request {
        bht.push("DG");
    }
    w.segment("BHT", &bht)?;
    w.segment("HL", &["1", "", "20", "1"])?;
    message.payer.write_nm1(&mut w, "PR")?;
    w.segment("HL", &["2", "1", "21", "1"])?;
    message.submitter.write_nm1(&mut w, "41")?;
    w.segment("HL", &["3", "2", "19", "1"])?;
    message.provider.write_nm1(&mut w, "1P")?;
    w.segment("HL", &["4", "3", "22", "0"])?;
    if let (true, Some(born)) = (request, message.member_birth_date) {
        w.segment("DMG", &["D8", &born.ccyymmdd()])?;
    }
    let names = [&message.member_last_name, &message.member_first_name];
    write_member(&mut w, &message.member_id, names)?;
    w.segment("TRN", &[if request { "1" } else { "2" }, &message.trace])?;
    for status in message.statuses.iter().filter(|_| !request) {
        let text = |amount: Option<Amount>| amount.map(|a| a.to_string()).unwrap_or_default();
        let (charge, paid) = (text(status.charge), text(status.paid));
        let effective = status.effective.map(|d| d.ccyymmdd()).unwrap_or_default();
        let adjudicated = status.adjudicated.map(|d| d.ccyymmdd()).unwrap_or_default();
        let paid_by_check = status.check_number.is_some();
        w.segment_fields(
            "STC",
            &[
                Field::Composite(&[&status.category, &status.code]),
                Field::Simple(&effective),
                Field::Simple(""),
                Field::Simple(&charge),
                Field::Simple(&paid),
                Field::Simple(&adjudicated),
                // STC07, the payment method, is not used in 005010X212.
                Field::Simple(""),
                Field::Simple(if paid_by_check { &adjudicated } else { "" }),
                Field::Simple(status.check_number.as_deref().unwrap_or_default()),
            ],
        )?;
    }
    for (qualifier, value) in [
        ("1K", &message.payer_claim_number),
        ("EJ", &message.claim_number),
    ] {
        if let Some(value) = value {
            w.segment("REF", &[qualifier, value])?;
        }
    }
    if let (true, Some(charge)) = (request, message.charge) {
        w.segment("AMT", &["T3", &charge.to_string()])?;
    }
    if let Some(period) = &message.service_period {
        let (format, text) = match period.end {
            Some(end) if end != period.start => (
                "RD8",
                format!("{}-{}", period.start.ccyymmdd(), end.ccyymmdd()),
            ),
            _ => ("D8", period.start.ccyymmdd()),
        };
        w.segment("DTP", &["472", format, &text])?;
    }
    w.finish_single_set()
}

/// Writes a 276 asking where a claim stands, numbered `[interchange, group]`.
pub fn write_276(
    message: &ClaimStatusMessage,
    envelope: &SingleSetEnvelope,
    controls: [u32; 2],
) -> Result<Vec<u8>, WriteError> {
    write(message, envelope, true, controls)
}

/// Writes a 277 answering a 276 with the claim's statuses, numbered `[interchange, group]`.
pub fn write_277_status(
    message: &ClaimStatusMessage,
    envelope: &SingleSetEnvelope,
    controls: [u32; 2],
) -> Result<Vec<u8>, WriteError> {
    write(message, envelope, false, controls)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::x12::eligibility_samples::envelope;

    fn request() -> ClaimStatusMessage {
        ClaimStatusMessage {
            reference: "SBS1".into(),
            trace: "SBS000000001".into(),
            payer: NamedParty {
                name: "Acme Health Plan".into(),
                id_qualifier: "PI".into(),
                id: "HMO1".into(),
            },
            submitter: NamedParty {
                name: "Springfield Family Clinic".into(),
                id_qualifier: "46".into(),
                id: "SWITCHBOARD01".into(),
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
            claim_number: Some("SB0000000001".into()),
            payer_claim_number: Some("HMO1000000001001".into()),
            charge: Some(Amount::from_cents(18_050)),
            service_period: Some(DatePeriod::day(Date::new(2026, 11, 24).unwrap())),
            ..ClaimStatusMessage::default()
        }
    }

    #[test]
    fn a_276_and_its_277_read_back() {
        let file = write_276(&request(), &envelope(), [21, 2]).unwrap();
        let text = String::from_utf8(file.clone()).unwrap();
        assert!(text.contains("GS*HR*"), "{text}");
        assert!(text.contains("ST*276*0001*005010X212~"), "{text}");
        assert!(text.contains("TRN*1*SBS000000001~\nREF*1K*HMO1000000001001~\nREF*EJ*SB0000000001~\nAMT*T3*180.5~\nDTP*472*D8*20261124~"), "{text}");
        let read = read_276(&file).unwrap();
        assert!(read.warnings.is_empty(), "{:?}", read.warnings);
        let mut expected = request();
        expected.control_number = "0001".into();
        assert_eq!(read.documents, [expected]);

        let mut answer = request();
        answer.charge = None;
        answer.member_birth_date = None;
        answer.statuses = vec![ClaimStatusEntry {
            category: "F1".into(),
            code: "65".into(),
            effective: Date::new(2026, 12, 1),
            charge: Some(Amount::from_cents(18_050)),
            paid: Some(Amount::from_cents(7_040)),
            adjudicated: Date::new(2026, 11, 30),
            check_number: Some("SIM300000001".into()),
        }];
        let file = write_277_status(&answer, &envelope(), [22, 3]).unwrap();
        let text = String::from_utf8(file.clone()).unwrap();
        assert!(
            text.contains("STC*F1:65*20261201**180.5*70.4*20261130**20261130*SIM300000001~"),
            "{text}"
        );
        let read = read_277_status(&file).unwrap();
        assert!(read.warnings.is_empty(), "{:?}", read.warnings);
        assert_eq!(read.documents[0].statuses, answer.statuses);
        assert_eq!(read.documents[0].trace, "SBS000000001");
    }
}
