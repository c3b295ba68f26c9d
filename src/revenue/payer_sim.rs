//! A payer simulator: adjudicates our 837 claims the way an HMO would under a payer's contract
//! (fee schedule, deductible accumulators per member, copay per visit, coinsurance, non-covered
//! procedures denied with CARC 96, procedures that need a prior authorization and come without
//! one (no REF*G1) denied with CARC 197, a configurable share of claims denied at random with
//! CARC 197, and optionally a reversal and correction of the first paid claim) and writes the 999,
//! 277CA and 835 a payer would send back. Users and tests can run the whole revenue cycle with
//! it, no real payer needed.

use std::collections::HashMap;

use rand::{Rng, SeedableRng, rngs::StdRng};
use serde::{Deserialize, Serialize};

use super::contract::share;
use crate::canonical::ContractTerms;
use crate::canonical::join_codes;
use crate::config::payer::{ContractConfig, MemberConfig, PayerConfig};
use crate::x12::{
    self, AckEnvelope, Amount, Date, Field, ReadClaim, SingleSetEnvelope, Time, UsageIndicator,
    X12Writer,
};

/// How the simulated payer behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimOptions {
    /// Share of claims denied at random, in basis points (500 = 5%).
    pub random_denial_basis_points: u32,
    /// Seed of the random denials, so a run can be repeated.
    pub seed: u64,
    /// Reverse the first paid claim and pay it again (CLP02 22, then 1).
    pub reversal: bool,
    /// The payment (and file) date.
    pub date: Date,
    /// The file time.
    pub time: Time,
}

impl SimOptions {
    /// Options dated now (UTC); `None` if the clock reads no valid date.
    pub fn now(random_denial_basis_points: u32, seed: u64, reversal: bool) -> Option<Self> {
        let now = time::OffsetDateTime::now_utc();
        Some(SimOptions {
            random_denial_basis_points,
            seed,
            reversal,
            date: Date::new(
                u16::try_from(now.year()).ok()?,
                u8::from(now.month()),
                now.day(),
            )?,
            time: Time::new(now.hour(), now.minute(), None)?,
        })
    }
}

impl SimOptions {
    /// The envelope of the payer's answer to `received`: from its receiver to its sender,
    /// dated by these options.
    pub fn answering(&self, received: &x12::Interchange) -> SingleSetEnvelope {
        SingleSetEnvelope {
            sender_qualifier: received.receiver_qualifier.clone(),
            sender_id: received.receiver_id.clone(),
            receiver_qualifier: received.sender_qualifier.clone(),
            receiver_id: received.sender_id.clone(),
            date: self.date,
            time: self.time,
            usage: UsageIndicator::Test,
        }
    }
}

/// The files a payer sends back for one 837.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimFiles {
    /// The 999 acknowledging the 837's envelope.
    pub ack_999: Vec<u8>,
    /// The 277CA accepting each claim, with the payer's claim number.
    pub ack_277ca: Vec<u8>,
    /// The 835 paying, adjusting and denying the claims.
    pub remittance_835: Vec<u8>,
    /// One line per claim: what the payer decided.
    pub summary: Vec<String>,
    /// What the payer decided of each claim, for the claim status it answers later.
    pub decisions: Vec<ClaimDecision>,
}

/// What the simulated payer decided of one claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimDecision {
    /// Our claim number (CLM01).
    pub claim_number: String,
    /// The member the claim is for (NM109 of the subscriber).
    pub member_id: String,
    /// The patient's family and given name on the claim.
    pub member_name: (String, String),
    /// The payer's claim number.
    pub payer_claim_number: String,
    /// The claim's charge.
    pub charge: Amount,
    /// What the payer paid.
    pub paid: Amount,
    /// Whether every line was denied.
    pub denied: bool,
    /// When it was adjudicated.
    pub date: Date,
    /// The 835's trace (check or EFT number).
    pub check_number: String,
}

