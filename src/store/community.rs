//! Community resources: resources proposed for a dataset by users or organizations other than
//! its producer, stored apart from the dataset.

use super::sql::{Row, Stmt};
use super::{PageRequest, Paged, Store, StoreError, StoreResult, like_pattern};
use crate::domain::resource::CommunityResource;
use crate::domain::time::Micros;
use crate::params;

fn community_from_row(row: &Row) -> StoreResult<CommunityResource> {
    serde_json::from_str(row.str(0)?)
        .map_err(|e| StoreError::Internal(format!("corrupt community resource document: {e}")))
}

fn doc(c: &CommunityResource) -> String {
    serde_json::to_string(c).expect("a community resource serializes")
}

/// The filters of `GET /datasets/community_resources/`.
#[derive(Debug, Clone, Default)]
pub struct CommunityFilter {
    pub dataset: Option<String>,
    pub owner: Option<String>,
    pub organization: Option<String>,
    /// Oldest first when true; newest first by default.
    pub ascending: bool,
}

impl Store {
    /// Creates or replaces a community resource.
    pub async fn save_community_resource(
        &self,
        c: &CommunityResource,
        op: &str,
        now: Micros,
    ) -> StoreResult<()> {
        self.write(vec![
            Stmt::new(
                "INSERT INTO community_resources (id, dataset_id, owner_id, org_id, title, url, created_at, \
                 last_modified, doc) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO UPDATE SET \
                 dataset_id = excluded.dataset_id, owner_id = excluded.owner_id, org_id = excluded.org_id, \
                 title = excluded.title, url = excluded.url, last_modified = excluded.last_modified, doc = excluded.doc",
                params![
                    &c.resource.id,
                    &c.dataset,
                    c.owner.clone(),
                    c.organization.clone(),
                    crate::domain::slug::fold(&c.resource.title),
                    &c.resource.url,
                    c.resource.created_at,
                    c.resource.last_modified,
                    doc(c)
                ],
            ),
            Stmt::change("community_resource", &c.resource.id, op, now),
        ])
        .await
        .map(drop)
    }

    /// How many community resources each of `dataset_ids` has (absent: none).
    pub async fn community_counts(
        &self,
        dataset_ids: &[String],
    ) -> StoreResult<std::collections::HashMap<String, i64>> {
        self.query(
            "SELECT dataset_id, COUNT(*) FROM community_resources WHERE dataset_id IN \
             (SELECT value FROM plateau_list($1)) GROUP BY dataset_id",
            params![super::list_param(dataset_ids)],
        )
        .await?
        .iter()
        .map(|r| Ok((r.text(0)?, r.int(1)?)))
        .collect()
    }

    pub async fn community_resource(&self, id: &str) -> StoreResult<Option<CommunityResource>> {
        self.query_one(
            "SELECT doc FROM community_resources WHERE id = $1",
            params![id],
        )
        .await?
        .map(|r| community_from_row(&r))
        .transpose()
    }

    /// Deletes a community resource for good.
    pub async fn delete_community_resource(&self, id: &str, now: Micros) -> StoreResult<()> {
        self.write(vec![
            Stmt::new("DELETE FROM community_resources WHERE id = $1", params![id]).expect_one(),
            Stmt::change("community_resource", id, "delete", now),
        ])
        .await
        .map(drop)
    }

    /// A page of community resources.
    pub async fn list_community_resources(
        &self,
        filter: &CommunityFilter,
        page: PageRequest,
    ) -> StoreResult<Paged<CommunityResource>> {
        let total = self
            .count(
                "SELECT COUNT(*) FROM community_resources WHERE (CAST($1 AS TEXT) IS NULL OR dataset_id = $1) \
                 AND (CAST($2 AS TEXT) IS NULL OR owner_id = $2) AND (CAST($3 AS TEXT) IS NULL OR org_id = $3)",
                params![filter.dataset.clone(), filter.owner.clone(), filter.organization.clone()],
            )
            .await?;
        let sql = if filter.ascending {
            "SELECT doc FROM community_resources WHERE (CAST($1 AS TEXT) IS NULL OR dataset_id = $1) \
             AND (CAST($2 AS TEXT) IS NULL OR owner_id = $2) AND (CAST($3 AS TEXT) IS NULL OR org_id = $3) \
             ORDER BY created_at, id LIMIT $4 OFFSET $5"
        } else {
            "SELECT doc FROM community_resources WHERE (CAST($1 AS TEXT) IS NULL OR dataset_id = $1) \
             AND (CAST($2 AS TEXT) IS NULL OR owner_id = $2) AND (CAST($3 AS TEXT) IS NULL OR org_id = $3) \
             ORDER BY created_at DESC, id LIMIT $4 OFFSET $5"
        };
        let items = self
            .query(
                sql,
                params![
                    filter.dataset.clone(),
                    filter.owner.clone(),
                    filter.organization.clone(),
                    page.page_size,
                    page.offset()
                ],
            )
            .await?
            .iter()
            .map(community_from_row)
            .collect::<StoreResult<_>>()?;
        Ok(Paged { items, total })
    }

    /// Community resources of a user and of their organizations whose title contains `q`,
    /// latest change first.
    pub async fn community_resources_of_user_and_orgs(
        &self,
        user_id: &str,
        q: Option<&str>,
    ) -> StoreResult<Vec<CommunityResource>> {
        self.query(
            "SELECT doc FROM community_resources WHERE (owner_id = $1 OR org_id IN \
             (SELECT org_id FROM members WHERE user_id = $1)) AND title LIKE $2 ORDER BY last_modified DESC, id",
            params![user_id, like_pattern(q.unwrap_or(""))],
        )
        .await?
        .iter()
        .map(community_from_row)
        .collect()
    }
}
