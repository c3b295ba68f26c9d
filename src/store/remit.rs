//! Remittances in the store: one row per 835 payment (unique per payer and trace number), its
//! claims, lines and adjustments, provider-level adjustments, and the reconciliation ledger.
//! What a posting writes is decided by `revenue::posting`; this file is its SQL.
//!
//! The file is long because an import is one transaction over six tables, written in chunks of
//! multi-row statements; splitting it would spread one transaction across files.

use serde::Serialize;
use sqlx::{AnyConnection, Row};

use std::collections::{BTreeMap, HashMap};

use super::bulk::{insert_rows, update_rows};
use super::sql::Sql;
use super::upsert::Value;
use super::{Store, StoreError, now_millis};
use crate::canonical::{ContractTerms, LineFacts};

/// One CAS adjustment: group (`CO`, `PR`, `OA`, `PI`, `CR`), reason code (CARC), amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cas {
    /// Claim adjustment group code.
    pub group: String,
    /// Claim adjustment reason code.
    pub reason: String,
    /// Amount, cents.
    pub amount_cents: i64,
}

/// One SVC service line of a claim payment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemittedLine {
    /// What identifies the line, for matching it to our claim line.
    pub facts: LineFacts,
    /// SVC02, cents.
    pub charge_cents: i64,
    /// SVC03, cents.
    pub paid_cents: i64,
    /// Line CAS.
    pub adjustments: Vec<Cas>,
    /// LQ remark codes: (qualifier, code).
    pub remarks: Vec<(String, String)>,
}

/// One CLP to post.
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
    /// Member id (NM1*IL, else NM1*QC), to match a claim without our number.
    pub member_id: Option<String>,
    /// First and last service date, `YYYY-MM-DD`.
    pub service_period: (Option<String>, Option<String>),
    /// Claim-level CAS.
    pub adjustments: Vec<Cas>,
    /// Claim-level remark codes (MOA): (qualifier, code).
    pub remarks: Vec<(String, String)>,
    /// SVC lines.
    pub lines: Vec<RemittedLine>,
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
    /// BPR16, `YYYY-MM-DD`.
    pub payment_date: Option<String>,
    /// Who sent it, to find our payer: the interchange sender (ISA06, our payer's
    /// `receiver_id`) and the payer's id in N1*PR (our `payer_id`).
    pub sender_ids: Vec<String>,
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RemittanceView {
    /// Id.
    pub id: i64,
    /// Payer identifier.
    pub payer_identifier: String,
    /// Trace number.
    pub trace_number: String,
    /// Payment, cents.
    pub payment_cents: i64,
    /// Payment (EFT effective or check) date, `YYYY-MM-DD`.
    pub payment_date: Option<String>,
    /// Whether the 835 balanced.
    pub balanced: bool,
    /// The differences when it did not.
    pub balance_notes: Option<String>,
    /// Unix ms.
    pub created_at: i64,
}

