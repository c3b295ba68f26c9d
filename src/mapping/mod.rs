//! Declarative mappings (`mappings/*.toml`): wire paths to canonical fields, with a small set of
//! functions (trim, case, dates, look-up tables, concatenation, defaults). A channel's transform
//! runs one and its `store` destination upserts the resulting [`Records`].
//!
//! ```toml
//! format = "hl7v2"
//! [patient]
//! family_name = "PID-5.1"
//! birth_date = { path = "PID-7", fn = ["date"] }
//! gender = { path = "PID-8", lookup = "gender" }
//! [[patient_identifier]]
//! repeat = "PID-3"          # one identifier per repetition; paths below are relative
//! value = ".1"
//! system = { path = ".4.1", default = "LOCAL" }
//! [[charge]]
//! repeat = "FT1"            # one charge per FT1 segment
//! procedure_code = "FT1-7.1"
//! [lookups.gender]
//! M = "male"
//! ```

mod records;

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::config::problem::{Document, Problem};
use crate::hl7v2;
use crate::message::{Format, Message, Rejection, RejectionKind, json_array_len, json_field};
pub use records::{ChargeRecord, CoverageRecord, EncounterRecord, Records, parse_decimal};

/// Folder of mapping files under the root.
pub const MAPPINGS_DIR: &str = "mappings";

/// One field's rule: a bare path, or a table.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum FieldRule {
    /// The value at this path.
    Path(String),
    /// The full form.
    Rule(RuleSpec),
}

/// The full form of a field rule. Evaluated as: `value`, else `path`, else `coalesce`, else
/// `concat`; then `fn` in order, then `lookup`; `default` when the result is empty.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Wire path.
    #[serde(default)]
    pub path: Option<String>,
    /// Paths whose non-empty values are joined with `separator`.
    #[serde(default)]
    pub concat: Vec<String>,
    /// Paths tried in order; the first non-empty value wins.
    #[serde(default)]
    pub coalesce: Vec<String>,
    /// Read every repetition of the path's field and join the values with `,`
    /// (for repeating fields such as diagnosis codes or modifiers).
    #[serde(default)]
    pub repetitions: bool,
    /// Read the path in every occurrence of its segment (e.g. `DG1-3.1` of each DG1) and join
    /// the values with `,`.
    #[serde(default)]
    pub every_segment: bool,
    /// Separator for `concat` (default one space).
    #[serde(default)]
    pub separator: Option<String>,
    /// A constant.
    #[serde(default)]
    pub value: Option<String>,
    /// Used when the result is empty.
    #[serde(default)]
    pub default: Option<String>,
    /// Functions applied in order: `trim`, `upper`, `lower`, `date`, `datetime`.
    #[serde(default, rename = "fn")]
    pub functions: Vec<String>,
    /// Name of a table in `[lookups]`; values not in the table pass unchanged.
    #[serde(default)]
    pub lookup: Option<String>,
}

/// A block of rules, optionally repeated per segment (`FT1`) or per field repetition (`PID-3`).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct Block {
    /// What the block repeats over, if anything.
    #[serde(default)]
    pub repeat: Option<String>,
    /// Canonical field name to rule.
    #[serde(flatten)]
    pub fields: BTreeMap<String, FieldRule>,
}

/// A mapping file.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// Wire format read: `hl7v2` or `fhir`.
    pub format: String,
    /// Free text.
    #[serde(default)]
    pub description: String,
    /// The patient.
    #[serde(default)]
    pub patient: Option<Block>,
    /// The patient's identifiers.
    #[serde(default)]
    pub patient_identifier: Vec<Block>,
    /// Identifiers of a patient merged into this one (ADT^A40 MRG-1).
    #[serde(default)]
    pub merged_identifier: Vec<Block>,
    /// The encounter.
    #[serde(default)]
    pub encounter: Option<Block>,
    /// Coverages.
    #[serde(default)]
    pub coverage: Vec<Block>,
    /// Charges (bill lines).
    #[serde(default)]
    pub charge: Vec<Block>,
    /// Look-up tables.
    #[serde(default)]
    pub lookups: BTreeMap<String, BTreeMap<String, String>>,
}

