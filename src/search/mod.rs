//! Full-text search: an embedded tantivy index per searchable kind, in `<data-dir>/search/`,
//! kept current from the store's change log by one background task (a write is searchable
//! within a second, usually within milliseconds), and rebuilt automatically when missing, left
//! half-built or written by another schema version.
//!
//! Adding a kind: a module with its schema, document and searches (see `organizations.rs`),
//! a [`KindIndex`] field here opened in [`Search::open`], and its feed in `feeds.rs`.

pub mod analysis;
mod bits;
mod cache;
mod clauses;
mod collect;
pub mod datasets;
mod feeds;
mod index;
mod indexer;
mod matches;
pub mod organizations;
pub mod query;
mod rank;
mod ranked;
mod tables;
pub mod users;
mod values;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

pub use index::{IndexError, IndexResult, KindIndex};
pub use query::Visibility;

use crate::store::Store;

/// A page of search results: the ids in order, the total, and the facets if asked for.
#[derive(Debug, Default, Clone)]
pub struct SearchPage {
    pub ids: Vec<String>,
    pub total: u64,
    pub facets: Option<Vec<Facet>>,
}

/// The counts of one facet: documents matching every other filter, and per value.
#[derive(Debug, Clone)]
pub struct Facet {
    pub name: &'static str,
    pub total: u64,
    pub values: Vec<(String, u64)>,
}

/// The search indexes of the portal and their indexer.
pub struct Search {
    store: Store,
    pub datasets: KindIndex,
    pub organizations: KindIndex,
    pub users: KindIndex,
    /// The change-log position every index has applied (sent by the indexer).
    applied: tokio::sync::watch::Sender<i64>,
    /// How many of this process's writes ([`Store::writes`]) every index has applied.
    writes_applied: tokio::sync::watch::Sender<u64>,
    /// Wakes the indexer up before its next poll.
    wake: tokio::sync::Notify,
}

/// How often the indexer looks for changes written by other processes (other nodes, the CLI).
const POLL: Duration = Duration::from_millis(250);

impl Search {
    /// Opens (or creates) the indexes under `dir`. Call [`Search::start`] to index.
    pub fn open(dir: &Path, store: Store) -> IndexResult<Arc<Search>> {
        let open = |name: &str, kind, schema, version, facets| {
            KindIndex::open(&dir.join(name), kind, schema, version, facets)
        };
        let mut search = Search {
            store,
            datasets: open(
                "datasets",
                datasets::KIND,
                datasets::schema(),
                datasets::VERSION,
                datasets::FACET_FIELDS,
            )?,
            organizations: open(
                "organizations",
                organizations::KIND,
                organizations::schema(),
                organizations::VERSION,
                organizations::FACET_FIELDS,
            )?,
            users: open("users", users::KIND, users::schema(), users::VERSION, &[])?,
            applied: tokio::sync::watch::Sender::new(0),
            writes_applied: tokio::sync::watch::Sender::new(0),
            wake: tokio::sync::Notify::new(),
        };
        search.applied = tokio::sync::watch::Sender::new(search.seq());
        Ok(Arc::new(search))
    }

    /// The change-log position the indexer has applied to every index.
    pub fn applied_position(&self) -> i64 {
        *self.applied.borrow()
    }

    /// The change-log position every index has reached.
    fn seq(&self) -> i64 {
        feeds::FEEDS
            .iter()
            .map(|feed| feed.index(self).seq())
            .min()
            .unwrap_or(0)
    }

    /// Starts the indexer: a rebuild first if an index needs one, then it follows the change
    /// log for as long as the runtime runs.
    pub fn start(self: &Arc<Self>) {
        let search = Arc::clone(self);
        tokio::spawn(async move { indexer::run(search).await });
    }

    /// Rebuilds every index from the store now, reporting `(kind, done, total)`.
    pub async fn rebuild(
        self: &Arc<Self>,
        progress: &(dyn Fn(&str, u64, u64) + Sync),
    ) -> IndexResult<()> {
        indexer::rebuild(self, progress).await
    }

    /// Waits until every index has applied the writes this process ended before the call, at
    /// most `limit`; false if they have not by then. Without a pending write it returns at once.
    pub async fn caught_up(&self, limit: Duration) -> bool {
        let target = self.store.writes();
        if *self.writes_applied.borrow() >= target {
            return true;
        }
        let mut applied = self.writes_applied.subscribe();
        self.wake.notify_one();
        matches!(
            tokio::time::timeout(limit, applied.wait_for(|writes| *writes >= target)).await,
            Ok(Ok(_))
        )
    }

    /// Records that the indexes hold the writes counted by [`Store::writes`] up to `writes`.
    fn applied_writes(&self, writes: u64) {
        self.writes_applied.send_if_modified(|applied| {
            let moved = writes > *applied;
            *applied = (*applied).max(writes);
            moved
        });
    }

    /// Applies every change written so far to the indexes, then returns (at most `limit`
    /// later): a write made before the call is then searchable.
    pub async fn sync(&self, limit: Duration) {
        let Ok(target) = self.store.last_change().await else {
            return;
        };
        let mut applied = self.applied.subscribe();
        self.wake.notify_one();
        let _ = tokio::time::timeout(limit, applied.wait_for(|seq| *seq >= target)).await;
    }
}
