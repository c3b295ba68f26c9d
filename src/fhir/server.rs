//! The FHIR REST handlers under `/fhir`: metadata, read, search, create, update, and Bundles.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde_json::{Value, json};

use super::kinds::Kind;
use super::outcome::{FHIR_JSON, FhirError, Issue, Severity, fhir_response, outcome};
use super::resources::{generate, instant, write};
use super::search::Search;
use super::store::{PendingWrite, current_version, plan_write, save_writes, version_now, written};
use super::validate::{parse_json, validate};
use crate::api::AppState;
use crate::api::auth;
use crate::store::Change;
use crate::store::tokens::{Principal, Role};

/// The `/fhir` routes: metadata without a token; reads need a viewer, writes an operator.
/// Every answer, including refusals by the authentication layer, is FHIR JSON.
pub fn router(state: AppState) -> Router<AppState> {
    let reads = Router::new()
        .route("/fhir/{kind}", get(search))
        .route("/fhir/{kind}/{id}", get(read))
        .route_layer(middleware::from_fn(|r, n| {
            auth::require(Role::Viewer, r, n)
        }));
    let writes = Router::new()
        .route("/fhir", post(bundle))
        .route("/fhir/{kind}", post(create))
        .route(
            "/fhir/{kind}/{id}",
            axum::routing::put(update).delete(delete),
        )
        .route_layer(middleware::from_fn(|r, n| {
            auth::require(Role::Operator, r, n)
        }));
    let authenticated = reads
        .merge(writes)
        .route(
            "/fhir/{kind}/{id}/{*rest}",
            axum::routing::any(unknown_route),
        )
        .layer(middleware::from_fn_with_state(state, auth::authenticate));
    Router::new()
        .route("/fhir/metadata", get(metadata))
        .merge(authenticated)
        .layer(middleware::from_fn(as_operation_outcome))
}

/// Turns every error answer that is not FHIR JSON yet (authentication, routing, extractor
/// rejections) into an OperationOutcome with the same status.
async fn as_operation_outcome(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
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
        _ if status.is_server_error() => "exception",
        _ => "invalid",
    };
    let mut answer = FhirError::new(status, code, message).into_response();
    if let Some(challenge) = parts.headers.get(header::WWW_AUTHENTICATE) {
        answer
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, challenge.clone());
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

/// A resource as served: with its id, version and last change.
#[derive(Debug, Clone, PartialEq)]
pub struct Served {
    /// The resource, meta included.
    pub resource: Value,
    /// Its version, for writable types.
    pub version: Option<i64>,
}

