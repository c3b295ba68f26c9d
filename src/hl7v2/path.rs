//! Terse paths such as `PID-5.1`, `PID-3[2].1`, `FT1[2]-10` and `PID-5.1.1`, and looking them
//! up in a message.
//!
//! Grammar: `SEG[occurrence]-field[repetition].component.subcomponent`, where `SEG` is a
//! 3-character segment id (letters and digits), `field` is required and everything in brackets
//! or after a dot is optional. All numbers are 1-based and at most [`MAX_INDEX`]. Without
//! `[occurrence]` the first segment with that id is used; without `[repetition]` a path that
//! names a component reads the first repetition, and a path that names only a field reads the
//! whole field (every repetition). Header fields are numbered as the standard: `MSH-1` is the
//! field separator, `MSH-2` the encoding characters, `MSH-9.1` the message code.
//!
//! Parse paths with [`Path::parse`] when configuration is loaded, so that a bad path is reported
//! early; [`Message::get`] also accepts a string and answers `None` for an invalid one.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use super::escape::unescape;
use super::parse::Message;
use super::segment::{Field, Segment};

/// The largest segment occurrence, field, repetition, component or subcomponent number a path
/// may hold.
pub const MAX_INDEX: usize = 9999;

/// How many characters of an invalid path an error message quotes.
const QUOTED_PATH_LIMIT: usize = 64;

/// A validated location in a message, e.g. `PID-3[2].1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Path {
    segment: [u8; 3],
    occurrence: Option<u16>,
    field: u16,
    repetition: Option<u16>,
    component: Option<u16>,
    subcomponent: Option<u16>,
}

/// Why a path string is not a valid path.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid path {path:?} at character {position}: {problem}")]
pub struct PathError {
    /// The path as given (at most 64 characters).
    pub path: String,
    /// The 0-based character position of the problem.
    pub position: usize,
    /// What is wrong there.
    pub problem: PathProblem,
}

/// What is wrong with a path.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PathProblem {
    /// The path does not start with 3 letters or digits.
    #[error("expected a 3-character segment id of letters and digits")]
    SegmentId,
    /// A number was expected (field, occurrence, repetition, component or subcomponent).
    #[error("expected a number")]
    MissingNumber,
    /// A number is 0.
    #[error("numbers start at 1")]
    Zero,
    /// A number is larger than [`MAX_INDEX`].
    #[error("numbers must be at most {MAX_INDEX}")]
    TooLarge,
    /// A character does not fit the grammar at this point.
    #[error("expected {expected}, found {found:?}")]
    Unexpected {
        /// What the grammar allows here.
        expected: &'static str,
        /// The character found.
        found: char,
    },
    /// The path ends where more was needed.
    #[error("expected {expected}, found the end of the path")]
    UnexpectedEnd {
        /// What the grammar needs here.
        expected: &'static str,
    },
    /// A subcomponent number without a component number.
    #[error("a subcomponent needs a component")]
    SubcomponentWithoutComponent,
}

impl Path {
    /// Parses and validates a path such as `PID-3[2].1` (see the module documentation).
    pub fn parse(path: &str) -> Result<Self, PathError> {
        PathParser { path, position: 0 }
            .parse()
            .map_err(|(position, problem)| PathError {
                path: path.chars().take(QUOTED_PATH_LIMIT).collect(),
                position,
                problem,
            })
    }

    /// A path to a whole field, for paths known when the code is written. `segment` must be
    /// 3 letters or digits and `field` between 1 and [`MAX_INDEX`].
    pub(super) const fn field_of(segment: [u8; 3], field: u16) -> Self {
        Path {
            segment,
            occurrence: None,
            field,
            repetition: None,
            component: None,
            subcomponent: None,
        }
    }

    /// The whole field this path is in: its segment occurrence and field, without repetition,
    /// component or subcomponent.
    pub const fn field_path(self) -> Self {
        Path {
            repetition: None,
            component: None,
            subcomponent: None,
            ..self
        }
    }

    /// The same path in segment occurrence `occurrence`.
    pub const fn in_occurrence(self, occurrence: u16) -> Self {
        Path {
            occurrence: Some(occurrence),
            ..self
        }
    }

    /// The same path narrowed to repetition `repetition`.
    pub const fn at_repetition(self, repetition: u16) -> Self {
        Path {
            repetition: Some(repetition),
            ..self
        }
    }

