//! `file` source and destination. The source polls a folder under the data directory, picks up
//! only files that have stopped changing, and moves each to `processed/` or `error/` (with a
//! `.reason.txt` beside it) once stored; a file not in the format its folder declares
//! (`content_type`, or a glob ending in `.x12` or `.hl7`) goes to `error/`. The destination
//! writes through a temporary file and a rename, so readers never see half a file. Neither ever
//! leaves its folder.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};

use super::config::{ChannelConfig, Checks};
use super::polling::SourceLease;
use super::{
    DeliveryError, Destination, DestinationContext, DestinationSettings, Outbound, Receipt, Source,
    SourceContext, SourceError, SourceSettings,
};
use crate::config::checks::{FOLDER_RULE, stays_inside};
use crate::message::Format;

/// `type = "file"` source: files dropped in a folder; each is moved to `processed/` or
/// `error/` beside it afterwards.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FileSource {
    /// Folder to poll, relative to the data directory (it may not leave it).
    pub folder: PathBuf,
    /// File name pattern with `*` and `?`, e.g. `*.x12`.
    #[serde(default = "default_glob")]
    pub glob: String,
    /// Seconds between polls.
    #[serde(default = "default_poll_seconds")]
    pub poll_seconds: u64,
    /// Milliseconds a file's size and modification time must stay unchanged before it is
    /// read, so a file still being written is never picked up.
    #[serde(default = "default_settle_ms")]
    pub settle_ms: u64,
    /// Largest file accepted, in bytes; larger files go to `error/`.
    #[serde(default = "default_max_file_bytes")]
    pub max_file_bytes: u64,
    /// Content type to record; guessed from the content when absent.
    #[serde(default)]
    pub content_type: Option<String>,
}

pub(crate) fn default_glob() -> String {
    "*".to_string()
}
pub(crate) fn default_poll_seconds() -> u64 {
    5
}
pub(crate) fn default_settle_ms() -> u64 {
    1000
}
pub(crate) fn default_max_file_bytes() -> u64 {
    64 * 1024 * 1024
}

/// The checks every polling source makes of its `glob`, `poll_seconds` and `max_file_bytes`.
pub(crate) fn check_polling(
    checks: &mut Checks<'_>,
    glob: &str,
    poll_seconds: u64,
    max_file_bytes: u64,
) {
    if glob.is_empty() || glob.contains('/') || glob.contains('\\') {
        checks.problem("glob", "must match file names, not paths");
    }
    if poll_seconds == 0 {
        checks.problem("poll_seconds", "must be at least 1");
    }
    if max_file_bytes == 0 {
        checks.problem("max_file_bytes", "must be at least 1");
    }
}

impl SourceSettings for FileSource {
    fn check(&self, checks: &mut Checks<'_>) {
        checks.folder("folder", &self.folder);
        check_polling(checks, &self.glob, self.poll_seconds, self.max_file_bytes);
    }

    fn build(&self) -> Box<dyn Source> {
        Box::new(self.clone())
    }
}

impl FileSource {
    /// The content type the files declare (see [`declared_content_type`]).
    fn declared_content_type(&self) -> Option<&str> {
        declared_content_type(self.content_type.as_deref(), &self.glob)
    }
}

/// The content type polled files declare: `content_type` as configured, else the one the
/// glob's extension names (`*.x12` X12, `*.hl7` HL7 v2); the pipeline takes only content in
/// its format.
pub fn declared_content_type<'a>(content_type: Option<&'a str>, glob: &str) -> Option<&'a str> {
    content_type.or_else(|| {
        let (_, extension) = glob.rsplit_once('.')?;
        let format = match extension.to_ascii_lowercase().as_str() {
            "x12" => Format::X12,
            "hl7" => Format::Hl7v2,
            _ => return None,
        };
        Some(format.content_type())
    })
}

