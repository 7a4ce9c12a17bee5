//! Recent dataset answers, serialized ([`DatasetFragments`]), within a budget of bytes.
//!
//! Freshness: this process's writes remove what they change before they return (the store's
//! write hook); other processes' writes are read from the change log by [`follow`] every
//! [`POLL`], and answers are served from here only while the last complete read of the log
//! started less than [`BOUND`] ago, so a write committed elsewhere is seen by every request
//! that starts [`BOUND`] after it (usually within [`POLL`]). An answer read from the store is
//! kept only if nothing was invalidated while it was read (the `epoch`).
//!
//! Eviction: CLOCK (second chance), by the bytes each answer keeps plus a fixed overhead.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use parking_lot::RwLock;

use super::fragments::DatasetFragments;
use crate::metrics::CacheCounters;
use crate::store::Store;
use crate::store::changelog::ChangeCursor;

/// How often the change log is read for other processes' writes.
pub const POLL: Duration = Duration::from_millis(100);
/// How old the last complete read of the change log may be for answers to be served from here.
pub const BOUND: Duration = Duration::from_secs(1);
/// The default budget: about 40,000 answers of datasets with ten resources. A catalogue
/// smaller than that never fills it; at a million datasets, 64 MiB answered 15 % fewer
/// searches per second (BENCHMARKS.md).
pub const DEFAULT_SIZE: usize = 256 * 1024 * 1024;
/// Bytes counted per answer beside its fragments and strings: the entry itself, its map slots
/// and the keys of what it depends on.
const ENTRY_OVERHEAD: usize = 640;
/// Change-log entries read at once.
const BATCH: i64 = 1000;
/// How far back the first read of the change log starts: transactions that took their
/// sequence number before the start and commit after it are seen as gaps filling.
const LOOKBACK: i64 = 1000;

/// The cache of dataset answers; [`DatasetCache::start`] turns it on.
pub struct DatasetCache {
    limit: usize,
    inner: RwLock<Inner>,
    /// When the last complete read of the change log started, in microseconds after `origin`
    /// (0: never).
    synced: AtomicU64,
    origin: Instant,
    lookups: CacheCounters,
}

/// A cached answer.
#[derive(Debug)]
pub struct Entry {
    pub fragments: DatasetFragments,
    /// Registered under its slug too (its fill was asked by slug).
    by_slug: bool,
    /// Asked for since the clock hand last passed.
    used: AtomicBool,
    cost: usize,
}

/// The invalidation count when a fill began reading the store: the fill is kept only if
/// nothing was invalidated since.
#[derive(Debug, Clone, Copy)]
pub struct Ticket(u64);

#[derive(Default)]
struct Inner {
    by_id: HashMap<String, Arc<Entry>>,
    /// Slug → id, for answers filled by slug.
    by_slug: HashMap<String, String>,
    /// `kind:id` of an embedded object → ids of the answers showing it.
    dependents: HashMap<String, HashSet<String>>,
    /// The clock: entries in insertion order; removed or replaced ones are skipped.
    clock: VecDeque<Arc<Entry>>,
    bytes: usize,
    epoch: u64,
}

impl DatasetCache {
    /// A cache of at most `limit` bytes; 0 turns it off.
    pub fn new(limit: usize) -> Self {
        DatasetCache {
            limit,
            inner: RwLock::default(),
            synced: AtomicU64::new(0),
            origin: Instant::now(),
            lookups: CacheCounters::new("dataset_answers"),
        }
    }

    /// Follows `store`'s writes: this process's through its write hook, the others' through
    /// the change log. Until then nothing is served from the cache.
    pub fn start(self: &Arc<Self>, store: &Store) {
        if self.limit == 0 {
            return;
        }
        let cache = Arc::clone(self);
        store.on_write(move |changed| {
            cache.invalidate(
                changed
                    .iter()
                    .map(|c| (c.kind.as_str(), c.object_id.as_str())),
            )
        });
        tokio::spawn(follow(Arc::clone(self), store.clone()));
    }

