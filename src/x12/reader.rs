//! Segment tokenizer: a zero-copy iterator over an in-memory interchange and a streaming
//! reader over any [`BufRead`] whose memory use is bounded by the longest segment.
//!
//! Both read the separators from the leading ISA segment, skip an optional byte order mark and
//! whitespace before it, and tolerate CR, LF or CRLF (any ASCII whitespace) after each segment
//! terminator. Every segment carries its 1-based ordinal in the input (the first ISA is 1) and
//! the byte offset of its first byte in the input.
//!
//! An input may hold several interchanges one after the other, as clearinghouse files do: every
//! segment that starts with `ISA` is read by its fixed width and its separators apply from there
//! on, and ordinals keep counting across interchanges.
//!
//! [`Tokenizer`] reads composites with the separator they use when it disagrees with ISA16;
//! [`StreamReader`], which cannot look ahead, reads ISA16 as declared.

use std::borrow::Cow;
use std::io::BufRead;

use super::separators::{ISA_LENGTH, SeparatorError, Separators, leading_filler_len};
use super::typed::{FieldProblem, SegmentIssue};

/// Default limit for [`StreamReader`]: no segment of a 5010 guide comes close to 64 KiB.
pub const DEFAULT_MAX_SEGMENT_LEN: usize = 64 * 1024;

/// Why the input could not be split into segments.
#[derive(Debug, thiserror::Error)]
pub enum TokenizeError {
    /// The ISA header is missing or malformed.
    #[error("invalid ISA header: {0}")]
    Separators(#[from] SeparatorError),
    /// The ISA of a later interchange in the input is malformed.
    #[error("segment {ordinal} at byte {offset}: invalid ISA header: {error}")]
    InvalidInterchangeHeader {
        /// 1-based ordinal of the ISA segment.
        ordinal: usize,
        /// Byte offset of its first byte.
        offset: usize,
        /// What is wrong with it.
        #[source]
        error: SeparatorError,
    },
    /// Input ended inside a segment.
    #[error("segment {ordinal} at byte {offset} has no segment terminator before the end of input")]
    Unterminated {
        /// 1-based ordinal of the segment.
        ordinal: usize,
        /// Byte offset of its first byte.
        offset: usize,
    },
    /// A segment does not start with a 2-3 character alphanumeric identifier.
    #[error("segment {ordinal} at byte {offset}: `{found}` is not a segment identifier")]
    InvalidSegmentId {
        /// 1-based ordinal of the segment.
        ordinal: usize,
        /// Byte offset of its first byte.
        offset: usize,
        /// What stands where the identifier should be (at most 16 bytes, lossily decoded).
        found: String,
    },
    /// A segment is longer than the configured limit.
    #[error("segment {ordinal} at byte {offset} is longer than the limit of {limit} bytes")]
    SegmentTooLong {
        /// 1-based ordinal of the segment.
        ordinal: usize,
        /// Byte offset of its first byte.
        offset: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// Reading the underlying stream failed.
    #[error("reading input failed: {0}")]
    Io(#[from] std::io::Error),
}

/// One element of a segment: a simple value, or a composite with components, possibly
/// repeated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Element<'a> {
    raw: &'a [u8],
    separators: Separators,
}

impl<'a> Element<'a> {
    /// The raw bytes of the element, separators included.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.raw
    }

    /// Whether the element is empty (not sent).
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// The element as text; X12 data is ASCII, anything else is replaced lossily.
    pub fn text(&self) -> Cow<'a, str> {
        String::from_utf8_lossy(self.raw)
    }

    /// The components of the (first repetition of the) element, 1-based: component 1 is the
    /// text before the first component separator.
    pub fn component(&self, position: usize) -> Option<&'a [u8]> {
        let first_repetition = self.repetitions().next().map_or(self.raw, |r| r.raw);
        position.checked_sub(1).and_then(|index| {
            first_repetition
                .split(|&b| b == self.separators.component)
                .nth(index)
        })
    }

    /// Component `position` (1-based) as text, `None` when absent or empty.
    pub fn component_text(&self, position: usize) -> Option<Cow<'a, str>> {
        self.component(position)
            .filter(|c| !c.is_empty())
            .map(String::from_utf8_lossy)
    }

    /// All components of the first repetition.
    pub fn components(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        let component = self.separators.component;
        let first_repetition = self.repetitions().next().map_or(self.raw, |r| r.raw);
        first_repetition.split(move |&b| b == component)
    }

    /// The repetitions of the element (one when the interchange has no repetition separator).
    pub fn repetitions(&self) -> impl Iterator<Item = Element<'a>> + 'a {
        let separators = self.separators;
        let repetition = separators.repetition;
        self.raw
            .split(move |&b| Some(b) == repetition)
            .map(move |raw| Element { raw, separators })
    }
}

