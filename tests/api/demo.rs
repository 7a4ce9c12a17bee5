//! `plateau serve --demo`: the demo catalogue loads once, on an empty store, through the API.

use axum::http::StatusCode;

use crate::both;
use crate::common::{Backend, TestApp};

async fn demo_catalogue_loads_once_with_uploaded_files(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, key) = plateau::cli::demo::load(&t.app)
        .await
        .unwrap()
        .expect("loaded on an empty store");
    let r = t.get("/api/1/organizations/", None).await;
    assert_eq!(r.json["total"], 3);
    let r = t.get("/api/1/datasets/", None).await;
    assert_eq!(r.json["total"], 6);
    let dataset = &r.json["data"][0];
    let resources = dataset["resources"].as_array().unwrap();
    assert_eq!(resources.len(), 2);
    let file = resources
        .iter()
        .find(|r| r["filetype"] == "file")
        .expect("an uploaded resource");
    let path = file["url"]
        .as_str()
        .unwrap()
        .trim_start_matches(crate::common::BASE_URL);
    let download = t.get(path, None).await;
    assert_eq!(download.status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&download.body).starts_with("date;valeur"));
    assert_eq!(t.get("/api/1/me/", Some(&key)).await.status, StatusCode::OK);
    // A second start on the same store adds nothing.
    assert!(plateau::cli::demo::load(&t.app).await.unwrap().is_none());
    assert_eq!(t.get("/api/1/datasets/", None).await.json["total"], 6);
}

both!(demo_catalogue_loads_once_with_uploaded_files);
