//! The engine nodes that share this store. Each engine process registers at start, heartbeats
//! while it runs and says when it stops, so every node, and the operator, sees which nodes are
//! live, which configuration each runs and which deliveries each holds; a polled source is
//! polled by the one node that holds its lease. Times are the database's clock, as for the
//! delivery leases.

use serde::Serialize;
use sqlx::{AssertSqlSafe, Row};

use super::{Store, StoreError};

/// A node whose last heartbeat is older than this is gone (three missed heartbeats).
pub const GONE_AFTER_MS: i64 = 12_000;

/// What a node says of itself when it registers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeRegistration {
    /// The node id (the lease owner of its deliveries).
    pub id: String,
    /// Host name.
    pub host: String,
    /// Engine version.
    pub version: String,
    /// Address of its HTTP server (API, FHIR, console, metrics).
    pub http_address: String,
    /// Its sources, as `channel: kind address` lines.
    pub sources: Vec<String>,
    /// The version of the configuration it runs.
    pub config_version: String,
    /// The last configuration change (from the store's log) it has applied.
    pub config_applied: i64,
}

/// Whether a node is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum NodeState {
    /// Heartbeating.
    Live,
    /// Stopped cleanly.
    Stopped,
    /// No heartbeat for [`GONE_AFTER_MS`] and no clean stop: killed or cut off.
    Gone,
}

/// A registered node, as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Node {
    /// The node id.
    pub id: String,
    /// Live, stopped or gone.
    pub state: NodeState,
    /// Host name.
    pub host: String,
    /// Engine version.
    pub version: String,
    /// Address of its HTTP server.
    pub http_address: String,
    /// Its sources, as `channel: kind address` lines.
    pub sources: Vec<String>,
    /// A hash of the channel settings and routing rules it runs (see
    /// [`crate::channel::Runtime::config_version`]).
    pub config_version: String,
    /// The last configuration change (from the store's log) it has applied.
    pub config_applied: i64,
    /// How many changes of the store's log it has not applied yet: above 0 for long, it
    /// runs stale configuration.
    pub config_behind: i64,
    /// When it started (Unix milliseconds).
    pub started_at: i64,
    /// Its last heartbeat (Unix milliseconds).
    pub heartbeat_at: i64,
    /// When it stopped cleanly, if it did.
    pub stopped_at: Option<i64>,
    /// Deliveries it holds a live lease on.
    pub leased_deliveries: i64,
}