/// A segment borrowed from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment<'a> {
    raw: &'a [u8],
    id_len: usize,
    ordinal: usize,
    offset: usize,
    separators: Separators,
}

impl<'a> Segment<'a> {
    /// Builds a segment over `raw` (without terminator), validating its identifier.
    fn new(
        raw: &'a [u8],
        ordinal: usize,
        offset: usize,
        separators: Separators,
    ) -> Result<Self, TokenizeError> {
        let element = separators.element;
        let id_len = match raw {
            [_, _] => 2,
            [_, _, b, ..] if *b == element => 2,
            [_, _, _] => 3,
            [_, _, _, b, ..] if *b == element => 3,
            _ => 0,
        };
        let id = raw.get(..id_len).unwrap_or_default();
        if id_len == 0 || !id.iter().all(u8::is_ascii_alphanumeric) {
            let shown = raw.get(..raw.len().min(16)).unwrap_or_default();
            return Err(TokenizeError::InvalidSegmentId {
                ordinal,
                offset,
                found: String::from_utf8_lossy(shown).into_owned(),
            });
        }
        Ok(Segment {
            raw,
            id_len,
            ordinal,
            offset,
            separators,
        })
    }

    /// The segment identifier, e.g. `b"CLP"`.
    pub fn id_bytes(&self) -> &'a [u8] {
        self.raw.get(..self.id_len).unwrap_or_default()
    }

    /// The segment identifier as text (identifiers are validated ASCII).
    pub fn id(&self) -> &'a str {
        std::str::from_utf8(self.id_bytes()).unwrap_or_default()
    }

    /// The whole segment without its terminator.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.raw
    }

    /// 1-based position of the segment in the input (the first ISA is 1; segments of a later
    /// interchange keep counting).
    pub fn ordinal(&self) -> usize {
        self.ordinal
    }

    /// Byte offset of the segment's first byte in the input.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The separators of the segment's interchange.
    pub fn separators(&self) -> Separators {
        self.separators
    }

    /// The elements after the identifier; the first yielded is element 1.
    pub fn elements(&self) -> impl Iterator<Item = Element<'a>> + 'a {
        let separators = self.separators;
        let body = self.raw.get(self.id_len + 1..).unwrap_or_default();
        let has_elements = self.raw.len() > self.id_len;
        body.split(move |&b| b == separators.element)
            .take(if has_elements { usize::MAX } else { 0 })
            .map(move |raw| Element { raw, separators })
    }

    /// Element at 1-based `position` (as X12 numbers them: `CLP01` is `element(1)`).
    pub fn element(&self, position: usize) -> Option<Element<'a>> {
        position
            .checked_sub(1)
            .and_then(|index| self.elements().nth(index))
    }

    /// Number of elements sent (trailing empty elements included).
    pub fn element_count(&self) -> usize {
        self.elements().count()
    }

    /// Element `position` as text, `None` when absent or empty.
    pub fn text(&self, position: usize) -> Option<Cow<'a, str>> {
        self.element(position)
            .filter(|e| !e.is_empty())
            .map(|e| e.text())
    }

    /// Copies the segment into an owned value.
    pub fn to_owned_segment(&self) -> OwnedSegment {
        OwnedSegment {
            raw: self.raw.to_vec(),
            id_len: self.id_len,
            ordinal: self.ordinal,
            offset: self.offset,
            separators: self.separators,
        }
    }
}

/// A segment that owns its bytes, as yielded by [`StreamReader`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedSegment {
    raw: Vec<u8>,
    id_len: usize,
    ordinal: usize,
    offset: usize,
    separators: Separators,
}

impl OwnedSegment {
    /// A borrowed view with the full [`Segment`] API.
    pub fn as_segment(&self) -> Segment<'_> {
        Segment {
            raw: &self.raw,
            id_len: self.id_len,
            ordinal: self.ordinal,
            offset: self.offset,
            separators: self.separators,
        }
    }
}

/// Whether `byte` may be skipped between segments: whitespace that is not a separator.
fn is_filler(byte: u8, separators: &Separators) -> bool {
    byte.is_ascii_whitespace() && !separators.is_separator(byte)
}

/// Locates the ISA header after any filler and reads its separators.
fn locate_isa(input: &[u8]) -> Result<(usize, Separators), SeparatorError> {
    let start = leading_filler_len(input);
    let separators = Separators::from_isa(input.get(start..).unwrap_or_default())?;
    Ok((start, separators))
}

