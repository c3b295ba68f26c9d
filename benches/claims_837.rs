//! A 25,000-claim 837P, built with our writer: how long it takes to read it back (tokenizer and
//! envelope checks) and to store it as a received message in SQLite.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use switchboard::store::Store;
use switchboard::store::ingest::{Ingest, Outcome};
use switchboard::x12;

#[path = "common/claims_837_file.rs"]
mod claims_837_file;
use claims_837_file::big_837;

fn claims_837(c: &mut Criterion) {
    let file = big_837();
    let mut group = c.benchmark_group("claims_837_25000");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(file.len() as u64));
    group.bench_function("read_envelope", |b| {
        b.iter(|| {
            let report = x12::read_envelope(black_box(&file)).expect("reads");
            assert!(report.problems.is_empty());
            report.interchange.groups.len()
        })
    });
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let store = runtime.block_on(async {
        let url = format!("sqlite://{}", dir.path().join("bench.db").display());
        let store = Store::connect(&url, 2).await.expect("store");
        store.migrate().await.expect("migrate");
        store
    });
    group.bench_function("read_and_store", |b| {
        b.iter(|| {
            let report = x12::read_envelope(black_box(&file)).expect("reads");
            assert!(report.problems.is_empty());
            runtime.block_on(async {
                store
                    .ingest(&[Ingest {
                        channel: "bench".into(),
                        content_type: "application/edi-x12".into(),
                        control_id: None,
                        message_type: Some("837".into()),
                        sender: None,
                        resend_key: None,
                        raw: file.clone(),
                        outcome: Outcome::Stored,
                    }])
                    .await
                    .expect("stored")
            })
        })
    });
    group.finish();
}

criterion_group!(benches, claims_837);
criterion_main!(benches);
