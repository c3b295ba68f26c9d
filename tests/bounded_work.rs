//! Bounded work per message: a message past a mapping's limits is refused, naming the limit
//! (MLLP AE with ERR code 104, HTTP 422), and what a message costs in memory is proportional
//! to its size; every reader of input from outside (HL7 v2, MLLP, X12, FHIR JSON, the
//! mappings) reads or refuses any input within a memory bound. Bytes are counted by this test
//! binary's global allocator (peak bytes allocated while the input is read, mapped and
//! answered); its tests take turns to measure.

mod common;
mod readers;

use std::path::Path;
use std::time::{Duration, Instant};

use peak_alloc::PeakAlloc;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::TestRunner;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use switchboard::mapping::Mapping;
use switchboard::message::{Format, Message, Rejection, RejectionKind};

#[global_allocator]
static ALLOCATED: PeakAlloc = PeakAlloc;

/// Held by a test while it measures, so that no other test's allocations count.
static MEASURING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Time allowed for one message on a shared 2-core machine, debug build: generous.
const TIME_BOUND: Duration = Duration::from_secs(5);

/// `PID|1||` followed by a million `~`: a million and one empty repetitions of PID-3.
fn million_repetitions() -> Vec<u8> {
    let mut raw =
        b"MSH|^~\\&|EHR|HOSP|SB|HOSP|20261201120000||ADT^A08^ADT_A01|BIG1|P|2.5\rPID|1||".to_vec();
    raw.extend(std::iter::repeat_n(b'~', 1_000_000));
    raw.extend(b"||Doe^Jane\r");
    raw
}

fn shipped_mapping() -> Mapping {
    Mapping::load(Path::new(env!("CARGO_MANIFEST_DIR")), "hl7v2-canonical").expect("mapping")
}

/// Peak bytes allocated above what was allocated before, and the time, while `work` runs.
fn measure<T>(work: impl FnOnce() -> T) -> (T, usize, Duration) {
    ALLOCATED.reset_peak_usage();
    let before = ALLOCATED.current_usage();
    let started = Instant::now();
    let out = work();
    let elapsed = started.elapsed();
    (out, ALLOCATED.peak_usage().saturating_sub(before), elapsed)
}

/// What the pipeline does with a message on a channel with the mapping: read it, map it and
/// serialize the records for the destinations.
fn map(mapping: &Mapping, raw: &[u8]) -> Result<usize, Rejection> {
    let message = Message::read_as(raw, Some(Format::Hl7v2))?;
    let records = mapping.records(&message)?;
    Ok(serde_json::to_vec(&records)
        .expect("records serialize")
        .len())
}

/// Maps `raw`, prints and returns the peak allocation per message byte.
fn factor(what: &str, mapping: &Mapping, raw: &[u8]) -> (Result<usize, Rejection>, f64) {
    let (mapped, peak, elapsed) = measure(|| map(mapping, raw));
    let factor = peak as f64 / raw.len() as f64;
    println!(
        "{what}: {} bytes; peak allocation {peak} bytes ({factor:.2}x the message) in {elapsed:?}",
        raw.len()
    );
    assert!(elapsed < TIME_BOUND, "{what} took {elapsed:?}");
    (mapped, factor)
}

#[test]
fn the_million_repetition_message_is_refused_in_memory_proportional_to_its_size() {
    let _turn = MEASURING.blocking_lock();
    let mapping = shipped_mapping();
    let raw = million_repetitions();
    let (mapped, factor) = factor("a million empty repetitions of PID-3", &mapping, &raw);
    let rejection = mapped.expect_err("past max_repetitions");
    assert_eq!(rejection.kind, RejectionKind::TooLarge);
    assert_eq!(rejection.location.as_deref(), Some("PID-3"));
    assert!(
        rejection.reason.contains("max_repetitions = 1000"),
        "{rejection}"
    );
    // The copy the message keeps and its segment index; nothing per repetition.
    assert!(factor < 3.0, "{factor:.2}x");
}

