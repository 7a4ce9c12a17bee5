//! Dataset searches served from the search index: the v1 list (`GET /api/1/datasets/`) when
//! the index is ready, and `GET /api/2/datasets/search/` with facets.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{Uri, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;

use super::answers;
use super::lists::{date_range, repeated, tags_of, viewer};
use super::model::Resources;
use super::v2_model::links;
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiQuery, Auth};
use crate::api::indexed::{SearchEnvelope, off_workers, ready, ready_for_search};
use crate::api::organizations::{check_choice, check_flag, check_sort};
use crate::api::pages::DatasetSearchPage;
use crate::api::pagination::Pagination;
use crate::api::state::AppState;
use crate::domain::dataset::{BADGE_KINDS as DATASET_BADGES, Dataset};
use crate::domain::organization::BADGE_KINDS;
use crate::domain::time::now;
use crate::domain::validation::FieldErrors;
use crate::search::datasets::{
    DatasetQuery, FORMAT_FAMILIES, LAST_UPDATE_RANGES, PRODUCER_TYPES, Request, may_list,
};
use crate::search::{Search, SearchPage, Visibility};
use crate::store::PageRequest;
use crate::store::datasets::DatasetFilter;
use crate::store::follows::Followable;

/// The ids of a v1 list page from the index, and who the caller may see (the items are checked
/// again, as the index may lag); `None` when the index is not ready (the caller then asks the
/// database).
pub async fn list_from_index(
    app: &AppState,
    auth: &Auth,
    filter: &DatasetFilter,
    page: PageRequest,
) -> ApiResult<Option<(Arc<SearchPage>, Visibility)>> {
    let Some(search) = ready(app, |s| &s.datasets).await else {
        return Ok(None);
    };
    let mut query = DatasetQuery {
        q: filter.q.clone(),
        tags: filter.tags.clone(),
        licenses: filter.license.iter().cloned().collect(),
        badges: filter.badge.iter().cloned().collect(),
        organizations: filter.organization.iter().cloned().collect(),
        organization_badges: filter.organization_badge.iter().cloned().collect(),
        owners: filter.owner.iter().cloned().collect(),
        formats: filter.format.iter().cloned().collect(),
        schemas: filter.schema.iter().cloned().collect(),
        schema_versions: filter.schema_version.iter().cloned().collect(),
        geozones: filter.geozone.iter().cloned().collect(),
        granularities: filter.granularity.iter().cloned().collect(),
        featured: filter.featured,
        archived: filter.archived,
        deleted: filter.deleted,
        private: filter.private,
        temporal_start: filter.temporal_start,
        sort: filter.sort.clone(),
        ..DatasetQuery::default()
    };
    if let Some(user) = &filter.followed_by {
        query.ids = Some(app.store.followed_ids(Followable::Dataset, user).await?);
    }
    let visibility = visibility(app, auth).await?;
    let found = run(search, query, visibility.clone(), page, false).await?;
    Ok(Some((found, visibility)))
}

/// `/datasets/suggest/` from the index; `None` when the index is not ready.
pub async fn suggest_from_index(
    app: &AppState,
    q: &str,
    size: i64,
) -> ApiResult<Option<Vec<Dataset>>> {
    let Some(search) = ready(app, |s| &s.datasets).await else {
        return Ok(None);
    };
    let q = q.to_owned();
    let ids = off_workers(search, move |search| {
        crate::search::datasets::suggest(&search.datasets, &q, size.max(1) as usize)
    })
    .await?;
    let mut datasets = app.store.datasets_by_ids(&ids).await?;
    datasets.retain(|d| may_list(&Visibility::default(), d));
    Ok(Some(datasets))
}

/// Tags, resource formats or mime types of public datasets by word prefix (`field`: see
/// [`crate::search::datasets::suggest_values`]); `None` when the index is not ready.
pub async fn suggest_values_from_index(
    app: &AppState,
    field: &'static str,
    q: &str,
    size: i64,
) -> ApiResult<Option<Vec<String>>> {
    let Some(search) = ready(app, |s| &s.datasets).await else {
        return Ok(None);
    };
    let q = q.to_owned();
    off_workers(search, move |search| {
        crate::search::datasets::suggest_values(&search.datasets, field, &q, size.max(1) as usize)
    })
    .await
    .map(Some)
}

