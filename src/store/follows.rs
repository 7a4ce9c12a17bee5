//! Follows: one mechanism for every followable kind (organizations and users now; datasets,
//! reuses and the rest reuse it). Unfollowing closes the follow (`until`) rather than deleting it.

use super::sql::Stmt;
use super::{PageRequest, Paged, Store, StoreError, StoreResult};
use crate::domain::time::Micros;
use crate::domain::user::User;
use crate::params;

/// The kinds that can be followed, with the table whose `followers` counter they keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Followable {
    Dataset,
    Organization,
    User,
}

impl Followable {
    pub fn kind(self) -> &'static str {
        match self {
            Followable::Dataset => "dataset",
            Followable::Organization => "organization",
            Followable::User => "user",
        }
    }

    fn counter_sql(self) -> &'static str {
        match self {
            Followable::Dataset => {
                "UPDATE datasets SET followers = (SELECT COUNT(*) FROM follows WHERE kind = 'dataset' \
                 AND following_id = $1 AND until IS NULL) WHERE id = $1 RETURNING followers"
            }
            Followable::Organization => {
                "UPDATE organizations SET followers = (SELECT COUNT(*) FROM follows WHERE kind = 'organization' \
                 AND following_id = $1 AND until IS NULL) WHERE id = $1 RETURNING followers"
            }
            Followable::User => {
                "UPDATE users SET followers = (SELECT COUNT(*) FROM follows WHERE kind = 'user' \
                 AND following_id = $1 AND until IS NULL) WHERE id = $1 RETURNING followers"
            }
        }
    }
}

/// An active follow with its follower.
#[derive(Debug, Clone)]
pub struct Follow {
    pub id: String,
    pub follower: User,
    pub since: Micros,
}

impl Store {
    /// Starts following. Returns whether a new follow was created and the new follower count.
    pub async fn follow(
        &self,
        what: Followable,
        id: &str,
        follower_id: &str,
        now: Micros,
    ) -> StoreResult<(bool, i64)> {
        let results = self
            .write(vec![
                Stmt::new(
                    "INSERT INTO follows (id, follower_id, kind, following_id, since) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT DO NOTHING RETURNING id",
                    params![crate::domain::ids::object_id(), follower_id, what.kind(), id, now],
                ),
                Stmt::new(what.counter_sql(), params![id]),
                Stmt::change(what.kind(), id, "update", now),
            ])
            .await?;
        let created = !results[0].is_empty();
        let count = results[1]
            .first()
            .map(|r| r.int(0))
            .transpose()?
            .unwrap_or(0);
        Ok((created, count))
    }

    /// Stops following; `NotFound` if the user was not following.
    pub async fn unfollow(
        &self,
        what: Followable,
        id: &str,
        follower_id: &str,
        now: Micros,
    ) -> StoreResult<i64> {
        let results = self
            .write(vec![
                Stmt::new(
                    "UPDATE follows SET until = $4 WHERE kind = $1 AND following_id = $2 AND follower_id = $3 AND until IS NULL",
                    params![what.kind(), id, follower_id, now],
                )
                .expect_one(),
                Stmt::new(what.counter_sql(), params![id]),
                Stmt::change(what.kind(), id, "update", now),
            ])
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => StoreError::NotFound,
                other => other,
            })?;
        results[1]
            .first()
            .map(|r| r.int(0))
            .transpose()
            .map(|c| c.unwrap_or(0))
    }

    /// Active followers of an object, newest first, optionally only `user_id`. (PostgreSQL cannot
    /// type a parameter only tested with `IS NULL`, hence the `CAST`.)
    pub async fn followers(
        &self,
        what: Followable,
        id: &str,
        user_id: Option<&str>,
        page: PageRequest,
    ) -> StoreResult<Paged<Follow>> {
        let total = self
            .count(
                "SELECT COUNT(*) FROM follows WHERE kind = $1 AND following_id = $2 AND until IS NULL \
                 AND (CAST($3 AS TEXT) IS NULL OR follower_id = $3)",
                params![what.kind(), id, user_id],
            )
            .await?;
        let items = self
            .query(
                "SELECT f.id, f.since, u.doc, u.followers FROM follows f JOIN users u ON u.id = f.follower_id \
                 WHERE f.kind = $1 AND f.following_id = $2 AND f.until IS NULL AND (CAST($3 AS TEXT) IS NULL OR f.follower_id = $3) \
                 ORDER BY f.since DESC, f.id LIMIT $4 OFFSET $5",
                params![what.kind(), id, user_id, page.page_size, page.offset()],
            )
            .await?
            .iter()
            .map(|r| {
                let follower: User = serde_json::from_str(r.str(2)?)
                    .map_err(|e| StoreError::Internal(format!("corrupt user document: {e}")))?;
                Ok(Follow { id: r.text(0)?, since: r.int(1)?, follower: User { followers: r.int(3)?, ..follower } })
            })
            .collect::<StoreResult<_>>()?;
        Ok(Paged { items, total })
    }

    /// The ids of the objects of a kind a user follows.
    pub async fn followed_ids(
        &self,
        what: Followable,
        follower_id: &str,
    ) -> StoreResult<Vec<String>> {
        self.query(
            "SELECT following_id FROM follows WHERE kind = $1 AND follower_id = $2 AND until IS NULL",
            params![what.kind(), follower_id],
        )
        .await?
        .iter()
        .map(|r| r.text(0))
        .collect()
    }

    /// How many organizations and users a user follows, for `/me/metrics/`-style counts.
    pub async fn following_count(&self, follower_id: &str) -> StoreResult<i64> {
        self.count(
            "SELECT COUNT(*) FROM follows WHERE follower_id = $1 AND until IS NULL",
            params![follower_id],
        )
        .await
    }
}
