//! Implementation-guide validation holds no copy of the file: validating the 25,000-claim 837P
//! (about 8 MB) allocates a small, fixed amount whether the file is in memory or streamed
//! from disk. Bytes are counted by this test binary's global allocator.

use std::io::BufReader;

use peak_alloc::PeakAlloc;
use switchboard::x12::guide;

#[path = "../benches/common/claims_837_file.rs"]
mod claims_837_file;

#[global_allocator]
static ALLOCATED: PeakAlloc = PeakAlloc;

/// What validating any 837P may allocate beyond its findings: the walker's loop stack, a
/// segment buffer when streaming, the envelope report.
const BOUND: usize = 64 * 1024;

/// Peak bytes allocated above what was allocated before, while `work` runs.
fn peak_of<T>(work: impl FnOnce() -> T) -> (T, usize) {
    ALLOCATED.reset_peak_usage();
    let before = ALLOCATED.current_usage();
    let out = work();
    (out, ALLOCATED.peak_usage().saturating_sub(before))
}

#[test]
fn validating_a_large_837p_allocates_a_small_fixed_amount() {
    let file = claims_837_file::big_837();
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("claims.837");
    std::fs::write(&path, &file).expect("writes");

    let (in_memory, peak) = peak_of(|| guide::validate(&file).expect("validates"));
    println!(
        "in memory: {} bytes validated with a peak of {peak} bytes allocated",
        file.len()
    );
    assert!(in_memory.is_clean());
    assert!(peak < BOUND, "{peak} bytes for a {}-byte file", file.len());

    let opened = std::fs::File::open(&path).expect("opens");
    let (streamed, peak) =
        peak_of(|| guide::validate_stream(BufReader::new(opened)).expect("validates"));
    println!("streamed: peak {peak} bytes allocated");
    assert!(streamed.is_clean());
    assert!(
        peak < BOUND,
        "{peak} bytes streaming a {}-byte file",
        file.len()
    );
}
