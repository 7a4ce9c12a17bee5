//! Query pieces every kind's searches share: the text query, term filters, visibility.

use tantivy::query::{
    AllQuery, Bm25Weight, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, FuzzyTermQuery,
    Occur, Query, RangeQuery, TermQuery, TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Schema};
use tantivy::{Score, Searcher, Term};

use super::analysis;

/// Who is searching: what they may see beyond public objects.
#[derive(Debug, Clone, Default)]
pub struct Visibility {
    pub sysadmin: bool,
    pub user_id: Option<String>,
    /// The organizations the caller is a member of.
    pub organizations: Vec<String>,
}

/// The text of a search, as a query that scores and as parts that must all match.
pub struct TextQuery {
    pub scored: Box<dyn Query>,
    /// What `scored` matches is what every part matches: one part per word, so that a word
    /// common to several searches is matched once (see `clauses.rs`).
    pub parts: Vec<Box<dyn Query>>,
    /// When known: the terms (a word in a field) whose scores add up to the score of `scored`
    /// on any document it matches, so that known documents can be scored without walking the
    /// words' posting lists.
    pub terms: Option<Vec<ScoredTerm>>,
}

/// A term of a text query.
pub struct ScoredTerm {
    pub query: Box<dyn Query>,
    /// The highest score it can give (unbounded for a word with typos).
    pub highest: Score,
    /// What names it and the statistics of the index its scores come from: what is kept of
    /// its scores in one segment holds while the others do not change them.
    pub key: String,
    /// Which word of the text (index into [`TextQuery::parts`]).
    pub word: usize,
}

/// The text query of `q`: every word must match (in any of `fields`, weighted, or with a typo
/// in one of `fuzzy`), as uData's searches AND the words; or `q` is the id of the object.
/// `None` when `q` has no searchable word. Typos are looked for only for words the index does
/// not know: expanding a known word to its neighbours costs much and finds little.
pub fn text_query(
    searcher: &Searcher,
    schema: &Schema,
    q: &str,
    fields: &[(&str, f32)],
    fuzzy: &[&str],
    id: Field,
) -> Option<TextQuery> {
    let words = analysis::french_terms(q);
    let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut terms: Vec<ScoredTerm> = Vec::new();
    for (index, word) in words.iter().enumerate() {
        // Only the fields that have the word: each field in the union costs a posting list.
        let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (name, boost) in fields {
            let field = schema.get_field(name).expect("text fields exist");
            let term = Term::from_field_text(field, word);
            if searcher.doc_freq(&term).unwrap_or(0) == 0 {
                continue;
            }
            let weight = Bm25Weight::for_terms(searcher, std::slice::from_ref(&term))
                .ok()
                .map(|weight| weight.boost_by(*boost));
            let term = TermQuery::new(term, IndexRecordOption::WithFreqs);
            let query: Box<dyn Query> = Box::new(BoostQuery::new(Box::new(term), *boost));
            // The scores of the longest field tell the average field length apart, the
            // highest score the word's rarity.
            let (highest, key) = match &weight {
                Some(w) => (
                    w.max_score(),
                    format!(
                        "{query:?}@{:x}/{:x}",
                        w.max_score().to_bits(),
                        w.score(255, 1).to_bits()
                    ),
                ),
                None => (Score::INFINITY, format!("{query:?}")),
            };
            terms.push(ScoredTerm {
                query: query.box_clone(),
                highest,
                key,
                word: index,
            });
            any.push((Occur::Should, query));
        }
        let known = !any.is_empty();
        if !known && let Some(distance) = typo_distance(word) {
            for name in fuzzy {
                let field = schema.get_field(name).expect("fuzzy fields exist");
                let fuzzy = FuzzyTermQuery::new(Term::from_field_text(field, word), distance, true);
                let query: Box<dyn Query> = Box::new(BoostQuery::new(Box::new(fuzzy), 1.0));
                terms.push(ScoredTerm {
                    query: query.box_clone(),
                    highest: Score::INFINITY,
                    key: format!("{query:?}"),
                    word: index,
                });
                any.push((Occur::Should, query));
            }
        }
        must.push((Occur::Must, Box::new(BooleanQuery::new(any))));
    }
    let id = Term::from_field_text(id, q.trim());
    let by_id: Option<Box<dyn Query>> = (searcher.doc_freq(&id).unwrap_or(0) > 0).then(|| {
        let term = TermQuery::new(id, IndexRecordOption::Basic);
        Box::new(BoostQuery::new(Box::new(term), 100.0)) as Box<dyn Query>
    });
    let whole = |scored: Box<dyn Query>| TextQuery {
        parts: vec![scored.box_clone()],
        scored,
        terms: None,
    };
    match (must.is_empty(), by_id) {
        (false, None) => Some(TextQuery {
            parts: must.iter().map(|(_, word)| word.box_clone()).collect(),
            scored: Box::new(BooleanQuery::new(must)),
            terms: Some(terms),
        }),
        (false, Some(by_id)) => Some(whole(Box::new(BooleanQuery::new(vec![
            (
                Occur::Should,
                Box::new(BooleanQuery::new(must)) as Box<dyn Query>,
            ),
            (Occur::Should, by_id),
        ])))),
        (true, Some(by_id)) => Some(whole(by_id)),
        // An id that matches nothing finds nothing.
        (true, None) if !q.trim().is_empty() => Some(whole(Box::new(EmptyQuery))),
        (true, None) => None,
    }
}

