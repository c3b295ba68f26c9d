//! Inbound acknowledgments and remittances applied to our claims (999, 277CA, 835), and the 999
//! that answers an inbound interchange.

use super::RevenueError;
use super::claims::{control, now_date_time};
use crate::store::Store;
use crate::store::claims::StatusChange;
use crate::x12::{self, Disposition};

/// What a 999 moves: a claim the payer has not answered yet. A 999 that arrives after the
/// payer's 277CA (late, or sent again) leaves the claim where the 277CA put it.
const BEFORE_THE_PAYER_ANSWERS: &[&str] = &["submitted", "acknowledged"];

/// What a 277CA moves: a claim not yet paid, adjusted, replaced or voided (a later 277CA may
/// change an earlier one's answer).
const BEFORE_PAYMENT: &[&str] = &[
    "submitted",
    "acknowledged",
    "accepted",
    "rejected",
    "pending",
];

/// Applies an inbound 999, 277CA or 835 to our claims, or a 271, 277 (claim status) or 278 to the
/// request it answers; returns what it did, one line per claim or request. `source` names where it came
/// from (channel and message) in the ledger of what it posts; `message_id` is that message.
pub async fn apply_acknowledgment(
    store: &Store,
    raw: &[u8],
    source: &str,
    message_id: Option<i64>,
) -> Result<Vec<String>, RevenueError> {
    let facts = crate::message::Message::read(raw)
        .map_err(|err| RevenueError::Unreadable(err.to_string()))?
        .facts;
    if matches!(
        facts.transaction_set.as_deref(),
        Some("999" | "277" | "835" | "271")
    ) {
        refuse_rejected_sets(raw)?;
    }
    let mut done = Vec::new();
    match facts.transaction_set.as_deref() {
        Some("999") => {
            let read =
                x12::read_999(raw).map_err(|err| RevenueError::Unreadable(err.to_string()))?;
            let documents: Vec<_> = read.interchanges().flat_map(|one| &one.documents).collect();
            for ack in documents {
                let Ok(group) = ack.group.control_number.trim().parse::<i64>() else {
                    done.push(format!(
                        "999 for group '{}': not one of ours",
                        ack.group.control_number
                    ));
                    continue;
                };
                for set in &ack.group.sets {
                    let claims = store
                        .claims_in_transaction(group, set.control_number.trim_start_matches('0'))
                        .await?;
                    let claims = if claims.is_empty() {
                        store
                            .claims_in_transaction(group, &set.control_number)
                            .await?
                    } else {
                        claims
                    };
                    let accepted = set.code.is_accepted();
                    let detail = if accepted {
                        format!(
                            "999: transaction set {} of group {group} accepted",
                            set.control_number
                        )
                    } else {
                        let errors: Vec<String> = set
                            .syntax_errors
                            .iter()
                            .map(|e| format!("{e:?}"))
                            .chain(set.segment_errors.iter().map(|e| format!("{e:?}")))
                            .collect();
                        format!(
                            "999: transaction set {} of group {group} rejected ({}): {}",
                            set.control_number,
                            set.code.code(),
                            errors.join("; ")
                        )
                    };
                    for claim in claims {
                        let change = StatusChange {
                            to: if accepted { "acknowledged" } else { "rejected" },
                            only_from: Some(BEFORE_THE_PAYER_ANSWERS),
                        };
                        let status = store
                            .set_claim_status(claim, &change, &detail, None)
                            .await?;
                        done.push(format!("claim {claim}: {status}"));
                    }
                }
            }
        }
        Some("277") if super::claim_status::is_status_response(raw) => {
            done.extend(super::claim_status::apply_277_status(store, raw, message_id).await?);
        }
        Some("277") => {
            let read =
                x12::read_277ca(raw).map_err(|err| RevenueError::Unreadable(err.to_string()))?;
            let documents: Vec<_> = read.interchanges().flat_map(|one| &one.documents).collect();
            for ack in documents {
                for status in &ack.claims {
                    let Some(claim) = store
                        .claim_by_number(&status.patient_control_number)
                        .await?
                    else {
                        done.push(format!(
                            "277CA for unknown claim {}",
                            status.patient_control_number
                        ));
                        continue;
                    };
                    let codes: Vec<String> = status
                        .statuses
                        .iter()
                        .flat_map(|s| s.codes.iter())
                        .map(|c| match &c.status {
                            Some(code) => format!("{}:{code}", c.category),
                            None => c.category.clone(),
                        })
                        .collect();
                    let messages: Vec<&str> = status
                        .statuses
                        .iter()
                        .filter_map(|s| s.message.as_deref())
                        .collect();
                    let (new_status, what) = match status.disposition() {
                        Disposition::Accepted => ("accepted", "accepted"),
                        Disposition::Rejected => ("rejected", "rejected"),
                        _ => ("pending", "pending"),
                    };
                    let detail =
                        format!("277CA {what}: {} {}", codes.join(" "), messages.join(" "))
                            .trim()
                            .to_string();
                    let change = StatusChange {
                        to: new_status,
                        only_from: Some(BEFORE_PAYMENT),
                    };
                    let now = store
                        .set_claim_status(
                            claim,
                            &change,
                            &detail,
                            status.payer_claim_control_number(),
                        )
                        .await?;
                    done.push(format!("claim {}: {now}", status.patient_control_number));
                }
            }
        }
        Some("278") => {
            done.extend(super::prior_auth::apply_278(store, raw, message_id).await?);
        }
        Some("271") => {
            done.extend(super::eligibility::apply_271(store, raw, message_id).await?);
        }
        Some("835") => {
            let report = super::remittance::import_835(store, raw, source).await?;
            done.extend(report.posted);
            done.extend(report.unmatched.iter().map(|c| format!("{c}: unmatched")));
            done.extend(
                report
                    .already_imported
                    .iter()
                    .map(|t| format!("trace {t}: already imported")),
            );
            for problem in &report.unbalanced {
                tracing::warn!(%problem, "835 does not balance");
            }
        }
        other => {
            return Err(RevenueError::Unreadable(format!(
                "expected a 999, 277CA, 835, 271 or 278, got transaction set {}",
                other.unwrap_or("(none)")
            )));
        }
    }
    Ok(done)
}

