//! Property tests: no input makes the `hl7v2` module panic, and what it writes it reads back.
//!
//! Random bytes and randomly mutated valid messages go through `Message::parse` and then through
//! every accessor, path lookup, acknowledgment function and the MLLP decoder.

use bytes::BytesMut;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use tokio_util::codec::{Decoder, Encoder};

use switchboard::hl7v2::{
    AckCode, AckDetails, Encoding, ErrorCode, ErrorReport, Message, MessageBuilder, MllpCodec,
    MllpFrame, Path, ReceivedAck, Severity, build_ack, build_ack_for_unparsed, salvage_header,
    unescape,
};

const SEEDS: [&[u8]; 8] = [
    include_bytes!("fixtures/hl7v2/adt-a01-fhir-converter.hl7"),
    include_bytes!("fixtures/hl7v2/oru-r01-fhir-converter.hl7"),
    include_bytes!("fixtures/hl7v2/bar-p02-fhir-converter.hl7"),
    include_bytes!("fixtures/hl7v2/synthetic-adt-a01.hl7"),
    b"MSH#$%*@#APP#FAC#####ORU$R01#7#P#2.3\rPID#1##X1$$$AUTH@1.2@ISO%X2##NAME*S*PART\r",
    b"MSH|^~\\&#|A|B|C|D|20240101||DFT^P03^DFT_P03|9|P|2.7\rFT1|1|||||CG|1^A\rFT1|2|||||CG|2^B\\P\\\r",
    b"MSH|^~\\&|||||||ACK|1|P|2.4\rMSA|AE|55|text\rERR|PID^1^5^101&Name missing&HL70357\r",
    b"MSH|^~\\&|||||||ACK|1|P|2.5\rMSA|AR|5\rERR||PID^1^5|101^Missing^HL70357|E||||msg \\X0A\\ \\.br\\\r",
];

const PATHS: [&str; 16] = [
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

/// Bytes drawn mostly from the characters that matter to HL7.
fn hl7ish_bytes() -> impl Strategy<Value = Vec<u8>> {
    let alphabet: Vec<u8> = b"MSHPIDOBXFT1ERRMSA|^~\\&#$%*@\r\n \x0B\x1C\x0DXF0A.brE".to_vec();
    prop_oneof![
        vec(any::<u8>(), 0..600),
        vec(select(alphabet.clone()), 0..600),
        vec(select(alphabet), 0..300).prop_map(|tail| [&b"MSH|^~\\&|"[..], &tail].concat()),
    ]
}

#[derive(Clone, Debug)]
enum Mutation {
    Replace(usize, u8),
    Insert(usize, u8),
    Delete(usize),
    Truncate(usize),
    Duplicate(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let delimiter = select(b"|^~\\&\r\n#X.".to_vec());
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Replace(at, byte)),
        (any::<usize>(), delimiter.clone()).prop_map(|(at, byte)| Mutation::Replace(at, byte)),
        (any::<usize>(), delimiter).prop_map(|(at, byte)| Mutation::Insert(at, byte)),
        any::<usize>().prop_map(Mutation::Delete),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), 0usize..64).prop_map(|(at, length)| Mutation::Duplicate(at, length)),
    ]
}

fn apply(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for mutation in mutations {
        let length = bytes.len().max(1);
        match *mutation {
            Mutation::Replace(at, byte) => {
                if let Some(slot) = bytes.get_mut(at % length) {
                    *slot = byte;
                }
            }
            Mutation::Insert(at, byte) => bytes.insert(at % (bytes.len() + 1), byte),
            Mutation::Delete(at) => {
                if !bytes.is_empty() {
                    bytes.remove(at % length);
                }
            }
            Mutation::Truncate(at) => bytes.truncate(at % length),
            Mutation::Duplicate(at, span) => {
                let start = at % length;
                let end = (start + span).min(bytes.len());
                let copy = bytes.get(start..end).unwrap_or_default().to_vec();
                bytes.splice(start..start, copy);
            }
        }
    }
    bytes
}

