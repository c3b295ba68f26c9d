//! Outbound from the canonical store: every canonical change writes its event in its own
//! transaction (SQLite and PostgreSQL), and a `canonical` source hands each event on as one
//! message, also across a SIGKILL of the engine.

mod common;

use std::time::Duration;

use switchboard::canonical::{Encounter, Identifier, Patient};
use switchboard::channel::mllp::MllpClient;
use switchboard::store::Store;
use switchboard::store::outbox::{Horizon, PendingEvent};

/// The events in the outbox: (kind, record type, changed columns), in order.
async fn events(store: &Store) -> Vec<(String, String, String)> {
    sqlx::query_as("SELECT kind, record_type, changed FROM canonical_events ORDER BY id")
        .fetch_all(store.pool())
        .await
        .unwrap()
}

/// A patient with a medical record number of the `HOSP` authority.
fn patient(mrn: &str, family: &str) -> Patient {
    let mut patient = Patient {
        identifiers: vec![Identifier {
            system: "HOSP".into(),
            value: mrn.into(),
            type_code: None,
        }],
        phone: Some("555-0100".into()),
        ..Patient::default()
    };
    patient.family_name = Some(family.into());
    patient
}

fn kinds(events: &[(String, String, String)]) -> Vec<&str> {
    events.iter().map(|(kind, ..)| kind.as_str()).collect()
}

/// A claim `C1` (status `submitted`) for the bill of visit `V1`, made as the claims run makes
/// it; its store id.
async fn submitted_claim(store: &Store) -> i64 {
    let payer: i64 = sqlx::query_scalar(
        "INSERT INTO payers (payer_id, name, claim_type, created_at, updated_at) VALUES ('P1', 'Payer', '837P', 1, 1) RETURNING id",
    )
    .fetch_one(store.pool())
    .await
    .unwrap();
    let bill: i64 = sqlx::query_scalar(
        "INSERT INTO bills (encounter_id, patient_id, status, created_at, updated_at) \
         SELECT id, patient_id, 'open', 1, 1 FROM encounters WHERE visit_number = 'V1' RETURNING id",
    )
    .fetch_one(store.pool())
    .await
    .unwrap();
    sqlx::query_scalar(
        "INSERT INTO claims (claim_number, bill_id, payer_id, claim_type, status, total_charge_cents, created_at, updated_at) \
         VALUES ('C1', $1, $2, '837P', 'submitted', 100, 1, 1) RETURNING id",
    )
    .bind(bill)
    .bind(payer)
    .fetch_one(store.pool())
    .await
    .unwrap()
}

#[tokio::test]
async fn every_canonical_change_writes_one_event_in_its_transaction() {
    for test in common::all_stores().await {
        let store = &test.store;
        let backend = test.backend;
        let first = store.upsert_patient(&patient("M1", "Doe")).await.unwrap();
        // The same values again change nothing and write nothing.
        store.upsert_patient(&patient("M1", "Doe")).await.unwrap();
        store.upsert_patient(&patient("M1", "Roe")).await.unwrap();
        let all = events(store).await;
        assert_eq!(
            kinds(&all),
            ["patient.created", "patient.updated"],
            "{backend}"
        );
        assert_eq!(all[1].2, "family_name", "{backend}");

        let mut visit = Encounter {
            visit_number: "V1".into(),
            patient_id: first.id,
            class: Some("inpatient".into()),
            admitted_at: Some("2026-11-25T10:00:00".into()),
            ..Default::default()
        };
        store.upsert_encounter(&visit).await.unwrap();
        visit.location = Some("WARD-1".into());
        store.upsert_encounter(&visit).await.unwrap();
        visit.discharged_at = Some("2026-11-27T09:00:00".into());
        store.upsert_encounter(&visit).await.unwrap();

        // A merge says which identifiers went.
        let second = store.upsert_patient(&patient("M2", "Roe")).await.unwrap();
        store.merge_patients(second.id, first.id).await.unwrap();

        // A change rolled back leaves no event.
        let mut tx = store.begin_write().await.unwrap();
        switchboard::store::canonical::upsert_patient_in(&mut tx, &patient("M3", "Poe"))
            .await
            .unwrap();
        tx.rollback().await.unwrap();

        // Claim statuses and remittances, whatever writes them.
        submitted_claim(store).await;
        sqlx::query(
            "UPDATE claims SET status = 'accepted', updated_at = 2 WHERE claim_number = 'C1'",
        )
        .execute(store.pool())
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO remittances (payer_identifier, trace_number, payment_cents, balanced, created_at) \
             VALUES ('P1', 'T1', 100, 1, 3)",
        )
        .execute(store.pool())
        .await
        .unwrap();

        let all = events(store).await;
        assert_eq!(
            kinds(&all),
            [
                "patient.created",
                "patient.updated",
                "visit.admitted",
                "visit.updated",
                "visit.discharged",
                "patient.created",
                "patient.merged",
                "claim.status_changed",
                "claim.status_changed",
                "remittance.posted",
            ],
            "{backend}"
        );
        assert_eq!(all[3].2, "location", "{backend}");
        assert_eq!(all[4].2, "discharged_at", "{backend}");
        let details: Vec<Option<String>> =
            sqlx::query_scalar("SELECT detail FROM canonical_events ORDER BY id")
                .fetch_all(store.pool())
                .await
                .unwrap();
        let merged: serde_json::Value =
            serde_json::from_str(details[6].as_deref().unwrap()).unwrap();
        assert_eq!(merged["merged_identifiers"][0]["value"], "M2", "{backend}");
        let previous: serde_json::Value =
            serde_json::from_str(details[8].as_deref().unwrap()).unwrap();
        assert_eq!(previous["previous_status"], "submitted", "{backend}");
    }
}

