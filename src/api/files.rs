//! Uploaded files (logos and avatars for now): a directory in the data dir, served by Plateau at
//! stable public URLs under `/s/`.

use std::path::{Component, Path, PathBuf};

use axum::body::Body;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use super::state::AppState;

/// The file storage: keys are relative paths such as `avatars/ab/cdef…-original.png`.
pub struct Files {
    dir: PathBuf,
    base_url: String,
}

impl Files {
    pub fn new(dir: PathBuf, base_url: String) -> Self {
        Files { dir, base_url }
    }

    fn path_of(&self, key: &str) -> Option<PathBuf> {
        let relative = Path::new(key);
        relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
            .then(|| self.dir.join(relative))
    }

    /// Stores `bytes` under `key`, atomically (write to a temporary file, then rename).
    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), ApiError> {
        let path = self
            .path_of(key)
            .ok_or_else(|| ApiError::Internal(format!("invalid file key {key}")))?;
        let parent = path
            .parent()
            .map(Path::to_owned)
            .unwrap_or_else(|| self.dir.clone());
        tokio::fs::create_dir_all(&parent)
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        let temporary = path.with_extension("part");
        tokio::fs::write(&temporary, bytes)
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        tokio::fs::rename(&temporary, &path)
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))
    }

    /// The bytes of a stored file, or `None` if there is none.
    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, ApiError> {
        let Some(path) = self.path_of(key) else {
            return Ok(None);
        };
        match tokio::fs::read(&path).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(ApiError::Internal(e.to_string())),
        }
    }

    /// Removes a stored file; a missing file is not an error.
    pub async fn delete(&self, key: &str) {
        if let Some(path) = self.path_of(key)
            && let Err(e) = tokio::fs::remove_file(&path).await
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(key, error = %e, "could not delete a stored file");
        }
    }

    /// The public URL of a stored file.
    pub fn url(&self, key: &str) -> String {
        format!("{}/s/{key}", self.base_url)
    }

    pub fn url_opt(&self, key: Option<&str>) -> Option<String> {
        key.map(|k| self.url(k))
    }
}

/// `GET /s/{key}`: a stored file with its content type.
pub async fn serve_file(State(app): State<AppState>, UrlPath(key): UrlPath<String>) -> Response {
    let Some(path) = app.files.path_of(&key) else {
        return ApiError::not_found().into_response();
    };
    match tokio::fs::read(&path).await {
        Ok(bytes) => {
            let mime = mime_guess::from_path(&path).first_or_octet_stream();
            let mut response = (StatusCode::OK, Body::from(bytes)).into_response();
            if let Ok(value) = HeaderValue::from_str(mime.as_ref()) {
                response.headers_mut().insert(header::CONTENT_TYPE, value);
            }
            response.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            );
            response
        }
        Err(_) => ApiError::not_found().into_response(),
    }
}
