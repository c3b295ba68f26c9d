//! Admin API for claims: worklists, one claim's history, submission to a payer, and asking the
//! payer where a claim stands (276/277).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::openapi::{ConfigRefusal, ErrorBody};
use super::{ApiError, AppState};
use crate::revenue::claim_status::{self, ClaimStatusCheck};
use crate::revenue::claims::SubmitReport;
use crate::revenue::{RevenueError, claims};
use crate::store::claims::{ClaimEvent, ClaimView};
use crate::store::remit::RemittanceView;

impl From<RevenueError> for ApiError {
    fn from(err: RevenueError) -> Self {
        match err {
            RevenueError::Store(err) => err.into(),
            RevenueError::Setup(reason) | RevenueError::Unreadable(reason) => {
                ApiError::Conflict(reason)
            }
            RevenueError::Invalid(reason) => ApiError::BadRequest(reason),
        }
    }
}

/// The billing provider and submitter, or why claims cannot be sent.
pub(super) fn billing_of(
    state: &AppState,
) -> Result<&crate::config::engine::BillingConfig, ApiError> {
    state
        .billing
        .as_deref()
        .ok_or_else(|| ApiError::Conflict("no [billing] section in config/switchboard.toml".into()))
}

/// The configured payers, as they stand now.
pub(super) fn payers_of(
    state: &AppState,
) -> Result<Vec<crate::config::payer::PayerConfig>, ApiError> {
    Ok(state
        .payers
        .read()
        .map_err(|_| ApiError::Internal("payer list unavailable".into()))?
        .clone())
}

/// The configuration of payer `id`, or a 404.
pub(super) fn payer_of(
    state: &AppState,
    id: &str,
) -> Result<crate::config::payer::PayerConfig, ApiError> {
    payers_of(state)?
        .into_iter()
        .find(|p| p.payer_id == id)
        .ok_or_else(|| ApiError::NotFound(format!("payer '{id}' in config/payers")))
}

/// Query string of `GET /api/claims`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ClaimParams {
    /// Only claims in this status (`submitted`, `accepted`, `rejected`, `paid`, ...).
    status: Option<String>,
    /// Only this payer's claims (its id, `HMO1`).
    payer: Option<String>,
    /// At most this many (100 when absent; larger values are lowered to 1000).
    limit: Option<i64>,
}

/// The answer of `GET /api/claims`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClaimList {
    /// The claims, newest first.
    pub claims: Vec<ClaimView>,
}

/// `GET /api/claims?status=&payer=`: the worklist, newest first.
#[utoipa::path(
    get,
    path = "/claims",
    tag = "claims",
    params(ClaimParams),
    responses((status = 200, description = "The claims", body = ClaimList))
)]
pub async fn list(
    State(state): State<AppState>,
    Query(params): Query<ClaimParams>,
) -> Result<Response, ApiError> {
    let claims = state
        .store
        .claims(
            params.status.as_deref(),
            params.payer.as_deref(),
            params.limit.unwrap_or(100),
        )
        .await?;
    Ok(Json(ClaimList { claims }).into_response())
}

/// The answer of `GET /api/claims/{id}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClaimDetail {
    /// The claim.
    pub claim: ClaimView,
    /// Its history, oldest first.
    pub events: Vec<ClaimEvent>,
}

/// `GET /api/claims/{id}`: one claim and its history.
#[utoipa::path(
    get,
    path = "/claims/{id}",
    tag = "claims",
    params(("id" = i64, Path, description = "Claim id", minimum = 1)),
    responses(
        (status = 200, description = "The claim and its history", body = ClaimDetail),
        (status = 404, description = "No such claim", body = ErrorBody),
    )
)]
pub async fn get(State(state): State<AppState>, Path(id): Path<i64>) -> Result<Response, ApiError> {
    let (claim, events) = state
        .store
        .claim(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("claim {id}")))?;
    Ok(Json(ClaimDetail { claim, events }).into_response())
}

/// Query string of `POST /api/claims/submit`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SubmitParams {
    /// The payer's id (`HMO1`).
    payer: String,
}

/// `POST /api/claims/submit?payer=ID`: batch and send the payer's ready claims now.
#[utoipa::path(
    post,
    path = "/claims/submit",
    tag = "claims",
    params(SubmitParams),
    responses(
        (status = 200, description = "What was submitted and what was refused", body = SubmitReport),
        (status = 404, description = "No such payer in config/payers", body = ErrorBody),
        (status = 409, description = "Billing is not set up (no `[billing]`), or the payer's channel cannot take the batch", body = ErrorBody),
    )
)]
pub async fn submit(
    State(state): State<AppState>,
    Query(params): Query<SubmitParams>,
) -> Result<Response, ApiError> {
    let billing = billing_of(&state)?;
    let payer = payer_of(&state, &params.payer)?;
    let report = claims::submit(&state.store, &state.runtime.handle(), billing, &payer).await?;
    Ok(Json(report).into_response())
}

