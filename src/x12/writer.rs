//! X12 writer: builds an interchange segment by segment with the chosen separators, pads the
//! fixed-width ISA, and computes SE01, GE01 and IEA01 itself.
//!
//! X12 has no escape mechanism, so a data value containing a separator (or a line break) is
//! refused with [`WriteError::ForbiddenByte`] instead of producing a corrupt file. Control
//! numbers are chosen by the caller, who persists them. Output is only handed out by
//! [`X12Writer::finish`] once every envelope is closed, so a half-built interchange never
//! escapes.

use super::codes::UsageIndicator;
use super::separators::{SeparatorError, Separators};
use super::values::{Date, Time};

/// Largest control number that fits the nine digits of ISA13, GS06 and ST02.
pub const MAX_CONTROL_NUMBER: u32 = 999_999_999;

/// Why the writer refused to write.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WriteError {
    /// The chosen separators are unusable.
    #[error("invalid separators: {0}")]
    Separators(#[from] SeparatorError),
    /// Interchange version 00501 needs a repetition separator in ISA11.
    #[error("version 00501 needs a repetition separator")]
    MissingRepetitionSeparator,
    /// A data value contains a separator or line break, which X12 cannot escape.
    #[error("{segment_id} element {element}: value `{value}` contains `{}`, which is a separator or line break", char::from(*byte))]
    ForbiddenByte {
        /// Segment being written.
        segment_id: String,
        /// 1-based element position.
        element: usize,
        /// The refused value.
        value: String,
        /// The offending byte.
        byte: u8,
    },
    /// A value is longer than its fixed or maximum width.
    #[error("{field}: `{value}` is longer than {max} characters")]
    TooLong {
        /// Which field.
        field: String,
        /// The refused value.
        value: String,
        /// Maximum length.
        max: usize,
    },
    /// A value must have an exact width.
    #[error("{field}: `{value}` must be exactly {width} characters")]
    WrongWidth {
        /// Which field.
        field: String,
        /// The refused value.
        value: String,
        /// Required width.
        width: usize,
    },
    /// A segment identifier is not 2-3 uppercase letters or digits.
    #[error("`{0}` is not a segment identifier")]
    InvalidSegmentId(String),
    /// A control number is above 999999999.
    #[error("{field} {value} does not fit in nine digits")]
    ControlNumberTooLarge {
        /// Which control number.
        field: String,
        /// The value given.
        value: u32,
    },
    /// A call out of envelope order (a segment outside a transaction set, a second ISA...).
    #[error("cannot {action}: {reason}")]
    OutOfOrder {
        /// What was attempted.
        action: String,
        /// Why it is not allowed now.
        reason: String,
    },
}

/// ISA header values; the writer pads them to their fixed widths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterchangeHeader {
    /// ISA05: sender id qualifier (2 characters, e.g. `ZZ`).
    pub sender_qualifier: String,
    /// ISA06: sender id (at most 15 characters; padded with spaces).
    pub sender_id: String,
    /// ISA07: receiver id qualifier (2 characters).
    pub receiver_qualifier: String,
    /// ISA08: receiver id (at most 15 characters; padded with spaces).
    pub receiver_id: String,
    /// ISA09: interchange date (written `YYMMDD`).
    pub date: Date,
    /// ISA10: interchange time (written `HHMM`).
    pub time: Time,
    /// ISA13: interchange control number (written as nine zero-padded digits).
    pub control_number: u32,
    /// ISA14: whether a TA1 is requested.
    pub acknowledgment_requested: bool,
    /// ISA15: production or test.
    pub usage: UsageIndicator,
}

/// GS header values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupHeader {
    /// GS01: functional identifier code (`HC`, `FA`...).
    pub functional_id: String,
    /// GS02: application sender's code.
    pub sender_code: String,
    /// GS03: application receiver's code.
    pub receiver_code: String,
    /// GS04: group date (written `CCYYMMDD`).
    pub date: Date,
    /// GS05: group time (written `HHMM`).
    pub time: Time,
    /// GS06: group control number.
    pub control_number: u32,
    /// GS08: version / release / industry identifier code (e.g. `005010X222A1`).
    pub version: String,
}

/// One element of a segment to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field<'a> {
    /// A simple element.
    Simple(&'a str),
    /// A composite element; trailing empty components are dropped.
    Composite(&'a [&'a str]),
}

impl<'a> From<&'a str> for Field<'a> {
    fn from(value: &'a str) -> Self {
        Field::Simple(value)
    }
}

