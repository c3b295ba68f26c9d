-- Questions asked of payers and their answers: eligibility (270/271), claim status (276/277)
-- and prior authorization (278). Each request is a stored message sent through the payer's
-- channel; the answer is matched back by the request's trace number (TRN02).
CREATE TABLE payer_inquiries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    payer_id TEXT NOT NULL,
    subject TEXT NOT NULL,
    trace_number TEXT NOT NULL UNIQUE,
    request TEXT NOT NULL,
    request_message_id INTEGER,
    status TEXT NOT NULL,
    error TEXT,
    outcome TEXT,
    answer TEXT,
    answer_message_id INTEGER,
    created_at INTEGER NOT NULL,
    answered_at INTEGER
);
CREATE INDEX payer_inquiries_kind ON payer_inquiries(kind, id);
