//! 835 health care claim payment/advice (005010X221A1): a typed reader covering the whole
//! transaction set, from the BPR payment order to the PLB provider adjustments.
//!
//! Structure read: header (BPR, TRN, CUR, REF, DTM), 1000A payer (N1*PR, N3, N4, REF, PER),
//! 1000B payee (N1*PE, N3, N4, REF), then 2000 header numbers (LX, TS3, TS2) holding 2100
//! claims (CLP, CAS, NM1, MIA, MOA, REF, DTM, PER, AMT, QTY) and their 2110 service lines (SVC,
//! DTM, CAS, REF, AMT, QTY, LQ), and finally PLB. Balancing checks are in
//! [`check_balance`](super::check_balance).
//!
//! This file is long because it reads the whole 835 transaction set, every loop and segment of
//! 005010X221A1, into typed values.

use serde::{Deserialize, Serialize};

use super::X12Error;
use super::codes::code_enum;
use super::common::{
    Address, AmountReference, Contact, DateReference, EntityName, ProcedureCode, QuantityReference,
    Reference, amount_with, date_with, reference_value,
};
use super::envelope::TransactionSet;
use super::reader::Segment;
use super::typed::{
    FieldProblem, ReadOutcome, SegmentIssue, Sets, missing_from_set, read_documents,
};
use super::values::{Amount, Date, DatePeriod, Quantity};

code_enum! {
    /// BPR01: transaction handling code.
    pub enum HandlingCode {
        PaymentWithRemittance = "C" => "payment accompanies remittance advice",
        PaymentOnly = "D" => "make payment only",
        NotificationOnly = "H" => "notification only",
        RemittanceOnly = "I" => "remittance information only",
        Prenotification = "P" => "prenotification of future transfers",
        SplitPaymentAndRemittance = "U" => "split payment and remittance",
        HandlingPartyOption = "X" => "handling party's option to split payment and remittance",
    }
}

code_enum! {
    /// BPR03: credit or debit flag.
    pub enum CreditDebit {
        Credit = "C" => "credit",
        Debit = "D" => "debit",
    }
}

code_enum! {
    /// BPR04: payment method code.
    pub enum PaymentMethod {
        AutomatedClearingHouse = "ACH" => "automated clearing house",
        FinancialInstitutionOption = "BOP" => "financial institution option",
        Check = "CHK" => "check",
        WireTransfer = "FWT" => "federal reserve funds/wire transfer, non-repetitive",
        NonPayment = "NON" => "non-payment data",
    }
}

code_enum! {
    /// CLP02: claim status code.
    pub enum ClaimStatusCode {
        ProcessedAsPrimary = "1" => "processed as primary",
        ProcessedAsSecondary = "2" => "processed as secondary",
        ProcessedAsTertiary = "3" => "processed as tertiary",
        Denied = "4" => "denied",
        PrimaryForwarded = "19" => "processed as primary, forwarded to additional payer(s)",
        SecondaryForwarded = "20" => "processed as secondary, forwarded to additional payer(s)",
        TertiaryForwarded = "21" => "processed as tertiary, forwarded to additional payer(s)",
        Reversal = "22" => "reversal of previous payment",
        NotOurClaimForwarded = "23" => "not our claim, forwarded to additional payer(s)",
        PredeterminationOnly = "25" => "predetermination pricing only, no payment",
    }
}

code_enum! {
    /// CAS01: claim adjustment group code.
    pub enum AdjustmentGroup {
        ContractualObligation = "CO" => "contractual obligations",
        CorrectionReversal = "CR" => "corrections and reversals",
        OtherAdjustment = "OA" => "other adjustments",
        PayerInitiated = "PI" => "payor initiated reductions",
        PatientResponsibility = "PR" => "patient responsibility",
    }
}

/// BPR: the financial information of the payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    /// BPR01: transaction handling code.
    pub handling: HandlingCode,
    /// BPR02: total actual provider payment amount.
    pub amount: Amount,
    /// BPR03: credit or debit.
    pub credit_debit: CreditDebit,
    /// BPR04: payment method.
    pub method: PaymentMethod,
    /// BPR05: payment format (`CCP` cash concentration/disbursement plus addenda, `CTX`).
    pub format: Option<String>,
    /// BPR06: sender DFI id number qualifier (`01` ABA routing, `04` SWIFT).
    pub sender_dfi_qualifier: Option<String>,
    /// BPR07: sender DFI (bank) identification number.
    pub sender_dfi_id: Option<String>,
    /// BPR08: sender account number qualifier (`DA` demand deposit).
    pub sender_account_qualifier: Option<String>,
    /// BPR09: sender bank account number.
    pub sender_account_number: Option<String>,
    /// BPR10: originating company identifier (payer tax id with a leading `1`).
    pub originating_company_id: Option<String>,
    /// BPR11: originating company supplemental code.
    pub originating_company_supplemental_code: Option<String>,
    /// BPR12: receiver DFI id number qualifier.
    pub receiver_dfi_qualifier: Option<String>,
    /// BPR13: receiver DFI (bank) identification number.
    pub receiver_dfi_id: Option<String>,
    /// BPR14: receiver account number qualifier.
    pub receiver_account_qualifier: Option<String>,
    /// BPR15: receiver bank account number.
    pub receiver_account_number: Option<String>,
    /// BPR16: check issue or EFT effective date; `None` when absent or not a real date.
    pub date: Option<Date>,
}

