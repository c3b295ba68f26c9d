//! `payer-sim` destination: answers each 837 the way the payer in a payer file would (see
//! [`crate::revenue::payer_sim`]) by writing the 999, 277CA and 835 into a folder, such as the X12
//! inbox, each 270 eligibility inquiry with a 271 and each 276 claim status request with a 277
//! ([`crate::revenue::payer_answers`]), so the whole revenue cycle runs without a real payer.
//! What it remembers (the claims it decided, the members on them) is kept in a file beside its
//! answers' folder, `data/payer-sim/NAME.json` for `config/payers/NAME.toml`, so it survives a
//! restart or a redeploy.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};

use super::config::{ChannelConfig, Checks};
use super::file::{bounded_file_name, write_atomically};
use super::runtime::RuntimeHandle;
use super::{DeliveryError, Destination, DestinationContext, DestinationSettings, Outbound};
use crate::config::checks::{FOLDER_RULE, stays_inside};
use crate::revenue::payer_answers::{answer_270, answer_276, answer_278};
use crate::revenue::payer_sim::{SimError, SimMemory, SimOptions, adjudicate};

/// `type = "payer-sim"` destination: adjudicates each 837 as the payer simulator does under a
/// payer's contract and writes the payer's answers (999, 277CA, 835) into a folder, such as
/// the X12 inbox, and answers each 270 with a 271 from the payer file's members: the revenue
/// cycle without a real payer, for tests and demonstrations. Other messages are passed over.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PayerSimDestinationConfig {
    /// The payer file whose contract applies, `config/payers/NAME.toml`.
    pub payer_file: String,
    /// Folder under the data directory for the answers.
    pub folder: String,
    /// Share of claims denied at random, in percent.
    #[serde(default)]
    pub denial_percent: u32,
    /// Seed of the random denials.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Reverse the first paid claim of each 837 and pay it again.
    #[serde(default)]
    pub reversal: bool,
}

fn default_seed() -> u64 {
    1
}

impl DestinationSettings for PayerSimDestinationConfig {
    fn check(&self, checks: &mut Checks<'_>, _channel: &ChannelConfig) {
        if !stays_inside(Path::new(&self.folder)) {
            checks.problem("folder", FOLDER_RULE);
        }
        let in_payers = self
            .payer_file
            .strip_prefix("config/payers/")
            .is_some_and(|file| stays_inside(Path::new(file)) && file.ends_with(".toml"));
        if !in_payers {
            checks.problem("payer_file", "must be a file config/payers/NAME.toml");
        }
        if self.denial_percent > 100 {
            checks.problem("denial_percent", "must be 0 to 100");
        }
    }

    fn build(&self, context: &DestinationContext<'_>) -> Arc<dyn Destination> {
        Arc::new(PayerSimDestination {
            payer_file: self.payer_file.clone(),
            folder: context.data_dir.join(&self.folder),
            random_denial_basis_points: self.denial_percent.saturating_mul(100),
            seed: self.seed,
            reversal: self.reversal,
            runtime: context.runtime.clone(),
            memory: memory_file(context.data_dir, &self.payer_file),
            memory_lock: Arc::default(),
        })
    }
}

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
    /// The file of what it remembers ([`SimMemory`]).
    pub memory: PathBuf,
    /// Held while the memory file is read and written again.
    pub memory_lock: Arc<Mutex<()>>,
}

/// `data/payer-sim/NAME.json` for the payer file `config/payers/NAME.toml`.
fn memory_file(data_dir: &Path, payer_file: &str) -> PathBuf {
    let stem = Path::new(payer_file)
        .file_stem()
        .map_or_else(|| "payer".into(), |s| s.to_string_lossy());
    data_dir.join("payer-sim").join(format!("{stem}.json"))
}

/// What the simulator remembers, from `path`: nothing yet when the file is absent.
pub fn load_memory(path: &Path) -> Result<SimMemory, DeliveryError> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|err| {
            DeliveryError::permanent(format!("{} does not read: {err}", path.display()))
        }),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(SimMemory::default()),
        Err(err) => Err(DeliveryError::io(
            format_args!("cannot read {}", path.display()),
            &err,
        )),
    }
}

