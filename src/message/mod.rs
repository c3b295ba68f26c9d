//! One received message: its format, recognised from the content itself (MSH, ISA or a FHIR
//! JSON resource), parsed once, and its facts. Filters, routing, mappings, transforms and the
//! answer to the sender all read the same [`Message`]; what cannot be processed is a typed
//! [`Rejection`], from which the answer's error codes come.

mod facts;

use std::sync::Arc;

pub use facts::{FACT_NAMES, Facts, json_array_len, json_field};

use crate::hl7v2;

/// The wire formats the engine recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// HL7 v2 (ER7, pipe-delimited).
    Hl7v2,
    /// FHIR R4 JSON.
    Fhir,
    /// ASC X12 EDI.
    X12,
}

impl Format {
    /// The name used in routing rules.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Hl7v2 => "hl7v2",
            Format::Fhir => "fhir",
            Format::X12 => "x12",
        }
    }

    /// The MIME type recorded for messages of this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Hl7v2 => "x-application/hl7-v2+er7",
            Format::Fhir => "application/fhir+json",
            Format::X12 => "application/edi-x12",
        }
    }
}

/// The parse each format keeps, so that no reader parses the message again.
#[derive(Debug)]
enum Body {
    /// HL7 v2: the segment index over the raw bytes.
    Hl7v2(hl7v2::MessageIndex),
    /// JSON (a FHIR resource or other JSON).
    Json(serde_json::Value),
    /// X12 and unrecognised content: read from the raw bytes when asked.
    Raw,
}

/// One message as received: the bytes, their parse and their facts. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Message {
    raw: Arc<[u8]>,
    body: Arc<Body>,
    /// What routing rules and filters test.
    pub facts: Facts,
}

impl Message {
    /// Reads `raw`. Content in no known format is a message with empty facts; content that
    /// starts like a known format but is broken is an [`RejectionKind::Unreadable`] rejection
    /// saying where.
    pub fn read(raw: &[u8]) -> Result<Message, Rejection> {
        let raw: Arc<[u8]> = Arc::from(raw);
        let start = content_start(&raw);
        let (body, facts) = if start.starts_with(b"MSH") {
            let message = hl7v2::Message::parse(&raw).map_err(|err| {
                Rejection::unreadable(format!("HL7 v2 message cannot be read: {err}"))
            })?;
            let facts = facts::hl7v2_facts(&message);
            (Body::Hl7v2(message.into_index()), facts)
        } else if start.starts_with(b"ISA") {
            let facts = facts::x12_facts(&raw).map_err(|reason| {
                Rejection::unreadable(format!("X12 message cannot be read: {reason}"))
            })?;
            (Body::Raw, facts)
        } else if start.starts_with(b"{") {
            let json: serde_json::Value = serde_json::from_slice(&raw).map_err(|err| {
                Rejection::unreadable(format!(
                    "JSON message cannot be read: line {} column {}: {err}",
                    err.line(),
                    err.column()
                ))
            })?;
            let facts = facts::fhir_facts(&json);
            (Body::Json(json), facts)
        } else {
            (Body::Raw, Facts::default())
        };
        Ok(Message {
            raw,
            body: Arc::new(body),
            facts,
        })
    }

    /// The bytes as received.
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// The format, when recognised.
    pub fn format(&self) -> Option<Format> {
        self.facts.format
    }

    /// The HL7 v2 message, when it is one.
    pub fn hl7v2(&self) -> Option<hl7v2::Message<'_>> {
        match &*self.body {
            Body::Hl7v2(index) => Some(index.view(&self.raw)),
            _ => None,
        }
    }

    /// The JSON document, when it is one.
    pub fn json(&self) -> Option<&serde_json::Value> {
        match &*self.body {
            Body::Json(json) => Some(json),
            _ => None,
        }
    }

    /// The value at `path` in the message: an HL7 v2 terse path (`PID-3.1`), an X12 element
    /// (`CLP01`, `SVC01-2`) or a FHIR element path (`name.family`, arrays take the first item).
    pub fn field(&self, path: &str) -> Option<String> {
        match self.format()? {
            Format::Hl7v2 => self.hl7v2()?.get(path).map(|v| v.into_owned()),
            Format::X12 => facts::x12_field(&self.raw, path),
            Format::Fhir => json_field(self.json()?, path),
        }
    }
}

/// Skips a UTF-8 byte order mark and leading whitespace.
fn content_start(raw: &[u8]) -> &[u8] {
    let raw = raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw);
    let first = raw
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(raw.len());
    &raw[first..]
}

/// Why a message cannot be processed, in classes that senders' protocols have codes for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectionKind {
    /// The message does not read as its format (broken header, bad segment structure, bad JSON).
    Unreadable,
    /// Readable, but of a type or format the channel does not take.
    Unsupported,
    /// A value the processing needs is absent.
    RequiredMissing,
    /// A value is present but does not read (a date that is no date, an unknown code).
    InvalidValue,
    /// The engine could not process it for a reason of its own.
    Internal,
}

