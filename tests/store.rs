//! Repository tests, run against SQLite and PostgreSQL alike.

mod common;

use common::event_details;
use switchboard::canonical::{
    Bill, BillLine, Contract, Coverage, Encounter, Fee, FieldValue, Identifier, Patient, Payer,
    Provider,
};
use switchboard::message::{Message, Rejection, ResendKey};
use switchboard::store::ingest::{Ingest, Ingested as Stored, Outcome};
use switchboard::store::messages::{MessageQuery, MessageStatus, NewMessage};
use switchboard::store::sqlite_writer::SqliteWriter;
use switchboard::store::tokens::Role;
use switchboard::store::{Change, Store};

fn patient(mrn: &str, family: &str) -> Patient {
    Patient {
        identifiers: vec![Identifier {
            system: "HOSP".into(),
            value: mrn.into(),
            type_code: Some("MR".into()),
        }],
        family_name: Some(family.into()),
        given_name: Some("Ada".into()),
        birth_date: Some("1980-02-03".into()),
        gender: Some("female".into()),
        ..Patient::default()
    }
}

/// [`patient`] as a message's update: the same values, nothing cleared.
fn update(mrn: &str, family: &str) -> Patient<FieldValue> {
    let whole = patient(mrn, family);
    Patient {
        identifiers: whole.identifiers,
        family_name: family.into(),
        given_name: "Ada".into(),
        birth_date: "1980-02-03".into(),
        gender: "female".into(),
        ..Patient::default()
    }
}

async fn seed_bill(store: &Store) -> (i64, i64, i64) {
    let patient_id = store
        .upsert_patient(&patient("MRN1", "Lovelace"))
        .await
        .unwrap()
        .id;
    let provider = Provider {
        npi: "1234567893".into(),
        name: "Dr Who".into(),
        kind: "individual".into(),
        tax_id: None,
        taxonomy: Some("207Q00000X".into()),
    };
    let provider_id = store.upsert_provider(&provider).await.unwrap().id;
    let encounter = Encounter {
        visit_number: "V100".into(),
        patient_id,
        class: Some("outpatient".into()),
        attending_provider_id: Some(provider_id),
        ..Encounter::default()
    };
    let encounter_id = store.upsert_encounter(&encounter).await.unwrap().id;
    let bill = Bill {
        encounter_id,
        patient_id,
        status: "open".into(),
    };
    let bill_id = store.upsert_bill(&bill).await.unwrap().id;
    (patient_id, encounter_id, bill_id)
}

#[tokio::test]
async fn upserts_are_idempotent_on_every_backend() {
    for test in common::all_stores().await {
        let store = &test.store;
        let backend = test.backend;
        let first = store
            .upsert_patient(&patient("MRN1", "Lovelace"))
            .await
            .unwrap();
        assert_eq!(first.change, Change::Created, "{backend}");
        let again = store
            .upsert_patient(&patient("MRN1", "Lovelace"))
            .await
            .unwrap();
        assert_eq!(again.change, Change::Unchanged, "{backend}");
        assert_eq!(again.id, first.id, "{backend}");
        let renamed = store
            .upsert_patient(&patient("MRN1", "Byron"))
            .await
            .unwrap();
        assert_eq!(renamed.change, Change::Updated, "{backend}");
        let read = store.patient(first.id).await.unwrap().unwrap();
        assert_eq!(read.revision, 2, "{backend}");
        assert_eq!(
            read.patient.family_name.as_deref(),
            Some("Byron"),
            "{backend}"
        );

        // A second identifier attaches to the same patient.
        let mut with_ssn = patient("MRN1", "Byron");
        with_ssn.identifiers.push(Identifier {
            system: "SSA".into(),
            value: "123-45-6789".into(),
            type_code: Some("SS".into()),
        });
        let added = store.upsert_patient(&with_ssn).await.unwrap();
        assert_eq!(
            (added.id, added.change),
            (first.id, Change::Updated),
            "{backend}"
        );
        let by_ssn = Patient {
            identifiers: vec![with_ssn.identifiers[1].clone()],
            ..with_ssn.clone()
        };
        let found = store.upsert_patient(&by_ssn).await.unwrap();
        assert_eq!(
            (found.id, found.change),
            (first.id, Change::Unchanged),
            "{backend}"
        );

        let (patient_id, encounter_id, bill_id) = seed_bill(store).await;
        assert_eq!(patient_id, first.id, "{backend}");
        let (_, encounter_again, bill_again) = seed_bill(store).await;
        assert_eq!(
            (encounter_again, bill_again),
            (encounter_id, bill_id),
            "{backend}"
        );

        let line = BillLine {
            bill_id,
            line_key: "FT1-1".into(),
            service_date: "2026-11-01".into(),
            procedure_code: "99213".into(),
            modifiers: vec!["25".into()],
            revenue_code: None,
            diagnosis_codes: vec!["J06.9".into()],
            units_thousandths: 1000,
            charge_cents: 15_000,
            description: Some("Office visit".into()),
        };
        assert_eq!(
            store.upsert_bill_line(&line).await.unwrap().change,
            Change::Created
        );
        assert_eq!(
            store.upsert_bill_line(&line).await.unwrap().change,
            Change::Unchanged
        );
        let repriced = BillLine {
            charge_cents: 16_000,
            ..line.clone()
        };
        assert_eq!(
            store.upsert_bill_line(&repriced).await.unwrap().change,
            Change::Updated
        );
        let negative = BillLine {
            charge_cents: -1,
            ..line
        };
        assert!(
            store.upsert_bill_line(&negative).await.is_err(),
            "{backend}"
        );

        let payer = Payer {
            payer_id: "HMO1".into(),
            name: "Acme Health".into(),
            claim_type: "837P".into(),
            receiver_id: Some("ACME".into()),
            receiver_qualifier: Some("ZZ".into()),
        };
        let payer_id = store.upsert_payer(&payer).await.unwrap().id;
        assert_eq!(
            store.upsert_payer(&payer).await.unwrap().change,
            Change::Unchanged
        );
        let contract = Contract {
            payer_id,
            name: "2026".into(),
            effective_from: Some("2026-01-01".into()),
            effective_to: None,
            deductible_cents: 50_000,
            copay_cents: 2_500,
            coinsurance_basis_points: 2_000,
            timely_filing_days: Some(90),
            fees: vec![Fee {
                procedure_code: "99213".into(),
                modifiers: vec![],
                allowed_cents: 9_000,
            }],
        };
        assert_eq!(
            store.upsert_contract(&contract).await.unwrap().change,
            Change::Created
        );
        assert_eq!(
            store.upsert_contract(&contract).await.unwrap().change,
            Change::Unchanged
        );
        let mut cheaper = contract.clone();
        cheaper.fees[0].allowed_cents = 8_500;
        assert_eq!(
            store.upsert_contract(&cheaper).await.unwrap().change,
            Change::Updated
        );

        let coverage = Coverage {
            patient_id,
            payer_id,
            member_id: "M123".into(),
            plan_name: Some("Gold".into()),
            group_number: None,
            subscriber_name: None,
            relationship: Some("self".into()),
            priority: 1,
            effective_from: None,
            effective_to: None,
        };
        assert_eq!(
            store.upsert_coverage(&coverage).await.unwrap().change,
            Change::Created
        );
        assert_eq!(
            store.upsert_coverage(&coverage).await.unwrap().change,
            Change::Unchanged
        );
    }
}

