//! The X12 tokenizer, stream reader, envelope validator, implementation-guide validator, 999 writer and the 837, 835, 999 and 277CA readers.
#![no_main]

#[path = "../../readers/mod.rs"]
mod readers;

libfuzzer_sys::fuzz_target!(|input: &[u8]| readers::x12(input));
