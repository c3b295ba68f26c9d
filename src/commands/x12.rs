//! `switchboard x12 validate`: checks X12 files against their implementation guides and
//! prints every error, optionally writing the 999 that would answer them.

use std::path::Path;
use std::process::ExitCode;

use crate::x12::guide::{self, Validation};
use crate::x12::{self, AckEnvelope, Date, Time};

/// Validates each file (envelopes and implementation guide) and prints each error as
/// `FILE:SEGMENT_NO: LOOP SEG*ELEM: reason (IK3/IK4 code)`; with `ack_out`, writes there the
/// 999s that would answer them, one after the other. Exits 0 when every file is valid, 1
/// otherwise.
pub fn x12_validate(files: &[impl AsRef<Path>], ack_out: Option<&Path>) -> ExitCode {
    let mut all_valid = true;
    let mut answers = Vec::new();
    let mut next_control = 1_u32;
    for file in files {
        let file = file.as_ref();
        let shown = file.display();
        let raw = match std::fs::read(file) {
            Ok(raw) => raw,
            Err(err) => {
                println!("{shown}: cannot read: {err}");
                all_valid = false;
                continue;
            }
        };
        let validation = match guide::validate(&raw) {
            Ok(validation) => validation,
            Err(err) => {
                println!("{shown}: not readable as X12: {err}");
                all_valid = false;
                continue;
            }
        };
        print_errors(&shown.to_string(), &validation);
        all_valid &= validation.is_clean();
        if ack_out.is_some() {
            match answer(&validation, &mut next_control) {
                Ok(written) => answers.extend(written),
                Err(err) => {
                    println!("{shown}: cannot write its 999: {err}");
                    all_valid = false;
                }
            }
        }
    }
    if let Some(out) = ack_out
        && let Err(err) = std::fs::write(out, &answers)
    {
        eprintln!("cannot write {}: {err}", out.display());
        return ExitCode::FAILURE;
    }
    if all_valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Prints the reader's warnings (a published quirk it read through, such as composites that
/// use another separator than ISA16), the envelope problems and the guide findings of one
/// file, and notes the sets no guide describes.
fn print_errors(file: &str, validation: &Validation) {
    for report in &validation.reports {
        for warning in &report.warnings {
            println!(
                "{file}:{}: warning {}: {}",
                warning.ordinal, warning.segment_id, warning.problem
            );
        }
        for problem in &report.problems {
            let element = problem
                .element
                .map(|e| format!("*{e:02}"))
                .unwrap_or_default();
            println!(
                "{file}:{}: envelope {}{element}: {}",
                problem.ordinal, problem.segment_id, problem.problem
            );
        }
    }
    for set in &validation.sets {
        if set.guide.is_none() {
            eprintln!(
                "{file}:{}: ST {} {}: no implementation guide for this set; envelope checked only",
                set.st_ordinal, set.id_code, set.control_number
            );
        }
        for finding in &set.findings {
            println!("{file}:{}: {}", finding.ordinal, finding.describe());
        }
    }
}

/// The 999s answering every interchange of a validated file that is not itself made of
/// acknowledgments, numbered from `next_control`.
fn answer(validation: &Validation, next_control: &mut u32) -> Result<Vec<u8>, x12::WriteError> {
    let now = time::OffsetDateTime::now_utc();
    let date = Date::new(
        u16::try_from(now.year()).unwrap_or(2000),
        u8::from(now.month()),
        now.day(),
    );
    let time = Time::new(now.hour(), now.minute(), Some(now.second()));
    let mut written = Vec::new();
    let (Some(date), Some(time)) = (date, time) else {
        return Ok(written);
    };
    for report in validation.reports.iter().filter(|r| x12::wants_999(r)) {
        let acks = x12::acknowledge_validated(report, validation);
        let envelope = AckEnvelope {
            interchange_control_number: *next_control,
            group_control_number: *next_control,
            first_transaction_control_number: *next_control,
            date,
            time,
            line_breaks: true,
        };
        *next_control = next_control.saturating_add(1);
        written.extend(x12::write_999(&report.interchange, &acks, &envelope)?);
    }
    Ok(written)
}