#[test]
fn messages_within_the_limits_cost_memory_proportional_to_their_size() {
    let _turn = MEASURING.blocking_lock();
    let mapping = shipped_mapping();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));

    let adt = std::fs::read(root.join("samples/hl7v2/adt-a01-fhir-converter.hl7")).unwrap();
    let (mapped, adt_factor) = factor("the sample ADT^A01", &mapping, &adt);
    mapped.expect("maps");
    assert!(adt_factor < 8.0, "{adt_factor:.2}x");

    // As many charges as the segment limit allows: a record per FT1 segment.
    let mut dft = b"MSH|^~\\&|EHR|HOSP|SB|SB|20261125||DFT^P03|D1|P|2.5\rPID|1||MRN9^^^HOSP^MR||Doe^Jane\rPV1|1|O|||||||||||||||||V9\r".to_vec();
    for n in 1..=4990 {
        dft.extend(
            format!("FT1|{n}|T{n}||20261124||CG|99213^Office visit^CPT|Office visit||1|150.00||||||||J06.9^Acute URI^I10~R05^Cough^I10||||||99213|25~59\r")
                .as_bytes(),
        );
    }
    let (mapped, dft_factor) = factor("a DFT^P03 with 4,990 charges", &mapping, &dft);
    mapped.expect("maps");
    assert!(dft_factor < 16.0, "{dft_factor:.2}x");

    // As many identifiers as the repetition limit allows, each as short as it can be: the
    // most records a message byte can make.
    let mut identifiers = b"MSH|^~\\&|EHR|HOSP|SB|SB|20261125||ADT^A08|I1|P|2.5\rPID|1||".to_vec();
    identifiers.extend(vec!["1"; 1000].join("~").as_bytes());
    identifiers.extend(b"||Doe^Jane\r");
    let (mapped, identifier_factor) = factor("1,000 one-byte identifiers", &mapping, &identifiers);
    mapped.expect("maps");
    assert!(identifier_factor < 600.0, "{identifier_factor:.2}x");
}

/// Sends `raw` as one MLLP frame and reads the acknowledgment.
async fn send_mllp(port: u16, raw: &[u8]) -> String {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let mut frame = vec![0x0b];
    frame.extend_from_slice(raw);
    frame.extend([0x1c, 0x0d]);
    stream.write_all(&frame).await.unwrap();
    let mut ack = Vec::new();
    let mut buffer = [0u8; 4096];
    while !ack.ends_with(&[0x1c, 0x0d]) {
        let n = tokio::time::timeout(Duration::from_secs(30), stream.read(&mut buffer))
            .await
            .expect("an ACK within 30 s")
            .unwrap();
        assert!(n > 0, "connection closed before the ACK");
        ack.extend_from_slice(&buffer[..n]);
    }
    String::from_utf8_lossy(&ack).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shipped_channels_refuse_the_million_repetition_message_with_ae_and_422() {
    // The turn is held from the engine's start to its stop: a running engine allocates in the
    // background (health checks, leases, counts), which would count in other measurements.
    let _turn = MEASURING.lock().await;
    let (mllp, http) = (common::free_port(), common::free_port());
    let engine = common::Engine::start(
        &common::shipped_files_on_free_ports(mllp, http)
            .iter()
            .map(|(path, text)| (path.as_str(), text.clone()))
            .collect::<Vec<_>>(),
    )
    .await;
    engine
        .eventually("MLLP listens", || async {
            tokio::net::TcpStream::connect(("127.0.0.1", mllp))
                .await
                .is_ok()
        })
        .await;
    let raw = million_repetitions();

    // Four at once on four connections (they reached 1.3 GB before the limits).
    ALLOCATED.reset_peak_usage();
    let before = ALLOCATED.current_usage();
    let started = Instant::now();
    let acks = futures::future::join_all((0..4).map(|_| send_mllp(mllp, &raw))).await;
    let elapsed = started.elapsed();
    let peak = ALLOCATED.peak_usage().saturating_sub(before);
    println!(
        "4 x {} bytes over MLLP: peak allocation {peak} bytes ({:.1}x one message) in {elapsed:?}",
        raw.len(),
        peak as f64 / raw.len() as f64
    );
    for ack in &acks {
        assert!(ack.contains("MSA|AE|BIG1"), "{ack}");
        assert!(ack.contains("104^Value too long^HL70357"), "{ack}");
        assert!(
            ack.contains("PID-3 has more than 1000 repetitions")
                && ack.contains("max_repetitions = 1000"),
            "{ack}"
        );
    }
    // Each message is received, copied for the store and refused: a few copies of it, not
    // hundreds of megabytes.
    assert!(peak < 4 * 16 * raw.len(), "{peak} bytes");
    assert!(elapsed < 4 * TIME_BOUND, "{elapsed:?}");

    let response = common::client()
        .post(format!("http://127.0.0.1:{http}/"))
        .bearer_auth(&engine.admin)
        .header("content-type", "application/hl7-v2")
        .body(raw.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "rejected", "{body}");
    assert_eq!(body["location"], "PID-3", "{body}");
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|e| e.contains("max_repetitions = 1000")),
        "{body}"
    );
    engine.stop().await;
}

