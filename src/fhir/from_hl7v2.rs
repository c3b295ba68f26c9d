//! HL7 v2 to a FHIR transaction Bundle:
//!
//! - ADT (A01, A03, A04, A08): Patient, Encounter, Coverage, the payers as Organizations, the
//!   visit's participants and the general practitioners as Practitioners (and Organizations),
//!   the subscriber who is not the patient and each next of kin (NK1) as RelatedPersons;
//! - ORU^R01: Patient, a DiagnosticReport per OBR and an Observation per OBX (notes from the
//!   NTEs that follow an OBX);
//! - DFT^P03: Patient, Encounter, and a ChargeItem per FT1 (with the performing Practitioner);
//! - ORM^O01, OML^O21, OMP^O09, RDE^O11: a ServiceRequest per ORC/OBR order and a
//!   MedicationRequest per pharmacy order (RXO, RXE);
//! - SIU^S12/S13/S14/S15/S26: an Appointment (booked, rescheduled, modified, cancelled, no-show);
//! - VXU^V04: an Immunization per RXA;
//! - MDM^T02/T04: a DocumentReference with the document as an attachment;
//! - PPR^PC1/PC2/PC3: a Condition per PRB;
//! - and in any of them, an AllergyIntolerance per AL1.
//!
//! ORU^R01 also makes a Specimen per SPM, which its DiagnosticReport and Observations name.
//! The clinical resources refer to the Patient and, when PV1 is there, to the Encounter. Each
//! has an identifier from the message (order, appointment, document or problem numbers; else
//! the message control id and the segment) and is sent as a conditional update
//! (`PUT Type?identifier=system|value`), so the same message converted twice updates the same
//! resources rather than making new ones.
//!
//! The patient, visit, coverages and charges are read through the channel's declarative
//! mapping into canonical records (so lookups, dates and identifiers are the ones the store
//! gets), and those records become resources with the same builders that serve `/fhir`. What
//! is not canonical is read from the segments directly: the patient's further identifiers,
//! names, addresses, telecom and demographics (PID, PD1), the visit's participants, locations
//! and admission details (PV1, PV2, DG1), the plan, policy, subscriber and payer details (IN1,
//! IN2), next of kin (NK1), results and performers. Every resource is checked against the R4
//! model before the Bundle is answered.
//!
//! This file is long because it holds the Bundle builders that every message type shares;
//! what is particular to a segment is in `from_hl7v2/`.

mod adt;
mod document;
mod immunization;
mod orders;
mod problems;
mod schedule;
mod specimen;
mod tables;
mod v2;

#[cfg(test)]
mod clinical_tests;

use std::collections::HashMap;

use serde_json::{Value, json};

use super::kinds::Kind;
use super::resources::{
    NPI_SYSTEM, PAYER_SYSTEM, UNKNOWN_SYSTEM, charge_item_resource, coverage_resource,
    encounter_resource, party_resource, patient_resource, prune,
};
use super::validate::validate_emitted;
use crate::hl7v2::{Message, Segment};
use crate::mapping::{EncounterRecord, Records};

/// ADT triggers the converter takes.
pub const TRIGGERS: [&str; 4] = ["A01", "A03", "A04", "A08"];

/// The message types the converter takes, for messages and documentation.
pub const CONVERTED: &str = "ADT^A01/A03/A04/A08, ORU^R01, DFT^P03, ORM^O01, OML^O21, OMP^O09, \
     RDE^O11, SIU^S12/S13/S14/S15/S26, VXU^V04, MDM^T02/T04, PPR^PC1/PC2/PC3";

/// The identifier system of resources named by the message that made them: the value is the
/// message control id (MSH-10) and the segment, `MSG1/OBX[2]`.
pub const MESSAGE_SYSTEM: &str = "urn:switchboard:hl7v2-message";

const LOINC_SYSTEM: &str = "http://loinc.org";
const SNOMED_SYSTEM: &str = "http://snomed.info/sct";
const UCUM_SYSTEM: &str = "http://unitsofmeasure.org";
const CPT_SYSTEM: &str = "http://www.ama-assn.org/go/cpt";
const ICD10_SYSTEM: &str = "http://hl7.org/fhir/sid/icd-10-cm";
const INTERPRETATION_SYSTEM: &str =
    "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation";
const V2_0203: &str = "http://terminology.hl7.org/CodeSystem/v2-0203";

/// Why a message could not be converted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConvertError(pub String);

/// The transaction Bundle of `message`, whatever its type among [`CONVERTED`]; the canonical
/// `records` are the ones its channel's mapping made.
pub fn convert(records: &Records, message: &Message<'_>) -> Result<Value, ConvertError> {
    let (code, trigger) = message_type(message);
    match (code.as_str(), trigger.as_str()) {
        ("ADT", trigger) if TRIGGERS.contains(&trigger) => adt_bundle(records, message),
        ("ORU", "R01") => oru_bundle(records, message),
        ("DFT", "P03") => dft_bundle(records, message),
        (code, trigger) if orders::ORDER_TYPES.contains(&(code, trigger)) => {
            orders::order_bundle(records, message)
        }
        ("SIU", trigger) if schedule::TRIGGERS.contains(&trigger) => {
            schedule::appointment_bundle(records, message)
        }
        ("VXU", "V04") => immunization::immunization_bundle(records, message),
        ("MDM", trigger) if document::TRIGGERS.contains(&trigger) => {
            document::document_bundle(records, message)
        }
        ("PPR", trigger) if problems::TRIGGERS.contains(&trigger) => {
            problems::problem_bundle(records, message)
        }
        _ => Err(ConvertError(format!(
            "{code}^{trigger} is not a message the FHIR converter takes ({CONVERTED})"
        ))),
    }
}

/// MSH-9's message code and trigger event (empty when absent).
fn message_type(message: &Message<'_>) -> (String, String) {
    message.message_type().map_or_else(Default::default, |t| {
        (t.code.to_string(), t.trigger_event.to_string())
    })
}

/// Checks that `message` is a `want_code` with one of `triggers`.
fn expect(message: &Message<'_>, want_code: &str, triggers: &[&str]) -> Result<(), ConvertError> {
    let (code, trigger) = message_type(message);
    if code != want_code || !triggers.contains(&trigger.as_str()) {
        return Err(ConvertError(format!(
            "{code}^{trigger} is not an {want_code} {}",
            triggers.join("/")
        )));
    }
    Ok(())
}

/// What the resources of a message refer to (its Patient, and its Encounter when PV1 is
/// there) and what names those without an identifier of their own.
struct Subject {
    /// The Reference to the Patient entry.
    patient: Value,
    /// The Reference to the Encounter entry, when the message has a visit.
    encounter: Option<Value>,
    /// The patient's first canonical identifier, `system/value`.
    patient_key: Option<String>,
    /// MSH-10.
    control_id: Option<String>,
    /// The time zone of MSH-7 (`+0215`), for the sender's times written without one.
    zone: Option<String>,
}

impl Subject {
    /// The identifier of a resource made of `label` that has none of its own in the message:
    /// the message control id and the segment.
    fn message_identifier(&self, label: &str) -> Result<Value, ConvertError> {
        let control_id = self.control_id.as_deref().ok_or_else(|| {
            ConvertError(format!(
                "MSH-10 (message control id) is empty: the resource of {label} has no identifier"
            ))
        })?;
        Ok(json!({"system": MESSAGE_SYSTEM, "value": format!("{control_id}/{label}")}))
    }

    /// Field `number` of `segment` (a TS/DTM) as a FHIR instant: a time with its zone, the
    /// zone of MSH-7 when it has none; `Ok(None)` when empty or only a date; an error naming
    /// `label` and the field when it is not a date/time.
    fn instant(
        &self,
        segment: &Segment<'_>,
        number: usize,
        label: &str,
    ) -> Result<Option<String>, ConvertError> {
        let Some(found) = date_time(segment, number, label)? else {
            return Ok(None);
        };
        Ok(self.as_instant(&found, text(segment, number, 1, 1).as_deref()))
    }

