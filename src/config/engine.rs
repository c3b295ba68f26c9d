//! `config/switchboard.toml`: the engine's own settings (store, HTTP, logging, auth, retention).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::problem::{Document, Problem};
use crate::net::http::HttpLimits;
use crate::net::tls::{ClientFiles, ServerFiles};
use crate::net::{ConnectionLimits, defaults};

/// The engine configuration file. Every section is optional; defaults suit a single clinic.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EngineConfig {
    /// Folder for the embedded database and the file channels' folders, relative to the root.
    #[serde(default = "default_data_dir")]
    pub data_dir: PathBuf,
    /// Where canonical records and messages are kept.
    #[serde(default)]
    pub store: StoreConfig,
    /// The HTTP server (health, metrics, admin API).
    #[serde(default)]
    pub http: HttpConfig,
    /// Logging.
    #[serde(default)]
    pub log: LogConfig,
    /// API authentication.
    #[serde(default)]
    pub auth: AuthConfig,
    /// How long messages and audit entries are kept.
    #[serde(default)]
    pub retention: RetentionConfig,
    /// Scheduled jobs; when absent, retention pruning runs every hour.
    #[serde(default = "default_jobs")]
    pub jobs: Vec<JobConfig>,
    /// Billing provider and submitter for claims; claims cannot be submitted without it.
    #[serde(default)]
    pub billing: Option<BillingConfig>,
    /// Folders outside the root that configured paths may name. Only this file on the
    /// engine's machine sets it: a configuration import that changes it is refused.
    #[serde(default)]
    pub paths: PathsConfig,
}

/// `[paths]`: where configured paths may lead besides the deployment root.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PathsConfig {
    /// Absolute folders outside the root that `data_dir` and a SQLite `store.url` may be in,
    /// e.g. `["/var/lib/switchboard"]`. Empty: every path stays under the root.
    #[serde(default)]
    pub allow: Vec<PathBuf>,
}

/// One scheduled job.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct JobConfig {
    /// Unique name, used in the job run history and as its cluster lock.
    pub name: String,
    /// Cron expression with seconds: `sec min hour day-of-month month day-of-week` (UTC).
    pub cron: String,
    /// What the job does.
    pub task: JobTask,
}

/// The tasks a job can run.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum JobTask {
    /// Delete messages, audit entries and handed-on outbox events past their retention and
    /// give the space back.
    Prune,
}

fn default_jobs() -> Vec<JobConfig> {
    vec![JobConfig {
        name: "retention-prune".to_string(),
        cron: "0 17 * * * *".to_string(),
        task: JobTask::Prune,
    }]
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            data_dir: default_data_dir(),
            store: StoreConfig::default(),
            http: HttpConfig::default(),
            log: LogConfig::default(),
            auth: AuthConfig::default(),
            retention: RetentionConfig::default(),
            jobs: default_jobs(),
            billing: None,
            paths: PathsConfig::default(),
        }
    }
}

impl EngineConfig {
    /// Checks what serde cannot: the store URL scheme, the log filter, limits.
    pub fn validate(&self, doc: &Document<'_>) -> Vec<Problem> {
        let mut problems = Vec::new();
        if let Some(url) = &self.store.url
            && !["sqlite://", "postgres://", "postgresql://"]
                .iter()
                .any(|scheme| url.starts_with(scheme))
        {
            problems.push(doc.problem("store.url", "must start with sqlite:// or postgres://"));
        }
        if self.store.max_connections == 0 {
            problems.push(doc.problem("store.max_connections", "must be at least 1"));
        }
        if self.http.max_body_bytes == 0 {
            problems.push(doc.problem("http.max_body_bytes", "must be at least 1"));
        }
        for (field, reason) in self.http.problems() {
            problems.push(doc.problem(format!("http.{field}"), reason));
        }
        if let Err(err) = tracing_subscriber::EnvFilter::try_new(&self.log.level) {
            problems.push(doc.problem("log.level", format!("not a log filter: {err}")));
        }
        if let Some(billing) = &self.billing {
            if !crate::x12::is_valid_npi(&billing.npi) {
                problems.push(doc.problem(
                    "billing.npi",
                    "not a valid NPI (10 digits with a check digit)",
                ));
            }
            if billing.tax_id.len() != 9 || !billing.tax_id.chars().all(|c| c.is_ascii_digit()) {
                problems.push(doc.problem("billing.tax_id", "must be 9 digits"));
            }
            if billing.submitter_id.is_empty() || billing.submitter_id.len() > 15 {
                problems
                    .push(doc.problem("billing.submitter_id", "must be 1-15 characters (ISA06)"));
            }
        }
        for (i, folder) in self.paths.allow.iter().enumerate() {
            if !folder.is_absolute() {
                problems.push(doc.problem(format!("paths.allow[{i}]"), "must be an absolute path"));
            }
        }
        let mut names = std::collections::BTreeSet::new();
        for (i, job) in self.jobs.iter().enumerate() {
            if !names.insert(job.name.as_str()) {
                problems.push(doc.problem(format!("jobs[{i}].name"), "duplicate job name"));
            }
            if let Err(reason) = super::checks::check_cron(&job.cron) {
                problems.push(doc.problem(format!("jobs[{i}].cron"), reason));
            }
        }
        problems
    }
}

