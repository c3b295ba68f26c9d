//! `store`, `claims` and `acknowledge` destinations: upsert the canonical records the channel's
//! mapping produced (keyed on natural keys, so a redelivery changes nothing; the delivery is
//! marked sent in the same commit), apply inbound 999 and 277CA acknowledgments to our claims,
//! and answer inbound X12 with a 999.

use futures::future::BoxFuture;

use super::{DeliveryError, Destination, Outbound};
use crate::mapping::Records;
use crate::store::{Store, StoreError};

/// Upserts canonical records.
pub struct StoreDestination {
    /// The store.
    pub store: Store,
}

impl Destination for StoreDestination {
    fn deliver<'a>(&'a self, message: &'a Outbound) -> BoxFuture<'a, Result<(), DeliveryError>> {
        Box::pin(async move {
            let records: Records = serde_json::from_slice(&message.payload).map_err(|err| {
                DeliveryError::permanent(format!(
                    "the payload is not canonical records (is the channel's transform a mapping?): {err}"
                ))
            })?;
            match self
                .store
                .upsert_records_delivered(&records, message.delivery_id)
                .await
            {
                Ok(_) => Ok(()),
                Err(StoreError::Invalid(reason)) => Err(DeliveryError::permanent(reason)),
                Err(err) => Err(DeliveryError::transient(err.to_string())),
            }
        })
    }

    /// The records and the delivery's `sent` mark commit together.
    fn records_its_success(&self) -> bool {
        true
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
            match crate::revenue::acknowledgments::apply_acknowledgment(
                &self.store,
                &message.payload,
                &format!("{} message {}", message.channel, message.message_id),
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
                Err(crate::revenue::RevenueError::Store(err)) => {
                    Err(DeliveryError::transient(err.to_string()))
                }
                Err(err) => Err(DeliveryError::permanent(err.to_string())),
            }
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
    pub runtime: super::runtime::RuntimeHandle,
}

impl Destination for AcknowledgeDestination {
    fn deliver<'a>(&'a self, message: &'a Outbound) -> BoxFuture<'a, Result<(), DeliveryError>> {
        Box::pin(async move {
            let ack = match crate::revenue::acknowledgments::acknowledgment_for(
                &self.store,
                &message.payload,
            )
            .await
            {
                Ok(Some(ack)) => ack,
                Ok(None) => return Ok(()),
                Err(crate::revenue::RevenueError::Store(err)) => {
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
