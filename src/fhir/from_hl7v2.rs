//! HL7 v2 ADT (A01, A03, A04, A08) to a FHIR transaction Bundle: Patient, Encounter, Coverage,
//! the payers as Organizations, the attending Practitioner, and a RelatedPerson per NK1.
//!
//! The message is read through the channel's declarative mapping into canonical records (so
//! lookups, dates and identifiers are the ones the store gets), and those records become
//! resources with the same builders that serve `/fhir`. Next of kin are not canonical records;
//! they are read from the NK1 segments directly.

use serde_json::{Value, json};

use super::kinds::Kind;
use super::resources::{
    NPI_SYSTEM, PAYER_SYSTEM, coverage_resource, encounter_resource, party_resource,
    patient_resource, prune,
};
use crate::canonical::{Coverage, Encounter};
use crate::hl7v2::Message;
use crate::mapping::Records;

/// ADT triggers the converter takes.
pub const TRIGGERS: [&str; 4] = ["A01", "A03", "A04", "A08"];

/// Why a message could not be converted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConvertError(pub String);

/// The transaction Bundle of an ADT message `raw`, whose canonical `records` its channel's
/// mapping made.
pub fn adt_bundle(records: &Records, raw: &[u8]) -> Result<Value, ConvertError> {
    let message = Message::parse(raw).map_err(|err| ConvertError(format!("not HL7 v2: {err}")))?;
    let kind = message.message_type();
    let (code, trigger) = kind
        .as_ref()
        .map_or(("", ""), |t| (t.code.as_ref(), t.trigger_event.as_ref()));
    if code != "ADT" || !TRIGGERS.contains(&trigger) {
        return Err(ConvertError(format!(
            "{code}^{trigger} is not an ADT {}",
            TRIGGERS.join("/")
        )));
    }
    let patient = records
        .patient
        .as_ref()
        .ok_or_else(|| ConvertError("the message has no patient".into()))?;
    let mut bundle = BundleBuilder::default();
    let identifier = patient
        .identifiers
        .first()
        .map(|i| format!("identifier={}|{}", i.system, i.value));
    let patient_ref = bundle.add(Kind::Patient, patient_resource(patient), identifier);

    if let Some(visit) = &records.encounter {
        let attending = visit.attending_npi.as_ref().map(|npi| {
            let name = visit.attending_name.as_deref().unwrap_or(npi);
            bundle.add(
                Kind::Practitioner,
                party_resource(Kind::Practitioner, NPI_SYSTEM, npi, name),
                Some(format!("identifier={NPI_SYSTEM}|{npi}")),
            )
        });
        let encounter = Encounter {
            visit_number: visit.visit_number.clone(),
            patient_id: 0,
            class: visit.class.clone(),
            status: visit.status.clone(),
            admitted_at: visit.admitted_at.clone(),
            discharged_at: visit.discharged_at.clone(),
            location: visit.location.clone(),
            facility: visit.facility.clone(),
            attending_provider_id: None,
            diagnosis_codes: visit.diagnosis_codes.clone(),
        };
        bundle.add(
            Kind::Encounter,
            encounter_resource(&encounter, patient_ref.clone(), attending),
            Some(format!("identifier={}", visit.visit_number)),
        );
    }
    for record in &records.coverages {
        let name = record.payer_name.as_deref().unwrap_or(&record.payer_id);
        let payer = bundle.add(
            Kind::Organization,
            party_resource(Kind::Organization, PAYER_SYSTEM, &record.payer_id, name),
            Some(format!("identifier={PAYER_SYSTEM}|{}", record.payer_id)),
        );
        let coverage = Coverage {
            patient_id: 0,
            payer_id: 0,
            member_id: record.member_id.clone(),
            plan_name: record.plan_name.clone(),
            group_number: record.group_number.clone(),
            subscriber_name: record.subscriber_name.clone(),
            relationship: record.relationship.clone(),
            priority: record.priority,
            effective_from: record.effective_from.clone(),
            effective_to: record.effective_to.clone(),
        };
        bundle.add(
            Kind::Coverage,
            coverage_resource(&coverage, patient_ref.clone(), payer),
            None,
        );
    }
    for index in 1..=message.segments_named("NK1").count() {
        bundle.add_related_person(related_person(&message, index, &patient_ref));
    }
    Ok(bundle.finish())
}

/// The RelatedPerson of the `index`th NK1 (1-based).
fn related_person(message: &Message<'_>, index: usize, patient: &Value) -> Value {
    let get = |path: &str| {
        message
            .get(&format!("NK1[{index}]-{path}"))
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let given: Vec<String> = [get("2.2"), get("2.3")].into_iter().flatten().collect();
    let line: Vec<String> = [get("4.1.1"), get("4.2")].into_iter().flatten().collect();
    let mut resource = json!({
        "resourceType": "RelatedPerson",
        "patient": patient,
        "relationship": get("3.1").map(|code| vec![json!({
            "coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0063", "code": code, "display": get("3.2")}],
        })]),
        "name": [{"family": get("2.1.1"), "given": given}],
        "telecom": get("5.1").map(|phone| vec![json!({"system": "phone", "value": phone})]),
        "address": [{
            "line": line,
            "city": get("4.3"),
            "state": get("4.4"),
            "postalCode": get("4.5"),
            "country": get("4.6"),
        }],
    });
    prune(&mut resource);
    resource
}

