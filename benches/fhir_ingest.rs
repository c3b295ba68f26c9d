//! FHIR ingest on SQLite, resources per second:
//!
//! - `transaction_bundle_sqlite`: a transaction Bundle of 100 Patients and their 100
//!   Encounters (`urn:uuid:` references between entries), through the same processing as
//!   `POST /fhir`: R4 model check, unknown-element check, canonical upserts, raw JSON and
//!   versions, and an audit entry per entry, all in one database transaction;
//! - `single_writes_sqlite`: the same 200 resources as separate writes, as `POST /fhir/Patient`
//!   and `POST /fhir/Encounter` make them (through the group-commit writer: one client's writes
//!   commit one at a time);
//! - `single_writes_8_clients_sqlite`: the same, by 8 clients at once (their writes share
//!   commits).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::{Value, json};
use switchboard::fhir::bundle;
use switchboard::fhir::kinds::Kind;
use switchboard::fhir::service::check;
use switchboard::fhir::writer::GroupWriter;
use switchboard::store::Store;
use switchboard::store::tokens::{Principal, Role};

const PATIENTS: u64 = 100;

fn patient(mrn: &str) -> Value {
    json!({
        "resourceType": "Patient",
        "identifier": [{"system": "urn:bench", "value": mrn}],
        "name": [{"family": "Bench", "given": ["Mark", "R"]}],
        "gender": "other",
        "birthDate": "1990-01-01",
        "address": [{"line": ["1 Test St"], "city": "Springfield", "postalCode": "62701"}]
    })
}

fn encounter(mrn: &str, subject: &str) -> Value {
    json!({
        "resourceType": "Encounter",
        "identifier": [{"value": format!("V{mrn}")}],
        "status": "finished",
        "class": {"code": "AMB"},
        "subject": {"reference": subject},
        "period": {"start": "2026-11-25T10:00:00Z"}
    })
}

/// A transaction Bundle of `PATIENTS` patients and an encounter each.
fn transaction(round: u64) -> Value {
    let mut entries = Vec::new();
    for n in 0..PATIENTS {
        let mrn = format!("T{round}-{n}");
        let full_url = format!("urn:uuid:00000000-0000-4000-8000-{n:012}");
        entries.push(json!({
            "fullUrl": full_url,
            "resource": patient(&mrn),
            "request": {"method": "POST", "url": "Patient"}
        }));
        entries.push(json!({
            "resource": encounter(&mrn, &full_url),
            "request": {"method": "POST", "url": "Encounter"}
        }));
    }
    json!({"resourceType": "Bundle", "type": "transaction", "entry": entries})
}

/// Clients writing at once in `single_writes_8_clients_sqlite`.
const CLIENTS: u64 = 8;

/// Writes `pairs` Patients and an Encounter each, one resource per request, as
/// `POST /fhir/Patient` and `POST /fhir/Encounter` do.
async fn write_pairs(writer: GroupWriter, prefix: String, pairs: u64) {
    for n in 0..pairs {
        let mrn = format!("{prefix}-{n}");
        let created = write(&writer, Kind::Patient, patient(&mrn)).await;
        write(&writer, Kind::Encounter, encounter(&mrn, &created)).await;
    }
}

/// One resource checked, then written through the group-commit writer; its `Type/id`.
async fn write(writer: &GroupWriter, kind: Kind, resource: Value) -> String {
    let checked = check(kind, &resource).expect("valid");
    let done = writer
        .write(checked, None, None, resource)
        .await
        .expect("write");
    done.location
}

fn fhir_ingest(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let store = runtime.block_on(async {
        let url = format!("sqlite://{}", dir.path().join("bench.db").display());
        let store = Store::connect(&url, 2).await.expect("store");
        store.migrate().await.expect("migrate");
        store
    });
    let principal = Principal {
        token_id: 1,
        name: "bench".to_string(),
        role: Role::Operator,
    };
    let writer = runtime.block_on(async { GroupWriter::start(store.clone()) });
    let mut group = c.benchmark_group("fhir_ingest");
    group.sample_size(10);
    group.throughput(Throughput::Elements(PATIENTS * 2));
    let mut round = 0_u64;
    group.bench_function("transaction_bundle_sqlite", |b| {
        b.iter_batched(
            || {
                round += 1;
                transaction(round)
            },
            |bundle| {
                runtime.block_on(async {
                    let answer = bundle::process(&store, &principal, black_box(&bundle))
                        .await
                        .expect("transaction");
                    assert_eq!(answer["entry"].as_array().map(Vec::len), Some(200));
                })
            },
            criterion::BatchSize::PerIteration,
        )
    });
    group.bench_function("single_writes_sqlite", |b| {
        b.iter(|| {
            round += 1;
            runtime.block_on(write_pairs(writer.clone(), format!("S{round}"), PATIENTS))
        })
    });
    group.bench_function("single_writes_8_clients_sqlite", |b| {
        b.iter(|| {
            round += 1;
            runtime.block_on(async {
                let clients: Vec<_> = (0..CLIENTS)
                    .map(|client| {
                        tokio::spawn(write_pairs(
                            writer.clone(),
                            format!("C{round}-{client}"),
                            PATIENTS / CLIENTS,
                        ))
                    })
                    .collect();
                for client in clients {
                    client.await.expect("client");
                }
            })
        })
    });
    group.finish();
}

criterion_group!(benches, fhir_ingest);
criterion_main!(benches);
