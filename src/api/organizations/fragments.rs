//! An organization's answer (`GET /organizations/{org}/`, an item of the v1 list) kept
//! serialized, in the two forms callers get: as anybody sees it, and as its members and
//! sysadmins do (with the members' email and last login). Nothing in it depends on the clock.

use axum::body::Bytes;

use super::can_read_private;
use super::model::OrganizationJson;
use crate::api::answers::Answer;
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::Auth;
use crate::api::state::App;
use crate::domain::organization::{Membership, Organization};
use crate::domain::user::User;
use crate::store::datasets::ORGANIZATION_DATASETS;

/// One organization's answer, serialized once per form, with what the 410 rule needs.
#[derive(Debug)]
pub struct OrganizationFragments {
    pub id: String,
    pub slug: String,
    pub deleted: bool,
    /// The ids of the members' users.
    members: Vec<String>,
    /// The answer to anybody.
    public: Bytes,
    /// The answer to members and sysadmins; `None` when it is the public one (no members).
    private: Option<Bytes>,
}

impl OrganizationFragments {
    /// The answers about `org`, whose members are `members` and which publishes `datasets`
    /// public datasets.
    pub fn of(
        app: &App,
        org: &Organization,
        members: &[(Membership, User)],
        datasets: i64,
    ) -> ApiResult<Self> {
        let serialize = |show_private: bool| -> ApiResult<Bytes> {
            let mut json = OrganizationJson::new(app, org, members, show_private);
            json.metrics.datasets = datasets;
            serde_json::to_vec(&json)
                .map(|bytes| Bytes::from(bytes.into_boxed_slice()))
                .map_err(|e| ApiError::Internal(e.to_string()))
        };
        let public = serialize(false)?;
        let private = Some(serialize(true)?).filter(|private| *private != public);
        Ok(OrganizationFragments {
            id: org.id.clone(),
            slug: org.slug.clone(),
            deleted: org.deleted.is_some(),
            members: members.iter().map(|(m, _)| m.user_id.clone()).collect(),
            public,
            private,
        })
    }

    /// 410 for a deleted organization unless the caller may still see it (members,
    /// sysadmins).
    pub fn ensure_visible(&self, auth: &Auth) -> ApiResult<()> {
        if self.deleted && !can_read_private(auth, &self.id) {
            return Err(super::gone());
        }
        Ok(())
    }

    /// The answer to the caller.
    pub fn answer(&self, auth: &Auth) -> &Bytes {
        match &self.private {
            Some(private) if can_read_private(auth, &self.id) => private,
            _ => &self.public,
        }
    }
}

impl Answer for OrganizationFragments {
    const KIND: &'static str = "organization";
    const METRICS_NAME: &'static str = "organization_answers";
    /// About 12,000 organizations of four members (5.4 KiB each: its two forms, its keys and
    /// the fixed overhead).
    const DEFAULT_SIZE: usize = 64 * 1024 * 1024;

    fn id(&self) -> &str {
        &self.id
    }

    fn slug(&self) -> &str {
        &self.slug
    }

    /// The members' users and the count of public datasets; member, follower and badge
    /// writes are logged as changes of the organization itself.
    fn embedded(&self) -> impl Iterator<Item = (&'static str, &str)> {
        let members = self.members.iter().map(|id| ("user", id.as_str()));
        members.chain(std::iter::once((ORGANIZATION_DATASETS, self.id.as_str())))
    }

    fn size(&self) -> usize {
        self.id.len()
            + self.slug.len()
            + self.members.iter().map(String::len).sum::<usize>()
            + self.public.len()
            + self.private.as_ref().map_or(0, Bytes::len)
    }
}
