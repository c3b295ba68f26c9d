//! The canonical model every wire format maps into: patients, visits, coverage, providers, payers,
//! contracts and bills. Money is integer cents; quantities are integer thousandths; dates are
//! ISO 8601 text (`YYYY-MM-DD`, or a full timestamp where the time matters).
//!
//! [`Patient`], [`Address`], [`Encounter`] and [`Coverage`] take their optional text fields as
//! a type parameter: `Option<String>` (the default) for a whole record, as stored and as a FHIR
//! `PUT` replaces it, or [`FieldValue`] for what one message says (absent, cleared or a value),
//! as a mapping reads it.

use std::collections::HashMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What a message says about one optional field: nothing, "clear it", or a value.
///
/// In JSON an absent field is left out, a cleared one is `null` and a value is a string; a
/// record field of this type must be `#[serde(default, skip_serializing_if =
/// "FieldState::is_absent")]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum FieldValue {
    /// Not sent (an empty HL7 v2 field): the stored value stays.
    #[default]
    Absent,
    /// Sent as an explicit null (HL7 v2 `""`): the stored value is cleared.
    Clear,
    /// The value.
    Value(String),
}

impl FieldValue {
    /// The value, when there is one.
    pub fn as_deref(&self) -> Option<&str> {
        match self {
            FieldValue::Value(value) => Some(value),
            FieldValue::Absent | FieldValue::Clear => None,
        }
    }

    /// The value, when there is one (absent and cleared are both no value).
    pub fn known(&self) -> Option<String> {
        self.as_deref().map(str::to_string)
    }

    /// Whether the message sent something: a value or a clear.
    pub fn is_sent(&self) -> bool {
        !matches!(self, FieldValue::Absent)
    }
}

impl From<&str> for FieldValue {
    fn from(value: &str) -> Self {
        FieldValue::Value(value.to_string())
    }
}

impl Serialize for FieldValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            FieldValue::Value(value) => serializer.serialize_str(value),
            FieldValue::Absent | FieldValue::Clear => serializer.serialize_none(),
        }
    }
}

impl<'de> Deserialize<'de> for FieldValue {
    /// A string is a value and `null` a clear (records stored before absent fields were left
    /// out wrote `null` for them, and replaced the stored value with nothing: the same).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Option::<String>::deserialize(deserializer)?
            .map_or(FieldValue::Clear, FieldValue::Value))
    }
}

/// The type of the optional text fields of a record: `Option<String>` for a whole record,
/// [`FieldValue`] for an update.
pub trait FieldState: Clone + Default {
    /// Whether a record of this type is an update, which leaves alone what it does not say
    /// (for fields that are not of this type, such as [`Encounter::attending_provider_id`]).
    const UPDATE: bool;

    /// Whether the field is left out of the JSON form (an absent update).
    fn is_absent(&self) -> bool;
}

impl FieldState for Option<String> {
    const UPDATE: bool = false;

    fn is_absent(&self) -> bool {
        false
    }
}

impl FieldState for FieldValue {
    const UPDATE: bool = true;

    fn is_absent(&self) -> bool {
        !self.is_sent()
    }
}

/// An identifier issued by an assigning authority (MRN, SSN, member number...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Identifier {
    /// The assigning authority or FHIR system, e.g. `HOSP` or `http://hospital.org/mrn`.
    pub system: String,
    /// The identifier itself.
    pub value: String,
    /// Identifier type code (HL7 table 0203: `MR`, `SS`, `PI`...), when known.
    #[serde(default)]
    pub type_code: Option<String>,
}

/// A postal address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Address<F: FieldState = Option<String>> {
    /// Street lines, joined with `, `.
    #[serde(default, skip_serializing_if = "FieldState::is_absent")]
    pub line: F,
    /// City.
    #[serde(default, skip_serializing_if = "FieldState::is_absent")]
    pub city: F,
    /// State or province.
    #[serde(default, skip_serializing_if = "FieldState::is_absent")]
    pub state: F,
    /// ZIP or postal code.
    #[serde(default, skip_serializing_if = "FieldState::is_absent")]
    pub postal_code: F,
    /// Country.
    #[serde(default, skip_serializing_if = "FieldState::is_absent")]
    pub country: F,
}

