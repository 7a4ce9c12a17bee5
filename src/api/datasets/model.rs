//! The representations the datasets namespace serves, named as in uData's contract.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::{Map, Value, json};
use utoipa::ToSchema;

use super::can_edit;
use crate::api::contacts::model::{ContactPointJson, EmbeddedContactPoints};
use crate::api::error::ApiResult;
use crate::api::extract::Auth;
use crate::api::refs::{BadgeJson, OrganizationReference, UserReference};
use crate::api::state::{App, AppState};
use crate::domain::dataset::{DEFAULT_LICENSE, Dataset, SchemaRef};
use crate::domain::organization::Organization;
use crate::domain::permissions::{Action, can};
use crate::domain::quality::quality;
use crate::domain::resource::{CommunityResource, Resource};
use crate::domain::time::{Micros, iso, iso_opt, now};
use crate::domain::user::User;
use crate::store::dataset_view::DatasetView;

/// A dataset as served (`Dataset`), with uData's default mask: every field but
/// `community_resources`, which only an `X-Fields` naming it would show (always empty here).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Dataset)]
pub struct DatasetJson {
    pub id: String,
    pub title: String,
    pub acronym: Option<String>,
    pub slug: String,
    /// Markdown, as written.
    pub description: String,
    pub description_short: Option<String>,
    pub created_at: String,
    pub last_modified: String,
    pub deleted: Option<String>,
    pub archived: Option<String>,
    pub featured: bool,
    pub private: bool,
    pub tags: Vec<String>,
    pub badges: Vec<BadgeJson>,
    pub resources: Vec<ResourceJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub community_resources: Option<Vec<CommunityResourceJson>>,
    pub frequency: String,
    pub frequency_date: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub harvest: Option<Value>,
    #[schema(value_type = Object)]
    pub extras: Map<String, Value>,
    #[schema(value_type = Object)]
    pub metrics: Value,
    pub organization: Option<OrganizationReference>,
    pub owner: Option<UserReference>,
    pub temporal_coverage: Option<TemporalCoverageJson>,
    pub spatial: Option<SpatialCoverageJson>,
    pub license: String,
    pub access_type: Option<String>,
    #[schema(value_type = Vec<Object>)]
    pub access_audiences: Vec<Value>,
    pub authorization_request_url: Option<String>,
    pub access_type_reason_category: Option<String>,
    pub access_type_reason: Option<String>,
    pub uri: String,
    pub page: String,
    #[schema(value_type = Object)]
    pub quality: Map<String, Value>,
    pub last_update: String,
    pub schema: Option<SchemaJson>,
    pub internal: DatasetInternals,
    /// Those that still exist, with uData's default contact point mask.
    pub contact_points: Vec<ContactPointJson>,
    pub permissions: DatasetPermissions,
}

/// The caller's rights on a dataset (`DatasetPermissions`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = DatasetPermissions)]
pub struct DatasetPermissions {
    pub delete: bool,
    pub edit: bool,
    pub edit_resources: bool,
    pub read: bool,
}

impl DatasetPermissions {
    /// The rights of a caller who may edit the dataset (`editable`) or not: the rule
    /// [`DatasetJson::new`] applies.
    pub fn new(editable: bool, private: bool, deleted: bool) -> Self {
        DatasetPermissions {
            delete: editable,
            edit: editable,
            edit_resources: editable,
            read: editable || (!private && !deleted),
        }
    }
}

/// The platform's own dates (`DatasetInternals`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = DatasetInternals)]
pub struct DatasetInternals {
    pub created_at_internal: String,
    pub last_modified_internal: String,
}

/// `TemporalCoverage`: dates (`2024-01-31`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = TemporalCoverage)]
pub struct TemporalCoverageJson {
    pub start: String,
    pub end: Option<String>,
}

/// `SpatialCoverage`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = SpatialCoverage)]
pub struct SpatialCoverageJson {
    pub zones: Vec<String>,
    pub granularity: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub geom: Option<Value>,
}

/// `Schema`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Schema)]
pub struct SchemaJson {
    pub name: Option<String>,
    pub version: Option<String>,
    pub url: Option<String>,
}

impl From<&SchemaRef> for SchemaJson {
    fn from(s: &SchemaRef) -> Self {
        SchemaJson {
            name: s.name.clone(),
            version: s.version.clone(),
            url: s.url.clone(),
        }
    }
}

/// `Checksum`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Checksum)]
pub struct ChecksumJson {
    #[serde(rename = "type")]
    #[schema(rename = "type")]
    pub kind: String,
    pub value: String,
}

/// `ResourceInternals`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ResourceInternals)]
pub struct ResourceInternals {
    pub created_at_internal: String,
    pub last_modified_internal: String,
}

