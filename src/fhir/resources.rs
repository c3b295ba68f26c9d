//! Canonical records to FHIR resources and back.
//!
//! Writes upsert the canonical record through the store's own upserts, so a Patient sent over
//! FHIR is the same patient an HL7 ADT with the same identifier updates. Canonical fields that
//! a resource does not carry (visit diagnoses, charge modifiers, payer X12 settings) are kept.
//!
//! This file is long because it maps each served resource type both ways, FHIR to canonical records
//! and back.

use serde_json::{Value, json};
use sqlx::{AnyConnection, Row};

use super::kinds::Kind;
use super::outcome::FhirError;
use super::store::{INDIVIDUAL, ORGANIZATION, Target, canonical_state};
use crate::canonical::{
    BillLine, Coverage, Encounter, Identifier, Patient, Payer, Provider, split_codes,
};
use crate::config::engine::BillingConfig;
use crate::store::canonical as upserts;
use crate::store::sql::{Sql, first_row};
use crate::store::upsert::Value as UpsertValue;
use crate::store::{Change, Store};

/// System of National Provider Identifiers.
pub const NPI_SYSTEM: &str = "http://hl7.org/fhir/sid/us-npi";
/// System of our payer ids.
pub const PAYER_SYSTEM: &str = "urn:switchboard:payer-id";
/// System given to identifiers that arrive without one (as the `fhir-patient` mapping does).
pub const UNKNOWN_SYSTEM: &str = "urn:switchboard:unknown-system";
const CPT_SYSTEM: &str = "http://www.ama-assn.org/go/cpt";
const ICD10_SYSTEM: &str = "http://hl7.org/fhir/sid/icd-10-cm";
const V2_0203: &str = "http://terminology.hl7.org/CodeSystem/v2-0203";
const ACT_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-ActCode";

/// Patient classes of the canonical model, their FHIR ActCode and its display.
const CLASSES: [(&str, &str, &str); 5] = [
    ("inpatient", "IMP", "inpatient encounter"),
    ("outpatient", "AMB", "ambulatory"),
    ("emergency", "EMER", "emergency"),
    ("preadmit", "PRENC", "pre-admission"),
    ("obstetrics", "IMP", "inpatient encounter"),
];
const ENCOUNTER_STATUSES: [&str; 9] = [
    "planned",
    "arrived",
    "triaged",
    "in-progress",
    "onleave",
    "finished",
    "cancelled",
    "entered-in-error",
    "unknown",
];
const GENDERS: [&str; 4] = ["male", "female", "other", "unknown"];

// ---------------------------------------------------------------------------------------------
// Reading JSON

fn text<'a>(resource: &'a Value, pointer: &str) -> Option<&'a str> {
    resource
        .pointer(pointer)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn owned(resource: &Value, pointer: &str) -> Option<String> {
    text(resource, pointer).map(str::to_string)
}

fn required(resource: &Value, pointer: &str, what: &str) -> Result<String, FhirError> {
    owned(resource, pointer).ok_or_else(|| FhirError::invalid(format!("{what} is required")))
}

/// The canonical row a Reference at `pointer` names; it must be a `target` that exists.
async fn reference(
    conn: &mut dyn Sql,
    resource: &Value,
    pointer: &str,
    target: Kind,
) -> Result<Option<Target>, FhirError> {
    let Some(reference) = text(resource, &format!("{pointer}/reference")) else {
        return Ok(None);
    };
    let missing = || FhirError::invalid(format!("{pointer}: {reference} does not exist"));
    let Some(row) = parse_reference(reference, target) else {
        // The right type with an id we never issued names nothing that exists.
        return Err(if reference.rsplit('/').nth(1) == Some(target.name()) {
            missing()
        } else {
            FhirError::invalid(format!(
                "{pointer}: '{reference}' is not a {} reference",
                target.name()
            ))
        });
    };
    if canonical_state(conn, &row).await?.is_none() {
        return Err(missing());
    }
    Ok(Some(row))
}

/// The canonical row of a `Type/id` reference (relative or absolute) to `target`.
pub fn parse_reference(reference: &str, target: Kind) -> Option<Target> {
    let mut parts = reference.rsplit('/');
    let id = parts.next()?;
    let kind = parts.next()?;
    (kind == target.name()).then(|| target.target(id)).flatten()
}

/// A decimal JSON number as an integer count of `1/10^scale` (cents: scale 2), without
/// floating point.
fn scaled(value: &Value, scale: u32, what: &str) -> Result<i64, FhirError> {
    let text = match value {
        Value::Number(number) => number.to_string(),
        _ => String::new(),
    };
    crate::mapping::parse_decimal(&text, scale).ok_or_else(|| {
        FhirError::invalid(format!(
            "{what}: expected a number with at most {scale} decimals"
        ))
    })
}

/// An integer count of `1/10^scale` as a decimal JSON number.
fn decimal(value: i64, scale: u32) -> Value {
    let unit = 10_i64.pow(scale);
    let sign = if value < 0 { "-" } else { "" };
    let whole = value.abs() / unit;
    let fraction = value.abs() % unit;
    let text = if fraction == 0 {
        format!("{sign}{whole}")
    } else {
        let digits = format!("{fraction:0width$}", width = scale as usize);
        format!("{sign}{whole}.{}", digits.trim_end_matches('0'))
    };
    text.parse::<serde_json::Number>()
        .map_or(Value::Null, Value::Number)
}

fn money(cents: i64) -> Value {
    json!({"value": decimal(cents, 2), "currency": "USD"})
}