/// A mapping that cannot produce records for a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("mapping: {reason}{}", location.as_ref().map(|l| format!(" (at {l})")).unwrap_or_default())]
pub struct MappingError {
    /// The class of problem.
    pub kind: RejectionKind,
    /// What is wrong.
    pub reason: String,
    /// Where in the message: the wire path of the offending field, when known.
    pub location: Option<String>,
    /// The canonical field it concerns: (block, 1-based occurrence, field).
    pub field: Option<(&'static str, usize, String)>,
}

impl MappingError {
    /// An error about the message as a whole.
    pub fn new(kind: RejectionKind, reason: impl Into<String>) -> Self {
        MappingError {
            kind,
            reason: reason.into(),
            location: None,
            field: None,
        }
    }

    /// An error about one canonical field of one block occurrence.
    pub fn at(
        kind: RejectionKind,
        reason: impl Into<String>,
        block: &'static str,
        occurrence: usize,
        field: &str,
    ) -> Self {
        MappingError {
            kind,
            reason: reason.into(),
            location: None,
            field: Some((block, occurrence, field.to_string())),
        }
    }
}

impl From<MappingError> for Rejection {
    fn from(err: MappingError) -> Self {
        Rejection::new(err.kind, err.to_string()).at(err.location)
    }
}

const FUNCTIONS: [&str; 5] = ["trim", "upper", "lower", "date", "datetime"];

/// Canonical fields each block may set, and which of them are required.
fn block_fields(block: &str) -> (&'static [&'static str], &'static [&'static str]) {
    match block {
        "patient" => (
            &[
                "family_name",
                "given_name",
                "middle_name",
                "birth_date",
                "gender",
                "phone",
                "address_line",
                "city",
                "state",
                "postal_code",
                "country",
            ],
            &[],
        ),
        "patient_identifier" | "merged_identifier" => {
            (&["value", "system", "type_code"], &["value", "system"])
        }
        "encounter" => (
            &[
                "visit_number",
                "class",
                "status",
                "admitted_at",
                "discharged_at",
                "location",
                "facility",
                "attending_npi",
                "attending_name",
                "diagnosis_codes",
            ],
            &["visit_number"],
        ),
        "coverage" => (
            &[
                "payer_id",
                "payer_name",
                "member_id",
                "plan_name",
                "group_number",
                "subscriber_name",
                "relationship",
                "priority",
                "effective_from",
                "effective_to",
            ],
            &["payer_id", "member_id"],
        ),
        _ => (
            &[
                "line_key",
                "service_date",
                "procedure_code",
                "modifiers",
                "revenue_code",
                "diagnosis_codes",
                "units",
                "charge",
                "description",
            ],
            &["line_key", "service_date", "procedure_code", "charge"],
        ),
    }
}

impl Mapping {
    /// Loads and validates `mappings/NAME.toml` under `root`.
    pub fn load(root: &Path, name: &str) -> Result<Mapping, Problem> {
        let file = root.join(MAPPINGS_DIR).join(format!("{name}.toml"));
        let text = std::fs::read_to_string(&file).map_err(|err| Problem {
            file: file.clone(),
            line: None,
            field: String::new(),
            reason: format!("cannot read mapping '{name}': {err}"),
        })?;
        let doc = Document::parse(&file, &text)?;
        let mapping: Mapping = doc.deserialize()?;
        match mapping.validate(&doc).into_iter().next() {
            Some(problem) => Err(problem),
            None => Ok(mapping),
        }
    }

