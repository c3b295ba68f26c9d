//! The search index of the resources kept as JSON: rewritten on every write of a resource, and
//! asked which current resources match search parameters (each query parameter becomes an SQL
//! condition on the current, non-deleted rows of `fhir_current`, alias `c`).

use std::collections::HashMap;

use crate::fhir::kinds::{Kind, stored_type};
use crate::fhir::outcome::FhirError;
use crate::fhir::params::{
    self, IndexEntry, IndexValue, ParamType, date_range, extract, normalize,
};
use crate::fhir::search::like_escape;
use crate::store::sql::{Placeholders, Sql};
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

/// The canonical resources chained parameters matched: by (query name, value, target type).
pub(crate) type Resolved = HashMap<(String, String, &'static str), Vec<String>>;

/// The SQL type numbers are compared as, on SQLite and PostgreSQL alike.
const REAL: &str = "DOUBLE PRECISION";

/// Parameters bound to a statement as it is written, in order.
pub(crate) struct Binds {
    style: Placeholders,
    values: Vec<Value>,
}

impl Binds {
    /// No parameters yet, numbered as `style` wants.
    pub(crate) fn new(style: Placeholders) -> Self {
        Binds {
            style,
            values: Vec::new(),
        }
    }

    /// Adds `value` and returns its placeholder.
    pub(crate) fn bind(&mut self, value: impl Into<Value>) -> String {
        self.values.push(value.into());
        self.style.list(self.values.len(), 1)
    }

    /// Adds a number (bound as text, compared as a real).
    fn number(&mut self, value: f64) -> String {
        format!("CAST({} AS {REAL})", self.bind(value.to_string().as_str()))
    }

    /// The values bound so far.
    pub(crate) fn values(&self) -> &[Value] {
        &self.values
    }

    /// The values bound, taken.
    pub(crate) fn into_values(self) -> Vec<Value> {
        self.values
    }
}

/// The condition `pairs` (query name, value) put on `c`, a row of `fhir_current` of
/// `resource_type`: each pair must hold (AND), each comma-separated value of a pair may (OR).
/// An unknown parameter, modifier or bad value is a 400 naming it.
/// A chained parameter through a canonical type is refused without `resolved` (the canonical
/// matches of each chain, as [`StoredSearch::run`] finds them).
pub(crate) fn conditions(
    resource_type: &str,
    pairs: &[(String, String)],
    resolved: Option<&Resolved>,
    binds: &mut Binds,
) -> Result<Vec<String>, FhirError> {
    pairs
        .iter()
        .map(|(name, value)| condition(resource_type, name, value, resolved, binds))
        .collect()
}

/// The rows of `fhir_current` (alias `c`) of `resource_type` that are not deleted.
pub(crate) fn current_rows(resource_type: &str, binds: &mut Binds) -> String {
    format!(
        "c.resource_type = {} AND c.deleted = 0",
        binds.bind(resource_type)
    )
}

pub(crate) fn condition(
    resource_type: &str,
    name: &str,
    value: &str,
    resolved: Option<&Resolved>,
    binds: &mut Binds,
) -> Result<String, FhirError> {
    if let Some((link, rest)) = name.split_once('.') {
        return chain(resource_type, name, (link, rest), value, resolved, binds);
    }
    let (code, modifier) = match name.split_once(':') {
        Some((code, modifier)) => (code, Some(modifier)),
        None => (name, None),
    };
    let bad = |why: String| FhirError::bad_request(format!("search parameter '{name}': {why}"));
    if modifier == Some("missing") {
        let missing = match value {
            "true" => true,
            "false" => false,
            other => {
                return Err(bad(format!(
                    "':missing' takes true or false, not '{other}'"
                )));
            }
        };
        let def = params::param(resource_type, code).ok_or_else(|| unknown(resource_type, name))?;
        let rows = index_rows(resource_type, def.kind, code, binds);
        let negate = if missing { "NOT " } else { "" };
        return Ok(format!("c.logical_id {negate}IN ({rows})"));
    }
    let values: Vec<&str> = value.split(',').collect();
    if values.iter().any(|v| v.is_empty()) {
        return Err(bad("empty value".to_string()));
    }
    let alternatives: Vec<String> = match code {
        "_id" => {
            no_modifier(modifier).map_err(bad)?;
            values
                .iter()
                .map(|id| format!("c.logical_id = {}", binds.bind(*id)))
                .collect()
        }
        "_lastUpdated" => {
            no_modifier(modifier).map_err(bad)?;
            values
                .iter()
                .map(|v| {
                    let (prefix, rest) = prefix_of(v);
                    let (low, high) = date_range(rest).map_err(&bad)?;
                    date_test("c.updated_at", "c.updated_at", prefix, low, high, binds)
                        .map_err(&bad)
                })
                .collect::<Result<_, _>>()?
        }
        _ => {
            let def =
                params::param(resource_type, code).ok_or_else(|| unknown(resource_type, name))?;
            let negate = def.kind == ParamType::Token && modifier == Some("not");
            // Bound in the order the statement reads: the rows' own tests, then the values'.
            let rows = index_rows(resource_type, def.kind, code, binds);
            let mut tests = Vec::new();
            for value in &values {
                tests.push(match_test(def.kind, modifier, value, binds).map_err(&bad)?);
            }
            let matching = format!("{rows} AND ({})", tests.join(" OR "));
            let negate = if negate { "NOT " } else { "" };
            return Ok(format!("c.logical_id {negate}IN ({matching})"));
        }
    };
    Ok(format!("({})", alternatives.join(" OR ")))
}

/// The reference parameter `link` (`subject` or `subject:Patient`) of `resource_type` and
/// the types it may point to, or 400.
pub(crate) fn chain_link(
    resource_type: &str,
    name: &str,
    link: &str,
) -> Result<(&'static params::ParamDef, Vec<String>), FhirError> {
    let (code, target) = match link.split_once(':') {
        Some((code, target)) => (code, Some(target)),
        None => (link, None),
    };
    let def = params::param(resource_type, code)
        .filter(|def| def.kind == ParamType::Reference)
        .ok_or_else(|| {
            FhirError::bad_request(format!(
                "search parameter '{name}': '{code}' is no reference parameter of {resource_type}"
            ))
        })?;
    let targets = match target {
        Some(target) if def.targets.iter().any(|t| t == target) => vec![target.to_string()],
        Some(target) => {
            return Err(FhirError::bad_request(format!(
                "search parameter '{name}': '{code}' does not refer to {target}"
            )));
        }
        None => def.targets.clone(),
    };
    Ok((def, targets))
}

/// `link.rest=value`: resources whose reference `link` points to a resource matching
/// `rest=value` (one level).
fn chain(
    resource_type: &str,
    name: &str,
    (link, rest): (&str, &str),
    value: &str,
    resolved: Option<&Resolved>,
    binds: &mut Binds,
) -> Result<String, FhirError> {
    let (def, targets) = chain_link(resource_type, name, link)?;
    let rows = index_rows(resource_type, def.kind, &def.code, binds);
    let mut alternatives = Vec::new();
    let mut applicable = false;
    for target in &targets {
        if let Some(stored) = stored_type(target) {
            if chained_param(stored, rest).is_none() {
                continue;
            }
            applicable = true;
            let kind = binds.bind(stored);
            let current = current_rows(stored, binds);
            let test = condition(stored, rest, value, None, binds)?;
            alternatives.push(format!(
                "(i.target_type = {kind} AND i.target_id IN \
                 (SELECT c.logical_id FROM fhir_current c WHERE {current} AND {test}))"
            ));
        } else if let Some(kind) = Kind::parse(target) {
            let Some(resolved) = resolved else {
                return Err(FhirError::bad_request(format!(
                    "search parameter '{name}': chains into {target} are not supported here"
                )));
            };
            let key = (name.to_string(), value.to_string(), kind.name());
            let Some(ids) = resolved.get(&key) else {
                continue;
            };
            applicable = true;
            if ids.is_empty() {
                continue;
            }
            let kind = binds.bind(kind.name());
            let ids: Vec<String> = ids.iter().map(|id| binds.bind(id.as_str())).collect();
            alternatives.push(format!(
                "(i.target_type = {kind} AND i.target_id IN ({}))",
                ids.join(", ")
            ));
        }
    }
    if !applicable {
        return Err(FhirError::bad_request(format!(
            "search parameter '{name}': no type '{link}' refers to has a parameter '{rest}'"
        )));
    }
    if alternatives.is_empty() {
        alternatives.push("1 = 0".to_string());
    }
    Ok(format!(
        "c.logical_id IN ({rows} AND ({}))",
        alternatives.join(" OR ")
    ))
}

/// The definition of the chained parameter `rest` (`name`, `name:exact`) on `target`.
fn chained_param(target: &str, rest: &str) -> Option<&'static params::ParamDef> {
    let code = rest.split(':').next()?;
    params::param(target, code)
}

