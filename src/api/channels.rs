//! Admin API for channels, routing, messages (reprocess), dead letters and the configuration
//! archive.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Extension, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};

use super::openapi::{ConfigProblem, ConfigRefusal, ErrorBody};
use super::{ApiError, AppState};
use crate::channel::config_sync::{self, ConfigChange};
use crate::channel::deployment::archive::ImportError;
use crate::channel::pipeline::TransformTrial;
use crate::channel::runtime::{ChannelStatus, RuntimeError};
use crate::channel::trial::{TransformView, TrialMessage};
use crate::config::{ConfigErrors, Problem};
use crate::message::{Format, Message};
use crate::store::deliveries::{Delivery, QueueDepth};
use crate::store::tokens::Principal;

impl From<RuntimeError> for ApiError {
    fn from(err: RuntimeError) -> Self {
        match err {
            RuntimeError::NoSuchChannel(name) => ApiError::NotFound(format!("channel '{name}'")),
            RuntimeError::NoChannelFile(file) => ApiError::NotFound(format!("channel file {file}")),
            err @ RuntimeError::NoTransform(_) => ApiError::Conflict(err.to_string()),
            RuntimeError::Invalid(errors) => ApiError::InvalidConfig(errors),
            RuntimeError::Store(err) => err.into(),
            RuntimeError::Write { path, source } => {
                ApiError::Internal(format!("cannot write {path}: {source}"))
            }
            RuntimeError::Import(ImportError::Invalid(errors)) => ApiError::InvalidConfig(errors),
            RuntimeError::Import(ImportError::Archive(reason)) => ApiError::BadRequest(reason),
            RuntimeError::Import(ImportError::Io(err)) => ApiError::Internal(err.to_string()),
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

/// The problems of a refused configuration, as the `422` body.
pub fn problems_json(errors: &ConfigErrors) -> ConfigRefusal {
    ConfigRefusal {
        error: "configuration refused".into(),
        problems: errors.0.iter().map(problem_json).collect(),
    }
}

fn problem_json(problem: &Problem) -> ConfigProblem {
    ConfigProblem {
        file: problem.file.display().to_string(),
        line: problem.line,
        field: problem.field.clone(),
        reason: problem.reason.clone(),
        text: problem.to_string(),
    }
}

/// The answer of `GET /api/channels`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChannelList {
    /// Every deployed channel.
    pub channels: Vec<ChannelView>,
}

/// A deployed channel with the depth of each destination's queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChannelView {
    /// The channel.
    #[serde(flatten)]
    pub status: ChannelStatus,
    /// Its destinations' queues.
    pub queues: Vec<QueueView>,
}

/// One destination's queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueView {
    /// Destination name.
    pub destination: String,
    /// Deliveries by status.
    pub depth: QueueDepth,
}

/// `GET /api/channels`: every deployed channel with state, counters and queue depths.
#[utoipa::path(
    get,
    path = "/channels",
    tag = "channels",
    responses((status = 200, description = "Every deployed channel", body = ChannelList))
)]
pub async fn list(State(state): State<AppState>) -> Result<Json<ChannelList>, ApiError> {
    let depths = state.runtime.store().queue_depths().await?;
    let channels = state
        .runtime
        .list()
        .await
        .into_iter()
        .map(|status| {
            let queues = depths
                .iter()
                .filter(|(channel, _, _)| *channel == status.name)
                .map(|(_, destination, depth)| QueueView {
                    destination: destination.clone(),
                    depth: depth.clone(),
                })
                .collect();
            ChannelView { status, queues }
        })
        .collect();
    Ok(Json(ChannelList { channels }))
}

/// The answer of `GET /api/channels/{name}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChannelDetail {
    /// The channel.
    pub channel: ChannelStatus,
    /// Its file's text (TOML).
    pub config: String,
}

/// `GET /api/channels/{name}`: one channel and its file's text.
#[utoipa::path(
    get,
    path = "/channels/{name}",
    tag = "channels",
    params(("name" = String, Path, description = "Channel name")),
    responses(
        (status = 200, description = "The channel and its file", body = ChannelDetail),
        (status = 404, description = "No such channel", body = ErrorBody),
    )
)]
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
    Ok(Json(ChannelDetail {
        channel: status,
        config,
    })
    .into_response())
}

