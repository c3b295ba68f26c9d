//! Building outbound messages: values are set by path, escaped for the builder's encoding, and
//! written with a `\r` after every segment.
//!
//! The builder starts with an MSH segment whose MSH-1 and MSH-2 come from its [`Encoding`]; set
//! everything else by path. Setting a path in a segment that does not exist yet appends that
//! segment (and, for `SEG[n]`, as many empty ones before it as needed) at the end; use
//! [`MessageBuilder::add_segment`] to choose the order. Setting a field replaces the whole field;
//! setting a component or subcomponent keeps its neighbours and inserts empty ones as needed.
//!
//! [`MessageBuilder::from_message`] starts from a received message instead, to edit it: its
//! segments are kept as they are (a segment no edit touches is written byte for byte as it
//! came, with `\r` as its terminator), values are read back by path ([`MessageBuilder::get`]),
//! and segments can be removed and inserted.

use std::borrow::Cow;
use std::ops::Range;

use memchr::memchr;

use super::encoding::Encoding;
use super::escape::{escape, unescape};
use super::parse::Message;
use super::path::{Path, PathError};
use super::segment::is_header_id;

/// Why a value could not be set.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    /// The path string is invalid.
    #[error(transparent)]
    Path(#[from] PathError),
    /// MSH-1 and MSH-2 (and BHS/FHS-1, -2) are written from the builder's encoding.
    #[error("{path} is written from the builder's encoding and cannot be set")]
    ReservedField {
        /// The path that was set.
        path: String,
    },
    /// A segment id that is not 3 letters or digits.
    #[error("segment id must be 3 letters or digits, found {found:?}")]
    SegmentId {
        /// The id given (at most 8 characters).
        found: String,
    },
    /// A raw value holds a delimiter that would change the structure at its path.
    #[error(
        "raw value for {path} contains {delimiter:?}, which would change the message structure"
    )]
    RawValueDelimiter {
        /// The path that was set.
        path: String,
        /// The offending delimiter or line end.
        delimiter: char,
    },
}

/// A message under construction. See the module documentation.
#[derive(Clone, Debug)]
pub struct MessageBuilder {
    encoding: Encoding,
    segments: Vec<SegmentDraft>,
}

/// One segment: its id and the encoded bytes after `ID|` (after `MSH|^~\&|` for headers).
#[derive(Clone, Debug)]
struct SegmentDraft {
    id: [u8; 3],
    body: Vec<u8>,
}

impl MessageBuilder {
    /// Starts a message written with `encoding`, holding an MSH segment with only MSH-1 and
    /// MSH-2.
    pub fn new(encoding: Encoding) -> Self {
        MessageBuilder {
            encoding,
            segments: vec![SegmentDraft {
                id: *b"MSH",
                body: Vec::new(),
            }],
        }
    }

    /// The encoding the message is written with.
    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// A builder holding `message`'s segments as they are, written with its encoding, to edit.
    pub fn from_message(message: &Message<'_>) -> Self {
        let encoding = message.encoding();
        let segments = message
            .segments()
            .map(|segment| {
                let raw = segment.raw();
                let id = match *raw {
                    [a, b, c, ..] => [a, b, c],
                    _ => *b"MSH",
                };
                // The bytes after `ID|`, or after `MSH|^~\&|` for a header.
                let skip = if is_header_id(&id) {
                    5 + encoding.msh2().len()
                } else {
                    4
                };
                SegmentDraft {
                    id,
                    body: raw.get(skip..).unwrap_or_default().to_vec(),
                }
            })
            .collect();
        MessageBuilder { encoding, segments }
    }

    /// Appends an empty segment with the given id (3 letters or digits).
    pub fn add_segment(&mut self, id: &str) -> Result<&mut Self, BuildError> {
        let id = segment_id(id)?;
        self.segments.push(SegmentDraft {
            id,
            body: Vec::new(),
        });
        Ok(self)
    }

    /// Inserts a segment at `index` (0-based; past the end appends it) from its id and the
    /// encoded bytes after `ID|`, written with this builder's encoding. A header segment
    /// cannot be inserted, and the bytes may not hold a line end.
    pub fn insert_segment(
        &mut self,
        index: usize,
        id: &str,
        body: &[u8],
    ) -> Result<&mut Self, BuildError> {
        let id = segment_id(id)?;
        if is_header_id(&id) {
            return Err(BuildError::ReservedField {
                path: format!("{}-1", String::from_utf8_lossy(&id)),
            });
        }
        if let Some(&delimiter) = body.iter().find(|&&byte| byte == b'\r' || byte == b'\n') {
            return Err(BuildError::RawValueDelimiter {
                path: String::from_utf8_lossy(&id).into_owned(),
                delimiter: char::from(delimiter),
            });
        }
        let index = index.min(self.segments.len());
        self.segments.insert(
            index,
            SegmentDraft {
                id,
                body: body.to_vec(),
            },
        );
        Ok(self)
    }