/// An ISO timestamp as a FHIR dateTime: kept when it has a zone; a local time without one
/// (as HL7 v2 often sends) is reduced to its date, which stays true.
fn date_time(value: &str) -> String {
    let parsed = time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc3339);
    if parsed.is_ok() || value.len() <= 10 {
        value.to_string()
    } else {
        value.chars().take(10).collect()
    }
}

/// True for a FHIR date: `YYYY`, `YYYY-MM` or `YYYY-MM-DD` that names a real day.
fn is_fhir_date(value: &str) -> bool {
    let parts: Vec<&str> = value.split('-').collect();
    let numbers: Option<Vec<u16>> = parts.iter().map(|p| p.parse().ok()).collect();
    let Some(numbers) = numbers else {
        return false;
    };
    let widths_ok = parts
        .iter()
        .zip([4, 2, 2])
        .all(|(part, width)| part.len() == width && part.bytes().all(|b| b.is_ascii_digit()));
    widths_ok
        && match numbers.as_slice() {
            [_] => true,
            [_, month] => (1..=12).contains(month),
            [year, month, day] => time::Month::try_from(u8::try_from(*month).unwrap_or(0))
                .and_then(|m| {
                    time::Date::from_calendar_date(
                        i32::from(*year),
                        m,
                        u8::try_from(*day).unwrap_or(0),
                    )
                })
                .is_ok(),
            _ => false,
        }
}

/// Unix ms as a FHIR instant.
pub fn instant(millis: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

fn reference_to(kind: Kind, logical_id: impl std::fmt::Display) -> Value {
    json!({"reference": format!("{}/{logical_id}", kind.name())})
}

/// Drops null members and empty arrays/objects, so generated resources hold no empty elements.
pub(super) fn prune(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for child in map.values_mut() {
                prune(child);
            }
            map.retain(|_, v| !is_empty(v));
        }
        Value::Array(items) => {
            for item in items.iter_mut() {
                prune(item);
            }
            items.retain(|v| !is_empty(v));
        }
        _ => {}
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(items) => items.is_empty(),
        Value::Object(map) => map.is_empty(),
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------------
// Writing

/// What a write did: the canonical row it landed on, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Landed {
    /// The canonical row.
    pub target: Target,
    /// Created, updated or unchanged.
    pub change: Change,
}

/// Writes `resource` (validated) into the canonical records, inside the caller's transaction.
/// `target` is the row an update names; the resource must land on it.
pub async fn write(
    conn: &mut dyn Sql,
    kind: Kind,
    resource: &Value,
    target: Option<&Target>,
) -> Result<Landed, FhirError> {
    if let Some(target) = target
        && canonical_state(conn, target).await?.is_none()
    {
        return Err(FhirError::not_found(format!(
            "{}/{} does not exist; create it with POST",
            kind.name(),
            target.logical_id()
        )));
    }
    let landed = match kind {
        Kind::Patient => write_patient(conn, resource, target).await?,
        Kind::Encounter => write_encounter(conn, resource).await?,
        Kind::Coverage => write_coverage(conn, resource).await?,
        Kind::Organization => write_organization(conn, resource).await?,
        Kind::Practitioner => write_practitioner(conn, resource).await?,
        Kind::ChargeItem => write_charge_item(conn, resource).await?,
        Kind::Claim | Kind::ClaimResponse | Kind::ExplanationOfBenefit => {
            return Err(FhirError::new(
                axum::http::StatusCode::METHOD_NOT_ALLOWED,
                "not-supported",
                format!(
                    "{} is read-only: it comes from our claims and remittances",
                    kind.name()
                ),
            ));
        }
    };
    if let Some(target) = target
        && target != &landed.target
    {
        return Err(FhirError::conflict(format!(
            "the resource's business identifier belongs to {}/{}, not {}/{}",
            kind.name(),
            landed.target.logical_id(),
            kind.name(),
            target.logical_id()
        )));
    }
    Ok(landed)
}

fn landed(
    table: &'static str,
    condition: &'static str,
    upserted: crate::store::Upserted,
) -> Landed {
    Landed {
        target: Target {
            table,
            id: upserted.id,
            condition,
        },
        change: upserted.change,
    }
}

async fn write_patient(
    conn: &mut dyn Sql,
    resource: &Value,
    target: Option<&Target>,
) -> Result<Landed, FhirError> {
    let mut patient = patient_of(resource)?;
    if let Some(target) = target {
        for identifier in &patient.identifiers {
            if let Some(owner) = upserts::patient_by_identifier_on(conn, identifier).await?
                && owner != target.id
            {
                return Err(FhirError::conflict(format!(
                    "identifier {}|{} belongs to Patient/{owner}",
                    identifier.system, identifier.value
                )));
            }
        }
        // The patient's own identifiers find it even when the resource brings only new ones.
        for known in upserts::identifiers_on(conn, target.id).await? {
            if !patient
                .identifiers
                .iter()
                .any(|i| i.system == known.system && i.value == known.value)
            {
                patient.identifiers.push(known);
            }
        }
    }
    let upserted = upserts::upsert_patient_in(conn, &patient)
        .await?
        .ok_or_else(|| {
            FhirError::conflict(
                "the patient's identifiers were claimed by a concurrent writer; retry",
            )
        })?;
    Ok(landed("patients", "", upserted))
}

