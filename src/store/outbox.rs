//! The outbox of the canonical store: the events that changes to canonical records wrote in
//! their own transaction (database triggers, migration 0015), what each `canonical` source
//! made of them, and where each source is (its mark, migration 0018).
//!
//! A source hands each event on in three steps: it keeps what the event became
//! ([`Store::keep_event_payload`]; the first kept payload wins), has the channel store it, then
//! moves its mark to the event ([`Store::finish_event`]). A crash between the steps hands on the
//! kept payload again, which the channel recognises as a resend of the message it already
//! stored: one message per event, whatever the moment of the crash. A source reads only the
//! events after its mark ([`Store::pending_events`]), and the pruning job deletes the events
//! every source has passed once they are old enough ([`Store::prune_events`]).

use serde::Serialize;
use sqlx::Row;

use super::sql::Sql;
use super::upsert::Value;

use super::{Backend, Store, StoreError};
use crate::canonical::Identifier;

/// The kinds of canonical event, as channel files name them.
pub const EVENT_KINDS: [&str; 12] = [
    "patient.created",
    "patient.updated",
    "patient.merged",
    "visit.admitted",
    "visit.updated",
    "visit.discharged",
    "coverage.changed",
    "claim.status_changed",
    "remittance.posted",
    "resource.created",
    "resource.updated",
    "resource.deleted",
];

/// One change to a canonical record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CanonicalEvent {
    /// Event id: events are numbered in the order they were written.
    pub id: i64,
    /// One of [`EVENT_KINDS`].
    pub kind: String,
    /// `patient`, `visit`, `coverage`, `claim`, `remittance`, or `resource` (a FHIR resource
    /// kept as JSON: `record_id` is then its version's row and `detail` names it).
    pub record_type: String,
    /// Store id of the record.
    pub record_id: i64,
    /// The record's revision after the change, for records that count them.
    pub revision: Option<i64>,
    /// The columns that changed (empty for a new record).
    pub changed: Vec<String>,
    /// More about the change: a claim's previous status, a merged patient's identifiers.
    pub detail: Option<serde_json::Value>,
    /// Unix ms of the change.
    pub at: i64,
}

/// An event waiting for a source, with what the source already made of it.
#[derive(Debug, Clone)]
pub struct PendingEvent {
    /// The event.
    pub event: CanonicalEvent,
    /// The payload kept for it (content type and bytes) by an earlier attempt that did not
    /// finish.
    pub kept: Option<(String, Vec<u8>)>,
}

/// How far the outbox can be read without passing an event that a transaction still running
/// will commit. On SQLite one transaction writes at a time, so events commit in id order and
/// every event read can be handed on. On PostgreSQL a transaction that drew event id 10 may
/// commit after one that drew 11: a mark moved to 11 would pass 10 for good. So an id is read
/// only once every transaction that could have drawn an id up to it has ended.
#[derive(Debug, Default, Clone, Copy)]
pub struct Horizon {
    /// Every event id up to this one is committed or rolled back.
    settled: i64,
    /// The last id drawn at an earlier read, with a transaction id started after it: settled
    /// once no transaction older than that is running.
    waiting: Option<(i64, i64)>,
}

