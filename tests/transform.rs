//! Transforms that hand HL7 v2 on: the example channel `channels/examples/adt-to-lab.toml`
//! run as copied, between a real MLLP sender and a real MLLP listener standing in for the lab;
//! every message the transform writes is checked by hl7apy's strict validation.

mod common;

use std::time::Duration;

use common::{Engine, event_details};
use futures::{SinkExt, StreamExt};
use switchboard::hl7v2::{
    AckCode, AckDetails, Message, MllpCodec, MllpFrame, build_ack, next_control_id,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_util::codec::Framed;

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

/// A lab system: an MLLP listener that acknowledges each message (AA) and hands it on.
async fn lab(listener: TcpListener) -> mpsc::UnboundedReceiver<Vec<u8>> {
    let (received, inbox) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let received = received.clone();
            tokio::spawn(async move {
                let mut framed = Framed::new(stream, MllpCodec::new());
                while let Some(Ok(MllpFrame::Message(frame))) = framed.next().await {
                    let payload = frame.to_vec();
                    let message = Message::parse(&payload).expect("the lab gets HL7 v2");
                    let ack = build_ack(
                        &message,
                        &AckDetails {
                            code: AckCode::ApplicationAccept,
                            control_id: &next_control_id(),
                            timestamp: "20240315083001",
                            text: None,
                            errors: &[],
                        },
                    );
                    let _ = received.send(payload);
                    if framed.send(ack).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    inbox
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
    let mut inbox = lab(listener).await;
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
    let trail = event_details(&engine.store, messages[0].id, "routed").await;
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
         [transform]\nedit = \"broken\"\nmapping = \"hl7v2-canonical\"\noutput = \"records\"\n\
         [[destinations]]\ntype = \"mllp\"\nname = \"lab\"\naddress = \"127.0.0.1:9\"\n",
    );
    let errors = switchboard::channel::deployment::Deployment::load_with_env(root.path(), |_| None)
        .expect_err("the channel is refused")
        .to_string();
    assert!(
        errors.contains("transform: give exactly one of mapping, edit (found mapping, edit)")
            && errors.contains("transform.output: an edit list hands on HL7 v2"),
        "{errors}"
    );
}
