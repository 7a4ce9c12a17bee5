//! `/users/{id}/followers/`: following users, through the shared followers mechanism.

use axum::http::StatusCode;
use serde_json::json;

use crate::both;
use crate::common::{Backend, TestApp};
use plateau::domain::{ids, time};
use plateau::store::follows::Followable;

async fn follow_list_and_unfollow_a_user(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (jane, _) = t.user_with_key("Jane", "Doe", false).await;
    let (fan, fan_key) = t.user_with_key("Fan", "One", false).await;
    let path = format!("/api/1/users/{}/followers/", jane.id);
    let r = t.post(&path, Some(&fan_key), json!({})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
    assert_eq!(r.json, json!({"followers": 1}));
    let r = t.post(&path, Some(&fan_key), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "already following");
    assert_eq!(r.json, json!({"followers": 1}));
    let r = t.get("/api/1/users/jane-doe/followers/", None).await;
    assert_eq!(r.status, StatusCode::OK, "listing accepts the slug");
    assert_eq!(r.json["total"], 1);
    assert_eq!(r.json["data"][0]["follower"]["id"], fan.id);
    assert_eq!(r.json["data"][0]["follower"]["class"], "User");
    assert!(r.json["data"][0]["since"].is_string());
    let r = t
        .get(&format!("{path}?user={}", ids::object_id()), None)
        .await;
    assert_eq!(r.json["total"], 0);
    let r = t.get(&format!("{path}?user={}", fan.id), None).await;
    assert_eq!(r.json["total"], 1);
    assert_eq!(
        t.get(&format!("{path}?user=not-an-id"), None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.get(&format!("{path}?page_size=0"), None).await.status,
        StatusCode::BAD_REQUEST
    );
    // Metrics follow the follows.
    let profile = t.get(&format!("/api/1/users/{}/", jane.id), None).await;
    assert_eq!(profile.json["metrics"]["followers"], 1);
    let profile = t.get(&format!("/api/1/users/{}/", fan.id), None).await;
    assert_eq!(profile.json["metrics"]["following"], 1);
    let r = t.delete(&path, Some(&fan_key)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json, json!({"followers": 0}));
    let r = t.delete(&path, Some(&fan_key)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(t.get(&path, None).await.json["total"], 0);
}

async fn following_needs_a_key_an_id_and_someone_else(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (me, admin) = t.admin().await;
    let (jane, key) = t.user_with_key("Jane", "Doe", false).await;
    let path = format!("/api/1/users/{}/followers/", jane.id);
    assert_eq!(
        t.post(&path, None, json!({})).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(t.delete(&path, None).await.status, StatusCode::UNAUTHORIZED);
    let r = t.post(&path, Some(&key), json!({})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json["message"], "You can't follow yourself");
    let r = t
        .post(
            &format!("/api/1/users/{}/followers/", me.id),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "not even a sysadmin follows themself"
    );
    for missing in [ids::object_id(), "jane-doe".to_owned()] {
        let r = t
            .post(
                &format!("/api/1/users/{missing}/followers/"),
                Some(&admin),
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{missing}");
        let r = t
            .delete(&format!("/api/1/users/{missing}/followers/"), Some(&admin))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{missing}");
    }
    assert_eq!(
        t.get("/api/1/users/nobody/followers/", None).await.status,
        StatusCode::NOT_FOUND
    );
}

async fn deleted_users_lose_follows_and_cannot_be_followed(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (jane, _) = t.user_with_key("Jane", "Doe", false).await;
    let (_, fan_key) = t.user_with_key("Fan", "One", false).await;
    let path = format!("/api/1/users/{}/followers/", jane.id);
    t.post(&path, Some(&fan_key), json!({})).await;
    t.store().delete_user(&jane, time::now()).await.unwrap();
    let r = t.get(&path, None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json["total"], 0, "follows end with the account");
    let r = t.post(&path, Some(&fan_key), json!({})).await;
    assert_eq!(r.status, StatusCode::GONE);
}

async fn a_deleted_followers_follows_stop_counting(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (jane, _) = t.user_with_key("Jane", "Doe", false).await;
    let (fan, fan_key) = t.user_with_key("Fan", "One", false).await;
    let org = crate::fixtures::organization(&t, "Followed", &jane.id).await;
    t.post(
        &format!("/api/1/users/{}/followers/", jane.id),
        Some(&fan_key),
        json!({}),
    )
    .await;
    t.store()
        .follow(Followable::Organization, &org, &fan.id, time::now())
        .await
        .unwrap();
    assert_eq!(
        t.get("/api/1/users/jane-doe/", None).await.json["metrics"]["followers"],
        1
    );
    t.delete("/api/1/me/", Some(&fan_key)).await;
    assert_eq!(
        t.get("/api/1/users/jane-doe/", None).await.json["metrics"]["followers"],
        0
    );
    let org = t.store().organization_by_id(&org).await.unwrap().unwrap();
    assert_eq!(org.followers, 0);
}

both!(
    follow_list_and_unfollow_a_user,
    following_needs_a_key_an_id_and_someone_else,
    deleted_users_lose_follows_and_cannot_be_followed,
    a_deleted_followers_follows_stop_counting
);
