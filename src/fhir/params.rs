//! The R4 specification's search parameters for the resource types kept as JSON, and what each
//! one indexes from a resource.
//!
//! The definitions come from `data/search-parameters-r4.json` (derived from the specification
//! by `data/derive.py`). [`extract`] evaluates the subset of FHIRPath their expressions use:
//! dotted paths over arrays, `|` unions, `ofType(T)` / `as(T)` / `as T` on choice elements,
//! `where(resolve() is T)` on references and `where(field='value')` filters. A parameter whose
//! expression uses anything else is skipped (see [`unsupported`]).

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::Deserialize;
use serde_json::Value;
use time::{Date, Month, PrimitiveDateTime, Time, UtcOffset};
use unicode_normalization::UnicodeNormalization;

/// The type of a search parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamType {
    /// A code with an optional system (`[system]|[code]`).
    Token,
    /// Text, matched on its normalized form.
    String,
    /// A point or period in time.
    Date,
    /// A reference to another resource.
    Reference,
    /// A value with a unit.
    Quantity,
    /// A plain number.
    Number,
    /// A URI, matched exactly or as a prefix.
    Uri,
}

impl ParamType {
    /// The name FHIR gives this type.
    pub fn name(self) -> &'static str {
        match self {
            ParamType::Token => "token",
            ParamType::String => "string",
            ParamType::Date => "date",
            ParamType::Reference => "reference",
            ParamType::Quantity => "quantity",
            ParamType::Number => "number",
            ParamType::Uri => "uri",
        }
    }
}

/// One search parameter of a resource type.
#[derive(Debug, Clone, Deserialize)]
pub struct ParamDef {
    /// Its code in the query string.
    #[serde(skip)]
    pub code: String,
    /// Its type.
    #[serde(rename = "type")]
    pub kind: ParamType,
    /// The FHIRPath expression for this resource type.
    pub expression: String,
    /// The resource types a reference parameter may point to.
    #[serde(default)]
    pub targets: Vec<String>,
    /// The expression parsed, `None` when it uses FHIRPath this module does not evaluate.
    #[serde(skip)]
    paths: Option<Vec<Vec<Step>>>,
}

/// The pseudo-type whose parameters (`_profile`, `_security`, `_source`, `_tag`) every type has.
const EVERY_TYPE: &str = "Resource";

/// The definitions by resource type, then code.
static DEFINITIONS: LazyLock<BTreeMap<String, BTreeMap<String, ParamDef>>> = LazyLock::new(|| {
    let mut all: BTreeMap<String, BTreeMap<String, ParamDef>> =
        serde_json::from_str(include_str!("data/search-parameters-r4.json"))
            .unwrap_or_else(|err| panic!("search-parameters-r4.json is not valid: {err}"));
    for codes in all.values_mut() {
        for (code, def) in codes.iter_mut() {
            def.code = code.clone();
            def.paths = parse_expression(&def.expression);
        }
    }
    all
});

/// The definition of parameter `code` of `resource_type` (or of every type), if any.
pub fn param(resource_type: &str, code: &str) -> Option<&'static ParamDef> {
    DEFINITIONS
        .get(resource_type)
        .and_then(|codes| codes.get(code))
        .or_else(|| DEFINITIONS.get(EVERY_TYPE)?.get(code))
}

/// Every parameter of `resource_type`, its own then those of every type, by code.
pub fn params(resource_type: &str) -> Vec<&'static ParamDef> {
    let own = DEFINITIONS
        .get(resource_type)
        .into_iter()
        .flat_map(|c| c.values());
    let common = DEFINITIONS
        .get(EVERY_TYPE)
        .into_iter()
        .flat_map(|c| c.values());
    own.chain(common).collect()
}

/// The parameters (as `Type.code: expression`) whose expressions [`extract`] cannot evaluate
/// and so skips.
pub fn unsupported() -> Vec<String> {
    DEFINITIONS
        .iter()
        .flat_map(|(name, codes)| {
            codes
                .values()
                .filter(|def| def.paths.is_none())
                .map(move |def| format!("{name}.{}: {}", def.code, def.expression))
        })
        .collect()
}

/// One value a resource holds for a search parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexEntry {
    /// The parameter's code.
    pub param: String,
    /// The value.
    pub value: IndexValue,
}

