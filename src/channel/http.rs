//! `http` source and destination. The source is a listener of the channel's own that stores
//! each POSTed body before answering; senders authenticate with an API token unless the channel
//! allows anonymous posts. The destination sends each message with any method and headers and
//! classes failures: unreachable and 5xx are transient, other 4xx permanent, and a timeout
//! after a non-idempotent request ambiguous.
//!
//! With a `tls` table the source serves HTTPS only (and with `client_ca`, only to clients
//! showing a certificate signed by it); the destination trusts the `ca` it names and shows
//! the `cert` it names.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Router};
use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::config::{ChannelConfig, Checks, default_message_limit};
use super::{
    DeliveryError, Destination, DestinationContext, DestinationSettings, Outbound, Receipt, Source,
    SourceContext, SourceError, SourceSettings, expand_env,
};
use crate::config::engine::{ClientTlsConfig, ServerTlsConfig};
use crate::net::http::HttpLimits;
use crate::net::tls::{self, ClientFiles};
use crate::net::{ConnectionLimits, defaults};
use crate::store::audit::AuditRecord;
use crate::store::tokens::{Bearer, Role, bearer_token};

/// `type = "http"` source: HTTP POST bodies of any content type, on a listener of the
/// channel's own.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HttpSource {
    /// Address and port to listen on.
    pub listen: SocketAddr,
    /// Largest body accepted, in bytes; larger bodies get 413.
    #[serde(default = "default_message_limit")]
    pub max_body_bytes: usize,
    /// Accept requests without an API bearer token. Off by default: senders need a token.
    #[serde(default)]
    pub allow_anonymous: bool,
    /// The role a sender's token needs: `operator` (the default) or `admin`. A viewer can
    /// never write; a sender without it is answered 403. Every post is audited.
    #[serde(default = "default_role")]
    pub role: Role,
    /// Connections served at once; more are answered 503 and closed.
    #[serde(default = "defaults::max_connections")]
    pub max_connections: usize,
    /// Connections one client address may hold open; more are answered 503 and closed.
    #[serde(default = "defaults::max_connections_per_client")]
    pub max_connections_per_client: usize,
    /// Seconds a sender has to send a request's head; then its connection is closed.
    #[serde(default = "defaults::header_timeout_seconds")]
    pub header_timeout_seconds: u64,
    /// Seconds a sender has to send a request's body; then it is answered 408.
    #[serde(default = "defaults::body_timeout_seconds")]
    pub body_timeout_seconds: u64,
    /// Seconds a kept-alive connection may wait for its next request; then it is closed.
    #[serde(default = "defaults::idle_timeout_seconds")]
    pub idle_timeout_seconds: u64,
    /// TLS: HTTPS only, and with `client_ca` only for clients with a certificate signed by
    /// it. Absent: plain HTTP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<ServerTlsConfig>,
}

fn default_role() -> Role {
    Role::Operator
}

impl HttpSource {
    fn connection_limits(&self) -> ConnectionLimits {
        ConnectionLimits {
            max_connections: self.max_connections,
            max_connections_per_client: self.max_connections_per_client,
        }
    }
}

impl SourceSettings for HttpSource {
    fn check(&self, checks: &mut Checks<'_>) {
        checks.limit("max_body_bytes", self.max_body_bytes);
        if self.role == Role::Viewer {
            checks.problem("role", "a viewer cannot write: must be operator or admin");
        }
        for (field, reason) in HttpLimits::problems(
            self.connection_limits(),
            self.header_timeout_seconds,
            self.body_timeout_seconds,
            self.idle_timeout_seconds,
        ) {
            checks.problem(field, reason);
        }
        for (field, reason) in self.tls.iter().flat_map(ServerTlsConfig::problems) {
            checks.problem(&format!("tls.{field}"), reason);
        }
    }

    fn build(&self) -> Box<dyn Source> {
        Box::new(self.clone())
    }
}

#[derive(Clone)]
struct SourceState {
    context: SourceContext,
    allow_anonymous: bool,
    role: Role,
}

impl Source for HttpSource {
    fn run(self: Box<Self>, context: SourceContext) -> BoxFuture<'static, Result<(), SourceError>> {
        Box::pin(async move {
            let acceptor = match &self.tls {
                Some(config) => Some(
                    tls::acceptor(context.pipeline.channel(), &config.files(&context.root))
                        .map_err(|err| SourceError::Setup(format!("TLS: {err}")))?,
                ),
                None => None,
            };
            let listener = tokio::net::TcpListener::bind(self.listen)
                .await
                .map_err(|source| SourceError::Bind {
                    addr: self.listen.to_string(),
                    source,
                })?;
            let shutdown = context.shutdown.clone();
            let name = context.pipeline.channel().to_string();
            let limits = HttpLimits::from_settings(
                self.connection_limits(),
                self.header_timeout_seconds,
                self.body_timeout_seconds,
                self.idle_timeout_seconds,
            );
            let app = Router::new()
                .fallback(receive)
                .layer(DefaultBodyLimit::max(self.max_body_bytes))
                .with_state(SourceState {
                    context,
                    allow_anonymous: self.allow_anonymous,
                    role: self.role,
                });
            crate::net::http::serve(listener, &name, app, limits, acceptor, shutdown).await;
            Ok(())
        })
    }
}

