-- Reconciliation detail: how each remittance claim was matched (auto or by hand), what each
-- service line was matched to and what the contract says it should have paid, the remark
-- codes (RARC) of the 835, and the service dates and member id needed to match claims.
ALTER TABLE remittance_claims ADD COLUMN matched_by TEXT;
ALTER TABLE remittance_claims ADD COLUMN matched_at INTEGER;
ALTER TABLE remittance_claims ADD COLUMN member_id TEXT;
ALTER TABLE remittance_claims ADD COLUMN service_from TEXT;
ALTER TABLE remittance_claims ADD COLUMN service_to TEXT;
CREATE INDEX remittance_claims_match ON remittance_claims(match_status);
ALTER TABLE remittance_lines ADD COLUMN original_modifiers TEXT;
ALTER TABLE remittance_lines ADD COLUMN expected_paid_cents INTEGER;
ALTER TABLE remittance_lines ADD COLUMN variance_cents INTEGER;
ALTER TABLE remittance_lines ADD COLUMN variance_note TEXT;
CREATE INDEX remittance_lines_claim ON remittance_lines(remittance_claim_id);
CREATE INDEX adjustments_claim ON adjustments(remittance_claim_id);
CREATE INDEX reconciliations_claim ON reconciliations(claim_id);
CREATE INDEX reconciliations_bill_line ON reconciliations(bill_line_id);
ALTER TABLE reconciliations ADD COLUMN remittance_line_id INTEGER REFERENCES remittance_lines(id);

CREATE TABLE remittance_remarks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    remittance_claim_id INTEGER NOT NULL REFERENCES remittance_claims(id) ON DELETE CASCADE,
    remittance_line_id INTEGER REFERENCES remittance_lines(id) ON DELETE CASCADE,
    qualifier TEXT NOT NULL,
    code TEXT NOT NULL
);
CREATE INDEX remittance_remarks_claim ON remittance_remarks(remittance_claim_id);
CREATE INDEX claims_payer_claim_number ON claims(payer_claim_number);
