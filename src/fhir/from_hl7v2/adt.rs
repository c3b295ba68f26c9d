//! What the converter reads from the segments beyond the canonical records: the patient's
//! further identifiers, names, addresses, telecom, language, marital status, birth order and
//! death (PID, PD1, DB1); the visit's participants, locations, admission details and reasons
//! (PV1, PV2, DG1); the insurance's plan, policy, subscriber and payer details (IN1, IN2);
//! and the next of kin (NK1).

use serde_json::{Value, json};

use super::tables::{
    ADMISSION_TYPES, ARRIVAL_MODES, GENDERS, HOSPITAL_SERVICES, MARITAL_STATUSES, PRIORITIES,
    SUBSCRIBER_RELATIONSHIPS, lookup,
};
use super::v2::{
    MEDICARE_SYSTEM, Rep, SSN_SYSTEM, XPN, add_type_displays, addresses, append_identifiers,
    concept, contact_points, contact_role, cx_identifier, day, first, human_name, identifier_query,
    identifier_type, language, location, names, period, plain_identifier, practitioner,
    relationship, reps, table_coding, table_concept, when,
};
use super::{BundleBuilder, UCUM_SYSTEM, coding_of, number};
use crate::hl7v2::{Message, Segment};

const ACT_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
const PARTICIPATION_TYPE: &str = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType";

// ---------------------------------------------------------------------------------------------
// Patient

/// Completes the Patient made of the canonical record with what PID (and DB1, IN1/IN2 when
/// the patient is the insured) says beyond it. The canonical identifiers stay first, as the
/// store and the conditional create key on them.
pub(super) fn enrich_patient(patient: &mut Value, message: &Message<'_>, pid: &Segment<'_>) {
    let mut identifiers: Vec<Value> = patient
        .get("identifier")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for rep in reps(pid, 3) {
        if let (Some(value), Some(valid)) = (rep.get(1), period(day(rep.get(7)), day(rep.get(8)))) {
            for identifier in identifiers
                .iter_mut()
                .filter(|i| i["value"] == value.as_str())
            {
                identifier["period"] = valid.clone();
            }
        }
    }
    let mut extra: Vec<Value> = Vec::new();
    extra.extend(first(pid, 2).and_then(|rep| cx_identifier(&rep)));
    extra.extend(reps(pid, 4).iter().filter_map(cx_identifier));
    extra.extend(plain_identifier(pid, 19, Some(SSN_SYSTEM), "SS"));
    extra.extend(first(pid, 20).and_then(|license| {
        let value = license.get(1)?;
        Some(json!({
            "value": value,
            "type": identifier_type("DL"),
            "period": period(None, day(license.get(3))),
        }))
    }));
    for db1 in message.segments_named("DB1") {
        // DB1-2 PT: the disabled person is the patient.
        if first(&db1, 2).and_then(|r| r.get(1)).as_deref() == Some("PT") {
            extra.extend(reps(&db1, 3).iter().filter_map(cx_identifier));
        }
    }
    for (in1, in2) in insurances(message) {
        if let Some(in2) = &in2 {
            extra.extend(reps(in2, 61).iter().filter_map(cx_identifier));
        }
        if insured_is_patient(&in1) {
            extra.extend(insured_identifiers(&in1, in2.as_ref()));
        }
    }
    append_identifiers(&mut identifiers, extra);
    let mut identifiers = Value::Array(identifiers);
    add_type_displays(&mut identifiers);
    patient["identifier"] = identifiers;

    let mut all_names = names(pid, 5);
    all_names.extend(reps(pid, 9).iter().filter_map(|r| human_name(r, &XPN)));
    if !all_names.is_empty() {
        patient["name"] = json!(all_names);
    }
    let mut telecom = contact_points(pid, 13, Some("home"));
    telecom.extend(contact_points(pid, 14, Some("work")));
    telecom.extend(contact_points(pid, 40, None));
    if !telecom.is_empty() {
        patient["telecom"] = json!(telecom);
    }
    let home = addresses(pid, 11);
    if !home.is_empty() {
        patient["address"] = json!(home);
    }
    if patient.get("birthDate").is_some()
        && let Some(time) = when(first(pid, 7).and_then(|r| r.get(1))).filter(|t| t.len() > 10)
    {
        patient["_birthDate"] = json!({"extension": [{
            "url": "http://hl7.org/fhir/StructureDefinition/patient-birthTime",
            "valueDateTime": time,
        }]});
    }
    if let Some(status) = first(pid, 16).and_then(|r| marital_status(&r)) {
        patient["maritalStatus"] = status;
    }
    if let Some(spoken) = first(pid, 15).and_then(|r| language(&r)) {
        patient["communication"] = json!([{"language": spoken, "preferred": true}]);
    }
    let birth_order = first(pid, 25)
        .and_then(|r| r.get(1))
        .and_then(|n| n.parse::<u32>().ok())
        .filter(|n| *n > 0);
    match (birth_order, yes_no(pid, 24)) {
        (Some(order), _) => patient["multipleBirthInteger"] = json!(order),
        (None, Some(multiple)) => patient["multipleBirthBoolean"] = json!(multiple),
        (None, None) => {}
    }
    match (when(first(pid, 29).and_then(|r| r.get(1))), yes_no(pid, 30)) {
        (Some(time), _) => patient["deceasedDateTime"] = json!(time),
        (None, Some(deceased)) => patient["deceasedBoolean"] = json!(deceased),
        (None, None) => {}
    }
    let extensions = patient_extensions(pid, message.segment("PD1").as_ref());
    if !extensions.is_empty() {
        patient["extension"] = json!(extensions);
    }
}

