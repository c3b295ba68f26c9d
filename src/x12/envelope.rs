//! Envelope validation: ISA/IEA, GS/GE and ST/SE nesting, counts and control numbers.
//!
//! [`EnvelopeValidator`] consumes segments one at a time, so it works on the zero-copy
//! tokenizer and on the streaming reader alike. It does not stop at the first problem: it
//! recovers (a missing trailer closes the open envelope) and collects every problem, each
//! naming the segment ordinal, segment id, element position and what was expected versus
//! found, so that a 999 acknowledgment can report all of them.
//!
//! An input may hold several interchanges one after the other, as clearinghouse files do: each
//! ISA starts another interchange with its own report (see [`EnvelopeReport::following`]).
//!
//! This file is long because one state machine checks every envelope rule (ISA/IEA, GS/GE, ST/SE
//! nesting, counts, control numbers, several interchanges in one input).

use std::collections::HashSet;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::codes::UsageIndicator;
use super::reader::Segment;
use super::separators::Separators;
use super::typed::SegmentIssue;

/// A validated interchange: ISA header fields and the functional groups it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interchange {
    /// ISA05: interchange sender id qualifier (e.g. `ZZ`, `30`).
    pub sender_qualifier: String,
    /// ISA06: interchange sender id, trailing padding removed.
    pub sender_id: String,
    /// ISA07: interchange receiver id qualifier.
    pub receiver_qualifier: String,
    /// ISA08: interchange receiver id, trailing padding removed.
    pub receiver_id: String,
    /// ISA09: interchange date as sent (`YYMMDD`).
    pub date: String,
    /// ISA10: interchange time as sent (`HHMM`).
    pub time: String,
    /// ISA12: interchange control version number (e.g. `00501`).
    pub version: String,
    /// ISA13: interchange control number as sent (nine digits).
    pub control_number: String,
    /// ISA14: whether the sender asked for a TA1 interchange acknowledgment.
    pub acknowledgment_requested: bool,
    /// ISA15: production, test or information.
    pub usage: UsageIndicator,
    /// The delimiters the interchange was read with: ISA16 replaced by the separator the
    /// composites use when they disagree (see [`EnvelopeReport::warnings`]).
    pub separators: Separators,
    /// The functional groups, in order.
    pub groups: Vec<FunctionalGroup>,
    /// Number of segments read, ISA and IEA included.
    pub segment_count: usize,
    /// Ordinals of the interchange's segments: ISA ordinal up to, not including, the ordinal
    /// after IEA (or after its last segment when it has no IEA).
    #[serde(default)]
    pub segment_ordinals: Range<usize>,
}

/// A functional group (GS..GE).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionalGroup {
    /// GS01: functional identifier code (`HC` claims, `HP` remittances, `FA` acknowledgments,
    /// `HN` claim status notifications...).
    pub functional_id: String,
    /// GS02: application sender's code.
    pub sender_code: String,
    /// GS03: application receiver's code.
    pub receiver_code: String,
    /// GS04: group date as sent (`CCYYMMDD`).
    pub date: String,
    /// GS05: group time as sent.
    pub time: String,
    /// GS06: group control number as sent.
    pub control_number: String,
    /// GS08: version / release / industry identifier (e.g. `005010X222A1`).
    pub version: String,
    /// The transaction sets, in order.
    pub transactions: Vec<TransactionSet>,
    /// Ordinals of the group's segments: GS ordinal up to, not including, the ordinal after GE.
    pub segment_ordinals: Range<usize>,
}

/// A transaction set (ST..SE).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransactionSet {
    /// ST01: transaction set identifier code (`837`, `835`, `999`, `277`...).
    pub id_code: String,
    /// ST02: transaction set control number.
    pub control_number: String,
    /// ST03: implementation convention reference (e.g. `005010X221A1`), when sent.
    pub implementation_ref: Option<String>,
    /// Ordinals of the set's segments: ST ordinal up to, not including, the ordinal after SE.
    pub segment_ordinals: Range<usize>,
    /// Bytes of the set in the input: ST's first byte up to just after SE's terminator.
    pub byte_range: Range<usize>,
}

impl TransactionSet {
    /// Position of an interchange segment ordinal within this set (ST is 1), as a 999 IK302
    /// reports it.
    pub fn position_of(&self, ordinal: usize) -> Option<usize> {
        self.segment_ordinals
            .contains(&ordinal)
            .then(|| ordinal - self.segment_ordinals.start + 1)
    }
}

