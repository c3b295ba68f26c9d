//! Storing received messages: the raw bytes, their processing outcome, event trail and queue
//! rows, in one transaction per batch. Many messages share one commit (group commit), so the
//! engine can acknowledge thousands of messages a second and still acknowledge none before it
//! is durable.

use std::collections::HashMap;

use sqlx::{AnyConnection, Row};

use super::messages::{MessageStatus, ReceiptEvent};
use super::{Store, StoreError, now_millis};
use crate::message::Rejection;

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
        payload: Option<Payload>,
        /// Why, one line per routing decision.
        trail: Vec<String>,
        /// What the transform left out of the message and why (`warning` events).
        warnings: Vec<String>,
    },
    /// Dropped on purpose (status `filtered`).
    Filtered(String),
    /// Cannot be processed (status `error`): what, where and what kind of problem.
    Rejected(Rejection),
}

/// What a channel's transform made of a message: what its destinations receive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payload {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// Their MIME type.
    pub content_type: &'static str,
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

/// A value bound to a `$N` parameter of an ingest statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Param<'a> {
    /// SQL NULL of a text column (PostgreSQL takes each parameter as one type across
    /// executions of a prepared statement, so a text NULL is bound as text).
    NullText,
    /// SQL NULL of a bytes column (PostgreSQL will not take an integer NULL for `bytea`).
    NullBlob,
    /// An integer.
    Int(i64),
    /// Text.
    Text(&'a str),
    /// Owned text.
    OwnedText(String),
    /// Bytes.
    Blob(&'a [u8]),
}

impl<'a> Param<'a> {
    fn text(value: Option<&'a str>) -> Self {
        value.map_or(Param::NullText, Param::Text)
    }
}

/// One SQL statement with its parameters (`$1`, `$2`, ... in order).
#[derive(Debug, Clone, PartialEq)]
pub struct Statement<'a> {
    /// The SQL, in the dialect both databases accept.
    pub sql: String,
    /// The parameters.
    pub params: Vec<Param<'a>>,
}

/// A row returned by [`IngestPlan::insert_messages`]: id, channel, control id.
pub type InsertedRow = (i64, String, Option<String>);

/// How a batch is written, independent of the database driver that runs it: first each
/// [`IngestPlan::insert_messages`] statement (its rows go to [`IngestPlan::take_rows`]), then
/// a [`IngestPlan::RESEND_LOOKUP`] for each resend it reports, then the
/// [`IngestPlan::follow_up`] statements; all in one transaction.
pub struct IngestPlan<'a> {
    batch: &'a [Ingest],
    now: i64,
    /// Items to insert, in chunks of at most [`ROWS_PER_STATEMENT`].
    to_insert: Vec<usize>,
    /// For a resend within the batch: the index of its first copy.
    copy_of: Vec<Option<usize>>,
    results: Vec<Option<Ingested>>,
}

/// Rows per multi-row statement (well under every parameter limit).
const ROWS_PER_STATEMENT: usize = 100;

impl<'a> IngestPlan<'a> {
    /// Looks up the message a resend repeats: parameters are channel and control id.
    pub const RESEND_LOOKUP: &'static str =
        "SELECT id FROM messages WHERE channel = $1 AND control_id = $2";

    /// Plans a batch received at `now` (Unix ms).
    pub fn new(batch: &'a [Ingest], now: i64) -> Self {
        let mut first_of_key: HashMap<(&str, &str), usize> = HashMap::new();
        let mut copy_of = vec![None; batch.len()];
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
        IngestPlan {
            batch,
            now,
            to_insert,
            copy_of,
            results: vec![None; batch.len()],
        }
    }

    /// The chunks of items to insert, as indexes into the batch.
    pub fn chunks(&self) -> Vec<Vec<usize>> {
        self.to_insert
            .chunks(ROWS_PER_STATEMENT)
            .map(<[usize]>::to_vec)
            .collect()
    }