#[tokio::test]
async fn message_store_deduplicates_and_searches() {
    for test in common::all_stores().await {
        let store = &test.store;
        let backend = test.backend;
        let adt =
            b"MSH|^~\\&|EHR|HOSP|SB|SB|20261125||ADT^A01|CTRL1|P|2.5\rPID|1||MRN1||Lovelace^Ada\r";
        let first = store
            .insert_message(&NewMessage {
                channel: "hl7",
                content_type: "x-application/hl7-v2+er7",
                control_id: Some("CTRL1"),
                resend_key: resend_key(adt),
                raw: adt,
            })
            .await
            .unwrap();
        let Stored::New(id) = first else {
            panic!("{backend}: first insert must be new")
        };
        let resent = store
            .insert_message(&NewMessage {
                channel: "hl7",
                content_type: "x-application/hl7-v2+er7",
                control_id: Some("CTRL1"),
                resend_key: resend_key(adt),
                raw: adt,
            })
            .await
            .unwrap();
        assert_eq!(resent, Stored::Duplicate(id), "{backend}");
        // The same control id on another channel is a different message.
        let other = store
            .insert_message(&NewMessage {
                channel: "x12",
                content_type: "application/edi-x12",
                control_id: Some("CTRL1"),
                resend_key: Some(ResendKey::new("CTRL1".into(), b"ISA*00*...~")),
                raw: b"ISA*00*...~",
            })
            .await
            .unwrap();
        assert!(matches!(other, Stored::New(_)), "{backend}");
        // Messages without control ids never collide.
        for _ in 0..2 {
            let stored = store
                .insert_message(&NewMessage {
                    channel: "x12",
                    content_type: "application/edi-x12",
                    control_id: None,
                    resend_key: None,
                    raw: b"garbage",
                })
                .await
                .unwrap();
            assert!(matches!(stored, Stored::New(_)), "{backend}");
        }
        store
            .set_message_status(id, MessageStatus::Error, Some("PID-3 missing"))
            .await
            .unwrap();

        let search =
            |query: MessageQuery| async move { store.search_messages(&query).await.unwrap() };
        let by_text = search(MessageQuery {
            text: Some("Lovelace".into()),
            limit: 10,
            ..MessageQuery::default()
        })
        .await;
        assert_eq!(
            by_text.iter().map(|m| m.id).collect::<Vec<_>>(),
            vec![id],
            "{backend}"
        );
        let errors = search(MessageQuery {
            channel: Some("hl7".into()),
            status: Some(MessageStatus::Error),
            limit: 10,
            ..MessageQuery::default()
        })
        .await;
        assert_eq!(errors.len(), 1, "{backend}");
        assert_eq!(
            errors[0].error.as_deref(),
            Some("PID-3 missing"),
            "{backend}"
        );
        let by_control = search(MessageQuery {
            control_id: Some("CTRL1".into()),
            limit: 10,
            ..MessageQuery::default()
        })
        .await;
        assert_eq!(by_control.len(), 2, "{backend}");
        let x12 = search(MessageQuery {
            channel: Some("x12".into()),
            limit: 2,
            ..MessageQuery::default()
        })
        .await;
        assert_eq!(x12.len(), 2, "{backend}: limit applies");
        let older = search(MessageQuery {
            channel: Some("x12".into()),
            before_id: Some(x12[1].id),
            limit: 10,
            ..MessageQuery::default()
        })
        .await;
        assert_eq!(older.len(), 1, "{backend}: paging with before");
        let future = search(MessageQuery {
            since: Some(switchboard::store::now_millis() + 60_000),
            limit: 10,
            ..MessageQuery::default()
        })
        .await;
        assert!(future.is_empty(), "{backend}");

        let events: Vec<String> = store
            .message_events(id)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect();
        assert_eq!(events, ["received", "duplicate", "error"], "{backend}");
        assert_eq!(
            store.message_raw(id).await.unwrap().unwrap(),
            adt,
            "{backend}"
        );
    }
}

