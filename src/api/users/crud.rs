//! `/users/` and `/users/{user}/`: list, create, read, update and delete accounts.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use super::model::{DeleteUserQuery, UserListQuery, UserPath};
use super::{UserParam, ensure_not_deleted, user_json};
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiJson, ApiQuery, Auth};
use crate::api::pages::UserPage;
use crate::api::pagination::{Envelope, Pagination};
use crate::api::refs::UserJson;
use crate::api::state::AppState;
use crate::domain::ids;
use crate::domain::permissions::{Action, Actor, can};
use crate::domain::time::now;
use crate::domain::user::{User, UserInput};
use crate::store::users::USER_SORTS;
use crate::store::{Paged, StoreError};

const EMAIL_TAKEN: &str = "This email is already associated with an account.";

/// The caller if they are a sysadmin: 401 anonymous, 403 others.
fn sysadmin(auth: &Auth) -> ApiResult<&Actor> {
    let actor = auth.required()?;
    if !can(Some(actor), Action::Administer) {
        return Err(ApiError::forbidden());
    }
    Ok(actor)
}

/// 400 on `email` when another account uses the address (the store's unique index decides
/// races; this gives the common case a field error).
pub(crate) async fn ensure_email_free(
    app: &AppState,
    email: &str,
    owner_id: Option<&str>,
) -> ApiResult<()> {
    match app.store.user_by_email(email).await? {
        Some(other) if Some(other.id.as_str()) != owner_id => {
            Err(ApiError::field("email", EMAIL_TAKEN))
        }
        _ => Ok(()),
    }
}

/// A unique-index conflict on the email column is the client's duplicate address.
pub(crate) fn email_conflict(e: StoreError) -> ApiError {
    match e {
        StoreError::Conflict(msg) if msg.contains("email") => ApiError::field("email", EMAIL_TAKEN),
        other => other.into(),
    }
}

/// Lists users, deleted ones excluded (sysadmin).
#[utoipa::path(get, path = "/users/", operation_id = "list_users", tag = "users",
    params(UserListQuery),
    responses((status = 200, body = UserPage), (status = 400), (status = 401), (status = 403)))]
pub async fn list_users(
    State(app): State<AppState>,
    auth: Auth,
    pagination: Pagination,
    ApiQuery(query): ApiQuery<UserListQuery>,
) -> ApiResult<Json<Envelope>> {
    sysadmin(&auth)?;
    if let Some(sort) = &query.sort
        && !USER_SORTS.contains(&sort.strip_prefix('-').unwrap_or(sort))
    {
        return Err(ApiError::field(
            "sort",
            &format!("The value '{sort}' is not a valid choice for 'sort'."),
        ));
    }
    let paged = app
        .store
        .list_users(
            query.q.as_deref().filter(|q| !q.trim().is_empty()),
            query.sort.as_deref(),
            pagination.request,
        )
        .await?;
    let mut items = Vec::with_capacity(paged.items.len());
    for user in &paged.items {
        items.push(user_json(&app, user, true).await?);
    }
    Ok(Json(pagination.envelope(
        &app,
        Paged {
            items,
            total: paged.total,
        },
    )?))
}

/// Creates a user (sysadmin). The address must be free; the account has no password.
#[utoipa::path(post, path = "/users/", operation_id = "create_user", tag = "users",
    request_body = UserJson,
    responses((status = 201, body = UserJson), (status = 400), (status = 401), (status = 403)))]
pub async fn create_user(
    State(app): State<AppState>,
    auth: Auth,
    ApiJson(mut input): ApiJson<UserInput>,
) -> ApiResult<(StatusCode, Json<UserJson>)> {
    sysadmin(&auth)?;
    // Passwords are set by the owner on the web, never through this API.
    input.password = None;
    input.validate(true).map_err(ApiError::validation)?;
    let email = input.email.clone().unwrap_or_default();
    ensure_email_free(&app, &email, None).await?;
    let mut user = User {
        id: ids::object_id(),
        slug: String::new(),
        email,
        first_name: String::new(),
        last_name: String::new(),
        about: None,
        website: None,
        avatar: None,
        avatar_thumbnail: None,
        roles: input.roles.clone().unwrap_or_default(),
        // uData's form would store `false` for a missing flag; an account is active unless told.
        active: input.active.unwrap_or(true),
        since: now(),
        last_login_at: None,
        deleted: None,
        followers: 0,
    };
    input.apply_profile(&mut user);
    let user = app
        .store
        .create_user(user, None)
        .await
        .map_err(email_conflict)?;
    Ok((
        StatusCode::CREATED,
        Json(user_json(&app, &user, true).await?),
    ))
}

