//! Acknowledgements: building ACK/NAK replies to inbound messages, and reading the ACKs that
//! come back for messages sent.
//!
//! A reply is written with the inbound message's encoding characters, in the layout of the
//! inbound message's version (MSH-12; v2.1 to v2.8, the v2.5 layout when it cannot be read):
//! - MSH-3/4 = inbound MSH-5/6 and MSH-5/6 = inbound MSH-3/4 (sender and receiver swapped),
//!   MSH-7 = the caller's timestamp (no clock is read for it here), MSH-10 = the caller's
//!   control id (see [`next_control_id`]), MSH-11/12 copied from the inbound message (`P` and
//!   `2.5` when it left them empty: both are required);
//! - MSH-9 = `ACK^<inbound trigger event>` before v2.3.1, `ACK^<trigger event>^ACK` from
//!   v2.3.1 on (the message structure component exists from v2.3.1);
//! - MSA-1 = the [`AckCode`], MSA-2 = inbound MSH-10, cut to the length the version allows
//!   (20 characters before v2.6, 199 from v2.6), so a huge MSH-10 is never echoed in full;
//! - the optional text in MSA-3 (at most 80 characters) before v2.7; MSA-3 is withdrawn from
//!   v2.7, so there the text goes to ERR-8 (see [`AckDetails::text`]);
//! - one ERR segment per [`ErrorReport`] from v2.5 (ERR-2 location
//!   `SEG^occurrence^field^repetition^component^subcomponent`, ERR-3 `code^text^HL70357`,
//!   ERR-4 severity, ERR-8 message, at most 250 characters in v2.5 and v2.6), or from v2.2
//!   to v2.4 a single ERR segment with one ERR-1 repetition per report
//!   (`SEG^occurrence^field^code&text&HL70357`, at most 80 characters each, the text cut to
//!   fit); in v2.1, where ERR-1 is a plain coded value, each repetition is the code alone
//!   (the text stays in MSA-3).

use std::borrow::Cow;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use super::build::MessageBuilder;
use super::encoding::Encoding;
use super::escape::{decode_text, escape, escape_truncated, unescape};
use super::parse::{Message, is_segment_terminator, preamble_length};
use super::path::{MAX_INDEX, Path};
use super::segment::{Segment, nth_part};

/// How many bytes of a salvaged control id or unknown MSA-1 are kept.
const SALVAGED_TEXT_LIMIT: usize = 200;

/// MSA-1: the acknowledgment code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AckCode {
    /// `AA`: original mode, application accept.
    ApplicationAccept,
    /// `AE`: original mode, application error.
    ApplicationError,
    /// `AR`: original mode, application reject.
    ApplicationReject,
    /// `CA`: enhanced mode, commit accept.
    CommitAccept,
    /// `CE`: enhanced mode, commit error.
    CommitError,
    /// `CR`: enhanced mode, commit reject.
    CommitReject,
}

impl AckCode {
    const ALL: [AckCode; 6] = [
        AckCode::ApplicationAccept,
        AckCode::ApplicationError,
        AckCode::ApplicationReject,
        AckCode::CommitAccept,
        AckCode::CommitError,
        AckCode::CommitReject,
    ];

    /// The two-letter code, e.g. `"AA"`.
    pub fn as_str(self) -> &'static str {
        match self {
            AckCode::ApplicationAccept => "AA",
            AckCode::ApplicationError => "AE",
            AckCode::ApplicationReject => "AR",
            AckCode::CommitAccept => "CA",
            AckCode::CommitError => "CE",
            AckCode::CommitReject => "CR",
        }
    }

    /// Reads a two-letter code; `None` for anything else.
    pub fn from_code(code: &str) -> Option<Self> {
        AckCode::ALL
            .into_iter()
            .find(|candidate| candidate.as_str() == code)
    }

    /// Whether the message was accepted (`AA` or `CA`).
    pub fn is_accept(self) -> bool {
        matches!(self, AckCode::ApplicationAccept | AckCode::CommitAccept)
    }

    /// Whether this is an enhanced-mode commit acknowledgment (`CA`, `CE`, `CR`).
    pub fn is_commit(self) -> bool {
        matches!(
            self,
            AckCode::CommitAccept | AckCode::CommitError | AckCode::CommitReject
        )
    }
}

impl fmt::Display for AckCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// HL7 table 0357, message error condition codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// 0: message accepted.
    MessageAccepted,
    /// 100: segment sequence error.
    SegmentSequence,
    /// 101: required field missing.
    RequiredFieldMissing,
    /// 102: data type error.
    DataType,
    /// 103: table value not found.
    TableValueNotFound,
    /// 104: value too long (v2.7 and later).
    ValueTooLong,
    /// 200: unsupported message type.
    UnsupportedMessageType,
    /// 201: unsupported event code.
    UnsupportedEventCode,
    /// 202: unsupported processing id.
    UnsupportedProcessingId,
    /// 203: unsupported version id.
    UnsupportedVersionId,
    /// 204: unknown key identifier.
    UnknownKeyIdentifier,
    /// 205: duplicate key identifier.
    DuplicateKeyIdentifier,
    /// 206: application record locked.
    ApplicationRecordLocked,
    /// 207: application internal error.
    ApplicationInternalError,
}

impl ErrorCode {
    /// The numeric code, e.g. 101.
    pub fn code(self) -> u16 {
        match self {
            ErrorCode::MessageAccepted => 0,
            ErrorCode::SegmentSequence => 100,
            ErrorCode::RequiredFieldMissing => 101,
            ErrorCode::DataType => 102,
            ErrorCode::TableValueNotFound => 103,
            ErrorCode::ValueTooLong => 104,
            ErrorCode::UnsupportedMessageType => 200,
            ErrorCode::UnsupportedEventCode => 201,
            ErrorCode::UnsupportedProcessingId => 202,
            ErrorCode::UnsupportedVersionId => 203,
            ErrorCode::UnknownKeyIdentifier => 204,
            ErrorCode::DuplicateKeyIdentifier => 205,
            ErrorCode::ApplicationRecordLocked => 206,
            ErrorCode::ApplicationInternalError => 207,
        }
    }