/// The resend key [`Message::read`] finds in `raw`.
fn resend_key(raw: &[u8]) -> Option<ResendKey> {
    Message::read(raw).ok().and_then(|m| m.resend_key())
}

fn hl7(sender: &str, control: &str, mrn: &str) -> Vec<u8> {
    format!(
        "MSH|^~\\&|{sender}|HOSP|SB|SB|20261125||ADT^A01|{control}|P|2.5\rPID|1||{mrn}^^^HOSP^MR\r"
    )
    .into_bytes()
}

/// What stores a batch: the store's pool, or the engine's native SQLite writer.
enum Writer<'s> {
    Pool(&'s Store),
    Native(SqliteWriter),
}

impl Writer<'_> {
    async fn ingest(&mut self, batch: &[Ingest]) -> Vec<Stored> {
        match self {
            Writer::Pool(store) => store.ingest(batch).await.unwrap(),
            // The native writer runs on a thread of its own in the engine.
            Writer::Native(writer) => tokio::task::block_in_place(|| writer.ingest(batch)).unwrap(),
        }
    }
}

/// Messages of `channel`, each with the outcome it is stored with.
struct Items<'c> {
    channel: &'c str,
}

impl Items<'_> {
    fn item(&self, raw: &[u8], outcome: Outcome) -> Ingest {
        Ingest {
            channel: self.channel.into(),
            content_type: "x-application/hl7-v2+er7".into(),
            control_id: Message::read(raw)
                .ok()
                .and_then(|m| m.facts.control_id.clone()),
            message_type: Message::read(raw).ok().and_then(|m| m.facts.kind()),
            sender: Message::read(raw).ok().and_then(|m| m.facts.sender()),
            resend_key: resend_key(raw),
            raw: raw.to_vec(),
            outcome,
        }
    }

    fn kept(&self, raw: &[u8]) -> Ingest {
        self.item(raw, Outcome::Filtered("kept".into()))
    }

    fn failed(&self, raw: &[u8]) -> Ingest {
        self.item(raw, Outcome::Rejected(Rejection::unreadable("it failed")))
    }
}

/// A resend is the same channel, sender, control id and content (trailing line endings aside):
/// only that is answered as a duplicate, within one batch, across the chunks of a batch and
/// across batches. The same control id with other content, or from another sender, is a new
/// message; a resend of a message that failed is stored and processed again. On SQLite both
/// the pool and the engine's native writer are checked.
#[tokio::test(flavor = "multi_thread")]
async fn only_the_same_sender_control_id_and_content_is_a_resend() {
    for test in common::all_stores().await {
        let store = &test.store;
        let pool = format!("{} pool", test.backend);
        resends(store, &mut Writer::Pool(store), &pool).await;
        if store.sqlite_file().is_some() {
            let native = SqliteWriter::for_store(store).unwrap();
            resends(store, &mut Writer::Native(native), "sqlite native").await;
        }
    }
}

