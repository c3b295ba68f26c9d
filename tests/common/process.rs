//! Engines run as processes of their own (the `switchboard` binary), for tests where several
//! nodes share a store and one is stopped or killed.

use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::Duration;

/// An engine process on a deployment root, its HTTP API on a free port.
pub struct EngineProcess {
    /// The deployment root.
    pub root: PathBuf,
    /// `127.0.0.1:PORT` of its HTTP API.
    pub http: String,
    /// A token the API accepts.
    pub token: String,
    child: Child,
}

impl EngineProcess {
    /// Starts the engine on `root` and waits (60 s at most) until its API answers; `token` is
    /// a token of the store it runs on.
    pub async fn start(root: &Path, token: &str) -> EngineProcess {
        let port = super::free_port();
        let child = super::spawn_engine(root, port);
        let engine = EngineProcess {
            root: root.to_path_buf(),
            http: format!("127.0.0.1:{port}"),
            token: token.to_string(),
            child,
        };
        let health = format!("http://{}/health", engine.http);
        super::eventually(
            "the engine process answers /health",
            Duration::from_secs(60),
            || async { super::client().get(&health).send().await.is_ok() },
        )
        .await;
        engine
    }

    /// An authenticated request to its API.
    pub fn api(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        super::client()
            .request(method, format!("http://{}{path}", self.http))
            .bearer_auth(&self.token)
    }

    /// `GET path` on its API as JSON.
    pub async fn get_json(&self, path: &str) -> serde_json::Value {
        self.api(reqwest::Method::GET, path)
            .send()
            .await
            .unwrap_or_else(|err| panic!("GET {path} on {}: {err}", self.http))
            .json()
            .await
            .unwrap_or_else(|err| panic!("GET {path} on {}: not JSON: {err}", self.http))
    }

    /// `POST path` (no body) on its API: the answer's status.
    pub async fn post_status(&self, path: &str) -> u16 {
        self.api(reqwest::Method::POST, path)
            .send()
            .await
            .unwrap_or_else(|err| panic!("POST {path} on {}: {err}", self.http))
            .status()
            .as_u16()
    }

    /// The state of channel `name` as this engine lists it (`None` when not deployed).
    pub async fn channel_state(&self, name: &str) -> Option<String> {
        let listed = self.get_json("/api/channels").await;
        listed["channels"]
            .as_array()?
            .iter()
            .find(|channel| channel["name"] == name)
            .and_then(|channel| channel["state"].as_str().map(str::to_string))
    }

    /// Sends `signal` (`-TERM`, `-KILL`) to the process and waits for it to end.
    pub fn signal(&mut self, signal: &str) {
        let sent = std::process::Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success(), "kill {signal} {}", self.child.id());
        let _ = self.child.wait();
    }
}

impl Drop for EngineProcess {
    /// A process still running when its test ends (a failed assertion) is killed.
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
