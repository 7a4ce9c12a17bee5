//! `/users/{id}/followers/`: list, follow and unfollow a user, through `api::followers`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::Value;

use super::ensure_not_deleted;
use super::model::FollowedPath;
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiQuery, Auth};
use crate::api::followers::{self, FollowersQuery};
use crate::api::pages::FollowPage;
use crate::api::pagination::{Envelope, Pagination};
use crate::api::state::AppState;
use crate::domain::ids::is_object_id;
use crate::domain::permissions::{Action, can};
use crate::domain::user::User;
use crate::store::follows::Followable;

/// The user with this id; as in uData, following and unfollowing need the id, not the slug.
async fn by_id(app: &AppState, id: &str) -> ApiResult<User> {
    if !is_object_id(id) {
        return Err(ApiError::not_found());
    }
    app.store
        .user_by_id(id)
        .await?
        .ok_or_else(ApiError::not_found)
}

/// The active followers of a user (by id or slug), newest first; `?user=` checks one follower.
#[utoipa::path(get, path = "/users/{id}/followers/", operation_id = "list_user_followers", tag = "users",
    params(FollowedPath, FollowersQuery),
    responses((status = 200, body = FollowPage), (status = 400), (status = 404)))]
pub async fn list_user_followers(
    State(app): State<AppState>,
    Path(id): Path<String>,
    pagination: Pagination,
    ApiQuery(query): ApiQuery<FollowersQuery>,
) -> ApiResult<Json<Envelope>> {
    let user = match app.store.user_by_ref(&id).await? {
        Some(user) => user,
        None => return Err(ApiError::not_found()),
    };
    let follower = query.user.as_deref().filter(|u| !u.is_empty());
    if follower.is_some_and(|u| !is_object_id(u)) {
        return Err(ApiError::not_found());
    }
    followers::list(&app, Followable::User, &user.id, follower, &pagination).await
}

/// Follows a user: 201 when new, 200 when already following; never oneself (403).
#[utoipa::path(post, path = "/users/{id}/followers/", operation_id = "follow_user", tag = "users",
    params(FollowedPath),
    responses((status = 201, description = "`{\"followers\": n}`"), (status = 200, description = "Already following"),
        (status = 401), (status = 403, description = "When trying to follow yourself"), (status = 404), (status = 410)))]
pub async fn follow_user(
    State(app): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let actor = auth.required()?;
    if !can(Some(actor), Action::FollowUser { user_id: &id }) {
        return Err(ApiError::Forbidden("You can't follow yourself".into()));
    }
    let user = by_id(&app, &id).await?;
    // An anonymised account cannot gain followers (uData would let one follow it).
    ensure_not_deleted(&user)?;
    followers::follow(&app, &auth, Followable::User, &user.id).await
}

/// Stops following a user: 200 with the remaining count, 404 when not following.
#[utoipa::path(delete, path = "/users/{id}/followers/", operation_id = "unfollow_user", tag = "users",
    params(FollowedPath),
    responses((status = 200, description = "`{\"followers\": n}`: the followers left"), (status = 401), (status = 404)))]
pub async fn unfollow_user(
    State(app): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    auth.required()?;
    let user = by_id(&app, &id).await?;
    followers::unfollow(&app, &auth, Followable::User, &user.id).await
}
