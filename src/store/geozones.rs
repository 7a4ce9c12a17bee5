//! The geozone registry (`geolevels`, `geozones`), loaded at first start and by `plateau
//! spatial load`, and `zone_datasets`: the zones of visible datasets, kept with each dataset
//! write, so that a zone's datasets and counts are read from an index.

use std::collections::HashMap;

use super::sql::{Row, Stmt};
use super::{Store, StoreResult, like_pattern, list_param};
use crate::domain::dataset::Dataset;
use crate::domain::geozone::{
    DEFAULT_ADMIN_LEVEL, GeoLevel, GeoZone, geoid_key, shipped_levels, shipped_zones,
};
use crate::params;

fn zone_from_row(row: &Row) -> StoreResult<GeoZone> {
    Ok(GeoZone {
        id: row.text(0)?,
        slug: row.text(1)?,
        name: row.text(2)?,
        code: row.text(3)?,
        level: row.text(4)?,
        uri: row.opt_text(5)?,
    })
}

/// A zone with the number of visible datasets covering it.
#[derive(Debug, Clone)]
pub struct ZoneCoverage {
    pub zone: GeoZone,
    pub datasets: i64,
}

const UPSERT_LEVEL: &str = "INSERT INTO geolevels (id, position, name, admin_level) \
     VALUES ($1, (SELECT COALESCE(MAX(position), -1) + 1 FROM geolevels), $2, $3) \
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, admin_level = excluded.admin_level";

const UPSERT_ZONE: &str = "INSERT INTO geozones (id, level, code, geoid, slug, name, uri, search) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
     ON CONFLICT (id) DO UPDATE SET level = excluded.level, code = excluded.code, \
     geoid = excluded.geoid, slug = excluded.slug, name = excluded.name, uri = excluded.uri, \
     search = excluded.search";

fn upsert_zone_stmt(zone: &GeoZone) -> Stmt {
    Stmt::new(
        UPSERT_ZONE,
        params![
            zone.id.as_str(),
            zone.level.as_str(),
            zone.code.as_str(),
            zone.geoid_key(),
            zone.slug.as_str(),
            zone.name.as_str(),
            zone.uri.clone(),
            zone.search_text()
        ],
    )
}

impl Store {
    /// Every level, in load order (uData lists them in insertion order).
    pub async fn geolevels(&self) -> StoreResult<Vec<GeoLevel>> {
        self.query(
            "SELECT id, name, admin_level FROM geolevels ORDER BY position, id",
            params![],
        )
        .await?
        .iter()
        .map(|row| {
            Ok(GeoLevel {
                id: row.text(0)?,
                name: row.text(1)?,
                admin_level: row.opt_int(2)?,
            })
        })
        .collect()
    }

    /// Whether a level with this id exists.
    pub async fn geolevel_exists(&self, id: &str) -> StoreResult<bool> {
        Ok(self
            .query_one("SELECT 1 FROM geolevels WHERE id = $1", params![id])
            .await?
            .is_some())
    }

    /// Creates or replaces levels, in one transaction; a new level goes after the others, a
    /// replaced one keeps its place.
    pub async fn upsert_geolevels(&self, levels: &[GeoLevel], now: i64) -> StoreResult<()> {
        let mut stmts = Vec::with_capacity(levels.len() * 2);
        for level in levels {
            stmts.push(Stmt::new(
                UPSERT_LEVEL,
                params![level.id.as_str(), level.name.as_str(), level.admin_level],
            ));
            stmts.push(Stmt::change("geolevel", &level.id, "update", now));
        }
        self.write(stmts).await.map(drop)
    }

    /// Creates or replaces zones (by id), in one transaction.
    pub async fn upsert_geozones(&self, zones: &[GeoZone], now: i64) -> StoreResult<()> {
        let mut stmts = Vec::with_capacity(zones.len() * 2);
        for zone in zones {
            stmts.push(upsert_zone_stmt(zone));
            stmts.push(Stmt::change("geozone", &zone.id, "update", now));
        }
        self.write(stmts).await.map(drop)
    }

    /// How many zones the registry holds.
    pub async fn count_geozones(&self) -> StoreResult<i64> {
        self.count("SELECT COUNT(*) FROM geozones", params![]).await
    }

    /// Loads the shipped levels and zones into an empty registry (first start); a registry
    /// that holds anything is left alone. Safe when several nodes start at once.
    pub async fn seed_geozones(&self) -> StoreResult<()> {
        let mut stmts = Vec::new();
        if self
            .query_one("SELECT 1 FROM geolevels LIMIT 1", params![])
            .await?
            .is_none()
        {
            for (position, level) in shipped_levels().iter().enumerate() {
                stmts.push(Stmt::new(
                    "INSERT INTO geolevels (id, position, name, admin_level) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING",
                    params![
                        level.id.as_str(),
                        position as i64,
                        level.name.as_str(),
                        level.admin_level
                    ],
                ));
            }
        }
        if self
            .query_one("SELECT 1 FROM geozones LIMIT 1", params![])
            .await?
            .is_none()
        {
            stmts.extend(shipped_zones().iter().map(upsert_zone_stmt));
        }
        if stmts.is_empty() {
            return Ok(());
        }
        self.write(stmts).await.map(drop)
    }

