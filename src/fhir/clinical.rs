//! The clinical part of an HL7 v2 message kept in the store: the resources of the types kept as
//! JSON that the FHIR converter made of it (Observation, DiagnosticReport, Specimen,
//! ServiceRequest, Appointment, Immunization, DocumentReference, Condition, AllergyIntolerance,
//! MedicationRequest...), linked to the canonical patient and visit the same message upserted.
//!
//! [`clinical_records`] takes them out of the converter's transaction Bundle when the message is
//! mapped: each gets a logical id named after its identity, so that the same message received
//! again (or a later one about the same order, appointment or result) updates the same resource
//! rather than making another; references between them become `Type/id`; references to the
//! parties the Bundle names (practitioners, organizations) become logical references by their
//! identifier. [`store_clinical`] then writes them in the transaction that upserted the patient
//! and visit, once their canonical ids are known.

use std::collections::HashMap;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::kinds::stored_type;
use super::outcome::FhirError;
use crate::mapping::ClinicalRecords;
use crate::store::sql::Sql;

/// The message codes whose messages are clinical (results, orders, pharmacy, scheduling,
/// immunizations, documents, problems).
const CLINICAL_CODES: [&str; 9] = [
    "ORU", "ORM", "OML", "OMP", "RDE", "SIU", "VXU", "MDM", "PPR",
];

/// Whether `message` carries clinical content to keep: it is a clinical message, or it has
/// allergies (AL1, as an admission may).
pub fn carries_clinical(message: &crate::hl7v2::Message<'_>) -> bool {
    message
        .message_type()
        .is_some_and(|t| CLINICAL_CODES.contains(&t.code.as_ref()))
        || message.segment("AL1").is_some()
}

/// The clinical resources of a converted Bundle, ready to store; `None` when it has none.
/// `message_key` names the message (its control id) for resources the Bundle gives no identity.
pub fn clinical_records(bundle: &Value, message_key: &str) -> Option<ClinicalRecords> {
    let entries = bundle.get("entry").and_then(Value::as_array)?;
    let mut patient = None;
    let mut encounter = None;
    // What each fullUrl becomes in a stored resource.
    let mut links: HashMap<&str, Value> = HashMap::new();
    let mut kept = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        let (Some(full_url), Some(resource)) = (
            entry.get("fullUrl").and_then(Value::as_str),
            entry.get("resource"),
        ) else {
            continue;
        };
        let kind = resource
            .get("resourceType")
            .and_then(Value::as_str)
            .unwrap_or_default();
        match kind {
            "Patient" if patient.is_none() => patient = Some(full_url.to_string()),
            "Encounter" if encounter.is_none() => encounter = Some(full_url.to_string()),
            _ => {}
        }
        if let Some(kind) = stored_type(kind) {
            let id = name_id(
                &identity(entry, kind).unwrap_or_else(|| format!("{kind}|{message_key}#{index}")),
            );
            links.insert(full_url, json!({"reference": format!("{kind}/{id}")}));
            let mut resource = resource.clone();
            resource["id"] = Value::String(id);
            kept.push(resource);
        } else if let Some(identifier) = resource.pointer("/identifier/0") {
            // A party kept canonically: referred to by its identifier.
            let mut link = json!({"identifier": {
                "system": identifier.get("system").cloned().unwrap_or(Value::Null),
                "value": identifier.get("value").cloned().unwrap_or(Value::Null),
            }});
            super::resources::prune(&mut link);
            links.insert(full_url, link);
        }
    }
    if kept.is_empty() {
        return None;
    }
    let keep: Vec<&str> = patient
        .iter()
        .chain(&encounter)
        .map(String::as_str)
        .collect();
    for resource in &mut kept {
        relink(resource, &|reference| {
            if keep.contains(&reference) {
                None
            } else {
                Some(links.get(reference).cloned())
            }
        });
    }
    Some(ClinicalRecords {
        resources: kept,
        patient,
        encounter,
    })
}

/// What identifies an entry's resource across messages: the conditional URL of its request
/// (`Type?identifier=system|value`), else its `ifNoneExist` search.
fn identity(entry: &Value, kind: &str) -> Option<String> {
    let request = entry.get("request")?;
    let url = request
        .get("url")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if url.contains('?') {
        return Some(url.to_string());
    }
    request
        .get("ifNoneExist")
        .and_then(Value::as_str)
        .map(|search| format!("{kind}?{search}"))
}

