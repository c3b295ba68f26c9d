//! Encoding characters: the field separator (MSH-1) and the component, repetition, escape,
//! subcomponent and optional truncation characters (MSH-2).

use std::fmt;

/// The delimiters a message is written with, read from MSH-1 and MSH-2.
///
/// Every delimiter is a printable ASCII character that is not a letter or digit, and no two
/// are the same. [`Encoding::STANDARD`] (also the [`Default`]) is `|^~\&`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Encoding {
    field: u8,
    component: u8,
    repetition: u8,
    escape: u8,
    subcomponent: u8,
    truncation: Option<u8>,
}

/// Why a set of encoding characters cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EncodingError {
    /// MSH-2 holds fewer than 4 or more than 5 characters.
    #[error(
        "expected 4 encoding characters (component, repetition, escape, subcomponent) \
         or 5 with the truncation character, found {count}"
    )]
    WrongCount {
        /// How many characters MSH-2 holds.
        count: usize,
    },
    /// A delimiter is a letter, a digit, whitespace, a control character or not ASCII.
    #[error("{character:?} cannot be a delimiter: delimiters must be printable ASCII punctuation")]
    Unusable {
        /// The offending character (bytes above 0x7F shown as Latin-1).
        character: char,
    },
    /// The same character is given for two delimiters.
    #[error("{character:?} is used for two different delimiters")]
    Duplicate {
        /// The repeated character.
        character: char,
    },
}

impl Encoding {
    /// The standard encoding `|^~\&` without a truncation character.
    pub const STANDARD: Encoding = Encoding {
        field: b'|',
        component: b'^',
        repetition: b'~',
        escape: b'\\',
        subcomponent: b'&',
        truncation: None,
    };

    /// Builds an encoding from its five delimiters, checking that each is printable ASCII
    /// punctuation and that all differ.
    pub fn new(
        field: u8,
        component: u8,
        repetition: u8,
        escape: u8,
        subcomponent: u8,
    ) -> Result<Self, EncodingError> {
        let encoding = Encoding {
            field,
            component,
            repetition,
            escape,
            subcomponent,
            truncation: None,
        };
        encoding.validate()?;
        Ok(encoding)
    }

    /// Adds the truncation character of HL7 v2.7 and later (usually `#`).
    pub fn with_truncation(self, truncation: u8) -> Result<Self, EncodingError> {
        let encoding = Encoding {
            truncation: Some(truncation),
            ..self
        };
        encoding.validate()?;
        Ok(encoding)
    }

    /// Reads MSH-2 (`characters`, 4 or 5 bytes) given the field separator from MSH-1.
    pub fn from_msh(field: u8, characters: &[u8]) -> Result<Self, EncodingError> {
        match *characters {
            [component, repetition, escape, subcomponent] => {
                Encoding::new(field, component, repetition, escape, subcomponent)
            }
            [component, repetition, escape, subcomponent, truncation] => {
                Encoding::new(field, component, repetition, escape, subcomponent)?
                    .with_truncation(truncation)
            }
            _ => Err(EncodingError::WrongCount {
                count: characters.len(),
            }),
        }
    }

    /// The field separator (MSH-1), usually `|`.
    pub fn field_separator(&self) -> u8 {
        self.field
    }

    /// The component separator, usually `^`.
    pub fn component_separator(&self) -> u8 {
        self.component
    }

    /// The repetition separator, usually `~`.
    pub fn repetition_separator(&self) -> u8 {
        self.repetition
    }

    /// The escape character, usually `\`.
    pub fn escape_character(&self) -> u8 {
        self.escape
    }

    /// The subcomponent separator, usually `&`.
    pub fn subcomponent_separator(&self) -> u8 {
        self.subcomponent
    }

    /// The truncation character of HL7 v2.7 and later, when MSH-2 declares one.
    pub fn truncation_character(&self) -> Option<u8> {
        self.truncation
    }

    /// The value of MSH-2: component, repetition, escape, subcomponent and, if declared,
    /// truncation character.
    pub fn msh2(&self) -> Vec<u8> {
        let mut characters = vec![
            self.component,
            self.repetition,
            self.escape,
            self.subcomponent,
        ];
        characters.extend(self.truncation);
        characters
    }

    fn delimiters(&self) -> impl Iterator<Item = u8> {
        [
            self.field,
            self.component,
            self.repetition,
            self.escape,
            self.subcomponent,
        ]
        .into_iter()
        .chain(self.truncation)
    }

    fn validate(&self) -> Result<(), EncodingError> {
        let mut seen = [false; 128];
        for byte in self.delimiters() {
            if !byte.is_ascii_punctuation() {
                return Err(EncodingError::Unusable {
                    character: char::from(byte),
                });
            }
            let slot = seen
                .get_mut(usize::from(byte))
                .ok_or(EncodingError::Unusable {
                    character: char::from(byte),
                })?;
            if *slot {
                return Err(EncodingError::Duplicate {
                    character: char::from(byte),
                });
            }
            *slot = true;
        }
        Ok(())
    }
}

impl Default for Encoding {
    fn default() -> Self {
        Encoding::STANDARD
    }
}

impl fmt::Display for Encoding {
    /// Writes MSH-1 followed by MSH-2, e.g. `|^~\&`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in self.delimiters() {
            write!(f, "{}", char::from(byte))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_encoding_displays_as_msh1_and_msh2() {
        assert_eq!(Encoding::default().to_string(), "|^~\\&");
        assert_eq!(Encoding::STANDARD.msh2(), b"^~\\&");
    }

    #[test]
    fn reads_four_or_five_characters() {
        let four = Encoding::from_msh(b'#', b"$%*@").unwrap();
        assert_eq!(four.field_separator(), b'#');
        assert_eq!(four.component_separator(), b'$');
        assert_eq!(four.repetition_separator(), b'%');
        assert_eq!(four.escape_character(), b'*');
        assert_eq!(four.subcomponent_separator(), b'@');
        assert_eq!(four.truncation_character(), None);

        let five = Encoding::from_msh(b'|', b"^~\\&#").unwrap();
        assert_eq!(five.truncation_character(), Some(b'#'));
        assert_eq!(five.to_string(), "|^~\\&#");
        assert_eq!(five.msh2(), b"^~\\&#");
    }

    #[test]
    fn rejects_bad_characters() {
        assert_eq!(
            Encoding::from_msh(b'|', b"^~"),
            Err(EncodingError::WrongCount { count: 2 })
        );
        assert_eq!(
            Encoding::from_msh(b'|', b"^~\\&#!"),
            Err(EncodingError::WrongCount { count: 6 })
        );
        assert_eq!(
            Encoding::from_msh(b'|', b"^~\\A"),
            Err(EncodingError::Unusable { character: 'A' })
        );
        assert_eq!(
            Encoding::from_msh(b'|', b"^^\\&"),
            Err(EncodingError::Duplicate { character: '^' })
        );
        assert_eq!(
            Encoding::from_msh(b' ', b"^~\\&"),
            Err(EncodingError::Unusable { character: ' ' })
        );
        assert_eq!(
            Encoding::from_msh(0xE9, b"^~\\&"),
            Err(EncodingError::Unusable { character: 'é' })
        );
        assert_eq!(
            Encoding::STANDARD.with_truncation(b'|'),
            Err(EncodingError::Duplicate { character: '|' })
        );
    }

    #[test]
    fn error_text_is_readable() {
        assert_eq!(
            EncodingError::Duplicate { character: '^' }.to_string(),
            "'^' is used for two different delimiters"
        );
    }
}
