-- The history of each claim: every status change with its reason (999, 277CA, operator).
CREATE TABLE claim_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    claim_id INTEGER NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
    at INTEGER NOT NULL,
    status TEXT NOT NULL,
    detail TEXT
);
CREATE INDEX claim_events_claim ON claim_events(claim_id);
CREATE INDEX claims_batch ON claims(batch_id, transaction_control_number);
