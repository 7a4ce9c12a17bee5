//! Facet counting: how many matching documents hold each value of some keyword fields, and
//! how many fall in some date ranges: a document at a time in one pass over the matches, or,
//! for many matches, value by value (and range by range) with `AND`s of sets.
//!
//! Segments count by ordinal (a value's rank in the segment's dictionary); values are named
//! only when the segments' counts are merged, and then only those that can reach the top.

use std::cmp::Reverse;
use std::collections::HashMap;
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocId, Score, Searcher, SegmentOrdinal, SegmentReader};

use super::bits::Bits;

use super::tables::{DaySets, NO_NUMBER, OrdTables, SegmentTables, day};

/// Counts, for each of `fields` (keyword fast fields), the matching documents per value (the
/// `limit` most frequent values), and for `ranges`, the matching documents whose `i64` fast
/// field `range_field` is at least each lower bound.
pub struct FacetCollector {
    /// Where the values of `fields` are read from.
    pub tables: Arc<OrdTables>,
    pub fields: Vec<&'static str>,
    /// Values kept per field, most frequent first.
    pub limit: usize,
    pub range_field: &'static str,
    pub ranges: Vec<i64>,
}

impl FacetCollector {
    /// Counts the values of `fields`, keeping the `limit` most frequent of each.
    pub fn new(tables: &Arc<OrdTables>, fields: Vec<&'static str>, limit: usize) -> Self {
        FacetCollector {
            tables: Arc::clone(tables),
            fields,
            limit,
            range_field: "",
            ranges: Vec::new(),
        }
    }

    /// Also counts the matches whose `i64` fast field `field` is at least each of `bounds`.
    pub fn with_ranges(self, field: &'static str, bounds: Vec<i64>) -> Self {
        FacetCollector {
            range_field: field,
            ranges: bounds,
            ..self
        }
    }
}

/// What a [`FacetCollector`] counted.
#[derive(Debug, Default)]
pub struct FacetCounts {
    /// Matching documents.
    pub total: u64,
    /// Per field of the collector, in its order: the most frequent values and how many
    /// documents hold each, most frequent first (ties by value).
    pub terms: Vec<Vec<(String, u64)>>,
    /// Per range of the collector, in its order: documents at or after its lower bound.
    pub ranges: Vec<u64>,
}

/// A field's column (for its dictionary), where its table is among the segment's, and a count
/// per ordinal.
type FieldCounts = (StrColumn, Option<usize>, Vec<u32>);

/// A segment's counts.
pub struct SegmentCounts {
    total: u64,
    tables: Arc<SegmentTables>,
    /// Per field of the collector.
    terms: Vec<Option<FieldCounts>>,
    ranges: Vec<u64>,
}

pub struct SegmentFacets {
    /// Matches not counted yet: they are counted a block at a time.
    pending: Vec<DocId>,
    tables: Arc<SegmentTables>,
    /// Per field: its column, and where its table is among the segment's tables.
    columns: Vec<Option<(StrColumn, Option<usize>)>>,
    counts: Vec<Vec<u32>>,
    /// Counts the matches in the ranges, when there are ranges.
    ranges: Option<DateRanges>,
    range_counts: Vec<u64>,
    total: u64,
}

