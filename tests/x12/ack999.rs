//! 999 generation from envelope validation, and reading 999s back.

use super::common::{fixture, fixture_text};
use switchboard::x12::{
    AckCode, AckEnvelope, BusinessUnitId, Date, ElementError, ElementSyntaxError, GroupSyntaxError,
    SegmentError, SegmentSyntaxError, SetSyntaxError, Time, acknowledge_group,
    acknowledge_interchange, parse_interchange, read_999, read_envelope, write_999,
};

fn ack_envelope() -> AckEnvelope {
    AckEnvelope {
        interchange_control_number: 5001,
        group_control_number: 77,
        first_transaction_control_number: 1,
        date: Date::new(2024, 6, 1).expect("date"),
        time: Time::new(12, 0, None).expect("time"),
        line_breaks: false,
    }
}

/// Acknowledges every group of `input` and returns the 999 text.
fn acknowledge(input: &[u8]) -> String {
    let report = read_envelope(input).expect("tokenizes");
    let acks = acknowledge_interchange(&report);
    let output = write_999(&report.interchange, &acks, &ack_envelope()).expect("writes");
    String::from_utf8(output).expect("ascii")
}

#[test]
fn accepted_837_gets_ak9_a() {
    let text = acknowledge(&fixture("837p-demo-example1.x12"));
    assert_eq!(
        text,
        "ISA*00*          *00*          *30*12345          *30*000000005      *240601*1200*^*00501*000005001*0*T*:~\
         GS*FA*54321*000000005*20240601*1200*77*X*005010X231A1~\
         ST*999*0001*005010X231A1~AK1*HC*1*005010X222A2~AK2*837*0021*005010X222A2~IK5*A~AK9*A*1*1*1~SE*6*0001~\
         GE*1*77~IEA*1*000005001~"
    );
    // The 999 written is itself a consistent interchange.
    parse_interchange(text.as_bytes()).expect("consistent 999");
}

#[test]
fn segment_count_mismatch_rejects_the_set() {
    let input = fixture_text("837i-two-claims.x12").replace("SE*48*987654", "SE*47*987654");
    let text = acknowledge(input.as_bytes());
    assert!(
        text.contains("AK2*837*987654*005010X223A3~IK5*R*4~AK9*R*1*1*0~"),
        "{text}"
    );
}

#[test]
fn group_problems_and_partial_acceptance() {
    // Two sets: the second with a trailer control number mismatch; GE01 claims three sets.
    let sample = fixture_text("835-managed-care.x12");
    let start = sample.find("ST*835").expect("ST");
    let end = sample.find("GE*").expect("GE");
    let second = sample[start..end]
        .replace("112233", "112244")
        .replace("SE*26*112244", "SE*26*112245");
    let input = format!("{}{second}{}", &sample[..end], &sample[end..]).replace("GE*1*1", "GE*3*1");
    let report = read_envelope(input.as_bytes()).expect("tokenizes");
    let ack = acknowledge_group(&report, 0).expect("group 0");
    assert_eq!(ack.sets.len(), 2);
    assert_eq!(ack.sets[0].code, AckCode::Accepted);
    assert_eq!(ack.sets[1].code, AckCode::Rejected);
    assert_eq!(
        ack.sets[1].syntax_errors,
        [SetSyntaxError::ControlNumberMismatch]
    );
    assert_eq!(ack.syntax_errors, [GroupSyntaxError::SetCountMismatch]);
    let status = ack.status();
    assert_eq!(
        (
            status.code,
            status.included,
            status.received,
            status.accepted
        ),
        (AckCode::Rejected, 3, 2, 1)
    );

    assert!(write_999(&report.interchange, &[], &ack_envelope()).is_err());
    let mut without_group_error = ack.clone();
    without_group_error.syntax_errors.clear();
    assert_eq!(
        without_group_error.status().code,
        AckCode::PartiallyAccepted
    );
    let text =
        String::from_utf8(write_999(&report.interchange, &[ack], &ack_envelope()).expect("writes"))
            .expect("ascii");
    assert!(
        text.contains("AK2*835*112244~IK5*R*3~AK9*R*3*2*1*5~"),
        "{text}"
    );
}

#[test]
fn written_999_reads_back_identically() {
    let report = read_envelope(&fixture("837i-two-claims.x12")).expect("tokenizes");
    let mut ack = acknowledge_group(&report, 0).expect("group");
    let set = &mut ack.sets[0];
    set.code = AckCode::AcceptedWithErrors;
    set.syntax_errors
        .push(SetSyntaxError::ImplementationSegmentsInError);
    set.segment_errors.push(SegmentError {
        segment_id: "N4".to_owned(),
        position_in_set: 10,
        loop_id: Some("2010AA".to_owned()),
        code: SegmentSyntaxError::DataElementErrors,
        element_errors: vec![
            ElementError {
                element_position: 3,
                component_position: None,
                repetition_position: None,
                reference_number: Some("116".to_owned()),
                code: ElementSyntaxError::TooShort,
                bad_value: Some("17111".to_owned()),
            },
            ElementError {
                element_position: 5,
                component_position: Some(2),
                repetition_position: None,
                reference_number: None,
                code: ElementSyntaxError::InvalidCodeValue,
                bad_value: Some("A:B".to_owned()),
            },
        ],
        business_unit: Some(BusinessUnitId {
            name: "CLM01".to_owned(),
            value: "26463774".to_owned(),
        }),
    });
    let output = write_999(
        &report.interchange,
        std::slice::from_ref(&ack),
        &ack_envelope(),
    )
    .expect("writes");
    let text = String::from_utf8(output.clone()).expect("ascii");
    assert!(
        text.contains("IK3*N4*10*2010AA*8~CTX*CLM01:26463774~IK4*3*116*4*17111~IK4*5:2**7~IK5*E*I5~AK9*E*1*1*1~"),
        "{text}"
    );

    let outcome = read_999(&output).expect("reads");
    assert!(outcome.envelope_problems.is_empty());
    let read = &outcome.documents[0];
    // The separator-bearing bad value cannot be copied into IK404.
    let mut expected = ack.clone();
    expected.sets[0].segment_errors[0].element_errors[1].bad_value = None;
    assert_eq!(read.group, expected);
    assert_eq!(read.reported, ack.status());
    assert!(read.set("987654").is_some_and(|s| s.code.is_accepted()));
}

#[test]
fn malformed_999_is_an_error() {
    let sample = fixture_text("999-accepted.x12");
    let without_ik5 = sample.replace("IK5*A~\n", "").replace("SE*6*", "SE*5*");
    let error = read_999(without_ik5.as_bytes()).expect_err("no IK5");
    assert!(
        error.to_string().contains("IK5 for transaction set 0001"),
        "{error}"
    );
    let bad_count = sample.replace("AK9*A*1*1*1", "AK9*A*1*x*1");
    let error = read_999(bad_count.as_bytes()).expect_err("bad count");
    assert_eq!(
        error.to_string(),
        "segment 7 (AK9), element 3: expected a whole number, found `x`"
    );
}
