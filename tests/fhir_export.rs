//! Bulk export (`$export`) over real HTTP against a running engine, on SQLite and PostgreSQL:
//! a kick-off answered 202 with a status URL, the manifest once done, NDJSON files that read
//! back as the resources served one by one, `_type` and `_since`, a patient export, deletion,
//! and the refusals (no `Prefer: respond-async`, a bad parameter, a viewer).

mod common;

use common::Engine;
use common::fhir::create;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use switchboard::store::tokens::Role;

async fn engine(store_url: Option<&str>) -> Engine {
    let port = common::free_port();
    let store = store_url
        .map(|url| format!("[store]\nurl = \"{url}\"\n"))
        .unwrap_or_default();
    Engine::start(&[(
        "config/switchboard.toml",
        format!("{store}[http]\nlisten = \"127.0.0.1:{port}\"\n[log]\nlevel = \"warn\"\n"),
    )])
    .await
}

fn patient(family: &str) -> Value {
    json!({
        "resourceType": "Patient",
        "identifier": [{"system": "urn:export:mrn", "value": format!("{family}-{}", rand::random::<u32>())}],
        "name": [{"family": family, "given": ["Ada"]}],
        "gender": "female",
        "birthDate": "1980-02-03",
    })
}

/// Kicks off `path` and answers the status URL.
async fn kick_off(engine: &Engine, path: &str) -> String {
    let response = engine
        .api(Method::GET, path)
        .header("prefer", "respond-async")
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::ACCEPTED,
        "{}",
        response.text().await.unwrap_or_default()
    );
    let location = response
        .headers()
        .get("content-location")
        .expect("a status URL")
        .to_str()
        .unwrap()
        .to_string();
    assert!(location.contains("/fhir/$export-status/"), "{location}");
    location
}

/// Polls a status URL until the manifest comes.
async fn wait_manifest(engine: &Engine, location: &str) -> Value {
    let path = location
        .split_once("/fhir/")
        .map(|(_, p)| format!("/fhir/{p}"))
        .unwrap();
    for _ in 0..300 {
        let response = engine.api(Method::GET, &path).send().await.unwrap();
        match response.status() {
            StatusCode::ACCEPTED => {
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            StatusCode::OK => return response.json().await.unwrap(),
            other => panic!("status {other}: {}", response.text().await.unwrap()),
        }
    }
    panic!("the export did not finish in 30 s");
}

/// The NDJSON file of `type` in a manifest, read as resources.
async fn file(engine: &Engine, manifest: &Value, kind: &str) -> Vec<Value> {
    let output = manifest["output"].as_array().expect("output");
    let entry = output
        .iter()
        .find(|o| o["type"] == kind)
        .unwrap_or_else(|| panic!("no {kind} file in {manifest}"));
    let url = entry["url"].as_str().unwrap();
    let path = url
        .split_once("/fhir/")
        .map(|(_, p)| format!("/fhir/{p}"))
        .unwrap();
    let response = engine.api(Method::GET, &path).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "application/fhir+ndjson"
    );
    let text = response.text().await.unwrap();
    let resources: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON resource per line"))
        .collect();
    assert_eq!(
        entry["count"].as_u64(),
        Some(resources.len() as u64),
        "the manifest counts the lines"
    );
    resources
}

