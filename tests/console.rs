//! The web console end to end in headless Chromium: the real engine with the shipped channels
//! and real data (HL7 v2 over MLLP, a submitted claim, a payer's rejection and 835, a dead letter),
//! driven by `tests/browser/console.mjs` (playwright-core). Chromium and the script's packages
//! are installed when missing; without them the test is skipped loudly, or fails under `CI`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::{Engine, file_names};
use switchboard::channel::mllp::MllpClient;
use switchboard::store::tokens::Role;

const CHROMIUM: &str = "/usr/bin/chromium";

/// Skips the test (with a loud message) or, under CI, fails it.
fn unavailable(what: &str) {
    assert!(!common::in_ci(), "{what} (CI is set, so this fails)");
    eprintln!("\n*** SKIPPING the web console browser test: {what} ***\n");
}

/// Runs a setup command; its output is shown when it fails.
fn run(command: &mut Command) -> Result<(), String> {
    let output = command
        .output()
        .map_err(|err| format!("cannot run {command:?}: {err}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{command:?} failed ({}):\n{}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// Chromium and the script's node packages, installed when missing.
fn browser_tools(browser_dir: &Path) -> Result<(), String> {
    if !Path::new(CHROMIUM).exists() {
        eprintln!("{CHROMIUM} is missing: installing Debian's chromium");
        run(Command::new("apt-get")
            .args(["install", "-y", "--no-install-recommends", "chromium"])
            .env("DEBIAN_FRONTEND", "noninteractive"))?;
    }
    run(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(browser_dir))
}

/// The screenshot folder: `console-screenshots/` in cargo's target directory.
fn screenshot_dir() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).join("console-screenshots")
}

/// The sample 277CA, about `claim_number`, rejecting it (STC A7:562:85), with the
/// billing-provider STC its guide requires (the published sample lacks it).
fn rejection(claim_number: &str) -> String {
    let sample = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/x12/277ca-accepted.x12"),
    )
    .unwrap();
    sample
        .replace(
            "TRN*1*1107000000000135FF~",
            "TRN*1*1107000000000135FF~\nSTC*A1:19**WQ*125~",
        )
        .replace("SE*23*", "SE*24*")
        .replace("TRN*2*5781~", &format!("TRN*2*{claim_number}~"))
        .replace("STC*A2:20*", "STC*A7:562:85*")
}

