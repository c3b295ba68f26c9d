//! Per-channel counters: totals since start and per-minute counts over the last hour.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

use crate::metrics::latency_histogram;
use prometheus_client::metrics::histogram::Histogram;
use std::collections::BTreeMap;
use std::time::Duration;

/// What a channel counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// A message was received (stored).
    Received,
    /// A message was filtered out.
    Filtered,
    /// A resent message was recognised.
    Duplicate,
    /// A message could not be processed.
    Errored,
    /// A delivery succeeded.
    Sent,
    /// A delivery attempt failed and will be retried.
    Retried,
    /// A delivery was given up on (dead-lettered or discarded) or held.
    DeadLettered,
}

const EVENTS: [Event; 7] = [
    Event::Received,
    Event::Filtered,
    Event::Duplicate,
    Event::Errored,
    Event::Sent,
    Event::Retried,
    Event::DeadLettered,
];

impl Event {
    /// Label used in metrics and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Event::Received => "received",
            Event::Filtered => "filtered",
            Event::Duplicate => "duplicate",
            Event::Errored => "errored",
            Event::Sent => "sent",
            Event::Retried => "retried",
            Event::DeadLettered => "dead_lettered",
        }
    }

    fn index(self) -> usize {
        EVENTS.iter().position(|e| *e == self).unwrap_or(0)
    }
}

const MINUTES: usize = 60;

/// Counters of one channel; shared by its source, pipeline and destination workers.
#[derive(Debug)]
pub struct Counters {
    totals: [AtomicU64; 7],
    /// (minute since the epoch, count per event) for the last [`MINUTES`] minutes.
    minutes: Mutex<Vec<(u64, [u64; 7])>>,
    /// Seconds from a message's receipt to its answer being sent (MLLP and HTTP sources).
    ack_latency: Histogram,
    /// Seconds from a delivery's queueing to its sending, by destination.
    delivery_latency: Mutex<BTreeMap<String, Histogram>>,
}

impl Default for Counters {
    fn default() -> Self {
        Counters {
            totals: Default::default(),
            minutes: Mutex::default(),
            // 0.5 ms to about 16 s.
            ack_latency: latency_histogram(0.0005, 2.0, 16),
            delivery_latency: Mutex::default(),
        }
    }
}

/// A snapshot for the API.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Snapshot {
    /// Totals since the engine started, by event.
    pub totals: std::collections::BTreeMap<&'static str, u64>,
    /// Counts in the last full minute, by event.
    pub last_minute: std::collections::BTreeMap<&'static str, u64>,
    /// Per-minute counts over the last hour, oldest first: (minute since epoch, received, sent, errored).
    pub hour: Vec<(u64, u64, u64, u64)>,
}

fn current_minute() -> u64 {
    u64::try_from(crate::store::now_millis() / 60_000).unwrap_or(0)
}

impl Counters {
    /// Counts one event.
    pub fn count(&self, event: Event) {
        self.totals[event.index()].fetch_add(1, Ordering::Relaxed);
        let minute = current_minute();
        let mut minutes = self
            .minutes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match minutes.last_mut() {
            Some((m, counts)) if *m == minute => counts[event.index()] += 1,
            _ => {
                let mut counts = [0; 7];
                counts[event.index()] = 1;
                minutes.push((minute, counts));
                let keep_from = minute.saturating_sub(MINUTES as u64);
                minutes.retain(|(m, _)| *m > keep_from);
            }
        }
    }

    /// Records how long a message waited for its answer, from receipt to the answer sent.
    pub fn observe_ack(&self, waited: Duration) {
        self.ack_latency.observe(waited.as_secs_f64());
    }

    /// Records how long a delivery to `destination` waited, from queueing to sent.
    pub fn observe_delivery(&self, destination: &str, waited: Duration) {
        let mut latencies = self
            .delivery_latency
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        latencies
            .entry(destination.to_string())
            // 1 ms to about 70 minutes.
            .or_insert_with(|| latency_histogram(0.001, 4.0, 12))
            .observe(waited.as_secs_f64());
    }

    /// The ACK latency histogram (shared: it goes on counting).
    pub fn ack_latency(&self) -> Histogram {
        self.ack_latency.clone()
    }

    /// The delivery latency histogram of each destination that has sent something.
    pub fn delivery_latencies(&self) -> Vec<(String, Histogram)> {
        self.delivery_latency
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .map(|(destination, histogram)| (destination.clone(), histogram.clone()))
            .collect()
    }

    /// Total of one event since start.
    pub fn total(&self, event: Event) -> u64 {
        self.totals[event.index()].load(Ordering::Relaxed)
    }

    /// A snapshot of every counter.
    pub fn snapshot(&self) -> Snapshot {
        let now = current_minute();
        let minutes = self
            .minutes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let last = minutes
            .iter()
            .find(|(m, _)| *m + 1 == now)
            .map(|(_, c)| *c)
            .unwrap_or_default();
        Snapshot {
            totals: EVENTS
                .iter()
                .map(|e| (e.as_str(), self.total(*e)))
                .collect(),
            last_minute: EVENTS
                .iter()
                .map(|e| (e.as_str(), last[e.index()]))
                .collect(),
            hour: minutes
                .iter()
                .filter(|(m, _)| *m + MINUTES as u64 > now)
                .map(|(m, c)| {
                    (
                        *m,
                        c[Event::Received.index()],
                        c[Event::Sent.index()],
                        c[Event::Errored.index()],
                    )
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_totals_and_minutes() {
        let counters = Counters::default();
        counters.count(Event::Received);
        counters.count(Event::Received);
        counters.count(Event::Sent);
        let snapshot = counters.snapshot();
        assert_eq!(snapshot.totals["received"], 2);
        assert_eq!(snapshot.totals["sent"], 1);
        assert_eq!(snapshot.hour.len(), 1);
        assert_eq!(snapshot.hour[0].1, 2);
    }
}