async fn resends(store: &Store, writer: &mut Writer<'_>, channel: &str) {
    let items = Items { channel };
    let a = hl7("EHR", "C1", "MRN1");
    let b = hl7("EHR", "C1", "MRN2");
    let from_lab = hl7("LAB", "C1", "MRN1");
    let mut b_crlf = b.clone();
    b_crlf.extend_from_slice(b"\n");
    let stored = writer
        .ingest(&[
            items.kept(&a),
            items.kept(&a),
            items.kept(&b),
            items.kept(&from_lab),
            items.kept(&b_crlf),
        ])
        .await;
    let (Stored::New(a_id), Stored::New(b_id), Stored::New(lab_id)) =
        (stored[0], stored[2], stored[3])
    else {
        panic!("{channel}: {stored:?}");
    };
    assert_eq!(stored[1], Stored::Duplicate(a_id), "{channel}");
    assert_eq!(stored[4], Stored::Duplicate(b_id), "{channel}");
    let reused = event_details(store, b_id, "control id reused").await;
    assert_eq!(reused.len(), 1, "{channel}: {reused:?}");
    assert!(
        reused[0].contains(&format!("message {a_id}")),
        "{channel}: {reused:?}"
    );
    assert!(
        event_details(store, a_id, "control id reused")
            .await
            .is_empty()
    );
    assert!(
        event_details(store, lab_id, "control id reused")
            .await
            .is_empty()
    );
    assert_eq!(
        event_details(store, a_id, "duplicate").await.len(),
        1,
        "{channel}"
    );

    // Across batches.
    assert_eq!(
        writer.ingest(&[items.kept(&a)]).await,
        [Stored::Duplicate(a_id)]
    );
    assert_eq!(
        writer.ingest(&[items.kept(&b)]).await,
        [Stored::Duplicate(b_id)]
    );

    // A message that failed: each resend is stored again, two in one batch included, until one
    // is kept; a resend of that one is a duplicate, even if it would fail now.
    let e = hl7("EHR", "E1", "MRN3");
    let [Stored::New(e1)] = writer.ingest(&[items.failed(&e)]).await[..] else {
        panic!("{channel}");
    };
    let again = writer.ingest(&[items.failed(&e), items.failed(&e)]).await;
    let [Stored::New(e2), Stored::New(e3)] = again[..] else {
        panic!("{channel}: {again:?}");
    };
    let [Stored::New(e4)] = writer.ingest(&[items.kept(&e)]).await[..] else {
        panic!("{channel}");
    };
    for (id, earlier) in [(e2, e1), (e3, e2), (e4, e3)] {
        let resent = event_details(store, id, "resent after error").await;
        assert_eq!(resent.len(), 1, "{channel}: {id}: {resent:?}");
        assert!(
            resent[0].contains(&format!("message {earlier}")),
            "{channel}: {resent:?}"
        );
    }
    assert_eq!(
        writer.ingest(&[items.kept(&e)]).await,
        [Stored::Duplicate(e4)]
    );
    assert_eq!(
        writer.ingest(&[items.failed(&e)]).await,
        [Stored::Duplicate(e4)]
    );
    // Reprocessing a failed copy would process the kept message twice.
    assert_eq!(store.kept_resend(e1).await.unwrap(), Some(e4), "{channel}");
    assert_eq!(store.kept_resend(e4).await.unwrap(), None, "{channel}");

    // A batch of several statements: a copy at its end of a message in its first chunk.
    let mut batch: Vec<Ingest> = (0..250)
        .map(|n| items.kept(&hl7("EHR", &format!("B{n}"), "MRN4")))
        .collect();
    batch.push(items.kept(&hl7("EHR", "B10", "MRN4")));
    batch.push(items.kept(&hl7("EHR", "B10", "MRN5")));
    let stored = writer.ingest(&batch).await;
    assert!(
        stored[..250].iter().all(|s| matches!(s, Stored::New(_))),
        "{channel}"
    );
    assert_eq!(stored[250], Stored::Duplicate(stored[10].id()), "{channel}");
    let Stored::New(last) = stored[251] else {
        panic!("{channel}: {:?}", stored[251]);
    };
    let reused = event_details(store, last, "control id reused").await;
    assert!(
        reused[0].contains(&format!("message {}", stored[10].id())),
        "{channel}: {reused:?}"
    );

    // A message stored before resend keys were kept (no key) is not taken for anything's copy.
    let old = hl7("EHR", "OLD1", "MRN6");
    let before = Ingest {
        resend_key: None,
        ..items.kept(&old)
    };
    let [Stored::New(_)] = writer.ingest(&[before]).await[..] else {
        panic!("{channel}");
    };
    let [Stored::New(_)] = writer.ingest(&[items.kept(&old)]).await[..] else {
        panic!("{channel}: a resend of a message without a key is stored");
    };

    // Messages without a resend key never collide.
    let unknown = Ingest {
        resend_key: None,
        ..items.kept(b"no format at all")
    };
    let stored = writer.ingest(&[unknown.clone(), unknown]).await;
    assert!(
        stored.iter().all(|s| matches!(s, Stored::New(_))),
        "{channel}"
    );
}