impl Payment {
    /// BPR02 with its sign: negative for a debit (BPR03 `D`, the provider owes the payer).
    pub fn signed_amount(&self) -> Amount {
        if self.credit_debit == CreditDebit::Debit {
            Amount::from_cents(0).saturating_sub(self.amount)
        } else {
            self.amount
        }
    }
}

/// TRN: the reassociation trace number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trace {
    /// TRN01: trace type code (`1` current transaction trace numbers).
    pub trace_type: String,
    /// TRN02: check or EFT trace number.
    pub reference: String,
    /// TRN03: payer identifier (`1` followed by the payer's tax id).
    pub originator: Option<String>,
    /// TRN04: originating company supplemental code.
    pub supplemental: Option<String>,
}

/// A payer or payee (N1 loop with its N3, N4, REF and PER).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    /// N101: entity identifier code (`PR` payer, `PE` payee).
    pub entity_code: String,
    /// N102: name.
    pub name: Option<String>,
    /// N103: identification code qualifier (`XX` NPI, `FI` tax id, `XV` CMS plan id).
    pub id_qualifier: Option<String>,
    /// N104: identification code.
    pub id: Option<String>,
    /// N3/N4 address.
    pub address: Address,
    /// REF additional identifications.
    pub references: Vec<Reference>,
    /// PER contacts (payer business, technical and web contacts).
    pub contacts: Vec<Contact>,
}

/// TS3: provider summary information of a header number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderSummary {
    /// TS301: provider identifier.
    pub provider_id: String,
    /// TS302: facility type code.
    pub facility_code: Option<String>,
    /// TS303: fiscal period end date.
    pub fiscal_period_end: Option<Date>,
    /// TS304: total claim count.
    pub claim_count: Option<Quantity>,
    /// TS305: total claim charge amount.
    pub total_charge: Option<Amount>,
    /// TS313: total MSP payer amount.
    pub msp_payer_amount: Option<Amount>,
    /// TS315: total non-lab charge amount.
    pub non_lab_charge: Option<Amount>,
    /// TS317: total HCPCS reported charge amount.
    pub hcpcs_reported_charge: Option<Amount>,
    /// TS318: total HCPCS payable amount.
    pub hcpcs_payable: Option<Amount>,
    /// TS320: total professional component amount.
    pub professional_component: Option<Amount>,
    /// TS321: total MSP patient liability met amount.
    pub msp_patient_liability_met: Option<Amount>,
    /// TS322: total patient reimbursement amount.
    pub patient_reimbursement: Option<Amount>,
    /// TS323: total PIP claim count.
    pub pip_claim_count: Option<Quantity>,
    /// TS324: total PIP adjustment amount.
    pub pip_adjustment: Option<Amount>,
}

/// TS2: provider supplemental summary information (institutional).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderSupplementalSummary {
    /// TS201: total DRG amount.
    pub drg_amount: Option<Amount>,
    /// TS202: total federal specific amount.
    pub federal_specific_amount: Option<Amount>,
    /// TS203: total hospital specific amount.
    pub hospital_specific_amount: Option<Amount>,
    /// TS204: total disproportionate share amount.
    pub disproportionate_share_amount: Option<Amount>,
    /// TS205: total capital amount.
    pub capital_amount: Option<Amount>,
    /// TS206: total indirect medical education amount.
    pub indirect_medical_education_amount: Option<Amount>,
    /// TS207: total outlier day count.
    pub outlier_day_count: Option<Quantity>,
    /// TS208: total day outlier amount.
    pub day_outlier_amount: Option<Amount>,
    /// TS209: total cost outlier amount.
    pub cost_outlier_amount: Option<Amount>,
    /// TS210: average DRG length of stay.
    pub average_drg_length_of_stay: Option<Quantity>,
    /// TS211: total discharge count.
    pub discharge_count: Option<Quantity>,
    /// TS212: total cost report day count.
    pub cost_report_day_count: Option<Quantity>,
    /// TS213: total covered day count.
    pub covered_day_count: Option<Quantity>,
    /// TS214: total noncovered day count.
    pub noncovered_day_count: Option<Quantity>,
    /// TS215: total MSP pass-through amount.
    pub msp_pass_through_amount: Option<Amount>,
    /// TS216: average DRG weight.
    pub average_drg_weight: Option<Quantity>,
    /// TS217: total PPS capital FSP DRG amount.
    pub pps_capital_fsp_drg_amount: Option<Amount>,
    /// TS218: total PPS capital HSP DRG amount.
    pub pps_capital_hsp_drg_amount: Option<Amount>,
    /// TS219: total PPS DSH DRG amount.
    pub pps_dsh_drg_amount: Option<Amount>,
}

/// One reason within a CAS segment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdjustmentReason {
    /// CAS02/05/08/11/14/17: claim adjustment reason code (CARC).
    pub reason_code: String,
    /// CAS03/06/09/12/15/18: adjustment amount.
    pub amount: Amount,
    /// CAS04/07/10/13/16/19: adjustment quantity.
    pub quantity: Option<Quantity>,
}

/// A CAS segment: one group code with up to six reasons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adjustment {
    /// CAS01: claim adjustment group code.
    pub group: AdjustmentGroup,
    /// The reason/amount/quantity triplets.
    pub reasons: Vec<AdjustmentReason>,
}