impl Store {
    /// The highest event id up to which every event is committed or rolled back.
    async fn settled_events(&self, horizon: &mut Horizon) -> Result<i64, StoreError> {
        if self.backend() == Backend::Sqlite {
            return Ok(i64::MAX);
        }
        // First the last id drawn, then a new transaction id: a transaction draws its event ids
        // after its first write (the change the event is about), which gave it its id, so every
        // transaction that drew an id up to `last` has an id below `after`.
        let last: i64 = sqlx::query_scalar(
            "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM canonical_events_id_seq",
        )
        .fetch_one(self.pool())
        .await?;
        let after: i64 = sqlx::query_scalar("SELECT pg_current_xact_id()::text::bigint")
            .fetch_one(self.pool())
            .await?;
        // The oldest transaction running (or the next to start, when none is).
        let oldest: i64 =
            sqlx::query_scalar("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
                .fetch_one(self.pool())
                .await?;
        if let Some((id, started_after)) = horizon.waiting
            && oldest >= started_after
        {
            horizon.settled = horizon.settled.max(id);
            horizon.waiting = None;
        }
        if oldest >= after {
            horizon.settled = horizon.settled.max(last);
            horizon.waiting = None;
        } else if horizon.waiting.is_none() {
            horizon.waiting = Some((last, after));
        }
        Ok(horizon.settled)
    }

    /// Up to `limit` events after `source`'s mark, oldest first, as far as `horizon` lets it
    /// read (keep one `horizon` per reader, from one call to the next).
    pub async fn pending_events(
        &self,
        source: &str,
        limit: i64,
        horizon: &mut Horizon,
    ) -> Result<Vec<PendingEvent>, StoreError> {
        let settled = self.settled_events(horizon).await?;
        // Rows marked done after the mark come from before marks existed (migration 0018).
        let rows = sqlx::query(
            "SELECT e.id, e.kind, e.record_type, e.record_id, e.revision, e.changed, e.detail, e.at, \
             r.content_type, r.payload FROM canonical_events e \
             LEFT JOIN canonical_event_reads r ON r.source = $1 AND r.event_id = e.id \
             WHERE e.id > COALESCE((SELECT last_event_id FROM canonical_event_marks WHERE source = $1), 0) \
             AND e.id <= $2 AND (r.done IS NULL OR r.done = 0) ORDER BY e.id LIMIT $3",
        )
        .bind(source)
        .bind(settled)
        .bind(limit.clamp(1, 1000))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let changed: String = row.try_get("changed")?;
                let detail: Option<String> = row.try_get("detail")?;
                let detail = detail
                    .map(|text| serde_json::from_str(&text))
                    .transpose()
                    .map_err(|err| {
                        StoreError::Invalid(format!("canonical event detail is not JSON: {err}"))
                    })?;
                let content_type: Option<String> = row.try_get("content_type")?;
                let payload: Option<Vec<u8>> = row.try_get("payload")?;
                Ok(PendingEvent {
                    event: CanonicalEvent {
                        id: row.try_get("id")?,
                        kind: row.try_get("kind")?,
                        record_type: row.try_get("record_type")?,
                        record_id: row.try_get("record_id")?,
                        revision: row.try_get("revision")?,
                        changed: changed
                            .split(',')
                            .filter(|c| !c.is_empty())
                            .map(str::to_string)
                            .collect(),
                        detail,
                        at: row.try_get("at")?,
                    },
                    kept: content_type.zip(payload),
                })
            })
            .collect()
    }

    /// Keeps what `source` made of event `event_id`, unless an earlier attempt kept something:
    /// returns the payload kept, which is the one to hand on.
    pub async fn keep_event_payload(
        &self,
        source: &str,
        event_id: i64,
        content_type: &str,
        payload: &[u8],
    ) -> Result<(String, Vec<u8>), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO canonical_event_reads (source, event_id, content_type, payload, done) \
             VALUES ($1, $2, $3, $4, 0) ON CONFLICT (source, event_id) DO NOTHING",
        )
        .bind(source)
        .bind(event_id)
        .bind(content_type)
        .bind(payload)
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query(
            "SELECT content_type, payload FROM canonical_event_reads WHERE source = $1 AND event_id = $2",
        )
        .bind(source)
        .bind(event_id)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok((row.try_get("content_type")?, row.try_get("payload")?))
    }

    /// Moves `source`'s mark to event `event_id`, handed on or left out by its filter, and
    /// drops what it kept of it. The mark never moves back.
    pub async fn finish_event(&self, source: &str, event_id: i64) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO canonical_event_marks (source, last_event_id, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (source) DO UPDATE SET updated_at = excluded.updated_at, last_event_id = \
             CASE WHEN excluded.last_event_id > canonical_event_marks.last_event_id \
             THEN excluded.last_event_id ELSE canonical_event_marks.last_event_id END",
        )
        .bind(source)
        .bind(event_id)
        .bind(super::now_millis())
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM canonical_event_reads WHERE source = $1 AND event_id <= $2")
            .bind(source)
            .bind(event_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Gives `source` a mark before the oldest event when it has none, so that the events it
    /// has not read yet are kept for it.
    pub async fn register_event_source(&self, source: &str) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO canonical_event_marks (source, last_event_id, updated_at) VALUES ($1, 0, $2) \
             ON CONFLICT (source) DO NOTHING",
        )
        .bind(source)
        .bind(super::now_millis())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The last event `source` handed on or left out, 0 before its first.
    pub async fn event_mark(&self, source: &str) -> Result<i64, StoreError> {
        let mark: Option<i64> =
            sqlx::query_scalar("SELECT last_event_id FROM canonical_event_marks WHERE source = $1")
                .bind(source)
                .fetch_optional(self.pool())
                .await?;
        Ok(mark.unwrap_or(0))
    }

    /// Deletes the events written before `before` (Unix ms) that every source has passed, in
    /// batches; the number deleted. The mark of a source that has not moved since `before`
    /// (a channel removed, or stuck that long) holds nothing back.
    pub async fn prune_events(&self, before: i64) -> Result<u64, StoreError> {
        self.delete_in_batches(
            "canonical_events",
            "at < $1 AND id <= COALESCE((SELECT MIN(last_event_id) FROM canonical_event_marks \
             WHERE updated_at >= $1), 9223372036854775807)",
            before,
        )
        .await
    }
}

/// Writes the `patient.merged` event of merging patient `from` (with `identifiers`) into
/// `into`, inside the merge's transaction.
pub async fn record_merge_on(
    conn: &mut dyn Sql,
    into: i64,
    identifiers: &[Identifier],
) -> Result<(), StoreError> {
    let detail = serde_json::json!({ "merged_identifiers": identifiers }).to_string();
    conn.execute(
        "INSERT INTO canonical_events (kind, record_type, record_id, revision, changed, detail, at) \
         SELECT 'patient.merged', 'patient', id, revision, '', $2, $3 FROM patients WHERE id = $1",
        &[
            Value::from(into),
            Value::Text(Some(detail)),
            Value::from(super::now_millis()),
        ],
    )
    .await?;
    Ok(())
}
