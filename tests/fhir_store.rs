//! The versioned FHIR store over real HTTP against a running engine, on SQLite and PostgreSQL:
//! resources of the R4 types without a canonical table (the specification's own examples)
//! created, read, updated, patched and deleted with every version kept; vread and history at
//! the instance, type and system levels; `If-Match`; transaction Bundles mixing canonical and
//! stored resources; invalid resources refused with the path of what is wrong.

mod common;

use common::Engine;
use common::fhir::{Answer, call, engine, get, post, send};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use switchboard::fhir::versioned;

/// A specification example kept under `tests/fixtures/fhir/` (see SOURCES.md there).
fn example(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/fhir/r4-examples/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{path}: {err}"));
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("{path}: {err}"))
}

async fn put(engine: &Engine, path: &str, body: &Value, headers: &[(&str, &str)]) -> Answer {
    call(engine, Method::PUT, path, Some(body), headers).await
}

async fn delete(engine: &Engine, path: &str) -> Answer {
    call(engine, Method::DELETE, path, None, &[]).await
}

/// A PATCH with a JSON Patch body, declared as `content_type`.
async fn patch(engine: &Engine, path: &str, operations: &Value, content_type: &str) -> Answer {
    let request = engine
        .api(Method::PATCH, path)
        .header("content-type", content_type)
        .body(operations.to_string());
    send(request, &format!("PATCH {path}")).await
}

/// The path below the host of an absolute URL.
fn path_of(url: &str) -> &str {
    &url[url.find("/fhir/").unwrap_or(0)..]
}

/// Every interaction on one backend.
async fn interactions(engine: &Engine, backend: &str) {
    capability(engine).await;
    let id = create_read_update(engine, backend).await;
    patches(engine, &id).await;
    deletes_and_history(engine, &id).await;
    update_as_create(engine).await;
    invalid_resources(engine).await;
    transactions(engine).await;
    type_and_system_history(engine).await;
    conditional(engine).await;
}

async fn capability(engine: &Engine) {
    let metadata = get(engine, "/fhir/metadata").await;
    assert_eq!(metadata.status, StatusCode::OK);
    let resources = metadata.body["rest"][0]["resource"].as_array().unwrap();
    let observation = resources
        .iter()
        .find(|r| r["type"] == "Observation")
        .expect("Observation is served");
    let codes: Vec<&str> = observation["interaction"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["code"].as_str())
        .collect();
    for code in switchboard::fhir::STORED_INTERACTIONS {
        assert!(codes.contains(&code), "{code} in {codes:?}");
    }
    assert_eq!(codes.len(), switchboard::fhir::STORED_INTERACTIONS.len());
    assert_eq!(observation["versioning"], "versioned");
    assert_eq!(observation["readHistory"], true);
    assert_eq!(observation["updateCreate"], true);
    assert_eq!(observation["conditionalDelete"], "multiple");
    assert!(
        observation["searchParam"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "code" && p["type"] == "token"),
        "{observation}"
    );
    let patient = resources.iter().find(|r| r["type"] == "Patient").unwrap();
    assert_eq!(patient["readHistory"], false);
    assert!(
        metadata.body["rest"][0]["interaction"]
            .as_array()
            .unwrap()
            .contains(&json!({"code": "history-system"}))
    );
}

