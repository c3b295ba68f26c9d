//! The worker that drains one destination's durable queue: sends, retries with exponential
//! backoff, dead-letters or holds, in arrival order when the queue is ordered.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::config::QueueConfig;
use super::counters::{Counters, Event};
use super::{Destination, ErrorClass, Outbound};
use crate::store::deliveries::{DeliveryStatus, DueDelivery, NextDelivery};
use crate::store::{Store, now_millis};

/// How long a worker waits before looking at its queue again when nothing woke it.
const IDLE_POLL: Duration = Duration::from_secs(5);
/// How long a claimed delivery stays leased to this process.
const LEASE_MS: i64 = 120_000;
/// Most deliveries read and leased at once.
const BATCH: i64 = 32;

/// Drains one destination's queue until cancelled. A send in progress is finished first.
pub struct QueueWorker {
    /// The store.
    pub store: Store,
    /// Channel name.
    pub channel: String,
    /// Destination name.
    pub destination: String,
    /// Queue settings.
    pub queue: QueueConfig,
    /// The connector.
    pub connector: Arc<dyn Destination>,
    /// Woken when something is queued.
    pub wake: Arc<Notify>,
    /// The channel's counters.
    pub counters: Arc<Counters>,
    /// This engine process, as lease owner.
    pub node: String,
}

impl QueueWorker {
    /// Runs until `shutdown` is cancelled.
    pub async fn run(self, shutdown: CancellationToken) {
        loop {
            if shutdown.is_cancelled() {
                return;
            }
            let wait = match self
                .store
                .next_deliveries(&self.channel, &self.destination, self.queue.ordered, BATCH)
                .await
            {
                Ok(NextDelivery::Due(due)) => {
                    let ids: Vec<i64> = due.iter().map(|d| d.delivery.id).collect();
                    match self
                        .store
                        .claim_deliveries(&ids, &self.node, LEASE_MS)
                        .await
                    {
                        Ok(claimed) if claimed.len() == ids.len() => {
                            for item in &due {
                                let sent = self.attempt(item).await;
                                // In order, a failure holds back everything after it.
                                if !sent && self.queue.ordered {
                                    break;
                                }
                            }
                            continue;
                        }
                        // Another engine process holds some of them; look again shortly.
                        Ok(_) => Duration::from_millis(500),
                        Err(err) => {
                            tracing::error!(channel = %self.channel, destination = %self.destination, %err, "cannot claim deliveries");
                            Duration::from_secs(1)
                        }
                    }
                }
                Ok(NextDelivery::WaitUntil(at)) => {
                    Duration::from_millis(u64::try_from(at - now_millis()).unwrap_or(0))
                        .min(IDLE_POLL)
                }
                Ok(NextDelivery::Blocked(_) | NextDelivery::Idle) => IDLE_POLL,
                Err(err) => {
                    tracing::error!(channel = %self.channel, destination = %self.destination, %err, "cannot read queue");
                    Duration::from_secs(1)
                }
            };
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// One attempt at one delivery, and its bookkeeping; true when it was sent.
    async fn attempt(&self, due: &DueDelivery) -> bool {
        let delivery = &due.delivery;
        let message = Outbound {
            delivery_id: delivery.id,
            message_id: delivery.message_id,
            channel: self.channel.clone(),
            control_id: due.control_id.clone(),
            content_type: due.content_type.clone(),
            payload: due.body.clone(),
        };
        let outcome = self.connector.deliver(&message).await;
        let (status, retry_at, error) = match outcome {
            Ok(()) => (DeliveryStatus::Sent, None, None),
            Err(err) => {
                let attempts = u32::try_from(delivery.attempts + 1).unwrap_or(u32::MAX);
                let age_ms = now_millis() - delivery.created_at;
                let too_old = self.queue.max_age_seconds > 0
                    && age_ms
                        > i64::try_from(self.queue.max_age_seconds.saturating_mul(1000))
                            .unwrap_or(i64::MAX);
                let exhausted = attempts >= self.queue.max_attempts || too_old;
                let given_up = if self.queue.dead_letter {
                    DeliveryStatus::Dead
                } else {
                    DeliveryStatus::Discarded
                };
                let reason = if too_old && err.class == ErrorClass::Transient {
                    format!(
                        "{} (older than {} s)",
                        err.reason, self.queue.max_age_seconds
                    )
                } else {
                    err.reason.clone()
                };
                match err.class {
                    ErrorClass::Transient if !exhausted => (
                        DeliveryStatus::Pending,
                        Some(now_millis() + self.backoff_ms(attempts)),
                        Some(reason),
                    ),
                    ErrorClass::Ambiguous => (DeliveryStatus::Held, None, Some(reason)),
                    _ => (given_up, None, Some(reason)),
                }
            }
        };
        if status == DeliveryStatus::Sent && self.connector.records_its_success() {
            self.counters.count(Event::Sent);
            return true;
        }
        match status {
            DeliveryStatus::Sent => self.counters.count(Event::Sent),
            DeliveryStatus::Pending => self.counters.count(Event::Retried),
            _ => self.counters.count(Event::DeadLettered),
        }
        if let Some(error) = &error {
            tracing::warn!(channel = %self.channel, destination = %self.destination, delivery = delivery.id, status = status.as_str(), %error, "delivery failed");
        }
        if let Err(err) = self
            .store
            .finish_attempt(delivery, status, retry_at, error.as_deref())
            .await
        {
            tracing::error!(delivery = delivery.id, %err, "cannot record delivery outcome");
            tokio::time::sleep(Duration::from_secs(1)).await;
            return false;
        }
        status == DeliveryStatus::Sent
    }

    /// Exponential backoff after `attempts` failures, capped.
    fn backoff_ms(&self, attempts: u32) -> i64 {
        let factor = 1u64 << attempts.saturating_sub(1).min(30);
        let ms = self
            .queue
            .initial_backoff_ms
            .saturating_mul(factor)
            .min(self.queue.max_backoff_ms);
        i64::try_from(ms).unwrap_or(i64::MAX)
    }
}
