//! `acknowledge` destination: answers each inbound X12 interchange (except acknowledgments)
//! with a 999, handed to another channel (e.g. the X12 outbox).

use std::sync::Arc;

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};

use super::config::{ChannelConfig, Checks};
use super::runtime::RuntimeHandle;
use super::{DeliveryError, Destination, DestinationContext, DestinationSettings, Outbound};
use crate::revenue::RevenueError;
use crate::revenue::acknowledgments::acknowledgment_for;
use crate::store::Store;

/// `type = "acknowledge"` destination: answers each inbound X12 interchange (except
/// acknowledgments) with a 999, handed to another channel.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AcknowledgeDestinationConfig {
    /// The channel that carries the 999s.
    pub channel: String,
}

impl DestinationSettings for AcknowledgeDestinationConfig {
    fn check(&self, checks: &mut Checks<'_>, channel: &ChannelConfig) {
        checks.other_channel("channel", &self.channel, &channel.name);
    }

    fn build(&self, context: &DestinationContext<'_>) -> Arc<dyn Destination> {
        Arc::new(AcknowledgeDestination {
            store: context.store.clone(),
            channel: self.channel.clone(),
            runtime: context.runtime.clone(),
        })
    }
}

/// Answers inbound X12 interchanges with 999s through another channel.
pub struct AcknowledgeDestination {
    /// The store (control numbers).
    pub store: Store,
    /// The channel that carries the 999s.
    pub channel: String,
    /// Where to find it.
    pub runtime: RuntimeHandle,
}

impl Destination for AcknowledgeDestination {
    fn deliver<'a>(&'a self, message: &'a Outbound) -> BoxFuture<'a, Result<(), DeliveryError>> {
        Box::pin(async move {
            let ack = match acknowledgment_for(&self.store, &message.payload).await {
                Ok(Some(ack)) => ack,
                Ok(None) => return Ok(()),
                Err(RevenueError::Store(err)) => {
                    return Err(DeliveryError::transient(err.to_string()));
                }
                Err(err) => return Err(DeliveryError::permanent(err.to_string())),
            };
            let pipeline = self.runtime.pipeline(&self.channel).await.ok_or_else(|| {
                DeliveryError::transient(format!("channel '{}' is not deployed", self.channel))
            })?;
            pipeline
                .receive(&ack, Some("application/edi-x12"))
                .await
                .map(|_| ())
                .map_err(|err| DeliveryError::transient(err.to_string()))
        })
    }
}
