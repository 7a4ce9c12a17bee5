//! What hangs off an organization: badges, followers, the lists of what it owns, the exports;
//! and the namespace's fixed lists (roles, badge kinds).

use axum::http::StatusCode;
use serde_json::json;

use crate::both;
use crate::common::{Backend, TestApp};
use crate::organizations::{create_org, org_path};

async fn roles_and_badge_kinds_are_listed(backend: Backend) {
    let t = TestApp::new(backend).await;
    let r = t.get("/api/1/organizations/roles/", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.json,
        json!([{"id": "admin", "label": "Administrator"}, {"id": "editor", "label": "Editor"}])
    );
    let r = t.get("/api/1/organizations/badges/", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json.as_object().unwrap().len(), 5);
    assert_eq!(r.json["public-service"], "Public Service");
    assert_eq!(r.json["local-authority"], "Local authority");
}

async fn sysadmin_awards_and_removes_badges(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, admin_key) = t.user_with_key("Ada", "Admin", false).await;
    let (_, sysadmin_key) = t.admin().await;
    let org = create_org(&t, &admin_key, "Org").await;
    let badges = format!("{}badges/", org_path(&org));
    let certified = json!({"kind": "certified"});
    let r = t.post(&badges, None, certified.clone()).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = t.post(&badges, Some(&admin_key), certified.clone()).await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "org admins are not sysadmins"
    );
    let r = t
        .post(&badges, Some(&sysadmin_key), certified.clone())
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.json, certified);
    let r = t
        .post(&badges, Some(&sysadmin_key), certified.clone())
        .await;
    assert_eq!(r.status, StatusCode::OK);
    for body in [json!({"kind": "wizard"}), json!({}), json!({"kind": 3})] {
        let r = t.post(&badges, Some(&sysadmin_key), body.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}");
        assert!(r.json["errors"]["kind"].is_array(), "{body}");
    }
    let r = t.get(&org_path(&org), None).await;
    assert_eq!(r.json["badges"], json!([{"kind": "certified"}]));
    let one = format!("{badges}certified/");
    assert_eq!(
        t.delete(&one, Some(&admin_key)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        t.delete(&one, Some(&sysadmin_key)).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        t.delete(&one, Some(&sysadmin_key)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(t.get(&org_path(&org), None).await.json["badges"], json!([]));
    let r = t
        .post(
            "/api/1/organizations/nope/badges/",
            Some(&sysadmin_key),
            certified,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

async fn users_follow_and_unfollow_organizations(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, admin_key) = t.user_with_key("Ada", "Admin", false).await;
    let (fan, fan_key) = t.user_with_key("Fan", "Club", false).await;
    let org = create_org(&t, &admin_key, "Org").await;
    let followers = format!("{}followers/", org_path(&org));
    assert_eq!(
        t.post(&followers, None, json!({})).await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = t.post(&followers, Some(&fan_key), json!({})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.json, json!({"followers": 1}));
    let r = t.post(&followers, Some(&fan_key), json!({})).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json, json!({"followers": 1}));
    let r = t.get(&followers, None).await;
    assert_eq!(r.json["total"], 1);
    assert_eq!(r.json["data"][0]["follower"]["id"], fan.id.as_str());
    let r = t.get(&format!("{followers}?user={}", fan.id), None).await;
    assert_eq!(r.json["total"], 1);
    let r = t.get(&format!("{followers}?user=someone"), None).await;
    assert_eq!(r.json["total"], 0);
    let r = t.get(&format!("{followers}?page_size=0"), None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let slug_followers = "/api/1/organizations/org/followers/";
    assert_eq!(t.get(slug_followers, None).await.json["total"], 1);
    assert_eq!(
        t.get(&org_path(&org), None).await.json["metrics"]["followers"],
        1
    );
    let r = t.delete(&followers, Some(&fan_key)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json, json!({"followers": 0}));
    let r = t.delete(&followers, Some(&fan_key)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = t
        .post(
            "/api/1/organizations/nope/followers/",
            Some(&fan_key),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

async fn owned_lists_answer_empty_shapes(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let org = create_org(&t, &key, "Org").await;
    let path = org_path(&org);
    let r = t
        .get(
            &format!("{path}datasets/?sort=-created&tag=a&tag=b&featured=true"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    assert_eq!(
        r.json,
        json!({"data": [], "page": 1, "page_size": 20, "total": 0, "next_page": null, "previous_page": null})
    );
    let r = t.get(&format!("{path}contacts/"), None).await;
    assert_eq!(r.json["data"], json!([]));
    assert_eq!(r.json["total"], 0);
    for list in ["reuses/", "discussions/", "contacts/suggest/?q=x"] {
        let r = t.get(&format!("{path}{list}"), None).await;
        assert_eq!(r.status, StatusCode::OK, "{list}");
        assert_eq!(r.json, json!([]), "{list}");
    }
    for (query, field) in [
        ("datasets/?sort=name", "sort"),
        ("datasets/?badge=gold", "badge"),
        ("datasets/?organization_badge=gold", "organization_badge"),
        ("datasets/?featured=maybe", "featured"),
        ("datasets/?private=2", "private"),
        ("datasets/?page_size=0", "page_size"),
        ("contacts/?page=zero", "page"),
        ("contacts/suggest/", "q"),
        ("contacts/suggest/?q=x&size=0", "size"),
    ] {
        let r = t.get(&format!("{path}{query}"), None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(r.json["errors"][field].is_array(), "{query}: {:?}", r.json);
    }
    assert_eq!(
        t.get(&format!("{path}datasets/?page=2"), None).await.status,
        StatusCode::NOT_FOUND
    );
    for list in ["datasets/", "reuses/", "discussions/", "contacts/"] {
        let r = t
            .get(&format!("/api/1/organizations/nope/{list}"), None)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{list}");
    }
    t.delete(&path, Some(&key)).await;
    for list in ["datasets/", "reuses/", "discussions/", "contacts/"] {
        let r = t.get(&format!("{path}{list}"), None).await;
        assert_eq!(r.status, StatusCode::GONE, "{list}");
        let r = t.get(&format!("{path}{list}"), Some(&key)).await;
        assert_eq!(r.status, StatusCode::OK, "{list} for a member");
    }
}

async fn catalog_and_csv_exports_answer_501(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let org = create_org(&t, &key, "Org").await;
    let exports = [
        "catalog",
        "catalog.json",
        "catalog.ttl?page=2",
        "datasets.csv",
        "datasets-resources.csv",
        "dataservices.csv",
        "discussions.csv",
    ];
    for export in exports {
        let r = t.get(&format!("{}{export}", org_path(&org)), None).await;
        assert_eq!(r.status, StatusCode::NOT_IMPLEMENTED, "{export}");
        assert!(
            r.json["message"]
                .as_str()
                .unwrap()
                .contains("interoperability"),
            "{export}"
        );
        let r = t
            .get(&format!("/api/1/organizations/nope/{export}"), None)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{export}");
    }
    t.delete(&org_path(&org), Some(&key)).await;
    for export in exports {
        let r = t.get(&format!("{}{export}", org_path(&org)), None).await;
        assert_eq!(r.status, StatusCode::GONE, "{export}");
    }
}

both!(
    roles_and_badge_kinds_are_listed,
    sysadmin_awards_and_removes_badges,
    users_follow_and_unfollow_organizations,
    owned_lists_answer_empty_shapes,
    catalog_and_csv_exports_answer_501,
);
