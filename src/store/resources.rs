//! Resources, one row each, ordered by `position` within their dataset. Adding, reading,
//! changing or removing one is a bounded number of indexed statements whatever the dataset's
//! size: the dataset's counters are adjusted by the change, never recomputed from the others.
//! New resources go first, as in uData.

use super::datasets::ResourceDelta;
use super::sql::{Row, Stmt, Value};
use std::collections::HashMap;

use super::{Store, StoreError, StoreResult, like_pattern, list_param};
use crate::domain::resource::Resource;
use crate::domain::time::Micros;
use crate::params;

pub(crate) fn resource_from_row(row: &Row) -> StoreResult<Resource> {
    serde_json::from_str(row.str(0)?)
        .map_err(|e| StoreError::Internal(format!("corrupt resource document: {e}")))
}

/// The head of a resource insert, columns in the order of [`resource_params`].
macro_rules! insert_resource {
    () => {
        "INSERT INTO resources (id, dataset_id, position, filetype, type, format, url, mime, schema_name, \
         schema_version, created_at, last_modified, open_format, unavailable, documented, doc) "
    };
}

fn resource_params(dataset_id: &str, position: Option<i64>, r: &Resource) -> Vec<Value> {
    params![
        &r.id,
        dataset_id,
        position,
        &r.filetype,
        &r.kind,
        r.format.clone(),
        &r.url,
        r.mime.clone(),
        r.schema.as_ref().and_then(|s| s.name.clone()),
        r.schema.as_ref().and_then(|s| s.version.clone()),
        r.created_at,
        r.last_modified,
        r.has_open_format(),
        r.is_unavailable(),
        r.is_documented(),
        doc(r)
    ]
}

fn doc(resource: &Resource) -> String {
    serde_json::to_string(resource).expect("a resource serializes")
}

impl Store {
    /// Inserts a resource at a given position.
    pub(crate) fn insert_resource_stmt(dataset_id: &str, position: i64, r: &Resource) -> Stmt {
        Stmt::new(
            concat!(
                insert_resource!(),
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
            ),
            resource_params(dataset_id, Some(position), r),
        )
    }

    /// Inserts a resource before the dataset's others; the position is read in the write
    /// transaction (run it after [`Store::lock_dataset_stmt`] so concurrent adds queue up).
    fn insert_first_resource_stmt(dataset_id: &str, r: &Resource) -> Stmt {
        Stmt::new(
            concat!(
                insert_resource!(),
                "SELECT $1, $2, COALESCE(MIN(position), 0) - 1 + COALESCE(CAST($3 AS BIGINT), 0), $4, $5, $6, $7, $8, $9, \
                 $10, $11, $12, $13, $14, $15, $16 FROM resources WHERE dataset_id = $2"
            ),
            resource_params(dataset_id, None, r),
        )
    }

    /// Takes the dataset's row lock until the transaction ends (and requires the dataset).
    fn lock_dataset_stmt(dataset_id: &str) -> Stmt {
        Stmt::new(
            "UPDATE datasets SET version = version WHERE id = $1",
            params![dataset_id],
        )
        .expect_one()
    }

    /// Adjusts a dataset's resource counters by `delta`, bumps its modification date and
    /// recomputes `last_update` from the latest resource (one indexed lookup).
    pub(crate) fn resource_counters_stmt(
        dataset_id: &str,
        delta: ResourceDelta,
        now: Micros,
    ) -> Stmt {
        Stmt::new(
            "UPDATE datasets SET resources_count = resources_count + $2, \
             open_format_resources = open_format_resources + $3, \
             unavailable_resources = unavailable_resources + $4, \
             documented_resources = documented_resources + $5, last_modified = $6, \
             last_update = COALESCE((SELECT MAX(last_modified) FROM resources WHERE dataset_id = $1), $6), \
             version = version + 1 WHERE id = $1",
            params![
                dataset_id,
                delta.count,
                delta.open_format,
                delta.unavailable,
                delta.documented,
                now
            ],
        )
        .expect_one()
    }

