//! The representations of contact points, named as in uData's contract, and how other areas
//! embed them.

use std::collections::HashMap;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::datasets::model::Owners;
use crate::api::error::{ApiError, ApiResult};
use crate::api::pagination::{Envelope, Pagination};
use crate::api::refs::{OrganizationReference, UserReference};
use crate::api::state::{App, AppState};
use crate::domain::contact_point::ContactPoint;
use crate::store::Paged;
use crate::store::contact_points::ContactOwner;

/// A contact point as served (`ContactPoint`). uData's default mask is
/// `{id,name,email,contact_form,role}`: `organization` and `owner` are only written when an
/// `X-Fields` mask may ask for them (see [`OwnershipShown`]).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ContactPoint)]
pub struct ContactPointJson {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub contact_form: Option<String>,
    /// One of `/contacts/roles/`.
    pub role: String,
    /// The producer organization
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<OrganizationReference>)]
    pub organization: Option<Option<OrganizationReference>>,
    /// The user information
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<UserReference>)]
    pub owner: Option<Option<UserReference>>,
}

impl ContactPointJson {
    /// With uData's default mask: no owner nor organization.
    pub fn new(p: &ContactPoint) -> Self {
        ContactPointJson {
            id: p.id.clone(),
            name: p.name.clone(),
            email: p.email.clone(),
            contact_form: p.contact_form.clone(),
            role: p.role.clone(),
            organization: None,
            owner: None,
        }
    }

    /// With the owner and organization (`null` when unset or gone), from loaded `owners`.
    fn with_ownership(p: &ContactPoint, app: &App, owners: &Owners) -> Self {
        ContactPointJson {
            organization: Some(
                owners
                    .org(p.organization.as_deref())
                    .map(|o| OrganizationReference::new(app, o)),
            ),
            owner: Some(
                owners
                    .user(p.owner.as_deref())
                    .map(|u| UserReference::new(app, u)),
            ),
            ..ContactPointJson::new(p)
        }
    }
}

/// A role a contact point can have (`ContactPointRoles`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ContactPointRoles)]
pub struct ContactPointRoleJson {
    pub id: String,
    pub label: String,
}

/// Whether the request's `X-Fields` mask may select a contact point's `owner` or
/// `organization`, which uData's default mask leaves out: when it names one of them or holds a
/// `*`. Writing them then costs two lookups; the mask middleware keeps exactly what the mask
/// selects.
#[derive(Debug, Clone, Copy)]
pub struct OwnershipShown(pub bool);

impl<S: Send + Sync> FromRequestParts<S> for OwnershipShown {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> ApiResult<Self> {
        let shown = parts
            .headers
            .get("x-fields")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|mask| {
                mask.contains("owner") || mask.contains("organization") || mask.contains('*')
            });
        Ok(OwnershipShown(shown))
    }
}

/// Contact points as served: with their owner and organization when `shown`.
pub async fn contact_point_jsons(
    app: &AppState,
    points: &[ContactPoint],
    OwnershipShown(shown): OwnershipShown,
) -> ApiResult<Vec<ContactPointJson>> {
    if !shown {
        return Ok(points.iter().map(ContactPointJson::new).collect());
    }
    let mut owners = Owners::default();
    owners
        .load(
            app,
            points
                .iter()
                .map(|p| (p.owner.as_deref(), p.organization.as_deref())),
        )
        .await?;
    Ok(points
        .iter()
        .map(|p| ContactPointJson::with_ownership(p, app, &owners))
        .collect())
}

/// One contact point as served.
pub async fn contact_point_json(
    app: &AppState,
    point: &ContactPoint,
    shown: OwnershipShown,
) -> ApiResult<ContactPointJson> {
    let mut jsons = contact_point_jsons(app, std::slice::from_ref(point), shown).await?;
    jsons
        .pop()
        .ok_or_else(|| ApiError::Internal("a contact point without its representation".into()))
}

/// A page of the contact points of a user or an organization, as served.
pub async fn contact_point_page(
    app: &AppState,
    owner: ContactOwner<'_>,
    pagination: &Pagination,
    shown: OwnershipShown,
) -> ApiResult<Envelope> {
    let paged = app
        .store
        .contact_points_of(owner, pagination.request)
        .await?;
    let items = contact_point_jsons(app, &paged.items, shown).await?;
    pagination.envelope(
        app,
        Paged {
            items,
            total: paged.total,
        },
    )
}

/// The contact points datasets refer to, read in one statement for a whole page of datasets.
/// A deleted contact point is simply not found: datasets stop serving it.
#[derive(Debug, Default)]
pub struct EmbeddedContactPoints(HashMap<String, ContactPoint>);

impl EmbeddedContactPoints {
    /// Loads every contact point of `lists`; no statement when they are all empty.
    pub async fn load<'a>(
        app: &AppState,
        lists: impl Iterator<Item = &'a [String]>,
    ) -> ApiResult<Self> {
        let mut ids: Vec<String> = lists.flatten().cloned().collect();
        ids.sort_unstable();
        ids.dedup();
        let found = app.store.contact_points_by_ids(&ids).await?;
        Ok(EmbeddedContactPoints(
            found.into_iter().map(|p| (p.id.clone(), p)).collect(),
        ))
    }

    /// The contact points of `ids` that still exist, in order, with uData's default mask (the
    /// one its dataset representation nests them with).
    pub fn of(&self, ids: &[String]) -> Vec<ContactPointJson> {
        ids.iter()
            .filter_map(|id| self.0.get(id))
            .map(ContactPointJson::new)
            .collect()
    }
}