    /// `converted` (the FHIR dateTime of the HL7 `sent`) as an instant, when it can be one.
    fn as_instant(&self, converted: &str, sent: Option<&str>) -> Option<String> {
        if converted.len() > 10 {
            return Some(converted.to_string());
        }
        let sent = sent?;
        let zone = self.zone.as_deref()?;
        let with_zone = hl7_date_time(&format!("{sent}{zone}"))?;
        (with_zone.len() > 10).then_some(with_zone)
    }
}

/// A Bundle with the Patient of `records` (completed with the PID of `message`) in it, and
/// what its resources refer to.
fn with_patient(
    records: &Records,
    message: &Message<'_>,
) -> Result<(BundleBuilder, Subject), ConvertError> {
    let patient = records
        .patient
        .as_ref()
        .ok_or_else(|| ConvertError("the message has no patient".into()))?;
    let mut bundle = BundleBuilder::default();
    let first = patient.identifiers.first();
    let identifier = first.map(|i| format!("identifier={}|{}", i.system, i.value));
    let mut resource = patient_resource(&patient.known());
    if let Some(pid) = message.segment("PID") {
        adt::enrich_patient(&mut resource, message, &pid);
    }
    let patient_ref = bundle.add(resource, identifier, "PID");
    let header = message.header();
    let zone = text(&header, 7, 1, 1).and_then(|sent| {
        let at = sent
            .char_indices()
            .skip(4)
            .find(|(_, c)| *c == '+' || *c == '-')?
            .0;
        Some(sent[at..].to_string())
    });
    let subject = Subject {
        patient: patient_ref,
        encounter: None,
        patient_key: first.map(|i| format!("{}/{}", i.system, i.value)),
        control_id: message.control_id().and_then(|id| v2::present(&id)),
        zone,
    };
    Ok((bundle, subject))
}

/// [`with_patient`], with the visit when the message has a PV1: the start of the Bundle of a
/// clinical message.
fn with_patient_and_visit(
    records: &Records,
    message: &Message<'_>,
) -> Result<(BundleBuilder, Subject), ConvertError> {
    let (mut bundle, mut subject) = with_patient(records, message)?;
    if message.segment("PV1").is_some()
        && let Some(visit) = &records.encounter
    {
        subject.encounter = Some(add_encounter(&mut bundle, message, visit, &subject.patient));
    }
    Ok((bundle, subject))
}

/// Adds the allergies (AL1) and the patient's general practitioners (PD1) at the end of
/// `bundle`, refers to the practitioners from the Patient; answers the Bundle.
fn finish(
    mut bundle: BundleBuilder,
    message: &Message<'_>,
    subject: &Subject,
) -> Result<Value, ConvertError> {
    problems::add_allergies(&mut bundle, message, subject)?;
    let doctors = adt::general_practitioners(&mut bundle, message);
    if !doctors.is_empty()
        && let Some(resource) = bundle.resource_mut(&subject.patient)
    {
        resource["generalPractitioner"] = json!(doctors);
    }
    bundle.finish()
}

/// Adds the visit (and its participants) to `bundle`; answers the Encounter's Reference.
fn add_encounter(
    bundle: &mut BundleBuilder,
    message: &Message<'_>,
    visit: &EncounterRecord,
    patient: &Value,
) -> Value {
    let pv1 = message.segment("PV1");
    let attending = visit.attending_npi.as_deref().map(|id| {
        // PV1-7 as sent, when it is the canonical attending; else the canonical id and name.
        let sent = pv1
            .as_ref()
            .and_then(|pv1| v2::first(pv1, 7))
            .filter(|rep| rep.get(1).as_deref() == Some(id))
            .and_then(|rep| v2::practitioner(&rep));
        let (resource, query) = sent.unwrap_or_else(|| {
            let name = visit.attending_name.as_deref().unwrap_or(id);
            let system = if v2::is_npi(id) {
                NPI_SYSTEM
            } else {
                UNKNOWN_SYSTEM
            };
            (
                party_resource(Kind::Practitioner, system, id, name),
                Some(format!("identifier={system}|{id}")),
            )
        });
        bundle.add_shared(resource, query, "PV1-7")
    });
    let encounter = visit.encounter(0, None).known();
    let mut resource = encounter_resource(&encounter, patient.clone(), attending.clone());
    let mut query = Some(format!("identifier={}", visit.visit_number));
    if let Some(pv1) = &pv1
        && let Some(found) = adt::enrich_encounter(
            &mut resource,
            bundle,
            message,
            pv1,
            &visit.visit_number,
            attending.as_ref(),
        )
    {
        query = Some(found);
    }
    bundle.add(resource, query, "PV1")
}

/// The transaction Bundle of an ADT message, whose canonical `records` its channel's
/// mapping made.
pub fn adt_bundle(records: &Records, message: &Message<'_>) -> Result<Value, ConvertError> {
    expect(message, "ADT", &TRIGGERS)?;
    let (mut bundle, mut subject) = with_patient(records, message)?;
    let patient_ref = subject.patient.clone();
    if let Some(visit) = &records.encounter {
        let encounter = add_encounter(&mut bundle, message, visit, &patient_ref);
        // The allergies of an admission name its visit.
        subject.encounter = Some(encounter);
    }
    for (index, segment) in message.segments_named("NK1").enumerate() {
        let label = format!("NK1[{}]", index + 1);
        bundle.add(adt::next_of_kin(&segment, &patient_ref), None, &label);
    }
    // Each coverage says which IN1 it was read from (the mapping leaves out the ones it
    // cannot read); one that does not (records of an older form) is matched by position
    // only when there is one coverage per IN1, rather than to the wrong one.
    let insurances = adt::insurances(message);
    let aligned = insurances.len() == records.coverages.len();
    for (index, record) in records.coverages.iter().enumerate() {
        let segment = record.occurrence.or_else(|| aligned.then_some(index + 1));
        let label = format!("IN1[{}]", segment.unwrap_or(index + 1));
        let insurance = segment.and_then(|n| insurances.get(n.checked_sub(1)?));
        let name = record.payer_name.as_deref().unwrap_or(&record.payer_id);
        let mut payer = party_resource(Kind::Organization, PAYER_SYSTEM, &record.payer_id, name);
        if let Some((in1, _)) = insurance {
            adt::enrich_payer(&mut payer, in1);
        }
        let payer = bundle.add(
            payer,
            Some(format!("identifier={PAYER_SYSTEM}|{}", record.payer_id)),
            &label,
        );
        let coverage = record.coverage(0, 0).known();
        let mut resource = coverage_resource(&coverage, patient_ref.clone(), payer);
        if let Some((in1, in2)) = insurance {
            adt::enrich_coverage(&mut resource, in1, in2.as_ref());
            if adt::insured_is_patient(in1) || record.relationship.as_deref() == Some("self") {
                resource["subscriber"] = patient_ref.clone();
            } else if let Some(person) = adt::subscriber(in1, in2.as_ref(), &patient_ref) {
                resource["subscriber"] = bundle.add(person, None, &format!("{label}-16"));
            }
        }
        bundle.add(resource, None, &label);
    }
    finish(bundle, message, &subject)
}

// ---------------------------------------------------------------------------------------------
// ORU^R01

