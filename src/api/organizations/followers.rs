//! `/organizations/{id}/followers/`: the shared follow mechanism applied to organizations.
//! As in uData, a deleted organization can still be listed, followed and unfollowed.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::Value;

use super::OrgPath;
use crate::api::error::ApiResult;
use crate::api::extract::{ApiQuery, Auth};
use crate::api::followers::{self, FollowersQuery};
use crate::api::pages::FollowPage;
use crate::api::pagination::{Envelope, Pagination};
use crate::api::state::AppState;
use crate::store::follows::Followable;

/// The organization's active followers, newest first; `user` checks whether one user follows.
#[utoipa::path(get, path = "/organizations/{id}/followers/", operation_id = "list_organization_followers",
    tag = "organizations",
    params(("id" = String, Path, description = "The organization ID or slug"), FollowersQuery),
    responses((status = 200, body = FollowPage), (status = 400), (status = 404)))]
pub async fn list_organization_followers(
    State(app): State<AppState>,
    OrgPath(org): OrgPath,
    pagination: Pagination,
    ApiQuery(query): ApiQuery<FollowersQuery>,
) -> ApiResult<Json<Envelope>> {
    followers::list(
        &app,
        Followable::Organization,
        &org.id,
        query.user.as_deref(),
        &pagination,
    )
    .await
}

/// Follows the organization: 201 when new, 200 when already following; `{"followers": n}`.
#[utoipa::path(post, path = "/organizations/{id}/followers/", operation_id = "follow_organization",
    tag = "organizations",
    params(("id" = String, Path, description = "The organization ID or slug")),
    responses((status = 201, description = "`{\"followers\": n}`", body = Object),
        (status = 200, description = "Already following: `{\"followers\": n}`", body = Object),
        (status = 401), (status = 404)))]
pub async fn follow_organization(
    State(app): State<AppState>,
    auth: Auth,
    OrgPath(org): OrgPath,
) -> ApiResult<(StatusCode, Json<Value>)> {
    followers::follow(&app, &auth, Followable::Organization, &org.id).await
}

/// Stops following the organization: `{"followers": n}`; 404 when not following.
#[utoipa::path(delete, path = "/organizations/{id}/followers/", operation_id = "unfollow_organization",
    tag = "organizations",
    params(("id" = String, Path, description = "The organization ID or slug")),
    responses((status = 200, description = "`{\"followers\": n}`", body = Object), (status = 401),
        (status = 404)))]
pub async fn unfollow_organization(
    State(app): State<AppState>,
    auth: Auth,
    OrgPath(org): OrgPath,
) -> ApiResult<Json<Value>> {
    followers::unfollow(&app, &auth, Followable::Organization, &org.id).await
}
