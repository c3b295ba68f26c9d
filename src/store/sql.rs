//! One way to run a statement, whatever runs it: a pooled sqlx connection (SQLite or
//! PostgreSQL) or the engine's native SQLite connection ([`NativeSqlite`]).
//!
//! The canonical upserts are written once against [`Sql`]. Through the pool every statement
//! crosses to sqlx's SQLite worker thread and back; on the native connection a batch runs on
//! the calling thread with cached prepared statements, which is what lets the `store`
//! destination drain thousands of messages a second into the embedded store.

use std::sync::Arc;

use futures::future::BoxFuture;
use sqlx::AssertSqlSafe;
use sqlx::{Column, Row as _, ValueRef};

use super::upsert::{Value, bind_all};
use super::{Backend, Store, StoreError, WriteTransaction};

/// What a statement run on [`Sql`] returns.
pub type SqlFuture<'a, T> = BoxFuture<'a, Result<T, StoreError>>;

/// A connection (or an open transaction) statements run on. Parameters are `$1`, `$2`...
pub trait Sql: Send {
    /// Runs a query and returns its rows.
    fn rows<'a>(&'a mut self, sql: &'a str, params: &'a [Value]) -> SqlFuture<'a, Vec<Row>>;

    /// Runs a statement and returns how many rows it changed.
    fn execute<'a>(&'a mut self, sql: &'a str, params: &'a [Value]) -> SqlFuture<'a, u64>;

    /// How statements for this connection number their parameters.
    fn placeholders(&self) -> Placeholders;
}

/// How a statement numbers its parameters. SQLite gets anonymous `?`: the driver looks each
/// numbered `$N` up by name, which costs time in the square of their number, while `?` costs
/// nothing; PostgreSQL gets `$N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placeholders {
    /// `?`, in order.
    Anonymous,
    /// `$1`, `$2`...
    Numbered,
}

impl Placeholders {
    /// The `n`th (1-based) parameter.
    fn nth(self, n: usize) -> String {
        match self {
            Placeholders::Anonymous => "?".to_string(),
            Placeholders::Numbered => format!("${n}"),
        }
    }

    /// `count` parameters from `first` on, comma-separated.
    pub fn list(self, first: usize, count: usize) -> String {
        (first..first + count)
            .map(|n| self.nth(n))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `($1, $2), ($3, $4)...` for `rows` rows of `columns` values.
    pub fn values(self, rows: usize, columns: usize) -> String {
        (0..rows)
            .map(|row| format!("({})", self.list(row * columns + 1, columns)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl Store {
    /// Runs `work` in one write transaction: on SQLite on the native connection (see
    /// [`NativeSqlite`]), on PostgreSQL through the pool. Commits when `work` succeeds, rolls
    /// back when it fails.
    pub async fn write_transaction<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: for<'c> FnOnce(&'c mut dyn Sql) -> BoxFuture<'c, Result<T, E>> + Send + 'static,
    {
        if self.backend() == Backend::Sqlite {
            return self
                .native_transaction(move |conn: &mut NativeSqlite| work(conn))
                .await;
        }
        let mut tx = self.begin_write().await.map_err(E::from)?;
        match work(&mut *tx).await {
            Ok(value) => {
                tx.commit().await.map_err(|err| E::from(err.into()))?;
                Ok(value)
            }
            Err(err) => {
                tx.rollback().await.map_err(|err| E::from(err.into()))?;
                Err(err)
            }
        }
    }
}

/// Runs a query expected to return at most one row.
pub async fn first_row(
    conn: &mut dyn Sql,
    sql: &str,
    params: &[Value],
) -> Result<Option<Row>, StoreError> {
    Ok(conn.rows(sql, params).await?.into_iter().next())
}

/// One value of a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// NULL.
    Null,
    /// An integer.
    Int(i64),
    /// Text.
    Text(String),
}

/// A row read through [`Sql`]: its columns' names and values.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    names: Arc<[String]>,
    cells: Vec<Cell>,
}

impl Row {
    fn cell(&self, column: &str) -> Option<&Cell> {
        let index = self.names.iter().position(|name| name == column)?;
        self.cells.get(index)
    }

    /// The integer in `column`.
    pub fn int(&self, column: &str) -> Result<i64, StoreError> {
        match self.cell(column) {
            Some(Cell::Int(value)) => Ok(*value),
            other => Err(column_error(column, "an integer", other)),
        }
    }

    /// The integer in `column`, or `None` when it is NULL.
    pub fn opt_int(&self, column: &str) -> Result<Option<i64>, StoreError> {
        match self.cell(column) {
            Some(Cell::Null) => Ok(None),
            _ => self.int(column).map(Some),
        }
    }

    /// The text in `column`.
    pub fn text(&self, column: &str) -> Result<String, StoreError> {
        match self.cell(column) {
            Some(Cell::Text(value)) => Ok(value.clone()),
            other => Err(column_error(column, "text", other)),
        }
    }

    /// The text in `column`, or `None` when it is NULL.
    pub fn opt_text(&self, column: &str) -> Result<Option<String>, StoreError> {
        match self.cell(column) {
            Some(Cell::Null) => Ok(None),
            _ => self.text(column).map(Some),
        }
    }
}

fn column_error(column: &str, expected: &str, found: Option<&Cell>) -> StoreError {
    StoreError::Sqlite(format!(
        "column {column}: expected {expected}, found {}",
        match found {
            None => "no such column".to_string(),
            Some(cell) => format!("{cell:?}"),
        }
    ))
}

impl Sql for sqlx::AnyConnection {
    fn rows<'a>(&'a mut self, sql: &'a str, params: &'a [Value]) -> SqlFuture<'a, Vec<Row>> {
        Box::pin(async move {
            let rows = bind_all(sqlx::query(AssertSqlSafe(sql)), params)
                .fetch_all(&mut *self)
                .await?;
            rows.iter().map(any_row).collect()
        })
    }

