//! Recent results of an index's searches, reused while the index has not changed: the most
//! asked searches (a portal's search page with no query, a popular filter) cost a whole pass
//! over the catalogue for their facets, and are asked again and again between two writes.
//! As Elasticsearch's request cache, an entry lives until the index changes, and at most a
//! minute (facets of dates are relative to now). A search asked again while it runs is waited
//! for, not run twice.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use super::index::IndexResult;
use super::{Facet, SearchPage};
use crate::metrics::CacheCounters;

/// Entries kept; past it, stale entries go, then the least recently asked quarter: a search
/// asked again and again (a common word) stays while the long tail passes through.
const CAPACITY: usize = 1024;
const TTL: Duration = Duration::from_secs(60);

pub struct ResultCache {
    entries: Mutex<Entries<Arc<Entry>>>,
    lookups: CacheCounters,
}

impl Default for ResultCache {
    fn default() -> Self {
        ResultCache {
            entries: Mutex::default(),
            lookups: CacheCounters::new("search_results"),
        }
    }
}

/// Entries by key, each with when it was last asked for (a count of the asks).
struct Entries<V> {
    kept: HashMap<String, (V, u64)>,
    asks: u64,
}

impl<V> Default for Entries<V> {
    fn default() -> Self {
        Entries {
            kept: HashMap::new(),
            asks: 0,
        }
    }
}

struct Entry {
    /// The index generation (`KindIndex::generation`) when the search ran.
    seq: i64,
    at: Instant,
    /// Set by the first caller; those asking meanwhile wait for it rather than search too.
    page: OnceLock<IndexResult<Arc<SearchPage>>>,
}

impl ResultCache {
    /// The result of the search `key` at index generation `seq` (read before searching, so that the
    /// result is at least that recent): from the cache, else from `search`, run once however
    /// many ask at the same time.
    pub fn get_or_search(
        &self,
        key: String,
        seq: i64,
        search: impl FnOnce() -> IndexResult<SearchPage>,
    ) -> IndexResult<Arc<SearchPage>> {
        let entry = {
            let mut entries = self.entries.lock();
            entries.asks += 1;
            let asked = entries.asks;
            match entries.kept.get_mut(&key) {
                Some((entry, used)) if entry.seq == seq && entry.at.elapsed() < TTL => {
                    *used = asked;
                    self.lookups.record(true);
                    Arc::clone(entry)
                }
                _ => {
                    self.lookups.record(false);
                    if entries.kept.len() >= CAPACITY {
                        entries.make_room(|entry| entry.seq == seq && entry.at.elapsed() < TTL);
                    }
                    let entry = Arc::new(Entry {
                        seq,
                        at: Instant::now(),
                        page: OnceLock::new(),
                    });
                    entries
                        .kept
                        .insert(key.clone(), (Arc::clone(&entry), asked));
                    entry
                }
            }
        };
        let page = entry.page.get_or_init(|| search().map(Arc::new)).clone();
        if page.is_err() {
            let mut entries = self.entries.lock();
            if entries
                .kept
                .get(&key)
                .is_some_and(|(e, _)| Arc::ptr_eq(e, &entry))
            {
                entries.kept.remove(&key);
            }
        }
        page
    }
}

impl<V> Entries<V> {
    /// Drops the entries that are no longer `fresh`, then, if still full, the least recently
    /// asked quarter.
    fn make_room(&mut self, fresh: impl Fn(&V) -> bool) {
        self.kept.retain(|_, (entry, _)| fresh(entry));
        if self.kept.len() < CAPACITY {
            return;
        }
        let mut asked: Vec<u64> = self.kept.values().map(|(_, used)| *used).collect();
        let quarter = CAPACITY / 4;
        asked.select_nth_unstable(quarter);
        let oldest_kept = asked[quarter];
        self.kept.retain(|_, (_, used)| *used >= oldest_kept);
    }
}

/// Facet counts of recent large match sets, by the set's clauses, valid while the index has
/// not changed and at most [`TTL`]: searches that differ by their page, their sort, their
/// words' order or a filter whose own facet counts the set without it ask the same counts
/// again (a common word's half a million matches, its facets several milliseconds).
pub struct FacetSetCache {
    /// The smallest set kept: below, counting costs less than a millisecond.
    pub min_total: u64,
    entries: Mutex<Entries<FacetSet>>,
    lookups: CacheCounters,
}

impl Default for FacetSetCache {
    fn default() -> Self {
        FacetSetCache {
            min_total: 16_384,
            entries: Mutex::default(),
            lookups: CacheCounters::new("search_facet_counts"),
        }
    }
}

/// The counts kept of a match set.
struct FacetSet {
    seq: i64,
    at: Instant,
    /// Per facet name, its counts.
    facets: HashMap<&'static str, Facet>,
}

impl FacetSetCache {
    /// The counts of facet `name` over the set `key` at index generation `seq`, if kept.
    pub fn get(&self, key: &str, seq: i64, name: &str) -> Option<Facet> {
        let found = self.lookup(key, seq, name);
        self.lookups.record(found.is_some());
        found
    }

    fn lookup(&self, key: &str, seq: i64, name: &str) -> Option<Facet> {
        let mut entries = self.entries.lock();
        entries.asks += 1;
        let asked = entries.asks;
        let (set, used) = entries.kept.get_mut(key)?;
        if set.seq != seq || set.at.elapsed() >= TTL {
            return None;
        }
        *used = asked;
        set.facets.get(name).cloned()
    }

