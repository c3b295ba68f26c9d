//! The store: one repository API over SQLite (embedded, default) and PostgreSQL.
//!
//! Queries are written once in SQL both databases accept (`$1` parameters, `ON CONFLICT`,
//! `RETURNING`, `IS DISTINCT FROM`); the few that differ ask [`Backend`] for their dialect.
//! Times are Unix milliseconds (`i64`), money is integer cents, never floating point.

pub mod audit;
pub mod bulk;
pub mod canonical;
pub mod claims;
pub mod config_log;
pub mod deliveries;
pub mod ingest;
pub mod inquiries;
pub mod jobs;
pub mod messages;
pub mod nodes;
pub mod outbox;
pub mod receivables;
pub mod remit;
pub mod sql;
pub mod sqlite_writer;
pub mod tokens;
pub mod upsert;

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Executor};

pub use upsert::{Change, Upserted};

use crate::config::engine::SqliteSynchronous;

/// Errors of the store layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed a query.
    #[error("database error: {0}")]
    Database(sqlx::Error),
    /// Applying migrations failed.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The store URL names no supported database.
    #[error("unsupported store URL '{0}': expected sqlite://PATH or postgres://...")]
    UnsupportedUrl(String),
    /// The data directory for the SQLite file could not be created.
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The engine's native SQLite writer failed.
    #[error("database error: {0}")]
    Sqlite(String),
    /// A concurrent writer got there first; trying again succeeds.
    #[error("busy: {0}")]
    Busy(String),
    /// A record refers to something that is not in the store.
    #[error("{0} not found")]
    NotFound(String),
    /// The input cannot be stored as given.
    #[error("invalid input: {0}")]
    Invalid(String),
    /// The request conflicts with the record's current state.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The store cannot take the write now (the engine is stopping, or the batch it was part
    /// of failed); the same write may succeed later.
    #[error("unavailable: {0}")]
    Unavailable(String),
}

impl From<sqlx::Error> for StoreError {
    /// A database that cannot be reached (connection refused or lost, no pooled connection
    /// within the acquire timeout, the server shutting down) is [`StoreError::Unavailable`]:
    /// the same request may succeed later. Anything else is [`StoreError::Database`].
    fn from(err: sqlx::Error) -> Self {
        if unreachable(&err) {
            StoreError::Unavailable(format!("the database cannot be reached: {err}"))
        } else {
            StoreError::Database(err)
        }
    }
}

/// Whether `err` says the database is out of reach rather than that a query failed.
fn unreachable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        // PostgreSQL: connection exceptions (08), shutting down or starting (57P01-57P03),
        // too many connections (53300).
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            code.starts_with("08") || matches!(&*code, "57P01" | "57P02" | "57P03" | "53300")
        }),
        _ => false,
    }
}

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite file.
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

impl Backend {
    /// Short name for health output and logs.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    /// SQL for the database's own clock in Unix milliseconds. Leases are timed by it, so that
    /// engine nodes whose clocks disagree still agree on when a lease ends: the database is
    /// the arbiter.
    pub(crate) fn now_millis_sql(self) -> &'static str {
        match self {
            Backend::Sqlite => "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)",
            Backend::Postgres => "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT",
        }
    }
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// A connection pool plus the backend it talks to. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// What an SQLite store has besides its pool; `None` on PostgreSQL.
    sqlite: Option<SqliteFile>,
}

/// An SQLite store's file and what every writer of this process shares to write to it.
#[derive(Debug, Clone)]
struct SqliteFile {
    /// The file, for the native connections.
    path: std::path::PathBuf,
    /// How commits sync.
    synchronous: SqliteSynchronous,
    /// The engine's turn to write. Every write transaction of this process holds it, so
    /// writers queue here in arrival order instead of sleeping in SQLite's busy handler.
    write_gate: WriteGate,
    /// The native connection batches of canonical upserts run on
    /// ([`Store::native_transaction`]), opened on first use.
    native: NativeSlot,
}

/// The store's native SQLite connection, once opened.
type NativeSlot = Arc<std::sync::Mutex<Option<sql::NativeSqlite>>>;

/// The turn to write to an SQLite file, shared by every writer of one process (the pool's
/// transactions and the native ingest writer).
pub type WriteGate = Arc<tokio::sync::Mutex<()>>;

/// A write transaction ([`Store::begin_write`]): the connection, and on SQLite the process's
/// turn to write, held until it commits or is dropped.
pub struct WriteTransaction {
    transaction: sqlx::Transaction<'static, sqlx::Any>,
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl WriteTransaction {
    /// Commits, then gives up the turn to write.
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.transaction.commit().await
    }

    /// Rolls back, then gives up the turn to write.
    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        self.transaction.rollback().await
    }
}

impl std::ops::Deref for WriteTransaction {
    type Target = sqlx::AnyConnection;

    fn deref(&self) -> &Self::Target {
        &self.transaction
    }
}

impl std::ops::DerefMut for WriteTransaction {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.transaction
    }
}

