//! Shared helpers for the integration tests: stores on every backend, a running engine.
#![allow(dead_code)]

pub mod corpus;
pub mod fhir;
pub mod hl7apy;
pub mod process;
pub mod proxy;
pub mod sshd;
pub mod x12_peer;

use std::sync::atomic::{AtomicU32, Ordering};

use switchboard::store::Store;

/// Environment variable naming the PostgreSQL server used by the tests.
pub const PG_URL_VAR: &str = "SWITCHBOARD_TEST_PG_URL";

/// A store for one test; a PostgreSQL one gets its own database, dropped afterwards.
pub struct TestStore {
    /// The store, migrated.
    pub store: Store,
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
    /// The database URL.
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    drop_database: Option<(String, String)>,
}

impl Drop for TestStore {
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.drop_database.take() else {
            return;
        };
        // Drop runs outside any runtime; use a private one on a helper thread.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                if let Ok(admin) = Store::connect(&admin_url, 1).await {
                    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    let _ = sqlx::query(sqlx::AssertSqlSafe(sql))
                        .execute(admin.pool())
                        .await;
                    admin.close().await;
                }
            });
        })
        .join();
    }
}

/// A fresh, migrated SQLite store in a temporary folder.
pub async fn sqlite_store() -> TestStore {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    let store = Store::connect(&url, 4).await.expect("open sqlite");
    store.migrate().await.expect("migrate sqlite");
    TestStore {
        store,
        backend: "sqlite",
        url,
        _dir: Some(dir),
        drop_database: None,
    }
}

/// Whether a peer program the tests drive is here: true when `present`; otherwise the test
/// is to be skipped, saying `what` is missing and how to `install` it, and under CI it fails.
pub fn peer_present(present: bool, what: &str, install: &str) -> bool {
    if !present {
        assert!(!in_ci(), "{what} is missing ({install})");
        eprintln!("skipping: {what} is missing ({install})");
    }
    present
}

/// Whether `program` runs with `args` (a version query) and succeeds.
pub fn command_runs(program: &str, args: &[&str]) -> bool {
    std::process::Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|out| out.status.success())
}

/// True when running under CI, where a missing service is a failure, not a skip.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// A fresh, migrated PostgreSQL store in its own database, or `None` when no server is
/// configured outside CI. Under CI a missing or unreachable server panics.
pub async fn postgres_store() -> Option<TestStore> {
    let Ok(base) = std::env::var(PG_URL_VAR) else {
        assert!(!in_ci(), "{PG_URL_VAR} must be set when CI is set");
        eprintln!("skipping PostgreSQL: {PG_URL_VAR} is not set");
        return None;
    };
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "sbtest_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        rand::random::<u32>()
    );
    let admin = Store::connect(&base, 1)
        .await
        .unwrap_or_else(|err| panic!("PostgreSQL at {base} is unreachable: {err}"));
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(admin.pool())
        .await
        .expect("create test database");
    admin.close().await;
    let url = with_database(&base, &name);
    let store = Store::connect(&url, 4).await.expect("open postgres");
    store.migrate().await.expect("migrate postgres");
    Some(TestStore {
        store,
        backend: "postgres",
        url,
        _dir: None,
        drop_database: Some((base, name)),
    })
}

/// Every backend available: SQLite always, PostgreSQL when configured (always under CI).
pub async fn all_stores() -> Vec<TestStore> {
    let mut stores = vec![sqlite_store().await];
    stores.extend(postgres_store().await);
    stores
}

/// `base` with its database name replaced by `name`.
pub fn with_database(base: &str, name: &str) -> String {
    let (without_query, query) = match base.split_once('?') {
        Some((url, query)) => (url, format!("?{query}")),
        None => (base, String::new()),
    };
    let authority_start = without_query.find("://").map_or(0, |i| i + 3);
    let prefix = match without_query[authority_start..].find('/') {
        Some(slash) => &without_query[..authority_start + slash],
        None => without_query,
    };
    format!("{prefix}/{name}{query}")
}