/// `GET /api/channels/{name}/config`: the channel file as TOML.
#[utoipa::path(
    get,
    path = "/channels/{name}/config",
    tag = "channels",
    params(("name" = String, Path, description = "Channel name")),
    responses(
        (status = 200, description = "The channel file", content_type = "application/toml", body = String),
        (status = 404, description = "No such channel", body = ErrorBody),
    )
)]
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

/// What a configuration change did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConfigDone {
    /// `deployed` or `valid`.
    pub status: String,
    /// The channel.
    pub channel: String,
}

/// `PUT /api/channels/{name}/config`: validate, write back to the file, redeploy this channel
/// (on every node of the store).
#[utoipa::path(
    put,
    path = "/channels/{name}/config",
    tag = "channels",
    params(("name" = String, Path, description = "Channel name")),
    request_body(content = String, content_type = "application/toml", description = "The channel file"),
    responses(
        (status = 200, description = "Written and deployed", body = ConfigDone),
        (status = 404, description = "Not a valid channel name", body = ErrorBody),
        (status = 422, description = "Refused: problems with file, line, field and reason", body = ConfigRefusal),
    )
)]
pub async fn put_config(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(name): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    checked(&name)?;
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::BadRequest("the channel file must be UTF-8 TOML".into()))?;
    let change = ConfigChange::Channel {
        channel: name.clone(),
        text: text.to_string(),
    };
    config_sync::change(&state.runtime, change, &principal.name).await?;
    Ok(Json(ConfigDone {
        status: "deployed".into(),
        channel: name,
    })
    .into_response())
}

/// `POST /api/channels/{name}/config/check`: validate a channel file without writing or
/// deploying it (`422` with `problems` when it would be refused).
#[utoipa::path(
    post,
    path = "/channels/{name}/config/check",
    tag = "channels",
    params(("name" = String, Path, description = "Channel name")),
    request_body(content = String, content_type = "application/toml", description = "The channel file"),
    responses(
        (status = 200, description = "The file would be accepted", body = ConfigDone),
        (status = 404, description = "Not a valid channel name", body = ErrorBody),
        (status = 422, description = "It would be refused: problems with file, line, field and reason", body = ConfigRefusal),
    )
)]
pub async fn check_config(
    State(state): State<AppState>,
    Path(name): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    checked(&name)?;
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::BadRequest("the channel file must be UTF-8 TOML".into()))?;
    state.runtime.check_channel_config(&name, text).await?;
    Ok(Json(ConfigDone {
        status: "valid".into(),
        channel: name,
    })
    .into_response())
}

/// What a channel action did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionDone {
    /// The channel.
    pub channel: String,
    /// The action done.
    pub done: String,
}

/// `POST /api/channels/{name}/{action}`: deploy, undeploy, start, stop or pause (on every
/// node of the store).
#[utoipa::path(
    post,
    path = "/channels/{name}/{action}",
    tag = "channels",
    params(
        ("name" = String, Path, description = "Channel name"),
        ("action" = String, Path, description = "What to do", example = "start",
            pattern = "^(deploy|undeploy|start|stop|pause)$"),
    ),
    responses(
        (status = 200, description = "Done", body = ActionDone),
        (status = 404, description = "No such channel, channel file or action", body = ErrorBody),
        (status = 422, description = "Deploy refused: the file has problems", body = ConfigRefusal),
    )
)]
pub async fn action(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path((name, action)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    checked(&name)?;
    let runtime = &state.runtime;
    let channel = name.clone();
    let change = match action.as_str() {
        "deploy" => ConfigChange::Channel {
            text: runtime.channel_file_text(&name).await?,
            channel,
        },
        "undeploy" => ConfigChange::Undeploy { channel },
        "start" => ConfigChange::Start { channel },
        "stop" => ConfigChange::Stop { channel },
        "pause" => ConfigChange::Pause { channel },
        other => {
            return Err(ApiError::NotFound(format!(
                "action '{other}' (use deploy, undeploy, start, stop or pause)"
            )));
        }
    };
    config_sync::change(runtime, change, &principal.name).await?;
    Ok(Json(ActionDone {
        channel: name,
        done: action,
    })
    .into_response())
}

/// `GET /api/channels/{name}/transform`: the channel's `[transform]` and the text of the edit
/// list, script or mapping it names.
#[utoipa::path(
    get,
    path = "/channels/{name}/transform",
    tag = "channels",
    params(("name" = String, Path, description = "Channel name")),
    responses(
        (status = 200, description = "The channel's transform", body = TransformView),
        (status = 404, description = "No such channel", body = ErrorBody),
    )
)]
pub async fn get_transform(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Json<TransformView>, ApiError> {
    checked(&name)?;
    Ok(Json(state.runtime.transform_view(&name).await?))
}

/// The body of `POST /api/channels/{name}/transform/test`: the message to try the transform on,
/// a stored one or content given as text.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum TransformTest {
    /// A stored message.
    Stored(StoredTrial),
    /// Content given as text.
    Given(GivenTrial),
}

