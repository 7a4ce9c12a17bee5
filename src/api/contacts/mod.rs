//! `/contacts/`: contact points, owned by a user or an organization, that datasets refer to.
//! Create, read, update and delete are in `crud.rs`, the roles in `roles.rs`; the lists of an
//! organization's or a user's contact points belong to those namespaces.

pub mod crud;
pub mod model;
pub mod roles;

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{ApiError, ApiResult};
use super::extract::Auth;
use super::state::AppState;
use crate::domain::contact_point::{CHANNEL_REQUIRED, ContactPoint};
use crate::domain::ids::is_object_id;
use crate::domain::permissions::{Action, can};
use crate::domain::validation::FieldErrors;

pub const OPERATIONS: &[&str] = &[
    "POST /contacts/",
    "GET /contacts/roles/",
    "GET /contacts/{contact_point}/",
    "PUT /contacts/{contact_point}/",
    "DELETE /contacts/{contact_point}/",
];

pub const MODELS: &[(&str, &str)] = &[
    ("ContactPoint", "ContactPoint"),
    ("ContactPointRoles", "ContactPointRoles"),
    ("ContactPointPage", "ContactPointPage"),
];

/// The routes of the namespace with their OpenAPI descriptions.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(crud::create_contact_point))
        .routes(routes!(roles::contact_point_roles))
        .routes(routes!(
            crud::get_contact_point,
            crud::update_contact_point,
            crud::delete_contact_point
        ))
}

/// The contact point named by the `{contact_point}` path value (its id; there are no slugs).
/// Unknown or malformed → 404.
pub struct ContactPointPath(pub ContactPoint);

impl FromRequestParts<AppState> for ContactPointPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> ApiResult<Self> {
        let params = RawPathParams::from_request_parts(parts, app)
            .await
            .map_err(|_| not_found())?;
        let id = params
            .iter()
            .find(|(name, _)| *name == "contact_point")
            .map(|(_, value)| value)
            .filter(|value| is_object_id(value))
            .ok_or_else(not_found)?;
        app.store
            .contact_point(id)
            .await?
            .map(ContactPointPath)
            .ok_or_else(not_found)
    }
}

fn not_found() -> ApiError {
    ApiError::NotFound("Contact point not found".into())
}

/// 401 for anonymous callers, 403 unless the caller may edit the contact point.
fn require_edit(auth: &Auth, p: &ContactPoint) -> ApiResult<()> {
    let actor = auth.required()?;
    let action = Action::EditContactPoint {
        owner_id: p.owner.as_deref(),
        org_id: p.organization.as_deref(),
    };
    if can(Some(actor), action) {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

/// The 400 of a refused contact point. uData raises the missing email or contact form as a
/// model error whose message is the sentence itself: kept when it is the only error.
fn refused(errors: FieldErrors) -> ApiError {
    let only_channel = errors
        .0
        .values()
        .flatten()
        .all(|message| message == CHANNEL_REQUIRED);
    if only_channel {
        ApiError::Validation {
            message: CHANNEL_REQUIRED.into(),
            errors,
        }
    } else {
        ApiError::validation(errors)
    }
}
