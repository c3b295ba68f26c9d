//! Compares the `hl7v2` parser with hl7-parser 0.3 and rust-hl7 0.5 on the same messages.
//!
//! Two groups, both reporting throughput in bytes of input:
//! - `structural_parse`: parse only. Ours indexes segments and reads MSH-1/MSH-2 (fields are
//!   split on access); the other two split the whole message up front.
//! - `parse_and_read`: parse, then read PID-3, PID-5.1, PV1-19, MSH-9.1 and MSH-10 (absent
//!   values included: the ORU sample has no PV1).
//!
//! The sample files use LF between segments; they are converted to CR, the separator the
//! standard requires and the only one the other two parsers accept by default.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use switchboard::hl7v2::{Message, Path};

const SAMPLES: [(&str, &[u8]); 4] = [
    (
        "synthetic-adt-a01",
        include_bytes!("../tests/fixtures/hl7v2/synthetic-adt-a01.hl7"),
    ),
    (
        "adt-a01",
        include_bytes!("../tests/fixtures/hl7v2/adt-a01-fhir-converter.hl7"),
    ),
    (
        "oru-r01",
        include_bytes!("../tests/fixtures/hl7v2/oru-r01-fhir-converter.hl7"),
    ),
    (
        "bar-p02",
        include_bytes!("../tests/fixtures/hl7v2/bar-p02-fhir-converter.hl7"),
    ),
];

const READ_PATHS: [&str; 5] = ["PID-3", "PID-5.1", "PV1-19", "MSH-9.1", "MSH-10"];

/// The sample with CR segment separators and no trailing separator.
fn wire_format(raw: &[u8]) -> String {
    let text = std::str::from_utf8(raw).expect("samples are UTF-8");
    text.trim_end_matches(['\r', '\n']).replace('\n', "\r")
}

/// The five values read with this crate.
fn read_ours(message: &Message<'_>, paths: &[Path]) -> usize {
    paths
        .iter()
        .filter_map(|path| message.get_path(path))
        .map(|value| value.len())
        .sum()
}

/// The five values read with hl7-parser (raw values, no escape decoding).
fn read_hl7_parser(message: &hl7_parser::Message<'_>) -> usize {
    let field = |segment: &str, number: usize| {
        message
            .segment(segment)
            .and_then(|segment| segment.field(number))
    };
    [
        field("PID", 3).map(|field| field.raw_value()),
        field("PID", 5)
            .and_then(|field| field.component(1))
            .map(|component| component.raw_value()),
        field("PV1", 19).map(|field| field.raw_value()),
        field("MSH", 9)
            .and_then(|field| field.component(1))
            .map(|component| component.raw_value()),
        field("MSH", 10).map(|field| field.raw_value()),
    ]
    .into_iter()
    .flatten()
    .map(str::len)
    .sum()
}

/// The five values read with rust-hl7 (raw values; its field 0 is the segment id, so MSH-n is
/// its field n-1).
fn read_rust_hl7(message: &rusthl7::message::Message<'_>) -> usize {
    let field = |segment: &str, number: usize| {
        message
            .segments
            .iter()
            .find(|candidate| candidate.fields.first().map(|id| id.source) == Some(segment))
            .and_then(|segment| segment.fields.get(number))
    };
    [
        field("PID", 3).map(|field| field.source),
        field("PID", 5).map(|field| field[(0, 0)]),
        field("PV1", 19).map(|field| field.source),
        field("MSH", 8).map(|field| field[(0, 0)]),
        field("MSH", 9).map(|field| field.source),
    ]
    .into_iter()
    .flatten()
    .map(str::len)
    .sum()
}

fn check_libraries_agree(name: &str, wire: &str, paths: &[Path]) {
    let ours = Message::parse(wire.as_bytes()).expect("ours parses");
    let theirs = hl7_parser::Message::parse(wire).expect("hl7-parser parses");
    let rust_hl7 = rusthl7::message::Message::try_from(wire).expect("rust-hl7 parses");
    let raw_total: usize = paths
        .iter()
        .filter_map(|path| ours.get_raw(path))
        .map(<[u8]>::len)
        .sum();
    assert_eq!(raw_total, read_hl7_parser(&theirs), "{name}: hl7-parser");
    assert_eq!(raw_total, read_rust_hl7(&rust_hl7), "{name}: rust-hl7");
}

fn bench_parsers(criterion: &mut Criterion) {
    let paths: Vec<Path> = READ_PATHS
        .iter()
        .map(|path| Path::parse(path).expect("valid path"))
        .collect();
    let samples: Vec<(&str, String)> = SAMPLES
        .iter()
        .map(|(name, raw)| (*name, wire_format(raw)))
        .collect();
    for (name, wire) in &samples {
        check_libraries_agree(name, wire, &paths);
    }

    let mut structural = criterion.benchmark_group("structural_parse");
    for (name, wire) in &samples {
        structural.throughput(Throughput::Bytes(wire.len() as u64));
        structural.bench_with_input(BenchmarkId::new("switchboard", name), wire, |b, wire| {
            b.iter(|| Message::parse(black_box(wire.as_bytes())).map(|m| m.segment_count()))
        });
        structural.bench_with_input(BenchmarkId::new("hl7-parser", name), wire, |b, wire| {
            b.iter(|| hl7_parser::Message::parse(black_box(wire)).map(|m| m.segments().count()))
        });
        structural.bench_with_input(BenchmarkId::new("rust-hl7", name), wire, |b, wire| {
            b.iter(|| {
                rusthl7::message::Message::try_from(black_box(wire.as_str()))
                    .map(|m| m.segments.len())
            })
        });
    }
    structural.finish();

    let mut read = criterion.benchmark_group("parse_and_read");
    for (name, wire) in &samples {
        read.throughput(Throughput::Bytes(wire.len() as u64));
        read.bench_with_input(BenchmarkId::new("switchboard", name), wire, |b, wire| {
            b.iter(|| Message::parse(black_box(wire.as_bytes())).map(|m| read_ours(&m, &paths)))
        });
        read.bench_with_input(BenchmarkId::new("hl7-parser", name), wire, |b, wire| {
            b.iter(|| hl7_parser::Message::parse(black_box(wire)).map(|m| read_hl7_parser(&m)))
        });
        read.bench_with_input(BenchmarkId::new("rust-hl7", name), wire, |b, wire| {
            b.iter(|| {
                rusthl7::message::Message::try_from(black_box(wire.as_str()))
                    .map(|m| read_rust_hl7(&m))
            })
        });
    }
    read.finish();
}

criterion_group!(benches, bench_parsers);
criterion_main!(benches);