/// Which envelope a problem belongs to, by 0-based index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProblemScope {
    /// The interchange itself (ISA/IEA, or segments outside any group).
    Interchange,
    /// Functional group `group` of [`Interchange::groups`].
    Group {
        /// Index into [`Interchange::groups`].
        group: usize,
    },
    /// Transaction set `set` of group `group`.
    TransactionSet {
        /// Index into [`Interchange::groups`].
        group: usize,
        /// Index into [`FunctionalGroup::transactions`].
        set: usize,
    },
}

/// What is wrong with an envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum EnvelopeProblem {
    /// SE01 differs from the number of segments in the set (ST and SE included).
    #[error(
        "segment count {declared} does not match the {actual} segments in transaction set {control_number}"
    )]
    SegmentCountMismatch {
        /// SE01.
        declared: usize,
        /// Segments counted.
        actual: usize,
        /// ST02.
        control_number: String,
    },
    /// SE02 differs from ST02.
    #[error("transaction set control number {trailer} does not match ST02 {header}")]
    SetControlNumberMismatch {
        /// ST02.
        header: String,
        /// SE02.
        trailer: String,
    },
    /// A transaction set ended (next ST, GE, IEA or end of input) without an SE.
    #[error("transaction set {control_number} has no SE trailer")]
    SetTrailerMissing {
        /// ST02.
        control_number: String,
    },
    /// ST01 is not a three-digit transaction set identifier.
    #[error("transaction set identifier `{found}` is not a three-digit code")]
    InvalidSetIdentifier {
        /// ST01 as sent.
        found: String,
    },
    /// ST02 is not 4-9 characters.
    #[error("transaction set control number `{found}` must be 4 to 9 characters")]
    InvalidSetControlNumber {
        /// ST02 as sent.
        found: String,
    },
    /// Two sets in one group share a control number.
    #[error(
        "transaction set control number {control_number} is used twice in the functional group"
    )]
    DuplicateSetControlNumber {
        /// The repeated ST02.
        control_number: String,
    },
    /// GE01 differs from the number of sets in the group.
    #[error(
        "transaction set count {declared} does not match the {actual} transaction sets in functional group {control_number}"
    )]
    SetCountMismatch {
        /// GE01.
        declared: usize,
        /// Sets counted.
        actual: usize,
        /// GS06.
        control_number: String,
    },
    /// GE02 differs from GS06.
    #[error("group control number {trailer} does not match GS06 {header}")]
    GroupControlNumberMismatch {
        /// GS06.
        header: String,
        /// GE02.
        trailer: String,
    },
    /// A functional group ended without a GE.
    #[error("functional group {control_number} has no GE trailer")]
    GroupTrailerMissing {
        /// GS06.
        control_number: String,
    },
    /// GS06 is not 1-9 digits.
    #[error("group control number `{found}` must be 1 to 9 digits")]
    InvalidGroupControlNumber {
        /// GS06 as sent.
        found: String,
    },
    /// Two groups in the interchange share a control number.
    #[error("group control number {control_number} is used twice in the interchange")]
    DuplicateGroupControlNumber {
        /// The repeated GS06.
        control_number: String,
    },
    /// IEA01 differs from the number of groups.
    #[error(
        "functional group count {declared} does not match the {actual} functional groups in the interchange"
    )]
    GroupCountMismatch {
        /// IEA01.
        declared: usize,
        /// Groups counted.
        actual: usize,
    },
    /// IEA02 differs from ISA13.
    #[error("interchange control number {trailer} does not match ISA13 {header}")]
    InterchangeControlNumberMismatch {
        /// ISA13.
        header: String,
        /// IEA02.
        trailer: String,
    },
    /// The input ended without an IEA.
    #[error("interchange {control_number} has no IEA trailer")]
    InterchangeTrailerMissing {
        /// ISA13.
        control_number: String,
    },
    /// ISA13 is not nine digits.
    #[error("interchange control number `{found}` must be 9 digits")]
    InvalidInterchangeControlNumber {
        /// ISA13 as sent.
        found: String,
    },
    /// A count element is not a number.
    #[error("expected a count, found `{found}`")]
    InvalidCount {
        /// The element as sent.
        found: String,
    },
    /// A required envelope element is empty or missing.
    #[error("required element {name} is missing")]
    MissingElement {
        /// Name of the element, e.g. `GS08 version`.
        name: String,
    },
    /// A segment where the envelope does not allow it.
    #[error("unexpected segment: {reason}")]
    UnexpectedSegment {
        /// Why it is out of place.
        reason: String,
    },
    /// The input holds no ISA segment at all.
    #[error("no ISA interchange header")]
    MissingInterchangeHeader,
    /// The input holds several interchanges where one is expected. Only a strict reading
    /// ([`EnvelopeReport::into_strict`]) reports it: the envelope readers read every
    /// interchange.
    #[error("the input holds {count} interchanges where one is expected")]
    SeveralInterchanges {
        /// How many interchanges the input holds.
        count: usize,
    },
}