    /// The id of every segment, in order, MSH first.
    pub fn segment_ids(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.segments
            .iter()
            .map(|segment| std::str::from_utf8(&segment.id).unwrap_or_default())
    }

    /// Keeps only the segments for whose id `keep` answers true; the first segment (the
    /// header) always stays. Returns how many were removed.
    pub fn retain_segments(&mut self, mut keep: impl FnMut(&str) -> bool) -> usize {
        let before = self.segments.len();
        let mut index = 0;
        self.segments.retain(|segment| {
            index += 1;
            index == 1 || keep(std::str::from_utf8(&segment.id).unwrap_or_default())
        });
        before - self.segments.len()
    }

    /// Cuts every segment after the last field `fields` allows for its id (`None`: kept
    /// whole); a header's count includes MSH-1 and MSH-2. Returns how many segments lost
    /// fields.
    pub fn truncate_fields(&mut self, fields: impl Fn(&str) -> Option<usize>) -> usize {
        let separator = self.encoding.field_separator();
        let mut cut = 0;
        for segment in &mut self.segments {
            let id = std::str::from_utf8(&segment.id).unwrap_or_default();
            let Some(limit) = fields(id) else {
                continue;
            };
            // The body starts at field 1, or at field 3 for a header.
            let kept = if is_header_id(&segment.id) {
                limit.saturating_sub(2)
            } else {
                limit
            };
            let end = segment
                .body
                .iter()
                .enumerate()
                .filter(|(_, byte)| **byte == separator)
                .nth(kept.saturating_sub(1))
                .map(|(at, _)| at);
            match end {
                Some(end) if kept > 0 => segment.body.truncate(end),
                _ if kept == 0 && !segment.body.is_empty() => segment.body.clear(),
                _ => continue,
            }
            cut += 1;
        }
        cut
    }

    /// The raw bytes at `path` as written so far (escape sequences not decoded), or `None`
    /// when the segment, field, repetition, component or subcomponent is absent. MSH-1 and
    /// MSH-2 are not read here (see [`MessageBuilder::encoding`]).
    pub fn get_raw(&self, path: &Path) -> Option<&[u8]> {
        let id = path.segment_bytes();
        let segment = self
            .segments
            .iter()
            .filter(|segment| segment.id == id)
            .nth(path.occurrence().unwrap_or(1).checked_sub(1)?)?;
        let first_body_field = if is_header_id(&id) { 3 } else { 1 };
        let part = (path.field() + 1).checked_sub(first_body_field)?;
        let body = &segment.body;
        let mut range =
            find_part(body, 0..body.len(), self.encoding.field_separator(), part).ok()?;
        for (number, delimiter) in levels_of(path, &self.encoding) {
            if let Some(number) = number {
                range = find_part(body, range, delimiter, number).ok()?;
            }
        }
        body.get(range)
    }

