//! How a faceted search runs. Each clause (each word of the text, each filter, visibility) is
//! matched on its own, per segment, as [`Bits`] (most come from the [`ClauseCache`]); the page,
//! the total and the facets whose filter is not in use count what all clauses match, and each
//! facet whose filter is in use counts what all the other clauses match: `AND`s of bit sets,
//! where running the query again for each such facet walked every posting list again. Only the
//! page is scored, from the text query alone.

use std::cmp::{Ordering, Reverse};
use std::sync::Arc;

use tantivy::query::{EnableScoring, Query, Weight};
use tantivy::{DocAddress, DocId, DocSet, Order, Score, Searcher, SegmentReader, TERMINATED};

use super::bits::Bits;
use super::clauses::{ClauseCache, RankedCache};
use super::query::TextQuery;
use super::rank::{POPULARITY, Ranking};
use super::ranked::Ranked;
use super::tables::{NO_NUMBER, OrdTables};

/// From how many matches of its text (in a segment) a search's page is looked for among its
/// words' ranked best matches (see `ranked.rs`): below, scoring them all costs little.
const RANKED_MATCHES: u64 = 2_048;

/// A filter of a search, and the facet that does not apply it to its own counts.
pub struct Clause {
    pub facet: Option<&'static str>,
    pub query: Box<dyn Query>,
    /// Whether what it matches may be kept in the clause cache: not for a clause made of the
    /// moment (a date relative to now), which no later search asks again.
    pub kept: bool,
}

impl Clause {
    pub fn new(facet: Option<&'static str>, query: Box<dyn Query>) -> Clause {
        Clause {
            facet,
            query,
            kept: true,
        }
    }
}