/// The channel files of an engine that stores ADT from MLLP on `mllp_port` and sends the
/// canonical changes of patients and visits as HL7 v2 ADT files to `out/`.
fn adt_round_trip(mllp_port: u16) -> Vec<(&'static str, String)> {
    vec![
        (
            "mappings/hl7v2-canonical.toml",
            include_str!("../mappings/hl7v2-canonical.toml").to_string(),
        ),
        (
            "channels/adt-in.toml",
            format!(
                "name = \"adt-in\"\n[source]\ntype = \"mllp\"\nlisten = \"127.0.0.1:{mllp_port}\"\n\
                 [transform]\nmapping = \"hl7v2-canonical\"\n\
                 [[destinations]]\ntype = \"store\"\nname = \"canonical\"\n"
            ),
        ),
        (
            "channels/adt-out.toml",
            "name = \"adt-out\"\n[source]\ntype = \"canonical\"\nformat = \"hl7v2\"\npoll_millis = 50\n\
             events = [\"patient.created\", \"patient.updated\", \"patient.merged\", \"visit.admitted\", \"visit.updated\", \"visit.discharged\"]\n\
             [source.hl7v2]\nsending_facility = \"GENHOSP\"\nreceiving_application = \"BILLING\"\n\
             [[destinations]]\ntype = \"file\"\nname = \"out\"\nfolder = \"out\"\nname_template = \"{message_id}.hl7\"\n"
                .to_string(),
        ),
        (
            "channels/fhir-out.toml",
            "name = \"fhir-out\"\n[source]\ntype = \"canonical\"\nformat = \"fhir\"\npoll_millis = 50\n\
             events = [\"patient.created\", \"visit.admitted\"]\n\
             [[destinations]]\ntype = \"file\"\nname = \"out\"\nfolder = \"fhir\"\nname_template = \"{message_id}.json\"\n"
                .to_string(),
        ),
    ]
}

/// The files in `dir`, by message id, with their contents.
fn written(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(i64, String)> = common::file_names(dir)
        .into_iter()
        .filter_map(|name| Some((name.strip_suffix(".hl7")?.parse().ok()?, name)))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|(_, name)| {
            let bytes = std::fs::read(dir.join(&name)).unwrap();
            (name, bytes)
        })
        .collect()
}