impl Store {
    /// Stores a remittance and posts each claim payment it can match to our claim, as
    /// `plan_posting` decides, in one transaction. `None` when this payer's trace number was imported before: nothing is
    /// posted twice. Unmatched claim payments are kept for the unmatched worklist. Claims are
    /// matched, stored and posted in chunks, a few statements per chunk, so a large 835 costs
    /// about as much per claim as a small one.
    pub async fn import_remittance(
        &self,
        remittance: &NewRemittance,
        source: &str,
        plan_posting: &PlanPosting,
    ) -> Result<Option<Imported>, StoreError> {
        let now = now_millis();
        let mut tx = self.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO remittances (payer_identifier, trace_number, payment_cents, credit_debit, payment_method, \
             payment_date, balanced, balance_notes, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (payer_identifier, trace_number) DO NOTHING RETURNING id",
        )
        .bind(&remittance.payer_identifier)
        .bind(&remittance.trace_number)
        .bind(remittance.payment_cents)
        .bind(&remittance.credit_debit)
        .bind(&remittance.method)
        .bind(&remittance.payment_date)
        .bind(i64::from(remittance.balance_notes.is_empty()))
        .bind((!remittance.balance_notes.is_empty()).then(|| remittance.balance_notes.join("; ")))
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = inserted else {
            return Ok(None);
        };
        let remittance_id: i64 = row.try_get("id")?;
        let payer_id = find_payer(&mut tx, &remittance.sender_ids).await?;
        if let Some(payer_id) = payer_id {
            sqlx::query("UPDATE remittances SET payer_id = $1 WHERE id = $2")
                .bind(payer_id)
                .bind(remittance_id)
                .execute(&mut *tx)
                .await?;
        }
        let mut imported = Imported {
            remittance_id,
            ..Imported::default()
        };
        let plb: Vec<Vec<Value>> = remittance
            .provider_adjustments
            .iter()
            .map(|(provider, reason, reference, amount)| {
                vec![
                    remittance_id.into(),
                    provider.into(),
                    reason.into(),
                    reference.into(),
                    (*amount).into(),
                ]
            })
            .collect();
        insert_rows(
            &mut tx,
            "provider_adjustments",
            &[
                "remittance_id",
                "provider_identifier",
                "reason_code",
                "reference",
                "amount_cents",
            ],
            &plb,
        )
        .await?;
        lock_remittance_ids(&mut tx, self.backend()).await?;
        let source = format!("{source}, trace {}", remittance.trace_number);
        let mut contracts = ContractCache::default();
        for chunk in remittance.claims.chunks(IMPORT_CHUNK) {
            let matched = match_claims(&mut tx, chunk, payer_id).await?;
            let stored = insert_claim_payments(&mut tx, remittance_id, chunk).await?;
            let claim_ids: Vec<i64> = matched.iter().flatten().copied().collect();
            let claimed = load_claim_lines(&mut tx, &claim_ids).await?;
            let mut plans = Vec::new();
            for ((claim, claim_id), stored) in chunk.iter().zip(&matched).zip(&stored) {
                let Some(claim_id) = claim_id else {
                    imported
                        .unmatched
                        .push(claim.patient_control_number.clone());
                    continue;
                };
                let (payer_id, lines) = claimed.get(claim_id).cloned().unwrap_or_default();
                let terms = contracts.terms(&mut tx, payer_id).await?;
                plans.push(plan_posting(claim, stored, *claim_id, &lines, terms));
                imported.posted.push(format!(
                    "{}: {}",
                    claim.patient_control_number, claim.outcome
                ));
            }
            write_postings(&mut tx, &plans, "auto", &source, now).await?;
        }
        tx.commit().await?;
        Ok(Some(imported))
    }

    /// Matches an unmatched claim payment to our claim by hand and posts it exactly as an
    /// automatic match would (`plan_posting`), recording who did it.
    pub async fn match_by_hand(
        &self,
        remittance_claim_id: i64,
        claim_id: i64,
        actor: &str,
        plan_posting: &PlanPosting,
    ) -> Result<String, StoreError> {
        let now = now_millis();
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "SELECT rc.match_status, rc.outcome, rc.patient_control_number, rc.payer_claim_number, rc.status_code, \
             rc.charge_cents, rc.paid_cents, rc.patient_responsibility_cents, r.trace_number \
             FROM remittance_claims rc JOIN remittances r ON r.id = rc.remittance_id WHERE rc.id = $1",
        )
        .bind(remittance_claim_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("remittance claim {remittance_claim_id}")))?;
        let status: String = row.try_get("match_status")?;
        // Claim it first: of two operators matching the same payment, one wins.
        let claimed = sqlx::query(
            "UPDATE remittance_claims SET match_status = 'manual' WHERE id = $1 AND match_status = 'unmatched'",
        )
        .bind(remittance_claim_id)
        .execute(&mut *tx)
        .await?;
        if status != "unmatched" || claimed.rows_affected() != 1 {
            return Err(StoreError::Conflict(format!(
                "remittance claim {remittance_claim_id} is already {}",
                if status == "unmatched" {
                    "manual"
                } else {
                    &status
                }
            )));
        }
        let claimed = load_claim_lines(&mut tx, &[claim_id]).await?;
        let Some((payer_id, lines)) = claimed.get(&claim_id).cloned() else {
            return Err(StoreError::NotFound(format!("claim {claim_id}")));
        };
        let (payment, stored) = load_claim_payment(&mut tx, remittance_claim_id, &row).await?;
        let terms = ContractCache::default()
            .terms(&mut tx, payer_id)
            .await?
            .cloned();
        let plan = plan_posting(&payment, &stored, claim_id, &lines, terms.as_ref());
        let trace: String = row.try_get("trace_number")?;
        let source = format!("matched by hand, trace {trace}");
        write_postings(&mut tx, &[plan], actor, &source, now).await?;
        tx.commit().await?;
        Ok(payment.outcome)
    }

    /// Remittances, newest first.
    pub async fn remittances(&self, limit: i64) -> Result<Vec<RemittanceView>, StoreError> {
        let sql = format!("{REMITTANCE_SQL} ORDER BY id DESC LIMIT $1");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(limit.clamp(1, 1000))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(remittance_view).collect()
    }

    /// One remittance.
    pub async fn remittance(&self, id: i64) -> Result<Option<RemittanceView>, StoreError> {
        let sql = format!("{REMITTANCE_SQL} WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(remittance_view).transpose()
    }
}

