//! `/organizations/{org}/membership/`: users ask to join; the organization's administrators
//! accept or refuse.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};

use super::model::{MemberJson, MembershipRequestJson};
use super::{InnerPath, OptionalJson, OrgPath, can_read_private, check_choice, require};
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiJson, ApiQuery, Auth};
use crate::api::state::AppState;
use crate::domain::ids::uuid4;
use crate::domain::organization::{Membership, MembershipRequest, Organization, REQUEST_STATUSES};
use crate::domain::permissions::Action;
use crate::domain::time::now;
use crate::domain::user::User;
use crate::domain::validation::FieldErrors;

/// Query of the membership requests list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MembershipRequestsQuery {
    /// If provided, only return requests in a given status (pending, accepted, refused)
    pub status: Option<String>,
    /// If provided, only return requests for this user
    pub user: Option<String>,
}

/// The body of a request to join: why the user asks.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MembershipApplication {
    pub comment: Option<String>,
}

/// The body of a refusal (`RefuseMembership`).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(as = RefuseMembership)]
pub struct RefuseMembership {
    /// The refusal comment.
    pub comment: Option<String>,
}

/// The organization's request `id`; 404 when there is none (or it belongs to another).
async fn request_of(app: &AppState, org: &Organization, id: &str) -> ApiResult<MembershipRequest> {
    app.store
        .membership_request(id)
        .await?
        .filter(|request| request.org_id == org.id)
        .ok_or_else(|| ApiError::NotFound("Unknown membership request id".into()))
}

fn find_member(members: Vec<(Membership, User)>, user_id: &str) -> Option<(Membership, User)> {
    members.into_iter().find(|(m, _)| m.user_id == user_id)
}

/// The organization's membership requests. Members see them all; anyone else only their own,
/// with `user=<their id>`.
#[utoipa::path(get, path = "/organizations/{org}/membership/", operation_id = "list_membership_requests",
    tag = "organizations",
    params(("org" = String, Path, description = "The organization ID or slug"), MembershipRequestsQuery),
    responses((status = 200, body = Vec<MembershipRequestJson>), (status = 400), (status = 401), (status = 403),
        (status = 404)))]
pub async fn list_membership_requests(
    State(app): State<AppState>,
    auth: Auth,
    OrgPath(org): OrgPath,
    query: Result<ApiQuery<MembershipRequestsQuery>, ApiError>,
) -> ApiResult<Json<Vec<MembershipRequestJson>>> {
    let actor = auth.required()?;
    let ApiQuery(query) = query?;
    let mut errors = FieldErrors::default();
    check_choice(
        &mut errors,
        "status",
        query.status.as_deref(),
        REQUEST_STATUSES.iter().copied(),
    );
    errors.into_result().map_err(ApiError::validation)?;
    let is_member = can_read_private(&auth, &org.id);
    let user = query.user.as_deref().filter(|u| !u.is_empty());
    match user {
        Some(user) if user != actor.user.id && !is_member => {
            return Err(ApiError::Forbidden(
                "You can only access your own membership requests or the one of your organizations."
                    .into(),
            ));
        }
        None if !is_member => return Err(ApiError::forbidden()),
        _ => {}
    }
    let status = query.status.as_deref().filter(|s| !s.is_empty());
    let requests = app.store.membership_requests(&org.id, status, user).await?;
    let mut items = Vec::with_capacity(requests.len());
    for request in &requests {
        if let Some(applicant) = app.store.user_by_id(&request.user_id).await? {
            let show_private = is_member || applicant.id == actor.user.id;
            items.push(MembershipRequestJson::new(
                &app,
                request,
                &applicant,
                show_private,
            ));
        }
    }
    Ok(Json(items))
}

/// Asks to join the organization: 201 with a new pending request, or 200 with the caller's
/// pending request, its comment updated. 409 for a member.
#[utoipa::path(post, path = "/organizations/{org}/membership/",
    operation_id = "post_membership_request_api_/organizations/<org:org>/membership/", tag = "organizations",
    params(("org" = String, Path, description = "The organization ID or slug")),
    request_body = MembershipApplication,
    responses((status = 201, body = MembershipRequestJson), (status = 200, body = MembershipRequestJson),
        (status = 400), (status = 401), (status = 404), (status = 409), (status = 415)))]
