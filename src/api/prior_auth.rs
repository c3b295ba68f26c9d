//! Admin API for prior authorizations: ask a payer to authorize a procedure (a 278 through the
//! payer's channel), and list and read the requests with their decisions.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use super::inquiries::{MemberParams, billing_and_payer, listed, one};
use super::openapi::ErrorBody;
use super::{ApiError, AppState};
use crate::revenue::prior_auth::{self, KIND, PriorAuthCheck, PriorAuthRequest};

/// `POST /api/prior-auth`: sends a 278 for the procedure through the payer's channel and waits
/// (`timeout_seconds`, default 30) for the decision; answers the request with the contract's
/// estimate, and the decision with the conditions met and failed when it came in time.
#[utoipa::path(
    post,
    path = "/prior-auth",
    tag = "prior-auth",
    request_body(content = PriorAuthRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The request, decided or still waiting", body = PriorAuthCheck),
        (status = 400, description = "A value of the request cannot be used", body = ErrorBody),
        (status = 404, description = "No such payer in config/payers", body = ErrorBody),
        (status = 409, description = "Billing is not set up (no `[billing]`), or the payer's channel cannot take the 278", body = ErrorBody),
    )
)]
pub async fn ask(
    State(state): State<AppState>,
    body: Result<Json<PriorAuthRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(request) = body.map_err(|err| ApiError::BadRequest(err.body_text()))?;
    let (billing, payer) = billing_and_payer(&state, &request.payer)?;
    let check = prior_auth::ask(
        &state.store,
        &state.runtime.handle(),
        billing,
        &payer,
        &request,
    )
    .await?;
    Ok(Json(check).into_response())
}

/// The answer of `GET /api/prior-auth`.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuthList {
    /// The requests, newest first.
    pub authorizations: Vec<PriorAuthCheck>,
}

/// `GET /api/prior-auth?member=`: the prior authorization requests, newest first.
#[utoipa::path(
    get,
    path = "/prior-auth",
    tag = "prior-auth",
    params(MemberParams),
    responses((status = 200, description = "The requests", body = AuthList))
)]
pub async fn list(
    State(state): State<AppState>,
    params: Query<MemberParams>,
) -> Result<Json<AuthList>, ApiError> {
    let authorizations = listed(&state, KIND, params, PriorAuthCheck::from_inquiry).await?;
    Ok(Json(AuthList { authorizations }))
}

/// `GET /api/prior-auth/{id}`: one request and its decision.
#[utoipa::path(
    get,
    path = "/prior-auth/{id}",
    tag = "prior-auth",
    params(("id" = i64, Path, description = "Request id", minimum = 1)),
    responses(
        (status = 200, description = "The request", body = PriorAuthCheck),
        (status = 404, description = "No such request", body = ErrorBody),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<PriorAuthCheck>, ApiError> {
    Ok(Json(
        one(
            &state,
            KIND,
            id,
            "prior authorization",
            PriorAuthCheck::from_inquiry,
        )
        .await?,
    ))
}
