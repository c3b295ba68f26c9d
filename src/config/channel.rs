//! `channels/*.toml`: one interface each — a source, filters, a transform, and destinations with
//! their durable queues.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::problem::{Document, Problem};
use super::routes::Conditions;

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

/// The kinds of source a channel can have.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum SourceConfig {
    /// HL7 v2 over MLLP (TCP).
    Mllp {
        /// Address and port to listen on.
        listen: SocketAddr,
        /// Largest frame accepted, in bytes; larger frames are refused with a negative ACK.
        #[serde(default = "default_max_message_bytes")]
        max_frame_bytes: usize,
        /// `original` (AA/AE/AR) or `enhanced` (CA/CE/CR, plus application ACKs per MSH-15/16).
        #[serde(default)]
        ack_mode: AckMode,
        /// Seconds a connection may wait for its next complete message before it is closed.
        #[serde(default = "default_idle_seconds")]
        idle_timeout_seconds: u64,
        /// Connections served at once; more are closed at once with a log line.
        #[serde(default = "default_max_connections")]
        max_connections: usize,
    },
    /// HTTP POST bodies of any content type, on a listener of the channel's own.
    Http {
        /// Address and port to listen on.
        listen: SocketAddr,
        /// Largest body accepted, in bytes; larger bodies get 413.
        #[serde(default = "default_max_message_bytes")]
        max_body_bytes: usize,
        /// Accept requests without an API bearer token. Off by default: senders need a token.
        #[serde(default)]
        allow_anonymous: bool,
    },
    /// Files dropped in a folder; each is moved to `processed/` or `error/` beside it afterwards.
    File {
        /// Folder to poll, relative to the data directory (it may not leave it).
        folder: PathBuf,
        /// File name pattern with `*` and `?`, e.g. `*.x12`.
        #[serde(default = "default_glob")]
        glob: String,
        /// Seconds between polls.
        #[serde(default = "default_poll_seconds")]
        poll_seconds: u64,
        /// Milliseconds a file's size and modification time must stay unchanged before it is
        /// read, so a file still being written is never picked up.
        #[serde(default = "default_settle_ms")]
        settle_ms: u64,
        /// Largest file accepted, in bytes; larger files go to `error/`.
        #[serde(default = "default_max_file_bytes")]
        max_file_bytes: u64,
        /// Content type to record; guessed from the content when absent.
        #[serde(default)]
        content_type: Option<String>,
    },
    /// AMQP 0-9-1 (RabbitMQ) queue, acknowledged only after the message is stored.
    Amqp {
        /// Broker URL, e.g. `amqp://user:pass@host:5672/%2f`; `${ENV_VAR}` is expanded at start.
        url: String,
        /// Queue to consume; declared durable if it does not exist.
        queue: String,
        /// Unacknowledged deliveries in flight.
        #[serde(default = "default_prefetch")]
        prefetch: u16,
        /// Content type to record when the delivery has none.
        #[serde(default)]
        content_type: Option<String>,
    },
    /// Receives only what other channels (`channel` destinations) and the engine (e.g. claim
    /// batches) hand it.
    Channel {},
    /// Emits a fixed body on a cron schedule (e.g. to trigger a batch).
    Schedule {
        /// Cron expression with seconds: `sec min hour day-of-month month day-of-week`.
        cron: String,
        /// Body of each emitted message.
        #[serde(default)]
        body: String,
        /// Content type of the body.
        #[serde(default = "default_text")]
        content_type: String,
    },
}

/// HL7 v2 acknowledgment mode of an MLLP source.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum AckMode {
    /// AA / AE / AR.
    #[default]
    Original,
    /// CA / CE / CR commit ACKs, and application ACKs as MSH-15/MSH-16 ask.
    Enhanced,
}

/// How an MLLP destination treats a negative or missing acknowledgment.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum AckReaction {
    /// Try again with backoff.
    Retry,
    /// Give up: dead-letter it.
    DeadLetter,
    /// Hold it for an operator.
    Hold,
}

fn dead_letter_reply() -> AckReaction {
    AckReaction::DeadLetter
}

fn retry_reply() -> AckReaction {
    AckReaction::Retry
}

/// A channel filter.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FilterConfig {
    /// Name used in the message's event trail.
    pub name: String,
    /// `accept`: only matching messages pass; `reject`: matching messages are filtered out.
    pub action: FilterAction,
    /// Conditions on message facts; all must hold for the filter to match.
    pub when: Conditions,
}

/// What a filter does with a matching message.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum FilterAction {
    /// Only matching messages pass.
    Accept,
    /// Matching messages are filtered out.
    Reject,
}

