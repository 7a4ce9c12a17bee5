-- Datasets: one document per dataset (without its resources) plus the columns lists, filters,
-- sorts and the quality score need. Resources have their own rows so that a dataset with tens of
-- thousands of them is never rewritten or re-read whole to add, change or read one.
CREATE TABLE datasets (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    owner_id TEXT,
    org_id TEXT,
    private BIGINT NOT NULL DEFAULT 0,
    deleted BIGINT,
    archived BIGINT,
    featured BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    last_modified BIGINT NOT NULL,
    last_update BIGINT NOT NULL,
    license TEXT,
    search TEXT NOT NULL,
    tags TEXT NOT NULL DEFAULT '',
    badges TEXT NOT NULL DEFAULT '',
    zones TEXT NOT NULL DEFAULT '',
    granularity TEXT,
    temporal_start BIGINT,
    followers BIGINT NOT NULL DEFAULT 0,
    reuses BIGINT NOT NULL DEFAULT 0,
    views BIGINT NOT NULL DEFAULT 0,
    resources_count BIGINT NOT NULL DEFAULT 0,
    open_format_resources BIGINT NOT NULL DEFAULT 0,
    unavailable_resources BIGINT NOT NULL DEFAULT 0,
    documented_resources BIGINT NOT NULL DEFAULT 0,
    version BIGINT NOT NULL DEFAULT 0,
    doc TEXT NOT NULL
);
CREATE INDEX datasets_created ON datasets (created_at);
CREATE INDEX datasets_last_update ON datasets (last_update);
CREATE INDEX datasets_last_modified ON datasets (last_modified);
CREATE INDEX datasets_title ON datasets (title);
CREATE INDEX datasets_owner ON datasets (owner_id);
CREATE INDEX datasets_org ON datasets (org_id);

CREATE TABLE resources (
    id TEXT PRIMARY KEY,
    dataset_id TEXT NOT NULL,
    position BIGINT NOT NULL,
    filetype TEXT NOT NULL,
    type TEXT NOT NULL,
    format TEXT,
    url TEXT NOT NULL,
    mime TEXT,
    schema_name TEXT,
    schema_version TEXT,
    created_at BIGINT NOT NULL,
    last_modified BIGINT NOT NULL,
    open_format BIGINT NOT NULL DEFAULT 0,
    unavailable BIGINT NOT NULL DEFAULT 0,
    documented BIGINT NOT NULL DEFAULT 0,
    doc TEXT NOT NULL
);
CREATE INDEX resources_dataset ON resources (dataset_id, position);
CREATE INDEX resources_dataset_modified ON resources (dataset_id, last_modified);
CREATE INDEX resources_format ON resources (format);
CREATE INDEX resources_mime ON resources (mime);
CREATE INDEX resources_schema ON resources (schema_name);

CREATE TABLE community_resources (
    id TEXT PRIMARY KEY,
    dataset_id TEXT NOT NULL,
    owner_id TEXT,
    org_id TEXT,
    title TEXT NOT NULL,
    url TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_modified BIGINT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX community_resources_dataset ON community_resources (dataset_id, created_at);
CREATE INDEX community_resources_owner ON community_resources (owner_id, created_at);
CREATE INDEX community_resources_org ON community_resources (org_id, created_at);
CREATE INDEX community_resources_created ON community_resources (created_at);
