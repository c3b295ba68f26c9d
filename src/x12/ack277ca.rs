//! 277CA health care claim acknowledgment (005010X214): a typed reader returning, per
//! claim, whether the payer (or clearinghouse) accepted or rejected it and why.
//!
//! Hierarchy read: 2000A information source (HL 20: payer), 2000B information receiver (HL 21:
//! submitter), 2000C billing provider (HL 19) and 2000D patient (HL PT). Each level may carry
//! a trace number (TRN) and statuses (STC). Each 2200D claim starts with TRN*2 whose TRN02 is
//! the patient control number the provider sent in CLM01; its STC segments say accepted (A1,
//! A2) or rejected (A3, A4, A6, A7, A8), REF*1K carries the payer claim control number, and
//! 2220D service lines (SVC) may carry their own STC.

use serde::{Deserialize, Serialize};

use super::X12Error;
use super::common::{
    AmountReference, DateReference, EntityName, ProcedureCode, QuantityReference, Reference,
    date_with, reference_value,
};
use super::envelope::TransactionSet;
use super::reader::{Element, Segment};
use super::typed::{FieldProblem, ReadOutcome, SegmentIssue, read_documents};
use super::values::{Amount, Date, DatePeriod, Quantity};

/// Whether a status category means the claim went through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Disposition {
    /// Received or accepted into adjudication (A1, A2, A5).
    Accepted,
    /// Returned, not found or rejected (A3, A4, A6, A7, A8).
    Rejected,
    /// Another category (pending, request for information...).
    Other,
}

/// One health care claim status (C043 composite): category, status and entity codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCode {
    /// C043-1: health care claim status category code (`A1`, `A2`, `A3`, `A7`...).
    pub category: String,
    /// C043-2: health care claim status code (e.g. `20` accepted for processing, `21` missing
    /// or invalid information).
    pub status: Option<String>,
    /// C043-3: entity identifier code the status refers to (`85` billing provider, `IL`...).
    pub entity: Option<String>,
    /// C043-4: code list qualifier (NCPDP reject codes).
    pub code_list_qualifier: Option<String>,
}

impl StatusCode {
    fn from_element(element: Option<Element<'_>>) -> Option<Self> {
        let element = element.filter(|e| !e.is_empty())?;
        let text = |position| element.component_text(position).map(|t| t.into_owned());
        Some(StatusCode {
            category: text(1)?,
            status: text(2),
            entity: text(3),
            code_list_qualifier: text(4),
        })
    }

    /// What the category code means for the claim.
    pub fn disposition(&self) -> Disposition {
        match self.category.as_str() {
            "A1" | "A2" | "A5" => Disposition::Accepted,
            "A3" | "A4" | "A6" | "A7" | "A8" => Disposition::Rejected,
            _ => Disposition::Other,
        }
    }
}

/// An STC segment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusInfo {
    /// STC01, STC10 and STC11 status codes, in that order.
    pub codes: Vec<StatusCode>,
    /// STC02: status information effective date.
    pub effective_date: Option<Date>,
    /// STC03: action code (`WQ` accept, `U` reject).
    pub action_code: Option<String>,
    /// STC04: total claim charge amount.
    pub charge: Option<Amount>,
    /// STC12: free-form message text.
    pub message: Option<String>,
}

impl StatusInfo {
    fn from_stc(
        segment: &Segment<'_>,
        warnings: &mut Vec<SegmentIssue>,
    ) -> Result<Self, SegmentIssue> {
        let codes: Vec<StatusCode> = [1, 10, 11]
            .into_iter()
            .filter_map(|p| StatusCode::from_element(segment.element(p)))
            .collect();
        if codes.is_empty() {
            let name = "STC01 health care claim status".to_owned();
            return Err(segment.issue(Some(1), FieldProblem::MissingElement { name }));
        }
        Ok(StatusInfo {
            codes,
            effective_date: segment.date_at(2, warnings),
            action_code: segment.string_at(3),
            charge: segment.amount_at(4)?,
            message: segment.string_at(12),
        })
    }
}

/// The overall disposition of a list of statuses: rejected if any code rejects, accepted if
/// any accepts, otherwise other.
fn disposition_of(statuses: &[StatusInfo]) -> Disposition {
    let dispositions: Vec<Disposition> = statuses
        .iter()
        .flat_map(|s| &s.codes)
        .map(StatusCode::disposition)
        .collect();
    if dispositions.contains(&Disposition::Rejected) {
        Disposition::Rejected
    } else if dispositions.contains(&Disposition::Accepted) {
        Disposition::Accepted
    } else {
        Disposition::Other
    }
}

