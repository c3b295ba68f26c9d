//! The message path of one channel: store the raw bytes (committed before anyone is
//! acknowledged), read facts, filter, transform, route, and queue for each destination.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use tokio::sync::Notify;

use super::config::{ChannelConfig, TransformConfig, TransformOutput};
use super::counters::{Counters, Event};
use crate::config::problem::Problem;
use crate::config::routes::RoutesConfig;
use crate::fhir::from_hl7v2::convert;
use crate::fhir::outcome::FHIR_JSON;
use crate::mapping::Mapping;
use crate::message::{Format, Message, Rejection, RejectionKind};
use crate::routing;
use crate::routing::FilterConfig;
use crate::store::deliveries::Routing;
use crate::store::ingest::{Ingest, Ingested, Outcome, Payload};
use crate::store::messages::MessageStatus;
use crate::store::{Store, StoreError};
use crate::transform::{EditList, Script, Tables};

/// What happened to a received message; sources answer their senders from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Receipt {
    /// Stored and queued for these destinations.
    Accepted {
        /// Stored message id.
        message_id: i64,
        /// Destinations it was queued for.
        destinations: Vec<String>,
    },
    /// Stored, then dropped on purpose by a filter or routing.
    Filtered {
        /// Stored message id.
        message_id: i64,
        /// Why.
        reason: String,
    },
    /// A resend of a message the channel kept (same sender, control id and content); not
    /// processed again.
    Duplicate {
        /// The original message's id.
        message_id: i64,
    },
    /// Stored, but it cannot be processed; the rejection says what, where and what kind.
    Rejected {
        /// Stored message id.
        message_id: i64,
        /// What is wrong.
        rejection: Rejection,
    },
}

impl Receipt {
    /// The stored message id.
    pub fn message_id(&self) -> i64 {
        match self {
            Receipt::Accepted { message_id, .. }
            | Receipt::Filtered { message_id, .. }
            | Receipt::Duplicate { message_id }
            | Receipt::Rejected { message_id, .. } => *message_id,
        }
    }
}

/// A channel's transform: a mapping and what it hands the destinations, or an edit list.
pub enum Transform {
    /// A mapping to canonical records.
    Mapping {
        /// The mapping.
        mapping: Box<Mapping>,
        /// Those records, or the FHIR Bundle made of them and the message.
        output: TransformOutput,
    },
    /// An HL7 v2 edit list; the destinations receive the edited message.
    Edit(EditList),
    /// FHIR R4 (a resource or a Bundle) converted to an HL7 v2 ADT or ORU^R01.
    FhirToHl7v2,
    /// A script editing the HL7 v2 message, with its lookup tables.
    Script {
        /// The compiled script.
        script: Script,
        /// The tables of `[transform.tables]`.
        tables: Tables,
    },
}

/// What a channel's transform makes of one message when an operator tries it: nothing is
/// stored and nothing is sent.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TransformTrial {
    /// The message tried, as text.
    pub input: String,
    /// What the destinations would receive, as text (HL7 v2 segments end with `\r`); absent
    /// when the message failed.
    pub output: Option<String>,
    /// The content type of `output`.
    pub content_type: Option<String>,
    /// The edits applied, those that did not apply and why, and what a mapping left out.
    pub trail: Vec<String>,
    /// Why the message cannot be read or transformed, as a channel would record it.
    pub error: Option<String>,
}

/// A problem with a channel's settings found when loading what they name: the field (as
/// `transform.edit`, `filters[2].script`) and why.
pub type FieldProblem = (String, String);

/// `problem` with a file the `field` names, as the channel file reports it.
fn field_problem(field: &str, problem: &Problem) -> FieldProblem {
    (field.to_string(), problem.to_string())
}

