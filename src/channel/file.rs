//! `file` source and destination. The source polls a folder under the data directory, picks up
//! only files that have stopped changing, and moves each to `processed/` or `error/` (with a
//! `.reason.txt` beside it) once stored; a file not in the format its folder declares
//! (`content_type`, or a glob ending in `.x12` or `.hl7`) goes to `error/`. The destination
//! writes through a temporary file and a rename, so readers never see half a file. Neither ever
//! leaves its folder.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use futures::future::BoxFuture;

use super::{DeliveryError, Destination, Outbound, Receipt, Source, SourceContext, SourceError};
use crate::message::Format;

/// Polls a folder for files.
pub struct FileSource {
    /// Folder relative to the data directory.
    pub folder: PathBuf,
    /// File name pattern.
    pub glob: String,
    /// Seconds between polls.
    pub poll_seconds: u64,
    /// Milliseconds a file must stay unchanged before it is read.
    pub settle_ms: u64,
    /// Largest file accepted.
    pub max_file_bytes: u64,
    /// Content type to record, if fixed.
    pub content_type: Option<String>,
}

impl FileSource {
    /// The content type the files declare: as configured, else the one the glob's extension
    /// names (`*.x12` X12, `*.hl7` HL7 v2); the pipeline takes only content in its format.
    fn declared_content_type(&self) -> Option<&str> {
        self.content_type.as_deref().or_else(|| {
            let (_, extension) = self.glob.rsplit_once('.')?;
            let format = match extension.to_ascii_lowercase().as_str() {
                "x12" => Format::X12,
                "hl7" => Format::Hl7v2,
                _ => return None,
            };
            Some(format.content_type())
        })
    }
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
            loop {
                self.poll(&folder, &context, &mut seen).await;
                tokio::select! {
                    _ = context.shutdown.cancelled() => return Ok(()),
                    _ = tokio::time::sleep(every) => {}
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

/// Writes each message to a file.
pub struct FileDestination {
    /// Absolute folder (data directory + configured folder).
    pub folder: PathBuf,
    /// File name template.
    pub name_template: String,
}

impl FileDestination {
    /// The file name for a message: placeholders filled, anything unsafe replaced by `_`.
    pub fn file_name(&self, message: &Outbound) -> String {
        let filled = self
            .name_template
            .replace("{channel}", &message.channel)
            .replace("{message_id}", &message.message_id.to_string())
            .replace(
                "{control_id}",
                message.control_id.as_deref().unwrap_or("none"),
            )
            .replace("{timestamp}", &crate::store::now_millis().to_string());
        let safe: String = filled
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        // A name made only of dots would mean "this folder" or "the parent".
        if safe.chars().all(|c| c == '.') {
            format!("message-{}", message.message_id)
        } else {
            safe
        }
    }
}

impl Destination for FileDestination {
    fn deliver<'a>(&'a self, message: &'a Outbound) -> BoxFuture<'a, Result<(), DeliveryError>> {
        Box::pin(async move {
            let name = self.file_name(message);
            let path = self.folder.join(name);
            let payload = message.payload.clone();
            tokio::task::spawn_blocking(move || write_atomically(&path, &payload))
                .await
                .map_err(|err| DeliveryError::transient(format!("writer task failed: {err}")))?
                .map_err(|err| DeliveryError::transient(format!("cannot write file: {err}")))
        })
    }
}

/// Writes `bytes` to `path` through a temporary file in the same folder (synced to disk) and
/// a rename, so a reader sees the whole file or none of it. The temporary name is unique per
/// process and call, so concurrent writers never share one.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::sync::atomic::{AtomicU64, Ordering};
    static WRITES: AtomicU64 = AtomicU64::new(0);
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let temp = dir.join(format!(
        ".{}.{}-{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("file"),
        std::process::id(),
        WRITES.fetch_add(1, Ordering::Relaxed)
    ));
    {
        let mut out = std::fs::File::create(&temp)?;
        out.write_all(bytes)?;
        out.sync_all()?;
    }
    std::fs::rename(&temp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn file_names_stay_in_the_folder() {
        let destination = FileDestination {
            folder: PathBuf::from("/tmp/out"),
            name_template: "{control_id}.hl7".into(),
        };
        let mut message = Outbound {
            delivery_id: 1,
            message_id: 7,
            channel: "c".into(),
            control_id: Some("../../etc/passwd".into()),
            content_type: "text/plain".into(),
            payload: vec![],
        };
        assert_eq!(destination.file_name(&message), ".._.._etc_passwd.hl7");
        message.control_id = Some("..".into());
        let dots = FileDestination {
            folder: PathBuf::from("/tmp/out"),
            name_template: "{control_id}".into(),
        };
        assert_eq!(dots.file_name(&message), "message-7");
    }
}
