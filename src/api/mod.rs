//! The HTTP API: `/health`, `/metrics`, and the authenticated admin API under `/api`.

pub mod auth;
pub mod channels;
pub mod claims;
pub mod console;
pub mod eligibility;
pub mod error;
pub mod fhir;
pub mod fhir_export;
pub mod inquiries;
pub mod monitor;
pub mod openapi;
pub mod prior_auth;
pub mod revenue;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{DefaultBodyLimit, MatchedPath, Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::channel::Runtime;
use crate::metrics::{Histograms, Kind, Metrics, Sampled};
use crate::store::Store;
use crate::store::audit::AuditEntry;
use crate::store::canonical::{PatientQuery, PatientRecord, StoredPatient};
use crate::store::deliveries::Delivery;
use crate::store::jobs::JobRun;
use crate::store::messages::{MessageEvent, MessageQuery, MessageStatus, MessageSummary};
use crate::store::tokens::{Principal, Role, TokenInfo};
pub use error::ApiError;
use openapi::{AUTHENTICATED, ErrorBody, ErrorKind, ROLE_CHECKED, add_layer_answers};

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The store.
    pub store: Store,
    /// The running channels.
    pub runtime: Runtime,
    /// The deployment root.
    pub root: PathBuf,
    /// In-memory counters.
    pub metrics: Arc<Metrics>,
    /// When the engine started.
    pub started: Instant,
    /// Billing provider and submitter, for claims.
    pub billing: Option<Arc<crate::config::engine::BillingConfig>>,
    /// The payers.
    pub payers: Arc<std::sync::RwLock<Vec<crate::config::payer::PayerConfig>>>,
    /// The store's health and row counts, kept current in the background.
    pub monitor: Arc<monitor::StoreMonitor>,
    /// Single-resource FHIR writes, grouped into shared commits.
    pub fhir_writer: crate::fhir::writer::GroupWriter,
    /// Group commit for the audit entries of API requests.
    pub audit: crate::store::audit::AuditWriter,
    /// Bulk export jobs, with their files under the data directory's `exports`.
    pub exports: crate::fhir::export::Exports,
}

impl AppState {
    /// State over a runtime (and its store) for the deployment `root`, with fresh metrics.
    pub fn new(runtime: Runtime, root: PathBuf) -> Self {
        let store = runtime.store().clone();
        AppState {
            monitor: Arc::new(monitor::StoreMonitor::new(store.clone())),
            fhir_writer: crate::fhir::writer::GroupWriter::start(store.clone()),
            audit: crate::store::audit::AuditWriter::start(store.clone()),
            exports: crate::fhir::export::Exports::new(
                store.clone(),
                runtime.data_dir().join("exports"),
            ),
            store,
            runtime,
            root,
            metrics: Arc::new(Metrics::default()),
            started: Instant::now(),
            billing: None,
            payers: Arc::new(std::sync::RwLock::new(Vec::new())),
        }
    }

    /// The same state, able to submit claims for these payers.
    pub fn with_claims(
        mut self,
        billing: Option<crate::config::engine::BillingConfig>,
        payers: Vec<crate::config::payer::PayerConfig>,
    ) -> Self {
        self.billing = billing.map(Arc::new);
        self.payers = Arc::new(std::sync::RwLock::new(payers));
        self
    }
}

/// The whole HTTP application; `max_body_bytes` bounds every request body.
pub fn router(state: AppState, max_body_bytes: usize) -> Router {
    let (router, document) = routes_and_document(state.clone());
    router
        .merge(console::router())
        .layer(Extension(openapi::Document::new(&document)))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            count_requests,
        ))
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .with_state(state)
}

