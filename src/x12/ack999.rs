//! 999 implementation acknowledgment (005010X231A1): generating one for a received
//! interchange from its envelope validation, and reading an inbound 999 into typed results.
//!
//! One 999 transaction set acknowledges one functional group: AK1 names the group, each
//! AK2/IK5 pair reports one transaction set (with IK3 segment and IK4 element errors), and AK9
//! reports the group with its set counts.

use serde::{Deserialize, Serialize};

use super::X12Error;
use super::codes::code_enum;
use super::envelope::{EnvelopeProblem, EnvelopeReport, Interchange, ProblemScope, TransactionSet};
use super::guide::{Finding, Validation};
use super::reader::Segment;
use super::separators::Separators;
use super::typed::{FieldProblem, ReadOutcome, SegmentIssue, missing_from_set, read_documents};
use super::values::{Date, Time};
use super::writer::{Field, GroupHeader, InterchangeHeader, WriteError, X12Writer};

/// Implementation reference of the 999 (ST03 and GS08).
pub const IMPLEMENTATION_999: &str = "005010X231A1";

/// Most error codes IK5 and AK9 can carry (IK502-IK506, AK905-AK909).
const MAX_ERROR_CODES: usize = 5;

code_enum! {
    /// IK501 / AK901: acknowledgment code of a transaction set or functional group.
    pub enum AckCode {
        Accepted = "A" => "accepted",
        AcceptedWithErrors = "E" => "accepted but errors were noted",
        PartiallyAccepted = "P" => "partially accepted, at least one transaction set was rejected",
        Rejected = "R" => "rejected",
        AuthenticationFailed = "M" => "rejected, message authentication code failed",
        AssuranceFailed = "W" => "rejected, assurance failed validity tests",
        DecryptionFailed = "X" => "rejected, content after decryption could not be analyzed",
    }
}

impl AckCode {
    /// Whether the acknowledged data was accepted (`A` or `E`).
    pub fn is_accepted(&self) -> bool {
        matches!(self, AckCode::Accepted | AckCode::AcceptedWithErrors)
    }
}

code_enum! {
    /// IK502-IK506: transaction set syntax error codes.
    pub enum SetSyntaxError {
        NotSupported = "1" => "transaction set not supported",
        TrailerMissing = "2" => "transaction set trailer missing",
        ControlNumberMismatch = "3" => "transaction set control number in header and trailer do not match",
        SegmentCountMismatch = "4" => "number of included segments does not match actual count",
        SegmentsInError = "5" => "one or more segments in error",
        InvalidIdentifier = "6" => "missing or invalid transaction set identifier",
        InvalidControlNumber = "7" => "missing or invalid transaction set control number",
        NotInGroup = "18" => "transaction set not in functional group",
        InvalidImplementationReference = "19" => "invalid transaction set implementation convention reference",
        ControlNumberNotUnique = "23" => "transaction set control number not unique within the functional group",
        ImplementationSegmentsInError = "I5" => "implementation one or more segments in error",
        ImplementationNotSupported = "I6" => "implementation convention not supported",
    }
}

code_enum! {
    /// AK905-AK909: functional group syntax error codes.
    pub enum GroupSyntaxError {
        NotSupported = "1" => "functional group not supported",
        VersionNotSupported = "2" => "functional group version not supported",
        TrailerMissing = "3" => "functional group trailer missing",
        ControlNumberMismatch = "4" => "group control number in the functional group header and trailer do not agree",
        SetCountMismatch = "5" => "number of included transaction sets does not match actual count",
        InvalidControlNumber = "6" => "group control number violates syntax",
        ControlNumberNotUnique = "19" => "functional group control number not unique within interchange",
    }
}

code_enum! {
    /// IK304: implementation segment syntax error codes.
    pub enum SegmentSyntaxError {
        UnrecognizedSegment = "1" => "unrecognized segment ID",
        UnexpectedSegment = "2" => "unexpected segment",
        RequiredSegmentMissing = "3" => "required segment missing",
        LoopOverMaximum = "4" => "loop occurs over maximum times",
        SegmentOverMaximum = "5" => "segment exceeds maximum use",
        NotInTransactionSet = "6" => "segment not in defined transaction set",
        OutOfSequence = "7" => "segment not in proper sequence",
        DataElementErrors = "8" => "segment has data element errors",
        NotUsedSegmentPresent = "I4" => "implementation \"not used\" segment present",
        DependentSegmentMissing = "I6" => "implementation dependent segment missing",
        LoopUnderMinimum = "I7" => "implementation loop occurs under minimum times",
        SegmentUnderMinimum = "I8" => "implementation segment below minimum use",
        DependentNotUsedSegmentPresent = "I9" => "implementation dependent \"not used\" segment present",
    }
}

