//! HL7 v2.5.1 ADT messages from canonical records: A04 (registration), A08 (update), A03
//! (discharge) with MSH, EVN, PID and PV1; A40 (merge) with MSH, EVN, PID and MRG.

use crate::canonical::{Encounter, Identifier, Patient};
use crate::hl7v2::Encoding;
use crate::hl7v2::build::{BuildError, MessageBuilder};

/// The HL7 v2 version the engine writes.
pub const VERSION: &str = "2.5.1";

/// The header of a message the engine writes: who sends it, to whom, when and under which
/// control id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// MSH-3, the sending application.
    pub sending_application: String,
    /// MSH-4, the sending facility.
    pub sending_facility: String,
    /// MSH-5, the receiving application (may be empty).
    pub receiving_application: String,
    /// MSH-6, the receiving facility (may be empty).
    pub receiving_facility: String,
    /// MSH-10.
    pub control_id: String,
    /// MSH-7 as Unix ms.
    pub at: i64,
}

/// An ADT trigger event the engine writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// A03: discharge / end visit.
    A03,
    /// A04: register a patient.
    A04,
    /// A08: update patient information.
    A08,
    /// A40: merge patient, patient identifier list.
    A40,
}

impl Trigger {
    /// The trigger code, `A04`.
    pub fn code(self) -> &'static str {
        match self {
            Trigger::A03 => "A03",
            Trigger::A04 => "A04",
            Trigger::A08 => "A08",
            Trigger::A40 => "A40",
        }
    }

    /// The message structure (MSH-9.3) in v2.5.1.
    fn structure(self) -> &'static str {
        match self {
            Trigger::A03 => "ADT_A03",
            Trigger::A04 | Trigger::A08 => "ADT_A01",
            Trigger::A40 => "ADT_A39",
        }
    }
}

/// What an ADT message says: the patient, the visit (none: PV1 says "not applicable"), and for
/// an A40 the identifiers of the patient merged away.
pub struct Adt<'a> {
    /// The trigger event.
    pub trigger: Trigger,
    /// The patient.
    pub patient: &'a Patient,
    /// The visit.
    pub encounter: Option<&'a Encounter>,
    /// A40: the identifiers of the patient merged into this one.
    pub merged: &'a [Identifier],
}

/// `YYYYMMDDHHMMSS` of Unix ms, in UTC.
pub fn hl7_timestamp(millis: i64) -> String {
    let at = time::OffsetDateTime::from_unix_timestamp(millis.div_euclid(1000))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// An ISO date or date-time (`2026-11-25`, `2026-11-25T10:30:00+01:00`) as an HL7 v2 DTM,
/// its digits up to the seconds; the zone, when given, is kept as `+HHMM`.
pub fn hl7_datetime(iso: &str) -> String {
    let (local, zone) = match iso.find('T') {
        Some(t) => {
            let time = &iso[t..];
            match time.rfind(['+', '-']) {
                Some(z) => (&iso[..t + z], Some(&time[z..])),
                None => (iso.trim_end_matches('Z'), None),
            }
        }
        None => (iso, None),
    };
    let mut digits: String = local
        .split('.')
        .next()
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_digit)
        .take(14)
        .collect();
    if let Some(zone) = zone {
        digits.push_str(&zone.replace(':', ""));
    }
    digits
}

/// HL7 table 0001 code of a canonical gender.
fn gender_code(gender: &str) -> &'static str {
    match gender {
        "male" => "M",
        "female" => "F",
        "other" => "O",
        _ => "U",
    }
}

/// HL7 table 0004 code of a canonical patient class.
fn class_code(class: &str) -> &'static str {
    match class {
        "inpatient" => "I",
        "outpatient" => "O",
        "emergency" => "E",
        "preadmit" => "P",
        "recurring" => "R",
        "obstetrics" => "B",
        _ => "U",
    }
}

/// Writes MSH for `message_type` (`ADT^A04^ADT_A01`) in v2.5.1 and EVN when `event` is given.
pub fn header(
    header: &Header,
    message_type: [&str; 3],
    event: Option<&str>,
) -> Result<MessageBuilder, BuildError> {
    let mut message = MessageBuilder::new(Encoding::default());
    let at = hl7_timestamp(header.at);
    message
        .set("MSH-3", &header.sending_application)?
        .set("MSH-4", &header.sending_facility)?
        .set("MSH-5", &header.receiving_application)?
        .set("MSH-6", &header.receiving_facility)?
        .set("MSH-7", &at)?
        .set("MSH-9.1", message_type[0])?
        .set("MSH-9.2", message_type[1])?
        .set("MSH-9.3", message_type[2])?
        .set("MSH-10", &header.control_id)?
        .set("MSH-11", "P")?
        .set("MSH-12", VERSION)?;
    if let Some(event) = event {
        message.add_segment("EVN")?;
        message.set("EVN-1", event)?.set("EVN-2", &at)?;
    }
    Ok(message)
}

