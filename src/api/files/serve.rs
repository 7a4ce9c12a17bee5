//! `GET /s/{*key}`: stored files, streamed, with validators (`ETag`, `If-None-Match` → 304)
//! and byte ranges (`Range` → 206, one part or `multipart/byteranges`; unsatisfiable → 416;
//! `If-Range` with a strong ETag). Which ranges are honoured is in [`super::ranges`].

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::byteranges::ByteRanges;
use super::ranges::{RangeRequest, parse_range};
use crate::api::error::ApiError;
use crate::api::state::AppState;
use crate::files::FileMeta;

/// Whether an `If-None-Match` header matches the current ETag (weak comparison, as RFC 9110
/// prescribes for this header).
fn none_match(value: &str, etag: &str) -> bool {
    let bare = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    value.trim() == "*" || value.split(',').any(|tag| bare(tag) == bare(etag))
}

fn validators(meta: &FileMeta, headers: &mut HeaderMap) {
    if let Ok(value) = HeaderValue::from_str(&meta.etag) {
        headers.insert(header::ETAG, value);
    }
    if let Some(modified) = chrono::DateTime::from_timestamp(meta.modified, 0) {
        let http_date = modified.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
        if let Ok(value) = HeaderValue::from_str(&http_date) {
            headers.insert(header::LAST_MODIFIED, value);
        }
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
}

/// `GET /s/{*key}`: a stored file, from whichever store is configured.
pub async fn serve_file(
    State(app): State<AppState>,
    Path(key): Path<String>,
    request_headers: HeaderMap,
) -> Response {
    let object = match app.files.open(&key).await {
        Ok(Some(object)) => object,
        Ok(None) => return ApiError::not_found().into_response(),
        Err(e) => return ApiError::from(e).into_response(),
    };
    let header_text = |name| {
        request_headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    let meta = object.meta.clone();
    let mut response = Response::new(Body::empty());
    validators(&meta, response.headers_mut());
    if header_text(header::IF_NONE_MATCH).is_some_and(|v| none_match(v, &meta.etag)) {
        *response.status_mut() = StatusCode::NOT_MODIFIED;
        return response;
    }
    // A range applies only while the client's copy is current (If-Range, strong comparison).
    let range_applies = header_text(header::IF_RANGE).is_none_or(|v| v.trim() == meta.etag);
    let range = match header_text(header::RANGE) {
        Some(value) if range_applies => parse_range(value, meta.size),
        _ => RangeRequest::Whole,
    };
    let (content_type, length) = match range {
        RangeRequest::Unsatisfiable => {
            *response.status_mut() = StatusCode::RANGE_NOT_SATISFIABLE;
            let content_range = format!("bytes */{}", meta.size);
            insert(response.headers_mut(), header::CONTENT_RANGE, content_range);
            return response;
        }
        RangeRequest::Whole => {
            match object.read_all().await {
                Ok(stream) => *response.body_mut() = Body::from_stream(stream),
                Err(e) => return ApiError::from(e).into_response(),
            }
            (meta.content_type.clone(), meta.size)
        }
        RangeRequest::Parts(ranges) if ranges.len() == 1 => {
            let range = ranges[0];
            match object.read(range.start, range.len()).await {
                Ok(stream) => *response.body_mut() = Body::from_stream(stream),
                Err(e) => return ApiError::from(e).into_response(),
            }
            *response.status_mut() = StatusCode::PARTIAL_CONTENT;
            let content_range = format!("bytes {}-{}/{}", range.start, range.end, meta.size);
            insert(response.headers_mut(), header::CONTENT_RANGE, content_range);
            (meta.content_type.clone(), range.len())
        }
        RangeRequest::Parts(ranges) => {
            let parts = ByteRanges::new(&ranges, &meta.content_type, meta.size);
            let head = (parts.content_type(), parts.content_length());
            *response.body_mut() = Body::from_stream(parts.into_stream(object));
            *response.status_mut() = StatusCode::PARTIAL_CONTENT;
            head
        }
    };
    let headers = response.headers_mut();
    insert(headers, header::CONTENT_TYPE, content_type);
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    response
}

fn insert(headers: &mut HeaderMap, name: header::HeaderName, value: String) {
    if let Ok(value) = HeaderValue::from_str(&value) {
        headers.insert(name, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match() {
        assert!(none_match("\"a\"", "\"a\""));
        assert!(none_match("W/\"a\", \"b\"", "\"a\""));
        assert!(none_match("*", "\"a\""));
        assert!(!none_match("\"b\"", "\"a\""));
    }
}
