-- The outbox of the canonical store. Every change to a patient, visit, coverage, claim status or
-- remittance writes its event here in the transaction of the change, by the triggers below, so
-- that whatever wrote it (an HL7 v2 message, the FHIR API, an X12 file, the API) a committed
-- change has its event and a rolled-back one has none. `changed` lists the columns that
-- changed (comma-separated); `detail` is JSON: a claim's previous status, a merged patient's
-- identifiers. `canonical` sources read the events in id order; what each event became for a
-- source is kept in canonical_event_reads, so that after a crash it is handed on again as the
-- same message (a duplicate the channel recognises) and never as a second one.

CREATE TABLE canonical_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    record_type TEXT NOT NULL,
    record_id INTEGER NOT NULL,
    revision INTEGER,
    changed TEXT NOT NULL DEFAULT '',
    detail TEXT,
    at INTEGER NOT NULL
);

CREATE TABLE canonical_event_reads (
    source TEXT NOT NULL,
    event_id INTEGER NOT NULL REFERENCES canonical_events(id) ON DELETE CASCADE,
    content_type TEXT,
    payload BLOB,
    done INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (source, event_id)
);

CREATE TRIGGER patients_outbox_created AFTER INSERT ON patients BEGIN
    INSERT INTO canonical_events (kind, record_type, record_id, revision, changed, detail, at)
    VALUES ('patient.created', 'patient', NEW.id, NEW.revision, '', NULL, NEW.updated_at);
END;

CREATE TRIGGER patients_outbox_updated AFTER UPDATE ON patients
WHEN OLD.family_name IS NOT NEW.family_name OR OLD.given_name IS NOT NEW.given_name OR OLD.middle_name IS NOT NEW.middle_name OR OLD.birth_date IS NOT NEW.birth_date OR OLD.gender IS NOT NEW.gender OR OLD.phone IS NOT NEW.phone OR OLD.address_line IS NOT NEW.address_line OR OLD.city IS NOT NEW.city OR OLD.state IS NOT NEW.state OR OLD.postal_code IS NOT NEW.postal_code OR OLD.country IS NOT NEW.country
BEGIN
    INSERT INTO canonical_events (kind, record_type, record_id, revision, changed, detail, at)
    VALUES ('patient.updated', 'patient', NEW.id, NEW.revision, rtrim(CASE WHEN OLD.family_name IS NOT NEW.family_name THEN 'family_name,' ELSE '' END || CASE WHEN OLD.given_name IS NOT NEW.given_name THEN 'given_name,' ELSE '' END || CASE WHEN OLD.middle_name IS NOT NEW.middle_name THEN 'middle_name,' ELSE '' END || CASE WHEN OLD.birth_date IS NOT NEW.birth_date THEN 'birth_date,' ELSE '' END || CASE WHEN OLD.gender IS NOT NEW.gender THEN 'gender,' ELSE '' END || CASE WHEN OLD.phone IS NOT NEW.phone THEN 'phone,' ELSE '' END || CASE WHEN OLD.address_line IS NOT NEW.address_line THEN 'address_line,' ELSE '' END || CASE WHEN OLD.city IS NOT NEW.city THEN 'city,' ELSE '' END || CASE WHEN OLD.state IS NOT NEW.state THEN 'state,' ELSE '' END || CASE WHEN OLD.postal_code IS NOT NEW.postal_code THEN 'postal_code,' ELSE '' END || CASE WHEN OLD.country IS NOT NEW.country THEN 'country,' ELSE '' END, ','), NULL, NEW.updated_at);
END;

CREATE TRIGGER encounters_outbox_created AFTER INSERT ON encounters BEGIN
    INSERT INTO canonical_events (kind, record_type, record_id, revision, changed, detail, at)
    VALUES (CASE WHEN NEW.discharged_at IS NULL THEN 'visit.admitted' ELSE 'visit.discharged' END,
            'visit', NEW.id, NEW.revision, '', NULL, NEW.updated_at);
END;

