//! Admin API for the revenue cycle after claims go out: remittances and what they posted, the
//! denial and unmatched worklists, matching by hand, a bill's ledger, and the reports.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::{Extension, extract::rejection::JsonRejection};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::openapi::ErrorBody;
use super::{ApiError, AppState};
use crate::revenue::codes::{describe_adjustment, rarc_text};
use crate::revenue::reports::{self, REPORTS, ReportError, Table};
use crate::store::now_millis;
use crate::store::receivables::{
    ClaimBalance, LedgerEntry, RemittanceClaimView, RemittancePostings,
};
use crate::store::remit::RemittanceView;
use crate::store::tokens::Principal;

impl From<ReportError> for ApiError {
    fn from(err: ReportError) -> Self {
        match err {
            ReportError::Unknown(..) => ApiError::NotFound(err.to_string()),
            ReportError::Store(err) => err.into(),
        }
    }
}

/// `GET /api/remittances/{id}`: one 835 payment, its claims, lines (with contract variance) and
/// every ledger entry posted from it.
#[utoipa::path(
    get,
    path = "/remittances/{id}",
    tag = "remittances",
    params(("id" = i64, Path, description = "Remittance id", minimum = 1)),
    responses(
        (status = 200, description = "The payment and what it posted", body = RemittanceDetail),
        (status = 404, description = "No such remittance", body = ErrorBody),
    )
)]
pub async fn remittance(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let remittance = state
        .store
        .remittance(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("remittance {id}")))?;
    let postings = state.store.remittance_postings(id).await?;
    Ok(Json(RemittanceDetail {
        remittance,
        postings,
    })
    .into_response())
}

/// The answer of `GET /api/remittances/{id}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct RemittanceDetail {
    /// The payment.
    pub remittance: RemittanceView,
    /// Its claims, lines and ledger entries.
    pub postings: RemittancePostings,
}

/// One reason on a denial, with its meaning.
#[derive(Debug, Serialize, ToSchema)]
pub struct Reason {
    code: String,
    text: String,
    amount_cents: i64,
}

/// One remark code, with its meaning.
#[derive(Debug, Serialize, ToSchema)]
pub struct Remark {
    code: String,
    text: Option<&'static str>,
}

/// One denied claim or line on the worklist.
#[derive(Debug, Serialize, ToSchema)]
pub struct Denial {
    remittance_claim_id: i64,
    claim_id: Option<i64>,
    claim_number: Option<String>,
    patient_control_number: String,
    payer: String,
    trace_number: String,
    procedure_code: Option<String>,
    reasons: Vec<Reason>,
    remarks: Vec<Remark>,
    received_at: i64,
}

/// `GET /api/worklists/denials`: denied claims and lines with their reasons (CARC) and remarks
/// (RARC) spelled out, newest first.
#[utoipa::path(
    get,
    path = "/worklists/denials",
    tag = "remittances",
    responses((status = 200, description = "The denials", body = DenialList))
)]
pub async fn denials(State(state): State<AppState>) -> Result<Json<DenialList>, ApiError> {
    let rows = state
        .store
        .denials(1000, crate::revenue::remittance::REDUCTION_REASONS)
        .await?;
    let mut ids: Vec<i64> = rows.iter().map(|r| r.remittance_claim_id).collect();
    ids.dedup();
    let remarks = state.store.remarks_of(&ids).await?;
    let mut items: BTreeMap<(std::cmp::Reverse<i64>, Option<i64>), Denial> = BTreeMap::new();
    for row in rows {
        let key = (
            std::cmp::Reverse(row.remittance_claim_id),
            row.remittance_line_id,
        );
        let item = items.entry(key).or_insert_with(|| Denial {
            remittance_claim_id: row.remittance_claim_id,
            claim_id: row.claim_id,
            claim_number: row.claim_number.clone(),
            patient_control_number: row.patient_control_number.clone(),
            payer: row.payer.clone(),
            trace_number: row.trace_number.clone(),
            procedure_code: row.procedure_code.clone(),
            reasons: Vec::new(),
            remarks: remarks
                .iter()
                .filter(|r| {
                    r.0 == row.remittance_claim_id
                        && (r.1.is_none() || r.1 == row.remittance_line_id)
                })
                .map(|r| Remark {
                    code: r.3.clone(),
                    text: rarc_text(&r.3),
                })
                .collect(),
            received_at: row.received_at,
        });
        item.reasons.push(Reason {
            code: format!("{}-{}", row.group_code, row.reason_code),
            text: describe_adjustment(&row.group_code, &row.reason_code),
            amount_cents: row.amount_cents,
        });
    }
    Ok(Json(DenialList {
        denials: items.into_values().collect(),
    }))
}

/// The answer of `GET /api/worklists/denials`.
#[derive(Debug, Serialize, ToSchema)]
pub struct DenialList {
    /// Denied claims and lines, newest first.
    pub denials: Vec<Denial>,
}

/// The answer of `GET /api/worklists/unmatched`.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnmatchedList {
    /// Claim payments that matched none of our claims.
    pub unmatched: Vec<RemittanceClaimView>,
}

/// `GET /api/worklists/unmatched`: claim payments that matched none of our claims.
#[utoipa::path(
    get,
    path = "/worklists/unmatched",
    tag = "remittances",
    responses((status = 200, description = "The unmatched claim payments", body = UnmatchedList))
)]
pub async fn unmatched(State(state): State<AppState>) -> Result<Json<UnmatchedList>, ApiError> {
    let unmatched = state.store.unmatched_claims().await?;
    Ok(Json(UnmatchedList { unmatched }))
}

/// Body of `POST /api/remittances/claims/{id}/match`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MatchRequest {
    /// Our claim that this payment pays.
    #[serde(deserialize_with = "whole_number")]
    claim_id: i64,
}