/// Loads the scripts a channel's filters name, in filter order (`None` for a filter without
/// one).
pub fn load_filter_scripts(
    root: &std::path::Path,
    filters: &[FilterConfig],
) -> Result<Vec<Option<Script>>, FieldProblem> {
    filters
        .iter()
        .enumerate()
        .map(|(index, filter)| {
            filter
                .script
                .as_deref()
                .map(|name| {
                    Script::load(root, name).map_err(|problem| {
                        field_problem(&format!("filters[{index}].script"), &problem)
                    })
                })
                .transpose()
        })
        .collect()
}

/// What a transform made of a message: the payload, the warnings (what a mapping left out) and
/// the event trail lines (the edits applied).
struct Transformed {
    payload: Payload,
    warnings: Vec<String>,
    trail: Vec<String>,
}

impl Transform {
    /// Loads what a channel's `[transform]` names from `root`'s `mappings/`, checking that it
    /// can make the output asked for; otherwise the field at fault and why.
    pub fn load(
        root: &std::path::Path,
        config: &TransformConfig,
    ) -> Result<Transform, FieldProblem> {
        if let Some(name) = &config.edit {
            let list = EditList::load(root, name)
                .map_err(|problem| field_problem("transform.edit", &problem))?;
            return Ok(Transform::Edit(list));
        }
        if config.convert.is_some() {
            return Ok(Transform::FhirToHl7v2);
        }
        if let Some(name) = &config.script {
            let script = Script::load(root, name)
                .map_err(|problem| field_problem("transform.script", &problem))?;
            return Ok(Transform::Script {
                script,
                tables: config.tables.clone(),
            });
        }
        let name = config.mapping.as_deref().unwrap_or_default();
        let mapping = Mapping::load(root, name)
            .map_err(|problem| field_problem("transform.mapping", &problem))?;
        let output = config.output();
        if output == TransformOutput::Fhir && mapping.format != "hl7v2" {
            return Err((
                "transform.output".to_string(),
                format!(
                    "output \"fhir\" converts HL7 v2 messages; mapping '{name}' reads {}",
                    mapping.format
                ),
            ));
        }
        Ok(Transform::Mapping {
            mapping: Box::new(mapping),
            output,
        })
    }

    /// The transform of `config` with `text` in place of the file it names: an edit list's
    /// TOML or a script, as an operator edits it before saving. A mapping or a conversion has
    /// no such file here; a text with a problem is refused as at load, with its line.
    pub fn with_text(config: &TransformConfig, text: &str) -> Result<Transform, Problem> {
        let file = config.file().unwrap_or_default();
        let file = std::path::Path::new(&file);
        if let Some(name) = &config.edit {
            return EditList::parse(name, file, text).map(Transform::Edit);
        }
        if let Some(name) = &config.script {
            return Script::compile(name, file, text).map(|script| Transform::Script {
                script,
                tables: config.tables.clone(),
            });
        }
        Err(Problem {
            file: file.to_path_buf(),
            line: None,
            field: "transform".to_string(),
            reason: "only an edit list or a script can be tried with an edited text".to_string(),
        })
    }

    /// Tries the transform on `raw` (read as `format` when it is known, as a stored message's
    /// content type says): what the destinations would receive, or why the message fails.
    pub fn trial(&self, raw: &[u8], format: Option<Format>) -> TransformTrial {
        let input = String::from_utf8_lossy(raw).into_owned();
        let outcome = Message::read_as(raw, format).and_then(|message| self.apply(&message));
        match outcome {
            Ok(transformed) => TransformTrial {
                input,
                output: Some(String::from_utf8_lossy(&transformed.payload.bytes).into_owned()),
                content_type: Some(transformed.payload.content_type.to_string()),
                trail: transformed
                    .trail
                    .into_iter()
                    .chain(transformed.warnings)
                    .collect(),
                error: None,
            },
            Err(rejection) => TransformTrial {
                input,
                output: None,
                content_type: None,
                trail: Vec::new(),
                error: Some(rejection.to_string()),
            },
        }
    }