    /// Every problem: unknown format, fields, functions, tables, unreadable paths.
    pub fn validate(&self, doc: &Document<'_>) -> Vec<Problem> {
        let mut problems = Vec::new();
        if !["hl7v2", "fhir"].contains(&self.format.as_str()) {
            problems.push(doc.problem(
                "format",
                format!(
                    "'{}' cannot be mapped declaratively (expected hl7v2 or fhir; X12 transactions are read by the typed readers)",
                    self.format
                ),
            ));
        }
        for (name, field, block) in self.blocks() {
            let (allowed, required) = block_fields(name);
            for (key, rule) in &block.fields {
                let at = format!("{field}.{key}");
                if !allowed.contains(&key.as_str()) {
                    problems.push(doc.problem(
                        at.clone(),
                        format!("unknown field; {name} has {}", allowed.join(", ")),
                    ));
                }
                let spec = rule.spec();
                for function in &spec.functions {
                    if !FUNCTIONS.contains(&function.as_str()) {
                        problems.push(doc.problem(
                            at.clone(),
                            format!(
                                "unknown function '{function}' (use {})",
                                FUNCTIONS.join(", ")
                            ),
                        ));
                    }
                }
                if let Some(table) = &spec.lookup
                    && !self.lookups.contains_key(table)
                {
                    problems.push(doc.problem(at.clone(), format!("no table [lookups.{table}]")));
                }
                if spec.path.is_none()
                    && spec.concat.is_empty()
                    && spec.coalesce.is_empty()
                    && spec.value.is_none()
                {
                    problems
                        .push(doc.problem(at.clone(), "needs a path, coalesce, concat or value"));
                }
                if (spec.repetitions || spec.every_segment)
                    && (spec.path.is_none() || self.format != "hl7v2")
                {
                    problems.push(doc.problem(
                        at.clone(),
                        "repetitions and every_segment need an HL7 v2 path",
                    ));
                }
                for path in spec.path.iter().chain(&spec.concat).chain(&spec.coalesce) {
                    if let Err(reason) = self.check_path(block.repeat.as_deref(), path) {
                        problems.push(doc.problem(at.clone(), reason));
                    }
                }
            }
            for key in required {
                if !block.fields.contains_key(*key) {
                    problems.push(doc.problem(field.clone(), format!("{name} needs '{key}'")));
                }
            }
        }
        problems
    }

    fn blocks(&self) -> Vec<(&'static str, String, &Block)> {
        let mut blocks = Vec::new();
        if let Some(block) = &self.patient {
            blocks.push(("patient", "patient".to_string(), block));
        }
        if let Some(block) = &self.encounter {
            blocks.push(("encounter", "encounter".to_string(), block));
        }
        for (name, list) in [
            ("patient_identifier", &self.patient_identifier),
            ("merged_identifier", &self.merged_identifier),
            ("coverage", &self.coverage),
            ("charge", &self.charge),
        ] {
            for (i, block) in list.iter().enumerate() {
                blocks.push((name, format!("{name}[{i}]"), block));
            }
        }
        blocks
    }

    fn check_path(&self, repeat: Option<&str>, path: &str) -> Result<(), String> {
        if self.format != "hl7v2" {
            return if path.trim().is_empty() {
                Err("empty path".into())
            } else {
                Ok(())
            };
        }
        let resolved = resolve_hl7(repeat, path, 1);
        hl7v2::Path::parse(&resolved)
            .map(|_| ())
            .map_err(|err| format!("path '{path}': {err}"))
    }

    /// Runs the mapping over a message.
    pub fn records(&self, message: &Message) -> Result<Records, MappingError> {
        let expected = match self.format.as_str() {
            "hl7v2" => Format::Hl7v2,
            _ => Format::Fhir,
        };
        if message.format() != Some(expected) {
            return Err(MappingError::new(
                RejectionKind::Unsupported,
                format!(
                    "this channel maps {} messages; this one is {}",
                    self.format,
                    message
                        .format()
                        .map_or("in no known format", Format::as_str)
                ),
            ));
        }
        let reader = Reader::new(message)?;
        let evaluate = |block: &Block, index: usize| self.evaluate(&reader, block, index);
        let each = |blocks: &[Block]| -> Vec<BTreeMap<String, String>> {
            blocks
                .iter()
                .flat_map(|block| {
                    let count = block.repeat.as_deref().map_or(1, |r| reader.count(r));
                    (1..=count).map(move |i| evaluate(block, i))
                })
                .filter(|values| !values.is_empty())
                .collect()
        };
        Records::build(
            self.patient.as_ref().map(|b| evaluate(b, 1)),
            each(&self.patient_identifier),
            each(&self.merged_identifier),
            self.encounter.as_ref().map(|b| evaluate(b, 1)),
            each(&self.coverage),
            each(&self.charge),
        )
        .map_err(|mut err| {
            err.location = err
                .field
                .as_ref()
                .and_then(|(block, occurrence, field)| self.wire_path(block, *occurrence, field));
            err
        })
    }

