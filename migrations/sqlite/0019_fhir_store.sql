-- FHIR resources of the types without a canonical table (Observation, Condition, Appointment,
-- Immunization, ...): every version of each, as validated JSON, and the search index of the
-- current version.
--
-- fhir_versions holds every version, a delete being a version without JSON (a tombstone). Its
-- id orders every change the store took, for system-level history and for subscriptions.
-- `method` is the interaction that made the version (POST, PUT, PATCH, DELETE); `message_id`
-- names the inbound message it was made from, when it came from HL7 v2.
CREATE TABLE fhir_versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    resource_type TEXT NOT NULL,
    logical_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    method TEXT NOT NULL,
    raw TEXT,
    updated_at INTEGER NOT NULL,
    message_id INTEGER,
    UNIQUE (resource_type, logical_id, version)
);
CREATE INDEX fhir_versions_type ON fhir_versions (resource_type, id);
CREATE INDEX fhir_versions_message ON fhir_versions (message_id) WHERE message_id IS NOT NULL;

-- The current version of each resource (`raw` NULL and `deleted` 1 once deleted).
CREATE TABLE fhir_current (
    resource_type TEXT NOT NULL,
    logical_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    raw TEXT,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (resource_type, logical_id)
);
CREATE INDEX fhir_current_updated ON fhir_current (resource_type, updated_at);

-- The search index of the current versions, one table per search-parameter type, rewritten on
-- every write of the resource (and emptied on its delete). `param` is the search parameter's
-- code as the R4 specification names it for the type.
--
-- token: `system` may be NULL (a code without a system, or a boolean).
CREATE TABLE fhir_index_token (
    resource_type TEXT NOT NULL,
    logical_id TEXT NOT NULL,
    param TEXT NOT NULL,
    system TEXT,
    code TEXT NOT NULL
);
CREATE INDEX fhir_index_token_lookup ON fhir_index_token (resource_type, param, code, system);
CREATE INDEX fhir_index_token_resource ON fhir_index_token (resource_type, logical_id);

-- string: `value` normalized (lower case, accents and punctuation folded) for prefix matches.
CREATE TABLE fhir_index_string (
    resource_type TEXT NOT NULL,
    logical_id TEXT NOT NULL,
    param TEXT NOT NULL,
    value TEXT NOT NULL
);
CREATE INDEX fhir_index_string_lookup ON fhir_index_string (resource_type, param, value);
CREATE INDEX fhir_index_string_resource ON fhir_index_string (resource_type, logical_id);

-- date: the period the value covers, as Unix milliseconds [low, high] inclusive.
CREATE TABLE fhir_index_date (
    resource_type TEXT NOT NULL,
    logical_id TEXT NOT NULL,
    param TEXT NOT NULL,
    low INTEGER NOT NULL,
    high INTEGER NOT NULL
);
CREATE INDEX fhir_index_date_lookup ON fhir_index_date (resource_type, param, low);
CREATE INDEX fhir_index_date_resource ON fhir_index_date (resource_type, logical_id);

-- reference: a resolved `Type/id` (target_type and target_id), or only `url` for an absolute
-- or unresolvable one. A reference to a canonical Patient is `Patient` and its canonical id.
CREATE TABLE fhir_index_reference (
    resource_type TEXT NOT NULL,
    logical_id TEXT NOT NULL,
    param TEXT NOT NULL,
    target_type TEXT,
    target_id TEXT,
    url TEXT
);
CREATE INDEX fhir_index_reference_target ON fhir_index_reference (target_id, target_type, param, resource_type);
CREATE INDEX fhir_index_reference_resource ON fhir_index_reference (resource_type, logical_id);

-- quantity and number: `value` with the unit's `system` and `code` (NULL for a number).
CREATE TABLE fhir_index_quantity (
    resource_type TEXT NOT NULL,
    logical_id TEXT NOT NULL,
    param TEXT NOT NULL,
    value REAL NOT NULL,
    system TEXT,
    code TEXT
);
CREATE INDEX fhir_index_quantity_lookup ON fhir_index_quantity (resource_type, param, value);
CREATE INDEX fhir_index_quantity_resource ON fhir_index_quantity (resource_type, logical_id);

-- uri: the exact value.
CREATE TABLE fhir_index_uri (
    resource_type TEXT NOT NULL,
    logical_id TEXT NOT NULL,
    param TEXT NOT NULL,
    value TEXT NOT NULL
);
CREATE INDEX fhir_index_uri_lookup ON fhir_index_uri (resource_type, param, value);
CREATE INDEX fhir_index_uri_resource ON fhir_index_uri (resource_type, logical_id);
