//! Claims in the store: what is ready to bill, claim batches with their persisted control
//! numbers, and each claim's status history.

use serde::Serialize;
use sqlx::{AnyConnection, Row};

use super::{Store, StoreError, now_millis};
use crate::canonical::split_codes;

/// Everything needed to bill one bill to one payer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimSource {
    /// The bill.
    pub bill_id: i64,
    /// Patient family name, given name, birth date, gender, address line, city, state, ZIP.
    pub patient: PatientFacts,
    /// Member id on the coverage.
    pub member_id: String,
    /// Group number.
    pub group_number: Option<String>,
    /// Relationship of the patient to the subscriber.
    pub relationship: Option<String>,
    /// Subscriber name when not the patient.
    pub subscriber_name: Option<String>,
    /// Coverage store id.
    pub coverage_id: i64,
    /// Visit diagnoses.
    pub diagnoses: Vec<String>,
    /// Attending provider NPI and name.
    pub rendering: Option<(String, String)>,
    /// The charges.
    pub lines: Vec<LineSource>,
}

/// The patient facts a claim carries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PatientFacts {
    /// Family name.
    pub family_name: Option<String>,
    /// Given name.
    pub given_name: Option<String>,
    /// `YYYY-MM-DD`.
    pub birth_date: Option<String>,
    /// `male`, `female`...
    pub gender: Option<String>,
    /// Street.
    pub address_line: Option<String>,
    /// City.
    pub city: Option<String>,
    /// State.
    pub state: Option<String>,
    /// ZIP.
    pub postal_code: Option<String>,
}

/// One charge to claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineSource {
    /// Bill line id.
    pub bill_line_id: i64,
    /// Procedure code.
    pub procedure_code: String,
    /// Modifiers.
    pub modifiers: Vec<String>,
    /// Revenue code.
    pub revenue_code: Option<String>,
    /// Diagnoses of the line.
    pub diagnosis_codes: Vec<String>,
    /// `YYYY-MM-DD`.
    pub service_date: String,
    /// Units in thousandths.
    pub units_thousandths: i64,
    /// Charge in cents.
    pub charge_cents: i64,
}

/// A claim as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ClaimView {
    /// Store id.
    pub id: i64,
    /// Our claim number (CLM01).
    pub claim_number: String,
    /// The bill.
    pub bill_id: i64,
    /// The payer's id.
    pub payer_id: String,
    /// `submitted`, `acknowledged`, `accepted`, `rejected`, ...
    pub status: String,
    /// Total charge, in cents.
    pub total_charge_cents: i64,
    /// The payer's claim number, once known.
    pub payer_claim_number: Option<String>,
    /// The batch that carried it.
    pub batch_id: Option<i64>,
    /// Unix ms.
    pub created_at: i64,
    /// Unix ms of the last change.
    pub updated_at: i64,
}

/// One step of a claim's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ClaimEvent {
    /// Unix ms.
    pub at: i64,
    /// Status after the step.
    pub status: String,
    /// Why.
    pub detail: Option<String>,
}

/// A claim about to be recorded.
#[derive(Debug, Clone)]
pub struct NewClaim<'a> {
    /// The claim number (CLM01).
    pub claim_number: &'a str,
    /// Its source.
    pub source: &'a ClaimSource,
    /// `837P` or `837I`.
    pub claim_type: &'a str,
}

/// A batch about to be recorded.
#[derive(Debug, Clone)]
pub struct NewBatch<'a> {
    /// Payer store id.
    pub payer_id: i64,
    /// ISA13.
    pub interchange_control_number: i64,
    /// GS06.
    pub group_control_number: i64,
    /// ST02 of the one transaction set.
    pub transaction_control_number: String,
    /// The claims.
    pub claims: &'a [NewClaim<'a>],
}

const CLAIM_COLUMNS: &str = "c.id, c.claim_number, c.bill_id, p.payer_id, c.status, c.total_charge_cents, \
    c.payer_claim_number, c.batch_id, c.created_at, c.updated_at";

/// A claim status to set, and the statuses it may replace (`None`: any); from any other
/// status the claim keeps its status, and the event says so.
#[derive(Debug, Clone, Copy)]
pub struct StatusChange<'a> {
    /// The new status.
    pub to: &'a str,
    /// The statuses it may replace.
    pub only_from: Option<&'a [&'a str]>,
}

