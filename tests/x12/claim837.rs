//! 837P and 837I generation: validation, then a round trip through tokenizer and envelope
//! validation.

use switchboard::x12::{
    Amount, BillingProvider, Claim, Claim837Error, ClaimBatch, ClaimEnvelope, ClaimKind, ClaimLine,
    ClaimProvider, Date, Gender, InstitutionalClaim, InterchangeHeader, Patient, Payer, PersonName,
    PostalAddress, Quantity, Receiver, Segment, Submitter, Subscriber, SubscriberClaims, Time,
    UsageIndicator, WriteError, is_valid_npi, parse_interchange, tokenize, validate_837, write_837,
};

fn date(year: u16, month: u8, day: u8) -> Date {
    Date::new(year, month, day).expect("valid date")
}

fn person(last: &str, first: &str) -> PersonName {
    PersonName {
        last: last.to_owned(),
        first: Some(first.to_owned()),
        ..PersonName::default()
    }
}

fn address() -> PostalAddress {
    PostalAddress {
        line1: "234 SEAWAY ST".to_owned(),
        line2: None,
        city: "MIAMI".to_owned(),
        state: "FL".to_owned(),
        postal_code: "331110000".to_owned(),
    }
}

fn line(code: &str, cents: i64, control: &str) -> ClaimLine {
    ClaimLine {
        revenue_code: None,
        procedure_code: code.to_owned(),
        modifiers: Vec::new(),
        charge: Amount::from_cents(cents),
        units: Quantity::ONE,
        place_of_service: None,
        diagnosis_pointers: vec![1],
        service_date: Some(date(2024, 5, 2)),
        line_control_number: Some(control.to_owned()),
    }
}

fn professional_batch() -> ClaimBatch {
    let claim = Claim {
        claim_id: "26463774".to_owned(),
        total_charge: Amount::from_cents(10050),
        facility_code: "11".to_owned(),
        frequency_code: "1".to_owned(),
        payer_claim_number: None,
        prior_authorization: None,
        provider_signature_on_file: true,
        accepts_assignment: true,
        benefits_assigned: true,
        release_of_information_signed: true,
        diagnoses: vec!["J0390".to_owned(), "R051".to_owned()],
        rendering_provider: Some(ClaimProvider {
            name: person("KILDARE", "BEN"),
            npi: "1234567893".to_owned(),
            taxonomy: Some("207Q00000X".to_owned()),
        }),
        referring_provider: None,
        institutional: None,
        lines: vec![
            ClaimLine {
                modifiers: vec!["25".to_owned()],
                diagnosis_pointers: vec![1, 2],
                ..line("99213", 6050, "L1")
            },
            line("87070", 4000, "L2"),
        ],
    };
    ClaimBatch {
        kind: ClaimKind::Professional,
        reference_id: "244579".to_owned(),
        submitter: Submitter {
            name: "PREMIER BILLING SERVICE".to_owned(),
            id: "TGJ23".to_owned(),
            contact_name: "JERRY".to_owned(),
            phone: Some("3055552222".to_owned()),
            email: None,
        },
        receiver: Receiver {
            name: "KEY INSURANCE COMPANY".to_owned(),
            id: "66783JJT".to_owned(),
        },
        billing_provider: BillingProvider {
            organization_name: "BEN KILDARE SERVICE".to_owned(),
            npi: "1912301953".to_owned(),
            tax_id: "587654321".to_owned(),
            taxonomy: Some("203BF0100Y".to_owned()),
            address: address(),
        },
        pay_to_address: None,
        subscribers: vec![
            SubscriberClaims {
                subscriber: subscriber(
                    "JS00111223333",
                    Some(date(1973, 5, 1)),
                    Some(Gender::Female),
                ),
                payer: payer(),
                patient: None,
                claims: vec![claim.clone()],
            },
            SubscriberClaims {
                subscriber: subscriber("JS00999", None, None),
                payer: payer(),
                patient: Some(Patient {
                    relationship_to_subscriber: "19".to_owned(),
                    name: person("SMITH", "TED"),
                    date_of_birth: Some(date(2010, 1, 31)),
                    gender: Some(Gender::Male),
                    address: Some(address()),
                }),
                claims: vec![Claim {
                    claim_id: "26463775".to_owned(),
                    ..claim
                }],
            },
        ],
    }
}

