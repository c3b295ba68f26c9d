//! The message path of one channel: store the raw bytes (committed before anyone is
//! acknowledged), read facts, filter, transform, route, and queue for each destination.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use tokio::sync::Notify;

use super::counters::{Counters, Event};
use crate::config::ChannelConfig;
use crate::config::channel::TransformOutput;
use crate::config::routes::RoutesConfig;
use crate::fhir::from_hl7v2::convert;
use crate::fhir::outcome::FHIR_JSON;
use crate::mapping::Mapping;
use crate::routing::{self, Facts};
use crate::store::deliveries::Routing;
use crate::store::ingest::{Ingest, Ingested, Outcome, Payload};
use crate::store::messages::MessageStatus;
use crate::store::{Store, StoreError};

/// What happened to a received message; sources answer their senders from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Receipt {
    /// Stored and queued for these destinations.
    Accepted {
        /// Stored message id.
        message_id: i64,
        /// Destinations it was queued for.
        destinations: Vec<String>,
    },
    /// Stored, then dropped on purpose by a filter or routing.
    Filtered {
        /// Stored message id.
        message_id: i64,
        /// Why.
        reason: String,
    },
    /// A resend of a message already stored; not processed again.
    Duplicate {
        /// The original message's id.
        message_id: i64,
    },
    /// Stored, but it cannot be processed; the reason says what and where.
    Rejected {
        /// Stored message id.
        message_id: i64,
        /// What is wrong.
        reason: String,
        /// Where, as a terse path (`PID-3`, `FT1[2]-11`), when known.
        location: Option<String>,
    },
}

impl Receipt {
    /// The stored message id.
    pub fn message_id(&self) -> i64 {
        match self {
            Receipt::Accepted { message_id, .. }
            | Receipt::Filtered { message_id, .. }
            | Receipt::Duplicate { message_id }
            | Receipt::Rejected { message_id, .. } => *message_id,
        }
    }
}

/// A channel's transform: its mapping, and what it hands the destinations.
pub struct Transform {
    /// The mapping to canonical records.
    pub mapping: Mapping,
    /// Those records, or the FHIR Bundle made of them and the message.
    pub output: TransformOutput,
}

impl Transform {
    /// What the destinations receive for a message, or why it cannot be transformed.
    fn apply(&self, facts: &Facts) -> Result<Payload, Outcome> {
        let records = self
            .mapping
            .records(facts)
            .map_err(|err| Outcome::Rejected {
                reason: err.to_string(),
                location: err.location,
            })?;
        let (bytes, content_type) = match self.output {
            TransformOutput::Records => (serde_json::to_vec(&records), "application/json"),
            TransformOutput::Fhir => {
                let bundle = convert(&records, facts.raw()).map_err(|err| Outcome::Rejected {
                    reason: format!("cannot convert to FHIR: {err}"),
                    location: None,
                })?;
                (serde_json::to_vec(&bundle), FHIR_JSON)
            }
        };
        let bytes = bytes.map_err(|err| Outcome::Rejected {
            reason: err.to_string(),
            location: None,
        })?;
        Ok(Payload {
            bytes,
            content_type,
        })
    }
}

/// One deployed channel's processing: shared by its source and the `channel` destinations of
/// other channels that hand messages to it.
pub struct Pipeline {
    /// The store.
    pub store: Store,
    /// The channel's configuration.
    pub config: Arc<ChannelConfig>,
    /// The engine's routing rules (reloaded in place).
    pub routes: Arc<RwLock<Arc<RoutesConfig>>>,
    /// The channel's transform, when it has one.
    pub transform: Option<Transform>,
    /// Wakes the worker of each destination when something is queued for it.
    pub wakers: BTreeMap<String, Arc<Notify>>,
    /// The channel's counters.
    pub counters: Arc<Counters>,
    /// Stores received messages.
    pub writer: super::writer::IngestWriter,
}

impl Pipeline {
    /// The channel's name.
    pub fn channel(&self) -> &str {
        &self.config.name
    }

