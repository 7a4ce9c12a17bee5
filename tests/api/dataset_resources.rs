//! A dataset's resources through the API, `/datasets/r/{id}`, and the store holding a dataset
//! of 20,000 resources.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::common::{BASE_URL, Backend, TestApp};
use crate::datasets::{create_dataset, dataset_path};
use plateau::domain::ids::{object_id, uuid4};
use plateau::domain::resource::Resource;
use plateau::domain::time::now;

fn remote(title: &str) -> Value {
    json!({"title": title, "url": format!("https://example.org/{title}.csv"), "filetype": "remote",
        "format": " CSV ", "type": "main"})
}

async fn resources_are_added_first_read_changed_removed(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let (_, other) = t.user_with_key("Bob", "B", false).await;
    let d = create_dataset(&t, &key, json!({"title": "T", "description": "d"})).await;
    let resources = format!("{}resources/", dataset_path(&d));
    assert_eq!(
        t.post(&resources, None, remote("a")).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        t.post(&resources, Some(&other), remote("a")).await.status,
        StatusCode::FORBIDDEN
    );
    let mut file = remote("f");
    file["filetype"] = json!("file");
    let r = t.post(&resources, Some(&key), file).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = t
        .post(
            &resources,
            Some(&key),
            json!({"title": "no url", "filetype": "remote"}),
        )
        .await;
    assert!(r.json["errors"]["url"].is_array());
    let a = t.post(&resources, Some(&key), remote("a")).await;
    assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.json);
    let a = a.json;
    assert_eq!(a["format"], "csv");
    assert_eq!(a["filetype"], "remote");
    let rid = a["id"].as_str().unwrap().to_owned();
    assert_eq!(rid.len(), 36);
    assert_eq!(a["latest"], format!("{BASE_URL}/api/1/datasets/r/{rid}"));
    let b = t.post(&resources, Some(&key), remote("b")).await.json;
    let served = t.get(&dataset_path(&d), None).await.json;
    let order: Vec<&str> = served["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["title"].as_str().unwrap())
        .collect();
    assert_eq!(order, ["b", "a"], "new resources go first");
    assert_eq!(served["last_update"], b["last_modified"]);
    let one = format!("{resources}{rid}/");
    assert_eq!(t.get(&one, None).await.json["title"], "a");
    let r = t.get(&format!("{resources}{}/", uuid4()), None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = t.put(&one, Some(&key), json!({"filetype": "file"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        t.put(&one, Some(&other), json!({"title": "x"}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let r = t
        .put(
            &one,
            Some(&key),
            json!({"title": "a2", "format": "XLSX ", "url": "https://example.org/new"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    assert_eq!(r.json["format"], "xlsx");
    // The permanent link follows the resource's current URL.
    let r = t.get(&format!("/api/1/datasets/r/{rid}"), None).await;
    assert_eq!(r.status, StatusCode::FOUND);
    assert_eq!(r.header("location"), Some("https://example.org/new"));
    let r = t.get(&format!("/api/1/datasets/r/{}", uuid4()), None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        t.delete(&one, Some(&other)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        t.delete(&one, Some(&key)).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(t.get(&one, None).await.status, StatusCode::NOT_FOUND);
    let served = t.get(&dataset_path(&d), None).await.json;
    assert_eq!(served["resources"].as_array().unwrap().len(), 1);
    assert_eq!(served["quality"]["has_resources"], true);
}

async fn reorder_needs_the_exact_set_of_ids(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let d = create_dataset(&t, &key, json!({"title": "T", "description": "d"})).await;
    let resources = format!("{}resources/", dataset_path(&d));
    let mut ids = Vec::new();
    for title in ["a", "b", "c"] {
        let r = t.post(&resources, Some(&key), remote(title)).await;
        ids.push(r.json["id"].as_str().unwrap().to_owned());
    }
    // Stored order is c, b, a.
    let r = t.put(&resources, Some(&key), json!([ids[0], ids[1]])).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = t
        .put(&resources, Some(&key), json!([ids[0], ids[1], uuid4()]))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = t
        .put(&resources, Some(&key), json!([ids[0], ids[0], ids[1]]))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = t
        .put(
            &resources,
            Some(&key),
            json!([{"title": "no id"}, ids[0], ids[1]]),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = t
        .put(
            &resources,
            Some(&key),
            json!([{"id": ids[0]}, ids[1], ids[2]]),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    let titles: Vec<&str> = r
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["a", "b", "c"]);
    let served = t.get(&dataset_path(&d), None).await.json;
    assert_eq!(served["resources"][0]["title"], "a");
}

async fn private_dataset_resources_are_hidden(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let d = create_dataset(
        &t,
        &key,
        json!({"title": "T", "description": "d", "private": true,
            "resources": [remote("inline")]}),
    )
    .await;
    let rid = d["resources"][0]["id"].as_str().unwrap();
    let one = format!("{}resources/{rid}/", dataset_path(&d));
    assert_eq!(t.get(&one, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(t.get(&one, Some(&key)).await.status, StatusCode::OK);
}

fn resource(i: usize, at: i64) -> Resource {
    Resource {
        id: uuid4(),
        title: format!("file {i}"),
        description: None,
        filetype: "remote".into(),
        kind: "main".into(),
        url: format!("https://example.org/{i}.csv"),
        format: Some("csv".into()),
        mime: None,
        filesize: None,
        checksum: None,
        schema: None,
        extras: Default::default(),
        created_at: at,
        last_modified: at,
        fs_filename: None,
    }
}

async fn twenty_thousand_resources(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (user, _) = t.user_with_key("Ada", "Lovelace", false).await;
    let store = t.store();
    let input = plateau::domain::dataset::DatasetInput::parse(
        &json!({"title": "Huge", "description": "d"}),
        true,
    )
    .unwrap();
    let mut dataset = input.create(object_id(), now());
    dataset.owner = Some(user.id.clone());
    let dataset = store.create_dataset(dataset, &[]).await.unwrap();
    let started = std::time::Instant::now();
    for batch in 0..20 {
        let at = now();
        let resources: Vec<Resource> = (0..1000).map(|i| resource(batch * 1000 + i, at)).collect();
        store
            .append_resources(&dataset.id, &resources, at)
            .await
            .unwrap();
    }
    let loaded = started.elapsed();
    let extra = resource(20_000, now());
    let started = std::time::Instant::now();
    store
        .add_resource(&dataset.id, &extra, now())
        .await
        .unwrap();
    let fetched = store.resource(&dataset.id, &extra.id).await.unwrap();
    let one_op = started.elapsed();
    assert_eq!(
        fetched.as_ref().map(|r| r.title.as_str()),
        Some("file 20000")
    );
    let counted = store.dataset_by_id(&dataset.id).await.unwrap().unwrap();
    assert_eq!(counted.counters.resources, 20_001);
    assert_eq!(counted.counters.open_format_resources, 20_001);
    assert!(
        one_op < std::time::Duration::from_millis(500),
        "adding and reading one resource took {one_op:?} (loading took {loaded:?})"
    );
    let r = t
        .get(
            &format!("/api/1/datasets/{}/resources/{}/", dataset.id, extra.id),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
}

both!(
    resources_are_added_first_read_changed_removed,
    reorder_needs_the_exact_set_of_ids,
    private_dataset_resources_are_hidden,
    twenty_thousand_resources,
);