fn subscriber(member_id: &str, date_of_birth: Option<Date>, gender: Option<Gender>) -> Subscriber {
    Subscriber {
        payer_responsibility: "P".to_owned(),
        group_number: Some("2222-SJ".to_owned()),
        claim_filing_indicator: "CI".to_owned(),
        member_id: member_id.to_owned(),
        name: person("SMITH", "JANE"),
        date_of_birth,
        gender,
        address: None,
    }
}

fn payer() -> Payer {
    Payer {
        name: "KEY INSURANCE COMPANY".to_owned(),
        id: "999996666".to_owned(),
    }
}

fn envelope() -> ClaimEnvelope {
    ClaimEnvelope {
        interchange: InterchangeHeader {
            sender_qualifier: "ZZ".to_owned(),
            sender_id: "TGJ23".to_owned(),
            receiver_qualifier: "ZZ".to_owned(),
            receiver_id: "66783JJT".to_owned(),
            date: date(2024, 5, 6),
            time: Time::new(10, 23, None).expect("time"),
            control_number: 907,
            acknowledgment_requested: true,
            usage: UsageIndicator::Test,
        },
        application_sender_code: "TGJ23".to_owned(),
        application_receiver_code: "66783JJT".to_owned(),
        group_control_number: 17,
        transaction_control_number: 21,
        line_breaks: true,
    }
}

fn ids<'a>(segments: &[Segment<'a>]) -> Vec<&'a str> {
    segments.iter().map(Segment::id).collect()
}

fn find<'a>(segments: &[Segment<'a>], id: &str, first_element: &str) -> Vec<Segment<'a>> {
    segments
        .iter()
        .filter(|s| s.id() == id && s.text(1).as_deref() == Some(first_element))
        .copied()
        .collect()
}

#[test]
fn sample_npis_check_digits() {
    assert!(is_valid_npi("1912301953"));
    assert!(!is_valid_npi("1234567890"));
}

#[test]
fn professional_round_trip() {
    let output = write_837(&professional_batch(), &envelope()).expect("valid batch");
    let interchange = parse_interchange(&output).expect("envelope consistent");
    assert_eq!(interchange.sender_id, "TGJ23");
    assert_eq!(interchange.control_number, "000000907");
    assert!(interchange.acknowledgment_requested);
    let group = &interchange.groups[0];
    assert_eq!(
        (
            group.functional_id.as_str(),
            group.version.as_str(),
            group.control_number.as_str()
        ),
        ("HC", "005010X222A1", "17")
    );
    let set = &group.transactions[0];
    assert_eq!(
        (set.id_code.as_str(), set.control_number.as_str()),
        ("837", "0021")
    );
    assert_eq!(set.implementation_ref.as_deref(), Some("005010X222A1"));

    let segments = tokenize(&output).expect("tokenizes");
    let text = String::from_utf8(output.clone()).expect("ascii");
    assert!(text.contains("BHT*0019*00*244579*20240506*1023*CH~\n"));
    assert!(text.contains("NM1*41*2*PREMIER BILLING SERVICE*****46*TGJ23~\nPER*IC*JERRY*TE*3055552222~\nNM1*40*2*KEY INSURANCE COMPANY*****46*66783JJT~\n"));
    assert!(text.contains("HL*1**20*1~\nPRV*BI*PXC*203BF0100Y~\nNM1*85*2*BEN KILDARE SERVICE*****XX*1912301953~\nN3*234 SEAWAY ST~\nN4*MIAMI*FL*331110000~\nREF*EI*587654321~\n"));
    let hl: Vec<String> = segments
        .iter()
        .filter(|s| s.id() == "HL")
        .map(|s| String::from_utf8_lossy(s.as_bytes()).into_owned())
        .collect();
    assert_eq!(
        hl,
        ["HL*1**20*1", "HL*2*1*22*0", "HL*3*1*22*1", "HL*4*3*23*0"]
    );
    assert!(text.contains("SBR*P*18*2222-SJ******CI~\nNM1*IL*1*SMITH*JANE****MI*JS00111223333~\nDMG*D8*19730501*F~\nNM1*PR*2*KEY INSURANCE COMPANY*****PI*999996666~\n"));
    assert!(text.contains("SBR*P**2222-SJ******CI~"));
    assert!(text.contains("PAT*19~\nNM1*QC*1*SMITH*TED~\nN3*234 SEAWAY ST~\n"));
    let claims = find(&segments, "CLM", "26463774");
    assert_eq!(
        String::from_utf8_lossy(claims[0].as_bytes()),
        "CLM*26463774*100.5***11:B:1*Y*A*Y*Y"
    );
    assert!(text.contains("HI*ABK:J0390*ABF:R051~\nNM1*82*1*KILDARE*BEN****XX*1234567893~\nPRV*PE*PXC*207Q00000X~\nLX*1~\nSV1*HC:99213:25*60.5*UN*1***1:2~\nDTP*472*D8*20240502~\nREF*6R*L1~\nLX*2~\nSV1*HC:87070*40*UN*1***1~"));
    assert_eq!(ids(&segments).iter().filter(|&&id| id == "CLM").count(), 2);
    // SE01 counts ST through SE.
    let se = segments.iter().find(|s| s.id() == "SE").expect("SE");
    assert_eq!(
        se.text(1).map(|t| t.parse::<usize>().ok()),
        Some(Some(set.segment_ordinals.len()))
    );
}

