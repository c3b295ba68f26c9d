-- Switchboard foundation schema (SQLite). Times are Unix milliseconds, money integer cents,
-- quantities integer thousandths. Every natural key has a unique index so upserts are idempotent.
-- `revision` counts real changes: 1 when created, +1 on each update that changed something.

CREATE TABLE patients (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    family_name TEXT,
    given_name TEXT,
    middle_name TEXT,
    birth_date TEXT,
    gender TEXT,
    phone TEXT,
    address_line TEXT,
    city TEXT,
    state TEXT,
    postal_code TEXT,
    country TEXT,
    revision INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE patient_identifiers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    patient_id INTEGER NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
    system TEXT NOT NULL,
    value TEXT NOT NULL,
    type_code TEXT,
    UNIQUE (system, value)
);
CREATE INDEX patient_identifiers_patient ON patient_identifiers(patient_id);

CREATE TABLE providers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    npi TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    tax_id TEXT,
    taxonomy TEXT,
    revision INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE payers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    payer_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    claim_type TEXT NOT NULL,
    receiver_id TEXT,
    receiver_qualifier TEXT,
    revision INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE payer_contracts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    payer_id INTEGER NOT NULL REFERENCES payers(id),
    name TEXT NOT NULL,
    effective_from TEXT,
    effective_to TEXT,
    deductible_cents INTEGER NOT NULL DEFAULT 0,
    copay_cents INTEGER NOT NULL DEFAULT 0,
    coinsurance_basis_points INTEGER NOT NULL DEFAULT 0,
    timely_filing_days INTEGER,
    revision INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (payer_id, name)
);

CREATE TABLE contract_fees (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    contract_id INTEGER NOT NULL REFERENCES payer_contracts(id) ON DELETE CASCADE,
    procedure_code TEXT NOT NULL,
    modifiers TEXT NOT NULL DEFAULT '',
    allowed_cents INTEGER NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (contract_id, procedure_code, modifiers)
);

CREATE TABLE encounters (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    visit_number TEXT NOT NULL UNIQUE,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    class TEXT,
    status TEXT,
    admitted_at TEXT,
    discharged_at TEXT,
    location TEXT,
    facility TEXT,
    attending_provider_id INTEGER REFERENCES providers(id),
    revision INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX encounters_patient ON encounters(patient_id);

CREATE TABLE coverages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    payer_id INTEGER NOT NULL REFERENCES payers(id),
    member_id TEXT NOT NULL,
    plan_name TEXT,
    group_number TEXT,
    subscriber_name TEXT,
    relationship TEXT,
    priority INTEGER NOT NULL DEFAULT 1,
    effective_from TEXT,
    effective_to TEXT,
    revision INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (patient_id, payer_id, member_id)
);

CREATE TABLE bills (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    encounter_id INTEGER NOT NULL UNIQUE REFERENCES encounters(id),
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    status TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE bill_lines (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    bill_id INTEGER NOT NULL REFERENCES bills(id) ON DELETE CASCADE,
    line_key TEXT NOT NULL,
    service_date TEXT NOT NULL,
    procedure_code TEXT NOT NULL,
    modifiers TEXT NOT NULL DEFAULT '',
    revenue_code TEXT,
    diagnosis_codes TEXT NOT NULL DEFAULT '',
    units_thousandths INTEGER NOT NULL,
    charge_cents INTEGER NOT NULL,
    description TEXT,
    revision INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (bill_id, line_key)
);

CREATE TABLE claim_batches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    payer_id INTEGER NOT NULL REFERENCES payers(id),
    interchange_control_number INTEGER NOT NULL UNIQUE,
    group_control_number INTEGER NOT NULL,
    file_name TEXT,
    status TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    submitted_at INTEGER
);

CREATE TABLE control_numbers (
    name TEXT PRIMARY KEY,
    last_value INTEGER NOT NULL
);

