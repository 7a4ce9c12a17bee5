//! The resource upload pipeline (`plateau::api::files::upload`) behind a small router shaped like
//! the dataset upload endpoints, so requests go through real multipart parsing and body limits;
//! stored files are then read back through `/s/`.

use axum::Router;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use sha1::{Digest, Sha1};
use tower::ServiceExt;

use crate::both;
use crate::common::{BASE_URL, Backend, TestApp, TestConfig, TestResponse};
use crate::fixtures::{FormPart, multipart_post};
use plateau::api::files::upload::{chunk_received, not_multipart};
use plateau::api::files::{UploadOutcome, receive_resource_upload};
use plateau::api::state::AppState;

/// Largest file the test endpoint accepts (below the request body limit, so the pipeline's own
/// limit is what refuses).
const FILE_LIMIT: u64 = 6 * 1024 * 1024;

async fn upload(
    State(app): State<AppState>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let multipart = match multipart {
        Ok(multipart) => multipart,
        Err(rejection) => return not_multipart(rejection).into_response(),
    };
    let extensions_url = app.api_url("/datasets/extensions/");
    match receive_resource_upload(
        &app.files,
        multipart,
        "My Dataset",
        FILE_LIMIT,
        &extensions_url,
    )
    .await
    {
        Ok(UploadOutcome::Stored(file)) => (
            StatusCode::CREATED,
            axum::Json(json!({
                "key": file.key, "fs_filename": file.fs_filename, "url": file.url,
                "filename": file.filename, "size": file.size, "sha1": file.sha1,
                "mime": file.mime, "format": file.format,
            })),
        )
            .into_response(),
        Ok(UploadOutcome::ChunkReceived) => chunk_received(),
        Err(e) => e.into_response(),
    }
}

async fn send(t: &TestApp, request: Request<axum::body::Body>) -> TestResponse {
    let router = Router::new()
        .route("/upload/", post(upload))
        .layer(DefaultBodyLimit::max(t.app.settings.max_upload_size))
        .with_state(t.app.clone());
    let response = router.oneshot(request).await.expect("answer");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    TestResponse {
        status,
        json: serde_json::from_slice(&body).unwrap_or(Value::Null),
        headers,
        body: body.to_vec(),
    }
}

/// Regular files under the store, bookkeeping included.
fn stored_files(t: &TestApp) -> Vec<std::path::PathBuf> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&t.dir.path().join("files"), &mut out);
    out
}

fn sha1_hex(bytes: &[u8]) -> String {
    hex::encode(Sha1::digest(bytes))
}

/// Five megabytes of CSV-looking text.
fn big_csv() -> Vec<u8> {
    let mut csv = b"id,value\n".to_vec();
    let mut i = 0u64;
    while csv.len() < 5 * 1024 * 1024 {
        csv.extend_from_slice(format!("{i},{}\n", i.wrapping_mul(2654435761) % 1000).as_bytes());
        i += 1;
    }
    csv
}