/// What every clause of a search matched, segment by segment.
pub struct Matches {
    segments: Vec<SegmentMatches>,
    /// What names each text part (its query, as the clause cache knows it).
    part_keys: Vec<String>,
    /// The facet and the name of each clause; no name for a clause made of the moment.
    clause_keys: Vec<(Option<&'static str>, Option<String>)>,
}

struct SegmentMatches {
    /// Live documents matching every text part (all live documents when there is no text).
    text: Bits,
    /// How many of them.
    text_len: u64,
    filters: Vec<(Option<&'static str>, Arc<Bits>)>,
    /// Live documents matching everything.
    all: Bits,
}

impl Matches {
    /// Matches the parts of `text` (the words, which must all match) and `clauses` in every
    /// segment of `searcher`.
    pub fn new(
        searcher: &Searcher,
        cache: &ClauseCache,
        text: Option<&TextQuery>,
        clauses: &[Clause],
    ) -> tantivy::Result<Matches> {
        let text_parts = text.map_or(&[][..], |t| &t.parts[..]);
        let key = |query: &dyn Query| format!("{query:?}");
        let part_keys: Vec<String> = text_parts.iter().map(|part| key(&**part)).collect();
        let clause_keys: Vec<(Option<&'static str>, Option<String>)> = clauses
            .iter()
            .map(|clause| (clause.facet, clause.kept.then(|| key(&*clause.query))))
            .collect();
        let no_scores = EnableScoring::disabled_from_searcher(searcher);
        let matched = |reader: &SegmentReader, key: &str, query: &dyn Query| {
            cache.get_or_make(reader, key, || {
                Bits::of_weight(&*query.weight(no_scores)?, reader)
            })
        };
        // The clauses that no facet leaves out are matched as one set.
        let (fixed, own): (Vec<usize>, Vec<usize>) = (0..clauses.len())
            .partition(|i| clause_keys[*i].0.is_none() && clause_keys[*i].1.is_some());
        let fixed_keys: Vec<String> = fixed
            .iter()
            .filter_map(|i| clause_keys[*i].1.clone())
            .collect();
        let mut segments = Vec::with_capacity(searcher.segment_readers().len());
        for reader in searcher.segment_readers() {
            let parts = text_parts
                .iter()
                .zip(&part_keys)
                .map(|(part, key)| matched(reader, key, &**part))
                .collect::<tantivy::Result<Vec<_>>>()?;
            let text = Bits::all_of(
                &*cache.alive(reader)?,
                &parts.iter().map(|p| &**p).collect::<Vec<_>>(),
            );
            let text_len = text.len();
            let mut filters = Vec::with_capacity(own.len() + 1);
            if !fixed.is_empty() {
                let set = cache.all_of(reader, &fixed_keys, |k| {
                    matched(reader, &fixed_keys[k], &*clauses[fixed[k]].query)
                })?;
                filters.push((None, set));
            }
            for i in &own {
                let clause = &clauses[*i];
                let set = match &clause_keys[*i].1 {
                    Some(key) => matched(reader, key, &*clause.query)?,
                    None => Arc::new(Bits::of_weight(&*clause.query.weight(no_scores)?, reader)?),
                };
                filters.push((clause.facet, set));
            }
            let all = Bits::all_of(
                &text,
                &filters.iter().map(|(_, bits)| &**bits).collect::<Vec<_>>(),
            );
            segments.push(SegmentMatches {
                text,
                text_len,
                filters,
                all,
            });
        }
        Ok(Matches {
            segments,
            part_keys,
            clause_keys,
        })
    }

    /// What names the set of documents matching the text and every clause but those of facet
    /// `left_out` (every clause when `None`), whatever their order; `None` when one of them is
    /// made of the moment.
    pub fn set_key(&self, left_out: Option<&str>) -> Option<String> {
        let mut keys: Vec<&str> = self.part_keys.iter().map(String::as_str).collect();
        for (facet, key) in &self.clause_keys {
            if left_out.is_none() || *facet != left_out {
                keys.push(key.as_deref()?);
            }
        }
        keys.sort_unstable();
        Some(keys.join("&"))
    }

    /// How many documents match everything.
    pub fn total(&self) -> u64 {
        self.segments.iter().map(|s| s.all.len()).sum()
    }

    /// Per segment, the documents matching everything.
    pub fn all(&self) -> Vec<&Bits> {
        self.segments.iter().map(|s| &s.all).collect()
    }

    /// Per segment, the documents matching the text, whatever the filters.
    pub fn text(&self) -> Vec<&Bits> {
        self.segments.iter().map(|s| &s.text).collect()
    }

    /// Per segment, the documents matching everything but the clauses of `facet`.
    pub fn without(&self, facet: &str) -> Vec<Bits> {
        self.segments
            .iter()
            .map(|segment| {
                let others: Vec<&Bits> = segment
                    .filters
                    .iter()
                    .filter(|(f, _)| *f != Some(facet))
                    .map(|(_, bits)| &**bits)
                    .collect();
                Bits::all_of(&segment.text, &others)
            })
            .collect()
    }

    /// The documents `rows` (positions) of the matches in `ranking` order; relevance is
    /// scored by `text`, the query whose words are the text parts.
    pub fn page(
        &self,
        searcher: &Searcher,
        ranked: &RankedCache,
        tables: &OrdTables,
        text: Option<&TextQuery>,
        ranking: Ranking,
        rows: std::ops::Range<usize>,
    ) -> tantivy::Result<Vec<DocAddress>> {
        let (offset, limit) = (rows.start, rows.len());
        if limit == 0 {
            return Ok(Vec::new());
        }
        let wanted = offset + limit;
        match (ranking, text) {
            (Ranking::Relevance, Some(text)) => {
                let mut found = Vec::new();
                let scoring = EnableScoring::enabled_from_searcher(searcher);
                let weight = text.scored.weight(scoring)?;
                let terms = match &text.terms {
                    Some(terms) => Some(
                        terms
                            .iter()
                            .map(|term| Ok((term.query.weight(scoring)?, term.highest)))
                            .collect::<tantivy::Result<Vec<_>>>()?,
                    ),
                    None => None,
                };
                let single_word = text.parts.len() == 1;
                // Each word and the name of its ranking: its terms and the statistics they
                // score by. The word is weighed only if its ranking is to be made.
                let many = self.segments.iter().any(|s| s.text_len >= RANKED_MATCHES);
                let words = match &text.terms {
                    Some(terms) if many && terms.iter().all(|t| t.highest.is_finite()) => Some(
                        text.parts
                            .iter()
                            .enumerate()
                            .map(|(i, part)| {
                                let keys: Vec<&str> = terms
                                    .iter()
                                    .filter(|t| t.word == i)
                                    .map(|t| t.key.as_str())
                                    .collect();
                                (keys.join("|"), &**part)
                            })
                            .collect::<Vec<Word>>(),
                    ),
                    _ => None,
                };
                for (ord, segment) in self.segments.iter().enumerate() {
                    let reader = searcher.segment_reader(ord as u32);
                    let scorer = Scoring {
                        weight: &*weight,
                        terms: terms.as_deref(),
                        single_word,
                        tables,
                        ranked: words.as_deref().map(|words| (ranked, words, scoring)),
                    };
                    let top = segment.best_scored(&scorer, reader, wanted)?;
                    found.extend(top.into_iter().map(|(k, doc)| (k, address(ord, doc))));
                }
                Ok(page_of(found, offset, limit))
            }
            (Ranking::Relevance, None) => {
                let mut found = Vec::new();
                for (ord, segment) in self.segments.iter().enumerate() {
                    found.extend(
                        segment
                            .all
                            .iter()
                            .take(wanted)
                            .map(|d| ((), address(ord, d))),
                    );
                }
                Ok(page_of(found, offset, limit))
            }
            (Ranking::Number(field, order), _) => {
                let mut found = Vec::new();
                for (ord, segment) in self.segments.iter().enumerate() {
                    let values =
                        tables.numbers(searcher.segment_reader(ord as u32), field, NO_NUMBER)?;
                    let mut top = TopN::new(wanted);
                    for doc in segment.all.iter() {
                        let value = values[doc as usize];
                        top.push(
                            Sorted::new((value != NO_NUMBER).then_some(value), order),
                            doc,
                        );
                    }
                    found.extend(top.into_sorted().map(|(k, doc)| (k, address(ord, doc))));
                }
                Ok(page_of(found, offset, limit))
            }
            (Ranking::Text(field, order), _) => {
                let mut found = Vec::new();
                for (ord, segment) in self.segments.iter().enumerate() {
                    let Some(column) =
                        tables.str_column(searcher.segment_reader(ord as u32), field)?
                    else {
                        found.extend(
                            segment
                                .all
                                .iter()
                                .map(|d| (Sorted::new(None, order), address(ord, d))),
                        );
                        continue;
                    };
                    let mut top = TopN::new(wanted);
                    for doc in segment.all.iter() {
                        top.push(Sorted::new(column.ords().first(doc), order), doc);
                    }
                    // Ordinals only compare within a segment: the page compares the values.
                    let mut value = Vec::new();
                    for (key, doc) in top.into_sorted() {
                        let bytes = match key.value() {
                            Some(ord) if column.ord_to_bytes(ord, &mut value)? => {
                                Some(value.clone())
                            }
                            _ => None,
                        };
                        found.push((Sorted::new(bytes, order), address(ord, doc)));
                    }
                }
                Ok(page_of(found, offset, limit))
            }
        }
    }
}

/// How the text of a search scores documents.
struct Scoring<'a> {
    /// Of the whole text query.
    weight: &'a dyn Weight,
    /// Of each of [`TextQuery::terms`], when known.
    terms: Option<&'a [(Box<dyn Weight>, Score)]>,
    single_word: bool,
    /// Where popularity is read from.
    tables: &'a OrdTables,
    /// When the terms are known: where the words' ranked best matches are kept, and per word
    /// the name of its ranking and its weight.
    ranked: Option<(&'a RankedCache, &'a [Word<'a>], EnableScoring<'a>)>,
}

/// A word of the text: the name of its ranking and its query.
type Word<'a> = (String, &'a dyn Query);

impl SegmentMatches {
    /// The `wanted` best matches by text score times popularity, best first.
    fn best_scored(
        &self,
        scoring: &Scoring,
        reader: &SegmentReader,
        wanted: usize,
    ) -> tantivy::Result<Vec<(BestFirst, DocId)>> {
        let weight = scoring.weight;
        let popularity = scoring.tables.scores(reader, POPULARITY, 1.0)?;
        let boost = |doc: DocId| popularity[doc as usize];
        let mut top = TopN::new(wanted);
        let matched = self.all.len();
        if matched == 0 {
            return Ok(Vec::new());
        }
        if let Some((cache, words, enable)) = scoring.ranked
            && self.text_len >= RANKED_MATCHES
            && cache.keeps(reader)
        {
            let lists = words
                .iter()
                .map(|(key, word)| {
                    cache.get_or_make(reader, key, || {
                        Ranked::of(&*word.weight(enable)?, reader, &popularity)
                    })
                })
                .collect::<tantivy::Result<Vec<_>>>()?;
            if let [ranked] = &lists[..] {
                if ranked.likely_holds(matched, wanted)
                    && let Some(best) = ranked.best_of(&self.all, wanted)
                {
                    return Ok(best.into_iter().map(|(s, d)| (BestFirst(s), d)).collect());
                }
            } else if let Some(terms) = scoring.terms
                && let Some(best) =
                    best_of_words(&lists, terms, &self.all, &popularity, reader, wanted)?
            {
                return Ok(best);
            }
        }
        let dense = matched * 4 >= self.text_len;
        if let Some(terms) = scoring.terms
            && !(dense && scoring.single_word)
        {
            // The matches are known: add up each term's score on each of them, seeking each
            // term's postings from match to match (a word's union of fields would decode a
            // window of documents around each match). Terms go highest possible score first,
            // and a match stops being scored once the terms left cannot lift it into the page.
            let mut scorers = terms
                .iter()
                .map(|(term, highest)| {
                    let scorer = term.scorer(reader, 1.0)?;
                    // A term this segment does not hold adds nothing.
                    let highest = if scorer.doc() == TERMINATED {
                        0.0
                    } else {
                        *highest
                    };
                    Ok((scorer, highest))
                })
                .collect::<tantivy::Result<Vec<_>>>()?;
            scorers.sort_by(|a, b| b.1.total_cmp(&a.1));
            // Per term, the highest score it and the terms after it can add.
            let mut left: Vec<Score> = scorers.iter().map(|(_, highest)| *highest).collect();
            for i in (0..left.len().saturating_sub(1)).rev() {
                left[i] += left[i + 1];
            }
            let mut worst = Score::NEG_INFINITY;
            'docs: for doc in self.all.iter() {
                let popularity = boost(doc);
                let mut score: Score = 0.0;
                for ((scorer, _), left) in scorers.iter_mut().zip(&left) {
                    if cannot_reach(score + left, popularity, worst) {
                        continue 'docs;
                    }
                    if scorer.doc() < doc {
                        scorer.seek(doc);
                    }
                    if scorer.doc() == doc {
                        score += scorer.score();
                    }
                }
                if top.push(BestFirst(score * popularity), doc) {
                    worst = top.worst().map_or(Score::NEG_INFINITY, |w| w.0);
                }
            }
        } else if !dense {
            // Filters keep few of the text's matches: score those only.
            let mut scorer = weight.scorer(reader, 1.0)?;
            for doc in self.all.iter() {
                if scorer.doc() < doc {
                    scorer.seek(doc);
                }
                if scorer.doc() == TERMINATED {
                    break;
                }
                if scorer.doc() == doc {
                    top.push(BestFirst(scorer.score() * boost(doc)), doc);
                }
            }
        } else {
            // Most of the text's matches are kept: walk the text's postings, skipping blocks
            // whose best score cannot reach the page (block-max WAND, where the query allows
            // it) even at the segment's highest popularity.
            let most_popular = scoring.tables.highest_score(reader, POPULARITY, 1.0)?;
            let mut threshold = Score::MIN;
            weight.for_each_pruning(threshold, reader, &mut |doc, score| {
                if self.all.contains(doc) && top.push(BestFirst(score * boost(doc)), doc) {
                    threshold = top.worst().map_or(Score::MIN, |w| w.0 / most_popular);
                }
                threshold
            })?;
        }
        Ok(top.into_sorted().collect())
    }
}

/// The `wanted` best of `matches` for a text of several words, from each word's ranked best
/// matches (`lists`) scored by all `terms`: a match in none of them scores at most the sum of
/// their last scores, so when the best found among them score higher, they are the page. `None`
/// when they do not (the caller scores every match).
fn best_of_words(
    lists: &[Arc<Ranked>],
    terms: &[(Box<dyn Weight>, Score)],
    matches: &Bits,
    popularity: &[Score],
    reader: &SegmentReader,
    wanted: usize,
) -> tantivy::Result<Option<Vec<(BestFirst, DocId)>>> {
    let outside: Score = match lists.iter().map(|list| list.last()).sum::<Option<Score>>() {
        Some(sum) => sum,
        // A word whose every holder is listed: every match is listed.
        None => Score::NEG_INFINITY,
    };
    let mut candidates: Vec<DocId> = lists
        .iter()
        .flat_map(|list| list.docs())
        .filter(|doc| matches.contains(*doc))
        .collect();
    if candidates.len() < wanted {
        return Ok(None);
    }
    candidates.sort_unstable();
    candidates.dedup();
    let mut scorers = terms
        .iter()
        .map(|(term, _)| term.scorer(reader, 1.0))
        .collect::<tantivy::Result<Vec<_>>>()?;
    let mut top = TopN::new(wanted);
    for doc in candidates {
        let mut score: Score = 0.0;
        for scorer in &mut scorers {
            if scorer.doc() < doc {
                scorer.seek(doc);
            }
            if scorer.doc() == doc {
                score += scorer.score();
            }
        }
        top.push(BestFirst(score * popularity[doc as usize]), doc);
    }
    let best: Vec<(BestFirst, DocId)> = top.into_sorted().collect();
    let reached = best.len() == wanted
        && best
            .last()
            .is_some_and(|(worst, _)| worst.0 > outside * (1.0 + 1e-5));
    Ok(reached.then_some(best))
}

/// Whether a match whose text scores at most `highest`, times `popularity`, stays below the
/// page's `worst` score (with a margin for the rounding of scores added in another order): a
/// later document tying the worst does not enter the page either.
fn cannot_reach(highest: Score, popularity: Score, worst: Score) -> bool {
    highest * popularity * (1.0 + 1e-5) < worst
}

fn address(segment: usize, doc: DocId) -> DocAddress {
    DocAddress::new(segment as u32, doc)
}

/// The page of `found` (sort keys and documents) in key order, ties by address.
fn page_of<K: Ord>(
    mut found: Vec<(K, DocAddress)>,
    offset: usize,
    limit: usize,
) -> Vec<DocAddress> {
    found.sort_unstable_by(|(a, x), (b, y)| a.cmp(b).then(x.cmp(y)));
    found
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|(_, address)| address)
        .collect()
}

