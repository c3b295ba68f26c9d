//! One received message: its format, recognised from the content itself (MSH, ISA or a FHIR
//! JSON resource), parsed once, and its facts. Filters, routing, mappings, transforms and the
//! answer to the sender all read the same [`Message`]; what cannot be processed is a typed
//! [`Rejection`], from which the answer's error codes come. A message also says how a resend of
//! it is recognised ([`ResendKey`]).

mod facts;

use std::sync::Arc;

use sha2::{Digest, Sha256};

pub use facts::{FACT_NAMES, Facts, json_field, json_items};

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

    /// The format a MIME type declares (parameters such as `charset` aside), when it names one
    /// of ours; `application/json` and `text/plain` declare none.
    pub fn from_content_type(content_type: &str) -> Option<Format> {
        let essence = content_type.split(';').next().unwrap_or_default().trim();
        let known = [
            ("x-application/hl7-v2+er7", Format::Hl7v2),
            ("application/hl7-v2", Format::Hl7v2),
            ("application/hl7-v2+er7", Format::Hl7v2),
            ("application/edi-x12", Format::X12),
            ("application/x12", Format::X12),
            ("application/fhir+json", Format::Fhir),
            ("application/json+fhir", Format::Fhir),
        ];
        known
            .into_iter()
            .find(|(name, _)| essence.eq_ignore_ascii_case(name))
            .map(|(_, format)| format)
    }

    /// What a message of this format looks like, for a sender told it sent something else.
    fn expectation(self) -> &'static str {
        match self {
            Format::Hl7v2 => "an HL7 v2 message (an MSH segment first)",
            Format::Fhir => "a FHIR JSON resource (an object with a resourceType)",
            Format::X12 => "an X12 interchange (an ISA segment first)",
        }
    }

    /// The format's name in a sentence.
    fn name(self) -> &'static str {
        match self {
            Format::Hl7v2 => "HL7 v2",
            Format::Fhir => "FHIR JSON",
            Format::X12 => "X12",
        }
    }

    /// The format the content's first bytes announce (after a byte order mark and whitespace).
    fn announced_by(start: &[u8]) -> Option<Format> {
        if start.starts_with(b"MSH") {
            Some(Format::Hl7v2)
        } else if start.starts_with(b"ISA") {
            Some(Format::X12)
        } else if start.starts_with(b"{") {
            Some(Format::Fhir)
        } else {
            None
        }
    }
}

/// How a resend is recognised: the channel (kept by the store), the sender with its control id,
/// and the content. A message with the same `sender_control` and another `content_hash` is a
/// different message that reuses the control id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResendKey {
    /// The sender and its control id, as a JSON array: HL7 v2 MSH-3, MSH-4 and MSH-10; X12
    /// ISA05, ISA06, ISA13 and the transaction set codes (ST01); a FHIR Bundle's identifier
    /// system and value.
    pub sender_control: String,
    /// The content's SHA-256, hex ([`content_hash`]).
    pub content_hash: String,
}

impl ResendKey {
    /// The key of `raw` sent by `sender_control`.
    pub fn new(sender_control: String, raw: &[u8]) -> Self {
        ResendKey {
            sender_control,
            content_hash: content_hash(raw),
        }
    }
}

/// SHA-256 (hex) of content as received, without the whitespace and line endings at its end:
/// a sender that ends the same message with `\r`, `\r\n` or nothing sends the same content.
/// (MLLP framing is not part of what a source receives.)
pub fn content_hash(raw: &[u8]) -> String {
    let end = raw
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |last| last + 1);
    hex::encode(Sha256::digest(&raw[..end]))
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
    /// The sender and control id of [`ResendKey::sender_control`], when the message has them.
    sender_control: Option<String>,
    /// What the sender got wrong but could be read past.
    warnings: Vec<String>,
    /// What routing rules and filters test.
    pub facts: Facts,
}

