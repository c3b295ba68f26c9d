//! `config/payers/*.toml`: one payer (HMO) each — its ids, claim type, the channel that carries
//! its claim files, its batch schedule and contract.

use serde::Deserialize;

use super::problem::{Document, Problem};

/// One payer file.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PayerConfig {
    /// The payer's id as used on claims (2010BB NM109) and in routing rules.
    pub payer_id: String,
    /// Name.
    pub name: String,
    /// `837P` (professional) or `837I` (institutional).
    #[serde(default = "professional")]
    pub claim_type: String,
    /// X12 interchange receiver id (ISA08) and 1000B receiver id.
    pub receiver_id: String,
    /// X12 interchange receiver id qualifier (ISA07).
    #[serde(default = "mutually_defined")]
    pub receiver_qualifier: String,
    /// GS03 application receiver's code; defaults to the receiver id.
    #[serde(default)]
    pub application_receiver_code: Option<String>,
    /// Claim filing indicator (SBR09): `CI` commercial, `HM` HMO, `MB` Medicare B, `MC` Medicaid...
    #[serde(default = "hmo")]
    pub claim_filing_indicator: String,
    /// Channel that carries this payer's claim files (its source is usually `channel`).
    #[serde(default = "outbox")]
    pub channel: String,
    /// Cron (with seconds) on which ready claims are batched and sent; absent: on demand only.
    #[serde(default)]
    pub batch_cron: Option<String>,
    /// What the contract says this payer pays.
    #[serde(default)]
    pub contract: Option<ContractConfig>,
    /// The members the payer simulator knows, with their plan and accumulators
    /// (`[[members]]`): it answers eligibility inquiries from them.
    #[serde(default)]
    pub members: Vec<MemberConfig>,
}

/// One member of the payer's plans, as the payer simulator knows it.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MemberConfig {
    /// Member id (NM109 of NM1*IL).
    pub member_id: String,
    /// Family name.
    #[serde(default)]
    pub family_name: Option<String>,
    /// Given name.
    #[serde(default)]
    pub given_name: Option<String>,
    /// The plan's name.
    pub plan: String,
    /// First day covered, `YYYY-MM-DD`; absent: always.
    #[serde(default)]
    pub active_from: Option<String>,
    /// Last day covered, `YYYY-MM-DD`; absent: no end.
    #[serde(default)]
    pub active_to: Option<String>,
    /// Annual deductible, in cents; absent: the contract's.
    #[serde(default)]
    pub deductible_cents: Option<i64>,
    /// What the member has paid toward the deductible this year, in cents.
    #[serde(default)]
    pub deductible_met_cents: i64,
    /// Copay per visit, in cents; absent: the contract's.
    #[serde(default)]
    pub copay_cents: Option<i64>,
    /// Coinsurance, in basis points; absent: the contract's.
    #[serde(default)]
    pub coinsurance_basis_points: Option<i64>,
    /// Annual out-of-pocket maximum, in cents.
    #[serde(default)]
    pub out_of_pocket_max_cents: Option<i64>,
    /// What the member has paid toward the out-of-pocket maximum this year, in cents.
    #[serde(default)]
    pub out_of_pocket_met_cents: i64,
}

/// Whether `code` is one of `patterns` (dots ignored; a trailing `*` matches a prefix).
fn code_matches(patterns: &[String], code: &str) -> bool {
    let code = code.replace('.', "");
    patterns.iter().any(|p| {
        let p = p.replace('.', "");
        match p.strip_suffix('*') {
            Some(prefix) => code.starts_with(prefix),
            None => code == p,
        }
    })
}

/// A payer contract.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ContractConfig {
    /// Contract name.
    pub name: String,
    /// First day in force, `YYYY-MM-DD`.
    #[serde(default)]
    pub effective_from: Option<String>,
    /// Annual deductible, in cents.
    #[serde(default)]
    pub deductible_cents: i64,
    /// Copay per visit, in cents.
    #[serde(default)]
    pub copay_cents: i64,
    /// Coinsurance, in basis points (2000 = 20%).
    #[serde(default)]
    pub coinsurance_basis_points: i64,
    /// Days after service within which a claim must be filed.
    #[serde(default)]
    pub timely_filing_days: Option<i64>,
    /// Allowed amount per procedure code.
    #[serde(default)]
    pub fees: Vec<FeeConfig>,
    /// Procedure codes the contract covers (a trailing `*` matches a prefix); empty: all.
    #[serde(default)]
    pub covered_procedures: Vec<String>,
    /// Procedure codes the contract never covers.
    #[serde(default)]
    pub excluded_procedures: Vec<String>,
    /// ICD-10 diagnosis codes the contract covers (a trailing `*` matches a prefix); empty: all.
    #[serde(default)]
    pub covered_diagnoses: Vec<String>,
    /// ICD-10 diagnosis codes the contract never covers.
    #[serde(default)]
    pub excluded_diagnoses: Vec<String>,
    /// NPIs of the providers in the payer's network; empty: every provider.
    #[serde(default)]
    pub in_network_providers: Vec<String>,
    /// Procedure codes the payer pays only with its prior authorization (a trailing `*`
    /// matches a prefix): a claim carries the authorization's number (REF*G1), and without
    /// one the payer denies the line (CARC 197).
    #[serde(default)]
    pub authorization_required: Vec<String>,
    /// The most the payer authorizes for one service in a year, in cents; absent: no limit.
    #[serde(default)]
    pub annual_limit_cents: Option<i64>,
}

impl ContractConfig {
    /// Whether the payer pays `procedure` only with its prior authorization.
    pub fn needs_authorization(&self, procedure: &str) -> bool {
        code_matches(&self.authorization_required, procedure)
    }