/// Zero-copy iterator over the segments of an in-memory interchange.
///
/// Senders sometimes write composites with another separator than the one ISA16 declares
/// (`>` for `:` or the reverse), which would leave procedure codes, modifiers and diagnoses
/// empty. So the tokenizer first looks at the elements that are always composites (SV1-01,
/// SV2-02, SVC-01, SVC-06, CLM-05, HI-01 to HI-12): when none holds ISA16's separator but some
/// hold another usual one (`:` `>` `^` `<`, not already a delimiter), it reads composites with
/// that one (the one most of them hold) and says so in [`Tokenizer::warnings`].
///
/// In an input of several interchanges, each is read with the separators of its own ISA, and
/// the composites of each are looked at on their own.
#[derive(Debug, Clone)]
pub struct Tokenizer<'a> {
    input: &'a [u8],
    position: usize,
    ordinal: usize,
    separators: Separators,
    failed: bool,
    /// Offset of the ISA whose separators are in use (`new` sets up the first).
    current_isa: usize,
    /// Whether reaching an ISA looks at the composites of its interchange (not in that look
    /// itself).
    looks_ahead: bool,
    warnings: Vec<SegmentIssue>,
}

impl<'a> Tokenizer<'a> {
    /// Reads the separators from the leading ISA, checks that the composites use ISA16's
    /// component separator (see [`Tokenizer`]) and prepares to iterate.
    pub fn new(input: &'a [u8]) -> Result<Self, TokenizeError> {
        let (position, separators) = locate_isa(input)?;
        let mut tokenizer = Tokenizer {
            input,
            position,
            ordinal: 0,
            separators,
            failed: false,
            current_isa: position,
            looks_ahead: true,
            warnings: Vec::new(),
        };
        tokenizer.read_composites_as_used(position, 0);
        Ok(tokenizer)
    }

    /// Switches to the component separator that the composites of the interchange whose ISA
    /// starts at byte `isa_at` use, when it is not ISA16 (see [`Tokenizer`]). `ordinal_before`
    /// is the ordinal of the segment before that ISA.
    fn read_composites_as_used(&mut self, isa_at: usize, ordinal_before: usize) {
        if !self.looks_ahead {
            return;
        }
        let look = Tokenizer {
            input: self.input,
            position: isa_at,
            ordinal: ordinal_before,
            separators: self.separators,
            failed: false,
            current_isa: isa_at,
            looks_ahead: false,
            warnings: Vec::new(),
        };
        if let Some((used, warning)) = composite_separator_in_use(look) {
            self.separators.component = used;
            self.warnings.push(warning);
        }
    }

    /// The separators the segments of the current interchange (the first until iteration
    /// reaches the next ISA) are read with: those of its ISA, except the component separator
    /// when the composites use another one (see [`Self::warnings`]).
    pub fn separators(&self) -> Separators {
        self.separators
    }

    /// What is read differently from what the ISA declares: for each interchange whose
    /// composites use another component separator than ISA16, one warning located at the first
    /// composite element that uses it, e.g. `segment 23 (SV1), element 1: ISA16 declares ':' but
    /// composites use '>'; read with '>'` ([`FieldProblem::ComponentSeparatorMismatch`]). The
    /// first interchange's is known from [`new`](Self::new), a later one's once iteration has
    /// reached its ISA.
    pub fn warnings(&self) -> &[SegmentIssue] {
        &self.warnings
    }

    fn next_segment(&mut self) -> Option<Result<Segment<'a>, TokenizeError>> {
        let rest = self.input.get(self.position..)?;
        let skipped = rest
            .iter()
            .take_while(|&&b| is_filler(b, &self.separators))
            .count();
        let start = self.position + skipped;
        if rest.len() == skipped {
            return None;
        }
        self.ordinal += 1;
        let segment_and_rest = rest.get(skipped..).unwrap_or_default();
        if segment_and_rest.starts_with(b"ISA") {
            return Some(self.interchange_header(start, segment_and_rest));
        }
        let Some(length) = memchr::memchr(self.separators.segment, segment_and_rest) else {
            return Some(Err(TokenizeError::Unterminated {
                ordinal: self.ordinal,
                offset: start,
            }));
        };
        self.position = start + length + 1;
        let raw = segment_and_rest.get(..length).unwrap_or_default();
        Some(Segment::new(raw, self.ordinal, start, self.separators))
    }

    /// Reads the fixed-width ISA that starts at byte `start` (`isa` is the input from there)
    /// and, for a later interchange, switches to its separators.
    fn interchange_header(
        &mut self,
        start: usize,
        isa: &'a [u8],
    ) -> Result<Segment<'a>, TokenizeError> {
        if start != self.current_isa {
            self.separators = Separators::from_isa(isa).map_err(|error| {
                TokenizeError::InvalidInterchangeHeader {
                    ordinal: self.ordinal,
                    offset: start,
                    error,
                }
            })?;
            self.current_isa = start;
            self.read_composites_as_used(start, self.ordinal.saturating_sub(1));
        }
        self.position = start + ISA_LENGTH;
        let raw = isa.get(..ISA_LENGTH - 1).unwrap_or_default();
        Segment::new(raw, self.ordinal, start, self.separators)
    }
}