/// An indexed value, by parameter type.
#[derive(Debug, Clone, PartialEq)]
pub enum IndexValue {
    /// A code and its system.
    Token {
        /// The system, when there is one.
        system: Option<String>,
        /// The code (or identifier value, or `true`/`false`).
        code: String,
    },
    /// Text, normalized by [`normalize`].
    String(String),
    /// The period covered, as Unix milliseconds, both ends inclusive.
    Date {
        /// First millisecond.
        low: i64,
        /// Last millisecond.
        high: i64,
    },
    /// A reference: the resolved target and/or the absolute URL.
    Reference {
        /// The target's type, when the reference names one.
        target_type: Option<String>,
        /// The target's id, when the reference names one.
        target_id: Option<String>,
        /// The absolute URL (or URN, or canonical) when the reference is one.
        url: Option<String>,
    },
    /// A quantity (or number, with neither system nor code).
    Quantity {
        /// The value.
        value: f64,
        /// The unit's system.
        system: Option<String>,
        /// The unit's code.
        code: Option<String>,
    },
    /// A URI, as written.
    Uri(String),
}

/// Everything the parameters of `resource`'s type index from it (none for a resource without a
/// known `resourceType`).
pub fn extract(resource: &Value) -> Vec<IndexEntry> {
    let Some(resource_type) = resource.get("resourceType").and_then(Value::as_str) else {
        return Vec::new();
    };
    let mut entries = Vec::new();
    for def in params(resource_type) {
        let Some(paths) = &def.paths else { continue };
        for path in paths {
            for node in evaluate(resource, path) {
                for value in index_values(def.kind, &node) {
                    let entry = IndexEntry {
                        param: def.code.clone(),
                        value,
                    };
                    if !entries.contains(&entry) {
                        entries.push(entry);
                    }
                }
            }
        }
    }
    entries
}

/// One step of a parsed path.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    /// A child element (for a choice element `value`, any `valueX`).
    Child(String),
    /// The `n`th element of the child (`entry[0]`).
    Nth(String, usize),
    /// Keep choice values of this FHIR type (`ofType(Quantity)`).
    OfType(String),
    /// Keep references whose target is of this type.
    Resolves(String),
    /// Keep elements whose `field` is `value`.
    FieldIs { field: String, value: String },
}

/// The paths of `a | b | c`, or `None` when a part uses unsupported FHIRPath.
fn parse_expression(expression: &str) -> Option<Vec<Vec<Step>>> {
    expression.split(" | ").map(parse_path).collect()
}

/// `Type.a.b.where(...).ofType(T)`: the steps after the root type.
fn parse_path(path: &str) -> Option<Vec<Step>> {
    let path = path.trim();
    let (path, cast) = match path.split_once(" as ") {
        Some((path, cast)) => (path, Some(cast.trim())),
        None => (path, None),
    };
    let mut steps = Vec::new();
    let mut segments = split_dots(path)?.into_iter();
    let root = segments.next()?;
    if !root.chars().next()?.is_ascii_uppercase() || !is_name(root) {
        return None;
    }
    for segment in segments {
        steps.push(parse_step(segment)?);
    }
    if let Some(cast) = cast {
        is_name(cast).then_some(())?;
        steps.push(Step::OfType(cast.to_string()));
    }
    Some(steps)
}

