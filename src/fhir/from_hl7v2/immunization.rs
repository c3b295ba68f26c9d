//! VXU^V04 to an Immunization per RXA: the vaccine (RXA-5, CVX), when (RXA-3), the dose
//! (RXA-6/7), lot and expiry (RXA-15/16), manufacturer (RXA-17), status (RXA-20/21), whether
//! it was recorded at the source (RXA-9), who gave it (RXA-10) and where (RXA-11); the route
//! and site of its RXR; the funding source, program eligibility and vaccine information
//! statements of its OBXs.

use serde_json::{Value, json};

use super::v2::{Rep, coded_quantity, concept, first, order_identifier, practitioner, reps};
use super::{
    BundleBuilder, ConvertError, Subject, checked_date_time, checked_number, date_time, expect,
    finish, text, with_patient_and_visit,
};
use crate::hl7v2::{Message, Segment};
use crate::mapping::Records;

/// The v2-0443 provider roles of the performers: administering, ordering.
const PROVIDER_ROLE: &str = "http://terminology.hl7.org/CodeSystem/v2-0443";

/// LOINC codes of the OBXs an Immunization takes: funding source, program eligibility,
/// vaccine information statement (document type, publication date, date presented).
const FUNDING_SOURCE: &str = "30963-3";
const ELIGIBILITY: &str = "64994-7";
const VIS_DOCUMENT: &str = "69764-9";
const VIS_PUBLISHED: &str = "29768-9";
const VIS_PRESENTED: &str = "29769-7";

/// The transaction Bundle of a VXU^V04: the Patient of `records` (and the visit, when PV1 is
/// there) and an Immunization per RXA, with the ORC before it and the RXR and OBXs after it.
pub(super) fn immunization_bundle(
    records: &Records,
    message: &Message<'_>,
) -> Result<Value, ConvertError> {
    expect(message, "VXU", &["V04"])?;
    let (mut bundle, subject) = with_patient_and_visit(records, message)?;
    let mut orc: Option<Segment<'_>> = None;
    let mut current: Option<Dose<'_>> = None;
    let mut count = 0;
    for segment in message.segments() {
        match segment.id() {
            "ORC" => {
                if let Some(done) = current.take() {
                    done.add_to(&mut bundle, &subject)?;
                }
                orc = Some(segment);
            }
            "RXA" => {
                if let Some(done) = current.take() {
                    done.add_to(&mut bundle, &subject)?;
                }
                count += 1;
                current = Some(Dose {
                    label: format!("RXA[{count}]"),
                    orc: orc.take(),
                    rxa: segment,
                    rxr: None,
                    observations: Vec::new(),
                });
            }
            "RXR" => {
                if let Some(dose) = current.as_mut().filter(|d| d.rxr.is_none()) {
                    dose.rxr = Some(segment);
                }
            }
            "OBX" => {
                if let Some(dose) = current.as_mut() {
                    dose.observations.push(segment);
                }
            }
            _ => {}
        }
    }
    if let Some(done) = current.take() {
        done.add_to(&mut bundle, &subject)?;
    }
    finish(bundle, message, &subject)
}

/// An RXA with its ORC, RXR and OBXs.
struct Dose<'a> {
    label: String,
    orc: Option<Segment<'a>>,
    rxa: Segment<'a>,
    rxr: Option<Segment<'a>>,
    observations: Vec<Segment<'a>>,
}

