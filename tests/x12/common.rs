//! Helpers shared by the X12 integration tests.

/// The bytes of a sample file in `tests/fixtures/x12/`.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/x12/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

/// A sample as text.
pub fn fixture_text(name: &str) -> String {
    String::from_utf8(fixture(name)).expect("samples are ASCII")
}

/// Names of all sample files.
pub const SAMPLES: [&str; 5] = [
    "835-managed-care.x12",
    "837p-demo-example1.x12",
    "837i-two-claims.x12",
    "999-accepted.x12",
    "277ca-accepted.x12",
];