impl Adjustment {
    /// Sum of the adjustment amounts.
    pub fn total(&self) -> Amount {
        self.reasons.iter().map(|r| r.amount).sum()
    }
}

/// Sum of all amounts of a list of CAS segments.
pub(crate) fn adjustments_total(adjustments: &[Adjustment]) -> Amount {
    adjustments.iter().map(Adjustment::total).sum()
}

/// MIA: inpatient adjudication information.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InpatientAdjudication {
    /// MIA01: covered days or visits count.
    pub covered_days: Option<Quantity>,
    /// MIA02: PPS operating outlier amount.
    pub pps_operating_outlier_amount: Option<Amount>,
    /// MIA03: lifetime psychiatric days count.
    pub lifetime_psychiatric_days: Option<Quantity>,
    /// MIA04: claim DRG amount.
    pub drg_amount: Option<Amount>,
    /// MIA06: claim disproportionate share amount.
    pub disproportionate_share_amount: Option<Amount>,
    /// MIA07: claim MSP pass-through amount.
    pub msp_pass_through_amount: Option<Amount>,
    /// MIA08: claim PPS capital amount.
    pub pps_capital_amount: Option<Amount>,
    /// MIA09: PPS capital FSP DRG amount.
    pub pps_capital_fsp_drg_amount: Option<Amount>,
    /// MIA10: PPS capital HSP DRG amount.
    pub pps_capital_hsp_drg_amount: Option<Amount>,
    /// MIA11: PPS capital DSH DRG amount.
    pub pps_capital_dsh_drg_amount: Option<Amount>,
    /// MIA12: old capital amount.
    pub old_capital_amount: Option<Amount>,
    /// MIA13: PPS capital indirect medical education claim amount.
    pub pps_capital_ime_amount: Option<Amount>,
    /// MIA14: PPS operating hospital specific DRG amount.
    pub pps_operating_hospital_specific_drg_amount: Option<Amount>,
    /// MIA15: cost report day count.
    pub cost_report_day_count: Option<Quantity>,
    /// MIA16: PPS operating federal specific DRG amount.
    pub pps_operating_federal_specific_drg_amount: Option<Amount>,
    /// MIA17: claim PPS capital outlier amount.
    pub pps_capital_outlier_amount: Option<Amount>,
    /// MIA18: claim indirect teaching amount.
    pub indirect_teaching_amount: Option<Amount>,
    /// MIA19: nonpayable professional component amount.
    pub nonpayable_professional_component: Option<Amount>,
    /// MIA24: PPS capital exception amount.
    pub pps_capital_exception_amount: Option<Amount>,
    /// MIA05, MIA20-MIA23: claim payment remark codes.
    pub remark_codes: Vec<String>,
}

/// MOA: outpatient adjudication information.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutpatientAdjudication {
    /// MOA01: reimbursement rate (a fraction, e.g. 0.8).
    pub reimbursement_rate: Option<Quantity>,
    /// MOA02: HCPCS payable amount.
    pub hcpcs_payable_amount: Option<Amount>,
    /// MOA08: ESRD payment amount.
    pub esrd_payment_amount: Option<Amount>,
    /// MOA09: nonpayable professional component amount.
    pub nonpayable_professional_component: Option<Amount>,
    /// MOA03-MOA07: claim payment remark codes.
    pub remark_codes: Vec<String>,
}

/// LQ: a remark code of a service line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remark {
    /// LQ01: code list qualifier (`HE` remittance advice remark codes, `RX` NCPDP reject codes).
    pub qualifier: String,
    /// LQ02: the remark code (RARC).
    pub code: String,
}

/// Loop 2110: service payment information.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceLine {
    /// SVC01: adjudicated procedure (`HC:99213:25`...).
    pub procedure: ProcedureCode,
    /// SVC02: line item charge amount.
    pub charge: Amount,
    /// SVC03: line item provider payment amount.
    pub payment: Amount,
    /// SVC04: national uniform billing committee revenue code.
    pub revenue_code: Option<String>,
    /// SVC05: units of service paid.
    pub units_paid: Option<Quantity>,
    /// SVC06: submitted procedure, when different from SVC01.
    pub original_procedure: Option<ProcedureCode>,
    /// SVC07: original units of service.
    pub original_units: Option<Quantity>,
    /// DTM: service dates (`472` service, `150` period start, `151` period end).
    pub dates: Vec<DateReference>,
    /// CAS: line adjustments.
    pub adjustments: Vec<Adjustment>,
    /// REF: line identifications (`6R` line item control number, provider ids...).
    pub references: Vec<Reference>,
    /// AMT: line amounts (`B6` allowed...).
    pub amounts: Vec<AmountReference>,
    /// QTY: line quantities.
    pub quantities: Vec<QuantityReference>,
    /// LQ: health care remark codes.
    pub remarks: Vec<Remark>,
}

impl ServiceLine {
    /// REF*6R: the line item control number the provider sent in the 837.
    pub fn line_item_control_number(&self) -> Option<&str> {
        reference_value(&self.references, "6R")
    }

    /// AMT*B6: the allowed amount.
    pub fn allowed_amount(&self) -> Option<Amount> {
        amount_with(&self.amounts, "B6")
    }