impl<'a> Iterator for Tokenizer<'a> {
    type Item = Result<Segment<'a>, TokenizeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let item = self.next_segment();
        self.failed = matches!(item, Some(Err(_)));
        item
    }
}

/// Separators senders use for components.
const USUAL_COMPONENT_SEPARATORS: [u8; 4] = [b':', b'>', b'^', b'<'];

/// Whether element `position` of a segment `id` is a composite of at least two components
/// wherever it is sent in the 5010 claim and remittance guides.
fn is_composite_element(id: &[u8], position: usize) -> bool {
    matches!(
        (id, position),
        (b"SV1", 1) | (b"SV2", 2) | (b"SVC", 1 | 6) | (b"CLM", 5) | (b"HI", 1..=12)
    )
}

/// A separator the composites might use instead of ISA16's.
struct Candidate {
    /// The separator.
    byte: u8,
    /// How many composite elements hold it.
    composites: usize,
    /// The warning, located at the first composite element that holds it.
    first: Option<SegmentIssue>,
}

/// The component separator the composites of the interchange at the tokenizer's position use,
/// with a warning, when it is not the one the tokenizer reads with (ISA16): `None` as soon as a
/// composite holds ISA16's separator, or when none holds a usual one. The look ends at the
/// interchange's IEA or at the next ISA.
fn composite_separator_in_use(tokenizer: Tokenizer<'_>) -> Option<(u8, SegmentIssue)> {
    let separators = tokenizer.separators;
    let declared = separators.component;
    let mut candidates: Vec<Candidate> = USUAL_COMPONENT_SEPARATORS
        .into_iter()
        .filter(|&byte| !separators.is_separator(byte))
        .map(|byte| Candidate {
            byte,
            composites: 0,
            first: None,
        })
        .collect();
    for (index, segment) in tokenizer.map_while(Result::ok).enumerate() {
        match segment.id_bytes() {
            b"IEA" => break,
            b"ISA" if index > 0 => break,
            _ => {}
        }
        let composites = (1..).zip(segment.elements()).filter(|(position, element)| {
            !element.is_empty() && is_composite_element(segment.id_bytes(), *position)
        });
        for (position, element) in composites {
            let bytes = element.as_bytes();
            if bytes.contains(&declared) {
                return None;
            }
            for candidate in candidates.iter_mut().filter(|c| bytes.contains(&c.byte)) {
                candidate.composites += 1;
                candidate.first.get_or_insert_with(|| {
                    let problem = FieldProblem::ComponentSeparatorMismatch {
                        declared: char::from(declared),
                        used: char::from(candidate.byte),
                    };
                    segment.issue(Some(position), problem)
                });
            }
        }
    }
    // The one most composites hold; on a tie, the one seen first.
    let chosen = candidates.into_iter().min_by_key(|candidate| {
        let ordinal = candidate.first.as_ref().map(|first| first.ordinal);
        (std::cmp::Reverse(candidate.composites), ordinal)
    })?;
    chosen.first.map(|warning| (chosen.byte, warning))
}

/// Splits a whole interchange into segments.
pub fn tokenize(input: &[u8]) -> Result<Vec<Segment<'_>>, TokenizeError> {
    Tokenizer::new(input)?.collect()
}

/// Streaming segment reader over a [`BufRead`]: holds one segment at a time, so memory stays
/// bounded by the longest segment (and the configured limit) whatever the input size. Each
/// interchange of the input is read with the separators of its own ISA.
#[derive(Debug)]
pub struct StreamReader<R> {
    source: R,
    separators: Separators,
    max_segment_len: usize,
    pending_isa: Option<OwnedSegment>,
    offset: usize,
    ordinal: usize,
    failed: bool,
}

impl<R: BufRead> StreamReader<R> {
    /// Reads the ISA header with the [default limit](DEFAULT_MAX_SEGMENT_LEN).
    pub fn new(source: R) -> Result<Self, TokenizeError> {
        Self::with_max_segment_len(source, DEFAULT_MAX_SEGMENT_LEN)
    }