/// Writes the repetitions of a CX list (PID-3, MRG-1) at `field`.
fn identifiers(
    message: &mut MessageBuilder,
    field: &str,
    list: &[Identifier],
) -> Result<(), BuildError> {
    for (index, identifier) in list.iter().enumerate() {
        let at = format!("{field}[{}]", index + 1);
        message
            .set(&format!("{at}.1"), &identifier.value)?
            .set(&format!("{at}.4"), &identifier.system)?;
        if let Some(code) = &identifier.type_code {
            message.set(&format!("{at}.5"), code)?;
        }
    }
    Ok(())
}

/// Writes PID-1 to PID-13 from `patient`.
pub fn pid(message: &mut MessageBuilder, patient: &Patient) -> Result<(), BuildError> {
    message.add_segment("PID")?;
    message.set("PID-1", "1")?;
    identifiers(message, "PID-3", &patient.identifiers)?;
    let names = [
        ("PID-5.1", &patient.family_name),
        ("PID-5.2", &patient.given_name),
        ("PID-5.3", &patient.middle_name),
        ("PID-11.1", &patient.address.line),
        ("PID-11.3", &patient.address.city),
        ("PID-11.4", &patient.address.state),
        ("PID-11.5", &patient.address.postal_code),
        ("PID-11.6", &patient.address.country),
        ("PID-13.1", &patient.phone),
    ];
    for (path, value) in names {
        if let Some(value) = value {
            message.set(path, value)?;
        }
    }
    let unnamed = [
        &patient.family_name,
        &patient.given_name,
        &patient.middle_name,
    ]
    .iter()
    .all(|name| name.is_none());
    if unnamed {
        // PID-5 is required: a name of type U (unspecified) says that none is known.
        message.set("PID-5.7", "U")?;
    }
    if let Some(birth_date) = &patient.birth_date {
        message.set("PID-7", &hl7_datetime(birth_date))?;
    }
    if let Some(gender) = &patient.gender {
        message.set("PID-8", gender_code(gender))?;
    }
    Ok(())
}

/// Writes PV1 from `encounter`; without one, PV1-2 is `N` (not applicable).
fn pv1(message: &mut MessageBuilder, encounter: Option<&Encounter>) -> Result<(), BuildError> {
    message.add_segment("PV1")?;
    message.set("PV1-1", "1")?;
    let Some(encounter) = encounter else {
        message.set("PV1-2", "N")?;
        return Ok(());
    };
    message.set("PV1-2", encounter.class.as_deref().map_or("U", class_code))?;
    if let Some(location) = &encounter.location {
        message.set("PV1-3.1", location)?;
    }
    if let Some(facility) = &encounter.facility {
        message.set("PV1-3.4", facility)?;
    }
    message.set("PV1-19", &encounter.visit_number)?;
    if let Some(admitted) = &encounter.admitted_at {
        message.set("PV1-44", &hl7_datetime(admitted))?;
    }
    if let Some(discharged) = &encounter.discharged_at {
        message.set("PV1-45", &hl7_datetime(discharged))?;
    }
    Ok(())
}

impl Adt<'_> {
    /// The message, with `header`'s MSH.
    pub fn build(&self, header: &Header) -> Result<Vec<u8>, BuildError> {
        let trigger = self.trigger.code();
        let mut message = self::header(
            header,
            ["ADT", trigger, self.trigger.structure()],
            Some(trigger),
        )?;
        pid(&mut message, self.patient)?;
        if self.trigger == Trigger::A40 {
            message.add_segment("MRG")?;
            identifiers(&mut message, "MRG-1", self.merged)?;
        } else {
            pv1(&mut message, self.encounter)?;
        }
        Ok(message.build())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates_and_times_become_dtm() {
        assert_eq!(hl7_datetime("1980-02-03"), "19800203");
        assert_eq!(hl7_datetime("2026-11-25T10:30:00"), "20261125103000");
        assert_eq!(hl7_datetime("2026-11-25T10:30:00Z"), "20261125103000");
        assert_eq!(
            hl7_datetime("2026-11-25T10:30:00.250+01:00"),
            "20261125103000+0100"
        );
        assert_eq!(hl7_datetime("2026-11-25T10:30-05:00"), "202611251030-0500");
        assert_eq!(hl7_timestamp(0), "19700101000000");
    }
}