/// Edits forgiven in a word, as Elasticsearch's `AUTO:4,6`: none under 4 letters, one up to 6,
/// two beyond.
fn typo_distance(word: &str) -> Option<u8> {
    match word.chars().count() {
        0..4 => None,
        4..=6 => Some(1),
        _ => Some(2),
    }
}

/// Documents whose keyword `field` holds one of `values`; `None` when there is no value.
pub fn any_of(field: Field, values: &[String]) -> Option<Box<dyn Query>> {
    match values {
        [] => None,
        [value] => Some(Box::new(TermQuery::new(
            Term::from_field_text(field, value),
            IndexRecordOption::Basic,
        ))),
        _ => Some(Box::new(TermSetQuery::new(
            values.iter().map(|v| Term::from_field_text(field, v)),
        ))),
    }
}

/// Documents matching `text` (which scores them) and every filter (which does not); every
/// document when there is neither.
pub fn all_of(
    text: Option<&dyn Query>,
    filters: impl IntoIterator<Item = Box<dyn Query>>,
) -> Box<dyn Query> {
    let mut parts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if let Some(text) = text {
        parts.push((Occur::Must, text.box_clone()));
    }
    parts.extend(filters.into_iter().map(|f| (Occur::Must, constant(f))));
    if parts.is_empty() {
        Box::new(AllQuery)
    } else {
        Box::new(BooleanQuery::new(parts))
    }
}

/// A filter: matches like `query` without touching the score.
pub fn constant(query: Box<dyn Query>) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(query, 0.0))
}

/// Documents whose boolean `field` is `value`.
pub fn flag(field: Field, value: bool) -> Box<dyn Query> {
    if value {
        Box::new(TermQuery::new(
            Term::from_field_bool(field, true),
            IndexRecordOption::Basic,
        ))
    } else {
        none_set(&[field])
    }
}

/// Documents with none of these boolean `fields` set. Flags are rarely set: skipping the few
/// documents that have one costs far less than walking the postings of all the others.
pub fn none_set(fields: &[Field]) -> Box<dyn Query> {
    let mut parts: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, Box::new(AllQuery))];
    for field in fields {
        parts.push((Occur::MustNot, flag(*field, true)));
    }
    Box::new(BooleanQuery::new(parts))
}

/// Documents whose `i64` field is within `from..=to` (a missing bound is open).
pub fn range(field: Field, from: Option<i64>, to: Option<i64>) -> Box<dyn Query> {
    use std::ops::Bound;
    let bound = |v: Option<i64>| match v {
        Some(v) => Bound::Included(Term::from_field_i64(field, v)),
        None => Bound::Unbounded,
    };
    Box::new(RangeQuery::new(bound(from), bound(to)))
}

/// Documents whose `field` (analysed by [`analysis::FOLDED`]) has every word of `q`, the last
/// one as a prefix: what suggestions match as the user types. `None` when `q` has no word.
pub fn typed_words(field: Field, q: &str) -> Option<Box<dyn Query>> {
    let words = analysis::folded_terms(q);
    let (last, complete) = words.split_last()?;
    let mut parts: Vec<(Occur, Box<dyn Query>)> = complete
        .iter()
        .map(|word| {
            let term = TermQuery::new(Term::from_field_text(field, word), IndexRecordOption::Basic);
            (Occur::Must, constant(Box::new(term)))
        })
        .collect();
    let prefix = FuzzyTermQuery::new_prefix(Term::from_field_text(field, last), 0, false);
    parts.push((Occur::Must, constant(Box::new(prefix))));
    Some(Box::new(BooleanQuery::new(parts)))
}
