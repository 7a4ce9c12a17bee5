//! `/spatial/`: the geozone registry (levels, granularities, zones, suggestions) and the
//! datasets covering each zone.

pub mod coverage;
pub mod levels;
pub mod model;
pub mod zones;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::state::AppState;

pub const OPERATIONS: &[&str] = &[
    "GET /spatial/levels/",
    "GET /spatial/granularities/",
    "GET /spatial/coverage/{level}/",
    "GET /spatial/zone/{id}/",
    "GET /spatial/zone/{id}/datasets/",
    "GET /spatial/zones/{ids}/",
    "GET /spatial/zones/suggest/",
];

pub const MODELS: &[(&str, &str)] = &[
    ("GeoLevel", "GeoLevel"),
    ("GeoGranularity", "GeoGranularity"),
    ("TerritorySuggestion", "TerritorySuggestion"),
    ("GeoJSONFeatureCollection", "GeoJSONFeatureCollection"),
    ("GeoJSONFeature", "GeoJSONFeature"),
    ("GeoJSON", "GeoJSON"),
];

/// The routes of the namespace with their OpenAPI descriptions.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(levels::spatial_levels))
        .routes(routes!(levels::spatial_granularities))
        .routes(routes!(coverage::spatial_coverage))
        .routes(routes!(zones::get_zone))
        .routes(routes!(zones::zone_datasets))
        .routes(routes!(zones::get_zones))
        .routes(routes!(zones::suggest_zones))
}
