//! `fhir-subscriptions` destination: FHIR R4 rest-hook Subscriptions.
//!
//! A client creates a `Subscription` (criteria `Observation?code=...&patient=...`, channel
//! `rest-hook` with an endpoint, optional payload MIME type and headers). The channel that
//! holds this destination reads the store's resource events (a `canonical` source) and hands
//! each changed resource here, from its durable queue: the destination posts it to every
//! subscription whose criteria it matches, the match being the store's own search with the
//! resource's `_id` added. An endpoint that fails leaves the delivery to be retried with the
//! queue's backoff; the subscriptions it already reached are remembered per delivery, so a retry
//! posts only to those still missing it.
//!
//! The Subscription's `status` says how it goes: `requested` becomes `active` once its own
//! creation passes through here and its criteria are understood; `error` (with `error` saying
//! why) while its endpoint fails, and `active` again after the next notification it takes. An
//! endpoint must start with one of the destination's `allowed_endpoints`, so that clients cannot
//! make the engine post to any address they like.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::config::{ChannelConfig, Checks};
use super::{DeliveryError, Destination, DestinationContext, DestinationSettings, Outbound};
use crate::fhir::kinds::stored_type;
use crate::fhir::outcome::FHIR_JSON;
use crate::store::sql::Sql;
use crate::store::upsert::Value as SqlValue;
use crate::store::{Store, now_millis};

/// `type = "fhir-subscriptions"` destination: posts each resource handed to it to the rest-hook
/// Subscriptions it matches.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionsDestinationConfig {
    /// URL prefixes a Subscription's endpoint must start with (`https://`, or
    /// `http://127.0.0.1:9000/` for a local peer); a Subscription naming another is set to
    /// `error`.
    pub allowed_endpoints: Vec<String>,
    /// Seconds to wait for an endpoint's answer.
    #[serde(default = "super::http::default_timeout")]
    pub timeout_seconds: u64,
}

impl DestinationSettings for SubscriptionsDestinationConfig {
    fn check(&self, checks: &mut Checks<'_>, _channel: &ChannelConfig) {
        if self.allowed_endpoints.is_empty() {
            checks.problem(
                "allowed_endpoints",
                "name the URL prefixes Subscription endpoints may use (e.g. \"https://\")",
            );
        }
        for (index, prefix) in self.allowed_endpoints.iter().enumerate() {
            checks.http_url(&format!("allowed_endpoints[{index}]"), prefix);
        }
        if !(1..=300).contains(&self.timeout_seconds) {
            checks.problem("timeout_seconds", "must be between 1 and 300");
        }
    }

    fn build(&self, context: &DestinationContext<'_>) -> Arc<dyn Destination> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(self.timeout_seconds.max(1)))
            .connect_timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        Arc::new(SubscriptionsDestination {
            store: context.store.clone(),
            allowed_endpoints: self.allowed_endpoints.clone(),
            client,
        })
    }
}

/// Posts resources to the Subscriptions they match.
pub struct SubscriptionsDestination {
    store: Store,
    allowed_endpoints: Vec<String>,
    client: reqwest::Client,
}

/// A rest-hook Subscription as the store holds it, read.
#[derive(Debug, Clone, PartialEq)]
struct Subscription {
    /// Its logical id.
    id: String,
    /// Its JSON, for status changes.
    resource: Value,
    /// The type its criteria search.
    criteria_type: String,
    /// The criteria's parameters.
    criteria: Vec<(String, String)>,
    /// Where notifications go.
    endpoint: String,
    /// `Name: value` headers sent with each notification.
    headers: Vec<(String, String)>,
    /// The MIME type of the payload; `None`: notifications carry no body.
    payload: Option<String>,
}

