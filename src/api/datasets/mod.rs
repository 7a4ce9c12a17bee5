//! `/datasets/`: datasets, their resources, community resources, badges, featuring, followers,
//! suggestions and the Atom feed. One file per group of routes; what every handler shares
//! (resolving `{dataset}`, the visibility rules, checking references in a body) is here.
//! The reference lists (licenses, frequencies…) are in `reference.rs`.

pub mod badges;
pub mod community;
pub mod crud;
pub mod exports;
pub mod featured;
pub mod feed;
pub mod followers;
pub mod fragments;
pub mod lists;
pub mod model;
pub mod reference;
pub mod resources;
pub mod search;
pub mod uploads;
pub mod v2_model;

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::answers::Entry;
use super::error::{ApiError, ApiResult};
use super::extract::Auth;
use super::paths::{canonical_url, inner_value, object_value, original_uri};
use super::state::AppState;
use crate::api::contacts::model::EmbeddedContactPoints;
use crate::domain::contact_point::check_dataset_references;
use crate::domain::dataset::{
    Dataset, DatasetInput, SpatialCoverage, check_custom_extras, not_a_choice,
};
use crate::domain::geozone::BASE_GRANULARITIES;
use crate::domain::ids::is_object_id;
use crate::domain::permissions::{Action, Actor, can};
use crate::domain::validation::FieldErrors;
use crate::store::organizations::Resolved;
use fragments::DatasetFragments;
use model::{DatasetJson, Resources, dataset_jsons_with};

pub const OPERATIONS: &[&str] = &[
    "GET /datasets/",
    "POST /datasets/",
    "GET /datasets/{dataset}/",
    "PUT /datasets/{dataset}/",
    "DELETE /datasets/{dataset}/",
    "POST /datasets/{dataset}/resources/",
    "PUT /datasets/{dataset}/resources/",
    "GET /datasets/{dataset}/resources/{rid}/",
    "PUT /datasets/{dataset}/resources/{rid}/",
    "DELETE /datasets/{dataset}/resources/{rid}/",
    "GET /datasets/r/{id}",
    "POST /datasets/{dataset}/upload/",
    "POST /datasets/{dataset}/resources/{rid}/upload/",
    "POST /datasets/{dataset}/upload/community/",
    "POST /datasets/community_resources/{community}/upload/",
    "GET /datasets/community_resources/",
    "POST /datasets/community_resources/",
    "GET /datasets/community_resources/{community}/",
    "PUT /datasets/community_resources/{community}/",
    "DELETE /datasets/community_resources/{community}/",
    "POST /datasets/{dataset}/badges/",
    "DELETE /datasets/{dataset}/badges/{badge_kind}/",
    "POST /datasets/{dataset}/featured/",
    "DELETE /datasets/{dataset}/featured/",
    "GET /datasets/{id}/followers/",
    "POST /datasets/{id}/followers/",
    "DELETE /datasets/{id}/followers/",
    "GET /datasets/suggest/",
    "GET /datasets/suggest/formats/",
    "GET /datasets/suggest/mime/",
    "GET /datasets/recent.atom",
    "GET /datasets/{dataset}/rdf",
    "GET /datasets/{dataset}/rdf.{_format}",
];

pub const MODELS: &[(&str, &str)] = &[
    ("Dataset", "Dataset"),
    ("DatasetPage", "DatasetPage"),
    ("DatasetPermissions", "DatasetPermissions"),
    ("DatasetInternals", "DatasetInternals"),
    ("Resource", "Resource"),
    ("ResourceInternals", "ResourceInternals"),
    ("Checksum", "Checksum"),
    ("TemporalCoverage", "TemporalCoverage"),
    ("SpatialCoverage", "SpatialCoverage"),
    ("Schema", "Schema"),
    ("CommunityResource", "CommunityResource"),
    ("CommunityResourcePage", "CommunityResourcePage"),
    ("DatasetSuggestion", "DatasetSuggestion"),
    ("UploadedResource", "UploadedResource"),
    ("UploadedCommunityResource", "UploadedCommunityResource"),
];

