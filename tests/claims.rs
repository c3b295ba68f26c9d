//! The claim cycle end to end: HL7 v2 over MLLP -> bill -> `claims submit` -> an 837 in the
//! payer's outbox; a 999 and a 277CA dropped into the inbox move the claims to acknowledged,
//! accepted or rejected, with reasons visible through the API.

mod common;

use std::path::Path;
use std::time::Duration;

use common::file_names;
use reqwest::{Method, StatusCode};
use switchboard::channel::mllp::MllpClient;
use switchboard::x12;

/// An X12 interchange from the payer to us with one transaction set of `segments`.
/// A 277CA from the payer about one claim, with the claim-level STC01 `stc`.
fn claim_status(claim_number: &str, stc: &str) -> Vec<u8> {
    common::from_payer(
        "HN",
        "277",
        "005010X214",
        &[
            vec!["BHT", "0085", "08", "REF1", "20261125", "1200", "TH"],
            vec!["HL", "1", "", "20", "1"],
            vec![
                "NM1",
                "PR",
                "2",
                "ACME HEALTH PLAN",
                "",
                "",
                "",
                "",
                "PI",
                "HMO1",
            ],
            vec!["TRN", "1", "T1"],
            vec!["DTP", "050", "D8", "20261125"],
            vec!["DTP", "009", "D8", "20261125"],
            vec!["HL", "2", "1", "21", "1"],
            vec![
                "NM1",
                "41",
                "2",
                "SPRINGFIELD FAMILY CLINIC",
                "",
                "",
                "",
                "",
                "46",
                "SWITCHBOARD01",
            ],
            vec!["TRN", "2", "T2"],
            vec!["STC", "A1:19:PR", "20261125", "WQ", "180.5"],
            vec!["HL", "3", "2", "19", "1"],
            vec![
                "NM1",
                "85",
                "2",
                "SPRINGFIELD FAMILY CLINIC",
                "",
                "",
                "",
                "",
                "XX",
                "1234567893",
            ],
            vec!["TRN", "1", "T3"],
            vec!["STC", "A1:19", "", "WQ", "180.5"],
            vec!["HL", "4", "3", "PT"],
            vec![
                "NM1", "QC", "1", "O'BRIEN", "MARY", "", "", "", "MI", "MEM12345",
            ],
            vec!["TRN", "2", claim_number],
            vec!["STC", stc, "20261125", "WQ", "180.5"],
            vec!["REF", "1K", "PAYER-777"],
            vec!["DTP", "472", "D8", "20261124"],
        ],
    )
}

