//! Admin API for eligibility checks: ask a payer whether a member is covered (a 270 through the
//! payer's channel, answered by a 271), and list and read the checks made.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use super::inquiries::{MemberParams, billing_and_payer, listed, one};
use super::openapi::ErrorBody;
use super::{ApiError, AppState};
use crate::revenue::eligibility::{self, EligibilityCheck, EligibilityRequest, KIND};

/// `POST /api/eligibility`: sends a 270 for the member through the payer's channel and waits
/// (`timeout_seconds`, default 30) for the 271; answers the check, with the coverage when the
/// answer came in time (`state` is `answered`) and without it otherwise (`sent`).
#[utoipa::path(
    post,
    path = "/eligibility",
    tag = "eligibility",
    request_body(content = EligibilityRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The check, answered or still waiting", body = EligibilityCheck),
        (status = 400, description = "A value of the request cannot be used", body = ErrorBody),
        (status = 404, description = "No such payer in config/payers", body = ErrorBody),
        (status = 409, description = "Billing is not set up (no `[billing]`), or the payer's channel cannot take the 270", body = ErrorBody),
    )
)]
pub async fn check(
    State(state): State<AppState>,
    body: Result<Json<EligibilityRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(request) = body.map_err(|err| ApiError::BadRequest(err.body_text()))?;
    let (billing, payer) = billing_and_payer(&state, &request.payer)?;
    let check = eligibility::check(
        &state.store,
        &state.runtime.handle(),
        billing,
        &payer,
        &request,
    )
    .await?;
    Ok(Json(check).into_response())
}

/// The answer of `GET /api/eligibility`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckList {
    /// The checks, newest first.
    pub checks: Vec<EligibilityCheck>,
}

/// `GET /api/eligibility?member=`: the checks made, newest first.
#[utoipa::path(
    get,
    path = "/eligibility",
    tag = "eligibility",
    params(MemberParams),
    responses((status = 200, description = "The checks", body = CheckList))
)]
pub async fn list(
    State(state): State<AppState>,
    params: Query<MemberParams>,
) -> Result<Json<CheckList>, ApiError> {
    let checks = listed(&state, KIND, params, EligibilityCheck::from_inquiry).await?;
    Ok(Json(CheckList { checks }))
}

/// `GET /api/eligibility/{id}`: one check and its answer.
#[utoipa::path(
    get,
    path = "/eligibility/{id}",
    tag = "eligibility",
    params(("id" = i64, Path, description = "Check id", minimum = 1)),
    responses(
        (status = 200, description = "The check", body = EligibilityCheck),
        (status = 404, description = "No such check", body = ErrorBody),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<EligibilityCheck>, ApiError> {
    Ok(Json(
        one(
            &state,
            KIND,
            id,
            "eligibility check",
            EligibilityCheck::from_inquiry,
        )
        .await?,
    ))
}
