//! `/me/datasets/`, `/me/reuses/`, `/me/metrics/` and `/me/org_*/`: the caller's content and
//! that of their organizations, as bare (unpaginated) JSON arrays.
//!
//! Reuses and discussions are later areas: until they exist their lists are empty, and the
//! issues that add them fill these handlers.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::api::datasets::model::{
    CommunityResourceJson, DatasetJson, community_json, dataset_jsons,
};
use crate::api::error::ApiResult;
use crate::api::extract::{ApiQuery, Auth};
use crate::api::state::AppState;

/// The caller's metrics (`MyMetrics`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = MyMetrics)]
pub struct MyMetrics {
    pub id: String,
    /// Percentage of the organizations' checked resources found available; 100 when none was
    /// checked, as in uData.
    pub resources_availability: f64,
    pub datasets_org_count: i64,
    pub followers_org_count: i64,
    pub datasets_count: i64,
    pub followers_count: i64,
}

/// The `q` filter of the `/me/org_*/` lists (on titles).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FilterQuery {
    /// The string to filter items.
    pub q: Option<String>,
}

/// The caller's datasets, private ones included.
#[utoipa::path(get, path = "/me/datasets/", operation_id = "my_datasets", tag = "me",
    responses((status = 200, body = Vec<DatasetJson>, description = "Dataset list"), (status = 401)))]
pub async fn my_datasets(
    State(app): State<AppState>,
    auth: Auth,
) -> ApiResult<Json<Vec<DatasetJson>>> {
    let actor = auth.required()?;
    let datasets = app.store.datasets_owned_by(&actor.user.id).await?;
    Ok(Json(dataset_jsons(&app, &auth, &datasets).await?))
}

/// The caller's reuses, private ones included.
#[utoipa::path(get, path = "/me/reuses/", operation_id = "my_reuses", tag = "me",
    responses((status = 200, body = Vec<Value>, description = "Reuse list"), (status = 401)))]
pub async fn my_reuses(auth: Auth) -> ApiResult<Json<Vec<Value>>> {
    auth.required()?;
    Ok(Json(Vec::new()))
}

/// The caller's metrics. uData answers one object here, although its Swagger declares a list;
/// Plateau answers what uData answers.
#[utoipa::path(get, path = "/me/metrics/", operation_id = "my_metrics", tag = "me",
    responses((status = 200, body = MyMetrics), (status = 401)))]
pub async fn my_metrics(State(app): State<AppState>, auth: Auth) -> ApiResult<Json<MyMetrics>> {
    let actor = auth.required()?;
    let organizations = app.store.organizations_of(&actor.user.id).await?;
    Ok(Json(MyMetrics {
        id: actor.user.id.clone(),
        // No resource is checked for availability yet.
        resources_availability: 100.0,
        datasets_org_count: app.store.datasets_of_orgs_of(&actor.user.id).await?,
        followers_org_count: organizations.iter().map(|o| o.followers).sum(),
        datasets_count: app.store.public_datasets_of_user(&actor.user.id).await?,
        followers_count: actor.user.followers,
    }))
}

/// Datasets of the caller and of their organizations, newest change first.
#[utoipa::path(get, path = "/me/org_datasets/", operation_id = "my_org_datasets", tag = "me",
    params(FilterQuery),
    responses((status = 200, body = Vec<DatasetJson>, description = "Dataset list"), (status = 401)))]
pub async fn my_org_datasets(
    State(app): State<AppState>,
    auth: Auth,
    ApiQuery(filter): ApiQuery<FilterQuery>,
) -> ApiResult<Json<Vec<DatasetJson>>> {
    let actor = auth.required()?;
    let datasets = app
        .store
        .datasets_of_user_and_orgs(&actor.user.id, filter.q.as_deref())
        .await?;
    Ok(Json(dataset_jsons(&app, &auth, &datasets).await?))
}

/// Reuses of the caller and of their organizations, newest change first.
#[utoipa::path(get, path = "/me/org_reuses/", operation_id = "my_org_reuses", tag = "me",
    params(FilterQuery),
    responses((status = 200, body = Vec<Value>, description = "Reuse list"), (status = 401)))]
pub async fn my_org_reuses(
    auth: Auth,
    ApiQuery(_filter): ApiQuery<FilterQuery>,
) -> ApiResult<Json<Vec<Value>>> {
    auth.required()?;
    Ok(Json(Vec::new()))
}

/// Community resources of the caller and of their organizations, newest change first.
#[utoipa::path(get, path = "/me/org_community_resources/", operation_id = "my_org_community_resources", tag = "me",
    params(FilterQuery),
    responses((status = 200, body = Vec<CommunityResourceJson>, description = "CommunityResource list"), (status = 401)))]
pub async fn my_org_community_resources(
    State(app): State<AppState>,
    auth: Auth,
    ApiQuery(filter): ApiQuery<FilterQuery>,
) -> ApiResult<Json<Vec<CommunityResourceJson>>> {
    let actor = auth.required()?;
    let items = app
        .store
        .community_resources_of_user_and_orgs(&actor.user.id, filter.q.as_deref())
        .await?;
    let mut out = Vec::with_capacity(items.len());
    for c in &items {
        out.push(community_json(&app, &auth, c).await?);
    }
    Ok(Json(out))
}

/// Discussions about the content of the caller and of their organizations, newest first.
#[utoipa::path(get, path = "/me/org_discussions/", operation_id = "my_org_discussions", tag = "me",
    params(FilterQuery),
    responses((status = 200, body = Vec<Value>, description = "Discussion list"), (status = 401)))]
pub async fn my_org_discussions(
    auth: Auth,
    ApiQuery(_filter): ApiQuery<FilterQuery>,
) -> ApiResult<Json<Vec<Value>>> {
    auth.required()?;
    Ok(Json(Vec::new()))
}