impl<'a> From<&'a String> for Field<'a> {
    fn from(value: &'a String) -> Self {
        Field::Simple(value)
    }
}

impl Field<'_> {
    fn is_empty(&self) -> bool {
        match self {
            Field::Simple(value) => value.is_empty(),
            Field::Composite(components) => components.iter().all(|c| c.is_empty()),
        }
    }
}

#[derive(Debug)]
struct Counter {
    control_number: u32,
    count: usize,
}

/// Builds one interchange in memory.
#[derive(Debug)]
pub struct X12Writer {
    separators: Separators,
    line_breaks: bool,
    output: Vec<u8>,
    interchange: Option<Counter>,
    group: Option<Counter>,
    set: Option<Counter>,
    interchange_done: bool,
}

fn out_of_order(action: &str, reason: &str) -> WriteError {
    WriteError::OutOfOrder {
        action: action.to_owned(),
        reason: reason.to_owned(),
    }
}

fn check_control_number(field: &str, value: u32) -> Result<u32, WriteError> {
    if value > MAX_CONTROL_NUMBER {
        return Err(WriteError::ControlNumberTooLarge {
            field: field.to_owned(),
            value,
        });
    }
    Ok(value)
}

/// `value` padded with spaces to `width`, refusing longer values.
fn padded(field: &str, value: &str, width: usize) -> Result<String, WriteError> {
    if value.len() > width {
        return Err(WriteError::TooLong {
            field: field.to_owned(),
            value: value.to_owned(),
            max: width,
        });
    }
    Ok(format!("{value:<width$}"))
}

fn exact(field: &str, value: &str, width: usize) -> Result<String, WriteError> {
    if value.len() != width {
        return Err(WriteError::WrongWidth {
            field: field.to_owned(),
            value: value.to_owned(),
            width,
        });
    }
    Ok(value.to_owned())
}

impl X12Writer {
    /// A writer with `separators` (which must include a repetition separator, as 00501
    /// requires); `line_breaks` adds a newline after every segment terminator.
    pub fn new(separators: Separators, line_breaks: bool) -> Result<Self, WriteError> {
        separators.validate()?;
        if separators.repetition.is_none() {
            return Err(WriteError::MissingRepetitionSeparator);
        }
        Ok(Self::with_checked_separators(separators, line_breaks))
    }

    /// A writer with `*`, `^`, `:` and `~`.
    pub fn standard(line_breaks: bool) -> Self {
        Self::with_checked_separators(Separators::STANDARD, line_breaks)
    }

    fn with_checked_separators(separators: Separators, line_breaks: bool) -> Self {
        X12Writer {
            separators,
            line_breaks,
            output: Vec::new(),
            interchange: None,
            group: None,
            set: None,
            interchange_done: false,
        }
    }

    /// The separators in use.
    pub fn separators(&self) -> Separators {
        self.separators
    }

    fn check_value(&self, segment_id: &str, element: usize, value: &str) -> Result<(), WriteError> {
        match value
            .bytes()
            .find(|&b| self.separators.is_separator(b) || b == b'\r' || b == b'\n')
        {
            Some(byte) => Err(WriteError::ForbiddenByte {
                segment_id: segment_id.to_owned(),
                element,
                value: value.to_owned(),
                byte,
            }),
            None => Ok(()),
        }
    }