    /// The answer about the dataset whose id (or, if filled by slug, current slug) is `key`,
    /// if kept and fresh.
    pub fn get(&self, key: &str) -> Option<Arc<Entry>> {
        let found = self.lookup(key);
        if self.limit > 0 {
            self.lookups.record(found.is_some());
        }
        found
    }

    fn lookup(&self, key: &str) -> Option<Arc<Entry>> {
        if !self.fresh() {
            return None;
        }
        let inner = self.inner.read();
        let entry = match inner.by_id.get(key) {
            Some(entry) => entry,
            None => inner.by_id.get(inner.by_slug.get(key)?)?,
        };
        if !entry.used.load(Ordering::Relaxed) {
            entry.used.store(true, Ordering::Relaxed);
        }
        Some(Arc::clone(entry))
    }

    /// To take before reading what a fill keeps.
    pub fn ticket(&self) -> Ticket {
        Ticket(self.inner.read().epoch)
    }

    /// Keeps `fragments`, read from the store after `ticket` was taken, unless something was
    /// invalidated since, the cache is off or the answer is larger than an eighth of it.
    /// `by_slug`: the fill was asked by the dataset's current slug, which no dataset has as id.
    pub fn insert(&self, ticket: Ticket, fragments: DatasetFragments, by_slug: bool) -> Arc<Entry> {
        let cost = fragments.size() + ENTRY_OVERHEAD;
        let entry = Arc::new(Entry {
            fragments,
            by_slug,
            used: AtomicBool::new(false),
            cost,
        });
        if self.limit == 0 || cost > self.limit / 8 || !self.fresh() {
            return entry;
        }
        let mut inner = self.inner.write();
        if inner.epoch != ticket.0 {
            return entry;
        }
        let id = entry.fragments.id.clone();
        inner.remove(&id);
        inner.add(Arc::clone(&entry));
        while inner.bytes > self.limit && inner.evict_one() {}
        entry
    }

    /// Forgets the answers the changed objects `(change-log kind, id)` appear in.
    pub fn invalidate<'a>(&self, changed: impl IntoIterator<Item = (&'a str, &'a str)>) {
        let mut inner = self.inner.write();
        inner.epoch += 1;
        for (kind, id) in changed {
            if kind == "dataset" {
                inner.remove(id);
                // A dataset created with an id another one has as slug takes the precedence.
                if let Some(other) = inner.by_slug.get(id).cloned() {
                    inner.remove(&other);
                }
            } else if let Some(ids) = inner.dependents.get(&dependency(kind, id)).cloned() {
                for id in ids {
                    inner.remove(&id);
                }
            }
        }
    }

    /// Forgets every answer.
    pub fn clear(&self) {
        let mut inner = self.inner.write();
        let epoch = inner.epoch + 1;
        *inner = Inner {
            epoch,
            ..Inner::default()
        };
    }

    /// The bytes counted and the number of answers kept.
    pub fn usage(&self) -> (usize, usize) {
        let inner = self.inner.read();
        (inner.bytes, inner.by_id.len())
    }

    /// How long ago the last complete read of the change log started (none yet: `None`).
    pub fn log_age(&self) -> Option<Duration> {
        match self.synced.load(Ordering::Acquire) {
            0 => None,
            synced => Some(Duration::from_micros(self.micros().saturating_sub(synced))),
        }
    }

    fn fresh(&self) -> bool {
        let synced = self.synced.load(Ordering::Acquire);
        synced != 0 && self.micros() < synced.saturating_add(BOUND.as_micros() as u64)
    }

    fn micros(&self) -> u64 {
        self.origin.elapsed().as_micros() as u64
    }

    /// Records that every change committed before `started` has been applied.
    fn synced_at(&self, started: u64) {
        self.synced.fetch_max(started.max(1), Ordering::AcqRel);
    }
}

fn dependency(kind: &str, id: &str) -> String {
    format!("{kind}:{id}")
}

