//! Scheduled jobs from `config/switchboard.toml`, run by tokio-cron-scheduler. Each run is
//! recorded with its outcome; on PostgreSQL an advisory lock makes one engine process run it.

use tokio_cron_scheduler::{Job, JobScheduler, JobSchedulerError};

use crate::channel::runtime::RuntimeHandle;
use crate::config::engine::{BillingConfig, JobConfig, JobTask, RetentionConfig};
use crate::config::payer::PayerConfig;
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
    record_run(store, &job.name, node, run_task(store, job.task, retention)).await;
}

/// Adds a job per payer with a `batch_cron` that batches and sends its ready claims.
pub async fn add_claim_batches(
    scheduler: &JobScheduler,
    store: &Store,
    runtime: &RuntimeHandle,
    billing: &BillingConfig,
    payers: &[PayerConfig],
    node: &str,
) -> Result<(), JobSchedulerError> {
    for payer in payers {
        let Some(cron) = &payer.batch_cron else {
            continue;
        };
        let context = (
            store.clone(),
            runtime.clone(),
            billing.clone(),
            payer.clone(),
            node.to_string(),
        );
        scheduler
            .add(Job::new_async(cron.as_str(), move |_, _| {
                let (store, runtime, billing, payer, node) = context.clone();
                Box::pin(async move {
                    let name = format!("claims-batch-{}", payer.payer_id);
                    let work = async {
                        crate::revenue::claims::submit(&store, &runtime, &billing, &payer)
                            .await
                            .map(|report| {
                                format!(
                                    "{} claim(s) submitted, {} bill(s) refused",
                                    report.submitted.len(),
                                    report.refused.len()
                                )
                            })
                            .map_err(|err| err.to_string())
                    };
                    record_run(&store, &name, &node, work).await;
                })
            })?)
            .await?;
    }
    Ok(())
}

/// Runs `work` as the job `name` when this process gets the job's lock, recording the run.
async fn record_run(
    store: &Store,
    name: &str,
    node: &str,
    work: impl std::future::Future<Output = Result<String, String>>,
) {
    let lock = match store.lock_job(name).await {
        Ok(Some(lock)) => lock,
        Ok(None) => {
            tracing::debug!(job = %name, "another engine process runs this job");
            return;
        }
        Err(err) => {
            tracing::error!(job = %name, %err, "cannot take the job lock");
            return;
        }
    };
    let run = store.start_job_run(name, node).await;
    let outcome = work.await;
    let (ok, detail) = match &outcome {
        Ok(detail) => (true, detail.clone()),
        Err(reason) => (false, reason.clone()),
    };
    if ok {
        tracing::info!(job = %name, %detail, "job done");
    } else {
        tracing::error!(job = %name, %detail, "job failed");
    }
    if let Ok(id) = run
        && let Err(err) = store.finish_job_run(id, ok, &detail).await
    {
        tracing::error!(job = %name, %err, "cannot record the job run");
    }
    if let Err(err) = store.unlock_job(lock).await {
        tracing::error!(job = %name, %err, "cannot release the job lock");
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
        JobTask::Prune => {
            let pruned = store
                .prune(cutoff(retention.message_days), cutoff(retention.audit_days))
                .await
                .map_err(|err| err.to_string())?;
            let events = match cutoff(retention.event_days) {
                Some(before) => store.prune_events(before).await,
                None => Ok(0),
            }
            .map_err(|err| err.to_string())?;
            Ok(format!(
                "pruned {} message(s), {} audit entr(ies) and {events} outbox event(s)",
                pruned.messages, pruned.audit_entries
            ))
        }
    }
}
