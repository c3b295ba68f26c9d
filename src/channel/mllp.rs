//! `mllp` source and destination: HL7 v2 over MLLP (TCP).
//!
//! The listener serves many connections at once; each message is stored and committed before
//! its ACK is written (MSA-2 = the inbound MSH-10). Original mode answers AA/AE/AR; enhanced
//! mode answers a commit ACK (CA/CE/CR) as MSH-15 asks and then an application ACK as MSH-16
//! asks. A frame that holds no readable HL7 v2 message (empty, not starting with MSH, an FHS/BHS
//! batch, a broken header) is still stored, with status error, and answered AR with its reason;
//! after [`MAX_UNREADABLE_IN_A_ROW`] of them in a row the connection is closed. A frame over the
//! size limit is answered AR and the connection stays usable. Idle connections are closed, and
//! one slow client holds nothing but its own connection. Frames a sender sent without waiting
//! for their ACKs are stored in one commit and answered in the order they came.
//!
//! The sender keeps its connection open, reconnects when needed, waits for the ACK with a
//! timeout and treats AE/AR/no ACK as the channel says.
//!
//! Both sides speak TLS when their `tls` table says so: the listener then takes only TLS
//! (with `client_ca`, only clients showing a certificate signed by that CA), and the sender
//! checks the receiver's certificate against its `ca` and may show its own.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::future::{BoxFuture, join_all};
use futures::{FutureExt, SinkExt, StreamExt};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::sync::Mutex;
use tokio::task::JoinSet;
use tokio_util::codec::Framed;

use serde::{Deserialize, Serialize};

use super::config::{ChannelConfig, Checks, default_message_limit};
use super::{
    DeliveryError, Destination, DestinationContext, DestinationSettings, Outbound, Receipt, Source,
    SourceContext, SourceError, SourceSettings,
};
use crate::config::engine::{ClientTlsConfig, ServerTlsConfig};
use crate::hl7v2::{
    self, AckCode, AckDetails, ErrorCode, ErrorReport, MllpCodec, MllpFrame, ReceivedAck, Severity,
};
use crate::message::{Format, Message, RejectionKind};
use crate::net::tls::{self, ClientFiles, TlsConnector};
use crate::net::{ConnectionLimits, Gate, defaults};

/// Content type recorded for HL7 v2 messages.
const HL7_CONTENT_TYPE: &str = "x-application/hl7-v2+er7";

/// Frames in a row on one connection that hold no readable message (unreadable or over the
/// size limit) after which the connection is closed: a sender of nothing but garbage is not
/// served forever. Each of them is still stored and answered first.
pub const MAX_UNREADABLE_IN_A_ROW: usize = 10;

/// `type = "mllp"` source: listens for MLLP connections.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MllpSource {
    /// Address and port to listen on.
    pub listen: SocketAddr,
    /// Largest frame accepted, in bytes; larger frames are refused with a negative ACK.
    #[serde(default = "default_message_limit")]
    pub max_frame_bytes: usize,
    /// `original` (AA/AE/AR) or `enhanced` (CA/CE/CR, plus application ACKs per MSH-15/16).
    #[serde(default)]
    pub ack_mode: AckMode,
    /// Seconds a connection may wait for its next complete message before it is closed.
    #[serde(default = "default_idle_seconds")]
    pub idle_timeout_seconds: u64,
    /// Connections served at once; more are closed at once (logged once per 10 s).
    #[serde(default = "defaults::max_connections")]
    pub max_connections: usize,
    /// Connections one client address may hold open; more are closed at once (logged once
    /// per 10 s).
    #[serde(default = "defaults::max_connections_per_client")]
    pub max_connections_per_client: usize,
    /// TLS: only TLS connections are taken, and with `client_ca` only clients with a
    /// certificate signed by it. Absent: plain TCP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<ServerTlsConfig>,
}

fn default_idle_seconds() -> u64 {
    300
}

/// HL7 v2 acknowledgment mode of an MLLP source.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum AckMode {
    /// AA / AE / AR.
    #[default]
    Original,
    /// CA / CE / CR commit ACKs, and application ACKs as MSH-15/MSH-16 ask.
    Enhanced,
}

/// How an MLLP destination treats a negative or missing acknowledgment.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum AckReaction {
    /// Try again with backoff.
    Retry,
    /// Give up: dead-letter it.
    DeadLetter,
    /// Hold it for an operator.
    Hold,
}

fn dead_letter_reply() -> AckReaction {
    AckReaction::DeadLetter
}

