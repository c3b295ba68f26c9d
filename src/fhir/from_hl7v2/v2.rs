//! HL7 v2 data types (CX, XPN, XCN, XAD, XTN, PL, CWE) read into FHIR data types, for the
//! resources the converter builds from segments. Values are trimmed; what a component does
//! not hold is left out, never made up.

use serde_json::{Value, json};

use super::tables::{
    ADDRESS_TYPES, CONTACT_ROLE, CONTACT_ROLES, IDENTIFIER_TYPES, LANGUAGES, NAME_USES,
    RELATIONSHIPS, TELECOM_SYSTEMS, TELECOM_USES, lookup,
};
use super::{UCUM_SYSTEM, V2_0203, coding_of, hl7_date_time};
use crate::fhir::resources::{NPI_SYSTEM, UNKNOWN_SYSTEM};
use crate::hl7v2::{Repetition, Segment};
use crate::mapping::street_line;

/// The US Social Security number system.
pub(super) const SSN_SYSTEM: &str = "http://hl7.org/fhir/sid/us-ssn";
/// The US Medicare number system.
pub(super) const MEDICARE_SYSTEM: &str = "http://hl7.org/fhir/sid/us-medicare";

/// One repetition of a field, read component by component.
#[derive(Clone, Copy)]
pub(super) struct Rep<'a>(Repetition<'a>);

impl Rep<'_> {
    /// Subcomponent `sub` of component `component`, trimmed; `None` when absent, blank or
    /// an explicit null (`""`, which clears a value: it is never a value itself).
    pub(super) fn sub(&self, component: usize, sub: usize) -> Option<String> {
        present(&self.0.component(component)?.subcomponent(sub)?.value())
    }

    /// Component `component` (its first subcomponent), trimmed; `None` when absent or blank.
    pub(super) fn get(&self, component: usize) -> Option<String> {
        self.sub(component, 1)
    }

    /// The repetition itself, for the readers of the parent module.
    pub(super) fn repetition(&self) -> &Repetition<'_> {
        &self.0
    }
}

/// `value` trimmed, when it holds something: `None` when blank or an explicit null (`""`,
/// which clears a value; it is never a value itself).
pub(super) fn present(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty() && value != "\"\"").then(|| value.to_string())
}

/// The repetitions of field `number` of `segment` that hold something.
pub(super) fn reps<'a>(segment: &Segment<'a>, number: usize) -> Vec<Rep<'a>> {
    segment
        .field(number)
        .map(|field| {
            field
                .repetitions()
                .filter(|r| !r.is_empty())
                .map(Rep)
                .collect()
        })
        .unwrap_or_default()
}

/// The first repetition of field `number` of `segment`, when it holds something.
pub(super) fn first<'a>(segment: &Segment<'a>, number: usize) -> Option<Rep<'a>> {
    reps(segment, number).into_iter().next()
}

/// An HL7 v2 date/time as a FHIR dateTime; `None` when blank or not a date/time.
pub(super) fn when(value: Option<String>) -> Option<String> {
    value.and_then(|v| hl7_date_time(&v))
}

/// An HL7 v2 date/time as a FHIR date (its day).
pub(super) fn day(value: Option<String>) -> Option<String> {
    when(value).map(|v| v.chars().take(10).collect())
}

/// A Period of the two dates, when either is known.
pub(super) fn period(start: Option<String>, end: Option<String>) -> Option<Value> {
    (start.is_some() || end.is_some()).then(|| json!({"start": start, "end": end}))
}

/// A coding of `system` for `code`, with the display `table` gives it.
pub(super) fn table_coding(system: &str, code: &str, table: &[(&str, &str)]) -> Value {
    json!({"system": system, "code": code, "display": lookup(table, code)})
}

/// A CodeableConcept with one coding of `system` when `code` is in `table`, else with the
/// code as sent (no system: the sender's table is not known to us).
pub(super) fn table_concept(system: &str, code: &str, table: &[(&str, &str)]) -> Value {
    if lookup(table, code).is_some() {
        json!({"coding": [table_coding(system, code, table)]})
    } else {
        json!({"coding": [{"code": code}]})
    }
}

/// A CodeableConcept of a CWE repetition (see the parent's `coding_of`).
pub(super) fn concept(rep: &Rep<'_>) -> Option<Value> {
    coding_of(rep.repetition())
}

