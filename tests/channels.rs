//! The channel runtime end to end, with real folders, sockets and RabbitMQ.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use common::{Engine, file_names};
use reqwest::{Method, StatusCode};

const ADT: &str = "MSH|^~\\&|EHR|HOSP|SB|SB|20261125||ADT^A01|CTRL-{n}|P|2.5\rPID|1||MRN{n}^^^HOSP^MR||Doe^Jane\rPV1|1|I|||||||||||||||||V{n}\r";

fn adt(n: usize) -> String {
    ADT.replace("{n}", &n.to_string())
}

fn http_channel(name: &str, port: u16, destinations: &str) -> String {
    format!(
        "name = \"{name}\"\n[source]\ntype = \"http\"\nlisten = \"127.0.0.1:{port}\"\nallow_anonymous = true\n{destinations}"
    )
}

fn file_destination(name: &str, folder: &str) -> String {
    format!(
        "[[destinations]]\ntype = \"file\"\nname = \"{name}\"\nfolder = \"{folder}\"\nname_template = \"{{message_id}}.hl7\"\n"
    )
}

/// Waits until the channel's HTTP source on `port` answers.
async fn listening(engine: &Engine, port: u16) {
    engine
        .eventually("the channel listens", || async {
            reqwest::get(format!("http://127.0.0.1:{port}/"))
                .await
                .is_ok()
        })
        .await;
}

async fn post(port: u16, body: String) -> reqwest::Response {
    common::client()
        .post(format!("http://127.0.0.1:{port}/"))
        .body(body)
        .send()
        .await
        .expect("post to the channel")
}

#[tokio::test]
async fn a_file_dropped_in_the_inbox_comes_out_in_the_outbox_and_on_an_amqp_queue() {
    let Some(amqp) = common::amqp_url() else {
        return;
    };
    let queue = format!("switchboard-test-{}", rand::random::<u32>());
    let channel = format!(
        "name = \"files\"\n[source]\ntype = \"file\"\nfolder = \"inbox\"\nglob = \"*.hl7\"\npoll_seconds = 1\nsettle_ms = 300\n\
         [[destinations]]\ntype = \"file\"\nname = \"outbox\"\nfolder = \"outbox\"\nname_template = \"{{control_id}}.hl7\"\n\
         [[destinations]]\ntype = \"amqp\"\nname = \"broker\"\nurl = \"{amqp}\"\nrouting_key = \"{queue}\"\ndeclare_queue = true\n"
    );
    let engine = Engine::start(&[("channels/files.toml", channel)]).await;
    let inbox = engine.path("data/inbox");
    engine
        .eventually("the inbox exists", || async { inbox.exists() })
        .await;

    // A file still being written must not be picked up half-written.
    let message = adt(1);
    let slow = inbox.join("slow.hl7");
    let (first_half, second_half) = message.split_at(message.len() / 2);
    std::fs::write(&slow, first_half).unwrap();
    for _ in 0..6 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        assert!(slow.exists(), "a file still being written was picked up");
        let now = std::time::SystemTime::now();
        std::fs::File::options()
            .write(true)
            .open(&slow)
            .unwrap()
            .set_modified(now)
            .unwrap();
    }
    {
        use std::io::Write;
        std::fs::OpenOptions::new()
            .append(true)
            .open(&slow)
            .unwrap()
            .write_all(second_half.as_bytes())
            .unwrap();
    }
    std::fs::write(inbox.join("ignored.txt"), "not matched by the glob").unwrap();

    let outbox = engine.path("data/outbox/CTRL-1.hl7");
    engine
        .eventually("the message is in the outbox", || async { outbox.exists() })
        .await;
    assert_eq!(std::fs::read_to_string(&outbox).unwrap(), message);
    assert_eq!(file_names(&inbox.join("processed")), ["slow.hl7"]);
    assert!(inbox.join("ignored.txt").exists());

    let connection = lapin::Connection::connect(&amqp, lapin::ConnectionProperties::default())
        .await
        .unwrap();
    let channel = connection.create_channel().await.unwrap();
    // The destination declares the queue when it first publishes; declaring it here as well
    // (durable, as the destination does) lets the test poll it before that, instead of
    // failing on a queue that does not exist yet.
    channel
        .queue_declare(
            queue.as_str().into(),
            lapin::options::QueueDeclareOptions {
                durable: true,
                ..Default::default()
            },
            lapin::types::FieldTable::default(),
        )
        .await
        .unwrap();
    let mut got = None;
    // Up to 30 s: a publish that failed once is retried after the queue's backoff.
    for _ in 0..300 {
        if let Some(delivery) = channel
            .basic_get(
                queue.as_str().into(),
                lapin::options::BasicGetOptions { no_ack: true },
            )
            .await
            .unwrap()
        {
            got = Some(delivery.delivery.data.clone());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        got.as_deref(),
        Some(message.as_bytes()),
        "the message is on the AMQP queue"
    );
    let _ = channel
        .queue_delete(
            queue.as_str().into(),
            lapin::options::QueueDeleteOptions::default(),
        )
        .await;
    engine.stop().await;
}

