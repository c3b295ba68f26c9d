//! Durable destination queues: one row per (message, destination) with its delivery state.
//!
//! A row is `pending` until sent; a transient failure schedules a retry; a permanent failure or
//! exhausted retries make it `dead` (replayable) or `discarded`; an ambiguous failure (a retry
//! could deliver twice) makes it `held` for an operator.

use serde::Serialize;
use sqlx::{AssertSqlSafe, Row};

use super::ingest::{Payload, insert_deliveries};
use super::messages::{MessageStatus, insert_event};
use super::sql::{Sql, first_row};
use super::upsert::Value;
use super::{Store, StoreError, now_millis};

/// Where a delivery is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    /// Waiting to be sent (maybe after a backoff).
    Pending,
    /// Delivered.
    Sent,
    /// Given up on; on the dead-letter list, replayable.
    Dead,
    /// An ambiguous failure; waits for an operator to replay or discard it.
    Held,
    /// Given up on and not kept for replay.
    Discarded,
}

impl DeliveryStatus {
    /// Stored text form.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Sent => "sent",
            DeliveryStatus::Dead => "dead",
            DeliveryStatus::Held => "held",
            DeliveryStatus::Discarded => "discarded",
        }
    }

    fn parse(text: &str) -> Result<Self, StoreError> {
        [
            DeliveryStatus::Pending,
            DeliveryStatus::Sent,
            DeliveryStatus::Dead,
            DeliveryStatus::Held,
            DeliveryStatus::Discarded,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
        .ok_or_else(|| StoreError::Invalid(format!("unknown delivery status '{text}'")))
    }
}

/// One queued delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Delivery {
    /// Delivery id.
    pub id: i64,
    /// The message delivered.
    pub message_id: i64,
    /// Channel name.
    pub channel: String,
    /// Destination name within the channel.
    pub destination: String,
    /// State.
    pub status: DeliveryStatus,
    /// Attempts made so far.
    pub attempts: i64,
    /// Unix ms of the next attempt.
    pub next_attempt_at: i64,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// Unix ms when queued.
    pub created_at: i64,
}

/// A delivery that is due, with what it sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueDelivery {
    /// The queue row.
    pub delivery: Delivery,
    /// The bytes to send: the transformed payload, or the raw message.
    pub body: Vec<u8>,
    /// The message's MIME type.
    pub content_type: String,
    /// The message's control id.
    pub control_id: Option<String>,
}

/// What a destination worker should do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextDelivery {
    /// These deliveries are due now, in the order to send them.
    Due(Vec<DueDelivery>),
    /// The next delivery is due at this Unix ms.
    WaitUntil(i64),
    /// An ordered queue is blocked behind a held delivery.
    Blocked(i64),
    /// Nothing is queued.
    Idle,
}

/// A routed message's deliveries, written with its status in one transaction.
#[derive(Debug, Clone)]
pub struct Routing<'a> {
    /// The message.
    pub message_id: i64,
    /// Its channel.
    pub channel: &'a str,
    /// Destination names.
    pub destinations: &'a [String],
    /// What the destinations receive, when it differs from the raw message.
    pub payload: Option<&'a Payload>,
    /// Event trail lines explaining the routing.
    pub trail: &'a [String],
}

/// Queue depth of one destination, by status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct QueueDepth {
    /// Waiting to be sent.
    pub pending: i64,
    /// Held for an operator.
    pub held: i64,
    /// On the dead-letter list.
    pub dead: i64,
}

/// What a delivery sends (`body`, `content_type`, `control_id`): its transformed payload, or
/// the raw message with the message's type. Payloads from before their type was recorded are
/// canonical records (JSON).
const SENT_COLUMNS: &str = "COALESCE(d.payload, m.raw) AS body, \
    CASE WHEN d.payload IS NULL THEN m.content_type ELSE COALESCE(d.payload_type, 'application/json') END AS content_type, \
    m.control_id";

const DELIVERY_COLUMNS: &str = "id, message_id, channel, destination, status, attempts, next_attempt_at, last_error, created_at";