impl Subscription {
    /// Reads a Subscription; `Err` says why it cannot be served (its `error` then).
    fn read(id: &str, resource: &Value) -> Result<Subscription, String> {
        let text = |pointer: &str| resource.pointer(pointer).and_then(Value::as_str);
        let channel_type = text("/channel/type").unwrap_or_default();
        if channel_type != "rest-hook" {
            return Err(format!(
                "channel.type '{channel_type}' is not served: only rest-hook is"
            ));
        }
        let criteria = text("/criteria").ok_or("criteria is missing")?;
        let (criteria_type, query) = criteria.split_once('?').unwrap_or((criteria, ""));
        if stored_type(criteria_type).is_none() {
            return Err(format!(
                "criteria type '{criteria_type}' is not served: criteria search the clinical resources (Observation, Condition, ...)"
            ));
        }
        let criteria = crate::fhir::versioned::search_query(query)
            .map_err(|err| format!("criteria: {err}"))?;
        let endpoint = text("/channel/endpoint")
            .ok_or("channel.endpoint is missing")?
            .to_string();
        let headers = resource
            .pointer("/channel/header")
            .and_then(Value::as_array)
            .map(|headers| {
                headers
                    .iter()
                    .map(|header| {
                        header
                            .as_str()
                            .and_then(|h| h.split_once(':'))
                            .map(|(name, value)| {
                                (name.trim().to_string(), value.trim().to_string())
                            })
                            .ok_or_else(|| format!("channel.header {header} is not 'Name: value'"))
                    })
                    .collect::<Result<Vec<_>, String>>()
            })
            .transpose()?
            .unwrap_or_default();
        Ok(Subscription {
            id: id.to_string(),
            resource: resource.clone(),
            criteria_type: criteria_type.to_string(),
            criteria,
            endpoint,
            headers,
            payload: text("/channel/payload")
                .filter(|p| !p.is_empty())
                .map(str::to_string),
        })
    }
}

impl SubscriptionsDestination {
    /// Notifies every Subscription `message` (a FHIR resource) matches that this delivery has
    /// not reached yet; a Subscription resource itself is checked and activated.
    async fn notify_all(&self, message: &Outbound) -> Result<(), DeliveryError> {
        let resource: Value = serde_json::from_slice(&message.payload).map_err(|err| {
            DeliveryError::permanent(format!(
                "the message is not a FHIR resource (give the channel's source format = \"fhir\"): {err}"
            ))
        })?;
        let (Some(resource_type), Some(resource_id)) = (
            resource.get("resourceType").and_then(Value::as_str),
            resource.get("id").and_then(Value::as_str),
        ) else {
            return Err(DeliveryError::permanent(
                "the message is not a FHIR resource with resourceType and id",
            ));
        };
        if resource_type == "Subscription" {
            return self.activate(resource_id, &resource).await;
        }
        let transient = |err: &dyn std::fmt::Display| DeliveryError::transient(err.to_string());
        let mut conn = self
            .store
            .pool()
            .acquire()
            .await
            .map_err(|err| transient(&err))?;
        let reached = reached(&mut *conn, message.delivery_id)
            .await
            .map_err(|err| transient(&err))?;
        let mut failures = Vec::new();
        for (id, stored) in subscriptions(&mut *conn)
            .await
            .map_err(|err| transient(&err))?
        {
            if reached.contains(&id) || !live(&stored) {
                continue;
            }
            let Ok(subscription) = Subscription::read(&id, &stored) else {
                continue;
            };
            if subscription.criteria_type != resource_type
                || !self
                    .matches(&mut *conn, &subscription, resource_id)
                    .await
                    .map_err(|err| transient(&err))?
            {
                continue;
            }
            match self.post(&subscription, &resource).await {
                Ok(()) => {
                    remember(&mut *conn, message.delivery_id, &id)
                        .await
                        .map_err(|err| transient(&err))?;
                    self.set_status(&subscription.resource, "active", None)
                        .await
                        .map_err(|err| transient(&err))?;
                }
                Err(reason) => {
                    self.set_status(&subscription.resource, "error", Some(&reason))
                        .await
                        .map_err(|err| transient(&err))?;
                    failures.push(format!("Subscription/{id}: {reason}"));
                }
            }
        }
        if failures.is_empty() {
            Ok(())
        } else {
            Err(DeliveryError::transient(failures.join("; ")))
        }
    }

