//! Ordering search results: relevance damped by popularity, or a sort field; and reading the
//! ids of the page found.

use super::index::{IndexError, IndexResult, KindIndex};
use super::tables::OrdTables;
use tantivy::collector::{Collector, Count, TopDocs};
use tantivy::query::Query;
use tantivy::{DocAddress, DocId, Order, Score, Searcher, SegmentReader};

/// How a page of results is ordered.
#[derive(Debug, Clone, Copy)]
pub enum Ranking {
    /// Best text match first, multiplied by [`popularity`].
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
    /// The ranking of a search's `sort` parameter (keys as in `sorts`); by default, relevance
    /// when the search has text, newest first otherwise.
    pub fn of_search(sort: Option<&str>, sorts: &[(&str, SortField)], has_text: bool) -> Ranking {
        let default = if has_text {
            Ranking::Relevance
        } else {
            Ranking::Number("created", Order::Desc)
        };
        Ranking::of_sort(sort, sorts, default)
    }

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
            let (docs, fruit) = searcher.search(query, &(top.tweak_score(by_popularity), also))?;
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

/// The ids of the first `size` documents `query` matches, in `ranking` order.
pub fn first_ids(
    index: &KindIndex,
    query: &dyn Query,
    ranking: Ranking,
    size: usize,
) -> IndexResult<Vec<String>> {
    let searcher = index.searcher();
    let err = |e| IndexError::tantivy(index.kind, e);
    let (addresses, _) = top_docs(&searcher, query, ranking, 0, size, Count).map_err(err)?;
    ids_of(&searcher, &index.tables, &addresses).map_err(err)
}

/// The `f64` fast field holding each document's [`popularity`].
pub const POPULARITY: &str = "popularity";

/// What a document's relevance is multiplied by: uData's search service favours public service,
/// followers, views and featured objects; damped so that a better text match still wins.
/// Computed when the document is written, so that ranking reads one number per match.
pub fn popularity(followers: i64, views: i64, public_service: bool, featured: bool) -> f64 {
    let count = |n: i64| (n.max(0) as f64).ln_1p();
    let mut boost = 1.0 + 0.02 * count(followers) + 0.01 * count(views);
    if public_service {
        boost += 0.1;
    }
    if featured {
        boost += 0.05;
    }
    boost
}

/// Relevance multiplied by the document's [`popularity`].
fn by_popularity(segment: &SegmentReader) -> impl Fn(DocId, Score) -> Score + use<> {
    let boost = segment
        .fast_fields()
        .f64(POPULARITY)
        .ok()
        .map(|column| column.first_or_default_col(1.0));
    move |doc, score| match &boost {
        Some(boost) => score * boost.get_val(doc) as f32,
        None => score,
    }
}

/// The ids (keyword fast field `id`) of documents, in the order of `addresses`: one dictionary
/// sweep per segment.
pub fn ids_of(
    searcher: &Searcher,
    tables: &OrdTables,
    addresses: &[DocAddress],
) -> tantivy::Result<Vec<String>> {
    let mut ids: Vec<Option<String>> = vec![None; addresses.len()];
    let mut segments: Vec<u32> = addresses.iter().map(|a| a.segment_ord).collect();
    segments.sort_unstable();
    segments.dedup();
    for segment in segments {
        let Some(column) = tables.str_column(searcher.segment_reader(segment), "id")? else {
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