    /// The table's description, e.g. `"Required field missing"`.
    pub fn description(self) -> &'static str {
        match self {
            ErrorCode::MessageAccepted => "Message accepted",
            ErrorCode::SegmentSequence => "Segment sequence error",
            ErrorCode::RequiredFieldMissing => "Required field missing",
            ErrorCode::DataType => "Data type error",
            ErrorCode::TableValueNotFound => "Table value not found",
            ErrorCode::ValueTooLong => "Value too long",
            ErrorCode::UnsupportedMessageType => "Unsupported message type",
            ErrorCode::UnsupportedEventCode => "Unsupported event code",
            ErrorCode::UnsupportedProcessingId => "Unsupported processing id",
            ErrorCode::UnsupportedVersionId => "Unsupported version id",
            ErrorCode::UnknownKeyIdentifier => "Unknown key identifier",
            ErrorCode::DuplicateKeyIdentifier => "Duplicate key identifier",
            ErrorCode::ApplicationRecordLocked => "Application record locked",
            ErrorCode::ApplicationInternalError => "Application internal error",
        }
    }
}

/// ERR-4: how severe an error is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Severity {
    /// `E`: the message was not processed as sent.
    Error,
    /// `W`: processed, with a warning.
    Warning,
    /// `I`: information only.
    Information,
}

impl Severity {
    /// The one-letter code, e.g. `"E"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "E",
            Severity::Warning => "W",
            Severity::Information => "I",
        }
    }
}

/// One error to report in an ERR segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorReport {
    /// ERR-3 (v2.5+), ERR-1.4 (v2.2 to v2.4) or ERR-1 (v2.1): what went wrong.
    pub code: ErrorCode,
    /// ERR-4 (v2.5+ only).
    pub severity: Severity,
    /// ERR-2 (v2.5+) or ERR-1.1–1.3 (v2.2 to v2.4): where; `None` for the message as a whole.
    pub location: Option<Path>,
    /// ERR-8 (v2.5+) or the text of ERR-1.4 (v2.2 to v2.4): a message for people.
    pub message: Option<String>,
}

/// What the caller decides for a reply: the code, the reply's own control id and timestamp,
/// and the optional text and errors.
#[derive(Clone, Copy, Debug)]
pub struct AckDetails<'r> {
    /// MSA-1.
    pub code: AckCode,
    /// MSH-10 of the reply, written as given: it must be unique and at most 20 characters
    /// long to suit every version, as [`next_control_id`] makes them.
    pub control_id: &'r str,
    /// MSH-7 of the reply, `YYYYMMDDHHMMSS` (optionally with an offset such as `+0000`),
    /// written as given.
    pub timestamp: &'r str,
    /// Text for people: MSA-3 before v2.7 (cut to 80 characters). From v2.7, where MSA-3 is
    /// withdrawn, it becomes ERR-8 of each error report that has no message of its own, or,
    /// without error reports, of one ERR segment of its own: ERR-3 `0` (message accepted) and
    /// severity `I` for an accept, ERR-3 `207` (application internal error) and severity `E`
    /// otherwise.
    pub text: Option<&'r str>,
    /// One ERR segment (or ERR-1 repetition before v2.5) each.
    pub errors: &'r [ErrorReport],
}

const MSH_SENDING_APPLICATION: Path = Path::field_of(*b"MSH", 3);
const MSH_SENDING_FACILITY: Path = Path::field_of(*b"MSH", 4);
const MSH_RECEIVING_APPLICATION: Path = Path::field_of(*b"MSH", 5);
const MSH_RECEIVING_FACILITY: Path = Path::field_of(*b"MSH", 6);
const MSH_TIMESTAMP: Path = Path::field_of(*b"MSH", 7);
const MSH_MESSAGE_TYPE: Path = Path::field_of(*b"MSH", 9);
const MSH_CONTROL_ID: Path = Path::field_of(*b"MSH", 10);
const MSH_PROCESSING_ID: Path = Path::field_of(*b"MSH", 11);
const MSH_VERSION: Path = Path::field_of(*b"MSH", 12);
const MSA_CODE: Path = Path::field_of(*b"MSA", 1);
const MSA_CONTROL_ID: Path = Path::field_of(*b"MSA", 2);
const MSA_TEXT: Path = Path::field_of(*b"MSA", 3);
const ERR_LEGACY_LOCATION: Path = Path::field_of(*b"ERR", 1);
const ERR_LOCATION: Path = Path::field_of(*b"ERR", 2);
const ERR_CODE: Path = Path::field_of(*b"ERR", 3);
const ERR_SEVERITY: Path = Path::field_of(*b"ERR", 4);
const ERR_USER_MESSAGE: Path = Path::field_of(*b"ERR", 8);
const ERROR_CODE_TABLE: &str = "HL70357";

/// MSH-11 written when the inbound message left it empty.
const DEFAULT_PROCESSING_ID: &[u8] = b"P";
/// The version whose layout is used when the inbound one cannot be read, written to MSH-12
/// when the inbound message left it empty.
const DEFAULT_VERSION: &str = "2.5";
/// MSA-3 (ST) is at most 80 characters in every version that has it.
const MSA_TEXT_LENGTH: usize = 80;
/// One repetition of ERR-1 (before v2.5) is at most 80 characters.
const LEGACY_ERROR_LENGTH: usize = 80;

