//! Mapping tests: the shipped HL7 v2 mapping over real and synthetic messages.

use super::*;

fn shipped(name: &str) -> Mapping {
    Mapping::load(Path::new(env!("CARGO_MANIFEST_DIR")), name).expect("shipped mapping loads")
}

const DFT: &[u8] = b"MSH|^~\\&|EHR|CLINIC|SB|SB|20261124101500||DFT^P03^DFT_P03|DFT0001|P|2.5\r\
EVN|P03|20261124101500\r\
PID|1||MRN100^^^CLINIC^MR~999-88-7777^^^SSA^SS||O'Brien^Mary^Ann||19750314|F|||12 Main St^Apt 4^Springfield^IL^62701^USA||555-0100\r\
PV1|1|O|CLINIC^ROOM1^BED2^CLINIC||||1234567893^House^Gregory||||||||||||V5001|||||||||||||||||||||||||20261124090000\r\
FT1|1|T1001||20261124|20261124|CG|99213^Office visit^CPT|Office visit est.||1|150.00||||||||J06.9^Acute URI^I10~R05^Cough^I10||||||99213^Office visit^CPT|25^Significant E/M^CPT~59^Distinct^CPT\r\
FT1|2|T1002||20261124|20261124|CG|87880^Strep test^CPT|Rapid strep||2|30.50\r\
IN1|1|GOLD^Gold PPO|HMO1|Acme Health||||GRP42||||20260101|20261231|||Mary^O'Brien|SEL|||||1||||||||||||||MEM12345\r";

#[test]
fn dft_maps_patient_visit_charges_and_coverage() {
    let mapping = shipped("hl7v2-canonical");
    let facts = Message::read(DFT).unwrap();
    let records = mapping.records(&facts).unwrap();
    let patient = records.patient.unwrap();
    assert_eq!(patient.family_name.as_deref(), Some("O'Brien"));
    assert_eq!(patient.given_name.as_deref(), Some("Mary"));
    assert_eq!(patient.middle_name.as_deref(), Some("Ann"));
    assert_eq!(patient.birth_date.as_deref(), Some("1975-03-14"));
    assert_eq!(patient.gender.as_deref(), Some("female"));
    assert_eq!(patient.address.line.as_deref(), Some("12 Main St, Apt 4"));
    assert_eq!(patient.address.postal_code.as_deref(), Some("62701"));
    assert_eq!(patient.identifiers.len(), 2);
    assert_eq!(patient.identifiers[0].value, "MRN100");
    assert_eq!(patient.identifiers[0].system, "CLINIC");
    assert_eq!(patient.identifiers[0].type_code.as_deref(), Some("MR"));
    assert_eq!(patient.identifiers[1].system, "SSA");

    let encounter = records.encounter.unwrap();
    assert_eq!(encounter.visit_number, "V5001");
    assert_eq!(encounter.class.as_deref(), Some("outpatient"));
    assert_eq!(encounter.status.as_deref(), Some("in-progress"));
    assert_eq!(encounter.location.as_deref(), Some("CLINIC-ROOM1-BED2"));
    assert_eq!(encounter.attending_npi.as_deref(), Some("1234567893"));
    assert_eq!(encounter.attending_name.as_deref(), Some("Gregory House"));
    assert_eq!(
        encounter.admitted_at.as_deref(),
        Some("2026-11-24T09:00:00")
    );

    assert_eq!(records.charges.len(), 2);
    let first = &records.charges[0];
    assert_eq!(first.line_key, "T1001");
    assert_eq!(first.service_date, "2026-11-24");
    assert_eq!(first.procedure_code, "99213");
    assert_eq!(first.modifiers, ["25", "59"]);
    assert_eq!(first.diagnosis_codes, ["J06.9", "R05"]);
    assert_eq!(first.units_thousandths, 1000);
    assert_eq!(first.charge_cents, 15_000);
    let second = &records.charges[1];
    assert_eq!(second.procedure_code, "87880");
    assert_eq!(second.units_thousandths, 2000);
    assert_eq!(second.charge_cents, 3_050);
    assert!(second.modifiers.is_empty());

    assert_eq!(records.coverages.len(), 1);
    let coverage = &records.coverages[0];
    assert_eq!(coverage.payer_id, "HMO1");
    assert_eq!(coverage.payer_name.as_deref(), Some("Acme Health"));
    assert_eq!(coverage.member_id, "MEM12345");
    assert_eq!(coverage.group_number.as_deref(), Some("GRP42"));
    assert_eq!(coverage.relationship.as_deref(), Some("self"));
    assert_eq!(coverage.priority, 1);
    assert_eq!(coverage.effective_from.as_deref(), Some("2026-01-01"));
}