/// An envelope problem located at a segment (and element) of the interchange.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("segment {ordinal} ({segment_id}){}: {problem}", element_label(*.element))]
pub struct EnvelopeError {
    /// 1-based ordinal of the segment where the problem was found.
    pub ordinal: usize,
    /// Identifier of that segment.
    pub segment_id: String,
    /// 1-based element position, when one element is at fault.
    pub element: Option<usize>,
    /// The envelope the problem belongs to.
    pub scope: ProblemScope,
    /// What is wrong (boxed to keep results small).
    pub problem: Box<EnvelopeProblem>,
}

/// Formats `, element N` for error messages (empty without an element).
pub(crate) fn element_label(element: Option<usize>) -> String {
    element
        .map(|e| format!(", element {e}"))
        .unwrap_or_default()
}

/// The outcome of envelope validation: the interchange structure and every problem found, and
/// the same for each interchange that follows it in the input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvelopeReport {
    /// The interchange as read.
    pub interchange: Interchange,
    /// Every problem of this interchange, in input order.
    pub problems: Vec<EnvelopeError>,
    /// What was read differently from what the interchange declares: composites that use
    /// another component separator than ISA16 (see [`Tokenizer::warnings`]). Filled
    /// by [`read_envelope`](super::read_envelope); empty from the validator alone.
    ///
    /// [`Tokenizer::warnings`]: super::Tokenizer::warnings
    #[serde(default)]
    pub warnings: Vec<SegmentIssue>,
    /// The interchanges that follow this one in the same input (files often concatenate
    /// interchanges), in order, each with its own problems and warnings and an empty
    /// `following`. Empty when the input holds one interchange. [`reports`](Self::reports)
    /// walks them all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub following: Vec<EnvelopeReport>,
}

impl EnvelopeReport {
    /// Whether the envelopes of every interchange are fully consistent.
    pub fn is_clean(&self) -> bool {
        self.reports().all(|report| report.problems.is_empty())
    }

    /// The interchange when the input holds only this one and it is clean; otherwise its first
    /// problem, or [`EnvelopeProblem::SeveralInterchanges`] located at the second ISA.
    pub fn into_strict(self) -> Result<Interchange, EnvelopeError> {
        if let Some(problem) = self.problems.into_iter().next() {
            return Err(problem);
        }
        match self.following.first() {
            None => Ok(self.interchange),
            Some(second) => Err(EnvelopeError {
                ordinal: second.interchange.segment_ordinals.start,
                segment_id: "ISA".to_owned(),
                element: None,
                scope: ProblemScope::Interchange,
                problem: Box::new(EnvelopeProblem::SeveralInterchanges {
                    count: 1 + self.following.len(),
                }),
            }),
        }
    }

    /// This report, then those of the interchanges that follow it, in input order.
    pub fn reports(&self) -> impl Iterator<Item = &EnvelopeReport> {
        std::iter::once(self).chain(&self.following)
    }

    /// One report per interchange, in input order (each with an empty `following`).
    pub fn into_reports(mut self) -> Vec<EnvelopeReport> {
        let following = std::mem::take(&mut self.following);
        std::iter::once(self).chain(following).collect()
    }

    /// Files each warning with the interchange that holds its segment.
    pub(crate) fn add_warnings(&mut self, warnings: &[SegmentIssue]) {
        for warning in warnings {
            let holder = self
                .following
                .iter_mut()
                .rev()
                .find(|r| r.interchange.segment_ordinals.start <= warning.ordinal);
            match holder {
                Some(report) => report.warnings.push(warning.clone()),
                None => self.warnings.push(warning.clone()),
            }
        }
    }

