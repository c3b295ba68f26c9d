//! Configuration that agrees across the nodes of one store. A change made through the API
//! (a channel file written or deployed, a channel undeployed, started, stopped or paused, an
//! archive imported) is checked, recorded in the store's log of changes
//! ([`crate::store::config_log`]) and then applied, in the log's order, by every node: the one
//! it was made on at once, the others when PostgreSQL announces it (LISTEN/NOTIFY) or, should
//! an announcement be lost, at their next periodic look at the log. Each node records the last
//! change it applied in the node list.
//!
//! A node that starts for the first time runs its files as they are and begins after the
//! latest change; a node that starts again applies what it missed while it was down.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::Duration;

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use tokio::sync::{Mutex, Notify};
use tokio_util::sync::CancellationToken;

use super::Runtime;
use super::deployment::archive::{self, ImportError};
use super::runtime::RuntimeError;
use crate::store::StoreError;

/// How often a node looks at the log without an announcement.
pub const CHECK_EVERY: Duration = Duration::from_secs(5);

/// How long a node waits before listening again after its listening connection failed.
const LISTEN_RETRY: Duration = Duration::from_secs(2);

/// How many changes are read from the log at a time.
const BATCH: i64 = 100;

/// One configuration change, as recorded in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ConfigChange {
    /// A channel's file is `text`, and the channel is deployed from it.
    Channel {
        /// The channel.
        channel: String,
        /// Its file's text (TOML).
        text: String,
    },
    /// A channel is undeployed (its file stays).
    Undeploy {
        /// The channel.
        channel: String,
    },
    /// A deployed channel is started.
    Start {
        /// The channel.
        channel: String,
    },
    /// A deployed channel is stopped.
    Stop {
        /// The channel.
        channel: String,
    },
    /// A deployed channel's source is paused.
    Pause {
        /// The channel.
        channel: String,
    },
    /// The configuration files are replaced by an exported archive.
    Import {
        /// The `.tar.gz` archive, in base64.
        archive: String,
    },
}

impl ConfigChange {
    /// The change that imports `archive`.
    pub fn import(archive: &[u8]) -> ConfigChange {
        ConfigChange::Import {
            archive: base64::engine::general_purpose::STANDARD.encode(archive),
        }
    }
}

/// The configuration state of one node: its place in the log, and the turn to apply.
#[derive(Debug, Default)]
pub struct ConfigSync {
    applied: AtomicI64,
    /// True once this node knows its place in the log (see [`join`]).
    joined: AtomicBool,
    turn: Mutex<()>,
    wake: Notify,
}

impl ConfigSync {
    /// The last change from the log this node applied.
    pub fn applied(&self) -> i64 {
        self.applied.load(Ordering::SeqCst)
    }

    /// Whether this node knows its place in the log; until it does, it applies no change and
    /// records no version.
    pub fn joined(&self) -> bool {
        self.joined.load(Ordering::SeqCst)
    }
}

/// Takes this node's place in the log, at the engine's start: after the change it applied
/// before it stopped (applying what it missed since), or, for a node new to the store, after
/// the latest change. With the store out of reach, it is tried again before the next change
/// is applied.
pub async fn join(runtime: &Runtime) {
    if let Err(err) = catch_up(runtime, None).await {
        tracing::warn!(%err, "cannot read the configuration changes; trying again later");
    }
}

/// Finds this node's place in the log unless it knows it already (the caller holds the turn).
async fn find_place(runtime: &Runtime) -> Result<(), StoreError> {
    let sync = runtime.config_sync();
    if sync.joined() {
        return Ok(());
    }
    let store = runtime.store();
    let start = match store.node_config_applied(runtime.node()).await? {
        Some(applied) => applied,
        None => store.latest_config_version().await?,
    };
    sync.applied.store(start, Ordering::SeqCst);
    sync.joined.store(true, Ordering::SeqCst);
    Ok(())
}

