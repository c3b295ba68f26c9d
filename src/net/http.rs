//! The HTTP/1.1 server of every HTTP listener (the API and the `http` sources): an accept loop
//! behind a [`Gate`], and per connection the timeouts that keep a slow or silent client from
//! holding it:
//!
//! - **header**: a request's head must be complete within `header_timeout` of its first byte,
//!   and a new connection must deliver its first head within `header_timeout` of opening;
//! - **idle**: a kept-alive connection may wait `idle_timeout` for its next request, and an
//!   answer may not stall (no byte written) for longer than that;
//! - **body**: a request's body must arrive within `body_timeout` of its head; a late one is
//!   answered 408 and the connection closed.
//!
//! A connection over a limit is answered `503 Service Unavailable` with `Retry-After` as soon as
//! its request starts, and closed; it is never served (on a TLS listener it is closed at once).
//! Clients that run out of time are closed, counted and logged at debug.
//!
//! With TLS, only HTTPS is served: the handshake of an admitted connection must finish within
//! `header_timeout`, and one that fails (plain HTTP, no or a wrong client certificate) closes
//! the connection, counted and logged as [`super::tls::handshake`] says.

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderValue, Request, Response, StatusCode, header};
use bytes::Bytes;
use http_body::{Frame, SizeHint};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, Semaphore};
use tokio::task::JoinSet;
use tokio::time::{Instant, Sleep};
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

use super::tls::TlsAcceptor;
use super::{ConnectionLimits, Gate, Pass, defaults};

/// What one HTTP listener allows its clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpLimits {
    /// Connections at once, in all and per client address.
    pub connections: ConnectionLimits,
    /// Time to send a request's head.
    pub header_timeout: Duration,
    /// Time to send a request's body, from its head.
    pub body_timeout: Duration,
    /// Time a kept-alive connection waits for its next request; longest stall of an answer.
    pub idle_timeout: Duration,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            connections: ConnectionLimits::default(),
            header_timeout: Duration::from_secs(defaults::header_timeout_seconds()),
            body_timeout: Duration::from_secs(defaults::body_timeout_seconds()),
            idle_timeout: Duration::from_secs(defaults::idle_timeout_seconds()),
        }
    }
}

impl HttpLimits {
    /// Limits from settings in whole seconds (each at least one second).
    pub fn from_settings(
        connections: ConnectionLimits,
        header_timeout_seconds: u64,
        body_timeout_seconds: u64,
        idle_timeout_seconds: u64,
    ) -> Self {
        let seconds = |n: u64| Duration::from_secs(n.max(1));
        HttpLimits {
            connections,
            header_timeout: seconds(header_timeout_seconds),
            body_timeout: seconds(body_timeout_seconds),
            idle_timeout: seconds(idle_timeout_seconds),
        }
    }

    /// What is wrong with these settings, as (setting name, reason); the names are the ones
    /// listener settings use.
    pub fn problems(
        connections: ConnectionLimits,
        header_timeout_seconds: u64,
        body_timeout_seconds: u64,
        idle_timeout_seconds: u64,
    ) -> Vec<(&'static str, String)> {
        let mut problems = connections.problems();
        for (name, seconds) in [
            ("header_timeout_seconds", header_timeout_seconds),
            ("body_timeout_seconds", body_timeout_seconds),
            ("idle_timeout_seconds", idle_timeout_seconds),
        ] {
            if !(1..=86_400).contains(&seconds) {
                problems.push((name, "must be between 1 and 86400 seconds".to_string()));
            }
        }
        problems
    }
}

/// Serves `router` on `listener` as `limits` say, over TLS when `tls` is given, until
/// `shutdown` is cancelled, then lets the requests in flight finish (the caller bounds how
/// long it waits). Requests carry the client's address as `ConnectInfo<SocketAddr>`.
pub async fn serve(
    listener: TcpListener,
    name: &str,
    router: Router,
    limits: HttpLimits,
    tls: Option<TlsAcceptor>,
    shutdown: CancellationToken,
) {
    let gate = Gate::new(name, limits.connections);
    let mut connections = JoinSet::new();
    loop {
        let (stream, peer, admitted) = tokio::select! {
            () = shutdown.cancelled() => break,
            accepted = gate.accept(&listener) => accepted,
            // Reap finished connections so the set does not grow.
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
        };
        match admitted {
            Ok(pass) => {
                let router = router.clone();
                let shutdown = shutdown.clone();
                let tls = tls.clone();
                connections.spawn(async move {
                    let _ = stream.set_nodelay(true);
                    let Some(acceptor) = tls else {
                        return serve_connection(stream, peer, router, limits, pass, shutdown)
                            .await;
                    };
                    let handshake = super::tls::handshake(
                        &acceptor,
                        stream,
                        peer,
                        pass.gate(),
                        limits.header_timeout,
                    );
                    let stream = tokio::select! {
                        stream = handshake => stream,
                        () = shutdown.cancelled() => None,
                    };
                    if let Some(stream) = stream {
                        serve_connection(stream, peer, router, limits, pass, shutdown).await;
                    }
                });
            }
            // A TLS client cannot read a plain answer: the connection is just closed.
            Err(_) if tls.is_some() => {}
            Err(refusal) => refuse(stream, refusal.reason()),
        }
    }
    drop(listener);
    while connections.join_next().await.is_some() {}
}

