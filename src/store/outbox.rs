//! The outbox of the canonical store: the events that changes to canonical records wrote in
//! their own transaction (database triggers, migration 0015), and what each `canonical` source
//! made of them.
//!
//! A source hands each event on in three steps: it keeps what the event became
//! ([`Store::keep_event_payload`]; the first kept payload wins), has the channel store it, then
//! marks the event done ([`Store::finish_event`]). A crash between the steps hands on the kept
//! payload again, which the channel recognises as a resend of the message it already stored: one
//! message per event, whatever the moment of the crash.

use serde::Serialize;
use sqlx::Row;

use super::sql::Sql;
use super::upsert::Value;

use super::{Store, StoreError};
use crate::canonical::Identifier;

/// The kinds of canonical event, as channel files name them.
pub const EVENT_KINDS: [&str; 9] = [
    "patient.created",
    "patient.updated",
    "patient.merged",
    "visit.admitted",
    "visit.updated",
    "visit.discharged",
    "coverage.changed",
    "claim.status_changed",
    "remittance.posted",
];

/// One change to a canonical record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CanonicalEvent {
    /// Event id: events are numbered in the order they were written.
    pub id: i64,
    /// One of [`EVENT_KINDS`].
    pub kind: String,
    /// `patient`, `visit`, `coverage`, `claim` or `remittance`.
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

impl Store {
    /// Up to `limit` events `source` has not finished, oldest first.
    pub async fn pending_events(
        &self,
        source: &str,
        limit: i64,
    ) -> Result<Vec<PendingEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT e.id, e.kind, e.record_type, e.record_id, e.revision, e.changed, e.detail, e.at, \
             r.content_type, r.payload FROM canonical_events e \
             LEFT JOIN canonical_event_reads r ON r.source = $1 AND r.event_id = e.id \
             WHERE r.done IS NULL OR r.done = 0 ORDER BY e.id LIMIT $2",
        )
        .bind(source)
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

    /// Marks event `event_id` done for `source`: handed on, or left out by its filter.
    pub async fn finish_event(&self, source: &str, event_id: i64) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO canonical_event_reads (source, event_id, done) VALUES ($1, $2, 1) \
             ON CONFLICT (source, event_id) DO UPDATE SET done = 1",
        )
        .bind(source)
        .bind(event_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
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
