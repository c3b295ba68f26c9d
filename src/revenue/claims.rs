//! Claim submission: bills become 837 claims, batched into one interchange per payer with
//! control numbers that are never reused, and handed to the payer's outbound channel.

use serde::Serialize;

use super::{Handover, RevenueError};
use crate::config::engine::BillingConfig;
use crate::config::payer::PayerConfig;
use crate::store::Store;
use crate::store::claims::{ClaimSource, ClaimView, NewBatch, NewClaim, StatusChange};
use crate::x12::{
    self, Amount, ClaimBatch, ClaimEnvelope, ClaimKind, ClaimLine, ClaimProvider, Date, Gender,
    PersonName, PostalAddress, Quantity, SingleSetEnvelope, SubscriberClaims, Time, UsageIndicator,
};

/// A bill that could not become a claim, and what to fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Refusal {
    /// The bill.
    pub bill_id: i64,
    /// Each problem: field and what is wrong.
    pub problems: Vec<String>,
}

/// What one submission did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SubmitReport {
    /// The payer.
    pub payer_id: String,
    /// The batch, when claims were sent.
    pub batch_id: Option<i64>,
    /// ISA13 of the interchange.
    pub interchange_control_number: Option<i64>,
    /// The 837 as a message of the payer's channel.
    pub message_id: Option<i64>,
    /// Claim numbers submitted.
    pub submitted: Vec<String>,
    /// Bills refused, with what to fix.
    pub refused: Vec<Refusal>,
}

fn name_of(family: Option<&str>, given: Option<&str>) -> PersonName {
    PersonName {
        last: family.unwrap_or_default().to_string(),
        first: given.map(str::to_string),
        middle: None,
        suffix: None,
    }
}

/// The date of a `YYYY-MM-DD...` text.
pub(super) fn date_of(text: &str) -> Option<Date> {
    let mut parts = text.get(..10)?.split('-');
    let year = parts.next()?.parse().ok()?;
    let month = parts.next()?.parse().ok()?;
    let day = parts.next()?.parse().ok()?;
    Date::new(year, month, day)
}

fn gender_of(text: Option<&str>) -> Option<Gender> {
    match text? {
        "male" => Some(Gender::Male),
        "female" => Some(Gender::Female),
        _ => Some(Gender::Unknown),
    }
}

/// ICD-10 codes go on claims without their dot.
fn icd(code: &str) -> String {
    code.replace('.', "")
}

/// SBR02 / PAT01 individual relationship code for our relationship names.
fn relationship_code(relationship: Option<&str>) -> &'static str {
    match relationship {
        None | Some("self") => "18",
        Some("spouse") => "01",
        Some("child") => "19",
        Some(_) => "G8",
    }
}

/// Whether a claim is new, or replaces or voids one the payer already has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frequency {
    /// CLM05-3: `1` original, `7` replacement, `8` void.
    pub code: &'static str,
    /// The payer's claim number of the claim replaced or voided.
    pub original: Option<String>,
}

impl Frequency {
    /// A first submission.
    pub const ORIGINAL: Frequency = Frequency {
        code: "1",
        original: None,
    };
}

/// The number of an approved prior authorization for a line of `source` whose procedure
/// `payer`'s contract pays only with one, for the member and valid on the line's date of
/// service: what the claim carries in REF*G1.
async fn authorization_of(
    store: &Store,
    payer: &PayerConfig,
    source: &ClaimSource,
) -> Result<Option<String>, RevenueError> {
    let Some(contract) = &payer.contract else {
        return Ok(None);
    };
    for line in &source.lines {
        if !contract.needs_authorization(&line.procedure_code) {
            continue;
        }
        let number = store
            .approved_authorization(
                &payer.payer_id,
                &source.member_id,
                &line.procedure_code,
                &line.service_date,
            )
            .await?;
        if number.is_some() {
            return Ok(number);
        }
    }
    Ok(None)
}