    /// Service date (`472`) or period (`150` start, `151` end).
    pub fn service_period(&self) -> Option<DatePeriod> {
        date_with(&self.dates, "472").or_else(|| {
            let start = date_with(&self.dates, "150")?.start;
            let end = date_with(&self.dates, "151").map(|p| p.start);
            Some(DatePeriod { start, end })
        })
    }
}

/// Loop 2100: claim payment information.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimPayment {
    /// CLP01: patient control number (the provider's claim id, CLM01 of the 837).
    pub patient_control_number: String,
    /// CLP02: claim status.
    pub status: ClaimStatusCode,
    /// CLP03: total claim charge amount.
    pub total_charge: Amount,
    /// CLP04: claim payment amount.
    pub payment: Amount,
    /// CLP05: patient responsibility amount.
    pub patient_responsibility: Option<Amount>,
    /// CLP06: claim filing indicator code (`12` PPO, `MB` Medicare part B...).
    pub filing_indicator: Option<String>,
    /// CLP07: payer claim control number.
    pub payer_claim_control_number: Option<String>,
    /// CLP08: facility type code (place of service or type of bill facility code).
    pub facility_code: Option<String>,
    /// CLP09: claim frequency type code.
    pub frequency_code: Option<String>,
    /// CLP11: diagnosis related group code.
    pub drg_code: Option<String>,
    /// CLP12: DRG weight.
    pub drg_weight: Option<Quantity>,
    /// CLP13: discharge fraction (percentage as a fraction).
    pub discharge_fraction: Option<Quantity>,
    /// CLP14: yes/no condition or response code.
    pub condition_response: Option<String>,
    /// CAS: claim-level adjustments.
    pub adjustments: Vec<Adjustment>,
    /// NM1*QC: patient.
    pub patient: Option<EntityName>,
    /// NM1*IL: insured or subscriber.
    pub insured: Option<EntityName>,
    /// NM1*74: corrected patient or insured name.
    pub corrected_patient: Option<EntityName>,
    /// NM1*82: service provider (rendering).
    pub rendering_provider: Option<EntityName>,
    /// NM1*TT: crossover carrier.
    pub crossover_carrier: Option<EntityName>,
    /// NM1*PR: corrected priority payer.
    pub corrected_priority_payer: Option<EntityName>,
    /// NM1*GB: other subscriber.
    pub other_subscriber: Option<EntityName>,
    /// MIA: inpatient adjudication.
    pub inpatient: Option<InpatientAdjudication>,
    /// MOA: outpatient adjudication.
    pub outpatient: Option<OutpatientAdjudication>,
    /// REF: other claim identifiers.
    pub references: Vec<Reference>,
    /// DTM: claim dates (`232` statement from, `233` statement to, `050` received...).
    pub dates: Vec<DateReference>,
    /// PER: claim contact information.
    pub contacts: Vec<Contact>,
    /// AMT: claim supplemental amounts.
    pub amounts: Vec<AmountReference>,
    /// QTY: claim supplemental quantities.
    pub quantities: Vec<QuantityReference>,
    /// Loop 2110 service lines.
    pub lines: Vec<ServiceLine>,
}

impl ClaimPayment {
    /// DTM*232: claim statement period start.
    pub fn statement_from(&self) -> Option<Date> {
        date_with(&self.dates, "232").map(|p| p.start)
    }

    /// DTM*233: claim statement period end.
    pub fn statement_to(&self) -> Option<Date> {
        date_with(&self.dates, "233").map(|p| p.start)
    }

    /// DTM*050: date the payer received the claim.
    pub fn received_date(&self) -> Option<Date> {
        date_with(&self.dates, "050").map(|p| p.start)
    }

    fn party_slot(&mut self, entity_code: &str) -> Option<&mut Option<EntityName>> {
        Some(match entity_code {
            "QC" => &mut self.patient,
            "IL" => &mut self.insured,
            "74" => &mut self.corrected_patient,
            "82" => &mut self.rendering_provider,
            "TT" => &mut self.crossover_carrier,
            "PR" => &mut self.corrected_priority_payer,
            "GB" => &mut self.other_subscriber,
            _ => return None,
        })
    }
}

/// Loop 2000: a header number (LX) grouping claims, with its provider summaries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimGroup {
    /// LX01: assigned number; `None` for claims sent without an LX.
    pub number: Option<String>,
    /// TS3 provider summary.
    pub provider_summary: Option<ProviderSummary>,
    /// TS2 provider supplemental summary.
    pub supplemental_summary: Option<ProviderSupplementalSummary>,
    /// The claims of this header number.
    pub claims: Vec<ClaimPayment>,
}

/// One amount of a PLB segment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderAdjustmentAmount {
    /// PLB03-1 (05-1...): adjustment reason code (`WO` overpayment recovery, `L6` interest...).
    pub reason_code: String,
    /// PLB03-2: reference identification (e.g. the claim the recovery applies to).
    pub reference: Option<String>,
    /// PLB04 (06...): amount; positive reduces the payment, negative increases it.
    pub amount: Amount,
}

/// PLB: provider-level adjustment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderAdjustment {
    /// PLB01: provider identifier.
    pub provider_id: String,
    /// PLB02: fiscal period date.
    pub fiscal_period_end: Option<Date>,
    /// Up to six reason/amount pairs.
    pub amounts: Vec<ProviderAdjustmentAmount>,
}