impl Message {
    /// Reads `raw`. Content in no known format is a message with empty facts; content that
    /// starts like a known format but is broken is an [`RejectionKind::Unreadable`] rejection
    /// saying where.
    pub fn read(raw: &[u8]) -> Result<Message, Rejection> {
        let raw: Arc<[u8]> = Arc::from(raw);
        let mut warnings = Vec::new();
        let (body, facts, sender_control) = match Format::announced_by(content_start(&raw)) {
            Some(Format::Hl7v2) => {
                let message = hl7v2::Message::parse(&raw).map_err(|err| Rejection {
                    control_id: hl7v2::salvage_header(&raw).control_id,
                    ..Rejection::unreadable(format!("HL7 v2 message cannot be read: {err}"))
                })?;
                check_header(&message).map_err(|rejection| Rejection {
                    control_id: message.control_id().map(|id| id.into_owned()),
                    ..rejection
                })?;
                let facts = facts::hl7v2_facts(&message);
                let sender_control = facts::hl7v2_sender_control(&message);
                (Body::Hl7v2(message.into_index()), facts, sender_control)
            }
            Some(Format::X12) => {
                let read = facts::x12_facts(&raw).map_err(|reason| {
                    Rejection::unreadable(format!("X12 message cannot be read: {reason}"))
                })?;
                warnings = read.warnings;
                (Body::Raw, read.facts, read.sender_control)
            }
            Some(Format::Fhir) => {
                let json: serde_json::Value = serde_json::from_slice(&raw).map_err(|err| {
                    Rejection::unreadable(format!(
                        "JSON message cannot be read: line {} column {}: {err}",
                        err.line(),
                        err.column()
                    ))
                })?;
                let facts = facts::fhir_facts(&json);
                let sender_control = facts::fhir_sender_control(&json, &facts);
                (Body::Json(json), facts, sender_control)
            }
            None => (Body::Raw, Facts::default(), None),
        };
        Ok(Message {
            raw,
            body: Arc::new(body),
            sender_control,
            warnings,
            facts,
        })
    }

    /// Reads `raw` where the source expects `expected` (an MLLP listener HL7 v2, an X12 inbox
    /// X12, content declared as one of our formats that format): content in no format or in
    /// another one is an [`RejectionKind::Unreadable`] rejection saying what was found and
    /// where. `None` expects nothing: [`Message::read`].
    pub fn read_as(raw: &[u8], expected: Option<Format>) -> Result<Message, Rejection> {
        let Some(expected) = expected else {
            return Message::read(raw);
        };
        let start = content_start(raw);
        let offset = raw.len() - start.len();
        let reason = match Format::announced_by(start) {
            _ if start.is_empty() => format!(
                "the message is empty{}: {} was expected",
                if raw.is_empty() {
                    ""
                } else {
                    " (only whitespace)"
                },
                expected.expectation()
            ),
            None if expected == Format::Hl7v2
                && (start.starts_with(b"FHS") || start.starts_with(b"BHS")) =>
            {
                format!(
                    "an HL7 v2 batch (FHS/BHS at byte {offset}) is not taken here: send each message of the batch on its own"
                )
            }
            Some(found) if found != expected => format!(
                "{} content (byte {offset}) where {} was expected",
                found.name(),
                expected.expectation()
            ),
            Some(_) => {
                let message = Message::read(raw)?;
                if message.format() == Some(expected) {
                    return Ok(message);
                }
                format!(
                    "JSON without a resourceType where {} was expected",
                    expected.expectation()
                )
            }
            None => format!(
                "not {}: the content begins with \"{}\" at byte {offset}",
                expected.expectation(),
                start
                    .iter()
                    .take(3)
                    .flat_map(|b| std::ascii::escape_default(*b))
                    .map(char::from)
                    .collect::<String>()
            ),
        };
        Err(Rejection::unreadable(reason))
    }

    /// How a resend of this message is recognised, when it names its sender and control id.
    pub fn resend_key(&self) -> Option<ResendKey> {
        let sender_control = self.sender_control.clone()?;
        Some(ResendKey::new(sender_control, &self.raw))
    }

