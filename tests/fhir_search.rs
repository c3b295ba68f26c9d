//! Search over the FHIR resources kept as JSON, on SQLite and (when configured, always under CI)
//! PostgreSQL: the index written by `fhir::index::reindex` and asked by `fhir::index::find`.

mod common;

use std::path::Path;

use serde_json::{Value, json};
use switchboard::fhir::index::{find, reindex};
use switchboard::fhir::outcome::FhirError;
use switchboard::store::Store;
use switchboard::store::sql::Sql;

/// The specification's examples in `tests/fixtures/fhir/r4-examples` whose types are kept as
/// JSON (every one but the Patient), in file name order.
fn stored_examples() -> Vec<Value> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fhir/r4-examples");
    let mut paths: Vec<_> = std::fs::read_dir(&folder)
        .expect("the examples folder")
        .map(|entry| entry.expect("a folder entry").path())
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|path| {
            serde_json::from_slice(&std::fs::read(path).expect("an example")).expect("JSON")
        })
        .filter(|example: &Value| example["resourceType"] != "Patient")
        .collect()
}

/// The stored example of type `kind` and id `id`.
fn example(kind: &str, id: &str) -> Value {
    stored_examples()
        .into_iter()
        .find(|example| example["resourceType"] == kind && example["id"] == id)
        .unwrap_or_else(|| panic!("no example {kind}/{id}"))
}

/// Stores `resource` as the current version of its type and id (last updated at
/// `updated_at`, Unix ms) and indexes it, in one write transaction.
async fn put(store: &Store, resource: &Value, updated_at: i64) {
    let resource = resource.clone();
    store
        .write_transaction(move |conn: &mut dyn Sql| {
            Box::pin(async move {
                let kind = resource["resourceType"].as_str().unwrap_or_default().to_string();
                let id = resource["id"].as_str().unwrap_or_default().to_string();
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
                conn.execute(
                    &sql,
                    &[kind.as_str().into(), id.as_str().into(), raw.as_str().into(), updated_at.into()],
                )
                .await?;
                reindex(conn, &kind, &id, Some(&resource)).await
            })
        })
        .await
        .expect("store and index the resource");
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
