//! The conformance corpus's manifest (`tests/fixtures/corpus/manifest.toml`): what a correct
//! engine reads from each public file, and what it answers when the file is sent to it.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The whole manifest.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// One entry per corpus file.
    pub file: Vec<Entry>,
}

/// One corpus file and its expectations (see the comment at the top of the manifest).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub file: String,
    pub kind: Kind,
    pub readable: bool,
    pub sha256: String,
    pub note: Option<String>,
    pub known_defect: Option<String>,
    /// Set when the engine, fed the file through its channel, gets it wrong.
    pub known_defect_e2e: Option<String>,
    // HL7 v2
    pub message_type: Option<String>,
    pub control_id: Option<String>,
    pub version: Option<String>,
    pub segments: Option<usize>,
    pub messages: Option<usize>,
    pub message_types: Option<Vec<String>>,
    /// MSA-1 a correct engine answers for each message sent over MLLP, in order.
    pub acks: Option<Vec<String>>,
    // X12
    pub transaction_sets: Option<Vec<String>>,
    pub control_number: Option<String>,
    pub envelope_problems: Option<Vec<String>>,
    pub interchanges: Option<usize>,
    // X12 837
    pub claims: Option<Vec<String>>,
    pub diagnoses: Option<Vec<Vec<String>>>,
    pub claims_readable: Option<bool>,
    /// Destinations of the shipped X12 inbox that must give up on the file.
    pub dead_letters: Option<Vec<String>>,
}

/// The kind of a corpus file.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Hl7v2,
    X12,
}

/// `tests/fixtures/corpus`.
pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus")
}

/// The manifest, parsed (a broken one panics with its path and the reason).
pub fn load_manifest() -> Manifest {
    let path = corpus_dir().join("manifest.toml");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