/// API state over `store` with an empty deployment root (no channels).
pub fn app_state(store: &Store) -> switchboard::api::AppState {
    let root = std::env::temp_dir();
    let config = switchboard::channel::deployment::Deployment::load_with_env(
        &root.join("switchboard-empty-root"),
        |_| None,
    )
    .expect("an empty root loads");
    let runtime = switchboard::channel::Runtime::new(store.clone(), &config);
    switchboard::api::AppState::new(runtime, config.root)
}

/// A free TCP port on 127.0.0.1 (bound and released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// An engine running in this process over a temporary deployment root.
pub struct Engine {
    /// The deployment root.
    pub root: tempfile::TempDir,
    /// Base URL of the HTTP API.
    pub url: String,
    /// An admin token.
    pub admin: String,
    /// The engine's store (a second pool on the same database).
    pub store: Store,
    shutdown: tokio_util::sync::CancellationToken,
    task: tokio::task::JoinHandle<()>,
}

impl Engine {
    /// Writes `files` (path relative to the root, contents) and starts the engine on them.
    pub async fn start(files: &[(&str, String)]) -> Engine {
        Engine::start_with(files, client()).await
    }

    /// [`Engine::start`], asking for `/health` with `health` (a client that trusts the test CA
    /// when the API serves HTTPS); `url` is `https://` then.
    pub async fn start_with(files: &[(&str, String)], health: reqwest::Client) -> Engine {
        let root = tempfile::tempdir().expect("temp root");
        let port = free_port();
        let mut files: Vec<(String, String)> = files
            .iter()
            .map(|(path, text)| (path.to_string(), text.clone()))
            .collect();
        if !files.iter().any(|(p, _)| p == "config/switchboard.toml") {
            files.push((
                "config/switchboard.toml".into(),
                format!("[http]\nlisten = \"127.0.0.1:{port}\"\n[log]\nlevel = \"warn\"\n"),
            ));
        }
        for (path, text) in &files {
            let path = root.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let config =
            switchboard::channel::deployment::Deployment::load_with_env(root.path(), |_| None)
                .unwrap_or_else(|errors| panic!("test configuration refused:\n{errors}"));
        let store = switchboard::serve::open_store(&config)
            .await
            .expect("store");
        let (_, admin) = store
            // Named per engine: engines started one after another may share a store.
            .create_token(
                &format!("test-admin-{}", rand::random::<u32>()),
                switchboard::store::tokens::Role::Admin,
                None,
            )
            .await
            .unwrap();
        let scheme = if config.engine.http.tls.is_some() {
            "https"
        } else {
            "http"
        };
        let url = format!("{scheme}://{}", config.engine.http.listen);
        let shutdown = tokio_util::sync::CancellationToken::new();
        let stop = shutdown.clone();
        let task = tokio::spawn(async move {
            if let Err(err) = switchboard::serve::run(config, stop).await {
                panic!("engine failed: {err}");
            }
        });
        let engine = Engine {
            root,
            url,
            admin,
            store,
            shutdown,
            task,
        };
        engine
            .eventually("the HTTP API answers", || async {
                health
                    .get(format!("{}/health", engine.url))
                    .send()
                    .await
                    .is_ok()
            })
            .await;
        engine
    }

    /// Waits up to 30 s for `check` to hold, polling.
    pub async fn eventually<F, Fut>(&self, what: &str, check: F)
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        eventually(what, std::time::Duration::from_secs(30), check).await
    }

    /// An authenticated request to the API (it fails after 30 s rather than hang).
    pub fn api(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        client()
            .request(method, format!("{}{path}", self.url))
            .bearer_auth(&self.admin)
    }

