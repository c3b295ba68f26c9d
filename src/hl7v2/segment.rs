//! Views over one segment and its fields, repetitions, components and subcomponents.
//!
//! Views are small `Copy` values that borrow the message bytes. Nothing is split ahead of
//! time: each accessor scans for its delimiter when called. Every level offers `raw()` (the
//! bytes as sent, escape sequences included) and `value()` (escape sequences decoded, see
//! [`mod@super::escape`]). Numbers are 1-based as in HL7; 0 or a number past the end gives `None`.
//!
//! Header segments (MSH, and the batch and file headers BHS and FHS) are numbered as the
//! standard does: field 1 is the field separator itself and field 2 the encoding characters.
//! Those two fields are never split nor escape-decoded.

use std::borrow::Cow;
use std::fmt;

use memchr::memchr;

use super::encoding::Encoding;
use super::escape::{decode_text, unescape};

/// Whether a segment with this id has the field separator as field 1 and the encoding
/// characters as field 2 (MSH, BHS, FHS).
pub(super) fn is_header_id(id: &[u8]) -> bool {
    matches!(id, b"MSH" | b"BHS" | b"FHS")
}

/// The part number `number` (1-based) of `bytes` split on `delimiter`.
pub(super) fn nth_part(bytes: &[u8], delimiter: u8, number: usize) -> Option<&[u8]> {
    if number == 0 {
        return None;
    }
    let mut rest = bytes;
    for _ in 1..number {
        let at = memchr(delimiter, rest)?;
        rest = rest.get(at + 1..)?;
    }
    let end = memchr(delimiter, rest).unwrap_or(rest.len());
    rest.get(..end)
}

/// A slice of the message with what is needed to split and decode it.
#[derive(Clone, Copy)]
struct Piece<'a> {
    raw: &'a [u8],
    encoding: Encoding,
    /// MSH-1 and MSH-2: never split, never escape-decoded.
    literal: bool,
}

impl<'a> Piece<'a> {
    fn part(self, delimiter: u8, number: usize) -> Option<Piece<'a>> {
        if self.literal {
            return (number == 1).then_some(self);
        }
        nth_part(self.raw, delimiter, number).map(|raw| Piece { raw, ..self })
    }

    fn parts(self, delimiter: u8) -> impl Iterator<Item = Piece<'a>> {
        let literal = self.literal;
        self.raw
            .split(move |&byte| !literal && byte == delimiter)
            .map(move |raw| Piece { raw, ..self })
    }

    fn value(self) -> Cow<'a, str> {
        if self.literal {
            decode_text(self.raw)
        } else {
            unescape(self.raw, &self.encoding)
        }
    }
}

/// Defines a view type wrapping a [`Piece`], with `raw`, `value`, `is_empty` and `Debug`.
macro_rules! element_view {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy)]
        pub struct $name<'a>(Piece<'a>);

        impl<'a> $name<'a> {
            /// The bytes as they appear in the message, escape sequences and inner
            /// delimiters included.
            pub fn raw(&self) -> &'a [u8] {
                self.0.raw
            }

            /// The text with escape sequences decoded (UTF-8, else Latin-1). Inner delimiters,
            /// if any, are kept as they are.
            pub fn value(&self) -> Cow<'a, str> {
                self.0.value()
            }

            /// Whether the raw bytes are empty.
            pub fn is_empty(&self) -> bool {
                self.0.raw.is_empty()
            }
        }

        impl fmt::Debug for $name<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_tuple(stringify!($name))
                    .field(&decode_text(self.0.raw))
                    .finish()
            }
        }
    };
}

element_view!(
    /// One field of a segment, with all its repetitions.
    Field
);
element_view!(
    /// One repetition of a field.
    Repetition
);
element_view!(
    /// One component of a repetition.
    Component
);
element_view!(
    /// One subcomponent of a component.
    Subcomponent
);

impl<'a> Field<'a> {
    /// Repetition `number` (1-based); a field without repetition separators has one.
    pub fn repetition(&self, number: usize) -> Option<Repetition<'a>> {
        self.0
            .part(self.0.encoding.repetition_separator(), number)
            .map(Repetition)
    }

    /// Every repetition, in order (at least one, possibly empty).
    pub fn repetitions(&self) -> impl Iterator<Item = Repetition<'a>> + use<'a> {
        self.0
            .parts(self.0.encoding.repetition_separator())
            .map(Repetition)
    }

    /// Component `number` of the first repetition.
    pub fn component(&self, number: usize) -> Option<Component<'a>> {
        self.repetition(1)?.component(number)
    }
}

