//! The public sample interchanges read through tokenizer, envelope validation and the typed
//! readers.

use switchboard::x12::{
    AckCode, AdjustmentGroup, Amount, ClaimStatusCode, CreditDebit, Date, Disposition,
    EnvelopeProblem, HandlingCode, PaymentMethod, Quantity, StreamReader, check_balance,
    parse_interchange, read_277ca, read_835, read_999, read_envelope, read_envelope_stream,
    tokenize,
};

use super::common::{SAMPLES, fixture};

#[test]
fn every_sample_tokenizes_and_streams_identically() {
    for name in SAMPLES {
        let input = fixture(name);
        let segments = tokenize(&input).expect(name);
        assert_eq!(segments.first().map(|s| s.id()), Some("ISA"), "{name}");
        assert_eq!(segments.last().map(|s| s.id()), Some("IEA"), "{name}");
        let streamed: Vec<_> = StreamReader::new(std::io::BufReader::with_capacity(16, &input[..]))
            .expect(name)
            .collect::<Result<_, _>>()
            .expect(name);
        assert_eq!(streamed.len(), segments.len(), "{name}");
        for (owned, borrowed) in streamed.iter().zip(&segments) {
            assert_eq!(owned.as_segment(), *borrowed, "{name}");
        }
        let streamed_report = read_envelope_stream(&input[..]).expect(name);
        assert_eq!(
            streamed_report,
            read_envelope(&input).expect(name),
            "{name}"
        );
    }
}

#[test]
fn envelopes_of_837_samples() {
    let interchange = parse_interchange(&fixture("837p-demo-example1.x12")).expect("837P envelope");
    assert_eq!(interchange.sender_qualifier, "30");
    assert_eq!(interchange.sender_id, "000000005");
    assert_eq!(interchange.receiver_id, "12345");
    assert_eq!(interchange.control_number, "000000907");
    assert_eq!(interchange.date, "131031");
    assert_eq!(interchange.version, "00501");
    let group = &interchange.groups[0];
    assert_eq!(group.functional_id, "HC");
    assert_eq!(group.version, "005010X222A2");
    let set = &group.transactions[0];
    assert_eq!(
        (set.id_code.as_str(), set.control_number.as_str()),
        ("837", "0021")
    );
    assert_eq!(set.segment_ordinals, 3..43);
    assert_eq!(set.segment_ordinals.len(), 40);

    let interchange = parse_interchange(&fixture("837i-two-claims.x12")).expect("837I envelope");
    let set = &interchange.groups[0].transactions[0];
    assert_eq!(set.implementation_ref.as_deref(), Some("005010X223A3"));
    assert_eq!(set.segment_ordinals.len(), 48);
}

#[test]
fn sample_999_reads_and_flags_its_iea() {
    let input = fixture("999-accepted.x12");
    let report = read_envelope(&input).expect("tokenizes");
    assert_eq!(report.problems.len(), 1);
    let problem = &report.problems[0];
    assert!(matches!(
        *problem.problem,
        EnvelopeProblem::InterchangeControlNumberMismatch { .. }
    ));
    assert_eq!(
        problem.to_string(),
        "segment 10 (IEA), element 2: interchange control number 000000001 does not match ISA13 000000286"
    );

    let outcome = read_999(&input).expect("reads");
    assert_eq!(outcome.envelope_problems.len(), 1);
    let ack = &outcome.documents[0];
    assert_eq!(ack.group.functional_id, "HC");
    assert_eq!(ack.group.control_number, "17456");
    assert_eq!(ack.group.version.as_deref(), Some("005010X223A2"));
    let set = ack.set("0001").expect("AK2 0001");
    assert_eq!(set.code, AckCode::Accepted);
    assert!(set.code.is_accepted() && set.segment_errors.is_empty());
    assert_eq!(
        (
            ack.reported.code.clone(),
            ack.reported.included,
            ack.reported.received,
            ack.reported.accepted
        ),
        (AckCode::Accepted, 1, 1, 1)
    );
}

#[test]
fn sample_277ca_reads_claim_acceptance() {
    let outcome = read_277ca(&fixture("277ca-accepted.x12")).expect("reads");
    assert!(outcome.envelope_problems.is_empty());
    assert!(outcome.warnings.is_empty(), "{:?}", outcome.warnings);
    let ack = &outcome.documents[0];
    assert_eq!(ack.reference.as_deref(), Some("000000674"));
    assert_eq!(ack.levels.len(), 3);
    let receiver = &ack.levels[1];
    assert_eq!(receiver.level_code, "21");
    assert_eq!(receiver.trace.as_deref(), Some("000000674"));
    assert_eq!(receiver.statuses[0].codes[0].category, "A1");
    assert_eq!(receiver.statuses[0].charge, Some(Amount::from_cents(12500)));
    assert_eq!(receiver.quantities[0].quantity, Quantity::ONE);
    assert_eq!(ack.claims.len(), 1);
    let claim = &ack.claims[0];
    assert_eq!(claim.patient_control_number, "5781");
    assert_eq!(claim.payer_claim_control_number(), Some("1107000000014420"));
    assert_eq!(claim.disposition(), Disposition::Accepted);
    let status = &claim.statuses[0];
    assert_eq!(status.codes[0].category, "A2");
    assert_eq!(status.codes[0].status.as_deref(), Some("20"));
    assert_eq!(status.action_code.as_deref(), Some("WQ"));
    assert_eq!(status.effective_date, Date::new(2011, 3, 11));
    assert_eq!(
        claim.patient.as_ref().and_then(|p| p.id.as_deref()),
        Some("LL99999X")
    );
    assert_eq!(
        claim
            .billing_provider
            .as_ref()
            .and_then(|p| p.id.as_deref()),
        Some("1234567890")
    );
    assert_eq!(
        claim.service_period().map(|p| p.start),
        Date::new(1001, 1, 1)
    );
}

