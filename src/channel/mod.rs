//! Channels: sources that receive messages, the pipeline that stores, filters and routes them,
//! and destinations that deliver them from durable queues.
//!
//! Every connector kind is one module implementing [`Source`] or [`Destination`], registered in
//! [`build_source`] / [`build_destination`] — the only place that knows every kind.

pub mod amqp;
pub mod counters;
pub mod fhir;
pub mod file;
pub mod forward;
pub mod http;
pub mod mllp;
pub mod payer_sim;
pub mod pipeline;
pub mod queue;
pub mod runtime;
pub mod schedule;
pub mod store;
pub mod writer;

use std::path::PathBuf;
use std::sync::Arc;

use futures::future::BoxFuture;
use tokio_util::sync::CancellationToken;

use crate::config::{DestinationConfig, SourceConfig};
pub use pipeline::{Pipeline, Receipt};
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

/// A failed delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct DeliveryError {
    /// How to treat it.
    pub class: ErrorClass,
    /// What happened, for the event trail.
    pub reason: String,
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
}

/// Builds the source a channel's config describes.
pub fn build_source(config: &SourceConfig) -> Box<dyn Source> {
    match config {
        SourceConfig::Http {
            listen,
            max_body_bytes,
            allow_anonymous,
        } => Box::new(http::HttpSource {
            listen: *listen,
            max_body_bytes: *max_body_bytes,
            allow_anonymous: *allow_anonymous,
        }),
        SourceConfig::File {
            folder,
            glob,
            poll_seconds,
            settle_ms,
            max_file_bytes,
            content_type,
        } => Box::new(file::FileSource {
            folder: folder.clone(),
            glob: glob.clone(),
            poll_seconds: *poll_seconds,
            settle_ms: *settle_ms,
            max_file_bytes: *max_file_bytes,
            content_type: content_type.clone(),
        }),
        SourceConfig::Amqp {
            url,
            queue,
            prefetch,
            content_type,
        } => Box::new(amqp::AmqpSource {
            url: expand_env(url),
            queue: queue.clone(),
            prefetch: *prefetch,
            content_type: content_type.clone(),
        }),
        SourceConfig::Schedule {
            cron,
            body,
            content_type,
        } => Box::new(schedule::ScheduleSource {
            cron: cron.clone(),
            body: body.clone().into_bytes(),
            content_type: content_type.clone(),
        }),
        SourceConfig::Channel {} => Box::new(HandedOver),
        SourceConfig::Mllp {
            listen,
            max_frame_bytes,
            ack_mode,
            idle_timeout_seconds,
            max_connections,
        } => Box::new(mllp::MllpSource {
            listen: *listen,
            max_frame_bytes: *max_frame_bytes,
            ack_mode: *ack_mode,
            idle_timeout: std::time::Duration::from_secs((*idle_timeout_seconds).max(1)),
            max_connections: *max_connections,
        }),
    }
}

/// Builds the destination a channel's config describes.
pub fn build_destination(
    config: &DestinationConfig,
    data_dir: &std::path::Path,
    runtime: &runtime::RuntimeHandle,
    pipeline_store: &crate::store::Store,
) -> Arc<dyn Destination> {
    match config {
        DestinationConfig::File {
            folder,
            name_template,
            ..
        } => {
            let folder = data_dir.join(folder);
            // The folder exists from deployment on, so readers can watch it.
            if let Err(err) = std::fs::create_dir_all(&folder) {
                tracing::warn!(folder = %folder.display(), %err, "cannot create the destination folder");
            }
            Arc::new(file::FileDestination {
                folder,
                name_template: name_template.clone(),
            })
        }
        DestinationConfig::Http {
            url,
            method,
            headers,
            timeout_seconds,
            ..
        } => Arc::new(http::HttpDestination::new(
            url,
            method,
            headers
                .iter()
                .map(|(k, v)| (k.clone(), expand_env(v)))
                .collect(),
            *timeout_seconds,
        )),
        DestinationConfig::Amqp {
            url,
            exchange,
            routing_key,
            declare_queue,
            ..
        } => Arc::new(amqp::AmqpDestination::new(
            expand_env(url),
            exchange.clone(),
            routing_key.clone(),
            *declare_queue,
        )),
        DestinationConfig::Fhir {
            url,
            headers,
            timeout_seconds,
            ..
        } => Arc::new(fhir::FhirDestination {
            store: pipeline_store.clone(),
            http: http::HttpDestination::new(
                url,
                "POST",
                headers
                    .iter()
                    .map(|(k, v)| (k.clone(), expand_env(v)))
                    .collect(),
                *timeout_seconds,
            ),
        }),
        DestinationConfig::Store { .. } => Arc::new(store::StoreDestination {
            store: pipeline_store.clone(),
        }),
        DestinationConfig::Claims { .. } => Arc::new(store::ClaimsDestination {
            store: pipeline_store.clone(),
        }),
        DestinationConfig::Acknowledge { channel, .. } => Arc::new(store::AcknowledgeDestination {
            store: pipeline_store.clone(),
            channel: channel.clone(),
            runtime: runtime.clone(),
        }),
        DestinationConfig::PayerSim {
            payer_file,
            folder,
            denial_percent,
            seed,
            reversal,
            ..
        } => Arc::new(payer_sim::PayerSimDestination {
            payer_file: payer_file.clone(),
            folder: data_dir.join(folder),
            random_denial_basis_points: denial_percent.saturating_mul(100),
            seed: *seed,
            reversal: *reversal,
            runtime: runtime.clone(),
        }),
        DestinationConfig::Channel { channel, .. } => Arc::new(forward::ChannelDestination {
            target: channel.clone(),
            runtime: runtime.clone(),
        }),
        DestinationConfig::Mllp {
            address,
            ack_timeout_seconds,
            on_error_ack,
            on_reject_ack,
            on_missing_ack,
            ..
        } => Arc::new(mllp::MllpDestination::new(
            address.clone(),
            *ack_timeout_seconds,
            *on_error_ack,
            *on_reject_ack,
            *on_missing_ack,
        )),
    }
}

/// The `channel` source: messages arrive only through [`Pipeline::receive`] calls from other
/// channels and the engine, so running it is waiting to be stopped.
struct HandedOver;

impl Source for HandedOver {
    fn run(self: Box<Self>, context: SourceContext) -> BoxFuture<'static, Result<(), SourceError>> {
        Box::pin(async move {
            context.shutdown.cancelled().await;
            Ok(())
        })
    }
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
    use super::expand_env;

    #[test]
    fn env_references_expand() {
        assert_eq!(expand_env("a${SWITCHBOARD_SURELY_UNSET_VAR}b"), "ab");
        assert_eq!(expand_env("plain"), "plain");
        assert_eq!(expand_env("x${open"), "x${open");
        let path = std::env::var("PATH").unwrap_or_default();
        assert_eq!(expand_env("${PATH}"), path);
    }
}
