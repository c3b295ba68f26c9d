//! Transforms that reshape an HL7 v2 message and hand it on as HL7 v2: declarative edit lists
//! (`mappings/NAME.toml` with `kind = "hl7v2-edit"`, [`EditList`]) and sandboxed scripts
//! (`mappings/NAME.rhai`, [`Script`]), which also serve as filters.
//!
//! A transform reads the message once ([`crate::hl7v2::MessageBuilder::from_message`]), applies
//! its edits in order and writes the result with the message's own delimiters and escaping: a
//! segment no edit touched is written byte for byte as it came. Each applied edit is one line of
//! the message's event trail ([`Edited::trail`]); a value the edits cannot work with fails that
//! message with a [`Rejection`](crate::message::Rejection) naming the edit and the path.

pub mod edit;
pub mod script;
pub mod version;

pub use edit::{EditList, Edited};
pub use script::{Script, Tables};

/// The `kind` an edit list file declares.
pub const EDIT_KIND: &str = "hl7v2-edit";

/// The text of `mappings/NAME.EXTENSION` under `root` and its path, or a problem saying the
/// `what` (`edit list`, `script`) cannot be read.
fn read_named(
    root: &std::path::Path,
    name: &str,
    extension: &str,
    what: &str,
) -> Result<(std::path::PathBuf, String), crate::config::problem::Problem> {
    let file = root
        .join(edit::EDITS_DIR)
        .join(format!("{name}.{extension}"));
    match std::fs::read_to_string(&file) {
        Ok(text) => Ok((file, text)),
        Err(err) => Err(crate::config::problem::Problem {
            reason: format!("cannot read {what} '{name}': {err}"),
            file,
            line: None,
            field: String::new(),
        }),
    }
}
