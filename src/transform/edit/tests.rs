use super::*;

const ADT: &str = "MSH|^~\\&|EHR|GENHOSP|ADT|GENHOSP|20240102030405||ADT^A04^ADT_A01|CTRL1|P|2.5.1\r\
EVN|A04|20240102030405\r\
PID|1||12345^^^GENHOSP^MR~999-99-9999^^^SSA^SS||Doe^  Jane ^Q||19800101|F|||1 Main St^^Springfield^IL^62701\r\
ZPI|private|data\r\
PV1|1|O|CLINIC^1^A||||1234^Smith^John\r\
ZPV|x\r\
NTE|1||first\r\
NTE|2||second\r";

fn list(text: &str) -> Result<EditList, Problem> {
    EditList::parse("test", std::path::Path::new("mappings/test.toml"), text)
}

fn edited(edits: &str, message: &str) -> Edited {
    let list = list(&format!("kind = \"hl7v2-edit\"\n{edits}")).expect("edit list loads");
    let parsed = Message::parse(message.as_bytes()).expect("message parses");
    list.apply(&parsed).expect("edits apply")
}

fn segments(edited: &Edited) -> Vec<String> {
    String::from_utf8(edited.bytes.clone())
        .expect("utf-8")
        .split('\r')
        .filter(|line| !line.is_empty())
        .map(str::to_string)
        .collect()
}

fn value(edited: &Edited, path: &str) -> Option<String> {
    let message = Message::parse(&edited.bytes).expect("edited message parses");
    message.get(path).map(Cow::into_owned)
}

#[test]
fn sets_maps_and_removes_keeping_other_segments_byte_identical() {
    let out = edited(
        r#"
[tables.authority]
GENHOSP = "GH"

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
"#,
        ADT,
    );
    let lines = segments(&out);
    assert_eq!(
        lines[0],
        "MSH|^~\\&|EHR|GENHOSP|LAB|LABFAC|20240102030405||ADT^A04^ADT_A01|CTRL1|P|2.5.1"
    );
    assert_eq!(
        lines[2],
        "PID|1||12345^^^GH^MR~999-99-9999^^^SSA^SS||Doe^  Jane ^Q||19800101|F|||1 Main St^^Springfield^IL^62701"
    );
    let original: Vec<&str> = ADT.split('\r').collect();
    assert_eq!(lines[1], original[1], "EVN untouched");
    assert_eq!(lines[3], original[4], "PV1 untouched");
    assert_eq!(lines.len(), 6, "two Z segments removed: {lines:?}");
    assert_eq!(
        out.trail,
        [
            "edit list 'test', edit 1: set MSH-5 = \"LAB\"",
            "edit list 'test', edit 2: set MSH-6 = \"LABFAC\"",
            "edit list 'test', edit 3: map PID-3[1].4 through 'authority'",
            "edit list 'test', edit 4: remove segments Z*",
        ]
    );
}

#[test]
fn map_default_and_values_not_in_the_table() {
    let tables = "[tables.sex]\nF = \"female\"\n";
    let with_default = edited(
        &format!(
            "{tables}[[edit]]\nmap = \"PID-8\"\ntable = \"sex\"\n[[edit]]\nmap = \"PV1-2\"\ntable = \"sex\"\ndefault = \"unknown\"\n"
        ),
        ADT,
    );
    assert_eq!(value(&with_default, "PID-8").as_deref(), Some("female"));
    assert_eq!(value(&with_default, "PV1-2").as_deref(), Some("unknown"));
    let unchanged = edited(
        &format!("{tables}[[edit]]\nmap = \"PV1-2\"\ntable = \"sex\"\n"),
        ADT,
    );
    assert_eq!(value(&unchanged, "PV1-2").as_deref(), Some("O"));
    assert!(unchanged.trail[0].contains("edits 1 did not apply"));
}