#[test]
fn provider_names_given_as_one_string_are_split_into_nm1_parts() {
    let mut batch = professional_batch();
    let whole = |name: &str| PersonName {
        last: name.to_owned(),
        ..PersonName::default()
    };
    let names = [whole("Ben A Kildare"), whole("Kildare, Ben, Jr")];
    for (group, name) in batch.subscribers.iter_mut().zip(names) {
        let claim = &mut group.claims[0];
        if let Some(rendering) = claim.rendering_provider.as_mut() {
            rendering.name = name.clone();
        }
        claim.referring_provider = Some(ClaimProvider {
            name,
            npi: "1234567893".to_owned(),
            taxonomy: None,
        });
    }
    let output = write_837(&batch, &envelope()).expect("valid batch");
    let segments = tokenize(&output).expect("tokenizes");
    let nm1 = |entity: &str| -> Vec<String> {
        find(&segments, "NM1", entity)
            .iter()
            .map(|s| String::from_utf8_lossy(s.as_bytes()).into_owned())
            .collect()
    };
    let written = [
        "NM1*{}*1*Kildare*Ben*A***XX*1234567893",
        "NM1*{}*1*Kildare*Ben***Jr*XX*1234567893",
    ];
    for entity in ["82", "DN"] {
        let expected: Vec<String> = written.iter().map(|w| w.replace("{}", entity)).collect();
        assert_eq!(nm1(entity), expected, "NM1*{entity}");
    }

    // A whole name that leaves no last name once split is refused like an empty one.
    if let Some(rendering) = batch.subscribers[0].claims[0].rendering_provider.as_mut() {
        rendering.name = whole(" , Ben");
    }
    let problems: Vec<String> = validate_837(&batch)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        problems,
        ["claim 26463774: subscribers[0].claims[0].rendering_provider.name.last: is required"]
    );
}

#[test]
fn institutional_round_trip() {
    let mut batch = professional_batch();
    batch.kind = ClaimKind::Institutional;
    batch.subscribers.truncate(1);
    let claim = &mut batch.subscribers[0].claims[0];
    claim.facility_code = "13".to_owned();
    claim.diagnoses = (0..14).map(|n| format!("R{n:02}1")).collect();
    claim.institutional = Some(InstitutionalClaim {
        admission_type: "1".to_owned(),
        admission_source: Some("7".to_owned()),
        patient_status: "01".to_owned(),
        statement_from: Some(date(2024, 5, 1)),
        statement_to: Some(date(2024, 5, 2)),
        admission_date: Some(date(2024, 5, 1)),
        admission_time: Time::new(8, 30, None),
        attending_provider: Some(ClaimProvider {
            name: person("JONES", "JOHN"),
            npi: "1234567893".to_owned(),
            taxonomy: Some("207R00000X".to_owned()),
        }),
    });
    for (line, revenue) in claim.lines.iter_mut().zip(["0450", "0300"]) {
        line.revenue_code = Some(revenue.to_owned());
    }
    claim.lines[1].procedure_code.clear();
    let output = write_837(&batch, &envelope()).expect("valid batch");
    let interchange = parse_interchange(&output).expect("envelope consistent");
    assert_eq!(interchange.groups[0].version, "005010X223A2");
    let text = String::from_utf8(output).expect("ascii");
    assert!(text.contains("CLM*26463774*100.5***13:A:1**A*Y*Y~\nDTP*434*RD8*20240501-20240502~\nDTP*435*DT*202405010830~\nCL1*1*7*01~\n"));
    assert!(text.contains("HI*ABK:R001~\nHI*ABF:R011*ABF:R021"));
    assert!(text.contains("*ABF:R121~\nHI*ABF:R131~\nNM1*71*1*JONES*JOHN****XX*1234567893~\nPRV*AT*PXC*207R00000X~\nNM1*82*1*KILDARE*BEN****XX*1234567893~\nLX*1~"));
    assert!(text.contains("SV2*0450*HC:99213:25*60.5*UN*1~\nDTP*472*D8*20240502~\nREF*6R*L1~\nLX*2~\nSV2*0300**40*UN*1~"));
}

