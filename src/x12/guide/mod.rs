//! Implementation-guide (TR3) validation of 005010 transaction sets.
//!
//! Each guide is static data in its own file: the loop tree of the transaction set with, for
//! every segment, its TR3 position, usage (Required, Situational, Not Used), maximum use and
//! syntax notes, and for every element its position, data element number, usage, type,
//! minimum and maximum length and, where the guide fixes one, its list of codes. One walker
//! ([`SetWalker`]) reads those tables: it takes a transaction set's segments one at a time, in
//! one pass, borrowing them from the reader (nothing of the input is copied), follows the loop
//! tree as the TR3 does (a loop starts at its leading segment with its qualifier: `NM1*85`
//! opens 2010AA, `HL` with HL03 `22` opens 2000B) and reports each departure as a [`Finding`]
//! carrying the 999 codes (IK3 segment and IK4 element syntax error codes). It also checks HL
//! numbering: HL01 counts 1, 2, 3... within the set and HL02 names an earlier HL01.
//!
//! [`GuideValidator`] runs the envelope checks and the walker over a whole input side by side,
//! choosing each set's guide from ST01 and ST03 (GS08 when ST03 is absent).
//!
//! The tables were derived from the public pyx12 maps (BSD-3-Clause, © John Holland), which
//! transcribe the TR3s; the 276 table's request-side loops follow LinuxForHealth x12's
//! 005010X212 models (Apache-2.0). Each table's module says which map it comes from. What they
//! leave out: code lists kept outside the guide (state, country and currency codes; CARC, RARC,
//! HCPCS and other external lists) are not checked, nor are the TR3's regular-expression
//! patterns, nor the situational rules written in prose (an element "required when ..."),
//! which no table can decide; situational segments and elements are checked for form only.

// The guide tables of this module are derived from the pyx12 maps, under this licence:
//
// Copyright (c)
// John Holland <john@zoner.org>
//
// All rights reserved.
//
// Redistribution and use in source and binary forms, with or without modification,
// are permitted provided that the following conditions are met:
//
// 1. Redistributions of source code must retain the above copyright notice, this list
// of conditions and the following disclaimer.
//
// 2. Redistributions in binary form must reproduce the above copyright notice, this
// list of conditions and the following disclaimer in the documentation and/or other
// materials provided with the distribution.
//
// 3. The name of the author may not be used to endorse or promote products derived
// from this software without specific prior written permission.
//
// THIS SOFTWARE IS PROVIDED BY THE AUTHOR ``AS IS'' AND ANY EXPRESS OR IMPLIED
// WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED WARRANTIES OF
// MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE DISCLAIMED. IN NO
// EVENT SHALL THE AUTHOR BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL,
// EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT
// OF SUBSTITUTE GOODS OR SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS
// INTERRUPTION) HOWEVER CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN
// CONTRACT, STRICT LIABILITY, OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE)
// ARISING IN ANY WAY OUT OF THE USE OF THIS SOFTWARE, EVEN IF ADVISED OF
// THE POSSIBILITY OF SUCH DAMAGE.

mod ack277ca;
mod ack999;
mod claim837i;
mod claim837p;
mod eligibility270;
mod eligibility271;
mod remit835;
mod shared;
mod status276;
mod status277;

use serde::{Deserialize, Serialize};

use super::X12Error;
use super::ack999::{BusinessUnitId, ElementSyntaxError, SegmentSyntaxError};
use super::envelope::{EnvelopeReport, EnvelopeValidator};
use super::reader::{Element, Segment, StreamReader, Tokenizer};
use super::values::{Date, Time};

/// Maximum use or repeat with no limit (`>1` in a TR3).
const UNBOUNDED: u32 = u32::MAX;

/// TR3 usage of a segment, loop or element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Usage {
    /// Must be sent.
    Required,
    /// Sent when the guide's situation applies.
    Situational,
    /// Must not be sent.
    NotUsed,
}

/// X12 data element types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataType {
    /// String (AN): printable characters.
    Alphanumeric,
    /// Identifier (ID): a code.
    Identifier,
    /// Date (DT): CCYYMMDD, or YYMMDD when six long.
    Date,
    /// Time (TM): HHMM, HHMMSS or HHMMSSD..
    Time,
    /// Whole number with no decimal places (N0).
    Numeric0,
    /// Implied one decimal place (N1).
    Numeric1,
    /// Implied two decimal places (N2).
    Numeric2,
    /// Decimal number with an optional point (R).
    Decimal,
}

/// An element, or a component of a composite, in a segment of a guide.
#[derive(Debug)]
pub struct ElementRule {
    /// 1-based position in the segment (or in the composite).
    pub position: u8,
    /// Data element reference number (`98`, `C022`...), as IK402 reports it.
    pub reference: &'static str,
    /// Usage in this segment of this guide.
    pub usage: Usage,
    /// Type of a simple element (ignored for composites).
    pub data_type: DataType,
    /// Minimum length of a simple element.
    pub min_len: u16,
    /// Maximum length of a simple element.
    pub max_len: u16,
    /// Codes the guide allows here; empty for free values or lists kept outside the guide.
    pub codes: &'static [&'static str],
    /// Components of a composite; empty for a simple element.
    pub components: &'static [ElementRule],
    /// Times the element may repeat (1 unless the guide lets it repeat, as EQ01 does).
    pub max_repeat: u32,
}