#[test]
fn copies_clears_and_changes_case() {
    let out = edited(
        r#"
[[edit]]
copy = "PID-3[1]"
to = "PID-18"

[[edit]]
copy = "PV1-7.2"
to = "PV1-8.2"

[[edit]]
clear = "PID-11"

[[edit]]
upper = "PID-5"

[[edit]]
trim = "PID-5"

[[edit]]
lower = "MSH-3"
"#,
        ADT,
    );
    assert_eq!(value(&out, "PID-18").as_deref(), Some("12345^^^GENHOSP^MR"));
    assert_eq!(value(&out, "PID-18.4").as_deref(), Some("GENHOSP"));
    assert_eq!(value(&out, "PV1-8.2").as_deref(), Some("Smith"));
    assert_eq!(value(&out, "PID-11").as_deref(), Some(""));
    assert_eq!(value(&out, "PID-5.1").as_deref(), Some("DOE"));
    assert_eq!(value(&out, "PID-5.2").as_deref(), Some("JANE"));
    assert_eq!(value(&out, "PID-5.3").as_deref(), Some("Q"));
    assert_eq!(value(&out, "MSH-3").as_deref(), Some("ehr"));
}

#[test]
fn formats_dates() {
    let out = edited(
        r#"
[[edit]]
date = "PID-7"
format = "%Y-%m-%d"

[[edit]]
date = "EVN-2"
format = "%Y%m%d%H%M"

[[edit]]
set = "PV1-44"
value = "03/15/2024"

[[edit]]
date = "PV1-44"
input = "%m/%d/%Y"
format = "%Y%m%d"
"#,
        ADT,
    );
    assert_eq!(value(&out, "PID-7").as_deref(), Some("1980-01-01"));
    assert_eq!(value(&out, "EVN-2").as_deref(), Some("202401020304"));
    assert_eq!(value(&out, "PV1-44").as_deref(), Some("20240315"));
    assert_eq!(
        read_hl7_datetime("2024").map(|d| d.to_string()).as_deref(),
        Some("2024-01-01 00:00:00")
    );
    assert_eq!(
        read_hl7_datetime("20240102030405.123-0500")
            .map(|d| d.to_string())
            .as_deref(),
        Some("2024-01-02 03:04:05")
    );
    assert_eq!(read_hl7_datetime("2024013"), None);
    assert_eq!(read_hl7_datetime("20241301"), None);
}

#[test]
fn a_date_that_does_not_read_fails_the_message_naming_edit_and_path() {
    let dates =
        list("kind = \"hl7v2-edit\"\n[[edit]]\ndate = \"PID-7\"\nformat = \"%Y\"\n").unwrap();
    let bad = ADT.replace("19800101", "1980-01-01");
    let rejection = dates
        .apply(&Message::parse(bad.as_bytes()).unwrap())
        .unwrap_err();
    assert_eq!(rejection.kind, RejectionKind::InvalidValue);
    assert_eq!(rejection.location.as_deref(), Some("PID-7"));
    assert_eq!(
        rejection.reason,
        "edit list 'test', edit 1 (date PID-7 as \"%Y\"): PID-7: \"1980-01-01\" is not a date as \"an HL7 date/time\""
    );
    let map = list("kind = \"hl7v2-edit\"\n[tables.t]\n[[edit]]\nmap = \"PID-3\"\ntable = \"t\"\n")
        .unwrap();
    let rejection = map
        .apply(&Message::parse(ADT.as_bytes()).unwrap())
        .unwrap_err();
    assert!(
        rejection.reason.ends_with(
            "PID-3: holds more than one value (components or repetitions); name one part, e.g. .1"
        ),
        "{}",
        rejection.reason
    );
}

