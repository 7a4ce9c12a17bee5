//! The upload endpoints of datasets and community resources through the real router: files
//! stored, served back under `/s/`, replaced (the old file deleted), chunked, refused.

use axum::body::Body;
use axum::http::{HeaderValue, Request, StatusCode};
use serde_json::{Value, json};
use sha1::{Digest, Sha1};

use crate::both;
use crate::common::{BASE_URL, Backend, Files, TestApp, TestConfig, TestResponse};
use crate::datasets::{create_dataset, dataset_path};
use crate::each_store;
use crate::fixtures::{FormPart, multipart_post};
use crate::organizations::{add_member, create_org};
use plateau::domain::organization::OrgRole;

fn with_key(mut request: Request<Body>, key: Option<&str>) -> Request<Body> {
    if let Some(key) = key {
        request
            .headers_mut()
            .insert("X-API-KEY", HeaderValue::from_str(key).unwrap());
    }
    request
}

pub async fn upload(
    t: &TestApp,
    path: &str,
    key: Option<&str>,
    name: &str,
    bytes: &[u8],
) -> TestResponse {
    t.send(with_key(
        multipart_post(path, &[FormPart::File("file", name, bytes)]),
        key,
    ))
    .await
}

fn sha1_hex(bytes: &[u8]) -> String {
    Sha1::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The router path of a public file URL.
pub fn local(url: &str) -> String {
    url.strip_prefix(BASE_URL)
        .expect("a URL of this server")
        .to_owned()
}

pub fn csv(rows: usize) -> Vec<u8> {
    let mut out = b"id;name;value\n".to_vec();
    for i in 0..rows {
        out.extend_from_slice(format!("{i};name {i};{}\n", i * 7).as_bytes());
    }
    out
}

async fn an_uploaded_csv_becomes_a_served_resource(backend: Backend, files: Files) {
    let t = TestApp::with_files(backend, files).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let d = create_dataset(
        &t,
        &key,
        json!({"title": "Air quality", "description": "d"}),
    )
    .await;
    let path = format!("{}upload/", dataset_path(&d));
    let bytes = csv(50);
    let r = upload(&t, &path, Some(&key), "Mesures 2024.csv", &bytes).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
    let res = r.json;
    assert_eq!(res["success"], true);
    assert_eq!(res["filetype"], "file");
    assert_eq!(res["type"], "main");
    assert_eq!(res["format"], "csv");
    assert_eq!(res["filesize"], bytes.len());
    assert_eq!(
        res["checksum"],
        json!({"type": "sha1", "value": sha1_hex(&bytes)})
    );
    assert!(res["mime"].as_str().unwrap().contains("csv") || res["mime"] == "text/plain");
    let title = res["title"].as_str().unwrap();
    assert!(title.ends_with(".csv"), "{title}");
    let url = res["url"].as_str().unwrap();
    assert!(
        url.starts_with(&format!("{BASE_URL}/s/resources/air-quality/")),
        "{url}"
    );
    assert!(res["last_modified"].is_string());

    let served = t.get(&dataset_path(&d), None).await.json;
    let listed = &served["resources"][0];
    assert_eq!(listed["id"], res["id"]);
    assert_eq!(listed["url"], res["url"]);
    let file = t.get(&local(url), None).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.body, bytes);
    assert_eq!(sha1_hex(&file.body), res["checksum"]["value"]);

    // Three megabytes, streamed.
    let big = csv(135_000);
    assert!(big.len() > 3 * 1024 * 1024, "{}", big.len());
    let r = upload(&t, &path, Some(&key), "big.csv", &big).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
    assert_eq!(r.json["filesize"], big.len());
    let file = t.get(&local(r.json["url"].as_str().unwrap()), None).await;
    assert_eq!(sha1_hex(&file.body), sha1_hex(&big));

    // Deleting the resource deletes its file.
    let rid = r.json["id"].as_str().unwrap();
    let del = t
        .delete(&format!("{}resources/{rid}/", dataset_path(&d)), Some(&key))
        .await;
    assert_eq!(del.status, StatusCode::NO_CONTENT);
    let gone = t.get(&local(r.json["url"].as_str().unwrap()), None).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
}
each_store!(an_uploaded_csv_becomes_a_served_resource);

async fn refused_uploads(backend: Backend) {
    let t = TestApp::with_config(
        backend,
        TestConfig {
            max_upload_size: 64 * 1024,
            ..Default::default()
        },
    )
    .await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let d = create_dataset(&t, &key, json!({"title": "T", "description": "d"})).await;
    let path = format!("{}upload/", dataset_path(&d));
    let r = upload(&t, &path, Some(&key), "setup.exe", b"MZ\x90\0").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.json);
    assert!(
        r.json["message"]
            .as_str()
            .unwrap()
            .contains("/datasets/extensions/")
    );
    let html = b"<!DOCTYPE html><html><head><title>x</title></head><body>hi</body></html>";
    let r = upload(&t, &path, Some(&key), "page.csv", html).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{:?}", r.json);
    let r = upload(&t, &path, Some(&key), "big.csv", &csv(10_000)).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{:?}", r.json);
    let r = t.post(&path, Some(&key), json!({"file": "x"})).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{:?}", r.json);
    let served = t.get(&dataset_path(&d), None).await.json;
    assert_eq!(served["resources"], json!([]));
}
both!(refused_uploads);