/// 400 for a parameter the type does not have.
fn unknown(resource_type: &str, name: &str) -> FhirError {
    FhirError::bad_request(format!(
        "unknown search parameter '{name}' for {resource_type}"
    ))
}

fn no_modifier(modifier: Option<&str>) -> Result<(), String> {
    match modifier {
        None => Ok(()),
        Some(other) => Err(format!("modifier ':{other}' is not supported here")),
    }
}

/// The index table of a parameter type.
pub(crate) fn index_table(kind: ParamType) -> &'static str {
    match kind {
        ParamType::Token => "fhir_index_token",
        ParamType::String => "fhir_index_string",
        ParamType::Date => "fhir_index_date",
        ParamType::Reference => "fhir_index_reference",
        ParamType::Quantity | ParamType::Number => "fhir_index_quantity",
        ParamType::Uri => "fhir_index_uri",
    }
}

/// `SELECT logical_id FROM <table> i WHERE` the rows of parameter `code` of `resource_type`.
fn index_rows(resource_type: &str, kind: ParamType, code: &str, binds: &mut Binds) -> String {
    format!(
        "SELECT i.logical_id FROM {} i WHERE i.resource_type = {} AND i.param = {}",
        index_table(kind),
        binds.bind(resource_type),
        binds.bind(code)
    )
}

