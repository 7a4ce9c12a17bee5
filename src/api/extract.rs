//! Request extractors that turn every client mistake into a clear 4xx: JSON bodies with errors
//! keyed by field, query strings, and the authenticated caller.

use std::sync::Arc;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{header, request::Parts};
use serde::de::DeserializeOwned;

use super::error::ApiError;
use super::state::AppState;
use crate::domain::permissions::Actor;
use crate::domain::validation::FieldErrors;

/// A JSON body. Wrong media type → 415, too large → 413, malformed → 400, wrong field types or
/// unknown enum values → 400 with the offending field named.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|ct| {
                let essence = ct
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase();
                essence == "application/json" || essence.ends_with("+json")
            })
            .unwrap_or(false);
        if !is_json {
            return Err(ApiError::UnsupportedMediaType(
                "Expecting a JSON body with Content-Type: application/json".into(),
            ));
        }
        let limit = state.settings.max_upload_size;
        let bytes = axum::body::to_bytes(req.into_body(), limit)
            .await
            .map_err(|_| {
                ApiError::PayloadTooLarge(format!("The body is larger than {limit} bytes"))
            })?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Parses JSON, naming the field at fault. NUL characters are refused: no backend stores them
/// in text (PostgreSQL cannot), and no real value needs one.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if has_escaped_nul(bytes) {
        return Err(ApiError::BadRequest(
            "NUL characters (\\u0000) are not allowed in text".into(),
        ));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize(&mut deserializer) {
        Ok(value) => Ok(value),
        Err(err) => {
            let path = err.path().to_string();
            let inner = err.into_inner();
            if inner.is_syntax() || inner.is_eof() {
                return Err(ApiError::BadRequest(format!("Malformed JSON: {inner}")));
            }
            let field = if path == "." {
                "__all__".to_owned()
            } else {
                path
            };
            Err(ApiError::validation(FieldErrors::single(
                &field,
                &strip_position(&inner.to_string()),
            )))
        }
    }
}

/// Whether a JSON text holds the escape `\u0000` (and not an escaped backslash before `u0000`).
fn has_escaped_nul(bytes: &[u8]) -> bool {
    bytes.windows(6).enumerate().any(|(i, w)| {
        w == b"\\u0000" && bytes[..i].iter().rev().take_while(|b| **b == b'\\').count() % 2 == 0
    })
}

fn strip_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// A query string decoded into `T`; a value of the wrong type is a 400 naming the parameter.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or("");
        let deserializer = serde_urlencoded::Deserializer::new(form_urlencoded(query));
        serde_path_to_error::deserialize(deserializer)
            .map(ApiQuery)
            .map_err(|err| {
                let field = err.path().to_string();
                ApiError::validation(FieldErrors::single(&field, &err.into_inner().to_string()))
            })
    }
}

fn form_urlencoded(query: &str) -> url::form_urlencoded::Parse<'_> {
    url::form_urlencoded::parse(query.as_bytes())
}

/// The caller, as resolved once per request by the authentication middleware.
#[derive(Clone, Default)]
pub struct Auth(pub Option<Arc<Actor>>);

impl Auth {
    /// The caller, or 401 when anonymous.
    pub fn required(&self) -> Result<&Actor, ApiError> {
        self.0.as_deref().ok_or_else(|| {
            ApiError::Unauthorized("Unauthorized: this operation needs an X-API-KEY header".into())
        })
    }

    pub fn actor(&self) -> Option<&Actor> {
        self.0.as_deref()
    }

    pub fn user_id(&self) -> Option<&str> {
        self.0.as_deref().map(|a| a.user.id.as_str())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        Ok(parts.extensions.get::<Auth>().cloned().unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn escaped_nul_is_found_but_not_an_escaped_backslash() {
        assert!(super::has_escaped_nul(br#"{"a": "x\u0000"}"#));
        assert!(!super::has_escaped_nul(br#"{"a": "x\\u0000"}"#));
        assert!(super::has_escaped_nul(br#"{"a": "x\\\u0000"}"#));
        assert!(!super::has_escaped_nul(br#"{"a": "x\u0001"}"#));
    }
}
