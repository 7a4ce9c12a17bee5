//! The indexer: rebuilds indexes from the store, then follows the change log.
//!
//! Sequence numbers are taken when a transaction inserts into the log, so on PostgreSQL a
//! transaction can commit after one holding a later number has been read. The cursor remembers
//! such gaps and reads them again until they appear or are old enough to be rollbacks; the
//! position saved in the index stops before the oldest open gap, so a restart re-reads it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::index::{IndexError, IndexResult};
use super::{POLL, Search, datasets};
use crate::domain::dataset::Dataset;
use crate::domain::organization::Organization;
use crate::domain::resource::Resource;
use crate::store::{Change, Store, StoreError};

/// Changes read per step.
const BATCH: i64 = 1000;
/// Datasets read per rebuild step.
const REBUILD_BATCH: i64 = 1000;
/// A gap older than this is a rolled-back transaction.
const GAP_PATIENCE: Duration = Duration::from_secs(10);

fn store_err(e: StoreError) -> IndexError {
    IndexError {
        kind: "store",
        message: e.to_string(),
    }
}

/// The indexer task.
pub async fn run(search: Arc<Search>) {
    if search.datasets.needs_rebuild() {
        let started = Instant::now();
        let last_log = parking_lot::Mutex::new(Instant::now());
        let progress = |done: u64, total: u64| {
            let mut last = last_log.lock();
            if last.elapsed() > Duration::from_secs(5) {
                *last = Instant::now();
                tracing::info!(done, total, "building the dataset search index");
            }
        };
        match rebuild(&search, &progress).await {
            Ok(()) => tracing::info!(
                seconds = started.elapsed().as_secs_f64(),
                "dataset search index built"
            ),
            Err(error) => {
                tracing::error!(%error, "cannot build the search index; searches use the database meanwhile")
            }
        }
    }
    let mut cursor = Cursor::new(search.datasets.seq());
    loop {
        match step(&search, &mut cursor).await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(error) => {
                tracing::warn!(%error, "search indexing failed; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
        tokio::select! {
            _ = search.store.written() => {}
            _ = search.wake.notified() => {}
            _ = tokio::time::sleep(POLL) => {}
        }
    }
}

/// Where the indexer is in the change log.
struct Cursor {
    last: i64,
    gaps: BTreeMap<i64, Instant>,
    /// The position saved by the last commit, and when.
    saved: (i64, Instant),
}

/// Changes that touch no index still move the saved position this often, so a restart does
/// not re-read a long tail.
const SAVE_EVERY: (i64, Duration) = (10_000, Duration::from_secs(60));

impl Cursor {
    fn new(last: i64) -> Self {
        Cursor {
            last,
            gaps: BTreeMap::new(),
            saved: (last, Instant::now()),
        }
    }

    fn commit_due(&self) -> bool {
        self.safe() - self.saved.0 >= SAVE_EVERY.0 || self.saved.1.elapsed() >= SAVE_EVERY.1
    }

    fn committed(&mut self, seq: i64) {
        self.saved = (seq, Instant::now());
    }

    fn advance(&mut self, seq: i64) {
        let now = Instant::now();
        for missing in (self.last + 1)..seq {
            self.gaps.insert(missing, now);
        }
        self.last = self.last.max(seq);
    }

    /// The position to save: before the oldest open gap.
    fn safe(&self) -> i64 {
        self.gaps.keys().next().map_or(self.last, |gap| gap - 1)
    }
}

/// Applies the next changes; true when there may be more right away.
async fn step(search: &Arc<Search>, cursor: &mut Cursor) -> IndexResult<bool> {
    let store = &search.store;
    let mut changes = store
        .changes_since(cursor.last, BATCH)
        .await
        .map_err(store_err)?;
    let more = changes.len() as i64 == BATCH;
    if let Some(&oldest) = cursor.gaps.keys().next() {
        let late = store
            .changes_between(oldest - 1, cursor.last)
            .await
            .map_err(store_err)?;
        for change in late {
            if cursor.gaps.remove(&change.seq).is_some() {
                changes.push(change);
            }
        }
        cursor.gaps.retain(|_, seen| seen.elapsed() < GAP_PATIENCE);
    }
    if changes.is_empty() {
        search.applied.send_replace(cursor.last);
        return Ok(false);
    }
    for change in &changes {
        cursor.advance(change.seq);
    }
    let ids = dataset_ids(store, &changes).await?;
    if ids.is_empty() && !cursor.commit_due() {
        // Nothing indexed changes: the saved position may lag (a restart re-reads a little).
        search.applied.send_replace(cursor.last);
        return Ok(more);
    }
    let mut orgs = HashMap::new();
    let mut found = HashSet::new();
    let mut loaded = Vec::new();
    for chunk in ids.chunks(REBUILD_BATCH as usize) {
        let datasets = store.datasets_by_ids(chunk).await.map_err(store_err)?;
        found.extend(datasets.iter().map(|d| d.id.clone()));
        loaded.extend(with_related(store, datasets, &mut orgs).await?);
    }
    let gone: Vec<String> = ids.into_iter().filter(|id| !found.contains(id)).collect();
    let safe = cursor.safe();
    blocking(search, move |search| {
        put_datasets(search, loaded)?;
        for id in gone {
            search.datasets.put(id_term(search, &id), None)?;
        }
        search.datasets.commit(safe, false)
    })
    .await?;
    cursor.committed(safe);
    search.applied.send_replace(cursor.last);
    Ok(more)
}

/// Runs index work (CPU and disk bound) off the async workers.
async fn blocking<T: Send + 'static>(
    search: &Arc<Search>,
    work: impl FnOnce(&Search) -> IndexResult<T> + Send + 'static,
) -> IndexResult<T> {
    let search = Arc::clone(search);
    tokio::task::spawn_blocking(move || work(&search))
        .await
        .map_err(|e| IndexError {
            kind: datasets::KIND,
            message: e.to_string(),
        })?
}

/// The datasets a batch of changes touches: changed datasets, and those of changed
/// organizations (their name and badges are in the dataset documents).
async fn dataset_ids(store: &Store, changes: &[Change]) -> IndexResult<Vec<String>> {
    let mut ids = Vec::new();
    let mut seen = HashSet::new();
    for change in changes {
        let touched = match change.kind.as_str() {
            "dataset" => vec![change.object_id.clone()],
            "organization" => store
                .dataset_ids_of_org(&change.object_id)
                .await
                .map_err(store_err)?,
            _ => Vec::new(),
        };
        for id in touched {
            if seen.insert(id.clone()) {
                ids.push(id);
            }
        }
    }
    Ok(ids)
}

/// A dataset with what its document needs.
struct Loaded {
    dataset: Dataset,
    resources: Vec<Resource>,
    organization: Option<Arc<Organization>>,
}

type Orgs = HashMap<String, Option<Arc<Organization>>>;

/// The resources and organizations of `datasets` (organizations cached in `orgs`).
async fn with_related(
    store: &Store,
    datasets: Vec<Dataset>,
    orgs: &mut Orgs,
) -> IndexResult<Vec<Loaded>> {
    let ids: Vec<String> = datasets.iter().map(|d| d.id.clone()).collect();
    let mut resources = store.resources_of_many(&ids).await.map_err(store_err)?;
    let missing: Vec<String> = datasets
        .iter()
        .filter_map(|d| d.organization.clone())
        .filter(|id| !orgs.contains_key(id))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    if !missing.is_empty() {
        for id in &missing {
            orgs.insert(id.clone(), None);
        }
        for org in store
            .organizations_by_ids(&missing)
            .await
            .map_err(store_err)?
        {
            orgs.insert(org.id.clone(), Some(Arc::new(org)));
        }
    }
    Ok(datasets
        .into_iter()
        .map(|dataset| Loaded {
            resources: resources.remove(&dataset.id).unwrap_or_default(),
            organization: dataset
                .organization
                .as_ref()
                .and_then(|id| orgs.get(id).cloned().flatten()),
            dataset,
        })
        .collect())
}

fn id_term(search: &Search, id: &str) -> tantivy::Term {
    let field = search
        .datasets
        .schema
        .get_field("id")
        .expect("datasets have an id field");
    tantivy::Term::from_field_text(field, id)
}

fn put_datasets(search: &Search, loaded: Vec<Loaded>) -> IndexResult<()> {
    for item in loaded {
        let doc = datasets::document(
            &search.datasets.schema,
            &item.dataset,
            &datasets::Related {
                resources: &item.resources,
                organization: item.organization.as_deref(),
            },
        );
        search
            .datasets
            .put(id_term(search, &item.dataset.id), Some(doc))?;
    }
    Ok(())
}

/// Rebuilds the dataset index from a scan of the store, reporting `(done, total)`.
pub async fn rebuild(
    search: &Arc<Search>,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> IndexResult<()> {
    let store = &search.store;
    // Changes after this position are applied by the indexer once the rebuild is committed.
    let seq = store.last_change().await.map_err(store_err)?;
    let total = store.dataset_count().await.map_err(store_err)? as u64;
    search.datasets.begin_rebuild()?;
    let mut orgs = HashMap::new();
    let mut after = String::new();
    let mut done = 0;
    progress(0, total);
    loop {
        let batch = store
            .datasets_after(&after, REBUILD_BATCH)
            .await
            .map_err(store_err)?;
        let Some(last) = batch.last() else { break };
        after = last.id.clone();
        done += batch.len() as u64;
        let loaded = with_related(store, batch, &mut orgs).await?;
        blocking(search, move |search| put_datasets(search, loaded)).await?;
        progress(done, total.max(done));
    }
    blocking(search, move |search| search.datasets.commit(seq, true)).await?;
    search.applied.send_replace(seq);
    Ok(())
}
