//! How the command line shows the engine's answers: aligned tables for people (money from
//! `*_cents` fields with two decimals, Unix ms `*_at` fields as local `YYYY-MM-DD HH:MM`),
//! the raw JSON, or CSV for tabular answers.

use chrono::{Local, TimeZone};
use serde_json::{Map, Value};

use crate::revenue::reports::{csv_text, money};

/// How to print an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Aligned columns with a header (the default).
    Table,
    /// The answer as the API gave it, pretty printed.
    Json,
    /// CSV with a header row; only for tabular answers.
    Csv,
}

/// A tabular answer: column names and rows of raw values.
struct Grid {
    columns: Vec<String>,
    rows: Vec<Vec<Value>>,
}

/// The table in an answer: a report (`{"columns": [...], "rows": [[...]]}`) or a list (an
/// object whose only field is an array of objects, such as `{"claims": [...]}`). A list's
/// columns are `id` first, then the other fields by name. `None` when it holds no table; for a
/// list that is empty, the list's name.
fn grid(answer: &Value) -> Result<Grid, Option<String>> {
    let Value::Object(fields) = answer else {
        return Err(None);
    };
    if let (Some(Value::Array(columns)), Some(Value::Array(rows))) =
        (fields.get("columns"), fields.get("rows"))
    {
        let columns = columns.iter().map(plain).collect();
        let rows = rows
            .iter()
            .map(|row| match row {
                Value::Array(cells) => cells.clone(),
                other => vec![other.clone()],
            })
            .collect();
        return Ok(Grid { columns, rows });
    }
    let mut lists = fields.iter().filter(|(_, value)| value.is_array());
    let (Some((name, Value::Array(items))), None, 1) = (lists.next(), lists.next(), fields.len())
    else {
        return Err(None);
    };
    let objects: Vec<&Map<String, Value>> = items.iter().filter_map(Value::as_object).collect();
    if objects.is_empty() || objects.len() != items.len() {
        return Err(items.is_empty().then(|| name.clone()));
    }
    let mut columns: Vec<String> = Vec::new();
    for object in &objects {
        for key in object.keys() {
            if !columns.contains(key) {
                columns.push(key.clone());
            }
        }
    }
    columns.sort_by_key(|column| {
        let rank = ["id", "name"].iter().position(|first| first == column);
        (rank.unwrap_or(2), column.clone())
    });
    let rows = objects
        .iter()
        .map(|object| {
            columns
                .iter()
                .map(|column| object.get(column).cloned().unwrap_or(Value::Null))
                .collect()
        })
        .collect();
    Ok(Grid { columns, rows })
}

/// A value as bare text: null empty, text itself, anything else its JSON.
fn plain(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// A value for people, by its field's name: cents as money, Unix ms as local time, a list as
/// its items (coded items by their code) joined with commas.
fn human(column: &str, value: &Value) -> String {
    match value {
        Value::Number(number) => match number.as_i64() {
            Some(cents) if column.ends_with("_cents") => plain(&money(cents)),
            Some(millis) if column.ends_with("_at") || column == "at" => local_time(millis),
            _ => number.to_string(),
        },
        Value::Array(items) => items
            .iter()
            .map(|item| match item.get("code") {
                Some(code) => plain(code),
                None => human(column, item),
            })
            .collect::<Vec<_>>()
            .join(", "),
        other => plain(other),
    }
}

/// Unix ms as local `YYYY-MM-DD HH:MM`; the number itself when no date has it.
fn local_time(millis: i64) -> String {
    match Local.timestamp_millis_opt(millis).single() {
        Some(time) => time.format("%Y-%m-%d %H:%M").to_string(),
        None => millis.to_string(),
    }
}

/// A header without the `_cents` unit its money column no longer shows.
fn header(column: &str) -> String {
    column.strip_suffix("_cents").unwrap_or(column).to_string()
}

/// Whether a cell reads as a number (then its column is right-aligned).
fn numeric(cell: &str) -> bool {
    !cell.is_empty()
        && cell.chars().any(|c| c.is_ascii_digit())
        && cell
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | '.' | '%'))
}

