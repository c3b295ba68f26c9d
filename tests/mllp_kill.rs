//! The engine killed with SIGKILL in the middle of a load: after a restart, every message that
//! was acknowledged is in the store.

mod common;

use std::collections::VecDeque;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures::{SinkExt, StreamExt};
use switchboard::channel::mllp::MllpClient;
use switchboard::hl7v2::{MllpCodec, MllpFrame};
use tokio_util::codec::Framed;

fn start_engine(root: &std::path::Path, http_port: u16) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .arg("--root")
        .arg(root)
        .arg("serve")
        .env("SWITCHBOARD_HTTP_ADDR", format!("127.0.0.1:{http_port}"))
        .env_remove("SWITCHBOARD_STORE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the engine")
}

/// The `n`th message of a sender, with control id `K{connection}-{n}`.
fn message(connection: usize, n: usize) -> (String, String) {
    let control = format!("K{connection}-{n}");
    let message = format!(
        "MSH|^~\\&|EHR|HOSP|SB|SB|20261125||ADT^A08|{control}|P|2.5\rPID|1||M{connection}-{n}\r"
    );
    (control, message)
}

/// Sends messages one at a time, each after the last one's ACK, until the engine is gone.
async fn send_waiting(address: &str, connection: usize, acknowledged: &Mutex<Vec<String>>) {
    let mut client = MllpClient::new(address);
    for n in 0.. {
        let (control, message) = message(connection, n);
        match client
            .exchange(message.as_bytes(), Duration::from_secs(5))
            .await
        {
            Ok(ack) if String::from_utf8_lossy(&ack).contains("MSA|AA|") => {
                acknowledged.lock().unwrap().push(control);
            }
            _ => return,
        }
    }
}

/// Sends messages keeping four unacknowledged, until the engine is gone; each ACK must be for
/// the oldest message waiting.
async fn send_pipelined(address: &str, connection: usize, acknowledged: &Mutex<Vec<String>>) {
    let Ok(stream) = tokio::net::TcpStream::connect(address).await else {
        return;
    };
    let mut framed = Framed::new(stream, MllpCodec::new());
    let mut waiting = VecDeque::new();
    for n in 0.. {
        let (control, message) = message(connection, n);
        if framed.send(Bytes::from(message)).await.is_err() {
            return;
        }
        waiting.push_back(control);
        if waiting.len() < 4 {
            continue;
        }
        let Ok(Some(Ok(MllpFrame::Message(ack)))) =
            tokio::time::timeout(Duration::from_secs(5), framed.next()).await
        else {
            return;
        };
        let oldest = waiting.pop_front().unwrap_or_default();
        if !String::from_utf8_lossy(&ack).contains(&format!("MSA|AA|{oldest}|")) {
            return;
        }
        acknowledged.lock().unwrap().push(oldest);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_message_survives_sigkill() {
    let root = tempfile::tempdir().unwrap();
    let (mllp_port, http_port) = (common::free_port(), common::free_port());
    std::fs::create_dir_all(root.path().join("channels")).unwrap();
    std::fs::write(
        root.path().join("channels/in.toml"),
        format!(
            "name = \"in\"\n[source]\ntype = \"mllp\"\nlisten = \"127.0.0.1:{mllp_port}\"\n\
             [[destinations]]\ntype = \"file\"\nname = \"out\"\nfolder = \"out\"\n"
        ),
    )
    .unwrap();
    let mut engine = start_engine(root.path(), http_port);
    let address = format!("127.0.0.1:{mllp_port}");
    common::eventually("the MLLP port listens", Duration::from_secs(30), || async {
        tokio::net::TcpStream::connect(&address).await.is_ok()
    })
    .await;

    // Two senders wait for each ACK; two keep four messages in flight.
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let mut senders = Vec::new();
    for connection in 0..4 {
        let (address, acknowledged) = (address.clone(), acknowledged.clone());
        senders.push(tokio::spawn(async move {
            if connection % 2 == 0 {
                send_waiting(&address, connection, &acknowledged).await;
            } else {
                send_pipelined(&address, connection, &acknowledged).await;
            }
        }));
    }
    common::eventually(
        "some messages are acknowledged",
        Duration::from_secs(30),
        || async { acknowledged.lock().unwrap().len() >= 200 },
    )
    .await;
    let killed = Command::new("kill")
        .args(["-KILL", &engine.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let _ = engine.wait();
    for sender in senders {
        let _ = sender.await;
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= 200);
    for sender in ["K0-", "K1-"] {
        assert!(
            acknowledged.iter().any(|c| c.starts_with(sender)),
            "{sender} sent nothing that was acknowledged"
        );
    }

    // Restart on the same store: it comes up, and every acknowledged message is there.
    let mut engine = start_engine(root.path(), http_port);
    common::eventually("the engine is back", Duration::from_secs(30), || async {
        reqwest::get(format!("http://127.0.0.1:{http_port}/health"))
            .await
            .is_ok_and(|r| r.status().is_success())
    })
    .await;
    let store = switchboard::store::Store::connect(
        &format!(
            "sqlite://{}",
            root.path().join("data/switchboard.db").display()
        ),
        1,
    )
    .await
    .unwrap();
    let stored: Vec<String> =
        sqlx::query_scalar("SELECT control_id FROM messages WHERE channel = 'in'")
            .fetch_all(store.pool())
            .await
            .unwrap();
    let stored: std::collections::HashSet<String> = stored.into_iter().collect();
    let missing: Vec<&String> = acknowledged
        .iter()
        .filter(|c| !stored.contains(*c))
        .collect();
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged messages are missing, e.g. {:?}",
        missing.len(),
        acknowledged.len(),
        missing.iter().take(5).collect::<Vec<_>>()
    );
    store.close().await;
    let _ = Command::new("kill")
        .args(["-TERM", &engine.id().to_string()])
        .status();
    let _ = engine.wait();
}
