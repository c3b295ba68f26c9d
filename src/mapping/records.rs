//! The canonical records one message maps to, keyed by natural keys (not store ids), so the
//! `store` destination can upsert them idempotently in dependency order. Optional fields say
//! what the message says ([`FieldValue`]): absent fields keep the stored value, cleared ones
//! clear it.

use serde::{Deserialize, Serialize};

use super::MappingError;
use crate::canonical::{
    Address, BillLine, Coverage, Encounter, FieldState, FieldValue, Identifier, Patient,
};
use crate::message::RejectionKind;

/// The encounter of a message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncounterRecord {
    /// Visit number.
    pub visit_number: String,
    /// Class.
    #[serde(default, skip_serializing_if = "FieldState::is_absent")]
    pub class: FieldValue,
    /// Status.
    #[serde(default, skip_serializing_if = "FieldState::is_absent")]
    pub status: FieldValue,
    /// Admission time.
    #[serde(default, skip_serializing_if = "FieldState::is_absent")]
    pub admitted_at: FieldValue,
    /// Discharge time.
    #[serde(default, skip_serializing_if = "FieldState::is_absent")]
    pub discharged_at: FieldValue,
    /// Location.
    #[serde(default, skip_serializing_if = "FieldState::is_absent")]
    pub location: FieldValue,
    /// Facility.
    #[serde(default, skip_serializing_if = "FieldState::is_absent")]
    pub facility: FieldValue,
    /// Attending provider NPI.
    #[serde(default, skip_serializing_if = "FieldState::is_absent")]
    pub attending_npi: FieldValue,
    /// Attending provider name.
    #[serde(default, skip_serializing_if = "FieldState::is_absent")]
    pub attending_name: FieldValue,
    /// Diagnoses of the visit (ICD-10), e.g. from DG1 segments.
    #[serde(default)]
    pub diagnosis_codes: Vec<String>,
    /// Self-pay: `true` when the message's insurance segments are all self-pay, `false` when
    /// it names an insurer the mapping could read, `None` otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_pay: Option<bool>,
}

/// One coverage of the patient.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverageRecord {
    /// Payer id.
    pub payer_id: String,
    /// Payer name.
    #[serde(default, skip_serializing_if = "FieldState::is_absent")]
    pub payer_name: FieldValue,
    /// Member id.
    pub member_id: String,
    /// Plan name.
    #[serde(default, skip_serializing_if = "FieldState::is_absent")]
    pub plan_name: FieldValue,
    /// Group number.
    #[serde(default, skip_serializing_if = "FieldState::is_absent")]
    pub group_number: FieldValue,
    /// Subscriber name.
    #[serde(default, skip_serializing_if = "FieldState::is_absent")]
    pub subscriber_name: FieldValue,
    /// Relationship to the subscriber.
    #[serde(default, skip_serializing_if = "FieldState::is_absent")]
    pub relationship: FieldValue,
    /// 1 primary, 2 secondary...
    pub priority: i64,
    /// First covered day.
    #[serde(default, skip_serializing_if = "FieldState::is_absent")]
    pub effective_from: FieldValue,
    /// Last covered day.
    #[serde(default, skip_serializing_if = "FieldState::is_absent")]
    pub effective_to: FieldValue,
    /// The occurrence of its mapping block it was read from (1-based: the IN1 segment), so
    /// that what else a converter reads is read from the same segment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurrence: Option<usize>,
}

/// One charge on the encounter's bill. A charge line is replaced whole: what it does not say
/// is stored empty.
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

/// FHIR resources of the types kept as JSON that one message carries, ready to store: each has
/// its logical id, and their references to one another are `Type/id`. References to the
/// message's patient and visit are still `patient` and `encounter` (the Bundle's `urn:uuid:`
/// names): the store knows their canonical ids only once it has upserted them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClinicalRecords {
    /// The resources.
    pub resources: Vec<serde_json::Value>,
    /// How the resources refer to the message's patient.
    pub patient: Option<String>,
    /// How the resources refer to the message's visit.
    pub encounter: Option<String>,
}

/// Everything one message maps to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Records {
    /// The patient, with identifiers.
    pub patient: Option<Patient<FieldValue>>,
    /// Identifiers of another patient record to merge into this patient (ADT^A40).
    #[serde(default)]
    pub merged_identifiers: Vec<Identifier>,
    /// The encounter (needs the patient).
    pub encounter: Option<EncounterRecord>,
    /// Coverages (need the patient).
    pub coverages: Vec<CoverageRecord>,
    /// Charges (need the encounter).
    pub charges: Vec<ChargeRecord>,
    /// The clinical resources the message carries (results, orders, appointments,
    /// immunizations, documents, problems, allergies, medication orders), as the FHIR converter
    /// made them, for the store to keep beside the patient and visit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clinical: Option<ClinicalRecords>,
    /// What the mapping left out and why (a coverage it could not read, a self-pay one),
    /// with where in the message; the pipeline records each as a `warning` event.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// What one occurrence of a mapping block read: its 1-based occurrence in the message (the