/// Refused connections being answered at once (see [`refuse`]).
static REFUSING: Semaphore = Semaphore::const_new(64);
/// How long a refused connection is kept to wait for its request, and then to read it away.
const LINGER: Duration = Duration::from_secs(1);

/// Answers 503 (`Retry-After: 1`) to the request of a refused connection and closes it. A
/// client reads an answer only once it has sent its request, and closing a socket with an
/// unread request resets the connection before the client reads the answer; so the answer
/// waits for the request's first bytes and the rest is read away, each for at most
/// [`LINGER`]. At most 64 refused connections are answered at once; the others are closed
/// right away, as is one that sends nothing in time.
fn refuse(stream: TcpStream, reason: &'static str) {
    let Ok(refusing) = REFUSING.try_acquire() else {
        return;
    };
    tokio::spawn(async move {
        let _refusing = refusing;
        let mut stream = stream;
        let mut sink = [0u8; 4096];
        if !matches!(
            tokio::time::timeout(LINGER, stream.read(&mut sink)).await,
            Ok(Ok(1..))
        ) {
            return;
        }
        let body = format!("{{\"error\":\"{reason}; try again later\"}}");
        let answer = format!(
            "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\
             retry-after: 1\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        let _ = tokio::time::timeout(LINGER, async {
            stream.write_all(answer.as_bytes()).await?;
            stream.shutdown().await?;
            while let 1.. = stream.read(&mut sink).await? {}
            Ok::<_, io::Error>(())
        })
        .await;
    });
}

/// Serves one connection until the client closes it, a timeout closes it, or the server stops.
async fn serve_connection<S>(
    stream: S,
    peer: SocketAddr,
    router: Router,
    limits: HttpLimits,
    pass: Pass,
    shutdown: CancellationToken,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(Watched {
        stream,
        activity: activity.clone(),
    });
    let service = {
        let activity = activity.clone();
        hyper::service::service_fn(move |request: Request<Incoming>| {
            handle(request, peer, router.clone(), limits, activity.clone())
        })
    };
    let connection = hyper::server::conn::http1::Builder::new()
        .keep_alive(true)
        .serve_connection(io, service);
    tokio::pin!(connection);
    let expired = tokio::select! {
        _ = connection.as_mut() => return,
        expired = activity.expired(&limits) => expired,
        () = shutdown.cancelled() => {
            // Finish the request in flight, if any; an idle connection closes at once.
            connection.as_mut().graceful_shutdown();
            tokio::select! {
                _ = connection.as_mut() => return,
                expired = activity.expired(&limits) => expired,
            }
        }
    };
    pass.gate().timed_out(expired);
    tracing::debug!(listener = pass.gate().name(), %peer, timeout = expired, "HTTP connection timed out; closing it");
}

