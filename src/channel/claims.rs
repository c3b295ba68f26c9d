//! `claims` destination: applies inbound X12 999 and 277CA acknowledgments and 835 remittances
//! to our claims, and 271 eligibility responses to the checks they answer.

use std::sync::Arc;

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};

use super::{DeliveryError, Destination, DestinationContext, DestinationSettings, Outbound};
use crate::revenue::RevenueError;
use crate::revenue::acknowledgments::apply_acknowledgment;
use crate::store::Store;

/// `type = "claims"` destination: applies inbound X12 999 and 277CA acknowledgments and 835
/// remittances to our claims.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ClaimsDestinationConfig {}

impl DestinationSettings for ClaimsDestinationConfig {
    fn build(&self, context: &DestinationContext<'_>) -> Arc<dyn Destination> {
        Arc::new(ClaimsDestination {
            store: context.store.clone(),
        })
    }
}

/// Applies 999, 277CA and 835 files to claims.
pub struct ClaimsDestination {
    /// The store.
    pub store: Store,
}

impl Destination for ClaimsDestination {
    fn deliver<'a>(&'a self, message: &'a Outbound) -> BoxFuture<'a, Result<(), DeliveryError>> {
        Box::pin(async move {
            match apply_acknowledgment(
                &self.store,
                &message.payload,
                &format!("{} message {}", message.channel, message.message_id),
                Some(message.message_id),
            )
            .await
            {
                Ok(done) => {
                    tracing::info!(
                        message = message.message_id,
                        claims = done.len(),
                        "acknowledgment applied"
                    );
                    Ok(())
                }
                Err(RevenueError::Store(err)) => Err(DeliveryError::transient(err.to_string())),
                Err(err) => Err(DeliveryError::permanent(err.to_string())),
            }
        })
    }
}
