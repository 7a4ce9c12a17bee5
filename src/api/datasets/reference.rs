//! The reference lists of the datasets namespace: licenses, frequencies, resource types,
//! allowed extensions, badges and the schema catalogue.

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use parking_lot::RwLock;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::error::ApiResult;
use crate::api::state::AppState;
use crate::domain::frequency::FREQUENCIES;
use crate::domain::license::License;
use crate::outbound::Outbound;

pub const OPERATIONS: &[&str] = &[
    "GET /datasets/licenses/",
    "GET /datasets/frequencies/",
    "GET /datasets/resource_types/",
    "GET /datasets/extensions/",
    "GET /datasets/badges/",
    "GET /datasets/schemas/",
];

pub const MODELS: &[(&str, &str)] = &[
    ("License", "License"),
    ("Frequency", "Frequency"),
    ("ResourceType", "ResourceType"),
    ("CatalogSchema", "CatalogSchema"),
    ("CatalogSchemaVersion", "CatalogSchemaVersion"),
    ("CatalogSchemaExample", "CatalogSchemaExample"),
];

/// Resource types, id → label (uData's `RESOURCE_TYPES`, in its order).
pub const RESOURCE_TYPES: &[(&str, &str)] = &[
    ("main", "Main file"),
    ("documentation", "Documentation"),
    ("update", "Update"),
    ("api", "API"),
    ("code", "Code repository"),
    ("other", "Other"),
];

/// Dataset badge kinds, kind → label (uData's dataset `BADGES`).
pub const BADGE_KINDS: &[(&str, &str)] = &[
    ("pivotal-data", "Pivotal data"),
    ("spd", "Reference data public service"),
    ("inspire", "Inspire"),
    ("hvd", "High value datasets"),
    ("sl", "Certified statistic series"),
    ("sr", "Statistical series of general interest"),
];

/// Badge kinds not offered by `/datasets/badges/` (uData's `DATASET_HIDDEN_BADGES`, empty by
/// default); datasets may still carry and be filtered by them.
pub const HIDDEN_BADGES: &[&str] = &[];

/// Schema types that cannot be assigned to a resource, hence not listed.
const NON_ASSIGNABLE_SCHEMA_TYPES: &[&str] = &["datapackage"];

/// Largest schema catalogue accepted (schema.data.gouv.fr's is a few hundred kilobytes).
pub const MAX_CATALOG_BYTES: usize = 20 * 1024 * 1024;

/// How often `plateau serve` reads a configured schema catalogue again.
pub const CATALOG_REFRESH_INTERVAL: Duration = Duration::from_secs(3600);

/// The schema catalogue shipped with the binary (see `assets/README.md`).
pub const SHIPPED_SCHEMA_CATALOG: &str = include_str!("../../../assets/schemas.json");

/// A license as served (`License`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = License)]
pub struct LicenseJson {
    pub id: String,
    pub title: String,
    pub maintainer: Option<String>,
    pub url: Option<String>,
    pub flags: Vec<String>,
    pub alternate_urls: Vec<String>,
    pub alternate_titles: Vec<String>,
}

impl From<License> for LicenseJson {
    fn from(l: License) -> Self {
        LicenseJson {
            id: l.id,
            title: l.title,
            maintainer: l.maintainer,
            url: l.url,
            flags: l.flags,
            alternate_urls: l.alternate_urls,
            alternate_titles: l.alternate_titles,
        }
    }
}

/// An id with its display label (`Frequency`, `ResourceType`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Frequency)]
pub struct FrequencyJson {
    pub id: &'static str,
    pub label: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ResourceType)]
pub struct ResourceTypeJson {
    pub id: &'static str,
    pub label: &'static str,
}

