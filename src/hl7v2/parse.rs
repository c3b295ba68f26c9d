//! The message parser: reads the encoding characters from MSH and indexes segment boundaries
//! once; fields are split later, on access (see [`super::segment`]).
//!
//! Accepted input: an optional UTF-8 byte order mark and leading whitespace, then `MSH`.
//! Segments end with `\r`, `\r\n` or `\n`; empty and whitespace-only lines (such as trailing
//! newlines) are skipped. Every segment id must be 3 ASCII letters or digits followed by the
//! field separator or the end of the segment, so Z-segments are accepted. The input need not
//! be UTF-8. Parsing never panics and allocates only the segment index, whose size is bounded
//! by the input length.

use std::borrow::Cow;
use std::fmt;

use memchr::memchr2_iter;

use super::encoding::{Encoding, EncodingError};
use super::escape::decode_text;
use super::segment::{Field, Segment, nth_part};

const BYTE_ORDER_MARK: &[u8] = b"\xEF\xBB\xBF";
/// How many bytes of a bad segment id an error message quotes.
const QUOTED_ID_LIMIT: usize = 8;

/// Why a message could not be parsed. Offsets count bytes from the start of the input and
/// segment numbers count segments from 1.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The input holds nothing but whitespace (or a byte order mark).
    #[error("empty message")]
    Empty,
    /// The first segment is not MSH.
    #[error("segment 1 (MSH) at byte {offset}: message must start with MSH, found {found:?}")]
    MissingHeader {
        /// Where the first segment starts.
        offset: usize,
        /// The first bytes found instead (at most 3).
        found: String,
    },
    /// Nothing follows `MSH`, so there is no field separator.
    #[error("MSH-1 at byte {offset}: field separator missing")]
    MissingFieldSeparator {
        /// Where the field separator was expected.
        offset: usize,
    },
    /// MSH-2 is empty.
    #[error("MSH-2 at byte {offset}: encoding characters missing")]
    MissingEncodingCharacters {
        /// Where MSH-2 was expected.
        offset: usize,
    },
    /// MSH-1 or MSH-2 holds characters that cannot be used as delimiters.
    #[error("MSH-{field} at byte {offset}: {source}")]
    InvalidEncoding {
        /// 1 when the field separator is at fault, 2 for the other encoding characters.
        field: usize,
        /// Where that field starts.
        offset: usize,
        /// What is wrong with the characters.
        source: EncodingError,
    },
    /// A segment does not start with a valid segment id.
    #[error(
        "segment {segment} at byte {offset}: segment id must be 3 alphanumeric characters, \
         found {found:?}"
    )]
    InvalidSegmentId {
        /// The segment's position in the message, from 1.
        segment: usize,
        /// Where the segment starts.
        offset: usize,
        /// The start of the segment, up to the field separator (at most 8 bytes).
        found: String,
    },
}

/// A parsed message: the input bytes, its encoding characters and the segment index.
///
/// Holds no copy of the input. Accessors return views and values that borrow the input (`'a`),
/// not the `Message`.
#[derive(Clone)]
pub struct Message<'a> {
    raw: &'a [u8],
    encoding: Encoding,
    /// Byte range of each segment in `raw`, terminator excluded.
    segments: Cow<'a, [(usize, usize)]>,
}

/// What [`Message::parse`] found (encoding characters and segment boundaries), kept apart from
/// the bytes, so that whoever owns the bytes can view the message again without parsing it twice.
#[derive(Clone, Debug)]
pub struct MessageIndex {
    encoding: Encoding,
    segments: Vec<(usize, usize)>,
}

impl MessageIndex {
    /// The message over `raw`, which must be the bytes this index was made from.
    pub fn view<'a>(&'a self, raw: &'a [u8]) -> Message<'a> {
        Message {
            raw,
            encoding: self.encoding,
            segments: Cow::Borrowed(&self.segments),
        }
    }
}

/// The message type from MSH-9: code, trigger event and message structure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageType<'a> {
    /// MSH-9.1, e.g. `ADT`.
    pub code: Cow<'a, str>,
    /// MSH-9.2, e.g. `A01` (empty when absent).
    pub trigger_event: Cow<'a, str>,
    /// MSH-9.3, e.g. `ADT_A01` (empty when absent, as in messages before v2.3.1).
    pub structure: Cow<'a, str>,
}