/// segment or repetition it repeats over) and each field it found cleared or with a value.
pub type Occurrence = (usize, Values);

/// Each canonical field one block occurrence found cleared or with a value, in the block's
/// order. A short list rather than a map: a block has a handful of fields, and a message may
/// have thousands of occurrences.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Values(Vec<(String, FieldValue)>);

impl Values {
    /// What the occurrence says about `key`, when it says anything.
    pub fn get(&self, key: &str) -> Option<&FieldValue> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Whether the occurrence found nothing.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromIterator<(String, FieldValue)> for Values {
    fn from_iter<I: IntoIterator<Item = (String, FieldValue)>>(iter: I) -> Self {
        Values(iter.into_iter().collect())
    }
}

/// One street line of an HL7 v2 SAD (XAD-1): the street address (SAD-1), followed by the
/// street name (SAD-2) and the dwelling number (SAD-3) each where the street address does
/// not already hold it; without a street address, the dwelling number then the street name
/// (`&Main St&123` is `123 Main St`). `None` when all three are empty.
pub fn street_line(
    street: Option<&str>,
    name: Option<&str>,
    number: Option<&str>,
) -> Option<String> {
    let [street, name, number] =
        [street, name, number].map(|part| part.map(str::trim).filter(|p| !p.is_empty()));
    let parts: Vec<&str> = match street {
        Some(street) => std::iter::once(street)
            .chain(
                [name, number]
                    .into_iter()
                    .flatten()
                    .filter(|p| !street.contains(p)),
            )
            .collect(),
        None => [number, name].into_iter().flatten().collect(),
    };
    (!parts.is_empty()).then(|| parts.join(" "))
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

fn list(value: Option<&FieldValue>) -> Vec<String> {
    value
        .and_then(FieldValue::as_deref)
        .map(|v| {
            v.split([',', '~', '^', ' '])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// What an optional field of a block says (absent when the block did not read it).
fn field(values: &Values, key: &str) -> FieldValue {
    values.get(key).cloned().unwrap_or_default()
}

/// A required value of occurrence `occurrence` of `block`; a cleared one is missing too.
fn required(
    values: &Values,
    block: &'static str,
    occurrence: usize,
    key: &str,
) -> Result<String, MappingError> {
    values.get(key).and_then(FieldValue::known).ok_or_else(|| {
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
    occurrences: &[Occurrence],
    block: &'static str,
) -> Result<Vec<Identifier>, MappingError> {
    occurrences
        .iter()
        .filter(|(_, v)| v.get("value").is_some_and(|v| v.as_deref().is_some()))
        .map(|(n, v)| {
            Ok(Identifier {
                value: required(v, block, *n, "value")?,
                system: required(v, block, *n, "system")?,
                type_code: field(v, "type_code").known(),
            })
        })
        .collect()
}

/// Whether a payer id or name says the patient pays: SELF, SELFPAY, SELF PAY, SELF-PAY...
fn is_self_pay(name: &str) -> bool {
    let letters: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_uppercase();
    matches!(letters.as_str(), "SELF" | "SELFPAY")
}

/// One coverage occurrence read into a record.
fn coverage(n: usize, v: &Values) -> Result<CoverageRecord, MappingError> {
    let priority = match v.get("priority").and_then(FieldValue::as_deref) {
        Some(p) => p.trim().parse().map_err(|_| {
            MappingError::at(
                RejectionKind::InvalidValue,
                format!("coverage {n}: priority '{p}' is not a whole number"),
                "coverage",
                n,
                "priority",
            )
        })?,
        None => i64::try_from(n).unwrap_or(i64::MAX),
    };
    Ok(CoverageRecord {
        payer_id: required(v, "coverage", n, "payer_id")?,
        payer_name: field(v, "payer_name"),
        member_id: required(v, "coverage", n, "member_id")?,
        plan_name: field(v, "plan_name"),
        group_number: field(v, "group_number"),
        subscriber_name: field(v, "subscriber_name"),
        relationship: field(v, "relationship"),
        priority,
        effective_from: field(v, "effective_from"),
        effective_to: field(v, "effective_to"),
        occurrence: Some(n),
    })
}

/// The coverages that can be read, whether the patient pays the visit themself, and a
/// warning for each occurrence left out: a self-pay one (payer SELF / SELF PAY) is no
/// coverage, and one without payer or member id (or with a bad priority) is skipped rather
/// than rejecting the message.
fn coverages(
    occurrences: &[Occurrence],
    has_visit: bool,
) -> (Vec<CoverageRecord>, Option<bool>, Vec<MappingError>) {
    let mut read = Vec::new();
    let mut self_pay = Vec::new();
    let mut warnings = Vec::new();
    for (n, v) in occurrences {
        let payer = ["payer_id", "payer_name"].into_iter().find_map(|key| {
            v.get(key)
                .and_then(FieldValue::as_deref)
                .filter(|p| is_self_pay(p))
        });
        if let Some(payer) = payer {
            self_pay.push((*n, payer.to_string()));
            continue;
        }
        match coverage(*n, v) {
            Ok(record) => read.push(record),
            Err(mut err) => {
                let prefix = format!("coverage {n}: ");
                let reason = err.reason.strip_prefix(&prefix).unwrap_or(&err.reason);
                err.reason = format!("coverage {n} skipped: {reason}");
                warnings.push(err);
            }
        }
    }
    let only_self_pay = !self_pay.is_empty() && read.is_empty() && warnings.is_empty();
    let marked = match (only_self_pay, has_visit) {
        (true, true) => " and the visit is marked self-pay",
        (true, false) => "; the message has no visit to mark self-pay",
        (false, _) => "",
    };
    for (n, payer) in self_pay.iter().rev() {
        warnings.insert(
            0,
            MappingError::at(
                RejectionKind::InvalidValue,
                format!(
                    "coverage {n} is self-pay (payer '{payer}'): no coverage is stored{marked}"
                ),
                "coverage",
                *n,
                "payer_id",
            ),
        );
    }
    warnings.sort_by_key(|w| w.field.as_ref().map(|(_, n, _)| *n));
    let status = if !read.is_empty() {
        Some(false)
    } else {
        only_self_pay.then_some(true)
    };
    (read, status, warnings)
}

impl EncounterRecord {
    /// The canonical encounter of `patient_id`, seen by `attending_provider_id` (`None` keeps
    /// the stored attending).
    pub fn encounter(
        &self,
        patient_id: i64,
        attending_provider_id: Option<i64>,
    ) -> Encounter<FieldValue> {
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
            self_pay: self.self_pay,
        }
    }
}

impl CoverageRecord {
    /// The canonical coverage of `patient_id` by `payer_id`.
    pub fn coverage(&self, patient_id: i64, payer_id: i64) -> Coverage<FieldValue> {
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
    /// Builds typed records from evaluated block occurrences, checking required values and
    /// numbers; answers them with what was left out (see [`Records::warnings`]) as errors
    /// locating the field each concerns.
    pub fn build(
        patient: Option<Values>,
        identifiers: Vec<Occurrence>,
        merged: Vec<Occurrence>,
        encounter: Option<Values>,
        coverage_blocks: Vec<Occurrence>,
        charges: Vec<Occurrence>,
    ) -> Result<(Records, Vec<MappingError>), MappingError> {
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
                    family_name: field(&v, "family_name"),
                    given_name: field(&v, "given_name"),
                    middle_name: field(&v, "middle_name"),
                    birth_date: field(&v, "birth_date"),
                    gender: field(&v, "gender"),
                    phone: field(&v, "phone"),
                    address: Address {
                        line: field(&v, "address_line"),
                        city: field(&v, "city"),
                        state: field(&v, "state"),
                        postal_code: field(&v, "postal_code"),
                        country: field(&v, "country"),
                    },
                })
            }
        };
        // Without a visit number nothing identifies the visit: the message has no encounter.
        let encounter =
            encounter.filter(|v| v.get("visit_number").is_some_and(FieldValue::is_sent));
        let (coverages, self_pay, warnings) = coverages(&coverage_blocks, encounter.is_some());
        let encounter = encounter
            .map(|v| {
                Ok::<_, MappingError>(EncounterRecord {
                    visit_number: required(&v, "encounter", 1, "visit_number")?,
                    class: field(&v, "class"),
                    status: field(&v, "status"),
                    admitted_at: field(&v, "admitted_at"),
                    discharged_at: field(&v, "discharged_at"),
                    location: field(&v, "location"),
                    facility: field(&v, "facility"),
                    attending_npi: field(&v, "attending_npi"),
                    attending_name: field(&v, "attending_name"),
                    diagnosis_codes: list(v.get("diagnosis_codes")),
                    self_pay,
                })
            })
            .transpose()?;
        let charges = charges
            .iter()
            .map(|(n, v)| {
                let n = *n;
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
                let units_thousandths = match v.get("units").and_then(FieldValue::as_deref) {
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
                    revenue_code: field(v, "revenue_code").known(),
                    diagnosis_codes: list(v.get("diagnosis_codes")),
                    units_thousandths,
                    charge_cents,
                    description: field(v, "description").known(),
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
        let records = Records {
            patient,
            merged_identifiers,
            encounter,
            coverages,
            charges,
            clinical: None,
            warnings: Vec::new(),
        };
        Ok((records, warnings))
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