/// The Patient extensions of PID and PD1: US Core race (PID-10) and ethnicity (PID-22), the
/// core mother's maiden name (PID-6), religion (PID-17), birth place (PID-23), citizenship
/// (PID-26, PID-39), nationality (PID-28), animal (PID-35/36) and congregation (PD1-14).
fn patient_extensions(pid: &Segment<'_>, pd1: Option<&Segment<'_>>) -> Vec<Value> {
    const CORE: &str = "http://hl7.org/fhir/StructureDefinition/";
    let mut found: Vec<Value> = Vec::new();
    found.extend(race(&reps(pid, 10)));
    found.extend(ethnicity(&reps(pid, 22)));
    if let Some(maiden) = first(pid, 6).and_then(|r| {
        let parts: Vec<String> = [r.get(2), r.get(3), r.sub(1, 1)]
            .into_iter()
            .flatten()
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }) {
        found.push(
            json!({"url": format!("{CORE}patient-mothersMaidenName"), "valueString": maiden}),
        );
    }
    if let Some(religion) = first(pid, 17).and_then(|r| {
        let code = r.get(1)?;
        Some(json!({"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/v2-0006",
            "code": code,
            "display": r.get(2),
        }]}))
    }) {
        found.push(
            json!({"url": format!("{CORE}patient-religion"), "valueCodeableConcept": religion}),
        );
    }
    if let Some(place) = first(pid, 23).and_then(|r| r.get(1)) {
        found.push(
            json!({"url": format!("{CORE}patient-birthPlace"), "valueAddress": {"text": place}}),
        );
    }
    let country = |rep: &Rep<'_>| {
        let mut concept = concept(rep)?;
        if rep
            .get(3)
            .is_some_and(|system| system.starts_with("ISO3166"))
            && let Some(coding) = concept.pointer_mut("/coding/0")
        {
            coding["system"] = json!("urn:iso:std:iso:3166");
        }
        Some(json!({"url": "code", "valueCodeableConcept": concept}))
    };
    for field in [26, 39] {
        for rep in reps(pid, field) {
            if let Some(code) = country(&rep) {
                found.push(
                    json!({"url": format!("{CORE}patient-citizenship"), "extension": [code]}),
                );
            }
        }
    }
    if let Some(code) = first(pid, 28).and_then(|r| country(&r)) {
        found.push(json!({"url": format!("{CORE}patient-nationality"), "extension": [code]}));
    }
    let animal: Vec<Value> = [("species", 35), ("breed", 36)]
        .into_iter()
        .filter_map(|(part, field)| {
            let kind = first(pid, field).and_then(|r| concept(&r))?;
            Some(json!({"url": part, "valueCodeableConcept": kind}))
        })
        .collect();
    // The extension needs its species.
    if animal.first().is_some_and(|a| a["url"] == "species") {
        found.push(json!({"url": format!("{CORE}patient-animal"), "extension": animal}));
    }
    if let Some(congregation) = pd1.and_then(|pd1| first(pd1, 14)).and_then(|r| r.get(1)) {
        found.push(
            json!({"url": format!("{CORE}patient-congregation"), "valueString": congregation}),
        );
    }
    found
}

