//! One kind's kept answers, within a budget of bytes; CLOCK (second chance) eviction, by the
//! bytes each answer keeps plus a fixed overhead.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use parking_lot::RwLock;

use super::follow::Followed;
use super::{Answer, BOUND};
use crate::metrics::CacheCounters;

/// Bytes counted per answer beside its fragments and strings: the entry itself, its map slots
/// and the keys of what it depends on.
const ENTRY_OVERHEAD: usize = 640;

/// The kept answers of one kind; [`follow`](super::follow) turns it on.
pub struct AnswerCache<A: Answer> {
    limit: usize,
    inner: RwLock<Inner<A>>,
    /// When the last complete read of the change log started, in microseconds after `origin`
    /// (0: never).
    synced: AtomicU64,
    origin: Instant,
    lookups: CacheCounters,
}

/// A kept answer.
#[derive(Debug)]
pub struct Entry<A> {
    pub fragments: A,
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

struct Inner<A> {
    by_id: HashMap<String, Arc<Entry<A>>>,
    /// Slug → id, for answers filled by slug.
    by_slug: HashMap<String, String>,
    /// `kind:id` of an embedded object → ids of the answers showing it.
    dependents: HashMap<String, HashSet<String>>,
    /// The clock: entries in insertion order; removed or replaced ones are skipped.
    clock: VecDeque<Arc<Entry<A>>>,
    bytes: usize,
    epoch: u64,
}

impl<A> Default for Inner<A> {
    fn default() -> Self {
        Inner {
            by_id: HashMap::new(),
            by_slug: HashMap::new(),
            dependents: HashMap::new(),
            clock: VecDeque::new(),
            bytes: 0,
            epoch: 0,
        }
    }
}

impl<A: Answer> AnswerCache<A> {
    /// A cache of at most `limit` bytes; 0 turns it off.
    pub fn new(limit: usize) -> Self {
        AnswerCache {
            limit,
            inner: RwLock::default(),
            synced: AtomicU64::new(0),
            origin: Instant::now(),
            lookups: CacheCounters::new(A::METRICS_NAME),
        }
    }

    /// The answer about the object whose id (or, if filled by slug, current slug) is `key`,
    /// if kept and fresh.
    pub fn get(&self, key: &str) -> Option<Arc<Entry<A>>> {
        let found = self.lookup(key);
        if self.limit > 0 {
            self.lookups.record(found.is_some());
        }
        found
    }

    fn lookup(&self, key: &str) -> Option<Arc<Entry<A>>> {
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

    /// The answers about `ids`, in order: those kept that `usable` accepts, and the others
    /// built by `read` (given the ids missing, it reads them from the store and returns their
    /// answers, in any order) and kept; ids `read` does not answer are left out.
    pub async fn answers<E, Read>(
        &self,
        ids: &[String],
        usable: impl Fn(&A) -> bool,
        read: impl FnOnce(Vec<String>) -> Read,
    ) -> Result<Vec<Arc<Entry<A>>>, E>
    where
        Read: std::future::Future<Output = Result<Vec<A>, E>>,
    {
        let mut found: Vec<Option<Arc<Entry<A>>>> = ids
            .iter()
            .map(|id| self.get(id).filter(|entry| usable(&entry.fragments)))
            .collect();
        let missing: Vec<String> = ids
            .iter()
            .zip(&found)
            .filter(|(_, entry)| entry.is_none())
            .map(|(id, _)| id.clone())
            .collect();
        if !missing.is_empty() {
            let ticket = self.ticket();
            let mut read: HashMap<String, Arc<Entry<A>>> = read(missing)
                .await?
                .into_iter()
                .map(|fragments| {
                    let id = fragments.id().to_owned();
                    (id, self.insert(ticket, fragments, false))
                })
                .collect();
            for (slot, id) in found.iter_mut().zip(ids) {
                if slot.is_none() {
                    *slot = read.remove(id);
                }
            }
        }
        Ok(found.into_iter().flatten().collect())
    }

    /// To take before reading what a fill keeps.
    pub fn ticket(&self) -> Ticket {
        Ticket(self.inner.read().epoch)
    }

    /// Keeps `fragments`, read from the store after `ticket` was taken, unless something was
    /// invalidated since, the cache is off or the answer is larger than an eighth of it.
    /// `by_slug`: the fill was asked by the object's current slug, which no object of the
    /// kind has as id.
    pub fn insert(&self, ticket: Ticket, fragments: A, by_slug: bool) -> Arc<Entry<A>> {
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
        let id = entry.fragments.id().to_owned();
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
            if kind == A::KIND {
                inner.remove(id);
                // An object created with an id another one has as slug takes the precedence.
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
            synced => Some(Duration::from_micros(
                self.micros(Instant::now()).saturating_sub(synced),
            )),
        }
    }

    fn fresh(&self) -> bool {
        let synced = self.synced.load(Ordering::Acquire);
        synced != 0 && self.micros(Instant::now()) < synced.saturating_add(BOUND.as_micros() as u64)
    }

    fn micros(&self, at: Instant) -> u64 {
        at.saturating_duration_since(self.origin).as_micros() as u64
    }
}

impl<A: Answer> Followed for AnswerCache<A> {
    fn is_on(&self) -> bool {
        self.limit > 0
    }

