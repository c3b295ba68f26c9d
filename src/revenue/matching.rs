//! Matching the service lines of an 835 claim payment (SVC) to the lines of our claim: by the
//! line item control number we sent (REF*6R), else by procedure, modifiers, service date and
//! units, also when the payer dropped or changed a modifier or re-coded the procedure (SVC06
//! carries what we billed).

use crate::canonical::LineFacts;

fn modifier_set(modifiers: &str) -> Vec<&str> {
    let mut set: Vec<&str> = modifiers.split(',').filter(|m| !m.is_empty()).collect();
    set.sort_unstable();
    set
}

/// How well a remitted line fits a claimed line; `None` when it cannot be that line.
fn score(remitted: &LineFacts, claimed: &LineFacts) -> Option<u32> {
    if let (Some(ours), Some(theirs)) = (&claimed.control_number, &remitted.control_number) {
        return (ours == theirs).then_some(100);
    }
    let (procedure, modifiers) = match &remitted.original_procedure {
        Some(original) => (
            original.as_str(),
            remitted
                .original_modifiers
                .as_deref()
                .unwrap_or(&remitted.modifiers),
        ),
        None => (remitted.procedure.as_str(), remitted.modifiers.as_str()),
    };
    if procedure != claimed.procedure {
        return None;
    }
    if let (Some(a), Some(b)) = (&remitted.service_date, &claimed.service_date)
        && a != b
    {
        return None;
    }
    let (paid_mods, billed_mods) = (modifier_set(modifiers), modifier_set(&claimed.modifiers));
    let mut score = 10;
    if paid_mods == billed_mods {
        score += 4;
    } else if paid_mods.iter().all(|m| billed_mods.contains(m)) {
        // The payer dropped a modifier.
        score += 2;
    }
    if remitted.service_date.is_some() {
        score += 2;
    }
    if remitted.units_thousandths.is_some()
        && remitted.units_thousandths == claimed.units_thousandths
    {
        score += 1;
    }
    Some(score)
}

/// For each remitted line, the index of the claimed line it pays; each claimed line is paid
/// by at most one remitted line, the best-fitting pairs first.
pub fn match_lines(remitted: &[LineFacts], claimed: &[LineFacts]) -> Vec<Option<usize>> {
    let mut pairs: Vec<(u32, usize, usize)> = remitted
        .iter()
        .enumerate()
        .flat_map(|(r, line)| {
            claimed
                .iter()
                .enumerate()
                .filter_map(move |(c, claim_line)| score(line, claim_line).map(|s| (s, r, c)))
        })
        .collect();
    // Best score first; among equals, keep the order of the lines.
    pairs.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut matched = vec![None; remitted.len()];
    let mut taken = vec![false; claimed.len()];
    for (_, r, c) in pairs {
        if matched[r].is_none() && !taken[c] {
            matched[r] = Some(c);
            taken[c] = true;
        }
    }
    matched
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(procedure: &str, modifiers: &str, date: &str, units: i64) -> LineFacts {
        LineFacts {
            procedure: procedure.into(),
            modifiers: modifiers.into(),
            service_date: Some(date.into()),
            units_thousandths: Some(units),
            ..LineFacts::default()
        }
    }

    #[test]
    fn lines_match_by_procedure_modifiers_date_and_units() {
        let claimed = [
            line("99213", "25", "2026-11-20", 1000),
            line("87880", "", "2026-11-20", 1000),
            line("87880", "", "2026-11-21", 1000),
        ];
        let remitted = [
            line("87880", "", "2026-11-21", 1000),
            line("99213", "25", "2026-11-20", 1000),
            line("87880", "", "2026-11-20", 1000),
        ];
        assert_eq!(
            match_lines(&remitted, &claimed),
            [Some(2), Some(0), Some(1)]
        );
    }

    #[test]
    fn a_dropped_modifier_or_a_recoded_procedure_still_matches() {
        let claimed = [
            line("99214", "25", "2026-11-20", 1000),
            line("97110", "GP,59", "2026-11-20", 2000),
        ];
        let mut recoded = line("99213", "", "2026-11-20", 1000);
        recoded.original_procedure = Some("99214".into());
        recoded.original_modifiers = Some("25".into());
        let dropped = line("97110", "GP", "2026-11-20", 2000);
        assert_eq!(
            match_lines(&[dropped, recoded], &claimed),
            [Some(1), Some(0)]
        );
    }

    #[test]
    fn the_control_number_decides_and_unknown_lines_stay_unmatched() {
        let mut first = line("87880", "", "2026-11-20", 1000);
        first.control_number = Some("7".into());
        let mut second = first.clone();
        second.control_number = Some("8".into());
        let mut paid_second = line("87880", "", "2026-11-20", 1000);
        paid_second.control_number = Some("8".into());
        let other = line("36415", "", "2026-11-20", 1000);
        assert_eq!(
            match_lines(&[paid_second, other], &[first, second]),
            [Some(1), None]
        );
    }
}