/// Creates the body weight example, reads it, updates it with and without `If-Match`; answers its id.
async fn create_read_update(engine: &Engine, backend: &str) -> String {
    let sent = example("Observation-example");
    let created = post(engine, "/fhir/Observation", &sent).await;
    assert_eq!(
        created.status,
        StatusCode::CREATED,
        "{backend}: {}",
        created.body
    );
    let id = created.body["id"].as_str().unwrap().to_string();
    assert_ne!(id, "example", "a create gets an id from the server");
    assert_eq!(id.len(), 36, "a UUID: {id}");
    assert_eq!(created.header("etag"), "W/\"1\"");
    assert!(
        created
            .header("location")
            .ends_with(&format!("/fhir/Observation/{id}/_history/1")),
        "{}",
        created.header("location")
    );
    assert!(created.header("last-modified").ends_with(" GMT"));
    assert_eq!(created.body["meta"]["versionId"], "1");
    assert!(created.body["meta"]["lastUpdated"].is_string());
    assert_eq!(created.body["valueQuantity"], sent["valueQuantity"]);
    assert_eq!(created.body["subject"]["reference"], "Patient/example");

    let read = get(engine, &format!("/fhir/Observation/{id}")).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.body, created.body);
    assert_eq!(read.header("etag"), "W/\"1\"");

    let mut changed = read.body.clone();
    changed["status"] = json!("amended");
    let path = format!("/fhir/Observation/{id}");
    let updated = put(engine, &path, &changed, &[]).await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    assert_eq!(updated.header("etag"), "W/\"2\"");
    assert_eq!(updated.body["status"], "amended");
    assert_eq!(updated.body["meta"]["versionId"], "2");

    let stale = put(engine, &path, &changed, &[("if-match", "W/\"1\"")]).await;
    assert!(
        stale
            .outcome(StatusCode::PRECONDITION_FAILED)
            .contains("version 2")
    );
    changed["status"] = json!("corrected");
    let current = put(engine, &path, &changed, &[("if-match", "W/\"2\"")]).await;
    assert_eq!(current.status, StatusCode::OK, "{}", current.body);
    assert_eq!(current.header("etag"), "W/\"3\"");

    let first = get(engine, &format!("{path}/_history/1")).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.body["status"], "final");
    assert_eq!(first.header("etag"), "W/\"1\"");
    get(engine, &format!("{path}/_history/9"))
        .await
        .outcome(StatusCode::NOT_FOUND);
    get(engine, &format!("{path}/_history/x"))
        .await
        .outcome(StatusCode::NOT_FOUND);
    id
}

async fn patches(engine: &Engine, id: &str) {
    let path = format!("/fhir/Observation/{id}");
    let json_patch = "application/json-patch+json";
    let patched = patch(
        engine,
        &path,
        &json!([
            {"op": "test", "path": "/status", "value": "corrected"},
            {"op": "replace", "path": "/status", "value": "final"},
            {"op": "add", "path": "/note", "value": [{"text": "repeated on request"}]}
        ]),
        json_patch,
    )
    .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert_eq!(patched.header("etag"), "W/\"4\"");
    assert_eq!(patched.body["status"], "final");
    assert_eq!(patched.body["note"][0]["text"], "repeated on request");

    let failed = patch(
        engine,
        &path,
        &json!([{"op": "test", "path": "/status", "value": "preliminary"}]),
        json_patch,
    )
    .await;
    assert!(
        failed
            .outcome(StatusCode::UNPROCESSABLE_ENTITY)
            .contains("test failed")
    );

    let invalid = patch(
        engine,
        &path,
        &json!([{"op": "replace", "path": "/status", "value": "bogus"}]),
        json_patch,
    )
    .await;
    invalid.outcome(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        invalid.body["issue"][0]["expression"][0], "status",
        "{}",
        invalid.body
    );

    let renamed = patch(
        engine,
        &path,
        &json!([{"op": "replace", "path": "/id", "value": "other"}]),
        json_patch,
    )
    .await;
    renamed.outcome(StatusCode::UNPROCESSABLE_ENTITY);
    let stale = engine
        .api(Method::PATCH, &path)
        .header("content-type", json_patch)
        .header("if-match", "W/\"1\"")
        .body("[]")
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    patch(engine, &path, &json!([]), "application/fhir+json")
        .await
        .outcome(StatusCode::UNSUPPORTED_MEDIA_TYPE);
    patch(engine, "/fhir/Patient/1", &json!([]), json_patch)
        .await
        .outcome(StatusCode::METHOD_NOT_ALLOWED);

    let unchanged = get(engine, &path).await;
    assert_eq!(
        unchanged.header("etag"),
        "W/\"4\"",
        "failed patches change nothing"
    );
}