impl Store {
    /// Queues the message for each destination and marks it processed (or filtered when there
    /// is no destination), recording the routing trail, all in one transaction.
    pub async fn route_message(&self, routing: &Routing<'_>) -> Result<Vec<i64>, StoreError> {
        let now = now_millis();
        let mut tx = self.begin_write().await?;
        for line in routing.trail {
            insert_event(&mut *tx, routing.message_id, now, "routed", Some(line)).await?;
        }
        let ids = insert_deliveries(
            &mut tx,
            routing.message_id,
            routing.channel,
            routing.destinations,
            routing.payload,
            now,
        )
        .await?;
        let status = if routing.destinations.is_empty() {
            MessageStatus::Filtered
        } else {
            MessageStatus::Processed
        };
        let detail = if routing.destinations.is_empty() {
            "no destination".to_string()
        } else {
            format!("queued for {}", routing.destinations.join(", "))
        };
        sqlx::query("UPDATE messages SET status = $1, error = NULL, updated_at = $2 WHERE id = $3")
            .bind(status.as_str())
            .bind(now)
            .bind(routing.message_id)
            .execute(&mut *tx)
            .await?;
        insert_event(
            &mut *tx,
            routing.message_id,
            now,
            status.as_str(),
            Some(&detail),
        )
        .await?;
        tx.commit().await?;
        Ok(ids)
    }

    /// What the worker of `channel.destination` should do next: up to `limit` deliveries due
    /// now, with what they send. Ordered queues take their oldest undelivered rows in order and
    /// stop at the first that is held or not yet due; unordered ones take the oldest due rows.
    pub async fn next_deliveries(
        &self,
        channel: &str,
        destination: &str,
        ordered: bool,
        limit: i64,
    ) -> Result<NextDelivery, StoreError> {
        let now = now_millis();
        let columns = format!(
            "d.id, d.message_id, d.channel, d.destination, d.status, d.attempts, d.next_attempt_at, \
             d.last_error, d.created_at, {SENT_COLUMNS}"
        );
        // The due ids come first, from the queue's own index and at most `limit` of them; only
        // those rows are then joined with their messages. Sorting and joining every waiting
        // delivery made each batch cost as much as the whole backlog.
        let due_ids = if ordered {
            "SELECT id FROM (SELECT id FROM deliveries WHERE channel = $1 AND destination = $2 \
             AND status = 'pending' ORDER BY id LIMIT $3) AS pending \
             UNION ALL SELECT id FROM (SELECT id FROM deliveries WHERE channel = $1 AND destination = $2 \
             AND status = 'held' ORDER BY id LIMIT $3) AS held ORDER BY id LIMIT $3"
        } else {
            "SELECT id FROM deliveries WHERE channel = $1 AND destination = $2 AND status = 'pending' \
             ORDER BY next_attempt_at, id LIMIT $3"
        };
        let order = if ordered {
            "d.id"
        } else {
            "d.next_attempt_at, d.id"
        };
        let sql = format!(
            "SELECT {columns} FROM ({due_ids}) AS due JOIN deliveries d ON d.id = due.id \
             JOIN messages m ON m.id = d.message_id ORDER BY {order}"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(channel)
            .bind(destination)
            .bind(limit.max(1))
            .fetch_all(self.pool())
            .await?;
        let mut due = Vec::new();
        for row in &rows {
            let delivery = delivery_from_row(row)?;
            let blocker = match delivery.status {
                DeliveryStatus::Held => Some(NextDelivery::Blocked(delivery.id)),
                _ if delivery.next_attempt_at > now => {
                    Some(NextDelivery::WaitUntil(delivery.next_attempt_at))
                }
                _ => None,
            };
            if let Some(blocker) = blocker {
                if due.is_empty() {
                    return Ok(blocker);
                }
                break;
            }
            due.push(DueDelivery {
                delivery,
                body: row.try_get("body")?,
                content_type: row.try_get("content_type")?,
                control_id: row.try_get("control_id")?,
            });
        }
        Ok(if due.is_empty() {
            NextDelivery::Idle
        } else {
            NextDelivery::Due(due)
        })
    }

    /// Takes leases of `lease_ms` on pending deliveries so that no other engine process sends
    /// them meanwhile; returns the ids this process now holds. A delivery is free when it has
    /// no lease, its lease has run out, or `owner` holds it already. Lease times are the
    /// database's clock.
    pub async fn claim_deliveries(
        &self,
        ids: &[i64],
        owner: &str,
        lease_ms: i64,
    ) -> Result<Vec<i64>, StoreError> {
        let now = self.backend().now_millis_sql();
        let sql = format!(
            "UPDATE deliveries SET lease_owner = $1, lease_until = {now} + $2 WHERE status = 'pending' \
             AND (lease_until IS NULL OR lease_until < {now} OR lease_owner = $1) AND id IN (IDS) RETURNING id"
        );
        self.update_leases(&sql, owner, Some(lease_ms), ids).await
    }

    /// The heartbeat of a worker: the leases `owner` still holds among `ids` run `lease_ms`
    /// from now. Returns the ids it holds.
    pub async fn extend_leases(
        &self,
        ids: &[i64],
        owner: &str,
        lease_ms: i64,
    ) -> Result<Vec<i64>, StoreError> {
        let sql = format!(
            "UPDATE deliveries SET lease_until = {} + $2 WHERE lease_owner = $1 AND id IN (IDS) RETURNING id",
            self.backend().now_millis_sql(),
        );
        self.update_leases(&sql, owner, Some(lease_ms), ids).await
    }

    /// Gives back the leases `owner` still holds among `ids` (deliveries it took but did not
    /// attempt), so another worker may take them at once. Returns the ids given back.
    pub async fn release_leases(&self, ids: &[i64], owner: &str) -> Result<Vec<i64>, StoreError> {
        let sql = "UPDATE deliveries SET lease_owner = NULL, lease_until = NULL \
                   WHERE lease_owner = $1 AND id IN (IDS) RETURNING id";
        self.update_leases(sql, owner, None, ids).await
    }

    /// Runs a lease update `sql` returning `id`, with `owner` as `$1`, `lease_ms` (when given)
    /// as `$2`, and `ids` as the numbered parameters that replace `IDS`.
    async fn update_leases(
        &self,
        sql: &str,
        owner: &str,
        lease_ms: Option<i64>,
        ids: &[i64],
    ) -> Result<Vec<i64>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let first = if lease_ms.is_some() { 3 } else { 2 };
        let list: Vec<String> = (first..first + ids.len())
            .map(|n| format!("${n}"))
            .collect();
        let sql = sql.replace("IDS", &list.join(", "));
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(owner);
        if let Some(lease_ms) = lease_ms {
            query = query.bind(lease_ms);
        }
        for id in ids {
            query = query.bind(*id);
        }
        let rows = query.fetch_all(self.pool()).await?;
        rows.iter().map(|r| Ok(r.try_get("id")?)).collect()
    }

