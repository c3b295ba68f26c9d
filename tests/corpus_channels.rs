//! The conformance corpus (`tests/fixtures/corpus/`) sent through the shipped channels of one
//! running engine, the way a partner sends it: every HL7 v2 file over MLLP to
//! `hl7v2-mllp-inbound`, every X12 file dropped in the X12 inbox.
//!
//! For every file, against `manifest.toml`: what the engine answers (the ACK code of each HL7
//! message, `acks`; processed/ or error/ with a reason for each X12 file), what it keeps (one
//! message row per message, with its status, and its deliveries), and above all that nothing it
//! acknowledged is missing: every message answered AA/AE/AR or moved to processed/ or error/ has
//! its row with the exact bytes sent. Then the whole corpus is sent again, as a sender retrying
//! does: a resend of a kept message is answered as a duplicate naming the original, which holds
//! the same content; one that failed, or that has no control id, is kept again.
//!
//! Every mismatch of every file is reported in one failure; a file marked `known_defect_e2e` is
//! reported but does not fail the test, and fails once the defect is gone, so that the mark is
//! removed.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::{Duration, Instant};

use common::corpus::{Entry, Kind, corpus_dir, load_manifest};
use common::{Engine, event_details, eventually, free_port, shipped_files_on_free_ports};
use switchboard::hl7v2::Message;
use switchboard::hl7v2::batch::split_messages;
use switchboard::store::deliveries::DeliveryStatus;
use switchboard::store::messages::{MessageStatus, MessageSummary};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const MLLP_CHANNEL: &str = "hl7v2-mllp-inbound";
const X12_CHANNEL: &str = "x12-inbox";
const X12_INBOX: &str = "data/inbox/x12";
/// Message types the shipped routes (`config/routes.toml`) send to the canonical store (the
/// clinical ones with their resources); the other HL7 v2 messages are kept and acknowledged but
/// filtered.
const ROUTED_TYPES: [&str; 12] = [
    "ADT", "DFT", "BAR", "ORU", "ORM", "OML", "OMP", "RDE", "SIU", "VXU", "MDM", "PPR",
];
/// The name under which an X12 file is dropped again.
const RESEND_PREFIX: &str = "resend-";

/// Problems found, per corpus file.
type Problems = BTreeMap<String, Vec<String>>;

/// One HL7 v2 message as sent, and what became of it.
struct Sent<'a> {
    entry: &'a Entry,
    /// 1-based position in its file.
    index: usize,
    bytes: Vec<u8>,
    /// MSA-1, or `None` when no ACK came.
    ack: Option<String>,
    /// MSA-3 (or ERR-8).
    text: String,
    /// The row the message got, or the row a duplicate ACK names.
    row: Option<i64>,
    /// Answered as a duplicate, and stored no row.
    duplicate: bool,
}

impl Sent<'_> {
    fn problem(&self, problems: &mut Problems, text: String) {
        problems
            .entry(self.entry.file.clone())
            .or_default()
            .push(format!("message {}: {text}", self.index));
    }

    /// MSH-10, when the message reads and has one.
    fn control_id(&self) -> Option<String> {
        Message::parse(&self.bytes)
            .ok()?
            .control_id()
            .map(|c| c.into_owned())
            .filter(|c| !c.is_empty())
    }
}

