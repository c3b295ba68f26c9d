//! FHIR ingest on SQLite: resources per second through the server's write path (R4 model check,
//! unknown-element check, canonical upsert, raw JSON and version), 100 Patients and their 100
//! Encounters per database transaction, as a transaction Bundle of 200 entries does.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::json;
use switchboard::fhir::kinds::Kind;
use switchboard::fhir::server::write_one;
use switchboard::store::Store;

const PATIENTS: u64 = 100;

fn fhir_ingest(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let store = runtime.block_on(async {
        let url = format!("sqlite://{}", dir.path().join("bench.db").display());
        let store = Store::connect(&url, 2).await.expect("store");
        store.migrate().await.expect("migrate");
        store
    });
    let mut group = c.benchmark_group("fhir_ingest");
    group.sample_size(10);
    group.throughput(Throughput::Elements(PATIENTS * 2));
    let mut round = 0_u64;
    group.bench_function("patients_and_encounters_sqlite", |b| {
        b.iter(|| {
            round += 1;
            runtime.block_on(async {
                let mut tx = store.begin_write().await.expect("begin");
                for n in 0..PATIENTS {
                    let mrn = format!("B{round}-{n}");
                    let patient = json!({
                        "resourceType": "Patient",
                        "identifier": [{"system": "urn:bench", "value": mrn}],
                        "name": [{"family": "Bench", "given": ["Mark", "R"]}],
                        "gender": "other",
                        "birthDate": "1990-01-01",
                        "address": [{"line": ["1 Test St"], "city": "Springfield", "postalCode": "62701"}]
                    });
                    let created = write_one(&mut tx, Kind::Patient, None, None, black_box(&patient))
                        .await
                        .expect("patient");
                    let encounter = json!({
                        "resourceType": "Encounter",
                        "identifier": [{"value": format!("V{mrn}")}],
                        "status": "finished",
                        "class": {"code": "AMB"},
                        "subject": {"reference": created.location},
                        "period": {"start": "2026-11-25T10:00:00Z"}
                    });
                    write_one(&mut tx, Kind::Encounter, None, None, black_box(&encounter))
                        .await
                        .expect("encounter");
                }
                tx.commit().await.expect("commit");
            })
        })
    });
    group.finish();
}

criterion_group!(benches, fhir_ingest);
criterion_main!(benches);
