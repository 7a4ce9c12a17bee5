//! Keyword columns copied out of tantivy's compressed fast fields into plain arrays, one per
//! segment and field, so that counting facets reads one or two array cells per document
//! instead of decoding a bit-packed, optional or multi-valued column.
//!
//! Segments never change once written, so a segment's tables are built once: when a new
//! searcher generation is warmed (before searches see it), and dropped with the segment.

use std::any::Any;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use parking_lot::RwLock;
use tantivy::columnar::{Cardinality, Column, DynamicColumn, HasAssociatedColumnType, StrColumn};
use tantivy::index::SegmentId;
use tantivy::{DocId, Searcher, SearcherGeneration, SegmentReader, Warmer};

use super::bits::Bits;

/// A field's values in one segment: each document's ordinals (ranks in the segment's
/// dictionary of the field) and, for a field of few values, the documents of each value.
pub struct OrdTable {
    ords: Ords,
    /// Per ordinal, its documents, for a field of at most [`BY_VALUE_MAX`] values: counting a
    /// large set is then a few `AND`s and population counts per value instead of a lookup per
    /// document.
    by_value: Option<Vec<Bits>>,
}

/// Values of a field up to which each value's documents are kept as a set.
const BY_VALUE_MAX: usize = 64;

/// The ordinals of each document.
enum Ords {
    /// At most one value per document, of fewer than 65,535: its ordinal, or
    /// [`OrdTable::NONE16`] (half the memory to read than `Single`).
    Single16(Vec<u16>),
    /// At most one value per document: its ordinal, or [`OrdTable::NONE`].
    Single(Vec<u32>),
    /// The ordinals of document `d` are `ords[starts[d]..starts[d + 1]]`.
    Multi { starts: Vec<u32>, ords: Vec<u32> },
}

impl OrdTable {
    const NONE: u32 = u32::MAX;
    const NONE16: u16 = u16::MAX;

    fn build(reader: &SegmentReader, field: &str) -> tantivy::Result<Option<OrdTable>> {
        let Some(column) = reader.fast_fields().str(field)? else {
            return Ok(None);
        };
        let ords = Ords::build(&column, reader.max_doc());
        let values = column.num_terms();
        let by_value = (values <= BY_VALUE_MAX).then(|| {
            let mut sets = vec![Bits::empty(reader.max_doc()); values];
            for doc in 0..reader.max_doc() {
                for ord in column.ords().values_for_doc(doc) {
                    sets[ord as usize].insert(doc);
                }
            }
            sets
        });
        Ok(Some(OrdTable { ords, by_value }))
    }

    /// Adds to `counts`, per ordinal, the documents of `set` (`len` of them) holding it.
    pub fn count_set(&self, set: &Bits, len: u64, counts: &mut [u32]) {
        match &self.by_value {
            // A set's `AND` with a value's documents costs about as much as looking up 4
            // documents per 64 of the segment.
            Some(sets) if len * 16 > (sets.len() * set.words()) as u64 => {
                for (count, documents) in counts.iter_mut().zip(sets) {
                    *count += set.and_len(documents) as u32;
                }
            }
            _ => set.for_each_block(|docs| self.count_all(docs, counts)),
        }
    }

    /// Adds one to `counts` at each ordinal of each of `docs`.
    pub fn count_all(&self, docs: &[DocId], counts: &mut [u32]) {
        self.ords.count_all(docs, counts)
    }
}

impl Ords {
    fn build(column: &StrColumn, docs: DocId) -> Ords {
        let ords = column.ords();
        match ords.get_cardinality() {
            Cardinality::Full | Cardinality::Optional
                if column.num_terms() < OrdTable::NONE16.into() =>
            {
                Ords::Single16(
                    (0..docs)
                        .map(|doc| ords.first(doc).map_or(OrdTable::NONE16, |ord| ord as u16))
                        .collect(),
                )
            }
            Cardinality::Full | Cardinality::Optional => Ords::Single(
                (0..docs)
                    .map(|doc| ords.first(doc).map_or(OrdTable::NONE, |ord| ord as u32))
                    .collect(),
            ),
            Cardinality::Multivalued => {
                let mut starts = Vec::with_capacity(docs as usize + 1);
                let mut values = Vec::new();
                starts.push(0);
                for doc in 0..docs {
                    // A value held twice (two resources of one schema) counts once.
                    let start = values.len();
                    values.extend(ords.values_for_doc(doc).map(|ord| ord as u32));
                    values[start..].sort_unstable();
                    let mut kept = start;
                    for i in start..values.len() {
                        if i == start || values[i] != values[kept - 1] {
                            values[kept] = values[i];
                            kept += 1;
                        }
                    }
                    values.truncate(kept);
                    starts.push(values.len() as u32);
                }
                Ords::Multi {
                    starts,
                    ords: values,
                }
            }
        }
    }