impl Store {
    /// Registers node `node` (again, after a restart under the same id): started and
    /// heartbeating now.
    pub async fn register_node(&self, node: &NodeRegistration) -> Result<(), StoreError> {
        let now = self.backend().now_millis_sql();
        let sources = serde_json::to_string(&node.sources)
            .map_err(|err| StoreError::Invalid(err.to_string()))?;
        let sql = format!(
            "INSERT INTO nodes (id, host, version, http_address, sources, config_version, \
             config_applied, started_at, heartbeat_at, stopped_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, {now}, {now}, NULL) \
             ON CONFLICT (id) DO UPDATE SET host = excluded.host, version = excluded.version, \
             http_address = excluded.http_address, sources = excluded.sources, \
             config_version = excluded.config_version, config_applied = excluded.config_applied, \
             started_at = excluded.started_at, \
             heartbeat_at = excluded.heartbeat_at, stopped_at = NULL"
        );
        let mut tx = self.begin_write().await?;
        sqlx::query(AssertSqlSafe(sql))
            .bind(&node.id)
            .bind(&node.host)
            .bind(&node.version)
            .bind(&node.http_address)
            .bind(sources)
            .bind(&node.config_version)
            .bind(node.config_applied)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The heartbeat of node `id`, with the configuration version it runs now and the last
    /// configuration change it applied.
    pub async fn heartbeat_node(
        &self,
        id: &str,
        config_version: &str,
        config_applied: i64,
    ) -> Result<(), StoreError> {
        let sql = format!(
            "UPDATE nodes SET heartbeat_at = {}, config_version = $2, config_applied = $3, \
             stopped_at = NULL WHERE id = $1",
            self.backend().now_millis_sql()
        );
        let mut tx = self.begin_write().await?;
        sqlx::query(AssertSqlSafe(sql))
            .bind(id)
            .bind(config_version)
            .bind(config_applied)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records that node `id` stopped cleanly.
    pub async fn stop_node(&self, id: &str) -> Result<(), StoreError> {
        let sql = format!(
            "UPDATE nodes SET stopped_at = {} WHERE id = $1",
            self.backend().now_millis_sql()
        );
        let mut tx = self.begin_write().await?;
        sqlx::query(AssertSqlSafe(sql))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every registered node, live ones first, each with its state by the database's clock
    /// and the deliveries it holds a live lease on.
    pub async fn nodes(&self) -> Result<Vec<Node>, StoreError> {
        let now = self.backend().now_millis_sql();
        let sql = format!(
            "SELECT n.id, n.host, n.version, n.http_address, n.sources, n.config_version, \
             n.config_applied, n.started_at, n.heartbeat_at, n.stopped_at, {now} - n.heartbeat_at AS silent_ms, \
             (SELECT COALESCE(MAX(c.version), 0) FROM config_changes c) - n.config_applied AS behind, \
             (SELECT COUNT(*) FROM deliveries d WHERE d.lease_owner = n.id AND d.lease_until > {now}) AS leased \
             FROM nodes n ORDER BY n.stopped_at IS NOT NULL, n.heartbeat_at DESC, n.id"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| {
                let stopped_at: Option<i64> = row.try_get("stopped_at")?;
                let silent_ms: i64 = row.try_get("silent_ms")?;
                let sources: String = row.try_get("sources")?;
                Ok(Node {
                    id: row.try_get("id")?,
                    state: match stopped_at {
                        Some(_) => NodeState::Stopped,
                        None if silent_ms > GONE_AFTER_MS => NodeState::Gone,
                        None => NodeState::Live,
                    },
                    host: row.try_get("host")?,
                    version: row.try_get("version")?,
                    http_address: row.try_get("http_address")?,
                    sources: serde_json::from_str(&sources).unwrap_or_default(),
                    config_version: row.try_get("config_version")?,
                    config_applied: row.try_get("config_applied")?,
                    config_behind: row.try_get("behind")?,
                    started_at: row.try_get("started_at")?,
                    heartbeat_at: row.try_get("heartbeat_at")?,
                    stopped_at,
                    leased_deliveries: row.try_get("leased")?,
                })
            })
            .collect()
    }
}

impl Store {
    /// Takes or extends the lease of `channel`'s polled source for `owner`, for `lease_ms`:
    /// true when `owner` holds it now, false while another node's lease runs.
    pub async fn hold_source_lease(
        &self,
        channel: &str,
        owner: &str,
        lease_ms: i64,
    ) -> Result<bool, StoreError> {
        let now = self.backend().now_millis_sql();
        let sql = format!(
            "INSERT INTO source_leases (channel, owner, lease_until) VALUES ($1, $2, {now} + $3) \
             ON CONFLICT (channel) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until \
             WHERE source_leases.owner = excluded.owner OR source_leases.lease_until < {now} \
             RETURNING owner"
        );
        let mut tx = self.begin_write().await?;
        let held = sqlx::query(AssertSqlSafe(sql))
            .bind(channel)
            .bind(owner)
            .bind(lease_ms)
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
        tx.commit().await?;
        Ok(held)
    }

    /// Gives up `owner`'s lease of `channel`'s polled source, so another node polls it at once.
    pub async fn release_source_lease(&self, channel: &str, owner: &str) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM source_leases WHERE channel = $1 AND owner = $2")
            .bind(channel)
            .bind(owner)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The node that holds the lease of `channel`'s polled source, while it runs.
    pub async fn source_lease_holder(&self, channel: &str) -> Result<Option<String>, StoreError> {
        let sql = format!(
            "SELECT owner FROM source_leases WHERE channel = $1 AND lease_until >= {}",
            self.backend().now_millis_sql()
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(channel)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|row| row.try_get("owner")).transpose()?)
    }
}