    /// The resources of a dataset in order, in one statement.
    pub async fn resources_of(&self, dataset_id: &str) -> StoreResult<Vec<Resource>> {
        self.query(
            "SELECT doc FROM resources WHERE dataset_id = $1 ORDER BY position",
            params![dataset_id],
        )
        .await?
        .iter()
        .map(resource_from_row)
        .collect()
    }

    /// The resources of several datasets, each list in order, in one statement.
    pub async fn resources_of_many(
        &self,
        dataset_ids: &[String],
    ) -> StoreResult<HashMap<String, Vec<Resource>>> {
        let mut out: HashMap<String, Vec<Resource>> = HashMap::new();
        for row in self
            .query(
                "SELECT dataset_id, doc FROM resources WHERE dataset_id IN \
                 (SELECT value FROM plateau_list($1)) ORDER BY dataset_id, position",
                params![list_param(dataset_ids)],
            )
            .await?
        {
            let resource: Resource = serde_json::from_str(row.str(1)?)
                .map_err(|e| StoreError::Internal(format!("corrupt resource document: {e}")))?;
            out.entry(row.text(0)?).or_default().push(resource);
        }
        Ok(out)
    }

    /// One resource of a dataset.
    pub async fn resource(&self, dataset_id: &str, id: &str) -> StoreResult<Option<Resource>> {
        self.query_one(
            "SELECT doc FROM resources WHERE id = $1 AND dataset_id = $2",
            params![id, dataset_id],
        )
        .await?
        .map(|r| resource_from_row(&r))
        .transpose()
    }

    /// Adds a resource before the others.
    pub async fn add_resource(
        &self,
        dataset_id: &str,
        resource: &Resource,
        now: Micros,
    ) -> StoreResult<()> {
        self.write(vec![
            Self::lock_dataset_stmt(dataset_id),
            Self::insert_first_resource_stmt(dataset_id, resource),
            Self::resource_counters_stmt(
                dataset_id,
                ResourceDelta::of_all(std::slice::from_ref(resource), 1),
                now,
            ),
            Stmt::change("dataset", dataset_id, "update", now),
        ])
        .await
        .map(drop)
    }

    /// Adds resources after the others, in the given order, in one transaction (bulk loads,
    /// harvesting).
    pub async fn append_resources(
        &self,
        dataset_id: &str,
        resources: &[Resource],
        now: Micros,
    ) -> StoreResult<()> {
        let last = self
            .query_one(
                "SELECT MAX(position) FROM resources WHERE dataset_id = $1",
                params![dataset_id],
            )
            .await?
            .and_then(|r| r.opt_int(0).ok().flatten())
            .unwrap_or(-1);
        let mut stmts: Vec<Stmt> = resources
            .iter()
            .enumerate()
            .map(|(i, r)| Self::insert_resource_stmt(dataset_id, last + 1 + i as i64, r))
            .collect();
        stmts.push(Self::resource_counters_stmt(
            dataset_id,
            ResourceDelta::of_all(resources, 1),
            now,
        ));
        stmts.push(Stmt::change("dataset", dataset_id, "update", now));
        self.write(stmts).await.map(drop)
    }

    /// Saves a changed resource; `old` is its stored state, for the counters.
    pub async fn update_resource(
        &self,
        dataset_id: &str,
        old: &Resource,
        new: &Resource,
        now: Micros,
    ) -> StoreResult<()> {
        self.write(vec![
            Stmt::new(
                "UPDATE resources SET filetype = $3, type = $4, format = $5, url = $6, mime = $7, schema_name = $8, \
                 schema_version = $9, last_modified = $10, open_format = $11, unavailable = $12, documented = $13, \
                 doc = $14 WHERE id = $1 AND dataset_id = $2",
                params![
                    &new.id,
                    dataset_id,
                    &new.filetype,
                    &new.kind,
                    new.format.clone(),
                    &new.url,
                    new.mime.clone(),
                    new.schema.as_ref().and_then(|s| s.name.clone()),
                    new.schema.as_ref().and_then(|s| s.version.clone()),
                    new.last_modified,
                    new.has_open_format(),
                    new.is_unavailable(),
                    new.is_documented(),
                    doc(new)
                ],
            )
            .expect_one(),
            Self::resource_counters_stmt(dataset_id, ResourceDelta::replacing(old, new), now),
            Stmt::change("dataset", dataset_id, "update", now),
        ])
        .await
        .map(drop)
    }

