//! Clinical HL7 v2 into the store, end to end with the shipped configuration: a public ORU^R01,
//! SIU^S12 and VXU^V04 sent over MLLP become Observations (with their DiagnosticReport and
//! Specimen), an Appointment and Immunizations, linked to the canonical patient, readable at
//! `/fhir/...?patient=...` a moment later, found by code, valid R4, and the same message sent
//! again changes nothing but versions. A Condition and an AllergyIntolerance a client POSTs are
//! searchable, updated conditionally and have their history. On SQLite and PostgreSQL.

mod common;

use std::time::Duration;

use common::Engine;
use serde_json::Value;
use switchboard::channel::mllp::MllpClient;
use switchboard::fhir::validate::validate_emitted;

const ORU: &str = include_str!("fixtures/hl7v2/oru-r01-fhir-converter.hl7");
const SIU: &str = include_str!("fixtures/corpus/hl7v2/siu-s12-v28.hl7");
const VXU: &str = include_str!("fixtures/hl7v2/vxu-v04-nist-fhir-converter.hl7");

/// The shipped engine on free ports; the address of its MLLP listener.
async fn engine(store_url: Option<&str>) -> (Engine, String) {
    let mllp = common::free_port();
    let mut files = common::shipped_files_on_free_ports(mllp, common::free_port());
    if let Some(url) = store_url {
        common::with_store(&mut files, url);
    }
    let borrowed: Vec<(&str, String)> =
        files.iter().map(|(p, t)| (p.as_str(), t.clone())).collect();
    let engine = Engine::start(&borrowed).await;
    let address = format!("127.0.0.1:{mllp}");
    engine
        .eventually("MLLP listens", || async {
            tokio::net::TcpStream::connect(&address).await.is_ok()
        })
        .await;
    (engine, address)
}

/// Sends a fixture (segments on lines) over MLLP; asserts it is accepted.
async fn send(address: &str, fixture: &str) {
    let message = fixture
        .trim_start_matches('\u{feff}')
        .lines()
        .filter(|line| !line.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\r");
    let mut client = MllpClient::new(address);
    let ack = client
        .exchange(message.as_bytes(), Duration::from_secs(10))
        .await
        .expect("an ACK");
    let ack = String::from_utf8_lossy(&ack).to_string();
    assert!(ack.contains("MSA|AA"), "{ack}");
}

/// `fixture` with another MSH-10 (control id).
fn with_control_id(fixture: &str, control_id: &str) -> String {
    let mut lines: Vec<String> = fixture.lines().map(str::to_string).collect();
    let mut fields: Vec<&str> = lines[0].split('|').collect();
    fields[9] = control_id;
    lines[0] = fields.join("|");
    lines.join("\n")
}

/// A searchset's resources, once it has at least `at_least` matches.
async fn found(engine: &Engine, path: &str, at_least: usize) -> Vec<Value> {
    engine
        .eventually(&format!("{path} finds {at_least}"), || async {
            let bundle = engine.get_json(path).await;
            bundle["entry"].as_array().map_or(0, Vec::len) >= at_least
        })
        .await;
    let bundle = engine.get_json(path).await;
    bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["search"]["mode"] == "match")
        .map(|e| e["resource"].clone())
        .collect()
}

/// The canonical patient with this identifier.
async fn patient(engine: &Engine, system: &str, value: &str) -> String {
    let path = format!(
        "/fhir/Patient?identifier={}%7C{value}",
        system.replace(' ', "%20")
    );
    let patients = found(engine, &path, 1).await;
    patients[0]["id"].as_str().unwrap().to_string()
}

