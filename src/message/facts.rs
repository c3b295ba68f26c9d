//! Message facts: what routing rules and filters test, read from the parsed message.

use super::Format;
use crate::{hl7v2, x12};

/// What is known about one message, as routing rules and filters test it. Absent facts are
/// `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
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
}

/// The name of every fact, as routing rules and filters name them (`when = { NAME = "..." }`).
pub const FACT_NAMES: [&str; 12] = [
    "format",
    "message_type",
    "trigger_event",
    "sending_application",
    "sending_facility",
    "receiving_facility",
    "transaction_set",
    "sender_id",
    "receiver_id",
    "resource_type",
    "payer_id",
    "control_id",
];

impl Facts {
    /// What kind of message it is, as an operator names it: HL7 v2 MSH-9 (`ADT^A08`), X12
    /// ST01 (`835`), FHIR `resourceType` (`Patient`).
    pub fn kind(&self) -> Option<String> {
        match (&self.message_type, &self.trigger_event) {
            (Some(code), Some(event)) => Some(format!("{code}^{event}")),
            (Some(code), None) => Some(code.clone()),
            _ => self
                .transaction_set
                .clone()
                .or_else(|| self.resource_type.clone()),
        }
    }

    /// Who sent it: HL7 v2 MSH-3^MSH-4 (`EHR^HOSP`), X12 ISA06.
    pub fn sender(&self) -> Option<String> {
        match (&self.sending_application, &self.sending_facility) {
            (Some(application), Some(facility)) => Some(format!("{application}^{facility}")),
            (Some(one), None) | (None, Some(one)) => Some(one.clone()),
            (None, None) => self.sender_id.clone(),
        }
    }

    /// The fact named `name` (one of [`FACT_NAMES`]), when the message has it.
    pub fn get(&self, name: &str) -> Option<&str> {
        match name {
            "format" => self.format.map(Format::as_str),
            "message_type" => self.message_type.as_deref(),
            "trigger_event" => self.trigger_event.as_deref(),
            "sending_application" => self.sending_application.as_deref(),
            "sending_facility" => self.sending_facility.as_deref(),
            "receiving_facility" => self.receiving_facility.as_deref(),
            "transaction_set" => self.transaction_set.as_deref(),
            "sender_id" => self.sender_id.as_deref(),
            "receiver_id" => self.receiver_id.as_deref(),
            "resource_type" => self.resource_type.as_deref(),
            "payer_id" => self.payer_id.as_deref(),
            "control_id" => self.control_id.as_deref(),
            _ => None,
        }
    }
}