fn retry_reply() -> AckReaction {
    AckReaction::Retry
}

impl SourceSettings for MllpSource {
    fn check(&self, checks: &mut Checks<'_>) {
        checks.limit("max_frame_bytes", self.max_frame_bytes);
        for (field, reason) in self.connection_limits().problems() {
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

impl MllpSource {
    fn idle_timeout(&self) -> Duration {
        Duration::from_secs(self.idle_timeout_seconds.max(1))
    }

    fn connection_limits(&self) -> ConnectionLimits {
        ConnectionLimits {
            max_connections: self.max_connections,
            max_connections_per_client: self.max_connections_per_client,
        }
    }
}

impl Source for MllpSource {
    fn run(self: Box<Self>, context: SourceContext) -> BoxFuture<'static, Result<(), SourceError>> {
        Box::pin(async move {
            let channel = context.pipeline.channel();
            let acceptor = match &self.tls {
                Some(config) => Some(
                    tls::acceptor(channel, &config.files(&context.root))
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
            tracing::info!(channel = %channel, addr = %self.listen, tls = acceptor.is_some(), "MLLP listening");
            let gate = Gate::new(context.pipeline.channel(), self.connection_limits());
            let settings = Arc::new(*self);
            let mut connections = JoinSet::new();
            loop {
                let (stream, peer, admitted) = tokio::select! {
                    _ = context.shutdown.cancelled() => break,
                    accepted = gate.accept(&listener) => accepted,
                    // Reap finished connections so the set does not grow.
                    Some(_) = connections.join_next(), if !connections.is_empty() => continue,
                };
                // Over a limit, the connection is closed at once (the gate logs it).
                let Ok(pass) = admitted else {
                    continue;
                };
                let context = context.clone();
                let settings = settings.clone();
                let acceptor = acceptor.clone();
                connections.spawn(async move {
                    let _ = stream.set_nodelay(true);
                    match acceptor {
                        None => serve_connection(stream, peer, &settings, &context).await,
                        Some(acceptor) => {
                            let handshake = tls::handshake(
                                &acceptor,
                                stream,
                                peer,
                                pass.gate(),
                                HANDSHAKE_TIMEOUT,
                            );
                            let stream = tokio::select! {
                                stream = handshake => stream,
                                () = context.shutdown.cancelled() => None,
                            };
                            if let Some(stream) = stream {
                                serve_connection(stream, peer, &settings, &context).await;
                            }
                        }
                    }
                    drop(pass);
                });
            }
            // Stop accepting; let each connection finish the message it is on.
            drop(listener);
            while connections.join_next().await.is_some() {}
            Ok(())
        })
    }
}

/// Time a TLS client has to finish its handshake (sender or receiver side).
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves one connection until the peer closes it, it idles out, or the source stops.
async fn serve_connection(
    stream: impl AsyncRead + AsyncWrite + Unpin,
    peer: SocketAddr,
    settings: &MllpSource,
    context: &SourceContext,
) {
    let mut framed = Framed::new(
        stream,
        MllpCodec::with_max_frame_length(settings.max_frame_bytes),
    );
    let mut unreadable_in_a_row = 0;
    loop {
        let next = tokio::select! {
            _ = context.shutdown.cancelled() => return,
            next = tokio::time::timeout(settings.idle_timeout(), framed.next()) => next,
        };
        let frame = match next {
            Err(_) => {
                tracing::debug!(%peer, "MLLP connection idle; closing");
                return;
            }
            Ok(None) => return,
            Ok(Some(Err(err))) => {
                tracing::warn!(%peer, %err, "MLLP connection error");
                return;
            }
            Ok(Some(Ok(frame))) => frame,
        };
        let received = std::time::Instant::now();
        // A sender that does not wait for each ACK has more frames ready: they are stored
        // together (one commit) and answered in the order they came: up to MAX_FRAMES_AT_ONCE
        // frames, gathering no more once those beyond the first hold `max_frame_bytes`.
        let mut held = 0;
        let mut frames = vec![frame];
        let mut ended = None;
        while frames.len() < MAX_FRAMES_AT_ONCE && held < settings.max_frame_bytes {
            match framed.next().now_or_never() {
                None => break,
                Some(Some(Ok(frame))) => {
                    if let MllpFrame::Message(raw) = &frame {
                        held += raw.len();
                    }
                    frames.push(frame);
                }
                Some(end) => {
                    ended = Some(end);
                    break;
                }
            }
        }
        let dropped = framed.codec().bytes_outside_frames();
        if dropped > 0 {
            tracing::warn!(%peer, bytes = dropped, "bytes outside MLLP frames were dropped");
        }
        let replies = join_all(
            frames
                .into_iter()
                .map(|frame| reply_to(frame, peer, settings.ack_mode, context)),
        )
        .await;
        let answered = replies.len();
        for (acks, readable) in replies {
            unreadable_in_a_row = if readable { 0 } else { unreadable_in_a_row + 1 };
            for ack in acks {
                if let Err(err) = framed.feed(Bytes::from(ack)).await {
                    tracing::warn!(%peer, %err, "cannot write ACK");
                    return;
                }
            }
        }
        if let Err(err) = SinkExt::<Bytes>::flush(&mut framed).await {
            tracing::warn!(%peer, %err, "cannot write ACK");
            return;
        }
        for _ in 0..answered {
            context.pipeline.counters.observe_ack(received.elapsed());
        }
        if unreadable_in_a_row >= MAX_UNREADABLE_IN_A_ROW {
            tracing::warn!(%peer, frames = unreadable_in_a_row, "MLLP connection closed: unreadable frames only");
            return;
        }
        match ended {
            None => {}
            Some(Some(Err(err))) => {
                tracing::warn!(%peer, %err, "MLLP connection error");
                return;
            }
            Some(_) => return,
        }
    }
}

/// Most frames already received on one connection that are stored and answered together.
const MAX_FRAMES_AT_ONCE: usize = 32;

/// The ACK frames for one received frame, and whether it held a readable message: a message
/// is stored and answered; an oversized frame is refused with the reason.
async fn reply_to(
    frame: MllpFrame,
    peer: SocketAddr,
    mode: AckMode,
    context: &SourceContext,
) -> (Vec<Vec<u8>>, bool) {
    match frame {
        MllpFrame::Message(raw) => answer(&raw, mode, context).await,
        MllpFrame::Oversized(oversized) => {
            let reason = oversized.to_string();
            tracing::warn!(%peer, %reason, "MLLP frame refused");
            let ack = unparsed_ack(
                &oversized.head,
                reject_code(mode),
                &reason,
                ErrorCode::ValueTooLong,
                None,
            );
            (vec![ack], false)
        }
    }
}

fn reject_code(mode: AckMode) -> AckCode {
    match mode {
        AckMode::Original => AckCode::ApplicationReject,
        AckMode::Enhanced => AckCode::CommitReject,
    }
}

/// `YYYYMMDDHHMMSS` in UTC.
fn hl7_timestamp() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    )
}

/// An ACK for a message whose header could not be read: AR/CR (or AE) with the reason.
fn unparsed_ack(
    raw: &[u8],
    code: AckCode,
    reason: &str,
    error: ErrorCode,
    location: Option<hl7v2::Path>,
) -> Vec<u8> {
    let header = hl7v2::salvage_header(raw);
    let errors = [ErrorReport {
        code: error,
        severity: Severity::Error,
        location,
        message: Some(reason.to_string()),
    }];
    hl7v2::build_ack_for_unparsed(
        header.field_separator.unwrap_or(b'|'),
        header.control_id.as_deref().unwrap_or(""),
        &AckDetails {
            code,
            control_id: &hl7v2::next_control_id(),
            timestamp: &hl7_timestamp(),
            text: Some(reason),
            errors: &errors,
        },
    )
}

/// Whether an MSH-15/MSH-16 value asks for an acknowledgment of this outcome.
/// `AL` (or empty) always, `NE` never, `ER` on error only, `SU` on success only.
fn wanted(condition: Option<&str>, success: bool) -> bool {
    match condition.map(str::trim) {
        Some("NE") => false,
        Some("ER") => !success,
        Some("SU") => success,
        _ => true,
    }
}

/// Stores and processes one message; returns the ACK frames to write, in order, and whether it
/// was a readable HL7 v2 message.
async fn answer(raw: &[u8], mode: AckMode, context: &SourceContext) -> (Vec<Vec<u8>>, bool) {
    let read = Message::read_as(raw, Some(Format::Hl7v2));
    let readable = !matches!(&read, Err(rejection) if rejection.kind == RejectionKind::Unreadable);
    (acknowledgments(raw, &read, mode, context).await, readable)
}

/// The ACK frames for one message read as `read`, once it is stored.
async fn acknowledgments(
    raw: &[u8],
    read: &Result<Message, crate::message::Rejection>,
    mode: AckMode,
    context: &SourceContext,
) -> Vec<Vec<u8>> {
    let receipt = context
        .pipeline
        .receive_read(raw, read, Some(HL7_CONTENT_TYPE))
        .await;
    let parsed = read.as_ref().ok().and_then(Message::hl7v2);
    let (stored, application_ok, text, error) = match &receipt {
        Ok(Receipt::Accepted { message_id, .. }) => {
            (true, true, format!("stored as message {message_id}"), None)
        }
        Ok(Receipt::Filtered { message_id, reason }) => (
            true,
            true,
            format!("message {message_id} filtered: {reason}"),
            None,
        ),
        Ok(Receipt::Duplicate { message_id }) => (
            true,
            true,
            format!("duplicate of message {message_id}; not processed again"),
            None,
        ),
        Ok(Receipt::Rejected {
            message_id,
            rejection,
        }) => {
            let location = rejection
                .location
                .as_deref()
                .and_then(|l| hl7v2::Path::parse(l).ok());
            (
                true,
                false,
                format!("message {message_id}: {}", rejection.reason),
                Some((rejection.kind.hl7_error_code(), location)),
            )
        }
        Err(err) => {
            tracing::error!(channel = %context.pipeline.channel(), %err, "cannot store an MLLP message");
            (
                false,
                false,
                "the message could not be stored; send it again".to_string(),
                None,
            )
        }
    };
    let Some(message) = parsed else {
        // Stored (status error) but unreadable, or its header says too little to process it:
        // rejected, answered from what of MSH is readable, with what is wrong where it is known.
        let (code, location) = error.unwrap_or((ErrorCode::SegmentSequence, None));
        return vec![unparsed_ack(raw, reject_code(mode), &text, code, location)];
    };
    let errors: Vec<ErrorReport> = error
        .map(|(code, location)| ErrorReport {
            code,
            severity: Severity::Error,
            location,
            message: Some(text.clone()),
        })
        .into_iter()
        .collect();
    let build = |code: AckCode, errors: &[ErrorReport]| {
        hl7v2::build_ack(
            &message,
            &AckDetails {
                code,
                control_id: &hl7v2::next_control_id(),
                timestamp: &hl7_timestamp(),
                text: Some(&text),
                errors,
            },
        )
    };
    let application_code = match (stored, application_ok) {
        (false, _) => AckCode::ApplicationReject,
        (true, true) => AckCode::ApplicationAccept,
        (true, false) => AckCode::ApplicationError,
    };
    match mode {
        AckMode::Original => vec![build(application_code, &errors)],
        AckMode::Enhanced => {
            let mut replies = Vec::new();
            let commit = if stored {
                AckCode::CommitAccept
            } else {
                AckCode::CommitReject
            };
            if wanted(message.accept_ack_type().as_deref(), stored) {
                replies.push(build(commit, &[]));
            }
            if stored && wanted(message.application_ack_type().as_deref(), application_ok) {
                replies.push(build(application_code, &errors));
            }
            replies
        }
    }
}

/// Why an MLLP exchange failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExchangeError {
    /// Nothing was sent: the connection could not be made or the write failed.
    #[error("{0}")]
    NotSent(String),
    /// The message was sent but no acknowledgment came back.
    #[error("{0}")]
    NoAck(String),
}

/// A byte stream to a receiver: plain TCP or TLS over it.
trait Link: AsyncRead + AsyncWrite + Unpin + Send {}

impl<T: AsyncRead + AsyncWrite + Unpin + Send> Link for T {}

/// How a client speaks TLS: the files it trusts and shows, and the name the receiver's
/// certificate must be for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientTls {
    /// The CA bundle and client identity.
    pub files: ClientFiles,
    /// The receiver's name; absent uses the host of the address.
    pub server_name: Option<String>,
}

