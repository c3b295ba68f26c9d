//! Health care services review, 278 request and response (005010X217): one writer and one
//! typed reader for both, for a prior authorization of one procedure.
//!
//! Hierarchy: 2000A utilization management organization (HL 20: the payer, NM1*X3), 2000B
//! requester (HL 21: the provider, NM1*1P), 2000C subscriber (HL 22: NM1*IL, DMG), 2000E patient
//! event (HL EV: TRN trace, UM, the response's HCR decision and MSG texts, HI diagnosis) and
//! 2000F service (HL SS: UM, DTP*472, SV1 procedure and amount). One event and one service per
//! transaction set are read; anything further is reported as a warning.

use serde::{Deserialize, Serialize};

use super::X12Error;
use super::common::ProcedureCode;
use super::envelope::TransactionSet;
use super::inquiry::{NamedParty, read_member, write_member};
use super::reader::Segment;
use super::typed::{FieldProblem, ReadOutcome, SegmentIssue, read_documents};
use super::values::{Amount, Date};
use super::writer::{Field, SingleSetEnvelope, WriteError};

/// Implementation reference of the 278 guide.
pub const IMPLEMENTATION_278: &str = "005010X217";

/// HCR of a 278 response: the payer's decision.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewDecision {
    /// HCR01: `A1` certified in total, `A3` not certified, `A4` pended...
    pub action: String,
    /// HCR02: the authorization number, when certified.
    pub authorization_number: Option<String>,
    /// HCR03: the decision reason code.
    pub reason: Option<String>,
}

/// One 278 request or response about one procedure.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorAuthMessage {
    /// ST02.
    pub control_number: String,
    /// BHT03.
    pub reference: String,
    /// TRN02 of the event: the trace number the request assigns and the response returns.
    pub trace: String,
    /// TRN03: who assigned the trace.
    pub trace_assigner: String,
    /// NM1*X3: the payer.
    pub payer: NamedParty,
    /// NM1*1P: the requesting provider.
    pub provider: NamedParty,
    /// NM109 of NM1*IL.
    pub member_id: String,
    /// NM103 of NM1*IL.
    pub member_last_name: Option<String>,
    /// NM104 of NM1*IL.
    pub member_first_name: Option<String>,
    /// DMG02.
    pub member_birth_date: Option<Date>,
    /// HI (`ABK`): the principal ICD-10 diagnosis, without its dot.
    pub diagnosis: String,
    /// SV1-1: the procedure (`HC` CPT/HCPCS).
    pub procedure: String,
    /// SV1-2: the amount asked.
    pub amount: Option<Amount>,
    /// DTP*472 of the service: the date of service.
    pub service_date: Option<Date>,
    /// DTP*007 of the service (response): the first day the certification is valid.
    pub certification_effective: Option<Date>,
    /// DTP*036 of the service (response): the last day the certification is valid.
    pub certification_expires: Option<Date>,
    /// HCR of the event (response).
    pub decision: Option<ReviewDecision>,
    /// MSG texts of the event (response): why the decision was made.
    pub messages: Vec<String>,
}

/// Reads every 278 of an interchange, requests and responses alike.
pub fn read_278(input: &[u8]) -> Result<ReadOutcome<PriorAuthMessage>, X12Error> {
    read_documents(input, "278", read_set)
}

