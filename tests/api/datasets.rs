//! `/datasets/`: create, read, update, delete, visibility, permissions, validation, the list,
//! quality. Resources are in `dataset_resources.rs`, community resources in
//! `community_resources.rs`.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both;
use crate::common::{BASE_URL, Backend, TestApp};
use crate::organizations::{add_member, create_org};
use plateau::domain::organization::OrgRole;

/// Creates a dataset through the API as the holder of `key`.
pub async fn create_dataset(t: &TestApp, key: &str, body: Value) -> Value {
    let r = t.post("/api/1/datasets/", Some(key), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
    r.json
}

pub fn dataset_path(d: &Value) -> String {
    format!("/api/1/datasets/{}/", d["id"].as_str().unwrap())
}

fn basic(title: &str) -> Value {
    json!({"title": title, "description": "Some **markdown** <script>alert(1)</script>"})
}

async fn create_dataset_serves_udata_shape(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (user, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let d = create_dataset(
        &t,
        &key,
        json!({"title": "Qualité de l'eau", "description": "d", "acronym": "QE",
            "tags": ["Eau Potable", "santé"], "frequency": "fortnighly", "extras": {"k": [1]},
            "temporal_coverage": {"start": "2020-01-01", "end": "2020-12-31"},
            "spatial": {"zones": ["fr:departement:75"], "granularity": "fr:commune"},
            "id": "ignored", "featured": true, "badges": [{"kind": "spd"}]}),
    )
    .await;
    assert_eq!(d["slug"], "qualite-de-l-eau");
    assert_eq!(d["owner"]["id"], user.id.as_str());
    assert_eq!(d["organization"], Value::Null);
    assert_eq!(d["tags"], json!(["eau-potable", "sante"]));
    assert_eq!(d["frequency"], "biweekly");
    assert_eq!(d["license"], "notspecified");
    assert_eq!(d["featured"], false);
    assert_eq!(d["badges"], json!([]));
    assert_eq!(d["private"], false);
    assert_eq!(d["access_type"], "open");
    assert_eq!(d["resources"], json!([]));
    assert_eq!(
        d["temporal_coverage"],
        json!({"start": "2020-01-01", "end": "2020-12-31"})
    );
    assert_eq!(d["spatial"]["zones"], json!(["fr:departement:75"]));
    assert_eq!(
        d["uri"],
        format!("{BASE_URL}/api/1/datasets/qualite-de-l-eau/")
    );
    assert_eq!(d["page"], format!("{BASE_URL}/datasets/qualite-de-l-eau/"));
    assert_eq!(
        d["permissions"],
        json!({"delete": true, "edit": true, "edit_resources": true, "read": true})
    );
    assert_eq!(d["last_update"], d["last_modified"]);
    assert_eq!(d["internal"]["created_at_internal"], d["created_at"]);
    assert!(d.get("community_resources").is_none());
    assert_eq!(d["metrics"]["followers"], 0);
    let r = t.get(&dataset_path(&d), None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.json["permissions"],
        json!({"delete": false, "edit": false, "edit_resources": false, "read": true})
    );
    let d = create_dataset(&t, &key, basic("x")).await;
    assert_eq!(
        d["description"],
        basic("x")["description"],
        "served as written"
    );
}

async fn create_dataset_rejects_bad_input_by_field(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (user, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let (other, _) = t.user_with_key("Bob", "B", false).await;
    let r = t.post("/api/1/datasets/", None, basic("t")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let with = |extra: Value| {
        let mut body = basic("t");
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let org = create_org(&t, &key, "Mine").await;
    let (_, stranger_key) = t.user_with_key("Str", "Anger", false).await;
    let foreign = create_org(&t, &stranger_key, "Foreign").await;
    let cases = [
        (json!({"title": ""}), "title"),
        (json!({"description": null}), "description"),
        (json!({"title": "t".repeat(351)}), "title"),
        (json!({"frequency": "sometimes"}), "frequency"),
        (json!({"license": "no-such-license"}), "license"),
        (json!({"tags": ["ok-tag", "ab"]}), "tags"),
        (json!({"tags": "not-a-list"}), "tags"),
        (
            json!({"temporal_coverage": {"start": "2021-01-01", "end": "2020-01-01"}}),
            "temporal_coverage",
        ),
        (
            json!({"spatial": {"geom": {"type": "MultiPolygon", "coordinates": [[1, 2]]}}}),
            "spatial",
        ),
        (
            json!({"owner": user.id, "organization": org["id"]}),
            "organization",
        ),
        (json!({"organization": foreign["id"]}), "organization"),
        (json!({"owner": other.id}), "owner"),
        (json!({"access_type": "secret"}), "access_type"),
        (
            json!({"description_short": "s".repeat(201)}),
            "description_short",
        ),
        (json!({"extras": {"custom:x": 1}}), "extras"),
        (
            json!({"contact_points": ["5f0000000000000000000000"]}),
            "contact_points",
        ),
    ];
    for (extra, field) in cases {
        let r = t
            .post("/api/1/datasets/", Some(&key), with(extra.clone()))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{extra}: {:?}", r.json);
        assert!(
            r.json["errors"][field].is_array(),
            "{extra} should fail on {field}: {:?}",
            r.json
        );
    }
    // Valid geometry, organization and legacy values pass.
    let square = json!([[[0, 0], [0, 1], [1, 1], [0, 0]]]);
    let d = create_dataset(
        &t,
        &key,
        with(
            json!({"organization": org["id"], "frequency": "realtime", "license": "notspecified",
            "spatial": {"geom": {"type": "MultiPolygon", "coordinates": [square]}}}),
        ),
    )
    .await;
    assert_eq!(d["organization"]["id"], org["id"]);
    assert_eq!(d["owner"], Value::Null);
    assert_eq!(d["frequency"], "continuous");
}

async fn private_and_deleted_visibility(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let (_, other) = t.user_with_key("Bob", "B", false).await;
    let (_, admin) = t.admin().await;
    let mut body = basic("Draft");
    body["private"] = json!(true);
    let d = create_dataset(&t, &key, body).await;
    let path = dataset_path(&d);
    assert_eq!(t.get(&path, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        t.get(&path, Some(&other)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(t.get(&path, Some(&key)).await.status, StatusCode::OK);
    assert_eq!(t.get(&path, Some(&admin)).await.status, StatusCode::OK);
    let list = t.get("/api/1/datasets/", None).await;
    assert_eq!(list.json["total"], 0);
    let list = t.get("/api/1/datasets/", Some(&key)).await;
    assert_eq!(list.json["total"], 1, "owners see their drafts");
    // Publish, then delete.
    let r = t.put(&path, Some(&key), json!({"private": false})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    assert_eq!(t.get(&path, None).await.status, StatusCode::OK);
    assert_eq!(
        t.delete(&path, Some(&other)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(t.delete(&path, None).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        t.delete(&path, Some(&key)).await.status,
        StatusCode::NO_CONTENT
    );
    let r = t.get(&path, None).await;
    assert_eq!(r.status, StatusCode::GONE);
    assert_eq!(r.json["message"], "Dataset has been deleted");
    assert_eq!(t.get(&path, Some(&key)).await.status, StatusCode::OK);
    assert_eq!(t.delete(&path, Some(&key)).await.status, StatusCode::GONE);
    let r = t.put(&path, Some(&key), json!({"title": "x"})).await;
    assert_eq!(r.status, StatusCode::GONE);
    assert_eq!(t.get("/api/1/datasets/", None).await.json["total"], 0);
    let r = t.put(&path, Some(&key), json!({"deleted": null})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    assert_eq!(r.json["deleted"], Value::Null);
    assert_eq!(t.get(&path, None).await.status, StatusCode::OK);
}

async fn editors_owners_and_sysadmins(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, admin_key) = t.user_with_key("Org", "Admin", false).await;
    let (editor, editor_key) = t.user_with_key("Ed", "Itor", false).await;
    let (_, other_key) = t.user_with_key("Oth", "Er", false).await;
    let (_, sysadmin) = t.admin().await;
    let org = create_org(&t, &admin_key, "Producer").await;
    add_member(&t, org["id"].as_str().unwrap(), &editor.id, OrgRole::Editor).await;
    let mut body = basic("Org data");
    body["organization"] = org["id"].clone();
    let d = create_dataset(&t, &admin_key, body).await;
    let path = dataset_path(&d);
    let put = |key: String, body: Value| {
        let path = path.clone();
        let t = &t;
        async move { t.put(&path, Some(&key), body).await }
    };
    assert_eq!(
        put(other_key.clone(), json!({"title": "x"})).await.status,
        StatusCode::FORBIDDEN
    );
    let r = put(editor_key.clone(), json!({"description": "by the editor"})).await;
    assert_eq!(r.status, StatusCode::OK);
    // Only sysadmins move a dataset to another owner.
    let (_, mine) = t.user_with_key("Third", "Party", false).await;
    let other_org = create_org(&t, &mine, "Other").await;
    let r = put(admin_key.clone(), json!({"organization": other_org["id"]})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json["errors"]["organization"].is_array());
    let r = put(sysadmin.clone(), json!({"organization": other_org["id"]})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    assert_eq!(r.json["organization"]["id"], other_org["id"]);
    // A PUT echoing the served dataset changes nothing of its ownership.
    let served = t.get(&path, Some(&mine)).await.json;
    assert_eq!(put(mine.clone(), served).await.status, StatusCode::OK);
    // Badges and featuring are for sysadmins.
    let badges = format!("{path}badges/");
    let r = t.post(&badges, Some(&mine), json!({"kind": "spd"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = t
        .post(&badges, Some(&sysadmin), json!({"kind": "spd"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = t
        .post(&badges, Some(&sysadmin), json!({"kind": "spd"}))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = t
        .post(&badges, Some(&sysadmin), json!({"kind": "nope"}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        t.get(&path, None).await.json["badges"],
        json!([{"kind": "spd"}])
    );
    let r = t.delete(&format!("{badges}spd/"), Some(&sysadmin)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = t.delete(&format!("{badges}spd/"), Some(&sysadmin)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let featured = format!("{path}featured/");
    assert_eq!(
        t.post(&featured, Some(&mine), json!({})).await.status,
        StatusCode::FORBIDDEN
    );
    let r = t
        .call(Method::POST, &featured, Some(&sysadmin), None, &[])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json["featured"], true);
    let r = t.get("/api/1/datasets/?featured=true", None).await;
    assert_eq!(r.json["total"], 1);
    let r = t.delete(&featured, Some(&sysadmin)).await;
    assert_eq!(r.json["featured"], false);
}

async fn renamed_dataset_redirects_old_slug(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let d = create_dataset(&t, &key, basic("First title")).await;
    let r = t
        .put(
            &dataset_path(&d),
            Some(&key),
            json!({"title": "Second title"}),
        )
        .await;
    assert_eq!(r.json["slug"], "second-title");
    let r = t.get("/api/1/datasets/first-title/?x=1", None).await;
    assert_eq!(r.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(
        r.header("location"),
        Some(format!("{BASE_URL}/api/1/datasets/second-title/?x=1").as_str())
    );
    assert_eq!(
        t.get("/api/1/datasets/second-title/", None).await.status,
        StatusCode::OK
    );
    assert_eq!(
        t.get("/api/1/datasets/no-such-thing/", None).await.status,
        StatusCode::NOT_FOUND
    );
}

async fn list_filters_sorts_and_masks(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let mut a = basic("Alpha eau");
    a["tags"] = json!(["water", "health"]);
    create_dataset(&t, &key, a).await;
    let mut b = basic("Beta");
    b["tags"] = json!(["water"]);
    create_dataset(&t, &key, b).await;
    let titles = |r: &crate::common::TestResponse| -> Vec<String> {
        r.json["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["title"].as_str().unwrap().to_owned())
            .collect()
    };
    let r = t.get("/api/1/datasets/", None).await;
    assert_eq!(titles(&r), ["Beta", "Alpha eau"], "newest first");
    let r = t.get("/api/1/datasets/?sort=title", None).await;
    assert_eq!(titles(&r), ["Alpha eau", "Beta"]);
    let r = t.get("/api/1/datasets/?sort=-title", None).await;
    assert_eq!(titles(&r), ["Beta", "Alpha eau"]);
    let r = t.get("/api/1/datasets/?tag=water&tag=health", None).await;
    assert_eq!(titles(&r), ["Alpha eau"]);
    let r = t.get("/api/1/datasets/?q=EAU%20alpha", None).await;
    assert_eq!(titles(&r), ["Alpha eau"]);
    for bad in [
        "sort=nope",
        "badge=nope",
        "featured=maybe",
        "organization=xyz",
    ] {
        let r = t.get(&format!("/api/1/datasets/?{bad}"), None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
    }
    for restricted in ["archived=true", "deleted=false", "private=true"] {
        let path = format!("/api/1/datasets/?{restricted}");
        assert_eq!(t.get(&path, None).await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(t.get(&path, Some(&key)).await.status, StatusCode::OK);
    }
    let r = t
        .call(
            Method::GET,
            "/api/1/datasets/?page_size=1",
            None,
            None,
            &[("X-Fields", "data{id,title},total")],
        )
        .await;
    assert_eq!(r.json["total"], 2);
    let first = r.json["data"][0].as_object().unwrap();
    assert_eq!(first.len(), 2, "{first:?}");
    assert!(r.json.get("page").is_none());
    let id = r.json["data"][0]["id"].as_str().unwrap().to_owned();
    let r = t
        .call(
            Method::GET,
            &format!("/api/1/datasets/{id}/"),
            None,
            None,
            &[("X-Fields", "id,quality{score}")],
        )
        .await;
    assert_eq!(r.json.as_object().unwrap().len(), 2);
    assert!(r.json["quality"]["score"].is_number());
}

async fn quality_score_through_the_api(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let d = create_dataset(&t, &key, basic("Poor")).await;
    assert_eq!(d["quality"]["score"], 0.0);
    assert!(d["quality"].get("has_resources").is_none());
    let d = create_dataset(
        &t,
        &key,
        json!({"title": "Rich", "description": "x".repeat(101), "license": "notspecified",
            "frequency": "irregular", "temporal_coverage": {"start": "2020-01-01"},
            "spatial": {"zones": ["country:fr"]}}),
    )
    .await;
    let q = &d["quality"];
    assert_eq!(q["license"], true);
    assert_eq!(q["update_fulfilled_in_time"], true);
    let score = q["score"].as_f64().unwrap();
    assert!((score - 6.0 / 9.0).abs() < 1e-9, "{q}");
    let r = t
        .post(
            &format!("{}resources/", dataset_path(&d)),
            Some(&key),
            json!({"title": "data", "url": "https://example.org/a.csv", "filetype": "remote",
                "format": "CSV", "type": "documentation"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let q = t.get(&dataset_path(&d), None).await.json["quality"].clone();
    assert_eq!(q["has_resources"], true);
    assert_eq!(q["has_open_format"], true);
    assert_eq!(q["all_resources_available"], true);
    assert_eq!(q["resources_documentation"], true);
    assert_eq!(q["score"], 1.0);
}

async fn owned_lists_and_metrics(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (user, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let (_, other) = t.user_with_key("Bob", "B", false).await;
    let org = create_org(&t, &key, "Producer").await;
    let mut body = basic("Org public");
    body["organization"] = org["id"].clone();
    create_dataset(&t, &key, body.clone()).await;
    body["title"] = json!("Org draft");
    body["private"] = json!(true);
    create_dataset(&t, &key, body).await;
    create_dataset(&t, &key, basic("Mine")).await;
    let org_list = format!(
        "/api/1/organizations/{}/datasets/",
        org["id"].as_str().unwrap()
    );
    assert_eq!(t.get(&org_list, None).await.json["total"], 1);
    assert_eq!(t.get(&org_list, Some(&other)).await.json["total"], 1);
    assert_eq!(t.get(&org_list, Some(&key)).await.json["total"], 2);
    let org_json = t
        .get(
            &format!("/api/1/organizations/{}/", org["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(org_json.json["metrics"]["datasets"], 1);
    let mine = t.get("/api/1/me/datasets/", Some(&key)).await;
    assert_eq!(mine.json.as_array().unwrap().len(), 1);
    let all = t.get("/api/1/me/org_datasets/", Some(&key)).await;
    assert_eq!(all.json.as_array().unwrap().len(), 3);
    let some = t.get("/api/1/me/org_datasets/?q=draft", Some(&key)).await;
    assert_eq!(some.json.as_array().unwrap().len(), 1);
    assert_eq!(
        t.get("/api/1/me/datasets/", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let me = t.get(&format!("/api/1/users/{}/", user.id), None).await;
    assert_eq!(me.json["metrics"]["datasets"], 1);
    let metrics = t.get("/api/1/me/metrics/", Some(&key)).await;
    assert_eq!(metrics.json["datasets_count"], 1);
    assert_eq!(metrics.json["datasets_org_count"], 2);
    t.app.site_metrics.invalidate();
    let site = t.get("/api/1/site/", None).await;
    assert_eq!(site.json["metrics"]["datasets"], 2);
    assert_eq!(site.json["metrics"]["resources"], 0);
}

async fn followers_suggest_and_feed(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let (_, fan) = t.user_with_key("Fan", "Atic", false).await;
    let d = create_dataset(&t, &key, basic("Transports & mobilité")).await;
    let followers = format!("{}followers/", dataset_path(&d));
    let r = t
        .call(Method::POST, &followers, Some(&fan), None, &[])
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.json["followers"], 1);
    assert_eq!(t.get(&followers, None).await.json["total"], 1);
    assert_eq!(
        t.get(&dataset_path(&d), None).await.json["metrics"]["followers"],
        1
    );
    assert_eq!(t.delete(&followers, Some(&fan)).await.json["followers"], 0);
    let r = t.get("/api/1/datasets/suggest/?q=mobil", None).await;
    assert_eq!(r.json[0]["slug"], "transports-mobilite");
    assert_eq!(r.json[0].as_object().unwrap().len(), 6);
    let r = t.get("/api/1/datasets/suggest/", None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = t.get("/api/1/datasets/suggest/?q=a&size=21", None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = t.get("/api/1/datasets/recent.atom", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("application/atom+xml")
    );
    let xml = String::from_utf8(r.body).unwrap();
    assert!(xml.starts_with("<?xml"));
    assert!(xml.contains("<title>Transports &amp; mobilité</title>"));
    assert!(xml.contains("xmlns=\"http://www.w3.org/2005/Atom\""));
    let r = t.get(&format!("{}rdf", dataset_path(&d)), None).await;
    assert_eq!(r.status, StatusCode::NOT_IMPLEMENTED);
}

async fn dataset_read_embeds_resources_in_order_organization_and_owner(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (user, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let org = create_org(&t, &key, "Org").await;
    let owned = create_dataset(&t, &key, basic("Owned")).await;
    let of_org = create_dataset(
        &t,
        &key,
        json!({"title": "Of the org", "description": "d", "organization": org["id"]}),
    )
    .await;
    for d in [&owned, &of_org] {
        for title in ["one", "two", "three"] {
            let body = json!({"title": title, "url": format!("https://example.org/{title}.csv"),
                "filetype": "remote"});
            let r = t
                .post(&format!("{}resources/", dataset_path(d)), Some(&key), body)
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
        }
    }
    let r = t.get(&dataset_path(&owned), None).await;
    assert_eq!(r.status, StatusCode::OK);
    let titles: Vec<&str> = r.json["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["three", "two", "one"]);
    assert_eq!(r.json["owner"]["id"], user.id.as_str());
    assert_eq!(r.json["organization"], Value::Null);
    let by_slug = t.get("/api/1/datasets/owned/", None).await;
    assert_eq!(by_slug.json, r.json);

    let r = t.get(&dataset_path(&of_org), None).await;
    assert_eq!(r.json["organization"]["id"], org["id"]);
    assert_eq!(r.json["owner"], Value::Null);
    assert_eq!(r.json["resources"].as_array().unwrap().len(), 3);

    // A dataset whose slug is another's id: the id wins.
    let id = owned["id"].as_str().unwrap();
    let lookalike = create_dataset(&t, &key, basic(id)).await;
    assert_eq!(lookalike["slug"], id);
    assert_eq!(
        t.get(&dataset_path(&owned), None).await.json["title"],
        "Owned"
    );
}

both!(
    create_dataset_serves_udata_shape,
    create_dataset_rejects_bad_input_by_field,
    private_and_deleted_visibility,
    editors_owners_and_sysadmins,
    renamed_dataset_redirects_old_slug,
    list_filters_sorts_and_masks,
    quality_score_through_the_api,
    owned_lists_and_metrics,
    followers_suggest_and_feed,
    dataset_read_embeds_resources_in_order_organization_and_owner,
);
