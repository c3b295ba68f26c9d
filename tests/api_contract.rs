//! The API against its own OpenAPI document, checked by an independent schema-driven client:
//! schemathesis (MIT licence; `.ci/run` installs the pinned version) generates requests for
//! every operation of `/api/openapi.json`, valid and invalid, sends them to a running engine
//! with an admin token, and fails on any 5xx, any status code or content type the document does
//! not declare, any response that does not match its declared schema, and any schema-invalid
//! request that is accepted. Bounded: 10 examples an operation.
//!
//! Without schemathesis the test prints a notice and passes, unless `CI` is set: then it fails.

mod common;

use std::path::Path;
use std::process::Command;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_answers_as_its_openapi_document_says() {
    let present = common::command_runs("schemathesis", &["--version"]);
    if !common::peer_present(present, "schemathesis", "pip install schemathesis==4.32.5") {
        return;
    }
    let engine = common::start_shipped().await;
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/api_contract");
    let url = engine.url.clone();
    let token = engine.admin.clone();
    // schemathesis keeps a cache in its working folder: a temporary one, not the checkout.
    let scratch = tempfile::tempdir().expect("temp dir");
    let cwd = scratch.path().to_path_buf();
    let run = tokio::task::spawn_blocking(move || {
        Command::new("schemathesis")
            .current_dir(cwd)
            .env("SCHEMATHESIS_HOOKS", here.join("hooks.py"))
            .env("NO_COLOR", "1")
            .arg("--config-file")
            .arg(here.join("schemathesis.toml"))
            .arg("run")
            .arg(format!("{url}/api/openapi.json"))
            .args(["--url", &url])
            .args(["--header", &format!("Authorization: Bearer {token}")])
            .args(["--max-examples", "10", "--seed", "1", "--no-color"])
            .output()
            .expect("schemathesis runs")
    })
    .await
    .expect("the run ends");
    let output = String::from_utf8_lossy(&run.stdout);
    println!("{output}");
    assert!(
        run.status.success(),
        "schemathesis found the API and its document apart:\n{output}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    engine.stop().await;
}