impl<'a> Message<'a> {
    /// Parses `raw`: reads the encoding characters from MSH-1 and MSH-2 and indexes the
    /// segments. Fields are split later, on access.
    pub fn parse(raw: &'a [u8]) -> Result<Self, ParseError> {
        let start = preamble_length(raw);
        let encoding = read_encoding(raw, start)?;
        let segments = index_segments(raw, start, encoding.field_separator())?;
        Ok(Message {
            raw,
            encoding,
            segments: Cow::Owned(segments),
        })
    }

    /// The parse without the bytes, to keep beside them (see [`MessageIndex::view`]).
    pub fn into_index(self) -> MessageIndex {
        MessageIndex {
            encoding: self.encoding,
            segments: self.segments.into_owned(),
        }
    }

    /// The input bytes, as given to [`Message::parse`].
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// The encoding characters declared in MSH-1 and MSH-2.
    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// How many segments the message holds (MSH included).
    pub fn segment_count(&self) -> usize {
        self.segments.len()
    }

    /// Every segment, in order, MSH first.
    pub fn segments(&self) -> impl ExactSizeIterator<Item = Segment<'a>> + '_ {
        self.segments.iter().map(|&(start, end)| {
            Segment::new(self.raw.get(start..end).unwrap_or_default(), self.encoding)
        })
    }

    /// Segment `index` (0-based, in order: 0 is MSH), without scanning the others.
    pub fn segment_at(&self, index: usize) -> Option<Segment<'a>> {
        let &(start, end) = self.segments.get(index)?;
        Some(Segment::new(
            self.raw.get(start..end).unwrap_or_default(),
            self.encoding,
        ))
    }

    /// The first segment with the given id.
    pub fn segment(&self, id: &str) -> Option<Segment<'a>> {
        self.segments_named(id).next()
    }

    /// Every segment with the given id, in order (e.g. all FT1 or OBX segments).
    pub fn segments_named<'s>(&'s self, id: &'s str) -> impl Iterator<Item = Segment<'a>> + 's {
        self.segments()
            .filter(move |segment| segment.raw().get(..3) == Some(id.as_bytes()))
    }

    /// The message header (always the first segment).
    pub fn header(&self) -> Segment<'a> {
        self.segments()
            .next()
            .unwrap_or_else(|| Segment::new(self.raw, self.encoding))
    }

    /// MSH-9: message code, trigger event and structure. `None` when MSH-9 is empty.
    pub fn message_type(&self) -> Option<MessageType<'a>> {
        let field = self.header_field(9)?;
        let component = |number| {
            field
                .component(number)
                .map(|component| component.value())
                .unwrap_or_default()
        };
        Some(MessageType {
            code: component(1),
            trigger_event: component(2),
            structure: component(3),
        })
    }

    /// MSH-10, the message control id.
    pub fn control_id(&self) -> Option<Cow<'a, str>> {
        self.header_value(10)
    }

    /// MSH-12.1, the version id, e.g. `2.5.1`.
    pub fn version(&self) -> Option<Cow<'a, str>> {
        let version = self.header_field(12)?.component(1)?.value();
        (!version.is_empty()).then_some(version)
    }

    /// MSH-3, the sending application (all components, e.g. `APP^1.2.3^ISO`).
    pub fn sending_application(&self) -> Option<Cow<'a, str>> {
        self.header_value(3)
    }

    /// MSH-4, the sending facility (all components).
    pub fn sending_facility(&self) -> Option<Cow<'a, str>> {
        self.header_value(4)
    }

    /// MSH-5, the receiving application (all components).
    pub fn receiving_application(&self) -> Option<Cow<'a, str>> {
        self.header_value(5)
    }

    /// MSH-6, the receiving facility (all components).
    pub fn receiving_facility(&self) -> Option<Cow<'a, str>> {
        self.header_value(6)
    }

    /// MSH-15, the accept acknowledgment type (`AL`, `NE`, `ER`, `SU`; enhanced mode).
    pub fn accept_ack_type(&self) -> Option<Cow<'a, str>> {
        self.header_value(15)
    }

    /// MSH-16, the application acknowledgment type (`AL`, `NE`, `ER`, `SU`).
    pub fn application_ack_type(&self) -> Option<Cow<'a, str>> {
        self.header_value(16)
    }

    /// Field `number` of MSH, `None` when absent or empty.
    fn header_field(&self, number: usize) -> Option<Field<'a>> {
        self.header()
            .field(number)
            .filter(|field| !field.is_empty())
    }

    fn header_value(&self, number: usize) -> Option<Cow<'a, str>> {
        self.header_field(number).map(|field| field.value())
    }
}