/// Stores a POSTed message when its sender may write to the channel, and audits the attempt
/// (the token's name, the channel, the message id and the answer) whatever the answer.
async fn receive(
    State(state): State<SourceState>,
    method: axum::http::Method,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let received = std::time::Instant::now();
    if method != axum::http::Method::POST && method != axum::http::Method::PUT {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "POST, PUT")],
            axum::Json(json!({"error": "send messages with POST"})),
        )
            .into_response();
    }
    let store = &state.context.pipeline.store;
    let bearer = if state.allow_anonymous {
        Bearer::Unknown
    } else {
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(bearer_token);
        match store.bearer(token).await {
            Ok(bearer) => bearer,
            Err(err) => return unavailable(&err.to_string()),
        }
    };
    let (response, message_id) = match bearer.principal() {
        _ if state.allow_anonymous => store_body(&state, &headers, &body).await,
        Some(principal) if principal.role >= state.role => {
            store_body(&state, &headers, &body).await
        }
        Some(_) => (
            (
                StatusCode::FORBIDDEN,
                axum::Json(json!({"error": format!("this channel needs the {} role", state.role)})),
            )
                .into_response(),
            None,
        ),
        None => (
            (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer")],
                axum::Json(json!({"error": "missing or invalid bearer token"})),
            )
                .into_response(),
            None,
        ),
    };
    let channel = state.context.pipeline.channel();
    let resource = match message_id {
        Some(id) => format!("/channels/{channel}/messages/{id}"),
        None => format!("/channels/{channel}/messages"),
    };
    let remote = peer.map(|Extension(ConnectInfo(addr))| addr.to_string());
    let record = AuditRecord {
        actor: bearer.actor(),
        role: bearer.principal().map(|p| p.role.as_str()),
        action: method.as_str(),
        resource: &resource,
        remote_addr: remote.as_deref(),
        outcome: response.status().as_u16(),
    };
    if let Err(err) = store.record_audit(&record).await {
        // A write that is not audited is not answered as done; a resend is a duplicate.
        return unavailable(&format!("cannot write the audit log: {err}"));
    }
    if message_id.is_some() {
        state
            .context
            .pipeline
            .counters
            .observe_ack(received.elapsed());
    }
    response
}

/// Stores the body; the answer and the stored message's id.
async fn store_body(
    state: &SourceState,
    headers: &HeaderMap,
    body: &Bytes,
) -> (Response, Option<i64>) {
    if body.is_empty() {
        let refused = (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"error": "empty body: nothing to receive"})),
        );
        return (refused.into_response(), None);
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.starts_with("application/octet-stream"));
    match state.context.pipeline.receive(body, content_type).await {
        Ok(receipt) => (receipt_response(&receipt), Some(receipt.message_id())),
        Err(err) => (unavailable(&err.to_string()), None),
    }
}

fn unavailable(detail: &str) -> Response {
    tracing::error!(%detail, "HTTP source cannot store a message");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, "5")],
        axum::Json(json!({"error": "the message could not be stored; send it again"})),
    )
        .into_response()
}

/// The HTTP answer for a receipt.
pub fn receipt_response(receipt: &Receipt) -> Response {
    let (status, body) = match receipt {
        Receipt::Accepted {
            message_id,
            destinations,
        } => (
            StatusCode::ACCEPTED,
            json!({"status": "accepted", "message_id": message_id, "destinations": destinations}),
        ),
        Receipt::Filtered { message_id, reason } => (
            StatusCode::OK,
            json!({"status": "filtered", "message_id": message_id, "reason": reason}),
        ),
        Receipt::Duplicate { message_id } => (
            StatusCode::OK,
            json!({"status": "duplicate", "message_id": message_id}),
        ),
        Receipt::Rejected {
            message_id,
            rejection,
        } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({"status": "rejected", "message_id": message_id, "error": rejection.reason, "location": rejection.location}),
        ),
    };
    (status, axum::Json(body)).into_response()
}

/// `type = "http"` destination: sends each message in an HTTP request.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HttpDestinationConfig {
    /// Target URL.
    pub url: String,
    /// HTTP method.
    #[serde(default = "default_method")]
    pub method: String,
    /// Extra request headers; values may use `${ENV_VAR}` (e.g. for an Authorization header).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Seconds to wait for the answer.
    #[serde(default = "default_timeout")]
    pub timeout_seconds: u64,
    /// TLS for `https://` URLs: `ca` to trust (absent: the public web PKI roots), `cert` and
    /// `key` to show (mutual TLS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<ClientTlsConfig>,
}

fn default_method() -> String {
    "POST".to_string()
}

/// Seconds an HTTP request waits for its answer unless a destination says otherwise.
pub(crate) fn default_timeout() -> u64 {
    30
}

const METHODS: [&str; 5] = ["POST", "PUT", "PATCH", "GET", "DELETE"];

