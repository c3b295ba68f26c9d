-- FHIR resources as received: the raw JSON of each resource's latest write, so nothing a client
-- sent is lost, beside the canonical record it maps to (the logical id names that record).
CREATE TABLE fhir_resources (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    resource_type TEXT NOT NULL,
    logical_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    raw TEXT NOT NULL,
    canonical_key TEXT NOT NULL,
    canonical_revision INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (resource_type, logical_id)
);
