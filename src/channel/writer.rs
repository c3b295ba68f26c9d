//! The ingest writer: one task that stores received messages for every channel, many per
//! transaction. Sources wait for their message's commit before acknowledging it.

use tokio::sync::{mpsc, oneshot};

use crate::store::ingest::{Ingest, Ingested};
use crate::store::{Store, StoreError};

/// Most messages stored in one transaction.
const MAX_BATCH: usize = 256;

type Request = (Ingest, oneshot::Sender<Result<Ingested, String>>);

/// A handle to the writer task. Cheap to clone; the task ends when every handle is dropped.
#[derive(Clone)]
pub struct IngestWriter {
    requests: mpsc::Sender<Request>,
}

impl IngestWriter {
    /// Starts the writer task over `store`.
    pub fn start(store: Store) -> IngestWriter {
        let (requests, mut incoming) = mpsc::channel::<Request>(4 * MAX_BATCH);
        tokio::spawn(async move {
            let mut batch: Vec<Request> = Vec::with_capacity(MAX_BATCH);
            while incoming.recv_many(&mut batch, MAX_BATCH).await > 0 {
                let (items, replies): (Vec<Ingest>, Vec<_>) = batch.drain(..).unzip();
                match store.ingest(&items).await {
                    Ok(stored) => {
                        for (reply, result) in replies.into_iter().zip(stored) {
                            let _ = reply.send(Ok(result));
                        }
                    }
                    Err(err) => {
                        let reason = err.to_string();
                        for reply in replies {
                            let _ = reply.send(Err(reason.clone()));
                        }
                    }
                }
            }
        });
        IngestWriter { requests }
    }

    /// Stores one message; returns once its transaction has committed.
    pub async fn store(&self, item: Ingest) -> Result<Ingested, StoreError> {
        let (reply, answer) = oneshot::channel();
        let closed = || StoreError::Invalid("the engine is shutting down".into());
        self.requests
            .send((item, reply))
            .await
            .map_err(|_| closed())?;
        answer
            .await
            .map_err(|_| closed())?
            .map_err(|reason| StoreError::Invalid(format!("cannot store the message: {reason}")))
    }
}
