//! Datasets: one row each (document + the columns lists, filters and sorts use), slug history,
//! the lists of `/datasets/`, `/organizations/{org}/datasets/` and `/me/`, suggestions.
//! Resources live in their own rows (`resources.rs`).

use super::organizations::Resolved;
use super::sql::{Row, Stmt, Value};
use std::collections::HashMap;

use super::{PageRequest, Paged, Store, StoreError, StoreResult, like_pattern, list_param};
use crate::domain::dataset::{Dataset, DatasetCounters};
use crate::domain::resource::Resource;
use crate::domain::slug;
use crate::params;

/// The change-log kind of an organization's count of public datasets: each write that changes
/// it logs one, with the organization's id, in its own transaction.
pub const ORGANIZATION_DATASETS: &str = "organization_datasets";

/// Sort orders of dataset lists (`sort=` values without the `-` prefix).
pub const DATASET_SORTS: &[&str] = &[
    "title",
    "created",
    "last_update",
    "reuses",
    "followers",
    "views",
];

/// The columns every dataset read selects, in the order [`dataset_from_row`] reads them.
macro_rules! dataset_columns {
    () => {
        "doc, followers, reuses, views, resources_count, open_format_resources, \
         unavailable_resources, documented_resources, last_modified, last_update"
    };
}

/// A statement ordering by one of [`DATASET_SORTS`] (newest first by default); `$head` names a
/// macro giving the statement up to its `ORDER BY`, `$tail` follows it.
macro_rules! by_sort {
    ($sort:expr, $head:ident, $tail:literal) => {
        match $sort {
            Some("title") => concat!($head!(), " ORDER BY title, id", $tail),
            Some("-title") => concat!($head!(), " ORDER BY title DESC, id", $tail),
            Some("created") => concat!($head!(), " ORDER BY created_at, id", $tail),
            Some("last_update") => concat!($head!(), " ORDER BY last_update, id", $tail),
            Some("-last_update") => concat!($head!(), " ORDER BY last_update DESC, id", $tail),
            Some("reuses") => concat!($head!(), " ORDER BY reuses, id", $tail),
            Some("-reuses") => concat!($head!(), " ORDER BY reuses DESC, id", $tail),
            Some("followers") => concat!($head!(), " ORDER BY followers, id", $tail),
            Some("-followers") => concat!($head!(), " ORDER BY followers DESC, id", $tail),
            Some("views") => concat!($head!(), " ORDER BY views, id", $tail),
            Some("-views") => concat!($head!(), " ORDER BY views DESC, id", $tail),
            _ => concat!($head!(), " ORDER BY created_at DESC, id", $tail),
        }
    };
}

/// The `WHERE` of `GET /datasets/`: visibility for the caller, then each filter, which is
/// inactive when its parameter is NULL (or `%` for patterns).
macro_rules! list_where {
    () => {
        "WHERE (CAST($16 AS BIGINT) = 1 OR (private = 0 AND archived IS NULL AND deleted IS NULL) OR owner_id = $17 \
           OR org_id IN (SELECT org_id FROM members WHERE user_id = $17)) \
         AND search LIKE $1 AND search LIKE $2 AND search LIKE $3 AND search LIKE $4 AND tags LIKE $5 \
         AND (CAST($6 AS TEXT) IS NULL OR license = $6) \
         AND (CAST($7 AS BIGINT) IS NULL OR featured = $7) \
         AND (CAST($8 AS TEXT) IS NULL OR org_id = $8) \
         AND (CAST($9 AS TEXT) IS NULL OR owner_id = $9) \
         AND badges LIKE $10 \
         AND (CAST($11 AS TEXT) IS NULL OR org_id IN (SELECT id FROM organizations WHERE badges LIKE $11)) \
         AND (CAST($12 AS TEXT) IS NULL OR id IN (SELECT following_id FROM follows WHERE kind = 'dataset' \
           AND follower_id = $12 AND until IS NULL)) \
         AND (CAST($13 AS TEXT) IS NULL OR id IN (SELECT dataset_id FROM resources WHERE format = $13)) \
         AND (CAST($14 AS TEXT) IS NULL OR id IN (SELECT dataset_id FROM resources WHERE schema_name = $14)) \
         AND (CAST($15 AS TEXT) IS NULL OR id IN (SELECT dataset_id FROM resources WHERE schema_version = $15)) \
         AND (CAST($18 AS BIGINT) IS NULL OR ($18 = 1 AND archived IS NOT NULL) OR ($18 = 0 AND archived IS NULL)) \
         AND (CAST($19 AS BIGINT) IS NULL OR ($19 = 1 AND deleted IS NOT NULL) OR ($19 = 0 AND deleted IS NULL)) \
         AND (CAST($20 AS BIGINT) IS NULL OR private = $20) \
         AND zones LIKE $21 \
         AND (CAST($22 AS TEXT) IS NULL OR granularity = $22) \
         AND (CAST($23 AS BIGINT) IS NULL OR temporal_start >= $23) \
         AND (CAST($24 AS BIGINT) IS NULL OR temporal_start <= $24)"
    };
}

