//! Exact value types for X12 data: money, quantities, dates and times.
//!
//! Money is never a float. An X12 decimal (`R` type) such as `123.45`, `-10`, `100.5` or `.5`
//! becomes an [`Amount`] holding integer cents. Quantities (units, days, weights, rates and
//! percentages) become a [`Quantity`], a fixed-point number with six decimal places held in an
//! `i64` (millionths), which is exact for every value the 5010 guides allow (DRG weights and
//! rates have at most six decimals). Values with more decimals than the type holds are
//! refused with a precise error rather than rounded.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a decimal value could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum DecimalError {
    /// The value is empty, or only a sign and/or a decimal point.
    #[error("`{value}` is not a number: it has no digits")]
    NoDigits {
        /// The text as received.
        value: String,
    },
    /// The value holds a byte other than digits, one leading minus and one decimal point.
    #[error("`{value}` is not a number: unexpected `{found}` at position {position}")]
    InvalidCharacter {
        /// The text as received.
        value: String,
        /// The unexpected character.
        found: char,
        /// 1-based position of the character in the value.
        position: usize,
    },
    /// The value has more decimal places than the type keeps.
    #[error("`{value}` has {found} decimal places; at most {allowed} are allowed")]
    TooManyDecimals {
        /// The text as received.
        value: String,
        /// Decimal places found.
        found: usize,
        /// Decimal places the type keeps.
        allowed: u32,
    },
    /// The value does not fit in 64 bits once scaled.
    #[error("`{value}` is too large")]
    Overflow {
        /// The text as received.
        value: String,
    },
}

/// Parses an X12 decimal into an integer scaled by `10^scale`.
fn parse_scaled(text: &str, scale: u32) -> Result<i64, DecimalError> {
    let owned = || text.to_owned();
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = body.split_once('.').unwrap_or((body, ""));
    let sign_len = usize::from(negative);
    for (offset, ch) in whole.chars().enumerate() {
        if !ch.is_ascii_digit() {
            return Err(DecimalError::InvalidCharacter {
                value: owned(),
                found: ch,
                position: sign_len + offset + 1,
            });
        }
    }
    for (offset, ch) in fraction.chars().enumerate() {
        if !ch.is_ascii_digit() {
            return Err(DecimalError::InvalidCharacter {
                value: owned(),
                found: ch,
                position: sign_len + whole.chars().count() + 1 + offset + 1,
            });
        }
    }
    if whole.is_empty() && fraction.is_empty() {
        return Err(DecimalError::NoDigits { value: owned() });
    }
    if fraction.len() > scale as usize {
        return Err(DecimalError::TooManyDecimals {
            value: owned(),
            found: fraction.len(),
            allowed: scale,
        });
    }
    let overflow = || DecimalError::Overflow { value: owned() };
    // The magnitude is accumulated in 128 bits so that `i64::MIN` itself can be read.
    let mut magnitude: i128 = 0;
    for digit in whole.bytes().chain(fraction.bytes()) {
        magnitude = magnitude
            .checked_mul(10)
            .and_then(|v| v.checked_add(i128::from(digit - b'0')))
            .ok_or_else(overflow)?;
    }
    // `fraction.len() <= scale`, checked above.
    let missing_places = scale - fraction.len() as u32;
    magnitude = magnitude
        .checked_mul(10_i128.pow(missing_places))
        .ok_or_else(overflow)?;
    let signed = if negative { -magnitude } else { magnitude };
    i64::try_from(signed).map_err(|_| overflow())
}

/// Writes `scaled / 10^scale` in the shortest X12 form: no trailing fractional zeros, no
/// decimal point for whole numbers.
fn format_scaled(scaled: i64, scale: u32, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let divisor = 10_u64.pow(scale);
    let magnitude = scaled.unsigned_abs();
    let sign = if scaled < 0 { "-" } else { "" };
    let whole = magnitude / divisor;
    let fraction = magnitude % divisor;
    if fraction == 0 {
        return write!(f, "{sign}{whole}");
    }
    let digits = format!("{fraction:0width$}", width = scale as usize);
    write!(f, "{sign}{whole}.{}", digits.trim_end_matches('0'))
}

