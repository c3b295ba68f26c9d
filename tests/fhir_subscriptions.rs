//! FHIR R4 rest-hook Subscriptions against a running engine with the shipped
//! `fhir-subscriptions` channel, on SQLite and PostgreSQL: a Subscription becomes active, a
//! matching Observation is posted to its endpoint (with its headers) within seconds and one
//! that does not match is not, and after the endpoint was down (a minute on SQLite) the
//! notification it missed arrives once it is back, the Subscription's status saying `error`
//! meanwhile. Subscriptions that cannot be served say why.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::Engine;
use common::fhir::create;
use serde_json::{Value, json};

const CHANNEL: &str = include_str!("../channels/fhir-subscriptions.toml");

async fn engine(store_url: Option<&str>) -> Engine {
    let port = common::free_port();
    let store = store_url
        .map(|url| format!("[store]\nurl = \"{url}\"\n"))
        .unwrap_or_default();
    Engine::start(&[
        (
            "config/switchboard.toml",
            format!("{store}[http]\nlisten = \"127.0.0.1:{port}\"\n[log]\nlevel = \"warn\"\n"),
        ),
        ("channels/fhir-subscriptions.toml", CHANNEL.to_string()),
    ])
    .await
}

/// What the endpoint received: the Authorization header and the body.
type Received = Arc<Mutex<Vec<(String, Value)>>>;

/// The subscriber's endpoint on `port`; it stops when the task is aborted.
async fn endpoint(port: u16, received: Received) -> tokio::task::JoinHandle<()> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("the endpoint's port");
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: bytes::Bytes| {
            let received = received.clone();
            async move {
                let auth = headers
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string();
                let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
                received.lock().unwrap().push((auth, body));
                axum::http::StatusCode::OK
            }
        }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    })
}

fn observation(patient: &str, code: &str) -> Value {
    json!({
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
        "subject": {"reference": format!("Patient/{patient}")},
        "valueQuantity": {"value": 13.2, "unit": "g/dL", "system": "http://unitsofmeasure.org", "code": "g/dL"},
    })
}

fn subscription(criteria: &str, endpoint: &str) -> Value {
    json!({
        "resourceType": "Subscription",
        "status": "requested",
        "reason": "hemoglobin results",
        "criteria": criteria,
        "channel": {
            "type": "rest-hook",
            "endpoint": endpoint,
            "payload": "application/fhir+json",
            "header": ["Authorization: Bearer hook-secret"],
        },
    })
}

/// Waits until Subscription `id` has `status`; answers it.
async fn status_becomes(engine: &Engine, id: &str, status: &str) -> Value {
    let path = format!("/fhir/Subscription/{id}");
    engine
        .eventually(&format!("Subscription/{id} is {status}"), || async {
            engine.get_json(&path).await["status"] == status
        })
        .await;
    engine.get_json(&path).await
}

/// Waits until the endpoint has received Observation `id`.
async fn arrives(engine: &Engine, received: &Received, id: &str) {
    engine
        .eventually(&format!("Observation/{id} is notified"), || async {
            received
                .lock()
                .unwrap()
                .iter()
                .any(|(_, body)| body["id"] == id)
        })
        .await;
}

async fn notifies_and_retries(engine: &Engine, outage: Duration) {
    let port = common::free_port();
    let received: Received = Arc::default();
    let server = endpoint(port, received.clone()).await;
    let patient = create(engine, &json!({"resourceType": "Patient",
               "identifier": [{"system": "urn:sub:mrn", "value": format!("S-{}", rand::random::<u32>())}],
               "name": [{"family": "Notified"}]}),
    )
    .await;
    let other = create(engine, &json!({"resourceType": "Patient",
               "identifier": [{"system": "urn:sub:mrn", "value": format!("O-{}", rand::random::<u32>())}],
               "name": [{"family": "Other"}]}),
    )
    .await;
    let hook = format!("http://127.0.0.1:{port}/hook");
    let id = create(
        engine,
        &subscription(
            &format!("Observation?code=http://loinc.org|718-7&patient=Patient/{patient}"),
            &hook,
        ),
    )
    .await;
    status_becomes(engine, &id, "active").await;

    // Not matching: another code, another patient. Matching: the third.
    create(engine, &observation(&patient, "8867-4")).await;
    create(engine, &observation(&other, "718-7")).await;
    let first = create(engine, &observation(&patient, "718-7")).await;
    arrives(engine, &received, &first).await;

    // The endpoint goes down; a matching result made meanwhile arrives once it is back.
    server.abort();
    let _ = server.await;
    let down_since = std::time::Instant::now();
    let missed = create(engine, &observation(&patient, "718-7")).await;
    let failing = status_becomes(engine, &id, "error").await;
    assert!(
        failing["error"]
            .as_str()
            .unwrap_or_default()
            .contains(&hook),
        "{failing}"
    );
    tokio::time::sleep(outage.saturating_sub(down_since.elapsed())).await;
    assert!(
        !received
            .lock()
            .unwrap()
            .iter()
            .any(|(_, body)| body["id"] == missed),
        "nothing arrives while the endpoint is down"
    );
    let server = endpoint(port, received.clone()).await;
    arrives(engine, &received, &missed).await;
    status_becomes(engine, &id, "active").await;

    // Every notification was a matching Observation with the Subscription's header, each once.
    let received = received.lock().unwrap().clone();
    let ids: Vec<&str> = received
        .iter()
        .map(|(_, body)| body["id"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(ids, [first.as_str(), missed.as_str()], "{received:?}");
    for (auth, body) in &received {
        assert_eq!(auth, "Bearer hook-secret");
        assert_eq!(body["resourceType"], "Observation");
        assert_eq!(body["code"]["coding"][0]["code"], "718-7");
        assert_eq!(body["subject"]["reference"], format!("Patient/{patient}"));
        assert!(body["meta"]["versionId"].is_string(), "{body}");
    }
    server.abort();
}

async fn unserved_subscriptions_say_why(engine: &Engine) {
    let elsewhere = create(
        engine,
        &subscription("Observation?code=718-7", "http://10.1.2.3/hook"),
    )
    .await;
    let refused = status_becomes(engine, &elsewhere, "error").await;
    assert!(
        refused["error"].as_str().unwrap().contains("not allowed"),
        "{refused}"
    );
    let canonical = create(
        engine,
        &subscription("Patient?name=x", "http://127.0.0.1:9/hook"),
    )
    .await;
    let refused = status_becomes(engine, &canonical, "error").await;
    assert!(
        refused["error"].as_str().unwrap().contains("'Patient'"),
        "{refused}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_hook_subscriptions_on_sqlite() {
    let engine = engine(None).await;
    unserved_subscriptions_say_why(&engine).await;
    notifies_and_retries(&engine, Duration::from_secs(60)).await;
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_hook_subscriptions_on_postgres() {
    if let Some(pg) = common::postgres_store().await {
        let engine = engine(Some(&pg.url)).await;
        notifies_and_retries(&engine, Duration::from_secs(5)).await;
        engine.stop().await;
    }
}
