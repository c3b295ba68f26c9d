//! The implementation-guide verdicts on public X12 files (tests/fixtures/x12_guide.toml):
//! ours are what the manifest records, agree with pyx12's except where it says why, and
//! pyx12 (when installed) still says what the manifest records of it.

mod common;

use std::path::{Path, PathBuf};

use serde::Deserialize;
use switchboard::x12::ElementSyntaxError;
use switchboard::x12::guide::{self, Finding};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    file: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    file: String,
    guided: bool,
    ours: Vec<String>,
    pyx12: String,
    pyx12_errors: Vec<String>,
    disagreement: Option<String>,
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn manifest() -> Manifest {
    let text = std::fs::read_to_string(fixtures().join("x12_guide.toml")).expect("manifest");
    toml::from_str(&text).expect("manifest parses")
}

/// A finding as the manifest writes it: `SEGMENT_NO:SEG[*EE[-C]]:CODE`; an HL numbering
/// finding (IK4 I12 on HL01 or HL02) is written `HL1` or `HL2`, as pyx12 names it.
fn token(finding: &Finding) -> String {
    match &finding.element {
        Some(element)
            if finding.segment_id == "HL"
                && element.code == ElementSyntaxError::PatternMismatch =>
        {
            format!("{}:HL:HL{}", finding.ordinal, element.position)
        }
        Some(element) => {
            let component = element
                .component
                .map(|c| format!("-{c}"))
                .unwrap_or_default();
            format!(
                "{}:{}*{:02}{component}:{}",
                finding.ordinal,
                finding.segment_id,
                element.position,
                element.code.code()
            )
        }
        None => format!(
            "{}:{}:{}",
            finding.ordinal,
            finding.segment_id,
            finding.code.code()
        ),
    }
}

fn sorted(tokens: &[String]) -> Vec<String> {
    let mut tokens = tokens.to_vec();
    tokens.sort();
    tokens.dedup();
    tokens
}

#[test]
fn our_verdicts_are_the_recorded_ones_and_agree_with_pyx12_or_say_why() {
    let manifest = manifest();
    assert!(manifest.file.len() >= 30);
    for entry in &manifest.file {
        let raw = std::fs::read(fixtures().join(&entry.file)).expect("fixture");
        let found: Vec<String> = match guide::validate(&raw) {
            Ok(validation) => {
                let guided = validation.sets.iter().all(|s| s.guide.is_some());
                assert_eq!(guided, entry.guided, "{}", entry.file);
                validation.findings().map(token).collect()
            }
            Err(_) => Vec::new(),
        };
        assert_eq!(found, entry.ours, "{}", entry.file);
        let compared = matches!(entry.pyx12.as_str(), "valid" | "invalid");
        let agree = sorted(&entry.ours) == sorted(&entry.pyx12_errors);
        if compared {
            assert_eq!(
                agree,
                entry.disagreement.is_none(),
                "{}: ours {:?}, pyx12 {:?}, disagreement {:?}",
                entry.file,
                entry.ours,
                entry.pyx12_errors,
                entry.disagreement
            );
        } else {
            assert!(entry.disagreement.is_none(), "{}", entry.file);
        }
    }
}