impl Inner {
    fn add(&mut self, entry: Arc<Entry>) {
        let id = entry.fragments.id.clone();
        if entry.by_slug {
            self.by_slug
                .insert(entry.fragments.slug.clone(), id.clone());
        }
        for (kind, object) in entry.fragments.embedded() {
            self.dependents
                .entry(dependency(kind, object))
                .or_default()
                .insert(id.clone());
        }
        self.bytes += entry.cost;
        self.clock.push_back(Arc::clone(&entry));
        self.by_id.insert(id, entry);
        if self.clock.len() > 2 * self.by_id.len() + 64 {
            let by_id = &self.by_id;
            self.clock.retain(|e| {
                by_id
                    .get(&e.fragments.id)
                    .is_some_and(|k| Arc::ptr_eq(k, e))
            });
        }
    }

    fn remove(&mut self, id: &str) {
        let Some(entry) = self.by_id.remove(id) else {
            return;
        };
        self.bytes -= entry.cost;
        if entry.by_slug
            && self
                .by_slug
                .get(&entry.fragments.slug)
                .is_some_and(|i| i == id)
        {
            self.by_slug.remove(&entry.fragments.slug);
        }
        for (kind, object) in entry.fragments.embedded() {
            let key = dependency(kind, object);
            if let Some(ids) = self.dependents.get_mut(&key) {
                ids.remove(id);
                if ids.is_empty() {
                    self.dependents.remove(&key);
                }
            }
        }
    }

    /// Evicts the first entry of the clock not asked for since the hand last passed it; false
    /// when there is none.
    fn evict_one(&mut self) -> bool {
        while let Some(entry) = self.clock.pop_front() {
            let id = &entry.fragments.id;
            if !self
                .by_id
                .get(id)
                .is_some_and(|kept| Arc::ptr_eq(kept, &entry))
            {
                continue;
            }
            if entry.used.swap(false, Ordering::Relaxed) {
                self.clock.push_back(entry);
                continue;
            }
            let id = id.clone();
            self.remove(&id);
            return true;
        }
        false
    }
}

