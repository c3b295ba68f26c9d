//! Admin API tests through the router (no socket): authentication, roles, audit, health, metrics.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use switchboard::api::router;
use switchboard::canonical::{Identifier, Patient};
use switchboard::store::tokens::Role;
use tower::ServiceExt;

async fn call(app: &axum::Router, path: &str, token: Option<&str>) -> (StatusCode, Value, String) {
    let mut request = Request::get(path);
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let challenge = response
        .headers()
        .get(header::WWW_AUTHENTICATE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    (status, body, challenge)
}

#[tokio::test]
async fn api_needs_a_token_and_the_right_role_and_audits_patient_reads() {
    for test in common::all_stores().await {
        let store = test.store.clone();
        let backend = test.backend;
        let app = router(common::app_state(&store), 1024 * 1024);
        let (_, admin) = store
            .create_token("admin-1", Role::Admin, None)
            .await
            .unwrap();
        let (_, viewer) = store
            .create_token("clerk", Role::Viewer, None)
            .await
            .unwrap();
        let patient = store
            .upsert_patient(&Patient {
                identifiers: vec![Identifier {
                    system: "HOSP".into(),
                    value: "MRN9".into(),
                    type_code: None,
                }],
                family_name: Some("Hopper".into()),
                ..Patient::default()
            })
            .await
            .unwrap();

        let (status, _, challenge) = call(&app, "/api/patients", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{backend}");
        assert_eq!(challenge, "Bearer", "{backend}");
        let (status, _, _) = call(&app, "/api/patients", Some("sbt_not-a-token")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{backend}");

        let (status, body, _) = call(&app, "/api/audit", Some(&viewer)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{backend}");
        assert_eq!(body["error"], "this needs the admin role", "{backend}");

        let path = format!("/api/patients/{}", patient.id);
        let (status, body, _) = call(&app, &path, Some(&viewer)).await;
        assert_eq!(status, StatusCode::OK, "{backend}");
        assert_eq!(body["family_name"], "Hopper", "{backend}");
        let (status, body, _) = call(&app, "/api/patients?family=hop", Some(&viewer)).await;
        assert_eq!(status, StatusCode::OK, "{backend}");
        assert_eq!(body["patients"].as_array().unwrap().len(), 1, "{backend}");
        let (status, _, _) = call(&app, "/api/patients/999999", Some(&viewer)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{backend}");

        let (status, body, _) = call(&app, "/api/audit?resource=/api/patients", Some(&admin)).await;
        assert_eq!(status, StatusCode::OK, "{backend}");
        let entries = body["entries"].as_array().unwrap();
        let read = entries
            .iter()
            .find(|e| e["resource"] == path.as_str())
            .unwrap_or_else(|| panic!("{backend}: no audit entry for {path}: {body}"));
        assert_eq!(read["actor"], "clerk", "{backend}");
        assert_eq!(read["role"], "viewer", "{backend}");
        assert_eq!(read["action"], "GET", "{backend}");
        assert_eq!(read["outcome"], 200, "{backend}");
        assert!(
            entries
                .iter()
                .any(|e| e["actor"].is_null() && e["outcome"] == 401),
            "{backend}: refused requests are audited too"
        );
        let (status, body, _) = call(&app, "/api/audit", Some(&admin)).await;
        assert_eq!(status, StatusCode::OK, "{backend}");
        assert!(
            body["entries"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["outcome"] == 403),
            "{backend}: forbidden requests are audited"
        );
        let (status, body, _) = call(&app, "/api/messages?status=bogus", Some(&viewer)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{backend}");
        assert!(
            body["error"].as_str().unwrap().contains("bogus"),
            "{backend}"
        );
    }
}

#[tokio::test]
async fn health_and_metrics_answer_without_a_token() {
    let test = common::sqlite_store().await;
    let app = router(common::app_state(&test.store), 1024);
    let (status, body, _) = call(&app, "/health", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ok");
    assert_eq!(body["store"]["backend"], "sqlite");
    assert_eq!(body["store"]["reachable"], true);
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    let (status, body, _) = call(&app, "/metrics", None).await;
    assert_eq!(status, StatusCode::OK);
    let text = body.as_str().unwrap();
    assert!(
        text.contains(
            "switchboard_http_requests_total{method=\"GET\",route=\"/health\",status=\"200\"} 1"
        ),
        "{text}"
    );
    assert!(
        text.contains("# TYPE switchboard_uptime_seconds gauge"),
        "{text}"
    );

    test.store.close().await;
    let (status, body, _) = call(&app, "/health", None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["store"]["reachable"], false);
}

#[tokio::test]
async fn a_revoked_or_expired_token_is_refused_and_audited_by_name() {
    let test = common::sqlite_store().await;
    let store = test.store.clone();
    let app = router(common::app_state(&store), 1024);
    let (_, admin) = store
        .create_token("auditor", Role::Admin, None)
        .await
        .unwrap();
    let (_, gone) = store
        .create_token("former-clerk", Role::Viewer, None)
        .await
        .unwrap();
    assert!(store.revoke_token("former-clerk").await.unwrap());
    let (status, _, _) = call(&app, "/api/patients", Some(&gone)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, _) = call(&app, "/api/patients", Some("sbt_never-issued")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (status, body, _) = call(&app, "/api/audit?resource=/api/patients", Some(&admin)).await;
    assert_eq!(status, StatusCode::OK);
    let entries = body["entries"].as_array().unwrap();
    let revoked = entries
        .iter()
        .find(|e| e["actor"] == "former-clerk")
        .unwrap_or_else(|| panic!("the revoked token's attempt is not audited by name: {body}"));
    assert_eq!(revoked["outcome"], 401);
    assert!(revoked["role"].is_null(), "{revoked}");
    assert!(
        entries
            .iter()
            .any(|e| e["actor"].is_null() && e["outcome"] == 401),
        "an unknown token has no name: {body}"
    );
}
