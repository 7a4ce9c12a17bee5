//! Keyword columns copied out of tantivy's compressed fast fields into plain arrays, one per
//! segment and field, so that counting facets reads one or two array cells per document
//! instead of decoding a bit-packed, optional or multi-valued column.
//!
//! Segments never change once written, so a segment's tables are built once: when a new
//! searcher generation is warmed (before searches see it), and dropped with the segment.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use parking_lot::RwLock;
use tantivy::columnar::Cardinality;
use tantivy::index::SegmentId;
use tantivy::{DocId, Searcher, SearcherGeneration, SegmentReader, Warmer};

/// The ordinals (in the segment's dictionary of the field) of each document's values.
pub enum OrdTable {
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
        let ords = column.ords();
        let docs = reader.max_doc();
        let table = match ords.get_cardinality() {
            Cardinality::Full | Cardinality::Optional
                if column.num_terms() < Self::NONE16.into() =>
            {
                OrdTable::Single16(
                    (0..docs)
                        .map(|doc| ords.first(doc).map_or(Self::NONE16, |ord| ord as u16))
                        .collect(),
                )
            }
            Cardinality::Full | Cardinality::Optional => OrdTable::Single(
                (0..docs)
                    .map(|doc| ords.first(doc).map_or(Self::NONE, |ord| ord as u32))
                    .collect(),
            ),
            Cardinality::Multivalued => {
                let mut starts = Vec::with_capacity(docs as usize + 1);
                let mut values = Vec::new();
                starts.push(0);
                for doc in 0..docs {
                    values.extend(ords.values_for_doc(doc).map(|ord| ord as u32));
                    starts.push(values.len() as u32);
                }
                OrdTable::Multi {
                    starts,
                    ords: values,
                }
            }
        };
        Ok(Some(table))
    }

    /// Adds one to `counts` at each ordinal of each of `docs`.
    pub fn count_all(&self, docs: &[DocId], counts: &mut [u32]) {
        match self {
            OrdTable::Single16(ords) => {
                for doc in docs {
                    let ord = ords[*doc as usize];
                    if ord != Self::NONE16 {
                        counts[ord as usize] += 1;
                    }
                }
            }
            OrdTable::Single(ords) => {
                for doc in docs {
                    let ord = ords[*doc as usize];
                    if ord != Self::NONE {
                        counts[ord as usize] += 1;
                    }
                }
            }
            OrdTable::Multi { starts, ords } => {
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

/// The tables of keyword fields for every live segment of an index.
pub struct OrdTables {
    /// The fields with tables, built as soon as a segment appears.
    fields: &'static [&'static str],
    segments: RwLock<HashMap<(SegmentId, &'static str), Arc<OrdTable>>>,
}

impl OrdTables {
    pub fn new(fields: &'static [&'static str]) -> Arc<OrdTables> {
        Arc::new(OrdTables {
            fields,
            segments: RwLock::new(HashMap::new()),
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
        let live: HashSet<SegmentId> = live_generations
            .iter()
            .flat_map(|generation| generation.segments().keys().copied())
            .collect();
        self.segments
            .write()
            .retain(|(segment, _), _| live.contains(segment));
    }
}
