//! Storing received messages: the raw bytes, their processing outcome, event trail and queue
//! rows, in one transaction per batch. Many messages share one commit (group commit), so the
//! engine can acknowledge thousands of messages a second and still acknowledge none before it
//! is durable.

use std::collections::{HashMap, HashSet, VecDeque};

use sqlx::{AnyConnection, Row};

use super::messages::{MessageStatus, ReceiptEvent};
use super::{Store, StoreError, now_millis};
use crate::message::{Rejection, ResendKey};

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
        /// What the transform changed, one line per edit (`transformed` events).
        transformed: Vec<String>,
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
    /// The sender's control id, when known (shown and searched).
    pub control_id: Option<String>,
    /// Its kind (`ADT^A08`, `835`, `Patient`), when it could be read.
    pub message_type: Option<String>,
    /// Who sent it (`EHR^HOSP`, ISA06), when it says.
    pub sender: Option<String>,
    /// How a resend of it is recognised, when it names its sender and control id: a message of
    /// the channel with the same key that was not an error is the one this repeats.
    pub resend_key: Option<ResendKey>,
    /// The bytes exactly as received.
    pub raw: Vec<u8>,
    /// What to record with it.
    pub outcome: Outcome,
}

impl Ingest {
    fn failed(&self) -> bool {
        status_of(&self.outcome).0 == MessageStatus::Error
    }
}

/// What storing one message did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ingested {
    /// Stored as a new message with this id.
    New(i64),
    /// A resend of a message the channel kept (same sender, control id and content, and not an
    /// error): nothing stored; the original's id.
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

/// A row returned by one of an [`IngestPlan`]'s queries: its first column, an id, then its
/// other columns, all text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRow {
    /// The first column.
    pub id: i64,
    /// The other columns in order.
    pub texts: Vec<Option<String>>,
}

impl PlanRow {
    fn text(&self, column: usize) -> Option<&str> {
        self.texts.get(column).and_then(|t| t.as_deref())
    }
}

/// What one of the plan's queries asks.
#[derive(Debug, Clone)]
enum Query {
    /// Whether the channel kept a message that item `i`, which failed this time, repeats.
    KeptCopy(usize),
    /// The insert of these items.
    Insert(Vec<usize>),
    /// The kept message that item `i`, which its insert skipped, repeats.
    Resent(usize),
    /// For these inserted items, the latest earlier message with the same sender and control id.
    Earlier(Vec<usize>),
}

/// How a batch is written, independent of the database driver that runs it: the driver runs
/// each [`IngestPlan::next_query`] and hands its rows to [`IngestPlan::answer`], then executes
/// the [`IngestPlan::follow_up`] statements; all in one transaction. The queries are, per
/// chunk of [`ROWS_PER_STATEMENT`] messages, one multi-row insert (which skips resends of kept
/// messages through the unique index on channel, resend key and content hash) and one lookup
/// of earlier messages with the same control ids; plus one lookup per resend, and per message
/// that failed and has a resend key.
pub struct IngestPlan<'a> {
    batch: &'a [Ingest],
    now: i64,
    queries: VecDeque<Query>,
    asked: Option<Query>,
    /// For a resend within the batch: the index of its first kept copy.
    copy_of: Vec<Option<usize>>,
    results: Vec<Option<Ingested>>,
    /// Events found while storing: message id, kind, detail.
    notes: Vec<(i64, &'static str, String)>,
}

/// Rows per multi-row statement (well under every parameter limit).
const ROWS_PER_STATEMENT: usize = 100;

/// The columns a plan's insert and earlier-message lookup return.
const PLAN_COLUMNS: &str = "id, channel, resend_key, content_hash, status";

impl<'a> IngestPlan<'a> {
    /// Looks up the kept message a resend repeats: channel, resend key, content hash.
    const RESEND_LOOKUP: &'static str = "SELECT id FROM messages WHERE channel = $1 AND resend_key = $2 \
         AND content_hash = $3 AND status <> 'error'";

    /// Plans a batch received at `now` (Unix ms). Within the batch, a message that repeats an
    /// earlier one that is not an error is its resend; copies of one that failed are each
    /// stored.
    pub fn new(batch: &'a [Ingest], now: i64) -> Self {
        let mut first_kept: HashMap<(&str, &str, &str), usize> = HashMap::new();
        let mut copy_of = vec![None; batch.len()];
        let mut queries = VecDeque::new();
        let mut to_insert = Vec::with_capacity(batch.len());
        for (i, item) in batch.iter().enumerate() {
            if let Some(key) = &item.resend_key {
                let identity = (
                    item.channel.as_str(),
                    key.sender_control.as_str(),
                    key.content_hash.as_str(),
                );
                if let Some(&first) = first_kept.get(&identity) {
                    copy_of[i] = Some(first);
                    continue;
                }
                if item.failed() {
                    queries.push_back(Query::KeptCopy(i));
                } else {
                    first_kept.insert(identity, i);
                }
            }
            to_insert.push(i);
        }
        queries.extend(
            to_insert
                .chunks(ROWS_PER_STATEMENT)
                .map(|chunk| Query::Insert(chunk.to_vec())),
        );
        IngestPlan {
            batch,
            now,
            queries,
            asked: None,
            copy_of,
            results: vec![None; batch.len()],
            notes: Vec::new(),
        }
    }

