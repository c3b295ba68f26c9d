//! Search over the resource types kept as JSON (`fhir_current` and its index tables): each
//! query parameter becomes an SQL condition on the current, non-deleted resources.

use crate::fhir::outcome::FhirError;
use crate::fhir::params::{self, ParamType, date_range, normalize};
use crate::store::sql::Placeholders;
use crate::store::upsert::Value;

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
}

/// The condition `pairs` (query name, value) put on `c`, a row of `fhir_current` of
/// `resource_type`: each pair must hold (AND), each comma-separated value of a pair may (OR).
/// An unknown parameter, modifier or bad value is a 400 naming it.
pub(crate) fn conditions(
    resource_type: &str,
    pairs: &[(String, String)],
    binds: &mut Binds,
) -> Result<Vec<String>, FhirError> {
    pairs
        .iter()
        .map(|(name, value)| condition(resource_type, name, value, binds))
        .collect()
}

/// The rows of `fhir_current` (alias `c`) of `resource_type` that are not deleted.
pub(crate) fn current_rows(resource_type: &str, binds: &mut Binds) -> String {
    format!(
        "c.resource_type = {} AND c.deleted = 0",
        binds.bind(resource_type)
    )
}

fn condition(
    resource_type: &str,
    name: &str,
    value: &str,
    binds: &mut Binds,
) -> Result<String, FhirError> {
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

/// `text` with the LIKE wildcards (`%`, `_`) and the escape (`\`) escaped.
fn like_escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