/// One 835 transaction set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remittance {
    /// ST02.
    pub control_number: String,
    /// ST03.
    pub implementation_ref: Option<String>,
    /// BPR.
    pub payment: Payment,
    /// TRN.
    pub trace: Option<Trace>,
    /// CUR02: currency code, when not US dollars.
    pub currency: Option<String>,
    /// Header REF (`EV` receiver id, `F2` version).
    pub references: Vec<Reference>,
    /// Header DTM (`405` production date).
    pub dates: Vec<DateReference>,
    /// Loop 1000A payer.
    pub payer: Party,
    /// Loop 1000B payee.
    pub payee: Party,
    /// Loop 2000 header numbers with their claims.
    pub claim_groups: Vec<ClaimGroup>,
    /// PLB provider adjustments.
    pub provider_adjustments: Vec<ProviderAdjustment>,
}

impl Remittance {
    /// All claims, in order.
    pub fn claims(&self) -> impl Iterator<Item = &ClaimPayment> {
        self.claim_groups.iter().flat_map(|g| &g.claims)
    }
}

/// Reads every 835 transaction set of an interchange.
pub fn read_835(input: &[u8]) -> Result<ReadOutcome<Remittance>, X12Error> {
    read_documents(input, "835", read_remittance)
}

/// Reads the 835 transaction sets of an input one at a time, as [`Sets`] does: for files
/// too large to hold every remittance at once.
pub fn read_835_sets(input: &[u8]) -> Result<Sets<'_, Remittance>, X12Error> {
    Sets::new(input, "835", read_remittance)
}

/// Where the reader is within the transaction set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Area {
    Header,
    Payer,
    Payee,
    Claims,
    Line,
    Trailer,
}

impl Area {
    fn context(self) -> &'static str {
        match self {
            Area::Header => "in the 835 header",
            Area::Payer => "in the 835 payer loop (1000A)",
            Area::Payee => "in the 835 payee loop (1000B)",
            Area::Claims => "in an 835 claim (2000/2100)",
            Area::Line => "in an 835 service line (2110)",
            Area::Trailer => "after the 835 PLB",
        }
    }
}

/// Reader state of one 835 set.
struct RemittanceBuilder {
    area: Area,
    payment: Option<Payment>,
    trace: Option<Trace>,
    currency: Option<String>,
    references: Vec<Reference>,
    dates: Vec<DateReference>,
    payer: Option<Party>,
    payee: Option<Party>,
    claim_groups: Vec<ClaimGroup>,
    provider_adjustments: Vec<ProviderAdjustment>,
}

fn read_payment(
    segment: &Segment<'_>,
    warnings: &mut Vec<SegmentIssue>,
) -> Result<Payment, SegmentIssue> {
    Ok(Payment {
        handling: HandlingCode::from_code(
            &segment.required_string_at(1, "BPR01 transaction handling code")?,
        ),
        amount: segment.required_amount_at(2, "BPR02 total actual provider payment amount")?,
        credit_debit: CreditDebit::from_code(
            &segment.required_string_at(3, "BPR03 credit/debit flag code")?,
        ),
        method: PaymentMethod::from_code(
            &segment.required_string_at(4, "BPR04 payment method code")?,
        ),
        format: segment.string_at(5),
        sender_dfi_qualifier: segment.string_at(6),
        sender_dfi_id: segment.string_at(7),
        sender_account_qualifier: segment.string_at(8),
        sender_account_number: segment.string_at(9),
        originating_company_id: segment.string_at(10),
        originating_company_supplemental_code: segment.string_at(11),
        receiver_dfi_qualifier: segment.string_at(12),
        receiver_dfi_id: segment.string_at(13),
        receiver_account_qualifier: segment.string_at(14),
        receiver_account_number: segment.string_at(15),
        date: segment.date_at(16, warnings),
    })
}

fn read_trace(segment: &Segment<'_>) -> Result<Trace, SegmentIssue> {
    Ok(Trace {
        trace_type: segment.required_string_at(1, "TRN01 trace type code")?,
        reference: segment.required_string_at(2, "TRN02 check or EFT trace number")?,
        originator: segment.string_at(3),
        supplemental: segment.string_at(4),
    })
}

fn read_party(segment: &Segment<'_>) -> Party {
    Party {
        entity_code: segment.string_at(1).unwrap_or_default(),
        name: segment.string_at(2),
        id_qualifier: segment.string_at(3),
        id: segment.string_at(4),
        ..Party::default()
    }
}

fn read_adjustment(segment: &Segment<'_>) -> Result<Adjustment, SegmentIssue> {
    let group = AdjustmentGroup::from_code(
        &segment.required_string_at(1, "CAS01 claim adjustment group code")?,
    );
    let mut reasons = Vec::new();
    for first in [2, 5, 8, 11, 14, 17] {
        let Some(reason_code) = segment.string_at(first) else {
            continue;
        };
        reasons.push(AdjustmentReason {
            reason_code,
            amount: segment.required_amount_at(first + 1, "CAS adjustment amount")?,
            quantity: segment.quantity_at(first + 2)?,
        });
    }
    if reasons.is_empty() {
        let problem = FieldProblem::MissingElement {
            name: "CAS02 claim adjustment reason code".to_owned(),
        };
        return Err(segment.issue(Some(2), problem));
    }
    Ok(Adjustment { group, reasons })
}

