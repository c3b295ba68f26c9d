//! `switchboard init DIR`: a new deployment root from the files built into the binary, so an
//! installed binary needs no checkout: the engine and routing configuration, the payer, the
//! shipped channels and their examples, the mappings and the sample messages.

use std::path::Path;
use std::process::ExitCode;

/// One shipped file: its path under a deployment root and its text.
pub struct ShippedFile {
    /// Path under the root, `/`-separated.
    pub path: &'static str,
    /// Contents.
    pub text: &'static str,
}

/// The shipped files at these paths (relative to the checkout), built into the binary.
macro_rules! shipped {
    ($($path:literal,)*) => {
        &[$(ShippedFile { path: $path, text: include_str!(concat!("../../", $path)) },)*]
    };
}

/// Every file `init` writes.
pub const SHIPPED: &[ShippedFile] = shipped![
    "channels/examples/adt-to-lab.toml",
    "channels/examples/claim-status-webhook.toml",
    "channels/examples/database-reader.toml",
    "channels/examples/database-writer.toml",
    "channels/examples/fhir-to-adt.toml",
    "channels/examples/mllp-mtls-inbound.toml",
    "channels/examples/script-transform.toml",
    "channels/examples/sftp-837-outbox.toml",
    "channels/examples/sftp-x12-inbox.toml",
    "channels/fhir-http-inbound.toml",
    "channels/fhir-subscriptions.toml",
    "channels/hl7v2-http-inbound.toml",
    "channels/hl7v2-mllp-inbound.toml",
    "channels/x12-inbox.toml",
    "channels/x12-outbox.toml",
    "config/payers/acme-health.toml",
    "config/routes.toml",
    "config/switchboard.toml",
    "config/systemd/switchboard.env",
    "config/systemd/switchboard.service",
    "mappings/adt-to-lab.toml",
    "mappings/fhir-patient.toml",
    "mappings/hl7v2-canonical.toml",
    "mappings/lab-fixes.rhai",
    "mappings/registrations-only.rhai",
    "samples/SOURCES.md",
    "samples/fhir/coverage-carin.json",
    "samples/fhir/eob-professional-carin.json",
    "samples/fhir/patient-carin.json",
    "samples/hl7v2/adt-a01-fhir-converter.hl7",
    "samples/hl7v2/bar-p02-fhir-converter.hl7",
    "samples/hl7v2/dft-p03-switchboard.hl7",
    "samples/hl7v2/oru-r01-fhir-converter.hl7",
    "samples/walkthrough.sh",
    "samples/x12/277ca-accepted.x12",
    "samples/x12/835-managed-care.x12",
    "samples/x12/837i-two-claims.x12",
    "samples/x12/837p-demo-example1.x12",
    "samples/x12/999-accepted.x12",
];

/// `switchboard init DIR`: writes [`SHIPPED`] under `dir` (created if missing). Refuses, and
/// writes nothing, when any of those files exists already. Exit 0, or 1 when refused or a
/// file cannot be written.
pub fn init(dir: &Path) -> ExitCode {
    let existing: Vec<String> = SHIPPED
        .iter()
        .map(|file| dir.join(file.path))
        .filter(|path| path.exists())
        .map(|path| path.display().to_string())
        .collect();
    if !existing.is_empty() {
        eprintln!(
            "{} is a deployment root already; init writes nothing over {} existing file(s), e.g. {}",
            dir.display(),
            existing.len(),
            existing[0]
        );
        return ExitCode::FAILURE;
    }
    for file in SHIPPED {
        let path = dir.join(file.path);
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, file.text));
        if let Err(err) = written {
            eprintln!("cannot write {}: {err}", path.display());
            return ExitCode::FAILURE;
        }
    }
    let root = dir.display();
    println!(
        "a new deployment root in {root}: config/, channels/ (and channels/examples/), mappings/, samples/"
    );
    println!("next:");
    println!("  switchboard --root {root} check        # validate it");
    println!(
        "  switchboard --root {root} serve        # run it (HTTP on 127.0.0.1:8080, MLLP on 2575)"
    );
    println!("  switchboard --root {root} token create --role admin --name me");
    println!("  switchboard --root {root} doctor       # check the running engine");
    ExitCode::SUCCESS
}