impl ClientTls {
    /// TLS as a destination's `tls` table says, its paths resolved against `root`.
    pub fn from_config(config: &ClientTlsConfig, root: &Path) -> Self {
        ClientTls {
            files: config.files(root),
            server_name: config.server_name.clone(),
        }
    }
}

/// A client that keeps one MLLP connection open, reconnecting when needed, and sends one
/// message at a time, waiting for its acknowledgment.
pub struct MllpClient {
    address: String,
    tls: Option<ClientTls>,
    connection: Option<Framed<Box<dyn Link>, MllpCodec>>,
}

impl MllpClient {
    /// A client for `host:port`; it connects on first use.
    pub fn new(address: &str) -> Self {
        MllpClient {
            address: address.to_string(),
            tls: None,
            connection: None,
        }
    }

    /// A client for `host:port` over TLS. The files are read at each connection, so renewed
    /// ones are used from the next connection on.
    pub fn with_tls(address: &str, tls: ClientTls) -> Self {
        MllpClient {
            tls: Some(tls),
            ..MllpClient::new(address)
        }
    }

    /// Sends `message` and returns the acknowledgment frame's bytes.
    pub async fn exchange(
        &mut self,
        message: &[u8],
        timeout: Duration,
    ) -> Result<Bytes, ExchangeError> {
        if self.connection.is_none() {
            let stream = connect(&self.address, self.tls.as_ref())
                .await
                .map_err(|err| ExchangeError::NotSent(format!("{}: {err}", self.address)))?;
            self.connection = Some(Framed::new(stream, MllpCodec::new()));
        }
        let Some(framed) = self.connection.as_mut() else {
            return Err(ExchangeError::NotSent("no connection".into()));
        };
        if let Err(err) = framed.send(Bytes::copy_from_slice(message)).await {
            self.connection = None;
            return Err(ExchangeError::NotSent(format!(
                "{}: send failed: {err}",
                self.address
            )));
        }
        let reply = tokio::time::timeout(timeout, framed.next()).await;
        let failure = match reply {
            Ok(Some(Ok(MllpFrame::Message(frame)))) => return Ok(frame),
            Ok(Some(Ok(MllpFrame::Oversized(_)))) => "the ACK was too large to read".to_string(),
            Ok(Some(Err(err))) => format!("no ACK: {err}"),
            Ok(None) => "connection closed before the ACK".to_string(),
            Err(_) => format!("no ACK within {} s", timeout.as_secs()),
        };
        self.connection = None;
        Err(ExchangeError::NoAck(format!("{}: {failure}", self.address)))
    }
}

