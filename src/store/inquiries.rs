//! Questions asked of payers (eligibility, claim status, prior authorization) and their
//! answers: one row per request, found again by its trace number when the answer arrives.

use serde::Serialize;
use sqlx::Row;

use super::{Store, StoreError, now_millis};

/// A request about to be sent.
#[derive(Debug, Clone)]
pub struct NewInquiry<'a> {
    /// `eligibility`, `claim_status` or `prior_auth`.
    pub kind: &'a str,
    /// The payer's id.
    pub payer_id: &'a str,
    /// What it is about: the member id, or our claim number.
    pub subject: &'a str,
    /// The trace number the answer will carry back (TRN02).
    pub trace_number: &'a str,
    /// The request as asked, JSON.
    pub request: &'a str,
    /// What a prior authorization is for: the procedure and the date of service
    /// (`YYYY-MM-DD`), for the claims that will need its number.
    pub procedure: Option<(&'a str, &'a str)>,
}

/// A stored request and, once it came, its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inquiry {
    /// Row id.
    pub id: i64,
    /// `eligibility`, `claim_status` or `prior_auth`.
    pub kind: String,
    /// The payer's id.
    pub payer_id: String,
    /// The member id, or our claim number, asked about.
    pub subject: String,
    /// TRN02 of the request.
    pub trace_number: String,
    /// The request, JSON.
    pub request: String,
    /// The request as a message of the payer's channel.
    pub request_message_id: Option<i64>,
    /// `sending`, `sent`, `answered` or `failed`.
    pub status: String,
    /// Why it could not be sent.
    pub error: Option<String>,
    /// The answer in a word (`active`, `not found`, `approved`, a 277 status...).
    pub outcome: Option<String>,
    /// The answer, JSON.
    pub answer: Option<String>,
    /// The message that brought the answer.
    pub answer_message_id: Option<i64>,
    /// Unix ms.
    pub created_at: i64,
    /// Unix ms.
    pub answered_at: Option<i64>,
}

/// An answer matched to its request.
#[derive(Debug, Clone, Serialize)]
pub struct InquiryAnswer<'a> {
    /// The answer in a word.
    pub outcome: &'a str,
    /// The answer, JSON.
    pub answer: &'a str,
    /// The message that brought it.
    pub message_id: Option<i64>,
    /// The authorization number, when the answer authorizes.
    pub authorization_number: Option<&'a str>,
    /// The days the authorization is valid, `YYYY-MM-DD`, when the payer says (the date of
    /// service asked otherwise).
    pub valid: Option<(&'a str, &'a str)>,
}

/// `SELECT` of every column, then `$rest` of the statement.
macro_rules! select {
    ($rest:literal) => {
        concat!(
            "SELECT id, kind, payer_id, subject, trace_number, request, request_message_id, \
             status, error, outcome, answer, answer_message_id, created_at, answered_at \
             FROM payer_inquiries ",
            $rest
        )
    };
}

fn inquiry_of(row: &sqlx::any::AnyRow) -> Result<Inquiry, StoreError> {
    Ok(Inquiry {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        payer_id: row.try_get("payer_id")?,
        subject: row.try_get("subject")?,
        trace_number: row.try_get("trace_number")?,
        request: row.try_get("request")?,
        request_message_id: row.try_get("request_message_id")?,
        status: row.try_get("status")?,
        error: row.try_get("error")?,
        outcome: row.try_get("outcome")?,
        answer: row.try_get("answer")?,
        answer_message_id: row.try_get("answer_message_id")?,
        created_at: row.try_get("created_at")?,
        answered_at: row.try_get("answered_at")?,
    })
}

/// Who holds a member id, as our coverages record it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberPerson {
    /// Family name.
    pub family_name: Option<String>,
    /// Given name.
    pub given_name: Option<String>,
    /// Date of birth, `YYYY-MM-DD`.
    pub birth_date: Option<String>,
}

/// The latest answered eligibility check of a coverage (payer and member id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CoverageEligibility {
    /// The check's id (`GET /api/eligibility/{id}`).
    pub check_id: i64,
    /// What the payer said: `active`, `inactive`, `not found` or `rejected`.
    pub status: String,
    /// When the answer came, Unix ms.
    pub checked_at: Option<i64>,
}