#[test]
fn validation_lists_every_problem() {
    let mut batch = professional_batch();
    batch.billing_provider.npi = "1912301954".to_owned();
    let group = &mut batch.subscribers[0];
    group.subscriber.member_id.clear();
    let claim = &mut group.claims[0];
    claim.diagnoses.clear();
    claim.total_charge = Amount::from_cents(-5);
    claim.lines[1].charge = Amount::ZERO;
    batch.subscribers[1].claims[0].lines[0].charge = Amount::from_cents(6000);
    let problems: Vec<String> = validate_837(&batch)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        problems,
        [
            "billing_provider.npi: is not a valid NPI (10 digits with a Luhn check digit over prefix 80840)",
            "subscribers[0].subscriber.member_id: is required",
            "claim 26463774: subscribers[0].claims[0].total_charge: must be greater than zero (found -0.05)",
            "claim 26463774: subscribers[0].claims[0].diagnoses: at least one diagnosis code is required",
            "claim 26463774: subscribers[0].claims[0].lines[0].diagnosis_pointers: pointer 1 does not name one of the 0 diagnosis codes",
            "claim 26463774: subscribers[0].claims[0].lines[0].diagnosis_pointers: pointer 2 does not name one of the 0 diagnosis codes",
            "claim 26463774: subscribers[0].claims[0].lines[1].charge: must be greater than zero (found 0)",
            "claim 26463774: subscribers[0].claims[0].lines[1].diagnosis_pointers: pointer 1 does not name one of the 0 diagnosis codes",
            "claim 26463774: subscribers[0].claims[0].total_charge: line charges total 60.5 but the claim total is -0.05 (difference -60.55)",
            "claim 26463775: subscribers[1].claims[0].total_charge: line charges total 100 but the claim total is 100.5 (difference 0.5)",
        ]
    );
    let error = write_837(&batch, &envelope()).expect_err("invalid");
    assert!(matches!(&error, Claim837Error::Invalid(list) if list.len() == 10));

    batch = professional_batch();
    batch.billing_provider.npi.clear();
    batch.kind = ClaimKind::Institutional;
    let problems: Vec<String> = validate_837(&batch)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        problems.contains(&"billing_provider.npi: NPI is required".to_owned()),
        "{problems:?}"
    );
    assert!(problems.contains(&"claim 26463774: subscribers[0].claims[0].institutional: is required for institutional claims (CL1 and statement dates)".to_owned()));
    assert!(problems.contains(&"claim 26463774: subscribers[0].claims[0].lines[0].revenue_code: a 4-digit revenue code is required".to_owned()));
}

#[test]
fn separators_in_data_are_refused_not_written() {
    let mut batch = professional_batch();
    batch.subscribers[0].subscriber.name.last = "O*BRIEN".to_owned();
    let error = write_837(&batch, &envelope()).expect_err("refused");
    assert!(
        matches!(
            error,
            Claim837Error::Write(WriteError::ForbiddenByte { byte: b'*', .. })
        ),
        "{error}"
    );
}

mod read_back {
    //! Every 837P we write reads back into the same claims.

    use proptest::prelude::*;
    use switchboard::x12::{Amount, ClaimLine, Quantity, read_837_claims, validate_837, write_837};