async fn clinical_messages_become_resources(engine: &Engine, mllp: &str) {
    // A public-health lab result: a DiagnosticReport, its Observations and its Specimen.
    send(mllp, ORU).await;
    let finn = patient(engine, "IA PHIMS Stage", "14").await;
    let observations = found(
        engine,
        &format!("/fhir/Observation?patient=Patient/{finn}&_count=100"),
        3,
    )
    .await;
    for observation in &observations {
        validate_emitted(observation).unwrap_or_else(|err| panic!("{err}: {observation}"));
        assert_eq!(
            observation["subject"]["reference"],
            format!("Patient/{finn}")
        );
    }
    let heart_rates = found(
        engine,
        &format!("/fhir/Observation?patient=Patient/{finn}&code=http://loinc.org%7C8867-4"),
        1,
    )
    .await;
    assert!(
        heart_rates
            .iter()
            .all(|o| o["code"]["coding"][0]["code"] == "8867-4"),
        "{heart_rates:?}"
    );
    let reports = found(
        engine,
        &format!("/fhir/DiagnosticReport?subject=Patient/{finn}"),
        1,
    )
    .await;
    let results = reports[0]["result"].as_array().expect("results");
    assert!(!results.is_empty());
    for result in results {
        let reference = result["reference"].as_str().unwrap();
        let observation = engine.get_json(&format!("/fhir/{reference}")).await;
        assert_eq!(observation["resourceType"], "Observation", "{reference}");
    }

    // The message shows what it made.
    let listed = engine
        .get_json("/api/messages?control_id=2.16.840.1.114222.4.3.3.5.1.2-20120314235954.325")
        .await;
    let message_id = &listed["messages"][0]["id"];
    let detail = engine
        .get_json(&format!("/api/messages/{message_id}"))
        .await;
    let made: Vec<&str> = detail["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .map(|r| r["reference"].as_str().unwrap())
        .collect();
    for observation in &observations {
        let reference = format!("Observation/{}", observation["id"].as_str().unwrap());
        assert!(made.contains(&reference.as_str()), "{made:?}");
    }
    assert!(
        made.iter().any(|r| r.starts_with("DiagnosticReport/")),
        "{made:?}"
    );
    assert!(made.iter().any(|r| r.starts_with("Specimen/")), "{made:?}");

    // An appointment booked.
    send(mllp, SIU).await;
    let adam = patient(engine, "test1", "PATID1234").await;
    let appointments = found(
        engine,
        &format!("/fhir/Appointment?patient=Patient/{adam}"),
        1,
    )
    .await;
    validate_emitted(&appointments[0]).unwrap();
    assert_eq!(appointments[0]["status"], "booked");

    // Immunizations: each RXA, found by vaccine code.
    send(mllp, VXU).await;
    let elise = patient(engine, "NIST-MPI-1", "90012").await;
    let immunizations = found(
        engine,
        &format!("/fhir/Immunization?patient=Patient/{elise}"),
        3,
    )
    .await;
    for immunization in &immunizations {
        validate_emitted(immunization).unwrap();
    }
    let flu = found(
        engine,
        &format!(
            "/fhir/Immunization?patient=Patient/{elise}&vaccine-code=http://hl7.org/fhir/sid/cvx%7C88"
        ),
        2,
    )
    .await;
    assert_eq!(flu.len(), 2, "{flu:?}");

    // The result sent again as a new message (another control id): the same resources, each
    // at a new version, none added.
    let before: Vec<(String, String)> = observations
        .iter()
        .map(|o| {
            (
                o["id"].as_str().unwrap().to_string(),
                o["meta"]["versionId"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    send(mllp, &with_control_id(ORU, "RESENT-1")).await;
    let first = &before[0].0;
    engine
        .eventually("the result's Observation has a second version", || async {
            engine.get_json(&format!("/fhir/Observation/{first}")).await["meta"]["versionId"]
                != before[0].1.as_str()
        })
        .await;
    let again = found(
        engine,
        &format!("/fhir/Observation?patient=Patient/{finn}&_count=100"),
        before.len(),
    )
    .await;
    assert_eq!(again.len(), before.len(), "no Observation was added");
}

/// A client's problem and allergy for a canonical patient: created once however often sent
/// (`If-None-Exist`), found by patient and code, updated by identifier, with their history.
async fn client_problems_and_allergies(engine: &Engine) {
    use common::fhir::{call, create};
    use reqwest::{Method, StatusCode};
    let patient = create(
        engine,
        &serde_json::json!({"resourceType": "Patient",
            "identifier": [{"system": "urn:ehr:mrn", "value": "CL-1"}],
            "name": [{"family": "Client"}]}),
    )
    .await;
    let resources = [
        serde_json::json!({"resourceType": "Condition",
            "identifier": [{"system": "urn:ehr:problem", "value": "P-1"}],
            "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active"}]},
            "code": {"coding": [{"system": "http://snomed.info/sct", "code": "44054006"}]},
            "subject": {"reference": format!("Patient/{patient}")}}),
        serde_json::json!({"resourceType": "AllergyIntolerance",
            "identifier": [{"system": "urn:ehr:allergy", "value": "A-1"}],
            "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "code": "active"}]},
            "code": {"coding": [{"system": "http://snomed.info/sct", "code": "227493005"}]},
            "patient": {"reference": format!("Patient/{patient}")}}),
    ];
    for resource in resources {
        let kind = resource["resourceType"].as_str().unwrap();
        let identifier = format!(
            "identifier={}|{}",
            resource["identifier"][0]["system"].as_str().unwrap(),
            resource["identifier"][0]["value"].as_str().unwrap()
        );
        let created = call(
            engine,
            Method::POST,
            &format!("/fhir/{kind}"),
            Some(&resource),
            &[("if-none-exist", identifier.as_str())],
        )
        .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let id = created.body["id"].as_str().unwrap().to_string();
        let again = call(
            engine,
            Method::POST,
            &format!("/fhir/{kind}"),
            Some(&resource),
            &[("if-none-exist", identifier.as_str())],
        )
        .await;
        assert_eq!(again.status, StatusCode::OK, "{}", again.body);
        assert_eq!(again.body["id"], id.as_str());
        let code = resource["code"]["coding"][0]["code"].as_str().unwrap();
        let by_code = found(
            engine,
            &format!("/fhir/{kind}?patient=Patient/{patient}&code=http://snomed.info/sct%7C{code}"),
            1,
        )
        .await;
        assert_eq!(by_code.len(), 1);
        assert_eq!(by_code[0]["id"], id.as_str());
        let mut resolved = resource.clone();
        resolved["clinicalStatus"]["coding"][0]["code"] = serde_json::json!("resolved");
        let updated = call(
            engine,
            Method::PUT,
            &format!("/fhir/{kind}?{}", identifier.replace('|', "%7C")),
            Some(&resolved),
            &[],
        )
        .await;
        assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
        assert_eq!(updated.body["id"], id.as_str());
        assert_eq!(updated.body["meta"]["versionId"], "2");
        let history = engine
            .get_json(&format!("/fhir/{kind}/{id}/_history"))
            .await;
        assert_eq!(history["type"], "history");
        let versions: Vec<&str> = history["entry"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["resource"]["meta"]["versionId"].as_str().unwrap())
            .collect();
        assert_eq!(versions, ["2", "1"]);
        let first = engine
            .get_json(&format!("/fhir/{kind}/{id}/_history/1"))
            .await;
        assert_eq!(first["clinicalStatus"]["coding"][0]["code"], "active");
        let resolved_only = found(
            engine,
            &format!("/fhir/{kind}?patient=Patient/{patient}&clinical-status=resolved"),
            1,
        )
        .await;
        assert_eq!(resolved_only[0]["id"], id.as_str());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clinical_hl7v2_into_the_store_on_sqlite() {
    let (engine, mllp) = engine(None).await;
    client_problems_and_allergies(&engine).await;
    clinical_messages_become_resources(&engine, &mllp).await;
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clinical_hl7v2_into_the_store_on_postgres() {
    if let Some(pg) = common::postgres_store().await {
        let (engine, mllp) = engine(Some(&pg.url)).await;
        client_problems_and_allergies(&engine).await;
        clinical_messages_become_resources(&engine, &mllp).await;
        engine.stop().await;
    }
}