async fn exports_what_is_stored(engine: &Engine) {
    let ada = create(engine, &patient("Lovelace")).await;
    let grace = create(engine, &patient("Hopper")).await;
    let encounter = create(engine, &json!({"resourceType": "Encounter", "status": "in-progress",
               "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
               "identifier": [{"system": "urn:export:visit", "value": format!("V-{}", rand::random::<u32>())}],
               "subject": {"reference": format!("Patient/{ada}")}}),
    )
    .await;

    // The whole store.
    let location = kick_off(engine, "/fhir/$export").await;
    let manifest = wait_manifest(engine, &location).await;
    assert_eq!(manifest["requiresAccessToken"], true);
    assert!(
        manifest["request"]
            .as_str()
            .unwrap()
            .ends_with("/fhir/$export")
    );
    assert_eq!(manifest["error"], json!([]));
    let patients = file(engine, &manifest, "Patient").await;
    let ids: Vec<&str> = patients.iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert!(
        ids.contains(&ada.as_str()) && ids.contains(&grace.as_str()),
        "{ids:?}"
    );
    // Each line is the resource as it is served alone.
    let served = engine.get_json(&format!("/fhir/Patient/{ada}")).await;
    let exported = patients.iter().find(|p| p["id"] == ada.as_str()).unwrap();
    assert_eq!(exported["name"], served["name"]);
    assert_eq!(exported["meta"]["versionId"], served["meta"]["versionId"]);
    let encounters = file(engine, &manifest, "Encounter").await;
    assert!(encounters.iter().any(|e| e["id"] == encounter.as_str()));

    // One type, changed since an instant after everything written so far: nothing.
    let future = "2999-01-01T00:00:00Z";
    let location = kick_off(
        engine,
        &format!("/fhir/$export?_type=Patient&_since={future}"),
    )
    .await;
    let manifest = wait_manifest(engine, &location).await;
    assert_eq!(manifest["output"], json!([]), "{manifest}");

    // The patients' export, only the types asked.
    let location = kick_off(engine, "/fhir/Patient/$export?_type=Patient,Encounter").await;
    let manifest = wait_manifest(engine, &location).await;
    let types: Vec<&str> = manifest["output"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["Patient", "Encounter"]);

    // Deleted: the status URL and the files are gone.
    let status_path = location
        .split_once("/fhir/")
        .map(|(_, p)| format!("/fhir/{p}"))
        .unwrap();
    let file_url = manifest["output"][0]["url"].as_str().unwrap().to_string();
    let file_path = file_url
        .split_once("/fhir/")
        .map(|(_, p)| format!("/fhir/{p}"))
        .unwrap();
    let deleted = engine
        .api(Method::DELETE, &status_path)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::ACCEPTED);
    let gone = engine.api(Method::GET, &status_path).send().await.unwrap();
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    let gone = engine.api(Method::GET, &file_path).send().await.unwrap();
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
}

async fn refusals(engine: &Engine) {
    let refused = |response: reqwest::Response| async move {
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["resourceType"], "OperationOutcome", "{body}");
        (
            status,
            body["issue"][0]["diagnostics"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        )
    };
    let (status, why) = refused(
        engine
            .api(Method::GET, "/fhir/$export")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(why.contains("respond-async"), "{why}");
    let (status, why) = refused(
        engine
            .api(Method::GET, "/fhir/$export?_type=Nothing")
            .header("prefer", "respond-async")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(why.contains("'Nothing'"), "{why}");
    let (status, _) = refused(
        engine
            .api(
                Method::GET,
                "/fhir/$export-file/0123456789abcdef0123456789abcdef/..%2F..%2Fswitchboard.ndjson",
            )
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, viewer) = engine
        .store
        .create_token("export-viewer", Role::Viewer, None)
        .await
        .unwrap();
    let response = common::client()
        .get(format!("{}/fhir/$export", engine.url))
        .bearer_auth(viewer)
        .header("prefer", "respond-async")
        .send()
        .await
        .unwrap();
    let (status, _) = refused(response).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn bulk_export_on_sqlite() {
    let engine = engine(None).await;
    exports_what_is_stored(&engine).await;
    refusals(&engine).await;
    // The files live under the data directory.
    assert!(engine.root.path().join("data/exports").is_dir());
    engine.stop().await;
}

#[tokio::test]
async fn bulk_export_on_postgres() {
    if let Some(pg) = common::postgres_store().await {
        let engine = engine(Some(&pg.url)).await;
        exports_what_is_stored(&engine).await;
        engine.stop().await;
    }
}
