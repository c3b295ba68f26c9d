//! Shared machinery of the typed transaction readers (835, 277CA, 999): located field
//! problems, typed element accessors, and the driver that splits an interchange into its
//! transaction sets and hands each set of the wanted type to a reader.
//!
//! Readers are strict where a guess would be harmful (a required element missing, an amount
//! that is not an exact decimal) and return a [`SegmentIssue`] as the error. They are lenient
//! where the data can still be used (an impossible date, an unexpected segment): those become
//! warnings in [`ReadOutcome::warnings`] and the field is left empty.

use serde::{Deserialize, Serialize};

use super::X12Error;
use super::envelope::{EnvelopeError, EnvelopeReport, Interchange, TransactionSet, element_label};
use super::reader::{Segment, Tokenizer};
use super::values::{Amount, Date, DateError, DecimalError, Quantity};

/// What is wrong with a segment or element of a transaction set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum FieldProblem {
    /// A required element is empty or absent.
    #[error("required element {name} is missing")]
    MissingElement {
        /// Name of the element, e.g. `CLP03 total claim charge`.
        name: String,
    },
    /// An amount or quantity is not an exact decimal of the allowed precision.
    #[error("{0}")]
    InvalidNumber(DecimalError),
    /// A count or position is not a whole number.
    #[error("expected a whole number, found `{found}`")]
    InvalidCount {
        /// The value as sent.
        found: String,
    },
    /// A date or time is malformed or impossible.
    #[error("{0}")]
    InvalidDate(DateError),
    /// A segment that this reader does not expect at this point.
    #[error("segment not expected {context}; ignored")]
    UnexpectedSegment {
        /// Where the reader was, e.g. `in the 835 header`.
        context: String,
    },
    /// A required segment is absent.
    #[error("required segment {name} is missing")]
    MissingSegment {
        /// The segment that should have been present.
        name: String,
    },
    /// The composites use another component separator than ISA16 declares; they were read
    /// with the one they use (located at the first composite that uses it).
    #[error("ISA16 declares '{declared}' but composites use '{used}'; read with '{used}'")]
    ComponentSeparatorMismatch {
        /// ISA16.
        declared: char,
        /// The separator the composites use.
        used: char,
    },
}

/// A problem located at a segment (and possibly element and component) of the interchange.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("segment {ordinal} ({segment_id}){}{}: {problem}", element_label(*.element), component_label(*.component))]
pub struct SegmentIssue {
    /// 1-based ordinal of the segment in the input (see [`Segment::ordinal`]).
    pub ordinal: usize,
    /// The segment identifier.
    pub segment_id: String,
    /// 1-based element position, when one element is at fault.
    pub element: Option<usize>,
    /// 1-based component position within that element.
    pub component: Option<usize>,
    /// What is wrong (boxed to keep results small).
    pub problem: Box<FieldProblem>,
}

/// Formats `, component N` for error messages.
fn component_label(component: Option<usize>) -> String {
    component
        .map(|c| format!(", component {c}"))
        .unwrap_or_default()
}

/// Typed element accessors used by the readers; positions are 1-based.
impl Segment<'_> {
    /// A problem located at this segment.
    pub(crate) fn issue(&self, element: Option<usize>, problem: FieldProblem) -> SegmentIssue {
        SegmentIssue {
            ordinal: self.ordinal(),
            segment_id: self.id().to_owned(),
            element,
            component: None,
            problem: Box::new(problem),
        }
    }

    /// Element text, `None` when absent or empty.
    pub(crate) fn string_at(&self, position: usize) -> Option<String> {
        self.text(position).map(|t| t.into_owned())
    }

    /// Element text that must be present.
    pub(crate) fn required_string_at(
        &self,
        position: usize,
        name: &str,
    ) -> Result<String, SegmentIssue> {
        self.string_at(position).ok_or_else(|| {
            self.issue(
                Some(position),
                FieldProblem::MissingElement {
                    name: name.to_owned(),
                },
            )
        })
    }

    /// Component text of a composite element, `None` when absent or empty.
    pub(crate) fn component_string_at(&self, position: usize, component: usize) -> Option<String> {
        self.element(position)
            .and_then(|e| e.component_text(component))
            .map(|t| t.into_owned())
    }

    /// An optional amount in cents.
    pub(crate) fn amount_at(&self, position: usize) -> Result<Option<Amount>, SegmentIssue> {
        self.text(position)
            .map(|text| Amount::parse(&text))
            .transpose()
            .map_err(|e| self.issue(Some(position), FieldProblem::InvalidNumber(e)))
    }

    /// An amount that must be present.
    pub(crate) fn required_amount_at(
        &self,
        position: usize,
        name: &str,
    ) -> Result<Amount, SegmentIssue> {
        self.amount_at(position)?.ok_or_else(|| {
            self.issue(
                Some(position),
                FieldProblem::MissingElement {
                    name: name.to_owned(),
                },
            )
        })
    }

    /// An optional fixed-point quantity.
    pub(crate) fn quantity_at(&self, position: usize) -> Result<Option<Quantity>, SegmentIssue> {
        self.text(position)
            .map(|text| Quantity::parse(&text))
            .transpose()
            .map_err(|e| self.issue(Some(position), FieldProblem::InvalidNumber(e)))
    }

    /// An optional whole number (a count or position) in element `position`, or in one of its
    /// components.
    pub(crate) fn count_at(
        &self,
        position: usize,
        component: Option<usize>,
    ) -> Result<Option<usize>, SegmentIssue> {
        let text = match component {
            Some(component) => self.component_string_at(position, component),
            None => self.string_at(position),
        };
        let Some(text) = text else {
            return Ok(None);
        };
        match text.parse::<usize>() {
            Ok(count) if text.bytes().all(|b| b.is_ascii_digit()) => Ok(Some(count)),
            _ => {
                let mut issue =
                    self.issue(Some(position), FieldProblem::InvalidCount { found: text });
                issue.component = component;
                Err(issue)
            }
        }
    }

    /// An optional `CCYYMMDD` date; an impossible date becomes a warning and `None`.
    pub(crate) fn date_at(
        &self,
        position: usize,
        warnings: &mut Vec<SegmentIssue>,
    ) -> Option<Date> {
        let text = self.text(position)?;
        Date::parse_ccyymmdd(&text)
            .map_err(|e| warnings.push(self.issue(Some(position), FieldProblem::InvalidDate(e))))
            .ok()
    }
}