/// How a channel transforms messages.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TransformConfig {
    /// Name of a mapping file in `mappings/` (without `.toml`).
    pub mapping: String,
    /// What the destinations receive.
    #[serde(default)]
    pub output: TransformOutput,
}

/// What a channel's transform hands its destinations.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum TransformOutput {
    /// The canonical records the mapping made (JSON), as the `store` destination takes them.
    #[default]
    Records,
    /// An HL7 v2 message converted to a FHIR R4 transaction Bundle (ADT, ORU^R01, DFT^P03).
    Fhir,
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

/// One destination: a name, its queue settings, and the connector.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum DestinationConfig {
    /// Write each message to a file (temporary file + rename, never half-written).
    File {
        /// Destination name, unique in the channel.
        name: String,
        /// Folder to write to, relative to the data directory (it may not leave it).
        folder: PathBuf,
        /// File name template: `{channel}`, `{message_id}`, `{control_id}`, `{timestamp}`.
        #[serde(default = "default_name_template")]
        name_template: String,
        /// Queue settings.
        #[serde(default)]
        queue: QueueConfig,
    },
    /// Send each message in an HTTP request.
    Http {
        /// Destination name, unique in the channel.
        name: String,
        /// Target URL.
        url: String,
        /// HTTP method.
        #[serde(default = "default_method")]
        method: String,
        /// Extra request headers; values may use `${ENV_VAR}` (e.g. for an Authorization header).
        #[serde(default)]
        headers: BTreeMap<String, String>,
        /// Seconds to wait for the answer.
        #[serde(default = "default_http_timeout")]
        timeout_seconds: u64,
        /// Queue settings.
        #[serde(default)]
        queue: QueueConfig,
    },
    /// Publish each message to an AMQP exchange, persistent, with publisher confirms.
    Amqp {
        /// Destination name, unique in the channel.
        name: String,
        /// Broker URL; `${ENV_VAR}` is expanded at start.
        url: String,
        /// Exchange to publish to (empty string: the default exchange).
        #[serde(default)]
        exchange: String,
        /// Routing key (the queue name for the default exchange).
        routing_key: String,
        /// Declare a durable queue named like the routing key before publishing.
        #[serde(default)]
        declare_queue: bool,
        /// Queue settings.
        #[serde(default)]
        queue: QueueConfig,
    },
    /// Send each message over MLLP to another HL7 v2 system and wait for its ACK.
    Mllp {
        /// Destination name, unique in the channel.
        name: String,
        /// `host:port` of the receiving system.
        address: String,
        /// Seconds to wait for the ACK.
        #[serde(default = "default_ack_timeout")]
        ack_timeout_seconds: u64,
        /// What an `AE`/`CE` answer means: `retry` or `dead_letter` (the default: the content
        /// must be fixed first).
        #[serde(default = "dead_letter_reply")]
        on_error_ack: AckReaction,
        /// What an `AR`/`CR` answer means: `retry` (the default: the receiver was not able to
        /// take it now) or `dead_letter`.
        #[serde(default = "retry_reply")]
        on_reject_ack: AckReaction,
        /// What no ACK at all (timeout or dropped connection after sending) means: `retry`
        /// (the default; receivers recognise a resent MSH-10) or `hold` for an operator.
        #[serde(default = "retry_reply")]
        on_missing_ack: AckReaction,
        /// Queue settings.
        #[serde(default)]
        queue: QueueConfig,
    },
    /// Convert each HL7 v2 ADT (A01, A03, A04, A08) to a FHIR transaction Bundle and POST it
    /// to a FHIR server (needs a `transform` mapping from HL7 v2).
    Fhir {
        /// Destination name, unique in the channel.
        name: String,
        /// Base URL of the FHIR server (the Bundle is POSTed there).
        url: String,
        /// Extra request headers; values may use `${ENV_VAR}` (e.g. for an Authorization header).
        #[serde(default)]
        headers: BTreeMap<String, String>,
        /// Seconds to wait for the answer.
        #[serde(default = "default_http_timeout")]
        timeout_seconds: u64,
        /// Queue settings.
        #[serde(default)]
        queue: QueueConfig,
    },
    /// Upsert the message's canonical records into the store (needs a `transform` mapping).
    Store {
        /// Destination name, unique in the channel.
        name: String,
        /// Queue settings.
        #[serde(default)]
        queue: QueueConfig,
    },
    /// Apply inbound X12 999 and 277CA acknowledgments and 835 remittances to our claims.
    Claims {
        /// Destination name, unique in the channel.
        name: String,
        /// Queue settings.
        #[serde(default)]
        queue: QueueConfig,
    },
    /// Answer each inbound X12 interchange (except acknowledgments) with a 999, handed to
    /// another channel (e.g. the X12 outbox).
    Acknowledge {
        /// Destination name, unique in the channel.
        name: String,
        /// The channel that carries the 999s.
        channel: String,
        /// Queue settings.
        #[serde(default)]
        queue: QueueConfig,
    },
    /// Adjudicate each 837 as the payer simulator does under a payer's contract and write the
    /// payer's answers (999, 277CA, 835) into a folder, such as the X12 inbox: the revenue cycle
    /// without a real payer, for tests and demonstrations. Other messages are passed over.
    #[serde(rename = "payer-sim")]
    PayerSim {
        /// Destination name, unique in the channel.
        name: String,
        /// The payer file whose contract applies, `config/payers/NAME.toml`.
        payer_file: String,
        /// Folder under the data directory for the answers.
        folder: String,
        /// Share of claims denied at random, in percent.
        #[serde(default)]
        denial_percent: u32,
        /// Seed of the random denials.
        #[serde(default = "default_seed")]
        seed: u64,
        /// Reverse the first paid claim of each 837 and pay it again.
        #[serde(default)]
        reversal: bool,
        /// Queue settings.
        #[serde(default)]
        queue: QueueConfig,
    },
    /// Hand each message to another channel, as if that channel's source had received it.
    Channel {
        /// Destination name, unique in the channel.
        name: String,
        /// Name of the receiving channel.
        channel: String,
        /// Queue settings.
        #[serde(default)]
        queue: QueueConfig,
    },
}

