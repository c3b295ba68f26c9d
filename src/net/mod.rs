//! Listeners that stay up under hostile or broken clients: connection limits per listener,
//! per client address and for the whole engine (below the process's file limit), and the
//! HTTP server loop with header, body and idle timeouts ([`http`]).
//!
//! A connection over a limit is refused at once (closed, or answered 503 on HTTP); refusals are
//! logged once per [`LOG_EVERY`] per listener with how many there were, and counted for
//! `/metrics`. The connections already open keep being served.

pub mod http;
pub mod tls;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak};
use std::time::{Duration, Instant};

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The default of every listener setting, as serde default functions.
pub mod defaults {
    /// Connections a listener serves at once.
    pub fn max_connections() -> usize {
        256
    }

    /// Connections one client address may hold open on a listener.
    pub fn max_connections_per_client() -> usize {
        32
    }

    /// Seconds a client has to send a request's head (HTTP).
    pub fn header_timeout_seconds() -> u64 {
        10
    }

    /// Seconds a client has to send a request's body (HTTP).
    pub fn body_timeout_seconds() -> u64 {
        60
    }

    /// Seconds a kept-alive HTTP connection may wait for its next request.
    pub fn idle_timeout_seconds() -> u64 {
        60
    }
}

/// Most refusals of one listener that are logged within this interval: one line, then a count.
pub const LOG_EVERY: Duration = Duration::from_secs(10);

/// How many connections one listener takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Connections served at once.
    pub max_connections: usize,
    /// Connections one client address may hold at once.
    pub max_connections_per_client: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            max_connections: defaults::max_connections(),
            max_connections_per_client: defaults::max_connections_per_client(),
        }
    }
}

impl ConnectionLimits {
    /// What is wrong with these limits, as (setting name, reason); the names are the ones
    /// listener settings use.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut problems = Vec::new();
        if self.max_connections == 0 || self.max_connections > MAX_BUDGET {
            problems.push((
                "max_connections",
                format!("must be between 1 and {MAX_BUDGET}"),
            ));
        }
        if self.max_connections_per_client == 0 {
            problems.push((
                "max_connections_per_client",
                "must be at least 1 (it counts up to max_connections)".to_string(),
            ));
        }
        problems
    }
}

/// Why a new connection was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The client address already holds its share of the listener.
    Client,
    /// The listener serves as many connections as it may.
    Listener,
    /// The engine as a whole holds as many connections as its file limit allows.
    Engine,
}

impl Refusal {
    /// Short name, for logs and metric labels.
    pub fn as_str(self) -> &'static str {
        match self {
            Refusal::Client => "per_client",
            Refusal::Listener => "listener",
            Refusal::Engine => "engine",
        }
    }

    /// What the client is told.
    pub fn reason(self) -> &'static str {
        match self {
            Refusal::Client => "too many connections from this client",
            Refusal::Listener => "too many connections on this listener",
            Refusal::Engine => "too many connections open in the engine",
        }
    }
}

