//! Every reader of input from outside, run over one input: the HL7 v2 parser with every
//! accessor and acknowledgment function, the MLLP decoder, the X12 tokenizer and readers, the
//! FHIR JSON reader and the shipped mappings. Shared by the property tests
//! (`tests/hl7v2_robustness.rs`, `tests/x12/fuzz.rs`, `tests/bounded_work.rs`) and the fuzz
//! targets (`tests/fuzz`). Only a panic, or a broken promise asserted here, fails.
#![allow(dead_code)]

use std::sync::OnceLock;

use bytes::BytesMut;
use tokio_util::codec::Decoder;

use switchboard::hl7v2::{
    AckCode, AckDetails, ErrorCode, ErrorReport, Message, MllpCodec, MllpFrame, Path, ReceivedAck,
    Severity, build_ack, build_ack_for_unparsed, salvage_header, unescape,
};
use switchboard::x12::{
    AckEnvelope, Date, Time, acknowledge_validated, check_balance, guide, read_277ca, read_835,
    read_837, read_999, read_envelope_stream, tokenize, write_999,
};

pub const PATHS: [&str; 16] = [
    "MSH-1",
    "MSH-2",
    "MSH-2.3",
    "MSH-9.1",
    "MSH-9.2",
    "MSH-10",
    "PID-3",
    "PID-3[2].1",
    "PID-5.1",
    "PID-5.1.1",
    "PV1-19",
    "IN1-36",
    "FT1[2]-7.1",
    "OBX[3]-5[2].4.2",
    "ZZZ-9999[9999].9999.9999",
    "ERR-1.4.2",
];

/// Calls every accessor on whatever `raw` parses to, and the functions meant for broken input.
pub fn hl7v2(raw: &[u8]) {
    let salvaged = salvage_header(raw);
    let details = AckDetails {
        code: AckCode::ApplicationReject,
        control_id: "1",
        timestamp: "20240101000000",
        text: Some("rejected"),
        errors: &[],
    };
    build_ack_for_unparsed(
        salvaged.field_separator.unwrap_or(b'|'),
        salvaged.control_id.as_deref().unwrap_or_default(),
        &details,
    );
    let Ok(message) = Message::parse(raw) else {
        return;
    };
    let mut total = 0usize;
    for segment in message.segments() {
        total += segment.id().len() + segment.raw().len();
        for field in segment.fields() {
            total += field.value().len() + usize::from(field.is_empty());
            for repetition in field.repetitions() {
                total += repetition.value().len();
                for component in repetition.components() {
                    total += component.value().len();
                    for subcomponent in component.subcomponents() {
                        total += subcomponent.value().len() + subcomponent.raw().len();
                    }
                }
            }
        }
        for number in [0, 1, 2, 3, 9, 10, 10_000] {
            if let Some(field) = segment.field(number) {
                let component = field.component(number).or(field.component(1));
                total += component
                    .and_then(|component| component.subcomponent(2))
                    .map_or(0, |sub| sub.value().len());
                total += field.repetition(number).map_or(0, |r| r.value().len());
            }
        }
    }
    let _ = format!("{message:?}");
    let header_values = [
        message.control_id(),
        message.version(),
        message.sending_application(),
        message.sending_facility(),
        message.receiving_application(),
        message.receiving_facility(),
        message.accept_ack_type(),
        message.application_ack_type(),
    ];
    total += header_values
        .iter()
        .flatten()
        .map(|value| value.len())
        .sum::<usize>();
    total += message.message_type().map_or(0, |kind| kind.code.len());
    for text in PATHS {
        let path = Path::parse(text).expect("test paths are valid");
        total += message.get(text).map_or(0, |value| value.len());
        total += message
            .get_all(&path)
            .flatten()
            .map(|value| value.len())
            .sum::<usize>();
    }
    let errors = [ErrorReport {
        code: ErrorCode::DataType,
        severity: Severity::Error,
        location: Path::parse("PID-5.1").ok(),
        message: Some("bad | data".into()),
    }];
    let ack = build_ack(
        &message,
        &AckDetails {
            errors: &errors,
            ..details
        },
    );
    let reparsed = Message::parse(&ack).expect("an ACK always parses");
    let raw_at = |message: &Message<'_>, path: &str| {
        let path = Path::parse(path).expect("valid path");
        message.get_raw(&path).unwrap_or_default().to_vec()
    };
    let echoed = unescape(&raw_at(&reparsed, "MSA-2"), &reparsed.encoding()).into_owned();
    let sent = unescape(&raw_at(&message, "MSH-10"), &message.encoding()).into_owned();
    assert!(
        sent.starts_with(&echoed) && echoed.chars().count() <= 199,
        "MSA-2 echoes MSH-10, cut to the version's length: {echoed:?} {sent:?}"
    );
    let _ = ReceivedAck::read(&message);
    let _ = ReceivedAck::read(&reparsed).expect("our ACK reads back");
    assert!(total < usize::MAX);
}

