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
use crate::fhir::kinds::{Kind, ServedType, stored_type};
use crate::fhir::outcome::{FHIR_JSON, FhirError, Issue, Severity, outcome};
use crate::fhir::search::Search;
use crate::fhir::service::{Outcome, check_type, read_resource};
use crate::fhir::stored_search::StoredSearch;
use crate::fhir::validate::parse_json;
use crate::fhir::versioned::{
    self, HistoryQuery, Operation, StoredWrite, Target, Version, new_id, search_query,
};
use crate::fhir::writer::WriteRequest;
use crate::store::tokens::{Principal, Role};

/// The `/fhir` routes: metadata without a token; reads need a viewer, writes an operator.
/// Every answer, including refusals by the authentication layer, is FHIR JSON.
pub fn router(state: AppState) -> OpenApiRouter<AppState> {
    let reads = OpenApiRouter::new()
        .routes(routes!(search))
        .routes(routes!(read))
        .routes(routes!(vread))
        .routes(routes!(history_instance))
        .routes(routes!(history_type))
        .routes(routes!(history_system))
        .route_layer(middleware::from_fn(|r, n| {
            auth::require(Role::Viewer, r, n)
        }));
    let mut writes = OpenApiRouter::new()
        .routes(routes!(bundle))
        .routes(routes!(create))
        .routes(routes!(update))
        .routes(routes!(delete))
        .routes(routes!(patch))
        .routes(routes!(update_where))
        .routes(routes!(delete_where))
        .merge(super::fhir_export::routes())
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
/// `/fhir/{type}/{id}` (read, update, delete, patch), as the type allows; histories are read.
fn allowed_methods(path: &str) -> Option<&'static str> {
    let steps: Vec<&str> = path.trim_end_matches('/').split('/').skip(2).collect();
    match steps.as_slice() {
        ["$export-status", _] => return Some("GET, DELETE"),
        ["$export"] | ["Patient", "$export"] | ["$export-file", _, _] => return Some("GET"),
        _ => {}
    }
    if steps.last() == Some(&"_history") || steps.get(2) == Some(&"_history") {
        return Some("GET");
    }
    let served = steps.first().and_then(|name| ServedType::parse(name));
    match (steps.len(), served) {
        (0, _) => Some("POST"),
        (1, Some(ServedType::Stored(_))) => Some("GET, POST, PUT, DELETE"),
        (1, Some(ServedType::Canonical(kind))) if kind.writable() => Some("GET, POST"),
        (1, Some(_)) => Some("GET"),
        (2, Some(ServedType::Stored(_))) => Some("GET, PUT, PATCH, DELETE"),
        (2, Some(ServedType::Canonical(kind))) if kind.deletable() => Some("GET, PUT, DELETE"),
        (2, Some(ServedType::Canonical(kind))) if kind.writable() => Some("GET, PUT"),
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

/// The served type (canonical or stored) named in the URL, or 404.
fn served_of(name: &str) -> Result<ServedType, FhirError> {
    ServedType::parse(name)
        .ok_or_else(|| FhirError::not_found(format!("resource type '{name}' is not supported")))
}

/// The type named in the URL when it takes creates and updates: 404 when there is no such
/// type, 405 when it is read-only (before the body is read, so an empty body gets the same).
fn writable_served_of(name: &str) -> Result<ServedType, FhirError> {
    let served = served_of(name)?;
    match served {
        ServedType::Canonical(kind) if !kind.writable() => {
            Err(not_supported(format!("{} is read-only", kind.name())))
        }
        _ => Ok(served),
    }
}

/// The type named in the URL when it is kept as versioned JSON: 404 when there is no such
/// type, 405 for a canonical type, which does not support `what`.
fn stored_of(name: &str, what: &str) -> Result<&'static str, FhirError> {
    match served_of(name)? {
        ServedType::Stored(type_name) => Ok(type_name),
        ServedType::Canonical(kind) => Err(not_supported(format!(
            "{} does not support {what}: only its current version is kept, served by read",
            kind.name()
        ))),
    }
}

/// 405 with why.
fn not_supported(diagnostics: String) -> FhirError {
    FhirError::new(StatusCode::METHOD_NOT_ALLOWED, "not-supported", diagnostics)
}

/// `http://host/fhir`, for absolute URLs in Bundles.
pub(super) fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    format!("http://{host}/fhir")
}

