//! Messages per second through an HL7 v2 edit list of 10 operations (the synthetic ADT^A01,
//! 1.7 KB, 14 segments, with two Z segments added): read the message, apply the edits and
//! write the result, as a channel's transform does for each message. A second benchmark runs
//! the same changes as a Rhai script, for comparison.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use switchboard::hl7v2::Message;
use switchboard::message::Message as Received;
use switchboard::transform::{EditList, Script, Tables};

const ADT: &str = include_str!("../tests/fixtures/hl7v2/synthetic-adt-a01.hl7");

/// Ten edits of the kinds a lab feed needs.
const EDITS: &str = r#"
kind = "hl7v2-edit"
[tables.authority]
MCM = "GH"
[[edit]]
set = "MSH-5"
value = "LAB"
[[edit]]
set = "MSH-6"
value = "LABFAC"
[[edit]]
map = "PID-3[1].4"
table = "authority"
[[edit]]
remove_segments = ["Z*"]
[[edit]]
upper = "PID-5"
[[edit]]
date = "PID-7"
format = "%Y-%m-%d"
[[edit]]
clear = "PID-19"
[[edit]]
copy = "PV1-19"
to = "PID-18"
[[edit]]
keep_repetitions = "PID-3"
where = { ".5" = "MR" }
[[edit]]
set = "PV1-3.4"
value = "LAB"
when = { "MSH-9.2" = "A01" }
"#;

/// The same changes as a script, where a script can say them.
const SCRIPT: &str = r#"
msg.set("MSH-5", "LAB");
msg.set("MSH-6", "LABFAC");
let authority = msg.get("PID-3[1].4");
if authority != () { msg.set("PID-3[1].4", tables.authority[authority] ?? authority); }
msg.remove_segments("Z*");
msg.set("PID-5[1].1", msg.get("PID-5[1].1").to_upper());
msg.clear("PID-19");
if facts.trigger_event == "A01" { msg.set("PV1-3.4", "LAB"); }
"#;

/// The sample with CR separators and a Z segment after PID and after PV1.
fn message() -> Vec<u8> {
    let mut segments: Vec<String> = ADT
        .split(['\r', '\n'])
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    for (after, z) in [("PID", "ZPI|1|VIP"), ("PV1", "ZPV|1|private")] {
        let at = segments.iter().position(|s| s.starts_with(after)).unwrap() + 1;
        segments.insert(at, z.to_string());
    }
    (segments.join("\r") + "\r").into_bytes()
}

fn edit_list(c: &mut Criterion) {
    let raw = message();
    let list = EditList::parse("bench", Path::new("bench.toml"), EDITS).expect("edit list");
    assert_eq!(list.len(), 10);
    let edited = list.apply(&Message::parse(&raw).unwrap()).unwrap();
    assert_eq!(
        edited.trail.len(),
        10,
        "every edit applies: {:?}",
        edited.trail
    );
    let mut group = c.benchmark_group("transform");
    group.throughput(Throughput::Elements(1));
    group.bench_function("edit_list_10_operations", |b| {
        b.iter(|| {
            let message = Message::parse(black_box(&raw)).unwrap();
            black_box(list.apply(&message).unwrap())
        })
    });
    let script = Script::compile("bench", Path::new("bench.rhai"), SCRIPT).expect("script");
    let mut tables = Tables::new();
    tables.insert(
        "authority".to_string(),
        [("MCM".to_string(), "GH".to_string())].into(),
    );
    group.bench_function("script_8_changes", |b| {
        b.iter(|| {
            let message = Received::read(black_box(&raw)).unwrap();
            black_box(script.transform(&message, &tables).unwrap())
        })
    });
    group.finish();
}

criterion_group!(benches, edit_list);
criterion_main!(benches);
