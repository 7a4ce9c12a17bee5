//! `/users/roles/`, `/users/suggest/` and `/users/{user}/contacts/`.

use std::collections::HashMap;

use axum::Json;
use axum::extract::State;

use super::UserParam;
use super::model::{SuggestQuery, UserPath, UserRole, UserSuggestion, email_domain_only};
use crate::api::contacts::model::{OwnershipShown, contact_point_page};
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiQuery, Auth};
use crate::api::indexed::{off_workers, ready};
use crate::api::organizations::lists::PageQuery;
use crate::api::pages::ContactPointPage;
use crate::api::pagination::{Envelope, Pagination};
use crate::api::state::AppState;
use crate::domain::permissions::{Action, can};
use crate::domain::user::{SITE_ROLES, User};
use crate::store::contact_points::ContactOwner;

const DEFAULT_SUGGESTIONS: i64 = 10;
const SIZE_MESSAGE: &str = "The size must be an integer between 1 and 20.";

/// The site-wide roles a user can hold.
#[utoipa::path(get, path = "/users/roles/", operation_id = "user_roles", tag = "users",
    responses((status = 200, body = Vec<UserRole>)))]
pub async fn user_roles() -> Json<Vec<UserRole>> {
    Json(
        SITE_ROLES
            .iter()
            .map(|name| UserRole {
                name: (*name).to_owned(),
            })
            .collect(),
    )
}

/// Users whose name has every word of `q`, the last one maybe incomplete (accents and case
/// aside), newest first (deleted accounts excluded).
#[utoipa::path(get, path = "/users/suggest/", operation_id = "suggest_users", tag = "users",
    params(SuggestQuery),
    responses((status = 200, body = Vec<UserSuggestion>), (status = 400)))]
pub async fn suggest_users(
    State(app): State<AppState>,
    auth: Auth,
    ApiQuery(query): ApiQuery<SuggestQuery>,
) -> ApiResult<Json<Vec<UserSuggestion>>> {
    let q = query
        .q
        .ok_or_else(|| ApiError::field("q", "Missing required parameter in the query string"))?;
    let size = match query.size.as_deref() {
        None => DEFAULT_SUGGESTIONS,
        Some(text) => text
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=20).contains(n))
            .ok_or_else(|| ApiError::field("size", SIZE_MESSAGE))?,
    };
    let show_email = can(auth.actor(), Action::Administer);
    let users = match suggest_from_index(&app, &q, size).await? {
        Some(users) => users,
        None => app.store.suggest_users(&q, size).await?,
    };
    Ok(Json(
        users
            .into_iter()
            .map(|user| UserSuggestion {
                avatar_url: app.files.url_opt(user.avatar_thumbnail.as_deref()),
                email: Some(if show_email {
                    user.email
                } else {
                    email_domain_only(&user.email)
                }),
                id: user.id,
                first_name: user.first_name,
                last_name: user.last_name,
                slug: user.slug,
            })
            .collect(),
    ))
}

/// `/users/suggest/` from the index; `None` when the index is not ready.
async fn suggest_from_index(app: &AppState, q: &str, size: i64) -> ApiResult<Option<Vec<User>>> {
    let Some(search) = ready(app, |s| &s.users).await else {
        return Ok(None);
    };
    let q = q.to_owned();
    let ids = off_workers(search, move |search| {
        crate::search::users::suggest(&search.users, &q, size.max(1) as usize)
    })
    .await?;
    let mut found: HashMap<String, User> = app
        .store
        .users_by_ids(&ids)
        .await?
        .into_iter()
        .filter(|user| user.deleted.is_none())
        .map(|user| (user.id.clone(), user))
        .collect();
    Ok(Some(ids.iter().filter_map(|id| found.remove(id)).collect()))
}

/// The contact points a user owns (not those of their organizations), oldest first.
#[utoipa::path(get, path = "/users/{user}/contacts/", operation_id = "get_user_contact_point", tag = "users",
    params(UserPath, PageQuery),
    responses((status = 200, body = ContactPointPage), (status = 400), (status = 404)))]
pub async fn get_user_contact_point(
    State(app): State<AppState>,
    shown: OwnershipShown,
    UserParam(user): UserParam,
    pagination: Pagination,
) -> ApiResult<Json<Envelope>> {
    let owner = ContactOwner::User(&user.id);
    Ok(Json(
        contact_point_page(&app, owner, &pagination, shown).await?,
    ))
}
