//! Eligibility checks: a 270 inquiry about one member is stored, sent through the payer's
//! channel, and the 271 that answers it, arriving through any inbound channel, is matched back
//! by its trace number (TRN02) and kept with the request. The check can wait for the answer.

use serde::{Deserialize, Serialize};

use super::codes::request_rejection_text;
use super::inquiries::{
    Outgoing, PayerAnswer, answer_as, asked_json, iso, member_request, payer_party, plain_id,
    provider_party, request_date, store_answers, trace_assigner,
};
use super::{Handover, RevenueError};
use crate::config::engine::BillingConfig;
use crate::config::payer::PayerConfig;
use crate::store::Store;
use crate::store::inquiries::Inquiry;
use crate::x12::{self, EligibilityMessage};

/// The kind of these requests in the store.
pub const KIND: &str = "eligibility";

/// What to ask a payer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EligibilityRequest {
    /// The payer's id (`HMO1`).
    pub payer: String,
    /// The member id on the patient's card.
    #[schema(pattern = r"^[A-Za-z0-9._-]{1,80}$")]
    pub member_id: String,
    /// The member's first name; when absent, taken from our patient with that member id.
    #[serde(default)]
    #[schema(pattern = r"^[A-Za-z .'-]*[A-Za-z][A-Za-z .'-]*$", max_length = 60)]
    pub first_name: Option<String>,
    /// The member's last name; when absent, as `first_name`.
    #[serde(default)]
    #[schema(pattern = r"^[A-Za-z .'-]*[A-Za-z][A-Za-z .'-]*$", max_length = 60)]
    pub last_name: Option<String>,
    /// The member's date of birth, `YYYY-MM-DD`; when absent, as `first_name`.
    #[serde(default)]
    #[schema(format = Date)]
    pub birth_date: Option<String>,
    /// Service type code (EQ01), `30` (health benefit plan coverage) when absent.
    #[serde(default)]
    #[schema(pattern = r"^[A-Za-z0-9]{1,2}$")]
    pub service_type: Option<String>,
    /// Date of service, `YYYY-MM-DD`; today when absent.
    #[serde(default)]
    #[schema(format = Date)]
    pub date: Option<String>,
    /// Seconds to wait for the answer (default 30, at most 110; 0: do not wait).
    #[serde(default, deserialize_with = "super::inquiries::whole_seconds")]
    #[schema(maximum = 110)]
    pub timeout_seconds: Option<u64>,
}

/// What a 271 says of the member's coverage; money in cents.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Coverage {
    /// `active`, `inactive`, `not found`, or `rejected` (the payer could not answer: see
    /// `reason`).
    pub status: Option<String>,
    /// Why the payer gave no coverage: its AAA reject reason code, spelled out.
    pub reason: Option<String>,
    /// The plan's name.
    pub plan: Option<String>,
    /// First day of the plan, `YYYY-MM-DD`.
    pub coverage_begin: Option<String>,
    /// Last day of the plan, `YYYY-MM-DD`.
    pub coverage_end: Option<String>,
    /// Annual deductible.
    pub deductible_cents: Option<i64>,
    /// Deductible still to meet this year.
    pub deductible_remaining_cents: Option<i64>,
    /// Copay per visit.
    pub copay_cents: Option<i64>,
    /// Coinsurance, in basis points (2000 = 20%).
    pub coinsurance_basis_points: Option<i64>,
    /// Annual out-of-pocket maximum.
    pub out_of_pocket_max_cents: Option<i64>,
    /// Out-of-pocket still to reach the maximum this year.
    pub out_of_pocket_remaining_cents: Option<i64>,
}

impl PayerAnswer for Coverage {
    fn outcome(&self) -> String {
        self.status.clone().unwrap_or_else(|| "answered".into())
    }
}

/// One eligibility check: what was asked, where it stands, and the answer once it came.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct EligibilityCheck {
    /// The check's id.
    pub id: i64,
    /// The payer's id.
    pub payer_id: String,
    /// The member id asked about.
    pub member_id: String,
    /// The trace number of the 270 (TRN02), which the 271 returns.
    pub trace_number: String,
    /// `sending`, `sent` (waiting for the answer), `answered` or `failed` (see `error`).
    pub state: String,
    /// Why the 270 could not be sent.
    pub error: Option<String>,
    /// The 270 as a message of the payer's channel.
    pub request_message_id: Option<i64>,
    /// The message that brought the 271.
    pub answer_message_id: Option<i64>,
    /// When it was asked, Unix ms.
    pub created_at: i64,
    /// When the answer came, Unix ms.
    pub answered_at: Option<i64>,
    /// The answer (empty until it came).
    #[serde(flatten)]
    pub coverage: Coverage,
}

