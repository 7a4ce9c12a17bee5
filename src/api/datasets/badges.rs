//! Dataset badges, awarded and removed by sysadmins.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use super::{DatasetPath, InnerPath, require_sysadmin};
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiJson, Auth};
use crate::api::refs::BadgeJson;
use crate::api::state::AppState;
use crate::domain::dataset::BADGE_KINDS;
use crate::domain::organization::{award_badge, remove_badge};
use crate::domain::time::now;

/// The body of a badge award (clients send a `Badge`).
#[derive(Debug, Deserialize)]
pub struct BadgeInput {
    pub kind: Option<String>,
}

/// Awards a badge (sysadmins): 201 when new, 200 when the dataset already has it.
#[utoipa::path(post, path = "/datasets/{dataset}/badges/", operation_id = "add_dataset_badge", tag = "datasets",
    params(("dataset" = String, Path, description = "The dataset ID or slug")),
    request_body = BadgeJson,
    responses((status = 201, body = BadgeJson), (status = 200, body = BadgeJson), (status = 400),
        (status = 401), (status = 403), (status = 404)))]
pub async fn add_dataset_badge(
    State(app): State<AppState>,
    auth: Auth,
    DatasetPath(mut dataset): DatasetPath,
    body: Result<ApiJson<BadgeInput>, ApiError>,
) -> ApiResult<(StatusCode, Json<BadgeJson>)> {
    let actor = require_sysadmin(&auth)?;
    let ApiJson(input) = body?;
    let kind = match input.kind.as_deref() {
        None | Some("") => return Err(ApiError::field("kind", "This field is required.")),
        Some(kind) if !BADGE_KINDS.iter().any(|(k, _)| *k == kind) => {
            return Err(ApiError::field("kind", "Not a valid choice."));
        }
        Some(kind) => kind.to_owned(),
    };
    let (badge, created) = award_badge(&mut dataset.badges, &kind, &actor.user.id, now());
    if !created {
        return Ok((StatusCode::OK, Json(BadgeJson::from(&badge))));
    }
    app.store.update_dataset(&mut dataset, false).await?;
    Ok((StatusCode::CREATED, Json(BadgeJson::from(&badge))))
}

/// Removes a badge (sysadmins); 404 when the dataset does not have it.
#[utoipa::path(delete, path = "/datasets/{dataset}/badges/{badge_kind}/", operation_id = "delete_dataset_badge",
    tag = "datasets",
    params(("dataset" = String, Path, description = "The dataset ID or slug"),
        ("badge_kind" = String, Path, description = "The badge kind")),
    responses((status = 204), (status = 401), (status = 403), (status = 404)))]
pub async fn delete_dataset_badge(
    State(app): State<AppState>,
    auth: Auth,
    DatasetPath(mut dataset): DatasetPath,
    InnerPath(kind): InnerPath,
) -> ApiResult<StatusCode> {
    require_sysadmin(&auth)?;
    if !remove_badge(&mut dataset.badges, &kind) {
        return Err(ApiError::NotFound("Badge does not exists".into()));
    }
    app.store.update_dataset(&mut dataset, false).await?;
    Ok(StatusCode::NO_CONTENT)
}
