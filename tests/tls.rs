//! TLS end to end, with certificates made here: MLLP over mutual TLS (message in, ACK back,
//! stored), clients without a certificate and plain TCP refused, an expired server
//! certificate refused by the MLLP client, a certificate swapped on disk served from the next
//! connection on, a broken new file leaving the old certificate serving, the API over HTTPS
//! only, an HTTP destination showing its client certificate to an HTTPS source, and
//! `switchboard check` on expired and mismatched certificates.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::Engine;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use switchboard::channel::mllp::{ClientTls, MllpClient};
use switchboard::net::tls::{ClientFiles, TlsConnector, client_config};
use time::OffsetDateTime;

/// A test certificate authority.
struct Ca {
    params: CertificateParams,
    key: KeyPair,
    pem: String,
}

/// A certificate and its key, as PEM.
struct Issued {
    cert: String,
    key: String,
}

impl Ca {
    fn new(name: &str) -> Ca {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let key = KeyPair::generate().unwrap();
        let pem = params.self_signed(&key).unwrap().pem();
        Ca { params, key, pem }
    }

    /// A certificate for `localhost` and 127.0.0.1 named `name`, valid for `days` from now
    /// (negative: expired that many days ago).
    fn issue(&self, name: &str, days: i64) -> Issued {
        let mut params =
            CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
        params.distinguished_name.push(DnType::CommonName, name);
        let now = OffsetDateTime::now_utc();
        params.not_before = now - time::Duration::days(30.max(1 - days));
        params.not_after = now + time::Duration::days(days);
        let key = KeyPair::generate().unwrap();
        let issuer = Issuer::from_params(&self.params, &self.key);
        let cert = params.signed_by(&key, &issuer).unwrap().pem();
        Issued {
            cert,
            key: key.serialize_pem(),
        }
    }
}

/// The files of `issued` under `tls/` as `NAME.pem` and `NAME.key`, to write in a root.
fn files_of(name: &str, issued: &Issued) -> [(String, String); 2] {
    [
        (format!("tls/{name}.pem"), issued.cert.clone()),
        (format!("tls/{name}.key"), issued.key.clone()),
    ]
}

fn adt(control: &str) -> String {
    format!(
        "MSH|^~\\&|EHR|HOSP|SB|SB|20261125101500||ADT^A01^ADT_A01|{control}|P|2.5\r\
         PID|1||MRN-{control}^^^HOSP^MR||Lovelace^Ada||19801210|F\r"
    )
}

/// A channel named `name` on an MLLP port with `tls`, filing what it receives.
fn mllp_channel(name: &str, port: u16, tls: &str) -> String {
    format!(
        "name = \"{name}\"\n[source]\ntype = \"mllp\"\nlisten = \"127.0.0.1:{port}\"\ntls = {tls}\n\
         [[destinations]]\ntype = \"file\"\nname = \"out\"\nfolder = \"out/{name}\"\n"
    )
}

/// The engine with `files`, plus `ca.pem`, once `port` listens.
async fn start(files: Vec<(String, String)>, ca: &Ca, port: u16) -> Engine {
    let mut files = files;
    files.push(("tls/ca.pem".into(), ca.pem.clone()));
    let borrowed: Vec<(&str, String)> =
        files.iter().map(|(p, t)| (p.as_str(), t.clone())).collect();
    let engine = Engine::start(&borrowed).await;
    engine
        .eventually("the MLLP port listens", || async {
            tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
        })
        .await;
    engine
}

/// An MLLP client trusting the test CA, showing the `client` certificate if given.
fn client(engine: &Engine, port: u16, client: Option<&str>) -> MllpClient {
    let identity = client.map(|name| {
        (
            engine.path(&format!("tls/{name}.pem")),
            engine.path(&format!("tls/{name}.key")),
        )
    });
    MllpClient::with_tls(
        &format!("127.0.0.1:{port}"),
        ClientTls {
            files: ClientFiles {
                ca: Some(engine.path("tls/ca.pem")),
                identity,
            },
            server_name: Some("localhost".into()),
        },
    )
}

const MUTUAL: &str =
    "{ cert = \"tls/server.pem\", key = \"tls/server.key\", client_ca = \"tls/ca.pem\" }";

/// An engine whose channel `adt` takes MLLP over mutual TLS on `port`, and a client
/// certificate `client` signed by the same CA.
async fn mutual_tls_engine(ca: &Ca, port: u16) -> Engine {
    let mut files = vec![(
        "channels/adt.toml".to_string(),
        mllp_channel("adt", port, MUTUAL),
    )];
    files.extend(files_of("server", &ca.issue("server-one", 365)));
    files.extend(files_of("client", &ca.issue("lab-sender", 365)));
    start(files, ca, port).await
}

