//! Polled sources (file, SFTP, database) poll on one node at a time: before each poll the node
//! takes or extends the channel's source lease in the store, keeps extending it while the poll
//! runs, and gives it up when the source stops. When several engine nodes share a store and a
//! folder, a server or a table, no file or row is taken by two of them; when the node holding
//! the lease is gone, another takes over once the lease has run out ([`SOURCE_LEASE_MS`]).

use std::future::Future;
use std::time::Duration;

use super::SourceContext;

/// How long a source lease lasts unless extended.
pub const SOURCE_LEASE_MS: i64 = 12_000;

/// How often a node extends the lease of the source it is polling.
const LEASE_HEARTBEAT: Duration = Duration::from_secs(4);

/// The lease of one channel's polled source, held by this node while it polls. A source
/// loops: [`SourceLease::take`], then (when held) its poll inside [`SourceLease::keep_while`],
/// then [`SourceLease::wait`] for the next poll.
pub struct SourceLease<'a> {
    context: &'a SourceContext,
}

impl<'a> SourceLease<'a> {
    /// The lease of the source that runs with `context`.
    pub fn new(context: &'a SourceContext) -> Self {
        SourceLease { context }
    }

    /// Takes or extends the lease: true when this node may poll now. A store that cannot
    /// answer means no poll this time.
    pub async fn take(&self) -> bool {
        let channel = self.context.pipeline.channel();
        match self.hold().await {
            Ok(true) => true,
            Ok(false) => {
                tracing::debug!(channel, "another node holds this source's lease");
                false
            }
            Err(err) => {
                tracing::warn!(channel, %err, "cannot take this source's lease; skipping this poll");
                false
            }
        }
    }

    /// Runs `poll`, extending the lease every [`LEASE_HEARTBEAT`] until it is done.
    pub async fn keep_while<T>(&self, poll: impl Future<Output = T>) -> T {
        let channel = self.context.pipeline.channel();
        let keep = async {
            loop {
                tokio::time::sleep(LEASE_HEARTBEAT).await;
                match self.hold().await {
                    Ok(true) => {}
                    Ok(false) => {
                        tracing::warn!(channel, "this source's lease was taken over during a poll")
                    }
                    Err(err) => tracing::warn!(channel, %err, "cannot extend this source's lease"),
                }
            }
        };
        tokio::select! {
            done = poll => done,
            never = keep => never,
        }
    }

    /// Waits `every` for the next poll: false when the source is stopping, after giving up
    /// the lease so that another node polls at once.
    pub async fn wait(&self, every: Duration) -> bool {
        tokio::select! {
            _ = self.context.shutdown.cancelled() => {}
            _ = tokio::time::sleep(every) => return true,
        }
        let channel = self.context.pipeline.channel();
        if let Err(err) = self
            .context
            .pipeline
            .store
            .release_source_lease(channel, &self.context.node)
            .await
        {
            tracing::warn!(channel, %err, "cannot give up this source's lease; it runs out by itself");
        }
        false
    }

    async fn hold(&self) -> Result<bool, crate::store::StoreError> {
        self.context
            .pipeline
            .store
            .hold_source_lease(
                self.context.pipeline.channel(),
                &self.context.node,
                SOURCE_LEASE_MS,
            )
            .await
    }
}