    /// The next query to run, its rows to be handed to [`IngestPlan::answer`]; `None` when
    /// only the [`IngestPlan::follow_up`] is left.
    pub fn next_query(&mut self) -> Option<Statement<'a>> {
        while let Some(query) = self.queries.pop_front() {
            let (query, statement) = match query {
                Query::KeptCopy(i) | Query::Resent(i) => {
                    let statement = self.resend_lookup(i);
                    (query, statement)
                }
                Query::Insert(chunk) => {
                    let chunk: Vec<usize> = chunk
                        .into_iter()
                        .filter(|&i| self.results[i].is_none())
                        .collect();
                    let statement = self.insert_messages(&chunk);
                    (Query::Insert(chunk), statement)
                }
                Query::Earlier(chunk) => {
                    let chunk: Vec<usize> = chunk
                        .into_iter()
                        .filter(|&i| {
                            let item = &self.batch[i];
                            matches!(self.results[i], Some(Ingested::New(_)))
                                && item.resend_key.is_some()
                                && item.control_id.is_some()
                        })
                        .collect();
                    let statement = self.earlier_messages(&chunk);
                    (Query::Earlier(chunk), statement)
                }
            };
            if let Some(statement) = statement {
                self.asked = Some(query);
                return Some(statement);
            }
        }
        None
    }

    /// Takes the rows of the last [`IngestPlan::next_query`].
    pub fn answer(&mut self, rows: Vec<PlanRow>) -> Result<(), StoreError> {
        match self.asked.take() {
            None => Err(StoreError::Invalid(
                "rows for an ingest query that was not asked".into(),
            )),
            Some(Query::KeptCopy(i)) => {
                if let Some(row) = rows.first() {
                    self.results[i] = Some(Ingested::Duplicate(row.id));
                }
                Ok(())
            }
            Some(Query::Resent(i)) => {
                let row = rows
                    .first()
                    .ok_or_else(|| StoreError::Invalid("a resent message vanished".into()))?;
                self.results[i] = Some(Ingested::Duplicate(row.id));
                Ok(())
            }
            Some(Query::Insert(chunk)) => {
                let skipped = self.take_inserted(&chunk, &rows)?;
                self.queries.push_front(Query::Earlier(chunk));
                for i in skipped.into_iter().rev() {
                    self.queries.push_front(Query::Resent(i));
                }
                Ok(())
            }
            Some(Query::Earlier(chunk)) => {
                self.take_earlier(&chunk, &rows);
                Ok(())
            }
        }
    }

    /// [`IngestPlan::RESEND_LOOKUP`] for item `i`.
    fn resend_lookup(&self, i: usize) -> Option<Statement<'a>> {
        let item = &self.batch[i];
        let key = item.resend_key.as_ref()?;
        Some(Statement {
            sql: Self::RESEND_LOOKUP.to_string(),
            params: vec![
                Param::Text(&item.channel),
                Param::Text(&key.sender_control),
                Param::Text(&key.content_hash),
            ],
        })
    }

    /// One multi-row insert of the chunk's messages, skipping resends of messages the channel
    /// kept; returns [`PLAN_COLUMNS`] of each inserted row.
    fn insert_messages(&self, chunk: &[usize]) -> Option<Statement<'a>> {
        if chunk.is_empty() {
            return None;
        }
        const PER_ROW: usize = 12;
        let rows: Vec<String> = (0..chunk.len())
            .map(|i| {
                let first = PER_ROW * i + 2;
                let params: Vec<String> =
                    (first..first + PER_ROW).map(|p| format!("${p}")).collect();
                let (head, tail) = params.split_at(1);
                format!("({}, $1, {}, $1)", head.join(", "), tail.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO messages (channel, received_at, content_type, control_id, resend_key, content_hash, status, error, size_bytes, raw, receipt_events, message_type, sender, updated_at) \
             VALUES {} ON CONFLICT (channel, resend_key, content_hash) WHERE resend_key IS NOT NULL AND status <> 'error' DO NOTHING \
             RETURNING {PLAN_COLUMNS}",
            rows.join(", ")
        );
        let mut params = vec![Param::Int(self.now)];
        for &i in chunk {
            let item = &self.batch[i];
            let (status, error) = status_of(&item.outcome);
            let key = item.resend_key.as_ref();
            params.extend([
                Param::Text(&item.channel),
                Param::Text(&item.content_type),
                Param::text(item.control_id.as_deref()),
                Param::text(key.map(|k| k.sender_control.as_str())),
                Param::text(key.map(|k| k.content_hash.as_str())),
                Param::Text(status.as_str()),
                Param::text(error),
                Param::Int(i64::try_from(item.raw.len()).unwrap_or(i64::MAX)),
                Param::Blob(&item.raw),
                Param::OwnedText(receipt_events(item)),
                Param::text(item.message_type.as_deref()),
                Param::text(item.sender.as_deref()),
            ]);
        }
        Some(Statement { sql, params })
    }

    /// Takes the rows the chunk's insert returned. One statement assigns ids in row order, so
    /// the sorted new ids match the inserted rows in order. Only a kept message can be skipped
    /// (the unique index leaves errors out), and the batch holds one kept copy of each; returns
    /// the skipped items, resends of stored messages.
    fn take_inserted(
        &mut self,
        chunk: &[usize],
        rows: &[PlanRow],
    ) -> Result<Vec<usize>, StoreError> {
        let kept: HashSet<(&str, &str, &str)> = rows
            .iter()
            .filter(|row| row.text(3) != Some(MessageStatus::Error.as_str()))
            .filter_map(|row| Some((row.text(0)?, row.text(1)?, row.text(2)?)))
            .collect();
        let mut ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
        ids.sort_unstable();
        let mut new_ids = ids.into_iter();
        let mut skipped = Vec::new();
        for &i in chunk {
            let item = &self.batch[i];
            let resent = match &item.resend_key {
                Some(key) if !item.failed() => !kept.contains(&(
                    item.channel.as_str(),
                    key.sender_control.as_str(),
                    key.content_hash.as_str(),
                )),
                _ => false,
            };
            if resent {
                skipped.push(i);
            } else {
                let id = new_ids.next().ok_or_else(|| {
                    StoreError::Invalid("fewer message ids than stored rows".into())
                })?;
                self.results[i] = Some(Ingested::New(id));
            }
        }
        Ok(skipped)
    }

    /// For each inserted item, the latest message stored before it with the same channel,
    /// control id and resend key (the index on channel, control id and id finds it); returns
    /// [`PLAN_COLUMNS`].
    fn earlier_messages(&self, chunk: &[usize]) -> Option<Statement<'a>> {
        if chunk.is_empty() {
            return None;
        }
        let lookups: Vec<String> = (0..chunk.len())
            .map(|n| {
                let p = 4 * n + 1;
                format!(
                    "(SELECT id FROM messages WHERE channel = ${p} AND control_id = ${} AND resend_key = ${} AND id < ${} ORDER BY id DESC LIMIT 1)",
                    p + 1,
                    p + 2,
                    p + 3
                )
            })
            .collect();
        let mut params = Vec::with_capacity(4 * chunk.len());
        for &i in chunk {
            let item = &self.batch[i];
            params.extend([
                Param::Text(&item.channel),
                Param::text(item.control_id.as_deref()),
                Param::text(item.resend_key.as_ref().map(|k| k.sender_control.as_str())),
                Param::Int(self.results[i].map_or(0, Ingested::id)),
            ]);
        }
        Some(Statement {
            sql: format!(
                "SELECT {PLAN_COLUMNS} FROM messages WHERE id IN ({})",
                lookups.join(", ")
            ),
            params,
        })
    }

    /// Notes, on each inserted item that has an earlier message with its sender and control
    /// id, whether it reuses that control id for other content or resends one that failed.
    fn take_earlier(&mut self, chunk: &[usize], rows: &[PlanRow]) {
        for &i in chunk {
            let (item, Some(Ingested::New(id))) = (&self.batch[i], self.results[i]) else {
                continue;
            };
            let Some(key) = &item.resend_key else {
                continue;
            };
            let earlier = rows
                .iter()
                .filter(|row| {
                    row.id < id
                        && row.text(0) == Some(item.channel.as_str())
                        && row.text(1) == Some(key.sender_control.as_str())
                })
                .max_by_key(|row| row.id);
            let Some(earlier) = earlier else {
                continue;
            };
            let control = item.control_id.as_deref().unwrap_or_default();
            let note = if earlier.text(2) == Some(key.content_hash.as_str()) {
                (
                    "resent after error",
                    format!(
                        "resend of message {}, which had status {}: processed again",
                        earlier.id,
                        earlier.text(3).unwrap_or("unknown")
                    ),
                )
            } else {
                (
                    "control id reused",
                    format!(
                        "message {} from the same sender has control id {control} and other content",
                        earlier.id
                    ),
                )
            };
            self.notes.push((id, note.0, note.1));
        }
    }

    /// The events and queue rows of every item, as multi-row inserts, and the results.
    pub fn follow_up(self) -> Result<(Vec<Statement<'a>>, Vec<Ingested>), StoreError> {
        let mut results = self.results;
        for (i, first) in self.copy_of.iter().enumerate() {
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
        let mut events = self.notes;
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
            transformed,
            ..
        } => {
            events.extend(trail.iter().map(|line| event("routed", line.clone())));
            events.extend(
                transformed
                    .iter()
                    .map(|line| event("transformed", line.clone())),
            );
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
        while let Some(statement) = plan.next_query() {
            let rows = bind_params(
                sqlx::query(sqlx::AssertSqlSafe(statement.sql.clone())),
                &statement.params,
            )
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|row| {
                Ok(PlanRow {
                    id: row.try_get(0)?,
                    texts: (1..row.len())
                        .map(|column| row.try_get(column))
                        .collect::<Result<_, sqlx::Error>>()?,
                })
            })
            .collect::<Result<Vec<PlanRow>, sqlx::Error>>()?;
            plan.answer(rows)?;
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