macro_rules! list_head {
    () => {
        concat!(
            "SELECT ",
            dataset_columns!(),
            " FROM datasets ",
            list_where!()
        )
    };
}

macro_rules! org_list_head {
    () => {
        concat!(
            "SELECT ",
            dataset_columns!(),
            " FROM datasets WHERE org_id = $1 AND (CAST($2 AS BIGINT) = 1 OR (private = 0 AND deleted IS NULL))"
        )
    };
}

/// Reads a row of [`dataset_columns!`].
pub(crate) fn dataset_from_row(row: &Row) -> StoreResult<Dataset> {
    let mut dataset: Dataset = serde_json::from_str(row.str(0)?)
        .map_err(|e| StoreError::Internal(format!("corrupt dataset document: {e}")))?;
    dataset.counters = DatasetCounters {
        followers: row.int(1)?,
        reuses: row.int(2)?,
        views: row.int(3)?,
        resources: row.int(4)?,
        open_format_resources: row.int(5)?,
        unavailable_resources: row.int(6)?,
        documented_resources: row.int(7)?,
        last_update: row.int(9)?,
    };
    // Resource changes bump the column without rewriting the document.
    dataset.last_modified = row.int(8)?;
    Ok(dataset)
}

/// Whether the dataset counts among its organization's public datasets.
pub(crate) fn is_public(d: &Dataset) -> bool {
    !d.private && d.deleted.is_none()
}

fn doc(dataset: &Dataset) -> String {
    serde_json::to_string(dataset).expect("a dataset serializes")
}

/// A `LIKE` pattern requiring each of `values` in a `,a,b,` column, `%` when there is none.
fn all_of_pattern(values: &[String]) -> String {
    let mut sorted: Vec<&String> = values.iter().collect();
    sorted.sort();
    sorted.dedup();
    let mut pattern = String::from("%");
    for value in sorted {
        pattern.push_str(&format!(",{value},%"));
    }
    pattern
}

/// Up to four `LIKE` patterns, all of which a row must match: one per word of `q` (words
/// beyond the fourth join the last pattern, in order).
fn word_patterns(q: Option<&str>) -> [String; 4] {
    let words: Vec<String> = q
        .unwrap_or("")
        .split_whitespace()
        .map(|w| like_pattern(w).trim_matches('%').to_owned())
        .filter(|w| !w.is_empty())
        .collect();
    let mut patterns: [String; 4] = Default::default();
    for (i, pattern) in patterns.iter_mut().enumerate() {
        *pattern = match i {
            3 if words.len() > 4 => format!("%{}%", words[3..].join("%")),
            _ => words
                .get(i)
                .map_or_else(|| "%".to_owned(), |w| format!("%{w}%")),
        };
    }
    patterns
}