#[tokio::test]
async fn mllp_over_mutual_tls_stores_and_acknowledges() {
    let ca = Ca::new("Test CA");
    let port = common::free_port();
    let engine = mutual_tls_engine(&ca, port).await;
    let ack = client(&engine, port, Some("client"))
        .exchange(adt("TLS1").as_bytes(), Duration::from_secs(10))
        .await
        .expect("an ACK over mutual TLS");
    let ack = String::from_utf8_lossy(&ack);
    assert!(ack.contains("MSA|AA|TLS1"), "{ack}");
    let stored = engine.channel_messages("adt").await;
    assert_eq!(stored.len(), 1);

    // The certificate served is on /metrics with its end of validity.
    let metrics = engine.get_text("/metrics").await;
    let path = engine.path("tls/server.pem").display().to_string();
    let line =
        format!("switchboard_tls_certificate_expiry_seconds{{listener=\"adt\",path=\"{path}\"}} ");
    let expiry: i64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix(&line))
        .unwrap_or_else(|| panic!("no {line} in\n{metrics}"))
        .parse()
        .unwrap();
    let in_a_year = OffsetDateTime::now_utc().unix_timestamp() + 365 * 86_400;
    assert!((expiry - in_a_year).abs() < 120, "{expiry} vs {in_a_year}");
    engine.stop().await;
}

#[tokio::test]
async fn mllp_clients_without_a_certificate_or_without_tls_are_refused() {
    let ca = Ca::new("Test CA");
    let port = common::free_port();
    let engine = mutual_tls_engine(&ca, port).await;
    let anonymous = client(&engine, port, None)
        .exchange(adt("ANON").as_bytes(), Duration::from_secs(5))
        .await;
    assert!(anonymous.is_err(), "{anonymous:?}");
    let plain = MllpClient::new(&format!("127.0.0.1:{port}"))
        .exchange(adt("PLAIN").as_bytes(), Duration::from_secs(5))
        .await;
    assert!(plain.is_err(), "{plain:?}");
    assert!(engine.channel_messages("adt").await.is_empty());
    let metrics = engine.get_text("/metrics").await;
    assert!(
        metrics.contains("switchboard_tls_handshakes_failed_total{listener=\"adt\"} 2\n"),
        "{metrics}"
    );
    engine.stop().await;
}

/// The common name of the certificate the listener on `port` serves to a new connection.
async fn served_name(engine: &Engine, port: u16) -> String {
    let config = client_config(&ClientFiles {
        ca: Some(engine.path("tls/ca.pem")),
        identity: Some((engine.path("tls/client.pem"), engine.path("tls/client.key"))),
    })
    .unwrap();
    let stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let tls = TlsConnector::from(config)
        .connect("localhost".try_into().unwrap(), stream)
        .await
        .unwrap();
    let der = tls.get_ref().1.peer_certificates().unwrap()[0].clone();
    let (_, cert) = x509_parser::parse_x509_certificate(der.as_ref()).unwrap();
    cert.subject().to_string()
}

#[tokio::test]
async fn a_certificate_swapped_on_disk_serves_the_next_connection_and_a_broken_one_is_refused() {
    let ca = Ca::new("Test CA");
    let port = common::free_port();
    let engine = mutual_tls_engine(&ca, port).await;
    assert_eq!(served_name(&engine, port).await, "CN=server-one");

    let renewed = ca.issue("server-two", 365);
    std::fs::write(engine.path("tls/server.pem"), &renewed.cert).unwrap();
    std::fs::write(engine.path("tls/server.key"), &renewed.key).unwrap();
    assert_eq!(served_name(&engine, port).await, "CN=server-two");

    // A broken certificate, then a key that does not match: the renewed pair stays.
    std::fs::write(
        engine.path("tls/server.pem"),
        "-----BEGIN CERTIFICATE-----\nbroken\n",
    )
    .unwrap();
    assert_eq!(served_name(&engine, port).await, "CN=server-two");
    std::fs::write(engine.path("tls/server.pem"), &renewed.cert).unwrap();
    std::fs::write(engine.path("tls/server.key"), ca.issue("other", 365).key).unwrap();
    assert_eq!(served_name(&engine, port).await, "CN=server-two");

    // Messages still go through on the renewed certificate.
    let ack = client(&engine, port, Some("client"))
        .exchange(adt("AFTER").as_bytes(), Duration::from_secs(10))
        .await
        .expect("an ACK after the swap");
    assert!(String::from_utf8_lossy(&ack).contains("MSA|AA|AFTER"));
    engine.stop().await;
}