    /// The wire path a canonical field of a block occurrence is read from.
    fn wire_path(&self, block: &str, occurrence: usize, field: &str) -> Option<String> {
        let blocks: Vec<&Block> = match block {
            "patient" => self.patient.iter().collect(),
            "encounter" => self.encounter.iter().collect(),
            "patient_identifier" => self.patient_identifier.iter().collect(),
            "merged_identifier" => self.merged_identifier.iter().collect(),
            "coverage" => self.coverage.iter().collect(),
            _ => self.charge.iter().collect(),
        };
        let block = blocks.into_iter().find(|b| b.fields.contains_key(field))?;
        let spec = block.fields.get(field)?.spec();
        let path = spec
            .path
            .or_else(|| spec.coalesce.first().cloned())
            .or_else(|| spec.concat.first().cloned())?;
        Some(if self.format == "hl7v2" {
            resolve_hl7(block.repeat.as_deref(), &path, occurrence)
        } else {
            path
        })
    }

    /// The non-empty values of one block occurrence.
    fn evaluate(
        &self,
        reader: &Reader<'_>,
        block: &Block,
        index: usize,
    ) -> BTreeMap<String, String> {
        block
            .fields
            .iter()
            .filter_map(|(key, rule)| {
                let spec = rule.spec();
                let read = |path: &str| reader.value(block.repeat.as_deref(), path, index);
                let mut value = if let Some(constant) = &spec.value {
                    constant.clone()
                } else if let Some(path) = &spec.path {
                    if spec.repetitions {
                        reader
                            .every_repetition(block.repeat.as_deref(), path, index)
                            .join(",")
                    } else if spec.every_segment {
                        reader.every_segment(path).join(",")
                    } else {
                        read(path).unwrap_or_default()
                    }
                } else if !spec.coalesce.is_empty() {
                    spec.coalesce
                        .iter()
                        .filter_map(|p| read(p))
                        .find(|v| !v.is_empty())
                        .unwrap_or_default()
                } else {
                    spec.concat
                        .iter()
                        .filter_map(|p| read(p))
                        .filter(|v| !v.is_empty())
                        .collect::<Vec<_>>()
                        .join(spec.separator.as_deref().unwrap_or(" "))
                };
                for function in &spec.functions {
                    value = apply_function(function, &value);
                }
                if let Some(table) = spec.lookup.as_ref().and_then(|t| self.lookups.get(t))
                    && let Some(mapped) = table.get(&value)
                {
                    value = mapped.clone();
                }
                if value.is_empty()
                    && let Some(default) = &spec.default
                {
                    value = default.clone();
                }
                (!value.is_empty()).then(|| (key.clone(), value))
            })
            .collect()
    }
}

impl FieldRule {
    fn spec(&self) -> RuleSpec {
        match self {
            FieldRule::Path(path) => RuleSpec {
                path: Some(path.clone()),
                ..RuleSpec::default()
            },
            FieldRule::Rule(spec) => spec.clone(),
        }
    }
}

fn apply_function(function: &str, value: &str) -> String {
    match function {
        "trim" => value.trim().to_string(),
        "upper" => value.to_uppercase(),
        "lower" => value.to_lowercase(),
        "date" => hl7_date(value).unwrap_or_else(|| value.to_string()),
        "datetime" => hl7_datetime(value).unwrap_or_else(|| value.to_string()),
        _ => value.to_string(),
    }
}

/// `YYYYMMDD[...]` to `YYYY-MM-DD`; already ISO dates pass unchanged.
fn hl7_date(value: &str) -> Option<String> {
    let digits: String = value.chars().take(8).collect();
    if digits.len() == 8 && digits.chars().all(|c| c.is_ascii_digit()) {
        Some(format!(
            "{}-{}-{}",
            &digits[..4],
            &digits[4..6],
            &digits[6..8]
        ))
    } else {
        None
    }
}

/// `YYYYMMDDHHMM[SS]` to `YYYY-MM-DDTHH:MM:SS`.
fn hl7_datetime(value: &str) -> Option<String> {
    let date = hl7_date(value)?;
    let time: String = value
        .chars()
        .skip(8)
        .take_while(char::is_ascii_digit)
        .take(6)
        .collect();
    let padded = format!("{time:0<6}");
    Some(format!(
        "{date}T{}:{}:{}",
        &padded[..2],
        &padded[2..4],
        &padded[4..6]
    ))
}