impl FacetCollector {
    /// Counts the documents of `sets`, one per segment of `searcher` in order.
    pub fn count(&self, searcher: &Searcher, sets: &[&Bits]) -> tantivy::Result<FacetCounts> {
        let mut segments = Vec::with_capacity(sets.len());
        for (ord, (reader, set)) in searcher.segment_readers().iter().zip(sets).enumerate() {
            let mut counting = self.for_segment(ord as SegmentOrdinal, reader)?;
            counting.count_set(set);
            segments.push(counting.harvest());
        }
        self.merge_fruits(segments)
    }
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
        let tables = self.tables.segment(reader)?;
        let mut columns = Vec::with_capacity(self.fields.len());
        let mut counts = Vec::with_capacity(self.fields.len());
        for field in &self.fields {
            let column = match self.tables.position(field) {
                Some(position) => tables.tables[position]
                    .as_ref()
                    .map(|table| (table.column.clone(), Some(position))),
                None => fast.str(field)?.map(|column| (column, None)),
            };
            counts.push(vec![0; column.as_ref().map_or(0, |(c, _)| c.num_terms())]);
            columns.push(column);
        }
        let ranges = if self.ranges.is_empty() {
            None
        } else {
            let bounds: Vec<DayBound> = self.ranges.iter().map(|b| DayBound::new(*b)).collect();
            // A clamped bound compares every document exactly: no sets for it.
            let sets = bounds
                .iter()
                .map(|b| {
                    (b.first == b.last)
                        .then(|| self.tables.day_sets(reader, self.range_field, b.first))
                })
                .map(Option::transpose)
                .collect::<tantivy::Result<Option<Vec<_>>>>()?;
            Some(DateRanges {
                days: self.tables.days(reader, self.range_field)?,
                exact: self.tables.numbers(reader, self.range_field, NO_NUMBER)?,
                bounds,
                sets,
            })
        };
        Ok(SegmentFacets {
            pending: Vec::with_capacity(BLOCK),
            tables,
            columns,
            counts,
            ranges,
            range_counts: vec![0; self.ranges.len()],
            total: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segments: Vec<SegmentCounts>) -> tantivy::Result<FacetCounts> {
        let mut merged = FacetCounts {
            total: segments.iter().map(|s| s.total).sum(),
            terms: Vec::with_capacity(self.fields.len()),
            ranges: vec![0; self.ranges.len()],
        };
        for segment in &segments {
            for (into, from) in merged.ranges.iter_mut().zip(&segment.ranges) {
                *into += from;
            }
        }
        for (i, field) in self.fields.iter().enumerate() {
            let top = match self.tables.position(field) {
                Some(position) => self.top_numbered(&segments, i, position),
                None => {
                    let counted: Vec<(&StrColumn, &Vec<u32>)> = segments
                        .iter()
                        .filter_map(|segment| segment.terms[i].as_ref())
                        .map(|(column, _, counts)| (column, counts))
                        .collect();
                    top_terms(&counted, self.limit)?
                }
            };
            merged.terms.push(top);
        }
        Ok(merged)
    }
}

impl FacetCollector {
    /// The `limit` values of field `i` (its table at `position`) most counted over all
    /// segments, most first (ties by value): the segments' counts added up by value number.
    fn top_numbered(
        &self,
        segments: &[SegmentCounts],
        i: usize,
        position: usize,
    ) -> Vec<(String, u64)> {
        if self.limit == 0 {
            return Vec::new();
        }
        let counted: Vec<(&[u32], &[u32])> = segments
            .iter()
            .filter_map(|segment| {
                let (_, _, counts) = segment.terms[i].as_ref()?;
                let table = segment.tables.tables[position].as_ref()?;
                Some((&counts[..], &table.numbers[..]))
            })
            .collect();
        // Value numbers and their counts: a single segment's as they are, several segments'
        // added up by number.
        let mut best: Vec<(u32, u64)> = match counted[..] {
            [(counts, numbers)] => counts
                .iter()
                .zip(numbers)
                .filter(|(count, _)| **count > 0)
                .map(|(count, number)| (*number, u64::from(*count)))
                .collect(),
            _ => {
                let mut totals = vec![0u64; self.tables.values(position).len()];
                for (counts, numbers) in &counted {
                    for (count, number) in counts.iter().zip(*numbers) {
                        totals[*number as usize] += u64::from(*count);
                    }
                }
                (0..totals.len() as u32)
                    .map(|n| (n, totals[n as usize]))
                    .filter(|(_, count)| *count > 0)
                    .collect()
            }
        };
        if best.len() > self.limit {
            best.select_nth_unstable_by_key(self.limit - 1, |(_, count)| Reverse(*count));
            let last = best[self.limit - 1].1;
            best.retain(|(_, count)| *count >= last);
        }
        // Ties at the last place can be many (every value counted once): they are ordered by
        // value before any is named.
        let values = self.tables.values(position);
        best.sort_unstable_by(|(a, x), (b, y)| {
            y.cmp(x)
                .then_with(|| values.bytes(*a).cmp(values.bytes(*b)))
        });
        best.truncate(self.limit);
        best.into_iter()
            .map(|(n, count)| (values.value(n), count))
            .collect()
    }
}

impl SegmentCollector for SegmentFacets {
    type Fruit = SegmentCounts;

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.pending.push(doc);
        if self.pending.len() == BLOCK {
            self.count_pending();
        }
    }

