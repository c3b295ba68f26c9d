//! The `database` source and destination end to end, against real PostgreSQL
//! (`SWITCHBOARD_TEST_PG_URL`), MariaDB/MySQL (`SWITCHBOARD_TEST_MYSQL_URL`) and SQLite files.
//! Each test works in tables of its own and drops them afterwards.

mod common;

use std::time::Duration;

use common::{Engine, MYSQL_URL_VAR, PG_URL_VAR, service_url};
use sqlx::AnyPool;
use switchboard::store::deliveries::{Delivery, DeliveryStatus};

/// A database the test writes its tables in, and the URL a channel reaches it by.
struct Db {
    /// `postgres`, `mysql` or `sqlite`.
    kind: &'static str,
    /// The URL in the channel file.
    url: String,
    /// The test's own connection.
    pool: AnyPool,
}

impl Db {
    async fn open(kind: &'static str, url: &str, channel_url: String) -> Db {
        sqlx::any::install_default_drivers();
        let pool = AnyPool::connect(url)
            .await
            .unwrap_or_else(|err| panic!("{kind} at {url} is unreachable: {err}"));
        Db {
            kind,
            url: channel_url,
            pool,
        }
    }

    /// The servers configured (both under CI).
    async fn servers() -> Vec<Db> {
        let mut servers = Vec::new();
        for (kind, variable) in [("postgres", PG_URL_VAR), ("mysql", MYSQL_URL_VAR)] {
            if let Some(url) = service_url(variable, kind) {
                servers.push(Db::open(kind, &url, url.clone()).await);
            }
        }
        servers
    }

    /// A SQLite file `name` in the engine's data directory.
    async fn sqlite(engine: &Engine, name: &str) -> Db {
        let path = engine.path("data").join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let url = format!("sqlite://{}?mode=rwc", path.display());
        Db::open("sqlite", &url, format!("sqlite:{name}")).await
    }

    async fn run(&self, sql: &str) {
        sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&self.pool)
            .await
            .unwrap_or_else(|err| panic!("{}: {sql}: {err}", self.kind));
    }

    async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_one(&self.pool)
            .await
            .unwrap_or_else(|err| panic!("{}: {sql}: {err}", self.kind))
    }

    /// Drops the test's table from a server (a SQLite file goes with the engine's root).
    async fn drop_table(self, table: &str) {
        if self.kind != "sqlite" {
            self.run(&format!("DROP TABLE {table}")).await;
        }
        self.pool.close().await;
    }
}

/// A table name no other test run uses.
fn table(prefix: &str) -> String {
    format!(
        "sb_{prefix}_{}_{}",
        std::process::id(),
        rand::random::<u32>()
    )
}

/// Creates an outbox of three unread rows (one with a NULL name).
async fn outbox(db: &Db, table: &str) {
    db.run(&format!(
        "CREATE TABLE {table} (id INTEGER PRIMARY KEY, name VARCHAR(40), amount DOUBLE PRECISION, \
         created DATE, flag BOOLEAN, done INTEGER NOT NULL)"
    ))
    .await;
    db.run(&format!(
        "INSERT INTO {table} (id, name, amount, created, flag, done) VALUES \
         (1, 'Ann', 1.5, '2024-05-01', TRUE, 0), (2, NULL, 2.25, '2024-05-02', FALSE, 0), \
         (3, 'it''s :id', -3.0, '2024-05-03', TRUE, 0)"
    ))
    .await;
}

/// A channel reading `table` through `url`, writing each message to `data/out/`.
fn source_channel(url: &str, table: &str, after: &str) -> String {
    format!(
        "name = \"outbox\"\n[source]\ntype = \"database\"\nurl = \"{url}\"\n\
         query = \"SELECT id, name, amount, created, flag FROM {table} WHERE done = 0 ORDER BY id\"\n\
         after = \"{after}\"\nkey = \"id\"\npoll_seconds = 1\nbatch_size = 2\n\
         [[destinations]]\ntype = \"file\"\nname = \"out\"\nfolder = \"out\"\nname_template = \"{{control_id}}.json\"\n"
    )
}