/// A Quantity of `value` in the units of a CWE (code ^ text ^ system): coded in UCUM when the
/// CWE says it is.
pub(super) fn coded_quantity(value: serde_json::Number, units: Option<&Rep<'_>>) -> Value {
    let code = units.and_then(|r| r.get(1));
    let ucum = units
        .and_then(|r| r.get(3))
        .is_some_and(|s| s.eq_ignore_ascii_case("UCUM"));
    json!({
        "value": value,
        "unit": units.and_then(|r| r.get(2)).or_else(|| code.clone()),
        "system": ucum.then_some(UCUM_SYSTEM),
        "code": if ucum { code } else { None },
    })
}

// ---------------------------------------------------------------------------------------------
// Identifiers

/// The system of the assigning authority (HD: namespace & universal id & its type) in
/// component `component` of `rep`: the namespace id as sent, as the shipped mapping keys
/// patient identifiers; else the universal id, as `urn:oid:` when it is an ISO OID.
pub(super) fn authority(rep: &Rep<'_>, component: usize) -> Option<String> {
    if let Some(namespace) = rep.sub(component, 1) {
        return Some(namespace);
    }
    let universal = rep.sub(component, 2)?;
    Some(if rep.sub(component, 3).as_deref() == Some("ISO") {
        format!("urn:oid:{universal}")
    } else {
        universal
    })
}

/// An identifier type of table 0203, with its display when listed.
pub(super) fn identifier_type(code: &str) -> Value {
    json!({"coding": [table_coding(V2_0203, code, &IDENTIFIER_TYPES)]})
}

/// A CX (id ^ check digit ^ scheme ^ authority ^ type ^ facility ^ from ^ to) as an
/// Identifier; `None` without an id.
pub(super) fn cx_identifier(rep: &Rep<'_>) -> Option<Value> {
    let value = rep.get(1)?;
    Some(json!({
        "value": value,
        "system": authority(rep, 4),
        "type": rep.get(5).map(|code| identifier_type(&code)),
        "period": period(day(rep.get(7)), day(rep.get(8))),
    }))
}

/// A plain identifier (an ST field) of `system` and type `type_code`.
pub(super) fn plain_identifier(
    segment: &Segment<'_>,
    field: usize,
    system: Option<&str>,
    type_code: &str,
) -> Option<Value> {
    let value = first(segment, field)?.get(1)?;
    Some(json!({"value": value, "system": system, "type": identifier_type(type_code)}))
}

/// An EI (entity id ^ namespace ^ universal id ^ its type, read by `part(1..=4)`) as an
/// Identifier of v2-0203 type `type_code` (PLAC, FILL): an ISO OID names the system, the
/// namespace is the assigner; `None` without an id.
pub(super) fn entity_identifier(
    part: impl Fn(usize) -> Option<String>,
    type_code: &str,
) -> Option<Value> {
    let value = part(1)?;
    Some(json!({
        "type": {"coding": [{"system": V2_0203, "code": type_code}]},
        "system": part(3)
            .filter(|_| part(4).as_deref() == Some("ISO"))
            .map(|oid| format!("urn:oid:{oid}")),
        "assigner": part(2).map(|namespace| json!({"display": namespace})),
        "value": value,
    }))
}

/// The order, filler or appointment number (an EI) in field `field` of `segment`, as an
/// Identifier of v2-0203 type `type_code`.
pub(super) fn order_identifier(
    segment: &Segment<'_>,
    field: usize,
    type_code: &str,
) -> Option<Value> {
    let rep = first(segment, field)?;
    entity_identifier(|n| rep.get(n), type_code)
}

/// The search that finds a resource by `identifier`: `identifier=system|value`, or
/// `identifier=value` without a system; the characters a search value escapes (`\ | , $`)
/// escaped. `None` without a value.
pub(super) fn identifier_query(identifier: &Value) -> Option<String> {
    let escape = |text: &str| {
        let mut escaped = String::with_capacity(text.len());
        for c in text.chars() {
            if matches!(c, '\\' | '|' | ',' | '$') {
                escaped.push('\\');
            }
            escaped.push(c);
        }
        escaped
    };
    let value = escape(identifier.get("value")?.as_str()?);
    Some(match identifier.get("system").and_then(Value::as_str) {
        Some(system) => format!("identifier={}|{value}", escape(system)),
        None => format!("identifier={value}"),
    })
}

