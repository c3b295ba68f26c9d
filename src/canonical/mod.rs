//! The canonical model every wire format maps into: patients, visits, coverage, providers, payers,
//! contracts and bills. Money is integer cents; quantities are integer thousandths; dates are
//! ISO 8601 text (`YYYY-MM-DD`, or a full timestamp where the time matters).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

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
pub struct Address {
    /// Street lines, joined with `, `.
    pub line: Option<String>,
    /// City.
    pub city: Option<String>,
    /// State or province.
    pub state: Option<String>,
    /// ZIP or postal code.
    pub postal_code: Option<String>,
    /// Country.
    pub country: Option<String>,
}

/// A patient. Identified by any of their identifiers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Patient {
    /// At least one identifier; the first is the primary one.
    pub identifiers: Vec<Identifier>,
    /// Family (last) name.
    pub family_name: Option<String>,
    /// Given (first) name.
    pub given_name: Option<String>,
    /// Middle name or initial.
    pub middle_name: Option<String>,
    /// Date of birth, `YYYY-MM-DD`.
    pub birth_date: Option<String>,
    /// Administrative gender: `male`, `female`, `other` or `unknown`.
    pub gender: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// Home address.
    #[serde(default)]
    pub address: Address,
}

/// A visit (HL7 PV1, FHIR Encounter).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Encounter {
    /// Visit number (PV1-19); unique.
    pub visit_number: String,
    /// Store id of the patient.
    pub patient_id: i64,
    /// `inpatient`, `outpatient`, `emergency`...
    pub class: Option<String>,
    /// `planned`, `in-progress`, `finished`, `cancelled`.
    pub status: Option<String>,
    /// Admission time.
    pub admitted_at: Option<String>,
    /// Discharge time.
    pub discharged_at: Option<String>,
    /// Assigned location.
    pub location: Option<String>,
    /// Facility.
    pub facility: Option<String>,
    /// Store id of the attending provider.
    pub attending_provider_id: Option<i64>,
    /// Diagnoses of the visit (ICD-10), principal first.
    #[serde(default)]
    pub diagnosis_codes: Vec<String>,
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
pub struct Coverage {
    /// Store id of the patient.
    pub patient_id: i64,
    /// Store id of the payer.
    pub payer_id: i64,
    /// Member (subscriber) id.
    pub member_id: String,
    /// Plan name.
    pub plan_name: Option<String>,
    /// Group number.
    pub group_number: Option<String>,
    /// Subscriber's name when not the patient.
    pub subscriber_name: Option<String>,
    /// Patient's relationship to the subscriber (`self`, `spouse`, `child`, `other`).
    pub relationship: Option<String>,
    /// 1 primary, 2 secondary, ...
    pub priority: i64,
    /// First covered day.
    pub effective_from: Option<String>,
    /// Last covered day.
    pub effective_to: Option<String>,
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