impl EngineConfig {
    /// The configured paths that leave `root` for a folder `[paths] allow` does not name:
    /// `data_dir` and the file of a SQLite `store.url`, as (field, path).
    pub fn paths_outside(&self, root: &Path) -> Vec<(&'static str, PathBuf)> {
        let mut outside = Vec::new();
        let allowed = &self.paths.allow;
        if !super::checks::under_root_or_allowed(root, &self.data_dir, allowed) {
            outside.push(("data_dir", self.data_dir.clone()));
        }
        if let Some(file) = self.store.url.as_deref().and_then(sqlite_file)
            && !super::checks::under_root_or_allowed(root, &file, allowed)
        {
            outside.push(("store.url", file));
        }
        for (field, path) in self.http.tls.iter().flat_map(ServerTlsConfig::paths) {
            if !super::checks::under_root_or_allowed(root, path, allowed) {
                outside.push((field_of_http_tls(field), path.to_path_buf()));
            }
        }
        outside
    }

    /// [`EngineConfig::paths_outside`] as problems of the engine file `doc`.
    pub fn path_problems(&self, root: &Path, doc: &Document<'_>) -> Vec<Problem> {
        self.paths_outside(root)
            .into_iter()
            .map(|(field, path)| {
                doc.problem(
                    field,
                    format!("{} {}", path.display(), super::checks::ROOT_RULE),
                )
            })
            .collect()
    }
}

/// The file of a `sqlite://PATH[?options]` URL; `None` for another database or an in-memory
/// one.
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite://")?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && !path.starts_with(':')).then(|| PathBuf::from(path))
}

fn default_data_dir() -> PathBuf {
    PathBuf::from("data")
}

/// Store settings.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct StoreConfig {
    /// Database URL: `sqlite://PATH` (relative paths are under the root) or `postgres://...`.
    /// When absent, an embedded SQLite file `switchboard.db` in `data_dir` is used.
    #[serde(default)]
    pub url: Option<String>,
    /// Largest number of pooled database connections.
    #[serde(default = "default_max_connections")]
    pub max_connections: u32,
    /// SQLite only: `full` syncs every commit to disk (survives power loss); `normal` syncs
    /// at checkpoints (survives a crash or kill of the engine, not a power cut) and is faster.
    #[serde(default)]
    pub sqlite_synchronous: SqliteSynchronous,
}

/// When SQLite syncs its write-ahead log to disk.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum SqliteSynchronous {
    /// Every commit is on disk before it returns.
    #[default]
    Full,
    /// Commits are in the operating system's cache; checkpoints sync.
    Normal,
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            url: None,
            max_connections: default_max_connections(),
            sqlite_synchronous: SqliteSynchronous::default(),
        }
    }
}

fn default_max_connections() -> u32 {
    8
}

