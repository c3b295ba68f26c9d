//! Outbound messages made of the canonical store: each canonical event ([`CanonicalEvent`])
//! rendered as JSON (the event and the record), as the FHIR resource of the record, or as an
//! HL7 v2 ADT message ([`adt`]); and FHIR resources as HL7 v2 ([`from_fhir`]).

pub mod adt;
pub mod from_fhir;

use serde::{Deserialize, Serialize};

use crate::canonical::{Identifier, Patient};
use crate::fhir::kinds::Kind;
use crate::fhir::outcome::FHIR_JSON;
use crate::message::Format;
use crate::store::outbox::CanonicalEvent;
use crate::store::{Store, StoreError};

/// What a canonical event becomes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EventFormat {
    /// `{"event": ..., "record": ...}`: the event (what changed) and the record as stored.
    #[default]
    Json,
    /// The record's FHIR R4 resource.
    Fhir,
    /// An HL7 v2.5.1 ADT message (patient and visit events).
    Hl7v2,
}

impl EventFormat {
    /// The format's name, as channel files write it.
    pub fn name(self) -> &'static str {
        match self {
            EventFormat::Json => "json",
            EventFormat::Fhir => "fhir",
            EventFormat::Hl7v2 => "hl7v2",
        }
    }

    /// Whether events of `kind` can be written in this format.
    pub fn renders(self, kind: &str) -> bool {
        match self {
            EventFormat::Json => true,
            EventFormat::Fhir => !kind.starts_with("remittance.") && kind != "resource.deleted",
            EventFormat::Hl7v2 => kind.starts_with("patient.") || kind.starts_with("visit."),
        }
    }
}

/// Why an event could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// Reading the record failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The record is no longer in the store (a patient merged away).
    #[error("{0} is no longer in the store")]
    Gone(String),
    /// The format cannot say this event.
    #[error("event {kind} cannot be written as {}", format.name())]
    Unsupported {
        /// The event kind.
        kind: String,
        /// The format asked for.
        format: EventFormat,
    },
    /// Building the message failed.
    #[error("cannot build the message: {0}")]
    Build(String),
}

/// An event rendered: its MIME type and bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// MIME type.
    pub content_type: &'static str,
    /// The message.
    pub bytes: Vec<u8>,
}

/// Who the HL7 v2 messages of a source come from and go to (MSH-3 to MSH-6).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Parties {
    /// MSH-3.
    #[serde(default = "default_application")]
    pub sending_application: String,
    /// MSH-4.
    #[serde(default = "default_application")]
    pub sending_facility: String,
    /// MSH-5.
    #[serde(default)]
    pub receiving_application: String,
    /// MSH-6.
    #[serde(default)]
    pub receiving_facility: String,
}

impl Default for Parties {
    fn default() -> Self {
        Parties {
            sending_application: default_application(),
            sending_facility: default_application(),
            receiving_application: String::new(),
            receiving_facility: String::new(),
        }
    }
}

fn default_application() -> String {
    "SWITCHBOARD".to_string()
}

impl Parties {
    /// The header of a message with `control_id`, written at `at` (Unix ms).
    pub fn header(&self, control_id: String, at: i64) -> adt::Header {
        adt::Header {
            sending_application: self.sending_application.clone(),
            sending_facility: self.sending_facility.clone(),
            receiving_application: self.receiving_application.clone(),
            receiving_facility: self.receiving_facility.clone(),
            control_id,
            at,
        }
    }
}

/// The control id of the message made of event `id`.
pub fn event_control_id(id: i64) -> String {
    format!("EV{id}")
}