    /// The decoded value at `path` as written so far, or `None` when it is absent.
    pub fn get(&self, path: &Path) -> Option<Cow<'_, str>> {
        Some(unescape(self.get_raw(path)?, &self.encoding))
    }

    /// Sets the value at `path` (e.g. `"PID-5.1"`), escaping every delimiter in it.
    pub fn set(&mut self, path: &str, value: &str) -> Result<&mut Self, BuildError> {
        self.set_path(&Path::parse(path)?, value)
    }

    /// Sets the value at a parsed `path`, escaping every delimiter in it.
    pub fn set_path(&mut self, path: &Path, value: &str) -> Result<&mut Self, BuildError> {
        let escaped = escape(value, &self.encoding);
        self.check_settable(path)?;
        self.write(path, escaped.as_bytes());
        Ok(self)
    }

    /// Sets already-encoded bytes at `path`, as they should appear in the message (written
    /// with this builder's encoding). At field level they may hold repetitions, components and
    /// subcomponents; deeper levels may not hold their own or higher delimiters. The field
    /// separator and line ends are always refused.
    pub fn set_raw(&mut self, path: &Path, raw: &[u8]) -> Result<&mut Self, BuildError> {
        self.check_settable(path)?;
        let encoding = &self.encoding;
        let forbidden = [
            Some(b'\r'),
            Some(b'\n'),
            Some(encoding.field_separator()),
            (path.repetition().is_some() || path.component().is_some())
                .then_some(encoding.repetition_separator()),
            path.component().map(|_| encoding.component_separator()),
            path.subcomponent()
                .map(|_| encoding.subcomponent_separator()),
        ];
        if let Some(&delimiter) = raw.iter().find(|byte| forbidden.contains(&Some(**byte))) {
            return Err(BuildError::RawValueDelimiter {
                path: path.to_string(),
                delimiter: char::from(delimiter),
            });
        }
        self.write(path, raw);
        Ok(self)
    }

    /// Writes the message: segments in order, each followed by `\r`.
    pub fn build(&self) -> Vec<u8> {
        let capacity = self
            .segments
            .iter()
            .map(|segment| segment.body.len() + 10)
            .sum();
        let mut message = Vec::with_capacity(capacity);
        let field_separator = self.encoding.field_separator();
        for segment in &self.segments {
            message.extend_from_slice(&segment.id);
            message.push(field_separator);
            if is_header_id(&segment.id) {
                message.extend(self.encoding.msh2());
                message.push(field_separator);
            }
            message.extend_from_slice(&segment.body);
            message.push(b'\r');
        }
        message
    }

    fn check_settable(&self, path: &Path) -> Result<(), BuildError> {
        if is_header_id(&path.segment_bytes()) && path.field() <= 2 {
            return Err(BuildError::ReservedField {
                path: path.to_string(),
            });
        }
        Ok(())
    }

    /// Puts `encoded` at `path`, creating the segment and any missing delimiters. Paths to
    /// MSH-1 or MSH-2 are ignored (see [`Self::check_settable`]).
    pub(super) fn write(&mut self, path: &Path, encoded: &[u8]) {
        let encoding = self.encoding;
        let Some(segment) = self.segment_mut(path) else {
            return;
        };
        let first_body_field = if is_header_id(&segment.id) { 3 } else { 1 };
        let Some(part) = (path.field() + 1).checked_sub(first_body_field) else {
            return;
        };
        let body = &mut segment.body;
        let mut range = part_range(body, 0..body.len(), encoding.field_separator(), part);
        for (number, delimiter) in levels_of(path, &encoding) {
            if let Some(number) = number {
                range = part_range(body, range, delimiter, number);
            }
        }
        body.splice(range, encoded.iter().copied());
    }

    /// The segment `path` designates, appending it (and empty ones before it) if needed.
    fn segment_mut(&mut self, path: &Path) -> Option<&mut SegmentDraft> {
        let id = path.segment_bytes();
        let occurrence = path.occurrence().unwrap_or(1);
        let existing = self
            .segments
            .iter()
            .filter(|segment| segment.id == id)
            .count();
        for _ in existing..occurrence {
            self.segments.push(SegmentDraft {
                id,
                body: Vec::new(),
            });
        }
        self.segments
            .iter_mut()
            .filter(|segment| segment.id == id)
            .nth(occurrence.saturating_sub(1))
    }
}

impl Default for MessageBuilder {
    /// A builder with the standard encoding `|^~\&`.
    fn default() -> Self {
        MessageBuilder::new(Encoding::STANDARD)
    }
}

/// A segment id of 3 letters or digits.
fn segment_id(id: &str) -> Result<[u8; 3], BuildError> {
    match *id.as_bytes() {
        [a, b, c] if [a, b, c].iter().all(u8::is_ascii_alphanumeric) => Ok([a, b, c]),
        _ => Err(BuildError::SegmentId {
            found: id.chars().take(8).collect(),
        }),
    }
}

/// The repetition (the first when a component is named), component and subcomponent `path`
/// names, each with the delimiter that separates it from its neighbours.
fn levels_of(path: &Path, encoding: &Encoding) -> [(Option<usize>, u8); 3] {
    let repetition = path.repetition().or(path.component().map(|_| 1));
    [
        (repetition, encoding.repetition_separator()),
        (path.component(), encoding.component_separator()),
        (path.subcomponent(), encoding.subcomponent_separator()),
    ]
}

