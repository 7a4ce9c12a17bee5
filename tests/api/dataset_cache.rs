//! The dataset cache (serialized answers of `GET /datasets/{dataset}/` and of the v1 list's
//! items): every write that changes an answer is seen by the next request, whether made
//! through this app (at once) or by another node or the CLI (within the stated bound); the
//! read rule and the permissions stay per caller.

use std::time::{Duration, Instant};

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both;
use crate::common::{Backend, TestApp, TestConfig};
use crate::datasets::{create_dataset, dataset_path};
use crate::organizations::{add_member, create_org, org_path};
use plateau::api::answers::BOUND;
use plateau::api::datasets::model::Resources;
use plateau::domain::ids::uuid4;
use plateau::domain::organization::OrgRole;
use plateau::domain::resource::ResourceInput;
use plateau::domain::time::now;

/// GETs `path` (as `key`) until the dataset cache keeps the answer about `id` (it keeps
/// nothing before its first read of the change log); the last answer.
async fn cached(t: &TestApp, path: &str, key: Option<&str>, id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let r = t.get(path, key).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
        if t.app.dataset_cache.get(id).is_some() {
            return r.json;
        }
        assert!(Instant::now() < deadline, "the answer is never kept");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// After a write through the app: the cache no longer has the answer, and the next GET shows
/// the write (checked by the caller).
async fn next_answer(t: &TestApp, path: &str, id: &str) -> Value {
    assert!(
        t.app.dataset_cache.get(id).is_none(),
        "the write did not forget the answer"
    );
    cached(t, path, None, id).await
}

fn titles(answer: &Value) -> Vec<&str> {
    answer["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .map(|r| r["title"].as_str().expect("a title"))
        .collect()
}

fn remote(title: &str) -> Value {
    json!({"title": title, "url": format!("https://example.org/{title}.csv"), "filetype": "remote"})
}

fn ok(status: StatusCode) {
    assert!(status.is_success(), "{status}");
}

async fn each_write_through_the_app_is_seen_at_once(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, admin) = t.admin().await;
    let (ada, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let (_, fan) = t.user_with_key("Fan", "Club", false).await;
    let org = create_org(&t, &key, "Producteur").await;
    let d = create_dataset(
        &t,
        &key,
        json!({"title": "Of the org", "description": "d", "organization": org["id"]}),
    )
    .await;
    let id = d["id"].as_str().unwrap();
    let path = dataset_path(&d);
    let resources = format!("{path}resources/");

    cached(&t, &path, None, id).await;
    ok(t.put(&path, Some(&key), json!({"description": "changed"}))
        .await
        .status);
    assert_eq!(next_answer(&t, &path, id).await["description"], "changed");

    let a = t.post(&resources, Some(&key), remote("a")).await.json;
    assert_eq!(titles(&next_answer(&t, &path, id).await), ["a"]);
    let b = t.post(&resources, Some(&key), remote("b")).await.json;
    let served = next_answer(&t, &path, id).await;
    assert_eq!(titles(&served), ["b", "a"]);
    assert_eq!(served["quality"]["has_resources"], true);

    let a_path = format!("{resources}{}/", a["id"].as_str().unwrap());
    ok(t.put(&a_path, Some(&key), remote("a2")).await.status);
    assert_eq!(titles(&next_answer(&t, &path, id).await), ["b", "a2"]);

    ok(t.put(&resources, Some(&key), json!([a["id"], b["id"]]))
        .await
        .status);
    assert_eq!(titles(&next_answer(&t, &path, id).await), ["a2", "b"]);

    let b_path = format!("{resources}{}/", b["id"].as_str().unwrap());
    ok(t.delete(&b_path, Some(&key)).await.status);
    assert_eq!(titles(&next_answer(&t, &path, id).await), ["a2"]);

    ok(
        t.put(&org_path(&org), Some(&key), json!({"name": "Renommée"}))
            .await
            .status,
    );
    let served = next_answer(&t, &path, id).await;
    assert_eq!(served["organization"]["name"], "Renommée");
    assert_eq!(served["organization"]["slug"], "renommee");

    let org_badges = format!("{}badges/", org_path(&org));
    ok(
        t.post(&org_badges, Some(&admin), json!({"kind": "public-service"}))
            .await
            .status,
    );
    assert_eq!(
        next_answer(&t, &path, id).await["organization"]["badges"],
        json!([{"kind": "public-service"}])
    );

    ok(t.post(
        &format!("{path}badges/"),
        Some(&admin),
        json!({"kind": "spd"}),
    )
    .await
    .status);
    assert_eq!(
        next_answer(&t, &path, id).await["badges"],
        json!([{"kind": "spd"}])
    );

    ok(t.call(
        Method::POST,
        &format!("{path}featured/"),
        Some(&admin),
        None,
        &[],
    )
    .await
    .status);
    assert_eq!(next_answer(&t, &path, id).await["featured"], true);

    ok(t.call(
        Method::POST,
        &format!("{path}followers/"),
        Some(&fan),
        None,
        &[],
    )
    .await
    .status);
    assert_eq!(next_answer(&t, &path, id).await["metrics"]["followers"], 1);

    // A new title moves the slug: the old one, kept by slug, now redirects.
    let old_slug = "/api/1/datasets/of-the-org/";
    cached(&t, old_slug, None, id).await;
    ok(t.put(&path, Some(&key), json!({"title": "New title"}))
        .await
        .status);
    assert!(t.app.dataset_cache.get("of-the-org").is_none());
    let r = t.get(old_slug, None).await;
    assert_eq!(r.status, StatusCode::PERMANENT_REDIRECT);
    let served = cached(&t, "/api/1/datasets/new-title/", None, id).await;
    assert_eq!(served["title"], "New title");

    ok(t.put(&path, Some(&key), json!({"private": true}))
        .await
        .status);
    assert!(t.app.dataset_cache.get(id).is_none());
    assert_eq!(t.get(&path, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(cached(&t, &path, Some(&key), id).await["private"], true);
    assert_eq!(t.get(&path, None).await.status, StatusCode::NOT_FOUND);

    ok(t.put(&path, Some(&key), json!({"private": false}))
        .await
        .status);
    cached(&t, &path, None, id).await;
    ok(t.delete(&path, Some(&key)).await.status);
    assert!(t.app.dataset_cache.get(id).is_none());
    assert_eq!(t.get(&path, None).await.status, StatusCode::GONE);
    assert!(cached(&t, &path, Some(&key), id).await["deleted"].is_string());
    assert_eq!(t.get(&path, None).await.status, StatusCode::GONE);

    // The owner of a dataset: renamed, then deleted (anonymised).
    let owned = create_dataset(&t, &key, json!({"title": "Owned", "description": "d"})).await;
    let owned_id = owned["id"].as_str().unwrap();
    let owned_path = dataset_path(&owned);
    cached(&t, &owned_path, None, owned_id).await;
    let mut me = t.get("/api/1/me/", Some(&key)).await.json;
    me["first_name"] = json!("Augusta");
    ok(t.put("/api/1/me/", Some(&key), me).await.status);
    assert_eq!(
        next_answer(&t, &owned_path, owned_id).await["owner"]["first_name"],
        "Augusta"
    );
    ok(t.delete(&format!("/api/1/users/{}/", ada.id), Some(&admin))
        .await
        .status);
    let served = next_answer(&t, &owned_path, owned_id).await;
    assert_eq!(served["owner"]["id"], ada.id.as_str());
    assert_eq!(served["owner"]["first_name"], "DELETED");
}

/// Polls `path` until `seen` holds for its answer. Until the bound after the write, an answer
/// may be stale; a request that starts later must see the write.
async fn seen_within_the_bound(
    t: &TestApp,
    path: &str,
    written: Instant,
    seen: impl Fn(&Value) -> bool,
) -> Duration {
    loop {
        let asked = Instant::now();
        let r = t.get(path, None).await;
        if seen(&r.json) {
            return asked - written;
        }
        assert!(
            asked - written < BOUND,
            "still stale {:?} after the write: {:?}",
            asked - written,
            r.json
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn another_nodes_writes_are_seen_within_the_bound(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (ada, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let org = create_org(&t, &key, "Producteur").await;
    let org_id = org["id"].as_str().unwrap();
    let d = create_dataset(
        &t,
        &key,
        json!({"title": "Shared", "description": "d", "organization": org_id}),
    )
    .await;
    let owned = create_dataset(&t, &key, json!({"title": "Owned", "description": "d"})).await;
    let (id, owned_id) = (d["id"].as_str().unwrap(), owned["id"].as_str().unwrap());
    let (path, owned_path) = (dataset_path(&d), dataset_path(&owned));
    let node = t.another_node().await;

    cached(&t, &path, None, id).await;
    let mut dataset = node.dataset_by_id(id).await.unwrap().unwrap();
    dataset.description = "written elsewhere".into();
    dataset.last_modified = now();
    node.update_dataset(&mut dataset, false).await.unwrap();
    seen_within_the_bound(&t, &path, Instant::now(), |a| {
        a["description"] == "written elsewhere"
    })
    .await;

    cached(&t, &path, None, id).await;
    let resource = ResourceInput::parse(&remote("elsewhere"), true)
        .unwrap()
        .create(uuid4(), now());
    node.add_resource(id, &resource, now()).await.unwrap();
    seen_within_the_bound(&t, &path, Instant::now(), |a| titles(a) == ["elsewhere"]).await;

    cached(&t, &path, None, id).await;
    let mut organization = node.organization_by_id(org_id).await.unwrap().unwrap();
    organization.name = "Renamed elsewhere".into();
    organization.last_modified = now();
    node.update_organization(&mut organization, true)
        .await
        .unwrap();
    seen_within_the_bound(&t, &path, Instant::now(), |a| {
        a["organization"]["name"] == "Renamed elsewhere"
    })
    .await;

    cached(&t, &owned_path, None, owned_id).await;
    let mut user = node.user_by_id(&ada.id).await.unwrap().unwrap();
    user.last_name = "King".into();
    node.update_user(&user, None, now()).await.unwrap();
    seen_within_the_bound(&t, &owned_path, Instant::now(), |a| {
        a["owner"]["last_name"] == "King"
    })
    .await;

    cached(&t, &path, None, id).await;
    let mut dataset = node.dataset_by_id(id).await.unwrap().unwrap();
    dataset.private = true;
    node.update_dataset(&mut dataset, false).await.unwrap();
    let written = Instant::now();
    loop {
        let asked = Instant::now();
        if t.get(&path, None).await.status == StatusCode::NOT_FOUND {
            break;
        }
        assert!(asked - written < BOUND, "a private dataset is still served");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn one_kept_answer_serves_each_caller_its_rights(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, admin) = t.admin().await;
    let (_, owner) = t.user_with_key("Owner", "O", false).await;
    let (editor_user, editor) = t.user_with_key("Editor", "E", false).await;
    let (_, stranger) = t.user_with_key("Stranger", "S", false).await;
    let org = create_org(&t, &owner, "Producteur").await;
    let org_id = org["id"].as_str().unwrap();
    add_member(&t, org_id, &editor_user.id, OrgRole::Editor).await;
    let d = create_dataset(
        &t,
        &owner,
        json!({"title": "Draft", "description": "d", "organization": org_id, "private": true}),
    )
    .await;
    let id = d["id"].as_str().unwrap();
    let path = dataset_path(&d);
    let all = json!({"delete": true, "edit": true, "edit_resources": true, "read": true});
    let read_only = json!({"delete": false, "edit": false, "edit_resources": false, "read": true});

    // Private: the answer is kept, and only editors get it.
    cached(&t, &path, Some(&owner), id).await;
    for key in [&owner, &editor, &admin] {
        let r = t.get(&path, Some(key)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.json["permissions"], all);
    }
    assert!(t.app.dataset_cache.get(id).is_some());
    for key in [None, Some(stranger.as_str())] {
        let r = t.get(&path, key).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.json["message"], "Dataset not found");
    }

    // Public: everybody reads it, with their own rights.
    ok(t.put(&path, Some(&owner), json!({"private": false}))
        .await
        .status);
    let anonymous = cached(&t, &path, None, id).await;
    assert_eq!(anonymous["permissions"], read_only);
    assert_eq!(
        t.get(&path, Some(&stranger)).await.json["permissions"],
        read_only
    );
    let as_editor = t.get(&path, Some(&editor)).await.json;
    assert_eq!(as_editor["permissions"], all);
    let mut without_permissions = as_editor.clone();
    without_permissions["permissions"] = read_only.clone();
    assert_eq!(without_permissions, anonymous);

    // Deleted: 410 to others, 200 to editors.
    ok(t.delete(&path, Some(&owner)).await.status);
    cached(&t, &path, Some(&editor), id).await;
    for key in [None, Some(stranger.as_str())] {
        assert_eq!(t.get(&path, key).await.status, StatusCode::GONE);
    }
    let r = t.get(&path, Some(&admin)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json["permissions"], all);

    // Unknown datasets and masks are unchanged.
    assert_eq!(
        t.get("/api/1/datasets/no-such-dataset/", None).await.status,
        StatusCode::NOT_FOUND
    );
    let r = t
        .call(
            Method::GET,
            &path,
            Some(&owner),
            None,
            &[("X-Fields", "id,permissions{edit}")],
        )
        .await;
    assert_eq!(r.json, json!({"id": id, "permissions": {"edit": true}}));
}

async fn list_items_come_from_the_cache_and_stay_fresh(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let (_, stranger) = t.user_with_key("Stranger", "S", false).await;
    let org = create_org(&t, &key, "Producteur").await;
    let mut ids = Vec::new();
    for i in 0..4 {
        let d = create_dataset(
            &t,
            &key,
            json!({"title": format!("Jeu {i}"), "description": "d", "organization": org["id"],
                "frequency": "daily"}),
        )
        .await;
        t.post(
            &format!("{}resources/", dataset_path(&d)),
            Some(&key),
            remote("r"),
        )
        .await;
        ids.push(d["id"].as_str().unwrap().to_owned());
    }
    let list = "/api/1/datasets/?page_size=3";
    let deadline = Instant::now() + Duration::from_secs(10);
    let page = loop {
        let page = t.get(list, None).await.json;
        if ids
            .iter()
            .all(|id| t.app.dataset_cache.get(id).is_some() || !served(&page, id))
        {
            break page;
        }
        assert!(Instant::now() < deadline, "the list's items are never kept");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(page["total"], 4);
    assert_eq!(page["page_size"], 3);
    assert_eq!(page["data"].as_array().unwrap().len(), 3);
    assert!(
        page["next_page"]
            .as_str()
            .unwrap()
            .ends_with("page_size=3&page=2")
    );
    assert_eq!(page["previous_page"], Value::Null);
    // Each item is the dataset's own answer.
    for item in page["data"].as_array().unwrap() {
        let single = t
            .get(
                &format!("/api/1/datasets/{}/", item["id"].as_str().unwrap()),
                None,
            )
            .await;
        assert_eq!(&single.json, item);
    }
    // The caller's rights, per item.
    let mine = t.get(list, Some(&key)).await.json;
    assert_eq!(mine["data"][0]["permissions"]["edit"], true);
    let theirs = t.get(list, Some(&stranger)).await.json;
    assert_eq!(theirs["data"][0]["permissions"]["edit"], false);

    // Writes through the app and by another node.
    let newest = page["data"][0]["id"].as_str().unwrap().to_owned();
    ok(t.put(
        &format!("/api/1/datasets/{newest}/"),
        Some(&key),
        json!({"title": "Retitled"}),
    )
    .await
    .status);
    assert_eq!(t.get(list, None).await.json["data"][0]["title"], "Retitled");
    let node = t.another_node().await;
    let mut dataset = node.dataset_by_id(&newest).await.unwrap().unwrap();
    dataset.private = true;
    node.update_dataset(&mut dataset, false).await.unwrap();
    let written = Instant::now();
    loop {
        let asked = Instant::now();
        let page = t.get(list, None).await.json;
        if !served(&page, &newest) {
            break;
        }
        assert!(asked - written < BOUND, "a private dataset is still listed");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(served(&t.get(list, Some(&key)).await.json, &newest));
    assert_eq!(
        t.get("/api/1/datasets/?page=9", None).await.status,
        StatusCode::NOT_FOUND
    );
}

fn served(page: &Value, id: &str) -> bool {
    page["data"]
        .as_array()
        .is_some_and(|items| items.iter().any(|item| item["id"] == id))
}

async fn a_cache_of_zero_bytes_keeps_nothing(backend: Backend) {
    let t = TestApp::with_config(
        backend,
        TestConfig {
            dataset_cache_size: 0,
            ..TestConfig::default()
        },
    )
    .await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let d = create_dataset(&t, &key, json!({"title": "T", "description": "d"})).await;
    for _ in 0..3 {
        let r = t.get(&dataset_path(&d), None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.json["title"], "T");
    }
    assert_eq!(t.app.dataset_cache.usage(), (0, 0));
    assert_eq!(t.get("/api/1/datasets/", None).await.json["total"], 1);
}

async fn a_v2_search_answer_does_not_stand_in_for_a_whole_one(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let d = create_dataset(&t, &key, json!({"title": "Horaires", "description": "d"})).await;
    let id = d["id"].as_str().unwrap();
    let path = dataset_path(&d);
    for title in ["a", "b"] {
        ok(
            t.post(&format!("{path}resources/"), Some(&key), remote(title))
                .await
                .status,
        );
    }
    let search = "/api/2/datasets/search/?q=horaires";
    // The search keeps an answer without the resources, that links to them.
    let deadline = Instant::now() + Duration::from_secs(10);
    let linked = loop {
        let r = t.get(search, None).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
        if let Some(entry) = t.app.dataset_cache.get(id) {
            assert!(!entry.fragments.serves(Resources::Listed));
            break r.json;
        }
        assert!(Instant::now() < deadline, "the answer is never kept");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(linked["data"][0]["resources"]["total"], 2);
    // The v1 answers read the resources, and keep the whole answer, which the search serves
    // alike.
    let single = t.get(&path, None).await.json;
    assert_eq!(titles(&single), ["b", "a"]);
    let entry = t.app.dataset_cache.get(id).expect("kept");
    assert!(entry.fragments.serves(Resources::Listed));
    let list = t.get("/api/1/datasets/?q=horaires", None).await.json;
    assert_eq!(titles(&list["data"][0]), ["b", "a"]);
    assert_eq!(t.get(search, None).await.json, linked);
}

both!(
    a_v2_search_answer_does_not_stand_in_for_a_whole_one,
    each_write_through_the_app_is_seen_at_once,
    another_nodes_writes_are_seen_within_the_bound,
    one_kept_answer_serves_each_caller_its_rights,
    list_items_come_from_the_cache_and_stay_fresh,
    a_cache_of_zero_bytes_keeps_nothing,
);