/// What the simulated payer remembers from one answer to the next, kept by whoever runs it
/// (the `payer-sim` destination keeps it in a file): the claims it decided, for the claim
/// status it answers later, and through them the members it has seen on claims, whom it
/// knows as covered besides the payer file's `[[members]]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimMemory {
    /// What it decided of each claim, by our claim number.
    pub decisions: HashMap<String, ClaimDecision>,
}

impl SimMemory {
    /// Remembers `decisions`, a later decision about a claim replacing an earlier one.
    pub fn remember(&mut self, decisions: &[ClaimDecision]) {
        for decision in decisions {
            self.decisions
                .insert(decision.claim_number.clone(), decision.clone());
        }
    }

    /// `payer` with, besides its `[[members]]`, each member seen on a claim it does not list:
    /// covered by the payer's plan with no end, under the contract's terms.
    pub fn payer_knowing_members(&self, payer: &PayerConfig) -> PayerConfig {
        let mut payer = payer.clone();
        let mut seen: Vec<&ClaimDecision> = self.decisions.values().collect();
        seen.sort_by(|a, b| a.claim_number.cmp(&b.claim_number));
        for decision in seen {
            if payer
                .members
                .iter()
                .any(|m| m.member_id == decision.member_id)
            {
                continue;
            }
            let (family, given) = &decision.member_name;
            payer.members.push(MemberConfig {
                member_id: decision.member_id.clone(),
                family_name: Some(family.clone()).filter(|n| !n.is_empty()),
                given_name: Some(given.clone()).filter(|n| !n.is_empty()),
                plan: payer.name.clone(),
                active_from: None,
                active_to: None,
                deductible_cents: None,
                deductible_met_cents: 0,
                copay_cents: None,
                coinsurance_basis_points: None,
                out_of_pocket_max_cents: None,
                out_of_pocket_met_cents: 0,
            });
        }
        payer
    }
}

/// Why the simulator could not answer.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The 837 does not read.
    #[error("the 837 does not read: {0}")]
    Unreadable(String),
    /// An inquiry (270) does not read.
    #[error("the {0} does not read: {1}")]
    UnreadableInquiry(&'static str, String),
    /// The payer has no contract to adjudicate by.
    #[error("payer '{0}' has no [contract]")]
    NoContract(String),
    /// Writing a file failed.
    #[error("writing the {0} failed: {1}")]
    Write(&'static str, String),
}

impl From<&ContractConfig> for ContractTerms {
    fn from(contract: &ContractConfig) -> Self {
        ContractTerms {
            deductible_cents: contract.deductible_cents,
            copay_cents: contract.copay_cents,
            coinsurance_basis_points: contract.coinsurance_basis_points,
            fees: contract
                .fees
                .iter()
                .map(|fee| {
                    (
                        (fee.procedure_code.clone(), join_codes(&fee.modifiers)),
                        fee.allowed_cents,
                    )
                })
                .collect(),
        }
    }
}

/// One CAS group with its (reason, cents) pairs.
type CasGroup = (&'static str, Vec<(&'static str, i64)>);

/// One adjudicated service line.
#[derive(Debug, Clone)]
struct PaidLine {
    procedure: String,
    modifiers: Vec<String>,
    charge: i64,
    paid: i64,
    allowed: Option<i64>,
    units: String,
    service_date: Option<Date>,
    control_number: Option<String>,
    adjustments: Vec<CasGroup>,
    remark: Option<&'static str>,
}

/// One adjudicated claim.
#[derive(Debug, Clone)]
struct PaidClaim {
    claim: ReadClaim,
    status: &'static str,
    payer_claim_number: String,
    lines: Vec<PaidLine>,
}

impl PaidClaim {
    fn paid(&self) -> i64 {
        self.lines.iter().map(|l| l.paid).sum()
    }

    fn patient(&self) -> i64 {
        self.lines
            .iter()
            .flat_map(|l| &l.adjustments)
            .filter(|(group, _)| *group == "PR")
            .flat_map(|(_, reasons)| reasons)
            .map(|(_, cents)| cents)
            .sum()
    }