fn read_set(
    set: &TransactionSet,
    segments: &[Segment<'_>],
    warnings: &mut Vec<SegmentIssue>,
) -> Result<PriorAuthMessage, SegmentIssue> {
    let mut message = PriorAuthMessage {
        control_number: set.control_number.clone(),
        ..PriorAuthMessage::default()
    };
    let mut level = String::new();
    let mut seen = Vec::new();
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
                let first = !seen.contains(&level);
                seen.push(level.clone());
                first && matches!(level.as_str(), "20" | "21" | "22" | "EV" | "SS")
            }
            ("NM1", "20") => {
                message.payer = party();
                true
            }
            ("NM1", "21") => {
                message.provider = party();
                true
            }
            ("NM1", "22") => {
                (
                    message.member_id,
                    message.member_last_name,
                    message.member_first_name,
                ) = read_member(segment);
                true
            }
            ("DMG", "22") => {
                message.member_birth_date = segment.date_at(2, warnings);
                true
            }
            ("TRN", "EV") if message.trace.is_empty() => {
                message.trace = segment.required_string_at(2, "TRN02 trace number")?;
                message.trace_assigner = segment.string_at(3).unwrap_or_default();
                true
            }
            ("HI", "EV") => {
                message.diagnosis = segment.component_string_at(1, 2).unwrap_or_default();
                true
            }
            ("HCR", "EV") => {
                message.decision = Some(ReviewDecision {
                    action: segment.required_string_at(1, "HCR01 action code")?,
                    authorization_number: segment.string_at(2),
                    reason: segment.string_at(3),
                });
                true
            }
            ("MSG", "EV") => {
                message.messages.extend(segment.string_at(1));
                true
            }
            ("SV1", "SS") => {
                message.procedure = ProcedureCode::from_element(segment.element(1))
                    .map(|p| p.code)
                    .unwrap_or_default();
                message.amount = segment.amount_at(2)?;
                true
            }
            ("DTP", "SS") => {
                let mut date = || segment.date_at(3, warnings);
                match segment.string_at(1).as_deref() {
                    Some("472") => message.service_date = date(),
                    Some("007") => message.certification_effective = date(),
                    Some("036") => message.certification_expires = date(),
                    _ => {}
                }
                true
            }
            (_, "20" | "21" | "22" | "EV" | "SS") => {
                matches!(
                    segment.id(),
                    "UM" | "TRN" | "REF" | "PRV" | "DTP" | "N3" | "N4"
                )
            }
            _ => false,
        };
        if !known {
            let context = "in a 278 (one event and one service are read per set)".to_owned();
            warnings.push(segment.issue(None, FieldProblem::UnexpectedSegment { context }));
        }
    }
    Ok(message)
}

