//! Peak memory of reading and storing a 25,000-claim 837P, against the file's size. Linux only:
//! the peak resident size (VmHWM) is reset through /proc/self/clear_refs after the file is built.
//! Run with `cargo bench --bench claims_837_memory`.

use std::time::Instant;

use switchboard::store::Store;
use switchboard::store::ingest::{Ingest, Outcome};
use switchboard::x12;

#[path = "common/claims_837_file.rs"]
mod claims_837_file;

fn resident_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("claims.837");
    std::fs::write(&path, claims_837_file::big_837()).expect("write the 837");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let store = runtime.block_on(async {
        let url = format!("sqlite://{}", dir.path().join("bench.db").display());
        let store = Store::connect(&url, 2).await.expect("store");
        store.migrate().await.expect("migrate");
        store
    });
    // Forget the peak of building the file: measure from here.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let baseline = resident_kib("VmRSS:");
    let started = Instant::now();
    let file = std::fs::read(&path).expect("read the 837");
    let report = x12::read_envelope(&file).expect("reads");
    assert!(report.problems.is_empty());
    let stored = runtime.block_on(store.ingest(&[Ingest {
        channel: "bench".into(),
        content_type: "application/edi-x12".into(),
        control_id: None,
        message_type: Some("837".into()),
        sender: None,
        resend_key: None,
        raw: file.clone(),
        outcome: Outcome::Stored,
    }]));
    stored.expect("stored");
    let elapsed = started.elapsed();
    let peak = resident_kib("VmHWM:");
    let size_kib = file.len() as u64 / 1024;
    println!(
        "25,000-claim 837P: {size_kib} KiB read and stored in {:.1} ms; peak resident growth {} KiB ({:.2}x the file)",
        elapsed.as_secs_f64() * 1000.0,
        peak.saturating_sub(baseline),
        peak.saturating_sub(baseline) as f64 / size_kib.max(1) as f64
    );
}
