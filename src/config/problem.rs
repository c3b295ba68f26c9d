//! Precise configuration problems: `file:line: field: reason`, and the TOML loader that finds them.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use toml::de::{DeTable, DeValue};

/// One thing wrong with one configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file the problem is in.
    pub file: PathBuf,
    /// 1-based line of the offending key or value, when it could be located.
    pub line: Option<usize>,
    /// Dotted path of the field, e.g. `source.port` or `destinations[1].url`; empty for the file itself.
    pub field: String,
    /// What is wrong, in words an admin can act on.
    pub reason: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        let field = if self.field.is_empty() {
            "(file)"
        } else {
            &self.field
        };
        write!(f, ": {field}: {}", self.reason)
    }
}

/// Every problem found while loading a configuration; the error type of the config layer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigErrors(pub Vec<Problem>);

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

/// A parsed TOML document kept with its text so that later (semantic) checks can point at lines.
pub struct Document<'a> {
    file: &'a Path,
    text: &'a str,
    table: toml::Spanned<DeTable<'a>>,
}

impl<'a> Document<'a> {
    /// Parses `text` (the contents of `file`) as TOML, reporting a syntax error with its line.
    pub fn parse(file: &'a Path, text: &'a str) -> Result<Self, Problem> {
        match DeTable::parse(text) {
            Ok(table) => Ok(Document { file, text, table }),
            Err(err) => Err(Problem {
                file: file.to_path_buf(),
                line: err.span().map(|span| line_of(text, span.start)),
                field: String::new(),
                reason: format!("invalid TOML: {}", err.message().trim()),
            }),
        }
    }

    /// Deserializes the whole document into `T`, naming the field and line of the first mismatch.
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T, Problem> {
        let deserializer = toml::Deserializer::parse(self.text).map_err(|err| Problem {
            file: self.file.to_path_buf(),
            line: err.span().map(|span| line_of(self.text, span.start)),
            field: String::new(),
            reason: format!("invalid TOML: {}", err.message().trim()),
        })?;
        serde_path_to_error::deserialize(deserializer).map_err(|err| {
            let mut field = err.path().to_string();
            if field == "." {
                field.clear();
            }
            let inner = err.into_inner();
            let reason = inner.message().trim().to_string();
            // For an unknown or missing field, point at that field rather than its table.
            if let Some(name) = quoted_field(&reason, "unknown field `")
                && field.rsplit('.').next() != Some(name)
            {
                field = join_field(&field, name);
            }
            let line = self
                .line_of_field(&field)
                .or_else(|| inner.span().map(|span| line_of(self.text, span.start)));
            self.problem_at_line(line, field, reason)
        })
    }

    /// A problem with `field` (dotted path as produced by [`Problem::field`]), located in this document.
    pub fn problem(&self, field: impl Into<String>, reason: impl Into<String>) -> Problem {
        let field = field.into();
        let line = self.line_of_field(&field);
        self.problem_at_line(line, field, reason.into())
    }

    fn problem_at_line(&self, line: Option<usize>, field: String, reason: String) -> Problem {
        Problem {
            file: self.file.to_path_buf(),
            line,
            field,
            reason,
        }
    }

    /// Finds the line of the deepest key along `field` (`a.b[2].c`) that exists in the document.
    fn line_of_field(&self, field: &str) -> Option<usize> {
        let mut value: Option<&DeValue<'_>> = None;
        let mut table: &DeTable<'_> = self.table.get_ref();
        let mut best: Option<usize> = None;
        for step in field_steps(field) {
            let next = match step {
                FieldStep::Key(key) => {
                    let current = match value {
                        None => Some(table),
                        Some(DeValue::Table(t)) => Some(t),
                        Some(_) => None,
                    }?;
                    current
                        .iter()
                        .find(|(k, _)| k.get_ref().as_ref() == key)
                        .map(|(k, v)| (k.span().start, v))
                }
                FieldStep::Index(index) => match value {
                    Some(DeValue::Array(items)) => {
                        items.get(index).map(|item| (item.span().start, item))
                    }
                    _ => None,
                },
            };
            let Some((start, next_value)) = next else {
                break;
            };
            best = Some(line_of(self.text, start));
            if let DeValue::Table(t) = next_value.get_ref() {
                table = t;
            }
            value = Some(next_value.get_ref());
        }
        best
    }
}

enum FieldStep<'f> {
    Key(&'f str),
    Index(usize),
}

/// Splits `a.b[2].c` into key and index steps.
fn field_steps(field: &str) -> impl Iterator<Item = FieldStep<'_>> {
    field
        .split('.')
        .filter(|part| !part.is_empty())
        .flat_map(|part| {
            let mut pieces = part.split('[');
            let key = pieces.next().unwrap_or_default();
            let key_step = (!key.is_empty()).then_some(FieldStep::Key(key));
            let index_steps = pieces.filter_map(|rest| {
                rest.trim_end_matches(']')
                    .parse::<usize>()
                    .ok()
                    .map(FieldStep::Index)
            });
            key_step.into_iter().chain(index_steps)
        })
}

/// `parent.child`, or just `child` at the top level.
pub fn join_field(parent: &str, child: &str) -> String {
    if parent.is_empty() {
        child.to_string()
    } else {
        format!("{parent}.{child}")
    }
}

/// Extracts `name` from a serde message such as ``unknown field `name`, expected ...``.
fn quoted_field<'m>(message: &'m str, prefix: &str) -> Option<&'m str> {
    let rest = message.strip_prefix(prefix)?;
    rest.split('`').next()
}

/// 1-based line number of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Reads and deserializes one TOML file, returning the document for further checks.
pub fn load_toml<T: DeserializeOwned>(file: &Path) -> Result<(T, String), Problem> {
    let text = std::fs::read_to_string(file).map_err(|err| Problem {
        file: file.to_path_buf(),
        line: None,
        field: String::new(),
        reason: format!("cannot read: {err}"),
    })?;
    let value = Document::parse(file, &text)?.deserialize()?;
    Ok((value, text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        name: String,
        inner: Inner,
        #[serde(default)]
        items: Vec<Inner>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        port: u16,
    }

    fn load(text: &str) -> Result<Outer, Problem> {
        let file = Path::new("x.toml");
        Document::parse(file, text)?.deserialize()
    }

    #[test]
    fn unknown_field_names_line_and_field() {
        let err = load("name = \"a\"\n[inner]\nport = 1\nprot = 2\n").unwrap_err();
        assert_eq!(err.line, Some(4));
        assert_eq!(err.field, "inner.prot");
        assert!(err.reason.starts_with("unknown field `prot`"), "{err}");
        assert_eq!(err.to_string().split(':').next(), Some("x.toml"));
    }

    #[test]
    fn wrong_type_in_array_item_is_located() {
        let text =
            "name = \"a\"\ninner = { port = 1 }\n[[items]]\nport = 1\n[[items]]\nport = \"x\"\n";
        let err = load(text).unwrap_err();
        assert_eq!(err.field, "items[1].port");
        assert_eq!(err.line, Some(6));
    }

    #[test]
    fn syntax_error_has_line() {
        let err = load("name = \"a\"\n[inner\n").unwrap_err();
        assert_eq!(err.line, Some(2));
        assert!(err.reason.starts_with("invalid TOML"), "{err}");
    }

    #[test]
    fn semantic_problem_is_located() {
        let text = "name = \"a\"\n\n[inner]\nport = 0\n";
        let doc = Document::parse(Path::new("x.toml"), text).unwrap();
        let problem = doc.problem("inner.port", "must not be 0");
        assert_eq!(problem.to_string(), "x.toml:4: inner.port: must not be 0");
    }
}