/// The routes of the namespace with their OpenAPI descriptions.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(crud::list_datasets, crud::create_dataset))
        .routes(routes!(
            crud::get_dataset,
            crud::update_dataset,
            crud::delete_dataset
        ))
        .routes(routes!(
            resources::create_resource,
            resources::update_resources
        ))
        .routes(routes!(
            resources::get_resource,
            resources::update_resource,
            resources::delete_resource
        ))
        .routes(routes!(resources::redirect_resource))
        .routes(routes!(uploads::upload_new_dataset_resource))
        .routes(routes!(uploads::upload_dataset_resource))
        .routes(routes!(uploads::upload_new_community_resource))
        .routes(routes!(uploads::upload_community_resource))
        .routes(routes!(
            community::list_community_resources,
            community::create_community_resource
        ))
        .routes(routes!(
            community::retrieve_community_resource,
            community::update_community_resource,
            community::delete_community_resource
        ))
        .routes(routes!(badges::add_dataset_badge))
        .routes(routes!(badges::delete_dataset_badge))
        .routes(routes!(
            featured::feature_dataset,
            featured::unfeature_dataset
        ))
        .routes(routes!(
            followers::list_dataset_followers,
            followers::follow_dataset,
            followers::unfollow_dataset
        ))
        .routes(routes!(lists::suggest_datasets))
        .routes(routes!(lists::suggest_formats))
        .routes(routes!(lists::suggest_mime))
        .routes(routes!(feed::recent_datasets_atom_feed))
        .routes(routes!(exports::rdf_dataset))
        .routes(routes!(exports::rdf_dataset_format))
}

/// The dataset named by the `{dataset}` path value (`{id}` on the followers routes), by id or
/// current slug. Unknown → 404; an old slug or a non-canonical form → 308 to the same URL with
/// the current slug. Private and deleted datasets resolve: handlers apply the visibility rules.
pub struct DatasetPath(pub Dataset);

impl FromRequestParts<AppState> for DatasetPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> ApiResult<Self> {
        let value = object_value(parts, app, "dataset").await?;
        resolve_dataset_path(parts, app, &value)
            .await
            .map(DatasetPath)
    }
}

/// The serialized answer about the dataset the path names by id or current slug
/// (`GET /datasets/{dataset}/`): from the dataset cache, else read with its resources,
/// organization and owner in one statement, and kept.
pub struct DatasetAnswerPath(pub Arc<Entry<DatasetFragments>>);

impl FromRequestParts<AppState> for DatasetAnswerPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> ApiResult<Self> {
        let value = object_value(parts, app, "dataset").await?;
        if let Some(entry) = app.dataset_cache.get(&value)
            && entry.fragments.serves(Resources::Listed)
        {
            return Ok(DatasetAnswerPath(entry));
        }
        let ticket = app.dataset_cache.ticket();
        let view = match app.store.dataset_view(&value).await? {
            Some(view) => view,
            None => {
                // An old slug or a non-canonical form redirects; a dataset created meanwhile
                // resolves.
                let dataset = resolve_dataset_path(parts, app, &value).await?;
                app.store
                    .dataset_view(&dataset.id)
                    .await?
                    .ok_or_else(|| ApiError::NotFound("Dataset not found".into()))?
            }
        };
        // `dataset_view` looks for an id first: a dataset found by slug has no rival by id.
        let by_slug = view.dataset.slug == value && view.dataset.id != value;
        let dataset = view.dataset.clone();
        let mut anybody = DatasetJson::of_view(app, &Auth::default(), view, 0);
        let contact_points = dataset.contact_points.as_slice();
        anybody.contact_points = EmbeddedContactPoints::load(app, std::iter::once(contact_points))
            .await?
            .of(contact_points);
        let fragments = DatasetFragments::of(&dataset, anybody, Resources::Listed)?;
        Ok(DatasetAnswerPath(
            app.dataset_cache.insert(ticket, fragments, by_slug),
        ))
    }
}

/// The answers about the datasets `ids`, in order, from the dataset cache or read from the
/// store (four statements at most, as any list) and kept; unknown ids are left out. Their
/// resources are read only if `resources` lists them.
pub async fn answers(
    app: &AppState,
    ids: &[String],
    resources: Resources,
) -> ApiResult<Vec<Arc<Entry<DatasetFragments>>>> {
    app.dataset_cache
        .answers(
            ids,
            |fragments| fragments.serves(resources),
            |missing| async move {
                let datasets = app.store.datasets_by_ids(&missing).await?;
                let jsons = dataset_jsons_with(app, &Auth::default(), &datasets, resources).await?;
                datasets
                    .iter()
                    .zip(jsons)
                    .map(|(d, anybody)| DatasetFragments::of(d, anybody, resources))
                    .collect::<ApiResult<Vec<_>>>()
            },
        )
        .await
}

