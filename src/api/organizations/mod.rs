//! `/organizations/`: organizations, their members and membership requests, badges, logo,
//! followers and the lists of what they own. One file per group of routes; what every handler
//! shares (resolving `{org}`, the deleted checks, query validation) is here.

pub mod badges;
pub mod crud;
pub mod exports;
pub mod followers;
pub mod fragments;
pub mod lists;
pub mod logo;
pub mod members;
pub mod membership;
pub mod model;
pub mod search;

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::answers::Entry;
use super::error::{ApiError, ApiResult};
use super::extract::{ApiJson, Auth};
use super::paths::{canonical_url, inner_value, object_value, original_uri};
use super::state::AppState;
use crate::domain::organization::Organization;
use crate::domain::permissions::{Action, Actor, can};
use crate::domain::validation::FieldErrors;
use crate::store::organizations::Resolved;
use fragments::OrganizationFragments;

pub const OPERATIONS: &[&str] = &[
    "GET /organizations/",
    "POST /organizations/",
    "GET /organizations/{org}/",
    "PUT /organizations/{org}/",
    "DELETE /organizations/{org}/",
    "POST /organizations/{org}/member/{user}/",
    "PUT /organizations/{org}/member/{user}/",
    "DELETE /organizations/{org}/member/{user}/",
    "GET /organizations/{org}/membership/",
    "POST /organizations/{org}/membership/",
    "POST /organizations/{org}/membership/{id}/accept/",
    "POST /organizations/{org}/membership/{id}/refuse/",
    "GET /organizations/{org}/datasets/",
    "GET /organizations/{org}/reuses/",
    "GET /organizations/{org}/discussions/",
    "GET /organizations/{org}/contacts/",
    "GET /organizations/{org}/contacts/suggest/",
    "GET /organizations/badges/",
    "POST /organizations/{org}/badges/",
    "DELETE /organizations/{org}/badges/{badge_kind}/",
    "POST /organizations/{org}/logo/",
    "PUT /organizations/{org}/logo/",
    "GET /organizations/roles/",
    "GET /organizations/suggest/",
    "GET /organizations/{id}/followers/",
    "POST /organizations/{id}/followers/",
    "DELETE /organizations/{id}/followers/",
    "GET /organizations/{org}/catalog",
    "GET /organizations/{org}/catalog.{_format}",
    "GET /organizations/{org}/datasets.csv",
    "GET /organizations/{org}/datasets-resources.csv",
    "GET /organizations/{org}/dataservices.csv",
    "GET /organizations/{org}/discussions.csv",
];

pub const MODELS: &[(&str, &str)] = &[
    ("Organization", "Organization"),
    ("OrganizationPage", "OrganizationPage"),
    ("Member", "Member"),
    ("MembershipRequest", "MembershipRequest"),
    ("RefuseMembership", "RefuseMembership"),
    ("OrganizationSuggestion", "OrganizationSuggestion"),
    ("OrganizationRole", "OrganizationRole"),
    ("FollowPage", "FollowPage"),
    ("ContactPointPage", "ContactPointPage"),
];

/// The routes of the namespace with their OpenAPI descriptions.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(crud::list_organizations, crud::create_organization))
        .routes(routes!(
            crud::get_organization,
            crud::update_organization,
            crud::delete_organization
        ))
        .routes(routes!(
            members::create_organization_member,
            members::update_organization_member,
            members::delete_organization_member
        ))
        .routes(routes!(
            membership::list_membership_requests,
            membership::post_membership_request
        ))
        .routes(routes!(membership::accept_membership))
        .routes(routes!(membership::refuse_membership))
        .routes(routes!(badges::available_organization_badges))
        .routes(routes!(badges::add_organization_badge))
        .routes(routes!(badges::delete_organization_badge))
        .routes(routes!(
            logo::organization_logo,
            logo::resize_organization_logo
        ))
        .routes(routes!(
            followers::list_organization_followers,
            followers::follow_organization,
            followers::unfollow_organization
        ))
        .routes(routes!(lists::org_roles))
        .routes(routes!(lists::suggest_organizations))
        .routes(routes!(lists::list_organization_datasets))
        .routes(routes!(lists::list_organization_reuses))
        .routes(routes!(lists::list_organization_discussions))
        .routes(routes!(lists::get_organization_contact_point))
        .routes(routes!(lists::suggest_org_contact_points))
        .routes(routes!(exports::rdf_organization))
        .routes(routes!(exports::rdf_organization_format))
        .routes(routes!(exports::get_datasets_csv))
        .routes(routes!(exports::get_datasets_resources_csv))
        .routes(routes!(exports::get_dataservices_csv))
        .routes(routes!(exports::get_discussions_csv))
}