    /// Appends a segment after checking every value; the caller counts it.
    fn emit(&mut self, id: &str, fields: &[Field<'_>]) -> Result<(), WriteError> {
        let valid_id = (2..=3).contains(&id.len())
            && id
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if !valid_id {
            return Err(WriteError::InvalidSegmentId(id.to_owned()));
        }
        let used = fields
            .iter()
            .rposition(|f| !f.is_empty())
            .map_or(0, |last| last + 1);
        let mut line = id.as_bytes().to_vec();
        for (index, field) in fields.iter().take(used).enumerate() {
            line.push(self.separators.element);
            match field {
                Field::Simple(value) => {
                    self.check_value(id, index + 1, value)?;
                    line.extend_from_slice(value.as_bytes());
                }
                Field::Composite(components) => {
                    let kept = components
                        .iter()
                        .rposition(|c| !c.is_empty())
                        .map_or(0, |last| last + 1);
                    for (position, component) in components.iter().take(kept).enumerate() {
                        self.check_value(id, index + 1, component)?;
                        if position > 0 {
                            line.push(self.separators.component);
                        }
                        line.extend_from_slice(component.as_bytes());
                    }
                }
            }
        }
        self.push_line(line);
        Ok(())
    }

    /// Appends a segment body with its terminator (and line break).
    fn push_line(&mut self, mut line: Vec<u8>) {
        line.push(self.separators.segment);
        if self.line_breaks {
            line.push(b'\n');
        }
        self.output.extend_from_slice(&line);
    }

    /// Writes the ISA segment.
    pub fn begin_interchange(&mut self, header: &InterchangeHeader) -> Result<(), WriteError> {
        if self.interchange.is_some() || self.interchange_done {
            return Err(out_of_order(
                "begin an interchange",
                "a writer holds one interchange",
            ));
        }
        let control_number =
            check_control_number("ISA13 interchange control number", header.control_number)?;
        let repetition = self
            .separators
            .repetition
            .ok_or(WriteError::MissingRepetitionSeparator)?;
        let values = [
            "00".to_owned(),
            " ".repeat(10),
            "00".to_owned(),
            " ".repeat(10),
            exact("ISA05 sender id qualifier", &header.sender_qualifier, 2)?,
            padded("ISA06 sender id", &header.sender_id, 15)?,
            exact("ISA07 receiver id qualifier", &header.receiver_qualifier, 2)?,
            padded("ISA08 receiver id", &header.receiver_id, 15)?,
            header.date.yymmdd(),
            header.time.hhmm(),
            char::from(repetition).to_string(),
            "00501".to_owned(),
            format!("{control_number:09}"),
            if header.acknowledgment_requested {
                "1"
            } else {
                "0"
            }
            .to_owned(),
            exact("ISA15 usage indicator", header.usage.code(), 1)?,
            char::from(self.separators.component).to_string(),
        ];
        let mut line = b"ISA".to_vec();
        for (index, value) in values.iter().enumerate() {
            // ISA11 and ISA16 carry separators by definition.
            if index != 10 && index != 15 {
                self.check_value("ISA", index + 1, value)?;
            }
            line.push(self.separators.element);
            line.extend_from_slice(value.as_bytes());
        }
        self.push_line(line);
        self.interchange = Some(Counter {
            control_number,
            count: 0,
        });
        Ok(())
    }

    /// Writes a GS segment, opening a functional group.
    pub fn begin_group(&mut self, header: &GroupHeader) -> Result<(), WriteError> {
        if self.interchange.is_none() {
            return Err(out_of_order("begin a group", "no interchange is open"));
        }
        if self.group.is_some() {
            return Err(out_of_order("begin a group", "a group is already open"));
        }
        let control_number =
            check_control_number("GS06 group control number", header.control_number)?;
        let control = control_number.to_string();
        let date = header.date.ccyymmdd();
        let time = header.time.hhmm();
        self.emit(
            "GS",
            &[
                Field::Simple(&header.functional_id),
                Field::Simple(&header.sender_code),
                Field::Simple(&header.receiver_code),
                Field::Simple(&date),
                Field::Simple(&time),
                Field::Simple(&control),
                Field::Simple("X"),
                Field::Simple(&header.version),
            ],
        )?;
        self.group = Some(Counter {
            control_number,
            count: 0,
        });
        Ok(())
    }

    /// Writes an ST segment (`ST02` is the control number, zero-padded to four digits).
    pub fn begin_transaction(
        &mut self,
        id_code: &str,
        control_number: u32,
        implementation_ref: Option<&str>,
    ) -> Result<(), WriteError> {
        if self.group.is_none() {
            return Err(out_of_order(
                "begin a transaction set",
                "no functional group is open",
            ));
        }
        if self.set.is_some() {
            return Err(out_of_order(
                "begin a transaction set",
                "a transaction set is already open",
            ));
        }
        let control_number =
            check_control_number("ST02 transaction set control number", control_number)?;
        let control = format!("{control_number:04}");
        self.emit(
            "ST",
            &[
                Field::Simple(id_code),
                Field::Simple(&control),
                Field::Simple(implementation_ref.unwrap_or_default()),
            ],
        )?;
        self.set = Some(Counter {
            control_number,
            count: 1,
        });
        Ok(())
    }

    /// Writes a segment of simple elements inside the open transaction set. Trailing empty
    /// elements are dropped; empty ones in between are kept.
    pub fn segment(&mut self, id: &str, elements: &[&str]) -> Result<(), WriteError> {
        let fields: Vec<Field<'_>> = elements.iter().map(|&e| Field::Simple(e)).collect();
        self.segment_fields(id, &fields)
    }

    /// Writes a segment whose elements may be composites inside the open transaction set.
    pub fn segment_fields(&mut self, id: &str, fields: &[Field<'_>]) -> Result<(), WriteError> {
        if self.set.is_none() {
            return Err(out_of_order(
                &format!("write {id}"),
                "no transaction set is open",
            ));
        }
        if matches!(id, "ISA" | "IEA" | "GS" | "GE" | "ST" | "SE") {
            return Err(out_of_order(
                &format!("write {id}"),
                "envelope segments are written by the begin/end methods",
            ));
        }
        self.emit(id, fields)?;
        if let Some(set) = self.set.as_mut() {
            set.count += 1;
        }
        Ok(())
    }

    /// Writes SE with the segment count (ST and SE included).
    pub fn end_transaction(&mut self) -> Result<(), WriteError> {
        let set = self
            .set
            .take()
            .ok_or_else(|| out_of_order("end a transaction set", "none is open"))?;
        let count = (set.count + 1).to_string();
        let control = format!("{:04}", set.control_number);
        self.emit("SE", &[Field::Simple(&count), Field::Simple(&control)])?;
        if let Some(group) = self.group.as_mut() {
            group.count += 1;
        }
        Ok(())
    }

    /// Writes GE with the number of transaction sets.
    pub fn end_group(&mut self) -> Result<(), WriteError> {
        if self.set.is_some() {
            return Err(out_of_order(
                "end a group",
                "a transaction set is still open",
            ));
        }
        let group = self
            .group
            .take()
            .ok_or_else(|| out_of_order("end a group", "none is open"))?;
        let count = group.count.to_string();
        let control = group.control_number.to_string();
        self.emit("GE", &[Field::Simple(&count), Field::Simple(&control)])?;
        if let Some(interchange) = self.interchange.as_mut() {
            interchange.count += 1;
        }
        Ok(())
    }

    /// Writes IEA with the number of functional groups.
    pub fn end_interchange(&mut self) -> Result<(), WriteError> {
        if self.group.is_some() {
            return Err(out_of_order("end the interchange", "a group is still open"));
        }
        let interchange = self
            .interchange
            .take()
            .ok_or_else(|| out_of_order("end the interchange", "none is open"))?;
        let count = interchange.count.to_string();
        let control = format!("{:09}", interchange.control_number);
        self.emit("IEA", &[Field::Simple(&count), Field::Simple(&control)])?;
        self.interchange_done = true;
        Ok(())
    }

    /// The finished interchange; refused while any envelope is open or none was written.
    pub fn finish(self) -> Result<Vec<u8>, WriteError> {
        if !self.interchange_done || self.interchange.is_some() {
            return Err(out_of_order("finish", "the interchange is not closed"));
        }
        Ok(self.output)
    }

    /// Closes the transaction set, group and interchange that [`SingleSetEnvelope::begin`]
    /// opened, and returns the interchange.
    pub fn finish_single_set(mut self) -> Result<Vec<u8>, WriteError> {
        self.end_transaction()?;
        self.end_group()?;
        self.end_interchange()?;
        self.finish()
    }
}

/// Who sends and receives an interchange of one functional group holding one transaction set,
/// and when: a payer's answer, or a file made for a test or a benchmark. The group's sender
/// and receiver codes are the interchange ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SingleSetEnvelope {
    /// ISA05.
    pub sender_qualifier: String,
    /// ISA06 and GS02.
    pub sender_id: String,
    /// ISA07.
    pub receiver_qualifier: String,
    /// ISA08 and GS03.
    pub receiver_id: String,
    /// ISA09 and GS04.
    pub date: Date,
    /// ISA10 and GS05.
    pub time: Time,
    /// ISA15.
    pub usage: UsageIndicator,
}

impl SingleSetEnvelope {
    /// The ISA values of an interchange between these parties, numbered `control_number`, no
    /// TA1 requested.
    pub fn interchange_header(&self, control_number: u32) -> InterchangeHeader {
        InterchangeHeader {
            sender_qualifier: self.sender_qualifier.clone(),
            sender_id: self.sender_id.clone(),
            receiver_qualifier: self.receiver_qualifier.clone(),
            receiver_id: self.receiver_id.clone(),
            date: self.date,
            time: self.time,
            control_number,
            acknowledgment_requested: false,
            usage: self.usage.clone(),
        }
    }

