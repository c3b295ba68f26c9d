-- What kind of message each one is and who sent it, as the console lists and filters them:
-- HL7 v2 MSH-9 (`ADT^A08`), X12 ST01 (`835`), FHIR resourceType (`Patient`); MSH-3^MSH-4,
-- ISA06. Empty for messages stored before, and for unreadable ones.
ALTER TABLE messages ADD COLUMN message_type TEXT;
ALTER TABLE messages ADD COLUMN sender TEXT;
CREATE INDEX messages_type ON messages(message_type, id);
CREATE INDEX messages_sender ON messages(sender, id);
