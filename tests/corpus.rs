//! The conformance corpus: public HL7 v2 and X12 files from other open-source projects
//! (`tests/fixtures/corpus/`, listed in `SOURCES.md`) read through our parsers and compared with
//! what `manifest.toml` says a correct engine reads from each.
//!
//! A readable file must parse and give the facts of its manifest entry; an unreadable one must
//! be refused with an error, never a panic. Every mismatch of every file is collected and
//! reported in one failure. A file marked `known_defect` is reported but does not fail the test;
//! it fails once the defect is gone, so that the mark is removed.

mod common;

use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};

use common::corpus::{Entry, Kind, corpus_dir, load_manifest};
use sha2::{Digest, Sha256};
use switchboard::hl7v2::Message;
use switchboard::hl7v2::batch::split_messages;
use switchboard::x12::{
    EnvelopeReport, FieldProblem, read_837_claims, read_envelope, read_envelope_stream,
};

/// Every data file below the corpus folder, as `hl7v2/name.hl7` or `x12/name.x12`.
fn corpus_files() -> BTreeSet<String> {
    let mut files = BTreeSet::new();
    for folder in ["hl7v2", "x12"] {
        let dir = corpus_dir().join(folder);
        let entries =
            std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("listing {}: {e}", dir.display()));
        for entry in entries {
            let entry = entry.expect("directory entry");
            files.insert(format!("{folder}/{}", entry.file_name().to_string_lossy()));
        }
    }
    files
}

/// Compares one fact; a difference becomes a problem line.
fn expect_eq<T: PartialEq + std::fmt::Debug>(
    problems: &mut Vec<String>,
    what: &str,
    read: T,
    expected: T,
) {
    if read != expected {
        problems.push(format!("{what}: read {read:?}, expected {expected:?}"));
    }
}

/// A fact the manifest must give for a readable file.
fn required<'a, T>(problems: &mut Vec<String>, name: &str, value: &'a Option<T>) -> Option<&'a T> {
    if value.is_none() {
        problems.push(format!("manifest entry has no `{name}`"));
    }
    value.as_ref()
}

/// MSH-9 as `CODE^EVENT^STRUCTURE`, trailing empty components left out ("" when empty).
fn message_type_of(message: &Message<'_>) -> String {
    let Some(message_type) = message.message_type() else {
        return String::new();
    };
    let mut parts = vec![
        message_type.code.into_owned(),
        message_type.trigger_event.into_owned(),
        message_type.structure.into_owned(),
    ];
    while parts.last().is_some_and(String::is_empty) {
        parts.pop();
    }
    parts.join("^")
}

fn check_hl7v2(entry: &Entry, bytes: &[u8], problems: &mut Vec<String>) {
    let expected_messages = entry.messages.unwrap_or(1);
    if !entry.readable {
        if let Ok(message) = Message::parse(bytes) {
            problems.push(format!(
                "should be refused, but parsed as {} with {} segments",
                message_type_of(&message),
                message.segment_count()
            ));
        }
        return;
    }
    // One message is read as a frame, as it arrives over MLLP; a file of several messages is
    // split first, as the file import does.
    let frames: Vec<Vec<u8>> = if expected_messages == 1 {
        vec![bytes.to_vec()]
    } else {
        let split = split_messages(bytes);
        expect_eq(
            problems,
            "messages in the file",
            split.len(),
            expected_messages,
        );
        split
    };
    let mut types = Vec::new();
    for (index, frame) in frames.iter().enumerate() {
        match Message::parse(frame) {
            Ok(message) => types.push(message_type_of(&message)),
            Err(err) => {
                problems.push(format!("message {} refused: {err}", index + 1));
                types.push(String::from("(unreadable)"));
            }
        }
    }
    if let Some(expected) = &entry.message_types {
        expect_eq(problems, "message types", &types, expected);
    } else if expected_messages > 1 {
        problems.push("manifest entry has no `message_types`".to_owned());
    }
    let Some(first) = frames.first() else {
        return;
    };
    let Ok(message) = Message::parse(first) else {
        return;
    };
    if let Some(expected) = required(problems, "message_type", &entry.message_type) {
        expect_eq(
            problems,
            "message type (MSH-9)",
            &message_type_of(&message),
            expected,
        );
    }
    if let Some(expected) = required(problems, "control_id", &entry.control_id) {
        let read = message.control_id().unwrap_or_default();
        expect_eq(
            problems,
            "control id (MSH-10)",
            read.as_ref(),
            expected.as_str(),
        );
    }
    if let Some(expected) = required(problems, "version", &entry.version) {
        let read = message.version().unwrap_or_default();
        expect_eq(
            problems,
            "version (MSH-12)",
            read.as_ref(),
            expected.as_str(),
        );
    }
    if let Some(&expected) = required(problems, "segments", &entry.segments) {
        expect_eq(problems, "segments", message.segment_count(), expected);
    }
}

