//! Delimiters of an X12 interchange, read from the fixed-width ISA segment.
//!
//! An ISA segment is always 106 bytes long: `ISA`, then sixteen elements of fixed width, each
//! preceded by the element separator, and finally the segment terminator. The element separator
//! is byte 3, the repetition separator is ISA11 (byte 82), the component separator is ISA16
//! (byte 104) and the segment terminator is byte 105.

use serde::{Deserialize, Serialize};

/// Length in bytes of an ISA segment including its terminator.
pub const ISA_LENGTH: usize = 106;

/// Byte offsets, within the ISA segment, of the element separators that precede ISA01..ISA16.
const ISA_ELEMENT_SEPARATOR_OFFSETS: [usize; 16] = [
    3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103,
];

const REPETITION_OFFSET: usize = 82;
const COMPONENT_OFFSET: usize = 104;
const TERMINATOR_OFFSET: usize = 105;

/// The four delimiters of an interchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Separators {
    /// Separates the elements of a segment (ISA byte 3, usually `*`).
    pub element: u8,
    /// Separates repetitions of an element (ISA11, usually `^`); `None` in versions before
    /// 00501, where ISA11 holds an alphanumeric standards identifier such as `U`.
    pub repetition: Option<u8>,
    /// Separates the components of a composite element (ISA16, usually `:`).
    pub component: u8,
    /// Ends every segment (ISA byte 105, usually `~`).
    pub segment: u8,
}

impl Default for Separators {
    fn default() -> Self {
        Self::STANDARD
    }
}

/// Why the separators of an ISA segment, or a chosen set of separators, cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SeparatorError {
    /// The input does not start with `ISA` (after an optional BOM and whitespace).
    #[error("interchange does not start with an ISA segment (found `{found}`)")]
    NotIsa {
        /// The first bytes found, lossily decoded.
        found: String,
    },
    /// Fewer than 106 bytes are available for the ISA segment.
    #[error("ISA segment is {found} bytes long; it must be exactly {ISA_LENGTH}")]
    IsaTooShort {
        /// Bytes available.
        found: usize,
    },
    /// An ISA element does not have its fixed width.
    #[error(
        "ISA element {element} is not fixed-width: expected the element separator `{}` at byte {offset}, found `{}`",
        char::from(*expected),
        char::from(*found)
    )]
    IsaNotFixedWidth {
        /// The ISA element (1..=16) whose leading separator is misplaced.
        element: usize,
        /// Byte offset within the ISA segment.
        offset: usize,
        /// The element separator taken from byte 3.
        expected: u8,
        /// The byte found instead.
        found: u8,
    },
    /// A delimiter is a letter, a digit or a space, which would be ambiguous with data.
    #[error("{role} separator `{}` must not be a letter, digit or space", char::from(*byte))]
    NotADelimiter {
        /// Which delimiter (element, component, repetition, segment).
        role: &'static str,
        /// The offending byte.
        byte: u8,
    },
    /// Two delimiters share the same byte.
    #[error("{first} and {second} separators are both `{}`", char::from(*byte))]
    Duplicate {
        /// The first delimiter role.
        first: &'static str,
        /// The second delimiter role.
        second: &'static str,
        /// The shared byte.
        byte: u8,
    },
}

impl Separators {
    /// The usual delimiters: `*` elements, `^` repetitions, `:` components, `~` segments.
    pub const STANDARD: Separators = Separators {
        element: b'*',
        repetition: Some(b'^'),
        component: b':',
        segment: b'~',
    };

    /// Reads the separators from an ISA segment (`isa` starts at the `I` of `ISA` and holds at
    /// least 106 bytes), checking that every ISA element has its fixed width.
    pub fn from_isa(isa: &[u8]) -> Result<Self, SeparatorError> {
        if !isa.starts_with(b"ISA") {
            let shown = isa.get(..isa.len().min(3)).unwrap_or_default();
            return Err(SeparatorError::NotIsa {
                found: String::from_utf8_lossy(shown).into_owned(),
            });
        }
        let header = isa
            .get(..ISA_LENGTH)
            .ok_or(SeparatorError::IsaTooShort { found: isa.len() })?;
        let byte_at = |offset: usize| header.get(offset).copied().unwrap_or_default();
        let element = byte_at(3);
        for (index, &offset) in ISA_ELEMENT_SEPARATOR_OFFSETS.iter().enumerate() {
            let found = byte_at(offset);
            if found != element {
                return Err(SeparatorError::IsaNotFixedWidth {
                    element: index + 1,
                    offset,
                    expected: element,
                    found,
                });
            }
        }
        let repetition_byte = byte_at(REPETITION_OFFSET);
        let separators = Separators {
            element,
            repetition: (!repetition_byte.is_ascii_alphanumeric()).then_some(repetition_byte),
            component: byte_at(COMPONENT_OFFSET),
            segment: byte_at(TERMINATOR_OFFSET),
        };
        separators.validate()?;
        Ok(separators)
    }

