//! Runs every coverage-guided fuzz target of `tests/fuzz` (libFuzzer through cargo-fuzz) for a
//! short while, seeded with the repository's samples and public corpus: the HL7 v2 parser, the
//! MLLP decoder, the X12 readers, the FHIR JSON reader and the shipped mappings. A panic, a
//! crash, a run over 10 s or over the memory limit fails it (the input is saved under
//! `tests/fuzz/artifacts/`). `FUZZ_SECONDS` sets the time per target (20 by default); a long
//! run is `FUZZ_SECONDS=3600 tests/fuzz/run`.
//!
//! Without cargo-fuzz the test prints a notice and passes, unless `CI` is set: then it fails.

mod common;

use std::path::Path;
use std::process::Command;

#[test]
fn every_fuzz_target_runs_clean() {
    let present = common::command_runs("cargo", &["fuzz", "--version"]);
    let install = "cargo install cargo-fuzz --version 0.13.2 --locked";
    if !common::peer_present(present, "cargo-fuzz", install) {
        return;
    }
    let run = Command::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz/run"))
        .output()
        .expect("tests/fuzz/run starts");
    let log = String::from_utf8_lossy(&run.stderr);
    for line in log.lines() {
        if line.starts_with("fuzzing ")
            || line.starts_with("stat::number_of_executed_units")
            || line.starts_with("stat::peak_rss_mb")
        {
            println!("{line}");
        }
    }
    let tail: Vec<&str> = log.lines().rev().take(80).collect();
    assert!(
        run.status.success(),
        "a fuzz target failed:\n{}",
        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
    );
}