/// The body, or the OperationOutcome of why it could not be read (413 when too large, 415
/// when it is declared as something other than JSON).
fn body_of(headers: &HeaderMap, body: Result<Bytes, BytesRejection>) -> Result<Value, FhirError> {
    let json = |t: &str| t.contains("json");
    let bytes = body_bytes(
        headers,
        body,
        json,
        "only application/fhir+json (or application/json) bodies are accepted",
    )?;
    parse_json(&bytes)
}

/// The bytes of a body whose declared content type passes `accepted` (415 with `expected`
/// otherwise; none declared passes), or 413 when it is too large.
fn body_bytes(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    accepted: impl Fn(&str) -> bool,
    expected: &str,
) -> Result<Bytes, FhirError> {
    if let Some(content_type) = headers.get(header::CONTENT_TYPE)
        && !content_type
            .to_str()
            .is_ok_and(|t| accepted(&t.to_ascii_lowercase()))
    {
        return Err(FhirError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "not-supported",
            expected,
        ));
    }
    body.map_err(|rejection| {
        let status = rejection.status();
        let code = if status == StatusCode::PAYLOAD_TOO_LARGE {
            "too-costly"
        } else {
            "structure"
        };
        FhirError::new(status, code, rejection.body_text())
    })
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
        (status = 410, description = "The resource was deleted", content_type = "application/fhir+json", body = OperationOutcome),
    )
)]
async fn read(
    State(state): State<AppState>,
    Path((kind, id)): Path<(String, String)>,
) -> Result<Response, FhirError> {
    let kind = match served_of(&kind)? {
        ServedType::Canonical(kind) => kind,
        ServedType::Stored(type_name) => {
            let mut conn = state.store.pool().acquire().await?;
            let version = versioned::read(&mut *conn, type_name, &id)
                .await?
                .ok_or_else(|| FhirError::not_found(format!("{type_name}/{id} does not exist")))?;
            return version_response(&version);
        }
    };
    let served = read_resource(&state.store, state.billing.as_deref(), kind, &id)
        .await?
        .ok_or_else(|| FhirError::not_found(format!("{}/{id} does not exist", kind.name())))?;
    let mut response = fhir_response(StatusCode::OK, &served.resource);
    if let Some(version) = served.version {
        response.headers_mut().insert(header::ETAG, etag(version));
    }
    Ok(response)
}

/// `GET /fhir/{type}/{id}/_history/{vid}`: one version of a resource kept as versioned JSON,
/// or the current version of a canonical one.
#[utoipa::path(
    get,
    path = "/fhir/{kind}/{id}/_history/{vid}",
    tag = "fhir",
    params(KindParam, IdParam, ("vid" = i64, Path, description = "The version")),
    responses(
        (status = 200, description = "The version (FHIR JSON)", content_type = "application/fhir+json", body = FhirResource),
        (status = 404, description = "No such type, resource or version (of a canonical type, only the current version is kept)", content_type = "application/fhir+json", body = OperationOutcome),
        (status = 410, description = "The version is a delete", content_type = "application/fhir+json", body = OperationOutcome),
    )
)]
async fn vread(
    State(state): State<AppState>,
    Path((kind, id, vid)): Path<(String, String, String)>,
) -> Result<Response, FhirError> {
    let served = served_of(&kind)?;
    let missing = || FhirError::not_found(format!("{kind}/{id} has no version {vid}"));
    let number = vid.parse::<i64>().map_err(|_| missing())?;
    let type_name = match served {
        ServedType::Stored(type_name) => type_name,
        ServedType::Canonical(kind) => {
            // Only the current version of a canonical resource is kept.
            let served = read_resource(&state.store, state.billing.as_deref(), kind, &id)
                .await?
                .filter(|served| served.version == Some(number))
                .ok_or_else(missing)?;
            let mut response = fhir_response(StatusCode::OK, &served.resource);
            response.headers_mut().insert(header::ETAG, etag(number));
            return Ok(response);
        }
    };
    let mut conn = state.store.pool().acquire().await?;
    let version = versioned::read_version(&mut *conn, type_name, &id, number)
        .await?
        .ok_or_else(missing)?;
    version_response(&version)
}

