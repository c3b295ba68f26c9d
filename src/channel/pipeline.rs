//! The message path of one channel: store the raw bytes (committed before anyone is
//! acknowledged), read facts, filter, transform, route, and queue for each destination.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use tokio::sync::Notify;

use super::counters::{Counters, Event};
use crate::config::ChannelConfig;
use crate::config::routes::RoutesConfig;
use crate::mapping::Mapping;
use crate::routing::{self, Facts};
use crate::store::deliveries::Routing;
use crate::store::messages::{MessageStatus, NewMessage, Stored};
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
    pub transform: Option<Arc<Mapping>>,
    /// Wakes the worker of each destination when something is queued for it.
    pub wakers: BTreeMap<String, Arc<Notify>>,
    /// The channel's counters.
    pub counters: Arc<Counters>,
}

impl Pipeline {
    /// The channel's name.
    pub fn channel(&self) -> &str {
        &self.config.name
    }

    /// Stores `raw` and takes it through filters, transform and routing. An `Err` means the
    /// message could not be stored: the sender must not be acknowledged.
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
        let stored = self
            .store
            .insert_message(&NewMessage {
                channel: self.channel(),
                content_type: &content_type,
                control_id: control_id.as_deref(),
                raw,
            })
            .await?;
        let message_id = match stored {
            Stored::Duplicate(message_id) => {
                self.counters.count(Event::Duplicate);
                return Ok(Receipt::Duplicate { message_id });
            }
            Stored::New(message_id) => message_id,
        };
        self.counters.count(Event::Received);
        let facts = match facts {
            Ok(facts) => facts,
            Err(err) => return self.reject(message_id, err.to_string()).await,
        };
        self.process(message_id, &facts).await
    }

    /// Filters, transforms and routes a stored message (also used to reprocess one).
    pub async fn process(&self, message_id: i64, facts: &Facts) -> Result<Receipt, StoreError> {
        if let Some(reason) = routing::filter(&self.config, facts) {
            self.store
                .set_message_status(message_id, MessageStatus::Filtered, Some(&reason))
                .await?;
            self.counters.count(Event::Filtered);
            return Ok(Receipt::Filtered { message_id, reason });
        }
        let payload = match &self.transform {
            Some(mapping) => match mapping.apply(facts) {
                Ok(payload) => Some(payload),
                Err(err) => return self.reject(message_id, err.to_string()).await,
            },
            None => None,
        };
        let decision = {
            let routes = self
                .routes
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .clone();
            routing::route(&routes, &self.config, facts)
        };
        self.store
            .route_message(&Routing {
                message_id,
                channel: self.channel(),
                destinations: &decision.destinations,
                payload: payload.as_deref(),
                trail: &decision.trail,
            })
            .await?;
        if decision.destinations.is_empty() {
            self.counters.count(Event::Filtered);
            return Ok(Receipt::Filtered {
                message_id,
                reason: "no route matched and no default".to_string(),
            });
        }
        for destination in &decision.destinations {
            if let Some(waker) = self.wakers.get(destination) {
                waker.notify_one();
            }
        }
        Ok(Receipt::Accepted {
            message_id,
            destinations: decision.destinations,
        })
    }

    async fn reject(&self, message_id: i64, reason: String) -> Result<Receipt, StoreError> {
        self.store
            .set_message_status(message_id, MessageStatus::Error, Some(&reason))
            .await?;
        self.counters.count(Event::Errored);
        Ok(Receipt::Rejected { message_id, reason })
    }
}
