//! Reading a resource from a request: JSON syntax, the resource type, the FHIR model (codes,
//! dates, cardinalities, through `fhir-sdk`), and the elements the model does not know.
//!
//! `fhir-sdk` drops elements it does not know without a word. So the typed resource is
//! serialised back and compared with what was sent: every element that did not survive is
//! reported as a warning; the raw JSON is what the store keeps.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::kinds::Kind;
use super::outcome::{FhirError, Issue, Severity};
use fhir_sdk::r4b::resources as r4;

/// Parses a request body as a JSON object; 400 when it is not one.
pub fn parse_json(body: &[u8]) -> Result<Value, FhirError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|err| FhirError::bad_request(format!("the body is not valid JSON: {err}")))?;
    if !value.is_object() {
        return Err(FhirError::bad_request("the body is not a JSON object"));
    }
    Ok(value)
}

/// Checks that `resource` is a valid `kind`; answers the warnings (unknown elements), or 422.
pub fn validate(kind: Kind, resource: &Value) -> Result<Vec<Issue>, FhirError> {
    match resource.get("resourceType").and_then(Value::as_str) {
        Some(name) if name == kind.name() => {}
        Some(name) => {
            return Err(FhirError::invalid(format!(
                "resourceType is '{name}' where {} is expected",
                kind.name()
            )));
        }
        None => return Err(FhirError::invalid("resourceType is missing")),
    }
    let kept = match kind {
        Kind::Patient => round_trip::<r4::Patient>(resource),
        Kind::Encounter => round_trip::<r4::Encounter>(resource),
        Kind::Coverage => round_trip::<r4::Coverage>(resource),
        Kind::Organization => round_trip::<r4::Organization>(resource),
        Kind::Practitioner => round_trip::<r4::Practitioner>(resource),
        Kind::ChargeItem => round_trip::<r4::ChargeItem>(resource),
        Kind::Claim => round_trip::<r4::Claim>(resource),
        Kind::ClaimResponse => round_trip::<r4::ClaimResponse>(resource),
        Kind::ExplanationOfBenefit => round_trip::<r4::ExplanationOfBenefit>(resource),
    }?;
    let mut unknown = Vec::new();
    unknown_elements(resource, &kept, kind.name(), &mut unknown);
    Ok(unknown
        .into_iter()
        .map(|path| Issue {
            severity: Severity::Warning,
            code: "structure",
            diagnostics: format!(
                "unknown element '{path}': not part of {} R4; kept as sent but not interpreted",
                kind.name()
            ),
            expression: Some(path),
        })
        .collect())
}

/// Checks a resource of any type the HL7 v2 converter emits: the served types as
/// [`validate`] does, and RelatedPerson, Observation and DiagnosticReport (not served, but
/// sent on) with the same model check. Unknown elements are errors here, since the resource
/// was made by us.
pub fn validate_emitted(resource: &Value) -> Result<(), FhirError> {
    let name = resource
        .get("resourceType")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let warnings = match Kind::parse(name) {
        Some(kind) => validate(kind, resource)?,
        None => {
            let kept = match name {
                "RelatedPerson" => round_trip::<r4::RelatedPerson>(resource),
                "Observation" => round_trip::<r4::Observation>(resource),
                "DiagnosticReport" => round_trip::<r4::DiagnosticReport>(resource),
                "Specimen" => round_trip::<r4::Specimen>(resource),
                "ServiceRequest" => round_trip::<r4::ServiceRequest>(resource),
                "MedicationRequest" => round_trip::<r4::MedicationRequest>(resource),
                "Appointment" => round_trip::<r4::Appointment>(resource),
                "Immunization" => round_trip::<r4::Immunization>(resource),
                "DocumentReference" => round_trip::<r4::DocumentReference>(resource),
                "Condition" => round_trip::<r4::Condition>(resource),
                "AllergyIntolerance" => round_trip::<r4::AllergyIntolerance>(resource),
                _ => {
                    return Err(FhirError::invalid(format!(
                        "resourceType '{name}' is not one the converter emits"
                    )));
                }
            }?;
            let mut unknown = Vec::new();
            unknown_elements(resource, &kept, name, &mut unknown);
            unknown
                .into_iter()
                .map(|path| Issue {
                    severity: Severity::Warning,
                    code: "structure",
                    diagnostics: format!("unknown element '{path}'"),
                    expression: Some(path),
                })
                .collect()
        }
    };
    match warnings.first() {
        Some(issue) => Err(FhirError::invalid(issue.diagnostics.clone())),
        None => Ok(()),
    }
}

