//! Search over the FHIR resources kept as JSON, on SQLite and (when configured, always under CI)
//! PostgreSQL: the index written by `fhir::index::reindex` and asked by `fhir::index::find`.

mod common;

use std::path::Path;

use axum::body::Body;
use axum::http::{Request, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use switchboard::api::router;
use switchboard::canonical::{Identifier, Patient};
use switchboard::fhir::index::{find, reindex};
use switchboard::fhir::outcome::FhirError;
use switchboard::store::Store;
use switchboard::store::sql::Sql;
use switchboard::store::tokens::Role;
use tower::ServiceExt;

/// The specification's examples (in `tests/fixtures/fhir/r4-examples`) these tests store.
const EXAMPLES: [&str; 5] = [
    "AllergyIntolerance-example",
    "Condition-example",
    "Immunization-example",
    "Observation-blood-pressure",
    "Observation-example",
];

/// The examples of [`EXAMPLES`], parsed.
fn stored_examples() -> Vec<Value> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fhir/r4-examples");
    EXAMPLES
        .iter()
        .map(|name| {
            let bytes = std::fs::read(folder.join(format!("{name}.json"))).expect(name);
            serde_json::from_slice(&bytes).expect(name)
        })
        .collect()
}

/// The stored example of type `kind` and id `id`.
fn example(kind: &str, id: &str) -> Value {
    stored_examples()
        .into_iter()
        .find(|example| example["resourceType"] == kind && example["id"] == id)
        .unwrap_or_else(|| panic!("no example {kind}/{id}"))
}

/// Stores `resources` as the current versions of their types and ids (last updated at
/// `updated_at`, Unix ms) and indexes them, in one write transaction.
async fn put_all(store: &Store, resources: &[Value], updated_at: i64) {
    let resources = resources.to_vec();
    store
        .write_transaction(move |conn: &mut dyn Sql| {
            Box::pin(async move {
                for resource in &resources {
                    let kind = resource["resourceType"].as_str().unwrap_or_default();
                    let id = resource["id"].as_str().unwrap_or_default();
                    let p = conn.placeholders();
                    let sql = format!(
                        "INSERT INTO fhir_current (resource_type, logical_id, version, deleted, raw, updated_at) \
                         VALUES ({}, 1, 0, {}, {}) ON CONFLICT (resource_type, logical_id) \
                         DO UPDATE SET version = fhir_current.version + 1, deleted = 0, raw = excluded.raw, \
                         updated_at = excluded.updated_at",
                        p.list(1, 2),
                        p.list(3, 1),
                        p.list(4, 1)
                    );
                    let raw = resource.to_string();
                    let values = [kind.into(), id.into(), raw.as_str().into(), updated_at.into()];
                    conn.execute(&sql, &values).await?;
                    reindex(conn, kind, id, Some(resource)).await?;
                }
                Ok::<(), FhirError>(())
            })
        })
        .await
        .expect("store and index the resources");
}

/// Stores and indexes one resource.
async fn put(store: &Store, resource: &Value, updated_at: i64) {
    put_all(store, std::slice::from_ref(resource), updated_at).await;
}

/// Marks `kind/id` deleted and empties its index.
async fn delete(store: &Store, kind: &'static str, id: &'static str) {
    store
        .write_transaction(move |conn: &mut dyn Sql| {
            Box::pin(async move {
                let p = conn.placeholders();
                let sql = format!(
                    "UPDATE fhir_current SET deleted = 1, raw = NULL WHERE resource_type = {} AND logical_id = {}",
                    p.list(1, 1),
                    p.list(2, 1)
                );
                conn.execute(&sql, &[kind.into(), id.into()]).await?;
                reindex(conn, kind, id, None).await
            })
        })
        .await
        .expect("delete the resource");
}

/// The ids `find` gives for `query` (`a=1&b=2`, values not URL-encoded) on `kind`.
async fn ids(store: &Store, kind: &str, query: &str) -> Result<Vec<String>, FhirError> {
    let pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (name.to_string(), value.to_string())
        })
        .collect();
    let mut conn = store.pool().acquire().await.expect("a connection");
    find(&mut *conn, kind, &pairs).await
}

