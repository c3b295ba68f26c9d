//! Search over the resource types kept as JSON (`fhir_current` and its index tables): each
//! query parameter becomes an SQL condition on the current, non-deleted resources; chains reach
//! other stored types through the reference index and canonical types through their own
//! search; `_include`, `_revinclude`, `_sort`, `_elements` and `_summary=count` shape the
//! searchset Bundle.

use std::collections::{HashMap, HashSet};

use serde_json::json;

use crate::config::engine::BillingConfig;
use crate::fhir::bundle::{Page, entry, searchset_page};
use crate::fhir::kinds::{Kind, stored_type};
use crate::fhir::outcome::FhirError;
use crate::fhir::params::{self, ParamType, date_range, normalize};
use crate::fhir::search::{
    DEFAULT_COUNT, MAX_COUNT, MAX_OFFSET, Search, encode, like_escape, number, revinclude_of,
};
use crate::fhir::service::read_resource;
use crate::store::Store;
use crate::store::sql::{Placeholders, Sql};
use crate::store::upsert::Value;

/// Most canonical resources a chained parameter may match (`patient.name=...`).
const CHAIN_LIMIT: i64 = 1000;

/// The tag `_elements` puts on the resources it cuts down.
const SUBSETTED: &str = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue";

/// The canonical resources chained parameters matched: by (query name, value, target type).
type Resolved = HashMap<(String, String, &'static str), Vec<String>>;

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

fn condition(
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
fn chain_link(
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

/// A checked search of a type kept as JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSearch {
    /// The type searched.
    pub resource_type: &'static str,
    /// The filtering parameters (name, value), in the order given: all must match.
    filters: Vec<(String, String)>,
    /// `_sort` keys: `_id`, `_lastUpdated` or a parameter code, and whether descending.
    sort: Vec<(String, bool)>,
    /// Page size.
    count: i64,
    /// Results skipped.
    offset: i64,
    /// `_summary=count`: the total only.
    summary_count: bool,
    /// `_elements`: the top-level elements kept.
    elements: Option<Vec<String>>,
    /// `_include`s: reference parameter codes and, when given, the target type.
    includes: Vec<(String, Option<String>)>,
    /// `_revinclude`s: source type and reference parameter.
    revincludes: Vec<(&'static str, String)>,
    /// The parameters that shape results, as given, for paging links.
    shaping: Vec<(String, String)>,
}

impl StoredSearch {
    /// Checks a query string for `resource_type` (a type [`stored_type`] names); unknown
    /// parameters and bad values are refused (400) naming them.
    pub fn parse(
        resource_type: &'static str,
        pairs: &[(String, String)],
    ) -> Result<StoredSearch, FhirError> {
        let mut search = StoredSearch {
            resource_type,
            filters: Vec::new(),
            sort: Vec::new(),
            count: DEFAULT_COUNT,
            offset: 0,
            summary_count: false,
            elements: None,
            includes: Vec::new(),
            revincludes: Vec::new(),
            shaping: Vec::new(),
        };
        for (name, value) in pairs {
            let bad = |why: &str| {
                FhirError::bad_request(format!("search parameter '{name}': '{value}' {why}"))
            };
            match name.as_str() {
                "_count" => {
                    search.count = number(name, value, i64::MAX)?.clamp(0, MAX_COUNT);
                    continue;
                }
                "_offset" => {
                    search.offset = number(name, value, MAX_OFFSET)?;
                    continue;
                }
                "_sort" => {
                    for key in value.split(',') {
                        let (code, descending) = match key.strip_prefix('-') {
                            Some(code) => (code, true),
                            None => (key, false),
                        };
                        let known = matches!(code, "_id" | "_lastUpdated")
                            || params::param(resource_type, code).is_some();
                        if !known {
                            return Err(bad("names no search parameter to sort by"));
                        }
                        search.sort.push((code.to_string(), descending));
                    }
                }
                "_summary" => match value.as_str() {
                    "count" => search.summary_count = true,
                    "false" => {}
                    _ => return Err(bad("is not supported (count or false)")),
                },
                "_elements" => {
                    let names: Vec<String> = value.split(',').map(str::to_string).collect();
                    if names.iter().any(|n| n.is_empty() || n.contains('.')) {
                        return Err(bad("is not a list of top-level element names"));
                    }
                    search.elements = Some(names);
                }
                "_include" => search.includes.push(include_of(resource_type, value)?),
                "_revinclude" => search.revincludes.push(revinclude_of(value)?),
                "_total" => {}
                "_format" if value.contains("json") => {}
                _ => {
                    search.filters.push((name.clone(), value.clone()));
                    continue;
                }
            }
            search.shaping.push((name.clone(), value.clone()));
        }
        // Every filter is checked now, so a bad one is refused before anything runs (chains
        // into canonical types are checked when they run).
        let mut binds = Binds::new(Placeholders::Numbered);
        for (name, value) in &search.filters {
            if !name.contains('.') {
                condition(resource_type, name, value, None, &mut binds)?;
            }
        }
        Ok(search)
    }

    /// The query string of this search at `offset`, for paging links.
    fn query_string(&self, offset: i64) -> String {
        self.filters
            .iter()
            .chain(&self.shaping)
            .map(|(name, value)| (name.clone(), value.clone()))
            .chain([
                ("_count".to_string(), self.count.to_string()),
                ("_offset".to_string(), offset.to_string()),
            ])
            .map(|(name, value)| format!("{}={}", encode(&name), encode(&value)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// Runs the search: the searchset Bundle, its links under `base`.
    pub async fn run(
        &self,
        store: &Store,
        billing: Option<&BillingConfig>,
        base: &str,
    ) -> Result<serde_json::Value, FhirError> {
        let resolved = self.resolve_chains(store).await?;
        let mut conn = store.pool().acquire().await?;
        let statements = self.statements(conn.placeholders(), &resolved)?;
        let total = conn
            .rows(
                &statements.count,
                &statements.values[..statements.count_values],
            )
            .await?
            .first()
            .map(|row| row.int("total"))
            .transpose()?
            .unwrap_or(0);
        let mut page = Page {
            total,
            offset: self.offset,
            count: self.count,
        };
        let mut entries = Vec::new();
        if self.summary_count {
            page.count = 0;
        } else {
            let rows = conn.rows(&statements.page, &statements.values).await?;
            let mut ids = Vec::new();
            let mut seen = HashSet::new();
            for row in rows {
                let id = row.text("logical_id")?;
                let mut resource = parse_raw(self.resource_type, &id, &row.text("raw")?)?;
                if let Some(elements) = &self.elements {
                    resource = subset(resource, elements);
                }
                entries.push(entry(base, self.resource_type, &id, &resource, "match"));
                seen.insert(format!("{}/{id}", self.resource_type));
                ids.push(id);
            }
            let mut found = self.included(&mut *conn, store, billing, &ids).await?;
            for (source, param) in &self.revincludes {
                let resources =
                    revinclude(&mut *conn, source, param, self.resource_type, &ids).await?;
                found.extend(
                    resources
                        .into_iter()
                        .map(|(id, r)| (source.to_string(), id, r)),
                );
            }
            for (kind, id, resource) in found {
                if seen.insert(format!("{kind}/{id}")) {
                    entries.push(entry(base, &kind, &id, &resource, "include"));
                }
            }
        }
        Ok(searchset_page(
            base,
            self.resource_type,
            page,
            &|offset| self.query_string(offset),
            entries,
        ))
    }

    /// The count and page statements of this search, `resolved` giving the canonical matches of
    /// its chains.
    fn statements(
        &self,
        style: Placeholders,
        resolved: &Resolved,
    ) -> Result<Statements, FhirError> {
        let mut binds = Binds::new(style);
        let mut tests = vec![current_rows(self.resource_type, &mut binds)];
        tests.extend(conditions(
            self.resource_type,
            &self.filters,
            Some(resolved),
            &mut binds,
        )?);
        let filter = tests.join(" AND ");
        let count = format!("SELECT COUNT(*) AS total FROM fhir_current c WHERE {filter}");
        let count_values = binds.values().len();
        let order = self.order_by(&mut binds);
        let page = format!(
            "SELECT c.logical_id, c.raw FROM fhir_current c WHERE {filter} ORDER BY {order} \
             LIMIT {} OFFSET {}",
            binds.bind(self.count),
            binds.bind(self.offset)
        );
        Ok(Statements {
            count,
            page,
            values: binds.values,
            count_values,
        })
    }

    /// Runs the canonical searches the chained filters need.
    async fn resolve_chains(&self, store: &Store) -> Result<Resolved, FhirError> {
        let mut resolved = Resolved::new();
        for (name, value) in &self.filters {
            let Some((link, rest)) = name.split_once('.') else {
                continue;
            };
            let (_, targets) = chain_link(self.resource_type, name, link)?;
            let explicit = link.contains(':');
            for target in targets {
                let Some(kind) = Kind::parse(&target) else {
                    continue;
                };
                let mut search = match Search::parse(kind, &[(rest.to_string(), value.clone())]) {
                    Ok(search) => search,
                    Err(err) if explicit => return Err(err),
                    Err(_) => continue,
                };
                search.count = CHAIN_LIMIT;
                let (total, keys) = search.run(store).await?;
                if total > CHAIN_LIMIT {
                    return Err(FhirError::bad_request(format!(
                        "search parameter '{name}' matches {total} {}s, more than {CHAIN_LIMIT}: narrow it",
                        kind.name()
                    )));
                }
                resolved.insert((name.clone(), value.clone(), kind.name()), keys);
            }
        }
        Ok(resolved)
    }

    /// `ORDER BY` of the `_sort` keys, then the logical id (missing values last).
    fn order_by(&self, binds: &mut Binds) -> String {
        let mut keys = Vec::new();
        for (code, descending) in &self.sort {
            let direction = if *descending { "DESC" } else { "ASC" };
            let expression = match code.as_str() {
                "_id" => "c.logical_id".to_string(),
                "_lastUpdated" => "c.updated_at".to_string(),
                _ => {
                    let Some(def) = params::param(self.resource_type, code) else {
                        continue;
                    };
                    let pick = if *descending { "MAX" } else { "MIN" };
                    let column = match def.kind {
                        ParamType::Token => "i.code",
                        ParamType::Date if *descending => "i.high",
                        ParamType::Date => "i.low",
                        ParamType::Reference => "i.target_id",
                        _ => "i.value",
                    };
                    // Twice: once for where missing values go, once for the order. The
                    // parameter is picked inside the aggregate so that the only index the
                    // rows can be found by is the resource's own, whatever the statistics.
                    let mut sub = || {
                        format!(
                            "(SELECT {pick}(CASE WHEN i.param = {} THEN {column} END) FROM {} i \
                             WHERE i.resource_type = c.resource_type AND i.logical_id = c.logical_id)",
                            binds.bind(code.as_str()),
                            index_table(def.kind)
                        )
                    };
                    let first = sub();
                    let second = sub();
                    keys.push(format!("CASE WHEN {first} IS NULL THEN 1 ELSE 0 END"));
                    keys.push(format!("{second} {direction}"));
                    continue;
                }
            };
            keys.push(format!("{expression} {direction}"));
        }
        keys.push("c.logical_id".to_string());
        keys.join(", ")
    }

    /// The resources the page's `_include`s name: (type, id, resource).
    async fn included(
        &self,
        conn: &mut dyn Sql,
        store: &Store,
        billing: Option<&BillingConfig>,
        ids: &[String],
    ) -> Result<Vec<(String, String, serde_json::Value)>, FhirError> {
        if self.includes.is_empty() || ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut binds = Binds::new(conn.placeholders());
        let kind = binds.bind(self.resource_type);
        let every = self.includes.iter().any(|(code, _)| code == "*");
        let codes: Vec<String> = params::params(self.resource_type)
            .into_iter()
            .filter(|def| def.kind == ParamType::Reference)
            .filter(|def| every || self.includes.iter().any(|(code, _)| *code == def.code))
            .map(|def| binds.bind(def.code.as_str()))
            .collect();
        let id_list: Vec<String> = ids.iter().map(|id| binds.bind(id.as_str())).collect();
        let sql = format!(
            "SELECT DISTINCT i.param, i.target_type, i.target_id FROM fhir_index_reference i \
             WHERE i.resource_type = {kind} AND i.param IN ({}) AND i.logical_id IN ({}) \
             AND i.target_id IS NOT NULL ORDER BY i.target_type, i.target_id",
            codes.join(", "),
            id_list.join(", ")
        );
        let mut found = Vec::new();
        for row in conn.rows(&sql, binds.values()).await? {
            let (param, target, id) = (
                row.text("param")?,
                row.text("target_type")?,
                row.text("target_id")?,
            );
            let wanted = self.includes.iter().any(|(code, only)| {
                (code == "*" || *code == param) && only.as_ref().is_none_or(|only| *only == target)
            });
            if !wanted || found.iter().any(|(t, i, _)| *t == target && *i == id) {
                continue;
            }
            let resource = if let Some(stored) = stored_type(&target) {
                current(conn, stored, &id).await?
            } else if let Some(kind) = Kind::parse(&target) {
                read_resource(store, billing, kind, &id)
                    .await?
                    .map(|served| served.resource)
            } else {
                None
            };
            if let Some(resource) = resource {
                found.push((target, id, resource));
            }
        }
        Ok(found)
    }
}

/// The statements a search runs: the count, then the page, over one list of values.
struct Statements {
    /// `SELECT COUNT(*) AS total ...`, binding the first `count_values` values.
    count: String,
    /// `SELECT c.logical_id, c.raw ...` of the page, binding all the values.
    page: String,
    /// The values bound.
    values: Vec<Value>,
    /// How many of `values` the count binds.
    count_values: usize,
}

/// `Type:param[:target]` of `resource_type`'s reference parameters, `*` or `Type:*` for all.
fn include_of(resource_type: &str, value: &str) -> Result<(String, Option<String>), FhirError> {
    let bad = || {
        FhirError::bad_request(format!(
            "_include '{value}' is not {resource_type}:parameter[:Type] of a reference parameter"
        ))
    };
    if value == "*" || value == format!("{resource_type}:*") {
        return Ok(("*".to_string(), None));
    }
    let mut parts = value.split(':');
    let (Some(source), Some(code), target) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    let def = params::param(resource_type, code)
        .filter(|def| source == resource_type && def.kind == ParamType::Reference)
        .ok_or_else(bad)?;
    if let Some(target) = target
        && !def.targets.iter().any(|t| t == target)
    {
        return Err(bad());
    }
    Ok((code.to_string(), target.map(str::to_string)))
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
async fn current(
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
fn parse_raw(resource_type: &str, id: &str, raw: &str) -> Result<serde_json::Value, FhirError> {
    serde_json::from_str(raw).map_err(|err| {
        FhirError::internal(format!("stored {resource_type}/{id} is not JSON: {err}"))
    })
}

/// `resource` cut down to `id`, `meta`, `resourceType` and `elements`, tagged SUBSETTED.
fn subset(resource: serde_json::Value, elements: &[String]) -> serde_json::Value {
    let serde_json::Value::Object(object) = resource else {
        return resource;
    };
    let mut kept: serde_json::Map<String, serde_json::Value> = object
        .into_iter()
        .filter(|(key, _)| {
            matches!(key.as_str(), "resourceType" | "id" | "meta") || elements.contains(key)
        })
        .collect();
    let meta = kept.entry("meta").or_insert_with(|| json!({}));
    if let Some(meta) = meta.as_object_mut() {
        let tags = meta.entry("tag").or_insert_with(|| json!([]));
        if let Some(tags) = tags.as_array_mut() {
            tags.push(json!({"system": SUBSETTED, "code": "SUBSETTED"}));
        }
    }
    serde_json::Value::Object(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect()
    }

    /// The plan SQLite makes for a search by patient: through the reference index, never a scan
    /// of every stored resource (what keeps it fast over 100,000 Observations).
    #[tokio::test]
    async fn a_search_by_patient_walks_the_reference_index() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let url = format!("sqlite://{}", dir.path().join("plan.db").display());
        let store = Store::connect(&url, 1).await.expect("open SQLite");
        store.migrate().await.expect("migrate");
        let search = StoredSearch::parse(
            "Observation",
            &pairs(&[
                ("patient", "Patient/7"),
                ("_sort", "-date"),
                ("_count", "10"),
            ]),
        )
        .expect("a search");
        let statements = search
            .statements(Placeholders::Anonymous, &Resolved::new())
            .expect("statements");
        let mut conn = store.pool().acquire().await.expect("a connection");
        let count_values = &statements.values[..statements.count_values];
        for (sql, values) in [
            (&statements.count, count_values),
            (&statements.page, &statements.values[..]),
        ] {
            let plan = conn
                .rows(&format!("EXPLAIN QUERY PLAN {sql}"), values)
                .await
                .expect("a plan");
            let details: Vec<String> = plan
                .iter()
                .map(|row| row.text("detail").expect("a detail"))
                .collect();
            assert!(
                details
                    .iter()
                    .any(|d| d.contains("USING INDEX fhir_index_reference_target")),
                "{sql}: {details:?}"
            );
            assert!(
                !details.iter().any(|d| d.starts_with("SCAN c")),
                "{sql}: {details:?}"
            );
        }
    }

    #[test]
    fn elements_keep_identity_and_tag_the_subset() {
        let resource = json!({"resourceType": "Observation", "id": "o", "meta": {"versionId": "2"},
                              "status": "final", "code": {"text": "x"}, "note": [{"text": "n"}]});
        let cut = subset(resource, &["status".to_string()]);
        assert_eq!(
            cut,
            json!({"resourceType": "Observation", "id": "o", "status": "final",
                   "meta": {"versionId": "2", "tag": [{"system": SUBSETTED, "code": "SUBSETTED"}]}})
        );
    }

    #[test]
    fn includes_name_reference_parameters_of_the_type() {
        assert_eq!(
            include_of("Observation", "Observation:subject:Patient").expect("an include"),
            ("subject".to_string(), Some("Patient".to_string()))
        );
        assert_eq!(
            include_of("Observation", "*").expect("all"),
            ("*".to_string(), None)
        );
        for bad in [
            "Condition:subject",
            "Observation:code",
            "Observation:subject:Claim",
            "x",
        ] {
            assert!(include_of("Observation", bad).is_err(), "{bad}");
        }
    }
}