/// The test one value puts on an index row `i` of a parameter of type `kind`.
fn match_test(
    kind: ParamType,
    modifier: Option<&str>,
    value: &str,
    binds: &mut Binds,
) -> Result<String, String> {
    match kind {
        ParamType::Token => {
            if !matches!(modifier, None | Some("not")) {
                return Err(format!(
                    "modifier ':{}' is not supported",
                    modifier.unwrap_or("")
                ));
            }
            Ok(token_test(value, binds))
        }
        ParamType::String => {
            let text = like_escape(&normalize(value));
            let pattern = match modifier {
                None => format!("{text}%"),
                Some("contains") => format!("%{text}%"),
                Some("exact") => text,
                Some(other) => return Err(format!("modifier ':{other}' is not supported")),
            };
            Ok(format!(
                "i.value LIKE {} ESCAPE '\\'",
                binds.bind(pattern.as_str())
            ))
        }
        ParamType::Uri => match modifier {
            None => Ok(format!("i.value = {}", binds.bind(value))),
            Some("below") => Ok(format!(
                "i.value LIKE {} ESCAPE '\\'",
                binds.bind(format!("{}%", like_escape(value)).as_str())
            )),
            Some(other) => Err(format!("modifier ':{other}' is not supported")),
        },
        ParamType::Date => {
            no_modifier(modifier)?;
            let (prefix, rest) = prefix_of(value);
            let (low, high) = date_range(rest)?;
            date_test("i.low", "i.high", prefix, low, high, binds)
        }
        ParamType::Reference => reference_test(modifier, value, binds),
        ParamType::Quantity | ParamType::Number => {
            no_modifier(modifier)?;
            quantity_test(kind, value, binds)
        }
    }
}