    /// Problems whose scope is exactly `scope`.
    pub fn problems_in(&self, scope: ProblemScope) -> impl Iterator<Item = &EnvelopeError> {
        self.problems.iter().filter(move |p| p.scope == scope)
    }
}

/// The segment at which an envelope ends without its trailer, where that is reported.
#[derive(Debug, Clone, Copy)]
struct At<'a> {
    ordinal: usize,
    segment_id: &'a str,
}

impl<'a> At<'a> {
    fn segment(segment: &Segment<'a>) -> Self {
        At {
            ordinal: segment.ordinal(),
            segment_id: segment.id(),
        }
    }
}

/// An open transaction set being counted.
#[derive(Debug)]
struct OpenSet {
    set: TransactionSet,
    segments: usize,
}

/// An open functional group.
#[derive(Debug)]
struct OpenGroup {
    group: FunctionalGroup,
    set_control_numbers: HashSet<String>,
}

/// Streaming envelope validator. Feed every segment with [`push`](Self::push), then call
/// [`finish`](Self::finish). Every ISA starts another interchange; one that has not ended
/// (IEA) by then is ended with its missing trailers reported.
#[derive(Debug, Default)]
pub struct EnvelopeValidator {
    interchange: Option<Interchange>,
    group: Option<OpenGroup>,
    set: Option<OpenSet>,
    closed: bool,
    group_control_numbers: HashSet<String>,
    problems: Vec<EnvelopeError>,
    last_ordinal: usize,
    last_id: String,
    /// The interchanges already ended, in input order.
    ended: Vec<EnvelopeReport>,
}

/// Whether two numeric control numbers are equal (`0001` equals `1`); non-numeric ones must
/// match exactly.
fn same_numeric_control(header: &str, trailer: &str) -> bool {
    match (header.parse::<u64>(), trailer.parse::<u64>()) {
        (Ok(a), Ok(b)) => a == b,
        _ => header == trailer,
    }
}

fn all_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// Element `position` of `segment` as owned text, trimmed of ISA padding ("" when absent).
fn text_at(segment: &Segment<'_>, position: usize) -> String {
    segment
        .text(position)
        .map(|t| t.trim_end().to_owned())
        .unwrap_or_default()
}

impl EnvelopeValidator {
    /// A validator expecting an ISA.
    pub fn new() -> Self {
        Self::default()
    }

    fn problem(
        &mut self,
        segment: &Segment<'_>,
        element: Option<usize>,
        scope: ProblemScope,
        problem: EnvelopeProblem,
    ) {
        self.problems.push(EnvelopeError {
            ordinal: segment.ordinal(),
            segment_id: segment.id().to_owned(),
            element,
            scope,
            problem: Box::new(problem),
        });
    }

    /// Records a problem found at segment `at` as a whole.
    fn problem_at(&mut self, at: At<'_>, scope: ProblemScope, problem: EnvelopeProblem) {
        self.problems.push(EnvelopeError {
            ordinal: at.ordinal,
            segment_id: at.segment_id.to_owned(),
            element: None,
            scope,
            problem: Box::new(problem),
        });
    }

    fn group_scope(&self) -> ProblemScope {
        let group = self.interchange.as_ref().map_or(0, |i| i.groups.len());
        ProblemScope::Group { group }
    }

    fn set_scope(&self) -> ProblemScope {
        let group = self.interchange.as_ref().map_or(0, |i| i.groups.len());
        let set = self
            .group
            .as_ref()
            .map_or(0, |g| g.group.transactions.len());
        ProblemScope::TransactionSet { group, set }
    }

    /// Reads a count element, recording a problem when it is not a number.
    fn count_at(
        &mut self,
        segment: &Segment<'_>,
        position: usize,
        scope: ProblemScope,
    ) -> Option<usize> {
        let found = text_at(segment, position);
        match found.parse::<usize>() {
            Ok(count) if all_digits(&found) => Some(count),
            _ => {
                self.problem(
                    segment,
                    Some(position),
                    scope,
                    EnvelopeProblem::InvalidCount { found },
                );
                None
            }
        }
    }