/// OMB race categories (CDC race and ethnicity codes) and their displays.
const OMB_RACES: [(&str, &str); 5] = [
    ("1002-5", "American Indian or Alaska Native"),
    ("2028-9", "Asian"),
    ("2054-5", "Black or African American"),
    ("2076-8", "Native Hawaiian or Other Pacific Islander"),
    ("2106-3", "White"),
];

/// The CDC race and ethnicity code system.
const CDC_RACE: &str = "urn:oid:2.16.840.1.113883.6.238";

/// The US Core race extension of race repetitions (table 0005, CDC codes): OMB categories,
/// other CDC codes as detailed races, and their names as the text.
pub(super) fn race(races: &[Rep<'_>]) -> Option<Value> {
    let mut parts: Vec<Value> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for rep in races {
        let Some(code) = rep.get(1) else { continue };
        if let Some(display) = lookup(&OMB_RACES, &code) {
            parts.push(json!({"url": "ombCategory", "valueCoding": {"system": CDC_RACE, "code": code, "display": display}}));
            names.push(display.to_string());
        } else if is_cdc_code(&code) {
            let display = rep.get(2);
            names.extend(display.clone());
            parts.push(json!({"url": "detailed", "valueCoding": {"system": CDC_RACE, "code": code, "display": display}}));
        }
    }
    if parts.is_empty() {
        return None;
    }
    parts.push(json!({"url": "text", "valueString": names.join(", ")}));
    Some(
        json!({"url": "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race", "extension": parts}),
    )
}

/// The US Core ethnicity extension of PID-22 (table 0189 H/N, or the CDC codes).
fn ethnicity(groups: &[Rep<'_>]) -> Option<Value> {
    let mut parts: Vec<Value> = Vec::new();
    let mut names: Vec<&str> = Vec::new();
    for rep in groups {
        let category = match rep.get(1).as_deref() {
            Some("H" | "2135-2") => ("2135-2", "Hispanic or Latino"),
            Some("N" | "2186-5") => ("2186-5", "Not Hispanic or Latino"),
            _ => continue,
        };
        parts.push(json!({"url": "ombCategory", "valueCoding": {"system": CDC_RACE, "code": category.0, "display": category.1}}));
        names.push(category.1);
    }
    if parts.is_empty() {
        return None;
    }
    parts.push(json!({"url": "text", "valueString": names.join(", ")}));
    Some(
        json!({"url": "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity", "extension": parts}),
    )
}

/// A CDC race and ethnicity code: four digits, a dash and a check digit.
fn is_cdc_code(code: &str) -> bool {
    let bytes = code.as_bytes();
    bytes.len() == 6
        && bytes[4] == b'-'
        && bytes[..4].iter().chain(&bytes[5..]).all(u8::is_ascii_digit)
}

/// A Y/N indicator field as a boolean.
fn yes_no(segment: &Segment<'_>, field: usize) -> Option<bool> {
    match first(segment, field)?.get(1)?.as_str() {
        "Y" => Some(true),
        "N" => Some(false),
        _ => None,
    }
}

/// PID-16 (table 0002) as a v3 MaritalStatus concept; codes without a counterpart keep
/// their v2 coding.
fn marital_status(rep: &Rep<'_>) -> Option<Value> {
    let code = rep.get(1)?;
    Some(
        match MARITAL_STATUSES.iter().find(|(key, ..)| *key == code) {
            Some((_, v3, display)) => json!({"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/v3-MaritalStatus",
                "code": v3,
                "display": display,
            }]}),
            None => json!({"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/v2-0002",
                "code": code,
                "display": rep.get(2),
            }]}),
        },
    )
}

