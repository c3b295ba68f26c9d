//! Remittances in the store: one row per 835 payment (unique per payer and trace number), its
//! claims, lines and adjustments, provider-level adjustments, and the reconciliation ledger.

use serde::Serialize;
use sqlx::{AnyConnection, Row};

use super::{Store, StoreError, now_millis};

/// One ledger entry to post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posting {
    /// `payment`, `adjustment CO`, `patient responsibility`...
    pub kind: String,
    /// Amount, in cents.
    pub amount_cents: i64,
    /// Group and reason code, for adjustments.
    pub reason: Option<String>,
}

/// One CLP to post: (group, reason, cents) adjustments; lines as (procedure, modifiers, charge,
/// paid, adjustments).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimPosting {
    /// CLP01.
    pub patient_control_number: String,
    /// CLP07.
    pub payer_claim_number: Option<String>,
    /// CLP02.
    pub status_code: String,
    /// CLP03, cents.
    pub charge_cents: i64,
    /// CLP04, cents.
    pub paid_cents: i64,
    /// CLP05, cents.
    pub patient_responsibility_cents: i64,
    /// `paid`, `partially paid`, `denied`, `overpaid`, `reversed`.
    pub outcome: String,
    /// Ledger entries.
    pub postings: Vec<Posting>,
    /// Claim-level CAS.
    pub adjustments: Vec<(String, String, i64)>,
    /// SVC lines.
    #[allow(clippy::type_complexity)]
    pub lines: Vec<(String, String, i64, i64, Vec<(String, String, i64)>)>,
}

/// One 835 payment to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRemittance {
    /// TRN03 or the payer's id.
    pub payer_identifier: String,
    /// TRN02.
    pub trace_number: String,
    /// BPR02, cents.
    pub payment_cents: i64,
    /// BPR03.
    pub credit_debit: String,
    /// BPR04.
    pub method: String,
    /// Balancing problems; empty when balanced.
    pub balance_notes: Vec<String>,
    /// The claims.
    pub claims: Vec<ClaimPosting>,
    /// PLB: (provider, reason, reference, cents).
    pub provider_adjustments: Vec<(String, String, Option<String>, i64)>,
}

/// What an import posted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Imported {
    /// The remittance row.
    pub remittance_id: i64,
    /// `CLP01: outcome` per matched claim.
    pub posted: Vec<String>,
    /// CLP01s matching no claim.
    pub unmatched: Vec<String>,
}

/// A remittance as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemittanceView {
    /// Id.
    pub id: i64,
    /// Payer identifier.
    pub payer_identifier: String,
    /// Trace number.
    pub trace_number: String,
    /// Payment, cents.
    pub payment_cents: i64,
    /// Whether the 835 balanced.
    pub balanced: bool,
    /// The differences when it did not.
    pub balance_notes: Option<String>,
    /// Unix ms.
    pub created_at: i64,
}