impl DestinationSettings for HttpDestinationConfig {
    fn check(&self, checks: &mut Checks<'_>, _channel: &ChannelConfig) {
        checks.http_url("url", &self.url);
        if !METHODS.contains(&self.method.as_str()) {
            checks.problem("method", "must be POST, PUT, PATCH, GET or DELETE");
        }
        check_client_tls(checks, &self.url, self.tls.as_ref());
    }

    fn build(&self, context: &DestinationContext<'_>) -> Arc<dyn Destination> {
        Arc::new(HttpDestination::new(
            &self.url,
            &self.method,
            &self.headers,
            self.timeout_seconds,
            tls_files(self.tls.as_ref(), context.root).as_ref(),
        ))
    }
}

/// The `tls` table of an HTTP or FHIR destination: files inside the root, for an `https://`
/// URL, and no `server_name` (the URL's host is the name).
pub(crate) fn check_client_tls(checks: &mut Checks<'_>, url: &str, tls: Option<&ClientTlsConfig>) {
    let Some(tls) = tls else {
        return;
    };
    for (field, reason) in tls.problems() {
        checks.problem(&format!("tls.{field}"), reason);
    }
    if tls.server_name.is_some() {
        checks.problem(
            "tls.server_name",
            "only for mllp destinations: the URL's host is the name here",
        );
    }
    if !url.starts_with("https://") {
        checks.problem("tls", "needs an https:// url");
    }
}

/// The files of a destination's `tls` table, resolved against the deployment root.
pub(crate) fn tls_files(tls: Option<&ClientTlsConfig>, root: &Path) -> Option<ClientFiles> {
    tls.map(|tls| tls.files(root))
}

/// Sends each message in an HTTP request.
pub struct HttpDestination {
    /// The client, or why its TLS files are unusable (each delivery then fails with that).
    client: Result<reqwest::Client, String>,
    url: String,
    method: reqwest::Method,
    headers: Vec<(String, String)>,
}

impl HttpDestination {
    /// A destination for `url`; `method` was validated with the channel, and `${ENV}` in the
    /// header values is expanded now. With `tls`, its files are read now.
    pub fn new(
        url: &str,
        method: &str,
        headers: &BTreeMap<String, String>,
        timeout_seconds: u64,
        tls: Option<&ClientFiles>,
    ) -> Self {
        let builder = reqwest::Client::builder()
            .timeout(Duration::from_secs(timeout_seconds.max(1)))
            .connect_timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none());
        let client = match tls.map(tls::client_config).transpose() {
            Ok(Some(config)) => builder
                .use_preconfigured_tls(Arc::unwrap_or_clone(config))
                .build()
                .map_err(|err| format!("TLS: {err}")),
            Ok(None) => Ok(builder.build().unwrap_or_default()),
            Err(err) => Err(format!("TLS: {err}")),
        };
        if let Err(err) = &client {
            tracing::error!(%url, "HTTP destination cannot deliver: {err}");
        }
        HttpDestination {
            client,
            url: url.to_string(),
            method: method.parse().unwrap_or(reqwest::Method::POST),
            headers: headers
                .iter()
                .map(|(name, value)| (name.clone(), expand_env(value)))
                .collect(),
        }
    }

    fn idempotent(&self) -> bool {
        matches!(
            self.method,
            reqwest::Method::PUT | reqwest::Method::GET | reqwest::Method::DELETE
        )
    }
}

impl Destination for HttpDestination {
    fn deliver<'a>(&'a self, message: &'a Outbound) -> BoxFuture<'a, Result<(), DeliveryError>> {
        Box::pin(async move {
            let client = self
                .client
                .as_ref()
                .map_err(|err| DeliveryError::transient(err.clone()))?;
            let mut request = client
                .request(self.method.clone(), &self.url)
                .header(header::CONTENT_TYPE.as_str(), &message.content_type)
                .header("X-Switchboard-Message-Id", message.message_id.to_string())
                .header("X-Switchboard-Delivery-Id", message.delivery_id.to_string())
                .body(message.payload.clone());
            for (name, value) in &self.headers {
                request = request.header(name, value);
            }
            let response = match request.send().await {
                Ok(response) => response,
                Err(err) if err.is_timeout() && !self.idempotent() => {
                    return Err(DeliveryError::ambiguous(format!(
                        "no answer from {} in time; it may have received the message",
                        self.url
                    )));
                }
                Err(err) => {
                    return Err(DeliveryError::transient(format!("{}: {err}", self.url)));
                }
            };
            let status = response.status();
            if status.is_success() {
                return Ok(());
            }
            let body: String = response
                .text()
                .await
                .unwrap_or_default()
                .chars()
                .take(300)
                .collect();
            let reason = format!("{} answered {status}: {body}", self.url);
            let retryable = status.is_server_error() || matches!(status.as_u16(), 408 | 425 | 429);
            Err(if retryable {
                DeliveryError::transient(reason)
            } else {
                DeliveryError::permanent(reason)
            })
        })
    }
}
