//! The `switchboard` binary as an operator uses it: check, token, serve with graceful shutdown,
//! the API commands' tables, JSON and CSV, exit codes, shell completions.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::free_port;

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

/// The shipped engine on free ports, with one visit billed to HMO1; and its MLLP address.
async fn engine_with_a_bill() -> (common::Engine, String) {
    let mllp = format!("127.0.0.1:{}", common::free_port());
    let files = common::shipped_files_on_free_ports(
        mllp.rsplit(':').next().unwrap().parse().unwrap(),
        common::free_port(),
    );
    let borrowed: Vec<(&str, String)> =
        files.iter().map(|(p, t)| (p.as_str(), t.clone())).collect();
    let engine = common::Engine::start(&borrowed).await;
    bill_visit(&engine, &mllp, "MRN100").await;
    (engine, mllp)
}

/// Sends the sample visit over MLLP for patient `mrn` (a new patient, visit and charges unless
/// it is the sample's MRN100) and waits until its bill is stored.
async fn bill_visit(engine: &common::Engine, mllp: &str, mrn: &str) {
    let visit = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/hl7v2/dft-p03-switchboard.hl7"),
    )
    .unwrap()
    .replace("MRN100", mrn)
    .replace("DFT-SAMPLE-0001", &format!("DFT-{mrn}"))
    .replace("|V5001|", &format!("|V-{mrn}|"))
    .replace("|T100", &format!("|T-{mrn}-"));
    let mut client = switchboard::channel::mllp::MllpClient::new(mllp);
    let ack = client
        .exchange(visit.as_bytes(), Duration::from_secs(10))
        .await
        .unwrap();
    assert!(String::from_utf8_lossy(&ack).contains("MSA|AA"));
    engine
        .eventually("the bill is stored", || engine.has_patient(mrn))
        .await;
    // The canonical upserts run behind the ACK: give the bill lines a moment.
    tokio::time::sleep(Duration::from_millis(500)).await;
}

