//! A real OpenSSH server for the SFTP tests: `/usr/sbin/sshd` run in the foreground on a free
//! 127.0.0.1 port, with a host key, client keys (ed25519 and RSA) and a configuration of its
//! own in a temporary folder, as the current user.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Debian's OpenSSH server.
pub const SSHD: &str = "/usr/sbin/sshd";

/// A running sshd; killed when dropped.
pub struct Sshd {
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// Its files (keys, configuration).
    pub dir: tempfile::TempDir,
    /// The user to log in as (the current user).
    pub user: String,
    child: Option<Child>,
}

/// Runs `command`, panicking with its output when it fails.
fn run(command: &mut Command) {
    let output = command
        .output()
        .unwrap_or_else(|err| panic!("{command:?}: {err}"));
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Makes an unencrypted OpenSSH key pair `path` and `path.pub` of `kind` (`ed25519`, `rsa`).
pub fn key_pair(path: &Path, kind: &str) {
    run(Command::new("ssh-keygen")
        .args(["-q", "-t", kind, "-N", "", "-C", "test", "-f"])
        .arg(path));
}

impl Sshd {
    /// Starts sshd, or `None` (with a message) when it is not installed; under CI a missing
    /// sshd fails the test. `denied` lists SFTP requests the server refuses (`remove,rename`),
    /// as `internal-sftp -P` takes them.
    pub fn start(denied: Option<&str>) -> Option<Sshd> {
        if !super::peer_present(
            Path::new(SSHD).exists(),
            SSHD,
            "apt-get install openssh-server",
        ) {
            return None;
        }
        let dir = tempfile::tempdir().expect("sshd folder");
        key_pair(&dir.path().join("host_ed25519"), "ed25519");
        key_pair(&dir.path().join("client_ed25519"), "ed25519");
        key_pair(&dir.path().join("client_rsa"), "rsa");
        let authorized: String = ["client_ed25519.pub", "client_rsa.pub"]
            .iter()
            .map(|name| std::fs::read_to_string(dir.path().join(name)).unwrap())
            .collect();
        std::fs::write(dir.path().join("authorized_keys"), authorized).unwrap();
        let user = String::from_utf8(
            Command::new("id")
                .arg("-un")
                .output()
                .expect("id -un")
                .stdout,
        )
        .unwrap()
        .trim()
        .to_string();
        // sshd running as root wants its privilege separation folder.
        let _ = std::fs::create_dir_all("/run/sshd");
        let mut sshd = Sshd {
            port: super::free_port(),
            dir,
            user,
            child: None,
        };
        sshd.restart(denied);
        Some(sshd)
    }

    /// (Re)starts the server on the same port and keys, refusing the `denied` SFTP requests.
    pub fn restart(&mut self, denied: Option<&str>) {
        self.stop();
        let dir = self.dir.path();
        let sftp = match denied {
            Some(requests) => format!("internal-sftp -P {requests}"),
            None => "internal-sftp".to_string(),
        };
        let config = format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {dir}/host_ed25519\nPidFile {dir}/sshd.pid\n\
             AuthorizedKeysFile {dir}/authorized_keys\nStrictModes no\nUsePAM no\n\
             PermitRootLogin prohibit-password\nPasswordAuthentication no\n\
             KbdInteractiveAuthentication no\nSubsystem sftp {sftp}\nLogLevel ERROR\n",
            port = self.port,
            dir = dir.display(),
        );
        let config_file = dir.join("sshd_config");
        std::fs::write(&config_file, config).unwrap();
        // Its log (`-e`) goes to a file: the readiness probe below would fill the test output.
        let log = std::fs::File::create(dir.join("sshd.log")).unwrap();
        let child = Command::new(SSHD)
            .args(["-D", "-e", "-f"])
            .arg(&config_file)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start sshd");
        self.child = Some(child);
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "sshd does not listen on {}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops the server.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// A `known_hosts` line for this server with its real host key.
    pub fn known_hosts(&self) -> String {
        let key = std::fs::read_to_string(self.dir.path().join("host_ed25519.pub")).unwrap();
        format!("[127.0.0.1]:{} {key}", self.port)
    }

    /// The private key of the client key pair of `kind` (`ed25519`, `rsa`).
    pub fn client_key(&self, kind: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(format!("client_{kind}"))).unwrap()
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        self.stop();
    }
}