async fn deletes_and_history(engine: &Engine, id: &str) {
    let path = format!("/fhir/Observation/{id}");
    let stale = call(
        engine,
        Method::DELETE,
        &path,
        None,
        &[("if-match", "W/\"1\"")],
    )
    .await;
    stale.outcome(StatusCode::PRECONDITION_FAILED);
    let deleted = delete(engine, &path).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(deleted.header("etag"), "W/\"5\"");
    assert!(
        get(engine, &path)
            .await
            .outcome(StatusCode::GONE)
            .contains("deleted")
    );
    get(engine, &format!("{path}/_history/5"))
        .await
        .outcome(StatusCode::GONE);
    assert_eq!(
        get(engine, &format!("{path}/_history/4")).await.status,
        StatusCode::OK,
        "older versions stay readable"
    );
    assert_eq!(delete(engine, &path).await.status, StatusCode::NO_CONTENT);
    delete(engine, "/fhir/Observation/never-was")
        .await
        .outcome(StatusCode::NOT_FOUND);

    let history = get(engine, &format!("{path}/_history")).await;
    assert_eq!(history.status, StatusCode::OK);
    let bundle = &history.body;
    assert_eq!(bundle["type"], "history");
    assert_eq!(bundle["total"], 5, "a second delete makes no version");
    let entries = bundle["entry"].as_array().unwrap();
    let methods: Vec<&str> = entries
        .iter()
        .map(|e| e["request"]["method"].as_str().unwrap())
        .collect();
    assert_eq!(methods, ["DELETE", "PATCH", "PUT", "PUT", "POST"]);
    assert!(entries[0].get("resource").is_none());
    assert_eq!(entries[0]["response"]["status"], "204 No Content");
    assert_eq!(entries[4]["request"]["url"], "Observation");
    assert_eq!(entries[4]["response"]["status"], "201 Created");
    assert_eq!(entries[4]["response"]["etag"], "W/\"1\"");
    assert_eq!(entries[3]["request"]["url"], format!("Observation/{id}"));
    assert_eq!(entries[3]["resource"]["meta"]["versionId"], "2");
    assert!(
        entries[1]["fullUrl"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/fhir/Observation/{id}"))
    );
    fhir_sdk_bundle(bundle);

    let page = get(engine, &format!("{path}/_history?_count=2")).await;
    assert_eq!(page.body["entry"].as_array().unwrap().len(), 2);
    let next = page.body["link"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["relation"] == "next")
        .expect("a next page");
    let second = get(engine, path_of(next["url"].as_str().unwrap())).await;
    assert_eq!(second.body["entry"][0]["request"]["method"], "PUT");
    get(engine, "/fhir/Observation/never-was/_history")
        .await
        .outcome(StatusCode::NOT_FOUND);
    get(engine, &format!("{path}/_history?_since=yesterday"))
        .await
        .outcome(StatusCode::BAD_REQUEST);
    get(engine, "/fhir/Patient/1/_history")
        .await
        .outcome(StatusCode::METHOD_NOT_ALLOWED);
    // A deleted resource is created anew by an update.
    let mut again = example("Observation-example");
    again["id"] = json!(id);
    let recreated = put(engine, &path, &again, &[]).await;
    assert_eq!(recreated.status, StatusCode::CREATED, "{}", recreated.body);
    assert_eq!(recreated.header("etag"), "W/\"6\"");
}

/// Asserts a Bundle reads as the R4 model's Bundle.
fn fhir_sdk_bundle(bundle: &Value) {
    let typed: fhir_sdk::r4b::resources::Bundle =
        serde_json::from_value(bundle.clone()).unwrap_or_else(|err| panic!("{err}: {bundle}"));
    assert_eq!(
        typed.entry.len(),
        bundle["entry"].as_array().map_or(0, Vec::len)
    );
}

async fn update_as_create(engine: &Engine) {
    let condition = example("Condition-example");
    let created = put(engine, "/fhir/Condition/example", &condition, &[]).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["id"], "example");
    assert_eq!(created.body["code"], condition["code"]);
    let again = put(engine, "/fhir/Condition/example", &condition, &[]).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.header("etag"), "W/\"2\"");
    put(engine, "/fhir/Condition/other", &condition, &[])
        .await
        .outcome(StatusCode::BAD_REQUEST);
    let minimal = call(
        engine,
        Method::PUT,
        "/fhir/Condition/example",
        Some(&condition),
        &[("prefer", "return=minimal")],
    )
    .await;
    assert_eq!(minimal.status, StatusCode::OK);
    assert_eq!(minimal.body, Value::String(String::new()));
    assert_eq!(minimal.header("etag"), "W/\"3\"");
    let outcome = call(
        engine,
        Method::PUT,
        "/fhir/Condition/example",
        Some(&condition),
        &[("prefer", "return=OperationOutcome")],
    )
    .await;
    assert_eq!(outcome.body["resourceType"], "OperationOutcome");
    let mut bad_id = condition.clone();
    bad_id["id"] = json!("no way");
    put(engine, "/fhir/Condition/no%20way", &bad_id, &[])
        .await
        .outcome(StatusCode::BAD_REQUEST);
}