/// The routes of the admin API, FHIR and monitoring, and their OpenAPI document.
fn routes_and_document(state: AppState) -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let viewer = OpenApiRouter::new()
        .routes(routes!(openapi::serve))
        .routes(routes!(whoami))
        .routes(routes!(channels::list))
        .routes(routes!(channels::get))
        .routes(routes!(channels::get_config))
        .routes(routes!(channels::get_transform))
        .routes(routes!(channels::routes))
        .routes(routes!(search_messages))
        .routes(routes!(get_message))
        .routes(routes!(channels::dead_letters))
        .routes(routes!(job_runs))
        .routes(routes!(list_nodes))
        .routes(routes!(claims::list))
        .routes(routes!(claims::get))
        .routes(routes!(claims::remittances))
        .routes(routes!(revenue::remittance))
        .routes(routes!(revenue::denials))
        .routes(routes!(revenue::unmatched))
        .routes(routes!(revenue::bill_ledger))
        .routes(routes!(revenue::list_reports))
        .routes(routes!(revenue::report))
        .routes(routes!(claims::payers))
        .routes(routes!(eligibility::list))
        .routes(routes!(claims::statuses))
        .routes(routes!(prior_auth::list))
        .routes(routes!(prior_auth::get))
        .routes(routes!(eligibility::get))
        .routes(routes!(search_patients))
        .routes(routes!(get_patient))
        .route_layer(middleware::from_fn(|r, n| {
            auth::require(Role::Viewer, r, n)
        }));
    let mut operator = OpenApiRouter::new()
        .routes(routes!(channels::action))
        .routes(routes!(channels::reprocess))
        .routes(routes!(channels::replay))
        .routes(routes!(channels::test_transform))
        .routes(routes!(claims::submit))
        .routes(routes!(claims::correct))
        .routes(routes!(eligibility::check))
        .routes(routes!(claims::ask_status))
        .routes(routes!(prior_auth::ask))
        .routes(routes!(revenue::match_by_hand))
        .route_layer(middleware::from_fn(|r, n| {
            auth::require(Role::Operator, r, n)
        }));
    let mut admin = OpenApiRouter::new()
        .routes(routes!(channels::put_config))
        .routes(routes!(channels::check_config))
        .routes(routes!(channels::export))
        .routes(routes!(claims::put_payer))
        .routes(routes!(channels::import))
        .routes(routes!(audit_log))
        .routes(routes!(list_tokens))
        .route_layer(middleware::from_fn(|r, n| auth::require(Role::Admin, r, n)));
    add_layer_answers(operator.get_openapi_mut(), ErrorKind::Api, ROLE_CHECKED);
    add_layer_answers(admin.get_openapi_mut(), ErrorKind::Api, ROLE_CHECKED);
    let mut api = viewer
        .merge(operator)
        .merge(admin)
        .fallback(|| async { ApiError::NotFound("API route".into()) })
        .layer(middleware::from_fn(error::errors_as_json))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            monitor::unless_store_down,
        ));
    add_layer_answers(api.get_openapi_mut(), ErrorKind::Api, AUTHENTICATED);
    let (router, mut document) =
        OpenApiRouter::with_openapi(<openapi::Frame as utoipa::OpenApi>::openapi())
            .routes(routes!(health))
            .routes(routes!(metrics))
            .nest("/api", api)
            .merge(fhir::router(state))
            .split_for_parts();
    openapi::fhir_paths_per_type(&mut document);
    (router, document)
}

/// Counts every answered request by method, matched route and status.
async fn count_requests(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let response = next.run(request).await;
    state
        .metrics
        .count_request(&method, &route, response.status().as_u16());
    response
}

/// The answer of `GET /health`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`, or `degraded` when the store is unreachable.
    pub status: &'static str,
    /// The engine's version.
    pub version: &'static str,
    /// The store.
    pub store: StoreHealth,
}

/// The store's part of `GET /health`.
#[derive(Debug, Serialize, ToSchema)]
pub struct StoreHealth {
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
    /// Whether it answered its latest check.
    pub reachable: bool,
    /// Why not, when it did not.
    pub error: Option<String>,
}

