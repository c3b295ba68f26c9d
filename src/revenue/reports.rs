//! The revenue-cycle reports, as tables (JSON or CSV): financial summary, payer performance,
//! claim aging, denial analysis, reconciliation audit, payer mix and receivables aging. Money
//! is shown as exact decimal text (`1234.56`), computed from integer cents.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;
use sqlx::Row;

use super::codes::describe_adjustment;
use crate::store::receivables::ClaimBalance;
use crate::store::{Store, StoreError};

/// Every report, by name, with what it shows.
pub const REPORTS: &[(&str, &str)] = &[
    (
        "financial-summary",
        "billed, paid, adjusted, patient responsibility and outstanding, by payer",
    ),
    (
        "payer-performance",
        "days to pay, paid-to-billed ratio and denial rate, by payer",
    ),
    (
        "claim-aging",
        "outstanding claim amounts by age (0-30, 31-60, 61-90, 90+ days), by payer",
    ),
    (
        "denial-analysis",
        "denials by adjustment group and reason, payer and procedure",
    ),
    (
        "reconciliation-audit",
        "every 835 claim payment with its match, postings, balancing and contract variance",
    ),
    ("payer-mix", "share of claims, billed and paid, by payer"),
    (
        "receivables-aging",
        "what payers and patients still owe, by age",
    ),
    (
        "payer-inquiries",
        "eligibility checks, claim status requests and prior authorizations, by payer, kind and outcome",
    ),
    (
        "authorization-denials",
        "claims and lines denied for a missing prior authorization (CARC 15, 62, 197), by payer",
    ),
];

/// The adjustment reasons that say a service needed a prior authorization it came without:
/// 15 (authorization number missing, invalid or not for this service), 62 (denied for absence of
/// precertification/authorization) and 197 (precertification/authorization absent).
pub const MISSING_AUTHORIZATION_REASONS: &[&str] = &["15", "62", "197"];

/// A report: named columns and rows of values.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Table {
    /// The report's name.
    pub name: String,
    /// Column names.
    pub columns: Vec<String>,
    /// Rows, one value per column.
    pub rows: Vec<Vec<Value>>,
}

