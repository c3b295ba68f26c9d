//! Prior authorization: a 278 request for one procedure is stored and sent through the payer's
//! channel, with the estimate of what the contract pays for it; the 278 response, matched back
//! by trace number, gives the decision and the conditions met and failed.

use serde::{Deserialize, Serialize};

use super::contract::share;
use super::inquiries::{
    Outgoing, PayerAnswer, answer_as, asked_json, iso, member_request, payer_party, provider_party,
    store_answers, trace_assigner, whole_seconds,
};
use super::{Handover, RevenueError};
use crate::canonical::ContractTerms;
use crate::config::engine::BillingConfig;
use crate::config::payer::PayerConfig;
use crate::store::Store;
use crate::store::inquiries::Inquiry;
use crate::x12::{self, Amount, PriorAuthMessage};

/// The kind of these requests in the store.
pub const KIND: &str = "prior_auth";

/// What to ask a payer to authorize.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriorAuthRequest {
    /// The payer's id (`HMO1`).
    pub payer: String,
    /// The member id.
    #[schema(pattern = r"^[A-Za-z0-9._-]{1,80}$")]
    pub member_id: String,
    /// The procedure (CPT/HCPCS).
    #[schema(pattern = r"^[A-Za-z0-9]{5}$")]
    pub procedure: String,
    /// The principal diagnosis (ICD-10, with or without its dot).
    #[schema(pattern = r"^[A-Za-z][0-9][0-9A-Za-z](\.?[0-9A-Za-z]{1,4})?$")]
    pub diagnosis: String,
    /// The amount asked, `200.00`; the contract's fee when absent.
    #[serde(default)]
    #[schema(pattern = r"^[0-9]{1,7}(\.[0-9]{1,2})?$")]
    pub amount: Option<String>,
    /// The NPI of the provider who will do it; ours (`[billing]`) when absent.
    #[serde(default)]
    #[schema(pattern = r"^[0-9]{10}$")]
    pub provider: Option<String>,
    /// Date of service, `YYYY-MM-DD`; today when absent.
    #[serde(default)]
    #[schema(format = Date)]
    pub date: Option<String>,
    /// Seconds to wait for the answer (default 30, at most 110; 0: do not wait).
    #[serde(default, deserialize_with = "whole_seconds")]
    #[schema(maximum = 110)]
    pub timeout_seconds: Option<u64>,
}

/// What the contract pays of the procedure; money in cents.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Estimate {
    /// What the contract allows for it.
    pub allowed_cents: i64,
    /// What the payer pays of it.
    pub covered_cents: i64,
    /// What the patient owes (copay, deductible, coinsurance).
    pub patient_responsibility_cents: i64,
    /// The covered share of the allowed amount, `80.0%`.
    pub coverage_percent: String,
}

/// The conditions of a decision.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Reasons {
    /// The conditions met.
    pub met: Vec<String>,
    /// The conditions failed.
    pub failed: Vec<String>,
}

/// What a 278 response says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Decision {
    /// `approved`, `pended` or `denied`.
    pub decision: Option<String>,
    /// The authorization number, when approved.
    pub authorization_number: Option<String>,
    /// First day the authorization is valid, `YYYY-MM-DD` (the payer's certification period).
    #[serde(default)]
    pub valid_from: Option<String>,
    /// Last day the authorization is valid, `YYYY-MM-DD`.
    #[serde(default)]
    pub valid_to: Option<String>,
    /// Why.
    pub reasons: Reasons,
}

impl PayerAnswer for Decision {
    fn outcome(&self) -> String {
        self.decision.clone().unwrap_or_else(|| "answered".into())
    }

    fn authorization(&self) -> Option<(&str, Option<(String, String)>)> {
        let number = self.authorization_number.as_deref()?;
        let valid = self.valid_from.clone().zip(self.valid_to.clone());
        Some((number, valid))
    }
}