/// Opens a connection to `address`, with its TLS handshake when `tls` says so.
async fn connect(address: &str, tls: Option<&ClientTls>) -> Result<Box<dyn Link>, String> {
    let connecting = async {
        let stream = TcpStream::connect(&address)
            .await
            .map_err(|err| err.to_string())?;
        let _ = stream.set_nodelay(true);
        let Some(settings) = tls else {
            return Ok(Box::new(stream) as Box<dyn Link>);
        };
        let config = tls::client_config(&settings.files).map_err(|err| err.to_string())?;
        let name = settings
            .server_name
            .clone()
            .unwrap_or_else(|| host_of(address).to_string());
        let name = rustls_pki_types::ServerName::try_from(name)
            .map_err(|err| format!("not a server name: {err}"))?;
        let stream = TlsConnector::from(config)
            .connect(name, stream)
            .await
            .map_err(|err| format!("TLS handshake failed: {err}"))?;
        Ok(Box::new(stream) as Box<dyn Link>)
    };
    tokio::time::timeout(HANDSHAKE_TIMEOUT, connecting)
        .await
        .map_err(|_| "connect timed out".to_string())?
}

/// The host of `host:port` (`[v6]:port` gives `v6`).
fn host_of(address: &str) -> &str {
    let host = address.rsplit_once(':').map_or(address, |(host, _)| host);
    host.trim_start_matches('[').trim_end_matches(']')
}