/// `ids`, which must succeed.
async fn found(store: &Store, kind: &str, query: &str) -> Vec<String> {
    ids(store, kind, query)
        .await
        .unwrap_or_else(|err| panic!("{kind}?{query}: {err}"))
}

const T0: i64 = 1_700_000_000_000;

/// The specification's examples plus two made-up Observations, on one store.
async fn seeded(store: &Store) {
    for example in stored_examples() {
        put(store, &example, T0).await;
    }
    put(
        store,
        &json!({
            "resourceType": "Observation", "id": "glucose", "status": "preliminary",
            "code": {"coding": [{"system": "http://loinc.org", "code": "15074-8"}], "text": "Glucose"},
            "subject": {"reference": "Patient/42"},
            "effectivePeriod": {"start": "2024-03-05T08:00:00Z", "end": "2024-03-05T09:00:00Z"},
            "valueQuantity": {"value": 6.3, "unit": "mmol/l", "system": "http://unitsofmeasure.org", "code": "mmol/L"},
            "note": [{"text": "Fasting"}],
        }),
        T0 + 60_000,
    )
    .await;
    put(
        store,
        &json!({
            "resourceType": "Observation", "id": "no-subject", "status": "final",
            "code": {"text": "Élan vital"},
            "valueString": "Zoë Ünal",
            "effectiveDateTime": "2024-03",
        }),
        T0 + 120_000,
    )
    .await;
}

#[tokio::test]
async fn find_matches_every_parameter_type_on_every_backend() {
    for test in common::all_stores().await {
        let store = &test.store;
        let backend = test.backend;
        seeded(store).await;
        let obs =
            |query: &'static str| async move { (query, found(store, "Observation", query).await) };
        let cases: Vec<(&str, &[&str])> = vec![
            // token
            ("code=29463-7", &["example"]),
            ("code=http://loinc.org|15074-8", &["glucose"]),
            ("code=http://snomed.info/sct|", &["example"]),
            ("code=|29463-7", &[]),
            ("status=final", &["blood-pressure", "example", "no-subject"]),
            ("status:not=final", &["glucose"]),
            ("code=29463-7,15074-8", &["example", "glucose"]),
            ("combo-code=8480-6", &["blood-pressure"]),
            // reference
            ("subject=Patient/example", &["blood-pressure", "example"]),
            ("patient=42", &["glucose"]),
            ("subject:Patient=42", &["glucose"]),
            ("subject:missing=true", &["no-subject"]),
            (
                "subject:missing=false",
                &["blood-pressure", "example", "glucose"],
            ),
            // date
            ("date=2016-03-28", &["example"]),
            ("date=2024-03", &["glucose", "no-subject"]),
            ("date=2024-03-05", &["glucose"]),
            ("date=gt2020", &["glucose", "no-subject"]),
            ("date=lt2013", &["blood-pressure"]),
            ("date=ge2016-03-28&date=le2016-03-28", &["example"]),
            ("date=sa2016", &["glucose", "no-subject"]),
            ("date=eb2016", &["blood-pressure"]),
            (
                "date=ne2016-03-28",
                &["blood-pressure", "glucose", "no-subject"],
            ),
            ("date=ap2016-03-27", &["example"]),
            // quantity and number
            ("value-quantity=185", &["example"]),
            (
                "value-quantity=6.3|http://unitsofmeasure.org|mmol/L",
                &["glucose"],
            ),
            ("value-quantity=6.3||mmol/L", &["glucose"]),
            ("value-quantity=6.3||mg", &[]),
            ("value-quantity=6", &["glucose"]),
            ("value-quantity=6.0", &[]),
            ("value-quantity=gt100", &["example"]),
            ("value-quantity=le6.3", &["glucose"]),
            ("component-value-quantity=lt70", &["blood-pressure"]),
            // string
            ("value-string=zoe", &["no-subject"]),
            ("value-string=ÜNAL", &[]),
            ("value-string:contains=unal", &["no-subject"]),
            ("value-string:exact=zoe unal", &["no-subject"]),
            ("value-string:exact=zoe", &[]),
            // uri
            (
                "_profile=http://hl7.org/fhir/StructureDefinition/vitalsigns",
                &["blood-pressure"],
            ),
            (
                "_profile:below=http://hl7.org/fhir/StructureDefinition/",
                &["blood-pressure"],
            ),
            ("_profile=http://hl7.org/fhir/StructureDefinition/", &[]),
            // _id, _lastUpdated, AND of several
            ("_id=glucose,example", &["example", "glucose"]),
            (
                "_lastUpdated=gt2023-11-14T22:13:20Z",
                &["glucose", "no-subject"],
            ),
            ("status=final&code=29463-7", &["example"]),
            ("status=final&code=15074-8", &[]),
        ];
        for (query, expected) in cases {
            let (query, got) = obs(query).await;
            assert_eq!(got, expected, "{backend}: Observation?{query}");
        }
        assert_eq!(
            found(
                store,
                "Immunization",
                "vaccine-code=urn:oid:1.2.36.1.2001.1005.17|FLUVAX"
            )
            .await,
            ["example"],
            "{backend}"
        );
        assert_eq!(
            found(
                store,
                "Condition",
                "onset-date=2012-05&patient=Patient/example"
            )
            .await,
            ["example"],
            "{backend}"
        );
        assert_eq!(
            found(store, "AllergyIntolerance", "onset=2004").await,
            ["example"],
            "{backend}"
        );
        // Other types share the index but never match each other.
        assert_eq!(
            found(store, "Condition", "code=29463-7").await,
            Vec::<String>::new()
        );
    }
}

