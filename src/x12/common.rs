//! Typed forms of segments that several transaction sets share: names (NM1), addresses
//! (N3/N4), references (REF), dates (DTM/DTP), contacts (PER), amounts (AMT), quantities (QTY)
//! and the composite medical procedure identifier (C003).

use serde::{Deserialize, Serialize};

use super::reader::{Element, Segment};
use super::typed::{FieldProblem, SegmentIssue};
use super::values::{Amount, DatePeriod, Quantity};

/// An individual or organization named by an NM1 segment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityName {
    /// NM101: entity identifier code (`QC` patient, `IL` insured, `82` rendering provider...).
    pub entity_code: String,
    /// NM102: `1` person, `2` non-person entity.
    pub entity_type: Option<String>,
    /// NM103: last name or organization name.
    pub last_or_organization: Option<String>,
    /// NM104: first name.
    pub first: Option<String>,
    /// NM105: middle name or initial.
    pub middle: Option<String>,
    /// NM106: name prefix.
    pub prefix: Option<String>,
    /// NM107: name suffix.
    pub suffix: Option<String>,
    /// NM108: identification code qualifier (`XX` NPI, `MI` member id, `PI` payer id...).
    pub id_qualifier: Option<String>,
    /// NM109: identification code.
    pub id: Option<String>,
}

impl EntityName {
    /// Reads an NM1 segment.
    pub(crate) fn from_nm1(segment: &Segment<'_>) -> Self {
        EntityName {
            entity_code: segment.string_at(1).unwrap_or_default(),
            entity_type: segment.string_at(2),
            last_or_organization: segment.string_at(3),
            first: segment.string_at(4),
            middle: segment.string_at(5),
            prefix: segment.string_at(6),
            suffix: segment.string_at(7),
            id_qualifier: segment.string_at(8),
            id: segment.string_at(9),
        }
    }
}

/// A postal address from N3 and N4.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    /// N301 and N302 address lines.
    pub lines: Vec<String>,
    /// N401 city.
    pub city: Option<String>,
    /// N402 state or province code.
    pub state: Option<String>,
    /// N403 postal code.
    pub postal_code: Option<String>,
    /// N404 country code (absent for the United States).
    pub country: Option<String>,
    /// N407 country subdivision code.
    pub country_subdivision: Option<String>,
}

impl Address {
    /// Adds the lines of an N3 segment.
    pub(crate) fn add_n3(&mut self, segment: &Segment<'_>) {
        self.lines
            .extend([1, 2].into_iter().filter_map(|p| segment.string_at(p)));
    }

    /// Adds the city, state, postal code and country of an N4 segment.
    pub(crate) fn add_n4(&mut self, segment: &Segment<'_>) {
        self.city = segment.string_at(1);
        self.state = segment.string_at(2);
        self.postal_code = segment.string_at(3);
        self.country = segment.string_at(4);
        self.country_subdivision = segment.string_at(7);
    }
}

/// A reference identification (REF).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    /// REF01: qualifier (`6R` line item control number, `1K` payer claim number, `EI` tax id...).
    pub qualifier: String,
    /// REF02: the identifier.
    pub value: String,
    /// REF03: description, when sent.
    pub description: Option<String>,
}

impl Reference {
    /// Reads a REF segment.
    pub(crate) fn from_ref(segment: &Segment<'_>) -> Result<Self, SegmentIssue> {
        Ok(Reference {
            qualifier: segment.required_string_at(1, "REF01 reference identification qualifier")?,
            value: segment.string_at(2).unwrap_or_default(),
            description: segment.string_at(3),
        })
    }
}

/// Finds the value of the first reference with `qualifier`.
pub(crate) fn reference_value<'r>(references: &'r [Reference], qualifier: &str) -> Option<&'r str> {
    references
        .iter()
        .find(|r| r.qualifier == qualifier)
        .map(|r| r.value.as_str())
}

/// A qualified date or date range (DTM or DTP).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateReference {
    /// DTM01/DTP01: date/time qualifier (`472` service date, `232` statement start...).
    pub qualifier: String,
    /// The date value as sent.
    pub raw: String,
    /// The parsed date or range; `None` when the value is not a real date (a warning is
    /// recorded).
    pub period: Option<DatePeriod>,
}

impl DateReference {
    /// Reads a DTM segment (DTM01 qualifier, DTM02 `CCYYMMDD` date).
    pub(crate) fn from_dtm(
        segment: &Segment<'_>,
        warnings: &mut Vec<SegmentIssue>,
    ) -> Result<Self, SegmentIssue> {
        Self::read(segment, None, 2, warnings)
    }

    /// Reads a DTP segment (DTP01 qualifier, DTP02 format `D8`/`RD8`, DTP03 value).
    pub(crate) fn from_dtp(
        segment: &Segment<'_>,
        warnings: &mut Vec<SegmentIssue>,
    ) -> Result<Self, SegmentIssue> {
        let format = segment.string_at(2).unwrap_or_else(|| "D8".to_owned());
        Self::read(segment, Some(format), 3, warnings)
    }