fn read_claim(segment: &Segment<'_>) -> Result<ClaimPayment, SegmentIssue> {
    Ok(ClaimPayment {
        patient_control_number: segment.required_string_at(1, "CLP01 patient control number")?,
        status: ClaimStatusCode::from_code(
            &segment.required_string_at(2, "CLP02 claim status code")?,
        ),
        total_charge: segment.required_amount_at(3, "CLP03 total claim charge amount")?,
        payment: segment.required_amount_at(4, "CLP04 claim payment amount")?,
        patient_responsibility: segment.amount_at(5)?,
        filing_indicator: segment.string_at(6),
        payer_claim_control_number: segment.string_at(7),
        facility_code: segment.string_at(8),
        frequency_code: segment.string_at(9),
        drg_code: segment.string_at(11),
        drg_weight: segment.quantity_at(12)?,
        discharge_fraction: segment.quantity_at(13)?,
        condition_response: segment.string_at(14),
        adjustments: Vec::new(),
        patient: None,
        insured: None,
        corrected_patient: None,
        rendering_provider: None,
        crossover_carrier: None,
        corrected_priority_payer: None,
        other_subscriber: None,
        inpatient: None,
        outpatient: None,
        references: Vec::new(),
        dates: Vec::new(),
        contacts: Vec::new(),
        amounts: Vec::new(),
        quantities: Vec::new(),
        lines: Vec::new(),
    })
}

fn read_service_line(segment: &Segment<'_>) -> Result<ServiceLine, SegmentIssue> {
    let procedure = ProcedureCode::from_element(segment.element(1)).ok_or_else(|| {
        let name = "SVC01 composite medical procedure identifier".to_owned();
        segment.issue(Some(1), FieldProblem::MissingElement { name })
    })?;
    Ok(ServiceLine {
        procedure,
        charge: segment.required_amount_at(2, "SVC02 line item charge amount")?,
        payment: segment.required_amount_at(3, "SVC03 line item provider payment amount")?,
        revenue_code: segment.string_at(4),
        units_paid: segment.quantity_at(5)?,
        original_procedure: ProcedureCode::from_element(segment.element(6)),
        original_units: segment.quantity_at(7)?,
        dates: Vec::new(),
        adjustments: Vec::new(),
        references: Vec::new(),
        amounts: Vec::new(),
        quantities: Vec::new(),
        remarks: Vec::new(),
    })
}

fn read_provider_summary(
    segment: &Segment<'_>,
    warnings: &mut Vec<SegmentIssue>,
) -> Result<ProviderSummary, SegmentIssue> {
    Ok(ProviderSummary {
        provider_id: segment.required_string_at(1, "TS301 provider identifier")?,
        facility_code: segment.string_at(2),
        fiscal_period_end: segment.date_at(3, warnings),
        claim_count: segment.quantity_at(4)?,
        total_charge: segment.amount_at(5)?,
        msp_payer_amount: segment.amount_at(13)?,
        non_lab_charge: segment.amount_at(15)?,
        hcpcs_reported_charge: segment.amount_at(17)?,
        hcpcs_payable: segment.amount_at(18)?,
        professional_component: segment.amount_at(20)?,
        msp_patient_liability_met: segment.amount_at(21)?,
        patient_reimbursement: segment.amount_at(22)?,
        pip_claim_count: segment.quantity_at(23)?,
        pip_adjustment: segment.amount_at(24)?,
    })
}

fn read_supplemental_summary(
    segment: &Segment<'_>,
) -> Result<ProviderSupplementalSummary, SegmentIssue> {
    Ok(ProviderSupplementalSummary {
        drg_amount: segment.amount_at(1)?,
        federal_specific_amount: segment.amount_at(2)?,
        hospital_specific_amount: segment.amount_at(3)?,
        disproportionate_share_amount: segment.amount_at(4)?,
        capital_amount: segment.amount_at(5)?,
        indirect_medical_education_amount: segment.amount_at(6)?,
        outlier_day_count: segment.quantity_at(7)?,
        day_outlier_amount: segment.amount_at(8)?,
        cost_outlier_amount: segment.amount_at(9)?,
        average_drg_length_of_stay: segment.quantity_at(10)?,
        discharge_count: segment.quantity_at(11)?,
        cost_report_day_count: segment.quantity_at(12)?,
        covered_day_count: segment.quantity_at(13)?,
        noncovered_day_count: segment.quantity_at(14)?,
        msp_pass_through_amount: segment.amount_at(15)?,
        average_drg_weight: segment.quantity_at(16)?,
        pps_capital_fsp_drg_amount: segment.amount_at(17)?,
        pps_capital_hsp_drg_amount: segment.amount_at(18)?,
        pps_dsh_drg_amount: segment.amount_at(19)?,
    })
}