/// Waits until every row of `table` is marked done.
async fn all_marked(engine: &Engine, db: &Db, table: &str) {
    let sql = format!("SELECT COUNT(*) FROM {table} WHERE done = 1");
    engine
        .eventually("the after statement marks every row", || async {
            db.count(&sql).await == 3
        })
        .await;
}

/// The control ids (row keys) of the outbox channel's messages, sorted.
async fn row_ids(engine: &Engine) -> Vec<String> {
    let mut ids: Vec<_> = engine
        .channel_messages("outbox")
        .await
        .into_iter()
        .map(|m| m.control_id.unwrap_or_default())
        .collect();
    ids.sort();
    ids
}

/// Reads the rows of a fresh outbox in `db` and checks the messages.
async fn rows_become_messages(engine: &Engine, db: &Db, table: &str) {
    outbox(db, table).await;
    all_marked(engine, db, table).await;
    assert_eq!(row_ids(engine).await, ["1", "2", "3"], "{}", db.kind);
    let messages = engine.channel_messages("outbox").await;
    assert!(
        messages
            .iter()
            .all(|m| m.content_type == "application/json"),
        "{messages:?}"
    );
    let out = |id: u32| engine.path(&format!("data/out/{id}.json"));
    engine
        .eventually("the rows are written out", || async { out(3).exists() })
        .await;
    let row = |id: u32| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(out(id)).unwrap()).unwrap()
    };
    assert_eq!(
        row(1),
        serde_json::json!({"id": 1, "name": "Ann", "amount": 1.5, "created": "2024-05-01", "flag": true}),
        "{}",
        db.kind
    );
    assert_eq!(row(2)["name"], serde_json::Value::Null, "{}", db.kind);
    assert_eq!(row(2)["flag"], false, "{}", db.kind);
    assert_eq!(row(3)["name"], "it's :id", "{}", db.kind);
}

#[tokio::test]
async fn a_source_stores_each_row_once_and_marks_it() {
    for server in Db::servers().await {
        let name = table("outbox");
        let channel = source_channel(
            &server.url,
            &name,
            &format!("UPDATE {name} SET done = 1 WHERE id = :id"),
        );
        let engine = Engine::start(&[("channels/outbox.toml", channel)]).await;
        rows_become_messages(&engine, &server, &name).await;
        engine.stop().await;
        server.drop_table(&name).await;
    }
    let name = table("outbox");
    let channel = source_channel(
        "sqlite:outbox.db",
        &name,
        &format!("UPDATE {name} SET done = 1 WHERE id = :id"),
    );
    let engine = Engine::start(&[("channels/outbox.toml", channel)]).await;
    let file = Db::sqlite(&engine, "outbox.db").await;
    rows_become_messages(&engine, &file, &name).await;
    file.drop_table(&name).await;
    engine.stop().await;
}

/// The engine's own configuration: HTTP on a free port and the store at `store_url`.
fn engine_config(store_url: &str) -> (&'static str, String) {
    let port = common::free_port();
    (
        "config/switchboard.toml",
        format!(
            "[http]\nlisten = \"127.0.0.1:{port}\"\n[log]\nlevel = \"warn\"\n[store]\nurl = \"{store_url}\"\n"
        ),
    )
}

#[tokio::test]
async fn a_row_read_again_after_a_restart_is_not_stored_twice() {
    for server in Db::servers().await {
        // Both engines share one store: a PostgreSQL database of the test's own.
        let Some(store) = common::postgres_store().await else {
            return;
        };
        let name = table("restart");
        outbox(&server, &name).await;
        // The first engine stores the first row, but its after statement fails (no `marked_by`
        // column yet): as if it had stopped between the two. Each poll reads the row again.
        let after = format!("UPDATE {name} SET done = 1, marked_by = 'engine' WHERE id = :id");
        let files = [
            engine_config(&store.url),
            (
                "channels/outbox.toml",
                source_channel(&server.url, &name, &after),
            ),
        ];
        let first = Engine::start(&files).await;
        first
            .eventually("the first row is stored", || async {
                first.channel_messages("outbox").await.len() == 1
            })
            .await;
        // A few more polls read the same row again.
        tokio::time::sleep(Duration::from_millis(2500)).await;
        assert_eq!(first.channel_messages("outbox").await.len(), 1);
        first.stop().await;
        let unmarked = format!("SELECT COUNT(*) FROM {name} WHERE done = 0");
        assert_eq!(server.count(&unmarked).await, 3, "{}", server.kind);

        server
            .run(&format!(
                "ALTER TABLE {name} ADD marked_by VARCHAR(20) NULL"
            ))
            .await;
        let files = [
            engine_config(&store.url),
            (
                "channels/outbox.toml",
                source_channel(&server.url, &name, &after),
            ),
        ];
        let second = Engine::start(&files).await;
        all_marked(&second, &server, &name).await;
        let ids = row_ids(&second).await;
        assert_eq!(ids, ["1", "2", "3"], "{}: each row once", server.kind);
        second.stop().await;
        server.drop_table(&name).await;
    }
}

