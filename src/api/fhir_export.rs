//! The HTTP face of bulk export (FHIR Bulk Data Access): the `$export` kick-offs, the status
//! URL a kick-off answers with, and the NDJSON files of a finished export. Every route needs
//! the operator role: an export copies the whole record.

use axum::body::Body;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::fhir::{base_url, fhir_response};
use super::openapi::{FhirResource, OperationOutcome};
use crate::fhir::export::{ExportRequest, ExportStatus, Scope};
use crate::fhir::outcome::FhirError;

/// The export routes (the caller adds authentication and the operator role).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(export_system))
        .routes(routes!(export_patients))
        .routes(routes!(status, delete))
        .routes(routes!(file))
}

/// `GET /fhir/$export`: starts an export of the whole store.
#[utoipa::path(
    get,
    path = "/fhir/$export",
    tag = "fhir",
    params(ExportParams, PreferAsync),
    responses(
        (status = 202, description = "Started: poll the URL in `Content-Location`"),
        (status = 400, description = "No `Prefer: respond-async`, or a parameter refused", content_type = "application/fhir+json", body = OperationOutcome),
    )
)]
async fn export_system(
    State(state): State<AppState>,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, FhirError> {
    kick_off(&state, &headers, &uri, Scope::System, &pairs).await
}

/// `GET /fhir/Patient/$export`: starts an export of the patients and what belongs to them.
#[utoipa::path(
    get,
    path = "/fhir/Patient/$export",
    tag = "fhir",
    params(ExportParams, PreferAsync),
    responses(
        (status = 202, description = "Started: poll the URL in `Content-Location`"),
        (status = 400, description = "No `Prefer: respond-async`, or a parameter refused", content_type = "application/fhir+json", body = OperationOutcome),
    )
)]
async fn export_patients(
    State(state): State<AppState>,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, FhirError> {
    kick_off(&state, &headers, &uri, Scope::Patients, &pairs).await
}

/// Checks a kick-off and starts its job: 202 with the status URL.
async fn kick_off(
    state: &AppState,
    headers: &HeaderMap,
    uri: &axum::http::Uri,
    scope: Scope,
    pairs: &[(String, String)],
) -> Result<Response, FhirError> {
    let asynchronous = headers
        .get_all("prefer")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .any(|value| value.split(',').any(|p| p.trim() == "respond-async"));
    if !asynchronous {
        return Err(FhirError::bad_request(
            "an export runs in the background: send the header 'Prefer: respond-async'",
        ));
    }
    let base = base_url(headers);
    let url = format!(
        "{}{}",
        base.trim_end_matches("/fhir"),
        uri.path_and_query().map_or("", |p| p.as_str())
    );
    let request = ExportRequest::parse(scope, pairs, &url)?;
    let id = state.exports.start(request).await?;
    let mut response = StatusCode::ACCEPTED.into_response();
    let location = format!("{base}/$export-status/{id}");
    response.headers_mut().insert(
        header::CONTENT_LOCATION,
        HeaderValue::from_str(&location).map_err(FhirError::internal)?,
    );
    Ok(response)
}

/// `GET /fhir/$export-status/{id}`: 202 while the export runs, 200 with the manifest once it
/// is done, 500 when it failed.
#[utoipa::path(
    get,
    path = "/fhir/$export-status/{id}",
    tag = "fhir",
    params(("id" = String, Path, description = "The export job")),
    responses(
        (status = 200, description = "Done: the manifest (`output` lists one NDJSON file per type)", content_type = "application/json", body = FhirResource),
        (status = 202, description = "Still running; `X-Progress` says how far"),
        (status = 404, description = "No such export", content_type = "application/fhir+json", body = OperationOutcome),
        (status = 500, description = "The export failed", content_type = "application/fhir+json", body = OperationOutcome),
    )
)]
async fn status(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, FhirError> {
    let status = state
        .exports
        .status(&id)
        .await?
        .ok_or_else(|| FhirError::not_found(format!("export {id} does not exist")))?;
    match status {
        ExportStatus::InProgress(progress) => {
            let mut response = StatusCode::ACCEPTED.into_response();
            let headers = response.headers_mut();
            headers.insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
            if let Ok(value) = HeaderValue::from_str(&progress) {
                headers.insert("x-progress", value);
            }
            Ok(response)
        }
        ExportStatus::Completed(mut manifest) => {
            let base = base_url(&headers);
            if let Some(output) = manifest
                .get_mut("output")
                .and_then(serde_json::Value::as_array_mut)
            {
                for file in output {
                    if let Some(url) = file.get("url").and_then(serde_json::Value::as_str) {
                        file["url"] = serde_json::Value::String(format!("{base}/{url}"));
                    }
                }
            }
            let mut response = fhir_response(StatusCode::OK, &manifest);
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            Ok(response)
        }
        ExportStatus::Failed(reason) => Err(FhirError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "exception",
            format!("the export failed: {reason}"),
        )),
    }
}

/// `DELETE /fhir/$export-status/{id}`: stops the export and deletes its files.
#[utoipa::path(
    delete,
    path = "/fhir/$export-status/{id}",
    tag = "fhir",
    params(("id" = String, Path, description = "The export job")),
    responses(
        (status = 202, description = "Deleted"),
        (status = 404, description = "No such export", content_type = "application/fhir+json", body = OperationOutcome),
    )
)]
async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, FhirError> {
    if state.exports.delete(&id).await? {
        Ok(StatusCode::ACCEPTED.into_response())
    } else {
        Err(FhirError::not_found(format!("export {id} does not exist")))
    }
}

/// `GET /fhir/$export-file/{id}/{file}`: one NDJSON file of a finished export.
#[utoipa::path(
    get,
    path = "/fhir/$export-file/{id}/{file}",
    tag = "fhir",
    params(
        ("id" = String, Path, description = "The export job"),
        ("file" = String, Path, description = "`Type.ndjson`, as the manifest lists it"),
    ),
    responses(
        (status = 200, description = "One resource per line", content_type = "application/fhir+ndjson"),
        (status = 404, description = "No such file", content_type = "application/fhir+json", body = OperationOutcome),
    )
)]
async fn file(
    State(state): State<AppState>,
    Path((id, name)): Path<(String, String)>,
) -> Result<Response, FhirError> {
    let missing = || FhirError::not_found(format!("export file {id}/{name} does not exist"));
    if !matches!(
        state.exports.status(&id).await?,
        Some(ExportStatus::Completed(_))
    ) {
        return Err(missing());
    }
    let path = state.exports.file(&id, &name).ok_or_else(missing)?;
    let file = match tokio::fs::File::open(&path).await {
        Ok(file) => file,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Err(missing()),
        Err(err) => return Err(FhirError::internal(err)),
    };
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(file));
    let mut response = (StatusCode::OK, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/fhir+ndjson"),
    );
    Ok(response)
}

/// The kick-off parameters (besides `_type`, a comma-separated list of resource types, default
/// every type; an unknown type is refused with 400).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct ExportParams {
    /// Only resources changed at or after this instant (RFC 3339).
    #[param(rename = "_since", format = DateTime)]
    since: Option<String>,
    /// `application/fhir+ndjson` (the default), `application/ndjson` or `ndjson`.
    #[param(
        rename = "_outputFormat",
        pattern = "^(application/fhir\\+ndjson|application/ndjson|ndjson)$"
    )]
    output_format: Option<String>,
}

/// The header a kick-off needs.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
struct PreferAsync {
    /// `respond-async`: the export runs in the background (required by the Bulk Data spec).
    #[param(rename = "Prefer", pattern = "^respond-async$")]
    prefer: String,
}
