//! Declarative mappings (`mappings/*.toml`): wire paths to canonical fields, with a small set of
//! functions (trim, case, dates, look-up tables, concatenation, defaults). A channel's transform
//! runs one and its `store` destination upserts the resulting [`Records`].
//!
//! What a message says about a field is absent, cleared or a value ([`FieldValue`]): an empty
//! HL7 v2 field is absent (the store keeps what it has), `""` clears it (in the field itself or
//! in the field, repetition or component that holds it), anything else is the value. A path
//! that names a whole HL7 v2 field (`PID-8`) reads its first component: a coded field's code.
//! With a `lookup`, a code that is not in the table is looked up by its text (the second
//! component) before it passes unchanged.
//!
//! ```toml
//! format = "hl7v2"
//! [patient]
//! family_name = "PID-5.1"
//! birth_date = { path = "PID-7", fn = ["date"] }
//! gender = { path = "PID-8", lookup = "gender" }    # F^Female^HL70001 -> female
//! address_line = { concat = [{ street = "PID-11.1" }, "PID-11.2"], separator = ", " }
//! [[patient_identifier]]
//! repeat = "PID-3"          # one identifier per repetition; paths below are relative
//! value = ".1"
//! system = { path = ".4.1", default = "LOCAL" }
//! [[charge]]
//! repeat = "FT1"            # one charge per FT1 segment
//! procedure_code = "FT1-7.1"
//! [lookups.gender]
//! M = "male"
//! [limits]                  # optional; these are the defaults
//! max_segments = 5000
//! ```
//!
//! What one message costs a mapping is bounded ([`Limits`]): before reading an HL7 v2 message
//! the mapping checks its segments, fields, repetitions and components against the caps, and a
//! message past one is rejected ([`RejectionKind::TooLarge`]) naming the cap. An empty
//! repetition (or an empty item of a JSON array) is no occurrence of a block that repeats over
//! it, and occurrence `n` of a segment is found without scanning the others, so the records and
//! the time a message costs grow with what it holds, not with its separators.
//!
//! This file is long because the mapping language is one unit: its rules (paths, repeats, lookups,
//! functions, `coalesce`/`concat`/`street`), their checks at load, and the reader that evaluates
//! them over HL7 v2 and JSON.

mod records;

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Deserialize;

use crate::canonical::{FieldValue, PATIENT_FIELDS};
use crate::config::problem::{Document, Problem};
use crate::hl7v2;
use crate::message::{Format, Message, Rejection, RejectionKind, json_field, json_items};
pub use records::{
    ChargeRecord, ClinicalRecords, CoverageRecord, EncounterRecord, Occurrence, Records, Values,
    parse_decimal, street_line,
};

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

/// The full form of a field rule. Evaluated as: `value`, else `street`, else `path`, else
/// `coalesce`, else `concat`; then `fn` in order, then `lookup`; `default` when the result has
/// no value (absent or cleared).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Wire path.
    #[serde(default)]
    pub path: Option<String>,
    /// An HL7 v2 SAD (XAD-1, e.g. `PID-11.1`: street address & street name & dwelling number)
    /// read as one street line (see [`street_line`]).
    #[serde(default)]
    pub street: Option<String>,
    /// Paths (or rules) whose values are joined with `separator`; cleared when none has a
    /// value and one is cleared.
    #[serde(default)]
    pub concat: Vec<FieldRule>,
    /// Paths (or rules) tried in order; the first value wins; cleared when none has a value
    /// and one is cleared.
    #[serde(default)]
    pub coalesce: Vec<FieldRule>,
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
    /// Name of a table in `[lookups]`, matched exactly, else ignoring ASCII case; values not
    /// in the table pass unchanged. For a whole HL7 v2 field, a code not in the table is
    /// looked up by its text (second component).
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
    /// Caps on what one message may hold for this mapping to read it.
    #[serde(default)]
    pub limits: Limits,
}

/// Caps on the work one message may cost a mapping (`[limits]` in the mapping file). Each is
/// between 1 and 9999 (the largest number a path can name). A message past one is rejected with
/// the cap's name and where: an MLLP sender gets AE with ERR code 104 (Value too long), an
/// HTTP sender 422; the message is stored with status `error`.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Segments in an HL7 v2 message (MSH included).
    pub max_segments: usize,
    /// Fields in one HL7 v2 segment.
    pub max_fields: usize,
    /// Repetitions of one HL7 v2 field; items of a JSON array that a block repeats over.
    pub max_repetitions: usize,
    /// Components of one repetition of an HL7 v2 field.
    pub max_components: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_segments: 5000,
            max_fields: 500,
            max_repetitions: 1000,
            max_components: 100,
        }
    }
}

