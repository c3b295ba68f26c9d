//! `store` destination: upserts the canonical records the channel's mapping produced (keyed on
//! natural keys, so a redelivery changes nothing; the delivery is marked sent in the same
//! commit).

use std::sync::Arc;

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};

use super::config::{ChannelConfig, Checks, TransformOutput};
use super::{DeliveryError, Destination, DestinationContext, DestinationSettings, Outbound};
use crate::mapping::Records;
use crate::store::{Store, StoreError};

/// `type = "store"` destination: upserts the message's canonical records into the store
/// (needs a `transform` mapping).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct StoreDestinationConfig {}

impl DestinationSettings for StoreDestinationConfig {
    fn check(&self, checks: &mut Checks<'_>, channel: &ChannelConfig) {
        match &channel.transform {
            None => checks.problem(
                "type",
                "a store destination needs the channel's transform.mapping",
            ),
            Some(transform) if transform.output() != TransformOutput::Records => checks.problem(
                "type",
                "a store destination takes canonical records: it needs transform.output = \"records\"",
            ),
            Some(_) => {}
        }
    }

    fn build(&self, context: &DestinationContext<'_>) -> Arc<dyn Destination> {
        Arc::new(StoreDestination {
            store: context.store.clone(),
        })
    }
}

/// Upserts canonical records.
pub struct StoreDestination {
    /// The store.
    pub store: Store,
}

impl StoreDestination {
    /// Reads each message's canonical records, then upserts them all in one commit.
    async fn upsert(&self, messages: &[Outbound]) -> Result<(), DeliveryError> {
        let batch = messages
            .iter()
            .map(|message| {
                let records: Records = serde_json::from_slice(&message.payload).map_err(|err| {
                    DeliveryError::permanent(format!(
                        "the payload is not canonical records (is the channel's transform a mapping?): {err}"
                    ))
                })?;
                Ok((records, message.delivery_id))
            })
            .collect::<Result<Vec<_>, DeliveryError>>()?;
        match self.store.upsert_records_delivered_all(batch).await {
            Ok(()) => Ok(()),
            Err(StoreError::Invalid(reason)) => Err(DeliveryError::permanent(reason)),
            Err(err) => Err(DeliveryError::transient(err.to_string())),
        }
    }
}

impl Destination for StoreDestination {
    fn deliver<'a>(&'a self, message: &'a Outbound) -> BoxFuture<'a, Result<(), DeliveryError>> {
        Box::pin(self.upsert(std::slice::from_ref(message)))
    }

    /// The records and the delivery's `sent` mark commit together.
    fn records_its_success(&self) -> bool {
        true
    }

    /// A batch of messages is upserted in one commit.
    fn deliver_all<'a>(
        &'a self,
        messages: &'a [Outbound],
    ) -> Option<BoxFuture<'a, Result<(), DeliveryError>>> {
        Some(Box::pin(self.upsert(messages)))
    }
}