impl ElementRule {
    /// Whether the element is a composite.
    pub fn is_composite(&self) -> bool {
        !self.components.is_empty()
    }
}

/// Kind of an X12 syntax note over a segment's elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyntaxKind {
    /// P: if any is present, all are.
    Paired,
    /// R: at least one is present.
    AtLeastOne,
    /// C: if the first is present, all the others are.
    Conditional,
    /// E: at most one is present.
    Exclusive,
    /// L: if the first is present, at least one of the others is.
    ListConditional,
}

/// One syntax note, e.g. `P0809`.
#[derive(Debug)]
pub struct SyntaxNote {
    /// What the note requires.
    pub kind: SyntaxKind,
    /// 1-based element positions it names, in the note's order.
    pub positions: &'static [u8],
}

impl SyntaxNote {
    /// A note of `kind` over `positions`.
    const fn new(kind: SyntaxKind, positions: &'static [u8]) -> Self {
        SyntaxNote { kind, positions }
    }
}

/// A segment at one place of a guide's loop tree.
#[derive(Debug)]
pub struct SegmentRule {
    /// Segment identifier.
    pub id: &'static str,
    /// TR3 position number; segments of one loop sharing a position may come in any order.
    pub position: u16,
    /// Usage here.
    pub usage: Usage,
    /// Maximum use within one instance of the enclosing loop.
    pub max_use: u32,
    /// Syntax notes.
    pub syntax: &'static [SyntaxNote],
    /// Elements, in position order.
    pub elements: &'static [ElementRule],
}

/// A loop of a guide.
#[derive(Debug)]
pub struct LoopRule {
    /// TR3 loop identifier (`2300`), or `ST_LOOP` for the transaction set itself.
    pub id: &'static str,
    /// Usage of the loop.
    pub usage: Usage,
    /// Maximum repeat within one instance of the enclosing loop.
    pub max_repeat: u32,
    /// Segments and loops in TR3 order; the first is the leading segment (or loop).
    pub children: &'static [Node],
}

/// A member of a loop.
#[derive(Debug)]
pub enum Node {
    /// A segment.
    Segment(SegmentRule),
    /// A nested loop.
    Loop(LoopRule),
}

/// Where a guide names the business unit a 999 CTX reports (CLM01 for a claim).
#[derive(Debug)]
pub struct BusinessUnit {
    /// Loop whose leading segment carries the identifier.
    pub loop_id: &'static str,
    /// Element position of the identifier in that segment.
    pub element: usize,
    /// The name CTX01-1 gives it (`CLM01`).
    pub label: &'static str,
}

/// One implementation guide.
#[derive(Debug)]
pub struct Guide {
    /// ST01 of the sets it describes.
    pub transaction_set: &'static str,
    /// Implementation convention reference (ST03), e.g. `005010X222A1`.
    pub implementation: &'static str,
    /// Further ST03 values the same table serves (errata of the guide).
    pub also_serves: &'static [&'static str],
    /// Human name of the guide.
    pub name: &'static str,
    /// The transaction set's loop (ST..SE).
    pub root: LoopRule,
    /// The business unit its 999 CTX names, if any.
    pub business_unit: Option<BusinessUnit>,
}

/// An element (`el`) of a guide table.
#[allow(clippy::too_many_arguments)]
const fn el(
    position: u8,
    reference: &'static str,
    usage: Usage,
    data_type: DataType,
    min_len: u16,
    max_len: u16,
    codes: &'static [&'static str],
) -> ElementRule {
    ElementRule {
        position,
        reference,
        usage,
        data_type,
        min_len,
        max_len,
        codes,
        components: &[],
        max_repeat: 1,
    }
}

/// `rule`, allowed to repeat `max_repeat` times (a repeating element of a guide table).
const fn repeats(max_repeat: u32, rule: ElementRule) -> ElementRule {
    ElementRule { max_repeat, ..rule }
}

/// A composite element of a guide table.
const fn composite(
    position: u8,
    reference: &'static str,
    usage: Usage,
    components: &'static [ElementRule],
) -> ElementRule {
    ElementRule {
        position,
        reference,
        usage,
        data_type: DataType::Alphanumeric,
        min_len: 0,
        max_len: 0,
        codes: &[],
        components,
        max_repeat: 1,
    }
}

/// A segment of a guide table.
const fn segment(
    id: &'static str,
    position: u16,
    usage: Usage,
    max_use: u32,
    syntax: &'static [SyntaxNote],
    elements: &'static [ElementRule],
) -> Node {
    Node::Segment(SegmentRule {
        id,
        position,
        usage,
        max_use,
        syntax,
        elements,
    })
}

/// A loop of a guide table.
const fn loop_of(
    id: &'static str,
    usage: Usage,
    max_repeat: u32,
    children: &'static [Node],
) -> LoopRule {
    LoopRule {
        id,
        usage,
        max_repeat,
        children,
    }
}

/// A nested loop of a guide table.
const fn nested(
    id: &'static str,
    usage: Usage,
    max_repeat: u32,
    children: &'static [Node],
) -> Node {
    Node::Loop(loop_of(id, usage, max_repeat, children))
}