/// Applies the changes other nodes make until `shutdown`: at once when PostgreSQL announces
/// one, otherwise every [`CHECK_EVERY`].
pub async fn follow(runtime: Runtime, shutdown: CancellationToken) {
    let listening = tokio::spawn(listen(runtime.clone(), shutdown.clone()));
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = runtime.config_sync().wake.notified() => {}
            _ = tokio::time::sleep(CHECK_EVERY) => {}
        }
        // A stop does not wait for the store: a change cut short is applied again at the
        // next start, as this node's version only moves past a change once it is applied.
        tokio::select! {
            _ = shutdown.cancelled() => break,
            caught_up = catch_up(&runtime, None) => if let Err(err) = caught_up {
                tracing::warn!(%err, "cannot read the configuration changes; trying again later");
            },
        }
    }
    let _ = listening.await;
}

/// Listens for announcements of new changes (PostgreSQL only), waking [`follow`]; a lost
/// connection is opened again.
async fn listen(runtime: Runtime, shutdown: CancellationToken) {
    loop {
        let connected = tokio::select! {
            _ = shutdown.cancelled() => return,
            connected = runtime.store().config_listener() => connected,
        };
        let mut listener = match connected {
            Ok(Some(listener)) => listener,
            Ok(None) => return,
            Err(err) => {
                tracing::warn!(%err, "cannot listen for configuration changes; the log is read every {CHECK_EVERY:?}");
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = tokio::time::sleep(LISTEN_RETRY) => continue,
                }
            }
        };
        // After (re)connecting, changes announced meanwhile are read at once.
        runtime.config_sync().wake.notify_one();
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                received = listener.try_recv() => match received {
                    Ok(Some(_)) => runtime.config_sync().wake.notify_one(),
                    // The connection was lost; the listener connects again on the next call.
                    Ok(None) => runtime.config_sync().wake.notify_one(),
                    Err(err) => {
                        tracing::warn!(%err, "listening for configuration changes failed");
                        break;
                    }
                },
            }
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(LISTEN_RETRY) => {}
        }
    }
}

/// Makes `change` on this node's behalf for `actor`: once this node runs every earlier change,
/// checks it, records it in the log and applies it. A change refused by the check is neither
/// recorded nor applied.
pub async fn change(
    runtime: &Runtime,
    change: ConfigChange,
    actor: &str,
) -> Result<(), RuntimeError> {
    let sync = runtime.config_sync();
    let _turn = sync.turn.lock().await;
    find_place(runtime).await?;
    apply_pending(runtime, None).await?;
    check(runtime, &change).await?;
    let text = serde_json::to_string(&change)
        .map_err(|err| StoreError::Invalid(format!("configuration change: {err}")))?;
    let version = runtime
        .store()
        .record_config_change(runtime.node(), actor, &text)
        .await?;
    apply_pending(runtime, Some(version)).await
}

/// Applies every change after the last one applied, taking the turn to apply.
async fn catch_up(runtime: &Runtime, own: Option<i64>) -> Result<(), RuntimeError> {
    let _turn = runtime.config_sync().turn.lock().await;
    find_place(runtime).await?;
    apply_pending(runtime, own).await
}

/// Applies every change after the last one applied, in order (the caller holds the turn and
/// knows its place),
/// and records how far this node got. Another node's change that fails here is logged and
/// passed over, as its node checked it; the result of change `own` is returned.
async fn apply_pending(runtime: &Runtime, own: Option<i64>) -> Result<(), RuntimeError> {
    let sync = runtime.config_sync();
    let store = runtime.store();
    let before = sync.applied();
    let mut result = Ok(());
    loop {
        let applied = sync.applied();
        let changes = store.config_changes_after(applied, BATCH).await?;
        let Some(last) = changes.last().map(|c| c.version) else {
            break;
        };
        if changes[0].version > applied + 1 && applied > 0 {
            tracing::warn!(
                from = applied + 1,
                to = changes[0].version - 1,
                "configuration changes dropped from the log before this node applied them; check this node's files"
            );
        }
        for recorded in changes {
            let outcome = match serde_json::from_str::<ConfigChange>(&recorded.change) {
                Ok(change) => apply(runtime, &change).await,
                Err(err) => Err(RuntimeError::Store(StoreError::Invalid(format!(
                    "configuration change {} is unreadable: {err}",
                    recorded.version
                )))),
            };
            match outcome {
                Ok(()) => tracing::info!(
                    version = recorded.version,
                    node = %recorded.node,
                    actor = %recorded.actor,
                    "configuration change applied"
                ),
                Err(err) if Some(recorded.version) == own => result = Err(err),
                Err(err) => tracing::error!(
                    version = recorded.version,
                    node = %recorded.node,
                    %err,
                    "configuration change refused on this node"
                ),
            }
            sync.applied.store(recorded.version, Ordering::SeqCst);
        }
        if last < applied + BATCH {
            break;
        }
    }
    let now = sync.applied();
    if now != before
        && let Err(err) = store.set_node_config_applied(runtime.node(), now).await
    {
        tracing::warn!(%err, "cannot record this node's configuration version; the next heartbeat does");
    }
    result
}

