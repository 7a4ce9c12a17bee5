//! `/organizations/{org}/logo/`: upload a logo, or re-crop its thumbnail.

use axum::Json;
use axum::extract::{Request, State};
use utoipa::ToSchema;

use super::{OrgPath, require};
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::Auth;
use crate::api::images::{self, ImageUpload, UploadedImage};
use crate::api::state::AppState;
use crate::domain::organization::Organization;
use crate::domain::permissions::Action;
use crate::domain::time::now;

/// The side of the square logo thumbnail, as uData's biggest logo size.
const LOGO_THUMBNAIL_SIZE: u32 = 100;

/// A multipart logo upload: the image and an optional crop box.
#[derive(Debug, ToSchema)]
pub struct LogoUpload {
    /// A PNG, JPEG or WebP image.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// `x,y,width,height` in pixels of the original, for the thumbnail.
    pub bbox: Option<String>,
}

/// Uploads a new logo (administrators, sysadmins); the previous one is deleted.
#[utoipa::path(post, path = "/organizations/{org}/logo/", operation_id = "organization_logo", tag = "organizations",
    params(("org" = String, Path, description = "The organization ID or slug")),
    request_body(content = LogoUpload, content_type = "multipart/form-data"),
    responses((status = 200, body = UploadedImage), (status = 400), (status = 401), (status = 403), (status = 404),
        (status = 413), (status = 415)))]
pub async fn organization_logo(
    State(app): State<AppState>,
    auth: Auth,
    OrgPath(org): OrgPath,
    req: Request,
) -> ApiResult<Json<UploadedImage>> {
    require(&auth, Action::ManageOrganization { org_id: &org.id })?;
    let (upload, _) = images::read_upload(req, &app, true).await?;
    let upload = upload.ok_or_else(|| ApiError::field("file", "This field is required."))?;
    replace_logo(&app, org, upload).await
}

/// Re-crops the thumbnail of the stored logo with `bbox` (administrators, sysadmins); with a
/// `file`, replaces the logo as a POST does.
#[utoipa::path(put, path = "/organizations/{org}/logo/", operation_id = "resize_organization_logo",
    tag = "organizations",
    params(("org" = String, Path, description = "The organization ID or slug")),
    request_body(content = LogoUpload, content_type = "multipart/form-data"),
    responses((status = 200, body = UploadedImage), (status = 400), (status = 401), (status = 403), (status = 404),
        (status = 413), (status = 415)))]
pub async fn resize_organization_logo(
    State(app): State<AppState>,
    auth: Auth,
    OrgPath(mut org): OrgPath,
    req: Request,
) -> ApiResult<Json<UploadedImage>> {
    require(&auth, Action::ManageOrganization { org_id: &org.id })?;
    let (upload, bbox) = images::read_upload(req, &app, false).await?;
    if let Some(upload) = upload {
        return replace_logo(&app, org, upload).await;
    }
    let original = org
        .logo
        .clone()
        .ok_or_else(|| ApiError::field("file", "No logo to re-crop: upload one first."))?;
    let thumbnail = images::recrop(&app, &original, bbox, LOGO_THUMBNAIL_SIZE).await?;
    let previous = org.logo_thumbnail.replace(thumbnail.clone());
    save(&app, &mut org, &[thumbnail], previous.as_slice()).await?;
    Ok(Json(UploadedImage {
        image: app.files.url(&original),
        success: true,
    }))
}

/// Stores a new logo and its thumbnail, then forgets the previous ones.
async fn replace_logo(
    app: &AppState,
    mut org: Organization,
    upload: ImageUpload,
) -> ApiResult<Json<UploadedImage>> {
    let (original, thumbnail) =
        images::store_with_thumbnail(app, "logos", upload, LOGO_THUMBNAIL_SIZE).await?;
    let previous: Vec<String> = [
        org.logo.replace(original.clone()),
        org.logo_thumbnail.replace(thumbnail.clone()),
    ]
    .into_iter()
    .flatten()
    .collect();
    save(app, &mut org, &[original.clone(), thumbnail], &previous).await?;
    Ok(Json(UploadedImage {
        image: app.files.url(&original),
        success: true,
    }))
}

/// Saves the organization with its new image files; deletes the `replaced` files once saved, or
/// the `added` ones if the save fails, so no file outlives its reference.
async fn save(
    app: &AppState,
    org: &mut Organization,
    added: &[String],
    replaced: &[String],
) -> ApiResult<()> {
    org.last_modified = now();
    let outcome = app.store.update_organization(org, false).await;
    let orphans = if outcome.is_ok() { replaced } else { added };
    for key in orphans {
        app.files.delete(key).await;
    }
    Ok(outcome?)
}
