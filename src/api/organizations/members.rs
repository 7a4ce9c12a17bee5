//! `/organizations/{org}/member/{user}/`: direct management of members by the organization's
//! administrators.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use super::model::MemberJson;
use super::{InnerPath, OptionalJson, OrgPath, can_read_private, require};
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::Auth;
use crate::api::state::AppState;
use crate::domain::organization::{Membership, OrgRole, Organization};
use crate::domain::permissions::Action;
use crate::domain::time::now;
use crate::domain::user::User;

/// The body of a member creation or update: the role (clients may send the whole `Member`).
#[derive(Debug, Default, Deserialize)]
pub struct MemberInput {
    pub role: Option<String>,
}

impl MemberInput {
    /// The requested role, `default` when absent; 400 on `role` when unknown.
    fn role_or(&self, default: OrgRole) -> ApiResult<OrgRole> {
        match self.role.as_deref() {
            None => Ok(default),
            Some(role) => OrgRole::parse(role)
                .ok_or_else(|| ApiError::field("role", "Not a valid choice: admin or editor.")),
        }
    }
}

/// The user named by the `{user}` path value (id or slug); 404 when unknown or deleted.
async fn path_user(app: &AppState, value: &str) -> ApiResult<User> {
    app.store
        .user_by_ref(value)
        .await?
        .filter(|user| user.deleted.is_none())
        .ok_or_else(ApiError::not_found)
}

/// The membership of `user` in `org`, if a member.
async fn membership_of(
    app: &AppState,
    org: &Organization,
    user: &User,
) -> ApiResult<Option<(Membership, User)>> {
    Ok(app
        .store
        .members_of(&org.id)
        .await?
        .into_iter()
        .find(|(membership, _)| membership.user_id == user.id))
}

fn not_a_member() -> ApiError {
    ApiError::NotFound("This user is not a member of the organization".into())
}

/// Adds a member (role `editor` by default). 409 with the existing membership if already one.
#[utoipa::path(post, path = "/organizations/{org}/member/{user}/", operation_id = "create_organization_member",
    tag = "organizations",
    params(("org" = String, Path, description = "The organization ID or slug"),
        ("user" = String, Path, description = "The user ID or slug")),
    request_body = MemberJson,
    responses((status = 201, body = MemberJson), (status = 400), (status = 401), (status = 403), (status = 404),
        (status = 409, description = "User is already member", body = MemberJson)))]
pub async fn create_organization_member(
    State(app): State<AppState>,
    auth: Auth,
    OrgPath(org): OrgPath,
    InnerPath(user): InnerPath,
    body: Result<OptionalJson<MemberInput>, ApiError>,
) -> ApiResult<(StatusCode, Json<MemberJson>)> {
    let user = path_user(&app, &user).await?;
    require(&auth, Action::ManageOrganization { org_id: &org.id })?;
    let show_private = can_read_private(&auth, &org.id);
    if let Some((membership, user)) = membership_of(&app, &org, &user).await? {
        let existing = MemberJson::new(&app, &membership, &user, show_private);
        return Ok((StatusCode::CONFLICT, Json(existing)));
    }
    let OptionalJson(input) = body?;
    let role = input.role_or(OrgRole::Editor)?;
    app.store.add_member(&org.id, &user.id, role, now()).await?;
    let (membership, user) = membership_of(&app, &org, &user)
        .await?
        .ok_or_else(not_a_member)?;
    let json = MemberJson::new(&app, &membership, &user, show_private);
    Ok((StatusCode::CREATED, Json(json)))
}

/// Changes a member's role; 404 when the user is not a member.
#[utoipa::path(put, path = "/organizations/{org}/member/{user}/", operation_id = "update_organization_member",
    tag = "organizations",
    params(("org" = String, Path, description = "The organization ID or slug"),
        ("user" = String, Path, description = "The user ID or slug")),
    request_body = MemberJson,
    responses((status = 200, body = MemberJson), (status = 400), (status = 401), (status = 403), (status = 404)))]
pub async fn update_organization_member(
    State(app): State<AppState>,
    auth: Auth,
    OrgPath(org): OrgPath,
    InnerPath(user): InnerPath,
    body: Result<OptionalJson<MemberInput>, ApiError>,
) -> ApiResult<Json<MemberJson>> {
    let user = path_user(&app, &user).await?;
    require(&auth, Action::ManageOrganization { org_id: &org.id })?;
    let (mut membership, user) = membership_of(&app, &org, &user)
        .await?
        .ok_or_else(not_a_member)?;
    let OptionalJson(input) = body?;
    let role = input.role_or(membership.role)?;
    if role != membership.role {
        app.store
            .set_member_role(&org.id, &user.id, role, now())
            .await?;
        membership.role = role;
    }
    let show_private = can_read_private(&auth, &org.id);
    Ok(Json(MemberJson::new(
        &app,
        &membership,
        &user,
        show_private,
    )))
}

/// Removes a member; 404 when the user is not a member.
#[utoipa::path(delete, path = "/organizations/{org}/member/{user}/", operation_id = "delete_organization_member",
    tag = "organizations",
    params(("org" = String, Path, description = "The organization ID or slug"),
        ("user" = String, Path, description = "The user ID or slug")),
    responses((status = 204), (status = 401), (status = 403), (status = 404)))]
pub async fn delete_organization_member(
    State(app): State<AppState>,
    auth: Auth,
    OrgPath(org): OrgPath,
    InnerPath(user): InnerPath,
) -> ApiResult<StatusCode> {
    let user = path_user(&app, &user).await?;
    require(&auth, Action::ManageOrganization { org_id: &org.id })?;
    app.store
        .remove_member(&org.id, &user.id, now())
        .await
        .map_err(|e| match e {
            // The store reports a membership that is not there as a failed "exactly one row".
            crate::store::StoreError::Conflict(_) => not_a_member(),
            other => other.into(),
        })?;
    Ok(StatusCode::NO_CONTENT)
}
