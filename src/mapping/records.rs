//! The canonical records one message maps to, keyed by natural keys (not store ids), so the
//! `store` destination can upsert them idempotently in dependency order.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::MappingError;
use crate::canonical::{Address, BillLine, Coverage, Encounter, Identifier, Patient};
use crate::message::RejectionKind;

/// The encounter of a message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncounterRecord {
    /// Visit number.
    pub visit_number: String,
    /// Class.
    pub class: Option<String>,
    /// Status.
    pub status: Option<String>,
    /// Admission time.
    pub admitted_at: Option<String>,
    /// Discharge time.
    pub discharged_at: Option<String>,
    /// Location.
    pub location: Option<String>,
    /// Facility.
    pub facility: Option<String>,
    /// Attending provider NPI.
    pub attending_npi: Option<String>,
    /// Attending provider name.
    pub attending_name: Option<String>,
    /// Diagnoses of the visit (ICD-10), e.g. from DG1 segments.
    #[serde(default)]
    pub diagnosis_codes: Vec<String>,
}

/// One coverage of the patient.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverageRecord {
    /// Payer id.
    pub payer_id: String,
    /// Payer name.
    pub payer_name: Option<String>,
    /// Member id.
    pub member_id: String,
    /// Plan name.
    pub plan_name: Option<String>,
    /// Group number.
    pub group_number: Option<String>,
    /// Subscriber name.
    pub subscriber_name: Option<String>,
    /// Relationship to the subscriber.
    pub relationship: Option<String>,
    /// 1 primary, 2 secondary...
    pub priority: i64,
    /// First covered day.
    pub effective_from: Option<String>,
    /// Last covered day.
    pub effective_to: Option<String>,
}

/// One charge on the encounter's bill.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChargeRecord {
    /// Key of the charge in its source.
    pub line_key: String,
    /// Date of service.
    pub service_date: String,
    /// CPT/HCPCS code.
    pub procedure_code: String,
    /// Modifiers.
    pub modifiers: Vec<String>,
    /// Revenue code.
    pub revenue_code: Option<String>,
    /// Diagnosis codes.
    pub diagnosis_codes: Vec<String>,
    /// Units in thousandths.
    pub units_thousandths: i64,
    /// Charge in cents.
    pub charge_cents: i64,
    /// Description.
    pub description: Option<String>,
}

/// Everything one message maps to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Records {
    /// The patient, with identifiers.
    pub patient: Option<Patient>,
    /// Identifiers of another patient record to merge into this patient (ADT^A40).
    #[serde(default)]
    pub merged_identifiers: Vec<Identifier>,
    /// The encounter (needs the patient).
    pub encounter: Option<EncounterRecord>,
    /// Coverages (need the patient).
    pub coverages: Vec<CoverageRecord>,
    /// Charges (need the encounter).
    pub charges: Vec<ChargeRecord>,
}

/// Parses a decimal amount (`125`, `125.5`, `-3.25`) into units of 10^-`scale`, never via float.
pub fn parse_decimal(text: &str, scale: u32) -> Option<i64> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if (whole.is_empty() && fraction.is_empty())
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !fraction.chars().all(|c| c.is_ascii_digit())
        || fraction.len() > scale as usize
    {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let padded = format!("{fraction:0<width$}", width = scale as usize);
    let fraction: i64 = if padded.is_empty() {
        0
    } else {
        padded.parse().ok()?
    };
    let value = whole
        .checked_mul(10i64.checked_pow(scale)?)?
        .checked_add(fraction)?;
    Some(if negative { -value } else { value })
}

