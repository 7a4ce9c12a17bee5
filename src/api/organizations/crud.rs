//! `/organizations/` and `/organizations/{org}/`: list, create, read, update, delete.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;

use super::model::{OrganizationJson, organization_json, organization_jsons};
use super::{
    OrgAnswerPath, OrgPath, answers, check_choice, check_flag, check_sort, ensure_live, require,
};
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiJson, ApiQuery, Auth};
use crate::api::pages::OrganizationPage;
use crate::api::pagination::Pagination;
use crate::api::state::AppState;
use crate::domain::ids::object_id;
use crate::domain::organization::{BADGE_KINDS, OrganizationInput};
use crate::domain::permissions::Action;
use crate::domain::time::now;
use crate::domain::validation::FieldErrors;
use crate::store::Paged;
use crate::store::organizations::{ORGANIZATION_SORTS, OrganizationFilter};

/// Query of `GET /organizations/`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrganizationListQuery {
    /// The search query
    pub q: Option<String>,
    /// The field (and direction) on which sorting apply: name, reuses, datasets, followers,
    /// views, created, last_modified, each optionally prefixed with `-`
    pub sort: Option<String>,
    /// The page to display
    pub page: Option<i64>,
    /// The page size
    pub page_size: Option<i64>,
    /// Only organizations with this badge
    pub badge: Option<String>,
    /// Only organizations with this name (case-insensitive)
    pub name: Option<String>,
    /// Only organizations with this business number (SIRET)
    pub business_number_id: Option<String>,
}

/// Query of `DELETE /organizations/{org}/`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteOrganizationQuery {
    /// Send formal legal notice with appeal information to owner (admin only)
    #[param(value_type = Option<bool>)]
    pub send_legal_notice: Option<String>,
}

/// Lists or searches the organizations that are not deleted.
#[utoipa::path(get, path = "/organizations/", operation_id = "list_organizations", tag = "organizations",
    params(OrganizationListQuery),
    responses((status = 200, body = OrganizationPage), (status = 400), (status = 404)))]
pub async fn list_organizations(
    State(app): State<AppState>,
    auth: Auth,
    pagination: Pagination,
    ApiQuery(query): ApiQuery<OrganizationListQuery>,
) -> ApiResult<Response> {
    let mut errors = FieldErrors::default();
    check_sort(&mut errors, query.sort.as_deref(), ORGANIZATION_SORTS);
    check_choice(
        &mut errors,
        "badge",
        query.badge.as_deref(),
        BADGE_KINDS.iter().map(|(kind, _)| *kind),
    );
    errors.into_result().map_err(ApiError::validation)?;
    let non_empty = |value: Option<String>| value.filter(|v| !v.is_empty());
    let filter = OrganizationFilter {
        q: non_empty(query.q),
        badge: non_empty(query.badge),
        name: non_empty(query.name),
        business_number_id: non_empty(query.business_number_id),
        sort: non_empty(query.sort),
    };
    if let Some(found) = super::search::list_from_index(&app, &filter, pagination.request).await? {
        let mut items = answers(&app, &found.items).await?;
        // Deleted since they were indexed.
        items.retain(|item| !item.fragments.deleted);
        let body = pagination.serialized_envelope(&app, &items, found.total, |out, item| {
            out.extend_from_slice(item.fragments.answer(&auth))
        })?;
        return Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response());
    }
    let paged = app
        .store
        .list_organizations(&filter, pagination.request)
        .await?;
    let items = organization_jsons(&app, &auth, &paged.items).await?;
    Ok(Json(pagination.envelope(
        &app,
        Paged {
            items,
            total: paged.total,
        },
    )?)
    .into_response())
}

/// Creates an organization; the caller becomes its administrator.
#[utoipa::path(post, path = "/organizations/", operation_id = "create_organization", tag = "organizations",
    request_body = OrganizationJson,
    responses((status = 201, body = OrganizationJson), (status = 400), (status = 401), (status = 415)))]
