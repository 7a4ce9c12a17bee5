//! `/organizations/{org}/logo/`: multipart uploads and re-crops.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::Value;

use crate::both;
use crate::common::{BASE_URL, Backend, Files, TestApp, TestResponse};
use crate::each_store;
use crate::fixtures::png;
use crate::organizations::{add_member, create_org};
use plateau::domain::organization::OrgRole;

const BOUNDARY: &str = "plateau-test-boundary";

/// A multipart body of `(name, file name, bytes)` parts.
pub fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, filename, bytes) in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match filename {
            Some(filename) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n\
                     Content-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

pub async fn send_multipart(
    t: &TestApp,
    method: Method,
    path: &str,
    key: Option<&str>,
    body: Vec<u8>,
) -> TestResponse {
    let mut builder = Request::builder().method(method).uri(path).header(
        "content-type",
        format!("multipart/form-data; boundary={BOUNDARY}"),
    );
    if let Some(key) = key {
        builder = builder.header("X-API-KEY", key);
    }
    t.send(builder.body(Body::from(body)).expect("request"))
        .await
}

/// Whether the file store holds the file behind a public URL.
async fn stored(t: &TestApp, url: &Value) -> bool {
    let key = url
        .as_str()
        .expect("a URL")
        .strip_prefix(&format!("{BASE_URL}/s/"))
        .expect("a stored file URL");
    t.app
        .files
        .metadata(key)
        .await
        .expect("the store answers")
        .is_some()
}

fn logo_path(org: &Value) -> String {
    format!("/api/1/organizations/{}/logo/", org["id"].as_str().unwrap())
}

async fn admin_uploads_logo_and_previous_files_are_deleted(backend: Backend, files: Files) {
    let t = TestApp::with_files(backend, files).await;
    let (_, key) = t.user_with_key("Ada", "Admin", false).await;
    let org = create_org(&t, &key, "Org").await;
    let image = png(300, 200);
    let body = multipart(&[("file", Some("logo.png"), &image)]);
    let r = send_multipart(&t, Method::POST, &logo_path(&org), Some(&key), body).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    assert_eq!(r.json["success"], true);
    let got = t
        .get(
            &format!("/api/1/organizations/{}/", org["id"].as_str().unwrap()),
            None,
        )
        .await
        .json;
    assert_eq!(got["logo"], r.json["image"]);
    let thumbnail = got["logo_thumbnail"].as_str().unwrap();
    assert!(thumbnail.ends_with("-100.png"), "{thumbnail}");
    let served = t.get(thumbnail.strip_prefix(BASE_URL).unwrap(), None).await;
    assert_eq!(served.status, StatusCode::OK);
    let decoded = image::load_from_memory(&served.body).expect("a PNG thumbnail");
    assert_eq!((decoded.width(), decoded.height()), (100, 100));
    let suggestion = t
        .get("/api/1/organizations/suggest/?q=org", None)
        .await
        .json;
    assert_eq!(suggestion[0]["image_url"], thumbnail);
    let (first_logo, first_thumbnail) = (&got["logo"], &got["logo_thumbnail"]);
    assert!(stored(&t, first_logo).await && stored(&t, first_thumbnail).await);
    let body = multipart(&[("file", Some("logo.png"), &png(50, 50))]);
    let r = send_multipart(&t, Method::POST, &logo_path(&org), Some(&key), body).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_ne!(r.json["image"], got["logo"]);
    assert!(stored(&t, &r.json["image"]).await);
    assert!(
        !stored(&t, first_logo).await,
        "the replaced logo is deleted"
    );
    assert!(
        !stored(&t, first_thumbnail).await,
        "the replaced thumbnail is deleted"
    );
}

async fn admin_recrops_logo_with_bbox(backend: Backend, files: Files) {
    let t = TestApp::with_files(backend, files).await;
    let (_, key) = t.user_with_key("Ada", "Admin", false).await;
    let org = create_org(&t, &key, "Org").await;
    let org_path = format!("/api/1/organizations/{}/", org["id"].as_str().unwrap());
    let bbox_only = multipart(&[("bbox", None, b"10,10,50,50")]);
    let r = send_multipart(&t, Method::PUT, &logo_path(&org), Some(&key), bbox_only).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "no logo to re-crop yet");
    let body = multipart(&[("file", Some("logo.png"), &png(200, 200))]);
    send_multipart(&t, Method::POST, &logo_path(&org), Some(&key), body).await;
    let before = t.get(&org_path, None).await.json;
    let bbox_only = multipart(&[("bbox", None, b"10,10,50,50")]);
    let r = send_multipart(&t, Method::PUT, &logo_path(&org), Some(&key), bbox_only).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    assert_eq!(r.json["image"], before["logo"], "the original is kept");
    let after = t.get(&org_path, None).await.json;
    assert_eq!(after["logo"], before["logo"]);
    assert_ne!(after["logo_thumbnail"], before["logo_thumbnail"]);
    assert!(stored(&t, &after["logo_thumbnail"]).await);
    assert!(!stored(&t, &before["logo_thumbnail"]).await);
    let bad_bbox = multipart(&[("bbox", None, b"1,2,three")]);
    let r = send_multipart(&t, Method::PUT, &logo_path(&org), Some(&key), bad_bbox).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json["errors"]["bbox"].is_array());
}

async fn logo_needs_an_admin_and_an_image(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, admin_key) = t.user_with_key("Ada", "Admin", false).await;
    let (editor, editor_key) = t.user_with_key("Ed", "Editor", false).await;
    let (_, other_key) = t.user_with_key("Oth", "Er", false).await;
    let (_, sysadmin_key) = t.admin().await;
    let org = create_org(&t, &admin_key, "Org").await;
    add_member(&t, org["id"].as_str().unwrap(), &editor.id, OrgRole::Editor).await;
    let image = png(20, 20);
    let upload = || multipart(&[("file", Some("logo.png"), &image)]);
    let path = logo_path(&org);
    for (key, status) in [
        (None, StatusCode::UNAUTHORIZED),
        (Some(editor_key.as_str()), StatusCode::FORBIDDEN),
        (Some(other_key.as_str()), StatusCode::FORBIDDEN),
        (Some(sysadmin_key.as_str()), StatusCode::OK),
    ] {
        let r = send_multipart(&t, Method::POST, &path, key, upload()).await;
        assert_eq!(r.status, status, "{key:?}");
    }
    for method in [Method::POST, Method::PUT] {
        let r = t
            .call(
                method.clone(),
                &path,
                Some(&admin_key),
                None,
                &[("content-type", "application/json")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{method}");
    }
    let text = multipart(&[("file", Some("notes.txt"), b"not an image at all")]);
    let r = send_multipart(&t, Method::POST, &path, Some(&admin_key), text).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json["errors"]["file"].is_array());
    let nothing = multipart(&[("other", None, b"x")]);
    let r = send_multipart(&t, Method::POST, &path, Some(&admin_key), nothing).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json["errors"]["file"].is_array());
    let r = send_multipart(
        &t,
        Method::POST,
        "/api/1/organizations/nope/logo/",
        Some(&admin_key),
        upload(),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

each_store!(
    admin_uploads_logo_and_previous_files_are_deleted,
    admin_recrops_logo_with_bbox,
);
both!(logo_needs_an_admin_and_an_image);
