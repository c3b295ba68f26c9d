//! The HTTP face of the FHIR server under `/fhir`: metadata, read, search, create, update,
//! delete and Bundles, answered as FHIR JSON (OperationOutcome for every error).

use axum::Extension;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::openapi::{
    AUTHENTICATED, ErrorKind, FHIR_WRITES, FhirResource, OperationOutcome, ROLE_CHECKED,
    add_layer_answers,
};
use super::{AppState, auth};
use crate::fhir::kinds::{Kind, stored_type};
use crate::fhir::outcome::{FHIR_JSON, FhirError, Issue, Severity, outcome};
use crate::fhir::search::Search;
use crate::fhir::service::{Outcome, check, read_resource};
use crate::fhir::stored_search::StoredSearch;
use crate::fhir::validate::parse_json;
use crate::store::tokens::{Principal, Role};

/// The `/fhir` routes: metadata without a token; reads need a viewer, writes an operator.
/// Every answer, including refusals by the authentication layer, is FHIR JSON.
pub fn router(state: AppState) -> OpenApiRouter<AppState> {
    let reads = OpenApiRouter::new()
        .routes(routes!(search))
        .routes(routes!(read))
        .route_layer(middleware::from_fn(|r, n| {
            auth::require(Role::Viewer, r, n)
        }));
    let mut writes = OpenApiRouter::new()
        .routes(routes!(bundle))
        .routes(routes!(create))
        .routes(routes!(update))
        .routes(routes!(delete))
        .route_layer(middleware::from_fn(|r, n| {
            auth::require(Role::Operator, r, n)
        }));
    add_layer_answers(writes.get_openapi_mut(), ErrorKind::Fhir, ROLE_CHECKED);
    add_layer_answers(writes.get_openapi_mut(), ErrorKind::Fhir, FHIR_WRITES);
    let mut authenticated = reads
        .merge(writes)
        .route(
            "/fhir/{kind}/{id}/{*rest}",
            axum::routing::any(unknown_route),
        )
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ))
        .layer(middleware::from_fn_with_state(
            state,
            super::monitor::unless_store_down,
        ));
    add_layer_answers(
        authenticated.get_openapi_mut(),
        ErrorKind::Fhir,
        AUTHENTICATED,
    );
    OpenApiRouter::new()
        .routes(routes!(metadata))
        .merge(authenticated)
        .layer(middleware::from_fn(as_operation_outcome))
}

/// Turns every error answer that is not FHIR JSON yet (authentication, routing, extractor
/// rejections) into an OperationOutcome with the same status; a 405 names the methods the
/// URL takes (`Allow`).
async fn as_operation_outcome(request: Request, next: Next) -> Response {
    let allow = allowed_methods(request.uri().path());
    let mut response = to_operation_outcome(next.run(request).await).await;
    if response.status() == StatusCode::METHOD_NOT_ALLOWED
        && let Some(allow) = allow
    {
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static(allow));
    }
    response
}

/// The methods a FHIR URL takes: `/fhir` (a Bundle), `/fhir/{type}` (search, create) or
/// `/fhir/{type}/{id}` (read, update, delete), as the type allows.
fn allowed_methods(path: &str) -> Option<&'static str> {
    let steps: Vec<&str> = path.trim_end_matches('/').split('/').skip(2).collect();
    let kind = steps.first().and_then(|name| Kind::parse(name));
    match (steps.len(), kind) {
        (0, _) => Some("POST"),
        (1, Some(kind)) if kind.writable() => Some("GET, POST"),
        (1, Some(_)) => Some("GET"),
        (2, Some(kind)) if kind.deletable() => Some("GET, PUT, DELETE"),
        (2, Some(kind)) if kind.writable() => Some("GET, PUT"),
        (2, Some(_)) => Some("GET"),
        _ => None,
    }
}