impl Table {
    fn new(name: &str, columns: &[&str]) -> Self {
        Table {
            name: name.to_string(),
            columns: columns.iter().map(|c| (*c).to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// The table as CSV (RFC 4180), with a header row.
    pub fn to_csv(&self) -> Result<String, csv::Error> {
        csv_text(&self.columns, &self.rows)
    }
}

/// Columns and rows of JSON values as CSV (RFC 4180, `\r\n` line ends), with a header row:
/// null is an empty cell, text is itself, anything else its JSON.
pub fn csv_text(columns: &[String], rows: &[Vec<Value>]) -> Result<String, csv::Error> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer.write_record(columns)?;
    for row in rows {
        writer.write_record(row.iter().map(|value| match value {
            Value::Null => String::new(),
            Value::String(text) => text.clone(),
            other => other.to_string(),
        }))?;
    }
    let bytes = writer.into_inner().map_err(|err| err.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Exact decimal text for cents.
pub fn money(cents: i64) -> Value {
    let sign = if cents < 0 { "-" } else { "" };
    Value::String(format!(
        "{sign}{}.{:02}",
        cents.unsigned_abs() / 100,
        cents.unsigned_abs() % 100
    ))
}

/// `a / b` as a percentage with one decimal, from integers; `None` when `b` is zero.
fn percent(numerator: i64, denominator: i64) -> Value {
    if denominator == 0 {
        return Value::Null;
    }
    let (numerator, denominator) = (i128::from(numerator), i128::from(denominator));
    let negative = (numerator < 0) != (denominator < 0) && numerator != 0;
    let (numerator, denominator) = (numerator.abs(), denominator.abs());
    // Rounded half away from zero, to a tenth.
    let tenths = (numerator * 1000 + denominator / 2) / denominator;
    let sign = if negative && tenths != 0 { "-" } else { "" };
    Value::String(format!("{sign}{}.{}%", tenths / 10, tenths % 10))
}

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// No report has this name.
    #[error("no report named '{0}'; the reports are: {1}")]
    Unknown(String, String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Makes the report `name` as of `now_ms` (Unix ms, for ages).
pub async fn report(store: &Store, name: &str, now_ms: i64) -> Result<Table, ReportError> {
    match name {
        "financial-summary" => Ok(financial_summary(&store.claim_balances().await?)),
        "payer-performance" => Ok(payer_performance(&store.claim_balances().await?)),
        "claim-aging" => Ok(claim_aging(&store.claim_balances().await?, now_ms)),
        "denial-analysis" => denial_analysis(store).await,
        "reconciliation-audit" => reconciliation_audit(store).await,
        "payer-mix" => Ok(payer_mix(&store.claim_balances().await?)),
        "receivables-aging" => Ok(receivables_aging(&store.claim_balances().await?, now_ms)),
        "payer-inquiries" => payer_inquiries(store).await,
        "authorization-denials" => authorization_denials(store).await,
        other => Err(ReportError::Unknown(
            other.to_string(),
            REPORTS
                .iter()
                .map(|(name, _)| *name)
                .collect::<Vec<_>>()
                .join(", "),
        )),
    }
}

/// Claims grouped by payer (`payer id`, `payer name`), in payer order.
fn by_payer(claims: &[ClaimBalance]) -> BTreeMap<(String, String), Vec<&ClaimBalance>> {
    let mut groups: BTreeMap<(String, String), Vec<&ClaimBalance>> = BTreeMap::new();
    for claim in claims {
        groups
            .entry((claim.payer_id.clone(), claim.payer_name.clone()))
            .or_default()
            .push(claim);
    }
    groups
}

/// The totals of a set of claims.
#[derive(Debug, Default, Clone, Copy)]
struct Totals {
    claims: i64,
    billed: i64,
    paid: i64,
    contractual: i64,
    other: i64,
    patient: i64,
    outstanding: i64,
}

impl Totals {
    fn of<'a>(claims: impl IntoIterator<Item = &'a ClaimBalance>) -> Self {
        claims.into_iter().fold(Totals::default(), |t, c| Totals {
            claims: t.claims + 1,
            billed: t.billed + c.billed_cents,
            paid: t.paid + c.paid_cents,
            contractual: t.contractual + c.contractual_cents,
            other: t.other + c.other_cents,
            patient: t.patient + c.patient_cents,
            outstanding: t.outstanding + c.outstanding_cents(),
        })
    }

    fn row(&self, payer: &str, name: &str) -> Vec<Value> {
        vec![
            payer.into(),
            name.into(),
            self.claims.into(),
            money(self.billed),
            money(self.paid),
            money(self.contractual),
            money(self.other),
            money(self.patient),
            money(self.outstanding),
        ]
    }
}

fn financial_summary(claims: &[ClaimBalance]) -> Table {
    let mut table = Table::new(
        "financial-summary",
        &[
            "payer",
            "payer name",
            "claims",
            "billed",
            "paid",
            "contractual adjustments",
            "other adjustments",
            "patient responsibility",
            "outstanding",
        ],
    );
    for ((payer, name), group) in by_payer(claims) {
        table.rows.push(Totals::of(group).row(&payer, &name));
    }
    table.rows.push(Totals::of(claims).row("TOTAL", ""));
    table
}

fn is_denied(claim: &ClaimBalance) -> bool {
    claim.status == "denied"
}

fn payer_performance(claims: &[ClaimBalance]) -> Table {
    let mut table = Table::new(
        "payer-performance",
        &[
            "payer",
            "payer name",
            "claims",
            "adjudicated",
            "average days to pay",
            "paid to billed",
            "denied",
            "denial rate",
        ],
    );
    for ((payer, name), group) in by_payer(claims) {
        let adjudicated: Vec<&&ClaimBalance> = group
            .iter()
            .filter(|c| c.first_posted_at.is_some())
            .collect();
        let days: Vec<i64> = adjudicated
            .iter()
            .filter_map(|c| c.first_posted_at.map(|at| (at - c.created_at) / 86_400_000))
            .collect();
        let average_days = if days.is_empty() {
            Value::Null
        } else {
            let count = i64::try_from(days.len()).unwrap_or(i64::MAX);
            average_one_decimal(days.iter().sum(), count)
        };
        let totals = Totals::of(adjudicated.iter().map(|c| **c));
        let denied =
            i64::try_from(adjudicated.iter().filter(|c| is_denied(c)).count()).unwrap_or(i64::MAX);
        table.rows.push(vec![
            payer.into(),
            name.into(),
            i64::try_from(group.len()).unwrap_or(i64::MAX).into(),
            totals.claims.into(),
            average_days,
            percent(totals.paid, totals.billed),
            denied.into(),
            percent(denied, totals.claims),
        ]);
    }
    table
}

/// `sum / count` with one decimal.
fn average_one_decimal(sum: i64, count: i64) -> Value {
    let tenths = (sum * 10 + count / 2) / count;
    Value::String(format!("{}.{}", tenths / 10, tenths % 10))
}

/// The aging bucket of something `age_days` old.
fn bucket(age_days: i64) -> usize {
    match age_days {
        ..=30 => 0,
        31..=60 => 1,
        61..=90 => 2,
        _ => 3,
    }
}

const BUCKETS: [&str; 4] = ["0-30", "31-60", "61-90", "90+"];

fn claim_aging(claims: &[ClaimBalance], now_ms: i64) -> Table {
    let mut columns = vec!["payer", "payer name", "open claims"];
    columns.extend(BUCKETS);
    columns.push("total outstanding");
    let mut table = Table::new("claim-aging", &columns);
    let mut grand = [0i64; 4];
    for ((payer, name), group) in by_payer(claims) {
        let mut amounts = [0i64; 4];
        let mut open = 0i64;
        for claim in group.iter().filter(|c| c.outstanding_cents() != 0) {
            open += 1;
            amounts[bucket((now_ms - claim.created_at) / 86_400_000)] += claim.outstanding_cents();
        }
        for (total, amount) in grand.iter_mut().zip(amounts) {
            *total += amount;
        }
        let mut row: Vec<Value> = vec![payer.into(), name.into(), open.into()];
        row.extend(amounts.map(money));
        row.push(money(amounts.iter().sum()));
        table.rows.push(row);
    }
    let mut total: Vec<Value> = vec!["TOTAL".into(), "".into(), Value::Null];
    total.extend(grand.map(money));
    total.push(money(grand.iter().sum()));
    table.rows.push(total);
    table
}

fn receivables_aging(claims: &[ClaimBalance], now_ms: i64) -> Table {
    let mut columns = vec!["owed by"];
    columns.extend(BUCKETS);
    columns.push("total");
    let mut table = Table::new("receivables-aging", &columns);
    let mut payers = [0i64; 4];
    let mut patients = [0i64; 4];
    for claim in claims {
        payers[bucket((now_ms - claim.created_at) / 86_400_000)] += claim.outstanding_cents();
        let since = claim.first_posted_at.unwrap_or(claim.created_at);
        patients[bucket((now_ms - since) / 86_400_000)] += claim.patient_cents;
    }
    for (owner, amounts) in [("payers", payers), ("patients", patients)] {
        let mut row: Vec<Value> = vec![owner.into()];
        row.extend(amounts.map(money));
        row.push(money(amounts.iter().sum()));
        table.rows.push(row);
    }
    table
}

fn payer_mix(claims: &[ClaimBalance]) -> Table {
    let mut table = Table::new(
        "payer-mix",
        &[
            "payer",
            "payer name",
            "claims",
            "share of claims",
            "billed",
            "share of billed",
            "paid",
            "share of paid",
        ],
    );
    let all = Totals::of(claims);
    for ((payer, name), group) in by_payer(claims) {
        let totals = Totals::of(group);
        table.rows.push(vec![
            payer.into(),
            name.into(),
            totals.claims.into(),
            percent(totals.claims, all.claims),
            money(totals.billed),
            percent(totals.billed, all.billed),
            money(totals.paid),
            percent(totals.paid, all.paid),
        ]);
    }
    table
}

async fn payer_inquiries(store: &Store) -> Result<Table, ReportError> {
    let mut table = Table::new(
        "payer-inquiries",
        &["payer", "kind", "outcome", "requests", "share of kind"],
    );
    let counts = store.inquiry_counts().await?;
    let mut of_kind: BTreeMap<(&str, &str), i64> = BTreeMap::new();
    for count in &counts {
        *of_kind.entry((&count.payer_id, &count.kind)).or_default() += count.requests;
    }
    for count in &counts {
        let all = of_kind
            .get(&(count.payer_id.as_str(), count.kind.as_str()))
            .copied()
            .unwrap_or_default();
        table.rows.push(vec![
            count.payer_id.clone().into(),
            count.kind.clone().into(),
            count.outcome.clone().into(),
            count.requests.into(),
            percent(count.requests, all),
        ]);
    }
    Ok(table)
}

async fn denial_analysis(store: &Store) -> Result<Table, ReportError> {
    let mut table = Table::new(
        "denial-analysis",
        &[
            "payer",
            "adjustment",
            "procedure",
            "denials",
            "amount",
            "claims",
        ],
    );
    /// Payer, adjustment group, reason and procedure.
    type DenialKey = (String, String, String, String);
    // Count, cents, and the distinct claim payments.
    let mut groups: BTreeMap<DenialKey, (i64, i64, Vec<i64>)> = BTreeMap::new();
    for row in store
        .denials(100_000, super::remittance::REDUCTION_REASONS)
        .await?
    {
        let entry = groups
            .entry((
                row.payer,
                row.group_code,
                row.reason_code,
                row.procedure_code.unwrap_or_else(|| "(claim)".to_string()),
            ))
            .or_default();
        entry.0 += 1;
        entry.1 += row.amount_cents;
        if !entry.2.contains(&row.remittance_claim_id) {
            entry.2.push(row.remittance_claim_id);
        }
    }
    for ((payer, group, reason, procedure), (count, cents, claims)) in groups {
        table.rows.push(vec![
            payer.into(),
            describe_adjustment(&group, &reason).into(),
            procedure.into(),
            count.into(),
            money(cents),
            i64::try_from(claims.len()).unwrap_or(i64::MAX).into(),
        ]);
    }
    Ok(table)
}

async fn authorization_denials(store: &Store) -> Result<Table, ReportError> {
    let mut table = Table::new(
        "authorization-denials",
        &[
            "payer",
            "claim",
            "procedure",
            "reason",
            "amount",
            "835 trace",
        ],
    );
    let denials = store
        .denials(100_000, super::remittance::REDUCTION_REASONS)
        .await?;
    let mut denials: Vec<_> = denials
        .into_iter()
        .filter(|row| MISSING_AUTHORIZATION_REASONS.contains(&row.reason_code.as_str()))
        .collect();
    denials
        .sort_by(|a, b| (&a.payer, a.remittance_claim_id).cmp(&(&b.payer, b.remittance_claim_id)));
    for row in denials {
        table.rows.push(vec![
            row.payer.into(),
            row.claim_number
                .unwrap_or(row.patient_control_number)
                .into(),
            row.procedure_code
                .unwrap_or_else(|| "(claim)".to_string())
                .into(),
            describe_adjustment(&row.group_code, &row.reason_code).into(),
            money(row.amount_cents),
            row.trace_number.into(),
        ]);
    }
    Ok(table)
}

async fn reconciliation_audit(store: &Store) -> Result<Table, ReportError> {
    let mut table = Table::new(
        "reconciliation-audit",
        &[
            "trace",
            "payer",
            "payment",
            "balanced",
            "balance notes",
            "CLP01",
            "claim",
            "match",
            "matched by",
            "outcome",
            "charge",
            "paid",
            "posted",
            "variance",
            "variance notes",
        ],
    );
    let rows = sqlx::query(
        "SELECT r.trace_number, COALESCE(p.payer_id, rp.payer_id, r.payer_identifier) AS payer_identifier, \
         r.payment_cents, r.balanced, r.balance_notes, \
         rc.patient_control_number, c.claim_number, rc.match_status, rc.matched_by, rc.outcome, rc.charge_cents, \
         rc.paid_cents, \
         CAST((SELECT COALESCE(SUM(e.amount_cents), 0) FROM reconciliations e WHERE e.remittance_claim_id = rc.id \
          AND e.entry_kind = 'payment') AS BIGINT) AS posted, \
         CAST((SELECT SUM(l.variance_cents) FROM remittance_lines l WHERE l.remittance_claim_id = rc.id) AS BIGINT) \
         AS variance, \
         (SELECT COUNT(*) FROM remittance_lines l WHERE l.remittance_claim_id = rc.id \
          AND l.variance_note IS NOT NULL) AS noted \
         FROM remittances r JOIN remittance_claims rc ON rc.remittance_id = r.id \
         LEFT JOIN claims c ON c.id = rc.claim_id LEFT JOIN payers p ON p.id = c.payer_id \
         LEFT JOIN payers rp ON rp.id = r.payer_id ORDER BY r.id, rc.id",
    )
    .fetch_all(store.pool())
    .await
    .map_err(StoreError::from)?;
    for row in rows {
        let get_i64 = |column: &str| -> Result<i64, StoreError> { Ok(row.try_get(column)?) };
        let variance: Option<i64> = row.try_get("variance").map_err(StoreError::from)?;
        let text = |column: &str| -> Result<Value, StoreError> {
            Ok(row
                .try_get::<Option<String>, _>(column)?
                .map_or(Value::Null, Value::String))
        };
        table.rows.push(vec![
            text("trace_number")?,
            text("payer_identifier")?,
            money(get_i64("payment_cents")?),
            (get_i64("balanced")? != 0).into(),
            text("balance_notes")?,
            text("patient_control_number")?,
            text("claim_number")?,
            text("match_status")?,
            text("matched_by")?,
            text("outcome")?,
            money(get_i64("charge_cents")?),
            money(get_i64("paid_cents")?),
            money(get_i64("posted")?),
            variance.map_or(Value::Null, money),
            get_i64("noted")?.into(),
        ]);
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(payer: &str, billed: i64, paid: i64, contractual: i64, patient: i64) -> ClaimBalance {
        ClaimBalance {
            claim_id: 1,
            claim_number: "SB1".into(),
            bill_id: 1,
            status: if paid == 0 { "denied" } else { "paid" }.into(),
            payer_id: payer.into(),
            payer_name: format!("{payer} plan"),
            billed_cents: billed,
            paid_cents: paid,
            contractual_cents: contractual,
            patient_cents: patient,
            other_cents: 0,
            created_at: 0,
            first_posted_at: Some(3 * 86_400_000),
        }
    }

    #[test]
    fn the_financial_summary_ties_out_per_payer_and_in_total() {
        let claims = [
            claim("HMO1", 18_050, 9_000, 4_050, 2_000),
            claim("HMO1", 10_000, 0, 10_000, 0),
            claim("HMO2", 5_000, 1_000, 0, 0),
        ];
        let table = financial_summary(&claims);
        assert_eq!(table.rows.len(), 3);
        assert_eq!(table.rows[0][3], "280.50");
        assert_eq!(table.rows[0][8], "30.00");
        assert_eq!(table.rows[2][0], "TOTAL");
        assert_eq!(table.rows[2][8], "70.00");
        let performance = payer_performance(&claims);
        assert_eq!(performance.rows[0][4], "3.0");
        assert_eq!(performance.rows[0][5], "32.1%");
        assert_eq!(performance.rows[0][7], "50.0%");
    }

    #[test]
    fn percentages_round_half_away_from_zero_and_keep_their_sign() {
        assert_eq!(percent(1, 3), "33.3%");
        assert_eq!(percent(2, 3), "66.7%");
        assert_eq!(percent(-1, 200), "-0.5%");
        assert_eq!(percent(-1, 3000), "0.0%");
        assert_eq!(percent(5, 0), Value::Null);
    }

    #[test]
    fn csv_quotes_what_needs_quoting() {
        let mut table = Table::new("t", &["a", "b"]);
        table.rows.push(vec!["x, \"y\"".into(), money(-5)]);
        assert_eq!(table.to_csv().unwrap(), "a,b\r\n\"x, \"\"y\"\"\",-0.05\r\n");
    }

    #[test]
    fn ages_fall_in_their_buckets() {
        assert_eq!(
            [0, 30, 31, 60, 61, 90, 91, 400].map(bucket),
            [0, 0, 1, 1, 2, 2, 3, 3]
        );
        let day = 86_400_000;
        let aging = claim_aging(&[claim("HMO1", 10_000, 2_000, 0, 0)], 45 * day);
        assert_eq!(aging.rows[0][4], "80.00");
    }
}