impl<'a> Repetition<'a> {
    /// Component `number` (1-based); a repetition without component separators has one.
    pub fn component(&self, number: usize) -> Option<Component<'a>> {
        self.0
            .part(self.0.encoding.component_separator(), number)
            .map(Component)
    }

    /// Every component, in order.
    pub fn components(&self) -> impl Iterator<Item = Component<'a>> + use<'a> {
        self.0
            .parts(self.0.encoding.component_separator())
            .map(Component)
    }
}

impl<'a> Component<'a> {
    /// Subcomponent `number` (1-based); a component without subcomponent separators has one.
    pub fn subcomponent(&self, number: usize) -> Option<Subcomponent<'a>> {
        self.0
            .part(self.0.encoding.subcomponent_separator(), number)
            .map(Subcomponent)
    }

    /// Every subcomponent, in order.
    pub fn subcomponents(&self) -> impl Iterator<Item = Subcomponent<'a>> + use<'a> {
        self.0
            .parts(self.0.encoding.subcomponent_separator())
            .map(Subcomponent)
    }
}

/// One segment of a message: its id and its fields, split on access.
#[derive(Clone, Copy)]
pub struct Segment<'a> {
    raw: &'a [u8],
    encoding: Encoding,
}

impl<'a> Segment<'a> {
    /// Wraps the bytes of one segment (without its terminator) whose id was checked.
    pub(super) fn new(raw: &'a [u8], encoding: Encoding) -> Self {
        Segment { raw, encoding }
    }

    /// The three-character segment id, e.g. `"PID"`.
    pub fn id(&self) -> &'a str {
        self.raw
            .get(..3)
            .and_then(|id| std::str::from_utf8(id).ok())
            .unwrap_or_default()
    }

    /// The bytes of the segment, without its terminator.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// The encoding characters of the message this segment belongs to.
    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// Whether this is MSH, BHS or FHS, whose field 1 is the field separator and field 2 the
    /// encoding characters.
    pub fn is_header(&self) -> bool {
        self.raw.get(..3).is_some_and(is_header_id)
    }

    /// Field `number` (1-based, numbered as the standard: MSH-1 is the field separator,
    /// MSH-2 the encoding characters, MSH-3 the sending application).
    pub fn field(&self, number: usize) -> Option<Field<'a>> {
        let separator = self.encoding.field_separator();
        let after_id = self.raw.get(4..)?;
        let (raw, literal) = match (self.is_header(), number) {
            (true, 1) => (self.raw.get(3..4)?, true),
            (true, 2) => (nth_part(after_id, separator, 1)?, true),
            (true, _) => (
                nth_part(after_id, separator, number.checked_sub(1)?)?,
                false,
            ),
            (false, _) => (nth_part(after_id, separator, number)?, false),
        };
        Some(Field(Piece {
            raw,
            encoding: self.encoding,
            literal,
        }))
    }

    /// Every field from field 1 on, in order.
    pub fn fields(&self) -> impl Iterator<Item = Field<'a>> + use<'a> {
        let separator = self.encoding.field_separator();
        let encoding = self.encoding;
        let header = self.is_header();
        let field_separator_field = if header { self.raw.get(3..4) } else { None };
        let after_id = self.raw.get(4..);
        field_separator_field
            .into_iter()
            .chain(
                after_id
                    .into_iter()
                    .flat_map(move |bytes| bytes.split(move |&byte| byte == separator)),
            )
            .enumerate()
            .map(move |(index, raw)| {
                Field(Piece {
                    raw,
                    encoding,
                    literal: header && index < 2,
                })
            })
    }
}

