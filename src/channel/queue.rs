//! The worker that drains one destination's durable queue: sends, retries with exponential
//! backoff, dead-letters or holds, in arrival order when the queue is ordered.
//!
//! A worker leases the deliveries it is about to send, so that no other engine process sends
//! them meanwhile. Leases are short ([`LEASE_MS`]) and the worker extends them every
//! [`HEARTBEAT`] while it works, so a long send keeps its lease while the deliveries of a
//! process that is gone are free again within [`LEASE_MS`]. An engine that restarts under its
//! own node id takes its leases back at once (`Store::reclaim_leases`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::config::QueueConfig;
use super::counters::{Counters, Event};
use super::{Destination, ErrorClass, Outbound};
use crate::store::deliveries::{DeliveryStatus, DueDelivery, NextDelivery};
use crate::store::{Store, now_millis};

/// How long a worker waits before looking at its queue again when nothing woke it.
const IDLE_POLL: Duration = Duration::from_secs(5);
/// How long a claimed delivery stays leased to this process without a heartbeat.
pub const LEASE_MS: i64 = 12_000;
/// How often a worker extends the leases of the deliveries it holds.
pub const HEARTBEAT: Duration = Duration::from_secs(4);
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
    /// Lease length and heartbeat.
    pub leases: Leases,
}

/// How long a worker's leases last and how often it extends them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Leases {
    /// Lease length, in milliseconds.
    pub lease_ms: i64,
    /// Time between two extensions; well below the lease length.
    pub heartbeat: Duration,
}

