//! The FHIR R4 server over real HTTP against a running engine, on SQLite and (when configured)
//! PostgreSQL: create/read/update/search per type, versions and If-Match, Bundles, errors as
//! OperationOutcomes, and one store shared with HL7 v2.

mod common;

use std::sync::Arc;

use common::Engine;
use common::fhir::{call, engine, get, post};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use switchboard::fhir::kinds::Kind;
use switchboard::fhir::validate::{validate, validate_emitted};
use switchboard::store::tokens::Role;

/// Creates a resource and answers its logical id.
async fn create(engine: &Engine, resource: Value) -> String {
    let kind = resource["resourceType"].as_str().unwrap().to_string();
    let answer = post(engine, &format!("/fhir/{kind}"), &resource).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    assert_eq!(answer.header("etag"), "W/\"1\"");
    let location = answer.header("location");
    assert!(location.contains(&format!("/fhir/{kind}/")), "{location}");
    assert_eq!(answer.body["resourceType"], kind.as_str());
    answer.body["id"].as_str().unwrap().to_string()
}

/// Asserts `resource` is a valid R4 resource with no element the model does not know.
fn assert_valid(resource: &Value) {
    let kind = Kind::parse(resource["resourceType"].as_str().unwrap()).unwrap();
    assert_eq!(validate(kind, resource), Ok(vec![]), "{resource}");
}

/// Asserts `resource` reads as a `T` and writes back with every element it had (numbers may
/// change form, as `1` to `1.0`).
fn assert_model<T: serde::de::DeserializeOwned + serde::Serialize>(resource: &Value) {
    let typed: T =
        serde_json::from_value(resource.clone()).unwrap_or_else(|err| panic!("{err}: {resource}"));
    assert_same_elements(resource, &serde_json::to_value(typed).unwrap(), "");
}

fn assert_same_elements(sent: &Value, kept: &Value, path: &str) {
    match (sent, kept) {
        (Value::Object(sent), Value::Object(kept)) => {
            assert_eq!(
                sent.keys().collect::<Vec<_>>(),
                kept.keys().collect::<Vec<_>>(),
                "at '{path}'"
            );
            for (key, value) in sent {
                assert_same_elements(value, &kept[key], &format!("{path}.{key}"));
            }
        }
        (Value::Array(sent), Value::Array(kept)) => {
            assert_eq!(sent.len(), kept.len(), "at '{path}'");
            for (index, (a, b)) in sent.iter().zip(kept).enumerate() {
                assert_same_elements(a, b, &format!("{path}[{index}]"));
            }
        }
        (Value::Number(a), Value::Number(b)) => {
            assert_eq!(a.as_f64(), b.as_f64(), "at '{path}'");
        }
        _ => assert_eq!(sent, kept, "at '{path}'"),
    }
}

/// The resources of a searchset, checked valid.
fn entries(bundle: &Value, mode: &str) -> Vec<Value> {
    assert_eq!(bundle["type"], "searchset", "{bundle}");
    assert_model::<fhir_sdk::r4b::resources::Bundle>(bundle);
    bundle["entry"]
        .as_array()
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .filter(|e| e["search"]["mode"] == mode)
        .map(|e| {
            assert_valid(&e["resource"]);
            e["resource"].clone()
        })
        .collect()
}

fn patient(mrn: &str, family: &str, gender: &str) -> Value {
    json!({
        "resourceType": "Patient",
        "identifier": [{"system": "urn:oid:1.2.3", "value": mrn}],
        "name": [{"family": family, "given": ["Ada", "King"]}],
        "gender": gender,
        "birthDate": "1815-12-10",
        "telecom": [{"system": "phone", "value": "555-0100"}],
        "address": [{"line": ["12 St James's Square"], "city": "London", "postalCode": "SW1"}]
    })
}

