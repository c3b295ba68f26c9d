//! Envelope validation: counts, control numbers, nesting, unusual separators, line endings and
//! streaming with bounded memory.

use std::io::{BufReader, Read};

use super::common::{fixture, fixture_text};
use switchboard::x12::{
    EnvelopeProblem, ProblemScope, StreamReader, TokenizeError, X12Error, parse_interchange,
    read_envelope, read_envelope_stream, tokenize,
};

fn problems_of(text: &str) -> Vec<String> {
    read_envelope(text.as_bytes())
        .expect("tokenizes")
        .problems
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn se_count_mismatch_names_segment_element_and_counts() {
    let text = fixture_text("837p-demo-example1.x12").replace("SE*40*0021", "SE*41*0021");
    let report = read_envelope(text.as_bytes()).expect("tokenizes");
    assert_eq!(
        report.problems[0].to_string(),
        "segment 42 (SE), element 1: segment count 41 does not match the 40 segments in transaction set 0021"
    );
    assert_eq!(
        report.problems[0].scope,
        ProblemScope::TransactionSet { group: 0, set: 0 }
    );
    let error = parse_interchange(text.as_bytes()).expect_err("strict");
    assert!(matches!(error, X12Error::Envelope(_)), "{error}");
}

#[test]
fn control_number_and_group_count_mismatches() {
    let text = fixture_text("835-managed-care.x12")
        .replace("SE*26*112233", "SE*26*112234")
        .replace("GE*1*1", "GE*2*9")
        .replace("IEA*1*000000907", "IEA*3*000000907");
    assert_eq!(
        problems_of(&text),
        [
            "segment 28 (SE), element 2: transaction set control number 112234 does not match ST02 112233",
            "segment 29 (GE), element 1: transaction set count 2 does not match the 1 transaction sets in functional group 1",
            "segment 29 (GE), element 2: group control number 9 does not match GS06 1",
            "segment 30 (IEA), element 1: functional group count 3 does not match the 1 functional groups in the interchange",
        ]
    );
}

#[test]
fn missing_trailers_are_reported_and_recovered() {
    let text = fixture_text("835-managed-care.x12").replace("SE*26*112233~\n", "");
    let text = text.replace("SE*26*112233~", "");
    let report = read_envelope(text.as_bytes()).expect("tokenizes");
    assert_eq!(
        report
            .problems
            .iter()
            .map(|p| &*p.problem)
            .collect::<Vec<_>>(),
        [&EnvelopeProblem::SetTrailerMissing {
            control_number: "112233".to_owned()
        }]
    );
    assert_eq!(
        report.interchange.groups[0].transactions[0].segment_ordinals,
        3..28
    );

    let truncated = fixture_text("999-accepted.x12");
    let truncated = truncated.split("SE*").next().expect("prefix");
    let report = read_envelope(truncated.as_bytes()).expect("tokenizes");
    let kinds: Vec<_> = report.problems.iter().map(|p| &*p.problem).collect();
    assert!(matches!(
        kinds[0],
        EnvelopeProblem::SetTrailerMissing { .. }
    ));
    assert!(matches!(
        kinds[1],
        EnvelopeProblem::GroupTrailerMissing { .. }
    ));
    assert!(matches!(
        kinds[2],
        EnvelopeProblem::InterchangeTrailerMissing { .. }
    ));
}

#[test]
fn stray_and_duplicate_envelopes() {
    let sample = fixture_text("277ca-accepted.x12");
    let mut lines: Vec<&str> = sample.lines().collect();
    // Two sets with the same control number and a segment between SE and ST.
    let set: Vec<&str> = lines[2..lines.len() - 2].to_vec();
    let tail = lines.split_off(lines.len() - 2);
    lines.push("NTE*STRAY~");
    lines.extend(set);
    lines.extend(tail);
    let text = lines.join("\n").replace("GE*1*14420", "GE*2*14420");
    let problems = problems_of(&text);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems[0].ends_with("unexpected segment: segment outside a transaction set"),
        "{problems:?}"
    );
    assert!(
        problems[1].contains("transaction set control number 000014420 is used twice"),
        "{problems:?}"
    );
}

