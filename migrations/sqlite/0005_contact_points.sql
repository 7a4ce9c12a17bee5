-- Contact points (uData's ContactPoint): a name, an email and/or a contact form, a role, owned
-- by a user or an organization. Every field is a column: lists read them all, and the identity
-- index needs them. `search` is the folded name, email and contact form the suggestions match;
-- `created_at` keeps lists in creation order (ids only sort by the second).
CREATE TABLE contact_points (
    id TEXT PRIMARY KEY,
    owner_id TEXT,
    org_id TEXT,
    name TEXT NOT NULL,
    email TEXT,
    contact_form TEXT,
    role TEXT NOT NULL,
    search TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX contact_points_owner ON contact_points (owner_id, created_at);
CREATE INDEX contact_points_org ON contact_points (org_id, created_at);
-- uData creates a contact point only when none holds the same values (get_or_create): no two
-- rows may, even when two identical creations race.
CREATE UNIQUE INDEX contact_points_identity ON contact_points (
    name, role, COALESCE(email, ''), COALESCE(contact_form, ''), COALESCE(owner_id, ''),
    COALESCE(org_id, '')
);
