//! Transforms that hand HL7 v2 on: the example channel `channels/examples/adt-to-lab.toml`
//! run as copied, between a real MLLP sender and a real MLLP listener standing in for the lab;
//! every message the transform writes is checked by hl7apy's strict validation.

mod common;

use std::time::Duration;

use common::{Engine, event_details};
use switchboard::hl7v2::Message;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const EXAMPLE: &str = include_str!("../channels/examples/adt-to-lab.toml");
const EDIT_LIST: &str = include_str!("../mappings/adt-to-lab.toml");
const SYNTHETIC_ADT: &str = include_str!("fixtures/hl7v2/synthetic-adt-a01.hl7");

/// The synthetic admit (HL7 v2.5.1) as the hospital sends it: its patient identifier assigned
/// by GENHOSP, and a Z segment after PID and after PV1. Its coding systems are those v2.5.1's
/// table 0396 lists (`CDCREC`, `UCUM` and `RXNORM` came in later versions): race in HL70005,
/// language in HL70296, units in ISO+, the allergen as a local code.
fn hospital_adt(control: &str) -> String {
    let mut segments: Vec<String> = SYNTHETIC_ADT
        .replace("MSG20240315-0001", control)
        .replace("000123456^^^MCM^MR", "000123456^^^GENHOSP^MR")
        .replace("^CDCREC", "^HL70005")
        .replace("^ISO639", "^HL70296")
        .replace("^UCUM", "^ISO+")
        .replace("^RXNORM", "^L")
        .split('\r')
        .filter(|segment| !segment.is_empty())
        .map(str::to_string)
        .collect();
    let after = |segments: &[String], id: &str| {
        segments
            .iter()
            .position(|segment| segment.starts_with(id))
            .expect("segment present")
            + 1
    };
    let at = after(&segments, "PID");
    segments.insert(at, "ZPI|1|VIP^Very important".to_string());
    let at = after(&segments, "PV1");
    segments.insert(at, "ZPV|1|private".to_string());
    segments.join("\r") + "\r"
}

/// Sends `message` in an MLLP frame and returns the ACK's MSA-1.
async fn send(port: u16, message: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let mut frame = vec![0x0b];
    frame.extend_from_slice(message.as_bytes());
    frame.extend_from_slice(&[0x1c, 0x0d]);
    stream.write_all(&frame).await.unwrap();
    let mut answer = Vec::new();
    let mut byte = [0u8; 1];
    while !answer.ends_with(&[0x1c, 0x0d]) {
        let read = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut byte))
            .await
            .expect("an ACK within 10 s")
            .unwrap();
        assert_ne!(read, 0, "the connection closed before the ACK");
        answer.push(byte[0]);
    }
    let ack = Message::parse(&answer[1..answer.len() - 2]).unwrap();
    ack.get("MSA-1").unwrap_or_default().into_owned()
}

/// The example's ports, 2576 in and 2577 out, when both are free; otherwise two free ports,
/// written into the example in place of those (and nothing else changed).
async fn ports() -> (u16, TcpListener) {
    let inbound_free = std::net::TcpListener::bind("127.0.0.1:2576").is_ok();
    match TcpListener::bind("127.0.0.1:2577").await {
        Ok(listener) if inbound_free => (2576, listener),
        _ => {
            eprintln!("2576 or 2577 is taken: the example runs on free ports instead");
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            (common::free_port(), listener)
        }
    }
}