/// Every guide this module holds.
pub static GUIDES: &[&Guide] = &[
    &claim837p::GUIDE,
    &claim837i::GUIDE,
    &remit835::GUIDE,
    &ack999::GUIDE,
    &ack277ca::GUIDE,
    &eligibility270::GUIDE,
    &eligibility271::GUIDE,
    &status276::GUIDE,
    &status277::GUIDE,
];

/// The guide for a set with identifier `id_code` and implementation reference `reference`
/// (ST03, or GS08 when ST03 is absent).
pub fn guide_for(id_code: &str, reference: &str) -> Option<&'static Guide> {
    let reference = reference.trim();
    GUIDES.iter().copied().find(|guide| {
        guide.transaction_set == id_code
            && (guide.implementation == reference || guide.also_serves.contains(&reference))
    })
}

/// Element-level detail of a finding (an IK4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElementFinding {
    /// 1-based element position.
    pub position: usize,
    /// 1-based component position, for a component of a composite.
    pub component: Option<usize>,
    /// 1-based repetition, for a repeated element.
    pub repetition: Option<usize>,
    /// Data element reference number.
    pub reference: String,
    /// IK403 code.
    pub code: ElementSyntaxError,
    /// The bad value, when there is one.
    pub bad_value: Option<String>,
}

/// One departure from a guide, located in the set and in the input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// 1-based ordinal of the segment in the input (where a missing segment was noticed).
    pub ordinal: usize,
    /// 1-based position of that segment in the transaction set (ST is 1), IK302.
    pub position_in_set: usize,
    /// TR3 loop, IK303 (none in the set's header).
    pub loop_id: Option<String>,
    /// Segment concerned, IK301 (the missing one, for a missing segment).
    pub segment_id: String,
    /// IK304 code.
    pub code: SegmentSyntaxError,
    /// The element at fault, for element errors (IK304 = 8).
    pub element: Option<ElementFinding>,
    /// The business unit it belongs to, as CTX01 reports it (`CLM01`, the claim's id).
    pub business_unit: Option<BusinessUnitId>,
}

impl Finding {
    /// Whether the finding only marks data the guide says not to send (the set is still
    /// usable: `IK5*E`).
    pub fn is_not_used_only(&self) -> bool {
        match &self.element {
            Some(element) => element.code == ElementSyntaxError::NotUsedElementPresent,
            None => self.code == SegmentSyntaxError::NotUsedSegmentPresent,
        }
    }

    /// Whether the finding breaks the X12 standard itself rather than only the guide
    /// (IK5 code `5` rather than `I5`).
    pub fn is_standard_syntax(&self) -> bool {
        let implementation_code = match &self.element {
            Some(element) => element.code.code().starts_with('I'),
            None => self.code.code().starts_with('I'),
        };
        !implementation_code
    }

    /// `LOOP SEG*ELEM: reason (IK3/IK4 code)`, the location and reason as the CLI shows them.
    pub fn describe(&self) -> String {
        let loop_id = self.loop_id.as_deref().unwrap_or("header");
        match &self.element {
            Some(element) => {
                let place = match element.component {
                    Some(component) => format!("{:02}-{component}", element.position),
                    None => format!("{:02}", element.position),
                };
                let value = element
                    .bad_value
                    .as_deref()
                    .map(|v| format!(" `{v}`"))
                    .unwrap_or_default();
                format!(
                    "{loop_id} {}*{place}: {}{value} (IK4 {})",
                    self.segment_id,
                    element.code.description(),
                    element.code.code()
                )
            }
            None => format!(
                "{loop_id} {}: {} (IK3 {})",
                self.segment_id,
                self.code.description(),
                self.code.code()
            ),
        }
    }
}

/// The first member of an open loop a segment may still match: the current one (it may
/// repeat) or a later one; never the leading segment of a loop instance already begun, which
/// opens the next instance instead.
fn first_candidate(depth: usize, frame: &Frame) -> usize {
    frame.index.max(usize::from(depth > 0 && frame.count > 0))
}

/// One open loop instance of the walk.
#[derive(Debug)]
struct Frame {
    rule: &'static LoopRule,
    /// Index of the member last matched in `rule.children`.
    index: usize,
    /// Times that member has been matched in a row (0 before the first match).
    count: u32,
}

/// Where a segment fits in the open loops.
enum Place {
    /// Member `index` of the frame at `depth`.
    Member { depth: usize, index: usize },
    /// An earlier member sharing the current member's TR3 position (any order allowed).
    SamePosition { depth: usize, index: usize },
}

/// Walks one transaction set against a guide, one segment at a time.
#[derive(Debug)]
pub struct SetWalker {
    guide: &'static Guide,
    stack: Vec<Frame>,
    position: usize,
    last_ordinal: usize,
    business_unit: Option<(usize, String)>,
    /// HL numbering so far in the set.
    hierarchy: Hierarchy,
    findings: Vec<Finding>,
}

impl SetWalker {
    /// A walk of one set (from its ST) against `guide`.
    pub fn new(guide: &'static Guide) -> Self {
        SetWalker {
            guide,
            stack: vec![Frame {
                rule: &guide.root,
                index: 0,
                count: 0,
            }],
            position: 0,
            last_ordinal: 0,
            business_unit: None,
            hierarchy: Hierarchy::default(),
            findings: Vec::new(),
        }
    }