/// The byte range of part `number` (1-based) of `bytes[window]` split on `delimiter`, or, when
/// the window has fewer parts, how many delimiters are missing.
fn find_part(
    bytes: &[u8],
    window: Range<usize>,
    delimiter: u8,
    number: usize,
) -> Result<Range<usize>, usize> {
    let mut start = window.start;
    for passed in 1..number {
        let rest = bytes.get(start..window.end).unwrap_or_default();
        match memchr(delimiter, rest) {
            Some(at) => start += at + 1,
            None => return Err(number - passed),
        }
    }
    let rest = bytes.get(start..window.end).unwrap_or_default();
    let end = memchr(delimiter, rest).map_or(window.end, |at| start + at);
    Ok(start..end)
}

/// The byte range of part `number` (1-based) of `bytes[window]` split on `delimiter`. When the
/// window has fewer parts, delimiters are appended at its end and the empty range after them
/// is returned.
fn part_range(
    bytes: &mut Vec<u8>,
    window: Range<usize>,
    delimiter: u8,
    number: usize,
) -> Range<usize> {
    match find_part(bytes, window.clone(), delimiter, number) {
        Ok(range) => range,
        Err(missing) => {
            bytes.splice(
                window.end..window.end,
                std::iter::repeat_n(delimiter, missing),
            );
            let end = window.end + missing;
            end..end
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hl7v2::parse::Message;

    fn built(builder: &MessageBuilder) -> String {
        String::from_utf8(builder.build()).unwrap()
    }

    #[test]
    fn starts_with_msh1_and_msh2() {
        assert_eq!(built(&MessageBuilder::default()), "MSH|^~\\&|\r");
        let custom = Encoding::from_msh(b'#', b"$%*@").unwrap();
        assert_eq!(built(&MessageBuilder::new(custom)), "MSH#$%*@#\r");
        let truncation = Encoding::STANDARD.with_truncation(b'#').unwrap();
        assert_eq!(built(&MessageBuilder::new(truncation)), "MSH|^~\\&#|\r");
    }

    #[test]
    fn sets_values_by_path() -> Result<(), BuildError> {
        let mut builder = MessageBuilder::default();
        builder
            .set("MSH-3", "APP")?
            .set("MSH-9.1", "ADT")?
            .set("MSH-9.2", "A01")?
            .set("MSH-10", "1")?
            .set("MSH-12", "2.5.1")?
            .add_segment("EVN")?
            .set("EVN-1", "A01")?
            .set("PID-3[2].1", "SSN")?
            .set("PID-3.4.2", "1.2.3")?
            .set("PID-5.1", "O'Brien|Jr")?
            .set("PID-5.2", "Seán")?;
        assert_eq!(
            built(&builder),
            "MSH|^~\\&|APP||||||ADT^A01|1||2.5.1\r\
             EVN|A01\r\
             PID|||^^^&1.2.3~SSN||O'Brien\\F\\Jr^Seán\r"
        );
        Ok(())
    }

    #[test]
    fn replaces_values_and_keeps_neighbours() -> Result<(), BuildError> {
        let mut builder = MessageBuilder::default();
        builder.set("PID-5", "A^B")?;
        assert_eq!(built(&builder), "MSH|^~\\&|\rPID|||||A\\S\\B\r");
        builder.set("PID-5.2", "given")?.set("PID-5.1", "family")?;
        builder.set("PID-7", "19700101")?.set("PID-5.3", "middle")?;
        assert_eq!(
            built(&builder),
            "MSH|^~\\&|\rPID|||||family^given^middle||19700101\r"
        );
        builder.set("PID-5", "whole")?;
        assert_eq!(built(&builder), "MSH|^~\\&|\rPID|||||whole||19700101\r");
        Ok(())
    }

    #[test]
    fn creates_repeating_segments_in_order() -> Result<(), BuildError> {
        let mut builder = MessageBuilder::default();
        builder
            .set("FT1-1", "1")?
            .set("FT1[3]-1", "3")?
            .set("FT1[2]-1", "2")?
            .set("FT1[2]-7.1", "85025")?;
        assert_eq!(
            built(&builder),
            "MSH|^~\\&|\rFT1|1\rFT1|2||||||85025\rFT1|3\r"
        );
        Ok(())
    }

    #[test]
    fn refuses_reserved_fields_and_bad_input() {
        let mut builder = MessageBuilder::default();
        assert_eq!(
            builder.set("MSH-1", "#").unwrap_err().to_string(),
            "MSH-1 is written from the builder's encoding and cannot be set"
        );
        assert!(matches!(
            builder.set("MSH-2.1", "x"),
            Err(BuildError::ReservedField { .. })
        ));
        assert!(matches!(
            builder.set("PID-0", "x"),
            Err(BuildError::Path(_))
        ));
        assert_eq!(
            builder.add_segment("PIDX").unwrap_err().to_string(),
            "segment id must be 3 letters or digits, found \"PIDX\""
        );
        assert!(builder.add_segment("P|D").is_err());
    }

    #[test]
    fn sets_raw_values_checking_delimiters() -> Result<(), BuildError> {
        let mut builder = MessageBuilder::default();
        let field = Path::parse("MSH-4")?;
        builder.set_raw(&field, b"FAC^1.2.3^ISO")?;
        let component = Path::parse("PID-5.1")?;
        builder.set_raw(&component, b"A&B")?;
        assert_eq!(built(&builder), "MSH|^~\\&||FAC^1.2.3^ISO\rPID|||||A&B\r");
        let error = builder.set_raw(&component, b"A^B").unwrap_err();
        assert_eq!(
            error.to_string(),
            "raw value for PID-5.1 contains '^', which would change the message structure"
        );
        assert!(builder.set_raw(&field, b"A|B").is_err());
        assert!(builder.set_raw(&field, b"A\rB").is_err());
        assert!(builder.set_raw(&Path::parse("PID-3[2]")?, b"A~B").is_err());
        assert!(builder.set_raw(&Path::parse("PID-5.1.1")?, b"A&B").is_err());
        Ok(())
    }

    #[test]
    fn edits_a_received_message_keeping_untouched_segments() -> Result<(), BuildError> {
        let raw = b"MSH#$%*@#APP#FAC#LAB##20240101##ADT$A08#1#P#2.5\nPID#1##X1$$$AUTH%X2##A*S*B\nZPI#z\nPV1#1#I";
        let message = Message::parse(raw).expect("sample parses");
        let mut builder = MessageBuilder::from_message(&message);
        assert_eq!(
            builder.build(),
            b"MSH#$%*@#APP#FAC#LAB##20240101##ADT$A08#1#P#2.5\rPID#1##X1$$$AUTH%X2##A*S*B\rZPI#z\rPV1#1#I\r"
        );
        let authority = Path::parse("PID-3.4")?;
        assert_eq!(builder.get(&authority).as_deref(), Some("AUTH"));
        assert_eq!(
            builder.get(&Path::parse("PID-3[2]")?).as_deref(),
            Some("X2")
        );
        assert_eq!(builder.get(&Path::parse("PID-5")?).as_deref(), Some("A$B"));
        assert_eq!(builder.get(&Path::parse("PID-3[3]")?), None);
        assert_eq!(
            builder.get(&Path::parse("MSH-9.2")?).as_deref(),
            Some("A08")
        );
        builder.set_path(&authority, "GH")?;
        assert_eq!(builder.retain_segments(|id| !id.starts_with('Z')), 1);
        builder.insert_segment(2, "NTE", b"1##note")?;
        assert_eq!(
            builder.segment_ids().collect::<Vec<_>>(),
            ["MSH", "PID", "NTE", "PV1"]
        );
        assert_eq!(
            built(&builder),
            "MSH#$%*@#APP#FAC#LAB##20240101##ADT$A08#1#P#2.5\rPID#1##X1$$$GH%X2##A*S*B\rNTE#1##note\rPV1#1#I\r"
        );
        assert!(builder.insert_segment(1, "MSH", b"x").is_err());
        assert!(builder.insert_segment(1, "NTE", b"a\rb").is_err());
        Ok(())
    }

    #[test]
    fn values_with_every_delimiter_round_trip() -> Result<(), BuildError> {
        let value = "a|b^c~d\\e&f\rg\nh#é \\X41\\ \\F\\";
        let encodings = [
            Encoding::STANDARD,
            Encoding::from_msh(b'#', b"$%*@").unwrap(),
            Encoding::STANDARD.with_truncation(b'#').unwrap(),
        ];
        let paths = [
            "PID-5",
            "PID-5.1",
            "PID-5.1.2",
            "PID-3[2].4.1",
            "FT1[2]-7",
            "MSH-3",
        ];
        for encoding in encodings {
            for path in paths {
                let mut builder = MessageBuilder::new(encoding);
                builder.set(path, value)?.set("PID-1", "1")?;
                let bytes = builder.build();
                let message = Message::parse(&bytes).expect("built message parses");
                assert_eq!(
                    message.get(path).as_deref(),
                    Some(value),
                    "{path} {encoding}"
                );
                assert_eq!(message.get("PID-1").as_deref(), Some("1"));
            }
        }
        Ok(())
    }
}