/// A stored version as an answer: the resource with `ETag` and `Last-Modified`, or 410 when it
/// is a delete.
fn version_response(version: &Version) -> Result<Response, FhirError> {
    let Some(resource) = &version.resource else {
        return Err(FhirError::new(
            StatusCode::GONE,
            "deleted",
            format!(
                "{} was deleted (version {})",
                version.location(),
                version.version
            ),
        ));
    };
    let mut response = fhir_response(StatusCode::OK, resource);
    add_version_headers(&mut response, version);
    Ok(response)
}

/// `ETag` and `Last-Modified` of a stored version.
fn add_version_headers(response: &mut Response, version: &Version) {
    response
        .headers_mut()
        .insert(header::ETAG, etag(version.version));
    if let Some(value) = http_date(version.updated_at) {
        response.headers_mut().insert(header::LAST_MODIFIED, value);
    }
}

/// Unix ms as an HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`).
fn http_date(millis: i64) -> Option<HeaderValue> {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    let at = time::OffsetDateTime::from_unix_timestamp(millis.div_euclid(1000)).ok()?;
    HeaderValue::from_str(&at.format(&format).ok()?).ok()
}

/// Query string of a history.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct HistoryParams {
    /// Versions per page (default 20, at most 200).
    #[param(minimum = 0)]
    _count: Option<i64>,
    /// Only versions made at or after this instant.
    #[param(format = DateTime)]
    _since: Option<String>,
    /// Versions skipped (paging).
    #[param(minimum = 0, maximum = 1000000000)]
    _offset: Option<i64>,
}

/// `GET /fhir/{type}/{id}/_history`: every version of a resource kept as versioned JSON.
#[utoipa::path(
    get,
    path = "/fhir/{kind}/{id}/_history",
    tag = "fhir",
    params(KindParam, IdParam, HistoryParams),
    responses(
        (status = 200, description = "A history Bundle, newest first", content_type = "application/fhir+json", body = FhirResource),
        (status = 400, description = "A history parameter that is not _count, _since or _offset, or a bad value", content_type = "application/fhir+json", body = OperationOutcome),
        (status = 404, description = "No such type or resource", content_type = "application/fhir+json", body = OperationOutcome),
        (status = 405, description = "A canonical type: only its current version is kept", content_type = "application/fhir+json", body = OperationOutcome),
    )
)]
async fn history_instance(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((kind, id)): Path<(String, String)>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, FhirError> {
    let type_name = stored_of(&kind, "history")?;
    let query = HistoryQuery::parse(Some(type_name), Some(id.clone()), &pairs)?;
    let mut conn = state.store.pool().acquire().await?;
    if versioned::read(&mut *conn, type_name, &id).await?.is_none() {
        return Err(FhirError::not_found(format!(
            "{type_name}/{id} does not exist"
        )));
    }
    history_answer(&mut *conn, &headers, &format!("{type_name}/{id}"), &query).await
}

/// `GET /fhir/{type}/_history`: every version of every resource of a type kept as versioned
/// JSON.
#[utoipa::path(
    get,
    path = "/fhir/{kind}/_history",
    tag = "fhir",
    params(KindParam, HistoryParams),
    responses(
        (status = 200, description = "A history Bundle, newest first", content_type = "application/fhir+json", body = FhirResource),
        (status = 400, description = "A history parameter that is not _count, _since or _offset, or a bad value", content_type = "application/fhir+json", body = OperationOutcome),
        (status = 404, description = "No such type", content_type = "application/fhir+json", body = OperationOutcome),
        (status = 405, description = "A canonical type: only its current versions are kept", content_type = "application/fhir+json", body = OperationOutcome),
    )
)]
async fn history_type(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(kind): Path<String>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, FhirError> {
    let type_name = stored_of(&kind, "history")?;
    let query = HistoryQuery::parse(Some(type_name), None, &pairs)?;
    let mut conn = state.store.pool().acquire().await?;
    history_answer(&mut *conn, &headers, type_name, &query).await
}

/// `GET /fhir/_history`: every version of every resource kept as versioned JSON.
#[utoipa::path(
    get,
    path = "/fhir/_history",
    tag = "fhir",
    params(HistoryParams),
    responses(
        (status = 200, description = "A history Bundle, newest first (the types kept as versioned JSON)", content_type = "application/fhir+json", body = FhirResource),
        (status = 400, description = "A history parameter that is not _count, _since or _offset, or a bad value", content_type = "application/fhir+json", body = OperationOutcome),
    )
)]
async fn history_system(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, FhirError> {
    let query = HistoryQuery::parse(None, None, &pairs)?;
    let mut conn = state.store.pool().acquire().await?;
    history_answer(&mut *conn, &headers, "", &query).await
}

/// The history Bundle of `query`; `at` is the resource or type it is of (empty for the system).
async fn history_answer(
    conn: &mut dyn crate::store::sql::Sql,
    headers: &HeaderMap,
    at: &str,
    query: &HistoryQuery,
) -> Result<Response, FhirError> {
    let (total, versions) = versioned::history(conn, query).await?;
    let path = if at.is_empty() {
        "_history".to_string()
    } else {
        format!("{at}/_history")
    };
    let bundle = crate::fhir::bundle::history(&base_url(headers), &path, query, total, &versions);
    Ok(fhir_response(StatusCode::OK, &bundle))
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

/// `POST /fhir/{type}`: create a resource (for a canonical type, or update the one with the
/// same identifier). For a type kept as versioned JSON, `If-None-Exist: search` makes it
/// conditional: nothing matching creates it, one match is answered (200), more are a 412.
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
        (status = 412, description = "`If-None-Exist`: several resources match", content_type = "application/fhir+json", body = OperationOutcome),
    )
)]
async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(kind): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, FhirError> {
    let served = writable_served_of(&kind)?;
    let resource = body_of(&headers, body)?;
    let target = match headers.get("if-none-exist") {
        Some(value) => {
            let text = value.to_str().map_err(|_| {
                FhirError::bad_request("If-None-Exist is not a readable query string")
            })?;
            Target::IfNoneExist {
                id: new_id(),
                query: search_query(text)?,
            }
        }
        None => Target::New(new_id()),
    };
    put_resource(&state, &headers, served, target, None, resource).await
}