    /// The guide being walked.
    pub fn guide(&self) -> &'static Guide {
        self.guide
    }

    /// Takes the next segment of the set (ST first, SE last).
    pub fn push(&mut self, segment: &Segment<'_>) {
        self.position += 1;
        self.last_ordinal = segment.ordinal();
        match self.place(segment) {
            Some(Place::Member { depth, index }) => {
                self.close_above(depth);
                self.advance(depth, index, segment);
            }
            Some(Place::SamePosition { depth, index }) => {
                self.close_above(depth);
                let frame = &self.stack[depth];
                if let Some(Node::Segment(rule)) = frame.rule.children.get(index) {
                    self.check_segment(rule, frame.rule.id, segment);
                }
            }
            None if let Some((depth, index)) = self.place_by_id(segment) => {
                self.close_above(depth);
                self.advance(depth, index, segment);
            }
            None => {
                let code = if self.fits_earlier(segment) {
                    SegmentSyntaxError::OutOfSequence
                } else if self.guide_names(segment.id()) {
                    SegmentSyntaxError::UnexpectedSegment
                } else {
                    SegmentSyntaxError::NotInTransactionSet
                };
                let loop_id = self.stack.last().map_or("ST_LOOP", |f| f.rule.id);
                self.report(segment.id(), loop_id, code, None);
            }
        }
        if segment.id() == "HL" {
            self.check_hierarchy(segment);
        }
    }

    /// Checks HL numbering: HL01 counts 1, 2, 3... within the set and HL02, when given, names
    /// an earlier HL01. Either fault is an element error with the 999 code for a value that
    /// breaks the guide's rule (IK4 `I12`).
    fn check_hierarchy(&mut self, segment: &Segment<'_>) {
        let number = segment.text(1).unwrap_or_default().into_owned();
        let parent = segment.text(2).unwrap_or_default().into_owned();
        let loop_id = self.stack.last().map_or("ST_LOOP", |f| f.rule.id);
        let parent_known = parent.is_empty() || self.hierarchy.has(&parent);
        if !self.hierarchy.push(&number) && !number.is_empty() {
            self.report(
                "HL",
                loop_id,
                SegmentSyntaxError::DataElementErrors,
                Some(hierarchy_fault(1, "628", number)),
            );
        }
        if !parent_known {
            self.report(
                "HL",
                loop_id,
                SegmentSyntaxError::DataElementErrors,
                Some(hierarchy_fault(2, "734", parent)),
            );
        }
    }

    /// Ends the walk: closes every open loop (reporting required members never seen) and
    /// returns the findings in the order found.
    pub fn finish(mut self) -> Vec<Finding> {
        self.close_above(0);
        if let Some(root) = self.stack.pop() {
            self.close(&root);
        }
        self.findings
    }

    /// Finds where `segment` goes: a member at or after the current one of the innermost loop
    /// that has it, looking outward.
    fn place(&self, segment: &Segment<'_>) -> Option<Place> {
        for (depth, frame) in self.stack.iter().enumerate().rev() {
            let children = frame.rule.children;
            for (index, child) in children
                .iter()
                .enumerate()
                .skip(first_candidate(depth, frame))
            {
                if matches_node(child, segment) {
                    return Some(Place::Member { depth, index });
                }
            }
            let Some(Node::Segment(current)) = children.get(frame.index) else {
                continue;
            };
            for (index, child) in children.iter().enumerate().take(frame.index) {
                if let Node::Segment(rule) = child
                    && rule.position == current.position
                    && matches_segment(rule, segment)
                {
                    return Some(Place::SamePosition { depth, index });
                }
            }
        }
        None
    }

    /// Where a segment whose qualifier fits no member goes: the next member with its
    /// identifier, looking outward as [`SetWalker::place`] does; the element checks then
    /// report the qualifier's code as invalid.
    fn place_by_id(&self, segment: &Segment<'_>) -> Option<(usize, usize)> {
        let same_id = |node: &Node| match node {
            Node::Segment(rule) => rule.id == segment.id(),
            Node::Loop(rule) => leading_segment(rule).is_some_and(|lead| lead.id == segment.id()),
        };
        self.stack
            .iter()
            .enumerate()
            .rev()
            .find_map(|(depth, frame)| {
                let children = frame.rule.children;
                (first_candidate(depth, frame)..children.len())
                    .find(|&index| children.get(index).is_some_and(same_id))
                    .map(|index| (depth, index))
            })
    }

    /// Whether `segment` would fit an earlier member of an open loop (out of order).
    fn fits_earlier(&self, segment: &Segment<'_>) -> bool {
        self.stack.iter().any(|frame| {
            frame
                .rule
                .children
                .iter()
                .take(frame.index)
                .any(|child| matches_node(child, segment))
        })
    }

    /// Whether the guide has a segment with this identifier anywhere.
    fn guide_names(&self, id: &str) -> bool {
        fn names(rule: &LoopRule, id: &str) -> bool {
            rule.children.iter().any(|child| match child {
                Node::Segment(segment) => segment.id == id,
                Node::Loop(inner) => names(inner, id),
            })
        }
        names(&self.guide.root, id)
    }

    /// Closes the loops deeper than `depth`.
    fn close_above(&mut self, depth: usize) {
        while self.stack.len() > depth + 1 {
            if let Some(frame) = self.stack.pop() {
                self.close(&frame);
            }
        }
    }

    /// Reports the required members of a closing loop instance that were never seen.
    fn close(&mut self, frame: &Frame) {
        let from = if frame.count > 0 {
            frame.index + 1
        } else {
            frame.index
        };
        self.missing_between(frame.rule, from, frame.rule.children.len());
        if self
            .business_unit
            .as_ref()
            .is_some_and(|(depth, _)| *depth >= self.stack.len())
        {
            self.business_unit = None;
        }
    }

    /// Reports required members `from..to` of `rule` as missing.
    fn missing_between(&mut self, rule: &'static LoopRule, from: usize, to: usize) {
        for child in rule.children.iter().take(to).skip(from) {
            match child {
                Node::Segment(segment) if segment.usage == Usage::Required => {
                    self.report(
                        segment.id,
                        rule.id,
                        SegmentSyntaxError::RequiredSegmentMissing,
                        None,
                    );
                }
                Node::Loop(inner) if inner.usage == Usage::Required => {
                    let id = leading_segment(inner).map_or(inner.id, |s| s.id);
                    self.report(
                        id,
                        inner.id,
                        SegmentSyntaxError::RequiredSegmentMissing,
                        None,
                    );
                }
                _ => {}
            }
        }
    }

    /// Moves the frame at `depth` to member `index` (a repeat when it is the current one),
    /// opening the loops down to the segment and checking it.
    fn advance(&mut self, depth: usize, index: usize, segment: &Segment<'_>) {
        let mut depth = depth;
        let mut index = index;
        loop {
            let frame = &mut self.stack[depth];
            let rule = frame.rule;
            let Some(child) = rule.children.get(index) else {
                return;
            };
            if index == frame.index && frame.count > 0 {
                frame.count = frame.count.saturating_add(1);
                let count = frame.count;
                match child {
                    Node::Segment(seg) if count > seg.max_use => self.report(
                        seg.id,
                        rule.id,
                        SegmentSyntaxError::SegmentOverMaximum,
                        None,
                    ),
                    Node::Loop(inner) if count > inner.max_repeat => self.report(
                        segment.id(),
                        inner.id,
                        SegmentSyntaxError::LoopOverMaximum,
                        None,
                    ),
                    _ => {}
                }
            } else {
                let from = if frame.count > 0 {
                    frame.index + 1
                } else {
                    frame.index
                };
                frame.index = index;
                frame.count = 1;
                self.missing_between(rule, from, index);
            }
            match child {
                Node::Segment(seg) => {
                    self.check_segment(seg, rule.id, segment);
                    return;
                }
                Node::Loop(inner) => {
                    self.stack.push(Frame {
                        rule: inner,
                        index: 0,
                        count: 0,
                    });
                    depth = self.stack.len() - 1;
                    if let Some(unit) = &self.guide.business_unit
                        && unit.loop_id == inner.id
                    {
                        let value = segment.text(unit.element).unwrap_or_default();
                        self.business_unit = Some((depth, value.into_owned()));
                    }
                    index = 0;
                }
            }
        }
    }

    /// Checks a matched segment's usage and elements.
    fn check_segment(&mut self, rule: &'static SegmentRule, loop_id: &str, segment: &Segment<'_>) {
        if rule.usage == Usage::NotUsed {
            self.report(
                rule.id,
                loop_id,
                SegmentSyntaxError::NotUsedSegmentPresent,
                None,
            );
            return;
        }
        let mut faults = Vec::new();
        check_elements(rule, segment, &mut faults);
        for fault in faults {
            self.report(
                rule.id,
                loop_id,
                SegmentSyntaxError::DataElementErrors,
                Some(fault),
            );
        }
    }

    fn report(
        &mut self,
        segment_id: &str,
        loop_id: &str,
        code: SegmentSyntaxError,
        element: Option<ElementFinding>,
    ) {
        let business_unit = self.guide.business_unit.as_ref().and_then(|unit| {
            self.business_unit
                .as_ref()
                .map(|(_, value)| BusinessUnitId {
                    name: unit.label.to_owned(),
                    value: value.clone(),
                })
        });
        self.findings.push(Finding {
            ordinal: self.last_ordinal,
            position_in_set: self.position,
            loop_id: (loop_id != "ST_LOOP").then(|| loop_id.to_owned()),
            segment_id: segment_id.to_owned(),
            code,
            element,
            business_unit,
        });
    }
}

