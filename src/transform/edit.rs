//! Edit lists: an ordered list of edits to an HL7 v2 message, read from `mappings/NAME.toml`.
//!
//! ```toml
//! kind = "hl7v2-edit"
//! description = "Registrations for the lab"
//!
//! [tables.authority]          # lookup tables for `map`
//! GENHOSP = "GH"
//!
//! [[edit]]
//! set = "MSH-5"               # a constant
//! value = "LAB"
//!
//! [[edit]]
//! map = "PID-3[1].4"          # through a table; `default` for values not in it
//! table = "authority"
//!
//! [[edit]]
//! remove_segments = ["Z*"]
//!
//! [[edit]]
//! clear = "PID-19"
//! when = { "MSH-9.1" = "ADT", "PID-19" = { present = true } }
//! ```
//!
//! Each `[[edit]]` holds exactly one operation:
//!
//! | operation | what it does |
//! | --- | --- |
//! | `set = P`, `value = V` | writes the constant `V` at `P` (escaped) |
//! | `copy = Q`, `to = P` | writes what `Q` holds at `P`, components and repetitions kept; `Q` must name as deep a part as `P` (a component into a component or a field, not a field into a component) |
//! | `clear = P` | empties `P` |
//! | `map = P`, `table = T`, `default = D` | replaces the value at `P` by its row in table `T`; a value not in the table becomes `D`, or stays without `default` |
//! | `date = P`, `format = F`, `input = I` | rewrites the date at `P` with the chrono pattern `F` (`%Y%m%d`); read as an HL7 date/time (`YYYY[MM[DD[HH[MM[SS[.S]]]]]][+ZZZZ]`, missing parts as the start of the period, the offset dropped) or with the pattern `I` |
//! | `upper = P`, `lower = P`, `trim = P` | changes every value inside `P` (each component and repetition on its own) |
//! | `remove_segments = ["Z*", "NTE"]` | removes every segment whose id matches: an id, or a prefix and `*`; `?` is any one character |
//! | `add_segment = "ZLB\|1\|LAB"`, `after = "PID"` | inserts a segment, written with the standard delimiters `\|^~\&` (translated to the message's), after the last segment matching `after` (at the end without `after` or when none matches) |
//! | `version = "2.5.1"` or `"2.3"` | changes an ADT or ORU message between v2.3 and v2.5.1 (MSH-12), with the structural changes the target requires: up, MSH-9.3 (the message structure); down, MSH-9.3 removed, EVN-1 filled with the trigger event when empty, the fields 2.5.1 added at the ends of segments removed and OBX-2 `CWE`/`CNE` as `CE` |
//! | `keep_repetitions = P` or `drop_repetitions = P`, `where = {...}`, `first = N` | keeps (drops) the repetitions of field `P` for which every test of `where` holds, its keys relative paths (`".4"`, `".4.1"`); `keep_repetitions` with `first = N` keeps the first `N` |
//!
//! Paths are terse HL7 v2 paths (`PID-3[1].4`). A path without `[n]` names the first segment
//! with that id; `every_segment = true` applies a `set`, `clear`, `map`, `date`, case or
//! repetition edit to every segment with its id. An edit whose segment the message lacks is
//! skipped (`add_segment` adds segments). `when` holds tests on paths, all of which must hold
//! for the edit to apply, read from the message as the edits before left it: a string is equal
//! to it, or a table of `equals`, `not`, `in`, `not_in` and `present` (true: the path holds a
//! value).
//!
//! `map` and `date` work on one value: a path holding components or repetitions fails the
//! message with the edit and the path named, as does a date that does not read.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt;

use chrono::NaiveDateTime;
use chrono::format::{Item, StrftimeItems};
use serde::Deserialize;

use super::EDIT_KIND;
use super::version::Version;
use crate::config::problem::{Document, Problem};
use crate::hl7v2::{Encoding, Message, MessageBuilder, Path, escape};
use crate::message::{Rejection, RejectionKind};

/// The folder of edit list files under the root (the one mappings live in).
pub const EDITS_DIR: &str = "mappings";

/// An edit list file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct EditFile {
    /// Must be `hl7v2-edit`.
    kind: String,
    /// Free text for admins.
    #[serde(default)]
    description: String,
    /// Lookup tables for `map` edits, by name.
    #[serde(default)]
    tables: BTreeMap<String, HashMap<String, String>>,
    /// The edits, in order.
    #[serde(default)]
    edit: Vec<EditSpec>,
}

