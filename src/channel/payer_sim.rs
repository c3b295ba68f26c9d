//! `payer-sim` destination: answers each 837 the way the payer in a payer file would (see
//! [`crate::revenue::payer_sim`]) by writing the 999, 277CA and 835 into a folder, such as the X12
//! inbox, so the whole revenue cycle runs without a real payer.

use std::path::PathBuf;

use futures::future::BoxFuture;

use super::runtime::RuntimeHandle;
use super::{DeliveryError, Destination, Outbound};
use crate::revenue::payer_sim::{SimOptions, adjudicate};

/// Writes a simulated payer's answers to each 837.
pub struct PayerSimDestination {
    /// `config/payers/NAME.toml`, under the deployment root; read at each delivery.
    pub payer_file: String,
    /// Where the answers go.
    pub folder: PathBuf,
    /// Share of claims denied at random, in basis points.
    pub random_denial_basis_points: u32,
    /// Seed of the random denials.
    pub seed: u64,
    /// Reverse the first paid claim and pay it again.
    pub reversal: bool,
    /// The runtime, for the deployment root.
    pub runtime: RuntimeHandle,
}

impl Destination for PayerSimDestination {
    fn deliver<'a>(&'a self, message: &'a Outbound) -> BoxFuture<'a, Result<(), DeliveryError>> {
        Box::pin(async move {
            let is_claim = crate::message::Message::read(&message.payload)
                .is_ok_and(|read| read.facts.transaction_set.as_deref() == Some("837"));
            if !is_claim {
                return Ok(());
            }
            let root = self
                .runtime
                .root()
                .ok_or_else(|| DeliveryError::transient("the engine is stopping"))?;
            let payer = crate::config::read_payer_file(&root.join(&self.payer_file))
                .map_err(|errors| DeliveryError::permanent(errors.to_string()))?;
            let options =
                SimOptions::now(self.random_denial_basis_points, self.seed, self.reversal)
                    .ok_or_else(|| DeliveryError::transient("the clock reads no valid date"))?;
            let files = adjudicate(&message.payload, &payer, &options)
                .map_err(|err| DeliveryError::permanent(err.to_string()))?;
            let folder = self.folder.clone();
            let stem = format!("{}-{}", payer.payer_id, message.message_id);
            tokio::task::spawn_blocking(move || {
                std::fs::create_dir_all(&folder)?;
                for (kind, bytes) in [
                    ("999", &files.ack_999),
                    ("277", &files.ack_277ca),
                    ("835", &files.remittance_835),
                ] {
                    super::file::write_atomically(
                        &folder.join(format!("{stem}.{kind}.x12")),
                        bytes,
                    )?;
                }
                Ok::<_, std::io::Error>(())
            })
            .await
            .map_err(|err| DeliveryError::transient(err.to_string()))?
            .map_err(|err| DeliveryError::transient(format!("{}: {err}", self.folder.display())))
        })
    }
}