async fn multi_megabyte_upload_is_streamed_with_its_sha1(backend: Backend) {
    let t = TestApp::new(backend).await;
    let csv = big_csv();
    let r = send(
        &t,
        multipart_post(
            "/upload/",
            &[FormPart::File("file", "Données 2024 (v2).CSV", &csv)],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
    assert_eq!(r.json["sha1"], sha1_hex(&csv));
    assert_eq!(r.json["size"], csv.len() as u64);
    assert_eq!(r.json["filename"], "donnees-2024-v2-.csv");
    assert_eq!(r.json["format"], "csv");
    assert_eq!(r.json["mime"], "text/csv");
    let key = r.json["key"].as_str().unwrap();
    let parts: Vec<&str> = key.split('/').collect();
    assert_eq!(parts[0..2], ["resources", "my-dataset"]);
    assert_eq!(parts[2].len(), "20240101-120000".len());
    assert_eq!(r.json["fs_filename"], key.trim_start_matches("resources/"));
    assert_eq!(r.json["url"], format!("{BASE_URL}/s/{key}"));
    // Served back whole, streamed.
    let served = t.get(&format!("/s/{key}"), None).await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(sha1_hex(&served.body), sha1_hex(&csv));
    // Nothing left in staging.
    assert_eq!(stored_files(&t).len(), 1);
}

async fn compound_archive_format_is_kept(backend: Backend) {
    let t = TestApp::new(backend).await;
    let gz = b"\x1f\x8b\x08\0\0\0\0\0\0\x03compressed";
    let r = send(
        &t,
        multipart_post("/upload/", &[FormPart::File("file", "export.csv.gz", gz)]),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
    assert_eq!(r.json["format"], "csv.gz");
    assert_eq!(r.json["mime"], "application/gzip");
}

async fn refused_extension_is_400_on_file(backend: Backend) {
    let t = TestApp::new(backend).await;
    let r = send(
        &t,
        multipart_post(
            "/upload/",
            &[FormPart::File("file", "setup.exe", b"MZ\x90\0")],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let message = r.json["message"].as_str().unwrap();
    assert!(
        message.starts_with("This file type is not allowed."),
        "{message}"
    );
    assert!(message.ends_with(&format!("{BASE_URL}/api/1/datasets/extensions/")));
    assert!(r.json["errors"]["file"].is_array());
    assert!(stored_files(&t).is_empty());
}

async fn html_content_is_415_whatever_its_name(backend: Backend) {
    let t = TestApp::new(backend).await;
    let html = b"\n<!DOCTYPE html>\n<html><body>phishing</body></html>";
    let r = send(
        &t,
        multipart_post("/upload/", &[FormPart::File("file", "data.csv", html)]),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(r.json["message"], "Incorrect file content type: HTML");
    assert!(stored_files(&t).is_empty());
}

async fn file_over_the_limit_is_413_and_nothing_is_left(backend: Backend) {
    let t = TestApp::new(backend).await;
    let big = vec![b'a'; FILE_LIMIT as usize + 1];
    let r = send(
        &t,
        multipart_post("/upload/", &[FormPart::File("file", "big.txt", &big)]),
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{:?}", r.json);
    assert!(stored_files(&t).is_empty(), "{:?}", stored_files(&t));
}

async fn body_over_the_request_limit_is_413_and_nothing_is_left(backend: Backend) {
    let t = TestApp::with_config(
        backend,
        TestConfig {
            max_upload_size: 1024 * 1024,
            ..Default::default()
        },
    )
    .await;
    let big = vec![b'a'; 2 * 1024 * 1024];
    let r = send(
        &t,
        multipart_post("/upload/", &[FormPart::File("file", "big.txt", &big)]),
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{:?}", r.json);
    assert!(stored_files(&t).is_empty(), "{:?}", stored_files(&t));
}

async fn missing_file_is_an_upload_error(backend: Backend) {
    let t = TestApp::new(backend).await;
    let r = send(
        &t,
        multipart_post("/upload/", &[FormPart::Text("filename", "a.csv")]),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.json,
        json!({"success": false, "error": "Missing file parameter"})
    );
}

async fn not_multipart_is_415(backend: Backend) {
    let t = TestApp::new(backend).await;
    let request = Request::post("/upload/")
        .header("content-type", "application/json")
        .body(axum::body::Body::from("{}"))
        .unwrap();
    assert_eq!(
        send(&t, request).await.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
}

/// One part of a chunked upload, sent the way uData's front end (fine-uploader) sends it.
fn chunk(
    uuid: &str,
    index: usize,
    total: usize,
    chunksize: usize,
    bytes: &[u8],
) -> Request<axum::body::Body> {
    let (index_text, total_text, size_text) =
        (index.to_string(), total.to_string(), chunksize.to_string());
    let offset = (index * chunksize).to_string();
    multipart_post(
        "/upload/",
        &[
            FormPart::Text("uuid", uuid),
            FormPart::Text("filename", "Big Export.csv"),
            FormPart::Text("partindex", &index_text),
            FormPart::Text("partbyteoffset", &offset),
            FormPart::Text("totalparts", &total_text),
            FormPart::Text("chunksize", &size_text),
            FormPart::File("file", "blob", bytes),
        ],
    )
}

fn finish(uuid: &str, total: usize) -> Request<axum::body::Body> {
    let total = total.to_string();
    multipart_post(
        "/upload/",
        &[
            FormPart::Text("uuid", uuid),
            FormPart::Text("filename", "Big Export.csv"),
            FormPart::Text("totalparts", &total),
        ],
    )
}

async fn chunked_upload_is_assembled_in_order(backend: Backend) {
    let t = TestApp::new(backend).await;
    let content = big_csv()[..300_000].to_vec();
    let size = 128 * 1024;
    let parts: Vec<&[u8]> = content.chunks(size).collect();
    assert_eq!(parts.len(), 3);
    let uuid = "6a1e3b52-7c0f-4d7e-9d8a-2b4f1c0e9a77";
    // Sent out of order; the last part is shorter and declared with the nominal size.
    for index in [1, 2, 0] {
        let r = send(&t, chunk(uuid, index, parts.len(), size, parts[index])).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
        assert_eq!(r.json, json!({"success": true}));
    }
    let r = send(&t, finish(uuid, parts.len())).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
    assert_eq!(r.json["sha1"], sha1_hex(&content));
    assert_eq!(r.json["size"], content.len() as u64);
    assert_eq!(r.json["filename"], "big-export.csv");
    assert_eq!(r.json["format"], "csv");
    let served = t
        .get(&format!("/s/{}", r.json["key"].as_str().unwrap()), None)
        .await;
    assert_eq!(served.body, content);
    // The parts are gone.
    assert_eq!(stored_files(&t).len(), 1, "{:?}", stored_files(&t));
}

async fn chunk_of_the_wrong_size_is_refused(backend: Backend) {
    let t = TestApp::new(backend).await;
    let r = send(&t, chunk("u1", 0, 3, 100, &[b'x'; 50])).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.json,
        json!({"success": false, "error": "Chunk size mismatch"})
    );
    assert!(stored_files(&t).is_empty());
}

async fn assembling_with_a_missing_part_is_refused(backend: Backend) {
    let t = TestApp::new(backend).await;
    let r = send(&t, chunk("u2", 0, 2, 10, &[b'x'; 10])).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = send(&t, finish("u2", 2)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.json,
        json!({"success": false, "error": "Missing chunk 1"})
    );
    assert!(stored_files(&t).is_empty(), "{:?}", stored_files(&t));
}

async fn unsafe_upload_ids_are_refused(backend: Backend) {
    let t = TestApp::new(backend).await;
    let r = send(&t, chunk("../../etc", 0, 2, 10, &[b'x'; 10])).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json["success"], false);
    assert!(stored_files(&t).is_empty());
}

both!(
    multi_megabyte_upload_is_streamed_with_its_sha1,
    compound_archive_format_is_kept,
    refused_extension_is_400_on_file,
    html_content_is_415_whatever_its_name,
    file_over_the_limit_is_413_and_nothing_is_left,
    body_over_the_request_limit_is_413_and_nothing_is_left,
    missing_file_is_an_upload_error,
    not_multipart_is_415,
    chunked_upload_is_assembled_in_order,
    chunk_of_the_wrong_size_is_refused,
    assembling_with_a_missing_part_is_refused,
    unsafe_upload_ids_are_refused,
);
