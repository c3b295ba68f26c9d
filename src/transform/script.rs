//! Script transforms and filters in Rhai (`mappings/NAME.rhai`), for what an edit list cannot
//! say.
//!
//! A script runs in a sandbox: no file, network, module or `eval` access, no output, and
//! bounded work ([`MAX_OPERATIONS`] operations, expression depth, call depth, string, array and
//! map sizes). A script that fails or passes a limit fails that one message with the script's
//! name, line and reason; the engine goes on.
//!
//! In scope: `msg`, the HL7 v2 message (`msg.get("PID-3[1].4")` is the value, or `()` when
//! absent or empty; `msg.set(path, value)`, `msg.clear(path)`, `msg.remove_segments("Z*")` answers how
//! many it removed, `msg.segment_ids()`, `msg.count("OBX")`), `facts`, the message's facts
//! (`facts.message_type`, `facts.trigger_event`, ...: a map of strings, absent facts left out),
//! and `tables`, the lookup tables of the channel's `[transform.tables]` (a map of maps:
//! `tables.authority[value] ?? value`). A transform's result is ignored; a filter's must be a
//! boolean (true: the message passes).
//!
//! ```rhai
//! msg.set("MSH-5", "LAB");
//! let authority = msg.get("PID-3[1].4");
//! if authority != () { msg.set("PID-3[1].4", tables.authority[authority] ?? authority); }
//! msg.remove_segments("Z*");
//! ```

use std::collections::BTreeMap;
use std::sync::Arc;

use rhai::packages::{Package, StandardPackage};
use rhai::{AST, Dynamic, Engine, EvalAltResult, Map, Scope};

use super::Edited;
use super::edit::SegmentPattern;
use crate::config::problem::Problem;
use crate::hl7v2::{self, MessageBuilder, Path};
use crate::message::{FACT_NAMES, Facts, Message, Rejection, RejectionKind};

/// The most operations one run of a script may take.
pub const MAX_OPERATIONS: u64 = 1_000_000;

/// Lookup tables handed to a script, by name.
pub type Tables = BTreeMap<String, BTreeMap<String, String>>;

/// A compiled script and the sandboxed engine it runs in.
pub struct Script {
    /// The file's name without `.rhai`.
    pub name: String,
    ast: AST,
    engine: Arc<Engine>,
}

/// The message as a script sees it: the message being edited and what the script changed.
#[derive(Clone)]
struct ScriptMessage {
    builder: MessageBuilder,
    changes: Vec<String>,
}

impl Script {
    /// Loads and compiles `mappings/NAME.rhai` under `root`.
    pub fn load(root: &std::path::Path, name: &str) -> Result<Script, Problem> {
        let (file, text) = super::read_named(root, name, "rhai", "script")?;
        Script::compile(name, &file, &text)
    }

    /// Compiles a script's text (`file` names it in problems); a syntax error with its line.
    pub fn compile(name: &str, file: &std::path::Path, text: &str) -> Result<Script, Problem> {
        let engine = sandbox();
        let ast = engine.compile(text).map_err(|err| Problem {
            file: file.to_path_buf(),
            line: err.position().line(),
            field: "script".to_string(),
            reason: format!("does not compile: {}", err.err_type()),
        })?;
        Ok(Script {
            name: name.to_string(),
            ast,
            engine: Arc::new(engine),
        })
    }

    /// Runs the script as a transform over `message`; the edited message and one trail line
    /// per change, or why the message fails.
    pub fn transform(&self, message: &Message, tables: &Tables) -> Result<Edited, Rejection> {
        let v2 = message.hl7v2().ok_or_else(|| {
            Rejection::new(
                RejectionKind::Unsupported,
                format!("script '{}' edits HL7 v2 messages only", self.name),
            )
        })?;
        let mut scope = self.scope(&v2, &message.facts, tables);
        self.engine
            .run_ast_with_scope(&mut scope, &self.ast)
            .map_err(|err| self.failed(*err))?;
        let edited = scope
            .get_value::<ScriptMessage>("msg")
            .ok_or_else(|| self.failed_with(None, "the script replaced `msg`".to_string()))?;
        let trail = edited
            .changes
            .iter()
            .map(|change| format!("script '{}': {change}", self.name))
            .collect();
        Ok(Edited {
            bytes: edited.builder.build(),
            trail,
        })
    }

    /// Runs the script as a filter: whether `message` passes, or why it fails (the script
    /// errs or answers something other than a boolean).
    pub fn accepts(&self, message: &Message, tables: &Tables) -> Result<bool, Rejection> {
        let v2 = message.hl7v2();
        let mut scope = match &v2 {
            Some(v2) => self.scope(v2, &message.facts, tables),
            None => {
                let mut scope = Scope::new();
                scope.push_constant("facts", facts_map(&message.facts));
                scope.push_constant("tables", tables_map(tables));
                scope
            }
        };
        let answer = self
            .engine
            .eval_ast_with_scope::<Dynamic>(&mut scope, &self.ast)
            .map_err(|err| self.failed(*err))?;
        answer.as_bool().map_err(|found| {
            self.failed_with(
                None,
                format!("a filter script must answer true or false, not {found}"),
            )
        })
    }

