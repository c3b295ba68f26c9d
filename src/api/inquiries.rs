//! What the handlers of questions to payers share (eligibility checks, prior authorizations):
//! the payer and billing set-up a request needs, and listing and reading the stored requests.

use axum::extract::Query;
use serde::Deserialize;
use utoipa::IntoParams;

use super::claims::{billing_of, payer_of};
use super::{ApiError, AppState};
use crate::config::engine::BillingConfig;
use crate::config::payer::PayerConfig;
use crate::store::inquiries::Inquiry;

/// Query string of the lists of requests about members (`GET /api/eligibility`,
/// `GET /api/prior-auth`).
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MemberParams {
    /// Only requests about this member id.
    member: Option<String>,
    /// At most this many (100 when absent; larger values are lowered to 1000).
    limit: Option<i64>,
}

/// Our billing set-up and the payer `payer_id`, or why a request cannot be sent to it.
pub fn billing_and_payer<'a>(
    state: &'a AppState,
    payer_id: &str,
) -> Result<(&'a BillingConfig, PayerConfig), ApiError> {
    Ok((billing_of(state)?, payer_of(state, payer_id)?))
}

/// The stored requests of `kind` that `params` select, newest first, each read by `read`.
pub async fn listed<T>(
    state: &AppState,
    kind: &str,
    Query(params): Query<MemberParams>,
    read: fn(Inquiry) -> T,
) -> Result<Vec<T>, ApiError> {
    Ok(state
        .store
        .inquiries(kind, params.member.as_deref(), params.limit.unwrap_or(100))
        .await?
        .into_iter()
        .map(read)
        .collect())
}

/// The stored request `id` of `kind`, read by `read`; not found names it as `noun`.
pub async fn one<T>(
    state: &AppState,
    kind: &str,
    id: i64,
    noun: &str,
    read: fn(Inquiry) -> T,
) -> Result<T, ApiError> {
    state
        .store
        .inquiry(kind, id)
        .await?
        .map(read)
        .ok_or_else(|| ApiError::NotFound(format!("{noun} {id}")))
}