#[tokio::test]
async fn reindex_replaces_and_delete_empties() {
    for test in common::all_stores().await {
        let store = &test.store;
        let backend = test.backend;
        let mut observation = example("Observation", "example");
        put(store, &observation, T0).await;
        assert_eq!(
            found(store, "Observation", "code=29463-7").await,
            ["example"],
            "{backend}"
        );
        // A new version with another code replaces the old index rows.
        observation["code"] = json!({"coding": [{"system": "http://loinc.org", "code": "8302-2"}]});
        put(store, &observation, T0 + 1).await;
        assert!(
            found(store, "Observation", "code=29463-7").await.is_empty(),
            "{backend}"
        );
        assert_eq!(
            found(store, "Observation", "code=8302-2").await,
            ["example"],
            "{backend}"
        );
        delete(store, "Observation", "example").await;
        assert!(
            found(store, "Observation", "code=8302-2").await.is_empty(),
            "{backend}"
        );
        assert!(
            found(store, "Observation", "").await.is_empty(),
            "{backend}"
        );
        // Many values go in several batches.
        let many: Vec<Value> = (0..250)
            .map(|n| json!({"system": "urn:test", "value": format!("id-{n}")}))
            .collect();
        put(
            store,
            &json!({"resourceType": "Observation", "id": "many", "status": "final",
                    "code": {"text": "x"}, "identifier": many}),
            T0,
        )
        .await;
        assert_eq!(
            found(store, "Observation", "identifier=urn:test|id-249").await,
            ["many"]
        );
        assert_eq!(
            found(store, "Observation", "identifier=id-0").await,
            ["many"]
        );
    }
}

#[tokio::test]
async fn bad_parameters_are_refused_with_their_name() {
    let test = common::sqlite_store().await;
    let store = &test.store;
    for (query, named) in [
        ("nonsense=1", "nonsense"),
        ("code:fancy=1", "code:fancy"),
        ("date=2024-13", "2024-13"),
        ("date=xx2024", "xx2024"),
        ("value-quantity=abc", "abc"),
        ("subject:missing=maybe", "maybe"),
        ("code=", "code"),
        ("_id:exact=1", "_id:exact"),
        ("subject=a/b/c/d", "a/b/c/d"),
    ] {
        let err = ids(store, "Observation", query).await.expect_err(query);
        assert_eq!(err.status.as_u16(), 400, "{query}");
        let text = err.issues[0].diagnostics.clone();
        assert!(text.contains(named), "{query}: {text}");
    }
}

