//! Message facts: what routing rules and filters test, read once from the raw message.
//! The format is recognised from the content itself (MSH, ISA or a FHIR JSON resource).

use std::sync::Arc;

use crate::{hl7v2, x12};

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

/// What is known about one message. Absent facts are `None`.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The format, when recognised.
    pub format: Option<Format>,
    /// HL7 v2 MSH-9.1.
    pub message_type: Option<String>,
    /// HL7 v2 MSH-9.2.
    pub trigger_event: Option<String>,
    /// HL7 v2 MSH-3.1.
    pub sending_application: Option<String>,
    /// HL7 v2 MSH-4.1.
    pub sending_facility: Option<String>,
    /// HL7 v2 MSH-6.1.
    pub receiving_facility: Option<String>,
    /// X12 ST01 of the first transaction set.
    pub transaction_set: Option<String>,
    /// X12 ISA06, trimmed.
    pub sender_id: Option<String>,
    /// X12 ISA08, trimmed.
    pub receiver_id: Option<String>,
    /// FHIR `resourceType`.
    pub resource_type: Option<String>,
    /// HL7 v2 IN1-3.1; X12 835 payer (N1*PR N104, else TRN03).
    pub payer_id: Option<String>,
    /// The sender's control id: MSH-10; ISA06 + ISA13; a FHIR Bundle's identifier.
    pub control_id: Option<String>,
    raw: Arc<[u8]>,
}

/// Why a message that looks like a known format cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{format} message cannot be read: {reason}")]
pub struct FactsError {
    /// The format it claimed to be.
    pub format: &'static str,
    /// What is wrong, with its location.
    pub reason: String,
}

impl Facts {
    /// Reads the facts of `raw`. Content in no known format gets empty facts; content that
    /// starts like a known format but is broken is an error saying where.
    pub fn extract(raw: &[u8]) -> Result<Facts, FactsError> {
        let raw: Arc<[u8]> = Arc::from(raw);
        let start = content_start(&raw);
        let facts = if start.starts_with(b"MSH") {
            hl7v2_facts(&raw)?
        } else if start.starts_with(b"ISA") {
            x12_facts(&raw)?
        } else if start.starts_with(b"{") {
            fhir_facts(&raw)?
        } else {
            Facts::default()
        };
        Ok(Facts { raw, ..facts })
    }

    /// The value at `path` in the message: an HL7 v2 terse path (`PID-3.1`), an X12 element
    /// (`CLP01`, `SVC01-2`) or a FHIR element path (`name.family`, arrays take the first item).
    pub fn field(&self, path: &str) -> Option<String> {
        match self.format? {
            Format::Hl7v2 => {
                let message = hl7v2::Message::parse(&self.raw).ok()?;
                message.get(path).map(|v| v.into_owned())
            }
            Format::X12 => x12_field(&self.raw, path),
            Format::Fhir => {
                let json: serde_json::Value = serde_json::from_slice(&self.raw).ok()?;
                json_field(&json, path)
            }
        }
    }

