//! `sftp` source and destination: files on an SSH server, reached with SFTP.
//!
//! Both check the server's host key against a `known_hosts` file (never trusted on first
//! use) and log in with a private key or a password from the environment. The source lists a
//! remote folder each poll, downloads each file that has stopped changing (into memory,
//! bounded), hands it to the pipeline, and deletes or moves it only once the pipeline has
//! stored it; a file re-read after a crash is recognised by the store's resend rule. The
//! destination writes each message under a temporary `.NAME.part` name and renames it, so
//! readers never see half a file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use russh::client;
use russh::keys::{HashAlg, PrivateKeyWithHashAlg, PublicKey, PublicKeyOrCertificate};
use russh_sftp::client::SftpSession;
use russh_sftp::client::error::Error as SftpFailure;
use russh_sftp::protocol::StatusCode;
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::config::{ChannelConfig, Checks};
use super::file::{
    check_name_template, check_polling, declared_content_type, default_glob,
    default_max_file_bytes, default_name_template, default_poll_seconds, default_settle_ms,
    glob_matches, message_file_name,
};
use super::polling::SourceLease;
use super::{
    DeliveryError, Destination, DestinationContext, DestinationSettings, Outbound, Receipt, Source,
    SourceContext, SourceError, SourceSettings, expand_env,
};
use crate::config::checks::stays_inside;

/// Largest private key file read, in bytes.
const MAX_KEY_FILE_BYTES: u64 = 64 * 1024;
/// Largest `known_hosts` file read, in bytes.
const MAX_KNOWN_HOSTS_BYTES: u64 = 1024 * 1024;
/// Most entries of a remote folder looked at in one poll.
const MAX_LISTED_FILES: usize = 10_000;
/// What a path on this machine must be, in words.
const LOCAL_PATH_RULE: &str = "must be a relative path inside the deployment root";

