//! The message store: every received message, raw, with its status and event trail.
//!
//! A message is written (and committed) before its sender is acknowledged, so nothing that was
//! acknowledged is ever lost. A resend (same channel, sender, control id and content as a
//! message that was kept, see [`crate::message::ResendKey`]) is recognised and not stored again.

use serde::{Deserialize, Serialize};
use sqlx::AssertSqlSafe;
use sqlx::Row;

use super::ingest::{Ingest, Ingested, Outcome};
use super::upsert::{Value, bind_all};
use super::{Backend, Store, StoreError, now_millis};
use crate::message::ResendKey;

/// Where a message is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MessageStatus {
    /// Stored, not yet processed.
    Received,
    /// Processed and handed to its destinations.
    Processed,
    /// Dropped on purpose by a filter or routing rule.
    Filtered,
    /// Could not be processed; the event trail says why.
    Error,
}

impl MessageStatus {
    /// The stored text form.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageStatus::Received => "received",
            MessageStatus::Processed => "processed",
            MessageStatus::Filtered => "filtered",
            MessageStatus::Error => "error",
        }
    }

    /// Parses the stored text form.
    pub fn parse(text: &str) -> Option<MessageStatus> {
        [
            MessageStatus::Received,
            MessageStatus::Processed,
            MessageStatus::Filtered,
            MessageStatus::Error,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// A message about to be stored.
#[derive(Debug, Clone)]
pub struct NewMessage<'a> {
    /// Channel that received it.
    pub channel: &'a str,
    /// MIME type, e.g. `x-application/hl7-v2+er7`, `application/fhir+json`, `application/edi-x12`.
    pub content_type: &'a str,
    /// Control id (MSH-10, ISA13/GS06/ST02, Bundle id) when one could be read.
    pub control_id: Option<&'a str>,
    /// How a resend of it is recognised, when it names its sender and control id.
    pub resend_key: Option<ResendKey>,
    /// The bytes exactly as received.
    pub raw: &'a [u8],
}

/// A stored message without its raw content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MessageSummary {
    /// Message id.
    pub id: i64,
    /// Channel name.
    pub channel: String,
    /// Unix milliseconds.
    pub received_at: i64,
    /// MIME type.
    pub content_type: String,
    /// Control id, when known.
    pub control_id: Option<String>,
    /// Kind: HL7 v2 MSH-9 (`ADT^A08`), X12 ST01 (`835`), FHIR `resourceType`.
    pub message_type: Option<String>,
    /// Sender: HL7 v2 MSH-3^MSH-4, X12 ISA06.
    pub sender: Option<String>,
    /// Status.
    pub status: MessageStatus,
    /// Last error, when status is `error`.
    pub error: Option<String>,
    /// Size of the raw content.
    pub size_bytes: i64,
}

/// One step in a message's life.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MessageEvent {
    /// Unix milliseconds.
    pub at: i64,
    /// `received`, `duplicate`, `control id reused`, `resent after error`, `routed`, `error`, ...
    pub kind: String,
    /// Details for the operator.
    pub detail: Option<String>,
}

/// One entry of a message's `receipt_events` column (a JSON array of them).
#[derive(Serialize, Deserialize)]
pub(super) struct ReceiptEvent {
    /// `received`, `routed`, or the message's status.
    pub kind: String,
    /// Details for the operator.
    pub detail: String,
}

/// Search criteria; absent criteria match everything. Results are newest first.
#[derive(Debug, Clone, Default)]
pub struct MessageQuery {
    /// Channel name.
    pub channel: Option<String>,
    /// Status.
    pub status: Option<MessageStatus>,
    /// Received at or after (Unix ms).
    pub since: Option<i64>,
    /// Received before (Unix ms).
    pub until: Option<i64>,
    /// Exact control id.
    pub control_id: Option<String>,
    /// Exact kind (`ADT^A08`, `835`, `Patient`).
    pub message_type: Option<String>,
    /// Exact sender (`EHR^HOSP`, ISA06).
    pub sender: Option<String>,
    /// Bytes that must occur in the raw content.
    pub text: Option<String>,
    /// Only ids below this one (for paging).
    pub before_id: Option<i64>,
    /// Maximum rows (1..=1000).
    pub limit: i64,
}

/// What a pruning run removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Pruned {
    /// Messages deleted (with their events).
    pub messages: u64,
    /// Audit entries deleted.
    pub audit_entries: u64,
}

const SUMMARY_COLUMNS: &str = "id, channel, received_at, content_type, control_id, message_type, sender, status, error, size_bytes";
const PRUNE_BATCH: i64 = 1000;