code_enum! {
    /// IK403: implementation data element syntax error codes.
    pub enum ElementSyntaxError {
        RequiredMissing = "1" => "required data element missing",
        ConditionalRequiredMissing = "2" => "conditional required data element missing",
        TooManyElements = "3" => "too many data elements",
        TooShort = "4" => "data element too short",
        TooLong = "5" => "data element too long",
        InvalidCharacter = "6" => "invalid character in data element",
        InvalidCodeValue = "7" => "invalid code value",
        InvalidDate = "8" => "invalid date",
        InvalidTime = "9" => "invalid time",
        ExclusionViolated = "10" => "exclusion condition violated",
        TooManyRepetitions = "12" => "too many repetitions",
        TooManyComponents = "13" => "too many components",
        CodeNotUsed = "I6" => "code value not used in implementation",
        DependentElementMissing = "I9" => "implementation dependent data element missing",
        NotUsedElementPresent = "I10" => "implementation \"not used\" data element present",
        TooFewRepetitions = "I11" => "implementation too few repetitions",
        PatternMismatch = "I12" => "implementation pattern match failure",
        DependentNotUsedElementPresent = "I13" => "implementation dependent \"not used\" data element present",
    }
}

/// An IK4 element error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElementError {
    /// IK401-1: 1-based element position in the segment.
    pub element_position: usize,
    /// IK401-2: 1-based component position, for composites.
    pub component_position: Option<usize>,
    /// IK401-3: 1-based repetition position, for repeated elements.
    pub repetition_position: Option<usize>,
    /// IK402: data element reference number.
    pub reference_number: Option<String>,
    /// IK403: what is wrong.
    pub code: ElementSyntaxError,
    /// IK404: copy of the bad value.
    pub bad_value: Option<String>,
}

/// An IK3 segment error with its IK4 element errors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentError {
    /// IK301: segment id.
    pub segment_id: String,
    /// IK302: 1-based position of the segment in the transaction set (ST is 1).
    pub position_in_set: usize,
    /// IK303: loop identifier (e.g. `2300`).
    pub loop_id: Option<String>,
    /// IK304: what is wrong with the segment.
    pub code: SegmentSyntaxError,
    /// IK4 element errors.
    pub element_errors: Vec<ElementError>,
    /// CTX business unit identifier: the claim (or other unit) the segment belongs to.
    #[serde(default)]
    pub business_unit: Option<BusinessUnitId>,
}

/// A 999 CTX business unit identifier (CTX01): what the unit is called and its value, e.g.
/// `CLM01` and the claim's submitter identifier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessUnitId {
    /// CTX01-1: the name of the identifier (`CLM01`).
    pub name: String,
    /// CTX01-2: its value.
    pub value: String,
}

/// The acknowledgment of one transaction set (AK2..IK5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetAck {
    /// AK201: transaction set identifier (`837`...).
    pub id_code: String,
    /// AK202: transaction set control number.
    pub control_number: String,
    /// AK203: implementation convention reference.
    pub implementation_ref: Option<String>,
    /// IK501: accepted, accepted with errors or rejected.
    pub code: AckCode,
    /// IK502-IK506: set-level syntax errors.
    pub syntax_errors: Vec<SetSyntaxError>,
    /// IK3/IK4 segment and element errors.
    pub segment_errors: Vec<SegmentError>,
}

impl SetAck {
    /// An acknowledgment for a received set: rejected when `syntax_errors` is not empty.
    pub fn for_set(set: &TransactionSet, syntax_errors: Vec<SetSyntaxError>) -> Self {
        SetAck {
            id_code: set.id_code.clone(),
            control_number: set.control_number.clone(),
            implementation_ref: set.implementation_ref.clone(),
            code: if syntax_errors.is_empty() {
                AckCode::Accepted
            } else {
                AckCode::Rejected
            },
            syntax_errors,
            segment_errors: Vec::new(),
        }
    }
}

