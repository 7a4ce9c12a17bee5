//! What each clause of recent searches matched in each large segment, as [`Bits`]. Searches
//! share their clauses far more than whole queries: a filter (`format=csv`, a tag, a license),
//! visibility, and the frequent words of the catalogue come back in search after search, and
//! are the costly ones to match (their posting lists are long). As Lucene's query cache, an
//! entry holds for its segment's whole life: segments never change (deletions are applied
//! apart, from the segment's current alive set). The same cache, generic over what it keeps,
//! holds the ranked best matches of recent searches' words ([`RankedCache`]).

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;
use tantivy::index::SegmentId;
use tantivy::{Searcher, SearcherGeneration, SegmentReader, Warmer};

use super::bits::Bits;
use super::ranked::Ranked;
use super::tables::live_segments;

/// Segments smaller than this are matched again at each search: it costs little.
const MIN_DOCS: u32 = 16_384;

/// What a [`SegmentCache`] keeps: something made from one segment, of a known size.
pub trait Kept: Send + Sync + 'static {
    /// Memory held, in bytes.
    fn bytes(&self) -> usize;
}

impl Kept for Bits {
    fn bytes(&self) -> usize {
        Bits::bytes(self)
    }
}

/// Values made from a segment, by name, bounded by the memory they hold; the least recently
/// used go first.
pub struct SegmentCache<V> {
    budget: usize,
    inner: Mutex<Entries<V>>,
}

/// Match sets of clauses.
pub type ClauseCache = SegmentCache<Bits>;

/// The best matches of recent searches' words, ranked.
pub type RankedCache = SegmentCache<Ranked>;

struct Entries<V> {
    sets: HashMap<(SegmentId, String), Entry<V>>,
    bytes: usize,
    clock: u64,
}

struct Entry<V> {
    value: Arc<V>,
    used: u64,
}

impl<V: Kept> SegmentCache<V> {
    /// A cache holding at most `budget` bytes.
    pub fn new(budget: usize) -> Arc<SegmentCache<V>> {
        Arc::new(SegmentCache {
            budget,
            inner: Mutex::new(Entries {
                sets: HashMap::new(),
                bytes: 0,
                clock: 0,
            }),
        })
    }

    /// Whether the values of the segment of `reader` are kept (it is large enough to be worth
    /// it).
    pub fn keeps(&self, reader: &SegmentReader) -> bool {
        reader.max_doc() >= MIN_DOCS && self.budget > 0
    }

    /// The value `key` of the segment of `reader`: kept, else made by `make` (and kept when the
    /// segment is large enough to be worth it).
    pub fn get_or_make(
        &self,
        reader: &SegmentReader,
        key: &str,
        make: impl FnOnce() -> tantivy::Result<V>,
    ) -> tantivy::Result<Arc<V>> {
        if !self.keeps(reader) {
            return make().map(Arc::new);
        }
        let id = (reader.segment_id(), key.to_owned());
        {
            let mut entries = self.inner.lock();
            entries.clock += 1;
            let clock = entries.clock;
            if let Some(entry) = entries.sets.get_mut(&id) {
                entry.used = clock;
                return Ok(Arc::clone(&entry.value));
            }
        }
        let value = Arc::new(make()?);
        let mut entries = self.inner.lock();
        let used = entries.clock;
        entries.bytes += value.bytes();
        if let Some(replaced) = entries.sets.insert(
            id,
            Entry {
                value: Arc::clone(&value),
                used,
            },
        ) {
            entries.bytes -= replaced.value.bytes();
        }
        if entries.bytes > self.budget {
            entries.evict(self.budget / 4 * 3);
        }
        Ok(value)
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        self.inner.lock().bytes
    }
}

impl ClauseCache {
    /// The documents of the segment of `reader` that are not deleted.
    pub fn alive(&self, reader: &SegmentReader) -> tantivy::Result<Arc<Bits>> {
        let key = format!("alive/{}", reader.num_deleted_docs());
        self.get_or_make(reader, &key, || Ok(Bits::alive(reader)))
    }

    /// The documents of the segment of `reader` matching every one of the clauses `keys`
    /// (each made by `make` from its index in `keys`), as one set: the clauses every facet
    /// applies (visibility, not deleted…) are combined once, not at each search.
    pub fn all_of(
        &self,
        reader: &SegmentReader,
        keys: &[String],
        make: impl Fn(usize) -> tantivy::Result<Arc<Bits>>,
    ) -> tantivy::Result<Arc<Bits>> {
        if keys.len() == 1 {
            return make(0);
        }
        self.get_or_make(reader, &keys.join("&"), || {
            let sets = (0..keys.len())
                .map(&make)
                .collect::<tantivy::Result<Vec<_>>>()?;
            let others: Vec<&Bits> = sets[1..].iter().map(|s| &**s).collect();
            Ok(Bits::all_of(&sets[0], &others))
        })
    }
}

impl<V: Kept> Entries<V> {
    /// Drops the least recently used sets until at most `target` bytes are held.
    fn evict(&mut self, target: usize) {
        let mut by_use: Vec<(u64, (SegmentId, String))> = self
            .sets
            .iter()
            .map(|(id, entry)| (entry.used, id.clone()))
            .collect();
        by_use.sort_unstable_by_key(|(used, _)| *used);
        for (_, id) in by_use {
            if self.bytes <= target {
                break;
            }
            if let Some(entry) = self.sets.remove(&id) {
                self.bytes -= entry.value.bytes();
            }
        }
    }
}

impl<V: Kept> Warmer for SegmentCache<V> {
    fn warm(&self, _searcher: &Searcher) -> tantivy::Result<()> {
        Ok(())
    }

    fn garbage_collect(&self, live_generations: &[&SearcherGeneration]) {
        let live = live_segments(live_generations);
        let mut entries = self.inner.lock();
        entries
            .sets
            .retain(|(segment, _), _| live.contains(segment));
        entries.bytes = entries.sets.values().map(|e| e.value.bytes()).sum();
    }
}