async fn invalid_resources(engine: &Engine) {
    let mut observation = example("Observation-example");
    observation["status"] = json!("bogus");
    let refused = post(engine, "/fhir/Observation", &observation).await;
    refused.outcome(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.body["issue"][0]["expression"][0], "status");

    let mut nested = example("AllergyIntolerance-example");
    nested["reaction"][0]["severity"] = json!("deadly");
    let refused = post(engine, "/fhir/AllergyIntolerance", &nested).await;
    refused.outcome(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.body["issue"][0]["expression"][0],
        "reaction[0].severity"
    );

    post(engine, "/fhir/Observation", &example("Condition-example"))
        .await
        .outcome(StatusCode::UNPROCESSABLE_ENTITY);
    post(
        engine,
        "/fhir/NoSuchType",
        &json!({"resourceType": "NoSuchType"}),
    )
    .await
    .outcome(StatusCode::NOT_FOUND);

    let mut unknown = example("Immunization-example");
    unknown["favouriteColour"] = json!("green");
    let warned = post(engine, "/fhir/Immunization", &unknown).await;
    assert_eq!(warned.status, StatusCode::CREATED);
    assert_eq!(warned.body["resourceType"], "OperationOutcome");
    assert_eq!(
        warned.body["issue"][0]["expression"][0],
        "Immunization.favouriteColour"
    );
    let kept = get(engine, path_of(&warned.header("location"))).await;
    assert_eq!(kept.body["favouriteColour"], "green", "kept as sent");
}