#[tokio::test]
async fn pruning_deletes_old_messages_and_frees_space() {
    for test in common::all_stores().await {
        let store = &test.store;
        let backend = test.backend;
        let big = vec![b'x'; 64 * 1024];
        let mut ids = Vec::new();
        for i in 0..40 {
            let control = format!("C{i}");
            let stored = store
                .insert_message(&NewMessage {
                    channel: "bulk",
                    content_type: "text/plain",
                    control_id: Some(&control),
                    resend_key: Some(ResendKey::new(control.clone(), &big)),
                    raw: &big,
                })
                .await
                .unwrap();
            ids.push(stored.id());
        }
        let page_count = |store: Store| async move {
            sqlx::query_scalar::<_, i64>("PRAGMA page_count")
                .fetch_one(store.pool())
                .await
                .unwrap()
        };
        let before = if backend == "sqlite" {
            page_count(store.clone()).await
        } else {
            0
        };
        // Nothing is older than an hour ago.
        let hour_ago = switchboard::store::now_millis() - 3_600_000;
        assert_eq!(store.prune(Some(hour_ago), None).await.unwrap().messages, 0);
        let later = switchboard::store::now_millis() + 1;
        let pruned = store.prune(Some(later), Some(later)).await.unwrap();
        assert_eq!(pruned.messages, 40, "{backend}");
        assert!(store.message(ids[0]).await.unwrap().is_none(), "{backend}");
        assert!(
            store.message_events(ids[0]).await.unwrap().is_empty(),
            "{backend}: events go too"
        );
        if backend == "sqlite" {
            let after = page_count(store.clone()).await;
            assert!(after * 4 < before, "{backend}: pages {before} -> {after}");
        }
    }
}

#[tokio::test]
async fn tokens_authenticate_until_revoked() {
    for test in common::all_stores().await {
        let store = &test.store;
        let backend = test.backend;
        let (_, token) = store
            .create_token("alice", Role::Operator, None)
            .await
            .unwrap();
        assert!(token.starts_with("sbt_"), "{backend}");
        let principal = store.authenticate(&token).await.unwrap().unwrap();
        assert_eq!(
            (principal.name.as_str(), principal.role),
            ("alice", Role::Operator)
        );
        assert!(
            store.authenticate("sbt_wrong").await.unwrap().is_none(),
            "{backend}"
        );
        assert!(
            store
                .create_token("alice", Role::Admin, None)
                .await
                .is_err(),
            "{backend}: names are unique"
        );
        let hashes: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM api_tokens")
            .fetch_all(store.pool())
            .await
            .unwrap();
        assert!(
            !hashes.contains(&token),
            "{backend}: only the hash is stored"
        );
        assert!(store.revoke_token("alice").await.unwrap(), "{backend}");
        assert!(
            store.authenticate(&token).await.unwrap().is_none(),
            "{backend}"
        );
        let (_, expired) = store
            .create_token("bob", Role::Viewer, Some(0))
            .await
            .unwrap();
        assert!(
            store.authenticate(&expired).await.unwrap().is_none(),
            "{backend}: expired"
        );
    }
}

#[tokio::test]
async fn one_process_at_a_time_holds_a_job_lock_on_postgres() {
    let Some(test) = common::postgres_store().await else {
        return;
    };
    let first = test.store.lock_job("claims-batch").await.unwrap();
    assert!(first.is_some());
    // Another pool stands for another engine process.
    let other = Store::connect(&test.url, 1).await.unwrap();
    assert!(other.lock_job("claims-batch").await.unwrap().is_none());
    assert!(other.lock_job("another-job").await.unwrap().is_some());
    test.store.unlock_job(first.unwrap()).await.unwrap();
    assert!(other.lock_job("claims-batch").await.unwrap().is_some());
    other.close().await;
}

#[tokio::test]
async fn a_merge_moves_everything_to_the_surviving_patient() {
    use switchboard::mapping::{EncounterRecord, Records};
    for test in common::all_stores().await {
        let store = &test.store;
        let backend = test.backend;
        let old = Records {
            patient: Some(update("OLD-1", "Doe")),
            encounter: Some(EncounterRecord {
                visit_number: "V-OLD".into(),
                diagnosis_codes: vec!["J18.9".into()],
                ..EncounterRecord::default()
            }),
            ..Records::default()
        };
        let old_ids = store.upsert_records(&old).await.unwrap();
        let new_ids = store
            .upsert_records(&Records {
                patient: Some(update("NEW-1", "Doe")),
                ..Records::default()
            })
            .await
            .unwrap();
        assert_ne!(
            old_ids.patient.unwrap().id,
            new_ids.patient.unwrap().id,
            "{backend}"
        );
        let merge = Records {
            patient: Some(update("NEW-1", "Doe")),
            merged_identifiers: vec![Identifier {
                system: "HOSP".into(),
                value: "OLD-1".into(),
                type_code: None,
            }],
            ..Records::default()
        };
        let merged = store.upsert_records(&merge).await.unwrap();
        let survivor = merged.patient.unwrap().id;
        assert_eq!(survivor, new_ids.patient.unwrap().id, "{backend}");
        assert!(
            store
                .patient(old_ids.patient.unwrap().id)
                .await
                .unwrap()
                .is_none(),
            "{backend}"
        );
        let read = store.patient(survivor).await.unwrap().unwrap();
        let values: Vec<&str> = read
            .patient
            .identifiers
            .iter()
            .map(|i| i.value.as_str())
            .collect();
        assert_eq!(values, ["OLD-1", "NEW-1"], "{backend}");
        let encounter_patient: i64 =
            sqlx::query_scalar("SELECT patient_id FROM encounters WHERE visit_number = 'V-OLD'")
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert_eq!(encounter_patient, survivor, "{backend}: the visit moved");
        // Sending the merge again changes nothing.
        let again = store.upsert_records(&merge).await.unwrap();
        assert_eq!(
            again.patient.unwrap().change,
            Change::Unchanged,
            "{backend}"
        );
    }
}