/// A hierarchical level above the claims (payer, submitter or billing provider).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelStatus {
    /// HL03: `20` information source, `21` information receiver, `19` provider of service.
    pub level_code: String,
    /// NM1 of the level.
    pub entity: Option<EntityName>,
    /// TRN02: trace number of the level (batch or provider trace).
    pub trace: Option<String>,
    /// STC statuses of the level (e.g. a whole batch rejected at the submitter level).
    pub statuses: Vec<StatusInfo>,
    /// REF identifiers.
    pub references: Vec<Reference>,
    /// DTP dates (`050` received, `009` process).
    pub dates: Vec<DateReference>,
    /// QTY (`90` accepted count, `AA` rejected count).
    pub quantities: Vec<QuantityReference>,
    /// AMT (`YU` accepted amount, `YY` rejected amount).
    pub amounts: Vec<AmountReference>,
}

/// Loop 2220D: status of one service line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineStatus {
    /// SVC01: procedure.
    pub procedure: Option<ProcedureCode>,
    /// SVC02: line item charge amount.
    pub charge: Option<Amount>,
    /// SVC04: revenue code.
    pub revenue_code: Option<String>,
    /// SVC07: units of service.
    pub units: Option<Quantity>,
    /// STC statuses of the line.
    pub statuses: Vec<StatusInfo>,
    /// REF (`FJ` line item control number).
    pub references: Vec<Reference>,
    /// DTP (`472` service date).
    pub dates: Vec<DateReference>,
}

impl LineStatus {
    /// REF*FJ: the line item control number sent in the 837 REF*6R.
    pub fn line_item_control_number(&self) -> Option<&str> {
        reference_value(&self.references, "FJ")
    }

    /// The line's overall disposition.
    pub fn disposition(&self) -> Disposition {
        disposition_of(&self.statuses)
    }
}

/// Loop 2200D: status of one claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimStatus {
    /// TRN02: patient control number, the claim id sent in CLM01.
    pub patient_control_number: String,
    /// NM1*QC of the patient level.
    pub patient: Option<EntityName>,
    /// NM1*85 of the billing provider level the claim sits under.
    pub billing_provider: Option<EntityName>,
    /// STC statuses of the claim.
    pub statuses: Vec<StatusInfo>,
    /// REF identifiers (`1K` payer claim control number, `D9` clearinghouse trace, `BLT` bill
    /// type, `EA` medical record number).
    pub references: Vec<Reference>,
    /// DTP (`472` claim service period).
    pub dates: Vec<DateReference>,
    /// Loop 2220D service lines.
    pub lines: Vec<LineStatus>,
}

impl ClaimStatus {
    /// REF*1K: the payer's claim control number.
    pub fn payer_claim_control_number(&self) -> Option<&str> {
        reference_value(&self.references, "1K")
    }

    /// DTP*472: claim service date or period.
    pub fn service_period(&self) -> Option<DatePeriod> {
        date_with(&self.dates, "472")
    }

    /// Accepted when some STC accepts and none rejects.
    pub fn disposition(&self) -> Disposition {
        disposition_of(&self.statuses)
    }
}

/// One 277CA transaction set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acknowledgment277 {
    /// ST02.
    pub control_number: String,
    /// ST03.
    pub implementation_ref: Option<String>,
    /// BHT03: originator application transaction identifier.
    pub reference: Option<String>,
    /// BHT04: creation date.
    pub created: Option<Date>,
    /// Levels above the claims, in order.
    pub levels: Vec<LevelStatus>,
    /// Claims, in order.
    pub claims: Vec<ClaimStatus>,
}

/// Reads every 277 transaction set of an interchange as a 277CA.
pub fn read_277ca(input: &[u8]) -> Result<ReadOutcome<Acknowledgment277>, X12Error> {
    read_documents(input, "277", read_acknowledgment)
}

/// What the next segments attach to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Position {
    Header,
    Level,
    Patient,
    Claim,
    Line,
}

impl Position {
    fn describe(self) -> &'static str {
        match self {
            Position::Header => "header",
            Position::Level => "payer, submitter or provider level",
            Position::Patient => "patient level",
            Position::Claim => "claim (2200D)",
            Position::Line => "service line (2220D)",
        }
    }
}

struct AcknowledgmentBuilder {
    position: Position,
    reference: Option<String>,
    created: Option<Date>,
    levels: Vec<LevelStatus>,
    claims: Vec<ClaimStatus>,
    billing_provider: Option<EntityName>,
    patient: Option<EntityName>,
}

fn read_line(segment: &Segment<'_>) -> Result<LineStatus, SegmentIssue> {
    Ok(LineStatus {
        procedure: ProcedureCode::from_element(segment.element(1)),
        charge: segment.amount_at(2)?,
        revenue_code: segment.string_at(4),
        units: segment.quantity_at(7)?,
        statuses: Vec::new(),
        references: Vec::new(),
        dates: Vec::new(),
    })
}

impl AcknowledgmentBuilder {
    fn start_level(&mut self, segment: &Segment<'_>) {
        let level_code = segment.string_at(3).unwrap_or_default();
        if level_code == "PT" {
            self.patient = None;
            self.position = Position::Patient;
            return;
        }
        if level_code != "19" {
            self.billing_provider = None;
        }
        self.levels.push(LevelStatus {
            level_code,
            entity: None,
            trace: None,
            statuses: Vec::new(),
            references: Vec::new(),
            dates: Vec::new(),
            quantities: Vec::new(),
            amounts: Vec::new(),
        });
        self.position = Position::Level;
    }

