//! The MLLP decoder, fed in chunks: the input's first two bytes choose the chunk sizes and the
//! frame limit, the rest is the byte stream a client sends.
#![no_main]

#[path = "../../readers/mod.rs"]
mod readers;

libfuzzer_sys::fuzz_target!(|input: &[u8]| {
    let (settings, stream) = input.split_at(input.len().min(2));
    let chunk = usize::from(settings.first().copied().unwrap_or(0)) + 1;
    let max_frame_length = 16 + 64 * usize::from(settings.get(1).copied().unwrap_or(0));
    readers::mllp(stream, &[chunk, 1, chunk * 3], max_frame_length);
});
