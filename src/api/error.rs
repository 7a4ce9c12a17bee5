//! The one error type of the HTTP layer: each variant maps to a status in one place and renders
//! uData's body, `{"message": "...", "errors": {"field": ["..."]}}`. Internal causes are logged
//! and hidden from the client.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::domain::validation::FieldErrors;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{message}")]
    Validation {
        message: String,
        errors: FieldErrors,
    },
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Gone(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    Locked(String),
    /// A refused upload step, answered as uData's `UploadStatus`:
    /// 400 `{"success": false, "error": "..."}`.
    #[error("{0}")]
    Upload(String),
    #[error("rate limit exceeded")]
    TooManyRequests { retry_after: u64 },
    #[error("{0}")]
    NotImplemented(String),
    /// Temporarily unable to answer (e.g. the search index is being built): 503.
    #[error("{0}")]
    Unavailable(String),
    /// The object is named by an old or non-canonical slug: 308 to this canonical URL.
    #[error("Moved permanently to {0}")]
    MovedPermanently(String),
    #[error("internal error: {0}")]
    Internal(String),
}

pub type ApiResult<T> = Result<T, ApiError>;

pub const PERMISSION_DENIED: &str = "You do not have the permission to modify that object.";

impl ApiError {
    pub fn validation(errors: FieldErrors) -> Self {
        ApiError::Validation {
            message: "Validation error: your data cannot be accepted.".into(),
            errors,
        }
    }

    pub fn field(field: &str, message: &str) -> Self {
        Self::validation(FieldErrors::single(field, message))
    }

    pub fn forbidden() -> Self {
        ApiError::Forbidden(PERMISSION_DENIED.into())
    }

    pub fn not_found() -> Self {
        ApiError::NotFound(
            "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again."
                .into(),
        )
    }

    pub fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Validation { .. } | ApiError::BadRequest(_) | ApiError::Upload(_) => {
                StatusCode::BAD_REQUEST
            }
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Gone(_) => StatusCode::GONE,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Locked(_) => StatusCode::LOCKED,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::NotImplemented(_) => StatusCode::NOT_IMPLEMENTED,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::MovedPermanently(_) => StatusCode::PERMANENT_REDIRECT,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::not_found(),
            StoreError::Conflict(msg) => ApiError::Conflict(format!("Conflict: {msg}")),
            StoreError::Internal(msg) => ApiError::Internal(msg),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status_code();
        let body = match &self {
            ApiError::Validation { message, errors } => {
                json!({"message": message, "errors": errors.0})
            }
            ApiError::Upload(error) => json!({"success": false, "error": error}),
            ApiError::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                json!({"message": "Internal server error"})
            }
            other => json!({"message": other.to_string()}),
        };
        let mut response = (status, axum::Json(body)).into_response();
        let headers = response.headers_mut();
        match &self {
            ApiError::Unauthorized(_) => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("X-API-KEY realm=\"Plateau\""),
                );
            }
            ApiError::TooManyRequests { retry_after } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
            }
            ApiError::MovedPermanently(location) => {
                if let Ok(value) = HeaderValue::from_str(location) {
                    headers.insert(header::LOCATION, value);
                }
            }
            _ => {}
        }
        response
    }
}