    /// `GET path` on the API as JSON.
    pub async fn get_json(&self, path: &str) -> serde_json::Value {
        self.api(reqwest::Method::GET, path)
            .send()
            .await
            .unwrap_or_else(|err| panic!("GET {path}: {err}"))
            .json()
            .await
            .unwrap_or_else(|err| panic!("GET {path}: not JSON: {err}"))
    }

    /// `GET path` on the API as text (`/metrics`, CSV reports).
    pub async fn get_text(&self, path: &str) -> String {
        self.api(reqwest::Method::GET, path)
            .send()
            .await
            .unwrap_or_else(|err| panic!("GET {path}: {err}"))
            .text()
            .await
            .unwrap_or_else(|err| panic!("GET {path}: {err}"))
    }

    /// `POST path` on the API (no body) as JSON.
    pub async fn post_json(&self, path: &str) -> serde_json::Value {
        self.api(reqwest::Method::POST, path)
            .send()
            .await
            .unwrap_or_else(|err| panic!("POST {path}: {err}"))
            .json()
            .await
            .unwrap_or_else(|err| panic!("POST {path}: not JSON: {err}"))
    }

    /// True when a patient with this identifier value is in the store.
    pub async fn has_patient(&self, identifier: &str) -> bool {
        !self
            .store
            .search_patients(&switchboard::store::canonical::PatientQuery {
                identifier: Some(identifier.to_string()),
                limit: 1,
                ..Default::default()
            })
            .await
            .unwrap()
            .is_empty()
    }

    /// The messages of one channel, newest first.
    pub async fn channel_messages(
        &self,
        channel: &str,
    ) -> Vec<switchboard::store::messages::MessageSummary> {
        self.store
            .search_messages(&switchboard::store::messages::MessageQuery {
                channel: Some(channel.to_string()),
                limit: 1000,
                ..Default::default()
            })
            .await
            .unwrap()
    }

    /// A path under the root.
    pub fn path(&self, relative: &str) -> std::path::PathBuf {
        self.root.path().join(relative)
    }

    /// Stops the engine and waits for it (a minute at most).
    pub async fn stop(self) {
        self.shutdown.cancel();
        tokio::time::timeout(std::time::Duration::from_secs(60), self.task)
            .await
            .expect("the engine stops within a minute")
            .expect("the engine task ends cleanly");
        self.store.close().await;
    }
}

/// The details of message `id`'s events of `kind`, oldest first.
pub async fn event_details(store: &Store, id: i64, kind: &str) -> Vec<String> {
    store
        .message_events(id)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == kind)
        .map(|e| e.detail.unwrap_or_default())
        .collect()
}

/// An HTTP client whose requests fail after 30 s instead of hanging a test.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .expect("an HTTP client")
}