/// One `[[edit]]` as written: exactly one operation and its settings.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct EditSpec {
    set: Option<String>,
    value: Option<String>,
    copy: Option<String>,
    to: Option<String>,
    clear: Option<String>,
    map: Option<String>,
    table: Option<String>,
    default: Option<String>,
    date: Option<String>,
    format: Option<String>,
    input: Option<String>,
    upper: Option<String>,
    lower: Option<String>,
    trim: Option<String>,
    remove_segments: Option<Vec<String>>,
    add_segment: Option<String>,
    after: Option<String>,
    keep_repetitions: Option<String>,
    drop_repetitions: Option<String>,
    version: Option<String>,
    #[serde(rename = "where")]
    matching: Option<BTreeMap<String, TestSpec>>,
    first: Option<usize>,
    #[serde(default)]
    every_segment: bool,
    #[serde(default)]
    when: BTreeMap<String, TestSpec>,
}

/// A test on a value as written: a string it must equal, or a table.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum TestSpec {
    Equals(String),
    Table(Test),
}

/// A test on the value at a path (absolute, or relative to a repetition) in its table form;
/// every given part must hold.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Test {
    equals: Option<String>,
    not: Option<String>,
    #[serde(rename = "in")]
    any_of: Option<Vec<String>>,
    not_in: Option<Vec<String>>,
    present: Option<bool>,
}

impl Test {
    fn from_spec(spec: &TestSpec) -> Test {
        match spec {
            TestSpec::Equals(value) => Test {
                equals: Some(value.clone()),
                ..Test::default()
            },
            TestSpec::Table(table) => table.clone(),
        }
    }

    /// Whether the test holds for `value` (`None`: the path holds nothing; an empty value counts
    /// as nothing).
    fn holds(&self, value: Option<&str>) -> bool {
        let value = value.filter(|value| !value.is_empty());
        self.present
            .is_none_or(|present| present == value.is_some())
            && self
                .equals
                .as_deref()
                .is_none_or(|wanted| value == Some(wanted))
            && self
                .not
                .as_deref()
                .is_none_or(|unwanted| value != Some(unwanted))
            && self
                .any_of
                .as_ref()
                .is_none_or(|values| value.is_some_and(|v| values.iter().any(|w| w == v)))
            && self
                .not_in
                .as_ref()
                .is_none_or(|values| value.is_none_or(|v| !values.iter().any(|w| w == v)))
    }
}

/// A segment id pattern: an id, or a prefix and `*`; `?` is any one character.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SegmentPattern(String);

impl SegmentPattern {
    /// Reads a pattern, or says why it is none.
    pub(super) fn parse(pattern: &str) -> Result<SegmentPattern, String> {
        let (head, star) = match pattern.strip_suffix('*') {
            Some(head) => (head, true),
            None => (pattern, false),
        };
        let valid_chars = head
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '?');
        let valid_length = if star {
            (1..=2).contains(&head.len())
        } else {
            head.len() == 3
        };
        if !valid_chars || !valid_length {
            return Err(format!(
                "{pattern:?} is no segment pattern: 3 upper-case letters or digits (ZPI), or 1 or 2 and '*' (Z*); '?' is any one"
            ));
        }
        if !star && pattern == "MSH" {
            return Err("MSH cannot be removed or matched here".to_string());
        }
        Ok(SegmentPattern(pattern.to_string()))
    }

    /// Whether segment id `id` matches.
    pub(super) fn matches(&self, id: &str) -> bool {
        let (head, star) = match self.0.strip_suffix('*') {
            Some(head) => (head, true),
            None => (self.0.as_str(), false),
        };
        let same = |pattern: &str, id: &str| {
            pattern
                .bytes()
                .zip(id.bytes())
                .all(|(p, c)| p == b'?' || p == c)
        };
        if star {
            id.len() >= head.len() && same(head, id)
        } else {
            id.len() == head.len() && same(head, id)
        }
    }
}

impl fmt::Display for SegmentPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How a case edit changes values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Case {
    Upper,
    Lower,
    Trim,
}

impl Case {
    fn name(self) -> &'static str {
        match self {
            Case::Upper => "upper",
            Case::Lower => "lower",
            Case::Trim => "trim",
        }
    }

    fn apply(self, value: &str) -> Cow<'_, str> {
        match self {
            Case::Upper => Cow::Owned(value.to_uppercase()),
            Case::Lower => Cow::Owned(value.to_lowercase()),
            Case::Trim => Cow::Borrowed(value.trim()),
        }
    }
}