/// The transaction Bundle of an ORU^R01: the Patient of `records` (and the visit, when PV1 is
/// there), and a DiagnosticReport per OBR with an Observation per OBX of its order (NTEs right
/// after an OBX are its notes) and a Specimen per SPM of its order, which the report and its
/// Observations name. OBX segments before the first OBR belong to no order in the ORU_R01
/// structure and are not converted.
pub fn oru_bundle(records: &Records, message: &Message<'_>) -> Result<Value, ConvertError> {
    expect(message, "ORU", &["R01"])?;
    let (mut bundle, subject) = with_patient_and_visit(records, message)?;
    let mut report: Option<Report> = None;
    let (mut obr_count, mut obx_count, mut spm_count) = (0, 0, 0);
    for segment in message.segments() {
        match segment.id() {
            "OBR" => {
                if let Some(done) = report.take() {
                    done.add_to(&mut bundle, &subject)?;
                }
                obr_count += 1;
                report = Some(Report::read(segment, obr_count, &subject)?);
            }
            "OBX" => {
                obx_count += 1;
                if let Some(report) = report.as_mut() {
                    report.flush(&mut bundle);
                    let label = format!("OBX[{obx_count}]");
                    let mut resource = observation_resource(
                        &segment,
                        &label,
                        &subject.patient,
                        report.effective.as_deref(),
                    )?;
                    resource["encounter"] = json!(subject.encounter);
                    let identifier = report.result_identifier(&subject, &label)?;
                    resource["identifier"] = json!([identifier]);
                    report.pending = Some((resource, identifier, label));
                }
            }
            "NTE" => {
                if let Some((resource, ..)) = report.as_mut().and_then(|r| r.pending.as_mut()) {
                    add_note(resource, &segment);
                }
            }
            "SPM" => {
                spm_count += 1;
                if let Some(report) = report.as_mut() {
                    report.flush(&mut bundle);
                    let label = format!("SPM[{spm_count}]");
                    let (resource, identifier) =
                        specimen::specimen_resource(&segment, &label, &subject)?;
                    report
                        .specimens
                        .push(bundle.update(resource, &identifier, &label));
                }
            }
            _ => {
                if let Some(report) = report.as_mut() {
                    report.flush(&mut bundle);
                }
            }
        }
    }
    if let Some(done) = report.take() {
        done.add_to(&mut bundle, &subject)?;
    }
    finish(bundle, message, &subject)
}

/// An OBR whose DiagnosticReport waits for its results.
struct Report {
    label: String,
    code: Value,
    status: &'static str,
    identifiers: Vec<Value>,
    effective: Option<String>,
    issued: Option<String>,
    results: Vec<Value>,
    specimens: Vec<Value>,
    /// The Observation of the last OBX (with its identifier), open to the NTEs that follow it.
    pending: Option<(Value, Value, String)>,
}

impl Report {
    /// Reads the `number`th OBR.
    fn read(obr: Segment<'_>, number: usize, subject: &Subject) -> Result<Self, ConvertError> {
        let label = format!("OBR[{number}]");
        let effective = date_time(&obr, 7, &label)?;
        let code = codeable(&obr, 4).ok_or_else(|| {
            ConvertError(format!("{label}-4 (universal service identifier) is empty"))
        })?;
        let status = match text(&obr, 25, 1, 1).as_deref() {
            Some("F") => "final",
            Some("P") => "preliminary",
            Some("C") => "corrected",
            Some("X") => "cancelled",
            _ => "unknown",
        };
        let mut identifiers: Vec<Value> = [
            v2::order_identifier(&obr, 3, "FILL"),
            v2::order_identifier(&obr, 2, "PLAC"),
        ]
        .into_iter()
        .flatten()
        .collect();
        if identifiers.is_empty() {
            identifiers.push(subject.message_identifier(&label)?);
        }
        // `issued` is an instant: only a time with its zone qualifies.
        let issued = date_time(&obr, 22, &label)?.filter(|t| t.len() > 10);
        Ok(Report {
            label,
            code,
            status,
            identifiers,
            effective,
            issued,
            results: Vec::new(),
            specimens: Vec::new(),
            pending: None,
        })
    }

    /// The identifier of the Observation of `label`: the report's, with the OBX's place in
    /// the report, so that a corrected result updates the same Observation.
    fn result_identifier(&self, subject: &Subject, label: &str) -> Result<Value, ConvertError> {
        let place = self.results.len() + usize::from(self.pending.is_some()) + 1;
        match self.identifiers.first() {
            Some(report)
                if report.get("system").and_then(Value::as_str) != Some(MESSAGE_SYSTEM) =>
            {
                Ok(json!({
                    "system": report.get("system"),
                    "value": format!("{}/{place}", report["value"].as_str().unwrap_or_default()),
                }))
            }
            _ => subject.message_identifier(label),
        }
    }

    /// Adds the pending Observation, if any, to `bundle` and to the results.
    fn flush(&mut self, bundle: &mut BundleBuilder) {
        if let Some((resource, identifier, label)) = self.pending.take() {
            self.results
                .push(bundle.update(resource, &identifier, &label));
        }
    }

    /// Adds the DiagnosticReport to `bundle`; its Observations name its first Specimen.
    fn add_to(mut self, bundle: &mut BundleBuilder, subject: &Subject) -> Result<(), ConvertError> {
        self.flush(bundle);
        if let Some(specimen) = self.specimens.first() {
            for result in &self.results {
                if let Some(observation) = bundle.resource_mut(result) {
                    observation["specimen"] = specimen.clone();
                }
            }
        }
        let resource = json!({
            "resourceType": "DiagnosticReport",
            "identifier": self.identifiers,
            "status": self.status,
            "code": self.code,
            "subject": subject.patient,
            "encounter": subject.encounter,
            "effectiveDateTime": self.effective,
            "issued": self.issued,
            "specimen": self.specimens,
            "result": self.results,
        });
        let key = self.identifiers.first().cloned().unwrap_or_default();
        bundle.update(resource, &key, &self.label);
        Ok(())
    }
}

/// The Observation of one OBX (`label` names it in errors); `fallback` is its OBR's
/// observation time, for an OBX without its own.
fn observation_resource(
    obx: &Segment<'_>,
    label: &str,
    patient: &Value,
    fallback: Option<&str>,
) -> Result<Value, ConvertError> {
    let code = codeable(obx, 3)
        .ok_or_else(|| ConvertError(format!("{label}-3 (observation identifier) is empty")))?;
    let value_type = text(obx, 2, 1, 1).unwrap_or_default();
    let unit = unit(obx);
    let mut values = Vec::new();
    if matches!(value_type.as_str(), "ST" | "TX" | "FT") {
        let lines: Vec<String> = field(obx, 5)
            .map(|f| f.repetitions().map(|r| r.value().to_string()).collect())
            .unwrap_or_default();
        let joined = lines.join("\n");
        if !joined.trim().is_empty() {
            values.push(json!({"valueString": joined}));
        }
    } else if let Some(field) = field(obx, 5) {
        for (index, repetition) in field.repetitions().enumerate() {
            if repetition.is_empty() {
                continue;
            }
            let at = format!("{label}-5[{}]", index + 1);
            if let Some(value) = observation_value(&value_type, &repetition, unit.as_ref(), &at)? {
                values.push(value);
            }
        }
    }
    let status = match text(obx, 11, 1, 1).as_deref() {
        Some("F") => "final",
        Some("P" | "R" | "S") => "preliminary",
        Some("C") => "corrected",
        Some("X") => "cancelled",
        Some("D" | "W") => "entered-in-error",
        Some("I" | "O") => "registered",
        Some("U") => "final",
        _ => "unknown",
    };
    let effective = date_time(obx, 14, label)?.or_else(|| fallback.map(str::to_string));
    let mut resource = json!({
        "resourceType": "Observation",
        "status": status,
        "code": code,
        "subject": patient,
        "effectiveDateTime": effective,
        "interpretation": interpretation(obx).map(|i| vec![i]),
        "referenceRange": reference_range(obx, unit.as_ref()).map(|r| vec![r]),
    });
    // One value is the Observation's; further repetitions of OBX-5 are components of it.
    let mut values = values.into_iter();
    if let Some(Value::Object(first)) = values.next() {
        for (key, value) in first {
            resource[key] = value;
        }
    }
    let components: Vec<Value> = values
        .map(|value| {
            let mut component = json!({"code": code});
            if let Value::Object(value) = value {
                for (key, value) in value {
                    component[key] = value;
                }
            }
            component
        })
        .collect();
    if !components.is_empty() {
        resource["component"] = json!(components);
    }
    Ok(resource)
}

/// The `value[x]` member of one repetition of OBX-5 of type `value_type`; `None` for types
/// not converted (RP, ED, SN...).
fn observation_value(
    value_type: &str,
    repetition: &crate::hl7v2::Repetition<'_>,
    unit: Option<&Unit>,
    at: &str,
) -> Result<Option<Value>, ConvertError> {
    let first = || {
        repetition
            .component(1)
            .map(|c| c.value().trim().to_string())
            .unwrap_or_default()
    };
    Ok(match value_type {
        "NM" => {
            let text = first();
            let number = number(&text).ok_or_else(|| {
                ConvertError(format!(
                    "{at}: '{text}' is not a number, as OBX-2 (NM) says it is"
                ))
            })?;
            Some(json!({"valueQuantity": quantity(number, unit)}))
        }
        "CE" | "CWE" | "CNE" => {
            coding_of(repetition).map(|concept| json!({"valueCodeableConcept": concept}))
        }
        "DT" | "TS" | "DTM" => {
            let text = first();
            let value = hl7_date_time(&text).ok_or_else(|| {
                ConvertError(format!("{at}: '{text}' is not an HL7 v2 date/time"))
            })?;
            Some(json!({"valueDateTime": value}))
        }
        _ => None,
    })
}