    /// The same path narrowed to component `component`.
    pub const fn at_component(self, component: u16) -> Self {
        Path {
            component: Some(component),
            ..self
        }
    }

    /// The same path narrowed to subcomponent `subcomponent` (of the component already set).
    pub const fn at_subcomponent(self, subcomponent: u16) -> Self {
        Path {
            subcomponent: Some(subcomponent),
            ..self
        }
    }

    /// The segment id, e.g. `"PID"`.
    pub fn segment_id(&self) -> &str {
        std::str::from_utf8(&self.segment).unwrap_or_default()
    }

    /// The segment id as bytes.
    pub(super) fn segment_bytes(&self) -> [u8; 3] {
        self.segment
    }

    /// The segment occurrence given in brackets after the segment id.
    pub fn occurrence(&self) -> Option<usize> {
        self.occurrence.map(usize::from)
    }

    /// The field number.
    pub fn field(&self) -> usize {
        usize::from(self.field)
    }

    /// The repetition given in brackets after the field number.
    pub fn repetition(&self) -> Option<usize> {
        self.repetition.map(usize::from)
    }

    /// The component number.
    pub fn component(&self) -> Option<usize> {
        self.component.map(usize::from)
    }

    /// The subcomponent number.
    pub fn subcomponent(&self) -> Option<usize> {
        self.subcomponent.map(usize::from)
    }

    /// Whether `segment` has this path's segment id.
    fn names(&self, segment: &Segment<'_>) -> bool {
        segment.raw().get(..3) == Some(&self.segment[..])
    }

    /// The raw bytes this path designates within `segment` (whose id is not checked).
    pub fn locate_in<'a>(&self, segment: &Segment<'a>) -> Option<&'a [u8]> {
        let field = segment.field(self.field())?;
        match (self.repetition(), self.component()) {
            (None, None) => Some(field.raw()),
            (Some(repetition), None) => Some(field.repetition(repetition)?.raw()),
            (repetition, Some(component)) => locate_component(
                field,
                repetition.unwrap_or(1),
                component,
                self.subcomponent(),
            ),
        }
    }
}

fn locate_component<'a>(
    field: Field<'a>,
    repetition: usize,
    component: usize,
    subcomponent: Option<usize>,
) -> Option<&'a [u8]> {
    let component = field.repetition(repetition)?.component(component)?;
    match subcomponent {
        None => Some(component.raw()),
        Some(subcomponent) => Some(component.subcomponent(subcomponent)?.raw()),
    }
}

impl FromStr for Path {
    type Err = PathError;

    fn from_str(path: &str) -> Result<Self, Self::Err> {
        Path::parse(path)
    }
}

impl fmt::Display for Path {
    /// Writes the path in the form it is parsed from, e.g. `FT1[2]-7.1`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.segment_id())?;
        if let Some(occurrence) = self.occurrence {
            write!(f, "[{occurrence}]")?;
        }
        write!(f, "-{}", self.field)?;
        if let Some(repetition) = self.repetition {
            write!(f, "[{repetition}]")?;
        }
        for number in [self.component, self.subcomponent].into_iter().flatten() {
            write!(f, ".{number}")?;
        }
        Ok(())
    }
}

/// A recursive-descent reader for the path grammar; errors carry the character position.
struct PathParser<'p> {
    path: &'p str,
    position: usize,
}

type PathResult<T> = Result<T, (usize, PathProblem)>;

