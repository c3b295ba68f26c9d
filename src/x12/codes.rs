//! Code lists: a macro that turns a table of X12 codes into an enum that keeps unknown codes.

/// Declares an enum for an X12 code list. Each variant is written `Name = "code" => "meaning"`;
/// the meaning becomes the variant's documentation and [`description`]. Codes not in the table
/// are kept as `Other(code)`. The enum (de)serializes as its code.
macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $variant:ident = $code:literal => $meaning:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(into = "String", from = "String")]
        $vis enum $name {
            $(
                #[doc = concat!("`", $code, "`: ", $meaning, ".")]
                $variant,
            )+
            /// A code not in this list, kept as received.
            Other(String),
        }

        impl $name {
            /// The code as transmitted.
            pub fn code(&self) -> &str {
                match self {
                    $( Self::$variant => $code, )+
                    Self::Other(code) => code,
                }
            }

            /// Maps a transmitted code; codes not in the list become `Other`.
            pub fn from_code(code: &str) -> Self {
                match code {
                    $( $code => Self::$variant, )+
                    other => Self::Other(other.to_owned()),
                }
            }

            /// What the code means (`"unlisted code"` for `Other`).
            pub fn description(&self) -> &'static str {
                match self {
                    $( Self::$variant => $meaning, )+
                    Self::Other(_) => "unlisted code",
                }
            }
        }

        impl From<String> for $name {
            fn from(code: String) -> Self {
                Self::from_code(&code)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.code().to_owned()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

pub(crate) use code_enum;

code_enum! {
    /// ISA15: whether the interchange is production, test or information data.
    pub enum UsageIndicator {
        Production = "P" => "production data",
        Test = "T" => "test data",
        Information = "I" => "information",
    }
}

#[cfg(test)]
mod tests {
    use super::UsageIndicator;

    #[test]
    fn codes_round_trip_and_keep_unknowns() {
        assert_eq!(UsageIndicator::from_code("T"), UsageIndicator::Test);
        assert_eq!(UsageIndicator::Test.code(), "T");
        assert_eq!(
            UsageIndicator::from_code("Q"),
            UsageIndicator::Other("Q".to_owned())
        );
        assert_eq!(UsageIndicator::Production.description(), "production data");
    }
}
