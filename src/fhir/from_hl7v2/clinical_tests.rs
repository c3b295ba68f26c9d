//! Tests of the clinical conversions on messages written here: problems, the times of
//! appointments, encapsulated documents, refused immunizations, pharmacy orders, and the errors
//! that name the segment and field of malformed input.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::tests::{assert_refused, convert_damaged, parsed, records, resources, segment};
use super::{MESSAGE_SYSTEM, convert};
use crate::fhir::validate::validate_emitted;

/// A message of `kind` (`VXU^V04`) with control id C1, time `sent` and a patient, then
/// `segments`.
fn message(kind: &str, sent: &str, segments: &[String]) -> String {
    let mut text = format!("MSH|^~\\&|EHR|HOSP|SB|SB|{sent}||{kind}|C1|P|2.5.1\r");
    text.push_str(&segment(
        "PID",
        &[(1, "1"), (3, "M1^^^HOSP^MR"), (5, "Doe^Jane")],
    ));
    for segment in segments {
        text.push_str(segment);
    }
    text
}

/// The Bundle of `text`, every resource checked against the R4 model.
fn bundle_of(text: &str) -> Value {
    let bundle = convert(&records(), &parsed(text.as_bytes())).unwrap();
    for entry in bundle["entry"].as_array().unwrap() {
        assert_eq!(validate_emitted(&entry["resource"]), Ok(()), "{entry}");
    }
    bundle
}

/// The request of the only entry of `kind`.
fn request_of<'a>(bundle: &'a Value, kind: &str) -> &'a Value {
    let found: Vec<&Value> = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["resource"]["resourceType"] == kind)
        .collect();
    assert_eq!(found.len(), 1, "one {kind}");
    &found[0]["request"]
}

fn problem(fields: &[(usize, &str)]) -> String {
    segment("PRB", fields)
}

fn problems() -> String {
    message(
        "PPR^PC1^PPR_PC1",
        "20261125",
        &[
            segment("PV1", &[(1, "1"), (2, "O"), (19, "V1")]),
            problem(&[
                (1, "AD"),
                (2, "20261125"),
                (3, "I10^Essential hypertension^I10"),
                (4, "P-77^EHR"),
                (7, "20261101"),
                (13, "confirmed"),
                (16, "20200115"),
            ]),
            problem(&[
                (1, "AD"),
                (3, "J45.909^Asthma^I10"),
                (4, "P-78^EHR"),
                (9, "20250301"),
            ]),
        ],
    )
}

