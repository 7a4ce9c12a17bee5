//! Ordering search results: relevance damped by popularity, or a sort field; and reading the
//! ids of the page found.

use std::sync::Arc;

use tantivy::collector::{Collector, TopDocs};
use tantivy::columnar::ColumnValues;
use tantivy::query::Query;
use tantivy::{DocAddress, DocId, Order, Score, Searcher, SegmentReader};

/// How a page of results is ordered.
#[derive(Debug, Clone, Copy)]
pub enum Ranking {
    /// Best text match first, tweaked by [`popularity`].
    Relevance,
    /// By an `i64` fast field.
    Number(&'static str, Order),
    /// By a keyword fast field (a folded copy of a title or name).
    Text(&'static str, Order),
}

/// The index field a sort key orders by.
#[derive(Debug, Clone, Copy)]
pub enum SortField {
    Number(&'static str),
    Text(&'static str),
}

impl Ranking {
    /// The ranking of a `sort` parameter (`key` or `-key`, keys as in `sorts`), else `default`.
    pub fn of_sort(sort: Option<&str>, sorts: &[(&str, SortField)], default: Ranking) -> Ranking {
        let Some(sort) = sort else { return default };
        let (key, order) = match sort.strip_prefix('-') {
            Some(key) => (key, Order::Desc),
            None => (sort, Order::Asc),
        };
        match sorts.iter().find(|(k, _)| *k == key) {
            Some((_, SortField::Number(field))) => Ranking::Number(field, order),
            Some((_, SortField::Text(field))) => Ranking::Text(field, order),
            None => default,
        }
    }
}

/// The page `offset..offset + limit` of what `query` matches in `ranking` order, and what
/// `also` collected in the same pass (counts, facets).
pub fn top_docs<C: Collector>(
    searcher: &Searcher,
    query: &dyn Query,
    ranking: Ranking,
    offset: usize,
    limit: usize,
    also: C,
) -> tantivy::Result<(Vec<DocAddress>, C::Fruit)> {
    let top = TopDocs::with_limit(limit.max(1)).and_offset(offset);
    let (addresses, fruit): (Vec<DocAddress>, C::Fruit) = match ranking {
        Ranking::Relevance => {
            let (docs, fruit) = searcher.search(query, &(top.tweak_score(popularity), also))?;
            (docs.into_iter().map(|(_, a)| a).collect(), fruit)
        }
        Ranking::Text(field, order) => {
            let collector = top.order_by_string_fast_field(field, order);
            let (docs, fruit) = searcher.search(query, &(collector, also))?;
            (docs.into_iter().map(|(_, a)| a).collect(), fruit)
        }
        Ranking::Number(field, order) => {
            let collector = top.order_by_fast_field::<i64>(field, order);
            let (docs, fruit) = searcher.search(query, &(collector, also))?;
            (docs.into_iter().map(|(_, a)| a).collect(), fruit)
        }
    };
    let addresses = if limit == 0 { Vec::new() } else { addresses };
    Ok((addresses, fruit))
}

/// Relevance tweaked by popularity as uData's search service does (public service, followers,
/// views, featured: whichever of these fast fields the kind has), damped so that a better text
/// match still wins.
fn popularity(segment: &SegmentReader) -> impl Fn(DocId, Score) -> Score + use<> {
    let fast = segment.fast_fields();
    let number = |name: &str| fast.i64(name).ok().map(|c| c.first_or_default_col(0));
    let flag = |name: &str| fast.bool(name).ok().map(|c| c.first_or_default_col(false));
    let followers = number("followers");
    let views = number("views");
    let public_service = flag("public_service");
    let featured = flag("featured");
    move |doc, score| {
        let count = |c: &Option<Arc<dyn ColumnValues<i64>>>| {
            c.as_ref()
                .map_or(0.0, |c| (c.get_val(doc).max(0) as f32).ln_1p())
        };
        let set =
            |c: &Option<Arc<dyn ColumnValues<bool>>>| c.as_ref().is_some_and(|c| c.get_val(doc));
        let mut boost = 1.0 + 0.02 * count(&followers) + 0.01 * count(&views);
        if set(&public_service) {
            boost += 0.1;
        }
        if set(&featured) {
            boost += 0.05;
        }
        score * boost
    }
}

/// The ids (keyword fast field `id`) of documents, in the order of `addresses`: one dictionary
/// sweep per segment.
pub fn ids_of(searcher: &Searcher, addresses: &[DocAddress]) -> tantivy::Result<Vec<String>> {
    let mut ids: Vec<Option<String>> = vec![None; addresses.len()];
    let mut segments: Vec<u32> = addresses.iter().map(|a| a.segment_ord).collect();
    segments.sort_unstable();
    segments.dedup();
    for segment in segments {
        let Some(column) = searcher.segment_reader(segment).fast_fields().str("id")? else {
            continue;
        };
        let mut wanted: Vec<(u64, usize)> = addresses
            .iter()
            .enumerate()
            .filter(|(_, a)| a.segment_ord == segment)
            .filter_map(|(i, a)| column.ords().first(a.doc_id).map(|ord| (ord, i)))
            .collect();
        wanted.sort_unstable();
        let ords: Vec<u64> = wanted.iter().map(|(ord, _)| *ord).collect();
        let mut slots = wanted.iter().map(|(_, i)| *i);
        column.dictionary().sorted_ords_to_term_cb(&ords, |bytes| {
            if let Some(i) = slots.next() {
                ids[i] = Some(String::from_utf8_lossy(bytes).into_owned());
            }
        })?;
    }
    Ok(ids.into_iter().flatten().collect())
}