/// Try the transform on a stored message.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StoredTrial {
    /// The stored message's id.
    #[serde(deserialize_with = "super::revenue::whole_number")]
    #[schema(minimum = 1)]
    pub message_id: i64,
    /// The edit list's TOML or the script, edited, to try instead of the saved one.
    #[serde(default)]
    pub transform: Option<String>,
}

/// Try the transform on content given as text.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GivenTrial {
    /// The message's content.
    pub message: String,
    /// The edit list's TOML or the script, edited, to try instead of the saved one.
    #[serde(default)]
    pub transform: Option<String>,
}

/// `POST /api/channels/{name}/transform/test`: run the channel's transform on a stored or given
/// message without storing or sending anything.
#[utoipa::path(
    post,
    path = "/channels/{name}/transform/test",
    tag = "channels",
    params(("name" = String, Path, description = "Channel name")),
    request_body(content = TransformTest, content_type = "application/json", description = "A stored message's id or a message's content; `transform` optional"),
    responses(
        (status = 200, description = "What the transform made of the message, or why it failed", body = TransformTrial),
        (status = 400, description = "Not such a JSON body", body = ErrorBody),
        (status = 404, description = "No such channel or message", body = ErrorBody),
        (status = 409, description = "The channel has no transform", body = ErrorBody),
        (status = 422, description = "The edited transform is refused: problems with file, line, field and reason", body = ConfigRefusal),
    )
)]
pub async fn test_transform(
    State(state): State<AppState>,
    Path(name): Path<String>,
    body: Result<Json<TransformTest>, JsonRejection>,
) -> Result<Json<TransformTrial>, ApiError> {
    checked(&name)?;
    let Json(test) = body.map_err(|_| {
        ApiError::BadRequest(
            "give a JSON object with message_id (a stored message, 1 or more) or message (its content), and optionally transform".into(),
        )
    })?;
    let (message, text) = match test {
        TransformTest::Stored(StoredTrial {
            message_id,
            transform,
        }) if message_id >= 1 => (TrialMessage::Stored(message_id), transform),
        TransformTest::Stored(_) => {
            return Err(ApiError::BadRequest("message_id must be 1 or more".into()));
        }
        TransformTest::Given(GivenTrial { message, transform }) => {
            (TrialMessage::Raw(message.into_bytes()), transform)
        }
    };
    let trial = state
        .runtime
        .try_transform(&name, message, text.as_deref())
        .await?;
    Ok(Json(trial))
}

/// The answer of `GET /api/routes`.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoutesView {
    /// `config/routes.toml` as JSON: `rule_set`, each with its channels and rules.
    #[schema(value_type = Object)]
    pub routes: std::sync::Arc<crate::config::routes::RoutesConfig>,
}

