//! Reading claims back out of an 837P or 837I: for each CLM, the claim id, charge, frequency,
//! payer claim number, the subscriber's member id, diagnoses and service lines. Enough to check
//! that what we send says what we meant, and to look into a file a payer returns.

use serde::{Deserialize, Serialize};

use super::reader::{TokenizeError, Tokenizer};
use super::typed::SegmentIssue;
use super::values::{Amount, Date, Quantity};

/// Why an 837 could not be read.
#[derive(Debug, thiserror::Error)]
pub enum Read837Error {
    /// The input could not be split into segments.
    #[error(transparent)]
    Tokenize(#[from] TokenizeError),
    /// A segment does not read.
    #[error("segment {ordinal} ({segment}): {reason}")]
    Invalid {
        /// 1-based segment ordinal.
        ordinal: usize,
        /// Segment id.
        segment: String,
        /// What is wrong.
        reason: String,
    },
}

/// One service line as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadLine {
    /// SV2 revenue code (837I).
    pub revenue_code: Option<String>,
    /// Procedure code (SV101-2 / SV202-2).
    pub procedure_code: String,
    /// Modifiers (SV101-3..6 / SV202-3..6).
    pub modifiers: Vec<String>,
    /// Line charge.
    pub charge: Amount,
    /// Units.
    pub units: Quantity,
    /// DTP*472 service date (the first day of a period).
    pub service_date: Option<Date>,
    /// REF*6R line item control number.
    pub line_control_number: Option<String>,
}

/// One claim as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadClaim {
    /// CLM01.
    pub claim_id: String,
    /// CLM02.
    pub total_charge: Amount,
    /// CLM05-3.
    pub frequency_code: String,
    /// REF*F8.
    pub payer_claim_number: Option<String>,
    /// REF*G1: the payer's prior authorization number.
    pub prior_authorization: Option<String>,
    /// NM109 of the subscriber (NM1*IL) the claim sits under.
    pub member_id: String,
    /// The patient's family and given name (NM1*QC, else the subscriber's NM1*IL).
    pub patient_name: (String, String),
    /// CLM05-1: place of service or facility type code.
    pub facility_code: String,
    /// The billing provider (NM1*85) the claim sits under.
    pub billing_provider: ReadProvider,
    /// The diagnosis codes of the HI segments, in order, without their qualifiers: principal
    /// (ABK, BK), other (ABF, BF), admitting (ABJ, BJ), patient's reason for visit (APR, PR; ZZ
    /// in a 4010 group) and external cause of injury (ABN, BN). HI also carries procedures,
    /// occurrence, value and condition codes, which are not diagnoses and are left out.
    pub diagnoses: Vec<String>,
    /// Service lines.
    pub lines: Vec<ReadLine>,
}

/// A billing provider as an 837 names it (2010AA NM1*85).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadProvider {
    /// NM103: the organization's name (or the person's family name).
    pub name: String,
    /// NM108: the id's qualifier (`XX` for an NPI).
    pub id_qualifier: String,
    /// NM109: the id.
    pub id: String,
}

fn invalid(ordinal: usize, id: &str, reason: String) -> Read837Error {
    Read837Error::Invalid {
        ordinal,
        segment: id.to_string(),
        reason,
    }
}

/// The claims of an 837 and what was noticed while reading them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Read837 {
    /// Every claim, in order.
    pub claims: Vec<ReadClaim>,
    /// What was read differently from what the interchange declares: composites that use
    /// another component separator than ISA16 (see
    /// [`Tokenizer::warnings`](super::Tokenizer::warnings)).
    pub warnings: Vec<SegmentIssue>,
}

/// Reads every claim of an 837 input, in order, through every interchange it holds.
pub fn read_837_claims(input: &[u8]) -> Result<Vec<ReadClaim>, Read837Error> {
    read_837(input).map(|read| read.claims)
}

