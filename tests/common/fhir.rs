//! Helpers of the FHIR server tests: an engine with a larger body limit, and calls answered as
//! status, headers and JSON.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use super::Engine;

/// The engine with `max_body_bytes` of 2 MiB, on `store_url` (SQLite under the root if none),
/// with `files` besides.
pub async fn engine(store_url: Option<&str>, files: &[(&str, String)]) -> Engine {
    let port = super::free_port();
    let store = store_url
        .map(|url| format!("[store]\nurl = \"{url}\"\n"))
        .unwrap_or_default();
    let mut all = vec![(
        "config/switchboard.toml",
        format!(
            "{store}[http]\nlisten = \"127.0.0.1:{port}\"\nmax_body_bytes = 2097152\n[log]\nlevel = \"warn\"\n"
        ),
    )];
    all.extend(files.iter().cloned());
    Engine::start(&all).await
}

/// An answer: status, headers and JSON body.
pub struct Answer {
    /// The HTTP status.
    pub status: StatusCode,
    /// The headers.
    pub headers: reqwest::header::HeaderMap,
    /// The body as JSON (a JSON string when it is not JSON).
    pub body: Value,
}

impl Answer {
    /// The header `name`, empty when absent.
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    }

    /// Asserts an OperationOutcome with this status, and answers its first diagnostics.
    pub fn outcome(&self, status: StatusCode) -> String {
        assert_eq!(self.status, status, "{}", self.body);
        if status == StatusCode::METHOD_NOT_ALLOWED {
            assert!(
                !self.header("allow").is_empty(),
                "a 405 names what is allowed"
            );
        }
        assert!(
            self.header("content-type")
                .starts_with("application/fhir+json"),
            "{}",
            self.header("content-type")
        );
        assert_eq!(
            self.body["resourceType"], "OperationOutcome",
            "{}",
            self.body
        );
        self.body["issue"][0]["diagnostics"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

/// Calls the engine's API with a FHIR JSON body and extra headers.
pub async fn call(
    engine: &Engine,
    method: Method,
    path: &str,
    body: Option<&Value>,
    headers: &[(&str, &str)],
) -> Answer {
    let mut request = engine.api(method.clone(), path);
    if let Some(body) = body {
        request = request
            .header("content-type", "application/fhir+json")
            .body(body.to_string());
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    send(request, &format!("{method} {path}")).await
}

/// Sends `request` (`what` names it in a failure) and reads its answer.
pub async fn send(request: reqwest::RequestBuilder, what: &str) -> Answer {
    let response = request
        .send()
        .await
        .unwrap_or_else(|err| panic!("{what}: {err}"));
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Answer {
        status,
        headers,
        body,
    }
}

/// GET.
pub async fn get(engine: &Engine, path: &str) -> Answer {
    call(engine, Method::GET, path, None, &[]).await
}

/// POST with a JSON body.
pub async fn post(engine: &Engine, path: &str, body: &Value) -> Answer {
    call(engine, Method::POST, path, Some(body), &[]).await
}

/// Creates a resource over FHIR (201 asserted); its logical id.
pub async fn create(engine: &Engine, resource: &Value) -> String {
    let kind = resource["resourceType"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let answer = post(engine, &format!("/fhir/{kind}"), resource).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    answer.body["id"].as_str().unwrap_or_default().to_string()
}
