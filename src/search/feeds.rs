//! What the indexer reads from the store for each searchable kind: which objects a batch of
//! changes touches, their documents, and the scan of a rebuild. The indexer knows kinds only
//! through [`FEEDS`].

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use futures_util::future::BoxFuture;
use tantivy::TantivyDocument;

use super::index::{IndexError, IndexResult, KindIndex};
use super::{Search, datasets, organizations, users};
use crate::domain::dataset::Dataset;
use crate::store::scan::Table;
use crate::store::{Change, StoreError};

/// The documents of some ids: `None` removes the id from the index (gone, or not indexed).
pub type Documents = Vec<(String, Option<TantivyDocument>)>;

/// How one kind's index is fed.
pub trait Feed: Sync {
    /// The kind's index.
    fn index<'a>(&self, search: &'a Search) -> &'a KindIndex;
    /// The table a rebuild scans.
    fn table(&self) -> Table;
    /// The ids whose documents a batch of changes may have changed. Called for every kind
    /// before any index applies the batch.
    fn touched<'a>(
        &'a self,
        search: &'a Search,
        changes: &'a [Change],
    ) -> BoxFuture<'a, IndexResult<Vec<String>>>;
    /// The documents of `ids`, one entry per id.
    fn documents<'a>(
        &'a self,
        search: &'a Search,
        ids: &'a [String],
    ) -> BoxFuture<'a, IndexResult<Documents>>;
}

/// Every kind the indexer feeds.
pub static FEEDS: &[&dyn Feed] = &[&DatasetFeed, &OrganizationFeed, &UserFeed];

pub fn store_err(e: StoreError) -> IndexError {
    IndexError {
        kind: "store",
        message: e.to_string(),
    }
}

/// The ids of the changes of `kind`, each once.
fn changed(changes: &[Change], kind: &str) -> Vec<String> {
    let mut seen = HashSet::new();
    changes
        .iter()
        .filter(|c| c.kind == kind && seen.insert(c.object_id.as_str()))
        .map(|c| c.object_id.clone())
        .collect()
}

/// One entry per id: its document when `built` has one.
fn per_id(ids: &[String], mut built: HashMap<String, TantivyDocument>) -> Documents {
    ids.iter()
        .map(|id| (id.clone(), built.remove(id)))
        .collect()
}

fn dedup(ids: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut seen = HashSet::new();
    ids.into_iter()
        .filter(|id| seen.insert(id.clone()))
        .collect()
}

/// Datasets, private and deleted ones included (lists show them to who may see them).
struct DatasetFeed;

impl Feed for DatasetFeed {
    fn index<'a>(&self, search: &'a Search) -> &'a KindIndex {
        &search.datasets
    }

    fn table(&self) -> Table {
        Table::Datasets
    }

    /// Changed datasets, and those of changed organizations (their name and badges are in
    /// the dataset documents).
    fn touched<'a>(
        &'a self,
        search: &'a Search,
        changes: &'a [Change],
    ) -> BoxFuture<'a, IndexResult<Vec<String>>> {
        Box::pin(async move {
            let mut ids = changed(changes, datasets::KIND);
            for org in changed(changes, organizations::KIND) {
                ids.extend(
                    search
                        .store
                        .dataset_ids_of_org(&org)
                        .await
                        .map_err(store_err)?,
                );
            }
            Ok(dedup(ids))
        })
    }

    fn documents<'a>(
        &'a self,
        search: &'a Search,
        ids: &'a [String],
    ) -> BoxFuture<'a, IndexResult<Documents>> {
        Box::pin(async move {
            let store = &search.store;
            let found: Vec<Dataset> = store.datasets_by_ids(ids).await.map_err(store_err)?;
            let found_ids: Vec<String> = found.iter().map(|d| d.id.clone()).collect();
            let mut resources = store
                .resources_of_many(&found_ids)
                .await
                .map_err(store_err)?;
            let org_ids = dedup(found.iter().filter_map(|d| d.organization.clone()));
            let orgs: HashMap<String, Arc<_>> = store
                .organizations_by_ids(&org_ids)
                .await
                .map_err(store_err)?
                .into_iter()
                .map(|org| (org.id.clone(), Arc::new(org)))
                .collect();
            let schema = &search.datasets.schema;
            let built = found
                .into_iter()
                .map(|d| {
                    let resources = resources.remove(&d.id).unwrap_or_default();
                    let organization = d.organization.as_ref().and_then(|id| orgs.get(id));
                    let doc = datasets::document(
                        schema,
                        &d,
                        &datasets::Related {
                            resources: &resources,
                            organization: organization.map(|o| &**o),
                        },
                    );
                    (d.id, doc)
                })
                .collect();
            Ok(per_id(ids, built))
        })
    }
}

/// Organizations that are not deleted, with their count of public datasets.
struct OrganizationFeed;

impl Feed for OrganizationFeed {
    fn index<'a>(&self, search: &'a Search) -> &'a KindIndex {
        &search.organizations
    }

    fn table(&self) -> Table {
        Table::Organizations
    }

    /// Changed organizations, and those whose datasets changed: the organizations the
    /// datasets belong to now, and those the dataset index says they belonged to.
    fn touched<'a>(
        &'a self,
        search: &'a Search,
        changes: &'a [Change],
    ) -> BoxFuture<'a, IndexResult<Vec<String>>> {
        Box::pin(async move {
            let mut ids = changed(changes, organizations::KIND);
            let datasets = changed(changes, datasets::KIND);
            if !datasets.is_empty() {
                ids.extend(
                    search
                        .store
                        .organizations_of_datasets(&datasets)
                        .await
                        .map_err(store_err)?,
                );
                ids.extend(datasets::organizations_of(&search.datasets, &datasets)?);
            }
            Ok(dedup(ids))
        })
    }

    fn documents<'a>(
        &'a self,
        search: &'a Search,
        ids: &'a [String],
    ) -> BoxFuture<'a, IndexResult<Documents>> {
        Box::pin(async move {
            let store = &search.store;
            let orgs = store.organizations_by_ids(ids).await.map_err(store_err)?;
            let counts = store.public_dataset_counts(ids).await.map_err(store_err)?;
            let schema = &search.organizations.schema;
            let built = orgs
                .iter()
                .filter(|org| org.deleted.is_none())
                .map(|org| {
                    let datasets = counts.get(&org.id).copied().unwrap_or(0);
                    (
                        org.id.clone(),
                        organizations::document(schema, org, datasets),
                    )
                })
                .collect();
            Ok(per_id(ids, built))
        })
    }
}

/// Users that are not deleted.
struct UserFeed;

impl Feed for UserFeed {
    fn index<'a>(&self, search: &'a Search) -> &'a KindIndex {
        &search.users
    }

    fn table(&self) -> Table {
        Table::Users
    }

    fn touched<'a>(
        &'a self,
        _search: &'a Search,
        changes: &'a [Change],
    ) -> BoxFuture<'a, IndexResult<Vec<String>>> {
        Box::pin(async move { Ok(changed(changes, users::KIND)) })
    }

    fn documents<'a>(
        &'a self,
        search: &'a Search,
        ids: &'a [String],
    ) -> BoxFuture<'a, IndexResult<Documents>> {
        Box::pin(async move {
            let found = search.store.users_by_ids(ids).await.map_err(store_err)?;
            let schema = &search.users.schema;
            let built = found
                .iter()
                .filter(|user| user.deleted.is_none())
                .map(|user| (user.id.clone(), users::document(schema, user)))
                .collect();
            Ok(per_id(ids, built))
        })
    }
}
