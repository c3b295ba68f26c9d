//! Implementation-guide validation of X12 files: the findings, the 999 built from them, and
//! the `switchboard x12 validate` command, on real files.

use std::path::{Path, PathBuf};
use std::process::Command;

use switchboard::x12::guide::{self, Finding};
use switchboard::x12::{
    AckCode, AckEnvelope, Date, ElementSyntaxError, SegmentSyntaxError, Time,
    acknowledge_validated, read_999, write_999,
};

const BIN: &str = env!("CARGO_BIN_EXE_switchboard");

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn read(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).expect("fixture is readable")
}

/// The 837P example with `from` replaced by `to` and SE01 recounted, so that only the edit
/// is wrong.
fn edited_837p(from: &str, to: &str) -> String {
    edited("x12/837p-demo-example1.x12", from, to)
}

/// The fixture `name` (one segment a line) with `from` replaced by `to` and SE01 recounted.
fn edited(name: &str, from: &str, to: &str) -> String {
    let original = read(name);
    assert!(original.contains(from), "{name} holds {from}");
    let edited = original.replacen(from, to, 1);
    let lines: Vec<&str> = edited.lines().collect();
    let st = lines.iter().position(|l| l.starts_with("ST*")).expect("ST");
    let se = lines.iter().position(|l| l.starts_with("SE*")).expect("SE");
    let count = se - st + 1;
    let mut out = String::new();
    for line in lines {
        if line.starts_with("SE*") {
            let control = line.trim_end_matches('~').rsplit('*').next().unwrap_or("");
            out.push_str(&format!("SE*{count}*{control}~\n"));
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

fn findings(input: &str) -> Vec<Finding> {
    let validation = guide::validate(input.as_bytes()).expect("validates");
    assert!(
        validation.reports.iter().all(|r| r.problems.is_empty()),
        "the envelope is sound: {:?}",
        validation.reports[0].problems
    );
    validation.findings().cloned().collect()
}

fn described(findings: &[Finding]) -> Vec<String> {
    findings.iter().map(Finding::describe).collect()
}

fn ack_envelope() -> AckEnvelope {
    AckEnvelope {
        interchange_control_number: 7,
        group_control_number: 7,
        first_transaction_control_number: 7,
        date: Date::new(2026, 12, 5).expect("date"),
        time: Time::new(9, 30, None).expect("time"),
        line_breaks: false,
    }
}

/// The 999 written for an input, as text.
fn answer_999(input: &str) -> String {
    let validation = guide::validate(input.as_bytes()).expect("validates");
    let report = &validation.reports[0];
    let acks = acknowledge_validated(report, &validation);
    let written = write_999(&report.interchange, &acks, &ack_envelope()).expect("writes");
    String::from_utf8(written).expect("ascii")
}

#[test]
fn a_clean_837p_has_no_findings_and_is_accepted() {
    let input = read("x12/837p-demo-example1.x12");
    let validation = guide::validate(input.as_bytes()).expect("validates");
    assert_eq!(validation.sets.len(), 1);
    assert_eq!(validation.sets[0].guide.as_deref(), Some("005010X222A1"));
    assert!(validation.is_clean(), "{:?}", described(&findings(&input)));
    let ack = answer_999(&input);
    assert!(
        ack.contains("AK2*837*0021*005010X222A2~IK5*A~AK9*A*1*1*1~"),
        "{ack}"
    );
}

#[test]
fn a_missing_subscriber_name_loop_is_a_missing_required_segment() {
    let input = edited_837p("NM1*IL*1*SMITH*JANE****MI*JS00111223333~\n", "");
    let found = findings(&input);
    assert_eq!(found.len(), 1, "{:?}", described(&found));
    let finding = &found[0];
    assert_eq!(finding.segment_id, "NM1");
    assert_eq!(finding.loop_id.as_deref(), Some("2010BA"));
    assert_eq!(finding.code, SegmentSyntaxError::RequiredSegmentMissing);
    // Noticed at the payer's NM1, line 19 of the file and the 17th segment of the set.
    assert_eq!((finding.ordinal, finding.position_in_set), (19, 17));
    let ack = answer_999(&input);
    assert!(
        ack.contains("IK3*NM1*17*2010BA*3~IK5*R*5~AK9*R*1*1*0~"),
        "{ack}"
    );
}

#[test]
fn a_missing_clm05_names_the_element_and_the_claim() {
    let input = edited_837p(
        "CLM*26463774*100.00***11:B:1*Y*A*Y*I~",
        "CLM*26463774*100.00****Y*A*Y*I~",
    );
    let found = findings(&input);
    assert_eq!(found.len(), 1, "{:?}", described(&found));
    let element = found[0].element.as_ref().expect("an element error");
    assert_eq!(element.position, 5);
    assert_eq!(element.code, ElementSyntaxError::RequiredMissing);
    assert_eq!(
        found[0].describe(),
        "2300 CLM*05: required data element missing (IK4 1)"
    );
    let unit = found[0].business_unit.as_ref().expect("the claim");
    assert_eq!(
        (unit.name.as_str(), unit.value.as_str()),
        ("CLM01", "26463774")
    );
    let ack = answer_999(&input);
    assert!(
        ack.contains("IK3*CLM*25*2300*8~CTX*CLM01:26463774~IK4*5**1~IK5*R*5~"),
        "{ack}"
    );
    // The 999 reads back with the same codes.
    let read = read_999(ack.as_bytes()).expect("reads");
    let set = &read.documents[0].group.sets[0];
    assert_eq!(set.code, AckCode::Rejected);
    assert_eq!(set.segment_errors[0].element_errors[0].element_position, 5);
    assert_eq!(
        set.segment_errors[0]
            .business_unit
            .as_ref()
            .map(|u| u.value.as_str()),
        Some("26463774")
    );
}

#[test]
fn segments_out_of_order_and_bad_codes_are_reported() {
    let moved = edited_837p(
        "N3*236 N MAIN ST~\nN4*MIAMI*FL*33413~\nDMG*D8*19730501*M~",
        "DMG*D8*19730501*M~\nN3*236 N MAIN ST~\nN4*MIAMI*FL*33413~",
    );
    let found = described(&findings(&moved));
    assert!(
        found.contains(&"2010CA N3: segment not in proper sequence (IK3 7)".to_owned()),
        "{found:?}"
    );
    let bad_code = edited_837p("SBR*P**", "SBR*X**");
    let found = described(&findings(&bad_code));
    assert_eq!(
        found,
        ["2000B SBR*01: invalid code value `X` (IK4 7)".to_owned()]
    );
    let bad_date = edited_837p(
        "DMG*D8*19730501*M~",
        "DMG*D8*19730501*M~\nDMG*D8*19730501*M~",
    );
    let found = described(&findings(&bad_date));
    assert_eq!(
        found,
        ["2010CA DMG: segment exceeds maximum use (IK3 5)".to_owned()]
    );
}

#[test]
fn data_the_guide_does_not_use_is_accepted_with_errors() {
    let input = read("x12/837i-two-claims.x12");
    let found = findings(&input);
    assert!(!found.is_empty());
    assert!(found.iter().all(Finding::is_not_used_only), "{found:?}");
    let validation = guide::validate(input.as_bytes()).expect("validates");
    let acks = acknowledge_validated(&validation.reports[0], &validation);
    assert_eq!(acks[0].sets[0].code, AckCode::AcceptedWithErrors);
    assert_eq!(acks[0].status().code, AckCode::AcceptedWithErrors);
}

#[test]
fn every_guide_applies_to_its_transaction_set() {
    for (file, guide) in [
        ("x12/837p-demo-example1.x12", "005010X222A1"),
        ("x12/837i-two-claims.x12", "005010X223A2"),
        ("x12/835-managed-care.x12", "005010X221A1"),
        ("x12/277ca-accepted.x12", "005010X214"),
        ("corpus/x12/999-four-sets-two-groups.x12", "005010X231A1"),
        ("corpus/x12/270-dependent-5010.x12", "005010X279A1"),
        ("corpus/x12/271-subscriber-5010.x12", "005010X279A1"),
        ("corpus/x12/276-claim-level-5010.x12", "005010X212"),
        ("corpus/x12/277-claim-level-5010.x12", "005010X212"),
    ] {
        let validation = guide::validate(read(file).as_bytes()).expect("validates");
        assert!(
            validation
                .sets
                .iter()
                .all(|s| s.guide.as_deref() == Some(guide)),
            "{file}: {:?}",
            validation.sets
        );
    }
}

#[test]
fn streaming_validation_finds_the_same() {
    let input = edited_837p("SBR*P**", "SBR*X**");
    let in_memory = guide::validate(input.as_bytes()).expect("validates");
    let streamed = guide::validate_stream(input.as_bytes()).expect("validates");
    assert_eq!(in_memory.sets, streamed.sets);
}

#[test]
fn the_command_prints_each_error_and_writes_the_999() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let bad = dir.path().join("bad.x12");
    std::fs::write(
        &bad,
        edited_837p(
            "CLM*26463774*100.00***11:B:1*Y*A*Y*I~",
            "CLM*26463774*100.00****Y*A*Y*I~",
        ),
    )
    .expect("writes");
    let good = fixture("x12/837p-demo-example1.x12");
    let out = dir.path().join("answer.999");

    let clean = Command::new(BIN)
        .args(["x12", "validate"])
        .arg(&good)
        .output()
        .expect("runs");
    assert!(clean.status.success());
    assert!(clean.stdout.is_empty(), "{:?}", clean.stdout);

    let failed = Command::new(BIN)
        .args(["x12", "validate", "--999"])
        .arg(&out)
        .arg(&good)
        .arg(&bad)
        .output()
        .expect("runs");
    assert_eq!(failed.status.code(), Some(1));
    let printed = String::from_utf8(failed.stdout).expect("utf-8");
    assert_eq!(
        printed,
        format!(
            "{}:27: 2300 CLM*05: required data element missing (IK4 1)\n",
            bad.display()
        )
    );
    let written = std::fs::read(&out).expect("the 999 is written");
    let read = read_999(&written).expect("reads");
    assert_eq!(read.documents.len(), 1, "the first interchange's 999");
    let answers: Vec<_> = read.interchanges().flat_map(|i| &i.documents).collect();
    assert_eq!(answers.len(), 2, "one 999 per file");
    assert_eq!(answers[0].group.sets[0].code, AckCode::Accepted);
    assert_eq!(answers[1].group.sets[0].code, AckCode::Rejected);
    let answers_validate = guide::validate(&written).expect("validates");
    assert!(
        answers_validate.is_clean(),
        "our 999 follows its own guide: {:?}",
        answers_validate
            .findings()
            .map(Finding::describe)
            .collect::<Vec<_>>()
    );
}

/// A migrated SQLite store in `dir`.
async fn migrated_store(dir: &Path) -> switchboard::store::Store {
    let url = format!("sqlite://{}", dir.join("store.db").display());
    let store = switchboard::store::Store::connect(&url, 1)
        .await
        .expect("store");
    store.migrate().await.expect("migrates");
    store
}

/// A file the engine receives on the x12 inbox: a rejected set is not applied, the error says
/// why, and the 999 that answers it reports the same errors.
#[tokio::test]
async fn the_inbox_refuses_a_rejected_set_and_answers_with_its_errors() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = migrated_store(dir.path()).await;
    let published = read("x12/835-managed-care.x12");

    let refused = switchboard::revenue::acknowledgments::apply_acknowledgment(
        &store,
        published.as_bytes(),
        "test",
        None,
    )
    .await
    .expect_err("a rejected 835 is not applied");
    let said = refused.to_string();
    assert!(
        said.contains("segment 10: 1000A PER: required segment missing (IK3 3)")
            && said.contains("segment 4: header BPR*16: invalid date `20002316` (IK4 8)"),
        "{said}"
    );
    assert!(store.remittances(10).await.expect("lists").is_empty());

    let answer =
        switchboard::revenue::acknowledgments::acknowledgment_for(&store, published.as_bytes())
            .await
            .expect("answers")
            .expect("an 835 is acknowledged");
    let read = read_999(&answer).expect("reads");
    let set = &read.documents[0].group.sets[0];
    assert_eq!(set.code, AckCode::Rejected);
    let codes: Vec<(String, String)> = set
        .segment_errors
        .iter()
        .map(|e| (e.segment_id.clone(), e.code.code().to_owned()))
        .collect();
    assert_eq!(
        codes,
        [
            ("BPR".to_owned(), "8".to_owned()),
            ("PER".to_owned(), "3".to_owned())
        ]
    );
}

/// One way to break a file: the segment to replace, its replacement (empty: removed), and the
/// error the guide check then reports.
type Break = (&'static str, &'static str, &'static str);

/// The public 5010 inquiries and answers of the corpus follow their guides, and each kind broken
/// three ways (a required segment gone, a code the guide does not list, an HL naming a parent
/// that does not exist) is reported at the right loop and segment with the right code.
#[test]
fn broken_inquiries_and_answers_are_reported_where_they_break() {
    let cases: [(&str, &str, [Break; 3]); 4] = [
        (
            "corpus/x12/270-dependent-5010.x12",
            "005010X279A1",
            [
                (
                    "NM1*PR*2*ABC COMPANY*****PI*842610001~",
                    "",
                    "2100A NM1: required segment missing (IK3 3)",
                ),
                (
                    "EQ*30~",
                    "EQ*ZZZ~",
                    "2110D EQ*01: invalid code value `ZZZ` (IK4 7)",
                ),
                (
                    "HL*4*3*23*0~",
                    "HL*4*9*23*0~",
                    "2000D HL*02: implementation pattern match failure `9` (IK4 I12)",
                ),
            ],
        ),
        (
            "corpus/x12/271-subscriber-5010.x12",
            "005010X279A1",
            [
                (
                    "NM1*1P*2*BONE AND JOIN CLINIC*****SV*2000035~",
                    "",
                    "2100B NM1: required segment missing (IK3 3)",
                ),
                (
                    "DMG*D8*19630519*M~",
                    "DMG*D8*19630519*X~",
                    "2100C DMG*03: invalid code value `X` (IK4 7)",
                ),
                (
                    "HL*3*2*22*0~",
                    "HL*3*5*22*0~",
                    "2000C HL*02: implementation pattern match failure `5` (IK4 I12)",
                ),
            ],
        ),
        (
            "corpus/x12/276-claim-level-5010.x12",
            "005010X212",
            [
                (
                    "NM1*PR*2*ABC INSURANCE*****PI*12345~",
                    "",
                    "2100A NM1: required segment missing (IK3 3)",
                ),
                (
                    "AMT*T3*8513.88~",
                    "AMT*T4*8513.88~",
                    "2200D AMT*01: invalid code value `T4` (IK4 7)",
                ),
                (
                    "HL*5*3*22*0~",
                    "HL*6*3*22*0~",
                    "2000D HL*01: implementation pattern match failure `6` (IK4 I12)",
                ),
            ],
        ),
        (
            "corpus/x12/277-claim-level-5010.x12",
            "005010X212",
            [
                (
                    "NM1*41*2*XYZ SERVICE*****46*X67E~",
                    "",
                    "2100B NM1: required segment missing (IK3 3)",
                ),
                (
                    "DTP*472*RD8*20050731-20050809~",
                    "DTP*472*XX8*20050731-20050809~",
                    "2200D DTP*02: invalid code value `XX8` (IK4 7)",
                ),
                (
                    "HL*7*6*22*1~",
                    "HL*7*9*22*1~",
                    "2000D HL*02: implementation pattern match failure `9` (IK4 I12)",
                ),
            ],
        ),
    ];
    for (name, implementation, breaks) in cases {
        let clean = read(name);
        let validation = guide::validate(clean.as_bytes()).expect("validates");
        assert_eq!(
            validation.sets[0].guide.as_deref(),
            Some(implementation),
            "{name}"
        );
        assert!(
            validation.is_clean(),
            "{name}: {:?}",
            described(&findings(&clean))
        );
        for (from, to, expected) in breaks {
            let broken = edited(name, &format!("{from}\n"), &to_line(to));
            let found = described(&findings(&broken));
            assert_eq!(found, [expected], "{name} with {to:?} for {from}");
            let ack = answer_999(&broken);
            assert!(ack.contains("IK5*R*"), "{name}: the set is rejected: {ack}");
        }
    }
}

/// A replacement segment as a line of its own (nothing when the segment is removed).
fn to_line(segment: &str) -> String {
    if segment.is_empty() {
        String::new()
    } else {
        format!("{segment}\n")
    }
}

/// `switchboard x12 validate` reads a 270 and a 276 as clean and prints a broken 277's errors.
#[test]
fn the_command_checks_inquiries_and_answers() {
    let text = edited(
        "corpus/x12/277-claim-level-5010.x12",
        "HL*7*6*22*1~\n",
        "HL*7*9*22*1~\n",
    );
    let dir = tempfile::tempdir().expect("temporary directory");
    let broken = dir.path().join("status.277");
    std::fs::write(&broken, text).expect("writes");
    let run = Command::new(BIN)
        .args(["x12", "validate"])
        .arg(fixture("corpus/x12/270-dependent-5010.x12"))
        .arg(fixture("corpus/x12/276-claim-level-5010.x12"))
        .arg(&broken)
        .output()
        .expect("runs");
    assert_eq!(run.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(run.stdout).expect("utf-8"),
        format!(
            "{}:29: 2000D HL*02: implementation pattern match failure `9` (IK4 I12)\n",
            broken.display()
        )
    );
}

/// An inbound 271 whose set breaks its guide is refused, as a rejected 835 is.
#[tokio::test]
async fn the_inbox_refuses_a_271_that_breaks_its_guide() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = migrated_store(dir.path()).await;
    let broken = edited(
        "corpus/x12/271-subscriber-5010.x12",
        "DMG*D8*19630519*M~\n",
        "DMG*D8*19630519*X~\n",
    );
    let refused = switchboard::revenue::acknowledgments::apply_acknowledgment(
        &store,
        broken.as_bytes(),
        "test",
        None,
    )
    .await
    .expect_err("a 271 that breaks its guide is not applied");
    assert!(
        refused.to_string().contains(
            "transaction set 271 4321 breaks 005010X279A1: segment 14: 2100C DMG*03: \
             invalid code value `X` (IK4 7)"
        ),
        "{refused}"
    );
}
