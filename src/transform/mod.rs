//! Transforms that reshape an HL7 v2 message and hand it on as HL7 v2: declarative edit lists
//! (`mappings/NAME.toml` with `kind = "hl7v2-edit"`, [`EditList`]).
//!
//! A transform reads the message once ([`crate::hl7v2::MessageBuilder::from_message`]), applies
//! its edits in order and writes the result with the message's own delimiters and escaping: a
//! segment no edit touched is written byte for byte as it came. Each applied edit is one line of
//! the message's event trail ([`Edited::trail`]); a value the edits cannot work with fails that
//! message with a [`Rejection`](crate::message::Rejection) naming the edit and the path.

pub mod edit;

pub use edit::{EditList, Edited};

/// The `kind` an edit list file declares.
pub const EDIT_KIND: &str = "hl7v2-edit";