/// A patient. Identified by any of their identifiers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Patient<F: FieldState = Option<String>> {
    /// At least one identifier; the first is the primary one.
    pub identifiers: Vec<Identifier>,
    /// Family (last) name.
    #[serde(default, skip_serializing_if = "FieldState::is_absent")]
    pub family_name: F,
    /// Given (first) name.
    #[serde(default, skip_serializing_if = "FieldState::is_absent")]
    pub given_name: F,
    /// Middle name or initial.
    #[serde(default, skip_serializing_if = "FieldState::is_absent")]
    pub middle_name: F,
    /// Date of birth, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "FieldState::is_absent")]
    pub birth_date: F,
    /// Administrative gender: `male`, `female`, `other` or `unknown`.
    #[serde(default, skip_serializing_if = "FieldState::is_absent")]
    pub gender: F,
    /// Phone number.
    #[serde(default, skip_serializing_if = "FieldState::is_absent")]
    pub phone: F,
    /// Home address.
    #[serde(default)]
    pub address: Address<F>,
}

/// The names of a patient's fields: as mappings set them, and as the store's columns.
pub const PATIENT_FIELDS: [&str; 11] = [
    "family_name",
    "given_name",
    "middle_name",
    "birth_date",
    "gender",
    "phone",
    "address_line",
    "city",
    "state",
    "postal_code",
    "country",
];

impl Patient<FieldValue> {
    /// The values this update holds, as a whole record (absent and cleared fields are `None`).
    pub fn known(&self) -> Patient {
        let address = &self.address;
        Patient {
            identifiers: self.identifiers.clone(),
            family_name: self.family_name.known(),
            given_name: self.given_name.known(),
            middle_name: self.middle_name.known(),
            birth_date: self.birth_date.known(),
            gender: self.gender.known(),
            phone: self.phone.known(),
            address: Address {
                line: address.line.known(),
                city: address.city.known(),
                state: address.state.known(),
                postal_code: address.postal_code.known(),
                country: address.country.known(),
            },
        }
    }
}

/// A visit (HL7 PV1, FHIR Encounter).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Encounter<F: FieldState = Option<String>> {
    /// Visit number (PV1-19); unique.
    pub visit_number: String,
    /// Store id of the patient.
    pub patient_id: i64,
    /// `inpatient`, `outpatient`, `emergency`...
    #[serde(default, skip_serializing_if = "FieldState::is_absent")]
    pub class: F,
    /// `planned`, `in-progress`, `finished`, `cancelled`.
    #[serde(default, skip_serializing_if = "FieldState::is_absent")]
    pub status: F,
    /// Admission time.
    #[serde(default, skip_serializing_if = "FieldState::is_absent")]
    pub admitted_at: F,
    /// Discharge time.
    #[serde(default, skip_serializing_if = "FieldState::is_absent")]
    pub discharged_at: F,
    /// Assigned location.
    #[serde(default, skip_serializing_if = "FieldState::is_absent")]
    pub location: F,
    /// Facility.
    #[serde(default, skip_serializing_if = "FieldState::is_absent")]
    pub facility: F,
    /// Store id of the attending provider. In an update (`F` = [`FieldValue`]), `None` keeps
    /// the stored one.
    pub attending_provider_id: Option<i64>,
    /// Diagnoses of the visit (ICD-10), principal first; empty keeps the stored ones.
    #[serde(default)]
    pub diagnosis_codes: Vec<String>,
    /// Whether the patient pays for the visit themself (a self-pay IN1); `None` when not known,
    /// which keeps what is stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_pay: Option<bool>,
}

