//! Search: the query string checked against the type's parameters, turned into SQL over the
//! type's search source, with a total and offset paging.

use sqlx::{AssertSqlSafe, Row};

use super::kinds::{Filter, Kind, stored_type};
use super::outcome::FhirError;
use super::params::{self, ParamType};
use super::resources::parse_reference;
use crate::store::Store;
use crate::store::upsert::{Value, bind_all};

/// Results per page unless `_count` says otherwise.
pub const DEFAULT_COUNT: i64 = 20;
/// Most results per page.
pub const MAX_COUNT: i64 = 200;
/// Most results a search may skip: far beyond any store, and far from overflowing a link.
pub const MAX_OFFSET: i64 = 1_000_000_000;

/// A checked search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    /// The type searched.
    pub kind: Kind,
    /// Parameter name and value, in the order given (all must match).
    pub criteria: Vec<(&'static str, String)>,
    /// Page size.
    pub count: i64,
    /// Results skipped.
    pub offset: i64,
    /// `_include` names of this type (e.g. `patient` for `Encounter:patient`).
    pub includes: Vec<&'static str>,
    /// `_revinclude`s of resources kept as JSON: their type and reference parameter (e.g.
    /// `Observation` and `patient` for `Observation:patient`).
    pub revincludes: Vec<(&'static str, String)>,
}

impl Search {
    /// Checks a query string for `kind`; unknown parameters are refused (400), so a search
    /// never silently matches more than asked.
    pub fn parse(kind: Kind, pairs: &[(String, String)]) -> Result<Search, FhirError> {
        let mut search = Search {
            kind,
            criteria: Vec::new(),
            count: DEFAULT_COUNT,
            offset: 0,
            includes: Vec::new(),
            revincludes: Vec::new(),
        };
        for (name, value) in pairs {
            match name.as_str() {
                "_count" => search.count = number(name, value, i64::MAX)?.clamp(0, MAX_COUNT),
                "_offset" => search.offset = number(name, value, MAX_OFFSET)?,
                "_include" => {
                    let include = value
                        .strip_prefix(kind.name())
                        .and_then(|rest| rest.strip_prefix(':'))
                        .map(|rest| rest.split(':').next().unwrap_or(rest))
                        .and_then(|name| kind.includes().iter().find(|i| i.name == name))
                        .ok_or_else(|| {
                            FhirError::bad_request(format!(
                                "_include '{value}' is not supported for {}",
                                kind.name()
                            ))
                        })?;
                    search.includes.push(include.name);
                }
                "_revinclude" => search.revincludes.push(revinclude_of(value)?),
                "_format" if value.contains("json") => {}
                _ => {
                    let param = kind
                        .search_params()
                        .iter()
                        .find(|p| p.name == name)
                        .ok_or_else(|| {
                            FhirError::bad_request(format!(
                                "search parameter '{name}' is not supported for {}",
                                kind.name()
                            ))
                        })?;
                    if value.is_empty() {
                        return Err(FhirError::bad_request(format!(
                            "search parameter '{name}' has no value"
                        )));
                    }
                    if let Filter::Date(_) | Filter::Millis(_) = param.filter {
                        let full_day = matches!(param.filter, Filter::Millis(_));
                        date_criterion(value, full_day).map_err(|reason| {
                            FhirError::bad_request(format!(
                                "search parameter '{name}': '{value}' {reason}"
                            ))
                        })?;
                    }
                    search.criteria.push((param.name, value.clone()));
                }
            }
        }
        Ok(search)
    }

    /// The query string of this search at `offset`, for paging links.
    pub fn query_string(&self, offset: i64) -> String {
        let mut pairs: Vec<(String, String)> = self
            .criteria
            .iter()
            .map(|(name, value)| (name.to_string(), value.clone()))
            .collect();
        pairs.extend(
            self.includes
                .iter()
                .map(|i| ("_include".to_string(), format!("{}:{i}", self.kind.name()))),
        );
        pairs.extend(
            self.revincludes
                .iter()
                .map(|(source, param)| ("_revinclude".to_string(), format!("{source}:{param}"))),
        );
        pairs.push(("_count".into(), self.count.to_string()));
        pairs.push(("_offset".into(), offset.to_string()));
        pairs
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// Runs the search: the total number of matches and the logical ids of this page.
    pub async fn run(&self, store: &Store) -> Result<(i64, Vec<String>), FhirError> {
        let mut conditions = Vec::new();
        let mut values = Vec::new();
        for (name, value) in &self.criteria {
            let Some(param) = self.kind.search_params().iter().find(|p| p.name == *name) else {
                continue;
            };
            conditions.push(condition(param.filter, value, &mut values)?);
        }
        let filter = if conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conditions.join(" AND "))
        };
        let source = self.kind.search_source();
        let count_sql = format!("SELECT COUNT(*) AS total FROM ({source}) r{filter}");
        let total: i64 = bind_all(sqlx::query(AssertSqlSafe(count_sql)), &values)
            .fetch_one(store.pool())
            .await?
            .try_get("total")?;
        let mut page_values = values.clone();
        page_values.push(Value::Int(Some(self.count)));
        page_values.push(Value::Int(Some(self.offset)));
        let page_sql = format!(
            "SELECT key FROM ({source}) r{filter} ORDER BY sort LIMIT ${} OFFSET ${}",
            values.len() + 1,
            values.len() + 2
        );
        let keys = bind_all(sqlx::query(AssertSqlSafe(page_sql)), &page_values)
            .fetch_all(store.pool())
            .await?
            .iter()
            .map(|row| row.try_get::<String, _>("key"))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((total, keys))
    }
}

