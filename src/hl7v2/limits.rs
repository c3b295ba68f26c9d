//! Caps on the structure of a message: segments, fields per segment, repetitions per field and
//! components per repetition. A reader that does work for each element it finds (a mapping
//! that makes a record per repetition, a converter that makes a resource per segment) checks
//! them first, so that what one message costs stays bounded by the caps rather than by what a
//! sender puts in it.
//!
//! [`Limits::check`] reads the message once, counting delimiters with `memchr`; it allocates
//! nothing and stops at the first element past a cap.

use std::fmt;

use memchr::memchr3_iter;

use super::parse::Message;
use super::segment::Segment;

/// Caps on what one message may hold (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Segments in the message, MSH included.
    pub segments: usize,
    /// Fields in one segment (MSH-1 and MSH-2 count as fields, as the standard numbers them).
    pub fields: usize,
    /// Repetitions of one field.
    pub repetitions: usize,
    /// Components of one repetition.
    pub components: usize,
}

/// Which cap a message went past.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// [`Limits::segments`].
    Segments,
    /// [`Limits::fields`].
    Fields,
    /// [`Limits::repetitions`].
    Repetitions,
    /// [`Limits::components`].
    Components,
}

impl Limit {
    /// The plural noun of what is counted, e.g. `repetitions`.
    pub fn counted(self) -> &'static str {
        match self {
            Limit::Segments => "segments",
            Limit::Fields => "fields",
            Limit::Repetitions => "repetitions",
            Limit::Components => "components",
        }
    }
}

/// A message past one of its [`Limits`]: which, the cap, and where the first element past it
/// is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct LimitExceeded {
    /// The cap gone past.
    pub limit: Limit,
    /// Its value.
    pub max: usize,
    /// What holds too many: `the message`, `segment 4 (OBX)`, `PID-3`, `PID-5[2]`.
    pub holder: String,
    /// Where, as a terse path: the field that holds too many repetitions (`PID-3`), the
    /// repetition that holds too many components (`PID-5[2]`), the first field past the cap
    /// (`OBX-501`); none for the message's segments.
    pub location: Option<String>,
}

impl fmt::Display for LimitExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} has more than {} {}",
            self.holder,
            self.max,
            self.limit.counted()
        )
    }
}

impl Limits {
    /// Checks every segment of `message` against the caps; the first element past one is the
    /// error.
    pub fn check(&self, message: &Message<'_>) -> Result<(), LimitExceeded> {
        if message.segment_count() > self.segments {
            return Err(LimitExceeded {
                limit: Limit::Segments,
                max: self.segments,
                holder: "the message".to_string(),
                location: None,
            });
        }
        for (index, segment) in message.segments().enumerate() {
            self.check_segment(&segment).map_err(|counted| {
                // Which occurrence of its id the segment is, for the location.
                let occurrence = message
                    .segments()
                    .take(index + 1)
                    .filter(|s| s.raw().get(..3) == segment.raw().get(..3))
                    .count();
                counted.exceeded(self, index + 1, occurrence, &segment)
            })?;
        }
        Ok(())
    }

    /// Checks one segment: its fields, their repetitions and components.
    fn check_segment(&self, segment: &Segment<'_>) -> Result<(), Counted> {
        let encoding = segment.encoding();
        let raw = segment.raw();
        // A bare segment id has no field. Field 1 starts after the id and the field
        // separator; in a header segment, field 1 is the separator itself and field 2 the
        // encoding characters, which are not split.
        let Some(after) = raw.get(4..) else {
            return Ok(());
        };
        let (mut field, body) = if segment.is_header() {
            match memchr::memchr(encoding.field_separator(), after) {
                Some(end) => (3, after.get(end + 1..).unwrap_or_default()),
                None => (2, &[][..]),
            }
        } else {
            (1, after)
        };
        let (mut repetition, mut component) = (1, 1);
        let at = |field, repetition, component| Counted {
            field,
            repetition,
            component,
        };
        if field > self.fields {
            return Err(at(field, 0, 0));
        }
        for position in memchr3_iter(
            encoding.field_separator(),
            encoding.repetition_separator(),
            encoding.component_separator(),
            body,
        ) {
            let byte = body[position];
            if byte == encoding.field_separator() {
                field += 1;
                (repetition, component) = (1, 1);
                if field > self.fields {
                    return Err(at(field, 0, 0));
                }
            } else if byte == encoding.repetition_separator() {
                repetition += 1;
                component = 1;
                if repetition > self.repetitions {
                    return Err(at(field, repetition, 0));
                }
            } else {
                component += 1;
                if component > self.components {
                    return Err(at(field, repetition, component));
                }
            }
        }
        Ok(())
    }
}