impl fmt::Debug for Message<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Message")
            .field("encoding", &self.encoding.to_string())
            .field("segments", &self.segments().collect::<Vec<_>>())
            .finish()
    }
}

/// Length of the byte order mark and whitespace before the first segment.
pub(super) fn preamble_length(raw: &[u8]) -> usize {
    let bom = if raw.starts_with(BYTE_ORDER_MARK) {
        BYTE_ORDER_MARK.len()
    } else {
        0
    };
    let rest = raw.get(bom..).unwrap_or_default();
    bom + rest
        .iter()
        .take_while(|byte| byte.is_ascii_whitespace())
        .count()
}

/// Reads MSH-1 and MSH-2 from the header starting at `start`.
fn read_encoding(raw: &[u8], start: usize) -> Result<Encoding, ParseError> {
    let header = raw.get(start..).unwrap_or_default();
    if header.is_empty() {
        return Err(ParseError::Empty);
    }
    if !header.starts_with(b"MSH") {
        return Err(ParseError::MissingHeader {
            offset: start,
            found: decode_text(header.get(..3).unwrap_or(header)).into_owned(),
        });
    }
    let field_separator = match header.get(3) {
        Some(&byte) if !is_segment_terminator(byte) => byte,
        _ => {
            return Err(ParseError::MissingFieldSeparator { offset: start + 3 });
        }
    };
    let after_separator = header.get(4..).unwrap_or_default();
    let first_line_end = after_separator
        .iter()
        .position(|&byte| is_segment_terminator(byte))
        .unwrap_or(after_separator.len());
    let msh2 = after_separator
        .get(..first_line_end)
        .and_then(|line| nth_part(line, field_separator, 1))
        .unwrap_or_default();
    if msh2.is_empty() {
        return Err(ParseError::MissingEncodingCharacters { offset: start + 4 });
    }
    Encoding::from_msh(field_separator, msh2).map_err(|source| {
        let field = match source {
            EncodingError::Unusable { character } if character == char::from(field_separator) => 1,
            _ => 2,
        };
        ParseError::InvalidEncoding {
            field,
            offset: start + 2 + field,
            source,
        }
    })
}

pub(super) fn is_segment_terminator(byte: u8) -> bool {
    byte == b'\r' || byte == b'\n'
}

/// Finds every segment from `start` on and checks its id.
fn index_segments(
    raw: &[u8],
    start: usize,
    field_separator: u8,
) -> Result<Vec<(usize, usize)>, ParseError> {
    let body = raw.get(start..).unwrap_or_default();
    // A typical segment is well over 64 bytes; the vector grows if not.
    let mut segments = Vec::with_capacity(body.len() / 64 + 1);
    let mut line_start = start;
    let line_ends = memchr2_iter(b'\r', b'\n', body)
        .map(|end| end + start)
        .chain(std::iter::once(raw.len()));
    for line_end in line_ends {
        let line = raw.get(line_start..line_end).unwrap_or_default();
        if !is_blank(line) {
            check_segment_id(line, field_separator).map_err(|found| {
                ParseError::InvalidSegmentId {
                    segment: segments.len() + 1,
                    offset: line_start,
                    found,
                }
            })?;
            segments.push((line_start, line_end));
        }
        line_start = line_end + 1;
    }
    Ok(segments)
}

fn is_blank(line: &[u8]) -> bool {
    match line.first() {
        None => true,
        Some(first) if first.is_ascii_whitespace() => line.iter().all(u8::is_ascii_whitespace),
        Some(_) => false,
    }
}

