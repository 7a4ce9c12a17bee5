//! `/contacts/roles/`: the roles a contact point can have.

use axum::Json;

use super::model::ContactPointRoleJson;
use crate::domain::contact_point::CONTACT_ROLES;

/// Every contact point role, with its display name.
#[utoipa::path(get, path = "/contacts/roles/", operation_id = "contact_point_roles", tag = "contacts",
    responses((status = 200, body = Vec<ContactPointRoleJson>)))]
pub async fn contact_point_roles() -> Json<Vec<ContactPointRoleJson>> {
    Json(
        CONTACT_ROLES
            .iter()
            .map(|(id, label)| ContactPointRoleJson {
                id: (*id).to_owned(),
                label: (*label).to_owned(),
            })
            .collect(),
    )
}