/// The resource as the typed model reads it and writes it back.
fn round_trip<T: DeserializeOwned + Serialize>(resource: &Value) -> Result<Value, FhirError> {
    let typed: T = serde_path_to_error::deserialize(resource).map_err(|err| {
        let path = err.path().to_string();
        let mut error = FhirError::invalid(format!("{path}: {}", err.inner()));
        if let Some(issue) = error.issues.first_mut() {
            issue.expression = Some(path);
        }
        error
    })?;
    serde_json::to_value(&typed).map_err(FhirError::internal)
}

/// Paths of the elements of `sent` that are not in `kept`.
fn unknown_elements(sent: &Value, kept: &Value, path: &str, out: &mut Vec<String>) {
    match (sent, kept) {
        (Value::Object(sent), Value::Object(kept)) => {
            for (key, value) in sent {
                let child = format!("{path}.{key}");
                match kept.get(key) {
                    Some(kept_value) => unknown_elements(value, kept_value, &child, out),
                    None => out.push(child),
                }
            }
        }
        (Value::Array(sent), Value::Array(kept)) => {
            for (index, value) in sent.iter().enumerate() {
                let child = format!("{path}[{index}]");
                match kept.get(index) {
                    Some(kept_value) => unknown_elements(value, kept_value, &child, out),
                    None => out.push(child),
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_valid_patient_has_no_warnings() {
        let patient = json!({
            "resourceType": "Patient",
            "identifier": [{"system": "urn:mrn", "value": "1"}],
            "name": [{"family": "Lovelace", "given": ["Ada"]}],
            "gender": "female",
            "birthDate": "1815-12-10"
        });
        assert_eq!(validate(Kind::Patient, &patient), Ok(vec![]));
    }

    #[test]
    fn unknown_elements_are_warnings_with_their_path() {
        let patient = json!({
            "resourceType": "Patient",
            "favouriteColour": "green",
            "name": [{"family": "Lovelace", "nickname": "Ada"}]
        });
        let warnings = validate(Kind::Patient, &patient).unwrap();
        let paths: Vec<_> = warnings
            .iter()
            .filter_map(|w| w.expression.clone())
            .collect();
        assert_eq!(
            paths,
            vec!["Patient.favouriteColour", "Patient.name[0].nickname"]
        );
        assert!(warnings.iter().all(|w| w.severity == Severity::Warning));
    }

    #[test]
    fn bad_codes_dates_and_types_are_refused() {
        for (kind, resource) in [
            (
                Kind::Patient,
                json!({"resourceType": "Patient", "gender": "m"}),
            ),
            (
                Kind::Patient,
                json!({"resourceType": "Patient", "birthDate": "1980-13-45"}),
            ),
            (Kind::Patient, json!({"resourceType": "Encounter"})),
            (Kind::Encounter, json!({"resourceType": "Encounter"})),
        ] {
            let err = validate(kind, &resource).unwrap_err();
            assert_eq!(err.status.as_u16(), 422, "{resource}");
        }
    }

    #[test]
    fn malformed_json_is_a_bad_request() {
        assert_eq!(parse_json(b"{\"a\":").unwrap_err().status.as_u16(), 400);
        assert_eq!(parse_json(b"[1]").unwrap_err().status.as_u16(), 400);
    }
}
