//! Natural-key upserts that change nothing when the input is the same as what is stored.
//!
//! One statement shape serves every table: insert, or on a natural-key conflict update only when
//! some value differs (`IS DISTINCT FROM`, null-safe), bumping `revision`. `RETURNING` then
//! tells created (revision 1), updated (revision > 1) or, with no row, unchanged. A field
//! whose value is [`Value::Keep`] is left out: an existing row keeps its value, a new one has
//! none.

use sqlx::Any;
use sqlx::any::AnyArguments;
use sqlx::query::Query;

use super::sql::{Sql, first_row};
use super::{StoreError, now_millis};
use crate::canonical::FieldValue;

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// A new row was inserted.
    Created,
    /// An existing row was changed.
    Updated,
    /// The row already held exactly these values.
    Unchanged,
}

/// The row id an upsert landed on, and what it did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Upserted {
    /// Primary key of the row.
    pub id: i64,
    /// What changed.
    pub change: Change,
}

/// A value bound into an upsert.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Text, or NULL.
    Text(Option<String>),
    /// Integer, or NULL.
    Int(Option<i64>),
    /// Not part of the change: the stored value stays (a new row has none).
    Keep,
}

impl Value {
    /// Whether the column is written.
    pub fn is_written(&self) -> bool {
        !matches!(self, Value::Keep)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(Some(v.to_string()))
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(Some(v.clone()))
    }
}
impl From<&Option<String>> for Value {
    fn from(v: &Option<String>) -> Self {
        Value::Text(v.clone())
    }
}
/// An optional text field of a canonical record, as an upsert writes it.
pub trait TextField {
    /// The value written: for a field a message did not send ([`FieldValue::Absent`]),
    /// [`Value::Keep`]; for a cleared one, NULL.
    fn value(&self) -> Value;
}

impl TextField for Option<String> {
    fn value(&self) -> Value {
        Value::Text(self.clone())
    }
}

impl TextField for FieldValue {
    fn value(&self) -> Value {
        match self {
            FieldValue::Absent => Value::Keep,
            FieldValue::Clear => Value::Text(None),
            FieldValue::Value(text) => Value::Text(Some(text.clone())),
        }
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(Some(v))
    }
}
impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Self {
        Value::Int(v)
    }
}

/// Binds `values` in order onto `query`.
pub fn bind_all<'q>(
    mut query: Query<'q, Any, AnyArguments>,
    values: &[Value],
) -> Query<'q, Any, AnyArguments> {
    for value in values {
        query = match value {
            Value::Text(v) => query.bind(v.clone()),
            Value::Int(v) => query.bind(*v),
            Value::Keep => query.bind(Option::<String>::None),
        };
    }
    query
}

/// An upsert into `table`: `keys` identify the row, `fields` are the rest.
pub struct Upsert<'a> {
    /// Table name.
    pub table: &'a str,
    /// Natural-key columns and values (covered by a unique index).
    pub keys: &'a [(&'a str, Value)],
    /// Other columns and values.
    pub fields: &'a [(&'a str, Value)],
}

impl Upsert<'_> {
    /// The fields written ([`Value::Keep`] ones left out).
    fn written(&self) -> impl Iterator<Item = &(&str, Value)> {
        self.fields.iter().filter(|(_, value)| value.is_written())
    }

    /// The statement for this upsert; parameters are keys, then written fields, then the
    /// timestamp.
    fn sql(&self) -> String {
        let columns: Vec<&str> = self
            .keys
            .iter()
            .chain(self.written())
            .map(|(column, _)| *column)
            .collect();
        let now_param = columns.len() + 1;
        let placeholders: Vec<String> = (1..=columns.len()).map(|i| format!("${i}")).collect();
        let key_columns: Vec<&str> = self.keys.iter().map(|(c, _)| *c).collect();
        let set: Vec<String> = self
            .written()
            .map(|(c, _)| format!("{c} = excluded.{c}"))
            .collect();
        let differs: Vec<String> = self
            .written()
            .map(|(c, _)| format!("{t}.{c} IS DISTINCT FROM excluded.{c}", t = self.table))
            .collect();
        let update = if set.is_empty() {
            // Nothing but the key: an existing row can never differ.
            "DO NOTHING".to_string()
        } else {
            format!(
                "DO UPDATE SET {set}, revision = {t}.revision + 1, updated_at = excluded.updated_at WHERE {differs}",
                set = set.join(", "),
                t = self.table,
                differs = differs.join(" OR "),
            )
        };
        format!(
            "INSERT INTO {t} ({cols}, created_at, updated_at) VALUES ({vals}, ${now_param}, ${now_param}) \
             ON CONFLICT ({keys}) {update} RETURNING id, revision",
            t = self.table,
            cols = columns.join(", "),
            vals = placeholders.join(", "),
            keys = key_columns.join(", "),
        )
    }

    /// Runs the upsert on `conn` (a pooled connection, an open transaction or the native
    /// SQLite connection).
    pub async fn run(&self, conn: &mut dyn Sql) -> Result<Upserted, StoreError> {
        let sql = self.sql();
        let values: Vec<Value> = self
            .keys
            .iter()
            .chain(self.written())
            .map(|(_, v)| v.clone())
            .chain(std::iter::once(Value::Int(Some(now_millis()))))
            .collect();
        if let Some(row) = first_row(conn, &sql, &values).await? {
            let revision = row.int("revision")?;
            let change = if revision == 1 {
                Change::Created
            } else {
                Change::Updated
            };
            return Ok(Upserted {
                id: row.int("id")?,
                change,
            });
        }
        let condition: Vec<String> = self
            .keys
            .iter()
            .enumerate()
            .map(|(i, (c, _))| format!("{c} = ${}", i + 1))
            .collect();
        let select = format!(
            "SELECT id FROM {} WHERE {}",
            self.table,
            condition.join(" AND ")
        );
        let key_values: Vec<Value> = self.keys.iter().map(|(_, v)| v.clone()).collect();
        let id = first_row(conn, &select, &key_values)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("the {} row just upserted", self.table)))?
            .int("id")?;
        Ok(Upserted {
            id,
            change: Change::Unchanged,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statement_shape() {
        let upsert = Upsert {
            table: "providers",
            keys: &[("npi", Value::from("1"))],
            fields: &[("name", Value::from("A")), ("kind", Value::from("x"))],
        };
        assert_eq!(
            upsert.sql(),
            "INSERT INTO providers (npi, name, kind, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) \
             ON CONFLICT (npi) DO UPDATE SET name = excluded.name, kind = excluded.kind, \
             revision = providers.revision + 1, updated_at = excluded.updated_at \
             WHERE providers.name IS DISTINCT FROM excluded.name OR providers.kind IS DISTINCT FROM excluded.kind \
             RETURNING id, revision"
        );
        let kept = Upsert {
            table: "providers",
            keys: &[("npi", Value::from("1"))],
            fields: &[("name", Value::Keep), ("kind", Value::from("x"))],
        };
        assert_eq!(
            kept.sql(),
            "INSERT INTO providers (npi, kind, created_at, updated_at) VALUES ($1, $2, $3, $3) \
             ON CONFLICT (npi) DO UPDATE SET kind = excluded.kind, \
             revision = providers.revision + 1, updated_at = excluded.updated_at \
             WHERE providers.kind IS DISTINCT FROM excluded.kind \
             RETURNING id, revision"
        );
    }
}