#[test]
fn when_conditions_read_the_message_as_edited_so_far() {
    let out = edited(
        r#"
[[edit]]
set = "MSH-5"
value = "LAB"
when = { "MSH-9.2" = "A04" }

[[edit]]
set = "MSH-6"
value = "NO"
when = { "MSH-9.2" = { in = ["A08", "A03"] } }

[[edit]]
set = "PV1-3.4"
value = "WEST"
when = { "MSH-5" = "LAB", "PID-19" = { present = false }, "PID-8" = { not = "M" } }
"#,
        ADT,
    );
    assert_eq!(value(&out, "MSH-5").as_deref(), Some("LAB"));
    assert_eq!(value(&out, "MSH-6").as_deref(), Some("GENHOSP"));
    assert_eq!(value(&out, "PV1-3.4").as_deref(), Some("WEST"));
    assert_eq!(
        out.trail.last().map(String::as_str),
        Some("edit list 'test': edits 2 did not apply: a `when` did not hold")
    );
}

#[test]
fn keeps_and_drops_repetitions() {
    let keep = edited(
        "[[edit]]\nkeep_repetitions = \"PID-3\"\nwhere = { \".5\" = \"MR\" }\n",
        ADT,
    );
    assert_eq!(value(&keep, "PID-3").as_deref(), Some("12345^^^GENHOSP^MR"));
    let drop = edited(
        "[[edit]]\ndrop_repetitions = \"PID-3\"\nwhere = { \".4\" = \"GENHOSP\" }\n",
        ADT,
    );
    assert_eq!(
        value(&drop, "PID-3").as_deref(),
        Some("999-99-9999^^^SSA^SS")
    );
    let first = edited("[[edit]]\nkeep_repetitions = \"PID-3\"\nfirst = 1\n", ADT);
    assert_eq!(
        value(&first, "PID-3").as_deref(),
        Some("12345^^^GENHOSP^MR")
    );
}

#[test]
fn adds_segments_in_the_messages_own_delimiters() {
    let custom = "MSH#$%*@#EHR#GENHOSP#ADT#GENHOSP#20240102##ADT$A04#1#P#2.5.1\rPID#1##1$$$GENHOSP\rPV1#1#O\r";
    let out = edited(
        "[[edit]]\nadd_segment = \"ZLB|1|LAB^Lab & Co~2|a#b\"\nafter = \"PID\"\n[[edit]]\nadd_segment = \"NTE|1||end\"\n",
        custom,
    );
    let lines = segments(&out);
    assert_eq!(
        lines,
        [
            "MSH#$%*@#EHR#GENHOSP#ADT#GENHOSP#20240102##ADT$A04#1#P#2.5.1",
            "PID#1##1$$$GENHOSP",
            "ZLB#1#LAB$Lab @ Co%2#a*F*b",
            "PV1#1#O",
            "NTE#1##end",
        ]
    );
    assert_eq!(value(&out, "ZLB-3").as_deref(), Some("a#b"));
}

#[test]
fn every_segment_edits_each_occurrence() {
    let out = edited("[[edit]]\nupper = \"NTE-3\"\nevery_segment = true\n", ADT);
    assert_eq!(value(&out, "NTE[1]-3").as_deref(), Some("FIRST"));
    assert_eq!(value(&out, "NTE[2]-3").as_deref(), Some("SECOND"));
    let once = edited("[[edit]]\nupper = \"NTE-3\"\n", ADT);
    assert_eq!(value(&once, "NTE[2]-3").as_deref(), Some("second"));
}

#[test]
fn edits_on_absent_segments_are_skipped() {
    let out = edited(
        "[[edit]]\nset = \"IN1-3\"\nvalue = \"X\"\n[[edit]]\nclear = \"PV2-3\"\n",
        ADT,
    );
    assert!(!segments(&out).iter().any(|line| line.starts_with("IN1")));
    assert_eq!(out.trail.len(), 1);
    assert!(out.trail[0].contains("edits 1, 2 did not apply"));
}