/// The store's health as last checked (in the background, every second): 200 when it is
/// reachable, 503 when it is not.
#[utoipa::path(
    get,
    path = "/health",
    tag = "meta",
    security(()),
    responses(
        (status = 200, description = "The store is reachable", body = Health),
        (status = 503, description = "The store is unreachable", body = Health),
    )
)]
async fn health(State(state): State<AppState>) -> Response {
    let store = state.monitor.health().await;
    let body = Health {
        status: if store.reachable { "ok" } else { "degraded" },
        version: env!("CARGO_PKG_VERSION"),
        store: StoreHealth {
            backend: state.store.backend().name(),
            reachable: store.reachable,
            error: store.error,
        },
    };
    let status = if store.reachable {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}

/// Prometheus text from what the engine has in memory; the store's row counts are the latest
/// taken in the background, so a scrape never waits for the database.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "meta",
    security(()),
    responses((status = 200, description = "Prometheus metrics, OpenMetrics text format", content_type = "application/openmetrics-text", body = String))
)]
async fn metrics(State(state): State<AppState>) -> Response {
    let counts = state.monitor.counts();
    let counts_age = counts.at.map_or(-1, |at| {
        i64::try_from(at.elapsed().as_secs()).unwrap_or(i64::MAX)
    });
    let reachable = state.monitor.health().await.reachable;
    let messages = counts
        .messages
        .into_iter()
        .map(|(channel, status, n)| (vec![("channel", channel), ("status", status)], n))
        .collect();
    let uptime = i64::try_from(state.started.elapsed().as_secs()).unwrap_or(i64::MAX);
    let channels = state.runtime.list().await;
    let events = channels
        .iter()
        .flat_map(|channel| {
            channel.counters.totals.iter().map(|(event, n)| {
                (
                    vec![
                        ("channel", channel.name.clone()),
                        ("event", event.to_string()),
                    ],
                    i64::try_from(*n).unwrap_or(i64::MAX),
                )
            })
        })
        .collect();
    let up = channels
        .iter()
        .map(|channel| {
            let started = channel.state == crate::channel::runtime::ChannelState::Started
                && channel.source_error.is_none();
            (vec![("channel", channel.name.clone())], i64::from(started))
        })
        .collect();
    let queued = counts
        .queues
        .into_iter()
        .flat_map(|(channel, destination, depth)| {
            [
                ("pending", depth.pending),
                ("held", depth.held),
                ("dead", depth.dead),
            ]
            .into_iter()
            .map(move |(status, n)| {
                (
                    vec![
                        ("channel", channel.clone()),
                        ("destination", destination.clone()),
                        ("status", status.to_string()),
                    ],
                    n,
                )
            })
        })
        .collect();
    let listeners = crate::net::listener_stats();
    let histograms = latency_histograms(&state.runtime, &channels);
    let sampled = vec![
        Sampled {
            kind: Kind::Counter,
            name: "switchboard_channel_events_total",
            help: "Channel events since the engine started: received, filtered, duplicate, errored, sent, retried, dead_lettered.",
            samples: events,
        },
        Sampled {
            kind: Kind::Gauge,
            name: "switchboard_channel_up",
            help: "1 when the channel's source is running.",
            samples: up,
        },
        Sampled {
            kind: Kind::Gauge,
            name: "switchboard_queue_depth",
            help: "Deliveries waiting per destination, by status (pending, held, dead).",
            samples: queued,
        },
        Sampled {
            kind: Kind::Gauge,
            name: "switchboard_build_info",
            help: "Always 1; the version label says which build runs.",
            samples: vec![(vec![("version", env!("CARGO_PKG_VERSION").to_string())], 1)],
        },
        Sampled {
            kind: Kind::Gauge,
            name: "switchboard_uptime_seconds",
            help: "Seconds since the engine started.",
            samples: vec![(vec![], uptime)],
        },
        Sampled {
            kind: Kind::Gauge,
            name: "switchboard_messages",
            help: "Messages in the store, by channel and status, as of switchboard_store_counts_age_seconds ago.",
            samples: messages,
        },
        Sampled {
            kind: Kind::Gauge,
            name: "switchboard_store_counts_age_seconds",
            help: "Age of the store's row counts (messages, queue depths); -1 before the first count.",
            samples: vec![(vec![], counts_age)],
        },
        Sampled {
            kind: Kind::Gauge,
            name: "switchboard_store_up",
            help: "1 when the store answered its latest health check.",
            samples: vec![(vec![], i64::from(reachable))],
        },
        Sampled {
            kind: Kind::Gauge,
            name: "switchboard_connections_open",
            help: "Connections open per listener (http is the API; others are channels).",
            samples: listeners
                .iter()
                .map(|l| (vec![("listener", l.name.clone())], count(l.open)))
                .collect(),
        },
        Sampled {
            kind: Kind::Counter,
            name: "switchboard_connections_refused_total",
            help: "Connections refused at a limit, per listener and limit (per_client, listener, engine).",
            samples: per_listener(&listeners, "limit", |l| &l.refused),
        },
        Sampled {
            kind: Kind::Counter,
            name: "switchboard_connections_timed_out_total",
            help: "HTTP connections closed by a timeout, per listener and timeout (header, idle, answer).",
            samples: per_listener(&listeners, "timeout", |l| &l.timed_out),
        },
        Sampled {
            kind: Kind::Counter,
            name: "switchboard_tls_handshakes_failed_total",
            help: "TLS handshakes that failed per listener (plain TCP, no or a bad client certificate, too slow).",
            samples: listeners
                .iter()
                .map(|l| {
                    (
                        vec![("listener", l.name.clone())],
                        count(l.handshakes_failed),
                    )
                })
                .collect(),
        },
        Sampled {
            kind: Kind::Gauge,
            name: "switchboard_tls_certificate_expiry_seconds",
            help: "End of validity (Unix time) of each certificate a listener serves now.",
            samples: crate::net::tls::certificate_expiries()
                .into_iter()
                .map(|c| {
                    (
                        vec![("listener", c.listener), ("path", c.path)],
                        c.not_after,
                    )
                })
                .collect(),
        },
    ];
    (
        [(header::CONTENT_TYPE, crate::metrics::CONTENT_TYPE)],
        state.metrics.render(sampled, histograms),
    )
        .into_response()
}