    /// The raw message the facts were read from.
    pub fn raw(&self) -> &[u8] {
        &self.raw
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

fn non_empty(value: Option<std::borrow::Cow<'_, str>>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

fn hl7v2_facts(raw: &[u8]) -> Result<Facts, FactsError> {
    let message = hl7v2::Message::parse(raw).map_err(|err| FactsError {
        format: "HL7 v2",
        reason: err.to_string(),
    })?;
    let message_type = message.message_type();
    Ok(Facts {
        format: Some(Format::Hl7v2),
        message_type: non_empty(message_type.as_ref().map(|t| t.code.clone())),
        trigger_event: non_empty(message_type.as_ref().map(|t| t.trigger_event.clone())),
        sending_application: non_empty(message.get("MSH-3.1")),
        sending_facility: non_empty(message.get("MSH-4.1")),
        receiving_facility: non_empty(message.get("MSH-6.1")),
        payer_id: non_empty(message.get("IN1-3.1")),
        control_id: non_empty(message.control_id()),
        ..Facts::default()
    })
}

fn x12_facts(raw: &[u8]) -> Result<Facts, FactsError> {
    let error = |reason: String| FactsError {
        format: "X12",
        reason,
    };
    let tokenizer = x12::Tokenizer::new(raw).map_err(|err| error(err.to_string()))?;
    let mut facts = Facts {
        format: Some(Format::X12),
        ..Facts::default()
    };
    let mut trace_payer = None;
    let mut interchange_control = None;
    for segment in tokenizer {
        let segment = segment.map_err(|err| error(err.to_string()))?;
        match segment.id() {
            "ISA" => {
                facts.sender_id = non_empty(segment.text(6));
                facts.receiver_id = non_empty(segment.text(8));
                interchange_control = non_empty(segment.text(13));
            }
            "ST" if facts.transaction_set.is_none() => {
                facts.transaction_set = non_empty(segment.text(1));
            }
            "TRN" if trace_payer.is_none() => trace_payer = non_empty(segment.text(3)),
            "N1" if facts.payer_id.is_none() && segment.text(1).as_deref() == Some("PR") => {
                facts.payer_id = non_empty(segment.text(4));
            }
            _ => {}
        }
    }
    if facts.transaction_set.as_deref() == Some("835") && facts.payer_id.is_none() {
        facts.payer_id = trace_payer;
    }
    facts.control_id = interchange_control.map(|control| match &facts.sender_id {
        Some(sender) => format!("{sender}:{control}"),
        None => control,
    });
    Ok(facts)
}

/// `SEGnn` or `SEGnn-c`: the first segment with that id, element nn, component c.
fn x12_field(raw: &[u8], path: &str) -> Option<String> {
    let (element_path, component) = match path.split_once('-') {
        Some((element, component)) => (element, Some(component.parse::<usize>().ok()?)),
        None => (path, None),
    };
    let split = element_path.find(|c: char| c.is_ascii_digit())?;
    let (id, position) = element_path.split_at(split);
    let position: usize = position.parse().ok()?;
    let segment = x12::Tokenizer::new(raw)
        .ok()?
        .map_while(Result::ok)
        .find(|segment| segment.id() == id)?;
    let element = segment.element(position)?;
    let value = match component {
        Some(c) => element.component_text(c)?,
        None => element.text(),
    };
    non_empty(Some(value))
}

fn fhir_facts(raw: &[u8]) -> Result<Facts, FactsError> {
    let json: serde_json::Value = serde_json::from_slice(raw).map_err(|err| FactsError {
        format: "JSON",
        reason: format!("line {} column {}: {err}", err.line(), err.column()),
    })?;
    let Some(resource_type) = json.get("resourceType").and_then(|v| v.as_str()) else {
        return Ok(Facts::default());
    };
    let control_id = (resource_type == "Bundle")
        .then(|| json_field(&json, "identifier.value"))
        .flatten();
    Ok(Facts {
        format: Some(Format::Fhir),
        resource_type: Some(resource_type.to_string()),
        control_id,
        ..Facts::default()
    })
}

/// Follows a dotted element path (`name.0.family`); a leading resource type is skipped and an
/// array met where an element is expected stands for its first item.
fn json_walk<'j>(json: &'j serde_json::Value, path: &str) -> Option<&'j serde_json::Value> {
    let mut steps = path.split('.').filter(|s| !s.is_empty()).peekable();
    if let (Some(first), Some(resource_type)) = (steps.peek(), json.get("resourceType"))
        && resource_type.as_str() == Some(*first)
    {
        steps.next();
    }
    let mut current = json;
    for step in steps {
        current = match (step.parse::<usize>(), current) {
            (Ok(index), _) => current.get(index)?,
            (Err(_), serde_json::Value::Array(items)) => items.first()?.get(step)?,
            (Err(_), _) => current.get(step)?,
        };
    }
    Some(current)
}

/// Number of items of the array at `path` (0 when absent; 1 for a single value).
pub fn json_array_len(json: &serde_json::Value, path: &str) -> usize {
    match json_walk(json, path) {
        Some(serde_json::Value::Array(items)) => items.len(),
        Some(_) => 1,
        None => 0,
    }
}

/// The scalar at a dotted element path, as text; arrays take their first item.
pub fn json_field(json: &serde_json::Value, path: &str) -> Option<String> {
    let mut current = json_walk(json, path)?;
    if let serde_json::Value::Array(items) = current {
        current = items.first()?;
    }
    match current {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADT: &[u8] = b"MSH|^~\\&|EHR^1.2^ISO|HOSP|SB|RECV|20261125||ADT^A01^ADT_A01|MSG1|P|2.5\rPID|1||MRN1^^^HOSP^MR\rIN1|1|GOLD|HMO1^Acme\r";

    #[test]
    fn hl7v2_facts_are_read() {
        let facts = Facts::extract(ADT).unwrap();
        assert_eq!(facts.format, Some(Format::Hl7v2));
        assert_eq!(facts.message_type.as_deref(), Some("ADT"));
        assert_eq!(facts.trigger_event.as_deref(), Some("A01"));
        assert_eq!(facts.sending_application.as_deref(), Some("EHR"));
        assert_eq!(facts.sending_facility.as_deref(), Some("HOSP"));
        assert_eq!(facts.receiving_facility.as_deref(), Some("RECV"));
        assert_eq!(facts.payer_id.as_deref(), Some("HMO1"));
        assert_eq!(facts.control_id.as_deref(), Some("MSG1"));
        assert_eq!(facts.field("PID-3.4").as_deref(), Some("HOSP"));
    }

    #[test]
    fn x12_facts_are_read() {
        let raw = include_bytes!("../../samples/x12/835-managed-care.x12");
        let facts = Facts::extract(raw).unwrap();
        assert_eq!(facts.format, Some(Format::X12));
        assert_eq!(facts.transaction_set.as_deref(), Some("835"));
        assert!(facts.sender_id.is_some() && facts.receiver_id.is_some());
        assert!(facts.control_id.as_deref().is_some_and(|c| c.contains(':')));
        assert!(facts.field("CLP01").is_some());
        assert!(facts.field("CLP99").is_none());
    }

    #[test]
    fn fhir_facts_are_read() {
        let facts =
            Facts::extract(br#"{"resourceType":"Patient","name":[{"family":"Doe"}]}"#).unwrap();
        assert_eq!(facts.format, Some(Format::Fhir));
        assert_eq!(facts.resource_type.as_deref(), Some("Patient"));
        assert_eq!(facts.field("Patient.name.family").as_deref(), Some("Doe"));
        assert_eq!(facts.field("name.0.family").as_deref(), Some("Doe"));
        let bundle = br#"{"resourceType":"Bundle","identifier":{"value":"B-7"}}"#;
        assert_eq!(
            Facts::extract(bundle).unwrap().control_id.as_deref(),
            Some("B-7")
        );
    }

    #[test]
    fn broken_known_formats_are_errors_and_unknown_content_is_not() {
        assert!(
            Facts::extract(b"MSH")
                .unwrap_err()
                .to_string()
                .starts_with("HL7 v2")
        );
        assert!(
            Facts::extract(b"{not json")
                .unwrap_err()
                .reason
                .contains("line 1")
        );
        assert!(Facts::extract(b"ISA*short").is_err());
        let plain = Facts::extract(b"hello").unwrap();
        assert_eq!(plain.format, None);
        assert_eq!(plain.field("PID-3"), None);
    }
}