impl Limits {
    /// The caps as the HL7 v2 reader checks them.
    fn hl7v2(&self) -> hl7v2::Limits {
        hl7v2::Limits {
            segments: self.max_segments,
            fields: self.max_fields,
            repetitions: self.max_repetitions,
            components: self.max_components,
        }
    }

    /// Each cap with its name, for validation.
    fn named(&self) -> [(&'static str, usize); 4] {
        [
            ("max_segments", self.max_segments),
            ("max_fields", self.max_fields),
            ("max_repetitions", self.max_repetitions),
            ("max_components", self.max_components),
        ]
    }
}

/// The rejection of a message past a cap, naming it.
fn too_large(what: impl std::fmt::Display, limit: &str, max: usize) -> MappingError {
    MappingError::new(
        RejectionKind::TooLarge,
        format!("{what}, past the mapping's limit {limit} = {max}"),
    )
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
        "patient" => (&PATIENT_FIELDS, &[]),
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
        // A coverage whose payer_id or payer_name is SELF or SELF PAY is self-pay (see
        // `records`): no coverage, the visit is marked self-pay.
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
        Mapping::parse(&file, &text)
    }

    /// Reads and validates the text of a mapping file (`file` names it in problems).
    pub fn parse(file: &Path, text: &str) -> Result<Mapping, Problem> {
        let doc = Document::parse(file, text)?;
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
        for (name, value) in self.limits.named() {
            if !(1..=hl7v2::path::MAX_INDEX).contains(&value) {
                problems.push(doc.problem(
                    format!("limits.{name}"),
                    format!("must be between 1 and {}", hl7v2::path::MAX_INDEX),
                ));
            }
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
                for reason in self.rule_problems(block.repeat.as_deref(), &rule.spec()) {
                    problems.push(doc.problem(at.clone(), reason));
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

    /// What is wrong with one rule and the rules nested in its `coalesce` and `concat`.
    fn rule_problems(&self, repeat: Option<&str>, spec: &RuleSpec) -> Vec<String> {
        let mut problems = Vec::new();
        for function in &spec.functions {
            if !FUNCTIONS.contains(&function.as_str()) {
                problems.push(format!(
                    "unknown function '{function}' (use {})",
                    FUNCTIONS.join(", ")
                ));
            }
        }
        if let Some(table) = &spec.lookup
            && !self.lookups.contains_key(table)
        {
            problems.push(format!("no table [lookups.{table}]"));
        }
        if spec.path.is_none()
            && spec.street.is_none()
            && spec.concat.is_empty()
            && spec.coalesce.is_empty()
            && spec.value.is_none()
        {
            problems.push("needs a path, street, coalesce, concat or value".to_string());
        }
        if (spec.repetitions || spec.every_segment)
            && (spec.path.is_none() || self.format != "hl7v2")
        {
            problems.push("repetitions and every_segment need an HL7 v2 path".to_string());
        }
        if spec.street.is_some() && self.format != "hl7v2" {
            problems.push("street reads an HL7 v2 SAD; this mapping is not HL7 v2".to_string());
        }
        for path in spec.path.iter().chain(&spec.street) {
            if let Err(reason) = self.check_path(repeat, path) {
                problems.push(reason);
            }
        }
        for nested in spec.coalesce.iter().chain(&spec.concat) {
            problems.extend(self.rule_problems(repeat, &nested.spec()));
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
        let reader = Reader::new(message, &self.limits)?;
        let evaluate = |block: &Block, index: usize| self.evaluate(&reader, block, index);
        let each = |blocks: &[Block]| -> Result<Vec<Occurrence>, MappingError> {
            let mut occurrences = Vec::new();
            for block in blocks {
                let indices = match block.repeat.as_deref() {
                    Some(repeat) => reader.occurrences(repeat, &self.limits)?,
                    None => vec![1],
                };
                occurrences.extend(
                    indices
                        .into_iter()
                        .map(|i| (i, evaluate(block, i)))
                        .filter(|(_, values)| !values.is_empty()),
                );
            }
            Ok(occurrences)
        };
        let (mut records, warnings) = Records::build(
            self.patient.as_ref().map(|b| evaluate(b, 1)),
            each(&self.patient_identifier)?,
            each(&self.merged_identifier)?,
            self.encounter.as_ref().map(|b| evaluate(b, 1)),
            each(&self.coverage)?,
            each(&self.charge)?,
        )
        .map_err(|err| self.located(err))?;
        records.warnings = warnings
            .into_iter()
            .map(|warning| self.located(warning).to_string())
            .map(|text| text.trim_start_matches("mapping: ").to_string())
            .collect();
        Ok(records)
    }

    /// `err` with the wire path of the field it concerns.
    fn located(&self, mut err: MappingError) -> MappingError {
        err.location = err
            .field
            .as_ref()
            .and_then(|(block, occurrence, field)| self.wire_path(block, *occurrence, field));
        err
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
        let path = block.fields.get(field)?.spec().first_path()?;
        Some(if self.format == "hl7v2" {
            resolve_hl7(block.repeat.as_deref(), &path, occurrence)
        } else {
            path
        })
    }

    /// What one block occurrence says: each field that is cleared or has a value.
    fn evaluate(&self, reader: &Reader<'_>, block: &Block, index: usize) -> Values {
        block
            .fields
            .iter()
            .filter_map(|(key, rule)| {
                let value =
                    self.evaluate_rule(reader, block.repeat.as_deref(), index, &rule.spec());
                value.is_sent().then(|| (key.clone(), value))
            })
            .collect()
    }

    /// What one rule reads in occurrence `index` of its block.
    fn evaluate_rule(
        &self,
        reader: &Reader<'_>,
        repeat: Option<&str>,
        index: usize,
        spec: &RuleSpec,
    ) -> FieldValue {
        let nested = |rules: &[FieldRule]| -> Vec<FieldValue> {
            rules
                .iter()
                .map(|rule| self.evaluate_rule(reader, repeat, index, &rule.spec()))
                .collect()
        };
        let mut value = if let Some(constant) = &spec.value {
            FieldValue::Value(constant.clone())
        } else if let Some(path) = &spec.street {
            reader.street(repeat, path, index)
        } else if let Some(path) = &spec.path {
            if spec.repetitions {
                joined(reader.every_repetition(repeat, path, index), ",")
            } else if spec.every_segment {
                joined(reader.every_segment(path), ",")
            } else {
                reader.value(repeat, path, index)
            }
        } else if !spec.coalesce.is_empty() {
            let values = nested(&spec.coalesce);
            let first = values.iter().find(|v| v.as_deref().is_some()).cloned();
            first.unwrap_or_else(|| cleared_or_absent(&values))
        } else {
            let values = nested(&spec.concat);
            let parts: Vec<String> = values.iter().filter_map(FieldValue::known).collect();
            if parts.is_empty() {
                cleared_or_absent(&values)
            } else {
                joined(parts, spec.separator.as_deref().unwrap_or(" "))
            }
        };
        if let FieldValue::Value(text) = &value {
            let text = functions(&spec.functions, text);
            value = if text.is_empty() {
                FieldValue::Absent
            } else {
                FieldValue::Value(text)
            };
        }
        if let Some(table) = spec.lookup.as_ref().and_then(|t| self.lookups.get(t)) {
            let code = value.as_deref().and_then(|code| looked_up(table, code));
            // A whole field is a coded one: a code not in the table is looked up by its text.
            let text = || {
                let path = spec
                    .path
                    .as_deref()
                    .filter(|_| !spec.repetitions && !spec.every_segment)?;
                let text = reader.coded_text(repeat, path, index)?;
                looked_up(table, &functions(&spec.functions, &text))
            };
            if let Some(found) = code.or_else(text) {
                value = FieldValue::Value(found.clone());
            }
        }
        match (&value, &spec.default) {
            (FieldValue::Absent | FieldValue::Clear, Some(default)) => {
                FieldValue::Value(default.clone())
            }
            _ => value,
        }
    }
}

/// `value` with the functions applied in order.
fn functions(names: &[String], value: &str) -> String {
    names.iter().fold(value.to_string(), |value, function| {
        apply_function(function, &value)
    })
}

/// The entry of `table` for `key`: exactly, else ignoring ASCII case.
fn looked_up<'t>(table: &'t BTreeMap<String, String>, key: &str) -> Option<&'t String> {
    table.get(key).or_else(|| {
        table
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

/// Cleared when one of `values` is, else absent (for parts none of which has a value).
fn cleared_or_absent(values: &[FieldValue]) -> FieldValue {
    if values.contains(&FieldValue::Clear) {
        FieldValue::Clear
    } else {
        FieldValue::Absent
    }
}

/// The values joined with `separator`; absent when there are none.
fn joined(values: Vec<String>, separator: &str) -> FieldValue {
    if values.is_empty() {
        FieldValue::Absent
    } else {
        FieldValue::Value(values.join(separator))
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

impl RuleSpec {
    /// The first wire path the rule reads, for error locations.
    fn first_path(&self) -> Option<String> {
        self.path
            .clone()
            .or_else(|| self.street.clone())
            .or_else(|| {
                self.coalesce
                    .iter()
                    .chain(&self.concat)
                    .find_map(|rule| rule.spec().first_path())
            })
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

/// HL7 v2's explicit null: the receiver clears the value.
const EXPLICIT_NULL: &str = "\"\"";

/// `path` parsed, naming a component: a whole field or repetition reads its first component.
fn component_path(path: &str) -> Option<hl7v2::Path> {
    let parsed = hl7v2::Path::parse(path).ok()?;
    if parsed.component().is_some() {
        return Some(parsed);
    }
    hl7v2::Path::parse(&format!("{path}.1")).ok()
}

/// An HL7 v2 message with its segments indexed by id, so that occurrence `n` of a segment is
/// found without scanning the others (a block repeating over thousands of segments reads each
/// in constant time).
struct Hl7<'a> {
    message: hl7v2::Message<'a>,
    /// Segment id to the positions of its occurrences in the message, in order.
    by_id: HashMap<[u8; 3], Vec<usize>>,
    /// The repetitions of the last field read by repetition number, with the position of its
    /// segment and its number: a block repeating over a field reads each repetition in
    /// constant time rather than by counting separators from the start of the field.
    repeated: RefCell<Option<SplitField<'a>>>,
}

/// A field split into its repetitions, with the position of its segment and its number.
type SplitField<'a> = ((usize, usize), Vec<hl7v2::Repetition<'a>>);

impl<'a> Hl7<'a> {
    fn new(message: hl7v2::Message<'a>) -> Self {
        let mut by_id: HashMap<[u8; 3], Vec<usize>> = HashMap::new();
        for (index, segment) in message.segments().enumerate() {
            if let Some(id) = segment.raw().get(..3).and_then(|id| id.try_into().ok()) {
                by_id.entry(id).or_default().push(index);
            }
        }
        Hl7 {
            message,
            by_id,
            repeated: RefCell::new(None),
        }
    }

    /// How many segments have the id `id`.
    fn occurrences(&self, id: &str) -> usize {
        self.positions(id).len()
    }

    fn positions(&self, id: &str) -> &[usize] {
        <[u8; 3]>::try_from(id.as_bytes())
            .ok()
            .and_then(|id| self.by_id.get(&id))
            .map_or(&[], Vec::as_slice)
    }

    /// The position in the message of occurrence `occurrence` (from 1) of segment `id`.
    fn position(&self, id: &str, occurrence: usize) -> Option<usize> {
        self.positions(id).get(occurrence.checked_sub(1)?).copied()
    }

    /// Occurrence `occurrence` (from 1) of segment `id`.
    fn segment(&self, id: &str, occurrence: usize) -> Option<hl7v2::Segment<'a>> {
        self.message.segment_at(self.position(id, occurrence)?)
    }

    /// The raw bytes at `path`, when present.
    fn raw(&self, path: &hl7v2::Path) -> Option<&'a [u8]> {
        let position = self.position(path.segment_id(), path.occurrence().unwrap_or(1))?;
        let segment = self.message.segment_at(position)?;
        match path.repetition() {
            Some(number) if number > 1 => {
                let key = (position, path.field());
                let mut repeated = self.repeated.borrow_mut();
                if repeated.as_ref().is_none_or(|(cached, _)| *cached != key) {
                    let field = segment.field(path.field())?;
                    *repeated = Some((key, field.repetitions().collect()));
                }
                let repetition = *repeated.as_ref()?.1.get(number - 1)?;
                within(repetition, path)
            }
            _ => path.locate_in(&segment),
        }
    }

    /// The decoded value at `path`, when present.
    fn get(&self, path: &hl7v2::Path) -> Option<Cow<'a, str>> {
        Some(hl7v2::unescape(self.raw(path)?, &self.message.encoding()))
    }

    /// Whether the value at `path`, or the field repetition or component that holds it, is
    /// `""`.
    fn explicitly_null(&self, path: &hl7v2::Path) -> bool {
        let repetition = path
            .field_path()
            .at_repetition(path.repetition().unwrap_or(1) as u16);
        let component = path
            .component()
            .map(|component| repetition.at_component(component as u16));
        let subcomponent = component
            .zip(path.subcomponent())
            .map(|(component, sub)| component.at_subcomponent(sub as u16));
        std::iter::once(repetition)
            .chain(component)
            .chain(subcomponent)
            .any(|holder| self.raw(&holder) == Some(EXPLICIT_NULL.as_bytes()))
    }

    /// The positions (from 1) of the non-empty repetitions of field `repeat` (`PID-3`) of the
    /// segment's first occurrence: an empty repetition is no occurrence.
    fn repetitions(&self, repeat: &str) -> Vec<usize> {
        let Some((segment, field)) = repeat.split_once('-') else {
            return Vec::new();
        };
        field
            .parse::<usize>()
            .ok()
            .and_then(|n| self.segment(segment, 1)?.field(n))
            .map(|field| {
                field
                    .repetitions()
                    .enumerate()
                    .filter(|(_, repetition)| !repetition.is_empty())
                    .map(|(i, _)| i + 1)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The non-empty values of `path` in every repetition of its field (the path's own
    /// repetition, if any, is not used), in one pass over the field.
    fn every_repetition(&self, path: &hl7v2::Path) -> Vec<String> {
        let encoding = self.message.encoding();
        let Some(field) = self
            .segment(path.segment_id(), path.occurrence().unwrap_or(1))
            .and_then(|segment| segment.field(path.field()))
        else {
            return Vec::new();
        };
        field
            .repetitions()
            .filter_map(|repetition| within(repetition, path))
            .filter(|raw| !raw.is_empty() && *raw != EXPLICIT_NULL.as_bytes())
            .map(|raw| hl7v2::unescape(raw, &encoding).into_owned())
            .collect()
    }
}

/// The raw bytes of the component and subcomponent `path` names within `repetition` (the
/// whole repetition when it names none).
fn within<'a>(repetition: hl7v2::Repetition<'a>, path: &hl7v2::Path) -> Option<&'a [u8]> {
    let Some(component) = path.component() else {
        return Some(repetition.raw());
    };
    let component = repetition.component(component)?;
    match path.subcomponent() {
        None => Some(component.raw()),
        Some(sub) => Some(component.subcomponent(sub)?.raw()),
    }
}

/// Whether a JSON item holds nothing: null, `{}`, `[]` or `""`.
fn json_empty(item: &serde_json::Value) -> bool {
    match item {
        serde_json::Value::Null => true,
        serde_json::Value::Object(fields) => fields.is_empty(),
        serde_json::Value::Array(items) => items.is_empty(),
        serde_json::Value::String(text) => text.is_empty(),
        _ => false,
    }
}

/// Reads values out of a message for a mapping.
enum Reader<'a> {
    Hl7v2(Hl7<'a>),
    Fhir(&'a serde_json::Value),
}

impl<'a> Reader<'a> {
    /// The reader of `message`, once it is within `limits`.
    fn new(message: &'a Message, limits: &Limits) -> Result<Self, MappingError> {
        if let Some(v2) = message.hl7v2() {
            limits.hl7v2().check(&v2).map_err(|exceeded| {
                let limit = format!("max_{}", exceeded.limit.counted());
                let mut err = too_large(&exceeded, &limit, exceeded.max);
                err.location = exceeded.location;
                err
            })?;
            return Ok(Reader::Hl7v2(Hl7::new(v2)));
        }
        message.json().map(Reader::Fhir).ok_or_else(|| {
            MappingError::new(
                RejectionKind::Unsupported,
                "the message is neither HL7 v2 nor JSON",
            )
        })
    }

    /// What the message says at `path`: absent when empty or missing, cleared when it (or
    /// the field, repetition or component holding it) is `""`. A whole HL7 v2 field reads as
    /// its first component.
    fn value(&self, repeat: Option<&str>, path: &str, index: usize) -> FieldValue {
        let text = match self {
            Reader::Hl7v2(message) => {
                let Some(path) = component_path(&resolve_hl7(repeat, path, index)) else {
                    return FieldValue::Absent;
                };
                if message.explicitly_null(&path) {
                    return FieldValue::Clear;
                }
                message.get(&path).map(Cow::into_owned)
            }
            Reader::Fhir(json) => {
                let full = match repeat {
                    Some(array) if path.starts_with('.') => format!("{array}.{}{path}", index - 1),
                    _ => path.to_string(),
                };
                json_field(json, &full)
            }
        };
        match text {
            Some(text) if !text.is_empty() => FieldValue::Value(text),
            _ => FieldValue::Absent,
        }
    }

    /// The text (second component) of a whole HL7 v2 field at `path`, when it has one.
    fn coded_text(&self, repeat: Option<&str>, path: &str, index: usize) -> Option<String> {
        let Reader::Hl7v2(_) = self else {
            return None;
        };
        let resolved = resolve_hl7(repeat, path, index);
        let whole = hl7v2::Path::parse(&resolved).ok()?.component().is_none();
        whole
            .then(|| self.value(None, &format!("{resolved}.2"), 1).known())
            .flatten()
    }

    /// The street line of the SAD at `path` (a component such as `PID-11.1`).
    fn street(&self, repeat: Option<&str>, path: &str, index: usize) -> FieldValue {
        let parts: Vec<FieldValue> = (1..=3)
            .map(|sub| self.value(repeat, &format!("{path}.{sub}"), index))
            .collect();
        match street_line(
            parts[0].as_deref(),
            parts[1].as_deref(),
            parts[2].as_deref(),
        ) {
            Some(line) => FieldValue::Value(line),
            None => cleared_or_absent(&parts),
        }
    }

    /// The values of `path` in every occurrence of its segment (HL7 v2 only); empty and
    /// `""` ones are left out.
    fn every_segment(&self, path: &str) -> Vec<String> {
        let (Reader::Hl7v2(message), Ok(path)) = (self, hl7v2::Path::parse(path)) else {
            return Vec::new();
        };
        message
            .message
            .get_all(&path)
            .flatten()
            .map(Cow::into_owned)
            .filter(|v| !v.is_empty() && v != EXPLICIT_NULL)
            .collect()
    }

    /// The non-empty values of `path` in every repetition of its field (HL7 v2 only).
    fn every_repetition(&self, repeat: Option<&str>, path: &str, index: usize) -> Vec<String> {
        let Reader::Hl7v2(message) = self else {
            return Vec::new();
        };
        hl7v2::Path::parse(&resolve_hl7(repeat, path, index))
            .map(|path| message.every_repetition(&path))
            .unwrap_or_default()
    }

    /// The occurrences (from 1) of a block that repeats over `repeat`: every segment with
    /// that id (`FT1`), every non-empty repetition of a field (`PID-3`), every non-empty item
    /// of a JSON array (at most `limits.max_repetitions` items).
    fn occurrences(&self, repeat: &str, limits: &Limits) -> Result<Vec<usize>, MappingError> {
        match self {
            Reader::Hl7v2(message) if repeat.contains('-') => Ok(message.repetitions(repeat)),
            Reader::Hl7v2(message) => Ok((1..=message.occurrences(repeat)).collect()),
            Reader::Fhir(json) => {
                let items = json_items(json, repeat);
                if items.len() > limits.max_repetitions {
                    let mut err = too_large(
                        format_args!("{repeat} has more than {} items", limits.max_repetitions),
                        "max_repetitions",
                        limits.max_repetitions,
                    );
                    err.location = Some(repeat.to_string());
                    return Err(err);
                }
                Ok(items
                    .iter()
                    .enumerate()
                    .filter(|(_, item)| !json_empty(item))
                    .map(|(i, _)| i + 1)
                    .collect())
            }
        }
    }
}

#[cfg(test)]
mod tests;