/// A required segment absent from `set`, located at its ST.
pub(crate) fn missing_from_set(set: &TransactionSet, name: &str) -> SegmentIssue {
    SegmentIssue {
        ordinal: set.segment_ordinals.start,
        segment_id: "ST".to_owned(),
        element: None,
        component: None,
        problem: Box::new(FieldProblem::MissingSegment {
            name: name.to_owned(),
        }),
    }
}

/// What a typed reader returns: the documents read, with the envelope and everything noticed,
/// for the first interchange of the input and, in [`following`](Self::following), for each
/// interchange after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadOutcome<T> {
    /// The interchange envelope.
    pub interchange: Interchange,
    /// Envelope problems (counts, control numbers, nesting).
    pub envelope_problems: Vec<EnvelopeError>,
    /// One document per transaction set of the wanted type, in order.
    pub documents: Vec<T>,
    /// Non-fatal problems: composites read with another component separator than ISA16
    /// declares ([`FieldProblem::ComponentSeparatorMismatch`], first when present), impossible
    /// dates, unexpected segments, skipped sets.
    pub warnings: Vec<SegmentIssue>,
    /// The same for each interchange that follows this one in the input (files often
    /// concatenate interchanges), in order, each with an empty `following`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub following: Vec<ReadOutcome<T>>,
}

impl<T> ReadOutcome<T> {
    /// This interchange's outcome and those of every one after it, in input order.
    pub fn interchanges(&self) -> impl Iterator<Item = &ReadOutcome<T>> {
        std::iter::once(self).chain(&self.following)
    }
}