/// One prior authorization request: what was asked, the estimate, and the decision once it
/// came.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PriorAuthCheck {
    /// The request's id.
    pub id: i64,
    /// The payer's id.
    pub payer_id: String,
    /// The member id.
    pub member_id: String,
    /// The trace number of the 278 request, which the response returns.
    pub trace_number: String,
    /// `sent` (waiting for the answer), `answered` or `failed` (see `error`).
    pub state: String,
    /// Why the 278 could not be sent.
    pub error: Option<String>,
    /// What was asked, with the estimate.
    pub request: AskedAuthorization,
    /// When it was asked, Unix ms.
    pub created_at: i64,
    /// When the answer came, Unix ms.
    pub answered_at: Option<i64>,
    /// The decision (empty until it came).
    #[serde(flatten)]
    pub answer: Decision,
}

/// The request as stored: the procedure, diagnosis and amount asked, and the estimate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AskedAuthorization {
    /// The procedure.
    pub procedure: String,
    /// The diagnosis.
    pub diagnosis: String,
    /// The amount asked, in cents.
    pub amount_cents: i64,
    /// What the contract pays of it.
    pub estimate: Estimate,
}

impl PriorAuthCheck {
    /// The request stored as `inquiry`.
    pub fn from_inquiry(inquiry: Inquiry) -> Self {
        let answer = answer_as(&inquiry);
        let request = serde_json::from_str(&inquiry.request).unwrap_or_default();
        PriorAuthCheck {
            id: inquiry.id,
            payer_id: inquiry.payer_id,
            member_id: inquiry.subject,
            trace_number: inquiry.trace_number,
            state: inquiry.status,
            error: inquiry.error,
            request,
            created_at: inquiry.created_at,
            answered_at: inquiry.answered_at,
            answer,
        }
    }
}

/// What `payer`'s contract pays of `procedure` asked at `amount_cents`: its fee (or the amount)
/// less the copay, the whole deductible and the coinsurance.
pub fn estimate(payer: &PayerConfig, procedure: &str, amount_cents: i64) -> Estimate {
    let Some(contract) = &payer.contract else {
        return Estimate {
            allowed_cents: amount_cents,
            patient_responsibility_cents: amount_cents,
            coverage_percent: "0.0%".into(),
            ..Estimate::default()
        };
    };
    let terms = ContractTerms::from(contract);
    let allowed = terms
        .allowed(procedure, "", 1000, amount_cents)
        .unwrap_or(amount_cents);
    let split = share(
        allowed,
        terms.copay_cents,
        terms.deductible_cents,
        terms.coinsurance_basis_points,
    );
    let tenths = if allowed > 0 {
        (split.paid_cents * 1000 + allowed / 2) / allowed
    } else {
        0
    };
    Estimate {
        allowed_cents: allowed,
        covered_cents: split.paid_cents,
        patient_responsibility_cents: allowed - split.paid_cents,
        coverage_percent: format!("{}.{}%", tenths / 10, tenths % 10),
    }
}