async fn a_chunked_upload_makes_one_resource(backend: Backend, files: Files) {
    let t = TestApp::with_files(backend, files).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let d = create_dataset(&t, &key, json!({"title": "T", "description": "d"})).await;
    let path = format!("{}upload/", dataset_path(&d));
    let bytes = csv(3000);
    let chunk = bytes.len().div_ceil(3);
    let uuid = "0b5cf0a4-9b1e-4c56-8a43-2ddf6b1a7e10";
    let chunksize = chunk.to_string();
    for (i, part) in bytes.chunks(chunk).enumerate() {
        let (index, offset) = (i.to_string(), (i * chunk).to_string());
        let r = t
            .send(with_key(
                multipart_post(
                    &path,
                    &[
                        FormPart::Text("uuid", uuid),
                        FormPart::Text("filename", "parts.csv"),
                        FormPart::Text("partindex", &index),
                        FormPart::Text("partbyteoffset", &offset),
                        FormPart::Text("totalparts", "3"),
                        FormPart::Text("chunksize", &chunksize),
                        FormPart::File("file", "blob", part),
                    ],
                ),
                Some(&key),
            ))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
        assert_eq!(r.json, json!({"success": true}));
    }
    let r = t
        .send(with_key(
            multipart_post(
                &path,
                &[
                    FormPart::Text("uuid", uuid),
                    FormPart::Text("filename", "parts.csv"),
                    FormPart::Text("totalparts", "3"),
                ],
            ),
            Some(&key),
        ))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
    assert_eq!(r.json["title"], "parts.csv");
    assert_eq!(r.json["checksum"]["value"], sha1_hex(&bytes));
    let file = t.get(&local(r.json["url"].as_str().unwrap()), None).await;
    assert_eq!(file.body, bytes);
    let served = t.get(&dataset_path(&d), None).await.json;
    assert_eq!(served["resources"].as_array().unwrap().len(), 1);
}
each_store!(a_chunked_upload_makes_one_resource);

async fn replacing_a_file_deletes_the_old_one(backend: Backend, files: Files) {
    let t = TestApp::with_files(backend, files).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let d = create_dataset(&t, &key, json!({"title": "T", "description": "d"})).await;
    let first = upload(
        &t,
        &format!("{}upload/", dataset_path(&d)),
        Some(&key),
        "a.csv",
        &csv(5),
    )
    .await;
    assert_eq!(first.status, StatusCode::CREATED);
    let rid = first.json["id"].as_str().unwrap();
    let old_url = first.json["url"].as_str().unwrap();
    let replace = format!("{}resources/{rid}/upload/", dataset_path(&d));
    let new_bytes = csv(9);
    let r = upload(&t, &replace, Some(&key), "b.csv", &new_bytes).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    assert_eq!(r.json["id"], rid);
    assert_eq!(r.json["success"], true);
    assert_eq!(r.json["title"], "b.csv");
    assert_eq!(r.json["checksum"]["value"], sha1_hex(&new_bytes));
    assert_ne!(r.json["url"], old_url);
    assert_eq!(
        t.get(&local(old_url), None).await.status,
        StatusCode::NOT_FOUND
    );
    let file = t.get(&local(r.json["url"].as_str().unwrap()), None).await;
    assert_eq!(file.body, new_bytes);
    let one = t
        .get(&format!("{}resources/{rid}/", dataset_path(&d)), None)
        .await
        .json;
    assert_eq!(one["url"], r.json["url"]);
    assert_eq!(one["filesize"], new_bytes.len());

    // A remote resource has no file to replace.
    let remote = t
        .post(
            &format!("{}resources/", dataset_path(&d)),
            Some(&key),
            json!({"title": "r", "url": "https://example.org/r.csv", "filetype": "remote"}),
        )
        .await
        .json;
    let path = format!(
        "{}resources/{}/upload/",
        dataset_path(&d),
        remote["id"].as_str().unwrap()
    );
    let r = upload(&t, &path, Some(&key), "c.csv", &csv(2)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}
each_store!(replacing_a_file_deletes_the_old_one);

async fn who_may_upload(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, admin_key) = t.user_with_key("Org", "Admin", false).await;
    let (editor, editor_key) = t.user_with_key("Ed", "Itor", false).await;
    let (_, other_key) = t.user_with_key("Oth", "Er", false).await;
    let (_, sysadmin) = t.admin().await;
    let org = create_org(&t, &admin_key, "Producer").await;
    add_member(&t, org["id"].as_str().unwrap(), &editor.id, OrgRole::Editor).await;
    let d = create_dataset(
        &t,
        &admin_key,
        json!({"title": "Org data", "description": "d", "organization": org["id"]}),
    )
    .await;
    let path = format!("{}upload/", dataset_path(&d));
    let bytes = csv(3);
    assert_eq!(
        upload(&t, &path, None, "a.csv", &bytes).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        upload(&t, &path, Some(&other_key), "a.csv", &bytes)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        upload(&t, &path, Some(&editor_key), "a.csv", &bytes)
            .await
            .status,
        StatusCode::CREATED
    );
    let r = upload(&t, &path, Some(&sysadmin), "a.csv", &bytes).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let rid = r.json["id"].as_str().unwrap();
    let replace = format!("{}resources/{rid}/upload/", dataset_path(&d));
    assert_eq!(
        upload(&t, &replace, None, "b.csv", &bytes).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        upload(&t, &replace, Some(&other_key), "b.csv", &bytes)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        upload(&t, &replace, Some(&editor_key), "b.csv", &bytes)
            .await
            .status,
        StatusCode::OK
    );
    // Nothing was stored for the refused requests: four files in all, one replaced.
    let served = t.get(&dataset_path(&d), None).await.json;
    assert_eq!(served["resources"].as_array().unwrap().len(), 2);
}
both!(who_may_upload);

