//! Problems and allergies: a Condition per PRB (PPR^PC1/PC2/PC3) and an AllergyIntolerance
//! per AL1, in whatever message the AL1 comes.

use serde_json::{Value, json};

use super::tables::{ALLERGY_CATEGORIES, ALLERGY_SEVERITIES, lookup};
use super::v2::{concept, entity_identifier, first, reps};
use super::{
    BundleBuilder, ConvertError, Subject, checked_date_time, expect, finish, with_patient_and_visit,
};
use crate::hl7v2::{Message, Segment};
use crate::mapping::Records;

/// PPR triggers the converter takes: problem added, updated, deleted.
pub(super) const TRIGGERS: [&str; 3] = ["PC1", "PC2", "PC3"];

/// The identifier system of allergies: the value is the patient's identifier and the
/// allergen's code, as an allergy has no identifier in AL1.
pub(super) const ALLERGY_SYSTEM: &str = "urn:switchboard:hl7v2-allergy";

const CLINICAL_STATUS: &str = "http://terminology.hl7.org/CodeSystem/condition-clinical";
const VERIFICATION_STATUS: &str = "http://terminology.hl7.org/CodeSystem/condition-ver-status";
const ALLERGY_CLINICAL: &str = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical";

/// The transaction Bundle of a PPR^PC1/PC2/PC3: the Patient of `records` (and the visit, when
/// PV1 is there) and a Condition per PRB.
pub(super) fn problem_bundle(
    records: &Records,
    message: &Message<'_>,
) -> Result<Value, ConvertError> {
    expect(message, "PPR", &TRIGGERS)?;
    let (mut bundle, subject) = with_patient_and_visit(records, message)?;
    for (index, prb) in message.segments_named("PRB").enumerate() {
        let label = format!("PRB[{}]", index + 1);
        let (resource, identifier) = condition(&prb, &label, &subject)?;
        bundle.update(resource, &identifier, &label);
    }
    finish(bundle, message, &subject)
}

/// The Condition of one PRB, and the identifier a conditional update finds it by: the problem
/// (PRB-3) as its code, the problem instance id (PRB-4) as its identifier, its dates
/// (established PRB-7, onset PRB-16 or its text PRB-17, resolution PRB-9), its clinical status
/// (PRB-14 when it is a FHIR code, else resolved with a resolution date, else active) and
/// verification status (PRB-13 when it is a FHIR code; entered-in-error when PRB-1 deletes it).
fn condition(
    prb: &Segment<'_>,
    label: &str,
    subject: &Subject,
) -> Result<(Value, Value), ConvertError> {
    let code = first(prb, 3)
        .and_then(|r| concept(&r))
        .ok_or_else(|| ConvertError(format!("{label}-3 (problem id) is empty")))?;
    let identifier = match first(prb, 4).and_then(|rep| entity_identifier(|n| rep.get(n), "FILL")) {
        Some(mut identifier) => {
            // A problem instance id is not an order's filler number: no type.
            identifier["type"] = Value::Null;
            identifier
        }
        None => subject.message_identifier(label)?,
    };
    let at = |field: usize| format!("{label}-{field}");
    let date =
        |field: usize| checked_date_time(first(prb, field).and_then(|r| r.get(1)), &at(field));
    let resolved = date(9)?;
    let status_code = |field: usize, allowed: &[&str]| {
        first(prb, field)
            .and_then(|r| r.get(1))
            .map(|code| code.to_ascii_lowercase())
            .filter(|code| allowed.contains(&code.as_str()))
    };
    let clinical = status_code(
        14,
        &[
            "active",
            "recurrence",
            "relapse",
            "inactive",
            "remission",
            "resolved",
        ],
    )
    .unwrap_or_else(|| {
        if resolved.is_some() {
            "resolved"
        } else {
            "active"
        }
        .to_string()
    });
    let deleted = first(prb, 1).and_then(|r| r.get(1)).as_deref() == Some("DE");
    let verification = if deleted {
        Some("entered-in-error".to_string())
    } else {
        status_code(
            13,
            &[
                "unconfirmed",
                "provisional",
                "differential",
                "confirmed",
                "refuted",
            ],
        )
    };
    let onset = date(16)?;
    let resource = json!({
        "resourceType": "Condition",
        "identifier": [identifier],
        "clinicalStatus": {"coding": [{"system": CLINICAL_STATUS, "code": clinical}]},
        "verificationStatus": verification.map(|code| json!({"coding": [{"system": VERIFICATION_STATUS, "code": code}]})),
        "category": [{"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/condition-category",
            "code": "problem-list-item",
            "display": "Problem List Item",
        }]}],
        "code": code,
        "subject": subject.patient,
        "encounter": subject.encounter,
        "onsetDateTime": onset,
        "onsetString": if onset.is_none() { first(prb, 17).and_then(|r| r.get(1)) } else { None },
        "abatementDateTime": resolved,
        "recordedDate": date(7)?,
    });
    Ok((resource, identifier))
}