    const PROCEDURES: [&str; 5] = ["99213", "99214", "87880", "71046", "J1100"];
    const MODIFIERS: [&str; 4] = ["25", "59", "LT", "RT"];
    const DIAGNOSES: [&str; 4] = ["J069", "R051", "E119", "I10"];

    /// (procedure, modifiers, cents, units), as indexes into the code lists.
    type GeneratedLine = (usize, Vec<usize>, i64, i64);
    /// (member id, diagnoses, lines).
    type GeneratedClaim = (String, Vec<usize>, Vec<GeneratedLine>);

    fn line() -> impl Strategy<Value = GeneratedLine> {
        (
            0..PROCEDURES.len(),
            prop::collection::vec(0..MODIFIERS.len(), 0..3),
            1i64..500_000,
            1i64..6,
        )
    }

    fn claims() -> impl Strategy<Value = Vec<GeneratedClaim>> {
        prop::collection::vec(
            (
                "[A-Z0-9]{3,15}",
                prop::collection::vec(0..DIAGNOSES.len(), 1..4),
                prop::collection::vec(line(), 1..5),
            ),
            1..6,
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn written_claims_read_back_the_same(generated in claims()) {
            let mut batch = super::professional_batch();
            let template = batch.subscribers[0].clone();
            batch.subscribers = generated
                .iter()
                .enumerate()
                .map(|(n, (member, diagnoses, lines))| {
                    let mut subscriber = template.clone();
                    subscriber.subscriber.member_id = member.clone();
                    let mut claim = subscriber.claims[0].clone();
                    claim.claim_id = format!("C{n:06}");
                    claim.diagnoses = diagnoses.iter().map(|d| DIAGNOSES[*d].to_owned()).collect();
                    claim.lines = lines
                        .iter()
                        .map(|(procedure, modifiers, cents, units)| ClaimLine {
                            procedure_code: PROCEDURES[*procedure].to_owned(),
                            modifiers: modifiers.iter().map(|m| MODIFIERS[*m].to_owned()).collect(),
                            charge: Amount::from_cents(*cents),
                            units: Quantity::from_whole(*units).unwrap(),
                            diagnosis_pointers: vec![1],
                            ..claim.lines[0].clone()
                        })
                        .collect();
                    claim.total_charge = Amount::from_cents(lines.iter().map(|l| l.2).sum());
                    subscriber.claims = vec![claim];
                    subscriber
                })
                .collect();
            prop_assert!(validate_837(&batch).is_empty(), "{:?}", validate_837(&batch));
            let file = write_837(&batch, &super::envelope()).unwrap();
            let read = read_837_claims(&file).unwrap();
            prop_assert_eq!(read.len(), batch.subscribers.len());
            for (read, written) in read.iter().zip(&batch.subscribers) {
                let claim = &written.claims[0];
                prop_assert_eq!(&read.claim_id, &claim.claim_id);
                prop_assert_eq!(read.total_charge, claim.total_charge);
                prop_assert_eq!(&read.member_id, &written.subscriber.member_id);
                prop_assert_eq!(&read.frequency_code, &claim.frequency_code);
                prop_assert_eq!(&read.diagnoses, &claim.diagnoses);
                prop_assert_eq!(read.lines.len(), claim.lines.len());
                for (read_line, line) in read.lines.iter().zip(&claim.lines) {
                    prop_assert_eq!(&read_line.procedure_code, &line.procedure_code);
                    prop_assert_eq!(&read_line.modifiers, &line.modifiers);
                    prop_assert_eq!(read_line.charge, line.charge);
                    prop_assert_eq!(read_line.units, line.units);
                }
            }
        }
    }

    #[test]
    fn the_sample_837s_read() {
        let professional =
            read_837_claims(&crate::common::fixture("837p-demo-example1.x12")).unwrap();
        assert_eq!(professional.len(), 1);
        assert_eq!(professional[0].lines.len(), 4);
        let institutional =
            read_837_claims(&crate::common::fixture("837i-two-claims.x12")).unwrap();
        assert_eq!(institutional.len(), 2);
        assert!(
            institutional
                .iter()
                .all(|c| !c.lines.is_empty() && c.lines[0].revenue_code.is_some())
        );
    }
}
