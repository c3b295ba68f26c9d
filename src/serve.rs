//! `switchboard serve`: open the store, deploy the channels, watch their files, run the
//! scheduled jobs and the HTTP server, and shut down gracefully on SIGTERM or Ctrl-C (stop
//! accepting, finish what is in flight, exit 0).

use std::net::SocketAddr;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::api::{self, AppState};
use crate::channel::deployment::Deployment;
use crate::channel::{Runtime, config_sync};
use crate::net;
use crate::schedule;
use crate::store::nodes::NodeRegistration;
use crate::store::{Store, StoreError};

/// How often channel and routing files are checked for changes.
const RELOAD_EVERY: Duration = Duration::from_secs(2);

/// Errors that stop the engine.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The store could not be opened or migrated.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The job scheduler could not start.
    #[error("scheduler: {0}")]
    Scheduler(String),
    /// The HTTP server's TLS certificate, key or client CA is unusable.
    #[error("HTTP server TLS: {0}")]
    Tls(#[from] net::tls::TlsError),
    /// The HTTP address could not be bound, or the server failed.
    #[error("HTTP server on {addr}: {source}")]
    Http {
        /// The listen address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// How often this node says in the store's node list that it is alive.
const HEARTBEAT_EVERY: Duration = Duration::from_secs(4);

/// Registers this node in the store's node list, then heartbeats (with the configuration
/// version it runs) until `shutdown`. A store that cannot take it is logged, never fatal.
async fn heartbeat(runtime: Runtime, http: SocketAddr, shutdown: CancellationToken) {
    let store = runtime.store().clone();
    let mut registered = false;
    loop {
        let result = if registered {
            store
                .heartbeat_node(
                    runtime.node(),
                    &runtime.config_version().await,
                    runtime.config_sync().applied(),
                )
                .await
        } else {
            // The node registers once it knows its place in the configuration log, so that
            // its entry never says it applied less than it did before a restart.
            if !runtime.config_sync().joined() {
                config_sync::join(&runtime).await;
            }
            if runtime.config_sync().joined() {
                store
                    .register_node(&registration(&runtime, http).await)
                    .await
            } else {
                Ok(())
            }
        };
        match result {
            Ok(()) => registered = runtime.config_sync().joined(),
            Err(err) => tracing::warn!(%err, "cannot update this node in the node list"),
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(HEARTBEAT_EVERY) => {}
        }
    }
}

/// What this node says of itself in the node list.
async fn registration(runtime: &Runtime, http: SocketAddr) -> NodeRegistration {
    NodeRegistration {
        id: runtime.node().to_string(),
        host: crate::channel::node::host_name(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        http_address: http.to_string(),
        sources: runtime.sources().await,
        config_version: runtime.config_version().await,
        config_applied: runtime.config_sync().applied(),
    }
}

/// Opens the configured store and applies migrations.
pub async fn open_store(config: &Deployment) -> Result<Store, StoreError> {
    let store = Store::connect_with(
        &config.store_url(),
        config.engine.store.max_connections,
        config.engine.store.sqlite_synchronous,
    )
    .await?;
    store.migrate().await?;
    Ok(store)
}

/// Runs the engine until `shutdown` is cancelled.
pub async fn run(config: Deployment, shutdown: CancellationToken) -> Result<(), ServeError> {
    if let Some(files) = net::raise_file_limit() {
        tracing::info!(
            before = files.before,
            now = files.now,
            hard = files.hard,
            connections = net::connection_budget(),
            "open-file limit; connections the listeners may hold in all"
        );
    }
    let store = open_store(&config).await?;
    tracing::info!(backend = store.backend().name(), "store ready");
    let addr = config.engine.http.listen;
    let tls = match &config.engine.http.tls {
        Some(tls) => Some(net::tls::acceptor("http", &tls.files(&config.root))?),
        None => None,
    };
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Http { addr, source })?;
    let local = listener.local_addr().unwrap_or(addr);
    tracing::info!(addr = %local, tls = tls.is_some(), "HTTP listening");
    let runtime = Runtime::new(store.clone(), &config);
    runtime.deploy_all(&config).await;
    let watcher = tokio::spawn(runtime.clone().watch(RELOAD_EVERY, shutdown.clone()));
    let mut scheduler = schedule::start(
        store.clone(),
        &config.engine.jobs,
        config.engine.retention.clone(),
        runtime.node().to_string(),
    )
    .await
    .map_err(|err| ServeError::Scheduler(err.to_string()))?;
    crate::revenue::payers::sync(&store, &config.payers).await?;
    if let Some(billing) = &config.engine.billing {
        schedule::add_claim_batches(
            &scheduler,
            &store,
            &runtime.handle(),
            billing,
            &config.payers,
            runtime.node(),
        )
        .await
        .map_err(|err| ServeError::Scheduler(err.to_string()))?;
    }
    config_sync::join(&runtime).await;
    let heartbeat = tokio::spawn(heartbeat(runtime.clone(), local, shutdown.clone()));
    let following = tokio::spawn(config_sync::follow(runtime.clone(), shutdown.clone()));
    let state = AppState::new(runtime.clone(), config.root.clone())
        .with_claims(config.engine.billing.clone(), config.payers.clone());
    let monitor = tokio::spawn(state.monitor.clone().watch(shutdown.clone()));
    let app = api::router(state, config.engine.http.max_body_bytes);
    let serving = net::http::serve(
        listener,
        "http",
        app,
        config.engine.http.limits(),
        tls,
        shutdown.clone(),
    );
    // Requests in flight get a few seconds to finish; a connection that stays open longer (a
    // client that keeps an idle connection without ever closing it) does not hold the engine.
    let drained = async {
        shutdown.cancelled().await;
        tokio::time::sleep(HTTP_DRAIN).await;
    };
    tokio::select! {
        () = serving => {}
        () = drained => {
            tracing::warn!("HTTP connections still open {HTTP_DRAIN:?} after the stop; closing them");
        }
    }
    shutdown.cancel();
    let _ = watcher.await;
    let _ = monitor.await;
    let _ = heartbeat.await;
    let _ = following.await;
    // A job still running does not hold the engine past a few seconds.
    if tokio::time::timeout(Duration::from_secs(5), scheduler.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("scheduled jobs did not stop within 5 s");
    }
    runtime.shutdown().await;
    if let Err(err) = store.stop_node(runtime.node()).await {
        tracing::warn!(%err, "cannot record this node's stop in the node list");
    }
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// How long requests in flight may take to finish once the engine stops.
const HTTP_DRAIN: Duration = Duration::from_secs(5);

/// Cancels the returned token on SIGTERM or Ctrl-C.
pub fn shutdown_on_signal() -> CancellationToken {
    let token = CancellationToken::new();
    let cancel = token.clone();
    tokio::spawn(async move {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        {
            let mut term =
                match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                    Ok(term) => term,
                    Err(err) => {
                        tracing::warn!(%err, "cannot listen for SIGTERM; Ctrl-C still works");
                        let _ = ctrl_c.await;
                        cancel.cancel();
                        return;
                    }
                };
            tokio::select! {
                _ = ctrl_c => {}
                _ = term.recv() => {}
            }
        }
        #[cfg(not(unix))]
        let _ = ctrl_c.await;
        tracing::info!("shutting down");
        cancel.cancel();
    });
    token
}