/// Refuses a file (999, 277CA or 277, 835, 271) with a transaction set its implementation guide rejects (the 999 answering
/// it says `IK5*R`): nothing of it is applied, and the error lists each rejected set with its
/// IK3/IK4 reasons.
fn refuse_rejected_sets(raw: &[u8]) -> Result<(), RevenueError> {
    let validation =
        x12::guide::validate(raw).map_err(|err| RevenueError::Unreadable(err.to_string()))?;
    let rejected: Vec<String> = validation
        .sets
        .iter()
        .filter(|set| set.is_rejected())
        .map(|set| {
            let reasons: Vec<String> = set
                .findings
                .iter()
                .map(|f| format!("segment {}: {}", f.ordinal, f.describe()))
                .collect();
            format!(
                "transaction set {} {} breaks {}: {}",
                set.id_code,
                set.control_number,
                set.guide.as_deref().unwrap_or("its guide"),
                reasons.join("; ")
            )
        })
        .collect();
    if rejected.is_empty() {
        Ok(())
    } else {
        Err(RevenueError::Unreadable(format!(
            "not applied, rejected by the implementation guide: {}",
            rejected.join(" | ")
        )))
    }
}

/// The 999s that answer an inbound file: for each interchange in it (files may hold several),
/// accepted, accepted with errors or rejected per transaction set, from the envelope checks
/// and the implementation guides (IK3/IK4/CTX for each error),
/// written one after the other. `None` when the file holds only acknowledgments (999,
/// TA1-only interchanges), which are never acknowledged themselves.
pub async fn acknowledgment_for(
    store: &Store,
    raw: &[u8],
) -> Result<Option<Vec<u8>>, RevenueError> {
    let validation =
        x12::guide::validate(raw).map_err(|err| RevenueError::Unreadable(err.to_string()))?;
    let mut answer = Vec::new();
    for report in validation.reports.iter().filter(|r| x12::wants_999(r)) {
        let acks = x12::acknowledge_validated(report, &validation);
        let (date, time) = now_date_time()?;
        let envelope = x12::AckEnvelope {
            interchange_control_number: control(store.next_number("interchange").await?),
            group_control_number: control(store.next_number("group").await?),
            first_transaction_control_number: control(store.next_number("transaction").await?),
            date,
            time,
            line_breaks: true,
        };
        let written = x12::write_999(&report.interchange, &acks, &envelope)
            .map_err(|err| RevenueError::Unreadable(err.to_string()))?;
        answer.extend(written);
    }
    Ok((!answer.is_empty()).then_some(answer))
}