/// Renders `event` in `format`, reading its record as the store holds it now.
pub async fn render(
    store: &Store,
    event: &CanonicalEvent,
    format: EventFormat,
    parties: &Parties,
) -> Result<Rendered, RenderError> {
    if !format.renders(&event.kind) {
        return Err(RenderError::Unsupported {
            kind: event.kind.clone(),
            format,
        });
    }
    match format {
        EventFormat::Json => {
            let record = record_json(store, event).await?;
            let bytes =
                serde_json::to_vec(&serde_json::json!({ "event": event, "record": record }))
                    .map_err(|err| RenderError::Build(err.to_string()))?;
            Ok(Rendered {
                content_type: "application/json",
                bytes,
            })
        }
        EventFormat::Fhir if event.record_type == "resource" => {
            let resource = resource_version(store, event)
                .await?
                .filter(|resource| resource.get("resourceType").is_some())
                .ok_or_else(|| RenderError::Gone(describe(event)))?;
            let bytes =
                serde_json::to_vec(&resource).map_err(|err| RenderError::Build(err.to_string()))?;
            Ok(Rendered {
                content_type: FHIR_JSON,
                bytes,
            })
        }
        EventFormat::Fhir => {
            let kind = match event.record_type.as_str() {
                "patient" => Kind::Patient,
                "visit" => Kind::Encounter,
                "coverage" => Kind::Coverage,
                _ => Kind::Claim,
            };
            let target = kind
                .target(&event.record_id.to_string())
                .ok_or_else(|| RenderError::Gone(describe(event)))?;
            let generated = crate::fhir::resources::generate(store, None, kind, &target)
                .await
                .map_err(|err| RenderError::Build(err.to_string()))?
                .ok_or_else(|| RenderError::Gone(describe(event)))?;
            let bytes = serde_json::to_vec(&generated.resource)
                .map_err(|err| RenderError::Build(err.to_string()))?;
            Ok(Rendered {
                content_type: FHIR_JSON,
                bytes,
            })
        }
        EventFormat::Hl7v2 => {
            let bytes = adt_of(store, event, parties).await?;
            Ok(Rendered {
                content_type: Format::Hl7v2.content_type(),
                bytes,
            })
        }
    }
}

/// `patient 7`, `visit 3`.
fn describe(event: &CanonicalEvent) -> String {
    format!("{} {}", event.record_type, event.record_id)
}

/// The record of `event` as JSON, `null` when it is gone.
async fn record_json(
    store: &Store,
    event: &CanonicalEvent,
) -> Result<serde_json::Value, RenderError> {
    let id = event.record_id;
    let value = match event.record_type.as_str() {
        "patient" => serde_json::to_value(store.patient(id).await?),
        "visit" => {
            let mut conn = store.pool().acquire().await.map_err(StoreError::from)?;
            let encounter = crate::store::canonical::encounter_on(&mut *conn, id).await?;
            serde_json::to_value(encounter)
        }
        "coverage" => {
            let mut conn = store.pool().acquire().await.map_err(StoreError::from)?;
            let coverage = crate::store::canonical::coverage_on(&mut *conn, id).await?;
            serde_json::to_value(coverage)
        }
        "claim" => serde_json::to_value(store.claim(id).await?.map(|(claim, _)| claim)),
        "resource" => Ok(resource_version(store, event)
            .await?
            .unwrap_or(serde_json::Value::Null)),
        _ => serde_json::to_value(store.remittance(id).await?),
    };
    value.map_err(|err| RenderError::Build(err.to_string()))
}

/// The version of a FHIR resource a `resource.*` event names, as served (with `id` and `meta`);
/// a deleted version is `{"id": ..., "meta": ...}` without `resourceType`. `None` when the
/// version is no longer stored.
async fn resource_version(
    store: &Store,
    event: &CanonicalEvent,
) -> Result<Option<serde_json::Value>, RenderError> {
    let mut conn = store.pool().acquire().await.map_err(StoreError::from)?;
    crate::fhir::store::version_by_row(&mut *conn, event.record_id)
        .await
        .map_err(|err| RenderError::Build(err.to_string()))
}

/// The ADT message of a patient or visit event.
async fn adt_of(
    store: &Store,
    event: &CanonicalEvent,
    parties: &Parties,
) -> Result<Vec<u8>, RenderError> {
    let gone = || RenderError::Gone(describe(event));
    let (patient_id, encounter) = if event.record_type == "visit" {
        let mut conn = store.pool().acquire().await.map_err(StoreError::from)?;
        let encounter = crate::store::canonical::encounter_on(&mut *conn, event.record_id)
            .await?
            .ok_or_else(gone)?;
        (encounter.patient_id, Some(encounter))
    } else {
        (event.record_id, None)
    };
    let patient: Patient = store.patient(patient_id).await?.ok_or_else(gone)?.patient;
    let trigger = match event.kind.as_str() {
        "patient.created" | "visit.admitted" => adt::Trigger::A04,
        "visit.discharged" => adt::Trigger::A03,
        "patient.merged" => adt::Trigger::A40,
        _ => adt::Trigger::A08,
    };
    let merged: Vec<Identifier> = event
        .detail
        .as_ref()
        .and_then(|detail| detail.get("merged_identifiers"))
        .map(|list| serde_json::from_value(list.clone()))
        .transpose()
        .map_err(|err| RenderError::Build(format!("merged identifiers: {err}")))?
        .unwrap_or_default();
    adt::Adt {
        trigger,
        patient: &patient,
        encounter: encounter.as_ref(),
        merged: &merged,
    }
    .build(&parties.header(event_control_id(event.id), event.at))
    .map_err(|err| RenderError::Build(err.to_string()))
}
