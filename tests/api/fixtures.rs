//! Test data for the users and me areas: images, multipart uploads, organizations.

use axum::body::Body;
use axum::http::{Method, Request};

use crate::common::TestApp;
use plateau::domain::organization::OrganizationInput;
use plateau::domain::{ids, time};

/// A PNG image of the given size.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut out, image::ImageFormat::Png)
        .expect("encode png");
    out.into_inner()
}

/// A multipart POST with a `file` part (and an optional `bbox` part).
pub fn upload(path: &str, key: Option<&str>, file: &[u8], bbox: Option<&str>) -> Request<Body> {
    let boundary = "plateau-test-boundary";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\
             Content-Type: image/png\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(b"\r\n");
    if let Some(bbox) = bbox {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"bbox\"\r\n\r\n{bbox}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let mut builder = Request::builder().method(Method::POST).uri(path).header(
        "content-type",
        format!("multipart/form-data; boundary={boundary}"),
    );
    if let Some(key) = key {
        builder = builder.header("X-API-KEY", key);
    }
    builder.body(Body::from(body)).expect("request")
}

/// Creates an organization whose first admin is `creator_id`.
pub async fn organization(t: &TestApp, name: &str, creator_id: &str) -> String {
    let input = OrganizationInput {
        name: Some(name.into()),
        description: Some("An organization.".into()),
        ..Default::default()
    };
    let org = input.create(ids::object_id(), String::new(), time::now());
    t.store()
        .create_organization(org, creator_id)
        .await
        .expect("create organization")
        .id
}

/// One part of a multipart form: a text field, or a file with its client-side name.
pub enum FormPart<'a> {
    Text(&'a str, &'a str),
    File(&'a str, &'a str, &'a [u8]),
}

/// A multipart POST of `parts` to `path`.
pub fn multipart_post(path: &str, parts: &[FormPart]) -> Request<Body> {
    let boundary = "plateau-form-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match part {
            FormPart::Text(name, value) => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}")
                    .as_bytes(),
            ),
            FormPart::File(name, filename, bytes) => {
                body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n\
                         Content-Type: application/octet-stream\r\n\r\n"
                    )
                    .as_bytes(),
                );
                body.extend_from_slice(bytes);
            }
        }
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .expect("request")
}