/// Polls `check` until it holds or `limit` passes (then panics naming `what`); a check that
/// does not finish in time counts as not holding.
pub async fn eventually<F, Fut>(what: &str, limit: std::time::Duration, check: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + limit;
    loop {
        let remaining = deadline.saturating_duration_since(std::time::Instant::now());
        if tokio::time::timeout(remaining, check())
            .await
            .unwrap_or(false)
        {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting until {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The AMQP URL for tests, or `None` outside CI when unset. Under CI it must be set.
pub fn amqp_url() -> Option<String> {
    match std::env::var("SWITCHBOARD_TEST_AMQP_URL") {
        Ok(url) => Some(url),
        Err(_) => {
            assert!(
                !in_ci(),
                "SWITCHBOARD_TEST_AMQP_URL must be set when CI is set"
            );
            eprintln!("skipping RabbitMQ: SWITCHBOARD_TEST_AMQP_URL is not set");
            None
        }
    }
}

/// Files the files of a directory (names only), sorted.
pub fn file_names(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.path().is_file())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// The repository's own config/, channels/ and mappings/ (and config/payers/), with the HTTP
/// API moved to `http_port` and file channels polling every second.
pub fn shipped_files(http_port: u16) -> Vec<(String, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for folder in ["config", "config/payers", "channels", "mappings"] {
        for entry in std::fs::read_dir(root.join(folder)).unwrap().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !name.ends_with(".toml") {
                continue;
            }
            let mut text = std::fs::read_to_string(entry.path()).unwrap();
            if name == "switchboard.toml" {
                text = text.replace("127.0.0.1:8080", &format!("127.0.0.1:{http_port}"));
            }
            // Tests poll folders faster than the shipped five seconds.
            text = text.replace("poll_seconds = 5", "poll_seconds = 1");
            files.push((format!("{folder}/{name}"), text));
        }
    }
    files
}

/// The shipped files with every listener on a free port (the MLLP one on `mllp_port`, the
/// HL7 v2 HTTP one on `hl7_http_port`), so that the test runs beside other engines.
pub fn shipped_files_on_free_ports(mllp_port: u16, hl7_http_port: u16) -> Vec<(String, String)> {
    let moved = [
        ("127.0.0.1:2575", mllp_port),
        ("127.0.0.1:8081", hl7_http_port),
        ("127.0.0.1:8082", free_port()),
    ];
    shipped_files(free_port())
        .into_iter()
        .map(|(path, mut text)| {
            for (fixed, port) in moved {
                text = text.replace(fixed, &format!("127.0.0.1:{port}"));
            }
            (path, text)
        })
        .collect()
}

/// `files` (shipped ones) with the payer simulator as a destination of the payer's channel
/// (x12-outbox), answering Acme Health's 837s and 270s into the X12 inbox.
pub fn with_simulated_payer(files: &mut [(String, String)]) {
    let outbox = files
        .iter_mut()
        .find(|(path, _)| path == "channels/x12-outbox.toml")
        .expect("the shipped x12-outbox channel");
    outbox.1.push_str(
        "\n[[destinations]]\ntype = \"payer-sim\"\nname = \"acme\"\n\
         payer_file = \"config/payers/acme-health.toml\"\nfolder = \"inbox/x12\"\n",
    );
}

/// The published 835 example (tests/fixtures/x12/835-managed-care.x12) as its payer would
/// send it corrected: the example breaks its implementation guide (no payer technical contact
/// PER in 1000A, BPR16 dated 2000-23-16), so the engine refuses it as published.
pub fn corrected_835() -> String {
    let published = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/x12/835-managed-care.x12"),
    )
    .expect("the 835 example");
    published
        .replace(
            "N4*RAPID CITY*SD*55111~",
            "N4*RAPID CITY*SD*55111~\nPER*BL*EDI SUPPORT*TE*6055551212~",
        )
        .replace("*20002316~", "*20020316~")
}

/// An X12 interchange from the payer (ACMEHEALTH) to us: one transaction set of `set` with
/// these segments (`a:b` elements become composites).
pub fn from_payer(
    functional_id: &str,
    set: &str,
    version: &str,
    segments: &[Vec<&str>],
) -> Vec<u8> {
    let mut writer = switchboard::x12::SingleSetEnvelope {
        sender_qualifier: "ZZ".into(),
        sender_id: "ACMEHEALTH".into(),
        receiver_qualifier: "ZZ".into(),
        receiver_id: "SWITCHBOARD01".into(),
        date: switchboard::x12::Date::new(2026, 11, 25).unwrap(),
        time: switchboard::x12::Time::new(12, 0, None).unwrap(),
        usage: switchboard::x12::UsageIndicator::Test,
    }
    .begin(
        functional_id,
        set,
        version,
        rand::random::<u32>() % 900_000_000 + 1,
        7,
    )
    .unwrap();
    for segment in segments {
        let parts: Vec<Vec<&str>> = segment[1..]
            .iter()
            .map(|e| e.split(':').collect())
            .collect();
        let fields: Vec<switchboard::x12::Field<'_>> = parts
            .iter()
            .map(|p| {
                if p.len() > 1 {
                    switchboard::x12::Field::Composite(p)
                } else {
                    switchboard::x12::Field::Simple(p[0])
                }
            })
            .collect();
        writer.segment_fields(segment[0], &fields).unwrap();
    }
    writer.finish_single_set().unwrap()
}

/// The engine on the shipped configuration (HTTP on a free port), once MLLP listens on 2575.
pub async fn start_shipped() -> Engine {
    start_shipped_on(None).await
}

/// `files` (shipped ones) with the engine's store at `url`.
pub fn with_store(files: &mut [(String, String)], url: &str) {
    let config = files
        .iter_mut()
        .find(|(path, _)| path == "config/switchboard.toml")
        .expect("the shipped engine config");
    config.1 = config
        .1
        .replacen("[store]\n", &format!("[store]\nurl = \"{url}\"\n"), 1);
}

/// The engine on the shipped configuration with its store at `store_url` (default: SQLite).
pub async fn start_shipped_on(store_url: Option<&str>) -> Engine {
    let mut files = shipped_files(free_port());
    if let Some(url) = store_url {
        with_store(&mut files, url);
    }
    start_with_mllp(&files).await
}

/// The engine on `files`, once MLLP listens on 2575.
pub async fn start_with_mllp(files: &[(String, String)]) -> Engine {
    let borrowed: Vec<(&str, String)> =
        files.iter().map(|(p, t)| (p.as_str(), t.clone())).collect();
    let engine = Engine::start(&borrowed).await;
    engine
        .eventually("MLLP listens on 2575", || async {
            tokio::net::TcpStream::connect("127.0.0.1:2575")
                .await
                .is_ok()
        })
        .await;
    engine
}

/// Starts the engine binary on the deployment `root` with its HTTP API on `http_port` and its
/// output discarded; the caller stops or kills it.
pub fn spawn_engine(root: &std::path::Path, http_port: u16) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .arg("--root")
        .arg(root)
        .arg("serve")
        .env("SWITCHBOARD_HTTP_ADDR", format!("127.0.0.1:{http_port}"))
        .env_remove("SWITCHBOARD_STORE_URL")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start the engine")
}

/// Environment variable naming the MariaDB/MySQL server used by the tests.
pub const MYSQL_URL_VAR: &str = "SWITCHBOARD_TEST_MYSQL_URL";

/// The URL of a test service read from `variable`, or `None` outside CI when unset (with a
/// message naming `what` is skipped). Under CI it must be set.
pub fn service_url(variable: &str, what: &str) -> Option<String> {
    match std::env::var(variable) {
        Ok(url) => Some(url),
        Err(_) => {
            assert!(!in_ci(), "{variable} must be set when CI is set");
            eprintln!("skipping {what}: {variable} is not set");
            None
        }
    }
}

/// A message (its control id as its bytes) stored for `channel` and queued for `destination`:
/// its message id and delivery id.
pub async fn queued_delivery(
    store: &Store,
    channel: &str,
    destination: &str,
    control_id: &str,
) -> (i64, i64) {
    let message_id = store
        .insert_message(&switchboard::store::messages::NewMessage {
            channel,
            content_type: "text/plain",
            control_id: Some(control_id),
            resend_key: None,
            raw: control_id.as_bytes(),
        })
        .await
        .unwrap()
        .id();
    let ids = store
        .route_message(&switchboard::store::deliveries::Routing {
            message_id,
            channel,
            destinations: &[destination.to_string()],
            payload: None,
            trail: &[],
        })
        .await
        .unwrap();
    (message_id, ids[0])
}

/// What a [`recording_partner`] received: (control id, whether it was answered), in order.
pub type Received = std::sync::Arc<std::sync::Mutex<Vec<(String, bool)>>>;

/// An HTTP partner on `port` that records the control id (MSH-10) of every HL7 v2 request and,
/// while `hang` is set, never answers.
pub async fn recording_partner(
    port: u16,
    received: Received,
    hang: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> tokio::task::JoinHandle<()> {
    use std::sync::atomic::Ordering;
    let app = axum::Router::new().fallback(move |body: bytes::Bytes| {
        let (received, hang) = (received.clone(), hang.clone());
        async move {
            let text = String::from_utf8_lossy(&body).into_owned();
            let control = text.split('|').nth(9).unwrap_or_default().to_string();
            let hanging = hang.load(Ordering::SeqCst);
            received.lock().unwrap().push((control, !hanging));
            if hanging {
                std::future::pending::<()>().await;
            }
            axum::http::StatusCode::OK
        }
    });
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    })
}