/// Runs the binary against `engine` with its admin token.
async fn against(engine: &common::Engine, args: &[&str]) -> Output {
    tokio::process::Command::new(BIN)
        .args(args)
        .arg("--url")
        .arg(&engine.url)
        .env("SWITCHBOARD_TOKEN", &engine.admin)
        .output()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_and_reports_print_tables_json_and_csv() {
    let (engine, _) = engine_with_a_bill().await;
    let submitted = engine.post_json("/api/claims/submit?payer=HMO1").await;
    assert_eq!(
        submitted["submitted"].as_array().map(Vec::len),
        Some(1),
        "{submitted}"
    );

    let table = against(&engine, &["claims", "list"]).await;
    assert!(table.status.success(), "{}", text(&table.stderr));
    let table = text(&table.stdout);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 2, "a header and one claim: {table}");
    assert!(lines[0].starts_with("id  "), "{table}");
    assert!(lines[0].contains("total_charge"), "{table}");
    assert!(!lines[0].contains("_cents"), "{table}");
    // Money with two decimals, times as local YYYY-MM-DD HH:MM, columns aligned.
    assert!(lines[1].contains("180.50"), "{table}");
    let stamp = lines[1]
        .split("  ")
        .map(str::trim)
        .find(|cell| cell.len() == 16 && cell.as_bytes()[10] == b' ')
        .unwrap_or_else(|| panic!("no local time in {table}"));
    assert!(
        stamp[..4].parse::<u32>().unwrap() >= 2026 && &stamp[13..14] == ":",
        "{stamp}"
    );
    assert_eq!(
        lines[0].find("status"),
        lines[1].find("submitted"),
        "{table}"
    );

    let json = against(&engine, &["claims", "list", "--json"]).await;
    assert!(json.status.success());
    let printed: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(printed, engine.get_json("/api/claims?").await);
    assert_eq!(printed["claims"][0]["total_charge_cents"], 18_050);

    let csv = against(&engine, &["claims", "list", "--csv"]).await;
    assert!(csv.status.success());
    let mut reader = csv::Reader::from_reader(csv.stdout.as_slice());
    let headers = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1);
    let charge = headers
        .iter()
        .position(|h| h == "total_charge_cents")
        .unwrap();
    assert_eq!(&rows[0][charge], "18050");

    let report = against(&engine, &["report", "financial-summary"]).await;
    assert!(report.status.success());
    let report = text(&report.stdout);
    assert!(report.starts_with("payer  "), "{report}");
    assert!(report.lines().any(|l| l.starts_with("TOTAL")), "{report}");
    let report = against(&engine, &["report", "financial-summary", "--csv"]).await;
    let mut reader = csv::Reader::from_reader(report.stdout.as_slice());
    assert_eq!(&reader.headers().unwrap()[0], "payer");
    assert!(reader.records().any(|r| &r.unwrap()[0] == "TOTAL"));

    // A refusal (unknown report) exits 1 and says why on stderr.
    let refused = against(&engine, &["report", "no-such-report"]).await;
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        text(&refused.stderr).contains("404"),
        "{}",
        text(&refused.stderr)
    );
    engine.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submit_waits_for_the_batch_and_says_where_it_went() {
    let (engine, mllp) = engine_with_a_bill().await;
    let out = against(
        &engine,
        &["claims", "submit", "--payer", "HMO1", "--wait", "--json"],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let answer: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let delivered = answer["delivered"][0].as_str().unwrap_or_default();
    let file = delivered
        .strip_prefix("x12-outbox/outbox: file ")
        .unwrap_or_else(|| panic!("{answer}"));
    assert!(
        file.ends_with(&format!("-{}.x12", answer["message_id"])),
        "{file}"
    );
    // Already there when the command returns.
    let written = std::fs::read_to_string(engine.path("data").join(file)).unwrap();
    assert!(written.starts_with("ISA*"), "{written}");

    // Without --wait (stdout is no terminal here), the answer comes at once, as a table.
    let out = against(&engine, &["claims", "submit", "--payer", "HMO1"]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(said.contains("submitted:"), "{said}");
    assert!(!said.contains("delivered:"), "{said}");

    // A batch that cannot leave (its folder is a file now) is a refusal once --timeout passes.
    let outbox = engine.path("data/outbox/x12");
    std::fs::remove_dir_all(&outbox).unwrap();
    std::fs::write(&outbox, "in the way").unwrap();
    bill_visit(&engine, &mllp, "MRN101").await;
    let out = against(
        &engine,
        &[
            "claims",
            "submit",
            "--payer",
            "HMO1",
            "--wait",
            "--timeout",
            "2",
        ],
    )
    .await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}{}", text(&out.stdout));
    assert!(
        stderr.contains("x12-outbox/outbox: pending after"),
        "{stderr}"
    );
    engine.stop().await;
}

#[test]
fn no_engine_exits_3_and_bad_usage_exits_2() {
    let root = tempfile::tempdir().unwrap();
    let url = format!("http://127.0.0.1:{}", free_port());
    let out = Command::new(BIN)
        .arg("--root")
        .arg(root.path())
        .args(["claims", "list", "--url", &url])
        .env("SWITCHBOARD_TOKEN", "sbt_none")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("cannot reach the engine"));
    let out = switchboard(root.path(), &["claims", "list", "--json", "--csv"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn completions_for_bash() {
    let out = switchboard(Path::new("."), &["completions", "bash"]);
    assert!(out.status.success());
    let script = text(&out.stdout);
    assert!(script.contains("complete -F _switchboard"), "{script}");
    assert!(script.contains("claims"), "{script}");
}

/// Every command's `--help` ends with an example of its use.
#[test]
fn every_command_has_an_example_in_its_help() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let listed = text(&switchboard(root, &["--help"]).stdout);
    let mut commands: Vec<Vec<String>> = Vec::new();
    for top in subcommands(&listed) {
        let help = text(&switchboard(root, &[&top, "--help"]).stdout);
        let nested = subcommands(&help);
        if nested.is_empty() {
            commands.push(vec![top]);
        } else {
            commands.extend(nested.into_iter().map(|sub| vec![top.clone(), sub]));
        }
    }
    assert!(commands.len() > 20, "{commands:?}");
    for command in commands {
        let mut args: Vec<&str> = command.iter().map(String::as_str).collect();
        args.push("--help");
        let help = text(&switchboard(root, &args).stdout);
        assert!(
            help.contains("Example:\n  switchboard") || help.contains("Example:\n  source"),
            "`switchboard {}` has no example:\n{help}",
            command.join(" ")
        );
    }
}

/// The subcommands a `--help` text lists under `Commands:` (without `help`).
fn subcommands(help: &str) -> Vec<String> {
    help.split("Commands:")
        .nth(1)
        .map(|rest| rest.split("\n\n").next().unwrap_or_default())
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_string)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transform_test_prints_the_output_and_the_trail_of_a_file_or_a_stored_message() {
    let mllp = free_port();
    let channel = include_str!("../channels/examples/adt-to-lab.toml")
        .replace("127.0.0.1:2576", &format!("127.0.0.1:{mllp}"))
        .replace("127.0.0.1:2577", &format!("127.0.0.1:{}", free_port()));
    let engine = common::Engine::start(&[
        ("channels/adt-to-lab.toml", channel),
        (
            "mappings/adt-to-lab.toml",
            include_str!("../mappings/adt-to-lab.toml").to_string(),
        ),
    ])
    .await;
    let message = "MSH|^~\\&|EHR|GENHOSP|SB|SB|20261125100000||ADT^A04|T1|P|2.5.1\r\
                   PID|1||M100^^^GENHOSP^MR||Doe^Ann\rZPI|1|VIP\r";
    let file = engine.path("adt.hl7");
    std::fs::write(&file, message).unwrap();
    let out = against(
        &engine,
        &["transform", "test", "adt-to-lab", file.to_str().unwrap()],
    )
    .await;
    let printed = text(&out.stdout);
    assert!(out.status.success(), "{printed}{}", text(&out.stderr));
    assert!(
        printed.contains("MSH|^~\\&|EHR|GENHOSP|LAB|LABFAC|")
            && printed.contains("PID|1||M100^^^GH^MR")
            && !printed.contains("ZPI")
            && printed.contains("trail:\n  edit list 'adt-to-lab', edit 1: set MSH-5 = \"LAB\""),
        "{printed}"
    );

    // A stored message by id; one the transform cannot work with fails with its reason.
    common::eventually("the channel listens", Duration::from_secs(30), || async {
        tokio::net::TcpStream::connect(("127.0.0.1", mllp))
            .await
            .is_ok()
    })
    .await;
    let mut client = switchboard::channel::mllp::MllpClient::new(&format!("127.0.0.1:{mllp}"));
    client
        .exchange(message.as_bytes(), Duration::from_secs(10))
        .await
        .unwrap();
    let id = engine.channel_messages("adt-to-lab").await[0]
        .id
        .to_string();
    let out = against(
        &engine,
        &[
            "transform",
            "test",
            "adt-to-lab",
            "--message-id",
            &id,
            "--json",
        ],
    )
    .await;
    let trial: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(trial["input"], message);
    assert!(trial["output"].as_str().unwrap().contains("|LAB|LABFAC|"));
    std::fs::write(&file, "not a message").unwrap();
    let out = against(
        &engine,
        &["transform", "test", "adt-to-lab", file.to_str().unwrap()],
    )
    .await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).starts_with("error: "),
        "{}",
        text(&out.stderr)
    );
    engine.stop().await;
}