/// The records the shipped HL7 v2 mapping makes of `raw`.
fn mapped(raw: &str) -> switchboard::mapping::Records {
    let mapping = switchboard::mapping::Mapping::load(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")),
        "hl7v2-canonical",
    )
    .unwrap();
    let message = switchboard::message::Message::read(raw.as_bytes()).unwrap();
    mapping
        .records(&message)
        .unwrap_or_else(|err| panic!("{err}"))
}

/// HAPI's ADT^A01 from the corpus (CR segment ends), with `edit` applied.
fn hapi_adt(edit: impl Fn(String) -> String) -> String {
    edit(
        String::from_utf8_lossy(include_bytes!(
            "fixtures/corpus/hl7v2/adt-a01-v24-cr-hapi.hl7"
        ))
        .into_owned(),
    )
}

#[tokio::test]
async fn explicit_nulls_clear_stored_values_and_empty_fields_keep_them() {
    for test in common::all_stores().await {
        let store = &test.store;
        let backend = test.backend;
        // HAPI's admit with a middle name, and a v2.7-style coded gender.
        let first = hapi_adt(|m| {
            m.replace("Duck^Donald^^^MR.", "Duck^Donald^Fauntleroy^^MR.")
                .replace("|19720227|M|", "|19720227|M^Male^HL70001|")
        });
        let id = store
            .upsert_records(&mapped(&first))
            .await
            .unwrap()
            .patient
            .unwrap()
            .id;
        let stored = store.patient(id).await.unwrap().unwrap().patient;
        assert_eq!(
            stored.middle_name.as_deref(),
            Some("Fauntleroy"),
            "{backend}"
        );
        assert_eq!(stored.gender.as_deref(), Some("male"), "{backend}");
        assert_eq!(stored.phone.as_deref(), Some("(416)111-1111"), "{backend}");
        assert_eq!(
            stored.address.line.as_deref(),
            Some("123 Foo ST."),
            "{backend}"
        );

        // An update without middle name, address or phone (empty fields) keeps them.
        let empty = hapi_adt(|m| {
            m.replace(
                "123 Foo ST.^^TORONTO^ON^M6G 3E6^CA^H^~123 Foo ST.^^TORONTO^ON^M6G 3E6^CA^M^",
                "",
            )
            .replace("|1811|(416)111-1111|", "|1811||")
            .replace("|19720227|M|", "|19720227|F^Female^HL70001|")
        });
        store.upsert_records(&mapped(&empty)).await.unwrap();
        let stored = store.patient(id).await.unwrap().unwrap().patient;
        assert_eq!(
            stored.middle_name.as_deref(),
            Some("Fauntleroy"),
            "{backend}"
        );
        assert_eq!(stored.phone.as_deref(), Some("(416)111-1111"), "{backend}");
        assert_eq!(stored.address.city.as_deref(), Some("TORONTO"), "{backend}");
        assert_eq!(
            stored.gender.as_deref(),
            Some("female"),
            "{backend}: the code, not F^Female^HL70001"
        );

        // "" clears: the middle name, the whole address, the phone, the visit's location.
        let nulled = hapi_adt(|m| {
            m.replace("Duck^Donald^^^MR.", "Duck^Donald^\"\"^^MR.")
                .replace(
                    "123 Foo ST.^^TORONTO^ON^M6G 3E6^CA^H^~123 Foo ST.^^TORONTO^ON^M6G 3E6^CA^M^",
                    "\"\"",
                )
                .replace("|1811|(416)111-1111|", "|1811|\"\"|")
                .replace("ZFAST TRACK^WAITING^13", "\"\"")
        });
        store.upsert_records(&mapped(&nulled)).await.unwrap();
        let stored = store.patient(id).await.unwrap().unwrap().patient;
        assert_eq!(stored.middle_name, None, "{backend}");
        assert_eq!(stored.phone, None, "{backend}");
        assert_eq!(stored.address.line, None, "{backend}");
        assert_eq!(stored.address.city, None, "{backend}");
        assert_eq!(stored.address.postal_code, None, "{backend}");
        assert_eq!(stored.family_name.as_deref(), Some("Duck"), "{backend}");
        let location: Option<String> =
            sqlx::query_scalar("SELECT location FROM encounters WHERE visit_number = '211004554'")
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert_eq!(location, None, "{backend}");
        // The same message again changes nothing.
        let again = store.upsert_records(&mapped(&nulled)).await.unwrap();
        assert_eq!(
            again.patient.unwrap().change,
            Change::Unchanged,
            "{backend}"
        );
        assert_eq!(
            again.encounter.unwrap().change,
            Change::Unchanged,
            "{backend}"
        );
    }
}