/// What the caller may see beyond public datasets.
async fn visibility(app: &AppState, auth: &Auth) -> ApiResult<Visibility> {
    let viewer = viewer(auth);
    let organizations = match (&viewer.user_id, viewer.sysadmin) {
        (Some(user), false) => app
            .store
            .memberships_of(user)
            .await?
            .into_iter()
            .map(|(org, _)| org)
            .collect(),
        _ => Vec::new(),
    };
    Ok(Visibility {
        sysadmin: viewer.sysadmin,
        user_id: viewer.user_id,
        organizations,
    })
}

/// Runs a dataset search.
async fn run(
    search: &Arc<Search>,
    query: DatasetQuery,
    visibility: Visibility,
    page: PageRequest,
    facets: bool,
) -> ApiResult<Arc<SearchPage>> {
    off_workers(search, move |search| {
        let index = &search.datasets;
        let request = Request {
            query: &query,
            visibility: &visibility,
            offset: page.offset().max(0) as usize,
            limit: page.page_size.max(0) as usize,
            facets,
            now: now(),
        };
        let key = format!(
            "{query:?}|{visibility:?}|{}|{}|{facets}",
            request.offset, request.limit
        );
        index.results.get_or_search(key, index.generation(), || {
            crate::search::datasets::search(index, &request)
        })
    })
    .await
}

/// Query of `GET /api/2/datasets/search/`; `tag`, `format`, `schema` and `granularity` may
/// repeat and are read apart.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// The search query
    pub q: Option<String>,
    /// pivotal-data, spd, inspire, hvd, sl or sr
    pub badge: Option<String>,
    pub organization: Option<String>,
    /// public-service, certified, association, company or local-authority
    pub organization_badge: Option<String>,
    pub owner: Option<String>,
    pub license: Option<String>,
    pub geozone: Option<String>,
    /// A date range expressed as start-end where both dates are in iso format (ie.
    /// YYYY-MM-DD-YYYY-MM-DD)
    pub temporal_coverage: Option<String>,
    #[param(value_type = Option<bool>)]
    pub featured: Option<String>,
    pub topic: Option<String>,
    pub access_type: Option<String>,
    /// tabular, machine_readable, geographical, documents or other
    pub format_family: Option<String>,
    /// local-authority, public-service, company, user, not-specified or association
    pub producer_type: Option<String>,
    /// last_30_days, last_12_months or last_3_years
    pub last_update_range: Option<String>,
    /// The field (and direction) on which sorting apply: created, last_update, reuses,
    /// followers or views, each optionally prefixed with `-`; relevance when absent
    pub sort: Option<String>,
    /// The page to display
    #[param(value_type = Option<i64>)]
    pub page: Option<String>,
    /// The page size
    #[param(value_type = Option<i64>)]
    pub page_size: Option<String>,
    pub organization_name: Option<String>,
}

/// The sorts of `/api/2/datasets/search/` (relevance when absent).
const SEARCH_SORTS: &[&str] = &["created", "last_update", "reuses", "followers", "views"];

