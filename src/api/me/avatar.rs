//! `POST /me/avatar/`: the caller's avatar.

use axum::Json;
use axum::extract::{Request, State};

use crate::api::error::ApiResult;
use crate::api::extract::Auth;
use crate::api::images::UploadedImage;
use crate::api::state::AppState;
use crate::api::users::replace_avatar;

/// Uploads a new avatar: multipart `file` (PNG, JPEG or WebP) and an optional `bbox` crop; the
/// previous avatar's files are removed.
#[utoipa::path(post, path = "/me/avatar/", operation_id = "my_avatar", tag = "me",
    request_body(content_type = "multipart/form-data", description = "`file` (image) and optional `bbox` (x,y,width,height)"),
    responses((status = 200, body = UploadedImage), (status = 400), (status = 401), (status = 413), (status = 415)))]
pub async fn my_avatar(
    State(app): State<AppState>,
    auth: Auth,
    request: Request,
) -> ApiResult<Json<UploadedImage>> {
    let user = auth.required()?.user.clone();
    Ok(Json(replace_avatar(&app, user, request).await?))
}
