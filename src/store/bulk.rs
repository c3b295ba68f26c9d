//! Writing many rows in few statements: multi-row inserts and updates from a `VALUES` list,
//! chunked under the parameter limit both SQLite and PostgreSQL accept. Bulk imports (835
//! remittances) use them instead of one statement per row.

use super::StoreError;
use super::sql::Sql;
use super::upsert::Value;

/// Parameters per statement; under SQLite's 32,766 and PostgreSQL's 65,535.
const MAX_PARAMS: usize = 30_000;

/// Inserts `rows` (each one value per column) into `table`.
pub async fn insert_rows(
    conn: &mut dyn Sql,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Value>],
) -> Result<(), StoreError> {
    insert_rows_or(conn, table, columns, rows, "").await
}

/// Inserts `rows` into `table`, with `on_conflict` (`ON CONFLICT (...) DO ...`) after the
/// values. Rows must not conflict with each other.
pub async fn insert_rows_or(
    conn: &mut dyn Sql,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Value>],
    on_conflict: &str,
) -> Result<(), StoreError> {
    let placeholders = conn.placeholders();
    for chunk in rows.chunks((MAX_PARAMS / columns.len().max(1)).max(1)) {
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES {} {on_conflict}",
            columns.join(", "),
            placeholders.values(chunk.len(), columns.len())
        );
        let values: Vec<Value> = chunk.iter().flatten().cloned().collect();
        conn.execute(&sql, &values).await?;
    }
    Ok(())
}

/// Updates rows of `table` by id: each row of `rows` is the id followed by one value per entry
/// of `set`, and `set` holds assignments over those values named `v.column2`, `v.column3`...
/// (`paid_cents = paid_cents + v.column2`). Ids must be unique within `rows`.
pub async fn update_rows(
    conn: &mut dyn Sql,
    table: &str,
    set: &str,
    rows: &[Vec<Value>],
) -> Result<(), StoreError> {
    let Some(width) = rows.first().map(Vec::len) else {
        return Ok(());
    };
    let placeholders = conn.placeholders();
    for chunk in rows.chunks((MAX_PARAMS / width).max(1)) {
        let sql = format!(
            "UPDATE {table} SET {set} FROM (VALUES {}) AS v WHERE {table}.id = v.column1",
            placeholders.values(chunk.len(), width)
        );
        let values: Vec<Value> = chunk.iter().flatten().cloned().collect();
        conn.execute(&sql, &values).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::store::sql::Placeholders;

    #[test]
    fn values_are_numbered_row_by_row() {
        assert_eq!(
            Placeholders::Numbered.values(2, 3),
            "($1, $2, $3), ($4, $5, $6)"
        );
        assert_eq!(Placeholders::Anonymous.values(2, 1), "(?), (?)");
        assert_eq!(Placeholders::Numbered.list(3, 2), "$3, $4");
    }
}