/// Writes what the simulator remembers to `path`, replacing the file whole.
pub fn save_memory(path: &Path, memory: &SimMemory) -> Result<(), DeliveryError> {
    let text = serde_json::to_vec_pretty(memory)
        .map_err(|err| DeliveryError::permanent(format!("the memory does not serialize: {err}")))?;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|err| {
            DeliveryError::io(format_args!("cannot create {}", parent.display()), &err)
        })?;
    }
    write_atomically(path, &text)
        .map_err(|err| DeliveryError::io(format_args!("cannot write {}", path.display()), &err))
}

impl Destination for PayerSimDestination {
    fn deliver<'a>(&'a self, message: &'a Outbound) -> BoxFuture<'a, Result<(), DeliveryError>> {
        Box::pin(async move {
            let set = crate::message::Message::read(&message.payload)
                .ok()
                .and_then(|read| read.facts.transaction_set);
            if !matches!(set.as_deref(), Some("837" | "270" | "276" | "278")) {
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
            let numbered = |answers: Vec<Vec<u8>>, kind: &str| -> Vec<(String, Vec<u8>)> {
                answers
                    .into_iter()
                    .enumerate()
                    .map(|(index, file)| (format!("{index}.{kind}"), file))
                    .collect()
            };
            let permanent = |err: SimError| DeliveryError::permanent(err.to_string());
            let guard = self
                .memory_lock
                .lock()
                .map_err(|_| DeliveryError::permanent("the simulator's memory is lost"))?;
            let mut memory = load_memory(&self.memory)?;
            let files = match set.as_deref() {
                Some("270") => numbered(
                    answer_270(
                        &message.payload,
                        &memory.payer_knowing_members(&payer),
                        &options,
                    )
                    .map_err(permanent)?,
                    "271",
                ),
                Some("278") => numbered(
                    answer_278(
                        &message.payload,
                        &memory.payer_knowing_members(&payer),
                        &options,
                    )
                    .map_err(permanent)?,
                    "278",
                ),
                Some("276") => numbered(
                    answer_276(&message.payload, &memory.decisions, &options).map_err(permanent)?,
                    "277",
                ),
                _ => {
                    let files =
                        adjudicate(&message.payload, &payer, &options).map_err(permanent)?;
                    memory.remember(&files.decisions);
                    save_memory(&self.memory, &memory)?;
                    vec![
                        ("999".to_owned(), files.ack_999),
                        ("277".to_owned(), files.ack_277ca),
                        ("835".to_owned(), files.remittance_835),
                    ]
                }
            };
            drop(guard);
            let folder = self.folder.clone();
            let stem = format!("{}-{}", payer.payer_id, message.message_id);
            tokio::task::spawn_blocking(move || {
                for (kind, bytes) in &files {
                    let name = bounded_file_name(&format!("{stem}.{kind}.x12"))
                        .unwrap_or_else(|| format!("answer.{kind}.x12"));
                    write_atomically(&folder.join(&name), bytes).map_err(|err| (name, err))?;
                }
                Ok(())
            })
            .await
            .map_err(|err| DeliveryError::transient(err.to_string()))?
            .map_err(|(name, err)| {
                DeliveryError::io(
                    format_args!("cannot write {name} in {}", self.folder.display()),
                    &err,
                )
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::revenue::payer_sim::ClaimDecision;
    use crate::x12::{Amount, Date};

    #[test]
    fn the_memory_survives_in_its_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = memory_file(dir.path(), "config/payers/acme-health.toml");
        assert_eq!(path, dir.path().join("payer-sim/acme-health.json"));
        assert_eq!(load_memory(&path).unwrap(), SimMemory::default());
        let mut memory = SimMemory::default();
        memory.remember(&[ClaimDecision {
            claim_number: "SB1".into(),
            member_id: "MEM9".into(),
            member_name: ("Ruiz".into(), "Ana".into()),
            payer_claim_number: "HMO1000000001001".into(),
            charge: Amount::from_cents(12_000),
            paid: Amount::from_cents(9_000),
            denied: false,
            date: Date::new(2026, 11, 24).unwrap(),
            check_number: "SIM1".into(),
        }]);
        save_memory(&path, &memory).unwrap();
        assert_eq!(load_memory(&path).unwrap(), memory);
        std::fs::write(&path, "{").unwrap();
        let err = load_memory(&path).unwrap_err();
        assert!(err.to_string().contains("acme-health.json"), "{err}");
    }
}
