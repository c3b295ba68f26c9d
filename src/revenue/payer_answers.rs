//! The payer simulator's answers to questions asked before a claim: each 270 eligibility
//! inquiry is answered with a 271 from the payer file's `[[members]]` (plan, active dates,
//! deductible, copay, coinsurance and out-of-pocket accumulators) and its contract; a member it
//! does not know is answered "subscriber not found" (AAA*Y**75*C); each 276 claim status
//! request with a 277 from what the simulator decided of the claim (paid, denied, or not found
//! when it has not seen it).

use std::collections::HashMap;

use super::payer_sim::{ClaimDecision, SimError, SimOptions};
use crate::config::payer::{MemberConfig, PayerConfig, parse_day};
use crate::x12::{
    self, Amount, Benefit, ClaimStatusEntry, ClaimStatusMessage, Date, EligibilityMessage,
    PriorAuthMessage, ReadOutcome, RequestRejection, ReviewDecision, SingleSetEnvelope, WriteError,
};

/// A day of a member's entry (checked when the payer file was read).
fn day(text: Option<&str>) -> Option<Date> {
    let (year, month, day) = parse_day(text?)?;
    Date::new(year, month, day)
}

/// An EB segment of the individual's health benefit plan coverage (`IND`, service type 30).
fn benefit(code: &str, period: Option<&str>, cents: Option<i64>) -> Benefit {
    Benefit {
        code: code.to_owned(),
        coverage_level: Some("IND".into()),
        service_type: Some("30".into()),
        period: period.map(str::to_owned),
        amount: cents.map(Amount::from_cents),
        ..Benefit::default()
    }
}

/// Whether `member` is covered on `date`.
fn is_active(member: &MemberConfig, date: Date) -> bool {
    day(member.active_from.as_deref()).is_none_or(|from| from <= date)
        && day(member.active_to.as_deref()).is_none_or(|to| date <= to)
}

/// The benefits of `member` on `date` under `payer`'s contract.
fn benefits_of(member: &MemberConfig, payer: &PayerConfig, date: Date) -> Vec<Benefit> {
    let active = is_active(member, date);
    let plan = Benefit {
        insurance_type: Some("HM".into()),
        plan: Some(member.plan.clone()),
        ..benefit(if active { "1" } else { "6" }, None, None)
    };
    if !active {
        return vec![plan];
    }
    let contract = payer.contract.as_ref();
    let deductible = member
        .deductible_cents
        .or(contract.map(|c| c.deductible_cents))
        .unwrap_or(0);
    let copay = member
        .copay_cents
        .or(contract.map(|c| c.copay_cents))
        .unwrap_or(0);
    let coinsurance = member
        .coinsurance_basis_points
        .or(contract.map(|c| c.coinsurance_basis_points))
        .unwrap_or(0);
    let mut benefits = vec![
        plan,
        benefit("C", Some("23"), Some(deductible)),
        benefit(
            "C",
            Some("29"),
            Some((deductible - member.deductible_met_cents).max(0)),
        ),
        benefit("B", Some("27"), Some(copay)),
        Benefit {
            percent_basis_points: Some(coinsurance),
            ..benefit("A", None, None)
        },
    ];
    if let Some(maximum) = member.out_of_pocket_max_cents {
        benefits.push(benefit("G", Some("23"), Some(maximum)));
        benefits.push(benefit(
            "G",
            Some("29"),
            Some((maximum - member.out_of_pocket_met_cents).max(0)),
        ));
    }
    benefits
}

/// The 271 answering one inquiry.
fn answer_to(inquiry: &EligibilityMessage, payer: &PayerConfig, today: Date) -> EligibilityMessage {
    let mut answer = EligibilityMessage {
        service_types: Vec::new(),
        service_date: None,
        ..inquiry.clone()
    };
    match payer
        .members
        .iter()
        .find(|m| m.member_id == inquiry.member_id)
    {
        None => answer.rejections.push(RequestRejection {
            level: "22".into(),
            reason: "75".into(),
            follow_up: Some("C".into()),
        }),
        Some(member) => {
            answer.member_last_name = member.family_name.clone();
            answer.member_first_name = member.given_name.clone();
            answer.plan_begin = day(member.active_from.as_deref());
            answer.plan_end = day(member.active_to.as_deref());
            answer.benefits = benefits_of(member, payer, inquiry.service_date.unwrap_or(today));
        }
    }
    answer
}

