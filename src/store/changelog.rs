//! Following the change log from another process's point of view.
//!
//! Sequence numbers are taken when a transaction inserts into the log, so on PostgreSQL a
//! transaction can commit after one holding a later number has been read. A [`ChangeCursor`]
//! remembers such gaps and reads them again until they appear or are old enough to be rollbacks.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::{Change, Store, StoreResult};

/// A gap older than this is taken for a rolled-back transaction and no longer looked for.
pub const GAP_PATIENCE: Duration = Duration::from_secs(10);

/// A position in the change log, with the sequence numbers skipped on the way.
#[derive(Debug)]
pub struct ChangeCursor {
    last: i64,
    gaps: BTreeMap<i64, Instant>,
}

/// What one [`ChangeCursor::read`] found.
#[derive(Debug, Default)]
pub struct ChangeBatch {
    /// New entries after the cursor, oldest first, then gaps that filled.
    pub changes: Vec<Change>,
    /// Whether more entries may be waiting right away (the read was full).
    pub more: bool,
    /// Gaps given up on this read: a commit after that would go unseen.
    pub abandoned_gaps: usize,
}

impl ChangeCursor {
    /// A cursor after `seq`: entries with a greater sequence number are still to read.
    pub fn after(seq: i64) -> Self {
        ChangeCursor {
            last: seq,
            gaps: BTreeMap::new(),
        }
    }

    /// The greatest sequence number read.
    pub fn last(&self) -> i64 {
        self.last
    }

    /// The position before which everything is read: just before the oldest open gap.
    pub fn safe(&self) -> i64 {
        self.gaps.keys().next().map_or(self.last, |gap| gap - 1)
    }

    /// Reads at most `limit` new entries, and the entries of open gaps that committed since.
    pub async fn read(&mut self, store: &Store, limit: i64) -> StoreResult<ChangeBatch> {
        let mut changes = store.changes_since(self.last, limit).await?;
        let more = changes.len() as i64 == limit;
        let mut abandoned_gaps = 0;
        if let Some(&oldest) = self.gaps.keys().next() {
            let late = store.changes_between(oldest - 1, self.last).await?;
            for change in late {
                if self.gaps.remove(&change.seq).is_some() {
                    changes.push(change);
                }
            }
            let open = self.gaps.len();
            self.gaps.retain(|_, seen| seen.elapsed() < GAP_PATIENCE);
            abandoned_gaps = open - self.gaps.len();
        }
        let now = Instant::now();
        for change in &changes {
            for missing in (self.last + 1)..change.seq {
                self.gaps.insert(missing, now);
            }
            self.last = self.last.max(change.seq);
        }
        Ok(ChangeBatch {
            changes,
            more,
            abandoned_gaps,
        })
    }
}
