//! SIU^S12/S13/S14/S15/S26 to an Appointment: its identifiers (SCH-1/2), status (from the
//! trigger), time (TQ1, SCH-11, or AIS-4 and its duration), service (AIS-3), type (SCH-7),
//! reason (SCH-6), notes, and its participants: the patient, the practitioners (AIP), the
//! locations (AIL) and the other resources (AIG).

use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;

use super::tables::APPOINTMENT_REASONS;
use super::v2::{Rep, concept, first, location, order_identifier, practitioner, table_concept};
use super::{ConvertError, Subject, checked_number, expect, field, finish, with_patient_and_visit};
use crate::hl7v2::{Message, Segment};
use crate::mapping::Records;

/// SIU triggers the converter takes, with the Appointment status each means: booked,
/// rescheduled, modified, cancelled, no-show.
const STATUSES: [(&str, &str); 5] = [
    ("S12", "booked"),
    ("S13", "booked"),
    ("S14", "booked"),
    ("S15", "cancelled"),
    ("S26", "noshow"),
];

/// SIU triggers the converter takes.
pub(super) const TRIGGERS: [&str; 5] = ["S12", "S13", "S14", "S15", "S26"];

/// The transaction Bundle of an SIU: the Patient of `records` (and the visit, when PV1 is
/// there) and the Appointment of the SCH.
pub(super) fn appointment_bundle(
    records: &Records,
    message: &Message<'_>,
) -> Result<Value, ConvertError> {
    expect(message, "SIU", &TRIGGERS)?;
    let (mut bundle, subject) = with_patient_and_visit(records, message)?;
    let sch = message
        .segment("SCH")
        .ok_or_else(|| ConvertError("the SIU has no SCH segment".into()))?;
    let trigger = message
        .message_type()
        .map(|t| t.trigger_event.to_string())
        .unwrap_or_default();
    let status = STATUSES
        .iter()
        .find(|(key, _)| *key == trigger)
        .map_or("booked", |(_, status)| *status);
    let mut identifiers: Vec<Value> = [
        order_identifier(&sch, 2, "FILL"),
        order_identifier(&sch, 1, "PLAC"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if identifiers.is_empty() {
        identifiers.push(subject.message_identifier("SCH")?);
    }
    let key = identifiers.first().cloned().unwrap_or_default();
    let (start, end) = match times(message, &sch, &subject)? {
        Some((start, end)) => (Some(start), Some(end)),
        // Only a proposed, cancelled or waitlisted appointment may go without its time (app-3).
        None if status == "cancelled" => (None, None),
        None => {
            return Err(ConvertError(
                "the SIU has no start and end with a time zone (TQ1-7/8, SCH-11.4/5, or AIS-4 and \
                 AIS-7; a time without its zone takes the zone of MSH-7)"
                    .into(),
            ));
        }
    };

    let mut participants = vec![json!({"actor": subject.patient, "status": "accepted"})];
    for aip in message.segments_named("AIP") {
        for rep in super::v2::reps(&aip, 3) {
            if let Some((resource, query)) = practitioner(&rep) {
                let actor = bundle.add_shared(resource, query, "AIP-3");
                participants.push(json!({
                    "type": first(&aip, 4).and_then(|r| concept(&r)).map(|c| vec![c]),
                    "actor": actor,
                    "status": "accepted",
                }));
            }
        }
    }
    for ail in message.segments_named("AIL") {
        if let Some(place) = first(&ail, 3).and_then(|rep| location(&rep, "active")) {
            participants.push(json!({"actor": place["location"], "status": "accepted"}));
        }
    }
    for aig in message.segments_named("AIG") {
        if let Some(name) = first(&aig, 3).and_then(|r| r.get(2).or_else(|| r.get(1))) {
            participants.push(json!({
                "type": first(&aig, 4).and_then(|r| concept(&r)).map(|c| vec![c]),
                "actor": {"display": name},
                "status": "accepted",
            }));
        }
    }
    let services: Vec<Value> = message
        .segments_named("AIS")
        .filter_map(|ais| first(&ais, 3).and_then(|r| concept(&r)))
        .collect();
    let resource = json!({
        "resourceType": "Appointment",
        "identifier": identifiers,
        "status": status,
        "serviceType": services,
        "appointmentType": first(&sch, 7).and_then(|r| appointment_type(&r)),
        "reasonCode": first(&sch, 6).and_then(|r| concept(&r)).map(|c| vec![c]),
        "comment": schedule_notes(message),
        "start": start,
        "end": end,
        "participant": participants,
    });
    bundle.update(resource, &key, "SCH");
    finish(bundle, message, &subject)
}

/// SCH-7 (table 0276) as the appointment type: coded in `v2-0276` when it is one of its codes.
fn appointment_type(rep: &Rep<'_>) -> Option<Value> {
    let code = rep.get(1)?;
    let known = table_concept(
        "http://terminology.hl7.org/CodeSystem/v2-0276",
        &code,
        &APPOINTMENT_REASONS,
    );
    if known.pointer("/coding/0/system").is_some() {
        Some(known)
    } else {
        concept(rep)
    }
}

/// The NTEs right after SCH (before the patient), as one comment.
fn schedule_notes(message: &Message<'_>) -> Option<String> {
    let mut lines = Vec::new();
    let mut after_sch = false;
    for segment in message.segments() {
        match segment.id() {
            "SCH" => after_sch = true,
            "TQ1" => {}
            "NTE" if after_sch => {
                if let Some(comment) = field(&segment, 3) {
                    lines.extend(
                        comment
                            .repetitions()
                            .map(|r| r.value().trim().to_string())
                            .filter(|line| !line.is_empty()),
                    );
                }
            }
            _ => after_sch = false,
        }
    }
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// The appointment's start and end as instants: TQ1-7/8 (which replaces SCH-11 from v2.5),
/// else SCH-11's start and end, else the first AIS's start (AIS-4) and duration (AIS-7 in the
/// units of AIS-8, minutes when not given). A source whose times have no zone (nor MSH-7 one)
/// is passed over.
fn times(
    message: &Message<'_>,
    sch: &Segment<'_>,
    subject: &Subject,
) -> Result<Option<(String, String)>, ConvertError> {
    if let Some(tq1) = message.segment("TQ1") {
        let start = subject.instant(&tq1, 7, "TQ1")?;
        let end = subject.instant(&tq1, 8, "TQ1")?;
        if let (Some(start), Some(end)) = (start, end) {
            return Ok(Some((start, end)));
        }
    }
    if let Some(timing) = first(sch, 11) {
        let part = |component: usize| -> Result<Option<String>, ConvertError> {
            let sent = timing.get(component);
            let converted = super::checked_date_time(sent.clone(), &format!("SCH-11.{component}"))?;
            Ok(converted.and_then(|c| subject.as_instant(&c, sent.as_deref())))
        };
        if let (Some(start), Some(end)) = (part(4)?, part(5)?) {
            return Ok(Some((start, end)));
        }
    }
    for (index, ais) in message.segments_named("AIS").enumerate() {
        let label = format!("AIS[{}]", index + 1);
        let Some(start) = subject.instant(&ais, 4, &label)? else {
            continue;
        };
        let Some(duration) =
            checked_number(first(&ais, 7).and_then(|r| r.get(1)), &format!("{label}-7"))?
        else {
            continue;
        };
        let unit = first(&ais, 8).and_then(|r| r.get(1));
        let seconds_per = match unit.as_deref().map(str::to_ascii_lowercase).as_deref() {
            None | Some("min" | "m" | "minutes") => 60.0,
            Some("s" | "sec" | "seconds") => 1.0,
            Some("h" | "hr" | "hours") => 3600.0,
            Some("d" | "days") => 86400.0,
            Some(other) => {
                return Err(ConvertError(format!(
                    "{label}-8: '{other}' is not a unit of duration (s, min, h, d)"
                )));
            }
        };
        let seconds = duration.as_f64().unwrap_or_default() * seconds_per;
        let end = time::OffsetDateTime::parse(&start, &Rfc3339)
            .ok()
            .zip(time::Duration::checked_seconds_f64(seconds))
            .and_then(|(at, duration)| at.checked_add(duration))
            .and_then(|at| at.format(&Rfc3339).ok())
            .ok_or_else(|| {
                ConvertError(format!(
                    "{label}-7: {duration} {unit:?} from {start} is no time"
                ))
            })?;
        return Ok(Some((start, end)));
    }
    Ok(None)
}