/// HTTP server settings.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HttpConfig {
    /// Address and port the HTTP server listens on.
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// Largest request body accepted, in bytes; larger requests get 413.
    #[serde(default = "default_max_body_bytes")]
    pub max_body_bytes: usize,
    /// Connections served at once; more are answered 503 and closed.
    #[serde(default = "crate::net::defaults::max_connections")]
    pub max_connections: usize,
    /// Connections one client address may hold open; more are answered 503 and closed.
    #[serde(default = "crate::net::defaults::max_connections_per_client")]
    pub max_connections_per_client: usize,
    /// Seconds a client has to send a request's head; then its connection is closed.
    #[serde(default = "crate::net::defaults::header_timeout_seconds")]
    pub header_timeout_seconds: u64,
    /// Seconds a client has to send a request's body; then it is answered 408.
    #[serde(default = "crate::net::defaults::body_timeout_seconds")]
    pub body_timeout_seconds: u64,
    /// Seconds a kept-alive connection may wait for its next request (and an answer may
    /// stall); then it is closed.
    #[serde(default = "crate::net::defaults::idle_timeout_seconds")]
    pub idle_timeout_seconds: u64,
    /// `[http.tls]`: serve HTTPS only (the API, console and FHIR server); absent serves plain
    /// HTTP.
    #[serde(default)]
    pub tls: Option<ServerTlsConfig>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            listen: default_listen(),
            max_body_bytes: default_max_body_bytes(),
            max_connections: defaults::max_connections(),
            max_connections_per_client: defaults::max_connections_per_client(),
            header_timeout_seconds: defaults::header_timeout_seconds(),
            body_timeout_seconds: defaults::body_timeout_seconds(),
            idle_timeout_seconds: defaults::idle_timeout_seconds(),
            tls: None,
        }
    }
}

impl HttpConfig {
    /// The connection limits and timeouts of the HTTP server.
    pub fn limits(&self) -> HttpLimits {
        HttpLimits::from_settings(
            self.connection_limits(),
            self.header_timeout_seconds,
            self.body_timeout_seconds,
            self.idle_timeout_seconds,
        )
    }

    fn connection_limits(&self) -> ConnectionLimits {
        ConnectionLimits {
            max_connections: self.max_connections,
            max_connections_per_client: self.max_connections_per_client,
        }
    }

    fn problems(&self) -> Vec<(&'static str, String)> {
        HttpLimits::problems(
            self.connection_limits(),
            self.header_timeout_seconds,
            self.body_timeout_seconds,
            self.idle_timeout_seconds,
        )
    }
}

/// The engine file's name of an `[http.tls]` setting.
fn field_of_http_tls(field: &str) -> &'static str {
    match field {
        "cert" => "http.tls.cert",
        "key" => "http.tls.key",
        _ => "http.tls.client_ca",
    }
}

/// `tls = { cert = "...", key = "...", client_ca = "..." }`: TLS on a listener (the API's
/// `[http.tls]`, an `mllp` or `http` source). Paths are relative to the deployment root.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ServerTlsConfig {
    /// PEM certificate chain, the listener's own certificate first.
    pub cert: PathBuf,
    /// PEM private key of the certificate.
    pub key: PathBuf,
    /// PEM CA bundle: when set, every client must show a certificate signed by one of these
    /// CAs (mutual TLS).
    #[serde(default)]
    pub client_ca: Option<PathBuf>,
}

impl ServerTlsConfig {
    /// Each configured file, as (setting name, path).
    pub fn paths(&self) -> Vec<(&'static str, &Path)> {
        let mut paths = vec![("cert", self.cert.as_path()), ("key", self.key.as_path())];
        paths.extend(self.client_ca.as_deref().map(|ca| ("client_ca", ca)));
        paths
    }

    /// The files, resolved against the deployment root.
    pub fn files(&self, root: &Path) -> ServerFiles {
        ServerFiles {
            cert: root.join(&self.cert),
            key: root.join(&self.key),
            client_ca: self.client_ca.as_ref().map(|ca| root.join(ca)),
        }
    }

    /// What is wrong with these settings in a channel file, as (setting name, reason).
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        relative_path_problems(&self.paths())
    }
}

/// `tls = { ca = "...", cert = "...", key = "...", server_name = "..." }`: TLS to a server (an
/// `mllp`, `http` or `fhir` destination). Paths are relative to the deployment root.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ClientTlsConfig {
    /// PEM CA bundle the server's certificate must be signed by; absent trusts the public web
    /// PKI roots.
    #[serde(default)]
    pub ca: Option<PathBuf>,
    /// PEM certificate chain shown to the server (mutual TLS); needs `key`.
    #[serde(default)]
    pub cert: Option<PathBuf>,
    /// PEM private key of `cert`.
    #[serde(default)]
    pub key: Option<PathBuf>,
    /// The name the server's certificate must be for (MLLP only); absent uses the host of the
    /// address.
    #[serde(default)]
    pub server_name: Option<String>,
}

impl ClientTlsConfig {
    /// Each configured file, as (setting name, path).
    pub fn paths(&self) -> Vec<(&'static str, &Path)> {
        [("ca", &self.ca), ("cert", &self.cert), ("key", &self.key)]
            .into_iter()
            .filter_map(|(field, path)| path.as_deref().map(|path| (field, path)))
            .collect()
    }

