//! Claim status: a 276 asking the payer where one of our claims stands is stored and sent
//! through the payer's channel; the 277 (005010X212) that answers it is matched back by its
//! trace number, kept with the request and recorded in the claim's history, its status codes
//! spelled out.

use serde::Serialize;

use super::claims::{claim_and_payer, date_of, payer_row, to_payer};
use super::codes::describe_claim_status;
use super::inquiries::{
    Outgoing, PayerAnswer, answer_as, iso, payer_party, provider_party, store_answers, timeout,
};
use super::{Handover, RevenueError};
use crate::config::engine::BillingConfig;
use crate::config::payer::PayerConfig;
use crate::store::Store;
use crate::store::inquiries::Inquiry;
use crate::x12::{self, Amount, ClaimStatusMessage, DatePeriod, NamedParty};

/// The kind of these requests in the store.
pub const KIND: &str = "claim_status";

/// What a 277 says of the claim; money in cents.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ClaimStatusAnswer {
    /// The status spelled out: `F1 Finalized/Payment: 65 Claim/line has been paid`.
    pub status: Option<String>,
    /// STC01-1: the status category code.
    pub category: Option<String>,
    /// STC01-2: the status code.
    pub code: Option<String>,
    /// The claim's charge, as the payer has it.
    pub charge_cents: Option<i64>,
    /// What the payer paid.
    pub paid_cents: Option<i64>,
    /// When the payer adjudicated or paid it, `YYYY-MM-DD`.
    pub adjudicated: Option<String>,
    /// The check or EFT trace number of the payment.
    pub check_number: Option<String>,
    /// The payer's claim number.
    pub payer_claim_number: Option<String>,
}

impl PayerAnswer for ClaimStatusAnswer {
    fn outcome(&self) -> String {
        self.status.clone().unwrap_or_else(|| "answered".into())
    }
}

/// One claim status request: what was asked, where it stands, and the answer once it came.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ClaimStatusCheck {
    /// The request's id.
    pub id: i64,
    /// Our claim number.
    pub claim_number: String,
    /// The payer's id.
    pub payer_id: String,
    /// The trace number of the 276 (TRN02), which the 277 returns.
    pub trace_number: String,
    /// `sent` (waiting for the answer), `answered` or `failed` (see `error`).
    pub state: String,
    /// Why the 276 could not be sent.
    pub error: Option<String>,
    /// When it was asked, Unix ms.
    pub created_at: i64,
    /// When the answer came, Unix ms.
    pub answered_at: Option<i64>,
    /// The answer (empty until it came).
    #[serde(flatten)]
    pub answer: ClaimStatusAnswer,
}

impl ClaimStatusCheck {
    /// The request stored as `inquiry`.
    pub fn from_inquiry(inquiry: Inquiry) -> Self {
        let answer = answer_as(&inquiry);
        ClaimStatusCheck {
            id: inquiry.id,
            claim_number: inquiry.subject,
            payer_id: inquiry.payer_id,
            trace_number: inquiry.trace_number,
            state: inquiry.status,
            error: inquiry.error,
            created_at: inquiry.created_at,
            answered_at: inquiry.answered_at,
            answer,
        }
    }
}

/// What a 277 says, in the terms of [`ClaimStatusAnswer`] (its first status).
pub fn answer_of(response: &ClaimStatusMessage) -> ClaimStatusAnswer {
    let cents = |amount: Option<Amount>| amount.map(|a| a.cents());
    let first = response.statuses.first();
    ClaimStatusAnswer {
        status: first.map(|s| describe_claim_status(&s.category, &s.code)),
        category: first.map(|s| s.category.clone()),
        code: first.map(|s| s.code.clone()),
        charge_cents: cents(first.and_then(|s| s.charge)),
        paid_cents: cents(first.and_then(|s| s.paid)),
        adjudicated: first.and_then(|s| s.adjudicated).map(iso),
        check_number: first.and_then(|s| s.check_number.clone()),
        payer_claim_number: response.payer_claim_number.clone(),
    }
}