    /// What the destinations receive for a message, or why it cannot be transformed.
    fn apply(&self, message: &Message) -> Result<Transformed, Rejection> {
        let edited = match self {
            Transform::Mapping { mapping, output } => return Self::map(mapping, *output, message),
            Transform::Edit(list) => {
                let v2 = message.hl7v2().ok_or_else(|| {
                    Rejection::new(
                        RejectionKind::Unsupported,
                        format!("edit list '{}' edits HL7 v2 messages only", list.name),
                    )
                })?;
                list.apply(&v2)?
            }
            Transform::Script { script, tables } => script.transform(message, tables)?,
            Transform::FhirToHl7v2 => return Self::fhir_to_hl7v2(message),
        };
        Ok(Transformed {
            payload: Payload {
                bytes: edited.bytes,
                content_type: Format::Hl7v2.content_type(),
            },
            warnings: Vec::new(),
            trail: edited.trail,
        })
    }

    /// The HL7 v2 message a FHIR resource or Bundle becomes; its control id (MSH-10) is the
    /// start of the content's hash, the same for the same content.
    fn fhir_to_hl7v2(message: &Message) -> Result<Transformed, Rejection> {
        let json = message
            .json()
            .filter(|_| message.format() == Some(Format::Fhir))
            .ok_or_else(|| {
                Rejection::new(
                    RejectionKind::Unsupported,
                    "convert \"fhir-to-hl7v2\" converts FHIR JSON resources only",
                )
            })?;
        let mut control_id = crate::message::content_hash(message.raw());
        control_id.truncate(20);
        let header =
            crate::outbound::Parties::default().header(control_id, crate::store::now_millis());
        let bytes = crate::outbound::from_fhir::to_hl7v2(json, &header)
            .map_err(|err| Rejection::new(RejectionKind::InvalidValue, err.0))?;
        Ok(Transformed {
            payload: Payload {
                bytes,
                content_type: Format::Hl7v2.content_type(),
            },
            warnings: Vec::new(),
            trail: vec!["converted from FHIR to HL7 v2".to_string()],
        })
    }

    /// The canonical records a mapping makes of a message, as JSON or as a FHIR Bundle.
    fn map(
        mapping: &Mapping,
        output: TransformOutput,
        message: &Message,
    ) -> Result<Transformed, Rejection> {
        let mut records = mapping.records(message)?;
        let (bytes, content_type) = match output {
            TransformOutput::Records | TransformOutput::Hl7v2 => {
                if output == TransformOutput::Records {
                    keep_clinical(&mut records, message);
                }
                (serde_json::to_vec(&records), "application/json")
            }
            TransformOutput::Fhir => {
                let v2 = message.hl7v2().ok_or_else(|| {
                    Rejection::new(
                        RejectionKind::Unsupported,
                        "output \"fhir\" converts HL7 v2 messages only",
                    )
                })?;
                let bundle = convert(&records, &v2).map_err(|err| {
                    Rejection::new(
                        RejectionKind::InvalidValue,
                        format!("cannot convert to FHIR: {err}"),
                    )
                })?;
                (serde_json::to_vec(&bundle), FHIR_JSON)
            }
        };
        let bytes =
            bytes.map_err(|err| Rejection::new(RejectionKind::Internal, err.to_string()))?;
        Ok(Transformed {
            payload: Payload {
                bytes,
                content_type,
            },
            warnings: records.warnings,
            trail: Vec::new(),
        })
    }
}

/// Adds to `records` the clinical resources an HL7 v2 message carries (see
/// [`crate::fhir::clinical`]). A message whose clinical part cannot be converted keeps its
/// canonical records, with a warning that says why.
fn keep_clinical(records: &mut crate::mapping::Records, message: &Message) {
    let Some(v2) = message.hl7v2() else {
        return;
    };
    if !crate::fhir::clinical::carries_clinical(&v2) {
        return;
    }
    match convert(records, &v2) {
        Ok(bundle) => {
            let key = v2.control_id().unwrap_or_default();
            records.clinical = crate::fhir::clinical::clinical_records(&bundle, &key);
        }
        Err(err) => records
            .warnings
            .push(format!("the clinical content was not kept: {err}")),
    }
}

