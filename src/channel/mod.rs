//! Channels: sources that receive messages, the pipeline that stores, filters and routes them,
//! and destinations that deliver them from durable queues.
//!
//! Every connector kind is one module: its settings (serde, checked with the channel file) and
//! the [`Source`] or [`Destination`] they build. [`registry`] names every kind in one table;
//! a new connector is a new module and one line there.

pub mod acknowledge;
pub mod amqp;
pub mod canonical;
pub mod claims;
pub mod config;
pub mod config_sync;
pub mod counters;
pub mod database;
pub mod deployment;
pub mod fhir;
pub mod file;
pub mod forward;
pub mod http;
pub mod mllp;
pub mod node;
pub mod payer_sim;
pub mod pipeline;
pub mod polling;
pub mod queue;
pub mod registry;
pub mod runtime;
pub mod schedule;
pub mod sftp;
pub mod store;
pub mod subscriptions;
pub mod trial;
pub mod writer;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures::future::BoxFuture;
use tokio_util::sync::CancellationToken;

pub use config::{ChannelConfig, Checks, DestinationConfig};
pub use pipeline::{Pipeline, Receipt};
pub use registry::{DestinationKind, SourceConfig};
pub use runtime::Runtime;

/// Why a source stopped before it was asked to.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: String,
        /// Why.
        source: std::io::Error,
    },
    /// The source's folder or setting is unusable.
    #[error("{0}")]
    Setup(String),
}

/// How a failed delivery is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// Retry by itself with backoff (connection refused, 5xx, broker down).
    Transient,
    /// Will never succeed as is (4xx, invalid content): dead-letter at once.
    Permanent,
    /// The receiver may or may not have it (timeout after sending): hold for an operator,
    /// because a retry could deliver twice.
    Ambiguous,
}

impl ErrorClass {
    /// How a failed file-system operation is treated, read from its kind (never from its text):
    /// a name the file system refuses (too long, invalid), no permission, a read-only file
    /// system, a path component that is a file, a directory where the file should go, a file
    /// over the file system's size limit are [`ErrorClass::Permanent`]: the same write fails
    /// the same way until an operator changes something, so retrying would only hold the
    /// queue. Everything else is [`ErrorClass::Transient`], a full disk or quota included
    /// (space comes back, and dead-lettering every message of a full-disk episode would leave
    /// an operator to replay them all); its retries are still bounded by the queue's
    /// `max_attempts` and `max_age_seconds`.
    pub fn of_io(err: &std::io::Error) -> ErrorClass {
        use std::io::ErrorKind;
        match err.kind() {
            ErrorKind::InvalidFilename
            | ErrorKind::InvalidInput
            | ErrorKind::PermissionDenied
            | ErrorKind::ReadOnlyFilesystem
            | ErrorKind::NotADirectory
            | ErrorKind::IsADirectory
            | ErrorKind::DirectoryNotEmpty
            | ErrorKind::FileTooLarge
            | ErrorKind::TooManyLinks
            | ErrorKind::CrossesDevices
            | ErrorKind::Unsupported => ErrorClass::Permanent,
            _ => ErrorClass::Transient,
        }
    }
}

/// A failed delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct DeliveryError {
    /// How to treat it.
    pub class: ErrorClass,
    /// What happened, for the event trail.
    pub reason: String,
}

/// A store failure as a delivery failure: a record the store refuses (`Invalid`) never goes
/// in as it is; anything else (the database away, busy) may pass on a retry.
impl From<crate::store::StoreError> for DeliveryError {
    fn from(err: crate::store::StoreError) -> Self {
        match err {
            crate::store::StoreError::Invalid(reason) => DeliveryError::permanent(reason),
            other => DeliveryError::transient(other.to_string()),
        }
    }
}

impl DeliveryError {
    /// A transient failure.
    pub fn transient(reason: impl Into<String>) -> Self {
        DeliveryError {
            class: ErrorClass::Transient,
            reason: reason.into(),
        }
    }

    /// A permanent failure.
    pub fn permanent(reason: impl Into<String>) -> Self {
        DeliveryError {
            class: ErrorClass::Permanent,
            reason: reason.into(),
        }
    }

    /// An ambiguous failure.
    pub fn ambiguous(reason: impl Into<String>) -> Self {
        DeliveryError {
            class: ErrorClass::Ambiguous,
            reason: reason.into(),
        }
    }

    /// A failed file-system operation (`what` says on what), classed by
    /// [`ErrorClass::of_io`]; a permanent one says it is not retried.
    pub fn io(what: impl std::fmt::Display, err: &std::io::Error) -> Self {
        match ErrorClass::of_io(err) {
            ErrorClass::Permanent => DeliveryError::permanent(format!(
                "{what}: {err} (a permanent file-system error: not retried)"
            )),
            _ => DeliveryError::transient(format!("{what}: {err}")),
        }
    }
}

/// One message on its way to one destination.
#[derive(Debug, Clone)]
pub struct Outbound {
    /// Delivery id (unique per message and destination).
    pub delivery_id: i64,
    /// Stored message id.
    pub message_id: i64,
    /// Channel name.
    pub channel: String,
    /// The sender's control id, when known.
    pub control_id: Option<String>,
    /// MIME type of the payload.
    pub content_type: String,
    /// The bytes to deliver.
    pub payload: Vec<u8>,
}

