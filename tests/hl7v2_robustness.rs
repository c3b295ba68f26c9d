//! Property tests: no input makes the `hl7v2` module panic, and what it writes it reads back.
//!
//! Random bytes and randomly mutated valid messages go through `Message::parse` and then through
//! every accessor, path lookup, acknowledgment function and the MLLP decoder.

mod readers;

use bytes::BytesMut;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use tokio_util::codec::Encoder;

use switchboard::hl7v2::{Encoding, Message, MessageBuilder, MllpCodec, MllpFrame, Path, unescape};

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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_bytes_never_panic(raw in hl7ish_bytes()) {
        readers::hl7v2(&raw);
    }

    #[test]
    fn mutated_messages_never_panic(raw in mutated_message()) {
        readers::hl7v2(&raw);
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
        let (frames, _) = readers::decode_chunks(&mut codec, &stream, &chunk_sizes);
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
        readers::mllp(&stream, &chunk_sizes, max_frame_length);
    }
}