/// The segments of a dotted path, dots inside parentheses or quotes kept.
fn split_dots(path: &str) -> Option<Vec<&str>> {
    let (mut depth, mut quoted, mut start) = (0i32, false, 0);
    let mut segments = Vec::new();
    for (i, ch) in path.char_indices() {
        match ch {
            '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth -= 1,
            '.' if !quoted && depth == 0 => {
                segments.push(&path[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    segments.push(&path[start..]);
    (depth == 0 && !quoted).then_some(segments)
}

fn is_name(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn parse_step(segment: &str) -> Option<Step> {
    if is_name(segment) {
        return Some(Step::Child(segment.to_string()));
    }
    if let Some((name, index)) = segment.strip_suffix(']').and_then(|s| s.split_once('[')) {
        return is_name(name).then(|| Some(Step::Nth(name.to_string(), index.parse().ok()?)))?;
    }
    let (function, argument) = segment.strip_suffix(')')?.split_once('(')?;
    match function {
        "ofType" | "as" if is_name(argument) => Some(Step::OfType(argument.to_string())),
        "where" => {
            if let Some(target) = argument.strip_prefix("resolve() is ") {
                return is_name(target).then(|| Step::Resolves(target.to_string()));
            }
            let (field, value) = argument.split_once('=')?;
            let value = value.trim().strip_prefix('\'')?.strip_suffix('\'')?;
            let field = field.trim();
            (is_name(field) && !value.contains('\'')).then(|| Step::FieldIs {
                field: field.to_string(),
                value: value.to_string(),
            })
        }
        _ => None,
    }
}

/// An element reached by a path, with the FHIR type a choice element's name gave it.
#[derive(Debug, Clone)]
struct Node<'a> {
    value: &'a Value,
    choice_type: Option<&'a str>,
}

/// The elements `path` reaches in `resource`, arrays flattened.
fn evaluate<'a>(resource: &'a Value, path: &[Step]) -> Vec<Node<'a>> {
    let mut nodes = vec![Node {
        value: resource,
        choice_type: None,
    }];
    for step in path {
        nodes = match step {
            Step::Child(name) => nodes
                .iter()
                .flat_map(|node| children(node.value, name))
                .collect(),
            Step::Nth(name, index) => nodes
                .iter()
                .filter_map(|node| children(node.value, name).into_iter().nth(*index))
                .collect(),
            Step::OfType(wanted) => nodes
                .into_iter()
                .filter(|node| {
                    node.choice_type
                        .is_some_and(|found| found.eq_ignore_ascii_case(wanted))
                })
                .collect(),
            Step::Resolves(target) => nodes
                .into_iter()
                .filter(|node| {
                    node.value
                        .get("reference")
                        .and_then(Value::as_str)
                        .and_then(reference_target)
                        .is_some_and(|(found, _)| found == target)
                })
                .collect(),
            Step::FieldIs { field, value } => nodes
                .into_iter()
                .filter(|node| node.value.get(field).and_then(Value::as_str) == Some(value))
                .collect(),
        };
    }
    nodes
}

/// The child elements `name` of `value`: `name` itself, or every `nameX` of a choice element.
fn children<'a>(value: &'a Value, name: &str) -> Vec<Node<'a>> {
    let Some(object) = value.as_object() else {
        return Vec::new();
    };
    let found: Vec<(&'a Value, Option<&'a str>)> = match object.get(name) {
        Some(child) => vec![(child, None)],
        None => object
            .iter()
            .filter_map(|(key, child)| {
                let suffix = key.strip_prefix(name)?;
                suffix
                    .starts_with(|c: char| c.is_ascii_uppercase())
                    .then_some((child, Some(suffix)))
            })
            .collect(),
    };
    found
        .into_iter()
        .flat_map(|(child, choice_type)| {
            let items: Vec<&'a Value> = match child {
                Value::Array(items) => items.iter().collect(),
                single => vec![single],
            };
            items
                .into_iter()
                .map(move |value| Node { value, choice_type })
        })
        .collect()
}

/// The index values of one element for a parameter of type `kind`.
fn index_values(kind: ParamType, node: &Node<'_>) -> Vec<IndexValue> {
    let value = node.value;
    match kind {
        ParamType::Token => tokens(value),
        ParamType::String => strings(value)
            .into_iter()
            .map(|text| IndexValue::String(normalize(text)))
            .filter(|entry| entry != &IndexValue::String(String::new()))
            .collect(),
        ParamType::Date => date_of(value)
            .map(|(low, high)| IndexValue::Date { low, high })
            .into_iter()
            .collect(),
        ParamType::Reference => reference(value).into_iter().collect(),
        ParamType::Quantity => quantity(value).into_iter().collect(),
        ParamType::Number => value
            .as_f64()
            .map(|value| IndexValue::Quantity {
                value,
                system: None,
                code: None,
            })
            .into_iter()
            .collect(),
        ParamType::Uri => value
            .as_str()
            .map(|uri| IndexValue::Uri(uri.to_string()))
            .into_iter()
            .collect(),
    }
}

fn text_of(value: &Value, field: &str) -> Option<String> {
    value.get(field).and_then(Value::as_str).map(str::to_string)
}

/// Codes of a code, boolean, Coding, CodeableConcept, Identifier or ContactPoint.
fn tokens(value: &Value) -> Vec<IndexValue> {
    let token = |system: Option<String>, code: String| IndexValue::Token { system, code };
    match value {
        Value::String(code) => vec![token(None, code.clone())],
        Value::Bool(flag) => vec![token(None, flag.to_string())],
        Value::Object(object) => {
            if let Some(codings) = object.get("coding").and_then(Value::as_array) {
                return codings.iter().flat_map(tokens).collect();
            }
            // A Coding (code) or an Identifier / ContactPoint (value).
            let code = text_of(value, "code").or_else(|| text_of(value, "value"));
            code.map(|code| token(text_of(value, "system"), code))
                .into_iter()
                .collect()
        }
        _ => Vec::new(),
    }
}