/// An error answer as an OperationOutcome, when it is not FHIR JSON yet.
async fn to_operation_outcome(response: Response) -> Response {
    let status = response.status();
    let is_fhir = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(FHIR_JSON));
    if !(status.is_client_error() || status.is_server_error()) || is_fhir {
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    let message = serde_json::from_slice::<Value>(&bytes)
        .ok()
        .and_then(|v| v.get("error").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_else(|| String::from_utf8_lossy(&bytes).trim().to_string());
    let message = match status {
        StatusCode::SERVICE_UNAVAILABLE if !message.is_empty() => message,
        _ if status.is_server_error() => "internal error".to_string(),
        _ if message.is_empty() => status
            .canonical_reason()
            .unwrap_or("request refused")
            .to_string(),
        _ => message,
    };
    let code = match status {
        StatusCode::UNAUTHORIZED => "login",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::NOT_FOUND => "not-found",
        StatusCode::PAYLOAD_TOO_LARGE => "too-costly",
        StatusCode::METHOD_NOT_ALLOWED => "not-supported",
        StatusCode::SERVICE_UNAVAILABLE => "transient",
        _ if status.is_server_error() => "exception",
        _ => "invalid",
    };
    let mut answer = FhirError::new(status, code, message).into_response();
    for kept in [header::WWW_AUTHENTICATE, header::RETRY_AFTER] {
        if let Some(value) = parts.headers.get(&kept) {
            answer.headers_mut().insert(kept, value.clone());
        }
    }
    answer
}

async fn unknown_route() -> FhirError {
    FhirError::not_found("no such FHIR endpoint")
}

/// The type named in the URL, or 404.
fn kind_of(name: &str) -> Result<Kind, FhirError> {
    Kind::parse(name)
        .ok_or_else(|| FhirError::not_found(format!("resource type '{name}' is not supported")))
}

/// The type named in the URL when it takes creates and updates: 404 when there is no such
/// type, 405 when it is read-only (before the body is read, so an empty body gets the same).
fn writable_kind_of(name: &str) -> Result<Kind, FhirError> {
    let kind = kind_of(name)?;
    if kind.writable() {
        Ok(kind)
    } else {
        Err(FhirError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "not-supported",
            format!("{} is read-only", kind.name()),
        ))
    }
}

/// `http://host/fhir`, for absolute URLs in Bundles.
fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    format!("http://{host}/fhir")
}

/// The body, or the OperationOutcome of why it could not be read (413 when too large, 415
/// when it is declared as something other than JSON).
fn body_of(headers: &HeaderMap, body: Result<Bytes, BytesRejection>) -> Result<Value, FhirError> {
    if let Some(content_type) = headers.get(header::CONTENT_TYPE)
        && !content_type
            .to_str()
            .is_ok_and(|t| t.to_ascii_lowercase().contains("json"))
    {
        return Err(FhirError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "not-supported",
            "only application/fhir+json (or application/json) bodies are accepted",
        ));
    }
    let bytes = body.map_err(|rejection| {
        let status = rejection.status();
        let code = if status == StatusCode::PAYLOAD_TOO_LARGE {
            "too-costly"
        } else {
            "structure"
        };
        FhirError::new(status, code, rejection.body_text())
    })?;
    parse_json(&bytes)
}

fn etag(version: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("W/\"{version}\""))
        .unwrap_or(HeaderValue::from_static("W/\"0\""))
}

/// The version an `If-Match` header asks for.
fn if_match(headers: &HeaderMap) -> Result<Option<i64>, FhirError> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or_default().trim();
    let inner = text.strip_prefix("W/").unwrap_or(text).trim_matches('"');
    inner
        .parse::<i64>()
        .map(Some)
        .map_err(|_| FhirError::bad_request(format!("If-Match '{text}' is not W/\"version\"")))
}

/// `GET /fhir/metadata`: the CapabilityStatement; no token needed.
#[utoipa::path(
    get,
    path = "/fhir/metadata",
    tag = "fhir",
    security(()),
    responses((status = 200, description = "The CapabilityStatement", content_type = "application/fhir+json", body = FhirResource))
)]
async fn metadata() -> Response {
    fhir_response(StatusCode::OK, &crate::fhir::capability_statement())
}

