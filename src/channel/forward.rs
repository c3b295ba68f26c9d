//! `channel` destination: hands each message to another channel's pipeline, as if that
//! channel's source had received it.

use futures::future::BoxFuture;

use super::runtime::RuntimeHandle;
use super::{DeliveryError, Destination, Outbound};

/// Hands messages to another channel.
pub struct ChannelDestination {
    /// The receiving channel.
    pub target: String,
    /// Where to find it.
    pub runtime: RuntimeHandle,
}

impl Destination for ChannelDestination {
    fn deliver<'a>(&'a self, message: &'a Outbound) -> BoxFuture<'a, Result<(), DeliveryError>> {
        Box::pin(async move {
            let pipeline = self.runtime.pipeline(&self.target).await.ok_or_else(|| {
                DeliveryError::transient(format!("channel '{}' is not deployed", self.target))
            })?;
            pipeline
                .receive(&message.payload, Some(&message.content_type))
                .await
                .map(|_| ())
                .map_err(|err| {
                    DeliveryError::transient(format!("channel '{}': {err}", self.target))
                })
        })
    }
}
