//! `channels/*.toml`: one interface each — a source, and the destinations its messages go to.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};

use serde::Deserialize;

use super::problem::{Document, Problem};

/// One channel file.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ChannelConfig {
    /// Unique channel name (letters, digits, `-`, `_`); messages and metrics are filed under it.
    pub name: String,
    /// A disabled channel is loaded and checked but not started.
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
    /// Free text for admins.
    #[serde(default)]
    pub description: String,
    /// Where messages come from.
    pub source: SourceConfig,
    /// Where messages go; at least one.
    #[serde(default)]
    pub destinations: Vec<DestinationConfig>,
}

fn enabled_by_default() -> bool {
    true
}

/// The kinds of source a channel can have.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum SourceConfig {
    /// HL7 v2 over MLLP (TCP).
    Mllp {
        /// Address and port to listen on.
        listen: SocketAddr,
        /// Largest frame accepted, in bytes.
        #[serde(default = "default_max_frame_bytes")]
        max_frame_bytes: usize,
    },
    /// HTTP POST bodies of any content type.
    Http {
        /// Address and port to listen on.
        listen: SocketAddr,
        /// Largest body accepted, in bytes.
        #[serde(default = "default_max_frame_bytes")]
        max_body_bytes: usize,
    },
    /// Files dropped in a folder.
    File {
        /// Folder to poll, relative to the data directory (it may not leave it).
        folder: PathBuf,
        /// File name pattern, e.g. `*.x12`.
        #[serde(default = "default_glob")]
        glob: String,
        /// Seconds between polls.
        #[serde(default = "default_poll_seconds")]
        poll_seconds: u64,
    },
    /// AMQP 0-9-1 (RabbitMQ) queue.
    Amqp {
        /// Broker URL, e.g. `amqp://user:pass@host:5672/%2f`; `${ENV_VAR}` is expanded at start.
        url: String,
        /// Queue to consume.
        queue: String,
    },
}

/// The kinds of destination a channel can have.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum DestinationConfig {
    /// Write each message to a file.
    File {
        /// Destination name, unique in the channel.
        name: String,
        /// Folder to write to, relative to the data directory (it may not leave it).
        folder: PathBuf,
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
        /// Extra request headers.
        #[serde(default)]
        headers: BTreeMap<String, String>,
    },
    /// Publish each message to an AMQP exchange.
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
    },
    /// Send each message over MLLP to another HL7 v2 system.
    Mllp {
        /// Destination name, unique in the channel.
        name: String,
        /// `host:port` of the receiving system.
        address: String,
    },
    /// Upsert the message's canonical records into the store.
    Store {
        /// Destination name, unique in the channel.
        name: String,
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
            | DestinationConfig::Store { name } => name,
        }
    }
}

fn default_max_frame_bytes() -> usize {
    1024 * 1024
}

fn default_glob() -> String {
    "*".to_string()
}

fn default_poll_seconds() -> u64 {
    5
}

fn default_method() -> String {
    "POST".to_string()
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

impl ChannelConfig {
    /// Checks what serde cannot: names, folders, limits. Returns every problem found.
    pub fn validate(&self, doc: &Document<'_>) -> Vec<Problem> {
        let mut problems = Vec::new();
        if !is_valid_name(&self.name) {
            problems.push(doc.problem("name", "must be 1-64 letters, digits, '-' or '_'"));
        }
        match &self.source {
            SourceConfig::File {
                folder,
                glob,
                poll_seconds,
            } => {
                if !stays_inside(folder) {
                    problems.push(doc.problem(
                        "source.folder",
                        "must be a relative path inside the data directory",
                    ));
                }
                if glob.contains('/') || glob.contains('\\') {
                    problems.push(doc.problem("source.glob", "must match file names, not paths"));
                }
                if *poll_seconds == 0 {
                    problems.push(doc.problem("source.poll_seconds", "must be at least 1"));
                }
            }
            SourceConfig::Mllp {
                max_frame_bytes: limit,
                ..
            } => check_limit(doc, "source.max_frame_bytes", *limit, &mut problems),
            SourceConfig::Http {
                max_body_bytes: limit,
                ..
            } => check_limit(doc, "source.max_body_bytes", *limit, &mut problems),
            SourceConfig::Amqp { queue, .. } => {
                if queue.is_empty() {
                    problems.push(doc.problem("source.queue", "must not be empty"));
                }
            }
        }
        if self.destinations.is_empty() {
            problems.push(doc.problem("destinations", "a channel needs at least one destination"));
        }
        let mut seen = std::collections::BTreeSet::new();
        for (i, destination) in self.destinations.iter().enumerate() {
            let field = format!("destinations[{i}]");
            if !is_valid_name(destination.name()) {
                problems.push(doc.problem(
                    format!("{field}.name"),
                    "must be 1-64 letters, digits, '-' or '_'",
                ));
            } else if !seen.insert(destination.name()) {
                problems.push(doc.problem(
                    format!("{field}.name"),
                    format!("duplicate destination name '{}'", destination.name()),
                ));
            }
            match destination {
                DestinationConfig::File { folder, .. } if !stays_inside(folder) => {
                    problems.push(doc.problem(
                        format!("{field}.folder"),
                        "must be a relative path inside the data directory",
                    ));
                }
                DestinationConfig::Http { url, .. }
                    if !(url.starts_with("http://") || url.starts_with("https://")) =>
                {
                    problems.push(doc.problem(
                        format!("{field}.url"),
                        "must start with http:// or https://",
                    ));
                }
                _ => {}
            }
        }
        problems
    }
}

/// Size limits must be positive and at most 1 GiB.
fn check_limit(doc: &Document<'_>, field: &str, limit: usize, problems: &mut Vec<Problem>) {
    if limit == 0 || limit > 1 << 30 {
        problems.push(doc.problem(field, "must be between 1 byte and 1 GiB"));
    }
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
}