#[test]
fn problems_become_conditions_of_the_patient_and_visit() {
    let bundle = bundle_of(&problems());
    let entries = bundle["entry"].as_array().unwrap();
    let url_of = |kind: &str| {
        entries
            .iter()
            .find(|e| e["resource"]["resourceType"] == kind)
            .map(|e| e["fullUrl"].clone())
            .unwrap()
    };
    let conditions = resources(&bundle, "Condition");
    assert_eq!(conditions.len(), 2);
    let hypertension = conditions[0];
    assert_eq!(
        hypertension["code"]["coding"][0],
        json!({"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "I10", "display": "Essential hypertension"})
    );
    assert_eq!(
        hypertension["identifier"],
        json!([{"value": "P-77", "assigner": {"display": "EHR"}}])
    );
    assert_eq!(
        hypertension["clinicalStatus"]["coding"][0]["code"],
        "active"
    );
    assert_eq!(
        hypertension["verificationStatus"]["coding"][0]["code"],
        "confirmed"
    );
    assert_eq!(
        hypertension["category"][0]["coding"][0]["code"],
        "problem-list-item"
    );
    assert_eq!(hypertension["onsetDateTime"], "2020-01-15");
    assert_eq!(hypertension["recordedDate"], "2026-11-01");
    assert_eq!(hypertension["subject"]["reference"], url_of("Patient"));
    assert_eq!(hypertension["encounter"]["reference"], url_of("Encounter"));
    let asthma = conditions[1];
    assert_eq!(asthma["clinicalStatus"]["coding"][0]["code"], "resolved");
    assert_eq!(asthma["abatementDateTime"], "2025-03-01");
    assert!(asthma.get("verificationStatus").is_none());
    let urls: Vec<&Value> = entries
        .iter()
        .filter(|e| e["resource"]["resourceType"] == "Condition")
        .map(|e| &e["request"])
        .collect();
    assert_eq!(
        urls,
        [
            &json!({"method": "PUT", "url": "Condition?identifier=P-77"}),
            &json!({"method": "PUT", "url": "Condition?identifier=P-78"}),
        ]
    );
    // A deleted problem: entered in error.
    let deleted = problems()
        .replace("PPR^PC1^PPR_PC1", "PPR^PC3^PPR_PC3")
        .replace("PRB|AD|20261125", "PRB|DE|20261125");
    let bundle = bundle_of(&deleted);
    assert_eq!(
        resources(&bundle, "Condition")[0]["verificationStatus"]["coding"][0]["code"],
        "entered-in-error"
    );
}

fn appointment(sch: &[(usize, &str)], rest: &[String]) -> String {
    let mut segments = vec![segment("SCH", sch)];
    segments.extend_from_slice(rest);
    message("SIU^S12^SIU_S12", "20261120093000-0500", &segments)
}

#[test]
fn appointment_times_come_from_tq1_sch_11_or_ais_with_the_zone_of_msh_7() {
    let start_end = |text: &str| {
        let bundle = bundle_of(text);
        let appointment = resources(&bundle, "Appointment")[0].clone();
        (appointment["start"].clone(), appointment["end"].clone())
    };
    // SCH-11 without a zone: MSH-7's.
    let sch_11 = appointment(
        &[(1, "A1"), (2, "F1"), (11, "^^^202611251000^202611251030")],
        &[],
    );
    assert_eq!(
        start_end(&sch_11),
        (
            json!("2026-11-25T10:00:00-05:00"),
            json!("2026-11-25T10:30:00-05:00")
        )
    );
    // TQ1 comes first.
    let tq1 = appointment(
        &[(1, "A1"), (2, "F1"), (11, "^^^202611251000^202611251030")],
        &[segment(
            "TQ1",
            &[
                (1, "1"),
                (7, "20261126080000+0100"),
                (8, "20261126090000+0100"),
            ],
        )],
    );
    assert_eq!(
        start_end(&tq1),
        (
            json!("2026-11-26T08:00:00+01:00"),
            json!("2026-11-26T09:00:00+01:00")
        )
    );
    // AIS-4 and its duration, in hours.
    let ais = appointment(
        &[(1, "A1"), (2, "F1")],
        &[segment(
            "AIS",
            &[
                (1, "1"),
                (3, "99213^Office visit^C4"),
                (4, "20261125233000-0500"),
                (7, "1.5"),
                (8, "h^hours"),
            ],
        )],
    );
    assert_eq!(
        start_end(&ais),
        (
            json!("2026-11-25T23:30:00-05:00"),
            json!("2026-11-26T01:00:00-05:00")
        )
    );
    let bundle = bundle_of(&ais);
    assert_eq!(
        request_of(&bundle, "Appointment"),
        &json!({"method": "PUT", "url": "Appointment?identifier=F1"})
    );
    // Rescheduled and modified appointments stay booked; a no-show is one.
    for (trigger, status) in [("S13", "booked"), ("S14", "booked"), ("S26", "noshow")] {
        let later = ais.replace("SIU^S12^SIU_S12", &format!("SIU^{trigger}^SIU_{trigger}"));
        let bundle = bundle_of(&later);
        assert_eq!(
            resources(&bundle, "Appointment")[0]["status"],
            status,
            "{trigger}"
        );
    }
    // A cancellation may come without its time.
    let cancelled =
        appointment(&[(1, "A1"), (2, "F1")], &[]).replace("SIU^S12^SIU_S12", "SIU^S15^SIU_S15");
    let bundle = bundle_of(&cancelled);
    let appointment = resources(&bundle, "Appointment")[0];
    assert_eq!(appointment["status"], "cancelled");
    assert!(appointment.get("start").is_none());
}

fn document(value_type: &str, value: &str) -> String {
    message(
        "MDM^T02^MDM_T02",
        "20261125",
        &[
            segment(
                "TXA",
                &[
                    (1, "1"),
                    (2, "CN"),
                    (12, "DOC-9^EHR"),
                    (17, "IP"),
                    (19, "AV"),
                ],
            ),
            segment(
                "OBX",
                &[
                    (1, "1"),
                    (2, value_type),
                    (3, "18842-5^Note^LN"),
                    (5, value),
                    (11, "F"),
                ],
            ),
        ],
    )
}

#[test]
fn encapsulated_documents_become_base64_attachments_of_their_type() {
    let pdf = b"%PDF-1.4 tiny";
    for (value, data) in [
        (
            format!("EHR^application^pdf^Base64^{}", STANDARD.encode(pdf)),
            pdf.to_vec(),
        ),
        (format!("EHR^AP^PDF^Hex^{}", hex::encode(pdf)), pdf.to_vec()),
    ] {
        let bundle = bundle_of(&document("ED", &value));
        let reference = resources(&bundle, "DocumentReference")[0];
        let attachment = &reference["content"][0]["attachment"];
        assert_eq!(attachment["contentType"], "application/pdf");
        assert_eq!(
            STANDARD
                .decode(attachment["data"].as_str().unwrap())
                .unwrap(),
            data
        );
        assert_eq!(reference["docStatus"], "preliminary");
        assert_eq!(reference["status"], "current");
        assert_eq!(
            reference["type"]["coding"][0],
            json!({"system": "http://terminology.hl7.org/CodeSystem/v2-0270", "code": "CN", "display": "Consultation"})
        );
        assert_eq!(reference["masterIdentifier"]["value"], "DOC-9");
        assert_eq!(
            request_of(&bundle, "DocumentReference"),
            &json!({"method": "PUT", "url": "DocumentReference?identifier=DOC-9"})
        );
    }
    let text = bundle_of(&document("TX", "Line one~Line two"));
    let attachment = &resources(&text, "DocumentReference")[0]["content"][0]["attachment"];
    assert_eq!(attachment["contentType"], "text/plain; charset=utf-8");
    assert_eq!(
        STANDARD
            .decode(attachment["data"].as_str().unwrap())
            .unwrap(),
        b"Line one\nLine two"
    );
}

/// An RDE^O11 with a new order O-1 and an RXE of `rxe`.
fn pharmacy(rxe: &[(usize, &str)]) -> String {
    message(
        "RDE^O11^RDE_O11",
        "20261125",
        &[
            segment("ORC", &[(1, "NW"), (2, "O-1")]),
            segment("RXE", rxe),
        ],
    )
}

fn immunization(rxa: &[(usize, &str)]) -> String {
    message(
        "VXU^V04^VXU_V04",
        "20261125",
        &[
            segment("ORC", &[(1, "RE"), (3, "IZ-1^EHR")]),
            segment("RXA", rxa),
            segment(
                "RXR",
                &[(1, "C28161^Intramuscular^NCIT"), (2, "LA^Left Arm^HL70163")],
            ),
        ],
    )
}

#[test]
fn immunizations_refused_or_deleted_say_so() {
    let given = [
        (1, "0"),
        (2, "1"),
        (3, "20261120"),
        (5, "208^COVID-19^CVX"),
        (6, "0.3"),
        (7, "mL^mL^UCUM"),
    ];
    let bundle = bundle_of(&immunization(&given));
    let dose = resources(&bundle, "Immunization")[0];
    assert_eq!(dose["status"], "completed");
    assert_eq!(
        dose["vaccineCode"]["coding"][0],
        json!({"system": "http://hl7.org/fhir/sid/cvx", "code": "208", "display": "COVID-19"})
    );
    assert_eq!(
        dose["doseQuantity"],
        json!({"value": 0.3, "unit": "mL", "system": "http://unitsofmeasure.org", "code": "mL"})
    );
    assert_eq!(
        dose["site"]["coding"][0]["system"],
        "http://terminology.hl7.org/CodeSystem/v2-0163"
    );
    assert_eq!(
        request_of(&bundle, "Immunization"),
        &json!({"method": "PUT", "url": "Immunization?identifier=IZ-1"})
    );
    let mut refused = given.to_vec();
    refused.extend([(18, "00^Parental decision^NIP002"), (20, "RE")]);
    let bundle = bundle_of(&immunization(&refused));
    let dose = resources(&bundle, "Immunization")[0];
    assert_eq!(dose["status"], "not-done");
    assert_eq!(dose["statusReason"]["coding"][0]["code"], "00");
    let mut deleted = given.to_vec();
    deleted.push((21, "D"));
    let bundle = bundle_of(&immunization(&deleted));
    assert_eq!(
        resources(&bundle, "Immunization")[0]["status"],
        "entered-in-error"
    );
}

#[test]
fn a_pharmacy_order_of_an_orm_becomes_a_medication_request() {
    let orm = message(
        "ORM^O01^ORM_O01",
        "20261125",
        &[
            segment(
                "ORC",
                &[
                    (1, "NW"),
                    (2, "RX-5^EHR"),
                    (9, "20261125083000-0500"),
                    (12, "1234567893^House^Gregory"),
                ],
            ),
            segment(
                "RXO",
                &[
                    (1, "197361^Amlodipine 5 MG Oral Tablet^RXNORM"),
                    (2, "1"),
                    (4, "TAB^tablet"),
                    (7, "^Take one tablet daily"),
                    (11, "30"),
                    (12, "TAB^tablet"),
                    (13, "2"),
                ],
            ),
            segment("RXR", &[(1, "PO^Oral^HL70162")]),
        ],
    );
    let bundle = bundle_of(&orm);
    let request = resources(&bundle, "MedicationRequest")[0];
    assert_eq!(request["status"], "active");
    assert_eq!(request["intent"], "order");
    assert_eq!(
        request["medicationCodeableConcept"]["coding"][0]["code"],
        "197361"
    );
    assert_eq!(request["authoredOn"], "2026-11-25T08:30:00-05:00");
    let dosage = &request["dosageInstruction"][0];
    assert_eq!(dosage["text"], "Take one tablet daily");
    assert_eq!(dosage["route"]["coding"][0]["code"], "PO");
    assert_eq!(
        dosage["doseAndRate"][0]["doseQuantity"],
        json!({"value": 1, "unit": "tablet"})
    );
    assert_eq!(
        request["dispenseRequest"],
        json!({"quantity": {"value": 30, "unit": "tablet"}, "numberOfRepeatsAllowed": 2})
    );
    let requester = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["fullUrl"] == request["requester"]["reference"])
        .unwrap();
    assert_eq!(
        requester["resource"]["identifier"][0]["value"],
        "1234567893"
    );
    assert_eq!(
        request_of(&bundle, "MedicationRequest"),
        &json!({"method": "PUT", "url": "MedicationRequest?identifier=RX-5"})
    );
    assert!(resources(&bundle, "ServiceRequest").is_empty());
    // The same order as an OMP^O09 (pharmacy order) makes the same request.
    let omp = bundle_of(&orm.replace("ORM^O01^ORM_O01", "OMP^O09^OMP_O09"));
    let same = resources(&omp, "MedicationRequest")[0];
    assert_eq!(same["dispenseRequest"], request["dispenseRequest"]);
    assert_eq!(
        request_of(&omp, "MedicationRequest"),
        request_of(&bundle, "MedicationRequest")
    );
}

#[test]
fn resources_without_an_identifier_of_their_own_are_named_by_the_message() {
    let vxu = message(
        "VXU^V04^VXU_V04",
        "20261125",
        &[segment(
            "RXA",
            &[(1, "0"), (2, "1"), (3, "20261120"), (5, "208^COVID-19^CVX")],
        )],
    );
    let bundle = bundle_of(&vxu);
    assert_eq!(
        resources(&bundle, "Immunization")[0]["identifier"],
        json!([{"system": MESSAGE_SYSTEM, "value": "C1/RXA[1]"}])
    );
    let err = convert(&records(), &parsed(vxu.replace("|C1|", "||").as_bytes())).unwrap_err();
    assert!(
        err.0.starts_with("MSH-10 (message control id) is empty"),
        "{err}"
    );
}

#[test]
fn malformed_clinical_segments_are_errors_naming_segment_and_field() {
    let vxu = |rxa: &[(usize, &str)]| immunization(rxa);
    let rxa = [
        (1, "0"),
        (2, "1"),
        (3, "20261120"),
        (5, "208^COVID-19^CVX"),
        (6, "0.3"),
    ];
    fn with(
        base: &[(usize, &'static str)],
        field: usize,
        value: &'static str,
    ) -> Vec<(usize, &'static str)> {
        let mut fields: Vec<(usize, &'static str)> =
            base.iter().filter(|(n, _)| *n != field).copied().collect();
        fields.push((field, value));
        fields
    }
    let al1 = |fields: &[(usize, &str)]| {
        message("ADT^A01^ADT_A01", "20261125", &[segment("AL1", fields)])
    };
    let booked =
        |ais: &[(usize, &str)]| appointment(&[(1, "A1"), (2, "F1")], &[segment("AIS", ais)]);
    let cases = [
        (
            vxu(&with(&rxa, 3, "")),
            "RXA[1]-3 (date/time start of administration) is empty",
        ),
        (
            vxu(&with(&rxa, 3, "2026-11-20")),
            "RXA[1]-3: '2026-11-20' is not an HL7 v2 date/time",
        ),
        (
            vxu(&with(&rxa, 5, "")),
            "RXA[1]-5 (administered code) is empty",
        ),
        (
            vxu(&with(&rxa, 6, "half")),
            "RXA[1]-6: 'half' is not a number",
        ),
        (
            vxu(&with(&rxa, 16, "soon")),
            "RXA[1]-16: 'soon' is not an HL7 v2 date/time",
        ),
        (al1(&[(1, "1"), (2, "DA")]), "AL1[1]-3 (allergen) is empty"),
        (
            al1(&[
                (1, "1"),
                (2, "DA"),
                (3, "70618^Penicillin^RXNORM"),
                (6, "yesterday"),
            ]),
            "AL1[1]-6: 'yesterday' is not an HL7 v2 date/time",
        ),
        (
            problems().replace("I10^Essential hypertension^I10", ""),
            "PRB[1]-3 (problem id) is empty",
        ),
        (
            problems().replace("20200115", "2020-01-15"),
            "PRB[1]-16: '2020-01-15' is not an HL7 v2 date/time",
        ),
        (
            appointment(&[(1, "A1"), (2, "F1")], &[]),
            "the SIU has no start and end with a time zone",
        ),
        (
            booked(&[
                (1, "1"),
                (4, "20261125100000-0500"),
                (7, "2"),
                (8, "fortnight"),
            ]),
            "AIS[1]-8: 'fortnight' is not a unit of duration",
        ),
        (
            booked(&[(1, "1"), (4, "20261125100000-0500"), (7, "long")]),
            "AIS[1]-7: 'long' is not a number",
        ),
        (
            appointment(&[(1, "A1"), (2, "F1"), (11, "^^^2026-11-25")], &[]),
            "SCH-11.4: '2026-11-25' is not an HL7 v2 date/time",
        ),
        (
            document("ED", "EHR^application^pdf^Base64^not*base64"),
            "OBX[1]-5.5: the data is not Base64",
        ),
        (
            document("ED", "EHR^application^pdf^Morse^...---..."),
            "OBX[1]-5.4: 'morse' is not an encoding",
        ),
        (document("NM", "12"), "the MDM has no document content"),
        (
            message(
                "ORM^O01^ORM_O01",
                "20261125",
                &[
                    segment("ORC", &[(1, "NW"), (2, "O-1")]),
                    segment("OBR", &[(1, "1"), (2, "O-1")]),
                ],
            ),
            "OBR[1]-4 (universal service identifier) is empty",
        ),
        (
            pharmacy(&[(2, "197361^Amlodipine^RXNORM"), (3, "five")]),
            "RXE[1]-3: 'five' is not a number",
        ),
        (
            pharmacy(&[(2, "197361^Amlodipine^RXNORM"), (12, "many")]),
            "RXE[1]-12: 'many' is not a number of refills",
        ),
        (pharmacy(&[(3, "1")]), "RXE[1]-2 (give code) is empty"),
        (
            message(
                "ORU^R01^ORU_R01",
                "20261125",
                &[
                    segment("OBR", &[(1, "1"), (3, "F1"), (4, "24323-8^Panel^LN")]),
                    segment("SPM", &[(1, "1"), (2, "S1"), (17, "20261125^2026-11-26")]),
                ],
            ),
            "SPM[1]-17.2: '2026-11-26' is not an HL7 v2 date/time",
        ),
    ];
    assert_refused(&cases, |m| convert(&records(), m));
}

#[test]
fn damaged_clinical_messages_are_converted_or_refused_never_a_panic() {
    let given = [
        (1, "0"),
        (2, "1"),
        (3, "20261120"),
        (5, "208^COVID-19^CVX"),
        (6, "0.3"),
        (7, "mL^mL^UCUM"),
        (15, "L1"),
        (16, "20271231"),
    ];
    let messages = [
        problems(),
        appointment(
            &[(1, "A1"), (2, "F1"), (6, "FU^Follow-up"), (7, "ROUTINE")],
            &[
                segment(
                    "AIS",
                    &[
                        (1, "1"),
                        (3, "99213^Visit^C4"),
                        (4, "20261125100000-0500"),
                        (7, "30"),
                        (8, "min"),
                    ],
                ),
                segment(
                    "AIP",
                    &[(1, "1"), (3, "1234567893^House^Gregory"), (4, "D^Doctor")],
                ),
                segment("AIL", &[(1, "1"), (3, "CLINIC^R1^B1")]),
            ],
        ),
        immunization(&given),
        document("ED", "EHR^application^pdf^Base64^JVBERi0xLjQ="),
        message(
            "RDE^O11^RDE_O11",
            "20261125",
            &[
                segment("ORC", &[(1, "NW"), (2, "O-1"), (12, "1234567893^House")]),
                segment(
                    "RXE",
                    &[
                        (2, "197361^Amlodipine^RXNORM"),
                        (3, "5"),
                        (5, "mg^mg^UCUM"),
                        (10, "30"),
                        (12, "1"),
                    ],
                ),
                segment("RXR", &[(1, "PO^Oral")]),
                segment(
                    "AL1",
                    &[
                        (1, "1"),
                        (2, "DA"),
                        (3, "70618^Penicillin^RXNORM"),
                        (4, "SV"),
                        (5, "Hives~Wheeze"),
                        (6, "20200101"),
                    ],
                ),
            ],
        ),
    ];
    let converted: usize = messages
        .iter()
        .map(|original| {
            convert_damaged(original.as_bytes(), 1, b"|^~&\r-x9", |m| {
                convert(&records(), m)
            })
        })
        .sum();
    assert!(converted > 0);
}
