-- Bulk export jobs ($export): one row per kick-off. `scope` is `system` or `patient`, `types`
-- the `_type` list (comma-separated, empty: all), `since` the `_since` instant (Unix ms).
-- `status` is in-progress, completed or failed; a running job touches `heartbeat_at` (Unix ms)
-- after every page, and writes what it has done to `progress`. `output` is the manifest of a
-- completed job (JSON), `error` why a failed one stopped. The files are in the data
-- directory's exports/ID/.
CREATE TABLE fhir_exports (
    id TEXT PRIMARY KEY,
    request TEXT NOT NULL,
    scope TEXT NOT NULL,
    types TEXT NOT NULL,
    since INTEGER,
    status TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL,
    progress TEXT NOT NULL,
    output TEXT,
    error TEXT
);
