//! 835 remittances: each payment is stored once (payer + TRN trace number), its balancing is
//! checked, every CLP is matched to our claim (CLP01, else the payer's claim number) and posted:
//! paid amount, adjustments and patient responsibility, each an entry of the reconciliation
//! ledger, and the claim ends as paid, partially paid, denied, overpaid, reversed or unmatched.

use serde::Serialize;

use super::RevenueError;
use super::posting::{has_cost_sharing, is_denied, plan_posting};
use crate::canonical::LineFacts;
use crate::store::Store;
use crate::store::remit::{Cas, ClaimPosting, NewRemittance, RemittedLine};
use crate::x12::{self, ClaimPayment, Remittance};

/// What importing one 835 did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// Remittances stored, by id.
    pub imported: Vec<i64>,
    /// Trace numbers already imported earlier (nothing posted again).
    pub already_imported: Vec<String>,
    /// Claims posted, with their outcome.
    pub posted: Vec<String>,
    /// CLP01s that match no claim of ours.
    pub unmatched: Vec<String>,
    /// Balancing problems, with the exact difference.
    pub unbalanced: Vec<String>,
}

/// Whether an adjustment reason takes the amount off for a reason other than the member's cost
/// sharing (1, 2, 3), the fee schedule or a negotiated discount (45, 131, A2), multiple
/// procedure rules (59), sequestration (253) or a prior payer (23): a denial of that amount.
pub fn is_denial_reason(reason: &str) -> bool {
    !REDUCTION_REASONS.contains(&reason)
}

/// The adjustment reasons that are not denials (see [`is_denial_reason`]).
pub const REDUCTION_REASONS: &[&str] = &["1", "2", "3", "23", "45", "59", "131", "253", "A2"];

/// The outcome of one claim payment: `reversed` (CLP02 22); `denied` (CLP02 4, or nothing paid
/// and no cost sharing to explain it); `overpaid` (more than the charge); `partially paid` (a
/// line, or the claim, denied in part); else `paid`.
fn outcome(claim: &ClaimPosting) -> &'static str {
    if claim.status_code == "22" {
        return "reversed";
    }
    let cost_sharing = has_cost_sharing(&claim.adjustments)
        || claim.lines.iter().any(|l| has_cost_sharing(&l.adjustments));
    if claim.status_code == "4" || (claim.paid_cents == 0 && !cost_sharing) {
        return "denied";
    }
    if claim.paid_cents > claim.charge_cents {
        return "overpaid";
    }
    let claim_denial = claim
        .adjustments
        .iter()
        .any(|c| is_denial_reason(&c.reason) && c.amount_cents > 0);
    if claim_denial || claim.lines.iter().any(is_denied) {
        "partially paid"
    } else {
        "paid"
    }
}

/// CAS segments, one entry per reason.
fn cas_entries(adjustments: &[x12::Adjustment]) -> Vec<Cas> {
    adjustments
        .iter()
        .flat_map(|a| {
            a.reasons.iter().map(move |r| Cas {
                group: a.group.code().to_string(),
                reason: r.reason_code.clone(),
                amount_cents: r.amount.cents(),
            })
        })
        .collect()
}

fn remitted_line(line: &x12::ServiceLine, claim_from: Option<String>) -> RemittedLine {
    let units = line.units_paid.or(line.original_units);
    RemittedLine {
        facts: LineFacts {
            procedure: line.procedure.code.clone(),
            modifiers: line.procedure.modifiers.join(","),
            original_procedure: line.original_procedure.as_ref().map(|p| p.code.clone()),
            original_modifiers: line
                .original_procedure
                .as_ref()
                .map(|p| p.modifiers.join(",")),
            service_date: line
                .service_period()
                .map(|p| p.start.to_string())
                .or(claim_from),
            units_thousandths: units.map(|q| q.0 / 1000),
            control_number: line.line_item_control_number().map(str::to_string),
        },
        charge_cents: line.charge.cents(),
        paid_cents: line.payment.cents(),
        adjustments: cas_entries(&line.adjustments),
        remarks: line
            .remarks
            .iter()
            .map(|r| (r.qualifier.clone(), r.code.clone()))
            .collect(),
    }
}