/// The filters of a dataset list, already validated.
#[derive(Debug, Clone, Default)]
pub struct DatasetFilter {
    pub q: Option<String>,
    pub tags: Vec<String>,
    pub license: Option<String>,
    pub featured: Option<bool>,
    pub organization: Option<String>,
    pub owner: Option<String>,
    pub badge: Option<String>,
    pub organization_badge: Option<String>,
    pub followed_by: Option<String>,
    pub format: Option<String>,
    pub schema: Option<String>,
    pub schema_version: Option<String>,
    pub geozone: Option<String>,
    pub granularity: Option<String>,
    /// Bounds on the temporal coverage's start.
    pub temporal_start: Option<(i64, i64)>,
    pub archived: Option<bool>,
    pub deleted: Option<bool>,
    pub private: Option<bool>,
    pub sort: Option<String>,
}

/// Who is listing: what they may see beyond public datasets.
#[derive(Debug, Clone, Default)]
pub struct Viewer {
    pub user_id: Option<String>,
    pub sysadmin: bool,
}

impl Store {
    /// Creates a dataset with a free slug from its title, and its first resources in order.
    pub async fn create_dataset(
        &self,
        mut dataset: Dataset,
        resources: &[Resource],
    ) -> StoreResult<Dataset> {
        let base = slug::slugify(&dataset.title);
        for attempt in 0..5 {
            dataset.slug = self.free_slug("datasets", &base).await?;
            let mut stmts = vec![Self::insert_dataset_stmt(&dataset)];
            stmts.extend(Self::zone_datasets_stmts(&dataset, false));
            for (position, resource) in resources.iter().enumerate() {
                stmts.push(Self::insert_resource_stmt(
                    &dataset.id,
                    position as i64,
                    resource,
                ));
            }
            stmts.push(Self::resource_counters_stmt(
                &dataset.id,
                ResourceDelta::of_all(resources, 1),
                dataset.last_modified,
            ));
            stmts.push(Stmt::change(
                "dataset",
                &dataset.id,
                "create",
                dataset.created_at,
            ));
            if let Some(org) = dataset
                .organization
                .as_deref()
                .filter(|_| is_public(&dataset))
            {
                stmts.push(Stmt::change(
                    ORGANIZATION_DATASETS,
                    org,
                    "update",
                    dataset.created_at,
                ));
            }
            match self.write(stmts).await {
                Ok(_) => {
                    return self
                        .dataset_by_id(&dataset.id)
                        .await?
                        .ok_or(StoreError::NotFound);
                }
                Err(StoreError::Conflict(msg)) if msg.contains("slug") && attempt < 4 => continue,
                Err(e) => return Err(e),
            }
        }
        Err(StoreError::Conflict("could not find a free slug".into()))
    }

