//! The `sftp` source and destination against a real OpenSSH server started by each test
//! (`/usr/sbin/sshd`, skipped when missing unless `CI` is set): an 835 on the server is
//! imported and removed only once stored, a wrong host key is refused, a growing file waits,
//! `after = "move"` and `error_to`, the destination's 837 batch files, and an engine killed
//! between storing a file and removing it imports nothing twice after a restart.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::sshd::{Sshd, key_pair};
use common::{Engine, file_names};

/// The public managed-care sample 835 (trace number 7170066655), as its payer would correct
/// it to follow its implementation guide.
fn sample_835() -> Vec<u8> {
    common::corrected_835().into_bytes()
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/x12")
        .join(name)
}

/// A remote folder on the test server: a folder of its own under the server's temp folder.
fn remote_folder(sshd: &Sshd, name: &str) -> PathBuf {
    let folder = sshd.dir.path().join(name);
    std::fs::create_dir_all(&folder).unwrap();
    folder
}

/// The settings that reach `sshd` with the `kind` client key, for `folder` on it.
fn server_settings(sshd: &Sshd, kind: &str, folder: &Path) -> String {
    format!(
        "host = \"127.0.0.1\"\nport = {}\nuser = \"{}\"\nprivate_key = \"keys/client_{kind}\"\n\
         known_hosts = \"keys/known_hosts\"\nfolder = \"{}\"\n",
        sshd.port,
        sshd.user,
        folder.display()
    )
}

/// The deployment files: the channels, the client keys and a `known_hosts` file.
fn deployment(
    sshd: &Sshd,
    known_hosts: String,
    channels: &[(&str, String)],
) -> Vec<(String, String)> {
    let mut files = vec![
        (
            "keys/client_ed25519".to_string(),
            sshd.client_key("ed25519"),
        ),
        ("keys/client_rsa".to_string(), sshd.client_key("rsa")),
        ("keys/known_hosts".to_string(), known_hosts),
    ];
    for (name, text) in channels {
        files.push((format!("channels/{name}.toml"), text.clone()));
    }
    files
}

async fn start(files: Vec<(String, String)>) -> Engine {
    let files: Vec<(&str, String)> = files.iter().map(|(p, t)| (p.as_str(), t.clone())).collect();
    Engine::start(&files).await
}

/// An inbox channel polling `folder` every second, with the claims destination; `extra`
/// adds source settings.
fn inbox(sshd: &Sshd, folder: &Path, extra: &str) -> String {
    format!(
        "name = \"sftp-in\"\n[source]\ntype = \"sftp\"\n{}glob = \"*.x12\"\npoll_seconds = 1\n{extra}\n\
         [[destinations]]\ntype = \"claims\"\nname = \"claims\"\n",
        server_settings(sshd, "ed25519", folder)
    )
}

