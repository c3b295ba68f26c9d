//! ASC X12 EDI for healthcare (5010): tokenizer, envelope validation, writer, and typed
//! support for the 999 acknowledgment, 277CA claim acknowledgment, 835 remittance advice and
//! 837P/837I claims, the 270/271 eligibility inquiry and response, the 276/277 claim status
//! request and response, and the 278 prior authorization request and response.
//!
//! Layers, from the bottom:
//! - [`Separators`] are read from the fixed-width ISA segment.
//! - [`Tokenizer`] splits an in-memory interchange into zero-copy [`Segment`]s;
//!   [`StreamReader`] does the same over any `BufRead` with memory bounded by the longest
//!   segment.
//! - [`EnvelopeValidator`] checks ISA/IEA, GS/GE and ST/SE nesting, counts and control numbers
//!   and returns an [`Interchange`] with every [`EnvelopeError`] found, for each interchange of
//!   the input ([`read_envelopes`]).
//! - [`X12Writer`] builds interchanges, padding the ISA and counting SE01, GE01 and IEA01.
//! - [`guide`] checks transaction sets against their implementation guides (TR3s), and
//!   the 999 reports what it finds.
//! - Typed readers ([`read_835`], [`read_277ca`], [`read_999`]) and writers ([`write_999`],
//!   [`write_837`]).
//!
//! Money is always integer cents ([`Amount`]) and quantities are fixed-point millionths
//! ([`Quantity`]); no value passes through a float.

mod ack277ca;
mod ack999;
mod balance835;
mod claim837;
mod claim_status;
mod codes;
mod common;
mod eligibility;
mod envelope;
pub mod guide;
mod inquiry;
mod prior_auth;
mod read837;
mod reader;
mod remit835;
mod separators;
mod typed;
mod values;
mod writer;

pub use ack277ca::{
    Acknowledgment277, ClaimStatus, Disposition, LevelStatus, LineStatus, StatusCode, StatusInfo,
    read_277ca,
};
pub use ack999::{
    Ack999, AckCode, AckEnvelope, BusinessUnitId, ElementError, ElementSyntaxError, GroupAck,
    GroupStatus, GroupSyntaxError, IMPLEMENTATION_999, SegmentError, SegmentSyntaxError, SetAck,
    SetSyntaxError, acknowledge_group, acknowledge_interchange, acknowledge_validated,
    add_findings, read_999, wants_999, write_999,
};
pub use balance835::{BalanceDiscrepancy, BalanceScope, check_balance};
pub use claim_status::{
    ClaimStatusEntry, ClaimStatusMessage, IMPLEMENTATION_276, read_276, read_277_status, write_276,
    write_277_status,
};
pub use claim837::{
    BillingProvider, Claim, Claim837Error, ClaimBatch, ClaimEnvelope, ClaimKind, ClaimLine,
    ClaimProblem, ClaimProvider, Gender, InstitutionalClaim, Patient, Payer, PersonName,
    PostalAddress, Receiver, Submitter, Subscriber, SubscriberClaims, is_valid_npi, validate_837,
    write_837,
};
pub use codes::UsageIndicator;
pub use common::{
    Address, AmountReference, Communication, Contact, DateReference, EntityName, ProcedureCode,
    QuantityReference, Reference,
};
#[cfg(test)]
pub(crate) use eligibility::samples as eligibility_samples;
pub use eligibility::{
    Benefit, EligibilityMessage, IMPLEMENTATION_270, RequestRejection, read_270, read_271,
    write_270, write_271,
};
pub use envelope::{
    EnvelopeError, EnvelopeProblem, EnvelopeReport, EnvelopeValidator, FunctionalGroup,
    Interchange, ProblemScope, TransactionSet,
};
pub use inquiry::NamedParty;
pub use prior_auth::{IMPLEMENTATION_278, PriorAuthMessage, ReviewDecision, read_278, write_278};
pub use read837::{
    Read837, Read837Error, ReadClaim, ReadLine, ReadProvider, read_837, read_837_claims,
};
pub use reader::{
    DEFAULT_MAX_SEGMENT_LEN, Element, OwnedSegment, Segment, StreamReader, TokenizeError,
    Tokenizer, tokenize,
};
pub use remit835::{
    Adjustment, AdjustmentGroup, AdjustmentReason, ClaimGroup, ClaimPayment, ClaimStatusCode,
    CreditDebit, HandlingCode, InpatientAdjudication, OutpatientAdjudication, Party, Payment,
    PaymentMethod, ProviderAdjustment, ProviderAdjustmentAmount, ProviderSummary,
    ProviderSupplementalSummary, Remark, Remittance, ServiceLine, Trace, read_835, read_835_sets,
};
pub use separators::{ISA_LENGTH, SeparatorError, Separators};
pub use typed::{FieldProblem, ReadOutcome, SegmentIssue, Sets};
pub use values::{Amount, Date, DateError, DatePeriod, DecimalError, Quantity, Time};
pub use writer::{
    Field, GroupHeader, InterchangeHeader, MAX_CONTROL_NUMBER, SingleSetEnvelope, WriteError,
    X12Writer,
};

use std::io::BufRead;

/// Any failure to read an X12 interchange.
#[derive(Debug, thiserror::Error)]
pub enum X12Error {
    /// The input could not be split into segments.
    #[error(transparent)]
    Tokenize(#[from] TokenizeError),
    /// An envelope problem (strict reading), or no interchange at all.
    #[error(transparent)]
    Envelope(#[from] EnvelopeError),
    /// A transaction set could not be read.
    #[error(transparent)]
    Segment(#[from] SegmentIssue),
}

/// Tokenizes an in-memory interchange and validates its envelopes, collecting every problem
/// and, in [`EnvelopeReport::warnings`], the tokenizer's
/// [warnings](Tokenizer::warnings). When the input holds several interchanges, the report is
/// the first one's and [`EnvelopeReport::following`] holds the others' ([`read_envelopes`]
/// gives them in one list).
pub fn read_envelope(input: &[u8]) -> Result<EnvelopeReport, X12Error> {
    let mut tokenizer = Tokenizer::new(input)?;
    let mut validator = EnvelopeValidator::new();
    for segment in tokenizer.by_ref() {
        validator.push(&segment?);
    }
    let mut report = validator.finish()?;
    report.add_warnings(tokenizer.warnings());
    Ok(report)
}

/// Reads every interchange of an in-memory input, as [`read_envelope`] does: one report per
/// interchange, in input order (never empty).
pub fn read_envelopes(input: &[u8]) -> Result<Vec<EnvelopeReport>, X12Error> {
    Ok(read_envelope(input)?.into_reports())
}

/// Validates the envelopes of a stream segment by segment, holding one segment at a time;
/// several interchanges are reported as by [`read_envelope`].
pub fn read_envelope_stream<R: BufRead>(source: R) -> Result<EnvelopeReport, X12Error> {
    let mut validator = EnvelopeValidator::new();
    for segment in StreamReader::new(source)? {
        validator.push(&segment?.as_segment());
    }
    Ok(validator.finish()?)
}

/// Reads an interchange strictly: any envelope problem is an error, and so is an input of
/// several interchanges ([`EnvelopeProblem::SeveralInterchanges`]).
pub fn parse_interchange(input: &[u8]) -> Result<Interchange, X12Error> {
    Ok(read_envelope(input)?.into_strict()?)
}
