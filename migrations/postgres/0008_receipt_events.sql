-- What happened when a message was received (received, its routing trail, and the outcome),
-- as a JSON array of {"kind", "detail"}. It is written in the message's own row, so storing a
-- batch of received messages writes one table; what happens later goes to message_events.
-- NULL for messages stored before this column: their receipt events are in message_events.
ALTER TABLE messages ADD COLUMN receipt_events TEXT;
