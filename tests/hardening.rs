//! Hostile and broken clients against a running engine on the shipped configuration, over real
//! sockets: idle connections past the limits are refused at once while `/health` and MLLP keep
//! answering; silent, dribbling and idle clients run out of time; a viewer cannot write through
//! an HTTP source and every post is audited; monitoring answers through a database outage.
//!
//! Several clients are played from different loopback addresses (127.0.0.x) so that the limits
//! per client address and per listener can be told apart.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::Engine;
use common::proxy::{Proxy, pg_addr};
use reqwest::StatusCode;
use switchboard::channel::mllp::MllpClient;
use switchboard::store::tokens::Role;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::task::JoinSet;

fn adt(control: &str, mrn: &str) -> String {
    format!(
        "MSH|^~\\&|EHR|HOSP|SB|SB|20261125101500||ADT^A01^ADT_A01|{control}|P|2.5\r\
         PID|1||{mrn}^^^HOSP^MR||Lovelace^Ada||19801210|F\r\
         PV1|1|I|W1^101^A||||1234567893^Who^Doctor||||||||||||V-{mrn}\r"
    )
}

/// Starts the engine on the shipped configuration on free ports, with `http` replacing the HTTP server's limits in
/// `config/switchboard.toml` and `mllp_source` / `http_source` added to the sources of
/// `hl7v2-mllp-inbound` and `hl7v2-http-inbound`.
async fn start_shipped_with(http: &str, mllp_source: &str, http_source: &str) -> Shipped {
    let (mllp_port, hl7_http_port) = (common::free_port(), common::free_port());
    let files: Vec<(String, String)> =
        common::shipped_files_on_free_ports(mllp_port, hl7_http_port)
            .into_iter()
            .map(|(path, mut text)| {
                match path.as_str() {
                    "config/switchboard.toml" => {
                        text = with_http_limits(&text, http);
                        text = text.replace("level = \"info\"", "level = \"warn\"");
                    }
                    "channels/hl7v2-mllp-inbound.toml" => {
                        text = text.replace("[transform]", &format!("{mllp_source}\n[transform]"));
                    }
                    "channels/hl7v2-http-inbound.toml" => {
                        text = text.replace("[transform]", &format!("{http_source}\n[transform]"));
                    }
                    _ => {}
                }
                (path, text)
            })
            .collect();
    let borrowed: Vec<(&str, String)> =
        files.iter().map(|(p, t)| (p.as_str(), t.clone())).collect();
    Shipped {
        engine: Engine::start(&borrowed).await,
        mllp_port,
        hl7_http_port,
    }
}

/// The engine on the shipped configuration, and the ports of its MLLP and HL7 v2 HTTP sources.
struct Shipped {
    engine: Engine,
    mllp_port: u16,
    hl7_http_port: u16,
}

/// The engine file `text` with the limits of its `[http]` section replaced by `limits`.
fn with_http_limits(text: &str, limits: &str) -> String {
    const SETTINGS: [&str; 5] = [
        "max_connections =",
        "max_connections_per_client =",
        "header_timeout_seconds =",
        "body_timeout_seconds =",
        "idle_timeout_seconds =",
    ];
    let (before, http) = text.split_once("[http]\n").expect("an [http] section");
    let (http, after) = http.split_once("\n[").expect("a section after [http]");
    let kept: Vec<&str> = http
        .lines()
        .filter(|line| !SETTINGS.iter().any(|s| line.starts_with(s)))
        .collect();
    format!("{before}[http]\n{}\n{limits}\n[{after}", kept.join("\n"))
}

fn http_addr(engine: &Engine) -> SocketAddr {
    engine
        .url
        .trim_start_matches("http://")
        .parse()
        .expect("the engine's HTTP address")
}

/// A connection to `to` from the loopback address 127.0.0.`client`.
async fn connect_from(client: u8, to: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket
        .bind(SocketAddr::from(([127, 0, 0, client], 0)))
        .unwrap();
    tokio::time::timeout(Duration::from_secs(5), socket.connect(to))
        .await
        .expect("connect in time")
        .expect("connect")
}

/// What the server does with a connection within `wait`: `Some(bytes it sent)` once it closed
/// it, `None` while it keeps it open.
async fn closed_within(stream: &mut TcpStream, wait: Duration) -> Option<Vec<u8>> {
    let deadline = tokio::time::Instant::now() + wait;
    let mut got = Vec::new();
    loop {
        let mut buf = [0u8; 4096];
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0) | Err(_)) => return Some(got),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
        }
    }
}