/// The organization named by the `{org}` path value (`{id}` on the followers routes), by id or
/// current slug. Unknown → 404; an old slug or a non-canonical form → 308 to the same URL with
/// the current slug (query string kept). Deleted organizations resolve: handlers decide on 410.
pub struct OrgPath(pub Organization);

impl FromRequestParts<AppState> for OrgPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> ApiResult<Self> {
        let value = object_value(parts, app, "org").await?;
        resolve_org_path(parts, app, &value).await.map(OrgPath)
    }
}

/// The serialized answer about the organization the `{org}` path value names by id or current
/// slug (`GET /organizations/{org}/`): from the organization cache, else read with its members
/// (one statement; the full resolution and its 308 for old slugs otherwise) and its count of
/// public datasets, and kept.
pub struct OrgAnswerPath(pub Arc<Entry<OrganizationFragments>>);

impl FromRequestParts<AppState> for OrgAnswerPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> ApiResult<Self> {
        let value = object_value(parts, app, "org").await?;
        if let Some(entry) = app.organization_cache.get(&value) {
            return Ok(OrgAnswerPath(entry));
        }
        let ticket = app.organization_cache.ticket();
        let (org, members) = match app.store.organization_with_members(&value).await? {
            Some(found) => found,
            None => {
                let org = resolve_org_path(parts, app, &value).await?;
                let members = app.store.members_of(&org.id).await?;
                (org, members)
            }
        };
        // `organization_with_members` prefers an id: one found by slug has no rival by id.
        let by_slug = org.slug == value && org.id != value;
        let datasets = app.store.public_datasets_of_org(&org.id).await?;
        let fragments = OrganizationFragments::of(app, &org, &members, datasets)?;
        Ok(OrgAnswerPath(
            app.organization_cache.insert(ticket, fragments, by_slug),
        ))
    }
}

/// The answers about the organizations `ids`, in order, from the organization cache or read
/// from the store (three statements at most) and kept; unknown ids are left out.
pub async fn answers(
    app: &AppState,
    ids: &[String],
) -> ApiResult<Vec<Arc<Entry<OrganizationFragments>>>> {
    app.organization_cache
        .answers(
            ids,
            |_| true,
            |missing| async move {
                let orgs = app.store.organizations_by_ids(&missing).await?;
                let mut members = app.store.members_of_many(&missing).await?;
                let datasets = app.store.public_dataset_counts(&missing).await?;
                orgs.iter()
                    .map(|org| {
                        let org_members = members.remove(&org.id).unwrap_or_default();
                        let count = datasets.get(&org.id).copied().unwrap_or(0);
                        OrganizationFragments::of(app, org, &org_members, count)
                    })
                    .collect::<ApiResult<Vec<_>>>()
            },
        )
        .await
}

/// The organization a path value names, or the 308 to its canonical URL, or the 404.
async fn resolve_org_path(parts: &Parts, app: &AppState, value: &str) -> ApiResult<Organization> {
    match app.store.resolve_organization(value).await? {
        Resolved::Found(org) => Ok(org),
        Resolved::Moved(org) => Err(ApiError::MovedPermanently(canonical_url(
            &app.settings.base_url,
            original_uri(parts),
            "organizations",
            &org.slug,
        ))),
        Resolved::NotFound => Err(ApiError::not_found()),
    }
}