/// AK9 figures of a functional group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupStatus {
    /// AK901: the group's acknowledgment code.
    pub code: AckCode,
    /// AK902: number of transaction sets the group declared (GE01).
    pub included: usize,
    /// AK903: number of transaction sets received.
    pub received: usize,
    /// AK904: number of transaction sets accepted.
    pub accepted: usize,
}

/// The acknowledgment of one functional group (AK1..AK9).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupAck {
    /// AK101: functional identifier code of the acknowledged group (`HC`...).
    pub functional_id: String,
    /// AK102: group control number.
    pub control_number: String,
    /// AK103: the group's version (GS08).
    pub version: Option<String>,
    /// One acknowledgment per transaction set.
    pub sets: Vec<SetAck>,
    /// AK902: sets the group declared in GE01 (received count when GE01 was unusable).
    pub included_set_count: usize,
    /// AK905-AK909: group-level syntax errors.
    pub syntax_errors: Vec<GroupSyntaxError>,
}

impl GroupAck {
    /// Derives the AK9 figures: rejected when the group itself has errors, otherwise from the
    /// sets (all accepted: `A`; accepted with some errors: `E`; some rejected: `P`; none
    /// accepted: `R`).
    pub fn status(&self) -> GroupStatus {
        let accepted = self.sets.iter().filter(|s| s.code.is_accepted()).count();
        let received = self.sets.len();
        let code = if !self.syntax_errors.is_empty() || (accepted == 0 && received > 0) {
            AckCode::Rejected
        } else if accepted < received {
            AckCode::PartiallyAccepted
        } else if self
            .sets
            .iter()
            .any(|s| s.code == AckCode::AcceptedWithErrors)
        {
            AckCode::AcceptedWithErrors
        } else {
            AckCode::Accepted
        };
        GroupStatus {
            code,
            included: self.included_set_count,
            received,
            accepted,
        }
    }
}

/// The IK5 code for an envelope problem of a transaction set.
fn set_error_for(problem: &EnvelopeProblem) -> SetSyntaxError {
    match problem {
        EnvelopeProblem::SetTrailerMissing { .. } => SetSyntaxError::TrailerMissing,
        EnvelopeProblem::SetControlNumberMismatch { .. } => SetSyntaxError::ControlNumberMismatch,
        EnvelopeProblem::SegmentCountMismatch { .. } | EnvelopeProblem::InvalidCount { .. } => {
            SetSyntaxError::SegmentCountMismatch
        }
        EnvelopeProblem::InvalidSetIdentifier { .. } => SetSyntaxError::InvalidIdentifier,
        EnvelopeProblem::InvalidSetControlNumber { .. } => SetSyntaxError::InvalidControlNumber,
        EnvelopeProblem::DuplicateSetControlNumber { .. } => SetSyntaxError::ControlNumberNotUnique,
        _ => SetSyntaxError::SegmentsInError,
    }
}

/// The AK9 code for an envelope problem of a functional group; `None` for problems that AK9
/// has no code for (a missing GS element, a stray segment).
fn group_error_for(problem: &EnvelopeProblem) -> Option<GroupSyntaxError> {
    match problem {
        EnvelopeProblem::GroupTrailerMissing { .. } => Some(GroupSyntaxError::TrailerMissing),
        EnvelopeProblem::GroupControlNumberMismatch { .. } => {
            Some(GroupSyntaxError::ControlNumberMismatch)
        }
        EnvelopeProblem::SetCountMismatch { .. } | EnvelopeProblem::InvalidCount { .. } => {
            Some(GroupSyntaxError::SetCountMismatch)
        }
        EnvelopeProblem::InvalidGroupControlNumber { .. } => {
            Some(GroupSyntaxError::InvalidControlNumber)
        }
        EnvelopeProblem::DuplicateGroupControlNumber { .. } => {
            Some(GroupSyntaxError::ControlNumberNotUnique)
        }
        _ => None,
    }
}

