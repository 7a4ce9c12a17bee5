//! Organization searches served from the search index: the v1 list (`GET /api/1/organizations/`)
//! and suggestions when the index is ready, and `GET /api/2/organizations/search/`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde::Deserialize;

use super::model::organization_jsons;
use super::{check_choice, check_sort};
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiQuery, Auth};
use crate::api::indexed::{SearchEnvelope, off_workers, ready, ready_for_search};
use crate::api::pagination::Pagination;
use crate::api::state::AppState;
use crate::domain::organization::{BADGE_KINDS, Organization};
use crate::domain::validation::FieldErrors;
use crate::search::organizations::{OrganizationQuery, PRODUCER_TYPES};
use crate::search::{Search, SearchPage, organizations};
use crate::store::organizations::OrganizationFilter;
use crate::store::{PageRequest, Paged};

/// The sorts of `/api/2/organizations/search/` (relevance when absent).
const SEARCH_SORTS: &[&str] = &["reuses", "datasets", "followers", "views", "created"];

/// Query of `GET /api/2/organizations/search/`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// The search query
    pub q: Option<String>,
    /// public-service, certified, association, company or local-authority
    pub badge: Option<String>,
    /// public-service, association, company, local-authority or not-specified (uData's newer
    /// search service)
    pub producer_type: Option<String>,
    /// The field (and direction) on which sorting apply: reuses, datasets, followers, views or
    /// created, each optionally prefixed with `-`; relevance when absent
    pub sort: Option<String>,
    /// The page to display
    #[param(value_type = Option<i64>)]
    pub page: Option<String>,
    /// The page size
    #[param(value_type = Option<i64>)]
    pub page_size: Option<String>,
}

impl SearchQuery {
    fn query(&self) -> ApiResult<OrganizationQuery> {
        let mut errors = FieldErrors::default();
        check_sort(&mut errors, self.sort.as_deref(), SEARCH_SORTS);
        check_choice(
            &mut errors,
            "badge",
            self.badge.as_deref(),
            BADGE_KINDS.iter().map(|(kind, _)| *kind),
        );
        check_choice(
            &mut errors,
            "producer_type",
            self.producer_type.as_deref(),
            PRODUCER_TYPES.iter().copied(),
        );
        errors.into_result().map_err(ApiError::validation)?;
        let one = |v: &Option<String>| -> Vec<String> {
            v.iter().filter(|v| !v.is_empty()).cloned().collect()
        };
        Ok(OrganizationQuery {
            q: self.q.clone().filter(|q| !q.trim().is_empty()),
            badges: one(&self.badge),
            producer_types: one(&self.producer_type),
            sort: self.sort.clone().filter(|s| !s.is_empty()),
            ..OrganizationQuery::default()
        })
    }
}

/// Full-text search over organizations with filters, sorts and the producer type facet.
#[utoipa::path(get, path = "/organizations/search/", operation_id = "search_organizations", tag = "organizations",
    params(SearchQuery),
    responses((status = 200, body = crate::api::pages::OrganizationSearchPage), (status = 400), (status = 503)))]
pub async fn search_organizations(
    State(app): State<AppState>,
    auth: Auth,
    pagination: Pagination,
    ApiQuery(params): ApiQuery<SearchQuery>,
) -> ApiResult<Json<SearchEnvelope>> {
    let query = params.query()?;
    let search = ready_for_search(&app, &pagination, |s| &s.organizations).await?;
    let found = run(search, query, pagination.request, true).await?;
    let orgs = live_organizations(&app, &found.ids).await?;
    let items = organization_jsons(&app, &auth, &orgs).await?;
    Ok(Json(SearchEnvelope::new(
        &app,
        &pagination,
        items,
        found.total,
        found.facets.unwrap_or_default(),
    )?))
}

/// The ids of a page of the v1 list, from the index (organizations deleted since they were
/// indexed among them); `None` when the index is not ready (the caller then asks the database).
pub async fn list_from_index(
    app: &AppState,
    filter: &OrganizationFilter,
    page: PageRequest,
) -> ApiResult<Option<Paged<String>>> {
    let Some(search) = ready(app, |s| &s.organizations).await else {
        return Ok(None);
    };
    let query = OrganizationQuery {
        q: filter.q.clone(),
        badges: filter.badge.iter().cloned().collect(),
        name: filter.name.clone(),
        business_number_id: filter.business_number_id.clone(),
        sort: filter.sort.clone(),
        ..OrganizationQuery::default()
    };
    let found = run(search, query, page, false).await?;
    Ok(Some(Paged {
        items: found.ids,
        total: found.total as i64,
    }))
}

/// `/organizations/suggest/` from the index; `None` when the index is not ready.
pub async fn suggest_from_index(
    app: &AppState,
    q: &str,
    size: i64,
) -> ApiResult<Option<Vec<Organization>>> {
    let Some(search) = ready(app, |s| &s.organizations).await else {
        return Ok(None);
    };
    let q = q.to_owned();
    let ids = off_workers(search, move |search| {
        organizations::suggest(&search.organizations, &q, size.max(1) as usize)
    })
    .await?;
    Ok(Some(live_organizations(app, &ids).await?))
}

/// Runs an organization search.
async fn run(
    search: &Arc<Search>,
    query: OrganizationQuery,
    page: PageRequest,
    facets: bool,
) -> ApiResult<SearchPage> {
    off_workers(search, move |search| {
        organizations::search(
            &search.organizations,
            &query,
            page.offset().max(0) as usize,
            page.page_size.max(0) as usize,
            facets,
        )
    })
    .await
}

/// The organizations of `ids` as stored, in order, without those deleted since they were
/// indexed.
async fn live_organizations(app: &AppState, ids: &[String]) -> ApiResult<Vec<Organization>> {
    let mut found: HashMap<String, Organization> = app
        .store
        .organizations_by_ids(ids)
        .await?
        .into_iter()
        .filter(|org| org.deleted.is_none())
        .map(|org| (org.id.clone(), org))
        .collect();
    Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_sorts_are_sorts_of_the_index() {
        for sort in SEARCH_SORTS {
            assert!(organizations::SORTS.iter().any(|(key, _)| key == sort));
        }
    }
}
