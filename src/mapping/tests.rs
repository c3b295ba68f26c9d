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
    assert!(patient.family_name.is_some());
    assert!(patient.birth_date.is_some());
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