/// The 2000B loop of one bill: subscriber, payer and its one claim.
fn subscriber_claims(
    source: &ClaimSource,
    claim_id: &str,
    kind: ClaimKind,
    payer: &PayerConfig,
    (frequency, authorization): (&Frequency, Option<&String>),
) -> SubscriberClaims {
    let patient = &source.patient;
    let mut diagnoses: Vec<String> = Vec::new();
    for code in source
        .diagnoses
        .iter()
        .chain(source.lines.iter().flat_map(|l| &l.diagnosis_codes))
    {
        let code = icd(code);
        if !diagnoses.contains(&code) {
            diagnoses.push(code);
        }
    }
    let lines = source
        .lines
        .iter()
        .map(|line| {
            let pointers: Vec<usize> = line
                .diagnosis_codes
                .iter()
                .filter_map(|code| {
                    diagnoses
                        .iter()
                        .position(|d| *d == icd(code))
                        .map(|i| i + 1)
                })
                .take(4)
                .collect();
            ClaimLine {
                revenue_code: line.revenue_code.clone(),
                procedure_code: line.procedure_code.clone(),
                modifiers: line.modifiers.clone(),
                charge: Amount::from_cents(line.charge_cents),
                units: Quantity(line.units_thousandths.saturating_mul(1000)),
                place_of_service: None,
                diagnosis_pointers: if pointers.is_empty() && !diagnoses.is_empty() {
                    vec![1]
                } else {
                    pointers
                },
                service_date: date_of(&line.service_date),
                line_control_number: Some(line.bill_line_id.to_string()),
            }
        })
        .collect();
    let address = match (
        &patient.address_line,
        &patient.city,
        &patient.state,
        &patient.postal_code,
    ) {
        (Some(line), Some(city), Some(state), Some(zip)) => Some(PostalAddress {
            line1: line.clone(),
            line2: None,
            city: city.trim().to_string(),
            state: state.clone(),
            postal_code: zip.clone(),
        }),
        _ => None,
    };
    let is_subscriber = matches!(source.relationship.as_deref(), None | Some("self"));
    let patient_name = name_of(
        patient.family_name.as_deref(),
        patient.given_name.as_deref(),
    );
    let subscriber_name = match (&source.subscriber_name, is_subscriber) {
        (Some(name), false) => {
            let mut parts = name.rsplitn(2, ' ');
            let last = parts.next().unwrap_or_default();
            name_of(Some(last), parts.next())
        }
        _ => patient_name.clone(),
    };
    SubscriberClaims {
        subscriber: x12::Subscriber {
            payer_responsibility: "P".to_string(),
            group_number: source.group_number.clone(),
            claim_filing_indicator: payer.claim_filing_indicator.clone(),
            member_id: source.member_id.clone(),
            name: subscriber_name,
            date_of_birth: if is_subscriber {
                patient.birth_date.as_deref().and_then(date_of)
            } else {
                None
            },
            gender: if is_subscriber {
                gender_of(patient.gender.as_deref())
            } else {
                None
            },
            address: if is_subscriber { address.clone() } else { None },
        },
        payer: x12::Payer {
            name: payer.name.clone(),
            id: payer.payer_id.clone(),
        },
        patient: (!is_subscriber).then(|| x12::Patient {
            relationship_to_subscriber: relationship_code(source.relationship.as_deref())
                .to_string(),
            name: patient_name,
            date_of_birth: patient.birth_date.as_deref().and_then(date_of),
            gender: gender_of(patient.gender.as_deref()),
            address,
        }),
        claims: vec![x12::Claim {
            claim_id: claim_id.to_string(),
            total_charge: Amount::from_cents(source.lines.iter().map(|l| l.charge_cents).sum()),
            facility_code: match kind {
                ClaimKind::Professional => "11".to_string(),
                ClaimKind::Institutional => "13".to_string(),
            },
            frequency_code: frequency.code.to_string(),
            payer_claim_number: frequency.original.clone(),
            prior_authorization: authorization.cloned(),
            provider_signature_on_file: true,
            accepts_assignment: true,
            benefits_assigned: true,
            release_of_information_signed: true,
            diagnoses,
            rendering_provider: source.rendering.as_ref().map(|(npi, name)| ClaimProvider {
                name: name_of(Some(name), None),
                npi: npi.clone(),
                taxonomy: None,
            }),
            referring_provider: None,
            institutional: (kind == ClaimKind::Institutional).then(|| x12::InstitutionalClaim {
                admission_type: "1".to_string(),
                admission_source: None,
                patient_status: "01".to_string(),
                statement_from: source
                    .lines
                    .iter()
                    .filter_map(|l| date_of(&l.service_date))
                    .min(),
                statement_to: source
                    .lines
                    .iter()
                    .filter_map(|l| date_of(&l.service_date))
                    .max(),
                admission_date: None,
                admission_time: None,
                attending_provider: None,
            }),
            lines,
        }],
    }
}

