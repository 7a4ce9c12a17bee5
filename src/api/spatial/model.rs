//! The spatial area's answers, as uData marshals them: GeoJSON features without geometry (the
//! registry holds none), levels, granularities and suggestions.

use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::domain::geozone::GeoZone;

/// A feature's geometry as uData marshals an absent one through its `GeoJSON` model: both
/// fields `null`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = GeoJSON)]
pub struct GeometryJson {
    /// The GeoJSON type (`null`: zones are served without their shape)
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// The geometry as coordinates lists
    #[schema(value_type = Option<Vec<Object>>)]
    pub coordinates: Option<Vec<Value>>,
}

impl GeometryJson {
    pub fn absent() -> Self {
        GeometryJson {
            kind: None,
            coordinates: None,
        }
    }
}

/// A GeoJSON feature (`GeoJSONFeature`). A single zone (`/spatial/zone/{id}/`), which uData
/// does not marshal, has no `geometry` key; features of a collection have an absent one.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = GeoJSONFeature)]
pub struct FeatureJson {
    pub id: String,
    /// Always `Feature`
    #[serde(rename = "type")]
    #[schema(example = "Feature")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub geometry: Option<GeometryJson>,
    #[schema(value_type = Object)]
    pub properties: Value,
}

impl FeatureJson {
    /// A zone as uData's `GeoZone.toGeoJSON`: slug, name, code, uri and level.
    pub fn of_zone(zone: &GeoZone) -> Self {
        FeatureJson {
            id: zone.id.clone(),
            kind: "Feature",
            geometry: None,
            properties: json!({
                "slug": zone.slug,
                "name": zone.name,
                "code": zone.code,
                "uri": zone.uri,
                "level": zone.level,
            }),
        }
    }

    /// The same feature as an item of a collection.
    pub fn in_collection(mut self) -> Self {
        self.geometry = Some(GeometryJson::absent());
        self
    }
}

/// A GeoJSON feature collection (`GeoJSONFeatureCollection`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = GeoJSONFeatureCollection)]
pub struct FeatureCollectionJson {
    /// Always `FeatureCollection`
    #[serde(rename = "type")]
    #[schema(example = "FeatureCollection")]
    pub kind: &'static str,
    pub features: Vec<FeatureJson>,
}

impl FeatureCollectionJson {
    pub fn new(features: Vec<FeatureJson>) -> Self {
        FeatureCollectionJson {
            kind: "FeatureCollection",
            features: features
                .into_iter()
                .map(FeatureJson::in_collection)
                .collect(),
        }
    }
}

/// A level (`GeoLevel`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = GeoLevel)]
pub struct LevelJson {
    /// The level identifier
    pub id: String,
    /// The level name
    pub name: String,
}

/// A granularity (`GeoGranularity`): a level or one of the base granularities.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = GeoGranularity)]
pub struct GranularityJson {
    /// The granularity identifier
    pub id: String,
    /// The granularity name
    pub name: String,
}

/// A suggested zone (`TerritorySuggestion`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = TerritorySuggestion)]
pub struct ZoneSuggestion {
    /// The territory identifier
    pub id: String,
    /// The territory name
    pub name: String,
    /// The territory main code
    pub code: String,
    /// The territory administrative level
    pub level: String,
    /// The zone uri
    pub uri: Option<String>,
}

impl From<GeoZone> for ZoneSuggestion {
    fn from(zone: GeoZone) -> Self {
        ZoneSuggestion {
            id: zone.id,
            name: zone.name,
            code: zone.code,
            level: zone.level,
            uri: zone.uri,
        }
    }
}