/// `PUT /fhir/{type}/{id}`: replace a resource (`If-Match` for a version check); a type kept as
/// versioned JSON is created with the client's id when there is no such resource.
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
    let served = writable_served_of(&kind)?;
    let resource = body_of(&headers, body)?;
    let expected = if_match(&headers)?;
    put_resource(&state, &headers, served, Target::Id(id), expected, resource).await
}

/// `PUT /fhir/{type}?search`: conditional update of a type kept as versioned JSON: the one
/// match is updated, or the resource created when nothing matches (with its own id, if it has
/// one); several matches are a 412.
#[utoipa::path(
    put,
    path = "/fhir/{kind}",
    tag = "fhir",
    params(KindParam),
    request_body(content = FhirResource, content_type = "application/fhir+json", description = "The resource, FHIR R4 JSON"),
    responses(
        (status = 200, description = "Updated the one match", content_type = "application/fhir+json", body = FhirResource),
        (status = 201, description = "Created: nothing matched", content_type = "application/fhir+json", body = FhirResource),
        (status = 400, description = "No search parameters, or a bad one", content_type = "application/fhir+json", body = OperationOutcome),
        (status = 404, description = "No such type", content_type = "application/fhir+json", body = OperationOutcome),
        (status = 405, description = "A canonical type", content_type = "application/fhir+json", body = OperationOutcome),
        (status = 412, description = "Several resources match", content_type = "application/fhir+json", body = OperationOutcome),
        (status = 422, description = "Not a valid resource of this type", content_type = "application/fhir+json", body = OperationOutcome),
    )
)]
async fn update_where(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(kind): Path<String>,
    Query(query): Query<Vec<(String, String)>>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, FhirError> {
    let type_name = stored_of(&kind, "conditional update")?;
    let resource = body_of(&headers, body)?;
    let id = match resource.get("id").and_then(Value::as_str) {
        Some(id) => id.to_string(),
        None => new_id(),
    };
    let target = Target::Matching { id, query };
    let expected = if_match(&headers)?;
    let served = ServedType::Stored(type_name);
    put_resource(&state, &headers, served, target, expected, resource).await
}

/// `DELETE /fhir/{type}?search`: conditional delete of a type kept as versioned JSON: every
/// match is deleted (none is no error), at most 100; more are a 412.
#[utoipa::path(
    delete,
    path = "/fhir/{kind}",
    tag = "fhir",
    params(KindParam),
    responses(
        (status = 204, description = "Every match deleted"),
        (status = 400, description = "No search parameters, or a bad one", content_type = "application/fhir+json", body = OperationOutcome),
        (status = 404, description = "No such type", content_type = "application/fhir+json", body = OperationOutcome),
        (status = 405, description = "A canonical type", content_type = "application/fhir+json", body = OperationOutcome),
        (status = 412, description = "More than 100 resources match", content_type = "application/fhir+json", body = OperationOutcome),
    )
)]
async fn delete_where(
    State(state): State<AppState>,
    Path(kind): Path<String>,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, FhirError> {
    let type_name = stored_of(&kind, "conditional delete")?;
    let write = StoredWrite {
        type_name,
        target: Target::Matching {
            id: String::new(),
            query,
        },
        operation: Operation::Delete,
        expected: None,
        message_id: None,
    };
    state
        .fhir_writer
        .submit(WriteRequest::Stored(write))
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Checks and writes a create or an update of `target` (412 unless at `expected`), and
/// answers it. A canonical type takes no conditional write.
async fn put_resource(
    state: &AppState,
    headers: &HeaderMap,
    served: ServedType,
    target: Target,
    expected: Option<i64>,
    resource: Value,
) -> Result<Response, FhirError> {
    let checked = check_type(served, &resource)?;
    let done = match served {
        ServedType::Canonical(kind) => {
            let id = match target {
                Target::New(_) => None,
                Target::Id(id) => Some(id),
                Target::IfNoneExist { .. } | Target::Matching { .. } => {
                    return Err(not_supported(format!(
                        "{} takes no conditional create or update",
                        kind.name()
                    )));
                }
            };
            state
                .fhir_writer
                .write(checked, id, expected, resource)
                .await?
        }
        ServedType::Stored(type_name) => {
            let write = StoredWrite {
                type_name,
                operation: Operation::Put {
                    checked,
                    resource,
                    method: target.method(),
                },
                target,
                expected,
                message_id: None,
            };
            state
                .fhir_writer
                .submit(WriteRequest::Stored(write))
                .await?
        }
    };
    answer_write(state, headers, served, done).await
}

/// `PATCH /fhir/{type}/{id}`: change a resource kept as versioned JSON with a JSON Patch
/// (`application/json-patch+json`); the result is checked as R4 before it is written.
#[utoipa::path(
    patch,
    path = "/fhir/{kind}/{id}",
    tag = "fhir",
    params(KindParam, IdParam),
    request_body(content = Value, content_type = "application/json-patch+json", description = "A JSON Patch (RFC 6902): add, remove, replace, move, copy, test"),
    responses(
        (status = 200, description = "Patched", content_type = "application/fhir+json", body = FhirResource),
        (status = 400, description = "Not a JSON Patch", content_type = "application/fhir+json", body = OperationOutcome),
        (status = 404, description = "No such type or resource", content_type = "application/fhir+json", body = OperationOutcome),
        (status = 405, description = "A canonical type", content_type = "application/fhir+json", body = OperationOutcome),
        (status = 410, description = "The resource was deleted", content_type = "application/fhir+json", body = OperationOutcome),
        (status = 412, description = "`If-Match` names another version, or the resource changed while it was patched", content_type = "application/fhir+json", body = OperationOutcome),
        (status = 415, description = "The body is not declared as application/json-patch+json", content_type = "application/fhir+json", body = OperationOutcome),
        (status = 422, description = "An operation does not apply (a failing `test`), or the result is not a valid resource", content_type = "application/fhir+json", body = OperationOutcome),
    )
)]
async fn patch(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((kind, id)): Path<(String, String)>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, FhirError> {
    let type_name = stored_of(&kind, "patch")?;
    let bytes = body_bytes(
        &headers,
        body,
        |t| t.starts_with("application/json-patch+json"),
        "a patch is application/json-patch+json",
    )?;
    let patch: Value = serde_json::from_slice(&bytes)
        .map_err(|err| FhirError::bad_request(format!("the patch is not valid JSON: {err}")))?;
    let expected = if_match(&headers)?;
    let current = {
        let mut conn = state.store.pool().acquire().await?;
        versioned::read(&mut *conn, type_name, &id)
            .await?
            .ok_or_else(|| FhirError::not_found(format!("{type_name}/{id} does not exist")))?
    };
    let Some(resource) = &current.resource else {
        return version_response(&current);
    };
    let patched = crate::fhir::patch::apply(resource, &patch)?;
    if patched.get("resourceType") != resource.get("resourceType")
        || patched.get("id") != resource.get("id")
    {
        return Err(FhirError::invalid(
            "a patch cannot change the resource's resourceType or id",
        ));
    }
    let checked = check_type(ServedType::Stored(type_name), &patched)?;
    // The version patched is the one the write expects: a change in between is a 412.
    let write = StoredWrite {
        type_name,
        target: Target::Id(id),
        operation: Operation::Put {
            checked,
            resource: patched,
            method: "PATCH",
        },
        expected: Some(expected.unwrap_or(current.version)),
        message_id: None,
    };
    let done = state
        .fhir_writer
        .submit(WriteRequest::Stored(write))
        .await?;
    answer_write(&state, &headers, ServedType::Stored(type_name), done).await
}

/// The answer to a create or update: the resource, nothing (`Prefer: return=minimal`), or an
/// OperationOutcome when there are warnings or the client asked for one
/// (`Prefer: return=OperationOutcome`); `Location` names the version written.
async fn answer_write(
    state: &AppState,
    headers: &HeaderMap,
    served: ServedType,
    done: Outcome,
) -> Result<Response, FhirError> {
    let prefer = headers
        .get("prefer")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let id = done.location.rsplit('/').next().unwrap_or_default();
    let vanished = || FhirError::internal(format!("{} vanished", done.location));
    let stored = match served {
        ServedType::Stored(type_name) => {
            let mut conn = state.store.pool().acquire().await?;
            Some(
                versioned::read_version(&mut *conn, type_name, id, done.version)
                    .await?
                    .ok_or_else(vanished)?,
            )
        }
        ServedType::Canonical(_) => None,
    };
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
        Some(outcome(&issues))
    } else if prefer.contains("return=minimal") {
        None
    } else if let Some(version) = &stored {
        version.resource.clone()
    } else if let ServedType::Canonical(kind) = served {
        read_resource(&state.store, state.billing.as_deref(), kind, id)
            .await?
            .map(|s| s.resource)
    } else {
        None
    };
    let mut response = match body {
        Some(body) => fhir_response(done.status, &body),
        None => done.status.into_response(),
    };
    let location = format!(
        "{}/{}/_history/{}",
        base_url(headers),
        done.location,
        done.version
    );
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
        .headers_mut()
        .insert(header::ETAG, etag(done.version));
    if let Some(version) = &stored {
        add_version_headers(&mut response, version);
    }
    Ok(response)
}

