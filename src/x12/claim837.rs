//! 837P (005010X222A1) and 837I (005010X223A2) claim writer from plain input structs.
//!
//! [`write_837`] first validates the whole batch and returns every problem found (per claim,
//! with the field at fault) as [`Claim837Error::Invalid`]; only a batch without problems is
//! written, so a half-built file never leaves this module.
//!
//! Hierarchy written: 1000A submitter (NM1*41, PER), 1000B receiver (NM1*40), HL 20 billing
//! provider (PRV, NM1*85, N3, N4, REF*EI, pay-to NM1*87), then per subscriber HL 22 (SBR,
//! NM1*IL, DMG, NM1*PR) with child code 0 when the subscriber is the patient, and HL 23 (PAT,
//! NM1*QC, DMG) when the patient is someone else; claims (CLM, HI, providers, LX lines) follow
//! the level of the patient.
//!
//! This file is long because it writes both the 837P and the 837I, loop by loop, after validating
//! every claim of the batch.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::codes::code_enum;
use super::values::{Amount, Date, Quantity, Time};
use super::writer::{Field, GroupHeader, InterchangeHeader, WriteError, X12Writer};

/// Professional or institutional claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClaimKind {
    /// 837P, 005010X222A1: SV1 lines, CLM05 place of service.
    Professional,
    /// 837I, 005010X223A2: SV2 lines, CLM05 type of bill, CL1 and statement dates.
    Institutional,
}

impl ClaimKind {
    /// The implementation convention reference (ST03, GS08).
    pub fn implementation_ref(self) -> &'static str {
        match self {
            ClaimKind::Professional => "005010X222A1",
            ClaimKind::Institutional => "005010X223A2",
        }
    }

    /// Most diagnosis codes one claim can carry: twelve HI composites in the 837P; the
    /// principal plus twenty-four others (two HI segments) in the 837I.
    fn max_diagnoses(self) -> usize {
        match self {
            ClaimKind::Professional => 12,
            ClaimKind::Institutional => 25,
        }
    }
}

code_enum! {
    /// DMG03: administrative gender.
    pub enum Gender {
        Female = "F" => "female",
        Male = "M" => "male",
        Unknown = "U" => "unknown",
    }
}

/// A person's name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonName {
    /// Last name.
    pub last: String,
    /// First name.
    pub first: Option<String>,
    /// Middle name or initial.
    pub middle: Option<String>,
    /// Suffix (Jr, III).
    pub suffix: Option<String>,
}

/// Generational suffixes recognised at the end of a name given as one string.
const NAME_SUFFIXES: [&str; 5] = ["JR", "SR", "II", "III", "IV"];

impl PersonName {
    /// Splits a name that arrives as one string:
    /// - `Last, First Middle[, Suffix]`: the part before the first comma is the last name, the
    ///   first word after it the first name, the other words the middle name, and a part
    ///   after a second comma the suffix;
    /// - otherwise `First Middle Last [Suffix]`: the first word is the first name, the last
    ///   word the last name and the words between the middle name; a last word that is a
    ///   generational suffix (Jr, Sr, II, III, IV, with or without a period) is the suffix
    ///   when at least two words come before it.
    ///
    /// One word is a last name alone. Runs of whitespace count as one space. Prefixes and
    /// degrees (Dr, MD) are not recognised, and a last name of several words (`van Dyke`) is
    /// only kept whole in the `Last, First` form.
    pub fn from_full_name(full_name: &str) -> PersonName {
        let words = |text: &str| {
            text.split_whitespace()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        };
        let joined = |words: &[String]| Some(words.join(" ")).filter(|text| !text.is_empty());
        let mut parts = full_name.splitn(3, ',');
        let before_comma = parts.next().unwrap_or_default();
        if let Some(given) = parts.next() {
            let given = words(given);
            return PersonName {
                last: words(before_comma).join(" "),
                first: given.first().cloned(),
                middle: joined(given.get(1..).unwrap_or_default()),
                suffix: parts.next().and_then(|suffix| joined(&words(suffix))),
            };
        }
        let mut words = words(before_comma);
        let is_suffix = |word: &String| {
            let bare = word.trim_end_matches('.').to_ascii_uppercase();
            NAME_SUFFIXES.contains(&bare.as_str())
        };
        let suffix = match words.last() {
            Some(word) if words.len() >= 3 && is_suffix(word) => words.pop(),
            _ => None,
        };
        let last = words.pop().unwrap_or_default();
        let first = (!words.is_empty()).then(|| words.remove(0));
        PersonName {
            last,
            first,
            middle: joined(&words),
            suffix,
        }
    }

    /// The name to write in NM103 to NM107: this one, or, when it holds a whole name in
    /// `last` (no first name, and a space or comma in it), that name split by
    /// [`PersonName::from_full_name`].
    fn for_nm1(&self) -> Cow<'_, PersonName> {
        let whole_name_in_last = self.first.as_deref().is_none_or(str::is_empty)
            && self.last.trim().contains([' ', ',']);
        if whole_name_in_last {
            let mut split = PersonName::from_full_name(&self.last);
            split.suffix = split.suffix.or_else(|| self.suffix.clone());
            split.middle = split.middle.or_else(|| self.middle.clone());
            Cow::Owned(split)
        } else {
            Cow::Borrowed(self)
        }
    }
}