impl Store {
    /// Connects to `url`, creating the SQLite file (and its folder) when needed; SQLite syncs
    /// every commit.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Store, StoreError> {
        Self::connect_with(url, max_connections, SqliteSynchronous::Full).await
    }

    /// Like [`Store::connect`], choosing how SQLite syncs its commits.
    pub async fn connect_with(
        url: &str,
        max_connections: u32,
        synchronous: SqliteSynchronous,
    ) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let mut sqlite_path = std::path::PathBuf::new();
        let backend = if let Some(path) = url.strip_prefix("sqlite://") {
            let path = path.split('?').next().unwrap_or_default();
            sqlite_path = std::path::PathBuf::from(path);
            if let Some(dir) = Path::new(path).parent()
                && !dir.as_os_str().is_empty()
            {
                std::fs::create_dir_all(dir).map_err(|source| StoreError::DataDir {
                    path: dir.display().to_string(),
                    source,
                })?;
            }
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_string()));
        };
        let url = match backend {
            Backend::Sqlite if !url.contains('?') => format!("{url}?mode=rwc"),
            _ => url.to_string(),
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections.max(1))
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // auto_vacuum must precede the first table; later it is a no-op.
                        conn.execute("PRAGMA auto_vacuum = INCREMENTAL").await?;
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute(match synchronous {
                            SqliteSynchronous::Full => "PRAGMA synchronous = FULL",
                            SqliteSynchronous::Normal => "PRAGMA synchronous = NORMAL",
                        })
                        .await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        conn.execute("PRAGMA busy_timeout = 10000").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        let sqlite = (backend == Backend::Sqlite).then(|| SqliteFile {
            path: sqlite_path,
            synchronous,
            write_gate: WriteGate::default(),
            native: NativeSlot::default(),
        });
        Ok(Store {
            pool,
            backend,
            sqlite,
        })
    }

    /// Applies pending migrations for this backend.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.pool).await?;
        Ok(())
    }

    /// The migrations of this backend not applied to the database yet, by description.
    pub async fn pending_migrations(&self) -> Result<Vec<String>, StoreError> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        // Before the first migration the bookkeeping table does not exist: all are pending.
        let applied: Vec<i64> =
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
                .fetch_all(&self.pool)
                .await
                .unwrap_or_default();
        Ok(migrator
            .iter()
            .filter(|m| !applied.contains(&m.version))
            .map(|m| format!("{} {}", m.version, m.description))
            .collect())
    }

    /// Begins a transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so a read inside it can never make the later write fail because
    /// another connection wrote in between. It first waits for this process's turn to write
    /// (taken in arrival order, before a pooled connection is taken), so writers of one engine
    /// never wait for each other in SQLite's busy handler; the busy timeout is left for other
    /// processes on the same file.
    pub async fn begin_write(&self) -> Result<WriteTransaction, StoreError> {
        let turn = match self.write_gate() {
            Some(gate) => Some(gate.clone().lock_owned().await),
            None => None,
        };
        let transaction = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(WriteTransaction {
            transaction,
            _turn: turn,
        })
    }

    /// Runs one writing statement in a transaction of its own, in the engine's turn to write
    /// (see [`Store::begin_write`]); returns the number of rows it changed.
    pub(crate) async fn write_execute(
        &self,
        query: sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments>,
    ) -> Result<u64, StoreError> {
        let mut tx = self.begin_write().await?;
        let done = query.execute(&mut *tx).await?.rows_affected();
        tx.commit().await?;
        Ok(done)
    }

    /// Like [`Store::write_execute`], for a statement that returns at most one row
    /// (`RETURNING`).
    pub(crate) async fn write_returning(
        &self,
        query: sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments>,
    ) -> Result<Option<sqlx::any::AnyRow>, StoreError> {
        let mut tx = self.begin_write().await?;
        let row = query.fetch_optional(&mut *tx).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// A connection of its own, outside the pool, for health checks: it answers whether the
    /// database is reachable even while every pooled connection is busy.
    pub async fn probe(&self) -> Result<Probe, StoreError> {
        let connection = self.pool.connect_options().connect().await?;
        Ok(Probe {
            store: self.clone(),
            connection,
        })
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The SQLite file and its sync setting, when the store is SQLite.
    pub fn sqlite_file(&self) -> Option<(&Path, SqliteSynchronous)> {
        self.sqlite
            .as_ref()
            .map(|file| (file.path.as_path(), file.synchronous))
    }

    /// SQLite: the turn to write that every writer of this process shares.
    fn write_gate(&self) -> Option<&WriteGate> {
        self.sqlite.as_ref().map(|file| &file.write_gate)
    }

    /// The underlying pool, for the repositories of other modules.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Closes every connection; waits for checked-out connections to come back.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// A database connection outside the store's pool (see [`Store::probe`]).
pub struct Probe {
    store: Store,
    connection: sqlx::AnyConnection,
}

impl Probe {
    /// Checks that the database answers on this connection and that the store is open.
    pub async fn ping(&mut self) -> Result<(), StoreError> {
        if self.store.pool.is_closed() {
            return Err(StoreError::from(sqlx::Error::PoolClosed));
        }
        sqlx::query("SELECT 1")
            .execute(&mut self.connection)
            .await?;
        Ok(())
    }

    /// Closes the connection.
    pub async fn close(self) {
        let _ = sqlx::Connection::close(self.connection).await;
    }
}

/// The current time in Unix milliseconds.
pub fn now_millis() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(now.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::StoreError;

    #[test]
    fn an_unreachable_database_is_unavailable_not_a_failed_query() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        for err in [
            sqlx::Error::PoolTimedOut,
            sqlx::Error::PoolClosed,
            sqlx::Error::Io(refused),
        ] {
            let err = StoreError::from(err);
            assert!(matches!(err, StoreError::Unavailable(_)), "{err}");
        }
        let err = StoreError::from(sqlx::Error::RowNotFound);
        assert!(matches!(err, StoreError::Database(_)), "{err}");
    }
}
