//! HL7 v2 over a real MLLP socket: ACK after the durable store, duplicates, errors, oversized
//! frames, enhanced mode, concurrency, idle timeouts, and the MLLP sender.

mod common;

use std::time::Duration;

use common::{Engine, event_details};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const MAPPING: &str = include_str!("../mappings/hl7v2-canonical.toml");

fn adt(control: &str, mrn: &str) -> String {
    format!(
        "MSH|^~\\&|EHR|HOSP|SB|SB|20261125101500||ADT^A01^ADT_A01|{control}|P|2.5\r\
         PID|1||{mrn}^^^HOSP^MR||Lovelace^Ada||19801210|F\r\
         PV1|1|I|W1^101^A||||1234567893^Who^Doctor||||||||||||V-{mrn}\r"
    )
}

fn mllp_channel(port: u16, extra_source: &str) -> String {
    format!(
        "name = \"adt\"\n[source]\ntype = \"mllp\"\nlisten = \"127.0.0.1:{port}\"\n{extra_source}\n\
         [transform]\nmapping = \"hl7v2-canonical\"\n\
         [[destinations]]\ntype = \"store\"\nname = \"canonical\"\n"
    )
}

async fn start(port: u16, extra_source: &str) -> Engine {
    let engine = Engine::start(&[
        ("channels/adt.toml", mllp_channel(port, extra_source)),
        ("mappings/hl7v2-canonical.toml", MAPPING.to_string()),
    ])
    .await;
    engine
        .eventually("the MLLP port listens", || async {
            TcpStream::connect(("127.0.0.1", port)).await.is_ok()
        })
        .await;
    engine
}

/// `payload` in an MLLP frame.
fn frame(payload: &[u8]) -> Vec<u8> {
    let mut frame = vec![0x0b];
    frame.extend_from_slice(payload);
    frame.extend_from_slice(&[0x1c, 0x0d]);
    frame
}

async fn send_frame(stream: &mut TcpStream, payload: &[u8]) {
    stream.write_all(&frame(payload)).await.unwrap();
}

/// An ADT over the 2000-byte frame limit the tests set.
fn oversized_adt(control: &str) -> String {
    let mut big = adt(control, "MRN-BIG");
    big.push_str(&format!("NTE|1||{}\r", "x".repeat(5000)));
    big
}

/// Reads one MLLP frame; `None` when the connection closed.
async fn read_frame(stream: &mut TcpStream) -> Option<String> {
    let mut buffer = Vec::new();
    let mut byte = [0u8; 1];
    loop {
        let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut byte))
            .await
            .expect("an answer within 10 s")
            .ok()?;
        if n == 0 {
            return None;
        }
        buffer.push(byte[0]);
        if buffer.ends_with(&[0x1c, 0x0d]) {
            let body = &buffer[1..buffer.len() - 2];
            return Some(String::from_utf8_lossy(body).into_owned());
        }
    }
}

/// The text of an ACK: MSA-3, or ERR-8 from v2.7 on, where MSA-3 is withdrawn.
fn ack_text(ack: &str) -> String {
    let msa = segment(ack, "MSA");
    match msa.get(3) {
        Some(text) if !text.is_empty() => text.to_string(),
        _ => ack
            .split('\r')
            .filter(|s| s.starts_with("ERR|"))
            .filter_map(|s| s.split('|').nth(8))
            .collect::<Vec<_>>()
            .join(" "),
    }
}

fn segment<'a>(ack: &'a str, id: &str) -> Vec<&'a str> {
    ack.split('\r')
        .find(|s| s.starts_with(id))
        .unwrap_or_else(|| panic!("no {id} in {ack:?}"))
        .split('|')
        .collect()
}