/// What one edit does.
#[derive(Debug, Clone, PartialEq)]
enum Operation {
    Set {
        path: Path,
        value: String,
    },
    Copy {
        from: Path,
        to: Path,
    },
    Clear {
        path: Path,
    },
    Map {
        path: Path,
        table: String,
        default: Option<String>,
    },
    Date {
        path: Path,
        format: String,
        input: Option<String>,
    },
    Case {
        path: Path,
        case: Case,
    },
    RemoveSegments {
        patterns: Vec<SegmentPattern>,
    },
    AddSegment {
        id: String,
        /// The text after `ID|`, with the standard delimiters.
        body: String,
        after: Option<SegmentPattern>,
    },
    Repetitions {
        field: Path,
        keep: bool,
        matching: Vec<(u16, Option<u16>, Test)>,
        first: Option<usize>,
    },
    Version {
        to: Version,
    },
}

impl fmt::Display for Operation {
    /// A short description for the event trail, without any value read from a message.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operation::Set { path, value } => write!(f, "set {path} = {value:?}"),
            Operation::Copy { from, to } => write!(f, "copy {from} to {to}"),
            Operation::Clear { path } => write!(f, "clear {path}"),
            Operation::Map { path, table, .. } => write!(f, "map {path} through '{table}'"),
            Operation::Date { path, format, .. } => write!(f, "date {path} as {format:?}"),
            Operation::Case { path, case } => write!(f, "{} {path}", case.name()),
            Operation::RemoveSegments { patterns } => {
                let patterns: Vec<String> = patterns.iter().map(ToString::to_string).collect();
                write!(f, "remove segments {}", patterns.join(", "))
            }
            Operation::AddSegment { id, after, .. } => match after {
                Some(after) => write!(f, "add segment {id} after {after}"),
                None => write!(f, "add segment {id}"),
            },
            Operation::Version { to } => write!(f, "change version to {}", to.as_str()),
            Operation::Repetitions { field, keep, .. } => {
                let verb = if *keep { "keep" } else { "drop" };
                write!(f, "{verb} repetitions of {field}")
            }
        }
    }
}

/// One edit: its operation, its conditions, and whether it applies to every segment.
#[derive(Debug, Clone, PartialEq)]
struct Edit {
    operation: Operation,
    when: Vec<(Path, Test)>,
    every_segment: bool,
}

/// A loaded, checked edit list.
#[derive(Debug, Clone, PartialEq)]
pub struct EditList {
    /// The file's name without `.toml`.
    pub name: String,
    /// Free text for admins.
    pub description: String,
    tables: BTreeMap<String, HashMap<String, String>>,
    edits: Vec<Edit>,
}

/// What an edit list made of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edited {
    /// The edited message, segments ended by `\r`.
    pub bytes: Vec<u8>,
    /// One line per applied edit, and one per reason naming the edits skipped, for the event
    /// trail.
    pub trail: Vec<String>,
}

impl EditList {
    /// Loads and checks `mappings/NAME.toml` under `root`.
    pub fn load(root: &std::path::Path, name: &str) -> Result<EditList, Problem> {
        let (file, text) = super::read_named(root, name, "toml", "edit list")?;
        EditList::parse(name, &file, &text)
    }

    /// Reads and checks the text of an edit list file (`file` names it in problems); the
    /// first problem, with its line, when there is one.
    pub fn parse(name: &str, file: &std::path::Path, text: &str) -> Result<EditList, Problem> {
        let doc = Document::parse(file, text)?;
        let spec: EditFile = doc.deserialize()?;
        if spec.kind != EDIT_KIND {
            return Err(doc.problem("kind", format!("must be \"{EDIT_KIND}\"")));
        }
        let mut edits = Vec::with_capacity(spec.edit.len());
        for (index, edit) in spec.edit.iter().enumerate() {
            let at = |field: &str| format!("edit[{index}].{field}");
            let edit = compile(edit, &spec.tables)
                .map_err(|(field, reason)| doc.problem(at(field), reason))?;
            edits.push(edit);
        }
        Ok(EditList {
            name: name.to_string(),
            description: spec.description,
            tables: spec.tables,
            edits,
        })
    }

    /// How many edits the list holds.
    pub fn len(&self) -> usize {
        self.edits.len()
    }

    /// Whether the list holds no edit.
    pub fn is_empty(&self) -> bool {
        self.edits.is_empty()
    }