/// The HL01 values of a set so far, held in memory bounded by the faults: how many HLs came,
/// which of them did not carry their number, and what they carried instead.
#[derive(Debug, Default)]
struct Hierarchy {
    count: usize,
    misnumbered: Vec<usize>,
    irregular: Vec<String>,
}

impl Hierarchy {
    /// Takes the next HL01; whether it is the number expected (one more than the last).
    fn push(&mut self, number: &str) -> bool {
        self.count += 1;
        if number == self.count.to_string() {
            return true;
        }
        self.misnumbered.push(self.count);
        self.irregular.push(number.to_owned());
        false
    }

    /// Whether `number` is the HL01 of an HL already taken.
    fn has(&self, number: &str) -> bool {
        let counted = number
            .parse::<usize>()
            .ok()
            .filter(|n| n.to_string() == number && (1..=self.count).contains(n))
            .is_some_and(|n| !self.misnumbered.contains(&n));
        counted || self.irregular.iter().any(|n| n == number)
    }
}

/// An HL numbering fault at `position` (HL01 or HL02) with the value found.
fn hierarchy_fault(position: usize, reference: &str, value: String) -> ElementFinding {
    ElementFinding {
        position,
        component: None,
        repetition: None,
        reference: reference.to_owned(),
        code: ElementSyntaxError::PatternMismatch,
        bad_value: Some(value),
    }
}