    /// Removes a resource.
    pub async fn delete_resource(
        &self,
        dataset_id: &str,
        resource: &Resource,
        now: Micros,
    ) -> StoreResult<()> {
        self.write(vec![
            Stmt::new(
                "DELETE FROM resources WHERE id = $1 AND dataset_id = $2",
                params![&resource.id, dataset_id],
            )
            .expect_one(),
            Self::resource_counters_stmt(
                dataset_id,
                ResourceDelta::of_all(std::slice::from_ref(resource), -1),
                now,
            ),
            Stmt::change("dataset", dataset_id, "update", now),
        ])
        .await
        .map(drop)
    }

    /// The ids of a dataset's resources in order.
    pub async fn resource_ids(&self, dataset_id: &str) -> StoreResult<Vec<String>> {
        self.query(
            "SELECT id FROM resources WHERE dataset_id = $1 ORDER BY position",
            params![dataset_id],
        )
        .await?
        .iter()
        .map(|r| r.text(0))
        .collect()
    }

    /// Puts the resources in the order of `ids` (which must be exactly the dataset's resource
    /// ids): only the positions of resources that move are written.
    pub async fn reorder_resources(
        &self,
        dataset_id: &str,
        ids: &[String],
        now: Micros,
    ) -> StoreResult<()> {
        let current: Vec<(String, i64)> = self
            .query(
                "SELECT id, position FROM resources WHERE dataset_id = $1 ORDER BY position",
                params![dataset_id],
            )
            .await?
            .iter()
            .map(|r| Ok((r.text(0)?, r.int(1)?)))
            .collect::<StoreResult<_>>()?;
        let positions: std::collections::HashMap<&str, i64> =
            current.iter().map(|(id, p)| (id.as_str(), *p)).collect();
        let mut stmts = Vec::new();
        for (position, id) in ids.iter().enumerate() {
            if positions.get(id.as_str()) != Some(&(position as i64)) {
                stmts.push(
                    Stmt::new(
                        "UPDATE resources SET position = $3 WHERE id = $1 AND dataset_id = $2",
                        params![id, dataset_id, position as i64],
                    )
                    .expect_one(),
                );
            }
        }
        stmts.push(Self::resource_counters_stmt(
            dataset_id,
            ResourceDelta::default(),
            now,
        ));
        stmts.push(Stmt::change("dataset", dataset_id, "update", now));
        self.write(stmts).await.map(drop)
    }

    /// The current URL of a dataset resource or community resource, by resource id.
    pub async fn resource_url(&self, id: &str) -> StoreResult<Option<String>> {
        if let Some(row) = self
            .query_one("SELECT url FROM resources WHERE id = $1", params![id])
            .await?
        {
            return row.text(0).map(Some);
        }
        self.query_one(
            "SELECT url FROM community_resources WHERE id = $1",
            params![id],
        )
        .await?
        .map(|r| r.text(0))
        .transpose()
    }

    /// Distinct resource formats containing `q`, shortest first.
    pub async fn suggest_formats(&self, q: &str, size: i64) -> StoreResult<Vec<String>> {
        self.query(
            "SELECT DISTINCT format FROM resources WHERE format LIKE $1 ORDER BY format LIMIT 1000",
            params![like_pattern(q)],
        )
        .await
        .map(|rows| shortest_first(rows, size))
    }

    /// Distinct resource mime types containing `q`, shortest first.
    pub async fn suggest_mimes(&self, q: &str, size: i64) -> StoreResult<Vec<String>> {
        self.query(
            "SELECT DISTINCT mime FROM resources WHERE LOWER(mime) LIKE $1 ORDER BY mime LIMIT 1000",
            params![like_pattern(q)],
        )
        .await
        .map(|rows| shortest_first(rows, size))
    }
}

fn shortest_first(rows: Vec<Row>, size: i64) -> Vec<String> {
    let mut values: Vec<String> = rows
        .iter()
        .filter_map(|r| r.opt_text(0).ok().flatten())
        .collect();
    values.sort_by_key(|v| (v.len(), v.clone()));
    values.truncate(usize::try_from(size).unwrap_or(0));
    values
}
