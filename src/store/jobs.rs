//! Scheduled job runs, and the PostgreSQL advisory lock that lets one engine process run each.

use serde::Serialize;
use sqlx::Row;

use super::{Backend, Store, StoreError, now_millis};

/// One recorded run of a scheduled job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct JobRun {
    /// Run id.
    pub id: i64,
    /// Job name.
    pub job: String,
    /// Engine process that ran it.
    pub node: String,
    /// Unix ms.
    pub started_at: i64,
    /// Unix ms, once finished.
    pub finished_at: Option<i64>,
    /// `running`, `ok` or `error`.
    pub outcome: String,
    /// What it did, or why it failed.
    pub detail: Option<String>,
}

/// A held job lock; release it with [`Store::unlock_job`].
pub struct JobLock {
    connection: Option<sqlx::pool::PoolConnection<sqlx::Any>>,
    key: i64,
}

/// A stable lock key for a job name (FNV-1a).
fn lock_key(job: &str) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in job.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    i64::from_ne_bytes(hash.to_ne_bytes())
}

impl Store {
    /// Takes the cluster-wide lock of `job` when on PostgreSQL (`None` when another process
    /// holds it); SQLite serves one process, so the lock is always granted there.
    pub async fn lock_job(&self, job: &str) -> Result<Option<JobLock>, StoreError> {
        let key = lock_key(job);
        if self.backend() == Backend::Sqlite {
            return Ok(Some(JobLock {
                connection: None,
                key,
            }));
        }
        let mut connection = self.pool().acquire().await?;
        let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(key)
            .fetch_one(&mut *connection)
            .await?;
        Ok(locked.then_some(JobLock {
            connection: Some(connection),
            key,
        }))
    }

    /// Releases a job lock.
    pub async fn unlock_job(&self, lock: JobLock) -> Result<(), StoreError> {
        if let Some(mut connection) = lock.connection {
            sqlx::query("SELECT pg_advisory_unlock($1)")
                .bind(lock.key)
                .execute(&mut *connection)
                .await?;
        }
        Ok(())
    }

    /// Records the start of a job run.
    pub async fn start_job_run(&self, job: &str, node: &str) -> Result<i64, StoreError> {
        let row = self.write_returning(
            sqlx::query(
            "INSERT INTO job_runs (job, node, started_at, outcome) VALUES ($1, $2, $3, 'running') RETURNING id",
        )
        .bind(job)
        .bind(node)
        .bind(now_millis()),
        )
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
        Ok(row.try_get("id")?)
    }

    /// Records how a job run ended.
    pub async fn finish_job_run(&self, id: i64, ok: bool, detail: &str) -> Result<(), StoreError> {
        self.write_execute(
            sqlx::query(
                "UPDATE job_runs SET finished_at = $1, outcome = $2, detail = $3 WHERE id = $4",
            )
            .bind(now_millis())
            .bind(if ok { "ok" } else { "error" })
            .bind(detail)
            .bind(id),
        )
        .await?;
        Ok(())
    }

    /// The newest job runs, optionally of one job.
    pub async fn job_runs(&self, job: Option<&str>, limit: i64) -> Result<Vec<JobRun>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, job, node, started_at, finished_at, outcome, detail FROM job_runs \
             WHERE ($1 IS NULL OR job = $1) ORDER BY id DESC LIMIT $2",
        )
        .bind(job)
        .bind(limit.clamp(1, 1000))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(JobRun {
                    id: row.try_get("id")?,
                    job: row.try_get("job")?,
                    node: row.try_get("node")?,
                    started_at: row.try_get("started_at")?,
                    finished_at: row.try_get("finished_at")?,
                    outcome: row.try_get("outcome")?,
                    detail: row.try_get("detail")?,
                })
            })
            .collect()
    }
}
