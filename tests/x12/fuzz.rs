//! Property tests: no input makes the readers panic, and values survive a write/read round trip.

use super::common::{SAMPLES, fixture};
use proptest::prelude::*;
use switchboard::x12::{
    Amount, Date, EnvelopeReport, Quantity, Time, X12Writer, read_envelope, read_envelope_stream,
    read_envelopes, tokenize,
};

/// One edit of an interchange.
#[derive(Debug, Clone)]
enum Mutation {
    Replace(usize, u8),
    Delete(usize, usize),
    Duplicate(usize, usize),
    Insert(usize, Vec<u8>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let interesting = prop::sample::select(b"*:^~\n\r0123456789.-AZ |>".to_vec());
    prop_oneof![
        (
            any::<usize>(),
            prop_oneof![interesting.clone(), any::<u8>()]
        )
            .prop_map(|(at, b)| Mutation::Replace(at, b)),
        (any::<usize>(), 1..40_usize).prop_map(|(at, len)| Mutation::Delete(at, len)),
        (any::<usize>(), 1..200_usize).prop_map(|(at, len)| Mutation::Duplicate(at, len)),
        (any::<usize>(), prop::collection::vec(interesting, 1..8))
            .prop_map(|(at, bytes)| Mutation::Insert(at, bytes)),
    ]
}

fn apply(input: &mut Vec<u8>, mutation: &Mutation) {
    if input.is_empty() {
        return;
    }
    let len = input.len();
    match mutation {
        Mutation::Replace(at, byte) => {
            if let Some(slot) = input.get_mut(at % len) {
                *slot = *byte;
            }
        }
        Mutation::Delete(at, count) => {
            let start = at % len;
            input.drain(start..(start + count).min(len));
        }
        Mutation::Duplicate(at, count) => {
            let start = at % len;
            let copy = input[start..(start + count).min(len)].to_vec();
            input.splice(start..start, copy);
        }
        Mutation::Insert(at, bytes) => {
            let start = at % len;
            input.splice(start..start, bytes.iter().copied());
        }
    }
}

/// What an interchange's report says, whatever its place in the input: ISA13, the problems
/// and, per group, GS06 and every set's ST01, ST02 and segment count.
fn shape(report: &EnvelopeReport) -> Vec<String> {
    let mut lines = vec![report.interchange.control_number.clone()];
    lines.extend(report.problems.iter().map(|p| p.problem.to_string()));
    for group in &report.interchange.groups {
        lines.push(format!("GS06 {}", group.control_number));
        lines.extend(group.transactions.iter().map(|set| {
            let count = set.segment_ordinals.len();
            format!("{} {} {count}", set.id_code, set.control_number)
        }));
    }
    lines
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 768, ..ProptestConfig::default() })]

    #[test]
    fn mutated_samples_never_panic(
        sample in prop::sample::select(SAMPLES.to_vec()),
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        let mut input = fixture(sample);
        for mutation in &mutations {
            apply(&mut input, mutation);
        }
        super::readers::x12(&input);
    }

    #[test]
    fn random_bytes_never_panic(tail in prop::collection::vec(any::<u8>(), 0..400), with_isa in any::<bool>()) {
        let mut input = if with_isa { fixture("999-accepted.x12")[..106].to_vec() } else { Vec::new() };
        input.extend(tail);
        super::readers::x12(&input);
    }

    #[test]
    fn concatenated_interchanges_read_as_each_alone(
        samples in prop::collection::vec(prop::sample::select(SAMPLES.to_vec()), 1..4),
        between in prop::sample::select(vec!["", "\n", "\r\n", " \n"]),
    ) {
        let files: Vec<Vec<u8>> = samples.iter().map(|name| fixture(name)).collect();
        let input = files.join(between.as_bytes());
        let reports = read_envelopes(&input).expect("reads");
        prop_assert_eq!(reports.len(), files.len());
        for (report, file) in reports.iter().zip(&files) {
            let alone = read_envelope(file).expect("reads alone");
            prop_assert_eq!(shape(report), shape(&alone));
        }
        let streamed = read_envelope_stream(std::io::BufReader::with_capacity(7, &input[..]))
            .expect("streams");
        prop_assert_eq!(streamed.into_reports(), reports);
    }

    #[test]
    fn amounts_round_trip(cents in any::<i64>()) {
        prop_assert_eq!(Amount::parse(&Amount(cents).to_string()), Ok(Amount(cents)));
    }

    #[test]
    fn quantities_round_trip(millionths in any::<i64>()) {
        prop_assert_eq!(Quantity::parse(&Quantity(millionths).to_string()), Ok(Quantity(millionths)));
    }

    #[test]
    fn written_values_read_back(values in prop::collection::vec("[A-Z0-9 .-]{0,12}", 1..10)) {
        let mut writer = X12Writer::standard(true);
        let header = switchboard::x12::InterchangeHeader {
            sender_qualifier: "ZZ".to_owned(),
            sender_id: "A".to_owned(),
            receiver_qualifier: "ZZ".to_owned(),
            receiver_id: "B".to_owned(),
            date: Date { year: 2024, month: 1, day: 1 },
            time: Time { hour: 1, minute: 2, second: None },
            control_number: 1,
            acknowledgment_requested: false,
            usage: switchboard::x12::UsageIndicator::Test,
        };
        let group = switchboard::x12::GroupHeader {
            functional_id: "HC".to_owned(),
            sender_code: "A".to_owned(),
            receiver_code: "B".to_owned(),
            date: header.date,
            time: header.time,
            control_number: 1,
            version: "005010X222A1".to_owned(),
        };
        let refs: Vec<&str> = values.iter().map(String::as_str).collect();
        writer.begin_interchange(&header).expect("isa");
        writer.begin_group(&group).expect("gs");
        writer.begin_transaction("837", 1, None).expect("st");
        writer.segment("NTE", &refs).expect("nte");
        writer.end_transaction().expect("se");
        writer.end_group().expect("ge");
        writer.end_interchange().expect("iea");
        let output = writer.finish().expect("finished");
        let report = read_envelope(&output).expect("reads");
        prop_assert!(report.is_clean());
        let segments = tokenize(&output).expect("tokenizes");
        let nte = segments.iter().find(|s| s.id() == "NTE").expect("NTE");
        let kept = refs.iter().rposition(|v| !v.is_empty()).map_or(0, |last| last + 1);
        let read: Vec<String> = nte.elements().map(|e| e.text().into_owned()).collect();
        prop_assert_eq!(read, refs[..kept].to_vec());
    }
}