    /// Reads the ISA header; later segments longer than `max_segment_len` bytes (at least the
    /// 106 of an ISA) are refused with [`TokenizeError::SegmentTooLong`].
    pub fn with_max_segment_len(
        mut source: R,
        max_segment_len: usize,
    ) -> Result<Self, TokenizeError> {
        let max_segment_len = max_segment_len.max(ISA_LENGTH);
        let mut head = Vec::with_capacity(ISA_LENGTH);
        // Read until the filler prefix plus a whole ISA is buffered, bounded by the limit.
        loop {
            let filler = leading_filler_len(&head);
            let wanted = filler + ISA_LENGTH;
            if head.len() >= wanted || filler > max_segment_len {
                break;
            }
            let available = source.fill_buf()?;
            if available.is_empty() {
                break;
            }
            let take = available.len().min(wanted - head.len());
            head.extend_from_slice(available.get(..take).unwrap_or_default());
            source.consume(take);
        }
        let (start, separators) = locate_isa(&head)?;
        let raw = head.get(start..start + ISA_LENGTH - 1).unwrap_or_default();
        let isa = Segment::new(raw, 1, start, separators)?.to_owned_segment();
        Ok(StreamReader {
            source,
            separators,
            max_segment_len,
            pending_isa: Some(isa),
            offset: start + ISA_LENGTH,
            ordinal: 1,
            failed: false,
        })
    }

    /// The separators read from the ISA of the current interchange.
    pub fn separators(&self) -> Separators {
        self.separators
    }

    /// Reads the next segment; `Ok(None)` at the end of input and after an error.
    pub fn next_segment(&mut self) -> Result<Option<OwnedSegment>, TokenizeError> {
        if self.failed {
            return Ok(None);
        }
        let result = self.read_segment();
        self.failed = result.is_err();
        result
    }

    fn read_segment(&mut self) -> Result<Option<OwnedSegment>, TokenizeError> {
        if let Some(isa) = self.pending_isa.take() {
            return Ok(Some(isa));
        }
        if !self.skip_filler()? {
            return Ok(None);
        }
        self.ordinal += 1;
        let start = self.offset;
        // The first bytes say whether the segment is the ISA of another interchange, which is
        // read by its fixed width as its separators may differ: read them one at a time.
        let mut raw = Vec::with_capacity(ISA_LENGTH);
        while raw.len() < 3 {
            let Some(byte) = self.next_byte()? else {
                return Err(TokenizeError::Unterminated {
                    ordinal: self.ordinal,
                    offset: start,
                });
            };
            if byte == self.separators.segment {
                return self.owned_segment(raw, start).map(Some);
            }
            raw.push(byte);
        }
        if raw == b"ISA" {
            return self.interchange_header(raw, start).map(Some);
        }
        loop {
            let available = self.source.fill_buf()?;
            if available.is_empty() {
                return Err(TokenizeError::Unterminated {
                    ordinal: self.ordinal,
                    offset: start,
                });
            }
            let (chunk_len, terminated) = match memchr::memchr(self.separators.segment, available) {
                Some(end) => (end, true),
                None => (available.len(), false),
            };
            if raw.len() + chunk_len > self.max_segment_len {
                return Err(TokenizeError::SegmentTooLong {
                    ordinal: self.ordinal,
                    offset: start,
                    limit: self.max_segment_len,
                });
            }
            raw.extend_from_slice(available.get(..chunk_len).unwrap_or_default());
            let consumed = chunk_len + usize::from(terminated);
            self.source.consume(consumed);
            self.offset += consumed;
            if terminated {
                break;
            }
        }
        self.owned_segment(raw, start).map(Some)
    }

    /// One byte of input, consumed; `None` at the end.
    fn next_byte(&mut self) -> Result<Option<u8>, TokenizeError> {
        let byte = self.source.fill_buf()?.first().copied();
        if byte.is_some() {
            self.source.consume(1);
            self.offset += 1;
        }
        Ok(byte)
    }

    /// Reads the rest of the fixed-width ISA of a later interchange (`raw` holds its first
    /// bytes) and switches to its separators.
    fn interchange_header(
        &mut self,
        mut raw: Vec<u8>,
        start: usize,
    ) -> Result<OwnedSegment, TokenizeError> {
        while raw.len() < ISA_LENGTH {
            let available = self.source.fill_buf()?;
            if available.is_empty() {
                break;
            }
            let take = available.len().min(ISA_LENGTH - raw.len());
            raw.extend_from_slice(available.get(..take).unwrap_or_default());
            self.source.consume(take);
            self.offset += take;
        }
        self.separators = Separators::from_isa(&raw).map_err(|error| {
            TokenizeError::InvalidInterchangeHeader {
                ordinal: self.ordinal,
                offset: start,
                error,
            }
        })?;
        raw.truncate(ISA_LENGTH - 1);
        self.owned_segment(raw, start)
    }

