//! The audit log: who did what, when and from where, for every admin API request.

use serde::Serialize;
use sqlx::Row;

use super::bulk::insert_rows;
use super::sql::Sql;
use super::upsert::Value as UpsertValue;
use super::{Store, StoreError, now_millis};

/// One audit entry to write.
#[derive(Debug, Clone)]
pub struct AuditRecord<'a> {
    /// Token name, or `None` when the caller did not authenticate.
    pub actor: Option<&'a str>,
    /// The caller's role.
    pub role: Option<&'a str>,
    /// What was done, e.g. `GET`.
    pub action: &'a str,
    /// What it was done to, e.g. `/api/patients/7`.
    pub resource: &'a str,
    /// Client address.
    pub remote_addr: Option<&'a str>,
    /// HTTP status of the answer.
    pub outcome: u16,
}

/// One audit entry as read back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    /// Entry id.
    pub id: i64,
    /// Unix ms.
    pub at: i64,
    /// Token name.
    pub actor: Option<String>,
    /// Role.
    pub role: Option<String>,
    /// What was done.
    pub action: String,
    /// What it was done to.
    pub resource: String,
    /// Client address.
    pub remote_addr: Option<String>,
    /// HTTP status.
    pub outcome: i64,
}

/// Writes audit entries on `conn`, in few statements: inside a transaction they commit with
/// the writes they describe.
pub async fn record_audits_on(
    conn: &mut dyn Sql,
    records: &[AuditRecord<'_>],
) -> Result<(), StoreError> {
    let at = now_millis();
    let text = |v: Option<&str>| UpsertValue::Text(v.map(str::to_string));
    let rows: Vec<Vec<UpsertValue>> = records
        .iter()
        .map(|record| {
            vec![
                UpsertValue::from(at),
                text(record.actor),
                text(record.role),
                text(Some(record.action)),
                text(Some(record.resource)),
                text(record.remote_addr),
                UpsertValue::from(i64::from(record.outcome)),
            ]
        })
        .collect();
    insert_rows(
        conn,
        "audit_log",
        &[
            "at",
            "actor",
            "role",
            "action",
            "resource",
            "remote_addr",
            "outcome",
        ],
        &rows,
    )
    .await
}

impl Store {
    /// Writes one audit entry.
    pub async fn record_audit(&self, record: &AuditRecord<'_>) -> Result<(), StoreError> {
        let mut conn = self.pool().acquire().await?;
        record_audits_on(&mut *conn, std::slice::from_ref(record)).await
    }

    /// The newest audit entries, optionally only those on resources starting with `resource_prefix`.
    pub async fn audit_entries(
        &self,
        resource_prefix: Option<&str>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let pattern = format!("{}%", resource_prefix.unwrap_or_default());
        let rows = sqlx::query(
            "SELECT id, at, actor, role, action, resource, remote_addr, outcome FROM audit_log \
             WHERE resource LIKE $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(pattern)
        .bind(limit.clamp(1, 1000))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(AuditEntry {
                    id: row.try_get("id")?,
                    at: row.try_get("at")?,
                    actor: row.try_get("actor")?,
                    role: row.try_get("role")?,
                    action: row.try_get("action")?,
                    resource: row.try_get("resource")?,
                    remote_addr: row.try_get("remote_addr")?,
                    outcome: row.try_get("outcome")?,
                })
            })
            .collect()
    }
}