/// The name of an envelope problem, e.g. `SegmentCountMismatch`.
fn problem_kind(problem: &switchboard::x12::EnvelopeProblem) -> String {
    format!("{problem:?}")
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect()
}

/// What the streaming reader reports for the same input, interchange by interchange. It cannot
/// look at the composites before reading them, so where the in-memory reader finds that they use
/// another separator than ISA16 and warns, it reads them with ISA16 as declared and has no
/// warning (see `switchboard::x12::Tokenizer`).
fn as_streamed(report: &EnvelopeReport) -> Vec<EnvelopeReport> {
    let mut reports = report.clone().into_reports();
    for report in &mut reports {
        for warning in std::mem::take(&mut report.warnings) {
            match &*warning.problem {
                FieldProblem::ComponentSeparatorMismatch { declared, .. } => {
                    report.interchange.separators.component = u8::try_from(*declared).unwrap_or(0);
                }
                _ => report.warnings.push(warning),
            }
        }
    }
    reports
}

fn check_x12(entry: &Entry, bytes: &[u8], problems: &mut Vec<String>) {
    let in_memory = read_envelope(bytes);
    let streamed = read_envelope_stream(bytes);
    match (&in_memory, &streamed) {
        (Ok(a), Ok(b)) if as_streamed(a) != b.clone().into_reports() => {
            problems.push("streaming reader reports differently from the in-memory one".into())
        }
        (Ok(_), Err(err)) => problems.push(format!("streaming reader refuses it: {err}")),
        (Err(err), Ok(_)) => problems.push(format!("in-memory reader refuses what streams: {err}")),
        _ => {}
    }
    if !entry.readable {
        if let Ok(report) = in_memory {
            problems.push(format!(
                "should be refused, but read interchange {} with transaction sets {:?}",
                report.interchange.control_number,
                transaction_sets(&report.clone().into_reports())
            ));
        }
        return;
    }
    // Every interchange of the file, in order.
    let reports = match in_memory {
        Ok(report) => report.into_reports(),
        Err(err) => {
            problems.push(format!("refused: {err}"));
            return;
        }
    };
    let Some(first) = reports.first() else {
        problems.push("read no interchange".to_owned());
        return;
    };
    if let Some(expected) = required(problems, "transaction_sets", &entry.transaction_sets) {
        expect_eq(
            problems,
            "transaction sets (ST01)",
            &transaction_sets(&reports),
            expected,
        );
    }
    if let Some(expected) = required(problems, "control_number", &entry.control_number) {
        expect_eq(
            problems,
            "interchange control number (ISA13)",
            &first.interchange.control_number,
            expected,
        );
    }
    if let Some(expected) = required(problems, "envelope_problems", &entry.envelope_problems) {
        let mut read: Vec<String> = reports
            .iter()
            .flat_map(|r| &r.problems)
            .map(|p| problem_kind(&p.problem))
            .collect();
        let mut expected = expected.clone();
        read.sort();
        expected.sort();
        if read != expected {
            let detail: Vec<String> = reports
                .iter()
                .flat_map(|r| &r.problems)
                .map(|p| p.to_string())
                .collect();
            problems.push(format!(
                "envelope problems: read {read:?}, expected {expected:?} (read: {detail:?})"
            ));
        }
    }
    expect_eq(
        problems,
        "interchanges read",
        reports.len(),
        entry.interchanges.unwrap_or(1),
    );
    if transaction_sets(&reports).iter().any(|set| set == "837") {
        check_837_claims(entry, bytes, problems);
    }
}

