-- The geozone registry (uData's GeoLevel and GeoZone): reference data loaded at first start
-- (assets/geolevels.json, assets/geozones.json) and by `plateau spatial load`.
-- `position` keeps the levels in load order, as uData lists them.
CREATE TABLE geolevels (
    id TEXT PRIMARY KEY,
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    admin_level BIGINT
);

-- `geoid` is `level:code` lowercased, what a dataset's `spatial.zones` entry is matched on
-- (uData resolves a GeoID by level and code); `search` holds the folded name, code and id that
-- suggestions match a substring of.
CREATE TABLE geozones (
    id TEXT PRIMARY KEY,
    level TEXT NOT NULL,
    code TEXT NOT NULL,
    geoid TEXT NOT NULL,
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    uri TEXT,
    search TEXT NOT NULL
);
CREATE INDEX geozones_level_code ON geozones (level, code, id);
CREATE INDEX geozones_geoid ON geozones (geoid);

-- The zones of visible datasets (public, not deleted, not archived), one row per zone and
-- dataset, rewritten with the dataset in the same transaction: a zone's datasets (oldest first)
-- and its count are an index range, whatever the catalogue's size.
CREATE TABLE zone_datasets (
    dataset_id TEXT NOT NULL,
    zone_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (dataset_id, zone_id)
);
CREATE INDEX zone_datasets_zone ON zone_datasets (zone_id, created_at, dataset_id);

INSERT INTO zone_datasets (dataset_id, zone_id, created_at)
SELECT DISTINCT d.id, z.value, d.created_at
FROM datasets d, json_each(d.doc, '$.spatial.zones') z
WHERE d.private = 0 AND d.deleted IS NULL AND d.archived IS NULL AND z.type = 'text';