/// The dataset a path value names, or the 308 to its canonical URL, or the 404.
async fn resolve_dataset_path(parts: &Parts, app: &AppState, value: &str) -> ApiResult<Dataset> {
    match app.store.resolve_dataset(value).await? {
        Resolved::Found(dataset) => Ok(dataset),
        Resolved::Moved(dataset) => Err(ApiError::MovedPermanently(canonical_url(
            &app.settings.base_url,
            original_uri(parts),
            "datasets",
            &dataset.slug,
        ))),
        Resolved::NotFound => Err(ApiError::NotFound("Dataset not found".into())),
    }
}

/// The path value nested under `{dataset}` (`{rid}`, `{badge_kind}`) or the `{community}` or
/// `{id}` of the routes that have no dataset.
pub struct InnerPath(pub String);

impl FromRequestParts<AppState> for InnerPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> ApiResult<Self> {
        inner_value(parts, app, "dataset").await.map(InnerPath)
    }
}

fn gone() -> ApiError {
    ApiError::Gone("Dataset has been deleted".into())
}

/// Whether the caller may edit the dataset (and so see it while private or deleted).
pub fn can_edit(auth: &Auth, d: &Dataset) -> bool {
    can_edit_owned(auth, d.owner.as_deref(), d.organization.as_deref())
}

/// [`can_edit`] for a dataset of this owner or organization.
fn can_edit_owned(auth: &Auth, owner: Option<&str>, organization: Option<&str>) -> bool {
    can(
        auth.actor(),
        Action::EditDataset {
            owner_id: owner,
            org_id: organization,
        },
    )
}

/// uData's read rule: a private dataset is a 404 and a deleted one a 410, except for those who
/// may edit it.
fn ensure_readable(auth: &Auth, d: &Dataset) -> ApiResult<()> {
    read_rule(can_edit(auth, d), d.private, d.deleted.is_some())
}

/// The read rule for a caller who may edit (`editable`) or not.
fn read_rule(editable: bool, private: bool, deleted: bool) -> ApiResult<()> {
    if !editable {
        if private {
            return Err(ApiError::NotFound("Dataset not found".into()));
        }
        if deleted {
            return Err(gone());
        }
    }
    Ok(())
}

/// The authenticated caller (401 otherwise) if allowed to edit the dataset (403 otherwise).
fn require_edit<'a>(auth: &'a Auth, d: &Dataset) -> ApiResult<&'a Actor> {
    let actor = auth.required()?;
    if can_edit(auth, d) {
        Ok(actor)
    } else {
        Err(ApiError::forbidden())
    }
}

/// The authenticated caller (401 otherwise) if a sysadmin (403 otherwise).
fn require_sysadmin(auth: &Auth) -> ApiResult<&Actor> {
    let actor = auth.required()?;
    if can(Some(actor), Action::Administer) {
        Ok(actor)
    } else {
        Err(ApiError::forbidden())
    }
}

/// Who owns a dataset or community resource once a body is applied.
pub struct Ownership {
    pub owner: Option<String>,
    pub organization: Option<String>,
}

/// Checks what a body refers to and decides ownership, as uData's `CurrentUserField` and
/// `PublishAsField` do: an organization the caller belongs to, or the caller as owner (others
/// too for sysadmins); an existing object changes hands only through sysadmins. An unknown
/// license, and contact points unknown or not owned as the dataset is, are errors on their field;
/// so are unknown zones and granularities, whose zones are named by their ids from then on.
async fn check_references(
    app: &AppState,
    actor: &Actor,
    input: &mut DatasetInput,
    existing: Option<(Option<&str>, Option<&str>)>,
) -> ApiResult<Ownership> {
    let mut errors = FieldErrors::default();
    if let Some(Some(spatial)) = &mut input.spatial {
        check_spatial(app, spatial, &mut errors).await?;
    }
    if let Some(Some(license)) = &input.license
        && !license.trim().is_empty()
        && !app.store.license_exists(license.trim()).await?
    {
        errors.add("license", &format!("'{license}' is not a valid choice."));
    }
    let ownership = decide_ownership(
        app,
        actor,
        input.owner.clone(),
        input.organization.clone(),
        existing,
        &mut errors,
    )
    .await?;
    if let Some(ids) = &input.contact_points
        && !ids.is_empty()
    {
        let found = app.store.contact_points_by_ids(ids).await?;
        if let Err(message) = check_dataset_references(
            ids,
            &found,
            ownership.owner.as_deref(),
            ownership.organization.as_deref(),
        ) {
            errors.add("contact_points", &message);
        }
    }
    if let Some(extras) = &input.extras {
        let org = match &ownership.organization {
            Some(id) => app.store.organization_by_id(id).await?,
            None => None,
        };
        if let Err(message) = check_custom_extras(extras, org.as_ref().map(|o| &o.extras)) {
            errors.add("extras", &message);
        }
    }
    errors.into_result().map_err(ApiError::validation)?;
    Ok(ownership)
}

