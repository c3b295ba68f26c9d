//! hl7apy (MIT licence; `.ci/run` installs the pinned 1.3.5), an independent HL7 v2 validator:
//! it parses each message with STRICT validation and then `validate()`s it, checking segments,
//! fields, components, data types and table values for 2.1 to 2.8. Its definitions carry no
//! maximum lengths.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;

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

/// Whether `python3` can import hl7apy; otherwise the test is to be skipped (and fails under CI).
pub fn present() -> bool {
    super::peer_present(
        super::command_runs("python3", &["-c", "import hl7apy"]),
        "python3 with hl7apy",
        "python3 -m pip install hl7apy==1.3.5",
    )
}

/// Validates each message (`name` ending in `.hl7`, bytes) strictly with hl7apy; the problems
/// hl7apy reports, each with the message shown, or `Ok` when every message passed.
pub fn validate(messages: &[(String, Vec<u8>)]) -> Result<(), String> {
    let directory = scratch_directory();
    for (name, bytes) in messages {
        std::fs::write(directory.join(name), bytes).expect("write a message to validate");
    }
    let output = Command::new("python3")
        .arg("-c")
        .arg(VALIDATOR)
        .arg(&directory)
        .output()
        .expect("run python3");
    std::fs::remove_dir_all(&directory).expect("remove the scratch directory");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the validator failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains(&format!("checked {}", messages.len())),
        "the validator did not check the {} messages: {stdout}",
        messages.len()
    );
    let mut failures = String::new();
    for line in stdout.lines().filter(|line| line.starts_with("FAIL ")) {
        let name = line
            .trim_start_matches("FAIL ")
            .split(':')
            .next()
            .unwrap_or_default();
        let shown = messages
            .iter()
            .find(|(file, _)| file == name)
            .map(|(_, bytes)| String::from_utf8_lossy(bytes).replace('\r', "\n    "))
            .unwrap_or_default();
        let _ = write!(failures, "\n{line}\n    {shown}");
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures)
    }
}

/// A folder of its own for one validation run.
fn scratch_directory() -> PathBuf {
    let directory = std::env::temp_dir().join(format!(
        "switchboard-hl7apy-{}-{}",
        std::process::id(),
        rand::random::<u32>()
    ));
    std::fs::create_dir_all(&directory).expect("create a scratch directory");
    directory
}
