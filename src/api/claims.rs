//! Admin API for claims: worklists, one claim's history, and submission to a payer.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::{ApiError, AppState};
use crate::revenue::{RevenueError, claims};

impl From<RevenueError> for ApiError {
    fn from(err: RevenueError) -> Self {
        match err {
            RevenueError::Store(err) => err.into(),
            RevenueError::Setup(reason) | RevenueError::Unreadable(reason) => {
                ApiError::Conflict(reason)
            }
        }
    }
}

/// Query string of `GET /api/claims`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimParams {
    status: Option<String>,
    payer: Option<String>,
    limit: Option<i64>,
}

/// `GET /api/claims?status=&payer=`: the worklist, newest first.
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
    Ok(Json(json!({ "claims": claims })).into_response())
}

/// `GET /api/claims/{id}`: one claim and its history.
pub async fn get(State(state): State<AppState>, Path(id): Path<i64>) -> Result<Response, ApiError> {
    let (claim, events) = state
        .store
        .claim(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("claim {id}")))?;
    Ok(Json(json!({ "claim": claim, "events": events })).into_response())
}

/// Query string of `POST /api/claims/submit`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubmitParams {
    payer: String,
}

/// `POST /api/claims/submit?payer=ID`: batch and send the payer's ready claims now.
pub async fn submit(
    State(state): State<AppState>,
    Query(params): Query<SubmitParams>,
) -> Result<Response, ApiError> {
    let billing = state.billing.as_ref().ok_or_else(|| {
        ApiError::Conflict("no [billing] section in config/switchboard.toml".into())
    })?;
    let payer = state
        .payers
        .read()
        .map_err(|_| ApiError::Internal("payer list unavailable".into()))?
        .iter()
        .find(|p| p.payer_id == params.payer)
        .cloned()
        .ok_or_else(|| ApiError::NotFound(format!("payer '{}' in config/payers", params.payer)))?;
    let report = claims::submit(&state.store, &state.runtime.handle(), billing, &payer).await?;
    Ok(Json(report).into_response())
}

/// `GET /api/remittances`: imported 835 payments, newest first, with their balancing.
pub async fn remittances(State(state): State<AppState>) -> Result<Response, ApiError> {
    let remittances = state.store.remittances(100).await?;
    Ok(Json(json!({ "remittances": remittances })).into_response())
}

/// Query string of `POST /api/claims/{id}/correct`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorrectParams {
    frequency: String,
}

/// `POST /api/claims/{id}/correct?frequency=1|7|8`: send a rejected claim's bill again (1), or
/// a replacement (7) or void (8) of the claim.
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
    let billing = state.billing.as_ref().ok_or_else(|| {
        ApiError::Conflict("no [billing] section in config/switchboard.toml".into())
    })?;
    let payers = state
        .payers
        .read()
        .map_err(|_| ApiError::Internal("payer list unavailable".into()))?
        .clone();
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

/// `GET /api/payers`: the configured payers.
pub async fn payers(State(state): State<AppState>) -> Result<Response, ApiError> {
    let payers: Vec<serde_json::Value> = state
        .payers
        .read()
        .map_err(|_| ApiError::Internal("payer list unavailable".into()))?
        .iter()
        .map(|p| {
            json!({
                "payer_id": p.payer_id,
                "name": p.name,
                "claim_type": p.claim_type,
                "receiver_id": p.receiver_id,
                "channel": p.channel,
                "batch_cron": p.batch_cron,
                "contract": p.contract.as_ref().map(|c| c.name.clone()),
            })
        })
        .collect();
    Ok(Json(json!({ "payers": payers })).into_response())
}

/// `PUT /api/payers/{id}`: create or replace a payer from its TOML file text: validated,
/// written to `config/payers/ID.toml` and synced to the store. A changed `batch_cron` takes
/// effect at the next start.
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
    Ok(Json(json!({ "payer": id, "status": "saved" })).into_response())
}