/// `GET path` on a new connection (no pooling): the status, and how long the answer took.
async fn fresh_get(engine: &Engine, path: &str) -> (StatusCode, Duration) {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let started = Instant::now();
    let status = client
        .get(format!("{}{path}", engine.url))
        .send()
        .await
        .map_or(StatusCode::BAD_GATEWAY, |r| r.status());
    (status, started.elapsed())
}

/// `GET path` with the admin token: the answer, and how long it took.
async fn timed_api_get(engine: &Engine, path: &str) -> (reqwest::Response, Duration) {
    let started = Instant::now();
    let answer = engine
        .api(reqwest::Method::GET, path)
        .send()
        .await
        .unwrap_or_else(|err| panic!("GET {path}: {err}"));
    (answer, started.elapsed())
}

/// The value of the Prometheus sample `series` (name and labels as rendered).
async fn metric(engine: &Engine, series: &str) -> Option<i64> {
    let text = common::client()
        .get(format!("{}/metrics", engine.url))
        .send()
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test]
async fn idle_connections_past_the_limits_are_refused_and_health_and_mllp_keep_answering() {
    let Shipped {
        engine,
        mllp_port,
        hl7_http_port,
    } = start_shipped_with(
        "max_connections = 6\nmax_connections_per_client = 3\nheader_timeout_seconds = 3\n",
        "max_connections_per_client = 2",
        "max_connections_per_client = 2\nheader_timeout_seconds = 3",
    )
    .await;
    let api = http_addr(&engine);
    // The start-up check's connection is gone before the clients come.
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Ten clients (127.0.0.2-11) open four idle connections each to the API: the first two
    // get three each (their share; the fourth is refused per client), then the listener holds
    // six and refuses the 32 others. A refused connection that sends no request is closed
    // within a second, without an answer.
    let opened = Instant::now();
    let mut idle = Vec::new();
    for client in 2..12u8 {
        for _ in 0..4 {
            idle.push(connect_from(client, api).await);
        }
    }
    let mut held = Vec::new();
    let mut refused = 0;
    let mut checks = JoinSet::new();
    for mut stream in idle {
        checks.spawn(async move {
            let closed = closed_within(&mut stream, Duration::from_millis(1500)).await;
            (stream, closed)
        });
    }
    while let Some(checked) = checks.join_next().await {
        match checked.unwrap() {
            (stream, None) => held.push(stream),
            (_, Some(answer)) => {
                assert!(answer.is_empty(), "{}", String::from_utf8_lossy(&answer));
                refused += 1;
            }
        }
    }
    assert_eq!(held.len(), 6, "the listener holds max_connections");
    assert_eq!(refused, 34);
    // While they are held, a new client's request is answered 503 at once (the listener is
    // full)...
    let (status, took) = fresh_get(&engine, "/health").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(took < Duration::from_millis(500), "refused in {took:?}");
    // ... and MLLP, with a listener of its own, answers an ADT.
    let mllp: SocketAddr = ([127, 0, 0, 1], mllp_port).into();
    let mut sender = MllpClient::new(&mllp.to_string());
    let ack = sender
        .exchange(adt("HARD1", "H1").as_bytes(), Duration::from_secs(10))
        .await
        .expect("an ACK while the HTTP listener is full");
    assert!(String::from_utf8_lossy(&ack).contains("MSA|AA|HARD1"));

    // The held connections sent nothing: the header timeout closes them after 3 s.
    for mut stream in held {
        let closed = closed_within(&mut stream, Duration::from_secs(10)).await;
        assert_eq!(closed, Some(Vec::new()), "closed without an answer");
    }
    let closed_after = opened.elapsed();
    assert!(
        closed_after >= Duration::from_millis(2900) && closed_after < Duration::from_secs(6),
        "closed after {closed_after:?}"
    );
    let (status, took) = fresh_get(&engine, "/health").await;
    assert_eq!(status, StatusCode::OK);
    assert!(took < Duration::from_secs(1), "answered in {took:?}");
    eprintln!("34 refused at once; 6 idle closed after {closed_after:?}; /health then in {took:?}");

    // MLLP: a client holds at most two connections; a third is closed at once, and another
    // client is still served.
    let mut mine = vec![
        connect_from(20, mllp).await,
        connect_from(20, mllp).await,
        connect_from(20, mllp).await,
    ];
    let third = mine.pop().unwrap();
    let mut third = third;
    assert_eq!(
        closed_within(&mut third, Duration::from_secs(2)).await,
        Some(Vec::new())
    );
    for stream in &mut mine {
        assert_eq!(
            closed_within(stream, Duration::from_millis(200)).await,
            None
        );
    }
    let ack = sender
        .exchange(adt("HARD2", "H2").as_bytes(), Duration::from_secs(10))
        .await
        .expect("another client's ACK");
    assert!(String::from_utf8_lossy(&ack).contains("MSA|AA|HARD2"));

    // The HTTP source has its own limits: a third connection from one client gets 503.
    let source: SocketAddr = ([127, 0, 0, 1], hl7_http_port).into();
    let mut to_source = vec![
        connect_from(21, source).await,
        connect_from(21, source).await,
    ];
    let mut over = connect_from(21, source).await;
    over.write_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
        .await
        .unwrap();
    let answer = closed_within(&mut over, Duration::from_secs(2))
        .await
        .expect("refused at once");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("retry-after: 1"), "{answer}");
    assert!(
        answer.contains("too many connections from this client"),
        "{answer}"
    );
    for stream in &mut to_source {
        assert_eq!(
            closed_within(stream, Duration::from_millis(200)).await,
            None
        );
    }

    assert_eq!(
        metric(
            &engine,
            "switchboard_connections_refused_total{listener=\"http\",limit=\"per_client\"}"
        )
        .await,
        Some(2)
    );
    assert_eq!(
        metric(
            &engine,
            "switchboard_connections_refused_total{listener=\"http\",limit=\"listener\"}"
        )
        .await,
        Some(33),
        "32 idle connections and one /health"
    );
    assert_eq!(
        metric(
            &engine,
            "switchboard_connections_timed_out_total{listener=\"http\",timeout=\"header\"}"
        )
        .await,
        Some(6)
    );
    assert_eq!(
        metric(
            &engine,
            "switchboard_connections_refused_total{listener=\"hl7v2-mllp-inbound\",limit=\"per_client\"}"
        )
        .await,
        Some(1)
    );
    engine.stop().await;
}

