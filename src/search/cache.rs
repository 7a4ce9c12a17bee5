//! Recent results of an index's searches, reused while the index has not changed: the most
//! asked searches (a portal's search page with no query, a popular filter) cost a whole pass
//! over the catalogue for their facets, and are asked again and again between two writes.
//! As Elasticsearch's request cache, an entry lives until the index changes, and at most a
//! minute (facets of dates are relative to now).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use super::SearchPage;
use super::index::IndexResult;

/// Entries kept; past it, stale entries go, then all if none was stale.
const CAPACITY: usize = 1024;
const TTL: Duration = Duration::from_secs(60);

#[derive(Default)]
pub struct ResultCache {
    entries: Mutex<HashMap<String, Entry>>,
}

struct Entry {
    /// The index's change-log position when the search ran.
    seq: i64,
    at: Instant,
    page: SearchPage,
}

impl ResultCache {
    /// The result of the search `key` at position `seq` (read before searching, so that the
    /// result is at least that recent): from the cache, else from `search`.
    pub fn get_or_search(
        &self,
        key: String,
        seq: i64,
        search: impl FnOnce() -> IndexResult<SearchPage>,
    ) -> IndexResult<SearchPage> {
        if let Some(entry) = self.entries.lock().get(&key)
            && entry.seq == seq
            && entry.at.elapsed() < TTL
        {
            return Ok(entry.page.clone());
        }
        let page = search()?;
        let mut entries = self.entries.lock();
        if entries.len() >= CAPACITY {
            entries.retain(|_, entry| entry.seq == seq && entry.at.elapsed() < TTL);
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        let at = Instant::now();
        entries.insert(
            key,
            Entry {
                seq,
                at,
                page: page.clone(),
            },
        );
        Ok(page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(total: u64) -> IndexResult<SearchPage> {
        Ok(SearchPage {
            total,
            ..SearchPage::default()
        })
    }

    #[test]
    fn a_result_is_reused_until_the_index_moves() {
        let cache = ResultCache::default();
        assert_eq!(
            cache
                .get_or_search("q".into(), 1, || page(1))
                .unwrap()
                .total,
            1
        );
        let again = cache.get_or_search("q".into(), 1, || panic!("searched again"));
        assert_eq!(again.unwrap().total, 1);
        assert_eq!(
            cache
                .get_or_search("q".into(), 2, || page(2))
                .unwrap()
                .total,
            2
        );
        assert_eq!(
            cache
                .get_or_search("r".into(), 2, || page(3))
                .unwrap()
                .total,
            3
        );
    }
}