/// The ACK latency of every channel and the delivery latency of every destination.
fn latency_histograms(
    runtime: &Runtime,
    deployed: &[crate::channel::runtime::ChannelStatus],
) -> Vec<Histograms> {
    let answers = |name: &str| {
        deployed
            .iter()
            .any(|c| c.name == name && matches!(c.source, "mllp" | "http"))
    };
    let counters = runtime.channel_counters();
    let ack = counters
        .iter()
        .filter(|(channel, _)| answers(channel))
        .map(|(channel, counters)| (vec![("channel", channel.clone())], counters.ack_latency()))
        .collect();
    let delivery = counters
        .iter()
        .flat_map(|(channel, counters)| {
            counters
                .delivery_latencies()
                .into_iter()
                .map(move |(destination, histogram)| {
                    (
                        vec![("channel", channel.clone()), ("destination", destination)],
                        histogram,
                    )
                })
        })
        .collect();
    vec![
        Histograms {
            name: "switchboard_ack_latency_seconds",
            help: "Seconds from receiving a message to sending its answer (ACK, HTTP response), per channel with an MLLP or HTTP source.",
            samples: ack,
        },
        Histograms {
            name: "switchboard_delivery_latency_seconds",
            help: "Seconds from queueing a delivery to sending it, per channel and destination.",
            samples: delivery,
        },
    ]
}

fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// One sample per listener and `label` value of the counts `pick` chooses.
fn per_listener(
    listeners: &[crate::net::ListenerStats],
    label: &'static str,
    pick: fn(&crate::net::ListenerStats) -> &Vec<(&'static str, u64)>,
) -> Vec<(crate::metrics::Labels, i64)> {
    listeners
        .iter()
        .flat_map(|l| {
            pick(l).iter().map(|(value, n)| {
                (
                    vec![("listener", l.name.clone()), (label, value.to_string())],
                    count(*n),
                )
            })
        })
        .collect()
}

/// `GET /api/whoami`: the token's name and role.
#[utoipa::path(
    get,
    path = "/whoami",
    tag = "meta",
    responses((status = 200, description = "Who the token is", body = Principal))
)]
async fn whoami(Extension(principal): Extension<Principal>) -> Json<Principal> {
    Json(principal)
}

/// Query string of `GET /api/messages`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct MessageParams {
    /// Only this channel's.
    channel: Option<String>,
    /// `received`, `processed`, `filtered` or `error`.
    #[param(pattern = "^(received|processed|filtered|error)$")]
    status: Option<String>,
    /// Received at or after (Unix ms).
    since: Option<i64>,
    /// Received before (Unix ms).
    until: Option<i64>,
    /// Exact control id (MSH-10, ISA13, Bundle id).
    control_id: Option<String>,
    /// Exact kind: HL7 v2 MSH-9 (`ADT^A08`), X12 ST01 (`835`), FHIR resourceType (`Patient`).
    message_type: Option<String>,
    /// Exact sender: HL7 v2 MSH-3^MSH-4 (`EHR^HOSP`), X12 ISA06.
    sender: Option<String>,
    /// Text that occurs in the raw message.
    text: Option<String>,
    /// Only ids below this one (the next page).
    before: Option<i64>,
    /// At most this many (100 when absent; larger values are lowered to 1000).
    limit: Option<i64>,
}

/// The answer of `GET /api/messages`.
#[derive(Debug, Serialize, ToSchema)]
struct MessageList {
    /// The messages, newest first.
    messages: Vec<MessageSummary>,
}