/// Entries in the making, each with a fresh `urn:uuid:` fullUrl.
#[derive(Default)]
struct BundleBuilder {
    entries: Vec<Value>,
}

impl BundleBuilder {
    /// Adds a POST of `resource` (conditional on `if_none_exist` when given); answers a
    /// Reference to it.
    fn add(&mut self, kind: Kind, mut resource: Value, if_none_exist: Option<String>) -> Value {
        prune(&mut resource);
        let full_url = format!("urn:uuid:{}", uuid());
        let mut request = json!({"method": "POST", "url": kind.name()});
        if let Some(query) = if_none_exist {
            request["ifNoneExist"] = json!(query);
        }
        self.entries.push(json!({
            "fullUrl": full_url,
            "resource": resource,
            "request": request,
        }));
        json!({"reference": full_url})
    }

    fn add_related_person(&mut self, resource: Value) {
        self.entries.push(json!({
            "fullUrl": format!("urn:uuid:{}", uuid()),
            "resource": resource,
            "request": {"method": "POST", "url": "RelatedPerson"},
        }));
    }

    fn finish(self) -> Value {
        json!({
            "resourceType": "Bundle",
            "type": "transaction",
            "entry": self.entries,
        })
    }
}

/// A random (version 4) UUID.
fn uuid() -> String {
    let mut bytes: [u8; 16] = rand::random();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex = hex::encode(bytes);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canonical::{Identifier, Patient};
    use crate::mapping::{CoverageRecord, EncounterRecord};

    const ADT: &str = "MSH|^~\\&|EHR|HOSP|SB|SB|20261125||ADT^A01|C1|P|2.5\rPID|1||M1^^^HOSP^MR||Doe^Jane\r\
        NK1|1|Doe^John^Q|SPO^Spouse|1 Main St^^Springfield^IL^62701|555-0199\r";

    fn records() -> Records {
        Records {
            patient: Some(Patient {
                identifiers: vec![Identifier {
                    system: "HOSP".into(),
                    value: "M1".into(),
                    type_code: Some("MR".into()),
                }],
                family_name: Some("Doe".into()),
                given_name: Some("Jane".into()),
                gender: Some("female".into()),
                ..Patient::default()
            }),
            encounter: Some(EncounterRecord {
                visit_number: "V1".into(),
                class: Some("inpatient".into()),
                status: Some("in-progress".into()),
                attending_npi: Some("1234567893".into()),
                attending_name: Some("Greg House".into()),
                ..EncounterRecord::default()
            }),
            coverages: vec![CoverageRecord {
                payer_id: "HMO1".into(),
                payer_name: Some("Acme".into()),
                member_id: "MEM1".into(),
                priority: 1,
                ..CoverageRecord::default()
            }],
            ..Records::default()
        }
    }

    #[test]
    fn an_adt_becomes_a_transaction_with_references_between_entries() {
        let bundle = adt_bundle(&records(), ADT.as_bytes()).unwrap();
        assert_eq!(bundle["type"], "transaction");
        let entries = bundle["entry"].as_array().unwrap();
        let types: Vec<&str> = entries
            .iter()
            .map(|e| e["resource"]["resourceType"].as_str().unwrap())
            .collect();
        assert_eq!(
            types,
            [
                "Patient",
                "Practitioner",
                "Encounter",
                "Organization",
                "Coverage",
                "RelatedPerson"
            ]
        );
        let patient_url = entries[0]["fullUrl"].as_str().unwrap();
        assert!(patient_url.starts_with("urn:uuid:"));
        assert_eq!(entries[2]["resource"]["subject"]["reference"], patient_url);
        assert_eq!(
            entries[2]["resource"]["participant"][0]["individual"]["reference"],
            entries[1]["fullUrl"]
        );
        assert_eq!(
            entries[4]["resource"]["payor"][0]["reference"],
            entries[3]["fullUrl"]
        );
        assert_eq!(entries[0]["request"]["ifNoneExist"], "identifier=HOSP|M1");
        let kin = &entries[5]["resource"];
        assert_eq!(kin["patient"]["reference"], patient_url);
        assert_eq!(kin["name"][0]["family"], "Doe");
        assert_eq!(kin["name"][0]["given"], json!(["John", "Q"]));
        assert_eq!(kin["relationship"][0]["coding"][0]["code"], "SPO");
        assert_eq!(kin["telecom"][0]["value"], "555-0199");
        assert_eq!(kin["address"][0]["city"], "Springfield");
        for entry in entries {
            let resource = &entry["resource"];
            let kind = resource["resourceType"].as_str().unwrap();
            match Kind::parse(kind) {
                Some(kind) => {
                    assert_eq!(super::super::validate::validate(kind, resource), Ok(vec![]));
                }
                None => {
                    let typed: fhir_sdk::r4b::resources::RelatedPerson =
                        serde_json::from_value(resource.clone()).unwrap();
                    assert_eq!(&serde_json::to_value(typed).unwrap(), resource);
                }
            }
        }
    }

    #[test]
    fn other_messages_are_refused() {
        let oru = ADT.replace("ADT^A01", "ORU^R01");
        assert!(adt_bundle(&records(), oru.as_bytes()).is_err());
        assert!(adt_bundle(&records(), b"not hl7").is_err());
        let no_patient = Records::default();
        assert!(adt_bundle(&no_patient, ADT.as_bytes()).is_err());
    }
}
