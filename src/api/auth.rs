//! Bearer-token authentication, per-route roles, and the audit trail of every API request.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, OriginalUri, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::error::ApiError;
use crate::store::audit::AuditRecord;
use crate::store::tokens::{Principal, Role, bearer_token};

/// Authenticates every `/api` request, then writes who did what to the audit log once it is
/// answered (including refused requests).
pub async fn authenticate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let remote = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.to_string());
    let action = request.method().to_string();
    // Inside the nested `/api` router the URI has lost its prefix; the original has it.
    let uri = request
        .extensions()
        .get::<OriginalUri>()
        .map_or_else(|| request.uri().clone(), |original| original.0.clone());
    let resource = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_string(), ToString::to_string);
    let bearer = match state.store.bearer(bearer(&request)).await {
        Ok(bearer) => bearer,
        Err(err) => return ApiError::from(err).into_response(),
    };
    let principal = bearer.principal();
    let response = match principal {
        Some(principal) => {
            request.extensions_mut().insert(principal.clone());
            next.run(request).await
        }
        None => ApiError::Unauthorized.into_response(),
    };
    let record = AuditRecord {
        // A revoked or expired token is refused, and named.
        actor: bearer.actor(),
        role: principal.map(|p| p.role.as_str()),
        action: &action,
        resource: &resource,
        remote_addr: remote.as_deref(),
        outcome: response.status().as_u16(),
    };
    if let Err(err) = state.audit.record(&record).await {
        // An unaudited read of patient data must not be answered.
        tracing::error!(%err, "cannot write the audit log");
        return ApiError::Internal(err.to_string()).into_response();
    }
    response
}

/// Refuses the request unless the authenticated principal has at least `role`.
pub async fn require(role: Role, request: Request, next: Next) -> Response {
    match request.extensions().get::<Principal>() {
        Some(principal) if principal.role >= role => next.run(request).await,
        Some(_) => ApiError::Forbidden(role).into_response(),
        None => ApiError::Unauthorized.into_response(),
    }
}

fn bearer(request: &Request) -> Option<&str> {
    let value = request
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    bearer_token(value)
}