/// The canonical patient a FHIR Patient describes: at least one identifier, the official (or
/// first) name, the first address, the first phone.
pub fn patient_of(resource: &Value) -> Result<Patient, FhirError> {
    let mut identifiers = Vec::new();
    for (index, identifier) in resource
        .get("identifier")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let value = required(
            identifier,
            "/value",
            &format!("Patient.identifier[{index}].value"),
        )?;
        identifiers.push(Identifier {
            system: owned(identifier, "/system").unwrap_or_else(|| UNKNOWN_SYSTEM.to_string()),
            value,
            type_code: owned(identifier, "/type/coding/0/code"),
        });
    }
    if identifiers.is_empty() {
        return Err(FhirError::invalid(
            "Patient.identifier: at least one identifier is required",
        ));
    }
    let name = resource
        .get("name")
        .and_then(Value::as_array)
        .and_then(|names| {
            names
                .iter()
                .find(|n| n.get("use").and_then(Value::as_str) == Some("official"))
                .or_else(|| names.first())
        })
        .cloned()
        .unwrap_or(Value::Null);
    let address = resource
        .pointer("/address/0")
        .cloned()
        .unwrap_or(Value::Null);
    let lines: Vec<&str> = address
        .get("line")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let phone = resource
        .get("telecom")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|t| t.get("system").and_then(Value::as_str) == Some("phone"))
        .and_then(|t| owned(t, "/value"));
    Ok(Patient {
        identifiers,
        family_name: owned(&name, "/family"),
        given_name: owned(&name, "/given/0"),
        middle_name: owned(&name, "/given/1"),
        birth_date: owned(resource, "/birthDate"),
        gender: owned(resource, "/gender"),
        phone,
        address: crate::canonical::Address {
            line: (!lines.is_empty()).then(|| lines.join(", ")),
            city: owned(&address, "/city"),
            state: owned(&address, "/state"),
            postal_code: owned(&address, "/postalCode"),
            country: owned(&address, "/country"),
        },
    })
}

async fn write_encounter(conn: &mut dyn Sql, resource: &Value) -> Result<Landed, FhirError> {
    let visit_number = required(
        resource,
        "/identifier/0/value",
        "Encounter.identifier (the visit number)",
    )?;
    let patient = reference(conn, resource, "/subject", Kind::Patient)
        .await?
        .ok_or_else(|| FhirError::invalid("Encounter.subject (a Patient) is required"))?;
    let mut attending = None;
    for (index, participant) in resource
        .get("participant")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        if let Some(found) = reference(conn, participant, "/individual", Kind::Practitioner)
            .await
            .map_err(|e| in_element(e, &format!("Encounter.participant[{index}]")))?
        {
            attending = Some(found.id);
            break;
        }
    }
    let encounter = encounter_of(resource, visit_number, patient.id, attending);
    Ok(landed(
        "encounters",
        "",
        upserts::upsert_encounter_on(conn, &encounter).await?,
    ))
}

/// The canonical visit a FHIR Encounter describes, for the patient and attending found by its
/// references.
pub fn encounter_of(
    resource: &Value,
    visit_number: String,
    patient_id: i64,
    attending: Option<i64>,
) -> Encounter {
    // Without reasons, the upsert keeps the diagnoses stored.
    let diagnosis_codes: Vec<String> = resource
        .get("reasonCode")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| owned(c, "/coding/0/code"))
        .collect();
    let class = text(resource, "/class/code").map(|code| {
        CLASSES
            .iter()
            .find(|(_, act, _)| *act == code)
            .map_or(code, |(class, ..)| class)
            .to_string()
    });
    Encounter {
        visit_number,
        patient_id,
        class,
        status: owned(resource, "/status"),
        admitted_at: owned(resource, "/period/start"),
        discharged_at: owned(resource, "/period/end"),
        location: owned(resource, "/location/0/location/display"),
        facility: owned(resource, "/serviceProvider/display"),
        attending_provider_id: attending,
        diagnosis_codes,
        self_pay: None,
    }
}

fn in_element(mut error: FhirError, element: &str) -> FhirError {
    for issue in &mut error.issues {
        issue.diagnostics = format!("{element}: {}", issue.diagnostics);
    }
    error
}

async fn write_coverage(conn: &mut dyn Sql, resource: &Value) -> Result<Landed, FhirError> {
    let patient = reference(conn, resource, "/beneficiary", Kind::Patient)
        .await?
        .ok_or_else(|| FhirError::invalid("Coverage.beneficiary (a Patient) is required"))?;
    let payer = reference(conn, resource, "/payor/0", Kind::Organization)
        .await?
        .filter(|t| t.table == "payers")
        .ok_or_else(|| {
            FhirError::invalid("Coverage.payor[0] must refer to a payer (Organization/payer-N)")
        })?;
    let member_id = required(
        resource,
        "/subscriberId",
        "Coverage.subscriberId (the member id)",
    )?;
    let class_value = |code: &str, field: &str| {
        resource
            .get("class")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|c| text(c, "/type/coding/0/code") == Some(code))
            .and_then(|c| owned(c, field))
    };
    let priority = match resource.get("order") {
        None => 1,
        Some(order) => order
            .as_i64()
            .filter(|o| *o > 0)
            .ok_or_else(|| FhirError::invalid("Coverage.order must be a positive integer"))?,
    };
    let coverage = Coverage {
        patient_id: patient.id,
        payer_id: payer.id,
        member_id,
        plan_name: class_value("plan", "/name").or_else(|| class_value("plan", "/value")),
        group_number: class_value("group", "/value"),
        subscriber_name: owned(resource, "/subscriber/display"),
        relationship: owned(resource, "/relationship/coding/0/code"),
        priority,
        effective_from: owned(resource, "/period/start"),
        effective_to: owned(resource, "/period/end"),
    };
    Ok(landed(
        "coverages",
        "",
        upserts::upsert_coverage_on(conn, &coverage).await?,
    ))
}