    fn execute<'a>(&'a mut self, sql: &'a str, params: &'a [Value]) -> SqlFuture<'a, u64> {
        Box::pin(async move {
            Ok(bind_all(sqlx::query(AssertSqlSafe(sql)), params)
                .execute(&mut *self)
                .await?
                .rows_affected())
        })
    }

    fn placeholders(&self) -> Placeholders {
        if self.backend_name().eq_ignore_ascii_case("sqlite") {
            Placeholders::Anonymous
        } else {
            Placeholders::Numbered
        }
    }
}

impl Sql for WriteTransaction {
    fn rows<'a>(&'a mut self, sql: &'a str, params: &'a [Value]) -> SqlFuture<'a, Vec<Row>> {
        (**self).rows(sql, params)
    }

    fn execute<'a>(&'a mut self, sql: &'a str, params: &'a [Value]) -> SqlFuture<'a, u64> {
        (**self).execute(sql, params)
    }

    fn placeholders(&self) -> Placeholders {
        (**self).placeholders()
    }
}

/// Reads a pooled row's integer and text columns.
fn any_row(row: &sqlx::any::AnyRow) -> Result<Row, StoreError> {
    let names: Arc<[String]> = row.columns().iter().map(|c| c.name().to_string()).collect();
    let mut cells = Vec::with_capacity(names.len());
    for (index, name) in names.iter().enumerate() {
        let cell = if row.try_get_raw(index)?.is_null() {
            Cell::Null
        } else if let Ok(int) = row.try_get::<i64, _>(index) {
            Cell::Int(int)
        } else {
            Cell::Text(
                row.try_get(index)
                    .map_err(|err| StoreError::Sqlite(format!("column {name}: {err}")))?,
            )
        };
        cells.push(cell);
    }
    Ok(Row { names, cells })
}

/// The engine's native SQLite connection (rusqlite), for batches run on a thread of their
/// own: statements are prepared once and cached, and nothing crosses threads.
#[derive(Debug)]
pub struct NativeSqlite {
    connection: rusqlite::Connection,
}

impl NativeSqlite {
    /// Wraps an open connection.
    pub fn new(connection: rusqlite::Connection) -> Self {
        NativeSqlite { connection }
    }

    /// The connection, for its transaction.
    pub fn connection(&mut self) -> &mut rusqlite::Connection {
        &mut self.connection
    }
}

impl Sql for NativeSqlite {
    fn rows<'a>(&'a mut self, sql: &'a str, params: &'a [Value]) -> SqlFuture<'a, Vec<Row>> {
        let result = (|| {
            let mut prepared = prepare_native(&self.connection, sql, params)?;
            let names: Arc<[String]> = prepared
                .column_names()
                .into_iter()
                .map(str::to_string)
                .collect();
            let columns = names.len();
            let mut rows = prepared.raw_query();
            let mut collected = Vec::new();
            while let Some(row) = rows.next()? {
                let mut cells = Vec::with_capacity(columns);
                for column in 0..columns {
                    cells.push(match row.get_ref(column)? {
                        rusqlite::types::ValueRef::Null => Cell::Null,
                        rusqlite::types::ValueRef::Integer(value) => Cell::Int(value),
                        rusqlite::types::ValueRef::Text(bytes) => {
                            Cell::Text(String::from_utf8_lossy(bytes).into_owned())
                        }
                        other => {
                            return Err(StoreError::Sqlite(format!(
                                "column {column}: unexpected {:?}",
                                other.data_type()
                            )));
                        }
                    });
                }
                collected.push(Row {
                    names: names.clone(),
                    cells,
                });
            }
            Ok(collected)
        })();
        Box::pin(std::future::ready(result))
    }

    fn execute<'a>(&'a mut self, sql: &'a str, params: &'a [Value]) -> SqlFuture<'a, u64> {
        let result = prepare_native(&self.connection, sql, params)
            .and_then(|mut prepared| Ok(prepared.raw_execute()? as u64));
        Box::pin(std::future::ready(result))
    }

    fn placeholders(&self) -> Placeholders {
        Placeholders::Anonymous
    }
}

/// Prepares (from the cache) and binds parameters: `$N` by name, an anonymous `?` by position.
pub(super) fn prepare_native<'c, P: rusqlite::ToSql>(
    connection: &'c rusqlite::Connection,
    sql: &str,
    params: &[P],
) -> Result<rusqlite::CachedStatement<'c>, StoreError> {
    let mut prepared = connection.prepare_cached(sql)?;
    let count = prepared.parameter_count();
    for (n, param) in params.iter().enumerate() {
        let index = match prepared.parameter_index(&format!("${}", n + 1))? {
            Some(index) => index,
            None if n < count && prepared.parameter_name(n + 1).is_none() => n + 1,
            None => continue,
        };
        prepared.raw_bind_parameter(index, param)?;
    }
    Ok(prepared)
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(match self {
            Value::Text(Some(text)) => text.as_str().into(),
            Value::Int(Some(int)) => (*int).into(),
            Value::Text(None) | Value::Int(None) | Value::Keep => rusqlite::types::Null.into(),
        })
    }
}
