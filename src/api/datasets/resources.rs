//! A dataset's resources: add (remote only; uploads are the files work's), reorder, read,
//! change, remove; and `/datasets/r/{id}`, the permanent link to a resource's current URL.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;
use utoipa::IntoParams;

use super::model::ResourceJson;
use super::{DatasetPath, InnerPath, ensure_readable, require_edit};
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiJson, ApiQuery, Auth};
use crate::api::state::AppState;
use crate::domain::ids::uuid4;
use crate::domain::resource::{Resource, ResourceInput};
use crate::domain::time::now;

fn resource_not_found() -> ApiError {
    ApiError::NotFound("Resource does not exist".into())
}

async fn resource_or_404(app: &AppState, dataset_id: &str, rid: &str) -> ApiResult<Resource> {
    app.store
        .resource(dataset_id, rid)
        .await?
        .ok_or_else(resource_not_found)
}

/// Adds a remote resource, placed first (`filetype: file` is for the upload endpoints).
#[utoipa::path(post, path = "/datasets/{dataset}/resources/", operation_id = "create_resource", tag = "datasets",
    params(("dataset" = String, Path, description = "The dataset ID or slug")),
    request_body = ResourceJson,
    responses((status = 201, body = ResourceJson), (status = 400), (status = 401), (status = 403),
        (status = 404)))]
pub async fn create_resource(
    State(app): State<AppState>,
    auth: Auth,
    DatasetPath(dataset): DatasetPath,
    body: Result<ApiJson<Value>, ApiError>,
) -> ApiResult<(StatusCode, Json<ResourceJson>)> {
    require_edit(&auth, &dataset)?;
    let ApiJson(body) = body?;
    let input = ResourceInput::parse(&body, true).map_err(ApiError::validation)?;
    if input.filetype_or_default() != "remote" {
        return Err(ApiError::BadRequest(
            "This endpoint only supports remote resources".into(),
        ));
    }
    let now = now();
    let resource = input.create(uuid4(), now);
    app.store.add_resource(&dataset.id, &resource, now).await?;
    Ok((
        StatusCode::CREATED,
        Json(ResourceJson::new(&app, &resource)),
    ))
}

/// Reorders the resources: the body lists every resource (objects with an `id`, or ids) in
/// the new order. Answers the resources in that order.
#[utoipa::path(put, path = "/datasets/{dataset}/resources/", operation_id = "update_resources", tag = "datasets",
    params(("dataset" = String, Path, description = "The dataset ID or slug")),
    request_body = Vec<ResourceJson>,
    responses((status = 200, body = Vec<ResourceJson>), (status = 400), (status = 401), (status = 403),
        (status = 404)))]
pub async fn update_resources(
    State(app): State<AppState>,
    auth: Auth,
    DatasetPath(dataset): DatasetPath,
    body: Result<ApiJson<Value>, ApiError>,
) -> ApiResult<Json<Vec<ResourceJson>>> {
    require_edit(&auth, &dataset)?;
    let ApiJson(body) = body?;
    let items = body
        .as_array()
        .ok_or_else(|| ApiError::BadRequest("Expecting the list of resources".into()))?;
    let current = app.store.resource_ids(&dataset.id).await?;
    if items.len() != current.len() {
        return Err(ApiError::BadRequest(format!(
            "All resources must be reordered, you provided {} out of {}",
            items.len(),
            current.len()
        )));
    }
    let mut ids = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Value::String(id) => ids.push(id.clone()),
            Value::Object(map) => match map.get("id").and_then(Value::as_str) {
                Some(id) => ids.push(id.to_owned()),
                None => {
                    return Err(ApiError::BadRequest(
                        "Each resource must have an 'id' field".into(),
                    ));
                }
            },
            _ => {
                return Err(ApiError::BadRequest(
                    "Each resource must be an id or an object with an 'id' field".into(),
                ));
            }
        }
    }
    let wanted: std::collections::HashSet<&str> = ids.iter().map(String::as_str).collect();
    let existing: std::collections::HashSet<&str> = current.iter().map(String::as_str).collect();
    if wanted != existing || wanted.len() != ids.len() {
        return Err(ApiError::BadRequest(
            "Resource ids must match existing ones in dataset".into(),
        ));
    }
    app.store
        .reorder_resources(&dataset.id, &ids, now())
        .await?;
    let resources = app.store.resources_of(&dataset.id).await?;
    Ok(Json(
        resources
            .iter()
            .map(|r| ResourceJson::new(&app, r))
            .collect(),
    ))
}