    /// The segment `raw` (without terminator) that starts at byte `start`.
    fn owned_segment(&self, raw: Vec<u8>, start: usize) -> Result<OwnedSegment, TokenizeError> {
        let id_len = Segment::new(&raw, self.ordinal, start, self.separators)?.id_len;
        Ok(OwnedSegment {
            raw,
            id_len,
            ordinal: self.ordinal,
            offset: start,
            separators: self.separators,
        })
    }

    /// Skips whitespace between segments; returns whether more input follows.
    fn skip_filler(&mut self) -> Result<bool, TokenizeError> {
        loop {
            let available = self.source.fill_buf()?;
            if available.is_empty() {
                return Ok(false);
            }
            let skipped = available
                .iter()
                .take_while(|&&b| is_filler(b, &self.separators))
                .count();
            let more = skipped < available.len();
            self.source.consume(skipped);
            self.offset += skipped;
            if more {
                return Ok(true);
            }
        }
    }
}

impl<R: BufRead> Iterator for StreamReader<R> {
    type Item = Result<OwnedSegment, TokenizeError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_segment().transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &[u8] = b"\xEF\xBB\xBF\r\nISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *210101*1030*^*00501*000000001*0*P*:~\r\nGS*HC*A*B*20210101*1030*1*X*005010X222A1~\nST*837*0001~NM1*IL*1*DOE*JO^JOE**:X~SE*3*0001~\r\nGE*1*1~IEA*1*000000001~\n";

    #[test]
    fn tokenizes_with_offsets_and_ordinals() {
        let segments = tokenize(SMALL).expect("tokenizes");
        let ids: Vec<&str> = segments.iter().map(Segment::id).collect();
        assert_eq!(ids, ["ISA", "GS", "ST", "NM1", "SE", "GE", "IEA"]);
        assert_eq!(segments[0].offset(), 5);
        assert_eq!(segments[1].offset(), 5 + 106 + 2);
        assert_eq!(segments[3].ordinal(), 4);
        let nm1 = segments[3];
        assert_eq!(nm1.text(3).as_deref(), Some("DOE"));
        assert_eq!(nm1.element(0), None);
        assert_eq!(
            nm1.element(6).map(|e| e.component(2)),
            Some(Some(&b"X"[..]))
        );
        let names: Vec<String> = nm1
            .element(4)
            .map(|e| e.repetitions().map(|r| r.text().into_owned()).collect())
            .unwrap_or_default();
        assert_eq!(names, ["JO", "JOE"]);
        assert_eq!(nm1.element_count(), 6);
    }

    #[test]
    fn segment_without_elements() {
        let mut input = SMALL[5..111].to_vec();
        input.extend_from_slice(b"LX~");
        let segments = tokenize(&input).expect("tokenizes");
        assert_eq!(segments[1].element_count(), 0);
        assert_eq!(segments[1].element(1), None);
    }

    #[test]
    fn reports_unterminated_and_bad_ids() {
        let mut input = SMALL[5..111].to_vec();
        input.extend_from_slice(b"GS*HC");
        let error = tokenize(&input).expect_err("unterminated");
        assert_eq!(
            error.to_string(),
            "segment 2 at byte 106 has no segment terminator before the end of input"
        );
        let mut input = SMALL[5..111].to_vec();
        input.extend_from_slice(b"~");
        let error = tokenize(&input).expect_err("empty");
        assert!(
            matches!(error, TokenizeError::InvalidSegmentId { ordinal: 2, .. }),
            "{error}"
        );
    }

    #[test]
    fn stream_reader_matches_tokenizer() {
        let expected: Vec<OwnedSegment> = tokenize(SMALL)
            .expect("tokenizes")
            .iter()
            .map(Segment::to_owned_segment)
            .collect();
        // A 7-byte buffer forces segments to span many reads.
        let reader = std::io::BufReader::with_capacity(7, SMALL);
        let streamed: Vec<OwnedSegment> = StreamReader::new(reader)
            .expect("isa")
            .collect::<Result<_, _>>()
            .expect("streams");
        assert_eq!(streamed, expected);
    }