fn read_inpatient(segment: &Segment<'_>) -> Result<InpatientAdjudication, SegmentIssue> {
    Ok(InpatientAdjudication {
        covered_days: segment.quantity_at(1)?,
        pps_operating_outlier_amount: segment.amount_at(2)?,
        lifetime_psychiatric_days: segment.quantity_at(3)?,
        drg_amount: segment.amount_at(4)?,
        disproportionate_share_amount: segment.amount_at(6)?,
        msp_pass_through_amount: segment.amount_at(7)?,
        pps_capital_amount: segment.amount_at(8)?,
        pps_capital_fsp_drg_amount: segment.amount_at(9)?,
        pps_capital_hsp_drg_amount: segment.amount_at(10)?,
        pps_capital_dsh_drg_amount: segment.amount_at(11)?,
        old_capital_amount: segment.amount_at(12)?,
        pps_capital_ime_amount: segment.amount_at(13)?,
        pps_operating_hospital_specific_drg_amount: segment.amount_at(14)?,
        cost_report_day_count: segment.quantity_at(15)?,
        pps_operating_federal_specific_drg_amount: segment.amount_at(16)?,
        pps_capital_outlier_amount: segment.amount_at(17)?,
        indirect_teaching_amount: segment.amount_at(18)?,
        nonpayable_professional_component: segment.amount_at(19)?,
        pps_capital_exception_amount: segment.amount_at(24)?,
        remark_codes: [5, 20, 21, 22, 23]
            .into_iter()
            .filter_map(|p| segment.string_at(p))
            .collect(),
    })
}

fn read_outpatient(segment: &Segment<'_>) -> Result<OutpatientAdjudication, SegmentIssue> {
    Ok(OutpatientAdjudication {
        reimbursement_rate: segment.quantity_at(1)?,
        hcpcs_payable_amount: segment.amount_at(2)?,
        esrd_payment_amount: segment.amount_at(8)?,
        nonpayable_professional_component: segment.amount_at(9)?,
        remark_codes: (3..=7).filter_map(|p| segment.string_at(p)).collect(),
    })
}

fn read_remark(segment: &Segment<'_>) -> Result<Remark, SegmentIssue> {
    Ok(Remark {
        qualifier: segment.required_string_at(1, "LQ01 code list qualifier code")?,
        code: segment.required_string_at(2, "LQ02 remark code")?,
    })
}

fn read_provider_adjustment(
    segment: &Segment<'_>,
    warnings: &mut Vec<SegmentIssue>,
) -> Result<ProviderAdjustment, SegmentIssue> {
    let mut amounts = Vec::new();
    for first in [3, 5, 7, 9, 11, 13] {
        let Some(reason_code) = segment.component_string_at(first, 1) else {
            continue;
        };
        amounts.push(ProviderAdjustmentAmount {
            reason_code,
            reference: segment.component_string_at(first, 2),
            amount: segment.required_amount_at(first + 1, "PLB provider adjustment amount")?,
        });
    }
    Ok(ProviderAdjustment {
        provider_id: segment.required_string_at(1, "PLB01 provider identifier")?,
        fiscal_period_end: segment.date_at(2, warnings),
        amounts,
    })
}

impl RemittanceBuilder {
    fn new() -> Self {
        RemittanceBuilder {
            area: Area::Header,
            payment: None,
            trace: None,
            currency: None,
            references: Vec::new(),
            dates: Vec::new(),
            payer: None,
            payee: None,
            claim_groups: Vec::new(),
            provider_adjustments: Vec::new(),
        }
    }

    /// Adds a claim to the current header number, opening one when claims come without LX.
    fn push_claim(&mut self, claim: ClaimPayment) {
        match self.claim_groups.last_mut() {
            Some(group) => group.claims.push(claim),
            None => self.claim_groups.push(ClaimGroup {
                claims: vec![claim],
                ..ClaimGroup::default()
            }),
        }
    }

    fn current_claim(&mut self) -> Option<&mut ClaimPayment> {
        self.claim_groups
            .last_mut()
            .and_then(|g| g.claims.last_mut())
    }

    fn current_line(&mut self) -> Option<&mut ServiceLine> {
        self.current_claim().and_then(|c| c.lines.last_mut())
    }

    fn current_party(&mut self) -> Option<&mut Party> {
        match self.area {
            Area::Payer => self.payer.as_mut(),
            Area::Payee => self.payee.as_mut(),
            _ => None,
        }
    }