    /// Applies one segment; returns `false` when it does not belong where it appears.
    fn apply(
        &mut self,
        segment: &Segment<'_>,
        warnings: &mut Vec<SegmentIssue>,
    ) -> Result<bool, SegmentIssue> {
        match (segment.id(), self.position) {
            ("ST" | "SE", _) => {}
            ("BHT", Position::Header) => {
                self.reference = segment.string_at(3);
                self.created = segment.date_at(4, warnings);
            }
            ("HL", _) => self.start_level(segment),
            ("NM1", Position::Patient) => self.patient = Some(EntityName::from_nm1(segment)),
            ("TRN", Position::Patient | Position::Claim | Position::Line) => {
                self.claims.push(ClaimStatus {
                    patient_control_number: segment
                        .required_string_at(2, "TRN02 patient control number")?,
                    patient: self.patient.clone(),
                    billing_provider: self.billing_provider.clone(),
                    statuses: Vec::new(),
                    references: Vec::new(),
                    dates: Vec::new(),
                    lines: Vec::new(),
                });
                self.position = Position::Claim;
            }
            ("SVC", Position::Claim | Position::Line) => {
                let line = read_line(segment)?;
                let Some(claim) = self.claims.last_mut() else {
                    return Ok(false);
                };
                claim.lines.push(line);
                self.position = Position::Line;
            }
            (_, Position::Level) => return self.apply_to_level(segment, warnings),
            (_, Position::Claim) => return self.apply_to_claim(segment, warnings),
            (_, Position::Line) => return self.apply_to_line(segment, warnings),
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn apply_to_level(
        &mut self,
        segment: &Segment<'_>,
        warnings: &mut Vec<SegmentIssue>,
    ) -> Result<bool, SegmentIssue> {
        let Some(level) = self.levels.last_mut() else {
            return Ok(false);
        };
        match segment.id() {
            "NM1" => {
                let entity = EntityName::from_nm1(segment);
                if level.level_code == "19" {
                    self.billing_provider = Some(entity.clone());
                }
                level.entity = Some(entity);
            }
            "TRN" => level.trace = segment.string_at(2),
            "STC" => level
                .statuses
                .push(StatusInfo::from_stc(segment, warnings)?),
            "REF" => level.references.push(Reference::from_ref(segment)?),
            "DTP" => level
                .dates
                .push(DateReference::from_dtp(segment, warnings)?),
            "QTY" => level.quantities.push(QuantityReference::from_qty(segment)?),
            "AMT" => level.amounts.push(AmountReference::from_amt(segment)?),
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn apply_to_claim(
        &mut self,
        segment: &Segment<'_>,
        warnings: &mut Vec<SegmentIssue>,
    ) -> Result<bool, SegmentIssue> {
        let Some(claim) = self.claims.last_mut() else {
            return Ok(false);
        };
        match segment.id() {
            "STC" => claim
                .statuses
                .push(StatusInfo::from_stc(segment, warnings)?),
            "REF" => claim.references.push(Reference::from_ref(segment)?),
            "DTP" => claim
                .dates
                .push(DateReference::from_dtp(segment, warnings)?),
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn apply_to_line(
        &mut self,
        segment: &Segment<'_>,
        warnings: &mut Vec<SegmentIssue>,
    ) -> Result<bool, SegmentIssue> {
        let Some(line) = self.claims.last_mut().and_then(|c| c.lines.last_mut()) else {
            return Ok(false);
        };
        match segment.id() {
            "STC" => line.statuses.push(StatusInfo::from_stc(segment, warnings)?),
            "REF" => line.references.push(Reference::from_ref(segment)?),
            "DTP" => line.dates.push(DateReference::from_dtp(segment, warnings)?),
            _ => return Ok(false),
        }
        Ok(true)
    }
}

fn read_acknowledgment(
    set: &TransactionSet,
    segments: &[Segment<'_>],
    warnings: &mut Vec<SegmentIssue>,
) -> Result<Acknowledgment277, SegmentIssue> {
    let mut builder = AcknowledgmentBuilder {
        position: Position::Header,
        reference: None,
        created: None,
        levels: Vec::new(),
        claims: Vec::new(),
        billing_provider: None,
        patient: None,
    };
    for segment in segments {
        if !builder.apply(segment, warnings)? {
            let context = format!("in a 277CA {}", builder.position.describe());
            warnings.push(segment.issue(None, FieldProblem::UnexpectedSegment { context }));
        }
    }
    Ok(Acknowledgment277 {
        control_number: set.control_number.clone(),
        implementation_ref: set.implementation_ref.clone(),
        reference: builder.reference,
        created: builder.created,
        levels: builder.levels,
        claims: builder.claims,
    })
}
