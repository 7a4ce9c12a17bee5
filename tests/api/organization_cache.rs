//! The organization answers in the answer cache (`GET /organizations/{org}/` and the v1
//! list's items): the same bytes as without the cache, for every caller; every write that
//! changes what an answer shows is seen by the next request, whether made through this app (at
//! once) or by another node or the CLI (within the stated bound).

use std::time::{Duration, Instant};

use axum::Router;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both;
use crate::common::{Backend, TestApp, TestConfig, TestResponse};
use crate::datasets::{create_dataset, dataset_path};
use crate::fixtures::png;
use crate::organization_logo::{multipart, send_multipart};
use crate::organizations::{create_org, org_path};
use plateau::api::answers::{BOUND, POLL};
use plateau::api::state::AppState;
use plateau::domain::dataset::DatasetInput;
use plateau::domain::ids::object_id;
use plateau::domain::organization::OrgRole;
use plateau::domain::time::now;
use plateau::store::follows::Followable;

/// GETs `path` (as `key`) until the organization cache keeps the answer about `id` (it keeps
/// nothing before its first read of the change log); the last answer.
async fn cached(t: &TestApp, path: &str, key: Option<&str>, id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let r = t.get(path, key).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
        if t.app.organization_cache.get(id).is_some() {
            return r.json;
        }
        assert!(Instant::now() < deadline, "the answer is never kept");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The answer kept once the change-log follower has passed this node's writes so far: it
/// reads them too and forgets their answers again, whenever it gets to them.
async fn settled(t: &TestApp, path: &str, id: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        cached(t, path, None, id).await;
        tokio::time::sleep(POLL * 3).await;
        if t.app.organization_cache.get(id).is_some() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the answer is never kept for long"
        );
    }
}

/// After a write through the app: the cache no longer has the answer, and the next GET shows
/// the write (checked by the caller).
async fn next_answer(t: &TestApp, path: &str, id: &str) -> Value {
    assert!(
        t.app.organization_cache.get(id).is_none(),
        "the write did not forget the answer"
    );
    cached(t, path, None, id).await
}

fn ok(r: TestResponse) -> Value {
    assert!(r.status.is_success(), "{}: {:?}", r.status, r.json);
    r.json
}

fn member_names(answer: &Value) -> Vec<String> {
    answer["members"]
        .as_array()
        .expect("members")
        .iter()
        .map(|m| {
            format!(
                "{} {} ({})",
                m["user"]["first_name"].as_str().unwrap(),
                m["user"]["last_name"].as_str().unwrap(),
                m["role"].as_str().unwrap()
            )
        })
        .collect()
}

/// The same application on the same store, without answer caches.
fn uncached_router(t: &TestApp) -> Router {
    let mut settings = t.app.settings.clone();
    settings.dataset_cache_size = 0;
    settings.organization_cache_size = 0;
    let app = AppState::new(
        t.app.store.clone(),
        settings,
        t.app.secret.clone(),
        t.app.search.clone(),
    );
    plateau::api::router(app)
}

/// A request through `router` instead of the app's own.
async fn call_through(
    t: &mut TestApp,
    router: &Router,
    path: &str,
    key: Option<&str>,
    headers: &[(&str, &str)],
) -> TestResponse {
    let own = std::mem::replace(&mut t.router, router.clone());
    let r = t.call(Method::GET, path, key, None, headers).await;
    t.router = own;
    r
}

