//! `GET /s/{*key}`: stored files, streamed, with validators (`ETag`, `If-None-Match` → 304)
//! and single byte ranges (`Range` → 206, unsatisfiable → 416).

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio_util::io::ReaderStream;

use super::store::{ByteRange, FileMeta};
use crate::api::error::ApiError;
use crate::api::state::AppState;

/// What a `Range` header asks of an object of a given size.
#[derive(Debug, PartialEq, Eq)]
enum RangeRequest {
    /// No usable range (absent, malformed, several ranges, or not bytes): the whole object.
    Whole,
    Part(ByteRange),
    Unsatisfiable,
}

/// Parses a single `bytes=` range (RFC 9110 §14.1.2); anything else is served whole, as the
/// RFC allows a server to ignore a range it does not support.
fn parse_range(value: &str, size: u64) -> RangeRequest {
    let Some(spec) = value.trim().strip_prefix("bytes=") else {
        return RangeRequest::Whole;
    };
    if spec.contains(',') {
        return RangeRequest::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return RangeRequest::Whole;
    };
    let (first, last) = (first.trim(), last.trim());
    let range = match (first.is_empty(), last.is_empty()) {
        // bytes=-N: the last N bytes.
        (true, false) => match last.parse::<u64>() {
            Ok(0) => return RangeRequest::Unsatisfiable,
            Ok(n) if size > 0 => ByteRange {
                start: size.saturating_sub(n),
                end: size - 1,
            },
            Ok(_) => return RangeRequest::Unsatisfiable,
            Err(_) => return RangeRequest::Whole,
        },
        (false, _) => {
            let Ok(start) = first.parse::<u64>() else {
                return RangeRequest::Whole;
            };
            let end = if last.is_empty() {
                u64::MAX
            } else {
                match last.parse::<u64>() {
                    Ok(end) if end >= start => end,
                    _ => return RangeRequest::Whole,
                }
            };
            if start >= size {
                return RangeRequest::Unsatisfiable;
            }
            ByteRange {
                start,
                end: end.min(size - 1),
            }
        }
        (true, true) => return RangeRequest::Whole,
    };
    RangeRequest::Part(range)
}

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

/// `GET /s/{*key}`: a stored file.
pub async fn serve_file(
    State(app): State<AppState>,
    Path(key): Path<String>,
    request_headers: HeaderMap,
) -> Response {
    let meta = match app.files.metadata(&key).await {
        Ok(Some(meta)) => meta,
        Ok(None) => return ApiError::not_found().into_response(),
        Err(e) => return ApiError::from(e).into_response(),
    };
    let header_text = |name| {
        request_headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
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
    let range = match range {
        RangeRequest::Unsatisfiable => {
            *response.status_mut() = StatusCode::RANGE_NOT_SATISFIABLE;
            if let Ok(value) = HeaderValue::from_str(&format!("bytes */{}", meta.size)) {
                response.headers_mut().insert(header::CONTENT_RANGE, value);
            }
            return response;
        }
        RangeRequest::Part(range) => Some(range),
        RangeRequest::Whole => None,
    };
    let (meta, reader) = match app.files.open(&key, range).await {
        Ok(Some(opened)) => opened,
        Ok(None) => return ApiError::not_found().into_response(),
        Err(e) => return ApiError::from(e).into_response(),
    };
    *response.body_mut() = Body::from_stream(ReaderStream::with_capacity(reader, 64 * 1024));
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&meta.content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    let length = match range {
        Some(range) => {
            *response.status_mut() = StatusCode::PARTIAL_CONTENT;
            let content_range = format!("bytes {}-{}/{}", range.start, range.end, meta.size);
            if let Ok(value) = HeaderValue::from_str(&content_range) {
                response.headers_mut().insert(header::CONTENT_RANGE, value);
            }
            range.len()
        }
        None => meta.size,
    };
    response
        .headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(start: u64, end: u64) -> RangeRequest {
        RangeRequest::Part(ByteRange { start, end })
    }

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=0-9", 100), part(0, 9));
        assert_eq!(parse_range("bytes=90-", 100), part(90, 99));
        assert_eq!(parse_range("bytes=90-500", 100), part(90, 99));
        assert_eq!(parse_range("bytes=-10", 100), part(90, 99));
        assert_eq!(parse_range("bytes=-500", 100), part(0, 99));
        assert_eq!(parse_range("bytes=100-", 100), RangeRequest::Unsatisfiable);
        assert_eq!(parse_range("bytes=-0", 100), RangeRequest::Unsatisfiable);
        assert_eq!(parse_range("bytes=0-0", 0), RangeRequest::Unsatisfiable);
        assert_eq!(parse_range("bytes=5-2", 100), RangeRequest::Whole);
        assert_eq!(parse_range("bytes=0-1,5-6", 100), RangeRequest::Whole);
        assert_eq!(parse_range("items=0-1", 100), RangeRequest::Whole);
        assert_eq!(parse_range("bytes=x-1", 100), RangeRequest::Whole);
    }

    #[test]
    fn if_none_match() {
        assert!(none_match("\"a\"", "\"a\""));
        assert!(none_match("W/\"a\", \"b\"", "\"a\""));
        assert!(none_match("*", "\"a\""));
        assert!(!none_match("\"b\"", "\"a\""));
    }
}
