//! A channel file (`channels/*.toml`): a source, filters, a transform, and destinations with
//! their durable queues. Each connector's own settings live in its module and are named in
//! [`super::registry`]; this file holds what every channel has, and the checks serde cannot
//! make.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::registry::{DestinationKind, SourceConfig};
use crate::config::checks::{FOLDER_RULE, NAME_RULE, is_valid_name, stays_inside};
use crate::config::problem::{Document, Problem};
use crate::config::routes::Conditions;
use crate::routing::FilterConfig;

/// One channel file.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ChannelConfig {
    /// Unique channel name (letters, digits, `-`, `_`); messages and metrics are filed under it.
    pub name: String,
    /// A disabled channel is loaded and checked but not started.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Free text for admins.
    #[serde(default)]
    pub description: String,
    /// Where messages come from.
    pub source: SourceConfig,
    /// Filters, all applied in order: a message must match every `accept` filter and no
    /// `reject` filter, or it is marked filtered.
    #[serde(default)]
    pub filters: Vec<FilterConfig>,
    /// How the message is turned into what the destinations receive; absent passes it unchanged.
    #[serde(default)]
    pub transform: Option<TransformConfig>,
    /// Where messages go; at least one.
    #[serde(default)]
    pub destinations: Vec<DestinationConfig>,
}

fn yes() -> bool {
    true
}

/// How a channel transforms messages: exactly one of `mapping` (into canonical records),
/// `edit` (an HL7 v2 edit list), `script` (a Rhai script editing the HL7 v2 message) or
/// `convert` (FHIR to HL7 v2).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TransformConfig {
    /// Name of a mapping file in `mappings/` (without `.toml`): the message becomes canonical
    /// records (or, with `output = "fhir"`, a FHIR Bundle).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mapping: Option<String>,
    /// Name of an HL7 v2 edit list in `mappings/` (without `.toml`; `kind = "hl7v2-edit"`):
    /// the destinations receive the edited HL7 v2 message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edit: Option<String>,
    /// Name of a script in `mappings/` (without `.rhai`): the destinations receive the HL7 v2
    /// message as the script left it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub script: Option<String>,
    /// `"fhir-to-hl7v2"`: a FHIR resource or Bundle becomes an HL7 v2 ADT or ORU^R01.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub convert: Option<String>,
    /// Lookup tables a script reads as `tables.NAME[value]`, by name (scripts only).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tables: BTreeMap<String, BTreeMap<String, String>>,
    /// What the destinations receive: `records` or `fhir` for a mapping (default `records`),
    /// `hl7v2` for an edit list or a script (their default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<TransformOutput>,
}

impl TransformConfig {
    /// What the destinations receive, the default filled in.
    pub fn output(&self) -> TransformOutput {
        match (self.output, &self.mapping) {
            (Some(output), _) => output,
            (None, Some(_)) => TransformOutput::Records,
            (None, None) => TransformOutput::Hl7v2,
        }
    }

    /// The file under the deployment root that the transform names (`mappings/NAME.toml`, or
    /// `.rhai` for a script); `None` for a conversion.
    pub fn file(&self) -> Option<String> {
        let dir = crate::mapping::MAPPINGS_DIR;
        match (&self.mapping, &self.edit, &self.script) {
            (Some(name), _, _) | (None, Some(name), _) => Some(format!("{dir}/{name}.toml")),
            (None, None, Some(name)) => Some(format!("{dir}/{name}.rhai")),
            (None, None, None) => None,
        }
    }