/// Asks the payer where claim `claim_id` stands: stores the request, sends a 276 through the
/// payer's channel and waits at most `timeout_seconds` (default 30) for the 277.
pub async fn ask(
    store: &Store,
    handover: &dyn Handover,
    billing: &BillingConfig,
    payers: &[PayerConfig],
    claim_id: i64,
    timeout_seconds: Option<u64>,
) -> Result<ClaimStatusCheck, RevenueError> {
    let limit = timeout(timeout_seconds)?;
    let (claim, payer) = claim_and_payer(store, payers, claim_id).await?;
    let source = store
        .claim_sources(payer_row(store, payer).await?, Some(claim.bill_id))
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| {
            RevenueError::Setup(format!(
                "claim {}: its bill has no coverage with payer '{}' any more",
                claim.claim_number, payer.payer_id
            ))
        })?;
    let dates: Vec<_> = source
        .lines
        .iter()
        .filter_map(|l| date_of(&l.service_date))
        .collect();
    let envelope = to_payer(billing, payer)?;
    let outgoing = Outgoing {
        kind: KIND,
        set: "276",
        trace_prefix: "SBS",
        payer,
        subject: &claim.claim_number,
        asked: serde_json::json!({ "claim_id": claim_id }).to_string(),
        limit,
        procedure: None,
    };
    let stored = super::inquiries::ask(store, handover, outgoing, |trace, controls| {
        let request = ClaimStatusMessage {
            reference: trace.to_owned(),
            trace: trace.to_owned(),
            payer: payer_party(payer),
            submitter: NamedParty {
                name: billing.organization_name.clone(),
                id_qualifier: "46".into(),
                id: billing.submitter_id.clone(),
            },
            provider: provider_party(billing, &billing.npi),
            member_id: source.member_id.clone(),
            member_last_name: source.patient.family_name.clone(),
            member_first_name: source.patient.given_name.clone(),
            member_birth_date: source.patient.birth_date.as_deref().and_then(date_of),
            claim_number: Some(claim.claim_number.clone()),
            payer_claim_number: claim.payer_claim_number.clone(),
            charge: Some(Amount::from_cents(claim.total_charge_cents)),
            service_period: dates.iter().min().map(|first| DatePeriod {
                start: *first,
                end: dates.iter().max().copied(),
            }),
            ..ClaimStatusMessage::default()
        };
        x12::write_276(&request, &envelope, controls)
    })
    .await?;
    Ok(ClaimStatusCheck::from_inquiry(stored))
}

/// Whether an inbound 277 is a claim status response (005010X212) rather than a 277CA.
pub fn is_status_response(raw: &[u8]) -> bool {
    x12::read_envelope(raw).is_ok_and(|report| {
        report
            .interchange
            .groups
            .iter()
            .any(|group| group.version.trim() == x12::IMPLEMENTATION_276)
    })
}

/// Matches each 277 claim status response of `raw` to its request by trace number, stores the
/// answer and records it in the claim's history; one line per response saying what it did.
pub async fn apply_277_status(
    store: &Store,
    raw: &[u8],
    message_id: Option<i64>,
) -> Result<Vec<String>, RevenueError> {
    let read =
        x12::read_277_status(raw).map_err(|err| RevenueError::Unreadable(err.to_string()))?;
    let answers = read
        .interchanges()
        .flat_map(|one| &one.documents)
        .map(|response| (response.trace.clone(), answer_of(response)))
        .collect();
    let mut done = Vec::new();
    for stored in store_answers(store, KIND, answers, message_id).await? {
        let Some(id) = stored.matched else {
            done.push(stored.line("claim status request", "277"));
            continue;
        };
        let claim_number = match store.inquiry(KIND, id).await? {
            Some(inquiry) => inquiry.subject,
            None => continue,
        };
        if let Some(claim) = store.claim_by_number(&claim_number).await? {
            let paid = stored
                .answer
                .paid_cents
                .map(|cents| format!(", paid {}", Amount::from_cents(cents)))
                .unwrap_or_default();
            store
                .note_claim(
                    claim,
                    &format!("claim status (277): {}{paid}", stored.outcome),
                )
                .await?;
        }
        done.push(format!("claim {claim_number}: {}", stored.outcome));
    }
    Ok(done)
}