/// Builds the acknowledgment of group `group_index` of a validated interchange from its
/// envelope problems. Callers may add IK3/IK4 errors found by deeper checks before writing.
pub fn acknowledge_group(report: &EnvelopeReport, group_index: usize) -> Option<GroupAck> {
    let group = report.interchange.groups.get(group_index)?;
    let sets = group
        .transactions
        .iter()
        .enumerate()
        .map(|(set_index, set)| {
            let scope = ProblemScope::TransactionSet {
                group: group_index,
                set: set_index,
            };
            let mut errors: Vec<SetSyntaxError> = Vec::new();
            for problem in report.problems_in(scope) {
                let code = set_error_for(&problem.problem);
                if !errors.contains(&code) {
                    errors.push(code);
                }
            }
            SetAck::for_set(set, errors)
        })
        .collect();
    let group_scope = ProblemScope::Group { group: group_index };
    let mut syntax_errors: Vec<GroupSyntaxError> = Vec::new();
    let mut included_set_count = group.transactions.len();
    for problem in report.problems_in(group_scope) {
        if let EnvelopeProblem::SetCountMismatch { declared, .. } = *problem.problem {
            included_set_count = declared;
        }
        if let Some(code) = group_error_for(&problem.problem)
            && !syntax_errors.contains(&code)
        {
            syntax_errors.push(code);
        }
    }
    Some(GroupAck {
        functional_id: group.functional_id.clone(),
        control_number: group.control_number.clone(),
        version: Some(group.version.clone()).filter(|v| !v.is_empty()),
        sets,
        included_set_count,
        syntax_errors,
    })
}

/// Acknowledgments for every group of a validated interchange.
pub fn acknowledge_interchange(report: &EnvelopeReport) -> Vec<GroupAck> {
    (0..report.interchange.groups.len())
        .filter_map(|index| acknowledge_group(report, index))
        .collect()
}

/// Adds a transaction set's implementation-guide findings to its acknowledgment: one IK3
/// per segment at fault with its IK4s and CTX, and the IK5 code. A set whose findings only
/// mark data the guide says not to send is accepted with errors (`E`: the data is ignored);
/// any other finding rejects it (`R`), with IK502 code `5` for breaches of the X12 standard
/// and `I5` for breaches of the implementation guide.
pub fn add_findings(ack: &mut SetAck, findings: &[Finding]) {
    if findings.is_empty() {
        return;
    }
    for finding in findings {
        let element = finding.element.as_ref().map(|element| ElementError {
            element_position: element.position,
            component_position: element.component,
            repetition_position: element.repetition,
            // IK402 is numeric: composites (C023...) have no data element number to give.
            reference_number: Some(element.reference.clone())
                .filter(|r| !r.is_empty() && r.bytes().all(|b| b.is_ascii_digit())),
            code: element.code.clone(),
            bad_value: element.bad_value.clone(),
        });
        let same_segment = ack.segment_errors.last_mut().filter(|last| {
            element.is_some()
                && last.code == SegmentSyntaxError::DataElementErrors
                && last.position_in_set == finding.position_in_set
                && last.segment_id == finding.segment_id
        });
        match (same_segment, element) {
            (Some(last), Some(element)) => last.element_errors.push(element),
            (_, element) => ack.segment_errors.push(SegmentError {
                segment_id: finding.segment_id.clone(),
                position_in_set: finding.position_in_set,
                loop_id: finding.loop_id.clone(),
                code: finding.code.clone(),
                element_errors: element.into_iter().collect(),
                business_unit: finding.business_unit.clone(),
            }),
        }
    }
    let mut codes = Vec::new();
    if findings.iter().any(Finding::is_standard_syntax) {
        codes.push(SetSyntaxError::SegmentsInError);
    }
    if findings.iter().any(|f| !f.is_standard_syntax()) {
        codes.push(SetSyntaxError::ImplementationSegmentsInError);
    }
    for code in codes {
        if !ack.syntax_errors.contains(&code) {
            ack.syntax_errors.push(code);
        }
    }
    let usable = findings.iter().all(Finding::is_not_used_only);
    if ack.code == AckCode::Accepted {
        ack.code = if usable {
            AckCode::AcceptedWithErrors
        } else {
            AckCode::Rejected
        };
    }
}

/// Whether an interchange is answered with a 999: it holds a functional group other than
/// acknowledgments (FA). Acknowledgments, and TA1-only interchanges, are never acknowledged.
pub fn wants_999(report: &EnvelopeReport) -> bool {
    report
        .interchange
        .groups
        .iter()
        .any(|g| g.functional_id != "FA")
}

