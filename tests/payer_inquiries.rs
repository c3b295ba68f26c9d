//! Questions to the payer end to end, with the payer simulator as a destination of the payer's
//! channel (x12-outbox) answering into the X12 inbox, each answer matched back by its trace
//! number. Eligibility: `POST /api/eligibility` and `switchboard eligibility` send a 270 about
//! a covered member, a member whose coverage ended, and one the payer does not know. Claim
//! status: `switchboard claims status` sends a 276 about a paid claim.

mod common;

use std::time::Duration;

use common::file_names;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use switchboard::channel::mllp::MllpClient;
use switchboard::x12;

/// The shipped deployment with the payer simulator as a destination of the payer's channel,
/// its store at `store_url` (default: SQLite), MLLP on `mllp_port`.
async fn engine_with_simulated_payer(store_url: Option<&str>, mllp_port: u16) -> common::Engine {
    let mut files = common::shipped_files_on_free_ports(mllp_port, common::free_port());
    common::with_simulated_payer(&mut files);
    if let Some(url) = store_url {
        common::with_store(&mut files, url);
    }
    let borrowed: Vec<(&str, String)> =
        files.iter().map(|(p, t)| (p.as_str(), t.clone())).collect();
    common::Engine::start(&borrowed).await
}

/// Asserts that every file in `files` follows its implementation guide: envelopes sound, a
/// guide of ours applied to each set, and no guide error.
fn assert_follow_their_guides(files: &[std::path::PathBuf]) {
    for path in files {
        let validation = x12::guide::validate(&std::fs::read(path).unwrap()).unwrap();
        assert!(
            validation.sets.iter().all(|set| set.guide.is_some()),
            "{}: no guide applied",
            path.display()
        );
        let errors: Vec<String> = validation.findings().map(|f| f.describe()).collect();
        assert!(
            validation.is_clean(),
            "{}: {errors:#?} {:?}",
            path.display(),
            validation
                .reports
                .iter()
                .map(|r| &r.problems)
                .collect::<Vec<_>>()
        );
    }
}

/// Runs the command line against `engine`; whether it succeeded, and what it printed.
async fn cli(engine: &common::Engine, args: &[&str]) -> (bool, String) {
    let run = tokio::process::Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(args)
        .args(["--url", &engine.url])
        .env("SWITCHBOARD_TOKEN", &engine.admin)
        .output()
        .await
        .unwrap();
    let said = String::from_utf8_lossy(&run.stdout).to_string()
        + String::from_utf8_lossy(&run.stderr).as_ref();
    (run.status.success(), said)
}

/// Sends each of `visits` (HL7 v2) to `engine`'s MLLP listener on `port`, each acknowledged.
async fn send_visits(engine: &common::Engine, port: u16, visits: &[Vec<u8>]) {
    engine
        .eventually("MLLP listens", || async {
            tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
        })
        .await;
    let mut mllp = MllpClient::new(&format!("127.0.0.1:{port}"));
    for visit in visits {
        let ack = mllp.exchange(visit, Duration::from_secs(10)).await.unwrap();
        assert!(String::from_utf8_lossy(&ack).contains("MSA|AA"));
    }
}

