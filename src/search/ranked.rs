//! The best matches of a single word, ranked once. A search of one common word (`q=eau`, with or
//! without filters) scored every match of the word to find its page: 0.5 to 3 ms at a million
//! datasets, and the same work again at each search of that word. A [`Ranked`] keeps, per
//! segment, the word's [`RANKED`] best documents by relevance times popularity; a search then
//! walks them in order and takes the first that its filters keep. When the filters keep too few
//! of them the page is scored as before. A search of several words scores the matches found in
//! any of its words' rankings, and keeps them when they outscore every match left out
//! (`matches.rs`, `best_of_words`).

use std::cmp::Ordering;

use tantivy::query::Weight;
use tantivy::{DocId, Score, SegmentReader};

use super::bits::Bits;
use super::clauses::Kept;

/// How many of a word's best matches are kept per segment (8 bytes each).
pub const RANKED: usize = 8_192;

/// A word's best documents in a segment, best first; ties by document.
pub struct Ranked {
    best: Vec<(Score, DocId)>,
    /// How many documents hold the word (deleted ones included).
    holders: usize,
}

impl Ranked {
    /// Of the text that `weight` scores (one word in its fields), each score multiplied by the
    /// document's `popularity`.
    pub fn of(
        weight: &dyn Weight,
        reader: &SegmentReader,
        popularity: &[Score],
    ) -> tantivy::Result<Ranked> {
        let mut scored: Vec<(Score, DocId)> = Vec::new();
        weight.for_each(reader, &mut |doc, score| {
            scored.push((score * popularity[doc as usize], doc));
        })?;
        let holders = scored.len();
        if scored.len() > RANKED {
            scored.select_nth_unstable_by(RANKED, best_first);
            scored.truncate(RANKED);
        }
        scored.sort_unstable_by(best_first);
        Ok(Ranked {
            best: scored,
            holders,
        })
    }

    /// The first `wanted` of `matches` in rank order, with their scores; `None` when the kept
    /// documents may hold fewer than `wanted` of them.
    pub fn best_of(&self, matches: &Bits, wanted: usize) -> Option<Vec<(Score, DocId)>> {
        let found: Vec<(Score, DocId)> = self
            .best
            .iter()
            .filter(|(_, doc)| matches.contains(*doc))
            .take(wanted)
            .copied()
            .collect();
        (found.len() == wanted || self.best.len() == self.holders).then_some(found)
    }

    /// The kept documents, best first.
    pub fn docs(&self) -> impl Iterator<Item = DocId> + '_ {
        self.best.iter().map(|(_, doc)| *doc)
    }

    /// The lowest score kept, which no document left out exceeds; `None` when none is left out.
    pub fn last(&self) -> Option<Score> {
        if self.best.len() == self.holders {
            return None;
        }
        self.best.last().map(|(score, _)| *score)
    }

    /// Whether walking the kept documents likely finds `wanted` of `matched` matches among the
    /// `holders` of the word: else scoring the matches costs less than the walk that fails.
    pub fn likely_holds(&self, matched: u64, wanted: usize) -> bool {
        self.best.len() == self.holders
            || matched as f64 * self.best.len() as f64 >= 2.0 * (wanted * self.holders) as f64
    }
}

impl Kept for Ranked {
    fn bytes(&self) -> usize {
        self.best.len() * std::mem::size_of::<(Score, DocId)>()
    }
}

/// Higher score first, then lower document.
fn best_first(a: &(Score, DocId), b: &(Score, DocId)) -> Ordering {
    b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::query::{EnableScoring, Query, TermQuery};
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::{DocSet, Index, IndexWriter, TERMINATED, Term, doc};

    #[test]
    fn the_first_matches_in_rank_order_are_the_best_scored() {
        let mut builder = Schema::builder();
        let text = builder.add_text_field("text", TEXT);
        let index = Index::create_in_ram(builder.build());
        let mut writer: IndexWriter = index
            .writer_with_num_threads(1, 20_000_000)
            .expect("writer");
        // 20,000 holders of various lengths (shorter scores higher), 1,000 others.
        let docs = RANKED as u32 * 2 + 3_616;
        for i in 0..docs + 1_000 {
            let word = if i < docs { "eau" } else { "air" };
            let filler = "x ".repeat((i as usize * 7) % 23);
            writer
                .add_document(doc!(text => format!("{word} {filler}")))
                .expect("add");
        }
        writer.commit().expect("commit");
        let searcher = index.reader().expect("reader").searcher();
        let reader = searcher.segment_reader(0);
        let query = TermQuery::new(
            Term::from_field_text(text, "eau"),
            IndexRecordOption::WithFreqs,
        );
        let weight = query
            .weight(EnableScoring::enabled_from_searcher(&searcher))
            .expect("weight");
        let popularity: Vec<Score> = (0..reader.max_doc())
            .map(|doc| 1.0 + (doc % 10) as Score * 0.01)
            .collect();
        let ranked = Ranked::of(&*weight, reader, &popularity).expect("ranked");
        assert_eq!(ranked.best.len(), RANKED);
        assert_eq!(ranked.holders, docs as usize);

        // Every holder scored, one by one: the reference.
        let mut all: Vec<(Score, DocId)> = Vec::new();
        let mut scorer = weight.scorer(reader, 1.0).expect("scorer");
        while scorer.doc() != TERMINATED {
            let doc = scorer.doc();
            all.push((scorer.score() * popularity[doc as usize], doc));
            scorer.advance();
        }
        all.sort_by(best_first);
        for (step, wanted) in [(1, 20), (3, 50), (7, 20), (50, 20), (5_000, 20)] {
            let mut matches = Bits::empty(reader.max_doc());
            for doc in (0..reader.max_doc()).step_by(step) {
                matches.insert(doc);
            }
            let expected: Vec<(Score, DocId)> = all
                .iter()
                .filter(|(_, doc)| matches.contains(*doc))
                .take(wanted)
                .copied()
                .collect();
            let matched = all.iter().filter(|(_, d)| matches.contains(*d)).count() as u64;
            match ranked.best_of(&matches, wanted) {
                Some(found) => {
                    assert_eq!(found, expected, "every {step}th, {wanted}");
                    assert!(ranked.likely_holds(matched, wanted) || step > 7);
                }
                // Too few of the kept documents match: the caller scores the matches.
                None => assert!(step >= 5_000 && !ranked.likely_holds(matched, wanted)),
            }
        }
    }
}
