//! What the ledger says: each claim's balance, the denial and unmatched worklists, a bill's
//! posting history and a remittance with everything posted from it. Reports are built on these.

use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::sql::Placeholders;
use super::{Store, StoreError};

/// One claim with its ledger totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ClaimBalance {
    /// Claim id.
    pub claim_id: i64,
    /// Our claim number (CLM01).
    pub claim_number: String,
    /// The bill it claims.
    pub bill_id: i64,
    /// Claim status.
    pub status: String,
    /// Payer id (`HMO1`).
    pub payer_id: String,
    /// Payer name.
    pub payer_name: String,
    /// Total charge, cents.
    pub billed_cents: i64,
    /// Paid by the payer, cents.
    pub paid_cents: i64,
    /// Contractual adjustments (CO), cents.
    pub contractual_cents: i64,
    /// Patient responsibility (PR), cents.
    pub patient_cents: i64,
    /// Other adjustments (OA, PI, CR), cents.
    pub other_cents: i64,
    /// When the claim was created, Unix ms.
    pub created_at: i64,
    /// When the first remittance was posted to it, Unix ms.
    pub first_posted_at: Option<i64>,
}

impl ClaimBalance {
    /// What is still owed by the payer: billed − paid − adjustments − patient responsibility.
    pub fn outstanding_cents(&self) -> i64 {
        self.billed_cents
            - self.paid_cents
            - self.contractual_cents
            - self.patient_cents
            - self.other_cents
    }
}

/// One adjustment reason on a denial, or one remark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DenialRow {
    /// The remittance claim (CLP).
    pub remittance_claim_id: i64,
    /// Our claim, when matched.
    pub claim_id: Option<i64>,
    /// Our claim number, when matched.
    pub claim_number: Option<String>,
    /// CLP01 as the payer sent it.
    pub patient_control_number: String,
    /// Payer identifier of the 835.
    pub payer: String,
    /// Trace number of the 835.
    pub trace_number: String,
    /// The denied line; `None` for a claim-level reason.
    pub remittance_line_id: Option<i64>,
    /// Procedure of the denied line; `None` for a claim-level reason.
    pub procedure_code: Option<String>,
    /// Adjustment group.
    pub group_code: String,
    /// CARC.
    pub reason_code: String,
    /// Amount, cents.
    pub amount_cents: i64,
    /// When the 835 was imported, Unix ms.
    pub received_at: i64,
}

/// One CLP of a remittance, with how it was matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RemittanceClaimView {
    /// Id, to match it by hand.
    pub id: i64,
    /// The remittance.
    pub remittance_id: i64,
    /// Trace number of its 835.
    pub trace_number: String,
    /// Payer identifier of the 835.
    pub payer: String,
    /// CLP01.
    pub patient_control_number: String,
    /// CLP07.
    pub payer_claim_number: Option<String>,
    /// Member id.
    pub member_id: Option<String>,
    /// First service date.
    pub service_from: Option<String>,
    /// CLP02.
    pub status_code: String,
    /// CLP03, cents.
    pub charge_cents: i64,
    /// CLP04, cents.
    pub paid_cents: i64,
    /// CLP05, cents.
    pub patient_responsibility_cents: i64,
    /// Our claim, once matched.
    pub claim_id: Option<i64>,
    /// `matched`, `manual` or `unmatched`.
    pub match_status: String,
    /// `auto` or who matched it by hand.
    pub matched_by: Option<String>,
    /// `paid`, `partially paid`, `denied`, `overpaid`, `reversed`.
    pub outcome: Option<String>,
    /// When the 835 was imported, Unix ms.
    pub received_at: i64,
}

const REMITTANCE_CLAIM_SQL: &str = "SELECT rc.id, rc.remittance_id, r.trace_number, \
     COALESCE(rp.payer_id, r.payer_identifier) AS payer_identifier, \
     rc.patient_control_number, rc.payer_claim_number, rc.member_id, rc.service_from, rc.status_code, rc.charge_cents, \
     rc.paid_cents, rc.patient_responsibility_cents, rc.claim_id, rc.match_status, rc.matched_by, rc.outcome, r.created_at \
     FROM remittance_claims rc JOIN remittances r ON r.id = rc.remittance_id \
     LEFT JOIN payers rp ON rp.id = r.payer_id";