/// `[system]|[code]`, `|code` (no system), `system|` (any code of the system), or `code`.
fn token_test(value: &str, binds: &mut Binds) -> String {
    match value.split_once('|') {
        None => format!("i.code = {}", binds.bind(value)),
        Some(("", code)) => format!("i.code = {} AND i.system IS NULL", binds.bind(code)),
        Some((system, "")) => format!("i.system = {}", binds.bind(system)),
        Some((system, code)) => format!(
            "i.code = {} AND i.system = {}",
            binds.bind(code),
            binds.bind(system)
        ),
    }
}

/// `Type/id`, `id` (with `:Type` or not), or an absolute URL.
fn reference_test(
    modifier: Option<&str>,
    value: &str,
    binds: &mut Binds,
) -> Result<String, String> {
    if let Some(target) = modifier {
        if !target.starts_with(|c: char| c.is_ascii_uppercase()) {
            return Err(format!("modifier ':{target}' is not supported"));
        }
        if value.contains('/') {
            return Err(format!("with ':{target}' give only the id, not '{value}'"));
        }
        return Ok(format!(
            "i.target_type = {} AND i.target_id = {}",
            binds.bind(target),
            binds.bind(value)
        ));
    }
    if value.contains(':') {
        return Ok(format!("i.url = {}", binds.bind(value)));
    }
    match params::reference_target(value) {
        Some((kind, id)) if value.contains('/') => Ok(format!(
            "i.target_id = {} AND i.target_type = {}",
            binds.bind(id),
            binds.bind(kind)
        )),
        _ if !value.contains('/') => Ok(format!("i.target_id = {}", binds.bind(value))),
        _ => Err(format!(
            "'{value}' is not Type/id, an id or an absolute URL"
        )),
    }
}

/// A comparison prefix (`eq`, `ne`, `gt`, `lt`, `ge`, `le`, `sa`, `eb`, `ap`) and the rest.
fn prefix_of(value: &str) -> (&str, &str) {
    const PREFIXES: &[&str] = &["eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap"];
    match value.get(..2) {
        Some(prefix) if PREFIXES.contains(&prefix) => (prefix, &value[2..]),
        _ => ("eq", value),
    }
}

/// How a stored range `[low_col, high_col]` compares with the searched range `[low, high]`.
fn date_test(
    low_col: &str,
    high_col: &str,
    prefix: &str,
    low: i64,
    high: i64,
    binds: &mut Binds,
) -> Result<String, String> {
    Ok(match prefix {
        "eq" => format!(
            "{low_col} >= {} AND {high_col} <= {}",
            binds.bind(low),
            binds.bind(high)
        ),
        "ne" => format!(
            "({low_col} < {} OR {high_col} > {})",
            binds.bind(low),
            binds.bind(high)
        ),
        "gt" => format!("{high_col} > {}", binds.bind(high)),
        "lt" => format!("{low_col} < {}", binds.bind(low)),
        "ge" => format!("{high_col} >= {}", binds.bind(low)),
        "le" => format!("{low_col} <= {}", binds.bind(high)),
        "sa" => format!("{low_col} > {}", binds.bind(high)),
        "eb" => format!("{high_col} < {}", binds.bind(low)),
        "ap" => {
            // Approximately: within a tenth of the searched span, and at least a day, of it.
            let margin = ((high - low) / 10).max(86_400_000);
            format!(
                "{low_col} <= {} AND {high_col} >= {}",
                binds.bind(high.saturating_add(margin)),
                binds.bind(low.saturating_sub(margin))
            )
        }
        other => return Err(format!("prefix '{other}' is not supported")),
    })
}

