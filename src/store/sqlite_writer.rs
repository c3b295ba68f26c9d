//! The SQLite ingest writer: a thread of its own with a native connection that runs each
//! batch's [`IngestPlan`] without handing every statement to another thread. It is what lets
//! the embedded store acknowledge tens of thousands of messages a second; PostgreSQL runs the
//! same plan through the pool.

use std::path::Path;
use std::sync::PoisonError;

use rusqlite::{Connection, TransactionBehavior};

use super::ingest::{Ingest, IngestPlan, Ingested, Param, PlanRow};
use futures::future::BoxFuture;

use super::sql::{NativeSqlite, prepare_native};
use super::{Store, StoreError, WriteGate};
use crate::config::engine::SqliteSynchronous;

impl From<rusqlite::Error> for StoreError {
    fn from(err: rusqlite::Error) -> Self {
        StoreError::Sqlite(err.to_string())
    }
}

/// A native connection that stores ingest batches.
pub struct SqliteWriter {
    connection: Connection,
    /// The store's turn to write, taken for each batch.
    gate: WriteGate,
}

impl SqliteWriter {
    /// Opens the SQLite file of `store` with the engine's settings (WAL, a wait for the write
    /// lock, foreign keys, temporary storage in memory); it writes in turn with the store's
    /// other writers. Refused when `store` is not SQLite.
    pub fn for_store(store: &Store) -> Result<Self, StoreError> {
        match &store.sqlite {
            Some(file) => Self::open(&file.path, file.synchronous, file.write_gate.clone()),
            None => Err(StoreError::Sqlite("the store is not an SQLite file".into())),
        }
    }

    fn open(
        path: &Path,
        synchronous: SqliteSynchronous,
        gate: WriteGate,
    ) -> Result<Self, StoreError> {
        Ok(SqliteWriter {
            connection: open_native(path, synchronous)?,
            gate,
        })
    }

    /// Stores one batch in one transaction, in its turn with the store's other writers (call
    /// it from a thread of its own, never from async code).
    pub fn ingest(&mut self, batch: &[Ingest]) -> Result<Vec<Ingested>, StoreError> {
        let _turn = self.gate.blocking_lock();
        let mut plan = IngestPlan::new(batch, super::now_millis());
        let tx = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        while let Some(statement) = plan.next_query() {
            let rows: Vec<PlanRow> = {
                let mut prepared = prepare_native(&tx, &statement.sql, &statement.params)?;
                let columns = prepared.column_count();
                let mut rows = prepared.raw_query();
                let mut collected = Vec::new();
                while let Some(row) = rows.next()? {
                    collected.push(PlanRow {
                        id: row.get(0)?,
                        texts: (1..columns)
                            .map(|column| row.get(column))
                            .collect::<Result<_, _>>()?,
                    });
                }
                collected
            };
            plan.answer(rows)?;
        }
        let (statements, results) = plan.follow_up()?;
        for statement in &statements {
            prepare_native(&tx, &statement.sql, &statement.params)?.raw_execute()?;
        }
        tx.commit()?;
        Ok(results)
    }
}

/// Opens the SQLite file with the engine's settings for a native writer: WAL, the sync
/// setting, foreign keys, short waits for the write lock while another process holds it, a
/// large statement cache, temporary storage in memory.
fn open_native(path: &Path, synchronous: SqliteSynchronous) -> Result<Connection, StoreError> {
    let connection = Connection::open(path)?;
    connection.pragma_update(None, "journal_mode", "WAL")?;
    connection.pragma_update(
        None,
        "synchronous",
        match synchronous {
            SqliteSynchronous::Full => "FULL",
            SqliteSynchronous::Normal => "NORMAL",
        },
    )?;
    connection.pragma_update(None, "foreign_keys", "ON")?;
    connection.busy_handler(Some(wait_for_write_lock))?;
    connection.set_prepared_statement_cache_capacity(512);
    // The writer's statements are small; with temporary storage on disk SQLite created and
    // deleted a temporary file about every fifth batch.
    connection.pragma_update(None, "temp_store", "MEMORY")?;
    Ok(connection)
}

impl Store {
    /// Runs `work` in one transaction on the store's native SQLite connection (opened on first
    /// use), on a blocking thread and in its turn with the store's other writers; commits when
    /// it succeeds, rolls back when it fails. Refused when the store is not SQLite.
    pub(crate) async fn native_transaction<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: for<'c> FnOnce(&'c mut NativeSqlite) -> BoxFuture<'c, Result<T, E>> + Send + 'static,
    {
        let Some(file) = self.sqlite.clone() else {
            return Err(StoreError::Sqlite("the store is not an SQLite file".into()).into());
        };
        let run = move || -> Result<T, E> {
            let _turn = file.write_gate.blocking_lock();
            let mut slot = file.native.lock().unwrap_or_else(PoisonError::into_inner);
            let conn = match slot.as_mut() {
                Some(conn) => conn,
                None => slot.insert(NativeSqlite::new(open_native(
                    &file.path,
                    file.synchronous,
                )?)),
            };
            let sql = |conn: &mut NativeSqlite, statement: &str| {
                conn.connection()
                    .execute_batch(statement)
                    .map_err(|err| E::from(StoreError::from(err)))
            };
            if !conn.connection().is_autocommit() {
                // A transaction left open by a failure that unwound through here.
                sql(conn, "ROLLBACK")?;
            }
            sql(conn, "BEGIN IMMEDIATE")?;
            let outcome = futures::executor::block_on(work(conn))
                .and_then(|value| sql(conn, "COMMIT").map(|()| value));
            if outcome.is_err() && !conn.connection().is_autocommit() {
                sql(conn, "ROLLBACK")?;
            }
            outcome
        };
        tokio::task::spawn_blocking(run)
            .await
            .unwrap_or_else(|err| {
                Err(StoreError::Sqlite(format!("the native writer failed: {err}")).into())
            })
    }
}

/// The writer's wait for SQLite's write lock while a pool connection holds it (a destination
/// or the API committing): short sleeps, so the acknowledgments wait about as long as the lock
/// is held, not SQLite's default steps of up to 100 ms. Gives up after about 10 s.
fn wait_for_write_lock(attempt: i32) -> bool {
    let pause_us = match attempt {
        0..100 => 50,
        100..20_000 => 500,
        _ => return false,
    };
    std::thread::sleep(std::time::Duration::from_micros(pause_us));
    true
}

impl rusqlite::ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(match self {
            Param::NullText | Param::NullBlob => rusqlite::types::Null.into(),
            Param::Int(v) => (*v).into(),
            Param::Text(v) => (*v).into(),
            Param::OwnedText(v) => v.as_str().into(),
            Param::Blob(v) => (*v).into(),
        })
    }
}