impl Encounter<FieldValue> {
    /// The values this update holds, as a whole record (absent and cleared fields are `None`).
    pub fn known(&self) -> Encounter {
        Encounter {
            visit_number: self.visit_number.clone(),
            patient_id: self.patient_id,
            class: self.class.known(),
            status: self.status.known(),
            admitted_at: self.admitted_at.known(),
            discharged_at: self.discharged_at.known(),
            location: self.location.known(),
            facility: self.facility.known(),
            attending_provider_id: self.attending_provider_id,
            diagnosis_codes: self.diagnosis_codes.clone(),
            self_pay: self.self_pay,
        }
    }
}

/// A practitioner or organization that renders or bills care, keyed by NPI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    /// National Provider Identifier (10 digits).
    pub npi: String,
    /// Display name.
    pub name: String,
    /// `individual` or `organization`.
    pub kind: String,
    /// Tax id (EIN), for billing providers.
    pub tax_id: Option<String>,
    /// Healthcare provider taxonomy code.
    pub taxonomy: Option<String>,
}

/// A payer (HMO / insurer), keyed by its payer id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Payer {
    /// The payer's id as used on claims.
    pub payer_id: String,
    /// Name.
    pub name: String,
    /// `837P` (professional) or `837I` (institutional).
    pub claim_type: String,
    /// X12 interchange receiver id.
    pub receiver_id: Option<String>,
    /// X12 interchange receiver id qualifier.
    pub receiver_qualifier: Option<String>,
}

/// What a payer's contract says it pays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contract {
    /// Store id of the payer.
    pub payer_id: i64,
    /// Contract name, unique per payer.
    pub name: String,
    /// First day in force, `YYYY-MM-DD`.
    pub effective_from: Option<String>,
    /// Last day in force, `YYYY-MM-DD`.
    pub effective_to: Option<String>,
    /// Annual deductible, in cents.
    pub deductible_cents: i64,
    /// Copay per visit, in cents.
    pub copay_cents: i64,
    /// Coinsurance in basis points (2000 = 20%).
    pub coinsurance_basis_points: i64,
    /// Days after service within which a claim must be filed.
    pub timely_filing_days: Option<i64>,
    /// Allowed amounts per procedure.
    #[serde(default)]
    pub fees: Vec<Fee>,
}

/// One fee schedule entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fee {
    /// CPT/HCPCS code.
    pub procedure_code: String,
    /// Modifiers, in order; empty for the unmodified code.
    #[serde(default)]
    pub modifiers: Vec<String>,
    /// Allowed amount, in cents.
    pub allowed_cents: i64,
}

/// A patient's insurance with one payer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Coverage<F: FieldState = Option<String>> {
    /// Store id of the patient.
    pub patient_id: i64,
    /// Store id of the payer.
    pub payer_id: i64,
    /// Member (subscriber) id.
    pub member_id: String,
    /// Plan name.
    #[serde(default, skip_serializing_if = "FieldState::is_absent")]
    pub plan_name: F,
    /// Group number.
    #[serde(default, skip_serializing_if = "FieldState::is_absent")]
    pub group_number: F,
    /// Subscriber's name when not the patient.
    #[serde(default, skip_serializing_if = "FieldState::is_absent")]
    pub subscriber_name: F,
    /// Patient's relationship to the subscriber (`self`, `spouse`, `child`, `other`).
    #[serde(default, skip_serializing_if = "FieldState::is_absent")]
    pub relationship: F,
    /// 1 primary, 2 secondary, ...
    pub priority: i64,
    /// First covered day.
    #[serde(default, skip_serializing_if = "FieldState::is_absent")]
    pub effective_from: F,
    /// Last covered day.
    #[serde(default, skip_serializing_if = "FieldState::is_absent")]
    pub effective_to: F,
}

