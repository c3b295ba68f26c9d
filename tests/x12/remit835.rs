//! 835 reading beyond the sample (every loop and segment) and balancing on unbalanced
//! variants.

use super::common::fixture_text;
use switchboard::x12::{
    AdjustmentGroup, Amount, BalanceScope, ClaimStatusCode, Date, FieldProblem, Quantity,
    Remittance, X12Error, check_balance, read_835,
};

fn remittance(text: &str) -> Remittance {
    let outcome = read_835(text.as_bytes()).expect("reads");
    outcome.documents.into_iter().next().expect("one 835")
}

fn cents(value: i64) -> Amount {
    Amount::from_cents(value)
}

/// An 835 using every loop: payer contacts, TS3/TS2, MIA/MOA, claim names, line details, PLB.
fn full_835() -> String {
    let body = [
        "ST*835*0001*005010X221A1",
        "BPR*C*951*C*CHK************20240315",
        "TRN*1*CHK123456*1512345678",
        "CUR*PR*CAD",
        "REF*EV*RECEIVER1",
        "DTM*405*20240314",
        "N1*PR*ACME HEALTH PLAN*XV*PLAN01",
        "N3*PO BOX 100*SUITE 5",
        "N4*DALLAS*TX*75201",
        "REF*2U*PAYER99",
        "PER*CX*CLAIMS DEPT*TE*8005551212*EX*12",
        "PER*BL*EDI SUPPORT*EM*edi@example.org",
        "N1*PE*GOOD CLINIC*XX*1234567893",
        "N4*AUSTIN*TX*73301",
        "REF*TJ*741852963",
        "LX*1",
        "TS3*1234567893*11*20241231*2*2000",
        "TS2*100**********5",
        "CLP*CLAIM-1*1*1500*1001*200*12*PCN0001*11*1***1.2345",
        "CAS*CO*45*100*1*253*49.5",
        "NM1*QC*1*DOE*JOHN*Q***MI*M123",
        "NM1*74*1*DOE*JONATHAN",
        "NM1*82*1*WELBY*MARCUS****XX*1234567893",
        "MIA*0***40",
        "MOA*0.8*20*MA01*MA02",
        "REF*EA*MRN77",
        "DTM*232*20240301",
        "DTM*233*20240302",
        "DTM*050*20240305",
        "AMT*AU*1500",
        "QTY*CA*2",
        "SVC*HC:99214:25:GT*1000*800*0450*1**1.5",
        "DTM*472*20240301",
        "CAS*PR*1*200",
        "REF*6R*LINE-1",
        "AMT*B6*1000",
        "LQ*HE*N130",
        "SVC*HC:85025*500*350.5**1*HC:85027",
        "DTM*150*20240301",
        "DTM*151*20240302",
        "CAS*OA*23*149.5",
        "REF*6R*LINE-2",
        "CLP*CLAIM-2*22*-100*-50**12*PCN0002",
        "CAS*CR*45*-50",
        "NM1*QC*1*ROE*RICHARD",
        "PLB*1234567893*20241231*WO:PCN0000*50*L6*-0.0",
    ];
    let count = body.len() + 1;
    let segments: Vec<String> = body.iter().map(|s| format!("{s}~")).collect();
    format!(
        "ISA*00*          *00*          *ZZ*PAYER          *ZZ*CLINIC         *240315*1200*^*00501*000000001*0*P*:~\
         GS*HP*PAYER*CLINIC*20240315*1200*1*X*005010X221A1~{}SE*{count}*0001~GE*1*1~IEA*1*000000001~",
        segments.concat()
    )
}