/// A `_revinclude` (`Type:param`) of a type kept as JSON with that reference parameter, or 400.
pub(crate) fn revinclude_of(value: &str) -> Result<(&'static str, String), FhirError> {
    value
        .split_once(':')
        .and_then(|(source, param)| {
            let source = stored_type(source)?;
            let param = param.split(':').next()?;
            let def = params::param(source, param)?;
            (def.kind == ParamType::Reference).then(|| (source, param.to_string()))
        })
        .ok_or_else(|| {
            FhirError::bad_request(format!(
                "_revinclude '{value}' is not Type:parameter of a reference parameter"
            ))
        })
}

/// A whole number from 0 to `max`, or 400 naming the parameter.
/// The non-negative integer `value` of the parameter `name`, at most `max`; 400 otherwise.
pub(crate) fn number(name: &str, value: &str, max: i64) -> Result<i64, FhirError> {
    value
        .parse::<i64>()
        .ok()
        .filter(|n| (0..=max).contains(n))
        .ok_or_else(|| {
            FhirError::bad_request(if max == i64::MAX {
                format!("search parameter '{name}' must be a non-negative integer")
            } else {
                format!("search parameter '{name}' must be an integer from 0 to {max}")
            })
        })
}

/// Percent-encodes a query string component.
pub(crate) fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b':' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// The SQL condition of one criterion over the source row `r`, binding its values.
fn condition(filter: Filter, value: &str, values: &mut Vec<Value>) -> Result<String, FhirError> {
    let mut bind = |value: Value| {
        values.push(value);
        format!("${}", values.len())
    };
    Ok(match filter {
        Filter::Prefix(column) => {
            let p = bind(Value::Text(Some(format!(
                "{}%",
                like_escape(&value.to_lowercase())
            ))));
            format!("LOWER(r.{column}) LIKE {p} ESCAPE '\\'")
        }
        Filter::Contains(column) => {
            let p = bind(Value::Text(Some(format!(
                "%{}%",
                like_escape(&value.to_lowercase())
            ))));
            format!("LOWER(r.{column}) LIKE {p} ESCAPE '\\'")
        }
        Filter::Exact(column) => format!("r.{column} = {}", bind(Value::from(value))),
        Filter::Token {
            system,
            value: column,
        } => match value.split_once('|') {
            Some((s, v)) => {
                let v = bind(Value::from(v));
                let s = bind(Value::from(s));
                format!("r.{column} = {v} AND r.{system} = {s}")
            }
            None => format!("r.{column} = {}", bind(Value::from(value))),
        },
        Filter::PatientIdentifier => match value.split_once('|') {
            Some((s, v)) => {
                let v = bind(Value::from(v));
                let s = bind(Value::from(s));
                format!(
                    "r.sort IN (SELECT patient_id FROM patient_identifiers WHERE value = {v} AND system = {s})"
                )
            }
            None => format!(
                "r.sort IN (SELECT patient_id FROM patient_identifiers WHERE value = {})",
                bind(Value::from(value))
            ),
        },
        Filter::Date(column) => {
            let (op, date) = date_criterion(value, false).map_err(FhirError::bad_request)?;
            let p = bind(Value::from(date));
            let len = date.len();
            match op {
                "eq" => format!("SUBSTR(r.{column}, 1, {len}) = {p}"),
                _ => format!("SUBSTR(r.{column}, 1, {len}) {} {p}", sql_operator(op)),
            }
        }
        Filter::Millis(column) => {
            let (op, date) = date_criterion(value, true).map_err(FhirError::bad_request)?;
            let day = time::Date::parse(
                date,
                time::macros::format_description!("[year]-[month]-[day]"),
            )
            .map_err(|_| FhirError::bad_request(format!("'{value}': not a date")))?;
            let start = day.midnight().assume_utc().unix_timestamp() * 1000;
            let end = start + 86_400_000;
            match op {
                "eq" => {
                    let a = bind(Value::Int(Some(start)));
                    let b = bind(Value::Int(Some(end)));
                    format!("r.{column} >= {a} AND r.{column} < {b}")
                }
                "ge" => format!("r.{column} >= {}", bind(Value::Int(Some(start)))),
                "gt" => format!("r.{column} >= {}", bind(Value::Int(Some(end)))),
                "le" => format!("r.{column} < {}", bind(Value::Int(Some(end)))),
                _ => format!("r.{column} < {}", bind(Value::Int(Some(start)))),
            }
        }
        Filter::Reference { column, target } => {
            let reference = if value.contains('/') {
                value.to_string()
            } else {
                format!("{}/{value}", target.name())
            };
            // A reference to nothing of this type matches nothing (ids are positive).
            let id = parse_reference(&reference, target)
                .filter(|t| target != Kind::Organization || t.table == "payers")
                .map_or(-1, |t| t.id);
            format!("r.{column} = {}", bind(Value::Int(Some(id))))
        }
    })
}

