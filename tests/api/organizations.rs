//! `/organizations/`: create, read, update, delete, the list and suggestions. Members and
//! membership requests are in `organization_members.rs`, the logo in `organization_logo.rs`,
//! badges, followers, owned lists and exports in `organization_subresources.rs`.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both;
use crate::common::{BASE_URL, Backend, TestApp};
use plateau::domain::organization::OrgRole;
use plateau::domain::time;

/// Creates an organization through the API as the holder of `key`.
pub async fn create_org(t: &TestApp, key: &str, name: &str) -> Value {
    let r = t
        .post(
            "/api/1/organizations/",
            Some(key),
            json!({"name": name, "description": "Some **markdown**"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
    r.json
}

/// Makes `user_id` a member of `org_id` directly in the store.
pub async fn add_member(t: &TestApp, org_id: &str, user_id: &str, role: OrgRole) {
    t.store()
        .add_member(org_id, user_id, role, time::now())
        .await
        .expect("add member");
}

pub fn org_path(org: &Value) -> String {
    format!("/api/1/organizations/{}/", org["id"].as_str().unwrap())
}

async fn create_organization_makes_caller_admin(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (user, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let r = t
        .post(
            "/api/1/organizations/",
            Some(&key),
            json!({"name": "Ministère de l'Intérieur", "acronym": "MI", "description": "d",
                "url": "https://interieur.gouv.fr", "business_number_id": "35600000000048",
                "extras": {"k": "v"}, "id": "ignored", "members": []}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
    let org = &r.json;
    assert_eq!(org["slug"], "ministere-de-l-interieur");
    assert_eq!(org["acronym"], "MI");
    assert_eq!(org["business_number_id"], "35600000000048");
    assert_eq!(org["extras"], json!({"k": "v"}));
    assert_eq!(org["deleted"], Value::Null);
    assert_eq!(org["badges"], json!([]));
    assert_eq!(org["logo"], Value::Null);
    assert_eq!(
        org["uri"],
        format!("{BASE_URL}/api/1/organizations/ministere-de-l-interieur/")
    );
    assert_eq!(
        org["page"],
        format!("{BASE_URL}/organizations/ministere-de-l-interieur/")
    );
    assert!(org["created_at"].as_str().unwrap().ends_with("+00:00"));
    assert_eq!(
        org["metrics"],
        json!({"datasets": 0, "reuses": 0, "dataservices": 0, "followers": 0, "members": 1, "views": 0})
    );
    let member = &org["members"][0];
    assert_eq!(member["role"], "admin");
    assert_eq!(member["label"], "Administrator");
    assert_eq!(member["user"]["id"], user.id.as_str());
    assert_eq!(member["user"]["email"], user.email.as_str());
    let r = t.get(&org_path(org), None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json["name"], "Ministère de l'Intérieur");
}

async fn create_organization_requires_authentication(backend: Backend) {
    let t = TestApp::new(backend).await;
    let r = t
        .post(
            "/api/1/organizations/",
            None,
            json!({"name": "x", "description": "y"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

async fn create_organization_rejects_bad_input(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let post = |body: Value| t.post("/api/1/organizations/", Some(&key), body);
    let r = post(json!({})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json["errors"]["name"].is_array());
    assert!(r.json["errors"]["description"].is_array());
    for (siret, message) in [
        ("110014016", "A siret number is made of 14 digits"),
        ("12345678901234", "Invalid Siret number"),
        ("tttttttttttttt", "A siret number is only made of digits"),
    ] {
        let r = post(json!({"name": "n", "description": "d", "business_number_id": siret})).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{siret}");
        assert_eq!(r.json["errors"]["business_number_id"][0], message);
    }
    let r = post(json!({"name": "n", "description": "d", "url": "not a url"})).await;
    assert!(r.json["errors"]["url"].is_array());
    let r = post(json!({"name": 5, "description": "d"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json["errors"]["name"].is_array());
    let r = post(json!({"name": "n".repeat(351), "description": "d"})).await;
    assert!(r.json["errors"]["name"].is_array());
    let r = post(json!(["not", "an", "object"])).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let malformed = axum::http::Request::builder()
        .method(Method::POST)
        .uri("/api/1/organizations/")
        .header("X-API-KEY", &key)
        .header("content-type", "application/json")
        .body(axum::body::Body::from("{\"name\": "))
        .unwrap();
    let r = t.send(malformed).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json["message"].as_str().unwrap().contains("Malformed"));
    let r = t
        .call(
            Method::POST,
            "/api/1/organizations/",
            Some(&key),
            None,
            &[("content-type", "text/plain")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

async fn organization_is_found_by_id_or_slug(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let org = create_org(&t, &key, "Open Data Org").await;
    let by_slug = t.get("/api/1/organizations/open-data-org/", None).await;
    assert_eq!(by_slug.status, StatusCode::OK);
    assert_eq!(by_slug.json["id"], org["id"]);
    let r = t.get("/api/1/organizations/no-such-org/", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.json["message"].is_string());
    let r = t
        .get("/api/1/organizations/0123456789abcdef01234567/", None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = t.get("/api/1/organizations/%FF%FE/", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "not UTF-8");
    assert!(r.json["message"].is_string());
    let r = t.get("/api/1/organizations/open-data-org", None).await;
    assert_eq!(r.status, StatusCode::PERMANENT_REDIRECT);
}

async fn old_slug_redirects_308(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let org = create_org(&t, &key, "First Name").await;
    let r = t
        .put(&org_path(&org), Some(&key), json!({"name": "Second Name"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    assert_eq!(r.json["slug"], "second-name");
    let r = t.get("/api/1/organizations/first-name/?x=1", None).await;
    assert_eq!(r.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(
        r.header("location"),
        Some(format!("{BASE_URL}/api/1/organizations/second-name/?x=1").as_str())
    );
    let r = t
        .get("/api/1/organizations/first-name/followers/", None)
        .await;
    assert_eq!(r.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(
        r.header("location"),
        Some(format!("{BASE_URL}/api/1/organizations/second-name/followers/").as_str())
    );
    // A non-canonical form of the current slug redirects too.
    let r = t.get("/api/1/organizations/Second%20Name/", None).await;
    assert_eq!(r.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(
        r.header("location"),
        Some(format!("{BASE_URL}/api/1/organizations/second-name/").as_str())
    );
    // Renaming back gives the old slug back to its owner.
    let r = t
        .put(&org_path(&org), Some(&key), json!({"name": "First Name"}))
        .await;
    assert_eq!(r.json["slug"], "first-name");
    let r = t.get("/api/1/organizations/first-name/", None).await;
    assert_eq!(r.status, StatusCode::OK);
}

async fn editor_cannot_update_organization(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, admin_key) = t.user_with_key("Ada", "Admin", false).await;
    let (editor, editor_key) = t.user_with_key("Ed", "Editor", false).await;
    let (_, other_key) = t.user_with_key("Oth", "Er", false).await;
    let (_, sysadmin_key) = t.admin().await;
    let org = create_org(&t, &admin_key, "Org").await;
    add_member(&t, org["id"].as_str().unwrap(), &editor.id, OrgRole::Editor).await;
    let path = org_path(&org);
    let body = json!({"description": "new"});
    let r = t.put(&path, None, body.clone()).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = t.put(&path, Some(&editor_key), body.clone()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        r.json["message"],
        "You do not have the permission to modify that object."
    );
    let r = t.put(&path, Some(&other_key), body.clone()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = t.put(&path, Some(&admin_key), body).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = t
        .put(&path, Some(&sysadmin_key), json!({"acronym": "SYS"}))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json["acronym"], "SYS");
    assert_eq!(r.json["description"], "new");
}

async fn update_organization_changes_fields(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let org = create_org(&t, &key, "Org").await;
    let mut full = org.clone();
    full["description"] = json!("Safe <script>alert(1)</script> **text**");
    full["business_number_id"] = json!("12000101100010");
    full["url"] = json!("https://example.org");
    let r = t.put(&org_path(&org), Some(&key), full).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    assert_eq!(
        r.json["description"], "Safe <script>alert(1)</script> **text**",
        "served as written"
    );
    assert_eq!(r.json["business_number_id"], "12000101100010");
    assert_eq!(r.json["url"], "https://example.org");
    assert_eq!(r.json["slug"], "org");
    let r = t
        .put(
            &org_path(&org),
            Some(&key),
            json!({"business_number_id": "1234"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json["errors"]["business_number_id"].is_array());
    let r = t
        .put(&org_path(&org), Some(&key), json!({"name": ""}))
        .await;
    assert!(r.json["errors"]["name"].is_array());
    let r = t
        .put(
            &org_path(&org),
            Some(&key),
            json!({"deleted": "2024-01-01"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

async fn deleted_organization_is_gone_except_for_members(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, admin_key) = t.user_with_key("Ada", "Admin", false).await;
    let (editor, editor_key) = t.user_with_key("Ed", "Editor", false).await;
    let (_, other_key) = t.user_with_key("Oth", "Er", false).await;
    let (_, sysadmin_key) = t.admin().await;
    let org = create_org(&t, &admin_key, "Org").await;
    add_member(&t, org["id"].as_str().unwrap(), &editor.id, OrgRole::Editor).await;
    let path = org_path(&org);
    assert_eq!(t.delete(&path, None).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        t.delete(&path, Some(&editor_key)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        t.delete(&path, Some(&other_key)).await.status,
        StatusCode::FORBIDDEN
    );
    let r = t
        .delete(&format!("{path}?send_legal_notice=maybe"), Some(&admin_key))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json["errors"]["send_legal_notice"].is_array());
    let r = t
        .delete(&format!("{path}?send_legal_notice=false"), Some(&admin_key))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = t.get(&path, None).await;
    assert_eq!(r.status, StatusCode::GONE);
    assert_eq!(r.json["message"], "Organization has been deleted");
    assert_eq!(
        t.get(&path, Some(&other_key)).await.status,
        StatusCode::GONE
    );
    for key in [&editor_key, &sysadmin_key] {
        let r = t.get(&path, Some(key)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.json["deleted"].is_string());
    }
    assert_eq!(
        t.delete(&path, Some(&admin_key)).await.status,
        StatusCode::GONE
    );
    let r = t
        .put(&path, Some(&admin_key), json!({"description": "x"}))
        .await;
    assert_eq!(r.status, StatusCode::GONE);
    let r = t.get("/api/1/organizations/", None).await;
    assert_eq!(r.json["total"], 0);
}

async fn deleted_organization_is_restored_with_deleted_null(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let (_, other_key) = t.user_with_key("Oth", "Er", false).await;
    let org = create_org(&t, &key, "Org").await;
    let path = org_path(&org);
    t.delete(&path, Some(&key)).await;
    let r = t
        .put(&path, Some(&other_key), json!({"deleted": null}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = t.put(&path, Some(&key), json!({"deleted": null})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    assert_eq!(r.json["deleted"], Value::Null);
    assert_eq!(t.get(&path, None).await.status, StatusCode::OK);
    assert_eq!(t.get("/api/1/organizations/", None).await.json["total"], 1);
}

async fn list_organizations_filters_sorts_and_paginates(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let (_, sysadmin_key) = t.admin().await;
    let interior = create_org(&t, &key, "Ministère de l'Intérieur").await;
    let culture = create_org(&t, &key, "Ministère de la Culture").await;
    let bakery = create_org(&t, &key, "Boulangerie Dupont").await;
    t.put(
        &org_path(&bakery),
        Some(&key),
        json!({"business_number_id": "12000101100010"}),
    )
    .await;
    t.post(
        &format!("{}badges/", org_path(&culture)),
        Some(&sysadmin_key),
        json!({"kind": "public-service"}),
    )
    .await;
    let ids = |r: &Value| -> Vec<String> {
        r["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let r = t.get("/api/1/organizations/", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json["total"], 3);
    assert_eq!(r.json["page"], 1);
    assert_eq!(r.json["page_size"], 20);
    assert_eq!(r.json["next_page"], Value::Null);
    assert_eq!(r.json["data"][0]["members"][0]["role"], "admin");
    let r = t
        .get("/api/1/organizations/?q=ministere%20interieur", None)
        .await;
    assert_eq!(ids(&r.json), vec![interior["id"].as_str().unwrap()]);
    let r = t.get("/api/1/organizations/?q=MINIST%C3%88RE", None).await;
    assert_eq!(r.json["total"], 2);
    let r = t
        .get("/api/1/organizations/?badge=public-service", None)
        .await;
    assert_eq!(ids(&r.json), vec![culture["id"].as_str().unwrap()]);
    let r = t
        .get("/api/1/organizations/?name=boulangerie%20DUPONT", None)
        .await;
    assert_eq!(ids(&r.json), vec![bakery["id"].as_str().unwrap()]);
    let r = t
        .get(
            "/api/1/organizations/?business_number_id=12000101100010",
            None,
        )
        .await;
    assert_eq!(ids(&r.json), vec![bakery["id"].as_str().unwrap()]);
    let r = t.get("/api/1/organizations/?sort=name", None).await;
    assert_eq!(r.json["data"][0]["name"], "Boulangerie Dupont");
    let r = t.get("/api/1/organizations/?sort=-name", None).await;
    assert_eq!(r.json["data"][2]["name"], "Boulangerie Dupont");
    for sort in ["-created", "views", "-followers", "last_modified"] {
        let r = t
            .get(&format!("/api/1/organizations/?sort={sort}"), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{sort}");
    }
    // Words match whole (as uData's `$text`), not as substrings.
    let r = t.get("/api/1/organizations/?q=e", None).await;
    assert_eq!(r.json["total"], 0);
    let r = t
        .get("/api/1/organizations/?page_size=1&q=ministere", None)
        .await;
    assert_eq!(r.json["data"].as_array().unwrap().len(), 1);
    assert_eq!(
        r.json["next_page"],
        format!("{BASE_URL}/api/1/organizations/?page_size=1&q=ministere&page=2")
    );
    let r = t
        .get("/api/1/organizations/?page=2&page_size=2", None)
        .await;
    assert_eq!(r.json["data"].as_array().unwrap().len(), 1);
    assert!(r.json["previous_page"].is_string());
    assert_eq!(
        t.get("/api/1/organizations/?page=3&page_size=2", None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    for (query, field) in [
        ("sort=title", "sort"),
        ("badge=bad-badge", "badge"),
        ("page_size=0", "page_size"),
        ("page_size=abc", "page_size"),
        ("page=-1", "page"),
    ] {
        let r = t.get(&format!("/api/1/organizations/?{query}"), None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(r.json["errors"][field].is_array(), "{query}: {:?}", r.json);
    }
}

async fn x_fields_masks_members_on_get_and_in_list(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (user, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let org = create_org(&t, &key, "Org").await;
    let mask = [("X-Fields", "{id,name,members{user{id}}}")];
    let expected = json!({"id": org["id"], "name": "Org", "members": [{"user": {"id": user.id}}]});
    let r = t
        .call(Method::GET, &org_path(&org), None, None, &mask)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json, expected);
    let r = t
        .call(Method::GET, "/api/1/organizations/", None, None, &mask)
        .await;
    assert_eq!(r.json["data"], json!([expected]));
    assert_eq!(r.json["total"], 1);
}

async fn member_emails_are_shown_only_to_members_and_sysadmins(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (admin, admin_key) = t.user_with_key("Ada", "Admin", false).await;
    let (editor, editor_key) = t.user_with_key("Ed", "Editor", false).await;
    let (_, other_key) = t.user_with_key("Oth", "Er", false).await;
    let (_, sysadmin_key) = t.admin().await;
    let org = create_org(&t, &admin_key, "Org").await;
    add_member(&t, org["id"].as_str().unwrap(), &editor.id, OrgRole::Editor).await;
    for key in [None, Some(other_key.as_str())] {
        let r = t.get(&org_path(&org), key).await;
        for member in r.json["members"].as_array().unwrap() {
            assert_eq!(member["user"]["email"], Value::Null);
            assert_eq!(member["user"]["last_login_at"], Value::Null);
        }
        let r = t.get("/api/1/organizations/", key).await;
        assert_eq!(
            r.json["data"][0]["members"][0]["user"]["email"],
            Value::Null
        );
    }
    for key in [&editor_key, &sysadmin_key] {
        let r = t.get(&org_path(&org), Some(key)).await;
        let members = r.json["members"].as_array().unwrap();
        assert_eq!(members.len(), 2);
        assert_eq!(members[0]["user"]["email"], admin.email.as_str());
        assert_eq!(members[1]["user"]["email"], editor.email.as_str());
        assert_eq!(members[1]["role"], "editor");
        assert_eq!(members[1]["label"], "Editor");
        let r = t.get("/api/1/organizations/", Some(key)).await;
        assert_eq!(
            r.json["data"][0]["members"][0]["user"]["email"],
            admin.email.as_str()
        );
    }
}

async fn suggest_organizations_by_name_or_acronym(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let (_, follower_key) = t.user_with_key("Fol", "Lower", false).await;
    create_org(&t, &key, "Testé un").await;
    let popular = create_org(&t, &key, "Testé deux").await;
    let acronym = create_org(&t, &key, "Other").await;
    t.put(
        &org_path(&acronym),
        Some(&key),
        json!({"acronym": "UDATA4"}),
    )
    .await;
    let gone = create_org(&t, &key, "Testé gone").await;
    t.delete(&org_path(&gone), Some(&key)).await;
    t.post(
        &format!("{}followers/", org_path(&popular)),
        Some(&follower_key),
        json!({}),
    )
    .await;
    let r = t
        .get("/api/1/organizations/suggest/?q=test%C3%A9", None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let items = r.json.as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["id"], popular["id"]);
    for field in ["id", "name", "acronym", "slug", "image_url", "page"] {
        assert!(items[0].get(field).is_some(), "{field}");
    }
    assert_eq!(
        items[0]["page"],
        format!("{BASE_URL}/organizations/teste-deux/")
    );
    let r = t
        .get("/api/1/organizations/suggest/?q=uDaTa&size=1", None)
        .await;
    assert_eq!(r.json.as_array().unwrap().len(), 1);
    assert_eq!(r.json[0]["acronym"], "UDATA4");
    let r = t
        .get("/api/1/organizations/suggest/?q=teste&size=1", None)
        .await;
    assert_eq!(r.json.as_array().unwrap().len(), 1);
    let r = t.get("/api/1/organizations/suggest/?q=zzz", None).await;
    assert_eq!(r.json, json!([]));
    for (query, field) in [
        ("", "q"),
        ("q=a&size=0", "size"),
        ("q=a&size=-3", "size"),
        ("q=a&size=many", "size"),
        ("q=a&size=1001", "size"),
    ] {
        let r = t
            .get(&format!("/api/1/organizations/suggest/?{query}"), None)
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(r.json["errors"][field].is_array(), "{query}");
    }
}

both!(
    create_organization_makes_caller_admin,
    create_organization_requires_authentication,
    create_organization_rejects_bad_input,
    organization_is_found_by_id_or_slug,
    old_slug_redirects_308,
    editor_cannot_update_organization,
    update_organization_changes_fields,
    deleted_organization_is_gone_except_for_members,
    deleted_organization_is_restored_with_deleted_null,
    list_organizations_filters_sorts_and_paginates,
    x_fields_masks_members_on_get_and_in_list,
    member_emails_are_shown_only_to_members_and_sysadmins,
    suggest_organizations_by_name_or_acronym,
);