/// Builds the reply to `inbound` (see the module documentation for its content).
pub fn build_ack(inbound: &Message<'_>, details: &AckDetails<'_>) -> Vec<u8> {
    let encoding = inbound.encoding();
    let mut builder = MessageBuilder::new(encoding);
    let header = inbound.header();
    let copied = [
        (MSH_SENDING_APPLICATION, 5, &b""[..]),
        (MSH_SENDING_FACILITY, 6, b""),
        (MSH_RECEIVING_APPLICATION, 3, b""),
        (MSH_RECEIVING_FACILITY, 4, b""),
        (MSH_PROCESSING_ID, 11, DEFAULT_PROCESSING_ID),
        (MSH_VERSION, 12, DEFAULT_VERSION.as_bytes()),
    ];
    for (ours, theirs, default) in copied {
        let value = header
            .field(theirs)
            .map(|field| field.raw())
            .filter(|raw| !raw.is_empty())
            .unwrap_or(default);
        builder.write(&ours, value);
    }
    let trigger_event = header
        .field(9)
        .and_then(|field| field.component(2))
        .map_or(&b""[..], |component| component.raw());
    let profile = AckProfile::for_version(inbound.version().as_deref());
    let raw_control_id = header.field(10).map_or(&b""[..], |field| field.raw());
    let acknowledged = if raw_control_id.len() <= profile.control_id_length {
        Cow::Borrowed(raw_control_id)
    } else {
        let value = unescape(raw_control_id, &encoding);
        let kept = escape_truncated(&value, &encoding, profile.control_id_length);
        Cow::Owned(kept.into_owned().into_bytes())
    };
    write_reply(&mut builder, trigger_event, &acknowledged, details, profile);
    builder.build()
}

/// Builds a reply (usually `AR`) for input that could not be parsed, from the little that
/// could be read of it: its field separator and MSH-10 (see [`salvage_header`]). The other
/// encoding characters are the standard ones (all standard ones when `field_separator`
/// conflicts with them); MSH-3 to MSH-6 are left empty, MSH-11 is `P`, and the reply is a
/// v2.5 one (MSH-12 `2.5`, MSA-2 cut to 20 characters, ERR segments in the v2.5 layout).
pub fn build_ack_for_unparsed(
    field_separator: u8,
    inbound_control_id: &str,
    details: &AckDetails<'_>,
) -> Vec<u8> {
    let standard = Encoding::STANDARD;
    let encoding = Encoding::new(
        field_separator,
        standard.component_separator(),
        standard.repetition_separator(),
        standard.escape_character(),
        standard.subcomponent_separator(),
    )
    .unwrap_or(standard);
    let mut builder = MessageBuilder::new(encoding);
    builder.write(&MSH_PROCESSING_ID, DEFAULT_PROCESSING_ID);
    builder.write(&MSH_VERSION, DEFAULT_VERSION.as_bytes());
    let profile = AckProfile::for_version(Some(DEFAULT_VERSION));
    let acknowledged = escape_truncated(inbound_control_id, &encoding, profile.control_id_length);
    write_reply(&mut builder, b"", acknowledged.as_bytes(), details, profile);
    builder.build()
}

/// The last number [`next_control_id`] handed out in this process.
static LAST_CONTROL_NUMBER: AtomicU64 = AtomicU64::new(0);

/// A new control id for a reply's MSH-10: `SB` followed by the time in milliseconds since
/// 1970 times 1000 plus a counter, so it reads as a time and never repeats within the
/// process, even for replies made within one millisecond (the number only grows: it is one
/// more than the last one handed out when that is not below the clock's). It is 18
/// characters long until the year 2286, within the 20 that MSH-10 allows before v2.6.
pub fn next_control_id() -> String {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_millis())
        .unwrap_or_default();
    let floor = u64::try_from(millis)
        .unwrap_or(u64::MAX)
        .saturating_mul(1000);
    let following = |last: u64| last.saturating_add(1).max(floor);
    let previous = LAST_CONTROL_NUMBER
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |last| {
            Some(following(last))
        })
        .unwrap_or_else(|last| last);
    format!("SB{}", following(previous))
}

/// How ERR segments are laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ErrLayout {
    /// v2.5 and later: ERR-2 location, ERR-3 code, ERR-4 severity, ERR-8 message.
    Segmented,
    /// v2.2 to v2.4: ERR-1 `SEG^occurrence^field^code&text&table`, repeating.
    Legacy,
    /// v2.1: ERR-1 is a plain coded value, repeating: the code only.
    Coded,
}

/// What the version being answered allows in a reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct AckProfile {
    /// Whether MSH-9 has the message structure component (v2.3.1 and later).
    message_structure: bool,
    /// How ERR segments are laid out.
    errors: ErrLayout,
    /// Whether MSA-3 exists (before v2.7).
    text_in_msa: bool,
    /// Maximum length of MSA-2 (and MSH-10): 20 before v2.6, 199 from v2.6.
    control_id_length: usize,
    /// Maximum length of ERR-8: 250 in v2.5 and v2.6, none given later.
    user_message_length: usize,
}

impl AckProfile {
    /// The profile of a version such as `2.3.1`; the v2.5 one when it cannot be read.
    fn for_version(version: Option<&str>) -> Self {
        let number = version
            .and_then(version_number)
            .or_else(|| version_number(DEFAULT_VERSION))
            .unwrap_or_default();
        AckProfile {
            message_structure: number >= (2, 3, 1),
            errors: if number < (2, 2, 0) {
                ErrLayout::Coded
            } else if number < (2, 5, 0) {
                ErrLayout::Legacy
            } else {
                ErrLayout::Segmented
            },
            text_in_msa: number < (2, 7, 0),
            control_id_length: if number < (2, 6, 0) { 20 } else { 199 },
            user_message_length: if number < (2, 7, 0) { 250 } else { usize::MAX },
        }
    }
}