/// Checks `change` against this node's configuration without changing anything.
async fn check(runtime: &Runtime, change: &ConfigChange) -> Result<(), RuntimeError> {
    match change {
        ConfigChange::Channel { channel, text } => {
            runtime.check_channel_config(channel, text).await
        }
        ConfigChange::Undeploy { channel }
        | ConfigChange::Start { channel }
        | ConfigChange::Stop { channel }
        | ConfigChange::Pause { channel } => match runtime.pipeline(channel).await {
            Some(_) => Ok(()),
            None => Err(RuntimeError::NoSuchChannel(channel.clone())),
        },
        ConfigChange::Import { archive } => {
            let archive = decode(archive)?;
            archive::check(&runtime.root(), &archive)?;
            Ok(())
        }
    }
}

/// Applies `change` to this node.
async fn apply(runtime: &Runtime, change: &ConfigChange) -> Result<(), RuntimeError> {
    match change {
        ConfigChange::Channel { channel, text } => runtime.put_channel_config(channel, text).await,
        ConfigChange::Undeploy { channel } => runtime.undeploy(channel).await,
        ConfigChange::Start { channel } => runtime.start(channel).await,
        ConfigChange::Stop { channel } => runtime.stop(channel).await,
        ConfigChange::Pause { channel } => runtime.pause(channel).await,
        ConfigChange::Import { archive } => {
            let archive = decode(archive)?;
            archive::import(&runtime.root(), &archive)?;
            runtime.reload_changed().await;
            Ok(())
        }
    }
}

/// The archive of an import change.
fn decode(archive: &str) -> Result<Vec<u8>, RuntimeError> {
    base64::engine::general_purpose::STANDARD
        .decode(archive)
        .map_err(|err| ImportError::Archive(format!("the archive is not base64: {err}")).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_is_recorded_as_json_naming_its_action() {
        let change = ConfigChange::Channel {
            channel: "adt".into(),
            text: "name = \"adt\"\n".into(),
        };
        let text = serde_json::to_string(&change).unwrap();
        assert_eq!(
            text,
            r#"{"action":"channel","channel":"adt","text":"name = \"adt\"\n"}"#
        );
        assert_eq!(serde_json::from_str::<ConfigChange>(&text).unwrap(), change);
        let stop: ConfigChange =
            serde_json::from_str(r#"{"action":"stop","channel":"adt"}"#).unwrap();
        assert_eq!(
            stop,
            ConfigChange::Stop {
                channel: "adt".into()
            }
        );
        assert!(serde_json::from_str::<ConfigChange>(r#"{"action":"reboot"}"#).is_err());
    }

    #[test]
    fn an_import_carries_its_archive_and_a_damaged_one_is_refused() {
        let ConfigChange::Import { archive } = ConfigChange::import(b"\x1f\x8b archive") else {
            panic!("an import");
        };
        assert_eq!(decode(&archive).unwrap(), b"\x1f\x8b archive");
        let err = decode("not base64!").unwrap_err().to_string();
        assert!(err.contains("the archive is not base64"), "{err}");
    }
}