impl PathParser<'_> {
    fn parse(mut self) -> PathResult<Path> {
        let segment = self.segment_id()?;
        let occurrence = self.bracketed()?;
        self.expect(b'-', "'-' followed by a field number")?;
        let field = self.number()?;
        let repetition = self.bracketed()?;
        let component = self.dotted()?;
        let subcomponent = self.dotted()?;
        if let Some(found) = self.peek_char() {
            let expected = if subcomponent.is_some() {
                "the end of the path"
            } else {
                "'.', '[' or the end of the path"
            };
            return Err(self.problem(PathProblem::Unexpected { expected, found }));
        }
        Ok(Path {
            segment,
            occurrence,
            field,
            repetition,
            component,
            subcomponent,
        })
    }

    fn problem(&self, problem: PathProblem) -> (usize, PathProblem) {
        (self.position, problem)
    }

    fn peek(&self) -> Option<u8> {
        self.path.as_bytes().get(self.position).copied()
    }

    fn peek_char(&self) -> Option<char> {
        self.path.get(self.position..)?.chars().next()
    }

    fn segment_id(&mut self) -> PathResult<[u8; 3]> {
        match *self.path.as_bytes() {
            [a, b, c, ..] if [a, b, c].iter().all(u8::is_ascii_alphanumeric) => {
                self.position = 3;
                Ok([a, b, c])
            }
            _ => Err(self.problem(PathProblem::SegmentId)),
        }
    }

    fn expect(&mut self, wanted: u8, expected: &'static str) -> PathResult<()> {
        match self.peek() {
            Some(byte) if byte == wanted => {
                self.position += 1;
                Ok(())
            }
            Some(_) => Err(self.unexpected(expected)),
            None => Err(self.problem(PathProblem::UnexpectedEnd { expected })),
        }
    }

    fn unexpected(&self, expected: &'static str) -> (usize, PathProblem) {
        match self.peek_char() {
            Some(found) => self.problem(PathProblem::Unexpected { expected, found }),
            None => self.problem(PathProblem::UnexpectedEnd { expected }),
        }
    }

    /// `[n]` if the next character is `[`.
    fn bracketed(&mut self) -> PathResult<Option<u16>> {
        if self.peek() != Some(b'[') {
            return Ok(None);
        }
        self.position += 1;
        let number = self.number()?;
        self.expect(b']', "']'")?;
        Ok(Some(number))
    }

    /// `.n` if the next character is `.`.
    fn dotted(&mut self) -> PathResult<Option<u16>> {
        if self.peek() != Some(b'.') {
            return Ok(None);
        }
        self.position += 1;
        self.number().map(Some)
    }

    fn number(&mut self) -> PathResult<u16> {
        let start = self.position;
        let digits = self
            .path
            .as_bytes()
            .get(start..)
            .unwrap_or_default()
            .iter()
            .take_while(|byte| byte.is_ascii_digit())
            .count();
        if digits == 0 {
            return Err(self.unexpected("a number"));
        }
        let text = self.path.get(start..start + digits).unwrap_or_default();
        let value = text
            .parse::<usize>()
            .ok()
            .filter(|&value| value <= MAX_INDEX)
            .and_then(|value| u16::try_from(value).ok())
            .ok_or_else(|| self.problem(PathProblem::TooLarge))?;
        if value == 0 {
            return Err(self.problem(PathProblem::Zero));
        }
        self.position += digits;
        Ok(value)
    }
}