/// What one input of `len` bytes may cost any reader at its peak: a fixed allowance for the
/// small allocations every read makes, and a multiple of its size.
fn memory_bound(len: usize) -> usize {
    (1 << 20) + 200 * len
}

/// Runs `reader` over `input` and checks its peak allocation against [`memory_bound`] (the
/// caller holds the measuring turn).
fn bounded(reader: fn(&[u8]), input: &[u8]) -> Result<(), TestCaseError> {
    let ((), peak, elapsed) = measure(|| reader(input));
    prop_assert!(
        peak <= memory_bound(input.len()),
        "{peak} bytes at the peak for an input of {} bytes",
        input.len()
    );
    prop_assert!(elapsed < TIME_BOUND, "{elapsed:?}");
    Ok(())
}

/// `prefix`, then a short unit of `alphabet` repeated up to 20,000 times: floods of
/// separators, repetitions, segments, array items.
fn flood(prefix: &'static [u8], alphabet: &'static [u8]) -> impl Strategy<Value = Vec<u8>> {
    (vec(select(alphabet.to_vec()), 1..6), 1usize..20_000).prop_map(move |(unit, times)| {
        let mut input = prefix.to_vec();
        for _ in 0..times {
            input.extend_from_slice(&unit);
        }
        input
    })
}

const HL7_HEADER: &[u8] = b"MSH|^~\\&|EHR|HOSP|SB|SB|20261201||ADT^A08|F1|P|2.5\rPID|1||";

fn hl7v2_inputs() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        vec(any::<u8>(), 0..600),
        flood(HL7_HEADER, b"|^~&\\\r1A\""),
        flood(b"MSH|^~\\&\r", b"FT1|IN1PIDDG1\r~^1"),
    ]
}

fn x12_inputs() -> impl Strategy<Value = Vec<u8>> {
    let isa = &include_bytes!("fixtures/x12/999-accepted.x12")[..106];
    prop_oneof![
        vec(any::<u8>(), 0..600),
        flood(isa, b"*~:^\n1AST"),
        flood(isa, b"ST*835*1~CLP*1~SVC*1~CAS*CO*45*1~"),
    ]
}

fn json_inputs() -> impl Strategy<Value = Vec<u8>> {
    let items = vec(
        select(vec![
            "{}",
            "null",
            "[]",
            "\"\"",
            r#"{"value":"1"}"#,
            r#"{"system":"s"}"#,
        ]),
        0..3000,
    )
    .prop_map(|items| {
        format!(
            r#"{{"resourceType":"Patient","identifier":[{}],"name":[{{"family":"Doe"}}]}}"#,
            items.join(",")
        )
        .into_bytes()
    });
    prop_oneof![
        vec(any::<u8>(), 0..600),
        items,
        (1usize..400)
            .prop_map(|depth| ["[".repeat(depth), "]".repeat(depth)].concat().into_bytes()),
        flood(b"{\"resourceType\":\"Patient\",\"name\":", b"[{\"a\":1,"),
    ]
}

