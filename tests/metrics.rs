//! `/metrics` after real traffic: one ADT over MLLP and one over HTTP through the shipped
//! channels count in the ACK latency histogram of each channel, and their store deliveries in
//! the delivery latency histogram of each destination.

mod common;

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn adt(control: &str, mrn: &str) -> String {
    format!(
        "MSH|^~\\&|EHR|HOSP|SB|SB|20261125101500||ADT^A01^ADT_A01|{control}|P|2.5\r\
         PID|1||{mrn}^^^HOSP^MR||Lovelace^Ada||19801210|F\r\
         PV1|1|I|W1^101^A||||1234567893^Who^Doctor||||||||||||V-{mrn}\r"
    )
}

/// The value of the sample line that starts with `series ` in the exposition `text`.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|value| value.trim().parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ack_and_delivery_latency_histograms_count_real_traffic() {
    let (mllp_port, http_port) = (common::free_port(), common::free_port());
    let files = common::shipped_files_on_free_ports(mllp_port, http_port);
    let borrowed: Vec<(&str, String)> =
        files.iter().map(|(p, t)| (p.as_str(), t.clone())).collect();
    let engine = common::Engine::start(&borrowed).await;
    engine
        .eventually("MLLP listens", || async {
            TcpStream::connect(("127.0.0.1", mllp_port)).await.is_ok()
        })
        .await;

    // One ADT over MLLP, answered with its ACK.
    let mut stream = TcpStream::connect(("127.0.0.1", mllp_port)).await.unwrap();
    let mut frame = vec![0x0b];
    frame.extend_from_slice(adt("MET-1", "MRN-MET-1").as_bytes());
    frame.extend_from_slice(&[0x1c, 0x0d]);
    stream.write_all(&frame).await.unwrap();
    let mut ack = Vec::new();
    while !ack.ends_with(&[0x1c, 0x0d]) {
        let mut byte = [0u8; 1];
        let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut byte))
            .await
            .expect("an ACK within 10 s")
            .unwrap();
        assert!(n == 1, "the connection closed before the ACK");
        ack.push(byte[0]);
    }
    assert!(String::from_utf8_lossy(&ack).contains("MSA|AA|MET-1"));

    // One ADT over HTTP.
    let answer = common::client()
        .post(format!("http://127.0.0.1:{http_port}/"))
        .bearer_auth(&engine.admin)
        .header("content-type", "application/hl7-v2")
        .body(adt("MET-2", "MRN-MET-2"))
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success(), "{:?}", answer.text().await);

    let delivered = |channel: &str| {
        format!(
            "switchboard_delivery_latency_seconds_count{{channel=\"{channel}\",destination=\"canonical\"}}"
        )
    };
    let mut text = String::new();
    for _ in 0..100 {
        text = engine.get_text("/metrics").await;
        if sample(&text, &delivered("hl7v2-mllp-inbound")) == Some(1.0)
            && sample(&text, &delivered("hl7v2-http-inbound")) == Some(1.0)
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for channel in ["hl7v2-mllp-inbound", "hl7v2-http-inbound"] {
        assert_eq!(sample(&text, &delivered(channel)), Some(1.0), "{text}");
        let acked = format!("switchboard_ack_latency_seconds_count{{channel=\"{channel}\"}}");
        assert_eq!(sample(&text, &acked), Some(1.0), "{text}");
        let waited = format!("switchboard_ack_latency_seconds_sum{{channel=\"{channel}\"}}");
        let seconds = sample(&text, &waited).expect("a sum");
        assert!(seconds > 0.0 && seconds < 10.0, "{seconds}");
        let inf =
            format!("switchboard_ack_latency_seconds_bucket{{le=\"+Inf\",channel=\"{channel}\"}}");
        assert_eq!(sample(&text, &inf), Some(1.0), "{text}");
    }
    // A file channel answers nobody: it has no ACK latency.
    assert!(
        !text.contains("switchboard_ack_latency_seconds_count{channel=\"x12-inbox\"}"),
        "{text}"
    );
    assert!(text.contains("# TYPE switchboard_ack_latency_seconds histogram"));
    engine.stop().await;
}