/// The shipped configuration, every listener on a free port, the X12 inbox settling fast.
async fn start_engine(mllp_port: u16) -> Engine {
    let files: Vec<(String, String)> = shipped_files_on_free_ports(mllp_port, free_port())
        .into_iter()
        .map(|(path, text)| {
            let text = if path == "channels/x12-inbox.toml" {
                text.replace("poll_seconds = 1", "poll_seconds = 1\nsettle_ms = 100")
            } else {
                text
            };
            (path, text)
        })
        .collect();
    let borrowed: Vec<(&str, String)> =
        files.iter().map(|(p, t)| (p.as_str(), t.clone())).collect();
    let engine = Engine::start(&borrowed).await;
    engine
        .eventually("MLLP listens", || async {
            TcpStream::connect(("127.0.0.1", mllp_port)).await.is_ok()
        })
        .await;
    let inbox = engine.path(X12_INBOX);
    engine
        .eventually("the X12 inbox exists", || async { inbox.exists() })
        .await;
    engine
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn corpus_bytes(entry: &Entry) -> Vec<u8> {
    std::fs::read(corpus_dir().join(&entry.file)).unwrap()
}

/// Drops every X12 file in the inbox as `prefix` + its name, each written whole: under a hidden
/// name (which file sources skip), then renamed, as a careful partner does.
fn drop_x12(inbox: &Path, entries: &[&Entry], prefix: &str) {
    for entry in entries {
        let name = format!("{prefix}{}", file_name(&entry.file));
        let hidden = inbox.join(format!(".{name}.part"));
        std::fs::write(&hidden, corpus_bytes(entry)).unwrap();
        std::fs::rename(&hidden, inbox.join(name)).unwrap();
    }
}

/// Waits until the inbox has taken every file dropped as `prefix` + its name.
async fn x12_taken(inbox: &Path, entries: &[&Entry], prefix: &str) {
    eventually(
        "every X12 file has left the inbox",
        Duration::from_secs(30),
        || async {
            entries.iter().all(|e| {
                !inbox
                    .join(format!("{prefix}{}", file_name(&e.file)))
                    .exists()
            })
        },
    )
    .await;
}

/// Sends `payload` in an MLLP frame and reads the answer's frame (10 s at most).
async fn exchange(stream: &mut TcpStream, payload: &[u8]) -> Result<Vec<u8>, String> {
    let mut frame = vec![0x0b];
    frame.extend_from_slice(payload);
    frame.extend_from_slice(&[0x1c, 0x0d]);
    stream
        .write_all(&frame)
        .await
        .map_err(|e| format!("write: {e}"))?;
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut chunk))
            .await
            .map_err(|_| "no ACK within 10 s".to_string())?
            .map_err(|e| format!("read: {e}"))?;
        if n == 0 {
            return Err("connection closed without an ACK".into());
        }
        buffer.extend_from_slice(&chunk[..n]);
        if let Some(end) = buffer.windows(2).position(|w| w == [0x1c, 0x0d]) {
            let start = buffer.iter().position(|b| *b == 0x0b).map_or(0, |i| i + 1);
            return Ok(buffer[start.min(end)..end].to_vec());
        }
    }
}

/// MSA-1, MSA-2 and the ACK's text (MSA-3, or ERR-8 from v2.7 on, where MSA-3 is withdrawn).
fn read_ack(ack: &[u8]) -> Option<(String, String, String)> {
    let message = Message::parse(ack).ok()?;
    let field = |path: &str| {
        message
            .get(path)
            .map(|v| v.into_owned())
            .unwrap_or_default()
    };
    let mut text = field("MSA-3");
    if text.is_empty() {
        text = field("ERR-8");
    }
    Some((field("MSA-1"), field("MSA-2"), text))
}

/// The message id a text names ("stored as message 7", "duplicate of message 7; ...").
fn named_id(text: &str) -> Option<i64> {
    let (_, rest) = text.split_once("message ")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// The ids of a channel's message rows.
async fn row_ids(engine: &Engine, channel: &str) -> BTreeSet<i64> {
    engine
        .channel_messages(channel)
        .await
        .into_iter()
        .map(|m| m.id)
        .collect()
}

/// `bytes` without the whitespace and line endings at its end (how resends are compared).
fn trimmed(bytes: &[u8]) -> &[u8] {
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |i| i + 1);
    &bytes[..end]
}