#[test]
fn reads_any_separators_and_line_endings() {
    let original = fixture_text("837i-two-claims.x12");
    let converted: String = original
        .chars()
        .map(|c| match c {
            '*' => '|',
            ':' => '>',
            '^' => '!',
            '~' => '\'',
            other => other,
        })
        .collect::<String>()
        .replace('\n', "\r\n");
    let text = format!("\u{feff}\r\n  {converted}");
    let interchange = parse_interchange(text.as_bytes()).expect("valid");
    assert_eq!(interchange.separators.element, b'|');
    assert_eq!(interchange.separators.repetition, Some(b'!'));
    assert_eq!(interchange.separators.component, b'>');
    assert_eq!(interchange.separators.segment, b'\'');
    let segments = tokenize(text.as_bytes()).expect("tokenizes");
    let clm = segments.iter().find(|s| s.id() == "CLM").expect("CLM");
    assert_eq!(
        clm.element(5).and_then(|e| e.component(1)),
        Some(&b"13"[..])
    );
    assert_eq!(clm.element(5).and_then(|e| e.component(3)), Some(&b"1"[..]));

    // A newline as segment terminator.
    let newline_terminated = original.replace("~\n", "\n").replace("~", "\n");
    let interchange = parse_interchange(newline_terminated.as_bytes()).expect("valid");
    assert_eq!(interchange.separators.segment, b'\n');
    assert_eq!(
        interchange.groups[0].transactions[0].segment_ordinals.len(),
        48
    );
}

#[test]
fn version_4010_has_no_repetition_separator() {
    let text = fixture_text("835-managed-care.x12").replace("*^*00501*", "*U*00401*");
    let interchange = parse_interchange(text.as_bytes()).expect("valid");
    assert_eq!(interchange.separators.repetition, None);
    assert_eq!(interchange.version, "00401");
}

#[test]
fn garbage_is_an_error_not_a_panic() {
    for input in [&b""[..], b"   ", b"GS*HC~", b"ISA*00*", b"\xEF\xBB\xBFISA"] {
        assert!(read_envelope(input).is_err(), "{input:?}");
    }
    let mut bad_id = fixture("999-accepted.x12");
    bad_id.splice(107..109, *b"g$");
    let error = read_envelope(&bad_id).expect_err("bad id");
    assert!(
        matches!(
            error,
            X12Error::Tokenize(TokenizeError::InvalidSegmentId { ordinal: 2, .. })
        ),
        "{error}"
    );
}

/// A reader producing a large 835 on the fly: header, `claims` copies of a claim, trailer.
struct SyntheticRemittance {
    claim: Vec<u8>,
    claims_left: usize,
    current: std::io::Cursor<Vec<u8>>,
    trailer: Option<Vec<u8>>,
}

impl SyntheticRemittance {
    fn new(claims: usize) -> Self {
        let sample = fixture_text("835-managed-care.x12");
        let start = sample.find("CLP*").expect("claim");
        let end = sample.find("CLP*8765").expect("second claim");
        let claim = sample.as_bytes()[start..end].to_vec();
        let claim_segments = claim.iter().filter(|&&b| b == b'~').count();
        let se_count = 11 + claims * claim_segments;
        let trailer = format!("SE*{se_count}*112233~GE*1*1~IEA*1*000000907~");
        SyntheticRemittance {
            claim,
            claims_left: claims,
            current: std::io::Cursor::new(sample.as_bytes()[..start].to_vec()),
            trailer: Some(trailer.into_bytes()),
        }
    }
}

impl Read for SyntheticRemittance {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            let read = self.current.read(buf)?;
            if read > 0 || buf.is_empty() {
                return Ok(read);
            }
            let next = if self.claims_left > 0 {
                self.claims_left -= 1;
                self.claim.clone()
            } else if let Some(trailer) = self.trailer.take() {
                trailer
            } else {
                return Ok(0);
            };
            self.current = std::io::Cursor::new(next);
        }
    }
}

#[test]
fn streaming_validation_of_a_large_interchange() {
    // About 40 MB, read through an 8 KiB buffer with a 1 KiB segment limit: memory stays
    // bounded by the segment limit, not the input size.
    let claims = 200_000;
    let reader = BufReader::with_capacity(8192, SyntheticRemittance::new(claims));
    let mut segments = 0_usize;
    let mut bytes = 0_usize;
    for segment in StreamReader::with_max_segment_len(reader, 1024).expect("isa") {
        let segment = segment.expect("segment");
        bytes = segment.as_segment().offset();
        segments += 1;
    }
    assert_eq!(segments, 15 + claims * 7);
    assert!(bytes > 30_000_000, "{bytes}");

    let report =
        read_envelope_stream(BufReader::new(SyntheticRemittance::new(1000))).expect("valid");
    assert!(report.is_clean(), "{:?}", report.problems);
    assert_eq!(
        report.interchange.groups[0].transactions[0]
            .segment_ordinals
            .len(),
        11 + 7000
    );
}
