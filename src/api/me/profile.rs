//! `GET`, `PUT` and `DELETE /me/`: the caller's own profile.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiJson, Auth};
use crate::api::refs::UserJson;
use crate::api::state::AppState;
use crate::api::users::{self, user_json};
use crate::domain::time::now;
use crate::domain::user::UserInput;

/// The caller's profile (`Me`): `User` with the private fields, plus `apikey`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Me)]
pub struct MeJson {
    #[serde(flatten)]
    pub user: UserJson,
    /// Always `null`, on purpose: Plateau stores only a keyed hash of the API key, which is shown
    /// once by `POST /me/apikey/` (uData v14 stored keys in clear and returned them here). The
    /// field stays, null, so clients reading it keep working.
    pub apikey: Option<String>,
}

async fn me_json(app: &AppState, user: &crate::domain::user::User) -> ApiResult<MeJson> {
    Ok(MeJson {
        user: user_json(app, user, true).await?,
        apikey: None,
    })
}

/// The caller's identity, with email and last login.
#[utoipa::path(get, path = "/me/", operation_id = "get_me", tag = "me",
    responses((status = 200, body = MeJson), (status = 401)))]
pub async fn get_me(State(app): State<AppState>, auth: Auth) -> ApiResult<Json<MeJson>> {
    let actor = auth.required()?;
    Ok(Json(me_json(&app, &actor.user).await?))
}

/// Updates the caller's profile: names, email, about and website; absent fields are kept.
/// `roles` and `active` are ignored here (a sysadmin changes them on `/users/{user}/`).
#[utoipa::path(put, path = "/me/", operation_id = "update_me", tag = "me",
    request_body = MeJson,
    responses((status = 200, body = MeJson), (status = 400), (status = 401)))]
pub async fn update_me(
    State(app): State<AppState>,
    auth: Auth,
    ApiJson(mut input): ApiJson<UserInput>,
) -> ApiResult<Json<MeJson>> {
    let actor = auth.required()?;
    // What a `GET /me/` returned may be sent back whole: the fields the owner cannot change
    // are dropped, as uData's profile form drops them.
    input.roles = None;
    input.active = None;
    input.password = None;
    input.validate(false).map_err(ApiError::validation)?;
    let mut user = actor.user.clone();
    if let Some(email) = &input.email {
        users::ensure_email_free(&app, email, Some(&user.id)).await?;
        user.email = email.clone();
    }
    input.apply_profile(&mut user);
    app.store
        .update_user(&user, None, now())
        .await
        .map_err(users::email_conflict)?;
    Ok(Json(me_json(&app, &user).await?))
}

/// Deletes the caller's account: anonymised as uData does; the API key stops working.
#[utoipa::path(delete, path = "/me/", operation_id = "delete_me", tag = "me",
    responses((status = 204, description = "Object deleted"), (status = 401)))]
pub async fn delete_me(State(app): State<AppState>, auth: Auth) -> ApiResult<StatusCode> {
    let actor = auth.required()?;
    users::delete_account(&app, &actor.user).await?;
    Ok(StatusCode::NO_CONTENT)
}