/// Acknowledgments for every group of a validated interchange, with the implementation-guide
/// findings of its sets ([`add_findings`]).
pub fn acknowledge_validated(report: &EnvelopeReport, validation: &Validation) -> Vec<GroupAck> {
    let mut acks = acknowledge_interchange(report);
    for (ack, group) in acks.iter_mut().zip(&report.interchange.groups) {
        for (set_ack, set) in ack.sets.iter_mut().zip(&group.transactions) {
            if let Some(found) = validation.set(set.segment_ordinals.start) {
                add_findings(set_ack, &found.findings);
            }
        }
    }
    acks
}

/// Control numbers and timestamp of an outbound 999 interchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AckEnvelope {
    /// ISA13 of the 999 interchange.
    pub interchange_control_number: u32,
    /// GS06 of the 999 group.
    pub group_control_number: u32,
    /// ST02 of the first 999 set; each further group acknowledged takes the next number.
    pub first_transaction_control_number: u32,
    /// Date written in ISA09 and GS04.
    pub date: Date,
    /// Time written in ISA10 and GS05.
    pub time: Time,
    /// Newline after each segment terminator.
    pub line_breaks: bool,
}

/// Writes a 999 interchange answering `received`: sender and receiver swapped, one 999
/// transaction set per acknowledged group, in the received interchange's separators when they
/// include a repetition separator (standard separators otherwise).
pub fn write_999(
    received: &Interchange,
    acks: &[GroupAck],
    envelope: &AckEnvelope,
) -> Result<Vec<u8>, WriteError> {
    if acks.is_empty() {
        return Err(WriteError::OutOfOrder {
            action: "write a 999".to_owned(),
            reason: "no functional group to acknowledge".to_owned(),
        });
    }
    let mut writer = match received.separators.repetition {
        Some(_) => X12Writer::new(received.separators, envelope.line_breaks)?,
        None => X12Writer::standard(envelope.line_breaks),
    };
    writer.begin_interchange(&InterchangeHeader {
        sender_qualifier: received.receiver_qualifier.clone(),
        sender_id: received.receiver_id.clone(),
        receiver_qualifier: received.sender_qualifier.clone(),
        receiver_id: received.sender_id.clone(),
        date: envelope.date,
        time: envelope.time,
        control_number: envelope.interchange_control_number,
        acknowledgment_requested: false,
        usage: received.usage.clone(),
    })?;
    let first_group = received.groups.first();
    writer.begin_group(&GroupHeader {
        functional_id: "FA".to_owned(),
        sender_code: first_group
            .map_or_else(|| received.receiver_id.clone(), |g| g.receiver_code.clone()),
        receiver_code: first_group
            .map_or_else(|| received.sender_id.clone(), |g| g.sender_code.clone()),
        date: envelope.date,
        time: envelope.time,
        control_number: envelope.group_control_number,
        version: IMPLEMENTATION_999.to_owned(),
    })?;
    for (offset, ack) in (0_u32..).zip(acks) {
        let control_number = envelope
            .first_transaction_control_number
            .saturating_add(offset);
        writer.begin_transaction("999", control_number, Some(IMPLEMENTATION_999))?;
        write_group_ack(&mut writer, ack)?;
        writer.end_transaction()?;
    }
    writer.end_group()?;
    writer.end_interchange()?;
    writer.finish()
}

/// Writes AK1, the AK2 loops and AK9 of one group.
fn write_group_ack(writer: &mut X12Writer, ack: &GroupAck) -> Result<(), WriteError> {
    let separators = writer.separators();
    writer.segment(
        "AK1",
        &[
            &ack.functional_id,
            &ack.control_number,
            ack.version.as_deref().unwrap_or_default(),
        ],
    )?;
    for set in &ack.sets {
        writer.segment(
            "AK2",
            &[
                &set.id_code,
                &set.control_number,
                set.implementation_ref.as_deref().unwrap_or_default(),
            ],
        )?;
        for segment_error in &set.segment_errors {
            write_segment_error(writer, segment_error, separators)?;
        }
        let mut ik5: Vec<&str> = vec![set.code.code()];
        ik5.extend(
            set.syntax_errors
                .iter()
                .take(MAX_ERROR_CODES)
                .map(SetSyntaxError::code),
        );
        writer.segment("IK5", &ik5)?;
    }
    let status = ack.status();
    let counts = [status.included, status.received, status.accepted].map(|n| n.to_string());
    let mut ak9: Vec<&str> = vec![status.code.code()];
    ak9.extend(counts.iter().map(String::as_str));
    ak9.extend(
        ack.syntax_errors
            .iter()
            .take(MAX_ERROR_CODES)
            .map(GroupSyntaxError::code),
    );
    writer.segment("AK9", &ak9)
}

