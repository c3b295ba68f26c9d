//! FHIR R4 to HL7 v2.5.1: a Patient or an Encounter (with its Patient) becomes an ADT (A04 when
//! the resource is new, A08 when it is a later version, A03 when the visit has ended), a
//! DiagnosticReport with its Observations, or Observations alone, an ORU^R01.
//!
//! The input is one resource or a Bundle of them; references between the Bundle's resources
//! are followed by `fullUrl` or `Type/id`, and a DiagnosticReport's `contained` Observations
//! count too. The patient of an Encounter or a result is the Bundle's Patient, or else the
//! identifier of its `subject` reference.

use serde_json::Value;

use super::adt::{Adt, Header, Trigger, header, hl7_datetime, pid};
use crate::canonical::{Identifier, Patient};
use crate::fhir::resources::{UNKNOWN_SYSTEM, encounter_of, patient_of};
use crate::hl7v2::MessageBuilder;

/// Why a FHIR resource could not be written as HL7 v2: what and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConvertError(pub String);

/// The resources of `input`: the entries of a Bundle, or the resource itself.
fn resources(input: &Value) -> Vec<&Value> {
    if input.get("resourceType").and_then(Value::as_str) == Some("Bundle") {
        input
            .get("entry")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|entry| entry.get("resource"))
            .collect()
    } else {
        vec![input]
    }
}

fn kind(resource: &Value) -> &str {
    resource
        .get("resourceType")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

fn text<'a>(value: &'a Value, pointer: &str) -> Option<&'a str> {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Whether `resource` is a later version than its first (`meta.versionId` other than 1).
fn is_update(resource: &Value) -> bool {
    text(resource, "/meta/versionId").is_some_and(|version| version != "1")
}

/// The resource `reference` (`Patient/7`, a `fullUrl`, `#contained`) names in `input`.
fn resolve<'a>(input: &'a Value, owner: &'a Value, reference: &str) -> Option<&'a Value> {
    if let Some(local) = reference.strip_prefix('#') {
        return owner
            .get("contained")
            .and_then(Value::as_array)?
            .iter()
            .find(|c| text(c, "/id") == Some(local));
    }
    let entries = input.get("entry").and_then(Value::as_array);
    if let Some(entry) = entries
        .into_iter()
        .flatten()
        .find(|e| text(e, "/fullUrl") == Some(reference))
    {
        return entry.get("resource");
    }
    let (kind_name, id) = reference.rsplit_once('/')?;
    let kind_name = kind_name.rsplit('/').next().unwrap_or(kind_name);
    resources(input)
        .into_iter()
        .find(|r| kind(r) == kind_name && text(r, "/id") == Some(id))
}

/// The patient of `owner` (its `subject`): the Patient resource it references in `input`, or
/// one made of the reference's identifier.
fn subject(input: &Value, owner: &Value, what: &str) -> Result<Patient, ConvertError> {
    let reference = owner.get("subject").unwrap_or(&Value::Null);
    if let Some(found) = text(reference, "/reference").and_then(|r| resolve(input, owner, r)) {
        return patient_of(found).map_err(|err| ConvertError(format!("{what}.subject: {err}")));
    }
    if let Some(patient) = resources(input).into_iter().find(|r| kind(r) == "Patient") {
        return patient_of(patient).map_err(|err| ConvertError(format!("Patient: {err}")));
    }
    let value = text(reference, "/identifier/value").ok_or_else(|| {
        ConvertError(format!(
            "{what}.subject: the Patient is neither in the Bundle nor named by an identifier"
        ))
    })?;
    Ok(Patient {
        identifiers: vec![Identifier {
            system: text(reference, "/identifier/system")
                .unwrap_or(UNKNOWN_SYSTEM)
                .to_string(),
            value: value.to_string(),
            type_code: None,
        }],
        ..Patient::default()
    })
}

