//! Posting a claim payment to our claim: its service lines matched to the claim's lines, one
//! ledger entry per payment and adjustment, each paid line priced under the payer's contract
//! (the contract variance), and the claim's new totals and status. The store writes what these
//! rules decide ([`crate::store::remit::Plan`]).

use super::contract::share;
use super::matching::match_lines;
use crate::canonical::{ContractTerms, LineFacts};
use crate::store::remit::{
    Cas, ClaimPosting, ClaimedLine, LedgerEntry, LinePosting, Plan, RemittedLine, StoredPayment,
};

/// Whether the line paid nothing that the member's cost sharing does not explain.
pub fn is_denied(line: &RemittedLine) -> bool {
    line.paid_cents == 0 && !has_cost_sharing(&line.adjustments)
}

/// Whether `adjustments` hold some of the member's cost sharing: a PR deductible (1),
/// coinsurance (2) or copay (3) above zero.
pub fn has_cost_sharing(adjustments: &[Cas]) -> bool {
    adjustments.iter().any(|c| {
        c.group == "PR" && matches!(c.reason.as_str(), "1" | "2" | "3") && c.amount_cents > 0
    })
}

/// `12.34` for 1234 cents.
fn cents(value: i64) -> String {
    let sign = if value < 0 { "-" } else { "" };
    let abs = value.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// What a ledger entry of a CAS adjustment is called.
fn adjustment_kind(group: &str) -> &'static str {
    match group {
        "CO" => "contractual",
        "PR" => "patient responsibility",
        _ => "other adjustment",
    }
}

/// What posting a claim payment to a claim does: its lines matched to the claim lines, one
/// ledger entry per payment and adjustment (on the bill line where known), each paid line's
/// contract variance, and the claim's new totals and status. Automatic and manual matches both
/// post through here.
pub fn plan_posting(
    payment: &ClaimPosting,
    stored: &StoredPayment,
    claim_id: i64,
    claimed: &[ClaimedLine],
    terms: Option<&ContractTerms>,
) -> Plan {
    let remitted: Vec<LineFacts> = payment.lines.iter().map(|l| l.facts.clone()).collect();
    let claimed_facts: Vec<LineFacts> = claimed.iter().map(|l| l.facts.clone()).collect();
    let matches = match_lines(&remitted, &claimed_facts);
    let mut ledger = Vec::new();
    let mut lines = Vec::new();
    let mut copay_due = terms.map_or(0, |t| t.copay_cents);
    let mut deductible_open = terms.map_or(0, |t| t.deductible_cents);
    let mut line_paid_total = 0;
    let mut patient = 0;
    for ((line, matched), line_id) in payment.lines.iter().zip(&matches).zip(&stored.line_ids) {
        let claim_line = matched.map(|index| &claimed[index]);
        let bill_line_id = claim_line.and_then(|l| l.bill_line_id);
        line_paid_total += line.paid_cents;
        ledger.push(LedgerEntry {
            kind: "payment",
            amount_cents: line.paid_cents,
            reason: None,
            remittance_line_id: Some(*line_id),
            bill_line_id,
        });
        for cas in &line.adjustments {
            ledger.push(LedgerEntry {
                kind: adjustment_kind(&cas.group),
                amount_cents: cas.amount_cents,
                reason: Some(format!("{}-{}", cas.group, cas.reason)),
                remittance_line_id: Some(*line_id),
                bill_line_id,
            });
        }
        let reported = |reason: &str| -> i64 {
            line.adjustments
                .iter()
                .filter(|c| c.group == "PR" && c.reason == reason)
                .map(|c| c.amount_cents)
                .sum()
        };
        // A denied line and a reversal (which pays back) have no contract price to compare.
        let (expected, variance, note) = match terms {
            _ if is_denied(line) || line.paid_cents < 0 => (None, None, None),
            None => (None, None, Some("the payer has no contract".to_string())),
            Some(terms) => {
                let facts = claim_line.map_or(&line.facts, |l| &l.facts);
                match terms.allowed(
                    &facts.procedure,
                    &facts.modifiers,
                    facts.units_thousandths.unwrap_or(1000),
                    line.charge_cents,
                ) {
                    None => (
                        None,
                        None,
                        Some(format!("no fee schedule price for {}", facts.procedure)),
                    ),
                    Some(allowed) => {
                        // The copay and deductible the payer took here, as far as the
                        // contract leaves them open; coinsurance follows from the contract.
                        let share = share(
                            allowed,
                            reported("3").clamp(0, copay_due),
                            reported("1").clamp(0, deductible_open),
                            terms.coinsurance_basis_points,
                        );
                        copay_due -= share.copay_cents;
                        deductible_open -= share.deductible_cents;
                        let variance = line.paid_cents - share.paid_cents;
                        let note = match variance {
                            0 => None,
                            v if v < 0 => Some(format!("underpaid by {}", cents(-v))),
                            v => Some(format!("overpaid by {}", cents(v))),
                        };
                        (Some(share.paid_cents), Some(variance), note)
                    }
                }
            }
        };
        lines.push(LinePosting {
            remittance_line_id: *line_id,
            claim_line_id: claim_line.map(|l| l.id),
            paid_cents: line.paid_cents,
            expected_paid_cents: expected,
            variance_cents: variance,
            variance_note: note,
        });
    }
    // What the lines do not account for is posted on the claim.
    if payment.paid_cents != line_paid_total || payment.lines.is_empty() {
        ledger.push(LedgerEntry {
            kind: "payment",
            amount_cents: payment.paid_cents - line_paid_total,
            reason: None,
            remittance_line_id: None,
            bill_line_id: None,
        });
    }
    for cas in &payment.adjustments {
        ledger.push(LedgerEntry {
            kind: adjustment_kind(&cas.group),
            amount_cents: cas.amount_cents,
            reason: Some(format!("{}-{}", cas.group, cas.reason)),
            remittance_line_id: None,
            bill_line_id: None,
        });
    }
    for entry in &ledger {
        if entry.kind == "patient responsibility" {
            patient += entry.amount_cents;
        }
    }
    // Without PR adjustments CLP05 is only a summary: it sets the claim's patient share, but
    // posts nothing, since the adjustments already account for every cent.
    if patient == 0 {
        patient = payment.patient_responsibility_cents;
    }
    Plan {
        remittance_claim_id: stored.id,
        claim_id,
        lines,
        ledger,
        paid_cents: payment.paid_cents,
        patient_cents: patient,
        outcome: payment.outcome.clone(),
        payer_claim_number: payment.payer_claim_number.clone(),
        detail: format!(
            "charge {}, paid {}, patient {} (CLP02 {}",
            cents(payment.charge_cents),
            cents(payment.paid_cents),
            cents(patient),
            payment.status_code
        ),
    }
}
