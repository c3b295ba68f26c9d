//! Implementation-guide validation of a 25,000-claim 837P (about 8 MB, built with our writer):
//! in memory and streamed. When pyx12's `x12valid` is installed, it is timed once on the same
//! file in the same run, for comparison.

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use switchboard::x12::guide;

#[path = "common/claims_837_file.rs"]
mod claims_837_file;
use claims_837_file::big_837;

/// Times pyx12 once on `file` (saved to a temporary file), printing the figure; silent when
/// it is not installed.
fn time_pyx12(file: &[u8]) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("claims.837");
    std::fs::write(&path, file).expect("write the 837");
    let started = Instant::now();
    let Ok(run) = std::process::Command::new("x12valid")
        .arg("--quiet")
        .arg(&path)
        .current_dir(dir.path())
        .output()
    else {
        println!("pyx12 (x12valid) is not installed: no comparison");
        return;
    };
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "pyx12 x12valid on the same {:.1} MB 837P: {elapsed:.2} s ({:.2} MB/s), exit {}",
        file.len() as f64 / 1e6,
        file.len() as f64 / 1e6 / elapsed,
        run.status
    );
}

fn x12_validate(c: &mut Criterion) {
    let file = big_837();
    let validation = guide::validate(&file).expect("reads");
    assert!(
        validation.is_clean(),
        "{:?}",
        validation.findings().take(5).collect::<Vec<_>>()
    );
    assert!(validation.sets.iter().all(|s| s.guide.is_some()));
    time_pyx12(&file);

    let mut group = c.benchmark_group("x12_validate_837p_25000");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(file.len() as u64));
    group.bench_function("in_memory", |b| {
        b.iter(|| {
            let validation = guide::validate(black_box(&file)).expect("reads");
            validation.sets.len()
        })
    });
    group.bench_function("streamed", |b| {
        b.iter(|| {
            let validation = guide::validate_stream(black_box(file.as_slice())).expect("reads");
            validation.sets.len()
        })
    });
    group.finish();
}

criterion_group!(benches, x12_validate);
criterion_main!(benches);
