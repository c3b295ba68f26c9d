//! The command-line commands, called by the thin `switchboard` binary. Each prints what a user
//! needs and returns the process exit code.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::channel::deployment::Deployment;
use crate::config::engine::{ClientTlsConfig, LogFormat, ServerTlsConfig};
use crate::config::problem::Document;
use crate::config::{ENGINE_FILE, Problem};
use crate::net::tls::{self, CertificateInfo, TlsError};
use crate::serve;
use crate::store::tokens::Role;

pub mod doctor;
pub mod init;
pub mod table;
mod x12;

pub use x12::x12_validate;

/// Loads the configuration, printing every problem to stderr.
fn load(root: &Path) -> Option<Deployment> {
    match Deployment::load(root) {
        Ok(config) => Some(config),
        Err(errors) => {
            for problem in &errors.0 {
                eprintln!("{problem}");
            }
            eprintln!(
                "{} problem(s) in the configuration under {}",
                errors.0.len(),
                root.display()
            );
            None
        }
    }
}

fn runtime() -> Option<tokio::runtime::Runtime> {
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => Some(rt),
        Err(err) => {
            eprintln!("cannot start the async runtime: {err}");
            None
        }
    }
}

/// `switchboard check`: validate every file and every TLS certificate, key and CA bundle;
/// exit 1 when anything is wrong. A certificate that expires within
/// [`EXPIRY_WARNING_DAYS`] is a warning, printed without failing the check.
pub fn check(root: &Path) -> ExitCode {
    match load(root) {
        Some(config) => {
            let findings = tls_findings(&config);
            for (problem, _) in &findings {
                eprintln!("{problem}");
            }
            let errors = findings.iter().filter(|(_, warning)| !warning).count();
            if errors > 0 {
                eprintln!(
                    "{errors} problem(s) in the TLS files under {}",
                    root.display()
                );
                return ExitCode::FAILURE;
            }
            println!(
                "ok: {} channel(s), {} rule set(s), store {}",
                config.channels.len(),
                config.routes.rule_sets.len(),
                redact(&config.store_url())
            );
            ExitCode::SUCCESS
        }
        None => ExitCode::FAILURE,
    }
}

/// Days before its end from which a certificate is reported as expiring.
pub const EXPIRY_WARNING_DAYS: i64 = 30;

/// The certificate files of one `tls` table: where it is, and what it names.
struct TlsTable {
    /// The file of the table.
    file: PathBuf,
    /// The table's field, e.g. `source.tls`.
    field: String,
    /// Certificate and key, resolved.
    pair: Option<(PathBuf, PathBuf)>,
    /// The CA bundle's setting name and file, resolved.
    ca: Option<(&'static str, PathBuf)>,
}

impl TlsTable {
    fn server(file: PathBuf, field: String, tls: &ServerTlsConfig, root: &Path) -> Self {
        let files = tls.files(root);
        TlsTable {
            file,
            field,
            pair: Some((files.cert, files.key)),
            ca: files.client_ca.map(|ca| ("client_ca", ca)),
        }
    }

    fn client(file: PathBuf, field: String, tls: &ClientTlsConfig, root: &Path) -> Self {
        let files = tls.files(root);
        TlsTable {
            file,
            field,
            pair: files.identity,
            ca: files.ca.map(|ca| ("ca", ca)),
        }
    }