/// The answer of `GET /api/remittances`.
#[derive(Debug, Serialize, ToSchema)]
pub struct RemittanceList {
    /// The latest 100 payments, newest first.
    pub remittances: Vec<RemittanceView>,
}

/// `GET /api/remittances`: imported 835 payments, newest first, with their balancing.
#[utoipa::path(
    get,
    path = "/remittances",
    tag = "remittances",
    responses((status = 200, description = "The payments", body = RemittanceList))
)]
pub async fn remittances(State(state): State<AppState>) -> Result<Json<RemittanceList>, ApiError> {
    let remittances = state.store.remittances(100).await?;
    Ok(Json(RemittanceList { remittances }))
}

/// Query string of `POST /api/claims/{id}/correct`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CorrectParams {
    /// `1` (send a rejected claim again), `7` (replacement) or `8` (void).
    #[param(pattern = "^[178]$")]
    frequency: String,
}

/// `POST /api/claims/{id}/correct?frequency=1|7|8`: send a rejected claim's bill again (1), or
/// a replacement (7) or void (8) of the claim.
#[utoipa::path(
    post,
    path = "/claims/{id}/correct",
    tag = "claims",
    params(("id" = i64, Path, description = "Claim id", minimum = 1), CorrectParams),
    responses(
        (status = 200, description = "The corrected claim went out", body = SubmitReport),
        (status = 404, description = "No such claim", body = ErrorBody),
        (status = 409, description = "The claim cannot be corrected so (its status), or billing is not set up", body = ErrorBody),
    )
)]
pub async fn correct(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(params): Query<CorrectParams>,
) -> Result<Response, ApiError> {
    let code = match params.frequency.as_str() {
        "1" => "1",
        "7" => "7",
        "8" => "8",
        other => {
            return Err(ApiError::BadRequest(format!(
                "frequency '{other}': use 1 (send a rejected claim again), 7 (replacement) or 8 (void)"
            )));
        }
    };
    let billing = billing_of(&state)?;
    let payers = payers_of(&state)?;
    let report = claims::correct(
        &state.store,
        &state.runtime.handle(),
        billing,
        &payers,
        id,
        code,
    )
    .await?;
    Ok(Json(report).into_response())
}

/// The answer of `GET /api/payers`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PayerList {
    /// The payers, by id.
    pub payers: Vec<PayerView>,
}

/// A configured payer.
#[derive(Debug, Serialize, ToSchema)]
pub struct PayerView {
    /// Its id (`HMO1`).
    pub payer_id: String,
    /// Its name.
    pub name: String,
    /// `837P` (professional) or `837I` (institutional).
    pub claim_type: String,
    /// ISA08/NM1*40 receiver id.
    pub receiver_id: String,
    /// The channel its 837 batches leave through.
    pub channel: String,
    /// When its claims are batched, as a cron expression.
    pub batch_cron: Option<String>,
    /// The contract's name, when one is configured.
    pub contract: Option<String>,
}

/// `GET /api/payers`: the configured payers.
#[utoipa::path(
    get,
    path = "/payers",
    tag = "claims",
    responses((status = 200, description = "The payers", body = PayerList))
)]
pub async fn payers(State(state): State<AppState>) -> Result<Json<PayerList>, ApiError> {
    let payers = state
        .payers
        .read()
        .map_err(|_| ApiError::Internal("payer list unavailable".into()))?
        .iter()
        .map(|p| PayerView {
            payer_id: p.payer_id.clone(),
            name: p.name.clone(),
            claim_type: p.claim_type.clone(),
            receiver_id: p.receiver_id.clone(),
            channel: p.channel.clone(),
            batch_cron: p.batch_cron.clone(),
            contract: p.contract.as_ref().map(|c| c.name.clone()),
        })
        .collect();
    Ok(Json(PayerList { payers }))
}

/// What `PUT /api/payers/{id}` did.
#[derive(Debug, Serialize, ToSchema)]
pub struct PayerSaved {
    /// The payer.
    pub payer: String,
    /// Always `saved`.
    pub status: String,
}