/// A postal address (N3/N4).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostalAddress {
    /// N301.
    pub line1: String,
    /// N302.
    pub line2: Option<String>,
    /// N401.
    pub city: String,
    /// N402: state code.
    pub state: String,
    /// N403: ZIP code (nine digits for the billing provider).
    pub postal_code: String,
}

/// Loop 1000A: the submitter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submitter {
    /// NM103: organization name.
    pub name: String,
    /// NM109: submitter identifier (ETIN) assigned by the receiver.
    pub id: String,
    /// PER02: contact name.
    pub contact_name: String,
    /// PER TE: telephone number.
    pub phone: Option<String>,
    /// PER EM: email address.
    pub email: Option<String>,
}

/// Loop 1000B: the receiver (clearinghouse or payer).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receiver {
    /// NM103: organization name.
    pub name: String,
    /// NM109: receiver primary identifier.
    pub id: String,
}

/// Loop 2010AA: the billing provider.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingProvider {
    /// NM103: organization name.
    pub organization_name: String,
    /// NM109: national provider identifier (10 digits, Luhn check digit).
    pub npi: String,
    /// REF*EI: employer identification number (9 digits).
    pub tax_id: String,
    /// PRV03: provider taxonomy code.
    pub taxonomy: Option<String>,
    /// N3/N4: physical address.
    pub address: PostalAddress,
}

/// A provider named on a claim (rendering, referring or attending).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimProvider {
    /// The provider's name (NM1 with NM102 `1`: a person). A whole name given in `last`
    /// without a first name (`Ben Kildare`, `Kildare, Ben`) is split into NM103 last name,
    /// NM104 first name and NM105 middle name by [`PersonName::from_full_name`].
    pub name: PersonName,
    /// National provider identifier.
    pub npi: String,
    /// PRV03: taxonomy code, when sent.
    pub taxonomy: Option<String>,
}

/// Loop 2000B/2010BA: the subscriber.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscriber {
    /// SBR01: payer responsibility sequence (`P` primary, `S` secondary, `T` tertiary).
    pub payer_responsibility: String,
    /// SBR03: group or policy number.
    pub group_number: Option<String>,
    /// SBR09: claim filing indicator code (`CI` commercial, `MB` Medicare part B, `MC`
    /// Medicaid...).
    pub claim_filing_indicator: String,
    /// NM109 (MI): member identification number.
    pub member_id: String,
    /// The subscriber's name.
    pub name: PersonName,
    /// DMG02: date of birth (required when the subscriber is the patient).
    pub date_of_birth: Option<Date>,
    /// DMG03: gender (required when the subscriber is the patient).
    pub gender: Option<Gender>,
    /// N3/N4: address.
    pub address: Option<PostalAddress>,
}

/// Loop 2010BB: the payer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payer {
    /// NM103: payer name.
    pub name: String,
    /// NM109 (PI): payer identifier.
    pub id: String,
}

/// Loop 2000C/2010CA: the patient, when not the subscriber.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Patient {
    /// PAT01: individual relationship code (`01` spouse, `19` child, `20` employee, `21`
    /// unknown, `39` organ donor, `40` cadaver donor, `53` life partner, `G8` other).
    pub relationship_to_subscriber: String,
    /// The patient's name.
    pub name: PersonName,
    /// DMG02: date of birth.
    pub date_of_birth: Option<Date>,
    /// DMG03: gender.
    pub gender: Option<Gender>,
    /// N3/N4: address.
    pub address: Option<PostalAddress>,
}

/// Institutional-only claim information (837I).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstitutionalClaim {
    /// CL101: priority (type) of admission or visit.
    pub admission_type: String,
    /// CL102: point of origin (source) of admission.
    pub admission_source: Option<String>,
    /// CL103: patient discharge status.
    pub patient_status: String,
    /// DTP*434: statement period start.
    pub statement_from: Option<Date>,
    /// DTP*434: statement period end.
    pub statement_to: Option<Date>,
    /// DTP*435: admission date.
    pub admission_date: Option<Date>,
    /// DTP*435: admission hour, written as `DT` with the date when present.
    pub admission_time: Option<Time>,
    /// Loop 2310A: attending provider.
    pub attending_provider: Option<ClaimProvider>,
}

/// One service line (loop 2400).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimLine {
    /// SV2-01: revenue code (837I, required there).
    pub revenue_code: Option<String>,
    /// HCPCS/CPT procedure code (SV101-2, SV202-2); required for 837P, optional for 837I.
    pub procedure_code: String,
    /// Procedure modifiers (up to four).
    pub modifiers: Vec<String>,
    /// Line item charge amount.
    pub charge: Amount,
    /// Units of service (`UN`).
    pub units: Quantity,
    /// SV105: place of service, when it differs from the claim's (837P).
    pub place_of_service: Option<String>,
    /// SV107: 1-based pointers into the claim's diagnosis codes, one to four (837P).
    pub diagnosis_pointers: Vec<usize>,
    /// DTP*472: date of service.
    pub service_date: Option<Date>,
    /// REF*6R: line item control number, returned in the 835 and 277CA.
    pub line_control_number: Option<String>,
}