/// `GET /fhir/{type}/{id}`: one resource.
#[utoipa::path(
    get,
    path = "/fhir/{kind}/{id}",
    tag = "fhir",
    params(KindParam, IdParam),
    responses(
        (status = 200, description = "The resource (FHIR JSON), with its version in `ETag`", content_type = "application/fhir+json", body = FhirResource),
        (status = 404, description = "No such type or resource", content_type = "application/fhir+json", body = OperationOutcome),
    )
)]
async fn read(
    State(state): State<AppState>,
    Path((kind, id)): Path<(String, String)>,
) -> Result<Response, FhirError> {
    let kind = kind_of(&kind)?;
    let served = read_resource(&state.store, state.billing.as_deref(), kind, &id)
        .await?
        .ok_or_else(|| FhirError::not_found(format!("{}/{id} does not exist", kind.name())))?;
    let mut response = fhir_response(StatusCode::OK, &served.resource);
    if let Some(version) = served.version {
        response.headers_mut().insert(header::ETAG, etag(version));
    }
    Ok(response)
}

/// `GET /fhir/{type}?params`: a searchset Bundle.
#[utoipa::path(
    get,
    path = "/fhir/{kind}",
    tag = "fhir",
    params(KindParam),
    responses(
        (status = 200, description = "A searchset Bundle (FHIR JSON); search parameters as the CapabilityStatement lists them per type", content_type = "application/fhir+json", body = FhirResource),
        (status = 400, description = "A search parameter the type does not support, or a bad value", content_type = "application/fhir+json", body = OperationOutcome),
        (status = 404, description = "The type is not supported", content_type = "application/fhir+json", body = OperationOutcome),
    )
)]
async fn search(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(kind): Path<String>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, FhirError> {
    let base = base_url(&headers);
    if let Some(stored) = stored_type(&kind) {
        let search = StoredSearch::parse(stored, &pairs)?;
        let bundle = search
            .run(&state.store, state.billing.as_deref(), &base)
            .await?;
        return Ok(fhir_response(StatusCode::OK, &bundle));
    }
    let kind = kind_of(&kind)?;
    let search = Search::parse(kind, &pairs)?;
    let bundle =
        crate::fhir::bundle::searchset(&state.store, state.billing.as_deref(), &base, &search)
            .await?;
    Ok(fhir_response(StatusCode::OK, &bundle))
}

/// `POST /fhir/{type}`: create a resource (or update the one with the same identifier).
#[utoipa::path(
    post,
    path = "/fhir/{kind}",
    tag = "fhir",
    params(KindParam),
    request_body(content = FhirResource, content_type = "application/fhir+json", description = "The resource, FHIR R4 JSON"),
    responses(
        (status = 200, description = "Updated the existing resource; its URL in `Location`", content_type = "application/fhir+json", body = FhirResource),
        (status = 201, description = "Created; its URL in `Location`, its version in `ETag` (an OperationOutcome instead with warnings or `Prefer: return=OperationOutcome`)", content_type = "application/fhir+json", body = FhirResource),
        (status = 404, description = "The type is not supported", content_type = "application/fhir+json", body = OperationOutcome),
    )
)]
async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(kind): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, FhirError> {
    let kind = writable_kind_of(&kind)?;
    let resource = body_of(&headers, body)?;
    let checked = check(kind, &resource)?;
    let done = state
        .fhir_writer
        .write(checked, None, None, resource)
        .await?;
    answer_write(&state, &headers, kind, done).await
}

