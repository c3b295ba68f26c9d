//! Changing an ADT or ORU message's HL7 v2 version (MSH-12) between 2.3 and 2.5.1, with the
//! structural changes the target version requires.
//!
//! Up to 2.5.1: MSH-9 gains its third component, the message structure (`ADT_A01` for an
//! A04), which 2.5.1 requires. Down to 2.3: MSH-9 loses it; EVN-1, required in 2.3, is the
//! trigger event when empty; OBR-27 (quantity/timing), required in 2.3, is filled from the
//! order's TQ1 (quantity, start, end, priority) or else from OBR-5 (priority) and OBR-7 (the
//! observation time); the segments 2.3 does not have (SFT, TQ1, TQ2, SPM, UAC) and the fields
//! 2.5.1 added at the end of a segment (PID-31 to PID-39, OBX-18 to OBX-25, ...) are removed,
//! OBX-2 value types 2.3 does not know (CWE, CNE) become CE, and the fields that are coded
//! (CE, CWE) in 2.5.1 but a single value in 2.3 (PID-10 race, PID-16 marital status, IN1-17
//! relationship, ...) keep their code, the first component; the fields that repeat in 2.5.1
//! but not in 2.3 (PID-5 patient name, IN1-3 insurance company id, ...) keep their first
//! repetition.

use crate::hl7v2::{MessageBuilder, Path};

/// A version an edit list can change a message to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// HL7 v2.3.
    V2_3,
    /// HL7 v2.5.1.
    V2_5_1,
}

impl Version {
    /// The version as MSH-12 holds it.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::V2_3 => "2.3",
            Version::V2_5_1 => "2.5.1",
        }
    }

    /// The version MSH-12 names, when it is one of these.
    pub fn parse(text: &str) -> Option<Version> {
        match text {
            "2.3" => Some(Version::V2_3),
            "2.5.1" => Some(Version::V2_5_1),
            _ => None,
        }
    }
}

/// The number of fields of each segment in v2.3, where v2.5.1 has more.
const FIELDS_2_3: [(&str, usize); 15] = [
    ("MSH", 19),
    ("EVN", 6),
    ("PID", 30),
    ("PD1", 12),
    ("NK1", 37),
    ("PV2", 37),
    ("OBR", 43),
    ("OBX", 17),
    ("ORC", 19),
    ("DG1", 19),
    ("PR1", 15),
    ("IN1", 49),
    ("GT1", 55),
    ("NTE", 3),
    ("ROL", 8),
];

/// The fields that hold one value in 2.3 and components in 2.5.1 (hl7apy's definitions).
const SINGLE_IN_2_3: [(&str, u16); 31] = [
    ("PID", 10),
    ("PID", 16),
    ("PID", 17),
    ("PID", 22),
    ("PID", 26),
    ("NK1", 14),
    ("NK1", 19),
    ("NK1", 25),
    ("NK1", 28),
    ("NK1", 35),
    ("PV1", 38),
    ("PV2", 30),
    ("ORC", 14),
    ("IN1", 17),
    ("IN2", 33),
    ("IN2", 39),
    ("IN2", 42),
    ("IN2", 43),
    ("IN2", 62),
    ("IN2", 71),
    ("IN2", 72),
    ("GT1", 11),
    ("GT1", 30),
    ("GT1", 35),
    ("GT1", 41),
    ("GT1", 44),
    ("GT1", 55),
    ("AL1", 2),
    ("AL1", 4),
    ("UB1", 13),
    ("UB1", 17),
];

/// The fields that repeat in 2.5.1 but not in 2.3 (hl7apy's definitions).
const ONCE_IN_2_3: [(&str, u16); 64] = [
    ("MSH", 18),
    ("EVN", 5),
    ("PID", 4),
    ("PID", 5),
    ("PID", 6),
    ("PID", 10),
    ("PID", 21),
    ("PID", 22),
    ("PID", 26),
    ("PD1", 1),
    ("NK1", 17),
    ("NK1", 18),
    ("NK1", 19),
    ("NK1", 26),
    ("NK1", 28),
    ("NK1", 29),
    ("NK1", 35),
    ("PV1", 7),
    ("PV1", 8),
    ("PV1", 15),
    ("PV1", 17),
    ("PV1", 45),
    ("PV2", 7),
    ("PV2", 13),
    ("OBR", 27),
    ("OBX", 10),
    ("OBX", 16),
    ("ORC", 7),
    ("ORC", 10),
    ("ORC", 11),
    ("ORC", 19),
    ("IN1", 3),
    ("IN1", 4),
    ("IN1", 5),
    ("IN1", 6),
    ("IN1", 9),
    ("IN1", 10),
    ("IN1", 11),
    ("IN1", 16),
    ("IN1", 19),
    ("IN1", 30),
    ("IN1", 44),
    ("IN1", 49),
    ("IN2", 1),
    ("IN2", 3),
    ("IN2", 5),
    ("IN2", 7),
    ("IN2", 9),
    ("IN2", 22),
    ("IN2", 25),
    ("IN2", 26),
    ("IN2", 32),
    ("IN2", 33),
    ("IN2", 40),
    ("IN2", 42),
    ("IN2", 71),
    ("GT1", 34),
    ("GT1", 35),
    ("GT1", 42),
    ("GT1", 44),
    ("GT1", 55),
    ("AL1", 5),
    ("MRG", 7),
    ("ROL", 4),
];