/// Checks that `line` starts with 3 alphanumeric bytes followed by the field separator or
/// nothing; on failure returns the start of the line for the error message.
fn check_segment_id(line: &[u8], field_separator: u8) -> Result<(), String> {
    let valid = match line {
        [a, b, c, rest @ ..] => {
            [a, b, c].iter().all(|byte| byte.is_ascii_alphanumeric())
                && rest.first().is_none_or(|&next| next == field_separator)
        }
        _ => false,
    };
    if valid {
        return Ok(());
    }
    let id_length = line
        .iter()
        .position(|&byte| byte == field_separator)
        .unwrap_or(line.len())
        .min(QUOTED_ID_LIMIT);
    Err(decode_text(line.get(..id_length).unwrap_or_default()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADT_A01: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/hl7v2/adt-a01-fhir-converter.hl7"
    ));
    const ORU_R01: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/hl7v2/oru-r01-fhir-converter.hl7"
    ));
    const BAR_P02: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/hl7v2/bar-p02-fhir-converter.hl7"
    ));

    const SIMPLE: &[u8] = b"MSH|^~\\&|SENDER|SFAC|RECEIVER|RFAC|20240102030405||ADT^A08^ADT_A01|CTRL1|P|2.5.1|||AL|NE\r\
EVN|A08|20240102030405\r\
PID|1||12345^^^HOSP^MR~999-99-9999^^^SSA^SS||DOE^JOHN^Q||19800101|M\r\
PV1|1|I|WARD^101^A\r";

    fn parse_error(raw: &[u8]) -> ParseError {
        Message::parse(raw).expect_err("input must be rejected")
    }

    fn ids(message: &Message<'_>) -> Vec<String> {
        message.segments().map(|s| s.id().to_owned()).collect()
    }

    #[test]
    fn parses_header_fields_with_standard_numbering() {
        let message = Message::parse(SIMPLE).unwrap();
        let msh = message.header();
        assert_eq!(msh.field(1).unwrap().value(), "|");
        assert_eq!(msh.field(2).unwrap().value(), "^~\\&");
        assert_eq!(msh.field(9).unwrap().component(1).unwrap().value(), "ADT");
        assert_eq!(message.encoding(), Encoding::STANDARD);
        assert_eq!(
            message.message_type(),
            Some(MessageType {
                code: "ADT".into(),
                trigger_event: "A08".into(),
                structure: "ADT_A01".into(),
            })
        );
        assert_eq!(message.control_id().as_deref(), Some("CTRL1"));
        assert_eq!(message.version().as_deref(), Some("2.5.1"));
        assert_eq!(message.sending_application().as_deref(), Some("SENDER"));
        assert_eq!(message.sending_facility().as_deref(), Some("SFAC"));
        assert_eq!(message.receiving_application().as_deref(), Some("RECEIVER"));
        assert_eq!(message.receiving_facility().as_deref(), Some("RFAC"));
        assert_eq!(message.accept_ack_type().as_deref(), Some("AL"));
        assert_eq!(message.application_ack_type().as_deref(), Some("NE"));
        assert_eq!(message.raw(), SIMPLE);
    }

    #[test]
    fn absent_header_fields_are_none() {
        let message = Message::parse(b"MSH|^~\\&|APP||||||||").unwrap();
        assert_eq!(message.message_type(), None);
        assert_eq!(message.control_id(), None);
        assert_eq!(message.version(), None);
        assert_eq!(message.receiving_facility(), None);
        assert_eq!(message.accept_ack_type(), None);
        let old = Message::parse(b"MSH|^~\\&|||||||ADT|1|P|2.1").unwrap();
        let old_type = old.message_type().unwrap();
        assert_eq!(old_type.code, "ADT");
        assert_eq!(old_type.trigger_event, "");
        assert_eq!(old_type.structure, "");
    }

    #[test]
    fn finds_segments_by_id() {
        let message = Message::parse(SIMPLE).unwrap();
        assert_eq!(ids(&message), ["MSH", "EVN", "PID", "PV1"]);
        assert_eq!(message.segment_count(), 4);
        assert_eq!(message.segment("PV1").unwrap().raw(), b"PV1|1|I|WARD^101^A");
        assert!(message.segment("OBX").is_none());
        assert!(message.segment("PV").is_none());
        assert!(message.segment("").is_none());
        assert_eq!(message.segments_named("OBX").count(), 0);
    }

    #[test]
    fn accepts_cr_crlf_and_lf_separators() {
        let cr = b"MSH|^~\\&|A\rPID|1\rPV1|1";
        let crlf = b"MSH|^~\\&|A\r\nPID|1\r\nPV1|1\r\n";
        let lf = b"MSH|^~\\&|A\nPID|1\nPV1|1\n\n\n";
        let mixed = b"MSH|^~\\&|A\r\n\nPID|1\r  \rPV1|1\r\n \t\n";
        for raw in [&cr[..], crlf, lf, mixed] {
            let message = Message::parse(raw).unwrap();
            assert_eq!(ids(&message), ["MSH", "PID", "PV1"], "{raw:?}");
            assert_eq!(message.segment("PV1").unwrap().raw(), b"PV1|1");
        }
    }

    #[test]
    fn tolerates_byte_order_mark_and_leading_whitespace() {
        let message = Message::parse(b"\xEF\xBB\xBF\r\n  MSH|^~\\&|A\rPID|1").unwrap();
        assert_eq!(message.sending_application().as_deref(), Some("A"));
        assert_eq!(ids(&message), ["MSH", "PID"]);
    }

    #[test]
    fn reads_non_standard_encoding_characters() {
        let raw = b"MSH#$%*@#APP#FAC#####ORU$R01#7#P#2.3\rPID#1##X1$$$AUTH@1.2@ISO%X2##NAME*S*PART";
        let message = Message::parse(raw).unwrap();
        let encoding = message.encoding();
        assert_eq!(encoding.to_string(), "#$%*@");
        let msh = message.header();
        assert_eq!(msh.field(1).unwrap().value(), "#");
        assert_eq!(msh.field(2).unwrap().value(), "$%*@");
        assert_eq!(msh.field(3).unwrap().value(), "APP");
        let message_type = message.message_type().unwrap();
        assert_eq!(
            (&*message_type.code, &*message_type.trigger_event),
            ("ORU", "R01")
        );
        assert_eq!(message.control_id().as_deref(), Some("7"));
        let pid = message.segment("PID").unwrap();
        let identifiers = pid.field(3).unwrap();
        assert_eq!(identifiers.repetition(2).unwrap().value(), "X2");
        let authority = identifiers.component(4).unwrap();
        assert_eq!(authority.subcomponent(2).unwrap().value(), "1.2");
        assert_eq!(pid.field(5).unwrap().value(), "NAME$PART");
    }

    #[test]
    fn accepts_truncation_character() {
        let message = Message::parse(b"MSH|^~\\&#|APP|||||||1|P|2.7\rNTE|1||cut\\P\\").unwrap();
        assert_eq!(message.encoding().truncation_character(), Some(b'#'));
        assert_eq!(message.header().field(2).unwrap().value(), "^~\\&#");
        assert_eq!(message.sending_application().as_deref(), Some("APP"));
        let note = message.segment("NTE").unwrap().field(3).unwrap().value();
        assert_eq!(note, "cut#");
    }

    #[test]
    fn accepts_z_segments_and_bare_segments() {
        let message = Message::parse(b"MSH|^~\\&\rZPI|custom^data\rZ01\rNTE|").unwrap();
        assert_eq!(ids(&message), ["MSH", "ZPI", "Z01", "NTE"]);
        let zpi = message.segment("ZPI").unwrap();
        assert_eq!(zpi.field(1).unwrap().component(2).unwrap().value(), "data");
        assert!(message.segment("Z01").unwrap().field(1).is_none());
        assert_eq!(message.header().field(3).map(|f| f.raw()), None);
    }

    #[test]
    fn rejects_empty_input() {
        assert_eq!(parse_error(b""), ParseError::Empty);
        assert_eq!(parse_error(b" \r\n\t"), ParseError::Empty);
        assert_eq!(parse_error(BYTE_ORDER_MARK), ParseError::Empty);
        assert_eq!(ParseError::Empty.to_string(), "empty message");
    }

    #[test]
    fn rejects_messages_not_starting_with_msh() {
        let error = parse_error(b"PID|1|2");
        assert_eq!(
            error.to_string(),
            "segment 1 (MSH) at byte 0: message must start with MSH, found \"PID\""
        );
        assert_eq!(
            parse_error(b"\n\nMS").to_string(),
            "segment 1 (MSH) at byte 2: message must start with MSH, found \"MS\""
        );
    }

    #[test]
    fn rejects_missing_or_bad_encoding_characters() {
        assert_eq!(
            parse_error(b"MSH").to_string(),
            "MSH-1 at byte 3: field separator missing"
        );
        assert_eq!(
            parse_error(b"MSH\rPID|1").to_string(),
            "MSH-1 at byte 3: field separator missing"
        );
        assert_eq!(
            parse_error(b"MSH||APP").to_string(),
            "MSH-2 at byte 4: encoding characters missing"
        );
        assert_eq!(
            parse_error(b"MSH|\rPID").to_string(),
            "MSH-2 at byte 4: encoding characters missing"
        );
        assert_eq!(
            parse_error(b"MSH|^~|APP").to_string(),
            "MSH-2 at byte 4: expected 4 encoding characters (component, repetition, escape, \
             subcomponent) or 5 with the truncation character, found 2"
        );
        assert_eq!(
            parse_error(b"MSH|^~\\^|APP").to_string(),
            "MSH-2 at byte 4: '^' is used for two different delimiters"
        );
        assert_eq!(
            parse_error(b"MSHA^~\\&A").to_string(),
            "MSH-1 at byte 3: 'A' cannot be a delimiter: delimiters must be printable ASCII \
             punctuation"
        );
    }

    #[test]
    fn invalid_encoding_names_the_field_at_fault() {
        assert!(matches!(
            parse_error(b"MSH1^~\\&"),
            ParseError::InvalidEncoding {
                field: 1,
                offset: 3,
                ..
            }
        ));
        assert!(matches!(
            parse_error(b"  MSH|^~\\a"),
            ParseError::InvalidEncoding {
                field: 2,
                offset: 6,
                ..
            }
        ));
    }

    #[test]
    fn debug_lists_segments() {
        let message = Message::parse(b"MSH|^~\\&\rPID|1").unwrap();
        assert_eq!(
            format!("{message:?}"),
            r#"Message { encoding: "|^~\\&", segments: [Segment("MSH|^~\\&"), Segment("PID|1")] }"#
        );
    }

    #[test]
    fn rejects_bad_segment_ids_with_position() {
        let raw = b"MSH|^~\\&|A\rPID|1\rP|x\r";
        let error = parse_error(raw);
        assert_eq!(
            error,
            ParseError::InvalidSegmentId {
                segment: 3,
                offset: 17,
                found: "P".into()
            }
        );
        assert_eq!(
            error.to_string(),
            "segment 3 at byte 17: segment id must be 3 alphanumeric characters, found \"P\""
        );
        assert_eq!(
            parse_error(b"MSH|^~\\&\nPIDX|1").to_string(),
            "segment 2 at byte 9: segment id must be 3 alphanumeric characters, found \"PIDX\""
        );
        assert!(matches!(
            parse_error(b"MSH|^~\\&\nP-D|1"),
            ParseError::InvalidSegmentId { segment: 2, .. }
        ));
        let long = parse_error(b"MSH|^~\\&\nABCDEFGHIJKLMNOP");
        assert!(matches!(long, ParseError::InvalidSegmentId { found, .. } if found == "ABCDEFGH"));
    }

    #[test]
    fn keeps_non_utf8_bytes_as_latin1() {
        let message = Message::parse(b"MSH|^~\\&|APP\rPID|1||||M\xdcLLER^J\xfcRGEN").unwrap();
        let name = message.segment("PID").unwrap().field(5).unwrap();
        assert_eq!(name.component(1).unwrap().value(), "MÜLLER");
        assert_eq!(name.component(2).unwrap().value(), "JüRGEN");
    }

    #[test]
    fn reads_adt_a01_sample() {
        let message = Message::parse(ADT_A01).unwrap();
        assert_eq!(message.segment_count(), 17);
        assert_eq!(
            ids(&message),
            [
                "MSH", "SFT", "EVN", "PID", "PD1", "NK1", "PV1", "PV2", "DB1", "OBX", "AL1", "DG1",
                "PR1", "GT1", "IN1", "IN2", "RF1"
            ]
        );
        let message_type = message.message_type().unwrap();
        assert_eq!(message_type.code, "ADT");
        assert_eq!(message_type.trigger_event, "A01");
        assert_eq!(message_type.structure, "ADT_A01");
        assert_eq!(message.control_id().as_deref(), Some("MSG00001"));
        assert_eq!(message.version().as_deref(), Some("2.8"));
        assert_eq!(message.sending_application().as_deref(), Some("ADTApp"));
        assert_eq!(
            message.sending_facility().as_deref(),
            Some("GHHSFacility^2.16.840.1.122848.1.30^ISO")
        );
        let pid = message.segment("PID").unwrap();
        let identifiers = pid.field(3).unwrap();
        assert_eq!(identifiers.component(1).unwrap().value(), "PATID1234");
        assert_eq!(
            identifiers
                .repetition(2)
                .unwrap()
                .component(4)
                .unwrap()
                .value(),
            "USSSA"
        );
        let name = pid.field(5).unwrap().component(1).unwrap();
        assert_eq!(name.subcomponent(1).unwrap().value(), "EVERYMAN");
        assert_eq!(name.subcomponent(5).unwrap().value(), "Aniston");
        let pd1 = message.segment("PD1").unwrap();
        assert!(
            pd1.raw().ends_with(b"20150202^20150202 "),
            "trailing space kept"
        );
    }

    #[test]
    fn decodes_escape_in_adt_a01_sample() {
        let message = Message::parse(ADT_A01).unwrap();
        let pv1 = message.segment("PV1").unwrap();
        let escaped = pv1
            .fields()
            .find(|field| field.raw().windows(3).any(|window| window == b"\\T\\"))
            .expect("PV1 holds a \\T\\ escape");
        assert!(escaped.value().contains('&'));
        assert!(!escaped.value().contains("\\T\\"));
    }

    #[test]
    fn reads_oru_r01_sample() {
        let message = Message::parse(ORU_R01).unwrap();
        assert_eq!(message.segment_count(), 18);
        assert_eq!(message.version().as_deref(), Some("2.5.1"));
        assert_eq!(message.message_type().unwrap().trigger_event, "R01");
        assert_eq!(message.segments_named("OBX").count(), 5);
        assert_eq!(message.segments_named("NTE").count(), 4);
        let note = message.segment("NTE").unwrap().field(3).unwrap().value();
        assert!(note.contains("O157:H7 & other STECs"), "{note}");
        assert!(message.segment("PV1").is_none());
        let pid = message.segment("PID").unwrap();
        assert_eq!(
            pid.field(5).unwrap().component(2).unwrap().value(),
            "Huckleberry"
        );
    }

    #[test]
    fn reads_bar_p02_sample_with_final_newline() {
        assert_eq!(BAR_P02.last(), Some(&b'\n'));
        let message = Message::parse(BAR_P02).unwrap();
        assert_eq!(
            ids(&message),
            ["MSH", "SFT", "EVN", "PID", "PD1", "PV1", "DB1"]
        );
        assert_eq!(message.message_type().unwrap().code, "BAR");
        let db1 = message.segment("DB1").unwrap();
        assert!(db1.raw().ends_with(b"|20210930|"));
    }

    #[test]
    fn samples_parse_the_same_with_cr_separators() {
        for sample in [ADT_A01, ORU_R01, BAR_P02] {
            let with_cr: Vec<u8> = sample
                .iter()
                .map(|&byte| if byte == b'\n' { b'\r' } else { byte })
                .collect();
            let lf = Message::parse(sample).unwrap();
            let cr = Message::parse(&with_cr).unwrap();
            assert!(
                lf.segments()
                    .map(|s| s.raw())
                    .eq(cr.segments().map(|s| s.raw()))
            );
        }
    }
}