/// The claims of an 837: their ids and diagnosis codes, or a refusal.
fn check_837_claims(entry: &Entry, bytes: &[u8], problems: &mut Vec<String>) {
    let read = read_837_claims(bytes);
    if entry.claims_readable == Some(false) {
        if let Ok(claims) = read {
            let summary: Vec<String> = claims
                .iter()
                .map(|c| {
                    format!(
                        "{} (facility code {:?}, diagnoses {:?}, procedure codes {:?})",
                        c.claim_id,
                        c.facility_code,
                        c.diagnoses,
                        c.lines
                            .iter()
                            .map(|l| &l.procedure_code)
                            .collect::<Vec<_>>()
                    )
                })
                .collect();
            problems.push(format!(
                "claims should be refused, but read {}",
                summary.join(", ")
            ));
        }
        return;
    }
    let claims = match read {
        Ok(claims) => claims,
        Err(err) => {
            problems.push(format!("claims refused: {err}"));
            return;
        }
    };
    if let Some(expected) = required(problems, "claims", &entry.claims) {
        let ids: Vec<&str> = claims.iter().map(|c| c.claim_id.as_str()).collect();
        expect_eq(
            problems,
            "claims (CLM01)",
            ids,
            expected.iter().map(String::as_str).collect(),
        );
    }
    if let Some(expected) = required(problems, "diagnoses", &entry.diagnoses) {
        let read: Vec<&Vec<String>> = claims.iter().map(|c| &c.diagnoses).collect();
        expect_eq(
            problems,
            "diagnoses per claim",
            read,
            expected.iter().collect(),
        );
    }
}

/// ST01 of every transaction set of every interchange, in order.
fn transaction_sets(reports: &[EnvelopeReport]) -> Vec<String> {
    reports
        .iter()
        .flat_map(|report| &report.interchange.groups)
        .flat_map(|group| group.transactions.iter().map(|set| set.id_code.clone()))
        .collect()
}

/// Everything wrong with one file, or nothing.
fn check_entry(entry: &Entry) -> Vec<String> {
    let mut problems = Vec::new();
    let path = corpus_dir().join(&entry.file);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(err) => return vec![format!("cannot read {}: {err}", path.display())],
    };
    let digest = hex::encode(Sha256::digest(&bytes));
    expect_eq(
        &mut problems,
        "sha256",
        digest.as_str(),
        entry.sha256.as_str(),
    );
    let folder_kind = match entry.file.split('/').next() {
        Some("hl7v2") => Some(Kind::Hl7v2),
        Some("x12") => Some(Kind::X12),
        _ => None,
    };
    expect_eq(
        &mut problems,
        "kind (from folder)",
        folder_kind,
        Some(entry.kind),
    );
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let mut found = Vec::new();
        match entry.kind {
            Kind::Hl7v2 => check_hl7v2(entry, &bytes, &mut found),
            Kind::X12 => check_x12(entry, &bytes, &mut found),
        }
        found
    }));
    match outcome {
        Ok(found) => problems.extend(found),
        Err(panic) => {
            let text = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            problems.push(format!("parser panicked: {text}"));
        }
    }
    problems
}

#[test]
fn every_corpus_file_reads_as_the_manifest_says() {
    let manifest = load_manifest();
    let mut failures = Vec::new();

    let listed: BTreeSet<String> = manifest.file.iter().map(|e| e.file.clone()).collect();
    if listed.len() != manifest.file.len() {
        failures.push("manifest lists a file twice".to_owned());
    }
    let on_disk = corpus_files();
    for missing in on_disk.difference(&listed) {
        failures.push(format!("{missing}: on disk but not in manifest.toml"));
    }
    for missing in listed.difference(&on_disk) {
        failures.push(format!("{missing}: in manifest.toml but not on disk"));
    }
    let sources = std::fs::read_to_string(corpus_dir().join("SOURCES.md")).expect("SOURCES.md");
    for file in &listed {
        if !sources.contains(&format!("| `{file}` |")) {
            failures.push(format!("{file}: no row in SOURCES.md"));
        }
    }

    let mut defects = Vec::new();
    for entry in &manifest.file {
        let problems = check_entry(entry);
        match (&entry.known_defect, problems.is_empty()) {
            (None, true) => {}
            (None, false) => {
                let note = entry
                    .note
                    .as_deref()
                    .map(|n| format!(" [{n}]"))
                    .unwrap_or_default();
                failures.push(format!("{}{note}: {}", entry.file, problems.join("; ")));
            }
            (Some(defect), false) => defects.push(format!(
                "{}: {defect}\n    now: {}",
                entry.file,
                problems.join("; ")
            )),
            (Some(defect), true) => failures.push(format!(
                "{}: marked known_defect ({defect}) but reads correctly now; remove the mark",
                entry.file
            )),
        }
    }

    let hl7 = manifest
        .file
        .iter()
        .filter(|e| e.kind == Kind::Hl7v2)
        .count();
    println!(
        "corpus: {} files ({hl7} HL7 v2, {} X12), {} known defects",
        manifest.file.len(),
        manifest.file.len() - hl7,
        defects.len()
    );
    for defect in &defects {
        println!("known defect: {defect}");
    }
    assert!(
        failures.is_empty(),
        "{} corpus problem(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
