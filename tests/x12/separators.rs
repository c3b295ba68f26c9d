//! Composites written with another component separator than ISA16 declares: the public
//! samples rewritten with `>` in their composites while ISA16 still says `:`.

use switchboard::x12::{FieldProblem, ISA_LENGTH, read_835, read_837, read_envelope};

use super::common::fixture_text;

/// `sample` with modifiers added to a composite (`find` becomes `with_modifiers`), and the
/// same with every `:` after the ISA, i.e. in every composite, turned into `>`.
fn declared_and_rewritten(sample: &str, find: &str, with_modifiers: &str) -> (String, String) {
    assert!(sample.contains(find), "{find}");
    let declared = sample.replacen(find, with_modifiers, 1);
    let (isa, body) = declared.split_at(ISA_LENGTH);
    assert!(isa.ends_with(":~"), "ISA16 is ':'");
    let rewritten = format!("{isa}{}", body.replace(':', ">"));
    (declared, rewritten)
}

fn assert_separator_warning(warning: &switchboard::x12::SegmentIssue, segment: &str) {
    assert_eq!(warning.segment_id, segment);
    assert_eq!(
        *warning.problem,
        FieldProblem::ComponentSeparatorMismatch {
            declared: ':',
            used: '>',
        }
    );
}

#[test]
fn claims_837p_read_the_same_when_composites_use_another_separator() {
    let (declared, rewritten) = declared_and_rewritten(
        &fixture_text("837p-demo-example1.x12"),
        "SV1*HC:99213*",
        "SV1*HC:99213:25:59*",
    );
    assert!(rewritten.contains("SV1*HC>99213>25>59*") && rewritten.contains("HI*BK>0340"));

    let expected = read_837(declared.as_bytes()).expect("reads");
    assert!(expected.warnings.is_empty(), "{:?}", expected.warnings);
    let line = &expected.claims[0].lines[0];
    assert_eq!(line.procedure_code, "99213");
    assert_eq!(line.modifiers, ["25", "59"]);
    assert_eq!(expected.claims[0].diagnoses, ["0340", "V7389"]);
    assert_eq!(expected.claims[0].facility_code, "11");

    let read = read_837(rewritten.as_bytes()).expect("reads");
    assert_eq!(read.claims, expected.claims);
    assert_eq!(read.warnings.len(), 1, "{:?}", read.warnings);
    assert_separator_warning(&read.warnings[0], "CLM");
    assert_eq!(
        read.warnings[0].to_string(),
        "segment 27 (CLM), element 5: ISA16 declares ':' but composites use '>'; read with '>'"
    );

    let report = read_envelope(rewritten.as_bytes()).expect("reads");
    assert!(report.is_clean());
    assert_eq!(report.warnings, read.warnings);
    assert_eq!(report.interchange.separators.component, b'>');
    let normal = read_envelope(declared.as_bytes()).expect("reads");
    assert!(normal.warnings.is_empty());
    assert_eq!(normal.interchange.separators.component, b':');
}

#[test]
fn remittance_835_reads_the_same_when_composites_use_another_separator() {
    let (declared, rewritten) = declared_and_rewritten(
        &fixture_text("835-managed-care.x12"),
        "SVC*HC:99211*",
        "SVC*HC:99211:25*",
    );
    assert!(rewritten.contains("SVC*HC>99211>25*") && rewritten.contains("SVC*HC>93555*"));

    let expected = read_835(declared.as_bytes()).expect("reads");
    // The sample's own warning (BPR16 is not a date), and nothing about separators.
    assert_eq!(expected.warnings.len(), 1, "{:?}", expected.warnings);
    assert_eq!(expected.warnings[0].segment_id, "BPR");
    let lines: Vec<_> = expected.documents[0]
        .claims()
        .flat_map(|claim| &claim.lines)
        .map(|line| {
            (
                line.procedure.code.as_str(),
                line.procedure.modifiers.clone(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [("99211", vec!["25".to_owned()]), ("93555", Vec::new())]
    );

    let read = read_835(rewritten.as_bytes()).expect("reads");
    assert_eq!(read.documents, expected.documents);
    assert_eq!(read.warnings.len(), 2, "{:?}", read.warnings);
    assert_separator_warning(&read.warnings[0], "SVC");
    assert_eq!(read.warnings[0].element, Some(1));
    assert_eq!(read.warnings[1], expected.warnings[0]);
}
