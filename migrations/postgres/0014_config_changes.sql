-- Configuration changes made through the API (channel files written or deployed, channels
-- undeployed, started, stopped or paused, archives imported), in the order every node applies
-- them. `version` is the configuration version: a node that has applied every change up to N
-- runs configuration version N. `change` is the change as JSON.
CREATE TABLE config_changes (
    version BIGSERIAL PRIMARY KEY,
    node TEXT NOT NULL,
    actor TEXT NOT NULL,
    change TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- The last configuration change each node has applied.
ALTER TABLE nodes ADD COLUMN config_applied BIGINT NOT NULL DEFAULT 0;