impl DestinationConfig {
    /// The destination's name within its channel.
    pub fn name(&self) -> &str {
        match self {
            DestinationConfig::File { name, .. }
            | DestinationConfig::Http { name, .. }
            | DestinationConfig::Amqp { name, .. }
            | DestinationConfig::Mllp { name, .. }
            | DestinationConfig::Fhir { name, .. }
            | DestinationConfig::Store { name, .. }
            | DestinationConfig::Claims { name, .. }
            | DestinationConfig::Acknowledge { name, .. }
            | DestinationConfig::PayerSim { name, .. }
            | DestinationConfig::Channel { name, .. } => name,
        }
    }

    /// The destination's queue settings.
    pub fn queue(&self) -> &QueueConfig {
        match self {
            DestinationConfig::File { queue, .. }
            | DestinationConfig::Http { queue, .. }
            | DestinationConfig::Amqp { queue, .. }
            | DestinationConfig::Mllp { queue, .. }
            | DestinationConfig::Fhir { queue, .. }
            | DestinationConfig::Store { queue, .. }
            | DestinationConfig::Claims { queue, .. }
            | DestinationConfig::Acknowledge { queue, .. }
            | DestinationConfig::PayerSim { queue, .. }
            | DestinationConfig::Channel { queue, .. } => queue,
        }
    }
}