impl fmt::Debug for Segment<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Segment")
            .field(&decode_text(self.raw))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(raw: &'static str) -> Segment<'static> {
        Segment::new(raw.as_bytes(), Encoding::STANDARD)
    }

    #[test]
    fn nth_part_counts_from_one() {
        assert_eq!(nth_part(b"a|b||d", b'|', 0), None);
        assert_eq!(nth_part(b"a|b||d", b'|', 1), Some(&b"a"[..]));
        assert_eq!(nth_part(b"a|b||d", b'|', 3), Some(&b""[..]));
        assert_eq!(nth_part(b"a|b||d", b'|', 4), Some(&b"d"[..]));
        assert_eq!(nth_part(b"a|b||d", b'|', 5), None);
        assert_eq!(nth_part(b"", b'|', 1), Some(&b""[..]));
        assert_eq!(nth_part(b"a|", b'|', 2), Some(&b""[..]));
    }

    #[test]
    fn msh_fields_are_numbered_as_the_standard() {
        let msh = segment(r"MSH|^~\&|APP|FAC|||20240101||ADT^A01^ADT_A01|42|P|2.5");
        assert!(msh.is_header());
        assert_eq!(msh.id(), "MSH");
        assert_eq!(msh.field(0).map(|f| f.raw()), None);
        assert_eq!(msh.field(1).unwrap().value(), "|");
        assert_eq!(msh.field(2).unwrap().value(), r"^~\&");
        assert_eq!(msh.field(2).unwrap().component(1).unwrap().value(), r"^~\&");
        assert!(msh.field(2).unwrap().component(2).is_none());
        assert_eq!(msh.field(3).unwrap().value(), "APP");
        assert_eq!(msh.field(9).unwrap().component(1).unwrap().value(), "ADT");
        assert_eq!(
            msh.field(9).unwrap().component(3).unwrap().value(),
            "ADT_A01"
        );
        assert_eq!(msh.field(10).unwrap().value(), "42");
        assert_eq!(msh.field(12).unwrap().value(), "2.5");
        assert!(msh.field(13).is_none());
        let numbered: Vec<_> = msh.fields().map(|f| f.value().into_owned()).collect();
        assert_eq!(numbered.first().map(String::as_str), Some("|"));
        assert_eq!(numbered.get(1).map(String::as_str), Some(r"^~\&"));
        assert_eq!(numbered.get(8).map(String::as_str), Some("ADT^A01^ADT_A01"));
        assert_eq!(numbered.len(), 12);
    }

    #[test]
    fn batch_and_file_headers_are_numbered_like_msh() {
        assert_eq!(segment(r"BHS|^~\&|X").field(3).unwrap().value(), "X");
        assert_eq!(segment(r"FHS|^~\&|Y").field(1).unwrap().value(), "|");
    }

    #[test]
    fn splits_repetitions_components_and_subcomponents() {
        let pid = segment(r"PID|1||A1^^^H&1.2&ISO^MR~B2^^^SSA^SS||DOE^JANE^Q");
        assert!(!pid.is_header());
        let identifiers = pid.field(3).unwrap();
        assert_eq!(identifiers.repetitions().count(), 2);
        let second = identifiers.repetition(2).unwrap();
        assert_eq!(second.value(), "B2^^^SSA^SS");
        assert_eq!(second.component(4).unwrap().value(), "SSA");
        assert!(identifiers.repetition(3).is_none());
        let authority = identifiers.component(4).unwrap();
        assert_eq!(authority.subcomponents().count(), 3);
        assert_eq!(authority.subcomponent(2).unwrap().value(), "1.2");
        assert!(authority.subcomponent(4).is_none());
        assert_eq!(
            identifiers
                .repetition(1)
                .unwrap()
                .components()
                .map(|c| c.value().into_owned())
                .collect::<Vec<_>>(),
            ["A1", "", "", "H&1.2&ISO", "MR"]
        );
        assert!(pid.field(2).unwrap().is_empty());
        assert_eq!(pid.field(5).unwrap().component(2).unwrap().raw(), b"JANE");
        assert!(pid.field(6).is_none());
        assert_eq!(pid.fields().count(), 5);
    }

    #[test]
    fn segment_without_fields_has_none() {
        let bare = segment("ZZ1");
        assert!(bare.field(1).is_none());
        assert_eq!(bare.fields().count(), 0);
        let empty = segment("ZZ1|");
        assert_eq!(empty.field(1).unwrap().value(), "");
        assert!(empty.field(2).is_none());
    }

    #[test]
    fn debug_shows_text() {
        let pid = segment("PID|1");
        assert_eq!(format!("{pid:?}"), r#"Segment("PID|1")"#);
        assert_eq!(format!("{:?}", pid.field(1).unwrap()), r#"Field("1")"#);
    }
}