/// One schema of the catalogue, with the fields uData marshals (absent ones are `null`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(as = CatalogSchema)]
pub struct CatalogSchema {
    pub name: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub schema_url: Option<String>,
    pub schema_type: Option<String>,
    pub contact: Option<String>,
    pub examples: Option<Vec<CatalogSchemaExample>>,
    pub labels: Option<Vec<String>>,
    pub consolidation_dataset_id: Option<String>,
    pub versions: Option<Vec<CatalogSchemaVersion>>,
    pub external_doc: Option<String>,
    pub external_tool: Option<String>,
    pub homepage: Option<String>,
    pub datapackage_title: Option<String>,
    pub datapackage_name: Option<String>,
    pub datapackage_description: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CatalogSchemaExample {
    pub title: Option<String>,
    pub path: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CatalogSchemaVersion {
    pub version_name: Option<String>,
    pub schema_url: Option<String>,
}

/// The schemas of the catalogue (`{"schemas": [...]}`), as the server currently knows them.
pub struct SchemaCatalog(RwLock<Arc<Vec<CatalogSchema>>>);

impl Default for SchemaCatalog {
    fn default() -> Self {
        SchemaCatalog(RwLock::new(Arc::new(
            parse_catalog(SHIPPED_SCHEMA_CATALOG.as_bytes())
                .expect("the shipped schema catalogue is valid"),
        )))
    }
}

/// Reads a catalogue document (schema.data.gouv.fr's `schemas.json` format).
pub fn parse_catalog(json: &[u8]) -> Result<Vec<CatalogSchema>, String> {
    #[derive(Deserialize)]
    struct Catalog {
        schemas: Vec<CatalogSchema>,
    }
    serde_json::from_slice::<Catalog>(json)
        .map(|c| c.schemas)
        .map_err(|e| format!("not a schema catalogue: {e}"))
}

impl SchemaCatalog {
    /// Every schema of the catalogue (datapackages included).
    pub fn all(&self) -> Arc<Vec<CatalogSchema>> {
        self.0.read().clone()
    }

    /// The schemas a resource may declare (what `/datasets/schemas/` lists).
    pub fn assignable(&self) -> Vec<CatalogSchema> {
        self.all()
            .iter()
            .filter(|s| {
                !s.schema_type
                    .as_deref()
                    .is_some_and(|t| NON_ASSIGNABLE_SCHEMA_TYPES.contains(&t))
            })
            .cloned()
            .collect()
    }

    /// Replaces the catalogue; an empty one is refused (the previous one is kept).
    pub fn replace(&self, schemas: Vec<CatalogSchema>) -> bool {
        if schemas.is_empty() {
            return false;
        }
        *self.0.write() = Arc::new(schemas);
        true
    }

    /// Reads the catalogue at `location` (`--schema-catalog-url`: an http(s) URL, fetched
    /// through `outbound`, a `file://` URL or a path) and serves it; when it cannot be read,
    /// keeps the current one and logs why. True when the catalogue was replaced.
    pub async fn load_from(&self, location: &str, outbound: &Outbound) -> bool {
        let result = read_catalog(location, outbound).await;
        match result.map(|schemas| (schemas.len(), self.replace(schemas))) {
            Ok((count, true)) => {
                tracing::info!(location, schemas = count, "schema catalogue loaded");
                true
            }
            Ok((_, false)) => {
                tracing::warn!(location, "empty schema catalogue; keeping the current one");
                false
            }
            Err(error) => {
                tracing::warn!(location, %error, "cannot load the schema catalogue; keeping the current one");
                false
            }
        }
    }
}

/// Reads the catalogue at `location` again every `every` in the background, as uData caches
/// it; a failed read keeps the catalogue served until then.
pub fn spawn_catalog_refresh(
    app: AppState,
    location: String,
    every: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            app.schema_catalog.load_from(&location, &app.outbound).await;
        }
    })
}

async fn read_catalog(location: &str, outbound: &Outbound) -> Result<Vec<CatalogSchema>, String> {
    let document = outbound.read_location(location, MAX_CATALOG_BYTES).await?;
    parse_catalog(&document)
}

/// The reference-list routes, to merge into the datasets namespace.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_licenses))
        .routes(routes!(list_frequencies))
        .routes(routes!(resource_types))
        .routes(routes!(allowed_extensions))
        .routes(routes!(available_dataset_badges))
        .routes(routes!(schemas))
}

/// All available licenses.
#[utoipa::path(get, path = "/datasets/licenses/", operation_id = "list_licenses", tag = "datasets",
    responses((status = 200, body = Vec<LicenseJson>)))]
pub async fn list_licenses(State(app): State<AppState>) -> ApiResult<Json<Vec<LicenseJson>>> {
    let licenses = app.store.licenses().await?;
    Ok(Json(licenses.into_iter().map(LicenseJson::from).collect()))
}

/// All available update frequencies.
#[utoipa::path(get, path = "/datasets/frequencies/", operation_id = "list_frequencies", tag = "datasets",
    responses((status = 200, body = Vec<FrequencyJson>)))]
pub async fn list_frequencies() -> Json<Vec<FrequencyJson>> {
    Json(
        FREQUENCIES
            .iter()
            .map(|(id, label, _)| FrequencyJson { id, label })
            .collect(),
    )
}

/// All resource types.
#[utoipa::path(get, path = "/datasets/resource_types/", operation_id = "resource_types", tag = "datasets",
    responses((status = 200, body = Vec<ResourceTypeJson>)))]
pub async fn resource_types() -> Json<Vec<ResourceTypeJson>> {
    Json(
        RESOURCE_TYPES
            .iter()
            .map(|(id, label)| ResourceTypeJson { id, label })
            .collect(),
    )
}

/// All allowed resource file extensions, sorted.
#[utoipa::path(get, path = "/datasets/extensions/", operation_id = "allowed_extensions", tag = "datasets",
    responses((status = 200, body = Vec<String>)))]
pub async fn allowed_extensions() -> Json<Vec<&'static str>> {
    Json(crate::files::names::allowed_extensions())
}

/// The badge kinds a dataset may be given, kind → label.
#[utoipa::path(get, path = "/datasets/badges/", operation_id = "available_dataset_badges", tag = "datasets",
    responses((status = 200, description = "Badge labels by kind", body = Object)))]
pub async fn available_dataset_badges() -> Json<Map<String, Value>> {
    Json(
        BADGE_KINDS
            .iter()
            .filter(|(kind, _)| !HIDDEN_BADGES.contains(kind))
            .map(|(kind, label)| ((*kind).to_owned(), Value::from(*label)))
            .collect(),
    )
}

/// The schemas resources may declare, from the schema catalogue.
#[utoipa::path(get, path = "/datasets/schemas/", operation_id = "schemas", tag = "datasets",
    responses((status = 200, body = Vec<CatalogSchema>)))]
pub async fn schemas(State(app): State<AppState>) -> Json<Vec<CatalogSchema>> {
    Json(app.schema_catalog.assignable())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_catalogue_lists_assignable_schemas_only() {
        let catalog = SchemaCatalog::default();
        assert_eq!(catalog.all().len(), 3);
        let names: Vec<_> = catalog
            .assignable()
            .into_iter()
            .filter_map(|s| s.name)
            .collect();
        assert_eq!(
            names,
            [
                "etalab/schema-irve-statique",
                "139bercy/format-commande-publique"
            ]
        );
        assert!(!catalog.replace(vec![]));
    }
}
