//! Keyword columns copied out of tantivy's compressed fast fields into plain arrays, one per
//! segment and field, so that counting facets reads one or two array cells per document
//! instead of decoding a bit-packed, optional or multi-valued column.
//!
//! Segments never change once written, so a segment's tables are built once: when a new
//! searcher generation is warmed (before searches see it), and dropped with the segment.

use std::any::{Any, TypeId};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use parking_lot::{Mutex, RwLock};
use tantivy::columnar::{Cardinality, Column, DynamicColumn, HasAssociatedColumnType, StrColumn};
use tantivy::index::SegmentId;
use tantivy::{DocId, Score, Searcher, SearcherGeneration, SegmentReader, Warmer};

use super::bits::Bits;

/// A field's values in one segment: each document's ordinals (ranks in the segment's
/// dictionary of the field) and, for a field of few values or of frequent values, the
/// documents of each such value.
pub struct OrdTable {
    /// The field's column: its dictionary names the ordinals.
    pub column: StrColumn,
    /// Per ordinal, the value's number among every value of the field (see [`Values`]).
    pub numbers: Vec<u32>,
    ords: Ords,
    by_value: Option<ByValue>,
}

/// Values whose documents a table keeps as sets, at most: every value of a field of this many
/// or fewer, else the most frequent.
const BY_VALUE_MAX: usize = 64;
/// A value of a field of many is frequent when at least one document in this many holds it.
const FREQUENT: u64 = 128;

/// Counting a large set by value: a few `AND`s and population counts per value instead of a
/// lookup per document, and a lookup per document only for the values without a set.
struct ByValue {
    /// Ordinal and documents of each value kept as a set.
    sets: Vec<(u32, Bits)>,
    /// When some values have no set: the documents holding one, and those values only.
    rest: Option<(Bits, Ords)>,
}

/// The ordinals of each document.
enum Ords {
    /// At most one value per document, of fewer than 65,535: its ordinal, or
    /// [`OrdTable::NONE16`] (half the memory to read than `Single`).
    Single16(Vec<u16>),
    /// At most one value per document: its ordinal, or [`OrdTable::NONE`].
    Single(Vec<u32>),
    /// Any number of values per document, of at most 16: bit `o` is set when it holds
    /// ordinal `o` (one place to read per document, where `Multi` reads two).
    Mask16(Vec<u16>),
    /// The same, of at most 64 values.
    Mask64(Vec<u64>),
    /// The ordinals of document `d` are `ords[starts[d]..starts[d + 1]]`, of fewer than
    /// 65,536 values (half the memory to read than `Multi`).
    Multi16 { starts: Vec<u32>, ords: Vec<u16> },
    /// The ordinals of document `d` are `ords[starts[d]..starts[d + 1]]`.
    Multi { starts: Vec<u32>, ords: Vec<u32> },
}

/// The ordinals of document `doc` in a `Multi` layout.
fn ords_of<'a, O: Copy>(starts: &[u32], ords: &'a [O], doc: DocId) -> &'a [O] {
    let (start, end) = (starts[doc as usize], starts[doc as usize + 1]);
    &ords[start as usize..end as usize]
}

/// Calls `f` with the position of each bit set in `mask`, lowest first.
fn each_bit(mut mask: u64, mut f: impl FnMut(u32)) {
    while mask != 0 {
        f(mask.trailing_zeros());
        mask &= mask - 1;
    }
}

impl OrdTable {
    const NONE: u32 = u32::MAX;
    const NONE16: u16 = u16::MAX;

    fn build(
        reader: &SegmentReader,
        field: &str,
        values: &Mutex<Values>,
    ) -> tantivy::Result<Option<OrdTable>> {
        let Some(column) = reader.fast_fields().str(field)? else {
            return Ok(None);
        };
        let docs = reader.max_doc();
        let ords = Ords::build(&column, docs, |_| true);
        let by_value = ByValue::build(&column, &ords, docs);
        let mut numbers = Vec::with_capacity(column.num_terms());
        let mut terms = column.dictionary().stream()?;
        let mut values = values.lock();
        while terms.advance() {
            numbers.push(values.number(terms.key()));
        }
        Ok(Some(OrdTable {
            column,
            numbers,
            ords,
            by_value,
        }))
    }

    /// Adds to `counts`, per ordinal, the documents of `set` (`len` of them) holding it.
    #[cfg(test)]
    pub fn count_set(&self, set: &Bits, len: u64, counts: &mut [u32]) {
        if !self.count_by_value(set, len, counts) {
            set.for_each_block(|docs| self.count_all(docs, counts));
        }
    }