    /// The problems of this transform's settings, as `(field, reason)`.
    fn problems(&self) -> Vec<(&'static str, String)> {
        let mut problems = Vec::new();
        let named = [
            ("mapping", &self.mapping),
            ("edit", &self.edit),
            ("script", &self.script),
            ("convert", &self.convert),
        ];
        let given: Vec<&str> = named
            .iter()
            .filter(|(_, name)| name.is_some())
            .map(|(field, _)| *field)
            .collect();
        if given.len() != 1 {
            problems.push((
                "transform",
                format!(
                    "give exactly one of mapping, edit, script, convert (found {})",
                    if given.is_empty() {
                        "none".to_string()
                    } else {
                        given.join(", ")
                    }
                ),
            ));
        }
        if let Some(conversion) = &self.convert
            && conversion != FHIR_TO_HL7V2
        {
            problems.push((
                "convert",
                format!("unknown conversion '{conversion}': expected \"{FHIR_TO_HL7V2}\""),
            ));
        }
        for (field, name) in named.into_iter().take(3) {
            if let Some(name) = name
                && !is_valid_name(name)
            {
                problems.push((field, NAME_RULE.to_string()));
            }
        }
        let output = self.output();
        if self.mapping.is_some() && output == TransformOutput::Hl7v2 {
            problems.push((
                "output",
                "a mapping makes \"records\" or \"fhir\"; \"hl7v2\" comes from an edit list"
                    .to_string(),
            ));
        }
        if self.mapping.is_none() && output != TransformOutput::Hl7v2 {
            problems.push((
                "output",
                "an edit list, a script or a conversion hands on HL7 v2: output must be \"hl7v2\" (the default)"
                    .to_string(),
            ));
        }
        if self.script.is_none() && !self.tables.is_empty() {
            problems.push(("tables", "tables are for a script".to_string()));
        }
        problems
    }
}

/// The one conversion `[transform] convert` names: FHIR R4 to HL7 v2.
pub const FHIR_TO_HL7V2: &str = "fhir-to-hl7v2";

/// What a channel's transform hands its destinations.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum TransformOutput {
    /// The canonical records the mapping made (JSON), as the `store` destination takes them.
    Records,
    /// An HL7 v2 message converted to a FHIR R4 transaction Bundle (the message types of
    /// `fhir::from_hl7v2::CONVERTED`).
    Fhir,
    /// The HL7 v2 message as the channel's edit list left it.
    Hl7v2,
}

/// Retry and ordering settings of one destination's durable queue.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct QueueConfig {
    /// Attempts before a message is given up on (at least 1).
    #[serde(default = "default_max_attempts")]
    pub max_attempts: u32,
    /// Wait before the first retry, in milliseconds; it doubles with each attempt.
    #[serde(default = "default_initial_backoff")]
    pub initial_backoff_ms: u64,
    /// Longest wait between retries, in milliseconds.
    #[serde(default = "default_max_backoff")]
    pub max_backoff_ms: u64,
    /// Seconds after which an undelivered message is given up on; 0 means no limit.
    #[serde(default = "default_max_age")]
    pub max_age_seconds: u64,
    /// Deliver strictly in arrival order: a failing message holds back the ones after it.
    #[serde(default = "yes")]
    pub ordered: bool,
    /// Put given-up messages on the dead-letter list (replayable); otherwise discard them.
    #[serde(default = "yes")]
    pub dead_letter: bool,
}

impl Default for QueueConfig {
    fn default() -> Self {
        QueueConfig {
            max_attempts: default_max_attempts(),
            initial_backoff_ms: default_initial_backoff(),
            max_backoff_ms: default_max_backoff(),
            max_age_seconds: default_max_age(),
            ordered: true,
            dead_letter: true,
        }
    }
}

/// One destination: its name and queue settings, whatever its kind, and the connector's own
/// settings (`type = "..."` and the fields of that connector).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct DestinationConfig {
    /// Destination name, unique in the channel.
    pub name: String,
    /// Queue settings.
    #[serde(default)]
    pub queue: QueueConfig,
    /// The connector and its settings.
    #[serde(flatten)]
    pub kind: DestinationKind,
}

/// The largest message a listener takes unless its channel says otherwise: 1 MiB.
pub(crate) fn default_message_limit() -> usize {
    1024 * 1024
}

fn default_max_attempts() -> u32 {
    20
}
fn default_initial_backoff() -> u64 {
    1000
}
fn default_max_backoff() -> u64 {
    300_000
}
fn default_max_age() -> u64 {
    86_400
}

/// Problems found in one part of a channel file (`source`, `destinations[2]`): connectors name
/// their fields relative to that part, and the problem is located in the file.
pub struct Checks<'a> {
    doc: &'a Document<'a>,
    prefix: String,
    problems: Vec<Problem>,
}

impl<'a> Checks<'a> {
    fn new(doc: &'a Document<'a>, prefix: impl Into<String>) -> Self {
        Checks {
            doc,
            prefix: prefix.into(),
            problems: Vec::new(),
        }
    }

