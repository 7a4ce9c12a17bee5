//! Read-your-writes: once this node has answered a write, every index-backed list, search and
//! suggestion it serves shows it at once — no sleep, no polling — after a create, an update
//! and a delete, as uData's database-backed lists do.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::common::{Backend, TestApp, TestResponse, user_named};
use crate::datasets::create_dataset;
use crate::organizations::{create_org, org_path};

/// Rounds of "write, then read at once": a lagging index misses most of them.
const ROUNDS: usize = 6;

fn ids(r: &TestResponse, items: &Value) -> Vec<String> {
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    items
        .as_array()
        .expect("a list")
        .iter()
        .map(|item| item["id"].as_str().expect("an id").to_owned())
        .collect()
}

fn only(id: &str) -> Vec<String> {
    vec![id.to_owned()]
}

fn data_ids(r: &TestResponse) -> Vec<String> {
    ids(r, &r.json["data"])
}

fn suggestion_ids(r: &TestResponse) -> Vec<String> {
    ids(r, &r.json)
}

fn texts(r: &TestResponse) -> Vec<String> {
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    r.json
        .as_array()
        .expect("a list")
        .iter()
        .map(|item| item["text"].as_str().expect("a text").to_owned())
        .collect()
}

async fn dataset_lists_show_a_write_at_once(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let mut created = Vec::new();
    for round in 0..ROUNDS {
        let tag = format!("lot-{round}");
        let word = format!("hydrographie{}", "x".repeat(round));
        let d = create_dataset(
            &t,
            &key,
            json!({"title": format!("Réseau {word}"), "description": "d", "tags": [tag.clone(), "commun"]}),
        )
        .await;
        let id = d["id"].as_str().unwrap().to_owned();
        created.push(id.clone());
        // The v1 list: by tag, by query, sorted, and its total.
        let r = t.get(&format!("/api/1/datasets/?tag={tag}"), None).await;
        assert_eq!(data_ids(&r), only(&id), "tag list, round {round}");
        let r = t.get(&format!("/api/1/datasets/?q={word}"), None).await;
        assert_eq!(data_ids(&r), only(&id), "q list, round {round}");
        let r = t
            .get("/api/1/datasets/?tag=commun&sort=-created", None)
            .await;
        assert_eq!(r.json["total"], json!(round + 1), "total, round {round}");
        assert_eq!(data_ids(&r)[0], id, "newest first, round {round}");
        // The v2 search and its facet counts.
        let r = t
            .get(&format!("/api/2/datasets/search/?q={word}"), None)
            .await;
        assert_eq!(data_ids(&r), only(&id), "v2 search, round {round}");
        let r = t.get("/api/2/datasets/search/?tag=commun", None).await;
        assert_eq!(r.json["total"], json!(round + 1), "v2 total, round {round}");
        // Suggestions of datasets and of tags.
        let r = t
            .get(&format!("/api/1/datasets/suggest/?q={word}"), None)
            .await;
        assert_eq!(suggestion_ids(&r), only(&id), "suggest, round {round}");
        let r = t.get(&format!("/api/1/tags/suggest/?q={tag}"), None).await;
        assert_eq!(texts(&r), only(&tag), "tag suggest, round {round}");
    }

    // An update: the changed tag is found under its new value only.
    let path = format!("/api/1/datasets/{}/", created[0]);
    let r = t
        .put(&path, Some(&key), json!({"tags": ["renomme", "commun"]}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    let r = t.get("/api/1/datasets/?tag=lot-0", None).await;
    assert_eq!(data_ids(&r), Vec::<String>::new());
    let r = t.get("/api/1/datasets/?tag=renomme", None).await;
    assert_eq!(data_ids(&r), only(&created[0]));
    let r = t.get("/api/2/datasets/search/?tag=renomme", None).await;
    assert_eq!(data_ids(&r), only(&created[0]));
    let r = t.get("/api/1/tags/suggest/?q=renom", None).await;
    assert_eq!(texts(&r), ["renomme"]);

    // A delete: gone from every list, search, suggestion and count.
    for (round, id) in created.iter().enumerate() {
        let r = t
            .delete(&format!("/api/1/datasets/{id}/"), Some(&key))
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.json);
        let left = ROUNDS - round - 1;
        let r = t.get("/api/1/datasets/?tag=commun", None).await;
        assert_eq!(r.json["total"], json!(left), "after delete {round}");
        assert!(!data_ids(&r).contains(id));
        let r = t.get("/api/2/datasets/search/?tag=commun", None).await;
        assert_eq!(r.json["total"], json!(left), "v2 after delete {round}");
        let word = format!("hydrographie{}", "x".repeat(round));
        let r = t
            .get(&format!("/api/1/datasets/suggest/?q={word}"), None)
            .await;
        assert!(!suggestion_ids(&r).contains(id), "suggest after delete");
    }
    let r = t.get("/api/1/tags/suggest/?q=commun", None).await;
    assert_eq!(texts(&r), Vec::<String>::new());
}

async fn resource_formats_are_suggested_at_once(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let d = create_dataset(&t, &key, json!({"title": "Formats", "description": "d"})).await;
    let resources = format!("/api/1/datasets/{}/resources/", d["id"].as_str().unwrap());
    for (round, format) in ["geojson", "parquet", "shp"].iter().enumerate() {
        let r = t
            .post(
                &resources,
                Some(&key),
                json!({"title": format!("r{round}"), "url": format!("https://example.org/{round}.{format}"),
                    "format": format, "mime": format!("application/x-{format}"), "filetype": "remote"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
        let r = t
            .get(
                &format!("/api/1/datasets/suggest/formats/?q={format}"),
                None,
            )
            .await;
        assert_eq!(texts(&r), [format.to_string()], "format {format}");
        let r = t
            .get(
                &format!("/api/1/datasets/suggest/mime/?q=application/x-{format}"),
                None,
            )
            .await;
        assert_eq!(texts(&r), [format!("application/x-{format}")]);
        let r = t
            .get(&format!("/api/1/datasets/?format={format}"), None)
            .await;
        assert_eq!(data_ids(&r), [d["id"].as_str().unwrap().to_owned()]);
    }
}

async fn organization_lists_show_a_write_at_once(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let mut created = Vec::new();
    for round in 0..ROUNDS {
        let word = format!("prefecture{}", "z".repeat(round));
        let org = create_org(&t, &key, &format!("Observatoire {word}")).await;
        let id = org["id"].as_str().unwrap().to_owned();
        created.push(org);
        let r = t
            .get(&format!("/api/1/organizations/?q={word}"), None)
            .await;
        assert_eq!(data_ids(&r), only(&id), "q list, round {round}");
        let r = t.get("/api/1/organizations/?sort=-created", None).await;
        assert_eq!(r.json["total"], json!(round + 1), "total, round {round}");
        let r = t
            .get(&format!("/api/1/organizations/suggest/?q={word}"), None)
            .await;
        assert_eq!(suggestion_ids(&r), only(&id), "suggest, round {round}");
        let r = t
            .get(&format!("/api/2/organizations/search/?q={word}"), None)
            .await;
        assert_eq!(data_ids(&r), only(&id), "v2 search, round {round}");
    }
    // A rename is found under its new name only.
    let r = t
        .put(
            &org_path(&created[0]),
            Some(&key),
            json!({"name": "Agence nouvellement nommee"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    let id = created[0]["id"].as_str().unwrap().to_owned();
    let r = t.get("/api/1/organizations/?q=nouvellement", None).await;
    assert_eq!(data_ids(&r), only(&id));
    let r = t
        .get("/api/1/organizations/suggest/?q=prefecture", None)
        .await;
    assert!(!suggestion_ids(&r).contains(&id));
    let r = t
        .get("/api/2/organizations/search/?q=nouvellement", None)
        .await;
    assert_eq!(data_ids(&r), [id]);
    // Deletes leave every list at once.
    for (round, org) in created.iter().enumerate() {
        let r = t.delete(&org_path(org), Some(&key)).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.json);
        let r = t.get("/api/1/organizations/", None).await;
        assert_eq!(r.json["total"], json!(ROUNDS - round - 1), "after delete");
        let r = t.get("/api/2/organizations/search/", None).await;
        assert_eq!(
            r.json["total"],
            json!(ROUNDS - round - 1),
            "v2 after delete"
        );
    }
    let r = t
        .get("/api/1/organizations/suggest/?q=nouvellement", None)
        .await;
    assert_eq!(suggestion_ids(&r), Vec::<String>::new());
}

async fn user_suggestions_show_a_write_at_once(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, admin) = t.admin().await;
    for round in 0..ROUNDS {
        let last_name = format!("Quelquechose{}", "w".repeat(round));
        let r = t
            .post(
                "/api/1/users/",
                Some(&admin),
                json!({"first_name": "Nouvel", "last_name": last_name,
                    "email": format!("nouvel{round}@example.org"), "password": "a long enough password"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
        let id = r.json["id"].as_str().unwrap().to_owned();
        let r = t
            .get(&format!("/api/1/users/suggest/?q={last_name}"), None)
            .await;
        assert_eq!(suggestion_ids(&r), only(&id), "round {round}");
        let r = t
            .put(
                &format!("/api/1/users/{id}/"),
                Some(&admin),
                json!({"first_name": "Nouvel", "last_name": format!("Renomme{round}")}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
        let r = t
            .get(&format!("/api/1/users/suggest/?q={last_name}"), None)
            .await;
        assert_eq!(suggestion_ids(&r), Vec::<String>::new(), "renamed {round}");
        let r = t.delete(&format!("/api/1/users/{id}/"), Some(&admin)).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.json);
        let r = t
            .get(&format!("/api/1/users/suggest/?q=renomme{round}"), None)
            .await;
        assert_eq!(suggestion_ids(&r), Vec::<String>::new(), "deleted {round}");
    }
}

/// Clients writing at the same time each see their own write in the list they read next.
async fn concurrent_writers_each_see_their_write(backend: Backend) {
    let t = std::sync::Arc::new(TestApp::new(backend).await);
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let mut tasks = Vec::new();
    for client in 0..8 {
        let (t, key) = (t.clone(), key.clone());
        tasks.push(tokio::spawn(async move {
            for round in 0..3 {
                let tag = format!("client-{client}-{round}");
                let d = create_dataset(
                    &t,
                    &key,
                    json!({"title": format!("Jeu {tag}"), "description": "d", "tags": [tag.clone()]}),
                )
                .await;
                let r = t.get(&format!("/api/1/datasets/?tag={tag}"), None).await;
                assert_eq!(data_ids(&r), [d["id"].as_str().unwrap().to_owned()], "{tag}");
            }
        }));
    }
    for task in tasks {
        task.await.expect("a client finishes");
    }
    let r = t.get("/api/1/datasets/?page_size=100", None).await;
    assert_eq!(r.json["total"], 24);
}

/// A write made through another handle on the store (another node, the CLI) reaches this
/// node's lists through the change log, within a second.
async fn another_nodes_write_is_listed_within_a_second(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    // A dataset written here first, so the index is known to follow.
    create_dataset(&t, &key, json!({"title": "Ici", "description": "d"})).await;
    let other = t.another_node().await;
    let user = other
        .create_user(user_named("Lointaine", "Ailleurs", false), None)
        .await
        .expect("create a user through another node");
    let started = std::time::Instant::now();
    loop {
        let r = t.get("/api/1/users/suggest/?q=lointaine", None).await;
        if suggestion_ids(&r) == only(&user.id) {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(1),
            "another node's write is not suggested after a second"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

both!(
    dataset_lists_show_a_write_at_once,
    resource_formats_are_suggested_at_once,
    organization_lists_show_a_write_at_once,
    user_suggestions_show_a_write_at_once,
    concurrent_writers_each_see_their_write,
    another_nodes_write_is_listed_within_a_second,
);

/// A PostgreSQL sequence number taken by a transaction that has not committed (or never will)
/// holds the index's saved position back; searches kept meanwhile must still follow the
/// writes committed after it.
async fn kept_searches_follow_writes_past_an_open_sequence_number(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    create_dataset(
        &t,
        &key,
        json!({"title": "Premier", "description": "d", "tags": ["suivi"]}),
    )
    .await;
    if backend == Backend::Postgres {
        // Taken and never used, as by a rolled-back write: a gap the indexer waits for.
        t.raw_postgres("SELECT nextval('changes_seq_seq')").await;
    }
    for round in 1..4 {
        let r = t.get("/api/2/datasets/search/?tag=suivi", None).await;
        assert_eq!(r.json["total"], json!(round), "v2, round {round}");
        let r = t.get("/api/1/datasets/?tag=suivi", None).await;
        assert_eq!(r.json["total"], json!(round), "v1, round {round}");
        create_dataset(
            &t,
            &key,
            json!({"title": format!("Suivant {round}"), "description": "d", "tags": ["suivi"]}),
        )
        .await;
    }
    let r = t.get("/api/2/datasets/search/?tag=suivi", None).await;
    assert_eq!(r.json["total"], json!(4));
}

both!(kept_searches_follow_writes_past_an_open_sequence_number);