/// A score, higher first.
#[derive(Debug, Clone, Copy, PartialEq)]
struct BestFirst(Score);

impl Eq for BestFirst {}

impl Ord for BestFirst {
    fn cmp(&self, other: &Self) -> Ordering {
        other.0.total_cmp(&self.0)
    }
}

impl PartialOrd for BestFirst {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A sort value in the order asked for; documents without one come last either way (within a
/// search, every value has the same order).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Sorted<T: Ord> {
    Asc(T),
    Desc(Reverse<T>),
    Missing,
}

impl<T: Ord> Sorted<T> {
    fn new(value: Option<T>, order: Order) -> Self {
        match (value, order) {
            (None, _) => Sorted::Missing,
            (Some(value), Order::Asc) => Sorted::Asc(value),
            (Some(value), Order::Desc) => Sorted::Desc(Reverse(value)),
        }
    }

    fn value(self) -> Option<T> {
        match self {
            Sorted::Asc(value) | Sorted::Desc(Reverse(value)) => Some(value),
            Sorted::Missing => None,
        }
    }
}

/// The `n` smallest keys pushed, ties by document (pushed in increasing order).
struct TopN<K: Ord> {
    n: usize,
    items: Vec<(K, DocId)>,
}

impl<K: Ord> TopN<K> {
    fn new(n: usize) -> Self {
        TopN {
            n,
            items: Vec::with_capacity(2 * n),
        }
    }

