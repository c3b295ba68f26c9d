-- Engine nodes that share this store: each registers at start and heartbeats (times are Unix
-- milliseconds of the database's clock, the same clock the delivery leases use).
CREATE TABLE nodes (
    id TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    version TEXT NOT NULL,
    http_address TEXT NOT NULL,
    -- JSON array of "channel: source kind address" descriptions.
    sources TEXT NOT NULL,
    config_version TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    heartbeat_at BIGINT NOT NULL,
    stopped_at BIGINT
);

-- A polled source (file, SFTP, database) is polled by one node at a time: the node holding
-- its lease, until the lease runs out unless extended.
CREATE TABLE source_leases (
    channel TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    lease_until BIGINT NOT NULL
);