#[tokio::test]
async fn a_self_pay_in1_marks_the_visit_and_an_unreadable_one_is_skipped() {
    for test in common::all_stores().await {
        let store = &test.store;
        let backend = test.backend;
        // As sent: an IN1 without member id. The patient and the visit are stored.
        let ids = store
            .upsert_records(&mapped(&hapi_adt(|m| m)))
            .await
            .unwrap();
        assert!(ids.patient.is_some(), "{backend}");
        assert!(ids.encounter.is_some(), "{backend}");
        assert!(ids.coverages.is_empty(), "{backend}");
        let self_pay = || async {
            sqlx::query_scalar::<_, Option<i64>>(
                "SELECT self_pay FROM encounters WHERE visit_number = '211004554'",
            )
            .fetch_one(store.pool())
            .await
            .unwrap()
        };
        assert_eq!(self_pay().await, None, "{backend}: not known");
        // The same admit with a self-pay IN1.
        let self_paid = hapi_adt(|m| {
            let in1 = m
                .split('\r')
                .find(|s| s.starts_with("IN1|"))
                .unwrap()
                .to_string();
            m.replace(&in1, "IN1|1|SELF|SELFPAY|Self Pay")
        });
        store.upsert_records(&mapped(&self_paid)).await.unwrap();
        assert_eq!(self_pay().await, Some(1), "{backend}");
        let patient = ids.patient.unwrap().id;
        let record = store.patient_record(patient).await.unwrap().unwrap();
        assert!(record.coverages.is_empty(), "{backend}: no payer SELFPAY");
        assert_eq!(record.encounters[0].self_pay, Some(true), "{backend}");
    }
}

/// A destination whose every send takes `delay`, counting its sends.
struct SlowDestination {
    delay: std::time::Duration,
    sends: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl switchboard::channel::Destination for SlowDestination {
    fn deliver<'a>(
        &'a self,
        _message: &'a switchboard::channel::Outbound,
    ) -> futures::future::BoxFuture<'a, Result<(), switchboard::channel::DeliveryError>> {
        Box::pin(async move {
            self.sends.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            tokio::time::sleep(self.delay).await;
            Ok(())
        })
    }
}

/// A message queued for destination `slow` of channel `leases`; its delivery id.
async fn queued_delivery(store: &Store, control_id: &str) -> (i64, i64) {
    common::queued_delivery(store, "leases", "slow", control_id).await
}

/// True when `owner` could lease `delivery` (for a minute).
async fn taken(store: &Store, delivery: i64, owner: &str) -> bool {
    !store
        .claim_deliveries(&[delivery], owner, 60_000)
        .await
        .unwrap()
        .is_empty()
}

