//! Featuring a dataset (sysadmins).

use axum::Json;
use axum::extract::State;

use super::model::{DatasetJson, dataset_json};
use super::{DatasetPath, require_sysadmin};
use crate::api::error::ApiResult;
use crate::api::extract::Auth;
use crate::api::state::AppState;

async fn set_featured(
    app: &AppState,
    auth: &Auth,
    mut dataset: crate::domain::dataset::Dataset,
    featured: bool,
) -> ApiResult<Json<DatasetJson>> {
    require_sysadmin(auth)?;
    dataset.featured = featured;
    app.store.update_dataset(&mut dataset, false).await?;
    Ok(Json(dataset_json(app, auth, &dataset).await?))
}

/// Marks the dataset as featured.
#[utoipa::path(post, path = "/datasets/{dataset}/featured/", operation_id = "feature_dataset", tag = "datasets",
    params(("dataset" = String, Path, description = "The dataset ID or slug")),
    responses((status = 200, body = DatasetJson), (status = 401), (status = 403), (status = 404)))]
pub async fn feature_dataset(
    State(app): State<AppState>,
    auth: Auth,
    DatasetPath(dataset): DatasetPath,
) -> ApiResult<Json<DatasetJson>> {
    set_featured(&app, &auth, dataset, true).await
}

/// Unmarks the dataset as featured.
#[utoipa::path(delete, path = "/datasets/{dataset}/featured/", operation_id = "unfeature_dataset", tag = "datasets",
    params(("dataset" = String, Path, description = "The dataset ID or slug")),
    responses((status = 200, body = DatasetJson), (status = 401), (status = 403), (status = 404)))]
pub async fn unfeature_dataset(
    State(app): State<AppState>,
    auth: Auth,
    DatasetPath(dataset): DatasetPath,
) -> ApiResult<Json<DatasetJson>> {
    set_featured(&app, &auth, dataset, false).await
}