    /// Applies the edits in order to `message` and writes the result with its delimiters, or
    /// says which edit cannot work with the message and where.
    pub fn apply(&self, message: &Message<'_>) -> Result<Edited, Rejection> {
        let mut builder = MessageBuilder::from_message(message);
        let mut trail = Vec::new();
        // The edits that did not apply, by why: a `when` that did not hold, nothing to edit.
        let (mut unmet, mut idle) = (Vec::new(), Vec::new());
        for (index, edit) in self.edits.iter().enumerate() {
            let number = index + 1;
            let holds = edit
                .when
                .iter()
                .all(|(path, test)| test.holds(builder.get(path).as_deref()));
            if !holds {
                unmet.push(number.to_string());
                continue;
            }
            let applied = self
                .apply_edit(&mut builder, edit)
                .map_err(|(path, reason)| {
                    Rejection::new(
                        RejectionKind::InvalidValue,
                        format!(
                            "edit list '{}', edit {number} ({}): {path}: {reason}",
                            self.name, edit.operation
                        ),
                    )
                    .at(Some(path))
                })?;
            if applied {
                trail.push(format!(
                    "edit list '{}', edit {number}: {}",
                    self.name, edit.operation
                ));
            } else {
                idle.push(number.to_string());
            }
        }
        for (skipped, why) in [
            (unmet, "a `when` did not hold"),
            (idle, "nothing to edit (no such segment or value)"),
        ] {
            if !skipped.is_empty() {
                trail.push(format!(
                    "edit list '{}': edits {} did not apply: {why}",
                    self.name,
                    skipped.join(", ")
                ));
            }
        }
        Ok(Edited {
            bytes: builder.build(),
            trail,
        })
    }

    /// Applies one edit; `Ok(false)` when there was nothing to edit, `Err((path, reason))` when
    /// the message holds something the edit cannot work with.
    fn apply_edit(
        &self,
        builder: &mut MessageBuilder,
        edit: &Edit,
    ) -> Result<bool, (String, String)> {
        match &edit.operation {
            Operation::RemoveSegments { patterns } => {
                let removed = builder.retain_segments(|id| !patterns.iter().any(|p| p.matches(id)));
                Ok(removed > 0)
            }
            Operation::Version { to } => super::version::change(builder, *to),
            Operation::AddSegment { id, body, after } => {
                let encoding = builder.encoding();
                let body = translate(body, &encoding);
                let ids: Vec<&str> = builder.segment_ids().collect();
                let index = after
                    .as_ref()
                    .and_then(|after| ids.iter().rposition(|id| after.matches(id)))
                    .map_or(ids.len(), |at| at + 1);
                builder
                    .insert_segment(index, id, body.as_bytes())
                    .map_err(|err| (id.clone(), err.to_string()))?;
                Ok(true)
            }
            operation => {
                let Some(target) = operation_path(operation) else {
                    return Ok(false);
                };
                let occurrences: Vec<Option<u16>> = if edit.every_segment {
                    let count = builder
                        .segment_ids()
                        .filter(|id| *id == target.segment_id())
                        .count();
                    (1..=count)
                        .filter_map(|n| u16::try_from(n).ok())
                        .map(Some)
                        .collect()
                } else {
                    vec![None]
                };
                let mut applied = false;
                for occurrence in occurrences {
                    applied |= self.apply_at(builder, operation, occurrence)?;
                }
                Ok(applied)
            }
        }
    }

