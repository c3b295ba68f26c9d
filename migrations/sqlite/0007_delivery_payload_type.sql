-- The MIME type of a delivery's transformed payload (canonical records are application/json,
-- a FHIR Bundle application/fhir+json); NULL when the destination gets the raw message.
ALTER TABLE deliveries ADD COLUMN payload_type TEXT;