/// How many times a [`recording_partner`] answered the message with control id `control`.
pub fn answered(received: &Received, control: &str) -> usize {
    received
        .lock()
        .unwrap()
        .iter()
        .filter(|(c, answered)| c == control && *answered)
        .count()
}

/// A deployment root made by `switchboard init` in `root`, with every shipped listener moved
/// to a free port and the inbox polled every second; its HTTP and MLLP ports.
pub fn init_on_free_ports(root: &std::path::Path) -> (u16, u16) {
    let init = std::process::Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .arg("init")
        .arg(root)
        .output()
        .expect("the binary runs");
    assert!(init.status.success(), "{init:?}");
    let (http_port, mllp_port) = (free_port(), free_port());
    let moves = [
        ("127.0.0.1:8080", http_port),
        ("127.0.0.1:2575", mllp_port),
        ("127.0.0.1:8081", free_port()),
        ("127.0.0.1:8082", free_port()),
    ];
    for folder in ["config", "channels"] {
        for entry in std::fs::read_dir(root.join(folder)).unwrap().flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "toml") {
                let mut text = std::fs::read_to_string(&path).unwrap();
                for (fixed, port) in moves {
                    text = text.replace(fixed, &format!("127.0.0.1:{port}"));
                }
                text = text.replace("poll_seconds = 5", "poll_seconds = 1");
                std::fs::write(&path, text).unwrap();
            }
        }
    }
    (http_port, mllp_port)
}

