//! The site object: one row holding the editable settings; metrics are counted live.

use super::sql::Stmt;
use super::{Store, StoreError, StoreResult};
use crate::params;
use serde::{Deserialize, Serialize};

/// The editable settings of the site (`PATCH /site/`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SiteSettings {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub keywords: Vec<String>,
    pub feed_size: i64,
    #[serde(default)]
    pub datasets_page: Option<String>,
    #[serde(default)]
    pub reuses_page: Option<String>,
    #[serde(default)]
    pub dataservices_page: Option<String>,
}

impl SiteSettings {
    pub fn default_for(id: &str) -> Self {
        SiteSettings {
            id: id.to_owned(),
            title: "Plateau".into(),
            keywords: vec!["opendata".into(), "plateau".into()],
            feed_size: 20,
            datasets_page: None,
            reuses_page: None,
            dataservices_page: None,
        }
    }
}

/// Live counts of the site's objects.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SiteCounts {
    pub organizations: i64,
    pub users: i64,
    pub followers: i64,
    pub datasets: i64,
    pub resources: i64,
}

impl Store {
    /// The stored settings, or defaults (site id `id`) when never set.
    pub async fn site_settings(&self, id: &str) -> StoreResult<SiteSettings> {
        match self
            .query_one("SELECT doc FROM site WHERE id = 'site'", params![])
            .await?
        {
            Some(row) => serde_json::from_str(row.str(0)?)
                .map_err(|e| StoreError::Internal(format!("corrupt site document: {e}"))),
            None => Ok(SiteSettings::default_for(id)),
        }
    }

    pub async fn save_site_settings(&self, settings: &SiteSettings, now: i64) -> StoreResult<()> {
        let doc = serde_json::to_string(settings).expect("site settings serialize");
        self.write(vec![
            Stmt::new(
                "INSERT INTO site (id, doc) VALUES ('site', $1) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc",
                params![doc],
            ),
            Stmt::change("site", "site", "update", now),
        ])
        .await
        .map(drop)
    }

    /// Counts served in the site's `metrics`. Each is one indexed aggregate.
    pub async fn site_counts(&self) -> StoreResult<SiteCounts> {
        let (datasets, resources) = self.public_dataset_and_resource_counts().await?;
        Ok(SiteCounts {
            datasets,
            resources,
            organizations: self
                .count(
                    "SELECT COUNT(*) FROM organizations WHERE deleted IS NULL",
                    params![],
                )
                .await?,
            users: self
                .count(
                    "SELECT COUNT(*) FROM users WHERE deleted IS NULL",
                    params![],
                )
                .await?,
            followers: self
                .count(
                    "SELECT COUNT(*) FROM follows WHERE until IS NULL",
                    params![],
                )
                .await?,
        })
    }
}