/// Counts of one listener, for `/metrics`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListenerStats {
    /// The listener's name (`http` for the API, else the channel's).
    pub name: String,
    /// Connections open now.
    pub open: u64,
    /// Connections refused since start, by [`Refusal::as_str`].
    pub refused: Vec<(&'static str, u64)>,
    /// Connections closed by a timeout since start, by kind (`header`, `body`, `idle`, ...).
    pub timed_out: Vec<(&'static str, u64)>,
    /// TLS handshakes that failed since start (no or a bad client certificate, plain TCP).
    pub handshakes_failed: u64,
}

/// The door of one listener: admits a connection when the client, the listener and the
/// engine are all under their limits, and holds its place until the [`Pass`] is dropped.
pub struct Gate {
    name: String,
    limits: ConnectionLimits,
    slots: Arc<Semaphore>,
    clients: Mutex<HashMap<IpAddr, usize>>,
    refused: [AtomicU64; 3],
    timed_out: Mutex<Vec<(&'static str, u64)>>,
    handshakes_failed: AtomicU64,
    log: RateLimitedLog,
}

impl Gate {
    /// A gate named `name` (shown in logs and metrics) with these limits.
    pub fn new(name: &str, limits: ConnectionLimits) -> Arc<Gate> {
        let gate = Arc::new(Gate {
            name: name.to_string(),
            limits,
            slots: Arc::new(Semaphore::new(limits.max_connections.max(1))),
            clients: Mutex::new(HashMap::new()),
            refused: Default::default(),
            timed_out: Mutex::new(Vec::new()),
            handshakes_failed: AtomicU64::new(0),
            log: RateLimitedLog::new(LOG_EVERY),
        });
        let mut gates = GATES.lock().unwrap_or_else(PoisonError::into_inner);
        gates.retain(|gate| gate.strong_count() > 0);
        gates.push(Arc::downgrade(&gate));
        gate
    }

    /// The listener's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Admits a connection from `client`, or says which limit refuses it (and logs the
    /// refusal, at most once per [`LOG_EVERY`]).
    pub fn admit(self: &Arc<Self>, client: IpAddr) -> Result<Pass, Refusal> {
        let admitted = self.try_admit(client);
        if let Err(refusal) = admitted {
            self.refused[refusal as usize].fetch_add(1, Ordering::Relaxed);
            self.log.warn(|suppressed| {
                tracing::warn!(
                    listener = %self.name,
                    %client,
                    limit = refusal.as_str(),
                    more_refused = suppressed,
                    "connection refused: {}",
                    refusal.reason()
                );
            });
        }
        admitted
    }

    fn try_admit(self: &Arc<Self>, client: IpAddr) -> Result<Pass, Refusal> {
        let mut clients = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
        let held = clients.get(&client).copied().unwrap_or(0);
        if held >= self.limits.max_connections_per_client {
            return Err(Refusal::Client);
        }
        let slot = self
            .slots
            .clone()
            .try_acquire_owned()
            .map_err(|_| Refusal::Listener)?;
        let budget = budget()
            .clone()
            .try_acquire_owned()
            .map_err(|_| Refusal::Engine)?;
        clients.insert(client, held + 1);
        Ok(Pass {
            gate: self.clone(),
            client,
            _slot: slot,
            _budget: budget,
        })
    }

    /// Accepts the next connection from `listener` and asks the gate about it: the stream,
    /// its peer, and its pass or why it is refused. A failed accept (out of files, say) is
    /// logged at most once per [`LOG_EVERY`] and tried again a moment later; the waiting
    /// connection stays in the backlog meanwhile. Cancel-safe.
    pub async fn accept(
        self: &Arc<Self>,
        listener: &TcpListener,
    ) -> (TcpStream, SocketAddr, Result<Pass, Refusal>) {
        loop {
            match listener.accept().await {
                Ok((stream, peer)) => return (stream, peer, self.admit(peer.ip())),
                Err(err) => {
                    self.log.warn(|suppressed| {
                        tracing::warn!(listener = %self.name, %err, more_failed = suppressed, "accept failed");
                    });
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }

    /// Counts a connection closed because it ran out of time (`kind`: `header`, `idle`...).
    pub fn timed_out(&self, kind: &'static str) {
        let mut counts = self
            .timed_out
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match counts.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, n)) => *n += 1,
            None => counts.push((kind, 1)),
        }
    }

    /// Counts a connection closed because its TLS handshake failed, and logs it (at most
    /// once per [`LOG_EVERY`], with how many were left out).
    pub fn handshake_failed(&self, client: SocketAddr, reason: &dyn std::fmt::Display) {
        self.handshakes_failed.fetch_add(1, Ordering::Relaxed);
        self.log.warn(|suppressed| {
            tracing::warn!(
                listener = %self.name,
                %client,
                more_refused = suppressed,
                "connection refused: TLS handshake failed: {reason}"
            );
        });
    }

    fn stats(&self) -> ListenerStats {
        let open = self.limits.max_connections.max(1) - self.slots.available_permits();
        ListenerStats {
            name: self.name.clone(),
            open: u64::try_from(open).unwrap_or(u64::MAX),
            refused: [Refusal::Client, Refusal::Listener, Refusal::Engine]
                .into_iter()
                .map(|r| (r.as_str(), self.refused[r as usize].load(Ordering::Relaxed)))
                .collect(),
            timed_out: self
                .timed_out
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone(),
            handshakes_failed: self.handshakes_failed.load(Ordering::Relaxed),
        }
    }
}

/// One admitted connection's place; dropping it frees the place.
pub struct Pass {
    gate: Arc<Gate>,
    client: IpAddr,
    _slot: OwnedSemaphorePermit,
    _budget: OwnedSemaphorePermit,
}

impl Pass {
    /// The gate that admitted the connection.
    pub fn gate(&self) -> &Gate {
        &self.gate
    }
}

impl Drop for Pass {
    fn drop(&mut self) {
        let mut clients = self
            .gate
            .clients
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(held) = clients.get_mut(&self.client) {
            *held -= 1;
            if *held == 0 {
                clients.remove(&self.client);
            }
        }
    }
}

/// Every gate alive, for [`listener_stats`].
static GATES: Mutex<Vec<Weak<Gate>>> = Mutex::new(Vec::new());

/// The counts of every listener open now.
pub fn listener_stats() -> Vec<ListenerStats> {
    let gates: Vec<Arc<Gate>> = GATES
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .filter_map(Weak::upgrade)
        .collect();
    gates.iter().map(|gate| gate.stats()).collect()
}

/// A warning written at most once per interval; the next one says how many were left out.
struct RateLimitedLog {
    every: Duration,
    last: Mutex<Option<Instant>>,
    suppressed: AtomicU64,
}

impl RateLimitedLog {
    fn new(every: Duration) -> Self {
        RateLimitedLog {
            every,
            last: Mutex::new(None),
            suppressed: AtomicU64::new(0),
        }
    }

    /// Calls `write` with the number of warnings left out since the last one, unless one was
    /// written less than an interval ago (then only counts it).
    fn warn(&self, write: impl FnOnce(u64)) {
        let now = Instant::now();
        let mut last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        if last.is_some_and(|at| now.duration_since(at) < self.every) {
            self.suppressed.fetch_add(1, Ordering::Relaxed);
            return;
        }
        *last = Some(now);
        drop(last);
        write(self.suppressed.swap(0, Ordering::Relaxed));
    }
}

/// The most connections the engine's budget ever holds, whatever the file limit.
const MAX_BUDGET: usize = 1_000_000;

/// The process's file limit: what it was at start and what it is now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileLimit {
    /// Soft limit before [`raise_file_limit`].
    pub before: u64,
    /// Soft limit now.
    pub now: u64,
    /// Hard limit.
    pub hard: u64,
}

/// Raises the process's soft limit of open files to its hard limit, so that the connection
/// budget is as large as the system allows. Returns the limits, or `None` where the platform
/// has no such limit or it cannot be read.
pub fn raise_file_limit() -> Option<FileLimit> {
    #[cfg(unix)]
    {
        let (before, hard) = rlimit::Resource::NOFILE.get().ok()?;
        let now = rlimit::increase_nofile_limit(hard).unwrap_or(before);
        Some(FileLimit { before, now, hard })
    }
    #[cfg(not(unix))]
    None
}

/// Connections the whole engine may hold open at once: three quarters of the open-file limit,
/// keeping at least 256 files (or half the limit, when it is small) for the store, the file
/// channels and outbound connections. Fixed the first time a listener admits a connection.
pub fn connection_budget() -> usize {
    budget_for(current_file_limit())
}

fn current_file_limit() -> u64 {
    #[cfg(unix)]
    {
        rlimit::Resource::NOFILE
            .get()
            .map_or(1024, |(soft, _)| soft)
    }
    #[cfg(not(unix))]
    {
        u64::try_from(MAX_BUDGET).unwrap_or(u64::MAX)
    }
}

fn budget_for(file_limit: u64) -> usize {
    let limit = usize::try_from(file_limit).unwrap_or(usize::MAX);
    let reserve = (limit / 4).max(256.min(limit / 2));
    (limit - reserve).clamp(1, MAX_BUDGET)
}

fn budget() -> &'static Arc<Semaphore> {
    static BUDGET: OnceLock<Arc<Semaphore>> = OnceLock::new();
    BUDGET.get_or_init(|| Arc::new(Semaphore::new(connection_budget())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_stays_below_the_file_limit() {
        assert_eq!(budget_for(1024), 768);
        assert_eq!(budget_for(256), 128);
        assert_eq!(budget_for(20_000), 15_000);
        assert_eq!(budget_for(u64::MAX), MAX_BUDGET);
        assert_eq!(budget_for(1), 1);
    }

    #[tokio::test]
    async fn a_gate_refuses_past_its_limits_and_frees_places() {
        let gate = Gate::new(
            "test",
            ConnectionLimits {
                max_connections: 3,
                max_connections_per_client: 2,
            },
        );
        let a: IpAddr = "127.0.0.2".parse().unwrap();
        let b: IpAddr = "127.0.0.3".parse().unwrap();
        let first = gate.admit(a).unwrap();
        let _second = gate.admit(a).unwrap();
        assert_eq!(gate.admit(a).err(), Some(Refusal::Client));
        let _third = gate.admit(b).unwrap();
        assert_eq!(gate.admit(b).err(), Some(Refusal::Listener));
        drop(first);
        let _again = gate.admit(a).unwrap();
        let stats = gate.stats();
        assert_eq!(stats.open, 3);
        assert_eq!(
            stats.refused,
            vec![("per_client", 1), ("listener", 1), ("engine", 0)]
        );
    }

    #[test]
    fn limits_are_checked() {
        let limits = ConnectionLimits {
            max_connections: 0,
            max_connections_per_client: 0,
        };
        let fields: Vec<&str> = limits.problems().iter().map(|p| p.0).collect();
        assert_eq!(fields, ["max_connections", "max_connections_per_client"]);
        assert!(ConnectionLimits::default().problems().is_empty());
    }

    #[test]
    fn the_log_writes_once_per_interval_and_counts_the_rest() {
        let log = RateLimitedLog::new(Duration::from_secs(3600));
        let mut written = Vec::new();
        for _ in 0..5 {
            log.warn(|n| written.push(n));
        }
        assert_eq!(written, vec![0]);
        assert_eq!(log.suppressed.load(Ordering::Relaxed), 4);
    }
}