fn batch_of(
    billing: &BillingConfig,
    payer: &PayerConfig,
    kind: ClaimKind,
    reference_id: String,
    subscribers: Vec<SubscriberClaims>,
) -> ClaimBatch {
    ClaimBatch {
        kind,
        reference_id,
        submitter: x12::Submitter {
            name: billing.organization_name.clone(),
            id: billing.submitter_id.clone(),
            contact_name: billing.contact_name.clone(),
            phone: billing.contact_phone.clone(),
            email: None,
        },
        receiver: x12::Receiver {
            name: payer.name.clone(),
            id: payer.receiver_id.clone(),
        },
        billing_provider: x12::BillingProvider {
            organization_name: billing.organization_name.clone(),
            npi: billing.npi.clone(),
            tax_id: billing.tax_id.clone(),
            taxonomy: billing.taxonomy.clone(),
            address: PostalAddress {
                line1: billing.address_line.clone(),
                line2: None,
                city: billing.city.clone(),
                state: billing.state.clone(),
                postal_code: billing.postal_code.clone(),
            },
        },
        pay_to_address: None,
        subscribers,
    }
}

pub(super) fn now_date_time() -> Result<(Date, Time), RevenueError> {
    let now = time::OffsetDateTime::now_utc();
    let date = Date::new(
        u16::try_from(now.year()).unwrap_or(0),
        u8::from(now.month()),
        now.day(),
    );
    let time = Time::new(now.hour(), now.minute(), Some(now.second()));
    date.zip(time)
        .ok_or_else(|| RevenueError::Setup("the system clock gives no valid date".into()))
}

pub(super) fn control(value: i64) -> u32 {
    // X12 control numbers have nine digits; the counters never reach them in practice.
    u32::try_from(value % 1_000_000_000).unwrap_or(1)
}

/// Builds claims for every ready bill of `payer`, refuses those with missing data (with what
/// to fix), and sends the rest as one 837 interchange through the payer's channel.
pub async fn submit(
    store: &Store,
    handover: &dyn Handover,
    billing: &BillingConfig,
    payer: &PayerConfig,
) -> Result<SubmitReport, RevenueError> {
    let payer_row = payer_row(store, payer).await?;
    let sources = store.claim_sources(payer_row, None).await?;
    let claims = sources
        .into_iter()
        .map(|s| (s, Frequency::ORIGINAL))
        .collect();
    send(store, handover, billing, payer, payer_row, claims).await
}