const DFT_NO_DIAGNOSIS: &str = "MSH|^~\\&|EHR|CLINIC|SB|SB|20261124||DFT^P03|DFT-NODX|P|2.5\r\
PID|1||MRN200^^^CLINIC^MR||Smith^John||19800101|M|||2 Oak St^^Springfield^IL^62701\r\
PV1|1|O|CLINIC||||1234567893^House^Gregory||||||||||||V6001\r\
FT1|1|T2001||20261124|20261124|CG|99213^Office visit^CPT|||1|150.00\r\
IN1|1|GOLD|HMO1|Acme Health Plan||||||||||||Smith^John|SEL|||||1||||||||||||||MEM999\r";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bills_become_837_claims_and_acknowledgments_update_them() {
    let engine = common::start_shipped().await;
    // A payer added through the API is saved, listed and billable at once; a bad one is refused.
    let hmo2 = "payer_id = \"HMO2\"\nname = \"Beta Care\"\nreceiver_id = \"BETACARE\"\n";
    let saved = engine
        .api(Method::PUT, "/api/payers/HMO2")
        .body(hmo2)
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), StatusCode::OK);
    assert!(engine.path("config/payers/HMO2.toml").exists());
    let listed = engine.get_json("/api/payers").await;
    let ids: Vec<&str> = listed["payers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["payer_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["HMO1", "HMO2"], "{listed}");
    let bad = engine
        .api(Method::PUT, "/api/payers/HMO3")
        .body("payer_id = \"HMO3\"\nname = \"X\"\nreceiver_id = \"X\"\nclaim_type = \"999\"\n")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problems: serde_json::Value = bad.json().await.unwrap();
    assert_eq!(problems["problems"][0]["field"], "claim_type", "{problems}");
    let none = engine.post_json("/api/claims/submit?payer=HMO2").await;
    assert!(none["submitted"].as_array().unwrap().is_empty(), "{none}");

    let mut mllp = MllpClient::new("127.0.0.1:2575");
    let dft = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/hl7v2/dft-p03-switchboard.hl7"),
    )
    .unwrap();
    for message in [dft, DFT_NO_DIAGNOSIS.as_bytes().to_vec()] {
        let ack = mllp
            .exchange(&message, Duration::from_secs(10))
            .await
            .unwrap();
        assert!(String::from_utf8_lossy(&ack).contains("MSA|AA"));
    }
    engine
        .eventually("both bills are stored", || async {
            engine.has_patient("MRN100").await && engine.has_patient("MRN200").await
        })
        .await;
    // The canonical upserts run behind the ACKs: wait for the bill lines.
    tokio::time::sleep(Duration::from_millis(500)).await;

    let report = engine.post_json("/api/claims/submit?payer=HMO1").await;
    let submitted = report["submitted"].as_array().unwrap();
    assert_eq!(submitted.len(), 1, "{report}");
    let claim_number = submitted[0].as_str().unwrap().to_string();
    let refused = &report["refused"][0];
    assert!(
        refused["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p.as_str().unwrap().contains("diagnos")),
        "the bill without a diagnosis is refused with what to fix: {report}"
    );

    // The 837 leaves through the payer's channel into the outbox.
    let outbox = engine.path("data/outbox/x12");
    common::eventually(
        "the 837 is in the outbox",
        Duration::from_secs(30),
        || async { !file_names(&outbox).is_empty() },
    )
    .await;
    let file = std::fs::read(outbox.join(&file_names(&outbox)[0])).unwrap();
    let interchange =
        x12::parse_interchange(&file).expect("our 837 reads back with a valid envelope");
    let group = &interchange.groups[0];
    assert_eq!(group.version, "005010X222A1");
    let claims = x12::read_837_claims(&file).unwrap();
    assert_eq!(claims.len(), 1);
    assert_eq!(claims[0].total_charge.cents(), 18_050);
    assert_eq!(claims[0].member_id, "MEM12345");
    assert_eq!(claims[0].lines.len(), 2);
    let text = String::from_utf8_lossy(&file);
    assert!(
        text.contains(&format!("CLM*{claim_number}*180.5")),
        "{text}"
    );
    assert!(
        text.contains("NM1*IL*1*O'Brien*Mary****MI*MEM12345"),
        "{text}"
    );
    assert!(text.contains("SV1*HC:99213:25*150*UN*1"), "{text}");
    assert!(text.contains("HI*ABK:J069"), "{text}");

    // A second submit (from the command line) finds nothing new: a claim is submitted once.
    let cli = tokio::process::Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args([
            "claims",
            "submit",
            "--payer",
            "HMO1",
            "--json",
            "--url",
            &engine.url,
        ])
        .env("SWITCHBOARD_TOKEN", &engine.admin)
        .output()
        .await
        .unwrap();
    let again: serde_json::Value = serde_json::from_slice(&cli.stdout).unwrap();
    assert!(cli.status.success(), "{again}");
    assert!(again["submitted"].as_array().unwrap().is_empty(), "{again}");

    // The payer's 999 accepts our transaction set.
    let inbox = engine.path("data/inbox/x12");
    let set_control = group.transactions[0].control_number.clone();
    let group_control = group.control_number.clone();
    // Each 999 the payer sends accepts our transaction set, in an interchange of its own.
    let accepting_999 = || {
        common::from_payer(
            "FA",
            "999",
            "005010X231A1",
            &[
                vec!["AK1", "HC", &group_control, "005010X222A1"],
                vec!["AK2", "837", &set_control, "005010X222A1"],
                vec!["IK5", "A"],
                vec!["AK9", "A", "1", "1", "1"],
            ],
        )
    };
    let ack999 = accepting_999();
    std::fs::write(inbox.join("ack.x12"), ack999).unwrap();
    let claims_path = "/api/claims?payer=HMO1";
    engine
        .eventually("the 999 acknowledges the claim", || async {
            engine.get_json(claims_path).await["claims"][0]["status"] == "acknowledged"
        })
        .await;

    // The 277CA accepts it with the payer's claim number.
    let ack277 = claim_status(&claim_number, "A2:20:PR");
    std::fs::write(inbox.join("status.x12"), ack277).unwrap();
    engine
        .eventually("the 277CA accepts the claim", || async {
            engine.get_json(claims_path).await["claims"][0]["status"] == "accepted"
        })
        .await;
    // The 277CA interchange is answered with a 999 in the outbox; the 999 itself is not.
    common::eventually(
        "a 999 answers the 277CA",
        Duration::from_secs(30),
        || async {
            file_names(&outbox).iter().any(|name| {
                std::fs::read_to_string(outbox.join(name))
                    .is_ok_and(|text| text.contains("ST*999*"))
            })
        },
    )
    .await;
    let answers: Vec<String> = file_names(&outbox)
        .iter()
        .map(|name| std::fs::read_to_string(outbox.join(name)).unwrap())
        .filter(|text| text.contains("ST*999*"))
        .collect();
    assert_eq!(answers.len(), 1, "{answers:?}");
    assert!(
        answers[0].contains("AK1*HN*7") && answers[0].contains("AK9*A*1*1*1"),
        "{}",
        answers[0]
    );
    // A 999 that arrives after the 277CA (sent again by the payer) does not move the claim
    // back to acknowledged.
    let late999 = accepting_999();
    std::fs::write(inbox.join("late-ack.x12"), late999).unwrap();
    let claim_id = engine.get_json(claims_path).await["claims"][0]["id"].clone();
    engine
        .eventually("the late 999 is recorded on the claim", || async {
            engine.get_json(&format!("/api/claims/{claim_id}")).await["events"]
                .as_array()
                .is_some_and(|events| events.len() == 4)
        })
        .await;
    let late = engine.get_json(&format!("/api/claims/{claim_id}")).await;
    assert_eq!(late["events"][3]["status"], "accepted", "{late}");
    assert!(
        late["events"][3]["detail"]
            .as_str()
            .unwrap()
            .contains("the claim stays accepted: it does not move back to acknowledged"),
        "{late}"
    );
    let listed = engine.get_json(claims_path).await;
    let claim = &listed["claims"][0];
    assert_eq!(claim["status"], "accepted", "{listed}");
    assert_eq!(claim["payer_claim_number"], "PAYER-777", "{listed}");
    let detail = engine
        .get_json(&format!("/api/claims/{}", claim["id"]))
        .await;
    let statuses: Vec<&str> = detail["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["submitted", "acknowledged", "accepted", "accepted"],
        "{detail}"
    );
    assert!(
        detail["events"][2]["detail"]
            .as_str()
            .unwrap()
            .contains("A2:20"),
        "{detail}"
    );

    // A rejecting 277CA names the reason.
    std::fs::write(
        inbox.join("reject.x12"),
        claim_status(&claim_number, "A7:562:85"),
    )
    .unwrap();
    engine
        .eventually("the claim is rejected", || async {
            engine.get_json(claims_path).await["claims"][0]["status"] == "rejected"
        })
        .await;
    let rejected = engine.get_json("/api/claims?status=rejected").await;
    assert_eq!(
        rejected["claims"].as_array().unwrap().len(),
        1,
        "{rejected}"
    );

    // The 835 pays it: paid, adjusted, patient responsibility, each in the ledger, once.
    let remit = |trace: &str, bpr: &str| {
        common::from_payer(
            "HP",
            "835",
            "005010X221A1",
            &[
                vec![
                    "BPR",
                    "I",
                    bpr,
                    "C",
                    "ACH",
                    "CCP",
                    "01",
                    "999999999",
                    "DA",
                    "123456",
                    "1512345678",
                    "",
                    "01",
                    "999999999",
                    "DA",
                    "654321",
                    "20261130",
                ],
                vec!["TRN", "1", trace, "1512345678"],
                vec!["N1", "PR", "ACME HEALTH PLAN"],
                vec!["N3", "1 PAYER WAY"],
                vec!["N4", "SPRINGFIELD", "IL", "62701"],
                vec!["PER", "BL", "EDI SUPPORT", "TE", "2175550100"],
                vec!["N1", "PE", "SPRINGFIELD FAMILY CLINIC", "XX", "1234567893"],
                vec!["LX", "1"],
                vec![
                    "CLP",
                    &claim_number,
                    "1",
                    "180.5",
                    "120",
                    "20",
                    "HM",
                    "PAYER-777",
                ],
                vec!["CAS", "CO", "45", "40.5"],
                vec!["CAS", "PR", "2", "20"],
                vec![
                    "NM1", "QC", "1", "O'BRIEN", "MARY", "", "", "", "MI", "MEM12345",
                ],
            ],
        )
    };
    std::fs::write(inbox.join("remit.x12"), remit("EFT-1", "120")).unwrap();
    engine
        .eventually("the 835 pays the claim", || async {
            engine.get_json(claims_path).await["claims"][0]["status"] == "paid"
        })
        .await;
    // The same payment again (a new interchange, the same trace) posts nothing.
    std::fs::write(inbox.join("remit-again.x12"), remit("EFT-1", "120")).unwrap();
    // A payment that does not balance is kept and flagged with the difference.
    std::fs::write(inbox.join("remit-short.x12"), remit("EFT-2", "100")).unwrap();
    engine
        .eventually("both 835s are read", || async {
            file_names(&inbox.join("processed")).len() >= 6
        })
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let remittances = engine.get_json("/api/remittances").await;
    let list = remittances["remittances"].as_array().unwrap();
    assert_eq!(list.len(), 2, "{remittances}");
    let short = list.iter().find(|r| r["trace_number"] == "EFT-2").unwrap();
    assert_eq!(short["balanced"], false, "{remittances}");
    assert!(
        short["balance_notes"]
            .as_str()
            .unwrap()
            .contains("difference -20"),
        "{remittances}"
    );
    let claim_id = engine.get_json(claims_path).await["claims"][0]["id"].clone();
    let detail = engine.get_json(&format!("/api/claims/{claim_id}")).await;
    let paid_events = detail["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["status"] == "paid")
        .count();
    assert_eq!(
        paid_events, 2,
        "the first 835 and the unbalanced one post, the repeat does not: {detail}"
    );

    // A replacement (frequency 7) names the original by the payer's claim number.
    let corrected = engine
        .post_json(&format!("/api/claims/{claim_id}/correct?frequency=7"))
        .await;
    let replacement = corrected["submitted"][0].as_str().unwrap().to_string();
    assert_ne!(replacement, claim_number, "{corrected}");
    common::eventually(
        "the replacement is in the outbox",
        Duration::from_secs(30),
        || async {
            file_names(&outbox).iter().any(|name| {
                std::fs::read_to_string(outbox.join(name))
                    .is_ok_and(|text| text.contains(&format!("CLM*{replacement}*180.5***11:B:7")))
            })
        },
    )
    .await;
    let replaced = engine.get_json(&format!("/api/claims/{claim_id}")).await;
    assert_eq!(replaced["claim"]["status"], "replaced", "{replaced}");
    let file = file_names(&outbox)
        .iter()
        .map(|name| std::fs::read_to_string(outbox.join(name)).unwrap())
        .find(|text| text.contains(&replacement))
        .unwrap();
    assert!(file.contains("REF*F8*PAYER-777"), "{file}");

    // Only a rejected claim is sent again as new; once the payer rejects the replacement, it is.
    let refused = engine
        .api(
            Method::POST,
            &format!("/api/claims/{claim_id}/correct?frequency=1"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    std::fs::write(
        inbox.join("reject-replacement.x12"),
        claim_status(&replacement, "A7:562:85"),
    )
    .unwrap();
    let replacement_id = engine.get_json(claims_path).await["claims"][0]["id"].clone();
    engine
        .eventually("the replacement is rejected", || async {
            engine
                .get_json(&format!("/api/claims/{replacement_id}"))
                .await["claim"]["status"]
                == "rejected"
        })
        .await;
    let again = engine
        .post_json(&format!("/api/claims/{replacement_id}/correct?frequency=1"))
        .await;
    assert_eq!(again["submitted"].as_array().unwrap().len(), 1, "{again}");
    let resubmitted = engine
        .get_json(&format!("/api/claims/{replacement_id}"))
        .await;
    assert_eq!(
        resubmitted["claim"]["status"], "resubmitted",
        "{resubmitted}"
    );

    let viewer_submit = common::client()
        .post(format!("{}/api/claims/submit?payer=HMO1", engine.url))
        .send()
        .await
        .unwrap();
    assert_eq!(viewer_submit.status(), StatusCode::UNAUTHORIZED);
    engine.stop().await;
}
