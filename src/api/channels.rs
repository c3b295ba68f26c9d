//! Admin API for channels, routing, messages (reprocess), dead letters and the configuration
//! archive.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Extension, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiError, AppState};
use crate::channel::runtime::RuntimeError;
use crate::config::{ConfigErrors, Problem};
use crate::message::{Format, Message};
use crate::store::tokens::Principal;

impl From<RuntimeError> for ApiError {
    fn from(err: RuntimeError) -> Self {
        match err {
            RuntimeError::NoSuchChannel(name) => ApiError::NotFound(format!("channel '{name}'")),
            RuntimeError::NoChannelFile(file) => ApiError::NotFound(format!("channel file {file}")),
            RuntimeError::Invalid(errors) => ApiError::InvalidConfig(errors),
            RuntimeError::Store(err) => err.into(),
            RuntimeError::Write { path, source } => {
                ApiError::Internal(format!("cannot write {path}: {source}"))
            }
        }
    }
}

/// A channel name from a URL, refused unless it is a valid channel name (so it can never
/// name a file outside `channels/`).
fn checked(name: &str) -> Result<(), ApiError> {
    if crate::config::checks::is_valid_name(name) {
        Ok(())
    } else {
        Err(ApiError::NotFound(format!("channel '{name}'")))
    }
}

/// The problems of a refused configuration, as JSON.
pub fn problems_json(errors: &ConfigErrors) -> Value {
    let problems: Vec<Value> = errors.0.iter().map(problem_json).collect();
    json!({ "error": "configuration refused", "problems": problems })
}

fn problem_json(problem: &Problem) -> Value {
    json!({
        "file": problem.file.display().to_string(),
        "line": problem.line,
        "field": problem.field,
        "reason": problem.reason,
        "text": problem.to_string(),
    })
}

/// `GET /api/channels`: every deployed channel with state, counters and queue depths.
pub async fn list(State(state): State<AppState>) -> Result<Response, ApiError> {
    let depths = state.runtime.store().queue_depths().await?;
    let channels: Vec<Value> = state
        .runtime
        .list()
        .await
        .into_iter()
        .map(|status| {
            let queues: Vec<Value> = depths
                .iter()
                .filter(|(channel, _, _)| *channel == status.name)
                .map(|(_, destination, depth)| json!({"destination": destination, "depth": depth}))
                .collect();
            let mut value = serde_json::to_value(&status).unwrap_or_default();
            value["queues"] = Value::Array(queues);
            value
        })
        .collect();
    Ok(Json(json!({ "channels": channels })).into_response())
}

/// `GET /api/channels/{name}`: one channel and its file's text.
pub async fn get(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    checked(&name)?;
    let status = state
        .runtime
        .list()
        .await
        .into_iter()
        .find(|s| s.name == name)
        .ok_or_else(|| ApiError::NotFound(format!("channel '{name}'")))?;
    let file = state.runtime.channel_file(&name).await;
    let config = std::fs::read_to_string(&file).unwrap_or_default();
    Ok(Json(json!({ "channel": status, "config": config })).into_response())
}

/// `GET /api/channels/{name}/config`: the channel file as TOML.
pub async fn get_config(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    checked(&name)?;
    let file = state.runtime.channel_file(&name).await;
    let text = std::fs::read_to_string(&file)
        .map_err(|_| ApiError::NotFound(format!("channel '{name}'")))?;
    Ok((
        [(header::CONTENT_TYPE, "application/toml; charset=utf-8")],
        text,
    )
        .into_response())
}

/// `PUT /api/channels/{name}/config`: validate, write back to the file, redeploy this channel.
pub async fn put_config(
    State(state): State<AppState>,
    Path(name): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    checked(&name)?;
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::BadRequest("the channel file must be UTF-8 TOML".into()))?;
    state.runtime.put_channel_config(&name, text).await?;
    Ok(Json(json!({ "status": "deployed", "channel": name })).into_response())
}

/// `POST /api/channels/{name}/config/check`: validate a channel file without writing or
/// deploying it (`422` with `problems` when it would be refused).
pub async fn check_config(
    State(state): State<AppState>,
    Path(name): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    checked(&name)?;
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::BadRequest("the channel file must be UTF-8 TOML".into()))?;
    state.runtime.check_channel_config(&name, text).await?;
    Ok(Json(json!({ "status": "valid", "channel": name })).into_response())
}