    fn scope(&self, v2: &hl7v2::Message<'_>, facts: &Facts, tables: &Tables) -> Scope<'static> {
        let mut scope = Scope::new();
        scope.push(
            "msg",
            ScriptMessage {
                builder: MessageBuilder::from_message(v2),
                changes: Vec::new(),
            },
        );
        scope.push_constant("facts", facts_map(facts));
        scope.push_constant("tables", tables_map(tables));
        scope
    }

    /// The rejection for a script error: its line and reason.
    fn failed(&self, mut error: EvalAltResult) -> Rejection {
        let line = error.take_position().line();
        let reason = match error {
            EvalAltResult::ErrorTooManyOperations(_) => {
                format!("stopped after {MAX_OPERATIONS} operations (the limit of one run)")
            }
            EvalAltResult::ErrorRuntime(value, _) => value.to_string(),
            other => other.to_string(),
        };
        self.failed_with(line, reason)
    }

    fn failed_with(&self, line: Option<usize>, reason: String) -> Rejection {
        let at = line
            .map(|line| format!(" at line {line}"))
            .unwrap_or_default();
        Rejection::new(
            RejectionKind::InvalidValue,
            format!("script '{}' failed{at}: {reason}", self.name),
        )
    }
}

/// The facts a message has, as a script map of strings.
fn facts_map(facts: &Facts) -> Map {
    FACT_NAMES
        .iter()
        .filter_map(|name| Some(((*name).into(), Dynamic::from(facts.get(name)?.to_string()))))
        .collect()
}

/// Lookup tables as a script map of maps.
fn tables_map(tables: &Tables) -> Map {
    tables
        .iter()
        .map(|(name, rows)| {
            let rows: Map = rows
                .iter()
                .map(|(key, value)| (key.as_str().into(), Dynamic::from(value.clone())))
                .collect();
            (name.as_str().into(), Dynamic::from_map(rows))
        })
        .collect()
}

type ScriptResult<T> = Result<T, Box<EvalAltResult>>;

/// A path from a script, or an error naming it.
fn script_path(text: &str) -> ScriptResult<Path> {
    let path = Path::parse(text).map_err(|err| err.to_string())?;
    if ["MSH", "BHS", "FHS"].contains(&path.segment_id()) && path.field() <= 2 {
        return Err(format!("{path} holds the message's delimiters, which scripts keep").into());
    }
    Ok(path)
}

/// The engine scripts run in: the standard functions, no modules, no `eval`, no output, the
/// limits, and the message's functions.
fn sandbox() -> Engine {
    let mut engine = Engine::new_raw();
    engine.register_global_module(StandardPackage::new().as_shared_module());
    engine
        .set_max_operations(MAX_OPERATIONS)
        .set_max_expr_depths(64, 32)
        .set_max_call_levels(32)
        .set_max_string_size(1 << 20)
        .set_max_array_size(10_000)
        .set_max_map_size(10_000)
        .set_max_modules(0)
        .disable_symbol("eval");
    engine
        .register_type_with_name::<ScriptMessage>("Message")
        .register_fn(
            "get",
            |msg: &mut ScriptMessage, path: &str| -> ScriptResult<Dynamic> {
                let path = script_path(path)?;
                Ok(msg
                    .builder
                    .get(&path)
                    .filter(|value| !value.is_empty())
                    .map_or(Dynamic::UNIT, |value| Dynamic::from(value.into_owned())))
            },
        )
        .register_fn(
            "set",
            |msg: &mut ScriptMessage, path: &str, value: &str| -> ScriptResult<()> {
                let path = script_path(path)?;
                msg.builder
                    .set_path(&path, value)
                    .map_err(|err| err.to_string())?;
                msg.changes.push(format!("set {path}"));
                Ok(())
            },
        )
        .register_fn(
            "clear",
            |msg: &mut ScriptMessage, path: &str| -> ScriptResult<()> {
                let path = script_path(path)?;
                msg.builder
                    .set_path(&path, "")
                    .map_err(|err| err.to_string())?;
                msg.changes.push(format!("clear {path}"));
                Ok(())
            },
        )
        .register_fn(
            "remove_segments",
            |msg: &mut ScriptMessage, pattern: &str| -> ScriptResult<i64> {
                let pattern = SegmentPattern::parse(pattern)?;
                let removed = msg.builder.retain_segments(|id| !pattern.matches(id));
                if removed > 0 {
                    msg.changes.push(format!("remove segments {pattern}"));
                }
                Ok(i64::try_from(removed).unwrap_or(i64::MAX))
            },
        )
        .register_fn("segment_ids", |msg: &mut ScriptMessage| -> rhai::Array {
            msg.builder
                .segment_ids()
                .map(|id| Dynamic::from(id.to_string()))
                .collect()
        })
        .register_fn("count", |msg: &mut ScriptMessage, id: &str| -> i64 {
            let count = msg.builder.segment_ids().filter(|s| *s == id).count();
            i64::try_from(count).unwrap_or(i64::MAX)
        });
    engine
}

#[cfg(test)]
mod tests;