CREATE TRIGGER encounters_outbox_updated AFTER UPDATE ON encounters
WHEN OLD.patient_id IS NOT NEW.patient_id OR OLD.class IS NOT NEW.class OR OLD.status IS NOT NEW.status OR OLD.admitted_at IS NOT NEW.admitted_at OR OLD.discharged_at IS NOT NEW.discharged_at OR OLD.location IS NOT NEW.location OR OLD.facility IS NOT NEW.facility OR OLD.attending_provider_id IS NOT NEW.attending_provider_id OR OLD.diagnosis_codes IS NOT NEW.diagnosis_codes OR OLD.self_pay IS NOT NEW.self_pay
BEGIN
    INSERT INTO canonical_events (kind, record_type, record_id, revision, changed, detail, at)
    VALUES (CASE WHEN OLD.discharged_at IS NULL AND NEW.discharged_at IS NOT NULL THEN 'visit.discharged' ELSE 'visit.updated' END,
            'visit', NEW.id, NEW.revision, rtrim(CASE WHEN OLD.patient_id IS NOT NEW.patient_id THEN 'patient_id,' ELSE '' END || CASE WHEN OLD.class IS NOT NEW.class THEN 'class,' ELSE '' END || CASE WHEN OLD.status IS NOT NEW.status THEN 'status,' ELSE '' END || CASE WHEN OLD.admitted_at IS NOT NEW.admitted_at THEN 'admitted_at,' ELSE '' END || CASE WHEN OLD.discharged_at IS NOT NEW.discharged_at THEN 'discharged_at,' ELSE '' END || CASE WHEN OLD.location IS NOT NEW.location THEN 'location,' ELSE '' END || CASE WHEN OLD.facility IS NOT NEW.facility THEN 'facility,' ELSE '' END || CASE WHEN OLD.attending_provider_id IS NOT NEW.attending_provider_id THEN 'attending_provider_id,' ELSE '' END || CASE WHEN OLD.diagnosis_codes IS NOT NEW.diagnosis_codes THEN 'diagnosis_codes,' ELSE '' END || CASE WHEN OLD.self_pay IS NOT NEW.self_pay THEN 'self_pay,' ELSE '' END, ','), NULL, NEW.updated_at);
END;

CREATE TRIGGER coverages_outbox_created AFTER INSERT ON coverages BEGIN
    INSERT INTO canonical_events (kind, record_type, record_id, revision, changed, detail, at)
    VALUES ('coverage.changed', 'coverage', NEW.id, NEW.revision, '', NULL, NEW.updated_at);
END;

CREATE TRIGGER coverages_outbox_updated AFTER UPDATE ON coverages
WHEN OLD.patient_id IS NOT NEW.patient_id OR OLD.payer_id IS NOT NEW.payer_id OR OLD.member_id IS NOT NEW.member_id OR OLD.plan_name IS NOT NEW.plan_name OR OLD.group_number IS NOT NEW.group_number OR OLD.subscriber_name IS NOT NEW.subscriber_name OR OLD.relationship IS NOT NEW.relationship OR OLD.priority IS NOT NEW.priority OR OLD.effective_from IS NOT NEW.effective_from OR OLD.effective_to IS NOT NEW.effective_to
BEGIN
    INSERT INTO canonical_events (kind, record_type, record_id, revision, changed, detail, at)
    VALUES ('coverage.changed', 'coverage', NEW.id, NEW.revision, rtrim(CASE WHEN OLD.patient_id IS NOT NEW.patient_id THEN 'patient_id,' ELSE '' END || CASE WHEN OLD.payer_id IS NOT NEW.payer_id THEN 'payer_id,' ELSE '' END || CASE WHEN OLD.member_id IS NOT NEW.member_id THEN 'member_id,' ELSE '' END || CASE WHEN OLD.plan_name IS NOT NEW.plan_name THEN 'plan_name,' ELSE '' END || CASE WHEN OLD.group_number IS NOT NEW.group_number THEN 'group_number,' ELSE '' END || CASE WHEN OLD.subscriber_name IS NOT NEW.subscriber_name THEN 'subscriber_name,' ELSE '' END || CASE WHEN OLD.relationship IS NOT NEW.relationship THEN 'relationship,' ELSE '' END || CASE WHEN OLD.priority IS NOT NEW.priority THEN 'priority,' ELSE '' END || CASE WHEN OLD.effective_from IS NOT NEW.effective_from THEN 'effective_from,' ELSE '' END || CASE WHEN OLD.effective_to IS NOT NEW.effective_to THEN 'effective_to,' ELSE '' END, ','), NULL, NEW.updated_at);
END;

CREATE TRIGGER claims_outbox_created AFTER INSERT ON claims BEGIN
    INSERT INTO canonical_events (kind, record_type, record_id, revision, changed, detail, at)
    VALUES ('claim.status_changed', 'claim', NEW.id, NULL, 'status', NULL, NEW.updated_at);
END;

CREATE TRIGGER claims_outbox_status AFTER UPDATE OF status ON claims
WHEN OLD.status IS NOT NEW.status
BEGIN
    INSERT INTO canonical_events (kind, record_type, record_id, revision, changed, detail, at)
    VALUES ('claim.status_changed', 'claim', NEW.id, NULL, 'status',
            json_object('previous_status', OLD.status), NEW.updated_at);
END;

CREATE TRIGGER remittances_outbox_posted AFTER INSERT ON remittances BEGIN
    INSERT INTO canonical_events (kind, record_type, record_id, revision, changed, detail, at)
    VALUES ('remittance.posted', 'remittance', NEW.id, NULL, '', NULL, NEW.created_at);
END;
