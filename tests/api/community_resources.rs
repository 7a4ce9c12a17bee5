//! `/datasets/community_resources/`: create, list, read, update, delete, permissions, and the
//! permanent link.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::common::{Backend, TestApp};
use crate::datasets::create_dataset;
use crate::organizations::create_org;

const LIST: &str = "/api/1/datasets/community_resources/";

fn body(dataset: &Value) -> Value {
    json!({"title": "A better file", "url": "https://example.org/better.csv", "filetype": "remote",
        "dataset": {"id": dataset["id"]}, "format": "CSV"})
}

async fn community_resources_lifecycle(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (producer, producer_key) = t.user_with_key("Pro", "Ducer", false).await;
    let (author, author_key) = t.user_with_key("Au", "Thor", false).await;
    let (_, other_key) = t.user_with_key("Oth", "Er", false).await;
    let (_, sysadmin) = t.admin().await;
    let d = create_dataset(&t, &producer_key, json!({"title": "T", "description": "d"})).await;
    assert_eq!(
        t.post(LIST, None, body(&d)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let mut no_dataset = body(&d);
    no_dataset.as_object_mut().unwrap().remove("dataset");
    let r = t.post(LIST, Some(&author_key), no_dataset).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json["errors"]["dataset"].is_array());
    let mut file = body(&d);
    file["filetype"] = json!("file");
    assert_eq!(
        t.post(LIST, Some(&author_key), file).await.status,
        StatusCode::BAD_REQUEST
    );
    let mut as_other = body(&d);
    as_other["owner"] = json!(producer.id);
    let r = t.post(LIST, Some(&author_key), as_other).await;
    assert!(r.json["errors"]["owner"].is_array());
    let r = t.post(LIST, Some(&author_key), body(&d)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
    let c = r.json;
    assert_eq!(c["owner"]["id"], author.id.as_str());
    assert_eq!(c["dataset"]["id"], d["id"]);
    assert_eq!(c["dataset"]["class"], "Dataset");
    assert_eq!(c["format"], "csv");
    assert_eq!(c["permissions"], json!({"delete": true, "edit": true}));
    let id = c["id"].as_str().unwrap();
    let one = format!("{LIST}{id}/");
    let r = t.get(&one, None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.json["permissions"],
        json!({"delete": false, "edit": false})
    );
    let r = t.get(&format!("/api/1/datasets/r/{id}"), None).await;
    assert_eq!(r.status, StatusCode::FOUND);
    assert_eq!(r.header("location"), Some("https://example.org/better.csv"));
    // Lists and filters.
    let org = create_org(&t, &author_key, "Authors").await;
    let mut by_org = body(&d);
    by_org["organization"] = org["id"].clone();
    let r = t.post(LIST, Some(&author_key), by_org).await;
    assert_eq!(r.json["organization"]["id"], org["id"]);
    assert_eq!(r.json["owner"], Value::Null);
    assert_eq!(t.get(LIST, None).await.json["total"], 2);
    let tr = &t;
    let q = |filter: String| async move {
        tr.get(&format!("{LIST}?{filter}"), None).await.json["total"].clone()
    };
    assert_eq!(q(format!("dataset={}", d["id"].as_str().unwrap())).await, 2);
    assert_eq!(q(format!("owner={}", author.id)).await, 1);
    assert_eq!(
        q(format!("organization={}", org["id"].as_str().unwrap())).await,
        1
    );
    assert_eq!(q(format!("owner={}", producer.id)).await, 0);
    let mine = t
        .get("/api/1/me/org_community_resources/", Some(&author_key))
        .await;
    assert_eq!(mine.json.as_array().unwrap().len(), 2);
    // Editing: the owner and sysadmins; others are refused.
    let r = t.put(&one, Some(&other_key), json!({"title": "x"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = t.put(&one, None, json!({"title": "x"})).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = t
        .put(&one, Some(&author_key), json!({"title": "Renamed"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    assert_eq!(r.json["title"], "Renamed");
    let r = t
        .put(&one, Some(&sysadmin), json!({"description": "checked"}))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        t.delete(&one, Some(&other_key)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        t.delete(&one, Some(&author_key)).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(t.get(&one, None).await.status, StatusCode::NOT_FOUND);
}

both!(community_resources_lifecycle);
