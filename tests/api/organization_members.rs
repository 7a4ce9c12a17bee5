//! `/organizations/{org}/member/{user}/` and `/organizations/{org}/membership/`: members managed
//! by administrators, and requests to join.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both;
use crate::common::{Backend, TestApp};
use crate::organizations::{add_member, create_org};
use plateau::domain::organization::OrgRole;
use plateau::domain::user::User;

/// An organization whose admin, editor and sysadmin hold the returned keys.
struct Fixture {
    t: TestApp,
    org: Value,
    admin_key: String,
    editor: User,
    editor_key: String,
    sysadmin_key: String,
}

impl Fixture {
    async fn new(backend: Backend) -> Self {
        let t = TestApp::new(backend).await;
        let (_, admin_key) = t.user_with_key("Ada", "Admin", false).await;
        let (editor, editor_key) = t.user_with_key("Ed", "Editor", false).await;
        let (_, sysadmin_key) = t.admin().await;
        let org = create_org(&t, &admin_key, "Org").await;
        add_member(&t, org["id"].as_str().unwrap(), &editor.id, OrgRole::Editor).await;
        Fixture {
            t,
            org,
            admin_key,
            editor,
            editor_key,
            sysadmin_key,
        }
    }

    fn path(&self, rest: &str) -> String {
        format!(
            "/api/1/organizations/{}/{rest}",
            self.org["id"].as_str().unwrap()
        )
    }

    async fn members(&self) -> Vec<Value> {
        let r = self.t.get(&self.path(""), None).await;
        r.json["members"].as_array().unwrap().clone()
    }
}

