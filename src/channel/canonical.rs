//! `canonical` source: the changes of the canonical store (patients, visits, coverages, claim
//! statuses, remittances), read from its outbox in order, each handed to the channel as one
//! message (JSON, FHIR or HL7 v2 ADT) and delivered through the channel's queues like any other.
//!
//! One node reads the outbox at a time (the source lease of polled sources), from after the
//! last event the source handed on (its durable mark). Each event is handed on exactly once:
//! what it became is kept before the channel stores it, and handed on again after a crash, when
//! the channel recognises it as the resend of the message it already has (see
//! [`crate::store::outbox`]).

use std::time::Duration;

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};

use super::config::Checks;
use super::polling::SourceLease;
use super::{Receipt, Source, SourceContext, SourceError, SourceSettings};
use crate::message::Message;
use crate::outbound::{EventFormat, Parties, event_control_id, render};
use crate::store::outbox::{EVENT_KINDS, Horizon, PendingEvent};

/// `type = "canonical"` source: what changed in the canonical store.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CanonicalSource {
    /// The event kinds handed on (`patient.created`, `visit.discharged`...); empty: all.
    #[serde(default)]
    pub events: Vec<String>,
    /// What each event becomes: `json` (default), `fhir` or `hl7v2`.
    #[serde(default)]
    pub format: EventFormat,
    /// HL7 v2: MSH-3 to MSH-6 of the messages written.
    #[serde(default)]
    pub hl7v2: Parties,
    /// Milliseconds between reads of the outbox when it is empty.
    #[serde(default = "default_poll_millis")]
    pub poll_millis: u64,
    /// Events read at a time.
    #[serde(default = "default_batch_size")]
    pub batch_size: u32,
}

fn default_poll_millis() -> u64 {
    500
}

fn default_batch_size() -> u32 {
    100
}

impl SourceSettings for CanonicalSource {
    fn check(&self, checks: &mut Checks<'_>) {
        for (index, kind) in self.events.iter().enumerate() {
            let field = format!("events[{index}]");
            if !EVENT_KINDS.contains(&kind.as_str()) {
                checks.problem(
                    &field,
                    format!(
                        "unknown event '{kind}': expected one of {}",
                        EVENT_KINDS.join(", ")
                    ),
                );
            } else if !self.format.renders(kind) {
                checks.problem(
                    &field,
                    format!("event '{kind}' cannot be written as {}", self.format.name()),
                );
            }
        }
        if self.events.is_empty() && self.format != EventFormat::Json {
            checks.problem(
                "events",
                "name the events to hand on: not every event can be written in this format",
            );
        }
        if !(1..=1000).contains(&self.batch_size) {
            checks.problem("batch_size", "must be between 1 and 1000");
        }
        if !(10..=3_600_000).contains(&self.poll_millis) {
            checks.problem("poll_millis", "must be between 10 and 3600000");
        }
    }

    fn build(&self) -> Box<dyn Source> {
        Box::new(self.clone())
    }
}

impl CanonicalSource {
    /// Whether the source hands on events of `kind`.
    fn wants(&self, kind: &str) -> bool {
        self.events.is_empty() || self.events.iter().any(|k| k == kind)
    }

    /// Reads and hands on one batch of events; the number read. Stops at the first event that
    /// cannot be stored: it and those after it are read again next time.
    async fn poll(&self, context: &SourceContext, horizon: &mut Horizon) -> Result<usize, String> {
        let store = &context.pipeline.store;
        let channel = context.pipeline.channel();
        let pending = store
            .pending_events(channel, i64::from(self.batch_size), horizon)
            .await
            .map_err(|err| format!("cannot read the outbox: {err}"))?;
        for PendingEvent { event, kept } in &pending {
            if context.shutdown.is_cancelled() {
                break;
            }
            if self.wants(&event.kind) {
                self.hand_on(context, event, kept.clone()).await?;
            }
            store
                .finish_event(channel, event.id)
                .await
                .map_err(|err| format!("cannot mark event {} done: {err}", event.id))?;
        }
        Ok(pending.len())
    }

    /// Renders `event` (or takes what an earlier attempt `kept`), keeps it, and has the channel
    /// store it. An event that cannot be rendered (its record is gone) is logged and skipped.
    async fn hand_on(
        &self,
        context: &SourceContext,
        event: &crate::store::outbox::CanonicalEvent,
        kept: Option<(String, Vec<u8>)>,
    ) -> Result<(), String> {
        let store = &context.pipeline.store;
        let channel = context.pipeline.channel();
        let (content_type, payload) = match kept {
            Some(kept) => kept,
            None => match render(store, event, self.format, &self.hl7v2).await {
                Ok(rendered) => store
                    .keep_event_payload(channel, event.id, rendered.content_type, &rendered.bytes)
                    .await
                    .map_err(|err| format!("cannot keep event {}: {err}", event.id))?,
                Err(crate::outbound::RenderError::Store(err)) => {
                    return Err(format!(
                        "cannot read the record of event {}: {err}",
                        event.id
                    ));
                }
                Err(err) => {
                    tracing::warn!(channel, event = event.id, kind = %event.kind, %err, "canonical event skipped");
                    return Ok(());
                }
            },
        };
        let sender = serde_json::to_string(&["canonical", channel, &event.id.to_string()])
            .map_err(|err| err.to_string())?;
        let message = Message::read(&payload).map(|mut message| {
            message.facts.control_id = Some(event_control_id(event.id));
            message.sent_as(sender)
        });
        let receipt = context
            .pipeline
            .receive_read(&payload, &message, Some(&content_type))
            .await
            .map_err(|err| format!("cannot store event {}: {err}", event.id))?;
        if let Receipt::Rejected { rejection, .. } = &receipt {
            tracing::warn!(channel, event = event.id, message_id = receipt.message_id(), %rejection, "canonical event rejected");
        }
        Ok(())
    }
}

impl Source for CanonicalSource {
    fn run(self: Box<Self>, context: SourceContext) -> BoxFuture<'static, Result<(), SourceError>> {
        Box::pin(async move {
            let idle = Duration::from_millis(self.poll_millis);
            let lease = SourceLease::new(&context);
            let channel = context.pipeline.channel();
            let mut horizon = Horizon::default();
            let mut registered = false;
            loop {
                let mut wait = idle;
                if !registered {
                    // The events this source has not read are kept for it from now on.
                    match context.pipeline.store.register_event_source(channel).await {
                        Ok(()) => registered = true,
                        Err(err) => {
                            tracing::error!(channel, %err, "canonical source: cannot record its mark");
                        }
                    }
                }
                if lease.take().await {
                    match lease.keep_while(self.poll(&context, &mut horizon)).await {
                        // A full batch: more may be waiting.
                        Ok(read) if read >= self.batch_size as usize => wait = Duration::ZERO,
                        Ok(_) => {}
                        Err(reason) => {
                            tracing::error!(channel, %reason, "canonical source: the events are read again next time");
                        }
                    }
                }
                if !lease.wait(wait).await {
                    return Ok(());
                }
            }
        })
    }
}