#[tokio::test]
async fn the_adt_to_lab_example_edits_and_sends_on_as_copied() {
    let (inbound, listener) = ports().await;
    let outbound = listener.local_addr().unwrap().port();
    let channel = EXAMPLE
        .replace("127.0.0.1:2576", &format!("127.0.0.1:{inbound}"))
        .replace("127.0.0.1:2577", &format!("127.0.0.1:{outbound}"));
    let mut inbox = common::acknowledging_peer(listener).await;
    let engine = Engine::start(&[
        ("channels/adt-to-lab.toml", channel),
        ("mappings/adt-to-lab.toml", EDIT_LIST.to_string()),
    ])
    .await;
    engine
        .eventually("the channel listens", || async {
            TcpStream::connect(("127.0.0.1", inbound)).await.is_ok()
        })
        .await;

    let sent = hospital_adt("LAB-1");
    assert_eq!(send(inbound, &sent).await, "AA");
    let received = tokio::time::timeout(Duration::from_secs(30), inbox.recv())
        .await
        .expect("the lab receives the message within 30 s")
        .expect("the lab is listening");

    let edited = Message::parse(&received).expect("the edited message parses");
    assert_eq!(edited.get("MSH-5").as_deref(), Some("LAB"));
    assert_eq!(edited.get("MSH-6").as_deref(), Some("LABFAC"));
    assert_eq!(edited.get("PID-3[1].4").as_deref(), Some("GH"));
    assert_eq!(
        edited.get("PID-3[2].4").as_deref(),
        Some("SSA"),
        "only the first repetition"
    );
    let ids: Vec<&str> = edited.segments().map(|s| s.id()).collect();
    assert!(!ids.iter().any(|id| id.starts_with('Z')), "{ids:?}");
    assert_eq!(
        ids.len(),
        14,
        "14 segments of the admit, the 2 Z segments gone"
    );
    let original = Message::parse(sent.as_bytes()).unwrap();
    let untouched: Vec<&[u8]> = original
        .segments()
        .filter(|s| !["MSH", "PID"].contains(&s.id()) && !s.id().starts_with('Z'))
        .map(|s| s.raw())
        .collect();
    let kept: Vec<&[u8]> = edited
        .segments()
        .filter(|s| !["MSH", "PID"].contains(&s.id()))
        .map(|s| s.raw())
        .collect();
    assert_eq!(
        kept, untouched,
        "segments no edit touched are byte-identical"
    );
    assert_eq!(
        String::from_utf8_lossy(edited.header().raw()),
        String::from_utf8_lossy(original.header().raw()).replace("|IFENG|MCM|", "|LAB|LABFAC|")
    );

    let messages = engine.channel_messages("adt-to-lab").await;
    assert_eq!(messages.len(), 1);
    let trail = event_details(&engine.store, messages[0].id, "transformed").await;
    for edit in [
        "edit list 'adt-to-lab', edit 1: set MSH-5 = \"LAB\"",
        "edit list 'adt-to-lab', edit 2: set MSH-6 = \"LABFAC\"",
        "edit list 'adt-to-lab', edit 3: map PID-3[1].4 through 'authority'",
        "edit list 'adt-to-lab', edit 4: remove segments Z*",
    ] {
        assert!(
            trail.iter().any(|line| line == edit),
            "{edit} not in {trail:?}"
        );
    }

    // Not a registration: stored and filtered, nothing reaches the lab.
    let order = sent.replace("ADT^A01^ADT_A01", "ORM^O01^ORM_O01");
    assert_eq!(send(inbound, &order.replace("LAB-1", "LAB-2")).await, "AA");
    assert!(
        tokio::time::timeout(Duration::from_secs(2), inbox.recv())
            .await
            .is_err(),
        "an order is not sent to the lab"
    );
    engine.stop().await;

    if common::hl7apy::present() {
        let written = vec![("adt-to-lab.hl7".to_string(), received)];
        if let Err(failures) = common::hl7apy::validate(&written) {
            panic!("hl7apy rejects the edited message:{failures}");
        }
    }
}

