//! Admin API for the revenue cycle after claims go out: remittances and what they posted, the
//! denial and unmatched worklists, matching by hand, a bill's ledger, and the reports.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::{Extension, extract::rejection::JsonRejection};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{ApiError, AppState};
use crate::revenue::codes::{describe_adjustment, rarc_text};
use crate::revenue::reports::{self, REPORTS, ReportError};
use crate::store::now_millis;
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
    Ok(Json(json!({ "remittance": remittance, "postings": postings })).into_response())
}

/// One reason on a denial, with its meaning.
#[derive(Debug, Serialize)]
struct Reason {
    code: String,
    text: String,
    amount_cents: i64,
}

/// One remark code, with its meaning.
#[derive(Debug, Serialize)]
struct Remark {
    code: String,
    text: Option<&'static str>,
}

/// One denied claim or line on the worklist.
#[derive(Debug, Serialize)]
struct Denial {
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
pub async fn denials(State(state): State<AppState>) -> Result<Response, ApiError> {
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
    let denials: Vec<Denial> = items.into_values().collect();
    Ok(Json(json!({ "denials": denials })).into_response())
}

/// `GET /api/worklists/unmatched`: claim payments that matched none of our claims.
pub async fn unmatched(State(state): State<AppState>) -> Result<Response, ApiError> {
    let unmatched = state.store.unmatched_claims().await?;
    Ok(Json(json!({ "unmatched": unmatched })).into_response())
}

/// Body of `POST /api/remittances/claims/{id}/match`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchRequest {
    /// Our claim that this payment pays.
    claim_id: i64,
}

/// `POST /api/remittances/claims/{id}/match`: match an unmatched claim payment to our claim by
/// hand; it posts exactly as an automatic match would.
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
    Ok(Json(json!({
        "remittance_claim_id": id,
        "claim_id": request.claim_id,
        "outcome": outcome,
        "matched_by": principal.name,
    }))
    .into_response())
}

/// `GET /api/bills/{id}/ledger`: a bill's claims with their balances and every posting.
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
    Ok(Json(json!({
        "bill_id": id,
        "claims": claims,
        "entries": entries,
        "outstanding_cents": outstanding,
        "patient_balance_cents": patient,
    }))
    .into_response())
}

/// `GET /api/reports`: the reports there are.
pub async fn list_reports() -> Response {
    let reports: Vec<_> = REPORTS
        .iter()
        .map(|(name, about)| json!({ "name": name, "description": about }))
        .collect();
    Json(json!({ "reports": reports })).into_response()
}

/// Query string of `GET /api/reports/{name}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportParams {
    /// `json` (default) or `csv`.
    format: Option<String>,
}

/// `GET /api/reports/{name}?format=csv`: one report as a JSON table or a CSV download.
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