    /// This message with the sender and control id of its resend key set by the source that
    /// received it (a database row names itself by its key column, as a JSON array like
    /// [`ResendKey::sender_control`]).
    pub fn sent_as(mut self, sender_control: String) -> Message {
        self.sender_control = Some(sender_control);
        self
    }

    /// What the sender got wrong but could be read past (X12 composites written with another
    /// separator than ISA16 declares), each for the message's event trail.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
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

/// The MSH fields without which a receiver cannot tell what a message is: its type (MSH-9.1)
/// and its version (MSH-12). An empty one refuses the message, naming the field.
fn check_header(message: &hl7v2::Message<'_>) -> Result<(), Rejection> {
    for (path, what) in [("MSH-9.1", "message type"), ("MSH-12", "version id")] {
        if message
            .get(path)
            .is_none_or(|value| value.trim().is_empty())
        {
            return Err(Rejection::new(
                RejectionKind::RequiredMissing,
                format!("{path} ({what}) is empty: the message cannot be processed without it"),
            )
            .at(Some(path.to_string())));
        }
    }
    Ok(())
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
    /// The message holds more than a limit on the work one message may cost allows (segments,
    /// fields, repetitions, components read by a mapping); the reason names the limit.
    TooLarge,
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
            // As for a frame past the source's size limit.
            RejectionKind::TooLarge => hl7v2::ErrorCode::ValueTooLong,
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
    /// The sender's control id, where the refused content still shows one (HL7 v2 MSH-10), so
    /// the stored message can be found by it.
    pub control_id: Option<String>,
}

impl Rejection {
    /// A rejection of `kind` with no location.
    pub fn new(kind: RejectionKind, reason: impl Into<String>) -> Self {
        Rejection {
            kind,
            reason: reason.into(),
            location: None,
            control_id: None,
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
    fn kind_and_sender_name_each_format_as_an_operator_would() {
        let adt = Message::read(ADT).unwrap();
        assert_eq!(adt.facts.kind().as_deref(), Some("ADT^A01"));
        assert_eq!(adt.facts.sender().as_deref(), Some("EHR^HOSP"));
        let remit =
            Message::read(include_bytes!("../../samples/x12/835-managed-care.x12")).unwrap();
        assert_eq!(remit.facts.kind().as_deref(), Some("835"));
        assert_eq!(remit.facts.sender(), remit.facts.sender_id);
        assert!(remit.facts.sender().is_some());
        let patient = Message::read(br#"{"resourceType":"Patient","id":"p1"}"#).unwrap();
        assert_eq!(patient.facts.kind().as_deref(), Some("Patient"));
        assert_eq!(patient.facts.sender(), None);
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
    fn a_header_without_type_or_version_is_refused_naming_the_field() {
        let no_type =
            Message::read(b"MSH|^~\\&|EHR|HOSP|||20261125||^|C9|P|2.5\rPID|1\r").unwrap_err();
        assert_eq!(no_type.kind, RejectionKind::RequiredMissing);
        assert_eq!(no_type.location.as_deref(), Some("MSH-9.1"));
        assert_eq!(no_type.control_id.as_deref(), Some("C9"));
        let no_version =
            Message::read(b"MSH|^~\\&|EHR|HOSP|||20261125||ADT^A08|C10|P\r").unwrap_err();
        assert_eq!(no_version.location.as_deref(), Some("MSH-12"));
        let broken = Message::read(b"MSH|^~\\&|EHR|HOSP|||1||ADT^A08|C11|P|2.5\rP").unwrap_err();
        assert_eq!(broken.kind, RejectionKind::Unreadable);
        assert_eq!(
            broken.control_id.as_deref(),
            Some("C11"),
            "salvaged from MSH"
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

    #[test]
    fn a_resend_key_names_the_sender_control_id_and_content() {
        let key = |raw: &[u8]| Message::read(raw).unwrap().resend_key().unwrap();
        let adt = key(ADT);
        assert_eq!(
            adt.sender_control,
            r#"["hl7v2","EHR^1.2^ISO","HOSP","MSG1"]"#
        );
        // Line endings and whitespace at the end are not content; anything else is.
        let mut crlf = ADT.to_vec();
        crlf.extend_from_slice(b"\n \n");
        assert_eq!(key(&crlf), adt);
        assert_eq!(key(&ADT[..ADT.len() - 1]), adt);
        let other = key(&[ADT, b"NTE|1\r".as_slice()].concat());
        assert_eq!(other.sender_control, adt.sender_control);
        assert_ne!(other.content_hash, adt.content_hash);
        let other_sender = String::from_utf8_lossy(ADT).replace("|HOSP|SB|", "|CLINIC|SB|");
        assert_ne!(
            key(other_sender.as_bytes()).sender_control,
            adt.sender_control
        );
        // No MSH-10, no key.
        let no_control = String::from_utf8_lossy(ADT).replace("|MSG1|", "||");
        assert_eq!(
            Message::read(no_control.as_bytes()).unwrap().resend_key(),
            None
        );
        assert_eq!(Message::read(b"hello").unwrap().resend_key(), None);
    }

    #[test]
    fn an_x12_resend_key_includes_the_transaction_sets() {
        let key = |raw: &[u8]| Message::read(raw).unwrap().resend_key().unwrap();
        let remittance = key(include_bytes!("../../samples/x12/835-managed-care.x12"));
        assert_eq!(
            remittance.sender_control,
            r#"["x12","30","000000005","000000907","835"]"#
        );
        // The sample 837 has the 835's sender and ISA13.
        let claim = key(include_bytes!("../../samples/x12/837p-demo-example1.x12"));
        assert_eq!(
            claim.sender_control,
            r#"["x12","30","000000005","000000907","837"]"#
        );
        let bundle = br#"{"resourceType":"Bundle","identifier":{"system":"urn:s","value":"B-7"}}"#;
        assert_eq!(key(bundle).sender_control, r#"["fhir","urn:s","B-7"]"#);
    }

    #[test]
    fn content_types_declare_formats() {
        assert_eq!(
            Format::from_content_type("X-Application/HL7-V2+ER7; charset=utf-8"),
            Some(Format::Hl7v2)
        );
        assert_eq!(
            Format::from_content_type("application/edi-x12"),
            Some(Format::X12)
        );
        assert_eq!(
            Format::from_content_type("application/fhir+json"),
            Some(Format::Fhir)
        );
        assert_eq!(Format::from_content_type("application/json"), None);
    }

    #[test]
    fn content_not_in_the_expected_format_is_unreadable() {
        let reason = |raw: &[u8], format| {
            let rejection = Message::read_as(raw, Some(format)).unwrap_err();
            assert_eq!(rejection.kind, RejectionKind::Unreadable);
            rejection.reason
        };
        assert!(reason(b"", Format::Hl7v2).starts_with("the message is empty"));
        assert!(reason(b"\r\n", Format::X12).contains("only whitespace"));
        let batch = reason(b"FHS|^~\\&\rBHS|^~\\&\rMSH|^~\\&|A\r", Format::Hl7v2);
        assert!(batch.contains("batch (FHS/BHS at byte 0)"), "{batch}");
        let garbage = reason(b" \x00garbage", Format::Hl7v2);
        assert!(
            garbage.contains("MSH segment first") && garbage.contains("\"\\x00ga\" at byte 1"),
            "{garbage}"
        );
        let hl7_in_x12 = reason(ADT, Format::X12);
        assert!(
            hl7_in_x12.starts_with("HL7 v2 content (byte 0) where an X12 interchange"),
            "{hl7_in_x12}"
        );
        assert!(reason(b"{}", Format::Fhir).contains("without a resourceType"));
        assert!(Message::read_as(ADT, Some(Format::Hl7v2)).is_ok());
        assert!(Message::read_as(b"hello", None).is_ok());
        assert!(
            Message::read_as(b"MSH", Some(Format::Hl7v2))
                .unwrap_err()
                .reason
                .starts_with("HL7 v2 message cannot be read")
        );
    }
}
