CREATE TABLE users (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL UNIQUE,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    apikey_hash TEXT UNIQUE,
    password_hash TEXT,
    is_admin INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1,
    deleted INTEGER,
    created_at INTEGER NOT NULL,
    search TEXT NOT NULL,
    followers INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 0,
    doc TEXT NOT NULL
);
CREATE INDEX users_created ON users (created_at);

CREATE TABLE organizations (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    deleted INTEGER,
    created_at INTEGER NOT NULL,
    last_modified INTEGER NOT NULL,
    search TEXT NOT NULL,
    badges TEXT NOT NULL DEFAULT '',
    business_number_id TEXT,
    followers INTEGER NOT NULL DEFAULT 0,
    members_count INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 0,
    doc TEXT NOT NULL
);
CREATE INDEX organizations_created ON organizations (created_at);
CREATE INDEX organizations_name ON organizations (name);

CREATE TABLE members (
    org_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    role TEXT NOT NULL,
    since INTEGER NOT NULL,
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX members_user ON members (user_id);

CREATE TABLE membership_requests (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    status TEXT NOT NULL,
    comment TEXT,
    created INTEGER NOT NULL,
    handled_by TEXT,
    handled_on INTEGER,
    refusal_comment TEXT
);
CREATE INDEX membership_requests_org ON membership_requests (org_id, created);

CREATE TABLE follows (
    id TEXT PRIMARY KEY,
    follower_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    following_id TEXT NOT NULL,
    since INTEGER NOT NULL,
    until INTEGER
);
CREATE UNIQUE INDEX follows_active ON follows (kind, following_id, follower_id) WHERE until IS NULL;
CREATE INDEX follows_follower ON follows (follower_id);

CREATE TABLE slug_history (
    kind TEXT NOT NULL,
    old_slug TEXT NOT NULL,
    object_id TEXT NOT NULL,
    PRIMARY KEY (kind, old_slug)
);

CREATE TABLE site (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL
);

CREATE TABLE changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    object_id TEXT NOT NULL,
    op TEXT NOT NULL,
    at INTEGER NOT NULL
);