/// `GET /api/messages`: stored messages, newest first.
#[utoipa::path(
    get,
    path = "/messages",
    tag = "messages",
    params(MessageParams),
    responses((status = 200, description = "The messages", body = MessageList))
)]
async fn search_messages(
    State(state): State<AppState>,
    Query(params): Query<MessageParams>,
) -> Result<Response, ApiError> {
    let status = params
        .status
        .as_deref()
        .map(|s| {
            MessageStatus::parse(s).ok_or_else(|| {
                ApiError::BadRequest(format!(
                    "status '{s}' is not one of received, processed, filtered, error"
                ))
            })
        })
        .transpose()?;
    let query = MessageQuery {
        channel: params.channel,
        status,
        since: params.since,
        until: params.until,
        control_id: params.control_id,
        message_type: params.message_type,
        sender: params.sender,
        text: params.text,
        before_id: params.before,
        limit: params.limit.unwrap_or(100),
    };
    let messages = state.store.search_messages(&query).await?;
    Ok(Json(MessageList { messages }).into_response())
}

/// The answer of `GET /api/messages/{id}`.
#[derive(Debug, Serialize, ToSchema)]
struct MessageDetail {
    /// The message.
    message: MessageSummary,
    /// Its bytes as text (invalid UTF-8 replaced).
    raw: String,
    /// Its parsed view: HL7 v2 segments and fields, X12 segments and elements, or the JSON
    /// document; `null` when it cannot be read.
    #[schema(value_type = Object, nullable)]
    parsed: serde_json::Value,
    /// The canonical records its channel's mapping made of it; `null` when none.
    #[schema(value_type = Object, nullable)]
    canonical: serde_json::Value,
    /// Its deliveries.
    deliveries: Vec<Delivery>,
    /// Its history.
    events: Vec<MessageEvent>,
    /// The FHIR resources (versions) the store kept from it: its clinical content.
    resources: Vec<MadeResource>,
}

/// A version of a FHIR resource a message made.
#[derive(Debug, Serialize, ToSchema)]
struct MadeResource {
    /// `Type/id`.
    reference: String,
    /// The version it made.
    version: i64,
    /// The resource as that version holds it.
    #[schema(value_type = Object)]
    resource: serde_json::Value,
}

/// `GET /api/messages/{id}`: one message with its raw bytes, parsed view, canonical records,
/// deliveries and history.
#[utoipa::path(
    get,
    path = "/messages/{id}",
    tag = "messages",
    params(("id" = i64, Path, description = "Message id", minimum = 1)),
    responses(
        (status = 200, description = "The message", body = MessageDetail),
        (status = 404, description = "No such message", body = ErrorBody),
    )
)]
async fn get_message(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let summary = state
        .store
        .message(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("message {id}")))?;
    let raw = state.store.message_raw(id).await?.unwrap_or_default();
    let events = state.store.message_events(id).await?;
    let deliveries = state.store.message_deliveries(id).await?;
    // What the channel's mapping made of it: the payload of its store deliveries.
    let mut canonical = serde_json::Value::Null;
    if let Some(first) = deliveries.first() {
        let (payload, _, _) = state.store.delivery_payload(first.id).await?;
        if let Ok(records) = serde_json::from_slice::<crate::mapping::Records>(&payload) {
            canonical = serde_json::to_value(records).unwrap_or_default();
        }
    }
    let resources = {
        let mut conn = state
            .store
            .pool()
            .acquire()
            .await
            .map_err(crate::store::StoreError::from)?;
        crate::fhir::versioned::made_by_message(&mut *conn, id)
            .await
            .map_err(|err| ApiError::Internal(err.to_string()))?
    };
    Ok(Json(MessageDetail {
        message: summary,
        raw: String::from_utf8_lossy(&raw).into_owned(),
        parsed: channels::parsed_view(&raw),
        canonical,
        deliveries,
        events,
        resources: resources
            .into_iter()
            .map(|made| MadeResource {
                reference: made.location(),
                version: made.version,
                resource: made.resource.unwrap_or_default(),
            })
            .collect(),
    })
    .into_response())
}

/// Query string of `GET /api/patients`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct PatientParams {
    /// Family name prefix, any case.
    family: Option<String>,
    /// An identifier's value.
    identifier: Option<String>,
    /// Date of birth, `YYYY-MM-DD`.
    birthdate: Option<String>,
    /// At most this many (50 when absent; larger values are lowered to 1000).
    limit: Option<i64>,
}

/// The answer of `GET /api/patients`.
#[derive(Debug, Serialize, ToSchema)]
struct PatientList {
    /// The patients found: id, revision and the canonical patient's fields.
    #[schema(value_type = Vec<Object>)]
    patients: Vec<StoredPatient>,
}