/// `PUT /api/payers/{id}`: create or replace a payer from its TOML file text: validated,
/// written to `config/payers/ID.toml` and synced to the store. A changed `batch_cron` takes
/// effect at the next start.
#[utoipa::path(
    put,
    path = "/payers/{id}",
    tag = "claims",
    params(("id" = String, Path, description = "Payer id: 1-64 letters, digits, '-' or '_'")),
    request_body(content = String, content_type = "application/toml", description = "The payer's file, as in config/payers/ID.toml"),
    responses(
        (status = 200, description = "Saved", body = PayerSaved),
        (status = 422, description = "Refused: problems with file, line, field and reason", body = ConfigRefusal),
    )
)]
pub async fn put_payer(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    if !crate::config::checks::is_valid_name(&id) {
        return Err(ApiError::BadRequest(
            "payer ids managed through the API are 1-64 letters, digits, '-' or '_'".into(),
        ));
    }
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::BadRequest("the payer file must be UTF-8 TOML".into()))?;
    let file = state
        .root
        .join(crate::config::PAYERS_DIR)
        .join(format!("{id}.toml"));
    let channels: std::collections::BTreeSet<String> = state
        .runtime
        .list()
        .await
        .into_iter()
        .map(|c| c.name)
        .collect();
    let payer = crate::config::parse_payer(&file, text, &channels)
        .map_err(|problems| ApiError::InvalidConfig(crate::config::ConfigErrors(problems)))?;
    if payer.payer_id != id {
        return Err(ApiError::BadRequest(format!(
            "the file says payer_id '{}' but the URL says '{id}'",
            payer.payer_id
        )));
    }
    crate::channel::file::write_atomically(&file, text.as_bytes())
        .map_err(|err| ApiError::Internal(format!("cannot write {}: {err}", file.display())))?;
    crate::revenue::payers::sync(&state.store, std::slice::from_ref(&payer)).await?;
    let mut payers = state
        .payers
        .write()
        .map_err(|_| ApiError::Internal("payer list unavailable".into()))?;
    payers.retain(|p| p.payer_id != id);
    payers.push(payer);
    payers.sort_by(|a, b| a.payer_id.cmp(&b.payer_id));
    Ok(Json(PayerSaved {
        payer: id,
        status: "saved".into(),
    })
    .into_response())
}

/// Query string of `POST /api/claims/{id}/status`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatusParams {
    /// Seconds to wait for the payer's 277 (default 30, at most 110; 0: do not wait).
    #[param(maximum = 110)]
    timeout_seconds: Option<u64>,
}

/// `POST /api/claims/{id}/status`: sends a 276 about the claim through its payer's channel and
/// waits for the 277; answers the request, with the status when it came in time (`state`
/// `answered`). The answer is also recorded in the claim's history.
#[utoipa::path(
    post,
    path = "/claims/{id}/status",
    tag = "claims",
    params(("id" = i64, Path, description = "Claim id", minimum = 1), StatusParams),
    responses(
        (status = 200, description = "The request, answered or still waiting", body = ClaimStatusCheck),
        (status = 400, description = "A value of the request cannot be used", body = ErrorBody),
        (status = 409, description = "No such claim, billing is not set up, or the payer's channel cannot take the 276", body = ErrorBody),
    )
)]
pub async fn ask_status(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(params): Query<StatusParams>,
) -> Result<Response, ApiError> {
    let billing = billing_of(&state)?;
    let payers = payers_of(&state)?;
    let check = claim_status::ask(
        &state.store,
        &state.runtime.handle(),
        billing,
        &payers,
        id,
        params.timeout_seconds,
    )
    .await?;
    Ok(Json(check).into_response())
}

/// The answer of `GET /api/claims/{id}/status`.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusList {
    /// The claim's status requests, newest first.
    pub checks: Vec<ClaimStatusCheck>,
}

/// `GET /api/claims/{id}/status`: the status requests made about the claim and their answers.
#[utoipa::path(
    get,
    path = "/claims/{id}/status",
    tag = "claims",
    params(("id" = i64, Path, description = "Claim id", minimum = 1)),
    responses(
        (status = 200, description = "The requests, newest first", body = StatusList),
        (status = 404, description = "No such claim", body = ErrorBody),
    )
)]
pub async fn statuses(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<StatusList>, ApiError> {
    let (claim, _) = state
        .store
        .claim(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("claim {id}")))?;
    let checks = state
        .store
        .inquiries(claim_status::KIND, Some(&claim.claim_number), 100)
        .await?
        .into_iter()
        .map(ClaimStatusCheck::from_inquiry)
        .collect();
    Ok(Json(StatusList { checks }))
}