    /// Applies a path edit in segment occurrence `occurrence` (`None`: as its path says).
    fn apply_at(
        &self,
        builder: &mut MessageBuilder,
        operation: &Operation,
        occurrence: Option<u16>,
    ) -> Result<bool, (String, String)> {
        let place = |path: &Path| match occurrence {
            Some(n) => path.in_occurrence(n),
            None => *path,
        };
        let segment_present = |builder: &MessageBuilder, path: &Path| {
            let wanted = path.occurrence().unwrap_or(1);
            builder
                .segment_ids()
                .filter(|id| *id == path.segment_id())
                .count()
                >= wanted
        };
        let failed =
            |path: &Path, err: crate::hl7v2::BuildError| (path.to_string(), err.to_string());
        match operation {
            Operation::Set { path, value } => {
                let path = place(path);
                if !segment_present(builder, &path) {
                    return Ok(false);
                }
                builder
                    .set_path(&path, value)
                    .map_err(|e| failed(&path, e))?;
                Ok(true)
            }
            Operation::Clear { path } => {
                let path = place(path);
                if builder.get_raw(&path).is_none_or(<[u8]>::is_empty) {
                    return Ok(false);
                }
                builder.set_path(&path, "").map_err(|e| failed(&path, e))?;
                Ok(true)
            }
            Operation::Copy { from, to } => {
                let to = place(to);
                if !segment_present(builder, &to) {
                    return Ok(false);
                }
                let raw = builder.get_raw(from).unwrap_or_default().to_vec();
                builder.set_raw(&to, &raw).map_err(|e| failed(&to, e))?;
                Ok(true)
            }
            Operation::Map {
                path,
                table,
                default,
            } => rewrite_value(builder, &place(path), |value| {
                let row = self.tables.get(table).and_then(|rows| rows.get(value));
                Ok(row.or(default.as_ref()).cloned())
            }),
            Operation::Date {
                path,
                format,
                input,
            } => rewrite_value(builder, &place(path), |value| {
                let moment = match input {
                    Some(pattern) => read_with_pattern(value, pattern),
                    None => read_hl7_datetime(value),
                };
                let expected = input.as_deref().unwrap_or("an HL7 date/time");
                moment
                    .map(|moment| Some(moment.format(format).to_string()))
                    .ok_or_else(|| format!("{value:?} is not a date as {expected:?}"))
            }),
            Operation::Case { path, case } => {
                let path = place(path);
                let Some(raw) = builder.get_raw(&path) else {
                    return Ok(false);
                };
                let changed = change_values(raw, &builder.encoding(), *case);
                if changed.as_slice() == raw {
                    return Ok(true);
                }
                builder
                    .set_raw(&path, &changed)
                    .map_err(|e| failed(&path, e))?;
                Ok(true)
            }
            Operation::Repetitions {
                field,
                keep,
                matching,
                first,
            } => {
                let field = place(field);
                let Some(raw) = builder.get_raw(&field) else {
                    return Ok(false);
                };
                let separator = builder.encoding().repetition_separator();
                let count = raw.split(|&b| b == separator).count();
                let mut kept: Vec<Vec<u8>> = Vec::new();
                for number in 1..=count {
                    let Ok(repetition) = u16::try_from(number) else {
                        break;
                    };
                    let at = field.at_repetition(repetition);
                    let selected = match first {
                        Some(first) => number <= *first,
                        None => matching.iter().all(|(component, subcomponent, test)| {
                            let mut path = at.at_component(*component);
                            if let Some(subcomponent) = subcomponent {
                                path = path.at_subcomponent(*subcomponent);
                            }
                            test.holds(builder.get(&path).as_deref())
                        }),
                    };
                    if selected == *keep {
                        kept.push(builder.get_raw(&at).unwrap_or_default().to_vec());
                    }
                }
                let joined = kept.join(&separator);
                builder
                    .set_raw(&field, &joined)
                    .map_err(|e| failed(&field, e))?;
                Ok(true)
            }
            Operation::RemoveSegments { .. }
            | Operation::AddSegment { .. }
            | Operation::Version { .. } => Ok(false),
        }
    }
}

/// The path a path edit works on; `None` for segment edits.
fn operation_path(operation: &Operation) -> Option<Path> {
    Some(match operation {
        Operation::Set { path, .. }
        | Operation::Clear { path }
        | Operation::Map { path, .. }
        | Operation::Date { path, .. }
        | Operation::Case { path, .. } => *path,
        Operation::Copy { to, .. } => *to,
        Operation::Repetitions { field, .. } => *field,
        Operation::RemoveSegments { .. }
        | Operation::AddSegment { .. }
        | Operation::Version { .. } => return None,
    })
}

/// Replaces the one value at `path` by what `change` makes of it: `Ok(false)` when the path
/// holds nothing or `change` answers `None`; the path and the reason when the path holds more
/// than one value or `change` fails.
fn rewrite_value(
    builder: &mut MessageBuilder,
    path: &Path,
    change: impl FnOnce(&str) -> Result<Option<String>, String>,
) -> Result<bool, (String, String)> {
    let Some(value) = single_value(builder, path)? else {
        return Ok(false);
    };
    let Some(changed) = change(&value).map_err(|reason| (path.to_string(), reason))? else {
        return Ok(false);
    };
    builder
        .set_path(path, &changed)
        .map_err(|err| (path.to_string(), err.to_string()))?;
    Ok(true)
}

/// The one value at `path`: `None` when absent or empty; an error when it holds components,
/// repetitions or subcomponents.
fn single_value(builder: &MessageBuilder, path: &Path) -> Result<Option<String>, (String, String)> {
    let Some(raw) = builder.get_raw(path) else {
        return Ok(None);
    };
    if raw.is_empty() {
        return Ok(None);
    }
    let encoding = builder.encoding();
    let structural = [
        encoding.repetition_separator(),
        encoding.component_separator(),
        encoding.subcomponent_separator(),
    ];
    if raw.iter().any(|byte| structural.contains(byte)) {
        return Err((
            path.to_string(),
            "holds more than one value (components or repetitions); name one part, e.g. .1"
                .to_string(),
        ));
    }
    Ok(builder.get(path).map(Cow::into_owned))
}

