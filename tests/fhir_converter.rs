//! Our HL7 v2 to FHIR conversion of Microsoft FHIR-Converter's ADT-A01-01 sample
//! (`tests/fixtures/hl7v2/adt-a01-fhir-converter.hl7`), compared field by field with
//! FHIR-Converter's own expected output for it (`tests/fixtures/fhir/`, see SOURCES.md there)
//! for the resources both make: Patient, Encounter, Coverage, the payer Organization, the
//! Practitioners and Organizations they refer to, and the RelatedPersons.
//!
//! Each compared field either equals FHIR-Converter's value, or differs in the one way written
//! down here (`differs`), with why: where their value is not what the message says, or where
//! we chose otherwise. FHIR-Converter's values are always read from the fixture, so every
//! check fails should either side change. Their output was made from a revision of the sample
//! that holds more than our copy (a temporary location, access restrictions, an accident, a
//! death); what only that produces has no source in our message and is not compared.
//!
//! The clinical samples (FHIR-Converter's SIU, VXU, ORM, OML, RDE, MDM, PPR and ORU messages,
//! and the NIST immunization message it ships; some in the corpus) are converted the same way, and the key fields of
//! each resource checked against the values the message holds.

use std::path::Path;

use serde_json::{Value, json};
use switchboard::fhir::validate::validate_emitted;

/// FHIR-Converter's placeholder base for systems it does not know.
const PLACEHOLDER: &str = "http://example.com/v2-to-fhir-converter/";

/// A Bundle and the way its entries refer to each other.
struct Bundle {
    json: Value,
}

impl Bundle {
    fn entries(&self) -> &Vec<Value> {
        self.json["entry"].as_array().expect("entries")
    }

    /// The resources of `kind`.
    fn all(&self, kind: &str) -> Vec<&Value> {
        self.entries()
            .iter()
            .map(|e| &e["resource"])
            .filter(|r| r["resourceType"] == kind)
            .collect()
    }

    /// The only resource of `kind`.
    fn one(&self, kind: &str) -> &Value {
        let all = self.all(kind);
        assert_eq!(all.len(), 1, "one {kind}");
        all[0]
    }

    /// The resource a Reference names: `Type/id` (FHIR-Converter) or a `urn:uuid:` fullUrl
    /// (ours).
    fn get(&self, reference: &Value) -> &Value {
        let target = reference["reference"].as_str().expect("a reference");
        self.entries()
            .iter()
            .find(|e| {
                e["fullUrl"] == target
                    || target.split_once('/').is_some_and(|(kind, id)| {
                        e["resource"]["resourceType"] == kind && e["resource"]["id"] == id
                    })
            })
            .map(|e| &e["resource"])
            .unwrap_or_else(|| panic!("no entry for {target}"))
    }
}

/// Our Bundle of the sample, through the shipped mapping as a channel makes its records.
fn ours() -> Bundle {
    let raw = include_bytes!("fixtures/hl7v2/adt-a01-fhir-converter.hl7");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mapping = switchboard::mapping::Mapping::load(root, "hl7v2-canonical").expect("mapping");
    let message = switchboard::message::Message::read(raw).expect("readable");
    let records = mapping.records(&message).expect("records");
    let v2 = message.hl7v2().expect("an HL7 v2 message");
    let json = switchboard::fhir::from_hl7v2::convert(&records, &v2).expect("converted");
    Bundle { json }
}

/// FHIR-Converter's expected Bundle for the same message.
fn theirs() -> Bundle {
    let text = include_str!("fixtures/fhir/adt-a01-01-fhir-converter-expected.json");
    Bundle {
        json: serde_json::from_str(text).expect("the fixture is JSON"),
    }
}

/// Asserts that ours equals theirs; theirs must hold a value, so that something is compared.
fn same(field: &str, ours: &Value, theirs: &Value) {
    assert!(!theirs.is_null(), "{field}: FHIR-Converter has no value");
    assert_eq!(ours, theirs, "{field}");
}

/// Asserts the documented difference `why`: FHIR-Converter's value is `theirs_is`, ours is
/// `ours_is`.
fn differs(field: &str, why: &str, ours: &Value, ours_is: Value, theirs: &Value, theirs_is: Value) {
    assert_eq!(theirs, &theirs_is, "{field} (FHIR-Converter): {why}");
    assert_eq!(ours, &ours_is, "{field} (ours): {why}");
    assert_ne!(ours, theirs, "{field}: documented as a difference");
}

/// The element of `list` whose `key` is `value`.
fn with<'a>(list: &'a Value, key: &str, value: &str) -> &'a Value {
    list.as_array()
        .into_iter()
        .flatten()
        .find(|item| item.pointer(key).and_then(Value::as_str) == Some(value))
        .unwrap_or_else(|| panic!("no element with {key} = {value} in {list}"))
}

/// Whether `list` has an element whose `key` is `value`.
fn has(list: &Value, key: &str, value: &str) -> bool {
    list.as_array()
        .into_iter()
        .flatten()
        .any(|item| item.pointer(key).and_then(Value::as_str) == Some(value))
}

/// `value` without the members named.
fn without(value: &Value, members: &[&str]) -> Value {
    let mut value = value.clone();
    if let Some(map) = value.as_object_mut() {
        for member in members {
            map.remove(*member);
        }
    }
    value
}

/// The codings of a CodeableConcept without their `version`.
fn unversioned(concept: &Value) -> Value {
    let codings: Vec<Value> = concept["coding"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| without(c, &["version"]))
        .collect();
    json!(codings)
}

/// The `value`s of a list of identifiers or contact points.
fn values(list: &Value) -> Vec<&str> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["value"].as_str())
        .collect()
}

#[test]
fn every_resource_we_emit_is_valid_r4_and_referenced_by_fullurl() {
    let ours = ours();
    for entry in ours.entries() {
        assert_eq!(validate_emitted(&entry["resource"]), Ok(()), "{entry}");
        assert!(entry["fullUrl"].as_str().unwrap().starts_with("urn:uuid:"));
    }
    let theirs = theirs();
    // Bundle: they answer a batch of PUTs to ids hashed from the content; we answer one
    // transaction of POSTs, the shared parties conditional (ifNoneExist), so that a receiving
    // server keeps its own ids and a second message finds the same patient, visit and doctors.
    differs(
        "Bundle.type",
        "a transaction: all of the message or none of it",
        &ours.json["type"],
        json!("transaction"),
        &theirs.json["type"],
        json!("batch"),
    );
    let patient = |bundle: &Bundle| {
        bundle
            .entries()
            .iter()
            .find(|e| e["resource"]["resourceType"] == "Patient")
            .map(|e| e["request"].clone())
            .unwrap()
    };
    assert_eq!(patient(&theirs)["method"], "PUT");
    assert!(theirs.one("Patient")["id"].is_string());
    assert_eq!(
        patient(&ours),
        json!({"method": "POST", "url": "Patient", "ifNoneExist": "identifier=test1|PATID1234"})
    );
    assert!(ours.one("Patient").get("id").is_none());
}