    /// Adds to `counts`, per ordinal, the documents of `set` (`len` of them) holding it, value
    /// by value, when that is cheaper than document by document (a large set, a table with sets
    /// of values); `false`, having counted nothing, otherwise.
    pub fn count_by_value(&self, set: &Bits, len: u64, counts: &mut [u32]) -> bool {
        match &self.by_value {
            // A set's `AND` with a value's documents costs about as much as looking up 4
            // documents per 64 of the segment.
            Some(by_value) if len * 16 > (by_value.sets.len() * set.words()) as u64 => {
                for (ord, documents) in &by_value.sets {
                    counts[*ord as usize] += set.and_len(documents) as u32;
                }
                if let Some((holders, ords)) = &by_value.rest {
                    Bits::and_of(set, holders).for_each_block(|docs| ords.count_all(docs, counts));
                }
                true
            }
            _ => false,
        }
    }

    /// Adds one to `counts` at each ordinal of each of `docs`.
    pub fn count_all(&self, docs: &[DocId], counts: &mut [u32]) {
        self.ords.count_all(docs, counts)
    }
}

impl ByValue {
    /// The sets of a field's values: of all of them if they are few, else of its frequent
    /// ones; `None` when no value qualifies.
    fn build(column: &StrColumn, ords: &Ords, docs: DocId) -> Option<ByValue> {
        let values = column.num_terms();
        let mut held = vec![0u32; values];
        for doc in 0..docs {
            ords.each(doc, |ord| held[ord as usize] += 1);
        }
        let mut chosen: Vec<u32> = (0..values as u32)
            .filter(|ord| {
                values <= BY_VALUE_MAX
                    || u64::from(held[*ord as usize]) * FREQUENT >= u64::from(docs)
            })
            .collect();
        if chosen.len() > BY_VALUE_MAX {
            chosen.sort_unstable_by_key(|ord| (u32::MAX - held[*ord as usize], *ord));
            chosen.truncate(BY_VALUE_MAX);
            chosen.sort_unstable();
        }
        if chosen.is_empty() {
            return None;
        }
        let mut slot: Vec<Option<usize>> = vec![None; values];
        for (i, ord) in chosen.iter().enumerate() {
            slot[*ord as usize] = Some(i);
        }
        let mut sets: Vec<(u32, Bits)> =
            chosen.iter().map(|ord| (*ord, Bits::empty(docs))).collect();
        for doc in 0..docs {
            ords.each(doc, |ord| {
                if let Some(i) = slot[ord as usize] {
                    sets[i].1.insert(doc);
                }
            });
        }
        let rest = (chosen.len() < values).then(|| {
            let rest = Ords::build(column, docs, |ord| slot[ord as usize].is_none());
            let mut holders = Bits::empty(docs);
            for doc in 0..docs {
                rest.each(doc, |_| holders.insert(doc));
            }
            (holders, rest)
        });
        Some(ByValue { sets, rest })
    }
}