    /// Records a missing required element.
    fn require(
        &mut self,
        segment: &Segment<'_>,
        position: usize,
        name: &str,
        scope: ProblemScope,
    ) -> String {
        let value = text_at(segment, position);
        if value.is_empty() {
            self.problem(
                segment,
                Some(position),
                scope,
                EnvelopeProblem::MissingElement {
                    name: name.to_owned(),
                },
            );
        }
        value
    }

    /// Feeds the next segment.
    pub fn push(&mut self, segment: &Segment<'_>) {
        self.last_ordinal = segment.ordinal();
        segment.id().clone_into(&mut self.last_id);
        if self.closed && segment.id() != "ISA" {
            let reason = "data after IEA";
            self.problem(
                segment,
                None,
                ProblemScope::Interchange,
                EnvelopeProblem::UnexpectedSegment {
                    reason: reason.to_owned(),
                },
            );
            return;
        }
        match segment.id() {
            "ISA" => self.open_interchange(segment),
            "GS" => self.open_group(segment),
            "ST" => self.open_set(segment),
            "SE" => self.close_set(segment),
            "GE" => self.close_group(segment),
            "IEA" => self.close_interchange(segment),
            _ => self.body_segment(segment),
        }
        if let Some(interchange) = self.interchange.as_mut() {
            interchange.segment_count += 1;
            interchange.segment_ordinals.end = segment.ordinal() + 1;
        }
    }

    fn open_interchange(&mut self, segment: &Segment<'_>) {
        self.end_interchange(At::segment(segment));
        let control_number = text_at(segment, 13);
        if control_number.len() != 9 || !all_digits(&control_number) {
            let problem = EnvelopeProblem::InvalidInterchangeControlNumber {
                found: control_number.clone(),
            };
            self.problem(segment, Some(13), ProblemScope::Interchange, problem);
        }
        self.interchange = Some(Interchange {
            sender_qualifier: text_at(segment, 5),
            sender_id: text_at(segment, 6),
            receiver_qualifier: text_at(segment, 7),
            receiver_id: text_at(segment, 8),
            date: text_at(segment, 9),
            time: text_at(segment, 10),
            version: text_at(segment, 12),
            control_number,
            acknowledgment_requested: text_at(segment, 14) == "1",
            usage: UsageIndicator::from_code(&text_at(segment, 15)),
            separators: segment.separators(),
            groups: Vec::new(),
            segment_count: 0,
            segment_ordinals: segment.ordinal()..segment.ordinal() + 1,
        });
    }

    /// Ends the current interchange, if any, at segment `at`, reporting the
    /// trailers missing there, and keeps its report.
    fn end_interchange(&mut self, at: At<'_>) {
        let Some(control_number) = self.interchange.as_ref().map(|i| i.control_number.clone())
        else {
            return;
        };
        self.end_open_set(at);
        self.end_open_group(at);
        if !self.closed {
            let problem = EnvelopeProblem::InterchangeTrailerMissing { control_number };
            self.problem_at(at, ProblemScope::Interchange, problem);
        }
        if let Some(interchange) = self.interchange.take() {
            self.ended.push(EnvelopeReport {
                interchange,
                problems: std::mem::take(&mut self.problems),
                warnings: Vec::new(),
                following: Vec::new(),
            });
        }
        self.closed = false;
        self.group_control_numbers.clear();
    }

    fn open_group(&mut self, segment: &Segment<'_>) {
        self.end_open_set(At::segment(segment));
        self.end_open_group(At::segment(segment));
        if self.interchange.is_none() {
            let reason = "GS before ISA";
            self.problem(
                segment,
                None,
                ProblemScope::Interchange,
                EnvelopeProblem::UnexpectedSegment {
                    reason: reason.to_owned(),
                },
            );
            return;
        }
        let scope = self.group_scope();
        let control_number = self.require(segment, 6, "GS06 group control number", scope);
        if !control_number.is_empty() && (control_number.len() > 9 || !all_digits(&control_number))
        {
            let problem = EnvelopeProblem::InvalidGroupControlNumber {
                found: control_number.clone(),
            };
            self.problem(segment, Some(6), scope, problem);
        }
        if !self.group_control_numbers.insert(control_number.clone()) {
            let problem = EnvelopeProblem::DuplicateGroupControlNumber {
                control_number: control_number.clone(),
            };
            self.problem(segment, Some(6), scope, problem);
        }
        let group = FunctionalGroup {
            functional_id: self.require(segment, 1, "GS01 functional identifier code", scope),
            sender_code: self.require(segment, 2, "GS02 application sender's code", scope),
            receiver_code: self.require(segment, 3, "GS03 application receiver's code", scope),
            date: self.require(segment, 4, "GS04 date", scope),
            time: self.require(segment, 5, "GS05 time", scope),
            control_number,
            version: self.require(segment, 8, "GS08 version", scope),
            transactions: Vec::new(),
            segment_ordinals: segment.ordinal()..segment.ordinal() + 1,
        };
        self.group = Some(OpenGroup {
            group,
            set_control_numbers: HashSet::new(),
        });
    }

