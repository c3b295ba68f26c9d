-- Every version of a FHIR resource kept as JSON (fhir_versions) is an event of the outbox too,
-- written in the transaction of the change: `resource.created` (its first version),
-- `resource.updated`, `resource.deleted` (a tombstone). record_type is `resource`, record_id the
-- fhir_versions row, detail names the resource ({"type": ..., "id": ...}). `canonical` sources
-- hand these on like any other event; the FHIR subscriptions channel reads them.
CREATE FUNCTION fhir_versions_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO canonical_events (kind, record_type, record_id, revision, changed, detail, at)
    VALUES (CASE WHEN NEW.raw IS NULL THEN 'resource.deleted'
                 WHEN NEW.version = 1 THEN 'resource.created'
                 ELSE 'resource.updated' END,
            'resource', NEW.id, NEW.version, '',
            json_build_object('type', NEW.resource_type, 'id', NEW.logical_id)::text, NEW.updated_at);
    RETURN NULL;
END;
$$;
CREATE TRIGGER fhir_versions_outbox AFTER INSERT ON fhir_versions
    FOR EACH ROW EXECUTE FUNCTION fhir_versions_outbox();

-- Which subscriptions a notification delivery has reached: a delivery retried after one of its
-- subscriptions' endpoints failed is not sent again to those that already have it.
CREATE TABLE subscription_notifications (
    delivery_id BIGINT NOT NULL,
    subscription_id TEXT NOT NULL,
    sent_at BIGINT NOT NULL,
    PRIMARY KEY (delivery_id, subscription_id)
);
