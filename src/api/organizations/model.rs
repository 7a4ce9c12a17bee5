//! The representations the organizations namespace serves, named as in uData's contract.

use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::can_read_private;
use crate::api::error::ApiResult;
use crate::api::extract::Auth;
use crate::api::refs::{BadgeJson, MemberUserWithEmail};
use crate::api::state::{App, AppState};
use crate::domain::organization::{Membership, MembershipRequest, Organization};
use crate::domain::time::{iso, iso_opt};
use crate::domain::user::User;

/// An organization as served (`Organization`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Organization)]
pub struct OrganizationJson {
    pub id: String,
    pub name: String,
    pub acronym: Option<String>,
    /// The organization website URL.
    pub url: Option<String>,
    pub slug: String,
    /// Markdown, as written.
    pub description: String,
    pub business_number_id: Option<String>,
    pub created_at: String,
    pub last_modified: String,
    /// When the organization was deleted, if it was.
    pub deleted: Option<String>,
    pub metrics: OrganizationMetrics,
    pub uri: String,
    pub page: String,
    pub logo: Option<String>,
    /// The square (100x100) cropped logo.
    pub logo_thumbnail: Option<String>,
    pub members: Vec<MemberJson>,
    pub badges: Vec<BadgeJson>,
    #[schema(value_type = Object)]
    pub extras: Map<String, Value>,
}

/// The counters served in an organization's `metrics`.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationMetrics {
    pub datasets: i64,
    pub reuses: i64,
    pub dataservices: i64,
    pub followers: i64,
    pub members: i64,
    pub views: i64,
}

impl OrganizationJson {
    /// `show_private` reveals the members' email and last login (members of the organization,
    /// sysadmins).
    pub fn new(
        app: &App,
        org: &Organization,
        members: &[(Membership, User)],
        show_private: bool,
    ) -> Self {
        OrganizationJson {
            id: org.id.clone(),
            name: org.name.clone(),
            acronym: org.acronym.clone(),
            url: org.url.clone(),
            slug: org.slug.clone(),
            description: org.description.clone(),
            business_number_id: org.business_number_id.clone(),
            created_at: iso(org.created_at),
            last_modified: iso(org.last_modified),
            deleted: iso_opt(org.deleted),
            // Datasets are counted by the store (set by the async builders below); reuses,
            // dataservices and views by areas that do not exist yet: 0 until they do.
            metrics: OrganizationMetrics {
                datasets: 0,
                reuses: 0,
                dataservices: 0,
                followers: org.followers,
                members: org.members_count,
                views: 0,
            },
            uri: app.api_url(&format!("/organizations/{}/", org.slug)),
            page: app.page_url(&format!("/organizations/{}/", org.slug)),
            logo: app.files.url_opt(org.logo.as_deref()),
            logo_thumbnail: app.files.url_opt(org.logo_thumbnail.as_deref()),
            members: members
                .iter()
                .map(|(membership, user)| MemberJson::new(app, membership, user, show_private))
                .collect(),
            badges: org.badges.iter().map(BadgeJson::from).collect(),
            extras: org.extras.clone(),
        }
    }
}

/// One organization as served to the caller, with its members.
pub async fn organization_json(
    app: &AppState,
    auth: &Auth,
    org: &Organization,
) -> ApiResult<OrganizationJson> {
    let members = app.store.members_of(&org.id).await?;
    let mut json = OrganizationJson::new(app, org, &members, can_read_private(auth, &org.id));
    json.metrics.datasets = app.store.public_datasets_of_org(&org.id).await?;
    Ok(json)
}

/// Several organizations (a page of a list) as served to the caller.
pub async fn organization_jsons(
    app: &AppState,
    auth: &Auth,
    orgs: &[Organization],
) -> ApiResult<Vec<OrganizationJson>> {
    let ids: Vec<String> = orgs.iter().map(|o| o.id.clone()).collect();
    let members = app.store.members_of_many(&ids).await?;
    let mut jsons = Vec::with_capacity(orgs.len());
    for org in orgs {
        let org_members = members.get(&org.id).map(Vec::as_slice).unwrap_or(&[]);
        let mut json =
            OrganizationJson::new(app, org, org_members, can_read_private(auth, &org.id));
        json.metrics.datasets = app.store.public_datasets_of_org(&org.id).await?;
        jsons.push(json);
    }
    Ok(jsons)
}

/// A member of an organization (`Member`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Member)]
pub struct MemberJson {
    pub user: MemberUserWithEmail,
    /// `admin` or `editor`.
    pub role: String,
    /// The role's label.
    pub label: String,
    /// When the user joined the organization.
    pub since: String,
}

impl MemberJson {
    pub fn new(app: &App, membership: &Membership, user: &User, show_private: bool) -> Self {
        MemberJson {
            user: MemberUserWithEmail::new(app, user, show_private),
            role: membership.role.as_str().to_owned(),
            label: membership.role.label().to_owned(),
            since: iso(membership.since),
        }
    }
}

/// A request to join an organization (`MembershipRequest`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = MembershipRequest)]
pub struct MembershipRequestJson {
    pub id: String,
    pub user: MemberUserWithEmail,
    pub created: String,
    /// `pending`, `accepted` or `refused`.
    pub status: String,
    pub comment: Option<String>,
}

impl MembershipRequestJson {
    pub fn new(app: &App, request: &MembershipRequest, user: &User, show_private: bool) -> Self {
        MembershipRequestJson {
            id: request.id.clone(),
            user: MemberUserWithEmail::new(app, user, show_private),
            created: iso(request.created),
            status: request.status.clone(),
            comment: request.comment.clone(),
        }
    }
}

/// An organization as the suggest endpoint serves it (`OrganizationSuggestion`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = OrganizationSuggestion)]
pub struct OrganizationSuggestion {
    pub id: String,
    pub name: String,
    pub acronym: Option<String>,
    pub slug: String,
    /// The logo thumbnail URL.
    pub image_url: Option<String>,
    pub page: String,
}

impl OrganizationSuggestion {
    pub fn new(app: &App, org: &Organization) -> Self {
        OrganizationSuggestion {
            id: org.id.clone(),
            name: org.name.clone(),
            acronym: org.acronym.clone(),
            slug: org.slug.clone(),
            image_url: app.files.url_opt(org.logo_thumbnail.as_deref()),
            page: app.page_url(&format!("/organizations/{}/", org.slug)),
        }
    }
}

/// A role a member can have (`OrganizationRole`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = OrganizationRole)]
pub struct OrganizationRole {
    pub id: String,
    pub label: String,
}