#[test]
fn real_adt_sample_maps_its_patient_and_visit() {
    let raw = include_bytes!("../../samples/hl7v2/adt-a01-fhir-converter.hl7");
    let mapping = shipped("hl7v2-canonical");
    let records = mapping.records(&Message::read(raw).unwrap()).unwrap();
    let patient = records.patient.unwrap();
    assert_eq!(patient.identifiers[0].value, "PATID1234");
    assert_eq!(patient.identifiers[0].system, "test1");
    assert_eq!(patient.identifiers[1].value, "123456789");
    assert_eq!(patient.identifiers[1].system, "USSSA");
    assert_eq!(patient.family_name.as_deref(), Some("EVERYMAN"));
    assert_eq!(patient.given_name.as_deref(), Some("ADAM"));
    let encounter = records.encounter.unwrap();
    assert_eq!(encounter.class.as_deref(), Some("preadmit"));
}

#[test]
fn a_charge_without_an_amount_is_an_error_naming_it() {
    let broken = String::from_utf8_lossy(DFT).replace("|2|30.50", "|2|");
    let mapping = shipped("hl7v2-canonical");
    let err = mapping
        .records(&Message::read(broken.as_bytes()).unwrap())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "mapping: charge 2: 'charge' is empty in this message (at FT1[2]-11.1.1)"
    );
    assert_eq!(err.location.as_deref(), Some("FT1[2]-11.1.1"));
}

#[test]
fn mapping_files_are_validated() {
    let text = "format = \"hl7v2\"\n[patient]\nfamly_name = \"PID-5.1\"\ngender = { path = \"PID-8\", lookup = \"nope\" }\nphone = { path = \"PID-X\" }\n";
    let file = Path::new("m.toml");
    let doc = Document::parse(file, text).unwrap();
    let mapping: Mapping = doc.deserialize().unwrap();
    let problems: Vec<String> = mapping
        .validate(&doc)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("m.toml:3: patient.famly_name: unknown field")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("patient.gender: no table [lookups.nope]")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("patient.phone: path 'PID-X'")),
        "{problems:?}"
    );
}