#[tokio::test]
async fn leases_run_out_unless_extended_and_a_restarted_node_takes_its_own_back() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::{Duration, Instant};
    use switchboard::channel::queue::{Leases, QueueWorker};

    for test in common::all_stores().await {
        let store = &test.store;
        let backend = test.backend;

        // A node that is gone holds the delivery for a short lease; nobody else gets it until
        // the lease runs out, then a worker does.
        let (message_id, delivery) = queued_delivery(store, "L1").await;
        let gone = store
            .claim_deliveries(&[delivery], "gone", 400)
            .await
            .unwrap();
        assert_eq!(gone, [delivery], "{backend}");
        assert!(
            !taken(store, delivery, "thief").await,
            "{backend}: a live lease is not taken"
        );
        let sends = Arc::new(AtomicUsize::new(0));
        let worker = QueueWorker {
            store: store.clone(),
            channel: "leases".into(),
            destination: "slow".into(),
            queue: switchboard::channel::config::QueueConfig::default(),
            connector: Arc::new(SlowDestination {
                delay: Duration::from_millis(2500),
                sends: sends.clone(),
            }),
            wake: Arc::default(),
            counters: Arc::default(),
            node: "worker".into(),
            // Far shorter than the send: only the heartbeat keeps the lease.
            leases: Leases {
                lease_ms: 1000,
                heartbeat: Duration::from_millis(150),
            },
        };
        let shutdown = tokio_util::sync::CancellationToken::new();
        let running = tokio::spawn(worker.run(shutdown.clone()));
        let started = Instant::now();
        while sends.load(Ordering::SeqCst) == 0 {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "{backend}: the worker never took the delivery the gone node held"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // While the slow send goes on, its lease is extended and never taken.
        let sending = Instant::now();
        while sending.elapsed() < Duration::from_millis(2000) {
            assert!(
                !taken(store, delivery, "thief").await,
                "{backend}: the lease of a delivery being sent was taken"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let sent = || async {
            store.message_deliveries(message_id).await.unwrap()[0]
                .status
                .as_str()
                == "sent"
        };
        common::eventually("the slow send is recorded", Duration::from_secs(10), sent).await;
        assert_eq!(sends.load(Ordering::SeqCst), 1, "{backend}: sent once");
        shutdown.cancel();
        running.await.unwrap();

        // A node that restarts under its id takes back at once what its earlier process
        // held, with an event saying so; leases of other nodes stay.
        let (restarted_message, mine) = queued_delivery(store, "L2").await;
        let (_, theirs) = queued_delivery(store, "L3").await;
        store
            .claim_deliveries(&[mine], "node-a", 60_000)
            .await
            .unwrap();
        store
            .claim_deliveries(&[theirs], "node-b", 60_000)
            .await
            .unwrap();
        assert_eq!(
            store.reclaim_leases("node-a").await.unwrap(),
            1,
            "{backend}"
        );
        let events = event_details(store, restarted_message, "reclaimed").await;
        assert_eq!(events.len(), 1, "{backend}: {events:?}");
        assert!(events[0].contains("node-a"), "{backend}: {events:?}");
        assert_eq!(
            store
                .claim_deliveries(&[mine, theirs], "node-c", 60_000)
                .await
                .unwrap(),
            [mine],
            "{backend}"
        );
        // Extending and releasing touch only the owner's leases.
        assert!(
            store
                .extend_leases(&[theirs], "node-c", 60_000)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            store
                .extend_leases(&[mine, theirs], "node-c", 60_000)
                .await
                .unwrap(),
            [mine]
        );
        assert_eq!(
            store
                .release_leases(&[mine, theirs], "node-c")
                .await
                .unwrap(),
            [mine]
        );
        assert_eq!(
            store
                .claim_deliveries(&[mine], "node-d", 60_000)
                .await
                .unwrap(),
            [mine],
            "{backend}: a released lease is free at once"
        );
    }
}

#[tokio::test]
async fn the_store_destination_writes_a_batch_in_one_go_and_isolates_a_bad_message() {
    use std::sync::Arc;
    use std::time::Duration;
    use switchboard::channel::queue::{Leases, QueueWorker};
    use switchboard::channel::store::StoreDestination;
    use switchboard::store::ingest::Payload;

    for test in common::all_stores().await {
        let store = &test.store;
        let backend = test.backend;
        // Twelve mapped ADTs queued for the store destination; the seventh's payload is not
        // canonical records.
        let mut queued = Vec::new();
        for n in 0..12 {
            let control_id = format!("B{n}");
            let raw = format!(
                "MSH|^~\\&|EHR|HOSP|SB|SB|20261125120000||ADT^A08^ADT_A01|{control_id}|P|2.5\r\
                 EVN|A08|20261125120000\r\
                 PID|1||BATCH{n}^^^HOSP^MR||Batch^Patient||19700101|F\r\
                 PV1|1|O|CLINIC^1^1||||1234567893^Doctor^Dee||||||||||||VB{n}\r"
            );
            let bytes = if n == 6 {
                b"{\"patient\": 7}".to_vec()
            } else {
                serde_json::to_vec(&mapped(&raw)).unwrap()
            };
            let message_id = store
                .insert_message(&NewMessage {
                    channel: "batch",
                    content_type: "application/hl7-v2",
                    control_id: Some(&control_id),
                    resend_key: None,
                    raw: raw.as_bytes(),
                })
                .await
                .unwrap()
                .id();
            store
                .route_message(&switchboard::store::deliveries::Routing {
                    message_id,
                    channel: "batch",
                    destinations: &["canonical".to_string()],
                    payload: Some(&Payload {
                        bytes,
                        content_type: "application/json",
                    }),
                    trail: &[],
                })
                .await
                .unwrap();
            queued.push(message_id);
        }
        let queue = switchboard::channel::config::QueueConfig {
            ordered: false,
            ..Default::default()
        };
        let worker = QueueWorker {
            store: store.clone(),
            channel: "batch".into(),
            destination: "canonical".into(),
            queue,
            connector: Arc::new(StoreDestination {
                store: store.clone(),
            }),
            wake: Arc::default(),
            counters: Arc::default(),
            node: "worker".into(),
            leases: Leases::default(),
        };
        let shutdown = tokio_util::sync::CancellationToken::new();
        let running = tokio::spawn(worker.run(shutdown.clone()));
        let statuses = || async {
            let mut statuses = Vec::new();
            for id in &queued {
                statuses.push(store.message_deliveries(*id).await.unwrap()[0].status);
            }
            statuses
        };
        common::eventually(
            "every delivery of the batch is finished",
            Duration::from_secs(20),
            || async {
                statuses()
                    .await
                    .iter()
                    .all(|status| status.as_str() == "sent" || status.as_str() == "dead")
            },
        )
        .await;
        shutdown.cancel();
        running.await.unwrap();
        let statuses: Vec<&str> = statuses().await.iter().map(|s| s.as_str()).collect();
        for (n, status) in statuses.iter().enumerate() {
            let expected = if n == 6 { "dead" } else { "sent" };
            assert_eq!(*status, expected, "{backend}: delivery {n}: {statuses:?}");
        }
        let dead = event_details(store, queued[6], "dead").await;
        assert!(
            dead.iter()
                .any(|detail| detail.contains("not canonical records")),
            "{backend}: the bad message's own reason is recorded: {dead:?}"
        );
        for n in (0..12).filter(|n| *n != 6) {
            let identifier = Identifier {
                system: "HOSP".into(),
                value: format!("BATCH{n}"),
                type_code: None,
            };
            assert!(
                store
                    .patient_by_identifier(&identifier)
                    .await
                    .unwrap()
                    .is_some(),
                "{backend}: patient BATCH{n} stored"
            );
        }
    }
}
