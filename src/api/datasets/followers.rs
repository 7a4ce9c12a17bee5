//! `/datasets/{id}/followers/`: the shared follow mechanism applied to datasets.
//! As in uData, a deleted dataset can still be listed, followed and unfollowed.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::Value;

use super::DatasetPath;
use crate::api::error::ApiResult;
use crate::api::extract::{ApiQuery, Auth};
use crate::api::followers::{self, FollowersQuery};
use crate::api::pages::FollowPage;
use crate::api::pagination::{Envelope, Pagination};
use crate::api::state::AppState;
use crate::store::follows::Followable;

/// The dataset's active followers, newest first; `user` checks whether one user follows.
#[utoipa::path(get, path = "/datasets/{id}/followers/", operation_id = "list_dataset_followers",
    tag = "datasets",
    params(("id" = String, Path, description = "The dataset ID or slug"), FollowersQuery),
    responses((status = 200, body = FollowPage), (status = 400), (status = 404)))]
pub async fn list_dataset_followers(
    State(app): State<AppState>,
    DatasetPath(dataset): DatasetPath,
    pagination: Pagination,
    ApiQuery(query): ApiQuery<FollowersQuery>,
) -> ApiResult<Json<Envelope>> {
    followers::list(
        &app,
        Followable::Dataset,
        &dataset.id,
        query.user.as_deref(),
        &pagination,
    )
    .await
}

/// Follows the dataset: 201 when new, 200 when already following; `{"followers": n}`.
#[utoipa::path(post, path = "/datasets/{id}/followers/", operation_id = "follow_dataset",
    tag = "datasets",
    params(("id" = String, Path, description = "The dataset ID or slug")),
    responses((status = 201, description = "`{\"followers\": n}`", body = Object),
        (status = 200, description = "Already following: `{\"followers\": n}`", body = Object),
        (status = 401), (status = 404)))]
pub async fn follow_dataset(
    State(app): State<AppState>,
    auth: Auth,
    DatasetPath(dataset): DatasetPath,
) -> ApiResult<(StatusCode, Json<Value>)> {
    followers::follow(&app, &auth, Followable::Dataset, &dataset.id).await
}

/// Stops following the dataset: `{"followers": n}`; 404 when not following.
#[utoipa::path(delete, path = "/datasets/{id}/followers/", operation_id = "unfollow_dataset",
    tag = "datasets",
    params(("id" = String, Path, description = "The dataset ID or slug")),
    responses((status = 200, description = "`{\"followers\": n}`", body = Object), (status = 401),
        (status = 404)))]
pub async fn unfollow_dataset(
    State(app): State<AppState>,
    auth: Auth,
    DatasetPath(dataset): DatasetPath,
) -> ApiResult<Json<Value>> {
    followers::unfollow(&app, &auth, Followable::Dataset, &dataset.id).await
}