/// Whether `value` matches a request field's pattern of letters and digits of `lengths`.
fn alphanumeric(value: &str, lengths: std::ops::RangeInclusive<usize>) -> bool {
    lengths.contains(&value.len()) && value.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Asks `payer` to authorize the procedure: stores the request with the contract's estimate,
/// sends a 278 through the payer's channel and waits for the decision.
pub async fn ask(
    store: &Store,
    handover: &dyn Handover,
    billing: &BillingConfig,
    payer: &PayerConfig,
    request: &PriorAuthRequest,
) -> Result<PriorAuthCheck, RevenueError> {
    let invalid = |what: &str| RevenueError::Invalid(what.to_owned());
    let about = (
        request.member_id.as_str(),
        &request.date,
        request.timeout_seconds,
    );
    let member = member_request(store, billing, payer, about).await?;
    if !alphanumeric(&request.procedure, 5..=5) {
        return Err(invalid(
            "procedure must be a CPT/HCPCS code of 5 letters or digits",
        ));
    }
    let diagnosis = request.diagnosis.replace('.', "");
    if !alphanumeric(&diagnosis, 3..=7) {
        return Err(invalid("diagnosis must be an ICD-10 code (J06.9)"));
    }
    let provider = request
        .provider
        .clone()
        .unwrap_or_else(|| billing.npi.clone());
    if !x12::is_valid_npi(&provider) {
        return Err(invalid(
            "provider must be a valid NPI (10 digits, check digit)",
        ));
    }
    let fee = |code: &str| {
        payer
            .contract
            .as_ref()
            .and_then(|c| c.fees.iter().find(|f| f.procedure_code == code))
            .map(|f| f.allowed_cents)
    };
    let amount = match &request.amount {
        Some(text) => Amount::parse(text)
            .ok()
            .filter(|a| (0..=999_999_999).contains(&a.cents()))
            .ok_or_else(|| invalid("amount must be a decimal number of dollars (200.00)"))?
            .cents(),
        None => fee(&request.procedure).unwrap_or(0),
    };
    let procedure = request.procedure.to_ascii_uppercase();
    let outgoing = Outgoing {
        kind: KIND,
        set: "278",
        trace_prefix: "SBA",
        payer,
        subject: &request.member_id,
        asked: asked_json(&AskedAuthorization {
            procedure: procedure.clone(),
            diagnosis: request.diagnosis.clone(),
            amount_cents: amount,
            estimate: estimate(payer, &procedure, amount),
        })?,
        limit: member.limit,
        procedure: Some((&procedure, member.service_date)),
    };
    let stored = super::inquiries::ask(store, handover, outgoing, |trace, controls| {
        let message = PriorAuthMessage {
            reference: trace.to_owned(),
            trace: trace.to_owned(),
            trace_assigner: trace_assigner(billing),
            payer: payer_party(payer),
            provider: provider_party(billing, &provider),
            member_id: request.member_id.clone(),
            member_last_name: member.known.family_name,
            member_first_name: member.known.given_name,
            member_birth_date: None,
            diagnosis,
            procedure: procedure.clone(),
            amount: Some(Amount::from_cents(amount)),
            service_date: Some(member.service_date),
            ..PriorAuthMessage::default()
        };
        x12::write_278(&message, &member.envelope, false, controls)
    })
    .await?;
    Ok(PriorAuthCheck::from_inquiry(stored))
}

/// What a 278 response says, in the terms of [`Decision`].
pub fn decision_of(response: &PriorAuthMessage) -> Decision {
    let mut reasons = Reasons::default();
    for text in &response.messages {
        if let Some(met) = text.strip_prefix("met - ") {
            reasons.met.push(met.to_owned());
        } else {
            reasons
                .failed
                .push(text.strip_prefix("failed - ").unwrap_or(text).to_owned());
        }
    }
    let decision = response.decision.as_ref();
    Decision {
        decision: decision.map(|d| {
            match d.action.as_str() {
                "A1" | "A2" | "A6" => "approved",
                "A4" => "pended",
                _ => "denied",
            }
            .to_owned()
        }),
        authorization_number: decision.and_then(|d| d.authorization_number.clone()),
        valid_from: response.certification_effective.map(iso),
        valid_to: response.certification_expires.map(iso),
        reasons,
    }
}

/// Matches each 278 response of `raw` to its request by trace number and stores the decision;
/// one line per response saying what it did.
pub async fn apply_278(
    store: &Store,
    raw: &[u8],
    message_id: Option<i64>,
) -> Result<Vec<String>, RevenueError> {
    let read = x12::read_278(raw).map_err(|err| RevenueError::Unreadable(err.to_string()))?;
    let answers = read
        .interchanges()
        .flat_map(|one| &one.documents)
        .map(|response| (response.trace.clone(), decision_of(response)))
        .collect();
    let stored = store_answers(store, KIND, answers, message_id).await?;
    Ok(stored
        .iter()
        .map(|answer| answer.line("prior authorization", "278"))
        .collect())
}