async fn each_write_through_the_app_is_seen_at_once(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, admin) = t.admin().await;
    let (ada, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let (bob, bob_key) = t.user_with_key("Bob", "Builder", false).await;
    let (_, fan) = t.user_with_key("Fan", "Club", false).await;
    let org = create_org(&t, &key, "Producteur").await;
    let id = org["id"].as_str().unwrap();
    let path = org_path(&org);

    cached(&t, &path, None, id).await;
    ok(t.put(&path, Some(&key), json!({"description": "changed"}))
        .await);
    assert_eq!(next_answer(&t, &path, id).await["description"], "changed");

    let member = format!("{path}member/{}/", bob.id);
    ok(t.post(&member, Some(&key), json!({"role": "editor"})).await);
    let served = next_answer(&t, &path, id).await;
    assert_eq!(
        member_names(&served),
        ["Ada Lovelace (admin)", "Bob Builder (editor)"]
    );
    assert_eq!(served["metrics"]["members"], 2);

    ok(t.put(&member, Some(&key), json!({"role": "admin"})).await);
    assert_eq!(
        member_names(&next_answer(&t, &path, id).await)[1],
        "Bob Builder (admin)"
    );

    let mut me = t.get("/api/1/me/", Some(&bob_key)).await.json;
    me["first_name"] = json!("Robert");
    ok(t.put("/api/1/me/", Some(&bob_key), me).await);
    assert_eq!(
        member_names(&next_answer(&t, &path, id).await)[1],
        "Robert Builder (admin)"
    );

    let avatar = multipart(&[("file", Some("me.png"), &png(60, 60))]);
    let r = send_multipart(
        &t,
        Method::POST,
        "/api/1/me/avatar/",
        Some(&bob_key),
        avatar,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    assert_eq!(
        next_answer(&t, &path, id).await["members"][1]["user"]["avatar"],
        r.json["image"]
    );

    ok(t.delete(&member, Some(&key)).await);
    let served = next_answer(&t, &path, id).await;
    assert_eq!(member_names(&served), ["Ada Lovelace (admin)"]);
    assert_eq!(served["metrics"]["members"], 1);

    let logo = multipart(&[("file", Some("logo.png"), &png(120, 80))]);
    let r = send_multipart(&t, Method::POST, &format!("{path}logo/"), Some(&key), logo).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    assert_eq!(next_answer(&t, &path, id).await["logo"], r.json["image"]);

    ok(t.post(
        &format!("{path}badges/"),
        Some(&admin),
        json!({"kind": "public-service"}),
    )
    .await);
    assert_eq!(
        next_answer(&t, &path, id).await["badges"],
        json!([{"kind": "public-service"}])
    );

    ok(t.call(
        Method::POST,
        &format!("{path}followers/"),
        Some(&fan),
        None,
        &[],
    )
    .await);
    assert_eq!(next_answer(&t, &path, id).await["metrics"]["followers"], 1);

    // The count of public datasets: created in the organization, made private and public
    // again, moved to a user by a sysadmin, deleted.
    let d = create_dataset(
        &t,
        &key,
        json!({"title": "Of the org", "description": "d", "organization": id}),
    )
    .await;
    assert_eq!(next_answer(&t, &path, id).await["metrics"]["datasets"], 1);
    let other = create_dataset(
        &t,
        &key,
        json!({"title": "Also", "description": "d", "organization": id}),
    )
    .await;
    assert_eq!(next_answer(&t, &path, id).await["metrics"]["datasets"], 2);
    let d_path = dataset_path(&d);
    ok(t.put(&d_path, Some(&key), json!({"private": true})).await);
    assert_eq!(next_answer(&t, &path, id).await["metrics"]["datasets"], 1);
    ok(t.put(&d_path, Some(&key), json!({"private": false})).await);
    assert_eq!(next_answer(&t, &path, id).await["metrics"]["datasets"], 2);
    ok(t.put(&d_path, Some(&admin), json!({"owner": ada.id})).await);
    assert_eq!(next_answer(&t, &path, id).await["metrics"]["datasets"], 1);
    ok(t.delete(&dataset_path(&other), Some(&key)).await);
    assert_eq!(next_answer(&t, &path, id).await["metrics"]["datasets"], 0);
    // A write that leaves the count alone leaves the answer kept.
    ok(t.put(&d_path, Some(&admin), json!({"organization": id}))
        .await);
    assert_eq!(next_answer(&t, &path, id).await["metrics"]["datasets"], 1);
    settled(&t, &path, id).await;
    ok(t.put(&d_path, Some(&key), json!({"description": "again"}))
        .await);
    assert!(t.app.organization_cache.get(id).is_some());

    // A new name moves the slug: the old one, kept by slug, now redirects.
    cached(&t, "/api/1/organizations/producteur/", None, id).await;
    ok(t.put(&path, Some(&key), json!({"name": "Renommée"})).await);
    assert!(t.app.organization_cache.get("producteur").is_none());
    let r = t.get("/api/1/organizations/producteur/", None).await;
    assert_eq!(r.status, StatusCode::PERMANENT_REDIRECT);
    let served = cached(&t, "/api/1/organizations/renommee/", None, id).await;
    assert_eq!(served["name"], "Renommée");
    settled(&t, "/api/1/organizations/renommee/", id).await;
    assert!(t.app.organization_cache.get("renommee").is_some());

    // Deleted: 410 to others, 200 to members and sysadmins.
    ok(t.delete(&path, Some(&key)).await);
    assert!(t.app.organization_cache.get(id).is_none());
    assert_eq!(t.get(&path, None).await.status, StatusCode::GONE);
    assert!(cached(&t, &path, Some(&key), id).await["deleted"].is_string());
    for stranger in [None, Some(fan.as_str())] {
        let r = t.get(&path, stranger).await;
        assert_eq!(r.status, StatusCode::GONE);
        assert_eq!(r.json["message"], "Organization has been deleted");
    }
    assert_eq!(t.get(&path, Some(&admin)).await.status, StatusCode::OK);
    assert_eq!(
        t.get("/api/1/organizations/no-such-org/", None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

async fn a_member_deleted_leaves_the_answer(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, admin) = t.admin().await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let (bob, _) = t.user_with_key("Bob", "Builder", false).await;
    let org = create_org(&t, &key, "Producteur").await;
    let id = org["id"].as_str().unwrap();
    let path = org_path(&org);
    ok(t.post(
        &format!("{path}member/{}/", bob.id),
        Some(&key),
        json!({"role": "editor"}),
    )
    .await);
    assert_eq!(cached(&t, &path, None, id).await["metrics"]["members"], 2);
    ok(t.delete(&format!("/api/1/users/{}/", bob.id), Some(&admin))
        .await);
    let served = next_answer(&t, &path, id).await;
    assert_eq!(member_names(&served), ["Ada Lovelace (admin)"]);
    assert_eq!(served["metrics"]["members"], 1);
}

/// Polls `path` until `seen` holds for its answer. Until the bound after the write, an answer
/// may be stale; a request that starts later must see the write.
async fn seen_within_the_bound(t: &TestApp, path: &str, seen: impl Fn(&TestResponse) -> bool) {
    let written = Instant::now();
    loop {
        let asked = Instant::now();
        let r = t.get(path, None).await;
        if seen(&r) {
            return;
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
    let (bob, _) = t.user_with_key("Bob", "Builder", false).await;
    let org = create_org(&t, &key, "Producteur").await;
    let id = org["id"].as_str().unwrap();
    let path = org_path(&org);
    let node = t.another_node().await;

    cached(&t, &path, None, id).await;
    let mut organization = node.organization_by_id(id).await.unwrap().unwrap();
    organization.description = "written elsewhere".into();
    organization.last_modified = now();
    node.update_organization(&mut organization, false)
        .await
        .unwrap();
    seen_within_the_bound(&t, &path, |r| r.json["description"] == "written elsewhere").await;

    cached(&t, &path, None, id).await;
    node.add_member(id, &bob.id, OrgRole::Editor, now())
        .await
        .unwrap();
    seen_within_the_bound(&t, &path, |r| r.json["metrics"]["members"] == 2).await;

    cached(&t, &path, None, id).await;
    let mut user = node.user_by_id(&ada.id).await.unwrap().unwrap();
    user.last_name = "King".into();
    node.update_user(&user, None, now()).await.unwrap();
    seen_within_the_bound(&t, &path, |r| {
        r.json["members"][0]["user"]["last_name"] == "King"
    })
    .await;

    cached(&t, &path, None, id).await;
    node.follow(Followable::Organization, id, &bob.id, now())
        .await
        .unwrap();
    seen_within_the_bound(&t, &path, |r| r.json["metrics"]["followers"] == 1).await;

    cached(&t, &path, None, id).await;
    let mut dataset = DatasetInput::parse(&json!({"title": "Elsewhere", "description": "d"}), true)
        .unwrap()
        .create(object_id(), now());
    dataset.organization = Some(id.to_owned());
    let mut dataset = node.create_dataset(dataset, &[]).await.unwrap();
    seen_within_the_bound(&t, &path, |r| r.json["metrics"]["datasets"] == 1).await;

    cached(&t, &path, None, id).await;
    dataset.private = true;
    dataset.last_modified = now();
    node.update_dataset(&mut dataset, false).await.unwrap();
    seen_within_the_bound(&t, &path, |r| r.json["metrics"]["datasets"] == 0).await;

    cached(&t, &path, None, id).await;
    let mut organization = node.organization_by_id(id).await.unwrap().unwrap();
    node.delete_organization(&mut organization, now())
        .await
        .unwrap();
    seen_within_the_bound(&t, &path, |r| r.status == StatusCode::GONE).await;
}

async fn cached_answers_are_the_uncached_ones_for_every_caller(backend: Backend) {
    let mut t = TestApp::new(backend).await;
    let (_, admin) = t.admin().await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let (bob, bob_key) = t.user_with_key("Bob", "Builder", false).await;
    let (_, stranger) = t.user_with_key("Stranger", "S", false).await;
    let org = create_org(&t, &key, "Producteur").await;
    let id = org["id"].as_str().unwrap().to_owned();
    let path = org_path(&org);
    ok(t.post(
        &format!("{path}member/{}/", bob.id),
        Some(&key),
        json!({"role": "editor"}),
    )
    .await);
    ok(t.post(
        &format!("{path}badges/"),
        Some(&admin),
        json!({"kind": "certified"}),
    )
    .await);
    ok(t.call(
        Method::POST,
        &format!("{path}followers/"),
        Some(&stranger),
        None,
        &[],
    )
    .await);
    create_dataset(
        &t,
        &key,
        json!({"title": "Jeu", "description": "d", "organization": id}),
    )
    .await;
    let empty = create_org(&t, &stranger, "Sans membres").await;
    let empty_id = empty["id"].as_str().unwrap().to_owned();
    let founder = empty["members"][0]["user"]["id"].as_str().unwrap();
    t.store()
        .remove_member(&empty_id, founder, now())
        .await
        .expect("remove the founder");
    let uncached = uncached_router(&t);

    let callers = [
        None,
        Some(key.as_str()),
        Some(bob_key.as_str()),
        Some(stranger.as_str()),
        Some(admin.as_str()),
    ];
    for (path, id) in [
        (path.clone(), id.as_str()),
        ("/api/1/organizations/producteur/".to_owned(), id.as_str()),
        (org_path(&empty), empty_id.as_str()),
    ] {
        settled(&t, &path, id).await;
        for caller in callers {
            let from_cache = t.get(&path, caller).await;
            assert!(t.app.organization_cache.get(id).is_some());
            let without = call_through(&mut t, &uncached, &path, caller, &[]).await;
            assert_eq!(from_cache.status, StatusCode::OK);
            assert_eq!(
                String::from_utf8_lossy(&from_cache.body),
                String::from_utf8_lossy(&without.body),
                "{path} as {caller:?}"
            );
        }
    }
    // Members' emails to members and sysadmins only.
    let emails = |r: &TestResponse| -> Vec<Value> {
        r.json["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["user"]["email"].clone())
            .collect()
    };
    for caller in [None, Some(stranger.as_str())] {
        assert_eq!(
            emails(&t.get(&path, caller).await),
            [Value::Null, Value::Null]
        );
    }
    for caller in [&key, &bob_key, &admin] {
        assert!(
            emails(&t.get(&path, Some(caller)).await)
                .iter()
                .all(Value::is_string)
        );
    }
    let masked = t
        .call(
            Method::GET,
            &path,
            Some(&bob_key),
            None,
            &[("X-Fields", "id,members{user{email}}")],
        )
        .await;
    assert_eq!(
        masked.json,
        json!({"id": id, "members": [
            {"user": {"email": emails(&t.get(&path, Some(&key)).await)[0]}},
            {"user": {"email": bob.email}}
        ]})
    );
    let masked = t
        .call(
            Method::GET,
            &path,
            None,
            None,
            &[("X-Fields", "name,metrics{datasets,followers}")],
        )
        .await;
    assert_eq!(
        masked.json,
        json!({"name": "Producteur", "metrics": {"datasets": 1, "followers": 1}})
    );

    // The v1 list: its items are the answers, the same as without the cache.
    let list = "/api/1/organizations/?sort=name";
    for caller in callers {
        let page = t.get(list, caller).await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(page.json["total"], 2);
        let without = call_through(&mut t, &uncached, list, caller, &[]).await;
        assert_eq!(
            String::from_utf8_lossy(&page.body),
            String::from_utf8_lossy(&without.body),
            "as {caller:?}"
        );
        for item in page.json["data"].as_array().unwrap() {
            let single = t
                .get(
                    &format!("/api/1/organizations/{}/", item["id"].as_str().unwrap()),
                    caller,
                )
                .await;
            assert_eq!(&single.json, item);
        }
    }
    let masked = t
        .call(Method::GET, list, None, None, &[("X-Fields", "name")])
        .await;
    assert_eq!(
        masked.json["data"],
        json!([{"name": "Producteur"}, {"name": "Sans membres"}])
    );
    // A deleted organization leaves the list at once.
    ok(t.delete(&org_path(&empty), Some(&admin)).await);
    let page = t.get(list, None).await.json;
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
}

async fn a_cache_of_zero_bytes_keeps_nothing(backend: Backend) {
    let t = TestApp::with_config(
        backend,
        TestConfig {
            organization_cache_size: 0,
            ..TestConfig::default()
        },
    )
    .await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let org = create_org(&t, &key, "Producteur").await;
    for _ in 0..3 {
        let r = t.get(&org_path(&org), None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.json["name"], "Producteur");
    }
    assert_eq!(t.get("/api/1/organizations/", None).await.json["total"], 1);
    assert_eq!(t.app.organization_cache.usage(), (0, 0));
}

both!(
    each_write_through_the_app_is_seen_at_once,
    a_member_deleted_leaves_the_answer,
    another_nodes_writes_are_seen_within_the_bound,
    cached_answers_are_the_uncached_ones_for_every_caller,
    a_cache_of_zero_bytes_keeps_nothing,
);