/// Checks a spatial coverage against the geozone registry, as uData's `SpatialCoverageForm`:
/// every zone must resolve (its id, or a GeoID in an older form, which is then replaced by the
/// zone's id) and the granularity must be a level or one of the base granularities.
async fn check_spatial(
    app: &AppState,
    spatial: &mut SpatialCoverage,
    errors: &mut FieldErrors,
) -> ApiResult<()> {
    let resolved = app.store.resolve_geozones(&spatial.zones).await?;
    let unknown: Vec<&str> = spatial
        .zones
        .iter()
        .zip(&resolved)
        .filter(|(_, zone)| zone.is_none())
        .map(|(id, _)| id.as_str())
        .collect();
    if unknown.is_empty() {
        spatial.zones = resolved.into_iter().flatten().map(|zone| zone.id).collect();
    } else {
        errors.add(
            "spatial",
            &format!("Unknown geoid(s): {}", unknown.join(", ")),
        );
    }
    if let Some(granularity) = &spatial.granularity
        && !BASE_GRANULARITIES.iter().any(|(id, _)| id == granularity)
        && !app.store.geolevel_exists(granularity).await?
    {
        errors.add("spatial", &not_a_choice(granularity));
    }
    Ok(())
}

/// The owner or organization after a body's `owner` and `organization` fields, errors by field.
pub(crate) async fn decide_ownership(
    app: &AppState,
    actor: &Actor,
    owner: Option<Option<String>>,
    organization: Option<Option<String>>,
    existing: Option<(Option<&str>, Option<&str>)>,
    errors: &mut FieldErrors,
) -> ApiResult<Ownership> {
    let sysadmin = actor.user.is_sysadmin();
    let mut result = match existing {
        Some((owner, org)) => Ownership {
            owner: owner.map(str::to_owned),
            organization: org.map(str::to_owned),
        },
        None => Ownership {
            owner: Some(actor.user.id.clone()),
            organization: None,
        },
    };
    if let Some(Some(org_id)) = organization {
        let unchanged = existing.is_some_and(|(_, org)| org == Some(org_id.as_str()));
        if !unchanged {
            if existing.is_some() && !sysadmin {
                errors.add(
                    "organization",
                    "Cannot change owner after creation. Please use transfer feature.",
                );
            } else if !is_object_id(&org_id)
                || app.store.organization_by_id(&org_id).await?.is_none()
            {
                errors.add("organization", "Unknown organization");
            } else if !sysadmin && actor.role_in(&org_id).is_none() {
                errors.add("organization", "Permission denied for this organization");
            } else {
                result = Ownership {
                    owner: None,
                    organization: Some(org_id),
                };
            }
        }
    } else if let Some(Some(user_id)) = owner {
        let unchanged = existing.is_some_and(|(owner, _)| owner == Some(user_id.as_str()));
        if !unchanged {
            if existing.is_some() && !sysadmin {
                errors.add(
                    "owner",
                    "Cannot change owner after creation. Please use transfer feature.",
                );
            } else if !sysadmin && user_id != actor.user.id {
                errors.add("owner", "You can only set yourself as owner");
            } else if app.store.user_by_id(&user_id).await?.is_none() {
                errors.add("owner", "Unknown user");
            } else {
                result = Ownership {
                    owner: Some(user_id),
                    organization: None,
                };
            }
        }
    }
    Ok(result)
}
