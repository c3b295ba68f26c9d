//! LinuxForHealth x12 (Apache-2.0), an independent reader of X12 5010: it parses each
//! transaction set into the pydantic model of its implementation guide (270/271 005010X279A1,
//! 276/277 005010X212, 835, 837), whose validators enforce the guide's loops, segments, element
//! usage, lengths and codes. It needs pydantic 1, so `.ci/run` installs the pinned
//! `linuxforhealth-x12` 0.57.0 in a virtual environment of its own and names its interpreter in
//! `SWITCHBOARD_X12_PYTHON` (default `python3`).

use std::path::PathBuf;
use std::process::Command;

/// Reads every file given as argument; prints one `OK <file>: ...` or `FAIL <file>: <problem>`
/// line per file.
const VALIDATOR: &str = r#"
import sys
from linuxforhealth.x12.io import X12ModelReader

for path in sys.argv[1:]:
    try:
        with open(path, encoding="ascii") as file:
            text = file.read()
        with X12ModelReader(text) as reader:
            count = sum(1 for _ in reader.models())
        print(("OK" if count else "FAIL") + f" {path}: {count} transaction set(s)")
    except Exception as error:
        print(f"FAIL {path}: {type(error).__name__}: {error}".replace("\n", " | "))
"#;

/// The Python interpreter that has LinuxForHealth x12.
fn python() -> String {
    std::env::var("SWITCHBOARD_X12_PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

/// Whether the validator can run here (a missing peer fails under `CI`).
pub fn present() -> bool {
    super::peer_present(
        Command::new(python())
            .args(["-c", "import linuxforhealth.x12.io"])
            .output()
            .is_ok_and(|out| out.status.success()),
        "LinuxForHealth x12",
        "pip install linuxforhealth-x12==0.57.0 pydantic==1.10.27 (in a virtual environment \
         named by SWITCHBOARD_X12_PYTHON)",
    )
}

/// What LinuxForHealth x12 finds wrong in `files`: one line per file it does not read as
/// valid, empty when it reads them all.
pub fn problems(files: &[PathBuf]) -> Vec<String> {
    let run = Command::new(python())
        .arg("-c")
        .arg(VALIDATOR)
        .args(files)
        .output()
        .expect("the Python interpreter runs");
    let said = String::from_utf8_lossy(&run.stdout);
    let checked = said.lines().filter(|l| l.starts_with("OK ")).count();
    let mut problems: Vec<String> = said
        .lines()
        .filter(|l| !l.starts_with("OK "))
        .map(str::to_owned)
        .collect();
    if checked + problems.len() != files.len() {
        problems.push(format!(
            "the validator checked {checked} of {} files: {}",
            files.len(),
            String::from_utf8_lossy(&run.stderr)
        ));
    }
    problems
}