impl EligibilityCheck {
    /// The check stored as `inquiry`.
    pub fn from_inquiry(inquiry: Inquiry) -> Self {
        let coverage = answer_as(&inquiry);
        EligibilityCheck {
            id: inquiry.id,
            payer_id: inquiry.payer_id,
            member_id: inquiry.subject,
            trace_number: inquiry.trace_number,
            state: inquiry.status,
            error: inquiry.error,
            request_message_id: inquiry.request_message_id,
            answer_message_id: inquiry.answer_message_id,
            created_at: inquiry.created_at,
            answered_at: inquiry.answered_at,
            coverage,
        }
    }
}

/// What a 271 says, in the terms of [`Coverage`].
pub fn coverage_of(answer: &EligibilityMessage) -> Coverage {
    if let Some(rejection) = answer.rejections.first() {
        let status = if matches!(rejection.reason.as_str(), "72" | "73" | "75") {
            "not found"
        } else {
            "rejected"
        };
        let reason = match request_rejection_text(&rejection.reason) {
            Some(text) => format!("{text} (AAA {})", rejection.reason),
            None => format!("AAA {}", rejection.reason),
        };
        return Coverage {
            status: Some(status.to_owned()),
            reason: Some(reason),
            ..Coverage::default()
        };
    }
    let plan_fact = answer
        .benefits
        .iter()
        .find(|b| matches!(b.code.as_str(), "1" | "6"));
    let amount = |code: &str, period: Option<&str>| {
        answer
            .benefit(code, period)
            .and_then(|b| b.amount)
            .map(|a| a.cents())
    };
    Coverage {
        status: Some(
            match plan_fact.map(|b| b.code.as_str()) {
                Some("1") => "active",
                _ => "inactive",
            }
            .to_owned(),
        ),
        reason: None,
        plan: plan_fact.and_then(|b| b.plan.clone()),
        coverage_begin: answer.plan_begin.map(iso),
        coverage_end: answer.plan_end.map(iso),
        deductible_cents: amount("C", Some("23")),
        deductible_remaining_cents: amount("C", Some("29")),
        copay_cents: amount("B", None),
        coinsurance_basis_points: answer
            .benefit("A", None)
            .and_then(|b| b.percent_basis_points),
        out_of_pocket_max_cents: amount("G", Some("23")),
        out_of_pocket_remaining_cents: amount("G", Some("29")),
    }
}

/// Whether `value` can be written as a name in an X12 segment: 1 to 60 letters, spaces, '-',
/// '.' or '\''.
fn plain_name(value: &str) -> bool {
    !value.trim().is_empty()
        && value.len() <= 60
        && value
            .chars()
            .all(|c| c.is_ascii_alphabetic() || " -.'".contains(c))
}

/// Asks `payer` whether the member is covered: stores the request, sends a 270 through the
/// payer's channel and waits (as the request says) for the 271.
pub async fn check(
    store: &Store,
    handover: &dyn Handover,
    billing: &BillingConfig,
    payer: &PayerConfig,
    request: &EligibilityRequest,
) -> Result<EligibilityCheck, RevenueError> {
    let service_type = request.service_type.as_deref().unwrap_or("30");
    if !plain_id(service_type, 2) {
        return Err(RevenueError::Invalid(format!(
            "service_type '{service_type}' is not a service type code (1-2 letters or digits, 30: health benefit plan coverage)"
        )));
    }
    let about = (
        request.member_id.as_str(),
        &request.date,
        request.timeout_seconds,
    );
    let member = member_request(store, billing, payer, about).await?;
    let known = member.known;
    let name = |given: &Option<String>, stored: Option<String>, field: &str| {
        let name = given.clone().or(stored);
        match name {
            Some(text) if !plain_name(&text) => Err(RevenueError::Invalid(format!(
                "{field} must be 1-60 letters, spaces, '-', '.' or apostrophes"
            ))),
            other => Ok(other),
        }
    };
    let first_name = name(&request.first_name, known.given_name, "first_name")?;
    let last_name = name(&request.last_name, known.family_name, "last_name")?;
    let birth_date = match (&request.birth_date, known.birth_date) {
        (Some(text), _) => Some(request_date("birth_date", text)?),
        (None, Some(stored)) => stored.get(..10).and_then(|day| request_date("", day).ok()),
        (None, None) => None,
    };
    let outgoing = Outgoing {
        kind: KIND,
        set: "270",
        trace_prefix: "SBE",
        payer,
        subject: &request.member_id,
        asked: asked_json(request)?,
        limit: member.limit,
        procedure: None,
    };
    let stored = super::inquiries::ask(store, handover, outgoing, |trace, controls| {
        let inquiry = EligibilityMessage {
            reference: trace.to_owned(),
            trace: trace.to_owned(),
            trace_assigner: trace_assigner(billing),
            payer: payer_party(payer),
            provider: provider_party(billing, &billing.npi),
            member_id: request.member_id.clone(),
            member_last_name: last_name,
            member_first_name: first_name,
            member_birth_date: birth_date,
            service_date: Some(member.service_date),
            service_types: vec![service_type.to_owned()],
            ..EligibilityMessage::default()
        };
        x12::write_270(&inquiry, &member.envelope, controls)
    })
    .await?;
    Ok(EligibilityCheck::from_inquiry(stored))
}