/// Writes a 278: a request (`response` false: BHT02 `13`, TRN01 `1`) or the response to one
/// (BHT02 `11`, TRN01 `2` returning the request's trace, HCR and MSG), numbered
/// `[interchange, group]`.
pub fn write_278(
    message: &PriorAuthMessage,
    envelope: &SingleSetEnvelope,
    response: bool,
    [interchange, group]: [u32; 2],
) -> Result<Vec<u8>, WriteError> {
    let mut w = envelope.begin("HI", "278", IMPLEMENTATION_278, interchange, group)?;
    let (date, time) = (envelope.date.ccyymmdd(), envelope.time.hhmm());
    let purpose = if response { "11" } else { "13" };
    w.segment("BHT", &["0007", purpose, &message.reference, &date, &time])?;
    w.segment("HL", &["1", "", "20", "1"])?;
    message.payer.write_nm1(&mut w, "X3")?;
    w.segment("HL", &["2", "1", "21", "1"])?;
    message.provider.write_nm1(&mut w, "1P")?;
    w.segment("HL", &["3", "2", "22", "1"])?;
    let names = [&message.member_last_name, &message.member_first_name];
    write_member(&mut w, &message.member_id, names)?;
    if let (false, Some(born)) = (response, message.member_birth_date) {
        w.segment("DMG", &["D8", &born.ccyymmdd()])?;
    }
    w.segment("HL", &["4", "3", "EV", "1"])?;
    w.segment(
        "TRN",
        &[
            if response { "2" } else { "1" },
            &message.trace,
            &message.trace_assigner,
        ],
    )?;
    w.segment("UM", &["HS", "I", "3"])?;
    if let Some(decision) = &message.decision {
        w.segment(
            "HCR",
            &[
                &decision.action,
                decision.authorization_number.as_deref().unwrap_or_default(),
                decision.reason.as_deref().unwrap_or_default(),
            ],
        )?;
    }
    w.segment_fields(
        "HI",
        &[Field::Composite(&[
            "ABK",
            &message.diagnosis.replace('.', ""),
        ])],
    )?;
    for text in &message.messages {
        // Free text: a separator in it becomes a space rather than refusing the answer.
        let plain: String = text
            .chars()
            .map(|c| if "*^:~\r\n".contains(c) { ' ' } else { c })
            .take(264)
            .collect();
        w.segment("MSG", &[&plain])?;
    }
    w.segment("HL", &["5", "4", "SS", "0"])?;
    w.segment("UM", &["HS", "I"])?;
    for (qualifier, date) in [
        ("472", message.service_date),
        ("007", message.certification_effective),
        ("036", message.certification_expires),
    ] {
        if let Some(date) = date {
            w.segment("DTP", &[qualifier, "D8", &date.ccyymmdd()])?;
        }
    }
    let amount = message.amount.map(|a| a.to_string()).unwrap_or_default();
    w.segment_fields(
        "SV1",
        &[
            Field::Composite(&["HC", &message.procedure]),
            Field::Simple(&amount),
            Field::Simple("UN"),
            Field::Simple("1"),
        ],
    )?;
    w.finish_single_set()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::x12::eligibility_samples::envelope;

    #[test]
    fn a_278_request_and_response_read_back() {
        let request = PriorAuthMessage {
            reference: "SBA1".into(),
            trace: "SBA000000001".into(),
            trace_assigner: "1123456789".into(),
            payer: NamedParty {
                name: "Acme Health Plan".into(),
                id_qualifier: "PI".into(),
                id: "HMO1".into(),
            },
            provider: NamedParty {
                name: "Clinic".into(),
                id_qualifier: "XX".into(),
                id: "1234567893".into(),
            },
            member_id: "MEM12345".into(),
            member_last_name: Some("O'Brien".into()),
            member_first_name: Some("Mary".into()),
            member_birth_date: Date::new(1980, 2, 29),
            diagnosis: "J069".into(),
            procedure: "99213".into(),
            amount: Some(Amount::from_cents(20_000)),
            service_date: Date::new(2026, 12, 1),
            ..PriorAuthMessage::default()
        };
        let file = write_278(&request, &envelope(), false, [31, 4]).unwrap();
        let text = String::from_utf8(file.clone()).unwrap();
        assert!(
            text.contains("ST*278*0001*005010X217~\nBHT*0007*13*SBA1*"),
            "{text}"
        );
        assert!(text.contains("SV1*HC:99213*200*UN*1~"), "{text}");
        let read = read_278(&file).unwrap();
        assert!(read.warnings.is_empty(), "{:?}", read.warnings);
        let mut expected = request.clone();
        expected.control_number = "0001".into();
        assert_eq!(read.documents, [expected]);

        let answer = PriorAuthMessage {
            member_birth_date: None,
            decision: Some(ReviewDecision {
                action: "A3".into(),
                authorization_number: None,
                reason: Some("CC".into()),
            }),
            messages: vec!["failed - procedure S9083 is excluded".into()],
            ..request
        };
        let file = write_278(&answer, &envelope(), true, [32, 5]).unwrap();
        let text = String::from_utf8(file.clone()).unwrap();
        assert!(
            text.contains("TRN*2*SBA000000001*1123456789~\nUM*HS*I*3~\nHCR*A3**CC~"),
            "{text}"
        );
        let read = read_278(&file).unwrap();
        assert!(read.warnings.is_empty(), "{:?}", read.warnings);
        assert_eq!(read.documents[0].decision, answer.decision);
        assert_eq!(read.documents[0].messages, answer.messages);
        let colon = PriorAuthMessage {
            messages: vec!["met: coverage".into()],
            ..answer
        };
        let text =
            String::from_utf8(write_278(&colon, &envelope(), true, [33, 6]).unwrap()).unwrap();
        assert!(text.contains("MSG*met  coverage~"), "{text}");
    }
}