async fn community_resource_uploads(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, owner_key) = t.user_with_key("Ada", "Lovelace", false).await;
    let (user, key) = t.user_with_key("Com", "Munity", false).await;
    let (_, other_key) = t.user_with_key("Oth", "Er", false).await;
    let (_, sysadmin) = t.admin().await;
    let d = create_dataset(&t, &owner_key, json!({"title": "T", "description": "d"})).await;
    let path = format!("{}upload/community/", dataset_path(&d));
    let bytes = csv(4);
    assert_eq!(
        upload(&t, &path, None, "c.csv", &bytes).await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = upload(&t, &path, Some(&key), "c.csv", &bytes).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
    assert_eq!(r.json["success"], true);
    assert_eq!(r.json["filetype"], "file");
    assert_eq!(r.json["owner"]["id"], user.id);
    assert_eq!(r.json["dataset"]["id"], d["id"]);
    let id = r.json["id"].as_str().unwrap().to_owned();
    let old_url = r.json["url"].as_str().unwrap().to_owned();
    assert_eq!(t.get(&local(&old_url), None).await.body, bytes);

    let replace = format!("/api/1/datasets/community_resources/{id}/upload/");
    assert_eq!(
        upload(&t, &replace, None, "d.csv", &bytes).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        upload(&t, &replace, Some(&other_key), "d.csv", &bytes)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let new_bytes = csv(8);
    let r = upload(&t, &replace, Some(&key), "d.csv", &new_bytes).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    assert_eq!(r.json["checksum"]["value"], sha1_hex(&new_bytes));
    assert_eq!(
        t.get(&local(&old_url), None).await.status,
        StatusCode::NOT_FOUND
    );
    let r = upload(&t, &replace, Some(&sysadmin), "e.csv", &new_bytes).await;
    assert_eq!(r.status, StatusCode::OK);
    let url = r.json["url"].as_str().unwrap().to_owned();
    let got: Value = t
        .get(&format!("/api/1/datasets/community_resources/{id}/"), None)
        .await
        .json;
    assert_eq!(got["url"], url);

    let del = t
        .delete(
            &format!("/api/1/datasets/community_resources/{id}/"),
            Some(&key),
        )
        .await;
    assert_eq!(del.status, StatusCode::NO_CONTENT);
    assert_eq!(
        t.get(&local(&url), None).await.status,
        StatusCode::NOT_FOUND
    );
}
both!(community_resource_uploads);

/// A bucket that stops answering: the upload is a 503 saying so, and no resource is made.
async fn an_unavailable_bucket_answers_503() {
    let Some(server) = crate::common::s3::server() else {
        return;
    };
    let t = TestApp::with_files(Backend::Sqlite, Files::S3).await;
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let d = create_dataset(&t, &key, json!({"title": "Seau", "description": "d"})).await;
    let bucket = t.bucket.as_ref().expect("an S3 test");
    let gone = reqwest::Client::new()
        .delete(format!("{}/{}", server.endpoint, bucket.bucket))
        .send()
        .await
        .expect("the S3 server answers");
    assert!(
        gone.status().is_success(),
        "delete bucket: {}",
        gone.status()
    );
    let path = format!("{}upload/", dataset_path(&d));
    let r = upload(&t, &path, Some(&key), "mesures.csv", &csv(5)).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{:?}", r.json);
    assert!(r.json["message"].as_str().unwrap().contains("file storage"));
    let r = t.get(&dataset_path(&d), None).await;
    assert_eq!(r.json["resources"], json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unavailable_bucket_answers_503_on_sqlite() {
    an_unavailable_bucket_answers_503().await
}