    /// The same claim with every amount negated: a reversal (CLP02 22).
    fn reversed(&self) -> PaidClaim {
        let mut reversal = self.clone();
        reversal.status = "22";
        for line in &mut reversal.lines {
            line.charge = -line.charge;
            line.paid = -line.paid;
            line.allowed = line.allowed.map(|a| -a);
            for (_, reasons) in &mut line.adjustments {
                for (_, cents) in reasons {
                    *cents = -*cents;
                }
            }
        }
        reversal.claim.total_charge = Amount::from_cents(-self.claim.total_charge.cents());
        reversal
    }
}

/// Adjudicates every claim of `raw_837` under `payer`'s contract and writes the answers.
pub fn adjudicate(
    raw_837: &[u8],
    payer: &PayerConfig,
    options: &SimOptions,
) -> Result<SimFiles, SimError> {
    let contract = payer
        .contract
        .as_ref()
        .ok_or_else(|| SimError::NoContract(payer.payer_id.clone()))?;
    let terms = ContractTerms::from(contract);
    let validation =
        x12::guide::validate(raw_837).map_err(|err| SimError::Unreadable(err.to_string()))?;
    let report = validation
        .reports
        .first()
        .ok_or_else(|| SimError::Unreadable("no interchange".to_owned()))?;
    let claims =
        x12::read_837_claims(raw_837).map_err(|err| SimError::Unreadable(err.to_string()))?;
    let mut rng = StdRng::seed_from_u64(options.seed);
    let mut deductible_open: HashMap<String, i64> = HashMap::new();
    let received = &report.interchange;
    let base_control: u32 = received.control_number.parse().unwrap_or(1);
    let mut paid_claims = Vec::new();
    for (index, claim) in claims.into_iter().enumerate() {
        let denied_at_random = rng.random_range(0..10_000) < options.random_denial_basis_points;
        let open = deductible_open
            .entry(claim.member_id.clone())
            .or_insert(terms.deductible_cents);
        let mut copay_due = terms.copay_cents;
        let lines = claim
            .lines
            .iter()
            .map(|line| {
                let charge = line.charge.cents();
                let not_covered = !contract
                    .coverage_problems(&[], std::iter::once(line.procedure_code.as_str()))
                    .is_empty();
                let mut paid_line = PaidLine {
                    procedure: line.procedure_code.clone(),
                    modifiers: line.modifiers.clone(),
                    charge,
                    paid: 0,
                    allowed: None,
                    units: line.units.to_string(),
                    service_date: line.service_date,
                    control_number: line.line_control_number.clone(),
                    adjustments: Vec::new(),
                    remark: None,
                };
                // A procedure the contract pays only with an authorization, on a claim that
                // carries none (REF*G1), is denied as the random denials are: CARC 197.
                let unauthorized = contract.needs_authorization(&line.procedure_code)
                    && claim.prior_authorization.is_none();
                if denied_at_random || not_covered || unauthorized {
                    let (reason, remark) = if not_covered {
                        ("96", "N130")
                    } else {
                        ("197", "N54")
                    };
                    paid_line.adjustments.push(("CO", vec![(reason, charge)]));
                    paid_line.remark = Some(remark);
                    return paid_line;
                }
                let units = line.units.0 / 1000;
                let allowed = terms
                    .allowed(
                        &line.procedure_code,
                        &join_codes(&line.modifiers),
                        units,
                        charge,
                    )
                    .unwrap_or(charge);
                let split = share(allowed, copay_due, *open, terms.coinsurance_basis_points);
                copay_due -= split.copay_cents;
                *open -= split.deductible_cents;
                paid_line.paid = split.paid_cents;
                paid_line.allowed = Some(allowed);
                if charge > allowed {
                    paid_line
                        .adjustments
                        .push(("CO", vec![("45", charge - allowed)]));
                }
                let patient: Vec<(&'static str, i64)> = [
                    ("3", split.copay_cents),
                    ("1", split.deductible_cents),
                    ("2", split.coinsurance_cents),
                ]
                .into_iter()
                .filter(|(_, cents)| *cents != 0)
                .collect();
                if !patient.is_empty() {
                    paid_line.adjustments.push(("PR", patient));
                }
                paid_line
            })
            .collect::<Vec<_>>();
        let all_denied = lines.iter().all(|l| l.remark.is_some());
        paid_claims.push(PaidClaim {
            // The 837's interchange number is never reused by its sender, so the payer's claim
            // numbers are unique across runs too.
            payer_claim_number: format!("{}{base_control:09}{:03}", payer.payer_id, index + 1),
            status: if all_denied { "4" } else { "1" },
            claim,
            lines,
        });
    }
    let mut remitted: Vec<PaidClaim> = paid_claims.clone();
    if options.reversal
        && let Some(first_paid) = paid_claims.iter().find(|c| c.paid() > 0)
    {
        remitted.push(first_paid.reversed());
        remitted.push(first_paid.clone());
    }
    let summary = remitted
        .iter()
        .map(|c| {
            format!(
                "{}: CLP02 {}, charge {}, paid {}, patient {}",
                c.claim.claim_id,
                c.status,
                c.claim.total_charge,
                Amount::from_cents(c.paid()),
                Amount::from_cents(c.patient())
            )
        })
        .collect();
    let envelope = options.answering(received);
    let ack_999 = x12::write_999(
        received,
        &x12::acknowledge_validated(report, &validation),
        &AckEnvelope {
            interchange_control_number: base_control % 100_000_000 + 100_000_000,
            group_control_number: 1,
            first_transaction_control_number: 1,
            date: options.date,
            time: options.time,
            line_breaks: true,
        },
    )
    .map_err(|err| SimError::Write("999", err.to_string()))?;
    let ack_277ca = write_277ca(&envelope, payer, &paid_claims, base_control)
        .map_err(|err| SimError::Write("277CA", err.to_string()))?;
    let remittance_835 = write_835(&envelope, payer, &remitted, base_control)
        .map_err(|err| SimError::Write("835", err.to_string()))?;
    let decisions = paid_claims
        .iter()
        .map(|c| ClaimDecision {
            claim_number: c.claim.claim_id.clone(),
            member_id: c.claim.member_id.clone(),
            member_name: c.claim.patient_name.clone(),
            payer_claim_number: c.payer_claim_number.clone(),
            charge: c.claim.total_charge,
            paid: Amount::from_cents(c.paid()),
            denied: c.status == "4",
            date: options.date,
            check_number: remittance_trace(base_control),
        })
        .collect();
    Ok(SimFiles {
        ack_999,
        ack_277ca,
        remittance_835,
        summary,
        decisions,
    })
}