/// One answer per document of `read` (a request interchange of kind `kind`), each in an
/// interchange of its own from the request's receiver to its sender, numbered from `series`
/// (a hundred-million block of control numbers) and the request's ISA13.
fn answer_each<T>(
    read: &ReadOutcome<T>,
    kind: &'static str,
    series: u32,
    options: &SimOptions,
    answer: impl Fn(&T, &SingleSetEnvelope, [u32; 2]) -> Result<Vec<u8>, WriteError>,
) -> Result<Vec<Vec<u8>>, SimError> {
    if let Some(problem) = read.envelope_problems.first() {
        return Err(SimError::UnreadableInquiry(kind, problem.to_string()));
    }
    let envelope = options.answering(&read.interchange);
    let base: u32 = read.interchange.control_number.parse().unwrap_or(1);
    read.documents
        .iter()
        .enumerate()
        .map(|(index, request)| {
            let offset = u32::try_from(index).unwrap_or(0);
            let control = (base % 100_000_000 + series).saturating_add(offset);
            answer(request, &envelope, [control, 1])
                .map_err(|err| SimError::Write(kind, err.to_string()))
        })
        .collect()
}

/// Answers every 270 of `raw_270` as `payer` would: one 271 interchange per inquiry, from the
/// payer to the 270's sender.
pub fn answer_270(
    raw_270: &[u8],
    payer: &PayerConfig,
    options: &SimOptions,
) -> Result<Vec<Vec<u8>>, SimError> {
    let read = x12::read_270(raw_270)
        .map_err(|err| SimError::UnreadableInquiry("270", err.to_string()))?;
    answer_each(
        &read,
        "270",
        400_000_000,
        options,
        |inquiry, envelope, controls| {
            x12::write_271(&answer_to(inquiry, payer, options.date), envelope, controls)
        },
    )
}

/// Where the claim of a 276 stands, from the decisions the simulator made (by our claim
/// number): paid (`F1:65`), denied (`F2:1`), or not found (`D0:35`).
fn status_of(
    request: &ClaimStatusMessage,
    decisions: &HashMap<String, ClaimDecision>,
    today: Date,
) -> ClaimStatusMessage {
    let decision = request
        .claim_number
        .as_ref()
        .and_then(|number| decisions.get(number));
    let status = match decision {
        Some(decision) => ClaimStatusEntry {
            category: if decision.denied { "F2" } else { "F1" }.into(),
            code: if decision.denied { "1" } else { "65" }.into(),
            effective: Some(today),
            charge: Some(decision.charge),
            paid: Some(decision.paid),
            adjudicated: Some(decision.date),
            check_number: (!decision.denied).then(|| decision.check_number.clone()),
        },
        None => ClaimStatusEntry {
            category: "D0".into(),
            code: "35".into(),
            effective: Some(today),
            charge: request.charge,
            paid: Some(Amount::from_cents(0)),
            ..ClaimStatusEntry::default()
        },
    };
    ClaimStatusMessage {
        payer_claim_number: decision
            .map(|d| d.payer_claim_number.clone())
            .or_else(|| request.payer_claim_number.clone()),
        charge: None,
        member_birth_date: None,
        statuses: vec![status],
        ..request.clone()
    }
}

/// Answers every 276 of `raw_276` with a 277 per request, from the claims the simulator has
/// decided.
pub fn answer_276(
    raw_276: &[u8],
    decisions: &HashMap<String, ClaimDecision>,
    options: &SimOptions,
) -> Result<Vec<Vec<u8>>, SimError> {
    let read = x12::read_276(raw_276)
        .map_err(|err| SimError::UnreadableInquiry("276", err.to_string()))?;
    answer_each(
        &read,
        "276",
        500_000_000,
        options,
        |request, envelope, controls| {
            x12::write_277_status(
                &status_of(request, decisions, options.date),
                envelope,
                controls,
            )
        },
    )
}

