//! The whole revenue cycle through the running engine: ADT/DFT in over MLLP, claims out as an
//! 837, the payer simulator's 999, 277CA and 835 back through the inbox, every claim reconciled
//! to the cent, an unmatched payment matched by hand with the CLI, and the reports tying out.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{Engine, file_names};
use serde_json::Value;
use switchboard::channel::mllp::MllpClient;

const BIN: &str = env!("CARGO_BIN_EXE_switchboard");

/// A second patient: an office visit and a lab draw the contract has no price for.
const DFT_SECOND: &str = "MSH|^~\\&|EHR|CLINIC|SWITCHBOARD|BILLING|20261124111500||DFT^P03^DFT_P03|DFT-CYCLE-0002|P|2.5\r\
PID|1||MRN300^^^CLINIC^MR||Nguyen^Linh||19880102|F|||4 Oak Ave^^Springfield^IL^62702^USA\r\
PV1|1|O|CLINIC^ROOM2||||1234567893^House^Gregory||||||||||||V6001|||||||||||||||||||||||||20261124100000\r\
DG1|1||E11.9^Type 2 diabetes^I10\r\
FT1|1|T2001||20261124|20261124|CG|99213^Office visit^CPT|Office visit||1|120.00||||||||E11.9^Diabetes^I10\r\
FT1|2|T2002||20261124|20261124|CG|36415^Venipuncture^CPT|Venipuncture||1|25.00||||||||E11.9^Diabetes^I10\r\
IN1|1|GOLD^Gold PPO|HMO1|Acme Health Plan||||GRP42||||20260101|20261231|||Nguyen^Linh|SEL|||||1||||||||||||||MEM300\r";

/// A third patient, whose payment arrives with a number the payer mistyped.
const DFT_THIRD: &str = "MSH|^~\\&|EHR|CLINIC|SWITCHBOARD|BILLING|20261124121500||DFT^P03^DFT_P03|DFT-CYCLE-0003|P|2.5\r\
PID|1||MRN400^^^CLINIC^MR||Okafor^Ben||19700505|M|||9 Elm St^^Springfield^IL^62703^USA\r\
PV1|1|O|CLINIC^ROOM3||||1234567893^House^Gregory||||||||||||V7001|||||||||||||||||||||||||20261124110000\r\
DG1|1||I10^Hypertension^I10\r\
FT1|1|T3001||20261124|20261124|CG|99213^Office visit^CPT|Office visit||1|100.00||||||||I10^Hypertension^I10\r\
IN1|1|GOLD^Gold PPO|HMO1|Acme Health Plan||||GRP42||||20260101|20261231|||Okafor^Ben|SEL|||||1||||||||||||||MEM400\r";

/// Exact cents of a report's decimal text.
fn cents(value: &Value) -> i64 {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("not money: {value}"));
    let negative = text.starts_with('-');
    let (whole, fraction) = text.trim_start_matches('-').split_once('.').unwrap();
    let amount = whole.parse::<i64>().unwrap() * 100 + fraction.parse::<i64>().unwrap();
    if negative { -amount } else { amount }
}

fn column(table: &Value, name: &str) -> usize {
    table["columns"]
        .as_array()
        .unwrap()
        .iter()
        .position(|c| c == name)
        .unwrap_or_else(|| panic!("no column {name} in {table}"))
}

/// Sends `visits` over MLLP, waits until the bills of these `patients` are stored, and submits
/// HMO1's claims; answers the submission report.
async fn bill_visits(engine: &Engine, visits: &[&[u8]], patients: &[&str]) -> Value {
    let mut mllp = MllpClient::new("127.0.0.1:2575");
    for visit in visits {
        let ack = mllp.exchange(visit, Duration::from_secs(10)).await.unwrap();
        let ack = String::from_utf8_lossy(&ack);
        assert!(ack.contains("MSA|AA"), "{ack}");
    }
    engine
        .eventually("the bills are stored", || async {
            for patient in patients {
                if !engine.has_patient(patient).await {
                    return false;
                }
            }
            true
        })
        .await;
    // The canonical upserts run behind the ACKs: give the bill lines a moment.
    tokio::time::sleep(Duration::from_millis(500)).await;
    engine.post_json("/api/claims/submit?payer=HMO1").await
}

