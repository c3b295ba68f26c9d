//! The audit log: who did what, when and from where, for every admin API request.

use serde::Serialize;
use sqlx::Row;

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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

impl Store {
    /// Writes one audit entry.
    pub async fn record_audit(&self, record: &AuditRecord<'_>) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO audit_log (at, actor, role, action, resource, remote_addr, outcome) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(now_millis())
        .bind(record.actor)
        .bind(record.role)
        .bind(record.action)
        .bind(record.resource)
        .bind(record.remote_addr)
        .bind(i64::from(record.outcome))
        .execute(self.pool())
        .await?;
        Ok(())
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
