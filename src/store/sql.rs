//! One way to run a statement, whatever runs it: a pooled sqlx connection (SQLite or
//! PostgreSQL) or the engine's native SQLite connection ([`NativeSqlite`]).
//!
//! The canonical upserts are written once against [`Sql`]. Through the pool every statement
//! crosses to sqlx's SQLite worker thread and back; on the native connection a batch runs on
//! the calling thread with cached prepared statements, which is what lets the `store`
//! destination drain thousands of messages a second into the embedded store.

use futures::future::BoxFuture;
use sqlx::AssertSqlSafe;
use sqlx::{Column, Row as _, ValueRef};

use super::StoreError;
use super::upsert::{Value, bind_all};

/// What a statement run on [`Sql`] returns.
pub type SqlFuture<'a, T> = BoxFuture<'a, Result<T, StoreError>>;

/// A connection (or an open transaction) statements run on. Parameters are `$1`, `$2`...
pub trait Sql: Send {
    /// Runs a query and returns its rows.
    fn rows<'a>(&'a mut self, sql: &'a str, params: &'a [Value]) -> SqlFuture<'a, Vec<Row>>;

    /// Runs a statement and returns how many rows it changed.
    fn execute<'a>(&'a mut self, sql: &'a str, params: &'a [Value]) -> SqlFuture<'a, u64>;
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

/// A row read through [`Sql`]: its values in the order of the statement's columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Row(Vec<Cell>);

impl Row {
    /// The integer in column `index`.
    pub fn int(&self, index: usize) -> Result<i64, StoreError> {
        match self.0.get(index) {
            Some(Cell::Int(value)) => Ok(*value),
            other => Err(column_error(index, "an integer", other)),
        }
    }

    /// The text in column `index`.
    pub fn text(&self, index: usize) -> Result<String, StoreError> {
        match self.0.get(index) {
            Some(Cell::Text(value)) => Ok(value.clone()),
            other => Err(column_error(index, "text", other)),
        }
    }
}

fn column_error(index: usize, expected: &str, found: Option<&Cell>) -> StoreError {
    StoreError::Sqlite(format!(
        "column {index}: expected {expected}, found {}",
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
}

/// Reads a pooled row's integer and text columns.
fn any_row(row: &sqlx::any::AnyRow) -> Result<Row, StoreError> {
    let mut cells = Vec::with_capacity(row.columns().len());
    for (index, column) in row.columns().iter().enumerate() {
        let cell =
            if row.try_get_raw(index)?.is_null() {
                Cell::Null
            } else if let Ok(int) = row.try_get::<i64, _>(index) {
                Cell::Int(int)
            } else {
                Cell::Text(row.try_get(index).map_err(|err| {
                    StoreError::Sqlite(format!("column {}: {err}", column.name()))
                })?)
            };
        cells.push(cell);
    }
    Ok(Row(cells))
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
            let columns = prepared.column_count();
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
                collected.push(Row(cells));
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
}

/// Prepares (from the cache) and binds `$N` parameters by name.
fn prepare_native<'c>(
    connection: &'c rusqlite::Connection,
    sql: &str,
    params: &[Value],
) -> Result<rusqlite::CachedStatement<'c>, StoreError> {
    let mut prepared = connection.prepare_cached(sql)?;
    for (n, param) in params.iter().enumerate() {
        let Some(index) = prepared.parameter_index(&format!("${}", n + 1))? else {
            continue;
        };
        match param {
            Value::Text(Some(text)) => prepared.raw_bind_parameter(index, text)?,
            Value::Int(Some(int)) => prepared.raw_bind_parameter(index, int)?,
            Value::Text(None) | Value::Int(None) | Value::Keep => {
                prepared.raw_bind_parameter(index, rusqlite::types::Null)?
            }
        }
    }
    Ok(prepared)
}