/// The conditions of a prior authorization under `payer`'s contract, each `met - ...` or
/// `failed - ...`, and the decision: certified (`A1`, with an authorization number valid from
/// the date of service to the end of its year or of the coverage) when all are met, pended (`A4`) when only the annual limit fails, not certified (`A3`) otherwise.
fn review(request: &PriorAuthMessage, payer: &PayerConfig, today: Date) -> PriorAuthMessage {
    let date = request.service_date.unwrap_or(today);
    let contract = payer.contract.as_ref();
    let member = payer
        .members
        .iter()
        .find(|m| m.member_id == request.member_id);
    let mut conditions: Vec<(bool, String)> = vec![(
        member.is_some_and(|m| is_active(m, date)),
        format!("coverage of member {} active on {date}", request.member_id),
    )];
    let problems = |diagnoses: &[String], procedures: &[&str]| {
        contract
            .map(|c| c.coverage_problems(diagnoses, procedures.iter().copied()))
            .unwrap_or_default()
    };
    let diagnosis = problems(std::slice::from_ref(&request.diagnosis), &[]);
    conditions.push((
        diagnosis.is_empty(),
        diagnosis
            .first()
            .cloned()
            .unwrap_or_else(|| format!("diagnosis {} covered", request.diagnosis)),
    ));
    let procedure = problems(&[], &[&request.procedure]);
    conditions.push((
        procedure.is_empty(),
        match procedure.first() {
            Some(_) => format!("procedure {} is not covered", request.procedure),
            None => format!("procedure {} covered", request.procedure),
        },
    ));
    let network = contract.map(|c| &c.in_network_providers);
    conditions.push((
        network.is_none_or(|n| n.is_empty() || n.contains(&request.provider.id)),
        format!("provider {} in network", request.provider.id),
    ));
    let limit = contract.and_then(|c| c.annual_limit_cents);
    let amount = request.amount.map_or(0, Amount::cents);
    let within_limit = limit.is_none_or(|limit| amount <= limit);
    conditions.push((
        within_limit,
        match limit {
            Some(limit) => format!(
                "amount within the annual limit {}",
                Amount::from_cents(limit)
            ),
            None => "no annual limit".to_owned(),
        },
    ));
    let failed = conditions.iter().filter(|(met, _)| !met).count();
    let action = match (failed, within_limit) {
        (0, _) => "A1",
        (1, false) => "A4",
        _ => "A3",
    };
    // A certification is valid from the date of service to the end of its year, or to the end
    // of the member's coverage when that comes first.
    let year_end = Date::new(date.year, 12, 31);
    let expires = match member.and_then(|m| day(m.active_to.as_deref())) {
        Some(to) => year_end.map(|end| end.min(to)),
        None => year_end,
    };
    let certified = action == "A1";
    PriorAuthMessage {
        decision: Some(ReviewDecision {
            action: action.to_owned(),
            authorization_number: certified.then(|| format!("AUTH{}", request.trace)),
            reason: None,
        }),
        certification_effective: certified.then_some(date),
        certification_expires: expires.filter(|_| certified),
        messages: conditions
            .into_iter()
            .map(|(met, text)| format!("{} - {text}", if met { "met" } else { "failed" }))
            .collect(),
        member_birth_date: None,
        ..request.clone()
    }
}

