//! The documents of one segment as a plain bit set: what a clause of a search matches, combined
//! with the other clauses by word-wide `AND`s instead of walking posting lists again.

use tantivy::query::Weight;
use tantivy::{DocId, SegmentReader};

/// A set of the documents `0..max_doc` of a segment.
#[derive(Clone, PartialEq, Eq)]
pub struct Bits {
    words: Vec<u64>,
}

/// Documents handed at a time to the callback of [`Bits::for_each_block`].
pub const BLOCK: usize = 256;

impl Bits {
    /// No document.
    pub fn empty(max_doc: DocId) -> Bits {
        Bits {
            words: vec![0; (max_doc as usize).div_ceil(64)],
        }
    }

    /// Every document of `0..max_doc`.
    pub fn full(max_doc: DocId) -> Bits {
        let mut bits = Bits {
            words: vec![u64::MAX; (max_doc as usize).div_ceil(64)],
        };
        let tail = max_doc % 64;
        if tail != 0
            && let Some(last) = bits.words.last_mut()
        {
            *last = (1u64 << tail) - 1;
        }
        bits
    }

    /// The documents `weight` matches in the segment of `reader`, deleted ones included.
    pub fn of_weight(weight: &dyn Weight, reader: &SegmentReader) -> tantivy::Result<Bits> {
        let mut bits = Bits::empty(reader.max_doc());
        weight.for_each_no_score(reader, &mut |docs| {
            for doc in docs {
                bits.insert(*doc);
            }
        })?;
        Ok(bits)
    }

    /// The documents of the segment that are not deleted.
    pub fn alive(reader: &SegmentReader) -> Bits {
        match reader.alive_bitset() {
            None => Bits::full(reader.max_doc()),
            Some(alive) => {
                let mut bits = Bits::empty(reader.max_doc());
                for doc in alive.iter_alive() {
                    bits.insert(doc);
                }
                bits
            }
        }
    }

    pub fn insert(&mut self, doc: DocId) {
        self.words[(doc / 64) as usize] |= 1 << (doc % 64);
    }

    pub fn contains(&self, doc: DocId) -> bool {
        self.words
            .get((doc / 64) as usize)
            .is_some_and(|word| word & (1 << (doc % 64)) != 0)
    }

    /// Keeps only the documents also in `other`.
    pub fn and(&mut self, other: &Bits) {
        for (word, other) in self.words.iter_mut().zip(&other.words) {
            *word &= other;
        }
    }

    /// The documents in both `a` and `b` (in one pass, where a clone then [`Bits::and`] takes
    /// two).
    pub fn and_of(a: &Bits, b: &Bits) -> Bits {
        Bits {
            words: a.words.iter().zip(&b.words).map(|(a, b)| a & b).collect(),
        }
    }

    /// The documents of `first` that are also in each of `others`: the first `AND` writes the
    /// result, so that no pass copies `first`.
    pub fn all_of(first: &Bits, others: &[&Bits]) -> Bits {
        let Some((head, tail)) = others.split_first() else {
            return first.clone();
        };
        let mut bits = Bits::and_of(first, head);
        for other in tail {
            bits.and(other);
        }
        bits
    }

    /// The documents of `self` not in `other`.
    pub fn and_not(&self, other: &Bits) -> Bits {
        Bits {
            words: self
                .words
                .iter()
                .zip(&other.words)
                .map(|(word, other)| word & !other)
                .collect(),
        }
    }

    /// How many documents.
    pub fn len(&self) -> u64 {
        self.words.iter().map(|w| u64::from(w.count_ones())).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|w| *w == 0)
    }

    /// How many documents are in both `self` and `other`.
    pub fn and_len(&self, other: &Bits) -> u64 {
        self.words
            .iter()
            .zip(&other.words)
            .map(|(a, b)| u64::from((a & b).count_ones()))
            .sum()
    }

    /// Calls `f` with each document in both `self` and `other`, in increasing order.
    pub fn for_each_common(&self, other: &Bits, mut f: impl FnMut(DocId)) {
        for (i, (a, b)) in self.words.iter().zip(&other.words).enumerate() {
            let mut word = a & b;
            while word != 0 {
                f((i * 64) as DocId + word.trailing_zeros());
                word &= word - 1;
            }
        }
    }

    /// Words of 64 documents.
    pub fn words(&self) -> usize {
        self.words.len()
    }

    /// Memory held, in bytes.
    pub fn bytes(&self) -> usize {
        self.words.len() * 8
    }

    /// Calls `f` with the documents in increasing order, up to [`BLOCK`] at a time.
    pub fn for_each_block(&self, mut f: impl FnMut(&[DocId])) {
        let mut block = [0 as DocId; BLOCK];
        let mut filled = 0;
        for (i, word) in self.words.iter().enumerate() {
            let mut word = *word;
            while word != 0 {
                block[filled] = (i * 64) as DocId + word.trailing_zeros();
                filled += 1;
                word &= word - 1;
                if filled == BLOCK {
                    f(&block);
                    filled = 0;
                }
            }
        }
        if filled > 0 {
            f(&block[..filled]);
        }
    }

    /// The documents in increasing order.
    pub fn iter(&self) -> impl Iterator<Item = DocId> + '_ {
        self.words.iter().enumerate().flat_map(|(i, word)| {
            let mut word = *word;
            std::iter::from_fn(move || {
                (word != 0).then(|| {
                    let doc = (i * 64) as DocId + word.trailing_zeros();
                    word &= word - 1;
                    doc
                })
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(max_doc: DocId, docs: &[DocId]) -> Bits {
        let mut bits = Bits::empty(max_doc);
        for doc in docs {
            bits.insert(*doc);
        }
        bits
    }

    #[test]
    fn sets_combine_and_list_their_documents_in_order() {
        let a = of(200, &[0, 5, 63, 64, 130, 199]);
        let b = of(200, &[5, 64, 131, 199]);
        let mut both = a.clone();
        both.and(&b);
        assert_eq!(both.iter().collect::<Vec<_>>(), [5, 64, 199]);
        assert!(Bits::and_of(&a, &b) == both);
        assert_eq!(a.and_not(&b).iter().collect::<Vec<_>>(), [0, 63, 130]);
        let mut common = Vec::new();
        a.for_each_common(&b, |doc| common.push(doc));
        assert_eq!(common, [5, 64, 199]);
        assert_eq!(a.len(), 6);
        assert!(a.contains(130) && !a.contains(131) && !a.contains(5000));
        assert_eq!(Bits::full(130).len(), 130);
        assert!(Bits::full(130).contains(129) && !Bits::full(130).contains(130));
        assert!(Bits::empty(10).is_empty());
    }

    #[test]
    fn blocks_hand_every_document_once() {
        let docs: Vec<DocId> = (0..1000).filter(|d| d % 3 != 0).collect();
        let bits = of(1000, &docs);
        let mut seen = Vec::new();
        bits.for_each_block(|block| {
            assert!(block.len() <= BLOCK);
            seen.extend_from_slice(block);
        });
        assert_eq!(seen, docs);
    }
}
