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
use super::service::{CanonicalWrite, Checked, Outcome};
use super::versioned::StoredWrite;
use crate::store::Store;
use crate::store::sql::Sql;

/// Most writes in one commit.
const MAX_GROUP: usize = 64;

/// One write: of a canonical type, or of a type kept as versioned JSON.
#[derive(Debug, Clone)]
pub enum WriteRequest {
    /// A create or update of a canonical resource.
    Canonical(CanonicalWrite),
    /// A write of a stored resource.
    Stored(StoredWrite),
}

/// Runs one write in the caller's transaction.
pub async fn write_one(conn: &mut dyn Sql, request: &WriteRequest) -> Result<Outcome, FhirError> {
    match request {
        WriteRequest::Canonical(write) => super::service::write_one(conn, write).await,
        WriteRequest::Stored(write) => super::versioned::write(conn, write).await,
    }
}

/// One write waiting for its commit.
struct Request {
    write: WriteRequest,
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
        self.submit(WriteRequest::Canonical(CanonicalWrite {
            checked,
            id,
            expected,
            resource,
        }))
        .await
    }

    /// Runs `write` in the next group; returns once the commit that holds it is done.
    pub async fn submit(&self, write: WriteRequest) -> Result<Outcome, FhirError> {
        let stopping = || {
            FhirError::from(crate::store::StoreError::Unavailable(
                "the engine is shutting down".into(),
            ))
        };
        let (reply, answer) = oneshot::channel();
        let request = Request { write, reply };
        self.requests.send(request).await.map_err(|_| stopping())?;
        answer.await.map_err(|_| stopping())?
    }
}

/// Takes what is waiting and writes it as one group, until every handle is gone.
async fn run(store: Store, mut incoming: mpsc::Receiver<Request>) {
    let mut group = Vec::with_capacity(MAX_GROUP);
    while incoming.recv_many(&mut group, MAX_GROUP).await > 0 {
        let (writes, replies): (Vec<WriteRequest>, Vec<_>) = group
            .drain(..)
            .map(|request| (request.write, request.reply))
            .unzip();
        let count = writes.len();
        let results = store
            .write_transaction(move |conn| Box::pin(write_group(conn, writes)))
            .await
            .unwrap_or_else(|err: FhirError| vec![Err(err); count]);
        for (reply, result) in replies.into_iter().zip(results) {
            let _ = reply.send(result);
        }
    }
}

/// Writes a group in the caller's transaction, each write in a savepoint; the answer of each.
/// `Err` when a savepoint could not be set or undone: the transaction cannot be trusted any
/// more, and nothing of it commits.
async fn write_group(
    conn: &mut dyn Sql,
    writes: Vec<WriteRequest>,
) -> Result<Vec<Result<Outcome, FhirError>>, FhirError> {
    let mut results = Vec::with_capacity(writes.len());
    for write in &writes {
        results.push(write_alone(conn, write).await?);
    }
    Ok(results)
}

/// One write inside a savepoint: its own result, rolled back alone when it failed. `Err` only
/// when the savepoint could not be set or undone.
async fn write_alone(
    conn: &mut dyn Sql,
    write: &WriteRequest,
) -> Result<Result<Outcome, FhirError>, FhirError> {
    conn.execute("SAVEPOINT fhir_write", &[]).await?;
    let result = write_one(conn, write).await;
    if result.is_err() {
        conn.execute("ROLLBACK TO SAVEPOINT fhir_write", &[])
            .await?;
    }
    conn.execute("RELEASE SAVEPOINT fhir_write", &[]).await?;
    Ok(result)
}
