//! The HL7 v2 parser with every accessor, and the acknowledgments built for what it reads or cannot read.
#![no_main]

#[path = "../../readers/mod.rs"]
mod readers;

libfuzzer_sys::fuzz_target!(|input: &[u8]| readers::hl7v2(input));