#[test]
fn reads_every_loop() {
    let outcome = read_835(full_835().as_bytes()).expect("reads");
    assert!(
        outcome.envelope_problems.is_empty(),
        "{:?}",
        outcome.envelope_problems
    );
    assert!(outcome.warnings.is_empty(), "{:?}", outcome.warnings);
    let remittance = &outcome.documents[0];
    assert_eq!(remittance.payment.amount, cents(95100));
    assert_eq!(remittance.payment.date, Date::new(2024, 3, 15));
    assert_eq!(remittance.currency.as_deref(), Some("CAD"));
    assert_eq!(remittance.payer.address.lines, ["PO BOX 100", "SUITE 5"]);
    assert_eq!(remittance.payer.contacts.len(), 2);
    assert_eq!(remittance.payer.contacts[0].communications.len(), 2);
    assert_eq!(
        remittance.payer.contacts[1].communications[0].number,
        "edi@example.org"
    );
    assert_eq!(
        remittance.payee.address.postal_code.as_deref(),
        Some("73301")
    );

    let group = &remittance.claim_groups[0];
    assert_eq!(group.number.as_deref(), Some("1"));
    let summary = group.provider_summary.as_ref().expect("TS3");
    assert_eq!(summary.claim_count, Quantity::from_whole(2));
    assert_eq!(summary.total_charge, Some(cents(200000)));
    assert_eq!(summary.fiscal_period_end, Date::new(2024, 12, 31));
    let supplemental = group.supplemental_summary.as_ref().expect("TS2");
    assert_eq!(supplemental.drg_amount, Some(cents(10000)));
    assert_eq!(supplemental.discharge_count, Quantity::from_whole(5));

    let claim = &group.claims[0];
    assert_eq!(claim.status, ClaimStatusCode::ProcessedAsPrimary);
    assert_eq!(claim.facility_code.as_deref(), Some("11"));
    assert_eq!(claim.frequency_code.as_deref(), Some("1"));
    assert_eq!(claim.drg_weight, Some(Quantity(1_234_500)));
    assert_eq!(claim.adjustments[0].reasons.len(), 2);
    assert_eq!(
        claim.adjustments[0].reasons[0].quantity,
        Some(Quantity::ONE)
    );
    assert_eq!(claim.adjustments[0].total(), cents(14950));
    assert_eq!(
        claim
            .corrected_patient
            .as_ref()
            .and_then(|n| n.first.as_deref()),
        Some("JONATHAN")
    );
    assert_eq!(
        claim
            .rendering_provider
            .as_ref()
            .and_then(|n| n.id.as_deref()),
        Some("1234567893")
    );
    assert_eq!(
        claim.inpatient.as_ref().and_then(|m| m.drg_amount),
        Some(cents(4000))
    );
    let outpatient = claim.outpatient.as_ref().expect("MOA");
    assert_eq!(outpatient.reimbursement_rate, Some(Quantity(800_000)));
    assert_eq!(outpatient.remark_codes, ["MA01", "MA02"]);
    assert_eq!(claim.statement_from(), Date::new(2024, 3, 1));
    assert_eq!(claim.statement_to(), Date::new(2024, 3, 2));
    assert_eq!(claim.received_date(), Date::new(2024, 3, 5));
    assert_eq!(claim.amounts[0].amount, cents(150000));
    assert_eq!(claim.quantities[0].quantity, Quantity(2_000_000));

    let line = &claim.lines[0];
    assert_eq!(line.procedure.modifiers, ["25", "GT"]);
    assert_eq!(line.revenue_code.as_deref(), Some("0450"));
    assert_eq!(line.units_paid, Some(Quantity::ONE));
    assert_eq!(line.original_units, Some(Quantity(1_500_000)));
    assert_eq!(line.line_item_control_number(), Some("LINE-1"));
    assert_eq!(line.allowed_amount(), Some(cents(100000)));
    assert_eq!(line.remarks[0].code, "N130");
    assert_eq!(
        line.service_period().map(|p| p.start),
        Date::new(2024, 3, 1)
    );
    let second = &claim.lines[1];
    assert_eq!(
        second.original_procedure.as_ref().map(|p| p.code.as_str()),
        Some("85027")
    );
    assert_eq!(
        second.service_period().and_then(|p| p.end),
        Date::new(2024, 3, 2)
    );

    let reversal = &group.claims[1];
    assert_eq!(reversal.status, ClaimStatusCode::Reversal);
    assert_eq!(
        reversal.adjustments[0].group,
        AdjustmentGroup::CorrectionReversal
    );
    let plb = &remittance.provider_adjustments[0];
    assert_eq!(plb.amounts.len(), 2);
    assert_eq!(plb.amounts[0].reason_code, "WO");
    assert_eq!(plb.amounts[0].reference.as_deref(), Some("PCN0000"));
    assert_eq!(plb.amounts[1].amount, Amount::ZERO);

    // 1001 + (-50) - 50 = 901, but BPR02 says 951.
    let discrepancies = check_balance(remittance);
    assert_eq!(discrepancies.len(), 1, "{discrepancies:?}");
    assert_eq!(discrepancies[0].scope, BalanceScope::Transaction);
    assert_eq!(discrepancies[0].difference(), cents(5000));
    assert_eq!(
        discrepancies[0].to_string(),
        "transaction: BPR02 payment is 951 but claim payments (CLP04) minus provider adjustments (PLB) is 901 (difference 50)"
    );
}