async fn crud_and_search(engine: &Engine, backend: &str) {
    let metadata = reqwest::get(format!("{}/fhir/metadata", engine.url))
        .await
        .unwrap();
    assert_eq!(metadata.status(), StatusCode::OK, "{backend}");
    let metadata: Value = metadata.json().await.unwrap();
    assert_eq!(metadata["fhirVersion"], "4.0.1");
    assert_model::<fhir_sdk::r4b::resources::CapabilityStatement>(&metadata);
    let patient_caps = metadata["rest"][0]["resource"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == "Patient")
        .unwrap();
    assert!(
        patient_caps["searchParam"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "identifier")
    );

    let payer = create(
        engine,
        json!({"resourceType": "Organization", "identifier": [{"system": "urn:switchboard:payer-id", "value": "ACME1"}], "name": "Acme Health"}),
    )
    .await;
    assert!(payer.starts_with("payer-"), "{backend}: {payer}");
    let clinic = create(
        engine,
        json!({"resourceType": "Organization", "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"}], "name": "Harbor Clinic"}),
    )
    .await;
    assert!(clinic.starts_with("provider-"), "{backend}: {clinic}");
    let doctor = create(
        engine,
        json!({"resourceType": "Practitioner", "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": "1999999984"}], "name": [{"family": "House", "given": ["Greg"]}]}),
    )
    .await;
    let ada = create(engine, patient("A1", "Lovelace", "female")).await;
    let grace = create(engine, patient("A2", "Hopper", "female")).await;

    // Read: ETag and meta carry the version; the JSON is what was sent, with the profile and
    // source the client gave in meta.
    let mut profiled = patient("A3", "Babbage", "male");
    profiled["birthDate"] = json!("1791-12-26");
    profiled["meta"] = json!({
        "versionId": "77",
        "profile": ["http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient"],
        "source": "urn:ehr:harbor"
    });
    let charles = create(engine, profiled).await;
    let read = get(engine, &format!("/fhir/Patient/{charles}")).await;
    assert_eq!(
        read.body["meta"]["versionId"], "1",
        "{backend}: {}",
        read.body
    );
    assert_eq!(
        read.body["meta"]["source"], "urn:ehr:harbor",
        "{}",
        read.body
    );
    assert_eq!(
        read.body["meta"]["profile"][0],
        "http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient"
    );
    let read = get(engine, &format!("/fhir/Patient/{ada}")).await;
    assert_eq!(read.status, StatusCode::OK, "{backend}: {}", read.body);
    assert_eq!(read.header("etag"), "W/\"1\"");
    assert_eq!(read.body["meta"]["versionId"], "1");
    assert_eq!(read.body["address"][0]["line"][0], "12 St James's Square");
    assert_valid(&read.body);

    // Update with If-Match; a stale version is refused with 412.
    let mut changed = patient("A1", "Byron", "female");
    changed["id"] = json!(ada);
    let updated = call(
        engine,
        Method::PUT,
        &format!("/fhir/Patient/{ada}"),
        Some(&changed),
        &[("if-match", "W/\"1\"")],
    )
    .await;
    assert_eq!(
        updated.status,
        StatusCode::OK,
        "{backend}: {}",
        updated.body
    );
    assert_eq!(updated.header("etag"), "W/\"2\"");
    assert_eq!(updated.body["name"][0]["family"], "Byron");
    let stale = call(
        engine,
        Method::PUT,
        &format!("/fhir/Patient/{ada}"),
        Some(&changed),
        &[("if-match", "W/\"1\"")],
    )
    .await;
    assert!(
        stale
            .outcome(StatusCode::PRECONDITION_FAILED)
            .contains("version 2")
    );
    let canonical = engine
        .store
        .patient(ada.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(canonical.patient.family_name.as_deref(), Some("Byron"));
    assert_eq!(canonical.patient.phone.as_deref(), Some("555-0100"));

    // An identifier of another patient cannot be moved onto this one.
    let mut stolen = patient("A2", "Byron", "female");
    stolen["id"] = json!(ada);
    call(
        engine,
        Method::PUT,
        &format!("/fhir/Patient/{ada}"),
        Some(&stolen),
        &[],
    )
    .await
    .outcome(StatusCode::CONFLICT);

    let visit = create(
        engine,
        json!({
            "resourceType": "Encounter",
            "identifier": [{"value": "V-100"}],
            "status": "in-progress",
            "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "IMP"},
            "subject": {"reference": format!("Patient/{ada}")},
            "participant": [{"individual": {"reference": format!("Practitioner/{doctor}")}}],
            "period": {"start": "2026-11-02T09:30:00Z"}
        }),
    )
    .await;
    let coverage = create(
        engine,
        json!({
            "resourceType": "Coverage",
            "status": "active",
            "subscriberId": "M-555",
            "beneficiary": {"reference": format!("Patient/{ada}")},
            "payor": [{"reference": format!("Organization/{payer}")}],
            "class": [{"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/coverage-class", "code": "group"}]}, "value": "G-7"}]
        }),
    )
    .await;
    let charge = create(
        engine,
        json!({
            "resourceType": "ChargeItem",
            "identifier": [{"value": "L1"}],
            "status": "billable",
            "code": {"coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": "99213"}], "text": "Office visit"},
            "subject": {"reference": format!("Patient/{ada}")},
            "context": {"reference": format!("Encounter/{visit}")},
            "occurrenceDateTime": "2026-11-02",
            "quantity": {"value": 1},
            "priceOverride": {"value": 125.5, "currency": "USD"}
        }),
    )
    .await;
    let record = engine
        .store
        .patient_record(ada.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.bills[0].lines[0].charge_cents, 12550, "{backend}");
    assert_eq!(record.bills[0].lines[0].units_thousandths, 1000);
    assert_eq!(record.coverages[0].group_number.as_deref(), Some("G-7"));
    assert_eq!(record.encounters[0].visit_number, "V-100");

    // A charge on an open bill can be deleted; other types cannot.
    let extra = create(
        engine,
        json!({
            "resourceType": "ChargeItem", "identifier": [{"value": "L9"}], "status": "billable",
            "code": {"coding": [{"code": "87880"}]},
            "subject": {"reference": format!("Patient/{ada}")},
            "context": {"reference": format!("Encounter/{visit}")},
            "occurrenceDateTime": "2026-11-02", "priceOverride": {"value": 30, "currency": "USD"}
        }),
    )
    .await;
    let deleted = call(
        engine,
        Method::DELETE,
        &format!("/fhir/ChargeItem/{extra}"),
        None,
        &[],
    )
    .await;
    assert_eq!(
        deleted.status,
        StatusCode::NO_CONTENT,
        "{backend}: {}",
        deleted.body
    );
    get(engine, &format!("/fhir/ChargeItem/{extra}"))
        .await
        .outcome(StatusCode::NOT_FOUND);
    call(
        engine,
        Method::DELETE,
        &format!("/fhir/ChargeItem/{extra}"),
        None,
        &[],
    )
    .await
    .outcome(StatusCode::NOT_FOUND);
    call(
        engine,
        Method::DELETE,
        &format!("/fhir/Patient/{grace}"),
        None,
        &[],
    )
    .await
    .outcome(StatusCode::METHOD_NOT_ALLOWED);

    // A charge whose patient is not the visit's is refused.
    let wrong = json!({
        "resourceType": "ChargeItem", "identifier": [{"value": "L2"}], "status": "billable",
        "code": {"coding": [{"code": "99213"}]},
        "subject": {"reference": format!("Patient/{grace}")},
        "context": {"reference": format!("Encounter/{visit}")},
        "occurrenceDateTime": "2026-11-02", "priceOverride": {"value": 10, "currency": "USD"}
    });
    post(engine, "/fhir/ChargeItem", &wrong)
        .await
        .outcome(StatusCode::UNPROCESSABLE_ENTITY);

    // Search, per type.
    let found = get(engine, "/fhir/Patient?identifier=urn:oid:1.2.3|A1").await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    assert_eq!(found.body["total"], 1, "{backend}: {}", found.body);
    assert_eq!(entries(&found.body, "match")[0]["id"], ada.as_str());
    let found = get(engine, "/fhir/Patient?family=hop").await;
    assert_eq!(entries(&found.body, "match")[0]["id"], grace.as_str());
    assert_eq!(
        get(
            engine,
            "/fhir/Patient?birthdate=ge1815-01&birthdate=le1815-12-31"
        )
        .await
        .body["total"],
        2
    );
    let nobody = get(engine, "/fhir/Patient?birthdate=1816").await;
    assert_eq!(nobody.body["total"], 0);
    assert!(entries(&nobody.body, "match").is_empty());

    // Paging: next and previous links, total over all pages.
    let first = get(engine, "/fhir/Patient?gender=female&_count=1").await;
    assert_eq!(first.body["total"], 2, "{}", first.body);
    assert_eq!(entries(&first.body, "match").len(), 1);
    let links = first.body["link"].as_array().unwrap();
    let next = links.iter().find(|l| l["relation"] == "next").unwrap()["url"]
        .as_str()
        .unwrap();
    let path = &next[next.find("/fhir/").unwrap()..];
    let second = get(engine, path).await;
    let second_entries = entries(&second.body, "match");
    assert_eq!(second_entries.len(), 1);
    assert_ne!(
        second_entries[0]["id"],
        entries(&first.body, "match")[0]["id"]
    );
    let links = second.body["link"].as_array().unwrap();
    assert!(links.iter().all(|l| l["relation"] != "next"));
    assert!(links.iter().any(|l| l["relation"] == "previous"));

    let visits = get(
        engine,
        &format!("/fhir/Encounter?patient=Patient/{ada}&status=in-progress&date=2026-11&_include=Encounter:patient&_include=Encounter:practitioner"),
    )
    .await;
    assert_eq!(visits.body["total"], 1, "{}", visits.body);
    assert_eq!(entries(&visits.body, "match")[0]["id"], visit.as_str());
    let included: Vec<String> = entries(&visits.body, "include")
        .iter()
        .map(|r| {
            format!(
                "{}/{}",
                r["resourceType"].as_str().unwrap(),
                r["id"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        included,
        vec![format!("Patient/{ada}"), format!("Practitioner/{doctor}")]
    );
    assert_eq!(
        get(engine, "/fhir/Encounter?date=2025").await.body["total"],
        0
    );

    let covered = get(
        engine,
        &format!(
            "/fhir/Coverage?payor=Organization/{payer}&subscriber-id=M-555&_include=Coverage:payor"
        ),
    )
    .await;
    assert_eq!(entries(&covered.body, "match")[0]["id"], coverage.as_str());
    assert_eq!(entries(&covered.body, "include")[0]["name"], "Acme Health");
    let charges = get(
        engine,
        &format!("/fhir/ChargeItem?encounter={visit}&patient={ada}"),
    )
    .await;
    assert_eq!(entries(&charges.body, "match")[0]["id"], charge.as_str());
    let orgs = get(engine, "/fhir/Organization?name=HEALTH").await;
    assert_eq!(orgs.body["total"], 1, "{}", orgs.body);
    let orgs = get(
        engine,
        "/fhir/Organization?identifier=http://hl7.org/fhir/sid/us-npi|1234567893",
    )
    .await;
    assert_eq!(entries(&orgs.body, "match")[0]["id"], clinic.as_str());
    let doctors = get(
        engine,
        "/fhir/Practitioner?identifier=1999999984&name=house",
    )
    .await;
    assert_eq!(entries(&doctors.body, "match")[0]["id"], doctor.as_str());
    // A practitioner is not an organization, nor the reverse.
    assert_eq!(
        get(engine, &format!("/fhir/Organization/provider-{doctor}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Every read of patient data is audited with who asked.
    let audit = engine.get_json("/api/audit?resource=/fhir/Patient").await;
    assert!(
        audit["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["resource"] == format!("/fhir/Patient/{ada}").as_str()
                && e["action"] == "GET"),
        "{audit}"
    );
}

#[tokio::test]
async fn every_type_is_created_read_updated_and_searched_on_every_backend() {
    let sqlite = engine(None, &[]).await;
    crud_and_search(&sqlite, "sqlite").await;
    sqlite.stop().await;
    if let Some(pg) = common::postgres_store().await {
        let engine = engine(Some(&pg.url), &[]).await;
        crud_and_search(&engine, "postgres").await;
        engine.stop().await;
    }
}

#[tokio::test]
async fn every_error_is_an_operation_outcome_with_the_right_status() {
    let engine = engine(None, &[]).await;
    let malformed = engine
        .api(Method::POST, "/fhir/Patient")
        .header("content-type", "application/fhir+json")
        .body("{\"resourceType\": \"Patient\",")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    let body: Value = malformed.json().await.unwrap();
    assert_eq!(body["resourceType"], "OperationOutcome");
    assert_model::<fhir_sdk::r4b::resources::OperationOutcome>(&body);

    let xml = engine
        .api(Method::POST, "/fhir/Patient")
        .header("content-type", "application/fhir+xml")
        .body("<Patient xmlns=\"http://hl7.org/fhir\"/>")
        .send()
        .await
        .unwrap();
    assert_eq!(xml.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let wrong_type = post(
        &engine,
        "/fhir/Patient",
        &json!({"resourceType": "Encounter"}),
    )
    .await;
    assert!(
        wrong_type
            .outcome(StatusCode::UNPROCESSABLE_ENTITY)
            .contains("Encounter")
    );
    let unknown_patient = post(
        &engine,
        "/fhir/Coverage",
        &json!({
            "resourceType": "Coverage",
            "status": "active",
            "subscriberId": "M-1",
            "beneficiary": {"reference": "Patient/X"},
            "payor": [{"reference": "Organization/X"}]
        }),
    )
    .await;
    let said = unknown_patient.outcome(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(said.contains("Patient/X does not exist"), "{said}");
    let gender = post(&engine, "/fhir/Patient", &patient("E1", "Bad", "m")).await;
    assert!(
        gender
            .outcome(StatusCode::UNPROCESSABLE_ENTITY)
            .contains("gender")
    );
    let mut bad_date = patient("E2", "Bad", "male");
    bad_date["birthDate"] = json!("1980-13-45");
    post(&engine, "/fhir/Patient", &bad_date)
        .await
        .outcome(StatusCode::UNPROCESSABLE_ENTITY);
    let no_identifier = json!({"resourceType": "Patient", "gender": "male"});
    post(&engine, "/fhir/Patient", &no_identifier)
        .await
        .outcome(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        !engine.has_patient("E1").await && !engine.has_patient("E2").await,
        "nothing invalid is stored"
    );

    // Unknown elements: stored, kept as sent, and reported as warnings.
    let mut odd = patient("W1", "Odd", "other");
    odd["favouriteColour"] = json!("green");
    odd["name"][0]["nickname"] = json!("Oddie");
    let warned = post(&engine, "/fhir/Patient", &odd).await;
    assert_eq!(warned.status, StatusCode::CREATED, "{}", warned.body);
    assert_eq!(warned.body["resourceType"], "OperationOutcome");
    let issues = warned.body["issue"].as_array().unwrap();
    assert!(issues.iter().all(|i| i["severity"] == "warning"));
    assert!(
        issues
            .iter()
            .any(|i| i["expression"][0] == "Patient.favouriteColour")
    );
    assert!(
        issues
            .iter()
            .any(|i| i["expression"][0] == "Patient.name[0].nickname")
    );
    let location = warned.header("location");
    let path = &location[location.find("/fhir/").unwrap()..];
    let kept = get(&engine, path).await;
    assert_eq!(kept.body["favouriteColour"], "green");
    assert_eq!(kept.body["name"][0]["nickname"], "Oddie");

    for (path, status) in [
        ("/fhir/Patient/999999", StatusCode::NOT_FOUND),
        ("/fhir/Patient/not-a-number", StatusCode::NOT_FOUND),
        ("/fhir/Observation/1", StatusCode::NOT_FOUND),
        // Only the current version of a canonical resource is kept.
        ("/fhir/Patient/1/_history/2", StatusCode::NOT_FOUND),
        ("/fhir/Patient/1/_history/1/more", StatusCode::NOT_FOUND),
        ("/fhir/Patient?colour=red", StatusCode::BAD_REQUEST),
        ("/fhir/Patient?birthdate=yesterday", StatusCode::BAD_REQUEST),
    ] {
        get(&engine, path).await.outcome(status);
    }
    call(
        &engine,
        Method::PUT,
        "/fhir/Patient/999999",
        Some(&patient("N1", "New", "male")),
        &[],
    )
    .await
    .outcome(StatusCode::NOT_FOUND);
    let read_only = post(&engine, "/fhir/Claim", &json!({"resourceType": "Claim"})).await;
    read_only.outcome(StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(read_only.header("allow"), "GET");
    let kept = call(&engine, Method::DELETE, "/fhir/Patient/1", None, &[]).await;
    kept.outcome(StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(kept.header("allow"), "GET, PUT");
    let patched = call(&engine, Method::PATCH, "/fhir/ChargeItem/1", None, &[]).await;
    patched.outcome(StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(patched.header("allow"), "GET, PUT, DELETE");

    // Authentication and roles answer in FHIR too.
    let anonymous = common::client()
        .get(format!("{}/fhir/Patient", engine.url))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.headers()["www-authenticate"], "Bearer");
    let body: Value = anonymous.json().await.unwrap();
    assert_eq!(body["resourceType"], "OperationOutcome");
    let (_, viewer) = engine
        .store
        .create_token("clerk", Role::Viewer, None)
        .await
        .unwrap();
    let refused = common::client()
        .post(format!("{}/fhir/Patient", engine.url))
        .bearer_auth(&viewer)
        .body(patient("V1", "View", "male").to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["resourceType"], "OperationOutcome");
    let allowed = common::client()
        .get(format!("{}/fhir/Patient", engine.url))
        .bearer_auth(&viewer)
        .send()
        .await
        .unwrap();
    assert_eq!(allowed.status(), StatusCode::OK);

    // A body over the engine's limit: 413 OperationOutcome, and the engine keeps serving.
    let mut huge = patient("H1", "Huge", "male");
    huge["text"] = json!({"status": "generated", "div": "x".repeat(10 * 1024 * 1024)});
    let answer = post(&engine, "/fhir/Patient", &huge).await;
    answer.outcome(StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(get(&engine, "/fhir/Patient").await.status, StatusCode::OK);
    engine.stop().await;
}

#[tokio::test]
async fn transactions_are_all_or_nothing_and_batches_answer_per_entry_on_every_backend() {
    let sqlite = engine(None, &[]).await;
    bundles(&sqlite).await;
    sqlite.stop().await;
    if let Some(pg) = common::postgres_store().await {
        let engine = engine(Some(&pg.url), &[]).await;
        bundles(&engine).await;
        engine.stop().await;
    }
}

async fn bundles(engine: &Engine) {
    let transaction = json!({
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {"fullUrl": "urn:uuid:8d1c7c35-0001", "request": {"method": "POST", "url": "Coverage"},
             "resource": {"resourceType": "Coverage", "status": "active", "subscriberId": "T-1",
                          "beneficiary": {"reference": "urn:uuid:8d1c7c35-0002"},
                          "payor": [{"reference": "urn:uuid:8d1c7c35-0003"}]}},
            {"fullUrl": "urn:uuid:8d1c7c35-0002", "request": {"method": "POST", "url": "Patient"},
             "resource": patient("T1", "Turing", "male")},
            {"fullUrl": "urn:uuid:8d1c7c35-0003", "request": {"method": "POST", "url": "Organization"},
             "resource": {"resourceType": "Organization", "identifier": [{"value": "BLUE"}], "name": "Blue Plan"}},
            {"fullUrl": "urn:uuid:8d1c7c35-0004", "request": {"method": "POST", "url": "Encounter"},
             "resource": {"resourceType": "Encounter", "identifier": [{"value": "TV-1"}], "status": "finished",
                          "class": {"code": "AMB"}, "subject": {"reference": "urn:uuid:8d1c7c35-0002"}}}
        ]
    });
    let answer = post(engine, "/fhir", &transaction).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.body["type"], "transaction-response");
    assert_model::<fhir_sdk::r4b::resources::Bundle>(&answer.body);
    let responses = answer.body["entry"].as_array().unwrap();
    assert_eq!(responses.len(), 4);
    assert!(
        responses
            .iter()
            .all(|e| e["response"]["status"] == "201 Created"),
        "{}",
        answer.body
    );
    let patient_location = responses[1]["response"]["location"].as_str().unwrap();
    let patient_ref = patient_location.split("/_history").next().unwrap();
    assert!(
        responses[0]["response"]["location"]
            .as_str()
            .unwrap()
            .starts_with("Coverage/")
    );
    let coverage = get(
        engine,
        &format!("/fhir/Coverage?patient={patient_ref}&_include=Coverage:beneficiary"),
    )
    .await;
    let found = entries(&coverage.body, "match");
    assert_eq!(
        found[0]["beneficiary"]["reference"], patient_ref,
        "{}",
        coverage.body
    );
    assert!(
        found[0]["payor"][0]["reference"]
            .as_str()
            .unwrap()
            .starts_with("Organization/payer-")
    );
    assert_eq!(
        entries(&coverage.body, "include")[0]["name"][0]["family"],
        "Turing"
    );
    let audit = engine.get_json("/api/audit?resource=/fhir/").await;
    assert!(
        audit["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["resource"] == format!("/fhir/{patient_ref}").as_str()
                && e["action"] == "POST"),
        "each entry of a Bundle is audited: {audit}"
    );

    // One bad entry: nothing of the transaction is written.
    let failing = json!({
        "resourceType": "Bundle", "type": "transaction",
        "entry": [
            {"request": {"method": "POST", "url": "Patient"}, "resource": patient("T2", "Good", "male")},
            {"request": {"method": "POST", "url": "Patient"}, "resource": patient("T3", "Bad", "robot")}
        ]
    });
    let refused = post(engine, "/fhir", &failing).await;
    assert!(
        refused
            .outcome(StatusCode::UNPROCESSABLE_ENTITY)
            .contains("entry[1]")
    );
    assert!(
        !engine.has_patient("T2").await,
        "the good entry was rolled back"
    );
    let dangling = json!({
        "resourceType": "Bundle", "type": "transaction",
        "entry": [{"request": {"method": "POST", "url": "Encounter"},
                   "resource": {"resourceType": "Encounter", "identifier": [{"value": "TV-2"}], "status": "finished",
                                "class": {"code": "AMB"}, "subject": {"reference": "urn:uuid:missing"}}}]
    });
    post(engine, "/fhir", &dangling)
        .await
        .outcome(StatusCode::UNPROCESSABLE_ENTITY);
    // Two entries that land on one patient (the same identifier) contradict each other.
    let twice = json!({
        "resourceType": "Bundle", "type": "transaction",
        "entry": [
            {"request": {"method": "POST", "url": "Patient"}, "resource": patient("T4", "Once", "male")},
            {"request": {"method": "POST", "url": "Patient"}, "resource": patient("T4", "Twice", "male")}
        ]
    });
    let refused = post(engine, "/fhir", &twice).await;
    let reason = refused.outcome(StatusCode::BAD_REQUEST);
    assert!(
        reason.contains("Bundle.entry[1]") && reason.contains("also written by Bundle.entry[0]"),
        "{reason}"
    );
    assert!(!engine.has_patient("T4").await, "nothing was written");

    // A batch: every entry on its own.
    let batch = json!({
        "resourceType": "Bundle", "type": "batch",
        "entry": [
            {"request": {"method": "POST", "url": "Patient"}, "resource": patient("B1", "Good", "male")},
            {"request": {"method": "POST", "url": "Patient"}, "resource": patient("B2", "Bad", "robot")},
            {"request": {"method": "DELETE", "url": "Patient/1"}}
        ]
    });
    let answer = post(engine, "/fhir", &batch).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.body["type"], "batch-response");
    assert_model::<fhir_sdk::r4b::resources::Bundle>(&answer.body);
    let responses = answer.body["entry"].as_array().unwrap();
    assert_eq!(responses[0]["response"]["status"], "201 Created");
    assert_eq!(
        responses[1]["response"]["status"],
        "422 Unprocessable Entity"
    );
    assert_eq!(
        responses[1]["response"]["outcome"]["resourceType"],
        "OperationOutcome"
    );
    assert_eq!(responses[2]["response"]["status"], "405 Method Not Allowed");
    assert!(engine.has_patient("B1").await && !engine.has_patient("B2").await);

    post(
        engine,
        "/fhir",
        &json!({"resourceType": "Bundle", "type": "collection"}),
    )
    .await
    .outcome(StatusCode::UNPROCESSABLE_ENTITY);
    post(engine, "/fhir", &patient("X", "Not", "male"))
        .await
        .outcome(StatusCode::UNPROCESSABLE_ENTITY);
}

const ADT_A01: &str = "MSH|^~\\&|EHR|HOSP|SB|SB|20261125083000||ADT^A01|CTRL-7|P|2.5\r\
PID|1||MRN77^^^HOSP^MR||Curie^Marie^S||18671107|F|||1 Rue Pierre^^Paris^^75005^FR\r\
PV1|1|I|WARD1^101^A||||1234567893^Pasteur^Louis||||||||||||V-777|||||||||||||||||||||||||20261125083000\r";

#[tokio::test]
async fn a_patient_sent_over_hl7_v2_is_read_over_fhir() {
    let mapping = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("mappings/hl7v2-canonical.toml"),
    )
    .unwrap();
    let port = common::free_port();
    let channel = format!(
        "name = \"adt\"\n[source]\ntype = \"http\"\nlisten = \"127.0.0.1:{port}\"\nallow_anonymous = true\n\
         [transform]\nmapping = \"hl7v2-canonical\"\n[[destinations]]\ntype = \"store\"\nname = \"canonical\"\n"
    );
    let engine = engine(
        None,
        &[
            ("mappings/hl7v2-canonical.toml", mapping),
            ("channels/adt.toml", channel),
        ],
    )
    .await;
    let send = |message: String| async move {
        let answer = common::client()
            .post(format!("http://127.0.0.1:{port}/"))
            .body(message)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::ACCEPTED);
    };
    send(ADT_A01.to_string()).await;
    engine
        .eventually("the ADT is stored", || async {
            engine.has_patient("MRN77").await
        })
        .await;

    let found = get(&engine, "/fhir/Patient?identifier=HOSP|MRN77").await;
    assert_eq!(found.body["total"], 1, "{}", found.body);
    let marie = &entries(&found.body, "match")[0];
    assert_eq!(marie["name"][0]["family"], "Curie");
    assert_eq!(marie["gender"], "female");
    assert_eq!(marie["birthDate"], "1867-11-07");
    let id = marie["id"].as_str().unwrap().to_string();
    let version = marie["meta"]["versionId"].as_str().unwrap().to_string();

    let visits = get(
        &engine,
        &format!("/fhir/Encounter?patient={id}&_include=Encounter:practitioner"),
    )
    .await;
    let visit = &entries(&visits.body, "match")[0];
    assert_eq!(visit["identifier"][0]["value"], "V-777", "{}", visits.body);
    assert_eq!(visit["class"]["code"], "IMP");
    assert_eq!(visit["status"], "in-progress");
    assert_eq!(
        entries(&visits.body, "include")[0]["identifier"][0]["value"],
        "1234567893"
    );

    // The same identifier over FHIR is the same patient: an update, not a second patient.
    let mut update = patient("MRN77", "Curie", "female");
    update["identifier"][0]["system"] = json!("HOSP");
    update["name"][0]["given"] = json!(["Maria"]);
    let answer = call(
        &engine,
        Method::PUT,
        &format!("/fhir/Patient/{id}"),
        Some(&update),
        &[("if-match", &format!("W/\"{version}\""))],
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let after_fhir: i64 = answer.body["meta"]["versionId"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let created = post(&engine, "/fhir/Patient", &update).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    assert_eq!(created.body["id"], id.as_str());
    assert_eq!(
        get(&engine, "/fhir/Patient?identifier=MRN77").await.body["total"],
        1
    );

    // A later ADT changes the canonical patient: reads follow it, with a new version.
    send(
        ADT_A01
            .replace("CTRL-7", "CTRL-8")
            .replace("ADT^A01", "ADT^A08")
            .replace("Curie^Marie", "Sklodowska^Marie"),
    )
    .await;
    engine
        .eventually("the A08 is applied", || async {
            get(&engine, &format!("/fhir/Patient/{id}")).await.body["name"][0]["family"]
                == "Sklodowska"
        })
        .await;
    let read = get(&engine, &format!("/fhir/Patient/{id}")).await;
    assert_valid(&read.body);
    let now: i64 = read.body["meta"]["versionId"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(now > after_fhir, "{now} > {after_fhir}");
    assert_eq!(read.header("etag"), format!("W/\"{now}\""));

    // A bill over HL7 v2 reads as ChargeItems with their modifiers and diagnoses.
    let dft = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("samples/hl7v2/dft-p03-switchboard.hl7"),
    )
    .unwrap();
    send(dft).await;
    engine
        .eventually("the DFT is stored", || async {
            engine.has_patient("MRN100").await
        })
        .await;
    let found = get(&engine, "/fhir/Patient?identifier=CLINIC|MRN100").await;
    let mary = entries(&found.body, "match")[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let charges = get(&engine, &format!("/fhir/ChargeItem?patient={mary}")).await;
    let charges = entries(&charges.body, "match");
    let visit = charges
        .iter()
        .find(|c| c["code"]["coding"][0]["code"] == "99213")
        .unwrap_or_else(|| panic!("{charges:?}"));
    assert_eq!(
        visit["extension"][0],
        json!({"url": "urn:switchboard:extension:procedure-modifier", "valueCoding": {"system": "http://www.ama-assn.org/go/cpt", "code": "25"}})
    );
    assert_eq!(visit["reason"][0]["coding"][0]["code"], "J06.9");
    assert_eq!(visit["priceOverride"]["value"].to_string(), "150");
    engine.stop().await;
}

#[tokio::test]
async fn claims_and_their_remittances_are_read_over_fhir() {
    // The shipped channels, on free ports rather than their fixed ones.
    let hl7_port = common::free_port();
    let files = common::shipped_files_on_free_ports(common::free_port(), hl7_port);
    let borrowed: Vec<(&str, String)> =
        files.iter().map(|(p, t)| (p.as_str(), t.clone())).collect();
    let engine = Engine::start(&borrowed).await;
    let dft = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("samples/hl7v2/dft-p03-switchboard.hl7"),
    )
    .unwrap();
    engine
        .eventually("the HL7 v2 HTTP channel takes the DFT", || async {
            common::client()
                .post(format!("http://127.0.0.1:{hl7_port}/"))
                .bearer_auth(&engine.admin)
                .body(dft.clone())
                .send()
                .await
                .is_ok_and(|r| r.status() == StatusCode::ACCEPTED)
        })
        .await;
    let patient_id = std::cell::RefCell::new(String::new());
    engine
        .eventually("both charges are stored", || async {
            let found = get(&engine, "/fhir/Patient?identifier=CLINIC|MRN100").await;
            let Some(id) = found.body["entry"][0]["resource"]["id"].as_str() else {
                return false;
            };
            *patient_id.borrow_mut() = id.to_string();
            get(&engine, &format!("/fhir/ChargeItem?patient={id}"))
                .await
                .body["total"]
                == 2
        })
        .await;
    let patient_id = patient_id.into_inner();
    let charges = get(
        &engine,
        &format!("/fhir/ChargeItem?patient={patient_id}&_include=ChargeItem:encounter"),
    )
    .await;
    let lines = entries(&charges.body, "match");
    assert_eq!(lines[0]["priceOverride"]["value"], json!(150));
    assert_eq!(lines[1]["priceOverride"]["value"], json!(30.5));
    assert_eq!(
        entries(&charges.body, "include")[0]["identifier"][0]["value"],
        "V5001"
    );
    let coverage = get(
        &engine,
        &format!("/fhir/Coverage?patient={patient_id}&_include=Coverage:payor"),
    )
    .await;
    assert_eq!(
        entries(&coverage.body, "match")[0]["subscriberId"],
        "MEM12345"
    );
    assert_eq!(
        entries(&coverage.body, "include")[0]["name"],
        "Acme Health Plan"
    );

    let report = engine.post_json("/api/claims/submit?payer=HMO1").await;
    let claim_number = report["submitted"][0]
        .as_str()
        .unwrap_or_else(|| panic!("{report}"))
        .to_string();
    let claims = get(
        &engine,
        &format!("/fhir/Claim?patient=Patient/{patient_id}&status=active&_include=Claim:insurer"),
    )
    .await;
    assert_eq!(claims.body["total"], 1, "{}", claims.body);
    let claim = &entries(&claims.body, "match")[0];
    assert_eq!(claim["identifier"][0]["value"], claim_number.as_str());
    assert_eq!(claim["total"]["value"], json!(180.5));
    assert_eq!(claim["item"].as_array().unwrap().len(), 2);
    assert_eq!(
        entries(&claims.body, "include")[0]["name"],
        "Acme Health Plan"
    );
    let claim_id = claim["id"].as_str().unwrap().to_string();
    let today = time::OffsetDateTime::now_utc().date().to_string();
    assert_eq!(
        get(&engine, &format!("/fhir/Claim?created={today}"))
            .await
            .body["total"],
        1
    );
    assert_eq!(
        get(&engine, &format!("/fhir/Claim?created=lt{today}"))
            .await
            .body["total"],
        0
    );
    assert_eq!(
        get(&engine, "/fhir/Claim?status=cancelled").await.body["total"],
        0
    );

    // The payer pays 150.00 of it: the answer reads as a ClaimResponse and an EOB.
    engine
        .store
        .import_remittance(
            &switchboard::store::remit::NewRemittance {
                payer_identifier: "ACMEHEALTH".into(),
                trace_number: "TRACE-1".into(),
                payment_cents: 15_000,
                credit_debit: "C".into(),
                method: "ACH".into(),
                payment_date: Some("2026-11-30".into()),
                sender_ids: vec!["ACMEHEALTH".into()],
                balance_notes: vec![],
                claims: vec![switchboard::store::remit::ClaimPosting {
                    patient_control_number: claim_number.clone(),
                    payer_claim_number: Some("PCN-9".into()),
                    status_code: "1".into(),
                    charge_cents: 18_050,
                    paid_cents: 15_000,
                    patient_responsibility_cents: 3_050,
                    outcome: "partially paid".into(),
                    member_id: None,
                    service_period: (None, None),
                    adjustments: vec![],
                    remarks: vec![],
                    lines: vec![],
                }],
                provider_adjustments: vec![],
            },
            "test",
            &switchboard::revenue::posting::plan_posting,
        )
        .await
        .unwrap()
        .unwrap();
    let answers = get(
        &engine,
        &format!("/fhir/ClaimResponse?request=Claim/{claim_id}&_include=ClaimResponse:request"),
    )
    .await;
    let answer = &entries(&answers.body, "match")[0];
    assert_eq!(
        answer["payment"]["amount"]["value"],
        json!(150),
        "{}",
        answers.body
    );
    assert_eq!(answer["disposition"], "partially paid");
    assert_eq!(
        entries(&answers.body, "include")[0]["id"],
        claim_id.as_str()
    );
    let eobs = get(
        &engine,
        &format!(
            "/fhir/ExplanationOfBenefit?patient={patient_id}&claim={claim_id}&created=ge{today}"
        ),
    )
    .await;
    let eob = &entries(&eobs.body, "match")[0];
    assert_eq!(
        eob["claim"]["reference"],
        format!("Claim/{claim_id}").as_str()
    );
    assert_eq!(eob["total"][1]["amount"]["value"], json!(150));
    let read = get(
        &engine,
        &format!("/fhir/ExplanationOfBenefit/{}", eob["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(
        read.header("etag"),
        "",
        "read-only resources carry no version"
    );
    call(
        &engine,
        Method::PUT,
        &format!("/fhir/Claim/{claim_id}"),
        Some(claim),
        &[],
    )
    .await
    .outcome(StatusCode::METHOD_NOT_ALLOWED);
    // The charges are claimed now: they can no longer be deleted.
    let charge_id = lines[0]["id"].as_str().unwrap();
    call(
        &engine,
        Method::DELETE,
        &format!("/fhir/ChargeItem/{charge_id}"),
        None,
        &[],
    )
    .await
    .outcome(StatusCode::CONFLICT);
    engine.stop().await;
}

/// What a partner FHIR server received: each request's content type and JSON body.
type Received = std::sync::Arc<std::sync::Mutex<Vec<(String, Value)>>>;

/// An engine whose HTTP channel takes HL7 v2 through the `hl7v2-canonical` mapping to a
/// destination named `partner` that sends to a partner's FHIR server, run here: it refuses the
/// first attempt (503) and then takes Bundles at `/fhir`.
struct Partner {
    engine: Engine,
    /// The channel's HTTP port.
    port: u16,
    received: Received,
    /// Requests the partner had.
    attempts: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl Partner {
    /// Starts both; `transform` adds lines to the channel's `[transform]`, `destinations`
    /// opens its destinations up to the partner's `type`.
    async fn start(transform: &str, destinations: &str) -> Partner {
        let (partner_port, received, attempts) = Self::serve().await;
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mapping = std::fs::read_to_string(root.join("mappings/hl7v2-canonical.toml")).unwrap();
        let port = common::free_port();
        let channel = format!(
            "name = \"to-partner\"\n[source]\ntype = \"http\"\nlisten = \"127.0.0.1:{port}\"\nallow_anonymous = true\n\
             [transform]\nmapping = \"hl7v2-canonical\"\n{transform}\n\
             {destinations}\nname = \"partner\"\nurl = \"http://127.0.0.1:{partner_port}/fhir\"\n\
             [destinations.queue]\ninitial_backoff_ms = 100\n"
        );
        let engine = engine(
            None,
            &[
                ("mappings/hl7v2-canonical.toml", mapping),
                ("channels/to-partner.toml", channel),
            ],
        )
        .await;
        Partner {
            engine,
            port,
            received,
            attempts,
        }
    }

    /// Sends a message to the channel.
    async fn send(&self, raw: Vec<u8>) -> reqwest::Response {
        common::client()
            .post(format!("http://127.0.0.1:{}/", self.port))
            .body(raw)
            .send()
            .await
            .unwrap()
    }

    /// Sends the sample ADT and waits for the partner to have it, after a retry; answers the
    /// content type and Bundle it received.
    async fn adt_sample_delivered(&self) -> (String, Value) {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let adt = std::fs::read(root.join("samples/hl7v2/adt-a01-fhir-converter.hl7")).unwrap();
        assert_eq!(self.send(adt).await.status(), StatusCode::ACCEPTED);
        common::eventually(
            "the partner has the Bundle",
            std::time::Duration::from_secs(30),
            || async { !self.received.lock().unwrap().is_empty() },
        )
        .await;
        assert!(
            self.attempts.load(std::sync::atomic::Ordering::SeqCst) >= 2,
            "retried after the 503"
        );
        self.received.lock().unwrap()[0].clone()
    }

    /// The partner's server: its port, what it received and how many requests it had.
    async fn serve() -> (
        u16,
        Received,
        std::sync::Arc<std::sync::atomic::AtomicUsize>,
    ) {
        use std::sync::Arc;

        let received: Received = Arc::default();
        let attempts = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let partner = axum::Router::new().route(
            "/fhir",
            axum::routing::post({
                let received = received.clone();
                let attempts = attempts.clone();
                move |headers: axum::http::HeaderMap, body: axum::body::Bytes| async move {
                    if attempts.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
                        return (axum::http::StatusCode::SERVICE_UNAVAILABLE, String::new());
                    }
                    let content_type = headers
                        .get("content-type")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_string();
                    let bundle: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                    received.lock().unwrap().push((content_type, bundle));
                    (
                        axum::http::StatusCode::OK,
                        json!({"resourceType": "Bundle", "type": "transaction-response"})
                            .to_string(),
                    )
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move { axum::serve(listener, partner).await });
        (port, received, attempts)
    }
}

#[tokio::test]
async fn adt_oru_and_dft_messages_are_converted_and_delivered_to_another_fhir_server_with_retries()
{
    let partner = Partner::start(
        "",
        "[[destinations]]\ntype = \"store\"\nname = \"canonical\"\n\
         [[destinations]]\ntype = \"fhir\"",
    )
    .await;
    let received = &partner.received;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let (content_type, bundle) = partner.adt_sample_delivered().await;
    assert_eq!(content_type, "application/fhir+json");
    assert_eq!(bundle["type"], "transaction", "{bundle}");
    let entries = bundle["entry"].as_array().unwrap();
    let of = |kind: &str| -> Vec<&Value> {
        entries
            .iter()
            .filter(|e| e["resource"]["resourceType"] == kind)
            .collect()
    };
    let patient = of("Patient")[0];
    let patient_url = patient["fullUrl"].as_str().unwrap();
    assert!(patient_url.starts_with("urn:uuid:"));
    assert_eq!(
        patient["resource"]["name"][0]["family"], "EVERYMAN",
        "{bundle}"
    );
    assert_eq!(patient["resource"]["gender"], "male");
    let encounter = &of("Encounter")[0]["resource"];
    assert_eq!(encounter["subject"]["reference"], patient_url);
    let coverage = &of("Coverage")[0]["resource"];
    assert_eq!(coverage["beneficiary"]["reference"], patient_url);
    assert_eq!(
        coverage["payor"][0]["reference"],
        of("Organization")[0]["fullUrl"]
    );
    let kin = &of("RelatedPerson")[0]["resource"];
    assert_eq!(kin["patient"]["reference"], patient_url);
    assert_eq!(kin["name"][0]["family"], "Evan");
    // NK1-3 EMC (emergency contact) is v2-0131 C.
    assert_eq!(kin["relationship"][0]["coding"][0]["code"], "C");
    for entry in entries {
        let resource = &entry["resource"];
        assert_eq!(validate_emitted(resource), Ok(()), "{resource}");
    }
    // The same message went to the store too: one pipeline, two destinations.
    assert!(partner.engine.has_patient("PATID1234").await);

    // A lab result and a bill take the same way.
    for sample in ["oru-r01-fhir-converter.hl7", "dft-p03-switchboard.hl7"] {
        let raw = std::fs::read(root.join("samples/hl7v2").join(sample)).unwrap();
        let answer = partner.send(raw).await;
        assert_eq!(answer.status(), StatusCode::ACCEPTED, "{sample}");
    }
    common::eventually(
        "the partner has the three Bundles",
        std::time::Duration::from_secs(30),
        || async { received.lock().unwrap().len() >= 3 },
    )
    .await;
    let bundles: Vec<Value> = received
        .lock()
        .unwrap()
        .iter()
        .map(|(_, b)| b.clone())
        .collect();
    let having = |kind: &str| -> Vec<Value> {
        let bundle = bundles
            .iter()
            .find(|b| {
                b["entry"]
                    .as_array()
                    .is_some_and(|e| e.iter().any(|e| e["resource"]["resourceType"] == kind))
            })
            .unwrap_or_else(|| panic!("no Bundle with a {kind}"));
        let entries = bundle["entry"].as_array().unwrap();
        for entry in entries {
            let resource = &entry["resource"];
            assert_eq!(validate_emitted(resource), Ok(()), "{resource}");
        }
        entries
            .iter()
            .filter(|e| e["resource"]["resourceType"] == kind)
            .map(|e| e["resource"].clone())
            .collect()
    };
    let report = &having("DiagnosticReport")[0];
    assert_eq!(report["status"], "final");
    assert_eq!(report["result"].as_array().unwrap().len(), 3);
    let observations = having("Observation");
    assert_eq!(
        observations[0]["valueCodeableConcept"]["coding"][0]["code"],
        "27268008"
    );
    assert_eq!(observations[0]["referenceRange"][0]["text"], "70-80");
    let charges = having("ChargeItem");
    let codes: Vec<&Value> = charges
        .iter()
        .map(|c| &c["code"]["coding"][0]["code"])
        .collect();
    assert_eq!(codes, ["99213", "87880"]);
    let amounts: Vec<String> = charges
        .iter()
        .map(|c| c["priceOverride"]["value"].to_string())
        .collect();
    assert_eq!(amounts, ["150", "30.5"]);
    partner.engine.stop().await;
}

#[tokio::test]
async fn a_channel_transform_turns_hl7_v2_into_fhir_bundles_for_any_destination() {
    let partner = Partner::start("output = \"fhir\"", "[[destinations]]\ntype = \"http\"").await;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    // A plain http destination sends the transform's Bundle, labelled as FHIR.
    let (content_type, bundle) = partner.adt_sample_delivered().await;
    assert_eq!(content_type, "application/fhir+json");
    assert_eq!(bundle["resourceType"], "Bundle");
    assert_eq!(bundle["type"], "transaction", "{bundle}");
    let entries = bundle["entry"].as_array().unwrap();
    let patient = entries
        .iter()
        .find(|e| e["resource"]["resourceType"] == "Patient")
        .unwrap();
    assert_eq!(patient["resource"]["name"][0]["family"], "EVERYMAN");
    for entry in entries {
        let resource = &entry["resource"];
        if Kind::parse(resource["resourceType"].as_str().unwrap()).is_some() {
            assert_valid(resource);
        }
    }

    // A message the converter does not take is stored, and refused with the reason.
    // (It shares its control id with the ADT: it gets its own.)
    let bar = std::fs::read_to_string(root.join("tests/fixtures/hl7v2/bar-p02-fhir-converter.hl7"))
        .unwrap()
        .replace("MSG00001", "MSG-BAR-1");
    let answer = partner.send(bar.into_bytes()).await;
    let status = answer.status();
    let body: Value = answer.json().await.unwrap();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let error = body["error"].as_str().unwrap();
    assert!(
        error.contains("cannot convert to FHIR") && error.contains("BAR^P02"),
        "{body}"
    );
    assert!(body["message_id"].as_i64().is_some(), "{body}");
    partner.engine.stop().await;
}

/// Replaces, removes or adds one element somewhere in `value`, chosen by `rng`.
fn mutate(value: &mut Value, rng: &mut impl rand::Rng) {
    let replacement = match rng.random_range(0..8) {
        0 => Value::Null,
        1 => json!(rng.random::<i64>()),
        2 => json!(rng.random::<f64>() * 1e6),
        3 => json!(""),
        4 => json!("Patient/999999"),
        5 => json!([]),
        6 => json!({"x": [1, {"y": null}]}),
        _ => json!("2026-13-45T99:99"),
    };
    match value {
        Value::Object(map) if !map.is_empty() => {
            let keys: Vec<String> = map.keys().cloned().collect();
            let key = keys[rng.random_range(0..keys.len())].clone();
            match rng.random_range(0..4) {
                0 => {
                    map.remove(&key);
                }
                1 => {
                    map.insert(key, replacement);
                }
                2 => {
                    map.insert(format!("unknown{}", rng.random::<u8>()), replacement);
                }
                _ => mutate(map.get_mut(&key).unwrap(), rng),
            }
        }
        Value::Array(items) if !items.is_empty() => {
            let index = rng.random_range(0..items.len());
            if rng.random_bool(0.3) {
                items[index] = replacement;
            } else {
                mutate(&mut items[index], rng);
            }
        }
        other => *other = replacement,
    }
}

#[tokio::test]
async fn mutated_resources_never_make_the_server_fail() {
    use rand::{Rng, SeedableRng};
    let engine = engine(None, &[]).await;
    let payer = create(
        &engine,
        json!({"resourceType": "Organization", "identifier": [{"value": "FUZZ"}], "name": "Fuzz Plan"}),
    )
    .await;
    let patient_id = create(&engine, patient("F0", "Fuzz", "unknown")).await;
    let visit = create(
        &engine,
        json!({"resourceType": "Encounter", "identifier": [{"value": "FV"}], "status": "planned",
               "class": {"code": "AMB"}, "subject": {"reference": format!("Patient/{patient_id}")}}),
    )
    .await;
    let templates = [
        patient("F1", "Fuzz", "female"),
        json!({"resourceType": "Encounter", "identifier": [{"value": "FV2"}], "status": "finished",
               "class": {"code": "IMP"}, "subject": {"reference": format!("Patient/{patient_id}")},
               "period": {"start": "2026-01-01T00:00:00Z"}}),
        json!({"resourceType": "Coverage", "status": "active", "subscriberId": "FZ",
               "beneficiary": {"reference": format!("Patient/{patient_id}")},
               "payor": [{"reference": format!("Organization/{payer}")}], "order": 1}),
        json!({"resourceType": "Organization", "identifier": [{"value": "FUZZ2"}], "name": "Other"}),
        json!({"resourceType": "Practitioner", "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": "1111111111"}],
               "name": [{"family": "Fuzz"}]}),
        json!({"resourceType": "ChargeItem", "identifier": [{"value": "FL"}], "status": "billable",
               "code": {"coding": [{"code": "99213"}]}, "subject": {"reference": format!("Patient/{patient_id}")},
               "context": {"reference": format!("Encounter/{visit}")}, "occurrenceDateTime": "2026-01-01",
               "quantity": {"value": 1.5}, "priceOverride": {"value": 12.34, "currency": "USD"}}),
    ];
    let mut rng = rand::rngs::StdRng::seed_from_u64(20261125);
    for round in 0..240 {
        let template = &templates[round % templates.len()];
        let kind = template["resourceType"].as_str().unwrap().to_string();
        let mut resource = template.clone();
        for _ in 0..rng.random_range(1..4) {
            mutate(&mut resource, &mut rng);
        }
        let answer = if round % 3 == 0 {
            let bundle = json!({"resourceType": "Bundle", "type": if round % 2 == 0 { "transaction" } else { "batch" },
                                "entry": [{"request": {"method": "POST", "url": kind}, "resource": resource}]});
            post(&engine, "/fhir", &bundle).await
        } else {
            post(&engine, &format!("/fhir/{kind}"), &resource).await
        };
        assert!(
            answer.status.as_u16() < 500,
            "{} for {resource}: {}",
            answer.status,
            answer.body
        );
        assert!(
            answer
                .header("content-type")
                .starts_with("application/fhir+json"),
            "{resource}"
        );
        assert!(answer.body["resourceType"].is_string(), "{}", answer.body);
    }
    assert_eq!(
        get(&engine, "/fhir/Patient?_count=0").await.status,
        StatusCode::OK
    );
    engine.stop().await;
}

#[tokio::test]
async fn concurrent_writers_all_get_an_answer() {
    let engine = Arc::new(engine(None, &[]).await);
    let mut tasks = Vec::new();
    for n in 0..24 {
        let engine = engine.clone();
        tasks.push(tokio::spawn(async move {
            if n % 4 == 0 {
                let bundle = json!({"resourceType": "Bundle", "type": "transaction", "entry": [
                    {"fullUrl": "urn:uuid:p", "request": {"method": "POST", "url": "Patient"},
                     "resource": patient(&format!("C{n}"), "Many", "other")},
                    {"request": {"method": "POST", "url": "Encounter"},
                     "resource": {"resourceType": "Encounter", "identifier": [{"value": format!("CV{n}")}],
                                  "status": "planned", "class": {"code": "AMB"}, "subject": {"reference": "urn:uuid:p"}}}
                ]});
                post(&engine, "/fhir", &bundle).await.status
            } else {
                post(&engine, "/fhir/Patient", &patient(&format!("C{n}"), "Many", "other")).await.status
            }
        }));
    }
    for task in tasks {
        let status = task.await.unwrap();
        assert!(
            status == StatusCode::OK || status == StatusCode::CREATED,
            "{status}"
        );
    }
    let found = get(&engine, "/fhir/Patient?family=many&_count=0").await;
    assert_eq!(found.body["total"], 24, "{}", found.body);
    assert_eq!(
        get(&engine, "/fhir/Encounter?status=planned&_count=0")
            .await
            .body["total"],
        6
    );
    Arc::into_inner(engine).unwrap().stop().await;
}

#[tokio::test]
async fn searches_past_any_page_or_on_impossible_dates_are_refused_naming_the_parameter() {
    let engine = engine(None, &[]).await;
    create(&engine, patient("PG1", "Paging", "female")).await;
    for (path, parameter) in [
        ("/fhir/Patient?_offset=9223372036854775807", "_offset"),
        ("/fhir/Patient?_offset=1000000001", "_offset"),
        ("/fhir/Patient?_count=5&_offset=-1", "_offset"),
        ("/fhir/Patient?birthdate=ge9999-99-99", "birthdate"),
        ("/fhir/Patient?birthdate=2023-02-29", "birthdate"),
        ("/fhir/Encounter?date=lt2026-13", "date"),
    ] {
        let answer = get(&engine, path).await;
        let diagnostics = answer.outcome(StatusCode::BAD_REQUEST);
        assert!(
            diagnostics.contains(&format!("'{parameter}'")),
            "{path}: {diagnostics}"
        );
    }
    // The largest offset allowed pages past everything with links that stay positive.
    let last = get(&engine, "/fhir/Patient?_count=200&_offset=1000000000").await;
    assert_eq!(last.status, StatusCode::OK, "{}", last.body);
    let links = last.body["link"].as_array().unwrap();
    assert!(
        links
            .iter()
            .all(|l| !l["url"].as_str().unwrap().contains("_offset=-")),
        "{links:?}"
    );
    assert_eq!(
        get(&engine, "/fhir/Patient?birthdate=le9999-12-31")
            .await
            .status,
        StatusCode::OK
    );
    engine.stop().await;
}

/// Single writes that arrive together share one commit, each in a savepoint of its own: the
/// ones that fail (a stale If-Match, an update of nothing, a reference to nothing) are answered
/// with their own error and leave no trace, and the others are all stored.
#[tokio::test]
async fn writes_that_share_a_commit_fail_alone() {
    use switchboard::fhir::service::check;
    use switchboard::fhir::writer::GroupWriter;

    for test in common::all_stores().await {
        let store = &test.store;
        let backend = test.backend;
        let writer = GroupWriter::start(store.clone());
        let write = |resource: Value, id: Option<&str>, expected: Option<i64>| {
            let writer = writer.clone();
            let id = id.map(str::to_string);
            async move {
                let kind = Kind::parse(resource["resourceType"].as_str().unwrap()).unwrap();
                let checked = check(kind, &resource).unwrap();
                writer.write(checked, id, expected, resource).await
            }
        };
        let first = write(patient("G0", "Group", "female"), None, None)
            .await
            .unwrap();
        let id = first.location.rsplit('/').next().unwrap().to_string();

        // Sent together, so the writer takes them as one group.
        let mut writes = Vec::new();
        for n in 1..=10 {
            writes.push(write(
                patient(&format!("G{n}"), "Group", "male"),
                None,
                None,
            ));
        }
        writes.insert(
            3,
            write(patient("G0", "Stale", "female"), Some(&id), Some(7)),
        );
        writes.insert(
            5,
            write(patient("G99", "Nobody", "female"), Some("999999"), None),
        );
        writes.insert(
            7,
            write(
                json!({"resourceType": "Encounter", "identifier": [{"value": "GV1"}],
                       "status": "planned", "class": {"code": "AMB"},
                       "subject": {"reference": "Patient/888888"}}),
                None,
                None,
            ),
        );
        let results = futures::future::join_all(writes).await;
        let failed: Vec<(usize, u16)> = results
            .iter()
            .enumerate()
            .filter_map(|(n, result)| result.as_ref().err().map(|err| (n, err.status.as_u16())))
            .collect();
        assert_eq!(failed.len(), 3, "{backend}: {failed:?}");
        assert_eq!(failed[0], (3, 412), "{backend}: stale If-Match");
        assert_eq!(failed[1], (5, 404), "{backend}: update of nothing");
        assert_eq!(failed[2].0, 7, "{backend}: a subject that does not exist");
        let created = results.iter().filter(|result| result.is_ok()).count();
        assert_eq!(created, 10, "{backend}");

        let served = switchboard::fhir::service::read_resource(store, None, Kind::Patient, &id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            served.version,
            Some(1),
            "{backend}: the stale update left nothing"
        );
        assert_eq!(served.resource["name"][0]["family"], "Group", "{backend}");
        for result in results.iter().flatten() {
            let id = result.location.rsplit('/').next().unwrap();
            assert!(
                switchboard::fhir::service::read_resource(store, None, Kind::Patient, id)
                    .await
                    .unwrap()
                    .is_some(),
                "{backend}: {} is stored",
                result.location
            );
        }
    }
}