pub async fn post_membership_request(
    State(app): State<AppState>,
    auth: Auth,
    OrgPath(org): OrgPath,
    body: Result<ApiJson<MembershipApplication>, ApiError>,
) -> ApiResult<(StatusCode, Json<MembershipRequestJson>)> {
    let actor = auth.required()?;
    let ApiJson(input) = body?;
    if app
        .store
        .member_role(&org.id, &actor.user.id)
        .await?
        .is_some()
    {
        return Err(ApiError::Conflict(
            "You are already a member of this organization".into(),
        ));
    }
    let comment = input
        .comment
        .filter(|c| !c.trim().is_empty())
        .ok_or_else(|| ApiError::field("comment", "This field is required."))?;
    let now = now();
    let (status, request) = match app.store.pending_request(&org.id, &actor.user.id).await? {
        Some(pending) => (
            StatusCode::OK,
            MembershipRequest {
                comment: Some(comment),
                ..pending
            },
        ),
        None => (
            StatusCode::CREATED,
            MembershipRequest {
                id: uuid4(),
                org_id: org.id.clone(),
                user_id: actor.user.id.clone(),
                status: "pending".into(),
                comment: Some(comment),
                created: now,
                handled_by: None,
                handled_on: None,
                refusal_comment: None,
            },
        ),
    };
    app.store.save_membership_request(&request, now).await?;
    let json = MembershipRequestJson::new(&app, &request, &actor.user, true);
    Ok((status, Json(json)))
}

/// Accepts a request: the user becomes an editor. 409 with the membership if already a member.
#[utoipa::path(post, path = "/organizations/{org}/membership/{id}/accept/", operation_id = "accept_membership",
    tag = "organizations",
    params(("org" = String, Path, description = "The organization ID or slug"),
        ("id" = String, Path, description = "The membership request id")),
    responses((status = 200, body = MemberJson), (status = 401), (status = 403), (status = 404),
        (status = 409, body = MemberJson)))]
pub async fn accept_membership(
    State(app): State<AppState>,
    auth: Auth,
    OrgPath(org): OrgPath,
    InnerPath(id): InnerPath,
) -> ApiResult<(StatusCode, Json<MemberJson>)> {
    let actor = require(&auth, Action::ManageOrganization { org_id: &org.id })?;
    let mut request = request_of(&app, &org, &id).await?;
    let members = app.store.members_of(&org.id).await?;
    if let Some((membership, user)) = find_member(members, &request.user_id) {
        let json = MemberJson::new(&app, &membership, &user, true);
        return Ok((StatusCode::CONFLICT, Json(json)));
    }
    request.handled_by = Some(actor.user.id.clone());
    app.store.accept_membership_request(&request, now()).await?;
    let members = app.store.members_of(&org.id).await?;
    let (membership, user) = find_member(members, &request.user_id)
        .ok_or_else(|| ApiError::Internal("an accepted member is missing".into()))?;
    Ok((
        StatusCode::OK,
        Json(MemberJson::new(&app, &membership, &user, true)),
    ))
}

/// Refuses a request, with an optional comment for the applicant.
#[utoipa::path(post, path = "/organizations/{org}/membership/{id}/refuse/", operation_id = "refuse_membership",
    tag = "organizations",
    params(("org" = String, Path, description = "The organization ID or slug"),
        ("id" = String, Path, description = "The membership request id")),
    request_body = RefuseMembership,
    responses((status = 200, description = "An empty object"), (status = 400), (status = 401), (status = 403),
        (status = 404)))]
pub async fn refuse_membership(
    State(app): State<AppState>,
    auth: Auth,
    OrgPath(org): OrgPath,
    InnerPath(id): InnerPath,
    body: Result<OptionalJson<RefuseMembership>, ApiError>,
) -> ApiResult<Json<Value>> {
    let actor = require(&auth, Action::ManageOrganization { org_id: &org.id })?;
    let mut request = request_of(&app, &org, &id).await?;
    let OptionalJson(input) = body?;
    let now = now();
    request.status = "refused".into();
    request.handled_by = Some(actor.user.id.clone());
    request.handled_on = Some(now);
    request.refusal_comment = input.comment.filter(|c| !c.trim().is_empty());
    app.store.save_membership_request(&request, now).await?;
    Ok(Json(json!({})))
}
