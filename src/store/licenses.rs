//! The `licenses` table: the shipped list loaded at first start, plus the administrator's.

use super::sql::Stmt;
use super::{Store, StoreError, StoreResult};
use crate::domain::license::{License, shipped_licenses};
use crate::params;

fn decode(doc: &str) -> StoreResult<License> {
    serde_json::from_str(doc).map_err(|e| StoreError::Internal(format!("corrupt license: {e}")))
}

impl Store {
    /// All licenses, in listing order (shipped ones first, then additions).
    pub async fn licenses(&self) -> StoreResult<Vec<License>> {
        self.query("SELECT doc FROM licenses ORDER BY position, id", params![])
            .await?
            .iter()
            .map(|row| decode(&row.text(0)?))
            .collect()
    }

    /// Whether a license with this id exists (what a dataset's `license` must name).
    pub async fn license_exists(&self, id: &str) -> StoreResult<bool> {
        Ok(self
            .query_one("SELECT 1 FROM licenses WHERE id = $1", params![id])
            .await?
            .is_some())
    }

    /// One license by id.
    pub async fn license(&self, id: &str) -> StoreResult<Option<License>> {
        match self
            .query_one("SELECT doc FROM licenses WHERE id = $1", params![id])
            .await?
        {
            Some(row) => Ok(Some(decode(&row.text(0)?)?)),
            None => Ok(None),
        }
    }

    /// Creates or replaces licenses, in one transaction. A new license goes after the
    /// existing ones; a replaced one keeps its place.
    pub async fn upsert_licenses(&self, licenses: &[License], now: i64) -> StoreResult<()> {
        let mut next = self
            .count(
                "SELECT COALESCE(MAX(position), -1) + 1 FROM licenses",
                params![],
            )
            .await?;
        let mut stmts = Vec::with_capacity(licenses.len() * 2);
        for license in licenses {
            let doc = serde_json::to_string(license).expect("a license serializes");
            stmts.push(Stmt::new(
                "INSERT INTO licenses (id, position, doc) VALUES ($1, $2, $3) \
                 ON CONFLICT (id) DO UPDATE SET doc = excluded.doc",
                params![license.id.as_str(), next, doc],
            ));
            stmts.push(Stmt::change("license", &license.id, "update", now));
            next += 1;
        }
        self.write(stmts).await.map(drop)
    }

    /// Loads the shipped licenses when the table is empty (first start); an administrator's
    /// list is left alone. Safe when several nodes start at once.
    pub async fn seed_licenses(&self) -> StoreResult<()> {
        if self
            .count("SELECT COUNT(*) FROM licenses", params![])
            .await?
            > 0
        {
            return Ok(());
        }
        let stmts = shipped_licenses()
            .iter()
            .enumerate()
            .map(|(position, license)| {
                Stmt::new(
                    "INSERT INTO licenses (id, position, doc) VALUES ($1, $2, $3) \
                     ON CONFLICT (id) DO NOTHING",
                    params![
                        license.id.as_str(),
                        position as i64,
                        serde_json::to_string(license).expect("a license serializes")
                    ],
                )
            })
            .collect();
        self.write(stmts).await.map(drop)
    }
}