impl Store {
    /// Stores a received message (status `received`) and its `received` event. A resend of a
    /// message the channel kept is answered with [`Ingested::Duplicate`].
    pub async fn insert_message(&self, message: &NewMessage<'_>) -> Result<Ingested, StoreError> {
        let stored = self
            .ingest(&[Ingest {
                channel: message.channel.to_string(),
                content_type: message.content_type.to_string(),
                control_id: message.control_id.map(str::to_string),
                message_type: None,
                sender: None,
                resend_key: message.resend_key.clone(),
                raw: message.raw.to_vec(),
                outcome: Outcome::Stored,
            }])
            .await?;
        stored
            .into_iter()
            .next()
            .ok_or_else(|| StoreError::Invalid("nothing was stored".into()))
    }

    /// Sets a message's status and records why in its event trail.
    pub async fn set_message_status(
        &self,
        id: i64,
        status: MessageStatus,
        detail: Option<&str>,
    ) -> Result<(), StoreError> {
        let now = now_millis();
        let error = (status == MessageStatus::Error).then_some(detail).flatten();
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE messages SET status = $1, error = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(status.as_str())
        .bind(error)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("message {id}")));
        }
        insert_event(&mut *tx, id, now, status.as_str(), detail).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Appends an event to a message's trail.
    pub async fn add_message_event(
        &self,
        id: i64,
        kind: &str,
        detail: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut conn = self.pool().acquire().await?;
        insert_event(&mut *conn, id, now_millis(), kind, detail).await
    }

    /// One message's summary.
    pub async fn message(&self, id: i64) -> Result<Option<MessageSummary>, StoreError> {
        let sql = format!("SELECT {SUMMARY_COLUMNS} FROM messages WHERE id = $1");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(summary_from_row).transpose()
    }

    /// Another message of the channel with the same resend key and content as message `id`
    /// that was kept (not an error): its id. A message that failed and was resent since has
    /// one; processing it again would process the same message twice.
    pub async fn kept_resend(&self, id: i64) -> Result<Option<i64>, StoreError> {
        let row = sqlx::query(
            "SELECT kept.id FROM messages failed JOIN messages kept ON kept.channel = failed.channel \
             AND kept.resend_key = failed.resend_key AND kept.content_hash = failed.content_hash \
             AND kept.status <> 'error' AND kept.id <> failed.id WHERE failed.id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|row| row.try_get("id")).transpose()?)
    }

    /// One message's raw bytes.
    pub async fn message_raw(&self, id: i64) -> Result<Option<Vec<u8>>, StoreError> {
        let row = sqlx::query("SELECT raw FROM messages WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|row| row.try_get("raw")).transpose()?)
    }

    /// One message's event trail, oldest first: the events of its receipt (kept on its row),
    /// then what happened to it later.
    pub async fn message_events(&self, id: i64) -> Result<Vec<MessageEvent>, StoreError> {
        let receipt = sqlx::query("SELECT received_at, receipt_events FROM messages WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        let mut events = Vec::new();
        if let Some(row) = receipt {
            let at: i64 = row.try_get("received_at")?;
            let json: Option<String> = row.try_get("receipt_events")?;
            if let Some(json) = json {
                let receipt: Vec<ReceiptEvent> = serde_json::from_str(&json).map_err(|err| {
                    StoreError::Invalid(format!("message {id}: unreadable receipt events: {err}"))
                })?;
                events.extend(receipt.into_iter().map(|event| MessageEvent {
                    at,
                    kind: event.kind,
                    detail: Some(event.detail),
                }));
            }
        }
        let rows = sqlx::query(
            "SELECT at, kind, detail FROM message_events WHERE message_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        for row in &rows {
            events.push(MessageEvent {
                at: row.try_get("at")?,
                kind: row.try_get("kind")?,
                detail: row.try_get("detail")?,
            });
        }
        Ok(events)
    }

    /// Searches messages, newest first.
    pub async fn search_messages(
        &self,
        query: &MessageQuery,
    ) -> Result<Vec<MessageSummary>, StoreError> {
        let mut conditions: Vec<String> = Vec::new();
        let mut values: Vec<Value> = Vec::new();
        let mut add = |values: &mut Vec<Value>, value: Value, condition: &str| {
            values.push(value);
            conditions.push(condition.replace('?', &format!("${}", values.len())));
        };
        if let Some(channel) = &query.channel {
            add(&mut values, Value::from(channel), "channel = ?");
        }
        if let Some(status) = query.status {
            add(&mut values, Value::from(status.as_str()), "status = ?");
        }
        if let Some(since) = query.since {
            add(&mut values, Value::from(since), "received_at >= ?");
        }
        if let Some(until) = query.until {
            add(&mut values, Value::from(until), "received_at < ?");
        }
        if let Some(control_id) = &query.control_id {
            add(&mut values, Value::from(control_id), "control_id = ?");
        }
        if let Some(message_type) = &query.message_type {
            add(&mut values, Value::from(message_type), "message_type = ?");
        }
        if let Some(sender) = &query.sender {
            add(&mut values, Value::from(sender), "sender = ?");
        }
        if let Some(before) = query.before_id {
            add(&mut values, Value::from(before), "id < ?");
        }
        let text_condition = query.text.as_ref().map(|_| {
            let param = values.len() + 1;
            match self.backend() {
                Backend::Sqlite => format!("instr(raw, ${param}) > 0"),
                Backend::Postgres => format!("position(${param} in raw) > 0"),
            }
        });
        let filter = {
            let mut all = conditions;
            all.extend(text_condition.clone());
            if all.is_empty() {
                String::new()
            } else {
                format!("WHERE {}", all.join(" AND "))
            }
        };
        let limit_param = values.len() + 1 + usize::from(text_condition.is_some());
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM messages {filter} ORDER BY id DESC LIMIT ${limit_param}"
        );
        let mut q = bind_all(sqlx::query(AssertSqlSafe(sql)), &values);
        if let Some(text) = &query.text {
            q = q.bind(text.as_bytes().to_vec());
        }
        let rows = q
            .bind(query.limit.clamp(1, 1000))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(summary_from_row).collect()
    }

    /// Counts messages per status, for metrics.
    pub async fn message_counts(&self) -> Result<Vec<(String, String, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT channel, status, COUNT(*) AS n FROM messages GROUP BY channel, status ORDER BY channel, status",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    row.try_get("channel")?,
                    row.try_get("status")?,
                    row.try_get("n")?,
                ))
            })
            .collect()
    }

    /// Deletes messages received before `messages_before` and audit entries before
    /// `audit_before` (Unix ms; `None` keeps them), in batches, then gives the space back:
    /// SQLite runs an incremental vacuum, PostgreSQL leaves it to autovacuum.
    pub async fn prune(
        &self,
        messages_before: Option<i64>,
        audit_before: Option<i64>,
    ) -> Result<Pruned, StoreError> {
        let mut pruned = Pruned::default();
        if let Some(cutoff) = messages_before {
            // Messages still waiting in a destination queue are kept until delivered.
            pruned.messages = self
                .delete_in_batches(
                    "messages",
                    "received_at < $1 AND id NOT IN (SELECT message_id FROM deliveries WHERE status IN ('pending', 'held'))",
                    cutoff,
                )
                .await?;
        }
        if let Some(cutoff) = audit_before {
            pruned.audit_entries = self
                .delete_in_batches("audit_log", "at < $1", cutoff)
                .await?;
        }
        if self.backend() == Backend::Sqlite && (pruned.messages + pruned.audit_entries) > 0 {
            sqlx::query("PRAGMA incremental_vacuum")
                .execute(self.pool())
                .await?;
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(self.pool())
                .await?;
        }
        Ok(pruned)
    }

    pub(super) async fn delete_in_batches(
        &self,
        table: &str,
        condition: &str,
        cutoff: i64,
    ) -> Result<u64, StoreError> {
        let sql = format!(
            "DELETE FROM {table} WHERE id IN (SELECT id FROM {table} WHERE {condition} ORDER BY id LIMIT $2)"
        );
        let mut total = 0;
        loop {
            let done = self
                .write_execute(
                    sqlx::query(AssertSqlSafe(sql.as_str()))
                        .bind(cutoff)
                        .bind(PRUNE_BATCH),
                )
                .await?;
            total += done;
            if done < u64::try_from(PRUNE_BATCH).unwrap_or(u64::MAX) {
                return Ok(total);
            }
        }
    }
}

pub(super) async fn insert_event(
    conn: &mut dyn super::sql::Sql,
    message_id: i64,
    at: i64,
    kind: &str,
    detail: Option<&str>,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO message_events (message_id, at, kind, detail) VALUES ($1, $2, $3, $4)",
        &[
            Value::from(message_id),
            Value::from(at),
            Value::from(kind),
            Value::Text(detail.map(str::to_string)),
        ],
    )
    .await?;
    Ok(())
}

fn summary_from_row(row: &sqlx::any::AnyRow) -> Result<MessageSummary, StoreError> {
    let status: String = row.try_get("status")?;
    Ok(MessageSummary {
        id: row.try_get("id")?,
        channel: row.try_get("channel")?,
        received_at: row.try_get("received_at")?,
        content_type: row.try_get("content_type")?,
        control_id: row.try_get("control_id")?,
        message_type: row.try_get("message_type")?,
        sender: row.try_get("sender")?,
        status: MessageStatus::parse(&status)
            .ok_or_else(|| StoreError::Invalid(format!("unknown message status '{status}'")))?,
        error: row.try_get("error")?,
        size_bytes: row.try_get("size_bytes")?,
    })
}