/// Appends NTE-3 (the comment) to the Observation's notes.
fn add_note(observation: &mut Value, nte: &Segment<'_>) {
    let lines: Vec<String> = field(nte, 3)
        .map(|f| f.repetitions().map(|r| r.value().to_string()).collect())
        .unwrap_or_default();
    let comment = lines.join("\n");
    if comment.trim().is_empty() {
        return;
    }
    let note = json!({"text": comment});
    match observation.get_mut("note").and_then(Value::as_array_mut) {
        Some(notes) => notes.push(note),
        None => observation["note"] = json!([note]),
    }
}

/// A unit of OBX-6: its code, its display and whether it is UCUM.
struct Unit {
    code: String,
    display: String,
    ucum: bool,
}

/// Common UCUM units of lab results, recognised when OBX-6 does not name its system.
const UCUM_UNITS: [&str; 40] = [
    "%",
    "/min",
    "/uL",
    "10*3/uL",
    "10*6/uL",
    "10*9/L",
    "10*12/L",
    "cm",
    "fL",
    "g",
    "g/dL",
    "g/L",
    "h",
    "kg",
    "kg/m2",
    "L",
    "m",
    "mEq/L",
    "mg",
    "mg/dL",
    "mg/L",
    "min",
    "mL",
    "mL/min",
    "mL/min/{1.73_m2}",
    "mm",
    "mm[Hg]",
    "mm/h",
    "mmol/L",
    "mol/L",
    "ng/mL",
    "nmol/L",
    "pg",
    "pg/mL",
    "s",
    "U/L",
    "[IU]/L",
    "u[IU]/mL",
    "umol/L",
    "{beats}/min",
];

/// OBX-6, when given.
fn unit(obx: &Segment<'_>) -> Option<Unit> {
    let code = text(obx, 6, 1, 1)?;
    let system = text(obx, 6, 1, 3).unwrap_or_default();
    let ucum = system.eq_ignore_ascii_case("UCUM")
        || (system.is_empty() && UCUM_UNITS.contains(&code.as_str()));
    Some(Unit {
        display: text(obx, 6, 1, 2).unwrap_or_else(|| code.clone()),
        code,
        ucum,
    })
}

/// A Quantity of `value` in `unit`.
fn quantity(value: serde_json::Number, unit: Option<&Unit>) -> Value {
    match unit {
        Some(unit) if unit.ucum => json!({
            "value": value, "unit": unit.display, "system": UCUM_SYSTEM, "code": unit.code,
        }),
        Some(unit) => json!({"value": value, "unit": unit.display}),
        None => json!({"value": value}),
    }
}

/// A decimal number as HL7 v2 NM writes it (`12`, `-3.5`, `+.25`), as a JSON number.
fn number(text: &str) -> Option<serde_json::Number> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let valid = !(whole.is_empty() && fraction.is_empty())
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit());
    if !valid {
        return None;
    }
    let sign = if text.starts_with('-') { "-" } else { "" };
    let whole = if whole.is_empty() { "0" } else { whole };
    let canonical = if fraction.is_empty() {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{fraction}")
    };
    canonical.parse().ok()
}

/// OBX-7 (`3.5-5.0`, `<10`, `>=2`, or text) as a referenceRange.
fn reference_range(obx: &Segment<'_>, unit: Option<&Unit>) -> Option<Value> {
    let range = text(obx, 7, 1, 1)?;
    let bound = |text: &str| number(text.trim()).map(|n| quantity(n, unit));
    let (low, high) = if let Some(rest) = range.strip_prefix("<=").or(range.strip_prefix('<')) {
        (None, bound(rest))
    } else if let Some(rest) = range.strip_prefix(">=").or(range.strip_prefix('>')) {
        (bound(rest), None)
    } else {
        // The separating '-' is the first one after the first character (which may be a sign).
        match range
            .char_indices()
            .skip(1)
            .find(|(_, c)| *c == '-')
            .map(|(i, _)| range.split_at(i))
        {
            Some((low, high)) => match (bound(low), bound(&high[1..])) {
                (Some(low), Some(high)) => (Some(low), Some(high)),
                _ => (None, None),
            },
            None => (None, None),
        }
    };
    Some(json!({"low": low, "high": high, "text": range}))
}

/// OBX-8 as an interpretation, coded in v3 ObservationInterpretation when it is one of
/// H, L, N, A, HH, LL, AA.
fn interpretation(obx: &Segment<'_>) -> Option<Value> {
    let code = text(obx, 8, 1, 1)?;
    let display = match code.as_str() {
        "H" => "High",
        "L" => "Low",
        "N" => "Normal",
        "A" => "Abnormal",
        "HH" => "Critical high",
        "LL" => "Critical low",
        "AA" => "Critical abnormal",
        _ => return Some(json!({"text": code})),
    };
    Some(json!({
        "coding": [{"system": INTERPRETATION_SYSTEM, "code": code, "display": display}],
        "text": text(obx, 8, 1, 2),
    }))
}

// ---------------------------------------------------------------------------------------------
// DFT^P03

/// The transaction Bundle of a DFT^P03: the Patient and Encounter of `records`, and a
/// ChargeItem per charge the mapping read (one per FT1), with FT1-20 as its performer.
pub fn dft_bundle(records: &Records, message: &Message<'_>) -> Result<Value, ConvertError> {
    expect(message, "DFT", &["P03"])?;
    let (mut bundle, subject) = with_patient(records, message)?;
    let patient_ref = subject.patient.clone();
    let encounter = records
        .encounter
        .as_ref()
        .map(|visit| add_encounter(&mut bundle, message, visit, &patient_ref));
    // The mapping makes one charge per FT1, in order; should a mapping have left one out, no
    // FT1 is matched to a charge rather than the wrong one.
    let ft1s: Vec<Segment<'_>> = message.segments_named("FT1").collect();
    let aligned = ft1s.len() == records.charges.len();
    for (index, charge) in records.charges.iter().enumerate() {
        let label = format!("FT1[{}]", index + 1);
        let performer = ft1s.get(index).filter(|_| aligned).and_then(|ft1| {
            let id = text(ft1, 20, 1, 1)?;
            let name = [text(ft1, 20, 1, 3), text(ft1, 20, 1, 2)]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            let is_npi = id.len() == 10 && id.bytes().all(|b| b.is_ascii_digit());
            let system = if is_npi { NPI_SYSTEM } else { UNKNOWN_SYSTEM };
            let name = if name.is_empty() { id.clone() } else { name };
            Some(bundle.add(
                party_resource(Kind::Practitioner, system, &id, &name),
                Some(format!("identifier={system}|{id}")),
                &format!("{label}-20"),
            ))
        });
        let line = charge.bill_line(0);
        bundle.add(
            charge_item_resource(&line, patient_ref.clone(), encounter.clone(), performer),
            None,
            &label,
        );
    }
    finish(bundle, message, &subject)
}

// ---------------------------------------------------------------------------------------------
// Reading segments

fn field<'a>(segment: &Segment<'a>, number: usize) -> Option<crate::hl7v2::Field<'a>> {
    segment.field(number).filter(|f| !f.is_empty())
}

/// Component `component` of repetition `repetition` of field `number`, trimmed; `None` when
/// absent or blank.
fn text(
    segment: &Segment<'_>,
    number: usize,
    repetition: usize,
    component: usize,
) -> Option<String> {
    let value = segment
        .field(number)?
        .repetition(repetition)?
        .component(component)?
        .subcomponent(1)?
        .value();
    v2::present(&value)
}

/// The CodeableConcept of the first repetition of a CE/CWE field.
fn codeable(segment: &Segment<'_>, number: usize) -> Option<Value> {
    coding_of(&segment.field(number)?.repetition(1)?)
}