/// The segment that opens a loop (its first member, through nested loops).
fn leading_segment(rule: &LoopRule) -> Option<&SegmentRule> {
    match rule.children.first()? {
        Node::Segment(segment) => Some(segment),
        Node::Loop(inner) => leading_segment(inner),
    }
}

/// Whether `segment` is this member, or opens this loop.
fn matches_node(node: &Node, segment: &Segment<'_>) -> bool {
    match node {
        Node::Segment(rule) => matches_segment(rule, segment),
        Node::Loop(rule) => {
            leading_segment(rule).is_some_and(|lead| matches_segment(lead, segment))
        }
    }
}

/// Whether `segment` is this segment of the guide: the same identifier and, when the guide
/// fixes the qualifier (the first element, the first component of a leading composite, or
/// HL03), one of its codes.
fn matches_segment(rule: &SegmentRule, segment: &Segment<'_>) -> bool {
    if rule.id != segment.id() {
        return false;
    }
    let first = rule.elements.first();
    let key = match first {
        Some(element)
            if !element.is_composite()
                && element.data_type == DataType::Identifier
                && element.usage == Usage::Required
                && !element.codes.is_empty() =>
        {
            Some((element, 1, None))
        }
        Some(element)
            if element
                .components
                .first()
                .is_some_and(|c| !c.codes.is_empty()) =>
        {
            element.components.first().map(|c| (c, 1, Some(1)))
        }
        _ if rule.id == "HL" => rule
            .elements
            .get(2)
            .filter(|e| !e.codes.is_empty())
            .map(|e| (e, 3, None)),
        _ => None,
    };
    let Some((key, position, component)) = key else {
        return true;
    };
    let value = segment
        .element(position)
        .and_then(|element| match component {
            Some(component) => element.component(component),
            None => Some(element.as_bytes()),
        });
    value.is_some_and(|value| key.codes.iter().any(|code| code.as_bytes() == value))
}

/// Checks the elements of a segment against its rule.
fn check_elements(rule: &SegmentRule, segment: &Segment<'_>, faults: &mut Vec<ElementFinding>) {
    let count = segment.element_count();
    let defined = rule.elements.last().map_or(0, |e| usize::from(e.position));
    if count > defined {
        faults.push(ElementFinding {
            position: defined + 1,
            component: None,
            repetition: None,
            reference: String::new(),
            code: ElementSyntaxError::TooManyElements,
            bad_value: None,
        });
    }
    let mut missing = Vec::new();
    for element_rule in rule.elements {
        let position = usize::from(element_rule.position);
        let element = segment.element(position).filter(|e| !e.is_empty());
        match element {
            None => {
                if element_rule.usage == Usage::Required {
                    missing.push(position);
                    faults.push(fault(
                        element_rule,
                        position,
                        None,
                        ElementSyntaxError::RequiredMissing,
                        None,
                    ));
                }
            }
            Some(element) => check_element(element_rule, position, element, faults),
        }
    }
    for note in rule.syntax {
        check_note(note, rule, segment, &missing, faults);
    }
}

/// An element fault at `position` (and `component`).
fn fault(
    rule: &ElementRule,
    position: usize,
    component: Option<usize>,
    code: ElementSyntaxError,
    bad_value: Option<&[u8]>,
) -> ElementFinding {
    ElementFinding {
        position,
        component,
        repetition: None,
        reference: rule.reference.to_owned(),
        code,
        bad_value: bad_value.map(|v| String::from_utf8_lossy(v).into_owned()),
    }
}

/// Checks one present element (simple or composite).
fn check_element(
    rule: &ElementRule,
    position: usize,
    element: Element<'_>,
    faults: &mut Vec<ElementFinding>,
) {
    if rule.usage == Usage::NotUsed {
        faults.push(fault(
            rule,
            position,
            None,
            ElementSyntaxError::NotUsedElementPresent,
            Some(element.as_bytes()),
        ));
        return;
    }
    let allowed = usize::try_from(rule.max_repeat).unwrap_or(usize::MAX);
    if element.repetitions().nth(allowed).is_some() {
        faults.push(ElementFinding {
            repetition: Some(allowed.saturating_add(1)),
            ..fault(
                rule,
                position,
                None,
                ElementSyntaxError::TooManyRepetitions,
                None,
            )
        });
        return;
    }
    if !rule.is_composite() {
        for (index, repetition) in element.repetitions().enumerate() {
            if let Some(code) = value_error(rule, repetition.as_bytes()) {
                faults.push(ElementFinding {
                    repetition: (rule.max_repeat > 1).then_some(index + 1),
                    ..fault(rule, position, None, code, Some(repetition.as_bytes()))
                });
            }
        }
        return;
    }
    let mut supplied = 0;
    for (index, value) in element.components().enumerate() {
        let component = index + 1;
        supplied = component;
        let Some(component_rule) = rule
            .components
            .iter()
            .find(|c| usize::from(c.position) == component)
        else {
            faults.push(fault(
                rule,
                position,
                Some(component),
                ElementSyntaxError::TooManyComponents,
                None,
            ));
            break;
        };
        if value.is_empty() {
            if component_rule.usage == Usage::Required {
                faults.push(fault(
                    component_rule,
                    position,
                    Some(component),
                    ElementSyntaxError::RequiredMissing,
                    None,
                ));
            }
        } else if component_rule.usage == Usage::NotUsed {
            faults.push(fault(
                component_rule,
                position,
                Some(component),
                ElementSyntaxError::NotUsedElementPresent,
                Some(value),
            ));
        } else if let Some(code) = value_error(component_rule, value) {
            faults.push(fault(
                component_rule,
                position,
                Some(component),
                code,
                Some(value),
            ));
        }
    }
    for component_rule in rule.components {
        if usize::from(component_rule.position) > supplied
            && component_rule.usage == Usage::Required
        {
            faults.push(fault(
                component_rule,
                position,
                Some(usize::from(component_rule.position)),
                ElementSyntaxError::RequiredMissing,
                None,
            ));
        }
    }
}

