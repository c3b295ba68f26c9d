//! The shipped configuration gives a newcomer a working setup: HL7 v2 over MLLP on 2575 and
//! over HTTP on 8081 into the canonical store, and the X12 inbox/archive folders under data/.

mod common;

use std::path::Path;
use std::time::Duration;

use common::file_names;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn the_default_channels_work_out_of_the_box() {
    let engine = common::start_shipped().await;
    let adt = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/hl7v2/adt-a01-fhir-converter.hl7"),
    )
    .unwrap();
    let mut stream = tokio::net::TcpStream::connect("127.0.0.1:2575")
        .await
        .unwrap();
    let mut frame = vec![0x0b];
    frame.extend(adt.iter().map(|b| if *b == b'\n' { b'\r' } else { *b }));
    frame.extend([0x1c, 0x0d]);
    stream.write_all(&frame).await.unwrap();
    let mut ack = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut ack))
        .await
        .unwrap()
        .unwrap();
    let ack = String::from_utf8_lossy(&ack[..n]);
    assert!(ack.contains("MSA|AA|MSG00001"), "{ack}");
    engine
        .eventually("the sample's patient is in the store", || async {
            engine.has_patient("PATID1234").await
        })
        .await;

    // A DFT^P03 sample sent with `switchboard send`: patient, visit, coverage and charges.
    let sent = tokio::process::Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(["send", "--mllp", "127.0.0.1:2575"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/hl7v2/dft-p03-switchboard.hl7"))
        .output()
        .await
        .unwrap();
    assert!(
        sent.status.success(),
        "{}",
        String::from_utf8_lossy(&sent.stdout)
    );
    engine
        .eventually("the DFT patient is stored", || async {
            engine.has_patient("MRN100").await
        })
        .await;
    let found = engine.get_json("/api/patients?identifier=MRN100").await;
    let id = found["patients"][0]["id"].as_i64().unwrap();
    let path = format!("/api/patients/{id}");
    engine
        .eventually("the charges are on the bill", || async {
            engine.get_json(&path).await["bills"][0]["lines"]
                .as_array()
                .is_some_and(|l| l.len() == 2)
        })
        .await;
    let record = engine.get_json(&path).await;
    assert_eq!(record["family_name"], "O'Brien", "{record}");
    assert_eq!(record["encounters"][0]["visit_number"], "V5001", "{record}");
    assert_eq!(
        record["encounters"][0]["diagnosis_codes"][0], "J06.9",
        "{record}"
    );
    assert_eq!(record["coverages"][0]["member_id"], "MEM12345", "{record}");
    assert_eq!(record["coverages"][0]["payer_id"], "HMO1", "{record}");
    assert_eq!(record["bills"][0]["total_cents"], 18050, "{record}");
    assert_eq!(
        record["bills"][0]["lines"][0]["modifiers"][0], "25",
        "{record}"
    );

    // A lab result is stored, acknowledged, and routed to the store (its resources kept).
    let oru = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/hl7v2/oru-r01-fhir-converter.hl7"),
    )
    .unwrap();
    let mut frame = vec![0x0b];
    frame.extend(oru.iter().map(|b| if *b == b'\n' { b'\r' } else { *b }));
    frame.extend([0x1c, 0x0d]);
    stream.write_all(&frame).await.unwrap();
    let mut ack = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut ack))
        .await
        .unwrap()
        .unwrap();
    let ack = String::from_utf8_lossy(&ack[..n]);
    assert!(ack.contains("MSA|AA|"), "{ack}");
    assert!(!ack.contains("filtered"), "{ack}");

    // An unknown message type (a master file notification) is stored and acknowledged, but
    // routed nowhere.
    let mfn = b"MSH|^~\\&|LAB|HOSP|EHR|HOSP|20260101120000||MFN^M02|MFN1|P|2.5\rMFI|PRA||UPD\r";
    let mut frame = vec![0x0b];
    frame.extend(mfn);
    frame.extend([0x1c, 0x0d]);
    stream.write_all(&frame).await.unwrap();
    let mut answer = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut answer))
        .await
        .unwrap()
        .unwrap();
    let ack = String::from_utf8_lossy(&answer[..n]);
    assert!(ack.contains("MSA|AA|MFN1"), "{ack}");
    assert!(ack.contains("filtered"), "{ack}");

    // HL7 v2 over HTTP on 8081 needs a token.
    let message =
        "MSH|^~\\&|EHR|HOSP|SB|SB|20261125||ADT^A04|H1|P|2.5\rPID|1||MRN-H1^^^HOSP^MR||Doe^Jo\r";
    let client = common::client();
    let anonymous = client
        .post("http://127.0.0.1:8081/")
        .body(message)
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), reqwest::StatusCode::UNAUTHORIZED);
    let accepted = client
        .post("http://127.0.0.1:8081/")
        .bearer_auth(&engine.admin)
        .body(message)
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), reqwest::StatusCode::ACCEPTED);

    // FHIR over HTTP on 8082: Patients are upserted, other resources filtered.
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/fhir");
    let patient = client
        .post("http://127.0.0.1:8082/")
        .bearer_auth(&engine.admin)
        .header("content-type", "application/fhir+json")
        .body(std::fs::read(samples.join("patient-carin.json")).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(patient.status(), reqwest::StatusCode::ACCEPTED);
    let coverage = client
        .post("http://127.0.0.1:8082/")
        .bearer_auth(&engine.admin)
        .body(std::fs::read(samples.join("coverage-carin.json")).unwrap())
        .send()
        .await
        .unwrap();
    let coverage: serde_json::Value = coverage.json().await.unwrap();
    assert_eq!(coverage["status"], "filtered", "{coverage}");
    engine
        .eventually("the FHIR patient is in the store", || async {
            engine.has_patient("88897664101").await
        })
        .await;
    assert!(
        engine.path("data/outbox/x12").is_dir(),
        "the X12 outbox folder exists"
    );

    // X12 files dropped in data/inbox/x12 are archived and moved to processed/.
    let inbox = engine.path("data/inbox/x12");
    engine
        .eventually("the X12 inbox exists", || async { inbox.exists() })
        .await;
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/x12/835-managed-care.x12"),
        inbox.join("remit.x12"),
    )
    .unwrap();
    let archive = engine.path("data/archive/x12");
    common::eventually("the 835 is archived", Duration::from_secs(30), || async {
        file_names(&archive).len() == 1
    })
    .await;
    assert_eq!(file_names(&inbox.join("processed")), ["remit.x12"]);
    engine.stop().await;
}