/// What `engine` answers to a POST of `body` to `path`.
async fn post(engine: &common::Engine, path: &str, body: Value) -> Value {
    let answer = engine.api(Method::POST, path).json(&body).send().await;
    answer.unwrap().json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eligibility_on_sqlite() {
    let engine = engine_with_simulated_payer(None, common::free_port()).await;
    eligibility_is_asked_of_the_payer_and_answered(engine).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eligibility_on_postgres() {
    let Some(database) = common::postgres_store().await else {
        return;
    };
    let engine = engine_with_simulated_payer(Some(&database.url), common::free_port()).await;
    eligibility_is_asked_of_the_payer_and_answered(engine).await;
}

async fn eligibility_is_asked_of_the_payer_and_answered(engine: common::Engine) {
    // A covered member, through the API: the answer comes back within the request.
    let answered = engine
        .api(Method::POST, "/api/eligibility")
        .json(&json!({
            "payer": "HMO1",
            "member_id": "MEM12345",
            "first_name": "Mary",
            "last_name": "O'Brien",
            "birth_date": "1980-02-29",
            "date": "2026-06-01",
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(answered.status(), StatusCode::OK);
    let covered: Value = answered.json().await.unwrap();
    assert_eq!(covered["state"], "answered", "{covered}");
    assert_eq!(covered["status"], "active", "{covered}");
    assert_eq!(covered["plan"], "Acme Gold HMO", "{covered}");
    assert_eq!(covered["coverage_begin"], "2026-01-01", "{covered}");
    assert_eq!(covered["coverage_end"], "2026-12-31", "{covered}");
    assert_eq!(covered["copay_cents"], 2_500, "{covered}");
    assert_eq!(covered["coinsurance_basis_points"], 2_000, "{covered}");
    assert_eq!(covered["deductible_remaining_cents"], 0, "{covered}");
    assert_eq!(covered["out_of_pocket_max_cents"], 300_000, "{covered}");
    assert_eq!(
        covered["out_of_pocket_remaining_cents"], 257_400,
        "{covered}"
    );

    // The 270 left through the payer's channel with the trace the answer was matched by.
    let outbox = engine.path("data/outbox/x12");
    let sent: Vec<String> = file_names(&outbox)
        .into_iter()
        .filter(|name| {
            std::fs::read_to_string(outbox.join(name)).is_ok_and(|t| t.contains("ST*270*"))
        })
        .collect();
    assert_eq!(sent.len(), 1, "{sent:?}");
    let inquiry = x12::read_270(&std::fs::read(outbox.join(&sent[0])).unwrap()).unwrap();
    assert!(inquiry.envelope_problems.is_empty() && inquiry.warnings.is_empty());
    let asked = &inquiry.documents[0];
    assert_eq!(asked.trace, covered["trace_number"].as_str().unwrap());
    assert_eq!(asked.member_id, "MEM12345");
    assert_eq!(asked.service_types, ["30"]);
    assert_eq!(asked.provider.id, "1234567893");
    assert_eq!(asked.service_date, x12::Date::new(2026, 6, 1));
    assert_eq!(asked.member_first_name.as_deref(), Some("Mary"));
    assert_eq!(asked.member_birth_date, x12::Date::new(1980, 2, 29));

    // An unknown member, from the command line, as JSON.
    let (ok, said) = cli(
        &engine,
        &[
            "eligibility",
            "--payer",
            "HMO1",
            "--member",
            "NOBODY1",
            "--first-name",
            "No",
            "--last-name",
            "Body",
            "--json",
        ],
    )
    .await;
    assert!(ok, "{said}");
    let unknown: Value = serde_json::from_str(&said).unwrap();
    assert_eq!(unknown["status"], "not found", "{unknown}");
    assert_eq!(
        unknown["reason"], "Subscriber/insured not found (AAA 75)",
        "{unknown}"
    );

    // A member whose coverage ended, printed for people.
    let (ok, said) = cli(
        &engine,
        &[
            "eligibility",
            "--payer",
            "HMO1",
            "--member",
            "MEM55555",
            "--first-name",
            "Ana",
            "--last-name",
            "Ruiz",
            "--date",
            "2026-06-01",
        ],
    )
    .await;
    assert!(ok, "{said}");
    assert!(
        said.lines()
            .any(|l| l.starts_with("status") && l.ends_with("inactive")),
        "{said}"
    );
    assert!(said.contains("Acme Silver HMO"), "{said}");

    // The checks are kept: listed newest first, and each read back.
    let listed = engine.get_json("/api/eligibility").await;
    let statuses: Vec<&str> = listed["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["inactive", "not found", "active"], "{listed}");
    let one = engine
        .get_json(&format!("/api/eligibility/{}", covered["id"]))
        .await;
    assert_eq!(one, covered);
    let report = engine.get_json("/api/reports/payer-inquiries").await;
    assert_eq!(
        report["rows"],
        json!([
            ["HMO1", "eligibility", "active", 1, "33.3%"],
            ["HMO1", "eligibility", "inactive", 1, "33.3%"],
            ["HMO1", "eligibility", "not found", 1, "33.3%"],
        ]),
        "{report}"
    );
    let of_member = engine.get_json("/api/eligibility?member=NOBODY1").await;
    assert_eq!(of_member["checks"].as_array().unwrap().len(), 1);

    // Bad requests are refused with what is wrong.
    for (body, status, says) in [
        (
            json!({"payer": "HMO1", "member_id": "MEM12345", "date": "2026-02-30"}),
            StatusCode::BAD_REQUEST,
            "date '2026-02-30' is not a date YYYY-MM-DD",
        ),
        (
            json!({"payer": "HMO1", "member_id": "A*B"}),
            StatusCode::BAD_REQUEST,
            "member_id must be",
        ),
        (
            json!({"payer": "NOPE", "member_id": "MEM12345"}),
            StatusCode::NOT_FOUND,
            "payer 'NOPE'",
        ),
        (
            json!({"payer": "HMO1"}),
            StatusCode::BAD_REQUEST,
            "member_id",
        ),
        // A service type code the 270's guide does not list: the 270 is written, breaks its
        // guide, and is neither kept nor sent (the outbox still holds three 270s below).
        (
            json!({"payer": "HMO1", "member_id": "MEM12345", "service_type": "ZZ"}),
            StatusCode::BAD_REQUEST,
            "not sent: the request breaks its implementation guide: 2110C EQ*01: invalid code \
             value `ZZ` (IK4 7)",
        ),
    ] {
        let refused = engine
            .api(Method::POST, "/api/eligibility")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), status, "{body}");
        let text = refused.text().await.unwrap();
        assert!(text.contains(says), "{body}: {text}");
    }
    assert_eq!(
        engine.get_json("/api/eligibility").await["checks"]
            .as_array()
            .unwrap()
            .len(),
        3,
        "a refused request is not kept"
    );

    // LinuxForHealth x12, an independent reader, reads every 270 we wrote and every 271 the
    // simulated payer answered as valid 005010X279A1.
    let processed = engine.path("data/inbox/x12/processed");
    let mut written: Vec<std::path::PathBuf> = file_names(&processed)
        .into_iter()
        .filter(|name| name.ends_with(".271.x12"))
        .map(|name| processed.join(name))
        .collect();
    assert_eq!(written.len(), 3, "{written:?}");
    written.extend(
        file_names(&outbox)
            .into_iter()
            .map(|name| outbox.join(name))
            .filter(|path| std::fs::read_to_string(path).is_ok_and(|t| t.contains("ST*270*"))),
    );
    assert_eq!(written.len(), 6, "{written:?}");
    assert_follow_their_guides(&written);
    // Its 271 model gives loop 2100C the AAA reject reasons of loop 2100B (information
    // receiver: 15, 41, 43...), while the TR3's 2100C lists the subscriber's (72, 73, 75 "not
    // found", ...): the "not found" answer is read with AAA03 75 swapped for 15, a code both
    // lists hold, so everything else of it is still checked.
    let copies = tempfile::tempdir().unwrap();
    for path in &mut written {
        let text = std::fs::read_to_string(&*path).unwrap();
        if text.contains("AAA*Y**75*C~") {
            let copy = copies.path().join(path.file_name().unwrap());
            std::fs::write(&copy, text.replace("AAA*Y**75*C~", "AAA*Y**15*C~")).unwrap();
            *path = copy;
        }
    }
    if common::x12_peer::present() {
        let problems = common::x12_peer::problems(&written);
        assert!(problems.is_empty(), "{problems:#?}");
    }
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claim_status_is_asked_of_the_payer_and_answered() {
    let mllp_port = common::free_port();
    let engine = engine_with_simulated_payer(None, mllp_port).await;
    let visit = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("samples/hl7v2/dft-p03-switchboard.hl7"),
    )
    .unwrap();
    send_visits(&engine, mllp_port, &[visit]).await;
    engine
        .eventually("the claim is submitted", || async {
            engine.post_json("/api/claims/submit?payer=HMO1").await["submitted"]
                .as_array()
                .is_some_and(|s| s.len() == 1)
        })
        .await;
    engine
        .eventually("the simulated payer pays the claim", || async {
            engine.get_json("/api/claims?payer=HMO1").await["claims"][0]["status"] == "paid"
        })
        .await;
    let claim = engine.get_json("/api/claims?payer=HMO1").await["claims"][0].clone();
    let number = claim["claim_number"].as_str().unwrap();

    let (ok, said) = cli(&engine, &["claims", "status", number, "--json"]).await;
    assert!(ok, "{said}");
    let status: Value = serde_json::from_str(&said).unwrap();
    assert_eq!(status["state"], "answered", "{status}");
    assert_eq!(
        status["status"], "F1 Finalized/Payment: 65 Claim/line has been paid",
        "{status}"
    );
    assert_eq!(
        status["charge_cents"], claim["total_charge_cents"],
        "{status}"
    );
    assert_eq!(status["paid_cents"], 7_040, "{status}");
    assert_eq!(status["payer_claim_number"], claim["payer_claim_number"]);
    assert!(
        status["check_number"].as_str().unwrap().starts_with("SIM"),
        "{status}"
    );

    // Kept with the claim, and in its history.
    let kept = engine
        .get_json(&format!("/api/claims/{}/status", claim["id"]))
        .await;
    assert_eq!(kept["checks"][0], status, "{kept}");
    let detail = engine
        .get_json(&format!("/api/claims/{}", claim["id"]))
        .await;
    let last = detail["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["status"], "paid", "{detail}");
    assert_eq!(
        last["detail"],
        "claim status (277): F1 Finalized/Payment: 65 Claim/line has been paid, paid 70.4",
        "{detail}"
    );
    let (ok, said) = cli(&engine, &["claims", "status", "SB-NONE"]).await;
    assert!(!ok && said.contains("no claim SB-NONE"), "{said}");

    // An eligibility check without a name takes the member's name and birth date from our
    // patient whose coverage has that member id.
    let covered = post(
        &engine,
        "/api/eligibility",
        json!({"payer": "HMO1", "member_id": "MEM12345", "date": "2026-06-01"}),
    )
    .await;
    assert_eq!(covered["status"], "active", "{covered}");
    let outbox = engine.path("data/outbox/x12");
    let asked: Vec<String> = file_names(&outbox)
        .into_iter()
        .filter_map(|name| std::fs::read_to_string(outbox.join(name)).ok())
        .filter(|text| text.contains("ST*270*"))
        .collect();
    assert_eq!(asked.len(), 1);
    assert!(
        asked[0].contains("NM1*IL*1*O'Brien*Mary****MI*MEM12345~\nDMG*D8*"),
        "{}",
        asked[0]
    );

    // LinuxForHealth x12 reads the 276 we wrote and the simulated payer's 277 as valid
    // 005010X212.
    let processed = engine.path("data/inbox/x12/processed");
    let written: Vec<std::path::PathBuf> = file_names(&outbox)
        .into_iter()
        .map(|name| outbox.join(name))
        .filter(|path| std::fs::read_to_string(path).is_ok_and(|t| t.contains("ST*276*")))
        .chain(
            file_names(&processed)
                .into_iter()
                .filter(|name| name.ends_with(".0.277.x12"))
                .map(|name| processed.join(name)),
        )
        .collect();
    assert_eq!(written.len(), 2, "{written:?}");
    assert_follow_their_guides(&written);
    if common::x12_peer::present() {
        let problems = common::x12_peer::problems(&written);
        assert!(problems.is_empty(), "{problems:#?}");
    }
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prior_authorization_is_decided_by_the_payer() {
    let engine = engine_with_simulated_payer(None, common::free_port()).await;
    let ask = |body: Value| {
        let request = engine.api(Method::POST, "/api/prior-auth").json(&body);
        async move {
            let answer = request.send().await.unwrap();
            (answer.status(), answer.json::<Value>().await.unwrap())
        }
    };

    // Within the contract: approved, with the estimate (99213: fee 95.00, copay 25.00, 20%
    // coinsurance of 70.00).
    let (status, approved) = ask(json!({
        "payer": "HMO1",
        "member_id": "MEM12345",
        "procedure": "99213",
        "diagnosis": "J06.9",
        "amount": "150.00",
        "date": "2026-06-01",
    }))
    .await;
    assert_eq!(status, StatusCode::OK, "{approved}");
    assert_eq!(approved["state"], "answered", "{approved}");
    assert_eq!(approved["decision"], "approved", "{approved}");
    assert!(
        approved["authorization_number"]
            .as_str()
            .is_some_and(|n| n.starts_with("AUTH")),
        "{approved}"
    );
    assert_eq!(approved["reasons"]["failed"], json!([]), "{approved}");
    assert_eq!(
        approved["reasons"]["met"].as_array().map(Vec::len),
        Some(5),
        "{approved}"
    );
    let estimate = &approved["request"]["estimate"];
    assert_eq!(estimate["allowed_cents"], 9_500, "{approved}");
    assert_eq!(estimate["covered_cents"], 5_600, "{approved}");
    assert_eq!(
        estimate["patient_responsibility_cents"], 3_900,
        "{approved}"
    );
    assert_eq!(estimate["coverage_percent"], "58.9%", "{approved}");

    // An excluded procedure, from the command line: denied, with the reason.
    let (ok, said) = cli(
        &engine,
        &[
            "prior-auth",
            "--payer",
            "HMO1",
            "--member",
            "MEM12345",
            "--procedure",
            "S9083",
            "--diagnosis",
            "J06.9",
            "--date",
            "2026-06-01",
            "--json",
        ],
    )
    .await;
    assert!(ok, "{said}");
    let denied: Value = serde_json::from_str(&said).unwrap();
    assert_eq!(denied["decision"], "denied", "{denied}");
    assert_eq!(
        denied["reasons"]["failed"],
        json!(["procedure S9083 is not covered"]),
        "{denied}"
    );
    assert_eq!(denied["authorization_number"], Value::Null, "{denied}");

    // Above the annual limit alone: pended for review. An unknown member: denied.
    let (_, pended) = ask(json!({
        "payer": "HMO1",
        "member_id": "MEM12345",
        "procedure": "99213",
        "diagnosis": "J06.9",
        "amount": "6000.00",
        "date": "2026-06-01",
    }))
    .await;
    assert_eq!(pended["decision"], "pended", "{pended}");
    let (_, unknown) = ask(json!({
        "payer": "HMO1",
        "member_id": "NOBODY1",
        "procedure": "99213",
        "diagnosis": "J06.9",
    }))
    .await;
    assert_eq!(unknown["decision"], "denied", "{unknown}");
    assert!(
        unknown["reasons"]["failed"][0]
            .as_str()
            .is_some_and(|r| r.starts_with("coverage of member NOBODY1")),
        "{unknown}"
    );
    let (status, refused) = ask(json!({
        "payer": "HMO1",
        "member_id": "MEM12345",
        "procedure": "99*13",
        "diagnosis": "J06.9",
    }))
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");

    let listed = engine.get_json("/api/prior-auth").await;
    let decisions: Vec<&str> = listed["authorizations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["decision"].as_str().unwrap())
        .collect();
    assert_eq!(
        decisions,
        ["denied", "pended", "denied", "approved"],
        "{listed}"
    );
    let one = engine
        .get_json(&format!("/api/prior-auth/{}", approved["id"]))
        .await;
    assert_eq!(one, approved);
    engine.stop().await;
}

/// The sample visit with its second charge changed to `procedure`, as visit `visit` (message
/// `control`) on `day` (`YYYYMMDD`), or only that charge when `alone`.
fn visit_with(procedure: &str, visit: &str, control: &str, day: &str, alone: bool) -> String {
    let sample = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("samples/hl7v2/dft-p03-switchboard.hl7"),
    )
    .unwrap();
    let text = sample
        .replace(
            "87880^Rapid strep test^CPT",
            &format!("{procedure}^MRI brain^CPT"),
        )
        .replace("|30.50|", "|1200.00|")
        .replace("V5001", visit)
        .replace("DFT-SAMPLE-0001", control)
        .replace("20261124|20261124", &format!("{day}|{day}"));
    let segments: Vec<&str> = text
        .split('\r')
        .filter(|s| !(alone && s.starts_with("FT1|1|")))
        .collect();
    segments.join("\r")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorizations_go_with_the_coverage_and_onto_the_claims() {
    let mllp_port = common::free_port();
    let engine = engine_with_simulated_payer(None, mllp_port).await;
    // 70553 needs an authorization (config/payers/acme-health.toml). One visit on the day the
    // authorization is asked for, one four days before it.
    let visits = [
        visit_with("70553", "V5001", "AUTH-0001", "20261124", false),
        visit_with("70553", "V5002", "AUTH-0002", "20261120", true)
            .replace("MEM12345", "MEM77777")
            .replace("MRN100", "MRN200")
            .replace("999887777", "999887700")
            .replace("O'Brien^Mary^Ann", "Ruiz^Ana"),
    ];
    let visits = visits.map(String::into_bytes);
    send_visits(&engine, mllp_port, &visits).await;
    let approved = post(
        &engine,
        "/api/prior-auth",
        json!({
            "payer": "HMO1",
            "member_id": "MEM12345",
            "procedure": "70553",
            "diagnosis": "J06.9",
            "date": "2026-11-24",
        }),
    )
    .await;
    assert_eq!(approved["decision"], "approved", "{approved}");
    assert_eq!(approved["valid_from"], "2026-11-24", "{approved}");
    assert_eq!(approved["valid_to"], "2026-12-31", "{approved}");
    let number = approved["authorization_number"]
        .as_str()
        .unwrap()
        .to_owned();
    let checked = post(
        &engine,
        "/api/eligibility",
        json!({"payer": "HMO1", "member_id": "MEM12345", "date": "2026-11-24"}),
    )
    .await;
    assert_eq!(checked["status"], "active", "{checked}");

    // Both show with the patient's coverage.
    let found = engine.get_json("/api/patients?family=O'Brien").await;
    let patient = engine
        .get_json(&format!("/api/patients/{}", found["patients"][0]["id"]))
        .await;
    let coverage = &patient["coverages"][0];
    assert_eq!(coverage["member_id"], "MEM12345", "{patient}");
    assert_eq!(coverage["eligibility"]["status"], "active", "{patient}");
    assert_eq!(
        coverage["eligibility"]["check_id"], checked["id"],
        "{patient}"
    );
    let authorization = &coverage["authorizations"][0];
    assert_eq!(authorization["id"], approved["id"], "{patient}");
    assert_eq!(authorization["procedure"], "70553", "{patient}");
    assert_eq!(authorization["decision"], "approved", "{patient}");
    assert_eq!(authorization["authorization_number"], number.as_str());
    assert_eq!(authorization["valid_from"], "2026-11-24", "{patient}");

    // The claim of the visit the authorization covers carries its number (2300 REF*G1); the
    // other goes without and the payer denies it: CARC 197.
    let submitted = engine.post_json("/api/claims/submit?payer=HMO1").await;
    assert_eq!(
        submitted["submitted"].as_array().map(Vec::len),
        Some(2),
        "{submitted}"
    );
    let outbox = engine.path("data/outbox/x12");
    let written = || {
        file_names(&outbox)
            .into_iter()
            .map(|name| outbox.join(name))
            .filter(|path| std::fs::read_to_string(path).is_ok_and(|t| t.contains("ST*837*")))
            .collect::<Vec<_>>()
    };
    engine
        .eventually("the 837 is written", || async { !written().is_empty() })
        .await;
    let claims_file = written();
    assert_eq!(claims_file.len(), 1, "{claims_file:?}");
    let text = std::fs::read_to_string(&claims_file[0]).unwrap();
    assert_eq!(text.matches("REF*G1*").count(), 1, "{text}");
    assert!(text.contains(&format!("REF*G1*{number}~")), "{text}");
    let validated = tokio::process::Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(["x12", "validate"])
        .arg(&claims_file[0])
        .output()
        .await
        .unwrap();
    assert!(
        validated.status.success() && validated.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&validated.stdout)
    );
    if common::x12_peer::present() {
        let problems = common::x12_peer::problems(&claims_file);
        assert!(problems.is_empty(), "{problems:#?}");
    }
    let status_of = |claims: &Value, charge: i64| {
        claims["claims"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["total_charge_cents"] == charge))
            .map(|c| c["status"].clone())
    };
    engine
        .eventually("the payer pays one claim and denies the other", || async {
            let claims = engine.get_json("/api/claims?payer=HMO1").await;
            status_of(&claims, 135_000) == Some(json!("paid"))
                && status_of(&claims, 120_000) == Some(json!("denied"))
        })
        .await;
    // The payer now knows the member it saw only on a claim (the payer file does not list
    // MEM77777), and keeps what it decided in a file of its own, for after a restart.
    let seen = post(
        &engine,
        "/api/eligibility",
        json!({"payer": "HMO1", "member_id": "MEM77777", "date": "2026-11-24"}),
    )
    .await;
    assert_eq!(seen["status"], "active", "{seen}");
    assert_eq!(seen["plan"], "Acme Health Plan", "{seen}");
    let remembered =
        std::fs::read_to_string(engine.path("data/payer-sim/acme-health.json")).unwrap();
    assert!(remembered.contains("MEM77777"), "{remembered}");

    // Deploying the payer's channel again builds its simulator anew; it still answers a 276
    // about the paid claim from what it decided.
    let redeployed = engine
        .api(Method::POST, "/api/channels/x12-outbox/deploy")
        .send()
        .await
        .unwrap();
    assert!(redeployed.status().is_success(), "{redeployed:?}");
    let claims = engine.get_json("/api/claims?payer=HMO1").await;
    let paid = claims["claims"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["total_charge_cents"] == 135_000)
        .unwrap();
    let status = engine
        .post_json(&format!("/api/claims/{}/status", paid["id"]))
        .await;
    assert_eq!(
        status["status"], "F1 Finalized/Payment: 65 Claim/line has been paid",
        "{status}"
    );

    // The denial is in the report of denials for a missing authorization, as JSON and CSV, from
    // the API and the command line.
    let report = engine.get_json("/api/reports/authorization-denials").await;
    let rows = report["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{report}");
    assert_eq!(rows[0][0], "HMO1", "{report}");
    assert_eq!(rows[0][2], "70553", "{report}");
    assert!(
        rows[0][3].as_str().is_some_and(|r| r.starts_with("CO-197")),
        "{report}"
    );
    assert_eq!(rows[0][4], "1200.00", "{report}");
    let (ok, csv) = cli(&engine, &["report", "authorization-denials", "--csv"]).await;
    assert!(ok, "{csv}");
    assert!(
        csv.starts_with("payer,claim,procedure,reason,amount,835 trace")
            && csv.contains(",70553,\"CO-197: Precertification"),
        "{csv}"
    );
    engine.stop().await;
}