/// `2.3.1` as `(2, 3, 1)` and `2.5` as `(2, 5, 0)`; `None` unless it is a v2 version.
fn version_number(version: &str) -> Option<(u32, u32, u32)> {
    let mut numbers = version
        .trim()
        .split('.')
        .map(|number| number.parse::<u32>());
    let major = numbers.next()?.ok()?;
    let minor = numbers.next()?.ok()?;
    let patch = numbers.next().map_or(Ok(0), |patch| patch).ok()?;
    (major == 2 && numbers.next().is_none()).then_some((major, minor, patch))
}

/// Writes everything but the copied MSH fields. `trigger_event` and `acknowledged_control_id`
/// are already encoded with the builder's encoding.
fn write_reply(
    builder: &mut MessageBuilder,
    trigger_event: &[u8],
    acknowledged_control_id: &[u8],
    details: &AckDetails<'_>,
    profile: AckProfile,
) {
    let encoding = builder.encoding();
    let text = |value: &str| escape(value, &encoding).into_owned().into_bytes();
    builder.write(&MSH_TIMESTAMP, &text(details.timestamp));
    builder.write(&MSH_MESSAGE_TYPE.at_component(1), b"ACK");
    builder.write(&MSH_MESSAGE_TYPE.at_component(2), trigger_event);
    if profile.message_structure {
        builder.write(&MSH_MESSAGE_TYPE.at_component(3), b"ACK");
    }
    builder.write(&MSH_CONTROL_ID, &text(details.control_id));
    builder.write(&MSA_CODE, details.code.as_str().as_bytes());
    builder.write(&MSA_CONTROL_ID, acknowledged_control_id);
    if let Some(message) = details.text.filter(|_| profile.text_in_msa) {
        let kept = escape_truncated(message, &encoding, MSA_TEXT_LENGTH);
        builder.write(&MSA_TEXT, kept.as_bytes());
    }
    let max_reports = u16::try_from(MAX_INDEX).unwrap_or(u16::MAX);
    for (number, report) in (1..=max_reports).zip(reports_to_write(details, profile).iter()) {
        match profile.errors {
            ErrLayout::Segmented => {
                write_segmented_error(builder, number, report, profile.user_message_length);
            }
            ErrLayout::Legacy => write_legacy_error(builder, number, report),
            ErrLayout::Coded => {
                let path = ERR_LEGACY_LOCATION.at_repetition(number);
                builder.write(&path, report.code.code().to_string().as_bytes());
            }
        }
    }
}

/// The error reports to write: the caller's, and from v2.7 the text that MSA-3 can no longer
/// hold (see [`AckDetails::text`]).
fn reports_to_write<'d>(details: &AckDetails<'d>, profile: AckProfile) -> Cow<'d, [ErrorReport]> {
    let Some(text) = details.text.filter(|_| !profile.text_in_msa) else {
        return Cow::Borrowed(details.errors);
    };
    if details.errors.is_empty() {
        let (code, severity) = if details.code.is_accept() {
            (ErrorCode::MessageAccepted, Severity::Information)
        } else {
            (ErrorCode::ApplicationInternalError, Severity::Error)
        };
        return Cow::Owned(vec![ErrorReport {
            code,
            severity,
            location: None,
            message: Some(text.to_owned()),
        }]);
    }
    let with_text = details.errors.iter().map(|report| ErrorReport {
        message: report.message.clone().or_else(|| Some(text.to_owned())),
        ..report.clone()
    });
    Cow::Owned(with_text.collect())
}

/// The location components `SEG^occurrence^field[^repetition^component^subcomponent]`.
fn location_components(location: &Path) -> Vec<String> {
    let repetition = location.repetition().or(location.component().map(|_| 1));
    let mut components = vec![
        location.segment_id().to_owned(),
        location.occurrence().unwrap_or(1).to_string(),
        location.field().to_string(),
    ];
    components.extend(
        [repetition, location.component(), location.subcomponent()]
            .into_iter()
            .flatten()
            .map(|number| number.to_string()),
    );
    components
}

fn write_segmented_error(
    builder: &mut MessageBuilder,
    number: u16,
    report: &ErrorReport,
    user_message_length: usize,
) {
    let encoding = builder.encoding();
    if let Some(location) = &report.location {
        for (component, value) in (1..).zip(location_components(location)) {
            let path = ERR_LOCATION.in_occurrence(number).at_component(component);
            builder.write(&path, value.as_bytes());
        }
    }
    let code = [
        report.code.code().to_string(),
        report.code.description().to_owned(),
        ERROR_CODE_TABLE.to_owned(),
    ];
    for (component, value) in (1..).zip(code) {
        let path = ERR_CODE.in_occurrence(number).at_component(component);
        builder.write(&path, value.as_bytes());
    }
    let severity = ERR_SEVERITY.in_occurrence(number);
    builder.write(&severity, report.severity.as_str().as_bytes());
    if let Some(message) = &report.message {
        let path = ERR_USER_MESSAGE.in_occurrence(number);
        let kept = escape_truncated(message, &encoding, user_message_length);
        builder.write(&path, kept.as_bytes());
    }
}

