//! The worker that drains one destination's durable queue: sends, retries with exponential
//! backoff, dead-letters or holds, in arrival order when the queue is ordered.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::counters::{Counters, Event};
use super::{Destination, ErrorClass, Outbound};
use crate::config::channel::QueueConfig;
use crate::store::deliveries::{Delivery, DeliveryStatus, NextDelivery};
use crate::store::{Store, now_millis};

/// How long a worker waits before looking at its queue again when nothing woke it.
const IDLE_POLL: Duration = Duration::from_secs(5);
/// How long a claimed delivery stays leased to this process.
const LEASE_MS: i64 = 120_000;

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
                .next_delivery(&self.channel, &self.destination, self.queue.ordered)
                .await
            {
                Ok(NextDelivery::Due(delivery)) => {
                    match self
                        .store
                        .claim_delivery(delivery.id, &self.node, LEASE_MS)
                        .await
                    {
                        Ok(true) => {
                            self.attempt(&delivery).await;
                            continue;
                        }
                        // Another engine process holds it; look again shortly.
                        Ok(false) => Duration::from_millis(500),
                        Err(err) => {
                            tracing::error!(channel = %self.channel, destination = %self.destination, %err, "cannot claim delivery");
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

    /// One attempt at one delivery, and its bookkeeping.
    async fn attempt(&self, delivery: &Delivery) {
        let outcome = match self.store.delivery_payload(delivery.id).await {
            Ok((payload, content_type, control_id)) => {
                let message = Outbound {
                    delivery_id: delivery.id,
                    message_id: delivery.message_id,
                    channel: self.channel.clone(),
                    control_id,
                    content_type,
                    payload,
                };
                self.connector.deliver(&message).await
            }
            Err(err) => {
                tracing::error!(delivery = delivery.id, %err, "cannot read delivery payload");
                return;
            }
        };
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
        }
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
