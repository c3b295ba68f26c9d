-- Questions to payers kept with the patient's coverage. A request about a member is found
-- from the coverage by payer and member id (the index below), so a check or an authorization
-- made before the coverage arrived, or kept through a patient merge, still shows with it.
-- A prior authorization keeps what it covers in columns of its own, for the claims that need
-- its number: the procedure, the date of service asked, the authorization number and the days
-- it is valid (the payer's certification period, the date of service otherwise).
ALTER TABLE payer_inquiries ADD COLUMN procedure_code TEXT;
ALTER TABLE payer_inquiries ADD COLUMN service_date TEXT;
ALTER TABLE payer_inquiries ADD COLUMN authorization_number TEXT;
ALTER TABLE payer_inquiries ADD COLUMN valid_from TEXT;
ALTER TABLE payer_inquiries ADD COLUMN valid_to TEXT;
CREATE INDEX payer_inquiries_member ON payer_inquiries(payer_id, subject, kind);
