//! The behaviour every endpoint shares: authentication, errors, masks, CORS, rate limits,
//! read-only mode, redirects.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::both;
use crate::common::{Backend, TestApp, TestConfig};

async fn invalid_api_key_is_401_with_challenge(backend: Backend) {
    let t = TestApp::new(backend).await;
    let r = t.get("/api/1/site/", Some("not-a-key")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json["message"], "Invalid API Key");
    assert!(r.header("www-authenticate").is_some());
}

async fn deleted_users_key_no_longer_works(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (user, key) = t.user_with_key("Gone", "Soon", false).await;
    t.store()
        .delete_user(&user, plateau::domain::time::now())
        .await
        .unwrap();
    let r = t.get("/api/1/site/", Some(&key)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

async fn malformed_json_is_400(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.admin().await;
    let r = t
        .call(
            Method::PATCH,
            "/api/1/site/",
            Some(&key),
            None,
            &[("content-type", "application/json")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let request = axum::http::Request::builder()
        .method(Method::PATCH)
        .uri("/api/1/site/")
        .header("X-API-KEY", &key)
        .header("content-type", "application/json")
        .body(axum::body::Body::from("{\"title\": "))
        .unwrap();
    let r = t.send(request).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.json["message"]
            .as_str()
            .unwrap()
            .starts_with("Malformed JSON")
    );
}

async fn wrong_media_type_is_415(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.admin().await;
    let r = t
        .call(
            Method::PATCH,
            "/api/1/site/",
            Some(&key),
            None,
            &[("content-type", "text/plain")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(r.json["message"].is_string());
}

async fn oversized_body_is_413(backend: Backend) {
    let t = TestApp::with_config(
        backend,
        TestConfig {
            max_upload_size: 1024,
            ..Default::default()
        },
    )
    .await;
    let (_, key) = t.admin().await;
    let r = t
        .patch(
            "/api/1/site/",
            Some(&key),
            json!({"title": "x".repeat(5000)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
}

async fn x_fields_masks_and_malformed_mask_is_400(backend: Backend) {
    let t = TestApp::new(backend).await;
    let r = t
        .call(
            Method::GET,
            "/api/1/site/",
            None,
            None,
            &[("X-Fields", "{id,metrics{users}}")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json.as_object().unwrap().len(), 2);
    assert!(r.json["metrics"]["users"].is_i64());
    assert!(r.json["metrics"].get("organizations").is_none());
    for bad in ["{id", "id{", "{}", "id{x}"] {
        let r = t
            .call(
                Method::GET,
                "/api/1/site/",
                None,
                None,
                &[("X-Fields", bad)],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "mask {bad}");
        assert!(r.json["message"].is_string());
    }
    let r = t
        .call(
            Method::GET,
            "/api/1/site/",
            None,
            None,
            &[("X-Fields", "id,unknown")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json, json!({"id": "plateau.test"}));
}

async fn cors_echoes_origin_and_answers_preflight(backend: Backend) {
    let t = TestApp::new(backend).await;
    let r = t
        .call(
            Method::GET,
            "/api/1/site/",
            None,
            None,
            &[("Origin", "https://example.org")],
        )
        .await;
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("https://example.org")
    );
    assert_eq!(r.header("access-control-allow-credentials"), Some("true"));
    let r = t
        .call(
            Method::OPTIONS,
            "/api/1/site/",
            None,
            None,
            &[
                ("Origin", "https://example.org"),
                ("Access-Control-Request-Method", "PATCH"),
                ("Access-Control-Request-Headers", "x-api-key"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(r.header("access-control-allow-methods"), Some("PATCH"));
    assert_eq!(r.header("access-control-allow-headers"), Some("x-api-key"));
}

async fn rate_limit_headers_then_429(backend: Backend) {
    let t = TestApp::with_config(
        backend,
        TestConfig {
            rate_limit: 3,
            ..Default::default()
        },
    )
    .await;
    let r = t.get("/api/1/site/", None).await;
    assert_eq!(r.header("x-ratelimit-limit"), Some("3"));
    assert_eq!(r.header("x-ratelimit-remaining"), Some("2"));
    assert!(
        r.header("x-ratelimit-reset")
            .unwrap()
            .parse::<u64>()
            .unwrap()
            > 0
    );
    t.get("/api/1/site/", None).await;
    t.get("/api/1/site/", None).await;
    let r = t.get("/api/1/site/", None).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.header("retry-after").unwrap().parse::<u64>().unwrap() >= 1);
    assert!(r.json["message"].is_string());
}

async fn read_only_mode_locks_writes_except_for_sysadmins(backend: Backend) {
    let t = TestApp::with_config(
        backend,
        TestConfig {
            read_only: true,
            ..Default::default()
        },
    )
    .await;
    let (_, user_key) = t.user_with_key("Jane", "Doe", false).await;
    let (_, admin_key) = t.admin().await;
    assert_eq!(t.get("/api/1/site/", None).await.status, StatusCode::OK);
    let r = t
        .patch("/api/1/site/", Some(&user_key), json!({"title": "x"}))
        .await;
    assert_eq!(r.status, StatusCode::LOCKED);
    let r = t
        .patch("/api/1/site/", Some(&admin_key), json!({"title": "x"}))
        .await;
    assert_eq!(r.status, StatusCode::OK);
}

async fn unknown_paths_are_json_404_and_missing_slash_redirects(backend: Backend) {
    let t = TestApp::new(backend).await;
    let r = t.get("/api/1/nothing-here/", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.json["message"].is_string());
    let r = t.get("/api/1/site?x=1", None).await;
    assert_eq!(r.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(r.header("location"), Some("/api/1/site/?x=1"));
}

async fn health_touches_no_storage(backend: Backend) {
    let t = TestApp::new(backend).await;
    let r = t.get("/health", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json["status"], "ok");
}

async fn nul_characters_are_refused_not_stored(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.admin().await;
    let r = t
        .patch("/api/1/site/", Some(&key), json!({"title": "a\u{0}b"}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json["message"].is_string());
    let r = t.get("/api/1/site/?q=a%00b", None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = t.get("/api/1/site/", None).await;
    assert_eq!(r.status, StatusCode::OK);
}

async fn swagger_and_offline_docs_page_are_served(backend: Backend) {
    let t = TestApp::new(backend).await;
    let r = t.get("/api/1/swagger.json", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json["openapi"], "3.1.0");
    assert!(r.json["paths"]["/site/"]["get"].is_object());
    let r = t.get("/api/1/", None).await;
    assert!(r.status.is_redirection());
    let r = t.get("/api/1/docs/", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&r.body).contains("swagger-ui"));
    // The UI's assets are compiled in: no network needed to browse the docs.
    let r = t.get("/api/1/docs/swagger-ui-bundle.js", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.len() > 100_000);
}

async fn v2_swagger_lists_the_search_with_its_parameters(backend: Backend) {
    let t = TestApp::new(backend).await;
    let r = t.get("/api/2/swagger.json", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.json["openapi"], "3.1.0");
    assert_eq!(r.json["servers"][0]["url"], "/api/2");
    let search = &r.json["paths"]["/datasets/search/"]["get"];
    assert_eq!(search["operationId"], "search_datasets");
    let params: Vec<&str> = search["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .map(|p| p["name"].as_str().expect("a name"))
        .collect();
    for name in [
        "q",
        "tag",
        "format",
        "organization",
        "sort",
        "page",
        "page_size",
    ] {
        assert!(params.contains(&name), "{name} is missing from {params:?}");
    }
    let page = &search["responses"]["200"]["content"]["application/json"]["schema"]["$ref"];
    assert_eq!(page, "#/components/schemas/DatasetSearchPage");
    let schemas = &r.json["components"]["schemas"];
    assert!(schemas["DatasetSearchPage"]["properties"]["facets"].is_object());
    // The v2 dataset links to its resources instead of embedding them.
    assert!(schemas["Dataset"]["properties"]["resources"]["properties"]["href"].is_object());
    // /api/1/ keeps its own document.
    let v1 = t.get("/api/1/swagger.json", None).await;
    assert!(v1.json["paths"]["/datasets/search/"].is_null());
    let r = t.get("/api/2/", None).await;
    assert!(r.status.is_redirection());
    let r = t.get("/api/2/docs/", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&r.body).contains("swagger-ui"));
}

both!(
    nul_characters_are_refused_not_stored,
    swagger_and_offline_docs_page_are_served,
    v2_swagger_lists_the_search_with_its_parameters,
    invalid_api_key_is_401_with_challenge,
    deleted_users_key_no_longer_works,
    malformed_json_is_400,
    wrong_media_type_is_415,
    oversized_body_is_413,
    x_fields_masks_and_malformed_mask_is_400,
    cors_echoes_origin_and_answers_preflight,
    rate_limit_headers_then_429,
    read_only_mode_locks_writes_except_for_sysadmins,
    unknown_paths_are_json_404_and_missing_slash_redirects,
    health_touches_no_storage,
);
