//! `/site/`: the portal's identity and metrics.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::State;
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, ApiResult};
use super::extract::{ApiJson, Auth};
use super::state::AppState;
use crate::domain::permissions::{Action, can};
use crate::domain::validation::FieldErrors;
use crate::store::site::SiteCounts;

pub const OPERATIONS: &[&str] = &["GET /site/", "PATCH /site/"];
pub const MODELS: &[(&str, &str)] = &[("Site", "Site (read)"), ("SiteWrite", "Site (write)")];

/// Site metrics are computed at most once per this period, as uData's periodic metrics job
/// does, so the site endpoint never scans the catalogue per request.
const METRICS_TTL: Duration = Duration::from_secs(60);

/// The last computed site metrics and when they were computed.
#[derive(Default)]
pub struct SiteMetricsCache(Mutex<Option<(Instant, Arc<SiteCounts>)>>);

impl SiteMetricsCache {
    async fn get(&self, app: &AppState) -> ApiResult<Arc<SiteCounts>> {
        if let Some((at, counts)) = &*self.0.lock()
            && at.elapsed() < METRICS_TTL
        {
            return Ok(counts.clone());
        }
        let counts = Arc::new(app.store.site_counts().await?);
        *self.0.lock() = Some((Instant::now(), counts.clone()));
        Ok(counts)
    }

    /// Forgets the cached metrics (used by tests and after bulk changes).
    pub fn invalidate(&self) {
        *self.0.lock() = None;
    }
}

/// The site as served (`Site (read)`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Site)]
pub struct SiteJson {
    pub id: String,
    pub title: String,
    pub keywords: Vec<String>,
    pub feed_size: i64,
    pub datasets_page: Option<String>,
    pub reuses_page: Option<String>,
    pub dataservices_page: Option<String>,
    #[schema(value_type = Object)]
    pub metrics: serde_json::Value,
    pub version: String,
}

/// The editable fields of the site (`Site (write)`).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = SiteWrite)]
#[serde(deny_unknown_fields)]
pub struct SiteInput {
    pub title: Option<String>,
    pub keywords: Option<Vec<String>>,
    pub feed_size: Option<i64>,
    pub datasets_page: Option<String>,
    pub reuses_page: Option<String>,
    pub dataservices_page: Option<String>,
}

fn site_id(app: &AppState) -> String {
    url::Url::parse(&app.settings.base_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| "plateau".into())
}

async fn site_json(app: &AppState) -> ApiResult<SiteJson> {
    let settings = app.store.site_settings(&site_id(app)).await?;
    let counts = app.site_metrics.get(app).await?;
    Ok(SiteJson {
        id: settings.id,
        title: settings.title,
        keywords: settings.keywords,
        feed_size: settings.feed_size,
        datasets_page: settings.datasets_page,
        reuses_page: settings.reuses_page,
        dataservices_page: settings.dataservices_page,
        metrics: serde_json::json!({
            "organizations": counts.organizations,
            "users": counts.users,
            "followers": counts.followers,
            "datasets": counts.datasets,
            "resources": counts.resources,
        }),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    })
}

/// The site's title, keywords and metrics.
#[utoipa::path(get, path = "/site/", operation_id = "get_site", tag = "site",
    responses((status = 200, body = SiteJson)))]
pub async fn get_site(State(app): State<AppState>) -> ApiResult<Json<SiteJson>> {
    Ok(Json(site_json(&app).await?))
}

/// Changes the site's settings (sysadmin).
#[utoipa::path(patch, path = "/site/", operation_id = "set_site", tag = "site", request_body = SiteInput,
    responses((status = 200, body = SiteJson), (status = 400), (status = 401), (status = 403)))]
pub async fn set_site(
    State(app): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<SiteInput>,
) -> ApiResult<Json<SiteJson>> {
    let actor = auth.required()?;
    if !can(Some(actor), Action::Administer) {
        return Err(ApiError::forbidden());
    }
    let mut errors = FieldErrors::default();
    if let Some(title) = &input.title
        && title.trim().is_empty()
    {
        errors.add("title", "This field is required.");
    }
    if let Some(size) = input.feed_size
        && !(1..=1000).contains(&size)
    {
        errors.add("feed_size", "Must be between 1 and 1000.");
    }
    errors.into_result().map_err(ApiError::validation)?;
    let mut settings = app.store.site_settings(&site_id(&app)).await?;
    if let Some(title) = input.title {
        settings.title = title.trim().to_owned();
    }
    if let Some(keywords) = input.keywords {
        settings.keywords = keywords;
    }
    if let Some(size) = input.feed_size {
        settings.feed_size = size;
    }
    if input.datasets_page.is_some() {
        settings.datasets_page = input.datasets_page;
    }
    if input.reuses_page.is_some() {
        settings.reuses_page = input.reuses_page;
    }
    if input.dataservices_page.is_some() {
        settings.dataservices_page = input.dataservices_page;
    }
    app.store
        .save_site_settings(&settings, crate::domain::time::now())
        .await?;
    Ok(Json(site_json(&app).await?))
}