fn list(value: Option<&String>) -> Vec<String> {
    value
        .map(|v| {
            v.split([',', '~', '^', ' '])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

type Values = BTreeMap<String, String>;

/// A required value of occurrence `occurrence` of `block`.
fn required(
    values: &Values,
    block: &'static str,
    occurrence: usize,
    key: &str,
) -> Result<String, MappingError> {
    values.get(key).cloned().ok_or_else(|| {
        let what = match block {
            "encounter" | "patient" => block.to_string(),
            "patient_identifier" => format!("patient identifier {occurrence}"),
            _ => format!("{block} {occurrence}"),
        };
        MappingError::at(
            RejectionKind::RequiredMissing,
            format!("{what}: '{key}' is empty in this message"),
            block,
            occurrence,
            key,
        )
    })
}

/// Identifiers from the occurrences of an identifier block; empty repetitions are skipped.
fn identifier_list(
    values: &[Values],
    block: &'static str,
) -> Result<Vec<Identifier>, MappingError> {
    values
        .iter()
        .enumerate()
        .filter(|(_, v)| v.contains_key("value"))
        .map(|(i, v)| {
            Ok(Identifier {
                value: required(v, block, i + 1, "value")?,
                system: required(v, block, i + 1, "system")?,
                type_code: v.get("type_code").cloned(),
            })
        })
        .collect()
}

impl EncounterRecord {
    /// The canonical encounter of `patient_id`, seen by `attending_provider_id`.
    pub fn encounter(&self, patient_id: i64, attending_provider_id: Option<i64>) -> Encounter {
        Encounter {
            visit_number: self.visit_number.clone(),
            patient_id,
            class: self.class.clone(),
            status: self.status.clone(),
            admitted_at: self.admitted_at.clone(),
            discharged_at: self.discharged_at.clone(),
            location: self.location.clone(),
            facility: self.facility.clone(),
            attending_provider_id,
            diagnosis_codes: self.diagnosis_codes.clone(),
        }
    }
}

impl CoverageRecord {
    /// The canonical coverage of `patient_id` by `payer_id`.
    pub fn coverage(&self, patient_id: i64, payer_id: i64) -> Coverage {
        Coverage {
            patient_id,
            payer_id,
            member_id: self.member_id.clone(),
            plan_name: self.plan_name.clone(),
            group_number: self.group_number.clone(),
            subscriber_name: self.subscriber_name.clone(),
            relationship: self.relationship.clone(),
            priority: self.priority,
            effective_from: self.effective_from.clone(),
            effective_to: self.effective_to.clone(),
        }
    }
}

impl ChargeRecord {
    /// The canonical line of this charge on bill `bill_id`.
    pub fn bill_line(&self, bill_id: i64) -> BillLine {
        BillLine {
            bill_id,
            line_key: self.line_key.clone(),
            service_date: self.service_date.clone(),
            procedure_code: self.procedure_code.clone(),
            modifiers: self.modifiers.clone(),
            revenue_code: self.revenue_code.clone(),
            diagnosis_codes: self.diagnosis_codes.clone(),
            units_thousandths: self.units_thousandths,
            charge_cents: self.charge_cents,
            description: self.description.clone(),
        }
    }
}

impl Records {
    /// Builds typed records from evaluated blocks, checking required values and numbers.
    pub fn build(
        patient: Option<Values>,
        identifiers: Vec<Values>,
        merged: Vec<Values>,
        encounter: Option<Values>,
        coverages: Vec<Values>,
        charges: Vec<Values>,
    ) -> Result<Records, MappingError> {
        // An empty repetition (no value) is not an identifier.
        let identifiers = identifier_list(&identifiers, "patient_identifier")?;
        let merged_identifiers = identifier_list(&merged, "merged_identifier")?;
        let patient = match (patient, identifiers.is_empty()) {
            (None, true) => None,
            (_, true) => {
                return Err(MappingError::at(
                    RejectionKind::RequiredMissing,
                    "the patient has no identifier in this message",
                    "patient_identifier",
                    1,
                    "value",
                ));
            }
            (values, false) => {
                let v = values.unwrap_or_default();
                Some(Patient {
                    identifiers,
                    family_name: v.get("family_name").cloned(),
                    given_name: v.get("given_name").cloned(),
                    middle_name: v.get("middle_name").cloned(),
                    birth_date: v.get("birth_date").cloned(),
                    gender: v.get("gender").cloned(),
                    phone: v.get("phone").cloned(),
                    address: Address {
                        line: v.get("address_line").cloned(),
                        city: v.get("city").cloned(),
                        state: v.get("state").cloned(),
                        postal_code: v.get("postal_code").cloned(),
                        country: v.get("country").cloned(),
                    },
                })
            }
        };
        // Without a visit number nothing identifies the visit: the message has no encounter.
        let encounter = encounter
            .filter(|v| v.contains_key("visit_number"))
            .map(|v| {
                Ok::<_, MappingError>(EncounterRecord {
                    visit_number: required(&v, "encounter", 1, "visit_number")?,
                    class: v.get("class").cloned(),
                    status: v.get("status").cloned(),
                    admitted_at: v.get("admitted_at").cloned(),
                    discharged_at: v.get("discharged_at").cloned(),
                    location: v.get("location").cloned(),
                    facility: v.get("facility").cloned(),
                    attending_npi: v.get("attending_npi").cloned(),
                    attending_name: v.get("attending_name").cloned(),
                    diagnosis_codes: list(v.get("diagnosis_codes")),
                })
            })
            .transpose()?;
        let coverages = coverages
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let priority = match v.get("priority") {
                    Some(p) => p.trim().parse().map_err(|_| {
                        MappingError::at(
                            RejectionKind::InvalidValue,
                            format!("coverage {}: priority '{p}' is not a whole number", i + 1),
                            "coverage",
                            i + 1,
                            "priority",
                        )
                    })?,
                    None => i64::try_from(i + 1).unwrap_or(i64::MAX),
                };
                Ok(CoverageRecord {
                    payer_id: required(v, "coverage", i + 1, "payer_id")?,
                    payer_name: v.get("payer_name").cloned(),
                    member_id: required(v, "coverage", i + 1, "member_id")?,
                    plan_name: v.get("plan_name").cloned(),
                    group_number: v.get("group_number").cloned(),
                    subscriber_name: v.get("subscriber_name").cloned(),
                    relationship: v.get("relationship").cloned(),
                    priority,
                    effective_from: v.get("effective_from").cloned(),
                    effective_to: v.get("effective_to").cloned(),
                })
            })
            .collect::<Result<Vec<_>, MappingError>>()?;
        let charges = charges
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let n = i + 1;
                let charge = required(v, "charge", n, "charge")?;
                let charge_cents = parse_decimal(&charge, 2).ok_or_else(|| {
                    MappingError::at(
                        RejectionKind::InvalidValue,
                        format!("charge {n}: charge '{charge}' is not an amount like 125.00"),
                        "charge",
                        n,
                        "charge",
                    )
                })?;
                let units_thousandths = match v.get("units") {
                    Some(units) => parse_decimal(units, 3).filter(|u| *u > 0).ok_or_else(|| {
                        MappingError::at(
                            RejectionKind::InvalidValue,
                            format!("charge {n}: units '{units}' is not a positive quantity"),
                            "charge",
                            n,
                            "units",
                        )
                    })?,
                    None => 1000,
                };
                Ok(ChargeRecord {
                    line_key: required(v, "charge", n, "line_key")?,
                    service_date: required(v, "charge", n, "service_date")?,
                    procedure_code: required(v, "charge", n, "procedure_code")?,
                    modifiers: list(v.get("modifiers")),
                    revenue_code: v.get("revenue_code").cloned(),
                    diagnosis_codes: list(v.get("diagnosis_codes")),
                    units_thousandths,
                    charge_cents,
                    description: v.get("description").cloned(),
                })
            })
            .collect::<Result<Vec<_>, MappingError>>()?;
        if encounter.is_some() && patient.is_none() {
            return Err(MappingError::new(
                RejectionKind::RequiredMissing,
                "an encounter needs a patient",
            ));
        }
        if !charges.is_empty() && encounter.is_none() {
            return Err(MappingError::at(
                RejectionKind::RequiredMissing,
                "charges need an encounter (visit number) to bill",
                "encounter",
                1,
                "visit_number",
            ));
        }
        if !coverages.is_empty() && patient.is_none() {
            return Err(MappingError::new(
                RejectionKind::RequiredMissing,
                "coverages need a patient",
            ));
        }
        if !merged_identifiers.is_empty() && patient.is_none() {
            return Err(MappingError::new(
                RejectionKind::RequiredMissing,
                "a merge needs the surviving patient",
            ));
        }
        Ok(Records {
            patient,
            merged_identifiers,
            encounter,
            coverages,
            charges,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::parse_decimal;

    #[test]
    fn decimals_parse_exactly() {
        assert_eq!(parse_decimal("125", 2), Some(12_500));
        assert_eq!(parse_decimal("125.5", 2), Some(12_550));
        assert_eq!(parse_decimal("-3.25", 2), Some(-325));
        assert_eq!(parse_decimal(".5", 2), Some(50));
        assert_eq!(parse_decimal("1.005", 2), None);
        assert_eq!(parse_decimal("12a", 2), None);
        assert_eq!(parse_decimal("", 2), None);
        assert_eq!(parse_decimal("1.5", 3), Some(1_500));
        assert_eq!(parse_decimal("99999999999999999999", 2), None);
    }
}