/// An engine whose only channel is an [`inbox`] on the remote folder `inbox`, and that folder.
async fn start_inbox(sshd: &Sshd, extra: &str) -> (Engine, PathBuf) {
    let folder = remote_folder(sshd, "inbox");
    let channel = inbox(sshd, &folder, extra);
    let engine = start(deployment(
        sshd,
        sshd.known_hosts(),
        &[("sftp-in", channel)],
    ))
    .await;
    (engine, folder)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_835_on_the_server_is_imported_and_removed_once_stored() {
    let Some(sshd) = Sshd::start(None) else {
        return;
    };
    let (engine, folder) = start_inbox(&sshd, "settle_ms = 500\nafter = \"delete\"").await;
    std::fs::write(folder.join("remit.x12"), sample_835()).unwrap();
    engine
        .eventually("the 835 is taken off the server", || async {
            file_names(&folder).is_empty()
        })
        .await;
    // Gone from the server: so stored, and its remittance imported.
    let messages = engine.channel_messages("sftp-in").await;
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert_eq!(
        messages[0].content_type, "application/edi-x12",
        "{messages:?}"
    );
    assert_eq!(messages[0].size_bytes as usize, sample_835().len());
    engine
        .eventually("the remittance is imported", || async {
            let remittances = engine.get_json("/api/remittances").await;
            remittances["remittances"][0]["trace_number"] == "7170066655"
        })
        .await;
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_key_not_in_known_hosts_is_refused() {
    let Some(sshd) = Sshd::start(None) else {
        return;
    };
    let folder = remote_folder(&sshd, "inbox");
    std::fs::write(folder.join("remit.x12"), sample_835()).unwrap();
    // Another server's key under this server's name; and this server's key under another port.
    let other = sshd.dir.path().join("other_host");
    key_pair(&other, "ed25519");
    let other_key = std::fs::read_to_string(other.with_extension("pub")).unwrap();
    let wrong_port = sshd
        .known_hosts()
        .replace(&format!(":{} ", sshd.port), ":1 ");
    let known_hosts = format!("[127.0.0.1]:{} {other_key}{wrong_port}", sshd.port);
    let source_port = common::free_port();
    let outbox = format!(
        "name = \"out\"\n[source]\ntype = \"http\"\nlisten = \"127.0.0.1:{source_port}\"\nallow_anonymous = true\n\
         [[destinations]]\ntype = \"sftp\"\nname = \"payer\"\n{}\
         [destinations.queue]\ninitial_backoff_ms = 600000\nmax_backoff_ms = 600000\n",
        server_settings(&sshd, "ed25519", &remote_folder(&sshd, "out"))
    );
    let channels = [
        (
            "sftp-in",
            inbox(&sshd, &folder, "settle_ms = 0\nafter = \"delete\""),
        ),
        ("out", outbox),
    ];
    let engine = start(deployment(&sshd, known_hosts, &channels)).await;

    // The destination: refused for good, saying why.
    let message_id = post(&engine, source_port, &fixture("837p-demo-example1.x12")).await;
    engine
        .eventually("the delivery is dead-lettered at once", || async {
            !common::event_details(&engine.store, message_id, "dead")
                .await
                .is_empty()
        })
        .await;
    let dead = common::event_details(&engine.store, message_id, "dead").await;
    assert!(
        dead[0].contains("matches none of the 1 entries"),
        "{dead:?}"
    );
    assert!(dead[0].contains("keys/known_hosts"), "{dead:?}");
    assert!(file_names(&remote_folder(&sshd, "out")).is_empty());

    // The source: several polls later, nothing taken, the file still there.
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert!(engine.channel_messages("sftp-in").await.is_empty());
    assert_eq!(file_names(&folder), ["remit.x12"]);
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_still_growing_is_not_taken_until_it_settles() {
    let Some(sshd) = Sshd::start(None) else {
        return;
    };
    let (engine, folder) = start_inbox(&sshd, "settle_ms = 2500\nafter = \"delete\"").await;
    let whole = sample_835();
    let path = folder.join("remit.x12");
    // Written in four parts, one every 1.2 s: each poll sees a new size.
    for part in whole.chunks(whole.len().div_ceil(4)) {
        use std::io::Write;
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .unwrap();
        file.write_all(part).unwrap();
        drop(file);
        tokio::time::sleep(Duration::from_millis(1200)).await;
        assert!(
            engine.channel_messages("sftp-in").await.is_empty(),
            "taken while growing"
        );
    }
    engine
        .eventually("the settled file is taken", || async {
            file_names(&folder).is_empty()
        })
        .await;
    let messages = engine.channel_messages("sftp-in").await;
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert_eq!(
        messages[0].size_bytes as usize,
        whole.len(),
        "the whole file"
    );
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stored_files_are_moved_and_files_too_large_set_aside() {
    let Some(sshd) = Sshd::start(None) else {
        return;
    };
    let done = remote_folder(&sshd, "done");
    let failed = remote_folder(&sshd, "failed");
    let extra = format!(
        "settle_ms = 0\nmax_file_bytes = 100000\nafter = \"move\"\nmove_to = \"{}\"\nerror_to = \"{}\"",
        done.display(),
        failed.display()
    );
    let (engine, folder) = start_inbox(&sshd, &extra).await;
    std::fs::write(folder.join("remit.x12"), sample_835()).unwrap();
    std::fs::write(folder.join("huge.x12"), vec![b'x'; 100_001]).unwrap();
    engine
        .eventually("both files leave the folder", || async {
            file_names(&folder).is_empty()
        })
        .await;
    assert_eq!(file_names(&done), ["remit.x12"]);
    assert_eq!(std::fs::read(done.join("remit.x12")).unwrap(), sample_835());
    assert_eq!(file_names(&failed), ["huge.x12", "huge.x12.reason.txt"]);
    let reason = std::fs::read_to_string(failed.join("huge.x12.reason.txt")).unwrap();
    assert!(reason.contains("over the limit of 100000"), "{reason}");
    let messages = engine.channel_messages("sftp-in").await;
    assert_eq!(messages.len(), 1, "only the 835 is read: {messages:?}");
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_destination_writes_837_batches_whole_with_an_rsa_key() {
    let Some(sshd) = Sshd::start(None) else {
        return;
    };
    let out = remote_folder(&sshd, "outbox");
    let source_port = common::free_port();
    let channel = format!(
        "name = \"out\"\n[source]\ntype = \"http\"\nlisten = \"127.0.0.1:{source_port}\"\nallow_anonymous = true\n\
         [[destinations]]\ntype = \"sftp\"\nname = \"payer\"\n{}name_template = \"{{message_id}}-{{control_id}}.x12\"\n",
        server_settings(&sshd, "rsa", &out)
    );
    let engine = start(deployment(&sshd, sshd.known_hosts(), &[("out", channel)])).await;
    let mut sent = Vec::new();
    for name in ["837p-demo-example1.x12", "837i-two-claims.x12"] {
        let message_id = post(&engine, source_port, &fixture(name)).await;
        sent.push((message_id, std::fs::read(fixture(name)).unwrap()));
    }
    engine
        .eventually("both batches are written", || async {
            file_names(&out).len() == 2
        })
        .await;
    let names = file_names(&out);
    for (message_id, batch) in sent {
        let name = names
            .iter()
            .find(|n| n.starts_with(&format!("{message_id}-")))
            .unwrap_or_else(|| panic!("no file for message {message_id}: {names:?}"));
        assert!(name.ends_with(".x12"), "{name}");
        assert_eq!(std::fs::read(out.join(name)).unwrap(), batch, "{name}");
    }
    // No temporary `.NAME.part` file is left.
    let all: Vec<_> = std::fs::read_dir(&out).unwrap().flatten().collect();
    assert_eq!(all.len(), 2, "{all:?}");
    engine.stop().await;
}

/// Posts a file to the HTTP source on `port` once it listens; the stored message's id.
async fn post(engine: &Engine, port: u16, file: &Path) -> i64 {
    let url = format!("http://127.0.0.1:{port}/");
    engine
        .eventually("the HTTP source listens", || async {
            reqwest::get(&url).await.is_ok()
        })
        .await;
    let body = std::fs::read(file).unwrap();
    let response = common::client().post(&url).body(body).send().await.unwrap();
    let receipt: serde_json::Value = response.json().await.unwrap();
    receipt["message_id"]
        .as_i64()
        .unwrap_or_else(|| panic!("not stored: {receipt}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_stored_but_not_removed_before_a_kill_is_not_imported_twice() {
    // The server refuses to remove or rename files: the engine stores the 835 and cannot
    // take it off the server, the state a kill between the two leaves.
    let Some(mut sshd) = Sshd::start(Some("remove,rename,posix-rename")) else {
        return;
    };
    let folder = remote_folder(&sshd, "inbox");
    std::fs::write(folder.join("remit.x12"), sample_835()).unwrap();
    let root = tempfile::tempdir().unwrap();
    let channel = inbox(&sshd, &folder, "settle_ms = 0\nafter = \"delete\"");
    for (path, text) in deployment(&sshd, sshd.known_hosts(), &[("sftp-in", channel)]) {
        let path = root.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let url = format!(
        "sqlite://{}",
        root.path().join("data/switchboard.db").display()
    );
    let mut engine = common::spawn_engine(root.path(), common::free_port());
    common::eventually("the 835 is stored", Duration::from_secs(30), || async {
        match switchboard::store::Store::connect(&url, 1).await {
            Ok(store) => {
                let stored = store.remittances(10).await.is_ok_and(|r| r.len() == 1);
                store.close().await;
                stored
            }
            Err(_) => false,
        }
    })
    .await;
    // Another poll or two tries to remove it, and cannot; then the engine is killed.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let _ = engine.kill();
    let _ = engine.wait();
    assert_eq!(file_names(&folder), ["remit.x12"], "still on the server");

    sshd.restart(None);
    let mut engine = common::spawn_engine(root.path(), common::free_port());
    common::eventually("the file is removed", Duration::from_secs(30), || async {
        file_names(&folder).is_empty()
    })
    .await;
    let _ = engine.kill();
    let _ = engine.wait();
    let store = switchboard::store::Store::connect(&url, 1).await.unwrap();
    let messages = store
        .search_messages(&switchboard::store::messages::MessageQuery {
            channel: Some("sftp-in".to_string()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(messages.len(), 1, "stored once: {messages:?}");
    let duplicates = common::event_details(&store, messages[0].id, "duplicate").await;
    assert!(
        !duplicates.is_empty(),
        "the re-read is recognised as a resend"
    );
    assert_eq!(
        store.remittances(10).await.unwrap().len(),
        1,
        "imported once"
    );
    store.close().await;
}

#[test]
fn the_examples_pass_the_check_and_unsafe_settings_are_refused() {
    let root = tempfile::tempdir().unwrap();
    let channels = root.path().join("channels");
    std::fs::create_dir_all(&channels).unwrap();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("channels/examples");
    for name in ["sftp-x12-inbox.toml", "sftp-837-outbox.toml"] {
        std::fs::copy(examples.join(name), channels.join(name)).unwrap();
    }
    let load =
        || switchboard::channel::deployment::Deployment::load_with_env(root.path(), |_| None);
    if let Err(errors) = load() {
        panic!("the examples are refused:\n{errors}");
    }
    let refused = "name = \"bad\"\n[source]\ntype = \"sftp\"\nhost = \"127.0.0.1\"\nuser = \"u\"\n\
         password = \"hunter2\"\nprivate_key = \"../id\"\nknown_hosts = \"/etc/ssh/known_hosts\"\n\
         folder = \"in\"\nafter = \"move\"\n[[destinations]]\ntype = \"claims\"\nname = \"claims\"\n";
    std::fs::write(channels.join("bad.toml"), refused).unwrap();
    let errors = match load() {
        Ok(_) => panic!("unsafe settings accepted"),
        Err(errors) => errors.to_string(),
    };
    for expected in [
        "bad.toml:6: source.password: must be ${ENV_VAR}",
        "source.password: give private_key or password, not both",
        "bad.toml:7: source.private_key: must be a relative path inside the deployment root",
        "bad.toml:8: source.known_hosts: must be a relative path inside the deployment root",
        "source.move_to: after = \"move\" needs move_to",
    ] {
        assert!(errors.contains(expected), "no {expected:?} in:\n{errors}");
    }
}