/// Declares a settings struct with the fields every SFTP connector has (the server, the login
/// and the remote folder) before its own, and how to reach its server.
macro_rules! sftp_settings {
    (
        $(#[$doc:meta])*
        pub struct $name:ident {
            $($(#[$field_doc:meta])* pub $field:ident: $ty:ty,)*
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            /// Host name or address of the SSH server.
            pub host: String,
            /// Its port.
            #[serde(default = "default_port")]
            pub port: u16,
            /// User to log in as.
            pub user: String,
            /// OpenSSH private key file (ed25519, ECDSA or RSA, not encrypted), relative to the
            /// deployment root; either this or `password`.
            #[serde(default)]
            pub private_key: Option<PathBuf>,
            /// Password, only as `${ENV_VAR}`; either this or `private_key`.
            #[serde(default)]
            pub password: Option<String>,
            /// `known_hosts` file (relative to the deployment root) with the server's host key
            /// under `host` (port 22) or `[host]:port`.
            pub known_hosts: PathBuf,
            /// Remote folder (relative to the user's home folder, or absolute).
            pub folder: String,
            /// Seconds to connect and log in before giving up.
            #[serde(default = "default_connect_timeout")]
            pub connect_timeout_seconds: u64,
            $($(#[$field_doc])* pub $field: $ty,)*
        }

        impl $name {
            /// The server and login these settings name.
            fn server(&self) -> Server {
                Server {
                    host: self.host.clone(),
                    port: self.port,
                    user: self.user.clone(),
                    private_key: self.private_key.clone(),
                    password: self.password.clone(),
                    known_hosts: self.known_hosts.clone(),
                    connect_timeout: Duration::from_secs(self.connect_timeout_seconds),
                }
            }
        }
    };
}

fn default_port() -> u16 {
    22
}
fn default_connect_timeout() -> u64 {
    10
}

sftp_settings! {
    /// `type = "sftp"` source: files in a remote folder; each is deleted or moved once stored.
    pub struct SftpSource {
        /// File name pattern with `*` and `?`, e.g. `*.x12`.
        #[serde(default = "default_glob")]
        pub glob: String,
        /// Seconds between polls.
        #[serde(default = "default_poll_seconds")]
        pub poll_seconds: u64,
        /// Milliseconds a file's size and modification time must stay unchanged (over at least
        /// two listings) before it is read.
        #[serde(default = "default_settle_ms")]
        pub settle_ms: u64,
        /// Largest file read, in bytes; a larger one is never downloaded.
        #[serde(default = "default_max_file_bytes")]
        pub max_file_bytes: u64,
        /// Content type to record; from the glob (`*.x12`, `*.hl7`) or guessed when absent.
        #[serde(default)]
        pub content_type: Option<String>,
        /// What becomes of a file once stored: `delete` it, or `move` it to `move_to`.
        pub after: After,
        /// Remote folder stored files are moved to, with `after = "move"`.
        #[serde(default)]
        pub move_to: Option<String>,
        /// Remote folder that files too large or rejected are moved to, with `NAME.reason.txt`
        /// beside each; when absent, a file too large stays where it is (reported once) and a
        /// rejected one is treated as `after` says.
        #[serde(default)]
        pub error_to: Option<String>,
    }
}

sftp_settings! {
    /// `type = "sftp"` destination: writes each message to a file in a remote folder.
    pub struct SftpDestinationConfig {
        /// File name template: `{channel}`, `{message_id}`, `{control_id}`, `{timestamp}`.
        #[serde(default = "default_name_template")]
        pub name_template: String,
    }
}

/// What the source does with a file it has stored.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum After {
    /// Remove it from the server.
    Delete,
    /// Move it to `move_to` on the server.
    Move,
}

/// Problems with the settings every SFTP connector has.
fn check_server(checks: &mut Checks<'_>, server: &Server, folder: &str) {
    if server.host.is_empty() {
        checks.problem("host", "must not be empty");
    }
    if server.port == 0 {
        checks.problem("port", "must be between 1 and 65535");
    }
    if server.user.is_empty() {
        checks.problem("user", "must not be empty");
    }
    match (&server.private_key, &server.password) {
        (None, None) => checks.problem("private_key", "give private_key or password"),
        (Some(_), Some(_)) => checks.problem("password", "give private_key or password, not both"),
        _ => {}
    }
    if let Some(key) = &server.private_key
        && !local_path_is_valid(key)
    {
        checks.problem("private_key", LOCAL_PATH_RULE);
    }
    if let Some(password) = &server.password
        && !is_env_reference(password)
    {
        checks.problem(
            "password",
            "must be ${ENV_VAR}: a password is never written in a channel file",
        );
    }
    if !local_path_is_valid(&server.known_hosts) {
        checks.problem("known_hosts", LOCAL_PATH_RULE);
    }
    if let Err(reason) = check_remote_folder(folder) {
        checks.problem("folder", reason);
    }
    if server.connect_timeout.is_zero() {
        checks.problem("connect_timeout_seconds", "must be at least 1");
    }
}

/// A relative path that stays inside the folder it is joined to, and names something.
fn local_path_is_valid(path: &Path) -> bool {
    stays_inside(path) && !path.as_os_str().is_empty()
}

/// True for exactly `${NAME}` with a valid environment variable name.
fn is_env_reference(value: &str) -> bool {
    value
        .strip_prefix("${")
        .and_then(|rest| rest.strip_suffix('}'))
        .is_some_and(|name| {
            !name.is_empty()
                && !name.starts_with(|c: char| c.is_ascii_digit())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

/// A remote folder: not empty, no control characters.
fn check_remote_folder(folder: &str) -> Result<(), &'static str> {
    if folder.is_empty() {
        return Err("must name a remote folder (`.` for the home folder)");
    }
    if folder.chars().any(char::is_control) {
        return Err("must not contain control characters");
    }
    Ok(())
}

impl SourceSettings for SftpSource {
    fn check(&self, checks: &mut Checks<'_>) {
        check_server(checks, &self.server(), &self.folder);
        check_polling(checks, &self.glob, self.poll_seconds, self.max_file_bytes);
        match (self.after, &self.move_to) {
            (After::Move, None) => checks.problem("move_to", "after = \"move\" needs move_to"),
            (After::Delete, Some(_)) => {
                checks.problem("move_to", "only with after = \"move\"");
            }
            (After::Move, Some(target)) => {
                if let Err(reason) = check_remote_folder(target) {
                    checks.problem("move_to", reason);
                } else if same_folder(target, &self.folder) {
                    checks.problem("move_to", "must differ from folder");
                }
            }
            (After::Delete, None) => {}
        }
        if let Some(target) = &self.error_to {
            if let Err(reason) = check_remote_folder(target) {
                checks.problem("error_to", reason);
            } else if same_folder(target, &self.folder) {
                checks.problem("error_to", "must differ from folder");
            }
        }
    }

    fn build(&self) -> Box<dyn Source> {
        Box::new(self.clone())
    }
}

/// True when two remote folders are written the same (trailing slashes aside).
fn same_folder(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}

impl DestinationSettings for SftpDestinationConfig {
    fn check(&self, checks: &mut Checks<'_>, _channel: &ChannelConfig) {
        check_server(checks, &self.server(), &self.folder);
        if let Err(reason) = check_name_template(&self.name_template) {
            checks.problem("name_template", reason);
        }
    }

    fn build(&self, context: &DestinationContext<'_>) -> Arc<dyn Destination> {
        Arc::new(SftpDestination {
            server: self.server(),
            root: context.runtime.root().unwrap_or_default(),
            folder: self.folder.clone(),
            name_template: self.name_template.clone(),
        })
    }
}

/// An SSH server and how to log in to it.
#[derive(Debug, Clone)]
struct Server {
    host: String,
    port: u16,
    user: String,
    private_key: Option<PathBuf>,
    password: Option<String>,
    known_hosts: PathBuf,
    connect_timeout: Duration,
}

/// Why an SFTP operation failed.
#[derive(Debug, thiserror::Error)]
enum SftpError {
    /// The server is not the one `known_hosts` names, or refused the login, or a local file
    /// it needs is unusable: the same attempt fails the same way until someone changes it.
    #[error("{0}")]
    Refused(String),
    /// The server refused an operation on a file or folder.
    #[error("{0}")]
    Denied(String),
    /// The server could not be reached, or the connection failed.
    #[error("{0}")]
    Connection(String),
}

impl SftpError {
    /// An SFTP request that failed, classed by its status.
    fn request(what: impl std::fmt::Display, err: SftpFailure) -> SftpError {
        match &err {
            SftpFailure::Status(status) if status.status_code == StatusCode::PermissionDenied => {
                SftpError::Denied(format!("{what}: permission denied"))
            }
            _ => SftpError::Connection(format!("{what}: {err}")),
        }
    }

    /// As a failed delivery: refusals and denials are permanent, the rest transient.
    fn delivery(self) -> DeliveryError {
        match self {
            SftpError::Refused(reason) | SftpError::Denied(reason) => {
                DeliveryError::permanent(reason)
            }
            SftpError::Connection(reason) => DeliveryError::transient(reason),
        }
    }

    /// True when the server answered that the file is not there.
    fn is_missing(err: &SftpFailure) -> bool {
        matches!(err, SftpFailure::Status(status) if status.status_code == StatusCode::NoSuchFile)
    }
}

/// Checks the server's host key against the keys `known_hosts` lists for it, and says why it
/// refused one.
struct HostKeyCheck {
    known: Vec<PublicKey>,
    host_port: String,
    file: PathBuf,
    refusal: Arc<Mutex<Option<String>>>,
}

impl client::Handler for HostKeyCheck {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        offered: &PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        let reason = match offered {
            PublicKeyOrCertificate::PublicKey { key, .. } => {
                if self
                    .known
                    .iter()
                    .any(|known| known.key_data() == key.key_data())
                {
                    return Ok(true);
                }
                if self.known.is_empty() {
                    format!(
                        "{} has no entry for {} (host key {} {}): add the server's key after checking it; a key is never trusted on first use",
                        self.file.display(),
                        self.host_port,
                        key.algorithm(),
                        key.fingerprint(HashAlg::Sha256)
                    )
                } else {
                    format!(
                        "the host key of {} ({} {}) matches none of the {} entries for it in {}: refused (the server changed its key, or is not the server it claims to be)",
                        self.host_port,
                        key.algorithm(),
                        key.fingerprint(HashAlg::Sha256),
                        self.known.len(),
                        self.file.display()
                    )
                }
            }
            PublicKeyOrCertificate::Certificate(_) => format!(
                "{} offered a host certificate; only host keys listed in {} are accepted",
                self.host_port,
                self.file.display()
            ),
        };
        if let Ok(mut slot) = self.refusal.lock() {
            *slot = Some(reason);
        }
        Ok(false)
    }
}

/// An open SFTP session and the SSH connection under it.
struct Connection {
    sftp: SftpSession,
    ssh: client::Handle<HostKeyCheck>,
}

impl Connection {
    /// Closes the session and the connection (errors are of no use by then).
    async fn close(self) {
        let _ = self.sftp.close().await;
        let _ = self
            .ssh
            .disconnect(russh::Disconnect::ByApplication, "", "en")
            .await;
    }
}

impl Server {
    /// `host` for port 22, else `[host]:port`, as `known_hosts` names servers.
    fn host_port(&self) -> String {
        if self.port == 22 {
            self.host.clone()
        } else {
            format!("[{}]:{}", self.host, self.port)
        }
    }

    /// Connects, checks the host key, logs in and opens an SFTP session, within the connect
    /// timeout.
    async fn connect(&self, root: &Path) -> Result<Connection, SftpError> {
        match tokio::time::timeout(self.connect_timeout, self.open(root)).await {
            Ok(result) => result,
            Err(_) => Err(SftpError::Connection(format!(
                "cannot connect to {}: no session within {} s",
                self.host_port(),
                self.connect_timeout.as_secs()
            ))),
        }
    }

    async fn open(&self, root: &Path) -> Result<Connection, SftpError> {
        let known_hosts = root.join(&self.known_hosts);
        read_bounded(&known_hosts, MAX_KNOWN_HOSTS_BYTES, "known_hosts")?;
        let known =
            russh::keys::known_hosts::known_host_keys_path(&self.host, self.port, &known_hosts)
                .map_err(|err| {
                    SftpError::Refused(format!("cannot read {}: {err}", known_hosts.display()))
                })?;
        let refusal = Arc::new(Mutex::new(None));
        let check = HostKeyCheck {
            known: known.into_iter().map(|(_, key)| key).collect(),
            host_port: self.host_port(),
            file: known_hosts,
            refusal: refusal.clone(),
        };
        let config = Arc::new(client::Config {
            inactivity_timeout: Some(Duration::from_secs(300)),
            ..Default::default()
        });
        let connected = client::connect(config, (self.host.as_str(), self.port), check).await;
        let mut ssh = connected.map_err(|err| {
            match refusal.lock().ok().and_then(|mut slot| slot.take()) {
                Some(reason) => SftpError::Refused(reason),
                None => {
                    SftpError::Connection(format!("cannot connect to {}: {err}", self.host_port()))
                }
            }
        })?;
        let lost = |err: russh::Error| {
            SftpError::Connection(format!("connection to {} failed: {err}", self.host_port()))
        };
        let (method, auth) = match (&self.private_key, &self.password) {
            (Some(path), _) => {
                let path = root.join(path);
                let text = read_bounded(&path, MAX_KEY_FILE_BYTES, "private key")?;
                let text = String::from_utf8(text).map_err(|_| {
                    SftpError::Refused(format!(
                        "{} is not an OpenSSH private key (not text)",
                        path.display()
                    ))
                })?;
                let key = russh::keys::decode_secret_key(&text, None).map_err(|err| {
                    SftpError::Refused(format!(
                        "{} is not a usable OpenSSH private key: {err}",
                        path.display()
                    ))
                })?;
                let hash = if key.algorithm().is_rsa() {
                    match ssh.best_supported_rsa_hash().await {
                        Ok(Some(hash)) => hash,
                        _ => Some(HashAlg::Sha256),
                    }
                } else {
                    None
                };
                let key = PrivateKeyWithHashAlg::new(Arc::new(key), hash);
                let auth = ssh.authenticate_publickey(&self.user, key).await;
                ("key", auth.map_err(lost)?)
            }
            (None, Some(password)) => {
                let variable = password.trim_start_matches("${").trim_end_matches('}');
                if std::env::var_os(variable).is_none() {
                    return Err(SftpError::Refused(format!(
                        "the password's environment variable {variable} is not set"
                    )));
                }
                let auth = ssh
                    .authenticate_password(&self.user, expand_env(password))
                    .await;
                ("password", auth.map_err(lost)?)
            }
            (None, None) => {
                return Err(SftpError::Refused(
                    "neither private_key nor password is set".into(),
                ));
            }
        };
        if !auth.success() {
            return Err(SftpError::Refused(format!(
                "{} refused the {method} of user {}",
                self.host_port(),
                self.user
            )));
        }
        let channel = ssh.channel_open_session().await.map_err(lost)?;
        channel
            .request_subsystem(true, "sftp")
            .await
            .map_err(lost)?;
        let config = russh_sftp::client::Config {
            request_timeout_secs: self.connect_timeout.as_secs().max(1),
            ..Default::default()
        };
        let sftp = SftpSession::new_with_config(channel.into_stream(), config)
            .await
            .map_err(|err| {
                SftpError::Connection(format!("no SFTP session on {}: {err}", self.host_port()))
            })?;
        Ok(Connection { sftp, ssh })
    }
}

/// The bytes of a local file of at most `limit` bytes; `what` names it in errors.
fn read_bounded(path: &Path, limit: u64, what: &str) -> Result<Vec<u8>, SftpError> {
    use std::io::Read;
    let unusable =
        |reason: String| SftpError::Refused(format!("{what} {}: {reason}", path.display()));
    let file = std::fs::File::open(path).map_err(|err| unusable(err.to_string()))?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|err| unusable(err.to_string()))?;
    if bytes.len() as u64 > limit {
        return Err(unusable(format!("larger than {limit} bytes")));
    }
    Ok(bytes)
}

/// `name` in the remote `folder`.
fn remote_path(folder: &str, name: &str) -> String {
    match folder.trim_end_matches('/') {
        "" if folder.starts_with('/') => format!("/{name}"),
        "" | "." => name.to_string(),
        folder => format!("{folder}/{name}"),
    }
}

/// A file as one listing showed it: size, modification time, and when it was first seen so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Sighting {
    size: u64,
    modified: Option<u32>,
    since: Instant,
}

/// The files of the last listing, by name.
type Seen = HashMap<String, Sighting>;

impl Source for SftpSource {
    fn run(self: Box<Self>, context: SourceContext) -> BoxFuture<'static, Result<(), SourceError>> {
        Box::pin(async move {
            let server = self.server();
            let mut seen = Seen::new();
            let every = Duration::from_secs(self.poll_seconds.max(1));
            let lease = SourceLease::new(&context);
            loop {
                if lease.take().await {
                    let poll = async {
                        let connection = server.connect(&context.root).await?;
                        let polled = self.poll(&connection, &context, &mut seen).await;
                        connection.close().await;
                        polled
                    };
                    if let Err(err) = lease.keep_while(poll).await {
                        tracing::warn!(
                            channel = %context.pipeline.config.name,
                            %err,
                            "sftp poll failed; retrying next poll"
                        );
                    }
                }
                if !lease.wait(every).await {
                    return Ok(());
                }
            }
        })
    }
}

impl SftpSource {
    /// Lists the folder and takes every file that has settled.
    async fn poll(
        &self,
        connection: &Connection,
        context: &SourceContext,
        seen: &mut Seen,
    ) -> Result<(), SftpError> {
        let entries = connection
            .sftp
            .read_dir(self.folder.as_str())
            .await
            .map_err(|err| SftpError::request(format_args!("cannot list {}", self.folder), err))?;
        let mut files: Vec<(String, u64, Option<u32>)> = entries
            .filter(|entry| entry.file_type().is_file())
            .map(|entry| {
                let meta = entry.metadata();
                (entry.file_name(), meta.len(), meta.mtime)
            })
            .filter(|(name, _, _)| {
                !name.starts_with('.') && !name.contains('/') && glob_matches(&self.glob, name)
            })
            .take(MAX_LISTED_FILES)
            .collect();
        files.sort();
        let now = Instant::now();
        let settle = Duration::from_millis(self.settle_ms);
        let mut listed = Seen::new();
        for (name, size, modified) in files {
            let sighting = match seen.get(&name) {
                Some(before) if before.size == size && before.modified == modified => *before,
                _ => Sighting {
                    size,
                    modified,
                    since: now,
                },
            };
            listed.insert(name.clone(), sighting);
            // Seen unchanged in an earlier listing, and for long enough by our clock (the
            // server's may differ).
            let settled = sighting.since < now && now.duration_since(sighting.since) >= settle;
            if !settled || context.shutdown.is_cancelled() {
                continue;
            }
            if self.take(connection, &name, size, context).await? {
                listed.remove(&name);
            }
        }
        *seen = listed;
        Ok(())
    }

    /// Downloads one file, stores it and deletes or moves it; true when it is gone from the
    /// folder. A file that changed while read is left for a later poll.
    async fn take(
        &self,
        connection: &Connection,
        name: &str,
        size: u64,
        context: &SourceContext,
    ) -> Result<bool, SftpError> {
        let path = remote_path(&self.folder, name);
        if size > self.max_file_bytes {
            let reason = format!(
                "file is {size} bytes, over the limit of {}",
                self.max_file_bytes
            );
            return self.set_aside(connection, name, &reason).await;
        }
        let Some(raw) = self.download(connection, &path, size).await? else {
            return Ok(false);
        };
        let declared = declared_content_type(self.content_type.as_deref(), &self.glob);
        match context.pipeline.receive(&raw, declared).await {
            Ok(Receipt::Rejected {
                message_id,
                rejection,
            }) if self.error_to.is_some() => {
                let reason = format!("message {message_id}: {rejection}");
                self.set_aside(connection, name, &reason).await
            }
            Ok(receipt) => {
                tracing::debug!(file = %path, message_id = receipt.message_id(), "stored");
                self.finish(connection, name).await.map(|()| true)
            }
            Err(err) => {
                tracing::error!(file = %path, %err, "cannot store; will retry");
                Ok(false)
            }
        }
    }

    /// The whole file, or `None` when it is no longer the size the listing showed (it is
    /// still being written, or was replaced): a partial file never becomes a message.
    async fn download(
        &self,
        connection: &Connection,
        path: &str,
        size: u64,
    ) -> Result<Option<Vec<u8>>, SftpError> {
        let file = match connection.sftp.open(path).await {
            Ok(file) => file,
            Err(err) if SftpError::is_missing(&err) => return Ok(None),
            Err(err) => return Err(SftpError::request(format_args!("cannot open {path}"), err)),
        };
        let mut raw = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        let read = file
            .take(self.max_file_bytes + 1)
            .read_to_end(&mut raw)
            .await;
        if let Err(err) = read {
            return Err(SftpError::Connection(format!("cannot read {path}: {err}")));
        }
        if raw.len() as u64 != size {
            tracing::info!(file = %path, listed = size, read = raw.len(), "file changed while read; left for the next poll");
            return Ok(None);
        }
        Ok(Some(raw))
    }

    /// Deletes a stored file or moves it to `move_to`.
    async fn finish(&self, connection: &Connection, name: &str) -> Result<(), SftpError> {
        let path = remote_path(&self.folder, name);
        match (&self.after, &self.move_to) {
            (After::Move, Some(target)) => {
                move_away(connection, &path, target, name).await.map(|_| ())
            }
            _ => connection
                .sftp
                .remove_file(path.as_str())
                .await
                .map_err(|err| SftpError::request(format_args!("cannot delete {path}"), err)),
        }
    }

    /// Moves a file that cannot be taken to `error_to` with its reason beside it; without
    /// `error_to`, reports it and leaves it. True when it was moved.
    async fn set_aside(
        &self,
        connection: &Connection,
        name: &str,
        reason: &str,
    ) -> Result<bool, SftpError> {
        let path = remote_path(&self.folder, name);
        let Some(target) = &self.error_to else {
            tracing::error!(file = %path, reason, "file left on the server: no error_to to move it to");
            return Ok(false);
        };
        let moved = move_away(connection, &path, target, name).await?;
        let reason_file = format!("{moved}.reason.txt");
        if let Err(err) = write_file(
            &connection.sftp,
            &reason_file,
            format!("{reason}\n").as_bytes(),
        )
        .await
        {
            tracing::warn!(file = %reason_file, %err, "cannot write reason file");
        }
        Ok(true)
    }
}

/// Renames `path` into the remote folder `target` (prefixing a timestamp when the name is
/// taken); returns the new path.
async fn move_away(
    connection: &Connection,
    path: &str,
    target: &str,
    name: &str,
) -> Result<String, SftpError> {
    let destination = remote_path(target, name);
    let taken = connection
        .sftp
        .try_exists(destination.as_str())
        .await
        .unwrap_or(false);
    let destination = if taken {
        remote_path(target, &format!("{}-{name}", crate::store::now_millis()))
    } else {
        destination
    };
    connection
        .sftp
        .rename(path, destination.as_str())
        .await
        .map_err(|err| {
            SftpError::request(format_args!("cannot move {path} to {destination}"), err)
        })?;
    Ok(destination)
}

/// Creates (or truncates) the remote file `path` and writes `bytes` to it.
async fn write_file(sftp: &SftpSession, path: &str, bytes: &[u8]) -> Result<(), SftpError> {
    let mut file = sftp
        .create(path)
        .await
        .map_err(|err| SftpError::request(format_args!("cannot create {path}"), err))?;
    let written = async {
        file.write_all(bytes).await?;
        file.sync_all().await.map_err(std::io::Error::other)?;
        file.shutdown().await
    };
    written
        .await
        .map_err(|err| SftpError::Connection(format!("cannot write {path}: {err}")))
}

/// Writes each message to a file in a remote folder.
pub struct SftpDestination {
    server: Server,
    root: PathBuf,
    folder: String,
    name_template: String,
}

impl SftpDestination {
    /// Writes `.NAME.part`, then renames it to `NAME` (replacing a file of that name).
    async fn write(&self, connection: &Connection, message: &Outbound) -> Result<(), SftpError> {
        let name = message_file_name(&self.name_template, message);
        let path = remote_path(&self.folder, &name);
        let part = remote_path(&self.folder, &format!(".{name}.part"));
        let sftp = &connection.sftp;
        write_file(sftp, &part, &message.payload).await?;
        // SFTP's rename does not replace a file: a retry after a lost answer finds its own
        // earlier copy there.
        if sftp.try_exists(path.as_str()).await.unwrap_or(false) {
            sftp.remove_file(path.as_str())
                .await
                .map_err(|err| SftpError::request(format_args!("cannot replace {path}"), err))?;
        }
        sftp.rename(part.as_str(), path.as_str())
            .await
            .map_err(|err| SftpError::request(format_args!("cannot rename {part} to {path}"), err))
    }
}

impl Destination for SftpDestination {
    fn deliver<'a>(&'a self, message: &'a Outbound) -> BoxFuture<'a, Result<(), DeliveryError>> {
        Box::pin(async move {
            let connection = self
                .server
                .connect(&self.root)
                .await
                .map_err(SftpError::delivery)?;
            let written = self.write(&connection, message).await;
            if written.is_err() {
                // A failed write leaves no temporary file behind (there may be none).
                let part = remote_path(
                    &self.folder,
                    &format!(".{}.part", message_file_name(&self.name_template, message)),
                );
                let _ = connection.sftp.remove_file(part).await;
            }
            connection.close().await;
            written.map_err(SftpError::delivery)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_come_only_from_the_environment() {
        assert!(is_env_reference("${SFTP_PASSWORD}"));
        assert!(!is_env_reference("hunter2"));
        assert!(!is_env_reference("${SFTP_PASSWORD}x"));
        assert!(!is_env_reference("x${SFTP_PASSWORD}"));
        assert!(!is_env_reference("${}"));
        assert!(!is_env_reference("${1A}"));
        assert!(!is_env_reference("${A-B}"));
    }

    #[test]
    fn remote_paths_join_folder_and_name() {
        assert_eq!(remote_path("inbox", "a.x12"), "inbox/a.x12");
        assert_eq!(remote_path("inbox/", "a.x12"), "inbox/a.x12");
        assert_eq!(remote_path("/srv/in", "a.x12"), "/srv/in/a.x12");
        assert_eq!(remote_path(".", "a.x12"), "a.x12");
        assert_eq!(remote_path("/", "a.x12"), "/a.x12");
    }
}
