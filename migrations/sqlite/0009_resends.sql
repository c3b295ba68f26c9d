-- A resend is the same channel, the same sender, the same control id and the same content.
-- resend_key holds the sender and its control id (HL7 v2 MSH-3, MSH-4, MSH-10; X12 ISA05,
-- ISA06, ISA13 and the transaction set codes; a FHIR Bundle's identifier) and content_hash the
-- SHA-256 of the content as received, without whitespace and line endings at its end.
-- Messages stored before this migration keep NULL in both: their sender was not recorded and
-- their content has no hash, so nothing is taken for a resend of them (a resend of one is stored
-- and processed as a new message).
ALTER TABLE messages ADD COLUMN resend_key TEXT;
ALTER TABLE messages ADD COLUMN content_hash TEXT;

-- Senders reuse control ids: a control id is no longer unique per channel. The index still
-- serves searches by control id, and finds the latest earlier message with one.
DROP INDEX messages_channel_control_id;
CREATE INDEX messages_channel_control_id ON messages(channel, control_id, id) WHERE control_id IS NOT NULL;

-- One kept message per channel, resend key and content; a message that failed (status error)
-- holds no place, so its resend is stored and processed again.
CREATE UNIQUE INDEX messages_resend ON messages(channel, resend_key, content_hash) WHERE resend_key IS NOT NULL AND status <> 'error';