#[test]
fn segment_patterns() {
    let z = SegmentPattern::parse("Z*").unwrap();
    assert!(z.matches("ZPI") && z.matches("Z01") && !z.matches("PID"));
    let nte = SegmentPattern::parse("N?E").unwrap();
    assert!(nte.matches("NTE") && !nte.matches("NTX"));
    for bad in ["", "*", "ZZZ*", "pid", "P-D", "MSH", "AB"] {
        assert!(SegmentPattern::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn bad_edit_lists_are_refused_with_line_and_field() {
    let cases = [
        (
            "kind = \"mapping\"\n",
            "mappings/test.toml:1: kind: must be \"hl7v2-edit\"",
        ),
        (
            "kind = \"hl7v2-edit\"\n[[edit]]\nset = \"PID-0\"\nvalue = \"x\"\n",
            "mappings/test.toml:3: edit[0].set: invalid path \"PID-0\" at character 4: numbers start at 1",
        ),
        (
            "kind = \"hl7v2-edit\"\n[[edit]]\nset = \"PID-5\"\n",
            "mappings/test.toml:2: edit[0].value: set needs 'value'",
        ),
        (
            "kind = \"hl7v2-edit\"\n\n[[edit]]\nset = \"PID-5\"\nclear = \"PID-6\"\nvalue = \"x\"\n",
            "mappings/test.toml:5: edit[0].clear: an edit holds one operation; this one also has set, clear",
        ),
        (
            "kind = \"hl7v2-edit\"\n[[edit]]\nmap = \"PID-8\"\ntable = \"sex\"\n",
            "mappings/test.toml:4: edit[0].table: no table 'sex' in [tables] (there are: none)",
        ),
        (
            "kind = \"hl7v2-edit\"\n[[edit]]\nremove_segments = [\"MSH\"]\n",
            "mappings/test.toml:3: edit[0].remove_segments: MSH cannot be removed or matched here",
        ),
        (
            "kind = \"hl7v2-edit\"\n[[edit]]\ncopy = \"PID-3\"\nto = \"PID-18.1\"\n",
            "mappings/test.toml:4: edit[0].to: PID-3 can hold delimiters that PID-18.1 cannot; copy a part at least as deep as the target",
        ),
        (
            "kind = \"hl7v2-edit\"\n[[edit]]\nset = \"MSH-2\"\nvalue = \"x\"\n",
            "mappings/test.toml:3: edit[0].set: MSH-2 holds the message's delimiters, which edits keep as they are",
        ),
        (
            "kind = \"hl7v2-edit\"\n[[edit]]\nclear = \"PID-3\"\nvalue = \"x\"\n",
            "mappings/test.toml:4: edit[0].value: not a setting of clear (it takes every_segment)",
        ),
        (
            "kind = \"hl7v2-edit\"\n[[edit]]\ndate = \"PID-7\"\nformat = \"%Q\"\n",
            "mappings/test.toml:4: edit[0].format: \"%Q\" is no valid date pattern (chrono, e.g. %Y%m%d)",
        ),
        (
            "kind = \"hl7v2-edit\"\n[[edit]]\nkeep_repetitions = \"PID-3.1\"\nfirst = 1\n",
            "mappings/test.toml:3: edit[0].keep_repetitions: PID-3.1 must name a whole field, e.g. PID-3",
        ),
        (
            "kind = \"hl7v2-edit\"\n[[edit]]\nadd_segment = \"MSH|x\"\n",
            "mappings/test.toml:3: edit[0].add_segment: \"MSH|x\" must start with a segment id (3 upper-case letters or digits, not a header) and '|'",
        ),
        (
            "kind = \"hl7v2-edit\"\n[[edit]]\nversion = \"2.4\"\n",
            "mappings/test.toml:3: edit[0].version: \"2.4\": versions change to \"2.3\" or \"2.5.1\"",
        ),
        (
            "kind = \"hl7v2-edit\"\n[[edit]]\nsett = \"PID-3\"\n",
            "mappings/test.toml:3: edit[0].sett: unknown field `sett`",
        ),
    ];
    for (text, expected) in cases {
        let problem = list(text).expect_err(text).to_string();
        assert!(
            problem.starts_with(expected),
            "{problem}\nexpected: {expected}"
        );
    }
}
