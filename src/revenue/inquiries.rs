//! What eligibility checks and claim status requests share: the request is stored, handed to
//! the payer's channel, and waited for until its answer is matched back or the time is up.

use std::time::Duration;

use super::{Handover, RevenueError};
use crate::store::Store;
use crate::store::inquiries::{Inquiry, InquiryAnswer, NewInquiry};

/// How long a request waits for its answer when it does not say.
pub const DEFAULT_TIMEOUT_SECONDS: u64 = 30;

/// The longest a request may wait.
pub const MAX_TIMEOUT_SECONDS: u64 = 110;

/// Stores `answer` (in a word: `outcome`) as the answer to the request of kind `kind` with
/// `trace_number`, brought by message `message_id`; the request's id, or `None` when no request
/// of ours has that trace number.
pub async fn store_answer<A: serde::Serialize>(
    store: &Store,
    kind: &str,
    trace_number: &str,
    answer: &A,
    outcome: &str,
    message_id: Option<i64>,
) -> Result<Option<i64>, RevenueError> {
    let text = serde_json::to_string(answer)
        .map_err(|err| RevenueError::Setup(format!("the answer does not serialize: {err}")))?;
    Ok(store
        .answer_inquiry(
            kind,
            trace_number,
            &InquiryAnswer {
                outcome,
                answer: &text,
                message_id,
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
pub async fn send_and_wait(
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