/// `POST /api/channels/{name}/{action}`: deploy, undeploy, start, stop or pause.
pub async fn action(
    State(state): State<AppState>,
    Path((name, action)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    checked(&name)?;
    let runtime = &state.runtime;
    match action.as_str() {
        "deploy" => runtime.redeploy_from_file(&name).await?,
        "undeploy" => runtime.undeploy(&name).await?,
        "start" => runtime.start(&name).await?,
        "stop" => runtime.stop(&name).await?,
        "pause" => runtime.pause(&name).await?,
        other => {
            return Err(ApiError::NotFound(format!(
                "action '{other}' (use deploy, undeploy, start, stop or pause)"
            )));
        }
    }
    Ok(Json(json!({ "channel": name, "done": action })).into_response())
}

/// `GET /api/routes`: the routing rules in force.
pub async fn routes(State(state): State<AppState>) -> Response {
    Json(json!({ "routes": state.runtime.routes().as_ref() })).into_response()
}

/// The parsed view of a raw message: HL7 v2 segments and fields, X12 segments and elements,
/// or the JSON document.
pub fn parsed_view(raw: &[u8]) -> Value {
    let Ok(message) = Message::read(raw) else {
        return Value::Null;
    };
    match message.format() {
        Some(Format::Hl7v2) => message
            .hl7v2()
            .and_then(|message| serde_json::to_value(crate::hl7v2::tree::tree(&message)).ok())
            .unwrap_or(Value::Null),
        Some(Format::X12) => match crate::x12::Tokenizer::new(raw) {
            Ok(tokenizer) => Value::Array(
                tokenizer
                    .map_while(Result::ok)
                    .map(|segment| {
                        let elements: Vec<Value> = segment
                            .elements()
                            .map(|e| Value::String(e.text().into_owned()))
                            .collect();
                        json!({ "segment": segment.id(), "elements": elements })
                    })
                    .collect(),
            ),
            Err(_) => Value::Null,
        },
        Some(Format::Fhir) => message.json().cloned().unwrap_or(Value::Null),
        None => Value::Null,
    }
}

/// `POST /api/messages/{id}/reprocess`.
pub async fn reprocess(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let receipt = state.runtime.reprocess(id, &principal.name).await?;
    Ok(Json(json!({ "message_id": id, "result": format!("{receipt:?}") })).into_response())
}

/// Query string of the dead-letter list.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeadLetterParams {
    channel: Option<String>,
    limit: Option<i64>,
}

/// `GET /api/dead-letters`.
pub async fn dead_letters(
    State(state): State<AppState>,
    Query(params): Query<DeadLetterParams>,
) -> Result<Response, ApiError> {
    let letters = state
        .runtime
        .store()
        .dead_letters(params.channel.as_deref(), params.limit.unwrap_or(100))
        .await?;
    Ok(Json(json!({ "dead_letters": letters })).into_response())
}

/// `POST /api/dead-letters/{id}/replay`: back in its queue, due now.
pub async fn replay(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let delivery = state
        .runtime
        .store()
        .replay_delivery(id, &principal.name)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("dead or held delivery {id}")))?;
    state
        .runtime
        .wake(&delivery.channel, &delivery.destination)
        .await;
    Ok((StatusCode::ACCEPTED, Json(json!({ "replayed": delivery }))).into_response())
}

/// `GET /api/config/export`: config, channels and mappings as one `.tar.gz`.
pub async fn export(State(state): State<AppState>) -> Result<Response, ApiError> {
    let archive = crate::channel::deployment::archive::export(&state.root)
        .map_err(|err| ApiError::Internal(format!("cannot build the archive: {err}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/gzip"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"switchboard-config.tar.gz\"",
            ),
        ],
        archive,
    )
        .into_response())
}

/// `POST /api/config/import`: replace config, channels and mappings with an exported archive,
/// after validating the whole set; channels are redeployed as their files change.
pub async fn import(State(state): State<AppState>, body: Bytes) -> Result<Response, ApiError> {
    let written = crate::channel::deployment::archive::import(&state.root, &body).map_err(
        |err| match err {
            crate::channel::deployment::archive::ImportError::Invalid(errors) => {
                ApiError::InvalidConfig(errors)
            }
            crate::channel::deployment::archive::ImportError::Archive(reason) => {
                ApiError::BadRequest(reason)
            }
            crate::channel::deployment::archive::ImportError::Io(err) => {
                ApiError::Internal(err.to_string())
            }
        },
    )?;
    state.runtime.reload_changed().await;
    Ok(Json(json!({
        "imported": written,
        "note": "channel and routing changes are live; engine settings apply at the next start",
    }))
    .into_response())
}