/// Sends a bill again after its claim was rejected (`1`: a new original claim), or a
/// replacement (`7`) or void (`8`) of a claim the payer already has, naming the original by the
/// payer's claim number; the earlier claim is marked `resubmitted`, `replaced` or `voided`.
pub async fn correct(
    store: &Store,
    handover: &dyn Handover,
    billing: &BillingConfig,
    payers: &[PayerConfig],
    claim_id: i64,
    code: &'static str,
) -> Result<SubmitReport, RevenueError> {
    let (claim, payer) = claim_and_payer(store, payers, claim_id).await?;
    let frequency = if code == "1" {
        if claim.status != "rejected" {
            return Err(RevenueError::Setup(format!(
                "claim {} is {}: only a rejected claim is sent again as new; use 7 to replace it",
                claim.claim_number, claim.status
            )));
        }
        Frequency::ORIGINAL
    } else {
        let original = claim.payer_claim_number.clone().ok_or_else(|| {
            RevenueError::Setup(format!(
                "claim {} has no payer claim number yet (it comes with the 277CA or 835)",
                claim.claim_number
            ))
        })?;
        Frequency {
            code,
            original: Some(original),
        }
    };
    let payer_row = payer_row(store, payer).await?;
    let sources = store.claim_sources(payer_row, Some(claim.bill_id)).await?;
    let claims = sources
        .into_iter()
        .map(|s| (s, frequency.clone()))
        .collect();
    let report = send(store, handover, billing, payer, payer_row, claims).await?;
    if let Some(number) = report.submitted.first() {
        let status = match code {
            "1" => "resubmitted",
            "8" => "voided",
            _ => "replaced",
        };
        store
            .set_claim_status(
                claim_id,
                &StatusChange {
                    to: status,
                    only_from: None,
                },
                &format!("{status} by claim {number}"),
                None,
            )
            .await?;
    }
    Ok(report)
}

/// Claim `claim_id` and its payer's configuration.
pub(super) async fn claim_and_payer<'p>(
    store: &Store,
    payers: &'p [PayerConfig],
    claim_id: i64,
) -> Result<(ClaimView, &'p PayerConfig), RevenueError> {
    let (claim, _) = store
        .claim(claim_id)
        .await?
        .ok_or_else(|| RevenueError::Setup(format!("no claim {claim_id}")))?;
    let payer = payers
        .iter()
        .find(|p| p.payer_id == claim.payer_id)
        .ok_or_else(|| {
            RevenueError::Setup(format!("payer '{}' is not configured", claim.payer_id))
        })?;
    Ok((claim, payer))
}

/// The store id of `payer`.
pub(super) async fn payer_row(store: &Store, payer: &PayerConfig) -> Result<i64, RevenueError> {
    store.payer_row(&payer.payer_id).await?.ok_or_else(|| {
        RevenueError::Setup(format!("payer '{}' is not in the store", payer.payer_id))
    })
}

/// The envelope of a request from us (the billing submitter) to `payer`, dated now.
pub(super) fn to_payer(
    billing: &BillingConfig,
    payer: &PayerConfig,
) -> Result<SingleSetEnvelope, RevenueError> {
    let (date, time) = now_date_time()?;
    Ok(SingleSetEnvelope {
        sender_qualifier: billing.submitter_qualifier.clone(),
        sender_id: billing.submitter_id.clone(),
        receiver_qualifier: payer.receiver_qualifier.clone(),
        receiver_id: payer.receiver_id.clone(),
        date,
        time,
        usage: if billing.test_mode {
            UsageIndicator::Test
        } else {
            UsageIndicator::Production
        },
    })
}

/// The envelope of an outbound 837 with `[interchange, group, transaction]` control numbers,
/// dated now.
fn claim_envelope(
    billing: &BillingConfig,
    payer: &PayerConfig,
    [interchange, group, transaction]: [i64; 3],
) -> Result<ClaimEnvelope, RevenueError> {
    Ok(ClaimEnvelope {
        interchange: to_payer(billing, payer)?.interchange_header(control(interchange)),
        application_sender_code: billing.submitter_id.clone(),
        application_receiver_code: payer
            .application_receiver_code
            .clone()
            .unwrap_or_else(|| payer.receiver_id.clone()),
        group_control_number: control(group),
        transaction_control_number: control(transaction),
        line_breaks: true,
    })
}