fn non_empty(value: Option<std::borrow::Cow<'_, str>>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// The facts of a parsed HL7 v2 message.
pub(super) fn hl7v2_facts(message: &hl7v2::Message<'_>) -> Facts {
    let message_type = message.message_type();
    Facts {
        format: Some(Format::Hl7v2),
        message_type: non_empty(message_type.as_ref().map(|t| t.code.clone())),
        trigger_event: non_empty(message_type.as_ref().map(|t| t.trigger_event.clone())),
        sending_application: non_empty(message.get("MSH-3.1")),
        sending_facility: non_empty(message.get("MSH-4.1")),
        receiving_facility: non_empty(message.get("MSH-6.1")),
        payer_id: non_empty(message.get("IN1-3.1")),
        control_id: non_empty(message.control_id()),
        ..Facts::default()
    }
}

/// The sender and control id of a resend key, as a JSON array of its parts (strings always
/// serialize).
fn sender_control(parts: &[&str]) -> String {
    serde_json::to_string(parts).unwrap_or_default()
}

/// HL7 v2: MSH-3 and MSH-4 (all components) with MSH-10, when MSH-10 is there.
pub(super) fn hl7v2_sender_control(message: &hl7v2::Message<'_>) -> Option<String> {
    let control = non_empty(message.control_id())?;
    let application = message.sending_application().unwrap_or_default();
    let facility = message.sending_facility().unwrap_or_default();
    Some(sender_control(&[
        "hl7v2",
        &application,
        &facility,
        &control,
    ]))
}

/// FHIR: a Bundle's identifier (system and value), when it has one.
pub(super) fn fhir_sender_control(json: &serde_json::Value, facts: &Facts) -> Option<String> {
    let value = facts.control_id.as_deref()?;
    let system = json_field(json, "identifier.system").unwrap_or_default();
    Some(sender_control(&["fhir", &system, value]))
}

/// The facts of an X12 interchange, and the sender and control id of its resend key (ISA05,
/// ISA06, ISA13 and the distinct ST01 codes, when ISA13 is there); or what keeps it from being
/// read.
pub(super) fn x12_facts(raw: &[u8]) -> Result<X12Facts, String> {
    let tokenizer = x12::Tokenizer::new(raw).map_err(|err| err.to_string())?;
    let warnings = tokenizer
        .warnings()
        .iter()
        .map(ToString::to_string)
        .collect();
    let mut facts = Facts {
        format: Some(Format::X12),
        ..Facts::default()
    };
    let mut trace_payer = None;
    let mut interchange_control = None;
    let mut sender_qualifier = None;
    let mut transaction_sets: Vec<String> = Vec::new();
    for segment in tokenizer {
        let segment = segment.map_err(|err| err.to_string())?;
        match segment.id() {
            "ISA" => {
                sender_qualifier = non_empty(segment.text(5));
                facts.sender_id = non_empty(segment.text(6));
                facts.receiver_id = non_empty(segment.text(8));
                interchange_control = non_empty(segment.text(13));
            }
            "ST" => {
                let code = non_empty(segment.text(1)).unwrap_or_default();
                if facts.transaction_set.is_none() && !code.is_empty() {
                    facts.transaction_set = Some(code.clone());
                }
                if !transaction_sets.contains(&code) {
                    transaction_sets.push(code);
                }
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
    let key = interchange_control.as_deref().map(|control| {
        sender_control(&[
            "x12",
            sender_qualifier.as_deref().unwrap_or_default(),
            facts.sender_id.as_deref().unwrap_or_default(),
            control,
            &transaction_sets.join(","),
        ])
    });
    facts.control_id = interchange_control.map(|control| match &facts.sender_id {
        Some(sender) => format!("{sender}:{control}"),
        None => control,
    });
    Ok(X12Facts {
        facts,
        sender_control: key,
        warnings,
    })
}

/// What reading an X12 interchange's facts found.
pub(super) struct X12Facts {
    /// The facts.
    pub facts: Facts,
    /// Sender and control number, for recognising a resend.
    pub sender_control: Option<String>,
    /// What the sender got wrong but the reader could read past (composites written with
    /// another separator than ISA16 declares), to record on the message.
    pub warnings: Vec<String>,
}

/// `SEGnn` or `SEGnn-c`: the first segment with that id, element nn, component c.
pub(super) fn x12_field(raw: &[u8], path: &str) -> Option<String> {
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

/// The facts of a FHIR JSON document (empty when it is JSON but no resource).
pub(super) fn fhir_facts(json: &serde_json::Value) -> Facts {
    let Some(resource_type) = json.get("resourceType").and_then(|v| v.as_str()) else {
        return Facts::default();
    };
    let control_id = (resource_type == "Bundle")
        .then(|| json_field(json, "identifier.value"))
        .flatten();
    Facts {
        format: Some(Format::Fhir),
        resource_type: Some(resource_type.to_string()),
        control_id,
        ..Facts::default()
    }
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

/// The items of the array at `path` (none when absent; a single value is one item).
pub fn json_items<'j>(json: &'j serde_json::Value, path: &str) -> &'j [serde_json::Value] {
    match json_walk(json, path) {
        Some(serde_json::Value::Array(items)) => items,
        Some(value) => std::slice::from_ref(value),
        None => &[],
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
