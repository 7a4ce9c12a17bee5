//! What the namespace lists besides organizations: roles, suggestions, and the datasets,
//! reuses, discussions and contact points an organization owns. The reuses and discussions
//! areas do not exist yet: their lists answer with the right, empty shape once the organization
//! and the parameters are checked, and later issues fill them.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::Value;
use utoipa::IntoParams;

use super::model::{OrganizationRole, OrganizationSuggestion};
use super::{OrgPath, can_read_private, ensure_visible};
use crate::api::contacts::model::{
    ContactPointJson, OwnershipShown, contact_point_jsons, contact_point_page,
};
use crate::api::datasets::lists::DatasetListQuery;
use crate::api::datasets::model::dataset_jsons;
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiQuery, Auth};
use crate::api::pages::{ContactPointPage, DatasetPage};
use crate::api::pagination::{Envelope, Pagination};
use crate::api::state::AppState;
use crate::domain::organization::OrgRole;
use crate::domain::validation::FieldErrors;
use crate::store::Paged;
use crate::store::contact_points::ContactOwner;

/// The amount of suggestions when `size` is absent.
const DEFAULT_SUGGESTIONS: i64 = 10;

/// Query of a suggest endpoint.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SuggestQuery {
    /// The string to autocomplete/suggest
    #[param(required = true)]
    pub q: Option<String>,
    /// The amount of suggestion to fetch (default 10)
    pub size: Option<i64>,
}

impl SuggestQuery {
    /// The text and the amount asked for: `q` is required, `size` between 1 and `max`, 10
    /// when absent.
    pub(crate) fn validated(&self, max: i64) -> ApiResult<(&str, i64)> {
        self.validated_with(DEFAULT_SUGGESTIONS, max)
    }

    /// [`SuggestQuery::validated`] with another amount when `size` is absent.
    pub(crate) fn validated_with(&self, default: i64, max: i64) -> ApiResult<(&str, i64)> {
        let mut errors = FieldErrors::default();
        if self.q.is_none() {
            errors.add("q", "Missing required parameter in the query string");
        }
        let size = self.size.unwrap_or(default);
        if !(1..=max).contains(&size) {
            errors.add("size", &format!("Must be between 1 and {max}."));
        }
        errors.into_result().map_err(ApiError::validation)?;
        Ok((self.q.as_deref().unwrap_or(""), size))
    }
}

/// Query of a plain paginated list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// The page to display
    pub page: Option<i64>,
    /// The page size
    pub page_size: Option<i64>,
}

/// The roles a member can have.
#[utoipa::path(get, path = "/organizations/roles/", operation_id = "org_roles", tag = "organizations",
    responses((status = 200, body = Vec<OrganizationRole>)))]
pub async fn org_roles() -> Json<Vec<OrganizationRole>> {
    Json(
        OrgRole::ALL
            .iter()
            .map(|role| OrganizationRole {
                id: role.as_str().to_owned(),
                label: role.label().to_owned(),
            })
            .collect(),
    )
}

/// Organizations whose name or acronym has every word of `q`, the last one maybe incomplete
/// (accents and case aside), most followed first.
#[utoipa::path(get, path = "/organizations/suggest/", operation_id = "suggest_organizations", tag = "organizations",
    params(SuggestQuery),
    responses((status = 200, body = Vec<OrganizationSuggestion>), (status = 400)))]
pub async fn suggest_organizations(
    State(app): State<AppState>,
    ApiQuery(query): ApiQuery<SuggestQuery>,
) -> ApiResult<Json<Vec<OrganizationSuggestion>>> {
    let (q, size) = query.validated(app.settings.max_page_size)?;
    let orgs = match super::search::suggest_from_index(&app, q, size).await? {
        Some(orgs) => orgs,
        None => app.store.suggest_organizations(q, size).await?,
    };
    Ok(Json(
        orgs.iter()
            .map(|org| OrganizationSuggestion::new(&app, org))
            .collect(),
    ))
}

/// The organization's datasets, private ones included for its members.
#[utoipa::path(get, path = "/organizations/{org}/datasets/", operation_id = "list_organization_datasets",
    tag = "organizations",
    params(("org" = String, Path, description = "The organization ID or slug"),
        ("tag" = Option<Vec<String>>, Query, description = "Only datasets with all these tags"),
        DatasetListQuery),
    responses((status = 200, body = DatasetPage), (status = 400), (status = 404), (status = 410)))]