    fn harvest(mut self) -> SegmentCounts {
        self.count_pending();
        SegmentCounts {
            total: self.total,
            tables: self.tables,
            terms: self
                .columns
                .into_iter()
                .zip(self.counts)
                .map(|(column, counts)| column.map(|(column, position)| (column, position, counts)))
                .collect(),
            ranges: self.range_counts,
        }
    }
}

/// Matches counted at a time.
const BLOCK: usize = super::bits::BLOCK;

impl SegmentFacets {
    fn count_pending(&mut self) {
        let docs = std::mem::take(&mut self.pending);
        let every_field: Vec<usize> = (0..self.columns.len()).collect();
        self.total += docs.len() as u64;
        self.count_docs(&docs, &every_field, true);
        self.pending = docs;
        self.pending.clear();
    }

    /// Counts the documents of `set`: a field whose table counts it value by value at once, the
    /// others and the ranges together, a block of documents at a time.
    fn count_set(&mut self, set: &Bits) {
        let len = set.len();
        self.total += len;
        let mut by_block = Vec::new();
        for (i, column) in self.columns.iter().enumerate() {
            let Some((_, position)) = column else {
                continue;
            };
            let table = position.and_then(|p| self.tables.tables[p].as_ref());
            if !table.is_some_and(|t| t.count_by_value(set, len, &mut self.counts[i])) {
                by_block.push(i);
            }
        }
        let ranges_left = match &self.ranges {
            Some(ranges) => !ranges.count_set(set, len, &mut self.range_counts),
            None => false,
        };
        if !by_block.is_empty() || ranges_left {
            set.for_each_block(|docs| self.count_docs(docs, &by_block, ranges_left));
        }
    }

    /// Counts `docs` in the `fields` (indexes in `columns`), and in the ranges if `ranges`.
    fn count_docs(&mut self, docs: &[DocId], fields: &[usize], ranges: bool) {
        let mut gathered = false;
        let mut rows = [0u128; BLOCK];
        for &i in fields {
            let counts = &mut self.counts[i];
            match &self.columns[i] {
                Some((_, Some(position))) => {
                    let Some(table) = &self.tables.tables[*position] else {
                        continue;
                    };
                    let packed = self.tables.rows.as_ref();
                    match packed.and_then(|all| Some((all, all.place(*position)?))) {
                        Some((all, place)) => {
                            if !gathered {
                                all.gather(docs, &mut rows);
                                gathered = true;
                            }
                            place.count(&rows[..docs.len()], docs, table, counts);
                        }
                        None => table.count_all(docs, counts),
                    }
                }
                Some((column, None)) => {
                    for doc in docs {
                        for ord in column.ords().values_for_doc(*doc) {
                            counts[ord as usize] += 1;
                        }
                    }
                }
                None => {}
            }
        }
        if let Some(ranges) = self.ranges.as_ref().filter(|_| ranges) {
            ranges.count(docs, &mut self.range_counts);
        }
    }
}

/// Counts documents at or after lower bounds of an instant field, by day: the exact instant is
/// read only for documents of a bound's own day.
struct DateRanges {
    /// Per document, the [`day`] of the field.
    days: Arc<Vec<u16>>,
    /// Per document, the field ([`NO_NUMBER`] when it has none).
    exact: Arc<Vec<i64>>,
    bounds: Vec<DayBound>,
    /// Per bound, the documents after its day and on it; `None` when a bound is clamped.
    sets: Option<Vec<Arc<DaySets>>>,
}

/// A lower bound, and the days whose documents need their exact instant to compare with it:
/// later days are after it, earlier ones before.
struct DayBound {
    bound: i64,
    first: u16,
    last: u16,
}

impl DayBound {
    fn new(bound: i64) -> Self {
        let at = day(bound);
        // A clamped day holds instants of other days: every document is compared exactly.
        let (first, last) = if at == 0 || at == u16::MAX {
            (0, u16::MAX)
        } else {
            (at, at)
        };
        DayBound { bound, first, last }
    }
}