    #[test]
    fn stream_reader_enforces_limit() {
        let mut input = SMALL[5..111].to_vec();
        input.extend_from_slice(b"NTE*");
        input.extend(std::iter::repeat_n(b'A', 300));
        input.push(b'~');
        let mut reader = StreamReader::with_max_segment_len(&input[..], 200).expect("isa");
        assert!(reader.next_segment().expect("isa").is_some());
        let error = reader.next_segment().expect_err("too long");
        assert_eq!(
            error.to_string(),
            "segment 2 at byte 106 is longer than the limit of 200 bytes"
        );
        assert!(reader.next().is_none(), "reading stops after an error");
    }

    /// An interchange with `isa11` as ISA11 and ISA16 `:`, whose body is `body`.
    fn interchange(isa11: u8, body: &str) -> Vec<u8> {
        let mut isa = SMALL[5..111].to_vec();
        isa[82] = isa11;
        [isa.as_slice(), body.as_bytes()].concat()
    }

    fn composite_segments(input: &[u8]) -> (Tokenizer<'_>, Vec<Segment<'_>>) {
        let tokenizer = Tokenizer::new(input).expect("tokenizes");
        let segments = tokenizer
            .clone()
            .collect::<Result<_, _>>()
            .expect("segments");
        (tokenizer, segments)
    }

    #[test]
    fn reads_composites_with_the_separator_they_use() {
        let input = interchange(
            b'^',
            "ST*837*0001~CLM*1*10***11>B>1~HI*ABK>J449*ABF>R05~LX*1~SV1*HC>99213>25>59*10*UN*1~SE*6*0001~",
        );
        let (tokenizer, segments) = composite_segments(&input);
        assert_eq!(tokenizer.separators().component, b'>');
        assert_eq!(tokenizer.warnings().len(), 1);
        let warning = tokenizer.warnings().first().expect("a warning");
        assert_eq!(
            warning.to_string(),
            "segment 3 (CLM), element 5: ISA16 declares ':' but composites use '>'; read with '>'"
        );
        let sv1 = segments[5].element(1).expect("SV101");
        let components: Vec<&[u8]> = sv1.components().collect();
        assert_eq!(components, [&b"HC"[..], b"99213", b"25", b"59"]);
        assert_eq!(
            segments[3].element(2).and_then(|e| e.component_text(2)),
            Some("R05".into())
        );
    }

    #[test]
    fn keeps_isa16_when_a_composite_uses_it() {
        for body in [
            "ST*837*0001~SV1*HC:99213:25*10*UN*1~SE*3*0001~",
            // One composite with ISA16's separator is enough, whatever the others hold.
            "ST*837*0001~SV1*HC>99213*10*UN*1~SV1*HC:99214*10*UN*1~SE*4*0001~",
            // No composite element at all.
            "ST*999*0001~AK1*HC*1*005010X222A1~SE*3*0001~",
            // `>` outside the composite elements says nothing.
            "ST*837*0001~NTE*ADD*A>B~SE*3*0001~",
        ] {
            let input = interchange(b'^', body);
            let (tokenizer, _) = composite_segments(&input);
            assert_eq!(tokenizer.separators().component, b':', "{body}");
            assert!(tokenizer.warnings().is_empty(), "{body}");
        }
    }

    #[test]
    fn never_takes_another_delimiter_for_the_component_separator() {
        // `^` is the repetition separator here: HC^99213 is two repetitions, not a composite.
        let body = "ST*837*0001~SV1*HC^99213*10*UN*1~SE*3*0001~";
        let input = interchange(b'^', body);
        assert!(composite_segments(&input).0.warnings().is_empty());
        // Before 00501 ISA11 is not a separator, and `^` can be the component separator.
        let input = interchange(b'U', body);
        let (tokenizer, segments) = composite_segments(&input);
        assert_eq!(tokenizer.separators().component, b'^');
        assert_eq!(
            segments[2].element(1).and_then(|e| e.component_text(2)),
            Some("99213".into())
        );
    }

    #[test]
    fn takes_the_separator_most_composites_use() {
        let body = "ST*837*0001~HI*ABK<J449~SV1*HC>99213*10~SV1*HC>99214*10~SE*5*0001~";
        let input = interchange(b'^', body);
        let (tokenizer, _) = composite_segments(&input);
        assert_eq!(tokenizer.separators().component, b'>');
        let warning = tokenizer.warnings().first().expect("a warning");
        assert_eq!((warning.ordinal, warning.element), (4, Some(1)));
    }

    /// `text` written with `|` elements, `>` components and line ends as segment terminators.
    fn with_other_separators(text: &str) -> Vec<u8> {
        text.bytes()
            .map(|b| match b {
                b'*' => b'|',
                b':' => b'>',
                b'~' => b'\n',
                other => other,
            })
            .collect()
    }

