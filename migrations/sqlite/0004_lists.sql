-- Nothing to create: `plateau_list($1)` in shared statements is SQLite's own `json_each`
-- (see migrations/postgres/0004_lists.sql). The migration number is kept equal on both backends.
SELECT 1;