/// Answers every 278 request of `raw_278` with a 278 response: the payer's decision under its
/// contract, with the conditions met and failed.
pub fn answer_278(
    raw_278: &[u8],
    payer: &PayerConfig,
    options: &SimOptions,
) -> Result<Vec<Vec<u8>>, SimError> {
    let read = x12::read_278(raw_278)
        .map_err(|err| SimError::UnreadableInquiry("278", err.to_string()))?;
    answer_each(
        &read,
        "278",
        600_000_000,
        options,
        |request, envelope, controls| {
            x12::write_278(
                &review(request, payer, options.date),
                envelope,
                true,
                controls,
            )
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::x12::{eligibility_samples, read_271, write_270};

    fn payer() -> PayerConfig {
        let text = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/payers/acme-health.toml"),
        )
        .unwrap();
        toml::from_str(&text).unwrap()
    }

    fn inquiry_270(member: &str, date: Date) -> Vec<u8> {
        let inquiry = EligibilityMessage {
            trace: format!("T-{member}"),
            member_id: member.into(),
            service_date: Some(date),
            ..eligibility_samples::inquiry()
        };
        write_270(&inquiry, &eligibility_samples::envelope(), [77, 1]).unwrap()
    }

    fn answer(member: &str, date: Date) -> EligibilityMessage {
        let options = SimOptions::now(0, 1, false).unwrap();
        let files = answer_270(&inquiry_270(member, date), &payer(), &options).unwrap();
        assert_eq!(files.len(), 1);
        let read = read_271(&files[0]).unwrap();
        assert!(read.warnings.is_empty(), "{:?}", read.warnings);
        assert_eq!(read.interchange.receiver_id.trim(), "SWITCHBOARD01");
        read.documents.into_iter().next().unwrap()
    }

    #[test]
    fn members_are_answered_from_the_payer_file() {
        let in_2026 = Date::new(2026, 6, 1).unwrap();
        let active = answer("MEM12345", in_2026);
        assert_eq!(active.trace, "T-MEM12345");
        assert_eq!(active.member_last_name.as_deref(), Some("O'Brien"));
        let codes: Vec<&str> = active.benefits.iter().map(|b| b.code.as_str()).collect();
        assert_eq!(codes, ["1", "C", "C", "B", "A", "G", "G"]);
        assert_eq!(
            active.benefit("G", Some("29")).and_then(|b| b.amount),
            Some(Amount::from_cents(257_400))
        );
        assert_eq!(
            active.benefit("B", None).and_then(|b| b.amount),
            Some(Amount::from_cents(2_500))
        );

        let lapsed = answer("MEM55555", in_2026);
        assert_eq!(lapsed.benefits.len(), 1);
        assert_eq!(lapsed.benefits[0].code, "6");

        let unknown = answer("NOBODY", in_2026);
        assert!(unknown.benefits.is_empty());
        assert_eq!(unknown.rejections[0].reason, "75");
    }

    #[test]
    fn claim_status_comes_from_what_the_simulator_decided() {
        let options = SimOptions::now(0, 1, false).unwrap();
        let request = ClaimStatusMessage {
            trace: "S1".into(),
            member_id: "MEM12345".into(),
            claim_number: Some("SB1".into()),
            charge: Some(Amount::from_cents(10_000)),
            ..ClaimStatusMessage::default()
        };
        let denied = ClaimDecision {
            claim_number: "SB1".into(),
            member_id: "MEM1".into(),
            member_name: ("Doe".into(), "Jo".into()),
            payer_claim_number: "P1".into(),
            charge: Amount::from_cents(10_000),
            paid: Amount::from_cents(0),
            denied: true,
            date: options.date,
            check_number: "SIM1".into(),
        };
        let decisions = HashMap::from([("SB1".to_owned(), denied)]);
        let file = x12::write_276(&request, &eligibility_samples::envelope(), [5, 1]).unwrap();
        let answers = answer_276(&file, &decisions, &options).unwrap();
        let read = x12::read_277_status(&answers[0]).unwrap();
        let answer = &read.documents[0];
        assert_eq!(answer.trace, "S1");
        assert_eq!(answer.payer_claim_number.as_deref(), Some("P1"));
        let status = &answer.statuses[0];
        assert_eq!(
            (status.category.as_str(), status.code.as_str()),
            ("F2", "1")
        );
        assert_eq!(status.check_number, None);

        let answers = answer_276(&file, &HashMap::new(), &options).unwrap();
        let read = x12::read_277_status(&answers[0]).unwrap();
        let status = &read.documents[0].statuses[0];
        assert_eq!(
            (status.category.as_str(), status.code.as_str()),
            ("D0", "35")
        );
        assert_eq!(status.charge, Some(Amount::from_cents(10_000)));
    }

    #[test]
    fn an_unreadable_270_is_a_clear_error() {
        let options = SimOptions::now(0, 1, false).unwrap();
        let err = answer_270(b"nothing", &payer(), &options).unwrap_err();
        assert!(
            err.to_string().starts_with("the 270 does not read"),
            "{err}"
        );
    }
}
