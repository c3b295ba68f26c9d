//! The audit log: who did what, when and from where, for every admin API request.

use serde::Serialize;
use sqlx::Row;
use tokio::sync::{mpsc, oneshot};

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

/// The columns of an audit entry, in the order [`audit_row`] gives their values.
const AUDIT_COLUMNS: [&str; 7] = [
    "at",
    "actor",
    "role",
    "action",
    "resource",
    "remote_addr",
    "outcome",
];

/// An audit entry's values for `audit_log`, at time `at`.
fn audit_row(record: &AuditRecord<'_>, at: i64) -> Vec<UpsertValue> {
    let text = |v: Option<&str>| UpsertValue::Text(v.map(str::to_string));
    vec![
        UpsertValue::from(at),
        text(record.actor),
        text(record.role),
        text(Some(record.action)),
        text(Some(record.resource)),
        text(record.remote_addr),
        UpsertValue::from(i64::from(record.outcome)),
    ]
}

/// Writes audit entries on `conn`, in few statements: inside a transaction they commit with
/// the writes they describe.
pub async fn record_audits_on(
    conn: &mut dyn Sql,
    records: &[AuditRecord<'_>],
) -> Result<(), StoreError> {
    let at = now_millis();
    let rows: Vec<Vec<UpsertValue>> = records.iter().map(|r| audit_row(r, at)).collect();
    insert_rows(conn, "audit_log", &AUDIT_COLUMNS, &rows).await
}

/// One audit entry waiting for the commit that holds it.
type AuditJob = (Vec<UpsertValue>, oneshot::Sender<Result<(), StoreError>>);

/// Most audit entries in one commit.
const MAX_AUDIT_GROUP: usize = 256;

/// Group commit for the audit entries of API requests: the entries of requests answered while
/// a commit is on its way to disk share the next one, in the store's turn to write.
#[derive(Debug, Clone)]
pub struct AuditWriter {
    jobs: mpsc::Sender<AuditJob>,
}

impl AuditWriter {
    /// Starts the writer over `store` (on the current tokio runtime); it ends when every
    /// handle is dropped.
    pub fn start(store: Store) -> AuditWriter {
        let (jobs, mut incoming) = mpsc::channel::<AuditJob>(4 * MAX_AUDIT_GROUP);
        tokio::spawn(async move {
            let mut group = Vec::with_capacity(MAX_AUDIT_GROUP);
            while incoming.recv_many(&mut group, MAX_AUDIT_GROUP).await > 0 {
                let (rows, replies): (Vec<_>, Vec<_>) = group.drain(..).unzip();
                let written = store.insert_audit_rows(rows).await;
                for reply in replies {
                    let _ = reply.send(match &written {
                        Ok(()) => Ok(()),
                        Err(err) => Err(StoreError::Unavailable(format!(
                            "the audit log was not written: {err}"
                        ))),
                    });
                }
            }
        });
        AuditWriter { jobs }
    }

    /// Writes one entry; returns once it is committed.
    pub async fn record(&self, record: &AuditRecord<'_>) -> Result<(), StoreError> {
        let stopped = || StoreError::Unavailable("the audit writer has stopped".into());
        let (reply, done) = oneshot::channel();
        self.jobs
            .send((audit_row(record, now_millis()), reply))
            .await
            .map_err(|_| stopped())?;
        done.await.map_err(|_| stopped())?
    }
}

impl Store {
    /// Writes one audit entry, in its own transaction.
    pub async fn record_audit(&self, record: &AuditRecord<'_>) -> Result<(), StoreError> {
        self.insert_audit_rows(vec![audit_row(record, now_millis())])
            .await
    }

    /// Inserts audit rows in one write transaction.
    async fn insert_audit_rows(&self, rows: Vec<Vec<UpsertValue>>) -> Result<(), StoreError> {
        self.write_transaction(move |conn| {
            Box::pin(async move { insert_rows(conn, "audit_log", &AUDIT_COLUMNS, &rows).await })
        })
        .await
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
