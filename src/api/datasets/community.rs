//! `/datasets/community_resources/`: resources proposed for a dataset by anyone, owned by their
//! author or one of the author's organizations.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::Value;
use utoipa::IntoParams;

use super::model::{CommunityResourceJson, community_json};
use super::{InnerPath, decide_ownership};
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiJson, ApiQuery, Auth};
use crate::api::pagination::{Envelope, Pagination};
use crate::api::state::AppState;
use crate::domain::ids::uuid4;
use crate::domain::input::Fields;
use crate::domain::permissions::{Action, can};
use crate::domain::resource::{CommunityResource, ResourceInput};
use crate::domain::time::now;
use crate::domain::validation::FieldErrors;
use crate::store::Paged;
use crate::store::community::CommunityFilter;

/// Query of `GET /datasets/community_resources/`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CommunityListQuery {
    /// The sorting attribute: `created_at_internal` or `-created_at_internal` (default)
    pub sort: Option<String>,
    /// The page to fetch
    #[param(value_type = Option<i64>)]
    pub page: Option<String>,
    /// The page size to fetch
    #[param(value_type = Option<i64>)]
    pub page_size: Option<String>,
    /// Filter activities for that particular organization
    pub organization: Option<String>,
    /// Filter activities for that particular dataset
    pub dataset: Option<String>,
    /// Filter activities for that particular user
    pub owner: Option<String>,
}

/// Lists community resources, newest first.
#[utoipa::path(get, path = "/datasets/community_resources/", operation_id = "list_community_resources",
    tag = "datasets", params(CommunityListQuery),
    responses((status = 200, body = crate::api::pages::CommunityResourcePage), (status = 400)))]
pub async fn list_community_resources(
    State(app): State<AppState>,
    auth: Auth,
    pagination: Pagination,
    ApiQuery(query): ApiQuery<CommunityListQuery>,
) -> ApiResult<Json<Envelope>> {
    let non_empty = |v: Option<String>| v.filter(|v| !v.is_empty());
    let sort = non_empty(query.sort);
    if let Some(sort) = &sort
        && !matches!(
            sort.trim_start_matches('-'),
            "created_at_internal" | "created" | "created_at"
        )
    {
        return Err(ApiError::field(
            "sort",
            &format!("The value '{sort}' is not a valid choice."),
        ));
    }
    let filter = CommunityFilter {
        dataset: non_empty(query.dataset),
        owner: non_empty(query.owner),
        organization: non_empty(query.organization),
        ascending: sort.as_deref().is_some_and(|s| !s.starts_with('-')),
    };
    let paged = app
        .store
        .list_community_resources(&filter, pagination.request)
        .await?;
    let mut items = Vec::with_capacity(paged.items.len());
    for c in &paged.items {
        items.push(community_json(&app, &auth, c).await?);
    }
    Ok(Json(pagination.envelope(
        &app,
        Paged {
            items,
            total: paged.total,
        },
    )?))
}

/// The `dataset`, `owner` and `organization` of a body.
fn references(body: &Value) -> Result<[Option<Option<String>>; 3], FieldErrors> {
    let mut f = Fields::new(body)?;
    let refs = [
        f.id_or_object("dataset"),
        f.id_or_object("owner"),
        f.id_or_object("organization"),
    ];
    f.into_errors().into_result().map(|()| refs)
}

/// Creates a remote community resource for a dataset, owned by the caller or one of their
/// organizations.
#[utoipa::path(post, path = "/datasets/community_resources/", operation_id = "create_community_resource",
    tag = "datasets", request_body = CommunityResourceJson,
    responses((status = 201, body = CommunityResourceJson), (status = 400), (status = 401), (status = 415)))]
pub async fn create_community_resource(
    State(app): State<AppState>,
    auth: Auth,
    body: Result<ApiJson<Value>, ApiError>,
) -> ApiResult<(StatusCode, Json<CommunityResourceJson>)> {
    let actor = auth.required()?;
    let ApiJson(body) = body?;
    let input = ResourceInput::parse(&body, true).map_err(ApiError::validation)?;
    let [dataset, owner, organization] = references(&body).map_err(ApiError::validation)?;
    if input.filetype_or_default() != "remote" {
        return Err(ApiError::BadRequest(
            "This endpoint only supports remote community resources".into(),
        ));
    }
    let dataset = match dataset.flatten() {
        Some(id) => app
            .store
            .dataset_by_id(&id)
            .await?
            .ok_or_else(|| ApiError::field("dataset", "Unknown dataset"))?,
        None => {
            return Err(ApiError::field(
                "dataset",
                "A dataset identifier is required",
            ));
        }
    };
    let mut errors = FieldErrors::default();
    let ownership = decide_ownership(&app, actor, owner, organization, None, &mut errors).await?;
    errors.into_result().map_err(ApiError::validation)?;
    let now = now();
    let community = CommunityResource {
        resource: input.create(uuid4(), now),
        dataset: dataset.id,
        owner: ownership.owner,
        organization: ownership.organization,
    };
    app.store
        .save_community_resource(&community, "create", now)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(community_json(&app, &auth, &community).await?),
    ))
}