#[test]
fn unbalanced_sample_variants() {
    let sample = fixture_text("835-managed-care.x12");
    // Claim paid 1 cent more than its adjustments allow; BPR follows, so only the claim is off.
    let text = sample
        .replace(
            "CLP*5554555444*1*800.00*450.00",
            "CLP*5554555444*1*800.00*450.01",
        )
        .replace("BPR*I*945.00", "BPR*I*945.01");
    let discrepancies = check_balance(&remittance(&text));
    assert_eq!(discrepancies.len(), 1, "{discrepancies:?}");
    assert!(
        matches!(&discrepancies[0].scope, BalanceScope::Claim { patient_control_number, claim_index: 0 } if patient_control_number == "5554555444")
    );
    assert_eq!(discrepancies[0].difference(), cents(-1));

    // A line adjustment off by 2.50 unbalances the line and its claim.
    let text = sample.replace("CAS*CO*45*50.00", "CAS*CO*45*47.50");
    let discrepancies = check_balance(&remittance(&text));
    let scopes: Vec<&BalanceScope> = discrepancies.iter().map(|d| &d.scope).collect();
    assert_eq!(discrepancies.len(), 2, "{discrepancies:?}");
    assert!(matches!(
        scopes[0],
        BalanceScope::Claim { claim_index: 1, .. }
    ));
    assert!(matches!(
        scopes[1],
        BalanceScope::Line {
            claim_index: 1,
            line_index: 0,
            ..
        }
    ));
    assert!(discrepancies.iter().all(|d| d.difference() == cents(250)));
    assert_eq!(
        discrepancies[1].to_string(),
        "claim 8765432112 line 1: charge minus payment (SVC02 - SVC03) is 650 but line adjustments (CAS) is 647.5 (difference 2.5)"
    );

    // Payment total off by 0.05.
    let text = sample.replace("BPR*I*945.00", "BPR*I*944.95");
    let discrepancies = check_balance(&remittance(&text));
    assert_eq!(discrepancies.len(), 1);
    assert_eq!(discrepancies[0].difference(), cents(-5));
}

#[test]
fn bad_amounts_are_errors_with_position() {
    let sample = fixture_text("835-managed-care.x12");
    let text = sample.replace("SVC*HC:99211*800.00*500.00", "SVC*HC:99211*800.001*500.00");
    let error = read_835(text.as_bytes()).expect_err("three decimals");
    assert_eq!(
        error.to_string(),
        "segment 16 (SVC), element 2: `800.001` has 3 decimal places; at most 2 are allowed"
    );
    let text = sample.replace(
        "CLP*5554555444*1*800.00*450.00*300.00",
        "CLP*5554555444*1*800.00**300.00",
    );
    let X12Error::Segment(issue) = read_835(text.as_bytes()).expect_err("missing CLP04") else {
        panic!("expected a segment issue");
    };
    assert_eq!(issue.element, Some(4));
    assert!(matches!(
        *issue.problem,
        FieldProblem::MissingElement { .. }
    ));
}

#[test]
fn unexpected_segments_are_warnings() {
    let text = fixture_text("835-managed-care.x12")
        .replace("LX*1~", "LX*1~\nNTE*ADD*NOTE~")
        .replace("SE*26*", "SE*27*");
    let outcome = read_835(text.as_bytes()).expect("reads");
    assert_eq!(outcome.warnings.len(), 2);
    assert_eq!(
        outcome.warnings[1].to_string(),
        "segment 13 (NTE): segment not expected in an 835 claim (2000/2100); ignored"
    );
    // Other transaction sets are skipped with a warning.
    let outcome = read_835(fixture_text("837p-demo-example1.x12").as_bytes()).expect("reads");
    assert!(outcome.documents.is_empty());
    assert_eq!(outcome.warnings.len(), 1);
}

#[test]
fn remittance_serializes_to_json_and_back() {
    let remittance = remittance(&full_835());
    let json = serde_json::to_string(&remittance).expect("serializes");
    assert!(json.contains("\"status\":\"1\""));
    assert!(json.contains("\"amount\":95100"));
    let back: Remittance = serde_json::from_str(&json).expect("deserializes");
    assert_eq!(back, remittance);
}