impl Ords {
    /// The ordinals of `column` that `keep` keeps, per document.
    fn build(column: &StrColumn, docs: DocId, keep: impl Fn(u32) -> bool) -> Ords {
        let ords = column.ords();
        let kept = |doc| {
            ords.first(doc)
                .map(|ord| ord as u32)
                .filter(|ord| keep(*ord))
        };
        match ords.get_cardinality() {
            Cardinality::Full | Cardinality::Optional
                if column.num_terms() < OrdTable::NONE16.into() =>
            {
                Ords::Single16(
                    (0..docs)
                        .map(|doc| kept(doc).map_or(OrdTable::NONE16, |ord| ord as u16))
                        .collect(),
                )
            }
            Cardinality::Full | Cardinality::Optional => Ords::Single(
                (0..docs)
                    .map(|doc| kept(doc).unwrap_or(OrdTable::NONE))
                    .collect(),
            ),
            Cardinality::Multivalued if column.num_terms() <= 64 => {
                let mask = |doc| {
                    ords.values_for_doc(doc)
                        .map(|ord| ord as u32)
                        .filter(|ord| keep(*ord))
                        .fold(0u64, |mask, ord| mask | 1 << ord)
                };
                if column.num_terms() <= 16 {
                    Ords::Mask16((0..docs).map(|doc| mask(doc) as u16).collect())
                } else {
                    Ords::Mask64((0..docs).map(mask).collect())
                }
            }
            Cardinality::Multivalued => {
                let mut starts = Vec::with_capacity(docs as usize + 1);
                let mut values = Vec::new();
                starts.push(0);
                for doc in 0..docs {
                    // A value held twice (two resources of one schema) counts once.
                    let start = values.len();
                    values.extend(
                        ords.values_for_doc(doc)
                            .map(|ord| ord as u32)
                            .filter(|ord| keep(*ord)),
                    );
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
                if column.num_terms() <= usize::from(u16::MAX) {
                    Ords::Multi16 {
                        starts,
                        ords: values.into_iter().map(|ord| ord as u16).collect(),
                    }
                } else {
                    Ords::Multi {
                        starts,
                        ords: values,
                    }
                }
            }
        }
    }

    /// Calls `f` with each ordinal of `doc`.
    fn each(&self, doc: DocId, mut f: impl FnMut(u32)) {
        match self {
            Ords::Single16(ords) => {
                let ord = ords[doc as usize];
                if ord != OrdTable::NONE16 {
                    f(ord.into());
                }
            }
            Ords::Single(ords) => {
                let ord = ords[doc as usize];
                if ord != OrdTable::NONE {
                    f(ord);
                }
            }
            Ords::Mask16(masks) => each_bit(masks[doc as usize].into(), f),
            Ords::Mask64(masks) => each_bit(masks[doc as usize], f),
            Ords::Multi16 { starts, ords } => {
                for ord in ords_of(starts, ords, doc) {
                    f((*ord).into());
                }
            }
            Ords::Multi { starts, ords } => {
                for ord in ords_of(starts, ords, doc) {
                    f(*ord);
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
            Ords::Mask16(masks) => {
                for doc in docs {
                    each_bit(masks[*doc as usize].into(), |ord| counts[ord as usize] += 1);
                }
            }
            Ords::Mask64(masks) => {
                for doc in docs {
                    each_bit(masks[*doc as usize], |ord| counts[ord as usize] += 1);
                }
            }
            Ords::Multi16 { starts, ords } => {
                for doc in docs {
                    for ord in ords_of(starts, ords, *doc) {
                        counts[*ord as usize] += 1;
                    }
                }
            }
            Ords::Multi { starts, ords } => {
                for doc in docs {
                    for ord in ords_of(starts, ords, *doc) {
                        counts[*ord as usize] += 1;
                    }
                }
            }
        }
    }
}

/// The tables of one segment: per field of the [`OrdTables`], in their order, its table (none
/// when the segment holds no value of it).
pub struct SegmentTables {
    pub tables: Vec<Option<OrdTable>>,
    /// The fields of few values, side by side.
    pub rows: Option<Rows>,
}

impl SegmentTables {
    fn build(
        reader: &SegmentReader,
        fields: &[&str],
        values: &[Mutex<Values>],
    ) -> tantivy::Result<SegmentTables> {
        let tables = fields
            .iter()
            .zip(values)
            .map(|(field, values)| OrdTable::build(reader, field, values))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let rows = Rows::build(&tables, reader.max_doc());
        Ok(SegmentTables { tables, rows })
    }
}

/// The ordinals of several fields side by side, one `u128` per document: counting a
/// document's fields then reads one place in memory instead of one or two per field, and the
/// rows of a million documents (16 MB) stay in the processor's cache where the fields' own
/// arrays together would not.
pub struct Rows {
    rows: Vec<u128>,
    /// Per table, where its ordinals are in a row, when they are.
    places: Vec<Option<Place>>,
}

/// Where a field's ordinals are in a [`Rows`] row, from bit `shift`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Place {
    /// `width` bits: the ordinal plus one (0 for none).
    One { shift: u32, width: u32 },
    /// `width` bits: bit `o` set for ordinal `o`.
    Set { shift: u32, width: u32 },
    /// A bit set when the document holds more values than the slots (they are read from the
    /// table), then `slots` slots of `width` bits, each an ordinal plus one, used in order
    /// (0 for none).
    Slots { shift: u32, width: u32, slots: u32 },
}

/// A field of several values per document takes slots in rows only when at most one document
/// in this many holds more values than its slots.
const OVERFLOW: usize = 8;

impl Rows {
    /// The rows of the tables, while they fit: first those with at most one value per
    /// document or few values, then those of several values per document in slots; `None`
    /// when fewer than two fit.
    fn build(tables: &[Option<OrdTable>], docs: DocId) -> Option<Rows> {
        let mut free = u128::BITS;
        let mut places: Vec<Option<Place>> = vec![None; tables.len()];
        for (table, place) in tables.iter().zip(&mut places) {
            let Some(table) = table else { continue };
            let values = table.column.num_terms() as u32;
            let shift = u128::BITS - free;
            let (width, fixed) = match &table.ords {
                Ords::Single16(_) | Ords::Single(_) => {
                    let width = bits_for(values);
                    (width, Place::One { shift, width })
                }
                Ords::Mask16(_) | Ords::Mask64(_) => (
                    values,
                    Place::Set {
                        shift,
                        width: values,
                    },
                ),
                Ords::Multi16 { .. } | Ords::Multi { .. } => continue,
            };
            if width <= free {
                *place = Some(fixed);
                free -= width;
            }
        }
        for (table, place) in tables.iter().zip(&mut places) {
            let Some(table) = table else { continue };
            if !matches!(table.ords, Ords::Multi16 { .. } | Ords::Multi { .. }) {
                continue;
            }
            let width = bits_for(table.column.num_terms() as u32);
            let mut per_doc = vec![0usize; 2];
            for doc in 0..docs {
                let mut held = 0;
                table.ords.each(doc, |_| held += 1);
                if held >= per_doc.len() {
                    per_doc.resize(held + 1, 0);
                }
                per_doc[held] += 1;
            }
            // The fewest slots that leave at most one document in OVERFLOW with more values.
            let mut slots = 0;
            let mut over = docs as usize - per_doc[0];
            while over * OVERFLOW > docs as usize {
                slots += 1;
                over -= per_doc[slots as usize];
            }
            let slots = slots.max(1);
            // The slots and the overflow bit.
            if slots * width < free {
                *place = Some(Place::Slots {
                    shift: u128::BITS - free,
                    width,
                    slots,
                });
                free -= 1 + slots * width;
            }
        }
        if places.iter().flatten().count() < 2 {
            return None;
        }
        let mut rows = vec![0u128; docs as usize];
        for (table, place) in tables.iter().zip(&places) {
            let (Some(table), Some(place)) = (table, place) else {
                continue;
            };
            for (doc, row) in rows.iter_mut().enumerate() {
                let mut held = 0;
                table.ords.each(doc as DocId, |ord| {
                    match *place {
                        Place::One { shift, .. } => *row |= u128::from(ord + 1) << shift,
                        Place::Set { shift, .. } => *row |= 1 << (shift + ord),
                        Place::Slots {
                            shift,
                            width,
                            slots,
                        } if held < slots => {
                            *row |= u128::from(ord + 1) << (shift + 1 + held * width)
                        }
                        Place::Slots {
                            shift,
                            width,
                            slots,
                        } => {
                            // More values than slots: the slots are emptied and the overflow
                            // bit set.
                            *row &= !(((1u128 << (slots * width)) - 1) << (shift + 1));
                            *row |= 1 << shift;
                        }
                    }
                    held += 1;
                });
            }
        }
        Some(Rows { rows, places })
    }

    /// Where the table at `position` is in the rows, if it is.
    pub fn place(&self, position: usize) -> Option<Place> {
        self.places.get(position).copied().flatten()
    }

    /// The rows of `docs`, into `into`.
    pub fn gather(&self, docs: &[DocId], into: &mut [u128]) {
        for (row, doc) in into.iter_mut().zip(docs) {
            *row = self.rows[*doc as usize];
        }
    }
}

/// The bits that hold any of `0..=values`.
fn bits_for(values: u32) -> u32 {
    u32::BITS - values.leading_zeros()
}

impl Place {
    /// Adds one to `counts` at each ordinal of `table` that each of `docs` holds, read from
    /// their `rows` (from the table itself for a document whose values overflow the slots).
    pub fn count(&self, rows: &[u128], docs: &[DocId], table: &OrdTable, counts: &mut [u32]) {
        // A set of 64 values is 64 bits wide: all of the `u64`.
        let field = |row: u128, shift: u32, width: u32| {
            ((row >> shift) as u64) & 1u64.checked_shl(width).map_or(u64::MAX, |bit| bit - 1)
        };
        match *self {
            Place::One { shift, width } => {
                for row in rows {
                    let value = field(*row, shift, width) as usize;
                    if value != 0 {
                        counts[value - 1] += 1;
                    }
                }
            }
            Place::Set { shift, width } => {
                for row in rows {
                    each_bit(field(*row, shift, width), |ord| counts[ord as usize] += 1);
                }
            }
            Place::Slots {
                shift,
                width,
                slots,
            } => {
                for (row, doc) in rows.iter().zip(docs) {
                    if (row >> shift) & 1 == 1 {
                        table.ords.each(*doc, |ord| counts[ord as usize] += 1);
                        continue;
                    }
                    for slot in 0..slots {
                        let value = field(*row, shift + 1 + slot * width, width) as usize;
                        if value == 0 {
                            break;
                        }
                        counts[value - 1] += 1;
                    }
                }
            }
        }
    }
}

/// Every value a field has held in any segment, numbered in the order first seen: a value has
/// the same number in every segment, so the counts of segments add up by number and only the
/// values that reach the top are named. Values no longer held keep their number (a few bytes
/// each) for the life of the process.
#[derive(Default)]
pub struct Values {
    numbers: HashMap<Box<[u8]>, u32>,
    values: Vec<Box<[u8]>>,
}

impl Values {
    fn number(&mut self, value: &[u8]) -> u32 {
        if let Some(number) = self.numbers.get(value) {
            return *number;
        }
        let number = self.values.len() as u32;
        self.values.push(value.into());
        self.numbers.insert(value.into(), number);
        number
    }

    /// How many values are numbered.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The value numbered `number`, as its dictionary holds it.
    pub fn bytes(&self, number: u32) -> &[u8] {
        &self.values[number as usize]
    }

    /// The value numbered `number`.
    pub fn value(&self, number: u32) -> String {
        String::from_utf8_lossy(&self.values[number as usize]).into_owned()
    }
}

/// The tables of keyword fields for every live segment of an index, and of the numeric fields
/// searches read per match (a date counted in ranges, the popularity a score is multiplied by).
pub struct OrdTables {
    /// The fields with tables, built as soon as a segment appears.
    fields: &'static [&'static str],
    /// Per field, in the order of `fields`.
    values: Vec<Mutex<Values>>,
    segments: RwLock<HashMap<SegmentId, Arc<SegmentTables>>>,
    /// Per segment, field and type: what searches made of the field once (its values as a
    /// `Vec`, its column opened), kept for the next searches.
    kept: RwLock<HashMap<(SegmentId, &'static str, TypeId), Kept>>,
    /// Per segment, instant field and day: its [`DaySets`].
    day_sets: RwLock<HashMap<DayKey, (Arc<DaySets>, AtomicU64)>>,
    /// Uses of day sets, counted: when each was last used.
    day_set_uses: AtomicU64,
}

/// The documents of a segment whose instant field falls after a day, and on it: a range from
/// that day on counts a large set of matches with two `AND`s instead of a lookup per match.
pub struct DaySets {
    pub after: Bits,
    pub on: Bits,
}

/// A segment, an instant field of it and a day.
type DayKey = (SegmentId, &'static str, u16);

/// Day sets kept per segment and field, at most, the least recently used going first: the
/// ranges relative to now ask three new days a day.
const DAY_SETS_KEPT: usize = 8;

/// An `Arc<T>` of some `T`.
type Kept = Arc<dyn Any + Send + Sync>;

impl OrdTables {
    pub fn new(fields: &'static [&'static str]) -> Arc<OrdTables> {
        Arc::new(OrdTables {
            fields,
            values: fields.iter().map(|_| Mutex::default()).collect(),
            segments: RwLock::new(HashMap::new()),
            kept: RwLock::new(HashMap::new()),
            day_sets: RwLock::new(HashMap::new()),
            day_set_uses: AtomicU64::new(0),
        })
    }

    /// The numbered values of the field at `position` among the fields with tables.
    pub fn values(&self, position: usize) -> parking_lot::MutexGuard<'_, Values> {
        self.values[position].lock()
    }

    /// Where `field` is among the fields with tables.
    pub fn position(&self, field: &str) -> Option<usize> {
        self.fields.iter().position(|f| *f == field)
    }

    /// The tables of this segment (built now if warming has not built them).
    pub fn segment(&self, reader: &SegmentReader) -> tantivy::Result<Arc<SegmentTables>> {
        let key = reader.segment_id();
        if let Some(tables) = self.segments.read().get(&key) {
            return Ok(Arc::clone(tables));
        }
        let tables = Arc::new(SegmentTables::build(reader, self.fields, &self.values)?);
        self.segments.write().insert(key, Arc::clone(&tables));
        Ok(tables)
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
        self.kept_column(reader, field, |column: Option<Column<T>>| match column {
            Some(column) => (0..reader.max_doc())
                .map(|doc| column.first(doc).unwrap_or(missing))
                .collect(),
            None => vec![missing; reader.max_doc() as usize],
        })
    }

    /// Per document of the segment, the first value of the `f64` fast field `field` as a
    /// score, or `missing`: half the memory of [`OrdTables::numbers`] to read, for a value
    /// that only multiplies a score.
    pub fn scores(
        &self,
        reader: &SegmentReader,
        field: &'static str,
        missing: Score,
    ) -> tantivy::Result<Arc<Vec<Score>>> {
        self.kept_column(reader, field, |column: Option<Column<f64>>| match column {
            Some(column) => (0..reader.max_doc())
                .map(|doc| column.first(doc).map_or(missing, |v| v as Score))
                .collect(),
            None => vec![missing; reader.max_doc() as usize],
        })
    }

    /// Per document of the segment, the `i64` fast field `field` of instants (microseconds)
    /// as [`day`]s: a quarter of the memory of [`OrdTables::numbers`] to read per match.
    pub fn days(
        &self,
        reader: &SegmentReader,
        field: &'static str,
    ) -> tantivy::Result<Arc<Vec<u16>>> {
        let numbers = self.numbers(reader, field, NO_NUMBER)?;
        self.kept(reader, field, || {
            Ok(numbers.iter().map(|v| day(*v)).collect())
        })
    }

    /// The documents of the segment whose instant field `field` falls after day `on`, and on it
    /// (made once a day).
    pub fn day_sets(
        &self,
        reader: &SegmentReader,
        field: &'static str,
        on: u16,
    ) -> tantivy::Result<Arc<DaySets>> {
        let key = (reader.segment_id(), field, on);
        let used = self.day_set_uses.fetch_add(1, Ordering::Relaxed);
        if let Some((sets, last)) = self.day_sets.read().get(&key) {
            last.store(used, Ordering::Relaxed);
            return Ok(Arc::clone(sets));
        }
        let days = self.days(reader, field)?;
        let mut sets = DaySets {
            after: Bits::empty(reader.max_doc()),
            on: Bits::empty(reader.max_doc()),
        };
        for (doc, day) in days.iter().enumerate() {
            if *day > on {
                sets.after.insert(doc as DocId);
            } else if *day == on {
                sets.on.insert(doc as DocId);
            }
        }
        let sets = Arc::new(sets);
        let mut kept = self.day_sets.write();
        let same_field = |k: &DayKey| k.0 == key.0 && k.1 == field;
        if kept.keys().filter(|k| same_field(k)).count() >= DAY_SETS_KEPT
            && let Some(oldest) = kept
                .iter()
                .filter(|(k, _)| same_field(k))
                .min_by_key(|(_, (_, last))| last.load(Ordering::Relaxed))
                .map(|(k, _)| *k)
        {
            kept.remove(&oldest);
        }
        kept.insert(key, (Arc::clone(&sets), AtomicU64::new(used)));
        Ok(sets)
    }

    /// The keyword fast field `field` of this segment, opened once.
    pub fn str_column(
        &self,
        reader: &SegmentReader,
        field: &'static str,
    ) -> tantivy::Result<Option<StrColumn>> {
        let column = self.kept(reader, field, || reader.fast_fields().str(field))?;
        Ok(Option::clone(&column))
    }

    /// The highest of the segment's [`OrdTables::scores`] of `field` (at least `missing`).
    pub fn highest_score(
        &self,
        reader: &SegmentReader,
        field: &'static str,
        missing: Score,
    ) -> tantivy::Result<Score> {
        let scores = self.scores(reader, field, missing)?;
        let highest = self.kept(reader, field, || {
            Ok(scores.iter().copied().fold(missing, Score::max))
        })?;
        Ok(*highest)
    }

    /// What `make` makes of the column `field` (of `T`) of this segment, made once.
    fn kept_column<T, U>(
        &self,
        reader: &SegmentReader,
        field: &'static str,
        make: impl FnOnce(Option<Column<T>>) -> Vec<U>,
    ) -> tantivy::Result<Arc<Vec<U>>>
    where
        T: HasAssociatedColumnType + PartialOrd + Copy + Send + Sync + 'static,
        DynamicColumn: Into<Option<Column<T>>>,
        U: Send + Sync + 'static,
    {
        self.kept(reader, field, || {
            Ok(make(reader.fast_fields().column_opt::<T>(field)?))
        })
    }

    /// What `make` makes of this segment's `field`, made once per type of what it makes.
    fn kept<U: Send + Sync + 'static>(
        &self,
        reader: &SegmentReader,
        field: &'static str,
        make: impl FnOnce() -> tantivy::Result<U>,
    ) -> tantivy::Result<Arc<U>> {
        let key = (reader.segment_id(), field, TypeId::of::<U>());
        if let Some(kept) = self.kept.read().get(&key).cloned()
            && let Ok(kept) = kept.downcast::<U>()
        {
            return Ok(kept);
        }
        let kept = Arc::new(make()?);
        self.kept.write().insert(key, kept.clone());
        Ok(kept)
    }
}