/// `type = "mllp"` destination: sends each message over MLLP to another HL7 v2 system and
/// waits for its ACK.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MllpDestinationConfig {
    /// `host:port` of the receiving system.
    pub address: String,
    /// Seconds to wait for the ACK.
    #[serde(default = "default_ack_timeout")]
    pub ack_timeout_seconds: u64,
    /// What an `AE`/`CE` answer means: `retry` or `dead_letter` (the default: the content
    /// must be fixed first).
    #[serde(default = "dead_letter_reply")]
    pub on_error_ack: AckReaction,
    /// What an `AR`/`CR` answer means: `retry` (the default: the receiver was not able to
    /// take it now) or `dead_letter`.
    #[serde(default = "retry_reply")]
    pub on_reject_ack: AckReaction,
    /// What no ACK at all (timeout or dropped connection after sending) means: `retry`
    /// (the default; receivers recognise a resent MSH-10) or `hold` for an operator.
    #[serde(default = "retry_reply")]
    pub on_missing_ack: AckReaction,
    /// TLS to the receiver: `ca` to trust (absent: the public web PKI roots), `cert` and `key`
    /// to show, `server_name` its certificate must be for. Absent: plain TCP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<ClientTlsConfig>,
}

fn default_ack_timeout() -> u64 {
    30
}

