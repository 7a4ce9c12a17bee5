//! Scans of whole tables in id order, deleted rows included: what a search-index rebuild reads.

use super::{Store, StoreResult};
use crate::params;

/// A table scanned by id.
#[derive(Debug, Clone, Copy)]
pub enum Table {
    Datasets,
    Organizations,
    Users,
}

impl Store {
    /// Up to `limit` ids of `table` after `after`, in order.
    pub async fn ids_after(
        &self,
        table: Table,
        after: &str,
        limit: i64,
    ) -> StoreResult<Vec<String>> {
        let sql = match table {
            Table::Datasets => "SELECT id FROM datasets WHERE id > $1 ORDER BY id LIMIT $2",
            Table::Organizations => {
                "SELECT id FROM organizations WHERE id > $1 ORDER BY id LIMIT $2"
            }
            Table::Users => "SELECT id FROM users WHERE id > $1 ORDER BY id LIMIT $2",
        };
        self.query(sql, params![after, limit])
            .await?
            .iter()
            .map(|r| r.text(0))
            .collect()
    }

    /// How many rows `table` has.
    pub async fn row_count(&self, table: Table) -> StoreResult<i64> {
        let sql = match table {
            Table::Datasets => "SELECT COUNT(*) FROM datasets",
            Table::Organizations => "SELECT COUNT(*) FROM organizations",
            Table::Users => "SELECT COUNT(*) FROM users",
        };
        self.count(sql, Vec::new()).await
    }
}
