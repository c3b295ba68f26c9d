//! Group commit for single-resource writes (`POST /fhir/Patient`, `PUT /fhir/Encounter/1`):
//! writes that arrive while another commit is on its way to disk share the next commit.
//!
//! One task takes every waiting write (up to [`MAX_GROUP`]) and runs them in one transaction,
//! each inside a savepoint of its own: a write that fails (a 412 precondition, a reference to
//! nothing) is rolled back alone and answered with its own error, and the others commit. A
//! writer is answered only after the commit, so a client never sees a write that is not on disk.

use serde_json::Value;
use tokio::sync::{mpsc, oneshot};

use super::outcome::FhirError;
use super::service::{Checked, Outcome, write_one};
use crate::store::{Store, WriteTransaction};

/// Most writes in one commit.
const MAX_GROUP: usize = 64;

/// One write waiting for its commit.
struct Request {
    checked: Checked,
    id: Option<String>,
    expected: Option<i64>,
    resource: Value,
    reply: oneshot::Sender<Result<Outcome, FhirError>>,
}

/// A handle to the group-commit writer. Cheap to clone; the writer ends when every handle is
/// dropped.
#[derive(Clone)]
pub struct GroupWriter {
    requests: mpsc::Sender<Request>,
}

impl GroupWriter {
    /// Starts the writer over `store` (on the current tokio runtime).
    pub fn start(store: Store) -> GroupWriter {
        let (requests, incoming) = mpsc::channel(4 * MAX_GROUP);
        tokio::spawn(run(store, incoming));
        GroupWriter { requests }
    }

    /// Writes a resource that passed [`super::service::check`]: a create when `id` is `None`,
    /// else an update of `id` (412 unless `expected` matches its version). Returns once the
    /// commit that holds it is done.
    pub async fn write(
        &self,
        checked: Checked,
        id: Option<String>,
        expected: Option<i64>,
        resource: Value,
    ) -> Result<Outcome, FhirError> {
        let stopping = || {
            FhirError::from(crate::store::StoreError::Unavailable(
                "the engine is shutting down".into(),
            ))
        };
        let (reply, answer) = oneshot::channel();
        let request = Request {
            checked,
            id,
            expected,
            resource,
            reply,
        };
        self.requests.send(request).await.map_err(|_| stopping())?;
        answer.await.map_err(|_| stopping())?
    }
}

/// Takes what is waiting and writes it as one group, until every handle is gone.
async fn run(store: Store, mut incoming: mpsc::Receiver<Request>) {
    let mut group = Vec::with_capacity(MAX_GROUP);
    while incoming.recv_many(&mut group, MAX_GROUP).await > 0 {
        let requests: Vec<Request> = std::mem::take(&mut group);
        let results = write_group(&store, &requests).await;
        for (request, result) in requests.into_iter().zip(results) {
            let _ = request.reply.send(result);
        }
    }
}

/// Writes a group in one transaction, each write in a savepoint; the answer of each.
async fn write_group(store: &Store, requests: &[Request]) -> Vec<Result<Outcome, FhirError>> {
    let mut tx = match store.begin_write().await {
        Ok(tx) => tx,
        Err(err) => return all_failed(requests, err.into()),
    };
    let mut results = Vec::with_capacity(requests.len());
    for request in requests {
        match write_alone(&mut tx, request).await {
            Ok(result) => results.push(result),
            // The savepoint itself failed: the transaction cannot be trusted any more.
            Err(err) => return all_failed(requests, err),
        }
    }
    match tx.commit().await {
        Ok(()) => results,
        Err(err) => all_failed(requests, err.into()),
    }
}

/// The same error for every write of a group that did not commit.
fn all_failed(requests: &[Request], err: FhirError) -> Vec<Result<Outcome, FhirError>> {
    requests.iter().map(|_| Err(err.clone())).collect()
}

/// One write inside a savepoint of `tx`: its own result, rolled back alone when it failed.
/// `Err` only when the savepoint could not be set or undone.
async fn write_alone(
    tx: &mut WriteTransaction,
    request: &Request,
) -> Result<Result<Outcome, FhirError>, FhirError> {
    sqlx::query("SAVEPOINT fhir_write")
        .execute(&mut **tx)
        .await?;
    let result = write_one(
        tx,
        &request.checked,
        request.id.as_deref(),
        request.expected,
        &request.resource,
    )
    .await;
    if result.is_err() {
        sqlx::query("ROLLBACK TO SAVEPOINT fhir_write")
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query("RELEASE SAVEPOINT fhir_write")
        .execute(&mut **tx)
        .await?;
    Ok(result)
}
