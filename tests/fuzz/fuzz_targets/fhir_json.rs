//! The FHIR JSON reader: the message layer's read, and the model check of the resource type it names.
#![no_main]

#[path = "../../readers/mod.rs"]
mod readers;

libfuzzer_sys::fuzz_target!(|input: &[u8]| readers::fhir_json(input));