/// The path value nested under `{org}` (`{user}`, `{id}`, `{badge_kind}`); 404 when it is not
/// valid percent-encoded UTF-8.
pub struct InnerPath(pub String);

impl FromRequestParts<AppState> for InnerPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> ApiResult<Self> {
        inner_value(parts, app, "org").await.map(InnerPath)
    }
}

fn gone() -> ApiError {
    ApiError::Gone("Organization has been deleted".into())
}

/// Whether the caller may see the organization's private side: members' emails, pending
/// requests, the organization once deleted.
pub fn can_read_private(auth: &Auth, org_id: &str) -> bool {
    can(auth.actor(), Action::ReadOrganizationPrivate { org_id })
}

/// 410 for a deleted organization unless the caller may still see it (members, sysadmins).
fn ensure_visible(auth: &Auth, org: &Organization) -> ApiResult<()> {
    if org.deleted.is_some() && !can_read_private(auth, &org.id) {
        return Err(gone());
    }
    Ok(())
}

/// 410 for a deleted organization, whoever asks.
fn ensure_live(org: &Organization) -> ApiResult<()> {
    match org.deleted {
        Some(_) => Err(gone()),
        None => Ok(()),
    }
}

/// The authenticated caller (401 otherwise) if allowed to `action` (403 otherwise).
fn require<'a>(auth: &'a Auth, action: Action<'_>) -> ApiResult<&'a Actor> {
    let actor = auth.required()?;
    if can(Some(actor), action) {
        Ok(actor)
    } else {
        Err(ApiError::forbidden())
    }
}

/// A JSON body that may be absent: an empty body reads as `T::default()`; anything else is read
/// as [`ApiJson`] reads it (415 wrong media type, 400 malformed or wrong types).
pub struct OptionalJson<T>(pub T);

impl<T: DeserializeOwned + Default> FromRequest<AppState> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, app: &AppState) -> ApiResult<Self> {
        let limit = app.settings.max_upload_size;
        let (parts, body) = req.into_parts();
        let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| {
            ApiError::PayloadTooLarge(format!("The body is larger than {limit} bytes"))
        })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJson(T::default()));
        }
        let req = Request::from_parts(parts, Body::from(bytes));
        let ApiJson(value) = ApiJson::from_request(req, app).await?;
        Ok(OptionalJson(value))
    }
}

/// Checks that a `sort` value is one of `keys`, optionally prefixed with `-`.
pub(crate) fn check_sort(errors: &mut FieldErrors, value: Option<&str>, keys: &[&str]) {
    if let Some(sort) = value.filter(|s| !s.is_empty())
        && !keys.contains(&sort.strip_prefix('-').unwrap_or(sort))
    {
        errors.add("sort", &not_a_choice(sort));
    }
}

/// Checks that an enumerated parameter is one of `choices`.
pub(crate) fn check_choice<'a>(
    errors: &mut FieldErrors,
    field: &str,
    value: Option<&str>,
    mut choices: impl Iterator<Item = &'a str>,
) {
    if let Some(value) = value.filter(|v| !v.is_empty())
        && !choices.any(|choice| choice == value)
    {
        errors.add(field, &not_a_choice(value));
    }
}

fn not_a_choice(value: &str) -> String {
    format!("The value '{value}' is not a valid choice.")
}

/// Reads a boolean parameter as uData does (`true`/`false`/`1`/`0`, any case).
pub(crate) fn check_flag(
    errors: &mut FieldErrors,
    field: &str,
    value: Option<&str>,
) -> Option<bool> {
    let value = value?;
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => {
            errors.add(field, "Expecting a boolean: true or false.");
            None
        }
    }
}