/// A resource as served (`Resource`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Resource)]
pub struct ResourceJson {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    pub filetype: String,
    #[serde(rename = "type")]
    #[schema(rename = "type")]
    pub kind: String,
    pub format: Option<String>,
    pub url: String,
    /// The permanent `/api/1/datasets/r/{id}` link, which redirects to the current url.
    pub latest: String,
    pub checksum: Option<ChecksumJson>,
    pub filesize: Option<i64>,
    pub mime: Option<String>,
    pub created_at: String,
    pub last_modified: String,
    #[schema(value_type = Object)]
    pub metrics: Value,
    #[schema(value_type = Option<Object>)]
    pub harvest: Option<Value>,
    #[schema(value_type = Object)]
    pub extras: Map<String, Value>,
    pub preview_url: Option<String>,
    pub schema: Option<SchemaJson>,
    pub internal: ResourceInternals,
}

impl ResourceJson {
    pub fn new(app: &App, r: &Resource) -> Self {
        let created_at = iso(r.created_at);
        let last_modified = iso(r.last_modified);
        ResourceJson {
            id: r.id.clone(),
            title: r.title.clone(),
            description: r.description.clone(),
            filetype: r.filetype.clone(),
            kind: r.kind.clone(),
            format: r.format.clone(),
            url: r.url.clone(),
            latest: app.api_url(&format!("/datasets/r/{}", r.id)),
            checksum: r.checksum.as_ref().map(|c| ChecksumJson {
                kind: c.kind.clone(),
                value: c.value.clone(),
            }),
            filesize: r.filesize,
            mime: r.mime.clone(),
            created_at: created_at.clone(),
            last_modified: last_modified.clone(),
            metrics: json!({"views": 0}),
            harvest: None,
            extras: r.extras.clone(),
            preview_url: None,
            schema: Some(
                r.schema
                    .as_ref()
                    .map(SchemaJson::from)
                    .unwrap_or(SchemaJson {
                        name: None,
                        version: None,
                        url: None,
                    }),
            ),
            internal: ResourceInternals {
                created_at_internal: created_at,
                last_modified_internal: last_modified,
            },
        }
    }
}

/// A dataset embedded in another object (`DatasetReference`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = DatasetReference)]
pub struct DatasetReference {
    pub class: &'static str,
    pub id: String,
    pub title: String,
    pub acronym: Option<String>,
    pub uri: String,
    pub page: String,
}

impl DatasetReference {
    pub fn new(app: &App, d: &Dataset) -> Self {
        DatasetReference {
            class: "Dataset",
            id: d.id.clone(),
            title: d.title.clone(),
            acronym: d.acronym.clone(),
            uri: app.api_url(&format!("/datasets/{}/", d.slug)),
            page: app.page_url(&format!("/datasets/{}/", d.slug)),
        }
    }
}

/// The caller's rights on a community resource.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = CommunityResourcePermissions)]
pub struct CommunityPermissions {
    pub delete: bool,
    pub edit: bool,
}

/// A community resource as served (`CommunityResource`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = CommunityResource)]
pub struct CommunityResourceJson {
    #[serde(flatten)]
    pub resource: ResourceJson,
    pub dataset: Option<DatasetReference>,
    pub organization: Option<OrganizationReference>,
    pub owner: Option<UserReference>,
    pub permissions: CommunityPermissions,
}

/// A dataset as the suggest endpoint serves it (`DatasetSuggestion`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = DatasetSuggestion)]
pub struct DatasetSuggestion {
    pub id: String,
    pub title: String,
    pub acronym: Option<String>,
    pub slug: String,
    /// The organization's logo, else the owner's avatar.
    pub image_url: Option<String>,
    pub page: String,
}

fn date_only(micros: Micros) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp_micros(micros)
        .unwrap_or_default()
        .format("%Y-%m-%d")
        .to_string()
}

/// The organizations and users datasets refer to, loaded once per response.
#[derive(Default)]
pub struct Owners {
    orgs: HashMap<String, Option<Organization>>,
    users: HashMap<String, Option<User>>,
}