/// `input` (a resource or a Bundle) as an HL7 v2.5.1 message with `header`'s MSH.
pub fn to_hl7v2(input: &Value, header: &Header) -> Result<Vec<u8>, ConvertError> {
    let all = resources(input);
    let find = |name: &str| all.iter().copied().find(|r| kind(r) == name);
    if let Some(report) = find("DiagnosticReport") {
        return oru(input, report, header);
    }
    if let Some(encounter) = find("Encounter") {
        let patient = subject(input, encounter, "Encounter")?;
        let visit_number = text(encounter, "/identifier/0/value")
            .or_else(|| text(encounter, "/id"))
            .ok_or_else(|| {
                ConvertError("Encounter.identifier (the visit number) is required".into())
            })?;
        let encounter_record = encounter_of(encounter, visit_number.to_string(), 0, None);
        let trigger = if encounter_record.discharged_at.is_some()
            || text(encounter, "/status") == Some("finished")
        {
            Trigger::A03
        } else if is_update(encounter) {
            Trigger::A08
        } else {
            Trigger::A04
        };
        return build_adt(trigger, &patient, Some(&encounter_record), header);
    }
    if let Some(patient) = find("Patient") {
        let record = patient_of(patient).map_err(|err| ConvertError(format!("Patient: {err}")))?;
        let trigger = if is_update(patient) {
            Trigger::A08
        } else {
            Trigger::A04
        };
        return build_adt(trigger, &record, None, header);
    }
    let observations: Vec<&Value> = all
        .iter()
        .copied()
        .filter(|r| kind(r) == "Observation")
        .collect();
    if let Some(first) = observations.first() {
        let patient = subject(input, first, "Observation")?;
        return oru_message(&patient, first, &observations, header);
    }
    Err(ConvertError(format!(
        "nothing to write as HL7 v2: expected a Patient, Encounter, DiagnosticReport or Observation, found {}",
        if all.is_empty() {
            "an empty Bundle".to_string()
        } else {
            all.iter().map(|r| kind(r)).collect::<Vec<_>>().join(", ")
        }
    )))
}

fn build_adt(
    trigger: Trigger,
    patient: &Patient,
    encounter: Option<&crate::canonical::Encounter>,
    header: &Header,
) -> Result<Vec<u8>, ConvertError> {
    Adt {
        trigger,
        patient,
        encounter,
        merged: &[],
    }
    .build(header)
    .map_err(|err| ConvertError(err.to_string()))
}

/// An ORU^R01 of a DiagnosticReport and the Observations of its `result`.
fn oru(input: &Value, report: &Value, header: &Header) -> Result<Vec<u8>, ConvertError> {
    let patient = subject(input, report, "DiagnosticReport")?;
    let mut observations = Vec::new();
    for (index, result) in report
        .get("result")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let reference = text(result, "/reference").unwrap_or_default();
        let found = resolve(input, report, reference).ok_or_else(|| {
            ConvertError(format!(
                "DiagnosticReport.result[{index}]: '{reference}' is neither in the Bundle nor contained"
            ))
        })?;
        observations.push(found);
    }
    oru_message(&patient, report, &observations, header)
}

/// HL7 table 0085 code of a FHIR observation or report status.
fn result_status(status: Option<&str>) -> &'static str {
    match status {
        Some("preliminary" | "registered" | "partial") => "P",
        Some("amended" | "corrected") => "C",
        Some("cancelled") => "X",
        Some("entered-in-error") => "W",
        _ => "F",
    }
}

/// A CodeableConcept as CWE components (code, text, coding system) at `path`.
fn coded(
    message: &mut MessageBuilder,
    path: &str,
    concept: &Value,
    what: &str,
) -> Result<(), ConvertError> {
    let code = text(concept, "/coding/0/code")
        .or_else(|| text(concept, "/text"))
        .ok_or_else(|| ConvertError(format!("{what}: a coding or a text is required")))?;
    let display = text(concept, "/coding/0/display").or_else(|| text(concept, "/text"));
    let system = match text(concept, "/coding/0/system") {
        Some("http://loinc.org") => Some("LN"),
        Some("http://snomed.info/sct") => Some("SCT"),
        Some(_) | None => None,
    };
    let set = |message: &mut MessageBuilder, component: usize, value: &str| {
        message
            .set(&format!("{path}.{component}"), value)
            .map(|_| ())
            .map_err(|err| ConvertError(err.to_string()))
    };
    set(message, 1, code)?;
    if let Some(display) = display {
        set(message, 2, display)?;
    }
    if let Some(system) = system {
        set(message, 3, system)?;
    }
    Ok(())
}

