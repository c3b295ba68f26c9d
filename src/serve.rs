//! `switchboard serve`: open the store, start the HTTP server and the pruning job, and shut down
//! gracefully on SIGTERM or Ctrl-C (stop accepting, finish what is in flight, exit 0).

use std::net::SocketAddr;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::api::{self, AppState};
use crate::config::Config;
use crate::config::engine::RetentionConfig;
use crate::store::{Store, StoreError, now_millis};

/// Errors that stop the engine.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The store could not be opened or migrated.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The HTTP address could not be bound, or the server failed.
    #[error("HTTP server on {addr}: {source}")]
    Http {
        /// The listen address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// Opens the configured store and applies migrations.
pub async fn open_store(config: &Config) -> Result<Store, StoreError> {
    let store = Store::connect(&config.store_url(), config.engine.store.max_connections).await?;
    store.migrate().await?;
    Ok(store)
}

/// Runs the engine until `shutdown` is cancelled.
pub async fn run(config: Config, shutdown: CancellationToken) -> Result<(), ServeError> {
    let store = open_store(&config).await?;
    tracing::info!(backend = store.backend().name(), "store ready");
    let addr = config.engine.http.listen;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Http { addr, source })?;
    let local = listener.local_addr().unwrap_or(addr);
    tracing::info!(addr = %local, "HTTP listening");
    let app = api::router(
        AppState::new(store.clone()),
        config.engine.http.max_body_bytes,
    );
    let pruning = tokio::spawn(prune_periodically(
        store.clone(),
        config.engine.retention.clone(),
        shutdown.clone(),
    ));
    let stop = shutdown.clone();
    let served = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move { stop.cancelled().await })
    .await;
    shutdown.cancel();
    let _ = pruning.await;
    store.close().await;
    tracing::info!("stopped");
    served.map_err(|source| ServeError::Http { addr, source })
}

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

/// Cutoff (Unix ms) before which records older than `days` are pruned; `None` for 0 (keep).
fn cutoff(days: u32) -> Option<i64> {
    (days > 0).then(|| now_millis() - i64::from(days) * 86_400_000)
}

/// Prunes now and then every `prune_interval_minutes` until shutdown.
async fn prune_periodically(store: Store, retention: RetentionConfig, shutdown: CancellationToken) {
    let period = Duration::from_secs(u64::from(retention.prune_interval_minutes.max(1)) * 60);
    let mut ticker = tokio::time::interval(period);
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = ticker.tick() => {}
        }
        match store
            .prune(cutoff(retention.message_days), cutoff(retention.audit_days))
            .await
        {
            Ok(pruned) => tracing::info!(
                messages = pruned.messages,
                audit_entries = pruned.audit_entries,
                "retention pruning done"
            ),
            Err(err) => tracing::error!(%err, "retention pruning failed"),
        }
    }
}
