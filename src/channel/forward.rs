//! `channel` source and destination: the destination hands each message to another channel's
//! pipeline, as if that channel's source had received it; the source receives only what other
//! channels and the engine (claim batches) hand it.

use std::sync::Arc;

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};

use super::config::{ChannelConfig, Checks};
use super::runtime::RuntimeHandle;
use super::{
    DeliveryError, Destination, DestinationContext, DestinationSettings, Outbound, Source,
    SourceContext, SourceError, SourceSettings,
};

/// `type = "channel"` source: receives only what other channels (`channel` destinations) and
/// the engine (e.g. claim batches) hand it, so running it is waiting to be stopped.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ChannelSource {}

impl SourceSettings for ChannelSource {
    fn build(&self) -> Box<dyn Source> {
        Box::new(self.clone())
    }
}

impl Source for ChannelSource {
    fn run(self: Box<Self>, context: SourceContext) -> BoxFuture<'static, Result<(), SourceError>> {
        Box::pin(async move {
            context.shutdown.cancelled().await;
            Ok(())
        })
    }
}

/// `type = "channel"` destination: hands each message to another channel, as if that
/// channel's source had received it.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ChannelDestinationConfig {
    /// Name of the receiving channel.
    pub channel: String,
}

impl DestinationSettings for ChannelDestinationConfig {
    fn check(&self, checks: &mut Checks<'_>, channel: &ChannelConfig) {
        checks.other_channel("channel", &self.channel, &channel.name);
    }

    fn build(&self, context: &DestinationContext<'_>) -> Arc<dyn Destination> {
        Arc::new(ChannelDestination {
            target: self.channel.clone(),
            runtime: context.runtime.clone(),
        })
    }
}

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