/// The API over `store` and a viewer's token for it.
async fn viewer_app(store: &Store) -> (axum::Router, String) {
    let (_, token) = store
        .create_token("clerk", Role::Viewer, None)
        .await
        .expect("a token");
    (router(common::app_state(store), 1024 * 1024), token)
}

/// `method path` (with a JSON `body`, if any) through the router with `token`: status and
/// JSON body.
async fn call(
    app: &axum::Router,
    token: &str,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/fhir+json");
    let body = body.map_or_else(Body::empty, |body| Body::from(body.to_string()));
    let response = app
        .clone()
        .oneshot(request.body(body).expect("a request"))
        .await
        .expect("an answer");
    let status = response.status().as_u16();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("the body")
        .to_bytes();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| panic!("{path}: not JSON: {}", String::from_utf8_lossy(&bytes)))
    };
    (status, body)
}

/// `GET path` with `token`: status and JSON body.
async fn get(app: &axum::Router, token: &str, path: &str) -> (u16, Value) {
    call(app, token, "GET", path, None).await
}

/// `GET path`, which must answer a searchset Bundle: its entries' `Type/id` and modes.
async fn search(app: &axum::Router, token: &str, path: &str) -> (Value, Vec<(String, String)>) {
    let (status, bundle) = get(app, token, path).await;
    assert_eq!(status, 200, "{path}: {bundle}");
    assert_eq!(bundle["type"], "searchset", "{path}");
    let entries = bundle["entry"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|entry| {
            let resource = &entry["resource"];
            (
                format!(
                    "{}/{}",
                    resource["resourceType"].as_str().unwrap_or_default(),
                    resource["id"].as_str().unwrap_or_default()
                ),
                entry["search"]["mode"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect();
    (bundle, entries)
}

fn matched(list: &[&str]) -> Vec<(String, String)> {
    list.iter()
        .map(|id| (id.to_string(), "match".to_string()))
        .collect()
}

#[tokio::test]
async fn search_over_http_with_chains_includes_sort_and_paging() {
    for test in common::all_stores().await {
        let store = &test.store;
        let backend = test.backend;
        let (app, token) = viewer_app(store).await;
        let smith = store
            .upsert_patient(&Patient {
                identifiers: vec![Identifier {
                    system: "urn:mrn".into(),
                    value: "123".into(),
                    type_code: None,
                }],
                family_name: Some("Smith".into()),
                ..Patient::default()
            })
            .await
            .expect("a canonical patient")
            .id;
        seeded(store).await;
        put_all(
            store,
            &[
                json!({"resourceType": "Observation", "id": "smith-weight", "status": "final",
                       "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7"}]},
                       "subject": {"reference": format!("Patient/{smith}")},
                       "effectiveDateTime": "2025-01-02", "valueQuantity": {"value": 70, "code": "kg"}}),
                json!({"resourceType": "Observation", "id": "panel", "status": "final",
                       "code": {"text": "Panel"}, "hasMember": [{"reference": "Observation/glucose"}]}),
            ],
            T0 + 180_000,
        )
        .await;

        // Plain search: the Bundle, its total and full URLs.
        let (bundle, entries) = search(&app, &token, "/fhir/Observation?code=29463-7").await;
        assert_eq!(
            entries,
            matched(&["Observation/example", "Observation/smith-weight"]),
            "{backend}"
        );
        assert_eq!(bundle["total"], 2, "{backend}");
        assert!(
            bundle["entry"][0]["fullUrl"]
                .as_str()
                .is_some_and(|url| url.ends_with("/fhir/Observation/example")),
            "{backend}: {bundle}"
        );

        // Chains into the canonical Patient and into a stored type.
        let chained = [
            "/fhir/Observation?patient.identifier=urn:mrn|123",
            "/fhir/Observation?subject:Patient.family=smi",
        ];
        for path in chained {
            let (_, entries) = search(&app, &token, path).await;
            assert_eq!(
                entries,
                matched(&["Observation/smith-weight"]),
                "{backend}: {path}"
            );
        }
        let (_, entries) = search(&app, &token, "/fhir/Observation?patient.family=nobody").await;
        assert!(entries.is_empty(), "{backend}");
        let (_, entries) = search(&app, &token, "/fhir/Observation?has-member.code=15074-8").await;
        assert_eq!(entries, matched(&["Observation/panel"]), "{backend}");
        let (_, entries) = search(
            &app,
            &token,
            "/fhir/Observation?has-member:Observation.value-quantity=gt6",
        )
        .await;
        assert_eq!(entries, matched(&["Observation/panel"]), "{backend}");

        // _include of a stored and of a canonical target, _revinclude both ways.
        let (_, entries) = search(
            &app,
            &token,
            "/fhir/Observation?_id=panel&_include=Observation:has-member",
        )
        .await;
        assert_eq!(
            entries,
            [
                ("Observation/panel".to_string(), "match".to_string()),
                ("Observation/glucose".to_string(), "include".to_string()),
            ],
            "{backend}"
        );
        let (_, entries) = search(
            &app,
            &token,
            "/fhir/Observation?_id=smith-weight&_include=Observation:patient",
        )
        .await;
        assert_eq!(
            entries[1],
            (format!("Patient/{smith}"), "include".to_string()),
            "{backend}"
        );
        let (_, entries) = search(
            &app,
            &token,
            "/fhir/Observation?_id=smith-weight&_include=*",
        )
        .await;
        assert_eq!(entries.len(), 2, "{backend}: {entries:?}");
        let (_, entries) = search(
            &app,
            &token,
            "/fhir/Observation?_id=glucose&_revinclude=Observation:has-member",
        )
        .await;
        assert_eq!(
            entries[1],
            ("Observation/panel".to_string(), "include".to_string()),
            "{backend}"
        );
        let (bundle, entries) = search(
            &app,
            &token,
            "/fhir/Patient?identifier=urn:mrn|123&_revinclude=Observation:patient",
        )
        .await;
        assert_eq!(
            entries,
            [
                (format!("Patient/{smith}"), "match".to_string()),
                (
                    "Observation/smith-weight".to_string(),
                    "include".to_string()
                ),
            ],
            "{backend}"
        );
        assert!(
            bundle["link"][0]["url"]
                .as_str()
                .is_some_and(|url| url.contains("_revinclude=Observation%3Apatient")
                    || url.contains("_revinclude=Observation:patient")),
            "{backend}: {bundle}"
        );

        // _sort by a parameter (missing values last), by _lastUpdated, descending.
        let (_, entries) = search(&app, &token, "/fhir/Observation?_sort=date").await;
        let order: Vec<&str> = entries.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(
            order,
            [
                "Observation/blood-pressure",
                "Observation/example",
                "Observation/no-subject",
                "Observation/glucose",
                "Observation/smith-weight",
                "Observation/panel",
            ],
            "{backend}"
        );
        let (_, entries) = search(&app, &token, "/fhir/Observation?_sort=-date").await;
        assert_eq!(entries[0].0, "Observation/smith-weight", "{backend}");
        assert_eq!(entries[5].0, "Observation/panel", "{backend}");
        let (_, entries) = search(&app, &token, "/fhir/Observation?_sort=-_lastUpdated,_id").await;
        let order: Vec<&str> = entries.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(
            order[..3],
            [
                "Observation/panel",
                "Observation/smith-weight",
                "Observation/no-subject"
            ],
            "{backend}"
        );

        // Paging, _summary=count, _elements.
        let (bundle, entries) = search(&app, &token, "/fhir/Observation?_count=2&_sort=_id").await;
        assert_eq!(
            entries,
            matched(&["Observation/blood-pressure", "Observation/example"]),
            "{backend}"
        );
        assert_eq!(bundle["total"], 6, "{backend}");
        let next = bundle["link"]
            .as_array()
            .and_then(|links| links.iter().find(|l| l["relation"] == "next"))
            .and_then(|l| l["url"].as_str())
            .expect("a next link")
            .to_string();
        let next_path = &next[next.find("/fhir/").expect("a FHIR URL")..];
        let (_, entries) = search(&app, &token, next_path).await;
        assert_eq!(
            entries,
            matched(&["Observation/glucose", "Observation/no-subject"]),
            "{backend}"
        );
        let (bundle, entries) = search(
            &app,
            &token,
            "/fhir/Observation?status=final&_summary=count",
        )
        .await;
        assert!(entries.is_empty(), "{backend}");
        assert_eq!(bundle["total"], 5, "{backend}");
        let (bundle, _) = search(
            &app,
            &token,
            "/fhir/Observation?_id=example&_elements=status,code&_total=accurate",
        )
        .await;
        let resource = &bundle["entry"][0]["resource"];
        let mut keys: Vec<&str> = resource
            .as_object()
            .expect("a resource")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort();
        assert_eq!(
            keys,
            ["code", "id", "meta", "resourceType", "status"],
            "{backend}"
        );
        assert_eq!(resource["meta"]["tag"][0]["code"], "SUBSETTED", "{backend}");

        // Bad parameters: 400 naming them; an unknown type stays 404.
        for (path, named) in [
            ("/fhir/Observation?colour=red", "colour"),
            ("/fhir/Observation?_sort=colour", "colour"),
            (
                "/fhir/Observation?_include=Observation:code",
                "Observation:code",
            ),
            ("/fhir/Observation?_revinclude=Patient:link", "Patient:link"),
            ("/fhir/Observation?_summary=text", "_summary"),
            ("/fhir/Observation?patient.colour=red", "colour"),
            ("/fhir/Observation?code.name=x", "code"),
            ("/fhir/Observation?date=lt2024-02-30", "2024-02-30"),
            ("/fhir/Observation?_count=many", "_count"),
        ] {
            let (status, outcome) = get(&app, &token, path).await;
            assert_eq!(status, 400, "{backend}: {path}: {outcome}");
            assert_eq!(outcome["resourceType"], "OperationOutcome");
            let text = outcome["issue"][0]["diagnostics"]
                .as_str()
                .unwrap_or_default();
            assert!(text.contains(named), "{backend}: {path}: {text}");
        }
        let (status, _) = get(&app, &token, "/fhir/NoSuchType?code=1").await;
        assert_eq!(status, 404, "{backend}");
    }
}

/// 2,000 Observations of 20 patients: a patient's page, total and order come from the index
/// (the query plan is checked by `fhir::stored_search`'s unit test; no timing is asserted).
#[tokio::test]
async fn a_patient_among_two_thousand_observations() {
    const CODES: [&str; 5] = ["29463-7", "8302-2", "8867-4", "2339-0", "8480-6"];
    for test in common::all_stores().await {
        let store = &test.store;
        let backend = test.backend;
        let observations: Vec<Value> = (0..2000)
            .map(|n| {
                json!({
                    "resourceType": "Observation", "id": format!("obs-{n:04}"), "status": "final",
                    "code": {"coding": [{"system": "http://loinc.org", "code": CODES[n % 5]}]},
                    "subject": {"reference": format!("Patient/p{}", n % 20)},
                    "effectiveDateTime": format!("2024-01-01T{:02}:{:02}:00Z", n / 60 % 24, n % 60),
                    "valueQuantity": {"value": n, "system": "http://unitsofmeasure.org", "code": "1"},
                })
            })
            .collect();
        put_all(store, &observations, T0).await;
        let (app, token) = viewer_app(store).await;
        let (bundle, entries) = search(
            &app,
            &token,
            "/fhir/Observation?patient=Patient/p7&_sort=-value-quantity&_count=10",
        )
        .await;
        assert_eq!(bundle["total"], 100, "{backend}");
        let ids: Vec<&str> = entries.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids.len(), 10, "{backend}");
        assert_eq!(ids[0], "Observation/obs-1987", "{backend}");
        assert_eq!(ids[9], "Observation/obs-1807", "{backend}");
        let (bundle, entries) = search(
            &app,
            &token,
            "/fhir/Observation?subject=Patient/p7&code=http://loinc.org|8302-2&_count=50&_offset=15",
        )
        .await;
        // n = 7 (mod 20) and n = 1 (mod 5): 20 of them, 5 left after skipping 15.
        assert_eq!(
            bundle["total"], 0,
            "{backend}: patient 7 has no code 8302-2"
        );
        assert!(entries.is_empty(), "{backend}");
        let (bundle, entries) = search(
            &app,
            &token,
            "/fhir/Observation?subject=Patient/p6&code=http://loinc.org|8302-2&_count=50&_offset=90",
        )
        .await;
        assert_eq!(bundle["total"], 100, "{backend}");
        assert_eq!(entries.len(), 10, "{backend}");
        assert_eq!(entries[0].0, "Observation/obs-1806", "{backend}");
        let (bundle, _) = search(
            &app,
            &token,
            "/fhir/Observation?patient=Patient/p3&date=ge2024-01-01T10:00:00Z&_summary=count",
        )
        .await;
        // The hour is n / 60 (mod 24): from 10:00 on are n in [600, 1440), 840 / 20 of them.
        assert_eq!(bundle["total"], 42, "{backend}");
    }
}

