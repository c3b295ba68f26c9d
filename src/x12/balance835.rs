//! 835 balancing: the three equations every remittance must satisfy, checked to the cent.
//!
//! - Transaction: BPR02 = Σ CLP04 − Σ PLB amounts.
//! - Claim: CLP03 − CLP04 = Σ claim CAS + Σ line CAS.
//! - Service line: SVC02 − SVC03 = Σ line CAS.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::remit835::{Remittance, adjustments_total};
use super::values::Amount;

/// Which part of the remittance is out of balance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BalanceScope {
    /// The whole transaction (BPR02 against claims and PLB).
    Transaction,
    /// One claim.
    Claim {
        /// CLP01.
        patient_control_number: String,
        /// 0-based position of the claim in the remittance.
        claim_index: usize,
    },
    /// One service line of a claim.
    Line {
        /// CLP01 of the claim.
        patient_control_number: String,
        /// 0-based position of the claim in the remittance.
        claim_index: usize,
        /// 0-based position of the line in the claim.
        line_index: usize,
        /// REF*6R of the line, when sent.
        line_item_control_number: Option<String>,
    },
}

/// One failed balancing equation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalanceDiscrepancy {
    /// Where.
    pub scope: BalanceScope,
    /// What the left side of the equation is (e.g. `BPR02 payment`).
    pub reported_label: String,
    /// The reported value (left side).
    pub reported: Amount,
    /// What the right side is made of (e.g. `claim payments minus PLB adjustments`).
    pub computed_label: String,
    /// The value computed from the detail (right side).
    pub computed: Amount,
}

impl BalanceDiscrepancy {
    /// `reported − computed`, in cents.
    pub fn difference(&self) -> Amount {
        self.reported.saturating_sub(self.computed)
    }
}

impl fmt::Display for BalanceDiscrepancy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.scope {
            BalanceScope::Transaction => write!(f, "transaction")?,
            BalanceScope::Claim {
                patient_control_number,
                ..
            } => write!(f, "claim {patient_control_number}")?,
            BalanceScope::Line {
                patient_control_number,
                line_index,
                ..
            } => write!(f, "claim {patient_control_number} line {}", line_index + 1)?,
        }
        write!(
            f,
            ": {} is {} but {} is {} (difference {})",
            self.reported_label,
            self.reported,
            self.computed_label,
            self.computed,
            self.difference()
        )
    }
}

/// Checks all balancing equations; an empty list means the remittance balances.
pub fn check_balance(remittance: &Remittance) -> Vec<BalanceDiscrepancy> {
    let mut discrepancies = Vec::new();
    let mut push_if_unbalanced =
        |scope, reported_label: &str, reported, computed_label: &str, computed| {
            if reported != computed {
                discrepancies.push(BalanceDiscrepancy {
                    scope,
                    reported_label: reported_label.to_owned(),
                    reported,
                    computed_label: computed_label.to_owned(),
                    computed,
                });
            }
        };

    let claim_payments: Amount = remittance.claims().map(|c| c.payment).sum();
    let provider_adjustments: Amount = remittance
        .provider_adjustments
        .iter()
        .flat_map(|p| &p.amounts)
        .map(|a| a.amount)
        .sum();
    push_if_unbalanced(
        BalanceScope::Transaction,
        "BPR02 payment",
        remittance.payment.signed_amount(),
        "claim payments (CLP04) minus provider adjustments (PLB)",
        claim_payments.saturating_sub(provider_adjustments),
    );

    for (claim_index, claim) in remittance.claims().enumerate() {
        let line_adjustments: Amount = claim
            .lines
            .iter()
            .map(|l| adjustments_total(&l.adjustments))
            .sum();
        push_if_unbalanced(
            BalanceScope::Claim {
                patient_control_number: claim.patient_control_number.clone(),
                claim_index,
            },
            "charge minus payment (CLP03 - CLP04)",
            claim.total_charge.saturating_sub(claim.payment),
            "claim and line adjustments (CAS)",
            adjustments_total(&claim.adjustments).saturating_add(line_adjustments),
        );
        for (line_index, line) in claim.lines.iter().enumerate() {
            push_if_unbalanced(
                BalanceScope::Line {
                    patient_control_number: claim.patient_control_number.clone(),
                    claim_index,
                    line_index,
                    line_item_control_number: line.line_item_control_number().map(str::to_owned),
                },
                "charge minus payment (SVC02 - SVC03)",
                line.charge.saturating_sub(line.payment),
                "line adjustments (CAS)",
                adjustments_total(&line.adjustments),
            );
        }
    }
    discrepancies
}
