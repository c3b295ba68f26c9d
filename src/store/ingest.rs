//! Storing received messages: the raw bytes, their processing outcome, event trail and queue
//! rows, in one transaction per batch. Many messages share one commit (group commit), so the
//! engine can acknowledge thousands of messages a second and still acknowledge none before it
//! is durable.

use sqlx::{AnyConnection, Row};

use super::messages::{MessageStatus, insert_event};
use super::{Store, StoreError, now_millis};

/// What the channel decided for a message before it was stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Only store it (status `received`); processing comes later.
    Stored,
    /// Queue it for these destinations (status `processed`).
    Routed {
        /// Destination names.
        destinations: Vec<String>,
        /// What the destinations receive, when not the raw bytes.
        payload: Option<Vec<u8>>,
        /// Why, one line per routing decision.
        trail: Vec<String>,
    },
    /// Dropped on purpose (status `filtered`).
    Filtered(String),
    /// Cannot be processed (status `error`), with the reason.
    Rejected(String),
}

/// One message to store.
#[derive(Debug, Clone)]
pub struct Ingest {
    /// Channel that received it.
    pub channel: String,
    /// MIME type.
    pub content_type: String,
    /// The sender's control id, when known (deduplication key with the channel).
    pub control_id: Option<String>,
    /// The bytes exactly as received.
    pub raw: Vec<u8>,
    /// What to record with it.
    pub outcome: Outcome,
}

/// What storing one message did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ingested {
    /// Stored as a new message with this id.
    New(i64),
    /// The channel already had this control id: nothing stored; the original's id.
    Duplicate(i64),
}

impl Ingested {
    /// The message id either way.
    pub fn id(self) -> i64 {
        match self {
            Ingested::New(id) | Ingested::Duplicate(id) => id,
        }
    }
}

impl Store {
    /// Stores a batch of messages with their outcomes in one transaction.
    pub async fn ingest(&self, batch: &[Ingest]) -> Result<Vec<Ingested>, StoreError> {
        let mut tx = self.pool().begin().await?;
        let mut results = Vec::with_capacity(batch.len());
        for item in batch {
            results.push(ingest_one(&mut tx, item).await?);
        }
        tx.commit().await?;
        Ok(results)
    }
}

async fn ingest_one(conn: &mut AnyConnection, item: &Ingest) -> Result<Ingested, StoreError> {
    let now = now_millis();
    let size = i64::try_from(item.raw.len()).unwrap_or(i64::MAX);
    let (status, error) = match &item.outcome {
        Outcome::Stored => (MessageStatus::Received, None),
        Outcome::Routed { destinations, .. } if destinations.is_empty() => (MessageStatus::Filtered, None),
        Outcome::Routed { .. } => (MessageStatus::Processed, None),
        Outcome::Filtered(_) => (MessageStatus::Filtered, None),
        Outcome::Rejected(reason) => (MessageStatus::Error, Some(reason.as_str())),
    };
    let inserted = sqlx::query(
        "INSERT INTO messages (channel, received_at, content_type, control_id, status, error, size_bytes, raw, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $2) \
         ON CONFLICT (channel, control_id) WHERE control_id IS NOT NULL DO NOTHING RETURNING id",
    )
    .bind(&item.channel)
    .bind(now)
    .bind(&item.content_type)
    .bind(item.control_id.as_deref())
    .bind(status.as_str())
    .bind(error)
    .bind(size)
    .bind(item.raw.as_slice())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = inserted else {
        let row = sqlx::query("SELECT id FROM messages WHERE channel = $1 AND control_id = $2")
            .bind(&item.channel)
            .bind(item.control_id.as_deref())
            .fetch_one(&mut *conn)
            .await?;
        let id: i64 = row.try_get("id")?;
        let detail = format!("resent: {size} bytes, not processed again");
        insert_event(conn, id, now, "duplicate", Some(&detail)).await?;
        return Ok(Ingested::Duplicate(id));
    };
    let id: i64 = row.try_get("id")?;
    insert_event(conn, id, now, "received", Some(&format!("{size} bytes"))).await?;
    match &item.outcome {
        Outcome::Stored => {}
        Outcome::Routed {
            destinations,
            payload,
            trail,
        } => {
            for line in trail {
                insert_event(conn, id, now, "routed", Some(line)).await?;
            }
            insert_deliveries(conn, id, &item.channel, destinations, payload.as_deref(), now).await?;
            let detail = if destinations.is_empty() {
                "no destination".to_string()
            } else {
                format!("queued for {}", destinations.join(", "))
            };
            insert_event(conn, id, now, status.as_str(), Some(&detail)).await?;
        }
        Outcome::Filtered(reason) | Outcome::Rejected(reason) => {
            insert_event(conn, id, now, status.as_str(), Some(reason)).await?;
        }
    }
    Ok(Ingested::New(id))
}

/// Queue rows for a message, due now.
pub(super) async fn insert_deliveries(
    conn: &mut AnyConnection,
    message_id: i64,
    channel: &str,
    destinations: &[String],
    payload: Option<&[u8]>,
    now: i64,
) -> Result<Vec<i64>, StoreError> {
    let mut ids = Vec::with_capacity(destinations.len());
    for destination in destinations {
        let row = sqlx::query(
            "INSERT INTO deliveries (message_id, channel, destination, status, next_attempt_at, payload, created_at, updated_at) \
             VALUES ($1, $2, $3, 'pending', $4, $5, $4, $4) RETURNING id",
        )
        .bind(message_id)
        .bind(channel)
        .bind(destination)
        .bind(now)
        .bind(payload)
        .fetch_one(&mut *conn)
        .await?;
        ids.push(row.try_get("id")?);
    }
    Ok(ids)
}