    /// Records that `field` (relative to this part) is wrong, and why.
    pub fn problem(&mut self, field: &str, reason: impl Into<String>) {
        let field = if self.prefix.is_empty() {
            field.to_string()
        } else {
            format!("{}.{field}", self.prefix)
        };
        self.problems.push(self.doc.problem(field, reason));
    }

    /// A size limit in bytes: between 1 byte and 1 GiB.
    pub fn limit(&mut self, field: &str, limit: usize) {
        if limit == 0 || limit > 1 << 30 {
            self.problem(field, "must be between 1 byte and 1 GiB");
        }
    }

    /// A folder under the data directory that stays inside it.
    pub fn folder(&mut self, field: &str, folder: &Path) {
        if !stays_inside(folder) || folder.as_os_str().is_empty() {
            self.problem(field, FOLDER_RULE);
        }
    }

    /// An `http://` or `https://` URL.
    pub fn http_url(&mut self, field: &str, url: &str) {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            self.problem(field, "must start with http:// or https://");
        }
    }

    /// An AMQP broker URL, or an environment variable that holds one.
    pub fn amqp_url(&mut self, field: &str, url: &str) {
        if !(url.starts_with("amqp://") || url.starts_with("amqps://") || url.starts_with("${")) {
            self.problem(
                field,
                "must start with amqp:// or amqps:// (or be ${ENV_VAR})",
            );
        }
    }

    /// The name of another channel.
    pub fn other_channel(&mut self, field: &str, channel: &str, this_channel: &str) {
        if channel == this_channel {
            self.problem(field, "a channel cannot hand messages to itself");
        } else if !is_valid_name(channel) {
            self.problem(field, NAME_RULE);
        }
    }
}

impl ChannelConfig {
    /// Checks what serde cannot: names, folders, limits, templates, cron, and each connector's
    /// own rules. Returns every problem.
    pub fn validate(&self, doc: &Document<'_>) -> Vec<Problem> {
        let mut checks = Checks::new(doc, "");
        if !is_valid_name(&self.name) {
            checks.problem("name", NAME_RULE);
        }
        for (i, filter) in self.filters.iter().enumerate() {
            if filter.name.is_empty() {
                checks.problem(&format!("filters[{i}].name"), "must not be empty");
            }
            for reason in filter.when.problems() {
                checks.problem(&format!("filters[{i}].when"), reason);
            }
            match &filter.script {
                Some(script) if !is_valid_name(script) => {
                    checks.problem(&format!("filters[{i}].script"), NAME_RULE);
                }
                Some(_) if filter.when != Conditions::default() => checks.problem(
                    &format!("filters[{i}].when"),
                    "a filter tests `when` or runs a script, not both",
                ),
                _ => {}
            }
        }
        if let Some(transform) = &self.transform {
            for (field, reason) in transform.problems() {
                let field = if field == "transform" {
                    field.to_string()
                } else {
                    format!("transform.{field}")
                };
                checks.problem(&field, reason);
            }
        }
        if self.destinations.is_empty() {
            checks.problem("destinations", "a channel needs at least one destination");
        }
        let mut problems = checks.problems;
        let mut source = Checks::new(doc, "source");
        self.source.check(&mut source);
        problems.extend(source.problems);
        let mut seen = BTreeSet::new();
        for (i, destination) in self.destinations.iter().enumerate() {
            let mut checks = Checks::new(doc, format!("destinations[{i}]"));
            if !is_valid_name(&destination.name) {
                checks.problem("name", NAME_RULE);
            } else if !seen.insert(destination.name.as_str()) {
                checks.problem(
                    "name",
                    format!("duplicate destination name '{}'", destination.name),
                );
            }
            let queue = &destination.queue;
            if queue.max_attempts == 0 {
                checks.problem("queue.max_attempts", "must be at least 1");
            }
            if queue.initial_backoff_ms == 0 || queue.max_backoff_ms < queue.initial_backoff_ms {
                checks.problem(
                    "queue.max_backoff_ms",
                    "backoffs must be positive and max_backoff_ms >= initial_backoff_ms",
                );
            }
            destination.kind.check(&mut checks, self);
            problems.extend(checks.problems);
        }
        problems
    }

    /// The names of its destinations, in order.
    pub fn destination_names(&self) -> Vec<&str> {
        self.destinations.iter().map(|d| d.name.as_str()).collect()
    }
}