#[test]
fn patient_field_by_field() {
    let (ours, theirs) = (ours(), theirs());
    let (p, t) = (ours.one("Patient"), theirs.one("Patient"));

    // Identifiers: same values, types and periods. For the system they make a placeholder URL
    // of the assigning authority's namespace (or of its kind of universal id, which loses which
    // authority it is); we keep the namespace as sent, as the store keys patients on it.
    let id = |list: &Value, value: &str| with(list, "/value", value).clone();
    for (value, our_system) in [
        ("1234567", "test"),    // PID-2
        ("PATID1234", "test1"), // PID-3
        ("123456789", "USSSA"), // PID-3
        ("PATID567", "test2"),  // PID-4
        ("DB123", "t"),         // DB1-3
        ("PNM1234", "PM"),      // IN2-61
    ] {
        let (ours_id, theirs_id) = (id(&p["identifier"], value), id(&t["identifier"], value));
        assert_eq!(
            ours_id["type"], theirs_id["type"],
            "identifier {value} type"
        );
        assert_eq!(
            ours_id["period"], theirs_id["period"],
            "identifier {value} period"
        );
        assert_eq!(
            ours_id["system"], our_system,
            "identifier {value} system (ours)"
        );
        let their_system = theirs_id["system"].as_str().unwrap();
        assert_ne!(their_system, our_system, "identifier {value} system");
    }
    // Their assigner of PATID1234 is an Organization named by the namespace we use as system.
    let assigner = theirs.get(&id(&t["identifier"], "PATID1234")["assigner"]);
    same(
        "identifier PATID1234 authority",
        &json!(our_system_of(&p["identifier"], "PATID1234")),
        &assigner["identifier"][0]["value"],
    );
    // DB1-3's authority is t&1.12&ISO; their system is an OID that is not in the message.
    differs(
        "identifier DB123 system",
        "the namespace of DB1-3.4 as sent; theirs is a fixed OID the message does not hold",
        &id(&p["identifier"], "DB123")["system"],
        json!("t"),
        &id(&t["identifier"], "DB123")["system"],
        json!("urn:oid:1.3.6.1.4.1.44750.1.2.2"),
    );
    // PID-19 is the patient's SSN: type SS, not SB (social beneficiary).
    let ssn = id(&p["identifier"], "PSSN123121234");
    let their_ssn = id(&t["identifier"], "PSSN123121234");
    same(
        "identifier PID-19 system",
        &ssn["system"],
        &their_ssn["system"],
    );
    differs(
        "identifier PID-19 type",
        "PID-19 is the SSN (SS); theirs types it SB, social beneficiary",
        &ssn["type"]["coding"][0]["code"],
        json!("SS"),
        &their_ssn["type"]["coding"][0]["code"],
        json!("SB"),
    );
    // PID-20, the driver's licence: same value, type code and expiry.
    let licence = id(&p["identifier"], "DLN-123");
    let their_licence = id(&t["identifier"], "DLN-123");
    same(
        "identifier PID-20 type code",
        &licence["type"]["coding"][0]["code"],
        &their_licence["type"]["coding"][0]["code"],
    );
    same(
        "identifier PID-20 period",
        &licence["period"],
        &their_licence["period"],
    );
    differs(
        "identifier PID-20 system",
        "no URL names US driver's licences; theirs makes one up of the issuing state",
        &licence["system"],
        Value::Null,
        &their_licence["system"],
        json!(format!("{PLACEHOLDER}CodeSystem/US")),
    );
    // IN2-6/8/10 are the insured's Medicare, Medicaid and military numbers; the insured is the
    // spouse (IN1-17 SPO), so they are the subscriber's, not the patient's.
    let subscriber = ours.get(&ours.one("Coverage")["subscriber"]);
    for value in ["Medicare-12345", "MCN-008", "MI-12345"] {
        let (ours_id, theirs_id) = (
            id(&subscriber["identifier"], value),
            id(&t["identifier"], value),
        );
        same(
            &format!("identifier {value} (on our subscriber) but system"),
            &without(&ours_id, &["system"]),
            &without(&theirs_id, &["system"]),
        );
        assert!(
            !has(&p["identifier"], "/value", value),
            "{value} is not the patient's"
        );
    }
    same(
        "identifier Medicare system",
        &id(&subscriber["identifier"], "Medicare-12345")["system"],
        &id(&t["identifier"], "Medicare-12345")["system"],
    );
    for (value, kind) in [("MCN-008", "medicaid"), ("MI-12345", "military")] {
        differs(
            &format!("identifier {value} system"),
            "no URL names these numbers' issuer; theirs makes one up",
            &id(&subscriber["identifier"], value)["system"],
            Value::Null,
            &id(&t["identifier"], value)["system"],
            json!(format!("{PLACEHOLDER}identifier-{kind}")),
        );
    }
    // GT1 (guarantor, self): its number, a second SSN contradicting PID-19 and the employer's
    // number are not taken as the patient's identifiers; no other identifier is left out.
    let guarantor = ["1516", "G-SSN-12", "55121"];
    let insured = ["Medicare-12345", "MCN-008", "MI-12345"];
    let mut expected: Vec<&str> = values(&t["identifier"])
        .into_iter()
        .filter(|v| !guarantor.contains(v) && !insured.contains(v))
        .collect();
    let mut got = values(&p["identifier"]);
    expected.sort_unstable();
    got.sort_unstable();
    assert_eq!(got, expected, "the patient's identifiers");
    assert!(guarantor.iter().all(|v| has(&t["identifier"], "/value", v)));

    // Names. PID-5[1]: the same but for XPN-15, the called-by name, which is a nickname of
    // its own rather than a third given name.
    let name = &p["name"][0];
    let their_name = &t["name"][0];
    same(
        "name[0] but given",
        &without(name, &["given"]),
        &without(their_name, &["given"]),
    );
    differs(
        "name[0].given",
        "XPN-15 (called by) is a nickname, not a given name",
        &name["given"],
        json!(["ADAM", "A"]),
        &their_name["given"],
        json!(["ADAM", "A", "Addsm"]),
    );
    same(
        "name nickname",
        &p["name"][1]["given"][0],
        &their_name["given"][2],
    );
    assert_eq!(p["name"][1]["use"], "nickname");
    same("name PID-5[2]", &p["name"][2], &t["name"][1]);
    same("name PID-9 alias", &p["name"][3], &t["name"][2]);
    // Theirs adds the guarantor's name (GT1-3) and the Medicaid case name (IN2-7).
    assert_eq!(p["name"].as_array().unwrap().len(), 4);
    assert_eq!(t["name"][3]["family"], "RADIANT");
    assert_eq!(t["name"][4]["family"], "Jack");

    same("birthDate", &p["birthDate"], &t["birthDate"]);
    same(
        "_birthDate (birth time)",
        &p["_birthDate"],
        &t["_birthDate"],
    );
    same("gender", &p["gender"], &t["gender"]);

    // Address PID-11: same state, postal code, country, type, district and validity.
    let (address, their_address) = (&p["address"][0], &t["address"][0]);
    same(
        "address[0] but line and city",
        &without(address, &["line", "city"]),
        &without(their_address, &["line", "city"]),
    );
    differs(
        "address[0].city",
        "trimmed",
        &address["city"],
        json!("Ann Arbor"),
        &their_address["city"],
        json!("Ann Arbor "),
    );
    differs(
        "address[0].line",
        "the house number and the street name (SAD.1, SAD.2) are one line; XAD-19 is the \
         addressee, not a line of the address",
        &address["line"],
        json!(["1000 Hospital Lane", "Ste. 123"]),
        &their_address["line"],
        json!(["1000", "Hospital Lane", "Ste. 123", "Near Highway"]),
    );
    // Theirs adds the guarantor's address (GT1-5).
    assert_eq!(p["address"].as_array().unwrap().len(), 1);
    assert_eq!(t["address"][1]["line"][0], "1619 SOUTH UNIVERSITY");

    // Telecom: PID-13, PID-14 and PID-40 alike; theirs adds the guarantor's (GT1-6, GT1-7).
    let their_telecom = t["telecom"].as_array().unwrap();
    same("telecom", &p["telecom"], &json!(their_telecom[..5]));
    assert_eq!(
        values(&json!(their_telecom[5..])),
        ["8484", "717171", "021212"]
    );

    // Language: same codes, displays and text; the versions of PID-15 are those of the
    // sender's table 0296, not of BCP 47, and are not carried over.
    let (language, their_language) = (&p["communication"][0], &t["communication"][0]);
    same(
        "communication.preferred",
        &language["preferred"],
        &their_language["preferred"],
    );
    same(
        "communication.language.text",
        &language["language"]["text"],
        &their_language["language"]["text"],
    );
    same(
        "communication.language.coding (but version)",
        &language["language"]["coding"],
        &unversioned(&their_language["language"]),
    );
    assert_eq!(their_language["language"]["coding"][0]["version"], "v2");

    same("maritalStatus", &p["maritalStatus"], &t["maritalStatus"]);
    same(
        "multipleBirthInteger",
        &p["multipleBirthInteger"],
        &t["multipleBirthInteger"],
    );
    same(
        "deceasedDateTime",
        &p["deceasedDateTime"],
        &t["deceasedDateTime"],
    );
    differs(
        "meta.lastUpdated",
        "PID-33 is when the sender last changed the record; meta.lastUpdated is the receiving \
         server's to set",
        &p["meta"],
        Value::Null,
        &t["meta"]["lastUpdated"],
        json!("2005-01-10T01:50:14+03:15"),
    );

    // General practitioners (PD1-3, PD1-4).
    let (gp, their_gp) = (&p["generalPractitioner"], &t["generalPractitioner"]);
    let (org, their_org) = (ours.get(&gp[0]), theirs.get(&their_gp[0]));
    same(
        "generalPractitioner[0] organization name",
        &org["name"],
        &their_org["name"],
    );
    same(
        "generalPractitioner[0] organization id",
        &org["identifier"][0]["value"],
        &their_org["identifier"][0]["value"],
    );
    let (doctor, their_doctor) = (ours.get(&gp[1]), theirs.get(&their_gp[1]));
    compare_practitioners("generalPractitioner[1]", doctor, their_doctor, "TE");

    // Extensions.
    let extension = |resource: &Value, url: &str| with(&resource["extension"], "/url", url).clone();
    let core = "http://hl7.org/fhir/StructureDefinition/";
    for url in [
        format!("{core}patient-birthPlace"),
        format!("{core}patient-citizenship"),
        format!("{core}patient-nationality"),
        format!("{core}patient-animal"),
        format!("{core}patient-congregation"),
    ] {
        same(&url, &extension(p, &url), &extension(t, &url));
    }
    let citizenships = |resource: &Value| {
        resource["extension"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["url"] == format!("{core}patient-citizenship"))
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(citizenships(p).len(), 2);
    same(
        "citizenships (PID-26, PID-39)",
        &json!(citizenships(p)),
        &json!(citizenships(t)),
    );
    let race = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race";
    let (our_race, their_race) = (extension(p, race), extension(t, race));
    for index in 0..2 {
        same(
            "us-core-race ombCategory",
            &our_race["extension"][index],
            &their_race["extension"][index],
        );
    }
    differs(
        "us-core-race text",
        "the race names, listed",
        &our_race["extension"][2]["valueString"],
        json!("White, Asian"),
        &their_race["extension"][2]["valueString"],
        json!("White+Asian"),
    );
    let ethnicity = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity";
    let (ours_ethnicity, their_ethnicity) = (extension(p, ethnicity), extension(t, ethnicity));
    same(
        "us-core-ethnicity code",
        &ours_ethnicity["extension"][0]["valueCoding"]["code"],
        &their_ethnicity["extension"][0]["valueCoding"]["code"],
    );
    differs(
        "us-core-ethnicity display",
        "the display of CDC code 2186-5",
        &ours_ethnicity["extension"][0]["valueCoding"]["display"],
        json!("Not Hispanic or Latino"),
        &their_ethnicity["extension"][0]["valueCoding"]["display"],
        json!("Non Hispanic or Latino"),
    );
    let maiden = format!("{core}patient-mothersMaidenName");
    differs(
        "mothersMaidenName",
        "the mother's name as a name, not its components joined by --",
        &extension(p, &maiden)["valueString"],
        json!("Angela L SMITH"),
        &extension(t, &maiden)["valueString"],
        json!("SMITH--Angela--L"),
    );
    let religion = format!("{core}patient-religion");
    differs(
        "religion",
        "PID-17 AME, an African Methodist Episcopal church in table 0006, is kept as sent; \
         theirs maps it to v3 1002, African Religions, another religion",
        &extension(p, &religion)["valueCodeableConcept"]["coding"][0]["code"],
        json!("AME"),
        &extension(t, &religion)["valueCodeableConcept"]["coding"][0]["code"],
        json!("1002"),
    );
    // No standard extension holds veteran status (PID-27) or disability (DB1-4..6): theirs
    // uses made-up URLs; the VIP indicator (PV1-16) is our Encounter's special courtesy.
    for url in [
        format!("{PLACEHOLDER}StructureDefinition/VeteranMilitaryStatus"),
        format!("{PLACEHOLDER}StructureDefinition/patient-disabilityIndicator"),
        format!("{PLACEHOLDER}StructureDefinition/DisabilityPeriod"),
    ] {
        assert!(has(&t["extension"], "/url", &url), "{url}");
        assert!(!has(&p["extension"], "/url", &url), "{url}");
    }
    let importance = extension(t, &format!("{core}patient-importance"));
    same(
        "VIP (their patient-importance, our Encounter.hospitalization.specialCourtesy)",
        &ours.one("Encounter")["hospitalization"]["specialCourtesy"][0]["coding"][0]["code"],
        &importance["valueCodeableConcept"]["coding"][0]["code"],
    );
    // Patient.contact: next of kin are RelatedPersons (theirs has NK1 both ways); the
    // guarantor's employer, spouse and contacts (GT1) are not converted.
    assert!(p.get("contact").is_none());
    assert_eq!(t["contact"].as_array().unwrap().len(), 5);
}

/// Whether `display` is all of `names`, each once, joined by ", " in some order.
fn is_join_of(display: &str, mut names: Vec<&str>) -> bool {
    let mut rest = display;
    // The longest first: a name may begin with another.
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    while !names.is_empty() {
        let Some(index) = names.iter().position(|n| rest.starts_with(n)) else {
            return false;
        };
        rest = &rest[names.remove(index).len()..];
        if !names.is_empty() {
            let Some(after) = rest.strip_prefix(", ") else {
                return false;
            };
            rest = after;
        }
    }
    rest.is_empty()
}

/// Our system of the identifier `value`.
fn our_system_of(identifiers: &Value, value: &str) -> String {
    with(identifiers, "/value", value)["system"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Compares two Practitioners: same names and identifier value and type; the system is the
/// authority's namespace as sent (`our_system`) where theirs is a placeholder.
fn compare_practitioners(what: &str, ours: &Value, theirs: &Value, our_system: &str) {
    if theirs.get("name").is_some() {
        same(&format!("{what} name"), &ours["name"], &theirs["name"]);
    } else {
        assert!(ours.get("name").is_none(), "{what}: no name either");
    }
    let (id, their_id) = (&ours["identifier"][0], &theirs["identifier"][0]);
    same(
        &format!("{what} identifier value"),
        &id["value"],
        &their_id["value"],
    );
    if their_id.get("type").is_some() {
        same(
            &format!("{what} identifier type"),
            &id["type"],
            &their_id["type"],
        );
    }
    assert_eq!(id["system"], our_system, "{what} identifier system (ours)");
    assert_ne!(id["system"], their_id["system"], "{what} identifier system");
}

#[test]
fn encounter_field_by_field() {
    let (ours, theirs) = (ours(), theirs());
    let (e, t) = (ours.one("Encounter"), theirs.one("Encounter"));
    same("class", &e["class"], &t["class"]);
    same("status", &e["status"], &t["status"]);
    same("type", &e["type"], &t["type"]);
    same("period", &e["period"], &t["period"]);
    assert_eq!(ours.get(&e["subject"])["resourceType"], "Patient");
    assert_eq!(theirs.get(&t["subject"])["resourceType"], "Patient");

    // Identifiers: PV1-19 and PV1-50, same values.
    same(
        "identifier values",
        &json!(values(&e["identifier"])),
        &json!(values(&t["identifier"])),
    );
    let (visit, their_visit) = (&e["identifier"][0], &t["identifier"][0]);
    same(
        "visit number type code",
        &visit["type"]["coding"][0]["code"],
        &their_visit["type"]["coding"][0]["code"],
    );
    differs(
        "visit number system",
        "the namespace of PV1-19.4 as sent, theirs a placeholder of its kind (HCD)",
        &visit["system"],
        json!("AccMng"),
        &their_visit["system"],
        json!(format!(
            "{PLACEHOLDER}assigning-authority-universal-system-HCD"
        )),
    );
    same(
        "PV1-50 type",
        &e["identifier"][1]["type"],
        &t["identifier"][1]["type"],
    );
    differs(
        "PV1-50 system",
        "the namespace of PV1-50.4; theirs is a fixed OID the message does not hold",
        &e["identifier"][1]["system"],
        json!("T123"),
        &t["identifier"][1]["system"],
        json!("urn:oid:1.3.6.1.4.1.44750.1.2.2"),
    );

    // Hospitalization.
    let (h, th) = (&e["hospitalization"], &t["hospitalization"]);
    same(
        "preAdmissionIdentifier but system",
        &without(&h["preAdmissionIdentifier"], &["system"]),
        &without(&th["preAdmissionIdentifier"], &["system", "assigner"]),
    );
    same("reAdmission", &h["reAdmission"], &th["reAdmission"]);
    differs(
        "admitSource",
        "PV1-14 here is free text, not a code of table 0023: it is the concept's text",
        &h["admitSource"],
        json!({"text": "NHS Provider-General (inc.A&E-this Hosp)"}),
        &th["admitSource"],
        json!({"coding": [{"code": "NHS Provider-General (inc.A&E-this Hosp)"}]}),
    );
    same(
        "dischargeDisposition code and display",
        &h["dischargeDisposition"]["coding"][0],
        &without(&th["dischargeDisposition"]["coding"][0], &["system"]),
    );
    assert_eq!(
        th["dischargeDisposition"]["coding"][0]["system"],
        format!("{PLACEHOLDER}CodeSystem/ACR"),
        "theirs makes a system of the sender's coding system name"
    );
    same(
        "dietPreference",
        &h["dietPreference"][0]["coding"],
        &th["dietPreference"][0]["coding"],
    );
    same(
        "destination (their Location's name, our display)",
        &h["destination"]["display"],
        &theirs.get(&th["destination"])["name"],
    );

    // Locations: the same statuses for PV1-3, PV1-6, PV1-43, PV1-42 and PV2-1. Theirs makes a
    // Location resource of each part of each location, chained by partOf; we emit no Location
    // resources and name each location by its parts, with the bed or room as physicalType.
    let ours_locations = e["location"].as_array().unwrap();
    assert_eq!(ours_locations.len(), 5);
    for location in ours_locations {
        let display = location["location"]["display"].as_str().unwrap();
        let matching: Vec<&Value> = t["location"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| display.contains(theirs.get(&l["location"])["name"].as_str().unwrap()))
            .collect();
        assert_eq!(matching.len(), 1, "one of theirs is {display}");
        let their = matching[0];
        same(
            &format!("location {display} status"),
            &location["status"],
            &their["status"],
        );
        // Their Locations of that location (one description) are the parts we name.
        let description = &theirs.get(&their["location"])["description"];
        let names: Vec<&str> = theirs
            .all("Location")
            .into_iter()
            .filter(|l| l["description"] == *description)
            .filter_map(|l| l["name"].as_str())
            .collect();
        assert!(
            is_join_of(display, names.clone()),
            "{display} is made of {names:?}"
        );
    }

    // Participants: the same doctors in the same roles (PV1-7, 8, 9, 17, 52, PV2-13).
    let roles = |encounter: &Value| -> Vec<String> {
        encounter["participant"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                p["type"][0]["coding"][0]["code"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    same("participant roles", &json!(roles(e)), &json!(roles(t)));
    let systems = [
        "PERSONNELt",
        "TEST",
        "urn:oid:2.8",
        "AccMgr",
        "testing",
        "TE",
    ];
    for (index, our_system) in systems.iter().enumerate() {
        let (p, tp) = (&e["participant"][index], &t["participant"][index]);
        let what = format!("participant {}", roles(e)[index]);
        compare_practitioners(
            &what,
            ours.get(&p["individual"]),
            theirs.get(&tp["individual"]),
            our_system,
        );
        same(
            &format!("{what} type system"),
            &p["type"][0]["coding"][0]["system"],
            &tp["type"][0]["coding"][0]["system"],
        );
    }
    // PV1-9's authority is &2.8&ISO: theirs files the consultant under another OID.
    assert_eq!(
        theirs.get(&t["participant"][2]["individual"])["identifier"][0]["system"],
        "urn:oid:1.3.6.1.4.1.44750.1.2.2"
    );

    // Reasons: PV2-3 as theirs; DG1 (their Encounter.diagnosis, a Condition) is a reasonCode
    // of its own code system, as we emit no Condition.
    same(
        "reasonCode PV2-3 coding",
        &e["reasonCode"][0]["coding"],
        &t["reasonCode"][0]["coding"],
    );
    let condition = theirs.get(&t["diagnosis"][0]["condition"]);
    same(
        "reasonCode DG1 coding",
        &e["reasonCode"][1]["coding"],
        &condition["code"]["coding"],
    );

    differs(
        "length",
        "UCUM's system has no trailing slash, and the Duration carries the unit's code",
        &e["length"],
        json!({"value": 2, "unit": "days", "system": "http://unitsofmeasure.org", "code": "d"}),
        &t["length"],
        json!({"value": 2, "unit": "d", "system": "http://unitsofmeasure.org/"}),
    );
    differs(
        "serviceType",
        "PV1-10 SUR is table 0069's code, with its system and display",
        &e["serviceType"],
        json!({"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0069", "code": "SUR", "display": "Surgical Service"}]}),
        &t["serviceType"],
        json!({"coding": [{"code": "SUR"}]}),
    );
    same(
        "priority (but version)",
        &e["priority"]["coding"],
        &unversioned(&t["priority"]),
    );
    assert_eq!(
        t["priority"]["coding"][0]["version"], "V1.2",
        "the sender's table version"
    );
    same(
        "extension (mode of arrival)",
        &e["extension"],
        &t["extension"],
    );

    // Not converted: the account (PID-18), the episode of care (PV1-54), PV2-12's visit
    // description (their narrative) and PV2-22's confidentiality.
    for member in ["account", "episodeOfCare", "text", "meta"] {
        assert!(t.get(member).is_some(), "theirs has {member}");
        assert!(e.get(member).is_none(), "ours has no {member}");
    }
}

#[test]
fn coverage_and_payer_field_by_field() {
    let (ours, theirs) = (ours(), theirs());
    let (c, t) = (ours.one("Coverage"), theirs.one("Coverage"));
    for member in ["subscriberId", "status", "period", "type", "relationship"] {
        same(member, &c[member], &t[member]);
    }
    assert_eq!(ours.get(&c["beneficiary"])["resourceType"], "Patient");
    for class in ["plan", "group"] {
        same(
            &format!("class {class}"),
            with(&c["class"], "/type/coding/0/code", class),
            with(&t["class"], "/type/coding/0/code", class),
        );
    }
    same(
        "costToBeneficiary valueMoney",
        &c["costToBeneficiary"][0]["valueMoney"],
        &t["costToBeneficiary"][0]["valueMoney"],
    );
    differs(
        "costToBeneficiary type",
        "IN1-37 is the policy deductible; theirs types it by the price type DC (direct unit cost)",
        &c["costToBeneficiary"][0]["type"]["coding"][0]["code"],
        json!("deductible"),
        &t["costToBeneficiary"][0]["type"]["coding"][0]["code"],
        json!("DC"),
    );
    differs(
        "network",
        "the plan's name (IN1-2) is not a provider network",
        &c["network"],
        Value::Null,
        &t["network"],
        json!("Blue Advantage HMO"),
    );
    // Identifiers: the policy number (IN1-36) and the patient's member number (IN2-61); the
    // insured's Medicare and Medicaid numbers are on our subscriber.
    let policy = with(&c["identifier"], "/value", "PN-145");
    let their_policy = with(&t["identifier"], "/value", "PN-145");
    differs(
        "identifier IN1-36",
        "no code system has a policy number type: it is the type's text; theirs uses two \
         example URLs",
        policy,
        json!({"value": "PN-145", "type": {"text": "Policy number"}}),
        &without(their_policy, &["type"]),
        json!({"value": "PN-145", "system": "http://www.examplehealthplan.com/fhir/policyidentifier"}),
    );
    let member = with(&c["identifier"], "/value", "PNM1234");
    let their_member = with(&t["identifier"], "/value", "PNM1234");
    same(
        "identifier IN2-61 but system",
        &without(member, &["system"]),
        &without(their_member, &["system", "assigner"]),
    );
    assert_eq!(member["system"], "PM");
    for value in ["Medicare-12345", "MCN-008"] {
        assert!(has(&t["identifier"], "/value", value));
        assert!(!has(&c["identifier"], "/value", value));
    }

    // The payer.
    let (payer, their_payer) = (ours.get(&c["payor"][0]), theirs.get(&t["payor"][0]));
    for member in ["name", "address", "telecom"] {
        same(
            &format!("payer {member}"),
            &payer[member],
            &their_payer[member],
        );
    }
    same(
        "payer contact name",
        &payer["contact"][0]["name"],
        &their_payer["contact"][0]["name"],
    );
    let their_id = &their_payer["identifier"][0];
    same(
        "payer identifier (IN1-3)",
        with(
            &payer["identifier"],
            "/system",
            their_id["system"].as_str().unwrap(),
        ),
        their_id,
    );
    assert!(has(
        &payer["identifier"],
        "/system",
        "urn:switchboard:payer-id"
    ));

    // The policy holder (IN1-11, the insured's employer): a name, not an Organization.
    let holder = theirs.get(&t["policyHolder"]);
    same(
        "policyHolder name",
        &c["policyHolder"]["display"],
        &holder["name"],
    );
    assert!(c["policyHolder"].get("reference").is_none());

    // The subscriber: the insured (IN1-16..19, 43, 49, IN2).
    let (s, ts) = (ours.get(&c["subscriber"]), theirs.get(&t["subscriber"]));
    assert_eq!(s["resourceType"], "RelatedPerson");
    for member in [
        "relationship",
        "address",
        "name",
        "gender",
        "birthDate",
        "communication",
    ] {
        same(&format!("subscriber {member}"), &s[member], &ts[member]);
    }
    assert_eq!(ours.get(&s["patient"])["resourceType"], "Patient");
    for identifier in ts["identifier"].as_array().unwrap() {
        same(
            "subscriber identifier",
            with(
                &s["identifier"],
                "/value",
                identifier["value"].as_str().unwrap(),
            ),
            identifier,
        );
    }
    differs(
        "subscriber telecom",
        "IN2-63's second repetition holds no number: no ContactPoint",
        &s["telecom"],
        json!([first_of(&ts["telecom"])]),
        &ts["telecom"],
        json!([first_of(&ts["telecom"]), {"system": "phone"}]),
    );
}

/// The first element of a list.
fn first_of(list: &Value) -> Value {
    list[0].clone()
}

#[test]
fn next_of_kin_field_by_field() {
    let (ours, theirs) = (ours(), theirs());
    let ours_kin = ours.all("RelatedPerson");
    let theirs_kin = theirs.all("RelatedPerson");
    let nk1 = |all: &[&Value]| -> Value {
        (*all
            .iter()
            .find(|r| r["name"][0]["family"] == "Evan")
            .unwrap())
        .clone()
    };
    let (k, t) = (nk1(&ours_kin), nk1(&theirs_kin));
    assert_eq!(ours.get(&k["patient"])["resourceType"], "Patient");
    for member in ["period", "gender", "birthDate"] {
        same(member, &k[member], &t[member]);
    }
    same("name NK1-2", &k["name"][0], &t["name"][0]);
    same("race (NK1-35)", &k["extension"], &t["extension"]);
    // NK1-30 to 32 and 41 are the contact person of the associated organization (NK1-13),
    // not this person: theirs adds that person's names, phones and addresses here too.
    assert_eq!(k["name"].as_array().unwrap().len(), 1);
    assert_eq!(t["name"][1]["family"], "Green");

    // Relationship: NK1-3 (EMC, alternate CHD) and NK1-7 (O).
    same(
        "relationship NK1-3 (but version)",
        &k["relationship"][0]["coding"],
        &unversioned(&t["relationship"][0]),
    );
    assert_eq!(
        t["relationship"][0]["coding"][0]["version"], "9.0",
        "the sender's table version"
    );
    same(
        "relationship NK1-7",
        &k["relationship"][1],
        &t["relationship"][1],
    );
    // Theirs adds MTH with PID-21, the mother's identifier, to this NK1, who is not the mother.
    assert_eq!(k["relationship"].as_array().unwrap().len(), 2);
    assert_eq!(t["relationship"][2]["coding"][0]["code"], "MTH");
    assert!(has(&t["identifier"], "/value", "1212121"));

    // Identifiers: NK1-12 and NK1-33 as theirs; NK1-37 is the contact person's SSN.
    same(
        "identifier NK1-33",
        &json!(k["identifier"].as_array().unwrap()[1..]),
        &json!(t["identifier"].as_array().unwrap()[2..4]),
    );
    let employee = &k["identifier"][0];
    let their_employee = with(&t["identifier"], "/value", "12345567");
    same(
        "identifier NK1-12 but system",
        &without(employee, &["system"]),
        &without(their_employee, &["system", "assigner"]),
    );
    assert_eq!(employee["system"], "T1");
    assert_eq!(values(&k["identifier"]), ["12345567", "I-123", "I-222"]);

    // Telecom: NK1-5, NK1-6 and NK1-40 as theirs, in order, without the contact person's.
    let contact_person = ["898989898", "88888888", "444444"];
    let expected: Vec<Value> = t["telecom"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| !contact_person.contains(&c["value"].as_str().unwrap()))
        .cloned()
        .collect();
    same("telecom", &k["telecom"], &json!(expected));

    // Addresses: NK1-4, both repetitions; lines as for the patient.
    for index in 0..2 {
        same(
            &format!("address[{index}] but line"),
            &without(&k["address"][index], &["line"]),
            &without(&t["address"][index], &["line"]),
        );
    }
    differs(
        "address[0].line",
        "house number, street name and dwelling (SAD) are one line",
        &k["address"][0]["line"],
        json!(["2222 HOME STREET", "Highway"]),
        &t["address"][0]["line"],
        json!(["2222", "HOME", "STREET", "Highway"]),
    );
    differs(
        "address[1].line",
        "house number and street name are one line",
        &k["address"][1]["line"],
        json!(["111 Duck ST"]),
        &t["address"][1]["line"],
        json!(["111", "Duck ST"]),
    );
    assert_eq!(k["address"].as_array().unwrap().len(), 2);

    // Language: the same code; NK1-20 is the primary language, as PID-15, so preferred.
    same(
        "communication language",
        &k["communication"][0]["language"],
        &t["communication"][0]["language"],
    );
    differs(
        "communication.preferred",
        "NK1-20 is the primary language",
        &k["communication"][0]["preferred"],
        json!(true),
        &t["communication"][0]["preferred"],
        Value::Null,
    );

    // Every RelatedPerson of ours is one of theirs: the next of kin and the subscriber.
    assert_eq!(ours_kin.len(), theirs_kin.len());
}

/// Our Bundle of the sample with `edit` applied to it (segments end with CR, as on the wire).
fn ours_edited(edit: impl Fn(String) -> String) -> Value {
    let raw = include_str!("fixtures/hl7v2/adt-a01-fhir-converter.hl7");
    converted_text(&edit(raw.replace('\n', "\r")))
}

/// Our Bundle of the HL7 v2 message `raw`, through the shipped mapping as a channel makes its
/// records.
fn converted_text(raw: &str) -> Value {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mapping = switchboard::mapping::Mapping::load(root, "hl7v2-canonical").expect("mapping");
    let message = switchboard::message::Message::read(raw.as_bytes()).expect("readable");
    let records = mapping.records(&message).expect("records");
    let v2 = message.hl7v2().expect("an HL7 v2 message");
    switchboard::fhir::from_hl7v2::convert(&records, &v2).expect("converted")
}

#[test]
fn explicit_nulls_never_reach_the_fhir_output_as_text() {
    let bundle = ours_edited(|m| {
        m.replace(
            "EVERYMAN&&&&Aniston^ADAM^A^",
            "EVERYMAN&&&&Aniston^ADAM^\"\"^",
        )
        .replace("1000&Hospital Lane^Ste. 123^", "\"\"^\"\"^")
        .replace(
            "|78788788^^CP^5555^^^1111^^^^^2222^20010110^20020110^^^^18~12121212^^CP|",
            "|\"\"|",
        )
        .replace("HUH AE OMU&9.8&ISO^OMU B^Bed 03^", "\"\"^\"\"^\"\"^")
    });
    let text = bundle.to_string();
    assert!(!text.contains(r#""\"\"""#), "a \"\" value in {text}");
    let bundle = Bundle { json: bundle };
    assert_eq!(bundle.one("Patient")["name"][0]["given"], json!(["ADAM"]));
}

#[test]
fn a_self_pay_in1_is_no_coverage_and_the_insurer_keeps_its_details() {
    let bundle = Bundle {
        json: ours_edited(|m| format!("{}\rIN1|2|SELF|SELFPAY|Self Pay", m.trim_end())),
    };
    let coverage = bundle.one("Coverage");
    // Read from IN1[1] beside the canonical record: the policy holder (IN1-11).
    assert_eq!(
        coverage["policyHolder"]["display"], "Sam P. Hil",
        "{coverage}"
    );
    let payers: Vec<&Value> = bundle
        .all("Organization")
        .into_iter()
        .filter(|o| o.to_string().contains("SELFPAY"))
        .collect();
    assert!(payers.is_empty(), "{payers:?}");
}

// ---------------------------------------------------------------------------------------------
// Clinical messages

/// Our Bundle of the public sample `name` (a path in `fixtures/`, segments ended with CR as on
/// the wire), every resource checked against the R4 model.
fn sample(name: &str) -> Bundle {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let raw = std::fs::read_to_string(&path).expect("the fixture");
    let json = converted_text(&raw.replace('\n', "\r"));
    let bundle = Bundle { json };
    for entry in bundle.entries() {
        assert_eq!(validate_emitted(&entry["resource"]), Ok(()), "{entry}");
    }
    bundle
}

impl Bundle {
    /// The request of the only entry of `kind`.
    fn request(&self, kind: &str) -> &Value {
        let found: Vec<&Value> = self
            .entries()
            .iter()
            .filter(|e| e["resource"]["resourceType"] == kind)
            .map(|e| &e["request"])
            .collect();
        assert_eq!(found.len(), 1, "one {kind}");
        found[0]
    }

    /// The fullUrl of the only entry of `kind`.
    fn url(&self, kind: &str) -> Value {
        let one = self.one(kind);
        self.entries()
            .iter()
            .find(|e| &e["resource"] == one)
            .map(|e| e["fullUrl"].clone())
            .expect("an entry")
    }

    /// The requests of the entries of the clinical resources, in order.
    fn clinical_requests(&self) -> Vec<Value> {
        let parties = [
            "Patient",
            "Encounter",
            "Practitioner",
            "Organization",
            "RelatedPerson",
        ];
        self.entries()
            .iter()
            .filter(|e| !parties.contains(&e["resource"]["resourceType"].as_str().unwrap_or("")))
            .map(|e| e["request"].clone())
            .collect()
    }
}

#[test]
fn an_appointment_is_booked_cancelled_and_missed_as_one_resource() {
    let booked = sample("corpus/hl7v2/siu-s12-v28.hl7");
    let a = booked.one("Appointment");
    assert_eq!(a["status"], "booked");
    // TQ1-7/8 (SCH-11, which TQ1 replaces, says 2020: an older plan).
    assert_eq!(a["start"], "2021-09-24T09:30:00+02:15");
    assert_eq!(a["end"], "2021-09-24T10:20:00+02:15");
    assert_eq!(values(&a["identifier"]), ["36996", "12345"]);
    assert_eq!(a["identifier"][0]["type"]["coding"][0]["code"], "FILL");
    assert_eq!(a["identifier"][1]["type"]["coding"][0]["code"], "PLAC");
    assert_eq!(
        a["serviceType"][0]["coding"][0],
        json!({"system": "http://snomed.info/sct", "code": "76164006", "display": "Biopsy of colon (procedure)"})
    );
    assert_eq!(
        a["appointmentType"]["coding"][0],
        json!({"system": "http://terminology.hl7.org/CodeSystem/v2-0276", "code": "EMERGENCY", "display": "Emergency appointment"})
    );
    assert_eq!(a["reasonCode"][0]["coding"][0]["code"], "Add");
    assert_eq!(a["comment"], "Appointment booked for emergency procedure");
    let participants = a["participant"].as_array().unwrap();
    assert_eq!(participants.len(), 4);
    assert_eq!(participants[0]["actor"]["reference"], booked.url("Patient"));
    let doctor = booked.get(&participants[1]["actor"]);
    assert_eq!(doctor["identifier"][0]["value"], "1210");
    assert_eq!(doctor["name"][0]["family"], "GE");
    assert_eq!(
        participants[1]["type"][0]["coding"][0]["display"],
        "Gastroenterologist"
    );
    assert_eq!(
        participants[2]["actor"],
        json!({"display": "Room01, 055, GH Clinic"})
    );
    assert_eq!(
        participants[3]["actor"],
        json!({"display": "EVIS X12 Video Colonoscope"})
    );
    assert!(participants.iter().all(|p| p["status"] == "accepted"));
    let update = json!({"method": "PUT", "url": "Appointment?identifier=36996"});
    assert_eq!(booked.request("Appointment"), &update);

    // The cancellation and the no-show update the same Appointment.
    for (name, status) in [
        ("hl7v2/siu-s15-fhir-converter.hl7", "cancelled"),
        ("hl7v2/siu-s26-fhir-converter.hl7", "noshow"),
    ] {
        let later = sample(name);
        assert_eq!(later.one("Appointment")["status"], status, "{name}");
        assert_eq!(later.one("Appointment")["start"], a["start"], "{name}");
        assert_eq!(later.request("Appointment"), &update, "{name}");
    }
}

#[test]
fn the_nist_immunizations_become_three_immunizations() {
    let bundle = sample("hl7v2/vxu-v04-nist-fhir-converter.hl7");
    let doses = bundle.all("Immunization");
    assert_eq!(doses.len(), 3);
    let td = doses[0];
    assert_eq!(
        td["vaccineCode"]["coding"][0],
        json!({"system": "http://hl7.org/fhir/sid/ndc", "code": "49281-0215-88", "display": "TENIVAC"})
    );
    assert_eq!(td["status"], "completed");
    assert_eq!(td["occurrenceDateTime"], "2015-06-24");
    assert_eq!(td["primarySource"], true);
    assert_eq!(td["lotNumber"], "315841");
    assert_eq!(td["expirationDate"], "2015-12-16");
    assert_eq!(td["manufacturer"], json!({"display": "Sanofi Pasteur"}));
    assert_eq!(td["location"], json!({"display": "NIST-Clinic-1"}));
    assert_eq!(
        td["doseQuantity"],
        json!({"value": 0.5, "unit": "mL", "system": "http://unitsofmeasure.org", "code": "mL"})
    );
    assert_eq!(td["route"]["coding"][0]["code"], "C28161");
    assert_eq!(
        td["site"]["coding"][0],
        json!({"system": "http://terminology.hl7.org/CodeSystem/v2-0163", "code": "RD", "display": "Right Deltoid"})
    );
    assert_eq!(td["fundingSource"]["coding"][0]["code"], "PHC70");
    assert_eq!(
        td["programEligibility"][0]["coding"][0],
        json!({"system": "http://terminology.hl7.org/CodeSystem/v2-0064", "code": "V01", "display": "Not VFC Eligible"})
    );
    assert_eq!(
        td["education"],
        json!([{"documentType": "Tetanus/Diphtheria (Td) Vaccine VIS", "presentationDate": "2015-06-24"}])
    );
    let performers: Vec<(&Value, &Value)> = td["performer"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let actor = bundle.get(&p["actor"]);
            (
                &p["function"]["coding"][0]["code"],
                &actor["identifier"][0]["value"],
            )
        })
        .collect();
    assert_eq!(
        performers,
        [
            (&json!("AP"), &json!("7824")),
            (&json!("OP"), &json!("654"))
        ]
    );
    assert_eq!(td["patient"]["reference"], bundle.url("Patient"));
    assert_eq!(td["identifier"][0]["value"], "13696");
    // Two historical doses: CVX 88, not recorded where given, amount unknown (999).
    for (dose, when, id) in [
        (doses[1], "2014-10-12", "38760"),
        (doses[2], "2013-11-12", "35508"),
    ] {
        assert_eq!(
            dose["vaccineCode"]["coding"][0],
            json!({"system": "http://hl7.org/fhir/sid/cvx", "code": "88", "display": "influenza, unspecified formulation"})
        );
        assert_eq!(dose["occurrenceDateTime"], when);
        assert_eq!(dose["primarySource"], false);
        assert!(dose.get("doseQuantity").is_none());
        assert_eq!(dose["identifier"][0]["value"], id);
    }
    let urls: Vec<Value> = bundle.clinical_requests();
    assert_eq!(
        urls,
        ["13696", "38760", "35508"]
            .map(|id| json!({"method": "PUT", "url": format!("Immunization?identifier={id}")}))
    );
}

#[test]
fn the_busy_immunization_refers_to_its_visit_and_names_its_order_by_oid() {
    let bundle = sample("corpus/hl7v2/vxu-v04-bom-lf.hl7");
    let dose = bundle.one("Immunization");
    assert_eq!(dose["encounter"]["reference"], bundle.url("Encounter"));
    assert_eq!(dose["occurrenceDateTime"], "2021-08-18");
    assert_eq!(
        bundle.request("Immunization"),
        &json!({"method": "PUT", "url": "Immunization?identifier=urn:oid:2.16.840.1.114222.4.3.3.5.1.2|13696"})
    );
}

#[test]
fn orders_become_service_requests_with_their_allergies() {
    let orm = sample("hl7v2/orm-o01-fhir-converter.hl7");
    let order = orm.one("ServiceRequest");
    assert_eq!(values(&order["identifier"]), ["1101", "1201"]);
    assert_eq!(order["identifier"][0]["assigner"]["display"], "GHHPlacer");
    assert_eq!(order["status"], "active");
    assert_eq!(order["intent"], "order");
    assert_eq!(
        order["code"]["coding"][0],
        json!({"system": "http://loinc.org", "code": "24725-4", "display": "CT Head"})
    );
    assert_eq!(order["authoredOn"], "2021-10-20T11:26:00+02:15");
    // ORC-7's start and end.
    assert_eq!(
        order["occurrencePeriod"],
        json!({"start": "2002-03-15", "end": "2003-03-15"})
    );
    assert_eq!(order["reasonCode"][0]["coding"][0]["code"], "S06.9");
    assert_eq!(
        orm.get(&order["requester"])["identifier"][0]["value"],
        "3850"
    );
    assert_eq!(order["subject"]["reference"], orm.url("Patient"));
    assert_eq!(order["encounter"]["reference"], orm.url("Encounter"));
    assert_eq!(
        orm.request("ServiceRequest"),
        &json!({"method": "PUT", "url": "ServiceRequest?identifier=1101"})
    );
    let allergy = orm.one("AllergyIntolerance");
    assert_eq!(
        allergy["code"]["coding"][0],
        json!({"code": "P", "display": "PENICILLIN"})
    );
    assert_eq!(allergy["category"], json!(["environment"]));
    assert_eq!(allergy["type"], "allergy");
    assert_eq!(allergy["criticality"], "low");
    assert_eq!(
        allergy["reaction"],
        json!([{"manifestation": [{"text": "CODE16"}], "severity": "mild"}])
    );
    assert_eq!(allergy["onsetDateTime"], "2021-08-24");
    assert_eq!(
        orm.request("AllergyIntolerance"),
        &json!({"method": "PUT", "url": "AllergyIntolerance?identifier=urn:switchboard:hl7v2-allergy|test1/PATID1234/P"})
    );

    let oml = sample("hl7v2/oml-o21-fhir-converter.hl7");
    let order = oml.one("ServiceRequest");
    assert_eq!(order["code"]["coding"][0]["code"], "57698-3");
    // No TQ1-7 nor ORC-7: the OBR's time.
    assert_eq!(order["occurrenceDateTime"], "2021-10-20T12:00:00+02:15");
    assert_eq!(order["priority"], "routine");
    assert_eq!(order["note"], json!([{"text": "Urgent"}]));
    assert_eq!(order["reasonCode"][0]["coding"][0]["code"], "E10.9");
    assert_eq!(oml.one("AllergyIntolerance")["category"], json!(["food"]));
    // The prior results sent with the order are not converted.
    assert!(oml.all("Observation").is_empty());
    assert!(oml.all("Specimen").is_empty());
}

#[test]
fn a_pharmacy_order_becomes_a_medication_request() {
    let bundle = sample("hl7v2/rde-o11-fhir-converter.hl7");
    let request = bundle.one("MedicationRequest");
    assert_eq!(
        request["medicationCodeableConcept"]["coding"][0],
        json!({"system": "http://hl7.org/fhir/sid/ndc", "code": "0143963401", "display": "200 ML BAG : NICARDIPINE IN NACL (ISO-OS) 40 MG/200 ML IV PGBK"})
    );
    assert_eq!(request["status"], "active");
    assert_eq!(request["intent"], "order");
    assert_eq!(request["authoredOn"], "2019-11-04T06:27:26+02:15");
    let dosage = &request["dosageInstruction"][0];
    assert!(
        dosage["text"]
            .as_str()
            .unwrap()
            .starts_with("Titrate to BP less than 180\nStarting dose is 5 mg/hr.")
    );
    // The RXR after the RXE, not the one of the RXO before it.
    assert_eq!(
        dosage["route"]["coding"][0],
        json!({"code": "IV", "display": "Intravenous"})
    );
    assert_eq!(dosage["site"]["coding"][0]["code"], "HAND");
    assert_eq!(
        dosage["doseAndRate"][0]["doseQuantity"],
        json!({"value": 5, "unit": "mg/hr"})
    );
    assert_eq!(request["dispenseRequest"]["numberOfRepeatsAllowed"], 12);
    assert_eq!(request["encounter"]["reference"], bundle.url("Encounter"));
    assert_eq!(
        bundle.request("MedicationRequest"),
        &json!({"method": "PUT", "url": "MedicationRequest?identifier=1163422591"})
    );
}

#[test]
fn a_document_becomes_a_document_reference_with_its_text() {
    use base64::Engine;
    let bundle = sample("hl7v2/mdm-t02-fhir-converter.hl7");
    let document = bundle.one("DocumentReference");
    assert_eq!(
        document["masterIdentifier"]["value"],
        "1.2.840.317.5947431.51.20080131160038"
    );
    assert_eq!(document["status"], "current");
    assert_eq!(document["docStatus"], "final");
    assert_eq!(
        document["type"]["coding"][0],
        json!({"system": "http://terminology.hl7.org/CodeSystem/v2-0270", "code": "DI", "display": "Diagnostic imaging"})
    );
    assert_eq!(document["date"], "2008-01-31T16:00:00+02:15");
    assert_eq!(
        bundle.get(&document["author"][0])["identifier"][0]["value"],
        "IvanDoctorovich"
    );
    assert_eq!(
        document["context"]["encounter"][0]["reference"],
        bundle.url("Encounter")
    );
    let attachment = &document["content"][0]["attachment"];
    assert_eq!(attachment["contentType"], "text/plain; charset=utf-8");
    let text = base64::engine::general_purpose::STANDARD
        .decode(attachment["data"].as_str().unwrap())
        .unwrap();
    assert_eq!(
        String::from_utf8(text).unwrap(),
        "Toilet cylinder crackers model step-mother visor opening communication\n\
         Columnist draft inn brown income ikebana circulation prince"
    );
}

#[test]
fn a_result_names_its_specimen_and_converts_to_the_same_requests_twice() {
    let bundle = sample("hl7v2/oru-r01-fhir-converter.hl7");
    let specimen = bundle.one("Specimen");
    assert_eq!(values(&specimen["identifier"]), ["2012999999", "2012545"]);
    assert_eq!(
        specimen["identifier"][0]["system"],
        "urn:oid:2.16.840.1.114222.4.3.3.5.1.2"
    );
    assert_eq!(
        specimen["type"]["coding"][0],
        json!({"code": "ASERU", "display": "Serum"})
    );
    assert_eq!(
        specimen["collection"]["collectedPeriod"],
        json!({"start": "2011-01-03T14:34:28-08:00", "end": "2011-11-03T14:34:28-08:00"})
    );
    assert_eq!(
        specimen["collection"]["quantity"],
        json!({"value": 40, "unit": "lbs"})
    );
    assert_eq!(specimen["receivedTime"], "2012-03-01");
    assert_eq!(specimen["subject"]["reference"], bundle.url("Patient"));
    let url = bundle.url("Specimen");
    let report = bundle.one("DiagnosticReport");
    assert_eq!(report["specimen"][0]["reference"], url);
    for observation in bundle.all("Observation") {
        assert_eq!(observation["specimen"]["reference"], url);
    }
    let oid = "urn:oid:2.16.840.1.114222.4.3.3.5.1.2";
    let expected: Vec<Value> = [
        format!("Observation?identifier={oid}|986/1"),
        format!("Specimen?identifier={oid}|2012999999"),
        format!("Observation?identifier={oid}|986/2"),
        format!("Observation?identifier={oid}|986/3"),
        format!("DiagnosticReport?identifier={oid}|986"),
    ]
    .into_iter()
    .map(|url| json!({"method": "PUT", "url": url}))
    .collect();
    assert_eq!(bundle.clinical_requests(), expected);
    // Converted again: new fullUrls, the same conditional updates.
    let again = sample("hl7v2/oru-r01-fhir-converter.hl7");
    assert_eq!(again.clinical_requests(), expected);
    assert_ne!(again.url("Specimen"), url);
}

#[test]
fn the_admission_allergy_against_fhir_converter() {
    let (ours, theirs) = (ours(), theirs());
    let (a, t) = (
        ours.one("AllergyIntolerance"),
        theirs.one("AllergyIntolerance"),
    );
    for member in ["category", "type", "criticality", "clinicalStatus"] {
        same(member, &a[member], &t[member]);
    }
    same(
        "code but system",
        &without(&a["code"]["coding"][0], &["system"]),
        &without(&t["code"]["coding"][0], &["system"]),
    );
    differs(
        "code system",
        "ICDO names no system of allergens; theirs makes ICD-O (oncology) of it",
        &a["code"]["coding"][0]["system"],
        Value::Null,
        &t["code"]["coding"][0]["system"],
        json!("http://terminology.hl7.org/CodeSystem/icd-o"),
    );
    same(
        "reaction manifestation",
        &a["reaction"][0]["manifestation"],
        &t["reaction"][0]["manifestation"],
    );
    // AL1-6 is when the allergy was identified: the allergy's onset, where theirs makes it the
    // onset of the reaction.
    same(
        "AL1-6 (our onsetDateTime, their reaction onset)",
        &a["onsetDateTime"],
        &t["reaction"][0]["onset"],
    );
    assert!(a["reaction"][0].get("onset").is_none());
    assert!(t.get("onsetDateTime").is_none());
    differs(
        "reaction severity",
        "AL1-4 MI (mild) is the reaction's severity as well as the criticality",
        &a["reaction"][0]["severity"],
        json!("mild"),
        &t["reaction"][0]["severity"],
        Value::Null,
    );
    assert_eq!(a["patient"]["reference"], ours.url("Patient"));
    assert_eq!(a["encounter"]["reference"], ours.url("Encounter"));
}

#[test]
fn a_problem_added_becomes_a_condition() {
    let bundle = sample("corpus/hl7v2/ppr-pc1-v231-bom.hl7");
    let condition = bundle.one("Condition");
    assert_eq!(
        condition["code"]["coding"][0],
        json!({"code": "596.5", "display": "BLADDER DYSFUNCTION"})
    );
    assert_eq!(condition["identifier"], json!([{"value": "26744"}]));
    // PRB-14 ACTIVE.
    assert_eq!(condition["clinicalStatus"]["coding"][0]["code"], "active");
    assert_eq!(condition["recordedDate"], "2004-06-29");
    assert_eq!(condition["onsetDateTime"], "2004-06-29");
    assert_eq!(condition["subject"]["reference"], bundle.url("Patient"));
    assert_eq!(
        bundle.request("Condition"),
        &json!({"method": "PUT", "url": "Condition?identifier=26744"})
    );
}
