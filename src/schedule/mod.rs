//! Scheduled jobs from `config/switchboard.toml`, run by tokio-cron-scheduler. Each run is
//! recorded with its outcome; on PostgreSQL an advisory lock makes one engine process run it.

use tokio_cron_scheduler::{Job, JobScheduler, JobSchedulerError};

use crate::config::engine::{JobConfig, JobTask, RetentionConfig};
use crate::store::{Store, now_millis};

/// Starts a scheduler running `jobs`; shut it down with [`JobScheduler::shutdown`].
pub async fn start(
    store: Store,
    jobs: &[JobConfig],
    retention: RetentionConfig,
    node: String,
) -> Result<JobScheduler, JobSchedulerError> {
    let scheduler = JobScheduler::new().await?;
    for job in jobs {
        let (store, retention, node, config) =
            (store.clone(), retention.clone(), node.clone(), job.clone());
        scheduler
            .add(Job::new_async(job.cron.as_str(), move |_, _| {
                let (store, retention, node, config) = (
                    store.clone(),
                    retention.clone(),
                    node.clone(),
                    config.clone(),
                );
                Box::pin(async move { run_job(&store, &config, &retention, &node).await })
            })?)
            .await?;
    }
    scheduler.start().await?;
    Ok(scheduler)
}

/// Runs one job now (if this process gets its lock) and records the run.
pub async fn run_job(store: &Store, job: &JobConfig, retention: &RetentionConfig, node: &str) {
    let lock = match store.lock_job(&job.name).await {
        Ok(Some(lock)) => lock,
        Ok(None) => {
            tracing::debug!(job = %job.name, "another engine process runs this job");
            return;
        }
        Err(err) => {
            tracing::error!(job = %job.name, %err, "cannot take the job lock");
            return;
        }
    };
    let run = store.start_job_run(&job.name, node).await;
    let outcome = run_task(store, job.task, retention).await;
    let (ok, detail) = match &outcome {
        Ok(detail) => (true, detail.clone()),
        Err(reason) => (false, reason.clone()),
    };
    if ok {
        tracing::info!(job = %job.name, %detail, "job done");
    } else {
        tracing::error!(job = %job.name, %detail, "job failed");
    }
    if let Ok(id) = run
        && let Err(err) = store.finish_job_run(id, ok, &detail).await
    {
        tracing::error!(job = %job.name, %err, "cannot record the job run");
    }
    if let Err(err) = store.unlock_job(lock).await {
        tracing::error!(job = %job.name, %err, "cannot release the job lock");
    }
}

/// Cutoff (Unix ms) for records older than `days`; `None` for 0 (keep forever).
fn cutoff(days: u32) -> Option<i64> {
    (days > 0).then(|| now_millis() - i64::from(days) * 86_400_000)
}

async fn run_task(
    store: &Store,
    task: JobTask,
    retention: &RetentionConfig,
) -> Result<String, String> {
    match task {
        JobTask::Prune => store
            .prune(cutoff(retention.message_days), cutoff(retention.audit_days))
            .await
            .map(|pruned| {
                format!(
                    "pruned {} message(s) and {} audit entr(ies)",
                    pruned.messages, pruned.audit_entries
                )
            })
            .map_err(|err| err.to_string()),
    }
}