impl Coverage<FieldValue> {
    /// The values this update holds, as a whole record (absent and cleared fields are `None`).
    pub fn known(&self) -> Coverage {
        Coverage {
            patient_id: self.patient_id,
            payer_id: self.payer_id,
            member_id: self.member_id.clone(),
            plan_name: self.plan_name.known(),
            group_number: self.group_number.known(),
            subscriber_name: self.subscriber_name.known(),
            relationship: self.relationship.known(),
            priority: self.priority,
            effective_from: self.effective_from.known(),
            effective_to: self.effective_to.known(),
        }
    }
}

/// The bill of one encounter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bill {
    /// Store id of the encounter; one bill per encounter.
    pub encounter_id: i64,
    /// Store id of the patient.
    pub patient_id: i64,
    /// `open`, `ready`, `claimed`, `closed`.
    pub status: String,
}

/// One charge on a bill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BillLine {
    /// Store id of the bill.
    pub bill_id: i64,
    /// Key of the charge in its source (e.g. FT1 transaction id), unique per bill.
    pub line_key: String,
    /// Date of service, `YYYY-MM-DD`.
    pub service_date: String,
    /// CPT/HCPCS code.
    pub procedure_code: String,
    /// Modifiers, in order.
    #[serde(default)]
    pub modifiers: Vec<String>,
    /// UB revenue code for institutional bills.
    pub revenue_code: Option<String>,
    /// ICD-10 diagnosis codes pointed to by this line.
    #[serde(default)]
    pub diagnosis_codes: Vec<String>,
    /// Units in thousandths (1000 = one unit).
    pub units_thousandths: i64,
    /// Charge, in cents.
    pub charge_cents: i64,
    /// Description.
    pub description: Option<String>,
}

/// Joins a list (modifiers, diagnosis codes) into the stored comma-separated form.
pub fn join_codes(codes: &[String]) -> String {
    codes.join(",")
}

/// Splits the stored comma-separated form back into a list.
pub fn split_codes(codes: &str) -> Vec<String> {
    codes
        .split(',')
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

/// What identifies one service line, on a claim we sent or in a payer's remittance: what
/// matching a remitted line to our claim line compares.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineFacts {
    /// Procedure code.
    pub procedure: String,
    /// Modifiers, joined by `,`.
    pub modifiers: String,
    /// For a remitted line: the procedure we billed, when the payer changed it (SVC06).
    pub original_procedure: Option<String>,
    /// For a remitted line: the modifiers we billed, when the payer changed the procedure.
    pub original_modifiers: Option<String>,
    /// Service date, `YYYY-MM-DD`.
    pub service_date: Option<String>,
    /// Units, in thousandths.
    pub units_thousandths: Option<i64>,
    /// Line item control number (REF*6R, our bill line id).
    pub control_number: Option<String>,
}

/// A payer contract's terms as pricing reads them: the member's cost sharing and the fee
/// schedule by procedure and modifiers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContractTerms {
    /// Yearly deductible, cents.
    pub deductible_cents: i64,
    /// Copay per visit (claim), cents.
    pub copay_cents: i64,
    /// Coinsurance in basis points (2000 = 20%).
    pub coinsurance_basis_points: i64,
    /// Allowed amount per unit, cents, by (procedure code, modifiers joined by `,`).
    pub fees: HashMap<(String, String), i64>,
}

impl ContractTerms {
    /// The allowed amount for a line: the fee for the procedure with these modifiers (else
    /// without modifiers) times the units, never more than the charge. `None` when the fee
    /// schedule has no price for the procedure.
    pub fn allowed(
        &self,
        procedure: &str,
        modifiers: &str,
        units_thousandths: i64,
        charge_cents: i64,
    ) -> Option<i64> {
        let fee = self
            .fees
            .get(&(procedure.to_string(), modifiers.to_string()))
            .or_else(|| self.fees.get(&(procedure.to_string(), String::new())))?;
        let units = units_thousandths.max(1000);
        let allowed = i64::try_from(i128::from(*fee) * i128::from(units) / 1000).ok()?;
        Some(allowed.min(charge_cents))
    }
}