/// `[prefix]number[|system|code]` against `i.value` (and `i.system`, `i.code`).
fn quantity_test(kind: ParamType, value: &str, binds: &mut Binds) -> Result<String, String> {
    let (prefix, rest) = prefix_of(value);
    let mut parts = rest.splitn(3, '|');
    let number_text = parts.next().unwrap_or_default();
    let unit = (parts.next(), parts.next());
    if kind == ParamType::Number && unit.0.is_some() {
        return Err(format!("'{value}' is a number parameter: no unit"));
    }
    let number: f64 = number_text
        .parse()
        .map_err(|_| format!("'{number_text}' is not a number"))?;
    // The value matches to the precision it was written with: 5.4 covers [5.35, 5.45).
    let decimals = number_text
        .split_once('.')
        .map_or(0, |(_, fraction)| fraction.len()) as i32;
    let half = 0.5 * 10f64.powi(-decimals);
    let mut test = match prefix {
        "eq" => format!(
            "i.value >= {} AND i.value < {}",
            binds.number(number - half),
            binds.number(number + half)
        ),
        "ne" => format!(
            "(i.value < {} OR i.value >= {})",
            binds.number(number - half),
            binds.number(number + half)
        ),
        "gt" | "sa" => format!("i.value > {}", binds.number(number)),
        "lt" | "eb" => format!("i.value < {}", binds.number(number)),
        "ge" => format!("i.value >= {}", binds.number(number)),
        "le" => format!("i.value <= {}", binds.number(number)),
        "ap" => {
            let margin = (number * 0.1).abs();
            format!(
                "i.value >= {} AND i.value <= {}",
                binds.number(number - margin),
                binds.number(number + margin)
            )
        }
        other => return Err(format!("prefix '{other}' is not supported")),
    };
    match unit {
        (None, _) | (Some(""), None | Some("")) => {}
        (Some(system), None) => test += &format!(" AND i.code = {}", binds.bind(system)),
        (Some(""), Some(code)) => test += &format!(" AND i.code = {}", binds.bind(code)),
        (Some(system), Some("")) => test += &format!(" AND i.system = {}", binds.bind(system)),
        (Some(system), Some(code)) => {
            test += &format!(
                " AND i.code = {} AND i.system = {}",
                binds.bind(code),
                binds.bind(system)
            )
        }
    }
    Ok(format!("({test})"))
}

/// The current, non-deleted resources of `source` whose reference parameter `param` points to
/// one of `ids` of `target_type`: (logical id, resource), in id order.
pub async fn revinclude(
    conn: &mut dyn Sql,
    source: &str,
    param: &str,
    target_type: &str,
    ids: &[String],
) -> Result<Vec<(String, serde_json::Value)>, FhirError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut binds = Binds::new(conn.placeholders());
    let current = current_rows(source, &mut binds);
    let (kind, code, target) = (
        binds.bind(source),
        binds.bind(param),
        binds.bind(target_type),
    );
    let id_list: Vec<String> = ids.iter().map(|id| binds.bind(id.as_str())).collect();
    let sql = format!(
        "SELECT c.logical_id, c.raw FROM fhir_current c WHERE {current} AND c.logical_id IN \
         (SELECT i.logical_id FROM fhir_index_reference i WHERE i.resource_type = {kind} \
         AND i.param = {code} AND i.target_type = {target} AND i.target_id IN ({})) \
         ORDER BY c.logical_id",
        id_list.join(", ")
    );
    let mut found = Vec::new();
    for row in conn.rows(&sql, binds.values()).await? {
        let id = row.text("logical_id")?;
        let resource = parse_raw(source, &id, &row.text("raw")?)?;
        found.push((id, resource));
    }
    Ok(found)
}

/// The current version of `resource_type`/`id`, unless deleted.
pub(crate) async fn current(
    conn: &mut dyn Sql,
    resource_type: &str,
    id: &str,
) -> Result<Option<serde_json::Value>, FhirError> {
    let mut binds = Binds::new(conn.placeholders());
    let current = current_rows(resource_type, &mut binds);
    let sql = format!(
        "SELECT c.raw FROM fhir_current c WHERE {current} AND c.logical_id = {}",
        binds.bind(id)
    );
    match conn.rows(&sql, binds.values()).await?.first() {
        Some(row) => Ok(Some(parse_raw(resource_type, id, &row.text("raw")?)?)),
        None => Ok(None),
    }
}

/// A stored resource's JSON (a 500 if the store holds something else).
pub(crate) fn parse_raw(
    resource_type: &str,
    id: &str,
    raw: &str,
) -> Result<serde_json::Value, FhirError> {
    serde_json::from_str(raw).map_err(|err| {
        FhirError::internal(format!("stored {resource_type}/{id} is not JSON: {err}"))
    })
}