    fn count_all(&self, docs: &[DocId], counts: &mut [u32]) {
        match self {
            Ords::Single16(ords) => {
                for doc in docs {
                    let ord = ords[*doc as usize];
                    if ord != OrdTable::NONE16 {
                        counts[ord as usize] += 1;
                    }
                }
            }
            Ords::Single(ords) => {
                for doc in docs {
                    let ord = ords[*doc as usize];
                    if ord != OrdTable::NONE {
                        counts[ord as usize] += 1;
                    }
                }
            }
            Ords::Multi { starts, ords } => {
                for doc in docs {
                    let (start, end) = (starts[*doc as usize], starts[*doc as usize + 1]);
                    for ord in &ords[start as usize..end as usize] {
                        counts[*ord as usize] += 1;
                    }
                }
            }
        }
    }
}

/// The tables of keyword fields for every live segment of an index, and of the numeric fields
/// searches read per match (a date counted in ranges, the popularity a score is multiplied by).
pub struct OrdTables {
    /// The fields with tables, built as soon as a segment appears.
    fields: &'static [&'static str],
    segments: RwLock<HashMap<(SegmentId, &'static str), Arc<OrdTable>>>,
    /// Per segment and numeric field, a `Vec` of its type: built when first read.
    numbers: RwLock<HashMap<(SegmentId, &'static str), AnyNumbers>>,
}

/// A `Arc<Vec<T>>` of some numeric `T`.
type AnyNumbers = Arc<dyn Any + Send + Sync>;

impl OrdTables {
    pub fn new(fields: &'static [&'static str]) -> Arc<OrdTables> {
        Arc::new(OrdTables {
            fields,
            segments: RwLock::new(HashMap::new()),
            numbers: RwLock::new(HashMap::new()),
        })
    }

    /// The table of `field` in this segment (built now if warming has not built it); `None`
    /// when the segment has no value of it or `field` is not one of the tables' fields.
    pub fn get(
        &self,
        reader: &SegmentReader,
        field: &'static str,
    ) -> tantivy::Result<Option<Arc<OrdTable>>> {
        if !self.fields.contains(&field) {
            return Ok(None);
        }
        let key = (reader.segment_id(), field);
        if let Some(table) = self.segments.read().get(&key) {
            return Ok(Some(Arc::clone(table)));
        }
        let Some(table) = OrdTable::build(reader, field)? else {
            return Ok(None);
        };
        let table = Arc::new(table);
        self.segments.write().insert(key, Arc::clone(&table));
        Ok(Some(table))
    }
}

impl OrdTables {
    /// Per document of the segment, the first value of the numeric fast field `field`, or
    /// `missing`.
    pub fn numbers<T>(
        &self,
        reader: &SegmentReader,
        field: &'static str,
        missing: T,
    ) -> tantivy::Result<Arc<Vec<T>>>
    where
        T: HasAssociatedColumnType + PartialOrd + Copy + Send + Sync + 'static,
        DynamicColumn: Into<Option<Column<T>>>,
    {
        let key = (reader.segment_id(), field);
        if let Some(values) = self.numbers.read().get(&key).cloned()
            && let Ok(values) = values.downcast::<Vec<T>>()
        {
            return Ok(values);
        }
        let values: Vec<T> = match reader.fast_fields().column_opt::<T>(field)? {
            Some(column) => (0..reader.max_doc())
                .map(|doc| column.first(doc).unwrap_or(missing))
                .collect(),
            None => vec![missing; reader.max_doc() as usize],
        };
        let values = Arc::new(values);
        self.numbers.write().insert(key, values.clone());
        Ok(values)
    }
}

/// The segments of the searcher generations still in use: what a warmer keeps things for.
pub fn live_segments(live_generations: &[&SearcherGeneration]) -> HashSet<SegmentId> {
    live_generations
        .iter()
        .flat_map(|generation| generation.segments().keys().copied())
        .collect()
}

impl Warmer for OrdTables {
    fn warm(&self, searcher: &Searcher) -> tantivy::Result<()> {
        for reader in searcher.segment_readers() {
            for field in self.fields {
                self.get(reader, field)?;
            }
        }
        Ok(())
    }

    fn garbage_collect(&self, live_generations: &[&SearcherGeneration]) {
        let live = live_segments(live_generations);
        self.segments
            .write()
            .retain(|(segment, _), _| live.contains(segment));
        self.numbers
            .write()
            .retain(|(segment, _), _| live.contains(segment));
    }
}
