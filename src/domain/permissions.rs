//! Every permission decision of the portal, in one place (udata-behaviours §3.7).
//!
//! Sysadmins pass every check. Organization admins manage the organization and its members;
//! editors edit its content; any member sees its private assets; others read public data.

use super::organization::OrgRole;
use super::user::User;

/// The authenticated caller and their memberships.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user: User,
    /// `(organization id, role)` for every membership.
    pub memberships: Vec<(String, OrgRole)>,
}

impl Actor {
    pub fn role_in(&self, org_id: &str) -> Option<OrgRole> {
        self.memberships
            .iter()
            .find(|(id, _)| id == org_id)
            .map(|(_, role)| *role)
    }
}

/// What a caller wants to do.
#[derive(Debug, Clone, Copy)]
pub enum Action<'a> {
    /// Site-wide administration: site settings, users, badges.
    Administer,
    /// Change an organization's settings, members, logo, or delete it.
    ManageOrganization { org_id: &'a str },
    /// Edit content owned by an organization.
    EditOrganizationContent { org_id: &'a str },
    /// See an organization's private assets and deleted state.
    ReadOrganizationPrivate { org_id: &'a str },
    /// Edit content owned by a user.
    EditUserContent { owner_id: &'a str },
    /// Follow a user: anyone but the user themself (even a sysadmin cannot follow themself).
    FollowUser { user_id: &'a str },
    /// Delete a user's account through the users API: sysadmins, never their own (that is `/me/`).
    DeleteUser { user_id: &'a str },
    /// Edit, delete, or see while private or deleted, a dataset and its resources: its owner,
    /// or any member (admin or editor) of its organization.
    EditDataset {
        owner_id: Option<&'a str>,
        org_id: Option<&'a str>,
    },
    /// Edit or delete a community resource: same rule as datasets, on the resource's own owner.
    EditCommunityResource {
        owner_id: Option<&'a str>,
        org_id: Option<&'a str>,
    },
    /// Edit or delete a contact point: any member (admin or editor) of its organization, or,
    /// when it has none, its owner.
    EditContactPoint {
        owner_id: Option<&'a str>,
        org_id: Option<&'a str>,
    },
}

/// Whether `actor` (None = anonymous) may perform `action`.
pub fn can(actor: Option<&Actor>, action: Action<'_>) -> bool {
    let Some(actor) = actor else { return false };
    match action {
        Action::FollowUser { user_id } => return actor.user.id != user_id,
        Action::DeleteUser { user_id } if actor.user.id == user_id => return false,
        _ => {}
    }
    if actor.user.is_sysadmin() {
        return true;
    }
    match action {
        Action::Administer | Action::DeleteUser { .. } => false,
        Action::FollowUser { .. } => true,
        Action::ManageOrganization { org_id } => actor.role_in(org_id) == Some(OrgRole::Admin),
        Action::EditOrganizationContent { org_id } | Action::ReadOrganizationPrivate { org_id } => {
            actor.role_in(org_id).is_some()
        }
        Action::EditUserContent { owner_id } => actor.user.id == owner_id,
        Action::EditDataset { owner_id, org_id }
        | Action::EditCommunityResource { owner_id, org_id } => {
            owner_id.is_some_and(|owner| owner == actor.user.id)
                || org_id.is_some_and(|org| actor.role_in(org).is_some())
        }
        Action::EditContactPoint { owner_id, org_id } => match org_id {
            Some(org) => actor.role_in(org).is_some(),
            None => owner_id.is_some_and(|owner| owner == actor.user.id),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(roles: Vec<String>, memberships: Vec<(String, OrgRole)>) -> Actor {
        Actor {
            user: User {
                id: "u".into(),
                slug: "u".into(),
                email: "u@example.org".into(),
                first_name: "U".into(),
                last_name: "U".into(),
                about: None,
                website: None,
                avatar: None,
                avatar_thumbnail: None,
                roles,
                active: true,
                since: 0,
                last_login_at: None,
                deleted: None,
                followers: 0,
            },
            memberships,
        }
    }

    #[test]
    fn editor_cannot_manage_but_can_edit_content() {
        let editor = actor(vec![], vec![("o".into(), OrgRole::Editor)]);
        assert!(!can(
            Some(&editor),
            Action::ManageOrganization { org_id: "o" }
        ));
        assert!(can(
            Some(&editor),
            Action::EditOrganizationContent { org_id: "o" }
        ));
        assert!(!can(
            Some(&editor),
            Action::EditOrganizationContent { org_id: "other" }
        ));
    }

    #[test]
    fn sysadmin_passes_everything_anonymous_nothing() {
        let admin = actor(vec!["admin".into()], vec![]);
        assert!(can(
            Some(&admin),
            Action::ManageOrganization { org_id: "o" }
        ));
        assert!(can(Some(&admin), Action::Administer));
        assert!(!can(None, Action::ReadOrganizationPrivate { org_id: "o" }));
    }

    #[test]
    fn dataset_editors_are_owner_and_org_members() {
        let editor = actor(vec![], vec![("o".into(), OrgRole::Editor)]);
        let org_dataset = Action::EditDataset {
            owner_id: None,
            org_id: Some("o"),
        };
        assert!(can(Some(&editor), org_dataset));
        assert!(!can(None, org_dataset));
        assert!(can(
            Some(&editor),
            Action::EditDataset {
                owner_id: Some("u"),
                org_id: None
            }
        ));
        assert!(!can(
            Some(&editor),
            Action::EditDataset {
                owner_id: Some("v"),
                org_id: Some("other")
            }
        ));
    }

    #[test]
    fn contact_points_are_edited_by_their_organization_else_their_owner() {
        let editor = actor(vec![], vec![("o".into(), OrgRole::Editor)]);
        let of_org = |org| Action::EditContactPoint {
            owner_id: Some("u"),
            org_id: Some(org),
        };
        assert!(can(Some(&editor), of_org("o")));
        assert!(!can(Some(&editor), of_org("other")));
        let own = Action::EditContactPoint {
            owner_id: Some("u"),
            org_id: None,
        };
        assert!(can(Some(&editor), own));
        let admin = actor(vec!["admin".into()], vec![]);
        assert!(can(Some(&admin), of_org("other")));
        assert!(!can(None, own));
    }

    #[test]
    fn nobody_follows_or_deletes_themself_here() {
        let admin = actor(vec!["admin".into()], vec![]);
        let user = actor(vec![], vec![]);
        assert!(!can(Some(&admin), Action::FollowUser { user_id: "u" }));
        assert!(can(Some(&user), Action::FollowUser { user_id: "v" }));
        assert!(!can(Some(&admin), Action::DeleteUser { user_id: "u" }));
        assert!(can(Some(&admin), Action::DeleteUser { user_id: "v" }));
        assert!(!can(Some(&user), Action::DeleteUser { user_id: "v" }));
    }
}