/// What [`OrdTables::numbers`] holds, for every caller of an `i64` field, for a document
/// without a value (the numbers are kept once per field, whatever the callers ask).
pub const NO_NUMBER: i64 = i64::MIN;

/// Microseconds in a day.
const DAY: i64 = 86_400_000_000;

/// The day since 1970 of an instant in microseconds, clamped to `u16` (0 for instants before
/// 1970-01-02, and for [`NO_NUMBER`]; 65535 from 2149): an instant is later than any
/// instant of an earlier day, unless its own day is clamped.
pub fn day(micros: i64) -> u16 {
    micros.div_euclid(DAY).clamp(0, i64::from(u16::MAX)) as u16
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
            self.segment(reader)?;
        }
        Ok(())
    }

    fn garbage_collect(&self, live_generations: &[&SearcherGeneration]) {
        let live = live_segments(live_generations);
        self.segments
            .write()
            .retain(|segment, _| live.contains(segment));
        self.kept
            .write()
            .retain(|(segment, _, _), _| live.contains(segment));
        self.day_sets
            .write()
            .retain(|(segment, _, _), _| live.contains(segment));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::schema::{FAST, STRING, Schema};
    use tantivy::{Index, IndexWriter, TantivyDocument, doc};

    /// A field of more values than 16 bits number keeps 32-bit ordinals and counts the same.
    #[test]
    fn fields_of_more_than_65535_values_count_every_value() {
        let mut builder = Schema::builder();
        let tag = builder.add_text_field("tag", STRING | FAST);
        let index = Index::create_in_ram(builder.build());
        let mut writer: IndexWriter = index
            .writer_with_num_threads(1, 50_000_000)
            .expect("writer");
        let docs = 66_000u32;
        for i in 0..docs {
            let mut doc = TantivyDocument::default();
            doc.add_text(tag, format!("v{i:05}"));
            doc.add_text(tag, format!("w{}", i % 3));
            doc.add_text(tag, format!("w{}", i % 3));
            writer.add_document(doc).expect("add");
        }
        writer.commit().expect("commit");
        let searcher = index.reader().expect("reader").searcher();
        let reader = searcher.segment_reader(0);
        let table = OrdTable::build(reader, "tag", &Mutex::default())
            .expect("build")
            .expect("a table");
        assert!(matches!(table.ords, Ords::Multi { .. }));
        let column = &table.column;
        let ord = |value: &str| {
            column
                .dictionary()
                .term_ord(value.as_bytes())
                .expect("dictionary")
                .expect("a value") as usize
        };
        let mut set = Bits::empty(docs);
        for doc in (0..docs).filter(|d| d % 2 == 0) {
            set.insert(doc);
        }
        let mut counts = vec![0; column.num_terms()];
        table.count_set(&set, set.len(), &mut counts);
        assert_eq!(counts[ord("v00000")], 1);
        assert_eq!(counts[ord("v00001")], 0);
        assert_eq!(counts[ord("v65998")], 1);
        assert_eq!(counts[ord("w0")], 11_000);
        assert_eq!(counts.iter().sum::<u32>(), 33_000 * 2);
    }

    /// Counting a set value by value gives what counting it document by document gives, and
    /// what the column holds, for a field of many values (a few frequent), one of few, and
    /// several values per document of few and of some, whatever the set's size.
    #[test]
    fn sets_count_the_same_by_value_and_by_document() {
        let (index, docs) = mixed_index();
        let searcher = index.reader().expect("reader").searcher();
        let reader = searcher.segment_reader(0);
        for field in ["tag", "kind", "few", "some"] {
            let table = OrdTable::build(reader, field, &Mutex::default())
                .expect("build")
                .expect("a table");
            let masked = matches!(table.ords, Ords::Mask16(_) | Ords::Mask64(_));
            assert_eq!(masked, field == "few" || field == "some", "{field}");
            let by_value = table.by_value.as_ref().expect("values as sets");
            assert_eq!(by_value.rest.is_some(), field == "tag");
            for every in [1, 2, 3, 50, 997] {
                let set = one_in(docs, every);
                let mut by_document = vec![0; table.column.num_terms()];
                set.for_each_block(|block| table.count_all(block, &mut by_document));
                let mut counted = vec![0; table.column.num_terms()];
                table.count_set(&set, set.len(), &mut counted);
                assert_eq!(counted, by_document, "{field}, one document in {every}");
                assert_eq!(
                    counted,
                    held(reader, field, &set),
                    "{field}, one document in {every}"
                );
            }
        }
    }

    #[test]
    fn rows_count_the_fields_of_few_values_as_their_tables() {
        let (index, docs) = mixed_index();
        let searcher = index.reader().expect("reader").searcher();
        let reader = searcher.segment_reader(0);
        let fields = ["tag", "kind", "few", "some"];
        let values: Vec<Mutex<Values>> = fields.iter().map(|_| Mutex::default()).collect();
        let tables = SegmentTables::build(reader, &fields, &values).expect("tables");
        let rows = tables.rows.as_ref().expect("rows");
        // Tags take slots; the few documents with more tags than slots are read from the table.
        let Some(Place::Slots { shift, .. }) = rows.place(0) else {
            panic!("tags in slots: {:?}", rows.place(0));
        };
        let overflowing = rows.rows.iter().filter(|r| (*r >> shift) & 1 == 1).count();
        assert!(overflowing > 0 && overflowing * OVERFLOW <= docs as usize);
        for every in [1, 3, 997] {
            let set = one_in(docs, every);
            for (position, field) in fields.iter().enumerate() {
                let place = rows.place(position).expect("a place");
                let table = tables.tables[position].as_ref().expect("a table");
                let mut counted = vec![0; table.column.num_terms()];
                let mut gathered = [0u128; super::super::bits::BLOCK];
                set.for_each_block(|block| {
                    rows.gather(block, &mut gathered);
                    place.count(&gathered[..block.len()], block, table, &mut counted);
                });
                assert_eq!(
                    counted,
                    held(reader, field, &set),
                    "{field}, one document in {every}"
                );
            }
        }
    }

    #[test]
    fn a_set_of_64_values_takes_its_whole_width() {
        let mut builder = Schema::builder();
        let all = builder.add_text_field("all", STRING | FAST);
        let kind = builder.add_text_field("kind", STRING | FAST);
        let index = Index::create_in_ram(builder.build());
        let mut writer: IndexWriter = index
            .writer_with_num_threads(1, 15_000_000)
            .expect("writer");
        let docs = 1_000u32;
        for i in 0..docs {
            let mut doc = TantivyDocument::default();
            for value in [i % 64, (i * 7) % 64] {
                doc.add_text(all, format!("a{value:02}"));
            }
            doc.add_text(kind, ["csv", "json"][(i % 2) as usize]);
            writer.add_document(doc).expect("add");
        }
        writer.commit().expect("commit");
        let searcher = index.reader().expect("reader").searcher();
        let reader = searcher.segment_reader(0);
        let fields = ["all", "kind"];
        let values: Vec<Mutex<Values>> = fields.iter().map(|_| Mutex::default()).collect();
        let tables = SegmentTables::build(reader, &fields, &values).expect("tables");
        let rows = tables.rows.as_ref().expect("rows");
        let place = rows.place(0).expect("a place");
        assert!(matches!(place, Place::Set { width: 64, .. }), "{place:?}");
        let table = tables.tables[0].as_ref().expect("a table");
        let set = one_in(docs, 1);
        let mut counted = vec![0; 64];
        let mut gathered = [0u128; super::super::bits::BLOCK];
        set.for_each_block(|block| {
            rows.gather(block, &mut gathered);
            place.count(&gathered[..block.len()], block, table, &mut counted);
        });
        assert_eq!(counted, held(reader, "all", &set));
    }

    #[test]
    fn day_sets_split_the_documents_around_a_day_and_the_least_used_go() {
        let mut builder = Schema::builder();
        let at = builder.add_i64_field("at", FAST);
        let index = Index::create_in_ram(builder.build());
        let mut writer: IndexWriter = index
            .writer_with_num_threads(1, 15_000_000)
            .expect("writer");
        // Document d on day 100 + d % 20, and one without a value.
        for d in 0..200i64 {
            writer
                .add_document(doc!(at => (100 + d % 20) * DAY + d))
                .expect("add");
        }
        writer
            .add_document(TantivyDocument::default())
            .expect("add");
        writer.commit().expect("commit");
        let searcher = index.reader().expect("reader").searcher();
        let reader = searcher.segment_reader(0);
        let tables = OrdTables::new(&[]);
        let sets = tables.day_sets(reader, "at", 110).expect("sets");
        assert_eq!(sets.after.len(), 90);
        assert!(sets.after.contains(19) && !sets.after.contains(10) && !sets.after.contains(200));
        assert_eq!(
            sets.on.iter().collect::<Vec<_>>(),
            (10..200).step_by(20).collect::<Vec<_>>()
        );
        // Day 110 is asked again and again while twelve other days come: it stays, and no more
        // than DAY_SETS_KEPT are kept.
        for day in 111..123 {
            tables.day_sets(reader, "at", day).expect("sets");
            tables.day_sets(reader, "at", 110).expect("sets");
        }
        let kept = tables.day_sets.read();
        assert_eq!(kept.len(), DAY_SETS_KEPT);
        assert!(kept.contains_key(&(reader.segment_id(), "at", 110)));
        assert!(!kept.contains_key(&(reader.segment_id(), "at", 111)));
    }

    /// One document in `every` of `0..docs`.
    fn one_in(docs: DocId, every: DocId) -> Bits {
        let mut set = Bits::empty(docs);
        for doc in (0..docs).filter(|d| d % every == 0) {
            set.insert(doc);
        }
        set
    }

    /// Per ordinal of `field`, how many documents of `set` hold it, read from its column.
    fn held(reader: &SegmentReader, field: &str, set: &Bits) -> Vec<u32> {
        let column = reader
            .fast_fields()
            .str(field)
            .expect("column")
            .expect("column");
        let mut held = vec![0; column.num_terms()];
        for doc in set.iter() {
            let mut ords: Vec<u64> = column.ords().values_for_doc(doc).collect();
            ords.sort_unstable();
            ords.dedup();
            for ord in ords {
                held[ord as usize] += 1;
            }
        }
        held
    }

    /// One segment of 20,000 documents: `tag`, several values per document among hundreds
    /// (some frequent); `kind`, at most one of three; `few` and `some`, several of 16 and of
    /// 40.
    fn mixed_index() -> (Index, DocId) {
        let mut builder = Schema::builder();
        let tag = builder.add_text_field("tag", STRING | FAST);
        let kind = builder.add_text_field("kind", STRING | FAST);
        // Several values per document, of few (a 16-bit mask) and of some (a 64-bit mask).
        let few = builder.add_text_field("few", STRING | FAST);
        let some = builder.add_text_field("some", STRING | FAST);
        let index = Index::create_in_ram(builder.build());
        let mut writer: IndexWriter = index
            .writer_with_num_threads(1, 50_000_000)
            .expect("writer");
        let docs = 20_000u32;
        for i in 0..docs {
            let mut doc = TantivyDocument::default();
            for (step, value) in [(2, "t0"), (5, "t1"), (7, "t2")] {
                if i % step == 0 {
                    doc.add_text(tag, value);
                }
            }
            doc.add_text(tag, format!("rare{}", i % 700));
            if i % 3 == 0 {
                doc.add_text(tag, format!("rare{}", i % 11));
            }
            if i % 10 != 0 {
                doc.add_text(kind, ["csv", "json", "pdf"][(i % 3) as usize]);
            }
            for value in [i % 16, i % 5, i % 5] {
                doc.add_text(few, format!("f{value}"));
            }
            for value in [i % 40, i % 7] {
                doc.add_text(some, format!("s{value}"));
            }
            writer.add_document(doc).expect("add");
        }
        writer.commit().expect("commit");
        (index, docs)
    }
}