impl Store {
    /// The next value of a never-reused counter (control numbers, claim numbers). One atomic
    /// statement, so two engine processes never get the same value.
    pub async fn next_number(&self, counter: &str) -> Result<i64, StoreError> {
        let row = self.write_returning(
            sqlx::query(
            "INSERT INTO control_numbers (name, last_value) VALUES ($1, 1) \
             ON CONFLICT (name) DO UPDATE SET last_value = control_numbers.last_value + 1 RETURNING last_value",
        )
        .bind(counter),
        )
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
        Ok(row.try_get("last_value")?)
    }

    /// The store id of a payer by its payer id.
    pub async fn payer_row(&self, payer_id: &str) -> Result<Option<i64>, StoreError> {
        let row = sqlx::query("SELECT id FROM payers WHERE payer_id = $1")
            .bind(payer_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| r.try_get("id")).transpose()?)
    }

    /// What to bill to this payer: with `bill` absent, every open bill with charges whose
    /// patient's primary coverage is with the payer and that has no claim to it yet; with
    /// `bill`, that bill whatever its state (for a replacement or void).
    pub async fn claim_sources(
        &self,
        payer_row: i64,
        bill: Option<i64>,
    ) -> Result<Vec<ClaimSource>, StoreError> {
        let rows = sqlx::query(
            "SELECT b.id AS bill_id, c.id AS coverage_id, c.member_id, c.group_number, c.relationship, \
             c.subscriber_name, p.family_name, p.given_name, p.birth_date, p.gender, p.address_line, p.city, \
             p.state, p.postal_code, e.diagnosis_codes, pr.npi, pr.name AS provider_name \
             FROM bills b JOIN encounters e ON e.id = b.encounter_id JOIN patients p ON p.id = b.patient_id \
             JOIN coverages c ON c.patient_id = b.patient_id AND c.payer_id = $1 \
             LEFT JOIN providers pr ON pr.id = e.attending_provider_id \
             WHERE c.priority = (SELECT MIN(priority) FROM coverages WHERE patient_id = b.patient_id) \
             AND EXISTS (SELECT 1 FROM bill_lines l WHERE l.bill_id = b.id) \
             AND (b.id = $2 OR ($2 IS NULL AND b.status = 'open' \
                  AND NOT EXISTS (SELECT 1 FROM claims k WHERE k.bill_id = b.id AND k.payer_id = $1))) \
             ORDER BY b.id",
        )
        .bind(payer_row)
        .bind(bill)
        .fetch_all(self.pool())
        .await?;
        let mut sources = Vec::with_capacity(rows.len());
        for row in rows {
            let bill_id: i64 = row.try_get("bill_id")?;
            let diagnoses: String = row.try_get("diagnosis_codes")?;
            let npi: Option<String> = row.try_get("npi")?;
            let provider_name: Option<String> = row.try_get("provider_name")?;
            let lines = sqlx::query(
                "SELECT id, procedure_code, modifiers, revenue_code, diagnosis_codes, service_date, \
                 units_thousandths, charge_cents FROM bill_lines WHERE bill_id = $1 ORDER BY id",
            )
            .bind(bill_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|line| {
                let modifiers: String = line.try_get("modifiers")?;
                let codes: String = line.try_get("diagnosis_codes")?;
                Ok(LineSource {
                    bill_line_id: line.try_get("id")?,
                    procedure_code: line.try_get("procedure_code")?,
                    modifiers: split_codes(&modifiers),
                    revenue_code: line.try_get("revenue_code")?,
                    diagnosis_codes: split_codes(&codes),
                    service_date: line.try_get("service_date")?,
                    units_thousandths: line.try_get("units_thousandths")?,
                    charge_cents: line.try_get("charge_cents")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
            sources.push(ClaimSource {
                bill_id,
                patient: PatientFacts {
                    family_name: row.try_get("family_name")?,
                    given_name: row.try_get("given_name")?,
                    birth_date: row.try_get("birth_date")?,
                    gender: row.try_get("gender")?,
                    address_line: row.try_get("address_line")?,
                    city: row.try_get("city")?,
                    state: row.try_get("state")?,
                    postal_code: row.try_get("postal_code")?,
                },
                member_id: row.try_get("member_id")?,
                group_number: row.try_get("group_number")?,
                relationship: row.try_get("relationship")?,
                subscriber_name: row.try_get("subscriber_name")?,
                coverage_id: row.try_get("coverage_id")?,
                diagnoses: split_codes(&diagnoses),
                rendering: npi.map(|npi| (npi.clone(), provider_name.unwrap_or(npi))),
                lines,
            });
        }
        Ok(sources)
    }

    /// Records a batch and its claims as submitted, and marks their bills claimed, in one
    /// transaction. Returns the batch id.
    pub async fn record_batch(&self, batch: &NewBatch<'_>) -> Result<i64, StoreError> {
        let now = now_millis();
        let mut tx = self.begin_write().await?;
        let batch_id: i64 = sqlx::query(
            "INSERT INTO claim_batches (payer_id, interchange_control_number, group_control_number, status, created_at) \
             VALUES ($1, $2, $3, 'built', $4) RETURNING id",
        )
        .bind(batch.payer_id)
        .bind(batch.interchange_control_number)
        .bind(batch.group_control_number)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        for claim in batch.claims {
            let total: i64 = claim.source.lines.iter().map(|l| l.charge_cents).sum();
            let claim_id: i64 = sqlx::query(
                "INSERT INTO claims (claim_number, bill_id, payer_id, coverage_id, batch_id, claim_type, status, \
                 total_charge_cents, transaction_control_number, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, 'submitted', $7, $8, $9, $9) RETURNING id",
            )
            .bind(claim.claim_number)
            .bind(claim.source.bill_id)
            .bind(batch.payer_id)
            .bind(claim.source.coverage_id)
            .bind(batch_id)
            .bind(claim.claim_type)
            .bind(total)
            .bind(&batch.transaction_control_number)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?
            .try_get("id")?;
            for (n, line) in claim.source.lines.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO claim_lines (claim_id, line_number, bill_line_id, procedure_code, modifiers, \
                     revenue_code, service_date, units_thousandths, charge_cents) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(claim_id)
                .bind(i64::try_from(n + 1).unwrap_or(i64::MAX))
                .bind(line.bill_line_id)
                .bind(&line.procedure_code)
                .bind(crate::canonical::join_codes(&line.modifiers))
                .bind(&line.revenue_code)
                .bind(&line.service_date)
                .bind(line.units_thousandths)
                .bind(line.charge_cents)
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query("UPDATE bills SET status = 'claimed', updated_at = $1 WHERE id = $2")
                .bind(now)
                .bind(claim.source.bill_id)
                .execute(&mut *tx)
                .await?;
            let detail = format!(
                "in interchange {} (group {}, set {})",
                batch.interchange_control_number,
                batch.group_control_number,
                batch.transaction_control_number
            );
            insert_claim_event(&mut tx, claim_id, now, "submitted", &detail).await?;
        }
        tx.commit().await?;
        Ok(batch_id)
    }

    /// Notes that a batch's file was handed to its channel as `message_id`, or failed.
    pub async fn batch_sent(
        &self,
        batch_id: i64,
        message_id: Option<i64>,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        let (status, file) = match (message_id, error) {
            (Some(id), _) => ("sent", format!("message {id}")),
            (None, Some(error)) => ("failed", error.to_string()),
            (None, None) => ("failed", String::new()),
        };
        self.write_execute(
            sqlx::query(
            "UPDATE claim_batches SET status = $1, file_name = $2, submitted_at = $3 WHERE id = $4",
        )
        .bind(status)
        .bind(file)
        .bind(now_millis())
        .bind(batch_id),
        )
        .await?;
        Ok(())
    }

    /// Claims, newest first, optionally by status and payer id.
    pub async fn claims(
        &self,
        status: Option<&str>,
        payer_id: Option<&str>,
        limit: i64,
    ) -> Result<Vec<ClaimView>, StoreError> {
        let sql = format!(
            "SELECT {CLAIM_COLUMNS} FROM claims c JOIN payers p ON p.id = c.payer_id \
             WHERE ($1 IS NULL OR c.status = $1) AND ($2 IS NULL OR p.payer_id = $2) ORDER BY c.id DESC LIMIT $3"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(status)
            .bind(payer_id)
            .bind(limit.clamp(1, 1000))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(claim_from_row).collect()
    }

    /// One claim by id, with its history.
    pub async fn claim(&self, id: i64) -> Result<Option<(ClaimView, Vec<ClaimEvent>)>, StoreError> {
        let sql = format!(
            "SELECT {CLAIM_COLUMNS} FROM claims c JOIN payers p ON p.id = c.payer_id WHERE c.id = $1"
        );
        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
        else {
            return Ok(None);
        };
        let events = sqlx::query(
            "SELECT at, status, detail FROM claim_events WHERE claim_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(ClaimEvent {
                at: r.try_get("at")?,
                status: r.try_get("status")?,
                detail: r.try_get("detail")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
        Ok(Some((claim_from_row(&row)?, events)))
    }

    /// The ids of the claims a batch's transaction set carried, by GS06 and ST02.
    pub async fn claims_in_transaction(
        &self,
        group_control_number: i64,
        transaction: &str,
    ) -> Result<Vec<i64>, StoreError> {
        let rows = sqlx::query(
            "SELECT c.id FROM claims c JOIN claim_batches b ON b.id = c.batch_id \
             WHERE b.group_control_number = $1 AND c.transaction_control_number = $2",
        )
        .bind(group_control_number)
        .bind(transaction)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|r| Ok(r.try_get("id")?)).collect()
    }

    /// The id of a claim by its claim number (CLM01).
    pub async fn claim_by_number(&self, claim_number: &str) -> Result<Option<i64>, StoreError> {
        let row = sqlx::query("SELECT id FROM claims WHERE claim_number = $1")
            .bind(claim_number)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| r.try_get("id")).transpose()?)
    }

    /// Moves a claim to `status` with a reason, and records the payer's claim number if given.
    pub async fn set_claim_status(
        &self,
        claim_id: i64,
        change: &StatusChange<'_>,
        detail: &str,
        payer_claim_number: Option<&str>,
    ) -> Result<String, StoreError> {
        let now = now_millis();
        let mut tx = self.begin_write().await?;
        let current: String = sqlx::query("SELECT status FROM claims WHERE id = $1")
            .bind(claim_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("claim {claim_id}")))?
            .try_get("status")?;
        let moves = change
            .only_from
            .is_none_or(|from| from.contains(&current.as_str()));
        let status = if moves { change.to } else { current.as_str() };
        sqlx::query(
            "UPDATE claims SET status = $1, payer_claim_number = COALESCE($2, payer_claim_number), \
             updated_at = $3 WHERE id = $4",
        )
        .bind(status)
        .bind(payer_claim_number)
        .bind(now)
        .bind(claim_id)
        .execute(&mut *tx)
        .await?;
        let detail = if moves {
            detail.to_string()
        } else {
            format!(
                "{detail} (the claim stays {current}: it does not move back to {})",
                change.to
            )
        };
        insert_claim_event(&mut tx, claim_id, now, status, &detail).await?;
        tx.commit().await?;
        Ok(status.to_string())
    }
}

impl Store {
    /// Adds `detail` to a claim's history without moving it.
    pub async fn note_claim(&self, claim_id: i64, detail: &str) -> Result<(), StoreError> {
        self.write_execute(
            sqlx::query(
                "INSERT INTO claim_events (claim_id, at, status, detail) \
             SELECT id, $1, status, $2 FROM claims WHERE id = $3",
            )
            .bind(now_millis())
            .bind(detail)
            .bind(claim_id),
        )
        .await?;
        Ok(())
    }
}

/// Records one step of a claim's history.
async fn insert_claim_event(
    conn: &mut AnyConnection,
    claim_id: i64,
    at: i64,
    status: &str,
    detail: &str,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO claim_events (claim_id, at, status, detail) VALUES ($1, $2, $3, $4)")
        .bind(claim_id)
        .bind(at)
        .bind(status)
        .bind(detail)
        .execute(conn)
        .await?;
    Ok(())
}

fn claim_from_row(row: &sqlx::any::AnyRow) -> Result<ClaimView, StoreError> {
    Ok(ClaimView {
        id: row.try_get("id")?,
        claim_number: row.try_get("claim_number")?,
        bill_id: row.try_get("bill_id")?,
        payer_id: row.try_get("payer_id")?,
        status: row.try_get("status")?,
        total_charge_cents: row.try_get("total_charge_cents")?,
        payer_claim_number: row.try_get("payer_claim_number")?,
        batch_id: row.try_get("batch_id")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}