/// One deployed channel's processing: shared by its source and the `channel` destinations of
/// other channels that hand messages to it.
pub struct Pipeline {
    /// The store.
    pub store: Store,
    /// The channel's configuration.
    pub config: Arc<ChannelConfig>,
    /// The engine's routing rules (reloaded in place).
    pub routes: Arc<RwLock<Arc<RoutesConfig>>>,
    /// The channel's transform, when it has one.
    pub transform: Option<Transform>,
    /// The scripts of the channel's filters, in filter order (`None` for a filter without one).
    pub filter_scripts: Vec<Option<Script>>,
    /// Wakes the worker of each destination when something is queued for it.
    pub wakers: BTreeMap<String, Arc<Notify>>,
    /// The channel's counters.
    pub counters: Arc<Counters>,
    /// Stores received messages.
    pub writer: super::writer::IngestWriter,
}

impl Pipeline {
    /// The channel's name.
    pub fn channel(&self) -> &str {
        &self.config.name
    }

    /// Reads `raw`, filters, routes and transforms it, then stores it with that outcome and its
    /// queue rows in one commit. Content declared as one of our formats (`content_type`) must
    /// be in that format: anything else is stored as unreadable (status error). An `Err` means
    /// nothing was stored: the sender must not be acknowledged.
    pub async fn receive(
        &self,
        raw: &[u8],
        content_type: Option<&str>,
    ) -> Result<Receipt, StoreError> {
        let expected = content_type.and_then(Format::from_content_type);
        self.receive_read(raw, &Message::read_as(raw, expected), content_type)
            .await
    }

    /// [`Pipeline::receive`] for a source that has read the message itself (to answer from it):
    /// `message` is what [`Message::read`] made of `raw`.
    pub async fn receive_read(
        &self,
        raw: &[u8],
        message: &Result<Message, Rejection>,
        content_type: Option<&str>,
    ) -> Result<Receipt, StoreError> {
        let control_id = match message {
            Ok(message) => message.facts.control_id.clone(),
            Err(rejection) => rejection.control_id.clone(),
        };
        let resend_key = message.as_ref().ok().and_then(Message::resend_key);
        let facts = message.as_ref().ok().map(|m| &m.facts);
        let content_type = content_type
            .map(str::to_string)
            .or_else(|| {
                message
                    .as_ref()
                    .ok()
                    .and_then(Message::format)
                    .map(|f| f.content_type().to_string())
            })
            .unwrap_or_else(|| "application/octet-stream".to_string());
        let outcome = match message {
            Ok(message) => self.decide(message),
            Err(rejection) => Outcome::Rejected(rejection.clone()),
        };
        let stored = self
            .writer
            .store(Ingest {
                channel: self.channel().to_string(),
                content_type,
                control_id,
                message_type: facts.and_then(crate::message::Facts::kind),
                sender: facts.and_then(crate::message::Facts::sender),
                resend_key,
                raw: raw.to_vec(),
                outcome: outcome.clone(),
            })
            .await?;
        let message_id = match stored {
            Ingested::Duplicate(message_id) => {
                self.counters.count(Event::Duplicate);
                return Ok(Receipt::Duplicate { message_id });
            }
            Ingested::New(message_id) => message_id,
        };
        self.counters.count(Event::Received);
        Ok(self.receipt(message_id, outcome))
    }