    /// The files, resolved against the deployment root.
    pub fn files(&self, root: &Path) -> ClientFiles {
        ClientFiles {
            ca: self.ca.as_ref().map(|ca| root.join(ca)),
            identity: self
                .cert
                .as_ref()
                .zip(self.key.as_ref())
                .map(|(cert, key)| (root.join(cert), root.join(key))),
        }
    }

    /// What is wrong with these settings in a channel file, as (setting name, reason).
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut problems = relative_path_problems(&self.paths());
        match (&self.cert, &self.key) {
            (Some(_), None) => problems.push(("key", "a client certificate needs its key".into())),
            (None, Some(_)) => problems.push(("cert", "a key needs its certificate".into())),
            _ => {}
        }
        if self
            .server_name
            .as_deref()
            .is_some_and(|name| rustls_pki_types::ServerName::try_from(name).is_err())
        {
            problems.push(("server_name", "not a DNS name or IP address".into()));
        }
        problems
    }
}

/// Paths of a channel file that must stay inside the deployment root.
fn relative_path_problems(paths: &[(&'static str, &Path)]) -> Vec<(&'static str, String)> {
    paths
        .iter()
        .filter(|(_, path)| !super::checks::stays_inside(path) || path.as_os_str().is_empty())
        .map(|(field, _)| {
            (
                *field,
                "must be a relative path inside the deployment root".to_string(),
            )
        })
        .collect()
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 8080))
}

fn default_max_body_bytes() -> usize {
    16 * 1024 * 1024
}

/// Logging settings.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    /// Log filter: a level (`error`, `warn`, `info`, `debug`, `trace`) or a directive such as
    /// `info,switchboard::store=debug`. Patient data is only ever logged at `debug` and below.
    #[serde(default = "default_log_level")]
    pub level: String,
    /// Output format.
    #[serde(default)]
    pub format: LogFormat,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            level: default_log_level(),
            format: LogFormat::default(),
        }
    }
}

fn default_log_level() -> String {
    "info".to_string()
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line, for log shippers.
    Json,
}

/// API authentication settings. Tokens themselves never live in config: they are created with
/// `switchboard token create` and only their hashes are stored.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// Days a newly created token stays valid; absent means tokens do not expire.
    #[serde(default)]
    pub token_ttl_days: Option<u32>,
}

/// Retention settings, applied by the pruning job.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RetentionConfig {
    /// Days a message (raw content and event trail) is kept after it is received; 0 keeps forever.
    #[serde(default = "default_message_days")]
    pub message_days: u32,
    /// Days an audit log entry is kept; 0 keeps forever.
    #[serde(default = "default_audit_days")]
    pub audit_days: u32,
    /// Days an outbox event is kept once every `canonical` source has handed it on; 0 keeps
    /// forever.
    #[serde(default = "default_message_days")]
    pub event_days: u32,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        RetentionConfig {
            message_days: default_message_days(),
            audit_days: default_audit_days(),
            event_days: default_message_days(),
        }
    }
}

fn default_message_days() -> u32 {
    30
}

fn default_audit_days() -> u32 {
    2190
}

/// Who we are on claims: the billing provider and the X12 submitter.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BillingConfig {
    /// Billing provider organization name (2010AA NM103).
    pub organization_name: String,
    /// Billing provider NPI (10 digits, valid check digit).
    pub npi: String,
    /// Tax id (EIN, 9 digits).
    pub tax_id: String,
    /// Provider taxonomy code (PRV03).
    #[serde(default)]
    pub taxonomy: Option<String>,
    /// Street address.
    pub address_line: String,
    /// City.
    pub city: String,
    /// State code.
    pub state: String,
    /// ZIP code (9 digits for 837).
    pub postal_code: String,
    /// Our interchange sender id (ISA06) and submitter id (1000A NM109).
    pub submitter_id: String,
    /// ISA05 qualifier of the submitter id.
    #[serde(default = "submitter_qualifier")]
    pub submitter_qualifier: String,
    /// Submitter contact name (1000A PER02).
    pub contact_name: String,
    /// Submitter contact phone (1000A PER04).
    #[serde(default)]
    pub contact_phone: Option<String>,
    /// Send interchanges as test data (ISA15 `T`) instead of production (`P`).
    #[serde(default)]
    pub test_mode: bool,
}

fn submitter_qualifier() -> String {
    "ZZ".to_string()
}
