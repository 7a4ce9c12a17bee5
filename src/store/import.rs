//! Bulk loads (`plateau generate`, later harvesting): many users, organizations or datasets
//! written in one transaction per batch, with the very statements one-by-one creation uses, so
//! a bulk-loaded row is an ordinary row with its change-log entry.
//!
//! Slugs are the caller's to choose: a batch never asks for a free slug per object (one query
//! each would be most of its cost). [`Store::each_taken_slug`] lists those already in use.

use super::datasets::{ORGANIZATION_DATASETS, ResourceDelta, is_public};
use super::sql::Stmt;
use super::{Db, Store, StoreResult};
use crate::domain::dataset::Dataset;
use crate::domain::organization::{Membership, Organization};
use crate::domain::resource::Resource;
use crate::domain::user::User;
use crate::params;

/// The objects with a slug, for [`Store::each_taken_slug`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlugKind {
    User,
    Organization,
    Dataset,
}

impl Store {
    /// Prepares this handle of the store for bulk loads (a larger write cache on SQLite;
    /// nothing on PostgreSQL, whose server is configured on its own). Other processes using
    /// the store are not affected.
    pub fn tune_for_bulk_load(&self) -> StoreResult<()> {
        match &*self.db {
            Db::Sqlite(db) => db.tune_for_bulk_load(),
            Db::Postgres(_) => Ok(()),
        }
    }

    /// Refreshes the query planner's statistics, after a bulk load: PostgreSQL plans the
    /// reads of a list of ids by them, and until autovacuum gets to a freshly filled table it
    /// scans the whole of it instead of using its index.
    pub async fn analyze(&self) -> StoreResult<()> {
        self.write(vec![Stmt::new("ANALYZE", params![])])
            .await
            .map(drop)
    }

    /// Inserts users without password or API key, in one transaction.
    pub async fn import_users(&self, users: &[User]) -> StoreResult<()> {
        let mut stmts = Vec::with_capacity(users.len() * 2);
        for user in users {
            stmts.push(Self::insert_user_stmt(user, None));
            stmts.push(Stmt::change("user", &user.id, "create", user.since));
        }
        self.write(stmts).await.map(drop)
    }

    /// Inserts organizations with their members, in one transaction. Each organization's
    /// `members_count` must be the number of its members given.
    pub async fn import_organizations(
        &self,
        organizations: &[(Organization, Vec<Membership>)],
    ) -> StoreResult<()> {
        let mut stmts = Vec::with_capacity(organizations.len() * 4);
        for (org, members) in organizations {
            stmts.push(Self::insert_organization_stmt(org));
            for m in members {
                stmts.push(Self::insert_member_stmt(
                    &org.id, &m.user_id, m.role, m.since,
                ));
            }
            stmts.push(Stmt::change(
                "organization",
                &org.id,
                "create",
                org.created_at,
            ));
        }
        self.write(stmts).await.map(drop)
    }

    /// Inserts datasets with their resources (in order) and counters, in one transaction.
    pub async fn import_datasets(&self, datasets: &[(Dataset, Vec<Resource>)]) -> StoreResult<()> {
        let resources: usize = datasets.iter().map(|(_, r)| r.len()).sum();
        let mut stmts = Vec::with_capacity(datasets.len() * 3 + resources);
        for (dataset, resources) in datasets {
            stmts.push(Self::insert_dataset_stmt(dataset));
            stmts.extend(Self::zone_datasets_stmts(dataset, false));
            for (position, resource) in resources.iter().enumerate() {
                stmts.push(Self::insert_resource_stmt(
                    &dataset.id,
                    position as i64,
                    resource,
                ));
            }
            if !resources.is_empty() {
                stmts.push(Self::resource_counters_stmt(
                    &dataset.id,
                    ResourceDelta::of_all(resources, 1),
                    dataset.last_modified,
                ));
            }
            stmts.push(Stmt::change(
                "dataset",
                &dataset.id,
                "create",
                dataset.created_at,
            ));
        }
        let mut orgs: Vec<&str> = datasets
            .iter()
            .filter(|(d, _)| is_public(d))
            .filter_map(|(d, _)| d.organization.as_deref())
            .collect();
        orgs.sort_unstable();
        orgs.dedup();
        let at = datasets.iter().map(|(d, _)| d.created_at).max();
        for org in orgs {
            stmts.push(Stmt::change(
                ORGANIZATION_DATASETS,
                org,
                "update",
                at.unwrap_or_default(),
            ));
        }
        self.write(stmts).await.map(drop)
    }

    /// Calls `each` with every slug of `kind` in use: current slugs, then old ones that still
    /// redirect. Reads in bounded pages, whatever the store's size.
    pub async fn each_taken_slug(
        &self,
        kind: SlugKind,
        mut each: impl FnMut(&str),
    ) -> StoreResult<()> {
        const PAGE: i64 = 10_000;
        let (current, history_kind): (&'static str, &str) = match kind {
            SlugKind::User => (
                "SELECT slug FROM users WHERE slug > $1 ORDER BY slug LIMIT $2",
                "user",
            ),
            SlugKind::Organization => (
                "SELECT slug FROM organizations WHERE slug > $1 ORDER BY slug LIMIT $2",
                "organization",
            ),
            SlugKind::Dataset => (
                "SELECT slug FROM datasets WHERE slug > $1 ORDER BY slug LIMIT $2",
                "dataset",
            ),
        };
        let mut after = String::new();
        loop {
            let rows = self.query(current, params![&after, PAGE]).await?;
            for row in &rows {
                after = row.text(0)?;
                each(&after);
            }
            if (rows.len() as i64) < PAGE {
                break;
            }
        }
        for row in self
            .query(
                "SELECT old_slug FROM slug_history WHERE kind = $1",
                params![history_kind],
            )
            .await?
        {
            each(&row.text(0)?);
        }
        Ok(())
    }
}