impl Store {
    /// Stores a remittance and posts it to the claims it matches, in one transaction.
    /// `None` when this payer's trace number was imported before: nothing is posted twice.
    pub async fn import_remittance(
        &self,
        remittance: &NewRemittance,
        source: &str,
    ) -> Result<Option<Imported>, StoreError> {
        let now = now_millis();
        let mut tx = self.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO remittances (payer_identifier, trace_number, payment_cents, credit_debit, payment_method, \
             balanced, balance_notes, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (payer_identifier, trace_number) DO NOTHING RETURNING id",
        )
        .bind(&remittance.payer_identifier)
        .bind(&remittance.trace_number)
        .bind(remittance.payment_cents)
        .bind(&remittance.credit_debit)
        .bind(&remittance.method)
        .bind(i64::from(remittance.balance_notes.is_empty()))
        .bind((!remittance.balance_notes.is_empty()).then(|| remittance.balance_notes.join("; ")))
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = inserted else {
            return Ok(None);
        };
        let remittance_id: i64 = row.try_get("id")?;
        let mut imported = Imported {
            remittance_id,
            ..Imported::default()
        };
        for (provider, reason, reference, amount) in &remittance.provider_adjustments {
            sqlx::query(
                "INSERT INTO provider_adjustments (remittance_id, provider_identifier, reason_code, reference, amount_cents) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(remittance_id)
            .bind(provider)
            .bind(reason)
            .bind(reference)
            .bind(*amount)
            .execute(&mut *tx)
            .await?;
        }
        for claim in &remittance.claims {
            let claim_id = match_claim(&mut tx, claim).await?;
            let remittance_claim_id: i64 = sqlx::query(
                "INSERT INTO remittance_claims (remittance_id, claim_id, patient_control_number, status_code, charge_cents, \
                 paid_cents, patient_responsibility_cents, payer_claim_number, match_status, outcome) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(remittance_id)
            .bind(claim_id)
            .bind(&claim.patient_control_number)
            .bind(&claim.status_code)
            .bind(claim.charge_cents)
            .bind(claim.paid_cents)
            .bind(claim.patient_responsibility_cents)
            .bind(&claim.payer_claim_number)
            .bind(if claim_id.is_some() { "matched" } else { "unmatched" })
            .bind(if claim_id.is_some() { claim.outcome.as_str() } else { "unmatched" })
            .fetch_one(&mut *tx)
            .await?
            .try_get("id")?;
            for (group, reason, amount) in &claim.adjustments {
                insert_adjustment(&mut tx, remittance_claim_id, None, group, reason, *amount)
                    .await?;
            }
            for (procedure, modifiers, charge, paid, adjustments) in &claim.lines {
                let line_id: i64 = sqlx::query(
                    "INSERT INTO remittance_lines (remittance_claim_id, procedure_code, modifiers, charge_cents, paid_cents) \
                     VALUES ($1, $2, $3, $4, $5) RETURNING id",
                )
                .bind(remittance_claim_id)
                .bind(procedure)
                .bind(modifiers)
                .bind(*charge)
                .bind(*paid)
                .fetch_one(&mut *tx)
                .await?
                .try_get("id")?;
                for (group, reason, amount) in adjustments {
                    insert_adjustment(
                        &mut tx,
                        remittance_claim_id,
                        Some(line_id),
                        group,
                        reason,
                        *amount,
                    )
                    .await?;
                }
            }
            let Some(claim_id) = claim_id else {
                imported
                    .unmatched
                    .push(claim.patient_control_number.clone());
                continue;
            };
            for posting in &claim.postings {
                sqlx::query(
                    "INSERT INTO reconciliations (remittance_claim_id, claim_id, entry_kind, amount_cents, reason, actor, source, created_at) \
                     VALUES ($1, $2, $3, $4, $5, 'auto', $6, $7)",
                )
                .bind(remittance_claim_id)
                .bind(claim_id)
                .bind(&posting.kind)
                .bind(posting.amount_cents)
                .bind(&posting.reason)
                .bind(format!("{source}, trace {}", remittance.trace_number))
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            // A reversal carries negative amounts: adding undoes the earlier posting.
            sqlx::query(
                "UPDATE claims SET paid_cents = paid_cents + $1, patient_responsibility_cents = patient_responsibility_cents + $2, \
                 status = $3, payer_claim_number = COALESCE($4, payer_claim_number), updated_at = $5 WHERE id = $6",
            )
            .bind(claim.paid_cents)
            .bind(claim.patient_responsibility_cents)
            .bind(&claim.outcome)
            .bind(&claim.payer_claim_number)
            .bind(now)
            .bind(claim_id)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO claim_events (claim_id, at, status, detail) VALUES ($1, $2, $3, $4)",
            )
            .bind(claim_id)
            .bind(now)
            .bind(&claim.outcome)
            .bind(format!(
                "835 trace {}: charge {}, paid {}, patient {} (CLP02 {})",
                remittance.trace_number,
                cents(claim.charge_cents),
                cents(claim.paid_cents),
                cents(claim.patient_responsibility_cents),
                claim.status_code
            ))
            .execute(&mut *tx)
            .await?;
            imported.posted.push(format!(
                "{}: {}",
                claim.patient_control_number, claim.outcome
            ));
        }
        tx.commit().await?;
        Ok(Some(imported))
    }

    /// Remittances, newest first.
    pub async fn remittances(&self, limit: i64) -> Result<Vec<RemittanceView>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, payer_identifier, trace_number, payment_cents, balanced, balance_notes, created_at \
             FROM remittances ORDER BY id DESC LIMIT $1",
        )
        .bind(limit.clamp(1, 1000))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(RemittanceView {
                    id: row.try_get("id")?,
                    payer_identifier: row.try_get("payer_identifier")?,
                    trace_number: row.try_get("trace_number")?,
                    payment_cents: row.try_get("payment_cents")?,
                    balanced: row.try_get::<i64, _>("balanced")? != 0,
                    balance_notes: row.try_get("balance_notes")?,
                    created_at: row.try_get("created_at")?,
                })
            })
            .collect()
    }
}

/// `12.34` for 1234 cents.
fn cents(value: i64) -> String {
    let sign = if value < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", value.abs() / 100, value.abs() % 100)
}

/// Our claim for a CLP: by CLP01 (our claim number), else by the payer's claim number.
async fn match_claim(
    conn: &mut AnyConnection,
    claim: &ClaimPosting,
) -> Result<Option<i64>, StoreError> {
    let by_number = sqlx::query("SELECT id FROM claims WHERE claim_number = $1")
        .bind(&claim.patient_control_number)
        .fetch_optional(&mut *conn)
        .await?;
    if let Some(row) = by_number {
        return Ok(Some(row.try_get("id")?));
    }
    let Some(payer_number) = &claim.payer_claim_number else {
        return Ok(None);
    };
    let by_payer = sqlx::query("SELECT id FROM claims WHERE payer_claim_number = $1")
        .bind(payer_number)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(by_payer.map(|row| row.try_get("id")).transpose()?)
}

async fn insert_adjustment(
    conn: &mut AnyConnection,
    remittance_claim_id: i64,
    line_id: Option<i64>,
    group: &str,
    reason: &str,
    amount: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO adjustments (remittance_claim_id, remittance_line_id, group_code, reason_code, amount_cents) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(remittance_claim_id)
    .bind(line_id)
    .bind(group)
    .bind(reason)
    .bind(amount)
    .execute(conn)
    .await?;
    Ok(())
}