/// Reads `kind/id`: what a client wrote while it still describes the canonical record, else
/// generated from the canonical record. `None` when there is no such resource.
pub async fn read_resource(
    state: &AppState,
    kind: Kind,
    id: &str,
) -> Result<Option<Served>, FhirError> {
    let Some(target) = kind.target(id) else {
        return Ok(None);
    };
    let billing = state.billing.as_deref();
    let Some(generated) = generate(&state.store, billing, kind, &target).await? else {
        return Ok(None);
    };
    let mut version = None;
    let mut resource = generated.resource;
    if kind.writable() {
        let mut conn = state.store.pool().acquire().await?;
        let Some((revision, _)) = super::store::canonical_state(&mut conn, &target).await? else {
            return Ok(None);
        };
        let written = written(&mut conn, kind, id).await?;
        let (current, as_written) = current_version(written.as_ref(), revision);
        if as_written && let Some(written) = written {
            resource = written.raw;
        }
        version = Some(current);
    }
    resource["id"] = json!(id);
    let mut meta = resource
        .get("meta")
        .cloned()
        .filter(Value::is_object)
        .unwrap_or_else(|| json!({}));
    meta["lastUpdated"] = json!(instant(generated.updated_at));
    if let Some(version) = version {
        meta["versionId"] = json!(version.to_string());
    }
    resource["meta"] = meta;
    Ok(Some(Served { resource, version }))
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

async fn metadata() -> Response {
    fhir_response(StatusCode::OK, &super::capability_statement())
}

async fn read(
    State(state): State<AppState>,
    Path((kind, id)): Path<(String, String)>,
) -> Result<Response, FhirError> {
    let kind = kind_of(&kind)?;
    let served = read_resource(&state, kind, &id)
        .await?
        .ok_or_else(|| FhirError::not_found(format!("{}/{id} does not exist", kind.name())))?;
    let mut response = fhir_response(StatusCode::OK, &served.resource);
    if let Some(version) = served.version {
        response.headers_mut().insert(header::ETAG, etag(version));
    }
    Ok(response)
}

async fn search(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(kind): Path<String>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, FhirError> {
    let kind = kind_of(&kind)?;
    let search = Search::parse(kind, &pairs)?;
    let base = base_url(&headers);
    let bundle = super::bundle::searchset(&state, &base, &search).await?;
    Ok(fhir_response(StatusCode::OK, &bundle))
}

/// What one create or update did, for the answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// `Type/id`.
    pub location: String,
    /// The new version.
    pub version: i64,
    /// 201 when created, else 200.
    pub status: StatusCode,
    /// Warnings (unknown elements).
    pub warnings: Vec<Issue>,
}

/// Validates and writes one resource in the caller's transaction: a create when `id` is
/// `None`, else an update of `id` (refused with 412 unless `expected` matches its version).
pub async fn write_one(
    conn: &mut sqlx::AnyConnection,
    kind: Kind,
    id: Option<&str>,
    expected: Option<i64>,
    resource: &Value,
) -> Result<Outcome, FhirError> {
    let (outcome, pending) = write_deferred(conn, kind, id, expected, resource).await?;
    save_writes(conn, &[pending]).await?;
    Ok(outcome)
}

/// As [`write_one`], but the record of the resource as written is answered rather than saved:
/// a Bundle saves all of its entries' records together.
pub async fn write_deferred(
    conn: &mut sqlx::AnyConnection,
    kind: Kind,
    id: Option<&str>,
    expected: Option<i64>,
    resource: &Value,
) -> Result<(Outcome, PendingWrite), FhirError> {
    if !kind.writable() {
        return Err(FhirError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "not-supported",
            format!("{} is read-only", kind.name()),
        ));
    }
    let warnings = validate(kind, resource)?;
    let target = match id {
        Some(id) => {
            if let Some(sent) = resource.get("id").and_then(Value::as_str)
                && sent != id
            {
                return Err(FhirError::bad_request(format!(
                    "the resource's id '{sent}' differs from the id '{id}' in the URL"
                )));
            }
            let target = kind.target(id).ok_or_else(|| {
                FhirError::not_found(format!("{}/{id} does not exist", kind.name()))
            })?;
            let Some(version) = version_now(conn, kind, &target).await? else {
                return Err(FhirError::not_found(format!(
                    "{}/{id} does not exist; create it with POST",
                    kind.name()
                )));
            };
            if let Some(expected) = expected
                && expected != version
            {
                return Err(FhirError::new(
                    StatusCode::PRECONDITION_FAILED,
                    "conflict",
                    format!(
                        "{}/{id} is at version {version}, not {expected}",
                        kind.name()
                    ),
                ));
            }
            Some(target)
        }
        None => None,
    };
    let landed = write(conn, kind, resource, target.as_ref()).await?;
    let mut raw = resource.clone();
    let logical_id = landed.target.logical_id();
    raw["id"] = json!(logical_id);
    if let Some(map) = raw.as_object_mut() {
        map.remove("meta");
    }
    let pending = plan_write(conn, kind, &landed.target, landed.change, &raw).await?;
    let outcome = Outcome {
        location: pending.resource(),
        version: pending.version,
        status: if landed.change == Change::Created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
        warnings,
    };
    Ok((outcome, pending))
}

async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(kind): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, FhirError> {
    let kind = kind_of(&kind)?;
    let resource = body_of(&headers, body)?;
    let mut tx = state.store.begin_write().await?;
    let done = write_one(&mut tx, kind, None, None, &resource).await?;
    tx.commit().await?;
    answer_write(&state, &headers, kind, done).await
}

async fn update(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((kind, id)): Path<(String, String)>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, FhirError> {
    let kind = kind_of(&kind)?;
    let resource = body_of(&headers, body)?;
    let expected = if_match(&headers)?;
    let mut tx = state.store.begin_write().await?;
    let done = write_one(&mut tx, kind, Some(&id), expected, &resource).await?;
    tx.commit().await?;
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
        read_resource(state, kind, id)
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
    super::resources::delete(&mut tx, kind, &target).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn bundle(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, FhirError> {
    let bundle = body_of(&headers, body)?;
    let answer = super::bundle::process(&state.store, &principal, &bundle).await?;
    Ok(fhir_response(StatusCode::OK, &answer))
}
