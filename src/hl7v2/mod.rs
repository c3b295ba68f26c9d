//! HL7 v2 (versions 2.1 to 2.8): parsing, path access, escaping, building, acknowledgements
//! and MLLP framing.
//!
//! - [`Message::parse`] indexes segment boundaries once over `&[u8]` without copying; fields,
//!   repetitions, components and subcomponents are split when accessed ([`Segment`],
//!   [`Field`]).
//! - Values come back as `Cow<str>` with escape sequences decoded ([`mod@escape`] module); bytes
//!   that are not UTF-8 are read as ISO-8859-1 (Latin-1), never replaced.
//! - Terse paths such as `PID-3[2].1` or `FT1[2]-10` ([`Path`], [`Message::get`]).
//! - [`MessageBuilder`] writes outbound messages; [`build_ack`] and
//!   [`build_ack_for_unparsed`] write replies; [`ReceivedAck`] reads them.
//! - [`MllpCodec`] frames messages on a byte stream.
//! - [`Limits`] caps the segments, fields, repetitions and components of a message, for
//!   readers that do work per element.
//!
//! ```
//! use switchboard::hl7v2::Message;
//!
//! let raw = b"MSH|^~\\&|LAB|HOSP|EHR|HOSP|20240101120000||ORU^R01|42|P|2.5\rPID|1||123^^^HOSP^MR||DOE^JANE";
//! let message = Message::parse(raw)?;
//! assert_eq!(message.get("PID-5.2").as_deref(), Some("JANE"));
//! assert_eq!(message.control_id().as_deref(), Some("42"));
//! # Ok::<(), switchboard::hl7v2::ParseError>(())
//! ```

pub mod ack;
pub mod batch;
pub mod build;
pub mod encoding;
pub mod escape;
pub mod limits;
pub mod mllp;
pub mod names;
pub mod parse;
pub mod path;
pub mod segment;
pub mod tree;

pub use ack::{
    AckCode, AckDetails, AckReadError, ErrorCode, ErrorReport, ReceivedAck, SalvagedHeader,
    Severity, build_ack, build_ack_for_unparsed, next_control_id, salvage_header,
};
pub use build::{BuildError, MessageBuilder};
pub use encoding::{Encoding, EncodingError};
pub use escape::{decode_text, escape, escape_truncated, unescape};
pub use limits::{Limit, LimitExceeded, Limits};
pub use mllp::{MllpCodec, MllpError, MllpFrame, OversizedFrame};
pub use parse::{Message, MessageIndex, MessageType, ParseError};
pub use path::{Path, PathError, PathProblem};
pub use segment::{Component, Field, Repetition, Segment, Subcomponent};