/// MSH, PID, one OBR for `order` (a DiagnosticReport or the first Observation) and an OBX per
/// observation.
fn oru_message(
    patient: &Patient,
    order: &Value,
    observations: &[&Value],
    header: &Header,
) -> Result<Vec<u8>, ConvertError> {
    let build = |err: crate::hl7v2::BuildError| ConvertError(err.to_string());
    let mut message = self::header(header, ["ORU", "R01", "ORU_R01"], None).map_err(build)?;
    pid(&mut message, patient).map_err(build)?;
    message.add_segment("OBR").map_err(build)?;
    message.set("OBR-1", "1").map_err(build)?;
    if let Some(id) = text(order, "/identifier/0/value").or_else(|| text(order, "/id")) {
        message.set("OBR-3", id).map_err(build)?;
    }
    coded(
        &mut message,
        "OBR-4",
        order.get("code").unwrap_or(&Value::Null),
        &format!("{}.code", kind(order)),
    )?;
    if let Some(at) = text(order, "/effectiveDateTime") {
        message.set("OBR-7", &hl7_datetime(at)).map_err(build)?;
    }
    message
        .set("OBR-25", result_status(text(order, "/status")))
        .map_err(build)?;
    for (index, observation) in observations.iter().enumerate() {
        let what = format!("Observation[{index}]");
        let obx = format!("OBX[{}]", index + 1);
        message.add_segment("OBX").map_err(build)?;
        let set = |message: &mut MessageBuilder, field: usize, value: &str| {
            message
                .set(&format!("{obx}-{field}"), value)
                .map(|_| ())
                .map_err(build)
        };
        set(&mut message, 1, &(index + 1).to_string())?;
        let (value_type, value, units) = if let Some(quantity) = observation.get("valueQuantity") {
            let value = quantity
                .get("value")
                .filter(|v| v.is_number())
                .ok_or_else(|| ConvertError(format!("{what}.valueQuantity.value is required")))?;
            let units = text(quantity, "/unit").or_else(|| text(quantity, "/code"));
            ("NM", value.to_string(), units)
        } else if let Some(value) = text(observation, "/valueString") {
            ("ST", value.to_string(), None)
        } else if let Some(concept) = observation.get("valueCodeableConcept") {
            let code = text(concept, "/coding/0/code")
                .or_else(|| text(concept, "/text"))
                .ok_or_else(|| ConvertError(format!("{what}.valueCodeableConcept is empty")))?;
            ("CE", code.to_string(), None)
        } else {
            return Err(ConvertError(format!(
                "{what}: valueQuantity, valueString or valueCodeableConcept is required"
            )));
        };
        set(&mut message, 2, value_type)?;
        coded(
            &mut message,
            &format!("{obx}-3"),
            observation.get("code").unwrap_or(&Value::Null),
            &format!("{what}.code"),
        )?;
        set(&mut message, 5, &value)?;
        if let Some(units) = units {
            set(&mut message, 6, units)?;
        }
        if let Some(range) = observation.pointer("/referenceRange/0") {
            let low = range.pointer("/low/value").map(Value::to_string);
            let high = range.pointer("/high/value").map(Value::to_string);
            if let (Some(low), Some(high)) = (&low, &high) {
                set(&mut message, 7, &format!("{low}-{high}"))?;
            }
        }
        if let Some(flag) = text(observation, "/interpretation/0/coding/0/code") {
            // HL7 table 0078 and the FHIR interpretation codes share H, L, N, A...
            set(&mut message, 8, flag)?;
        }
        set(
            &mut message,
            11,
            result_status(text(observation, "/status")),
        )?;
        if let Some(at) = text(observation, "/effectiveDateTime") {
            set(&mut message, 14, &hl7_datetime(at))?;
        }
    }
    Ok(message.build())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn header() -> Header {
        Header {
            sending_application: "SB".into(),
            sending_facility: "HOSP".into(),
            receiving_application: String::new(),
            receiving_facility: String::new(),
            control_id: "C1".into(),
            at: 0,
        }
    }

    #[test]
    fn a_resource_without_what_hl7v2_needs_says_what_is_missing() {
        let err = to_hl7v2(&json!({"resourceType": "Patient"}), &header()).unwrap_err();
        assert!(err.0.contains("Patient.identifier"), "{err}");
        let err = to_hl7v2(
            &json!({"resourceType": "Observation", "code": {"text": "x"}}),
            &header(),
        )
        .unwrap_err();
        assert!(err.0.contains("Observation.subject"), "{err}");
        let err = to_hl7v2(&json!({"resourceType": "Bundle", "entry": []}), &header()).unwrap_err();
        assert!(err.0.contains("an empty Bundle"), "{err}");
    }
}