/// A CE/CWE repetition (`code^text^system^alt code^alt text^alt system`) as a
/// CodeableConcept; `None` when it has neither code nor text.
fn coding_of(repetition: &crate::hl7v2::Repetition<'_>) -> Option<Value> {
    let part = |n: usize| {
        repetition
            .component(n)
            .and_then(|c| c.subcomponent(1))
            .and_then(|s| v2::present(&s.value()))
    };
    let coding = |code: Option<String>, display: Option<String>, system: Option<String>| {
        code.map(|code| {
            json!({
                "system": system.as_deref().and_then(coding_system),
                "code": code,
                "display": display,
            })
        })
    };
    let codings: Vec<Value> = [
        coding(part(1), part(2), part(3)),
        coding(part(4), part(5), part(6)),
    ]
    .into_iter()
    .flatten()
    .collect();
    let text = part(9).or_else(|| part(2));
    if codings.is_empty() && text.is_none() {
        return None;
    }
    Some(json!({"coding": codings, "text": text}))
}

/// The FHIR system of an HL7 v2 coding system name (table 0396); `None` for local ones.
fn coding_system(name: &str) -> Option<String> {
    let known = match name {
        "LN" | "LOINC" => LOINC_SYSTEM,
        "SCT" | "SNM" | "SNOMED" => SNOMED_SYSTEM,
        "UCUM" => UCUM_SYSTEM,
        "C4" | "CPT" => CPT_SYSTEM,
        "I10" | "I10C" | "ICD10CM" => ICD10_SYSTEM,
        "CVX" => "http://hl7.org/fhir/sid/cvx",
        "MVX" => "http://terminology.hl7.org/CodeSystem/MVX",
        "NDC" => "http://hl7.org/fhir/sid/ndc",
        _ => {
            let table = name.strip_prefix("HL7")?;
            return (table.len() == 4 && table.bytes().all(|b| b.is_ascii_digit()))
                .then(|| format!("http://terminology.hl7.org/CodeSystem/v2-{table}"));
        }
    };
    Some(known.to_string())
}

/// Field `number` of `segment` (a TS/DTM) as a FHIR dateTime; `Ok(None)` when empty, an
/// error naming `label` and the field when it is not a date/time.
fn date_time(
    segment: &Segment<'_>,
    number: usize,
    label: &str,
) -> Result<Option<String>, ConvertError> {
    checked_date_time(text(segment, number, 1, 1), &format!("{label}-{number}"))
}

/// An HL7 v2 date/time `value` read at `at` (`SPM[1]-17.2`) as a FHIR dateTime; `Ok(None)`
/// when absent, an error naming `at` when it is not a date/time.
fn checked_date_time(value: Option<String>, at: &str) -> Result<Option<String>, ConvertError> {
    let Some(value) = value else {
        return Ok(None);
    };
    hl7_date_time(&value)
        .map(Some)
        .ok_or_else(|| ConvertError(format!("{at}: '{value}' is not an HL7 v2 date/time")))
}

/// An HL7 v2 number `value` read at `at`; `Ok(None)` when absent, an error naming `at` when it
/// is not a number.
fn checked_number(
    value: Option<String>,
    at: &str,
) -> Result<Option<serde_json::Number>, ConvertError> {
    let Some(value) = value else {
        return Ok(None);
    };
    number(&value)
        .map(Some)
        .ok_or_else(|| ConvertError(format!("{at}: '{value}' is not a number")))
}

/// An HL7 v2 TS/DTM (`YYYY[MM[DD[HHMM[SS[.S]]]]][+/-ZZZZ]`) as a FHIR dateTime. A time
/// without its zone is reduced to its date, which stays true; `None` when not a date/time.
fn hl7_date_time(value: &str) -> Option<String> {
    let split = value
        .char_indices()
        .skip(4)
        .find(|(_, c)| *c == '+' || *c == '-')
        .map_or(value.len(), |(i, _)| i);
    let (stamp, zone) = value.split_at(split);
    let (digits, fraction) = stamp.split_once('.').unwrap_or((stamp, ""));
    if !digits.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
        || ![4, 6, 8, 10, 12, 14].contains(&digits.len())
        || (!fraction.is_empty() && digits.len() != 14)
    {
        return None;
    }
    // The zone, `+HHMM` or `-HHMM`, checked even when the value is reduced to a date.
    let zone_hour_minute = match zone.get(1..) {
        None => None,
        Some(zone_digits) => {
            if zone_digits.len() != 4 || !zone_digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let (hour, minute): (u8, u8) = (
                zone_digits[..2].parse().ok()?,
                zone_digits[2..].parse().ok()?,
            );
            if hour > 14 || minute > 59 {
                return None;
            }
            Some((hour, minute))
        }
    };
    let number =
        |range: std::ops::Range<usize>| digits.get(range).and_then(|d| d.parse::<u8>().ok());
    let year: i32 = digits[..4].parse().ok()?;
    let month = number(4..6);
    let day = number(6..8);
    if let Some(month) = month {
        let month = time::Month::try_from(month).ok()?;
        if let Some(day) = day {
            time::Date::from_calendar_date(year, month, day).ok()?;
        }
    }
    let date = match (month, day) {
        (None, _) => format!("{year:04}"),
        (Some(m), None) => format!("{year:04}-{m:02}"),
        (Some(m), Some(d)) => format!("{year:04}-{m:02}-{d:02}"),
    };
    if digits.len() <= 8 {
        return Some(date);
    }
    let (hour, minute, second) = (
        number(8..10)?,
        number(10..12).unwrap_or(0),
        number(12..14).unwrap_or(0),
    );
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let Some((zone_hour, zone_minute)) = zone_hour_minute else {
        return Some(date);
    };
    let fraction = if fraction.is_empty() {
        String::new()
    } else {
        format!(".{fraction}")
    };
    Some(format!(
        "{date}T{hour:02}:{minute:02}:{second:02}{fraction}{}{zone_hour:02}:{zone_minute:02}",
        &zone[..1]
    ))
}

/// Entries in the making, each with a fresh `urn:uuid:` fullUrl and what it was made of.
#[derive(Default)]
struct BundleBuilder {
    entries: Vec<Value>,
    sources: Vec<String>,
    /// The Reference to the entry of each conditional request (its JSON text), so that a
    /// message of many segments is not searched entry by entry.
    conditional: HashMap<String, Value>,
    /// The positions of the entries of each resource, by the hash of its JSON text as added.
    shared: HashMap<u64, Vec<usize>>,
    /// The position of each entry, by fullUrl.
    positions: HashMap<String, usize>,
}

impl BundleBuilder {
    /// Adds a POST of `resource` (conditional on `if_none_exist` when given), made of
    /// `source` (a segment, for errors); answers a Reference to it. A conditional create
    /// already in the Bundle (the same performer on two FT1s) is not repeated: its Reference
    /// is answered.
    fn add(&mut self, mut resource: Value, if_none_exist: Option<String>, source: &str) -> Value {
        prune(&mut resource);
        let mut request = json!({"method": "POST", "url": resource["resourceType"]});
        if let Some(query) = if_none_exist {
            request["ifNoneExist"] = json!(query);
        }
        self.push(resource, request, source)
    }

    /// Adds a conditional update of `resource`: a PUT to `Type?identifier=system|value` of
    /// `identifier`, which creates it or updates the one with that identifier; answers a
    /// Reference to it. One already in the Bundle with that identifier is not repeated.
    fn update(&mut self, mut resource: Value, identifier: &Value, source: &str) -> Value {
        prune(&mut resource);
        let kind = resource["resourceType"].as_str().unwrap_or_default();
        let query = v2::identifier_query(identifier).unwrap_or_default();
        let request = json!({"method": "PUT", "url": format!("{kind}?{query}")});
        self.push(resource, request, source)
    }