/// pyx12's errors in the manifest's form, from the JSON report its x12valid writes.
fn pyx12_errors(report: &serde_json::Value) -> Vec<String> {
    let mut errors = Vec::new();
    let list = |value: &serde_json::Value, key: &str| -> Vec<serde_json::Value> {
        value[key].as_array().cloned().unwrap_or_default()
    };
    for interchange in list(report, "interchanges") {
        for group in list(&interchange, "groups") {
            for set in list(&group, "transactions") {
                for segment in list(&set, "segments") {
                    let line = &segment["cur_line"];
                    let id = segment["seg_id"].as_str().unwrap_or_default();
                    for error in list(&segment, "errors") {
                        errors.push(format!(
                            "{line}:{id}:{}",
                            error["err_cde"].as_str().unwrap_or_default()
                        ));
                    }
                    for element in list(&segment, "elements") {
                        let component = element["subele_pos"]
                            .as_u64()
                            .map(|c| format!("-{c}"))
                            .unwrap_or_default();
                        let position = element["ele_pos"].as_u64().unwrap_or_default();
                        for error in list(&element, "errors") {
                            let code = error["err_cde"].as_str().unwrap_or_default();
                            errors.push(format!("{line}:{id}*{position:02}{component}:{code}"));
                        }
                    }
                }
            }
        }
    }
    // pyx12 reports a "not used" element twice, as 10 and I10; the manifest keeps one.
    let doubled: Vec<String> = errors
        .iter()
        .filter_map(|e| e.strip_suffix(":I10").map(|p| format!("{p}:10")))
        .collect();
    errors.retain(|e| !doubled.contains(e));
    errors
}

/// A copy of pyx12's installed maps in `dir` whose index also selects the 277 X212 map pyx12
/// 4.0.0 ships (`277.5010.X212.xml`) but does not list, so it checks those sets too.
fn maps_with_x212(dir: &Path) -> PathBuf {
    let located = std::process::Command::new("python3")
        .args([
            "-c",
            "import pyx12, os; print(os.path.join(os.path.dirname(pyx12.__file__), 'map'))",
        ])
        .output()
        .expect("python3 runs");
    let installed = PathBuf::from(String::from_utf8_lossy(&located.stdout).trim());
    let maps = dir.join("maps");
    std::fs::create_dir_all(&maps).expect("map directory");
    for file in std::fs::read_dir(&installed).expect("pyx12's maps") {
        let path = file.expect("map file").path();
        if path.is_file() {
            std::fs::copy(&path, maps.join(path.file_name().expect("name"))).expect("copies");
        }
    }
    let index = std::fs::read_to_string(maps.join("maps.xml")).expect("maps.xml");
    let x214 = r#"<map vriic="005010X214" fic="HN" abbr="277">277.5010.X214.xml</map>"#;
    assert!(index.contains(x214), "pyx12's index lists the 277CA map");
    let both = format!(
        r#"{x214}
    <map vriic="005010X212" fic="HN" abbr="277">277.5010.X212.xml</map>"#
    );
    std::fs::write(maps.join("maps.xml"), index.replacen(x214, &both, 1)).expect("writes");
    maps
}

#[test]
fn pyx12_still_says_what_the_manifest_records() {
    if !common::peer_present(
        common::command_runs("x12valid", &["--version"]),
        "pyx12's x12valid",
        "pip install pyx12==4.0.0",
    ) {
        return;
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let maps = maps_with_x212(dir.path());
    for entry in manifest()
        .file
        .iter()
        .filter(|e| matches!(e.pyx12.as_str(), "valid" | "invalid"))
    {
        let copy = dir.path().join("file.x12");
        std::fs::copy(fixtures().join(&entry.file), &copy).expect("copies");
        let report_path = dir.path().join("file.x12.json");
        let _ = std::fs::remove_file(&report_path);
        let run = std::process::Command::new("x12valid")
            .arg("--json-output")
            .arg("--map-path")
            .arg(&maps)
            .arg(&copy)
            .current_dir(dir.path())
            .output()
            .expect("x12valid runs");
        let said = String::from_utf8_lossy(&run.stdout).to_string()
            + String::from_utf8_lossy(&run.stderr).as_ref();
        let report: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&report_path).expect("a JSON report"))
                .expect("JSON");
        let mut errors = pyx12_errors(&report);
        let mut seen = Vec::new();
        errors.retain(|e| {
            let new = !seen.contains(e);
            seen.push(e.clone());
            new
        });
        assert_eq!(errors, entry.pyx12_errors, "{}: {said}", entry.file);
        let verdict = if said.contains("Failure") || !errors.is_empty() {
            "invalid"
        } else {
            "valid"
        };
        assert_eq!(verdict, entry.pyx12, "{}", entry.file);
    }
}