fn mutated_message() -> impl Strategy<Value = Vec<u8>> {
    (select(SEEDS.to_vec()), vec(mutation(), 1..8))
        .prop_map(|(seed, mutations)| apply(seed.to_vec(), &mutations))
}

/// Calls every accessor on whatever `raw` parses to, and the functions meant for broken input.
fn exercise(raw: &[u8]) {
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
fn decode_chunks(
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_bytes_never_panic(raw in hl7ish_bytes()) {
        exercise(&raw);
    }

    #[test]
    fn mutated_messages_never_panic(raw in mutated_message()) {
        exercise(&raw);
    }

    #[test]
    fn unescape_never_panics(raw in hl7ish_bytes(), truncation in any::<bool>()) {
        let encoding = if truncation {
            Encoding::STANDARD.with_truncation(b'#').expect("valid")
        } else {
            Encoding::STANDARD
        };
        let _ = unescape(&raw, &encoding);
    }

    #[test]
    fn any_path_string_is_checked_without_panic(text in "\\PC{0,24}", seed in select(SEEDS.to_vec())) {
        if let Ok(path) = Path::parse(&text) {
            prop_assert_eq!(Path::parse(&path.to_string()), Ok(path));
            let message = Message::parse(seed).expect("seeds parse");
            let _ = message.get_path(&path);
            let _ = message.get_all(&path).count();
        }
    }

    #[test]
    fn built_values_read_back(
        value in "\\PC{0,40}",
        path in select(vec!["PID-5", "PID-5.1", "PID-5.1.2", "PID-3[2].4", "FT1[2]-7.1", "MSH-3", "ZX1-12"]),
        custom in any::<bool>(),
    ) {
        let encoding = if custom {
            Encoding::from_msh(b'#', b"$%*@").expect("valid")
        } else {
            Encoding::STANDARD
        };
        let mut builder = MessageBuilder::new(encoding);
        builder.set(path, &value).expect("valid path").set("PID-1", "1").expect("valid path");
        let bytes = builder.build();
        let message = Message::parse(&bytes).expect("built messages parse");
        let read_back = message.get(path);
        prop_assert_eq!(read_back.as_deref(), Some(value.as_str()));
    }

    #[test]
    fn mllp_frames_survive_any_chunking(
        messages in vec(vec(any::<u8>(), 0..200), 1..6),
        junk in vec(select(b"\r\n x\x1C".to_vec()), 0..5),
        chunk_sizes in vec(1usize..50, 1..10),
        max_frame_length in 0usize..150,
    ) {
        let mut encoder = MllpCodec::new();
        let mut stream = BytesMut::new();
        let mut expected = Vec::new();
        for message in &messages {
            stream.extend_from_slice(&junk);
            if encoder.encode(message.as_slice(), &mut stream).is_ok() {
                expected.push(message.clone());
            }
        }
        let mut codec = MllpCodec::with_max_frame_length(max_frame_length);
        let (frames, _) = decode_chunks(&mut codec, &stream, &chunk_sizes);
        prop_assert_eq!(frames.len(), expected.len());
        for (frame, message) in frames.iter().zip(&expected) {
            match frame {
                MllpFrame::Message(bytes) => {
                    prop_assert!(message.len() <= max_frame_length);
                    prop_assert_eq!(&bytes[..], &message[..]);
                }
                MllpFrame::Oversized(oversized) => {
                    prop_assert!(message.len() > max_frame_length);
                    prop_assert_eq!(oversized.length, message.len());
                    prop_assert!(message.starts_with(&oversized.head));
                }
            }
        }
        prop_assert_eq!(codec.bytes_outside_frames(), (junk.len() * messages.len()) as u64);
    }

    #[test]
    fn mllp_decoder_never_panics_on_random_streams(
        stream in vec(select(b"\x0B\x1C\x0Dab".to_vec()), 0..400),
        chunk_sizes in vec(1usize..20, 1..5),
        max_frame_length in 0usize..40,
    ) {
        let mut codec = MllpCodec::with_max_frame_length(max_frame_length);
        let (_, mut rest) = decode_chunks(&mut codec, &stream, &chunk_sizes);
        while let Ok(Some(_)) = codec.decode_eof(&mut rest) {}
    }
}
