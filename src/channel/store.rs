//! `store` destination: upserts the canonical records the channel's mapping produced.
//! Upserts are keyed on natural keys, so a redelivery changes nothing.

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
            match self.store.upsert_records(&records).await {
                Ok(_) => Ok(()),
                Err(StoreError::Invalid(reason)) => Err(DeliveryError::permanent(reason)),
                Err(err) => Err(DeliveryError::transient(err.to_string())),
            }
        })
    }
}
