//! The `switchboard` binary as an operator uses it: check, token, serve with graceful shutdown.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_switchboard");

fn switchboard(root: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--root")
        .arg(root)
        .args(args)
        .env_remove("SWITCHBOARD_STORE_URL")
        .env_remove("SWITCHBOARD_HTTP_ADDR")
        .output()
        .expect("run switchboard")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn shipped_configuration_checks_clean() {
    let out = switchboard(Path::new(env!("CARGO_MANIFEST_DIR")), &["check"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).starts_with("ok: "),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn check_names_file_line_and_field_of_a_typo() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join("channels")).unwrap();
    std::fs::write(
        root.path().join("channels/adt.toml"),
        "name = \"adt\"\n\n[source]\ntype = \"mllp\"\nlisen = \"127.0.0.1:2575\"\n\n[[destinations]]\ntype = \"store\"\nname = \"db\"\n",
    )
    .unwrap();
    let out = switchboard(root.path(), &["check"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    let expected = format!(
        "{}:5: source.lisen: unknown field `lisen`",
        root.path().join("channels/adt.toml").display()
    );
    assert!(stderr.contains(&expected), "{stderr}");
}

#[test]
fn token_create_prints_only_the_token() {
    let root = tempfile::tempdir().unwrap();
    let out = switchboard(
        root.path(),
        &["token", "create", "--role", "admin", "--name", "ops"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    assert!(
        lines[0].starts_with("sbt_") && lines[0].len() == 68,
        "{stdout}"
    );

    let out = switchboard(root.path(), &["token", "list"]);
    assert!(
        text(&out.stdout).contains("ops\tadmin\tactive"),
        "{}",
        text(&out.stdout)
    );
    assert!(!text(&out.stdout).contains(lines[0]));
    let out = switchboard(root.path(), &["token", "revoke", "ops"]);
    assert!(out.status.success());
    let out = switchboard(root.path(), &["token", "list"]);
    assert!(text(&out.stdout).contains("ops\tadmin\trevoked"));
    let out = switchboard(
        root.path(),
        &["token", "create", "--role", "boss", "--name", "x"],
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("unknown role 'boss'"),
        "{}",
        text(&out.stderr)
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn serve_answers_health_and_stops_cleanly_on_sigterm() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join("config")).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("config/switchboard.toml"),
        root.path().join("config/switchboard.toml"),
    )
    .unwrap();
    let port = free_port();
    let mut child = Command::new(BIN)
        .arg("--root")
        .arg(root.path())
        .arg("serve")
        .env_remove("SWITCHBOARD_STORE_URL")
        .env("SWITCHBOARD_HTTP_ADDR", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let health = rt.block_on(async {
        let url = format!("http://127.0.0.1:{port}/health");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let client = reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap();
            if let Ok(response) = client.get(&url).send().await {
                return (response.status().as_u16(), response.text().await.unwrap());
            }
            assert!(Instant::now() < deadline, "engine did not come up on {url}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    assert_eq!(health.0, 200, "{}", health.1);
    assert!(health.1.contains("\"reachable\":true"), "{}", health.1);
    assert!(root.path().join("data/switchboard.db").exists());

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "engine did not stop after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
}

#[test]
fn parse_prints_a_named_tree_and_the_canonical_records() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = switchboard(root, &["parse", "samples/hl7v2/adt-a01-fhir-converter.hl7"]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("PID Patient Identification"), "{stdout}");
    assert!(
        stdout.contains("    PID-5.1 Family Name: EVERYMAN"),
        "{stdout}"
    );
    assert!(stdout.contains("-- canonical records"), "{stdout}");
    assert!(
        stdout.contains("\"visit_number\": \"40007716\""),
        "{stdout}"
    );
    let x12 = switchboard(root, &["parse", "samples/x12/835-managed-care.x12"]);
    assert!(
        text(&x12.stdout).contains("CLP01="),
        "{}",
        text(&x12.stdout)
    );
}