    /// Inserts a dataset row with its follower, reuse and view counters; the resource counters
    /// follow from [`Store::resource_counters_stmt`] once its resources are inserted.
    pub(crate) fn insert_dataset_stmt(d: &Dataset) -> Stmt {
        Stmt::new(
            "INSERT INTO datasets (id, slug, title, owner_id, org_id, private, deleted, archived, featured, \
             created_at, last_modified, last_update, license, search, tags, badges, zones, granularity, \
             temporal_start, doc, followers, reuses, views) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
             $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)",
            params![
                &d.id,
                &d.slug,
                slug::fold(&d.title),
                d.owner.clone(),
                d.organization.clone(),
                d.private,
                d.deleted,
                d.archived,
                d.featured,
                d.created_at,
                d.last_modified,
                d.last_modified,
                d.license.clone(),
                d.search_text(),
                d.tags_column(),
                d.badges_column(),
                d.zones_column(),
                d.spatial.as_ref().and_then(|s| s.granularity.clone()),
                d.temporal_coverage.as_ref().map(|t| t.start),
                doc(d),
                d.counters.followers,
                d.counters.reuses,
                d.counters.views
            ],
        )
    }

    pub async fn dataset_by_id(&self, id: &str) -> StoreResult<Option<Dataset>> {
        self.query_one(
            concat!(
                "SELECT ",
                dataset_columns!(),
                " FROM datasets WHERE id = $1"
            ),
            params![id],
        )
        .await?
        .map(|r| dataset_from_row(&r))
        .transpose()
    }

    /// The datasets of `ids` that exist, in the order of `ids`, in one statement.
    pub async fn datasets_by_ids(&self, ids: &[String]) -> StoreResult<Vec<Dataset>> {
        let mut found: HashMap<String, Dataset> = self
            .query(
                concat!(
                    "SELECT ",
                    dataset_columns!(),
                    " FROM datasets WHERE id IN (SELECT value FROM plateau_list($1))"
                ),
                params![list_param(ids)],
            )
            .await?
            .iter()
            .map(|row| dataset_from_row(row).map(|d| (d.id.clone(), d)))
            .collect::<StoreResult<_>>()?;
        Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
    }

    /// The ids of an organization's datasets, private and deleted included.
    pub async fn dataset_ids_of_org(&self, org_id: &str) -> StoreResult<Vec<String>> {
        self.query("SELECT id FROM datasets WHERE org_id = $1", params![org_id])
            .await?
            .iter()
            .map(|r| r.text(0))
            .collect()
    }

    /// The organizations `ids` belong to now.
    pub async fn organizations_of_datasets(&self, ids: &[String]) -> StoreResult<Vec<String>> {
        self.query(
            "SELECT DISTINCT org_id FROM datasets WHERE id IN (SELECT value FROM plateau_list($1)) \
             AND org_id IS NOT NULL",
            params![list_param(ids)],
        )
        .await?
        .iter()
        .map(|r| r.text(0))
        .collect()
    }

    /// How many public datasets each of `org_ids` has (absent: none).
    pub async fn public_dataset_counts(
        &self,
        org_ids: &[String],
    ) -> StoreResult<HashMap<String, i64>> {
        self.query(
            "SELECT org_id, COUNT(*) FROM datasets WHERE org_id IN (SELECT value FROM plateau_list($1)) \
             AND private = 0 AND deleted IS NULL GROUP BY org_id",
            params![list_param(org_ids)],
        )
        .await?
        .iter()
        .map(|r| Ok((r.text(0)?, r.int(1)?)))
        .collect()
    }

    /// Resolves a path value: id or current slug; then slug history and the slugified value,
    /// which answer [`Resolved::Moved`].
    pub async fn resolve_dataset(&self, value: &str) -> StoreResult<Resolved<Dataset>> {
        let by_id_or_slug = concat!(
            "SELECT ",
            dataset_columns!(),
            " FROM datasets WHERE id = $1 OR slug = $1 ORDER BY CASE WHEN id = $1 THEN 0 ELSE 1 END LIMIT 1"
        );
        if let Some(row) = self.query_one(by_id_or_slug, params![value]).await? {
            return Ok(Resolved::Found(dataset_from_row(&row)?));
        }
        let history = "SELECT object_id FROM slug_history WHERE kind = 'dataset' AND old_slug = $1";
        if let Some(row) = self.query_one(history, params![value]).await?
            && let Some(dataset) = self.dataset_by_id(&row.text(0)?).await?
        {
            return Ok(Resolved::Moved(dataset));
        }
        let slugified = slug::slugify(value);
        if slugified != value
            && let Some(row) = self.query_one(by_id_or_slug, params![&slugified]).await?
        {
            return Ok(Resolved::Moved(dataset_from_row(&row)?));
        }
        Ok(Resolved::NotFound)
    }

    /// Saves a changed dataset (its document and columns, never its resources). A changed
    /// title moves the slug; the old one keeps answering with a redirect.
    pub async fn update_dataset(&self, d: &mut Dataset, title_changed: bool) -> StoreResult<()> {
        let old_slug = d.slug.clone();
        if title_changed {
            let base = slug::slugify(&d.title);
            if base != old_slug {
                d.slug = self.free_slug("datasets", &base).await?;
            }
        }
        let mut stmts = vec![
            Self::organization_datasets_stmt(d),
            Stmt::new(
                "UPDATE datasets SET slug = $2, title = $3, owner_id = $4, org_id = $5, private = $6, deleted = $7, \
                 archived = $8, featured = $9, last_modified = $10, license = $11, search = $12, tags = $13, \
                 badges = $14, zones = $15, granularity = $16, temporal_start = $17, doc = $18, \
                 last_update = COALESCE((SELECT MAX(last_modified) FROM resources WHERE dataset_id = $1), $10), \
                 version = version + 1 WHERE id = $1",
                params![
                    &d.id,
                    &d.slug,
                    slug::fold(&d.title),
                    d.owner.clone(),
                    d.organization.clone(),
                    d.private,
                    d.deleted,
                    d.archived,
                    d.featured,
                    d.last_modified,
                    d.license.clone(),
                    d.search_text(),
                    d.tags_column(),
                    d.badges_column(),
                    d.zones_column(),
                    d.spatial.as_ref().and_then(|s| s.granularity.clone()),
                    d.temporal_coverage.as_ref().map(|t| t.start),
                    doc(d)
                ],
            )
            .expect_one(),
        ];
        stmts.extend(Self::zone_datasets_stmts(d, true));
        stmts.push(Stmt::change(
            "dataset",
            &d.id,
            if d.deleted.is_some() {
                "delete"
            } else {
                "update"
            },
            d.last_modified,
        ));
        if d.slug != old_slug {
            stmts.push(Stmt::new(
                "INSERT INTO slug_history (kind, old_slug, object_id) VALUES ('dataset', $1, $2) \
                 ON CONFLICT (kind, old_slug) DO UPDATE SET object_id = excluded.object_id",
                params![&old_slug, &d.id],
            ));
            stmts.push(Stmt::new(
                "DELETE FROM slug_history WHERE kind = 'dataset' AND old_slug = $1",
                params![&d.slug],
            ));
        }
        self.write(stmts).await?;
        if let Some(fresh) = self.dataset_by_id(&d.id).await? {
            d.counters = fresh.counters;
        }
        Ok(())
    }

    /// Logs [`ORGANIZATION_DATASETS`], before the dataset's row takes the state of `d`, for
    /// each organization whose count of public datasets that changes: the one the dataset was
    /// public in, if it no longer is; the one it is public in now, if it was not.
    fn organization_datasets_stmt(d: &Dataset) -> Stmt {
        Stmt::changes_found(
            "INSERT INTO changes (kind, object_id, op, at) \
             SELECT 'organization_datasets', org, 'update', CAST($4 AS BIGINT) FROM ( \
               SELECT org_id AS org FROM datasets WHERE id = $1 AND org_id IS NOT NULL \
                 AND private = 0 AND deleted IS NULL \
                 AND NOT (CAST($3 AS BIGINT) = 1 AND org_id = COALESCE(CAST($2 AS TEXT), '')) \
               UNION \
               SELECT CAST($2 AS TEXT) FROM datasets WHERE id = $1 AND CAST($2 AS TEXT) IS NOT NULL \
                 AND CAST($3 AS BIGINT) = 1 \
                 AND NOT (private = 0 AND deleted IS NULL AND COALESCE(org_id, '') = CAST($2 AS TEXT)) \
             ) AS moved RETURNING kind, object_id",
            params![&d.id, d.organization.clone(), is_public(d), d.last_modified],
        )
    }

    /// A page of `GET /datasets/`: what `viewer` may see, filtered and sorted.
    pub async fn list_datasets(
        &self,
        filter: &DatasetFilter,
        viewer: &Viewer,
        page: PageRequest,
    ) -> StoreResult<Paged<Dataset>> {
        let [w1, w2, w3, w4] = word_patterns(filter.q.as_deref());
        let flag = |v: Option<bool>| Value::Int(v.map(i64::from));
        let mut params: Vec<Value> = params![
            w1,
            w2,
            w3,
            w4,
            all_of_pattern(&filter.tags),
            filter.license.clone(),
            None::<i64>,
            filter.organization.clone(),
            filter.owner.clone(),
            all_of_pattern(filter.badge.as_slice()),
            filter
                .organization_badge
                .as_ref()
                .map(|b| format!("%,{b},%")),
            filter.followed_by.clone(),
            filter.format.clone(),
            filter.schema.clone(),
            filter.schema_version.clone(),
            viewer.sysadmin,
            viewer.user_id.clone(),
            None::<i64>,
            None::<i64>,
            None::<i64>,
            all_of_pattern(filter.geozone.as_slice()),
            filter.granularity.clone(),
            filter.temporal_start.map(|(from, _)| from),
            filter.temporal_start.map(|(_, to)| to)
        ];
        params[6] = flag(filter.featured);
        params[17] = flag(filter.archived);
        params[18] = flag(filter.deleted);
        params[19] = flag(filter.private);
        let total = self
            .count(
                concat!("SELECT COUNT(*) FROM datasets ", list_where!()),
                params.clone(),
            )
            .await?;
        let sql: &'static str =
            by_sort!(filter.sort.as_deref(), list_head, " LIMIT $25 OFFSET $26");
        params.push(page.page_size.into());
        params.push(page.offset().into());
        let items = self
            .query(sql, params)
            .await?
            .iter()
            .map(dataset_from_row)
            .collect::<StoreResult<_>>()?;
        Ok(Paged { items, total })
    }

    /// A page of an organization's datasets; private and deleted ones only if `with_private`.
    pub async fn organization_datasets(
        &self,
        org_id: &str,
        with_private: bool,
        sort: Option<&str>,
        page: PageRequest,
    ) -> StoreResult<Paged<Dataset>> {
        let total = self
            .count(
                "SELECT COUNT(*) FROM datasets WHERE org_id = $1 AND (CAST($2 AS BIGINT) = 1 OR (private = 0 AND deleted IS NULL))",
                params![org_id, with_private],
            )
            .await?;
        let sql: &'static str = by_sort!(sort, org_list_head, " LIMIT $3 OFFSET $4");
        let items = self
            .query(
                sql,
                params![org_id, with_private, page.page_size, page.offset()],
            )
            .await?
            .iter()
            .map(dataset_from_row)
            .collect::<StoreResult<_>>()?;
        Ok(Paged { items, total })
    }

    /// Every dataset a user owns, private and deleted ones included, newest first.
    pub async fn datasets_owned_by(&self, user_id: &str) -> StoreResult<Vec<Dataset>> {
        self.query(
            concat!(
                "SELECT ",
                dataset_columns!(),
                " FROM datasets WHERE owner_id = $1 ORDER BY created_at DESC, id"
            ),
            params![user_id],
        )
        .await?
        .iter()
        .map(dataset_from_row)
        .collect()
    }

    /// Datasets of a user and of their organizations whose title contains `q`, latest change
    /// first.
    pub async fn datasets_of_user_and_orgs(
        &self,
        user_id: &str,
        q: Option<&str>,
    ) -> StoreResult<Vec<Dataset>> {
        self.query(
            concat!(
                "SELECT ",
                dataset_columns!(),
                " FROM datasets WHERE (owner_id = $1 OR org_id IN (SELECT org_id FROM members WHERE user_id = $1)) \
                 AND title LIKE $2 ORDER BY last_modified DESC, id"
            ),
            params![user_id, like_pattern(q.unwrap_or(""))],
        )
        .await?
        .iter()
        .map(dataset_from_row)
        .collect()
    }

    /// Public datasets whose title or acronym contains `q`, most followed first.
    pub async fn suggest_datasets(&self, q: &str, size: i64) -> StoreResult<Vec<Dataset>> {
        self.query(
            concat!(
                "SELECT ",
                dataset_columns!(),
                " FROM datasets WHERE private = 0 AND deleted IS NULL AND archived IS NULL AND search LIKE $1 \
                 ORDER BY followers DESC, id LIMIT $2"
            ),
            params![like_pattern(q), size],
        )
        .await?
        .iter()
        .map(dataset_from_row)
        .collect()
    }

    /// Tags of public datasets containing `q`, shortest first (the database's answer while
    /// the search index is being built: it reads at most a thousand datasets).
    pub async fn suggest_tags(&self, q: &str, size: i64) -> StoreResult<Vec<String>> {
        let rows = self
            .query(
                "SELECT tags FROM datasets WHERE private = 0 AND deleted IS NULL AND archived IS NULL \
                 AND tags LIKE $1 LIMIT 1000",
                params![like_pattern(q)],
            )
            .await?;
        let needle = slug::fold(q.trim());
        let mut tags: Vec<String> = Vec::new();
        for row in &rows {
            for tag in row.text(0)?.split(',') {
                if !tag.is_empty() && tag.contains(&needle) && !tags.iter().any(|t| t == tag) {
                    tags.push(tag.to_owned());
                }
            }
        }
        tags.sort_by(|a, b| (a.len(), a).cmp(&(b.len(), b)));
        tags.truncate(usize::try_from(size).unwrap_or(0));
        Ok(tags)
    }

    /// The latest public datasets, newest first, for the Atom feed.
    pub async fn recent_datasets(&self, size: i64) -> StoreResult<Vec<Dataset>> {
        self.query(
            concat!(
                "SELECT ",
                dataset_columns!(),
                " FROM datasets WHERE private = 0 AND deleted IS NULL AND archived IS NULL \
                 ORDER BY created_at DESC, id LIMIT $1"
            ),
            params![size],
        )
        .await?
        .iter()
        .map(dataset_from_row)
        .collect()
    }

    /// How many public datasets a user owns (their `metrics.datasets`).
    pub async fn public_datasets_of_user(&self, user_id: &str) -> StoreResult<i64> {
        self.count(
            "SELECT COUNT(*) FROM datasets WHERE owner_id = $1 AND private = 0 AND deleted IS NULL",
            params![user_id],
        )
        .await
    }

    /// How many public datasets an organization publishes (its `metrics.datasets`).
    pub async fn public_datasets_of_org(&self, org_id: &str) -> StoreResult<i64> {
        self.count(
            "SELECT COUNT(*) FROM datasets WHERE org_id = $1 AND private = 0 AND deleted IS NULL",
            params![org_id],
        )
        .await
    }

    /// Public datasets and their resources, for the site metrics.
    pub async fn public_dataset_and_resource_counts(&self) -> StoreResult<(i64, i64)> {
        match self
            .query_one(
                "SELECT COUNT(*), CAST(COALESCE(SUM(resources_count), 0) AS BIGINT) FROM datasets \
                 WHERE private = 0 AND deleted IS NULL",
                params![],
            )
            .await?
        {
            Some(row) => Ok((row.int(0)?, row.int(1)?)),
            None => Ok((0, 0)),
        }
    }

    /// How many datasets the organizations of a user publish, private ones included.
    pub async fn datasets_of_orgs_of(&self, user_id: &str) -> StoreResult<i64> {
        self.count(
            "SELECT COUNT(*) FROM datasets WHERE deleted IS NULL AND org_id IN \
             (SELECT org_id FROM members WHERE user_id = $1)",
            params![user_id],
        )
        .await
    }
}