/// The identifier value of `system`, else of the first identifier.
fn identifier_value(resource: &Value, system: &str) -> Option<String> {
    let identifiers = resource.get("identifier").and_then(Value::as_array)?;
    identifiers
        .iter()
        .find(|i| text(i, "/system") == Some(system))
        .or_else(|| identifiers.first())
        .and_then(|i| owned(i, "/value"))
}

fn has_npi(resource: &Value) -> bool {
    resource
        .get("identifier")
        .and_then(Value::as_array)
        .is_some_and(|ids| ids.iter().any(|i| text(i, "/system") == Some(NPI_SYSTEM)))
}

async fn write_organization(conn: &mut dyn Sql, resource: &Value) -> Result<Landed, FhirError> {
    let name = required(resource, "/name", "Organization.name")?;
    if has_npi(resource) {
        let upserted = write_provider(conn, resource, name, "organization").await?;
        return Ok(landed("providers", ORGANIZATION, upserted));
    }
    let payer_id = identifier_value(resource, PAYER_SYSTEM).ok_or_else(|| {
        FhirError::invalid(
            "Organization.identifier is required: an NPI for a provider, else the payer id",
        )
    })?;
    // A configured payer keeps its claim settings.
    let existing = first_row(
        conn,
        "SELECT claim_type, receiver_id, receiver_qualifier FROM payers WHERE payer_id = $1",
        &[UpsertValue::from(&payer_id)],
    )
    .await?;
    let payer = Payer {
        payer_id,
        name,
        claim_type: match &existing {
            Some(row) => row.text("claim_type")?,
            None => "837P".to_string(),
        },
        receiver_id: existing
            .as_ref()
            .map(|r| r.opt_text("receiver_id"))
            .transpose()?
            .flatten(),
        receiver_qualifier: existing
            .as_ref()
            .map(|r| r.opt_text("receiver_qualifier"))
            .transpose()?
            .flatten(),
    };
    Ok(landed(
        "payers",
        "",
        upserts::upsert_payer_on(conn, &payer).await?,
    ))
}

async fn write_practitioner(conn: &mut dyn Sql, resource: &Value) -> Result<Landed, FhirError> {
    let name = owned(resource, "/name/0/text")
        .or_else(|| {
            let name = resource.pointer("/name/0")?;
            let mut parts: Vec<&str> = name
                .get("given")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            parts.extend(text(name, "/family"));
            (!parts.is_empty()).then(|| parts.join(" "))
        })
        .ok_or_else(|| FhirError::invalid("Practitioner.name is required"))?;
    let upserted = write_provider(conn, resource, name, "individual").await?;
    Ok(landed("providers", INDIVIDUAL, upserted))
}

/// Upserts a provider by NPI, keeping its tax id and taxonomy; refuses to turn a person into
/// an organization or back.
async fn write_provider(
    conn: &mut dyn Sql,
    resource: &Value,
    name: String,
    kind: &str,
) -> Result<crate::store::Upserted, FhirError> {
    let npi = identifier_value(resource, NPI_SYSTEM).ok_or_else(|| {
        FhirError::invalid(format!(
            "identifier (the NPI, system {NPI_SYSTEM}) is required"
        ))
    })?;
    let existing = first_row(
        conn,
        "SELECT kind, tax_id, taxonomy FROM providers WHERE npi = $1",
        &[UpsertValue::from(&npi)],
    )
    .await?;
    if let Some(row) = &existing {
        let stored = row.text("kind")?;
        if stored != kind {
            return Err(FhirError::conflict(format!(
                "NPI {npi} belongs to a provider of kind {stored}"
            )));
        }
    }
    let provider = Provider {
        npi,
        name,
        kind: kind.to_string(),
        tax_id: existing
            .as_ref()
            .map(|r| r.opt_text("tax_id"))
            .transpose()?
            .flatten(),
        taxonomy: existing
            .as_ref()
            .map(|r| r.opt_text("taxonomy"))
            .transpose()?
            .flatten(),
    };
    Ok(upserts::upsert_provider_on(conn, &provider).await?)
}

