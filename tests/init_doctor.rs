//! `switchboard init` writes a deployment root from the binary alone (every shipped file, byte
//! for byte) that `serve` runs, and `switchboard doctor` checks the running engine: 0 when it
//! is well, 3 once it is stopped.

mod common;

use std::path::Path;
use std::process::{Command, Output};

fn switchboard(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(args)
        .env_remove("SWITCHBOARD_ROOT")
        .env_remove("SWITCHBOARD_HTTP_ADDR")
        .env_remove("SWITCHBOARD_STORE_URL")
        .output()
        .expect("the binary runs")
}

/// Every file under the checkout's shipped folders, relative to the checkout.
fn shipped_files() -> Vec<String> {
    let checkout = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    let mut folders: Vec<std::path::PathBuf> = ["config", "channels", "mappings", "samples"]
        .iter()
        .map(|f| checkout.join(f))
        .collect();
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else {
                let relative = path.strip_prefix(checkout).unwrap();
                files.push(relative.to_string_lossy().into_owned());
            }
        }
    }
    files.sort();
    files
}

#[test]
fn init_writes_every_shipped_file_and_refuses_to_overwrite() {
    let scratch = tempfile::tempdir().unwrap();
    let root = scratch.path().join("site");
    let run = switchboard(&["init", root.to_str().unwrap()]);
    assert!(run.status.success(), "{run:?}");
    let checkout = Path::new(env!("CARGO_MANIFEST_DIR"));
    for file in shipped_files() {
        let written = std::fs::read(root.join(&file))
            .unwrap_or_else(|err| panic!("init did not write {file}: {err}"));
        assert_eq!(
            written,
            std::fs::read(checkout.join(&file)).unwrap(),
            "{file}"
        );
    }
    let checked = switchboard(&["--root", root.to_str().unwrap(), "check"]);
    assert!(checked.status.success(), "{checked:?}");

    let again = switchboard(&["init", root.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("writes nothing over"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_checks_a_running_engine_and_says_when_it_is_down() {
    let scratch = tempfile::tempdir().unwrap();
    let root = scratch.path().join("site");
    let root_arg = root.to_str().unwrap().to_string();
    let (http_port, mllp_port) = common::init_on_free_ports(&root);
    let mut engine = common::spawn_engine(&root, http_port);
    common::wait_for_engine(http_port, mllp_port).await;

    let doctor = switchboard(&["--root", &root_arg, "doctor"]);
    let report = String::from_utf8_lossy(&doctor.stdout).into_owned();
    assert_eq!(doctor.status.code(), Some(0), "{report}");
    for line in [
        "ok    engine       version",
        "ok    store",
        "ok    migrations   all applied",
        "ok    ports        hl7v2-mllp-inbound listens on",
        "ok    ports        hl7v2-http-inbound listens on",
        "ok    queues       0 pending, 0 held, 0 dead",
        "ok    certificates",
    ] {
        assert!(report.contains(line), "{line}:\n{report}");
    }
    assert!(report.contains("disk"), "{report}");

    engine.kill().unwrap();
    engine.wait().unwrap();
    let doctor = switchboard(&["--root", &root_arg, "doctor"]);
    let report = String::from_utf8_lossy(&doctor.stdout).into_owned();
    assert_eq!(doctor.status.code(), Some(3), "{report}");
    assert!(
        report.contains("fail  engine       not answering"),
        "{report}"
    );
    assert!(
        report.contains("fail  ports        hl7v2-mllp-inbound: nothing accepts connections"),
        "{report}"
    );
    assert!(report.contains("fix: start it"), "{report}");
}

#[tokio::test]
async fn a_migrated_store_has_no_pending_migration_and_a_new_one_has_them_all() {
    for test in common::all_stores().await {
        let pending = test.store.pending_migrations().await.unwrap();
        assert!(pending.is_empty(), "{}: {pending:?}", test.backend);
    }
    let scratch = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", scratch.path().join("new.db").display());
    let fresh = switchboard::store::Store::connect(&url, 1).await.unwrap();
    let pending = fresh.pending_migrations().await.unwrap();
    assert!(
        pending.first().is_some_and(|m| m.starts_with("1 ")),
        "{pending:?}"
    );
    fresh.migrate().await.unwrap();
    assert!(fresh.pending_migrations().await.unwrap().is_empty());
    fresh.close().await;
}
