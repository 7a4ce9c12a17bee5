-- `plateau_list(json_array_text)`: the elements of a JSON array of strings, one row each, in a
-- column named `value`. Statements shared with SQLite write `IN (SELECT value FROM
-- plateau_list($1))` to match a list given as one parameter; SQLite runs them with its own
-- `json_each`, which has the same shape.
CREATE FUNCTION plateau_list(items TEXT) RETURNS TABLE (value TEXT)
    LANGUAGE sql IMMUTABLE STRICT
    AS $$ SELECT json_array_elements_text(CAST(items AS JSON)) $$;