/// Matches `name` against a pattern of literal characters, `*` (any run) and `?` (any one).
pub fn glob_matches(pattern: &str, name: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let name: Vec<char> = name.chars().collect();
    let (mut p, mut n) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while n < name.len() {
        match pattern.get(p) {
            Some('*') => {
                backtrack = Some((p, n));
                p += 1;
            }
            Some(&c) if c == '?' || c == name[n] => {
                p += 1;
                n += 1;
            }
            _ => match backtrack {
                Some((star, matched)) => {
                    p = star + 1;
                    n = matched + 1;
                    backtrack = Some((star, matched + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

/// What was seen of a file at the last poll: (size, modified).
type Seen = HashMap<PathBuf, (u64, SystemTime)>;

impl Source for FileSource {
    fn run(self: Box<Self>, context: SourceContext) -> BoxFuture<'static, Result<(), SourceError>> {
        Box::pin(async move {
            let folder = context.data_dir.join(&self.folder);
            for sub in ["", "processed", "error"] {
                std::fs::create_dir_all(folder.join(sub)).map_err(|err| {
                    SourceError::Setup(format!(
                        "cannot create {}: {err}",
                        folder.join(sub).display()
                    ))
                })?;
            }
            let mut seen = Seen::new();
            let every = Duration::from_secs(self.poll_seconds.max(1));
            let lease = SourceLease::new(&context);
            loop {
                if lease.take().await {
                    lease
                        .keep_while(self.poll(&folder, &context, &mut seen))
                        .await;
                }
                if !lease.wait(every).await {
                    return Ok(());
                }
            }
        })
    }
}

impl FileSource {
    /// Reads every settled file once; a failure to store leaves the file for the next poll.
    async fn poll(&self, folder: &Path, context: &SourceContext, seen: &mut Seen) {
        let Ok(entries) = std::fs::read_dir(folder) else {
            tracing::warn!(folder = %folder.display(), "cannot list folder");
            return;
        };
        let mut candidates: Vec<(PathBuf, u64, SystemTime)> = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || !glob_matches(&self.glob, &name) {
                continue;
            }
            // symlink_metadata: a link is never followed out of the folder.
            let Ok(meta) = std::fs::symlink_metadata(entry.path()) else {
                continue;
            };
            if !meta.file_type().is_file() {
                continue;
            }
            let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
            candidates.push((entry.path(), meta.len(), modified));
        }
        candidates.sort();
        let now = SystemTime::now();
        let settle = Duration::from_millis(self.settle_ms);
        let mut still_there = Seen::new();
        for (path, size, modified) in candidates {
            let stable = seen.get(&path) == Some(&(size, modified));
            let old_enough = now.duration_since(modified).unwrap_or_default() >= settle;
            still_there.insert(path.clone(), (size, modified));
            if !(stable && old_enough) || context.shutdown.is_cancelled() {
                continue;
            }
            if self.take(&path, size, folder, context).await {
                still_there.remove(&path);
            }
        }
        *seen = still_there;
    }

    /// Stores one file and moves it away; true when it was moved.
    async fn take(&self, path: &Path, size: u64, folder: &Path, context: &SourceContext) -> bool {
        let name = path
            .file_name()
            .map(|n| n.to_os_string())
            .unwrap_or_default();
        if size > self.max_file_bytes {
            let reason = format!(
                "file is {size} bytes, over the limit of {}",
                self.max_file_bytes
            );
            return move_with_reason(path, &folder.join("error"), &name, Some(&reason));
        }
        let raw = match tokio::fs::read(path).await {
            Ok(raw) => raw,
            Err(err) => {
                tracing::warn!(file = %path.display(), %err, "cannot read");
                return false;
            }
        };
        match context
            .pipeline
            .receive(&raw, self.declared_content_type())
            .await
        {
            Ok(Receipt::Rejected {
                message_id,
                rejection,
            }) => {
                let reason = format!("message {message_id}: {rejection}");
                move_with_reason(path, &folder.join("error"), &name, Some(&reason))
            }
            Ok(_) => move_with_reason(path, &folder.join("processed"), &name, None),
            Err(err) => {
                tracing::error!(file = %path.display(), %err, "cannot store; will retry");
                false
            }
        }
    }
}

/// Moves `path` into `target` (prefixing a timestamp when the name is taken), writing
/// `NAME.reason.txt` beside it when a reason is given.
fn move_with_reason(
    path: &Path,
    target: &Path,
    name: &std::ffi::OsStr,
    reason: Option<&str>,
) -> bool {
    let mut destination = target.join(name);
    if destination.exists() {
        destination = target.join(format!(
            "{}-{}",
            crate::store::now_millis(),
            name.to_string_lossy()
        ));
    }
    if let Err(err) = std::fs::rename(path, &destination) {
        tracing::error!(file = %path.display(), %err, "cannot move");
        return false;
    }
    if let Some(reason) = reason {
        let mut reason_file = destination.clone().into_os_string();
        reason_file.push(".reason.txt");
        if let Err(err) = std::fs::write(&reason_file, format!("{reason}\n")) {
            tracing::warn!(file = %destination.display(), %err, "cannot write reason file");
        }
    }
    true
}

/// `type = "file"` destination: writes each message to a file (temporary file + rename, never
/// half-written).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FileDestinationConfig {
    /// Folder to write to, relative to the data directory (it may not leave it).
    pub folder: PathBuf,
    /// File name template: `{channel}`, `{message_id}`, `{control_id}`, `{timestamp}`.
    #[serde(default = "default_name_template")]
    pub name_template: String,
}

pub(crate) fn default_name_template() -> String {
    "{channel}-{message_id}.msg".to_string()
}

impl DestinationSettings for FileDestinationConfig {
    fn check(&self, checks: &mut Checks<'_>, _channel: &ChannelConfig) {
        if !stays_inside(&self.folder) {
            checks.problem("folder", FOLDER_RULE);
        }
        if let Err(reason) = check_name_template(&self.name_template) {
            checks.problem("name_template", reason);
        }
    }

    fn build(&self, context: &DestinationContext<'_>) -> Arc<dyn Destination> {
        let folder = context.data_dir.join(&self.folder);
        // The folder exists from deployment on, so readers can watch it.
        if let Err(err) = std::fs::create_dir_all(&folder) {
            tracing::warn!(folder = %folder.display(), %err, "cannot create the destination folder");
        }
        Arc::new(FileDestination {
            folder,
            name_template: self.name_template.clone(),
        })
    }
}

/// Placeholders a file name template may use.
pub const NAME_PLACEHOLDERS: [&str; 4] = ["channel", "message_id", "control_id", "timestamp"];

pub(crate) fn check_name_template(template: &str) -> Result<(), String> {
    if template.is_empty() || template.contains('/') || template.contains('\\') {
        return Err("must be a file name, not a path".into());
    }
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let end = after
            .find('}')
            .ok_or_else(|| "has a '{' without a closing '}'".to_string())?;
        let name = &after[..end];
        if !NAME_PLACEHOLDERS.contains(&name) {
            return Err(format!(
                "unknown placeholder {{{name}}}; use {{channel}}, {{message_id}}, {{control_id}} or {{timestamp}}"
            ));
        }
        rest = &after[end + 1..];
    }
    Ok(())
}

/// Writes each message to a file.
pub struct FileDestination {
    /// Absolute folder (data directory + configured folder).
    pub folder: PathBuf,
    /// File name template.
    pub name_template: String,
}

impl FileDestination {
    /// The file name for a message: placeholders filled, then made safe and bounded by
    /// [`bounded_file_name`].
    pub fn file_name(&self, message: &Outbound) -> String {
        message_file_name(&self.name_template, message)
    }
}

/// The file name `template` gives a message: placeholders filled, then made safe and bounded
/// by [`bounded_file_name`].
pub fn message_file_name(template: &str, message: &Outbound) -> String {
    let filled = template
        .replace("{channel}", &message.channel)
        .replace("{message_id}", &message.message_id.to_string())
        .replace(
            "{control_id}",
            message.control_id.as_deref().unwrap_or("none"),
        )
        .replace("{timestamp}", &crate::store::now_millis().to_string());
    bounded_file_name(&filled).unwrap_or_else(|| format!("message-{}", message.message_id))
}

/// Longest file name a destination writes, in bytes: below the 255 of common file systems
/// with room for the temporary name it is first written under.
pub const MAX_FILE_NAME_BYTES: usize = 200;

/// Hex digits of the hash that stands for the cut part of a long name.
const NAME_HASH_HEX: usize = 16;

/// `name` as a safe file name: every character but ASCII letters, digits, `-`, `_` and `.`
/// replaced by `_`; a name longer than [`MAX_FILE_NAME_BYTES`] keeps its start and its
/// extension, and what lies between is replaced by `~` and a hash of the whole name, so two
/// long names that differ only in the cut part stay two files. `None` for a name of dots
/// only, which would mean "this folder" or "the parent".
pub fn bounded_file_name(name: &str) -> Option<String> {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if safe.chars().all(|c| c == '.') {
        return None;
    }
    if safe.len() <= MAX_FILE_NAME_BYTES {
        return Some(safe);
    }
    use sha2::{Digest, Sha256};
    let hash = hex::encode(Sha256::digest(name.as_bytes()));
    // A short extension (`.hl7`, `.x12`) survives, so that globs downstream still match.
    let extension = safe
        .rfind('.')
        .map(|dot| &safe[dot..])
        .filter(|ext| ext.len() <= 16 && ext.len() < safe.len());
    let extension = extension.unwrap_or("");
    let keep = MAX_FILE_NAME_BYTES - extension.len() - NAME_HASH_HEX - 1;
    // Every character of `safe` is ASCII, so any byte offset is a character boundary.
    Some(format!(
        "{}~{}{extension}",
        &safe[..keep],
        &hash[..NAME_HASH_HEX]
    ))
}

impl Destination for FileDestination {
    fn deliver<'a>(&'a self, message: &'a Outbound) -> BoxFuture<'a, Result<(), DeliveryError>> {
        Box::pin(async move {
            let name = self.file_name(message);
            let path = self.folder.join(&name);
            let payload = message.payload.clone();
            tokio::task::spawn_blocking(move || write_atomically(&path, &payload))
                .await
                .map_err(|err| DeliveryError::transient(format!("writer task failed: {err}")))?
                .map_err(|err| {
                    DeliveryError::io(
                        format_args!("cannot write {name} in {}", self.folder.display()),
                        &err,
                    )
                })
        })
    }
}

/// Writes `bytes` to `path` through a temporary file in the same folder (synced to disk) and
/// a rename, so a reader sees the whole file or none of it. The temporary name is unique per
/// process and call, so concurrent writers never share one, and starts with at most 64 bytes
/// of the file's name, so it is never much longer than the name itself.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::sync::atomic::{AtomicU64, Ordering};
    static WRITES: AtomicU64 = AtomicU64::new(0);
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let mut prefix_end = name.len().min(64);
    while !name.is_char_boundary(prefix_end) {
        prefix_end -= 1;
    }
    let temp = dir.join(format!(
        ".{}.{}-{}.tmp",
        &name[..prefix_end],
        std::process::id(),
        WRITES.fetch_add(1, Ordering::Relaxed)
    ));
    let written = std::fs::File::create(&temp).and_then(|mut out| {
        out.write_all(bytes)?;
        out.sync_all()
    });
    let renamed = written.and_then(|()| std::fs::rename(&temp, path));
    if renamed.is_err() {
        // A failed write leaves no temporary file behind (there may be none to remove).
        let _ = std::fs::remove_file(&temp);
    }
    renamed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_templates_are_checked() {
        assert!(check_name_template("{channel}-{message_id}.hl7").is_ok());
        assert!(
            check_name_template("{nope}.x")
                .unwrap_err()
                .contains("unknown placeholder")
        );
        assert!(check_name_template("a/{channel}").is_err());
        assert!(check_name_template("{channel").is_err());
    }

    #[test]
    fn globs_match_like_a_shell() {
        assert!(glob_matches("*", "a.x12"));
        assert!(glob_matches("*.x12", "a.x12"));
        assert!(!glob_matches("*.x12", "a.x12.tmp"));
        assert!(glob_matches("claim-??.txt", "claim-01.txt"));
        assert!(!glob_matches("claim-??.txt", "claim-1.txt"));
        assert!(glob_matches("a*b*c", "aXXbYYc"));
        assert!(!glob_matches("a*b*c", "aXXbYY"));
    }

    fn writer(name_template: &str) -> FileDestination {
        FileDestination {
            folder: PathBuf::from("/tmp/out"),
            name_template: name_template.into(),
        }
    }

    /// Message 7 with this control id.
    fn outbound(control_id: &str) -> Outbound {
        Outbound {
            delivery_id: 1,
            message_id: 7,
            channel: "c".into(),
            control_id: Some(control_id.into()),
            content_type: "text/plain".into(),
            payload: vec![],
        }
    }

    #[test]
    fn file_names_stay_in_the_folder() {
        let destination = writer("{control_id}.hl7");
        assert_eq!(
            destination.file_name(&outbound("../../etc/passwd")),
            ".._.._etc_passwd.hl7"
        );
        assert_eq!(
            writer("{control_id}").file_name(&outbound("..")),
            "message-7"
        );
    }

    #[test]
    fn long_names_are_cut_with_a_hash_of_the_whole_name() {
        let destination = writer("{control_id}.hl7");
        let mut message = outbound(&"A".repeat(300));
        let name = destination.file_name(&message);
        assert_eq!(name.len(), MAX_FILE_NAME_BYTES, "{name}");
        assert!(name.ends_with(".hl7"), "{name}");
        let (kept, hash) = name.trim_end_matches(".hl7").rsplit_once('~').unwrap();
        assert_eq!(kept, "A".repeat(kept.len()));
        assert_eq!(hash.len(), NAME_HASH_HEX);
        assert!(hash.chars().all(|c| c.is_ascii_hexdigit()), "{hash}");
        // The same id gives the same name; one that differs after the cut, another.
        assert_eq!(destination.file_name(&message), name);
        message.control_id = Some(format!("{}B", "A".repeat(299)));
        assert_ne!(destination.file_name(&message), name);
        // Short names are left as they were.
        message.control_id = Some("MSG-1".into());
        assert_eq!(destination.file_name(&message), "MSG-1.hl7");
        // No extension to keep: the name is cut all the same.
        let bare = bounded_file_name(&"x".repeat(500)).unwrap();
        assert_eq!(bare.len(), MAX_FILE_NAME_BYTES);
        // Characters that are not ASCII count once, as the `_` they become.
        let wide = bounded_file_name(&"é".repeat(150)).unwrap();
        assert_eq!(wide, "_".repeat(150));
    }

    #[test]
    fn a_name_the_file_system_refuses_is_a_permanent_failure() {
        let dir = tempfile::tempdir().unwrap();
        let err = write_atomically(&dir.path().join("n".repeat(300)), b"x").unwrap_err();
        assert_eq!(
            crate::channel::ErrorClass::of_io(&err),
            crate::channel::ErrorClass::Permanent,
            "{err:?}"
        );
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "no temporary file left"
        );
        // A file where a folder should be.
        std::fs::write(dir.path().join("plain"), b"x").unwrap();
        let err = write_atomically(&dir.path().join("plain/sub/a.hl7"), b"x").unwrap_err();
        assert_eq!(
            crate::channel::ErrorClass::of_io(&err),
            crate::channel::ErrorClass::Permanent,
            "{err:?}"
        );
    }
}