/// A money amount in integer cents (`Amount(12345)` is 123.45).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Amount(pub i64);

impl Amount {
    /// Zero cents.
    pub const ZERO: Amount = Amount(0);

    /// Reads an X12 decimal amount with at most two decimal places.
    pub fn parse(text: &str) -> Result<Self, DecimalError> {
        parse_scaled(text, 2).map(Amount)
    }

    /// Amount from whole cents.
    pub const fn from_cents(cents: i64) -> Self {
        Amount(cents)
    }

    /// The amount in cents.
    pub const fn cents(self) -> i64 {
        self.0
    }

    /// Sum that saturates instead of overflowing (totals of real files never come close).
    pub fn saturating_add(self, other: Amount) -> Amount {
        Amount(self.0.saturating_add(other.0))
    }

    /// Difference that saturates instead of overflowing.
    pub fn saturating_sub(self, other: Amount) -> Amount {
        Amount(self.0.saturating_sub(other.0))
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        format_scaled(self.0, 2, f)
    }
}

impl std::iter::Sum for Amount {
    fn sum<I: Iterator<Item = Amount>>(iter: I) -> Self {
        iter.fold(Amount::ZERO, Amount::saturating_add)
    }
}

/// A fixed-point quantity in millionths (`Quantity(1_500_000)` is 1.5), used for units,
/// counts, weights, rates and percentages.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Quantity(pub i64);

impl Quantity {
    /// Number of decimal places a quantity keeps.
    pub const DECIMALS: u32 = 6;
    /// The scaled value of 1.
    pub const ONE: Quantity = Quantity(1_000_000);

    /// Reads an X12 decimal with at most six decimal places.
    pub fn parse(text: &str) -> Result<Self, DecimalError> {
        parse_scaled(text, Self::DECIMALS).map(Quantity)
    }

    /// Quantity from a whole number.
    pub fn from_whole(whole: i64) -> Option<Self> {
        whole.checked_mul(Self::ONE.0).map(Quantity)
    }

    /// The value in millionths.
    pub const fn millionths(self) -> i64 {
        self.0
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        format_scaled(self.0, Self::DECIMALS, f)
    }
}

/// Why a date or time could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum DateError {
    /// Wrong length or non-digit characters.
    #[error("`{value}` is not a {expected} value")]
    Format {
        /// The text as received.
        value: String,
        /// The expected form, e.g. `CCYYMMDD`.
        expected: String,
    },
    /// Digits that do not name a real calendar date or clock time.
    #[error("`{value}` is not a valid {expected}: {reason}")]
    OutOfRange {
        /// The text as received.
        value: String,
        /// The expected form.
        expected: String,
        /// What is out of range.
        reason: String,
    },
}

/// Reads `text` as all ASCII digits, returning the number they spell.
fn digits_value(text: &str) -> Option<u32> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Date {
    /// Year, e.g. 2024.
    pub year: u16,
    /// Month 1..=12.
    pub month: u8,
    /// Day 1..=31 (valid for the month).
    pub day: u8,
}

