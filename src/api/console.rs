//! The web console: static HTML, CSS and JavaScript modules embedded in the binary and served
//! at `/` and `/console/...`. The pages talk only to the authenticated admin API.

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// The console's Content-Security-Policy: scripts, styles and API calls from this origin only.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// One embedded file of the console.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static str,
}

const HTML: &str = "text/html; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";

/// The asset `name` of `src/console/`, of type `content_type`, built into the binary.
macro_rules! asset {
    ($name:literal, $content_type:expr) => {
        Asset {
            name: $name,
            content_type: $content_type,
            body: include_str!(concat!("../console/", $name)),
        }
    };
}

/// Every file of the console, by the name it is served under `/console/`.
const ASSETS: &[Asset] = &[
    asset!("index.html", HTML),
    asset!("console.css", CSS),
    asset!("app.js", JS),
    asset!("api.js", JS),
    asset!("dom.js", JS),
    asset!("dashboard.js", JS),
    asset!("channels.js", JS),
    asset!("messages.js", JS),
    asset!("revenue.js", JS),
];

/// The console's routes: `/` and `/console/` answer the page, `/console/NAME` its files.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/", get(index))
        .route("/console", get(index))
        .route("/console/", get(index))
        .route("/console/{name}", get(asset))
}

async fn index() -> Response {
    serve("index.html")
}

async fn asset(Path(name): Path<String>) -> Response {
    serve(&name)
}

/// The named file with its content type and the console's security headers, or `404`.
fn serve(name: &str) -> Response {
    let Some(asset) = ASSETS.iter().find(|a| a.name == name) else {
        return (StatusCode::NOT_FOUND, "no such console file").into_response();
    };
    let mut response = asset.body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    async fn fetch(path: &str) -> (StatusCode, axum::http::HeaderMap, String) {
        let response = router::<()>()
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, headers, String::from_utf8_lossy(&body).into_owned())
    }

    #[tokio::test]
    async fn the_page_is_served_with_a_strict_policy() {
        for path in ["/", "/console", "/console/", "/console/index.html"] {
            let (status, headers, body) = fetch(path).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            assert_eq!(headers[header::CONTENT_TYPE], "text/html; charset=utf-8");
            assert_eq!(
                headers[header::CONTENT_SECURITY_POLICY],
                CONTENT_SECURITY_POLICY
            );
            assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
            assert!(body.starts_with("<!doctype html>"), "{path}");
        }
        let (status, headers, _) = fetch("/console/app.js").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            headers[header::CONTENT_TYPE],
            "text/javascript; charset=utf-8"
        );
        let (status, headers, _) = fetch("/console/console.css").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers[header::CONTENT_TYPE], "text/css; charset=utf-8");
    }

    #[tokio::test]
    async fn unknown_files_are_not_found() {
        for path in [
            "/console/nope.js",
            "/console/..%2Fmod.rs",
            "/console/a/b.js",
        ] {
            assert_eq!(fetch(path).await.0, StatusCode::NOT_FOUND, "{path}");
        }
    }

    /// Every file the page or a module refers to is embedded: a missing one would break the
    /// console only in a browser.
    #[test]
    fn every_referenced_file_is_embedded() {
        let mut referenced = Vec::new();
        for asset in ASSETS {
            for marker in ["/console/", "from './"] {
                let mut rest = asset.body;
                while let Some(at) = rest.find(marker) {
                    rest = &rest[at + marker.len()..];
                    let end = rest.find(['"', '\'']).unwrap_or(rest.len());
                    referenced.push(&rest[..end]);
                }
            }
        }
        assert!(referenced.contains(&"app.js"), "{referenced:?}");
        for name in &referenced {
            assert!(
                ASSETS.iter().any(|a| a.name == *name),
                "'{name}' is referred to but not embedded"
            );
        }
        for asset in ASSETS.iter().filter(|a| a.name.ends_with(".js")) {
            assert!(
                asset.name == "app.js" || referenced.contains(&asset.name),
                "{} is embedded but never imported",
                asset.name
            );
        }
    }
}
