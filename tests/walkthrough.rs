//! README's walkthrough, `samples/walkthrough.sh`, run top to bottom against the engine binary
//! serving a root made by `switchboard init` (on free ports): it ends with the claim paid and
//! the reports as tables.

mod common;

use std::process::Command;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_walkthrough_runs_as_a_script() {
    let scratch = tempfile::tempdir().unwrap();
    let root = scratch.path().join("site");
    let binary = env!("CARGO_BIN_EXE_switchboard");
    let (http_port, mllp_port) = common::init_on_free_ports(&root);
    let mut engine = common::spawn_engine(&root, http_port);
    common::wait_for_engine(http_port, mllp_port).await;

    let run = tokio::task::spawn_blocking({
        let root = root.clone();
        move || {
            Command::new("sh")
                .arg("samples/walkthrough.sh")
                .current_dir(root)
                .env("SWITCHBOARD", binary)
                .env("MLLP", format!("127.0.0.1:{mllp_port}"))
                .env_remove("SWITCHBOARD_ROOT")
                .env_remove("SWITCHBOARD_TOKEN")
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    engine.kill().unwrap();
    engine.wait().unwrap();
    let out = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{out}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    // The claim table, then the financial summary with its money in two decimals.
    assert!(out.contains("claim_number"), "{out}");
    assert!(
        out.lines()
            .any(|l| l.contains("SB0000000001") && l.contains(" paid ")),
        "{out}"
    );
    for amount in ["180.50", "70.40", "67.50", "42.60"] {
        assert!(out.contains(amount), "{amount}:\n{out}");
    }
}