impl Date {
    /// Builds a date, checking that it exists in the calendar.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Self> {
        let leap =
            (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
        let days_in_month = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days_in_month)
            .contains(&day)
            .then_some(Date { year, month, day })
    }

    /// Reads an eight-digit `CCYYMMDD` date.
    pub fn parse_ccyymmdd(text: &str) -> Result<Self, DateError> {
        const EXPECTED: &str = "CCYYMMDD date";
        let format_error = || DateError::Format {
            value: text.to_owned(),
            expected: EXPECTED.to_owned(),
        };
        if text.len() != 8 {
            return Err(format_error());
        }
        let part = |range: std::ops::Range<usize>| text.get(range).and_then(digits_value);
        let (Some(year), Some(month), Some(day)) = (part(0..4), part(4..6), part(6..8)) else {
            return Err(format_error());
        };
        let out_of_range = |reason: &str| DateError::OutOfRange {
            value: text.to_owned(),
            expected: EXPECTED.to_owned(),
            reason: reason.to_owned(),
        };
        let (Ok(year), Ok(month), Ok(day)) =
            (u16::try_from(year), u8::try_from(month), u8::try_from(day))
        else {
            return Err(out_of_range("component too large"));
        };
        if !(1..=12).contains(&month) {
            return Err(out_of_range("month must be 01-12"));
        }
        Date::new(year, month, day).ok_or_else(|| out_of_range("no such day in that month"))
    }

    /// The date as `CCYYMMDD`.
    pub fn ccyymmdd(&self) -> String {
        format!("{:04}{:02}{:02}", self.year, self.month, self.day)
    }

    /// The date as `YYMMDD` (as ISA09 wants it).
    pub fn yymmdd(&self) -> String {
        format!("{:02}{:02}{:02}", self.year % 100, self.month, self.day)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A clock time to the minute (seconds are kept when sent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Time {
    /// Hour 0..=23.
    pub hour: u8,
    /// Minute 0..=59.
    pub minute: u8,
    /// Second 0..=59, when sent.
    pub second: Option<u8>,
}

impl Time {
    /// Builds a time, checking the ranges.
    pub fn new(hour: u8, minute: u8, second: Option<u8>) -> Option<Self> {
        (hour < 24 && minute < 60 && second.is_none_or(|s| s < 60)).then_some(Time {
            hour,
            minute,
            second,
        })
    }

    /// Reads `HHMM`, `HHMMSS` or `HHMMSSD..` (fractions of a second are dropped).
    pub fn parse(text: &str) -> Result<Self, DateError> {
        const EXPECTED: &str = "HHMM[SS] time";
        let format_error = || DateError::Format {
            value: text.to_owned(),
            expected: EXPECTED.to_owned(),
        };
        if !(text.len() == 4 || text.len() >= 6)
            || text.len() > 8
            || !text.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(format_error());
        }
        let part = |range: std::ops::Range<usize>| {
            text.get(range)
                .and_then(digits_value)
                .and_then(|v| u8::try_from(v).ok())
        };
        let (Some(hour), Some(minute)) = (part(0..2), part(2..4)) else {
            return Err(format_error());
        };
        let second = if text.len() >= 6 { part(4..6) } else { None };
        Time::new(hour, minute, second).ok_or_else(|| DateError::OutOfRange {
            value: text.to_owned(),
            expected: EXPECTED.to_owned(),
            reason: "hour, minute or second out of range".to_owned(),
        })
    }

    /// The time as `HHMM`.
    pub fn hhmm(&self) -> String {
        format!("{:02}{:02}", self.hour, self.minute)
    }
}

/// A single date or an inclusive date range (`D8` or `RD8` in DTP segments).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatePeriod {
    /// First (or only) day.
    pub start: Date,
    /// Last day of a range; `None` for a single date.
    pub end: Option<Date>,
}

impl DatePeriod {
    /// A period of one day.
    pub fn day(date: Date) -> Self {
        DatePeriod {
            start: date,
            end: None,
        }
    }

