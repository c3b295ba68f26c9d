//! Remittances in the store: one row per 835 payment (unique per payer and trace number), its
//! claims, lines and adjustments, provider-level adjustments, and the reconciliation ledger.

use serde::Serialize;
use sqlx::{AnyConnection, Row};

use super::claims::insert_claim_event;
use super::{Store, StoreError, now_millis};
use crate::remit::contract::{Terms, share};
use crate::remit::matching::{LineFacts, match_lines};

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
    /// Stores a remittance and posts each claim payment it can match to our claim, in one
    /// transaction. `None` when this payer's trace number was imported before: nothing is
    /// posted twice. Unmatched claim payments are kept for the unmatched worklist.
    pub async fn import_remittance(
        &self,
        remittance: &NewRemittance,
        source: &str,
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
        let source = format!("{source}, trace {}", remittance.trace_number);
        let mut contracts = ContractCache::default();
        for claim in &remittance.claims {
            let claim_id = match_claim(&mut tx, claim).await?;
            let remittance_claim_id = insert_claim_payment(&mut tx, remittance_id, claim).await?;
            match claim_id {
                Some(claim_id) => {
                    post_claim(
                        &mut tx,
                        &mut contracts,
                        Posting {
                            remittance_claim_id,
                            claim_id,
                            actor: "auto",
                            source: &source,
                            now,
                        },
                    )
                    .await?;
                    imported.posted.push(format!(
                        "{}: {}",
                        claim.patient_control_number, claim.outcome
                    ));
                }
                None => imported
                    .unmatched
                    .push(claim.patient_control_number.clone()),
            }
        }
        tx.commit().await?;
        Ok(Some(imported))
    }

    /// Matches an unmatched claim payment to our claim by hand and posts it exactly as an
    /// automatic match would, recording who did it.
    pub async fn match_by_hand(
        &self,
        remittance_claim_id: i64,
        claim_id: i64,
        actor: &str,
    ) -> Result<String, StoreError> {
        let now = now_millis();
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "SELECT rc.match_status, rc.outcome, r.trace_number FROM remittance_claims rc \
             JOIN remittances r ON r.id = rc.remittance_id WHERE rc.id = $1",
        )
        .bind(remittance_claim_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("remittance claim {remittance_claim_id}")))?;
        let status: String = row.try_get("match_status")?;
        if status != "unmatched" {
            return Err(StoreError::Conflict(format!(
                "remittance claim {remittance_claim_id} is already {status}"
            )));
        }
        let exists = sqlx::query("SELECT id FROM claims WHERE id = $1")
            .bind(claim_id)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound(format!("claim {claim_id}")));
        }
        let trace: String = row.try_get("trace_number")?;
        sqlx::query(
            "UPDATE remittance_claims SET match_status = 'manual', claim_id = $1 WHERE id = $2",
        )
        .bind(claim_id)
        .bind(remittance_claim_id)
        .execute(&mut *tx)
        .await?;
        post_claim(
            &mut tx,
            &mut ContractCache::default(),
            Posting {
                remittance_claim_id,
                claim_id,
                actor,
                source: &format!("matched by hand, trace {trace}"),
                now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(row.try_get("outcome")?)
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

/// `12.34` for 1234 cents.
fn cents(value: i64) -> String {
    let sign = if value < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", value.abs() / 100, value.abs() % 100)
}

/// Our claim for a CLP: by CLP01 (our claim number), else by the payer's claim number from an
/// earlier 277CA or 835, else by member id, total charge and service date when exactly one
/// claim fits.
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
    if let Some(payer_number) = &claim.payer_claim_number {
        let by_payer = sqlx::query(
            "SELECT id FROM claims WHERE payer_claim_number = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(payer_number)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(row) = by_payer {
            return Ok(Some(row.try_get("id")?));
        }
    }
    let (Some(member_id), (Some(from), _)) = (&claim.member_id, &claim.service_period) else {
        return Ok(None);
    };
    // A reversal carries the negated charge of the claim it reverses.
    let candidates = sqlx::query(
        "SELECT c.id FROM claims c JOIN coverages cv ON cv.id = c.coverage_id \
         WHERE cv.member_id = $1 AND c.total_charge_cents = $2 \
         AND EXISTS (SELECT 1 FROM claim_lines l WHERE l.claim_id = c.id AND l.service_date = $3) LIMIT 2",
    )
    .bind(member_id)
    .bind(claim.charge_cents.abs())
    .bind(from)
    .fetch_all(&mut *conn)
    .await?;
    Ok(match candidates.as_slice() {
        [only] => Some(only.try_get("id")?),
        _ => None,
    })
}

/// Stores one CLP with its lines, adjustments and remarks, matched or not.
async fn insert_claim_payment(
    conn: &mut AnyConnection,
    remittance_id: i64,
    claim: &ClaimPosting,
) -> Result<i64, StoreError> {
    let remittance_claim_id: i64 = sqlx::query(
        "INSERT INTO remittance_claims (remittance_id, patient_control_number, status_code, charge_cents, \
         paid_cents, patient_responsibility_cents, payer_claim_number, match_status, outcome, member_id, \
         service_from, service_to) VALUES ($1, $2, $3, $4, $5, $6, $7, 'unmatched', $8, $9, $10, $11) RETURNING id",
    )
    .bind(remittance_id)
    .bind(&claim.patient_control_number)
    .bind(&claim.status_code)
    .bind(claim.charge_cents)
    .bind(claim.paid_cents)
    .bind(claim.patient_responsibility_cents)
    .bind(&claim.payer_claim_number)
    .bind(&claim.outcome)
    .bind(&claim.member_id)
    .bind(&claim.service_period.0)
    .bind(&claim.service_period.1)
    .fetch_one(&mut *conn)
    .await?
    .try_get("id")?;
    for adjustment in &claim.adjustments {
        insert_adjustment(conn, remittance_claim_id, None, adjustment).await?;
    }
    for (qualifier, code) in &claim.remarks {
        insert_remark(conn, remittance_claim_id, None, qualifier, code).await?;
    }
    for line in &claim.lines {
        let facts = &line.facts;
        let line_id: i64 = sqlx::query(
            "INSERT INTO remittance_lines (remittance_claim_id, procedure_code, modifiers, original_procedure_code, \
             original_modifiers, service_date, units_thousandths, charge_cents, paid_cents, line_control_number) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(remittance_claim_id)
        .bind(&facts.procedure)
        .bind(&facts.modifiers)
        .bind(&facts.original_procedure)
        .bind(&facts.original_modifiers)
        .bind(&facts.service_date)
        .bind(facts.units_thousandths)
        .bind(line.charge_cents)
        .bind(line.paid_cents)
        .bind(&facts.control_number)
        .fetch_one(&mut *conn)
        .await?
        .try_get("id")?;
        for adjustment in &line.adjustments {
            insert_adjustment(conn, remittance_claim_id, Some(line_id), adjustment).await?;
        }
        for (qualifier, code) in &line.remarks {
            insert_remark(conn, remittance_claim_id, Some(line_id), qualifier, code).await?;
        }
    }
    Ok(remittance_claim_id)
}

/// One claim payment to post to one claim.
struct Posting<'a> {
    remittance_claim_id: i64,
    claim_id: i64,
    actor: &'a str,
    source: &'a str,
    now: i64,
}

/// Contract terms by payer row, loaded once per import.
#[derive(Default)]
struct ContractCache(std::collections::HashMap<i64, Option<Terms>>);

impl ContractCache {
    async fn terms(
        &mut self,
        conn: &mut AnyConnection,
        payer_id: i64,
    ) -> Result<Option<&Terms>, StoreError> {
        if let std::collections::hash_map::Entry::Vacant(slot) = self.0.entry(payer_id) {
            slot.insert(load_terms(conn, payer_id).await?);
        }
        Ok(self.0.get(&payer_id).and_then(Option::as_ref))
    }
}

/// The payer's newest contract.
async fn load_terms(conn: &mut AnyConnection, payer_id: i64) -> Result<Option<Terms>, StoreError> {
    let Some(contract) = sqlx::query(
        "SELECT id, deductible_cents, copay_cents, coinsurance_basis_points FROM payer_contracts \
         WHERE payer_id = $1 ORDER BY effective_from DESC, id DESC LIMIT 1",
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
    Ok(Some(Terms {
        deductible_cents: contract.try_get("deductible_cents")?,
        copay_cents: contract.try_get("copay_cents")?,
        coinsurance_basis_points: contract.try_get("coinsurance_basis_points")?,
        fees,
    }))
}

/// A stored SVC line, as posting needs it.
struct StoredLine {
    id: i64,
    facts: LineFacts,
    charge_cents: i64,
    paid_cents: i64,
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

/// What a ledger entry of a CAS adjustment is called.
fn adjustment_kind(group: &str) -> &'static str {
    match group {
        "CO" => "contractual",
        "PR" => "patient responsibility",
        _ => "other adjustment",
    }
}

/// Posts a stored claim payment to a claim: matches its lines to the claim lines, writes one
/// ledger entry per payment and adjustment (on the bill line where known), computes each paid
/// line's contract variance, and updates the claim, its lines and its history. Automatic and
/// manual matches both post through here.
async fn post_claim(
    conn: &mut AnyConnection,
    contracts: &mut ContractCache,
    posting: Posting<'_>,
) -> Result<(), StoreError> {
    let Posting {
        remittance_claim_id,
        claim_id,
        actor,
        source,
        now,
    } = posting;
    let payment = sqlx::query(
        "SELECT rc.status_code, rc.charge_cents, rc.paid_cents, rc.patient_responsibility_cents, \
         rc.payer_claim_number, rc.outcome, c.payer_id FROM remittance_claims rc, claims c \
         WHERE rc.id = $1 AND c.id = $2",
    )
    .bind(remittance_claim_id)
    .bind(claim_id)
    .fetch_one(&mut *conn)
    .await?;
    let paid: i64 = payment.try_get("paid_cents")?;
    let outcome: String = payment.try_get("outcome")?;
    let payer_id: i64 = payment.try_get("payer_id")?;
    sqlx::query(
        "UPDATE remittance_claims SET claim_id = $1, match_status = CASE WHEN match_status = 'unmatched' \
         AND $2 = 'auto' THEN 'matched' ELSE match_status END, matched_by = $2, matched_at = $3 WHERE id = $4",
    )
    .bind(claim_id)
    .bind(actor)
    .bind(now)
    .bind(remittance_claim_id)
    .execute(&mut *conn)
    .await?;

    let remitted: Vec<StoredLine> = sqlx::query(
        "SELECT id, procedure_code, modifiers, original_procedure_code, original_modifiers, service_date, \
         units_thousandths, charge_cents, paid_cents, line_control_number FROM remittance_lines \
         WHERE remittance_claim_id = $1 ORDER BY id",
    )
    .bind(remittance_claim_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|row| {
        Ok(StoredLine {
            id: row.try_get("id")?,
            facts: LineFacts {
                original_procedure: row.try_get("original_procedure_code")?,
                original_modifiers: row.try_get("original_modifiers")?,
                control_number: row.try_get("line_control_number")?,
                ..line_facts(row)?
            },
            charge_cents: row.try_get("charge_cents")?,
            paid_cents: row.try_get("paid_cents")?,
        })
    })
    .collect::<Result<_, StoreError>>()?;
    // Our 837 sends each line's bill line id as its line item control number (REF*6R).
    let claimed: Vec<(i64, Option<i64>, LineFacts)> = sqlx::query(
        "SELECT id, bill_line_id, procedure_code, modifiers, service_date, units_thousandths FROM claim_lines \
         WHERE claim_id = $1 ORDER BY line_number",
    )
    .bind(claim_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|row| {
        let bill_line_id: Option<i64> = row.try_get("bill_line_id")?;
        Ok((
            row.try_get("id")?,
            bill_line_id,
            LineFacts {
                control_number: bill_line_id.map(|id| id.to_string()),
                ..line_facts(row)?
            },
        ))
    })
    .collect::<Result<_, StoreError>>()?;
    let remitted_facts: Vec<LineFacts> = remitted.iter().map(|l| l.facts.clone()).collect();
    let claimed_facts: Vec<LineFacts> = claimed.iter().map(|l| l.2.clone()).collect();
    let matches = match_lines(&remitted_facts, &claimed_facts);

    // Adjustments by remitted line id (None: claim level).
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

    let terms = contracts.terms(conn, payer_id).await?.cloned();
    let ledger = Ledger {
        remittance_claim_id,
        claim_id,
        actor,
        source,
        now,
    };
    let mut copay_due = terms.as_ref().map_or(0, |t| t.copay_cents);
    let mut line_paid_total = 0;
    for (line, matched) in remitted.iter().zip(&matches) {
        let claim_line = matched.map(|index| &claimed[index]);
        let bill_line_id = claim_line.and_then(|l| l.1);
        line_paid_total += line.paid_cents;
        ledger
            .entry(
                conn,
                "payment",
                line.paid_cents,
                None,
                Some(line.id),
                bill_line_id,
            )
            .await?;
        let line_adjustments: Vec<&Cas> = adjustments
            .iter()
            .filter(|(id, _)| *id == Some(line.id))
            .map(|(_, cas)| cas)
            .collect();
        for cas in &line_adjustments {
            ledger
                .entry(
                    conn,
                    adjustment_kind(&cas.group),
                    cas.amount_cents,
                    Some(format!("{}-{}", cas.group, cas.reason)),
                    Some(line.id),
                    bill_line_id,
                )
                .await?;
        }
        if let Some((claim_line_id, _, _)) = claim_line {
            sqlx::query("UPDATE claim_lines SET paid_cents = paid_cents + $1 WHERE id = $2")
                .bind(line.paid_cents)
                .bind(*claim_line_id)
                .execute(&mut *conn)
                .await?;
        }
        // A denied line has a reason other than cost sharing and the fee schedule write-down;
        // a reversal pays back. Neither has a contract price to compare.
        let denied = line_adjustments
            .iter()
            .any(|c| c.group != "PR" && c.reason != "45");
        let (expected, variance, note) = match &terms {
            _ if denied || line.paid_cents < 0 => (None, None, None),
            None => (None, None, Some("the payer has no contract".to_string())),
            Some(terms) => {
                let facts = claim_line.map_or(&line.facts, |l| &l.2);
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
                        let deductible: i64 = line_adjustments
                            .iter()
                            .filter(|c| c.group == "PR" && c.reason == "1")
                            .map(|c| c.amount_cents)
                            .sum();
                        let share = share(
                            allowed,
                            copay_due,
                            deductible.min(terms.deductible_cents),
                            terms.coinsurance_basis_points,
                        );
                        copay_due -= share.copay_cents;
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
        sqlx::query(
            "UPDATE remittance_lines SET claim_line_id = $1, expected_paid_cents = $2, variance_cents = $3, \
             variance_note = $4 WHERE id = $5",
        )
        .bind(claim_line.map(|l| l.0))
        .bind(expected)
        .bind(variance)
        .bind(note)
        .bind(line.id)
        .execute(&mut *conn)
        .await?;
    }
    // What the lines do not account for is posted on the claim.
    if paid != line_paid_total || remitted.is_empty() {
        ledger
            .entry(conn, "payment", paid - line_paid_total, None, None, None)
            .await?;
    }
    let mut patient_share = 0;
    for (line_id, cas) in &adjustments {
        if cas.group == "PR" {
            patient_share += cas.amount_cents;
        }
        if line_id.is_none() {
            ledger
                .entry(
                    conn,
                    adjustment_kind(&cas.group),
                    cas.amount_cents,
                    Some(format!("{}-{}", cas.group, cas.reason)),
                    None,
                    None,
                )
                .await?;
        }
    }
    let reported_patient: i64 = payment.try_get("patient_responsibility_cents")?;
    if patient_share == 0 && reported_patient != 0 {
        ledger
            .entry(
                conn,
                "patient responsibility",
                reported_patient,
                None,
                None,
                None,
            )
            .await?;
        patient_share = reported_patient;
    }
    let payer_claim_number: Option<String> = payment.try_get("payer_claim_number")?;
    // A reversal carries negative amounts: adding undoes the earlier posting.
    sqlx::query(
        "UPDATE claims SET paid_cents = paid_cents + $1, patient_responsibility_cents = patient_responsibility_cents + $2, \
         status = $3, payer_claim_number = COALESCE($4, payer_claim_number), updated_at = $5 WHERE id = $6",
    )
    .bind(paid)
    .bind(patient_share)
    .bind(&outcome)
    .bind(&payer_claim_number)
    .bind(now)
    .bind(claim_id)
    .execute(&mut *conn)
    .await?;
    let status_code: String = payment.try_get("status_code")?;
    let charge: i64 = payment.try_get("charge_cents")?;
    let detail = format!(
        "835 {source}: charge {}, paid {}, patient {} (CLP02 {status_code}, posted by {actor})",
        cents(charge),
        cents(paid),
        cents(patient_share),
    );
    insert_claim_event(conn, claim_id, now, &outcome, &detail).await
}

/// Writes the ledger entries of one posting.
struct Ledger<'a> {
    remittance_claim_id: i64,
    claim_id: i64,
    actor: &'a str,
    source: &'a str,
    now: i64,
}

impl Ledger<'_> {
    async fn entry(
        &self,
        conn: &mut AnyConnection,
        kind: &str,
        amount_cents: i64,
        reason: Option<String>,
        remittance_line_id: Option<i64>,
        bill_line_id: Option<i64>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO reconciliations (remittance_claim_id, claim_id, remittance_line_id, bill_line_id, entry_kind, \
             amount_cents, reason, actor, source, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(self.remittance_claim_id)
        .bind(self.claim_id)
        .bind(remittance_line_id)
        .bind(bill_line_id)
        .bind(kind)
        .bind(amount_cents)
        .bind(reason)
        .bind(self.actor)
        .bind(self.source)
        .bind(self.now)
        .execute(conn)
        .await?;
        Ok(())
    }
}

async fn insert_adjustment(
    conn: &mut AnyConnection,
    remittance_claim_id: i64,
    line_id: Option<i64>,
    adjustment: &Cas,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO adjustments (remittance_claim_id, remittance_line_id, group_code, reason_code, amount_cents) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(remittance_claim_id)
    .bind(line_id)
    .bind(&adjustment.group)
    .bind(&adjustment.reason)
    .bind(adjustment.amount_cents)
    .execute(conn)
    .await?;
    Ok(())
}

async fn insert_remark(
    conn: &mut AnyConnection,
    remittance_claim_id: i64,
    line_id: Option<i64>,
    qualifier: &str,
    code: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO remittance_remarks (remittance_claim_id, remittance_line_id, qualifier, code) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(remittance_claim_id)
    .bind(line_id)
    .bind(qualifier)
    .bind(code)
    .execute(conn)
    .await?;
    Ok(())
}