/// Waits (20 s at most) until the engine on `http_port` answers `/health` and MLLP listens on
/// `mllp_port`.
pub async fn wait_for_engine(http_port: u16, mllp_port: u16) {
    let client = client();
    let health = format!("http://127.0.0.1:{http_port}/health");
    eventually(
        "the engine answers /health and MLLP listens",
        std::time::Duration::from_secs(20),
        || {
            let client = client.clone();
            let health = health.clone();
            async move {
                let answered = client.get(&health).send().await;
                answered.is_ok_and(|a| a.status().is_success())
                    && tokio::net::TcpStream::connect(("127.0.0.1", mllp_port))
                        .await
                        .is_ok()
            }
        },
    )
    .await;
}

/// A receiving system: an MLLP listener that acknowledges each message (AA) and hands it on.
pub async fn acknowledging_peer(
    listener: tokio::net::TcpListener,
) -> tokio::sync::mpsc::UnboundedReceiver<Vec<u8>> {
    use futures::{SinkExt, StreamExt};
    use switchboard::hl7v2::{
        AckCode, AckDetails, Message, MllpCodec, MllpFrame, build_ack, next_control_id,
    };
    let (received, inbox) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let received = received.clone();
            tokio::spawn(async move {
                let mut framed = tokio_util::codec::Framed::new(stream, MllpCodec::new());
                while let Some(Ok(MllpFrame::Message(frame))) = framed.next().await {
                    let payload = frame.to_vec();
                    let message = Message::parse(&payload).expect("the peer gets HL7 v2");
                    let ack = build_ack(
                        &message,
                        &AckDetails {
                            code: AckCode::ApplicationAccept,
                            control_id: &next_control_id(),
                            timestamp: "20240315083001",
                            text: None,
                            errors: &[],
                        },
                    );
                    let _ = received.send(payload);
                    if framed.send(ack).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    inbox
}
