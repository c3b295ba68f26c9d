//! The channel runtime: deploys channels from their files, starts and stops their sources and
//! destination workers, and redeploys one channel when its file changes (through the API or
//! on disk) without touching the others. A bad edit is refused and the running version stays.

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock, Weak};
use std::time::Duration;

use serde::Serialize;
use tokio::sync::{Mutex, Notify};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::counters::{Counters, Snapshot};
use super::deployment::{Deployment, Names, parse_channel, route_problems};
use super::pipeline::{FieldProblem, Pipeline, Receipt, Transform, load_filter_scripts};
use super::queue::QueueWorker;
use super::{ChannelConfig, DestinationContext, SourceContext};
use crate::config::problem::Document;
use crate::config::routes::RoutesConfig;
use crate::config::{self, ConfigErrors, Problem};
use crate::message::{Format, Message};
use crate::store::{Store, StoreError};

/// Whether a deployed channel runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ChannelState {
    /// Source and destinations run.
    Started,
    /// The source is stopped; queued messages are still delivered.
    Paused,
    /// Nothing runs; messages stay queued.
    Stopped,
}

/// A deployed channel as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ChannelStatus {
    /// Name.
    pub name: String,
    /// Description from the file.
    pub description: String,
    /// The file it came from.
    pub file: String,
    /// State.
    pub state: ChannelState,
    /// Source kind (`mllp`, `http`, `file`, `amqp`, `schedule`).
    pub source: &'static str,
    /// Destination names.
    pub destinations: Vec<String>,
    /// Counters.
    pub counters: Snapshot,
    /// The source's failure, when it stopped on its own.
    pub source_error: Option<String>,
    /// Problems of the last refused edit of its file, if any.
    pub refused_edit: Vec<String>,
}

struct Running {
    cancel: CancellationToken,
    tasks: Vec<JoinHandle<()>>,
}

impl Running {
    async fn stop(self) {
        self.cancel.cancel();
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

struct Deployed {
    file: PathBuf,
    pipeline: Arc<Pipeline>,
    state: ChannelState,
    source: Option<Running>,
    workers: Option<Running>,
    source_error: Arc<std::sync::Mutex<Option<String>>>,
}

struct Inner {
    store: Store,
    writer: super::writer::IngestWriter,
    root: PathBuf,
    data_dir: PathBuf,
    node: super::node::NodeId,
    routes: Arc<RwLock<Arc<RoutesConfig>>>,
    channels: Mutex<BTreeMap<String, Deployed>>,
    /// The deployed pipelines by channel name, for delivering to a channel. Kept apart from
    /// `channels`, whose lock is held while workers stop: a worker handing a message to another
    /// channel must never wait for it.
    pipelines: std::sync::RwLock<BTreeMap<String, Arc<Pipeline>>>,
    counters: std::sync::Mutex<BTreeMap<String, Arc<Counters>>>,
    /// The configuration changes of the store's log this node applied.
    config_sync: super::config_sync::ConfigSync,
    /// Content hash of every channel file and of the routes file, as last seen.
    seen: std::sync::Mutex<BTreeMap<PathBuf, u64>>,
    /// Problems of the last refused version of a file.
    refused: std::sync::Mutex<BTreeMap<PathBuf, Vec<Problem>>>,
}

/// The running channels of one engine. Cheap to clone.
#[derive(Clone)]
pub struct Runtime {
    inner: Arc<Inner>,
}

/// A non-owning reference to the runtime, for destinations that hand messages to other channels.
#[derive(Clone)]
pub struct RuntimeHandle(Weak<Inner>);

impl RuntimeHandle {
    /// The deployment root, while the runtime is alive.
    pub fn root(&self) -> Option<PathBuf> {
        Some(self.0.upgrade()?.root.clone())
    }

    /// The pipeline of a deployed channel.
    pub async fn pipeline(&self, channel: &str) -> Option<Arc<Pipeline>> {
        let inner = self.0.upgrade()?;
        let pipelines = inner.pipelines.read().ok()?;
        pipelines.get(channel).cloned()
    }
}

/// Claim files leave through the payer's channel: handed to its pipeline as if its source had
/// received them.
impl crate::revenue::Handover for RuntimeHandle {
    fn hand_over<'a>(
        &'a self,
        channel: &'a str,
        payload: &'a [u8],
        content_type: &'a str,
    ) -> futures::future::BoxFuture<'a, Result<i64, String>> {
        Box::pin(async move {
            let pipeline = self
                .pipeline(channel)
                .await
                .ok_or_else(|| format!("channel '{channel}' is not deployed"))?;
            match pipeline.receive(payload, Some(content_type)).await {
                Ok(Receipt::Accepted { message_id, .. }) => Ok(message_id),
                Ok(other) => Err(format!("the channel did not take the file: {other:?}")),
                Err(err) => Err(err.to_string()),
            }
        })
    }
}