/// Writes one IK3 and its IK4s. A bad value holding a separator cannot be copied into IK404
/// (X12 has no escape), so IK404 is left out for it.
fn write_segment_error(
    writer: &mut X12Writer,
    error: &SegmentError,
    separators: Separators,
) -> Result<(), WriteError> {
    let position = error.position_in_set.to_string();
    writer.segment(
        "IK3",
        &[
            &error.segment_id,
            &position,
            error.loop_id.as_deref().unwrap_or_default(),
            error.code.code(),
        ],
    )?;
    if let Some(unit) = &error.business_unit
        && !unit
            .value
            .bytes()
            .any(|b| separators.is_separator(b) || b == b'\r' || b == b'\n')
    {
        writer.segment_fields(
            "CTX",
            &[Field::Composite(&[unit.name.as_str(), unit.value.as_str()])],
        )?;
    }
    for element_error in &error.element_errors {
        let positions = [
            Some(element_error.element_position),
            element_error.component_position,
            element_error.repetition_position,
        ]
        .map(|p| p.map(|n| n.to_string()).unwrap_or_default());
        let components: Vec<&str> = positions.iter().map(String::as_str).collect();
        let bad_value = element_error
            .bad_value
            .as_deref()
            .filter(|v| {
                !v.bytes()
                    .any(|b| separators.is_separator(b) || b == b'\r' || b == b'\n')
            })
            .unwrap_or_default();
        writer.segment_fields(
            "IK4",
            &[
                Field::Composite(&components),
                Field::Simple(
                    element_error
                        .reference_number
                        .as_deref()
                        .unwrap_or_default(),
                ),
                Field::Simple(element_error.code.code()),
                Field::Simple(bad_value),
            ],
        )?;
    }
    Ok(())
}

/// An inbound 999 transaction set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ack999 {
    /// ST02 of the 999 itself.
    pub control_number: String,
    /// The acknowledged group with one entry per acknowledged transaction set.
    pub group: GroupAck,
    /// AK9 as the sender reported it.
    pub reported: GroupStatus,
}

impl Ack999 {
    /// The acknowledgment of the set with control number `control_number` (AK202).
    pub fn set(&self, control_number: &str) -> Option<&SetAck> {
        self.group
            .sets
            .iter()
            .find(|s| s.control_number == control_number)
    }
}

/// Reads every 999 transaction set of an interchange.
pub fn read_999(input: &[u8]) -> Result<ReadOutcome<Ack999>, X12Error> {
    read_documents(input, "999", read_999_set)
}

fn missing_segment(segment: &Segment<'_>, name: &str) -> SegmentIssue {
    segment.issue(
        None,
        FieldProblem::MissingSegment {
            name: name.to_owned(),
        },
    )
}