/// Refuses an outbound request (270, 276, 278) that breaks its envelope or implementation
/// guide: the error lists each fault, and the request is not sent.
pub(super) fn refuse_guide_breaks(file: &[u8]) -> Result<(), RevenueError> {
    let problems = guide_problems(file);
    if problems.is_empty() {
        return Ok(());
    }
    Err(RevenueError::Invalid(format!(
        "not sent: the request breaks its implementation guide: {}",
        problems.join("; ")
    )))
}

/// What an outbound file (an 837, or a request) breaks of its implementation guide, one line
/// per error naming the claim (CLM01) it belongs to when it has one; empty when it is clean.
fn guide_problems(file: &[u8]) -> Vec<String> {
    match x12::guide::validate(file) {
        Ok(validation) => validation
            .reports
            .iter()
            .flat_map(|r| r.problems.iter().map(|p| p.to_string()))
            .chain(
                validation
                    .findings()
                    .map(|finding| match &finding.business_unit {
                        Some(unit) => format!("claim {}: {}", unit.value, finding.describe()),
                        None => finding.describe(),
                    }),
            )
            .collect(),
        Err(err) => vec![format!("the file written cannot be read back: {err}")],
    }
}

/// Validates each claim on its own, then writes the valid ones as one interchange, records
/// them, and hands the file to the payer's channel.
async fn send(
    store: &Store,
    handover: &dyn Handover,
    billing: &BillingConfig,
    payer: &PayerConfig,
    payer_row: i64,
    claims: Vec<(ClaimSource, Frequency)>,
) -> Result<SubmitReport, RevenueError> {
    let mut report = SubmitReport {
        payer_id: payer.payer_id.clone(),
        ..SubmitReport::default()
    };
    let kind = if payer.claim_type == "837I" {
        ClaimKind::Institutional
    } else {
        ClaimKind::Professional
    };
    // Validate each bill's claim on its own, so one bad bill holds back nothing else.
    let mut ready = Vec::new();
    for (source, frequency) in claims {
        let authorization = authorization_of(store, payer, &source).await?;
        let provisional = format!("BILL{}", source.bill_id);
        let single = batch_of(
            billing,
            payer,
            kind,
            provisional.clone(),
            vec![subscriber_claims(
                &source,
                &provisional,
                kind,
                payer,
                (&frequency, authorization.as_ref()),
            )],
        );
        let mut problems: Vec<String> = x12::validate_837(&single)
            .iter()
            .map(|p| format!("{}: {}", p.field, p.message))
            .collect();
        if problems.is_empty() {
            let envelope = claim_envelope(billing, payer, [1, 1, 1])?;
            let file = x12::write_837(&single, &envelope)
                .map_err(|err| RevenueError::Setup(err.to_string()))?;
            problems.extend(guide_problems(&file));
        }
        if let Some(contract) = &payer.contract {
            let diagnoses: Vec<String> = source
                .diagnoses
                .iter()
                .chain(source.lines.iter().flat_map(|l| &l.diagnosis_codes))
                .cloned()
                .collect();
            problems.extend(contract.coverage_problems(
                &diagnoses,
                source.lines.iter().map(|l| l.procedure_code.as_str()),
            ));
        }
        if problems.is_empty() {
            ready.push((source, frequency, authorization));
        } else {
            report.refused.push(Refusal {
                bill_id: source.bill_id,
                problems,
            });
        }
    }
    if ready.is_empty() {
        return Ok(report);
    }
    let mut numbers = Vec::with_capacity(ready.len());
    for _ in &ready {
        numbers.push(format!("SB{:010}", store.next_number("claim").await?));
    }
    let interchange = store.next_number("interchange").await?;
    let group = store.next_number("group").await?;
    let transaction = store.next_number("transaction").await?;
    let subscribers = ready
        .iter()
        .zip(&numbers)
        .map(|((source, frequency, authorization), number)| {
            subscriber_claims(
                source,
                number,
                kind,
                payer,
                (frequency, authorization.as_ref()),
            )
        })
        .collect();
    let batch = batch_of(
        billing,
        payer,
        kind,
        format!("SB{interchange}"),
        subscribers,
    );
    let envelope = claim_envelope(billing, payer, [interchange, group, transaction])?;
    let file =
        x12::write_837(&batch, &envelope).map_err(|err| RevenueError::Setup(err.to_string()))?;
    let problems = guide_problems(&file);
    if !problems.is_empty() {
        return Err(RevenueError::Setup(format!(
            "the 837 for payer '{}' breaks its implementation guide and was not sent: {}",
            payer.payer_id,
            problems.join("; ")
        )));
    }
    let claims: Vec<NewClaim<'_>> = ready
        .iter()
        .zip(&numbers)
        .map(|((source, _, _), number)| NewClaim {
            claim_number: number,
            source,
            claim_type: &payer.claim_type,
        })
        .collect();
    let batch_id = store
        .record_batch(&NewBatch {
            payer_id: payer_row,
            interchange_control_number: interchange,
            group_control_number: i64::from(control(group)),
            transaction_control_number: control(transaction).to_string(),
            claims: &claims,
        })
        .await?;
    report.batch_id = Some(batch_id);
    report.interchange_control_number = Some(interchange);
    report.submitted = numbers;
    match handover
        .hand_over(&payer.channel, &file, "application/edi-x12")
        .await
    {
        Ok(message_id) => {
            report.message_id = Some(message_id);
            store.batch_sent(batch_id, Some(message_id), None).await?;
        }
        Err(reason) => {
            store.batch_sent(batch_id, None, Some(&reason)).await?;
            return Err(RevenueError::Setup(reason));
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::claims::{LineSource, PatientFacts};
    use crate::x12::InterchangeHeader;

    fn billing() -> BillingConfig {
        BillingConfig {
            organization_name: "Springfield General".into(),
            npi: "1234567893".into(),
            tax_id: "123456789".into(),
            taxonomy: Some("282N00000X".into()),
            address_line: "1 Main St".into(),
            city: "Springfield".into(),
            state: "IL".into(),
            postal_code: "627010001".into(),
            submitter_id: "SWITCHBOARD01".into(),
            submitter_qualifier: "ZZ".into(),
            contact_name: "Billing".into(),
            contact_phone: Some("2175550100".into()),
            test_mode: true,
        }
    }

    fn payer(claim_type: &str) -> PayerConfig {
        PayerConfig {
            payer_id: "HMO1".into(),
            name: "Acme Health Plan".into(),
            claim_type: claim_type.into(),
            receiver_id: "ACMEHEALTH".into(),
            receiver_qualifier: "ZZ".into(),
            application_receiver_code: None,
            claim_filing_indicator: "HM".into(),
            channel: "x12-outbox".into(),
            batch_cron: None,
            members: Vec::new(),
            contract: None,
        }
    }

    fn source() -> ClaimSource {
        ClaimSource {
            bill_id: 7,
            patient: PatientFacts {
                family_name: Some("Doe".into()),
                given_name: Some("Jane".into()),
                birth_date: Some("1970-01-02".into()),
                gender: Some("female".into()),
                address_line: Some("2 Oak St".into()),
                city: Some("Springfield".into()),
                state: Some("IL".into()),
                postal_code: Some("627010002".into()),
            },
            member_id: "MEM1".into(),
            group_number: None,
            relationship: Some("self".into()),
            subscriber_name: None,
            coverage_id: 1,
            diagnoses: vec!["J18.9".into()],
            rendering: None,
            lines: vec![LineSource {
                bill_line_id: 11,
                procedure_code: "71046".into(),
                modifiers: vec![],
                revenue_code: Some("0324".into()),
                diagnosis_codes: vec![],
                service_date: "2026-11-20".into(),
                units_thousandths: 1000,
                charge_cents: 42_000,
            }],
        }
    }

    #[test]
    fn an_institutional_bill_becomes_a_valid_837i() {
        let payer = payer("837I");
        let claims = subscriber_claims(
            &source(),
            "SB0000000009",
            ClaimKind::Institutional,
            &payer,
            (&Frequency::ORIGINAL, None),
        );
        let batch = batch_of(
            &billing(),
            &payer,
            ClaimKind::Institutional,
            "REF1".into(),
            vec![claims],
        );
        assert!(
            x12::validate_837(&batch).is_empty(),
            "{:?}",
            x12::validate_837(&batch)
        );
        let (date, time) = now_date_time().unwrap();
        let file = x12::write_837(
            &batch,
            &ClaimEnvelope {
                interchange: InterchangeHeader {
                    sender_qualifier: "ZZ".into(),
                    sender_id: "SWITCHBOARD01".into(),
                    receiver_qualifier: "ZZ".into(),
                    receiver_id: "ACMEHEALTH".into(),
                    date,
                    time,
                    control_number: 5,
                    acknowledgment_requested: false,
                    usage: UsageIndicator::Test,
                },
                application_sender_code: "SWITCHBOARD01".into(),
                application_receiver_code: "ACMEHEALTH".into(),
                group_control_number: 5,
                transaction_control_number: 5,
                line_breaks: false,
            },
        )
        .unwrap();
        let interchange = x12::parse_interchange(&file).unwrap();
        assert_eq!(interchange.groups[0].version, "005010X223A2");
        let text = String::from_utf8(file).unwrap();
        assert!(text.contains("CLM*SB0000000009*420***13:A:1"), "{text}");
        assert!(text.contains("SV2*0324*HC:71046*420*UN*1"), "{text}");
        assert!(text.contains("HI*ABK:J189"), "{text}");
        assert!(text.contains("CL1*1**01"), "{text}");
    }

    #[test]
    fn a_bill_with_missing_data_is_refused_with_every_problem() {
        let mut bad = source();
        bad.member_id = String::new();
        bad.diagnoses.clear();
        let payer = payer("837P");
        let claims = subscriber_claims(
            &bad,
            "B7",
            ClaimKind::Professional,
            &payer,
            (&Frequency::ORIGINAL, None),
        );
        let batch = batch_of(
            &billing(),
            &payer,
            ClaimKind::Professional,
            "REF1".into(),
            vec![claims],
        );
        let problems: Vec<String> = x12::validate_837(&batch)
            .iter()
            .map(|p| p.field.clone())
            .collect();
        assert!(
            problems.iter().any(|f| f.contains("member")),
            "{problems:?}"
        );
        assert!(
            problems.iter().any(|f| f.contains("diagnos")),
            "{problems:?}"
        );
    }

    #[test]
    fn a_contract_refuses_what_it_does_not_cover() {
        let contract = crate::config::payer::ContractConfig {
            name: "2026".into(),
            effective_from: None,
            deductible_cents: 0,
            copay_cents: 0,
            coinsurance_basis_points: 0,
            timely_filing_days: None,
            fees: vec![],
            covered_procedures: vec!["992*".into(), "87880".into()],
            excluded_procedures: vec!["99215".into()],
            covered_diagnoses: vec!["J*".into()],
            excluded_diagnoses: vec!["J45.909".into()],
            in_network_providers: vec![],
            authorization_required: vec![],
            annual_limit_cents: None,
        };
        let codes = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(
            contract
                .coverage_problems(&codes(&["J06.9"]), ["99213", "87880"].into_iter())
                .is_empty()
        );
        let problems =
            contract.coverage_problems(&codes(&["E11.9"]), ["99215", "71046"].into_iter());
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(
            problems[0].contains("line 1: procedure 99215"),
            "{problems:?}"
        );
        assert!(
            problems[1].contains("line 2: procedure 71046"),
            "{problems:?}"
        );
        assert!(
            problems[2].contains("none of the diagnoses (E11.9)"),
            "{problems:?}"
        );
        let excluded = contract.coverage_problems(&codes(&["J45.909"]), ["99213"].into_iter());
        assert_eq!(
            excluded,
            ["diagnosis J45.909 is excluded by contract '2026'"]
        );
    }
}
