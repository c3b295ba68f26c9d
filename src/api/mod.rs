//! The HTTP API: `/health`, `/metrics`, and the authenticated admin API under `/api`.

pub mod auth;
pub mod channels;
pub mod claims;
pub mod console;
pub mod error;
pub mod fhir;
pub mod monitor;
pub mod revenue;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{DefaultBodyLimit, MatchedPath, Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::channel::Runtime;
use crate::metrics::{Gauge, Metrics};
use crate::store::Store;
use crate::store::canonical::PatientQuery;
use crate::store::messages::{MessageQuery, MessageStatus};
use crate::store::tokens::{Principal, Role};
pub use error::ApiError;

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
}

impl AppState {
    /// State over a runtime (and its store) for the deployment `root`, with fresh metrics.
    pub fn new(runtime: Runtime, root: PathBuf) -> Self {
        let store = runtime.store().clone();
        AppState {
            monitor: Arc::new(monitor::StoreMonitor::new(store.clone())),
            fhir_writer: crate::fhir::writer::GroupWriter::start(store.clone()),
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
    let viewer = Router::new()
        .route("/openapi.json", get(openapi))
        .route("/whoami", get(whoami))
        .route("/channels", get(channels::list))
        .route("/channels/{name}", get(channels::get))
        .route("/channels/{name}/config", get(channels::get_config))
        .route("/routes", get(channels::routes))
        .route("/messages", get(search_messages))
        .route("/messages/{id}", get(get_message))
        .route("/dead-letters", get(channels::dead_letters))
        .route("/jobs", get(job_runs))
        .route("/claims", get(claims::list))
        .route("/claims/{id}", get(claims::get))
        .route("/remittances", get(claims::remittances))
        .route("/remittances/{id}", get(revenue::remittance))
        .route("/worklists/denials", get(revenue::denials))
        .route("/worklists/unmatched", get(revenue::unmatched))
        .route("/bills/{id}/ledger", get(revenue::bill_ledger))
        .route("/reports", get(revenue::list_reports))
        .route("/reports/{name}", get(revenue::report))
        .route("/payers", get(claims::payers))
        .route("/patients", get(search_patients))
        .route("/patients/{id}", get(get_patient))
        .route_layer(middleware::from_fn(|r, n| {
            auth::require(Role::Viewer, r, n)
        }));
    let operator = Router::new()
        .route("/channels/{name}/{action}", post(channels::action))
        .route("/messages/{id}/reprocess", post(channels::reprocess))
        .route("/dead-letters/{id}/replay", post(channels::replay))
        .route("/claims/submit", post(claims::submit))
        .route("/claims/{id}/correct", post(claims::correct))
        .route(
            "/remittances/claims/{id}/match",
            post(revenue::match_by_hand),
        )
        .route_layer(middleware::from_fn(|r, n| {
            auth::require(Role::Operator, r, n)
        }));
    let admin = Router::new()
        .route(
            "/channels/{name}/config",
            axum::routing::put(channels::put_config),
        )
        .route(
            "/channels/{name}/config/check",
            post(channels::check_config),
        )
        .route("/config/export", get(channels::export))
        .route("/payers/{id}", axum::routing::put(claims::put_payer))
        .route("/config/import", post(channels::import))
        .route("/audit", get(audit_log))
        .route("/tokens", get(list_tokens))
        .route_layer(middleware::from_fn(|r, n| auth::require(Role::Admin, r, n)));
    let api = viewer
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
    Router::new()
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .nest("/api", api)
        .merge(console::router())
        .merge(fhir::router(state.clone()))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            count_requests,
        ))
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .with_state(state)
}

/// Counts every answered request by method, matched route and status.
async fn count_requests(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let response = next.run(request).await;
    state.metrics.increment(
        "switchboard_http_requests_total",
        vec![
            ("method", method),
            ("route", route),
            ("status", response.status().as_u16().to_string()),
        ],
        1,
    );
    response
}