impl<'a> Message<'a> {
    /// The decoded value at `path` (e.g. `"PID-5.1"`), or `None` when the path is invalid or
    /// the segment, field, repetition or component is absent. A present but empty value is
    /// `Some("")`. Prefer [`Message::get_path`] with a [`Path`] parsed once.
    pub fn get(&self, path: &str) -> Option<Cow<'a, str>> {
        self.get_path(&Path::parse(path).ok()?)
    }

    /// The decoded value at `path`, or `None` when it is absent.
    pub fn get_path(&self, path: &Path) -> Option<Cow<'a, str>> {
        // MSH-1 and MSH-2 hold the escape character at most once, never closed, so decoding
        // leaves them as they are.
        Some(unescape(self.get_raw(path)?, &self.encoding()))
    }

    /// The raw bytes at `path` (escape sequences not decoded), or `None` when absent.
    pub fn get_raw(&self, path: &Path) -> Option<&'a [u8]> {
        let occurrence = path.occurrence().unwrap_or(1);
        let segment = self
            .segments()
            .filter(|segment| path.names(segment))
            .nth(occurrence.saturating_sub(1))?;
        path.locate_in(&segment)
    }

    /// The decoded value at `path` in every segment with the path's id, in order: one item per
    /// segment, `None` where that segment lacks the value. The path's occurrence, if any, is
    /// ignored. For repeating segments such as FT1 or OBX.
    pub fn get_all<'s>(
        &'s self,
        path: &'s Path,
    ) -> impl Iterator<Item = Option<Cow<'a, str>>> + 's {
        let encoding = self.encoding();
        self.segments()
            .filter(|segment| path.names(segment))
            .map(move |segment| path.locate_in(&segment).map(|raw| unescape(raw, &encoding)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(text: &str) -> Path {
        Path::parse(text).unwrap_or_else(|error| panic!("{error}"))
    }

    fn problem(text: &str) -> (usize, PathProblem) {
        let error = Path::parse(text).expect_err("path must be rejected");
        (error.position, error.problem)
    }

    const DFT: &[u8] = b"MSH|^~\\&|BILLING|HOSP|GL|HOSP|20240301120000||DFT^P03^DFT_P03|D1|P|2.5\r\
EVN|P03|20240301120000\r\
PID|1||MRN1^^^HOSP^MR~SSN9^^^SSA^SS||O'BRIEN&O\\T\\B^SEAN^P||19700101|M\r\
PV1|1|O|CLINIC^^^HOSP||||||||||||||||V100\r\
FT1|1|||20240301||CG|99213^Office visit^CPT|||1|150.00\r\
FT1|2|||20240301||CG|85025^CBC^CPT|||1|\r\
FT1|3|||20240301||CG|80053^CMP^CPT|||2\r\
IN1|1|PLAN1^Gold Plan|PAYER1|Acme Insurance||||||||||||||||||||||||||||||||POLICY-77\r";

    #[test]
    fn parses_every_form() {
        let simple = path("PID-5");
        assert_eq!(simple.segment_id(), "PID");
        assert_eq!(simple.field(), 5);
        assert_eq!(
            (
                simple.occurrence(),
                simple.repetition(),
                simple.component(),
                simple.subcomponent()
            ),
            (None, None, None, None)
        );
        let full = path("FT1[2]-7[3].1.2");
        assert_eq!(full.segment_id(), "FT1");
        assert_eq!(full.occurrence(), Some(2));
        assert_eq!(full.field(), 7);
        assert_eq!(full.repetition(), Some(3));
        assert_eq!(full.component(), Some(1));
        assert_eq!(full.subcomponent(), Some(2));
        assert_eq!(path("ZX1-9999").field(), 9999);
        assert_eq!(path("PID-05.01"), path("PID-5.1"));
        assert_eq!("MSH-9.2".parse::<Path>(), Ok(path("MSH-9.2")));
    }

    #[test]
    fn displays_in_parsed_form() {
        for text in [
            "PID-5",
            "PID-3[2].1",
            "FT1[2]-7.1",
            "PID-5.1.1",
            "OBX[3]-5[2].4.1",
        ] {
            assert_eq!(path(text).to_string(), text);
        }
    }

    #[test]
    fn rejects_invalid_paths_with_position() {
        assert_eq!(problem(""), (0, PathProblem::SegmentId));
        assert_eq!(problem("PI-5"), (0, PathProblem::SegmentId));
        assert_eq!(problem("P*D-5"), (0, PathProblem::SegmentId));
        assert_eq!(
            problem("PID"),
            (
                3,
                PathProblem::UnexpectedEnd {
                    expected: "'-' followed by a field number"
                }
            )
        );
        assert_eq!(
            problem("PID.5"),
            (
                3,
                PathProblem::Unexpected {
                    expected: "'-' followed by a field number",
                    found: '.'
                }
            )
        );
        assert_eq!(
            problem("PID-"),
            (
                4,
                PathProblem::UnexpectedEnd {
                    expected: "a number"
                }
            )
        );
        assert_eq!(problem("PID-0"), (4, PathProblem::Zero));
        assert_eq!(problem("PID-10000"), (4, PathProblem::TooLarge));
        assert_eq!(
            problem("PID-99999999999999999999999"),
            (4, PathProblem::TooLarge)
        );
        assert_eq!(
            problem("PID-5."),
            (
                6,
                PathProblem::UnexpectedEnd {
                    expected: "a number"
                }
            )
        );
        assert_eq!(
            problem("PID-5.1.1.1"),
            (
                9,
                PathProblem::Unexpected {
                    expected: "the end of the path",
                    found: '.'
                }
            )
        );
        assert_eq!(
            problem("PID-3[2"),
            (7, PathProblem::UnexpectedEnd { expected: "']'" })
        );
        assert_eq!(problem("PID-3[0]"), (6, PathProblem::Zero));
        assert_eq!(
            problem("PID[x]-3"),
            (
                4,
                PathProblem::Unexpected {
                    expected: "a number",
                    found: 'x'
                }
            )
        );
        assert_eq!(
            problem("PID-5 "),
            (
                5,
                PathProblem::Unexpected {
                    expected: "'.', '[' or the end of the path",
                    found: ' '
                }
            )
        );
        assert_eq!(
            problem("PID-5é"),
            (
                5,
                PathProblem::Unexpected {
                    expected: "'.', '[' or the end of the path",
                    found: 'é'
                }
            )
        );
    }

    #[test]
    fn error_text_names_path_and_position() {
        let error = Path::parse("PID-0").unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid path \"PID-0\" at character 4: numbers start at 1"
        );
        let long = "X".repeat(200);
        assert_eq!(Path::parse(&long).unwrap_err().path.len(), 64);
    }

    #[test]
    fn gets_fields_components_and_subcomponents() {
        let message = Message::parse(DFT).unwrap();
        assert_eq!(message.get("MSH-1").as_deref(), Some("|"));
        assert_eq!(message.get("MSH-2").as_deref(), Some("^~\\&"));
        assert_eq!(message.get("MSH-9.1").as_deref(), Some("DFT"));
        assert_eq!(message.get("MSH-9.2").as_deref(), Some("P03"));
        assert_eq!(message.get("MSH-10").as_deref(), Some("D1"));
        assert_eq!(
            message.get("PID-3").as_deref(),
            Some("MRN1^^^HOSP^MR~SSN9^^^SSA^SS")
        );
        assert_eq!(message.get("PID-3.1").as_deref(), Some("MRN1"));
        assert_eq!(message.get("PID-3[2].1").as_deref(), Some("SSN9"));
        assert_eq!(message.get("PID-3[2]").as_deref(), Some("SSN9^^^SSA^SS"));
        assert_eq!(message.get("PID-3[3].1"), None);
        assert_eq!(message.get("PID-5.1").as_deref(), Some("O'BRIEN&O&B"));
        assert_eq!(message.get("PID-5.1.1").as_deref(), Some("O'BRIEN"));
        assert_eq!(message.get("PID-5.1.2").as_deref(), Some("O&B"));
        assert_eq!(message.get("PID-5.1.3"), None);
        assert_eq!(message.get("PID-2").as_deref(), Some(""));
        assert_eq!(message.get("PV1-19").as_deref(), Some("V100"));
        assert_eq!(message.get("IN1-36").as_deref(), Some("POLICY-77"));
        assert_eq!(message.get("IN1-37"), None);
    }

    #[test]
    fn gets_repeating_segments_by_occurrence() {
        let message = Message::parse(DFT).unwrap();
        assert_eq!(message.get("FT1-7.1").as_deref(), Some("99213"));
        assert_eq!(message.get("FT1[2]-7.1").as_deref(), Some("85025"));
        assert_eq!(message.get("FT1[3]-10").as_deref(), Some("2"));
        assert_eq!(message.get("FT1[4]-10"), None);
        let codes: Vec<_> = message.get_all(&path("FT1-7.2")).collect();
        assert_eq!(
            codes,
            [
                Some("Office visit".into()),
                Some("CBC".into()),
                Some("CMP".into())
            ]
        );
        let amounts: Vec<_> = message.get_all(&path("FT1[9]-11")).collect();
        assert_eq!(amounts, [Some("150.00".into()), Some("".into()), None]);
        assert_eq!(message.get_all(&path("OBX-5")).count(), 0);
    }

    #[test]
    fn missing_segments_and_invalid_paths_give_none() {
        let message = Message::parse(DFT).unwrap();
        assert_eq!(message.get("OBX-5"), None);
        assert_eq!(message.get("IN2-1"), None);
        assert_eq!(message.get("not a path"), None);
        assert_eq!(message.get("PID-0"), None);
        assert_eq!(
            message.get_raw(&path("PID-5.1")),
            Some(&b"O'BRIEN&O\\T\\B"[..])
        );
    }

    #[test]
    fn locates_within_a_segment() {
        let message = Message::parse(DFT).unwrap();
        let pid = message.segment("PID").unwrap();
        assert_eq!(path("XXX-3[2].4").locate_in(&pid), Some(&b"SSA"[..]));
    }
}
