//! Switchboard: a healthcare interoperability integration engine.
//!
//! EHRs send HL7 v2 and FHIR R4, payers exchange X12; channels turn all of it into one canonical
//! store. This crate is the engine; the `switchboard` binary is a thin command line over it.

pub mod api;
pub mod canonical;
pub mod channel;
pub mod commands;
pub mod config;
pub mod fhir;
pub mod hl7v2;
pub mod mapping;
pub mod message;
pub mod metrics;
pub mod net;
pub mod outbound;
pub mod revenue;
pub mod routing;
pub mod schedule;
pub mod serve;
pub mod store;
pub mod transform;
pub mod x12;