const REMITTANCE_SQL: &str = "SELECT id, payer_identifier, trace_number, payment_cents, payment_date, balanced, \
     balance_notes, created_at FROM remittances";

fn remittance_view(row: &sqlx::any::AnyRow) -> Result<RemittanceView, StoreError> {
    Ok(RemittanceView {
        id: row.try_get("id")?,
        payer_identifier: row.try_get("payer_identifier")?,
        trace_number: row.try_get("trace_number")?,
        payment_cents: row.try_get("payment_cents")?,
        payment_date: row.try_get("payment_date")?,
        balanced: row.try_get::<i64, _>("balanced")? != 0,
        balance_notes: row.try_get("balance_notes")?,
        created_at: row.try_get("created_at")?,
    })
}

/// Claim payments matched, stored and posted together.
const IMPORT_CHUNK: usize = 500;

/// `(key, id)` rows of `SELECT key, id ... WHERE key IN (keys)`, in chunks.
async fn ids_by(
    conn: &mut AnyConnection,
    select: &str,
    keys: &[&str],
) -> Result<HashMap<String, i64>, StoreError> {
    let mut found = HashMap::new();
    for chunk in keys.chunks(1000) {
        let sql = format!(
            "{select} IN ({}) ORDER BY id",
            conn.placeholders().list(1, chunk.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for key in chunk {
            query = query.bind(*key);
        }
        for row in query.fetch_all(&mut *conn).await? {
            // The newest claim with a key wins.
            found.insert(row.try_get("key")?, row.try_get("id")?);
        }
    }
    Ok(found)
}

/// Our claim for each CLP: by CLP01 (our claim number), else by the payer's claim number from
/// an earlier 277CA or 835, else by member id, total charge and service date when exactly one
/// claim fits.
async fn match_claims(
    conn: &mut AnyConnection,
    claims: &[ClaimPosting],
    payer_id: Option<i64>,
) -> Result<Vec<Option<i64>>, StoreError> {
    let numbers: Vec<&str> = claims
        .iter()
        .map(|c| c.patient_control_number.as_str())
        .collect();
    let by_number = ids_by(
        conn,
        "SELECT claim_number AS key, id FROM claims WHERE claim_number",
        &numbers,
    )
    .await?;
    let payer_numbers: Vec<&str> = claims
        .iter()
        .filter(|c| !by_number.contains_key(&c.patient_control_number))
        .filter_map(|c| c.payer_claim_number.as_deref())
        .collect();
    let by_payer_number = ids_by(
        conn,
        "SELECT payer_claim_number AS key, id FROM claims WHERE payer_claim_number",
        &payer_numbers,
    )
    .await?;
    let mut matched = Vec::with_capacity(claims.len());
    for claim in claims {
        let found = match by_number.get(&claim.patient_control_number).or_else(|| {
            claim
                .payer_claim_number
                .as_ref()
                .and_then(|n| by_payer_number.get(n))
        }) {
            Some(id) => Some(*id),
            None => match_by_member(conn, claim, payer_id).await?,
        };
        matched.push(found);
    }
    Ok(matched)
}

/// Our payer row for an 835 from these senders (ISA06 as a payer's `receiver_id`, or a
/// `payer_id`), when exactly one payer fits.
async fn find_payer(
    conn: &mut AnyConnection,
    sender_ids: &[String],
) -> Result<Option<i64>, StoreError> {
    let mut found: Option<i64> = None;
    for id in sender_ids.iter().filter(|id| !id.is_empty()) {
        let rows = sqlx::query("SELECT id FROM payers WHERE receiver_id = $1 OR payer_id = $1")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
        if let [row] = rows.as_slice() {
            found = found.or(Some(row.try_get("id")?));
        }
    }
    Ok(found)
}

/// The one claim with this member id, total charge and a line on the first service date, with
/// the payer that sent the 835 when it is known, never a replaced or voided one.
async fn match_by_member(
    conn: &mut AnyConnection,
    claim: &ClaimPosting,
    payer_id: Option<i64>,
) -> Result<Option<i64>, StoreError> {
    let (Some(member_id), (Some(from), _)) = (&claim.member_id, &claim.service_period) else {
        return Ok(None);
    };
    // A reversal carries the negated charge of the claim it reverses.
    let candidates = sqlx::query(
        "SELECT c.id FROM claims c JOIN coverages cv ON cv.id = c.coverage_id \
         WHERE cv.member_id = $1 AND c.total_charge_cents = $2 AND c.status NOT IN ('replaced', 'voided') \
         AND ($4 = 0 OR c.payer_id = $4) \
         AND EXISTS (SELECT 1 FROM claim_lines l WHERE l.claim_id = c.id AND l.service_date = $3) LIMIT 2",
    )
    .bind(member_id)
    .bind(claim.charge_cents.abs())
    .bind(from)
    .bind(payer_id.unwrap_or(0))
    .fetch_all(&mut *conn)
    .await?;
    Ok(match candidates.as_slice() {
        [only] => Some(only.try_get("id")?),
        _ => None,
    })
}

/// Remittance claim and line ids are given by the import, so that their adjustments, remarks
/// and postings can be written in bulk: take the lock that makes that safe (SQLite's write
/// transaction already is one).
async fn lock_remittance_ids(
    conn: &mut AnyConnection,
    backend: super::Backend,
) -> Result<(), StoreError> {
    if backend == super::Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock(835835)")
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The next free id of `table`.
async fn next_id(conn: &mut AnyConnection, table: &str) -> Result<i64, StoreError> {
    let sql = format!("SELECT CAST(COALESCE(MAX(id), 0) + 1 AS BIGINT) AS next FROM {table}");
    Ok(sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_one(&mut *conn)
        .await?
        .try_get("next")?)
}

/// The ids a claim payment and its lines were stored under.
#[derive(Debug, Clone, Default)]
pub struct StoredPayment {
    /// The remittance claim row.
    pub id: i64,
    /// Its line rows, in SVC order.
    pub line_ids: Vec<i64>,
}

/// Stores CLPs with their lines, adjustments and remarks, unmatched for now.
async fn insert_claim_payments(
    conn: &mut AnyConnection,
    remittance_id: i64,
    claims: &[ClaimPosting],
) -> Result<Vec<StoredPayment>, StoreError> {
    let mut claim_id = next_id(conn, "remittance_claims").await?;
    let mut line_id = next_id(conn, "remittance_lines").await?;
    let (mut claim_rows, mut line_rows, mut adjustment_rows, mut remark_rows) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut stored = Vec::with_capacity(claims.len());
    for claim in claims {
        claim_rows.push(vec![
            claim_id.into(),
            remittance_id.into(),
            (&claim.patient_control_number).into(),
            (&claim.status_code).into(),
            claim.charge_cents.into(),
            claim.paid_cents.into(),
            claim.patient_responsibility_cents.into(),
            (&claim.payer_claim_number).into(),
            "unmatched".into(),
            (&claim.outcome).into(),
            (&claim.member_id).into(),
            (&claim.service_period.0).into(),
            (&claim.service_period.1).into(),
        ]);
        let mut adjustment = |line: Option<i64>, cas: &Cas| {
            adjustment_rows.push(vec![
                claim_id.into(),
                line.into(),
                (&cas.group).into(),
                (&cas.reason).into(),
                cas.amount_cents.into(),
            ]);
        };
        for cas in &claim.adjustments {
            adjustment(None, cas);
        }
        let mut line_ids = Vec::with_capacity(claim.lines.len());
        for line in &claim.lines {
            let facts = &line.facts;
            line_rows.push(vec![
                line_id.into(),
                claim_id.into(),
                (&facts.procedure).into(),
                (&facts.modifiers).into(),
                (&facts.original_procedure).into(),
                (&facts.original_modifiers).into(),
                (&facts.service_date).into(),
                facts.units_thousandths.into(),
                line.charge_cents.into(),
                line.paid_cents.into(),
                (&facts.control_number).into(),
            ]);
            for cas in &line.adjustments {
                adjustment(Some(line_id), cas);
            }
            for (qualifier, code) in &line.remarks {
                remark_rows.push(vec![
                    claim_id.into(),
                    Some(line_id).into(),
                    qualifier.into(),
                    code.into(),
                ]);
            }
            line_ids.push(line_id);
            line_id += 1;
        }
        for (qualifier, code) in &claim.remarks {
            remark_rows.push(vec![
                claim_id.into(),
                None::<i64>.into(),
                qualifier.into(),
                code.into(),
            ]);
        }
        stored.push(StoredPayment {
            id: claim_id,
            line_ids,
        });
        claim_id += 1;
    }
    insert_rows(
        conn,
        "remittance_claims",
        &[
            "id",
            "remittance_id",
            "patient_control_number",
            "status_code",
            "charge_cents",
            "paid_cents",
            "patient_responsibility_cents",
            "payer_claim_number",
            "match_status",
            "outcome",
            "member_id",
            "service_from",
            "service_to",
        ],
        &claim_rows,
    )
    .await?;
    insert_rows(
        conn,
        "remittance_lines",
        &[
            "id",
            "remittance_claim_id",
            "procedure_code",
            "modifiers",
            "original_procedure_code",
            "original_modifiers",
            "service_date",
            "units_thousandths",
            "charge_cents",
            "paid_cents",
            "line_control_number",
        ],
        &line_rows,
    )
    .await?;
    insert_rows(
        conn,
        "adjustments",
        &[
            "remittance_claim_id",
            "remittance_line_id",
            "group_code",
            "reason_code",
            "amount_cents",
        ],
        &adjustment_rows,
    )
    .await?;
    insert_rows(
        conn,
        "remittance_remarks",
        &[
            "remittance_claim_id",
            "remittance_line_id",
            "qualifier",
            "code",
        ],
        &remark_rows,
    )
    .await?;
    Ok(stored)
}

/// A stored claim payment read back, for matching it by hand.
async fn load_claim_payment(
    conn: &mut AnyConnection,
    remittance_claim_id: i64,
    row: &sqlx::any::AnyRow,
) -> Result<(ClaimPosting, StoredPayment), StoreError> {
    let adjustments: Vec<(Option<i64>, Cas)> = sqlx::query(
        "SELECT remittance_line_id, group_code, reason_code, amount_cents FROM adjustments \
         WHERE remittance_claim_id = $1 ORDER BY id",
    )
    .bind(remittance_claim_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|row| {
        Ok((
            row.try_get("remittance_line_id")?,
            Cas {
                group: row.try_get("group_code")?,
                reason: row.try_get("reason_code")?,
                amount_cents: row.try_get("amount_cents")?,
            },
        ))
    })
    .collect::<Result<_, StoreError>>()?;
    let of_line = |id: Option<i64>| -> Vec<Cas> {
        adjustments
            .iter()
            .filter(|(line, _)| *line == id)
            .map(|(_, cas)| cas.clone())
            .collect()
    };
    let mut stored = StoredPayment {
        id: remittance_claim_id,
        line_ids: Vec::new(),
    };
    let mut lines = Vec::new();
    for line in sqlx::query(
        "SELECT id, procedure_code, modifiers, original_procedure_code, original_modifiers, service_date, \
         units_thousandths, charge_cents, paid_cents, line_control_number FROM remittance_lines \
         WHERE remittance_claim_id = $1 ORDER BY id",
    )
    .bind(remittance_claim_id)
    .fetch_all(&mut *conn)
    .await?
    {
        let id: i64 = line.try_get("id")?;
        stored.line_ids.push(id);
        lines.push(RemittedLine {
            facts: LineFacts {
                original_procedure: line.try_get("original_procedure_code")?,
                original_modifiers: line.try_get("original_modifiers")?,
                control_number: line.try_get("line_control_number")?,
                ..line_facts(&line)?
            },
            charge_cents: line.try_get("charge_cents")?,
            paid_cents: line.try_get("paid_cents")?,
            adjustments: of_line(Some(id)),
            remarks: Vec::new(),
        });
    }
    let payment = ClaimPosting {
        patient_control_number: row.try_get("patient_control_number")?,
        payer_claim_number: row.try_get("payer_claim_number")?,
        status_code: row.try_get("status_code")?,
        charge_cents: row.try_get("charge_cents")?,
        paid_cents: row.try_get("paid_cents")?,
        patient_responsibility_cents: row.try_get("patient_responsibility_cents")?,
        outcome: row.try_get("outcome")?,
        member_id: None,
        service_period: (None, None),
        adjustments: of_line(None),
        remarks: Vec::new(),
        lines,
    };
    Ok((payment, stored))
}

/// One line of one of our claims.
#[derive(Debug, Clone)]
pub struct ClaimedLine {
    /// The claim line row.
    pub id: i64,
    /// The bill line it bills, when known.
    pub bill_line_id: Option<i64>,
    /// What identifies it, for matching.
    pub facts: LineFacts,
}

/// For each claim: its payer row and its lines, in line order.
async fn load_claim_lines(
    conn: &mut AnyConnection,
    claim_ids: &[i64],
) -> Result<HashMap<i64, (i64, Vec<ClaimedLine>)>, StoreError> {
    let mut claims: HashMap<i64, (i64, Vec<ClaimedLine>)> = HashMap::new();
    for chunk in claim_ids.chunks(1000) {
        let sql = format!(
            "SELECT c.id AS claim_id, c.payer_id, l.id, l.bill_line_id, l.procedure_code, l.modifiers, \
             l.service_date, l.units_thousandths FROM claims c LEFT JOIN claim_lines l ON l.claim_id = c.id \
             WHERE c.id IN ({}) ORDER BY c.id, l.line_number",
            conn.placeholders().list(1, chunk.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            query = query.bind(*id);
        }
        for row in query.fetch_all(&mut *conn).await? {
            let entry = claims
                .entry(row.try_get("claim_id")?)
                .or_insert_with(|| (0, Vec::new()));
            entry.0 = row.try_get("payer_id")?;
            let Some(id) = row.try_get::<Option<i64>, _>("id")? else {
                continue;
            };
            // Our 837 sends each line's bill line id as its line item control number (REF*6R).
            let bill_line_id: Option<i64> = row.try_get("bill_line_id")?;
            entry.1.push(ClaimedLine {
                id,
                bill_line_id,
                facts: LineFacts {
                    control_number: bill_line_id.map(|id| id.to_string()),
                    ..line_facts(&row)?
                },
            });
        }
    }
    Ok(claims)
}

/// Contract terms by payer row, loaded once per import.
#[derive(Default)]
struct ContractCache(HashMap<i64, Option<ContractTerms>>);

impl ContractCache {
    async fn terms(
        &mut self,
        conn: &mut AnyConnection,
        payer_id: i64,
    ) -> Result<Option<&ContractTerms>, StoreError> {
        if let std::collections::hash_map::Entry::Vacant(slot) = self.0.entry(payer_id) {
            slot.insert(load_terms(conn, payer_id).await?);
        }
        Ok(self.0.get(&payer_id).and_then(Option::as_ref))
    }
}

/// The payer's newest contract.
async fn load_terms(
    conn: &mut AnyConnection,
    payer_id: i64,
) -> Result<Option<ContractTerms>, StoreError> {
    let Some(contract) = sqlx::query(
        "SELECT id, deductible_cents, copay_cents, coinsurance_basis_points FROM payer_contracts \
         WHERE payer_id = $1 ORDER BY (effective_from IS NULL), effective_from DESC, id DESC LIMIT 1",
    )
    .bind(payer_id)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let fees = sqlx::query(
        "SELECT procedure_code, modifiers, allowed_cents FROM contract_fees WHERE contract_id = $1",
    )
    .bind(contract.try_get::<i64, _>("id")?)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|row| {
        Ok((
            (row.try_get("procedure_code")?, row.try_get("modifiers")?),
            row.try_get("allowed_cents")?,
        ))
    })
    .collect::<Result<_, StoreError>>()?;
    Ok(Some(ContractTerms {
        deductible_cents: contract.try_get("deductible_cents")?,
        copay_cents: contract.try_get("copay_cents")?,
        coinsurance_basis_points: contract.try_get("coinsurance_basis_points")?,
        fees,
    }))
}

/// The facts of a stored line that both SVC lines and claim lines have.
fn line_facts(row: &sqlx::any::AnyRow) -> Result<LineFacts, StoreError> {
    Ok(LineFacts {
        procedure: row.try_get("procedure_code")?,
        modifiers: row.try_get("modifiers")?,
        service_date: row.try_get("service_date")?,
        units_thousandths: row.try_get("units_thousandths")?,
        ..LineFacts::default()
    })
}

/// One ledger entry to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    /// `payment`, `contractual`, `patient responsibility` or `other adjustment`.
    pub kind: &'static str,
    /// Amount, cents (negative for a reversal).
    pub amount_cents: i64,
    /// `GROUP-REASON` of an adjustment.
    pub reason: Option<String>,
    /// The SVC line it belongs to, if any.
    pub remittance_line_id: Option<i64>,
    /// The bill line it posts to, where known.
    pub bill_line_id: Option<i64>,
}

/// How one SVC line was matched and priced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinePosting {
    /// The SVC line row.
    pub remittance_line_id: i64,
    /// The claim line it matched, if any.
    pub claim_line_id: Option<i64>,
    /// Paid, cents.
    pub paid_cents: i64,
    /// What the contract says the payer should have paid, cents.
    pub expected_paid_cents: Option<i64>,
    /// Paid minus expected, cents.
    pub variance_cents: Option<i64>,
    /// The variance, or why there is none, in words.
    pub variance_note: Option<String>,
}

/// Everything posting one claim payment to one claim writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The remittance claim row.
    pub remittance_claim_id: i64,
    /// The claim it posts to.
    pub claim_id: i64,
    /// Each SVC line's match and price.
    pub lines: Vec<LinePosting>,
    /// The ledger entries.
    pub ledger: Vec<LedgerEntry>,
    /// Paid on the claim, cents.
    pub paid_cents: i64,
    /// The patient's share, cents.
    pub patient_cents: i64,
    /// The claim's new status.
    pub outcome: String,
    /// CLP07.
    pub payer_claim_number: Option<String>,
    /// The claim event's text.
    pub detail: String,
}

