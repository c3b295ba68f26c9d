//! `switchboard doctor`: checks a deployment and its running engine, and says what to fix.
//! Each check prints `ok`, `warn` or `fail` with what it found and, unless ok, what to do.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use crate::channel::deployment::Deployment;
use crate::store::Store;

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Nothing to do.
    Ok,
    /// Works, but needs attention soon.
    Warn,
    /// Broken.
    Fail,
}

/// One check's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// How it came out.
    pub level: Level,
    /// What was checked (`config`, `engine`, `store`, ...).
    pub check: &'static str,
    /// What was found.
    pub found: String,
    /// What to do about it, unless ok.
    pub fix: Option<String>,
}

impl Finding {
    fn ok(check: &'static str, found: impl Into<String>) -> Self {
        Finding {
            level: Level::Ok,
            check,
            found: found.into(),
            fix: None,
        }
    }

    fn not_ok(level: Level, check: &'static str, found: impl Into<String>, fix: &str) -> Self {
        Finding {
            level,
            check,
            found: found.into(),
            fix: Some(fix.to_string()),
        }
    }
}

/// Free space under `data/` below which doctor warns, and fails.
const DISK_WARN_PERCENT: u64 = 10;
const DISK_FAIL_PERCENT: u64 = 2;

/// `switchboard doctor`: runs every check and prints them. Exit 3 when the engine does not
/// answer, 1 when any check fails, 0 otherwise (warnings included).
pub fn doctor(root: &Path) -> ExitCode {
    let config = match Deployment::load(root) {
        Ok(config) => config,
        Err(errors) => {
            print(&Finding::not_ok(
                Level::Fail,
                "config",
                format!("{} problem(s): {}", errors.0.len(), errors),
                "fix each file:line: field: reason (switchboard check lists them)",
            ));
            return ExitCode::FAILURE;
        }
    };
    let Ok(rt) = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    else {
        eprintln!("cannot start the async runtime");
        return ExitCode::FAILURE;
    };
    let findings = rt.block_on(run(&config));
    for finding in &findings {
        print(finding);
    }
    let engine_down = findings
        .iter()
        .any(|f| f.check == "engine" && f.level == Level::Fail);
    if engine_down {
        ExitCode::from(3)
    } else if findings.iter().any(|f| f.level == Level::Fail) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn print(finding: &Finding) {
    let level = match finding.level {
        Level::Ok => "ok",
        Level::Warn => "warn",
        Level::Fail => "fail",
    };
    println!("{level:<5} {:<12} {}", finding.check, finding.found);
    if let Some(fix) = &finding.fix {
        println!("{:<18} fix: {fix}", "");
    }
}

/// Every check of a loaded deployment.
pub async fn run(config: &Deployment) -> Vec<Finding> {
    let mut findings = vec![Finding::ok(
        "config",
        format!(
            "{} channel(s), {} payer(s) under {}",
            config.channels.len(),
            config.payers.len(),
            config.root.display()
        ),
    )];
    findings.extend(certificates(config));
    findings.push(engine(config).await);
    findings.extend(listeners(config).await);
    findings.extend(store(config).await);
    findings.push(disk(config));
    findings
}

/// Certificates, keys and CA bundles, as `switchboard check` reads them.
fn certificates(config: &Deployment) -> Vec<Finding> {
    let found = super::tls_findings(config);
    if found.is_empty() {
        return vec![Finding::ok(
            "certificates",
            "every TLS file readable and valid for more than 30 days (or none configured)",
        )];
    }
    found
        .into_iter()
        .map(|(problem, warning)| {
            let level = if warning { Level::Warn } else { Level::Fail };
            Finding::not_ok(
                level,
                "certificates",
                problem.to_string(),
                "renew or replace the file, then redeploy the channel (or restart for [http.tls])",
            )
        })
        .collect()
}

/// The engine's `/health`: answering, and its store reachable.
async fn engine(config: &Deployment) -> Finding {
    let url = format!("http://{}/health", config.engine.http.listen);
    let answer = match reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
    {
        Ok(client) => client.get(&url).send().await,
        Err(err) => {
            return Finding::not_ok(
                Level::Fail,
                "engine",
                format!("no HTTP client: {err}"),
                "check the system's TLS roots",
            );
        }
    };
    let body = match answer {
        Ok(answer) => answer.json::<serde_json::Value>().await,
        Err(err) => {
            return Finding::not_ok(
                Level::Fail,
                "engine",
                format!("not answering at {url}: {err}"),
                "start it: switchboard --root DIR serve (or see its log)",
            );
        }
    };
    match body {
        Ok(health) if health["store"]["reachable"] == true => Finding::ok(
            "engine",
            format!(
                "version {} answering at {url}, its {} store reachable",
                health["version"].as_str().unwrap_or("?"),
                health["store"]["backend"].as_str().unwrap_or("?")
            ),
        ),
        Ok(health) => Finding::not_ok(
            Level::Fail,
            "engine",
            format!(
                "answering, but its store is unreachable: {}",
                health["store"]["error"]
                    .as_str()
                    .unwrap_or("no reason given")
            ),
            "bring the database back; the engine reconnects by itself",
        ),
        Err(err) => Finding::not_ok(
            Level::Fail,
            "engine",
            format!("{url} answered something other than the engine's health: {err}"),
            "check that [http] listen in config/switchboard.toml is this engine's address",
        ),
    }
}

/// Every channel source that listens on a port accepts connections there.
async fn listeners(config: &Deployment) -> Vec<Finding> {
    let mut findings = Vec::new();
    for channel in &config.channels {
        let Ok(value) = serde_json::to_value(&channel.config) else {
            continue;
        };
        let Some(listen) = value["source"]["listen"].as_str() else {
            continue;
        };
        let name = &channel.config.name;
        let connected = tokio::time::timeout(
            Duration::from_secs(2),
            tokio::net::TcpStream::connect(listen),
        )
        .await;
        findings.push(match connected {
            Ok(Ok(_)) => Finding::ok("ports", format!("{name} listens on {listen}")),
            Ok(Err(err)) => Finding::not_ok(
                Level::Fail,
                "ports",
                format!("{name}: nothing accepts connections on {listen}: {err}"),
                "start the channel (POST /api/channels/NAME/start), or free the port and redeploy it",
            ),
            Err(_) => Finding::not_ok(
                Level::Fail,
                "ports",
                format!("{name}: {listen} does not accept a connection within 2 s"),
                "check the engine's connection limits and the host's firewall",
            ),
        });
    }
    findings
}

/// The store, opened as the engine opens it (without migrating): reachable, migrations
/// current, and its queues.
async fn store(config: &Deployment) -> Vec<Finding> {
    let url = config.store_url();
    if let Some(path) = url.strip_prefix("sqlite://")
        && !Path::new(path.split('?').next().unwrap_or(path)).exists()
    {
        return vec![Finding::not_ok(
            Level::Fail,
            "store",
            format!("no database file at {path}"),
            "start the engine once (switchboard serve), or run switchboard migrate",
        )];
    }
    let store = match Store::connect_with(&url, 2, config.engine.store.sqlite_synchronous).await {
        Ok(store) => store,
        Err(err) => {
            return vec![Finding::not_ok(
                Level::Fail,
                "store",
                format!("cannot open {}: {err}", super::redact(&url)),
                "check [store] url in config/switchboard.toml and that the database is up",
            )];
        }
    };
    let mut findings = Vec::new();
    match store.ping().await {
        Ok(()) => findings.push(Finding::ok(
            "store",
            format!("{} reachable", super::redact(&url)),
        )),
        Err(err) => {
            findings.push(Finding::not_ok(
                Level::Fail,
                "store",
                format!("{} does not answer: {err}", super::redact(&url)),
                "bring the database back up",
            ));
            store.close().await;
            return findings;
        }
    }
    findings.push(match store.pending_migrations().await {
        Ok(pending) if pending.is_empty() => Finding::ok("migrations", "all applied"),
        Ok(pending) => Finding::not_ok(
            Level::Fail,
            "migrations",
            format!("{} pending: {}", pending.len(), pending.join(", ")),
            "run switchboard migrate (serve applies them at start)",
        ),
        Err(err) => Finding::not_ok(
            Level::Fail,
            "migrations",
            format!("cannot read them: {err}"),
            "run switchboard migrate",
        ),
    });
    findings.push(match store.queue_depths().await {
        Ok(depths) => queues(&depths),
        Err(err) => Finding::not_ok(
            Level::Fail,
            "queues",
            format!("cannot read them: {err}"),
            "check the store",
        ),
    });
    store.close().await;
    findings
}

/// Pending, held and dead deliveries over every destination.
fn queues(depths: &[(String, String, crate::store::deliveries::QueueDepth)]) -> Finding {
    let pending: i64 = depths.iter().map(|(_, _, d)| d.pending).sum();
    let held: i64 = depths.iter().map(|(_, _, d)| d.held).sum();
    let dead: i64 = depths.iter().map(|(_, _, d)| d.dead).sum();
    let stuck: Vec<String> = depths
        .iter()
        .filter(|(_, _, d)| d.held > 0 || d.dead > 0)
        .map(|(channel, destination, d)| {
            format!("{channel}/{destination} ({} held, {} dead)", d.held, d.dead)
        })
        .collect();
    let found = format!(
        "{pending} pending, {held} held, {dead} dead over {} destination(s)",
        depths.len()
    );
    if stuck.is_empty() {
        Finding::ok("queues", found)
    } else {
        Finding::not_ok(
            Level::Warn,
            "queues",
            format!("{found}: {}", stuck.join(", ")),
            "see why in the console's dead letters (GET /api/dead-letters), fix the destination, then replay them",
        )
    }
}

/// Free space on the file system of `data/`.
fn disk(config: &Deployment) -> Finding {
    let data = config.data_dir();
    let at = if data.exists() {
        data.clone()
    } else {
        config.root.clone()
    };
    let stats = match rustix::fs::statvfs(&at) {
        Ok(stats) => stats,
        Err(err) => {
            return Finding::not_ok(
                Level::Fail,
                "disk",
                format!("cannot read the free space of {}: {err}", at.display()),
                "check that the folder exists and is readable",
            );
        }
    };
    let block = stats.f_frsize.max(1);
    let free = stats.f_bavail.saturating_mul(block);
    let total = stats.f_blocks.saturating_mul(block).max(1);
    let percent = free.saturating_mul(100) / total;
    let found = format!(
        "{} MiB free of {} MiB ({percent}%) under {}",
        free / (1 << 20),
        total / (1 << 20),
        at.display()
    );
    let fix = "free space or grow the volume; the retention job prunes old messages ([retention])";
    if percent < DISK_FAIL_PERCENT {
        Finding::not_ok(Level::Fail, "disk", found, fix)
    } else if percent < DISK_WARN_PERCENT {
        Finding::not_ok(Level::Warn, "disk", found, fix)
    } else {
        Finding::ok("disk", found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::deliveries::QueueDepth;

    fn depth(pending: i64, held: i64, dead: i64) -> QueueDepth {
        QueueDepth {
            pending,
            held,
            dead,
        }
    }

    #[test]
    fn dead_or_held_deliveries_are_a_warning_naming_their_destination() {
        let calm = queues(&[("adt".into(), "canonical".into(), depth(3, 0, 0))]);
        assert_eq!(calm.level, Level::Ok);
        assert_eq!(
            calm.found,
            "3 pending, 0 held, 0 dead over 1 destination(s)"
        );
        let stuck = queues(&[
            ("adt".into(), "canonical".into(), depth(0, 0, 0)),
            ("outbox".into(), "payer".into(), depth(1, 1, 2)),
        ]);
        assert_eq!(stuck.level, Level::Warn);
        assert!(
            stuck.found.ends_with("outbox/payer (1 held, 2 dead)"),
            "{}",
            stuck.found
        );
        assert!(stuck.fix.is_some());
    }
}