/// One claim (loop 2300).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    /// CLM01: patient control number (the claim id, at most 38 characters).
    pub claim_id: String,
    /// CLM02: total claim charge amount.
    pub total_charge: Amount,
    /// CLM05-1: place of service code (837P) or facility type code of the type of bill (837I).
    pub facility_code: String,
    /// CLM05-3: claim frequency type code (`1` original, `7` replacement, `8` void).
    pub frequency_code: String,
    /// REF*F8: the payer's claim control number of the claim a replacement (`7`) or void (`8`)
    /// refers to.
    #[serde(default)]
    pub payer_claim_number: Option<String>,
    /// REF*G1: the payer's prior authorization number for a service of the claim.
    #[serde(default)]
    pub prior_authorization: Option<String>,
    /// CLM06: provider signature on file (837P only).
    pub provider_signature_on_file: bool,
    /// CLM07: provider accepts assignment (`A`) or not (`C`).
    pub accepts_assignment: bool,
    /// CLM08: benefits assigned to the provider.
    pub benefits_assigned: bool,
    /// CLM09: release of information signed (`Y`) or informed consent only (`I`).
    pub release_of_information_signed: bool,
    /// ICD-10-CM diagnosis codes without the dot; the first is principal (ABK), the rest
    /// other (ABF).
    pub diagnoses: Vec<String>,
    /// Rendering provider (2310B in 837P, 2310D in 837I).
    pub rendering_provider: Option<ClaimProvider>,
    /// Referring provider (2310A in 837P, 2310F in 837I).
    pub referring_provider: Option<ClaimProvider>,
    /// 837I details; required for institutional claims, ignored for professional ones.
    pub institutional: Option<InstitutionalClaim>,
    /// Service lines.
    pub lines: Vec<ClaimLine>,
}

/// The claims of one subscriber (and patient) to one payer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriberClaims {
    /// The subscriber.
    pub subscriber: Subscriber,
    /// The payer.
    pub payer: Payer,
    /// The patient, when not the subscriber.
    pub patient: Option<Patient>,
    /// The claims.
    pub claims: Vec<Claim>,
}

/// A batch of claims from one billing provider: one 837 transaction set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimBatch {
    /// Professional or institutional.
    pub kind: ClaimKind,
    /// BHT03: originator application transaction identifier.
    pub reference_id: String,
    /// Loop 1000A.
    pub submitter: Submitter,
    /// Loop 1000B.
    pub receiver: Receiver,
    /// Loop 2010AA.
    pub billing_provider: BillingProvider,
    /// Loop 2010AB: pay-to address, when it differs from the billing provider's.
    pub pay_to_address: Option<PostalAddress>,
    /// Subscribers with their claims.
    pub subscribers: Vec<SubscriberClaims>,
}

/// Envelope values of an outbound 837 interchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimEnvelope {
    /// ISA values (its date and time are also written in GS and BHT).
    pub interchange: InterchangeHeader,
    /// GS02: application sender's code.
    pub application_sender_code: String,
    /// GS03: application receiver's code.
    pub application_receiver_code: String,
    /// GS06.
    pub group_control_number: u32,
    /// ST02.
    pub transaction_control_number: u32,
    /// Newline after each segment terminator.
    pub line_breaks: bool,
}