    /// The zones named by `ids`, in their order (`None` for those unknown). Each is found by
    /// its exact id, else as a GeoID in any of its forms (validity suffix, `/`, case), as uData
    /// resolves the zones of a dataset by level and code.
    pub async fn resolve_geozones(&self, ids: &[String]) -> StoreResult<Vec<Option<GeoZone>>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let keys: Vec<String> = ids.iter().filter_map(|id| geoid_key(id)).collect();
        let rows = self
            .query(
                "SELECT id, slug, name, code, level, uri, geoid FROM geozones \
                 WHERE id IN (SELECT value FROM plateau_list($1)) \
                 UNION SELECT id, slug, name, code, level, uri, geoid FROM geozones \
                 WHERE geoid IN (SELECT value FROM plateau_list($2))",
                params![list_param(ids), list_param(&keys)],
            )
            .await?;
        let mut by_id = HashMap::new();
        let mut by_key = HashMap::new();
        for row in &rows {
            let zone = zone_from_row(row)?;
            by_key.entry(row.text(6)?).or_insert_with(|| zone.clone());
            by_id.insert(zone.id.clone(), zone);
        }
        Ok(ids
            .iter()
            .map(|id| {
                by_id
                    .get(id)
                    .or_else(|| geoid_key(id).and_then(|key| by_key.get(&key)))
                    .cloned()
            })
            .collect())
    }

    /// Zones whose name, code or id contains `q` (case and accents aside), the largest levels
    /// first (lowest admin level, as uData sorts them), then the shortest names.
    pub async fn suggest_geozones(&self, q: &str, size: i64) -> StoreResult<Vec<GeoZone>> {
        self.query(
            "SELECT g.id, g.slug, g.name, g.code, g.level, g.uri FROM geozones g \
             LEFT JOIN geolevels l ON l.id = g.level WHERE g.search LIKE $1 \
             ORDER BY COALESCE(l.admin_level, $3), LENGTH(g.name), g.search, g.id LIMIT $2",
            params![like_pattern(q), size, DEFAULT_ADMIN_LEVEL],
        )
        .await?
        .iter()
        .map(zone_from_row)
        .collect()
    }

    /// The zones of a level by code, each with its number of visible datasets (an index
    /// range count per zone).
    pub async fn geozone_coverage(&self, level: &str) -> StoreResult<Vec<ZoneCoverage>> {
        self.query(
            "SELECT g.id, g.slug, g.name, g.code, g.level, g.uri, \
             (SELECT COUNT(*) FROM zone_datasets z WHERE z.zone_id = g.id) \
             FROM geozones g WHERE g.level = $1 ORDER BY g.code, g.id",
            params![level],
        )
        .await?
        .iter()
        .map(|row| {
            Ok(ZoneCoverage {
                zone: zone_from_row(row)?,
                datasets: row.int(6)?,
            })
        })
        .collect()
    }

    /// At most `size` visible datasets covering a zone, oldest first.
    pub async fn zone_datasets(&self, zone_id: &str, size: i64) -> StoreResult<Vec<Dataset>> {
        let ids = self
            .query(
                "SELECT z.dataset_id FROM zone_datasets z JOIN datasets d ON d.id = z.dataset_id \
                 WHERE z.zone_id = $1 AND d.private = 0 AND d.deleted IS NULL \
                 AND d.archived IS NULL ORDER BY z.created_at, z.dataset_id LIMIT $2",
                params![zone_id, size],
            )
            .await?
            .iter()
            .map(|row| row.text(0))
            .collect::<StoreResult<Vec<_>>>()?;
        self.datasets_by_ids(&ids).await
    }

    /// The statements that keep `zone_datasets` up to date with a dataset being written:
    /// its rows are replaced by its zones when it is visible. `existing` when the dataset may
    /// have rows already.
    pub(crate) fn zone_datasets_stmts(d: &Dataset, existing: bool) -> Vec<Stmt> {
        let mut stmts = Vec::new();
        if existing {
            stmts.push(Stmt::new(
                "DELETE FROM zone_datasets WHERE dataset_id = $1",
                params![&d.id],
            ));
        }
        let visible = !d.private && d.deleted.is_none() && d.archived.is_none();
        if let Some(spatial) = d
            .spatial
            .as_ref()
            .filter(|s| visible && !s.zones.is_empty())
        {
            // `WHERE true`: SQLite needs it to read `ON CONFLICT` after `INSERT … SELECT`.
            stmts.push(Stmt::new(
                "INSERT INTO zone_datasets (dataset_id, zone_id, created_at) \
                 SELECT $1, value, $3 FROM plateau_list($2) WHERE true \
                 ON CONFLICT (dataset_id, zone_id) DO NOTHING",
                params![&d.id, list_param(&spatial.zones), d.created_at],
            ));
        }
        stmts
    }
}