/// Rows of cells as aligned text: columns two spaces apart, numeric columns right-aligned,
/// no trailing spaces.
fn aligned(rows: &[Vec<String>], skip_header: bool) -> String {
    let count = rows.iter().map(Vec::len).max().unwrap_or(0);
    let width = |index: usize| {
        rows.iter()
            .filter_map(|row| row.get(index))
            .map(|cell| cell.chars().count())
            .max()
            .unwrap_or(0)
    };
    let right = |index: usize| {
        let mut cells = rows
            .iter()
            .skip(usize::from(skip_header))
            .filter_map(|row| row.get(index))
            .filter(|cell| !cell.is_empty())
            .peekable();
        cells.peek().is_some() && cells.all(|cell| numeric(cell))
    };
    let layout: Vec<(usize, bool)> = (0..count).map(|i| (width(i), right(i))).collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (index, cell) in row.iter().enumerate() {
            let (width, right) = layout.get(index).copied().unwrap_or((0, false));
            if index > 0 {
                line.push_str("  ");
            }
            if right {
                line.push_str(&format!("{cell:>width$}"));
            } else {
                line.push_str(&format!("{cell:<width$}"));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// An answer as `format` asks; an error when CSV is asked of an answer that holds no table.
pub fn render(answer: &Value, format: Format) -> Result<String, String> {
    match (format, grid(answer)) {
        (Format::Json, _) => serde_json::to_string_pretty(answer)
            .map(|text| text + "\n")
            .map_err(|err| err.to_string()),
        (Format::Csv, Ok(grid)) => csv_text(&grid.columns, &grid.rows).map_err(|e| e.to_string()),
        (Format::Csv, Err(Some(_))) => Ok(String::new()),
        (Format::Csv, Err(None)) => Err("this answer is not a table; use --json".to_string()),
        (Format::Table, Ok(grid)) => {
            let mut rows = vec![grid.columns.iter().map(|c| header(c)).collect()];
            rows.extend(grid.rows.iter().map(|row| {
                grid.columns
                    .iter()
                    .zip(row)
                    .map(|(column, value)| human(column, value))
                    .collect()
            }));
            Ok(aligned(&rows, true))
        }
        (Format::Table, Err(Some(name))) => Ok(format!("no {name}\n")),
        (Format::Table, Err(None)) => Ok(fields(answer)),
    }
}

/// An answer that is no table, as `field  value` lines (a scalar answer as itself).
fn fields(answer: &Value) -> String {
    let Value::Object(fields) = answer else {
        return format!("{}\n", plain(answer));
    };
    let rows: Vec<Vec<String>> = fields
        .iter()
        .map(|(key, value)| {
            let text = match value {
                Value::Object(_) => value.to_string(),
                _ => human(key, value),
            };
            vec![format!("{}:", header(key)), text]
        })
        .collect();
    aligned(&rows, false)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{Format, render};

    #[test]
    fn lists_become_aligned_tables_with_money() {
        let answer = json!({ "claims": [
            { "id": 7, "status": "accepted", "total_charge_cents": 12345, "payer_claim_number": null },
            { "id": 12, "status": "submitted", "total_charge_cents": -5, "payer_claim_number": "P1" },
        ]});
        let table = render(&answer, Format::Table).unwrap();
        assert_eq!(
            table,
            "id  payer_claim_number  status     total_charge\n\
             \x207                      accepted         123.45\n\
             12  P1                  submitted         -0.05\n"
        );
    }

    #[test]
    fn reports_keep_their_column_order_and_csv_quotes() {
        let answer =
            json!({ "name": "r", "columns": ["payer", "paid"], "rows": [["A, B", "1.00"]] });
        assert_eq!(
            render(&answer, Format::Csv).unwrap(),
            "payer,paid\r\n\"A, B\",1.00\r\n"
        );
        assert_eq!(
            render(&answer, Format::Table).unwrap(),
            "payer  paid\nA, B   1.00\n"
        );
    }

    #[test]
    fn answers_without_a_table() {
        assert_eq!(
            render(&json!({ "claims": [] }), Format::Table).unwrap(),
            "no claims\n"
        );
        assert_eq!(
            render(&json!({ "posted": true, "paid_cents": 900 }), Format::Table).unwrap(),
            "paid:    9.00\nposted:  true\n"
        );
        assert!(render(&json!({ "posted": true }), Format::Csv).is_err());
    }
}