/// Whether an HI composite with qualifier (HI0x-1) `qualifier` holds a diagnosis, in a
/// functional group of version (GS08) `version`: principal (ABK, BK), other (ABF, BF),
/// admitting (ABJ, BJ), patient's reason for visit (APR, PR) and external cause of injury (ABN,
/// BN) diagnoses, ICD-10-CM and ICD-9-CM; and in a 4010 group ZZ, which the 4010 837I uses for
/// the patient's reason for visit. Procedure codes (BBR, BBQ, BR, BQ, BP, BO, CAH...),
/// occurrence codes and spans (BH, BI), value codes (BE), condition codes (BG), the DRG (DR) and
/// treatment codes (TC) are not diagnoses.
fn is_diagnosis_qualifier(qualifier: &str, version: &str) -> bool {
    matches!(
        qualifier,
        "ABK" | "BK" | "ABF" | "BF" | "ABJ" | "BJ" | "APR" | "PR" | "ABN" | "BN"
    ) || (qualifier == "ZZ" && version.starts_with("004010"))
}

/// Reads every claim of an 837 input, in order, through every interchange it holds, with the
/// warnings.
pub fn read_837(input: &[u8]) -> Result<Read837, Read837Error> {
    let mut claims: Vec<ReadClaim> = Vec::new();
    let mut version = String::new();
    let mut member_id = String::new();
    let mut patient_name = (String::new(), String::new());
    let mut billing_provider = ReadProvider::default();
    let mut tokenizer = Tokenizer::new(input)?;
    for segment in tokenizer.by_ref() {
        let segment = segment?;
        let text = |n: usize| segment.text(n).map(|t| t.into_owned()).unwrap_or_default();
        let amount = |n: usize| {
            Amount::parse(&text(n))
                .map_err(|err| invalid(segment.ordinal(), segment.id(), err.to_string()))
        };
        match segment.id() {
            "GS" => version = text(8),
            "NM1" if text(1) == "IL" => {
                member_id = text(9);
                patient_name = (text(3), text(4));
            }
            "NM1" if text(1) == "QC" => patient_name = (text(3), text(4)),
            "NM1" if text(1) == "85" => {
                billing_provider = ReadProvider {
                    name: text(3),
                    id_qualifier: text(8),
                    id: text(9),
                };
            }
            "CLM" => claims.push(ReadClaim {
                claim_id: text(1),
                total_charge: amount(2)?,
                frequency_code: segment
                    .element(5)
                    .and_then(|e| e.component_text(3).map(|t| t.into_owned()))
                    .unwrap_or_default(),
                payer_claim_number: None,
                prior_authorization: None,
                member_id: member_id.clone(),
                patient_name: patient_name.clone(),
                facility_code: segment
                    .element(5)
                    .and_then(|e| e.component_text(1).map(|t| t.into_owned()))
                    .unwrap_or_default(),
                billing_provider: billing_provider.clone(),
                diagnoses: Vec::new(),
                lines: Vec::new(),
            }),
            "DTP" if text(1) == "472" => {
                let start = text(3).chars().take(8).collect::<String>();
                let date = Date::parse_ccyymmdd(&start)
                    .map_err(|err| invalid(segment.ordinal(), "DTP", err.to_string()))?;
                if let Some(line) = claims.last_mut().and_then(|c| c.lines.last_mut()) {
                    line.service_date = Some(date);
                }
            }
            "REF" if text(1) == "6R" => {
                if let Some(line) = claims.last_mut().and_then(|c| c.lines.last_mut()) {
                    line.line_control_number = Some(text(2));
                }
            }
            "REF" if text(1) == "F8" => {
                if let Some(claim) = claims.last_mut() {
                    claim.payer_claim_number = Some(text(2));
                }
            }
            "REF" if text(1) == "G1" => {
                if let Some(claim) = claims.last_mut() {
                    claim.prior_authorization = Some(text(2));
                }
            }
            "HI" => {
                if let Some(claim) = claims.last_mut() {
                    for element in segment.elements() {
                        let qualifier = element.component_text(1).unwrap_or_default();
                        if let Some(code) = element.component_text(2)
                            && is_diagnosis_qualifier(&qualifier, &version)
                        {
                            claim.diagnoses.push(code.into_owned());
                        }
                    }
                }
            }
            id @ ("SV1" | "SV2") => {
                let (procedure_at, charge_at, units_at) =
                    if id == "SV1" { (1, 2, 4) } else { (2, 3, 5) };
                let procedure = segment
                    .element(procedure_at)
                    .ok_or_else(|| invalid(segment.ordinal(), id, "no procedure".into()))?;
                let components: Vec<String> = procedure
                    .components()
                    .map(|c| String::from_utf8_lossy(c).into_owned())
                    .collect();
                let units = Quantity::parse(&text(units_at))
                    .map_err(|err| invalid(segment.ordinal(), id, err.to_string()))?;
                let line = ReadLine {
                    revenue_code: (id == "SV2").then(|| text(1)).filter(|r| !r.is_empty()),
                    procedure_code: components.get(1).cloned().unwrap_or_default(),
                    modifiers: components
                        .iter()
                        .skip(2)
                        .filter(|m| !m.is_empty())
                        .cloned()
                        .collect(),
                    charge: amount(charge_at)?,
                    units,
                    service_date: None,
                    line_control_number: None,
                };
                let claim = claims.last_mut().ok_or_else(|| {
                    invalid(
                        segment.ordinal(),
                        id,
                        "a service line before any CLM".into(),
                    )
                })?;
                claim.lines.push(line);
            }
            _ => {}
        }
    }
    Ok(Read837 {
        claims,
        warnings: tokenizer.warnings().to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An 837 interchange of ISA version 00501 and GS08 `version`, whose one claim is followed
    /// by `hi`.
    fn claim_with(version: &str, hi: &str) -> Vec<u8> {
        let count = 4 + hi.matches('~').count();
        let isa = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *210101*1030*^*00501*000000001*0*P*:~";
        format!(
            "{isa}GS*HC*A*B*20210101*1030*1*X*{version}~ST*837*0001~\
             NM1*IL*1*DOE*JOHN****MI*M1~CLM*C1*100***13:A:1~{hi}SE*{count}*0001~GE*1*1~IEA*1*000000001~"
        )
        .into_bytes()
    }

    fn diagnoses_of(input: &[u8]) -> Vec<String> {
        let claims = read_837_claims(input).expect("reads");
        claims.into_iter().flat_map(|c| c.diagnoses).collect()
    }

    #[test]
    fn only_diagnosis_qualifiers_are_diagnoses() {
        // The HI segments of x12/837i-4010-group-in-5010-interchange.x12 (corpus): diagnoses,
        // then an ICD-9 procedure (BQ), occurrence codes (BH), a value code (BE) and a condition
        // code (BG).
        let hi = "HI*BK:366.9~HI*BF:401.9*BF:794.31~HI*BQ:15.3:D8:19960911~\
                  HI*BH:A1:D8:19261111*BH:A2:D8:19911101*BH:B1:D8:19261111*BH:B2:D8:19870101~\
                  HI*BE:A2:::15.31~HI*BG:09~";
        let input = claim_with("004010X096A1", hi);
        assert_eq!(diagnoses_of(&input), ["366.9", "401.9", "794.31"]);
    }

    #[test]
    fn every_diagnosis_qualifier_of_5010_and_4010_is_read() {
        let hi = "HI*ABK:J449*ABF:R05*ABJ:R0602*APR:R509*ABN:W010XXA~\
                  HI*BK:4660*BF:7862*BJ:78650*PR:7806*BN:E8889~\
                  HI*BBR:0BH17EZ:D8:20240101*BBQ:0BJ08ZZ*CAH:99*BI:70:RD8:20240101-20240102~\
                  HI*DR:193*TC:A1*BR:9671*BP:99213*BO:99214*ZZ:7806~";
        let input = claim_with("005010X223A2", hi);
        assert_eq!(
            diagnoses_of(&input),
            [
                "J449", "R05", "R0602", "R509", "W010XXA", "4660", "7862", "78650", "7806", "E8889"
            ]
        );
        // ZZ, mutually defined, is the 4010 837I's patient's reason for visit.
        let input = claim_with("004010X096A1", "HI*BK:4660*ZZ:7806*BG:09~");
        assert_eq!(diagnoses_of(&input), ["4660", "7806"]);
    }
}
