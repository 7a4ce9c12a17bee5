//! Two nodes of one deployment: two full apps (each its own data dir and search indexes) on
//! one PostgreSQL database and one bucket. What is written through one is read through the
//! other: JSON, file bytes, thumbnails, chunked uploads whose parts reached either node.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{HeaderValue, Request, StatusCode};
use serde_json::json;

use crate::common::{Backend, Files, TestApp, TestConfig, TestResponse, s3};
use crate::dataset_uploads::{csv, local, upload};
use crate::datasets::{create_dataset, dataset_path};
use crate::fixtures::{FormPart, multipart_post, png};
use crate::organizations::create_org;

fn with_key(mut request: Request<Body>, key: &str) -> Request<Body> {
    request
        .headers_mut()
        .insert("X-API-KEY", HeaderValue::from_str(key).expect("a header"));
    request
}

/// One part of a chunked upload of three parts, or (without `part`) the final call.
async fn chunk(
    t: &TestApp,
    path: &str,
    key: &str,
    part: Option<(usize, &[u8])>,
    chunksize: usize,
) -> TestResponse {
    let index;
    let chunksize = chunksize.to_string();
    let mut form = vec![
        FormPart::Text("uuid", "8d3c2a1e-0f4b-4d5e-9a6b-7c8d9e0f1a2b"),
        FormPart::Text("filename", "parts.csv"),
        FormPart::Text("totalparts", "3"),
    ];
    if let Some((i, bytes)) = part {
        index = i.to_string();
        form.extend([
            FormPart::Text("partindex", &index),
            FormPart::Text("chunksize", &chunksize),
            FormPart::File("file", "blob", bytes),
        ]);
    }
    t.send(with_key(multipart_post(path, &form), key)).await
}

fn file_path(url: &serde_json::Value) -> String {
    local(url.as_str().expect("a file URL"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_share_one_database_and_one_bucket() {
    if s3::server().is_none() {
        return;
    }
    let config = TestConfig {
        files: Files::S3,
        ..TestConfig::default()
    };
    let a = TestApp::with_config(Backend::Postgres, config).await;
    let b = a.another_app().await;
    let (_, admin) = a.admin().await;
    let (jane, key) = a.user_with_key("Jane", "Doe", false).await;

    // A dataset written through A is served by B.
    let d = create_dataset(&a, &key, json!({"title": "Shared", "description": "d"})).await;
    let served = b.get(&dataset_path(&d), None).await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(served.json["title"], "Shared");

    // A resource uploaded through A: its bytes, validators and ranges through B.
    let bytes = csv(2_000);
    let r = upload(
        &a,
        &format!("{}upload/", dataset_path(&d)),
        Some(&key),
        "data.csv",
        &bytes,
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
    let resource_file = file_path(&r.json["url"]);
    let from_a = a.get(&resource_file, None).await;
    let from_b = b.get(&resource_file, None).await;
    assert_eq!(from_b.status, StatusCode::OK);
    assert_eq!(from_b.body, bytes);
    assert_eq!(from_b.header("content-type"), Some("text/csv"));
    assert_eq!(
        from_b.header("etag"),
        from_a.header("etag"),
        "one ETag on every node"
    );
    let etag = from_b.header("etag").expect("an ETag").to_owned();
    let r = b
        .call(
            axum::http::Method::GET,
            &resource_file,
            None,
            None,
            &[("if-none-match", &etag)],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_MODIFIED);
    let r = b
        .call(
            axum::http::Method::GET,
            &resource_file,
            None,
            None,
            &[("range", "bytes=5-14,-3")],
        )
        .await;
    assert_eq!(r.status, StatusCode::PARTIAL_CONTENT);
    let boundary = r
        .header("content-type")
        .and_then(|v| v.strip_prefix("multipart/byteranges; boundary="))
        .expect("multipart/byteranges")
        .to_owned();
    let body = String::from_utf8_lossy(&r.body).into_owned();
    assert!(body.contains(&String::from_utf8_lossy(&bytes[5..15]).into_owned()));
    assert!(body.ends_with(&format!("--{boundary}--\r\n")));

    // A chunked upload whose parts reach A and B, assembled by B.
    let content = csv(3_000);
    let size = content.len().div_ceil(3);
    let parts: Vec<&[u8]> = content.chunks(size).collect();
    let path = format!("{}upload/", dataset_path(&d));
    for (i, node) in [(0, &a), (1, &b), (2, &a)] {
        let r = chunk(node, &path, &key, Some((i, parts[i])), size).await;
        assert_eq!(r.status, StatusCode::OK, "part {i}: {:?}", r.json);
    }
    let r = chunk(&b, &path, &key, None, size).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
    let assembled = file_path(&r.json["url"]);
    assert_eq!(a.get(&assembled, None).await.body, content);
    assert_eq!(b.get(&assembled, None).await.body, content);

    // An organization logo written through A: the organization and its thumbnail through B.
    let org = create_org(&a, &key, "Shared Org").await;
    let org_id = org["id"].as_str().unwrap();
    let r = a
        .send(crate::fixtures::upload(
            &format!("/api/1/organizations/{org_id}/logo/"),
            Some(&key),
            &png(300, 200),
            None,
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    let org_b = b
        .get(&format!("/api/1/organizations/{org_id}/"), None)
        .await
        .json;
    assert_eq!(org_b["logo"], r.json["image"]);
    let thumbnail = b.get(&file_path(&org_b["logo_thumbnail"]), None).await;
    assert_eq!(thumbnail.status, StatusCode::OK);
    let decoded = image::load_from_memory(&thumbnail.body).expect("a PNG thumbnail");
    assert_eq!((decoded.width(), decoded.height()), (100, 100));
    assert_eq!(
        b.get(&file_path(&org_b["logo"]), None).await.body,
        png(300, 200)
    );

    // A user avatar written through A, read through B.
    let r = a
        .send(crate::fixtures::upload(
            &format!("/api/1/users/{}/avatar/", jane.id),
            Some(&admin),
            &png(64, 64),
            None,
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    let profile = b
        .get(&format!("/api/1/users/{}/", jane.id), None)
        .await
        .json;
    assert_eq!(profile["avatar"], r.json["image"]);
    let avatar = b.get(&file_path(&profile["avatar_thumbnail"]), None).await;
    assert_eq!(avatar.status, StatusCode::OK);
    image::load_from_memory(&avatar.body).expect("a PNG avatar thumbnail");

    // An update through B is seen by A within a second.
    let r = b
        .put(
            &dataset_path(&d),
            Some(&key),
            json!({"title": "Renamed on B"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    let written = Instant::now();
    loop {
        let title = a.get(&dataset_path(&d), None).await.json["title"].clone();
        if title == "Renamed on B" {
            break;
        }
        assert!(
            written.elapsed() < Duration::from_secs(1),
            "A still serves {title}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // A resource deleted through B takes its file with it, for A too.
    let rid = served_resource_id(&a, &d, &resource_file).await;
    let r = b
        .delete(&format!("{}resources/{rid}/", dataset_path(&d)), Some(&key))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.json);
    assert_eq!(
        a.get(&resource_file, None).await.status,
        StatusCode::NOT_FOUND
    );
}

/// The id of the dataset's resource whose file is at `file`.
async fn served_resource_id(t: &TestApp, d: &serde_json::Value, file: &str) -> String {
    let dataset = t.get(&dataset_path(d), None).await.json;
    dataset["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .find(|r| file_path(&r["url"]) == file)
        .and_then(|r| r["id"].as_str())
        .expect("the uploaded resource")
        .to_owned()
}
