//! The search index of the resources kept as JSON: rewritten on every write of a resource, and
//! asked which current resources match search parameters.

use crate::fhir::outcome::FhirError;
use crate::fhir::params::{IndexEntry, IndexValue, ParamType, extract};
use crate::fhir::stored_search::{Binds, conditions, current_rows, index_table};
use crate::store::sql::Sql;
use crate::store::upsert::Value;

/// Index rows inserted by one statement (each row binds at most 7 values).
const BATCH: usize = 100;

/// Every index table, by the parameter type it holds.
const TABLES: &[ParamType] = &[
    ParamType::Token,
    ParamType::String,
    ParamType::Date,
    ParamType::Reference,
    ParamType::Quantity,
    ParamType::Uri,
];

/// Replaces the index rows of `resource_type`/`logical_id` with those extracted from
/// `resource` (none when it is `None`: the resource was deleted).
pub async fn reindex(
    conn: &mut dyn Sql,
    resource_type: &str,
    logical_id: &str,
    resource: Option<&serde_json::Value>,
) -> Result<(), FhirError> {
    let style = conn.placeholders();
    for kind in TABLES {
        let sql = format!(
            "DELETE FROM {} WHERE resource_type = {} AND logical_id = {}",
            index_table(*kind),
            style.list(1, 1),
            style.list(2, 1)
        );
        conn.execute(&sql, &[resource_type.into(), logical_id.into()])
            .await?;
    }
    let entries = resource.map(extract).unwrap_or_default();
    for kind in TABLES {
        let rows: Vec<Vec<Value>> = entries
            .iter()
            .filter_map(|entry| row(entry, *kind))
            .collect();
        for chunk in rows.chunks(BATCH) {
            let mut binds = Binds::new(style);
            let tuples: Vec<String> = chunk
                .iter()
                .map(|values| {
                    let mut cells = vec![binds.bind(resource_type), binds.bind(logical_id)];
                    for (column, value) in values.iter().enumerate() {
                        let placeholder = binds.bind(value.clone());
                        // The quantity's value (bound as text) is stored as a real.
                        cells.push(if *kind == ParamType::Quantity && column == 1 {
                            format!("CAST({placeholder} AS DOUBLE PRECISION)")
                        } else {
                            placeholder
                        });
                    }
                    format!("({})", cells.join(", "))
                })
                .collect();
            let sql = format!(
                "INSERT INTO {} (resource_type, logical_id, {}) VALUES {}",
                index_table(*kind),
                columns(*kind),
                tuples.join(", ")
            );
            conn.execute(&sql, binds.values()).await?;
        }
    }
    Ok(())
}

/// The columns of an index table after `resource_type, logical_id`.
fn columns(kind: ParamType) -> &'static str {
    match kind {
        ParamType::Token => "param, system, code",
        ParamType::String | ParamType::Uri => "param, value",
        ParamType::Date => "param, low, high",
        ParamType::Reference => "param, target_type, target_id, url",
        ParamType::Quantity | ParamType::Number => "param, value, system, code",
    }
}

/// The values of `entry` for the table of `kind` (after `resource_type, logical_id`), if it
/// goes there.
fn row(entry: &IndexEntry, kind: ParamType) -> Option<Vec<Value>> {
    let param = Value::from(entry.param.as_str());
    let text = |value: &Option<String>| Value::from(value);
    Some(match (&entry.value, kind) {
        (IndexValue::Token { system, code }, ParamType::Token) => {
            vec![param, text(system), code.as_str().into()]
        }
        (IndexValue::String(value), ParamType::String)
        | (IndexValue::Uri(value), ParamType::Uri) => {
            vec![param, value.as_str().into()]
        }
        (IndexValue::Date { low, high }, ParamType::Date) => {
            vec![param, (*low).into(), (*high).into()]
        }
        (
            IndexValue::Reference {
                target_type,
                target_id,
                url,
            },
            ParamType::Reference,
        ) => vec![param, text(target_type), text(target_id), text(url)],
        (
            IndexValue::Quantity {
                value,
                system,
                code,
            },
            ParamType::Quantity,
        ) => vec![
            param,
            value.to_string().as_str().into(),
            text(system),
            text(code),
        ],
        _ => return None,
    })
}

/// The logical ids of the current, non-deleted resources of `resource_type` matching every
/// (parameter, value) pair, in id order. An unknown parameter or a bad value is a 400, and so
/// is a chained parameter through a canonical type (`patient.name`).
pub async fn find(
    conn: &mut dyn Sql,
    resource_type: &str,
    pairs: &[(String, String)],
) -> Result<Vec<String>, FhirError> {
    let mut binds = Binds::new(conn.placeholders());
    let mut tests = vec![current_rows(resource_type, &mut binds)];
    tests.extend(conditions(resource_type, pairs, None, &mut binds)?);
    let sql = format!(
        "SELECT c.logical_id FROM fhir_current c WHERE {} ORDER BY c.logical_id",
        tests.join(" AND ")
    );
    conn.rows(&sql, binds.values())
        .await?
        .iter()
        .map(|row| row.text("logical_id").map_err(FhirError::from))
        .collect()
}