async fn admin_adds_member_with_role(backend: Backend) {
    let f = Fixture::new(backend).await;
    let (newcomer, _) = f.t.user_with_key("New", "Comer", false).await;
    let (other, _) = f.t.user_with_key("Oth", "Er", false).await;
    let member = f.path(&format!("member/{}/", newcomer.id));
    let body = json!({"role": "admin"});
    assert_eq!(
        f.t.post(&member, None, body.clone()).await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = f.t.post(&member, Some(&f.editor_key), body.clone()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r =
        f.t.post(&member, Some(&f.admin_key), json!({"role": "owner"}))
            .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json["errors"]["role"].is_array());
    let r = f.t.post(&member, Some(&f.admin_key), body.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
    assert_eq!(r.json["role"], "admin");
    assert_eq!(r.json["label"], "Administrator");
    assert_eq!(r.json["user"]["id"], newcomer.id.as_str());
    assert!(r.json["since"].is_string());
    let r =
        f.t.post(&member, Some(&f.admin_key), json!({"role": "editor"}))
            .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(
        r.json["role"], "admin",
        "the existing membership is returned"
    );
    // No body: an editor, added by a sysadmin, by user slug.
    let by_slug = f.path(&format!("member/{}/", other.slug));
    let r =
        f.t.call(Method::POST, &by_slug, Some(&f.sysadmin_key), None, &[])
            .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
    assert_eq!(r.json["role"], "editor");
    let r =
        f.t.post(&f.path("member/nobody/"), Some(&f.admin_key), body.clone())
            .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r =
        f.t.post(
            &format!("/api/1/organizations/nope/member/{}/", newcomer.id),
            Some(&f.admin_key),
            body,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let org = f.t.get(&f.path(""), None).await.json;
    assert_eq!(org["metrics"]["members"], 4);
    assert_eq!(org["members"].as_array().unwrap().len(), 4);
}

async fn admin_changes_member_role(backend: Backend) {
    let f = Fixture::new(backend).await;
    let (outsider, _) = f.t.user_with_key("Out", "Sider", false).await;
    let member = f.path(&format!("member/{}/", f.editor.id));
    let promote = json!({"role": "admin"});
    let r = f.t.put(&member, Some(&f.editor_key), promote.clone()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = f.t.put(&member, None, promote.clone()).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r =
        f.t.put(&member, Some(&f.admin_key), json!({"role": 1}))
            .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json["errors"]["role"].is_array());
    let r = f.t.put(&member, Some(&f.admin_key), promote.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    assert_eq!(r.json["role"], "admin");
    assert_eq!(f.members().await[1]["role"], "admin");
    // Now an admin, the former editor may manage members.
    let r =
        f.t.put(&member, Some(&f.editor_key), json!({"role": "editor"}))
            .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json["role"], "editor");
    let r =
        f.t.put(
            &f.path(&format!("member/{}/", outsider.id)),
            Some(&f.sysadmin_key),
            promote,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

async fn admin_removes_member(backend: Backend) {
    let f = Fixture::new(backend).await;
    let member = f.path(&format!("member/{}/", f.editor.id));
    assert_eq!(
        f.t.delete(&member, Some(&f.editor_key)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        f.t.delete(&member, None).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        f.t.delete(&member, Some(&f.admin_key)).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        f.t.delete(&member, Some(&f.admin_key)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(f.members().await.len(), 1);
    let r = f.t.delete(&f.path("member/%FF/"), Some(&f.admin_key)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "not UTF-8");
    assert!(r.json["message"].is_string());
    let org = f.t.get(&f.path(""), None).await.json;
    assert_eq!(org["metrics"]["members"], 1);
    // Removed, the former editor no longer sees the deleted organization.
    f.t.delete(&f.path(""), Some(&f.admin_key)).await;
    assert_eq!(
        f.t.get(&f.path(""), Some(&f.editor_key)).await.status,
        StatusCode::GONE
    );
}

async fn membership_request_is_created_then_updated(backend: Backend) {
    let f = Fixture::new(backend).await;
    let (applicant, key) = f.t.user_with_key("App", "Licant", false).await;
    let requests = f.path("membership/");
    let r = f.t.post(&requests, None, json!({"comment": "hi"})).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = f.t.post(&requests, Some(&key), json!({})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json["errors"]["comment"].is_array());
    let r =
        f.t.post(&requests, Some(&key), json!({"comment": "let me in"}))
            .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
    assert_eq!(r.json["status"], "pending");
    assert_eq!(r.json["comment"], "let me in");
    assert_eq!(r.json["user"]["id"], applicant.id.as_str());
    assert_eq!(r.json["user"]["email"], applicant.email.as_str());
    assert_eq!(r.json["id"].as_str().unwrap().len(), 36, "a UUID");
    let first_id = r.json["id"].clone();
    let r =
        f.t.post(&requests, Some(&key), json!({"comment": "please"}))
            .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json["id"], first_id);
    assert_eq!(r.json["comment"], "please");
    let r = f.t.get(&requests, Some(&f.admin_key)).await;
    assert_eq!(r.json.as_array().unwrap().len(), 1);
    let r =
        f.t.post(&requests, Some(&f.editor_key), json!({"comment": "again"}))
            .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "members need not ask");
}

async fn membership_requests_are_listed_to_members_and_applicant(backend: Backend) {
    let f = Fixture::new(backend).await;
    let (applicant, key) = f.t.user_with_key("App", "Licant", false).await;
    let (other, other_key) = f.t.user_with_key("Oth", "Er", false).await;
    let requests = f.path("membership/");
    f.t.post(&requests, Some(&key), json!({"comment": "one"}))
        .await;
    f.t.post(&requests, Some(&other_key), json!({"comment": "two"}))
        .await;
    assert_eq!(
        f.t.get(&requests, None).await.status,
        StatusCode::UNAUTHORIZED
    );
    for member_key in [&f.editor_key, &f.admin_key, &f.sysadmin_key] {
        let r = f.t.get(&requests, Some(member_key)).await;
        assert_eq!(r.status, StatusCode::OK);
        let items = r.json.as_array().unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0]["comment"], "one", "oldest first");
        assert_eq!(items[0]["user"]["email"], applicant.email.as_str());
    }
    assert_eq!(
        f.t.get(&requests, Some(&key)).await.status,
        StatusCode::FORBIDDEN
    );
    let own = format!("{requests}?user={}", applicant.id);
    let r = f.t.get(&own, Some(&key)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json.as_array().unwrap().len(), 1);
    assert_eq!(r.json[0]["comment"], "one");
    let r = f.t.get(&format!("{own}&status=refused"), Some(&key)).await;
    assert_eq!(r.json, json!([]));
    let r = f.t.get(&format!("{own}&status=pending"), Some(&key)).await;
    assert_eq!(r.json.as_array().unwrap().len(), 1);
    let r =
        f.t.get(&format!("{requests}?user={}", other.id), Some(&key))
            .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r =
        f.t.get(&format!("{requests}?status=maybe"), Some(&f.admin_key))
            .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json["errors"]["status"].is_array());
    let r =
        f.t.get(
            &format!("{requests}?user={}", other.id),
            Some(&f.editor_key),
        )
        .await;
    assert_eq!(r.json.as_array().unwrap().len(), 1);
}

async fn admin_accepts_membership_request(backend: Backend) {
    let f = Fixture::new(backend).await;
    let (applicant, key) = f.t.user_with_key("App", "Licant", false).await;
    let request =
        f.t.post(&f.path("membership/"), Some(&key), json!({"comment": "hi"}))
            .await
            .json;
    let accept = f.path(&format!(
        "membership/{}/accept/",
        request["id"].as_str().unwrap()
    ));
    assert_eq!(
        f.t.post(&accept, None, json!({})).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        f.t.post(&accept, Some(&f.editor_key), json!({}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let r =
        f.t.call(Method::POST, &accept, Some(&f.admin_key), None, &[])
            .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    assert_eq!(r.json["role"], "editor");
    assert_eq!(r.json["user"]["id"], applicant.id.as_str());
    let stored =
        f.t.store()
            .membership_request(request["id"].as_str().unwrap())
            .await
            .unwrap()
            .unwrap();
    assert_eq!(stored.status, "accepted");
    assert!(stored.handled_on.is_some());
    assert!(stored.handled_by.is_some());
    assert_eq!(f.members().await.len(), 3);
    let r = f.t.post(&accept, Some(&f.admin_key), json!({})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json["role"], "editor");
    let unknown = f.path("membership/00000000-0000-4000-8000-000000000000/accept/");
    let r = f.t.post(&unknown, Some(&f.admin_key), json!({})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json["message"], "Unknown membership request id");
    // A request made to another organization is unknown here.
    let other = create_org(&f.t, &f.sysadmin_key, "Other").await;
    let (_, second_key) = f.t.user_with_key("Sec", "Ond", false).await;
    let elsewhere =
        f.t.post(
            &format!(
                "/api/1/organizations/{}/membership/",
                other["id"].as_str().unwrap()
            ),
            Some(&second_key),
            json!({"comment": "hi"}),
        )
        .await
        .json;
    let cross = f.path(&format!(
        "membership/{}/accept/",
        elsewhere["id"].as_str().unwrap()
    ));
    let r = f.t.post(&cross, Some(&f.admin_key), json!({})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

async fn admin_refuses_membership_request(backend: Backend) {
    let f = Fixture::new(backend).await;
    let (_, key) = f.t.user_with_key("App", "Licant", false).await;
    let (_, second_key) = f.t.user_with_key("Sec", "Ond", false).await;
    let first =
        f.t.post(&f.path("membership/"), Some(&key), json!({"comment": "hi"}))
            .await
            .json;
    let second =
        f.t.post(
            &f.path("membership/"),
            Some(&second_key),
            json!({"comment": "hello"}),
        )
        .await
        .json;
    let refuse = |request: &Value| {
        f.path(&format!(
            "membership/{}/refuse/",
            request["id"].as_str().unwrap()
        ))
    };
    let r =
        f.t.post(
            &refuse(&first),
            Some(&f.editor_key),
            json!({"comment": "no"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r =
        f.t.post(
            &refuse(&first),
            Some(&f.admin_key),
            json!({"comment": "no"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    assert_eq!(r.json, json!({}));
    let stored =
        f.t.store()
            .membership_request(first["id"].as_str().unwrap())
            .await
            .unwrap()
            .unwrap();
    assert_eq!(stored.status, "refused");
    assert_eq!(stored.refusal_comment.as_deref(), Some("no"));
    assert_eq!(stored.comment.as_deref(), Some("hi"));
    let r =
        f.t.call(
            Method::POST,
            &refuse(&second),
            Some(&f.sysadmin_key),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "the comment is optional");
    let r =
        f.t.post(&refuse(&second), Some(&f.admin_key), json!({"comment": 3}))
            .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r =
        f.t.get(
            &format!("{}?status=refused", f.path("membership/")),
            Some(&f.admin_key),
        )
        .await;
    assert_eq!(r.json.as_array().unwrap().len(), 2);
    assert_eq!(f.members().await.len(), 2, "nobody joined");
    let r =
        f.t.post(
            &f.path("membership/not-a-uuid/refuse/"),
            Some(&f.admin_key),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

both!(
    admin_adds_member_with_role,
    admin_changes_member_role,
    admin_removes_member,
    membership_request_is_created_then_updated,
    membership_requests_are_listed_to_members_and_applicant,
    admin_accepts_membership_request,
    admin_refuses_membership_request,
);