/// Where in a segment the first element past a cap is: a field, a repetition of it, or a
/// component of that repetition (0 where the level is not the one counted).
struct Counted {
    field: usize,
    repetition: usize,
    component: usize,
}

impl Counted {
    /// The error for `segment`, number `number` of the message and occurrence `occurrence`
    /// of its id.
    fn exceeded(
        self,
        limits: &Limits,
        number: usize,
        occurrence: usize,
        segment: &Segment<'_>,
    ) -> LimitExceeded {
        let id = segment.id();
        let occurrence = if occurrence > 1 {
            format!("[{occurrence}]")
        } else {
            String::new()
        };
        let field = format!("{id}{occurrence}-{}", self.field);
        let repetition = format!("{field}[{}]", self.repetition);
        let (limit, max, holder, location) = if self.repetition == 0 {
            let holder = format!("segment {number} ({id})");
            (Limit::Fields, limits.fields, holder, field)
        } else if self.component == 0 {
            (Limit::Repetitions, limits.repetitions, field.clone(), field)
        } else {
            let holder = repetition.clone();
            (Limit::Components, limits.components, holder, repetition)
        };
        LimitExceeded {
            limit,
            max,
            holder,
            location: Some(location),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits {
        segments: 4,
        fields: 6,
        repetitions: 3,
        components: 4,
    };

    fn check(raw: &[u8]) -> Result<(), LimitExceeded> {
        LIMITS.check(&Message::parse(raw).expect("parses"))
    }

    fn refused(raw: &[u8]) -> (Limit, String, Option<String>) {
        let exceeded = check(raw).expect_err("past a limit");
        assert!(exceeded.to_string().ends_with(exceeded.limit.counted()));
        (exceeded.limit, exceeded.holder, exceeded.location)
    }

    #[test]
    fn a_message_within_the_limits_passes() {
        check(b"MSH|^~\\&|A|B|C|D\rPID|1||X~Y~Z||A^B^C^D\rZZZ\rPV1|1|I").unwrap();
        // The encoding characters of MSH-2 are not separators; escaped ones neither.
        check(b"MSH|^~\\&|A^B^C^D~B~C|B|C|D\rNTE|1||\\S\\\\S\\\\S\\\\S\\\\R\\\\R\\\\R\\").unwrap();
    }

    #[test]
    fn each_limit_names_what_holds_too_many() {
        assert_eq!(
            refused(b"MSH|^~\\&\rPID\rPID\rPID\rPID"),
            (Limit::Segments, "the message".into(), None)
        );
        assert_eq!(
            refused(b"MSH|^~\\&|3|4|5|6|7"),
            (
                Limit::Fields,
                "segment 1 (MSH)".into(),
                Some("MSH-7".into())
            )
        );
        assert_eq!(
            refused(b"MSH|^~\\&\rPID|1||~~~"),
            (Limit::Repetitions, "PID-3".into(), Some("PID-3".into()))
        );
        assert_eq!(
            refused(b"MSH|^~\\&\rOBX|1\rOBX|2||a~b^^^^"),
            (
                Limit::Components,
                "OBX[2]-3[2]".into(),
                Some("OBX[2]-3[2]".into())
            )
        );
        let exceeded = check(b"MSH|^~\\&\rPID|1||~~~").unwrap_err();
        assert_eq!(exceeded.to_string(), "PID-3 has more than 3 repetitions");
        assert_eq!(exceeded.max, 3);
    }

    #[test]
    fn a_million_repetitions_are_counted_to_the_cap() {
        let mut raw = b"MSH|^~\\&\rPID|1||".to_vec();
        raw.extend(std::iter::repeat_n(b'~', 1_000_000));
        let limits = Limits {
            repetitions: 1_000_001,
            ..LIMITS
        };
        limits.check(&Message::parse(&raw).unwrap()).unwrap();
        let exceeded = Limits {
            repetitions: 1_000_000,
            ..LIMITS
        }
        .check(&Message::parse(&raw).unwrap())
        .unwrap_err();
        assert_eq!(exceeded.limit, Limit::Repetitions);
    }
}