/// Signature of a transaction set reader: the set's envelope entry, its segments (ST to SE)
/// and the warning list to append to.
pub(crate) type SetReader<T> =
    fn(&TransactionSet, &[Segment<'_>], &mut Vec<SegmentIssue>) -> Result<T, SegmentIssue>;

/// Tokenizes and validates `input`, then reads every transaction set whose ST01 is
/// `set_id_code` with `read_set`, interchange by interchange. Sets of other types are skipped
/// with a warning.
pub(crate) fn read_documents<T>(
    input: &[u8],
    set_id_code: &'static str,
    read_set: SetReader<T>,
) -> Result<ReadOutcome<T>, X12Error> {
    let mut sets = Sets::new(input, set_id_code, read_set)?;
    let mut documents: Vec<Vec<T>> = sets.report.reports().map(|_| Vec::new()).collect();
    for set in sets.by_ref() {
        let (interchange, document) = set?;
        documents[interchange].push(document);
    }
    let mut documents = documents.into_iter();
    let mut outcome_of = |report: EnvelopeReport| ReadOutcome {
        interchange: report.interchange,
        envelope_problems: report.problems,
        documents: documents.next().unwrap_or_default(),
        warnings: report.warnings,
        following: Vec::new(),
    };
    let mut report = sets.report;
    let following = std::mem::take(&mut report.following);
    let mut outcome = outcome_of(report);
    outcome.following = following.into_iter().map(outcome_of).collect();
    Ok(outcome)
}

/// The transaction sets of one type in an input, read one at a time: the envelopes are
/// validated first, then each set's segments are gathered, read and handed out before the next
/// set is touched. Memory holds the envelopes and one set, never every segment or document of
/// a large file. Yields the index of the set's interchange (see [`Sets::interchange`]) with
/// the document.
pub struct Sets<'a, T> {
    /// The first interchange's report with the others in its `following`; set readers add
    /// their warnings here.
    report: EnvelopeReport,
    /// A second pass over the input, from where the last set ended.
    tokenizer: Tokenizer<'a>,
    /// Where each set is: interchange, group and set index, in input order.
    positions: std::vec::IntoIter<(usize, usize, usize)>,
    /// The one set's segments, reused from set to set.
    segments: Vec<Segment<'a>>,
    set_id_code: &'static str,
    read_set: SetReader<T>,
}

impl<'a, T> Sets<'a, T> {
    /// Validates the envelopes of `input` and prepares to read its sets of type
    /// `set_id_code`.
    pub(crate) fn new(
        input: &'a [u8],
        set_id_code: &'static str,
        read_set: SetReader<T>,
    ) -> Result<Self, X12Error> {
        let report = super::read_envelope(input)?;
        let positions: Vec<(usize, usize, usize)> = report
            .reports()
            .enumerate()
            .flat_map(|(i, report)| {
                report
                    .interchange
                    .groups
                    .iter()
                    .enumerate()
                    .flat_map(move |(g, group)| {
                        (0..group.transactions.len()).map(move |t| (i, g, t))
                    })
            })
            .collect();
        Ok(Sets {
            report,
            tokenizer: Tokenizer::new(input)?,
            positions: positions.into_iter(),
            segments: Vec::new(),
            set_id_code,
            read_set,
        })
    }

    /// The envelope of interchange `index` (as yielded with each document).
    pub fn interchange(&self, index: usize) -> &Interchange {
        &self.report_of(index).interchange
    }

    /// The report of interchange `index`: the first interchange's, or one that follows it.
    fn report_of(&self, index: usize) -> &EnvelopeReport {
        match index.checked_sub(1) {
            Some(following) => &self.report.following[following],
            None => &self.report,
        }
    }

    /// Gathers the segments whose ordinals fall in `ordinals` (1-based, end excluded) into
    /// `self.segments`.
    fn gather(&mut self, ordinals: std::ops::Range<usize>) -> Result<(), X12Error> {
        self.segments.clear();
        if ordinals.is_empty() {
            return Ok(());
        }
        for segment in self.tokenizer.by_ref() {
            let segment = segment?;
            let ordinal = segment.ordinal();
            if ordinal >= ordinals.start {
                self.segments.push(segment);
            }
            if ordinal + 1 >= ordinals.end {
                break;
            }
        }
        Ok(())
    }
}

impl<T> Iterator for Sets<'_, T> {
    type Item = Result<(usize, T), X12Error>;

    fn next(&mut self) -> Option<Self::Item> {
        while let Some((i, g, t)) = self.positions.next() {
            let ordinals = self.report_of(i).interchange.groups[g].transactions[t]
                .segment_ordinals
                .clone();
            if let Err(err) = self.gather(ordinals) {
                return Some(Err(err));
            }
            let Some(first) = self.segments.first() else {
                continue;
            };
            let (set_id_code, read_set) = (self.set_id_code, self.read_set);
            let report = match i.checked_sub(1) {
                Some(following) => &mut self.report.following[following],
                None => &mut self.report,
            };
            let set = &report.interchange.groups[g].transactions[t];
            if set.id_code == set_id_code {
                return Some(
                    read_set(set, &self.segments, &mut report.warnings)
                        .map(|document| (i, document))
                        .map_err(X12Error::from),
                );
            }
            let context = format!(
                "in a {set_id_code} reader: transaction set {} is a {}",
                set.control_number, set.id_code
            );
            report
                .warnings
                .push(first.issue(None, FieldProblem::UnexpectedSegment { context }));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use crate::x12::read_999;

    /// A 999 interchange with ISA13 `control` that accepts group `group`.
    fn ack(control: &str, group: &str) -> String {
        format!(
            "ISA*00*          *00*          *ZZ*12345          *ZZ*987654321      *041117*1024*^*00501*{control}*0*P*:~\n\
             GS*FA*RCVR1*SNDR12345*20200415*1024*1*X*005010X231A1~\n\
             ST*999*0001*005010X231A1~\n\
             AK1*HC*{group}*005010X223A2~\n\
             AK9*A*1*1*1~\n\
             SE*4*0001~\n\
             GE*1*1~\n\
             IEA*1*{control}~\n"
        )
    }

    #[test]
    fn reads_the_sets_of_every_interchange() {
        let input = ack("000000286", "17456") + ack("000000287", "17457").as_str();
        let outcome = read_999(input.as_bytes()).expect("reads");
        assert!(outcome.envelope_problems.is_empty() && outcome.warnings.is_empty());
        let [second] = outcome.following.as_slice() else {
            panic!("one interchange follows: {:?}", outcome.following);
        };
        assert_eq!(second.interchange.control_number, "000000287");
        assert!(second.envelope_problems.is_empty() && second.following.is_empty());
        let groups: Vec<&str> = [&outcome, second]
            .iter()
            .flat_map(|o| &o.documents)
            .map(|ack| ack.group.control_number.as_str())
            .collect();
        assert_eq!(groups, ["17456", "17457"]);
    }
}