    /// Reads a value by its DTP format qualifier: `D8` (`CCYYMMDD`) or `RD8`
    /// (`CCYYMMDD-CCYYMMDD`). Other formats (`DT`, `TM`...) read their leading date.
    pub fn parse(format_qualifier: &str, text: &str) -> Result<Self, DateError> {
        match format_qualifier {
            "RD8" => {
                let (start, end) = text.split_once('-').ok_or_else(|| DateError::Format {
                    value: text.to_owned(),
                    expected: "CCYYMMDD-CCYYMMDD range".to_owned(),
                })?;
                Ok(DatePeriod {
                    start: Date::parse_ccyymmdd(start)?,
                    end: Some(Date::parse_ccyymmdd(end)?),
                })
            }
            "D8" => Date::parse_ccyymmdd(text).map(DatePeriod::day),
            _ => Date::parse_ccyymmdd(text.get(..8).unwrap_or(text)).map(DatePeriod::day),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_to_cents() {
        let cases = [
            ("123.45", 12345),
            ("-10", -1000),
            ("100.5", 10050),
            (".5", 50),
            ("0", 0),
            ("-.05", -5),
            ("125.0", 12500),
        ];
        for (text, cents) in cases {
            assert_eq!(Amount::parse(text), Ok(Amount(cents)), "{text}");
        }
    }

    #[test]
    fn amount_errors_are_precise() {
        assert_eq!(
            Amount::parse("1.234").unwrap_err().to_string(),
            "`1.234` has 3 decimal places; at most 2 are allowed"
        );
        assert_eq!(
            Amount::parse("12a").unwrap_err().to_string(),
            "`12a` is not a number: unexpected `a` at position 3"
        );
        for junk in ["", "-", ".", "1.2.3", "+5", " 1", "1e3", "1,000", "--1"] {
            assert!(Amount::parse(junk).is_err(), "{junk:?} should fail");
        }
        assert!(matches!(
            Amount::parse("99999999999999999999"),
            Err(DecimalError::Overflow { .. })
        ));
    }

    #[test]
    fn amounts_format_shortest() {
        assert_eq!(Amount(10000).to_string(), "100");
        assert_eq!(Amount(4050).to_string(), "40.5");
        assert_eq!(Amount(-5).to_string(), "-0.05");
        assert_eq!(Amount(i64::MIN).to_string(), "-92233720368547758.08");
        assert_eq!(Amount::parse("-92233720368547758.08"), Ok(Amount(i64::MIN)));
        assert!(Amount::parse("92233720368547758.08").is_err());
    }

    #[test]
    fn quantities_are_fixed_point() {
        assert_eq!(Quantity::parse("1.00"), Ok(Quantity(1_000_000)));
        assert_eq!(Quantity::parse("0.8916"), Ok(Quantity(891_600)));
        assert!(Quantity::parse("1.0000001").is_err());
        assert_eq!(Quantity(1_500_000).to_string(), "1.5");
        assert_eq!(Quantity::from_whole(3), Some(Quantity(3_000_000)));
    }

    #[test]
    fn dates_are_calendar_checked() {
        assert_eq!(
            Date::parse_ccyymmdd("20240229"),
            Ok(Date {
                year: 2024,
                month: 2,
                day: 29
            })
        );
        assert!(Date::parse_ccyymmdd("20230229").is_err());
        assert_eq!(
            Date::parse_ccyymmdd("20002316").unwrap_err().to_string(),
            "`20002316` is not a valid CCYYMMDD date: month must be 01-12"
        );
        assert!(Date::parse_ccyymmdd("2024-1-1").is_err());
        assert_eq!(
            Date::new(2013, 10, 31).map(|d| d.yymmdd()),
            Some("131031".to_owned())
        );
    }

    #[test]
    fn times_and_periods() {
        assert_eq!(
            Time::parse("1147"),
            Ok(Time {
                hour: 11,
                minute: 47,
                second: None
            })
        );
        assert_eq!(Time::parse("100831").map(|t| t.second), Ok(Some(31)));
        assert!(Time::parse("2460").is_err());
        assert!(Time::parse("102497").is_err());
        let period = DatePeriod::parse("RD8", "20050315-20050316").expect("range");
        assert_eq!(period.end.map(|d| d.day), Some(16));
        assert!(DatePeriod::parse("RD8", "20050315").is_err());
    }
}