/// How a write changes a dataset's resource counters.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ResourceDelta {
    pub count: i64,
    pub open_format: i64,
    pub unavailable: i64,
    pub documented: i64,
}

impl ResourceDelta {
    /// `sign` times the contribution of each resource.
    pub fn of_all(resources: &[Resource], sign: i64) -> Self {
        let mut delta = ResourceDelta::default();
        for r in resources {
            delta.count += sign;
            delta.open_format += sign * i64::from(r.has_open_format());
            delta.unavailable += sign * i64::from(r.is_unavailable());
            delta.documented += sign * i64::from(r.is_documented());
        }
        delta
    }

    /// The change from `old` to `new` of one resource.
    pub fn replacing(old: &Resource, new: &Resource) -> Self {
        let removed = Self::of_all(std::slice::from_ref(old), -1);
        let added = Self::of_all(std::slice::from_ref(new), 1);
        ResourceDelta {
            count: 0,
            open_format: removed.open_format + added.open_format,
            unavailable: removed.unavailable + added.unavailable,
            documented: removed.documented + added.documented,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        assert_eq!(
            all_of_pattern(&["b".into(), "a".into()]),
            "%,a,%,b,%".to_owned()
        );
        assert_eq!(all_of_pattern(&[]), "%");
        let [a, b, c, d] = word_patterns(Some("Eau  potable"));
        assert_eq!((a.as_str(), b.as_str()), ("%eau%", "%potable%"));
        assert_eq!((c.as_str(), d.as_str()), ("%", "%"));
        let [_, _, _, last] = word_patterns(Some("a b c d e"));
        assert_eq!(last, "%d%e%");
    }
}