/// `raw` with every value between delimiters changed by `case`, the delimiters kept.
fn change_values(raw: &[u8], encoding: &Encoding, case: Case) -> Vec<u8> {
    let delimiters = [
        encoding.repetition_separator(),
        encoding.component_separator(),
        encoding.subcomponent_separator(),
    ];
    let mut out = Vec::with_capacity(raw.len());
    for piece in raw.split_inclusive(|byte| delimiters.contains(byte)) {
        let (value, delimiter) = match piece.split_last() {
            Some((last, value)) if delimiters.contains(last) => (value, Some(*last)),
            _ => (piece, None),
        };
        let decoded = crate::hl7v2::unescape(value, encoding);
        let changed = case.apply(&decoded);
        out.extend_from_slice(escape(&changed, encoding).as_bytes());
        out.extend(delimiter);
    }
    out
}

/// `text` written with the standard delimiters `|^~\&`, rewritten with `encoding`'s: each
/// standard delimiter becomes the message's, and any other character that is one of the
/// message's delimiters is escaped.
fn translate(text: &str, encoding: &Encoding) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let mapped = match c {
            '|' => Some(encoding.field_separator()),
            '^' => Some(encoding.component_separator()),
            '~' => Some(encoding.repetition_separator()),
            '\\' => Some(encoding.escape_character()),
            '&' => Some(encoding.subcomponent_separator()),
            _ => None,
        };
        match mapped {
            Some(byte) => out.push(char::from(byte)),
            None => out.push_str(&escape(c.encode_utf8(&mut [0; 4]), encoding)),
        }
    }
    out
}

/// An HL7 date/time `YYYY[MM[DD[HH[MM[SS[.S...]]]]]][+/-ZZZZ]`, missing parts as the start of
/// the period; the offset is dropped.
fn read_hl7_datetime(value: &str) -> Option<NaiveDateTime> {
    let value = value.trim();
    let offset_at = value.len().checked_sub(5);
    let has_offset = offset_at.is_some_and(|at| {
        let bytes = value.as_bytes();
        matches!(bytes.get(at), Some(b'+' | b'-'))
            && bytes
                .get(at + 1..)
                .is_some_and(|zone| zone.iter().all(u8::is_ascii_digit))
    });
    let without_offset = match offset_at {
        Some(at) if has_offset => value.get(..at).unwrap_or_default(),
        _ => value,
    };
    let (digits, fraction) = match without_offset.split_once('.') {
        Some((digits, fraction)) => (digits, Some(fraction)),
        None => (without_offset, None),
    };
    if !digits.bytes().all(|b| b.is_ascii_digit())
        || ![4, 6, 8, 10, 12, 14].contains(&digits.len())
        || fraction.is_some_and(|f| f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let part = |range: std::ops::Range<usize>, default: u32| {
        digits
            .get(range)
            .map_or(Some(default), |text| text.parse().ok())
    };
    let year = i32::try_from(part(0..4, 0)?).ok()?;
    let date = chrono::NaiveDate::from_ymd_opt(year, part(4..6, 1)?, part(6..8, 1)?)?;
    date.and_hms_opt(part(8..10, 0)?, part(10..12, 0)?, part(12..14, 0)?)
}

/// A date/time read with a chrono pattern; a pattern without a time reads a date at midnight.
fn read_with_pattern(value: &str, pattern: &str) -> Option<NaiveDateTime> {
    let value = value.trim();
    NaiveDateTime::parse_from_str(value, pattern)
        .ok()
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(value, pattern)
                .ok()
                .and_then(|date| date.and_hms_opt(0, 0, 0))
        })
}

/// Whether `pattern` is a chrono pattern without errors.
fn valid_pattern(pattern: &str) -> bool {
    !pattern.is_empty() && StrftimeItems::new(pattern).all(|item| !matches!(item, Item::Error))
}