impl RejectionKind {
    /// The HL7 v2 error code (table 0357) that tells a sender this class of problem.
    pub fn hl7_error_code(self) -> hl7v2::ErrorCode {
        match self {
            RejectionKind::Unreadable => hl7v2::ErrorCode::SegmentSequence,
            RejectionKind::Unsupported => hl7v2::ErrorCode::UnsupportedMessageType,
            RejectionKind::RequiredMissing => hl7v2::ErrorCode::RequiredFieldMissing,
            RejectionKind::InvalidValue => hl7v2::ErrorCode::DataType,
            RejectionKind::Internal => hl7v2::ErrorCode::ApplicationInternalError,
        }
    }
}

/// A message that cannot be processed: what kind of problem, what exactly and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct Rejection {
    /// The class of problem.
    pub kind: RejectionKind,
    /// What is wrong, in words a sender can act on.
    pub reason: String,
    /// Where, as a terse path (`PID-3`, `FT1[2]-11`), when known.
    pub location: Option<String>,
}

impl Rejection {
    /// A rejection of `kind` with no location.
    pub fn new(kind: RejectionKind, reason: impl Into<String>) -> Self {
        Rejection {
            kind,
            reason: reason.into(),
            location: None,
        }
    }

    /// A message that does not read as its format.
    pub fn unreadable(reason: impl Into<String>) -> Self {
        Rejection::new(RejectionKind::Unreadable, reason)
    }

    /// The same rejection, located at `location`.
    pub fn at(self, location: Option<String>) -> Self {
        Rejection { location, ..self }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADT: &[u8] = b"MSH|^~\\&|EHR^1.2^ISO|HOSP|SB|RECV|20261125||ADT^A01^ADT_A01|MSG1|P|2.5\rPID|1||MRN1^^^HOSP^MR\rIN1|1|GOLD|HMO1^Acme\r";

    #[test]
    fn hl7v2_facts_are_read() {
        let message = Message::read(ADT).unwrap();
        assert_eq!(message.facts.format, Some(Format::Hl7v2));
        assert_eq!(message.facts.message_type.as_deref(), Some("ADT"));
        assert_eq!(message.facts.trigger_event.as_deref(), Some("A01"));
        assert_eq!(message.facts.sending_application.as_deref(), Some("EHR"));
        assert_eq!(message.facts.sending_facility.as_deref(), Some("HOSP"));
        assert_eq!(message.facts.receiving_facility.as_deref(), Some("RECV"));
        assert_eq!(message.facts.payer_id.as_deref(), Some("HMO1"));
        assert_eq!(message.facts.control_id.as_deref(), Some("MSG1"));
        assert_eq!(message.field("PID-3.4").as_deref(), Some("HOSP"));
    }

    #[test]
    fn x12_facts_are_read() {
        let raw = include_bytes!("../../samples/x12/835-managed-care.x12");
        let message = Message::read(raw).unwrap();
        assert_eq!(message.facts.format, Some(Format::X12));
        assert_eq!(message.facts.transaction_set.as_deref(), Some("835"));
        assert!(message.facts.sender_id.is_some() && message.facts.receiver_id.is_some());
        assert!(
            message
                .facts
                .control_id
                .as_deref()
                .is_some_and(|c| c.contains(':'))
        );
        assert!(message.field("CLP01").is_some());
        assert!(message.field("CLP99").is_none());
    }

    #[test]
    fn fhir_facts_are_read() {
        let message =
            Message::read(br#"{"resourceType":"Patient","name":[{"family":"Doe"}]}"#).unwrap();
        assert_eq!(message.facts.format, Some(Format::Fhir));
        assert_eq!(message.facts.resource_type.as_deref(), Some("Patient"));
        assert_eq!(message.field("Patient.name.family").as_deref(), Some("Doe"));
        assert_eq!(message.field("name.0.family").as_deref(), Some("Doe"));
        let bundle = br#"{"resourceType":"Bundle","identifier":{"value":"B-7"}}"#;
        assert_eq!(
            Message::read(bundle).unwrap().facts.control_id.as_deref(),
            Some("B-7")
        );
    }

    #[test]
    fn broken_known_formats_are_errors_and_unknown_content_is_not() {
        assert!(
            Message::read(b"MSH")
                .unwrap_err()
                .to_string()
                .starts_with("HL7 v2")
        );
        assert_eq!(
            Message::read(b"MSH").unwrap_err().kind,
            RejectionKind::Unreadable
        );
        assert!(
            Message::read(b"{not json")
                .unwrap_err()
                .reason
                .contains("line 1")
        );
        assert!(Message::read(b"ISA*short").is_err());
        let plain = Message::read(b"hello").unwrap();
        assert_eq!(plain.format(), None);
        assert_eq!(plain.field("PID-3"), None);
    }
}