/// `GET /api/patients`: canonical patients by name, identifier or birth date.
#[utoipa::path(
    get,
    path = "/patients",
    tag = "records",
    params(PatientParams),
    responses((status = 200, description = "The patients", body = PatientList))
)]
async fn search_patients(
    State(state): State<AppState>,
    Query(params): Query<PatientParams>,
) -> Result<Response, ApiError> {
    let patients = state
        .store
        .search_patients(&PatientQuery {
            family_name: params.family,
            identifier: params.identifier,
            birth_date: params.birthdate,
            limit: params.limit.unwrap_or(50),
        })
        .await?;
    Ok(Json(PatientList { patients }).into_response())
}

/// `GET /api/patients/{id}`: one patient with visits, coverages and bills.
#[utoipa::path(
    get,
    path = "/patients/{id}",
    tag = "records",
    params(("id" = i64, Path, description = "Patient id", minimum = 1)),
    responses(
        (status = 200, description = "The patient's record: the canonical patient's fields, `encounters`, `coverages` and `bills`", body = Object),
        (status = 404, description = "No such patient", body = ErrorBody),
    )
)]
async fn get_patient(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<PatientRecord>, ApiError> {
    let record = state
        .store
        .patient_record(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("patient {id}")))?;
    Ok(Json(record))
}

/// Query string of `GET /api/audit`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct AuditParams {
    /// Only requests whose path starts so.
    resource: Option<String>,
    /// At most this many (100 when absent; larger values are lowered to 1000).
    limit: Option<i64>,
}

/// The answer of `GET /api/audit`.
#[derive(Debug, Serialize, ToSchema)]
struct AuditLog {
    /// Who did what, newest first.
    entries: Vec<AuditEntry>,
}

/// `GET /api/audit`: every API request, who made it and how it was answered.
#[utoipa::path(
    get,
    path = "/audit",
    tag = "meta",
    params(AuditParams),
    responses((status = 200, description = "The audit log", body = AuditLog))
)]
async fn audit_log(
    State(state): State<AppState>,
    Query(params): Query<AuditParams>,
) -> Result<Json<AuditLog>, ApiError> {
    let entries = state
        .store
        .audit_entries(params.resource.as_deref(), params.limit.unwrap_or(100))
        .await?;
    Ok(Json(AuditLog { entries }))
}

/// Query string of `GET /api/jobs`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct JobParams {
    /// Only this job's runs.
    job: Option<String>,
    /// At most this many (100 when absent; larger values are lowered to 1000).
    limit: Option<i64>,
}

/// The answer of `GET /api/jobs`.
#[derive(Debug, Serialize, ToSchema)]
struct JobRuns {
    /// Runs, newest first.
    runs: Vec<JobRun>,
}

/// `GET /api/jobs`: runs of the scheduled jobs.
#[utoipa::path(
    get,
    path = "/jobs",
    tag = "meta",
    params(JobParams),
    responses((status = 200, description = "The runs", body = JobRuns))
)]
async fn job_runs(
    State(state): State<AppState>,
    Query(params): Query<JobParams>,
) -> Result<Json<JobRuns>, ApiError> {
    let runs = state
        .store
        .job_runs(params.job.as_deref(), params.limit.unwrap_or(100))
        .await?;
    Ok(Json(JobRuns { runs }))
}

/// The answer of `GET /api/nodes`.
#[derive(Debug, Serialize, ToSchema)]
struct NodeList {
    /// Every engine node registered in the store, live ones first.
    nodes: Vec<crate::store::nodes::Node>,
}

/// `GET /api/nodes`: the engine nodes sharing this store: live, stopped or gone, the
/// configuration version each runs and the deliveries each holds.
#[utoipa::path(
    get,
    path = "/nodes",
    tag = "meta",
    responses((status = 200, description = "The nodes", body = NodeList))
)]
async fn list_nodes(State(state): State<AppState>) -> Result<Json<NodeList>, ApiError> {
    Ok(Json(NodeList {
        nodes: state.store.nodes().await?,
    }))
}

/// The answer of `GET /api/tokens`.
#[derive(Debug, Serialize, ToSchema)]
struct TokenList {
    /// Every token, never its secret.
    tokens: Vec<TokenInfo>,
}

/// `GET /api/tokens`: the API tokens, without their secrets.
#[utoipa::path(
    get,
    path = "/tokens",
    tag = "meta",
    responses((status = 200, description = "The tokens", body = TokenList))
)]
async fn list_tokens(State(state): State<AppState>) -> Result<Json<TokenList>, ApiError> {
    let tokens = state.store.list_tokens().await?;
    Ok(Json(TokenList { tokens }))
}