    /// Applies one segment; returns `false` when it does not belong where it appears.
    fn apply(
        &mut self,
        segment: &Segment<'_>,
        warnings: &mut Vec<SegmentIssue>,
    ) -> Result<bool, SegmentIssue> {
        let area = self.area;
        match (segment.id(), area) {
            ("ST" | "SE", _) => {}
            ("BPR", Area::Header) => self.payment = Some(read_payment(segment, warnings)?),
            ("TRN", Area::Header) => self.trace = Some(read_trace(segment)?),
            ("CUR", Area::Header) => self.currency = segment.string_at(2),
            ("REF", Area::Header) => self.references.push(Reference::from_ref(segment)?),
            ("DTM", Area::Header) => self.dates.push(DateReference::from_dtm(segment, warnings)?),
            ("N1", Area::Header | Area::Payer | Area::Payee) => match segment.text(1).as_deref() {
                Some("PR") => {
                    self.payer = Some(read_party(segment));
                    self.area = Area::Payer;
                }
                Some("PE") => {
                    self.payee = Some(read_party(segment));
                    self.area = Area::Payee;
                }
                _ => return Ok(false),
            },
            ("N3", Area::Payer | Area::Payee) => {
                if let Some(party) = self.current_party() {
                    party.address.add_n3(segment);
                }
            }
            ("N4", Area::Payer | Area::Payee) => {
                if let Some(party) = self.current_party() {
                    party.address.add_n4(segment);
                }
            }
            ("REF", Area::Payer | Area::Payee) => {
                let reference = Reference::from_ref(segment)?;
                if let Some(party) = self.current_party() {
                    party.references.push(reference);
                }
            }
            ("PER", Area::Payer) => {
                let contact = Contact::from_per(segment)?;
                if let Some(party) = self.current_party() {
                    party.contacts.push(contact);
                }
            }
            ("LX", Area::Payer | Area::Payee | Area::Claims | Area::Line) => {
                self.claim_groups.push(ClaimGroup {
                    number: segment.string_at(1),
                    ..ClaimGroup::default()
                });
                self.area = Area::Claims;
            }
            ("TS3", Area::Claims) => {
                let summary = read_provider_summary(segment, warnings)?;
                let Some(group) = self.claim_groups.last_mut() else {
                    return Ok(false);
                };
                group.provider_summary = Some(summary);
            }
            ("TS2", Area::Claims) => {
                let summary = read_supplemental_summary(segment)?;
                let Some(group) = self.claim_groups.last_mut() else {
                    return Ok(false);
                };
                group.supplemental_summary = Some(summary);
            }
            ("CLP", Area::Payer | Area::Payee | Area::Claims | Area::Line) => {
                self.push_claim(read_claim(segment)?);
                self.area = Area::Claims;
            }
            ("SVC", Area::Claims | Area::Line) => {
                let line = read_service_line(segment)?;
                let Some(claim) = self.current_claim() else {
                    return Ok(false);
                };
                claim.lines.push(line);
                self.area = Area::Line;
            }
            ("PLB", _) => {
                self.provider_adjustments
                    .push(read_provider_adjustment(segment, warnings)?);
                self.area = Area::Trailer;
            }
            (_, Area::Claims) => return self.apply_to_claim(segment, warnings),
            (_, Area::Line) => return self.apply_to_line(segment, warnings),
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn apply_to_claim(
        &mut self,
        segment: &Segment<'_>,
        warnings: &mut Vec<SegmentIssue>,
    ) -> Result<bool, SegmentIssue> {
        let Some(claim) = self.current_claim() else {
            return Ok(false);
        };
        match segment.id() {
            "CAS" => claim.adjustments.push(read_adjustment(segment)?),
            "NM1" => {
                let name = EntityName::from_nm1(segment);
                let Some(slot) = claim.party_slot(&name.entity_code) else {
                    return Ok(false);
                };
                *slot = Some(name);
            }
            "MIA" => claim.inpatient = Some(read_inpatient(segment)?),
            "MOA" => claim.outpatient = Some(read_outpatient(segment)?),
            "REF" => claim.references.push(Reference::from_ref(segment)?),
            "DTM" => claim
                .dates
                .push(DateReference::from_dtm(segment, warnings)?),
            "PER" => claim.contacts.push(Contact::from_per(segment)?),
            "AMT" => claim.amounts.push(AmountReference::from_amt(segment)?),
            "QTY" => claim.quantities.push(QuantityReference::from_qty(segment)?),
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn apply_to_line(
        &mut self,
        segment: &Segment<'_>,
        warnings: &mut Vec<SegmentIssue>,
    ) -> Result<bool, SegmentIssue> {
        let Some(line) = self.current_line() else {
            return Ok(false);
        };
        match segment.id() {
            "DTM" => line.dates.push(DateReference::from_dtm(segment, warnings)?),
            "CAS" => line.adjustments.push(read_adjustment(segment)?),
            "REF" => line.references.push(Reference::from_ref(segment)?),
            "AMT" => line.amounts.push(AmountReference::from_amt(segment)?),
            "QTY" => line.quantities.push(QuantityReference::from_qty(segment)?),
            "LQ" => line.remarks.push(read_remark(segment)?),
            _ => return Ok(false),
        }
        Ok(true)
    }
}

fn read_remittance(
    set: &TransactionSet,
    segments: &[Segment<'_>],
    warnings: &mut Vec<SegmentIssue>,
) -> Result<Remittance, SegmentIssue> {
    let mut builder = RemittanceBuilder::new();
    for segment in segments {
        let context = builder.area.context();
        if !builder.apply(segment, warnings)? {
            let context = context.to_owned();
            warnings.push(segment.issue(None, FieldProblem::UnexpectedSegment { context }));
        }
    }
    let payment = builder
        .payment
        .ok_or_else(|| missing_from_set(set, "BPR"))?;
    let mut party_or_warn = |party: Option<Party>, name: &str| {
        party.unwrap_or_else(|| {
            warnings.push(missing_from_set(set, name));
            Party::default()
        })
    };
    let payer = party_or_warn(builder.payer, "N1*PR (1000A payer)");
    let payee = party_or_warn(builder.payee, "N1*PE (1000B payee)");
    Ok(Remittance {
        control_number: set.control_number.clone(),
        implementation_ref: set.implementation_ref.clone(),
        payment,
        trace: builder.trace,
        currency: builder.currency,
        references: builder.references,
        dates: builder.dates,
        payer,
        payee,
        claim_groups: builder.claim_groups,
        provider_adjustments: builder.provider_adjustments,
    })
}