/// A compile problem: the field of the edit and the reason.
type Fault = (&'static str, String);

/// Checks one edit as written and turns it into an [`Edit`].
fn compile(
    spec: &EditSpec,
    tables: &BTreeMap<String, HashMap<String, String>>,
) -> Result<Edit, Fault> {
    let operations: Vec<&'static str> = [
        ("set", spec.set.is_some()),
        ("copy", spec.copy.is_some()),
        ("clear", spec.clear.is_some()),
        ("map", spec.map.is_some()),
        ("date", spec.date.is_some()),
        ("upper", spec.upper.is_some()),
        ("lower", spec.lower.is_some()),
        ("trim", spec.trim.is_some()),
        ("remove_segments", spec.remove_segments.is_some()),
        ("add_segment", spec.add_segment.is_some()),
        ("keep_repetitions", spec.keep_repetitions.is_some()),
        ("drop_repetitions", spec.drop_repetitions.is_some()),
        ("version", spec.version.is_some()),
    ]
    .into_iter()
    .filter_map(|(name, given)| given.then_some(name))
    .collect();
    let operation_name = match operations.as_slice() {
        [one] => *one,
        [] => {
            return Err((
                "set",
                "an edit needs one operation: set, copy, clear, map, date, upper, lower, trim, remove_segments, add_segment, keep_repetitions, drop_repetitions or version".to_string(),
            ));
        }
        [_, second, ..] => {
            return Err((
                second,
                format!(
                    "an edit holds one operation; this one also has {}",
                    operations.join(", ")
                ),
            ));
        }
    };
    let operation = compile_operation(operation_name, spec, tables)?;
    let allowed = settings_of(operation_name);
    let given = [
        ("value", spec.value.is_some()),
        ("to", spec.to.is_some()),
        ("table", spec.table.is_some()),
        ("default", spec.default.is_some()),
        ("format", spec.format.is_some()),
        ("input", spec.input.is_some()),
        ("after", spec.after.is_some()),
        ("where", spec.matching.is_some()),
        ("first", spec.first.is_some()),
        ("every_segment", spec.every_segment),
    ];
    if let Some((name, _)) = given
        .iter()
        .find(|(name, given)| *given && !allowed.contains(name))
    {
        return Err((
            name,
            format!(
                "not a setting of {operation_name} (it takes {})",
                allowed.join(", ")
            ),
        ));
    }
    if spec.every_segment
        && operation_path(&operation).is_some_and(|path| path.occurrence().is_some())
    {
        return Err((
            "every_segment",
            "the path names one segment occurrence ([n]); drop it or every_segment".to_string(),
        ));
    }
    let mut when = Vec::with_capacity(spec.when.len());
    for (path, test) in &spec.when {
        when.push((
            edit_path(path).map_err(|reason| ("when", reason))?,
            Test::from_spec(test),
        ));
    }
    Ok(Edit {
        operation,
        when,
        every_segment: spec.every_segment,
    })
}

/// The settings each operation takes besides its own key and `when`.
fn settings_of(operation: &str) -> &'static [&'static str] {
    match operation {
        "set" => &["value", "every_segment"],
        "copy" => &["to", "every_segment"],
        "map" => &["table", "default", "every_segment"],
        "date" => &["format", "input", "every_segment"],
        "add_segment" => &["after"],
        "keep_repetitions" => &["where", "first", "every_segment"],
        "drop_repetitions" => &["where", "every_segment"],
        "remove_segments" | "version" => &[],
        _ => &["every_segment"],
    }
}

/// A path an edit reads or writes: valid, and not MSH-1 or MSH-2 (written from the encoding).
fn edit_path(text: &str) -> Result<Path, String> {
    let path = Path::parse(text).map_err(|err| err.to_string())?;
    if ["MSH", "BHS", "FHS"].contains(&path.segment_id()) && path.field() <= 2 {
        return Err(format!(
            "{path} holds the message's delimiters, which edits keep as they are"
        ));
    }
    Ok(path)
}

/// How deep a path reaches: 0 a whole field, 1 a repetition, 2 a component, 3 a subcomponent.
fn depth(path: &Path) -> u8 {
    match (path.repetition(), path.component(), path.subcomponent()) {
        (_, _, Some(_)) => 3,
        (_, Some(_), None) => 2,
        (Some(_), None, None) => 1,
        (None, None, None) => 0,
    }
}

