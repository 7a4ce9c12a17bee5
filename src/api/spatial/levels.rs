//! `/spatial/levels/` and `/spatial/granularities/`.

use axum::Json;
use axum::extract::State;

use super::model::{GranularityJson, LevelJson};
use crate::api::error::ApiResult;
use crate::api::state::AppState;
use crate::domain::geozone::BASE_GRANULARITIES;

/// Every level, in load order.
#[utoipa::path(get, path = "/spatial/levels/", operation_id = "spatial_levels", tag = "spatial",
    responses((status = 200, body = Vec<LevelJson>)))]
pub async fn spatial_levels(State(app): State<AppState>) -> ApiResult<Json<Vec<LevelJson>>> {
    let levels = app.store.geolevels().await?;
    Ok(Json(
        levels
            .into_iter()
            .map(|level| LevelJson {
                id: level.id,
                name: level.name,
            })
            .collect(),
    ))
}

/// What a dataset's `spatial.granularity` may be: the levels, then `poi` and `other`.
#[utoipa::path(get, path = "/spatial/granularities/", operation_id = "spatial_granularities",
    tag = "spatial",
    responses((status = 200, body = Vec<GranularityJson>)))]
pub async fn spatial_granularities(
    State(app): State<AppState>,
) -> ApiResult<Json<Vec<GranularityJson>>> {
    let levels = app.store.geolevels().await?;
    let base = BASE_GRANULARITIES.iter().map(|(id, name)| GranularityJson {
        id: (*id).to_owned(),
        name: (*name).to_owned(),
    });
    Ok(Json(
        levels
            .into_iter()
            .map(|level| GranularityJson {
                id: level.id,
                name: level.name,
            })
            .chain(base)
            .collect(),
    ))
}