/// The patient's primary care (PD1-3 organizations, PD1-4 practitioners), added to `bundle`;
/// answers their References.
pub(super) fn general_practitioners(
    bundle: &mut BundleBuilder,
    message: &Message<'_>,
) -> Vec<Value> {
    let Some(pd1) = message.segment("PD1") else {
        return Vec::new();
    };
    let mut references = Vec::new();
    for rep in reps(&pd1, 3) {
        let Some(name) = rep.get(1) else { continue };
        // XON: name ^ type ^ id (deprecated) ^ ... ^ authority (6) ^ type (7) ^ ... ^ id (10).
        let id = rep.get(10).or_else(|| rep.get(3));
        let identifier = id.map(|value| {
            let system = super::v2::provider_system(&rep, &value, 6, rep.get(7).as_deref());
            json!({"system": system, "value": value, "type": rep.get(7).map(|c| identifier_type(&c))})
        });
        let query = identifier.as_ref().and_then(identifier_query);
        let organization = json!({
            "resourceType": "Organization",
            "identifier": identifier.map(|i| vec![i]),
            "name": name,
        });
        references.push(bundle.add_shared(organization, query, "PD1-3"));
    }
    for rep in reps(&pd1, 4) {
        if let Some((resource, query)) = practitioner(&rep) {
            references.push(bundle.add_shared(resource, query, "PD1-4"));
        }
    }
    references
}

// ---------------------------------------------------------------------------------------------
// Encounter