    /// Checks a Subscription that was created or changed: `active` when it can be served,
    /// `error` with the reason otherwise. One that is `off` or already so is left alone.
    async fn activate(&self, id: &str, resource: &Value) -> Result<(), DeliveryError> {
        if resource.get("status").and_then(Value::as_str) != Some("requested") {
            return Ok(());
        }
        let outcome = Subscription::read(id, resource).and_then(|subscription| {
            if self.allowed(&subscription.endpoint) {
                Ok(())
            } else {
                Err(format!(
                    "endpoint {} is not allowed: it must start with one of {}",
                    subscription.endpoint,
                    self.allowed_endpoints.join(", ")
                ))
            }
        });
        let result = match outcome {
            Ok(()) => self.set_status(resource, "active", None).await,
            Err(reason) => self.set_status(resource, "error", Some(&reason)).await,
        };
        result.map_err(|err| DeliveryError::transient(err.to_string()))
    }

    /// Whether `endpoint` starts with an allowed prefix.
    fn allowed(&self, endpoint: &str) -> bool {
        self.allowed_endpoints
            .iter()
            .any(|prefix| endpoint.starts_with(prefix.as_str()))
    }

    /// Whether the current version of `resource_id` matches the subscription's criteria.
    async fn matches(
        &self,
        conn: &mut dyn Sql,
        subscription: &Subscription,
        resource_id: &str,
    ) -> Result<bool, crate::fhir::outcome::FhirError> {
        let mut pairs = subscription.criteria.clone();
        pairs.push(("_id".to_string(), resource_id.to_string()));
        let found = crate::fhir::index::find(conn, &subscription.criteria_type, &pairs).await?;
        Ok(!found.is_empty())
    }

    /// Posts one notification; the reason when the endpoint did not take it.
    async fn post(&self, subscription: &Subscription, resource: &Value) -> Result<(), String> {
        if !self.allowed(&subscription.endpoint) {
            return Err(format!(
                "endpoint {} is not allowed by the engine",
                subscription.endpoint
            ));
        }
        let mut request = self.client.post(&subscription.endpoint);
        if let Some(payload) = &subscription.payload {
            let body = serde_json::to_vec(resource).map_err(|err| err.to_string())?;
            let content_type = if payload.contains("json") {
                payload.as_str()
            } else {
                FHIR_JSON
            };
            request = request.header("Content-Type", content_type).body(body);
        }
        for (name, value) in &subscription.headers {
            request = request.header(name, value);
        }
        let response = request
            .send()
            .await
            .map_err(|err| format!("{}: {err}", subscription.endpoint))?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(format!("{} answered {status}", subscription.endpoint))
        }
    }

    /// Sets a Subscription's `status` (and `error`) when they differ from what it has, as a new
    /// version.
    async fn set_status(
        &self,
        resource: &Value,
        status: &str,
        error: Option<&str>,
    ) -> Result<(), crate::fhir::outcome::FhirError> {
        let mut changed = resource.clone();
        changed["status"] = Value::String(status.to_string());
        match error {
            Some(error) => changed["error"] = Value::String(error.to_string()),
            None => {
                if let Some(map) = changed.as_object_mut() {
                    map.remove("error");
                }
            }
        }
        if let Some(map) = changed.as_object_mut() {
            map.remove("meta");
        }
        let mut current = resource.clone();
        if let Some(map) = current.as_object_mut() {
            map.remove("meta");
        }
        if changed == current {
            return Ok(());
        }
        self.store
            .write_transaction(move |conn| {
                Box::pin(async move {
                    crate::fhir::versioned::put_in(conn, &changed, None)
                        .await
                        .map(|_| ())
                })
            })
            .await
    }
}

/// Whether a stored Subscription takes notifications: `active`, or `error` (it is retried and
/// turns `active` again once its endpoint answers).
fn live(resource: &Value) -> bool {
    matches!(
        resource.get("status").and_then(Value::as_str),
        Some("active" | "error")
    ) && !ended(resource)
}

/// Whether the Subscription's `end` has passed.
fn ended(resource: &Value) -> bool {
    resource
        .get("end")
        .and_then(Value::as_str)
        .and_then(|end| {
            time::OffsetDateTime::parse(end, &time::format_description::well_known::Rfc3339).ok()
        })
        .is_some_and(|end| end < time::OffsetDateTime::now_utc())
}