    fn invalidate(&self, changed: &[(&str, &str)]) {
        AnswerCache::invalidate(self, changed.iter().copied());
    }

    fn clear(&self) {
        AnswerCache::clear(self);
    }

    fn synced_at(&self, started: Instant) {
        let started = self.micros(started);
        self.synced.fetch_max(started.max(1), Ordering::AcqRel);
    }
}

fn dependency(kind: &str, id: &str) -> String {
    format!("{kind}:{id}")
}

impl<A: Answer> Inner<A> {
    fn add(&mut self, entry: Arc<Entry<A>>) {
        let id = entry.fragments.id().to_owned();
        if entry.by_slug {
            self.by_slug
                .insert(entry.fragments.slug().to_owned(), id.clone());
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
                    .get(e.fragments.id())
                    .is_some_and(|k| Arc::ptr_eq(k, e))
            });
        }
    }

    fn remove(&mut self, id: &str) {
        let Some(entry) = self.by_id.remove(id) else {
            return;
        };
        self.bytes -= entry.cost;
        let slug = entry.fragments.slug();
        if entry.by_slug && self.by_slug.get(slug).is_some_and(|i| i == id) {
            self.by_slug.remove(slug);
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
            let id = entry.fragments.id();
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
            let id = id.to_owned();
            self.remove(&id);
            return true;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An answer of `size` bytes about a dataset of `owner`.
    #[derive(Debug)]
    struct Kept {
        id: String,
        slug: String,
        owner: String,
        size: usize,
    }

    impl Answer for Kept {
        const KIND: &'static str = "dataset";
        const METRICS_NAME: &'static str = "test_answers";
        const DEFAULT_SIZE: usize = 1 << 20;
        fn id(&self) -> &str {
            &self.id
        }
        fn slug(&self) -> &str {
            &self.slug
        }
        fn embedded(&self) -> impl Iterator<Item = (&'static str, &str)> {
            std::iter::once(("user", self.owner.as_str()))
        }
        fn size(&self) -> usize {
            self.size + self.id.len() + self.slug.len() + self.owner.len()
        }
    }

    fn fragments(id: &str, slug: &str, owner: &str, size: usize) -> Kept {
        Kept {
            id: id.into(),
            slug: slug.into(),
            owner: owner.into(),
            size,
        }
    }

    fn started(limit: usize) -> AnswerCache<Kept> {
        let cache = AnswerCache::new(limit);
        cache.synced_at(Instant::now());
        cache
    }

    fn ids(cache: &AnswerCache<Kept>) -> Vec<String> {
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
        let cache = AnswerCache::new(1 << 20);
        cache.insert(cache.ticket(), fragments("a", "a", "u", 10), false);
        assert!(cache.get("a").is_none(), "never synced: not even kept");
        cache.synced_at(Instant::now());
        cache.insert(cache.ticket(), fragments("a", "a", "u", 10), false);
        assert!(cache.get("a").is_some());
        // The last read started longer ago than the bound.
        let mut cache = cache;
        cache.origin = Instant::now() - 5 * BOUND;
        cache.synced.store(1, Ordering::Release);
        assert!(cache.get("a").is_none());
        cache.synced_at(Instant::now());
        assert!(cache.get("a").is_some());
        let off = AnswerCache::<Kept>::new(0);
        off.synced_at(Instant::now());
        off.insert(off.ticket(), fragments("a", "a", "u", 10), false);
        assert!(off.get("a").is_none());
    }
}
