//! `schedule` source: emits a fixed body on a cron schedule, e.g. to trigger a batch channel.

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tokio_cron_scheduler::{Job, JobScheduler};

use super::config::Checks;
use super::{Source, SourceContext, SourceError, SourceSettings};
use crate::config::checks::check_cron;

/// `type = "schedule"` source: emits a fixed body on a cron schedule (e.g. to trigger a
/// batch).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ScheduleSource {
    /// Cron expression with seconds: `sec min hour day-of-month month day-of-week`.
    pub cron: String,
    /// Body of each emitted message.
    #[serde(default)]
    pub body: String,
    /// Content type of the body.
    #[serde(default = "default_content_type")]
    pub content_type: String,
}

fn default_content_type() -> String {
    "text/plain".to_string()
}

impl SourceSettings for ScheduleSource {
    fn check(&self, checks: &mut Checks<'_>) {
        if let Err(reason) = check_cron(&self.cron) {
            checks.problem("cron", reason);
        }
    }

    fn build(&self) -> Box<dyn Source> {
        Box::new(self.clone())
    }
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
                        if let Err(err) = context.pipeline.receive(self.body.as_bytes(), Some(&self.content_type)).await {
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