impl DateRanges {
    /// Adds the documents of `set` (`len` of them) to `counts`, per bound, from the day sets,
    /// when that is cheaper than looking each document up; `false`, having counted nothing,
    /// otherwise.
    fn count_set(&self, set: &Bits, len: u64, counts: &mut [u64]) -> bool {
        let Some(sets) = &self.sets else {
            return false;
        };
        // Two passes over the words per bound (see `OrdTable::count_by_value`).
        if len * 16 <= (2 * sets.len() * set.words()) as u64 {
            return false;
        }
        for ((bound, day), count) in self.bounds.iter().zip(sets).zip(counts.iter_mut()) {
            *count += set.and_len(&day.after);
            set.for_each_common(&day.on, |doc| {
                *count += u64::from(self.exact[doc as usize] >= bound.bound);
            });
        }
        true
    }

    /// Adds `docs` to `counts`, per bound.
    fn count(&self, docs: &[DocId], counts: &mut [u64]) {
        for doc in docs {
            let day = self.days[*doc as usize];
            for (bound, count) in self.bounds.iter().zip(counts.iter_mut()) {
                let after = day > bound.last
                    || (day >= bound.first && self.exact[*doc as usize] >= bound.bound);
                *count += u64::from(after);
            }
        }
    }
}

/// The `limit` values most counted over all segments, most first (ties by value).
///
/// Only the largest segment can hold many values: the others are named in full, and of the
/// largest only its own top `limit` and the values the others hold. A value outside both sets
/// has its largest-segment count alone, which at most ties the top `limit` (and ties go by
/// value, which is also the order of ordinals), so the result is exact.
fn top_terms(
    segments: &[(&StrColumn, &Vec<u32>)],
    limit: usize,
) -> tantivy::Result<Vec<(String, u64)>> {
    let Some(largest) = (0..segments.len()).max_by_key(|i| segments[*i].1.len()) else {
        return Ok(Vec::new());
    };
    let mut totals: HashMap<String, u64> = HashMap::new();
    for (i, (column, counts)) in segments.iter().copied().enumerate() {
        if i != largest {
            name_counts(column, counts, nonzero(counts), &mut totals)?;
        }
    }
    let (column, counts) = segments[largest];
    let mut best: Vec<u64> = nonzero(counts);
    if best.len() > limit {
        best.select_nth_unstable_by_key(limit, |ord| (u32::MAX - counts[*ord as usize], *ord));
        best.truncate(limit);
    }
    let mut others = Vec::new();
    for value in totals.keys() {
        if let Some(ord) = column.dictionary().term_ord(value.as_bytes())? {
            others.push(ord);
        }
    }
    best.extend(others);
    best.sort_unstable();
    best.dedup();
    name_counts(column, counts, best, &mut totals)?;
    let mut values: Vec<(String, u64)> = totals.into_iter().collect();
    values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    values.truncate(limit);
    Ok(values)
}

fn nonzero(counts: &[u32]) -> Vec<u64> {
    (0..counts.len() as u64)
        .filter(|ord| counts[*ord as usize] > 0)
        .collect()
}

