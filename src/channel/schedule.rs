//! `schedule` source: emits a fixed body on a cron schedule, e.g. to trigger a batch channel.

use futures::future::BoxFuture;
use tokio::sync::mpsc;
use tokio_cron_scheduler::{Job, JobScheduler};

use super::{Source, SourceContext, SourceError};

/// Emits on a cron.
pub struct ScheduleSource {
    /// Cron expression with seconds.
    pub cron: String,
    /// Body of each message.
    pub body: Vec<u8>,
    /// Its content type.
    pub content_type: String,
}

impl Source for ScheduleSource {
    fn run(self: Box<Self>, context: SourceContext) -> BoxFuture<'static, Result<(), SourceError>> {
        Box::pin(async move {
            let setup = |err: tokio_cron_scheduler::JobSchedulerError| {
                SourceError::Setup(format!("scheduler: {err}"))
            };
            let (ticks, mut received) = mpsc::channel::<()>(4);
            let mut scheduler = JobScheduler::new().await.map_err(setup)?;
            let job = Job::new_async(self.cron.as_str(), move |_, _| {
                let ticks = ticks.clone();
                Box::pin(async move {
                    // A tick while the previous one is still being stored is skipped.
                    let _ = ticks.try_send(());
                })
            })
            .map_err(setup)?;
            scheduler.add(job).await.map_err(setup)?;
            scheduler.start().await.map_err(setup)?;
            loop {
                tokio::select! {
                    _ = context.shutdown.cancelled() => break,
                    tick = received.recv() => {
                        if tick.is_none() {
                            break;
                        }
                        if let Err(err) = context.pipeline.receive(&self.body, Some(&self.content_type)).await {
                            tracing::error!(channel = %context.pipeline.channel(), %err, "cannot store a scheduled message");
                        }
                    }
                }
            }
            let _ = scheduler.shutdown().await;
            Ok(())
        })
    }
}