    fn open_set(&mut self, segment: &Segment<'_>) {
        self.end_open_set(At::segment(segment));
        if self.group.is_none() {
            let reason = "ST outside a functional group";
            self.problem(
                segment,
                None,
                ProblemScope::Interchange,
                EnvelopeProblem::UnexpectedSegment {
                    reason: reason.to_owned(),
                },
            );
            return;
        }
        let scope = self.set_scope();
        let id_code = text_at(segment, 1);
        if id_code.len() != 3 || !all_digits(&id_code) {
            let problem = EnvelopeProblem::InvalidSetIdentifier {
                found: id_code.clone(),
            };
            self.problem(segment, Some(1), scope, problem);
        }
        let control_number = text_at(segment, 2);
        if !(4..=9).contains(&control_number.len()) {
            let problem = EnvelopeProblem::InvalidSetControlNumber {
                found: control_number.clone(),
            };
            self.problem(segment, Some(2), scope, problem);
        }
        let is_new = self
            .group
            .as_mut()
            .is_some_and(|g| g.set_control_numbers.insert(control_number.clone()));
        if !is_new {
            let problem = EnvelopeProblem::DuplicateSetControlNumber {
                control_number: control_number.clone(),
            };
            self.problem(segment, Some(2), scope, problem);
        }
        let implementation_ref = Some(text_at(segment, 3)).filter(|r| !r.is_empty());
        let end = segment.offset() + segment.as_bytes().len() + 1;
        self.set = Some(OpenSet {
            set: TransactionSet {
                id_code,
                control_number,
                implementation_ref,
                segment_ordinals: segment.ordinal()..segment.ordinal() + 1,
                byte_range: segment.offset()..end,
            },
            segments: 1,
        });
    }

    fn body_segment(&mut self, segment: &Segment<'_>) {
        if let Some(open) = self.set.as_mut() {
            open.segments += 1;
            open.set.segment_ordinals.end = segment.ordinal() + 1;
            open.set.byte_range.end = segment.offset() + segment.as_bytes().len() + 1;
            return;
        }
        let at_interchange_level = self.group.is_none() && self.interchange.is_some();
        if segment.id() == "TA1" && at_interchange_level {
            return;
        }
        let (scope, reason) = match (&self.interchange, &self.group) {
            (None, _) => (ProblemScope::Interchange, "segment before ISA"),
            (Some(_), None) => (
                ProblemScope::Interchange,
                "segment outside a functional group",
            ),
            (Some(_), Some(_)) => (self.group_scope(), "segment outside a transaction set"),
        };
        self.problem(
            segment,
            None,
            scope,
            EnvelopeProblem::UnexpectedSegment {
                reason: reason.to_owned(),
            },
        );
    }

    fn close_set(&mut self, segment: &Segment<'_>) {
        let scope = self.set_scope();
        let Some(mut open) = self.set.take() else {
            let reason = "SE without a matching ST";
            let scope = if self.group.is_some() {
                self.group_scope()
            } else {
                ProblemScope::Interchange
            };
            self.problem(
                segment,
                None,
                scope,
                EnvelopeProblem::UnexpectedSegment {
                    reason: reason.to_owned(),
                },
            );
            return;
        };
        open.segments += 1;
        open.set.segment_ordinals.end = segment.ordinal() + 1;
        open.set.byte_range.end = segment.offset() + segment.as_bytes().len() + 1;
        if let Some(declared) = self.count_at(segment, 1, scope)
            && declared != open.segments
        {
            let problem = EnvelopeProblem::SegmentCountMismatch {
                declared,
                actual: open.segments,
                control_number: open.set.control_number.clone(),
            };
            self.problem(segment, Some(1), scope, problem);
        }
        let trailer = text_at(segment, 2);
        if trailer != open.set.control_number {
            let problem = EnvelopeProblem::SetControlNumberMismatch {
                header: open.set.control_number.clone(),
                trailer,
            };
            self.problem(segment, Some(2), scope, problem);
        }
        self.store_set(open.set);
    }

