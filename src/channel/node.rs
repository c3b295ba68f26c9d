//! The node id of an engine process: the owner of the delivery leases it takes and the runner
//! named on its scheduled jobs. It is made once and kept in the data directory
//! (`data/node-id`), so the same engine started again is the same node and takes back at once
//! the deliveries its earlier process had leased, instead of waiting for the leases to run out.
//!
//! The file is locked while the process runs. The operating system drops the lock however
//! the process ends (`kill -9` included), so holding it proves that no earlier process under
//! this id is still sending. A second process on the same data directory cannot take the
//! lock and runs as a node of its own, whose leases expire like those of any other node.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::Path;

/// The file under the data directory that keeps the node id.
pub const NODE_ID_FILE: &str = "node-id";

/// Longest node id read back from the file.
const MAX_ID_BYTES: usize = 100;

/// The node id of this process.
#[derive(Debug)]
pub struct NodeId {
    /// The id.
    pub id: String,
    /// True when the id is the data directory's own, locked by this process: leases held under
    /// it were left by an earlier process and may be taken back.
    pub owned: bool,
    /// The locked file; the lock lasts as long as this handle.
    _lock: Option<File>,
}

impl NodeId {
    /// The node id kept in `data_dir` (made on first use), locked for this process; when the
    /// data directory cannot hold it or another live process holds it, an id for this process
    /// alone.
    pub fn for_data_dir(data_dir: &Path) -> NodeId {
        let file = data_dir.join(NODE_ID_FILE);
        match lock_and_read(data_dir, &file) {
            Ok(Some((id, lock))) => NodeId {
                id,
                owned: true,
                _lock: Some(lock),
            },
            Ok(None) => {
                let id = process_id();
                tracing::warn!(file = %file.display(), node = %id, "another engine process uses this data directory; this one runs as a node of its own");
                NodeId {
                    id,
                    owned: false,
                    _lock: None,
                }
            }
            Err(err) => {
                let id = process_id();
                tracing::warn!(file = %file.display(), %err, node = %id, "cannot keep the node id; leases of this process will expire instead of being taken back at restart");
                NodeId {
                    id,
                    owned: false,
                    _lock: None,
                }
            }
        }
    }
}

/// An id for this process alone: the host, the process id and a random part (a restarted
/// container often has the same host name and process id as the one before it).
fn process_id() -> String {
    format!(
        "{}-{}-{:08x}",
        host_name(),
        std::process::id(),
        rand::random::<u32>()
    )
}

/// Opens and locks the node id file, reading the id or writing a new one; `None` when another
/// process holds the lock.
fn lock_and_read(data_dir: &Path, file: &Path) -> std::io::Result<Option<(String, File)>> {
    std::fs::create_dir_all(data_dir)?;
    let mut handle = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(file)?;
    match handle.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => return Ok(None),
        Err(TryLockError::Error(err)) => return Err(err),
    }
    let mut text = String::new();
    Read::by_ref(&mut handle)
        .take(MAX_ID_BYTES as u64 + 1)
        .read_to_string(&mut text)
        .unwrap_or_default();
    let text = text.trim();
    if is_valid_id(text) {
        return Ok(Some((text.to_string(), handle)));
    }
    let id = format!("{}-{:016x}", host_name(), rand::random::<u64>());
    handle.set_len(0)?;
    handle.rewind()?;
    handle.write_all(format!("{id}\n").as_bytes())?;
    handle.sync_all()?;
    tracing::info!(file = %file.display(), node = %id, "new node id");
    Ok(Some((id, handle)))
}

fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_BYTES
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// This machine's name, as far as it can be read, made safe for an id.
/// This machine's host name (letters, digits and `-`, at most 40), or `switchboard`.
pub fn host_name() -> String {
    let name = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .unwrap_or_default();
    let safe: String = name
        .trim()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(40)
        .collect();
    if safe.is_empty() {
        "switchboard".to_string()
    } else {
        safe
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_data_directory_is_the_same_node_one_process_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let first = NodeId::for_data_dir(&data);
        assert!(first.owned);
        let stored = std::fs::read_to_string(data.join(NODE_ID_FILE)).unwrap();
        assert_eq!(stored.trim(), first.id);

        // While the first holds it, another opener is a node of its own.
        let second = NodeId::for_data_dir(&data);
        assert!(!second.owned);
        assert_ne!(second.id, first.id);
        drop(second);

        // Once the first is gone, the next one is the same node again.
        let id = first.id.clone();
        drop(first);
        let again = NodeId::for_data_dir(&data);
        assert!(again.owned);
        assert_eq!(again.id, id);
    }

    #[test]
    fn an_unreadable_id_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(NODE_ID_FILE), "not an id / at all\n").unwrap();
        let node = NodeId::for_data_dir(dir.path());
        assert!(node.owned);
        assert!(is_valid_id(&node.id), "{}", node.id);
        let stored = std::fs::read_to_string(dir.path().join(NODE_ID_FILE)).unwrap();
        assert_eq!(stored, format!("{}\n", node.id));
    }

    #[test]
    fn a_data_directory_that_cannot_be_made_gives_an_id_all_the_same() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("file"), "x").unwrap();
        let node = NodeId::for_data_dir(&dir.path().join("file/data"));
        assert!(!node.owned);
        assert!(
            node.id.contains(&format!("-{}-", std::process::id())),
            "{}",
            node.id
        );
    }
}