const ADT: &str = "MSH|^~\\&|EHR|HOSP|SB|SB|20261125||ADT^A01|CTRL-{n}|P|2.5\rPID|1||MRN{mrn}^^^HOSP^MR||Doe^Jane{n}\rPV1|1|I\r";

/// A channel taking HL7 v2 over HTTP on `port` and writing patients into `table` via `url`.
fn writer_channel(port: u16, url: &str, table: &str) -> String {
    format!(
        "name = \"adt\"\n[source]\ntype = \"http\"\nlisten = \"127.0.0.1:{port}\"\nallow_anonymous = true\n\
         [[destinations]]\ntype = \"database\"\nname = \"patients\"\nurl = \"{url}\"\nconnect_timeout_seconds = 1\n\
         statement = \"INSERT INTO {table} (mrn, family, given, control_id) VALUES (:mrn, :family, :given, :control)\"\n\
         params = {{ mrn = \"PID-3.1\", family = \"PID-5.1\", given = \"PID-5.2\", control = \"control_id\" }}\n\
         queue = {{ max_attempts = 10, initial_backoff_ms = 100, max_backoff_ms = 200 }}\n"
    )
}

/// Posts ADT message `n` for patient `mrn` and returns its stored id.
async fn post_adt(engine: &Engine, port: u16, n: u32, mrn: u32) -> i64 {
    let body = ADT
        .replace("{n}", &n.to_string())
        .replace("{mrn}", &mrn.to_string());
    engine
        .eventually("the channel takes the message", || async {
            common::client()
                .post(format!("http://127.0.0.1:{port}/"))
                .body(body.clone())
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
        })
        .await;
    let control = format!("CTRL-{n}");
    engine
        .channel_messages("adt")
        .await
        .into_iter()
        .find(|m| m.control_id.as_deref() == Some(control.as_str()))
        .expect("the message is stored")
        .id
}

/// The one delivery of a message, once it satisfies `done`.
async fn delivery_when(engine: &Engine, id: i64, done: impl Fn(&Delivery) -> bool) -> Delivery {
    let found = std::sync::Mutex::new(None);
    engine
        .eventually("the delivery gets where it should", || async {
            let deliveries = engine.store.message_deliveries(id).await.unwrap();
            let hit = deliveries.into_iter().find(&done);
            let ok = hit.is_some();
            *found.lock().unwrap() = hit;
            ok
        })
        .await;
    found.into_inner().unwrap().unwrap()
}

/// Writes a patient, then dead-letters a second message for the same patient at once.
async fn writes_patients(engine: &Engine, port: u16, db: &Db, table: &str) {
    let first = post_adt(engine, port, 1, 100).await;
    let sent = delivery_when(engine, first, |d| d.status == DeliveryStatus::Sent).await;
    assert_eq!(sent.attempts, 1, "{}", db.kind);
    let sql = format!(
        "SELECT COUNT(*) FROM {table} WHERE mrn = 'MRN100' AND family = 'Doe' AND given = 'Jane1' AND control_id = 'CTRL-1'"
    );
    assert_eq!(db.count(&sql).await, 1, "{}", db.kind);
    // The same MRN again: the primary key refuses it, and that will not change by retrying.
    let second = post_adt(engine, port, 2, 100).await;
    let dead = delivery_when(engine, second, |d| d.status == DeliveryStatus::Dead).await;
    assert_eq!(dead.attempts, 1, "{}: dead-lettered at once", db.kind);
    assert!(dead.last_error.is_some(), "{dead:?}");
}