#[tokio::test]
async fn the_mllp_client_refuses_an_expired_server_certificate() {
    let ca = Ca::new("Test CA");
    let port = common::free_port();
    let mut files = vec![(
        "channels/old.toml".to_string(),
        mllp_channel(
            "old",
            port,
            "{ cert = \"tls/expired.pem\", key = \"tls/expired.key\" }",
        ),
    )];
    files.extend(files_of("expired", &ca.issue("expired-server", -1)));
    let engine = start(files, &ca, port).await;
    let refused = client(&engine, port, None)
        .exchange(adt("OLD").as_bytes(), Duration::from_secs(5))
        .await
        .expect_err("an expired certificate is refused");
    assert!(refused.to_string().contains("expired"), "{refused}");
    assert!(engine.channel_messages("old").await.is_empty());
    engine.stop().await;
}

/// A reqwest client trusting `ca`.
fn https_client(ca: &Ca) -> reqwest::Client {
    reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(ca.pem.as_bytes()).unwrap())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_api_serves_https_only_when_configured() {
    let ca = Ca::new("Test CA");
    let port = common::free_port();
    let mut files: Vec<(String, String)> = files_of("api", &ca.issue("api", 365)).into();
    files.push((
        "config/switchboard.toml".into(),
        format!(
            "[http]\nlisten = \"127.0.0.1:{port}\"\ntls = {{ cert = \"tls/api.pem\", key = \"tls/api.key\" }}\n[log]\nlevel = \"warn\"\n"
        ),
    ));
    let borrowed: Vec<(&str, String)> =
        files.iter().map(|(p, t)| (p.as_str(), t.clone())).collect();
    let client = https_client(&ca);
    let engine = Engine::start_with(&borrowed, client.clone()).await;
    assert!(engine.url.starts_with("https://"));
    let health = client
        .get(format!("{}/health", engine.url))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), reqwest::StatusCode::OK);
    let plain = common::client()
        .get(format!("http://127.0.0.1:{port}/health"))
        .send()
        .await;
    assert!(plain.is_err(), "plain HTTP was answered: {plain:?}");
    let metrics = client
        .get(format!("{}/metrics", engine.url))
        .bearer_auth(&engine.admin)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("switchboard_tls_handshakes_failed_total{listener=\"http\"} 1\n"),
        "{metrics}"
    );
    assert!(metrics.contains("switchboard_tls_certificate_expiry_seconds{listener=\"http\""));
    engine.stop().await;
}

