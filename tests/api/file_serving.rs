//! `/s/{*key}`: stored files served with validators and byte ranges, never outside the store.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::common::{Backend, Files, TestApp, TestResponse};
use crate::dataset_uploads::{csv, local, upload};
use crate::datasets::{create_dataset, dataset_path};
use crate::each_store;

const KEY: &str = "resources/a-dataset/20240102-030405/data.csv";

async fn app_with_file(backend: Backend, files: Files) -> (TestApp, Vec<u8>) {
    let t = TestApp::with_files(backend, files).await;
    let content: Vec<u8> = (0..1000u32)
        .flat_map(|i| format!("{i}\n").into_bytes())
        .collect();
    t.app.files.put(KEY, content.clone()).await.expect("put");
    (t, content)
}

async fn get_with(
    t: &TestApp,
    path: &str,
    headers: &[(&str, &str)],
) -> crate::common::TestResponse {
    t.call(Method::GET, path, None, None, headers).await
}

async fn file_is_served_with_validators(backend: Backend, files: Files) {
    let (t, content) = app_with_file(backend, files).await;
    let r = t.get(&format!("/s/{KEY}"), None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body, content);
    assert_eq!(r.header("content-type"), Some("text/csv"));
    assert_eq!(
        r.header("content-length"),
        Some(content.len().to_string().as_str())
    );
    assert_eq!(r.header("accept-ranges"), Some("bytes"));
    assert!(r.header("last-modified").is_some());
    let etag = r.header("etag").expect("an ETag").to_owned();
    assert!(etag.starts_with('"') && !etag.starts_with("W/"), "{etag}");

    let r = get_with(&t, &format!("/s/{KEY}"), &[("if-none-match", &etag)]).await;
    assert_eq!(r.status, StatusCode::NOT_MODIFIED);
    assert!(r.body.is_empty());
    assert_eq!(r.header("etag"), Some(etag.as_str()));

    let r = get_with(&t, &format!("/s/{KEY}"), &[("if-none-match", "\"other\"")]).await;
    assert_eq!(r.status, StatusCode::OK);
}

async fn replaced_file_changes_its_etag(backend: Backend, files: Files) {
    let (t, _) = app_with_file(backend, files).await;
    let before = t.get(&format!("/s/{KEY}"), None).await;
    t.app.files.put(KEY, b"a,b\n".to_vec()).await.unwrap();
    let after = t.get(&format!("/s/{KEY}"), None).await;
    assert_ne!(before.header("etag"), after.header("etag"));
    assert_eq!(after.body, b"a,b\n");
}