    fn read(
        segment: &Segment<'_>,
        format: Option<String>,
        value_position: usize,
        warnings: &mut Vec<SegmentIssue>,
    ) -> Result<Self, SegmentIssue> {
        let qualifier = segment.required_string_at(1, "date/time qualifier")?;
        let raw = segment.required_string_at(value_position, "date value")?;
        let period = DatePeriod::parse(format.as_deref().unwrap_or("D8"), &raw)
            .map_err(|e| {
                warnings.push(segment.issue(Some(value_position), FieldProblem::InvalidDate(e)))
            })
            .ok();
        Ok(DateReference {
            qualifier,
            raw,
            period,
        })
    }
}

/// Finds the first parsed date with `qualifier`.
pub(crate) fn date_with(dates: &[DateReference], qualifier: &str) -> Option<DatePeriod> {
    dates
        .iter()
        .find(|d| d.qualifier == qualifier)
        .and_then(|d| d.period)
}

/// One communication number of a contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Communication {
    /// Qualifier: `TE` telephone, `EM` email, `FX` fax, `EX` extension, `UR` URL.
    pub qualifier: String,
    /// The number or address.
    pub number: String,
}

/// An administrative contact (PER).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// PER01: contact function code (`IC` information contact, `CX` claims, `BL` technical).
    pub function_code: String,
    /// PER02: contact name.
    pub name: Option<String>,
    /// PER03..PER08: up to three communication numbers.
    pub communications: Vec<Communication>,
}

impl Contact {
    /// Reads a PER segment.
    pub(crate) fn from_per(segment: &Segment<'_>) -> Result<Self, SegmentIssue> {
        let communications = [(3, 4), (5, 6), (7, 8)]
            .into_iter()
            .filter_map(|(q, n)| {
                Some(Communication {
                    qualifier: segment.string_at(q)?,
                    number: segment.string_at(n)?,
                })
            })
            .collect();
        Ok(Contact {
            function_code: segment.required_string_at(1, "PER01 contact function code")?,
            name: segment.string_at(2),
            communications,
        })
    }
}

/// A qualified monetary amount (AMT).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmountReference {
    /// AMT01: qualifier (`B6` allowed, `AU` coverage, `I` interest...).
    pub qualifier: String,
    /// AMT02: the amount.
    pub amount: Amount,
}

impl AmountReference {
    /// Reads an AMT segment.
    pub(crate) fn from_amt(segment: &Segment<'_>) -> Result<Self, SegmentIssue> {
        Ok(AmountReference {
            qualifier: segment.required_string_at(1, "AMT01 amount qualifier code")?,
            amount: segment.required_amount_at(2, "AMT02 monetary amount")?,
        })
    }
}

/// Finds the first amount with `qualifier`.
pub(crate) fn amount_with(amounts: &[AmountReference], qualifier: &str) -> Option<Amount> {
    amounts
        .iter()
        .find(|a| a.qualifier == qualifier)
        .map(|a| a.amount)
}

/// A qualified quantity (QTY).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuantityReference {
    /// QTY01: qualifier (`CA` covered actual, `90` acknowledged quantity...).
    pub qualifier: String,
    /// QTY02: the quantity.
    pub quantity: Quantity,
}

impl QuantityReference {
    /// Reads a QTY segment.
    pub(crate) fn from_qty(segment: &Segment<'_>) -> Result<Self, SegmentIssue> {
        let quantity = segment.quantity_at(2)?.ok_or_else(|| {
            segment.issue(
                Some(2),
                FieldProblem::MissingElement {
                    name: "QTY02 quantity".to_owned(),
                },
            )
        })?;
        Ok(QuantityReference {
            qualifier: segment.required_string_at(1, "QTY01 quantity qualifier")?,
            quantity,
        })
    }
}

/// A composite medical procedure identifier (C003): `HC:99213:25` and the like.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcedureCode {
    /// Component 1: code list qualifier (`HC` HCPCS/CPT, `NU` revenue code, `N4` NDC...).
    pub qualifier: String,
    /// Component 2: the procedure code.
    pub code: String,
    /// Components 3-6: up to four modifiers.
    pub modifiers: Vec<String>,
    /// Component 7: description.
    pub description: Option<String>,
}

impl ProcedureCode {
    /// Reads a C003 composite element; `None` when the element is empty.
    pub(crate) fn from_element(element: Option<Element<'_>>) -> Option<Self> {
        let element = element.filter(|e| !e.is_empty())?;
        let text = |position| element.component_text(position).map(|t| t.into_owned());
        Some(ProcedureCode {
            qualifier: text(1).unwrap_or_default(),
            code: text(2).unwrap_or_default(),
            modifiers: (3..=6).filter_map(text).collect(),
            description: text(7),
        })
    }
}
