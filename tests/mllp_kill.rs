//! The engine killed with SIGKILL in the middle of a load: after a restart, every message that
//! was acknowledged is in the store, and deliveries the killed process had in hand resume at
//! once.

mod common;

use std::collections::VecDeque;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures::{SinkExt, StreamExt};
use switchboard::channel::mllp::MllpClient;
use switchboard::hl7v2::{MllpCodec, MllpFrame};
use tokio_util::codec::Framed;

/// Sends the engine `signal` (`-KILL`, `-TERM`) and waits until it is gone.
fn stop_engine(engine: &mut std::process::Child, signal: &str) {
    let sent = Command::new("kill")
        .args([signal, &engine.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let _ = engine.wait();
}

/// A second pool on the engine's SQLite store under `root`.
async fn open_store(root: &std::path::Path) -> switchboard::store::Store {
    let url = format!("sqlite://{}", root.join("data/switchboard.db").display());
    switchboard::store::Store::connect(&url, 1).await.unwrap()
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
    let mut engine = common::spawn_engine(root.path(), http_port);
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
    stop_engine(&mut engine, "-KILL");
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
    let mut engine = common::spawn_engine(root.path(), http_port);
    common::eventually("the engine is back", Duration::from_secs(30), || async {
        reqwest::get(format!("http://127.0.0.1:{http_port}/health"))
            .await
            .is_ok_and(|r| r.status().is_success())
    })
    .await;
    let store = open_store(root.path()).await;
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
    stop_engine(&mut engine, "-TERM");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_in_flight_when_the_engine_is_killed_resumes_at_once_after_a_restart() {
    let root = tempfile::tempdir().unwrap();
    let (mllp_port, http_port, partner_port) = (
        common::free_port(),
        common::free_port(),
        common::free_port(),
    );
    std::fs::create_dir_all(root.path().join("channels")).unwrap();
    std::fs::write(
        root.path().join("channels/relay.toml"),
        format!(
            "name = \"relay\"\n[source]\ntype = \"mllp\"\nlisten = \"127.0.0.1:{mllp_port}\"\n\
             [[destinations]]\ntype = \"http\"\nname = \"partner\"\n\
             url = \"http://127.0.0.1:{partner_port}/in\"\ntimeout_seconds = 300\n"
        ),
    )
    .unwrap();
    let received: common::Received = Arc::default();
    let hang = Arc::new(AtomicBool::new(true));
    let server = common::recording_partner(partner_port, received.clone(), hang.clone()).await;
    let mut engine = common::spawn_engine(root.path(), http_port);
    let address = format!("127.0.0.1:{mllp_port}");
    common::eventually("the MLLP port listens", Duration::from_secs(30), || async {
        tokio::net::TcpStream::connect(&address).await.is_ok()
    })
    .await;

    // The first message is in flight to a partner that does not answer; two more wait
    // behind it in the ordered queue.
    let mut client = MllpClient::new(&address);
    let mut send = async |n: usize| {
        let (control, message) = message(9, n);
        let ack = client
            .exchange(message.as_bytes(), Duration::from_secs(10))
            .await
            .unwrap();
        assert!(String::from_utf8_lossy(&ack).contains("MSA|AA|"));
        control
    };
    let first = send(0).await;
    common::eventually(
        "the first delivery is in flight",
        Duration::from_secs(30),
        || async { received.lock().unwrap().iter().any(|(c, _)| *c == first) },
    )
    .await;
    let waiting = [send(1).await, send(2).await];
    let node_file = root.path().join("data/node-id");
    let node = std::fs::read_to_string(&node_file).unwrap();
    assert!(!node.trim().is_empty());

    stop_engine(&mut engine, "-KILL");
    hang.store(false, Ordering::SeqCst);

    // Restarted on the same root, the engine is the same node and sends at once what its
    // killed process had leased (the lease would otherwise hold it for 12 s).
    let restarted = std::time::Instant::now();
    let mut engine = common::spawn_engine(root.path(), http_port);
    let answered = |control: &str| common::answered(&received, control);
    common::eventually(
        "every message is delivered",
        Duration::from_secs(60),
        || async { answered(&first) > 0 && waiting.iter().all(|c| answered(c) > 0) },
    )
    .await;
    let resumed = restarted.elapsed();
    eprintln!("deliveries resumed {resumed:?} after the restart");
    assert!(
        resumed < Duration::from_secs(10),
        "the deliveries took {resumed:?} to resume"
    );
    assert_eq!(
        std::fs::read_to_string(&node_file).unwrap(),
        node,
        "the same node id"
    );

    // At least once: the message in flight at the kill is sent again; nothing else twice,
    // and the queue kept its order.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let log = received.lock().unwrap().clone();
    let after_restart: Vec<&String> = log.iter().filter(|(_, a)| *a).map(|(c, _)| c).collect();
    assert_eq!(after_restart, [&first, &waiting[0], &waiting[1]], "{log:?}");
    assert_eq!(log.len(), 4, "{log:?}");

    let store = open_store(root.path()).await;
    let first_id: i64 = sqlx::query_scalar("SELECT id FROM messages WHERE control_id = $1")
        .bind(&first)
        .fetch_one(store.pool())
        .await
        .unwrap();
    let reclaimed = common::event_details(&store, first_id, "reclaimed").await;
    assert_eq!(reclaimed.len(), 1, "{reclaimed:?}");
    common::eventually(
        "every delivery is recorded sent",
        Duration::from_secs(10),
        || async {
            let statuses: Vec<String> = sqlx::query_scalar(
                "SELECT status FROM deliveries WHERE channel = 'relay' ORDER BY id",
            )
            .fetch_all(store.pool())
            .await
            .unwrap();
            statuses == ["sent", "sent", "sent"]
        },
    )
    .await;
    store.close().await;
    stop_engine(&mut engine, "-TERM");
    server.abort();
}