async fn ranges_are_served_as_partial_content(backend: Backend, files: Files) {
    let (t, content) = app_with_file(backend, files).await;
    let size = content.len();
    let path = format!("/s/{KEY}");
    let r = get_with(&t, &path, &[("range", "bytes=10-19")]).await;
    assert_eq!(r.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(r.body, content[10..20]);
    assert_eq!(
        r.header("content-range"),
        Some(format!("bytes 10-19/{size}").as_str())
    );
    assert_eq!(r.header("content-length"), Some("10"));

    let r = get_with(&t, &path, &[("range", "bytes=-5")]).await;
    assert_eq!(r.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(r.body, content[size - 5..]);

    let r = get_with(&t, &path, &[("range", &format!("bytes={size}-"))]).await;
    assert_eq!(r.status, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(
        r.header("content-range"),
        Some(format!("bytes */{size}").as_str())
    );

    // A stale If-Range gets the whole, current file.
    let r = get_with(
        &t,
        &path,
        &[("range", "bytes=0-9"), ("if-range", "\"stale\"")],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body.len(), size);
}

/// A file uploaded through the API: its path under `/s/` and its content.
async fn uploaded_file(t: &TestApp) -> (String, Vec<u8>) {
    let (_, key) = t.user_with_key("Ada", "Lovelace", false).await;
    let d = create_dataset(t, &key, json!({"title": "Ranges", "description": "d"})).await;
    let content = csv(2_000);
    let path = format!("{}upload/", dataset_path(&d));
    let r = upload(t, &path, Some(&key), "data.csv", &content).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
    (local(r.json["url"].as_str().expect("a URL")), content)
}

/// One part of a `multipart/byteranges` body: its headers (names lowercased) and bytes.
#[derive(Debug)]
struct Part {
    headers: Vec<(String, String)>,
    bytes: Vec<u8>,
}

impl Part {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

/// The parts of a `multipart/byteranges` response, read as RFC 2046 describes them.
fn byteranges(r: &TestResponse) -> Vec<Part> {
    let content_type = r.header("content-type").expect("a content type");
    let boundary = content_type
        .strip_prefix("multipart/byteranges; boundary=")
        .unwrap_or_else(|| panic!("not multipart/byteranges: {content_type}"));
    let delimiter = format!("--{boundary}").into_bytes();
    let body = &r.body;
    let mut at = find(body, &delimiter, 0).expect("a first delimiter") + delimiter.len();
    let mut parts = Vec::new();
    while !body[at..].starts_with(b"--") {
        assert!(body[at..].starts_with(b"\r\n"), "CRLF after a delimiter");
        let head_end = find(body, b"\r\n\r\n", at).expect("the end of a part's headers");
        let headers = String::from_utf8(body[at + 2..head_end].to_vec())
            .expect("UTF-8 headers")
            .split("\r\n")
            .map(|line| {
                let (name, value) = line.split_once(':').expect("a header line");
                (name.trim().to_lowercase(), value.trim().to_owned())
            })
            .collect();
        let start = head_end + 4;
        let mut next_delimiter = b"\r\n".to_vec();
        next_delimiter.extend(&delimiter);
        let end = find(body, &next_delimiter, start).expect("a closing delimiter");
        parts.push(Part {
            headers,
            bytes: body[start..end].to_vec(),
        });
        at = end + next_delimiter.len();
    }
    assert_eq!(&body[at..], b"--\r\n", "the close delimiter ends the body");
    parts
}

async fn several_ranges_are_served_as_multipart_byteranges(backend: Backend, files: Files) {
    let t = TestApp::with_files(backend, files).await;
    let (path, content) = uploaded_file(&t).await;
    let size = content.len();

    let r = get_with(&t, &path, &[("range", "bytes=0-9,20-29,-5")]).await;
    assert_eq!(r.status, StatusCode::PARTIAL_CONTENT);
    assert!(r.header("content-range").is_none());
    assert_eq!(
        r.header("content-length"),
        Some(r.body.len().to_string().as_str())
    );
    let parts = byteranges(&r);
    let expected = [(0, 9), (20, 29), (size - 5, size - 1)];
    assert_eq!(parts.len(), expected.len(), "{parts:?}");
    for (part, (first, last)) in parts.iter().zip(expected) {
        assert_eq!(part.header("content-type"), Some("text/csv"));
        assert_eq!(
            part.header("content-range"),
            Some(format!("bytes {first}-{last}/{size}").as_str())
        );
        assert_eq!(part.bytes, content[first..=last]);
    }

    // Ranges past the end are dropped; overlapping ones are merged into one part.
    let r = get_with(
        &t,
        &path,
        &[("range", &format!("bytes=100-199,150-249,{size}-"))],
    )
    .await;
    assert_eq!(r.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        r.header("content-range"),
        Some(format!("bytes 100-249/{size}").as_str())
    );
    assert_eq!(r.body, content[100..250]);

    // A current If-Range keeps the ranges; a stale one gets the whole file.
    let etag = t
        .get(&path, None)
        .await
        .header("etag")
        .expect("an ETag")
        .to_owned();
    let r = get_with(
        &t,
        &path,
        &[("range", "bytes=0-1,4-5"), ("if-range", &etag)],
    )
    .await;
    assert_eq!(r.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(byteranges(&r).len(), 2);
    let r = get_with(
        &t,
        &path,
        &[("range", "bytes=0-1,4-5"), ("if-range", "\"stale\"")],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body, content);

    // More ranges than a response may hold: the whole file.
    let many: Vec<String> = (0..20).map(|i| format!("{0}-{0}", i * 10)).collect();
    let r = get_with(
        &t,
        &path,
        &[("range", &format!("bytes={}", many.join(",")))],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body, content);
}

async fn unsatisfiable_ranges_are_416_and_one_range_is_one_part(backend: Backend, files: Files) {
    let t = TestApp::with_files(backend, files).await;
    let (path, content) = uploaded_file(&t).await;
    let size = content.len();
    let past_end = format!("bytes={size}-,{}-{}", size + 10, size + 20);
    let r = get_with(&t, &path, &[("range", &past_end)]).await;
    assert_eq!(r.status, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(
        r.header("content-range"),
        Some(format!("bytes */{size}").as_str())
    );
    assert!(r.body.is_empty());

    let r = get_with(&t, &path, &[("range", "bytes=10-19")]).await;
    assert_eq!(r.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(r.header("content-type"), Some("text/csv"));
    assert_eq!(
        r.header("content-range"),
        Some(format!("bytes 10-19/{size}").as_str())
    );
    assert_eq!(r.body, content[10..20]);
}

async fn paths_outside_the_store_are_404(backend: Backend, files: Files) {
    let (t, _) = app_with_file(backend, files).await;
    std::fs::write(t.dir.path().join("outside.txt"), "secret").unwrap();
    std::fs::create_dir_all(t.dir.path().join("files/.staging")).unwrap();
    std::fs::write(t.dir.path().join("files/.staging/x.csv"), "half").unwrap();
    for path in [
        "/s/..%2Foutside.txt",
        "/s/resources/..%2F..%2Foutside.txt",
        "/s/%2E%2E/outside.txt",
        "/s/.staging/x.csv",
        "/s/resources/a-dataset",
        "/s/resources/a-dataset/20240102-030405/missing.csv",
    ] {
        let r = t.get(path, None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert_ne!(r.body, b"secret", "{path}");
    }
}

each_store!(
    file_is_served_with_validators,
    replaced_file_changes_its_etag,
    ranges_are_served_as_partial_content,
    several_ranges_are_served_as_multipart_byteranges,
    unsatisfiable_ranges_are_416_and_one_range_is_one_part,
    paths_outside_the_store_are_404,
);
