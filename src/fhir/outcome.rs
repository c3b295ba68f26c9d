//! OperationOutcome: how the FHIR server reports every error and warning.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::store::StoreError;

/// The FHIR media type of every answer.
pub const FHIR_JSON: &str = "application/fhir+json";

/// Severity of an issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The request failed.
    Error,
    /// The request succeeded, with something worth knowing.
    Warning,
    /// Just so you know.
    Information,
}

/// One issue of an OperationOutcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// Error or warning.
    pub severity: Severity,
    /// FHIR issue type code (`invalid`, `structure`, `not-found`, ...).
    pub code: &'static str,
    /// What is wrong, for a person.
    pub diagnostics: String,
    /// Where, as a FHIR path, when known.
    pub expression: Option<String>,
}

impl Issue {
    /// An error issue.
    pub fn error(code: &'static str, diagnostics: impl Into<String>) -> Issue {
        Issue {
            severity: Severity::Error,
            code,
            diagnostics: diagnostics.into(),
            expression: None,
        }
    }

    /// The issue as JSON.
    pub fn to_json(&self) -> Value {
        let mut issue = json!({
            "severity": match self.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Information => "information",
            },
            "code": self.code,
            "diagnostics": self.diagnostics,
        });
        if let Some(expression) = &self.expression {
            issue["expression"] = json!([expression]);
        }
        issue
    }
}

/// An OperationOutcome resource holding `issues`.
pub fn outcome(issues: &[Issue]) -> Value {
    json!({
        "resourceType": "OperationOutcome",
        "issue": issues.iter().map(Issue::to_json).collect::<Vec<_>>(),
    })
}

/// A failed FHIR interaction: the HTTP status and the issues that explain it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status}: {}", .issues.first().map_or("", |i| i.diagnostics.as_str()))]
pub struct FhirError {
    /// HTTP status.
    pub status: StatusCode,
    /// Why.
    pub issues: Vec<Issue>,
}

impl FhirError {
    /// An error with one issue.
    pub fn new(status: StatusCode, code: &'static str, diagnostics: impl Into<String>) -> Self {
        FhirError {
            status,
            issues: vec![Issue::error(code, diagnostics)],
        }
    }

    /// 400: the request cannot be read.
    pub fn bad_request(diagnostics: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "structure", diagnostics)
    }

    /// 404: no such resource or type.
    pub fn not_found(diagnostics: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", diagnostics)
    }

    /// 422: the content is not valid.
    pub fn invalid(diagnostics: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", diagnostics)
    }

    /// 409: the request conflicts with what is stored.
    pub fn conflict(diagnostics: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", diagnostics)
    }

    /// 500: something failed on our side; the detail is logged, not answered.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(%detail, "FHIR request failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "exception",
            "internal error",
        )
    }
}

impl From<StoreError> for FhirError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound(what) => FhirError::invalid(format!("{what} not found")),
            StoreError::Invalid(reason) => FhirError::invalid(reason),
            StoreError::Busy(reason) => FhirError::new(StatusCode::CONFLICT, "transient", reason),
            StoreError::Unavailable(reason) => {
                FhirError::new(StatusCode::SERVICE_UNAVAILABLE, "transient", reason)
            }
            other => FhirError::internal(other),
        }
    }
}

impl From<sqlx::Error> for FhirError {
    fn from(err: sqlx::Error) -> Self {
        FhirError::from(StoreError::from(err))
    }
}