#[tokio::test]
async fn an_http_destination_shows_its_client_certificate_to_an_https_source() {
    let ca = Ca::new("Test CA");
    let (secure, relay) = (common::free_port(), common::free_port());
    let mut files = vec![
        (
            "channels/secure.toml".to_string(),
            format!(
                "name = \"secure\"\n[source]\ntype = \"http\"\nlisten = \"127.0.0.1:{secure}\"\n\
                 allow_anonymous = true\ntls = {MUTUAL}\n\
                 [[destinations]]\ntype = \"file\"\nname = \"out\"\nfolder = \"out/secure\"\n"
            ),
        ),
        (
            "channels/relay.toml".to_string(),
            format!(
                "name = \"relay\"\n[source]\ntype = \"http\"\nlisten = \"127.0.0.1:{relay}\"\n\
                 allow_anonymous = true\n\
                 [[destinations]]\ntype = \"http\"\nname = \"secure\"\nurl = \"https://127.0.0.1:{secure}/\"\n\
                 tls = {{ ca = \"tls/ca.pem\", cert = \"tls/client.pem\", key = \"tls/client.key\" }}\n"
            ),
        ),
    ];
    files.extend(files_of("server", &ca.issue("secure-source", 365)));
    files.extend(files_of("client", &ca.issue("relay", 365)));
    let engine = start(files, &ca, relay).await;
    // Without a client certificate the HTTPS source answers nothing.
    let anonymous = https_client(&ca)
        .post(format!("https://127.0.0.1:{secure}/"))
        .body(adt("ANON"))
        .send()
        .await;
    assert!(anonymous.is_err(), "{anonymous:?}");
    let response = common::client()
        .post(format!("http://127.0.0.1:{relay}/"))
        .body(adt("RELAYED"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::ACCEPTED);
    engine
        .eventually("the HTTPS source stored the relayed message", || async {
            engine.channel_messages("secure").await.len() == 1
        })
        .await;
    engine.stop().await;
}

/// Runs `switchboard check` on `root`: whether it passed, and what it wrote to stderr.
fn check(root: &Path) -> (bool, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .arg("--root")
        .arg(root)
        .arg("check")
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Writes `files` under `root`.
fn write_all(root: &Path, files: &[(String, String)]) {
    for (path, text) in files {
        let path: PathBuf = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

#[test]
fn check_reports_expired_certificates_and_keys_that_do_not_match() {
    let ca = Ca::new("Test CA");
    let root = tempfile::tempdir().unwrap();
    let mut files = vec![
        ("config/switchboard.toml".to_string(), String::new()),
        ("tls/ca.pem".to_string(), ca.pem.clone()),
        (
            "channels/expired.toml".to_string(),
            mllp_channel(
                "expired",
                common::free_port(),
                "{ cert = \"tls/expired.pem\", key = \"tls/expired.key\" }",
            ),
        ),
        (
            "channels/mismatch.toml".to_string(),
            mllp_channel(
                "mismatch",
                common::free_port(),
                "{ cert = \"tls/good.pem\", key = \"tls/other.key\" }",
            ),
        ),
    ];
    files.extend(files_of("expired", &ca.issue("old-server", -2)));
    files.extend(files_of("good", &ca.issue("good-server", 365)));
    files.extend(files_of("other", &ca.issue("other-server", 365)));
    write_all(root.path(), &files);
    let (passed, stderr) = check(root.path());
    assert!(!passed, "{stderr}");
    let expired = root.path().join("channels/expired.toml");
    assert!(
        stderr.contains(&format!(
            "{}:5: source.tls.cert: certificate CN=old-server expired at",
            expired.display()
        )),
        "{stderr}"
    );
    let mismatch = root.path().join("channels/mismatch.toml");
    let key = root.path().join("tls/other.key");
    assert!(
        stderr.contains(&format!(
            "{}:5: source.tls.key: {} does not match the certificate",
            mismatch.display(),
            key.display()
        )),
        "{stderr}"
    );

    // A certificate that expires soon is a warning: the check still passes.
    std::fs::remove_file(&expired).unwrap();
    std::fs::remove_file(&mismatch).unwrap();
    write_all(
        root.path(),
        &[
            files_of("soon", &ca.issue("soon-server", 10)).to_vec(),
            vec![(
                "config/switchboard.toml".to_string(),
                "[http]\ntls = { cert = \"tls/soon.pem\", key = \"tls/soon.key\", client_ca = \"tls/ca.pem\" }\n".to_string(),
            )],
        ]
        .concat(),
    );
    let (passed, stderr) = check(root.path());
    assert!(passed, "{stderr}");
    assert!(
        stderr.contains("config/switchboard.toml:2: http.tls.cert: warning: certificate CN=soon-server expires at"),
        "{stderr}"
    );
}

#[test]
fn the_documented_example_loads() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let file = root.join("channels/examples/mllp-mtls-inbound.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    let channel = switchboard::channel::deployment::parse_channel(root, &file, &text)
        .unwrap_or_else(|problems| panic!("{problems:?}"));
    assert_eq!(channel.name, "hl7v2-mllp-mtls-inbound");
}

#[tokio::test]
async fn switchboard_send_speaks_mutual_tls() {
    let ca = Ca::new("Test CA");
    let port = common::free_port();
    let engine = mutual_tls_engine(&ca, port).await;
    std::fs::write(engine.path("adt.hl7"), adt("CLI1")).unwrap();
    let send = |tls: &[&str]| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_switchboard"));
        command
            .args(["send", "--mllp", &format!("127.0.0.1:{port}")])
            .args(["--server-name", "localhost"])
            .args(tls)
            .arg(engine.path("adt.hl7"));
        async move {
            tokio::task::spawn_blocking(move || command.output().unwrap())
                .await
                .unwrap()
        }
    };
    let (ca_pem, cert, key) = (
        engine.path("tls/ca.pem"),
        engine.path("tls/client.pem"),
        engine.path("tls/client.key"),
    );
    let (ca_pem, cert, key) = (
        ca_pem.to_str().unwrap(),
        cert.to_str().unwrap(),
        key.to_str().unwrap(),
    );
    let sent = send(&["--ca", ca_pem, "--cert", cert, "--key", key]).await;
    let out = String::from_utf8_lossy(&sent.stdout);
    assert!(sent.status.success(), "{out}");
    assert!(
        out.contains("MSA|AA|CLI1") && out.contains("1 sent, 1 accepted"),
        "{out}"
    );

    let without_certificate = send(&["--ca", ca_pem]).await;
    let out = String::from_utf8_lossy(&without_certificate.stdout);
    assert!(!without_certificate.status.success(), "{out}");
    assert!(out.contains("no acknowledgment"), "{out}");
    assert_eq!(engine.channel_messages("adt").await.len(), 1);
    engine.stop().await;
}
