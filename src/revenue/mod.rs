//! The revenue cycle: eligibility checks (270/271), claims built from bills and sent to payers
//! and their status asked (276/277), prior authorizations (278), their acknowledgments (999,
//! 277CA), remittances (835) imported, matched and posted, contract variance, the payer
//! simulator and the reports. The rules live here; the store keeps the SQL. Claim files leave
//! through a [`Handover`] that the channel runtime implements, so this wing never reaches into
//! the channels.

pub mod acknowledgments;
pub mod claim_status;
pub mod claims;
pub mod codes;
pub mod contract;
pub mod eligibility;
pub mod inquiries;
pub mod matching;
pub mod payer_answers;
pub mod payer_sim;
pub mod payers;
pub mod posting;
pub mod prior_auth;
pub mod remittance;
pub mod reports;

use futures::future::BoxFuture;

use crate::store::StoreError;

/// Errors of the revenue cycle.
#[derive(Debug, thiserror::Error)]
pub enum RevenueError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Something the operator must set up first.
    #[error("{0}")]
    Setup(String),
    /// A request with a value that cannot be used, and why.
    #[error("{0}")]
    Invalid(String),
    /// An inbound file that cannot be read.
    #[error("{0}")]
    Unreadable(String),
}

/// Where a claim file leaves: hands `payload` to the channel named `channel`, as if that
/// channel's source had received it, and answers the stored message's id or why the channel
/// did not take it.
pub trait Handover: Send + Sync {
    /// Hands one file over.
    fn hand_over<'a>(
        &'a self,
        channel: &'a str,
        payload: &'a [u8],
        content_type: &'a str,
    ) -> BoxFuture<'a, Result<i64, String>>;
}