/// The HL7 v2 path for occurrence `index` of a repeating block.
fn resolve_hl7(repeat: Option<&str>, path: &str, index: usize) -> String {
    match repeat {
        // Field repetition: relative paths (".1") hang off "PID-3[i]".
        Some(field) if field.contains('-') && path.starts_with('.') => {
            format!("{field}[{index}]{path}")
        }
        Some(field) if field.contains('-') && path.is_empty() => format!("{field}[{index}]"),
        // Segment repetition: paths on that segment get its occurrence.
        Some(segment) if !segment.contains('-') => match path.strip_prefix(segment) {
            Some(rest) if rest.starts_with('-') => format!("{segment}[{index}]{rest}"),
            _ => path.to_string(),
        },
        _ => path.to_string(),
    }
}

/// Reads values out of a message for a mapping.
enum Reader<'a> {
    Hl7v2(hl7v2::Message<'a>),
    Fhir(&'a serde_json::Value),
}

impl<'a> Reader<'a> {
    fn new(message: &'a Message) -> Result<Self, MappingError> {
        message
            .hl7v2()
            .map(Reader::Hl7v2)
            .or_else(|| message.json().map(Reader::Fhir))
            .ok_or_else(|| {
                MappingError::new(
                    RejectionKind::Unsupported,
                    "the message is neither HL7 v2 nor JSON",
                )
            })
    }

    fn value(&self, repeat: Option<&str>, path: &str, index: usize) -> Option<String> {
        match self {
            Reader::Hl7v2(message) => message
                .get(&resolve_hl7(repeat, path, index))
                .map(|v| v.into_owned()),
            Reader::Fhir(json) => {
                let full = match repeat {
                    Some(array) if path.starts_with('.') => format!("{array}.{}{path}", index - 1),
                    _ => path.to_string(),
                };
                json_field(json, &full)
            }
        }
    }

    /// The non-empty values of `path` in every occurrence of its segment (HL7 v2 only).
    fn every_segment(&self, path: &str) -> Vec<String> {
        let (Reader::Hl7v2(message), Ok(path)) = (self, hl7v2::Path::parse(path)) else {
            return Vec::new();
        };
        message
            .get_all(&path)
            .flatten()
            .map(|v| v.into_owned())
            .filter(|v| !v.is_empty())
            .collect()
    }

    /// The non-empty values of `path` in every repetition of its field (HL7 v2 only).
    fn every_repetition(&self, repeat: Option<&str>, path: &str, index: usize) -> Vec<String> {
        let Reader::Hl7v2(message) = self else {
            return Vec::new();
        };
        let resolved = resolve_hl7(repeat, path, index);
        // "FT1[2]-19.1" -> field part "FT1[2]-19", rest ".1"
        let Some(dash) = resolved.find('-') else {
            return Vec::new();
        };
        let field_end = resolved[dash + 1..]
            .find(|c: char| !c.is_ascii_digit())
            .map_or(resolved.len(), |i| dash + 1 + i);
        let (field, rest) = resolved.split_at(field_end);
        let rest = rest.trim_start_matches(|c: char| c == '[' || c == ']' || c.is_ascii_digit());
        let count = hl7v2::Path::parse(field)
            .ok()
            .and_then(|p| message.get_raw(&p))
            .map_or(0, |raw| {
                let separator = message.encoding().repetition_separator();
                raw.split(|b| *b == separator).count()
            });
        (1..=count)
            .filter_map(|r| message.get(&format!("{field}[{r}]{rest}")))
            .map(|v| v.into_owned())
            .filter(|v| !v.is_empty())
            .collect()
    }

    fn count(&self, repeat: &str) -> usize {
        match self {
            Reader::Hl7v2(message) => match repeat.split_once('-') {
                Some((segment, field)) => field
                    .parse::<usize>()
                    .ok()
                    .and_then(|n| message.segment(segment)?.field(n))
                    .map_or(0, |f| f.repetitions().count()),
                None => message.segments_named(repeat).count(),
            },
            Reader::Fhir(json) => json_array_len(json, repeat),
        }
    }
}

#[cfg(test)]
mod tests;
