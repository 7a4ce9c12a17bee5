//! What every `{object}` path resolver shares: the canonical URL an old or non-canonical slug
//! redirects to (308), and the path value nested under the object's own.

use axum::extract::{FromRequestParts, OriginalUri, RawPathParams};
use axum::http::Uri;
use axum::http::request::Parts;

use super::error::{ApiError, ApiResult};
use super::state::AppState;

/// The request as the client sent it (handlers under `/api/1` see the path without it).
pub fn original_uri(parts: &Parts) -> &Uri {
    parts
        .extensions
        .get::<OriginalUri>()
        .map(|OriginalUri(uri)| uri)
        .unwrap_or(&parts.uri)
}

/// The absolute URL of the request with the segment after `collection` (`datasets`,
/// `organizations`, `users`) replaced by `slug`, query kept.
pub fn canonical_url(base_url: &str, uri: &Uri, collection: &str, slug: &str) -> String {
    let mut segments: Vec<&str> = uri.path().split('/').collect();
    if let Some(i) = segments.iter().position(|s| *s == collection)
        && i + 1 < segments.len()
    {
        segments[i + 1] = slug;
    }
    let path = segments.join("/");
    match uri.query() {
        Some(query) => format!("{base_url}{path}?{query}"),
        None => format!("{base_url}{path}"),
    }
}

/// The first path value not named `outer`: what is nested under `{org}`, `{dataset}`… (`{user}`,
/// `{rid}`, `{badge_kind}`). 404 when absent or not valid percent-encoded UTF-8.
pub async fn inner_value(parts: &mut Parts, app: &AppState, outer: &str) -> ApiResult<String> {
    let params = RawPathParams::from_request_parts(parts, app)
        .await
        .map_err(|_| ApiError::not_found())?;
    params
        .iter()
        .find(|(name, _)| *name != outer)
        .map(|(_, value)| value.to_owned())
        .ok_or_else(ApiError::not_found)
}

/// The path value naming the object of a route: `{name}` (`{dataset}`, `{org}`…), or `{id}`
/// on the followers routes. 404 when absent or not valid percent-encoded UTF-8.
pub async fn object_value(parts: &mut Parts, app: &AppState, name: &str) -> ApiResult<String> {
    let params = RawPathParams::from_request_parts(parts, app)
        .await
        .map_err(|_| ApiError::not_found())?;
    params
        .iter()
        .find(|(param, _)| *param == name)
        .or_else(|| params.iter().find(|(param, _)| *param == "id"))
        .map(|(_, value)| value.to_owned())
        .ok_or_else(ApiError::not_found)
}

#[cfg(test)]
mod tests {
    #[test]
    fn canonical_url_replaces_the_object_segment() {
        let uri: axum::http::Uri = "/api/1/users/Jane%20Doe/contacts/?page=2".parse().unwrap();
        assert_eq!(
            super::canonical_url("http://x", &uri, "users", "jane-doe"),
            "http://x/api/1/users/jane-doe/contacts/?page=2"
        );
    }
}
