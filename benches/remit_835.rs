//! Reconciling an 835 against stored claims: N claims with one line each are stored, then an 835
//! paying all of them (one CLP and one SVC each, contractual and coinsurance adjustments) is
//! imported, matched and posted, and the time is printed. Goal: 100,000 claims in under 10 s on
//! SQLite, growing linearly. Run with `cargo bench --bench remit_835` (sizes: `-- 10000 100000`).

use std::time::Instant;

use switchboard::store::Store;
use switchboard::x12::{Date, Field, SingleSetEnvelope, Time, UsageIndicator};

/// Stores one payer with a contract and `n` patients, coverages, visits, bills, bill lines,
/// claims and claim lines (99213, 150.00, 2026-11-20), in one transaction.
async fn store_claims(store: &Store, n: usize) {
    let mut tx = store.begin_write().await.expect("begin");
    let numbers =
        format!("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n})");
    for sql in [
        "INSERT INTO payers (id, payer_id, name, claim_type, created_at, updated_at) VALUES (1, 'HMO1', 'Acme', '837P', 0, 0)".to_string(),
        "INSERT INTO payer_contracts (id, payer_id, name, copay_cents, coinsurance_basis_points, created_at, updated_at) \
         VALUES (1, 1, '2026', 0, 2000, 0, 0)".to_string(),
        "INSERT INTO contract_fees (contract_id, procedure_code, allowed_cents, created_at, updated_at) VALUES (1, '99213', 9500, 0, 0)".to_string(),
        format!("{numbers} INSERT INTO patients (id, created_at, updated_at) SELECT i, 0, 0 FROM n"),
        format!("{numbers} INSERT INTO coverages (id, patient_id, payer_id, member_id, created_at, updated_at) SELECT i, i, 1, 'M' || i, 0, 0 FROM n"),
        format!("{numbers} INSERT INTO encounters (id, visit_number, patient_id, created_at, updated_at) SELECT i, 'V' || i, i, 0, 0 FROM n"),
        format!("{numbers} INSERT INTO bills (id, encounter_id, patient_id, status, created_at, updated_at) SELECT i, i, i, 'claimed', 0, 0 FROM n"),
        format!("{numbers} INSERT INTO bill_lines (id, bill_id, line_key, service_date, procedure_code, units_thousandths, charge_cents, \
                 created_at, updated_at) SELECT i, i, 'L1', '2026-11-20', '99213', 1000, 15000, 0, 0 FROM n"),
        format!("{numbers} INSERT INTO claims (id, claim_number, bill_id, payer_id, coverage_id, claim_type, status, total_charge_cents, \
                 created_at, updated_at) SELECT i, 'SB' || printf('%010d', i), i, 1, i, '837P', 'accepted', 15000, 0, 0 FROM n"),
        format!("{numbers} INSERT INTO claim_lines (claim_id, line_number, bill_line_id, procedure_code, service_date, units_thousandths, \
                 charge_cents) SELECT i, 1, i, '99213', '2026-11-20', 1000, 15000 FROM n"),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut *tx)
            .await
            .expect("store the claims");
    }
    tx.commit().await.expect("commit");
}

/// An 835 paying claims `SB0000000001`..`n`: 76.00 of 150.00 each (CO-45 55.00, PR-2 19.00).
fn remittance(n: usize) -> Vec<u8> {
    let mut w = SingleSetEnvelope {
        sender_qualifier: "ZZ".into(),
        sender_id: "ACMEHEALTH".into(),
        receiver_qualifier: "ZZ".into(),
        receiver_id: "SWITCHBOARD01".into(),
        date: Date::new(2026, 11, 30).unwrap(),
        time: Time::new(12, 0, None).unwrap(),
        usage: UsageIndicator::Test,
    }
    .begin("HP", "835", "005010X221A1", 1, 1)
    .unwrap();
    let total = format!("{}", 76 * n);
    w.segment(
        "BPR",
        &[
            "I",
            &total,
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
    )
    .unwrap();
    w.segment("TRN", &["1", "BENCH", "1999999999"]).unwrap();
    w.segment("N1", &["PR", "ACME HEALTH PLAN"]).unwrap();
    w.segment("N1", &["PE", "CLINIC", "XX", "1234567893"])
        .unwrap();
    w.segment("LX", &["1"]).unwrap();
    for i in 1..=n {
        let number = format!("SB{i:010}");
        let line = i.to_string();
        let member = format!("M{i}");
        w.segment(
            "CLP",
            &[&number, "1", "150", "76", "19", "HM", &format!("P{i}")],
        )
        .unwrap();
        w.segment(
            "NM1",
            &["QC", "1", "DOE", "JANE", "", "", "", "MI", &member],
        )
        .unwrap();
        w.segment_fields(
            "SVC",
            &[
                Field::Composite(&["HC", "99213"]),
                Field::Simple("150"),
                Field::Simple("76"),
                Field::Simple(""),
                Field::Simple("1"),
            ],
        )
        .unwrap();
        w.segment("DTM", &["472", "20261120"]).unwrap();
        w.segment("CAS", &["CO", "45", "55"]).unwrap();
        w.segment("CAS", &["PR", "2", "19"]).unwrap();
        w.segment("REF", &["6R", &line]).unwrap();
    }
    w.finish_single_set().unwrap()
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![10_000, 100_000]
    } else {
        sizes
    };
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    for n in sizes {
        let dir = tempfile::tempdir().expect("temp dir");
        runtime.block_on(async {
            let url = format!("sqlite://{}", dir.path().join("bench.db").display());
            let store = Store::connect(&url, 2).await.expect("store");
            store.migrate().await.expect("migrate");
            store_claims(&store, n).await;
            let file = remittance(n);
            let started = Instant::now();
            let report = switchboard::revenue::remittance::import_835(&store, &file, "bench")
                .await
                .expect("import");
            let elapsed = started.elapsed();
            assert_eq!(report.posted.len(), n);
            assert!(report.unmatched.is_empty() && report.unbalanced.is_empty());
            println!(
                "835 with {n} claims ({} KiB) reconciled against {n} stored claims in {:.2} s ({:.0} claims/s)",
                file.len() / 1024,
                elapsed.as_secs_f64(),
                n as f64 / elapsed.as_secs_f64()
            );
        });
    }
}
