//! The `fhir` destination: each HL7 v2 message the converter takes (ADT, results, charges,
//! orders, appointments, immunizations, documents, problems: `from_hl7v2::CONVERTED`), as its
//! channel's mapping read it, becomes a FHIR transaction Bundle POSTed to a FHIR server's base
//! URL, with the HTTP destination's retries and failure classes. When the channel's transform already made the Bundle
//! (`output = "fhir"`), it is sent as it is.

use std::collections::BTreeMap;
use std::sync::Arc;

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};

use super::config::{ChannelConfig, Checks};
use super::http::{HttpDestination, check_client_tls, default_timeout, tls_files};
use super::{DeliveryError, Destination, DestinationContext, DestinationSettings, Outbound};
use crate::config::engine::ClientTlsConfig;
use crate::fhir::from_hl7v2::convert;
use crate::fhir::outcome::FHIR_JSON;
use crate::mapping::Records;
use crate::store::Store;

/// `type = "fhir"` destination: converts each HL7 v2 message the converter takes
/// (`from_hl7v2::CONVERTED`) to a FHIR transaction Bundle and POSTs it to a FHIR server (needs a `transform`
/// mapping from HL7 v2).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FhirDestinationConfig {
    /// Base URL of the FHIR server (the Bundle is POSTed there).
    pub url: String,
    /// Extra request headers; values may use `${ENV_VAR}` (e.g. for an Authorization header).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Seconds to wait for the answer.
    #[serde(default = "default_timeout")]
    pub timeout_seconds: u64,
    /// TLS for an `https://` URL: `ca` to trust (absent: the public web PKI roots), `cert` and
    /// `key` to show (mutual TLS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<ClientTlsConfig>,
}

impl DestinationSettings for FhirDestinationConfig {
    fn check(&self, checks: &mut Checks<'_>, channel: &ChannelConfig) {
        checks.http_url("url", &self.url);
        check_client_tls(checks, &self.url, self.tls.as_ref());
        if channel
            .transform
            .as_ref()
            .is_none_or(|transform| transform.mapping.is_none())
        {
            checks.problem(
                "type",
                "a fhir destination needs the channel's transform.mapping (from HL7 v2)",
            );
        }
    }

    fn build(&self, context: &DestinationContext<'_>) -> Arc<dyn Destination> {
        Arc::new(FhirDestination {
            store: context.store.clone(),
            http: HttpDestination::new(
                &self.url,
                "POST",
                &self.headers,
                self.timeout_seconds,
                tls_files(self.tls.as_ref(), context.root).as_ref(),
            ),
        })
    }
}

/// Converts and POSTs the messages the converter takes to a FHIR server; other messages
/// fail for good (dead letters) with the reason.
pub struct FhirDestination {
    /// Where the original messages are (next of kin are read from them).
    pub store: Store,
    /// The POST to the server's base URL.
    pub http: HttpDestination,
}

impl Destination for FhirDestination {
    fn deliver<'a>(&'a self, message: &'a Outbound) -> BoxFuture<'a, Result<(), DeliveryError>> {
        Box::pin(async move {
            if message.content_type == FHIR_JSON {
                // The channel's transform already made the Bundle (`output = "fhir"`).
                return self.http.deliver(message).await;
            }
            let records: Records = serde_json::from_slice(&message.payload).map_err(|err| {
                DeliveryError::permanent(format!("the channel's mapping made no records: {err}"))
            })?;
            let raw = self
                .store
                .message_raw(message.message_id)
                .await
                .map_err(|err| DeliveryError::transient(err.to_string()))?
                .ok_or_else(|| {
                    DeliveryError::permanent(format!("message {} is gone", message.message_id))
                })?;
            let stored = crate::hl7v2::Message::parse(&raw).map_err(|err| {
                DeliveryError::permanent(format!("message {}: {err}", message.message_id))
            })?;
            let bundle = convert(&records, &stored)
                .map_err(|err| DeliveryError::permanent(err.to_string()))?;
            let outbound = Outbound {
                content_type: FHIR_JSON.to_string(),
                payload: bundle.to_string().into_bytes(),
                ..message.clone()
            };
            self.http.deliver(&outbound).await
        })
    }
}