/// Matches each 271 of `raw` to its check by trace number and stores the answer; one line per
/// response saying what it did.
pub async fn apply_271(
    store: &Store,
    raw: &[u8],
    message_id: Option<i64>,
) -> Result<Vec<String>, RevenueError> {
    let read = x12::read_271(raw).map_err(|err| RevenueError::Unreadable(err.to_string()))?;
    let answers = read
        .interchanges()
        .flat_map(|one| &one.documents)
        .map(|answer| (answer.trace.clone(), coverage_of(answer)));
    let stored = store_answers(store, KIND, answers.collect(), message_id).await?;
    Ok(stored
        .iter()
        .map(|answer| answer.line("eligibility check", "271"))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::x12::{Amount, Benefit, Date, RequestRejection};

    fn benefit(code: &str, period: Option<&str>, cents: Option<i64>) -> Benefit {
        Benefit {
            code: code.into(),
            coverage_level: Some("IND".into()),
            service_type: Some("30".into()),
            period: period.map(str::to_owned),
            amount: cents.map(Amount::from_cents),
            ..Benefit::default()
        }
    }

    #[test]
    fn a_271_reads_as_coverage() {
        let mut answer = EligibilityMessage {
            plan_begin: Date::new(2026, 1, 1),
            plan_end: Date::new(2026, 12, 31),
            benefits: vec![
                Benefit {
                    plan: Some("Gold".into()),
                    ..benefit("1", None, None)
                },
                benefit("C", Some("23"), Some(50_000)),
                benefit("C", Some("29"), Some(37_500)),
                benefit("B", Some("27"), Some(2_500)),
                Benefit {
                    percent_basis_points: Some(2_000),
                    ..benefit("A", None, None)
                },
                benefit("G", Some("23"), Some(300_000)),
                benefit("G", Some("29"), Some(257_400)),
            ],
            ..EligibilityMessage::default()
        };
        let coverage = coverage_of(&answer);
        assert_eq!(
            coverage,
            Coverage {
                status: Some("active".into()),
                reason: None,
                plan: Some("Gold".into()),
                coverage_begin: Some("2026-01-01".into()),
                coverage_end: Some("2026-12-31".into()),
                deductible_cents: Some(50_000),
                deductible_remaining_cents: Some(37_500),
                copay_cents: Some(2_500),
                coinsurance_basis_points: Some(2_000),
                out_of_pocket_max_cents: Some(300_000),
                out_of_pocket_remaining_cents: Some(257_400),
            }
        );
        answer.benefits[0].code = "6".into();
        assert_eq!(coverage_of(&answer).status.as_deref(), Some("inactive"));
        answer.rejections.push(RequestRejection {
            level: "22".into(),
            reason: "75".into(),
            follow_up: Some("C".into()),
        });
        let unknown = coverage_of(&answer);
        assert_eq!(unknown.status.as_deref(), Some("not found"));
        assert_eq!(
            unknown.reason.as_deref(),
            Some("Subscriber/insured not found (AAA 75)")
        );
        assert_eq!(unknown.plan, None);
    }

    #[test]
    fn names_are_checked() {
        assert!(plain_name("O'Brien") && !plain_name("A~B") && !plain_name(" "));
    }
}
