//! The user and organization representations shared by every area: full users and the
//! references embedded in other objects.

use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::state::App;
use crate::domain::organization::{Badge, Organization};
use crate::domain::time::{iso, iso_opt};
use crate::domain::user::User;

pub const MODELS: &[(&str, &str)] = &[
    ("UserReference", "UserReference"),
    ("MemberUserWithEmail", "MemberUserWithEmail"),
    ("OrganizationReference", "OrganizationReference"),
    ("Badge", "Badge"),
    ("User", "User"),
];

/// A user embedded in another object (`UserReference`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = UserReference)]
pub struct UserReference {
    pub class: &'static str,
    pub id: String,
    pub slug: String,
    pub first_name: String,
    pub last_name: String,
    pub avatar: Option<String>,
    pub avatar_thumbnail: Option<String>,
    pub uri: String,
    pub page: String,
}

impl UserReference {
    pub fn new(app: &App, user: &User) -> Self {
        UserReference {
            class: "User",
            id: user.id.clone(),
            slug: user.slug.clone(),
            first_name: user.first_name.clone(),
            last_name: user.last_name.clone(),
            avatar: app.files.url_opt(user.avatar.as_deref()),
            avatar_thumbnail: app.files.url_opt(user.avatar_thumbnail.as_deref()),
            uri: app.api_url(&format!("/users/{}/", user.slug)),
            page: app.page_url(&format!("/users/{}/", user.slug)),
        }
    }
}

/// A member's user, with email and last login shown only to the organization's members.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = MemberUserWithEmail)]
pub struct MemberUserWithEmail {
    #[serde(flatten)]
    pub reference: UserReference,
    pub email: Option<String>,
    pub last_login_at: Option<String>,
}

impl MemberUserWithEmail {
    pub fn new(app: &App, user: &User, show_private: bool) -> Self {
        MemberUserWithEmail {
            reference: UserReference::new(app, user),
            email: show_private.then(|| user.email.clone()),
            last_login_at: if show_private {
                iso_opt(user.last_login_at)
            } else {
                None
            },
        }
    }
}

/// An organization embedded in another object (`OrganizationReference`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = OrganizationReference)]
pub struct OrganizationReference {
    pub class: &'static str,
    pub id: String,
    pub name: String,
    pub acronym: Option<String>,
    pub slug: String,
    pub uri: String,
    pub page: String,
    pub logo: Option<String>,
    pub logo_thumbnail: Option<String>,
    pub badges: Vec<BadgeJson>,
}

impl OrganizationReference {
    pub fn new(app: &App, org: &Organization) -> Self {
        OrganizationReference {
            class: "Organization",
            id: org.id.clone(),
            name: org.name.clone(),
            acronym: org.acronym.clone(),
            slug: org.slug.clone(),
            uri: app.api_url(&format!("/organizations/{}/", org.slug)),
            page: app.page_url(&format!("/organizations/{}/", org.slug)),
            logo: app.files.url_opt(org.logo.as_deref()),
            logo_thumbnail: app.files.url_opt(org.logo_thumbnail.as_deref()),
            badges: org.badges.iter().map(BadgeJson::from).collect(),
        }
    }
}

/// A badge as served (`Badge`).
#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
#[schema(as = Badge)]
pub struct BadgeJson {
    pub kind: String,
}

impl From<&Badge> for BadgeJson {
    fn from(badge: &Badge) -> Self {
        BadgeJson {
            kind: badge.kind.clone(),
        }
    }
}

/// A full user (`User`), as served by `/users/{user}/`; `/me/` adds private fields.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = User)]
pub struct UserJson {
    pub id: String,
    pub slug: String,
    pub first_name: String,
    pub last_name: String,
    pub about: Option<String>,
    pub website: Option<String>,
    pub avatar: Option<String>,
    pub avatar_thumbnail: Option<String>,
    /// Only shown on `/me/` and to sysadmins; `null` otherwise, as in uData.
    pub email: Option<String>,
    pub roles: Vec<String>,
    pub active: bool,
    pub since: String,
    /// Only shown on `/me/` and to sysadmins; `null` otherwise, as in uData.
    pub last_login_at: Option<String>,
    pub organizations: Vec<OrganizationReference>,
    #[schema(value_type = Object)]
    pub metrics: Map<String, Value>,
    pub uri: String,
    pub page: String,
}

impl UserJson {
    /// `show_private` adds email and last login (the user themself, sysadmins).
    pub fn new(app: &App, user: &User, organizations: &[Organization], show_private: bool) -> Self {
        // uData's user metrics keys; datasets, reuses and dataservices are counted once those
        // areas exist, `following` is set by `with_following`.
        let mut metrics = Map::new();
        for key in ["datasets", "reuses", "dataservices", "following"] {
            metrics.insert(key.into(), 0.into());
        }
        metrics.insert("followers".into(), user.followers.into());
        UserJson {
            id: user.id.clone(),
            slug: user.slug.clone(),
            first_name: user.first_name.clone(),
            last_name: user.last_name.clone(),
            about: user.about.clone(),
            website: user.website.clone(),
            avatar: app.files.url_opt(user.avatar.as_deref()),
            avatar_thumbnail: app.files.url_opt(user.avatar_thumbnail.as_deref()),
            email: show_private.then(|| user.email.clone()),
            roles: user.roles.clone(),
            active: user.active,
            since: iso(user.since),
            last_login_at: if show_private {
                iso_opt(user.last_login_at)
            } else {
                None
            },
            organizations: organizations
                .iter()
                .map(|o| OrganizationReference::new(app, o))
                .collect(),
            metrics,
            uri: app.api_url(&format!("/users/{}/", user.slug)),
            page: app.page_url(&format!("/users/{}/", user.slug)),
        }
    }

    /// Sets the `following` metric: how many objects the user follows.
    pub fn with_following(mut self, following: i64) -> Self {
        self.metrics.insert("following".into(), following.into());
        self
    }
}
