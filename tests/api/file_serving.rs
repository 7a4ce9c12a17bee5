//! `/s/{*key}`: stored files served with validators and byte ranges, never outside the store.

use axum::http::{Method, StatusCode};

use crate::both;
use crate::common::{Backend, TestApp};

const KEY: &str = "resources/a-dataset/20240102-030405/data.csv";

async fn app_with_file(backend: Backend) -> (TestApp, Vec<u8>) {
    let t = TestApp::new(backend).await;
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

async fn file_is_served_with_validators(backend: Backend) {
    let (t, content) = app_with_file(backend).await;
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

async fn replaced_file_changes_its_etag(backend: Backend) {
    let (t, _) = app_with_file(backend).await;
    let before = t.get(&format!("/s/{KEY}"), None).await;
    t.app.files.put(KEY, b"a,b\n".to_vec()).await.unwrap();
    let after = t.get(&format!("/s/{KEY}"), None).await;
    assert_ne!(before.header("etag"), after.header("etag"));
    assert_eq!(after.body, b"a,b\n");
}

async fn ranges_are_served_as_partial_content(backend: Backend) {
    let (t, content) = app_with_file(backend).await;
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

async fn paths_outside_the_store_are_404(backend: Backend) {
    let (t, _) = app_with_file(backend).await;
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

both!(
    file_is_served_with_validators,
    replaced_file_changes_its_etag,
    ranges_are_served_as_partial_content,
    paths_outside_the_store_are_404,
);