/// One resource of a dataset, under the dataset's visibility rules.
#[utoipa::path(get, path = "/datasets/{dataset}/resources/{rid}/", operation_id = "get_resource", tag = "datasets",
    params(("dataset" = String, Path, description = "The dataset ID or slug"),
        ("rid" = String, Path, description = "The resource unique identifier")),
    responses((status = 200, body = ResourceJson), (status = 404), (status = 410)))]
pub async fn get_resource(
    State(app): State<AppState>,
    auth: Auth,
    DatasetPath(dataset): DatasetPath,
    InnerPath(rid): InnerPath,
) -> ApiResult<Json<ResourceJson>> {
    ensure_readable(&auth, &dataset)?;
    let resource = resource_or_404(&app, &dataset.id, &rid).await?;
    Ok(Json(ResourceJson::new(&app, &resource)))
}

/// Changes a resource; its filetype cannot change, nor the url of an uploaded file.
#[utoipa::path(put, path = "/datasets/{dataset}/resources/{rid}/", operation_id = "update_resource", tag = "datasets",
    params(("dataset" = String, Path, description = "The dataset ID or slug"),
        ("rid" = String, Path, description = "The resource unique identifier")),
    request_body = ResourceJson,
    responses((status = 200, body = ResourceJson), (status = 400), (status = 401), (status = 403),
        (status = 404)))]
pub async fn update_resource(
    State(app): State<AppState>,
    auth: Auth,
    DatasetPath(dataset): DatasetPath,
    InnerPath(rid): InnerPath,
    body: Result<ApiJson<Value>, ApiError>,
) -> ApiResult<Json<ResourceJson>> {
    require_edit(&auth, &dataset)?;
    let old = resource_or_404(&app, &dataset.id, &rid).await?;
    let ApiJson(body) = body?;
    let input = ResourceInput::parse(&body, false).map_err(ApiError::validation)?;
    if let Some(Some(filetype)) = &input.filetype
        && *filetype != old.filetype
    {
        return Err(ApiError::BadRequest(
            "Cannot modify filetype after creation".into(),
        ));
    }
    let mut resource = old.clone();
    let now = now();
    input.apply(&mut resource, now);
    app.store
        .update_resource(&dataset.id, &old, &resource, now)
        .await?;
    Ok(Json(ResourceJson::new(&app, &resource)))
}

/// Removes a resource for good.
#[utoipa::path(delete, path = "/datasets/{dataset}/resources/{rid}/", operation_id = "delete_resource", tag = "datasets",
    params(("dataset" = String, Path, description = "The dataset ID or slug"),
        ("rid" = String, Path, description = "The resource unique identifier")),
    responses((status = 204), (status = 401), (status = 403), (status = 404)))]
pub async fn delete_resource(
    State(app): State<AppState>,
    auth: Auth,
    DatasetPath(dataset): DatasetPath,
    InnerPath(rid): InnerPath,
) -> ApiResult<StatusCode> {
    require_edit(&auth, &dataset)?;
    let resource = resource_or_404(&app, &dataset.id, &rid).await?;
    app.store
        .delete_resource(&dataset.id, &resource, now())
        .await?;
    if let Some(key) = resource.storage_key() {
        app.files.delete(&key).await;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Query of `/datasets/r/{id}`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RedirectQuery {
    /// The dataset ID or slug (unused: resource ids are unique)
    #[allow(dead_code)]
    pub dataset: Option<String>,
}

/// 302 to the current URL of a resource or community resource.
#[utoipa::path(get, path = "/datasets/r/{id}", operation_id = "redirect_resource", tag = "datasets",
    params(("id" = String, Path, description = "The resource unique identifier"), RedirectQuery),
    responses((status = 302, description = "To the resource's URL"), (status = 404)))]
pub async fn redirect_resource(
    State(app): State<AppState>,
    InnerPath(id): InnerPath,
    ApiQuery(_query): ApiQuery<RedirectQuery>,
) -> ApiResult<Response> {
    let url = app
        .store
        .resource_url(&id)
        .await?
        .ok_or_else(|| ApiError::NotFound("Resource not found".into()))?;
    let location = HeaderValue::from_str(url.trim())
        .map_err(|_| ApiError::NotFound("Resource not found".into()))?;
    Ok((StatusCode::FOUND, [(header::LOCATION, location)]).into_response())
}