/// Adds an AllergyIntolerance per AL1 of `message` to `bundle`.
pub(super) fn add_allergies(
    bundle: &mut BundleBuilder,
    message: &Message<'_>,
    subject: &Subject,
) -> Result<(), ConvertError> {
    for (index, al1) in message.segments_named("AL1").enumerate() {
        let label = format!("AL1[{}]", index + 1);
        let (resource, identifier) = allergy(&al1, &label, subject)?;
        bundle.update(resource, &identifier, &label);
    }
    Ok(())
}

/// The AllergyIntolerance of one AL1, and the identifier a conditional update finds it by
/// (the patient's identifier and the allergen's code, so that the same allergy sent again in
/// a later message updates it): the allergen (AL1-3) as its code, the category and type of
/// AL1-2 (table 0127), the criticality and the reaction's severity of AL1-4 (table 0128), the
/// reactions of AL1-5 and the identification date (AL1-6) as its onset.
fn allergy(
    al1: &Segment<'_>,
    label: &str,
    subject: &Subject,
) -> Result<(Value, Value), ConvertError> {
    let allergen = first(al1, 3);
    let code = allergen
        .as_ref()
        .and_then(concept)
        .ok_or_else(|| ConvertError(format!("{label}-3 (allergen) is empty")))?;
    let allergen_code = allergen
        .as_ref()
        .and_then(|r| r.get(1).or_else(|| r.get(2)))
        .unwrap_or_default();
    let identifier = match &subject.patient_key {
        Some(patient) => {
            json!({"system": ALLERGY_SYSTEM, "value": format!("{patient}/{allergen_code}")})
        }
        None => subject.message_identifier(label)?,
    };
    let kind = first(al1, 2).and_then(|r| r.get(1));
    let category = kind
        .as_deref()
        .and_then(|code| lookup(&ALLERGY_CATEGORIES, code));
    let severity = first(al1, 4)
        .and_then(|r| r.get(1))
        .and_then(|code| lookup(&ALLERGY_SEVERITIES, &code));
    let manifestations: Vec<Value> = reps(al1, 5)
        .iter()
        .filter_map(|r| r.get(1))
        .map(|text| json!({"text": text}))
        .collect();
    // A reaction needs its manifestation: AL1-4's severity goes with AL1-5's reactions.
    let reaction = (!manifestations.is_empty()).then(|| {
        vec![json!({
            "manifestation": manifestations,
            "severity": severity.and_then(|(_, severity)| severity),
        })]
    });
    let resource = json!({
        "resourceType": "AllergyIntolerance",
        "identifier": [identifier],
        "clinicalStatus": {"coding": [{"system": ALLERGY_CLINICAL, "code": "active", "display": "Active"}]},
        "type": category.map(|(_, allergy)| if allergy { "allergy" } else { "intolerance" }),
        "category": category.and_then(|(category, _)| category).map(|c| vec![c]),
        "criticality": severity.map(|(criticality, _)| criticality),
        "code": code,
        "patient": subject.patient,
        "encounter": subject.encounter,
        "onsetDateTime": checked_date_time(first(al1, 6).and_then(|r| r.get(1)), &format!("{label}-6"))?,
        "reaction": reaction,
    });
    Ok((resource, identifier))
}