async fn transactions(engine: &Engine) {
    let mut allergy = example("AllergyIntolerance-example");
    allergy["patient"] = json!({"reference": "urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a"});
    allergy.as_object_mut().unwrap().remove("id");
    let bundle = json!({
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": "urn:uuid:3f7f3a24-1111-4c4e-9a0e-2f4b1d2e0c01",
                "resource": {
                    "resourceType": "Observation",
                    "status": "final",
                    "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
                    "subject": {"reference": "urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a"},
                    "hasMember": [{"reference": "urn:uuid:3f7f3a24-2222-4c4e-9a0e-2f4b1d2e0c02"}],
                    "valueQuantity": {"value": 72, "unit": "/min"}
                },
                "request": {"method": "POST", "url": "Observation"}
            },
            {
                "fullUrl": "urn:uuid:3f7f3a24-2222-4c4e-9a0e-2f4b1d2e0c02",
                "resource": {
                    "resourceType": "Observation",
                    "status": "final",
                    "code": {"text": "rhythm"},
                    "subject": {"reference": "Patient/999999"}
                },
                "request": {"method": "POST", "url": "Observation"}
            },
            {
                "fullUrl": "urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a",
                "resource": {
                    "resourceType": "Patient",
                    "identifier": [{"system": "urn:oid:1.2.3", "value": "STORE-1"}],
                    "name": [{"family": "Hopper", "given": ["Grace"]}],
                    "gender": "female",
                    "birthDate": "1906-12-09"
                },
                "request": {"method": "POST", "url": "Patient"}
            },
            {
                "fullUrl": "urn:uuid:3f7f3a24-3333-4c4e-9a0e-2f4b1d2e0c03",
                "resource": allergy,
                "request": {"method": "POST", "url": "AllergyIntolerance"}
            },
            {
                "request": {"method": "DELETE", "url": "Condition/example"}
            }
        ]
    });
    let answer = post(engine, "/fhir", &bundle).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.body["type"], "transaction-response");
    let responses = answer.body["entry"].as_array().unwrap();
    assert_eq!(responses.len(), 5);
    let location = |index: usize| {
        let location = responses[index]["response"]["location"].as_str().unwrap();
        location.split("/_history").next().unwrap().to_string()
    };
    let patient = location(2);
    assert!(patient.starts_with("Patient/"), "{patient}");
    assert_eq!(responses[4]["response"]["status"], "204 No Content");
    let canonical = get(engine, &format!("/fhir/{patient}/_history/1")).await;
    assert_eq!(
        canonical.status,
        StatusCode::OK,
        "the current version of a canonical resource"
    );
    assert_eq!(canonical.body["name"][0]["family"], "Hopper");
    get(engine, &format!("/fhir/{patient}/_history/2"))
        .await
        .outcome(StatusCode::NOT_FOUND);
    let heart = get(engine, &format!("/fhir/{}", location(0))).await;
    assert_eq!(heart.status, StatusCode::OK);
    assert_eq!(heart.body["subject"]["reference"], patient.as_str());
    assert_eq!(
        heart.body["hasMember"][0]["reference"],
        location(1).as_str()
    );
    let rhythm = get(engine, &format!("/fhir/{}", location(1))).await;
    assert_eq!(
        rhythm.body["subject"]["reference"], "Patient/999999",
        "a reference to a canonical resource stays as it is"
    );
    let kept_allergy = get(engine, &format!("/fhir/{}", location(3))).await;
    assert_eq!(kept_allergy.body["patient"]["reference"], patient.as_str());
    get(engine, "/fhir/Condition/example")
        .await
        .outcome(StatusCode::GONE);

    // All or nothing: the failing last entry undoes the first.
    let before = get(engine, "/fhir/Observation/_history?_count=0")
        .await
        .body["total"]
        .clone();
    let failing = json!({
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "resource": {"resourceType": "Observation", "status": "final", "code": {"text": "lost"}},
                "request": {"method": "POST", "url": "Observation"}
            },
            {
                "resource": {"resourceType": "Observation", "status": "final", "code": {"text": "x"}},
                "request": {"method": "PUT", "url": format!("{}", location(1)), "ifMatch": "W/\"7\""}
            }
        ]
    });
    let refused = post(engine, "/fhir", &failing).await;
    assert!(
        refused
            .outcome(StatusCode::PRECONDITION_FAILED)
            .starts_with("Bundle.entry[1]")
    );
    let after = get(engine, "/fhir/Observation/_history?_count=0")
        .await
        .body["total"]
        .clone();
    assert_eq!(before, after, "nothing of a failed transaction is kept");

    // A batch: each entry on its own.
    let batch = json!({
        "resourceType": "Bundle",
        "type": "batch",
        "entry": [
            {"request": {"method": "DELETE", "url": location(1)}},
            {"request": {"method": "DELETE", "url": "Observation/never-was"}}
        ]
    });
    let answer = post(engine, "/fhir", &batch).await;
    assert_eq!(
        answer.body["entry"][0]["response"]["status"],
        "204 No Content"
    );
    assert!(
        answer.body["entry"][1]["response"]["status"]
            .as_str()
            .unwrap()
            .starts_with("404")
    );
}

async fn type_and_system_history(engine: &Engine) {
    let observations = get(engine, "/fhir/Observation/_history").await;
    assert_eq!(observations.status, StatusCode::OK);
    let entries = observations.body["entry"].as_array().unwrap();
    assert!(entries.iter().all(|e| {
        e["fullUrl"]
            .as_str()
            .unwrap()
            .contains("/fhir/Observation/")
    }));
    assert_eq!(entries[0]["request"]["method"], "DELETE", "newest first");
    let total = observations.body["total"].as_i64().unwrap();
    assert!(total >= 9, "{total}");

    let system = get(engine, "/fhir/_history?_count=200").await;
    let types: std::collections::HashSet<&str> = system.body["entry"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["fullUrl"].as_str())
        .filter_map(|url| path_of(url).split('/').nth(2))
        .collect();
    for expected in [
        "Observation",
        "Condition",
        "AllergyIntolerance",
        "Immunization",
    ] {
        assert!(types.contains(expected), "{expected} in {types:?}");
    }
    assert!(system.body["total"].as_i64().unwrap() > total);

    let future = get(engine, "/fhir/_history?_since=2999-01-01T00:00:00Z").await;
    assert_eq!(future.body["total"], 0);
    assert!(future.body.get("entry").is_none());
    get(engine, "/fhir/Patient/_history")
        .await
        .outcome(StatusCode::METHOD_NOT_ALLOWED);
}

/// An Observation with one identifier of a system of its own.
fn identified(value: &str) -> Value {
    json!({
        "resourceType": "Observation",
        "identifier": [{"system": "urn:test:lab", "value": value}],
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "15074-8"}]},
        "valueQuantity": {"value": 5.1, "unit": "mmol/l"}
    })
}