/// A logical id named after `identity`: a UUID (version 8, from SHA-256), the same for the same
/// identity.
fn name_id(identity: &str) -> String {
    let digest = Sha256::digest(identity.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    super::versioned::uuid(bytes, 8)
}

/// Rewrites every Reference in `value` whose `reference` is a `urn:uuid:` name: `link` answers
/// `None` to leave it, `Some(Some(new))` for the Reference's new `reference`/`identifier`
/// (its `display` is kept), `Some(None)` to drop the unresolvable name (the rest stays).
fn relink(value: &mut Value, link: &dyn Fn(&str) -> Option<Option<Value>>) {
    match value {
        Value::Object(map) => {
            let name = map
                .get("reference")
                .and_then(Value::as_str)
                .filter(|r| r.starts_with("urn:uuid:"))
                .map(str::to_string);
            if let Some(name) = name
                && let Some(replacement) = link(&name)
            {
                map.remove("reference");
                if let Some(Value::Object(new)) = replacement {
                    map.extend(new);
                }
            }
            for child in map.values_mut() {
                relink(child, link);
            }
        }
        Value::Array(items) => {
            for item in items {
                relink(item, link);
            }
        }
        _ => {}
    }
}

/// Stores the clinical resources of one message in the caller's transaction, their references
/// to the message's patient and visit pointing at the canonical `patient` and `encounter` ids
/// (dropped when the message had none); `message_id` is recorded on each version. Answers how
/// many were stored.
pub async fn store_clinical(
    conn: &mut dyn Sql,
    clinical: &ClinicalRecords,
    patient: Option<i64>,
    encounter: Option<i64>,
    message_id: Option<i64>,
) -> Result<usize, FhirError> {
    for resource in &clinical.resources {
        let mut resource = resource.clone();
        relink(&mut resource, &|name| {
            if clinical.patient.as_deref() == Some(name) {
                Some(patient.map(|id| json!({"reference": format!("Patient/{id}")})))
            } else if clinical.encounter.as_deref() == Some(name) {
                Some(encounter.map(|id| json!({"reference": format!("Encounter/{id}")})))
            } else {
                Some(None)
            }
        });
        super::versioned::put_in(conn, &resource, message_id).await?;
    }
    Ok(clinical.resources.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundle() -> Value {
        json!({"resourceType": "Bundle", "type": "transaction", "entry": [
            {"fullUrl": "urn:uuid:p", "resource": {"resourceType": "Patient", "identifier": [{"system": "HOSP", "value": "M1"}]},
             "request": {"method": "POST", "url": "Patient", "ifNoneExist": "identifier=HOSP|M1"}},
            {"fullUrl": "urn:uuid:e", "resource": {"resourceType": "Encounter"}, "request": {"method": "POST", "url": "Encounter"}},
            {"fullUrl": "urn:uuid:doc", "resource": {"resourceType": "Practitioner", "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"}]},
             "request": {"method": "POST", "url": "Practitioner"}},
            {"fullUrl": "urn:uuid:obs", "resource": {"resourceType": "Observation", "status": "final",
                "subject": {"reference": "urn:uuid:p"}, "encounter": {"reference": "urn:uuid:e"},
                "performer": [{"reference": "urn:uuid:doc", "display": "Dr Who"}]},
             "request": {"method": "PUT", "url": "Observation?identifier=urn:lab|R1-1"}},
            {"fullUrl": "urn:uuid:rep", "resource": {"resourceType": "DiagnosticReport", "status": "final",
                "subject": {"reference": "urn:uuid:p"}, "result": [{"reference": "urn:uuid:obs"}],
                "specimen": [{"reference": "urn:uuid:nowhere", "display": "blood"}]},
             "request": {"method": "POST", "url": "DiagnosticReport"}},
        ]})
    }

    #[test]
    fn clinical_entries_are_named_by_identity_and_linked() {
        let clinical = clinical_records(&bundle(), "MSG1").expect("two clinical resources");
        assert_eq!(clinical.patient.as_deref(), Some("urn:uuid:p"));
        assert_eq!(clinical.encounter.as_deref(), Some("urn:uuid:e"));
        let [observation, report] = clinical.resources.as_slice() else {
            panic!("{:?}", clinical.resources);
        };
        let observation_id = name_id("Observation?identifier=urn:lab|R1-1");
        assert_eq!(observation["id"], observation_id.as_str());
        assert_eq!(report["id"], name_id("DiagnosticReport|MSG1#4").as_str());
        // The patient and visit wait for their canonical ids; the rest is linked now.
        assert_eq!(observation["subject"]["reference"], "urn:uuid:p");
        assert_eq!(
            observation["performer"][0],
            json!({"identifier": {"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"}, "display": "Dr Who"})
        );
        assert_eq!(
            report["result"][0]["reference"],
            format!("Observation/{observation_id}")
        );
        assert_eq!(report["specimen"][0], json!({"display": "blood"}));
        // The same message again names the same resources.
        assert_eq!(clinical_records(&bundle(), "MSG1"), Some(clinical));
    }

    #[test]
    fn a_bundle_without_clinical_resources_has_none() {
        let mut bundle = bundle();
        bundle["entry"].as_array_mut().unwrap().truncate(3);
        assert_eq!(clinical_records(&bundle, "MSG1"), None);
    }

    #[test]
    fn names_are_uuids_of_the_identity() {
        let id = name_id("Observation?identifier=a|b");
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "8");
        assert_ne!(id, name_id("Observation?identifier=a|c"));
    }
}
