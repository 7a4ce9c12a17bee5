//! `/spatial/zone/{id}/`, `/spatial/zone/{id}/datasets/`, `/spatial/zones/{ids}/` and
//! `/spatial/zones/suggest/`.

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use utoipa::IntoParams;

use super::model::{FeatureCollectionJson, FeatureJson, ZoneSuggestion};
use crate::api::datasets::model::DatasetReference;
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::ApiQuery;
use crate::api::organizations::check_flag;
use crate::api::organizations::lists::SuggestQuery;
use crate::api::state::AppState;
use crate::domain::geozone::{GeoZone, without_validity};
use crate::domain::validation::FieldErrors;

/// Datasets of `/spatial/zone/{id}/datasets/` when `size` is absent (uData's default).
const DEFAULT_ZONE_DATASETS: i64 = 25;

/// The zone named in a path, by id or GeoID (a validity suffix is ignored, as uData does); 404
/// when unknown.
async fn zone_of_path(app: &AppState, id: &str) -> ApiResult<GeoZone> {
    let id = without_validity(id).to_owned();
    app.store
        .resolve_geozones(std::slice::from_ref(&id))
        .await?
        .pop()
        .flatten()
        .ok_or_else(ApiError::not_found)
}

/// A zone as a GeoJSON feature (without geometry): `{"id", "type": "Feature", "properties":
/// {"slug", "name", "code", "uri", "level"}}`.
#[utoipa::path(get, path = "/spatial/zone/{id}/", operation_id = "spatial_zone", tag = "spatial",
    params(("id" = String, Path, description = "A zone identifier")),
    responses((status = 200, body = FeatureJson), (status = 404)))]
pub async fn get_zone(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<FeatureJson>> {
    let zone = zone_of_path(&app, &id).await?;
    Ok(Json(FeatureJson::of_zone(&zone)))
}

/// Zones as a GeoJSON feature collection, in the order asked; 404 naming the unknown ones.
#[utoipa::path(get, path = "/spatial/zones/{ids}/", operation_id = "spatial_zones", tag = "spatial",
    params(("ids" = String, Path, description = "A zone identifiers list (comma separated)")),
    responses((status = 200, body = FeatureCollectionJson), (status = 404)))]
pub async fn get_zones(
    State(app): State<AppState>,
    Path(ids): Path<String>,
) -> ApiResult<Json<FeatureCollectionJson>> {
    let ids: Vec<String> = ids
        .split(',')
        .map(|id| without_validity(id.trim()).to_owned())
        .collect();
    let zones = app.store.resolve_geozones(&ids).await?;
    let unknown: Vec<&str> = ids
        .iter()
        .zip(&zones)
        .filter(|(_, zone)| zone.is_none())
        .map(|(id, _)| id.as_str())
        .collect();
    if !unknown.is_empty() {
        return Err(ApiError::NotFound(format!(
            "Unknown zone(s): {}",
            unknown.join(", ")
        )));
    }
    Ok(Json(FeatureCollectionJson::new(
        zones.iter().flatten().map(FeatureJson::of_zone).collect(),
    )))
}

/// Zones whose name, code or identifier contains `q`, case and accents aside; the largest
/// levels first (as uData), then the shortest names.
#[utoipa::path(get, path = "/spatial/zones/suggest/", operation_id = "suggest_zones", tag = "spatial",
    params(SuggestQuery),
    responses((status = 200, body = Vec<ZoneSuggestion>), (status = 400)))]
pub async fn suggest_zones(
    State(app): State<AppState>,
    ApiQuery(query): ApiQuery<SuggestQuery>,
) -> ApiResult<Json<Vec<ZoneSuggestion>>> {
    let (q, size) = query.validated(app.settings.max_page_size)?;
    let zones = app.store.suggest_geozones(q, size).await?;
    Ok(Json(zones.into_iter().map(ZoneSuggestion::from).collect()))
}

/// Query of `GET /spatial/zone/{id}/datasets/`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ZoneDatasetsQuery {
    /// Append dynamic datasets (accepted; uData appends none either, as its setting is off)
    #[param(value_type = Option<bool>)]
    pub dynamic: Option<String>,
    /// The amount of datasets to fetch (default 25)
    pub size: Option<i64>,
}

/// Public datasets (not deleted nor archived) covering the zone, oldest first, as references.
#[utoipa::path(get, path = "/spatial/zone/{id}/datasets/", operation_id = "spatial_zone_datasets",
    tag = "spatial",
    params(("id" = String, Path, description = "A zone identifier"), ZoneDatasetsQuery),
    responses((status = 200, body = Vec<DatasetReference>), (status = 400), (status = 404)))]
pub async fn zone_datasets(
    State(app): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ZoneDatasetsQuery>,
) -> ApiResult<Json<Vec<DatasetReference>>> {
    let mut errors = FieldErrors::default();
    check_flag(&mut errors, "dynamic", query.dynamic.as_deref());
    let size = query.size.unwrap_or(DEFAULT_ZONE_DATASETS);
    let max = app.settings.max_page_size;
    if !(1..=max).contains(&size) {
        errors.add("size", &format!("Must be between 1 and {max}."));
    }
    errors.into_result().map_err(ApiError::validation)?;
    let zone = zone_of_path(&app, &id).await?;
    let datasets = app.store.zone_datasets(&zone.id, size).await?;
    Ok(Json(
        datasets
            .iter()
            .map(|d| DatasetReference::new(&app, d))
            .collect(),
    ))
}
