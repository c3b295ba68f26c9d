//! What eligibility checks, claim status requests and prior authorizations share: the request
//! gets its trace and control numbers, is written, stored, handed to the payer's channel, and
//! waited for until its answer is matched back by trace number or the time is up. Each kind
//! keeps its own fields and its reading of the answer in its own module.

use std::time::Duration;

use super::claims::{control, to_payer};
use super::{Handover, RevenueError};
use crate::config::engine::BillingConfig;
use crate::config::payer::{PayerConfig, parse_day};
use crate::store::Store;
use crate::store::inquiries::{Inquiry, InquiryAnswer, MemberPerson, NewInquiry};
use crate::x12::{Date, NamedParty, SingleSetEnvelope, WriteError};

/// How long a request waits for its answer when it does not say.
pub const DEFAULT_TIMEOUT_SECONDS: u64 = 30;

/// The longest a request may wait.
pub const MAX_TIMEOUT_SECONDS: u64 = 110;

/// What a payer's answer says, as the store keeps it beside the answer itself.
pub trait PayerAnswer: serde::Serialize {
    /// The answer in a word (`active`, `approved`, a 277 status...).
    fn outcome(&self) -> String;
    /// The authorization number and the days it is valid (`YYYY-MM-DD`, when the payer
    /// says), when the answer authorizes something.
    fn authorization(&self) -> Option<(&str, Option<(String, String)>)> {
        None
    }
}

/// Stores `answer` as the answer to the request of kind `kind` with `trace_number`, brought
/// by message `message_id`; the request's id, or `None` when no request of ours has that
/// trace number.
async fn store_answer<A: PayerAnswer>(
    store: &Store,
    kind: &str,
    trace_number: &str,
    answer: &A,
    message_id: Option<i64>,
) -> Result<Option<i64>, RevenueError> {
    let text = serde_json::to_string(answer)
        .map_err(|err| RevenueError::Setup(format!("the answer does not serialize: {err}")))?;
    let authorization = answer.authorization();
    let valid = authorization.as_ref().and_then(|(_, valid)| valid.as_ref());
    Ok(store
        .answer_inquiry(
            kind,
            trace_number,
            &InquiryAnswer {
                outcome: &answer.outcome(),
                answer: &text,
                message_id,
                authorization_number: authorization.as_ref().map(|(number, _)| *number),
                valid: valid.map(|(from, to)| (from.as_str(), to.as_str())),
            },
        )
        .await?)
}

/// The stored answer of `inquiry`, or the empty answer while none came.
pub fn answer_as<T: serde::de::DeserializeOwned + Default>(inquiry: &Inquiry) -> T {
    inquiry
        .answer
        .as_deref()
        .and_then(|answer| serde_json::from_str(answer).ok())
        .unwrap_or_default()
}

/// Reads `timeout_seconds` from a JSON number that is a whole number of seconds, also when
/// written with a fraction of zero (`5.0`).
pub fn whole_seconds<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<u64>, D::Error> {
    let Some(seconds) = <Option<f64> as serde::Deserialize>::deserialize(deserializer)? else {
        return Ok(None);
    };
    if seconds.fract() != 0.0 || !(0.0..=1e9).contains(&seconds) {
        return Err(serde::de::Error::custom(format!(
            "timeout_seconds {seconds} is not a whole number of seconds"
        )));
    }
    // A whole number from 0 to 1e9: the conversion is exact.
    Ok(Some(seconds as u64))
}

/// `timeout_seconds` of a request, checked: the default when absent.
pub fn timeout(seconds: Option<u64>) -> Result<Duration, RevenueError> {
    let seconds = seconds.unwrap_or(DEFAULT_TIMEOUT_SECONDS);
    if seconds > MAX_TIMEOUT_SECONDS {
        return Err(RevenueError::Invalid(format!(
            "timeout_seconds {seconds} is above {MAX_TIMEOUT_SECONDS}"
        )));
    }
    Ok(Duration::from_secs(seconds))
}

