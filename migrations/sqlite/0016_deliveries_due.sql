-- A destination's pending deliveries in the order an unordered queue sends them (the next
-- attempt first), so a worker reads its next batch without sorting the whole backlog.
CREATE INDEX deliveries_due ON deliveries(channel, destination, status, next_attempt_at, id);
