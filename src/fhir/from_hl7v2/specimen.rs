//! The Specimen of an SPM (ORU^R01): its identifiers, type, collection (time, amount, method,
//! body site), reception time, description and condition.

use serde_json::{Value, json};

use super::v2::{concept, entity_identifier, first, reps};
use super::{ConvertError, Subject, checked_date_time, checked_number};
use crate::hl7v2::Segment;

/// The Specimen of the SPM `spm` (`label` names it in errors), for `subject`, and the
/// identifier a conditional update finds it by.
pub(super) fn specimen_resource(
    spm: &Segment<'_>,
    label: &str,
    subject: &Subject,
) -> Result<(Value, Value), ConvertError> {
    // SPM-2 (EIP): placer's id ^ filler's id, each an EI in subcomponents.
    let ids = first(spm, 2);
    let mut identifiers: Vec<Value> = [(2, "FILL"), (1, "PLAC")]
        .into_iter()
        .filter_map(|(component, type_code)| {
            let rep = ids.as_ref()?;
            entity_identifier(|n| rep.sub(component, n), type_code)
        })
        .collect();
    if identifiers.is_empty() {
        identifiers.push(subject.message_identifier(label)?);
    }
    let key = identifiers.first().cloned().unwrap_or_default();
    let collected = first(spm, 17);
    let at = |component: usize| format!("{label}-17.{component}");
    let start = checked_date_time(collected.as_ref().and_then(|r| r.get(1)), &at(1))?;
    let end = checked_date_time(collected.as_ref().and_then(|r| r.get(2)), &at(2))?;
    let amount = first(spm, 12);
    let quantity = checked_number(
        amount.as_ref().and_then(|r| r.get(1)),
        &format!("{label}-12"),
    )?
    .map(|value| {
        let unit = amount
            .as_ref()
            .and_then(|r| r.sub(2, 2).or_else(|| r.sub(2, 1)));
        json!({"value": value, "unit": unit})
    });
    let collection = json!({
        "collectedDateTime": if end.is_none() { start.clone() } else { None },
        "collectedPeriod": end.as_ref().map(|end| json!({"start": start, "end": end})),
        "quantity": quantity,
        "method": first(spm, 7).and_then(|r| concept(&r)),
        "bodySite": first(spm, 8).and_then(|r| concept(&r)),
    });
    let resource = json!({
        "resourceType": "Specimen",
        "identifier": identifiers,
        "type": first(spm, 4).and_then(|r| concept(&r)),
        "subject": subject.patient,
        "receivedTime": checked_date_time(
            first(spm, 18).and_then(|r| r.get(1)),
            &format!("{label}-18"),
        )?,
        "collection": collection,
        "note": first(spm, 14).and_then(|r| r.get(1)).map(|text| vec![json!({"text": text})]),
        "condition": reps(spm, 24).iter().filter_map(concept).collect::<Vec<_>>(),
    });
    Ok((resource, key))
}
