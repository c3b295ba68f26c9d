//! Reading throughput on large synthetic 835 and 837P interchanges built by repeating the
//! claims of the sample files (about 16 MiB each, no line breaks).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use switchboard::x12::{StreamReader, Tokenizer, read_835, read_envelope};

/// Target size of each synthetic interchange.
const TARGET_BYTES: usize = 16 * 1024 * 1024;

fn sample(name: &str) -> String {
    let path = format!("{}/tests/fixtures/x12/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {path}: {e}"))
        .replace('\n', "")
}

/// Repeats `sample[claim_start..claim_end]` until the interchange reaches the target size,
/// fixing SE01 so that the envelope stays valid.
fn synthetic(name: &str, claim_start: &str, claim_end: &str) -> Vec<u8> {
    let text = sample(name);
    let start = text.find(claim_start).expect("claim start");
    let end = text[start..]
        .find(claim_end)
        .map(|e| start + e)
        .expect("claim end");
    let claim = &text[start..end];
    let se = text.find("~SE*").map(|p| p + 1).expect("SE");
    let se_end = text[se..].find('~').map(|e| se + e).expect("SE end");
    let control = text[se..se_end].rsplit('*').next().expect("SE02");
    let st = text.find("ST*").expect("ST");
    let segments_per_claim = claim.matches('~').count();
    let header_segments = text[st..se].matches('~').count();
    let copies = TARGET_BYTES / claim.len();
    let se_count = header_segments + segments_per_claim * (copies - 1) + 1;
    let mut out = String::with_capacity(TARGET_BYTES + text.len());
    out.push_str(&text[..end]);
    for _ in 1..copies {
        out.push_str(claim);
    }
    out.push_str(&text[end..se]);
    out.push_str(&format!("SE*{se_count}*{control}"));
    out.push_str(&text[se_end..]);
    out.into_bytes()
}

fn benchmarks(c: &mut Criterion) {
    let remittance = synthetic("835-managed-care.x12", "CLP*", "SE*");
    let claims = synthetic("837p-demo-example1.x12", "HL*2*", "SE*");
    assert!(read_envelope(&remittance).expect("835 reads").is_clean());
    assert!(read_envelope(&claims).expect("837 reads").is_clean());

    let mut group = c.benchmark_group("x12_read");
    for (label, input) in [("835", &remittance), ("837p", &claims)] {
        group.throughput(Throughput::Bytes(input.len() as u64));
        group.bench_function(format!("tokenize/{label}"), |b| {
            b.iter(|| {
                let mut id_bytes = 0_usize;
                for segment in Tokenizer::new(black_box(input)).expect("isa") {
                    id_bytes += segment.expect("segment").id_bytes().len();
                }
                id_bytes
            })
        });
        group.bench_function(format!("tokenize_all_elements/{label}"), |b| {
            b.iter(|| {
                let mut element_bytes = 0_usize;
                for segment in Tokenizer::new(black_box(input)).expect("isa") {
                    for element in segment.expect("segment").elements() {
                        element_bytes += element.components().map(<[u8]>::len).sum::<usize>();
                    }
                }
                element_bytes
            })
        });
        group.bench_function(format!("stream_reader/{label}"), |b| {
            b.iter(|| {
                StreamReader::new(black_box(&input[..]))
                    .expect("isa")
                    .count()
            })
        });
        group.bench_function(format!("envelope/{label}"), |b| {
            b.iter(|| {
                read_envelope(black_box(input))
                    .expect("valid")
                    .interchange
                    .segment_count
            })
        });
    }
    group.throughput(Throughput::Bytes(remittance.len() as u64));
    group.bench_function("typed_835/835", |b| {
        b.iter(|| {
            read_835(black_box(&remittance))
                .expect("reads")
                .documents
                .len()
        })
    });
    group.bench_function("x12_stream_parser_comparison/835", |b| {
        b.iter(|| {
            let delimiters = x12_stream_parser::Delimiters::new(b'~', b'*', b':');
            let mut id_bytes = 0_usize;
            for segment in x12_stream_parser::Parser::new(black_box(&remittance), delimiters) {
                id_bytes += segment.expect("segment").id().len();
            }
            id_bytes
        })
    });
    group.finish();
}

criterion_group!(x12_read, benchmarks);
criterion_main!(x12_read);