pub async fn create_organization(
    State(app): State<AppState>,
    auth: Auth,
    body: Result<ApiJson<OrganizationInput>, ApiError>,
) -> ApiResult<(StatusCode, Json<OrganizationJson>)> {
    let actor = auth.required()?;
    let ApiJson(input) = body?;
    input.validate(true).map_err(ApiError::validation)?;
    let org = input.create(object_id(), String::new(), now());
    let org = app.store.create_organization(org, &actor.user.id).await?;
    let members = app.store.members_of(&org.id).await?;
    // The caller is the new organization's administrator, which their credentials, loaded
    // before the organization existed, do not say yet.
    let json = OrganizationJson::new(&app, &org, &members, true);
    Ok((StatusCode::CREATED, Json(json)))
}

/// An organization by id or slug; a deleted one is 410 except for its members and sysadmins.
#[utoipa::path(get, path = "/organizations/{org}/", operation_id = "get_organization", tag = "organizations",
    params(("org" = String, Path, description = "The organization ID or slug")),
    responses((status = 200, body = OrganizationJson), (status = 308), (status = 404), (status = 410)))]
pub async fn get_organization(
    auth: Auth,
    OrgAnswerPath(answer): OrgAnswerPath,
) -> ApiResult<Response> {
    let answer = &answer.fragments;
    answer.ensure_visible(&auth)?;
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        answer.answer(&auth).clone(),
    )
        .into_response())
}

/// Changes an organization (its administrators, sysadmins). A new name moves the slug; the old
/// one redirects. `"deleted": null` restores a deleted organization.
#[utoipa::path(put, path = "/organizations/{org}/", operation_id = "update_organization", tag = "organizations",
    params(("org" = String, Path, description = "The organization ID or slug")),
    request_body = OrganizationJson,
    responses((status = 200, body = OrganizationJson), (status = 400), (status = 401), (status = 403),
        (status = 404), (status = 410), (status = 415)))]
pub async fn update_organization(
    State(app): State<AppState>,
    auth: Auth,
    OrgPath(mut org): OrgPath,
    body: Result<ApiJson<OrganizationInput>, ApiError>,
) -> ApiResult<Json<OrganizationJson>> {
    auth.required()?;
    let ApiJson(input) = body?;
    let restoring = matches!(input.deleted, Some(None));
    if !restoring {
        ensure_live(&org)?;
    }
    require(&auth, Action::ManageOrganization { org_id: &org.id })?;
    input.validate(false).map_err(ApiError::validation)?;
    let name_changed = input.name.as_ref().is_some_and(|n| n.trim() != org.name);
    input.apply(&mut org, now());
    app.store
        .update_organization(&mut org, name_changed)
        .await?;
    Ok(Json(organization_json(&app, &auth, &org).await?))
}

/// Soft-deletes an organization (its administrators, sysadmins).
#[utoipa::path(delete, path = "/organizations/{org}/", operation_id = "delete_organization", tag = "organizations",
    params(("org" = String, Path, description = "The organization ID or slug"), DeleteOrganizationQuery),
    responses((status = 204), (status = 401), (status = 403), (status = 404), (status = 410)))]
pub async fn delete_organization(
    State(app): State<AppState>,
    auth: Auth,
    OrgPath(mut org): OrgPath,
    query: Result<ApiQuery<DeleteOrganizationQuery>, ApiError>,
) -> ApiResult<StatusCode> {
    auth.required()?;
    let ApiQuery(query) = query?;
    let mut errors = FieldErrors::default();
    // Legal notices are mails, and Plateau sends none yet: the flag is checked, then unused.
    check_flag(
        &mut errors,
        "send_legal_notice",
        query.send_legal_notice.as_deref(),
    );
    errors.into_result().map_err(ApiError::validation)?;
    ensure_live(&org)?;
    require(&auth, Action::ManageOrganization { org_id: &org.id })?;
    app.store.delete_organization(&mut org, now()).await?;
    Ok(StatusCode::NO_CONTENT)
}