/// Completes the Encounter made of the canonical visit with PV1, PV2 and DG1: identifiers,
/// times with their zone, admission type, service, priority, hospitalization details,
/// locations, participants (added to `bundle`), reasons, length of stay and mode of arrival.
/// Answers the query that finds the Encounter again when PV1-19 names its authority.
pub(super) fn enrich_encounter(
    encounter: &mut Value,
    bundle: &mut BundleBuilder,
    message: &Message<'_>,
    pv1: &Segment<'_>,
    visit_number: &str,
    attending: Option<&Value>,
) -> Option<String> {
    let pv2 = message.segment("PV2");
    let mut query = None;
    let mut identifiers = Vec::new();
    match first(pv1, 19).filter(|r| r.get(1).as_deref() == Some(visit_number)) {
        Some(rep) => {
            let system = super::v2::authority(&rep, 4);
            query = system
                .as_ref()
                .map(|system| format!("identifier={system}|{visit_number}"));
            // PV1-19 is the visit number, whatever CX-5 says.
            identifiers.push(json!({
                "value": visit_number,
                "system": system,
                "type": identifier_type("VN"),
            }));
        }
        None => identifiers.push(json!({"value": visit_number})),
    }
    identifiers.extend(reps(pv1, 50).iter().filter_map(cx_identifier));
    let mut identifiers = Value::Array(identifiers);
    add_type_displays(&mut identifiers);
    encounter["identifier"] = identifiers;

    let admitted = when(first(pv1, 44).and_then(|r| r.get(1)));
    let discharged = when(first(pv1, 45).and_then(|r| r.get(1)));
    if admitted.is_some() || discharged.is_some() {
        encounter["period"] = json!({"start": admitted, "end": discharged});
    }
    if let Some(code) = first(pv1, 4).and_then(|r| r.get(1)) {
        encounter["type"] = json!([table_concept(
            "http://terminology.hl7.org/CodeSystem/v2-0007",
            &code,
            &ADMISSION_TYPES
        )]);
    }
    if let Some(code) = first(pv1, 10).and_then(|r| r.get(1)) {
        encounter["serviceType"] = table_concept(
            "http://terminology.hl7.org/CodeSystem/v2-0069",
            &code,
            &HOSPITAL_SERVICES,
        );
    }

    let mut locations: Vec<Value> = Vec::new();
    for (segment, field, status) in [
        (Some(pv1), 3, "active"),
        (Some(pv1), 11, "active"),
        (Some(pv1), 6, "completed"),
        (Some(pv1), 43, "completed"),
        (Some(pv1), 42, "planned"),
        (pv2.as_ref(), 1, "planned"),
    ] {
        if let Some(segment) = segment {
            locations.extend(first(segment, field).and_then(|r| location(&r, status)));
        }
    }
    if !locations.is_empty() {
        encounter["location"] = json!(locations);
    }

    let hospitalization = json!({
        "preAdmissionIdentifier": first(pv1, 5).and_then(|r| cx_identifier(&r)),
        "admitSource": first(pv1, 14).and_then(|r| r.get(1)).map(|source| json!({"text": source})),
        "reAdmission": first(pv1, 13).and_then(|r| r.get(1)).map(|code| table_concept(
            "http://terminology.hl7.org/CodeSystem/v2-0092",
            &code,
            &[("R", "Re-admission")],
        )),
        "dietPreference": reps(pv1, 38).iter().filter_map(concept).collect::<Vec<_>>(),
        "specialCourtesy": reps(pv1, 16).iter().filter_map(courtesy).collect::<Vec<_>>(),
        "destination": first(pv1, 37).and_then(|r| {
            let name = r.sub(1, 2).or_else(|| r.sub(1, 1))?;
            Some(json!({"display": name}))
        }),
        "dischargeDisposition": first(pv1, 36).and_then(|r| concept(&r)),
    });
    encounter["hospitalization"] = hospitalization;

    let mut participants: Vec<Value> = attending
        .map(|individual| participant("ATND", "attender", individual.clone()))
        .into_iter()
        .collect();
    let mut roles: Vec<(&Segment<'_>, usize, &str, &str)> = vec![
        (pv1, 8, "REF", "referrer"),
        (pv1, 9, "CON", "consultant"),
        (pv1, 17, "ADM", "admitter"),
        (pv1, 52, "PART", "Participation"),
    ];
    if let Some(pv2) = &pv2 {
        roles.push((pv2, 13, "REF", "referrer"));
    }
    for (segment, field, code, display) in roles {
        for rep in reps(segment, field) {
            if let Some((resource, query)) = practitioner(&rep) {
                let source = format!("{}-{field}", segment.id());
                let individual = bundle.add_shared(resource, query, &source);
                participants.push(participant(code, display, individual));
            }
        }
    }
    if !participants.is_empty() {
        encounter["participant"] = json!(participants);
    }

    let mut reasons: Vec<Value> = Vec::new();
    if let Some(pv2) = &pv2 {
        reasons.extend(first(pv2, 3).and_then(|r| concept(&r)));
    }
    for dg1 in message.segments_named("DG1") {
        reasons.extend(first(&dg1, 3).and_then(|r| coding_of(r.repetition())));
    }
    if !reasons.is_empty() {
        encounter["reasonCode"] = json!(reasons);
    }
    if let Some(pv2) = &pv2 {
        if let Some(days) = first(pv2, 11)
            .and_then(|r| r.get(1))
            .and_then(|n| number(&n))
        {
            encounter["length"] =
                json!({"value": days, "unit": "days", "system": UCUM_SYSTEM, "code": "d"});
        }
        if let Some(priority) = first(pv2, 25).and_then(|r| priority(&r)) {
            encounter["priority"] = priority;
        }
        if let Some(code) = first(pv2, 38).and_then(|r| r.get(1)) {
            encounter["extension"] = json!([{
                "url": "http://hl7.org/fhir/StructureDefinition/encounter-modeOfArrival",
                "valueCoding": table_coding(
                    "http://terminology.hl7.org/CodeSystem/v2-0430",
                    &code,
                    &ARRIVAL_MODES,
                ),
            }]);
        }
    }
    query
}

