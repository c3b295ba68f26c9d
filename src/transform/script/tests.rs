use super::*;

const ADT: &[u8] =
    b"MSH|^~\\&|EHR|GENHOSP|ADT|GENHOSP|20240102030405||ADT^A04^ADT_A01|CTRL1|P|2.5.1\r\
EVN|A04|20240102030405\r\
PID|1||12345^^^GENHOSP^MR||Doe^Jane\r\
ZPI|private\r\
PV1|1|O\r";

fn script(text: &str) -> Script {
    Script::compile("test", std::path::Path::new("mappings/test.rhai"), text)
        .expect("the script compiles")
}

fn tables() -> Tables {
    let mut rows = BTreeMap::new();
    rows.insert("GENHOSP".to_string(), "GH".to_string());
    let mut tables = Tables::new();
    tables.insert("authority".to_string(), rows);
    tables
}

fn message() -> Message {
    Message::read(ADT).expect("the message reads")
}

#[test]
fn a_script_edits_with_paths_tables_and_facts() {
    let edited = script(
        r#"
        if facts.message_type == "ADT" { msg.set("MSH-5", "LAB"); }
        let authority = msg.get("PID-3[1].4");
        if authority != () { msg.set("PID-3[1].4", tables.authority[authority] ?? authority); }
        if msg.get("PID-30") == () { msg.set("PID-30", "N"); }
        let removed = msg.remove_segments("Z*");
        msg.set("PV1-3", `${removed} removed of ${msg.segment_ids().len() + removed}`);
        "#,
    )
    .transform(&message(), &tables())
    .expect("the script runs");
    let out = String::from_utf8(edited.bytes).unwrap();
    assert_eq!(
        out,
        "MSH|^~\\&|EHR|GENHOSP|LAB|GENHOSP|20240102030405||ADT^A04^ADT_A01|CTRL1|P|2.5.1\r\
EVN|A04|20240102030405\r\
PID|1||12345^^^GH^MR||Doe^Jane|||||||||||||||||||||||||N\r\
PV1|1|O|1 removed of 5\r"
    );
    assert_eq!(
        edited.trail,
        [
            "script 'test': set MSH-5",
            "script 'test': set PID-3[1].4",
            "script 'test': set PID-30",
            "script 'test': remove segments Z*",
            "script 'test': set PV1-3",
        ]
    );
}

#[test]
fn a_script_that_loops_forever_is_stopped_by_the_operation_limit() {
    let rejection = script("msg.set(\"MSH-5\", \"X\");\nlet n = 0;\nloop { n += 1; }\n")
        .transform(&message(), &tables())
        .expect_err("the loop is stopped");
    assert_eq!(
        rejection.reason,
        format!(
            "script 'test' failed at line 3: stopped after {MAX_OPERATIONS} operations (the limit of one run)"
        )
    );
}

#[test]
fn a_runtime_error_names_the_line() {
    let rejection = script("let a = 1;\n\nmsg.set(\"PID-0\", \"x\");\n")
        .transform(&message(), &tables())
        .expect_err("the path is invalid");
    assert_eq!(
        rejection.reason,
        "script 'test' failed at line 3: invalid path \"PID-0\" at character 4: numbers start at 1"
    );
    let rejection = script("let x = 1;\nlet y = x / 0;\n")
        .transform(&message(), &tables())
        .expect_err("division by zero");
    assert!(
        rejection
            .reason
            .starts_with("script 'test' failed at line 2: "),
        "{}",
        rejection.reason
    );
    let rejection = script("throw \"no visit\";")
        .transform(&message(), &tables())
        .unwrap_err();
    assert_eq!(rejection.reason, "script 'test' failed at line 1: no visit");
}

#[test]
fn the_sandbox_has_no_modules_eval_or_huge_values() {
    let import = script("import \"other\" as other;").transform(&message(), &tables());
    assert!(import.is_err());
    let compiled = Script::compile(
        "test",
        std::path::Path::new("mappings/test.rhai"),
        "eval(\"1\")",
    );
    assert!(compiled.is_err() || compiled.unwrap().transform(&message(), &tables()).is_err());
    let big = script("let s = \"x\"; loop { s += s; }").transform(&message(), &tables());
    assert!(big.unwrap_err().reason.contains("line 1"));
}

#[test]
fn a_syntax_error_is_refused_at_load_with_its_line() {
    let problem = Script::compile(
        "test",
        std::path::Path::new("mappings/test.rhai"),
        "let a = 1;\nlet b = ;\n",
    )
    .err()
    .expect("refused")
    .to_string();
    assert!(
        problem.starts_with("mappings/test.rhai:2: script: does not compile: Unexpected ';'"),
        "{problem}"
    );
}

#[test]
fn filter_scripts_answer_a_boolean() {
    let filter = script("facts.trigger_event == \"A04\" && msg.count(\"PV1\") == 1");
    assert!(filter.accepts(&message(), &tables()).unwrap());
    let other = script("msg.get(\"PV1-2\") == \"I\"");
    assert!(!other.accepts(&message(), &tables()).unwrap());
    let not_bool = script("42").accepts(&message(), &tables()).unwrap_err();
    assert_eq!(
        not_bool.reason,
        "script 'test' failed: a filter script must answer true or false, not i64"
    );
}
