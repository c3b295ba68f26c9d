-- Where each `canonical` source is in the outbox: the last event it handed on (or left out by
-- its filter); every event before it is done for that source too. A source reads only the
-- events after its mark, and the pruning job deletes the events every source has passed once
-- they are older than `retention.event_days`. `updated_at` (Unix ms) is when the mark last
-- moved: the mark of a source that has not moved for the retention period (a channel since
-- removed) no longer holds events back.
CREATE TABLE canonical_event_marks (
    source TEXT PRIMARY KEY,
    last_event_id BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- A source that read events before this version starts after the events it finished without a
-- gap; those rows are no longer needed.
INSERT INTO canonical_event_marks (source, last_event_id, updated_at)
SELECT s.source,
       COALESCE((SELECT MIN(e.id) - 1 FROM canonical_events e WHERE NOT EXISTS
                    (SELECT 1 FROM canonical_event_reads r
                     WHERE r.source = s.source AND r.event_id = e.id AND r.done = 1)),
                (SELECT MAX(id) FROM canonical_events), 0),
       (extract(epoch FROM now()) * 1000)::bigint
FROM (SELECT DISTINCT source FROM canonical_event_reads) s;

DELETE FROM canonical_event_reads WHERE event_id <=
    (SELECT m.last_event_id FROM canonical_event_marks m WHERE m.source = canonical_event_reads.source);