#[tokio::test]
async fn a_file_that_cannot_be_read_goes_to_error_with_its_reason() {
    let channel = "name = \"files\"\n[source]\ntype = \"file\"\nfolder = \"inbox\"\npoll_seconds = 1\nsettle_ms = 100\n\
         [[destinations]]\ntype = \"file\"\nname = \"out\"\nfolder = \"out\"\n"
        .to_string();
    let engine = Engine::start(&[("channels/files.toml", channel)]).await;
    let inbox = engine.path("data/inbox");
    engine
        .eventually("the inbox exists", || async { inbox.exists() })
        .await;
    std::fs::write(inbox.join("broken.hl7"), "MSH|^~").unwrap();
    let reason = inbox.join("error/broken.hl7.reason.txt");
    engine
        .eventually("the file is in error/", || async { reason.exists() })
        .await;
    let text = std::fs::read_to_string(reason).unwrap();
    assert!(text.contains("HL7 v2 message cannot be read"), "{text}");
    engine.stop().await;
}

#[tokio::test]
async fn a_long_control_id_gets_a_bounded_name_and_a_permanent_file_error_dead_letters_at_once() {
    let port = common::free_port();
    // `data/blocked` is a file, so the folder `blocked/out` can never be made: a permanent
    // error even for root, whom file modes do not stop. Were it retried, the long backoff
    // would leave it pending.
    let destinations = "[[destinations]]\ntype = \"file\"\nname = \"named\"\nfolder = \"out\"\nname_template = \"{control_id}.hl7\"\n\
         [[destinations]]\ntype = \"file\"\nname = \"blocked\"\nfolder = \"blocked/out\"\n\
         [destinations.queue]\nmax_attempts = 20\ninitial_backoff_ms = 600000\nmax_backoff_ms = 600000\n";
    let engine = Engine::start(&[
        (
            "channels/files.toml",
            http_channel("files", port, destinations),
        ),
        ("data/blocked", "a file, not a folder".to_string()),
    ])
    .await;
    listening(&engine, port).await;
    let control_id = format!("LONG{}", "7".repeat(296));
    let message = ADT.replace("CTRL-{n}", &control_id).replace("{n}", "1");
    let receipt: serde_json::Value = post(port, message).await.json().await.unwrap();
    let message_id = receipt["message_id"].as_i64().unwrap();

    let out = engine.path("data/out");
    engine
        .eventually("the file is written", || async {
            file_names(&out).len() == 1
        })
        .await;
    let name = file_names(&out).remove(0);
    assert!(name.len() <= 200, "{} bytes: {name}", name.len());
    assert!(name.starts_with("LONG777"), "{name}");
    assert!(name.ends_with(".hl7"), "{name}");
    let hash = name.trim_end_matches(".hl7").rsplit_once('~').unwrap().1;
    assert!(
        hash.len() == 16 && hash.chars().all(|c| c.is_ascii_hexdigit()),
        "{name}"
    );

    let blocked = || async {
        engine
            .store
            .message_deliveries(message_id)
            .await
            .unwrap()
            .into_iter()
            .find(|d| d.destination == "blocked")
            .unwrap()
    };
    engine
        .eventually("the blocked delivery is settled", || async {
            blocked().await.attempts > 0
        })
        .await;
    let delivery = blocked().await;
    assert_eq!(delivery.status.as_str(), "dead", "{delivery:?}");
    assert_eq!(delivery.attempts, 1, "{delivery:?}");
    let dead = common::event_details(&engine.store, message_id, "dead").await;
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert!(dead[0].contains("Not a directory"), "{dead:?}");
    assert!(dead[0].contains("not retried"), "{dead:?}");
    engine.stop().await;
}