fn remittance_claim(row: &AnyRow) -> Result<RemittanceClaimView, StoreError> {
    Ok(RemittanceClaimView {
        id: row.try_get("id")?,
        remittance_id: row.try_get("remittance_id")?,
        trace_number: row.try_get("trace_number")?,
        payer: row.try_get("payer_identifier")?,
        patient_control_number: row.try_get("patient_control_number")?,
        payer_claim_number: row.try_get("payer_claim_number")?,
        member_id: row.try_get("member_id")?,
        service_from: row.try_get("service_from")?,
        status_code: row.try_get("status_code")?,
        charge_cents: row.try_get("charge_cents")?,
        paid_cents: row.try_get("paid_cents")?,
        patient_responsibility_cents: row.try_get("patient_responsibility_cents")?,
        claim_id: row.try_get("claim_id")?,
        match_status: row.try_get("match_status")?,
        matched_by: row.try_get("matched_by")?,
        outcome: row.try_get("outcome")?,
        received_at: row.try_get("created_at")?,
    })
}

/// One ledger entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LedgerEntry {
    /// Id.
    pub id: i64,
    /// The claim.
    pub claim_id: Option<i64>,
    /// The bill line, when the entry is for one line.
    pub bill_line_id: Option<i64>,
    /// The remittance claim it came from.
    pub remittance_claim_id: i64,
    /// `payment`, `contractual`, `patient responsibility`, `other adjustment`.
    pub kind: String,
    /// Amount, cents.
    pub amount_cents: i64,
    /// Group and reason (`CO-45`).
    pub reason: Option<String>,
    /// `auto` or who matched it by hand.
    pub actor: String,
    /// The file and trace number.
    pub source: Option<String>,
    /// Unix ms.
    pub created_at: i64,
}

/// One SVC line as posted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PostedLine {
    /// Id.
    pub id: i64,
    /// The remittance claim.
    pub remittance_claim_id: i64,
    /// The claim line it paid.
    pub claim_line_id: Option<i64>,
    /// SVC01 procedure.
    pub procedure_code: String,
    /// SVC01 modifiers.
    pub modifiers: String,
    /// SVC02, cents.
    pub charge_cents: i64,
    /// SVC03, cents.
    pub paid_cents: i64,
    /// What the contract says it should have paid, cents.
    pub expected_paid_cents: Option<i64>,
    /// Paid − expected, cents.
    pub variance_cents: Option<i64>,
    /// Why there is a variance, or why none could be computed.
    pub variance_note: Option<String>,
}

/// Everything posted from one remittance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RemittancePostings {
    /// Its claim payments.
    pub claims: Vec<RemittanceClaimView>,
    /// Their service lines.
    pub lines: Vec<PostedLine>,
    /// The ledger entries posted from them.
    pub entries: Vec<LedgerEntry>,
}

const BALANCE_SQL: &str = "SELECT c.id, c.claim_number, c.bill_id, c.status, c.total_charge_cents, c.created_at, \
     p.payer_id, p.name, \
     CAST(COALESCE(SUM(CASE WHEN r.entry_kind = 'payment' THEN r.amount_cents ELSE 0 END), 0) AS BIGINT) AS paid, \
     CAST(COALESCE(SUM(CASE WHEN r.entry_kind = 'contractual' THEN r.amount_cents ELSE 0 END), 0) AS BIGINT) AS contractual, \
     CAST(COALESCE(SUM(CASE WHEN r.entry_kind = 'patient responsibility' THEN r.amount_cents ELSE 0 END), 0) AS BIGINT) AS patient, \
     CAST(COALESCE(SUM(CASE WHEN r.entry_kind = 'other adjustment' THEN r.amount_cents ELSE 0 END), 0) AS BIGINT) AS other, \
     MIN(r.created_at) AS first_posted_at \
     FROM claims c JOIN payers p ON p.id = c.payer_id LEFT JOIN reconciliations r ON r.claim_id = c.id";

