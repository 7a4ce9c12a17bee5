//! The plumbing every API request goes through, in order: request log, CORS, rate limit,
//! authentication (+ read-only mode), `X-Fields` masks.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::error::ApiError;
use super::extract::Auth;
use super::mask::Mask;
use super::ratelimit::Client;
use super::state::AppState;
use crate::domain::permissions::Actor;
use crate::domain::secrets::hashes_equal;

/// One structured log line per request: method, path, status, latency.
pub async fn log_request(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let response = next.run(req).await;
    tracing::info!(
        target: "plateau::request",
        %method,
        path,
        status = response.status().as_u16(),
        latency_ms = started.elapsed().as_secs_f64() * 1000.0,
    );
    response
}

/// CORS as uData does it: any origin echoed with credentials; preflight answered 204 with the
/// requested method and headers.
pub async fn cors(req: Request, next: Next) -> Response {
    let origin = req.headers().get(header::ORIGIN).cloned();
    let Some(origin) = origin else {
        return next.run(req).await;
    };
    if req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
    {
        let mut response = StatusCode::NO_CONTENT.into_response();
        let headers = response.headers_mut();
        allow_origin(headers, origin);
        if let Some(method) = req.headers().get(header::ACCESS_CONTROL_REQUEST_METHOD) {
            headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, method.clone());
        }
        if let Some(requested) = req.headers().get(header::ACCESS_CONTROL_REQUEST_HEADERS) {
            headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, requested.clone());
        }
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("86400"),
        );
        headers.insert(
            header::VARY,
            HeaderValue::from_static(
                "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
            ),
        );
        return response;
    }
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    allow_origin(headers, origin);
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(
            "X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Retry-After, Link",
        ),
    );
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
    response
}

fn allow_origin(headers: &mut HeaderMap, origin: HeaderValue) {
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
        HeaderValue::from_static("true"),
    );
}

/// Counts the request against its client's quota and writes the `X-RateLimit-*` headers.
pub async fn rate_limit(State(app): State<AppState>, req: Request, next: Next) -> Response {
    if !app.limiter.enabled() {
        return next.run(req).await;
    }
    let client = match req.headers().get("x-api-key") {
        Some(key) => Client::ApiKey(Sha256::digest(key.as_bytes()).into()),
        None => match req.extensions().get::<ConnectInfo<SocketAddr>>() {
            Some(ConnectInfo(addr)) => Client::Address(addr.ip()),
            None => Client::Local,
        },
    };
    let quota = app.limiter.hit(client);
    let mut response = if quota.allowed {
        next.run(req).await
    } else {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        ApiError::TooManyRequests {
            retry_after: quota.reset.saturating_sub(now).max(1),
        }
        .into_response()
    };
    let headers = response.headers_mut();
    headers.insert("x-ratelimit-limit", HeaderValue::from(quota.limit));
    headers.insert("x-ratelimit-remaining", HeaderValue::from(quota.remaining));
    headers.insert("x-ratelimit-reset", HeaderValue::from(quota.reset));
    response
}

/// Resolves `X-API-KEY` once per request (401 if it matches no active user) and enforces the
/// read-only mode (423 for writes by anyone but sysadmins).
pub async fn authenticate(State(app): State<AppState>, mut req: Request, next: Next) -> Response {
    // No stored text may hold a NUL character (PostgreSQL refuses them): refuse them in paths
    // and query strings here, once, as `parse_json` does in bodies.
    if let Some(pq) = req.uri().path_and_query()
        && pq
            .as_str()
            .as_bytes()
            .windows(3)
            .any(|w| w.eq_ignore_ascii_case(b"%00"))
    {
        return ApiError::BadRequest("NUL characters (%00) are not allowed in URLs".into())
            .into_response();
    }
    let actor = match req.headers().get("x-api-key") {
        None => None,
        Some(key) => match actor_for_key(&app, key).await {
            Ok(actor) => Some(Arc::new(actor)),
            Err(e) => return e.into_response(),
        },
    };
    let is_write = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if app.settings.read_only && is_write && !actor.as_ref().is_some_and(|a| a.user.is_sysadmin()) {
        return ApiError::Locked(
            "Due to maintenance, the portal is in read-only mode: creating and changing content is disabled for now."
                .into(),
        )
        .into_response();
    }
    req.extensions_mut().insert(Auth(actor));
    next.run(req).await
}

async fn actor_for_key(app: &AppState, key: &HeaderValue) -> Result<Actor, ApiError> {
    let invalid = || ApiError::Unauthorized("Invalid API Key".into());
    let key = key.to_str().map_err(|_| invalid())?.trim();
    if key.is_empty() || key.len() > 256 {
        return Err(invalid());
    }
    let hash = app.secret.hash_api_key(key);
    let (user, stored) = app
        .store
        .user_by_apikey_hash(&hash)
        .await?
        .ok_or_else(invalid)?;
    if !hashes_equal(&hash, &stored) {
        return Err(invalid());
    }
    if !user.active || user.deleted.is_some() {
        return Err(ApiError::Unauthorized("Inactive user".into()));
    }
    let memberships = app.store.memberships_of(&user.id).await?;
    Ok(Actor { user, memberships })
}

/// Applies an `X-Fields` mask to JSON responses. Without the header this costs nothing.
pub async fn apply_mask(req: Request, next: Next) -> Response {
    let Some(raw) = req.headers().get("x-fields") else {
        return next.run(req).await;
    };
    let mask = match raw
        .to_str()
        .map_err(|_| ())
        .and_then(|s| Mask::parse(s).map_err(|_| ()))
    {
        Ok(mask) => mask,
        Err(()) => {
            let message = raw
                .to_str()
                .ok()
                .and_then(|s| Mask::parse(s).err())
                .map(|e| e.0)
                .unwrap_or_else(|| "Mask parse error: the header is not valid text".into());
            return ApiError::BadRequest(message).into_response();
        }
    };
    let response = next.run(req).await;
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|ct| ct.as_bytes().starts_with(b"application/json"));
    if !response.status().is_success() || !is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return ApiError::Internal("could not read the response body".into()).into_response();
    };
    let Ok(value) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    let masked = match mask_value(&mask, value) {
        Ok(v) => v,
        Err(e) => return ApiError::BadRequest(e.0).into_response(),
    };
    let bytes = serde_json::to_vec(&masked).expect("a JSON value serializes");
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(bytes))
}

/// A paginated envelope is masked item by item unless the mask names the envelope's own fields.
fn mask_value(mask: &Mask, value: Value) -> Result<Value, super::mask::MaskError> {
    let is_envelope = value
        .as_object()
        .is_some_and(|o| o.contains_key("data") && o.contains_key("page_size"));
    if is_envelope && !mask.names("data") {
        let Value::Object(mut envelope) = value else {
            unreachable!("checked above")
        };
        if let Some(data) = envelope.remove("data") {
            envelope.insert("data".into(), mask.apply(data)?);
        }
        return Ok(Value::Object(envelope));
    }
    mask.apply(value)
}
