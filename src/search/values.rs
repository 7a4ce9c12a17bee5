//! Suggesting the distinct values a field holds (tags, formats, mime types) straight from the
//! term dictionary: no scan of the documents, whatever their number.
//!
//! A value is indexed once per word it has, as the term `<folded rest from that word>\0<value>`
//! (`transport-public` gives `transport-public\0transport-public` and
//! `public\0transport-public`), so the terms starting with a folded query are exactly the values
//! with a word starting with it, each with the number of documents holding it.

use std::collections::HashMap;

use tantivy::postings::TermInfo;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocSet, Searcher, TERMINATED, TantivyDocument};

use crate::domain::slug::fold;

const SEPARATOR: char = '\0';

/// Adds `value` to the suggested values of `field` (a raw, indexed text field) in `doc`.
pub fn add(doc: &mut TantivyDocument, field: Field, value: &str) {
    let value = value.trim();
    if value.is_empty() || value.contains(SEPARATOR) {
        return;
    }
    let mut previous_is_word = false;
    for (offset, c) in value.char_indices() {
        let is_word = c.is_alphanumeric();
        if is_word && !previous_is_word {
            doc.add_text(
                field,
                format!("{}{SEPARATOR}{value}", fold(&value[offset..])),
            );
        }
        previous_is_word = is_word;
    }
}

/// The values of `field` with a word starting with `q` (accents and case aside) that a live
/// document holds: shortest first, then the most used, then alphabetically; at most `size`.
pub fn suggest(
    searcher: &Searcher,
    field: Field,
    q: &str,
    size: usize,
) -> tantivy::Result<Vec<String>> {
    let prefix = fold(q.trim());
    let mut upper = prefix.clone().into_bytes();
    upper.push(0xFF);
    let mut found: HashMap<String, Candidate> = HashMap::new();
    for (ord, segment) in searcher.segment_readers().iter().enumerate() {
        let ord = ord as u32;
        let inverted = segment.inverted_index(field)?;
        let mut stream = inverted
            .terms()
            .range()
            .ge(prefix.as_bytes())
            .lt(&upper)
            .into_stream()?;
        while stream.advance() {
            let key = String::from_utf8_lossy(stream.key());
            let Some((_, value)) = key.split_once(SEPARATOR) else {
                continue;
            };
            let candidate = found.entry(value.to_owned()).or_default();
            // A value has a term per word; count its documents once per segment.
            if candidate.places.iter().all(|(seen, _)| *seen != ord) {
                candidate.documents += u64::from(stream.value().doc_freq);
                candidate.places.push((ord, stream.value().clone()));
            }
        }
    }
    let mut candidates: Vec<(String, Candidate)> = found.into_iter().collect();
    candidates.sort_by_cached_key(|(value, candidate)| {
        (
            value.chars().count(),
            std::cmp::Reverse(candidate.documents),
            value.clone(),
        )
    });
    let mut values = Vec::with_capacity(size);
    for (value, candidate) in candidates {
        if values.len() == size {
            break;
        }
        if held_by_live_document(searcher, field, &candidate.places)? {
            values.push(value);
        }
    }
    Ok(values)
}

/// A value found in the dictionary: how many documents hold it, and where its postings are
/// in each segment (to skip deleted documents).
#[derive(Default)]
struct Candidate {
    documents: u64,
    places: Vec<(u32, TermInfo)>,
}

/// Whether a live document holds one of these postings (replaced and removed documents stay
/// in the dictionary until their segment is merged).
fn held_by_live_document(
    searcher: &Searcher,
    field: Field,
    places: &[(u32, TermInfo)],
) -> tantivy::Result<bool> {
    for (ord, info) in places {
        let segment = searcher.segment_reader(*ord);
        let Some(alive) = segment.alive_bitset() else {
            return Ok(true);
        };
        let mut postings = segment
            .inverted_index(field)?
            .read_postings_from_terminfo(info, IndexRecordOption::Basic)?;
        let mut doc = postings.doc();
        while doc != TERMINATED {
            if alive.is_alive(doc) {
                return Ok(true);
            }
            doc = postings.advance();
        }
    }
    Ok(false)
}