/// Runs `check` over 48 generated inputs of `strategy` with the measuring turn held for the
/// whole run, so that no other test of this binary allocates (generating its own inputs
/// included) while one of these inputs is measured.
fn for_generated<S: Strategy>(strategy: S, check: impl Fn(S::Value) -> Result<(), TestCaseError>) {
    let _turn = MEASURING.blocking_lock();
    let config = ProptestConfig {
        cases: 48,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    if let Err(failure) = TestRunner::new(config).run(&strategy, check) {
        panic!("{failure}");
    }
}

#[test]
fn the_hl7v2_reader_reads_or_refuses_any_input_in_bounded_memory() {
    for_generated(hl7v2_inputs(), |input| bounded(readers::hl7v2, &input));
}

#[test]
fn the_mllp_decoder_reads_any_stream_in_bounded_memory() {
    let streams = (hl7v2_inputs(), vec(1usize..4096, 1..4), 0usize..100_000);
    for_generated(streams, |(input, chunk_sizes, max_frame_length)| {
        let framed = [&[0x0b][..], &input, &[0x1c, 0x0d], &input].concat();
        let ((), peak, _) = measure(|| readers::mllp(&framed, &chunk_sizes, max_frame_length));
        prop_assert!(peak <= memory_bound(framed.len()), "{peak} bytes");
        Ok(())
    });
}

#[test]
fn the_x12_readers_read_or_refuse_any_input_in_bounded_memory() {
    for_generated(x12_inputs(), |input| bounded(readers::x12, &input));
}

#[test]
fn the_fhir_json_reader_reads_or_refuses_any_input_in_bounded_memory() {
    for_generated(json_inputs(), |input| bounded(readers::fhir_json, &input));
}

#[test]
fn the_mappings_map_or_refuse_any_message_in_bounded_memory() {
    // The shipped mappings are read once, before measuring.
    readers::mapping(b"");
    for_generated(prop_oneof![hl7v2_inputs(), json_inputs()], |input| {
        bounded(readers::mapping, &input)
    });
}

/// Messages of thousands of immunizations, results with specimens, allergies and orders: the
/// Bundle's size and the time to make it grow with the message, not with its square.
#[test]
fn thousands_of_clinical_segments_convert_in_bounded_time_and_memory() {
    readers::mapping(b"");
    let header = |kind: &str| {
        format!(
            "MSH|^~\\&|EHR|HOSP|SB|SB|20261201||{kind}|F1|P|2.5.1\rPID|1||M1^^^HOSP^MR||Doe^Jane\r"
        )
    };
    // Under the mapping's limit of 5,000 segments.
    let repeated = |kind: &str, unit: &dyn Fn(usize) -> String| {
        let mut raw = header(kind);
        let segments = unit(0).matches('\r').count();
        for n in 0..4800 / segments {
            raw.push_str(&unit(n));
        }
        raw.into_bytes()
    };
    let messages = [
        repeated("VXU^V04", &|n| {
            format!("ORC|RE||IZ{n}\rRXA|0|1|20261120||08^HepB^CVX|0.5|mL\r")
        }),
        repeated("ORU^R01", &|n| {
            format!("OBR|{n}||F{n}|24323-8^Panel^LN\rOBX|1|NM|2823-3^K^LN||4.1\rSPM|1|S{n}\r")
        }),
        repeated("ADT^A01", &|n| format!("AL1|{n}|DA|{n}^Allergen\r")),
        repeated("ORM^O01", &|n| {
            format!("ORC|NW|P{n}\rOBR|1|P{n}||71045^Chest^C4\rDG1|1||J06.9^URI^I10\r")
        }),
    ];
    for input in messages {
        let ((), peak, elapsed) = measure(|| readers::mapping(&input));
        // A FHIR resource held as JSON values takes some 600 bytes per object: the Bundle is
        // several hundred times the HL7 it is made of, linearly.
        let bound = (1 << 20) + 1000 * input.len();
        assert!(
            peak <= bound,
            "{peak} bytes at the peak for {} bytes",
            input.len()
        );
        assert!(elapsed < TIME_BOUND, "{elapsed:?}");
    }
}

/// An 835 interchange of `sets` transaction sets, each paying `claims` claims of one line.
fn large_835(sets: usize, claims: usize) -> Vec<u8> {
    let mut raw = String::from(
        "ISA*00*          *00*          *ZZ*PAYER          *ZZ*CLINIC         *261201*1200*^*00501*000000901*0*P*:~\
         GS*HP*PAYER*CLINIC*20261201*1200*901*X*005010X221A1~",
    );
    for set in 1..=sets {
        let paid = claims * 80;
        raw += &format!(
            "ST*835*{set:04}~BPR*I*{paid}*C*CHK************20261201~TRN*1*CHK{set:06}*1512345678~\
             DTM*405*20261201~N1*PR*ACME HEALTH PLAN~N3*1 PAYER WAY~N4*AUSTIN*TX*78701~\
             N1*PE*EXAMPLE CLINIC*XX*1234567893~LX*1~"
        );
        for claim in 1..=claims {
            raw += &format!(
                "CLP*S{set}C{claim}*1*100*80**12*PCN{set}X{claim}~CAS*CO*45*20~\
                 NM1*QC*1*DOE*JANE****MI*MEMBER{claim}~DTM*232*20261120~\
                 SVC*HC:99213*100*80**1~DTM*472*20261120~CAS*CO*45*20~"
            );
        }
        let segments = 9 + 7 * claims + 1;
        raw += &format!("SE*{segments}*{set:04}~");
    }
    raw += &format!("GE*{sets}*901~IEA*1*000000901~");
    raw.into_bytes()
}

#[test]
fn a_large_835_is_imported_one_transaction_set_at_a_time() {
    let _turn = MEASURING.blocking_lock();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let test = runtime.block_on(common::sqlite_store());
    let raw = large_835(150, 40);
    let (whole, whole_peak, _) =
        measure(|| switchboard::x12::read_835(&raw).map(|read| read.documents.len()));
    assert_eq!(whole.expect("the 835 reads"), 150);
    let (report, peak, elapsed) = measure(|| {
        runtime.block_on(switchboard::revenue::remittance::import_835(
            &test.store,
            &raw,
            "test",
        ))
    });
    let report = report.expect("the 835 imports");
    assert_eq!(
        report.imported.len(),
        150,
        "every transaction set is one remittance"
    );
    assert_eq!(report.unmatched.len(), 150 * 40, "no claim of ours matches");
    let factor = peak as f64 / raw.len() as f64;
    let whole_factor = whole_peak as f64 / raw.len() as f64;
    println!(
        "835 of {} bytes, 150 sets of 40 claims: imported with a peak allocation of {peak} bytes \
         ({factor:.2}x the file) in {elapsed:?}; reading every set at once peaks at \
         {whole_peak} bytes ({whole_factor:.2}x)",
        raw.len()
    );
    assert!(
        factor < 3.0,
        "importing holds one transaction set at a time, not the file's: {factor:.2}x"
    );
    // Closed while this test has its turn: the pool's threads allocate as they close.
    runtime.block_on(test.store.close());
}

#[tokio::test]
async fn an_835_with_one_broken_transaction_set_imports_nothing() {
    // Its allocations would count in another test's measurement.
    let _turn = MEASURING.lock().await;
    let test = common::sqlite_store().await;
    let intact = large_835(3, 2);
    let text = String::from_utf8(intact.clone()).expect("ASCII");
    let last_claim = text
        .rfind("CLP*S3C2*1*100*")
        .expect("the last set's last claim");
    let broken = format!(
        "{}CLP*S3C2*1*1O0*{}",
        &text[..last_claim],
        &text[last_claim + "CLP*S3C2*1*100*".len()..]
    );
    let import = |raw: Vec<u8>| {
        let store = test.store.clone();
        async move { switchboard::revenue::remittance::import_835(&store, &raw, "test").await }
    };
    let error = import(broken.into_bytes())
        .await
        .expect_err("the third set's charge is not a number");
    assert!(error.to_string().contains("CLP"), "{error}");
    let report = import(intact).await.expect("the intact file imports");
    assert_eq!(
        (report.imported.len(), report.already_imported.len()),
        (3, 0),
        "the broken file stored none of its sets"
    );
    test.store.close().await;
}