/// A prior authorization asked for a coverage's member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CoverageAuthorization {
    /// The request's id (`GET /api/prior-auth/{id}`).
    pub id: i64,
    /// The procedure (CPT/HCPCS).
    pub procedure: Option<String>,
    /// The date of service asked, `YYYY-MM-DD`.
    pub service_date: Option<String>,
    /// `approved`, `pended` or `denied`, or the request's state while undecided (`sent`,
    /// `failed`).
    pub decision: String,
    /// The authorization number, when approved.
    pub authorization_number: Option<String>,
    /// First day it is valid, `YYYY-MM-DD` (once approved).
    pub valid_from: Option<String>,
    /// Last day it is valid, `YYYY-MM-DD`.
    pub valid_to: Option<String>,
}

/// How many requests of one kind to one payer ended one way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InquiryCount {
    /// The payer's id.
    pub payer_id: String,
    /// `eligibility`, `claim_status` or `prior_auth`.
    pub kind: String,
    /// The answer in a word, or the request's state while unanswered (`sent`, `failed`).
    pub outcome: String,
    /// How many.
    pub requests: i64,
}

impl Store {
    /// Requests counted by payer, kind and outcome, in that order.
    pub async fn inquiry_counts(&self) -> Result<Vec<InquiryCount>, StoreError> {
        let rows = sqlx::query(
            "SELECT payer_id, kind, COALESCE(outcome, status) AS outcome, COUNT(*) AS requests \
             FROM payer_inquiries GROUP BY payer_id, kind, COALESCE(outcome, status) \
             ORDER BY payer_id, kind, outcome",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(InquiryCount {
                    payer_id: row.try_get("payer_id")?,
                    kind: row.try_get("kind")?,
                    outcome: row.try_get("outcome")?,
                    requests: row.try_get("requests")?,
                })
            })
            .collect()
    }

    /// The patient whose coverage with payer `payer_id` has `member_id`, when we know one
    /// (the most recently updated).
    pub async fn member_person(
        &self,
        payer_id: &str,
        member_id: &str,
    ) -> Result<Option<MemberPerson>, StoreError> {
        let row = sqlx::query(
            "SELECT pt.family_name, pt.given_name, pt.birth_date FROM coverages c \
             JOIN payers p ON p.id = c.payer_id JOIN patients pt ON pt.id = c.patient_id \
             WHERE p.payer_id = $1 AND c.member_id = $2 ORDER BY c.updated_at DESC LIMIT 1",
        )
        .bind(payer_id)
        .bind(member_id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            Ok(MemberPerson {
                family_name: row.try_get("family_name")?,
                given_name: row.try_get("given_name")?,
                birth_date: row.try_get("birth_date")?,
            })
        })
        .transpose()
    }

    /// Records a request before it is sent; its id.
    pub async fn record_inquiry(&self, inquiry: &NewInquiry<'_>) -> Result<i64, StoreError> {
        let row = self.write_returning(
            sqlx::query(
            "INSERT INTO payer_inquiries (kind, payer_id, subject, trace_number, request, status, created_at, \
             procedure_code, service_date) \
             VALUES ($1, $2, $3, $4, $5, 'sending', $6, $7, $8) RETURNING id",
        )
        .bind(inquiry.kind)
        .bind(inquiry.payer_id)
        .bind(inquiry.subject)
        .bind(inquiry.trace_number)
        .bind(inquiry.request)
        .bind(now_millis())
        .bind(inquiry.procedure.map(|(code, _)| code))
        .bind(inquiry.procedure.map(|(_, date)| date)),
        )
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
        Ok(row.try_get("id")?)
    }

    /// Notes that a request left as message `message_id`, or why it could not (`failed`). An
    /// answer that came back first is kept.
    pub async fn inquiry_sent(&self, id: i64, sent: Result<i64, &str>) -> Result<(), StoreError> {
        let (message_id, error) = match sent {
            Ok(message_id) => (Some(message_id), None),
            Err(reason) => (None, Some(reason)),
        };
        self.write_execute(
            sqlx::query(
            "UPDATE payer_inquiries SET request_message_id = $1, error = $2, \
             status = CASE WHEN status = 'answered' THEN status WHEN $2 IS NULL THEN 'sent' ELSE 'failed' END \
             WHERE id = $3",
        )
        .bind(message_id)
        .bind(error)
        .bind(id),
        )
        .await?;
        Ok(())
    }

    /// Stores the answer to the request of kind `kind` with `trace_number`; the request's id,
    /// or `None` when no request of ours has that trace number.
    pub async fn answer_inquiry(
        &self,
        kind: &str,
        trace_number: &str,
        answer: &InquiryAnswer<'_>,
    ) -> Result<Option<i64>, StoreError> {
        let row = sqlx::query(
            "UPDATE payer_inquiries SET status = 'answered', outcome = $1, answer = $2, \
             answer_message_id = $3, answered_at = $4, authorization_number = $7, \
             valid_from = CASE WHEN $7 IS NULL THEN NULL ELSE COALESCE($8, service_date) END, \
             valid_to = CASE WHEN $7 IS NULL THEN NULL ELSE COALESCE($9, service_date) END \
             WHERE kind = $5 AND trace_number = $6 RETURNING id",
        )
        .bind(answer.outcome)
        .bind(answer.answer)
        .bind(answer.message_id)
        .bind(now_millis())
        .bind(kind)
        .bind(trace_number)
        .bind(answer.authorization_number)
        .bind(answer.valid.map(|(from, _)| from))
        .bind(answer.valid.map(|(_, to)| to))
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|r| r.try_get("id")).transpose()?)
    }

    /// One request of kind `kind`.
    pub async fn inquiry(&self, kind: &str, id: i64) -> Result<Option<Inquiry>, StoreError> {
        let row = sqlx::query(select!("WHERE kind = $1 AND id = $2"))
            .bind(kind)
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(inquiry_of).transpose()
    }

    /// The latest requests of kind `kind` (about `subject` when given), newest first, at most
    /// `limit` (1 to 1000).
    pub async fn inquiries(
        &self,
        kind: &str,
        subject: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Inquiry>, StoreError> {
        let rows = sqlx::query(select!(
            "WHERE kind = $1 AND ($2 IS NULL OR subject = $2) ORDER BY id DESC LIMIT $3"
        ))
        .bind(kind)
        .bind(subject)
        .bind(limit.clamp(1, 1000))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(inquiry_of).collect()
    }

    /// The latest answered eligibility check of the member `member_id` of payer `payer_id`.
    pub async fn latest_eligibility(
        &self,
        payer_id: &str,
        member_id: &str,
    ) -> Result<Option<CoverageEligibility>, StoreError> {
        let row = sqlx::query(
            "SELECT id, outcome, answered_at FROM payer_inquiries \
             WHERE payer_id = $1 AND subject = $2 AND kind = 'eligibility' AND status = 'answered' \
             ORDER BY id DESC LIMIT 1",
        )
        .bind(payer_id)
        .bind(member_id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            Ok(CoverageEligibility {
                check_id: row.try_get("id")?,
                status: row
                    .try_get::<Option<String>, _>("outcome")?
                    .unwrap_or_else(|| "answered".into()),
                checked_at: row.try_get("answered_at")?,
            })
        })
        .transpose()
    }

    /// The prior authorizations asked for the member `member_id` of payer `payer_id`, newest
    /// first.
    pub async fn member_authorizations(
        &self,
        payer_id: &str,
        member_id: &str,
    ) -> Result<Vec<CoverageAuthorization>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, procedure_code, service_date, COALESCE(outcome, status) AS decision, \
             authorization_number, valid_from, valid_to FROM payer_inquiries \
             WHERE payer_id = $1 AND subject = $2 AND kind = 'prior_auth' ORDER BY id DESC LIMIT 100",
        )
        .bind(payer_id)
        .bind(member_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(CoverageAuthorization {
                    id: row.try_get("id")?,
                    procedure: row.try_get("procedure_code")?,
                    service_date: row.try_get("service_date")?,
                    decision: row.try_get("decision")?,
                    authorization_number: row.try_get("authorization_number")?,
                    valid_from: row.try_get("valid_from")?,
                    valid_to: row.try_get("valid_to")?,
                })
            })
            .collect()
    }

    /// The number of an approved authorization of `procedure` for the member `member_id` of
    /// payer `payer_id`, valid on `service_date` (`YYYY-MM-DD`): the latest, when several.
    pub async fn approved_authorization(
        &self,
        payer_id: &str,
        member_id: &str,
        procedure: &str,
        service_date: &str,
    ) -> Result<Option<String>, StoreError> {
        let row = sqlx::query(
            "SELECT authorization_number FROM payer_inquiries \
             WHERE payer_id = $1 AND subject = $2 AND kind = 'prior_auth' AND procedure_code = $3 \
             AND outcome = 'approved' AND authorization_number IS NOT NULL \
             AND valid_from <= $4 AND valid_to >= $4 ORDER BY id DESC LIMIT 1",
        )
        .bind(payer_id)
        .bind(member_id)
        .bind(procedure)
        .bind(service_date)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|r| r.try_get("authorization_number")).transpose()?)
    }
}