/// The financial summary and its TOTAL row.
async fn financial_summary(engine: &Engine) -> (Value, Value) {
    let summary = engine.get_json("/api/reports/financial-summary").await;
    let total = summary["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r[0] == "TOTAL")
        .unwrap()
        .clone();
    (summary, total)
}

/// Waits for the payer's next 837 in the outbox and returns its path.
async fn next_837(engine: &Engine, seen: usize) -> std::path::PathBuf {
    let outbox = engine.path("data/outbox/x12");
    common::eventually(
        "an 837 is in the outbox",
        Duration::from_secs(30),
        || async { file_names(&outbox).len() > seen },
    )
    .await;
    outbox.join(file_names(&outbox).last().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_revenue_cycle_on_sqlite() {
    let _turn = PORT_2575.lock().await;
    the_revenue_cycle(common::start_shipped().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_revenue_cycle_on_postgres() {
    // Both tests bind the shipped MLLP port: take turns.
    let _turn = PORT_2575.lock().await;
    let Some(database) = common::postgres_store().await else {
        return;
    };
    the_revenue_cycle(common::start_shipped_on(Some(&database.url)).await).await;
}

static PORT_2575: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// ADT/DFT in, claims out, the payer's answers back, every claim reconciled, the reports tied out.
async fn the_revenue_cycle(engine: Engine) {
    let first = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/hl7v2/dft-p03-switchboard.hl7"),
    )
    .unwrap();
    let report = bill_visits(
        &engine,
        &[&first, DFT_SECOND.as_bytes()],
        &["MRN100", "MRN300"],
    )
    .await;
    assert_eq!(
        report["submitted"].as_array().map(Vec::len),
        Some(2),
        "{report}"
    );
    let claim_837 = next_837(&engine, 0).await;

    // The payer's own view of the contract: it pays 99213 at 90.00 (ours says 95.00), applies a
    // deductible of 50.00 (ours has none), and does not cover the strep test.
    let ours = std::fs::read_to_string(engine.path("config/payers/acme-health.toml")).unwrap();
    let theirs = ours
        .replace("deductible_cents = 0", "deductible_cents = 5000")
        .replace("allowed_cents = 9500", "allowed_cents = 9000")
        .replace(
            "excluded_procedures = [\"S9083\"]",
            "excluded_procedures = [\"S9083\", \"87880\"]",
        );
    assert_ne!(ours, theirs);
    let payer_view = engine.path("payer-view.toml");
    std::fs::write(&payer_view, theirs).unwrap();
    let inbox = engine.path("data/inbox/x12");
    let sim = tokio::process::Command::new(BIN)
        .arg("payer-sim")
        .arg("--contract")
        .arg(&payer_view)
        .arg("--reversal")
        .arg(&claim_837)
        .arg(inbox.join("acme.x12"))
        .output()
        .await
        .unwrap();
    let said = String::from_utf8_lossy(&sim.stdout).to_string();
    assert!(
        sim.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&sim.stderr)
    );
    assert!(
        said.contains("CLP02 22"),
        "the first paid claim is reversed: {said}"
    );
    let remittance = std::fs::read(inbox.join("acme.x12")).unwrap();
    // Our 837 and the simulator's 835, 999 and 277CA all follow their implementation guides
    // (the simulator run again into a folder of its own, which the engine does not read).
    let apart = tempfile::tempdir().unwrap();
    let again = tokio::process::Command::new(BIN)
        .arg("payer-sim")
        .arg("--contract")
        .arg(&payer_view)
        .arg("--reversal")
        .arg(&claim_837)
        .arg(apart.path().join("sim.x12"))
        .output()
        .await
        .unwrap();
    assert!(again.status.success());
    for file in [
        claim_837.clone(),
        apart.path().join("sim.x12"),
        apart.path().join("sim.999.x12"),
        apart.path().join("sim.277.x12"),
    ] {
        let raw = std::fs::read(&file).unwrap();
        let validation = switchboard::x12::guide::validate(&raw).unwrap();
        assert!(
            validation.sets.iter().all(|s| s.guide.is_some()),
            "{}: {:?}",
            file.display(),
            validation.sets
        );
        let found: Vec<String> = validation
            .findings()
            .map(switchboard::x12::guide::Finding::describe)
            .collect();
        assert!(validation.is_clean(), "{}: {found:?}", file.display());
    }
    let read = switchboard::x12::read_835(&remittance).unwrap();
    assert!(
        read.envelope_problems.is_empty() && read.warnings.is_empty(),
        "{:?} {:?}",
        read.envelope_problems,
        read.warnings
    );
    let bpr = read.documents[0].payment.amount.cents();
    assert!(switchboard::x12::check_balance(&read.documents[0]).is_empty());

    engine
        .eventually("both claims are adjudicated", || async {
            let claims = engine.get_json("/api/claims?payer=HMO1").await;
            claims["claims"]
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c["status"] == "paid" || c["status"] == "partially paid")
        })
        .await;
    let claims = engine.get_json("/api/claims?payer=HMO1").await;
    let first_claim = claims["claims"]
        .as_array()
        .unwrap()
        .iter()
        .min_by_key(|c| c["id"].as_i64())
        .unwrap()
        .clone();
    let history = engine
        .get_json(&format!("/api/claims/{}", first_claim["id"]))
        .await;
    let statuses: Vec<&str> = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["status"].as_str().unwrap())
        .collect();
    assert!(
        statuses.contains(&"accepted") && statuses.contains(&"reversed"),
        "the 277CA accepted it, the 835 paid, reversed and paid it again: {history}"
    );

    // Every line matched its claim line; the contract variance shows the 99213 underpayment.
    let remittances = engine.get_json("/api/remittances").await;
    let remittance_id = remittances["remittances"][0]["id"].clone();
    let detail = engine
        .get_json(&format!("/api/remittances/{remittance_id}"))
        .await;
    let lines = detail["postings"]["lines"].as_array().unwrap();
    assert!(
        lines.iter().all(|l| !l["claim_line_id"].is_null()),
        "{detail}"
    );
    assert!(
        lines.iter().any(|l| l["procedure_code"] == "99213"
            && l["variance_cents"] == -4400
            && l["variance_note"] == "underpaid by 44.00"),
        "{detail}"
    );
    assert!(
        lines.iter().any(|l| l["procedure_code"] == "36415"
            && l["variance_note"] == "no fee schedule price for 36415"),
        "{detail}"
    );

    // The denied strep test is on the worklist, in words.
    let denials = engine.get_json("/api/worklists/denials").await;
    let strep = denials["denials"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["procedure_code"] == "87880")
        .unwrap_or_else(|| panic!("{denials}"));
    assert_eq!(strep["reasons"][0]["code"], "CO-96", "{denials}");
    assert_eq!(
        strep["reasons"][0]["text"], "CO-96: Non-covered charge(s)",
        "{denials}"
    );
    assert_eq!(strep["remarks"][0]["code"], "N130", "{denials}");

    // A payment whose claim number and member id the payer got wrong waits for a person.
    let report = bill_visits(&engine, &[DFT_THIRD.as_bytes()], &["MRN400"]).await;
    let third_number = report["submitted"][0].as_str().unwrap().to_string();
    next_837(&engine, 1).await;
    let mistyped = common::from_payer(
        "HP",
        "835",
        "005010X221A1",
        &[
            vec![
                "BPR",
                "I",
                "60",
                "C",
                "ACH",
                "CCP",
                "01",
                "011000015",
                "DA",
                "1",
                "1999999999",
                "",
                "01",
                "021000021",
                "DA",
                "2",
                "20261130",
            ],
            vec!["TRN", "1", "EFT-TYPO", "1999999999"],
            vec!["N1", "PR", "ACME HEALTH PLAN"],
            vec!["N3", "1 PAYER WAY"],
            vec!["N4", "SPRINGFIELD", "IL", "62701"],
            vec!["PER", "BL", "EDI SUPPORT", "TE", "2175550100"],
            vec!["N1", "PE", "SPRINGFIELD FAMILY CLINIC", "XX", "1234567893"],
            vec!["LX", "1"],
            vec![
                "CLP",
                "SB-TYPO-1",
                "1",
                "100",
                "60",
                "20",
                "HM",
                "PAYER-TYPO",
            ],
            vec!["CAS", "CO", "45", "20"],
            vec!["CAS", "PR", "3", "20"],
            vec!["NM1", "QC", "1", "OKAFOR", "BEN", "", "", "", "MI", "MEM-X"],
        ],
    );
    std::fs::write(inbox.join("typo.x12"), mistyped).unwrap();
    engine
        .eventually("the payment waits on the unmatched worklist", || async {
            !engine.get_json("/api/worklists/unmatched").await["unmatched"]
                .as_array()
                .unwrap()
                .is_empty()
        })
        .await;
    let unmatched = engine.get_json("/api/worklists/unmatched").await;
    let item = &unmatched["unmatched"][0];
    assert_eq!(item["patient_control_number"], "SB-TYPO-1", "{unmatched}");
    // The 835 came from ACMEHEALTH: our HMO1, even though nothing in it matched.
    assert_eq!(item["payer"], "HMO1", "{unmatched}");
    let third = engine.get_json("/api/claims?status=submitted").await["claims"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["claim_number"] == third_number.as_str())
        .cloned()
        .unwrap_or_else(|| panic!("claim {third_number} is submitted"));
    let (_, token) = engine
        .store
        .create_token(
            "billing-clerk",
            switchboard::store::tokens::Role::Operator,
            None,
        )
        .await
        .unwrap();
    let remit_match = || {
        tokio::process::Command::new(BIN)
            .args(["remit", "match"])
            .arg(item["id"].to_string())
            .arg(third["id"].to_string())
            .args(["--json", "--url"])
            .arg(&engine.url)
            .env("SWITCHBOARD_TOKEN", &token)
            .output()
    };
    let matched = remit_match().await.unwrap();
    let said = String::from_utf8_lossy(&matched.stdout).to_string();
    assert!(
        matched.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&matched.stderr)
    );
    assert!(said.contains("\"matched_by\": \"billing-clerk\""), "{said}");
    // Matching twice is refused.
    let again = remit_match().await.unwrap();
    assert!(!again.status.success());
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already manual"));
    let third_now = engine
        .get_json(&format!("/api/claims/{}", third["id"]))
        .await;
    assert_eq!(third_now["claim"]["status"], "paid", "{third_now}");
    let ledger = engine
        .get_json(&format!(
            "/api/bills/{}/ledger",
            third_now["claim"]["bill_id"]
        ))
        .await;
    assert_eq!(ledger["outstanding_cents"], 0, "{ledger}");
    assert_eq!(ledger["patient_balance_cents"], 2000, "{ledger}");
    assert!(
        ledger["entries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["actor"] == "billing-clerk"),
        "{ledger}"
    );

    // The reports tie out to the cent: billed = paid + adjustments + patient + outstanding,
    // nothing is outstanding, and what was paid is what the payer sent.
    let (summary, total) = financial_summary(&engine).await;
    let get = |name: &str| cents(&total[column(&summary, name)]);
    assert_eq!(
        get("billed"),
        get("paid")
            + get("contractual adjustments")
            + get("other adjustments")
            + get("patient responsibility")
            + get("outstanding"),
        "{summary}"
    );
    assert_eq!(get("billed"), 18_050 + 14_500 + 10_000, "{summary}");
    assert_eq!(get("outstanding"), 0, "{summary}");
    assert_eq!(get("paid"), bpr + 6_000, "{summary}");
    let audit = engine.get_json("/api/reports/reconciliation-audit").await;
    let rows = audit["rows"].as_array().unwrap();
    assert_eq!(
        rows.len(),
        2 + 2 + 1,
        "two claims, a reversal and a repost, the typo: {audit}"
    );
    let match_at = column(&audit, "match");
    assert!(rows.iter().all(|r| r[match_at] != "unmatched"), "{audit}");
    for name in [
        "payer-performance",
        "claim-aging",
        "denial-analysis",
        "payer-mix",
        "receivables-aging",
    ] {
        let table = engine.get_json(&format!("/api/reports/{name}")).await;
        assert!(
            !table["rows"].as_array().unwrap().is_empty(),
            "{name}: {table}"
        );
    }
    let csv = engine
        .api(
            reqwest::Method::GET,
            "/api/reports/denial-analysis?format=csv",
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        csv.starts_with("payer,adjustment,procedure,denials,amount,claims\r\n"),
        "{csv}"
    );
    assert!(
        csv.contains("HMO1,CO-96: Non-covered charge(s),87880,2,61.00,2"),
        "the denial, and again on the claim paid anew after its reversal: {csv}"
    );
    let cli = tokio::process::Command::new(BIN)
        .args(["report", "financial-summary", "--csv", "--url"])
        .arg(&engine.url)
        .env("SWITCHBOARD_TOKEN", &token)
        .output()
        .await
        .unwrap();
    assert!(cli.status.success());
    assert!(String::from_utf8_lossy(&cli.stdout).contains("TOTAL,,3,425.50"));
    engine.stop().await;
}

/// Two visits matching the public managed-care sample 835: the same members, procedures, dates
/// and charges, billed to HMO1.
const SAMPLE_VISITS: [&str; 2] = [
    "MSH|^~\\&|EHR|CLINIC|SWITCHBOARD|BILLING|20020305090000||DFT^P03^DFT_P03|DFT-SAMPLE-835-1|P|2.5\r\
PID|1||MRN501^^^CLINIC^MR||Budd^William||19600101|M|||1 Main St^^Rapid City^SD^55111\r\
PV1|1|O|CLINIC||||1234567893^House^Gregory||||||||||||V8001|||||||||||||||||||||||||20020301080000\r\
DG1|1||I10^Hypertension^I10\r\
FT1|1|T5001||20020301|20020301|CG|99211^Office visit^CPT|Office visit||1|800.00||||||||I10^Hypertension^I10\r\
IN1|1|GOLD^Gold PPO|HMO1|Acme Health Plan||||GRP42||||20020101|20021231|||Budd^William|SEL|||||1||||||||||||||33344555510\r",
    "MSH|^~\\&|EHR|CLINIC|SWITCHBOARD|BILLING|20020313090000||DFT^P03^DFT_P03|DFT-SAMPLE-835-2|P|2.5\r\
PID|1||MRN502^^^CLINIC^MR||Settle^Susan||19650202|F|||2 Main St^^Rapid City^SD^55111\r\
PV1|1|O|CLINIC||||1234567893^House^Gregory||||||||||||V8002|||||||||||||||||||||||||20020310080000\r\
DG1|1||I25.10^Coronary artery disease^I10\r\
FT1|1|T5002||20020310|20020310|CG|93555^Imaging^CPT|Imaging||1|1200.00||||||||I25.10^CAD^I10\r\
IN1|1|GOLD^Gold PPO|HMO1|Acme Health Plan||||GRP42||||20020101|20021231|||Settle^Susan|SEL|||||1||||||||||||||44455666610\r",
];

/// A real 835 (public sample) whose claim numbers are not ours still reconciles: each payment
/// finds its claim by member id, charge and service date, and each line by procedure and date.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_835_reconciles_against_matching_claims() {
    let _turn = PORT_2575.lock().await;
    let engine = common::start_shipped().await;
    let report = bill_visits(
        &engine,
        &[SAMPLE_VISITS[0].as_bytes(), SAMPLE_VISITS[1].as_bytes()],
        &["MRN501", "MRN502"],
    )
    .await;
    assert_eq!(
        report["submitted"].as_array().map(Vec::len),
        Some(2),
        "{report}"
    );
    let corrected = common::corrected_835();
    std::fs::write(engine.path("data/inbox/x12/sample-835.x12"), corrected).unwrap();
    engine
        .eventually("both claims are paid", || async {
            let claims = engine.get_json("/api/claims?payer=HMO1").await;
            claims["claims"]
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c["status"] == "paid")
        })
        .await;
    let remittances = engine.get_json("/api/remittances").await;
    let remittance = &remittances["remittances"][0];
    assert_eq!(remittance["trace_number"], "7170066655", "{remittances}");
    assert_eq!(remittance["balanced"], true, "{remittances}");
    let detail = engine
        .get_json(&format!("/api/remittances/{}", remittance["id"]))
        .await;
    let postings = &detail["postings"];
    assert!(
        postings["claims"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["match_status"] == "matched" && c["matched_by"] == "auto"),
        "{detail}"
    );
    assert!(
        postings["lines"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| !l["claim_line_id"].is_null()),
        "{detail}"
    );
    let (summary, total) = financial_summary(&engine).await;
    assert_eq!(
        cents(&total[column(&summary, "billed")]),
        200_000,
        "{summary}"
    );
    assert_eq!(cents(&total[column(&summary, "paid")]), 94_500, "{summary}");
    assert_eq!(
        cents(&total[column(&summary, "patient responsibility")]),
        90_000,
        "{summary}"
    );
    assert_eq!(
        cents(&total[column(&summary, "outstanding")]),
        0,
        "{summary}"
    );
    engine.stop().await;
}