/// A channel whose partner is down: what it receives ends on the dead-letter list.
fn forwarding_channel(port: u16) -> String {
    format!(
        "name = \"lab-forward\"\ndescription = \"Results to the lab partner\"\n\
         [source]\ntype = \"http\"\nlisten = \"127.0.0.1:{port}\"\nallow_anonymous = true\n\
         [[destinations]]\ntype = \"http\"\nname = \"partner\"\nurl = \"http://127.0.0.1:{}/\"\n\
         [destinations.queue]\nmax_attempts = 2\ninitial_backoff_ms = 50\nmax_backoff_ms = 50\n",
        common::free_port()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_works_in_a_browser() {
    let browser_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    if let Err(problem) = browser_tools(&browser_dir) {
        unavailable(&problem);
        return;
    }

    let mllp_port = common::free_port();
    let forward_port = common::free_port();
    let mut files = common::shipped_files_on_free_ports(mllp_port, common::free_port());
    files.push((
        "channels/lab-forward.toml".into(),
        forwarding_channel(forward_port),
    ));
    // Transform panel: a channel running the shipped edit list `adt-to-lab`.
    files.push((
        "channels/lab-edits.toml".into(),
        format!(
            "name = \"lab-edits\"\ndescription = \"ADT edited for the lab\"\n\
             [source]\ntype = \"http\"\nlisten = \"127.0.0.1:{}\"\nallow_anonymous = true\n\
             [transform]\nedit = \"adt-to-lab\"\n\
             [[destinations]]\ntype = \"file\"\nname = \"lab\"\nfolder = \"lab\"\n",
            common::free_port()
        ),
    ));
    let borrowed: Vec<(&str, String)> =
        files.iter().map(|(p, t)| (p.as_str(), t.clone())).collect();
    let engine = Engine::start(&borrowed).await;
    let mllp = format!("127.0.0.1:{mllp_port}");
    engine
        .eventually("MLLP listens", || async {
            tokio::net::TcpStream::connect(&mllp).await.is_ok()
        })
        .await;

    // An ADT^A04 with a control id of this run, and the DFT^P03 sample with two charges.
    let control_id = format!("CONSOLE-{}", rand::random::<u32>());
    let adt = format!(
        "MSH|^~\\&|EHR|CLINIC|SWITCHBOARD|SB|20261125090000||ADT^A04^ADT_A01|{control_id}|P|2.5\r\
         EVN|A04|20261125090000\r\
         PID|1||MRN-CONSOLE^^^CLINIC^MR||Hopper^Grace^B||19061209|F|||1 Navy Way^^Arlington^VA^22202\r\
         PV1|1|O|CLINIC^ROOM2||||1234567893^House^Gregory||||||||||||V-CONSOLE\r"
    );
    let dft = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/hl7v2/dft-p03-switchboard.hl7"),
    )
    .unwrap();
    // And one the mapping cannot use (no patient identifier): stored as an error.
    let unusable = b"MSH|^~\\&|EHR|CLINIC|SB|SB|20261125||ADT^A01|CONSOLE-BAD|P|2.5\r\
                     PID|1||||Nobody^Here\r"
        .to_vec();
    let mut client = MllpClient::new(&mllp);
    for (message, expected) in [
        (adt.into_bytes(), "MSA|AA"),
        (dft, "MSA|AA"),
        (unusable, "MSA|AE"),
    ] {
        let ack = client
            .exchange(&message, Duration::from_secs(10))
            .await
            .unwrap();
        let ack = String::from_utf8_lossy(&ack).into_owned();
        assert!(ack.contains(expected), "{ack}");
    }
    engine
        .eventually("both patients are stored", || async {
            engine.has_patient("MRN-CONSOLE").await && engine.has_patient("MRN100").await
        })
        .await;
    engine
        .eventually("the DFT's bill has its two lines", || async {
            let found = engine.get_json("/api/patients?identifier=MRN100").await;
            let id = found["patients"][0]["id"].clone();
            engine.get_json(&format!("/api/patients/{id}")).await["bills"][0]["lines"]
                .as_array()
                .is_some_and(|lines| lines.len() == 2)
        })
        .await;

    // Its claim goes to the payer, who rejects it with a reason.
    let report = engine.post_json("/api/claims/submit?payer=HMO1").await;
    let claim_number = report["submitted"][0]
        .as_str()
        .unwrap_or_else(|| panic!("a claim is submitted: {report}"))
        .to_string();
    let inbox = engine.path("data/inbox/x12");
    engine
        .eventually("the X12 inbox exists", || async { inbox.is_dir() })
        .await;
    std::fs::write(inbox.join("277ca.x12"), rejection(&claim_number)).unwrap();
    engine
        .eventually("the payer's 277CA rejects the claim", || async {
            engine.get_json("/api/claims").await["claims"][0]["status"] == "rejected"
        })
        .await;
    // A payer's 835 (the sample as its payer would correct it: its claims are not ours, so
    // they stay unmatched).
    std::fs::write(inbox.join("remit.x12"), common::corrected_835()).unwrap();
    engine
        .eventually("the 835 is imported", || async {
            engine.get_json("/api/remittances").await["remittances"]
                .as_array()
                .is_some_and(|list| list.len() == 1)
        })
        .await;
    assert_eq!(
        file_names(&inbox.join("processed")),
        ["277ca.x12", "remit.x12"]
    );

    // A result for the lab partner, who is down: a dead letter.
    let oru = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/hl7v2/oru-r01-fhir-converter.hl7"),
    )
    .unwrap();
    let accepted = common::client()
        .post(format!("http://127.0.0.1:{forward_port}/"))
        .body(oru)
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), reqwest::StatusCode::ACCEPTED);
    engine
        .eventually("the undeliverable result is a dead letter", || async {
            engine.get_json("/api/dead-letters").await["dead_letters"]
                .as_array()
                .is_some_and(|letters| letters.len() == 1)
        })
        .await;

    let (_, viewer) = engine
        .store
        .create_token("console-viewer", Role::Viewer, None)
        .await
        .unwrap();
    // Transform panel: the stored ADT, to try the lab's edit list on.
    let trial_message_id = engine
        .get_json(&format!("/api/messages?control_id={control_id}"))
        .await["messages"][0]["id"]
        .to_string();
    let screenshots = screenshot_dir();
    std::fs::create_dir_all(&screenshots).unwrap();
    let output = tokio::time::timeout(
        Duration::from_secs(240),
        tokio::process::Command::new("node")
            .arg(browser_dir.join("console.mjs"))
            .env("CONSOLE_URL", &engine.url)
            .env("ADMIN_TOKEN", &engine.admin)
            .env("VIEWER_TOKEN", &viewer)
            .env("SCREENSHOT_DIR", &screenshots)
            .env("CONTROL_ID", &control_id)
            .env("MLLP_ADDRESS", &mllp)
            .env("CLAIM_NUMBER", &claim_number)
            .env("TRIAL_MESSAGE_ID", &trial_message_id)
            .env("CHROMIUM", CHROMIUM)
            .kill_on_drop(true)
            .output(),
    )
    .await
    .expect("the browser script finishes within 4 minutes")
    .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the browser script failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    println!("{stdout}");
    for name in [
        "dashboard",
        "channels",
        "channel-edit",
        "messages",
        "message-detail",
        "claims",
    ] {
        assert!(
            screenshots.join(format!("{name}.png")).is_file(),
            "screenshot {name}.png"
        );
    }
    engine.stop().await;
}