/// Where the example Observation is written over HTTP.
const EXAMPLE_URL: &str = "/fhir/Observation/example";

/// Resources written through the FHIR API are indexed in the same transaction: found by a new
/// code after an update, no longer by the old one, and not at all once deleted.
#[tokio::test]
async fn resources_written_over_http_are_searchable() {
    for test in common::all_stores().await {
        let store = &test.store;
        let backend = test.backend;
        let app = router(common::app_state(store), 1024 * 1024);
        let (_, token) = store
            .create_token("writer", Role::Operator, None)
            .await
            .expect("a token");
        let mut observation = example("Observation", "example");
        let (status, body) = call(&app, &token, "PUT", EXAMPLE_URL, Some(&observation)).await;
        assert!(status == 200 || status == 201, "{backend}: {status} {body}");
        let (_, entries) = search(
            &app,
            &token,
            "/fhir/Observation?code=29463-7&patient=Patient/example",
        )
        .await;
        assert_eq!(entries, matched(&["Observation/example"]), "{backend}");
        observation["code"] = json!({"coding": [{"system": "http://loinc.org", "code": "8302-2"}]});
        let (status, body) = call(&app, &token, "PUT", EXAMPLE_URL, Some(&observation)).await;
        assert_eq!(status, 200, "{backend}: {body}");
        let (_, entries) = search(&app, &token, "/fhir/Observation?code=29463-7").await;
        assert!(entries.is_empty(), "{backend}");
        let (_, entries) = search(&app, &token, "/fhir/Observation?code=8302-2").await;
        assert_eq!(entries, matched(&["Observation/example"]), "{backend}");
        let (status, body) = call(&app, &token, "DELETE", EXAMPLE_URL, None).await;
        assert!(status == 200 || status == 204, "{backend}: {status} {body}");
        let (bundle, _) = search(&app, &token, "/fhir/Observation?_summary=count").await;
        assert_eq!(bundle["total"], 0, "{backend}");
        assert!(
            switchboard::fhir::index::find(
                &mut *store.pool().acquire().await.expect("a connection"),
                "Observation",
                &[("code".to_string(), "8302-2".to_string())],
            )
            .await
            .expect("find")
            .is_empty(),
            "{backend}"
        );
    }
}
