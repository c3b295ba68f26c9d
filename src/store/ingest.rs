//! Storing received messages: the raw bytes, their processing outcome, event trail and queue
//! rows, in one transaction per batch. Many messages share one commit (group commit), so the
//! engine can acknowledge thousands of messages a second and still acknowledge none before it
//! is durable.

use std::collections::HashMap;

use sqlx::{AnyConnection, Row};

use super::messages::MessageStatus;
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
    /// Cannot be processed (status `error`).
    Rejected {
        /// What is wrong.
        reason: String,
        /// Where, as a terse path (`PID-3`, `FT1[2]-11`), when known.
        location: Option<String>,
    },
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

/// Rows written after the messages of a batch, many per statement.
#[derive(Default)]
struct Pending<'a> {
    /// (message id, kind, detail)
    events: Vec<(i64, &'static str, String)>,
    /// (message id, channel, destination, payload)
    deliveries: Vec<(i64, &'a str, &'a str, Option<&'a [u8]>)>,
}

/// Rows per multi-row statement (well under every parameter limit).
const ROWS_PER_STATEMENT: usize = 100;

impl Store {
    /// Stores a batch of messages with their outcomes in one transaction of a few statements:
    /// a duplicate check, one multi-row insert of the new messages, one of their events and
    /// one of their queue rows.
    pub async fn ingest(&self, batch: &[Ingest]) -> Result<Vec<Ingested>, StoreError> {
        let now = now_millis();
        let mut tx = self.begin_write().await?;
        // Resends within the batch are recognised first; they point at the first copy.
        let mut first_of_key: HashMap<(&str, &str), usize> = HashMap::new();
        let mut copy_of: Vec<Option<usize>> = vec![None; batch.len()];
        let mut to_insert = Vec::with_capacity(batch.len());
        for (i, item) in batch.iter().enumerate() {
            if let Some(control) = item.control_id.as_deref() {
                if let Some(&first) = first_of_key.get(&(item.channel.as_str(), control)) {
                    copy_of[i] = Some(first);
                    continue;
                }
                first_of_key.insert((item.channel.as_str(), control), i);
            }
            to_insert.push(i);
        }
        let mut results: Vec<Option<Ingested>> = vec![None; batch.len()];
        for chunk in to_insert.chunks(ROWS_PER_STATEMENT) {
            for (i, result) in insert_messages(&mut tx, batch, chunk, now).await? {
                results[i] = Some(result);
            }
        }
        for (i, first) in copy_of.iter().enumerate() {
            if let Some(first) = first {
                results[i] = results[*first].map(|r| Ingested::Duplicate(r.id()));
            }
        }
        let results: Vec<Ingested> = results
            .into_iter()
            .map(|r| {
                r.ok_or_else(|| StoreError::Invalid("a message of the batch was not stored".into()))
            })
            .collect::<Result<_, _>>()?;
        let mut pending = Pending::default();
        for (item, result) in batch.iter().zip(&results) {
            pending.add(item, *result);
        }
        pending.write(&mut tx, now).await?;
        tx.commit().await?;
        Ok(results)
    }
}

fn status_of(outcome: &Outcome) -> (MessageStatus, Option<&str>) {
    match outcome {
        Outcome::Stored => (MessageStatus::Received, None),
        Outcome::Routed { destinations, .. } if destinations.is_empty() => {
            (MessageStatus::Filtered, None)
        }
        Outcome::Routed { .. } => (MessageStatus::Processed, None),
        Outcome::Filtered(_) => (MessageStatus::Filtered, None),
        Outcome::Rejected { reason, .. } => (MessageStatus::Error, Some(reason.as_str())),
    }
}

/// Inserts the messages `indexes` of `batch` (no two with the same channel and control id) in
/// one statement, skipping those whose control id the channel already has, and says for each
/// whether it is new or a resend. One statement assigns ids in row order, so the sorted new
/// ids match the inserted rows in order.
async fn insert_messages(
    conn: &mut AnyConnection,
    batch: &[Ingest],
    indexes: &[usize],
    now: i64,
) -> Result<Vec<(usize, Ingested)>, StoreError> {
    let rows: Vec<String> = (0..indexes.len())
        .map(|i| {
            let p = 7 * i + 2;
            format!(
                "(${}, $1, ${}, ${}, ${}, ${}, ${}, ${}, $1)",
                p,
                p + 1,
                p + 2,
                p + 3,
                p + 4,
                p + 5,
                p + 6
            )
        })
        .collect();
    let sql = format!(
        "INSERT INTO messages (channel, received_at, content_type, control_id, status, error, size_bytes, raw, updated_at) \
         VALUES {} ON CONFLICT (channel, control_id) WHERE control_id IS NOT NULL DO NOTHING \
         RETURNING id, channel, control_id",
        rows.join(", ")
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(now);
    for &i in indexes {
        let item = &batch[i];
        let (status, error) = status_of(&item.outcome);
        query = query
            .bind(item.channel.as_str())
            .bind(item.content_type.as_str())
            .bind(item.control_id.as_deref())
            .bind(status.as_str())
            .bind(error)
            .bind(i64::try_from(item.raw.len()).unwrap_or(i64::MAX))
            .bind(item.raw.as_slice());
    }
    let mut inserted_keys = std::collections::HashSet::new();
    let mut ids = Vec::with_capacity(indexes.len());
    for row in query.fetch_all(&mut *conn).await? {
        ids.push(row.try_get::<i64, _>("id")?);
        if let Some(control) = row.try_get::<Option<String>, _>("control_id")? {
            inserted_keys.insert((row.try_get::<String, _>("channel")?, control));
        }
    }
    ids.sort_unstable();
    let mut new_ids = ids.into_iter();
    let mut results = Vec::with_capacity(indexes.len());
    for &i in indexes {
        let item = &batch[i];
        let resent = item.control_id.as_ref().is_some_and(|control| {
            !inserted_keys.contains(&(item.channel.clone(), control.clone()))
        });
        if resent {
            let row = sqlx::query("SELECT id FROM messages WHERE channel = $1 AND control_id = $2")
                .bind(&item.channel)
                .bind(item.control_id.as_deref())
                .fetch_one(&mut *conn)
                .await?;
            results.push((i, Ingested::Duplicate(row.try_get("id")?)));
        } else {
            let id = new_ids
                .next()
                .ok_or_else(|| StoreError::Invalid("fewer message ids than stored rows".into()))?;
            results.push((i, Ingested::New(id)));
        }
    }
    Ok(results)
}

impl<'a> Pending<'a> {
    /// The events and queue rows of one stored (or recognised) message.
    fn add(&mut self, item: &'a Ingest, result: Ingested) {
        let size = item.raw.len();
        let id = match result {
            Ingested::Duplicate(id) => {
                self.events.push((
                    id,
                    "duplicate",
                    format!("resent: {size} bytes, not processed again"),
                ));
                return;
            }
            Ingested::New(id) => id,
        };
        self.events.push((id, "received", format!("{size} bytes")));
        let (status, _) = status_of(&item.outcome);
        match &item.outcome {
            Outcome::Stored => {}
            Outcome::Routed {
                destinations,
                trail,
                payload,
            } => {
                for line in trail {
                    self.events.push((id, "routed", line.clone()));
                }
                for destination in destinations {
                    self.deliveries
                        .push((id, &item.channel, destination, payload.as_deref()));
                }
                let detail = if destinations.is_empty() {
                    "no destination".to_string()
                } else {
                    format!("queued for {}", destinations.join(", "))
                };
                self.events.push((id, status.as_str(), detail));
            }
            Outcome::Filtered(reason) | Outcome::Rejected { reason, .. } => {
                self.events.push((id, status.as_str(), reason.clone()));
            }
        }
    }

    /// Writes the collected events and queue rows, many per statement.
    async fn write(&self, conn: &mut AnyConnection, now: i64) -> Result<(), StoreError> {
        for chunk in self.events.chunks(ROWS_PER_STATEMENT) {
            let rows: Vec<String> = (0..chunk.len())
                .map(|i| format!("(${}, $1, ${}, ${})", 3 * i + 2, 3 * i + 3, 3 * i + 4))
                .collect();
            let sql = format!(
                "INSERT INTO message_events (message_id, at, kind, detail) VALUES {}",
                rows.join(", ")
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(now);
            for (id, kind, detail) in chunk {
                query = query.bind(*id).bind(*kind).bind(detail.as_str());
            }
            query.execute(&mut *conn).await?;
        }
        for chunk in self.deliveries.chunks(ROWS_PER_STATEMENT) {
            let rows: Vec<String> = (0..chunk.len())
                .map(|i| {
                    format!(
                        "(${}, ${}, ${}, 'pending', $1, ${}, $1, $1)",
                        4 * i + 2,
                        4 * i + 3,
                        4 * i + 4,
                        4 * i + 5
                    )
                })
                .collect();
            let sql = format!(
                "INSERT INTO deliveries (message_id, channel, destination, status, next_attempt_at, payload, created_at, updated_at) VALUES {}",
                rows.join(", ")
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(now);
            for (id, channel, destination, payload) in chunk {
                query = query
                    .bind(*id)
                    .bind(*channel)
                    .bind(*destination)
                    .bind(*payload);
            }
            query.execute(&mut *conn).await?;
        }
        Ok(())
    }
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
