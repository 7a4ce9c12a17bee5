//! `/me/`: the caller's profile, API key, avatar, content lists and metrics.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::json;

use crate::both;
use crate::common::{Backend, TestApp};
use crate::fixtures::{organization, png, upload};
use plateau::domain::time;
use plateau::store::follows::Followable;

const LISTS: &[&str] = &[
    "/api/1/me/datasets/",
    "/api/1/me/reuses/",
    "/api/1/me/org_datasets/",
    "/api/1/me/org_reuses/",
    "/api/1/me/org_community_resources/",
    "/api/1/me/org_discussions/",
];

async fn every_me_operation_needs_a_key(backend: Backend) {
    let t = TestApp::new(backend).await;
    let mut requests = vec![
        (Method::GET, "/api/1/me/"),
        (Method::PUT, "/api/1/me/"),
        (Method::DELETE, "/api/1/me/"),
        (Method::POST, "/api/1/me/apikey/"),
        (Method::DELETE, "/api/1/me/apikey/"),
        (Method::GET, "/api/1/me/metrics/"),
    ];
    requests.extend(LISTS.iter().map(|path| (Method::GET, *path)));
    for (method, path) in requests {
        let body = (method == Method::PUT).then(|| json!({"first_name": "X"}));
        let r = t.call(method.clone(), path, None, body, &[]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{method} {path}");
        assert!(r.header("www-authenticate").is_some());
    }
    let r = t
        .send(upload("/api/1/me/avatar/", None, &png(8, 8), None))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = t.get("/api/1/me/", Some("an-unknown-key")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

async fn me_shows_private_fields_but_never_a_key(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (jane, key) = t.user_with_key("Jane", "Doe", false).await;
    let org = organization(&t, "Jane's Org", &jane.id).await;
    let r = t.get("/api/1/me/", Some(&key)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json["id"], jane.id);
    assert_eq!(r.json["email"], jane.email);
    assert_eq!(r.json["roles"], json!([]));
    assert!(r.json.get("last_login_at").is_some());
    assert!(
        r.json.get("apikey").is_some(),
        "the contract's field is there"
    );
    assert!(r.json["apikey"].is_null());
    assert!(!String::from_utf8_lossy(&r.body).contains(&key));
    assert_eq!(r.json["organizations"][0]["id"], org);
    assert_eq!(r.json["uri"], "http://plateau.test/api/1/users/jane-doe/");
    let r = t
        .call(
            Method::GET,
            "/api/1/me/",
            Some(&key),
            None,
            &[("X-Fields", "id,email,organizations{name}")],
        )
        .await;
    assert_eq!(
        r.json,
        json!({"id": jane.id, "email": jane.email, "organizations": [{"name": "Jane's Org"}]})
    );
}

async fn me_updates_the_profile(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (jane, key) = t.user_with_key("Jane", "Doe", false).await;
    let (other, _) = t.user_with_key("Other", "Person", false).await;
    let mut whole = t.get("/api/1/me/", Some(&key)).await.json;
    whole["about"] = json!("I **publish** data.");
    whole["website"] = json!("https://jane.example.org");
    whole["last_name"] = json!("Dupont");
    whole["roles"] = json!(["admin"]);
    whole["active"] = json!(false);
    let r = t.put("/api/1/me/", Some(&key), whole).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    assert_eq!(r.json["last_name"], "Dupont");
    assert_eq!(r.json["website"], "https://jane.example.org");
    assert!(r.json["about"].as_str().unwrap().contains("publish"));
    assert_eq!(
        r.json["roles"],
        json!([]),
        "roles are not the owner's to set"
    );
    assert_eq!(r.json["active"], true);
    assert_eq!(r.json["slug"], "jane-doe");
    assert!(r.json["apikey"].is_null());
    let r = t
        .put("/api/1/me/", Some(&key), json!({"website": ""}))
        .await;
    assert!(r.json["website"].is_null());
    assert_eq!(r.json["last_name"], "Dupont", "absent fields are kept");
    let r = t
        .put(
            "/api/1/me/",
            Some(&key),
            json!({"email": "jane@new.example.org"}),
        )
        .await;
    assert_eq!(r.json["email"], "jane@new.example.org");
    let cases = [
        (json!({"first_name": ""}), "first_name"),
        (json!({"last_name": "www.spam.fr"}), "last_name"),
        (json!({"website": "not a url"}), "website"),
        (json!({"email": "nope"}), "email"),
        (json!({"email": other.email}), "email"),
        (json!({"about": ["list"]}), "about"),
    ];
    for (body, field) in cases {
        let r = t.put("/api/1/me/", Some(&key), body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{field}");
        assert!(r.json["errors"][field].is_array(), "{field}: {:?}", r.json);
    }
    let malformed = Request::builder()
        .method(Method::PUT)
        .uri("/api/1/me/")
        .header("X-API-KEY", &key)
        .header("content-type", "application/json")
        .body(Body::from("not json"))
        .unwrap();
    assert_eq!(t.send(malformed).await.status, StatusCode::BAD_REQUEST);
    let r = t
        .call(
            Method::PUT,
            "/api/1/me/",
            Some(&key),
            None,
            &[("content-type", "text/plain")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let stored = t.store().user_by_id(&jane.id).await.unwrap().unwrap();
    assert_eq!(stored.email, "jane@new.example.org");
}

async fn deleting_me_anonymises_and_revokes_the_key(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, admin) = t.admin().await;
    let (jane, key) = t.user_with_key("Jane", "Doe", false).await;
    let (_, fan_key) = t.user_with_key("Fan", "One", false).await;
    t.post(
        &format!("/api/1/users/{}/followers/", jane.id),
        Some(&fan_key),
        json!({}),
    )
    .await;
    organization(&t, "Jane's Org", &jane.id).await;
    t.send(upload("/api/1/me/avatar/", Some(&key), &png(16, 16), None))
        .await;
    let avatar = t.get("/api/1/me/", Some(&key)).await.json["avatar"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = t.delete("/api/1/me/", Some(&key)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        t.get("/api/1/me/", Some(&key)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = t
        .get(&format!("/api/1/users/{}/", jane.id), Some(&admin))
        .await;
    assert_eq!(r.json["first_name"], "DELETED");
    assert_eq!(r.json["last_name"], "DELETED");
    assert_eq!(r.json["email"], format!("{}@deleted", jane.id));
    assert!(r.json["avatar"].is_null());
    assert_eq!(r.json["organizations"], json!([]));
    assert_eq!(r.json["metrics"]["followers"], 0);
    assert_eq!(r.json["active"], false);
    let old = t
        .get(avatar.strip_prefix("http://plateau.test").unwrap(), None)
        .await;
    assert_eq!(old.status, StatusCode::NOT_FOUND, "the avatar files go");
    assert_eq!(
        t.get(&format!("/api/1/users/{}/", jane.id), None)
            .await
            .status,
        StatusCode::GONE
    );
}

async fn api_key_lifecycle(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, old_key) = t.user_with_key("Jane", "Doe", false).await;
    let r = t.post("/api/1/me/apikey/", Some(&old_key), json!({})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let new_key = r.json["apikey"].as_str().unwrap().to_owned();
    assert_eq!(new_key.len(), 43);
    assert_eq!(r.json.as_object().unwrap().len(), 1);
    assert_eq!(
        t.get("/api/1/me/", Some(&old_key)).await.status,
        StatusCode::UNAUTHORIZED,
        "the new key replaces the old one"
    );
    let me = t.get("/api/1/me/", Some(&new_key)).await;
    assert_eq!(me.status, StatusCode::OK);
    assert!(me.json["apikey"].is_null());
    assert!(!String::from_utf8_lossy(&me.body).contains(&new_key));
    // Generated again without a body or content type: no JSON is expected.
    let r = t
        .call(Method::POST, "/api/1/me/apikey/", Some(&new_key), None, &[])
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let newer_key = r.json["apikey"].as_str().unwrap().to_owned();
    assert_ne!(newer_key, new_key);
    let r = t.delete("/api/1/me/apikey/", Some(&newer_key)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(r.body.is_empty());
    assert_eq!(
        t.get("/api/1/me/", Some(&newer_key)).await.status,
        StatusCode::UNAUTHORIZED
    );
}

async fn me_uploads_an_avatar(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Jane", "Doe", false).await;
    let r = t
        .send(upload(
            "/api/1/me/avatar/",
            Some(&key),
            &png(300, 200),
            None,
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    assert_eq!(r.json["success"], true);
    let first = r.json["image"].as_str().unwrap().to_owned();
    let me = t.get("/api/1/me/", Some(&key)).await.json;
    assert_eq!(me["avatar"], first);
    let thumbnail = me["avatar_thumbnail"].as_str().unwrap().to_owned();
    let r = t
        .send(upload(
            "/api/1/me/avatar/",
            Some(&key),
            &png(50, 50),
            Some("5,5,20,20"),
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    for old in [first, thumbnail] {
        let path = old.strip_prefix("http://plateau.test").unwrap().to_owned();
        assert_eq!(t.get(&path, None).await.status, StatusCode::NOT_FOUND);
    }
    let r = t
        .send(upload(
            "/api/1/me/avatar/",
            Some(&key),
            b"%PDF-1.4 not an image",
            None,
        ))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json["errors"]["file"].is_array());
    let r = t
        .send(upload(
            "/api/1/me/avatar/",
            Some(&key),
            &png(10, 10),
            Some("a,b"),
        ))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json["errors"]["bbox"].is_array());
    let r = t
        .post("/api/1/me/avatar/", Some(&key), json!({"file": "x"}))
        .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

async fn my_lists_are_bare_arrays(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Jane", "Doe", false).await;
    for path in LISTS {
        let r = t.get(path, Some(&key)).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert_eq!(r.json, json!([]), "{path}");
        let r = t.get(&format!("{path}?q=budget"), Some(&key)).await;
        assert_eq!(r.status, StatusCode::OK, "{path}?q=");
    }
}

async fn my_metrics_count_followers(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (jane, key) = t.user_with_key("Jane", "Doe", false).await;
    let (fan, fan_key) = t.user_with_key("Fan", "One", false).await;
    let (other, _) = t.user_with_key("Other", "One", false).await;
    let first = organization(&t, "First", &jane.id).await;
    let second = organization(&t, "Second", &jane.id).await;
    let foreign = organization(&t, "Foreign", &other.id).await;
    for org in [&first, &second, &foreign] {
        t.store()
            .follow(Followable::Organization, org, &fan.id, time::now())
            .await
            .unwrap();
    }
    t.store()
        .follow(Followable::Organization, &first, &other.id, time::now())
        .await
        .unwrap();
    t.post(
        &format!("/api/1/users/{}/followers/", jane.id),
        Some(&fan_key),
        json!({}),
    )
    .await;
    let r = t.get("/api/1/me/metrics/", Some(&key)).await;
    assert_eq!(r.status, StatusCode::OK);
    // One object, as uData answers (its Swagger says a list).
    assert_eq!(
        r.json,
        json!({"id": jane.id, "resources_availability": 100.0, "datasets_org_count": 0,
            "followers_org_count": 3, "datasets_count": 0, "followers_count": 1})
    );
}

both!(
    every_me_operation_needs_a_key,
    me_shows_private_fields_but_never_a_key,
    me_updates_the_profile,
    deleting_me_anonymises_and_revokes_the_key,
    api_key_lifecycle,
    me_uploads_an_avatar,
    my_lists_are_bare_arrays,
    my_metrics_count_followers
);