    /// Why this contract does not cover a claim with these diagnoses and procedure codes;
    /// empty when it does.
    pub fn coverage_problems<'a>(
        &self,
        diagnoses: &[String],
        procedures: impl Iterator<Item = &'a str>,
    ) -> Vec<String> {
        let matches = code_matches;
        let mut problems = Vec::new();
        for (n, code) in procedures.enumerate() {
            if matches(&self.excluded_procedures, code)
                || (!self.covered_procedures.is_empty() && !matches(&self.covered_procedures, code))
            {
                problems.push(format!(
                    "line {}: procedure {code} is not covered by contract '{}'",
                    n + 1,
                    self.name
                ));
            }
        }
        for code in diagnoses
            .iter()
            .filter(|d| matches(&self.excluded_diagnoses, d))
        {
            problems.push(format!(
                "diagnosis {code} is excluded by contract '{}'",
                self.name
            ));
        }
        if !self.covered_diagnoses.is_empty()
            && !diagnoses
                .iter()
                .any(|d| matches(&self.covered_diagnoses, d))
        {
            problems.push(format!(
                "none of the diagnoses ({}) is covered by contract '{}'",
                diagnoses.join(", "),
                self.name
            ));
        }
        problems
    }
}

/// One fee schedule entry.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FeeConfig {
    /// CPT/HCPCS code.
    pub procedure_code: String,
    /// Modifiers.
    #[serde(default)]
    pub modifiers: Vec<String>,
    /// Allowed amount, in cents.
    pub allowed_cents: i64,
}

fn professional() -> String {
    "837P".to_string()
}
fn mutually_defined() -> String {
    "ZZ".to_string()
}
fn hmo() -> String {
    "HM".to_string()
}
fn outbox() -> String {
    "x12-outbox".to_string()
}

/// Characters X12 ids may hold without clashing with any separator we write.
fn plain(value: &str) -> bool {
    !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || " -._".contains(c))
}

impl PayerConfig {
    /// Checks ids, claim type, cron and contract amounts; every problem is returned.
    pub fn validate(&self, doc: &Document<'_>) -> Vec<Problem> {
        let mut problems = Vec::new();
        if !plain(&self.payer_id) || self.payer_id.len() > 80 {
            problems.push(doc.problem(
                "payer_id",
                "must be 1-80 letters, digits, spaces, '-', '.' or '_'",
            ));
        }
        if !["837P", "837I"].contains(&self.claim_type.as_str()) {
            problems.push(doc.problem("claim_type", "must be 837P or 837I"));
        }
        if !plain(&self.receiver_id) || self.receiver_id.len() > 15 {
            problems.push(doc.problem("receiver_id", "must be 1-15 letters or digits (ISA08)"));
        }
        if self.receiver_qualifier.len() != 2 {
            problems.push(doc.problem("receiver_qualifier", "must be 2 characters (ISA07)"));
        }
        if let Some(cron) = &self.batch_cron
            && let Err(reason) = super::checks::check_cron(cron)
        {
            problems.push(doc.problem("batch_cron", reason));
        }
        if let Some(contract) = &self.contract {
            if contract.deductible_cents < 0 || contract.copay_cents < 0 {
                problems.push(doc.problem("contract", "amounts must not be negative"));
            }
            if !(0..=10_000).contains(&contract.coinsurance_basis_points) {
                problems.push(doc.problem(
                    "contract.coinsurance_basis_points",
                    "must be between 0 and 10000 (100%)",
                ));
            }
            for (i, fee) in contract.fees.iter().enumerate() {
                if fee.allowed_cents < 0 || fee.procedure_code.is_empty() {
                    problems.push(doc.problem(
                        format!("contract.fees[{i}]"),
                        "needs a procedure code and a non-negative amount",
                    ));
                }
            }
        }
        for (i, member) in self.members.iter().enumerate() {
            problems.extend(
                member
                    .problems()
                    .into_iter()
                    .map(|reason| doc.problem(format!("members[{i}]"), reason)),
            );
        }
        problems
    }
}

impl MemberConfig {
    /// What is wrong with this member's entry, one reason each.
    fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if !plain(&self.member_id) || self.member_id.len() > 80 {
            problems
                .push("member_id must be 1-80 letters, digits, spaces, '-', '.' or '_'".to_owned());
        }
        for (field, date) in [
            ("active_from", &self.active_from),
            ("active_to", &self.active_to),
        ] {
            if date.as_deref().is_some_and(|d| parse_day(d).is_none()) {
                problems.push(format!("{field} must be a date YYYY-MM-DD"));
            }
        }
        let amounts = [
            self.deductible_cents.unwrap_or(0),
            self.deductible_met_cents,
            self.copay_cents.unwrap_or(0),
            self.out_of_pocket_max_cents.unwrap_or(0),
            self.out_of_pocket_met_cents,
        ];
        if amounts.iter().any(|a| *a < 0) {
            problems.push("amounts must not be negative".to_owned());
        }
        if !(0..=10_000).contains(&self.coinsurance_basis_points.unwrap_or(0)) {
            problems.push("coinsurance_basis_points must be between 0 and 10000".to_owned());
        }
        problems
    }
}

/// A `YYYY-MM-DD` date as (year, month, day), `None` when it is not one.
pub fn parse_day(text: &str) -> Option<(u16, u8, u8)> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let year = text.get(..4)?.parse().ok()?;
    let month = text.get(5..7)?.parse().ok()?;
    let day = text.get(8..)?.parse().ok()?;
    crate::x12::Date::new(year, month, day).map(|_| (year, month, day))
}