fn claim_posting(clp: &ClaimPayment) -> ClaimPosting {
    let claim_from = clp.statement_from().map(|d| d.to_string());
    // A line without its own date is on the claim's date only when the claim spans one day.
    let one_day = match (clp.statement_from(), clp.statement_to()) {
        (Some(from), Some(to)) => (from == to).then(|| from.to_string()),
        (from, None) => from.map(|d| d.to_string()),
        (None, Some(_)) => None,
    };
    let lines: Vec<RemittedLine> = clp
        .lines
        .iter()
        .map(|line| remitted_line(line, one_day.clone()))
        .collect();
    let dates = || lines.iter().filter_map(|l| l.facts.service_date.clone());
    let service_period = (
        claim_from.clone().or_else(|| dates().min()),
        clp.statement_to()
            .map(|d| d.to_string())
            .or_else(|| dates().max()),
    );
    let remarks = clp
        .outpatient
        .iter()
        .flat_map(|moa| &moa.remark_codes)
        .chain(clp.inpatient.iter().flat_map(|mia| &mia.remark_codes))
        .map(|code| ("HE".to_string(), code.clone()))
        .collect();
    let mut posting = ClaimPosting {
        patient_control_number: clp.patient_control_number.clone(),
        payer_claim_number: clp.payer_claim_control_number.clone(),
        status_code: clp.status.code().to_string(),
        charge_cents: clp.total_charge.cents(),
        paid_cents: clp.payment.cents(),
        patient_responsibility_cents: clp.patient_responsibility.map_or(0, |a| a.cents()),
        outcome: String::new(),
        member_id: clp
            .insured
            .as_ref()
            .or(clp.patient.as_ref())
            .and_then(|n| n.id.clone()),
        service_period,
        adjustments: cas_entries(&clp.adjustments),
        remarks,
        lines,
    };
    posting.outcome = outcome(&posting).to_string();
    posting
}

/// Larger than any real payment (a hundred billion dollars, in cents): amounts beyond it are
/// refused, so that no sum of them can overflow.
const MAX_CENTS: i64 = 10_000_000_000_000;

/// Every amount of the remittance within [`MAX_CENTS`], or what is out of range.
fn check_amounts(remittance: &Remittance) -> Result<(), String> {
    let too_large = |what: String, cents: i64| {
        if cents.unsigned_abs() > MAX_CENTS.unsigned_abs() {
            Err(format!("{what} is out of range: {cents} cents"))
        } else {
            Ok(())
        }
    };
    let cas = |what: &str, adjustments: &[x12::Adjustment]| {
        adjustments
            .iter()
            .flat_map(|a| &a.reasons)
            .try_for_each(|r| too_large(format!("{what} CAS {}", r.reason_code), r.amount.cents()))
    };
    too_large("BPR02".into(), remittance.payment.amount.cents())?;
    for plb in &remittance.provider_adjustments {
        for amount in &plb.amounts {
            too_large(format!("PLB {}", amount.reason_code), amount.amount.cents())?;
        }
    }
    for clp in remittance.claims() {
        let id = &clp.patient_control_number;
        too_large(format!("CLP {id} CLP03"), clp.total_charge.cents())?;
        too_large(format!("CLP {id} CLP04"), clp.payment.cents())?;
        too_large(
            format!("CLP {id} CLP05"),
            clp.patient_responsibility.map_or(0, |a| a.cents()),
        )?;
        cas(&format!("CLP {id}"), &clp.adjustments)?;
        for (n, line) in clp.lines.iter().enumerate() {
            let what = format!("CLP {id} SVC {}", n + 1);
            too_large(format!("{what} SVC02"), line.charge.cents())?;
            too_large(format!("{what} SVC03"), line.payment.cents())?;
            cas(&what, &line.adjustments)?;
        }
    }
    Ok(())
}

/// The remittance to store; its `interchange` names it when it has no TRN, and tells who sent it.
fn new_remittance(remittance: &Remittance, interchange: &x12::Interchange) -> NewRemittance {
    let trace = remittance.trace.as_ref();
    let discrepancies = x12::check_balance(remittance);
    NewRemittance {
        payer_identifier: trace
            .and_then(|t| t.originator.clone())
            .or_else(|| remittance.payer.id.clone())
            .or_else(|| remittance.payer.name.clone())
            .unwrap_or_else(|| "unknown".to_string()),
        trace_number: trace.map_or_else(
            || {
                format!(
                    "{}-{}",
                    interchange.control_number, remittance.control_number
                )
            },
            |t| t.reference.clone(),
        ),
        payment_cents: remittance.payment.signed_amount().cents(),
        credit_debit: remittance.payment.credit_debit.code().to_string(),
        method: remittance.payment.method.code().to_string(),
        payment_date: remittance.payment.date.map(|d| d.to_string()),
        sender_ids: [
            Some(interchange.sender_id.trim().to_string()),
            remittance.payer.id.clone(),
        ]
        .into_iter()
        .flatten()
        .collect(),
        balance_notes: discrepancies.iter().map(ToString::to_string).collect(),
        claims: remittance.claims().map(claim_posting).collect(),
        provider_adjustments: remittance
            .provider_adjustments
            .iter()
            .flat_map(|plb| {
                plb.amounts.iter().map(|a| {
                    (
                        plb.provider_id.clone(),
                        a.reason_code.clone(),
                        a.reference.clone(),
                        a.amount.cents(),
                    )
                })
            })
            .collect(),
    }
}