    /// What is wrong with its files, as (setting, reason, whether only a warning).
    fn findings(&self, now: i64) -> Vec<(String, String, bool)> {
        let mut found = Vec::new();
        if let Some((cert, key)) = &self.pair {
            match tls::check_pair(cert, key) {
                Ok(info) => found.extend(expiry(&info, now).map(|(r, w)| ("cert".into(), r, w))),
                Err(err) => {
                    let field = if &err.path == key { "key" } else { "cert" };
                    found.push((field.to_string(), unusable(&err), false));
                }
            }
        }
        if let Some((field, ca)) = &self.ca {
            match tls::check_ca(ca) {
                Ok(infos) => found.extend(
                    infos
                        .iter()
                        .filter_map(|info| expiry(info, now))
                        .map(|(r, w)| (field.to_string(), r, w)),
                ),
                Err(err) => found.push((field.to_string(), unusable(&err), false)),
            }
        }
        found
    }
}

fn unusable(err: &TlsError) -> String {
    format!("{} {}", err.path.display(), err.reason)
}

/// An expired certificate (an error) or one expiring soon (a warning).
fn expiry(info: &CertificateInfo, now: i64) -> Option<(String, bool)> {
    let when = time::OffsetDateTime::from_unix_timestamp(info.not_after)
        .ok()
        .and_then(|at| {
            at.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| info.not_after.to_string());
    if info.not_after <= now {
        Some((
            format!("certificate {} expired at {when}", info.subject),
            false,
        ))
    } else if info.not_after - now <= EXPIRY_WARNING_DAYS * 86_400 {
        let days = (info.not_after - now) / 86_400;
        Some((
            format!(
                "warning: certificate {} expires at {when}, in {days} day(s)",
                info.subject
            ),
            true,
        ))
    } else {
        None
    }
}

/// Every `tls` table of the deployment: the engine's `[http.tls]`, and each channel's source
/// and destinations.
fn tls_tables(config: &Deployment) -> Vec<TlsTable> {
    let root = &config.root;
    let mut tables = Vec::new();
    if let Some(tls) = &config.engine.http.tls {
        tables.push(TlsTable::server(
            root.join(ENGINE_FILE),
            "http.tls".into(),
            tls,
            root,
        ));
    }
    for channel in &config.channels {
        // Whatever the connector, its `tls` table has one of the two shapes.
        let Ok(value) = serde_json::to_value(&channel.config) else {
            continue;
        };
        if let Some(tls) = value["source"].get("tls")
            && let Ok(tls) = serde_json::from_value::<ServerTlsConfig>(tls.clone())
        {
            tables.push(TlsTable::server(
                channel.file.clone(),
                "source.tls".into(),
                &tls,
                root,
            ));
        }
        let destinations = value["destinations"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for (i, destination) in destinations.iter().enumerate() {
            if let Some(tls) = destination.get("tls")
                && let Ok(tls) = serde_json::from_value::<ClientTlsConfig>(tls.clone())
            {
                tables.push(TlsTable::client(
                    channel.file.clone(),
                    format!("destinations[{i}].tls"),
                    &tls,
                    root,
                ));
            }
        }
    }
    tables
}

/// What is wrong with the deployment's TLS files, located in the configuration, each with
/// whether it is only a warning.
pub fn tls_findings(config: &Deployment) -> Vec<(Problem, bool)> {
    let now = tls::unix_now();
    let mut found = Vec::new();
    for table in tls_tables(config) {
        let text = std::fs::read_to_string(&table.file).unwrap_or_default();
        let doc = Document::parse(&table.file, &text).ok();
        for (field, reason, warning) in table.findings(now) {
            let field = format!("{}.{field}", table.field);
            let problem = match &doc {
                Some(doc) => doc.problem(field, reason),
                None => Problem {
                    file: table.file.clone(),
                    line: None,
                    field,
                    reason,
                },
            };
            found.push((problem, warning));
        }
    }
    found
}

/// `switchboard serve`: run the engine until SIGTERM or Ctrl-C.
pub fn serve(root: &Path) -> ExitCode {
    let Some(config) = load(root) else {
        return ExitCode::FAILURE;
    };
    init_logging(&config);
    let Some(rt) = runtime() else {
        return ExitCode::FAILURE;
    };
    let result = rt.block_on(async {
        let shutdown = serve::shutdown_on_signal();
        serve::run(config, shutdown).await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(%err, "engine stopped");
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

/// `switchboard migrate`: apply pending migrations and exit.
pub fn migrate(root: &Path) -> ExitCode {
    with_store(root, |config, _store| async move {
        println!("migrations applied to {}", redact(&config.store_url()));
        Ok(())
    })
}

/// `switchboard token create`: print only the new token on stdout.
pub fn token_create(root: &Path, role: Role, name: &str) -> ExitCode {
    let name = name.to_string();
    with_store(root, move |config, store| async move {
        let (_, token) = store
            .create_token(&name, role, config.engine.auth.token_ttl_days)
            .await?;
        println!("{token}");
        Ok(())
    })
}

/// `switchboard token list`: one line per token, never the secret.
pub fn token_list(root: &Path) -> ExitCode {
    with_store(root, |_config, store| async move {
        for token in store.list_tokens().await? {
            let state = match (token.revoked_at, token.expires_at) {
                (Some(_), _) => "revoked",
                (None, Some(at)) if at <= crate::store::now_millis() => "expired",
                _ => "active",
            };
            println!("{}\t{}\t{}\t{}", token.id, token.name, token.role, state);
        }
        Ok(())
    })
}

/// `switchboard token revoke NAME`.
pub fn token_revoke(root: &Path, name: &str) -> ExitCode {
    let name = name.to_string();
    with_store(root, move |_config, store| async move {
        if store.revoke_token(&name).await? {
            println!("revoked {name}");
            Ok(())
        } else {
            Err(crate::store::StoreError::NotFound(format!(
                "active token '{name}'"
            )))
        }
    })
}

/// Loads config, opens and migrates the store, runs `job`, and maps its outcome to an exit code.
fn with_store<F, Fut>(root: &Path, job: F) -> ExitCode
where
    F: FnOnce(Deployment, crate::store::Store) -> Fut,
    Fut: Future<Output = Result<(), crate::store::StoreError>>,
{
    let Some(config) = load(root) else {
        return ExitCode::FAILURE;
    };
    let Some(rt) = runtime() else {
        return ExitCode::FAILURE;
    };
    let result = rt.block_on(async {
        let store = serve::open_store(&config).await?;
        let outcome = job(config, store.clone()).await;
        store.close().await;
        outcome
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Hides a password in a database URL before it is printed.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

fn init_logging(config: &Deployment) {
    let filter = tracing_subscriber::EnvFilter::try_new(&config.engine.log.level)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = match config.engine.log.format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

/// How long `send` and `bench-mllp` wait for each acknowledgment.
const ACK_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// `switchboard send --mllp HOST:PORT [--ca PATH --cert PATH --key PATH] FILE...`: sends every
/// message of every file (a file may hold several) over MLLP, or MLLP over TLS with `tls`, and
/// prints each ACK. Exits 1 unless every message was accepted (AA or CA).
pub fn send(
    address: &str,
    tls: Option<crate::channel::mllp::ClientTls>,
    files: &[std::path::PathBuf],
) -> ExitCode {
    let Some(rt) = runtime() else {
        return ExitCode::FAILURE;
    };
    rt.block_on(async {
        let mut client = match tls {
            Some(tls) => crate::channel::mllp::MllpClient::with_tls(address, tls),
            None => crate::channel::mllp::MllpClient::new(address),
        };
        let (mut sent, mut accepted) = (0usize, 0usize);
        for file in files {
            let content = match std::fs::read(file) {
                Ok(content) => content,
                Err(err) => {
                    eprintln!("{}: {err}", file.display());
                    return ExitCode::FAILURE;
                }
            };
            for (i, message) in crate::hl7v2::batch::split_messages(&content)
                .iter()
                .enumerate()
            {
                sent += 1;
                println!("== {} message {}", file.display(), i + 1);
                match client.exchange(message, ACK_WAIT).await {
                    Ok(ack) => {
                        let text = String::from_utf8_lossy(&ack).replace('\r', "\n");
                        println!("{}", text.trim_end());
                        let code = crate::hl7v2::Message::parse(&ack)
                            .ok()
                            .and_then(|m| m.get("MSA-1").map(|c| c.into_owned()));
                        if matches!(code.as_deref(), Some("AA" | "CA")) {
                            accepted += 1;
                        }
                    }
                    Err(err) => println!("no acknowledgment: {err}"),
                }
            }
        }
        println!("{sent} sent, {accepted} accepted");
        if sent > 0 && sent == accepted {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }
    })
}

/// `switchboard payer-sim`: adjudicates an 837 as the payer in `payer_file` would and writes
/// the 835 to `out_835` (`remit.x12`), with the 999 and 277CA beside it (`remit.999.x12`,
/// `remit.277.x12`); each
/// file is written whole (temporary file, then rename), so an inbox never sees half of one.
pub fn payer_sim(
    payer_file: &Path,
    in_837: &Path,
    out_835: &Path,
    options: &crate::revenue::payer_sim::SimOptions,
) -> ExitCode {
    let payer = match crate::config::read_payer_file(payer_file) {
        Ok(payer) => payer,
        Err(errors) => {
            eprintln!("{errors}");
            return ExitCode::FAILURE;
        }
    };
    let raw = match std::fs::read(in_837) {
        Ok(raw) => raw,
        Err(err) => {
            eprintln!("{}: cannot read: {err}", in_837.display());
            return ExitCode::FAILURE;
        }
    };
    let files = match crate::revenue::payer_sim::adjudicate(&raw, &payer, options) {
        Ok(files) => files,
        Err(err) => {
            eprintln!("{}: {err}", in_837.display());
            return ExitCode::FAILURE;
        }
    };
    let beside = |kind: &str| {
        let stem = out_835.file_stem().unwrap_or_default().to_string_lossy();
        let extension = out_835
            .extension()
            .map_or_else(|| "x12".into(), |e| e.to_string_lossy());
        out_835.with_file_name(format!("{stem}.{kind}.{extension}"))
    };
    for (path, bytes) in [
        (beside("999"), &files.ack_999),
        (beside("277"), &files.ack_277ca),
        (out_835.to_path_buf(), &files.remittance_835),
    ] {
        if let Err(err) = crate::channel::file::write_atomically(&path, bytes) {
            eprintln!("{}: cannot write: {err}", path.display());
            return ExitCode::FAILURE;
        }
        println!("wrote {}", path.display());
    }
    for line in &files.summary {
        println!("{line}");
    }
    ExitCode::SUCCESS
}

/// `switchboard bench-mllp`: sends `messages` ADT messages (unique control ids) over
/// `connections` connections at once, each with up to `in_flight` messages sent and not yet
/// acknowledged (1: each waits for its ACK), and prints messages per second and latency
/// percentiles. With `drain`, it then waits until the queues of the engine (at `url`, or the
/// deployment's HTTP address) are empty and prints the rate from the first message sent to the
/// last delivery.
pub fn bench_mllp(
    root: &Path,
    address: &str,
    connections: usize,
    messages: usize,
    in_flight: usize,
    drain: bool,
    url: Option<String>,
) -> ExitCode {
    let drain = match drain.then(|| engine_base(root, url.as_deref())).transpose() {
        Ok(drain) => drain,
        Err(failure) => return failure.report(),
    };
    let Some(rt) = runtime() else {
        return ExitCode::FAILURE;
    };
    let connections = connections.max(1);
    let run = format!("{:x}", crate::store::now_millis());
    let result = rt.block_on(async {
        let started = std::time::Instant::now();
        let mut tasks = Vec::new();
        for connection in 0..connections {
            let address = address.to_string();
            let run = run.clone();
            let count = messages / connections + usize::from(connection < messages % connections);
            tasks.push(tokio::spawn(async move {
                // IN1-4 to IN1-36 (the member id).
                let to_member_id = "|".repeat(32);
                let message = |n: usize| {
                    format!(
                        "MSH|^~\\&|BENCH|HOSP|SB|SB|20261125120000||ADT^A08^ADT_A01|B{run}-{connection}-{n}|P|2.5\r\
                         EVN|A08|20261125120000\r\
                         PID|1||B{run}{connection}N{n}^^^HOSP^MR||Bench^Patient^Q||19700101|F|||1 Main St^^Springfield^IL^62701||555-0100\r\
                         PV1|1|O|CLINIC^1^1||||1234567893^Doctor^Dee||||||||||||V{run}{connection}N{n}\r\
                         IN1|1|PPO|ACME01|Acme Health{to_member_id}M{run}{connection}N{n}\r"
                    )
                };
                bench_connection(&address, count, in_flight.max(1), message).await
            }));
        }
        let mut latencies = Vec::with_capacity(messages);
        let mut failures = 0;
        for task in tasks {
            if let Ok((mut l, f)) = task.await {
                latencies.append(&mut l);
                failures += f;
            }
        }
        let acknowledged = started.elapsed();
        let drained = match &drain {
            Some(base) => Some(wait_for_empty_queues(base).await.map(|()| started.elapsed())),
            None => None,
        };
        (acknowledged, latencies, failures, drained)
    });
    let (elapsed, mut latencies, failures, drained) = result;
    latencies.sort();
    let percentile = |p: usize| {
        latencies
            .get((latencies.len() * p / 100).min(latencies.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    let rate = latencies.len() as f64 / elapsed.as_secs_f64().max(f64::EPSILON);
    println!(
        "{} acknowledged, {failures} failed, {connections} connection(s), {in_flight} in flight each, {:.2} s: {rate:.0} messages/s",
        latencies.len(),
        elapsed.as_secs_f64()
    );
    println!(
        "latency ms: p50 {:.2}  p90 {:.2}  p99 {:.2}  max {:.2}",
        percentile(50),
        percentile(90),
        percentile(99),
        latencies.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    );
    match drained {
        Some(Ok(drained)) => println!(
            "queues seen empty {:.2} s after the first message (queue counts refresh every 15 s at most): at least {:.0} messages/s stored and delivered",
            drained.as_secs_f64(),
            latencies.len() as f64 / drained.as_secs_f64().max(f64::EPSILON)
        ),
        Some(Err(why)) => {
            eprintln!("{why}");
            return ExitCode::FAILURE;
        }
        None => {}
    }
    if failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Polls the engine's `/metrics` at `base` until no delivery is pending in any queue, by queue
/// counts taken after this wait began (the engine refreshes them at most every 15 s, so the
/// moment found is up to that late); at most ten minutes.
async fn wait_for_empty_queues(base: &str) -> Result<(), String> {
    let url = format!("{base}/metrics");
    let client = reqwest::Client::new();
    let began = std::time::Instant::now();
    let deadline = began + std::time::Duration::from_secs(600);
    loop {
        let text = client
            .get(&url)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|err| format!("{url}: {err}"))?
            .text()
            .await
            .map_err(|err| format!("{url}: {err}"))?;
        let fresh = counts_age(&text).is_some_and(|age| age < began.elapsed().as_secs_f64());
        if fresh && pending_deliveries(&text) == 0 {
            return Ok(());
        }
        if std::time::Instant::now() > deadline {
            return Err(format!("{url}: queues still not empty after 10 minutes"));
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The age in seconds of the store counts `/metrics` shows (`None` before the first count).
fn counts_age(metrics: &str) -> Option<f64> {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix("switchboard_store_counts_age_seconds "))
        .and_then(|age| age.trim().parse::<f64>().ok())
        .filter(|age| *age >= 0.0)
}

/// Deliveries pending in all queues, from the Prometheus text of `/metrics`.
fn pending_deliveries(metrics: &str) -> u64 {
    metrics
        .lines()
        .filter(|line| {
            line.starts_with("switchboard_queue_depth{") && line.contains("status=\"pending\"")
        })
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .map(|depth| depth as u64)
        .sum()
}

/// One connection of `bench-mllp`: sends `count` messages made by `message`, keeping up to
/// `in_flight` unacknowledged, and returns the latency of each accepted one and the number
/// that failed.
async fn bench_connection(
    address: &str,
    count: usize,
    in_flight: usize,
    message: impl Fn(usize) -> String,
) -> (Vec<std::time::Duration>, usize) {
    use futures::{SinkExt, StreamExt};

    use crate::hl7v2::{MllpCodec, MllpFrame};

    let mut latencies = Vec::with_capacity(count);
    let stream = match tokio::net::TcpStream::connect(address).await {
        Ok(stream) => stream,
        Err(err) => {
            eprintln!("{address}: {err}");
            return (latencies, count);
        }
    };
    let _ = stream.set_nodelay(true);
    let mut framed = tokio_util::codec::Framed::new(stream, MllpCodec::new());
    let mut waiting = std::collections::VecDeque::with_capacity(in_flight);
    let mut next = 0;
    while next < count || !waiting.is_empty() {
        while next < count && waiting.len() < in_flight {
            if framed
                .feed(bytes::Bytes::from(message(next)))
                .await
                .is_err()
            {
                break;
            }
            waiting.push_back(std::time::Instant::now());
            next += 1;
        }
        let reply = match SinkExt::<bytes::Bytes>::flush(&mut framed).await {
            Ok(()) => tokio::time::timeout(ACK_WAIT, framed.next()).await,
            Err(_) => Ok(None),
        };
        let (Ok(Some(Ok(MllpFrame::Message(ack)))), Some(sent)) = (reply, waiting.pop_front())
        else {
            eprintln!("{address}: connection lost or no ACK");
            break;
        };
        if ack.windows(7).any(|w| w == b"MSA|AA|" || w == b"MSA|CA|") {
            latencies.push(sent.elapsed());
        }
    }
    let failures = count - latencies.len();
    (latencies, failures)
}

/// `switchboard parse FILE`: prints each message of the file as a tree with field names, then
/// the canonical records `mapping` makes of it (HL7 v2); X12 files print their segments and
/// JSON is pretty-printed.
pub fn parse(root: &Path, file: &Path, mapping: &str) -> ExitCode {
    let mut out = String::new();
    let code = parse_into(root, file, mapping, &mut out);
    // A closed pipe (`| head`) is not an error worth a message.
    let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), out.as_bytes());
    code
}

fn parse_into(root: &Path, file: &Path, mapping: &str, out: &mut String) -> ExitCode {
    use std::fmt::Write;
    let content = match std::fs::read(file) {
        Ok(content) => content,
        Err(err) => {
            eprintln!("{}: {err}", file.display());
            return ExitCode::FAILURE;
        }
    };
    let start = content
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(content.len());
    let body = &content[start..];
    if body.starts_with(b"ISA") {
        return print_x12(body, out);
    }
    if body.starts_with(b"{") {
        return match serde_json::from_slice::<serde_json::Value>(body) {
            Ok(json) => {
                let _ = writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&json).unwrap_or_default()
                );
                ExitCode::SUCCESS
            }
            Err(err) => {
                eprintln!(
                    "{}: line {} column {}: {err}",
                    file.display(),
                    err.line(),
                    err.column()
                );
                ExitCode::FAILURE
            }
        };
    }
    let mapping = match crate::mapping::Mapping::load(root, mapping) {
        Ok(mapping) => Some(mapping),
        Err(problem) => {
            eprintln!("(no canonical records: {problem})");
            None
        }
    };
    let mut ok = true;
    for (i, raw) in crate::hl7v2::batch::split_messages(&content)
        .iter()
        .enumerate()
    {
        let _ = writeln!(out, "== message {}", i + 1);
        match crate::hl7v2::Message::parse(raw) {
            Ok(message) => out.push_str(&crate::hl7v2::tree::render(&crate::hl7v2::tree::tree(
                &message,
            ))),
            Err(err) => {
                let _ = writeln!(out, "cannot parse: {err}");
                ok = false;
                continue;
            }
        }
        let Some(mapping) = &mapping else { continue };
        let records = crate::message::Message::read(raw)
            .map_err(|err| err.to_string())
            .and_then(|message| mapping.records(&message).map_err(|err| err.to_string()));
        match records {
            Ok(records) => writeln!(
                out,
                "-- canonical records\n{}",
                serde_json::to_string_pretty(&records).unwrap_or_default()
            )
            .unwrap_or_default(),
            Err(reason) => {
                let _ = writeln!(out, "-- canonical records: {reason}");
                ok = false;
            }
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn print_x12(body: &[u8], out: &mut String) -> ExitCode {
    use std::fmt::Write;
    let tokenizer = match crate::x12::Tokenizer::new(body) {
        Ok(tokenizer) => tokenizer,
        Err(err) => {
            eprintln!("{err}");
            return ExitCode::FAILURE;
        }
    };
    for segment in tokenizer {
        match segment {
            Ok(segment) => {
                let elements: Vec<String> = segment
                    .elements()
                    .enumerate()
                    .filter(|(_, e)| !e.is_empty())
                    .map(|(i, e)| format!("{}{:02}={}", segment.id(), i + 1, e.text()))
                    .collect();
                let _ = writeln!(
                    out,
                    "{:>5} {}  {}",
                    segment.ordinal(),
                    segment.id(),
                    elements.join("  ")
                );
            }
            Err(err) => {
                eprintln!("{err}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}

/// Exit code when the engine's API cannot be reached (connection refused, timeout).
const UNREACHABLE: u8 = 3;

/// Why a call to the engine's API gave no answer.
enum ApiFailure {
    /// The request was refused or invalid (a 4xx or 5xx answer, no token, bad config): exit 1.
    Refused(String),
    /// The engine did not answer: exit 3.
    Unreachable(String),
}

impl ApiFailure {
    /// Print the failure and give its exit code.
    fn report(self) -> ExitCode {
        match self {
            ApiFailure::Refused(why) => {
                eprintln!("{why}");
                ExitCode::FAILURE
            }
            ApiFailure::Unreachable(why) => {
                eprintln!("{why}");
                ExitCode::from(UNREACHABLE)
            }
        }
    }
}

/// The running engine's base URL: `url`, or the `[engine.http] listen` address of the
/// deployment at `root`.
fn engine_base(root: &Path, url: Option<&str>) -> Result<String, ApiFailure> {
    match url {
        Some(url) => Ok(url.trim_end_matches('/').to_string()),
        None => match Deployment::load(root) {
            Ok(config) => Ok(format!("http://{}", config.engine.http.listen)),
            Err(errors) => Err(ApiFailure::Refused(errors.to_string())),
        },
    }
}

/// The running engine's API: its base URL, the token and an HTTP client.
struct Engine {
    base: String,
    token: String,
    client: reqwest::Client,
}

impl Engine {
    /// The engine at `url`, or at the `[engine.http] listen` address of the deployment, with
    /// the token in `SWITCHBOARD_TOKEN`.
    fn new(root: &Path, url: Option<&str>) -> Result<Self, ApiFailure> {
        let Ok(token) = std::env::var("SWITCHBOARD_TOKEN") else {
            return Err(ApiFailure::Refused(
                "set SWITCHBOARD_TOKEN to an API token (switchboard token create --role operator --name ...)".into(),
            ));
        };
        let base = engine_base(root, url)?;
        let client = reqwest::Client::builder()
            .connect_timeout(std::time::Duration::from_secs(10))
            .timeout(std::time::Duration::from_secs(120))
            .build()
            .map_err(|err| ApiFailure::Refused(format!("HTTP client: {err}")))?;
        Ok(Engine {
            base,
            token,
            client,
        })
    }

    /// GET `path`, or POST `post` as JSON to it; the body of a 2xx answer.
    async fn call_text(
        &self,
        path: &str,
        post: Option<&serde_json::Value>,
    ) -> Result<String, ApiFailure> {
        let url = format!("{}{path}", self.base);
        let request = match post {
            Some(body) => self.client.post(&url).json(body),
            None => self.client.get(&url),
        };
        let unreachable = |err: reqwest::Error| {
            ApiFailure::Unreachable(format!("cannot reach the engine at {}: {err}", self.base))
        };
        let response = request
            .bearer_auth(&self.token)
            .send()
            .await
            .map_err(unreachable)?;
        let status = response.status();
        let body = response.text().await.map_err(unreachable)?;
        if status.is_success() {
            return Ok(body);
        }
        let why = match serde_json::from_str::<serde_json::Value>(&body) {
            Ok(value) => value
                .get("error")
                .and_then(serde_json::Value::as_str)
                .map_or_else(|| value.to_string(), str::to_string),
            Err(_) => body,
        };
        Err(ApiFailure::Refused(format!(
            "the engine answered {status}: {why}"
        )))
    }

    /// GET `path`, or POST `post` as JSON to it; the JSON answer of a 2xx status.
    async fn call(
        &self,
        path: &str,
        post: Option<&serde_json::Value>,
    ) -> Result<serde_json::Value, ApiFailure> {
        let body = self.call_text(path, post).await?;
        serde_json::from_str(&body).map_err(|err| {
            ApiFailure::Refused(format!("the engine's answer to {path} is not JSON: {err}"))
        })
    }

    /// Waits until every delivery of message `id` is sent, polling its record for at most
    /// `limit`; answers where each went (`channel/destination: file outbox/x12/NAME`). A
    /// delivery given up on, held, or still pending at the limit is a refusal.
    async fn delivered(
        &self,
        id: i64,
        limit: std::time::Duration,
    ) -> Result<Vec<String>, ApiFailure> {
        let deadline = std::time::Instant::now() + limit;
        loop {
            let record = self.call(&format!("/api/messages/{id}"), None).await?;
            let deliveries = record["deliveries"].as_array().cloned().unwrap_or_default();
            let status = |d: &serde_json::Value| d["status"].as_str().unwrap_or("").to_string();
            let failed = deliveries
                .iter()
                .find(|d| !matches!(status(d).as_str(), "sent" | "pending"));
            let pending = deliveries.iter().find(|d| status(d) == "pending");
            if let Some(delivery) =
                failed.or(pending.filter(|_| std::time::Instant::now() >= deadline))
            {
                return Err(ApiFailure::Refused(format!(
                    "message {id} to {}/{}: {} after {} attempt(s): {}",
                    delivery["channel"].as_str().unwrap_or("?"),
                    delivery["destination"].as_str().unwrap_or("?"),
                    status(delivery),
                    delivery["attempts"],
                    delivery["last_error"].as_str().unwrap_or("no error yet"),
                )));
            }
            if !deliveries.is_empty() && pending.is_none() {
                let mut places = Vec::new();
                for delivery in &deliveries {
                    places.push(self.place(&record, delivery).await?);
                }
                return Ok(places);
            }
            if std::time::Instant::now() >= deadline {
                return Err(ApiFailure::Refused(format!(
                    "message {id} has no delivery after {} s",
                    limit.as_secs()
                )));
            }
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        }
    }

    /// Where a sent delivery of `record` (a `/api/messages/{id}` answer) went: for a file
    /// destination the file under the engine's data folder, from the channel's configuration.
    async fn place(
        &self,
        record: &serde_json::Value,
        delivery: &serde_json::Value,
    ) -> Result<String, ApiFailure> {
        let channel = delivery["channel"].as_str().unwrap_or_default();
        let destination = delivery["destination"].as_str().unwrap_or_default();
        let sent_to = format!("{channel}/{destination}");
        let config = self
            .call_text(&format!("/api/channels/{channel}/config"), None)
            .await?;
        let Ok(config) = config.parse::<toml::Table>() else {
            return Ok(sent_to);
        };
        let file = config
            .get("destinations")
            .and_then(toml::Value::as_array)
            .into_iter()
            .flatten()
            .find(|d| d.get("name").and_then(toml::Value::as_str) == Some(destination))
            .filter(|d| d.get("type").and_then(toml::Value::as_str) == Some("file"));
        let Some(file) = file else {
            return Ok(sent_to);
        };
        let folder = file
            .get("folder")
            .and_then(toml::Value::as_str)
            .unwrap_or("");
        let template = file
            .get("name_template")
            .and_then(toml::Value::as_str)
            .map_or_else(crate::channel::file::default_name_template, str::to_string);
        if template.contains("{timestamp}") {
            return Ok(format!("{sent_to}: a file {template} in {folder}"));
        }
        let message = crate::channel::Outbound {
            delivery_id: delivery["id"].as_i64().unwrap_or_default(),
            message_id: record["message"]["id"].as_i64().unwrap_or_default(),
            channel: channel.to_string(),
            control_id: record["message"]["control_id"].as_str().map(str::to_string),
            content_type: String::new(),
            payload: Vec::new(),
        };
        let name = crate::channel::file::message_file_name(&template, &message);
        Ok(format!("{sent_to}: file {folder}/{name}"))
    }
}

/// Submit the payer's ready claims through the running engine and print the answer in
/// `format`; with `wait`, first wait that long at most for the batch to leave through its
/// channel, and print where it went. Exit codes as [`api`].
pub fn claims_submit(
    root: &Path,
    url: Option<&str>,
    payer: &str,
    format: table::Format,
    wait: Option<std::time::Duration>,
) -> ExitCode {
    let Some(rt) = runtime() else {
        return ExitCode::FAILURE;
    };
    let answer = rt.block_on(async {
        let engine = Engine::new(root, url)?;
        let path = format!("/api/claims/submit?payer={payer}");
        let mut answer = engine.call(&path, Some(&serde_json::Value::Null)).await?;
        let message = answer.get("message_id").and_then(serde_json::Value::as_i64);
        if let (Some(limit), Some(id), Some(fields)) = (wait, message, answer.as_object_mut()) {
            let places = engine.delivered(id, limit).await?;
            fields.insert("delivered".into(), places.into());
        }
        Ok(answer)
    });
    print_answer(answer, format)
}

/// Ask the claim's payer where claim `number` stands (a 276, answered by a 277) through the
/// running engine, waiting at most `timeout_seconds`, and print the answer in `format`. Exit
/// codes as [`api`].
pub fn claims_status(
    root: &Path,
    url: Option<&str>,
    number: &str,
    timeout_seconds: u64,
    format: table::Format,
) -> ExitCode {
    let Some(rt) = runtime() else {
        return ExitCode::FAILURE;
    };
    let answer = rt.block_on(async {
        let engine = Engine::new(root, url)?;
        let claims = engine.call("/api/claims?limit=1000", None).await?;
        let id = claims["claims"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|claim| claim["claim_number"] == number)
            .and_then(|claim| claim["id"].as_i64())
            .ok_or_else(|| {
                ApiFailure::Refused(format!("no claim {number} among the latest 1000"))
            })?;
        let path = format!("/api/claims/{id}/status?timeout_seconds={timeout_seconds}");
        engine.call(&path, Some(&serde_json::Value::Null)).await
    });
    print_answer(answer, format)
}

/// Call the running engine's API (GET `path`, or POST `post` to it) and print the answer in
/// `format`. Exit codes: 0 ok, 1 refused or invalid, 3 engine unreachable.
pub fn api(
    root: &Path,
    url: Option<&str>,
    path: &str,
    post: Option<serde_json::Value>,
    format: table::Format,
) -> ExitCode {
    let Some(rt) = runtime() else {
        return ExitCode::FAILURE;
    };
    let answer = rt.block_on(async {
        let engine = Engine::new(root, url)?;
        engine.call(path, post.as_ref()).await
    });
    print_answer(answer, format)
}

/// `switchboard transform test`: the channel's transform run by the engine on message
/// `message_id` or on the content of `file`; prints the output and the trail (or the JSON
/// answer), and fails when the message fails the transform.
pub fn transform_test(
    root: &Path,
    url: Option<&str>,
    channel: &str,
    message_id: Option<i64>,
    file: Option<&Path>,
    json: bool,
) -> ExitCode {
    let body = match (message_id, file) {
        (Some(id), _) => serde_json::json!({ "message_id": id }),
        (None, Some(file)) => match std::fs::read(file) {
            Ok(bytes) => {
                serde_json::json!({ "message": String::from_utf8_lossy(&bytes) })
            }
            Err(err) => {
                eprintln!("cannot read {}: {err}", file.display());
                return ExitCode::FAILURE;
            }
        },
        (None, None) => {
            eprintln!("give --message-id N or a FILE");
            return ExitCode::FAILURE;
        }
    };
    let Some(rt) = runtime() else {
        return ExitCode::FAILURE;
    };
    let path = format!("/api/channels/{channel}/transform/test");
    let answer = rt.block_on(async {
        let engine = Engine::new(root, url)?;
        engine.call(&path, Some(&body)).await
    });
    let trial = match answer {
        Ok(trial) => trial,
        Err(failure) => return failure.report(),
    };
    if json {
        println!("{trial:#}");
    } else {
        if let Some(output) = trial["output"].as_str() {
            let content_type = trial["content_type"].as_str().unwrap_or_default();
            println!("output ({content_type}):");
            println!("{}", output.replace('\r', "\n").trim_end());
        }
        println!("trail:");
        for line in trial["trail"].as_array().into_iter().flatten() {
            println!("  {}", line.as_str().unwrap_or_default());
        }
    }
    match trial["error"].as_str() {
        Some(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
        None => ExitCode::SUCCESS,
    }
}

/// Print an API answer in `format`, or the failure; the exit code.
fn print_answer(answer: Result<serde_json::Value, ApiFailure>, format: table::Format) -> ExitCode {
    match answer.map(|answer| table::render(&answer, format)) {
        Ok(Ok(text)) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Ok(Err(why)) => ApiFailure::Refused(why).report(),
        Err(failure) => failure.report(),
    }
}

#[cfg(test)]
mod tests {
    use super::{counts_age, pending_deliveries, redact};

    #[test]
    fn the_age_of_the_store_counts_is_read() {
        assert_eq!(
            counts_age("switchboard_store_counts_age_seconds 3.5\nswitchboard_up 1\n"),
            Some(3.5)
        );
        assert_eq!(
            counts_age("switchboard_store_counts_age_seconds -1\n"),
            None
        );
        assert_eq!(counts_age(""), None);
    }

    #[test]
    fn pending_deliveries_are_summed_over_queues() {
        let metrics = "# HELP switchboard_queue_depth Deliveries waiting.\n\
            switchboard_queue_depth{channel=\"a\",destination=\"x\",status=\"pending\"} 12\n\
            switchboard_queue_depth{channel=\"a\",destination=\"x\",status=\"dead\"} 3\n\
            switchboard_queue_depth{channel=\"b\",destination=\"y\",status=\"pending\"} 5\n";
        assert_eq!(pending_deliveries(metrics), 17);
        assert_eq!(pending_deliveries(""), 0);
    }

    #[test]
    fn passwords_are_hidden() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("sqlite:///x/y.db"), "sqlite:///x/y.db");
    }
}