    fn store_set(&mut self, set: TransactionSet) {
        if let Some(open_group) = self.group.as_mut() {
            open_group.group.transactions.push(set);
        }
    }

    /// Closes a set that ends without SE (at segment `at`).
    fn end_open_set(&mut self, at: At<'_>) {
        let scope = self.set_scope();
        if let Some(open) = self.set.take() {
            let problem = EnvelopeProblem::SetTrailerMissing {
                control_number: open.set.control_number.clone(),
            };
            self.problem_at(at, scope, problem);
            self.store_set(open.set);
        }
    }

    fn close_group(&mut self, segment: &Segment<'_>) {
        self.end_open_set(At::segment(segment));
        let scope = self.group_scope();
        let Some(mut open) = self.group.take() else {
            let reason = "GE without a matching GS";
            self.problem(
                segment,
                None,
                ProblemScope::Interchange,
                EnvelopeProblem::UnexpectedSegment {
                    reason: reason.to_owned(),
                },
            );
            return;
        };
        open.group.segment_ordinals.end = segment.ordinal() + 1;
        let actual = open.group.transactions.len();
        if let Some(declared) = self.count_at(segment, 1, scope)
            && declared != actual
        {
            let problem = EnvelopeProblem::SetCountMismatch {
                declared,
                actual,
                control_number: open.group.control_number.clone(),
            };
            self.problem(segment, Some(1), scope, problem);
        }
        let trailer = text_at(segment, 2);
        if !same_numeric_control(&open.group.control_number, &trailer) {
            let problem = EnvelopeProblem::GroupControlNumberMismatch {
                header: open.group.control_number.clone(),
                trailer,
            };
            self.problem(segment, Some(2), scope, problem);
        }
        self.store_group(open.group);
    }

    fn store_group(&mut self, group: FunctionalGroup) {
        if let Some(interchange) = self.interchange.as_mut() {
            interchange.groups.push(group);
        }
    }

    /// Closes a group that ends without GE (at segment `at`).
    fn end_open_group(&mut self, at: At<'_>) {
        let scope = self.group_scope();
        if let Some(open) = self.group.take() {
            let problem = EnvelopeProblem::GroupTrailerMissing {
                control_number: open.group.control_number.clone(),
            };
            self.problem_at(at, scope, problem);
            self.store_group(open.group);
        }
    }

    fn close_interchange(&mut self, segment: &Segment<'_>) {
        self.end_open_set(At::segment(segment));
        self.end_open_group(At::segment(segment));
        let Some((header, actual)) = self
            .interchange
            .as_ref()
            .map(|i| (i.control_number.clone(), i.groups.len()))
        else {
            let reason = "IEA before ISA";
            self.problem(
                segment,
                None,
                ProblemScope::Interchange,
                EnvelopeProblem::UnexpectedSegment {
                    reason: reason.to_owned(),
                },
            );
            return;
        };
        self.closed = true;
        if let Some(declared) = self.count_at(segment, 1, ProblemScope::Interchange)
            && declared != actual
        {
            let problem = EnvelopeProblem::GroupCountMismatch { declared, actual };
            self.problem(segment, Some(1), ProblemScope::Interchange, problem);
        }
        let trailer = text_at(segment, 2);
        if !same_numeric_control(&header, &trailer) {
            let problem = EnvelopeProblem::InterchangeControlNumberMismatch { header, trailer };
            self.problem(segment, Some(2), ProblemScope::Interchange, problem);
        }
    }