impl DestinationSettings for MllpDestinationConfig {
    fn check(&self, checks: &mut Checks<'_>, _channel: &ChannelConfig) {
        if self
            .address
            .rsplit_once(':')
            .is_none_or(|(_, port)| port.parse::<u16>().is_err())
        {
            checks.problem("address", "must be host:port");
        }
        for (field, reason) in self.tls.iter().flat_map(ClientTlsConfig::problems) {
            checks.problem(&format!("tls.{field}"), reason);
        }
    }

    fn build(&self, context: &DestinationContext<'_>) -> Arc<dyn Destination> {
        Arc::new(MllpDestination::new(self, context.root))
    }
}

/// Sends messages over MLLP and waits for their ACKs.
pub struct MllpDestination {
    ack_timeout: Duration,
    on_error_ack: AckReaction,
    on_reject_ack: AckReaction,
    on_missing_ack: AckReaction,
    client: Mutex<MllpClient>,
}

impl MllpDestination {
    /// A sender as `config` says (TLS paths resolved against `root`); it connects on first use
    /// and after any failure.
    pub fn new(config: &MllpDestinationConfig, root: &Path) -> Self {
        let client = match &config.tls {
            Some(tls) => MllpClient::with_tls(&config.address, ClientTls::from_config(tls, root)),
            None => MllpClient::new(&config.address),
        };
        MllpDestination {
            ack_timeout: Duration::from_secs(config.ack_timeout_seconds.max(1)),
            on_error_ack: config.on_error_ack,
            on_reject_ack: config.on_reject_ack,
            on_missing_ack: config.on_missing_ack,
            client: Mutex::new(client),
        }
    }
}

fn react(reaction: AckReaction, reason: String) -> DeliveryError {
    match reaction {
        AckReaction::Retry => DeliveryError::transient(reason),
        AckReaction::DeadLetter => DeliveryError::permanent(reason),
        AckReaction::Hold => DeliveryError::ambiguous(reason),
    }
}

impl Destination for MllpDestination {
    fn deliver<'a>(&'a self, message: &'a Outbound) -> BoxFuture<'a, Result<(), DeliveryError>> {
        Box::pin(async move {
            let mut client = self.client.lock().await;
            let frame = match client.exchange(&message.payload, self.ack_timeout).await {
                Ok(frame) => frame,
                Err(ExchangeError::NotSent(reason)) => {
                    return Err(DeliveryError::transient(reason));
                }
                Err(ExchangeError::NoAck(reason)) => {
                    return Err(react(self.on_missing_ack, reason));
                }
            };
            let address = &client.address;
            let ack = hl7v2::Message::parse(&frame)
                .map_err(|err| DeliveryError::transient(format!("unreadable ACK: {err}")))?;
            let ack = ReceivedAck::read(&ack)
                .map_err(|err| DeliveryError::transient(format!("unreadable ACK: {err}")))?;
            if let (Some(sent), Some(acked)) = (&message.control_id, &ack.acknowledged_control_id)
                && sent != acked
            {
                client.connection = None;
                return Err(react(
                    self.on_missing_ack,
                    format!("ACK is for {acked}, not for {sent}"),
                ));
            }
            let detail = || {
                let mut parts: Vec<String> = ack.text.iter().map(|t| t.to_string()).collect();
                parts.extend(ack.errors.iter().map(|e| e.to_string()));
                parts.join("; ")
            };
            match ack.code {
                AckCode::ApplicationAccept | AckCode::CommitAccept => Ok(()),
                AckCode::ApplicationError | AckCode::CommitError => Err(react(
                    self.on_error_ack,
                    format!("{address} answered {}: {}", ack.code, detail()),
                )),
                AckCode::ApplicationReject | AckCode::CommitReject => Err(react(
                    self.on_reject_ack,
                    format!("{address} answered {}: {}", ack.code, detail()),
                )),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{host_of, wanted};

    #[test]
    fn hosts_of_addresses() {
        assert_eq!(host_of("lab.example.org:2575"), "lab.example.org");
        assert_eq!(host_of("[::1]:2575"), "::1");
        assert_eq!(host_of("127.0.0.1:2575"), "127.0.0.1");
    }

    #[test]
    fn ack_conditions() {
        assert!(wanted(None, true));
        assert!(wanted(Some("AL"), false));
        assert!(!wanted(Some("NE"), true));
        assert!(wanted(Some("ER"), false) && !wanted(Some("ER"), true));
        assert!(wanted(Some("SU"), true) && !wanted(Some("SU"), false));
    }
}
