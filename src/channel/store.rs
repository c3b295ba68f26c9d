//! `store` destination: upserts the canonical records the channel's mapping produced (keyed on
//! natural keys, so a redelivery changes nothing; the delivery is marked sent in the same
//! commit).

use std::sync::Arc;

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};

use super::config::{ChannelConfig, Checks, TransformOutput};
use super::{DeliveryError, Destination, DestinationContext, DestinationSettings, Outbound};
use crate::fhir::clinical::store_clinical;
use crate::mapping::Records;
use crate::store::Store;
use crate::store::canonical::upsert_records_on;
use crate::store::deliveries::mark_sent_on;
use crate::store::sql::Sql;

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
    /// Reads each message's canonical records, then upserts them all in order, with the
    /// clinical resources each carries, and marks each delivery sent, in one commit: the queue
    /// drains a batch per transaction (on SQLite through the native connection). Nothing is
    /// written when one of them fails (the worker then delivers them one at a time, so the
    /// failure is recorded against the message that caused it).
    async fn upsert(&self, messages: &[Outbound]) -> Result<(), DeliveryError> {
        let batch = messages
            .iter()
            .map(|message| {
                let records: Records = serde_json::from_slice(&message.payload).map_err(|err| {
                    DeliveryError::permanent(format!(
                        "the payload is not canonical records (is the channel's transform a mapping?): {err}"
                    ))
                })?;
                Ok((records, message.delivery_id, message.message_id))
            })
            .collect::<Result<Vec<_>, DeliveryError>>()?;
        self.store
            .write_transaction(move |conn| {
                Box::pin(async move {
                    for (records, delivery_id, message_id) in &batch {
                        upsert_one(conn, records, *message_id).await?;
                        mark_sent_on(conn, *delivery_id).await?;
                    }
                    Ok(())
                })
            })
            .await
    }
}

/// Upserts one message's canonical records and stores its clinical resources, linked to the
/// patient and visit just upserted.
async fn upsert_one(
    conn: &mut dyn Sql,
    records: &Records,
    message_id: i64,
) -> Result<(), DeliveryError> {
    let ids = upsert_records_on(conn, records).await?;
    if let Some(clinical) = &records.clinical {
        store_clinical(
            conn,
            clinical,
            ids.patient.map(|p| p.id),
            ids.encounter.map(|e| e.id),
            Some(message_id),
        )
        .await
        .map_err(|err| {
            let reason = format!("cannot store the clinical resources: {err}");
            if err.status.is_client_error() {
                DeliveryError::permanent(reason)
            } else {
                DeliveryError::transient(reason)
            }
        })?;
    }
    Ok(())
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