    /// Ends validation: closes whatever is still open (reporting the missing trailers) and
    /// returns the report of the first interchange, with those of the interchanges after it in
    /// [`EnvelopeReport::following`]. Fails only when no ISA was seen at all.
    pub fn finish(mut self) -> Result<EnvelopeReport, EnvelopeError> {
        let last_id = std::mem::take(&mut self.last_id);
        let last = At {
            ordinal: self.last_ordinal,
            segment_id: &last_id,
        };
        self.end_interchange(last);
        let mut reports = self.ended.into_iter();
        let Some(mut first) = reports.next() else {
            return Err(EnvelopeError {
                ordinal: last.ordinal,
                segment_id: last_id,
                element: None,
                scope: ProblemScope::Interchange,
                problem: Box::new(EnvelopeProblem::MissingInterchangeHeader),
            });
        };
        first.following = reports.collect();
        Ok(first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::x12::{
        X12Error, parse_interchange, read_envelope, read_envelope_stream, read_envelopes,
    };

    /// One interchange of x12/837p-two-interchanges.x12 (corpus), cut down to its envelopes and
    /// one claim: ISA13 `control`, CLM01 `claim`.
    fn interchange(control: &str, claim: &str) -> String {
        format!(
            "ISA*00*          *01*SECRET    *ZZ*SUBMITTERS.ID  *ZZ*RECEIVERS.ID   *030101*1253*U*00501*{control}*1*T*:~\n\
             GS*HC*SENDER CODE*RECEIVER CODE*19991231*0802*1*X*005010X222A1~\n\
             ST*837*987654*005010X222A1~\n\
             CLM*{claim}*500***11:B:1*Y*A*Y*I*P~\n\
             HI*BK*8901*BF*87200*BF:5559~\n\
             SE*4*987654~\n\
             GE*1*1~\n\
             IEA*1*{control}~\n"
        )
    }

    fn kinds(report: &EnvelopeReport) -> Vec<String> {
        report.problems.iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn reads_every_interchange_of_the_input() {
        let input =
            interchange("000000905", "A37YH556") + interchange("000000906", "A37YH5561").as_str();
        let report = read_envelope(input.as_bytes()).expect("reads");
        assert!(report.is_clean(), "{:?}", kinds(&report));
        assert_eq!(report.interchange.control_number, "000000905");
        assert_eq!(report.interchange.segment_ordinals, 1..9);
        let [second] = report.following.as_slice() else {
            panic!("one interchange follows: {:?}", report.following);
        };
        assert_eq!(second.interchange.control_number, "000000906");
        assert_eq!(second.interchange.segment_ordinals, 9..17);
        assert_eq!(second.interchange.segment_count, 8);
        let set = &second.interchange.groups[0].transactions[0];
        assert_eq!(
            (set.id_code.as_str(), set.segment_ordinals.clone()),
            ("837", 11..15)
        );
        assert_eq!(
            read_envelope_stream(input.as_bytes()).expect("streams"),
            report
        );
        let reports = read_envelopes(input.as_bytes()).expect("reads");
        let controls: Vec<&str> = reports
            .iter()
            .map(|r| r.interchange.control_number.as_str())
            .collect();
        assert_eq!(controls, ["000000905", "000000906"]);
        assert!(reports.iter().all(|r| r.following.is_empty()));
        // Read strictly, an input is one interchange.
        let Err(X12Error::Envelope(error)) = parse_interchange(input.as_bytes()) else {
            panic!("two interchanges are not one");
        };
        assert_eq!(
            error.to_string(),
            "segment 9 (ISA): the input holds 2 interchanges where one is expected"
        );
    }

    #[test]
    fn an_isa_ends_an_interchange_without_iea() {
        let first = interchange("000000905", "A37YH556").replace("IEA*1*000000905~\n", "");
        let first = first.replace("GE*1*1~\n", "");
        let input = first + interchange("000000906", "A37YH5561").as_str();
        let reports = read_envelopes(input.as_bytes()).expect("reads");
        assert_eq!(reports.len(), 2);
        assert_eq!(
            kinds(&reports[0]),
            [
                "segment 7 (ISA): functional group 1 has no GE trailer",
                "segment 7 (ISA): interchange 000000905 has no IEA trailer"
            ]
        );
        assert_eq!(reports[0].interchange.segment_ordinals, 1..7);
        assert!(reports[1].is_clean(), "{:?}", kinds(&reports[1]));
    }

    #[test]
    fn segments_after_iea_that_start_no_interchange_are_reported() {
        let input = interchange("000000905", "A37YH556") + "GE*1*1~\n";
        let report = read_envelope(input.as_bytes()).expect("reads");
        assert!(report.following.is_empty());
        assert_eq!(
            kinds(&report),
            ["segment 9 (GE): unexpected segment: data after IEA"]
        );
    }
}