/// `PUT /fhir/{type}/{id}`: replace a resource (`If-Match` for a version check).
#[utoipa::path(
    put,
    path = "/fhir/{kind}/{id}",
    tag = "fhir",
    params(KindParam, IdParam),
    request_body(content = FhirResource, content_type = "application/fhir+json", description = "The resource, FHIR R4 JSON, with this id"),
    responses(
        (status = 200, description = "Updated", content_type = "application/fhir+json", body = FhirResource),
        (status = 201, description = "Created", content_type = "application/fhir+json", body = FhirResource),
        (status = 404, description = "No such type or resource", content_type = "application/fhir+json", body = OperationOutcome),
        (status = 412, description = "`If-Match` names another version", content_type = "application/fhir+json", body = OperationOutcome),
        (status = 422, description = "Not a valid resource of this type, or its id differs from the URL's", content_type = "application/fhir+json", body = OperationOutcome),
    )
)]
async fn update(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((kind, id)): Path<(String, String)>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, FhirError> {
    let kind = writable_kind_of(&kind)?;
    let resource = body_of(&headers, body)?;
    let expected = if_match(&headers)?;
    let checked = check(kind, &resource)?;
    let done = state
        .fhir_writer
        .write(checked, Some(id), expected, resource)
        .await?;
    answer_write(&state, &headers, kind, done).await
}

/// The answer to a create or update: the resource, or an OperationOutcome when there are
/// warnings or the client asked for one (`Prefer: return=OperationOutcome`).
async fn answer_write(
    state: &AppState,
    headers: &HeaderMap,
    kind: Kind,
    done: Outcome,
) -> Result<Response, FhirError> {
    let prefer = headers
        .get("prefer")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let body = if !done.warnings.is_empty() || prefer.contains("return=OperationOutcome") {
        let mut issues = done.warnings.clone();
        if issues.is_empty() {
            issues.push(Issue {
                severity: Severity::Information,
                code: "informational",
                diagnostics: format!("{} version {}", done.location, done.version),
                expression: None,
            });
        }
        outcome(&issues)
    } else {
        let id = done.location.rsplit('/').next().unwrap_or_default();
        read_resource(&state.store, state.billing.as_deref(), kind, id)
            .await?
            .map(|s| s.resource)
            .ok_or_else(|| FhirError::internal(format!("{} vanished", done.location)))?
    };
    let mut response = fhir_response(done.status, &body);
    let location = format!("{}/{}", base_url(headers), done.location);
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
        .headers_mut()
        .insert(header::ETAG, etag(done.version));
    Ok(response)
}

/// `DELETE /fhir/{type}/{id}`: delete a resource, for the types that allow it.
#[utoipa::path(
    delete,
    path = "/fhir/{kind}/{id}",
    tag = "fhir",
    params(KindParam, IdParam),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such type or resource", content_type = "application/fhir+json", body = OperationOutcome),
        (status = 409, description = "Other records still refer to it", content_type = "application/fhir+json", body = OperationOutcome),
    )
)]
async fn delete(
    State(state): State<AppState>,
    Path((kind, id)): Path<(String, String)>,
) -> Result<Response, FhirError> {
    let kind = kind_of(&kind)?;
    if !kind.deletable() {
        return Err(FhirError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "not-supported",
            format!("{} cannot be deleted", kind.name()),
        ));
    }
    let target = kind
        .target(&id)
        .ok_or_else(|| FhirError::not_found(format!("{}/{id} does not exist", kind.name())))?;
    let mut tx = state.store.begin_write().await?;
    crate::fhir::resources::delete(&mut tx, kind, &target).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /fhir`: a transaction or batch Bundle.
#[utoipa::path(
    post,
    path = "/fhir",
    tag = "fhir",
    request_body(content = FhirResource, content_type = "application/fhir+json", description = "A Bundle of type transaction or batch"),
    responses(
        (status = 200, description = "The transaction-response or batch-response Bundle", content_type = "application/fhir+json", body = FhirResource),
        (status = 422, description = "Not a valid Bundle, or an entry is not valid", content_type = "application/fhir+json", body = OperationOutcome),
    )
)]
async fn bundle(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, FhirError> {
    let bundle = body_of(&headers, body)?;
    let answer = crate::fhir::bundle::process(&state.store, &principal, &bundle).await?;
    Ok(fhir_response(StatusCode::OK, &answer))
}

/// The resource type of a FHIR URL.
#[derive(utoipa::IntoParams)]
#[into_params(names("kind"), parameter_in = Path)]
struct KindParam(
    /// The resource type: Patient, Encounter, Coverage, Organization, Practitioner, ChargeItem,
    /// Claim, ClaimResponse or ExplanationOfBenefit.
    #[param(
        pattern = "^(Patient|Encounter|Coverage|Organization|Practitioner|ChargeItem|Claim|ClaimResponse|ExplanationOfBenefit)$"
    )]
    #[allow(dead_code)]
    String,
);

/// The logical id of a FHIR URL.
#[derive(utoipa::IntoParams)]
#[into_params(names("id"), parameter_in = Path)]
struct IdParam(
    /// The resource's logical id.
    #[allow(dead_code)]
    String,
);

/// A FHIR JSON answer.
pub fn fhir_response(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON));
    response
}

impl IntoResponse for FhirError {
    fn into_response(self) -> Response {
        let mut response = fhir_response(self.status, &outcome(&self.issues));
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        response
    }
}