/// Receives messages and hands each to the pipeline, acknowledging its sender only after the
/// pipeline has stored it.
pub trait Source: Send {
    /// Runs until `context.shutdown` is cancelled; returns early only on a setup failure.
    fn run(self: Box<Self>, context: SourceContext) -> BoxFuture<'static, Result<(), SourceError>>;
}

/// Delivers one message somewhere.
pub trait Destination: Send + Sync {
    /// One delivery attempt.
    fn deliver<'a>(&'a self, message: &'a Outbound) -> BoxFuture<'a, Result<(), DeliveryError>>;

    /// Whether a successful [`Destination::deliver`] has itself marked the delivery sent, in the
    /// transaction of its own writes to the store; otherwise the queue worker records it.
    fn records_its_success(&self) -> bool {
        false
    }

    /// Delivers several messages in one go, all or none, when the connector can (the `store`
    /// destination upserts a batch in one commit and marks every delivery sent in it); `None`
    /// when it sends one at a time. After an error nothing was delivered, and the queue worker
    /// delivers the same messages one at a time, so each failure is recorded against its message.
    fn deliver_all<'a>(
        &'a self,
        _messages: &'a [Outbound],
    ) -> Option<BoxFuture<'a, Result<(), DeliveryError>>> {
        None
    }
}

/// What a running source can reach.
#[derive(Clone)]
pub struct SourceContext {
    /// The channel's pipeline.
    pub pipeline: Arc<Pipeline>,
    /// Cancelled when the source must stop.
    pub shutdown: CancellationToken,
    /// The engine's data directory (file sources resolve their folders under it).
    pub data_dir: PathBuf,
    /// The deployment root (certificate and key files a source names are resolved under it).
    pub root: PathBuf,
    /// This engine node's id, the owner of the source leases it takes.
    pub node: String,
}

/// A source kind's settings, as a channel file gives them (see [`registry`]).
pub trait SourceSettings {
    /// Records every setting that is wrong (fields named relative to `source`).
    fn check(&self, _checks: &mut Checks<'_>) {}

    /// The source these settings describe.
    fn build(&self) -> Box<dyn Source>;
}

/// What a destination is built with.
pub struct DestinationContext<'a> {
    /// The engine's data directory (folders are resolved under it).
    pub data_dir: &'a Path,
    /// The deployment root (TLS certificate paths are resolved under it).
    pub root: &'a Path,
    /// The runtime, for destinations that hand messages to other channels.
    pub runtime: &'a runtime::RuntimeHandle,
    /// The store.
    pub store: &'a crate::store::Store,
}

/// A destination kind's settings, as a channel file gives them (see [`registry`]).
pub trait DestinationSettings {
    /// Records every setting that is wrong in `channel` (fields named relative to the
    /// destination).
    fn check(&self, _checks: &mut Checks<'_>, _channel: &ChannelConfig) {}

    /// The destination these settings describe.
    fn build(&self, context: &DestinationContext<'_>) -> Arc<dyn Destination>;
}

/// Replaces `${NAME}` with the environment variable `NAME` (empty when unset).
pub fn expand_env(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find('}') {
            Some(end) => {
                out.push_str(&std::env::var(&after[..end]).unwrap_or_default());
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::{DeliveryError, ErrorClass, expand_env};
    use std::io::{Error, ErrorKind};

    #[test]
    fn file_system_errors_are_classed_by_kind() {
        for kind in [
            ErrorKind::InvalidFilename,
            ErrorKind::PermissionDenied,
            ErrorKind::ReadOnlyFilesystem,
            ErrorKind::NotADirectory,
            ErrorKind::InvalidInput,
        ] {
            assert_eq!(ErrorClass::of_io(&Error::from(kind)), ErrorClass::Permanent);
        }
        for kind in [
            ErrorKind::StorageFull,
            ErrorKind::QuotaExceeded,
            ErrorKind::Interrupted,
            ErrorKind::TimedOut,
            ErrorKind::NotFound,
            ErrorKind::Other,
        ] {
            assert_eq!(ErrorClass::of_io(&Error::from(kind)), ErrorClass::Transient);
        }
        // The text does not matter, only the kind.
        let worded = Error::other("File name too long");
        assert_eq!(ErrorClass::of_io(&worded), ErrorClass::Transient);
        let too_long =
            DeliveryError::io("cannot write x", &Error::from(ErrorKind::InvalidFilename));
        assert_eq!(too_long.class, ErrorClass::Permanent);
        assert!(
            too_long.reason.starts_with("cannot write x: "),
            "{}",
            too_long.reason
        );
        assert!(
            too_long.reason.contains("not retried"),
            "{}",
            too_long.reason
        );
    }

    #[test]
    fn env_references_expand() {
        assert_eq!(expand_env("a${SWITCHBOARD_SURELY_UNSET_VAR}b"), "ab");
        assert_eq!(expand_env("plain"), "plain");
        assert_eq!(expand_env("x${open"), "x${open");
        let path = std::env::var("PATH").unwrap_or_default();
        assert_eq!(expand_env("${PATH}"), path);
    }
}