    const SECOND_ISA: &str = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *210101*1030*^*00501*000000002*0*P*:~";

    fn streamed(input: &[u8]) -> Result<Vec<OwnedSegment>, TokenizeError> {
        let reader = std::io::BufReader::with_capacity(7, input);
        StreamReader::new(reader)?.collect()
    }

    #[test]
    fn reads_each_interchange_with_its_own_separators() {
        let second = with_other_separators(&format!(
            "{SECOND_ISA}GS*HC*A*B*20210101*1030*2*X*005010X222A1~ST*837*0002~HI*ABK:J449~\
             SE*3*0002~GE*1*2~IEA*1*000000002~"
        ));
        let input = [SMALL, b"\n", &second].concat();
        let segments = tokenize(&input).expect("tokenizes");
        let ids: Vec<&str> = segments.iter().map(Segment::id).collect();
        assert_eq!(
            ids,
            [
                "ISA", "GS", "ST", "NM1", "SE", "GE", "IEA", "ISA", "GS", "ST", "HI", "SE", "GE",
                "IEA"
            ]
        );
        let ordinals: Vec<usize> = segments.iter().map(Segment::ordinal).collect();
        assert_eq!(ordinals, (1..=14).collect::<Vec<_>>());
        assert_eq!(segments[7].offset(), SMALL.len() + 1);
        assert_eq!(segments[3].separators(), Separators::STANDARD);
        let hi = segments[10];
        assert_eq!(hi.separators().element, b'|');
        assert_eq!(hi.separators().segment, b'\n');
        assert_eq!(
            hi.element(1).and_then(|e| e.component_text(2)),
            Some("J449".into())
        );
        let expected: Vec<OwnedSegment> = segments.iter().map(Segment::to_owned_segment).collect();
        assert_eq!(streamed(&input).expect("streams"), expected);
    }

    #[test]
    fn looks_at_the_composites_of_each_interchange_on_its_own() {
        let declared = format!("{SECOND_ISA}ST*837*0002~HI*ABK:R05~SE*3*0002~IEA*0*000000002~");
        let other = format!("{SECOND_ISA}ST*837*0002~HI*ABK>R05~SE*3*0002~IEA*0*000000002~");
        // The first interchange writes composites with `>`, the second with ISA16's `:`.
        let first = interchange(b'^', "ST*837*0001~HI*ABK>J449~SE*3*0001~IEA*0*000000001~");
        let input = [first.as_slice(), declared.as_bytes()].concat();
        let mut tokenizer = Tokenizer::new(&input).expect("tokenizes");
        assert_eq!(tokenizer.warnings().len(), 1);
        let segments: Vec<Segment<'_>> = tokenizer.by_ref().map_while(Result::ok).collect();
        assert_eq!(tokenizer.warnings().len(), 1);
        let codes: Vec<Option<String>> = [segments[2], segments[7]]
            .iter()
            .map(|hi| {
                hi.element(1)
                    .and_then(|e| e.component_text(2))
                    .map(Into::into)
            })
            .collect();
        assert_eq!(codes, [Some("J449".to_owned()), Some("R05".to_owned())]);
        // The first is read as declared; the second's warning comes when iteration reaches it.
        let first = interchange(b'^', "ST*837*0001~HI*ABK:J449~SE*3*0001~IEA*0*000000001~");
        let input = [first.as_slice(), other.as_bytes()].concat();
        let mut tokenizer = Tokenizer::new(&input).expect("tokenizes");
        assert!(tokenizer.warnings().is_empty());
        let segments: Vec<Segment<'_>> = tokenizer.by_ref().map_while(Result::ok).collect();
        let warning = tokenizer.warnings().first().expect("a warning");
        assert_eq!((warning.ordinal, warning.element), (8, Some(1)));
        assert_eq!(
            segments[7].element(1).and_then(|e| e.component_text(2)),
            Some("R05".into())
        );
    }

    #[test]
    fn refuses_a_later_isa_that_is_not_fixed_width() {
        let input = [&SMALL[5..], b"ISA*00*SHORT*00~GS*HC~"].concat();
        let expected = format!(
            "segment 8 at byte {}: invalid ISA header: ISA segment is 22 bytes long; it must be exactly 106",
            SMALL.len() - 5
        );
        let error = tokenize(&input).expect_err("short ISA");
        assert_eq!(error.to_string(), expected);
        let error = streamed(&input).expect_err("short ISA");
        assert_eq!(error.to_string(), expected);
    }
}
