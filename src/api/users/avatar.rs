//! `POST /users/{user}/avatar/`, and the avatar replacement `/me/avatar/` shares.

use axum::Json;
use axum::extract::{Request, State};

use super::model::UserPath;
use super::{UserParam, ensure_not_deleted};
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::Auth;
use crate::api::images::{self, UploadedImage};
use crate::api::state::AppState;
use crate::domain::permissions::{Action, can};
use crate::domain::time::now;
use crate::domain::user::User;

/// The side of the square avatar thumbnail (uData's biggest avatar size).
const AVATAR_THUMBNAIL_SIZE: u32 = 500;

/// Uploads a new avatar for a user (sysadmin): multipart `file` (PNG, JPEG or WebP) and an
/// optional `bbox` crop.
#[utoipa::path(post, path = "/users/{user}/avatar/", operation_id = "user_avatar", tag = "users",
    params(UserPath),
    request_body(content_type = "multipart/form-data", description = "`file` (image) and optional `bbox` (x,y,width,height)"),
    responses((status = 200, body = UploadedImage), (status = 400), (status = 401), (status = 403),
        (status = 404), (status = 410), (status = 413), (status = 415)))]
pub async fn user_avatar(
    State(app): State<AppState>,
    auth: Auth,
    UserParam(user): UserParam,
    request: Request,
) -> ApiResult<Json<UploadedImage>> {
    let actor = auth.required()?;
    if !can(Some(actor), Action::Administer) {
        return Err(ApiError::forbidden());
    }
    ensure_not_deleted(&user)?;
    Ok(Json(replace_avatar(&app, user, request).await?))
}

/// Reads the upload, stores the image and its thumbnail, points the user at them and removes
/// the previous files.
pub async fn replace_avatar(
    app: &AppState,
    mut user: User,
    request: Request,
) -> ApiResult<UploadedImage> {
    let (upload, _) = images::read_upload(request, app, true).await?;
    let upload = upload.ok_or_else(|| ApiError::field("file", "This field is required."))?;
    let (original, thumbnail) =
        images::store_with_thumbnail(app, "avatars", upload, AVATAR_THUMBNAIL_SIZE).await?;
    let previous = [user.avatar.take(), user.avatar_thumbnail.take()];
    user.avatar = Some(original.clone());
    user.avatar_thumbnail = Some(thumbnail.clone());
    if let Err(e) = app.store.update_user(&user, None, now()).await {
        app.files.delete(&original).await;
        app.files.delete(&thumbnail).await;
        return Err(e.into());
    }
    for key in previous.iter().flatten() {
        app.files.delete(key).await;
    }
    Ok(UploadedImage {
        image: app.files.url(&original),
        success: true,
    })
}