#[tokio::test]
async fn a_destination_writes_hl7_values_and_dead_letters_a_constraint_violation() {
    let create = |table: &str| {
        format!(
            "CREATE TABLE {table} (mrn VARCHAR(20) PRIMARY KEY, family VARCHAR(40), given VARCHAR(40), control_id VARCHAR(40))"
        )
    };
    for server in Db::servers().await {
        let name = table("patients");
        server.run(&create(&name)).await;
        let port = common::free_port();
        let channel = writer_channel(port, &server.url, &name);
        let engine = Engine::start(&[("channels/adt.toml", channel)]).await;
        writes_patients(&engine, port, &server, &name).await;
        engine.stop().await;
        server.drop_table(&name).await;
    }
    let name = table("patients");
    let port = common::free_port();
    let channel = writer_channel(port, "sqlite:patients.db", &name);
    let engine = Engine::start(&[("channels/adt.toml", channel)]).await;
    let file = Db::sqlite(&engine, "patients.db").await;
    file.run(&create(&name)).await;
    writes_patients(&engine, port, &file, &name).await;
    file.drop_table(&name).await;
    engine.stop().await;
}

#[tokio::test]
async fn a_refused_connection_is_retried() {
    // Nothing listens on this port.
    let closed = common::free_port();
    let port = common::free_port();
    let url = format!("postgres://switchboard@127.0.0.1:{closed}/test");
    let channel = writer_channel(port, &url, "patients");
    let engine = Engine::start(&[("channels/adt.toml", channel)]).await;
    let id = post_adt(&engine, port, 1, 100).await;
    let retried = delivery_when(&engine, id, |d| d.attempts >= 2).await;
    assert_eq!(retried.status, DeliveryStatus::Pending, "{retried:?}");
    engine.stop().await;
}

#[test]
fn check_refuses_literal_passwords_and_unknown_or_missing_placeholders() {
    let root = tempfile::tempdir().unwrap();
    let channels = root.path().join("channels");
    std::fs::create_dir_all(&channels).unwrap();
    std::fs::write(
        channels.join("reader.toml"),
        "name = \"reader\"\n[source]\ntype = \"database\"\nurl = \"postgres://sb:hunter2@127.0.0.1/test\"\n\
         query = \"SELECT id, body FROM outbox\"\nafter = \"UPDATE outbox SET read = 1 WHERE id = :ident\"\n\
         [[destinations]]\ntype = \"file\"\nname = \"out\"\nfolder = \"out\"\n",
    )
    .unwrap();
    std::fs::write(
        channels.join("writer.toml"),
        "name = \"writer\"\n[source]\ntype = \"file\"\nfolder = \"in\"\n\
         [[destinations]]\ntype = \"database\"\nname = \"db\"\nurl = \"mysql://sb:${DB_PASSWORD}@127.0.0.1/test\"\n\
         statement = \"INSERT INTO p (mrn, name) VALUES (:mrn, :name)\"\n\
         params = { mrn = \"PID-3.1\", nmae = \"PID-5.1\" }\n",
    )
    .unwrap();
    let errors = switchboard::channel::deployment::Deployment::load_with_env(root.path(), |_| None)
        .unwrap_err()
        .to_string();
    for expected in [
        "reader.toml:4: source.url: a password must not be written in the URL",
        "reader.toml:6: source.after: unknown placeholder :ident",
        "writer.toml:10: destinations[0].params: no value for :name",
        "destinations[0].params.nmae: unknown placeholder",
    ] {
        assert!(errors.contains(expected), "{expected} not in:\n{errors}");
    }
    // The writer's password comes from the environment: not refused.
    assert!(!errors.contains("writer.toml:8"), "{errors}");
}

#[test]
fn the_examples_pass_the_check() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for name in ["database-writer.toml", "database-reader.toml"] {
        let file = root.join("channels/examples").join(name);
        let text = std::fs::read_to_string(&file).unwrap();
        if let Err(problems) = switchboard::channel::deployment::parse_channel(root, &file, &text) {
            panic!("{name}: {problems:?}");
        }
    }
}
