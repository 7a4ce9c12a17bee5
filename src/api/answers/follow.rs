//! What keeps every kind's cache fresh: one write hook on the store for this process's writes,
//! one task following the change log for the others'.

use std::sync::Arc;
use std::time::Instant;

use super::{BOUND, POLL};
use crate::store::Store;
use crate::store::changelog::ChangeCursor;

/// Change-log entries read at once.
const BATCH: i64 = 1000;
/// How far back the first read of the change log starts: transactions that took their
/// sequence number before the start and commit after it are seen as gaps filling.
const LOOKBACK: i64 = 1000;

/// A cache kept fresh by [`follow`].
pub trait Followed: Send + Sync {
    /// Whether it keeps anything at all.
    fn is_on(&self) -> bool;
    /// Forgets the answers the changed objects `(change-log kind, id)` appear in.
    fn invalidate(&self, changed: &[(&str, &str)]);
    /// Forgets every answer.
    fn clear(&self);
    /// Records that every change committed before `started` has been applied.
    fn synced_at(&self, started: Instant);
}

/// Follows `store`'s writes for `caches`: this process's through its write hook, the others'
/// through the change log, for as long as the runtime runs. A cache serves nothing until the
/// first read of the log; caches that are off are left out.
pub fn follow(store: &Store, caches: Vec<Arc<dyn Followed>>) {
    let caches: Arc<[Arc<dyn Followed>]> = caches.into_iter().filter(|c| c.is_on()).collect();
    if caches.is_empty() {
        return;
    }
    let hooked = Arc::clone(&caches);
    store.on_write(move |changed| {
        let changed: Vec<(&str, &str)> = changed
            .iter()
            .map(|c| (c.kind.as_str(), c.object_id.as_str()))
            .collect();
        for cache in hooked.iter() {
            cache.invalidate(&changed);
        }
    });
    tokio::spawn(follow_log(caches, store.clone()));
}

/// Applies other processes' writes from the change log to `caches`.
async fn follow_log(caches: Arc<[Arc<dyn Followed>]>, store: Store) {
    let mut cursor = loop {
        match store.last_change().await {
            Ok(seq) => break ChangeCursor::after((seq - LOOKBACK).max(0)),
            Err(error) => {
                tracing::warn!(%error, "answer cache: cannot read the change log; retrying");
                tokio::time::sleep(BOUND).await;
            }
        }
    };
    loop {
        let started = Instant::now();
        match cursor.read(&store, BATCH).await {
            Ok(read) => {
                if read.abandoned_gaps > 0 {
                    // A transaction that commits after this would go unseen: start afresh.
                    caches.iter().for_each(|cache| cache.clear());
                }
                if !read.changes.is_empty() {
                    let changed: Vec<(&str, &str)> = read
                        .changes
                        .iter()
                        .map(|c| (c.kind.as_str(), c.object_id.as_str()))
                        .collect();
                    caches.iter().for_each(|cache| cache.invalidate(&changed));
                }
                if read.more {
                    continue;
                }
                caches.iter().for_each(|cache| cache.synced_at(started));
            }
            Err(error) => {
                tracing::warn!(%error, "answer cache: cannot read the change log; answers come from the store meanwhile");
            }
        }
        tokio::time::sleep(POLL).await;
    }
}