/// Keeps the first component of each repetition of the fields [`SINGLE_IN_2_3`] names, and
/// the first repetition of those [`ONCE_IN_2_3`] names.
fn narrow_fields(builder: &mut MessageBuilder) -> Result<(), (String, String)> {
    let encoding = builder.encoding();
    let (repetition, component) = (
        encoding.repetition_separator(),
        encoding.component_separator(),
    );
    let ids: Vec<String> = builder.segment_ids().map(str::to_string).collect();
    let fields = ONCE_IN_2_3
        .iter()
        .map(|(segment, field)| (*segment, *field, repetition))
        .chain(
            SINGLE_IN_2_3
                .iter()
                .map(|(segment, field)| (*segment, *field, component)),
        );
    for (segment, field, cut) in fields {
        let count = ids.iter().filter(|id| *id == segment).count();
        for n in 1..=count {
            let text = format!("{segment}[{n}]-{field}");
            let path = Path::parse(&text).map_err(|err| (text.clone(), err.to_string()))?;
            let Some(raw) = builder.get_raw(&path) else {
                continue;
            };
            if !raw.contains(&cut) {
                continue;
            }
            let single: Vec<u8> = if cut == repetition {
                raw.split(|byte| *byte == repetition)
                    .next()
                    .unwrap_or_default()
                    .to_vec()
            } else {
                let codes: Vec<&[u8]> = raw
                    .split(|byte| *byte == repetition)
                    .map(|value| {
                        value
                            .split(|byte| *byte == component)
                            .next()
                            .unwrap_or_default()
                    })
                    .collect();
                codes.join(&repetition)
            };
            builder
                .set_raw(&path, &single)
                .map_err(|err| (text, err.to_string()))?;
        }
    }
    Ok(())
}

/// The segments of 2.5.1 ADT and ORU messages that 2.3 does not have.
const NOT_IN_2_3: [&str; 5] = ["SFT", "TQ1", "TQ2", "SPM", "UAC"];

/// The v2.5.1 message structure (MSH-9.3) of an ADT or ORU trigger event.
fn structure(message_type: &str, trigger: &str) -> Option<&'static str> {
    let structure = match (message_type, trigger) {
        ("ORU", "R01") => "ORU_R01",
        ("ADT", "A01" | "A04" | "A08" | "A13") => "ADT_A01",
        ("ADT", "A02") => "ADT_A02",
        ("ADT", "A03") => "ADT_A03",
        ("ADT", "A05" | "A14" | "A28" | "A31") => "ADT_A05",
        ("ADT", "A06" | "A07") => "ADT_A06",
        ("ADT", "A09" | "A10" | "A11") => "ADT_A09",
        ("ADT", "A12") => "ADT_A12",
        ("ADT", "A15") => "ADT_A15",
        ("ADT", "A16") => "ADT_A16",
        ("ADT", "A17") => "ADT_A17",
        ("ADT", "A21" | "A22" | "A23" | "A25" | "A26" | "A27" | "A29" | "A32" | "A33") => "ADT_A21",
        ("ADT", "A24") => "ADT_A24",
        ("ADT", "A30" | "A34" | "A35" | "A36" | "A46" | "A47" | "A48" | "A49") => "ADT_A30",
        ("ADT", "A37") => "ADT_A37",
        ("ADT", "A38") => "ADT_A38",
        ("ADT", "A39" | "A40" | "A41" | "A42") => "ADT_A39",
        ("ADT", "A43" | "A44") => "ADT_A43",
        ("ADT", "A45") => "ADT_A45",
        ("ADT", "A50" | "A51") => "ADT_A50",
        ("ADT", "A52" | "A53" | "A55") => "ADT_A52",
        ("ADT", "A54") => "ADT_A54",
        ("ADT", "A60") => "ADT_A60",
        ("ADT", "A61" | "A62") => "ADT_A61",
        _ => return None,
    };
    Some(structure)
}

/// The value at `path` as written so far.
fn value(builder: &MessageBuilder, path: &str) -> Option<String> {
    let path = Path::parse(path).ok()?;
    builder
        .get(&path)
        .map(|value| value.into_owned())
        .filter(|value| !value.is_empty())
}