impl Default for Leases {
    fn default() -> Self {
        Leases {
            lease_ms: LEASE_MS,
            heartbeat: HEARTBEAT,
        }
    }
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
                    let claimed_at = Instant::now();
                    match self
                        .store
                        .claim_deliveries(&ids, &self.node, self.leases.lease_ms)
                        .await
                    {
                        Ok(claimed) => {
                            let batch = self.sendable(due, &claimed);
                            let unused: Vec<i64> = claimed
                                .into_iter()
                                .filter(|id| !batch.iter().any(|d| d.delivery.id == *id))
                                .collect();
                            self.release(&unused).await;
                            if !batch.is_empty() {
                                self.send_batch(&batch, claimed_at, &shutdown).await;
                                continue;
                            }
                            // Another engine process holds them; look again shortly.
                            Duration::from_millis(500)
                        }
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

    /// Of the due deliveries, those this worker may send now: the ones it leased, and in an
    /// ordered queue only those before the first it could not lease.
    fn sendable(&self, due: Vec<DueDelivery>, claimed: &[i64]) -> Vec<DueDelivery> {
        let leased = |d: &DueDelivery| claimed.contains(&d.delivery.id);
        if self.queue.ordered {
            due.into_iter().take_while(leased).collect()
        } else {
            due.into_iter().filter(leased).collect()
        }
    }

    /// Sends leased deliveries (claimed at `claimed_at`) one at a time, extending their leases
    /// while it works. It stops early when the engine stops, in an ordered queue at a failure
    /// (which holds back everything after it), or when the leases could not be extended for so
    /// long that they may run out (see [`QueueWorker::keep_leases`]); then the leases it did not
    /// use go back.
    async fn send_batch(
        &self,
        batch: &[DueDelivery],
        claimed_at: Instant,
        shutdown: &CancellationToken,
    ) {
        let ids: Vec<i64> = batch.iter().map(|d| d.delivery.id).collect();
        let work = async {
            if self.sent_together(batch).await {
                return true;
            }
            let mut all_sent = true;
            for item in batch {
                if shutdown.is_cancelled() {
                    return false;
                }
                let sent = self.attempt(item).await;
                all_sent &= sent;
                if !sent && self.queue.ordered {
                    return false;
                }
            }
            all_sent
        };
        let all_sent = tokio::select! {
            all_sent = work => all_sent,
            () = self.keep_leases(&ids, claimed_at) => false,
        };
        // A finished attempt has let its lease go; what is left was not attempted, or its
        // outcome could not be recorded.
        if !all_sent {
            self.release(&ids).await;
        }
    }

    /// Extends the leases this worker still holds among `ids` every heartbeat, as long as the
    /// work goes on. It returns (and the send in progress is abandoned) only when the leases
    /// have not been extended since so long ago (counted from when the last extension that
    /// succeeded was asked for, or from `claimed_at`) that they could run out before the next
    /// heartbeat: another node may then take the deliveries, and this one must have stopped
    /// sending them before it can (fencing).
    async fn keep_leases(&self, ids: &[i64], claimed_at: Instant) {
        let lease = Duration::from_millis(u64::try_from(self.leases.lease_ms).unwrap_or(0));
        // The last moment the send may go on: one heartbeat before the leases can run out.
        let fence =
            |extended_at: Instant| extended_at + lease.saturating_sub(self.leases.heartbeat);
        let mut extended_at = claimed_at;
        loop {
            let extend = async {
                tokio::time::sleep(self.leases.heartbeat).await;
                let asked = Instant::now();
                let extended = self
                    .store
                    .extend_leases(ids, &self.node, self.leases.lease_ms)
                    .await;
                (asked, extended)
            };
            tokio::select! {
                (asked, extended) = extend => match extended {
                    Ok(_) => extended_at = asked,
                    Err(err) => {
                        tracing::warn!(channel = %self.channel, destination = %self.destination, %err, "cannot extend delivery leases");
                    }
                },
                () = tokio::time::sleep_until(fence(extended_at).into()) => {
                    tracing::error!(channel = %self.channel, destination = %self.destination, "delivery leases not extended for {:?}: stopping the send before another node may take it", extended_at.elapsed());
                    return;
                }
            }
        }
    }

    /// Gives back the leases this worker holds among `ids`.
    async fn release(&self, ids: &[i64]) {
        if let Err(err) = self.store.release_leases(ids, &self.node).await {
            tracing::warn!(channel = %self.channel, destination = %self.destination, %err, "cannot release delivery leases; they expire");
        }
    }

    /// Delivers a batch in one go when the connector can (see [`Destination::deliver_all`]);
    /// true when every delivery of it was sent. On false nothing was sent, and the caller
    /// delivers them one at a time.
    async fn sent_together(&self, batch: &[DueDelivery]) -> bool {
        if batch.len() < 2 {
            return false;
        }
        let messages: Vec<Outbound> = batch.iter().map(|due| self.outbound(due)).collect();
        let Some(delivery) = self.connector.deliver_all(&messages) else {
            return false;
        };
        match delivery.await {
            Ok(()) => {
                for due in batch {
                    self.observe_sent(due);
                    self.counters.count(Event::Sent);
                }
                true
            }
            Err(err) => {
                tracing::debug!(channel = %self.channel, destination = %self.destination, error = %err.reason, "batch not delivered; delivering one at a time");
                false
            }
        }
    }

    /// The message a delivery sends.
    fn outbound(&self, due: &DueDelivery) -> Outbound {
        let delivery = &due.delivery;
        Outbound {
            delivery_id: delivery.id,
            message_id: delivery.message_id,
            channel: self.channel.clone(),
            control_id: due.control_id.clone(),
            content_type: due.content_type.clone(),
            payload: due.body.clone(),
        }
    }

    /// One attempt at one delivery, and its bookkeeping; true when it was sent.
    async fn attempt(&self, due: &DueDelivery) -> bool {
        let delivery = &due.delivery;
        let message = self.outbound(due);
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
        if status == DeliveryStatus::Sent {
            self.observe_sent(due);
        }
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

    /// Counts how long a delivery waited from its queueing to its sending.
    fn observe_sent(&self, due: &DueDelivery) {
        let waited = u64::try_from(now_millis() - due.delivery.created_at).unwrap_or(0);
        self.counters
            .observe_delivery(&self.destination, Duration::from_millis(waited));
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