/// Applies other processes' writes from the change log, for as long as the runtime runs.
async fn follow(cache: Arc<DatasetCache>, store: Store) {
    let mut cursor = loop {
        match store.last_change().await {
            Ok(seq) => break ChangeCursor::after((seq - LOOKBACK).max(0)),
            Err(error) => {
                tracing::warn!(%error, "dataset cache: cannot read the change log; retrying");
                tokio::time::sleep(BOUND).await;
            }
        }
    };
    loop {
        let started = cache.micros();
        match cursor.read(&store, BATCH).await {
            Ok(read) => {
                if read.abandoned_gaps > 0 {
                    // A transaction that commits after this would go unseen: start afresh.
                    cache.clear();
                }
                if !read.changes.is_empty() {
                    cache.invalidate(
                        read.changes
                            .iter()
                            .map(|c| (c.kind.as_str(), c.object_id.as_str())),
                    );
                }
                if read.more {
                    continue;
                }
                cache.synced_at(started);
            }
            Err(error) => {
                tracing::warn!(%error, "dataset cache: cannot read the change log; answers come from the store meanwhile");
            }
        }
        tokio::time::sleep(POLL).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fragments(id: &str, slug: &str, owner: &str, size: usize) -> DatasetFragments {
        DatasetFragments::for_tests(id, slug, Some(owner), None, size)
    }

    fn started(limit: usize) -> DatasetCache {
        let cache = DatasetCache::new(limit);
        cache.synced_at(cache.micros());
        cache
    }

    fn ids(cache: &DatasetCache) -> Vec<String> {
        let mut ids: Vec<String> = cache.inner.read().by_id.keys().cloned().collect();
        ids.sort();
        ids
    }

    #[test]
    fn never_holds_more_than_its_budget_and_keeps_what_is_asked_for() {
        let per_entry = 1000 + ENTRY_OVERHEAD + "d00".len() + "s00".len() + "u".len();
        let cache = started(10 * per_entry);
        for i in 0..10 {
            let ticket = cache.ticket();
            cache.insert(
                ticket,
                fragments(&format!("d{i:02}"), &format!("s{i:02}"), "u", 1000),
                false,
            );
        }
        assert_eq!(cache.usage(), (10 * per_entry, 10));
        // d00 and d05 are asked for: the next two fills evict d01 and d02, the oldest unused.
        assert!(cache.get("d00").is_some());
        assert!(cache.get("d05").is_some());
        for i in 10..12 {
            let ticket = cache.ticket();
            cache.insert(
                ticket,
                fragments(&format!("d{i:02}"), &format!("s{i:02}"), "u", 1000),
                false,
            );
        }
        let kept = ids(&cache);
        assert_eq!(kept.len(), 10);
        assert!(kept.contains(&"d00".to_owned()) && kept.contains(&"d05".to_owned()));
        assert!(!kept.contains(&"d01".to_owned()) && !kept.contains(&"d02".to_owned()));
        // Many more fills: the budget holds, the clock does not grow without bound.
        for i in 12..1000 {
            let ticket = cache.ticket();
            cache.insert(
                ticket,
                fragments(&format!("d{i:03}"), "s", "u", 1000),
                false,
            );
            assert!(cache.usage().0 <= 10 * per_entry + 3);
        }
        assert!(cache.inner.read().clock.len() <= 2 * 10 + 64 + 1);
        // An answer larger than an eighth of the budget is served but not kept.
        let ticket = cache.ticket();
        cache.insert(ticket, fragments("big", "big", "u", 2 * per_entry), false);
        assert!(cache.get("big").is_none());
    }

    #[test]
    fn invalidation_by_dataset_and_by_embedded_object() {
        let cache = started(1 << 20);
        let ticket = cache.ticket();
        cache.insert(ticket, fragments("a", "slug-a", "u1", 10), true);
        cache.insert(cache.ticket(), fragments("b", "slug-b", "u1", 10), false);
        cache.insert(cache.ticket(), fragments("c", "slug-c", "u2", 10), false);
        assert_eq!(
            cache.get("slug-a").map(|e| e.fragments.id.clone()),
            Some("a".into())
        );
        // Only fills asked by slug answer by slug.
        assert!(cache.get("slug-b").is_none());
        cache.invalidate([("user", "u1")]);
        assert_eq!(ids(&cache), ["c"]);
        assert!(cache.get("slug-a").is_none());
        cache.invalidate([("organization", "u2"), ("user", "nobody")]);
        assert_eq!(ids(&cache), ["c"]);
        cache.invalidate([("dataset", "c")]);
        assert!(ids(&cache).is_empty());
        assert_eq!(cache.usage(), (0, 0));
        assert!(cache.inner.read().dependents.is_empty());
    }

    #[test]
    fn a_new_dataset_whose_id_is_a_kept_slug_takes_precedence() {
        let cache = started(1 << 20);
        cache.insert(cache.ticket(), fragments("a", "5f00", "u", 10), true);
        assert!(cache.get("5f00").is_some());
        cache.invalidate([("dataset", "5f00")]);
        assert!(cache.get("5f00").is_none());
    }

    #[test]
    fn a_fill_that_raced_an_invalidation_is_not_kept() {
        let cache = started(1 << 20);
        let ticket = cache.ticket();
        cache.invalidate([("dataset", "other")]);
        cache.insert(ticket, fragments("a", "a", "u", 10), false);
        assert!(cache.get("a").is_none());
        let ticket = cache.ticket();
        cache.clear();
        cache.insert(ticket, fragments("a", "a", "u", 10), false);
        assert!(cache.get("a").is_none());
    }

    #[test]
    fn nothing_is_served_unless_the_change_log_was_read_recently() {
        let cache = DatasetCache::new(1 << 20);
        cache.insert(cache.ticket(), fragments("a", "a", "u", 10), false);
        assert!(cache.get("a").is_none(), "never synced: not even kept");
        cache.synced_at(cache.micros());
        cache.insert(cache.ticket(), fragments("a", "a", "u", 10), false);
        assert!(cache.get("a").is_some());
        // The last read started longer ago than the bound.
        let mut cache = cache;
        cache.origin = Instant::now() - 5 * BOUND;
        cache.synced.store(1, Ordering::Release);
        assert!(cache.get("a").is_none());
        cache.synced_at(cache.micros());
        assert!(cache.get("a").is_some());
        let off = DatasetCache::new(0);
        off.synced_at(off.micros());
        off.insert(off.ticket(), fragments("a", "a", "u", 10), false);
        assert!(off.get("a").is_none());
    }
}