    /// Adds an entry of `resource` with `request`, unless a conditional entry with the same
    /// request is there already; answers a Reference to the entry.
    fn push(&mut self, resource: Value, request: Value, source: &str) -> Value {
        let conditional = request.get("ifNoneExist").is_some() || request["method"] == "PUT";
        let key = conditional.then(|| request.to_string());
        if let Some(existing) = key.as_ref().and_then(|key| self.conditional.get(key)) {
            return existing.clone();
        }
        let full_url = format!("urn:uuid:{}", super::versioned::new_id());
        let reference = json!({"reference": full_url});
        self.shared
            .entry(text_hash(&resource))
            .or_default()
            .push(self.entries.len());
        self.positions.insert(full_url.clone(), self.entries.len());
        self.entries.push(json!({
            "fullUrl": full_url,
            "resource": resource,
            "request": request,
        }));
        self.sources.push(source.to_string());
        if let Some(key) = key {
            self.conditional.insert(key, reference.clone());
        }
        reference
    }

    /// Adds `resource` as [`BundleBuilder::add`] does, unless the same resource is already in
    /// the Bundle (one doctor in two roles): then answers a Reference to that one.
    fn add_shared(
        &mut self,
        mut resource: Value,
        if_none_exist: Option<String>,
        source: &str,
    ) -> Value {
        prune(&mut resource);
        let same = self
            .shared
            .get(&text_hash(&resource))
            .into_iter()
            .flatten()
            .filter_map(|position| self.entries.get(*position))
            .find(|entry| entry["resource"] == resource);
        if let Some(existing) = same {
            return json!({"reference": existing["fullUrl"]});
        }
        self.add(resource, if_none_exist, source)
    }

    /// The resource of the entry `reference` names.
    fn resource_mut(&mut self, reference: &Value) -> Option<&mut Value> {
        let position = *self.positions.get(reference["reference"].as_str()?)?;
        self.entries
            .get_mut(position)
            .map(|entry| &mut entry["resource"])
    }

    /// The Bundle, once every resource passed the R4 model check.
    fn finish(self) -> Result<Value, ConvertError> {
        for (entry, source) in self.entries.iter().zip(&self.sources) {
            let resource = &entry["resource"];
            validate_emitted(resource).map_err(|err| {
                let why = err
                    .issues
                    .first()
                    .map(|i| i.diagnostics.clone())
                    .unwrap_or_default();
                ConvertError(format!(
                    "the {} made of {source} is not valid R4: {why}",
                    resource["resourceType"].as_str().unwrap_or("resource")
                ))
            })?;
        }
        Ok(json!({
            "resourceType": "Bundle",
            "type": "transaction",
            "entry": self.entries,
        }))
    }
}