/// One problem found in a claim batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimProblem {
    /// CLM01 of the claim at fault; `None` for batch-level problems (submitter, billing
    /// provider, subscriber).
    pub claim_id: Option<String>,
    /// Path of the field at fault, e.g. `subscribers[0].claims[1].lines[2].charge`.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ClaimProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(claim_id) = &self.claim_id {
            write!(f, "claim {claim_id}: ")?;
        }
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Why an 837 was not written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Claim837Error {
    /// The batch has problems; every one found is listed.
    #[error("claim batch has {} problem(s): {}", .0.len(), .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<ClaimProblem>),
    /// A value could not be written (e.g. it contains a separator).
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// Whether `npi` is a valid national provider identifier: ten digits whose last is the Luhn
/// check digit computed over the prefix `80840` and the first nine digits.
pub fn is_valid_npi(npi: &str) -> bool {
    if npi.len() != 10 || !npi.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let digits = b"80840"
        .iter()
        .chain(npi.as_bytes())
        .map(|b| u32::from(b - b'0'));
    let sum: u32 = digits
        .rev()
        .enumerate()
        .map(|(index, digit)| match (index % 2 == 1, digit * 2) {
            (true, doubled) if doubled > 9 => doubled - 9,
            (true, doubled) => doubled,
            (false, _) => digit,
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Collects problems while walking a batch.
struct Checker {
    problems: Vec<ClaimProblem>,
    claim_id: Option<String>,
}

impl Checker {
    fn report(&mut self, field: &str, message: &str) {
        self.problems.push(ClaimProblem {
            claim_id: self.claim_id.clone(),
            field: field.to_owned(),
            message: message.to_owned(),
        });
    }

    fn require(&mut self, field: &str, value: &str) {
        if value.trim().is_empty() {
            self.report(field, "is required");
        }
    }

    fn npi(&mut self, field: &str, npi: &str) {
        if npi.trim().is_empty() {
            self.report(field, "NPI is required");
        } else if !is_valid_npi(npi) {
            self.report(
                field,
                "is not a valid NPI (10 digits with a Luhn check digit over prefix 80840)",
            );
        }
    }

    fn address(&mut self, field: &str, address: &PostalAddress) {
        self.require(&format!("{field}.line1"), &address.line1);
        self.require(&format!("{field}.city"), &address.city);
        self.require(&format!("{field}.state"), &address.state);
        self.require(&format!("{field}.postal_code"), &address.postal_code);
    }

    fn provider(&mut self, field: &str, provider: &ClaimProvider) {
        self.require(&format!("{field}.name.last"), &provider.name.for_nm1().last);
        self.npi(&format!("{field}.npi"), &provider.npi);
    }

    fn positive(&mut self, field: &str, amount: Amount) {
        if amount <= Amount::ZERO {
            self.report(
                field,
                &format!("must be greater than zero (found {amount})"),
            );
        }
    }

    fn batch(&mut self, batch: &ClaimBatch) {
        self.require("reference_id", &batch.reference_id);
        self.require("submitter.name", &batch.submitter.name);
        self.require("submitter.id", &batch.submitter.id);
        self.require("submitter.contact_name", &batch.submitter.contact_name);
        if batch.submitter.phone.is_none() && batch.submitter.email.is_none() {
            self.report("submitter", "needs a phone number or an email address");
        }
        self.require("receiver.name", &batch.receiver.name);
        self.require("receiver.id", &batch.receiver.id);
        let billing = &batch.billing_provider;
        self.require(
            "billing_provider.organization_name",
            &billing.organization_name,
        );
        self.npi("billing_provider.npi", &billing.npi);
        if billing.tax_id.len() != 9 || !billing.tax_id.bytes().all(|b| b.is_ascii_digit()) {
            self.report(
                "billing_provider.tax_id",
                "must be the 9-digit employer identification number",
            );
        }
        self.address("billing_provider.address", &billing.address);
        if let Some(pay_to) = &batch.pay_to_address {
            self.address("pay_to_address", pay_to);
        }
        if batch.subscribers.is_empty() {
            self.report(
                "subscribers",
                "at least one subscriber with claims is required",
            );
        }
        for (index, group) in batch.subscribers.iter().enumerate() {
            self.subscriber(batch.kind, &format!("subscribers[{index}]"), group);
        }
    }

    fn subscriber(&mut self, kind: ClaimKind, path: &str, group: &SubscriberClaims) {
        self.claim_id = None;
        let subscriber = &group.subscriber;
        self.require(
            &format!("{path}.subscriber.member_id"),
            &subscriber.member_id,
        );
        self.require(
            &format!("{path}.subscriber.name.last"),
            &subscriber.name.last,
        );
        self.require(
            &format!("{path}.subscriber.payer_responsibility"),
            &subscriber.payer_responsibility,
        );
        self.require(
            &format!("{path}.subscriber.claim_filing_indicator"),
            &subscriber.claim_filing_indicator,
        );
        self.require(&format!("{path}.payer.name"), &group.payer.name);
        self.require(&format!("{path}.payer.id"), &group.payer.id);
        match &group.patient {
            None => {
                if subscriber.date_of_birth.is_none() {
                    self.report(
                        &format!("{path}.subscriber.date_of_birth"),
                        "is required when the subscriber is the patient",
                    );
                }
                if subscriber.gender.is_none() {
                    self.report(
                        &format!("{path}.subscriber.gender"),
                        "is required when the subscriber is the patient",
                    );
                }
            }
            Some(patient) => {
                let relationship = patient.relationship_to_subscriber.as_str();
                if relationship.is_empty() || relationship == "18" {
                    self.report(
                        &format!("{path}.patient.relationship_to_subscriber"),
                        "must name a relationship other than self (18); leave the patient out when the subscriber is the patient",
                    );
                }
                self.require(&format!("{path}.patient.name.last"), &patient.name.last);
                if patient.date_of_birth.is_none() {
                    self.report(&format!("{path}.patient.date_of_birth"), "is required");
                }
                if patient.gender.is_none() {
                    self.report(&format!("{path}.patient.gender"), "is required");
                }
            }
        }
        if group.claims.is_empty() {
            self.report(&format!("{path}.claims"), "at least one claim is required");
        }
        for (index, claim) in group.claims.iter().enumerate() {
            self.claim(kind, &format!("{path}.claims[{index}]"), claim);
        }
        self.claim_id = None;
    }

    fn claim(&mut self, kind: ClaimKind, path: &str, claim: &Claim) {
        self.claim_id = Some(claim.claim_id.clone()).filter(|id| !id.is_empty());
        self.require(&format!("{path}.claim_id"), &claim.claim_id);
        if claim.claim_id.len() > 38 {
            self.report(&format!("{path}.claim_id"), "must be at most 38 characters");
        }
        self.positive(&format!("{path}.total_charge"), claim.total_charge);
        self.require(&format!("{path}.facility_code"), &claim.facility_code);
        self.require(&format!("{path}.frequency_code"), &claim.frequency_code);
        if matches!(claim.frequency_code.as_str(), "7" | "8") && claim.payer_claim_number.is_none()
        {
            self.report(
                &format!("{path}.payer_claim_number"),
                "a replacement or void needs the payer's claim number of the original (REF*F8)",
            );
        }
        if claim
            .prior_authorization
            .as_ref()
            .is_some_and(|n| n.is_empty() || n.len() > 50)
        {
            self.report(
                &format!("{path}.prior_authorization"),
                "must be 1-50 characters (REF*G1)",
            );
        }
        if claim.diagnoses.is_empty() {
            self.report(
                &format!("{path}.diagnoses"),
                "at least one diagnosis code is required",
            );
        }
        if claim.diagnoses.len() > kind.max_diagnoses() {
            let message = format!(
                "at most {} diagnosis codes fit one claim",
                kind.max_diagnoses()
            );
            self.report(&format!("{path}.diagnoses"), &message);
        }
        for (index, code) in claim.diagnoses.iter().enumerate() {
            let valid =
                (3..=7).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric());
            if !valid {
                let message =
                    format!("`{code}` is not an ICD-10-CM code (3-7 letters and digits, no dot)");
                self.report(&format!("{path}.diagnoses[{index}]"), &message);
            }
        }
        if let Some(provider) = &claim.rendering_provider {
            self.provider(&format!("{path}.rendering_provider"), provider);
        }
        if let Some(provider) = &claim.referring_provider {
            self.provider(&format!("{path}.referring_provider"), provider);
        }
        if kind == ClaimKind::Institutional {
            self.institutional(
                &format!("{path}.institutional"),
                claim.institutional.as_ref(),
            );
        }
        if claim.lines.is_empty() {
            self.report(
                &format!("{path}.lines"),
                "at least one service line is required",
            );
        }
        for (index, line) in claim.lines.iter().enumerate() {
            self.line(
                kind,
                &format!("{path}.lines[{index}]"),
                line,
                claim.diagnoses.len(),
            );
        }
        let line_total: Amount = claim.lines.iter().map(|l| l.charge).sum();
        if !claim.lines.is_empty() && line_total != claim.total_charge {
            let message = format!(
                "line charges total {line_total} but the claim total is {} (difference {})",
                claim.total_charge,
                claim.total_charge.saturating_sub(line_total)
            );
            self.report(&format!("{path}.total_charge"), &message);
        }
    }

    fn institutional(&mut self, path: &str, details: Option<&InstitutionalClaim>) {
        let Some(details) = details else {
            self.report(
                path,
                "is required for institutional claims (CL1 and statement dates)",
            );
            return;
        };
        self.require(&format!("{path}.admission_type"), &details.admission_type);
        self.require(&format!("{path}.patient_status"), &details.patient_status);
        match (details.statement_from, details.statement_to) {
            (Some(from), Some(to)) if from > to => {
                self.report(&format!("{path}.statement_to"), "is before statement_from");
            }
            (Some(_), Some(_)) => {}
            _ => self.report(
                &format!("{path}.statement_from"),
                "statement from and to dates are required",
            ),
        }
        if details.admission_time.is_some() && details.admission_date.is_none() {
            self.report(
                &format!("{path}.admission_date"),
                "is required when an admission time is given",
            );
        }
        if let Some(provider) = &details.attending_provider {
            self.provider(&format!("{path}.attending_provider"), provider);
        }
    }

    fn line(&mut self, kind: ClaimKind, path: &str, line: &ClaimLine, diagnosis_count: usize) {
        self.positive(&format!("{path}.charge"), line.charge);
        if line.units <= Quantity::default() {
            self.report(
                &format!("{path}.units"),
                &format!("must be greater than zero (found {})", line.units),
            );
        }
        if line.service_date.is_none() {
            self.report(&format!("{path}.service_date"), "is required");
        }
        if line.modifiers.len() > 4 {
            self.report(
                &format!("{path}.modifiers"),
                "at most four modifiers are allowed",
            );
        }
        match kind {
            ClaimKind::Professional => {
                self.require(&format!("{path}.procedure_code"), &line.procedure_code);
                if !(1..=4).contains(&line.diagnosis_pointers.len()) {
                    self.report(
                        &format!("{path}.diagnosis_pointers"),
                        "one to four diagnosis pointers are required",
                    );
                }
                for pointer in &line.diagnosis_pointers {
                    if *pointer == 0 || *pointer > diagnosis_count {
                        let message = format!(
                            "pointer {pointer} does not name one of the {diagnosis_count} diagnosis codes"
                        );
                        self.report(&format!("{path}.diagnosis_pointers"), &message);
                    }
                }
            }
            ClaimKind::Institutional => {
                let revenue = line.revenue_code.as_deref().unwrap_or_default();
                if revenue.len() != 4 || !revenue.bytes().all(|b| b.is_ascii_digit()) {
                    self.report(
                        &format!("{path}.revenue_code"),
                        "a 4-digit revenue code is required",
                    );
                }
            }
        }
    }
}

/// Validates a batch, returning every problem found.
pub fn validate_837(batch: &ClaimBatch) -> Vec<ClaimProblem> {
    let mut checker = Checker {
        problems: Vec::new(),
        claim_id: None,
    };
    checker.batch(batch);
    checker.problems
}

/// Validates `batch` and writes it as a complete 837P or 837I interchange.
pub fn write_837(batch: &ClaimBatch, envelope: &ClaimEnvelope) -> Result<Vec<u8>, Claim837Error> {
    let problems = validate_837(batch);
    if !problems.is_empty() {
        return Err(Claim837Error::Invalid(problems));
    }
    let mut writer = X12Writer::standard(envelope.line_breaks);
    let header = &envelope.interchange;
    writer.begin_interchange(header)?;
    writer.begin_group(&GroupHeader {
        functional_id: "HC".to_owned(),
        sender_code: envelope.application_sender_code.clone(),
        receiver_code: envelope.application_receiver_code.clone(),
        date: header.date,
        time: header.time,
        control_number: envelope.group_control_number,
        version: batch.kind.implementation_ref().to_owned(),
    })?;
    writer.begin_transaction(
        "837",
        envelope.transaction_control_number,
        Some(batch.kind.implementation_ref()),
    )?;
    ClaimWriter {
        writer: &mut writer,
        kind: batch.kind,
        next_hl: 1,
    }
    .batch(batch, header.date, header.time)?;
    writer.end_transaction()?;
    writer.end_group()?;
    writer.end_interchange()?;
    Ok(writer.finish()?)
}

/// Writes the body of an 837 transaction set.
struct ClaimWriter<'w> {
    writer: &'w mut X12Writer,
    kind: ClaimKind,
    next_hl: usize,
}

fn yes_no(flag: bool) -> &'static str {
    if flag { "Y" } else { "N" }
}

impl ClaimWriter<'_> {
    /// Writes an HL segment and returns its id.
    fn hierarchical_level(
        &mut self,
        parent: Option<usize>,
        level_code: &str,
        has_children: bool,
    ) -> Result<usize, WriteError> {
        let id = self.next_hl;
        self.next_hl += 1;
        let id_text = id.to_string();
        let parent_text = parent.map(|p| p.to_string()).unwrap_or_default();
        let child_code = if has_children { "1" } else { "0" };
        self.writer
            .segment("HL", &[&id_text, &parent_text, level_code, child_code])?;
        Ok(id)
    }

    /// NM1 for a person, with an optional identifier.
    fn person(
        &mut self,
        entity_code: &str,
        name: &PersonName,
        id: Option<(&str, &str)>,
    ) -> Result<(), WriteError> {
        let (qualifier, value) = id.unwrap_or_default();
        self.writer.segment(
            "NM1",
            &[
                entity_code,
                "1",
                &name.last,
                name.first.as_deref().unwrap_or_default(),
                name.middle.as_deref().unwrap_or_default(),
                "",
                name.suffix.as_deref().unwrap_or_default(),
                qualifier,
                value,
            ],
        )
    }

    /// NM1 for an organization.
    fn organization(
        &mut self,
        entity_code: &str,
        name: &str,
        qualifier: &str,
        id: &str,
    ) -> Result<(), WriteError> {
        self.writer.segment(
            "NM1",
            &[entity_code, "2", name, "", "", "", "", qualifier, id],
        )
    }

    fn address(&mut self, address: &PostalAddress) -> Result<(), WriteError> {
        self.writer.segment(
            "N3",
            &[&address.line1, address.line2.as_deref().unwrap_or_default()],
        )?;
        self.writer
            .segment("N4", &[&address.city, &address.state, &address.postal_code])
    }

    fn demographics(
        &mut self,
        date_of_birth: Option<Date>,
        gender: Option<&Gender>,
    ) -> Result<(), WriteError> {
        if date_of_birth.is_none() && gender.is_none() {
            return Ok(());
        }
        let birth = date_of_birth.map(|d| d.ccyymmdd()).unwrap_or_default();
        self.writer.segment(
            "DMG",
            &["D8", &birth, gender.map(Gender::code).unwrap_or_default()],
        )
    }

    /// NM1 of a claim-level provider, with PRV when the loop has one (`taxonomy_role`) and a
    /// taxonomy is known.
    fn claim_provider(
        &mut self,
        entity_code: &str,
        taxonomy_role: Option<&str>,
        provider: &ClaimProvider,
    ) -> Result<(), WriteError> {
        let name = provider.name.for_nm1();
        self.person(entity_code, &name, Some(("XX", &provider.npi)))?;
        if let (Some(role), Some(taxonomy)) = (taxonomy_role, &provider.taxonomy) {
            self.writer.segment("PRV", &[role, "PXC", taxonomy])?;
        }
        Ok(())
    }

    fn batch(&mut self, batch: &ClaimBatch, date: Date, time: Time) -> Result<(), WriteError> {
        let created = date.ccyymmdd();
        let hhmm = time.hhmm();
        self.writer.segment(
            "BHT",
            &["0019", "00", &batch.reference_id, &created, &hhmm, "CH"],
        )?;
        let submitter = &batch.submitter;
        self.organization("41", &submitter.name, "46", &submitter.id)?;
        let mut contact: Vec<&str> = vec!["IC", &submitter.contact_name];
        for (qualifier, value) in [("TE", &submitter.phone), ("EM", &submitter.email)] {
            if let Some(value) = value {
                contact.extend([qualifier, value.as_str()]);
            }
        }
        self.writer.segment("PER", &contact)?;
        self.organization("40", &batch.receiver.name, "46", &batch.receiver.id)?;

        let billing = &batch.billing_provider;
        let billing_hl = self.hierarchical_level(None, "20", true)?;
        if let Some(taxonomy) = &billing.taxonomy {
            self.writer.segment("PRV", &["BI", "PXC", taxonomy])?;
        }
        self.organization("85", &billing.organization_name, "XX", &billing.npi)?;
        self.address(&billing.address)?;
        self.writer.segment("REF", &["EI", &billing.tax_id])?;
        if let Some(pay_to) = &batch.pay_to_address {
            self.writer.segment("NM1", &["87", "2"])?;
            self.address(pay_to)?;
        }
        for group in &batch.subscribers {
            self.subscriber(billing_hl, group)?;
        }
        Ok(())
    }

    fn subscriber(
        &mut self,
        billing_hl: usize,
        group: &SubscriberClaims,
    ) -> Result<(), WriteError> {
        let subscriber = &group.subscriber;
        let subscriber_hl =
            self.hierarchical_level(Some(billing_hl), "22", group.patient.is_some())?;
        let relationship = if group.patient.is_none() { "18" } else { "" };
        self.writer.segment(
            "SBR",
            &[
                &subscriber.payer_responsibility,
                relationship,
                subscriber.group_number.as_deref().unwrap_or_default(),
                "",
                "",
                "",
                "",
                "",
                &subscriber.claim_filing_indicator,
            ],
        )?;
        self.person("IL", &subscriber.name, Some(("MI", &subscriber.member_id)))?;
        if let Some(address) = &subscriber.address {
            self.address(address)?;
        }
        self.demographics(subscriber.date_of_birth, subscriber.gender.as_ref())?;
        self.organization("PR", &group.payer.name, "PI", &group.payer.id)?;
        if let Some(patient) = &group.patient {
            self.hierarchical_level(Some(subscriber_hl), "23", false)?;
            self.writer
                .segment("PAT", &[&patient.relationship_to_subscriber])?;
            self.person("QC", &patient.name, None)?;
            if let Some(address) = &patient.address {
                self.address(address)?;
            }
            self.demographics(patient.date_of_birth, patient.gender.as_ref())?;
        }
        for claim in &group.claims {
            self.claim(claim)?;
        }
        Ok(())
    }

    fn claim(&mut self, claim: &Claim) -> Result<(), WriteError> {
        let total = claim.total_charge.to_string();
        let (facility_qualifier, signature) = match self.kind {
            ClaimKind::Professional => ("B", yes_no(claim.provider_signature_on_file)),
            ClaimKind::Institutional => ("A", ""),
        };
        let assignment = if claim.accepts_assignment { "A" } else { "C" };
        let release = if claim.release_of_information_signed {
            "Y"
        } else {
            "I"
        };
        self.writer.segment_fields(
            "CLM",
            &[
                Field::Simple(&claim.claim_id),
                Field::Simple(&total),
                Field::Simple(""),
                Field::Simple(""),
                Field::Composite(&[
                    &claim.facility_code,
                    facility_qualifier,
                    &claim.frequency_code,
                ]),
                Field::Simple(signature),
                Field::Simple(assignment),
                Field::Simple(yes_no(claim.benefits_assigned)),
                Field::Simple(release),
            ],
        )?;
        let institutional = claim
            .institutional
            .as_ref()
            .filter(|_| self.kind == ClaimKind::Institutional);
        if let Some(details) = institutional {
            self.institutional_dates(details)?;
        }
        // 2300 REF*G1 (prior authorization) comes before REF*F8 in both guides.
        if let Some(number) = &claim.prior_authorization {
            self.writer.segment("REF", &["G1", number])?;
        }
        if let Some(original) = &claim.payer_claim_number {
            self.writer.segment("REF", &["F8", original])?;
        }
        self.diagnoses(&claim.diagnoses)?;
        match (self.kind, institutional) {
            (ClaimKind::Institutional, Some(details)) => {
                // 2310A attending (with PRV*AT), 2310D rendering, 2310F referring.
                if let Some(attending) = &details.attending_provider {
                    self.claim_provider("71", Some("AT"), attending)?;
                }
                if let Some(rendering) = &claim.rendering_provider {
                    self.claim_provider("82", None, rendering)?;
                }
                if let Some(referring) = &claim.referring_provider {
                    self.claim_provider("DN", None, referring)?;
                }
            }
            _ => {
                // 2310A referring, 2310B rendering (with PRV*PE).
                if let Some(referring) = &claim.referring_provider {
                    self.claim_provider("DN", None, referring)?;
                }
                if let Some(rendering) = &claim.rendering_provider {
                    self.claim_provider("82", Some("PE"), rendering)?;
                }
            }
        }
        for (index, line) in claim.lines.iter().enumerate() {
            self.line(index + 1, line)?;
        }
        Ok(())
    }

    fn institutional_dates(&mut self, details: &InstitutionalClaim) -> Result<(), WriteError> {
        if let (Some(from), Some(to)) = (details.statement_from, details.statement_to) {
            let range = format!("{}-{}", from.ccyymmdd(), to.ccyymmdd());
            self.writer.segment("DTP", &["434", "RD8", &range])?;
        }
        if let Some(admitted) = details.admission_date {
            let (format, value) = match details.admission_time {
                Some(time) => ("DT", format!("{}{}", admitted.ccyymmdd(), time.hhmm())),
                None => ("D8", admitted.ccyymmdd()),
            };
            self.writer.segment("DTP", &["435", format, &value])?;
        }
        self.writer.segment(
            "CL1",
            &[
                &details.admission_type,
                details.admission_source.as_deref().unwrap_or_default(),
                &details.patient_status,
            ],
        )
    }

    /// HI segments: the 837P sends up to twelve codes in one HI (ABK then ABF); the 837I sends
    /// the principal alone, then the others twelve to a segment.
    fn diagnoses(&mut self, codes: &[String]) -> Result<(), WriteError> {
        let qualified: Vec<[&str; 2]> = codes
            .iter()
            .enumerate()
            .map(|(index, code)| [if index == 0 { "ABK" } else { "ABF" }, code.as_str()])
            .collect();
        let segments: Vec<&[[&str; 2]]> = match self.kind {
            ClaimKind::Professional => qualified.chunks(12).collect(),
            ClaimKind::Institutional => {
                let (principal, others) = qualified.split_at(qualified.len().min(1));
                std::iter::once(principal)
                    .chain(others.chunks(12))
                    .collect()
            }
        };
        for composites in segments.into_iter().filter(|c| !c.is_empty()) {
            let fields: Vec<Field<'_>> = composites.iter().map(|c| Field::Composite(c)).collect();
            self.writer.segment_fields("HI", &fields)?;
        }
        Ok(())
    }

    fn line(&mut self, number: usize, line: &ClaimLine) -> Result<(), WriteError> {
        let number_text = number.to_string();
        self.writer.segment("LX", &[&number_text])?;
        let mut procedure: Vec<&str> = vec!["HC", &line.procedure_code];
        procedure.extend(line.modifiers.iter().map(String::as_str));
        let charge = line.charge.to_string();
        let units = line.units.to_string();
        match self.kind {
            ClaimKind::Professional => {
                let pointers: Vec<String> = line
                    .diagnosis_pointers
                    .iter()
                    .map(ToString::to_string)
                    .collect();
                let pointer_refs: Vec<&str> = pointers.iter().map(String::as_str).collect();
                self.writer.segment_fields(
                    "SV1",
                    &[
                        Field::Composite(&procedure),
                        Field::Simple(&charge),
                        Field::Simple("UN"),
                        Field::Simple(&units),
                        Field::Simple(line.place_of_service.as_deref().unwrap_or_default()),
                        Field::Simple(""),
                        Field::Composite(&pointer_refs),
                    ],
                )?;
            }
            ClaimKind::Institutional => {
                let procedure_field = if line.procedure_code.is_empty() {
                    Field::Simple("")
                } else {
                    Field::Composite(&procedure)
                };
                self.writer.segment_fields(
                    "SV2",
                    &[
                        Field::Simple(line.revenue_code.as_deref().unwrap_or_default()),
                        procedure_field,
                        Field::Simple(&charge),
                        Field::Simple("UN"),
                        Field::Simple(&units),
                    ],
                )?;
            }
        }
        if let Some(date) = line.service_date {
            self.writer
                .segment("DTP", &["472", "D8", &date.ccyymmdd()])?;
        }
        if let Some(control) = &line.line_control_number {
            self.writer.segment("REF", &["6R", control])?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{PersonName, is_valid_npi};

    fn name(
        last: &str,
        first: Option<&str>,
        middle: Option<&str>,
        suffix: Option<&str>,
    ) -> PersonName {
        PersonName {
            last: last.to_owned(),
            first: first.map(str::to_owned),
            middle: middle.map(str::to_owned),
            suffix: suffix.map(str::to_owned),
        }
    }

    #[test]
    fn splits_names_given_as_one_string() {
        let cases = [
            ("Ben Kildare", name("Kildare", Some("Ben"), None, None)),
            (
                "  BEN   A   KILDARE ",
                name("KILDARE", Some("BEN"), Some("A"), None),
            ),
            (
                "John Quincy Adams Public",
                name("Public", Some("John"), Some("Quincy Adams"), None),
            ),
            (
                "John Q Public Jr.",
                name("Public", Some("John"), Some("Q"), Some("Jr.")),
            ),
            (
                "John Public III",
                name("Public", Some("John"), None, Some("III")),
            ),
            ("Smith Jr", name("Jr", Some("Smith"), None, None)),
            ("Kildare, Ben", name("Kildare", Some("Ben"), None, None)),
            (
                "van Dyke , Anna Maria",
                name("van Dyke", Some("Anna"), Some("Maria"), None),
            ),
            (
                "Kildare, Ben A, Jr",
                name("Kildare", Some("Ben"), Some("A"), Some("Jr")),
            ),
            ("Kildare,", name("Kildare", None, None, None)),
            ("Madonna", name("Madonna", None, None, None)),
            ("", name("", None, None, None)),
        ];
        for (full_name, expected) in cases {
            assert_eq!(
                PersonName::from_full_name(full_name),
                expected,
                "{full_name:?}"
            );
        }
    }

    #[test]
    fn nm1_names_split_only_a_whole_name_without_first_name() {
        let split = name("Ben Kildare", None, None, Some("MD"));
        assert_eq!(
            *split.for_nm1(),
            name("Kildare", Some("Ben"), None, Some("MD"))
        );
        let given = name("van Dyke", Some("Anna"), None, None);
        assert_eq!(*given.for_nm1(), given);
        let single = name("Kildare", None, None, None);
        assert_eq!(*single.for_nm1(), single);
    }

    #[test]
    fn npi_check_digit() {
        assert!(is_valid_npi("1234567893"));
        assert!(!is_valid_npi("1234567890"));
        assert!(!is_valid_npi("123456789"));
        assert!(!is_valid_npi("12345678a3"));
    }
}
