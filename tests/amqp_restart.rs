//! RabbitMQ restarted in the middle of a stream: nothing is lost on the way out (publisher
//! confirms, durable queue, persistent messages) or on the way in (ack after store, reconnect).
//! Alone in its binary because it stops the machine's broker for a few seconds.

mod common;

use std::process::Command;
use std::time::Duration;

use common::{Engine, file_names};
use reqwest::StatusCode;

/// Restarts the broker's application even when the test fails half-way.
struct BrokerGuard;

impl Drop for BrokerGuard {
    fn drop(&mut self) {
        let _ = Command::new("rabbitmqctl").arg("start_app").output();
    }
}

fn rabbitmqctl(action: &str) {
    let output = Command::new("rabbitmqctl")
        .arg(action)
        .output()
        .unwrap_or_else(|err| panic!("rabbitmqctl {action}: {err}"));
    assert!(
        output.status.success(),
        "rabbitmqctl {action}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broker_restart_mid_stream_loses_nothing() {
    let Some(amqp) = common::amqp_url() else {
        return;
    };
    if Command::new("rabbitmqctl").arg("status").output().is_err() {
        assert!(
            !common::in_ci(),
            "rabbitmqctl is needed to restart the broker"
        );
        eprintln!("skipping: rabbitmqctl is not available");
        return;
    }
    let queue = format!("switchboard-restart-{}", rand::random::<u32>());
    let port = common::free_port();
    let outbound = format!(
        "name = \"to-broker\"\n[source]\ntype = \"http\"\nlisten = \"127.0.0.1:{port}\"\nallow_anonymous = true\n\
         [[destinations]]\ntype = \"amqp\"\nname = \"broker\"\nurl = \"{amqp}\"\nrouting_key = \"{queue}\"\ndeclare_queue = true\n\
         [destinations.queue]\ninitial_backoff_ms = 200\nmax_backoff_ms = 1000\nmax_attempts = 10000\n"
    );
    let inbound = format!(
        "name = \"from-broker\"\n[source]\ntype = \"amqp\"\nurl = \"{amqp}\"\nqueue = \"{queue}\"\nprefetch = 4\n\
         [[destinations]]\ntype = \"file\"\nname = \"received\"\nfolder = \"received\"\nname_template = \"{{control_id}}.hl7\"\n"
    );
    let engine = Engine::start(&[
        ("channels/to-broker.toml", outbound),
        ("channels/from-broker.toml", inbound),
    ])
    .await;
    engine
        .eventually("the HTTP source listens", || async {
            reqwest::get(format!("http://127.0.0.1:{port}/"))
                .await
                .is_ok()
        })
        .await;

    let _guard = BrokerGuard;
    let total = 40;
    let client = common::client();
    for n in 0..total {
        if n == 12 {
            tokio::task::spawn_blocking(|| {
                rabbitmqctl("stop_app");
                std::thread::sleep(Duration::from_secs(2));
                rabbitmqctl("start_app");
            });
        }
        let message =
            format!("MSH|^~\\&|EHR|HOSP|SB|SB|20261125||ADT^A08|R{n:03}|P|2.5\rPID|1||MRN{n}\r");
        let response = client
            .post(format!("http://127.0.0.1:{port}/"))
            .body(message)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::ACCEPTED, "message {n}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let received = engine.path("data/received");
    common::eventually(
        "every message came back through the broker",
        Duration::from_secs(90),
        || async { file_names(&received).len() >= total },
    )
    .await;
    let names = file_names(&received);
    let expected: Vec<String> = (0..total).map(|n| format!("R{n:03}.hl7")).collect();
    assert_eq!(names, expected);
    for n in [0, 12, 39] {
        let text = std::fs::read_to_string(received.join(format!("R{n:03}.hl7"))).unwrap();
        assert!(text.contains(&format!("|R{n:03}|")), "{text}");
    }
    engine.stop().await;
    if let Ok(connection) =
        lapin::Connection::connect(&amqp, lapin::ConnectionProperties::default()).await
        && let Ok(channel) = connection.create_channel().await
    {
        let _ = channel
            .queue_delete(
                queue.as_str().into(),
                lapin::options::QueueDeleteOptions::default(),
            )
            .await;
    }
}