/// The texts of a string, HumanName or Address (its parts and its `text`).
fn strings(value: &Value) -> Vec<&str> {
    const PARTS: &[&str] = &[
        "text",
        "family",
        "given",
        "prefix",
        "suffix",
        "line",
        "city",
        "district",
        "state",
        "postalCode",
        "country",
    ];
    match value {
        Value::String(text) => vec![text.as_str()],
        Value::Object(object) => PARTS
            .iter()
            .filter_map(|part| object.get(*part))
            .flat_map(|part| match part {
                Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
                other => other.as_str().into_iter().collect::<Vec<_>>(),
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The period a date, dateTime, instant or Period covers.
fn date_of(value: &Value) -> Option<(i64, i64)> {
    match value {
        Value::String(text) => date_range(text).ok(),
        Value::Object(object) => {
            let start = object.get("start").and_then(Value::as_str);
            let end = object.get("end").and_then(Value::as_str);
            if start.is_none() && end.is_none() {
                return None;
            }
            let low = match start {
                Some(start) => date_range(start).ok()?.0,
                None => i64::MIN,
            };
            let high = match end {
                Some(end) => date_range(end).ok()?.1,
                None => i64::MAX,
            };
            Some((low, high))
        }
        _ => None,
    }
}

/// A Reference's target and/or URL; a contained (`#id`) reference gives nothing.
fn reference(value: &Value) -> Option<IndexValue> {
    // A resource held inline (a Bundle's entry) refers to itself.
    if let (Some(kind), Some(id)) = (text_of(value, "resourceType"), text_of(value, "id")) {
        return Some(IndexValue::Reference {
            target_type: Some(kind),
            target_id: Some(id),
            url: None,
        });
    }
    let (text, is_reference) = match value {
        Value::String(text) => (text.as_str(), false),
        other => (other.get("reference")?.as_str()?, true),
    };
    if text.is_empty() || text.starts_with('#') {
        return None;
    }
    let absolute = text.contains(':');
    let target = if is_reference {
        reference_target(text)
    } else {
        None
    };
    if target.is_none() && !absolute {
        return None;
    }
    Some(IndexValue::Reference {
        target_type: target.map(|(kind, _)| kind.to_string()),
        target_id: target.map(|(_, id)| id.to_string()),
        url: absolute.then(|| text.to_string()),
    })
}

/// The `(type, id)` a reference names: `Type/id`, `Type/id/_history/n`, or an absolute URL
/// ending in one of those. `None` for a contained reference, a URN, or anything else.
pub fn reference_target(reference: &str) -> Option<(&str, &str)> {
    let path = reference.split(['?', '#']).next()?;
    let segments: Vec<&str> = path.split('/').collect();
    let tail = match segments.as_slice() {
        [.., kind, id, "_history", _] => (*kind, *id),
        [.., kind, id] => (*kind, *id),
        _ => return None,
    };
    let (kind, id) = tail;
    let type_ok = kind.starts_with(|c: char| c.is_ascii_uppercase()) && is_name(kind);
    let id_ok = !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
    (type_ok && id_ok).then_some((kind, id))
}

/// A Quantity (Age, Duration, Money...) as value, system and code.
fn quantity(value: &Value) -> Option<IndexValue> {
    let number = value.get("value")?.as_f64()?;
    Some(IndexValue::Quantity {
        value: number,
        system: text_of(value, "system"),
        code: text_of(value, "code").or_else(|| text_of(value, "currency")),
    })
}

/// Text as the string index keeps it and string searches compare it: lower case, accents
/// removed, punctuation turned to spaces, runs of spaces made one.
pub fn normalize(text: &str) -> String {
    let folded: String = text
        .nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The period a FHIR date, dateTime or instant covers, as Unix milliseconds `[low, high]`
/// (both inclusive): `2024` is the whole year, `2024-03` the month, `2024-03-05` the day (in
/// UTC), `2024-03-05T10:30` the minute, and so on down to the millisecond. A time without a
/// zone is taken as UTC. The error says what is wrong with `text`.
pub fn date_range(text: &str) -> Result<(i64, i64), String> {
    let bad = |why: &str| format!("'{text}' is not a FHIR date: {why}");
    let (date_part, time_part) = match text.split_once('T') {
        Some((date, time)) => (date, Some(time)),
        None => (text, None),
    };
    let numbers: Vec<&str> = date_part.split('-').collect();
    let number = |index: usize, width: usize| -> Result<Option<u32>, String> {
        match numbers.get(index) {
            None => Ok(None),
            Some(part) if part.len() == width && part.bytes().all(|b| b.is_ascii_digit()) => {
                part.parse().map(Some).map_err(|_| bad("not a number"))
            }
            Some(_) => Err(bad("expected YYYY, YYYY-MM or YYYY-MM-DD")),
        }
    };
    if numbers.len() > 3 {
        return Err(bad("expected YYYY, YYYY-MM or YYYY-MM-DD"));
    }
    let year = number(0, 4)?.ok_or_else(|| bad("no year"))? as i32;
    let month = number(1, 2)?;
    let day = number(2, 2)?;
    let month_of = |m: u32| Month::try_from(m as u8).map_err(|_| bad("no such month"));
    let start =
        Date::from_calendar_date(year, month_of(month.unwrap_or(1))?, day.unwrap_or(1) as u8)
            .map_err(|_| bad("no such day"))?;
    let Some(time_part) = time_part else {
        let next = match (month, day) {
            (None, _) | (Some(12), None) => {
                Date::from_calendar_date(year + 1, Month::January, 1).ok()
            }
            (Some(m), None) => Date::from_calendar_date(year, month_of(m + 1)?, 1).ok(),
            (Some(_), Some(_)) => start.next_day(),
        }
        .ok_or_else(|| bad("out of range"))?;
        let ms = |date: Date| date.midnight().assume_utc().unix_timestamp() * 1000;
        return Ok((ms(start), ms(next) - 1));
    };
    if day.is_none() {
        return Err(bad("a time needs a full date"));
    }
    let (clock, offset) = split_zone(time_part).ok_or_else(|| bad("bad time zone"))?;
    let (hms, fraction) = match clock.split_once('.') {
        Some((hms, fraction)) => (hms, Some(fraction)),
        None => (clock, None),
    };
    let fields: Vec<u8> = hms
        .split(':')
        .map(|part| {
            (part.len() == 2 && part.bytes().all(|b| b.is_ascii_digit()))
                .then(|| part.parse().ok())
                .flatten()
        })
        .collect::<Option<_>>()
        .ok_or_else(|| bad("expected hh:mm[:ss[.fff]]"))?;
    let (hour, minute, second, width) = match fields.as_slice() {
        [h, m] if fraction.is_none() => (*h, *m, 0, 60_000),
        [h, m, s] => (*h, *m, *s, 1000),
        _ => return Err(bad("expected hh:mm[:ss[.fff]]")),
    };
    let (millis, width) = match fraction {
        None => (0, width),
        Some(digits) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => {
            let padded: String = digits.chars().chain("000".chars()).take(3).collect();
            let millis: i64 = padded.parse().map_err(|_| bad("bad fraction"))?;
            (
                millis,
                if digits.len() >= 3 {
                    1
                } else {
                    10i64.pow(3 - digits.len() as u32)
                },
            )
        }
        Some(_) => return Err(bad("bad fraction of a second")),
    };
    let clock = Time::from_hms(hour, minute, second.min(59)).map_err(|_| bad("no such time"))?;
    let low = PrimitiveDateTime::new(start, clock)
        .assume_offset(offset)
        .unix_timestamp()
        * 1000
        + millis;
    Ok((low, low + width - 1))
}

/// `10:30:00+02:00` -> (`10:30:00`, +02:00); `Z` or no zone is UTC. `None` for a bad zone.
fn split_zone(time: &str) -> Option<(&str, UtcOffset)> {
    if let Some(clock) = time.strip_suffix('Z') {
        return Some((clock, UtcOffset::UTC));
    }
    let Some(at) = time.rfind(['+', '-']) else {
        return Some((time, UtcOffset::UTC));
    };
    let (clock, zone) = time.split_at(at);
    let sign: i8 = if zone.starts_with('-') { -1 } else { 1 };
    let (hours, minutes) = zone.get(1..)?.split_once(':')?;
    let digits = |part: &str| part.len() == 2 && part.bytes().all(|b| b.is_ascii_digit());
    if !digits(hours) || !digits(minutes) {
        return None;
    }
    let (hours, minutes): (i8, i8) = (hours.parse().ok()?, minutes.parse().ok()?);
    let offset = UtcOffset::from_hms(sign * hours, sign * minutes, 0).ok()?;
    Some((clock, offset))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Expressions of the specification that `extract` cannot evaluate yet. This number may only
    /// go down.
    const KNOWN_UNSUPPORTED: usize = 1;

    fn example(name: &str) -> Value {
        let folder = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/fhir/r4-examples"
        );
        let text = std::fs::read_to_string(format!("{folder}/{name}.json")).expect(name);
        serde_json::from_str(&text).expect(name)
    }

    #[test]
    fn unsupported_expressions_only_go_down() {
        let unsupported = unsupported();
        for line in &unsupported {
            println!("{line}");
        }
        assert!(
            unsupported.len() <= KNOWN_UNSUPPORTED,
            "{} unsupported expressions, at most {KNOWN_UNSUPPORTED} expected",
            unsupported.len()
        );
    }

    fn values_of(entries: &[IndexEntry], param: &str) -> Vec<IndexValue> {
        entries
            .iter()
            .filter(|entry| entry.param == param)
            .map(|entry| entry.value.clone())
            .collect()
    }

    fn token(system: Option<&str>, code: &str) -> IndexValue {
        IndexValue::Token {
            system: system.map(str::to_string),
            code: code.to_string(),
        }
    }

    fn points_to(kind: &str, id: &str) -> IndexValue {
        IndexValue::Reference {
            target_type: Some(kind.to_string()),
            target_id: Some(id.to_string()),
            url: None,
        }
    }

    fn day(text: &str) -> IndexValue {
        let (low, high) = date_range(text).expect("a date");
        IndexValue::Date { low, high }
    }

    #[test]
    fn definitions_come_from_the_specification() {
        let code = param("Observation", "code").expect("Observation code");
        assert_eq!(code.kind, ParamType::Token);
        assert_eq!(code.expression, "Observation.code");
        let subject = param("Observation", "subject").expect("Observation subject");
        assert_eq!(subject.kind, ParamType::Reference);
        assert!(subject.targets.iter().any(|t| t == "Patient"));
        // Every type has the parameters of Resource.
        assert_eq!(
            param("Condition", "_profile").map(|p| p.kind),
            Some(ParamType::Uri)
        );
        assert!(param("Observation", "no-such-param").is_none());
        assert!(param("NoSuchType", "code").is_none());
        let codes: Vec<&str> = params("Immunization")
            .iter()
            .map(|p| p.code.as_str())
            .collect();
        assert!(codes.contains(&"vaccine-code") && codes.contains(&"_security"));
    }

    #[test]
    fn observation_example_indexes_codes_subject_date_and_quantity() {
        let entries = extract(&example("Observation-example"));
        let codes = values_of(&entries, "code");
        assert_eq!(codes.len(), 4);
        assert!(codes.contains(&token(Some("http://loinc.org"), "29463-7")));
        assert_eq!(
            values_of(&entries, "category"),
            vec![token(
                Some("http://terminology.hl7.org/CodeSystem/observation-category"),
                "vital-signs"
            )]
        );
        assert_eq!(
            values_of(&entries, "subject"),
            vec![points_to("Patient", "example")]
        );
        assert_eq!(
            values_of(&entries, "patient"),
            vec![points_to("Patient", "example")]
        );
        assert_eq!(
            values_of(&entries, "encounter"),
            vec![points_to("Encounter", "example")]
        );
        assert_eq!(values_of(&entries, "date"), vec![day("2016-03-28")]);
        assert_eq!(
            values_of(&entries, "value-quantity"),
            vec![IndexValue::Quantity {
                value: 185.0,
                system: Some("http://unitsofmeasure.org".to_string()),
                code: Some("[lb_av]".to_string()),
            }]
        );
        assert_eq!(values_of(&entries, "status"), vec![token(None, "final")]);
    }

    #[test]
    fn components_identifiers_and_profiles_are_indexed() {
        let entries = extract(&example("Observation-blood-pressure"));
        let component_values: Vec<f64> = values_of(&entries, "component-value-quantity")
            .into_iter()
            .filter_map(|value| match value {
                IndexValue::Quantity { value, .. } => Some(value),
                _ => None,
            })
            .collect();
        assert_eq!(component_values, vec![107.0, 60.0]);
        assert!(
            values_of(&entries, "combo-code").contains(&token(Some("http://loinc.org"), "8480-6"))
        );
        assert_eq!(
            values_of(&entries, "identifier"),
            vec![token(
                Some("urn:ietf:rfc:3986"),
                "urn:uuid:187e0c12-8dd2-67e2-99b2-bf273c878281"
            )]
        );
        assert_eq!(
            values_of(&entries, "_profile"),
            vec![IndexValue::Uri(
                "http://hl7.org/fhir/StructureDefinition/vitalsigns".to_string()
            )]
        );
        assert_eq!(
            values_of(&entries, "performer"),
            vec![points_to("Practitioner", "example")]
        );
        // The reference by identifier only has nothing to resolve.
        assert!(values_of(&entries, "based-on").is_empty());
    }

    #[test]
    fn choice_elements_keep_their_precision() {
        let entries = extract(&example("AllergyIntolerance-example"));
        // The second reaction's onset "2004" covers the whole year.
        assert_eq!(
            values_of(&entries, "onset"),
            vec![day("2012-06-12"), day("2004")]
        );
        assert_eq!(
            values_of(&entries, "date"),
            vec![day("2014-10-09T14:58:00+11:00")]
        );
        assert_eq!(values_of(&entries, "last-date"), vec![day("2012-06")]);
        assert_eq!(
            values_of(&entries, "patient"),
            vec![points_to("Patient", "example")]
        );
        assert_eq!(values_of(&entries, "category"), vec![token(None, "food")]);
        let condition = extract(&example("Condition-example"));
        assert_eq!(values_of(&condition, "onset-date"), vec![day("2012-05-24")]);
        assert_eq!(
            values_of(&condition, "subject"),
            vec![points_to("Patient", "example")]
        );
    }

    #[test]
    fn names_addresses_telecoms_and_booleans() {
        let entries = extract(&example("Patient-example"));
        let names = values_of(&entries, "name");
        for part in ["chalmers", "peter", "james", "jim", "windsor"] {
            assert!(
                names.contains(&IndexValue::String(part.to_string())),
                "{part}"
            );
        }
        assert_eq!(
            values_of(&entries, "address-city"),
            vec![IndexValue::String("pleasantville".to_string())]
        );
        let phones = values_of(&entries, "phone");
        assert_eq!(phones.len(), 3);
        assert!(phones.contains(&token(Some("phone"), "(03) 5555 6473")));
        assert!(values_of(&entries, "email").is_empty());
        assert_eq!(values_of(&entries, "active"), vec![token(None, "true")]);
        assert_eq!(values_of(&entries, "birthdate"), vec![day("1974-12-25")]);
        let immunization = extract(&example("Immunization-example"));
        assert_eq!(
            values_of(&immunization, "location"),
            vec![points_to("Location", "1")]
        );
        assert_eq!(
            values_of(&immunization, "lot-number"),
            vec![IndexValue::String("aajn11k".to_string())]
        );
    }

    #[test]
    fn references_resolve_relative_absolute_and_versioned() {
        assert_eq!(reference_target("Patient/123"), Some(("Patient", "123")));
        assert_eq!(
            reference_target("http://example.org/fhir/Patient/a-1/_history/2"),
            Some(("Patient", "a-1"))
        );
        assert_eq!(reference_target("#contained"), None);
        assert_eq!(reference_target("urn:uuid:1234"), None);
        assert_eq!(reference_target("patient/1"), None);
        let resource = json!({
            "resourceType": "Observation",
            "subject": {"reference": "http://example.org/fhir/Patient/7"},
            "performer": [{"reference": "#p1"}, {"reference": "urn:uuid:abc"}],
            "hasMember": [{"reference": "Observation/x"}],
        });
        let entries = extract(&resource);
        assert_eq!(
            values_of(&entries, "subject"),
            vec![IndexValue::Reference {
                target_type: Some("Patient".to_string()),
                target_id: Some("7".to_string()),
                url: Some("http://example.org/fhir/Patient/7".to_string()),
            }]
        );
        assert_eq!(
            values_of(&entries, "performer"),
            vec![IndexValue::Reference {
                target_type: None,
                target_id: None,
                url: Some("urn:uuid:abc".to_string()),
            }]
        );
        // `patient` is `subject.where(resolve() is Patient)`: a Group subject is not one.
        let group = json!({"resourceType": "Observation", "subject": {"reference": "Group/g"}});
        assert!(values_of(&extract(&group), "patient").is_empty());
        assert_eq!(
            values_of(&extract(&group), "subject"),
            vec![points_to("Group", "g")]
        );
    }

    #[test]
    fn bundles_refer_to_their_first_entry() {
        let bundle = json!({
            "resourceType": "Bundle",
            "type": "document",
            "entry": [
                {"resource": {"resourceType": "Composition", "id": "c1"}},
                {"resource": {"resourceType": "Patient", "id": "p1"}},
            ],
        });
        assert_eq!(
            values_of(&extract(&bundle), "composition"),
            vec![points_to("Composition", "c1")]
        );
    }

    #[test]
    fn unknown_or_typeless_resources_index_nothing() {
        assert!(extract(&json!({"id": "x"})).is_empty());
        assert!(extract(&json!({"resourceType": "NoSuchType", "code": "x"})).is_empty());
        assert!(extract(&json!("text")).is_empty());
        // Wrong shapes are skipped, not indexed as nonsense.
        let odd = json!({"resourceType": "Observation", "code": 5, "subject": "Patient/1",
                         "effectiveDateTime": "yesterday", "valueQuantity": {"value": "x"}});
        assert!(extract(&odd).is_empty(), "{:?}", extract(&odd));
    }

    #[test]
    fn normalize_folds_case_accents_and_punctuation() {
        assert_eq!(normalize("du Marché"), "du marche");
        assert_eq!(normalize("  O'Brien-SMITH "), "o brien smith");
        assert_eq!(normalize("Ærøskøbing"), "ærøskøbing");
        assert_eq!(normalize("Zoë"), "zoe");
        assert_eq!(normalize(""), "");
    }

    fn millis(text: &str) -> i64 {
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
            .expect("an RFC 3339 time")
            .unix_timestamp()
            * 1000
    }

    /// `[start, next - 1 ms]` of two RFC 3339 times.
    fn span(start: &str, next: &str) -> (i64, i64) {
        (millis(start), millis(next) - 1)
    }

    #[test]
    fn date_ranges_follow_precision() {
        let cases = [
            ("2024", span("2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z")),
            (
                "2024-02",
                span("2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z"),
            ),
            (
                "2023-12",
                span("2023-12-01T00:00:00Z", "2024-01-01T00:00:00Z"),
            ),
            (
                "2024-02-29",
                span("2024-02-29T00:00:00Z", "2024-03-01T00:00:00Z"),
            ),
            (
                "2024-03-05T10:30+02:00",
                span("2024-03-05T08:30:00Z", "2024-03-05T08:31:00Z"),
            ),
            (
                "2024-03-05T10:30:15Z",
                span("2024-03-05T10:30:15Z", "2024-03-05T10:30:16Z"),
            ),
            (
                "2024-03-05T10:30:15",
                span("2024-03-05T10:30:15Z", "2024-03-05T10:30:16Z"),
            ),
            (
                "2024-03-05T10:30:15.2-05:00",
                (
                    millis("2024-03-05T15:30:15Z") + 200,
                    millis("2024-03-05T15:30:15Z") + 299,
                ),
            ),
            (
                "2024-03-05T10:30:15.250Z",
                (
                    millis("2024-03-05T10:30:15Z") + 250,
                    millis("2024-03-05T10:30:15Z") + 250,
                ),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(date_range(text), Ok(expected), "{text}");
        }
    }

    #[test]
    fn bad_dates_say_what_is_wrong() {
        for bad in [
            "",
            "24",
            "2024-13",
            "2024-02-30",
            "2024-1-01",
            "2024-03T10:00",
            "2024-03-05T25:00",
            "2024-03-05T10",
            "2024-03-05T10:00+2",
            "2024-03-05T10:00:00.Z",
            "tomorrow",
            "2024-03-05-01",
        ] {
            let err = date_range(bad).expect_err(bad);
            assert!(err.contains(&format!("'{bad}'")), "{err}");
        }
    }

    #[test]
    fn expressions_parse_casts_filters_and_unions() {
        assert_eq!(
            parse_expression("Observation.value as Quantity | Observation.code"),
            Some(vec![
                vec![Step::Child("value".into()), Step::OfType("Quantity".into())],
                vec![Step::Child("code".into())],
            ])
        );
        assert_eq!(
            parse_expression("Patient.telecom.where(system='email')"),
            Some(vec![vec![
                Step::Child("telecom".into()),
                Step::FieldIs {
                    field: "system".into(),
                    value: "email".into()
                },
            ]])
        );
        assert_eq!(
            parse_expression("Observation.value.as(Quantity)"),
            Some(vec![vec![
                Step::Child("value".into()),
                Step::OfType("Quantity".into())
            ]])
        );
        assert_eq!(
            parse_expression("Patient.deceased.exists() and Patient.deceased != false"),
            None
        );
        assert_eq!(parse_expression("Patient.name.first()"), None);
        assert_eq!(parse_expression("name"), None);
    }
}
