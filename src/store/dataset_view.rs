//! A dataset with everything its page embeds (resources, organization, owner), read in one
//! statement: the hot path of `GET /datasets/{dataset}/`.

use super::datasets::dataset_from_row;
use super::organizations::org_from_row;
use super::resources::resource_from_row;
use super::sql::Row;
use super::users::user_from_row;
use super::{Store, StoreError, StoreResult};
use crate::domain::dataset::Dataset;
use crate::domain::organization::Organization;
use crate::domain::resource::Resource;
use crate::domain::user::User;
use crate::params;

/// A dataset, its resources in order, and the organization and owner it refers to (`None` when
/// unset or gone).
#[derive(Debug, Clone)]
pub struct DatasetView {
    pub dataset: Dataset,
    pub resources: Vec<Resource>,
    pub organization: Option<Organization>,
    pub owner: Option<User>,
}

/// The statement of a view, the dataset matched by `$match` (on `d`, `$1`). Each row is
/// `part, position`, then the columns of the part: 0 the dataset (the columns of
/// `dataset_from_row`), 1 a resource (`doc`), 2 the organization (`doc, followers,
/// members_count`), 3 the owner (`doc, followers`). No `ORDER BY` nor common table expression:
/// SQLite would build a temporary b-tree for each, which cost more than the rest of the
/// statement; resources are put in order afterwards.
macro_rules! view {
    ($match:literal, $dataset_id:literal) => {
        concat!(
            "SELECT 0, 0, d.doc, d.followers, d.reuses, d.views, d.resources_count, \
               d.open_format_resources, d.unavailable_resources, d.documented_resources, \
               d.last_modified, d.last_update FROM datasets d WHERE ", $match,
            " UNION ALL SELECT 1, r.position, r.doc, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL \
               FROM resources r WHERE r.dataset_id = ", $dataset_id,
            " UNION ALL SELECT 2, 0, o.doc, o.followers, o.members_count, NULL, NULL, NULL, NULL, NULL, NULL, NULL \
               FROM datasets d JOIN organizations o ON o.id = d.org_id WHERE ", $match,
            " UNION ALL SELECT 3, 0, u.doc, u.followers, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL \
               FROM datasets d JOIN users u ON u.id = d.owner_id WHERE ", $match
        )
    };
}

impl Store {
    /// The dataset whose id or current slug is `id_or_slug`, with its resources, organization
    /// and owner, in one statement. `None` when neither matches (old slugs are for
    /// [`Store::resolve_dataset`]).
    pub async fn dataset_view(&self, id_or_slug: &str) -> StoreResult<Option<DatasetView>> {
        // The id wins over another dataset's slug, as in `Store::resolve_dataset`.
        let by_id = view!("d.id = $1", "$1");
        let by_slug = view!("d.slug = $1", "(SELECT id FROM datasets WHERE slug = $1)");
        let mut rows = self.query(by_id, params![id_or_slug]).await?;
        if rows.is_empty() {
            rows = self.query(by_slug, params![id_or_slug]).await?;
        }
        let mut dataset = None;
        let mut resources = Vec::new();
        let mut organization = None;
        let mut owner = None;
        for row in rows {
            let part = row.int(0)?;
            let position = row.int(1)?;
            let row = Row(row.0.into_iter().skip(2).collect());
            match part {
                0 => dataset = Some(dataset_from_row(&row)?),
                1 => resources.push((position, resource_from_row(&row)?)),
                2 => organization = Some(org_from_row(&row)?),
                3 => owner = Some(user_from_row(&row)?),
                other => {
                    return Err(StoreError::Internal(format!(
                        "dataset view: unknown part {other}"
                    )));
                }
            }
        }
        let Some(dataset) = dataset else {
            return Ok(None);
        };
        resources.sort_by_key(|(position, _)| *position);
        Ok(Some(DatasetView {
            dataset,
            resources: resources.into_iter().map(|(_, r)| r).collect(),
            organization,
            owner,
        }))
    }
}
