//! What `/health` and `/metrics` know about the store without asking it on the request path:
//! a background task checks every [`CHECK_EVERY`] that the database answers (on a connection
//! of its own, so busy requests do not make it look down), and the row counts of `/metrics`
//! are refreshed in the background when a scrape finds them older than [`COUNTS_EVERY`].
//!
//! While the store is known to be unreachable, `/api` and `/fhir` requests are answered 503
//! with `Retry-After` at once instead of waiting for the database.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio_util::sync::CancellationToken;

use super::{ApiError, AppState};
use crate::store::deliveries::QueueDepth;
use crate::store::{Probe, Store, StoreError};

/// How often the background task checks the store.
pub const CHECK_EVERY: Duration = Duration::from_secs(1);
/// How long one check may take before the store counts as unreachable.
pub const CHECK_TIMEOUT: Duration = Duration::from_secs(1);
/// How old the row counts of `/metrics` may get before a scrape has them refreshed.
pub const COUNTS_EVERY: Duration = Duration::from_secs(15);
/// How long refreshing the row counts may take.
const COUNTS_TIMEOUT: Duration = Duration::from_secs(30);

/// The outcome of the latest store check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreHealth {
    /// Whether the database answered.
    pub reachable: bool,
    /// Why not, when it did not.
    pub error: Option<String>,
}

/// The row counts `/metrics` shows, as of `at`.
#[derive(Debug, Clone, Default)]
pub struct Counts {
    /// Messages by channel and status.
    pub messages: Vec<(String, String, i64)>,
    /// Deliveries waiting by channel and destination.
    pub queues: Vec<(String, String, QueueDepth)>,
    /// When they were counted; `None` before the first count.
    pub at: Option<Instant>,
}

/// Watches the store; see the module documentation.
pub struct StoreMonitor {
    store: Store,
    probe: tokio::sync::Mutex<Option<Probe>>,
    health: RwLock<Option<StoreHealth>>,
    watched: AtomicBool,
    counts: Mutex<Counts>,
    counting: AtomicBool,
}

impl StoreMonitor {
    /// A monitor of `store`; until [`StoreMonitor::watch`] runs, each question checks the
    /// store itself.
    pub fn new(store: Store) -> Self {
        StoreMonitor {
            store,
            probe: tokio::sync::Mutex::new(None),
            health: RwLock::new(None),
            watched: AtomicBool::new(false),
            counts: Mutex::new(Counts::default()),
            counting: AtomicBool::new(false),
        }
    }

    /// Checks the store now (at most [`CHECK_TIMEOUT`]) and keeps the outcome.
    pub async fn check(&self) -> StoreHealth {
        let checked = tokio::time::timeout(CHECK_TIMEOUT, self.ping()).await;
        let health = match checked {
            Ok(Ok(())) => StoreHealth {
                reachable: true,
                error: None,
            },
            Ok(Err(err)) => StoreHealth {
                reachable: false,
                error: Some(err.to_string()),
            },
            Err(_) => StoreHealth {
                reachable: false,
                error: Some(format!(
                    "the database did not answer within {} s",
                    CHECK_TIMEOUT.as_secs()
                )),
            },
        };
        let previous = self
            .health
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .replace(health.clone());
        match previous {
            Some(before) if before.reachable && !health.reachable => {
                tracing::error!(error = ?health.error, "the store cannot be reached");
            }
            Some(before) if !before.reachable && health.reachable => {
                tracing::info!("the store can be reached again");
            }
            _ => {}
        }
        health
    }

    /// Pings on the monitor's own connection, opening it when there is none; a failed
    /// connection is dropped and opened again next time.
    async fn ping(&self) -> Result<(), StoreError> {
        let mut probe = self.probe.lock().await;
        if probe.is_none() {
            *probe = Some(self.store.probe().await?);
        }
        let Some(connection) = probe.as_mut() else {
            return Ok(());
        };
        let pinged = connection.ping().await;
        if pinged.is_err()
            && let Some(failed) = probe.take()
        {
            failed.close().await;
        }
        pinged
    }

    /// The store's health: the latest background check while [`StoreMonitor::watch`] runs,
    /// otherwise a check now.
    pub async fn health(&self) -> StoreHealth {
        if self.watched.load(Ordering::Relaxed)
            && let Some(health) = self.latest()
        {
            return health;
        }
        self.check().await
    }

    fn latest(&self) -> Option<StoreHealth> {
        self.health
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Whether the background check last found the store unreachable.
    pub fn known_down(&self) -> bool {
        self.watched.load(Ordering::Relaxed) && self.latest().is_some_and(|h| !h.reachable)
    }

    /// Checks the store every [`CHECK_EVERY`] until `shutdown` is cancelled.
    pub async fn watch(self: Arc<Self>, shutdown: CancellationToken) {
        self.check().await;
        self.watched.store(true, Ordering::Relaxed);
        self.refresh_counts();
        let mut every = tokio::time::interval(CHECK_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = shutdown.cancelled() => break,
                _ = every.tick() => {}
            }
            self.check().await;
        }
        self.watched.store(false, Ordering::Relaxed);
        if let Some(probe) = self.probe.lock().await.take() {
            probe.close().await;
        }
    }

    /// The row counts as last taken; when they are older than [`COUNTS_EVERY`], a refresh
    /// starts in the background (the answer does not wait for it).
    pub fn counts(self: &Arc<Self>) -> Counts {
        let counts = self
            .counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if counts.at.is_none_or(|at| at.elapsed() >= COUNTS_EVERY) {
            self.refresh_counts();
        }
        counts
    }

    /// Counts again in the background, unless a count is under way or the store is down.
    fn refresh_counts(self: &Arc<Self>) {
        if self.known_down() || self.counting.swap(true, Ordering::AcqRel) {
            return;
        }
        let monitor = self.clone();
        tokio::spawn(async move {
            let counted = tokio::time::timeout(COUNTS_TIMEOUT, async {
                Ok::<_, StoreError>((
                    monitor.store.message_counts().await?,
                    monitor.store.queue_depths().await?,
                ))
            })
            .await;
            match counted {
                Ok(Ok((messages, queues))) => {
                    *monitor
                        .counts
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner) = Counts {
                        messages,
                        queues,
                        at: Some(Instant::now()),
                    };
                }
                Ok(Err(err)) => tracing::warn!(%err, "cannot count messages for /metrics"),
                Err(_) => tracing::warn!("counting messages for /metrics took too long"),
            }
            monitor.counting.store(false, Ordering::Release);
        });
    }
}

/// Answers 503 with `Retry-After` at once while the store is known to be unreachable.
pub async fn unless_store_down(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if state.monitor.known_down() {
        return ApiError::Unavailable("the store cannot be reached".into()).into_response();
    }
    next.run(request).await
}