/// Imports an 835: stores each remittance once and posts it to our claims.
///
/// The file is read twice, one transaction set at a time, so that memory holds one remittance
/// and never every remittance of a large file: first every set must read and its amounts fit,
/// so a file with one broken set imports nothing; then each set is stored and posted in turn.
pub async fn import_835(
    store: &Store,
    raw: &[u8],
    source: &str,
) -> Result<ImportReport, RevenueError> {
    let unreadable = |err: x12::X12Error| RevenueError::Unreadable(err.to_string());
    for set in x12::read_835_sets(raw).map_err(unreadable)? {
        let (_, remittance) = set.map_err(unreadable)?;
        check_amounts(&remittance).map_err(RevenueError::Unreadable)?;
    }
    let mut report = ImportReport::default();
    let mut sets = x12::read_835_sets(raw).map_err(unreadable)?;
    while let Some(set) = sets.next() {
        let (interchange, remittance) = set.map_err(unreadable)?;
        let new = new_remittance(&remittance, sets.interchange(interchange));
        drop(remittance);
        report.unbalanced.extend(new.balance_notes.iter().cloned());
        match store.import_remittance(&new, source, &plan_posting).await? {
            None => report.already_imported.push(new.trace_number.clone()),
            Some(imported) => {
                report.imported.push(imported.remittance_id);
                report.posted.extend(imported.posted);
                report.unmatched.extend(imported.unmatched);
            }
        }
    }
    Ok(report)
}

/// Matches an unmatched claim payment to our claim by hand, posting it as an automatic match
/// would; answers the claim's new status.
pub async fn match_by_hand(
    store: &Store,
    remittance_claim_id: i64,
    claim_id: i64,
    actor: &str,
) -> Result<String, crate::store::StoreError> {
    store
        .match_by_hand(remittance_claim_id, claim_id, actor, &plan_posting)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The public managed-care sample 835: two claims, each paid with a contractual
    /// adjustment and a deductible.
    const SAMPLE: &str = include_str!("../../tests/fixtures/x12/835-managed-care.x12");

    fn outcomes(text: &str) -> Vec<String> {
        let read = x12::read_835(text.as_bytes()).unwrap();
        read.documents[0]
            .claims()
            .map(|clp| claim_posting(clp).outcome)
            .collect()
    }

    #[test]
    fn outcomes_follow_payments_denials_and_cost_sharing() {
        assert_eq!(outcomes(SAMPLE), ["paid", "paid"]);
        // Nothing paid, and the whole charge applied to the deductible: processed, not denied.
        let deductible = SAMPLE
            .replace(
                "CLP*5554555444*1*800.00*450.00*300.00",
                "CLP*5554555444*1*800.00*0*800.00",
            )
            .replace("CAS*CO*A2*50.00~", "")
            .replace("SVC*HC:99211*800.00*500.00", "SVC*HC:99211*800.00*0")
            .replace("CAS*PR*1*300.00~\nCLP*8765", "CAS*PR*1*800.00~\nCLP*8765");
        assert_eq!(outcomes(&deductible)[0], "paid");
        // Nothing paid for a non-covered service: denied.
        let denied =
            deductible.replace("CAS*PR*1*800.00~\nCLP*8765", "CAS*CO*96*800.00~\nCLP*8765");
        assert_eq!(outcomes(&denied)[0], "denied");
        // A reversal is a reversal, whatever its amounts.
        let reversal = SAMPLE.replace("CLP*5554555444*1*", "CLP*5554555444*22*");
        assert_eq!(outcomes(&reversal)[0], "reversed");
        // A denial reason on the claim beside a payment: partially paid.
        let partial = SAMPLE.replace("CAS*CO*A2*50.00", "CAS*CO*97*50.00");
        assert_eq!(outcomes(&partial)[0], "partially paid");
    }

    #[test]
    fn absurd_amounts_are_refused_with_where_they_are() {
        let read = x12::read_835(SAMPLE.as_bytes()).unwrap();
        assert_eq!(check_amounts(&read.documents[0]), Ok(()));
        let huge = SAMPLE.replace("CAS*PR*1*300.00", "CAS*PR*1*92000000000000000");
        let read = x12::read_835(huge.as_bytes()).unwrap();
        let err = check_amounts(&read.documents[0]).unwrap_err();
        assert!(
            err.starts_with("CLP 5554555444 SVC 1 CAS 1 is out of range"),
            "{err}"
        );
    }

    #[test]
    fn reductions_are_not_denials() {
        for reason in ["1", "2", "3", "45", "253", "A2"] {
            assert!(!is_denial_reason(reason), "{reason}");
        }
        for reason in ["96", "97", "197", "16", "50"] {
            assert!(is_denial_reason(reason), "{reason}");
        }
    }
}