fn default_seed() -> u64 {
    1
}
fn default_max_message_bytes() -> usize {
    1024 * 1024
}
fn default_idle_seconds() -> u64 {
    300
}
fn default_max_connections() -> usize {
    256
}
fn default_glob() -> String {
    "*".to_string()
}
fn default_poll_seconds() -> u64 {
    5
}
fn default_settle_ms() -> u64 {
    1000
}
fn default_max_file_bytes() -> u64 {
    64 * 1024 * 1024
}
fn default_prefetch() -> u16 {
    16
}
fn default_text() -> String {
    "text/plain".to_string()
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
fn default_name_template() -> String {
    "{channel}-{message_id}.msg".to_string()
}
fn default_method() -> String {
    "POST".to_string()
}
fn default_http_timeout() -> u64 {
    30
}
fn default_ack_timeout() -> u64 {
    30
}

/// True when `name` is usable as a channel or destination name.
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// True when `folder` is a relative path that stays inside the folder it is joined to.
pub fn stays_inside(folder: &Path) -> bool {
    let mut depth = 0usize;
    for component in folder.components() {
        match component {
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::ParentDir => {
                if depth == 0 {
                    return false;
                }
                depth -= 1;
            }
            Component::RootDir | Component::Prefix(_) => return false,
        }
    }
    true
}

const NAME_RULE: &str = "must be 1-64 letters, digits, '-' or '_'";
const FOLDER_RULE: &str = "must be a relative path inside the data directory";
const METHODS: [&str; 5] = ["POST", "PUT", "PATCH", "GET", "DELETE"];

impl ChannelConfig {
    /// Checks what serde cannot: names, folders, limits, templates, cron. Returns every problem.
    pub fn validate(&self, doc: &Document<'_>) -> Vec<Problem> {
        let mut problems = Vec::new();
        let mut problem = |field: &str, reason: &str| problems.push(doc.problem(field, reason));
        if !is_valid_name(&self.name) {
            problem("name", NAME_RULE);
        }
        match &self.source {
            SourceConfig::File {
                folder,
                glob,
                poll_seconds,
                max_file_bytes,
                ..
            } => {
                if !stays_inside(folder) || folder.as_os_str().is_empty() {
                    problem("source.folder", FOLDER_RULE);
                }
                if glob.is_empty() || glob.contains('/') || glob.contains('\\') {
                    problem("source.glob", "must match file names, not paths");
                }
                if *poll_seconds == 0 {
                    problem("source.poll_seconds", "must be at least 1");
                }
                if *max_file_bytes == 0 {
                    problem("source.max_file_bytes", "must be at least 1");
                }
            }
            SourceConfig::Mllp {
                max_frame_bytes: limit,
                ..
            } => check_limit(*limit, "source.max_frame_bytes", &mut problem),
            SourceConfig::Http {
                max_body_bytes: limit,
                ..
            } => check_limit(*limit, "source.max_body_bytes", &mut problem),
            SourceConfig::Amqp { queue, url, .. } => {
                if queue.is_empty() {
                    problem("source.queue", "must not be empty");
                }
                check_amqp_url(url, "source.url", &mut problem);
            }
            SourceConfig::Schedule { cron, .. } => {
                if let Err(reason) = check_cron(cron) {
                    problem("source.cron", &reason);
                }
            }
            SourceConfig::Channel {} => {}
        }
        for (i, filter) in self.filters.iter().enumerate() {
            if filter.name.is_empty() {
                problem(&format!("filters[{i}].name"), "must not be empty");
            }
            for reason in filter.when.problems() {
                problem(&format!("filters[{i}].when"), &reason);
            }
        }
        if let Some(transform) = &self.transform
            && !is_valid_name(&transform.mapping)
        {
            problem("transform.mapping", NAME_RULE);
        }
        if self.destinations.is_empty() {
            problem("destinations", "a channel needs at least one destination");
        }
        let mut seen = BTreeSet::new();
        for (i, destination) in self.destinations.iter().enumerate() {
            let field = |name: &str| format!("destinations[{i}].{name}");
            if !is_valid_name(destination.name()) {
                problem(&field("name"), NAME_RULE);
            } else if !seen.insert(destination.name()) {
                problem(
                    &field("name"),
                    &format!("duplicate destination name '{}'", destination.name()),
                );
            }
            let queue = destination.queue();
            if queue.max_attempts == 0 {
                problem(&field("queue.max_attempts"), "must be at least 1");
            }
            if queue.initial_backoff_ms == 0 || queue.max_backoff_ms < queue.initial_backoff_ms {
                problem(
                    &field("queue.max_backoff_ms"),
                    "backoffs must be positive and max_backoff_ms >= initial_backoff_ms",
                );
            }
            match destination {
                DestinationConfig::File {
                    folder,
                    name_template,
                    ..
                } => {
                    if !stays_inside(folder) {
                        problem(&field("folder"), FOLDER_RULE);
                    }
                    if let Err(reason) = check_name_template(name_template) {
                        problem(&field("name_template"), &reason);
                    }
                }
                DestinationConfig::Http { url, method, .. } => {
                    if !(url.starts_with("http://") || url.starts_with("https://")) {
                        problem(&field("url"), "must start with http:// or https://");
                    }
                    if !METHODS.contains(&method.as_str()) {
                        problem(&field("method"), "must be POST, PUT, PATCH, GET or DELETE");
                    }
                }
                DestinationConfig::Amqp {
                    url, routing_key, ..
                } => {
                    check_amqp_url(url, &field("url"), &mut problem);
                    if routing_key.is_empty() {
                        problem(&field("routing_key"), "must not be empty");
                    }
                }
                DestinationConfig::Mllp { address, .. } => {
                    if address
                        .rsplit_once(':')
                        .is_none_or(|(_, port)| port.parse::<u16>().is_err())
                    {
                        problem(&field("address"), "must be host:port");
                    }
                }
                DestinationConfig::Fhir { url, .. } => {
                    if !(url.starts_with("http://") || url.starts_with("https://")) {
                        problem(&field("url"), "must start with http:// or https://");
                    }
                    if self.transform.is_none() {
                        problem(
                            &field("type"),
                            "a fhir destination needs the channel's transform.mapping (from HL7 v2)",
                        );
                    }
                }
                DestinationConfig::Store { .. } => match &self.transform {
                    None => problem(
                        &field("type"),
                        "a store destination needs the channel's transform.mapping",
                    ),
                    Some(transform) if transform.output != TransformOutput::Records => problem(
                        &field("type"),
                        "a store destination takes canonical records: it needs transform.output = \"records\"",
                    ),
                    Some(_) => {}
                },
                DestinationConfig::Claims { .. } => {}
                DestinationConfig::PayerSim {
                    payer_file,
                    folder,
                    denial_percent,
                    ..
                } => {
                    if !stays_inside(Path::new(folder)) {
                        problem(&field("folder"), FOLDER_RULE);
                    }
                    let in_payers = payer_file
                        .strip_prefix("config/payers/")
                        .is_some_and(|file| {
                            stays_inside(Path::new(file)) && file.ends_with(".toml")
                        });
                    if !in_payers {
                        problem(
                            &field("payer_file"),
                            "must be a file config/payers/NAME.toml",
                        );
                    }
                    if *denial_percent > 100 {
                        problem(&field("denial_percent"), "must be 0 to 100");
                    }
                }
                DestinationConfig::Acknowledge { channel, .. }
                | DestinationConfig::Channel { channel, .. } => {
                    if channel == &self.name {
                        problem(
                            &field("channel"),
                            "a channel cannot hand messages to itself",
                        );
                    } else if !is_valid_name(channel) {
                        problem(&field("channel"), NAME_RULE);
                    }
                }
            }
        }
        problems
    }
}

fn check_limit(limit: usize, field: &str, problem: &mut impl FnMut(&str, &str)) {
    if limit == 0 || limit > 1 << 30 {
        problem(field, "must be between 1 byte and 1 GiB");
    }
}

fn check_amqp_url(url: &str, field: &str, problem: &mut impl FnMut(&str, &str)) {
    if !(url.starts_with("amqp://") || url.starts_with("amqps://") || url.starts_with("${")) {
        problem(
            field,
            "must start with amqp:// or amqps:// (or be ${ENV_VAR})",
        );
    }
}

/// Checks a cron expression the way the scheduler will read it.
pub fn check_cron(cron: &str) -> Result<(), String> {
    croner::parser::CronParser::builder()
        .seconds(croner::parser::Seconds::Required)
        .dom_and_dow(true)
        .build()
        .parse(cron)
        .map(|_| ())
        .map_err(|err| format!("not a cron expression: {err}"))
}

/// Placeholders a file name template may use.
pub const NAME_PLACEHOLDERS: [&str; 4] = ["channel", "message_id", "control_id", "timestamp"];

fn check_name_template(template: &str) -> Result<(), String> {
    if template.is_empty() || template.contains('/') || template.contains('\\') {
        return Err("must be a file name, not a path".into());
    }
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let end = after
            .find('}')
            .ok_or_else(|| "has a '{' without a closing '}'".to_string())?;
        let name = &after[..end];
        if !NAME_PLACEHOLDERS.contains(&name) {
            return Err(format!(
                "unknown placeholder {{{name}}}; use {{channel}}, {{message_id}}, {{control_id}} or {{timestamp}}"
            ));
        }
        rest = &after[end + 1..];
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_may_not_escape() {
        assert!(stays_inside(Path::new("inbox/x12")));
        assert!(stays_inside(Path::new("a/../b")));
        assert!(!stays_inside(Path::new("../etc")));
        assert!(!stays_inside(Path::new("a/../../b")));
        assert!(!stays_inside(Path::new("/etc")));
    }

    #[test]
    fn names_are_restricted() {
        assert!(is_valid_name("adt-inbound_1"));
        assert!(!is_valid_name(""));
        assert!(!is_valid_name("a b"));
        assert!(!is_valid_name("../x"));
    }

    #[test]
    fn name_templates_are_checked() {
        assert!(check_name_template("{channel}-{message_id}.hl7").is_ok());
        assert!(
            check_name_template("{nope}.x")
                .unwrap_err()
                .contains("unknown placeholder")
        );
        assert!(check_name_template("a/{channel}").is_err());
        assert!(check_name_template("{channel").is_err());
    }

    #[test]
    fn cron_is_checked() {
        assert!(check_cron("0 */5 * * * *").is_ok());
        assert!(check_cron("every tuesday").is_err());
    }
}