/// Sets `path` to `value`, or says where it failed.
fn set(builder: &mut MessageBuilder, path: &str, value: &str) -> Result<(), (String, String)> {
    builder
        .set(path, value)
        .map(|_| ())
        .map_err(|err| (path.to_string(), err.to_string()))
}

/// Fills each empty OBR-27 (TQ, required in 2.3) from the TQ1 after it (TQ1-2 quantity, TQ1-7
/// start, TQ1-8 end, TQ1-9 priority), or else from OBR-5 (priority) and OBR-7 (start).
fn quantity_timing(builder: &mut MessageBuilder) -> Result<(), (String, String)> {
    let ids: Vec<String> = builder.segment_ids().map(str::to_string).collect();
    let mut order = 0;
    let mut tq1 = 0;
    for (index, id) in ids.iter().enumerate() {
        match id.as_str() {
            "TQ1" => tq1 += 1,
            "OBR" => order += 1,
            _ => continue,
        }
        if id != "OBR" {
            continue;
        }
        let obr = format!("OBR[{order}]");
        if value(builder, &format!("{obr}-27")).is_some() {
            continue;
        }
        // The order's TQ1 follows its OBR, before the next OBR.
        let timing = ids[index + 1..]
            .iter()
            .take_while(|id| *id != "OBR")
            .any(|id| id == "TQ1")
            .then(|| format!("TQ1[{}]", tq1 + 1));
        let from = |field: &str| {
            timing
                .as_ref()
                .and_then(|tq1| value(builder, &format!("{tq1}-{field}")))
        };
        let parts = [
            (1, from("2.1")),
            (
                4,
                from("7.1").or_else(|| value(builder, &format!("{obr}-7.1"))),
            ),
            (5, from("8.1")),
            (
                6,
                from("9.1").or_else(|| value(builder, &format!("{obr}-5.1"))),
            ),
        ];
        if parts.iter().all(|(_, part)| part.is_none()) {
            return Err((
                format!("{obr}-27"),
                "2.3 requires the quantity/timing: no TQ1, OBR-5 or OBR-7 to write it from"
                    .to_string(),
            ));
        }
        for (component, part) in parts {
            if let Some(part) = part {
                set(builder, &format!("{obr}-27.{component}"), &part)?;
            }
        }
    }
    Ok(())
}

/// Changes the message to version `to`; `Ok(false)` when it is in that version already, or
/// the path at fault and why when it is not an ADT or ORU message of 2.3 or 2.5.1.
pub fn change(builder: &mut MessageBuilder, to: Version) -> Result<bool, (String, String)> {
    let found = value(builder, "MSH-12.1").unwrap_or_default();
    let Some(from) = Version::parse(&found) else {
        return Err((
            "MSH-12".to_string(),
            format!("version {found:?}: versions change between 2.3 and 2.5.1"),
        ));
    };
    if from == to {
        return Ok(false);
    }
    let message_type = value(builder, "MSH-9.1").unwrap_or_default();
    let trigger = value(builder, "MSH-9.2").unwrap_or_default();
    if !["ADT", "ORU"].contains(&message_type.as_str()) {
        return Err((
            "MSH-9".to_string(),
            format!("{message_type:?}: versions change for ADT and ORU messages only"),
        ));
    }
    let encoding = builder.encoding();
    let component = char::from(encoding.component_separator());
    match to {
        Version::V2_5_1 => {
            let structure = structure(&message_type, &trigger).ok_or_else(|| {
                (
                    "MSH-9.2".to_string(),
                    format!("{message_type}^{trigger} has no 2.5.1 message structure"),
                )
            })?;
            set(builder, "MSH-9.3", structure)?;
        }
        Version::V2_3 => {
            let header = format!("{message_type}{component}{trigger}");
            let path = Path::parse("MSH-9").map_err(|err| ("MSH-9".into(), err.to_string()))?;
            builder
                .set_raw(&path, header.as_bytes())
                .map_err(|err| ("MSH-9".to_string(), err.to_string()))?;
            if message_type == "ADT"
                && builder.segment_ids().any(|id| id == "EVN")
                && value(builder, "EVN-1").is_none()
            {
                set(builder, "EVN-1", &trigger)?;
            }
            quantity_timing(builder)?;
            narrow_fields(builder)?;
            builder.retain_segments(|id| !NOT_IN_2_3.contains(&id));
            builder.truncate_fields(|id| {
                FIELDS_2_3
                    .iter()
                    .find(|(segment, _)| *segment == id)
                    .map(|(_, count)| *count)
            });
            let observations = builder.segment_ids().filter(|id| *id == "OBX").count();
            for n in 1..=observations {
                let path = format!("OBX[{n}]-2");
                if matches!(value(builder, &path).as_deref(), Some("CWE" | "CNE")) {
                    set(builder, &path, "CE")?;
                }
            }
        }
    }
    set(builder, "MSH-12", to.as_str())?;
    Ok(true)
}