impl Owners {
    /// Loads the owners of `datasets` not loaded yet: one statement for the organizations, one
    /// for the users.
    pub async fn load<'a>(
        &mut self,
        app: &AppState,
        refs: impl Iterator<Item = (Option<&'a str>, Option<&'a str>)>,
    ) -> ApiResult<()> {
        let mut org_ids = Vec::new();
        let mut user_ids = Vec::new();
        for (owner, org) in refs {
            if let Some(id) = org
                && !self.orgs.contains_key(id)
            {
                self.orgs.insert(id.to_owned(), None);
                org_ids.push(id.to_owned());
            }
            if let Some(id) = owner
                && !self.users.contains_key(id)
            {
                self.users.insert(id.to_owned(), None);
                user_ids.push(id.to_owned());
            }
        }
        match org_ids.as_slice() {
            [] => {}
            [id] => {
                let found = app.store.organization_by_id(id).await?;
                self.orgs.insert(id.clone(), found);
            }
            _ => {
                for org in app.store.organizations_by_ids(&org_ids).await? {
                    self.orgs.insert(org.id.clone(), Some(org));
                }
            }
        }
        match user_ids.as_slice() {
            [] => {}
            [id] => {
                let found = app.store.user_by_id(id).await?;
                self.users.insert(id.clone(), found);
            }
            _ => {
                for user in app.store.users_by_ids(&user_ids).await? {
                    self.users.insert(user.id.clone(), Some(user));
                }
            }
        }
        Ok(())
    }

    pub fn org(&self, id: Option<&str>) -> Option<&Organization> {
        id.and_then(|id| self.orgs.get(id)).and_then(Option::as_ref)
    }

    pub fn user(&self, id: Option<&str>) -> Option<&User> {
        id.and_then(|id| self.users.get(id))
            .and_then(Option::as_ref)
    }

    /// The logo of the organization, else the avatar of the owner.
    pub fn image_url(&self, app: &App, owner: Option<&str>, org: Option<&str>) -> Option<String> {
        match self.org(org) {
            Some(org) => app.files.url_opt(org.logo.as_deref()),
            None => self
                .user(owner)
                .and_then(|u| app.files.url_opt(u.avatar.as_deref())),
        }
    }
}

impl DatasetJson {
    pub fn new(
        app: &App,
        auth: &Auth,
        d: &Dataset,
        resources: &[Resource],
        owners: &Owners,
        at: Micros,
    ) -> Self {
        let editable = can_edit(auth, d);
        let created_at = iso(d.created_at);
        let last_modified = iso(d.last_modified);
        DatasetJson {
            id: d.id.clone(),
            title: d.title.clone(),
            acronym: d.acronym.clone(),
            slug: d.slug.clone(),
            description: d.description.clone(),
            description_short: d.description_short.clone(),
            created_at: created_at.clone(),
            last_modified: last_modified.clone(),
            deleted: iso_opt(d.deleted),
            archived: iso_opt(d.archived),
            featured: d.featured,
            private: d.private,
            tags: d.tags.clone(),
            badges: d.badges.iter().map(BadgeJson::from).collect(),
            resources: resources
                .iter()
                .map(|r| ResourceJson::new(app, r))
                .collect(),
            community_resources: None,
            frequency: d.frequency.clone(),
            frequency_date: iso_opt(d.frequency_date),
            harvest: None,
            extras: d.extras.clone(),
            // Discussions, reuses, dataservices, views and downloads are counted by areas that
            // do not exist yet.
            metrics: json!({
                "discussions": 0,
                "discussions_open": 0,
                "reuses": d.counters.reuses,
                "dataservices": 0,
                "followers": d.counters.followers,
                "views": d.counters.views,
                "resources_downloads": 0,
            }),
            organization: owners
                .org(d.organization.as_deref())
                .map(|o| OrganizationReference::new(app, o)),
            owner: owners
                .user(d.owner.as_deref())
                .map(|u| UserReference::new(app, u)),
            temporal_coverage: d.temporal_coverage.as_ref().map(|t| TemporalCoverageJson {
                start: date_only(t.start),
                end: t.end.map(date_only),
            }),
            spatial: d.spatial.as_ref().map(|s| SpatialCoverageJson {
                zones: s.zones.clone(),
                granularity: s.granularity.clone(),
                geom: s.geom.clone(),
            }),
            license: d
                .license
                .clone()
                .unwrap_or_else(|| DEFAULT_LICENSE.to_owned()),
            access_type: d.access_type.clone(),
            access_audiences: d.access_audiences.clone(),
            authorization_request_url: d.authorization_request_url.clone(),
            access_type_reason_category: d.access_type_reason_category.clone(),
            access_type_reason: d.access_type_reason.clone(),
            uri: app.api_url(&format!("/datasets/{}/", d.slug)),
            page: app.page_url(&format!("/datasets/{}/", d.slug)),
            quality: quality(d, at),
            last_update: iso(d.counters.last_update),
            schema: d.schema.as_ref().map(SchemaJson::from),
            internal: DatasetInternals {
                created_at_internal: created_at,
                last_modified_internal: last_modified,
            },
            contact_points: Vec::new(),
            permissions: DatasetPermissions {
                delete: editable,
                edit: editable,
                edit_resources: editable,
                read: editable || (!d.private && d.deleted.is_none()),
            },
        }
    }
}