/// Records every request body, in arrival order.
async fn recording_server(
    port: u16,
    bodies: Arc<Mutex<Vec<String>>>,
) -> tokio::task::JoinHandle<()> {
    let app = Router::new().fallback(move |body: Bytes| {
        let bodies = bodies.clone();
        async move {
            bodies
                .lock()
                .unwrap()
                .push(String::from_utf8_lossy(&body).into_owned());
            StatusCode::OK
        }
    });
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    })
}

#[tokio::test]
async fn a_destination_that_is_down_gets_every_message_in_order_once_it_is_back() {
    let source_port = common::free_port();
    let target_port = common::free_port();
    let channel = http_channel(
        "relay",
        source_port,
        &format!(
            "[[destinations]]\ntype = \"http\"\nname = \"partner\"\nurl = \"http://127.0.0.1:{target_port}/in\"\n\
             [destinations.queue]\nordered = true\ninitial_backoff_ms = 100\nmax_backoff_ms = 400\nmax_attempts = 1000\n"
        ),
    );
    let engine = Engine::start(&[("channels/relay.toml", channel)]).await;
    listening(&engine, source_port).await;
    let sent: Vec<String> = (0..8).map(adt).collect();
    for message in &sent {
        let response = post(source_port, message.clone()).await;
        assert_eq!(response.status(), StatusCode::ACCEPTED);
    }
    // Down for a while: every attempt fails and is retried.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let status = engine.get_json("/api/channels").await;
    let retried = status["channels"][0]["counters"]["totals"]["retried"]
        .as_u64()
        .unwrap();
    assert!(retried > 0, "{status}");
    assert_eq!(
        status["channels"][0]["queues"][0]["depth"]["pending"], 8,
        "{status}"
    );

    let bodies = Arc::new(Mutex::new(Vec::new()));
    let server = recording_server(target_port, bodies.clone()).await;
    engine
        .eventually("all messages arrived", || async {
            bodies.lock().unwrap().len() >= sent.len()
        })
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        *bodies.lock().unwrap(),
        sent,
        "every message once, in order"
    );
    server.abort();
    engine.stop().await;
}