/// The store's health as last checked (in the background, every second): 200 when it is
/// reachable, 503 when it is not.
async fn health(State(state): State<AppState>) -> Response {
    let store = state.monitor.health().await;
    let body = json!({
        "status": if store.reachable { "ok" } else { "degraded" },
        "version": env!("CARGO_PKG_VERSION"),
        "store": {
            "backend": state.store.backend().name(),
            "reachable": store.reachable,
            "error": store.error,
        },
    });
    let status = if store.reachable {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}

/// Prometheus text from what the engine has in memory; the store's row counts are the latest
/// taken in the background, so a scrape never waits for the database.
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
    let text = state.metrics.render(&[
        Gauge {
            kind: "counter",
            name: "switchboard_channel_events_total",
            help: "Channel events since the engine started: received, filtered, duplicate, errored, sent, retried, dead_lettered.",
            samples: events,
        },
        Gauge {
            kind: "gauge",
            name: "switchboard_channel_up",
            help: "1 when the channel's source is running.",
            samples: up,
        },
        Gauge {
            kind: "gauge",
            name: "switchboard_queue_depth",
            help: "Deliveries waiting per destination, by status (pending, held, dead).",
            samples: queued,
        },
        Gauge {
            kind: "gauge",
            name: "switchboard_build_info",
            help: "Always 1; the version label says which build runs.",
            samples: vec![(vec![("version", env!("CARGO_PKG_VERSION").to_string())], 1)],
        },
        Gauge {
            kind: "gauge",
            name: "switchboard_uptime_seconds",
            help: "Seconds since the engine started.",
            samples: vec![(vec![], uptime)],
        },
        Gauge {
            kind: "gauge",
            name: "switchboard_messages",
            help: "Messages in the store, by channel and status, as of switchboard_store_counts_age_seconds ago.",
            samples: messages,
        },
        Gauge {
            kind: "gauge",
            name: "switchboard_store_counts_age_seconds",
            help: "Age of the store's row counts (messages, queue depths); -1 before the first count.",
            samples: vec![(vec![], counts_age)],
        },
        Gauge {
            kind: "gauge",
            name: "switchboard_store_up",
            help: "1 when the store answered its latest health check.",
            samples: vec![(vec![], i64::from(reachable))],
        },
        Gauge {
            kind: "gauge",
            name: "switchboard_connections_open",
            help: "Connections open per listener (http is the API; others are channels).",
            samples: listeners
                .iter()
                .map(|l| (vec![("listener", l.name.clone())], count(l.open)))
                .collect(),
        },
        Gauge {
            kind: "counter",
            name: "switchboard_connections_refused_total",
            help: "Connections refused at a limit, per listener and limit (per_client, listener, engine).",
            samples: per_listener(&listeners, "limit", |l| &l.refused),
        },
        Gauge {
            kind: "counter",
            name: "switchboard_connections_timed_out_total",
            help: "HTTP connections closed by a timeout, per listener and timeout (header, idle, answer).",
            samples: per_listener(&listeners, "timeout", |l| &l.timed_out),
        },
        Gauge {
            kind: "counter",
            name: "switchboard_tls_handshakes_failed_total",
            help: "TLS handshakes that failed per listener (plain TCP, no or a bad client certificate, too slow).",
            samples: listeners
                .iter()
                .map(|l| (vec![("listener", l.name.clone())], count(l.handshakes_failed)))
                .collect(),
        },
        Gauge {
            kind: "gauge",
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
    ]);
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response()
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

async fn whoami(Extension(principal): Extension<Principal>) -> Json<Principal> {
    Json(principal)
}

/// Query string of `GET /api/messages`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MessageParams {
    channel: Option<String>,
    status: Option<String>,
    since: Option<i64>,
    until: Option<i64>,
    control_id: Option<String>,
    text: Option<String>,
    before: Option<i64>,
    limit: Option<i64>,
}

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
        text: params.text,
        before_id: params.before,
        limit: params.limit.unwrap_or(100),
    };
    let messages = state.store.search_messages(&query).await?;
    Ok(Json(json!({ "messages": messages })).into_response())
}

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
    Ok(Json(json!({
        "message": summary,
        "raw": String::from_utf8_lossy(&raw),
        "parsed": channels::parsed_view(&raw),
        "canonical": canonical,
        "deliveries": deliveries,
        "events": events,
    }))
    .into_response())
}

/// Query string of `GET /api/patients`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PatientParams {
    family: Option<String>,
    identifier: Option<String>,
    birthdate: Option<String>,
    limit: Option<i64>,
}

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
    Ok(Json(json!({ "patients": patients })).into_response())
}

async fn get_patient(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let record = state
        .store
        .patient_record(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("patient {id}")))?;
    Ok(Json(record).into_response())
}

/// Query string of `GET /api/audit`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AuditParams {
    resource: Option<String>,
    limit: Option<i64>,
}

async fn audit_log(
    State(state): State<AppState>,
    Query(params): Query<AuditParams>,
) -> Result<Response, ApiError> {
    let entries = state
        .store
        .audit_entries(params.resource.as_deref(), params.limit.unwrap_or(100))
        .await?;
    Ok(Json(json!({ "entries": entries })).into_response())
}

/// Query string of `GET /api/jobs`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct JobParams {
    job: Option<String>,
    limit: Option<i64>,
}

async fn job_runs(
    State(state): State<AppState>,
    Query(params): Query<JobParams>,
) -> Result<Response, ApiError> {
    let runs = state
        .store
        .job_runs(params.job.as_deref(), params.limit.unwrap_or(100))
        .await?;
    Ok(Json(json!({ "runs": runs })).into_response())
}

/// The OpenAPI document of this API.
const OPENAPI: &str = include_str!("openapi.json");

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

async fn list_tokens(State(state): State<AppState>) -> Result<Response, ApiError> {
    let tokens = state.store.list_tokens().await?;
    Ok(Json(json!({ "tokens": tokens })).into_response())
}
