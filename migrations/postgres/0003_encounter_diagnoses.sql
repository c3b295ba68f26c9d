-- Diagnoses of a visit (ICD-10, comma-separated, principal first), e.g. from HL7 DG1 segments.
ALTER TABLE encounters ADD COLUMN diagnosis_codes TEXT NOT NULL DEFAULT '';
