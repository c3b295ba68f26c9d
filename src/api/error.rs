//! `ApiError`: the one error type of the HTTP layer. Client mistakes are answered precisely;
//! internal faults are logged with detail and answered generically.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::store::StoreError;
use crate::store::tokens::Role;

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No valid bearer token.
    #[error("missing or invalid bearer token")]
    Unauthorized,
    /// The token's role is below what the route needs.
    #[error("this needs the {0} role")]
    Forbidden(Role),
    /// No such resource.
    #[error("{0} not found")]
    NotFound(String),
    /// The request is malformed.
    #[error("{0}")]
    BadRequest(String),
    /// The request cannot be done in the current state (setup missing, file unreadable).
    #[error("{0}")]
    Conflict(String),
    /// A configuration change was refused; the running configuration stays.
    #[error("configuration refused")]
    InvalidConfig(crate::config::ConfigErrors),
    /// The store cannot serve the request now; the client may try again later.
    #[error("{0}; try again later")]
    Unavailable(String),
    /// Something failed on our side.
    #[error("internal error")]
    Internal(String),
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound(what) => ApiError::NotFound(what),
            StoreError::Invalid(reason) => ApiError::BadRequest(reason),
            StoreError::Conflict(reason) => ApiError::Conflict(reason),
            StoreError::Unavailable(reason) => ApiError::Unavailable(reason),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::InvalidConfig(errors) = &self {
            return (
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(super::channels::problems_json(errors)),
            )
                .into_response();
        }
        let status = match &self {
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::InvalidConfig(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(detail) => {
                tracing::error!(%detail, "request failed");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        let body = super::openapi::ErrorBody {
            error: self.to_string(),
        };
        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        response
    }
}

/// Answers a client error that is not JSON yet (the framework's own refusals of a path, query
/// or body it cannot read, as plain text) as [`ApiError::BadRequest`]'s JSON body with the same
/// status and words, so every API error has the one documented shape.
pub async fn errors_as_json(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let response = next.run(request).await;
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    if !response.status().is_client_error() || is_json {
        return response;
    }
    let status = response.status();
    let text = match axum::body::to_bytes(response.into_body(), 64 * 1024).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).trim().to_string(),
        Err(_) => String::new(),
    };
    let text = if text.is_empty() {
        status.canonical_reason().unwrap_or("refused").to_string()
    } else {
        text
    };
    (status, Json(super::openapi::ErrorBody { error: text })).into_response()
}
