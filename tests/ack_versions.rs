//! The acknowledgments the engine writes, checked against each HL7 v2 version they answer with
//! an independent validator: hl7apy (MIT licence; `.ci/run` installs the pinned 1.3.5),
//! parsing with STRICT validation and then `validate()`, which checks segments, fields,
//! components, data types and table values for 2.1 to 2.8. v2.7.1 is left out because hl7apy
//! has no definition of it. hl7apy's definitions carry no maximum lengths, so the length
//! limits are checked by the unit tests in `src/hl7v2/ack.rs`.
//!
//! Without python3 or hl7apy the test prints a notice and passes, unless `CI` is set: then it
//! fails.

use std::fmt::Write as _;
use std::path::{Path as FilePath, PathBuf};
use std::process::Command;

use switchboard::hl7v2::{
    AckCode, AckDetails, ErrorCode, ErrorReport, Message, Path, Severity, build_ack,
    build_ack_for_unparsed, next_control_id,
};

/// The versions checked (all those of 2.1 to 2.8 that hl7apy defines).
const VERSIONS: [&str; 10] = [
    "2.1", "2.2", "2.3", "2.3.1", "2.4", "2.5", "2.5.1", "2.6", "2.7", "2.8",
];

/// Validates every `*.hl7` file of the directory given as argument; prints one
/// `FAIL <file>: <problem>` line per problem, then `checked <number of files>`.
const VALIDATOR: &str = r#"
import os, re, sys
from hl7apy.consts import VALIDATION_LEVEL
from hl7apy.core import Message
from hl7apy.parser import get_message_info, parse_message, parse_segments

STRICT = VALIDATION_LEVEL.STRICT
# Problems that are hl7apy's, not the message's: (file name prefix, problem).
KNOWN = [
    # Table 0396 lists `HL7nnnn` as a pattern ("HL7 table nnnn"); hl7apy compares literally.
    ("", re.compile(r"^Warning: Value HL7\d{4} not in table HL70396 ")),
    # hl7apy's v2.1 TS requires a degree of precision component, which v2.1 TS does not
    # have (HAPI reads it as one value; from v2.2 on hl7apy itself makes it optional).
    ("2.1-", re.compile(r"^Error: Missing required child MSH_7\.TS_2$")),
]


def parse(text):
    """parse_message takes the message structure from MSH-9.3, or else guesses
    `<MSH-9.1>_<MSH-9.2>` (`ACK_A04`, which does not exist). Before v2.3.1 MSH-9 has no
    structure component and an ACK has the structure `ACK` whatever the trigger event, so it
    is given here."""
    encoding, structure, version = get_message_info(text)
    if structure is not None and not structure.startswith("ACK_"):
        return parse_message(text, validation_level=STRICT)
    message = Message("ACK", version=version, validation_level=STRICT, encoding_chars=encoding)
    message.children = parse_segments(
        text.lstrip(), message.version, encoding, STRICT, message.reference, True
    )
    return message


directory = sys.argv[1]
names = sorted(name for name in os.listdir(directory) if name.endswith(".hl7"))
for name in names:
    path = os.path.join(directory, name)
    with open(path, encoding="utf-8", newline="") as file:
        text = file.read()
    report = path + ".report"
    problems = []
    try:
        message = parse(text)
        try:
            message.validate(report_file=report)
        except Exception:
            pass  # every problem is also in the report
        with open(report) as file:
            problems = [line.strip() for line in file if line.strip()]
    except Exception as error:
        problems = ["%s: %s" % (type(error).__name__, error)]
    for problem in problems:
        problem = " ".join(problem.split())
        if not any(name.startswith(prefix) and known.search(problem) for prefix, known in KNOWN):
            print("FAIL %s: %s" % (name, problem))
print("checked %d" % len(names))
"#;

/// An inbound message of `version`, in the shape each version defines for an ADT^A04.
fn inbound(version: &str) -> Vec<u8> {
    let structure = if version == "2.1" || version.starts_with("2.2") || version == "2.3" {
        ""
    } else {
        "^ADT_A01"
    };
    format!(
        "MSH|^~\\&|LAB|LABFAC|EHR|EHRFAC|20240101120000||ADT^A04{structure}|MSG-{version}|P|{version}|||AL|AL\r\
         EVN|A04|20240101120000\r\
         PID|1||123^^^HOSP^MR||DOE^JANE\r"
    )
    .into_bytes()
}