    /// Frees every lease held under `owner`, for an engine starting again under the node id it
    /// had: the deliveries its earlier process had taken are due again at once rather than when
    /// their leases run out. Each gets an event on its message's trail, since one of them may
    /// have been in flight when that process stopped and is sent again (at least once).
    /// Returns how many were freed. Only call it while no worker of `owner` runs.
    pub async fn reclaim_leases(&self, owner: &str) -> Result<usize, StoreError> {
        let now = now_millis();
        let mut tx = self.begin_write().await?;
        let rows = sqlx::query(
            "UPDATE deliveries SET lease_owner = NULL, lease_until = NULL, updated_at = $2 \
             WHERE lease_owner = $1 RETURNING message_id, destination",
        )
        .bind(owner)
        .bind(now)
        .fetch_all(&mut *tx)
        .await?;
        for row in &rows {
            let message_id: i64 = row.try_get("message_id")?;
            let destination: String = row.try_get("destination")?;
            let detail = format!(
                "{destination}: taken back from node {owner}, which restarted; \
                 an attempt in flight when it stopped is made again"
            );
            insert_event(&mut *tx, message_id, now, "reclaimed", Some(&detail)).await?;
        }
        tx.commit().await?;
        Ok(rows.len())
    }

    /// The bytes a delivery sends: its transformed payload, or the raw message.
    pub async fn delivery_payload(
        &self,
        id: i64,
    ) -> Result<(Vec<u8>, String, Option<String>), StoreError> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {SENT_COLUMNS} FROM deliveries d JOIN messages m ON m.id = d.message_id WHERE d.id = $1"
        )))
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("delivery {id}")))?;
        Ok((
            row.try_get("body")?,
            row.try_get("content_type")?,
            row.try_get("control_id")?,
        ))
    }

    /// Records the outcome of an attempt: `Sent`, a retry at `retry_at` (status `Pending`), or
    /// `Dead` / `Held` / `Discarded`; adds an event to the message's trail.
    pub async fn finish_attempt(
        &self,
        delivery: &Delivery,
        status: DeliveryStatus,
        retry_at: Option<i64>,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        record_attempt_on(&mut *tx, delivery.id, status, retry_at, error).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Dead and held deliveries, newest first, optionally of one channel.
    pub async fn dead_letters(
        &self,
        channel: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Delivery>, StoreError> {
        let sql = format!(
            "SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE status IN ('dead', 'held') \
             AND ($1 IS NULL OR channel = $1) ORDER BY id DESC LIMIT $2"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(channel)
            .bind(limit.clamp(1, 1000))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(delivery_from_row).collect()
    }

    /// Deliveries of one message, oldest first.
    pub async fn message_deliveries(&self, message_id: i64) -> Result<Vec<Delivery>, StoreError> {
        let sql =
            format!("SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE message_id = $1 ORDER BY id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(message_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(delivery_from_row).collect()
    }

    /// Puts a dead or held delivery back in its queue, due now, with a fresh attempt count.
    /// Returns the delivery, or `None` when it is not dead or held.
    pub async fn replay_delivery(
        &self,
        id: i64,
        actor: &str,
    ) -> Result<Option<Delivery>, StoreError> {
        let now = now_millis();
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = $1, updated_at = $1 \
             WHERE id = $2 AND status IN ('dead', 'held')",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(None);
        }
        let sql = format!("SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let delivery = delivery_from_row(&row)?;
        let detail = format!("{} replayed by {actor}", delivery.destination);
        insert_event(
            &mut *tx,
            delivery.message_id,
            now,
            "replayed",
            Some(&detail),
        )
        .await?;
        tx.commit().await?;
        Ok(Some(delivery))
    }

    /// Queue depths of every destination that has undelivered rows: (channel, destination, depth).
    pub async fn queue_depths(&self) -> Result<Vec<(String, String, QueueDepth)>, StoreError> {
        let rows = sqlx::query(
            "SELECT channel, destination, status, COUNT(*) AS n FROM deliveries \
             WHERE status IN ('pending', 'held', 'dead') GROUP BY channel, destination, status \
             ORDER BY channel, destination",
        )
        .fetch_all(self.pool())
        .await?;
        let mut depths: Vec<(String, String, QueueDepth)> = Vec::new();
        for row in rows {
            let channel: String = row.try_get("channel")?;
            let destination: String = row.try_get("destination")?;
            let status: String = row.try_get("status")?;
            let n: i64 = row.try_get("n")?;
            let position = depths
                .iter()
                .position(|(c, d, _)| *c == channel && *d == destination);
            let depth = match position {
                Some(i) => &mut depths[i].2,
                None => {
                    depths.push((channel, destination, QueueDepth::default()));
                    let last = depths.len() - 1;
                    &mut depths[last].2
                }
            };
            match status.as_str() {
                "pending" => depth.pending = n,
                "held" => depth.held = n,
                _ => depth.dead = n,
            }
        }
        Ok(depths)
    }
}

fn delivery_from_row(row: &sqlx::any::AnyRow) -> Result<Delivery, StoreError> {
    let status: String = row.try_get("status")?;
    Ok(Delivery {
        id: row.try_get("id")?,
        message_id: row.try_get("message_id")?,
        channel: row.try_get("channel")?,
        destination: row.try_get("destination")?,
        status: DeliveryStatus::parse(&status)?,
        attempts: row.try_get("attempts")?,
        next_attempt_at: row.try_get("next_attempt_at")?,
        last_error: row.try_get("last_error")?,
        created_at: row.try_get("created_at")?,
    })
}

/// Marks delivery `id` sent on `conn`, inside the transaction of the destination's own writes
/// to the store.
pub async fn mark_sent_on(conn: &mut dyn Sql, id: i64) -> Result<(), StoreError> {
    record_attempt_on(conn, id, DeliveryStatus::Sent, None, None).await
}

/// [`Store::finish_attempt`] for delivery `id` on `conn`, inside the caller's transaction (a
/// destination that writes to the store records its success with its own writes): one more
/// attempt, the lease released, and an event on the message's trail.
pub(super) async fn record_attempt_on(
    conn: &mut dyn Sql,
    id: i64,
    status: DeliveryStatus,
    retry_at: Option<i64>,
    error: Option<&str>,
) -> Result<(), StoreError> {
    let now = now_millis();
    let row = first_row(
        conn,
        "UPDATE deliveries SET status = $1, attempts = attempts + 1, next_attempt_at = $2, \
         last_error = $3, lease_owner = NULL, lease_until = NULL, updated_at = $4 WHERE id = $5 \
         RETURNING message_id, destination, attempts",
        &[
            Value::from(status.as_str()),
            Value::from(retry_at.unwrap_or(now)),
            Value::Text(error.map(str::to_string)),
            Value::from(now),
            Value::from(id),
        ],
    )
    .await?
    .ok_or_else(|| StoreError::Invalid(format!("delivery {id} does not exist")))?;
    let message_id = row.int("message_id")?;
    let destination = row.text("destination")?;
    let attempt = row.int("attempts")?;
    let (kind, detail) = match (status, retry_at) {
        (DeliveryStatus::Sent, _) => ("sent", format!("{destination} (attempt {attempt})")),
        (DeliveryStatus::Pending, Some(at)) => (
            "retry",
            format!(
                "{destination} attempt {attempt} failed, retry in {} ms: {}",
                (at - now).max(0),
                error.unwrap_or_default()
            ),
        ),
        (other, _) => (
            other.as_str(),
            format!(
                "{destination} after attempt {attempt}: {}",
                error.unwrap_or_default()
            ),
        ),
    };
    insert_event(conn, message_id, now, kind, Some(&detail)).await
}