/// Feeds `stream` to the decoder in chunks of the given sizes (repeated); returns the frames
/// and what is left in the buffer.
pub fn decode_chunks(
    codec: &mut MllpCodec,
    stream: &[u8],
    chunk_sizes: &[usize],
) -> (Vec<MllpFrame>, BytesMut) {
    let mut buffer = BytesMut::new();
    let mut frames = Vec::new();
    let mut rest = stream;
    let mut sizes = chunk_sizes.iter().cycle();
    while !rest.is_empty() {
        let size = sizes.next().copied().unwrap_or(1).clamp(1, rest.len());
        let (chunk, tail) = rest.split_at(size);
        rest = tail;
        buffer.extend_from_slice(chunk);
        while let Some(frame) = codec
            .decode(&mut buffer)
            .expect("decode never fails mid-stream")
        {
            frames.push(frame);
        }
    }
    (frames, buffer)
}

/// Runs every reader over `input`; only a panic can fail.
pub fn x12(input: &[u8]) {
    let _ = tokenize(input);
    let _ = read_envelope_stream(std::io::BufReader::with_capacity(7, input));
    let _ = read_837(input);
    let _ = guide::validate_stream(std::io::BufReader::with_capacity(7, input));
    let validation = guide::validate(input);
    for (report, validation) in validation
        .iter()
        .flat_map(|v| v.reports.iter().map(move |r| (r, v)))
    {
        let acks = acknowledge_validated(report, validation);
        let envelope = AckEnvelope {
            interchange_control_number: 1,
            group_control_number: 1,
            first_transaction_control_number: 1,
            date: Date::new(2024, 1, 1).unwrap_or(Date {
                year: 2024,
                month: 1,
                day: 1,
            }),
            time: Time {
                hour: 0,
                minute: 0,
                second: None,
            },
            line_breaks: true,
        };
        let _ = write_999(&report.interchange, &acks, &envelope);
    }
    if let Ok(outcome) = read_835(input) {
        for remittance in &outcome.documents {
            let _ = check_balance(remittance);
        }
    }
    let _ = read_999(input);
    let _ = read_277ca(input);
}

/// Decodes `stream` in chunks of `chunk_sizes` (repeated) with frames of at most
/// `max_frame_length` bytes, then as if the connection closed.
pub fn mllp(stream: &[u8], chunk_sizes: &[usize], max_frame_length: usize) {
    let mut codec = MllpCodec::with_max_frame_length(max_frame_length);
    let (_, mut rest) = decode_chunks(&mut codec, stream, chunk_sizes);
    while let Ok(Some(_)) = codec.decode_eof(&mut rest) {}
}

/// Reads `raw` as the engine reads a FHIR request or message: JSON, the resource's facts,
/// and the model check of the resource type it names.
pub fn fhir_json(raw: &[u8]) {
    let _ = switchboard::message::Message::read(raw);
    if let Ok(resource) = switchboard::fhir::validate::parse_json(raw) {
        let kind = resource
            .get("resourceType")
            .and_then(serde_json::Value::as_str)
            .and_then(switchboard::fhir::kinds::Kind::parse);
        if let Some(kind) = kind {
            let _ = switchboard::fhir::validate::validate(kind, &resource);
        }
        let _ = switchboard::fhir::validate::validate_emitted(&resource);
    }
}

/// The shipped mappings, read once.
fn shipped_mappings() -> &'static [switchboard::mapping::Mapping; 2] {
    static MAPPINGS: OnceLock<[switchboard::mapping::Mapping; 2]> = OnceLock::new();
    MAPPINGS.get_or_init(|| {
        let parse = |name: &str, text: &str| {
            switchboard::mapping::Mapping::parse(std::path::Path::new(name), text)
                .expect("the shipped mappings are valid")
        };
        [
            parse(
                "hl7v2-canonical.toml",
                include_str!("../../mappings/hl7v2-canonical.toml"),
            ),
            parse(
                "fhir-patient.toml",
                include_str!("../../mappings/fhir-patient.toml"),
            ),
        ]
    })
}

/// Maps `raw` with the shipped mappings, as a channel with a transform does, and converts what
/// an HL7 v2 message maps to into FHIR (`output = "fhir"`).
pub fn mapping(raw: &[u8]) {
    let Ok(message) = switchboard::message::Message::read(raw) else {
        return;
    };
    for mapping in shipped_mappings() {
        let Ok(records) = mapping.records(&message) else {
            continue;
        };
        serde_json::to_vec(&records).expect("records serialize");
        if let Some(v2) = message.hl7v2() {
            let _ = switchboard::fhir::from_hl7v2::convert(&records, &v2);
        }
    }
}
