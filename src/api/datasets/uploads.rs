//! Uploading resource files: a new resource of a dataset, a new community resource, or a new
//! file for an existing one (the old file is deleted). The request goes through the streamed
//! pipeline of [`crate::api::files::upload`] (whole file or chunked); an intermediate chunk answers
//! 200 `{"success": true}`, a stored file creates or updates the resource.

use axum::Json;
use axum::extract::Multipart;
use axum::extract::State;
use axum::extract::multipart::MultipartRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use utoipa::ToSchema;

use super::community::{community_or_404, require_edit_community};
use super::model::{
    ResourceJson, UploadedCommunityResourceJson, UploadedResourceJson, community_json,
};
use super::{DatasetPath, InnerPath, require_edit};
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::Auth;
use crate::api::files::upload::{chunk_received, not_multipart};
use crate::api::files::{ResourceUpload, UploadOutcome, receive_resource_upload};
use crate::api::state::AppState;
use crate::domain::dataset::Dataset;
use crate::domain::ids::uuid4;
use crate::domain::resource::{Checksum, CommunityResource, Resource};
use crate::domain::time::{Micros, now};

/// The multipart form of an upload: a whole `file`, or one part of a chunked upload (`file`
/// with `uuid, filename, partindex, partbyteoffset, totalparts, chunksize`), the final call
/// of a chunked upload carrying no `file`.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    #[schema(value_type = Option<String>, format = Binary)]
    file: Option<Vec<u8>>,
    uuid: Option<String>,
    filename: Option<String>,
    partindex: Option<i64>,
    partbyteoffset: Option<i64>,
    totalparts: Option<i64>,
    chunksize: Option<i64>,
}

/// Runs the upload pipeline for a file of `dataset`.
async fn receive(
    app: &AppState,
    dataset: &Dataset,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<UploadOutcome> {
    let multipart = multipart.map_err(not_multipart)?;
    receive_resource_upload(
        &app.files,
        multipart,
        &dataset.slug,
        app.settings.max_upload_size as u64,
        &app.api_url("/datasets/extensions/"),
    )
    .await
}

/// What an upload sets on a resource (uData's `handle_upload` infos).
fn apply_upload(r: &mut Resource, file: &ResourceUpload, now: Micros) {
    r.title = file.filename.clone();
    r.filetype = "file".to_owned();
    r.url = file.url.clone();
    r.fs_filename = Some(file.fs_filename.clone());
    r.format = Some(file.format.clone()).filter(|f| !f.is_empty());
    r.mime = Some(file.mime.clone()).filter(|m| !m.is_empty());
    r.filesize = i64::try_from(file.size).ok();
    r.checksum = Some(Checksum {
        kind: "sha1".to_owned(),
        value: file.sha1.clone(),
    });
    r.last_modified = now;
}

fn new_resource(file: &ResourceUpload, now: Micros) -> Resource {
    let mut r = Resource {
        id: uuid4(),
        title: String::new(),
        description: None,
        filetype: "file".to_owned(),
        kind: "main".to_owned(),
        url: String::new(),
        format: None,
        mime: None,
        filesize: None,
        checksum: None,
        schema: None,
        extras: Default::default(),
        created_at: now,
        last_modified: now,
        fs_filename: None,
    };
    apply_upload(&mut r, file, now);
    r
}

/// Runs `save`; if it fails the file just stored is removed.
async fn or_discard<T>(
    app: &AppState,
    file: &ResourceUpload,
    save: impl std::future::Future<Output = ApiResult<T>>,
) -> ApiResult<T> {
    let result = save.await;
    if result.is_err() {
        app.files.delete(&file.key).await;
    }
    result
}

/// Deletes the file a resource had before its upload replaced it.
async fn delete_replaced(app: &AppState, old: &Resource, new: &Resource) {
    if let Some(key) = old.storage_key()
        && old.fs_filename != new.fs_filename
    {
        app.files.delete(&key).await;
    }
}

fn not_a_file() -> ApiError {
    ApiError::BadRequest("Only resources of filetype 'file' can have their file uploaded".into())
}

/// Uploads a file as a new resource of the dataset (its editors).
#[utoipa::path(post, path = "/datasets/{dataset}/upload/", operation_id = "upload_new_dataset_resource",
    tag = "datasets",
    params(("dataset" = String, Path, description = "The dataset ID or slug")),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 201, body = UploadedResourceJson), (status = 200, description = "A chunk was received"),
        (status = 400, description = "Upload error"), (status = 401), (status = 403), (status = 404),
        (status = 413), (status = 415, description = "Incorrect file content type")))]
pub async fn upload_new_dataset_resource(
    State(app): State<AppState>,
    auth: Auth,
    DatasetPath(dataset): DatasetPath,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<Response> {
    require_edit(&auth, &dataset)?;
    let file = match receive(&app, &dataset, multipart).await? {
        UploadOutcome::ChunkReceived => return Ok(chunk_received()),
        UploadOutcome::Stored(file) => file,
    };
    let now = now();
    let resource = new_resource(&file, now);
    or_discard(&app, &file, async {
        Ok(app.store.add_resource(&dataset.id, &resource, now).await?)
    })
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(UploadedResourceJson {
            resource: ResourceJson::new(&app, &resource),
            success: true,
        }),
    )
        .into_response())
}