fn compile_operation(
    name: &'static str,
    spec: &EditSpec,
    tables: &BTreeMap<String, HashMap<String, String>>,
) -> Result<Operation, Fault> {
    let path_of = |text: &Option<String>| -> Result<Path, Fault> {
        edit_path(text.as_deref().unwrap_or_default()).map_err(|reason| (name, reason))
    };
    let required = |field: &'static str, value: &Option<String>| -> Result<String, Fault> {
        value
            .clone()
            .ok_or_else(|| (field, format!("{name} needs '{field}'")))
    };
    match name {
        "set" => Ok(Operation::Set {
            path: path_of(&spec.set)?,
            value: required("value", &spec.value)?,
        }),
        "copy" => {
            let from = path_of(&spec.copy)?;
            let to = edit_path(&required("to", &spec.to)?).map_err(|reason| ("to", reason))?;
            if depth(&from) < depth(&to) {
                return Err((
                    "to",
                    format!(
                        "{from} can hold delimiters that {to} cannot; copy a part at least as deep as the target"
                    ),
                ));
            }
            Ok(Operation::Copy { from, to })
        }
        "clear" => Ok(Operation::Clear {
            path: path_of(&spec.clear)?,
        }),
        "map" => {
            let table = required("table", &spec.table)?;
            if !tables.contains_key(&table) {
                let known: Vec<&str> = tables.keys().map(String::as_str).collect();
                return Err((
                    "table",
                    format!(
                        "no table '{table}' in [tables] (there are: {})",
                        if known.is_empty() {
                            "none".to_string()
                        } else {
                            known.join(", ")
                        }
                    ),
                ));
            }
            Ok(Operation::Map {
                path: path_of(&spec.map)?,
                table,
                default: spec.default.clone(),
            })
        }
        "date" => {
            let format = required("format", &spec.format)?;
            if !valid_pattern(&format) {
                return Err((
                    "format",
                    format!("{format:?} is no valid date pattern (chrono, e.g. %Y%m%d)"),
                ));
            }
            if let Some(input) = &spec.input
                && !valid_pattern(input)
            {
                return Err((
                    "input",
                    format!("{input:?} is no valid date pattern (chrono, e.g. %m/%d/%Y)"),
                ));
            }
            Ok(Operation::Date {
                path: path_of(&spec.date)?,
                format,
                input: spec.input.clone(),
            })
        }
        "upper" => Ok(Operation::Case {
            path: path_of(&spec.upper)?,
            case: Case::Upper,
        }),
        "lower" => Ok(Operation::Case {
            path: path_of(&spec.lower)?,
            case: Case::Lower,
        }),
        "trim" => Ok(Operation::Case {
            path: path_of(&spec.trim)?,
            case: Case::Trim,
        }),
        "remove_segments" => {
            let patterns = spec.remove_segments.as_deref().unwrap_or_default();
            if patterns.is_empty() {
                return Err((name, "needs at least one segment id or pattern".to_string()));
            }
            let patterns = patterns
                .iter()
                .map(|pattern| SegmentPattern::parse(pattern))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|reason| (name, reason))?;
            Ok(Operation::RemoveSegments { patterns })
        }
        "version" => {
            let text = spec.version.as_deref().unwrap_or_default();
            let to = Version::parse(text).ok_or_else(|| {
                (
                    name,
                    format!("{text:?}: versions change to \"2.3\" or \"2.5.1\""),
                )
            })?;
            Ok(Operation::Version { to })
        }
        "add_segment" => {
            let text = spec.add_segment.as_deref().unwrap_or_default();
            let (id, body) = text.split_once('|').unwrap_or((text, ""));
            let id_valid = id.len() == 3
                && id
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
            if !id_valid || ["MSH", "BHS", "FHS"].contains(&id) {
                return Err((
                    name,
                    format!(
                        "{text:?} must start with a segment id (3 upper-case letters or digits, not a header) and '|'"
                    ),
                ));
            }
            if body.contains(['\r', '\n']) {
                return Err((name, "a segment holds no line end".to_string()));
            }
            let after = spec
                .after
                .as_deref()
                .map(SegmentPattern::parse)
                .transpose()
                .map_err(|reason| ("after", reason))?;
            Ok(Operation::AddSegment {
                id: id.to_string(),
                body: body.to_string(),
                after,
            })
        }
        _ => {
            let keep = name == "keep_repetitions";
            let text = if keep {
                &spec.keep_repetitions
            } else {
                &spec.drop_repetitions
            };
            let field = path_of(text)?;
            if depth(&field) != 0 {
                return Err((name, format!("{field} must name a whole field, e.g. PID-3")));
            }
            let mut matching = Vec::new();
            for (relative, test) in spec.matching.iter().flatten() {
                let (component, subcomponent) = relative_path(relative).ok_or_else(|| {
                    (
                        "where",
                        format!("{relative:?} is no relative path (.4 or .4.1)"),
                    )
                })?;
                matching.push((component, subcomponent, Test::from_spec(test)));
            }
            match (matching.is_empty(), spec.first) {
                (true, None) => Err((name, "needs `where` tests or `first = N`".to_string())),
                (false, Some(_)) => Err(("first", "give `where` or `first`, not both".to_string())),
                (_, Some(0)) => Err(("first", "must be at least 1".to_string())),
                _ => Ok(Operation::Repetitions {
                    field,
                    keep,
                    matching,
                    first: spec.first,
                }),
            }
        }
    }
}

/// A relative path `.C` or `.C.S` (1-based numbers).
fn relative_path(text: &str) -> Option<(u16, Option<u16>)> {
    let mut numbers = text.strip_prefix('.')?.split('.');
    let number = |part: Option<&str>| part?.parse::<u16>().ok().filter(|n| (1..=9999).contains(n));
    let component = number(numbers.next())?;
    let subcomponent = match numbers.next() {
        Some(part) => Some(number(Some(part))?),
        None => None,
    };
    numbers
        .next()
        .is_none()
        .then_some((component, subcomponent))
}

#[cfg(test)]
mod tests;
