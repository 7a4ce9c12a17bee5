//! Organization badges: the kinds available, and their award or removal by sysadmins.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::{InnerPath, OrgPath, require};
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiJson, Auth};
use crate::api::refs::BadgeJson;
use crate::api::state::AppState;
use crate::domain::organization::{BADGE_KINDS, award_badge, remove_badge};
use crate::domain::permissions::Action;
use crate::domain::time::now;

/// The body of a badge award (clients send a `Badge`).
#[derive(Debug, Deserialize)]
pub struct BadgeInput {
    pub kind: Option<String>,
}

/// The badge kinds an organization may carry, kind → label.
#[utoipa::path(get, path = "/organizations/badges/", operation_id = "available_organization_badges",
    tag = "organizations",
    responses((status = 200, description = "Badge labels by kind", body = Object)))]
pub async fn available_organization_badges() -> Json<Map<String, Value>> {
    Json(
        BADGE_KINDS
            .iter()
            .map(|(kind, label)| ((*kind).to_owned(), Value::from(*label)))
            .collect(),
    )
}

/// Awards a badge (sysadmins): 201 when new, 200 when the organization already has it.
#[utoipa::path(post, path = "/organizations/{org}/badges/", operation_id = "add_organization_badge",
    tag = "organizations",
    params(("org" = String, Path, description = "The organization ID or slug")),
    request_body = BadgeJson,
    responses((status = 201, body = BadgeJson), (status = 200, body = BadgeJson), (status = 400), (status = 401),
        (status = 403), (status = 404)))]
pub async fn add_organization_badge(
    State(app): State<AppState>,
    auth: Auth,
    OrgPath(mut org): OrgPath,
    body: Result<ApiJson<BadgeInput>, ApiError>,
) -> ApiResult<(StatusCode, Json<BadgeJson>)> {
    let actor = require(&auth, Action::Administer)?;
    let ApiJson(input) = body?;
    let kind = match input.kind.as_deref() {
        None | Some("") => return Err(ApiError::field("kind", "This field is required.")),
        Some(kind) if !BADGE_KINDS.iter().any(|(k, _)| *k == kind) => {
            return Err(ApiError::field("kind", "Not a valid choice."));
        }
        Some(kind) => kind.to_owned(),
    };
    let now = now();
    let (badge, created) = award_badge(&mut org.badges, &kind, &actor.user.id, now);
    if !created {
        return Ok((StatusCode::OK, Json(BadgeJson::from(&badge))));
    }
    org.last_modified = now;
    app.store.update_organization(&mut org, false).await?;
    Ok((StatusCode::CREATED, Json(BadgeJson::from(&badge))))
}

/// Removes a badge (sysadmins); 404 when the organization does not have it.
#[utoipa::path(delete, path = "/organizations/{org}/badges/{badge_kind}/", operation_id = "delete_organization_badge",
    tag = "organizations",
    params(("org" = String, Path, description = "The organization ID or slug"),
        ("badge_kind" = String, Path, description = "The badge kind")),
    responses((status = 204), (status = 401), (status = 403), (status = 404)))]
pub async fn delete_organization_badge(
    State(app): State<AppState>,
    auth: Auth,
    OrgPath(mut org): OrgPath,
    InnerPath(kind): InnerPath,
) -> ApiResult<StatusCode> {
    require(&auth, Action::Administer)?;
    if !remove_badge(&mut org.badges, &kind) {
        return Err(ApiError::NotFound("Badge does not exists".into()));
    }
    org.last_modified = now();
    app.store.update_organization(&mut org, false).await?;
    Ok(StatusCode::NO_CONTENT)
}
