//! `/datasets/` and `/datasets/{dataset}/`: list, create, read, update, delete.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;
use utoipa::IntoParams;

use super::lists::{DatasetListQuery, tags_of, viewer};
use super::model::{DatasetJson, Resources, dataset_json, dataset_jsons};
use super::{DatasetAnswerPath, DatasetPath, answers, check_references, gone, require_edit};
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiJson, ApiQuery, Auth};
use crate::api::organizations::check_flag;
use crate::api::pages::DatasetPage;
use crate::api::pagination::Pagination;
use crate::api::state::AppState;
use crate::domain::dataset::DatasetInput;
use crate::domain::ids::{object_id, uuid4};
use crate::domain::resource::{Resource, ResourceInput};
use crate::domain::time::now;
use crate::domain::validation::FieldErrors;
use crate::store::Paged;

/// Query of `DELETE /datasets/{dataset}/`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteDatasetQuery {
    /// Send formal legal notice with appeal information to owner (admin only)
    #[param(value_type = Option<bool>)]
    pub send_legal_notice: Option<String>,
}

/// Lists the datasets the caller may see: public ones, plus their own and their
/// organizations' (all of them for sysadmins), filtered and sorted; newest first by default.
#[utoipa::path(get, path = "/datasets/", operation_id = "list_datasets", tag = "datasets",
    params(("tag" = Option<Vec<String>>, Query, description = "Only datasets with all these tags"),
        DatasetListQuery),
    responses((status = 200, body = DatasetPage), (status = 400), (status = 401), (status = 404)))]
pub async fn list_datasets(
    State(app): State<AppState>,
    auth: Auth,
    uri: Uri,
    pagination: Pagination,
    ApiQuery(query): ApiQuery<DatasetListQuery>,
) -> ApiResult<Response> {
    let filter = query.filter(tags_of(&uri), &auth)?;
    if let Some((found, visibility)) =
        super::search::list_from_index(&app, &auth, &filter, pagination.request).await?
    {
        let mut items = answers(&app, &found.ids, Resources::Listed).await?;
        items.retain(|item| item.fragments.may_list(&visibility));
        let at = now();
        let body =
            pagination.serialized_envelope(&app, &items, found.total as i64, |out, item| {
                item.fragments.write(out, &auth, at)
            })?;
        return Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response());
    }
    let paged = app
        .store
        .list_datasets(&filter, &viewer(&auth), pagination.request)
        .await?;
    let items = dataset_jsons(&app, &auth, &paged.items).await?;
    let envelope = pagination.envelope(
        &app,
        Paged {
            items,
            total: paged.total,
        },
    )?;
    Ok(Json(envelope).into_response())
}

/// Reads the resources given with a new dataset; errors are keyed `resources.<i>.<field>`.
fn new_resources(input: &DatasetInput, now: i64) -> ApiResult<Vec<Resource>> {
    let mut errors = FieldErrors::default();
    let mut resources = Vec::new();
    for (i, body) in input.resources.iter().flatten().enumerate() {
        match ResourceInput::parse(body, true) {
            Ok(resource) => resources.push(resource.create(uuid4(), now)),
            Err(field_errors) => {
                for (field, messages) in field_errors.0 {
                    for message in messages {
                        errors.add(&format!("resources.{i}.{field}"), &message);
                    }
                }
            }
        }
    }
    errors.into_result().map_err(ApiError::validation)?;
    Ok(resources)
}

/// Creates a dataset, owned by the caller or by one of their organizations.
#[utoipa::path(post, path = "/datasets/", operation_id = "create_dataset", tag = "datasets",
    request_body = DatasetJson,
    responses((status = 201, body = DatasetJson), (status = 400), (status = 401), (status = 415)))]
pub async fn create_dataset(
    State(app): State<AppState>,
    auth: Auth,
    body: Result<ApiJson<Value>, ApiError>,
) -> ApiResult<(StatusCode, Json<DatasetJson>)> {
    let actor = auth.required()?;
    let ApiJson(body) = body?;
    let mut input = DatasetInput::parse(&body, true).map_err(ApiError::validation)?;
    let ownership = check_references(&app, actor, &mut input, None).await?;
    let now = now();
    let resources = new_resources(&input, now)?;
    let mut dataset = input.create(object_id(), now);
    dataset.owner = ownership.owner;
    dataset.organization = ownership.organization;
    let dataset = app.store.create_dataset(dataset, &resources).await?;
    Ok((
        StatusCode::CREATED,
        Json(dataset_json(&app, &auth, &dataset).await?),
    ))
}

