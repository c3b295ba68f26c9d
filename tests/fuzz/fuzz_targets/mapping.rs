//! The shipped mappings over whatever the message layer reads, and the FHIR conversion of HL7 v2 records.
#![no_main]

#[path = "../../readers/mod.rs"]
mod readers;

libfuzzer_sys::fuzz_target!(|input: &[u8]| readers::mapping(input));