    /// Checks that the delimiters are distinct and none is a letter, digit or space. Only the
    /// segment terminator may be a line break.
    pub fn validate(&self) -> Result<(), SeparatorError> {
        let mut roles: Vec<(&'static str, u8)> = vec![
            ("element", self.element),
            ("component", self.component),
            ("segment", self.segment),
        ];
        if let Some(repetition) = self.repetition {
            roles.push(("repetition", repetition));
        }
        for (index, &(role, byte)) in roles.iter().enumerate() {
            let line_break_ok = role == "segment" && matches!(byte, b'\r' | b'\n');
            if byte.is_ascii_alphanumeric() || (byte.is_ascii_whitespace() && !line_break_ok) {
                return Err(SeparatorError::NotADelimiter { role, byte });
            }
            if let Some(&(other, _)) = roles.iter().skip(index + 1).find(|(_, b)| *b == byte) {
                return Err(SeparatorError::Duplicate {
                    first: role,
                    second: other,
                    byte,
                });
            }
        }
        Ok(())
    }

    /// Whether `byte` is one of the four delimiters.
    pub fn is_separator(&self, byte: u8) -> bool {
        byte == self.element
            || byte == self.component
            || byte == self.segment
            || self.repetition == Some(byte)
    }
}

/// Length of the prefix to skip before an interchange: an optional UTF-8 byte order mark and
/// any ASCII whitespace.
pub(crate) fn leading_filler_len(input: &[u8]) -> usize {
    let bom = if input.starts_with(&[0xEF, 0xBB, 0xBF]) {
        3
    } else {
        0
    };
    let rest = input.get(bom..).unwrap_or_default();
    bom + rest.iter().take_while(|b| b.is_ascii_whitespace()).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISA: &[u8] = b"ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *210101*1030*^*00501*000000001*0*P*:~";

    #[test]
    fn reads_standard_separators() {
        assert_eq!(Separators::from_isa(ISA), Ok(Separators::STANDARD));
    }

    #[test]
    fn reads_unusual_separators_and_no_repetition() {
        let isa: Vec<u8> = ISA
            .iter()
            .map(|&b| match b {
                b'*' => b'|',
                b':' => b'>',
                b'~' => b'\n',
                b'^' => b'U',
                other => other,
            })
            .collect();
        let separators = Separators::from_isa(&isa).expect("valid separators");
        assert_eq!(separators.element, b'|');
        assert_eq!(separators.repetition, None);
        assert_eq!(separators.component, b'>');
        assert_eq!(separators.segment, b'\n');
    }

    #[test]
    fn rejects_short_and_misaligned_headers() {
        assert_eq!(
            Separators::from_isa(&ISA[..50]),
            Err(SeparatorError::IsaTooShort { found: 50 })
        );
        let mut shifted = b"ISA*00*         *00*".to_vec();
        shifted.extend_from_slice(&ISA[20..]);
        shifted.push(b'~');
        let error = Separators::from_isa(&shifted).expect_err("misaligned");
        assert!(
            matches!(
                error,
                SeparatorError::IsaNotFixedWidth {
                    element: 3,
                    offset: 17,
                    ..
                }
            ),
            "{error}"
        );
    }

    #[test]
    fn rejects_duplicate_separators() {
        let mut isa = ISA.to_vec();
        isa[104] = b'*';
        let error = Separators::from_isa(&isa).expect_err("duplicate");
        assert_eq!(
            error.to_string(),
            "element and component separators are both `*`"
        );
    }

    #[test]
    fn skips_bom_and_whitespace() {
        assert_eq!(leading_filler_len(b"\xEF\xBB\xBF \r\nISA"), 6);
        assert_eq!(leading_filler_len(b"ISA"), 0);
    }
}