impl Dose<'_> {
    /// Adds the Immunization (and its performers) to `bundle`.
    fn add_to(self, bundle: &mut BundleBuilder, subject: &Subject) -> Result<(), ConvertError> {
        let (rxa, label) = (&self.rxa, self.label.as_str());
        let vaccine = first(rxa, 5)
            .and_then(|r| concept(&r))
            .ok_or_else(|| ConvertError(format!("{label}-5 (administered code) is empty")))?;
        let occurrence = date_time(rxa, 3, label)?.ok_or_else(|| {
            ConvertError(format!(
                "{label}-3 (date/time start of administration) is empty"
            ))
        })?;
        // The immunization's id is the filler order number (ORC-3), else the placer's.
        let identifier = match self.orc.as_ref().and_then(|orc| {
            order_identifier(orc, 3, "FILL").or_else(|| order_identifier(orc, 2, "PLAC"))
        }) {
            Some(identifier) => identifier,
            None => subject.message_identifier(label)?,
        };
        let status = match (
            text(rxa, 21, 1, 1).as_deref(),
            text(rxa, 20, 1, 1).as_deref(),
        ) {
            (Some("D"), _) => "entered-in-error",
            (_, Some("RE" | "NA")) => "not-done",
            _ => "completed",
        };
        // 999 is "amount unknown".
        let amount = checked_number(first(rxa, 6).and_then(|r| r.get(1)), &format!("{label}-6"))?
            .filter(|n| n.to_string() != "999");
        let dose = amount.map(|value| coded_quantity(value, first(rxa, 7).as_ref()));
        let mut performers = Vec::new();
        let mut sources = vec![(rxa, 10, "AP", "Administering Provider")];
        if let Some(orc) = &self.orc {
            sources.push((orc, 12, "OP", "Ordering Provider"));
        }
        for (segment, field, code, display) in sources {
            for rep in reps(segment, field) {
                if let Some((resource, query)) = practitioner(&rep) {
                    let source = format!("{}-{field}", segment.id());
                    let actor = bundle.add_shared(resource, query, &source);
                    performers.push(json!({
                        "function": {"coding": [{"system": PROVIDER_ROLE, "code": code, "display": display}]},
                        "actor": actor,
                    }));
                }
            }
        }
        let observed = self.observed()?;
        let resource = json!({
            "resourceType": "Immunization",
            "identifier": [identifier],
            "status": status,
            "statusReason": if status == "not-done" { first(rxa, 18).and_then(|r| concept(&r)) } else { None },
            "vaccineCode": vaccine,
            "patient": subject.patient,
            "encounter": subject.encounter,
            "occurrenceDateTime": occurrence,
            // RXA-9 00 is a new record, made where it was given; others are historical.
            "primarySource": first(rxa, 9).and_then(|r| r.get(1)).map(|code| code == "00"),
            "location": first(rxa, 11).and_then(|r| administered_at(&r)),
            "manufacturer": first(rxa, 17)
                .and_then(|r| r.get(2).or_else(|| r.get(1)))
                .map(|name| json!({"display": name})),
            "lotNumber": first(rxa, 15).and_then(|r| r.get(1)),
            "expirationDate": checked_date_time(
                first(rxa, 16).and_then(|r| r.get(1)),
                &format!("{label}-16"),
            )?
            .map(|date| date.chars().take(10).collect::<String>()),
            "site": self.rxr.as_ref().and_then(|rxr| first(rxr, 2)).and_then(|r| concept(&r)),
            "route": self.rxr.as_ref().and_then(|rxr| first(rxr, 1)).and_then(|r| concept(&r)),
            "doseQuantity": dose,
            "performer": performers,
            "fundingSource": observed.funding,
            "programEligibility": observed.eligibility,
            "education": observed.education,
        });
        bundle.update(resource, &identifier, label);
        Ok(())
    }

    /// The funding source, program eligibilities and vaccine information statements (grouped
    /// by OBX-4) of the OBXs after the RXA.
    fn observed(&self) -> Result<Observed, ConvertError> {
        let mut funding = None;
        let mut eligibility = Vec::new();
        // (OBX-4, document type, publication date, presentation date)
        let mut statements: Vec<Statement> = Vec::new();
        for (index, obx) in self.observations.iter().enumerate() {
            let label = format!("{}.OBX[{}]", self.label, index + 1);
            let value = first(obx, 5);
            let group = text(obx, 4, 1, 1).unwrap_or_default();
            let day = |field: usize| -> Result<Option<String>, ConvertError> {
                Ok(checked_date_time(
                    value.as_ref().and_then(|r| r.get(field)),
                    &format!("{label}-5"),
                )?
                .map(|date| date.chars().take(10).collect()))
            };
            let statement = |statements: &mut Vec<Statement>| -> usize {
                match statements.iter().position(|(g, ..)| *g == group) {
                    Some(at) => at,
                    None => {
                        statements.push((group.clone(), None, None, None));
                        statements.len() - 1
                    }
                }
            };
            match text(obx, 3, 1, 1).as_deref() {
                Some(FUNDING_SOURCE) => funding = value.as_ref().and_then(concept),
                Some(ELIGIBILITY) => eligibility.extend(value.as_ref().and_then(concept)),
                Some(VIS_DOCUMENT) => {
                    let document = value.as_ref().and_then(|r| r.get(2).or_else(|| r.get(1)));
                    let at = statement(&mut statements);
                    statements[at].1 = document;
                }
                Some(VIS_PUBLISHED) => {
                    let date = day(1)?;
                    let at = statement(&mut statements);
                    statements[at].2 = date;
                }
                Some(VIS_PRESENTED) => {
                    let date = day(1)?;
                    let at = statement(&mut statements);
                    statements[at].3 = date;
                }
                _ => {}
            }
        }
        // An education element needs its document type (imm-1).
        let education = statements
            .into_iter()
            .filter_map(|(_, document, published, presented)| {
                Some(json!({
                    "documentType": document?,
                    "publicationDate": published,
                    "presentationDate": presented,
                }))
            })
            .collect();
        Ok(Observed {
            funding,
            eligibility,
            education,
        })
    }
}

/// What the OBXs after an RXA say of it.
struct Observed {
    /// The funding source (LOINC 30963-3).
    funding: Option<Value>,
    /// The program eligibilities (LOINC 64994-7).
    eligibility: Vec<Value>,
    /// The vaccine information statements given.
    education: Vec<Value>,
}

/// A vaccine information statement of OBXs grouped by OBX-4: the group, the document type,
/// its publication date, the date it was presented.
type Statement = (String, Option<String>, Option<String>, Option<String>);

/// RXA-11 (LA2: point of care ^ room ^ bed ^ facility ...) as a Reference by name.
fn administered_at(rep: &Rep<'_>) -> Option<Value> {
    let name = rep.sub(4, 1).or_else(|| rep.get(1))?;
    Some(json!({"display": name}))
}