    /// What the channel does with a message: filters, routing, then the transform of what is
    /// routed somewhere (a message routed nowhere is not transformed).
    fn decide(&self, message: &Message) -> Outcome {
        let filtered = routing::filter(&self.config.filters, message, |index| {
            match self.filter_scripts.get(index).and_then(Option::as_ref) {
                Some(script) => script.accepts(message, &Tables::new()),
                None => Err(Rejection::new(
                    RejectionKind::Internal,
                    format!("the script of filter {index} is not loaded"),
                )),
            }
        });
        match filtered {
            Ok(Some(reason)) => return Outcome::Filtered(reason),
            Ok(None) => {}
            Err(rejection) => return Outcome::Rejected(rejection),
        }
        let decision = {
            let routes = self
                .routes
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .clone();
            routing::route(
                &routes,
                &self.config.name,
                &self.config.destination_names(),
                message,
            )
        };
        if decision.destinations.is_empty() {
            let mut reason = decision.trail.join("; ");
            if reason.is_empty() {
                reason = "no route".to_string();
            }
            return Outcome::Filtered(reason);
        }
        let mut warnings = message.warnings().to_vec();
        let mut edits = Vec::new();
        let payload = match &self.transform {
            Some(transform) => match transform.apply(message) {
                Ok(transformed) => {
                    warnings.extend(transformed.warnings);
                    edits = transformed.trail;
                    Some(transformed.payload)
                }
                Err(rejection) => return Outcome::Rejected(rejection),
            },
            None => None,
        };
        Outcome::Routed {
            destinations: decision.destinations,
            payload,
            trail: decision.trail,
            warnings,
            transformed: edits,
        }
    }

    /// Counts an outcome, wakes the destinations it queued for, and says what happened.
    fn receipt(&self, message_id: i64, outcome: Outcome) -> Receipt {
        match outcome {
            Outcome::Routed { destinations, .. } => {
                for destination in &destinations {
                    if let Some(waker) = self.wakers.get(destination) {
                        waker.notify_one();
                    }
                }
                Receipt::Accepted {
                    message_id,
                    destinations,
                }
            }
            Outcome::Filtered(reason) => {
                self.counters.count(Event::Filtered);
                Receipt::Filtered { message_id, reason }
            }
            Outcome::Rejected(rejection) => {
                self.counters.count(Event::Errored);
                Receipt::Rejected {
                    message_id,
                    rejection,
                }
            }
            Outcome::Stored => Receipt::Filtered {
                message_id,
                reason: "stored only".to_string(),
            },
        }
    }

    /// Filters, routes and transforms a message already stored, and records the outcome
    /// (used to reprocess one). A message that failed and whose resend was kept since is not
    /// processed again: the receipt names the kept one.
    pub async fn process(&self, message_id: i64, message: &Message) -> Result<Receipt, StoreError> {
        if let Some(kept) = self.store.kept_resend(message_id).await? {
            let detail = format!("its resend was kept as message {kept}: not processed again");
            self.store
                .add_message_event(message_id, "duplicate", Some(&detail))
                .await?;
            return Ok(Receipt::Duplicate { message_id: kept });
        }
        let outcome = self.decide(message);
        match &outcome {
            Outcome::Routed {
                destinations,
                payload,
                trail,
                warnings,
                transformed,
            } => {
                self.store
                    .route_message(&Routing {
                        message_id,
                        channel: self.channel(),
                        destinations,
                        payload: payload.as_ref(),
                        trail,
                    })
                    .await?;
                let events = transformed
                    .iter()
                    .map(|line| ("transformed", line))
                    .chain(warnings.iter().map(|line| ("warning", line)));
                for (kind, detail) in events {
                    self.store
                        .add_message_event(message_id, kind, Some(detail))
                        .await?;
                }
            }
            Outcome::Filtered(reason) => {
                self.store
                    .set_message_status(message_id, MessageStatus::Filtered, Some(reason))
                    .await?;
            }
            Outcome::Rejected(rejection) => {
                self.store
                    .set_message_status(message_id, MessageStatus::Error, Some(&rejection.reason))
                    .await?;
            }
            Outcome::Stored => {}
        }
        Ok(self.receipt(message_id, outcome))
    }
}
