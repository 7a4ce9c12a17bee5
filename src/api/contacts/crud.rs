//! `/contacts/` and `/contacts/{contact_point}/`: create, read, update, delete.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::Value;

use super::model::{ContactPointJson, OwnershipShown, contact_point_json};
use super::{ContactPointPath, not_found, refused, require_edit};
use crate::api::datasets::decide_ownership;
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiJson, Auth};
use crate::api::state::AppState;
use crate::domain::contact_point::{ALREADY_EXISTS, ContactPointInput};
use crate::domain::ids::object_id;
use crate::domain::time::now;
use crate::domain::validation::FieldErrors;
use crate::store::StoreError;

/// Creates a contact point, owned by the caller or, with `organization`, by one of their
/// organizations. When one with the same values exists, it is answered instead (200).
#[utoipa::path(post, path = "/contacts/", operation_id = "create_contact_point", tag = "contacts",
    request_body = ContactPointJson,
    responses((status = 201, body = ContactPointJson), (status = 200, body = ContactPointJson,
        description = "The existing contact point with the same values"),
        (status = 400, description = "Validation error"), (status = 401), (status = 415)))]
pub async fn create_contact_point(
    State(app): State<AppState>,
    auth: Auth,
    shown: OwnershipShown,
    body: Result<ApiJson<Value>, ApiError>,
) -> ApiResult<(StatusCode, Json<ContactPointJson>)> {
    let actor = auth.required()?;
    let ApiJson(body) = body?;
    let input = ContactPointInput::parse(&body).map_err(ApiError::validation)?;
    let mut errors = FieldErrors::default();
    let ownership = decide_ownership(
        &app,
        actor,
        input.owner.clone(),
        input.organization.clone(),
        None,
        &mut errors,
    )
    .await?;
    let mut point = input.create(object_id());
    point.owner = ownership.owner;
    point.organization = ownership.organization;
    errors.merge(point.check());
    if !errors.is_empty() {
        return Err(refused(errors));
    }
    if let Some(existing) = app.store.identical_contact_point(&point).await? {
        let json = contact_point_json(&app, &existing, shown).await?;
        return Ok((StatusCode::OK, Json(json)));
    }
    match app.store.create_contact_point(&point, now()).await {
        Ok(()) => {
            let json = contact_point_json(&app, &point, shown).await?;
            Ok((StatusCode::CREATED, Json(json)))
        }
        // The same contact point, created by a request that ran alongside this one.
        Err(StoreError::Conflict(cause)) => {
            let existing = app
                .store
                .identical_contact_point(&point)
                .await?
                .ok_or(StoreError::Conflict(cause))?;
            let json = contact_point_json(&app, &existing, shown).await?;
            Ok((StatusCode::OK, Json(json)))
        }
        Err(e) => Err(e.into()),
    }
}

/// A contact point by id.
#[utoipa::path(get, path = "/contacts/{contact_point}/", operation_id = "get_contact_point",
    tag = "contacts",
    params(("contact_point" = String, Path, description = "The contact point ID")),
    responses((status = 200, body = ContactPointJson),
        (status = 404, description = "Contact point not found")))]
pub async fn get_contact_point(
    State(app): State<AppState>,
    shown: OwnershipShown,
    ContactPointPath(point): ContactPointPath,
) -> ApiResult<Json<ContactPointJson>> {
    Ok(Json(contact_point_json(&app, &point, shown).await?))
}

/// Changes a contact point (its owner, its organization's members, sysadmins). Fields left out
/// keep their values; it cannot become identical to another contact point.
#[utoipa::path(put, path = "/contacts/{contact_point}/", operation_id = "update_contact_point",
    tag = "contacts",
    params(("contact_point" = String, Path, description = "The contact point ID")),
    request_body = ContactPointJson,
    responses((status = 200, body = ContactPointJson), (status = 400, description = "Validation error"),
        (status = 401), (status = 403), (status = 404, description = "Contact point not found"),
        (status = 415)))]
pub async fn update_contact_point(
    State(app): State<AppState>,
    auth: Auth,
    shown: OwnershipShown,
    ContactPointPath(point): ContactPointPath,
    body: Result<ApiJson<Value>, ApiError>,
) -> ApiResult<Json<ContactPointJson>> {
    let actor = auth.required()?;
    require_edit(&auth, &point)?;
    let ApiJson(body) = body?;
    let input = ContactPointInput::parse(&body).map_err(ApiError::validation)?;
    let mut errors = FieldErrors::default();
    let ownership = decide_ownership(
        &app,
        actor,
        input.owner.clone(),
        input.organization.clone(),
        Some((point.owner.as_deref(), point.organization.as_deref())),
        &mut errors,
    )
    .await?;
    let mut updated = point.clone();
    input.apply(&mut updated);
    updated.owner = ownership.owner;
    updated.organization = ownership.organization;
    errors.merge(updated.check());
    if !errors.is_empty() {
        return Err(refused(errors));
    }
    let duplicate = || ApiError::field("__all__", ALREADY_EXISTS);
    if app.store.identical_contact_point(&updated).await?.is_some() {
        return Err(duplicate());
    }
    match app.store.update_contact_point(&updated, now()).await {
        Ok(()) => Ok(Json(contact_point_json(&app, &updated, shown).await?)),
        // Another contact point took these values meanwhile, or this one was deleted.
        Err(StoreError::Conflict(_)) => match app.store.contact_point(&updated.id).await? {
            Some(_) => Err(duplicate()),
            None => Err(not_found()),
        },
        Err(e) => Err(e.into()),
    }
}

/// Deletes a contact point for good (its owner, its organization's members, sysadmins). The
/// datasets that named it stop serving it.
#[utoipa::path(delete, path = "/contacts/{contact_point}/", operation_id = "delete_contact_point",
    tag = "contacts",
    params(("contact_point" = String, Path, description = "The contact point ID")),
    responses((status = 204, description = "Contact point deleted"), (status = 401), (status = 403),
        (status = 404, description = "Contact point not found")))]
pub async fn delete_contact_point(
    State(app): State<AppState>,
    auth: Auth,
    ContactPointPath(point): ContactPointPath,
) -> ApiResult<StatusCode> {
    require_edit(&auth, &point)?;
    match app.store.delete_contact_point(&point.id, now()).await {
        Ok(()) => Ok(StatusCode::NO_CONTENT),
        Err(StoreError::Conflict(_)) => Err(not_found()),
        Err(e) => Err(e.into()),
    }
}