fn report(code: ErrorCode, severity: Severity, location: &str, message: &str) -> ErrorReport {
    ErrorReport {
        code,
        severity,
        location: Path::parse(location).ok(),
        message: (!message.is_empty()).then(|| message.to_owned()),
    }
}

/// The replies the MLLP source writes, by name: original mode AA/AE/AR, enhanced mode
/// CA/CE/CR, each with the text the source adds.
fn replies() -> Vec<(&'static str, AckCode, &'static str, Vec<ErrorReport>)> {
    let rejected = "message 7: PID-5 is empty | name & surname";
    vec![
        (
            "AA",
            AckCode::ApplicationAccept,
            "stored as message 7",
            vec![],
        ),
        (
            "AE",
            AckCode::ApplicationError,
            rejected,
            vec![report(
                ErrorCode::RequiredFieldMissing,
                Severity::Error,
                "PID-5",
                rejected,
            )],
        ),
        (
            "AR",
            AckCode::ApplicationReject,
            "the message could not be stored; send it again",
            vec![],
        ),
        ("CA", AckCode::CommitAccept, "stored as message 7", vec![]),
        (
            "CE",
            AckCode::CommitError,
            "see the errors",
            vec![
                report(ErrorCode::DataType, Severity::Warning, "PID[1]-3[1].1", ""),
                report(ErrorCode::ApplicationInternalError, Severity::Error, "", ""),
            ],
        ),
        (
            "CR",
            AckCode::CommitReject,
            "the message could not be stored; send it again",
            vec![],
        ),
    ]
}

/// Writes every reply of every version, and one for unparsable input, into `directory`;
/// returns the number of files.
fn write_replies(directory: &FilePath) -> usize {
    let mut count = 0;
    let mut write = |name: String, bytes: Vec<u8>| {
        std::fs::write(directory.join(name), bytes).expect("write an ACK");
        count += 1;
    };
    for version in VERSIONS {
        let raw = inbound(version);
        let message = Message::parse(&raw).expect("the inbound message parses");
        for (name, code, text, errors) in replies() {
            let details = AckDetails {
                code,
                control_id: &next_control_id(),
                timestamp: "20240101120001",
                text: Some(text),
                errors: &errors,
            };
            write(
                format!("{version}-{name}.hl7"),
                build_ack(&message, &details),
            );
        }
    }
    let errors = [report(
        ErrorCode::SegmentSequence,
        Severity::Error,
        "",
        "MSH-2 at byte 7: encoding characters missing",
    )];
    let details = AckDetails {
        code: AckCode::ApplicationReject,
        control_id: &next_control_id(),
        timestamp: "20240101120001",
        text: Some("the message cannot be read"),
        errors: &errors,
    };
    write(
        "unparsed-AR.hl7".to_owned(),
        build_ack_for_unparsed(b'|', "CTRL-7", &details),
    );
    count
}

/// Whether `python3` can import hl7apy.
fn validator_available() -> bool {
    Command::new("python3")
        .args(["-c", "import hl7apy"])
        .output()
        .is_ok_and(|output| output.status.success())
}

fn scratch_directory() -> PathBuf {
    let directory =
        std::env::temp_dir().join(format!("switchboard-ack-versions-{}", std::process::id()));
    std::fs::create_dir_all(&directory).expect("create a scratch directory");
    directory
}

#[test]
fn acks_validate_strictly_in_every_version() {
    if !validator_available() {
        let notice = "python3 with hl7apy is needed (python3 -m pip install hl7apy)";
        assert!(std::env::var_os("CI").is_none(), "{notice}");
        eprintln!("skipped: {notice}");
        return;
    }
    let directory = scratch_directory();
    let written = write_replies(&directory);
    let output = Command::new("python3")
        .arg("-c")
        .arg(VALIDATOR)
        .arg(&directory)
        .output()
        .expect("run python3");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut failures = String::new();
    for line in stdout.lines().filter(|line| line.starts_with("FAIL ")) {
        let name = line
            .trim_start_matches("FAIL ")
            .split(':')
            .next()
            .unwrap_or_default();
        let ack = std::fs::read(directory.join(name)).unwrap_or_default();
        let ack = String::from_utf8_lossy(&ack).replace('\r', "\n    ");
        let _ = write!(failures, "\n{line}\n    {ack}");
    }
    std::fs::remove_dir_all(&directory).expect("remove the scratch directory");
    assert!(
        output.status.success(),
        "the validator failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(failures.is_empty(), "hl7apy rejects ACKs:{failures}");
    assert!(
        stdout.contains(&format!("checked {written}")),
        "the validator did not check the {written} ACKs: {stdout}"
    );
}