/// `DELETE /fhir/{type}/{id}`: delete a resource, for the types that allow it. A resource kept
/// as versioned JSON gets a delete version (reads then answer 410); deleting it again changes
/// nothing (204), deleting one that never existed is a 404.
#[utoipa::path(
    delete,
    path = "/fhir/{kind}/{id}",
    tag = "fhir",
    params(KindParam, IdParam),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such type or resource", content_type = "application/fhir+json", body = OperationOutcome),
        (status = 409, description = "Other records still refer to it", content_type = "application/fhir+json", body = OperationOutcome),
        (status = 412, description = "`If-Match` names another version", content_type = "application/fhir+json", body = OperationOutcome),
    )
)]
async fn delete(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((kind, id)): Path<(String, String)>,
) -> Result<Response, FhirError> {
    let kind = match served_of(&kind)? {
        ServedType::Canonical(kind) => kind,
        ServedType::Stored(type_name) => {
            let write = StoredWrite {
                type_name,
                target: Target::Id(id),
                operation: Operation::Delete,
                expected: if_match(&headers)?,
                message_id: None,
            };
            let done = state
                .fhir_writer
                .submit(WriteRequest::Stored(write))
                .await?;
            let mut response = StatusCode::NO_CONTENT.into_response();
            response
                .headers_mut()
                .insert(header::ETAG, etag(done.version));
            return Ok(response);
        }
    };
    if !kind.deletable() {
        return Err(not_supported(format!("{} cannot be deleted", kind.name())));
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
    /// The resource type: a canonical one (Patient, Encounter, Coverage, Organization,
    /// Practitioner, ChargeItem, Claim, ClaimResponse, ExplanationOfBenefit) or any other R4
    /// type, kept as versioned JSON.
    #[param(pattern = "^[A-Z][A-Za-z]+$")]
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
