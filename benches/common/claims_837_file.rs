//! The 25,000-claim 837P the claims benchmarks read: built with our writer.

use switchboard::x12::{
    self, Amount, BillingProvider, Claim, ClaimBatch, ClaimEnvelope, ClaimKind, ClaimLine, Date,
    Gender, InterchangeHeader, Payer, PersonName, PostalAddress, Quantity, Receiver, Submitter,
    Subscriber, SubscriberClaims, Time, UsageIndicator,
};

/// Claims in the file.
pub const CLAIMS: usize = 25_000;

fn address() -> PostalAddress {
    PostalAddress {
        line1: "1 Main St".into(),
        line2: None,
        city: "Springfield".into(),
        state: "IL".into(),
        postal_code: "627010001".into(),
    }
}

/// An interchange of `CLAIMS` claims, one subscriber each, two lines per claim.
pub fn big_837() -> Vec<u8> {
    let date = Date::new(2026, 11, 25).expect("date");
    let subscribers = (0..CLAIMS)
        .map(|n| SubscriberClaims {
            subscriber: Subscriber {
                payer_responsibility: "P".into(),
                group_number: None,
                claim_filing_indicator: "HM".into(),
                member_id: format!("MEM{n:08}"),
                name: PersonName {
                    last: "Doe".into(),
                    first: Some(format!("Pat{n}")),
                    middle: None,
                    suffix: None,
                },
                date_of_birth: Date::new(1970, 1, 1),
                gender: Some(Gender::Female),
                address: Some(address()),
            },
            payer: Payer {
                name: "Acme Health Plan".into(),
                id: "HMO1".into(),
            },
            patient: None,
            claims: vec![Claim {
                claim_id: format!("SB{n:010}"),
                total_charge: Amount::from_cents(18_050),
                facility_code: "11".into(),
                frequency_code: "1".into(),
                payer_claim_number: None,
                prior_authorization: None,
                provider_signature_on_file: true,
                accepts_assignment: true,
                benefits_assigned: true,
                release_of_information_signed: true,
                diagnoses: vec!["J069".into()],
                rendering_provider: None,
                referring_provider: None,
                institutional: None,
                lines: [("99213", 15_000), ("87880", 3_050)]
                    .iter()
                    .map(|(code, cents)| ClaimLine {
                        revenue_code: None,
                        procedure_code: (*code).into(),
                        modifiers: vec![],
                        charge: Amount::from_cents(*cents),
                        units: Quantity::ONE,
                        place_of_service: None,
                        diagnosis_pointers: vec![1],
                        service_date: Some(date),
                        line_control_number: None,
                    })
                    .collect(),
            }],
        })
        .collect();
    let batch = ClaimBatch {
        kind: ClaimKind::Professional,
        reference_id: "BENCH".into(),
        submitter: Submitter {
            name: "Springfield Family Clinic".into(),
            id: "SWITCHBOARD01".into(),
            contact_name: "Billing".into(),
            phone: Some("2175550100".into()),
            email: None,
        },
        receiver: Receiver {
            name: "Acme Health Plan".into(),
            id: "ACMEHEALTH".into(),
        },
        billing_provider: BillingProvider {
            organization_name: "Springfield Family Clinic".into(),
            npi: "1234567893".into(),
            tax_id: "123456789".into(),
            taxonomy: None,
            address: address(),
        },
        pay_to_address: None,
        subscribers,
    };
    let envelope = ClaimEnvelope {
        interchange: InterchangeHeader {
            sender_qualifier: "ZZ".into(),
            sender_id: "SWITCHBOARD01".into(),
            receiver_qualifier: "ZZ".into(),
            receiver_id: "ACMEHEALTH".into(),
            date,
            time: Time::new(12, 0, None).expect("time"),
            control_number: 1,
            acknowledgment_requested: false,
            usage: UsageIndicator::Test,
        },
        application_sender_code: "SWITCHBOARD01".into(),
        application_receiver_code: "ACMEHEALTH".into(),
        group_control_number: 1,
        transaction_control_number: 1,
        line_breaks: true,
    };
    x12::write_837(&batch, &envelope).expect("a valid 837")
}
