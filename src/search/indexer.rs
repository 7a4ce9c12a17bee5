//! The indexer: rebuilds indexes from the store, then follows the change log.
//!
//! The change log is read through a [`ChangeCursor`], which re-reads the sequence numbers
//! PostgreSQL transactions left open (gaps); the position saved in the index stops before the
//! oldest open gap, so a restart re-reads it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::feeds::{Documents, FEEDS, Feed, store_err};
use super::index::{IndexError, IndexResult};
use super::{POLL, Search};
use crate::store::changelog::ChangeCursor;

/// Changes read per step, and objects loaded per store read.
const BATCH: i64 = 1000;

/// The indexer task.
pub async fn run(search: Arc<Search>) {
    for feed in FEEDS {
        let index = feed.index(&search);
        if !index.needs_rebuild() {
            continue;
        }
        let started = Instant::now();
        let last_log = parking_lot::Mutex::new(Instant::now());
        let progress = |kind: &str, done: u64, total: u64| {
            let mut last = last_log.lock();
            if last.elapsed() > Duration::from_secs(5) {
                *last = Instant::now();
                tracing::info!(kind, done, total, "building a search index");
            }
        };
        match rebuild_kind(&search, *feed, &progress).await {
            Ok(()) => tracing::info!(
                kind = index.kind,
                seconds = started.elapsed().as_secs_f64(),
                "search index built"
            ),
            Err(error) => {
                tracing::error!(%error, "cannot build a search index; its searches use the database meanwhile")
            }
        }
    }
    let mut cursor = Cursor::new(search.seq());
    loop {
        match step(&search, &mut cursor).await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(error) => {
                tracing::warn!(%error, "search indexing failed; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                // The failed step's changes were read: read them again from the last commit
                // (applying a change twice is harmless).
                cursor = Cursor::new(search.seq());
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
    log: ChangeCursor,
    /// The position saved by the last commit, and when.
    saved: (i64, Instant),
}

/// Changes that touch no index still move the saved position this often, so a restart does
/// not re-read a long tail.
const SAVE_EVERY: (i64, Duration) = (10_000, Duration::from_secs(60));

impl Cursor {
    fn new(last: i64) -> Self {
        Cursor {
            log: ChangeCursor::after(last),
            saved: (last, Instant::now()),
        }
    }

    fn commit_due(&self) -> bool {
        self.log.safe() - self.saved.0 >= SAVE_EVERY.0 || self.saved.1.elapsed() >= SAVE_EVERY.1
    }

    fn committed(&mut self, seq: i64) {
        self.saved = (seq, Instant::now());
    }
}

/// Applies the next changes; true when there may be more right away.
async fn step(search: &Arc<Search>, cursor: &mut Cursor) -> IndexResult<bool> {
    let store = &search.store;
    // Read before the change log: the log read then holds every write counted.
    let writes = store.writes();
    let read = cursor.log.read(store, BATCH).await.map_err(store_err)?;
    let (changes, more) = (read.changes, read.more);
    let applied = |cursor: &Cursor| {
        search.applied.send_replace(cursor.log.last());
        if !more {
            search.applied_writes(writes);
        }
        Ok(more)
    };
    if changes.is_empty() {
        return applied(cursor);
    }
    // Every kind says what it touches before any index changes (the organizations of
    // changed datasets are read from the dataset index as it was).
    let mut touched = Vec::with_capacity(FEEDS.len());
    for feed in FEEDS {
        touched.push(feed.touched(search, &changes).await?);
    }
    let save_all = cursor.commit_due();
    if touched.iter().all(Vec::is_empty) && !save_all {
        // Nothing indexed changes: the saved position may lag (a restart re-reads a little).
        return applied(cursor);
    }
    let mut updates: Vec<Documents> = Vec::with_capacity(FEEDS.len());
    for (feed, ids) in FEEDS.iter().zip(&touched) {
        let mut documents = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(BATCH as usize) {
            documents.extend(feed.documents(search, chunk).await?);
        }
        updates.push(documents);
    }
    let safe = cursor.log.safe();
    blocking(search, move |search| {
        for (feed, documents) in FEEDS.iter().zip(updates) {
            if documents.is_empty() && !save_all {
                continue;
            }
            let index = feed.index(search);
            for (id, document) in documents {
                index.put(&id, document)?;
            }
            index.commit(safe, false)?;
        }
        Ok(())
    })
    .await?;
    if save_all {
        cursor.committed(safe);
    }
    applied(cursor)
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
            kind: "indexer",
            message: e.to_string(),
        })?
}

/// Rebuilds every index from a scan of the store, reporting `(kind, done, total)`.
pub async fn rebuild(
    search: &Arc<Search>,
    progress: &(dyn Fn(&str, u64, u64) + Sync),
) -> IndexResult<()> {
    for feed in FEEDS {
        rebuild_kind(search, *feed, progress).await?;
    }
    Ok(())
}

/// Rebuilds one kind's index from a scan of its table.
async fn rebuild_kind(
    search: &Arc<Search>,
    feed: &'static dyn Feed,
    progress: &(dyn Fn(&str, u64, u64) + Sync),
) -> IndexResult<()> {
    let store = &search.store;
    let index = feed.index(search);
    // Changes after this position are applied by the indexer once the rebuild is committed.
    let seq = store.last_change().await.map_err(store_err)?;
    let total = store.row_count(feed.table()).await.map_err(store_err)? as u64;
    index.begin_rebuild()?;
    let mut after = String::new();
    let mut done = 0;
    progress(index.kind, 0, total);
    loop {
        let ids = store
            .ids_after(feed.table(), &after, BATCH)
            .await
            .map_err(store_err)?;
        let Some(last) = ids.last() else { break };
        after = last.clone();
        done += ids.len() as u64;
        let documents = feed.documents(search, &ids).await?;
        blocking(search, move |search| {
            let index = feed.index(search);
            // The index is empty: only documents to add.
            for (id, document) in documents.into_iter().filter(|(_, d)| d.is_some()) {
                index.put(&id, document)?;
            }
            Ok(())
        })
        .await?;
        progress(index.kind, done, total.max(done));
    }
    blocking(search, move |search| feed.index(search).commit(seq, true)).await?;
    search.applied.send_replace(search.seq());
    blocking(search, move |search| feed.index(search).merge_segments()).await?;
    Ok(())
}