/// Sends every message of every HL7 v2 file over one MLLP connection and checks what holds
/// whatever the message: the ACK reads, echoes MSH-10, gives a reason unless AA, and the message
/// is stored with the exact bytes sent (a duplicate's original with the same content).
async fn send_hl7<'a>(
    engine: &Engine,
    port: u16,
    entries: &[&'a Entry],
    problems: &mut Problems,
) -> Vec<Sent<'a>> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let mut known = row_ids(engine, MLLP_CHANNEL).await;
    let mut sent = Vec::new();
    for entry in entries {
        // As `switchboard send` does: a file may hold several messages, each starting at an MSH;
        // a BOM and blank lines are dropped, and LF or CRLF segment ends become CR, the HL7 v2
        // segment terminator a real MLLP sender writes.
        for (i, payload) in split_messages(&corpus_bytes(entry)).into_iter().enumerate() {
            let mut found = Vec::new();
            let answer = match exchange(&mut stream, &payload).await {
                Ok(answer) => Some(answer),
                Err(err) => {
                    found.push(err);
                    stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
                    None
                }
            };
            let read = answer.as_deref().map(read_ack);
            if let (Some(answer), Some(None)) = (&answer, &read) {
                found.push(format!(
                    "the answer is no readable ACK: {:?}",
                    String::from_utf8_lossy(answer)
                ));
            }
            let (code, msa2, text) = read.flatten().unwrap_or_default();
            let answered = answer.is_some();
            if answered && code != "AA" && text.trim().is_empty() {
                found.push(format!("answered {code} without a reason"));
            }
            if let (true, Ok(message)) = (answered, Message::parse(&payload)) {
                let control_id = message.control_id().unwrap_or_default();
                // Before v2.6 MSA-2 is at most 20 characters: a longer MSH-10 is echoed cut.
                let version = message.version().unwrap_or_default();
                let cut = control_id.len() > 20
                    && version.as_ref() < "2.6"
                    && control_id.get(..20) == Some(msa2.as_str());
                if msa2 != control_id.as_ref() && !cut {
                    found.push(format!(
                        "MSA-2 is {msa2:?}, the message's MSH-10 is {control_id:?}"
                    ));
                }
            }
            // What the store holds now: the ACK is written after the commit.
            let now = row_ids(engine, MLLP_CHANNEL).await;
            let new: Vec<i64> = now.difference(&known).copied().collect();
            known = now;
            let named = named_id(&text);
            let mut row = None;
            let mut duplicate = false;
            match new.as_slice() {
                [] if text.starts_with("duplicate of message") => {
                    duplicate = true;
                    row = named;
                    let original = match named {
                        Some(id) => engine.store.message_raw(id).await.unwrap(),
                        None => None,
                    };
                    match original {
                        Some(raw) if trimmed(&raw) == trimmed(&payload) => {}
                        Some(_) => found.push(format!(
                            "answered as a duplicate of message {named:?}, whose content differs"
                        )),
                        None => found.push(format!(
                            "answered as a duplicate of message {named:?}, which is not stored"
                        )),
                    }
                }
                [] if answered => found.push(format!("answered {code} ({text}) but not stored")),
                [] => {}
                [id] => {
                    row = Some(*id);
                    let raw = engine.store.message_raw(*id).await.unwrap();
                    if raw.as_deref() != Some(payload.as_slice()) {
                        found.push(format!(
                            "stored as message {id} with other bytes than were sent"
                        ));
                    }
                    if named.is_some_and(|n| n != *id) {
                        found.push(format!("stored as message {id}, the ACK says {text:?}"));
                    }
                }
                several => found.push(format!("stored as {} rows: {several:?}", several.len())),
            }
            let message = Sent {
                entry,
                index: i + 1,
                bytes: payload,
                ack: answered.then_some(code),
                text,
                row,
                duplicate,
            };
            for text in found {
                message.problem(problems, text);
            }
            sent.push(message);
        }
    }
    sent
}