pub(super) async fn community_or_404(app: &AppState, id: &str) -> ApiResult<CommunityResource> {
    app.store
        .community_resource(id)
        .await?
        .ok_or_else(|| ApiError::NotFound("Community resource not found".into()))
}

pub(super) fn require_edit_community(auth: &Auth, c: &CommunityResource) -> ApiResult<()> {
    auth.required()?;
    let allowed = can(
        auth.actor(),
        Action::EditCommunityResource {
            owner_id: c.owner.as_deref(),
            org_id: c.organization.as_deref(),
        },
    );
    if allowed {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

/// A community resource by id.
#[utoipa::path(get, path = "/datasets/community_resources/{community}/", operation_id = "retrieve_community_resource",
    tag = "datasets",
    params(("community" = String, Path, description = "The community resource unique identifier"),
        ("dataset" = Option<String>, Query, description = "The dataset ID or slug (unused)")),
    responses((status = 200, body = CommunityResourceJson), (status = 404)))]
pub async fn retrieve_community_resource(
    State(app): State<AppState>,
    auth: Auth,
    InnerPath(id): InnerPath,
) -> ApiResult<Json<CommunityResourceJson>> {
    let community = community_or_404(&app, &id).await?;
    Ok(Json(community_json(&app, &auth, &community).await?))
}

/// Changes a community resource (its owner, its organization's members, sysadmins).
#[utoipa::path(put, path = "/datasets/community_resources/{community}/", operation_id = "update_community_resource",
    tag = "datasets",
    params(("community" = String, Path, description = "The community resource unique identifier"),
        ("dataset" = Option<String>, Query, description = "The dataset ID or slug (unused)")),
    request_body = CommunityResourceJson,
    responses((status = 200, body = CommunityResourceJson), (status = 400), (status = 401), (status = 403),
        (status = 404)))]
pub async fn update_community_resource(
    State(app): State<AppState>,
    auth: Auth,
    InnerPath(id): InnerPath,
    body: Result<ApiJson<Value>, ApiError>,
) -> ApiResult<Json<CommunityResourceJson>> {
    let mut community = community_or_404(&app, &id).await?;
    require_edit_community(&auth, &community)?;
    let actor = auth.required()?;
    let ApiJson(body) = body?;
    let input = ResourceInput::parse(&body, false).map_err(ApiError::validation)?;
    let [_, owner, organization] = references(&body).map_err(ApiError::validation)?;
    if let Some(Some(filetype)) = &input.filetype
        && *filetype != community.resource.filetype
    {
        return Err(ApiError::BadRequest(
            "Cannot modify filetype after creation".into(),
        ));
    }
    let mut errors = FieldErrors::default();
    let existing = (
        community.owner.as_deref(),
        community.organization.as_deref(),
    );
    let ownership = decide_ownership(
        &app,
        actor,
        owner,
        organization,
        Some(existing),
        &mut errors,
    )
    .await?;
    errors.into_result().map_err(ApiError::validation)?;
    let now = now();
    input.apply(&mut community.resource, now);
    community.owner = ownership.owner;
    community.organization = ownership.organization;
    app.store
        .save_community_resource(&community, "update", now)
        .await?;
    Ok(Json(community_json(&app, &auth, &community).await?))
}

/// Deletes a community resource for good.
#[utoipa::path(delete, path = "/datasets/community_resources/{community}/", operation_id = "delete_community_resource",
    tag = "datasets",
    params(("community" = String, Path, description = "The community resource unique identifier"),
        ("dataset" = Option<String>, Query, description = "The dataset ID or slug (unused)")),
    responses((status = 204), (status = 401), (status = 403), (status = 404)))]
pub async fn delete_community_resource(
    State(app): State<AppState>,
    auth: Auth,
    InnerPath(id): InnerPath,
) -> ApiResult<StatusCode> {
    let community = community_or_404(&app, &id).await?;
    require_edit_community(&auth, &community)?;
    app.store.delete_community_resource(&id, now()).await?;
    if let Some(key) = community.resource.storage_key() {
        app.files.delete(&key).await;
    }
    Ok(StatusCode::NO_CONTENT)
}