    /// Adds one; true when the kept set was just trimmed to `n`, so that [`TopN::worst`]
    /// changed.
    fn push(&mut self, key: K, doc: DocId) -> bool {
        self.items.push((key, doc));
        if self.items.len() >= 2 * self.n.max(8) {
            self.trim();
            return true;
        }
        false
    }

    fn trim(&mut self) {
        if self.items.len() > self.n {
            self.items.select_nth_unstable(self.n);
            self.items.truncate(self.n);
        }
    }

    /// The worst key kept, once `n` are kept.
    fn worst(&self) -> Option<&K> {
        (self.items.len() >= self.n)
            .then(|| self.items.iter().map(|(k, _)| k).max())
            .flatten()
    }

    fn into_sorted(mut self) -> impl Iterator<Item = (K, DocId)> {
        self.items.sort_unstable();
        self.items.truncate(self.n);
        self.items.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::analysis;
    use crate::search::query::{TextQuery, any_of, constant, text_query};
    use crate::search::rank::top_docs;
    use tantivy::collector::Count;
    use tantivy::query::{BooleanQuery, Occur};
    use tantivy::schema::{FAST, INDEXED, STRING, Schema};
    use tantivy::{Index, IndexWriter, Term, doc};

    const WORDS: &[&str] = &[
        "eau",
        "transport",
        "budget",
        "école",
        "santé",
        "vélo",
        "air",
    ];
    const KINDS: &[&str] = &["csv", "json", "pdf"];

    /// Documents with a few words, a kind, a number and a popularity that breaks score ties;
    /// a large segment (kept in the clause cache) and a small one.
    fn index() -> (Index, Schema) {
        let mut builder = Schema::builder();
        builder.add_text_field("title", analysis::french_text());
        builder.add_text_field("body", analysis::french_text());
        builder.add_text_field("id", STRING | FAST);
        builder.add_text_field("kind", STRING | FAST);
        builder.add_i64_field("n", INDEXED | FAST);
        builder.add_f64_field(POPULARITY, FAST);
        let schema = builder.build();
        let index = Index::create_in_ram(schema.clone());
        analysis::register(&index);
        let f = |name| schema.get_field(name).expect("test field");
        let mut writer: IndexWriter = index
            .writer_with_num_threads(1, 50_000_000)
            .expect("writer");
        let mut seed = 7u64;
        let mut next = move |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        for i in 0..20_600u64 {
            let mut words = |count| {
                (0..count)
                    .map(|_| WORDS[next(WORDS.len() as u64) as usize])
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let title = words(1 + i % 3);
            let body = words(3 + i % 8);
            writer
                .add_document(doc!(
                    f("title") => title,
                    f("body") => body,
                    f("id") => format!("d{i}"),
                    f("kind") => KINDS[next(3) as usize],
                    f("n") => next(50) as i64,
                    f(POPULARITY) => 1.0 + (i as f64) * 1e-6,
                ))
                .expect("add");
            if i == 20_000 {
                writer.commit().expect("commit");
            }
        }
        writer.commit().expect("commit");
        (index, schema)
    }

    fn kind(schema: &Schema, value: &str) -> Clause {
        Clause::new(
            Some("kind"),
            any_of(schema.get_field("kind").expect("kind"), &[value.to_owned()]).expect("a value"),
        )
    }

    /// What tantivy finds running the whole query, the reference for [`Matches`].
    fn whole(text: Option<&TextQuery>, clauses: &[&Clause]) -> Box<dyn tantivy::query::Query> {
        let mut parts: Vec<(Occur, Box<dyn tantivy::query::Query>)> = Vec::new();
        if let Some(text) = text {
            parts.push((Occur::Must, text.scored.box_clone()));
        }
        for clause in clauses {
            parts.push((Occur::Must, constant(clause.query.box_clone())));
        }
        if parts.is_empty() {
            Box::new(tantivy::query::AllQuery)
        } else {
            Box::new(BooleanQuery::new(parts))
        }
    }

    fn check(index: &Index, schema: &Schema, cache: &ClauseCache) {
        let tables = OrdTables::new(&[]);
        let ranked = RankedCache::new(16 * 1024 * 1024);
        let reader = index.reader().expect("reader");
        let searcher = reader.searcher();
        let id = schema.get_field("id").expect("id");
        let fields: &[(&str, f32)] = &[("title", 15.0), ("body", 8.0)];
        for q in [
            None,
            Some("eau"),
            Some("transports budget"),
            Some("santé vélo air"),
        ] {
            let text = q.and_then(|q| text_query(&searcher, schema, q, fields, &[], id));
            for filters in [vec![], vec!["csv"], vec!["pdf", "json"]] {
                let clauses: Vec<Clause> = filters.iter().map(|k| kind(schema, k)).collect();
                let matches =
                    Matches::new(&searcher, cache, text.as_ref(), &clauses).expect("matches");
                let all: Vec<&Clause> = clauses.iter().collect();
                let reference = whole(text.as_ref(), &all);
                let what = format!("q={q:?} kinds={filters:?}");
                assert_eq!(
                    matches.total(),
                    searcher.search(&*reference, &Count).expect("count") as u64,
                    "{what}"
                );
                assert_eq!(
                    matches.without("kind").iter().map(Bits::len).sum::<u64>(),
                    searcher
                        .search(&*whole(text.as_ref(), &[]), &Count)
                        .expect("count") as u64,
                    "{what}"
                );
                let rankings = [
                    Ranking::Relevance,
                    Ranking::Number("n", Order::Desc),
                    Ranking::Number("n", Order::Asc),
                    Ranking::Text("id", Order::Asc),
                ];
                for ranking in rankings {
                    for (offset, limit) in [(0, 10), (7, 13), (0, 0)] {
                        let page = matches
                            .page(
                                &searcher,
                                &ranked,
                                &tables,
                                text.as_ref(),
                                ranking,
                                offset..offset + limit,
                            )
                            .expect("page");
                        let expected = if matches!(ranking, Ranking::Relevance) && text.is_none() {
                            // Without text, every match scores alike: first matches first.
                            let (docs, _) = top_docs(
                                &searcher,
                                &*reference,
                                Ranking::Number("n", Order::Asc),
                                0,
                                30_000,
                                Count,
                            )
                            .expect("top docs");
                            let mut docs = docs;
                            docs.sort();
                            docs.into_iter().skip(offset).take(limit).collect()
                        } else {
                            top_docs(&searcher, &*reference, ranking, offset, limit, Count)
                                .expect("top docs")
                                .0
                        };
                        let what = format!("{what} {ranking:?} {offset}+{limit}");
                        match (ranking, text.as_ref()) {
                            (Ranking::Relevance, Some(text)) => {
                                // Scores added in another order may differ in their last bit:
                                // the page must hold documents of the same scores.
                                let score = |a: &DocAddress| scored(&searcher, &*text.scored, *a);
                                assert_eq!(page.len(), expected.len(), "{what}");
                                for (got, want) in page.iter().zip(&expected) {
                                    let (got, want) = (score(got), score(want));
                                    assert!((got - want).abs() <= want * 1e-5, "{what}");
                                }
                            }
                            _ => assert_eq!(page, expected, "{what}"),
                        }
                    }
                }
            }
        }
    }

    /// The score of `address` for `query`, times its popularity.
    fn scored(
        searcher: &Searcher,
        query: &dyn tantivy::query::Query,
        address: DocAddress,
    ) -> Score {
        let reader = searcher.segment_reader(address.segment_ord);
        let weight = query
            .weight(EnableScoring::enabled_from_searcher(searcher))
            .expect("weight");
        let text = weight
            .explain(reader, address.doc_id)
            .expect("explain")
            .value();
        let popularity = reader.fast_fields().f64(POPULARITY).expect("popularity");
        text * popularity.first(address.doc_id).unwrap_or(1.0) as Score
    }

    #[test]
    fn matches_find_what_the_whole_query_finds_from_the_cache_and_after_deletions() {
        let (index, schema) = index();
        let cache = ClauseCache::new(64 * 1024 * 1024);
        check(&index, &schema, &cache);
        let cached = cache.bytes();
        assert!(cached > 0, "the large segment's sets are kept");
        check(&index, &schema, &cache);
        assert_eq!(cache.bytes(), cached, "the second round reads them back");
        let mut writer: IndexWriter = index.writer(50_000_000).expect("writer");
        let kind = schema.get_field("kind").expect("kind");
        let id = schema.get_field("id").expect("id");
        writer.delete_term(Term::from_field_text(kind, "json"));
        writer.delete_term(Term::from_field_text(id, "d3"));
        writer.commit().expect("commit");
        check(&index, &schema, &cache);
    }

    #[test]
    fn the_cache_keeps_to_its_budget() {
        let (index, schema) = index();
        let searcher = index.reader().expect("reader").searcher();
        let one_set = Bits::empty(20_001).bytes();
        let cache = ClauseCache::new(3 * one_set);
        for value in ["csv", "json", "pdf", "none", "other"] {
            let clause = kind(&schema, value);
            Matches::new(&searcher, &cache, None, &[clause]).expect("matches");
            assert!(cache.bytes() <= 3 * one_set);
        }
        assert!(cache.bytes() >= one_set);
    }

    #[test]
    fn clauses_of_the_moment_are_not_kept() {
        let (index, schema) = index();
        let searcher = index.reader().expect("reader").searcher();
        let cache = ClauseCache::new(64 * 1024 * 1024);
        let alive_only = {
            Matches::new(&searcher, &cache, None, &[]).expect("matches");
            cache.bytes()
        };
        let moment = Clause {
            kept: false,
            ..kind(&schema, "csv")
        };
        let matches = Matches::new(&searcher, &cache, None, &[moment]).expect("matches");
        assert!(matches.total() > 0);
        assert_eq!(cache.bytes(), alive_only);
        Matches::new(&searcher, &cache, None, &[kind(&schema, "csv")]).expect("matches");
        assert!(cache.bytes() > alive_only);
    }
}