/// The payer simulator as a destination of the outbox: claims submitted come back paid, with
/// nobody moving files.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_simulated_payer_answers_through_the_channels() {
    let _turn = PORT_2575.lock().await;
    let mut files = common::shipped_files(common::free_port());
    common::with_simulated_payer(&mut files);
    let engine = common::start_with_mllp(&files).await;
    let visit = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/hl7v2/dft-p03-switchboard.hl7"),
    )
    .unwrap();
    let report = bill_visits(&engine, &[&visit], &["MRN100"]).await;
    assert_eq!(
        report["submitted"].as_array().map(Vec::len),
        Some(1),
        "{report}"
    );
    engine
        .eventually("the simulated payer pays the claim", || async {
            engine.get_json("/api/claims?payer=HMO1").await["claims"][0]["status"] == "paid"
        })
        .await;
    // 99213: allowed 95.00, copay 25.00, 20% coinsurance 14.00; 87880: allowed 18.00, 3.60.
    let claim = &engine.get_json("/api/claims?payer=HMO1").await["claims"][0];
    let ledger = engine
        .get_json(&format!("/api/bills/{}/ledger", claim["bill_id"]))
        .await;
    assert_eq!(ledger["claims"][0]["paid_cents"], 7_040, "{ledger}");
    assert_eq!(ledger["patient_balance_cents"], 4_260, "{ledger}");
    assert_eq!(ledger["outstanding_cents"], 0, "{ledger}");
    // The 999 our inbox sends back to the payer is not a claim: the simulator passes it over.
    let inbox = engine.path("data/inbox/x12/processed");
    engine
        .eventually("the 999, 277CA and 835 are read", || async {
            file_names(&inbox).len() == 3
        })
        .await;
    engine.stop().await;
}