#[tokio::test]
async fn silent_dribbling_slow_and_idle_clients_run_out_of_time() {
    let Shipped { engine, .. } = start_shipped_with(
        "max_connections = 256\nmax_connections_per_client = 32\nheader_timeout_seconds = 1\n\
         body_timeout_seconds = 1\nidle_timeout_seconds = 3\n",
        "",
        "",
    )
    .await;
    let api = http_addr(&engine);

    // Sends nothing: closed after the header timeout.
    let started = Instant::now();
    let mut silent = connect_from(1, api).await;
    assert_eq!(
        closed_within(&mut silent, Duration::from_secs(5)).await,
        Some(Vec::new())
    );
    let silent_closed = started.elapsed();
    assert!(
        silent_closed >= Duration::from_millis(900) && silent_closed < Duration::from_secs(3),
        "{silent_closed:?}"
    );

    // Dribbles its head a header line every 300 ms: closed about a second after its first byte.
    let started = Instant::now();
    let mut dribbler = connect_from(1, api).await;
    dribbler
        .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let mut dribble_closed = None;
    for i in 0..20 {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let line = format!("X-Slow-{i}: 1\r\n");
        if dribbler.write_all(line.as_bytes()).await.is_err() {
            dribble_closed = Some(started.elapsed());
            break;
        }
        if let Some(answer) = closed_within(&mut dribbler, Duration::from_millis(1)).await {
            assert!(answer.is_empty(), "{}", String::from_utf8_lossy(&answer));
            dribble_closed = Some(started.elapsed());
            break;
        }
    }
    let dribble_closed = dribble_closed.expect("the dribbler is closed");
    assert!(
        dribble_closed < Duration::from_secs(3),
        "{dribble_closed:?}"
    );

    // Sends 10 of the 100 bytes of its body: answered 408 after the body timeout.
    let started = Instant::now();
    let mut slow_body = connect_from(1, api).await;
    slow_body
        .write_all(
            format!(
                "POST /fhir/Patient HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\
                 Content-Type: application/fhir+json\r\nContent-Length: 100\r\n\r\n{{\"resource",
                engine.admin
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    let answer = closed_within(&mut slow_body, Duration::from_secs(5))
        .await
        .expect("answered and closed");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("OperationOutcome"), "{answer}");
    let body_closed = started.elapsed();
    assert!(
        body_closed >= Duration::from_millis(900) && body_closed < Duration::from_secs(3),
        "{body_closed:?}"
    );

    // A kept-alive connection serves requests, then is closed after three idle seconds.
    let mut kept = connect_from(1, api).await;
    for _ in 0..2 {
        kept.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let mut buf = vec![0u8; 4096];
        let n = tokio::time::timeout(Duration::from_secs(5), kept.read(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
        tokio::time::sleep(Duration::from_millis(1500)).await;
    }
    let started = Instant::now();
    assert_eq!(
        closed_within(&mut kept, Duration::from_secs(6)).await,
        Some(Vec::new())
    );
    let idle_closed = started.elapsed();
    assert!(
        idle_closed >= Duration::from_millis(1200) && idle_closed < Duration::from_secs(3),
        "closed {idle_closed:?} after the last 1.5 s wait"
    );
    eprintln!(
        "silent closed after {silent_closed:?}; dribbler after {dribble_closed:?}; \
         slow body answered 408 after {body_closed:?}; idle closed 3 s after its answer"
    );
    assert_eq!(fresh_get(&engine, "/health").await.0, StatusCode::OK);
    engine.stop().await;
}

#[tokio::test]
async fn a_viewer_cannot_write_through_an_http_source_and_every_post_is_audited() {
    let Shipped {
        engine,
        hl7_http_port,
        ..
    } = start_shipped_with(
        "max_connections = 256\nmax_connections_per_client = 32\n",
        "",
        "",
    )
    .await;
    let (_, viewer) = engine
        .store
        .create_token("ward-viewer", Role::Viewer, None)
        .await
        .unwrap();
    let (_, operator) = engine
        .store
        .create_token("ehr-feed", Role::Operator, None)
        .await
        .unwrap();
    let (_, revoked) = engine
        .store
        .create_token("old-feed", Role::Operator, None)
        .await
        .unwrap();
    engine.store.revoke_token("old-feed").await.unwrap();
    let source = format!("http://127.0.0.1:{hl7_http_port}/");
    let post = |token: String, control: &'static str, mrn: &'static str| {
        let source = source.clone();
        async move {
            let answer = common::client()
                .post(&source)
                .bearer_auth(token)
                .header("content-type", "x-application/hl7-v2+er7")
                .body(adt(control, mrn))
                .send()
                .await
                .unwrap();
            let status = answer.status();
            (status, answer.json::<serde_json::Value>().await.unwrap())
        }
    };

    let (status, body) = post(viewer, "VIEW1", "V1").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"], "this channel needs the operator role");
    let (status, _) = post(revoked, "OLD1", "O1").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) = post(operator, "OPER1", "P1").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let message_id = body["message_id"].as_i64().unwrap();
    engine
        .eventually("the operator's patient is stored", || {
            engine.has_patient("P1")
        })
        .await;
    assert!(!engine.has_patient("V1").await, "the viewer wrote nothing");
    assert!(
        engine
            .channel_messages("hl7v2-http-inbound")
            .await
            .iter()
            .all(|m| m.id == message_id),
        "only the operator's post is stored"
    );

    let audit = engine
        .get_json("/api/audit?resource=/channels/hl7v2-http-inbound")
        .await;
    let entries = audit["entries"].as_array().unwrap();
    let by = |actor: &str| {
        entries
            .iter()
            .find(|e| e["actor"] == actor)
            .unwrap_or_else(|| panic!("no audit entry by {actor}: {audit}"))
            .clone()
    };
    let refused = by("ward-viewer");
    assert_eq!(refused["outcome"], 403);
    assert_eq!(refused["role"], "viewer");
    assert_eq!(refused["action"], "POST");
    assert_eq!(refused["resource"], "/channels/hl7v2-http-inbound/messages");
    assert!(
        refused["remote_addr"]
            .as_str()
            .unwrap()
            .starts_with("127.0.0.1:")
    );
    let written = by("ehr-feed");
    assert_eq!(written["outcome"], 202);
    assert_eq!(written["role"], "operator");
    assert_eq!(
        written["resource"],
        format!("/channels/hl7v2-http-inbound/messages/{message_id}")
    );
    assert_eq!(by("old-feed")["outcome"], 401);
    engine.stop().await;
}

#[test]
fn an_http_source_cannot_let_viewers_write() {
    let root = tempfile::tempdir().unwrap();
    let channels = root.path().join("channels");
    std::fs::create_dir_all(&channels).unwrap();
    std::fs::write(
        channels.join("open.toml"),
        "name = \"open\"\n[source]\ntype = \"http\"\nlisten = \"127.0.0.1:9\"\nrole = \"viewer\"\n\
         max_connections_per_client = 0\n\
         [[destinations]]\ntype = \"file\"\nname = \"out\"\nfolder = \"out\"\n",
    )
    .unwrap();
    let Err(errors) =
        switchboard::channel::deployment::Deployment::load_with_env(root.path(), |_| None)
    else {
        panic!("a viewer's source is refused");
    };
    let errors = errors.to_string();
    assert!(
        errors.contains("source.role: a viewer cannot write"),
        "{errors}"
    );
    assert!(
        errors.contains("source.max_connections_per_client"),
        "{errors}"
    );
}

#[tokio::test]
async fn health_metrics_and_the_api_answer_at_once_through_a_database_outage() {
    let Some(pg) = common::postgres_store().await else {
        return;
    };
    let (written, target) = pg_addr(&pg.url);
    let mut proxy = Proxy::start(target).await;
    let through_proxy = pg.url.replacen(&written, &proxy.addr.to_string(), 1);
    let port = common::free_port();
    let engine = Engine::start(&[(
        "config/switchboard.toml",
        format!(
            "[store]\nurl = \"{through_proxy}\"\n[http]\nlisten = \"127.0.0.1:{port}\"\n\
             [log]\nlevel = \"error\"\n"
        ),
    )])
    .await;
    assert_eq!(fresh_get(&engine, "/health").await.0, StatusCode::OK);
    assert_eq!(
        timed_api_get(&engine, "/api/messages").await.0.status(),
        StatusCode::OK
    );

    proxy.stop().await;
    let down = Instant::now();
    let mut slowest = Duration::ZERO;
    let noticed = loop {
        let (status, took) = fresh_get(&engine, "/health").await;
        slowest = slowest.max(took);
        if status == StatusCode::SERVICE_UNAVAILABLE {
            break down.elapsed();
        }
        assert!(
            down.elapsed() < Duration::from_secs(10),
            "/health still {status}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(
        noticed < Duration::from_millis(2500),
        "503 after {noticed:?}"
    );
    assert!(
        slowest < Duration::from_millis(500),
        "/health took {slowest:?}"
    );

    let started = Instant::now();
    let metrics = common::client()
        .get(format!("{}/metrics", engine.url))
        .send()
        .await
        .unwrap();
    assert_eq!(metrics.status(), StatusCode::OK);
    let text = metrics.text().await.unwrap();
    let metrics_took = started.elapsed();
    assert!(metrics_took < Duration::from_secs(1), "{metrics_took:?}");
    assert!(text.contains("switchboard_store_up 0"), "{text}");
    assert!(text.contains("switchboard_uptime_seconds"), "{text}");

    let (messages, api_took) = timed_api_get(&engine, "/api/messages").await;
    assert_eq!(messages.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(messages.headers().contains_key("retry-after"));
    assert!(api_took < Duration::from_secs(1), "{api_took:?}");
    let (fhir, _) = timed_api_get(&engine, "/fhir/Patient").await;
    assert_eq!(fhir.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(fhir.headers().contains_key("retry-after"));
    let outcome: serde_json::Value = fhir.json().await.unwrap();
    assert_eq!(outcome["issue"][0]["code"], "transient", "{outcome}");
    eprintln!(
        "outage noticed by /health after {noticed:?} (slowest answer {slowest:?}); \
         /metrics in {metrics_took:?}; /api/messages 503 in {api_took:?}"
    );

    proxy.restart().await;
    let up = Instant::now();
    common::eventually("the store is back", Duration::from_secs(15), || async {
        fresh_get(&engine, "/health").await.0 == StatusCode::OK
    })
    .await;
    eprintln!("back after {:?}", up.elapsed());
    assert_eq!(
        timed_api_get(&engine, "/api/messages").await.0.status(),
        StatusCode::OK
    );
    engine.stop().await;
    drop(pg);
}