fn claim_balance(row: &AnyRow) -> Result<ClaimBalance, StoreError> {
    Ok(ClaimBalance {
        claim_id: row.try_get("id")?,
        claim_number: row.try_get("claim_number")?,
        bill_id: row.try_get("bill_id")?,
        status: row.try_get("status")?,
        payer_id: row.try_get("payer_id")?,
        payer_name: row.try_get("name")?,
        billed_cents: row.try_get("total_charge_cents")?,
        paid_cents: row.try_get("paid")?,
        contractual_cents: row.try_get("contractual")?,
        patient_cents: row.try_get("patient")?,
        other_cents: row.try_get("other")?,
        created_at: row.try_get("created_at")?,
        first_posted_at: row.try_get("first_posted_at")?,
    })
}

fn ledger_entry(row: &AnyRow) -> Result<LedgerEntry, StoreError> {
    Ok(LedgerEntry {
        id: row.try_get("id")?,
        claim_id: row.try_get("claim_id")?,
        bill_line_id: row.try_get("bill_line_id")?,
        remittance_claim_id: row.try_get("remittance_claim_id")?,
        kind: row.try_get("entry_kind")?,
        amount_cents: row.try_get("amount_cents")?,
        reason: row.try_get("reason")?,
        actor: row.try_get("actor")?,
        source: row.try_get("source")?,
        created_at: row.try_get("created_at")?,
    })
}

const LEDGER_COLUMNS: &str = "r.id, r.claim_id, r.bill_line_id, r.remittance_claim_id, r.entry_kind, r.amount_cents, \
     r.reason, r.actor, r.source, r.created_at";