/// Adds the counts of `ords` (sorted) to `totals` by value: one sweep of the dictionary.
fn name_counts(
    column: &StrColumn,
    counts: &[u32],
    ords: Vec<u64>,
    totals: &mut HashMap<String, u64>,
) -> tantivy::Result<()> {
    let mut found = ords.iter();
    column.dictionary().sorted_ords_to_term_cb(&ords, |bytes| {
        if let Some(ord) = found.next() {
            *totals
                .entry(String::from_utf8_lossy(bytes).into_owned())
                .or_default() += u64::from(counts[*ord as usize]);
        }
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use tantivy::query::AllQuery;
    use tantivy::schema::{FAST, STRING, Schema};
    use tantivy::{Index, TantivyDocument};

    use super::*;

    /// Indexes one segment per list of tags (each tag a document).
    fn index_of(segments: &[&[&str]]) -> Index {
        let mut schema = Schema::builder();
        let tag = schema.add_text_field("tag", STRING | FAST);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        writer.set_merge_policy(Box::new(tantivy::merge_policy::NoMergePolicy));
        for segment in segments {
            for value in *segment {
                let mut doc = TantivyDocument::default();
                doc.add_text(tag, value);
                writer.add_document(doc).unwrap();
            }
            writer.commit().unwrap();
        }
        index
    }

    /// The top `limit` tags, counted with a table (values merged by number) or without (by
    /// the segments' dictionaries).
    fn top(index: &Index, limit: usize, table: bool) -> Vec<(String, u64)> {
        let searcher = index.reader().unwrap().searcher();
        let tables = OrdTables::new(if table { &["tag"] } else { &[] });
        let counts = searcher
            .search(&AllQuery, &FacetCollector::new(&tables, vec!["tag"], limit))
            .unwrap();
        counts.terms.into_iter().next().unwrap()
    }

    fn owned(values: &[(&str, u64)]) -> Vec<(String, u64)> {
        values.iter().map(|(v, c)| ((*v).to_owned(), *c)).collect()
    }

    #[test]
    fn date_ranges_count_as_the_exact_instants() {
        const DAY: i64 = 86_400_000_000;
        let now = 20_000 * DAY + 12_345_678;
        // Instants around each bound, on its day and the days beside, none, before 1970 and
        // past the days a `u16` holds.
        let bounds = [
            now - 30 * DAY,
            now - 365 * DAY,
            now,
            i64::MIN + 1,
            -5,
            70_000 * DAY,
        ];
        let mut exact = vec![i64::MIN, -DAY, 0, DAY - 1, 66_000 * DAY, i64::MAX];
        for bound in bounds.iter().filter(|b| b.abs() < 30_000 * DAY) {
            for delta in [-DAY - 1, -DAY, -1, 0, 1, DAY - 1, DAY, 2 * DAY] {
                exact.push(bound + delta);
            }
        }
        let ranges = DateRanges {
            days: Arc::new(exact.iter().map(|v| day(*v)).collect()),
            bounds: bounds.iter().map(|b| DayBound::new(*b)).collect(),
            exact: Arc::new(exact.clone()),
            sets: None,
        };
        let docs: Vec<DocId> = (0..exact.len() as DocId).collect();
        let expected = |bounds: &[i64]| -> Vec<u64> {
            bounds
                .iter()
                .map(|b| exact.iter().filter(|v| *v >= b).count() as u64)
                .collect()
        };
        let mut counts = vec![0; bounds.len()];
        ranges.count(&docs, &mut counts);
        assert_eq!(counts, expected(&bounds));
        // A large set, counted from the day sets of bounds that are not clamped.
        let mut all = Bits::empty(exact.len() as DocId);
        for doc in &docs {
            all.insert(*doc);
        }
        assert!(
            !ranges.count_set(&all, all.len(), &mut counts),
            "clamped bounds"
        );
        let unclamped = &bounds[..3];
        let days = &ranges.days;
        let sets = unclamped
            .iter()
            .map(|b| {
                let empty = Bits::empty(exact.len() as DocId);
                let (mut after, mut on) = (empty.clone(), empty);
                for (doc, d) in days.iter().enumerate() {
                    if *d > day(*b) {
                        after.insert(doc as DocId);
                    } else if *d == day(*b) {
                        on.insert(doc as DocId);
                    }
                }
                Arc::new(DaySets { after, on })
            })
            .collect();
        let ranges = DateRanges {
            bounds: unclamped.iter().map(|b| DayBound::new(*b)).collect(),
            sets: Some(sets),
            ..ranges
        };
        let mut counts = vec![0; unclamped.len()];
        assert!(ranges.count_set(&all, all.len(), &mut counts));
        assert_eq!(counts, expected(unclamped));
        let mut one_by_one = vec![0; unclamped.len()];
        ranges.count(&docs, &mut one_by_one);
        assert_eq!(one_by_one, counts);
    }

    #[test]
    fn the_top_values_are_exact_across_segments() {
        let large: &[&str] = &[
            "a", "a", "a", "a", "a", "b", "b", "b", "b", "d", "d", "d", "d", "c", "c", "c",
        ];
        let small: &[&str] = &["c", "c", "c", "e"];
        let index = index_of(&[large, small]);
        assert_eq!(index.searchable_segment_ids().unwrap().len(), 2);
        for table in [true, false] {
            // c is fourth in the large segment and first overall; b and d tie, b first.
            assert_eq!(top(&index, 2, table), owned(&[("c", 6), ("a", 5)]));
            assert_eq!(
                top(&index, 3, table),
                owned(&[("c", 6), ("a", 5), ("b", 4)])
            );
            assert_eq!(
                top(&index, 4, table),
                owned(&[("c", 6), ("a", 5), ("b", 4), ("d", 4)])
            );
            assert_eq!(top(&index, 10, table).len(), 5);
        }
    }
}