/// Refuses `file` when it breaks its implementation guide (nothing is stored or sent); else
/// stores `inquiry`, hands `file` to `channel` and waits at most `limit` for the answer; the
/// stored request as it then stands (`answered`, or `sent` when the time ran out).
async fn send_and_wait(
    store: &Store,
    handover: &dyn Handover,
    inquiry: &NewInquiry<'_>,
    channel: &str,
    file: &[u8],
    limit: Duration,
) -> Result<Inquiry, RevenueError> {
    super::claims::refuse_guide_breaks(file)?;
    let id = store.record_inquiry(inquiry).await?;
    match handover
        .hand_over(channel, file, "application/edi-x12")
        .await
    {
        Ok(message_id) => store.inquiry_sent(id, Ok(message_id)).await?,
        Err(reason) => {
            store.inquiry_sent(id, Err(&reason)).await?;
            return Err(RevenueError::Setup(reason));
        }
    }
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let stored = store
            .inquiry(inquiry.kind, id)
            .await?
            .ok_or_else(|| RevenueError::Setup(format!("{} request {id} is gone", inquiry.kind)))?;
        if stored.status != "sent" || tokio::time::Instant::now() >= deadline {
            return Ok(stored);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A request about to be sent: what the store keeps of it and where it goes.
#[derive(Debug, Clone)]
pub struct Outgoing<'a> {
    /// The kind of request in the store (`eligibility`, `claim_status`, `prior_auth`).
    pub kind: &'a str,
    /// The transaction set it is sent as (`270`), for error messages.
    pub set: &'a str,
    /// The letters its trace number starts with, before nine digits (`SBE`).
    pub trace_prefix: &'a str,
    /// The payer asked.
    pub payer: &'a PayerConfig,
    /// What it is about: the member id, or our claim number.
    pub subject: &'a str,
    /// The request as asked, JSON.
    pub asked: String,
    /// How long to wait for the answer.
    pub limit: Duration,
    /// What a prior authorization is for: the procedure and the date of service.
    pub procedure: Option<(&'a str, Date)>,
}

/// Gives the request its trace number and its interchange and group control numbers, writes
/// it with `write` (given the trace and the two numbers), stores it, hands it to the payer's
/// channel and waits for the answer; the stored request as it then stands.
pub async fn ask<W>(
    store: &Store,
    handover: &dyn Handover,
    outgoing: Outgoing<'_>,
    write: W,
) -> Result<Inquiry, RevenueError>
where
    W: FnOnce(&str, [u32; 2]) -> Result<Vec<u8>, WriteError>,
{
    let trace = format!(
        "{}{:09}",
        outgoing.trace_prefix,
        store.next_number("trace").await?
    );
    let interchange = control(store.next_number("interchange").await?);
    let group = control(store.next_number("group").await?);
    let file = write(&trace, [interchange, group]).map_err(|err| {
        RevenueError::Invalid(format!("the {} cannot be written: {err}", outgoing.set))
    })?;
    let procedure = outgoing.procedure.map(|(code, date)| (code, iso(date)));
    send_and_wait(
        store,
        handover,
        &NewInquiry {
            kind: outgoing.kind,
            payer_id: &outgoing.payer.payer_id,
            subject: outgoing.subject,
            trace_number: &trace,
            request: &outgoing.asked,
            procedure: procedure
                .as_ref()
                .map(|(code, date)| (*code, date.as_str())),
        },
        &outgoing.payer.channel,
        &file,
        outgoing.limit,
    )
    .await
}

/// The request `value` as the store keeps it, JSON.
pub fn asked_json<T: serde::Serialize>(value: &T) -> Result<String, RevenueError> {
    serde_json::to_string(value)
        .map_err(|err| RevenueError::Setup(format!("the request does not serialize: {err}")))
}

/// What a request about one member starts from.
#[derive(Debug, Clone)]
pub struct MemberRequest {
    /// The interchange to the payer, dated now.
    pub envelope: SingleSetEnvelope,
    /// The date of service: the request's, today otherwise.
    pub service_date: Date,
    /// What our store knows of the person with that member id (nothing when unknown).
    pub known: MemberPerson,
    /// How long to wait for the answer.
    pub limit: Duration,
}

/// Checks what a request to `payer` says of the member (`about`: their member id, the date of
/// service and the seconds to wait for the answer), and looks the member up among our
/// patients' coverages.
pub async fn member_request(
    store: &Store,
    billing: &BillingConfig,
    payer: &PayerConfig,
    (member_id, date, timeout_seconds): (&str, &Option<String>, Option<u64>),
) -> Result<MemberRequest, RevenueError> {
    if !plain_id(member_id, 80) {
        return Err(RevenueError::Invalid(
            "member_id must be 1-80 letters, digits, '-', '.' or '_'".into(),
        ));
    }
    let limit = timeout(timeout_seconds)?;
    let envelope = to_payer(billing, payer)?;
    let service_date = match date.as_deref() {
        Some(text) => request_date("date", text)?,
        None => envelope.date,
    };
    let known = store
        .member_person(&payer.payer_id, member_id)
        .await?
        .unwrap_or_default();
    Ok(MemberRequest {
        envelope,
        service_date,
        known,
        limit,
    })
}

/// An answer read from a response: its trace number, and what it says.
#[derive(Debug, Clone)]
pub struct Answer<A> {
    /// TRN02 returned by the response.
    pub trace: String,
    /// What the response says.
    pub answer: A,
    /// The answer in a word.
    pub outcome: String,
    /// The request it answers, when one of ours has that trace number.
    pub matched: Option<i64>,
}

impl<A> Answer<A> {
    /// What was done with it, in a line: `{noun} {id}: {outcome}`, or that no request of ours
    /// has its trace number (`set`: the response's transaction set).
    pub fn line(&self, noun: &str, set: &str) -> String {
        match self.matched {
            Some(id) => format!("{noun} {id}: {}", self.outcome),
            None => format!("{set} for unknown trace number '{}'", self.trace),
        }
    }
}

/// Stores each of `answers` (trace number, answer) with the request of kind `kind` it answers,
/// brought by message `message_id`; each answer with the request it matched.
pub async fn store_answers<A: PayerAnswer>(
    store: &Store,
    kind: &str,
    answers: Vec<(String, A)>,
    message_id: Option<i64>,
) -> Result<Vec<Answer<A>>, RevenueError> {
    let mut stored = Vec::new();
    for (trace, answer) in answers {
        let matched = store_answer(store, kind, &trace, &answer, message_id).await?;
        let outcome = answer.outcome();
        stored.push(Answer {
            trace,
            answer,
            outcome,
            matched,
        });
    }
    Ok(stored)
}

/// The payer as the first level of a request names it (NM1 `PI`: its payer id).
pub fn payer_party(payer: &PayerConfig) -> NamedParty {
    NamedParty {
        name: payer.name.clone(),
        id_qualifier: "PI".into(),
        id: payer.payer_id.clone(),
    }
}

/// Our organization as the provider asking, identified by `npi` (NM1 `XX`).
pub fn provider_party(billing: &BillingConfig, npi: &str) -> NamedParty {
    NamedParty {
        name: billing.organization_name.clone(),
        id_qualifier: "XX".into(),
        id: npi.to_owned(),
    }
}

/// `YYYY-MM-DD` of a date.
pub fn iso(date: Date) -> String {
    let text = date.ccyymmdd();
    format!("{}-{}-{}", &text[..4], &text[4..6], &text[6..])
}

/// A date `YYYY-MM-DD` from a request, or a clear refusal naming `field`.
pub fn request_date(field: &str, text: &str) -> Result<Date, RevenueError> {
    parse_day(text)
        .and_then(|(year, month, day)| Date::new(year, month, day))
        .ok_or_else(|| RevenueError::Invalid(format!("{field} '{text}' is not a date YYYY-MM-DD")))
}

/// Whether `value` is 1 to `max` letters, digits, '-', '.' or '_': what we write into X12
/// identifiers taken from a request.
pub fn plain_id(value: &str, max: usize) -> bool {
    !value.is_empty()
        && value.len() <= max
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b))
}

/// TRN03: `1` and the billing provider's EIN when it has nine digits, else `9` and the
/// submitter id, ten characters either way.
pub fn trace_assigner(billing: &BillingConfig) -> String {
    let digits: String = billing
        .tax_id
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    if digits.len() == 9 {
        format!("1{digits}")
    } else {
        let id: String = billing
            .submitter_id
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(9)
            .collect();
        format!("9{id:0>9}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_values_are_checked() {
        assert!(request_date("date", "2026-02-30").is_err());
        assert_eq!(
            request_date("date", "2026-02-28").unwrap(),
            Date::new(2026, 2, 28).unwrap()
        );
        assert!(plain_id("MEM-1.2_3", 80) && !plain_id("A*B", 80) && !plain_id("", 80));
    }
}