#[test]
fn sample_835_reads_completely_and_balances() {
    let outcome = read_835(&fixture("835-managed-care.x12")).expect("reads");
    assert!(outcome.envelope_problems.is_empty());
    // BPR16 `20002316` is not a date: reported, not fatal.
    assert_eq!(outcome.warnings.len(), 1, "{:?}", outcome.warnings);
    assert_eq!(outcome.warnings[0].segment_id, "BPR");
    assert_eq!(outcome.warnings[0].element, Some(16));
    let remittance = &outcome.documents[0];
    let payment = &remittance.payment;
    assert_eq!(payment.handling, HandlingCode::RemittanceOnly);
    assert_eq!(payment.amount, Amount::from_cents(94500));
    assert_eq!(payment.credit_debit, CreditDebit::Credit);
    assert_eq!(payment.method, PaymentMethod::AutomatedClearingHouse);
    assert_eq!(payment.format.as_deref(), Some("CCP"));
    assert_eq!(payment.sender_dfi_id.as_deref(), Some("888999777"));
    assert_eq!(payment.sender_account_number.as_deref(), Some("24681012"));
    assert_eq!(
        payment.originating_company_id.as_deref(),
        Some("1935665544")
    );
    assert_eq!(payment.receiver_dfi_id.as_deref(), Some("111333555"));
    assert_eq!(payment.receiver_account_number.as_deref(), Some("144444"));
    assert_eq!(payment.date, None);
    let trace = remittance.trace.as_ref().expect("TRN");
    assert_eq!(
        (trace.reference.as_str(), trace.originator.as_deref()),
        ("7170066655", Some("1935665544"))
    );
    assert_eq!(remittance.dates[0].qualifier, "405");
    assert_eq!(remittance.payer.name.as_deref(), Some("RUSHMORE LIFE"));
    assert_eq!(remittance.payer.address.city.as_deref(), Some("RAPID CITY"));
    assert_eq!(remittance.payer.address.lines, ["10 SOUTH AVENUE"]);
    assert_eq!(remittance.payee.id.as_deref(), Some("5544667733"));
    assert_eq!(remittance.payee.references[0].qualifier, "TJ");

    let claims: Vec<_> = remittance.claims().collect();
    assert_eq!(claims.len(), 2);
    let first = claims[0];
    assert_eq!(first.patient_control_number, "5554555444");
    assert_eq!(first.status, ClaimStatusCode::ProcessedAsPrimary);
    assert_eq!(first.total_charge, Amount::from_cents(80000));
    assert_eq!(first.payment, Amount::from_cents(45000));
    assert_eq!(
        first.patient_responsibility,
        Some(Amount::from_cents(30000))
    );
    assert_eq!(first.filing_indicator.as_deref(), Some("12"));
    assert_eq!(
        first.payer_claim_control_number.as_deref(),
        Some("94060555410000")
    );
    assert_eq!(
        first.adjustments[0].group,
        AdjustmentGroup::ContractualObligation
    );
    assert_eq!(first.adjustments[0].reasons[0].reason_code, "A2");
    assert_eq!(first.adjustments[0].total(), Amount::from_cents(5000));
    assert_eq!(
        first
            .patient
            .as_ref()
            .and_then(|p| p.last_or_organization.as_deref()),
        Some("BUDD")
    );
    let line = &first.lines[0];
    assert_eq!(
        (
            line.procedure.qualifier.as_str(),
            line.procedure.code.as_str()
        ),
        ("HC", "99211")
    );
    assert_eq!(
        (line.charge, line.payment),
        (Amount::from_cents(80000), Amount::from_cents(50000))
    );
    let period = line.service_period().expect("150/151");
    assert_eq!(
        (period.start, period.end),
        (Date::new(2002, 3, 1).expect("d"), Date::new(2002, 3, 4))
    );
    assert_eq!(
        line.adjustments[0].group,
        AdjustmentGroup::PatientResponsibility
    );
    assert_eq!(claims[1].lines[0].adjustments.len(), 2);

    assert_eq!(check_balance(remittance), Vec::new());
}

#[test]
fn rejected_277ca_variant_with_line_status() {
    let text = String::from_utf8(fixture("277ca-accepted.x12"))
        .expect("ascii")
        .replace("STC*A2:20*20110311*WQ*125~", "STC*A7:21:85*20110311*U*125******A6:128~")
        .replace(
            "DTP*472*D8*10010101~",
            "DTP*472*RD8*20110301-20110302~\nSVC*HC:99213*125~\nSTC*A3:21*20110311*U~\nREF*FJ*LINE-9~",
        )
        .replace("SE*23*", "SE*26*");
    let outcome = read_277ca(text.as_bytes()).expect("reads");
    assert!(
        outcome.envelope_problems.is_empty(),
        "{:?}",
        outcome.envelope_problems
    );
    let claim = &outcome.documents[0].claims[0];
    assert_eq!(claim.disposition(), Disposition::Rejected);
    let status = &claim.statuses[0];
    assert_eq!(status.codes.len(), 2);
    assert_eq!(status.codes[0].entity.as_deref(), Some("85"));
    assert_eq!(status.codes[1].category, "A6");
    let period = claim.service_period().expect("RD8");
    assert_eq!(period.end, Date::new(2011, 3, 2));
    let line = &claim.lines[0];
    assert_eq!(line.line_item_control_number(), Some("LINE-9"));
    assert_eq!(line.charge, Some(Amount::from_cents(12500)));
    assert_eq!(line.disposition(), Disposition::Rejected);
}
