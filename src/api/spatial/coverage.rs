//! `/spatial/coverage/{level}/`: every zone of a level with its number of datasets.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use parking_lot::Mutex;
use serde_json::json;

use super::model::{FeatureCollectionJson, FeatureJson};
use crate::api::error::{ApiError, ApiResult};
use crate::api::state::AppState;

/// A level's coverage is computed at most once per this period: uData serves the counts its
/// `compute-geozones-metrics` job last stored, and a level may hold tens of thousands of zones
/// and its counts cover a large part of the catalogue.
const COVERAGE_TTL: Duration = Duration::from_secs(60);

/// The serialized coverage of each level asked for lately, with when it was computed.
#[derive(Default)]
pub struct CoverageCache(Mutex<HashMap<String, (Instant, Bytes)>>);

impl CoverageCache {
    fn get(&self, level: &str) -> Option<Bytes> {
        let mut cached = self.0.lock();
        match cached.get(level) {
            Some((at, body)) if at.elapsed() < COVERAGE_TTL => Some(body.clone()),
            Some(_) => {
                cached.remove(level);
                None
            }
            None => None,
        }
    }

    fn put(&self, level: &str, body: Bytes) {
        let mut cached = self.0.lock();
        cached.retain(|_, (at, _)| at.elapsed() < COVERAGE_TTL);
        cached.insert(level.to_owned(), (Instant::now(), body));
    }

    /// Forgets every computed coverage (used by tests and after bulk changes).
    pub fn invalidate(&self) {
        self.0.lock().clear();
    }
}

/// Every zone of the level, by code, as a GeoJSON feature collection whose properties are the
/// name, code, uri and number of visible datasets (`datasets`); counts are at most a minute
/// old. 404 for an unknown level.
#[utoipa::path(get, path = "/spatial/coverage/{level}/", operation_id = "spatial_coverage",
    tag = "spatial",
    params(("level" = String, Path, description = "A level identifier")),
    responses((status = 200, body = FeatureCollectionJson), (status = 404)))]
pub async fn spatial_coverage(
    State(app): State<AppState>,
    Path(level): Path<String>,
) -> ApiResult<Response> {
    let body = match app.spatial_coverage.get(&level) {
        Some(body) => body,
        None => {
            if !app.store.geolevel_exists(&level).await? {
                return Err(ApiError::not_found());
            }
            let features = app
                .store
                .geozone_coverage(&level)
                .await?
                .into_iter()
                .map(|coverage| FeatureJson {
                    properties: json!({
                        "name": coverage.zone.name,
                        "code": coverage.zone.code,
                        "uri": coverage.zone.uri,
                        "datasets": coverage.datasets,
                    }),
                    ..FeatureJson::of_zone(&coverage.zone)
                })
                .collect();
            let body = Bytes::from(
                serde_json::to_vec(&FeatureCollectionJson::new(features))
                    .expect("a feature collection serializes"),
            );
            app.spatial_coverage.put(&level, body.clone());
            body
        }
    };
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}