#[test]
fn wrong_format_is_refused() {
    let mapping = shipped("hl7v2-canonical");
    let facts = Message::read(br#"{"resourceType":"Patient"}"#).unwrap();
    let err = mapping.records(&facts).unwrap_err();
    assert!(
        err.reason.contains("maps hl7v2 messages; this one is fhir"),
        "{err}"
    );
}

#[test]
fn a_message_without_a_visit_number_still_maps_its_patient() {
    let a08 = b"MSH|^~\\&|EHR|HOSP|SB|SB|20261125||ADT^A08|U1|P|2.5\rPID|1||MRN7^^^HOSP^MR||Doe^John\rPV1|1|O\r";
    let records = shipped("hl7v2-canonical")
        .records(&Message::read(a08).unwrap())
        .unwrap();
    assert_eq!(records.patient.unwrap().identifiers[0].value, "MRN7");
    assert!(records.encounter.is_none());
}

#[test]
fn fhir_patient_maps_with_every_identifier() {
    let raw = include_bytes!("../../samples/fhir/patient-carin.json");
    let records = shipped("fhir-patient")
        .records(&Message::read(raw).unwrap())
        .unwrap();
    let patient = records.patient.unwrap();
    assert_eq!(patient.identifiers.len(), 2);
    assert_eq!(patient.identifiers[0].value, "88897664101");
    assert_eq!(
        patient.identifiers[0].system,
        "https://www.upmchealthplan.com/fhir/memberidentifier"
    );
    assert_eq!(patient.identifiers[0].type_code.as_deref(), Some("MB"));
    assert!(patient.family_name.as_deref().is_some());
    assert!(patient.birth_date.as_deref().is_some());
}

#[test]
fn dg1_diagnoses_and_a40_merges_are_mapped() {
    let a40 = b"MSH|^~\\&|EHR|HOSP|SB|SB|20261125||ADT^A40^ADT_A39|M1|P|2.5\r\
PID|1||NEW-1^^^HOSP^MR||Doe^Jane\r\
MRG|OLD-1^^^HOSP^MR~OLD-SSN^^^SSA^SS\r\
PV1|1|I|||||||||||||||||V-M1\r\
DG1|1||J18.9^Pneumonia^I10\r\
DG1|2||E11.9^Diabetes^I10\r";
    let records = shipped("hl7v2-canonical")
        .records(&Message::read(a40).unwrap())
        .unwrap();
    let merged: Vec<&str> = records
        .merged_identifiers
        .iter()
        .map(|i| i.value.as_str())
        .collect();
    assert_eq!(merged, ["OLD-1", "OLD-SSN"]);
    assert_eq!(records.merged_identifiers[1].system, "SSA");
    assert_eq!(
        records.encounter.unwrap().diagnosis_codes,
        ["J18.9", "E11.9"]
    );
}

/// The records as JSON, as the pipeline hands them to the destinations.
fn records_json(mapping: &Mapping, raw: &[u8]) -> serde_json::Value {
    let records = mapping
        .records(&Message::read(raw).unwrap())
        .unwrap_or_else(|err| panic!("{err}"));
    serde_json::to_value(&records).unwrap()
}

/// HAPI's ADT^A01 (tests/fixtures/corpus): its IN1 names a payer but no member id.
const HAPI_ADT: &[u8] = include_bytes!("../../tests/fixtures/corpus/hl7v2/adt-a01-v24-cr-hapi.hl7");

/// The Microsoft FHIR-Converter ADT^A01 sample, with CR segment ends as on the wire.
fn converter_adt() -> String {
    include_str!("../../tests/fixtures/hl7v2/adt-a01-fhir-converter.hl7").replace('\n', "\r")
}

#[test]
fn a_coverage_without_member_id_is_skipped_with_a_warning_not_a_rejection() {
    let records = records_json(&shipped("hl7v2-canonical"), HAPI_ADT);
    assert_eq!(records["patient"]["family_name"], "Duck");
    assert_eq!(records["encounter"]["visit_number"], "211004554");
    assert_eq!(records["coverages"], serde_json::json!([]));
    let warnings = records["warnings"].as_array().expect("warnings");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(
        warnings[0],
        "coverage 1 skipped: 'member_id' is empty in this message (at IN1[1]-36)"
    );
}

#[test]
fn a_self_pay_in1_marks_the_visit_self_pay_and_keeps_the_rest_of_the_message() {
    let mapping = shipped("hl7v2-canonical");
    // The IN1 of the HAPI admit replaced by a self-pay one.
    let hapi = String::from_utf8_lossy(HAPI_ADT);
    let in1 = hapi
        .split('\r')
        .find(|s| s.starts_with("IN1|"))
        .unwrap()
        .to_string();
    let self_pay = hapi.replace(&in1, "IN1|1|SELF|SELFPAY|Self Pay");
    let records = records_json(&mapping, self_pay.as_bytes());
    assert_eq!(records["patient"]["family_name"], "Duck");
    assert_eq!(records["encounter"]["visit_number"], "211004554");
    assert_eq!(records["encounter"]["self_pay"], true);
    assert_eq!(records["coverages"], serde_json::json!([]));
    assert_eq!(
        records["warnings"],
        serde_json::json!([
            "coverage 1 is self-pay (payer 'SELFPAY'): no coverage is stored and the visit is marked self-pay (at IN1[1]-3.1)"
        ])
    );

    // A self-pay IN1 after an insurer's: the insurer's coverage is kept, the visit is insured.
    let two = format!(
        "{}\rIN1|2|SELF|SELFPAY|Self Pay",
        converter_adt().trim_end()
    );
    let records = records_json(&mapping, two.as_bytes());
    let coverages = records["coverages"].as_array().unwrap();
    assert_eq!(coverages.len(), 1, "{coverages:?}");
    assert_eq!(coverages[0]["member_id"], "PN-145");
    assert_eq!(records["encounter"]["self_pay"], false);
    assert_eq!(records["warnings"].as_array().unwrap().len(), 1);
}

#[test]
fn explicit_null_clears_and_an_empty_field_is_left_out() {
    let mapping = shipped("hl7v2-canonical");
    let original = String::from_utf8_lossy(DFT).into_owned();
    let nulled = original
        .replace("O'Brien^Mary^Ann", "O'Brien^Mary^\"\"")
        .replace("12 Main St^Apt 4^Springfield", "\"\"^^Springfield")
        .replace("||555-0100", "||\"\"")
        .replace("CLINIC^ROOM1^BED2^CLINIC", "\"\"");
    let records = records_json(&mapping, nulled.as_bytes());
    let patient = &records["patient"];
    assert_eq!(patient["given_name"], "Mary");
    assert_eq!(patient["middle_name"], serde_json::Value::Null);
    assert_eq!(patient["phone"], serde_json::Value::Null);
    assert_eq!(patient["address"]["line"], serde_json::Value::Null);
    assert_eq!(patient["address"]["city"], "Springfield");
    assert_eq!(records["encounter"]["location"], serde_json::Value::Null);
    // A whole field sent as "" clears each of its parts the mapping reads.
    assert_eq!(records["encounter"]["facility"], "CLINIC", "MSH-4 is next");

    // Empty fields say nothing: the keys are left out.
    let empty = original
        .replace("O'Brien^Mary^Ann", "O'Brien^Mary")
        .replace("||555-0100", "||");
    let records = records_json(&mapping, empty.as_bytes());
    let patient = records["patient"].as_object().unwrap();
    assert!(!patient.contains_key("middle_name"), "{patient:?}");
    assert!(!patient.contains_key("phone"), "{patient:?}");
}

#[test]
fn coded_fields_map_through_their_code_then_their_text() {
    let mapping = shipped("hl7v2-canonical");
    let original = String::from_utf8_lossy(DFT).into_owned();
    for (pid8, gender) in [
        ("F^Female^HL70001", "female"),
        ("^Female^HL70001", "female"),
        ("M^Male", "male"),
        ("f", "female"),
    ] {
        let coded = original.replace("|19750314|F|", &format!("|19750314|{pid8}|"));
        let records = records_json(&mapping, coded.as_bytes());
        assert_eq!(records["patient"]["gender"], gender, "PID-8 {pid8}");
    }
    let coded = original
        .replace("PV1|1|O|", "PV1|1|E^Emergency^HL70004|")
        .replace("|Mary^O'Brien|SEL|", "|Mary^O'Brien|SEL^Self^HL70063|");
    let records = records_json(&mapping, coded.as_bytes());
    assert_eq!(records["encounter"]["class"], "emergency");
    assert_eq!(records["coverages"][0]["relationship"], "self");
    // A code in no table passes as sent, without its text.
    let unknown = original.replace("PV1|1|O|", "PV1|1|Z^Zoo|");
    let records = records_json(&mapping, unknown.as_bytes());
    assert_eq!(records["encounter"]["class"], "Z");
}

#[test]
fn a_street_name_in_the_sad_subcomponents_is_kept() {
    let mapping = shipped("hl7v2-canonical");
    // FHIR-Converter's PID-11: 1000&Hospital Lane^Ste. 123^Ann Arbor ^MI...
    let records = records_json(&mapping, converter_adt().as_bytes());
    assert_eq!(
        records["patient"]["address"]["line"],
        "1000 Hospital Lane, Ste. 123"
    );
    let original = String::from_utf8_lossy(DFT).into_owned();
    for (xad1, line) in [
        ("&Main St&123", "123 Main St, Apt 4"),
        ("123 Main St&Main St&123", "123 Main St, Apt 4"),
        ("12 Main St", "12 Main St, Apt 4"),
    ] {
        let sad = original.replace("12 Main St^Apt 4", &format!("{xad1}^Apt 4"));
        let records = records_json(&mapping, sad.as_bytes());
        assert_eq!(records["patient"]["address"]["line"], line, "XAD-1 {xad1}");
    }
}

/// A mapping from TOML text, validated.
fn mapping_from(text: &str) -> Result<Mapping, Vec<String>> {
    let doc = Document::parse(Path::new("m.toml"), text).map_err(|p| vec![p.to_string()])?;
    let mapping: Mapping = doc.deserialize().map_err(|p| vec![p.to_string()])?;
    let problems: Vec<String> = mapping
        .validate(&doc)
        .iter()
        .map(ToString::to_string)
        .collect();
    if problems.is_empty() {
        Ok(mapping)
    } else {
        Err(problems)
    }
}

#[test]
fn a_message_past_a_limit_is_refused_naming_it() {
    let mapping = shipped("hl7v2-canonical");
    assert_eq!(mapping.limits, Limits::default());
    let mut raw = b"MSH|^~\\&|EHR|HOSP|SB|SB|20261125||ADT^A08|BIG|P|2.5\rPID|1||".to_vec();
    raw.extend(std::iter::repeat_n(b'~', 1_000_000));
    let err = mapping.records(&Message::read(&raw).unwrap()).unwrap_err();
    assert_eq!(err.kind, RejectionKind::TooLarge);
    assert_eq!(err.location.as_deref(), Some("PID-3"));
    assert_eq!(
        err.to_string(),
        "mapping: PID-3 has more than 1000 repetitions, past the mapping's limit \
         max_repetitions = 1000 (at PID-3)"
    );
    let rejection = Rejection::from(err);
    assert_eq!(
        rejection.kind.hl7_error_code(),
        hl7v2::ErrorCode::ValueTooLong
    );
    assert_eq!(rejection.location.as_deref(), Some("PID-3"));

    // Segments, fields and components too; each limit can be set per mapping.
    let text = "format = \"hl7v2\"\n[patient]\nfamily_name = \"PID-5.1\"\n[[patient_identifier]]\nrepeat = \"PID-3\"\nvalue = \".1\"\nsystem = { path = \".4\", default = \"LOCAL\" }\n[limits]\nmax_segments = 3\nmax_fields = 12\nmax_components = 5\n";
    let small = mapping_from(text).unwrap();
    let refused = |raw: &[u8]| {
        let err = small.records(&Message::read(raw).unwrap()).unwrap_err();
        assert_eq!(err.kind, RejectionKind::TooLarge, "{err}");
        err.to_string()
    };
    let reason = refused(b"MSH|^~\\&|||||||ADT^A08|1|P|2.5\rPID|1||A\rNTE|1\rNTE|2");
    assert!(
        reason.contains("the message has more than 3 segments")
            && reason.contains("max_segments = 3"),
        "{reason}"
    );
    let reason = refused(b"MSH|^~\\&|||||||ADT^A08|1|P|2.5\rPID|1||A|||||||||||");
    assert!(
        reason.contains("segment 2 (PID) has more than 12 fields") && reason.contains("PID-13"),
        "{reason}"
    );
    let reason = refused(b"MSH|^~\\&|||||||ADT^A08|1|P|2.5\rPID|1||A~B^^^^^^");
    assert!(
        reason.contains("PID-3[2] has more than 5 components"),
        "{reason}"
    );
    let records = small
        .records(&Message::read(b"MSH|^~\\&|||||||ADT^A08|1|P|2.5\rPID|1||A^^^S~B||Doe").unwrap())
        .unwrap();
    assert_eq!(records.patient.unwrap().identifiers.len(), 2);
}

#[test]
fn limits_are_validated() {
    let text = "format = \"hl7v2\"\n[limits]\nmax_segments = 0\nmax_repetitions = 10000\n";
    let problems = mapping_from(text).unwrap_err();
    assert!(
        problems
            .iter()
            .any(|p| p.contains("limits.max_segments: must be between 1 and 9999")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("limits.max_repetitions: must be between 1 and 9999")),
        "{problems:?}"
    );
    let unknown = mapping_from("format = \"hl7v2\"\n[limits]\nmax_bytes = 1\n").unwrap_err();
    assert!(
        unknown[0].contains("unknown field `max_bytes`"),
        "{unknown:?}"
    );
}

#[test]
fn empty_repetitions_and_items_are_no_occurrences() {
    // Every empty repetition of PID-3 would be an identifier of the default system only.
    let mut raw = b"MSH|^~\\&|EHR|HOSP|SB|SB|20261125||ADT^A08|E1|P|2.5\rPID|1||".to_vec();
    raw.extend(b"~~~MRN1^^^HOSP^MR~~~\"\"~~");
    let message = Message::read(&raw).unwrap();
    let Reader::Hl7v2(hl7) = Reader::new(&message, &Limits::default()).unwrap() else {
        panic!("HL7 v2");
    };
    assert_eq!(hl7.repetitions("PID-3"), [4, 7]);
    assert_eq!(hl7.repetitions("PID-9"), Vec::<usize>::new());
    let records = shipped("hl7v2-canonical").records(&message).unwrap();
    let identifiers = records.patient.unwrap().identifiers;
    assert_eq!(identifiers.len(), 1);
    assert_eq!(identifiers[0].value, "MRN1");

    let json = br#"{"resourceType":"Patient","identifier":[{},null,{"value":"A1"},"",[],{"value":"A2","system":"urn:s"}]}"#;
    let message = Message::read(json).unwrap();
    let reader = Reader::new(&message, &Limits::default()).unwrap();
    assert_eq!(
        reader
            .occurrences("identifier", &Limits::default())
            .unwrap(),
        [3, 6]
    );
    let identifiers = shipped("fhir-patient")
        .records(&message)
        .unwrap()
        .patient
        .unwrap()
        .identifiers;
    assert_eq!(identifiers.len(), 2);
    assert_eq!(identifiers[1].system, "urn:s");
}

#[test]
fn a_json_array_past_the_repetition_limit_is_refused() {
    let items = vec![r#"{"value":"A"}"#; 1001].join(",");
    let json = format!(r#"{{"resourceType":"Patient","identifier":[{items}]}}"#);
    let err = shipped("fhir-patient")
        .records(&Message::read(json.as_bytes()).unwrap())
        .unwrap_err();
    assert_eq!(err.kind, RejectionKind::TooLarge);
    assert_eq!(
        err.to_string(),
        "mapping: identifier has more than 1000 items, past the mapping's limit \
         max_repetitions = 1000 (at identifier)"
    );
}

#[test]
fn segments_are_found_by_occurrence_and_repetitions_read_in_one_pass() {
    let mut raw = b"MSH|^~\\&|EHR|HOSP|SB|SB|20261125||DFT^P03|D1|P|2.5\rPID|1||MRN9^^^HOSP^MR\rPV1|1|O|||||||||||||||||V9\r".to_vec();
    for n in 1..=3000 {
        raw.extend(
            format!("FT1|{n}|L{n}||20261124||CG|99213|||1|10.00||||||||A{n}~~B\\T\\{n}~\"\"|||||||25~59\r")
                .as_bytes(),
        );
    }
    let records = shipped("hl7v2-canonical")
        .records(&Message::read(&raw).unwrap())
        .unwrap();
    assert_eq!(records.charges.len(), 3000);
    let last = &records.charges[2999];
    assert_eq!(last.line_key, "L3000");
    assert_eq!(last.diagnosis_codes, ["A3000", "B&3000"]);
    assert_eq!(last.modifiers, ["25", "59"]);
}
