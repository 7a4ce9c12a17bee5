//! Facet counting: how many matching documents hold each value of some keyword fields, and
//! how many fall in some date ranges, read from the fast-field columns in one pass.

use std::collections::HashMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// Counts, for each of `fields` (keyword fast fields), the matching documents per value, and
/// for `ranges`, the matching documents whose `i64` fast field `range_field` is at least each
/// lower bound.
pub struct FacetCollector {
    pub fields: Vec<&'static str>,
    pub range_field: &'static str,
    pub ranges: Vec<i64>,
}

/// What a [`FacetCollector`] counted.
#[derive(Debug, Default)]
pub struct FacetCounts {
    /// Matching documents.
    pub total: u64,
    /// Per field of the collector, in its order: value → documents.
    pub terms: Vec<HashMap<String, u64>>,
    /// Per range of the collector, in its order: documents at or after its lower bound.
    pub ranges: Vec<u64>,
}

pub struct SegmentFacets {
    columns: Vec<Option<StrColumn>>,
    counts: Vec<Vec<u32>>,
    range_column: Option<Column<i64>>,
    ranges: Vec<i64>,
    range_counts: Vec<u64>,
    total: u64,
}

impl Collector for FacetCollector {
    type Fruit = FacetCounts;
    type Child = SegmentFacets;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentFacets> {
        let fast = reader.fast_fields();
        let mut columns = Vec::with_capacity(self.fields.len());
        let mut counts = Vec::with_capacity(self.fields.len());
        for field in &self.fields {
            let column = fast.str(field)?;
            counts.push(vec![0; column.as_ref().map_or(0, |c| c.num_terms())]);
            columns.push(column);
        }
        let range_column = if self.ranges.is_empty() {
            None
        } else {
            Some(fast.i64(self.range_field)?)
        };
        Ok(SegmentFacets {
            columns,
            counts,
            range_column,
            ranges: self.ranges.clone(),
            range_counts: vec![0; self.ranges.len()],
            total: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segments: Vec<FacetCounts>) -> tantivy::Result<FacetCounts> {
        let mut merged = FacetCounts {
            total: 0,
            terms: vec![HashMap::new(); self.fields.len()],
            ranges: vec![0; self.ranges.len()],
        };
        for segment in segments {
            merged.total += segment.total;
            for (into, from) in merged.terms.iter_mut().zip(segment.terms) {
                for (value, count) in from {
                    *into.entry(value).or_default() += count;
                }
            }
            for (into, from) in merged.ranges.iter_mut().zip(segment.ranges) {
                *into += from;
            }
        }
        Ok(merged)
    }
}

impl SegmentCollector for SegmentFacets {
    type Fruit = FacetCounts;

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.total += 1;
        for (column, counts) in self.columns.iter().zip(self.counts.iter_mut()) {
            if let Some(column) = column {
                for ord in column.ords().values_for_doc(doc) {
                    counts[ord as usize] += 1;
                }
            }
        }
        if let Some(column) = &self.range_column
            && let Some(value) = column.first(doc)
        {
            for (bound, count) in self.ranges.iter().zip(self.range_counts.iter_mut()) {
                if value >= *bound {
                    *count += 1;
                }
            }
        }
    }

    fn harvest(self) -> FacetCounts {
        let mut terms = Vec::with_capacity(self.columns.len());
        for (column, counts) in self.columns.iter().zip(self.counts) {
            let mut values = HashMap::new();
            if let Some(column) = column {
                let ords: Vec<u64> = (0..counts.len() as u64)
                    .filter(|ord| counts[*ord as usize] > 0)
                    .collect();
                let mut found = ords.iter();
                // One sweep of the dictionary for every value seen (ordinals are sorted).
                let _ = column.dictionary().sorted_ords_to_term_cb(&ords, |bytes| {
                    if let Some(ord) = found.next() {
                        values.insert(
                            String::from_utf8_lossy(bytes).into_owned(),
                            u64::from(counts[*ord as usize]),
                        );
                    }
                });
            }
            terms.push(values);
        }
        FacetCounts {
            total: self.total,
            terms,
            ranges: self.range_counts,
        }
    }
}

/// The `limit` most frequent values, most frequent first (ties by value).
pub fn top_values(counts: &HashMap<String, u64>, limit: usize) -> Vec<(&str, u64)> {
    let mut values: Vec<(&str, u64)> = counts.iter().map(|(v, c)| (v.as_str(), *c)).collect();
    values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    values.truncate(limit);
    values
}