    /// Reads `raw`, filters, routes and transforms it, then stores it with that outcome and its
    /// queue rows in one commit. An `Err` means nothing was stored: the sender must not be
    /// acknowledged.
    pub async fn receive(
        &self,
        raw: &[u8],
        content_type: Option<&str>,
    ) -> Result<Receipt, StoreError> {
        let facts = Facts::extract(raw);
        let control_id = facts.as_ref().ok().and_then(|f| f.control_id.clone());
        let content_type = content_type
            .map(str::to_string)
            .or_else(|| {
                facts
                    .as_ref()
                    .ok()
                    .and_then(|f| f.format)
                    .map(|f| f.content_type().to_string())
            })
            .unwrap_or_else(|| "application/octet-stream".to_string());
        let outcome = match &facts {
            Ok(facts) => self.decide(facts),
            Err(err) => Outcome::Rejected {
                reason: err.to_string(),
                location: None,
            },
        };
        let stored = self
            .writer
            .store(Ingest {
                channel: self.channel().to_string(),
                content_type,
                control_id,
                raw: raw.to_vec(),
                outcome: outcome.clone(),
            })
            .await?;
        let message_id = match stored {
            Ingested::Duplicate(message_id) => {
                self.counters.count(Event::Duplicate);
                return Ok(Receipt::Duplicate { message_id });
            }
            Ingested::New(message_id) => message_id,
        };
        self.counters.count(Event::Received);
        Ok(self.receipt(message_id, outcome))
    }

    /// What the channel does with a message: filters, routing, then the transform of what is
    /// routed somewhere (a message routed nowhere is not transformed).
    fn decide(&self, facts: &Facts) -> Outcome {
        if let Some(reason) = routing::filter(&self.config, facts) {
            return Outcome::Filtered(reason);
        }
        let decision = {
            let routes = self
                .routes
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .clone();
            routing::route(&routes, &self.config, facts)
        };
        if decision.destinations.is_empty() {
            let mut reason = decision.trail.join("; ");
            if reason.is_empty() {
                reason = "no route".to_string();
            }
            return Outcome::Filtered(reason);
        }
        let payload = match &self.transform {
            Some(transform) => match transform.apply(facts) {
                Ok(payload) => Some(payload),
                Err(rejected) => return rejected,
            },
            None => None,
        };
        Outcome::Routed {
            destinations: decision.destinations,
            payload,
            trail: decision.trail,
        }
    }

    /// Counts an outcome, wakes the destinations it queued for, and says what happened.
    fn receipt(&self, message_id: i64, outcome: Outcome) -> Receipt {
        match outcome {
            Outcome::Routed { destinations, .. } => {
                for destination in &destinations {
                    if let Some(waker) = self.wakers.get(destination) {
                        waker.notify_one();
                    }
                }
                Receipt::Accepted {
                    message_id,
                    destinations,
                }
            }
            Outcome::Filtered(reason) => {
                self.counters.count(Event::Filtered);
                Receipt::Filtered { message_id, reason }
            }
            Outcome::Rejected { reason, location } => {
                self.counters.count(Event::Errored);
                Receipt::Rejected {
                    message_id,
                    reason,
                    location,
                }
            }
            Outcome::Stored => Receipt::Filtered {
                message_id,
                reason: "stored only".to_string(),
            },
        }
    }

    /// Filters, routes and transforms a message already stored, and records the outcome
    /// (used to reprocess one).
    pub async fn process(&self, message_id: i64, facts: &Facts) -> Result<Receipt, StoreError> {
        let outcome = self.decide(facts);
        match &outcome {
            Outcome::Routed {
                destinations,
                payload,
                trail,
            } => {
                self.store
                    .route_message(&Routing {
                        message_id,
                        channel: self.channel(),
                        destinations,
                        payload: payload.as_ref(),
                        trail,
                    })
                    .await?;
            }
            Outcome::Filtered(reason) => {
                self.store
                    .set_message_status(message_id, MessageStatus::Filtered, Some(reason))
                    .await?;
            }
            Outcome::Rejected { reason, .. } => {
                self.store
                    .set_message_status(message_id, MessageStatus::Error, Some(reason))
                    .await?;
            }
            Outcome::Stored => {}
        }
        Ok(self.receipt(message_id, outcome))
    }
}