/// A dataset by id or slug: a private one is a 404 and a deleted one a 410, except for its
/// editors and sysadmins.
#[utoipa::path(get, path = "/datasets/{dataset}/", operation_id = "get_dataset", tag = "datasets",
    params(("dataset" = String, Path, description = "The dataset ID or slug")),
    responses((status = 200, body = DatasetJson), (status = 308), (status = 404), (status = 410)))]
pub async fn get_dataset(
    auth: Auth,
    DatasetAnswerPath(answer): DatasetAnswerPath,
) -> ApiResult<Response> {
    let answer = &answer.fragments;
    answer.ensure_readable(&auth)?;
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        answer.answer(&auth, now()),
    )
        .into_response())
}

/// Changes a dataset (its owner, its organization's members, sysadmins). A new title moves
/// the slug; the old one redirects. `"deleted": null` restores a deleted dataset.
#[utoipa::path(put, path = "/datasets/{dataset}/", operation_id = "update_dataset", tag = "datasets",
    params(("dataset" = String, Path, description = "The dataset ID or slug")),
    request_body = DatasetJson,
    responses((status = 200, body = DatasetJson), (status = 400), (status = 401), (status = 403),
        (status = 404), (status = 410), (status = 415)))]
pub async fn update_dataset(
    State(app): State<AppState>,
    auth: Auth,
    DatasetPath(mut dataset): DatasetPath,
    body: Result<ApiJson<Value>, ApiError>,
) -> ApiResult<Json<DatasetJson>> {
    let actor = auth.required()?;
    let ApiJson(body) = body?;
    let restoring = body.get("deleted").is_some_and(Value::is_null);
    if dataset.deleted.is_some() && !restoring {
        return Err(gone());
    }
    require_edit(&auth, &dataset)?;
    let mut input = DatasetInput::parse(&body, false).map_err(ApiError::validation)?;
    let existing = (dataset.owner.as_deref(), dataset.organization.as_deref());
    let ownership = check_references(&app, actor, &mut input, Some(existing)).await?;
    let title_changed = matches!(&input.title, Some(Some(t)) if t.trim() != dataset.title);
    input.apply(&mut dataset, now());
    dataset.owner = ownership.owner;
    dataset.organization = ownership.organization;
    app.store
        .update_dataset(&mut dataset, title_changed)
        .await?;
    Ok(Json(dataset_json(&app, &auth, &dataset).await?))
}

/// Soft-deletes a dataset (its editors, sysadmins).
#[utoipa::path(delete, path = "/datasets/{dataset}/", operation_id = "delete_dataset", tag = "datasets",
    params(("dataset" = String, Path, description = "The dataset ID or slug"), DeleteDatasetQuery),
    responses((status = 204), (status = 401), (status = 403), (status = 404), (status = 410)))]
pub async fn delete_dataset(
    State(app): State<AppState>,
    auth: Auth,
    DatasetPath(mut dataset): DatasetPath,
    query: Result<ApiQuery<DeleteDatasetQuery>, ApiError>,
) -> ApiResult<StatusCode> {
    auth.required()?;
    let ApiQuery(query) = query?;
    let mut errors = FieldErrors::default();
    // Legal notices are mails, which Plateau does not send yet: the flag is checked, then unused.
    check_flag(
        &mut errors,
        "send_legal_notice",
        query.send_legal_notice.as_deref(),
    );
    errors.into_result().map_err(ApiError::validation)?;
    if dataset.deleted.is_some() {
        return Err(gone());
    }
    require_edit(&auth, &dataset)?;
    let now = now();
    dataset.deleted = Some(now);
    dataset.last_modified = now;
    app.store.update_dataset(&mut dataset, false).await?;
    Ok(StatusCode::NO_CONTENT)
}