async fn write_charge_item(conn: &mut dyn Sql, resource: &Value) -> Result<Landed, FhirError> {
    let line_key = required(
        resource,
        "/identifier/0/value",
        "ChargeItem.identifier (the charge key)",
    )?;
    let patient = reference(conn, resource, "/subject", Kind::Patient)
        .await?
        .ok_or_else(|| FhirError::invalid("ChargeItem.subject (a Patient) is required"))?;
    let encounter = reference(conn, resource, "/context", Kind::Encounter)
        .await?
        .ok_or_else(|| {
            FhirError::invalid("ChargeItem.context (the Encounter billed) is required")
        })?;
    let visit_patient = first_row(
        conn,
        "SELECT patient_id FROM encounters WHERE id = $1",
        &[UpsertValue::from(encounter.id)],
    )
    .await?
    .ok_or_else(|| FhirError::invalid(format!("Encounter/{} does not exist", encounter.id)))?
    .int("patient_id")?;
    if visit_patient != patient.id {
        return Err(FhirError::invalid(format!(
            "ChargeItem.subject is Patient/{} but Encounter/{} is a visit of Patient/{visit_patient}",
            patient.id, encounter.id
        )));
    }
    let procedure_code = required(
        resource,
        "/code/coding/0/code",
        "ChargeItem.code.coding[0].code",
    )?;
    let service_date = owned(resource, "/occurrenceDateTime")
        .or_else(|| owned(resource, "/occurrencePeriod/start"))
        .map(|d| d.chars().take(10).collect::<String>())
        .filter(|d| d.len() == 10)
        .ok_or_else(|| {
            FhirError::invalid("ChargeItem.occurrenceDateTime (a full date) is required")
        })?;
    let charge_cents = match resource.pointer("/priceOverride/value") {
        Some(value) => scaled(value, 2, "ChargeItem.priceOverride.value")?,
        None => {
            return Err(FhirError::invalid(
                "ChargeItem.priceOverride (the charge) is required",
            ));
        }
    };
    let units_thousandths = match resource.pointer("/quantity/value") {
        Some(value) => scaled(value, 3, "ChargeItem.quantity.value")?,
        None => 1000,
    };
    let bill = upserts::bill_for_encounter_on(conn, encounter.id, patient.id).await?;
    let existing = first_row(
        conn,
        "SELECT modifiers, revenue_code, diagnosis_codes FROM bill_lines WHERE bill_id = $1 AND line_key = $2",
        &[UpsertValue::from(bill.id), UpsertValue::from(&line_key)],
    )
    .await?;
    let kept = |column: &str| -> Result<String, FhirError> {
        Ok(match &existing {
            Some(row) => row.text(column)?,
            None => String::new(),
        })
    };
    let line = BillLine {
        bill_id: bill.id,
        line_key,
        service_date,
        procedure_code,
        modifiers: split_codes(&kept("modifiers")?),
        revenue_code: existing
            .as_ref()
            .map(|r| r.opt_text("revenue_code"))
            .transpose()?
            .flatten(),
        diagnosis_codes: split_codes(&kept("diagnosis_codes")?),
        units_thousandths,
        charge_cents,
        description: owned(resource, "/code/text"),
    };
    Ok(landed(
        "bill_lines",
        "",
        upserts::upsert_bill_line_on(conn, &line).await?,
    ))
}