/// The rules that decide what posting one claim payment to one of our claims does (the revenue
/// wing's): the payment, where it was stored, the claim, its lines and the payer's contract.
pub type PlanPosting = dyn Fn(&ClaimPosting, &StoredPayment, i64, &[ClaimedLine], Option<&ContractTerms>) -> Plan
    + Sync;

/// Writes the postings of a chunk of claim payments: the match on each payment and line, the
/// ledger, and each claim's totals, status and history. A claim paid more than once in the
/// chunk (paid, reversed, paid again) gets the sum, and the status of its last payment.
async fn write_postings(
    conn: &mut AnyConnection,
    plans: &[Plan],
    actor: &str,
    source: &str,
    now: i64,
) -> Result<(), StoreError> {
    if plans.is_empty() {
        return Ok(());
    }
    let match_status = if actor == "auto" { "matched" } else { "manual" };
    let payments: Vec<Vec<Value>> = plans
        .iter()
        .map(|p| {
            vec![
                p.remittance_claim_id.into(),
                p.claim_id.into(),
                match_status.into(),
                actor.into(),
                now.into(),
            ]
        })
        .collect();
    update_rows(
        conn,
        "remittance_claims",
        "claim_id = v.column2, match_status = v.column3, matched_by = v.column4, matched_at = v.column5",
        &payments,
    )
    .await?;
    let lines: Vec<Vec<Value>> = plans
        .iter()
        .flat_map(|p| &p.lines)
        .map(|l| {
            vec![
                l.remittance_line_id.into(),
                l.claim_line_id.into(),
                l.expected_paid_cents.into(),
                l.variance_cents.into(),
                (&l.variance_note).into(),
            ]
        })
        .collect();
    update_rows(
        conn,
        "remittance_lines",
        "claim_line_id = v.column2, expected_paid_cents = v.column3, variance_cents = v.column4, \
         variance_note = v.column5",
        &lines,
    )
    .await?;
    let ledger: Vec<Vec<Value>> = plans
        .iter()
        .flat_map(|p| p.ledger.iter().map(move |e| (p, e)))
        .map(|(p, e)| {
            vec![
                p.remittance_claim_id.into(),
                p.claim_id.into(),
                e.remittance_line_id.into(),
                e.bill_line_id.into(),
                e.kind.into(),
                e.amount_cents.into(),
                (&e.reason).into(),
                actor.into(),
                source.into(),
                now.into(),
            ]
        })
        .collect();
    insert_rows(
        conn,
        "reconciliations",
        &[
            "remittance_claim_id",
            "claim_id",
            "remittance_line_id",
            "bill_line_id",
            "entry_kind",
            "amount_cents",
            "reason",
            "actor",
            "source",
            "created_at",
        ],
        &ledger,
    )
    .await?;
    let mut line_paid: BTreeMap<i64, i64> = BTreeMap::new();
    for line in plans.iter().flat_map(|p| &p.lines) {
        if let Some(id) = line.claim_line_id {
            *line_paid.entry(id).or_default() += line.paid_cents;
        }
    }
    let line_paid: Vec<Vec<Value>> = line_paid
        .into_iter()
        .map(|(id, paid)| vec![id.into(), paid.into()])
        .collect();
    update_rows(
        conn,
        "claim_lines",
        "paid_cents = claim_lines.paid_cents + v.column2",
        &line_paid,
    )
    .await?;
    // A reversal carries negative amounts: adding undoes the earlier posting.
    let mut claims: BTreeMap<i64, (i64, i64, &str, Option<&str>)> = BTreeMap::new();
    for plan in plans {
        let entry = claims.entry(plan.claim_id).or_insert((0, 0, "", None));
        entry.0 += plan.paid_cents;
        entry.1 += plan.patient_cents;
        entry.2 = &plan.outcome;
        entry.3 = plan.payer_claim_number.as_deref().or(entry.3);
    }
    let claims: Vec<Vec<Value>> = claims
        .into_iter()
        .map(|(id, (paid, patient, outcome, number))| {
            vec![
                id.into(),
                paid.into(),
                patient.into(),
                outcome.into(),
                Value::Text(number.map(str::to_string)),
                now.into(),
            ]
        })
        .collect();
    update_rows(
        conn,
        "claims",
        "paid_cents = claims.paid_cents + v.column2, \
         patient_responsibility_cents = claims.patient_responsibility_cents + v.column3, \
         status = CASE WHEN claims.status IN ('replaced', 'voided') THEN claims.status ELSE v.column4 END, \
         payer_claim_number = COALESCE(v.column5, claims.payer_claim_number), updated_at = v.column6",
        &claims,
    )
    .await?;
    let events: Vec<Vec<Value>> = plans
        .iter()
        .map(|p| {
            vec![
                p.claim_id.into(),
                now.into(),
                (&p.outcome).into(),
                format!("835 {source}: {}, posted by {actor})", p.detail)
                    .as_str()
                    .into(),
            ]
        })
        .collect();
    insert_rows(
        conn,
        "claim_events",
        &["claim_id", "at", "status", "detail"],
        &events,
    )
    .await
}