/// The hash of the JSON text of `resource`.
fn text_hash(resource: &Value) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    resource.to_string().hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canonical::{Identifier, Patient};
    use crate::mapping::{CoverageRecord, EncounterRecord};

    const ADT: &str = "MSH|^~\\&|EHR|HOSP|SB|SB|20261125||ADT^A01|C1|P|2.5\rPID|1||M1^^^HOSP^MR||Doe^Jane\r\
        NK1|1|Doe^John^Q|SPO^Spouse|1 Main St^^Springfield^IL^62701|555-0199\r";

    /// `raw` parsed; the test's own messages always parse.
    pub(super) fn parsed(raw: &[u8]) -> Message<'_> {
        Message::parse(raw).expect("an HL7 v2 message")
    }

    /// What `convert` makes of `raw`, or an error when it does not parse.
    /// Converts `original` with each byte at `step` intervals replaced by each of
    /// `replacements`; every resource of every Bundle made is valid R4. Answers how many
    /// converted.
    pub(super) fn convert_damaged(
        original: &[u8],
        step: usize,
        replacements: &[u8],
        convert: impl Fn(&Message<'_>) -> Result<Value, ConvertError>,
    ) -> usize {
        let mut converted = 0;
        for position in (0..original.len()).step_by(step) {
            for replacement in replacements {
                let mut damaged = original.to_vec();
                damaged[position] = *replacement;
                if let Ok(bundle) = parsed_then(&damaged, &convert) {
                    converted += 1;
                    for entry in bundle["entry"].as_array().unwrap() {
                        assert_eq!(validate_emitted(&entry["resource"]), Ok(()));
                    }
                }
            }
        }
        converted
    }

    /// Asserts that each message of `cases` is refused by `convert` with an error that
    /// starts with its expected text.
    pub(super) fn assert_refused(
        cases: &[(String, &str)],
        convert: impl Fn(&Message<'_>) -> Result<Value, ConvertError>,
    ) {
        for (message, expected) in cases {
            let err = convert(&parsed(message.as_bytes())).unwrap_err();
            assert!(err.0.starts_with(expected), "{err} <> {expected}");
        }
    }

    pub(super) fn parsed_then(
        raw: &[u8],
        convert: impl Fn(&Message<'_>) -> Result<Value, ConvertError>,
    ) -> Result<Value, ConvertError> {
        let message = Message::parse(raw).map_err(|err| ConvertError(err.to_string()))?;
        convert(&message)
    }

    pub(super) fn records() -> Records {
        Records {
            patient: Some(Patient {
                identifiers: vec![Identifier {
                    system: "HOSP".into(),
                    value: "M1".into(),
                    type_code: Some("MR".into()),
                }],
                family_name: "Doe".into(),
                given_name: "Jane".into(),
                gender: "female".into(),
                ..Patient::default()
            }),
            encounter: Some(EncounterRecord {
                visit_number: "V1".into(),
                class: "inpatient".into(),
                status: "in-progress".into(),
                attending_npi: "1234567893".into(),
                attending_name: "Greg House".into(),
                ..EncounterRecord::default()
            }),
            coverages: vec![CoverageRecord {
                payer_id: "HMO1".into(),
                payer_name: "Acme".into(),
                member_id: "MEM1".into(),
                priority: 1,
                ..CoverageRecord::default()
            }],
            ..Records::default()
        }
    }

    #[test]
    fn an_adt_becomes_a_transaction_with_references_between_entries() {
        let bundle = adt_bundle(&records(), &parsed(ADT.as_bytes())).unwrap();
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
                "RelatedPerson",
                "Organization",
                "Coverage"
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
            entries[5]["resource"]["payor"][0]["reference"],
            entries[4]["fullUrl"]
        );
        assert_eq!(entries[0]["request"]["ifNoneExist"], "identifier=HOSP|M1");
        // No PV1-7 in the message: the canonical attending, a valid NPI.
        assert_eq!(
            entries[1]["request"]["ifNoneExist"],
            format!("identifier={NPI_SYSTEM}|1234567893")
        );
        let kin = &entries[3]["resource"];
        assert_eq!(kin["patient"]["reference"], patient_url);
        assert_eq!(kin["name"][0]["family"], "Doe");
        assert_eq!(kin["name"][0]["given"], json!(["John", "Q"]));
        assert_eq!(
            kin["relationship"][0]["coding"][0],
            json!({"system": "http://terminology.hl7.org/CodeSystem/v3-RoleCode", "code": "SPS", "display": "spouse"})
        );
        assert_eq!(
            kin["telecom"][0],
            json!({"system": "phone", "value": "555-0199", "use": "home"})
        );
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
        assert!(adt_bundle(&records(), &parsed(oru.as_bytes())).is_err());
        assert!(Message::parse(b"not hl7").is_err());
        let no_patient = Records::default();
        assert!(adt_bundle(&no_patient, &parsed(ADT.as_bytes())).is_err());
    }

    /// A segment `id` with `fields` (number, value) set and the others empty.
    pub(super) fn segment(id: &str, fields: &[(usize, &str)]) -> String {
        let last = fields.iter().map(|(n, _)| *n).max().unwrap_or(0);
        let mut parts = vec![String::new(); last + 1];
        parts[0] = id.to_string();
        for (number, value) in fields {
            parts[*number] = (*value).to_string();
        }
        parts.join("|") + "\r"
    }

    fn lab_result() -> String {
        [
            "MSH|^~\\&|LAB|HOSP|SB|SB|20261125||ORU^R01^ORU_R01|L1|P|2.5.1\r".to_string(),
            segment("PID", &[(1, "1"), (3, "M1^^^HOSP^MR"), (5, "Doe^Jane")]),
            segment(
                "OBR",
                &[
                    (1, "1"),
                    (2, "P100^EHR"),
                    (3, "F200^LAB"),
                    (4, "24323-8^Metabolic panel^LN"),
                    (7, "202611250830-0500"),
                    (22, "20261125100000-0500"),
                    (25, "F"),
                ],
            ),
            segment(
                "OBX",
                &[
                    (1, "1"),
                    (2, "NM"),
                    (3, "2823-3^Potassium^LN"),
                    (5, "5.6"),
                    (6, "mmol/L^^UCUM"),
                    (7, "3.5-5.0"),
                    (8, "H"),
                    (11, "F"),
                    (14, "202611250845-0500"),
                ],
            ),
            segment("NTE", &[(1, "1"), (3, "Hemolyzed specimen")]),
            segment(
                "OBX",
                &[
                    (1, "2"),
                    (2, "NM"),
                    (3, "2345-7^Glucose^LN"),
                    (5, "72"),
                    (6, "mg/dL"),
                    (7, "<100"),
                    (8, "N"),
                    (11, "C"),
                ],
            ),
            segment(
                "OBX",
                &[
                    (1, "3"),
                    (2, "CWE"),
                    (3, "5778-6^Color^LN"),
                    (5, "260373001^Detected^SCT"),
                    (8, "A"),
                    (11, "P"),
                ],
            ),
            segment(
                "OBX",
                &[
                    (1, "4"),
                    (2, "ST"),
                    (3, "X1^Remark^L"),
                    (5, "see note"),
                    (11, "X"),
                ],
            ),
            segment(
                "OBX",
                &[
                    (1, "5"),
                    (2, "DT"),
                    (3, "X2^Drawn^L"),
                    (5, "20261120"),
                    (11, "F"),
                ],
            ),
        ]
        .concat()
    }

    pub(super) fn resources<'a>(bundle: &'a Value, kind: &str) -> Vec<&'a Value> {
        bundle["entry"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["resource"]["resourceType"] == kind)
            .map(|e| &e["resource"])
            .collect()
    }

    #[test]
    fn an_oru_becomes_a_report_with_its_observations() {
        let bundle = oru_bundle(&records(), &parsed(lab_result().as_bytes())).unwrap();
        let entries = bundle["entry"].as_array().unwrap();
        let patient_url = &entries[0]["fullUrl"];
        let observations = resources(&bundle, "Observation");
        assert_eq!(observations.len(), 5);
        let potassium = observations[0];
        assert_eq!(potassium["code"]["coding"][0]["system"], "http://loinc.org");
        assert_eq!(potassium["code"]["coding"][0]["code"], "2823-3");
        assert_eq!(
            potassium["valueQuantity"],
            json!({"value": 5.6, "unit": "mmol/L", "system": UCUM_SYSTEM, "code": "mmol/L"})
        );
        assert_eq!(potassium["referenceRange"][0]["low"]["value"], json!(3.5));
        assert_eq!(potassium["referenceRange"][0]["high"]["value"], json!(5.0));
        assert_eq!(potassium["referenceRange"][0]["text"], "3.5-5.0");
        assert_eq!(
            potassium["interpretation"][0]["coding"][0],
            json!({"system": INTERPRETATION_SYSTEM, "code": "H", "display": "High"})
        );
        assert_eq!(potassium["status"], "final");
        assert_eq!(potassium["effectiveDateTime"], "2026-11-25T08:45:00-05:00");
        assert_eq!(potassium["note"][0]["text"], "Hemolyzed specimen");
        assert_eq!(potassium["subject"]["reference"], *patient_url);

        let glucose = observations[1];
        assert_eq!(glucose["valueQuantity"]["value"], json!(72));
        assert_eq!(glucose["valueQuantity"]["system"], UCUM_SYSTEM);
        assert_eq!(glucose["referenceRange"][0]["high"]["value"], json!(100));
        assert!(glucose["referenceRange"][0].get("low").is_none());
        assert_eq!(glucose["interpretation"][0]["coding"][0]["code"], "N");
        assert_eq!(glucose["status"], "corrected");
        // No OBX-14: the OBR's observation time.
        assert_eq!(glucose["effectiveDateTime"], "2026-11-25T08:30:00-05:00");
        assert!(glucose.get("note").is_none());

        let color = observations[2];
        assert_eq!(
            color["valueCodeableConcept"]["coding"][0],
            json!({"system": "http://snomed.info/sct", "code": "260373001", "display": "Detected"})
        );
        assert_eq!(color["status"], "preliminary");
        assert_eq!(observations[3]["valueString"], "see note");
        assert_eq!(observations[3]["status"], "cancelled");
        assert_eq!(observations[4]["valueDateTime"], "2026-11-20");

        let reports = resources(&bundle, "DiagnosticReport");
        assert_eq!(reports.len(), 1);
        let report = reports[0];
        assert_eq!(report["status"], "final");
        assert_eq!(report["identifier"][0]["value"], "F200");
        assert_eq!(report["identifier"][0]["type"]["coding"][0]["code"], "FILL");
        assert_eq!(report["identifier"][1]["value"], "P100");
        assert_eq!(report["code"]["coding"][0]["code"], "24323-8");
        assert_eq!(report["effectiveDateTime"], "2026-11-25T08:30:00-05:00");
        assert_eq!(report["issued"], "2026-11-25T10:00:00-05:00");
        assert_eq!(report["subject"]["reference"], *patient_url);
        let results: Vec<&Value> = report["result"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| &r["reference"])
            .collect();
        let observation_urls: Vec<&Value> = entries
            .iter()
            .filter(|e| e["resource"]["resourceType"] == "Observation")
            .map(|e| &e["fullUrl"])
            .collect();
        assert_eq!(results, observation_urls);
        for entry in entries {
            assert_eq!(validate_emitted(&entry["resource"]), Ok(()));
        }
    }

    #[test]
    fn the_public_oru_sample_converts() {
        let raw = include_bytes!("../../tests/fixtures/hl7v2/oru-r01-fhir-converter.hl7");
        let mapping = crate::mapping::Mapping::load(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")),
            "hl7v2-canonical",
        )
        .unwrap();
        let records = mapping
            .records(&crate::message::Message::read(raw).unwrap())
            .unwrap();
        let bundle = convert(&records, &parsed(raw)).unwrap();
        let patient = resources(&bundle, "Patient")[0];
        assert_eq!(patient["name"][0]["family"], "Finn");
        let observations = resources(&bundle, "Observation");
        // The three OBX after the OBR; the two before it belong to no order.
        assert_eq!(observations.len(), 3);
        let culture = observations[0];
        assert_eq!(
            culture["valueCodeableConcept"]["coding"][0],
            json!({"system": "http://snomed.info/sct", "code": "27268008", "display": "Salmonella"})
        );
        assert_eq!(
            culture["referenceRange"][0],
            json!({
                "low": {"value": 70, "unit": "beats/min"},
                "high": {"value": 80, "unit": "beats/min"},
                "text": "70-80",
            })
        );
        assert_eq!(culture["interpretation"][0]["coding"][0]["code"], "A");
        assert_eq!(culture["status"], "preliminary");
        assert_eq!(culture["effectiveDateTime"], "2012-03-01");
        let notes: Vec<&Value> = culture["note"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| &n["text"])
            .collect();
        assert_eq!(notes, ["Submission of serum", "No Antibodies Detected"]);
        // RP is not converted: no value; the OBR's time stands in for OBX-14.
        let pointer = observations[1];
        assert!(pointer.get("valueString").is_none());
        assert_eq!(pointer["effectiveDateTime"], "2002-02-15T07:30:00+02:15");
        // Repetitions of OBX-5: the first is the value, the others components.
        let count = observations[2];
        assert_eq!(count["valueQuantity"]["value"], json!(27));
        assert_eq!(count["component"][0]["valueQuantity"]["value"], json!(25));
        assert_eq!(count["status"], "registered");
        let report = resources(&bundle, "DiagnosticReport")[0];
        assert_eq!(report["status"], "final");
        assert_eq!(report["identifier"][0]["value"], "986");
        assert_eq!(
            report["identifier"][0]["system"],
            "urn:oid:2.16.840.1.114222.4.3.3.5.1.2"
        );
        assert_eq!(
            report["identifier"][0]["assigner"]["display"],
            "IA PHIMS Stage"
        );
        assert_eq!(report["identifier"][1]["value"], "845439");
        assert_eq!(report["result"].as_array().unwrap().len(), 3);
        assert_eq!(report["issued"], "2002-03-15T07:30:00+02:15");
    }

    #[test]
    fn a_malformed_obx_is_an_error_naming_it() {
        let cases = [
            (
                lab_result().replace("|5.6|", "|abc|"),
                "OBX[1]-5[1]: 'abc' is not a number",
            ),
            (
                lab_result().replace("|20261120|", "|2026-11-20|"),
                "OBX[5]-5[1]: '2026-11-20' is not an HL7 v2 date/time",
            ),
            (
                lab_result().replace("|202611250845-0500\r", "|20261345\r"),
                "OBX[1]-14: '20261345' is not an HL7 v2 date/time",
            ),
            (
                lab_result().replace("2345-7^Glucose^LN", ""),
                "OBX[2]-3 (observation identifier) is empty",
            ),
            (
                lab_result().replace("24323-8^Metabolic panel^LN", ""),
                "OBR[1]-4 (universal service identifier) is empty",
            ),
        ];
        assert_refused(&cases, |m| oru_bundle(&records(), m));
    }

    #[test]
    fn a_dft_becomes_charge_items_with_exact_amounts() {
        let sample = include_str!("../../samples/hl7v2/dft-p03-switchboard.hl7").replace(
            "J06.9^Acute URI^I10||||||99213",
            "J06.9^Acute URI^I10|1234567893^House^Gregory|||||99213",
        );
        let mapping = crate::mapping::Mapping::load(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")),
            "hl7v2-canonical",
        )
        .unwrap();
        let records = mapping
            .records(&crate::message::Message::read(sample.as_bytes()).unwrap())
            .unwrap();
        let bundle = convert(&records, &parsed(sample.as_bytes())).unwrap();
        let entries = bundle["entry"].as_array().unwrap();
        let url_of = |kind: &str| {
            entries
                .iter()
                .find(|e| e["resource"]["resourceType"] == kind)
                .map(|e| e["fullUrl"].clone())
                .unwrap()
        };
        let encounter = resources(&bundle, "Encounter")[0];
        assert_eq!(encounter["identifier"][0]["value"], "V5001");
        let charges = resources(&bundle, "ChargeItem");
        assert_eq!(charges.len(), 2);
        let visit = &charges[0];
        assert_eq!(visit["code"]["coding"][0]["system"], CPT_SYSTEM);
        assert_eq!(visit["code"]["coding"][0]["code"], "99213");
        assert_eq!(visit["extension"][0]["valueCoding"]["code"], "25");
        assert_eq!(
            visit["reason"][0]["coding"][0],
            json!({"system": ICD10_SYSTEM, "code": "J06.9"})
        );
        assert_eq!(visit["priceOverride"]["value"].to_string(), "150");
        assert_eq!(visit["priceOverride"]["currency"], "USD");
        assert_eq!(visit["quantity"]["value"].to_string(), "1");
        assert_eq!(visit["occurrenceDateTime"], "2026-11-24");
        assert_eq!(visit["subject"]["reference"], url_of("Patient"));
        assert_eq!(visit["context"]["reference"], url_of("Encounter"));
        let performer = &visit["performer"][0]["actor"]["reference"];
        let practitioners: Vec<&Value> = entries
            .iter()
            .filter(|e| e["resource"]["resourceType"] == "Practitioner")
            .filter(|e| e["fullUrl"] == *performer)
            .map(|e| &e["resource"])
            .collect();
        assert_eq!(practitioners[0]["identifier"][0]["value"], "1234567893");
        assert_eq!(practitioners[0]["identifier"][0]["system"], NPI_SYSTEM);
        let strep = &charges[1];
        assert_eq!(strep["code"]["coding"][0]["code"], "87880");
        assert_eq!(strep["priceOverride"]["value"].to_string(), "30.5");
        assert!(strep.get("performer").is_none());
        assert!(strep.get("extension").is_none());
        for entry in entries {
            assert_eq!(validate_emitted(&entry["resource"]), Ok(()));
        }
    }

    #[test]
    fn unknown_message_types_are_refused_with_the_list() {
        let bar = ADT.replace("ADT^A01", "BAR^P02");
        let err = convert(&records(), &parsed(bar.as_bytes())).unwrap_err();
        assert_eq!(
            err.0,
            format!("BAR^P02 is not a message the FHIR converter takes ({CONVERTED})")
        );
        assert!(dft_bundle(&records(), &parsed(ADT.as_bytes())).is_err());
        assert!(oru_bundle(&records(), &parsed(ADT.as_bytes())).is_err());
    }

    #[test]
    fn hl7_times_become_fhir_date_times() {
        for (hl7, fhir) in [
            ("2026", Some("2026")),
            ("202611", Some("2026-11")),
            ("20261125", Some("2026-11-25")),
            ("202611250830", Some("2026-11-25")),
            (
                "20261125083015.25+0100",
                Some("2026-11-25T08:30:15.25+01:00"),
            ),
            ("20261125083015-0500", Some("2026-11-25T08:30:15-05:00")),
            ("20260230", None),
            ("20261125256000+0000", None),
            ("2026112", None),
            ("soon", None),
        ] {
            assert_eq!(hl7_date_time(hl7).as_deref(), fhir, "{hl7}");
        }
    }

    #[test]
    fn one_performer_of_two_charges_is_one_entry() {
        let dft = [
            "MSH|^~\\&|EHR|CLINIC|SB|SB|20261124||DFT^P03|D1|P|2.5\r".to_string(),
            segment("PID", &[(1, "1"), (3, "M1^^^HOSP^MR"), (5, "Doe^Jane")]),
            segment(
                "FT1",
                &[
                    (1, "1"),
                    (4, "20261124"),
                    (7, "99213"),
                    (11, "10"),
                    (20, "1234567893^House^Greg"),
                ],
            ),
            segment(
                "FT1",
                &[
                    (1, "2"),
                    (4, "20261124"),
                    (7, "87880"),
                    (11, "5"),
                    (20, "1234567893^House^Greg"),
                ],
            ),
        ]
        .concat();
        let mut records = records();
        records.charges = ["99213", "87880"]
            .iter()
            .enumerate()
            .map(|(i, code)| crate::mapping::ChargeRecord {
                line_key: (i + 1).to_string(),
                service_date: "2026-11-24".into(),
                procedure_code: (*code).into(),
                units_thousandths: 1000,
                charge_cents: 1000,
                ..crate::mapping::ChargeRecord::default()
            })
            .collect();
        let bundle = dft_bundle(&records, &parsed(dft.as_bytes())).unwrap();
        let doctors: Vec<&Value> = bundle["entry"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["resource"]["resourceType"] == "Practitioner")
            .filter(|e| {
                e["request"]["ifNoneExist"] == format!("identifier={NPI_SYSTEM}|1234567893")
            })
            .collect();
        assert_eq!(doctors.len(), 1);
        let charges = resources(&bundle, "ChargeItem");
        assert_eq!(
            charges[0]["performer"][0]["actor"]["reference"],
            doctors[0]["fullUrl"]
        );
        assert_eq!(
            charges[1]["performer"][0]["actor"]["reference"],
            doctors[0]["fullUrl"]
        );
    }

    #[test]
    fn damaged_admissions_are_converted_or_refused_never_a_panic() {
        // FHIR-Converter's busy ADT, with a delimiter or a letter in place of one byte, for a
        // spread of bytes (every 29th: each conversion checks some twenty resources).
        let original = include_bytes!("../../tests/fixtures/hl7v2/adt-a01-fhir-converter.hl7");
        let mapping = crate::mapping::Mapping::load(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")),
            "hl7v2-canonical",
        )
        .unwrap();
        let records = mapping
            .records(&crate::message::Message::read(original).unwrap())
            .unwrap();
        let converted = convert_damaged(original, 29, b"|^&x", |m| convert(&records, m));
        assert!(converted > 0);
    }

    #[test]
    fn damaged_results_are_converted_or_refused_never_a_panic() {
        let replacements = b"|^~&\\\r-+.x9";
        convert_damaged(lab_result().as_bytes(), 1, replacements, |m| {
            convert(&records(), m)
        });
    }
}