CREATE TABLE claims (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    claim_number TEXT NOT NULL UNIQUE,
    bill_id INTEGER NOT NULL REFERENCES bills(id),
    payer_id INTEGER NOT NULL REFERENCES payers(id),
    coverage_id INTEGER REFERENCES coverages(id),
    batch_id INTEGER REFERENCES claim_batches(id),
    claim_type TEXT NOT NULL,
    status TEXT NOT NULL,
    total_charge_cents INTEGER NOT NULL,
    paid_cents INTEGER NOT NULL DEFAULT 0,
    patient_responsibility_cents INTEGER NOT NULL DEFAULT 0,
    payer_claim_number TEXT,
    transaction_control_number TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX claims_payer_status ON claims(payer_id, status);

CREATE TABLE claim_lines (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    claim_id INTEGER NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
    line_number INTEGER NOT NULL,
    bill_line_id INTEGER REFERENCES bill_lines(id),
    procedure_code TEXT NOT NULL,
    modifiers TEXT NOT NULL DEFAULT '',
    revenue_code TEXT,
    service_date TEXT NOT NULL,
    units_thousandths INTEGER NOT NULL,
    charge_cents INTEGER NOT NULL,
    paid_cents INTEGER NOT NULL DEFAULT 0,
    UNIQUE (claim_id, line_number)
);

CREATE TABLE remittances (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    payer_identifier TEXT NOT NULL,
    trace_number TEXT NOT NULL,
    payer_id INTEGER REFERENCES payers(id),
    message_id INTEGER,
    payment_cents INTEGER NOT NULL,
    credit_debit TEXT,
    payment_method TEXT,
    payment_date TEXT,
    balanced INTEGER NOT NULL,
    balance_notes TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (payer_identifier, trace_number)
);

CREATE TABLE remittance_claims (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    remittance_id INTEGER NOT NULL REFERENCES remittances(id) ON DELETE CASCADE,
    claim_id INTEGER REFERENCES claims(id),
    patient_control_number TEXT NOT NULL,
    status_code TEXT NOT NULL,
    charge_cents INTEGER NOT NULL,
    paid_cents INTEGER NOT NULL,
    patient_responsibility_cents INTEGER NOT NULL DEFAULT 0,
    payer_claim_number TEXT,
    match_status TEXT NOT NULL,
    outcome TEXT
);
CREATE INDEX remittance_claims_claim ON remittance_claims(claim_id);

CREATE TABLE remittance_lines (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    remittance_claim_id INTEGER NOT NULL REFERENCES remittance_claims(id) ON DELETE CASCADE,
    claim_line_id INTEGER REFERENCES claim_lines(id),
    procedure_code TEXT NOT NULL,
    modifiers TEXT NOT NULL DEFAULT '',
    original_procedure_code TEXT,
    service_date TEXT,
    units_thousandths INTEGER,
    charge_cents INTEGER NOT NULL,
    paid_cents INTEGER NOT NULL,
    line_control_number TEXT
);

CREATE TABLE adjustments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    remittance_claim_id INTEGER NOT NULL REFERENCES remittance_claims(id) ON DELETE CASCADE,
    remittance_line_id INTEGER REFERENCES remittance_lines(id) ON DELETE CASCADE,
    group_code TEXT NOT NULL,
    reason_code TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    quantity_thousandths INTEGER
);

CREATE TABLE provider_adjustments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    remittance_id INTEGER NOT NULL REFERENCES remittances(id) ON DELETE CASCADE,
    provider_identifier TEXT NOT NULL,
    fiscal_period_date TEXT,
    reason_code TEXT NOT NULL,
    reference TEXT,
    amount_cents INTEGER NOT NULL
);

CREATE TABLE reconciliations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    remittance_claim_id INTEGER NOT NULL REFERENCES remittance_claims(id),
    claim_id INTEGER REFERENCES claims(id),
    bill_line_id INTEGER REFERENCES bill_lines(id),
    entry_kind TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    reason TEXT,
    actor TEXT NOT NULL,
    source TEXT,
    created_at INTEGER NOT NULL
);

CREATE TABLE messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    control_id TEXT,
    status TEXT NOT NULL,
    error TEXT,
    size_bytes INTEGER NOT NULL,
    raw BLOB NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX messages_channel_control_id ON messages(channel, control_id) WHERE control_id IS NOT NULL;
CREATE INDEX messages_received ON messages(received_at);
CREATE INDEX messages_channel_status ON messages(channel, status, received_at);

CREATE TABLE message_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT
);
CREATE INDEX message_events_message ON message_events(message_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER,
    last_used_at INTEGER,
    revoked_at INTEGER
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    actor TEXT,
    role TEXT,
    action TEXT NOT NULL,
    resource TEXT NOT NULL,
    remote_addr TEXT,
    outcome INTEGER NOT NULL
);
CREATE INDEX audit_log_at ON audit_log(at);