#[tokio::test]
async fn messages_are_stored_then_acknowledged_and_upserted() {
    let port = common::free_port();
    let engine = start(port, "").await;
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();

    send_frame(&mut stream, adt("C1", "MRN-1").as_bytes()).await;
    let ack = read_frame(&mut stream).await.unwrap();
    let msa = segment(&ack, "MSA");
    assert_eq!((msa[1], msa[2]), ("AA", "C1"), "{ack}");
    let msh = segment(&ack, "MSH");
    assert_eq!(
        (msh[2], msh[3], msh[4], msh[5]),
        ("SB", "SB", "EHR", "HOSP"),
        "{ack}"
    );
    assert!(msh[8].starts_with("ACK"), "{ack}");
    // Acknowledged means stored.
    let stored = engine
        .store
        .search_messages(&switchboard::store::messages::MessageQuery {
            control_id: Some("C1".into()),
            limit: 5,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    engine
        .eventually("the patient is in the canonical store", || async {
            let found = engine
                .store
                .search_patients(&switchboard::store::canonical::PatientQuery {
                    identifier: Some("MRN-1".into()),
                    limit: 5,
                    ..Default::default()
                })
                .await
                .unwrap();
            found.len() == 1 && found[0].patient.family_name.as_deref() == Some("Lovelace")
        })
        .await;
    // The records and the delivery's bookkeeping were committed together: sent, once.
    let deliveries = engine.store.message_deliveries(stored[0].id).await.unwrap();
    assert_eq!(deliveries.len(), 1, "{deliveries:?}");
    assert_eq!(
        (deliveries[0].status.as_str(), deliveries[0].attempts),
        ("sent", 1),
        "{deliveries:?}"
    );
    let events: Vec<(String, Option<String>)> = engine
        .store
        .message_events(stored[0].id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.kind, e.detail))
        .collect();
    let sent: Vec<_> = events.iter().filter(|(kind, _)| kind == "sent").collect();
    assert_eq!(sent.len(), 1, "{events:?}");
    assert_eq!(
        sent[0].1.as_deref(),
        Some("canonical (attempt 1)"),
        "{events:?}"
    );
    assert_eq!(events[0].0, "received", "{events:?}");

    // A resend is acknowledged but not processed again.
    send_frame(&mut stream, adt("C1", "MRN-1").as_bytes()).await;
    let ack = read_frame(&mut stream).await.unwrap();
    let msa = segment(&ack, "MSA");
    assert_eq!((msa[1], msa[2]), ("AA", "C1"), "{ack}");
    assert!(msa[3].contains("duplicate"), "{ack}");

    // Content that maps to nothing usable: stored, answered AE with the reason in ERR.
    let no_id = "MSH|^~\\&|EHR|HOSP|SB|SB|20261125||ADT^A01|C2|P|2.5\rPID|1||||Nobody^Here\r";
    send_frame(&mut stream, no_id.as_bytes()).await;
    let ack = read_frame(&mut stream).await.unwrap();
    let msa = segment(&ack, "MSA");
    assert_eq!((msa[1], msa[2]), ("AE", "C2"), "{ack}");
    let err = segment(&ack, "ERR");
    assert!(err.join("|").contains("no identifier"), "{ack}");
    assert!(
        err[2].starts_with("PID^1^3"),
        "ERR-2 names the field: {ack}"
    );
    assert!(err[3].starts_with("101"), "required field missing: {ack}");

    // Something that is not HL7 at all: still stored, still answered.
    send_frame(&mut stream, b"MSH|^~\\&|broken\rthis is no segment\r").await;
    let ack = read_frame(&mut stream).await.unwrap();
    assert!(ack.contains("MSA|AR"), "{ack}");
    let errors = engine
        .store
        .search_messages(&switchboard::store::messages::MessageQuery {
            status: Some(switchboard::store::messages::MessageStatus::Error),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors.iter().all(|m| m.error.is_some()));
    engine.stop().await;
}

#[tokio::test]
async fn a_coverage_that_cannot_be_read_is_a_warning_and_the_admit_is_accepted() {
    let port = common::free_port();
    let engine = start(port, "").await;
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    // HAPI's admit from the corpus: its IN1 names a payer (001001, OHIP) but no member id.
    let hapi = include_bytes!("fixtures/corpus/hl7v2/adt-a01-v24-cr-hapi.hl7");
    send_frame(&mut stream, hapi).await;
    let ack = read_frame(&mut stream).await.unwrap();
    let msa = segment(&ack, "MSA");
    assert_eq!((msa[1], msa[2]), ("AA", "22139243"), "{ack}");
    let stored = engine
        .store
        .search_messages(&switchboard::store::messages::MessageQuery {
            control_id: Some("22139243".into()),
            limit: 5,
            ..Default::default()
        })
        .await
        .unwrap();
    let events = engine.store.message_events(stored[0].id).await.unwrap();
    let warnings: Vec<&str> = events
        .iter()
        .filter(|e| e.kind == "warning")
        .filter_map(|e| e.detail.as_deref())
        .collect();
    assert_eq!(
        warnings,
        ["coverage 1 skipped: 'member_id' is empty in this message (at IN1[1]-36)"],
        "{events:?}"
    );
    engine
        .eventually(
            "the patient and the visit are in the canonical store",
            || async {
                let found = engine
                    .store
                    .search_patients(&switchboard::store::canonical::PatientQuery {
                        identifier: Some("2216506".into()),
                        limit: 5,
                        ..Default::default()
                    })
                    .await
                    .unwrap();
                let Some(patient) = found.first() else {
                    return false;
                };
                let record = engine
                    .store
                    .patient_record(patient.id)
                    .await
                    .unwrap()
                    .unwrap();
                record.encounters.len() == 1 && record.encounters[0].visit_number == "211004554"
            },
        )
        .await;
    engine.stop().await;
}

#[tokio::test]
async fn an_oversized_frame_is_refused_and_the_connection_stays_usable() {
    let port = common::free_port();
    let engine = start(port, "max_frame_bytes = 2000").await;
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    send_frame(&mut stream, oversized_adt("BIG").as_bytes()).await;
    let ack = read_frame(&mut stream).await.unwrap();
    let msa = segment(&ack, "MSA");
    assert_eq!((msa[1], msa[2]), ("AR", "BIG"), "{ack}");
    assert!(ack.contains("exceeds"), "{ack}");
    // Bytes outside frames are dropped; the next frame is read normally.
    stream.write_all(b"noise").await.unwrap();
    send_frame(&mut stream, adt("SMALL", "MRN-3").as_bytes()).await;
    let ack = read_frame(&mut stream).await.unwrap();
    assert!(ack.contains("MSA|AA|SMALL"), "{ack}");
    engine.stop().await;
}

#[tokio::test]
async fn messages_sent_without_waiting_are_answered_in_order() {
    let port = common::free_port();
    let engine = start(port, "max_frame_bytes = 2000").await;
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    // One write holds five frames: two messages, an unreadable one, one too large, and a
    // resend of the first.
    let burst: Vec<u8> = [
        adt("P1", "MRN-6"),
        adt("P2", "MRN-7"),
        "not HL7".to_string(),
        oversized_adt("BIG"),
        adt("P1", "MRN-6"),
    ]
    .iter()
    .flat_map(|payload| frame(payload.as_bytes()))
    .collect();
    stream.write_all(&burst).await.unwrap();
    let mut answers = Vec::new();
    for _ in 0..5 {
        let ack = read_frame(&mut stream).await.unwrap();
        let msa = segment(&ack, "MSA");
        answers.push((msa[1].to_string(), msa[2].to_string(), msa[3].to_string()));
    }
    let codes: Vec<(&str, &str)> = answers
        .iter()
        .map(|(code, control, _)| (code.as_str(), control.as_str()))
        .collect();
    assert_eq!(
        codes,
        [
            ("AA", "P1"),
            ("AA", "P2"),
            ("AR", ""),
            ("AR", "BIG"),
            ("AA", "P1")
        ],
        "{answers:?}"
    );
    assert!(answers[3].2.contains("exceeds"), "{answers:?}");
    assert!(answers[4].2.contains("duplicate"), "{answers:?}");
    // Each readable message was stored once, the unreadable one with status error.
    for (control, count) in [("P1", 1), ("P2", 1)] {
        let stored = engine
            .store
            .search_messages(&switchboard::store::messages::MessageQuery {
                control_id: Some(control.into()),
                limit: 5,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(stored.len(), count, "{control}: {stored:?}");
    }
    // The connection is still in step: the next message gets the next answer.
    send_frame(&mut stream, adt("P3", "MRN-8").as_bytes()).await;
    assert!(read_frame(&mut stream).await.unwrap().contains("MSA|AA|P3"));
    engine.stop().await;
}

#[tokio::test]
async fn enhanced_mode_sends_commit_then_application_acks_as_msh15_and_msh16_ask() {
    let port = common::free_port();
    let engine = start(port, "ack_mode = \"enhanced\"").await;
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let both = adt("E1", "MRN-4").replacen("|P|2.5\r", "|P|2.5|||AL|AL\r", 1);
    send_frame(&mut stream, both.as_bytes()).await;
    let commit = read_frame(&mut stream).await.unwrap();
    assert!(commit.contains("MSA|CA|E1"), "{commit}");
    let application = read_frame(&mut stream).await.unwrap();
    assert!(application.contains("MSA|AA|E1"), "{application}");

    let commit_only = adt("E2", "MRN-5").replacen("|P|2.5\r", "|P|2.5|||AL|NE\r", 1);
    send_frame(&mut stream, commit_only.as_bytes()).await;
    let commit = read_frame(&mut stream).await.unwrap();
    assert!(commit.contains("MSA|CA|E2"), "{commit}");
    // The next answer belongs to the next message: no application ACK was sent for E2.
    send_frame(&mut stream, both.replace("|E1|", "|E3|").as_bytes()).await;
    assert!(read_frame(&mut stream).await.unwrap().contains("MSA|CA|E3"));
    assert!(read_frame(&mut stream).await.unwrap().contains("MSA|AA|E3"));
    engine.stop().await;
}

#[tokio::test]
async fn many_connections_are_served_at_once_and_idle_ones_are_closed() {
    let port = common::free_port();
    let engine = start(port, "idle_timeout_seconds = 1").await;
    let mut clients = Vec::new();
    for c in 0..16 {
        clients.push(tokio::spawn(async move {
            let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
            for m in 0..10 {
                let control = format!("P{c}-{m}");
                send_frame(
                    &mut stream,
                    adt(&control, &format!("MRN-P{c}-{m}")).as_bytes(),
                )
                .await;
                let ack = read_frame(&mut stream).await.unwrap();
                assert!(ack.contains(&format!("MSA|AA|{control}")), "{ack}");
            }
        }));
    }
    for client in clients {
        client.await.unwrap();
    }
    let messages = engine.channel_messages("adt").await;
    assert_eq!(messages.len(), 160);

    let mut idle = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        let mut byte = [0u8; 1];
        idle.read(&mut byte).await.unwrap_or(0)
    })
    .await
    .expect("the idle connection is closed by the engine");
    assert_eq!(closed, 0);
    engine.stop().await;
}

#[tokio::test]
async fn the_mllp_sender_delivers_and_waits_for_the_ack() {
    let (mllp_port, http_port) = (common::free_port(), common::free_port());
    let sender = format!(
        "name = \"relay\"\n[source]\ntype = \"http\"\nlisten = \"127.0.0.1:{http_port}\"\nallow_anonymous = true\n\
         [[destinations]]\ntype = \"mllp\"\nname = \"ehr\"\naddress = \"127.0.0.1:{mllp_port}\"\nack_timeout_seconds = 5\n"
    );
    let engine = Engine::start(&[
        ("channels/adt.toml", mllp_channel(mllp_port, "")),
        ("channels/relay.toml", sender),
        ("mappings/hl7v2-canonical.toml", MAPPING.to_string()),
    ])
    .await;
    engine
        .eventually("the relay listens", || async {
            reqwest::get(format!("http://127.0.0.1:{http_port}/"))
                .await
                .is_ok()
        })
        .await;
    for n in 0..3 {
        let response = common::client()
            .post(format!("http://127.0.0.1:{http_port}/"))
            .body(adt(&format!("S{n}"), &format!("MRN-S{n}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), reqwest::StatusCode::ACCEPTED);
    }
    engine
        .eventually("the receiving channel stored all three", || async {
            engine.channel_messages("adt").await.len() == 3
        })
        .await;
    engine
        .eventually("the relay's deliveries are all sent", || async {
            let relayed = engine.channel_messages("relay").await;
            let mut sent = 0;
            for message in relayed {
                let deliveries = engine.store.message_deliveries(message.id).await.unwrap();
                sent += deliveries
                    .iter()
                    .filter(|d| d.status == switchboard::store::deliveries::DeliveryStatus::Sent)
                    .count();
            }
            sent == 3
        })
        .await;
    engine.stop().await;
}

#[tokio::test]
async fn bad_input_gets_a_precise_answer_and_the_engine_keeps_serving() {
    let port = common::free_port();
    let engine = start(port, "max_frame_bytes = 4194304").await;
    let mut good = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let mut check_good = {
        let mut n = 0;
        move || {
            n += 1;
            adt(&format!("GOOD{n}"), &format!("MRN-G{n}"))
        }
    };
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("garbage", b"\x00\x01garbage\xff\xfe".to_vec(), "MSA|AR"),
        ("missing MSH", b"PID|1||X^^^H\r".to_vec(), "MSA|AR"),
        (
            "wrong encoding characters",
            b"MSH|^~|EHR|H|||20261125||ADT^A01|ENC1|P|2.5\rPID|1||X^^^H\r".to_vec(),
            "MSA|AR|ENC1",
        ),
        (
            "a 1 MB OBX-5",
            format!(
                "{}OBX|1|TX|NOTE||{}\r",
                adt("BIG1", "MRN-BIG"),
                "y".repeat(1024 * 1024)
            )
            .into_bytes(),
            "MSA|AA|BIG1",
        ),
        (
            // Past the mapping's max_repetitions (1000): refused naming the limit.
            "thousands of repetitions",
            adt("REP1", "MRN-REP")
                .replacen(
                    "|F\r",
                    &format!("|F|||||{}\r", vec!["555-0100"; 3000].join("~")),
                    1,
                )
                .into_bytes(),
            "MSA|AE|REP1",
        ),
    ];
    for (what, payload, expected) in cases {
        let mut bad = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        send_frame(&mut bad, &payload).await;
        let ack = read_frame(&mut bad)
            .await
            .unwrap_or_else(|| panic!("{what}: no answer"));
        assert!(ack.contains(expected), "{what}: {ack}");
        if !expected.starts_with("MSA|AA") {
            assert!(ack.contains("ERR|"), "{what}: the reason is given: {ack}");
        }
        if what == "thousands of repetitions" {
            assert!(
                ack.contains("PID-13 has more than 1000 repetitions")
                    && ack.contains("max_repetitions = 1000")
                    && ack.contains("104^Value too long"),
                "{ack}"
            );
        }
        let message = check_good();
        send_frame(&mut good, message.as_bytes()).await;
        let ack = read_frame(&mut good).await.unwrap();
        assert!(ack.contains("MSA|AA|GOOD"), "after {what}: {ack}");
    }
    // A truncated frame, then the client goes away: nothing stored, nothing stuck.
    let mut truncated = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    truncated
        .write_all(b"\x0bMSH|^~\\&|EHR|H|||1||ADT^A01|CUT|P|2.5\rPID|1")
        .await
        .unwrap();
    drop(truncated);
    send_frame(&mut good, check_good().as_bytes()).await;
    assert!(read_frame(&mut good).await.unwrap().contains("MSA|AA|GOOD"));
    let cut = engine
        .store
        .search_messages(&switchboard::store::messages::MessageQuery {
            control_id: Some("CUT".into()),
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(cut.is_empty());
    engine.stop().await;
}

/// Runs the `switchboard` command with `args`; returns its output once it has succeeded.
async fn switchboard_cli(args: &[&str]) -> String {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(args)
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{args:?}: {stdout}");
    stdout
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switchboard_send_delivers_every_message_of_a_file_and_prints_the_acks() {
    let port = common::free_port();
    let engine = start(port, "").await;
    let file = engine.path("two.hl7");
    std::fs::write(
        &file,
        format!("{}\n{}", adt("F1", "MRN-F1"), adt("F2", "MRN-F2")).replace('\r', "\n"),
    )
    .unwrap();
    let stdout = switchboard_cli(&[
        "send",
        "--mllp",
        &format!("127.0.0.1:{port}"),
        &file.display().to_string(),
    ])
    .await;
    assert!(
        stdout.contains("MSA|AA|F1") && stdout.contains("MSA|AA|F2"),
        "{stdout}"
    );
    assert!(stdout.contains("2 sent, 2 accepted"), "{stdout}");
    engine
        .eventually("both patients are stored", || async {
            engine.has_patient("MRN-F1").await && engine.has_patient("MRN-F2").await
        })
        .await;
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_load_tool_counts_every_acknowledged_message() {
    let port = common::free_port();
    let engine = start(port, "").await;
    for in_flight in ["1", "4"] {
        let stdout = switchboard_cli(&[
            "bench-mllp",
            "--mllp",
            &format!("127.0.0.1:{port}"),
            "--connections",
            "3",
            "--messages",
            "40",
            "--in-flight",
            in_flight,
        ])
        .await;
        assert!(
            stdout.contains(&format!(
                "40 acknowledged, 0 failed, 3 connection(s), {in_flight} in flight each"
            )),
            "{stdout}"
        );
        assert!(stdout.contains("latency ms: p50"), "{stdout}");
    }
    let stored = engine
        .store
        .search_messages(&switchboard::store::messages::MessageQuery {
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(stored.len(), 80);
    engine.stop().await;
}

/// A sample from tests/fixtures/hl7v2 with its segments ended by `\r`, as MLLP carries them.
fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/hl7v2")
        .join(name);
    let text = std::fs::read_to_string(path).unwrap();
    let mut message: String = text.lines().map(|line| format!("{line}\r")).collect();
    message.truncate(message.trim_end().len());
    message.push('\r');
    message.into_bytes()
}

async fn messages_with_control_id(
    engine: &Engine,
    control: &str,
) -> Vec<switchboard::store::messages::MessageSummary> {
    engine
        .store
        .search_messages(&switchboard::store::messages::MessageQuery {
            control_id: Some(control.into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap()
}

async fn sent_deliveries(engine: &Engine, id: i64) -> usize {
    engine
        .store
        .message_deliveries(id)
        .await
        .unwrap()
        .iter()
        .filter(|d| d.status == switchboard::store::deliveries::DeliveryStatus::Sent)
        .count()
}

/// Two different messages from one sender that share MSH-10 (the FHIR Converter's ADT^A01 and
/// BAR^P02 samples are both `MSG00001`) are two messages: both stored and processed, the second
/// with an event naming the first. A byte-identical resend, even with other line endings at
/// the end, is answered as a duplicate and not processed again.
#[tokio::test]
async fn a_reused_control_id_is_a_new_message_and_only_a_true_resend_is_a_duplicate() {
    let port = common::free_port();
    let engine = start(port, "").await;
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let admission = fixture("adt-a01-fhir-converter.hl7");
    let billing = fixture("bar-p02-fhir-converter.hl7");

    send_frame(&mut stream, &admission).await;
    let ack = read_frame(&mut stream).await.unwrap();
    let msa = segment(&ack, "MSA");
    assert_eq!((msa[1], msa[2]), ("AA", "MSG00001"), "{ack}");
    assert!(!ack_text(&ack).contains("duplicate"), "{ack}");

    send_frame(&mut stream, &billing).await;
    let ack = read_frame(&mut stream).await.unwrap();
    let msa = segment(&ack, "MSA");
    assert_eq!((msa[1], msa[2]), ("AA", "MSG00001"), "{ack}");
    assert!(
        !ack_text(&ack).contains("duplicate"),
        "the BAR is no resend of the ADT: {ack}"
    );

    let stored = messages_with_control_id(&engine, "MSG00001").await;
    assert_eq!(stored.len(), 2, "{stored:?}");
    let (first, second) = (stored[1].id, stored[0].id);
    assert_eq!(
        engine.store.message_raw(second).await.unwrap().as_deref(),
        Some(billing.as_slice()),
        "the second body is stored"
    );
    for message in &stored {
        assert_eq!(
            message.status,
            switchboard::store::messages::MessageStatus::Processed,
            "{stored:?}"
        );
    }
    let reused = event_details(&engine.store, second, "control id reused").await;
    assert_eq!(reused.len(), 1, "{reused:?}");
    assert!(
        reused[0].contains(&format!("message {first}")),
        "{reused:?}"
    );
    assert!(
        event_details(&engine.store, first, "control id reused")
            .await
            .is_empty()
    );
    engine
        .eventually("both messages reached the canonical store", || async {
            sent_deliveries(&engine, first).await == 1
                && sent_deliveries(&engine, second).await == 1
        })
        .await;
    assert!(engine.has_patient("PATID1234").await);

    // The same ADT again, ended by \r\n, then by nothing: a resend of the first message.
    let mut crlf = admission.clone();
    crlf.push(b'\n');
    let mut bare = admission.clone();
    bare.pop();
    for resend in [admission.clone(), crlf, bare] {
        send_frame(&mut stream, &resend).await;
        let ack = read_frame(&mut stream).await.unwrap();
        let msa = segment(&ack, "MSA");
        assert_eq!((msa[1], msa[2]), ("AA", "MSG00001"), "{ack}");
        assert!(
            ack_text(&ack).contains(&format!("duplicate of message {first}")),
            "{ack}"
        );
    }
    assert_eq!(messages_with_control_id(&engine, "MSG00001").await.len(), 2);
    assert_eq!(
        event_details(&engine.store, first, "duplicate").await.len(),
        3
    );
    let deliveries = engine.store.message_deliveries(first).await.unwrap();
    assert_eq!(deliveries.len(), 1, "not processed twice: {deliveries:?}");
    engine.stop().await;
}

/// A message answered AE was not processed; its sender's resend is processed again (stored
/// as a new message), not answered AA as a duplicate.
#[tokio::test]
async fn a_resend_of_a_message_answered_ae_is_processed_again() {
    let port = common::free_port();
    let engine = start(port, "").await;
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let no_id = "MSH|^~\\&|EHR|HOSP|SB|SB|20261125||ADT^A01|AE1|P|2.5\rPID|1||||Nobody^Here\r";
    let mut ids = Vec::new();
    for _ in 0..2 {
        send_frame(&mut stream, no_id.as_bytes()).await;
        let ack = read_frame(&mut stream).await.unwrap();
        let msa = segment(&ack, "MSA");
        assert_eq!((msa[1], msa[2]), ("AE", "AE1"), "{ack}");
        assert!(!msa[3].contains("duplicate"), "{ack}");
        assert!(ack.contains("no identifier"), "{ack}");
        let stored = messages_with_control_id(&engine, "AE1").await;
        ids.push(stored[0].id);
    }
    let stored = messages_with_control_id(&engine, "AE1").await;
    assert_eq!(stored.len(), 2, "{stored:?}");
    assert!(stored.iter().all(|m| m.error.is_some()), "{stored:?}");
    let resent = event_details(&engine.store, ids[1], "resent after error").await;
    assert_eq!(resent.len(), 1, "{resent:?}");
    assert!(
        resent[0].contains(&format!("message {}", ids[0])),
        "{resent:?}"
    );
    engine.stop().await;
}

/// Frames that hold no HL7 v2 message (empty, not starting with MSH, an FHS/BHS batch) are
/// stored with status error and answered AR with the reason; after
/// `MAX_UNREADABLE_IN_A_ROW` of them in a row the engine closes the connection.
#[tokio::test]
async fn unreadable_frames_are_errors_and_too_many_in_a_row_close_the_connection() {
    use switchboard::channel::mllp::MAX_UNREADABLE_IN_A_ROW;
    use switchboard::store::messages::{MessageQuery, MessageStatus};
    let port = common::free_port();
    let engine = start(port, "").await;
    let cases: [(&str, &[u8], &str); 4] = [
        ("an empty frame", b"", "empty"),
        ("only line endings", b"\r\n\r", "empty"),
        ("no MSH", b"PID|1||X^^^H\r", "MSH"),
        (
            "a batch",
            b"FHS|^~\\&|EHR|HOSP\rBHS|^~\\&|EHR|HOSP\rMSH|^~\\&|EHR|HOSP|SB|SB|20261125||ADT^A01|B1|P|2.5\rBTS|1\rFTS|1\r",
            "batch",
        ),
    ];
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    for (what, payload, reason) in cases {
        send_frame(&mut stream, payload).await;
        let ack = read_frame(&mut stream)
            .await
            .unwrap_or_else(|| panic!("{what}: no answer"));
        assert!(ack.contains("MSA|AR|"), "{what}: {ack}");
        assert!(ack.contains(reason), "{what}: {ack}");
        assert!(ack.contains("ERR|"), "{what}: {ack}");
    }
    let errors = engine
        .store
        .search_messages(&MessageQuery {
            channel: Some("adt".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(errors.len(), 4, "{errors:?}");
    for message in &errors {
        assert_eq!(message.status, MessageStatus::Error, "{errors:?}");
        assert!(message.error.is_some(), "{errors:?}");
    }

    // A readable message resets the count; the limit's worth in a row closes the connection.
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    for _ in 1..MAX_UNREADABLE_IN_A_ROW {
        send_frame(&mut stream, b"").await;
        assert!(read_frame(&mut stream).await.unwrap().contains("MSA|AR|"));
    }
    send_frame(&mut stream, adt("OK1", "MRN-OK1").as_bytes()).await;
    assert!(
        read_frame(&mut stream)
            .await
            .unwrap()
            .contains("MSA|AA|OK1")
    );
    for _ in 1..MAX_UNREADABLE_IN_A_ROW {
        send_frame(&mut stream, b"garbage").await;
        assert!(read_frame(&mut stream).await.unwrap().contains("MSA|AR|"));
    }
    send_frame(&mut stream, b"garbage").await;
    assert!(read_frame(&mut stream).await.unwrap().contains("MSA|AR|"));
    assert_eq!(
        read_frame(&mut stream).await,
        None,
        "the connection is closed after {MAX_UNREADABLE_IN_A_ROW} unreadable frames in a row"
    );
    // Other connections are served as before.
    let mut other = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    send_frame(&mut other, adt("OK2", "MRN-OK2").as_bytes()).await;
    assert!(read_frame(&mut other).await.unwrap().contains("MSA|AA|OK2"));
    engine.stop().await;
}