impl SearchQuery {
    fn query(&self, uri: &Uri) -> ApiResult<DatasetQuery> {
        let mut errors = FieldErrors::default();
        check_sort(&mut errors, self.sort.as_deref(), SEARCH_SORTS);
        check_choice(
            &mut errors,
            "badge",
            self.badge.as_deref(),
            DATASET_BADGES.iter().map(|(kind, _)| *kind),
        );
        check_choice(
            &mut errors,
            "organization_badge",
            self.organization_badge.as_deref(),
            BADGE_KINDS.iter().map(|(kind, _)| *kind),
        );
        check_choice(
            &mut errors,
            "format_family",
            self.format_family.as_deref(),
            FORMAT_FAMILIES.iter().copied(),
        );
        check_choice(
            &mut errors,
            "producer_type",
            self.producer_type.as_deref(),
            PRODUCER_TYPES.iter().copied(),
        );
        check_choice(
            &mut errors,
            "last_update_range",
            self.last_update_range.as_deref(),
            LAST_UPDATE_RANGES.iter().map(|(key, _)| *key),
        );
        let featured = check_flag(&mut errors, "featured", self.featured.as_deref());
        let temporal_overlap = date_range(&mut errors, self.temporal_coverage.as_deref());
        errors.into_result().map_err(ApiError::validation)?;
        let one = |v: &Option<String>| -> Vec<String> {
            v.iter().filter(|v| !v.is_empty()).cloned().collect()
        };
        let day = 86_400 * 1_000_000;
        Ok(DatasetQuery {
            q: self.q.clone().filter(|q| !q.trim().is_empty()),
            tags: tags_of(uri),
            licenses: one(&self.license),
            badges: one(&self.badge),
            organizations: one(&self.organization),
            organization_badges: one(&self.organization_badge),
            owners: one(&self.owner),
            formats: repeated(uri, "format")
                .iter()
                .map(|f| f.trim().to_lowercase())
                .collect(),
            format_families: one(&self.format_family),
            schemas: repeated(uri, "schema"),
            geozones: one(&self.geozone),
            granularities: repeated(uri, "granularity"),
            access_types: one(&self.access_type),
            producer_types: one(&self.producer_type),
            organization_name: self
                .organization_name
                .clone()
                .filter(|n| !n.trim().is_empty()),
            featured,
            temporal_overlap,
            last_update_since: self.last_update_range.as_deref().and_then(|range| {
                LAST_UPDATE_RANGES
                    .iter()
                    .find(|(key, _)| *key == range)
                    .map(|(_, days)| now() - days * day)
            }),
            // Only what everybody may see is searched here, as uData indexes only visible
            // datasets.
            private: Some(false),
            deleted: Some(false),
            archived: Some(false),
            sort: self.sort.clone().filter(|s| !s.is_empty()),
            ..DatasetQuery::default()
        })
    }
}

/// The dataset query of a `/api/2/datasets/search/` query string (for tools and benchmarks).
pub fn parse_search(query_string: &str) -> ApiResult<DatasetQuery> {
    let uri: Uri = format!("/?{query_string}")
        .parse()
        .map_err(|_| ApiError::BadRequest("not a query string".into()))?;
    let params: SearchQuery = serde_urlencoded::from_str(query_string)
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    params.query(&uri)
}

/// Full-text search over public datasets with filters, sorts and facets (each facet counted
/// with every other filter applied).
#[utoipa::path(get, path = "/datasets/search/", operation_id = "search_datasets", tag = "datasets",
    params(
        ("tag" = Option<Vec<String>>, Query, description = "Only datasets with all these tags"),
        ("format" = Option<Vec<String>>, Query, description = "Only datasets with a resource in one of these formats"),
        ("schema" = Option<Vec<String>>, Query, description = "Only datasets with a resource following one of these schemas"),
        ("granularity" = Option<Vec<String>>, Query, description = "Only datasets of one of these spatial granularities"),
        SearchQuery),
    responses((status = 200, body = DatasetSearchPage), (status = 400), (status = 503)))]
pub async fn search_datasets(
    State(app): State<AppState>,
    auth: Auth,
    uri: Uri,
    pagination: Pagination,
    ApiQuery(params): ApiQuery<SearchQuery>,
) -> ApiResult<Response> {
    let query = params.query(&uri)?;
    let search = ready_for_search(&app, &pagination, |s| &s.datasets).await?;
    let found = run(
        search,
        query,
        Visibility::default(),
        pagination.request,
        true,
    )
    .await?;
    let mut items = answers(&app, &found.ids, Resources::Linked).await?;
    items.retain(|item| item.fragments.may_list(&Visibility::default()));
    let community = app.store.community_counts(&found.ids).await?;
    let at = now();
    let body = SearchEnvelope::serialized(
        &app,
        &pagination,
        &items,
        found.total,
        found.facets.as_deref().unwrap_or_default(),
        |out, item| {
            let d = &item.fragments;
            let community = community.get(&d.id).copied().unwrap_or(0);
            let (resources, community) = links(&app, &d.id, d.resources_total, community);
            d.write_v2(out, &auth, at, &resources, &community);
        },
    )?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}