/// A conditional create of the Observation identified X1.
async fn create_x1(engine: &Engine) -> Answer {
    let condition = [("if-none-exist", "identifier=urn:test:lab|X1")];
    let x1 = identified("X1");
    call(
        engine,
        Method::POST,
        "/fhir/Observation",
        Some(&x1),
        &condition,
    )
    .await
}

async fn conditional(engine: &Engine) {
    let first = create_x1(engine).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let id = first.body["id"].as_str().unwrap().to_string();
    let again = create_x1(engine).await;
    assert_eq!(
        again.status,
        StatusCode::OK,
        "the match is answered: {}",
        again.body
    );
    assert_eq!(again.body["id"], id.as_str());
    assert_eq!(again.header("etag"), "W/\"1\"", "and left as it was");
    assert_eq!(
        post(engine, "/fhir/Observation", &identified("X1"))
            .await
            .status,
        StatusCode::CREATED
    );
    create_x1(engine)
        .await
        .outcome(StatusCode::PRECONDITION_FAILED);

    let x2 = "/fhir/Observation?identifier=urn:test:lab|X2";
    let created = put(engine, x2, &identified("X2"), &[]).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let x2_id = created.body["id"].as_str().unwrap().to_string();
    let mut changed = identified("X2");
    changed["status"] = json!("amended");
    let updated = put(engine, x2, &changed, &[]).await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    assert_eq!(updated.body["id"], x2_id.as_str());
    assert_eq!(updated.header("etag"), "W/\"2\"");
    changed["id"] = json!("someone-else");
    put(engine, x2, &changed, &[])
        .await
        .outcome(StatusCode::BAD_REQUEST);
    put(
        engine,
        "/fhir/Observation?identifier=urn:test:lab|X1",
        &identified("X1"),
        &[],
    )
    .await
    .outcome(StatusCode::PRECONDITION_FAILED);
    put(engine, "/fhir/Patient?identifier=x", &identified("X1"), &[])
        .await
        .outcome(StatusCode::METHOD_NOT_ALLOWED);

    delete(engine, "/fhir/Observation")
        .await
        .outcome(StatusCode::BAD_REQUEST);
    delete(engine, "/fhir/Observation?no-such-parameter=1")
        .await
        .outcome(StatusCode::BAD_REQUEST);
    let deleted = delete(engine, "/fhir/Observation?identifier=urn:test:lab|X1").await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    get(engine, &format!("/fhir/Observation/{id}"))
        .await
        .outcome(StatusCode::GONE);
    assert_eq!(
        delete(engine, "/fhir/Observation?identifier=urn:test:lab|X1")
            .await
            .status,
        StatusCode::NO_CONTENT,
        "nothing left to delete"
    );
    let recreated = create_x1(engine).await;
    assert_eq!(
        recreated.status,
        StatusCode::CREATED,
        "deleted resources match nothing"
    );

    // The same in a transaction: the entry referring to a conditional create gets the match.
    let bundle = json!({
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": "urn:uuid:0d7ca4c4-0000-4000-8000-000000000001",
                "resource": {
                    "resourceType": "DiagnosticReport",
                    "status": "final",
                    "code": {"text": "glucose"},
                    "result": [
                        {"reference": "urn:uuid:0d7ca4c4-0000-4000-8000-000000000002"},
                        {"reference": "urn:uuid:0d7ca4c4-0000-4000-8000-000000000003"}
                    ]
                },
                "request": {"method": "POST", "url": "DiagnosticReport"}
            },
            {
                "fullUrl": "urn:uuid:0d7ca4c4-0000-4000-8000-000000000002",
                "resource": identified("X2"),
                "request": {"method": "POST", "url": "Observation", "ifNoneExist": "identifier=urn:test:lab|X2"}
            },
            {
                "fullUrl": "urn:uuid:0d7ca4c4-0000-4000-8000-000000000003",
                "resource": identified("X3"),
                "request": {"method": "PUT", "url": "Observation?identifier=urn:test:lab|X3"}
            },
            {"request": {"method": "DELETE", "url": "Observation?identifier=urn:test:lab|X1"}}
        ]
    });
    let answer = post(engine, "/fhir", &bundle).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let responses = answer.body["entry"].as_array().unwrap();
    assert_eq!(responses[1]["response"]["status"], "200 OK");
    assert_eq!(responses[2]["response"]["status"], "201 Created");
    let report = responses[0]["response"]["location"].as_str().unwrap();
    let report = get(
        engine,
        &format!("/fhir/{}", report.split("/_history").next().unwrap()),
    )
    .await;
    assert_eq!(
        report.body["result"][0]["reference"],
        format!("Observation/{x2_id}")
    );
    let x3 = report.body["result"][1]["reference"].as_str().unwrap();
    assert_eq!(
        get(engine, &format!("/fhir/{x3}")).await.body["identifier"][0]["value"],
        "X3"
    );
    get(
        engine,
        &format!(
            "/fhir/Observation/{}",
            recreated.body["id"].as_str().unwrap()
        ),
    )
    .await
    .outcome(StatusCode::GONE);
}