/// Deletes a charge (`kind` must be deletable) while its bill is open, with what clients wrote
/// of it.
pub async fn delete(
    conn: &mut AnyConnection,
    kind: Kind,
    target: &Target,
) -> Result<(), FhirError> {
    let name = format!("{}/{}", kind.name(), target.logical_id());
    let row = sqlx::query(
        "SELECT b.status FROM bill_lines l JOIN bills b ON b.id = l.bill_id WHERE l.id = $1",
    )
    .bind(target.id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| FhirError::not_found(format!("{name} does not exist")))?;
    let status: String = row.try_get("status")?;
    if status != "open" {
        return Err(FhirError::conflict(format!(
            "{name} is on a bill that is {status}; correct it through the claim instead"
        )));
    }
    sqlx::query("DELETE FROM bill_lines WHERE id = $1")
        .bind(target.id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM fhir_resources WHERE resource_type = $1 AND logical_id = $2")
        .bind(kind.name())
        .bind(target.logical_id())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Generating

/// A resource generated from canonical records, with when they last changed (Unix ms).
#[derive(Debug, Clone, PartialEq)]
pub struct Generated {
    /// The resource, with its id, without meta.
    pub resource: Value,
    /// Unix ms of the last change.
    pub updated_at: i64,
}

/// Generates `kind` from the canonical row `target`; `None` when there is no such row.
pub async fn generate(
    store: &Store,
    billing: Option<&BillingConfig>,
    kind: Kind,
    target: &Target,
) -> Result<Option<Generated>, FhirError> {
    let id = target.id;
    if kind == Kind::Patient {
        // The store's own read takes its connections; none may be held here meanwhile.
        let state = canonical_state(&mut *store.pool().acquire().await?, target).await?;
        let Some((_, updated_at)) = state else {
            return Ok(None);
        };
        return Ok(store.patient(id).await?.map(|p| {
            let mut resource = patient_resource(&p.patient);
            prune(&mut resource);
            Generated {
                resource,
                updated_at,
            }
        }));
    }
    let mut conn = store.pool().acquire().await?;
    let conn = &mut *conn;
    match kind {
        Kind::Claim => return claim(conn, billing, id).await,
        Kind::ClaimResponse | Kind::ExplanationOfBenefit => {
            return adjudication(conn, billing, kind, id).await;
        }
        _ => {}
    }
    let Some((_, updated_at)) = canonical_state(conn, target).await? else {
        return Ok(None);
    };
    let generated = match kind {
        Kind::Encounter => encounter(conn, id).await?,
        Kind::Coverage => coverage(conn, id).await?,
        Kind::Organization | Kind::Practitioner => provider_or_payer(conn, kind, target).await?,
        Kind::ChargeItem => charge_item(conn, id).await?,
        Kind::Patient | Kind::Claim | Kind::ClaimResponse | Kind::ExplanationOfBenefit => None,
    };
    Ok(generated.map(|mut resource| {
        prune(&mut resource);
        Generated {
            resource,
            updated_at,
        }
    }))
}

/// The FHIR Patient of a canonical patient.
pub fn patient_resource(patient: &Patient) -> Value {
    let identifiers: Vec<Value> = patient
        .identifiers
        .iter()
        .map(|i| {
            json!({
                "system": i.system,
                "value": i.value,
                "type": i.type_code.as_ref().map(|code| json!({"coding": [{"system": V2_0203, "code": code}]})),
            })
        })
        .collect();
    let address = &patient.address;
    let given: Vec<&String> = [&patient.given_name, &patient.middle_name]
        .into_iter()
        .flatten()
        .collect();
    json!({
        "resourceType": "Patient",
        "identifier": identifiers,
        "name": [{
            "family": patient.family_name,
            "given": given,
        }],
        "telecom": patient.phone.as_ref().map(|p| vec![json!({"system": "phone", "value": p})]),
        "gender": patient.gender.as_deref().filter(|g| GENDERS.contains(g)),
        "birthDate": patient.birth_date.as_deref().filter(|d| is_fhir_date(d)),
        "address": [{
            "line": address.line.as_ref().map(|l| vec![l]),
            "city": address.city,
            "state": address.state,
            "postalCode": address.postal_code,
            "country": address.country,
        }],
    })
}

async fn encounter(conn: &mut AnyConnection, id: i64) -> Result<Option<Value>, FhirError> {
    let Some(encounter) = crate::store::canonical::encounter_on(conn, id).await? else {
        return Ok(None);
    };
    Ok(Some(encounter_resource(
        &encounter,
        reference_to(Kind::Patient, encounter.patient_id),
        encounter
            .attending_provider_id
            .map(|a| reference_to(Kind::Practitioner, a)),
    )))
}

/// The FHIR Encounter of a canonical visit, with its subject and attending references (the
/// store ids in `encounter` are not used).
pub fn encounter_resource(
    encounter: &Encounter,
    subject: Value,
    attending: Option<Value>,
) -> Value {
    let class =
        encounter
            .class
            .as_deref()
            .map(|class| match CLASSES.iter().find(|(c, ..)| *c == class) {
                Some((_, code, display)) => {
                    json!({"system": ACT_CODE, "code": code, "display": display})
                }
                None => json!({"system": "urn:switchboard:patient-class", "code": class}),
            });
    let status = encounter
        .status
        .as_deref()
        .filter(|s| ENCOUNTER_STATUSES.contains(s))
        .unwrap_or("unknown");
    let reasons: Vec<Value> = encounter
        .diagnosis_codes
        .iter()
        .map(|code| json!({"coding": [{"system": ICD10_SYSTEM, "code": code}]}))
        .collect();
    json!({
        "resourceType": "Encounter",
        "identifier": [{"value": encounter.visit_number}],
        "status": status,
        "class": class.unwrap_or_else(|| json!({"system": ACT_CODE, "code": "AMB"})),
        "subject": subject,
        "participant": attending.map(|a| vec![json!({"individual": a})]),
        "period": {
            "start": encounter.admitted_at.as_deref().map(date_time),
            "end": encounter.discharged_at.as_deref().map(date_time),
        },
        "reasonCode": reasons,
        "location": encounter.location.as_ref().map(|l| vec![json!({"location": {"display": l}})]),
        "serviceProvider": encounter.facility.as_ref().map(|f| json!({"display": f})),
    })
}

async fn coverage(conn: &mut AnyConnection, id: i64) -> Result<Option<Value>, FhirError> {
    let Some(coverage) = crate::store::canonical::coverage_on(conn, id).await? else {
        return Ok(None);
    };
    Ok(Some(coverage_resource(
        &coverage,
        reference_to(Kind::Patient, coverage.patient_id),
        reference_to(Kind::Organization, format!("payer-{}", coverage.payer_id)),
    )))
}

/// The FHIR Coverage of a canonical coverage, with its beneficiary and payor references (the
/// store ids in `coverage` are not used).
pub fn coverage_resource(coverage: &Coverage, beneficiary: Value, payor: Value) -> Value {
    let class = |code: &str, value: &Option<String>| {
        value.as_ref().map(|v| {
            json!({
                "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/coverage-class", "code": code}]},
                "value": v,
                "name": (code == "plan").then(|| v.clone()),
            })
        })
    };
    let classes: Vec<Value> = [
        class("group", &coverage.group_number),
        class("plan", &coverage.plan_name),
    ]
    .into_iter()
    .flatten()
    .collect();
    json!({
        "resourceType": "Coverage",
        "status": "active",
        "subscriberId": coverage.member_id,
        "subscriber": coverage.subscriber_name.as_ref().map(|s| json!({"display": s})),
        "beneficiary": beneficiary,
        "relationship": coverage.relationship.as_ref().map(|r| json!({"coding": [{"system": "http://terminology.hl7.org/CodeSystem/subscriber-relationship", "code": r}]})),
        "period": {"start": coverage.effective_from, "end": coverage.effective_to},
        "payor": [payor],
        "class": classes,
        "order": coverage.priority,
    })
}

async fn provider_or_payer(
    conn: &mut AnyConnection,
    kind: Kind,
    target: &Target,
) -> Result<Option<Value>, FhirError> {
    let (sql, system) = if target.table == "payers" {
        (
            "SELECT payer_id AS identifier, name FROM payers WHERE id = $1",
            PAYER_SYSTEM,
        )
    } else {
        (
            "SELECT npi AS identifier, name FROM providers WHERE id = $1",
            NPI_SYSTEM,
        )
    };
    let sql = format!("{sql}{}", target.condition);
    let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(target.id)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    let identifier: String = row.try_get("identifier")?;
    let name: String = row.try_get("name")?;
    Ok(Some(party_resource(kind, system, &identifier, &name)))
}