/// What is wrong with a present simple value, if anything: its characters, code, date or
/// time first, then its length.
fn value_error(rule: &ElementRule, value: &[u8]) -> Option<ElementSyntaxError> {
    let (digits_len, form_ok) = match rule.data_type {
        DataType::Alphanumeric | DataType::Identifier => {
            (value.len(), value.iter().all(|b| (0x20..0x7f).contains(b)))
        }
        DataType::Date => {
            let text = std::str::from_utf8(value).unwrap_or_default();
            let valid = match text.len() {
                8 => Date::parse_ccyymmdd(text).is_ok(),
                6 => Date::parse_ccyymmdd(&format!("20{text}")).is_ok(),
                _ => value.iter().all(u8::is_ascii_digit),
            };
            if !valid {
                return Some(ElementSyntaxError::InvalidDate);
            }
            (value.len(), true)
        }
        DataType::Time => {
            let text = std::str::from_utf8(value).unwrap_or_default();
            let head = text.get(..text.len().min(6)).unwrap_or_default();
            let valid = value.iter().all(u8::is_ascii_digit)
                && matches!(head.len(), 4 | 6)
                && Time::parse(head).is_ok();
            if !valid && value.len() >= 4 {
                return Some(ElementSyntaxError::InvalidTime);
            }
            (value.len(), valid || value.len() < 4)
        }
        DataType::Numeric0 | DataType::Numeric1 | DataType::Numeric2 => {
            let digits = value.strip_prefix(b"-").unwrap_or(value);
            (
                digits.len(),
                !digits.is_empty() && digits.iter().all(u8::is_ascii_digit),
            )
        }
        DataType::Decimal => {
            let unsigned = value.strip_prefix(b"-").unwrap_or(value);
            let points = unsigned.iter().filter(|&&b| b == b'.').count();
            let digits = unsigned.len() - points;
            let valid = points <= 1
                && digits > 0
                && unsigned.iter().all(|b| b.is_ascii_digit() || *b == b'.');
            (digits, valid)
        }
    };
    if !form_ok {
        return Some(ElementSyntaxError::InvalidCharacter);
    }
    if rule.data_type == DataType::Identifier
        && !rule.codes.is_empty()
        && !rule.codes.iter().any(|code| code.as_bytes() == value)
    {
        return Some(ElementSyntaxError::InvalidCodeValue);
    }
    if digits_len < usize::from(rule.min_len) {
        return Some(ElementSyntaxError::TooShort);
    }
    if digits_len > usize::from(rule.max_len) {
        return Some(ElementSyntaxError::TooLong);
    }
    None
}

/// Checks one syntax note; elements already reported missing are not reported again.
fn check_note(
    note: &SyntaxNote,
    rule: &SegmentRule,
    segment: &Segment<'_>,
    already_missing: &[usize],
    faults: &mut Vec<ElementFinding>,
) {
    let present = |position: u8| {
        segment
            .element(usize::from(position))
            .is_some_and(|e| !e.is_empty())
    };
    let mut report = |position: u8, code: ElementSyntaxError| {
        let position = usize::from(position);
        if already_missing.contains(&position) {
            return;
        }
        let reference = rule
            .elements
            .iter()
            .find(|e| usize::from(e.position) == position)
            .map_or("", |e| e.reference);
        let bad_value = (code == ElementSyntaxError::ExclusionViolated)
            .then(|| segment.text(position).map(|v| v.into_owned()))
            .flatten();
        faults.push(ElementFinding {
            position,
            component: None,
            repetition: None,
            reference: reference.to_owned(),
            code,
            bad_value,
        });
    };
    let Some((&first, others)) = note.positions.split_first() else {
        return;
    };
    let any = note.positions.iter().any(|&p| present(p));
    match note.kind {
        SyntaxKind::Paired if any => {
            for &position in note.positions.iter().filter(|&&p| !present(p)) {
                report(position, ElementSyntaxError::ConditionalRequiredMissing);
            }
        }
        SyntaxKind::AtLeastOne if !any => {
            report(first, ElementSyntaxError::ConditionalRequiredMissing);
        }
        SyntaxKind::Conditional if present(first) => {
            for &position in others.iter().filter(|&&p| !present(p)) {
                report(position, ElementSyntaxError::ConditionalRequiredMissing);
            }
        }
        SyntaxKind::Exclusive => {
            for &position in note.positions.iter().filter(|&&p| present(p)).skip(1) {
                report(position, ElementSyntaxError::ExclusionViolated);
            }
        }
        SyntaxKind::ListConditional if present(first) && !others.iter().any(|&p| present(p)) => {
            if let Some(&position) = others.first() {
                report(position, ElementSyntaxError::ConditionalRequiredMissing);
            }
        }
        _ => {}
    }
}