/// A date criterion's prefix and date, or why it is not one: the date must be a real
/// calendar date (year 0001-9999) written `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (only the last
/// when `full_day`).
fn date_criterion(value: &str, full_day: bool) -> Result<(&'static str, &str), String> {
    let (op, date) = ["eq", "ge", "gt", "le", "lt"]
        .into_iter()
        .find_map(|op| value.strip_prefix(op).map(|rest| (op, rest)))
        .unwrap_or(("eq", value));
    let shape_ok = matches!(date.len(), 4 | 7 | 10)
        && date.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        return Err("is not [eq|ge|gt|le|lt]YYYY[-MM[-DD]]".to_string());
    }
    if full_day && date.len() != 10 {
        return Err("is not a full date: expected [eq|ge|gt|le|lt]YYYY-MM-DD".to_string());
    }
    let part = |range: std::ops::Range<usize>| date.get(range).and_then(|p| p.parse::<u8>().ok());
    let year: i32 = date[..4].parse().unwrap_or(0);
    let month = part(5..7).unwrap_or(1);
    let day = part(8..10).unwrap_or(1);
    let real = year >= 1
        && time::Month::try_from(month)
            .ok()
            .and_then(|month| time::Date::from_calendar_date(year, month, day).ok())
            .is_some();
    if !real {
        return Err(format!("is not a calendar date ({date})"));
    }
    Ok((op, date))
}

fn sql_operator(op: &str) -> &'static str {
    match op {
        "ge" => ">=",
        "gt" => ">",
        "le" => "<=",
        _ => "<",
    }
}

/// `text` with the LIKE wildcards (`%`, `_`) and the escape (`\`) escaped.
pub(crate) fn like_escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn unknown_parameters_and_includes_are_refused() {
        assert!(Search::parse(Kind::Patient, &pairs(&[("colour", "red")])).is_err());
        assert!(Search::parse(Kind::Patient, &pairs(&[("_include", "Patient:x")])).is_err());
        assert!(Search::parse(Kind::Patient, &pairs(&[("_count", "-1")])).is_err());
        let search = Search::parse(
            Kind::Encounter,
            &pairs(&[
                ("patient", "7"),
                ("_include", "Encounter:patient"),
                ("_count", "5"),
            ]),
        )
        .unwrap();
        assert_eq!(search.criteria, vec![("patient", "7".to_string())]);
        assert_eq!(search.includes, vec!["patient"]);
        assert_eq!(
            search.query_string(5),
            "patient=7&_include=Encounter:patient&_count=5&_offset=5"
        );
    }

    #[test]
    fn dates_take_a_prefix_and_partial_dates() {
        assert_eq!(
            date_criterion("ge2024-01", false).unwrap(),
            ("ge", "2024-01")
        );
        assert_eq!(
            date_criterion("2024-01-02", false).unwrap(),
            ("eq", "2024-01-02")
        );
        assert_eq!(
            date_criterion("le2024-02-29", true).unwrap().1,
            "2024-02-29"
        );
        assert!(date_criterion("2024-01", true).is_err());
        assert!(date_criterion("2024-1-2", false).is_err());
        assert!(date_criterion("ge", false).is_err());
    }

    #[test]
    fn impossible_dates_and_offsets_are_refused_naming_the_parameter() {
        for date in [
            "ge9999-99-99",
            "2023-02-29",
            "2024-13",
            "0000",
            "lt2024-04-31",
        ] {
            let err = Search::parse(Kind::Patient, &pairs(&[("birthdate", date)])).unwrap_err();
            assert_eq!(err.status, axum::http::StatusCode::BAD_REQUEST, "{date}");
            assert!(err.issues[0].diagnostics.contains("'birthdate'"), "{err}");
        }
        assert!(Search::parse(Kind::Patient, &pairs(&[("birthdate", "9999-12-31")])).is_ok());
        let err = Search::parse(Kind::Patient, &pairs(&[("_offset", "9223372036854775807")]))
            .unwrap_err();
        assert!(err.issues[0].diagnostics.contains("'_offset'"), "{err}");
        let search = Search::parse(
            Kind::Patient,
            &pairs(&[("_offset", &MAX_OFFSET.to_string())]),
        )
        .unwrap();
        assert_eq!(search.offset, MAX_OFFSET);
    }
}