/// The answers to each file's messages against the manifest's `acks`.
fn check_acks(entries: &[&Entry], sent: &[Sent<'_>], problems: &mut Problems) {
    for entry in entries {
        let messages: Vec<&Sent<'_>> = sent.iter().filter(|m| m.entry.file == entry.file).collect();
        let answers: Vec<String> = messages
            .iter()
            .map(|m| m.ack.clone().unwrap_or_else(|| "(none)".into()))
            .collect();
        let found = problems.entry(entry.file.clone()).or_default();
        match &entry.acks {
            None => found.push(format!(
                "manifest entry has no `acks`; answered {answers:?}"
            )),
            Some(expected) if *expected != answers => {
                let differing: Vec<String> = messages
                    .iter()
                    .zip(&answers)
                    .filter(|(m, answer)| expected.get(m.index - 1) != Some(*answer))
                    .map(|(m, answer)| format!("message {}: {answer} ({})", m.index, m.text))
                    .collect();
                found.push(format!(
                    "answered {answers:?}, expected {expected:?}: {}",
                    differing.join("; ")
                ));
            }
            Some(_) => {}
        }
    }
}

/// The answers to the second sending against the first: a message kept the first time (AA)
/// with a control id is a resend, answered as a duplicate of the same row, and gets a
/// `duplicate` event there; any other is kept again (a new row) and answered as before.
async fn check_resent(
    engine: &Engine,
    first: &[Sent<'_>],
    again: &[Sent<'_>],
    problems: &mut Problems,
) {
    for (before, after) in first.iter().zip(again) {
        if before.ack.is_none() {
            continue;
        }
        if before.ack != after.ack {
            after.problem(
                problems,
                format!(
                    "resent: answered {:?} ({}), the first time {:?}",
                    after.ack, after.text, before.ack
                ),
            );
        }
        let resend = before.ack.as_deref() == Some("AA") && before.control_id().is_some();
        if resend && !(after.duplicate && after.row == before.row) {
            after.problem(
                problems,
                format!(
                    "resent: a resend of message {:?}, answered {:?} ({})",
                    before.row, after.ack, after.text
                ),
            );
        } else if !resend && (after.duplicate || after.row == before.row) {
            after.problem(
                problems,
                format!(
                    "resent: should be kept again, answered {:?} ({})",
                    after.ack, after.text
                ),
            );
        }
        if let (true, Some(id)) = (resend, before.row)
            && event_details(&engine.store, id, "duplicate")
                .await
                .is_empty()
        {
            after.problem(
                problems,
                format!("resent: message {id} has no `duplicate` event"),
            );
        }
    }
}

/// The status the shipped channel gives a message answered `ack`.
fn expected_status(ack: &str, payload: &[u8]) -> MessageStatus {
    if ack != "AA" {
        return MessageStatus::Error;
    }
    let code = Message::parse(payload)
        .ok()
        .and_then(|m| m.get("MSH-9.1").map(|c| c.into_owned()))
        .unwrap_or_default();
    if ROUTED_TYPES.contains(&code.as_str()) {
        MessageStatus::Processed
    } else {
        MessageStatus::Filtered
    }
}

/// Checks the status of every HL7 message's row and that the channel holds no other rows.
fn check_hl7_rows(
    sent: &[Sent<'_>],
    rows: &BTreeMap<i64, MessageSummary>,
    problems: &mut Problems,
) {
    let mut accounted = BTreeSet::new();
    for message in sent {
        let (Some(ack), Some(id)) = (&message.ack, message.row) else {
            continue;
        };
        accounted.insert(id);
        if message.duplicate {
            continue;
        }
        let Some(row) = rows.get(&id) else {
            message.problem(problems, format!("row {id} is gone"));
            continue;
        };
        if let Some(mismatch) = status_mismatch(row, expected_status(ack, &message.bytes)) {
            message.problem(problems, format!("answered {ack}, {mismatch}"));
        }
    }
    let stray = rows.keys().filter(|id| !accounted.contains(id));
    report_stray_rows(problems, MLLP_CHANNEL, stray, "was not sent by this test");
}

/// "stored as message N with status S (error), expected W" when the row's status is not `wanted`.
fn status_mismatch(row: &MessageSummary, wanted: MessageStatus) -> Option<String> {
    (row.status != wanted).then(|| {
        format!(
            "stored as message {} with status {} ({}), expected {}",
            row.id,
            row.status.as_str(),
            row.error.as_deref().unwrap_or("no error"),
            wanted.as_str()
        )
    })
}

/// Reports rows of `channel` that no message of the test accounts for.
fn report_stray_rows<'a>(
    problems: &mut Problems,
    channel: &str,
    ids: impl Iterator<Item = &'a i64>,
    why: &str,
) {
    let found = problems.entry(format!("({channel})")).or_default();
    for id in ids {
        found.push(format!("message {id} is stored but {why}"));
    }
}

/// Where an X12 file dropped as `name` went: `processed` or `error`, with the reason file's
/// text; problems when it is nowhere or the reason file is missing or empty.
fn x12_outcome(inbox: &Path, name: &str, found: &mut Vec<String>) -> Option<(bool, String)> {
    if inbox.join("processed").join(name).exists() {
        return Some((true, String::new()));
    }
    if !inbox.join("error").join(name).exists() {
        found.push(format!("{name} not moved to processed/ or error/"));
        return None;
    }
    let reason_path = inbox.join("error").join(format!("{name}.reason.txt"));
    match std::fs::read_to_string(&reason_path) {
        Ok(reason) if reason.trim().is_empty() => found.push(format!("{name}: empty reason file")),
        Ok(reason) => return Some((false, reason)),
        Err(err) => found.push(format!("{name}: no reason file: {err}")),
    }
    Some((false, String::new()))
}

/// Checks where every X12 file went, its reason file, its row, the row's bytes and status;
/// returns the files moved to processed/ and error/, and the row of each file.
async fn check_x12<'a>(
    engine: &Engine,
    entries: &[&'a Entry],
    rows: &BTreeMap<i64, MessageSummary>,
    problems: &mut Problems,
) -> (usize, usize, BTreeMap<i64, &'a Entry>) {
    let inbox = engine.path(X12_INBOX);
    let mut raws = BTreeMap::new();
    for id in rows.keys() {
        raws.insert(*id, engine.store.message_raw(*id).await.unwrap());
    }
    let mut accounted = BTreeMap::new();
    let (mut processed, mut errors) = (0, 0);
    for entry in entries {
        let found = problems.entry(entry.file.clone()).or_default();
        let bytes = corpus_bytes(entry);
        let Some((in_processed, reason)) = x12_outcome(&inbox, file_name(&entry.file), found)
        else {
            continue;
        };
        if in_processed {
            processed += 1;
        } else {
            errors += 1;
        }
        if in_processed != entry.readable {
            found.push(format!(
                "moved to {}/, expected {}/ ({})",
                if in_processed { "processed" } else { "error" },
                if entry.readable { "processed" } else { "error" },
                reason.trim()
            ));
        }
        // The one row holding the file's exact bytes.
        let holding: Vec<i64> = raws
            .iter()
            .filter(|(_, raw)| raw.as_deref() == Some(&bytes[..]))
            .map(|(id, _)| *id)
            .collect();
        let [id] = holding.as_slice() else {
            found.push(format!(
                "taken from the inbox, but {} stored rows hold its bytes",
                holding.len()
            ));
            continue;
        };
        accounted.insert(*id, *entry);
        if !in_processed && named_id(&reason) != Some(*id) {
            found.push(format!(
                "the reason file does not name message {id}: {reason:?}"
            ));
        }
        let wanted = if in_processed {
            MessageStatus::Processed
        } else {
            MessageStatus::Error
        };
        if let Some(mismatch) = status_mismatch(&rows[id], wanted) {
            found.push(mismatch);
        }
    }
    (processed, errors, accounted)
}

/// Checks the X12 files dropped again: a readable one is a resend of its row (`first`),
/// moved to processed/ with no new row and a `duplicate` event on the original; an unreadable
/// one is kept again, as a new row with its bytes, and moved to error/ naming it. Returns the
/// new rows.
async fn check_x12_resent<'a>(
    engine: &Engine,
    first: &BTreeMap<i64, &'a Entry>,
    rows_before: &BTreeSet<i64>,
    problems: &mut Problems,
) -> BTreeMap<i64, &'a Entry> {
    let inbox = engine.path(X12_INBOX);
    let mut new_rows = BTreeMap::new();
    for (original, entry) in first {
        let found = problems.entry(entry.file.clone()).or_default();
        let name = format!("{RESEND_PREFIX}{}", file_name(&entry.file));
        let Some((in_processed, reason)) = x12_outcome(&inbox, &name, found) else {
            continue;
        };
        if in_processed != entry.readable {
            found.push(format!(
                "{name} moved to the other folder than the first time"
            ));
        }
        if in_processed {
            if event_details(&engine.store, *original, "duplicate")
                .await
                .is_empty()
            {
                found.push(format!(
                    "{name}: message {original} has no `duplicate` event"
                ));
            }
            continue;
        }
        let id = named_id(&reason);
        let raw = match id {
            Some(id) if !rows_before.contains(&id) => engine.store.message_raw(id).await.unwrap(),
            _ => None,
        };
        match (id, raw) {
            (Some(id), Some(raw)) if raw == corpus_bytes(entry) => {
                new_rows.insert(id, *entry);
            }
            _ => found.push(format!(
                "{name}: the reason names no new row holding its bytes: {reason:?}"
            )),
        }
    }
    new_rows
}

/// Waits (30 s at most) until no delivery of these messages is pending, then checks that every
/// delivery was sent, except those the file's `dead_letters` names, which must have been given
/// up on with a reason.
async fn check_deliveries(
    engine: &Engine,
    messages: &BTreeMap<i64, &Entry>,
    problems: &mut Problems,
) {
    let deadline = Instant::now() + Duration::from_secs(30);
    let deliveries = loop {
        let mut all = Vec::new();
        for id in messages.keys() {
            all.extend(engine.store.message_deliveries(*id).await.unwrap());
        }
        if Instant::now() > deadline || all.iter().all(|d| d.status != DeliveryStatus::Pending) {
            break all;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    for delivery in &deliveries {
        let entry = messages[&delivery.message_id];
        let given_up = entry
            .dead_letters
            .as_ref()
            .is_some_and(|d| d.contains(&delivery.destination));
        let reason = delivery.last_error.as_deref().unwrap_or("");
        let wrong = match delivery.status {
            DeliveryStatus::Sent => given_up,
            DeliveryStatus::Dead => !given_up || reason.is_empty(),
            _ => true,
        };
        if wrong {
            problems
                .entry(entry.file.clone())
                .or_default()
                .push(format!(
                    "message {}: delivery to {} is {} after {} attempt(s) ({}), expected {}",
                    delivery.message_id,
                    delivery.destination,
                    delivery.status.as_str(),
                    delivery.attempts,
                    if reason.is_empty() {
                        "no error"
                    } else {
                        reason
                    },
                    if given_up {
                        "dead with a reason"
                    } else {
                        "sent"
                    },
                ));
        }
    }
}

/// A channel's rows by id, once none of them is still waiting to be processed.
async fn settled_rows(engine: &Engine, channel: &str) -> BTreeMap<i64, MessageSummary> {
    engine
        .eventually(&format!("every {channel} message is processed"), || async {
            engine
                .channel_messages(channel)
                .await
                .iter()
                .all(|m| m.status != MessageStatus::Received)
        })
        .await;
    engine
        .channel_messages(channel)
        .await
        .into_iter()
        .map(|m| (m.id, m))
        .collect()
}

/// Senders reuse control ids: every different message sent with one is a row of its own.
fn check_reused_control_ids(
    sent: &[Sent<'_>],
    rows: &BTreeMap<i64, MessageSummary>,
    problems: &mut Problems,
) {
    let mut reused: BTreeMap<String, BTreeSet<i64>> = BTreeMap::new();
    for message in sent.iter().filter(|m| m.ack.is_some() && !m.duplicate) {
        if let (Some(control_id), Some(row)) = (message.control_id(), message.row) {
            reused.entry(control_id).or_default().insert(row);
        }
    }
    for (control_id, sent_rows) in reused.iter().filter(|(_, rows)| rows.len() > 1) {
        let stored: BTreeSet<i64> = rows
            .values()
            .filter(|r| r.control_id.as_deref() == Some(control_id.as_str()))
            .map(|r| r.id)
            .collect();
        if !sent_rows.is_subset(&stored) {
            problems
                .entry("(reused control ids)".into())
                .or_default()
                .push(format!(
                    "messages {sent_rows:?} were sent with MSH-10 {control_id:?}; the rows with it are {stored:?}"
                ));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_corpus_file_sent_through_its_channel_is_answered_and_kept() {
    let started = Instant::now();
    let manifest = load_manifest();
    let of_kind =
        |kind: Kind| -> Vec<&Entry> { manifest.file.iter().filter(|e| e.kind == kind).collect() };
    let (hl7_entries, x12_entries) = (of_kind(Kind::Hl7v2), of_kind(Kind::X12));
    let mllp_port = free_port();
    let engine = start_engine(mllp_port).await;
    let inbox = engine.path(X12_INBOX);
    let mut problems = Problems::new();

    // The corpus once. The X12 files first: the inbox takes them while HL7 is sent.
    drop_x12(&inbox, &x12_entries, "");
    let first = send_hl7(&engine, mllp_port, &hl7_entries, &mut problems).await;
    check_acks(&hl7_entries, &first, &mut problems);
    x12_taken(&inbox, &x12_entries, "").await;
    let x12_rows = settled_rows(&engine, X12_CHANNEL).await;
    let (processed, errors, mut kept) =
        check_x12(&engine, &x12_entries, &x12_rows, &mut problems).await;

    // The corpus again, as a sender retrying: HL7 on a new connection, X12 under new names.
    let x12_before: BTreeSet<i64> = x12_rows.keys().copied().collect();
    drop_x12(&inbox, &x12_entries, RESEND_PREFIX);
    let again = send_hl7(&engine, mllp_port, &hl7_entries, &mut problems).await;
    check_resent(&engine, &first, &again, &mut problems).await;
    x12_taken(&inbox, &x12_entries, RESEND_PREFIX).await;
    kept.extend(check_x12_resent(&engine, &kept.clone(), &x12_before, &mut problems).await);

    // What is kept: every row accounted for, with its status and deliveries.
    let hl7_rows = settled_rows(&engine, MLLP_CHANNEL).await;
    let x12_rows = settled_rows(&engine, X12_CHANNEL).await;
    let all_sent: Vec<Sent<'_>> = first.into_iter().chain(again).collect();
    check_hl7_rows(&all_sent, &hl7_rows, &mut problems);
    check_reused_control_ids(&all_sent, &hl7_rows, &mut problems);
    let stray = x12_rows.keys().filter(|id| !kept.contains_key(id));
    report_stray_rows(&mut problems, X12_CHANNEL, stray, "matches no file dropped");
    kept.extend(
        all_sent
            .iter()
            .filter(|m| !m.duplicate)
            .filter_map(|m| Some((m.row?, m.entry))),
    );
    check_deliveries(&engine, &kept, &mut problems).await;

    let (first, again) = all_sent.split_at(all_sent.len() / 2);
    let count = |sent: &[Sent<'_>], code: &str| {
        sent.iter()
            .filter(|m| m.ack.as_deref() == Some(code))
            .count()
    };
    println!(
        "corpus through the channels: {} HL7 v2 files, {} messages sent: {} AA, {} AE, {} AR, \
         {} unanswered; sent again: {} answered as duplicates, {} kept again; \
         {} X12 files: {processed} processed, {errors} error",
        hl7_entries.len(),
        first.len(),
        count(first, "AA"),
        count(first, "AE"),
        count(first, "AR"),
        first.iter().filter(|m| m.ack.is_none()).count(),
        again.iter().filter(|m| m.duplicate).count(),
        again
            .iter()
            .filter(|m| !m.duplicate && m.row.is_some())
            .count(),
        x12_entries.len(),
    );

    let mut failures = Vec::new();
    let mut defects = Vec::new();
    for (file, found) in problems.iter().filter(|(_, f)| !f.is_empty()) {
        let defect = manifest
            .file
            .iter()
            .find(|e| &e.file == file)
            .and_then(|e| e.known_defect_e2e.as_deref());
        match defect {
            Some(defect) => {
                defects.push(format!("{file}: {defect}\n    now: {}", found.join("; ")))
            }
            None => failures.push(format!("{file}: {}", found.join("; "))),
        }
    }
    for entry in &manifest.file {
        if let Some(defect) = &entry.known_defect_e2e
            && problems.get(&entry.file).is_none_or(Vec::is_empty)
        {
            failures.push(format!(
                "{}: marked known_defect_e2e ({defect}) but goes through correctly now; remove the mark",
                entry.file
            ));
        }
    }
    for defect in &defects {
        println!("known defect: {defect}");
    }
    engine.stop().await;
    println!("took {:.1} s", started.elapsed().as_secs_f64());
    assert!(
        failures.is_empty(),
        "{} corpus file(s) not answered or kept as they should be:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