impl Store {
    /// Every claim still in force (not replaced or voided) with its ledger totals.
    pub async fn claim_balances(&self) -> Result<Vec<ClaimBalance>, StoreError> {
        let sql = format!(
            "{BALANCE_SQL} WHERE c.status NOT IN ('replaced', 'voided') \
             GROUP BY c.id, c.claim_number, c.bill_id, c.status, c.total_charge_cents, c.created_at, p.payer_id, p.name \
             ORDER BY c.id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(claim_balance).collect()
    }

    /// Denied claims and lines, one row per denial reason (any but the adjustment reasons in
    /// `reductions`, such as deductible or coinsurance), newest first; reversals are not denials.
    pub async fn denials(
        &self,
        limit: i64,
        reductions: &[&str],
    ) -> Result<Vec<DenialRow>, StoreError> {
        let reductions: Vec<String> = reductions.iter().map(|r| format!("'{r}'")).collect();
        let sql = format!(
            "SELECT rc.id AS remittance_claim_id, rc.claim_id, c.claim_number, rc.patient_control_number, \
             COALESCE(p.payer_id, rp.payer_id, r.payer_identifier) AS payer_identifier, r.trace_number, \
             a.remittance_line_id, \
             rl.procedure_code, \
             a.group_code, a.reason_code, a.amount_cents, r.created_at FROM adjustments a \
             JOIN remittance_claims rc ON rc.id = a.remittance_claim_id \
             JOIN remittances r ON r.id = rc.remittance_id \
             LEFT JOIN remittance_lines rl ON rl.id = a.remittance_line_id \
             LEFT JOIN claims c ON c.id = rc.claim_id LEFT JOIN payers p ON p.id = c.payer_id \
             LEFT JOIN payers rp ON rp.id = r.payer_id \
             WHERE (rc.outcome IN ('denied', 'partially paid') OR rl.paid_cents = 0) AND rc.status_code <> '22' \
             AND a.reason_code NOT IN ({}) ORDER BY r.id DESC, a.id LIMIT $1",
            reductions.join(", ")
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(limit.clamp(1, 100_000))
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| {
                Ok(DenialRow {
                    remittance_claim_id: row.try_get("remittance_claim_id")?,
                    claim_id: row.try_get("claim_id")?,
                    claim_number: row.try_get("claim_number")?,
                    patient_control_number: row.try_get("patient_control_number")?,
                    payer: row.try_get("payer_identifier")?,
                    trace_number: row.try_get("trace_number")?,
                    remittance_line_id: row.try_get("remittance_line_id")?,
                    procedure_code: row.try_get("procedure_code")?,
                    group_code: row.try_get("group_code")?,
                    reason_code: row.try_get("reason_code")?,
                    amount_cents: row.try_get("amount_cents")?,
                    received_at: row.try_get("created_at")?,
                })
            })
            .collect()
    }

    /// Remark codes (RARC) by remittance claim: (remittance claim, line, qualifier, code).
    pub async fn remarks_of(
        &self,
        remittance_claim_ids: &[i64],
    ) -> Result<Vec<(i64, Option<i64>, String, String)>, StoreError> {
        let mut remarks = Vec::new();
        for chunk in remittance_claim_ids.chunks(500) {
            let sql = format!(
                "SELECT remittance_claim_id, remittance_line_id, qualifier, code FROM remittance_remarks \
                 WHERE remittance_claim_id IN ({}) ORDER BY id",
                Placeholders::Numbered.list(1, chunk.len())
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                query = query.bind(*id);
            }
            for row in query.fetch_all(self.pool()).await? {
                remarks.push((
                    row.try_get("remittance_claim_id")?,
                    row.try_get("remittance_line_id")?,
                    row.try_get("qualifier")?,
                    row.try_get("code")?,
                ));
            }
        }
        Ok(remarks)
    }

    /// Claim payments that matched no claim, oldest first.
    pub async fn unmatched_claims(&self) -> Result<Vec<RemittanceClaimView>, StoreError> {
        let sql =
            format!("{REMITTANCE_CLAIM_SQL} WHERE rc.match_status = 'unmatched' ORDER BY rc.id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(remittance_claim).collect()
    }

    /// A bill's claims with their balances and every ledger entry posted to them.
    pub async fn bill_ledger(
        &self,
        bill_id: i64,
    ) -> Result<(Vec<ClaimBalance>, Vec<LedgerEntry>), StoreError> {
        let sql = format!(
            "{BALANCE_SQL} WHERE c.bill_id = $1 \
             GROUP BY c.id, c.claim_number, c.bill_id, c.status, c.total_charge_cents, c.created_at, p.payer_id, p.name \
             ORDER BY c.id"
        );
        let claims = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(bill_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(claim_balance)
            .collect::<Result<_, _>>()?;
        let sql = format!(
            "SELECT {LEDGER_COLUMNS} FROM reconciliations r JOIN claims c ON c.id = r.claim_id \
             WHERE c.bill_id = $1 ORDER BY r.id"
        );
        let entries = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(bill_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(ledger_entry)
            .collect::<Result<_, _>>()?;
        Ok((claims, entries))
    }

    /// The claims, SVC lines and ledger entries of a remittance.
    pub async fn remittance_postings(
        &self,
        remittance_id: i64,
    ) -> Result<RemittancePostings, StoreError> {
        let sql = format!("{REMITTANCE_CLAIM_SQL} WHERE rc.remittance_id = $1 ORDER BY rc.id");
        let claims = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(remittance_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(remittance_claim)
            .collect::<Result<_, _>>()?;
        let lines = sqlx::query(
            "SELECT rl.id, rl.remittance_claim_id, rl.claim_line_id, rl.procedure_code, rl.modifiers, rl.charge_cents, \
             rl.paid_cents, rl.expected_paid_cents, rl.variance_cents, rl.variance_note FROM remittance_lines rl \
             JOIN remittance_claims rc ON rc.id = rl.remittance_claim_id WHERE rc.remittance_id = $1 ORDER BY rl.id",
        )
        .bind(remittance_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| {
            Ok(PostedLine {
                id: row.try_get("id")?,
                remittance_claim_id: row.try_get("remittance_claim_id")?,
                claim_line_id: row.try_get("claim_line_id")?,
                procedure_code: row.try_get("procedure_code")?,
                modifiers: row.try_get("modifiers")?,
                charge_cents: row.try_get("charge_cents")?,
                paid_cents: row.try_get("paid_cents")?,
                expected_paid_cents: row.try_get("expected_paid_cents")?,
                variance_cents: row.try_get("variance_cents")?,
                variance_note: row.try_get("variance_note")?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
        let sql = format!(
            "SELECT {LEDGER_COLUMNS} FROM reconciliations r JOIN remittance_claims rc ON rc.id = r.remittance_claim_id \
             WHERE rc.remittance_id = $1 ORDER BY r.id"
        );
        let entries = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(remittance_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(ledger_entry)
            .collect::<Result<_, _>>()?;
        Ok(RemittancePostings {
            claims,
            lines,
            entries,
        })
    }
}