/// Every Subscription in the store, by logical id.
async fn subscriptions(
    conn: &mut dyn Sql,
) -> Result<Vec<(String, Value)>, crate::store::StoreError> {
    let rows = conn
        .rows(
            "SELECT logical_id, raw FROM fhir_current \
             WHERE resource_type = 'Subscription' AND deleted = 0 ORDER BY logical_id",
            &[],
        )
        .await?;
    let mut found = Vec::with_capacity(rows.len());
    for row in rows {
        let Some(raw) = row.opt_text("raw")? else {
            continue;
        };
        let mut resource: Value = serde_json::from_str(&raw)
            .map_err(|err| crate::store::StoreError::Invalid(err.to_string()))?;
        let id = row.text("logical_id")?;
        resource["id"] = Value::String(id.clone());
        found.push((id, resource));
    }
    Ok(found)
}

/// The subscriptions delivery `delivery_id` has reached already.
async fn reached(
    conn: &mut dyn Sql,
    delivery_id: i64,
) -> Result<HashSet<String>, crate::store::StoreError> {
    let rows = conn
        .rows(
            "SELECT subscription_id FROM subscription_notifications WHERE delivery_id = $1",
            &[SqlValue::from(delivery_id)],
        )
        .await?;
    rows.iter().map(|row| row.text("subscription_id")).collect()
}

/// Remembers that delivery `delivery_id` reached subscription `id`.
async fn remember(
    conn: &mut dyn Sql,
    delivery_id: i64,
    id: &str,
) -> Result<(), crate::store::StoreError> {
    conn.execute(
        "INSERT INTO subscription_notifications (delivery_id, subscription_id, sent_at) \
         VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        &[
            SqlValue::from(delivery_id),
            SqlValue::from(id),
            SqlValue::from(now_millis()),
        ],
    )
    .await?;
    Ok(())
}

impl Destination for SubscriptionsDestination {
    fn deliver<'a>(&'a self, message: &'a Outbound) -> BoxFuture<'a, Result<(), DeliveryError>> {
        Box::pin(self.notify_all(message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn subscription(criteria: &str) -> Value {
        json!({
            "resourceType": "Subscription",
            "status": "requested",
            "reason": "results",
            "criteria": criteria,
            "channel": {
                "type": "rest-hook",
                "endpoint": "http://127.0.0.1:9/hook",
                "payload": "application/fhir+json",
                "header": ["Authorization: Bearer abc"]
            }
        })
    }

    #[test]
    fn criteria_are_read_with_their_parameters_decoded() {
        let read = Subscription::read(
            "s1",
            &subscription("Observation?code=http://loinc.org%7C718-7&patient=Patient/7"),
        )
        .expect("a served subscription");
        assert_eq!(read.criteria_type, "Observation");
        assert_eq!(
            read.criteria,
            vec![
                ("code".to_string(), "http://loinc.org|718-7".to_string()),
                ("patient".to_string(), "Patient/7".to_string()),
            ]
        );
        assert_eq!(
            read.headers,
            vec![("Authorization".to_string(), "Bearer abc".to_string())]
        );
        assert_eq!(read.payload.as_deref(), Some("application/fhir+json"));
    }

    #[test]
    fn unserved_subscriptions_say_why() {
        let canonical = Subscription::read("s", &subscription("Patient?name=x")).unwrap_err();
        assert!(canonical.contains("criteria type 'Patient'"), "{canonical}");
        let mut email = subscription("Observation?code=1");
        email["channel"]["type"] = json!("email");
        let reason = Subscription::read("s", &email).unwrap_err();
        assert!(reason.contains("only rest-hook"), "{reason}");
        let mut header = subscription("Observation?code=1");
        header["channel"]["header"] = json!(["no colon"]);
        let reason = Subscription::read("s", &header).unwrap_err();
        assert!(reason.contains("not 'Name: value'"), "{reason}");
    }

    #[test]
    fn ended_and_off_subscriptions_are_not_live() {
        let mut active = subscription("Observation?code=1");
        active["status"] = json!("active");
        assert!(live(&active));
        active["end"] = json!("2001-01-01T00:00:00Z");
        assert!(!live(&active));
        let mut off = subscription("Observation?code=1");
        off["status"] = json!("off");
        assert!(!live(&off));
    }
}