    /// A writer (standard separators, a line break after each segment) with the interchange,
    /// the group and transaction set 0001 open; close them with
    /// [`X12Writer::finish_single_set`].
    pub fn begin(
        &self,
        functional_id: &str,
        set: &str,
        version: &str,
        interchange_control: u32,
        group_control: u32,
    ) -> Result<X12Writer, WriteError> {
        let mut writer = X12Writer::standard(true);
        writer.begin_interchange(&self.interchange_header(interchange_control))?;
        writer.begin_group(&GroupHeader {
            functional_id: functional_id.into(),
            sender_code: self.sender_id.clone(),
            receiver_code: self.receiver_id.clone(),
            date: self.date,
            time: self.time,
            control_number: group_control,
            version: version.into(),
        })?;
        // The 835 guide (005010X221A1) leaves ST03 unused; the others carry their guide there.
        writer.begin_transaction(set, 1, (set != "835").then_some(version))?;
        Ok(writer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> InterchangeHeader {
        InterchangeHeader {
            sender_qualifier: "ZZ".to_owned(),
            sender_id: "SENDER".to_owned(),
            receiver_qualifier: "30".to_owned(),
            receiver_id: "RECEIVER".to_owned(),
            date: Date::new(2024, 3, 9).expect("date"),
            time: Time::new(7, 5, None).expect("time"),
            control_number: 42,
            acknowledgment_requested: false,
            usage: UsageIndicator::Test,
        }
    }

    fn group() -> GroupHeader {
        GroupHeader {
            functional_id: "HC".to_owned(),
            sender_code: "APP1".to_owned(),
            receiver_code: "APP2".to_owned(),
            date: Date::new(2024, 3, 9).expect("date"),
            time: Time::new(7, 5, None).expect("time"),
            control_number: 7,
            version: "005010X222A1".to_owned(),
        }
    }

    #[test]
    fn writes_padded_isa_and_counts() {
        let mut writer = X12Writer::standard(false);
        writer.begin_interchange(&header()).expect("isa");
        writer.begin_group(&group()).expect("gs");
        writer
            .begin_transaction("837", 1, Some("005010X222A1"))
            .expect("st");
        writer
            .segment_fields(
                "SV1",
                &[
                    Field::Composite(&["HC", "99213", "", ""]),
                    "40".into(),
                    "".into(),
                    "".into(),
                ],
            )
            .expect("sv1");
        writer.segment("LX", &["1", "", ""]).expect("lx");
        writer.end_transaction().expect("se");
        writer.end_group().expect("ge");
        writer.end_interchange().expect("iea");
        let text = String::from_utf8(writer.finish().expect("finished")).expect("ascii");
        let expected = "ISA*00*          *00*          *ZZ*SENDER         *30*RECEIVER       *240309*0705*^*00501*000000042*0*T*:~\
                        GS*HC*APP1*APP2*20240309*0705*7*X*005010X222A1~\
                        ST*837*0001*005010X222A1~SV1*HC:99213*40~LX*1~SE*4*0001~GE*1*7~IEA*1*000000042~";
        assert_eq!(text, expected);
        assert_eq!(text.find("GS"), Some(106));
    }

    #[test]
    fn refuses_separators_in_data() {
        let mut writer = X12Writer::standard(true);
        writer.begin_interchange(&header()).expect("isa");
        writer.begin_group(&group()).expect("gs");
        writer.begin_transaction("837", 1, None).expect("st");
        let error = writer
            .segment("NM1", &["IL", "1", "O*BRIEN"])
            .expect_err("refused");
        assert_eq!(
            error.to_string(),
            "NM1 element 3: value `O*BRIEN` contains `*`, which is a separator or line break"
        );
        let error = writer
            .segment_fields("SV1", &[Field::Composite(&["HC", "99:213"])])
            .expect_err("refused");
        assert!(matches!(
            error,
            WriteError::ForbiddenByte { byte: b':', .. }
        ));
    }

    #[test]
    fn refuses_bad_order_and_widths() {
        let mut writer = X12Writer::standard(false);
        assert!(writer.segment("LX", &["1"]).is_err());
        let mut long = header();
        long.sender_id = "A".repeat(16);
        assert!(matches!(
            writer.begin_interchange(&long),
            Err(WriteError::TooLong { max: 15, .. })
        ));
        let mut big = header();
        big.control_number = 1_000_000_000;
        assert!(matches!(
            writer.begin_interchange(&big),
            Err(WriteError::ControlNumberTooLarge { .. })
        ));
        writer.begin_interchange(&header()).expect("isa");
        assert!(writer.begin_transaction("837", 1, None).is_err());
        assert!(X12Writer::standard(false).finish().is_err());
        let no_repetition = Separators {
            repetition: None,
            ..Separators::STANDARD
        };
        assert_eq!(
            X12Writer::new(no_repetition, false).err(),
            Some(WriteError::MissingRepetitionSeparator)
        );
    }
}