/// An Encounter.participant of v3 ParticipationType `code`.
fn participant(code: &str, display: &str, individual: Value) -> Value {
    json!({
        "type": [{"coding": [{"system": PARTICIPATION_TYPE, "code": code, "display": display}]}],
        "individual": individual,
    })
}

/// PV2-25 (table 0217, identifier and alternate) as v3 ActPriority.
fn priority(rep: &Rep<'_>) -> Option<Value> {
    let codings: Vec<Value> = [rep.get(1), rep.get(4)]
        .into_iter()
        .flatten()
        .map(
            |code| match PRIORITIES.iter().find(|(key, ..)| *key == code) {
                Some((_, v3, display)) => json!({
                    "system": "http://terminology.hl7.org/CodeSystem/v3-ActPriority",
                    "code": v3,
                    "display": display,
                }),
                None => json!({"code": code}),
            },
        )
        .collect();
    (!codings.is_empty()).then(|| json!({"coding": codings}))
}

/// PV1-16 (VIP indicator) as a special courtesy: v3 EncounterSpecialCourtesy when it is one.
fn courtesy(rep: &Rep<'_>) -> Option<Value> {
    let code = rep.get(1)?;
    let known = [
        ("EXT", "extended courtesy"),
        ("NRM", "normal courtesy"),
        ("PRF", "professional courtesy"),
        ("STF", "staff"),
        ("VIP", "very important person"),
    ];
    match lookup(&known, &code) {
        Some(display) => Some(json!({
            "coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/v3-EncounterSpecialCourtesy",
                "code": code,
                "display": display,
            }],
            "text": rep.get(2),
        })),
        None => concept(rep),
    }
}

// ---------------------------------------------------------------------------------------------
// Insurance

/// The IN1 segments, each with the IN2 that follows it (before the next IN1).
pub(super) fn insurances<'a>(message: &Message<'a>) -> Vec<(Segment<'a>, Option<Segment<'a>>)> {
    let mut found: Vec<(Segment<'a>, Option<Segment<'a>>)> = Vec::new();
    for segment in message.segments() {
        match segment.id() {
            "IN1" => found.push((segment, None)),
            "IN2" => {
                if let Some(last) = found.last_mut().filter(|(_, in2)| in2.is_none()) {
                    last.1 = Some(segment);
                }
            }
            _ => {}
        }
    }
    found
}

/// Whether IN1-17 says the insured is the patient.
pub(super) fn insured_is_patient(in1: &Segment<'_>) -> bool {
    // SEL (table 0063), or 18 (self) as the shipped mapping reads X12-style codes.
    matches!(
        first(in1, 17).and_then(|r| r.get(1)).as_deref(),
        Some("SEL" | "18")
    )
}

/// The insured person's identifiers: IN1-49 (insured's id), IN2-1 (employee id), IN2-2
/// (SSN), IN2-6 (Medicare), IN2-8 (Medicaid), IN2-10 (military id).
fn insured_identifiers(in1: &Segment<'_>, in2: Option<&Segment<'_>>) -> Vec<Value> {
    let mut found: Vec<Value> = reps(in1, 49).iter().filter_map(cx_identifier).collect();
    if let Some(in2) = in2 {
        found.extend(reps(in2, 1).iter().filter_map(cx_identifier));
        found.extend(plain_identifier(in2, 2, Some(SSN_SYSTEM), "SS"));
        found.extend(plain_identifier(in2, 6, Some(MEDICARE_SYSTEM), "MC"));
        found.extend(plain_identifier(in2, 8, None, "MA"));
        found.extend(plain_identifier(in2, 10, None, "MI"));
    }
    found
}