fn write_legacy_error(builder: &mut MessageBuilder, repetition: u16, report: &ErrorReport) {
    let encoding = builder.encoding();
    let field = ERR_LEGACY_LOCATION.at_repetition(repetition);
    let location: Vec<String> = report
        .location
        .as_ref()
        .map(location_components)
        .unwrap_or_default()
        .into_iter()
        .take(3)
        .collect();
    for (component, value) in (1..).zip(&location) {
        builder.write(&field.at_component(component), value.as_bytes());
    }
    let code = report.code.code().to_string();
    // `SEG^occurrence^field^code&` before the text, `&HL70357` after it.
    let around_text = location.iter().map(String::len).sum::<usize>()
        + 3
        + code.len()
        + 2
        + ERROR_CODE_TABLE.len();
    let text = report
        .message
        .as_deref()
        .unwrap_or(report.code.description());
    let text_length = LEGACY_ERROR_LENGTH.saturating_sub(around_text);
    let subcomponents = [
        code,
        escape_truncated(text, &encoding, text_length).into_owned(),
        ERROR_CODE_TABLE.to_owned(),
    ];
    for (subcomponent, value) in (1..).zip(subcomponents) {
        let path = field.at_component(4).at_subcomponent(subcomponent);
        builder.write(&path, value.as_bytes());
    }
}

/// What could be read of the header of input that does not parse: enough to reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SalvagedHeader {
    /// The byte after `MSH`, when there is one.
    pub field_separator: Option<u8>,
    /// MSH-10 as raw text (not escape-decoded, at most 200 bytes), when present and not empty.
    pub control_id: Option<String>,
}

/// Reads the field separator and MSH-10 from the first line of `raw`, however broken the rest,
/// for [`build_ack_for_unparsed`]. Leading whitespace and a byte order mark are skipped.
pub fn salvage_header(raw: &[u8]) -> SalvagedHeader {
    let start = preamble_length(raw);
    let rest = raw.get(start..).unwrap_or_default();
    let line_end = rest
        .iter()
        .position(|&byte| is_segment_terminator(byte))
        .unwrap_or(rest.len());
    let line = rest.get(..line_end).unwrap_or_default();
    let field_separator = line
        .starts_with(b"MSH")
        .then(|| line.get(3).copied())
        .flatten();
    let control_id = field_separator
        .and_then(|separator| nth_part(line, separator, 10))
        .filter(|control_id| !control_id.is_empty())
        .map(|control_id| {
            let kept = control_id.get(..SALVAGED_TEXT_LIMIT).unwrap_or(control_id);
            decode_text(kept).into_owned()
        });
    SalvagedHeader {
        field_separator,
        control_id,
    }
}

/// An acknowledgment received for a message sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceivedAck<'a> {
    /// MSA-1.
    pub code: AckCode,
    /// MSA-2: the control id of the message acknowledged.
    pub acknowledged_control_id: Option<Cow<'a, str>>,
    /// MSA-3, if not empty.
    pub text: Option<Cow<'a, str>>,
    /// One text per ERR segment: ERR-8, else ERR-3.2, else ERR-3.1, else the text or code in
    /// ERR-1.4 (layout before v2.5), else all of ERR-1.
    pub errors: Vec<Cow<'a, str>>,
}

/// Why a message could not be read as an acknowledgment.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AckReadError {
    /// There is no MSA segment.
    #[error("acknowledgment has no MSA segment")]
    MissingMsa,
    /// MSA-1 is empty or absent.
    #[error("MSA-1 (acknowledgment code) is empty")]
    MissingCode,
    /// MSA-1 is not one of AA, AE, AR, CA, CE, CR.
    #[error("MSA-1 holds {found:?}, which is not an acknowledgment code (AA, AE, AR, CA, CE, CR)")]
    UnknownCode {
        /// The value found (at most 200 bytes).
        found: String,
    },
}

impl<'a> ReceivedAck<'a> {
    /// Reads MSA and ERR from `message`.
    pub fn read(message: &Message<'a>) -> Result<Self, AckReadError> {
        let msa = message.segment("MSA").ok_or(AckReadError::MissingMsa)?;
        let value = |path: &Path| {
            path.locate_in(&msa)
                .filter(|raw| !raw.is_empty())
                .map(|raw| unescape(raw, &message.encoding()))
        };
        let code_text = value(&MSA_CODE).ok_or(AckReadError::MissingCode)?;
        let code = AckCode::from_code(&code_text).ok_or_else(|| AckReadError::UnknownCode {
            found: code_text.chars().take(SALVAGED_TEXT_LIMIT).collect(),
        })?;
        Ok(ReceivedAck {
            code,
            acknowledged_control_id: value(&MSA_CONTROL_ID),
            text: value(&MSA_TEXT),
            errors: message
                .segments_named("ERR")
                .filter_map(|err| error_text(&err))
                .collect(),
        })
    }
}