/// NM1*QC: the patient, with the member id.
fn patient_name(w: &mut X12Writer, claim: &ReadClaim) -> Result<(), x12::WriteError> {
    let (family, given) = &claim.patient_name;
    w.segment(
        "NM1",
        &["QC", "1", family, given, "", "", "", "MI", &claim.member_id],
    )
}

fn write_277ca(
    envelope: &SingleSetEnvelope,
    payer: &PayerConfig,
    claims: &[PaidClaim],
    base_control: u32,
) -> Result<Vec<u8>, x12::WriteError> {
    let control = base_control % 100_000_000 + 200_000_000;
    let mut w = envelope.begin("HN", "277", "005010X214", control, 1)?;
    let date = envelope.date.ccyymmdd();
    let total: Amount = claims.iter().map(|c| c.claim.total_charge).sum();
    let count = claims.len().to_string();
    w.segment(
        "BHT",
        &[
            "0085",
            "08",
            &control.to_string(),
            &date,
            &envelope.time.hhmm(),
            "TH",
        ],
    )?;
    w.segment("HL", &["1", "", "20", "1"])?;
    w.segment(
        "NM1",
        &[
            "PR",
            "2",
            &payer.name,
            "",
            "",
            "",
            "",
            "PI",
            &payer.payer_id,
        ],
    )?;
    w.segment("TRN", &["1", &control.to_string()])?;
    w.segment("DTP", &["050", "D8", &date])?;
    w.segment("DTP", &["009", "D8", &date])?;
    w.segment("HL", &["2", "1", "21", "1"])?;
    w.segment(
        "NM1",
        &[
            "41",
            "2",
            "SUBMITTER",
            "",
            "",
            "",
            "",
            "46",
            &envelope.receiver_id,
        ],
    )?;
    w.segment("TRN", &["2", &control.to_string()])?;
    w.segment_fields(
        "STC",
        &[
            Field::Composite(&["A1", "19", "PR"]),
            Field::Simple(&date),
            Field::Simple("WQ"),
            Field::Simple(&total.to_string()),
        ],
    )?;
    w.segment("QTY", &["90", &count])?;
    w.segment("AMT", &["YU", &total.to_string()])?;
    let mut hl = 3;
    for claim in claims {
        let provider_hl = hl;
        w.segment("HL", &[&provider_hl.to_string(), "2", "19", "1"])?;
        let provider = &claim.claim.billing_provider;
        w.segment(
            "NM1",
            &[
                "85",
                "2",
                &provider.name,
                "",
                "",
                "",
                "",
                &provider.id_qualifier,
                &provider.id,
            ],
        )?;
        // 2200C: the provider-level trace (TRN01 1: current transaction), the claim's own.
        w.segment("TRN", &["1", &claim.claim.claim_id])?;
        // The provider level's own status (required by 005010X214): received, for the
        // claim's charge.
        w.segment_fields(
            "STC",
            &[
                Field::Composite(&["A1", "19"]),
                Field::Simple(""),
                Field::Simple("WQ"),
                Field::Simple(&claim.claim.total_charge.to_string()),
            ],
        )?;
        w.segment(
            "HL",
            &[&(hl + 1).to_string(), &provider_hl.to_string(), "PT"],
        )?;
        hl += 2;
        patient_name(&mut w, &claim.claim)?;
        w.segment("TRN", &["2", &claim.claim.claim_id])?;
        w.segment_fields(
            "STC",
            &[
                Field::Composite(&["A2", "20", "PR"]),
                Field::Simple(&date),
                Field::Simple("WQ"),
                Field::Simple(&claim.claim.total_charge.to_string()),
            ],
        )?;
        w.segment("REF", &["1K", &claim.payer_claim_number])?;
        if let Some(first) = claim.lines.iter().filter_map(|l| l.service_date).min() {
            w.segment("DTP", &["472", "D8", &first.ccyymmdd()])?;
        }
    }
    w.finish_single_set()
}