#[tokio::test]
async fn a_channel_naming_a_bad_edit_list_is_refused_with_file_line_and_field() {
    let root = tempfile::tempdir().unwrap();
    let write = |path: &str, text: &str| {
        let path = root.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("config/switchboard.toml", "");
    write(
        "channels/lab.toml",
        "name = \"lab\"\n[source]\ntype = \"mllp\"\nlisten = \"127.0.0.1:9\"\n\
         [transform]\nedit = \"broken\"\n\
         [[destinations]]\ntype = \"mllp\"\nname = \"lab\"\naddress = \"127.0.0.1:9\"\n",
    );
    write(
        "mappings/broken.toml",
        "kind = \"hl7v2-edit\"\n\n[[edit]]\nmap = \"PID-3[1].4\"\ntable = \"authority\"\n",
    );
    let errors = switchboard::channel::deployment::Deployment::load_with_env(root.path(), |_| None)
        .expect_err("the channel is refused")
        .to_string();
    assert!(
        errors.contains("lab.toml:6: transform.edit: ")
            && errors.contains(
                "broken.toml:5: edit[0].table: no table 'authority' in [tables] (there are: none)"
            ),
        "{errors}"
    );
    write(
        "channels/lab.toml",
        "name = \"lab\"\n[source]\ntype = \"mllp\"\nlisten = \"127.0.0.1:9\"\n\
         [transform]\nedit = \"broken\"\nscript = \"other\"\noutput = \"records\"\n\
         [[destinations]]\ntype = \"mllp\"\nname = \"lab\"\naddress = \"127.0.0.1:9\"\n",
    );
    let errors = switchboard::channel::deployment::Deployment::load_with_env(root.path(), |_| None)
        .expect_err("the channel is refused")
        .to_string();
    assert!(
        errors.contains(
            "transform: give exactly one of mapping, edit, script, convert (found edit, script)"
        ) && errors
            .contains("transform.output: an edit list, a script or a conversion hands on HL7 v2"),
        "{errors}"
    );
}

const SCRIPT_EXAMPLE: &str = include_str!("../channels/examples/script-transform.toml");
const LAB_FIXES: &str = include_str!("../mappings/lab-fixes.rhai");
const REGISTRATIONS_ONLY: &str = include_str!("../mappings/registrations-only.rhai");

/// The script example as copied (its port 2579 moved to a free one when taken), with a third
/// script beside it for the failures a script can have.
async fn start_script_example() -> (Engine, u16) {
    let port = if std::net::TcpListener::bind("127.0.0.1:2579").is_ok() {
        2579
    } else {
        eprintln!("2579 is taken: the example runs on a free port instead");
        common::free_port()
    };
    let failing_port = common::free_port();
    let failing = format!(
        "name = \"failing\"\n[source]\ntype = \"mllp\"\nlisten = \"127.0.0.1:{failing_port}\"\n\
         [transform]\nscript = \"failing\"\n\
         [[destinations]]\ntype = \"file\"\nname = \"out\"\nfolder = \"outbox/failing\"\n"
    );
    let engine = Engine::start(&[
        (
            "channels/script-transform.toml",
            SCRIPT_EXAMPLE.replace("127.0.0.1:2579", &format!("127.0.0.1:{port}")),
        ),
        ("mappings/lab-fixes.rhai", LAB_FIXES.to_string()),
        (
            "mappings/registrations-only.rhai",
            REGISTRATIONS_ONLY.to_string(),
        ),
        ("channels/failing.toml", failing),
        (
            "mappings/failing.rhai",
            "// Loops forever on LOOP, divides by zero on ERR.\n\
             let id = msg.get(\"PID-3.1\");\n\
             if id == \"LOOP\" { let n = 0; loop { n += 1; } }\n\
             if id == \"ERR\" { let zero = 0; msg.set(\"PID-5\", `${1 / zero}`); }\n\
             msg.set(\"MSH-5\", \"OK\");\n"
                .to_string(),
        ),
    ])
    .await;
    for listener in [port, failing_port] {
        engine
            .eventually("the channels listen", || async {
                TcpStream::connect(("127.0.0.1", listener)).await.is_ok()
            })
            .await;
    }
    (engine, failing_port)
}

#[tokio::test]
async fn the_script_example_filters_edits_and_fails_one_message_at_a_time() {
    let (engine, failing_port) = start_script_example().await;
    let config = std::fs::read_to_string(engine.path("channels/script-transform.toml")).unwrap();
    let port: u16 = config
        .split("listen = \"127.0.0.1:")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .and_then(|port| port.parse().ok())
        .expect("the example's port");

    // A registration: edited by the script and written for the lab.
    let with_visit = |control: &str| hospital_adt(control).replace("|IN||SELF|", "|IN|V-1|SELF|");
    assert_eq!(send(port, &with_visit("SCRIPT-1")).await, "AA");
    let written = engine.path("data/outbox/lab/SCRIPT-1.hl7");
    engine
        .eventually("the edited admit is written", || async { written.exists() })
        .await;
    let bytes = std::fs::read(&written).unwrap();
    let edited = Message::parse(&bytes).unwrap();
    assert_eq!(edited.get("MSH-5").as_deref(), Some("LAB"));
    assert_eq!(edited.get("PID-5[1].1").as_deref(), Some("O'BRIEN"));
    assert_eq!(edited.get("PID-5[1].2").as_deref(), Some("SEAN"));
    assert_eq!(edited.get("PID-3[1].4").as_deref(), Some("GH"));
    assert_eq!(edited.get("PID-3[2].4").as_deref(), Some("SSA"));
    assert!(!edited.segments().any(|s| s.id().starts_with('Z')));
    let id = engine.channel_messages("script-transform").await[0].id;
    let trail = event_details(&engine.store, id, "transformed").await;
    assert!(
        trail
            .iter()
            .any(|line| line == "script 'lab-fixes': set PID-3[1].4")
            && trail
                .iter()
                .any(|line| line == "script 'lab-fixes': remove segments Z*"),
        "{trail:?}"
    );

    // The filter script: an order does not pass.
    let order = with_visit("SCRIPT-2").replace("ADT^A01^ADT_A01", "ORM^O01^ORM_O01");
    assert_eq!(send(port, &order).await, "AA");
    // The script refuses an admit without a visit number: AE, status error, its line.
    assert_eq!(send(port, &hospital_adt("SCRIPT-3")).await, "AE");
    let messages = engine.channel_messages("script-transform").await;
    let status = |control: &str| {
        messages
            .iter()
            .find(|m| m.control_id.as_deref() == Some(control))
            .map(|m| (m.id, m.status.as_str().to_string()))
            .expect("message stored")
    };
    assert_eq!(status("SCRIPT-2").1, "filtered");
    let (refused, refused_status) = status("SCRIPT-3");
    assert_eq!(refused_status, "error");
    assert_eq!(
        event_details(&engine.store, refused, "error").await,
        ["script 'lab-fixes' failed at line 27: an admit needs a visit number (PV1-19)"]
    );

    // A script that loops forever is stopped; one that errs names its line; the engine serves on.
    let with_id = |control: &str, id: &str| {
        hospital_adt(control).replace("000123456^^^GENHOSP^MR", &format!("{id}^^^GENHOSP^MR"))
    };
    assert_eq!(send(failing_port, &with_id("F-1", "LOOP")).await, "AE");
    assert_eq!(send(failing_port, &with_id("F-2", "ERR")).await, "AE");
    assert_eq!(send(failing_port, &with_id("F-3", "FINE")).await, "AA");
    let failing = engine.channel_messages("failing").await;
    let mut details = Vec::new();
    for control in ["F-1", "F-2"] {
        let id = failing
            .iter()
            .find(|m| m.control_id.as_deref() == Some(control))
            .expect("stored")
            .id;
        details.push(event_details(&engine.store, id, "error").await.join("; "));
    }
    assert_eq!(
        details[0],
        "script 'failing' failed at line 3: stopped after 1000000 operations (the limit of one run)"
    );
    let division = &details[1];
    assert!(
        division.starts_with("script 'failing' failed at line 4: "),
        "{division}"
    );
    engine
        .eventually("the message after the failures is written", || async {
            engine
                .path("data/outbox/failing")
                .read_dir()
                .is_ok_and(|mut d| d.next().is_some())
        })
        .await;
    engine.stop().await;

    if common::hl7apy::present()
        && let Err(failures) = common::hl7apy::validate(&[("script.hl7".to_string(), bytes)])
    {
        panic!("hl7apy rejects the scripted message:{failures}");
    }
}

/// An edit list that changes messages to `version`.
fn version_edit(version: &str) -> switchboard::transform::EditList {
    let text = format!("kind = \"hl7v2-edit\"\n[[edit]]\nversion = \"{version}\"\n");
    switchboard::transform::EditList::parse(
        "to-version",
        std::path::Path::new("mappings/to-version.toml"),
        &text,
    )
    .unwrap()
}

/// `message` through `list`: the edited message.
fn edited(list: &switchboard::transform::EditList, message: &str) -> Vec<u8> {
    list.apply(&Message::parse(message.as_bytes()).unwrap())
        .unwrap_or_else(|rejection| panic!("{rejection:?}"))
        .bytes
}

#[test]
fn adt_and_oru_change_between_2_3_and_2_5_1_and_validate_in_the_target_version() {
    let adt_2_3 = "MSH|^~\\&|REG|GENHOSP|LAB|LABFAC|20261125100000||ADT^A04|V23-1|P|2.3\r\
         EVN|A04|20261125100000\r\
         PID|1||M100^^^GENHOSP^MR||DOE^ANN^Q||19800203|F|||1 MAIN ST^^SPRINGFIELD^IL^62701||555-0100\r\
         PV1|1|O|CLINIC^1^A^GENHOSP||||1234^WELBY^MARCUS|||MED||||1|||1234^WELBY^MARCUS|OP||SELF\r";
    let oru_2_3 = "MSH|^~\\&|LIS|GENHOSP|EHR|GENHOSP|20261125103000||ORU^R01|V23-2|P|2.3\r\
         PID|1||M100^^^GENHOSP^MR||DOE^ANN\r\
         OBR|1|A1|B1|24323-8^Metabolic panel^LN|||20261125083000|||||||||||||||20261125103000||CH|F\r\
         OBX|1|NM|2345-7^Glucose^LN||5.4|mmol/L|3.9-5.6|N|||F\r\
         OBX|2|ST|8251-1^Comment^LN||fasting||||||F\r";
    let up = version_edit("2.5.1");
    let mut written = Vec::new();
    for (name, message) in [("adt", adt_2_3), ("oru", oru_2_3)] {
        let bytes = edited(&up, message);
        let text = String::from_utf8_lossy(&bytes).into_owned();
        assert!(text.contains("|P|2.5.1\r"), "{text}");
        written.push((format!("2.5.1-{name}.hl7"), bytes));
    }
    assert!(String::from_utf8_lossy(&written[0].1).contains("|ADT^A04^ADT_A01|"));
    assert!(String::from_utf8_lossy(&written[1].1).contains("|ORU^R01^ORU_R01|"));

    // Down: 2.5.1 messages written by the engine and the synthetic admit.
    let header = switchboard::outbound::Parties::default().header("C1".into(), 0);
    let oru = serde_json::json!({
        "resourceType": "Observation", "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "2345-7", "display": "Glucose"}]},
        "subject": {"identifier": {"system": "GENHOSP", "value": "M100"}},
        "effectiveDateTime": "2026-11-25T08:30:00",
        "valueCodeableConcept": {"text": "high"}
    });
    let oru_2_5_1 = switchboard::outbound::from_fhir::to_hl7v2(&oru, &header).unwrap();
    // hl7apy knows 2.3 ADT messages by their structure (ADT_A01), which a 2.3 MSH-9 does not
    // name: the admit itself goes down.
    let a01 = hospital_adt("V251-1")
        .replace("EVN|A01|", "EVN||")
        .replace("^I10|", "^I9|")
        .split('\r')
        .filter(|segment| !segment.starts_with('Z'))
        .collect::<Vec<_>>()
        .join("\r");
    let down = version_edit("2.3");
    for (name, message) in [("oru", String::from_utf8(oru_2_5_1).unwrap()), ("adt", a01)] {
        let bytes = edited(&down, &message);
        let text = String::from_utf8_lossy(&bytes).into_owned();
        assert!(
            text.contains("|P|2.3|") || text.contains("|P|2.3\r"),
            "{text}"
        );
        written.push((format!("2.3-{name}.hl7"), bytes));
    }
    let adt = String::from_utf8_lossy(&written[3].1).into_owned();
    assert!(adt.contains("|ADT^A01|"), "{adt}");
    assert!(
        adt.contains("\rEVN|A01|"),
        "EVN-1 is required in 2.3: {adt}"
    );
    assert!(
        adt.contains("|19750412|M||2106-3|"),
        "PID-10 is one value in 2.3: {adt}"
    );
    let oru = String::from_utf8_lossy(&written[2].1).into_owned();
    assert!(oru.contains("\rOBX|1|CE|"), "{oru}");
    // Already in the version: nothing changes; other versions and types are refused.
    assert_eq!(
        edited(&up, &String::from_utf8_lossy(&written[0].1)),
        written[0].1
    );
    let refused = up
        .apply(&Message::parse(b"MSH|^~\\&|A|B|C|D|20261125||ADT^A04|1|P|2.4\rPID|1\r").unwrap())
        .unwrap_err();
    assert!(
        refused
            .reason
            .contains("versions change between 2.3 and 2.5.1"),
        "{}",
        refused.reason
    );
    let refused = up
        .apply(&Message::parse(b"MSH|^~\\&|A|B|C|D|20261125||SIU^S12|1|P|2.3\r").unwrap())
        .unwrap_err();
    assert!(
        refused.reason.contains("ADT and ORU messages only"),
        "{}",
        refused.reason
    );
    if common::hl7apy::present() {
        common::hl7apy::validate(&written).unwrap();
    }
}

/// Counts of what a transform trial must not write: messages, their events, deliveries.
async fn written_rows(store: &switchboard::store::Store) -> Vec<i64> {
    let mut counts = Vec::new();
    for table in ["messages", "message_events", "deliveries"] {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        counts.push(
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_one(store.pool())
                .await
                .unwrap(),
        );
    }
    counts
}

#[tokio::test]
async fn an_operator_tries_the_transform_on_a_stored_or_pasted_message_and_nothing_is_written() {
    let (inbound, lab) = (common::free_port(), common::free_port());
    let channel = EXAMPLE
        .replace("127.0.0.1:2576", &format!("127.0.0.1:{inbound}"))
        .replace("127.0.0.1:2577", &format!("127.0.0.1:{lab}"));
    let engine = Engine::start(&[
        ("channels/adt-to-lab.toml", channel),
        ("mappings/adt-to-lab.toml", EDIT_LIST.to_string()),
    ])
    .await;
    engine
        .eventually("the channel listens", || async {
            TcpStream::connect(("127.0.0.1", inbound)).await.is_ok()
        })
        .await;
    let sent = hospital_adt("TRY-1");
    assert_eq!(send(inbound, &sent).await, "AA");
    let stored = engine.channel_messages("adt-to-lab").await[0].id;
    let (_, viewer) = engine
        .store
        .create_token("viewer", switchboard::store::tokens::Role::Viewer, None)
        .await
        .unwrap();

    // The transform as deployed, with its edit list's text; a viewer may read it.
    let view: serde_json::Value = common::client()
        .get(format!("{}/api/channels/adt-to-lab/transform", engine.url))
        .bearer_auth(&viewer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(view["kind"], "edit", "{view}");
    assert_eq!(view["config"]["edit"], "adt-to-lab", "{view}");
    assert_eq!(view["file"], "mappings/adt-to-lab.toml", "{view}");
    assert_eq!(view["text"], EDIT_LIST, "{view}");

    let before = written_rows(&engine.store).await;
    let test = |body: serde_json::Value| {
        engine
            .api(
                reqwest::Method::POST,
                "/api/channels/adt-to-lab/transform/test",
            )
            .json(&body)
            .send()
    };
    // A stored message, by id.
    let trial: serde_json::Value = test(serde_json::json!({ "message_id": stored }))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(trial["input"], sent.as_str(), "{trial}");
    assert!(trial["error"].is_null(), "{trial}");
    let output = trial["output"].as_str().unwrap();
    let edited = Message::parse(output.as_bytes()).unwrap();
    assert_eq!(edited.get("MSH-5").as_deref(), Some("LAB"));
    assert_eq!(edited.get("PID-3[1].4").as_deref(), Some("GH"));
    assert!(!edited.segments().any(|s| s.id().starts_with('Z')));
    assert_eq!(
        trial["trail"][0], "edit list 'adt-to-lab', edit 1: set MSH-5 = \"LAB\"",
        "{trial}"
    );

    // A pasted message with an edited list, before saving it: an edit whose `when` does not
    // hold and one with nothing to edit are named with why.
    let edit_list = EDIT_LIST.replace("value = \"LAB\"", "value = \"LAB2\"")
        + "\n[[edit]]\nset = \"PV1-3.4\"\nvalue = \"X\"\nwhen = { \"MSH-9.2\" = \"A08\" }\n\
           \n[[edit]]\nclear = \"IN2-1\"\n";
    let trial: serde_json::Value = test(serde_json::json!({
        "message": hospital_adt("TRY-2"),
        "transform": edit_list,
    }))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let edited = Message::parse(trial["output"].as_str().unwrap().as_bytes()).unwrap();
    assert_eq!(edited.get("MSH-5").as_deref(), Some("LAB2"), "{trial}");
    let trail: Vec<&str> = trial["trail"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|line| line.as_str())
        .collect();
    assert!(
        trail.contains(&"edit list 'adt-to-lab': edits 5 did not apply: a `when` did not hold")
            && trail.contains(
                &"edit list 'adt-to-lab': edits 6 did not apply: nothing to edit (no such segment or value)"
            ),
        "{trail:?}"
    );

    // A message the transform cannot work with says why, as the channel would record it.
    let trial: serde_json::Value = test(serde_json::json!({ "message": "PID|1||X" }))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(trial["output"].is_null(), "{trial}");
    assert!(!trial["error"].as_str().unwrap().is_empty(), "{trial}");

    // An edited list with a problem is refused with its line; so is a body naming no message.
    let refused = test(serde_json::json!({
        "message_id": stored,
        "transform": "kind = \"hl7v2-edit\"\n[[edit]]\nset = \"MSH-5\"\n",
    }))
    .await
    .unwrap();
    assert_eq!(refused.status(), 422);
    let refused: serde_json::Value = refused.json().await.unwrap();
    assert!(
        refused["problems"][0]["text"]
            .as_str()
            .unwrap()
            .contains("mappings/adt-to-lab.toml:2"),
        "{refused}"
    );
    assert_eq!(test(serde_json::json!({})).await.unwrap().status(), 400);
    let missing = test(serde_json::json!({ "message_id": 999_999 }))
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);

    // An operator's action: a viewer is refused, and each try is in the audit log.
    let forbidden = common::client()
        .post(format!(
            "{}/api/channels/adt-to-lab/transform/test",
            engine.url
        ))
        .bearer_auth(&viewer)
        .json(&serde_json::json!({ "message_id": stored }))
        .send()
        .await
        .unwrap();
    assert_eq!(forbidden.status(), 403);
    let audit = engine
        .get_json("/api/audit?resource=/api/channels/adt-to-lab/transform/test")
        .await;
    let entries = audit["entries"].as_array().unwrap();
    assert!(
        entries
            .iter()
            .filter(|e| e["action"] == "POST" && e["outcome"] == 200)
            .count()
            >= 3,
        "{audit}"
    );
    assert!(entries.iter().any(|e| e["outcome"] == 403), "{audit}");

    // Nothing was stored, recorded or queued by the tries.
    assert_eq!(written_rows(&engine.store).await, before);
    engine.stop().await;
}