impl DatasetJson {
    /// A dataset read with what it embeds ([`Store::dataset_view`](crate::store::Store::dataset_view)).
    pub fn of_view(app: &App, auth: &Auth, view: DatasetView, at: Micros) -> Self {
        let mut owners = Owners::default();
        if let Some(id) = &view.dataset.organization {
            owners.orgs.insert(id.clone(), view.organization);
        }
        if let Some(id) = &view.dataset.owner {
            owners.users.insert(id.clone(), view.owner);
        }
        DatasetJson::new(app, auth, &view.dataset, &view.resources, &owners, at)
    }
}

/// One dataset as served to the caller, with its resources (one query) and owner.
pub async fn dataset_json(app: &AppState, auth: &Auth, d: &Dataset) -> ApiResult<DatasetJson> {
    let resources = app.store.resources_of(&d.id).await?;
    let mut owners = Owners::default();
    owners
        .load(
            app,
            std::iter::once((d.owner.as_deref(), d.organization.as_deref())),
        )
        .await?;
    let contact_points =
        EmbeddedContactPoints::load(app, std::iter::once(d.contact_points.as_slice())).await?;
    let mut json = DatasetJson::new(app, auth, d, &resources, &owners, now());
    json.contact_points = contact_points.of(&d.contact_points);
    Ok(json)
}

/// Whether a dataset's answer lists its resources (v1) or, only linking to them (the v2
/// search), leaves them unread and its list empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resources {
    Listed,
    Linked,
}

/// Several datasets (a page of a list) as served to the caller.
pub async fn dataset_jsons(
    app: &AppState,
    auth: &Auth,
    datasets: &[Dataset],
) -> ApiResult<Vec<DatasetJson>> {
    dataset_jsons_with(app, auth, datasets, Resources::Listed).await
}

/// [`dataset_jsons`], the resources read only if `resources` lists them.
pub async fn dataset_jsons_with(
    app: &AppState,
    auth: &Auth,
    datasets: &[Dataset],
    resources: Resources,
) -> ApiResult<Vec<DatasetJson>> {
    let mut owners = Owners::default();
    owners
        .load(
            app,
            datasets
                .iter()
                .map(|d| (d.owner.as_deref(), d.organization.as_deref())),
        )
        .await?;
    let ids: Vec<String> = datasets.iter().map(|d| d.id.clone()).collect();
    let mut resources = match resources {
        Resources::Listed => app.store.resources_of_many(&ids).await?,
        Resources::Linked => Default::default(),
    };
    let contact_points =
        EmbeddedContactPoints::load(app, datasets.iter().map(|d| d.contact_points.as_slice()))
            .await?;
    let at = now();
    Ok(datasets
        .iter()
        .map(|d| {
            let resources = resources.remove(&d.id).unwrap_or_default();
            let mut json = DatasetJson::new(app, auth, d, &resources, &owners, at);
            json.contact_points = contact_points.of(&d.contact_points);
            json
        })
        .collect())
}

/// A community resource as served to the caller.
pub async fn community_json(
    app: &AppState,
    auth: &Auth,
    c: &CommunityResource,
) -> ApiResult<CommunityResourceJson> {
    let mut owners = Owners::default();
    owners
        .load(
            app,
            std::iter::once((c.owner.as_deref(), c.organization.as_deref())),
        )
        .await?;
    let dataset = app.store.dataset_by_id(&c.dataset).await?;
    let editable = can(
        auth.actor(),
        Action::EditCommunityResource {
            owner_id: c.owner.as_deref(),
            org_id: c.organization.as_deref(),
        },
    );
    Ok(CommunityResourceJson {
        resource: ResourceJson::new(app, &c.resource),
        dataset: dataset.as_ref().map(|d| DatasetReference::new(app, d)),
        organization: owners
            .org(c.organization.as_deref())
            .map(|o| OrganizationReference::new(app, o)),
        owner: owners
            .user(c.owner.as_deref())
            .map(|u| UserReference::new(app, u)),
        permissions: CommunityPermissions {
            delete: editable,
            edit: editable,
        },
    })
}

/// A resource just uploaded (`UploadedResource`): the resource and `success: true`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = UploadedResource)]
pub struct UploadedResourceJson {
    #[serde(flatten)]
    pub resource: ResourceJson,
    /// Whether the upload succeeded or not.
    pub success: bool,
}

/// A community resource just uploaded (`UploadedCommunityResource`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = UploadedCommunityResource)]
pub struct UploadedCommunityResourceJson {
    #[serde(flatten)]
    pub resource: CommunityResourceJson,
    /// Whether the upload succeeded or not.
    pub success: bool,
}