    /// How many sets have counts kept.
    #[cfg(test)]
    pub fn sets(&self) -> usize {
        self.entries.lock().kept.len()
    }

    /// Forgets every count.
    pub fn clear(&self) {
        self.entries.lock().kept.clear();
    }

    /// Keeps the counts `facet` over the set `key` at index generation `seq`, if the set is
    /// large enough.
    pub fn put(&self, key: &str, seq: i64, facet: &Facet) {
        if facet.total < self.min_total {
            return;
        }
        let mut entries = self.entries.lock();
        entries.asks += 1;
        let asked = entries.asks;
        let fresh = |set: &FacetSet| set.seq == seq && set.at.elapsed() < TTL;
        if let Some((set, used)) = entries.kept.get_mut(key)
            && fresh(set)
        {
            set.facets.insert(facet.name, facet.clone());
            *used = asked;
            return;
        }
        if entries.kept.len() >= CAPACITY {
            entries.make_room(fresh);
        }
        let set = FacetSet {
            seq,
            at: Instant::now(),
            facets: HashMap::from([(facet.name, facet.clone())]),
        };
        entries.kept.insert(key.to_owned(), (set, asked));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(total: u64) -> IndexResult<SearchPage> {
        Ok(SearchPage {
            total,
            ..SearchPage::default()
        })
    }

    #[test]
    fn a_result_is_reused_until_the_index_moves() {
        let cache = ResultCache::default();
        assert_eq!(
            cache
                .get_or_search("q".into(), 1, || page(1))
                .unwrap()
                .total,
            1
        );
        let again = cache.get_or_search("q".into(), 1, || panic!("searched again"));
        assert_eq!(again.unwrap().total, 1);
        assert_eq!(
            cache
                .get_or_search("q".into(), 2, || page(2))
                .unwrap()
                .total,
            2
        );
        assert_eq!(
            cache
                .get_or_search("r".into(), 2, || page(3))
                .unwrap()
                .total,
            3
        );
    }

    #[test]
    fn the_searches_asked_most_recently_stay_when_it_is_full() {
        let cache = ResultCache::default();
        cache.get_or_search("hot".into(), 1, || page(1)).unwrap();
        for i in 0..3 * CAPACITY {
            cache
                .get_or_search(format!("tail {i}"), 1, || page(2))
                .unwrap();
            // Asked again every so often: never among the least recently asked.
            if i % (CAPACITY / 8) == 0 {
                cache
                    .get_or_search("hot".into(), 1, || panic!("searched again"))
                    .unwrap();
            }
            assert!(cache.entries.lock().kept.len() <= CAPACITY);
        }
        // The tail passed through: its first searches are gone, its last ones kept.
        let entries = cache.entries.lock();
        assert!(!entries.kept.contains_key("tail 0"));
        assert!(
            entries
                .kept
                .contains_key(&format!("tail {}", 3 * CAPACITY - 1))
        );
    }

    #[test]
    fn facet_counts_are_kept_per_set_and_facet_until_the_index_moves() {
        let cache = FacetSetCache::default();
        let facet = |name: &'static str, total: u64| Facet {
            name,
            total,
            values: vec![("csv".into(), total)],
        };
        cache.put("eau", 1, &facet("format", 20_000));
        cache.put("eau", 1, &facet("license", 20_000));
        assert_eq!(cache.get("eau", 1, "format").map(|f| f.total), Some(20_000));
        assert_eq!(
            cache.get("eau", 1, "license").map(|f| f.values),
            Some(vec![("csv".into(), 20_000)])
        );
        assert!(cache.get("eau", 1, "tag").is_none(), "not counted");
        assert!(cache.get("eau", 2, "format").is_none(), "the index moved");
        assert!(cache.get("air", 1, "format").is_none());
        // A count at the new position replaces the stale set.
        cache.put("eau", 2, &facet("tag", 30_000));
        assert!(cache.get("eau", 2, "format").is_none());
        assert_eq!(cache.get("eau", 2, "tag").map(|f| f.total), Some(30_000));
        for i in 0..2 * CAPACITY {
            cache.put(&format!("set {i}"), 2, &facet("format", 20_000));
            assert!(cache.entries.lock().kept.len() <= CAPACITY);
        }
        cache.clear();
        assert!(
            cache
                .get(&format!("set {}", 2 * CAPACITY - 1), 2, "format")
                .is_none()
        );
    }

    #[test]
    fn searches_asked_together_run_once_and_errors_are_not_kept() {
        let cache = ResultCache::default();
        let runs = std::sync::atomic::AtomicU32::new(0);
        std::thread::scope(|scope| {
            for _ in 0..8 {
                scope.spawn(|| {
                    let found = cache.get_or_search("q".into(), 1, || {
                        runs.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(50));
                        page(7)
                    });
                    assert_eq!(found.unwrap().total, 7);
                });
            }
        });
        assert_eq!(runs.into_inner(), 1);
        let failed = cache.get_or_search("e".into(), 1, || {
            Err(crate::search::IndexError {
                kind: "dataset",
                message: "broken".into(),
            })
        });
        assert!(failed.is_err());
        assert_eq!(
            cache
                .get_or_search("e".into(), 1, || page(1))
                .unwrap()
                .total,
            1
        );
    }
}