/// Errors of runtime operations.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// No deployed channel has this name.
    #[error("no deployed channel named '{0}'")]
    NoSuchChannel(String),
    /// The channel has no `[transform]` to try.
    #[error("channel '{0}' has no transform")]
    NoTransform(String),
    /// No channel file has this name (deploying from `channels/NAME.toml`).
    #[error("no channel file {0}")]
    NoChannelFile(String),
    /// The configuration was refused.
    #[error("{0}")]
    Invalid(#[from] ConfigErrors),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A configuration archive was refused or could not be written.
    #[error(transparent)]
    Import(#[from] super::deployment::archive::ImportError),
    /// A file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

fn hash_text(text: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

impl Runtime {
    /// A runtime for a loaded configuration; nothing is deployed yet (see [`Runtime::deploy_all`]).
    pub fn new(store: Store, config: &Deployment) -> Runtime {
        let mut seen = BTreeMap::new();
        for channel in &config.channels {
            if let Ok(text) = std::fs::read_to_string(&channel.file) {
                seen.insert(channel.file.clone(), hash_text(&text));
            }
        }
        let routes_file = config.root.join(config::ROUTES_FILE);
        if let Ok(text) = std::fs::read_to_string(&routes_file) {
            seen.insert(routes_file, hash_text(&text));
        }
        Runtime {
            inner: Arc::new(Inner {
                writer: super::writer::IngestWriter::start(store.clone()),
                store,
                root: config.root.clone(),
                data_dir: config.data_dir(),
                node: super::node::NodeId::for_data_dir(&config.data_dir()),
                routes: Arc::new(RwLock::new(Arc::new(config.routes.clone()))),
                channels: Mutex::new(BTreeMap::new()),
                pipelines: std::sync::RwLock::new(BTreeMap::new()),
                counters: std::sync::Mutex::new(BTreeMap::new()),
                config_sync: super::config_sync::ConfigSync::default(),
                seen: std::sync::Mutex::new(seen),
                refused: std::sync::Mutex::new(BTreeMap::new()),
            }),
        }
    }

    /// A non-owning handle.
    pub fn handle(&self) -> RuntimeHandle {
        RuntimeHandle(Arc::downgrade(&self.inner))
    }

    /// This engine process's node id (see [`super::node`]): lease owner of deliveries and
    /// runner of scheduled jobs.
    pub fn node(&self) -> &str {
        &self.inner.node.id
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The engine's data directory.
    pub fn data_dir(&self) -> &Path {
        &self.inner.data_dir
    }

    /// The deployment root.
    pub fn root(&self) -> PathBuf {
        self.inner.root.clone()
    }

    /// Where this node is in the store's log of configuration changes.
    pub fn config_sync(&self) -> &super::config_sync::ConfigSync {
        &self.inner.config_sync
    }

    /// Deploys every channel of `config` (enabled ones are started), at the engine's start:
    /// first the deliveries that an earlier process of this node had leased are taken back,
    /// so they are sent at once rather than when their leases run out.
    pub async fn deploy_all(&self, config: &Deployment) {
        if self.inner.node.owned {
            match self.inner.store.reclaim_leases(&self.inner.node.id).await {
                Ok(0) => {}
                Ok(count) => {
                    tracing::info!(node = %self.inner.node.id, count, "took back the deliveries this node had leased before it restarted");
                }
                Err(err) => {
                    tracing::warn!(node = %self.inner.node.id, %err, "cannot take back this node's leases; they expire");
                }
            }
        }
        for channel in &config.channels {
            if let Err(err) = self
                .deploy(channel.file.clone(), channel.config.clone())
                .await
            {
                tracing::error!(channel = %channel.config.name, %err, "cannot deploy");
            }
        }
    }

    /// The counters of every channel deployed since the start, by channel name.
    pub fn channel_counters(&self) -> Vec<(String, Arc<Counters>)> {
        self.inner
            .counters
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .map(|(name, counters)| (name.clone(), counters.clone()))
            .collect()
    }

    fn counters_for(&self, name: &str) -> Arc<Counters> {
        let mut counters = self
            .inner
            .counters
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        counters.entry(name.to_string()).or_default().clone()
    }

    /// Deploys (or redeploys) one channel: the old version, if any, is stopped first.
    pub async fn deploy(&self, file: PathBuf, config: ChannelConfig) -> Result<(), RuntimeError> {
        let refused = |(field, reason): FieldProblem| {
            ConfigErrors(vec![Problem {
                file: file.clone(),
                line: None,
                field,
                reason,
            }])
        };
        let transform = match &config.transform {
            Some(transform) => Some(Transform::load(&self.inner.root, transform).map_err(refused)?),
            None => None,
        };
        let filter_scripts =
            load_filter_scripts(&self.inner.root, &config.filters).map_err(refused)?;
        let name = config.name.clone();
        let wakers = config
            .destinations
            .iter()
            .map(|d| (d.name.clone(), Arc::new(Notify::new())))
            .collect();
        let pipeline = Arc::new(Pipeline {
            store: self.inner.store.clone(),
            config: Arc::new(config),
            routes: self.inner.routes.clone(),
            transform,
            filter_scripts,
            wakers,
            counters: self.counters_for(&name),
            writer: self.inner.writer.clone(),
        });
        let mut channels = self.inner.channels.lock().await;
        if let Some(old) = channels.remove(&name) {
            stop_deployed(old).await;
        }
        let mut deployed = Deployed {
            file,
            pipeline,
            state: ChannelState::Stopped,
            source: None,
            workers: None,
            source_error: Arc::new(std::sync::Mutex::new(None)),
        };
        if deployed.pipeline.config.enabled {
            self.start_deployed(&mut deployed, true);
        }
        tracing::info!(channel = %name, state = ?deployed.state, "deployed");
        self.index_pipeline(&name, Some(deployed.pipeline.clone()));
        channels.insert(name, deployed);
        Ok(())
    }

    /// Starts the destination workers and, when `with_source`, the source.
    fn start_deployed(&self, deployed: &mut Deployed, with_source: bool) {
        let pipeline = deployed.pipeline.clone();
        if deployed.workers.is_none() {
            let cancel = CancellationToken::new();
            let tasks = pipeline
                .config
                .destinations
                .iter()
                .map(|destination| {
                    let worker = QueueWorker {
                        store: self.inner.store.clone(),
                        channel: pipeline.config.name.clone(),
                        destination: destination.name.clone(),
                        queue: destination.queue.clone(),
                        connector: destination.kind.build(&DestinationContext {
                            data_dir: &self.inner.data_dir,
                            root: &self.inner.root,
                            runtime: &self.handle(),
                            store: &self.inner.store,
                        }),
                        wake: pipeline
                            .wakers
                            .get(&destination.name)
                            .cloned()
                            .unwrap_or_default(),
                        counters: pipeline.counters.clone(),
                        node: self.inner.node.id.clone(),
                        leases: super::queue::Leases::default(),
                    };
                    tokio::spawn(worker.run(cancel.clone()))
                })
                .collect();
            deployed.workers = Some(Running { cancel, tasks });
        }
        if with_source && deployed.source.is_none() {
            let cancel = CancellationToken::new();
            let context = SourceContext {
                pipeline: pipeline.clone(),
                shutdown: cancel.clone(),
                data_dir: self.inner.data_dir.clone(),
                root: self.inner.root.clone(),
                node: self.inner.node.id.clone(),
            };
            let source = pipeline.config.source.build();
            let error_slot = deployed.source_error.clone();
            let channel = pipeline.config.name.clone();
            if let Ok(mut slot) = error_slot.lock() {
                *slot = None;
            }
            let task = tokio::spawn(async move {
                if let Err(err) = source.run(context).await {
                    tracing::error!(%channel, %err, "source stopped");
                    if let Ok(mut slot) = error_slot.lock() {
                        *slot = Some(err.to_string());
                    }
                }
            });
            deployed.source = Some(Running {
                cancel,
                tasks: vec![task],
            });
        }
        deployed.state = if deployed.source.is_some() {
            ChannelState::Started
        } else {
            ChannelState::Paused
        };
    }

    /// Starts (or resumes) a deployed channel.
    pub async fn start(&self, name: &str) -> Result<(), RuntimeError> {
        let mut channels = self.inner.channels.lock().await;
        let deployed = channels
            .get_mut(name)
            .ok_or_else(|| RuntimeError::NoSuchChannel(name.to_string()))?;
        self.start_deployed(deployed, true);
        Ok(())
    }

    /// Stops a channel's source; its queues keep draining.
    pub async fn pause(&self, name: &str) -> Result<(), RuntimeError> {
        let mut channels = self.inner.channels.lock().await;
        let deployed = channels
            .get_mut(name)
            .ok_or_else(|| RuntimeError::NoSuchChannel(name.to_string()))?;
        if let Some(source) = deployed.source.take() {
            source.stop().await;
        }
        self.start_deployed(deployed, false);
        Ok(())
    }

    /// Stops a channel's source and destination workers; queued messages wait.
    pub async fn stop(&self, name: &str) -> Result<(), RuntimeError> {
        let mut channels = self.inner.channels.lock().await;
        let deployed = channels
            .get_mut(name)
            .ok_or_else(|| RuntimeError::NoSuchChannel(name.to_string()))?;
        if let Some(source) = deployed.source.take() {
            source.stop().await;
        }
        if let Some(workers) = deployed.workers.take() {
            workers.stop().await;
        }
        deployed.state = ChannelState::Stopped;
        Ok(())
    }

    /// Stops and removes a channel from the runtime (its file stays).
    pub async fn undeploy(&self, name: &str) -> Result<(), RuntimeError> {
        let removed = self.inner.channels.lock().await.remove(name);
        match removed {
            Some(deployed) => {
                self.index_pipeline(name, None);
                stop_deployed(deployed).await;
                tracing::info!(channel = %name, "undeployed");
                Ok(())
            }
            None => Err(RuntimeError::NoSuchChannel(name.to_string())),
        }
    }

    /// The text of a channel's file (see [`Runtime::channel_file`]).
    pub async fn channel_file_text(&self, name: &str) -> Result<String, RuntimeError> {
        let file = self.channel_file(name).await;
        std::fs::read_to_string(&file).map_err(|err| match err.kind() {
            std::io::ErrorKind::NotFound => RuntimeError::NoChannelFile(file.display().to_string()),
            _ => RuntimeError::Invalid(ConfigErrors(vec![Problem {
                file: file.clone(),
                line: None,
                field: String::new(),
                reason: format!("cannot read: {err}"),
            }])),
        })
    }

    /// Stops everything (engine shutdown): sources first, then workers finish in-flight sends.
    pub async fn shutdown(&self) {
        let deployed = std::mem::take(&mut *self.inner.channels.lock().await);
        for (name, deployed) in deployed {
            self.index_pipeline(&name, None);
            stop_deployed(deployed).await;
        }
    }

    /// Records (or, with `None`, forgets) the pipeline deliveries to `name` go to.
    fn index_pipeline(&self, name: &str, pipeline: Option<Arc<Pipeline>>) {
        if let Ok(mut pipelines) = self.inner.pipelines.write() {
            match pipeline {
                Some(pipeline) => pipelines.insert(name.to_string(), pipeline),
                None => pipelines.remove(name),
            };
        }
    }

    /// Every deployed channel, by name.
    pub async fn list(&self) -> Vec<ChannelStatus> {
        let channels = self.inner.channels.lock().await;
        let refused = self
            .inner
            .refused
            .lock()
            .map(|r| r.clone())
            .unwrap_or_default();
        channels
            .iter()
            .map(|(name, deployed)| {
                let config = &deployed.pipeline.config;
                ChannelStatus {
                    name: name.clone(),
                    description: config.description.clone(),
                    file: deployed.file.display().to_string(),
                    state: deployed.state,
                    source: config.source.kind(),
                    destinations: config
                        .destination_names()
                        .into_iter()
                        .map(str::to_string)
                        .collect(),
                    counters: deployed.pipeline.counters.snapshot(),
                    source_error: deployed.source_error.lock().ok().and_then(|e| e.clone()),
                    refused_edit: refused
                        .get(&deployed.file)
                        .map(|problems| problems.iter().map(ToString::to_string).collect())
                        .unwrap_or_default(),
                }
            })
            .collect()
    }

    /// The pipeline of a deployed channel.
    pub async fn pipeline(&self, name: &str) -> Option<Arc<Pipeline>> {
        self.handle().pipeline(name).await
    }

    /// The file of a channel: where it was deployed from, or `channels/NAME.toml`.
    pub async fn channel_file(&self, name: &str) -> PathBuf {
        let channels = self.inner.channels.lock().await;
        channels.get(name).map_or_else(
            || {
                self.inner
                    .root
                    .join(config::CHANNELS_DIR)
                    .join(format!("{name}.toml"))
            },
            |d| d.file.clone(),
        )
    }

    /// Replaces a channel's file with `text` after validating it against the whole
    /// configuration, then redeploys that channel only. A refused edit changes nothing.
    pub async fn put_channel_config(&self, name: &str, text: &str) -> Result<(), RuntimeError> {
        let file = self.channel_file(name).await;
        let config = self.validate_channel_text(&file, text, Some(name)).await?;
        super::file::write_atomically(&file, text.as_bytes()).map_err(|source| {
            RuntimeError::Write {
                path: file.display().to_string(),
                source,
            }
        })?;
        self.remember(&file, text);
        self.deploy(file, config).await
    }

    /// Validates `text` as the file of channel `name` (with cross-file checks) without writing
    /// or deploying it.
    pub async fn check_channel_config(&self, name: &str, text: &str) -> Result<(), RuntimeError> {
        let file = self.channel_file(name).await;
        self.validate_channel_text(&file, text, Some(name)).await?;
        Ok(())
    }

    /// Validates `text` as the channel file `file` (with cross-file checks) and deploys it.
    async fn apply_channel_text(
        &self,
        file: &Path,
        text: &str,
        expected_name: Option<&str>,
    ) -> Result<(), RuntimeError> {
        let config = self
            .validate_channel_text(file, text, expected_name)
            .await?;
        self.deploy(file.to_path_buf(), config).await
    }

    async fn validate_channel_text(
        &self,
        file: &Path,
        text: &str,
        expected_name: Option<&str>,
    ) -> Result<ChannelConfig, ConfigErrors> {
        let config = parse_channel(&self.inner.root, file, text).map_err(ConfigErrors)?;
        // Only the cross-file checks are left; they point at the name line of this file.
        let doc = Document::parse(file, text).map_err(|p| ConfigErrors(vec![p]))?;
        let mut problems = Vec::new();
        if let Some(expected) = expected_name
            && expected != config.name
        {
            problems.push(doc.problem(
                "name",
                format!(
                    "is '{}' but the channel being edited is '{expected}'",
                    config.name
                ),
            ));
        }
        let channels = self.inner.channels.lock().await;
        for (name, deployed) in channels.iter() {
            if *name == config.name && deployed.file != file {
                problems.push(doc.problem(
                    "name",
                    format!(
                        "channel name '{name}' is already used by {}",
                        deployed.file.display()
                    ),
                ));
            }
        }
        // Routing rules must still name existing destinations after the change.
        let names = Names::of(
            channels
                .values()
                .filter(|d| d.file != file)
                .map(|d| d.pipeline.config.as_ref())
                .chain([&config]),
        );
        drop(channels);
        let routes_file = self.inner.root.join(config::ROUTES_FILE);
        if let Ok(routes_text) = std::fs::read_to_string(&routes_file)
            && let Ok(routes_doc) = Document::parse(&routes_file, &routes_text)
            && let Ok(routes) = routes_doc.deserialize::<RoutesConfig>()
        {
            problems.extend(route_problems(&routes, &routes_doc, &names));
        }
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(ConfigErrors(problems))
        }
    }

    /// True (and remembered) when `text` is not what was last seen of `file`.
    fn note_if_changed(&self, file: &Path, text: &str) -> bool {
        let hash = hash_text(text);
        self.inner
            .seen
            .lock()
            .map(|mut seen| seen.insert(file.to_path_buf(), hash) != Some(hash))
            .unwrap_or(false)
    }

    fn remember(&self, file: &Path, text: &str) {
        if let Ok(mut seen) = self.inner.seen.lock() {
            seen.insert(file.to_path_buf(), hash_text(text));
        }
        if let Ok(mut refused) = self.inner.refused.lock() {
            refused.remove(file);
        }
    }

    /// Looks at the channel files and the routes file, and applies what changed: new or edited
    /// channels are (re)deployed, removed ones undeployed, refused edits recorded.
    pub async fn reload_changed(&self) {
        let dir = self.inner.root.join(config::CHANNELS_DIR);
        let files = config::toml_files(&dir).unwrap_or_default();
        for file in &files {
            let Ok(text) = std::fs::read_to_string(file) else {
                continue;
            };
            if !self.note_if_changed(file, &text) {
                continue;
            }
            match self.apply_channel_text(file, &text, None).await {
                Ok(()) => {
                    if let Ok(mut refused) = self.inner.refused.lock() {
                        refused.remove(file);
                    }
                    tracing::info!(file = %file.display(), "channel file changed: redeployed");
                }
                Err(RuntimeError::Invalid(errors)) => {
                    for problem in &errors.0 {
                        tracing::error!(%problem, "channel edit refused; the running version stays");
                    }
                    if let Ok(mut refused) = self.inner.refused.lock() {
                        refused.insert(file.clone(), errors.0);
                    }
                }
                Err(err) => tracing::error!(file = %file.display(), %err, "cannot redeploy"),
            }
        }
        // Channels whose file is gone are undeployed.
        let gone: Vec<String> = {
            let channels = self.inner.channels.lock().await;
            channels
                .iter()
                .filter(|(_, d)| d.file.starts_with(&dir) && !d.file.exists())
                .map(|(n, _)| n.clone())
                .collect()
        };
        for name in gone {
            let _ = self.undeploy(&name).await;
            tracing::info!(channel = %name, "channel file removed: undeployed");
        }
        self.reload_routes_if_changed().await;
    }

    async fn reload_routes_if_changed(&self) {
        let file = self.inner.root.join(config::ROUTES_FILE);
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        if !self.note_if_changed(&file, &text) {
            return;
        }
        match self.validate_routes(&file, &text).await {
            Ok(routes) => {
                if let Ok(mut current) = self.inner.routes.write() {
                    *current = Arc::new(routes);
                }
                tracing::info!("routing rules reloaded");
            }
            Err(errors) => {
                for problem in &errors.0 {
                    tracing::error!(%problem, "routing edit refused; the running rules stay");
                }
            }
        }
    }

    async fn validate_routes(&self, file: &Path, text: &str) -> Result<RoutesConfig, ConfigErrors> {
        if text.is_empty() {
            return Ok(RoutesConfig::default());
        }
        let doc = Document::parse(file, text).map_err(|p| ConfigErrors(vec![p]))?;
        let routes: RoutesConfig = doc.deserialize().map_err(|p| ConfigErrors(vec![p]))?;
        let names = {
            let channels = self.inner.channels.lock().await;
            Names::of(channels.values().map(|d| d.pipeline.config.as_ref()))
        };
        let problems = route_problems(&routes, &doc, &names);
        if problems.is_empty() {
            Ok(routes)
        } else {
            Err(ConfigErrors(problems))
        }
    }

    /// The version of the configuration this engine runs: a hash of every deployed channel's
    /// settings and of the routing rules in force, the same on every node running the same
    /// files (16 hex digits).
    pub async fn config_version(&self) -> String {
        use sha2::Digest;
        let mut hash = sha2::Sha256::new();
        for (name, deployed) in self.inner.channels.lock().await.iter() {
            hash.update(name.as_bytes());
            hash.update(serde_json::to_vec(&deployed.pipeline.config).unwrap_or_default());
        }
        hash.update(serde_json::to_vec(&*self.routes()).unwrap_or_default());
        hex::encode(&hash.finalize()[..8])
    }

    /// The sources of the deployed channels, as `channel: kind` lines.
    pub async fn sources(&self) -> Vec<String> {
        self.inner
            .channels
            .lock()
            .await
            .iter()
            .map(|(name, deployed)| format!("{name}: {}", deployed.pipeline.config.source.kind()))
            .collect()
    }

    /// The routing rules in force.
    pub fn routes(&self) -> Arc<RoutesConfig> {
        self.inner
            .routes
            .read()
            .map(|r| r.clone())
            .unwrap_or_default()
    }

    /// Watches the configuration files every `every` until `shutdown`, applying changes.
    pub async fn watch(self, every: Duration, shutdown: CancellationToken) {
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(every) => self.reload_changed().await,
            }
        }
    }

    /// Runs a stored message through its channel again (filters, transform, routing).
    pub async fn reprocess(&self, message_id: i64, actor: &str) -> Result<Receipt, RuntimeError> {
        let store = &self.inner.store;
        let summary = store
            .message(message_id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("message {message_id}")))?;
        let pipeline = self
            .pipeline(&summary.channel)
            .await
            .ok_or_else(|| RuntimeError::NoSuchChannel(summary.channel.clone()))?;
        let raw = store.message_raw(message_id).await?.unwrap_or_default();
        store
            .add_message_event(
                message_id,
                "reprocess",
                Some(&format!("requested by {actor}")),
            )
            .await?;
        match Message::read_as(&raw, Format::from_content_type(&summary.content_type)) {
            Ok(message) => Ok(pipeline.process(message_id, &message).await?),
            Err(rejection) => {
                store
                    .set_message_status(
                        message_id,
                        crate::store::messages::MessageStatus::Error,
                        Some(&rejection.reason),
                    )
                    .await?;
                Ok(Receipt::Rejected {
                    message_id,
                    rejection,
                })
            }
        }
    }

    /// Wakes the worker of a destination (after a replay).
    pub async fn wake(&self, channel: &str, destination: &str) {
        if let Some(pipeline) = self.pipeline(channel).await
            && let Some(waker) = pipeline.wakers.get(destination)
        {
            waker.notify_one();
        }
    }
}

async fn stop_deployed(mut deployed: Deployed) {
    if let Some(source) = deployed.source.take() {
        source.stop().await;
    }
    if let Some(workers) = deployed.workers.take() {
        workers.stop().await;
    }
}
