//! Integration tests of the X12 module: samples, envelopes, writer round trips, typed
//! readers and property tests. One test binary keeps linking cheap.

mod ack999;
mod claim837;
mod common;
mod envelope;
mod fuzz;
#[path = "../readers/mod.rs"]
mod readers;
mod remit835;
mod samples;
mod separators;