#[tokio::test]
async fn stored_resources_keep_every_version_on_every_backend() {
    let sqlite = engine(None, &[]).await;
    interactions(&sqlite, "sqlite").await;
    sqlite.stop().await;
    if let Some(pg) = common::postgres_store().await {
        let engine = engine(Some(&pg.url), &[]).await;
        interactions(&engine, "postgres").await;
        engine.stop().await;
    }
}

/// The entry point of the HL7 v2 path: a converted resource stored in the caller's
/// transaction, created, then updated by its id, and read back.
#[tokio::test]
async fn converted_resources_are_stored_in_the_callers_transaction() {
    for test in common::all_stores().await {
        let store = test.store.clone();
        let mut immunization = example("Immunization-example");
        let first = store
            .write_transaction({
                let immunization = immunization.clone();
                move |conn| {
                    Box::pin(async move { versioned::put_in(conn, &immunization, Some(41)).await })
                }
            })
            .await
            .unwrap_or_else(|err| panic!("{}: {err}", test.backend));
        assert_eq!(first.status, StatusCode::CREATED);
        assert_eq!(first.location, "Immunization/example");
        immunization["status"] = json!("not-done");
        let second = store
            .write_transaction(move |conn| {
                Box::pin(async move { versioned::put_in(conn, &immunization, Some(42)).await })
            })
            .await
            .unwrap();
        assert_eq!((second.status, second.version), (StatusCode::OK, 2));

        let mut conn = store.pool().acquire().await.unwrap();
        let current = versioned::read_current(&mut *conn, "Immunization", "example")
            .await
            .unwrap()
            .expect("stored");
        assert_eq!(current["status"], "not-done");
        assert_eq!(current["meta"]["versionId"], "2");
        let rows = sqlx::query_scalar::<_, i64>(
            "SELECT message_id FROM fhir_versions WHERE logical_id = 'example' ORDER BY version",
        )
        .fetch_all(&mut *conn)
        .await
        .unwrap();
        assert_eq!(rows, vec![41, 42], "{}", test.backend);
        drop(conn);

        // Found by its identifier: the same resource, updated.
        let mut by_identifier = example("Immunization-example");
        by_identifier.as_object_mut().unwrap().remove("id");
        let system = by_identifier["identifier"][0]["system"].as_str().unwrap();
        let value = by_identifier["identifier"][0]["value"].as_str().unwrap();
        let query = vec![("identifier".to_string(), format!("{system}|{value}"))];
        let third = store
            .write_transaction(move |conn| {
                Box::pin(async move {
                    versioned::put_matching_in(conn, &by_identifier, &query, Some(43)).await
                })
            })
            .await
            .unwrap();
        assert_eq!(third.location, "Immunization/example", "{}", test.backend);
        assert_eq!((third.status, third.version), (StatusCode::OK, 3));

        let new = store
            .write_transaction(|conn| {
                Box::pin(async move {
                    let mut condition = example("Condition-example");
                    condition.as_object_mut().unwrap().remove("id");
                    versioned::put_in(conn, &condition, None).await
                })
            })
            .await
            .unwrap();
        assert!(new.location.starts_with("Condition/"), "{}", new.location);
        let canonical = store
            .write_transaction(|conn| {
                Box::pin(async move {
                    versioned::put_in(conn, &json!({"resourceType": "Patient"}), None).await
                })
            })
            .await;
        assert_eq!(
            canonical.unwrap_err().status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
}