/// An Organization (a payer when `system` is [`PAYER_SYSTEM`], else a provider organization)
/// or a Practitioner, named by one identifier.
pub fn party_resource(kind: Kind, system: &str, identifier: &str, name: &str) -> Value {
    let mut resource = json!({
        "resourceType": kind.name(),
        "identifier": [{"system": system, "value": identifier}],
    });
    if kind == Kind::Organization {
        let type_code = if system == PAYER_SYSTEM {
            "pay"
        } else {
            "prov"
        };
        resource["active"] = json!(true);
        resource["type"] = json!([{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/organization-type", "code": type_code}]}]);
        resource["name"] = json!(name);
    } else {
        resource["name"] = json!([{"text": name}]);
    }
    resource
}

async fn charge_item(conn: &mut AnyConnection, id: i64) -> Result<Option<Value>, FhirError> {
    let Some(row) = sqlx::query(
        "SELECT l.line_key, l.service_date, l.procedure_code, l.modifiers, l.diagnosis_codes, l.units_thousandths, \
         l.charge_cents, l.description, b.patient_id, b.encounter_id FROM bill_lines l JOIN bills b ON b.id = l.bill_id WHERE l.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let line = BillLine {
        bill_id: 0,
        line_key: row.try_get("line_key")?,
        service_date: row.try_get("service_date")?,
        procedure_code: row.try_get("procedure_code")?,
        modifiers: split_codes(&row.try_get::<String, _>("modifiers")?),
        revenue_code: None,
        diagnosis_codes: split_codes(&row.try_get::<String, _>("diagnosis_codes")?),
        units_thousandths: row.try_get("units_thousandths")?,
        charge_cents: row.try_get("charge_cents")?,
        description: row.try_get("description")?,
    };
    let mut resource = charge_item_resource(
        &line,
        reference_to(Kind::Patient, row.try_get::<i64, _>("patient_id")?),
        Some(reference_to(
            Kind::Encounter,
            row.try_get::<i64, _>("encounter_id")?,
        )),
        None,
    );
    resource["id"] = json!(id.to_string());
    Ok(Some(resource))
}

/// System of the extension that carries a CPT/HCPCS modifier of a ChargeItem.
pub const MODIFIER_EXTENSION: &str = "urn:switchboard:extension:procedure-modifier";

/// The FHIR ChargeItem of a bill line: CPT code, modifiers (as extensions, since R4 has no
/// element for them), ICD-10 reasons, quantity and price, with its subject, its encounter and
/// who performed it (the store ids in `line` are not used).
pub fn charge_item_resource(
    line: &BillLine,
    subject: Value,
    context: Option<Value>,
    performer: Option<Value>,
) -> Value {
    let modifiers: Vec<Value> = line
        .modifiers
        .iter()
        .map(|code| json!({"url": MODIFIER_EXTENSION, "valueCoding": {"system": CPT_SYSTEM, "code": code}}))
        .collect();
    let reasons: Vec<Value> = line
        .diagnosis_codes
        .iter()
        .map(|code| json!({"coding": [{"system": ICD10_SYSTEM, "code": code}]}))
        .collect();
    json!({
        "resourceType": "ChargeItem",
        "extension": modifiers,
        "identifier": [{"value": line.line_key}],
        "status": "billable",
        "code": {
            "coding": [{"system": CPT_SYSTEM, "code": line.procedure_code}],
            "text": line.description,
        },
        "subject": subject,
        "context": context,
        "occurrenceDateTime": line.service_date,
        "performer": performer.map(|actor| vec![json!({"actor": actor})]),
        "quantity": {"value": decimal(line.units_thousandths, 3)},
        "priceOverride": money(line.charge_cents),
        "reason": reasons,
    })
}

async fn claim(
    conn: &mut AnyConnection,
    billing: Option<&BillingConfig>,
    id: i64,
) -> Result<Option<Generated>, FhirError> {
    let Some(row) = sqlx::query(
        "SELECT c.claim_number, c.claim_type, c.status, c.total_charge_cents, c.payer_id, c.coverage_id, \
         c.created_at, c.updated_at, b.patient_id FROM claims c JOIN bills b ON b.id = c.bill_id WHERE c.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let lines = sqlx::query(
        "SELECT line_number, procedure_code, service_date, units_thousandths, charge_cents FROM claim_lines \
         WHERE claim_id = $1 ORDER BY line_number",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let mut items = Vec::new();
    for line in lines {
        items.push(json!({
            "sequence": line.try_get::<i64, _>("line_number")?,
            "productOrService": {"coding": [{"system": CPT_SYSTEM, "code": line.try_get::<String, _>("procedure_code")?}]},
            "servicedDate": line.try_get::<String, _>("service_date")?,
            "quantity": {"value": decimal(line.try_get("units_thousandths")?, 3)},
            "net": money(line.try_get("charge_cents")?),
        }));
    }
    let status: String = row.try_get("status")?;
    let claim_type: String = row.try_get("claim_type")?;
    let coverage: Option<i64> = row.try_get("coverage_id")?;
    let mut resource = json!({
        "resourceType": "Claim",
        "id": id.to_string(),
        "identifier": [{"system": "urn:switchboard:claim-number", "value": row.try_get::<String, _>("claim_number")?}],
        "status": if matches!(status.as_str(), "voided" | "replaced") { "cancelled" } else { "active" },
        "type": claim_type_code(&claim_type),
        "use": "claim",
        "patient": reference_to(Kind::Patient, row.try_get::<i64, _>("patient_id")?),
        "created": instant(row.try_get("created_at")?),
        "insurer": reference_to(Kind::Organization, format!("payer-{}", row.try_get::<i64, _>("payer_id")?)),
        "provider": billing_provider(billing),
        "priority": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/processpriority", "code": "normal"}]},
        "insurance": coverage.map(|c| vec![json!({"sequence": 1, "focal": true, "coverage": reference_to(Kind::Coverage, c)})]),
        "item": items,
        "total": money(row.try_get("total_charge_cents")?),
    });
    prune(&mut resource);
    Ok(Some(Generated {
        resource,
        updated_at: row.try_get("updated_at")?,
    }))
}

/// A payer's answer to one of our claims (a CLP of an 835), as a ClaimResponse or as an
/// ExplanationOfBenefit.
async fn adjudication(
    conn: &mut AnyConnection,
    billing: Option<&BillingConfig>,
    kind: Kind,
    id: i64,
) -> Result<Option<Generated>, FhirError> {
    let Some(row) = sqlx::query(
        "SELECT rc.claim_id, rc.charge_cents, rc.paid_cents, rc.payer_claim_number, rc.outcome, r.trace_number, \
         r.created_at, c.payer_id, c.claim_type, c.coverage_id, b.patient_id FROM remittance_claims rc \
         JOIN remittances r ON r.id = rc.remittance_id JOIN claims c ON c.id = rc.claim_id \
         JOIN bills b ON b.id = c.bill_id WHERE rc.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let total = |code: &str, cents: i64| {
        json!({
            "category": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/adjudication", "code": code}]},
            "amount": money(cents),
        })
    };
    let created_at: i64 = row.try_get("created_at")?;
    let paid: i64 = row.try_get("paid_cents")?;
    let claim_id: i64 = row.try_get("claim_id")?;
    let payer_claim_number: Option<String> = row.try_get("payer_claim_number")?;
    let claim_type: String = row.try_get("claim_type")?;
    let mut resource = json!({
        "resourceType": kind.name(),
        "id": id.to_string(),
        "identifier": payer_claim_number.map(|n| vec![json!({"system": "urn:switchboard:payer-claim-number", "value": n})]),
        "status": "active",
        "type": claim_type_code(&claim_type),
        "use": "claim",
        "patient": reference_to(Kind::Patient, row.try_get::<i64, _>("patient_id")?),
        "created": instant(created_at),
        "insurer": reference_to(Kind::Organization, format!("payer-{}", row.try_get::<i64, _>("payer_id")?)),
        "outcome": "complete",
        "disposition": row.try_get::<Option<String>, _>("outcome")?,
        "total": [
            total("submitted", row.try_get("charge_cents")?),
            total("benefit", paid),
        ],
        "payment": {
            "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/ex-paymenttype", "code": "complete"}]},
            "amount": money(paid),
            "identifier": {"value": row.try_get::<String, _>("trace_number")?},
        },
    });
    if kind == Kind::ClaimResponse {
        resource["request"] = reference_to(Kind::Claim, claim_id);
    } else {
        let coverage: Option<i64> = row.try_get("coverage_id")?;
        resource["claim"] = reference_to(Kind::Claim, claim_id);
        resource["claimResponse"] = reference_to(Kind::ClaimResponse, id);
        resource["provider"] = billing_provider(billing);
        resource["insurance"] =
            json!(coverage.map(|c| vec![
                json!({"focal": true, "coverage": reference_to(Kind::Coverage, c)})
            ]));
    }
    prune(&mut resource);
    Ok(Some(Generated {
        resource,
        updated_at: created_at,
    }))
}

/// Claim.type of an 837 flavour.
fn claim_type_code(claim_type: &str) -> Value {
    json!({"coding": [{
        "system": "http://terminology.hl7.org/CodeSystem/claim-type",
        "code": if claim_type == "837I" { "institutional" } else { "professional" },
    }]})
}

/// The billing provider of our claims, from the engine configuration.
fn billing_provider(billing: Option<&BillingConfig>) -> Value {
    match billing {
        Some(b) => {
            json!({"identifier": {"system": NPI_SYSTEM, "value": b.npi}, "display": b.organization_name})
        }
        None => json!({"display": "billing provider (not configured)"}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_read_and_written_without_floating_point() {
        assert_eq!(scaled(&json!(125.5), 2, "x").unwrap(), 12550);
        assert_eq!(scaled(&json!(7), 2, "x").unwrap(), 700);
        assert_eq!(scaled(&json!(0.25), 3, "x").unwrap(), 250);
        assert!(scaled(&json!(1.005), 2, "x").is_err());
        assert!(scaled(&json!("12"), 2, "x").is_err());
        assert_eq!(decimal(12550, 2), json!(125.5));
        assert_eq!(decimal(700, 2), json!(7));
        assert_eq!(decimal(-5, 2), json!(-0.05));
    }

    #[test]
    fn references_name_rows_of_their_type() {
        let target = parse_reference("http://x/fhir/Patient/7", Kind::Patient).unwrap();
        assert_eq!((target.table, target.id), ("patients", 7));
        assert_eq!(parse_reference("Encounter/7", Kind::Patient), None);
        assert_eq!(
            parse_reference("Organization/payer-2", Kind::Organization).map(|t| t.table),
            Some("payers")
        );
        assert_eq!(parse_reference("7", Kind::Patient), None);
    }

    #[test]
    fn only_real_dates_are_fhir_dates() {
        for good in ["1815", "1815-12", "1815-12-10", "2024-02-29"] {
            assert!(is_fhir_date(good), "{good}");
        }
        for bad in [
            "",
            "18151210",
            "1815-13",
            "2023-02-29",
            "1815-1-1",
            "+815",
            "1815-12-10-1",
        ] {
            assert!(!is_fhir_date(bad), "{bad}");
        }
    }

    #[test]
    fn local_times_become_dates() {
        assert_eq!(date_time("2024-01-02T03:04:05"), "2024-01-02");
        assert_eq!(date_time("2024-01-02T03:04:05Z"), "2024-01-02T03:04:05Z");
        assert_eq!(date_time("2024-01-02"), "2024-01-02");
    }
}