/// A user's public profile. Inactive or deleted accounts are 410 except for sysadmins; email and
/// last login are shown to sysadmins only (the owner sees them on `/me/`).
#[utoipa::path(get, path = "/users/{user}/", operation_id = "get_user", tag = "users",
    params(UserPath),
    responses((status = 200, body = UserJson), (status = 308), (status = 404), (status = 410)))]
pub async fn get_user(
    State(app): State<AppState>,
    auth: Auth,
    UserParam(user): UserParam,
) -> ApiResult<Json<UserJson>> {
    let is_sysadmin = can(auth.actor(), Action::Administer);
    if !is_sysadmin {
        // uData's order: a deleted account is inactive too, and says so.
        if !user.active {
            return Err(ApiError::Gone("User is not active".into()));
        }
        ensure_not_deleted(&user)?;
    }
    Ok(Json(user_json(&app, &user, is_sysadmin).await?))
}

/// Updates a user (sysadmin): profile, email, roles and active flag; absent fields are kept.
#[utoipa::path(put, path = "/users/{user}/", operation_id = "update_user", tag = "users",
    params(UserPath), request_body = UserJson,
    responses((status = 200, body = UserJson), (status = 400), (status = 401), (status = 403),
        (status = 404), (status = 410)))]
pub async fn update_user(
    State(app): State<AppState>,
    auth: Auth,
    UserParam(mut user): UserParam,
    ApiJson(mut input): ApiJson<UserInput>,
) -> ApiResult<Json<UserJson>> {
    sysadmin(&auth)?;
    ensure_not_deleted(&user)?;
    input.password = None;
    input.validate(false).map_err(ApiError::validation)?;
    if let Some(email) = &input.email {
        ensure_email_free(&app, email, Some(&user.id)).await?;
        user.email = email.clone();
    }
    input.apply_profile(&mut user);
    if let Some(roles) = input.roles {
        user.roles = roles;
    }
    if let Some(active) = input.active {
        user.active = active;
    }
    app.store
        .update_user(&user, None, now())
        .await
        .map_err(email_conflict)?;
    Ok(Json(user_json(&app, &user, true).await?))
}

/// Deletes (anonymises) a user (sysadmin, not themself: that is `DELETE /me/`).
#[utoipa::path(delete, path = "/users/{user}/", operation_id = "delete_user", tag = "users",
    params(UserPath, DeleteUserQuery),
    responses((status = 204), (status = 401), (status = 403), (status = 404), (status = 410)))]
pub async fn delete_user(
    State(app): State<AppState>,
    auth: Auth,
    UserParam(user): UserParam,
    ApiQuery(_flags): ApiQuery<DeleteUserQuery>,
) -> ApiResult<StatusCode> {
    let actor = sysadmin(&auth)?;
    if user.deleted.is_some() {
        return Err(ApiError::Gone("User has already been deleted".into()));
    }
    if !can(Some(actor), Action::DeleteUser { user_id: &user.id }) {
        return Err(ApiError::Forbidden(
            "You cannot delete yourself with this API. Use the \"me\" API instead.".into(),
        ));
    }
    delete_account(&app, &user).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Anonymises an account (memberships, follows and key go with it) and removes its avatar files.
pub(crate) async fn delete_account(app: &AppState, user: &User) -> ApiResult<()> {
    app.store.delete_user(user, now()).await?;
    for key in [&user.avatar, &user.avatar_thumbnail].into_iter().flatten() {
        app.files.delete(key).await;
    }
    Ok(())
}