/// `GET /api/routes`: the routing rules in force.
#[utoipa::path(
    get,
    path = "/routes",
    tag = "channels",
    responses((status = 200, description = "The routing rules", body = RoutesView))
)]
pub async fn routes(State(state): State<AppState>) -> Json<RoutesView> {
    Json(RoutesView {
        routes: state.runtime.routes(),
    })
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

/// What a reprocess did.
#[derive(Debug, Serialize, ToSchema)]
pub struct Reprocessed {
    /// The message.
    pub message_id: i64,
    /// How the channel took it again.
    pub result: String,
}

/// `POST /api/messages/{id}/reprocess`: the stored message through its channel again.
#[utoipa::path(
    post,
    path = "/messages/{id}/reprocess",
    tag = "messages",
    params(("id" = i64, Path, description = "Message id", minimum = 1)),
    responses(
        (status = 200, description = "Processed again", body = Reprocessed),
        (status = 404, description = "No such message, or its channel is gone", body = ErrorBody),
    )
)]
pub async fn reprocess(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let receipt = state.runtime.reprocess(id, &principal.name).await?;
    Ok(Json(Reprocessed {
        message_id: id,
        result: format!("{receipt:?}"),
    })
    .into_response())
}

/// Query string of the dead-letter list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeadLetterParams {
    /// Only this channel's.
    channel: Option<String>,
    /// At most this many (100 when absent; larger values are lowered to 1000).
    limit: Option<i64>,
}

/// The answer of `GET /api/dead-letters`.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeadLetters {
    /// Dead and held deliveries, newest first.
    pub dead_letters: Vec<Delivery>,
}

/// `GET /api/dead-letters`: deliveries given up on or held for an operator.
#[utoipa::path(
    get,
    path = "/dead-letters",
    tag = "messages",
    params(DeadLetterParams),
    responses((status = 200, description = "The dead letters", body = DeadLetters))
)]
pub async fn dead_letters(
    State(state): State<AppState>,
    Query(params): Query<DeadLetterParams>,
) -> Result<Response, ApiError> {
    let letters = state
        .runtime
        .store()
        .dead_letters(params.channel.as_deref(), params.limit.unwrap_or(100))
        .await?;
    Ok(Json(DeadLetters {
        dead_letters: letters,
    })
    .into_response())
}

/// The answer of a replay.
#[derive(Debug, Serialize, ToSchema)]
pub struct Replayed {
    /// The delivery, as it was before it went back in its queue.
    pub replayed: Delivery,
}

/// `POST /api/dead-letters/{id}/replay`: back in its queue, due now.
#[utoipa::path(
    post,
    path = "/dead-letters/{id}/replay",
    tag = "messages",
    params(("id" = i64, Path, description = "Delivery id", minimum = 1)),
    responses(
        (status = 202, description = "Back in its queue", body = Replayed),
        (status = 404, description = "No dead or held delivery with this id", body = ErrorBody),
    )
)]
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
    Ok((StatusCode::ACCEPTED, Json(Replayed { replayed: delivery })).into_response())
}

/// `GET /api/config/export`: config, channels and mappings as one `.tar.gz`.
#[utoipa::path(
    get,
    path = "/config/export",
    tag = "config",
    responses((status = 200, description = "The archive", content_type = "application/gzip", body = Vec<u8>))
)]
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

/// What an import wrote.
#[derive(Debug, Serialize, ToSchema)]
pub struct Imported {
    /// The files written, relative to the deployment root.
    pub imported: Vec<String>,
    /// When the changes apply.
    pub note: String,
}

/// `POST /api/config/import`: replace config, channels and mappings with an exported archive,
/// after validating the whole set; channels are redeployed as their files change (on every
/// node of the store).
#[utoipa::path(
    post,
    path = "/config/import",
    tag = "config",
    request_body(content = Vec<u8>, content_type = "application/gzip", description = "An archive from `GET /api/config/export`"),
    responses(
        (status = 200, description = "Imported", body = Imported),
        (status = 422, description = "Refused: problems with file, line, field and reason", body = ConfigRefusal),
    )
)]
pub async fn import(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let imported = crate::channel::deployment::archive::check(&state.root, &body)
        .map_err(RuntimeError::from)?;
    config_sync::change(&state.runtime, ConfigChange::import(&body), &principal.name).await?;
    Ok(Json(Imported {
        imported,
        note: "channel and routing changes are live; engine settings apply at the next start"
            .into(),
    })
    .into_response())
}