/// Adds the table 0203 display to identifier types that have none.
pub(super) fn add_type_displays(identifiers: &mut Value) {
    for identifier in identifiers.as_array_mut().into_iter().flatten() {
        for coding in identifier
            .pointer_mut("/type/coding")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            if coding.get("system").and_then(Value::as_str) == Some(V2_0203)
                && coding.get("display").is_none()
                && let Some(display) = coding
                    .get("code")
                    .and_then(Value::as_str)
                    .and_then(|code| lookup(&IDENTIFIER_TYPES, code))
            {
                coding["display"] = json!(display);
            }
        }
    }
}

/// Appends `extra` identifiers to `identifiers`, leaving out any with the same system and
/// value as one already there.
pub(super) fn append_identifiers(identifiers: &mut Vec<Value>, extra: Vec<Value>) {
    for identifier in extra {
        let known = identifiers.iter().any(|i| {
            i.get("system") == identifier.get("system") && i["value"] == identifier["value"]
        });
        if !known {
            identifiers.push(identifier);
        }
    }
}

/// True for a National Provider Identifier: ten digits with a valid Luhn check digit (over
/// the `80840` prefix).
pub(super) fn is_npi(id: &str) -> bool {
    if id.len() != 10 || !id.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let digits = format!("80840{id}");
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let digit = u32::from(b - b'0');
            if i % 2 == 1 {
                let doubled = digit * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                digit
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// The system of a provider id: the NPI system when the id is one (said so, or ten digits
/// that check, with no other authority), else the authority in component `component`, else
/// the system of identifiers sent without one.
pub(super) fn provider_system(
    rep: &Rep<'_>,
    id: &str,
    component: usize,
    type_code: Option<&str>,
) -> String {
    let authority = authority(rep, component);
    if authority.as_deref() == Some("NPI")
        || type_code == Some("NPI")
        || (authority.is_none() && is_npi(id))
    {
        return NPI_SYSTEM.to_string();
    }
    authority.unwrap_or_else(|| UNKNOWN_SYSTEM.to_string())
}

// ---------------------------------------------------------------------------------------------
// Names

/// Where the parts of a person name are: in an XPN, or in an XCN (after its id).
pub(super) struct NameLayout {
    family: usize,
    given: usize,
    second: usize,
    suffix: usize,
    prefix: usize,
    degree: usize,
    kind: usize,
    range: usize,
    from: usize,
    to: usize,
    professional: usize,
}

/// The layout of an XPN.
pub(super) const XPN: NameLayout = NameLayout {
    family: 1,
    given: 2,
    second: 3,
    suffix: 4,
    prefix: 5,
    degree: 6,
    kind: 7,
    range: 10,
    from: 12,
    to: 13,
    professional: 14,
};

/// The layout of an XCN.
pub(super) const XCN: NameLayout = NameLayout {
    family: 2,
    given: 3,
    second: 4,
    suffix: 5,
    prefix: 6,
    degree: 7,
    kind: 10,
    range: 17,
    from: 19,
    to: 20,
    professional: 21,
};

/// A HumanName: family (the surname of FN), given and further given names, suffixes (suffix,
/// degree, professional suffix), prefix, use (table 0200) and the name's validity; `None`
/// without a family or given name.
pub(super) fn human_name(rep: &Rep<'_>, layout: &NameLayout) -> Option<Value> {
    let family = rep.sub(layout.family, 1);
    let given: Vec<String> = [rep.get(layout.given), rep.get(layout.second)]
        .into_iter()
        .flatten()
        .collect();
    if family.is_none() && given.is_empty() {
        return None;
    }
    let suffix: Vec<String> = [layout.suffix, layout.degree, layout.professional]
        .into_iter()
        .filter_map(|component| rep.get(component))
        .collect();
    let from = rep.get(layout.from).or_else(|| rep.sub(layout.range, 1));
    let to = rep.get(layout.to).or_else(|| rep.sub(layout.range, 2));
    Some(json!({
        "family": family,
        "given": given,
        "suffix": suffix,
        "prefix": rep.get(layout.prefix).map(|p| vec![p]),
        "use": rep.get(layout.kind).and_then(|kind| lookup(&NAME_USES, &kind)),
        "period": period(day(from), day(to)),
    }))
}

/// The names of an XPN field: one per repetition, and a nickname for a "called by" (XPN-15).
pub(super) fn names(segment: &Segment<'_>, field: usize) -> Vec<Value> {
    let mut names = Vec::new();
    for rep in reps(segment, field) {
        names.extend(human_name(&rep, &XPN));
        if let Some(called) = rep.get(15) {
            names.push(json!({"use": "nickname", "given": [called]}));
        }
    }
    names
}

/// The Practitioner of an XCN (id, name, identifier type and authority), and the query that
/// finds it again; `None` without id or name.
pub(super) fn practitioner(rep: &Rep<'_>) -> Option<(Value, Option<String>)> {
    let id = rep.get(1);
    let name = human_name(rep, &XCN);
    if id.is_none() && name.is_none() {
        return None;
    }
    let type_code = rep.get(13);
    let identifier = id.as_ref().map(|value| {
        let system = provider_system(rep, value, 9, type_code.as_deref());
        json!({
            "system": system,
            "value": value,
            "type": type_code.as_deref().map(identifier_type),
        })
    });
    let query = identifier.as_ref().and_then(identifier_query);
    let resource = json!({
        "resourceType": "Practitioner",
        "identifier": identifier.map(|i| vec![i]),
        "name": name.map(|n| vec![n]),
    });
    Some((resource, query))
}

// ---------------------------------------------------------------------------------------------
// Addresses and telecom

/// An XAD as an Address: the street line (SAD street & street name & dwelling number, read as
/// the canonical mapping reads it: [`street_line`]) and the other designation as lines; city,
/// county (XAD-9, its text else its code) as district, state, postal code, country; the
/// address type (table 0190) as use or type; the validity (XAD-13/14, else XAD-12).
pub(super) fn address(rep: &Rep<'_>) -> Option<Value> {
    let [street, name, number] = [1, 2, 3].map(|sub| rep.sub(1, sub));
    let street = street_line(street.as_deref(), name.as_deref(), number.as_deref());
    let lines: Vec<String> = [street, rep.get(2)].into_iter().flatten().collect();
    let city = rep.get(3);
    let district = rep.sub(9, 2).or_else(|| rep.sub(9, 1));
    let (state, postal_code, country) = (rep.get(4), rep.get(5), rep.get(6));
    if lines.is_empty()
        && [&city, &district, &state, &postal_code, &country]
            .iter()
            .all(|part| part.is_none())
    {
        return None;
    }
    let kind = rep.get(7).and_then(|code| {
        ADDRESS_TYPES
            .iter()
            .find(|(key, ..)| *key == code)
            .map(|(_, use_, type_)| (*use_, *type_))
    });
    let from = rep.get(13).or_else(|| rep.sub(12, 1));
    let to = rep.get(14).or_else(|| rep.sub(12, 2));
    Some(json!({
        "line": lines,
        "city": city,
        "district": district,
        "state": state,
        "postalCode": postal_code,
        "country": country,
        "use": kind.and_then(|(use_, _)| use_),
        "type": kind.and_then(|(_, type_)| type_),
        "period": period(day(from), day(to)),
    }))
}

/// The addresses of an XAD field, one per repetition.
pub(super) fn addresses(segment: &Segment<'_>, field: usize) -> Vec<Value> {
    reps(segment, field).iter().filter_map(address).collect()
}

/// An XTN as a ContactPoint: email (XTN-4, else XTN-1) for Internet equipment, else the
/// number (XTN-12 unformatted, else country, area, local number and extension, else XTN-1);
/// the system from the equipment (table 0202, phone when not given), the use from XTN-2
/// (table 0201) else `default_use`, the rank (XTN-18) and the validity (XTN-13/14).
pub(super) fn contact_point(rep: &Rep<'_>, default_use: Option<&str>) -> Option<Value> {
    let equipment = rep.get(3);
    let use_code = rep.get(2);
    let system = equipment
        .as_deref()
        .and_then(|e| lookup(&TELECOM_SYSTEMS, e))
        .or_else(|| (use_code.as_deref() == Some("NET")).then_some("email"))
        .unwrap_or("phone");
    let value = if system == "email" {
        rep.get(4).or_else(|| rep.get(1))
    } else {
        rep.get(12)
            .or_else(|| composed_number(rep))
            .or_else(|| rep.get(1))
    }?;
    let rank = rep
        .get(18)
        .and_then(|r| r.parse::<u32>().ok())
        .filter(|r| *r > 0);
    Some(json!({
        "system": system,
        "value": value,
        "use": use_code.as_deref().and_then(|u| lookup(&TELECOM_USES, u)).or(default_use),
        "rank": rank,
        "period": period(day(rep.get(13)), day(rep.get(14))),
    }))
}

/// A phone number of its parts (XTN-5 country, XTN-6 area, XTN-7 local, XTN-8 extension).
fn composed_number(rep: &Rep<'_>) -> Option<String> {
    let local = rep.get(7)?;
    let mut number = String::new();
    if let Some(country) = rep.get(5) {
        number.push_str(&format!("+{country} "));
    }
    if let Some(area) = rep.get(6) {
        number.push_str(&format!("({area}) "));
    }
    number.push_str(&local);
    if let Some(extension) = rep.get(8) {
        number.push_str(&format!(" ext. {extension}"));
    }
    Some(number)
}

/// The contact points of an XTN field, one per repetition.
pub(super) fn contact_points(
    segment: &Segment<'_>,
    field: usize,
    default_use: Option<&str>,
) -> Vec<Value> {
    reps(segment, field)
        .iter()
        .filter_map(|rep| contact_point(rep, default_use))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Languages, relationships, locations

/// A language (CWE of table 0296, ISO 639) as a CodeableConcept in BCP 47, for the
/// identifier and the alternate identifier, with the CWE's original text.
pub(super) fn language(rep: &Rep<'_>) -> Option<Value> {
    let coding = |code: Option<String>, display: Option<String>| {
        let code = code?;
        let lower = code.to_ascii_lowercase();
        let known = LANGUAGES
            .iter()
            .find(|(three, two, _)| *three == lower || *two == lower);
        let tag_like =
            (2..=3).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphabetic());
        Some(match known {
            Some((_, two, name)) => {
                json!({"system": "urn:ietf:bcp:47", "code": two, "display": name})
            }
            None if tag_like => {
                json!({"system": "urn:ietf:bcp:47", "code": lower, "display": display})
            }
            None => json!({"code": code, "display": display}),
        })
    };
    let codings = both_codings(rep, coding);
    (!codings.is_empty()).then(|| json!({"coding": codings, "text": rep.get(9)}))
}

/// The codings `coding` makes of a CWE's identifier and text (components 1-2) and of its
/// alternate ones (4-5), those it makes.
fn both_codings(
    rep: &Rep<'_>,
    coding: impl Fn(Option<String>, Option<String>) -> Option<Value>,
) -> Vec<Value> {
    [
        coding(rep.get(1), rep.get(2)),
        coding(rep.get(4), rep.get(5)),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// A relationship (CWE of table 0063) as a CodeableConcept: v3 RoleCode for family, v2-0131
/// for roles (emergency contact, employer), else the code as sent under v2-0063.
pub(super) fn relationship(rep: &Rep<'_>) -> Option<Value> {
    let coding = |code: Option<String>, display: Option<String>| {
        let code = code?;
        Some(match RELATIONSHIPS.iter().find(|(key, ..)| *key == code) {
            Some((_, system, fhir, name)) => {
                json!({"system": system, "code": fhir, "display": name})
            }
            None => json!({
                "system": "http://terminology.hl7.org/CodeSystem/v2-0063",
                "code": code,
                "display": display,
            }),
        })
    };
    let codings = both_codings(rep, coding);
    (!codings.is_empty()).then(|| json!({"coding": codings}))
}

/// A contact role (table 0131) as a CodeableConcept.
pub(super) fn contact_role(code: &str) -> Value {
    table_concept(CONTACT_ROLE, code, &CONTACT_ROLES)
}

/// A person location (PL: point of care ^ room ^ bed ^ facility ^ status ^ type ^ building ^
/// floor) as an Encounter.location of `status`: named by its parts from the most specific
/// (bed, room, point of care, floor, building, facility), with the bed or room as its
/// physical type.
pub(super) fn location(rep: &Rep<'_>, status: &str) -> Option<Value> {
    let (room, bed) = (rep.get(2), rep.get(3));
    let parts: Vec<String> = [
        bed.clone(),
        room.clone(),
        rep.sub(1, 1),
        rep.get(8),
        rep.get(7),
        rep.sub(4, 1).or_else(|| rep.sub(4, 2)),
    ]
    .into_iter()
    .flatten()
    .collect();
    if parts.is_empty() {
        return None;
    }
    let physical = match (&bed, &room) {
        (Some(_), _) => Some(("bd", "Bed")),
        (None, Some(_)) => Some(("ro", "Room")),
        _ => None,
    };
    Some(json!({
        "location": {"display": parts.join(", ")},
        "status": status,
        "physicalType": physical.map(|(code, display)| json!({"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/location-physical-type",
            "code": code,
            "display": display,
        }]})),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hl7v2::Message;

    /// The first repetition of field `field` of the first `id` segment of `segments`.
    fn with_rep(segments: &str, id: &str, field: usize, check: impl Fn(&Rep<'_>)) {
        let raw = format!("MSH|^~\\&|A|B|C|D|20260101||ADT^A01|1|P|2.8\r{segments}\r");
        let message = Message::parse(raw.as_bytes()).unwrap();
        let segment = message.segment(id).unwrap();
        check(&first(&segment, field).unwrap());
    }

    #[test]
    fn npis_are_ten_digits_that_check() {
        assert!(is_npi("1234567893"));
        assert!(!is_npi("1234567890"));
        assert!(!is_npi("1122334"));
        assert!(!is_npi("12345678a3"));
    }

    #[test]
    fn a_street_line_holds_number_and_name_once() {
        with_rep(
            "PID|1||||||||||1000&Hospital Lane^Ste. 1^Ann Arbor ^MI",
            "PID",
            11,
            |rep| {
                let address = address(rep).unwrap();
                assert_eq!(address["line"], json!(["1000 Hospital Lane", "Ste. 1"]));
                assert_eq!(address["city"], "Ann Arbor");
            },
        );
        with_rep(
            "PID|1||||||||||12 Main St&Main St^^Springfield",
            "PID",
            11,
            |rep| {
                assert_eq!(address(rep).unwrap()["line"], json!(["12 Main St"]));
            },
        );
        // Street name and dwelling number without a street address: number first.
        with_rep(
            "PID|1||||||||||&Main St&123^^Springfield",
            "PID",
            11,
            |rep| {
                assert_eq!(address(rep).unwrap()["line"], json!(["123 Main St"]));
            },
        );
    }

    #[test]
    fn telecom_values_follow_the_equipment() {
        // Internet: the email address; else the unformatted number, the parts, the old field.
        with_rep(
            "PID|1|||||||||||||1^WPN^Internet^a@b.org",
            "PID",
            14,
            |rep| {
                let point = contact_point(rep, Some("work")).unwrap();
                assert_eq!(
                    point,
                    json!({"system": "email", "value": "a@b.org", "use": "work", "rank": null, "period": null})
                );
            },
        );
        with_rep(
            "PID|1|||||||||||||5550100^^PH^^1^555^0100^12",
            "PID",
            14,
            |rep| {
                assert_eq!(
                    contact_point(rep, None).unwrap()["value"],
                    "+1 (555) 0100 ext. 12"
                );
            },
        );
        with_rep("PID|1|||||||||||||5550100^PRN^BP", "PID", 14, |rep| {
            let point = contact_point(rep, Some("work")).unwrap();
            assert_eq!(point["system"], "pager");
            assert_eq!(point["use"], "home");
            assert_eq!(point["value"], "5550100");
        });
    }

    #[test]
    fn authorities_are_namespaces_else_oids() {
        with_rep("PID|1||1^^^HOSP&1.2.3&ISO^MR", "PID", 3, |rep| {
            assert_eq!(authority(rep, 4).as_deref(), Some("HOSP"));
        });
        with_rep("PID|1||1^^^&1.2.3&ISO^MR", "PID", 3, |rep| {
            assert_eq!(authority(rep, 4).as_deref(), Some("urn:oid:1.2.3"));
        });
        with_rep("PID|1||1^^^&x.y&DNS^MR", "PID", 3, |rep| {
            assert_eq!(authority(rep, 4).as_deref(), Some("x.y"));
        });
    }
}