/// MSH-9 of a message.
fn message_type(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .split('|')
        .nth(8)
        .unwrap_or_default()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn patient_and_visit_changes_leave_as_valid_adt_messages() {
    adt_round_trip_on(None).await;
    if let Some(postgres) = common::postgres_store().await {
        adt_round_trip_on(Some(&postgres.url)).await;
    }
}

/// ADT in, the canonical changes out as ADT, on the store at `store_url` (the engine's own
/// SQLite file when `None`).
async fn adt_round_trip_on(store_url: Option<&str>) {
    let mllp_port = common::free_port();
    let mut files = adt_round_trip(mllp_port);
    if let Some(url) = store_url {
        files.push((
            "config/switchboard.toml",
            format!(
                "[http]\nlisten = \"127.0.0.1:{}\"\n[log]\nlevel = \"warn\"\n[store]\nurl = \"{url}\"\n",
                common::free_port()
            ),
        ));
    }
    let engine = common::Engine::start(&files).await;
    let backend = if store_url.is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    assert_eq!(engine.store.backend().name(), backend);
    let mut client = MllpClient::new(&format!("127.0.0.1:{mllp_port}"));
    let sent = [
        "MSH|^~\\&|EHR|GENHOSP|SB|SB|20261125100000||ADT^A04|C1|P|2.5.1\rEVN|A04|20261125100000\r\
         PID|1||M100^^^GENHOSP^MR||Doe^Ann^Q||19800203|F|||1 Main St^^Springfield^IL^62701^USA||555-0100\r\
         PV1|1|I|WARD^101^A^GENHOSP||||||||||||||||V100|||||||||||||||||||||||||20261125100000\r",
        "MSH|^~\\&|EHR|GENHOSP|SB|SB|20261125110000||ADT^A08|C2|P|2.5.1\rEVN|A08|20261125110000\r\
         PID|1||M100^^^GENHOSP^MR||Roe^Ann^Q||19800203|F\r\
         PV1|1|I|WARD^101^A^GENHOSP||||||||||||||||V100\r",
        "MSH|^~\\&|EHR|GENHOSP|SB|SB|20261127090000||ADT^A03|C3|P|2.5.1\rEVN|A03|20261127090000\r\
         PID|1||M100^^^GENHOSP^MR\r\
         PV1|1|I|WARD^101^A^GENHOSP||||||||||||||||V100||||||||||||||||||||||||||20261127090000\r",
        "MSH|^~\\&|EHR|GENHOSP|SB|SB|20261128090000||ADT^A04|C4|P|2.5.1\rEVN|A04|20261128090000\r\
         PID|1||M200^^^GENHOSP^MR||Roe^Ann||19800203|F\rPV1|1|O\r",
        "MSH|^~\\&|EHR|GENHOSP|SB|SB|20261128100000||ADT^A40^ADT_A39|C5|P|2.5.1\rEVN|A40|20261128100000\r\
         PID|1||M100^^^GENHOSP^MR||Roe^Ann\rMRG|M200^^^GENHOSP^MR\r",
    ];
    for message in sent {
        let ack = client
            .exchange(message.as_bytes(), Duration::from_secs(10))
            .await
            .unwrap();
        assert!(
            String::from_utf8_lossy(&ack).contains("MSA|AA|"),
            "{}",
            String::from_utf8_lossy(&ack)
        );
        // Each message's changes are handed on before the next one is sent, so each event
        // is written from the record as that message left it.
        engine
            .eventually("the message's changes are handed on", || async {
                let open = "SELECT COUNT(*) FROM deliveries WHERE status <> 'sent'";
                let waiting = format!(
                    "SELECT COUNT(*) FROM canonical_events WHERE {} OR {}",
                    not_passed("adt-out"),
                    not_passed("fhir-out")
                );
                count(&engine.store, open).await == 0 && count(&engine.store, &waiting).await == 0
            })
            .await;
    }
    let out = engine.path("data/out");
    let expected = [
        "ADT^A04^ADT_A01", // patient M100 created
        "ADT^A04^ADT_A01", // visit V100 admitted
        "ADT^A08^ADT_A01", // name changed
        "ADT^A08^ADT_A01", // visit status changed
        "ADT^A03^ADT_A03", // discharged
        "ADT^A04^ADT_A01", // patient M200 created
        "ADT^A40^ADT_A39", // M200 merged into M100
    ];
    engine
        .eventually("every change is written", || async {
            written(&out).len() >= expected.len()
        })
        .await;
    let files = written(&out);
    let text: Vec<String> = files
        .iter()
        .map(|(_, b)| String::from_utf8_lossy(b).replace('\r', "\n"))
        .collect();
    let types: Vec<String> = files.iter().map(|(_, b)| message_type(b)).collect();
    assert_eq!(types, expected, "{text:#?}");
    let a04 = &text[0];
    assert!(a04.contains("|SWITCHBOARD|GENHOSP|BILLING||"), "{a04}");
    assert!(
        a04.contains("\nPID|1||M100^^^GENHOSP^MR||Doe^Ann^Q||19800203|F|||1 Main St^^Springfield^IL^62701^USA||555-0100\n"),
        "{a04}"
    );
    assert!(a04.ends_with("\nPV1|1|N\n"), "{a04}");
    assert!(
        text[1].contains("\nPV1|1|I|WARD-101-A^^^GENHOSP||||||||||||||||V100|"),
        "{}",
        text[1]
    );
    assert!(text[1].ends_with("|20261125100000\n"), "{}", text[1]);
    assert!(text[2].contains("||Roe^Ann^Q||"), "{}", text[2]);
    assert!(
        text[4].ends_with("|20261125100000|20261127090000\n"),
        "{}",
        text[4]
    );
    assert!(
        text[6].contains("\nPID|1||M100^^^GENHOSP^MR~M200^^^GENHOSP^MR||Roe^Ann^Q||"),
        "{}",
        text[6]
    );
    assert!(
        text[6].ends_with("\nMRG|M200^^^GENHOSP^MR\n"),
        "{}",
        text[6]
    );
    // The same changes as FHIR resources: each patient and the visit, as they were then.
    let fhir = engine.path("data/fhir");
    engine
        .eventually("the FHIR resources are written", || async {
            common::file_names(&fhir).len() == 3
        })
        .await;
    let mut resources: Vec<(i64, serde_json::Value)> = common::file_names(&fhir)
        .iter()
        .map(|name| {
            let id = name.trim_end_matches(".json").parse().unwrap();
            let json = serde_json::from_slice(&std::fs::read(fhir.join(name)).unwrap()).unwrap();
            (id, json)
        })
        .collect();
    resources.sort_by_key(|(id, _)| *id);
    let kinds: Vec<&str> = resources
        .iter()
        .map(|(_, r)| r["resourceType"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["Patient", "Encounter", "Patient"]);
    assert_eq!(resources[0].1["name"][0]["family"], "Doe");
    assert_eq!(resources[1].1["identifier"][0]["value"], "V100");
    assert_eq!(resources[2].1["identifier"][0]["value"], "M200");
    if common::hl7apy::present() {
        common::hl7apy::validate(&files).unwrap();
    }
    engine.stop().await;
}

/// Sends the engine `signal` (`-KILL`, `-TERM`) and waits until it is gone.
fn stop_engine(engine: &mut std::process::Child, signal: &str) {
    let sent = std::process::Command::new("kill")
        .args([signal, &engine.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let _ = engine.wait();
}

/// The number of rows `sql` counts.
/// The SQL condition of an event that `source` has not passed yet.
fn not_passed(source: &str) -> String {
    format!(
        "id > COALESCE((SELECT last_event_id FROM canonical_event_marks WHERE source = '{source}'), 0)"
    )
}

async fn count(store: &Store, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(store.pool())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_sigkill_each_committed_change_has_exactly_one_message() {
    let root = tempfile::tempdir().unwrap();
    let (mllp_port, http_port) = (common::free_port(), common::free_port());
    let mut files = adt_round_trip(mllp_port);
    files.push((
        "channels/changes.toml",
        "name = \"changes\"\n[source]\ntype = \"canonical\"\npoll_millis = 20\nbatch_size = 7\n\
         [[destinations]]\ntype = \"file\"\nname = \"out\"\nfolder = \"changes\"\nname_template = \"{message_id}.json\"\n"
            .to_string(),
    ));
    for (path, text) in &files {
        let path = root.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let address = format!("127.0.0.1:{mllp_port}");
    let mut engine = common::spawn_engine(root.path(), http_port);
    common::eventually("the MLLP port listens", Duration::from_secs(30), || async {
        tokio::net::TcpStream::connect(&address).await.is_ok()
    })
    .await;

    // A stream of registrations and updates, each sent after the last one's ACK.
    let acknowledged = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let sender = {
        let (address, acknowledged) = (address.clone(), acknowledged.clone());
        tokio::spawn(async move {
            let mut client = MllpClient::new(&address);
            for n in 0.. {
                let (trigger, family) = if n % 3 == 2 {
                    ("A08", "Roe")
                } else {
                    ("A04", "Doe")
                };
                let message = format!(
                    "MSH|^~\\&|EHR|GENHOSP|SB|SB|20261125||ADT^{trigger}|K{n}|P|2.5.1\r\
                     PID|1||M{}^^^GENHOSP^MR||{family}^Ann\rPV1|1|O||||||||||||||||V{}\r",
                    n / 3,
                    n / 3
                );
                match client
                    .exchange(message.as_bytes(), Duration::from_secs(5))
                    .await
                {
                    Ok(ack) if String::from_utf8_lossy(&ack).contains("MSA|AA|") => {
                        acknowledged.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    }
                    _ => return,
                }
            }
        })
    };
    let store_url = format!(
        "sqlite://{}",
        root.path().join("data/switchboard.db").display()
    );
    let store = Store::connect(&store_url, 1).await.unwrap();
    common::eventually(
        "events are being handed on",
        Duration::from_secs(60),
        || async {
            acknowledged.load(std::sync::atomic::Ordering::SeqCst) >= 60
                && count(
                    &store,
                    "SELECT COUNT(*) FROM messages WHERE channel = 'changes'",
                )
                .await
                    >= 40
        },
    )
    .await;
    stop_engine(&mut engine, "-KILL");
    let _ = sender.await;
    let at_kill = count(&store, "SELECT COUNT(*) FROM canonical_events").await;
    let handed_on = count(
        &store,
        "SELECT COUNT(*) FROM messages WHERE channel = 'changes'",
    )
    .await;
    // The kill may land after the source caught up with every event (a loaded machine drains
    // the store's queue slower than the source reads the outbox): the window below is then the
    // one tested, with the messages stored but not yet upserted, which make events after the
    // restart.
    if handed_on == at_kill {
        eprintln!("the kill came after every event was handed on ({handed_on} of {at_kill})");
    }
    // Whatever the kill interrupted, also the narrowest window: an event whose message was
    // stored but whose source's mark had not moved to it yet (as if the kill had come between
    // the two), with what it became kept, as the source keeps it before storing it.
    let (content_type, raw): (String, Vec<u8>) = sqlx::query_as(
        "SELECT content_type, raw FROM messages WHERE channel = 'changes' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(store.pool())
    .await
    .unwrap();
    let last = serde_json::from_slice::<serde_json::Value>(&raw).unwrap()["event"]["id"]
        .as_i64()
        .unwrap();
    // The kill itself may have come in that window (the mark still short of the event); when
    // it did not, the window is made here.
    if store.event_mark("changes").await.unwrap() >= last {
        sqlx::query(
            "INSERT INTO canonical_event_reads (source, event_id, content_type, payload, done) \
             VALUES ('changes', $1, $2, $3, 0)",
        )
        .bind(last)
        .bind(content_type)
        .bind(raw)
        .execute(store.pool())
        .await
        .unwrap();
        sqlx::query("UPDATE canonical_event_marks SET last_event_id = $1 WHERE source = 'changes'")
            .bind(last - 1)
            .execute(store.pool())
            .await
            .unwrap();
    }

    // After a restart the stored messages not yet upserted are (more changes), and every event
    // is handed on, each as exactly one message and one file.
    let mut engine = common::spawn_engine(root.path(), http_port);
    common::eventually(
        "every change and event is done",
        Duration::from_secs(60),
        || async {
            count(
                &store,
                "SELECT COUNT(*) FROM deliveries WHERE status <> 'sent'",
            )
            .await
                == 0
                && count(
                    &store,
                    &format!(
                        "SELECT COUNT(*) FROM canonical_events WHERE {}",
                        not_passed("changes")
                    ),
                )
                .await
                    == 0
        },
    )
    .await;
    let events = count(&store, "SELECT COUNT(*) FROM canonical_events").await;
    assert!(events >= at_kill);
    // Each committed change has its event: one creation per patient and per visit.
    assert_eq!(
        count(&store, "SELECT COUNT(*) FROM patients").await,
        count(
            &store,
            "SELECT COUNT(*) FROM canonical_events WHERE kind = 'patient.created'"
        )
        .await
    );
    assert_eq!(
        count(&store, "SELECT COUNT(*) FROM encounters").await,
        count(
            &store,
            "SELECT COUNT(*) FROM canonical_events WHERE kind = 'visit.admitted'"
        )
        .await
    );
    let per_event: Vec<(String, i64)> = sqlx::query_as(
        "SELECT control_id, COUNT(*) FROM messages WHERE channel = 'changes' GROUP BY control_id",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    let twice: Vec<&(String, i64)> = per_event.iter().filter(|(_, n)| *n != 1).collect();
    assert!(twice.is_empty(), "events stored more than once: {twice:?}");
    assert_eq!(per_event.len() as i64, events, "one message per event");
    let folder = root.path().join("data/changes");
    common::eventually(
        "every message is delivered",
        Duration::from_secs(60),
        || async { common::file_names(&folder).len() as i64 == events },
    )
    .await;
    let mut delivered: Vec<i64> = common::file_names(&folder)
        .iter()
        .map(|name| {
            let json: serde_json::Value =
                serde_json::from_slice(&std::fs::read(folder.join(name)).unwrap()).unwrap();
            json["event"]["id"].as_i64().unwrap()
        })
        .collect();
    delivered.sort_unstable();
    delivered.dedup();
    assert_eq!(delivered.len() as i64, events, "each event delivered once");
    store.close().await;
    stop_engine(&mut engine, "-TERM");
}

/// FHIR resources and Bundles, each with the HL7 v2 message type it becomes.
fn fhir_inputs() -> Vec<(serde_json::Value, &'static str)> {
    use serde_json::json;
    let patient = json!({
        "resourceType": "Patient", "id": "p1",
        "identifier": [{"system": "GENHOSP", "value": "M300",
                        "type": {"coding": [{"code": "MR"}]}}],
        "name": [{"family": "Doe", "given": ["Ann", "Q"]}],
        "gender": "female", "birthDate": "1980-02-03",
        "telecom": [{"system": "phone", "value": "555-0100"}],
        "address": [{"line": ["1 Main St"], "city": "Springfield", "state": "IL", "postalCode": "62701"}]
    });
    let mut updated = patient.clone();
    updated["meta"] = json!({"versionId": "2"});
    updated["name"][0]["family"] = json!("Roe");
    let encounter = |end: Option<&str>| {
        json!({
            "resourceType": "Encounter", "id": "e1",
            "identifier": [{"value": "V300"}],
            "status": if end.is_some() { "finished" } else { "in-progress" },
            "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "IMP"},
            "subject": {"reference": "Patient/p1"},
            "period": {"start": "2026-11-25T10:00:00", "end": end},
            "location": [{"location": {"display": "WARD-101"}}]
        })
    };
    let bundle = |resources: Vec<serde_json::Value>| {
        json!({"resourceType": "Bundle", "type": "collection",
               "entry": resources.into_iter().map(|r| json!({"resource": r})).collect::<Vec<_>>()})
    };
    let glucose = json!({
        "resourceType": "Observation", "id": "o1", "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "2345-7", "display": "Glucose"}]},
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": "2026-11-25T08:30:00Z",
        "valueQuantity": {"value": 5.4, "unit": "mmol/L"},
        "referenceRange": [{"low": {"value": 3.9}, "high": {"value": 5.6}}],
        "interpretation": [{"coding": [{"code": "N"}]}]
    });
    let comment = json!({
        "resourceType": "Observation", "id": "o2", "status": "preliminary",
        "code": {"text": "Comment"}, "valueString": "fasting | 8 h",
        "subject": {"identifier": {"system": "GENHOSP", "value": "M300"}}
    });
    let mut encounter_without_end = encounter(None);
    encounter_without_end["period"]
        .as_object_mut()
        .unwrap()
        .remove("end");
    vec![
        (patient.clone(), "ADT^A04^ADT_A01"),
        (updated, "ADT^A08^ADT_A01"),
        (
            bundle(vec![patient.clone(), encounter_without_end]),
            "ADT^A04^ADT_A01",
        ),
        (
            bundle(vec![
                patient.clone(),
                encounter(Some("2026-11-27T09:00:00")),
            ]),
            "ADT^A03^ADT_A03",
        ),
        (
            bundle(vec![
                json!({"resourceType": "DiagnosticReport", "id": "r1", "status": "final",
                       "code": {"coding": [{"system": "http://loinc.org", "code": "24323-8", "display": "Metabolic panel"}]},
                       "subject": {"reference": "Patient/p1"},
                       "effectiveDateTime": "2026-11-25T08:30:00Z",
                       "result": [{"reference": "Observation/o1"}, {"reference": "#c1"}],
                       "contained": [{"resourceType": "Observation", "id": "c1", "status": "final",
                                      "code": {"text": "Specimen"},
                                      "valueCodeableConcept": {"text": "Serum"}}]}),
                patient,
                glucose,
            ]),
            "ORU^R01^ORU_R01",
        ),
        (comment, "ORU^R01^ORU_R01"),
    ]
}

#[test]
fn fhir_resources_become_valid_hl7v2() {
    let header = switchboard::outbound::Parties::default().header("C1".into(), 0);
    let mut written = Vec::new();
    for (index, (input, expected)) in fhir_inputs().into_iter().enumerate() {
        let bytes = switchboard::outbound::from_fhir::to_hl7v2(&input, &header)
            .unwrap_or_else(|err| panic!("input {index}: {err}"));
        assert_eq!(message_type(&bytes), expected, "input {index}");
        written.push((format!("{index}.hl7"), bytes));
    }
    let text = |i: usize| String::from_utf8_lossy(&written[i].1).replace('\r', "\n");
    assert!(text(1).contains("PID|1||M300^^^GENHOSP^MR||Roe^Ann^Q||19800203|F|||1 Main St^^Springfield^IL^62701||555-0100"), "{}", text(1));
    assert!(
        text(3).contains("PV1|1|I|WARD-101||||||||||||||||V300|"),
        "{}",
        text(3)
    );
    assert!(
        text(3).ends_with("|20261125100000|20261127090000\n"),
        "{}",
        text(3)
    );
    let oru = text(4);
    assert!(
        oru.contains("\nOBR|1||r1|24323-8^Metabolic panel^LN|||20261125083000|"),
        "{oru}"
    );
    assert!(
        oru.contains("\nOBX|1|NM|2345-7^Glucose^LN||5.4|mmol/L|3.9-5.6|N|||F|||20261125083000\n"),
        "{oru}"
    );
    assert!(
        oru.contains("\nOBX|2|CE|Specimen^Specimen||Serum||||||F\n"),
        "{oru}"
    );
    assert!(
        text(5).contains("\nOBX|1|ST|Comment^Comment||fasting \\F\\ 8 h||||||P\n"),
        "{}",
        text(5)
    );
    if common::hl7apy::present() {
        common::hl7apy::validate(&written).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_channel_converts_fhir_it_receives_to_hl7v2() {
    let port = common::free_port();
    let engine = common::Engine::start(&[(
        "channels/fhir-to-v2.toml",
        format!(
            "name = \"fhir-to-v2\"\n[source]\ntype = \"http\"\nlisten = \"127.0.0.1:{port}\"\n\
             [transform]\nconvert = \"fhir-to-hl7v2\"\n\
             [[destinations]]\ntype = \"file\"\nname = \"out\"\nfolder = \"v2\"\nname_template = \"{{message_id}}.hl7\"\n"
        ),
    )])
    .await;
    let client = common::client();
    let post = |body: Vec<u8>, content_type: &'static str| {
        client
            .post(format!("http://127.0.0.1:{port}/"))
            .bearer_auth(&engine.admin)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    engine
        .eventually("the channel listens", || async {
            tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
        })
        .await;
    let inputs = fhir_inputs();
    for (input, _) in &inputs {
        let answer = post(serde_json::to_vec(input).unwrap(), "application/fhir+json")
            .await
            .unwrap();
        assert_eq!(answer.status(), 202, "{}", answer.text().await.unwrap());
    }
    // What cannot become HL7 v2 is refused, saying why.
    let answer = post(
        br#"{"resourceType": "Coverage", "status": "active"}"#.to_vec(),
        "application/fhir+json",
    )
    .await
    .unwrap();
    assert_eq!(answer.status(), 422);
    let reason = answer.text().await.unwrap();
    assert!(reason.contains("found Coverage"), "{reason}");

    let out = engine.path("data/v2");
    engine
        .eventually("every resource is written", || async {
            written(&out).len() == inputs.len()
        })
        .await;
    let files = written(&out);
    let types: Vec<String> = files.iter().map(|(_, b)| message_type(b)).collect();
    let expected: Vec<&str> = inputs.iter().map(|(_, t)| *t).collect();
    assert_eq!(types, expected);
    if common::hl7apy::present() {
        common::hl7apy::validate(&files).unwrap();
    }
    engine.stop().await;
}

/// A listener on `port` when it is free, otherwise on a free port (a test then runs the
/// example on that one instead, nothing else changed).
async fn listener_on(port: u16) -> tokio::net::TcpListener {
    match tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
        Ok(listener) => listener,
        Err(_) => {
            eprintln!("{port} is taken: the example runs on a free port instead");
            tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap()
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fhir_to_adt_example_sends_a04_on_create_and_a08_on_update_as_copied() {
    let listener = listener_on(2578).await;
    let port = listener.local_addr().unwrap().port();
    let mut peer = common::acknowledging_peer(listener).await;
    let channel = include_str!("../channels/examples/fhir-to-adt.toml")
        .replace("127.0.0.1:2578", &format!("127.0.0.1:{port}"));
    let engine = common::Engine::start(&[("channels/fhir-to-adt.toml", channel)]).await;

    let mut patient = fhir_inputs().remove(0).0;
    let created = engine
        .api(reqwest::Method::POST, "/fhir/Patient")
        .header("content-type", "application/fhir+json")
        .body(patient.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let id = created.json::<serde_json::Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let receive = async |peer: &mut tokio::sync::mpsc::UnboundedReceiver<Vec<u8>>| {
        tokio::time::timeout(Duration::from_secs(30), peer.recv())
            .await
            .expect("the ADT system receives a message within 30 s")
            .expect("the ADT system listens")
    };
    let a04 = receive(&mut peer).await;
    patient["id"] = serde_json::json!(id);
    patient["name"][0]["family"] = serde_json::json!("Roe");
    let updated = engine
        .api(reqwest::Method::PUT, &format!("/fhir/Patient/{id}"))
        .header("content-type", "application/fhir+json")
        .body(patient.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status(), 200);
    let a08 = receive(&mut peer).await;

    assert_eq!(message_type(&a04), "ADT^A04^ADT_A01");
    assert_eq!(message_type(&a08), "ADT^A08^ADT_A01");
    let a04_text = String::from_utf8_lossy(&a04).replace('\r', "\n");
    let a08_text = String::from_utf8_lossy(&a08).replace('\r', "\n");
    assert!(
        a04_text.starts_with("MSH|^~\\&|SWITCHBOARD|GENHOSP|ADT|LEGACY|"),
        "{a04_text}"
    );
    assert!(
        a04_text.contains("\nPID|1||M300^^^GENHOSP^MR||Doe^Ann^Q||19800203|F|"),
        "{a04_text}"
    );
    assert!(
        a08_text.contains("\nPID|1||M300^^^GENHOSP^MR||Roe^Ann^Q||19800203|F|"),
        "{a08_text}"
    );
    if common::hl7apy::present() {
        common::hl7apy::validate(&[("a04.hl7".into(), a04), ("a08.hl7".into(), a08)]).unwrap();
    }
    // Nothing else is sent: one message per change.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(peer.try_recv().is_err());
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_claim_status_webhook_example_posts_each_status_change_as_copied() {
    let listener = listener_on(8090).await;
    let port = listener.local_addr().unwrap().port();
    let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::<serde_json::Value>::new()));
    let app = {
        let received = received.clone();
        axum::Router::new().route(
            "/claim-status",
            axum::routing::post(move |body: bytes::Bytes| {
                let received = received.clone();
                async move {
                    received
                        .lock()
                        .unwrap()
                        .push(serde_json::from_slice(&body).unwrap());
                    axum::http::StatusCode::NO_CONTENT
                }
            }),
        )
    };
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let channel = include_str!("../channels/examples/claim-status-webhook.toml")
        .replace("127.0.0.1:8090", &format!("127.0.0.1:{port}"));
    let engine = common::Engine::start(&[("channels/claim-status-webhook.toml", channel)]).await;

    // A claim made for a visit, then acknowledged and accepted as the 999 and 277CA say.
    let store = &engine.store;
    let patient = store.upsert_patient(&patient("M1", "Doe")).await.unwrap();
    store
        .upsert_encounter(&Encounter {
            visit_number: "V1".into(),
            patient_id: patient.id,
            ..Default::default()
        })
        .await
        .unwrap();
    let claim = submitted_claim(store).await;
    for status in ["acknowledged", "accepted"] {
        let change = switchboard::store::claims::StatusChange {
            to: status,
            only_from: None,
        };
        store
            .set_claim_status(claim, &change, "test", None)
            .await
            .unwrap();
    }
    engine
        .eventually("the webhook receives the three statuses", || async {
            received.lock().unwrap().len() >= 3
        })
        .await;
    let received = received.lock().unwrap().clone();
    let statuses: Vec<(&str, Option<&str>)> = received
        .iter()
        .map(|json| {
            assert_eq!(json["event"]["kind"], "claim.status_changed");
            assert_eq!(json["record"]["claim_number"], "C1");
            (
                json["record"]["status"].as_str().unwrap(),
                json["event"]["detail"]["previous_status"].as_str(),
            )
        })
        .collect();
    // The record is read as it is when each event is handed on: the first two may already
    // show a later status; the previous statuses tell each change apart.
    let previous: Vec<Option<&str>> = statuses.iter().map(|(_, p)| *p).collect();
    assert_eq!(previous, [None, Some("submitted"), Some("acknowledged")]);
    assert_eq!(statuses[2].0, "accepted");
    engine.stop().await;
}

/// What `source` reads next once the outbox holds at least `expected` events for it: on
/// PostgreSQL an event is read only after every transaction older than it has ended, in any
/// database of the server, so a read may come up short for a moment.
async fn pending(
    store: &Store,
    source: &str,
    horizon: &mut Horizon,
    expected: usize,
) -> Vec<PendingEvent> {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let pending = store.pending_events(source, 10, horizon).await.unwrap();
        if pending.len() >= expected || std::time::Instant::now() > deadline {
            return pending;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn ids(pending: &[PendingEvent]) -> Vec<i64> {
    pending.iter().map(|p| p.event.id).collect()
}

#[tokio::test]
async fn a_source_keeps_what_an_event_became_until_it_is_done() {
    for test in common::all_stores().await {
        let (store, backend) = (&test.store, test.backend);
        store.upsert_patient(&patient("M1", "Doe")).await.unwrap();
        store.upsert_patient(&patient("M2", "Roe")).await.unwrap();
        let mut horizon = Horizon::default();
        let pending = pending(store, "out", &mut horizon, 2).await;
        assert_eq!(pending.len(), 2, "{backend}");
        let first = pending[0].event.id;
        assert!(pending[0].kept.is_none(), "{backend}");
        // The first payload kept wins: a second attempt hands on the same bytes.
        let kept = store
            .keep_event_payload("out", first, "application/json", b"{\"a\":1}")
            .await
            .unwrap();
        let again = store
            .keep_event_payload("out", first, "application/json", b"{\"a\":2}")
            .await
            .unwrap();
        assert_eq!(kept, again, "{backend}");
        assert_eq!(again.1, b"{\"a\":1}", "{backend}");
        let pending = store.pending_events("out", 10, &mut horizon).await.unwrap();
        assert_eq!(
            pending[0].kept,
            Some(("application/json".to_string(), b"{\"a\":1}".to_vec())),
            "{backend}"
        );
        // Done for one source, still pending for another.
        store.finish_event("out", first).await.unwrap();
        let left = store.pending_events("out", 10, &mut horizon).await.unwrap();
        assert_eq!(ids(&left), [pending[1].event.id], "{backend}");
        assert_eq!(
            store
                .pending_events("other", 10, &mut horizon)
                .await
                .unwrap()
                .len(),
            2,
            "{backend}"
        );
    }
}

/// Three new patients' events, as a reader sees them, and the reader's horizon.
async fn three_events(store: &Store) -> (Horizon, Vec<i64>) {
    for (mrn, family) in [("M1", "Doe"), ("M2", "Roe"), ("M3", "Poe")] {
        store.upsert_patient(&patient(mrn, family)).await.unwrap();
    }
    let mut horizon = Horizon::default();
    let events = ids(&pending(store, "a", &mut horizon, 3).await);
    assert_eq!(events.len(), 3);
    (horizon, events)
}

#[tokio::test]
async fn a_source_resumes_after_its_mark_and_each_source_from_its_own() {
    for test in common::all_stores().await {
        let (store, backend) = (&test.store, test.backend);
        let (_, events) = three_events(store).await;
        store.register_event_source("a").await.unwrap();
        assert_eq!(store.event_mark("a").await.unwrap(), 0, "{backend}");
        // Source "a" hands on the first two events; what it kept of them is dropped.
        for &id in &events[..2] {
            store
                .keep_event_payload("a", id, "application/json", b"{}")
                .await
                .unwrap();
            store.finish_event("a", id).await.unwrap();
        }
        assert_eq!(store.event_mark("a").await.unwrap(), events[1], "{backend}");
        assert_eq!(
            count(
                store,
                "SELECT COUNT(*) FROM canonical_event_reads WHERE source = 'a'"
            )
            .await,
            0,
            "{backend}"
        );
        // A mark never moves back.
        store.finish_event("a", events[0]).await.unwrap();
        assert_eq!(store.event_mark("a").await.unwrap(), events[1], "{backend}");

        // After a restart (a new connection, a new reader) "a" reads on after its mark, while
        // a second source starts from its own point: the oldest event.
        let restarted = Store::connect(&test.url, 2).await.unwrap();
        let mut horizon = Horizon::default();
        assert_eq!(
            ids(&pending(&restarted, "a", &mut horizon, 1).await),
            [events[2]],
            "{backend}"
        );
        assert_eq!(
            ids(&pending(&restarted, "b", &mut horizon, 3).await),
            events,
            "{backend}"
        );
        restarted
            .upsert_patient(&patient("M4", "Moe"))
            .await
            .unwrap();
        let after = ids(&pending(&restarted, "a", &mut horizon, 2).await);
        assert_eq!(after.len(), 2, "{backend}");
        assert_eq!(after[0], events[2], "{backend}");
        assert!(after[1] > events[2], "{backend}");
        restarted.close().await;
    }
}

#[tokio::test]
async fn pruning_deletes_old_events_every_source_has_passed() {
    for test in common::all_stores().await {
        let (store, backend) = (&test.store, test.backend);
        let (mut horizon, events) = three_events(store).await;
        let old = events;
        // Those three were written two days ago; a fourth is written now.
        sqlx::query("UPDATE canonical_events SET at = $1")
            .bind(switchboard::store::now_millis() - 2 * 86_400_000)
            .execute(store.pool())
            .await
            .unwrap();
        store.upsert_patient(&patient("M4", "Moe")).await.unwrap();
        let new = *ids(&pending(store, "a", &mut horizon, 4).await)
            .last()
            .unwrap();
        let day_ago = switchboard::store::now_millis() - 86_400_000;
        let left = || async {
            let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM canonical_events ORDER BY id")
                .fetch_all(store.pool())
                .await
                .unwrap();
            ids
        };
        // "a" has passed everything, "b" only the first event, "c" nothing yet.
        store.register_event_source("c").await.unwrap();
        for id in [old[0], old[1], old[2], new] {
            store.finish_event("a", id).await.unwrap();
        }
        store
            .keep_event_payload("b", old[1], "application/json", b"{}")
            .await
            .unwrap();
        store.finish_event("b", old[0]).await.unwrap();
        assert_eq!(store.prune_events(day_ago).await.unwrap(), 0, "{backend}");

        // Once "c" passes them too, the old events "b" has passed go; what "b" kept of the
        // next one stays with its event.
        for id in [old[0], old[1], old[2], new] {
            store.finish_event("c", id).await.unwrap();
        }
        assert_eq!(store.prune_events(day_ago).await.unwrap(), 1, "{backend}");
        assert_eq!(left().await, [old[1], old[2], new], "{backend}");
        assert_eq!(
            ids(&pending(store, "b", &mut horizon, 3).await),
            [old[1], old[2], new],
            "{backend}"
        );

        // A source whose mark has not moved within the retention period (a channel since
        // removed) holds nothing back; an event younger than the retention stays.
        sqlx::query("UPDATE canonical_event_marks SET updated_at = 0 WHERE source = 'b'")
            .execute(store.pool())
            .await
            .unwrap();
        assert_eq!(store.prune_events(day_ago).await.unwrap(), 2, "{backend}");
        assert_eq!(left().await, [new], "{backend}");
        assert_eq!(
            count(store, "SELECT COUNT(*) FROM canonical_event_reads").await,
            0,
            "{backend}"
        );

        // The retention job prunes them.
        sqlx::query("UPDATE canonical_events SET at = 1")
            .execute(store.pool())
            .await
            .unwrap();
        let job = switchboard::config::engine::JobConfig {
            name: "retention-prune".into(),
            cron: "0 17 * * * *".into(),
            task: switchboard::config::engine::JobTask::Prune,
        };
        let retention = switchboard::config::engine::RetentionConfig::default();
        switchboard::schedule::run_job(store, &job, &retention, "n1").await;
        assert!(left().await.is_empty(), "{backend}");
        let outcome: String =
            sqlx::query_scalar("SELECT detail FROM job_runs ORDER BY id DESC LIMIT 1")
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert!(
            outcome.contains("1 outbox event(s)"),
            "{backend}: {outcome}"
        );
    }
}

#[test]
fn a_canonical_source_naming_events_its_format_cannot_write_is_refused() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join("channels")).unwrap();
    std::fs::create_dir_all(root.path().join("config")).unwrap();
    std::fs::write(root.path().join("config/switchboard.toml"), "").unwrap();
    let channel = "name = \"out\"\n[source]\ntype = \"canonical\"\nformat = \"hl7v2\"\n\
         events = [\"patient.created\", \"claim.status_changed\", \"patient.deleted\"]\n\
         [[destinations]]\ntype = \"file\"\nname = \"out\"\nfolder = \"out\"\n";
    std::fs::write(root.path().join("channels/out.toml"), channel).unwrap();
    let errors = switchboard::channel::deployment::Deployment::load_with_env(root.path(), |_| None)
        .expect_err("the channel is refused")
        .to_string();
    assert!(
        errors.contains("source.events[1]: event 'claim.status_changed' cannot be written as hl7v2")
            && errors.contains("source.events[2]: unknown event 'patient.deleted': expected one of patient.created, "),
        "{errors}"
    );
}