pub async fn list_organization_datasets(
    State(app): State<AppState>,
    auth: Auth,
    OrgPath(org): OrgPath,
    pagination: Pagination,
    ApiQuery(query): ApiQuery<DatasetListQuery>,
) -> ApiResult<Json<Envelope>> {
    ensure_visible(&auth, &org)?;
    query.validate()?;
    let paged = app
        .store
        .organization_datasets(
            &org.id,
            can_read_private(&auth, &org.id),
            query.sort.as_deref().filter(|s| !s.is_empty()),
            pagination.request,
        )
        .await?;
    let items = dataset_jsons(&app, &auth, &paged.items).await?;
    Ok(Json(pagination.envelope(
        &app,
        Paged {
            items,
            total: paged.total,
        },
    )?))
}

/// The organization's reuses (not paginated), private ones included for its members.
#[utoipa::path(get, path = "/organizations/{org}/reuses/", operation_id = "list_organization_reuses",
    tag = "organizations",
    params(("org" = String, Path, description = "The organization ID or slug")),
    responses((status = 200, description = "The reuses", body = Vec<Object>), (status = 404), (status = 410)))]
pub async fn list_organization_reuses(
    auth: Auth,
    OrgPath(org): OrgPath,
) -> ApiResult<Json<Vec<Value>>> {
    ensure_visible(&auth, &org)?;
    // Filled by the reuses area.
    Ok(Json(Vec::new()))
}

/// The discussions on the organization's datasets and reuses (not paginated), newest first.
#[utoipa::path(get, path = "/organizations/{org}/discussions/", operation_id = "list_organization_discussions",
    tag = "organizations",
    params(("org" = String, Path, description = "The organization ID or slug")),
    responses((status = 200, description = "The discussions", body = Vec<Object>), (status = 404),
        (status = 410)))]
pub async fn list_organization_discussions(
    auth: Auth,
    OrgPath(org): OrgPath,
) -> ApiResult<Json<Vec<Value>>> {
    ensure_visible(&auth, &org)?;
    // Filled by the discussions area.
    Ok(Json(Vec::new()))
}

/// The organization's contact points, oldest first.
#[utoipa::path(get, path = "/organizations/{org}/contacts/", operation_id = "get_organization_contact_point",
    tag = "organizations",
    params(("org" = String, Path, description = "The organization ID or slug"), PageQuery),
    responses((status = 200, body = ContactPointPage), (status = 400), (status = 404), (status = 410)))]
pub async fn get_organization_contact_point(
    State(app): State<AppState>,
    auth: Auth,
    shown: OwnershipShown,
    OrgPath(org): OrgPath,
    pagination: Pagination,
) -> ApiResult<Json<Envelope>> {
    ensure_visible(&auth, &org)?;
    let owner = ContactOwner::Organization(&org.id);
    Ok(Json(
        contact_point_page(&app, owner, &pagination, shown).await?,
    ))
}

/// The organization's contact points whose name, email or contact form contains `q` (case and
/// accents aside), oldest first.
#[utoipa::path(get, path = "/organizations/{org}/contacts/suggest/", operation_id = "suggest_org_contact_points",
    tag = "organizations",
    params(("org" = String, Path, description = "The organization ID or slug"), SuggestQuery),
    responses((status = 200, description = "The contact points", body = Vec<ContactPointJson>),
        (status = 400), (status = 404), (status = 410)))]
pub async fn suggest_org_contact_points(
    State(app): State<AppState>,
    auth: Auth,
    shown: OwnershipShown,
    OrgPath(org): OrgPath,
    ApiQuery(query): ApiQuery<SuggestQuery>,
) -> ApiResult<Json<Vec<ContactPointJson>>> {
    ensure_visible(&auth, &org)?;
    let (q, size) = query.validated(app.settings.max_page_size)?;
    let points = app
        .store
        .suggest_organization_contact_points(&org.id, q, size)
        .await?;
    Ok(Json(contact_point_jsons(&app, &points, shown).await?))
}
