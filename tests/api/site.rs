use axum::http::StatusCode;
use serde_json::json;

use crate::both;
use crate::common::{Backend, TestApp};

async fn site_is_public_with_metrics(backend: Backend) {
    let t = TestApp::new(backend).await;
    t.admin().await;
    let r = t.get("/api/1/site/", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json["id"], "plateau.test");
    assert_eq!(r.json["metrics"]["users"], 1);
    assert!(r.json["title"].is_string());
    assert!(r.json["feed_size"].is_i64());
}

async fn sysadmin_patches_site(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.admin().await;
    let r = t
        .patch(
            "/api/1/site/",
            Some(&key),
            json!({"title": "Données ouvertes", "keywords": ["a", "b"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    assert_eq!(r.json["title"], "Données ouvertes");
    let r = t.get("/api/1/site/", None).await;
    assert_eq!(r.json["keywords"], json!(["a", "b"]));
}

async fn site_patch_needs_sysadmin(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Jane", "Doe", false).await;
    let r = t.patch("/api/1/site/", None, json!({"title": "x"})).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.headers.contains_key("www-authenticate"));
    let r = t
        .patch("/api/1/site/", Some(&key), json!({"title": "x"}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        r.json["message"],
        "You do not have the permission to modify that object."
    );
}

async fn site_patch_rejects_bad_values(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.admin().await;
    let r = t
        .patch("/api/1/site/", Some(&key), json!({"feed_size": "many"}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json["errors"]["feed_size"].is_array());
    let r = t
        .patch("/api/1/site/", Some(&key), json!({"title": "  "}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json["errors"]["title"].is_array());
}

both!(
    site_is_public_with_metrics,
    sysadmin_patches_site,
    site_patch_needs_sysadmin,
    site_patch_rejects_bad_values
);