/// The most useful text of one ERR segment (see [`ReceivedAck::errors`]).
fn error_text<'a>(err: &Segment<'a>) -> Option<Cow<'a, str>> {
    let candidates = [
        ERR_USER_MESSAGE,
        ERR_CODE.at_component(2),
        ERR_CODE.at_component(1),
        ERR_LEGACY_LOCATION.at_component(4).at_subcomponent(2),
        ERR_LEGACY_LOCATION.at_component(4).at_subcomponent(1),
        ERR_LEGACY_LOCATION,
    ];
    candidates.iter().find_map(|path| {
        path.locate_in(err)
            .filter(|raw| !raw.is_empty())
            .map(|raw| unescape(raw, &err.encoding()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const INBOUND: &[u8] = b"MSH|^~\\&|LAB|LABFAC^1.2.3^ISO|EHR|EHRFAC|20240101120000||ORU^R01^ORU_R01|MSG-42|P|2.5.1|||AL|NE\r\
PID|1||123^^^HOSP^MR\r\
OBR|1\r\
OBX|1|NM|8867-4^Heart rate^LN||72|/min\r";

    fn details<'r>(code: AckCode, errors: &'r [ErrorReport]) -> AckDetails<'r> {
        AckDetails {
            code,
            control_id: "ACK-1",
            timestamp: "20240101120001",
            text: None,
            errors,
        }
    }

    fn lines(raw: &[u8]) -> Vec<String> {
        String::from_utf8(raw.to_vec())
            .unwrap()
            .split_terminator('\r')
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn ack_codes_read_and_write() {
        for code in AckCode::ALL {
            assert_eq!(AckCode::from_code(code.as_str()), Some(code));
            assert_eq!(code.to_string(), code.as_str());
        }
        assert_eq!(AckCode::from_code("aa"), None);
        assert!(AckCode::CommitAccept.is_accept() && AckCode::CommitAccept.is_commit());
        assert!(!AckCode::ApplicationError.is_accept());
        assert!(!AckCode::ApplicationReject.is_commit());
        assert_eq!(ErrorCode::ApplicationInternalError.code(), 207);
        assert_eq!(
            ErrorCode::SegmentSequence.description(),
            "Segment sequence error"
        );
        assert_eq!(Severity::Warning.as_str(), "W");
    }

    #[test]
    fn builds_accept_with_swapped_sender_and_receiver() {
        let inbound = Message::parse(INBOUND).unwrap();
        let ack = build_ack(&inbound, &details(AckCode::ApplicationAccept, &[]));
        assert_eq!(
            lines(&ack),
            [
                "MSH|^~\\&|EHR|EHRFAC|LAB|LABFAC^1.2.3^ISO|20240101120001||ACK^R01^ACK|ACK-1|P|2.5.1",
                "MSA|AA|MSG-42",
            ]
        );
        let parsed = Message::parse(&ack).unwrap();
        assert_eq!(parsed.get("MSH-4.2").as_deref(), None);
        assert_eq!(parsed.get("MSH-6.2").as_deref(), Some("1.2.3"));
    }

    #[test]
    fn builds_error_with_segmented_err_for_v25() {
        let inbound = Message::parse(INBOUND).unwrap();
        let errors = [
            ErrorReport {
                code: ErrorCode::RequiredFieldMissing,
                severity: Severity::Error,
                location: Some(Path::parse("PID-5").unwrap()),
                message: Some("Patient name | required".into()),
            },
            ErrorReport {
                code: ErrorCode::DataType,
                severity: Severity::Warning,
                location: Some(Path::parse("OBX[1]-5[1].2").unwrap()),
                message: None,
            },
        ];
        let reply = AckDetails {
            text: Some("Rejected: see ERR"),
            ..details(AckCode::ApplicationError, &errors)
        };
        let ack = build_ack(&inbound, &reply);
        assert_eq!(
            lines(&ack)[1..],
            [
                "MSA|AE|MSG-42|Rejected: see ERR",
                "ERR||PID^1^5|101^Required field missing^HL70357|E||||Patient name \\F\\ required",
                "ERR||OBX^1^5^1^2|102^Data type error^HL70357|W",
            ]
        );
    }

    #[test]
    fn builds_error_with_legacy_err_before_v25() {
        let inbound =
            Message::parse(b"MSH|^~\\&|A|B|C|D|20240101||ADT^A08|X9|T|2.3\rPID|1").unwrap();
        let errors = [
            ErrorReport {
                code: ErrorCode::RequiredFieldMissing,
                severity: Severity::Error,
                location: Some(Path::parse("PID-5.1").unwrap()),
                message: Some("Name & surname missing".into()),
            },
            ErrorReport {
                code: ErrorCode::ApplicationInternalError,
                severity: Severity::Error,
                location: None,
                message: None,
            },
        ];
        let ack = build_ack(&inbound, &details(AckCode::ApplicationReject, &errors));
        assert_eq!(
            lines(&ack),
            [
                "MSH|^~\\&|C|D|A|B|20240101120001||ACK^A08|ACK-1|T|2.3",
                "MSA|AR|X9",
                "ERR|PID^1^5^101&Name \\T\\ surname missing&HL70357~^^^207&Application internal error&HL70357",
            ]
        );
    }

    #[test]
    fn keeps_the_inbound_encoding() {
        let inbound = Message::parse(b"MSH#$%*@#A#B#C#D#1##ADT$A01#7#P#2.5").unwrap();
        let reply = AckDetails {
            text: Some("ok # $ done"),
            ..details(AckCode::CommitAccept, &[])
        };
        let ack = build_ack(&inbound, &reply);
        assert_eq!(
            lines(&ack),
            [
                "MSH#$%*@#C#D#A#B#20240101120001##ACK$A01$ACK#ACK-1#P#2.5",
                "MSA#CA#7#ok *F* *S* done",
            ]
        );
    }

    #[test]
    fn rejects_unparsed_input_from_salvaged_header() {
        let broken = b"\xEF\xBB\xBFMSH|^~|A|B|C|D|20240101||ADT^A01|CTRL-7|P|2.5\rP|broken";
        assert!(Message::parse(broken).is_err());
        let salvaged = salvage_header(broken);
        assert_eq!(
            salvaged,
            SalvagedHeader {
                field_separator: Some(b'|'),
                control_id: Some("CTRL-7".into()),
            }
        );
        let errors = [ErrorReport {
            code: ErrorCode::ApplicationInternalError,
            severity: Severity::Error,
            location: None,
            message: Some("MSH-2 at byte 7: encoding characters missing".into()),
        }];
        let reply = AckDetails {
            text: Some("unparseable"),
            ..details(AckCode::ApplicationReject, &errors)
        };
        let nak = build_ack_for_unparsed(b'|', "CTRL-7", &reply);
        assert_eq!(
            lines(&nak),
            [
                "MSH|^~\\&|||||20240101120001||ACK^^ACK|ACK-1|P|2.5",
                "MSA|AR|CTRL-7|unparseable",
                "ERR|||207^Application internal error^HL70357|E||||MSH-2 at byte 7: encoding characters missing",
            ]
        );
        let odd = build_ack_for_unparsed(b'^', "C|1", &details(AckCode::ApplicationReject, &[]));
        assert_eq!(lines(&odd)[1], "MSA|AR|C\\F\\1");
    }

    #[test]
    fn salvage_reads_what_it_can() {
        let none = SalvagedHeader {
            field_separator: None,
            control_id: None,
        };
        assert_eq!(salvage_header(b""), none);
        assert_eq!(salvage_header(b"PID|1|2|3"), none);
        assert_eq!(
            salvage_header(b"MSH|^~\\&|A"),
            SalvagedHeader {
                field_separator: Some(b'|'),
                control_id: None,
            }
        );
        let long = [b"MSH|||||||||".as_slice(), &[b'9'; 500]].concat();
        assert_eq!(
            salvage_header(&long).control_id.map(|id| id.len()),
            Some(200)
        );
    }

    #[test]
    fn reads_received_acks_of_both_layouts() {
        let inbound = Message::parse(INBOUND).unwrap();
        let errors = [ErrorReport {
            code: ErrorCode::UnsupportedMessageType,
            severity: Severity::Error,
            location: None,
            message: Some("ORU not accepted here".into()),
        }];
        let reply = AckDetails {
            text: Some("no"),
            ..details(AckCode::ApplicationReject, &errors)
        };
        let ack_bytes = build_ack(&inbound, &reply);
        let ack = Message::parse(&ack_bytes).unwrap();
        let received = ReceivedAck::read(&ack).unwrap();
        assert_eq!(received.code, AckCode::ApplicationReject);
        assert_eq!(received.acknowledged_control_id.as_deref(), Some("MSG-42"));
        assert_eq!(received.text.as_deref(), Some("no"));
        assert_eq!(received.errors, ["ORU not accepted here"]);

        let legacy = Message::parse(
            b"MSH|^~\\&|||||||ACK|1|P|2.4\rMSA|AE|55\rERR|PID^1^5^101&Name missing&HL70357\rERR|^^^207",
        )
        .unwrap();
        let received = ReceivedAck::read(&legacy).unwrap();
        assert_eq!(received.code, AckCode::ApplicationError);
        assert_eq!(received.text, None);
        assert_eq!(received.errors, ["Name missing", "207"]);

        let code_only = Message::parse(
            b"MSH|^~\\&|||||||ACK|1|P|2.5\rMSA|CA|9\rERR||PID^1|102^Data type error",
        )
        .unwrap();
        assert_eq!(
            ReceivedAck::read(&code_only).unwrap().errors,
            ["Data type error"]
        );
    }

    #[test]
    fn reports_unreadable_acks() {
        fn read(raw: &[u8]) -> Result<ReceivedAck<'_>, AckReadError> {
            ReceivedAck::read(&Message::parse(raw).unwrap())
        }
        assert_eq!(read(b"MSH|^~\\&\rPID|1"), Err(AckReadError::MissingMsa));
        assert_eq!(read(b"MSH|^~\\&\rMSA||1"), Err(AckReadError::MissingCode));
        assert_eq!(read(b"MSH|^~\\&\rMSA"), Err(AckReadError::MissingCode));
        let unknown = read(b"MSH|^~\\&\rMSA|OK|1").unwrap_err();
        assert_eq!(
            unknown.to_string(),
            "MSA-1 holds \"OK\", which is not an acknowledgment code (AA, AE, AR, CA, CE, CR)"
        );
    }

    #[test]
    fn chooses_the_layout_by_version() {
        let profile = |version| AckProfile::for_version(Some(version));
        for version in ["2.1", "2.2", "2.3"] {
            assert!(!profile(version).message_structure, "{version}");
        }
        for version in ["2.3.1", "2.4", "2.5", "2.8"] {
            assert!(profile(version).message_structure, "{version}");
        }
        assert_eq!(profile("2.3.1").errors, ErrLayout::Legacy);
        assert_eq!(profile("2.1").errors, ErrLayout::Coded);
        assert_eq!(profile("2.2").errors, ErrLayout::Legacy);
        assert_eq!(profile("2.4").errors, ErrLayout::Legacy);
        assert_eq!(profile("2.5").errors, ErrLayout::Segmented);
        assert_eq!(profile("2.8").errors, ErrLayout::Segmented);
        assert!(profile("2.6").text_in_msa && !profile("2.7").text_in_msa);
        assert!(!profile("2.7.1").text_in_msa && !profile("2.8.2").text_in_msa);
        assert_eq!(profile("2.5.1").control_id_length, 20);
        assert_eq!(profile("2.6").control_id_length, 199);
        assert_eq!(profile("2.6").user_message_length, 250);
        assert_eq!(profile("2.7").user_message_length, usize::MAX);
        let default = profile("2.5");
        assert_eq!(profile("v2"), default);
        assert_eq!(profile("2"), default);
        assert_eq!(profile("2.5.1.1"), default);
        assert_eq!(profile("3.0"), default);
        assert_eq!(AckProfile::for_version(None), default);
        assert_eq!(version_number(DEFAULT_VERSION), Some((2, 5, 0)));
    }

    #[test]
    fn writes_v21_with_two_part_message_type_and_coded_errors() {
        let inbound =
            Message::parse(b"MSH|^~\\&|A|B|C|D|20240101||ADT^A04|X1|P|2.1\rPID|1").unwrap();
        let errors = [
            ErrorReport {
                code: ErrorCode::RequiredFieldMissing,
                severity: Severity::Error,
                location: Some(Path::parse("PID-5").unwrap()),
                message: Some("name missing".into()),
            },
            ErrorReport {
                code: ErrorCode::ApplicationInternalError,
                severity: Severity::Error,
                location: None,
                message: None,
            },
        ];
        let reply = AckDetails {
            text: Some("PID-5 is empty"),
            ..details(AckCode::ApplicationError, &errors)
        };
        assert_eq!(
            lines(&build_ack(&inbound, &reply)),
            [
                "MSH|^~\\&|C|D|A|B|20240101120001||ACK^A04|ACK-1|P|2.1",
                "MSA|AE|X1|PID-5 is empty",
                "ERR|101~207",
            ]
        );
    }

    #[test]
    fn fills_required_header_fields_the_sender_left_empty() {
        let inbound = Message::parse(b"MSH|^~\\&|A|B|C|D|20240101||ADT^A04|X1\rPID|1").unwrap();
        let ack = build_ack(&inbound, &details(AckCode::ApplicationAccept, &[]));
        assert_eq!(
            lines(&ack)[0],
            "MSH|^~\\&|C|D|A|B|20240101120001||ACK^A04^ACK|ACK-1|P|2.5"
        );
    }

    #[test]
    fn moves_the_text_to_err_from_v27() {
        let inbound =
            Message::parse(b"MSH|^~\\&|A|B|C|D|20240101||ADT^A04^ADT_A01|X1|P|2.7\rPID|1").unwrap();
        let accept = AckDetails {
            text: Some("stored as message 5"),
            ..details(AckCode::ApplicationAccept, &[])
        };
        assert_eq!(
            lines(&build_ack(&inbound, &accept))[1..],
            [
                "MSA|AA|X1",
                "ERR|||0^Message accepted^HL70357|I||||stored as message 5",
            ]
        );
        let not_stored = AckDetails {
            text: Some("could not be stored"),
            ..details(AckCode::CommitReject, &[])
        };
        assert_eq!(
            lines(&build_ack(&inbound, &not_stored))[2],
            "ERR|||207^Application internal error^HL70357|E||||could not be stored"
        );
        let errors = [
            ErrorReport {
                code: ErrorCode::RequiredFieldMissing,
                severity: Severity::Error,
                location: Some(Path::parse("PID-5").unwrap()),
                message: None,
            },
            ErrorReport {
                code: ErrorCode::DataType,
                severity: Severity::Warning,
                location: None,
                message: Some("own message".into()),
            },
        ];
        let error = AckDetails {
            text: Some("see | ERR"),
            ..details(AckCode::ApplicationError, &errors)
        };
        assert_eq!(
            lines(&build_ack(&inbound, &error))[1..],
            [
                "MSA|AE|X1",
                "ERR||PID^1^5|101^Required field missing^HL70357|E||||see \\F\\ ERR",
                "ERR|||102^Data type error^HL70357|W||||own message",
            ]
        );
    }

    #[test]
    fn bounds_echoed_and_written_text_by_version() {
        let huge_id = "7".repeat(100_000);
        let raw = |version: &str| {
            format!("MSH|^~\\&|A|B|C|D|20240101||ADT^A04|{huge_id}|P|{version}\rPID|1").into_bytes()
        };
        let long_text = "x".repeat(300);
        let errors = [ErrorReport {
            code: ErrorCode::ApplicationInternalError,
            severity: Severity::Error,
            location: Some(Path::parse("PID-5").unwrap()),
            message: Some(long_text.clone()),
        }];
        let reply = AckDetails {
            text: Some(&long_text),
            ..details(AckCode::ApplicationError, &errors)
        };
        let field =
            |ack: &[u8], path: &str| Message::parse(ack).unwrap().get(path).unwrap().into_owned();
        let ack = build_ack(&Message::parse(&raw("2.4")).unwrap(), &reply);
        assert_eq!(field(&ack, "MSA-2"), "7".repeat(20));
        assert_eq!(field(&ack, "MSA-3"), "x".repeat(80));
        let err = lines(&ack)[2].clone();
        assert_eq!(err.len(), "ERR|".len() + 80, "{err}");
        assert!(err.starts_with("ERR|PID^1^5^207&xxx") && err.ends_with("x&HL70357"));
        let ack = build_ack(&Message::parse(&raw("2.5.1")).unwrap(), &reply);
        assert_eq!(field(&ack, "MSA-2").len(), 20);
        assert_eq!(field(&ack, "ERR-8"), "x".repeat(250));
        let ack = build_ack(&Message::parse(&raw("2.8")).unwrap(), &reply);
        assert_eq!(field(&ack, "MSA-2").len(), 199);
        assert_eq!(field(&ack, "ERR-8"), long_text);
        // A cut never splits an escape sequence.
        let escaped = b"MSH|^~\\&|A|B|C|D|20240101||ADT^A04|1234567890123456789\\F\\1|P|2.3\rPID|1";
        let ack = build_ack(&Message::parse(escaped).unwrap(), &reply);
        assert_eq!(
            lines(&ack)[1].split('|').nth(2),
            Some("1234567890123456789")
        );
        let unparsed = build_ack_for_unparsed(b'|', &huge_id, &reply);
        assert_eq!(field(&unparsed, "MSA-2").len(), 20);
    }

    #[test]
    fn control_ids_made_in_a_tight_loop_are_distinct() {
        let ids: Vec<String> = (0..10_000).map(|_| next_control_id()).collect();
        let distinct: std::collections::HashSet<&String> = ids.iter().collect();
        assert_eq!(distinct.len(), ids.len());
        assert!(ids.iter().all(|id| id.len() <= 20 && id.starts_with("SB")));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                std::thread::spawn(|| (0..1000).map(|_| next_control_id()).collect::<Vec<_>>())
            })
            .collect();
        let mut all: std::collections::HashSet<String> = ids.into_iter().collect();
        for thread in threads {
            for id in thread.join().unwrap() {
                assert!(all.insert(id), "control id made twice");
            }
        }
    }
}