/// TRN02 of the 835 answering the 837 numbered `base_control`.
fn remittance_trace(base_control: u32) -> String {
    format!("SIM{}", base_control % 100_000_000 + 300_000_000)
}

fn write_835(
    envelope: &SingleSetEnvelope,
    payer: &PayerConfig,
    claims: &[PaidClaim],
    base_control: u32,
) -> Result<Vec<u8>, x12::WriteError> {
    let control = base_control % 100_000_000 + 300_000_000;
    let mut w = envelope.begin("HP", "835", "005010X221A1", control, 1)?;
    let date = envelope.date.ccyymmdd();
    let total = Amount::from_cents(claims.iter().map(PaidClaim::paid).sum());
    let total_text = total.to_string();
    if total.cents() > 0 {
        w.segment(
            "BPR",
            &[
                "I",
                &total_text,
                "C",
                "ACH",
                "CCP",
                "01",
                "011000015",
                "DA",
                "000111222",
                "1999999999",
                "",
                "01",
                "021000021",
                "DA",
                "333444555",
                &date,
            ],
        )?;
    } else {
        w.segment(
            "BPR",
            &[
                "H",
                &total_text,
                "C",
                "NON",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                &date,
            ],
        )?;
    }
    let trace = remittance_trace(base_control);
    w.segment("TRN", &["1", &trace, "1999999999"])?;
    w.segment("DTM", &["405", &date])?;
    w.segment("N1", &["PR", &payer.name])?;
    w.segment("N3", &["1 PAYER WAY"])?;
    w.segment("N4", &["SPRINGFIELD", "IL", "62701"])?;
    w.segment("PER", &["BL", "PROVIDER SERVICES", "TE", "8005550100"])?;
    w.segment("N1", &["PE", "PAYEE", "XX", "1234567893"])?;
    w.segment("LX", &["1"])?;
    for claim in claims {
        let paid = Amount::from_cents(claim.paid()).to_string();
        let patient = Amount::from_cents(claim.patient()).to_string();
        let facility = if claim.claim.facility_code.is_empty() {
            "11"
        } else {
            &claim.claim.facility_code
        };
        w.segment(
            "CLP",
            &[
                &claim.claim.claim_id,
                claim.status,
                &claim.claim.total_charge.to_string(),
                &paid,
                &patient,
                &payer.claim_filing_indicator,
                &claim.payer_claim_number,
                facility,
                "1",
            ],
        )?;
        patient_name(&mut w, &claim.claim)?;
        for line in &claim.lines {
            let mut procedure = vec!["HC", line.procedure.as_str()];
            procedure.extend(line.modifiers.iter().map(String::as_str));
            let charge = Amount::from_cents(line.charge).to_string();
            let line_paid = Amount::from_cents(line.paid).to_string();
            w.segment_fields(
                "SVC",
                &[
                    Field::Composite(&procedure),
                    Field::Simple(&charge),
                    Field::Simple(&line_paid),
                    Field::Simple(""),
                    Field::Simple(&line.units),
                ],
            )?;
            if let Some(service_date) = line.service_date {
                w.segment("DTM", &["472", &service_date.ccyymmdd()])?;
            }
            for (group, reasons) in &line.adjustments {
                let amounts: Vec<String> = reasons
                    .iter()
                    .map(|(_, cents)| Amount::from_cents(*cents).to_string())
                    .collect();
                let mut elements = vec![*group];
                for ((reason, _), amount) in reasons.iter().zip(&amounts) {
                    elements.extend([*reason, amount.as_str(), ""]);
                }
                elements.pop();
                w.segment("CAS", &elements)?;
            }
            if let Some(control) = &line.control_number {
                w.segment("REF", &["6R", control])?;
            }
            if let Some(allowed) = line.allowed {
                w.segment("AMT", &["B6", &Amount::from_cents(allowed).to_string()])?;
            }
            if let Some(remark) = line.remark {
                w.segment("LQ", &["HE", remark])?;
            }
        }
    }
    w.finish_single_set()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::payer::FeeConfig;

    /// A public sample 837P: one claim, four lines (99213 40.00, 87070 15.00, 99214 35.00,
    /// 86663 10.00), member JS00111223333.
    const SAMPLE_837: &[u8] = include_bytes!("../../tests/fixtures/x12/837p-demo-example1.x12");

    fn payer(excluded: &[&str]) -> PayerConfig {
        PayerConfig {
            payer_id: "HMO1".into(),
            name: "Acme Health Plan".into(),
            claim_type: "837P".into(),
            receiver_id: "ACMEHEALTH".into(),
            receiver_qualifier: "ZZ".into(),
            application_receiver_code: None,
            claim_filing_indicator: "HM".into(),
            channel: "x12-outbox".into(),
            batch_cron: None,
            members: Vec::new(),
            contract: Some(ContractConfig {
                name: "2026".into(),
                effective_from: None,
                deductible_cents: 1_000,
                copay_cents: 500,
                coinsurance_basis_points: 2_000,
                timely_filing_days: None,
                fees: vec![FeeConfig {
                    procedure_code: "99213".into(),
                    modifiers: Vec::new(),
                    allowed_cents: 3_000,
                }],
                covered_procedures: Vec::new(),
                excluded_procedures: excluded.iter().map(|c| (*c).to_string()).collect(),
                covered_diagnoses: Vec::new(),
                excluded_diagnoses: Vec::new(),
                in_network_providers: Vec::new(),
                authorization_required: Vec::new(),
                annual_limit_cents: None,
            }),
        }
    }

    fn options(denials: u32, reversal: bool) -> SimOptions {
        SimOptions {
            random_denial_basis_points: denials,
            seed: 7,
            reversal,
            date: Date::new(2026, 11, 25).unwrap(),
            time: Time::new(12, 0, None).unwrap(),
        }
    }

    fn remittance(files: &SimFiles) -> x12::Remittance {
        let read = x12::read_835(&files.remittance_835).unwrap();
        assert!(read.envelope_problems.is_empty() && read.warnings.is_empty());
        let remittance = read.documents.into_iter().next().unwrap();
        assert!(
            x12::check_balance(&remittance).is_empty(),
            "the 835 balances"
        );
        remittance
    }

    #[test]
    fn the_contract_prices_each_line_and_the_files_read_back() {
        let files = adjudicate(SAMPLE_837, &payer(&["86663"]), &options(0, false)).unwrap();
        let remittance = remittance(&files);
        assert!(
            String::from_utf8_lossy(&files.remittance_835).contains("\nST*835*0001~"),
            "the 835 leaves ST03 unused, as its guide says"
        );
        let claim = remittance.claims().next().unwrap();
        assert_eq!(claim.patient_control_number, "26463774");
        let paid: Vec<i64> = claim.lines.iter().map(|l| l.payment.cents()).collect();
        // 99213: allowed 30.00 - copay 5.00 - deductible 10.00 = 15.00, 20% coinsurance 3.00.
        // 87070 and 99214 have no price: allowed = charge; 86663 is not covered.
        assert_eq!(paid, [1_200, 1_200, 2_800, 0]);
        assert_eq!(claim.payment.cents(), 5_200);
        assert_eq!(remittance.payment.amount.cents(), 5_200);
        let denied = &claim.lines[3];
        assert_eq!(denied.adjustments[0].reasons[0].reason_code, "96");
        assert_eq!(denied.remarks[0].code, "N130");
        let acks = x12::read_999(&files.ack_999).unwrap();
        let sets = &acks.documents[0].group.sets;
        assert!(!sets.is_empty() && sets.iter().all(|s| s.code.is_accepted()));
        let ack_277ca = String::from_utf8_lossy(&files.ack_277ca);
        assert!(
            ack_277ca.contains("NM1*85*2*BEN KILDARE SERVICE*****XX*1912301953~\nTRN*1*26463774~"),
            "the 277CA names the 837's billing provider and traces it (2200C): {ack_277ca}"
        );
        let statuses = x12::read_277ca(&files.ack_277ca).unwrap();
        let status = &statuses.documents[0].claims[0];
        assert_eq!(status.patient_control_number, "26463774");
        // The payer's claim number: payer id, the 837's ISA13, the claim's place in it.
        assert_eq!(
            status.payer_claim_control_number(),
            Some("HMO1000000907001")
        );
    }

    #[test]
    fn random_denials_and_a_reversal() {
        let denied =
            remittance(&adjudicate(SAMPLE_837, &payer(&[]), &options(10_000, false)).unwrap());
        let claim = denied.claims().next().unwrap();
        assert_eq!(claim.status.code(), "4");
        assert_eq!(claim.payment.cents(), 0);
        assert!(
            claim
                .lines
                .iter()
                .all(|l| l.adjustments[0].reasons[0].reason_code == "197")
        );

        let reversed = remittance(&adjudicate(SAMPLE_837, &payer(&[]), &options(0, true)).unwrap());
        let codes: Vec<&str> = reversed.claims().map(|c| c.status.code()).collect();
        assert_eq!(codes, ["1", "22", "1"]);
        let payments: Vec<i64> = reversed.claims().map(|c| c.payment.cents()).collect();
        assert_eq!(payments[1], -payments[0]);
        assert_eq!(reversed.payment.amount.cents(), payments[0]);
    }

    #[test]
    fn an_unreadable_837_or_a_payer_without_contract_is_a_clear_error() {
        let err = adjudicate(b"not x12", &payer(&[]), &options(0, false)).unwrap_err();
        assert!(
            err.to_string().starts_with("the 837 does not read"),
            "{err}"
        );
        let mut no_contract = payer(&[]);
        no_contract.contract = None;
        let err = adjudicate(SAMPLE_837, &no_contract, &options(0, false)).unwrap_err();
        assert_eq!(err.to_string(), "payer 'HMO1' has no [contract]");
    }
}