#[tokio::test]
async fn an_edited_channel_redeploys_while_another_keeps_receiving_and_a_bad_edit_is_refused() {
    let (a_port, b_port) = (common::free_port(), common::free_port());
    let a = http_channel("a", a_port, &file_destination("out", "a-first"));
    let b = http_channel("b", b_port, &file_destination("out", "b"));
    let engine = Engine::start(&[("channels/a.toml", a), ("channels/b.toml", b)]).await;
    for port in [a_port, b_port] {
        listening(&engine, port).await;
    }
    // Keep channel b busy for the whole test.
    let keep_sending = tokio_util::sync::CancellationToken::new();
    let stop = keep_sending.clone();
    let sender = tokio::spawn(async move {
        let mut statuses = Vec::new();
        let mut n = 1000;
        while !stop.is_cancelled() {
            statuses.push(post(b_port, adt(n)).await.status());
            n += 1;
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        statuses
    });

    let edited = http_channel("a", a_port, &file_destination("out", "a-second"));
    let response = engine
        .api(Method::PUT, "/api/channels/a/config")
        .body(edited.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{}",
        response.text().await.unwrap()
    );
    assert_eq!(
        std::fs::read_to_string(engine.path("channels/a.toml")).unwrap(),
        edited
    );
    engine
        .eventually("the edited channel listens", || async {
            reqwest::get(format!("http://127.0.0.1:{a_port}/"))
                .await
                .is_ok()
        })
        .await;
    assert_eq!(post(a_port, adt(1)).await.status(), StatusCode::ACCEPTED);
    let second = engine.path("data/a-second");
    engine
        .eventually("the edited destination is used", || async {
            !file_names(&second).is_empty()
        })
        .await;

    // Checking a file writes and deploys nothing; a typo is answered with its line and field.
    let checked = engine
        .api(Method::POST, "/api/channels/a/config/check")
        .body(edited.replace("a-second", "a-third"))
        .send()
        .await
        .unwrap();
    assert_eq!(checked.status(), StatusCode::OK);
    let checked = engine
        .api(Method::POST, "/api/channels/a/config/check")
        .body(edited.replace("allow_anonymous", "allow_anonymus"))
        .send()
        .await
        .unwrap();
    assert_eq!(checked.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: serde_json::Value = checked.json().await.unwrap();
    assert_eq!(body["problems"][0]["line"], 5, "{body}");
    assert_eq!(
        body["problems"][0]["field"], "source.allow_anonymus",
        "{body}"
    );
    assert_eq!(
        std::fs::read_to_string(engine.path("channels/a.toml")).unwrap(),
        edited
    );

    // A typo: refused with file, line, field and reason; the running version stays.
    let typo = edited.replace("allow_anonymous", "allow_anonymus");
    let response = engine
        .api(Method::PUT, "/api/channels/a/config")
        .body(typo)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: serde_json::Value = response.json().await.unwrap();
    let problem = &body["problems"][0];
    assert!(
        problem["file"]
            .as_str()
            .unwrap()
            .ends_with("channels/a.toml"),
        "{body}"
    );
    assert_eq!(problem["line"], 5, "{body}");
    assert_eq!(problem["field"], "source.allow_anonymus", "{body}");
    assert!(
        problem["reason"]
            .as_str()
            .unwrap()
            .starts_with("unknown field"),
        "{body}"
    );
    assert_eq!(
        std::fs::read_to_string(engine.path("channels/a.toml")).unwrap(),
        edited
    );
    assert_eq!(post(a_port, adt(2)).await.status(), StatusCode::ACCEPTED);

    // The same typo written to the file directly is refused by the watcher, too.
    std::fs::write(
        engine.path("channels/a.toml"),
        edited.replace("allow_anonymous", "allow_anonymus"),
    )
    .unwrap();
    engine
        .eventually("the refused edit is reported", || async {
            let list = engine.get_json("/api/channels").await;
            list["channels"][0]["refused_edit"]
                .as_array()
                .is_some_and(|p| {
                    p.iter()
                        .any(|p| p.as_str().unwrap().contains("source.allow_anonymus"))
                })
        })
        .await;
    assert_eq!(post(a_port, adt(3)).await.status(), StatusCode::ACCEPTED);

    keep_sending.cancel();
    let statuses = sender.await.unwrap();
    assert!(statuses.len() > 10, "b kept receiving: {}", statuses.len());
    assert!(
        statuses.iter().all(|s| *s == StatusCode::ACCEPTED),
        "channel b refused something while a was redeployed: {statuses:?}"
    );
    engine.stop().await;
}

fn resident_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn redeploying_a_hundred_times_does_not_grow_memory() {
    let port = common::free_port();
    let engine = Engine::start(&[(
        "channels/churn.toml",
        http_channel("churn", port, &file_destination("out", "out")),
    )])
    .await;
    let redeploy = |i: usize| {
        let text = http_channel(
            "churn",
            port,
            &file_destination("out", &format!("out-{}", i % 2)),
        );
        engine
            .api(Method::PUT, "/api/channels/churn/config")
            .body(text)
            .send()
    };
    for i in 0..20 {
        assert_eq!(redeploy(i).await.unwrap().status(), StatusCode::OK);
    }
    let before = resident_kib();
    for i in 20..120 {
        assert_eq!(redeploy(i).await.unwrap().status(), StatusCode::OK);
    }
    let after = resident_kib();
    assert!(
        after < before + 16 * 1024,
        "resident memory grew from {before} KiB to {after} KiB over 100 redeploys"
    );
    engine
        .eventually("the last version listens", || async {
            reqwest::get(format!("http://127.0.0.1:{port}/"))
                .await
                .is_ok()
        })
        .await;
    assert_eq!(post(port, adt(1)).await.status(), StatusCode::ACCEPTED);
    engine.stop().await;
}

#[tokio::test]
async fn dead_letters_are_listed_and_replayed_and_messages_reprocessed() {
    let (source_port, target_port) = (common::free_port(), common::free_port());
    let channel = http_channel(
        "dl",
        source_port,
        &format!(
            "[[destinations]]\ntype = \"http\"\nname = \"partner\"\nurl = \"http://127.0.0.1:{target_port}/\"\n\
             [destinations.queue]\nmax_attempts = 2\ninitial_backoff_ms = 50\nmax_backoff_ms = 50\n"
        ),
    );
    let engine = Engine::start(&[("channels/dl.toml", channel)]).await;
    listening(&engine, source_port).await;
    let receipt: serde_json::Value = post(source_port, adt(7)).await.json().await.unwrap();
    let message_id = receipt["message_id"].as_i64().unwrap();
    let dead = || async { engine.get_json("/api/dead-letters?channel=dl").await };
    engine
        .eventually("the delivery is dead-lettered", || async {
            dead().await["dead_letters"]
                .as_array()
                .is_some_and(|l| l.len() == 1)
        })
        .await;
    let letters = dead().await;
    let delivery_id = letters["dead_letters"][0]["id"].as_i64().unwrap();
    assert_eq!(letters["dead_letters"][0]["status"], "dead");

    let bodies = Arc::new(Mutex::new(Vec::new()));
    let server = recording_server(target_port, bodies.clone()).await;
    let response = engine
        .api(
            Method::POST,
            &format!("/api/dead-letters/{delivery_id}/replay"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    engine
        .eventually("the replay is delivered", || async {
            bodies.lock().unwrap().len() == 1
        })
        .await;

    let response = engine
        .api(
            Method::POST,
            &format!("/api/messages/{message_id}/reprocess"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    engine
        .eventually("the reprocessed message is delivered again", || async {
            bodies.lock().unwrap().len() == 2
        })
        .await;
    let detail = engine
        .get_json(&format!("/api/messages/{message_id}"))
        .await;
    let kinds: Vec<&str> = detail["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    for kind in [
        "received",
        "routed",
        "processed",
        "retry",
        "dead",
        "replayed",
        "sent",
        "reprocess",
    ] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
    assert_eq!(detail["parsed"][0]["id"], "MSH");
    assert_eq!(detail["parsed"][0]["name"], "Message Header");
    server.abort();
    engine.stop().await;
}

#[tokio::test]
async fn viewers_cannot_deploy_and_config_round_trips_through_an_archive() {
    let port = common::free_port();
    let engine = Engine::start(&[(
        "channels/one.toml",
        http_channel("one", port, &file_destination("out", "out")),
    )])
    .await;
    let (_, viewer) = engine
        .store
        .create_token("viewer", switchboard::store::tokens::Role::Viewer, None)
        .await
        .unwrap();
    let client = common::client();
    let forbidden = client
        .post(format!("{}/api/channels/one/stop", engine.url))
        .bearer_auth(&viewer)
        .send()
        .await
        .unwrap();
    assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);
    // A name that is not a channel name never reaches the file system.
    let escape = engine
        .api(
            Method::GET,
            "/api/channels/..%2Fconfig%2Fswitchboard/config",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(escape.status(), StatusCode::NOT_FOUND);
    let stop = engine
        .api(Method::POST, "/api/channels/one/stop")
        .send()
        .await
        .unwrap();
    assert_eq!(stop.status(), StatusCode::OK);
    let start = engine
        .api(Method::POST, "/api/channels/one/start")
        .send()
        .await
        .unwrap();
    assert_eq!(start.status(), StatusCode::OK);

    let archive = engine
        .api(Method::GET, "/api/config/export")
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let imported = engine
        .api(Method::POST, "/api/config/import")
        .body(archive)
        .send()
        .await
        .unwrap();
    assert_eq!(
        imported.status(),
        StatusCode::OK,
        "{}",
        imported.text().await.unwrap()
    );
    let spec = engine.get_json("/api/openapi.json").await;
    assert_eq!(spec["openapi"], "3.1.0");
    // Generated from the routes: the statuses of the layers are there with the handler's own.
    let submit = &spec["paths"]["/api/claims/submit"]["post"]["responses"];
    for status in ["200", "400", "401", "403", "404", "409", "503"] {
        assert!(submit.get(status).is_some(), "submit answers {status}");
    }
    // FHIR per type: a read-only type takes no create.
    assert!(spec["paths"]["/fhir/Patient"]["post"].is_object());
    assert!(spec["paths"]["/fhir/Claim"]["get"].is_object());
    assert!(spec["paths"]["/fhir/Claim"].get("post").is_none());
    engine.stop().await;
}

#[tokio::test]
async fn an_import_that_moves_data_dir_out_of_the_root_or_widens_paths_is_refused() {
    let engine = Engine::start(&[]).await;
    let own = std::fs::read_to_string(engine.path("config/switchboard.toml")).unwrap();
    let archive_with = |engine_file: &str| {
        let source = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(source.path().join("config")).unwrap();
        std::fs::write(source.path().join("config/switchboard.toml"), engine_file).unwrap();
        switchboard::channel::deployment::archive::export(source.path()).unwrap()
    };
    for (engine_file, expected) in [
        (
            "data_dir = \"/var/tmp/elsewhere\"\n",
            "config/switchboard.toml:1: data_dir: /var/tmp/elsewhere must stay under the deployment root",
        ),
        (
            "data_dir = \"../../var/tmp\"\n",
            "config/switchboard.toml:1: data_dir: ../../var/tmp must stay under the deployment root",
        ),
        (
            "data_dir = \"/var/tmp\"\n[paths]\nallow = [\"/var/tmp\"]\n",
            "config/switchboard.toml:3: paths.allow: is [\"/var/tmp\"] here but [] on the engine",
        ),
    ] {
        let response = engine
            .api(Method::POST, "/api/config/import")
            .body(archive_with(engine_file))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: serde_json::Value = response.json().await.unwrap();
        let texts: Vec<&str> = body["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["text"].as_str().unwrap())
            .collect();
        assert!(
            texts.iter().any(|t| t.starts_with(expected)),
            "{expected}\n{texts:#?}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(engine.path("config/switchboard.toml")).unwrap(),
        own,
        "a refused import writes nothing"
    );
    engine.stop().await;
}

#[tokio::test]
async fn a_channel_destination_hands_messages_to_another_channel() {
    let port = common::free_port();
    let front = http_channel(
        "front",
        port,
        "[[destinations]]\ntype = \"channel\"\nname = \"next\"\nchannel = \"back\"\n",
    );
    let back = "name = \"back\"\n[source]\ntype = \"schedule\"\ncron = \"0 0 0 1 1 *\"\n"
        .to_string()
        + file_destination("out", "back").as_str();
    let engine =
        Engine::start(&[("channels/front.toml", front), ("channels/back.toml", back)]).await;
    listening(&engine, port).await;
    assert_eq!(post(port, adt(5)).await.status(), StatusCode::ACCEPTED);
    let out = engine.path("data/back");
    engine
        .eventually("the back channel wrote it", || async {
            file_names(&out).len() == 1
        })
        .await;
    let messages = engine
        .store
        .search_messages(&switchboard::store::messages::MessageQuery {
            channel: Some("back".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(messages.len(), 1);
    engine.stop().await;
}

#[tokio::test]
async fn scheduled_jobs_run_and_record_their_outcome() {
    let port = common::free_port();
    let engine_file = format!(
        "[http]\nlisten = \"127.0.0.1:{port}\"\n[log]\nlevel = \"warn\"\n\
         [[jobs]]\nname = \"prune-every-second\"\ncron = \"* * * * * *\"\ntask = \"prune\"\n"
    );
    let engine = Engine::start(&[("config/switchboard.toml", engine_file)]).await;
    let runs = || async { engine.get_json("/api/jobs?job=prune-every-second").await };
    engine
        .eventually("the job ran", || async {
            runs().await["runs"]
                .as_array()
                .is_some_and(|r| r.iter().any(|run| run["outcome"] == "ok"))
        })
        .await;
    let body = runs().await;
    let run = body["runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["outcome"] == "ok")
        .unwrap();
    assert!(
        run["detail"]
            .as_str()
            .unwrap()
            .starts_with("pruned 0 message(s)"),
        "{body}"
    );
    engine.stop().await;
}

/// The engine with the shipped X12 inbox (and the outbox its 999s go to), polling every second.
async fn x12_inbox_engine() -> Engine {
    let shipped = |name: &str| {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("channels")
            .join(name);
        std::fs::read_to_string(path)
            .unwrap()
            .replace("poll_seconds = 5", "poll_seconds = 1\nsettle_ms = 100")
    };
    let engine = Engine::start(&[
        ("channels/x12-inbox.toml", shipped("x12-inbox.toml")),
        ("channels/x12-outbox.toml", shipped("x12-outbox.toml")),
    ])
    .await;
    let inbox = engine.path("data/inbox/x12");
    engine
        .eventually("the inbox exists", || async { inbox.exists() })
        .await;
    engine
}

fn x12_fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/x12")
            .join(name),
    )
    .unwrap()
}

/// Drops `bytes` in the X12 inbox as `name` and waits until the file is moved to `outcome/`.
async fn drop_in_x12_inbox(engine: &Engine, name: &str, bytes: &[u8], outcome: &str) {
    let inbox = engine.path("data/inbox/x12");
    std::fs::write(inbox.join(name), bytes).unwrap();
    let moved = inbox.join(outcome).join(name);
    engine
        .eventually(&format!("{name} is in {outcome}/"), || async {
            moved.exists()
        })
        .await;
}

/// Payers reuse interchange control numbers: a second, different 835 with the same ISA13 is a
/// new message and a second remittance; an 837 with the sender and ISA13 of an 835 is no resend
/// of it. Only the same content again is a resend.
#[tokio::test]
async fn x12_interchanges_that_reuse_a_control_number_are_all_kept() {
    let engine = x12_inbox_engine().await;
    let remittance = common::corrected_835().into_bytes();
    let other = String::from_utf8(remittance.clone())
        .unwrap()
        .replace("TRN*1*7170066655*", "TRN*1*7170066656*")
        .into_bytes();
    assert_ne!(remittance, other);
    drop_in_x12_inbox(&engine, "first.x12", &remittance, "processed").await;
    drop_in_x12_inbox(&engine, "second.x12", &other, "processed").await;
    let stored = engine.channel_messages("x12-inbox").await;
    assert_eq!(stored.len(), 2, "{stored:?}");
    assert_eq!(stored[0].control_id, stored[1].control_id, "{stored:?}");
    assert!(
        stored
            .iter()
            .all(|m| m.status == switchboard::store::messages::MessageStatus::Processed)
    );
    imported_traces(
        &engine,
        "both 835s are imported",
        &["7170066655", "7170066656"],
    )
    .await;

    // The first 835 again (with a line ending added at the end): a resend, not stored again.
    let mut again = remittance.clone();
    again.extend_from_slice(b"\r\n");
    drop_in_x12_inbox(&engine, "again.x12", &again, "processed").await;
    assert_eq!(engine.channel_messages("x12-inbox").await.len(), 2);
    let duplicates = common::event_details(&engine.store, stored[1].id, "duplicate").await;
    assert_eq!(duplicates.len(), 1, "{duplicates:?}");

    // An 837 from the same sender with the same ISA13: a message of its own.
    let claim = x12_fixture("837p-demo-example1.x12");
    drop_in_x12_inbox(&engine, "claim.x12", &claim, "processed").await;
    let stored = engine.channel_messages("x12-inbox").await;
    assert_eq!(stored.len(), 3, "{stored:?}");
    assert_eq!(stored[0].control_id, stored[1].control_id, "{stored:?}");
    assert_eq!(
        engine.store.message_raw(stored[0].id).await.unwrap(),
        Some(claim)
    );
    assert_eq!(engine.store.remittances(10).await.unwrap().len(), 2);
    engine.stop().await;
}

/// Waits until the store holds remittances with exactly these trace numbers (sorted).
async fn imported_traces(engine: &Engine, what: &str, expected: &[&str]) {
    engine
        .eventually(what, || async {
            let mut traces: Vec<String> = engine
                .store
                .remittances(10)
                .await
                .unwrap()
                .into_iter()
                .map(|r| r.trace_number)
                .collect();
            traces.sort();
            traces == expected
        })
        .await;
}

/// A file that concatenates two interchanges (as clearinghouses send them) is one message
/// whose interchanges are all imported, and each is answered by a 999 of its own.
#[tokio::test]
async fn every_interchange_of_a_file_is_imported_and_answered() {
    let engine = x12_inbox_engine().await;
    let first = common::corrected_835();
    let second = first
        .replace("*000000907*", "*000000908*")
        .replace("TRN*1*7170066655*", "TRN*1*7170066657*");
    let both = format!("{}\n{second}", first.trim_end());
    drop_in_x12_inbox(&engine, "two.x12", both.as_bytes(), "processed").await;
    imported_traces(
        &engine,
        "both interchanges' 835s are imported",
        &["7170066655", "7170066657"],
    )
    .await;
    let outbox = engine.path("data/outbox/x12");
    engine
        .eventually("a 999 answers each interchange", || async {
            common::file_names(&outbox).iter().any(|name| {
                std::fs::read_to_string(outbox.join(name))
                    .is_ok_and(|text| text.matches("ST*999*").count() == 2)
            })
        })
        .await;
    engine.stop().await;
}

/// An 835 whose composites use `>` while its ISA16 declares `:` is read as its sender meant,
/// and the message's trail says what was wrong.
#[tokio::test]
async fn composites_written_with_another_separator_are_read_and_recorded_as_a_warning() {
    let engine = x12_inbox_engine().await;
    let remittance = common::corrected_835()
        .replace("SVC*HC:", "SVC*HC>")
        .into_bytes();
    drop_in_x12_inbox(&engine, "mixed.x12", &remittance, "processed").await;
    let stored = engine.channel_messages("x12-inbox").await;
    let warnings = common::event_details(&engine.store, stored[0].id, "warning").await;
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("ISA16 declares ':' but composites use '>'")),
        "{warnings:?}"
    );
    engine
        .eventually("the 835 is imported with its procedure codes", || async {
            let codes: Vec<String> =
                sqlx::query_scalar("SELECT procedure_code FROM remittance_lines ORDER BY id")
                    .fetch_all(engine.store.pool())
                    .await
                    .unwrap_or_default();
            codes == ["99211", "93555"]
        })
        .await;
    engine.stop().await;
}

/// The X12 inbox takes X12 only: anything else (text, an empty file, an HL7 v2 message) is
/// stored with status error and moved to error/ with its reason, never filtered.
#[tokio::test]
async fn a_file_that_is_not_x12_in_the_x12_inbox_goes_to_error_with_its_reason() {
    let engine = x12_inbox_engine().await;
    let cases: [(&str, &[u8]); 3] = [
        ("notes.x12", b"hello, this is no interchange\n"),
        ("empty.x12", b""),
        ("adt.x12", ADT.as_bytes()),
    ];
    for (name, bytes) in cases {
        drop_in_x12_inbox(&engine, name, bytes, "error").await;
        let reason = engine
            .path("data/inbox/x12/error")
            .join(format!("{name}.reason.txt"));
        let text = std::fs::read_to_string(&reason).unwrap();
        assert!(text.contains("X12"), "{name}: {text}");
    }
    let stored = engine.channel_messages("x12-inbox").await;
    assert_eq!(stored.len(), 3, "{stored:?}");
    for message in &stored {
        assert_eq!(
            message.status,
            switchboard::store::messages::MessageStatus::Error,
            "{stored:?}"
        );
        assert!(
            message.error.as_deref().is_some_and(|e| e.contains("X12")),
            "{stored:?}"
        );
    }
    assert!(file_names(&engine.path("data/inbox/x12/processed")).is_empty());
    engine.stop().await;
}
