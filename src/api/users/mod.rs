//! `/users/`: accounts as sysadmins manage them, public profiles, suggestions and followers.

mod avatar;
mod crud;
mod followers;
mod lists;
pub mod model;

use std::collections::HashMap;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{ApiError, ApiResult};
use super::paths::{canonical_url, original_uri};
use super::refs::UserJson;
use super::state::AppState;
use crate::domain::slug;
use crate::domain::user::User;

pub use avatar::replace_avatar;
pub(crate) use crud::{delete_account, email_conflict, ensure_email_free};

pub const OPERATIONS: &[&str] = &[
    "GET /users/",
    "POST /users/",
    "GET /users/{user}/",
    "PUT /users/{user}/",
    "DELETE /users/{user}/",
    "POST /users/{user}/avatar/",
    "GET /users/{user}/contacts/",
    "GET /users/roles/",
    "GET /users/suggest/",
    "GET /users/{id}/followers/",
    "POST /users/{id}/followers/",
    "DELETE /users/{id}/followers/",
];

pub const MODELS: &[(&str, &str)] = &[
    ("User", "User"),
    ("UserPage", "UserPage"),
    ("UserRole", "UserRole"),
    ("UserSuggestion", "UserSuggestion"),
    ("FollowPage", "FollowPage"),
    ("ContactPointPage", "ContactPointPage"),
];

/// The users routes with their OpenAPI descriptions.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(crud::list_users, crud::create_user))
        .routes(routes!(
            crud::get_user,
            crud::update_user,
            crud::delete_user
        ))
        .routes(routes!(avatar::user_avatar))
        .routes(routes!(lists::get_user_contact_point))
        .routes(routes!(lists::user_roles))
        .routes(routes!(lists::suggest_users))
        .routes(routes!(
            followers::list_user_followers,
            followers::follow_user,
            followers::unfollow_user
        ))
}

/// The full `User` representation: organizations and the `following` metric loaded from the
/// store. `show_private` adds email and last login (`/me/`, sysadmins).
pub async fn user_json(app: &AppState, user: &User, show_private: bool) -> ApiResult<UserJson> {
    let organizations = app.store.organizations_of(&user.id).await?;
    let following = app.store.following_count(&user.id).await?;
    let datasets = app.store.public_datasets_of_user(&user.id).await?;
    let mut json = UserJson::new(app, user, &organizations, show_private).with_following(following);
    json.metrics.insert("datasets".into(), datasets.into());
    Ok(json)
}

/// The user named by the `{user}` path segment, resolved as uData's URL converter does: by id,
/// then by slug; a value whose slugified form is a slug answers 308 to the canonical URL;
/// anything else is a 404. Deleted and inactive users are resolved: handlers decide.
pub struct UserParam(pub User);

impl FromRequestParts<AppState> for UserParam {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Response> {
        let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, app)
            .await
            .map_err(|_| ApiError::not_found().into_response())?;
        let value = params
            .get("user")
            .ok_or_else(|| ApiError::Internal("route without {user}".into()).into_response())?;
        if let Some(user) = app
            .store
            .user_by_ref(value)
            .await
            .map_err(|e| ApiError::from(e).into_response())?
        {
            return Ok(UserParam(user));
        }
        let slugified = slug::slugify(value);
        if slugified != *value
            && !slugified.is_empty()
            && let Some(user) = app
                .store
                .user_by_ref(&slugified)
                .await
                .map_err(|e| ApiError::from(e).into_response())?
        {
            let url = canonical_url(
                &app.settings.base_url,
                original_uri(parts),
                "users",
                &user.slug,
            );
            return Err(Redirect::permanent(&url).into_response());
        }
        Err(ApiError::not_found().into_response())
    }
}

/// 410 for a deleted account.
fn ensure_not_deleted(user: &User) -> ApiResult<()> {
    match user.deleted {
        Some(_) => Err(ApiError::Gone("User has been deleted".into())),
        None => Ok(()),
    }
}
