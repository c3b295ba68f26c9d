//! The log of configuration changes made through the API, which every node of the store
//! applies in order. Each change's number is a configuration version; each node records the
//! last one it applied in the node list, so a node running stale configuration is visible. On
//! PostgreSQL a recorded change is announced on [`CONFIG_CHANNEL`] (LISTEN/NOTIFY) when it
//! commits.

use sqlx::{AssertSqlSafe, Row};

use super::{Backend, Store, StoreError};

/// The PostgreSQL notification channel that announces a new configuration version.
pub const CONFIG_CHANNEL: &str = "switchboard_config";

/// How many of the latest changes are kept; older ones are dropped as new ones come.
pub const KEPT_CHANGES: i64 = 1000;

/// One recorded configuration change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedChange {
    /// Its configuration version.
    pub version: i64,
    /// The node it was made on.
    pub node: String,
    /// Who made it.
    pub actor: String,
    /// The change, as JSON.
    pub change: String,
}

impl Store {
    /// Records a configuration change made on `node` by `actor` and returns its version. On
    /// PostgreSQL the versions are handed out one transaction at a time, so they become
    /// visible in order, and the new version is announced on [`CONFIG_CHANNEL`].
    pub async fn record_config_change(
        &self,
        node: &str,
        actor: &str,
        change: &str,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin_write().await?;
        if self.backend() == Backend::Postgres {
            sqlx::query("LOCK TABLE config_changes IN EXCLUSIVE MODE")
                .execute(&mut *tx)
                .await?;
        }
        let sql = format!(
            "INSERT INTO config_changes (node, actor, change, created_at) VALUES ($1, $2, $3, {}) \
             RETURNING version",
            self.backend().now_millis_sql()
        );
        let version: i64 = sqlx::query(AssertSqlSafe(sql))
            .bind(node)
            .bind(actor)
            .bind(change)
            .fetch_one(&mut *tx)
            .await?
            .try_get("version")?;
        sqlx::query("DELETE FROM config_changes WHERE version <= $1")
            .bind(version - KEPT_CHANGES)
            .execute(&mut *tx)
            .await?;
        if self.backend() == Backend::Postgres {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CONFIG_CHANNEL)
                .bind(version.to_string())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(version)
    }

    /// The changes after version `after`, oldest first, at most `limit`.
    pub async fn config_changes_after(
        &self,
        after: i64,
        limit: i64,
    ) -> Result<Vec<RecordedChange>, StoreError> {
        let rows = sqlx::query(
            "SELECT version, node, actor, change FROM config_changes WHERE version > $1 \
             ORDER BY version LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(RecordedChange {
                    version: row.try_get("version")?,
                    node: row.try_get("node")?,
                    actor: row.try_get("actor")?,
                    change: row.try_get("change")?,
                })
            })
            .collect()
    }

    /// The latest configuration version (0 before any change).
    pub async fn latest_config_version(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COALESCE(MAX(version), 0) AS latest FROM config_changes")
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get("latest")?)
    }

    /// The last configuration version node `id` applied, when it is registered.
    pub async fn node_config_applied(&self, id: &str) -> Result<Option<i64>, StoreError> {
        let row = sqlx::query("SELECT config_applied FROM nodes WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|row| row.try_get("config_applied")).transpose()?)
    }

    /// Records that node `id` has applied every configuration change up to `version`.
    pub async fn set_node_config_applied(&self, id: &str, version: i64) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE nodes SET config_applied = $2 WHERE id = $1")
            .bind(id)
            .bind(version)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// On PostgreSQL, a connection of its own that listens on [`CONFIG_CHANNEL`]; `None` on
    /// SQLite, whose single node needs no announcements.
    pub async fn config_listener(&self) -> Result<Option<sqlx::postgres::PgListener>, StoreError> {
        if self.backend() != Backend::Postgres {
            return Ok(None);
        }
        let url = self.pool().connect_options().database_url.to_string();
        let mut listener = sqlx::postgres::PgListener::connect(&url).await?;
        listener.listen(CONFIG_CHANNEL).await?;
        Ok(Some(listener))
    }
}