    /// One multi-row insert of the chunk's messages, skipping control ids the channel already
    /// has; returns id, channel and control id of each inserted row.
    pub fn insert_messages(&self, chunk: &[usize]) -> Statement<'a> {
        let rows: Vec<String> = (0..chunk.len())
            .map(|i| {
                let p = 8 * i + 2;
                format!(
                    "(${}, $1, ${}, ${}, ${}, ${}, ${}, ${}, ${}, $1)",
                    p,
                    p + 1,
                    p + 2,
                    p + 3,
                    p + 4,
                    p + 5,
                    p + 6,
                    p + 7
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO messages (channel, received_at, content_type, control_id, status, error, size_bytes, raw, receipt_events, updated_at) \
             VALUES {} ON CONFLICT (channel, control_id) WHERE control_id IS NOT NULL DO NOTHING \
             RETURNING id, channel, control_id",
            rows.join(", ")
        );
        let mut params = vec![Param::Int(self.now)];
        for &i in chunk {
            let item = &self.batch[i];
            let (status, error) = status_of(&item.outcome);
            params.extend([
                Param::Text(&item.channel),
                Param::Text(&item.content_type),
                Param::text(item.control_id.as_deref()),
                Param::Text(status.as_str()),
                Param::text(error),
                Param::Int(i64::try_from(item.raw.len()).unwrap_or(i64::MAX)),
                Param::Blob(&item.raw),
                Param::OwnedText(receipt_events(item)),
            ]);
        }
        Statement { sql, params }
    }

    /// Takes the rows the chunk's insert returned. One statement assigns ids in row order, so
    /// the sorted new ids match the inserted rows in order. Returns the items that were resends
    /// of stored messages, to be looked up with [`IngestPlan::RESEND_LOOKUP`].
    pub fn take_rows(
        &mut self,
        chunk: &[usize],
        rows: Vec<InsertedRow>,
    ) -> Result<Vec<usize>, StoreError> {
        let mut inserted_keys = std::collections::HashSet::new();
        let mut ids = Vec::with_capacity(rows.len());
        for (id, channel, control) in rows {
            ids.push(id);
            if let Some(control) = control {
                inserted_keys.insert((channel, control));
            }
        }
        ids.sort_unstable();
        let mut new_ids = ids.into_iter();
        let mut resends = Vec::new();
        for &i in chunk {
            let item = &self.batch[i];
            let resent = item.control_id.as_ref().is_some_and(|control| {
                !inserted_keys.contains(&(item.channel.clone(), control.clone()))
            });
            if resent {
                resends.push(i);
            } else {
                let id = new_ids.next().ok_or_else(|| {
                    StoreError::Invalid("fewer message ids than stored rows".into())
                })?;
                self.results[i] = Some(Ingested::New(id));
            }
        }
        Ok(resends)
    }

    /// Parameters of [`IngestPlan::RESEND_LOOKUP`] for item `i`.
    pub fn resend_lookup(&self, i: usize) -> Vec<Param<'a>> {
        let item = &self.batch[i];
        vec![
            Param::Text(&item.channel),
            Param::text(item.control_id.as_deref()),
        ]
    }

    /// Records that item `i` repeats the stored message `id`.
    pub fn resent(&mut self, i: usize, id: i64) {
        self.results[i] = Some(Ingested::Duplicate(id));
    }