/// Replaces the file of an uploaded resource; the old file is deleted.
#[utoipa::path(post, path = "/datasets/{dataset}/resources/{rid}/upload/", operation_id = "upload_dataset_resource",
    tag = "datasets",
    params(("dataset" = String, Path, description = "The dataset ID or slug"),
        ("rid" = String, Path, description = "The resource unique identifier")),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 200, body = UploadedResourceJson), (status = 400, description = "Upload error"),
        (status = 401), (status = 403), (status = 404), (status = 413),
        (status = 415, description = "Incorrect file content type")))]
pub async fn upload_dataset_resource(
    State(app): State<AppState>,
    auth: Auth,
    DatasetPath(dataset): DatasetPath,
    InnerPath(rid): InnerPath,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<Response> {
    require_edit(&auth, &dataset)?;
    let old = app
        .store
        .resource(&dataset.id, &rid)
        .await?
        .ok_or_else(|| ApiError::NotFound("Resource does not exist".into()))?;
    if old.filetype != "file" {
        return Err(not_a_file());
    }
    let file = match receive(&app, &dataset, multipart).await? {
        UploadOutcome::ChunkReceived => return Ok(chunk_received()),
        UploadOutcome::Stored(file) => file,
    };
    let now = now();
    let mut resource = old.clone();
    apply_upload(&mut resource, &file, now);
    or_discard(&app, &file, async {
        Ok(app
            .store
            .update_resource(&dataset.id, &old, &resource, now)
            .await?)
    })
    .await?;
    delete_replaced(&app, &old, &resource).await;
    Ok(Json(UploadedResourceJson {
        resource: ResourceJson::new(&app, &resource),
        success: true,
    })
    .into_response())
}

/// Uploads a file as a new community resource of the dataset, owned by the caller.
#[utoipa::path(post, path = "/datasets/{dataset}/upload/community/", operation_id = "upload_new_community_resource",
    tag = "datasets",
    params(("dataset" = String, Path, description = "The dataset ID or slug")),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 201, body = UploadedCommunityResourceJson), (status = 200, description = "A chunk was received"),
        (status = 400, description = "Upload error"), (status = 401), (status = 404), (status = 413),
        (status = 415, description = "Incorrect file content type")))]
pub async fn upload_new_community_resource(
    State(app): State<AppState>,
    auth: Auth,
    DatasetPath(dataset): DatasetPath,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<Response> {
    let actor = auth.required()?;
    super::ensure_readable(&auth, &dataset)?;
    let file = match receive(&app, &dataset, multipart).await? {
        UploadOutcome::ChunkReceived => return Ok(chunk_received()),
        UploadOutcome::Stored(file) => file,
    };
    let now = now();
    let community = CommunityResource {
        resource: new_resource(&file, now),
        dataset: dataset.id.clone(),
        owner: Some(actor.user.id.clone()),
        organization: None,
    };
    or_discard(&app, &file, async {
        Ok(app
            .store
            .save_community_resource(&community, "create", now)
            .await?)
    })
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(UploadedCommunityResourceJson {
            resource: community_json(&app, &auth, &community).await?,
            success: true,
        }),
    )
        .into_response())
}

/// Replaces the file of a community resource (its owner, its organization's members,
/// sysadmins); the old file is deleted.
#[utoipa::path(post, path = "/datasets/community_resources/{community}/upload/", operation_id = "upload_community_resource",
    tag = "datasets",
    params(("community" = String, Path, description = "The community resource unique identifier"),
        ("dataset" = Option<String>, Query, description = "The dataset ID or slug (unused)")),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 200, body = UploadedCommunityResourceJson), (status = 400, description = "Upload error"),
        (status = 401), (status = 403), (status = 404), (status = 413),
        (status = 415, description = "Incorrect file content type")))]
pub async fn upload_community_resource(
    State(app): State<AppState>,
    auth: Auth,
    InnerPath(id): InnerPath,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<Response> {
    let old = community_or_404(&app, &id).await?;
    require_edit_community(&auth, &old)?;
    if old.resource.filetype != "file" {
        return Err(not_a_file());
    }
    let dataset = app
        .store
        .dataset_by_id(&old.dataset)
        .await?
        .ok_or_else(|| ApiError::NotFound("Dataset not found".into()))?;
    let file = match receive(&app, &dataset, multipart).await? {
        UploadOutcome::ChunkReceived => return Ok(chunk_received()),
        UploadOutcome::Stored(file) => file,
    };
    let now = now();
    let mut community = old.clone();
    apply_upload(&mut community.resource, &file, now);
    or_discard(&app, &file, async {
        Ok(app
            .store
            .save_community_resource(&community, "update", now)
            .await?)
    })
    .await?;
    delete_replaced(&app, &old.resource, &community.resource).await;
    Ok(Json(UploadedCommunityResourceJson {
        resource: community_json(&app, &auth, &community).await?,
        success: true,
    })
    .into_response())
}
