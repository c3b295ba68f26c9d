//! The payer files' payers and contracts, written into the store so that claims, remittances
//! and reports can name them.

use crate::canonical;
use crate::config::payer::PayerConfig;
use crate::store::{Store, StoreError};

/// Writes the payer files' payers and contracts into the store (idempotent).
pub async fn sync(store: &Store, payers: &[PayerConfig]) -> Result<(), StoreError> {
    for payer in payers {
        let row = store
            .upsert_payer(&canonical::Payer {
                payer_id: payer.payer_id.clone(),
                name: payer.name.clone(),
                claim_type: payer.claim_type.clone(),
                receiver_id: Some(payer.receiver_id.clone()),
                receiver_qualifier: Some(payer.receiver_qualifier.clone()),
            })
            .await?;
        if let Some(contract) = &payer.contract {
            store
                .upsert_contract(&canonical::Contract {
                    payer_id: row.id,
                    name: contract.name.clone(),
                    effective_from: contract.effective_from.clone(),
                    effective_to: None,
                    deductible_cents: contract.deductible_cents,
                    copay_cents: contract.copay_cents,
                    coinsurance_basis_points: contract.coinsurance_basis_points,
                    timely_filing_days: contract.timely_filing_days,
                    fees: contract
                        .fees
                        .iter()
                        .map(|fee| canonical::Fee {
                            procedure_code: fee.procedure_code.clone(),
                            modifiers: fee.modifiers.clone(),
                            allowed_cents: fee.allowed_cents,
                        })
                        .collect(),
                })
                .await?;
        }
    }
    Ok(())
}