/// Completes the payer Organization made of the canonical coverage with IN1: the payer's
/// identifier as sent (IN1-3), address (IN1-5), contact (IN1-6) and phone (IN1-7).
pub(super) fn enrich_payer(payer: &mut Value, in1: &Segment<'_>) {
    let mut identifiers: Vec<Value> = payer
        .get("identifier")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    append_identifiers(
        &mut identifiers,
        reps(in1, 3).iter().filter_map(cx_identifier).collect(),
    );
    let mut identifiers = Value::Array(identifiers);
    add_type_displays(&mut identifiers);
    payer["identifier"] = identifiers;
    payer["address"] = json!(addresses(in1, 5));
    // An Organization's telecom has no home use (org-3).
    let telecom: Vec<Value> = contact_points(in1, 7, None)
        .into_iter()
        .map(|mut point| {
            if point["use"] == "home" {
                point["use"] = Value::Null;
            }
            point
        })
        .collect();
    payer["telecom"] = json!(telecom);
    payer["contact"] = json!(
        reps(in1, 6)
            .iter()
            .filter_map(|r| human_name(r, &XPN))
            .map(|name| json!({"name": name}))
            .collect::<Vec<_>>()
    );
}

/// Completes the Coverage made of the canonical coverage with IN1/IN2: the insured's id as
/// subscriberId (IN1-49), the policy number (IN1-36) and the patient's member number (IN2-61)
/// as identifiers, the plan's id and the group's name, the plan type (IN1-15), the policy
/// deductible (IN1-37), the policy holder (IN1-11), and the display of the relationship.
pub(super) fn enrich_coverage(coverage: &mut Value, in1: &Segment<'_>, in2: Option<&Segment<'_>>) {
    if let Some(insured_id) = first(in1, 49).and_then(|r| r.get(1)) {
        coverage["subscriberId"] = json!(insured_id);
    }
    let mut identifiers: Vec<Value> = first(in1, 36)
        .and_then(|r| r.get(1))
        .map(|policy| json!({"value": policy, "type": {"text": "Policy number"}}))
        .into_iter()
        .collect();
    if let Some(in2) = in2 {
        identifiers.extend(reps(in2, 61).iter().filter_map(cx_identifier));
    }
    let mut identifiers = Value::Array(identifiers);
    add_type_displays(&mut identifiers);
    coverage["identifier"] = identifiers;
    for class in coverage
        .get_mut("class")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        match class.pointer("/type/coding/0/code").and_then(Value::as_str) {
            Some("plan") => {
                if let Some(plan) = first(in1, 2) {
                    if let Some(id) = plan.get(1) {
                        class["value"] = json!(id);
                    }
                    if let Some(name) = plan.get(2) {
                        class["name"] = json!(name);
                    }
                }
            }
            Some("group") => {
                if let Some(name) = first(in1, 9).and_then(|r| r.get(1)) {
                    class["name"] = json!(name);
                }
            }
            _ => {}
        }
        if let Some(coding) = class.pointer_mut("/type/coding/0")
            && let Some(code) = coding.get("code").and_then(Value::as_str)
        {
            let display = if code == "plan" { "Plan" } else { "Group" };
            coding["display"] = json!(display);
        }
    }
    if let Some(plan_type) = first(in1, 15) {
        let code = plan_type.get(1);
        let act = code
            .as_deref()
            .filter(|c| matches!(*c, "HMO" | "PPO" | "POS"));
        coverage["type"] = match act {
            Some(code) => {
                json!({"coding": [{"system": ACT_CODE, "code": code, "display": plan_type.get(2)}]})
            }
            None => concept(&plan_type).unwrap_or(Value::Null),
        };
    }
    if let Some(deductible) = first(in1, 37)
        && let Some(amount) = deductible.sub(1, 1).and_then(|n| number(&n))
    {
        let currency = deductible
            .sub(1, 2)
            .filter(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()));
        coverage["costToBeneficiary"] = json!([{
            "type": {"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/coverage-copay-type",
                "code": "deductible",
                "display": "Deductible",
            }]},
            "valueMoney": {"value": amount, "currency": currency},
        }]);
    }
    if let Some(holder) = first(in1, 11).and_then(|r| r.get(1)) {
        coverage["policyHolder"] = json!({"display": holder});
    }
    if let Some(coding) = coverage.pointer_mut("/relationship/coding/0")
        && let Some(display) = coding
            .get("code")
            .and_then(Value::as_str)
            .and_then(|code| lookup(&SUBSCRIBER_RELATIONSHIPS, code))
    {
        coding["display"] = json!(display);
    }
}