/// One request: the client's address added, the body read under its deadline, and the answer
/// tracked until it is written.
async fn handle(
    request: Request<Incoming>,
    peer: SocketAddr,
    router: Router,
    limits: HttpLimits,
    activity: Arc<Activity>,
) -> Result<Response<Body>, Infallible> {
    activity.set(Phase::Handling);
    let late = Arc::new(AtomicBool::new(false));
    let (mut parts, body) = request.into_parts();
    parts.extensions.insert(ConnectInfo(peer));
    let body = Body::new(DeadlineBody {
        inner: body,
        deadline: Box::pin(tokio::time::sleep(limits.body_timeout)),
        late: late.clone(),
        timeout: limits.body_timeout,
    });
    let response = match router.oneshot(Request::from_parts(parts, body)).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    let (mut parts, body) = response.into_parts();
    if late.load(Ordering::Relaxed) {
        // The handler saw a failed body read; say what it was, and close the connection.
        parts.status = StatusCode::REQUEST_TIMEOUT;
        parts
            .headers
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    activity.set(Phase::Answering {
        progress: Instant::now(),
    });
    // The answer is written once hyper drops its body; the guard then marks the connection idle.
    let answered = Answered(activity);
    let body = body.map_frame(move |frame| {
        let _ = &answered;
        frame
    });
    Ok(Response::from_parts(parts, Body::new(body)))
}

/// Marks the connection idle when dropped with the answer's body.
struct Answered(Arc<Activity>);

impl Drop for Answered {
    fn drop(&mut self) {
        self.0.answered();
    }
}

/// Where a connection is in its request cycle, with the times its deadlines count from.
#[derive(Debug, Clone, Copy)]
enum Phase {
    /// Waiting for a request head: since when, whether it would be the connection's first,
    /// and when its first byte came.
    Waiting {
        since: Instant,
        first: bool,
        first_byte: Option<Instant>,
    },
    /// A handler runs (the body deadline is the body's own).
    Handling,
    /// The answer is being written; `progress` is when a byte last went out.
    Answering { progress: Instant },
}

/// A connection's phase, shared by its reads, writes, handler and watchdog.
struct Activity {
    phase: Mutex<Phase>,
    changed: Notify,
}

impl Activity {
    fn new() -> Self {
        Activity {
            phase: Mutex::new(Phase::Waiting {
                since: Instant::now(),
                first: true,
                first_byte: None,
            }),
            changed: Notify::new(),
        }
    }

    fn update(&self, change: impl FnOnce(&mut Phase) -> bool) {
        let changed = change(&mut self.phase.lock().unwrap_or_else(PoisonError::into_inner));
        if changed {
            self.changed.notify_one();
        }
    }

    fn set(&self, phase: Phase) {
        self.update(|current| {
            *current = phase;
            true
        });
    }

    fn answered(&self) {
        self.update(|phase| {
            let answering = matches!(phase, Phase::Answering { .. });
            if answering {
                *phase = Phase::Waiting {
                    since: Instant::now(),
                    first: false,
                    first_byte: None,
                };
            }
            answering
        });
    }

    fn read(&self) {
        self.update(|phase| match phase {
            Phase::Waiting { first_byte, .. } if first_byte.is_none() => {
                *first_byte = Some(Instant::now());
                true
            }
            _ => false,
        });
    }

    /// Notes a write that sent bytes.
    fn wrote(&self, polled: &Poll<io::Result<usize>>) {
        if !matches!(polled, Poll::Ready(Ok(1..))) {
            return;
        }
        self.update(|phase| {
            if let Phase::Answering { progress } = phase {
                *progress = Instant::now();
            }
            false
        });
    }

    /// When the current phase runs out of time, and which timeout that is.
    fn deadline(&self, limits: &HttpLimits) -> Option<(Instant, &'static str)> {
        match *self.phase.lock().unwrap_or_else(PoisonError::into_inner) {
            Phase::Waiting {
                first_byte: Some(at),
                ..
            } => Some((at + limits.header_timeout, "header")),
            Phase::Waiting {
                since, first: true, ..
            } => Some((since + limits.header_timeout, "header")),
            Phase::Waiting { since, .. } => Some((since + limits.idle_timeout, "idle")),
            Phase::Handling => None,
            Phase::Answering { progress } => Some((progress + limits.idle_timeout, "answer")),
        }
    }

    /// Resolves, with the timeout's name, once the connection has run out of time.
    async fn expired(&self, limits: &HttpLimits) -> &'static str {
        loop {
            match self.deadline(limits) {
                Some((at, which)) if at <= Instant::now() => return which,
                Some((at, _)) => {
                    tokio::select! {
                        () = tokio::time::sleep_until(at) => {}
                        () = self.changed.notified() => {}
                    }
                }
                None => self.changed.notified().await,
            }
        }
    }
}

/// The connection's socket, telling its [`Activity`] when bytes come and go.
struct Watched<S> {
    stream: S,
    activity: Arc<Activity>,
}

impl<S: AsyncRead + Unpin> AsyncRead for Watched<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.stream).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.activity.read();
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Watched<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.stream).poll_write(cx, buf);
        this.activity.wrote(&polled);
        polled
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.stream).poll_write_vectored(cx, bufs);
        this.activity.wrote(&polled);
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

/// A request body that fails once `deadline` passes before it has been read to its end.
struct DeadlineBody {
    inner: Incoming,
    deadline: Pin<Box<Sleep>>,
    late: Arc<AtomicBool>,
    timeout: Duration,
}

/// The body did not arrive in time.
#[derive(Debug, thiserror::Error)]
#[error("the request body was not received within {} s", .0.as_secs())]
struct BodyTimedOut(Duration);

impl http_body::Body for DeadlineBody {
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        if let Poll::Ready(frame) = Pin::new(&mut this.inner).poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        if this.deadline.as_mut().poll(cx).is_ready() {
            this.late.store(true, Ordering::Relaxed);
            return Poll::Ready(Some(Err(BodyTimedOut(this.timeout).into())));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
