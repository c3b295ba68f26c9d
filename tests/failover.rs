//! Engine nodes on one PostgreSQL database; the node sending an ordered queue is killed
//! with SIGKILL. Another node takes the queue over once the dead node's leases run out,
//! delivers everything in order (only the message in flight at the kill may arrive twice), and
//! the node list shows the dead node as gone; with three nodes under MLLP traffic, nothing
//! acknowledged is lost. A node cut off from its database stops sending in time.

mod common;

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use switchboard::channel::mllp::MllpClient;
use switchboard::store::nodes::NodeState;

/// A partner on a free port that records every request and, while `hang` is set, never
/// answers; its port.
async fn partner(received: common::Received, hang: Arc<AtomicBool>) -> u16 {
    let port = common::free_port();
    common::recording_partner(port, received, hang).await;
    port
}

/// A node: a deployment root on the database at `store_url` relaying MLLP to the partner.
struct Node {
    root: tempfile::TempDir,
    mllp: String,
    http: String,
    process: std::process::Child,
}

/// A deployment root on the database at `store_url` whose channel `relay` takes MLLP on a
/// free port and sends it on, in an ordered queue, to the HTTP partner on `partner_port`; the
/// root and the MLLP address.
fn relay_root(store_url: &str, partner_port: u16) -> (tempfile::TempDir, String) {
    let root = tempfile::tempdir().unwrap();
    let mllp_port = common::free_port();
    for (path, text) in [
        (
            "config/switchboard.toml",
            format!("[store]\nurl = \"{store_url}\"\n[log]\nlevel = \"warn\"\n"),
        ),
        (
            "channels/relay.toml",
            format!(
                "name = \"relay\"\n[source]\ntype = \"mllp\"\nlisten = \"127.0.0.1:{mllp_port}\"\n\
                 [[destinations]]\ntype = \"http\"\nname = \"partner\"\n\
                 url = \"http://127.0.0.1:{partner_port}/in\"\ntimeout_seconds = 300\n"
            ),
        ),
    ] {
        let path = root.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    (root, format!("127.0.0.1:{mllp_port}"))
}

impl Node {
    fn start(store_url: &str, partner_port: u16) -> Node {
        let (root, mllp) = relay_root(store_url, partner_port);
        let http_port = common::free_port();
        let process = common::spawn_engine(root.path(), http_port);
        Node {
            root,
            mllp,
            http: format!("127.0.0.1:{http_port}"),
            process,
        }
    }

    async fn listening(&self) {
        common::eventually(
            "the node's MLLP port listens",
            Duration::from_secs(60),
            || async { tokio::net::TcpStream::connect(&self.mllp).await.is_ok() },
        )
        .await;
    }

    fn signal(&mut self, signal: &str) {
        let sent = Command::new("kill")
            .args([signal, &self.process.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let _ = self.process.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_node_s_ordered_queue_is_taken_over_by_the_other_node() {
    let Some(pg) = common::postgres_store().await else {
        return;
    };
    let received: common::Received = Arc::default();
    let hang = Arc::new(AtomicBool::new(true));
    let partner_port = partner(received.clone(), hang.clone()).await;
    let mut a = Node::start(&pg.url, partner_port);
    a.listening().await;

    // Node a takes three messages; the first is in flight to a partner that does not answer,
    // the other two wait behind it in the ordered queue.
    let mut client = MllpClient::new(&a.mllp);
    let mut sent = Vec::new();
    for n in 0..3 {
        let control = format!("F{n}");
        let message =
            format!("MSH|^~\\&|EHR|HOSP|SB|SB|20261205||ADT^A08|{control}|P|2.5\rPID|1||F{n}\r");
        let ack = client
            .exchange(message.as_bytes(), Duration::from_secs(10))
            .await
            .unwrap();
        assert!(String::from_utf8_lossy(&ack).contains("MSA|AA|"));
        sent.push(control);
    }
    common::eventually(
        "the first delivery is in flight",
        Duration::from_secs(30),
        || async { received.lock().unwrap().iter().any(|(c, _)| *c == sent[0]) },
    )
    .await;
    // Node b starts once node a holds the queue: the message in flight is node a's.
    let mut b = Node::start(&pg.url, partner_port);
    b.listening().await;

    a.signal("-KILL");
    let killed = Instant::now();
    hang.store(false, Ordering::SeqCst);
    let answered = |control: &str| common::answered(&received, control);
    let deadline = Instant::now() + Duration::from_secs(90);
    while !sent.iter().all(|control| answered(control) > 0) {
        if Instant::now() > deadline {
            let deliveries: Vec<(i64, String, Option<String>, Option<i64>)> = sqlx::query_as(
                "SELECT id, status, lease_owner, lease_until FROM deliveries ORDER BY id",
            )
            .fetch_all(pg.store.pool())
            .await
            .unwrap();
            let nodes = pg.store.nodes().await.unwrap();
            let log = received.lock().unwrap().clone();
            panic!(
                "node b did not deliver node a's queue: received {log:?}, deliveries {deliveries:?}, nodes {nodes:?}"
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let took_over = killed.elapsed();
    eprintln!("node b took over {took_over:?} after node a was killed");
    assert!(
        took_over < Duration::from_secs(30),
        "the takeover took {took_over:?} (leases last 12 s)"
    );

    // In order, and nothing twice except the message in flight at the kill.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let log = received.lock().unwrap().clone();
    let delivered: Vec<&String> = log.iter().filter(|(_, a)| *a).map(|(c, _)| c).collect();
    assert_eq!(delivered, [&sent[0], &sent[1], &sent[2]], "{log:?}");

    // The node list shows a gone and b live.
    let a_http = a.http.clone();
    common::eventually(
        "node a is listed as gone",
        Duration::from_secs(30),
        || async {
            pg.store
                .nodes()
                .await
                .unwrap()
                .iter()
                .any(|node| node.http_address == a_http && node.state == NodeState::Gone)
        },
    )
    .await;
    let nodes = pg.store.nodes().await.unwrap();
    let b_node = nodes
        .iter()
        .find(|node| node.http_address == b.http)
        .unwrap();
    assert_eq!(b_node.state, NodeState::Live);
    b.signal("-TERM");
    drop(a.root);
}

/// A node cut off from its database stops sending before its delivery leases can run out, so
/// that another node never sends a delivery while it still does (fencing).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_cut_off_from_the_database_stops_sending_before_its_leases_run_out() {
    use tokio::io::AsyncReadExt;

    let Some(pg) = common::postgres_store().await else {
        return;
    };
    let (written, target) = common::proxy::pg_addr(&pg.url);
    let mut proxy = common::proxy::Proxy::start(target).await;
    let through_proxy = pg.url.replacen(&written, &proxy.addr.to_string(), 1);
    // A partner that reads the request and never answers.
    let partner = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let partner_port = partner.local_addr().unwrap().port();
    let (mllp_port, http_port) = (common::free_port(), common::free_port());
    let engine = common::Engine::start(&[
        (
            "config/switchboard.toml",
            format!(
                "[store]\nurl = \"{through_proxy}\"\n[http]\nlisten = \"127.0.0.1:{http_port}\"\n\
                 [log]\nlevel = \"error\"\n"
            ),
        ),
        (
            "channels/relay.toml",
            format!(
                "name = \"relay\"\n[source]\ntype = \"mllp\"\nlisten = \"127.0.0.1:{mllp_port}\"\n\
                 [[destinations]]\ntype = \"http\"\nname = \"partner\"\n\
                 url = \"http://127.0.0.1:{partner_port}/in\"\ntimeout_seconds = 300\n"
            ),
        ),
    ])
    .await;
    let mut client = MllpClient::new(&format!("127.0.0.1:{mllp_port}"));
    let ack = client
        .exchange(
            b"MSH|^~\\&|EHR|HOSP|SB|SB|20261205||ADT^A08|C1|P|2.5\rPID|1||C1\r",
            Duration::from_secs(10),
        )
        .await
        .unwrap();
    assert!(String::from_utf8_lossy(&ack).contains("MSA|AA|"));
    let (mut connection, _) = tokio::time::timeout(Duration::from_secs(30), partner.accept())
        .await
        .expect("the delivery reaches the partner")
        .unwrap();
    let mut request = vec![0; 4096];
    let read = connection.read(&mut request).await.unwrap();
    assert!(String::from_utf8_lossy(&request[..read]).contains("C1"));

    proxy.stop().await;
    let cut = Instant::now();
    let closed = tokio::time::timeout(Duration::from_secs(60), async {
        let mut rest = [0; 64];
        while connection.read(&mut rest).await.is_ok_and(|n| n > 0) {}
    })
    .await;
    let stopped = cut.elapsed();
    eprintln!("the send stopped {stopped:?} after the database was cut off");
    assert!(
        closed.is_ok(),
        "the send went on for a minute without the database"
    );
    let lease =
        Duration::from_millis(u64::try_from(switchboard::channel::queue::LEASE_MS).unwrap());
    assert!(
        stopped < lease,
        "the send stopped {stopped:?} after the cut, after the leases (12 s) could run out"
    );

    // Back in reach, the node sends the delivery again.
    proxy.restart().await;
    let (mut again, _) = tokio::time::timeout(Duration::from_secs(60), partner.accept())
        .await
        .expect("the delivery is sent again once the database is back")
        .unwrap();
    let read = again.read(&mut request).await.unwrap();
    assert!(String::from_utf8_lossy(&request[..read]).contains("C1"));
    // The partner goes away, so a send tried again meanwhile fails at once rather than
    // waiting for an answer while the engine stops.
    drop(again);
    drop(partner);
    engine.stop().await;
}

/// What the [`dedupe_partner`] received, in order: (the `X-Switchboard-Delivery-Id` header,
/// the message's control id).
type Deliveries = Arc<std::sync::Mutex<Vec<(i64, String)>>>;

/// An HTTP partner on a free port that answers every request at once and records its delivery
/// id (the key a partner dedupes on: a delivery sent again carries the same one) and control id.
async fn dedupe_partner(received: Deliveries) -> u16 {
    let app =
        axum::Router::new().fallback(move |headers: axum::http::HeaderMap, body: bytes::Bytes| {
            let received = received.clone();
            async move {
                let delivery = headers
                    .get("x-switchboard-delivery-id")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(-1);
                let text = String::from_utf8_lossy(&body).into_owned();
                let control = text.split('|').nth(9).unwrap_or_default().to_string();
                received.lock().unwrap().push((delivery, control));
                axum::http::StatusCode::OK
            }
        });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    port
}

/// Sends `count` messages to `mllp`, one at a time, each after the previous one's ACK, until
/// the node stops answering; the control ids acknowledged (`MSA|AA`).
async fn send_until_gone(
    mllp: String,
    prefix: String,
    count: usize,
    acked: Arc<std::sync::atomic::AtomicUsize>,
) -> Vec<String> {
    let mut client = MllpClient::new(&mllp);
    let mut accepted = Vec::new();
    for n in 0..count {
        let control = format!("{prefix}{n}");
        let message = format!(
            "MSH|^~\\&|EHR|HOSP|SB|SB|20261205||ADT^A08|{control}|P|2.5\rPID|1||{control}\r"
        );
        match client
            .exchange(message.as_bytes(), Duration::from_secs(10))
            .await
        {
            Ok(ack) if String::from_utf8_lossy(&ack).contains("MSA|AA|") => {
                accepted.push(control);
                acked.fetch_add(1, Ordering::SeqCst);
            }
            Ok(ack) => panic!("{control}: not accepted: {}", String::from_utf8_lossy(&ack)),
            Err(_) => break,
        }
    }
    accepted
}

/// Three engine processes on one PostgreSQL database take MLLP traffic at once, all relaying
/// to one partner through one ordered queue; the node holding the queue is killed with
/// SIGKILL mid-stream. Every acknowledged message is delivered, in the order the store took
/// them, only the one in flight at the kill twice (same delivery id), and the takeover time is
/// printed.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_nodes_under_traffic_lose_nothing_acknowledged_when_one_is_killed() {
    use std::sync::atomic::AtomicUsize;

    let Some(pg) = common::postgres_store().await else {
        return;
    };
    const EACH: usize = 200;
    let received: Deliveries = Arc::default();
    let partner_port = dedupe_partner(received.clone()).await;
    let mut nodes: Vec<Node> = (0..3).map(|_| Node::start(&pg.url, partner_port)).collect();
    for node in &nodes {
        node.listening().await;
    }
    let acked = Arc::new(AtomicUsize::new(0));
    let senders: Vec<_> = nodes
        .iter()
        .enumerate()
        .map(|(n, node)| {
            tokio::spawn(send_until_gone(
                node.mllp.clone(),
                format!("N{n}-"),
                EACH,
                acked.clone(),
            ))
        })
        .collect();

    // Mid-stream, the node holding the queue's leases is killed.
    common::eventually(
        "a third of the traffic is acknowledged",
        Duration::from_secs(120),
        || async { acked.load(Ordering::SeqCst) >= EACH },
    )
    .await;
    let mut holder = None;
    for _ in 0..50 {
        let listed = pg.store.nodes().await.unwrap();
        holder = nodes.iter().position(|node| {
            listed
                .iter()
                .any(|n| n.http_address == node.http && n.leased_deliveries > 0)
        });
        if holder.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let victim = holder.unwrap_or(0);
    let before = received.lock().unwrap().len();
    nodes[victim].signal("-KILL");
    let killed = Instant::now();
    let delivered_before: std::collections::BTreeSet<i64> =
        received.lock().unwrap().iter().map(|(d, _)| *d).collect();
    eprintln!(
        "killed node {victim} ({}holding the queue's leases) after {before} deliveries",
        if holder.is_some() { "" } else { "not " }
    );
    // The takeover: the first delivery the partner had not had before the kill.
    common::eventually(
        "another node sends the queue on",
        Duration::from_secs(60),
        || async {
            received
                .lock()
                .unwrap()
                .iter()
                .any(|(d, _)| !delivered_before.contains(d))
        },
    )
    .await;
    let took_over = killed.elapsed();
    eprintln!("the queue went on {took_over:?} after the kill (leases last 12 s)");

    let mut accepted = Vec::new();
    for sender in senders {
        accepted.extend(sender.await.unwrap());
    }
    eprintln!(
        "{} messages acknowledged by the three nodes",
        accepted.len()
    );
    let answered = |control: &str| received.lock().unwrap().iter().any(|(_, c)| c == control);
    let deadline = Instant::now() + Duration::from_secs(120);
    while !accepted.iter().all(|control| answered(control)) {
        assert!(
            Instant::now() < deadline,
            "acknowledged messages never delivered: {:?}",
            accepted.iter().filter(|c| !answered(c)).collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let drained = Instant::now() + Duration::from_secs(60);
    while pg
        .store
        .queue_depths()
        .await
        .unwrap()
        .iter()
        .any(|(_, _, depth)| depth.pending > 0)
        && Instant::now() < drained
    {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // In the store's order, and twice only what was in flight at the kill.
    let log = received.lock().unwrap().clone();
    let mut firsts: Vec<i64> = Vec::new();
    let mut twice = Vec::new();
    for (delivery, control) in &log {
        if firsts.contains(delivery) {
            twice.push(control.clone());
        } else {
            firsts.push(*delivery);
        }
    }
    assert!(
        firsts.windows(2).all(|w| w[0] < w[1]),
        "out of order: {firsts:?}"
    );
    eprintln!("delivered twice: {twice:?}");
    assert!(
        twice.len() <= 1,
        "more than the one delivery in flight came twice: {twice:?}"
    );
    assert!(
        took_over < Duration::from_secs(20),
        "the takeover took {took_over:?}"
    );
    for (n, node) in nodes.iter_mut().enumerate() {
        if n != victim {
            node.signal("-TERM");
        }
    }
}

/// What one MLLP exchange came to: the control id, when it was sent, and whether the node
/// accepted it (`MSA|AA`).
type Outcomes = Arc<std::sync::Mutex<Vec<(String, Instant, bool)>>>;

/// Sends a message to `mllp` every 20 ms until `stop`, each after the previous one's answer or
/// failure, recording every outcome.
async fn send_until(mllp: String, prefix: String, outcomes: Outcomes, stop: Arc<AtomicBool>) {
    let mut client = MllpClient::new(&mllp);
    let mut n = 0;
    while !stop.load(Ordering::SeqCst) {
        let control = format!("{prefix}{n}");
        n += 1;
        let message = format!(
            "MSH|^~\\&|EHR|HOSP|SB|SB|20261205||ADT^A08|{control}|P|2.5\rPID|1||{control}\r"
        );
        let sent = Instant::now();
        let accepted = client
            .exchange(message.as_bytes(), Duration::from_secs(3))
            .await
            .is_ok_and(|ack| String::from_utf8_lossy(&ack).contains("MSA|AA|"));
        outcomes.lock().unwrap().push((control, sent, accepted));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Two engine processes reach PostgreSQL through a TCP proxy that is cut mid-traffic: while it
/// is cut they acknowledge nothing, nothing half-written is left (every stored message has its
/// delivery, and every one is sent), they take messages again by themselves once it is back,
/// and every acknowledged message is delivered.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn nodes_cut_off_from_the_database_acknowledge_nothing_and_resume_by_themselves() {
    let Some(pg) = common::postgres_store().await else {
        return;
    };
    let (written, target) = common::proxy::pg_addr(&pg.url);
    let mut proxy = common::proxy::Proxy::start(target).await;
    let through_proxy = pg.url.replacen(&written, &proxy.addr.to_string(), 1);
    let received: Deliveries = Arc::default();
    let partner_port = dedupe_partner(received.clone()).await;
    let mut nodes: Vec<Node> = (0..2)
        .map(|_| Node::start(&through_proxy, partner_port))
        .collect();
    for node in &nodes {
        node.listening().await;
    }
    let outcomes: Outcomes = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let senders: Vec<_> = nodes
        .iter()
        .enumerate()
        .map(|(n, node)| {
            tokio::spawn(send_until(
                node.mllp.clone(),
                format!("P{n}-"),
                outcomes.clone(),
                stop.clone(),
            ))
        })
        .collect();
    let accepted_since = |since: Instant| {
        outcomes
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, sent, accepted)| *sent >= since && *accepted)
            .count()
    };
    let started = Instant::now();
    common::eventually(
        "both nodes accept messages",
        Duration::from_secs(30),
        || async { accepted_since(started) >= 40 },
    )
    .await;

    proxy.stop().await;
    let cut = Instant::now();
    tokio::time::sleep(Duration::from_secs(12)).await;
    let settled = cut + Duration::from_secs(1);
    let during: Vec<(String, bool)> = outcomes
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, sent, _)| *sent >= settled && *sent < cut + Duration::from_secs(8))
        .map(|(control, _, accepted)| (control.clone(), *accepted))
        .collect();
    eprintln!(
        "{} messages sent while the database was cut off, {} accepted",
        during.len(),
        during.iter().filter(|(_, accepted)| *accepted).count()
    );
    assert!(!during.is_empty(), "the senders went on trying");
    assert!(
        during.iter().all(|(_, accepted)| !accepted),
        "a message was acknowledged without the database: {during:?}"
    );

    proxy.restart().await;
    let back = Instant::now();
    common::eventually(
        "the nodes accept messages again by themselves",
        Duration::from_secs(60),
        || async { accepted_since(back) >= 20 },
    )
    .await;
    eprintln!(
        "messages accepted again {:?} after the database came back",
        back.elapsed()
    );
    stop.store(true, Ordering::SeqCst);
    for sender in senders {
        sender.await.unwrap();
    }

    // Every acknowledged message delivered; every stored one queued and sent.
    let accepted: Vec<String> = outcomes
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, _, accepted)| *accepted)
        .map(|(control, _, _)| control.clone())
        .collect();
    let delivered = |control: &str| received.lock().unwrap().iter().any(|(_, c)| c == control);
    common::eventually(
        "every acknowledged message is delivered",
        Duration::from_secs(120),
        || async { accepted.iter().all(|control| delivered(control)) },
    )
    .await;
    let unsent = || async {
        let (without, unsent): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM messages m WHERE NOT EXISTS \
             (SELECT 1 FROM deliveries d WHERE d.message_id = m.id)), \
             (SELECT COUNT(*) FROM deliveries WHERE status <> 'sent')",
        )
        .fetch_one(pg.store.pool())
        .await
        .unwrap();
        (without, unsent)
    };
    common::eventually(
        "every stored message has its delivery, and all are sent",
        Duration::from_secs(60),
        || async { unsent().await == (0, 0) },
    )
    .await;
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages")
        .fetch_one(pg.store.pool())
        .await
        .unwrap();
    eprintln!(
        "{} acknowledged, {stored} stored, {} requests to the partner",
        accepted.len(),
        received.lock().unwrap().len()
    );
    for node in &mut nodes {
        node.signal("-TERM");
    }
}

/// The HAProxy configuration (TCP mode) that spreads MLLP connections on `listen` over the
/// nodes' MLLP listeners `nodes`, passing over a node that is down: the one the README shows.
fn haproxy_config(listen: &str, nodes: &[&str]) -> String {
    let servers: String = nodes
        .iter()
        .enumerate()
        .map(|(n, address)| format!("    server node{n} {address} check inter 1s fall 2 rise 2\n"))
        .collect();
    format!(
        "global\n    maxconn 2000\n\
         defaults\n    mode tcp\n    timeout connect 2s\n    timeout client 1h\n    timeout server 1h\n    \
         retries 2\n    option redispatch\n\
         frontend mllp\n    bind {listen}\n    default_backend switchboard\n\
         backend switchboard\n    balance roundrobin\n{servers}"
    )
}

/// A process killed when the test ends, however it ends.
struct KilledOnDrop(std::process::Child);

impl Drop for KilledOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// How many messages of channel `relay` the node whose HTTP API is at `http` has received,
/// from its `/metrics`.
async fn received_by(http: &str) -> u64 {
    let text = common::client()
        .get(format!("http://{http}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find(|line| {
            line.starts_with("switchboard_channel_events_total{")
                && line.contains("channel=\"relay\"")
                && line.contains("event=\"received\"")
        })
        .and_then(|line| line.rsplit(' ').next()?.parse().ok())
        .unwrap_or(0)
}

/// A real HAProxy (Debian's package) in TCP mode in front of two nodes' MLLP listeners: it
/// spreads new connections over both; when one node is killed, traffic through it goes on to
/// the other, and every acknowledged message is delivered.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn haproxy_in_front_of_two_nodes_keeps_mllp_traffic_going_when_one_dies() {
    const HAPROXY: &str = "/usr/sbin/haproxy";
    if !common::peer_present(
        common::command_runs(HAPROXY, &["-v"]),
        "HAProxy",
        "apt-get install haproxy",
    ) {
        return;
    }
    let Some(pg) = common::postgres_store().await else {
        return;
    };
    let received: Deliveries = Arc::default();
    let partner_port = dedupe_partner(received.clone()).await;
    let mut nodes: Vec<Node> = (0..2).map(|_| Node::start(&pg.url, partner_port)).collect();
    for node in &nodes {
        node.listening().await;
    }
    let front = format!("127.0.0.1:{}", common::free_port());
    let config_dir = tempfile::tempdir().unwrap();
    let config = config_dir.path().join("haproxy.cfg");
    let addresses: Vec<&str> = nodes.iter().map(|node| node.mllp.as_str()).collect();
    std::fs::write(&config, haproxy_config(&front, &addresses)).unwrap();
    let check = std::process::Command::new(HAPROXY)
        .arg("-c")
        .arg("-f")
        .arg(&config)
        .output()
        .unwrap();
    assert!(check.status.success(), "haproxy -c: {check:?}");
    let _haproxy = KilledOnDrop(
        std::process::Command::new(HAPROXY)
            .arg("-db")
            .arg("-f")
            .arg(&config)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("haproxy starts"),
    );
    common::eventually("HAProxy listens", Duration::from_secs(20), || async {
        tokio::net::TcpStream::connect(&front).await.is_ok()
    })
    .await;

    // One connection a message, as many senders do: each a new pick of the balancer.
    let send = |control: String| {
        let front = front.clone();
        async move {
            let message = format!(
                "MSH|^~\\&|EHR|HOSP|SB|SB|20261205||ADT^A08|{control}|P|2.5\rPID|1||{control}\r"
            );
            MllpClient::new(&front)
                .exchange(message.as_bytes(), Duration::from_secs(10))
                .await
                .is_ok_and(|ack| String::from_utf8_lossy(&ack).contains("MSA|AA|"))
        }
    };
    let mut accepted = Vec::new();
    for n in 0..20 {
        let control = format!("H{n}");
        assert!(send(control.clone()).await, "{control} through HAProxy");
        accepted.push(control);
    }
    let (first, second) = (
        received_by(&nodes[0].http).await,
        received_by(&nodes[1].http).await,
    );
    eprintln!("before the kill: node 0 took {first}, node 1 took {second}");
    assert!(
        first > 0 && second > 0,
        "HAProxy spread the connections: {first} and {second}"
    );

    nodes[0].signal("-KILL");
    let killed = Instant::now();
    let mut failed = 0;
    for n in 20..60 {
        let control = format!("H{n}");
        if send(control.clone()).await {
            accepted.push(control);
        } else {
            failed += 1;
        }
    }
    eprintln!(
        "after the kill: {} of 40 accepted through HAProxy ({failed} refused) within {:?}",
        40 - failed,
        killed.elapsed()
    );
    assert!(failed <= 2, "{failed} messages refused after the kill");
    assert_eq!(received_by(&nodes[1].http).await, second + 40 - failed);
    let delivered = |control: &str| received.lock().unwrap().iter().any(|(_, c)| c == control);
    common::eventually(
        "every acknowledged message is delivered",
        Duration::from_secs(60),
        || async { accepted.iter().all(|control| delivered(control)) },
    )
    .await;
    nodes[1].signal("-TERM");
}