fn read_999_set(
    set: &TransactionSet,
    segments: &[Segment<'_>],
    warnings: &mut Vec<SegmentIssue>,
) -> Result<Ack999, SegmentIssue> {
    let mut group: Option<GroupAck> = None;
    let mut reported: Option<GroupStatus> = None;
    let mut open_set: Option<SetAck> = None;
    let trailer = segments.last().copied();
    for segment in segments {
        match segment.id() {
            "ST" | "SE" => {}
            "CTX" => {
                let last = open_set.as_mut().and_then(|s| s.segment_errors.last_mut());
                let name = segment.component_string_at(1, 1);
                let value = segment.component_string_at(1, 2);
                if let (Some(last), Some(name), Some(value)) = (last, name, value)
                    && last.business_unit.is_none()
                    && name != "SITUATIONAL TRIGGER"
                {
                    last.business_unit = Some(BusinessUnitId { name, value });
                }
            }
            "AK1" => {
                group = Some(GroupAck {
                    functional_id: segment
                        .required_string_at(1, "AK101 functional identifier code")?,
                    control_number: segment.required_string_at(2, "AK102 group control number")?,
                    version: segment.string_at(3),
                    sets: Vec::new(),
                    included_set_count: 0,
                    syntax_errors: Vec::new(),
                });
            }
            "AK2" => {
                open_set = Some(SetAck {
                    id_code: segment
                        .required_string_at(1, "AK201 transaction set identifier code")?,
                    control_number: segment
                        .required_string_at(2, "AK202 transaction set control number")?,
                    implementation_ref: segment.string_at(3),
                    code: AckCode::Rejected,
                    syntax_errors: Vec::new(),
                    segment_errors: Vec::new(),
                });
            }
            "IK3" => {
                let Some(current) = open_set.as_mut() else {
                    return Err(missing_segment(segment, "AK2 before IK3"));
                };
                let position = segment.count_at(2, None)?.unwrap_or_default();
                current.segment_errors.push(SegmentError {
                    segment_id: segment.required_string_at(1, "IK301 segment id")?,
                    position_in_set: position,
                    loop_id: segment.string_at(3),
                    code: SegmentSyntaxError::from_code(&segment.string_at(4).unwrap_or_default()),
                    element_errors: Vec::new(),
                    business_unit: None,
                });
            }
            "IK4" => {
                let Some(segment_error) =
                    open_set.as_mut().and_then(|s| s.segment_errors.last_mut())
                else {
                    return Err(missing_segment(segment, "IK3 before IK4"));
                };
                segment_error.element_errors.push(ElementError {
                    element_position: segment.count_at(1, Some(1))?.unwrap_or_default(),
                    component_position: segment.count_at(1, Some(2))?,
                    repetition_position: segment.count_at(1, Some(3))?,
                    reference_number: segment.string_at(2),
                    code: ElementSyntaxError::from_code(
                        &segment.required_string_at(3, "IK403 error code")?,
                    ),
                    bad_value: segment.string_at(4),
                });
            }
            "IK5" => {
                let Some(mut finished) = open_set.take() else {
                    return Err(missing_segment(segment, "AK2 before IK5"));
                };
                finished.code = AckCode::from_code(
                    &segment.required_string_at(1, "IK501 acknowledgment code")?,
                );
                finished.syntax_errors = (2..=6)
                    .filter_map(|p| segment.string_at(p))
                    .map(|c| SetSyntaxError::from_code(&c))
                    .collect();
                let Some(current_group) = group.as_mut() else {
                    return Err(missing_segment(segment, "AK1 before IK5"));
                };
                current_group.sets.push(finished);
            }
            "AK9" => {
                let status = GroupStatus {
                    code: AckCode::from_code(
                        &segment.required_string_at(1, "AK901 acknowledgment code")?,
                    ),
                    included: segment.count_at(2, None)?.unwrap_or_default(),
                    received: segment.count_at(3, None)?.unwrap_or_default(),
                    accepted: segment.count_at(4, None)?.unwrap_or_default(),
                };
                let Some(current_group) = group.as_mut() else {
                    return Err(missing_segment(segment, "AK1 before AK9"));
                };
                current_group.included_set_count = status.included;
                current_group.syntax_errors = (5..=9)
                    .filter_map(|p| segment.string_at(p))
                    .map(|c| GroupSyntaxError::from_code(&c))
                    .collect();
                reported = Some(status);
            }
            _ => warnings.push(segment.issue(
                None,
                FieldProblem::UnexpectedSegment {
                    context: "in a 999".to_owned(),
                },
            )),
        }
    }
    let end = trailer.ok_or_else(|| missing_from_set(set, "AK1"))?;
    if let Some(unfinished) = open_set {
        let name = format!("IK5 for transaction set {}", unfinished.control_number);
        return Err(missing_segment(&end, &name));
    }
    let group = group.ok_or_else(|| missing_segment(&end, "AK1"))?;
    let reported = reported.ok_or_else(|| missing_segment(&end, "AK9"))?;
    Ok(Ack999 {
        control_number: set.control_number.clone(),
        group,
        reported,
    })
}