/// A JSON integer, also when written with a zero fraction (`42.0`), as JSON Schema counts it.
pub(super) fn whole_number<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<i64, D::Error> {
    let number = serde_json::Number::deserialize(deserializer)?;
    number
        .as_i64()
        .or_else(|| {
            number
                .as_f64()
                .filter(|n| n.fract() == 0.0 && n.abs() < 9.0e18)
                .map(|n| n as i64)
        })
        .ok_or_else(|| serde::de::Error::custom(format!("{number} is not a whole number")))
}

/// `POST /api/remittances/claims/{id}/match`: match an unmatched claim payment to our claim by
/// hand; it posts exactly as an automatic match would.
#[utoipa::path(
    post,
    path = "/remittances/claims/{id}/match",
    tag = "remittances",
    params(("id" = i64, Path, description = "Remittance claim id (from the unmatched worklist)", minimum = 1)),
    request_body(content = MatchRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Matched and posted", body = Matched),
        (status = 404, description = "No such remittance claim or claim", body = ErrorBody),
        (status = 409, description = "The payment is matched already", body = ErrorBody),
    )
)]
pub async fn match_by_hand(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<i64>,
    body: Result<Json<MatchRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(request) = body.map_err(|err| ApiError::BadRequest(err.body_text()))?;
    let outcome = crate::revenue::remittance::match_by_hand(
        &state.store,
        id,
        request.claim_id,
        &principal.name,
    )
    .await?;
    Ok(Json(Matched {
        remittance_claim_id: id,
        claim_id: request.claim_id,
        outcome,
        matched_by: principal.name,
    })
    .into_response())
}

/// What a match by hand did.
#[derive(Debug, Serialize, ToSchema)]
pub struct Matched {
    /// The claim payment.
    pub remittance_claim_id: i64,
    /// Our claim it pays.
    pub claim_id: i64,
    /// `paid`, `partially paid`, `denied`, `overpaid` or `reversed`.
    pub outcome: String,
    /// Who matched it.
    pub matched_by: String,
}

/// The answer of `GET /api/bills/{id}/ledger`.
#[derive(Debug, Serialize, ToSchema)]
pub struct BillLedger {
    /// The bill.
    pub bill_id: i64,
    /// Its claims with their totals.
    pub claims: Vec<ClaimBalance>,
    /// Every posting to them.
    pub entries: Vec<LedgerEntry>,
    /// What the payers still owe, cents (replaced and voided claims owe nothing).
    pub outstanding_cents: i64,
    /// What the patient owes, cents.
    pub patient_balance_cents: i64,
}

/// `GET /api/bills/{id}/ledger`: a bill's claims with their balances and every posting.
#[utoipa::path(
    get,
    path = "/bills/{id}/ledger",
    tag = "remittances",
    params(("id" = i64, Path, description = "Bill id", minimum = 1)),
    responses(
        (status = 200, description = "The bill's ledger", body = BillLedger),
        (status = 404, description = "No claims of this bill", body = ErrorBody),
    )
)]
pub async fn bill_ledger(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let (claims, entries) = state.store.bill_ledger(id).await?;
    if claims.is_empty() {
        return Err(ApiError::NotFound(format!("claims of bill {id}")));
    }
    // A replaced or voided claim owes nothing: its replacement does.
    let outstanding: i64 = claims
        .iter()
        .filter(|c| !matches!(c.status.as_str(), "replaced" | "voided"))
        .map(|c| c.outstanding_cents())
        .sum();
    let patient: i64 = claims.iter().map(|c| c.patient_cents).sum();
    Ok(Json(BillLedger {
        bill_id: id,
        claims,
        entries,
        outstanding_cents: outstanding,
        patient_balance_cents: patient,
    })
    .into_response())
}

/// The answer of `GET /api/reports`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportList {
    /// Every report.
    pub reports: Vec<ReportInfo>,
}

/// One report there is.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportInfo {
    /// Its name, for `GET /api/reports/{name}`.
    pub name: &'static str,
    /// What it shows.
    pub description: &'static str,
}

/// `GET /api/reports`: the reports there are.
#[utoipa::path(
    get,
    path = "/reports",
    tag = "reports",
    responses((status = 200, description = "The reports", body = ReportList))
)]
pub async fn list_reports() -> Json<ReportList> {
    let reports = REPORTS
        .iter()
        .map(|(name, description)| ReportInfo { name, description })
        .collect();
    Json(ReportList { reports })
}

/// Query string of `GET /api/reports/{name}`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    /// `json` (default) or `csv`.
    #[param(pattern = "^(json|csv)$")]
    format: Option<String>,
}

/// `GET /api/reports/{name}?format=csv`: one report as a JSON table or a CSV download.
#[utoipa::path(
    get,
    path = "/reports/{name}",
    tag = "reports",
    params(("name" = String, Path, description = "Report name (see GET /api/reports)"), ReportParams),
    responses(
        (status = 200, description = "The report: a JSON table, or CSV with `format=csv`",
            content((Table = "application/json"), (String = "text/csv"))),
        (status = 404, description = "No such report", body = ErrorBody),
    )
)]
pub async fn report(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(params): Query<ReportParams>,
) -> Result<Response, ApiError> {
    let table = reports::report(&state.store, &name, now_millis()).await?;
    match params.format.as_deref() {
        None | Some("json") => Ok(Json(table).into_response()),
        Some("csv") => Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}.csv\""),
                ),
            ],
            table
                .to_csv()
                .map_err(|err| ApiError::Internal(format!("report as CSV: {err}")))?,
        )
            .into_response()),
        Some(other) => Err(ApiError::BadRequest(format!(
            "format '{other}': expected json or csv"
        ))),
    }
}