/// The subscriber of an insurance whose insured is not the patient, as a RelatedPerson:
/// name (IN1-16), relationship (IN1-17), birth date (IN1-18), address (IN1-19), sex (IN1-43),
/// identifiers, phone (IN2-63) and language (IN2-34); `None` without the insured's name.
pub(super) fn subscriber(
    in1: &Segment<'_>,
    in2: Option<&Segment<'_>>,
    patient: &Value,
) -> Option<Value> {
    let names: Vec<Value> = reps(in1, 16)
        .iter()
        .filter_map(|r| human_name(r, &XPN))
        .collect();
    if names.is_empty() {
        return None;
    }
    let mut identifiers = Value::Array(insured_identifiers(in1, in2));
    add_type_displays(&mut identifiers);
    Some(json!({
        "resourceType": "RelatedPerson",
        "patient": patient,
        "identifier": identifiers,
        "relationship": first(in1, 17).and_then(|r| relationship(&r)).map(|r| vec![r]),
        "name": names,
        "gender": gender(in1, 43),
        "birthDate": day(first(in1, 18).and_then(|r| r.get(1))),
        "address": addresses(in1, 19),
        "telecom": in2.map(|in2| contact_points(in2, 63, Some("home"))),
        "communication": in2
            .and_then(|in2| first(in2, 34))
            .and_then(|r| language(&r))
            .map(|spoken| vec![json!({"language": spoken, "preferred": true})]),
    }))
}

/// An administrative sex field (table 0001) as a FHIR gender.
fn gender(segment: &Segment<'_>, field: usize) -> Option<&'static str> {
    first(segment, field)
        .and_then(|r| r.get(1))
        .and_then(|code| lookup(&GENDERS, &code))
}

// ---------------------------------------------------------------------------------------------
// Next of kin

/// The RelatedPerson of one NK1: identifiers (NK1-12, NK1-33), relationship (NK1-3) and
/// contact role (NK1-7), names (NK1-2), telecom (NK1-5 home, NK1-6 work, NK1-40), addresses
/// (NK1-4), sex (NK1-15), birth date (NK1-16), period (NK1-8/9), language (NK1-20) and race
/// (NK1-35). The
/// contact person fields (NK1-30 to 32, 41) are the associated organization's contact, not
/// this person's, and are not read.
pub(super) fn next_of_kin(nk1: &Segment<'_>, patient: &Value) -> Value {
    let mut identifiers: Vec<Value> = reps(nk1, 12).iter().filter_map(cx_identifier).collect();
    identifiers.extend(reps(nk1, 33).iter().filter_map(cx_identifier));
    let mut identifiers = Value::Array(identifiers);
    add_type_displays(&mut identifiers);
    let mut relationships: Vec<Value> = first(nk1, 3)
        .and_then(|r| relationship(&r))
        .into_iter()
        .collect();
    relationships.extend(
        first(nk1, 7)
            .and_then(|r| r.get(1))
            .map(|code| contact_role(&code)),
    );
    let mut telecom = contact_points(nk1, 5, Some("home"));
    telecom.extend(contact_points(nk1, 6, Some("work")));
    telecom.extend(contact_points(nk1, 40, None));
    json!({
        "resourceType": "RelatedPerson",
        "patient": patient,
        "identifier": identifiers,
        "relationship": relationships,
        "name": reps(nk1, 2).iter().filter_map(|r| human_name(r, &XPN)).collect::<Vec<_>>(),
        "telecom": telecom,
        "address": addresses(nk1, 4),
        "gender": gender(nk1, 15),
        "birthDate": day(first(nk1, 16).and_then(|r| r.get(1))),
        "period": period(day(first(nk1, 8).and_then(|r| r.get(1))), day(first(nk1, 9).and_then(|r| r.get(1)))),
        "communication": first(nk1, 20)
            .and_then(|r| language(&r))
            .map(|spoken| vec![json!({"language": spoken, "preferred": true})]),
        "extension": race(&reps(nk1, 35)).map(|race| vec![race]),
    })
}