    /// The events and queue rows of every item, as multi-row inserts, and the results.
    pub fn follow_up(mut self) -> Result<(Vec<Statement<'a>>, Vec<Ingested>), StoreError> {
        for (i, first) in self.copy_of.iter().enumerate() {
            if let Some(first) = first {
                self.results[i] = self.results[*first].map(|r| Ingested::Duplicate(r.id()));
            }
        }
        let results: Vec<Ingested> = self
            .results
            .into_iter()
            .map(|r| {
                r.ok_or_else(|| StoreError::Invalid("a message of the batch was not stored".into()))
            })
            .collect::<Result<_, _>>()?;
        let mut events: Vec<(i64, &'static str, String)> = Vec::new();
        let mut deliveries: Vec<(i64, &'a str, &'a str, Option<&'a Payload>)> = Vec::new();
        for (item, result) in self.batch.iter().zip(&results) {
            add_rows(item, *result, &mut events, &mut deliveries);
        }
        let now = self.now;
        let mut statements = Vec::new();
        for chunk in events.chunks(ROWS_PER_STATEMENT) {
            let rows: Vec<String> = (0..chunk.len())
                .map(|i| format!("(${}, $1, ${}, ${})", 3 * i + 2, 3 * i + 3, 3 * i + 4))
                .collect();
            let mut params = vec![Param::Int(now)];
            for (id, kind, detail) in chunk {
                params.extend([
                    Param::Int(*id),
                    Param::Text(kind),
                    Param::OwnedText(detail.clone()),
                ]);
            }
            statements.push(Statement {
                sql: format!(
                    "INSERT INTO message_events (message_id, at, kind, detail) VALUES {}",
                    rows.join(", ")
                ),
                params,
            });
        }
        for chunk in deliveries.chunks(ROWS_PER_STATEMENT) {
            let rows: Vec<String> = (0..chunk.len())
                .map(|i| {
                    format!(
                        "(${}, ${}, ${}, 'pending', $1, ${}, ${}, $1, $1)",
                        5 * i + 2,
                        5 * i + 3,
                        5 * i + 4,
                        5 * i + 5,
                        5 * i + 6
                    )
                })
                .collect();
            let mut params = vec![Param::Int(now)];
            for (id, channel, destination, payload) in chunk {
                params.extend([
                    Param::Int(*id),
                    Param::Text(channel),
                    Param::Text(destination),
                    payload.map_or(Param::NullBlob, |p| Param::Blob(&p.bytes)),
                    Param::text(payload.map(|p| p.content_type)),
                ]);
            }
            statements.push(Statement {
                sql: format!(
                    "INSERT INTO deliveries (message_id, channel, destination, status, next_attempt_at, payload, payload_type, created_at, updated_at) VALUES {}",
                    rows.join(", ")
                ),
                params,
            });
        }
        Ok((statements, results))
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
        Outcome::Rejected(rejection) => (MessageStatus::Error, Some(rejection.reason.as_str())),
    }
}

/// The `duplicate` event and the queue rows of one stored (or recognised) message. A new
/// message's receipt events are on its own row ([`receipt_events`]).
fn add_rows<'a>(
    item: &'a Ingest,
    result: Ingested,
    events: &mut Vec<(i64, &'static str, String)>,
    deliveries: &mut Vec<(i64, &'a str, &'a str, Option<&'a Payload>)>,
) {
    match result {
        Ingested::Duplicate(id) => events.push((
            id,
            "duplicate",
            format!("resent: {} bytes, not processed again", item.raw.len()),
        )),
        Ingested::New(id) => {
            if let Outcome::Routed {
                destinations,
                payload,
                ..
            } = &item.outcome
            {
                for destination in destinations {
                    deliveries.push((id, &item.channel, destination, payload.as_ref()));
                }
            }
        }
    }
}

/// What happened when `item` was received, as the JSON array of `{"kind", "detail"}` kept in
/// its row's `receipt_events`: `received`, the routing trail, and the outcome. Keeping them on
/// the row lets a batch of messages be stored without writing a second table.
fn receipt_events(item: &Ingest) -> String {
    let event = |kind: &str, detail: String| ReceiptEvent {
        kind: kind.to_string(),
        detail,
    };
    let mut events = vec![event("received", format!("{} bytes", item.raw.len()))];
    let (status, _) = status_of(&item.outcome);
    match &item.outcome {
        Outcome::Stored => {}
        Outcome::Routed {
            destinations,
            trail,
            warnings,
            ..
        } => {
            events.extend(trail.iter().map(|line| event("routed", line.clone())));
            events.extend(warnings.iter().map(|line| event("warning", line.clone())));
            let detail = if destinations.is_empty() {
                "no destination".to_string()
            } else {
                format!("queued for {}", destinations.join(", "))
            };
            events.push(event(status.as_str(), detail));
        }
        Outcome::Filtered(reason) | Outcome::Rejected(Rejection { reason, .. }) => {
            events.push(event(status.as_str(), reason.clone()));
        }
    }
    // A list of plain strings always serializes.
    serde_json::to_string(&events).unwrap_or_default()
}

fn bind_params<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    params: &'q [Param<'q>],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    for param in params {
        query = match param {
            Param::NullText => query.bind(Option::<String>::None),
            Param::NullBlob => query.bind(Option::<Vec<u8>>::None),
            Param::Int(v) => query.bind(*v),
            Param::Text(v) => query.bind(*v),
            Param::OwnedText(v) => query.bind(v.as_str()),
            Param::Blob(v) => query.bind(*v),
        };
    }
    query
}

impl Store {
    /// Stores a batch of messages with their outcomes in one transaction of a few statements
    /// (see [`IngestPlan`]). The engine's SQLite writer thread runs the same plan natively.
    pub async fn ingest(&self, batch: &[Ingest]) -> Result<Vec<Ingested>, StoreError> {
        let mut plan = IngestPlan::new(batch, now_millis());
        let mut tx = self.begin_write().await?;
        for chunk in plan.chunks() {
            let statement = plan.insert_messages(&chunk);
            let rows = bind_params(
                sqlx::query(sqlx::AssertSqlSafe(statement.sql.clone())),
                &statement.params,
            )
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|row| {
                Ok((
                    row.try_get("id")?,
                    row.try_get("channel")?,
                    row.try_get("control_id")?,
                ))
            })
            .collect::<Result<Vec<InsertedRow>, sqlx::Error>>()?;
            for i in plan.take_rows(&chunk, rows)? {
                let params = plan.resend_lookup(i);
                let id: i64 = bind_params(sqlx::query(IngestPlan::RESEND_LOOKUP), &params)
                    .fetch_one(&mut *tx)
                    .await?
                    .try_get("id")?;
                plan.resent(i, id);
            }
        }
        let (statements, results) = plan.follow_up()?;
        for statement in &statements {
            bind_params(
                sqlx::query(sqlx::AssertSqlSafe(statement.sql.clone())),
                &statement.params,
            )
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(results)
    }
}

pub(super) async fn insert_deliveries(
    conn: &mut AnyConnection,
    message_id: i64,
    channel: &str,
    destinations: &[String],
    payload: Option<&Payload>,
    now: i64,
) -> Result<Vec<i64>, StoreError> {
    let mut ids = Vec::with_capacity(destinations.len());
    for destination in destinations {
        let row = sqlx::query(
            "INSERT INTO deliveries (message_id, channel, destination, status, next_attempt_at, payload, payload_type, created_at, updated_at) \
             VALUES ($1, $2, $3, 'pending', $4, $5, $6, $4, $4) RETURNING id",
        )
        .bind(message_id)
        .bind(channel)
        .bind(destination)
        .bind(now)
        .bind(payload.map(|p| p.bytes.as_slice()))
        .bind(payload.map(|p| p.content_type))
        .fetch_one(&mut *conn)
        .await?;
        ids.push(row.try_get("id")?);
    }
    Ok(ids)
}