/// The guide findings of one transaction set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetFindings {
    /// Input ordinal of the set's ST (its key in [`Validation::sets`]).
    pub st_ordinal: usize,
    /// ST01.
    pub id_code: String,
    /// ST02.
    pub control_number: String,
    /// Implementation reference of the guide applied, or `None` when no guide of this module
    /// describes the set (it is then checked for its envelope only).
    pub guide: Option<String>,
    /// What departs from the guide.
    pub findings: Vec<Finding>,
}

impl SetFindings {
    /// Whether the set is rejected (`IK5*R`): it has findings beyond data the guide says not
    /// to send.
    pub fn is_rejected(&self) -> bool {
        !self.findings.iter().all(Finding::is_not_used_only)
    }
}

/// The result of validating an input: its envelope reports and the guide findings of every
/// transaction set.
#[derive(Debug)]
pub struct Validation {
    /// One envelope report per interchange, in input order.
    pub reports: Vec<EnvelopeReport>,
    /// One entry per transaction set, in input order.
    pub sets: Vec<SetFindings>,
}

impl Validation {
    /// The findings of the set whose ST has input ordinal `st_ordinal`.
    pub fn set(&self, st_ordinal: usize) -> Option<&SetFindings> {
        self.sets.iter().find(|s| s.st_ordinal == st_ordinal)
    }

    /// Whether the input is clean: envelopes without problems and no guide findings.
    pub fn is_clean(&self) -> bool {
        self.reports.iter().all(EnvelopeReport::is_clean)
            && self.sets.iter().all(|s| s.findings.is_empty())
    }

    /// Every finding of the input, in input order.
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.sets.iter().flat_map(|s| s.findings.iter())
    }
}

/// Runs the guide walker over the sets of an input, segment by segment; the envelope checks
/// run beside it ([`validate`], [`validate_stream`]).
#[derive(Debug, Default)]
pub struct GuideValidator {
    group_version: String,
    open: Option<(SetFindings, Option<SetWalker>)>,
    sets: Vec<SetFindings>,
}

impl GuideValidator {
    /// A validator before the first segment.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes the next segment of the input.
    pub fn push(&mut self, segment: &Segment<'_>) {
        match segment.id() {
            "GS" => {
                self.group_version = segment.text(8).unwrap_or_default().into_owned();
            }
            "ST" => {
                self.end_set();
                let id_code = segment.text(1).unwrap_or_default().into_owned();
                let reference = segment
                    .text(3)
                    .filter(|r| !r.is_empty())
                    .map_or_else(|| self.group_version.clone(), |r| r.into_owned());
                let guide = guide_for(&id_code, &reference);
                let mut walker = guide.map(SetWalker::new);
                if let Some(walker) = walker.as_mut() {
                    walker.push(segment);
                }
                self.open = Some((
                    SetFindings {
                        st_ordinal: segment.ordinal(),
                        id_code,
                        control_number: segment.text(2).unwrap_or_default().into_owned(),
                        guide: guide.map(|g| g.implementation.to_owned()),
                        findings: Vec::new(),
                    },
                    walker,
                ));
                return;
            }
            "GE" | "IEA" | "ISA" => self.end_set(),
            _ => {}
        }
        if let Some((_, Some(walker))) = self.open.as_mut() {
            walker.push(segment);
        }
        if segment.id() == "SE" {
            self.end_set();
        }
    }

    fn end_set(&mut self) {
        if let Some((mut set, walker)) = self.open.take() {
            if let Some(walker) = walker {
                set.findings = walker.finish();
            }
            self.sets.push(set);
        }
    }

    /// Ends the input and returns the findings of every set.
    pub fn finish(mut self) -> Vec<SetFindings> {
        self.end_set();
        self.sets
    }
}

/// Validates an in-memory input: envelopes and implementation guides in one pass over its
/// segments.
pub fn validate(input: &[u8]) -> Result<Validation, X12Error> {
    let mut tokenizer = Tokenizer::new(input)?;
    let mut envelopes = EnvelopeValidator::new();
    let mut guides = GuideValidator::new();
    for segment in tokenizer.by_ref() {
        let segment = segment?;
        envelopes.push(&segment);
        guides.push(&segment);
    }
    let mut report = envelopes.finish()?;
    report.add_warnings(tokenizer.warnings());
    Ok(Validation {
        reports: report.into_reports(),
        sets: guides.finish(),
    })
}

/// Validates a stream as [`validate`] does, holding one segment at a time (memory bounded by
/// the longest segment and the findings).
pub fn validate_stream<R: std::io::BufRead>(source: R) -> Result<Validation, X12Error> {
    let mut envelopes = EnvelopeValidator::new();
    let mut guides = GuideValidator::new();
    for segment in StreamReader::new(source)? {
        let segment = segment?;
        let segment = segment.as_segment();
        envelopes.push(&segment);
        guides.push(&segment);
    }
    let report = envelopes.finish()?;
    Ok(Validation {
        reports: report.into_reports(),
        sets: guides.finish(),
    })
}
