//! The ingest writer: stores received messages for every channel, many per transaction.
//! Sources wait for their message's commit before acknowledging it. On SQLite the writer is a
//! thread with a native connection; on PostgreSQL a task on the pool.

use tokio::sync::{mpsc, oneshot};

use crate::store::ingest::{Ingest, Ingested};
use crate::store::sqlite_writer::SqliteWriter;
use crate::store::{Store, StoreError};

/// Most messages stored in one transaction.
const MAX_BATCH: usize = 256;

type Reply = oneshot::Sender<Result<Ingested, String>>;
type Request = (Ingest, Reply);

/// A handle to the writer. Cheap to clone; the writer ends when every handle is dropped.
#[derive(Clone)]
pub struct IngestWriter {
    requests: mpsc::Sender<Request>,
}

/// Answers every request of a batch with its result, or all with the batch's error.
fn answer(replies: Vec<Reply>, stored: Result<Vec<Ingested>, StoreError>) {
    match stored {
        Ok(stored) => {
            for (reply, result) in replies.into_iter().zip(stored) {
                let _ = reply.send(Ok(result));
            }
        }
        Err(err) => {
            tracing::error!(%err, "cannot store a batch of messages");
            let reason = err.to_string();
            for reply in replies {
                let _ = reply.send(Err(reason.clone()));
            }
        }
    }
}

impl IngestWriter {
    /// Starts the writer over `store`.
    pub fn start(store: Store) -> IngestWriter {
        let (requests, incoming) = mpsc::channel::<Request>(4 * MAX_BATCH);
        match store.sqlite_file() {
            Some(_) => {
                let spawned = std::thread::Builder::new()
                    .name("sqlite-writer".into())
                    .spawn(move || match SqliteWriter::for_store(&store) {
                        Ok(writer) => run_native(writer, incoming),
                        Err(err) => {
                            tracing::error!(%err, "cannot open the SQLite writer; using the pool");
                            tokio_fallback(store, incoming);
                        }
                    });
                if let Err(err) = spawned {
                    tracing::error!(%err, "cannot start the SQLite writer thread");
                }
            }
            None => {
                tokio::spawn(run_pooled(store, incoming));
            }
        }
        IngestWriter { requests }
    }

    /// Stores one message; returns once its transaction has committed.
    pub async fn store(&self, item: Ingest) -> Result<Ingested, StoreError> {
        let (reply, answer) = oneshot::channel();
        let closed = || StoreError::Unavailable("the engine is shutting down".into());
        self.requests
            .send((item, reply))
            .await
            .map_err(|_| closed())?;
        answer.await.map_err(|_| closed())?.map_err(|reason| {
            StoreError::Unavailable(format!("cannot store the message: {reason}"))
        })
    }
}

/// The SQLite writer thread: takes what is waiting (up to [`MAX_BATCH`]) and stores it.
fn run_native(mut writer: SqliteWriter, mut incoming: mpsc::Receiver<Request>) {
    while let Some(first) = incoming.blocking_recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match incoming.try_recv() {
                Ok(request) => batch.push(request),
                Err(_) => break,
            }
        }
        let (items, replies): (Vec<Ingest>, Vec<Reply>) = batch.into_iter().unzip();
        answer(replies, writer.ingest(&items));
    }
}

/// When the native connection cannot be opened, the thread stores through the pool.
fn tokio_fallback(store: Store, incoming: mpsc::Receiver<Request>) {
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(run_pooled(store, incoming)),
        Err(err) => tracing::error!(%err, "cannot start the fallback writer"),
    }
}

/// The pooled writer task (PostgreSQL).
async fn run_pooled(store: Store, mut incoming: mpsc::Receiver<Request>) {
    let mut batch: Vec<Request> = Vec::with_capacity(MAX_BATCH);
    while incoming.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let (items, replies): (Vec<Ingest>, Vec<Reply>) = batch.drain(..).unzip();
        answer(replies, store.ingest(&items).await);
    }
}
