//! `amqp` source and destination over RabbitMQ (AMQP 0-9-1).
//!
//! The source consumes with manual acknowledgment: a delivery is acked only after the pipeline
//! has stored it, and nacked (requeued) when it could not be; it reconnects with backoff after
//! the broker goes away. The destination publishes persistent messages with publisher confirms
//! and `mandatory`, so a message is only counted as sent once the broker has taken it.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use futures::future::BoxFuture;
use lapin::Confirmation;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicNackOptions, BasicPublishOptions, BasicQosOptions,
    ConfirmSelectOptions, QueueDeclareOptions,
};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel, Connection, ConnectionProperties};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use super::config::{ChannelConfig, Checks};
use super::{
    DeliveryError, Destination, DestinationContext, DestinationSettings, Outbound, Source,
    SourceContext, SourceError, SourceSettings, expand_env,
};

/// Longest wait between reconnection attempts.
const MAX_RECONNECT_DELAY: Duration = Duration::from_secs(30);

/// `type = "amqp"` source: consumes an AMQP 0-9-1 (RabbitMQ) queue, acknowledging each
/// delivery only after the message is stored.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AmqpSource {
    /// Broker URL, e.g. `amqp://user:pass@host:5672/%2f`; `${ENV_VAR}` is expanded at start.
    pub url: String,
    /// Queue to consume; declared durable if it does not exist.
    pub queue: String,
    /// Unacknowledged deliveries in flight.
    #[serde(default = "default_prefetch")]
    pub prefetch: u16,
    /// Content type to record when the delivery has none.
    #[serde(default)]
    pub content_type: Option<String>,
}

fn default_prefetch() -> u16 {
    16
}

impl SourceSettings for AmqpSource {
    fn check(&self, checks: &mut Checks<'_>) {
        if self.queue.is_empty() {
            checks.problem("queue", "must not be empty");
        }
        checks.amqp_url("url", &self.url);
    }

    fn build(&self) -> Box<dyn Source> {
        Box::new(AmqpSource {
            url: expand_env(&self.url),
            ..self.clone()
        })
    }
}

async fn open_channel(url: &str) -> Result<(Connection, Channel), lapin::Error> {
    let connection = Connection::connect(url, ConnectionProperties::default()).await?;
    let channel = connection.create_channel().await?;
    Ok((connection, channel))
}

async fn declare_durable(channel: &Channel, queue: &str) -> Result<(), lapin::Error> {
    channel
        .queue_declare(
            queue.into(),
            QueueDeclareOptions {
                durable: true,
                ..QueueDeclareOptions::default()
            },
            FieldTable::default(),
        )
        .await
        .map(|_| ())
}

/// Hides the password of a broker URL for logs.
fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

impl Source for AmqpSource {
    fn run(self: Box<Self>, context: SourceContext) -> BoxFuture<'static, Result<(), SourceError>> {
        Box::pin(async move {
            let mut delay = Duration::from_millis(500);
            loop {
                match self.consume(&context).await {
                    Ok(()) => return Ok(()),
                    Err(reason) => {
                        tracing::warn!(channel = %context.pipeline.channel(), broker = %redacted(&self.url), %reason, "AMQP source disconnected; reconnecting");
                    }
                }
                tokio::select! {
                    _ = context.shutdown.cancelled() => return Ok(()),
                    _ = tokio::time::sleep(delay) => {}
                }
                delay = (delay * 2).min(MAX_RECONNECT_DELAY);
            }
        })
    }
}

impl AmqpSource {
    /// One connection's worth of consuming; `Ok` only when asked to stop.
    async fn consume(&self, context: &SourceContext) -> Result<(), String> {
        let (connection, channel) = open_channel(&self.url).await.map_err(|e| e.to_string())?;
        declare_durable(&channel, &self.queue)
            .await
            .map_err(|e| e.to_string())?;
        channel
            .basic_qos(self.prefetch.max(1), BasicQosOptions::default())
            .await
            .map_err(|e| e.to_string())?;
        let tag = format!(
            "switchboard-{}-{}",
            context.pipeline.channel(),
            std::process::id()
        );
        let mut consumer = channel
            .basic_consume(
                self.queue.as_str().into(),
                tag.as_str().into(),
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await
            .map_err(|e| e.to_string())?;
        tracing::info!(channel = %context.pipeline.channel(), queue = %self.queue, "AMQP source consuming");
        loop {
            let delivery = tokio::select! {
                _ = context.shutdown.cancelled() => {
                    let _ = connection.close(200, "channel stopped".into()).await;
                    return Ok(());
                }
                next = consumer.next() => next,
            };
            let delivery = match delivery {
                Some(Ok(delivery)) => delivery,
                Some(Err(err)) => return Err(err.to_string()),
                None => return Err("the broker closed the consumer".to_string()),
            };
            let content_type = delivery
                .properties
                .content_type()
                .as_ref()
                .map(|c| c.to_string())
                .or_else(|| self.content_type.clone());
            match context
                .pipeline
                .receive(&delivery.data, content_type.as_deref())
                .await
            {
                Ok(_) => {
                    delivery
                        .acker
                        .ack(BasicAckOptions::default())
                        .await
                        .map_err(|e| e.to_string())?;
                }
                Err(err) => {
                    tracing::error!(%err, "cannot store an AMQP delivery; requeueing it");
                    let _ = delivery
                        .acker
                        .nack(BasicNackOptions {
                            requeue: true,
                            ..BasicNackOptions::default()
                        })
                        .await;
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    }
}

/// `type = "amqp"` destination: publishes each message to an AMQP exchange, persistent, with
/// publisher confirms.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AmqpDestinationConfig {
    /// Broker URL; `${ENV_VAR}` is expanded at start.
    pub url: String,
    /// Exchange to publish to (empty string: the default exchange).
    #[serde(default)]
    pub exchange: String,
    /// Routing key (the queue name for the default exchange).
    pub routing_key: String,
    /// Declare a durable queue named like the routing key before publishing.
    #[serde(default)]
    pub declare_queue: bool,
}

impl DestinationSettings for AmqpDestinationConfig {
    fn check(&self, checks: &mut Checks<'_>, _channel: &ChannelConfig) {
        checks.amqp_url("url", &self.url);
        if self.routing_key.is_empty() {
            checks.problem("routing_key", "must not be empty");
        }
    }

    fn build(&self, _context: &DestinationContext<'_>) -> Arc<dyn Destination> {
        Arc::new(AmqpDestination::new(
            expand_env(&self.url),
            self.exchange.clone(),
            self.routing_key.clone(),
            self.declare_queue,
        ))
    }
}

/// Publishes to an exchange.
pub struct AmqpDestination {
    url: String,
    exchange: String,
    routing_key: String,
    declare_queue: bool,
    link: Mutex<Option<(Connection, Channel)>>,
}

impl AmqpDestination {
    /// A destination; it connects on first use and after any failure.
    pub fn new(url: String, exchange: String, routing_key: String, declare_queue: bool) -> Self {
        AmqpDestination {
            url,
            exchange,
            routing_key,
            declare_queue,
            link: Mutex::new(None),
        }
    }

    async fn connect(&self) -> Result<(Connection, Channel), lapin::Error> {
        let (connection, channel) = open_channel(&self.url).await?;
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await?;
        if self.declare_queue {
            declare_durable(&channel, &self.routing_key).await?;
        }
        Ok((connection, channel))
    }
}

impl Destination for AmqpDestination {
    fn deliver<'a>(&'a self, message: &'a Outbound) -> BoxFuture<'a, Result<(), DeliveryError>> {
        Box::pin(async move {
            let mut link = self.link.lock().await;
            if link.as_ref().is_none_or(|(c, _)| !c.status().connected()) {
                *link = Some(self.connect().await.map_err(|err| {
                    DeliveryError::transient(format!("broker {}: {err}", redacted(&self.url)))
                })?);
            }
            let Some((_, channel)) = link.as_ref() else {
                return Err(DeliveryError::transient("no broker connection"));
            };
            let properties = BasicProperties::default()
                .with_delivery_mode(2)
                .with_content_type(message.content_type.as_str().into())
                .with_message_id(
                    format!("switchboard-{}", message.delivery_id)
                        .as_str()
                        .into(),
                );
            let published = channel
                .basic_publish(
                    self.exchange.as_str().into(),
                    self.routing_key.as_str().into(),
                    BasicPublishOptions {
                        mandatory: true,
                        ..BasicPublishOptions::default()
                    },
                    &message.payload,
                    properties,
                )
                .await;
            let confirmation = match published {
                Ok(confirm) => confirm.await,
                Err(err) => Err(err),
            };
            match confirmation {
                Ok(Confirmation::Ack(None)) => Ok(()),
                Ok(Confirmation::Ack(Some(_))) => Err(DeliveryError::transient(format!(
                    "no queue is bound to '{}' on exchange '{}'",
                    self.routing_key, self.exchange
                ))),
                Ok(Confirmation::Nack(_)) => {
                    Err(DeliveryError::transient("the broker refused the message"))
                }
                Ok(Confirmation::NotRequested) => {
                    *link = None;
                    Err(DeliveryError::transient(
                        "publisher confirms are off; reconnecting",
                    ))
                }
                Err(err) => {
                    *link = None;
                    Err(DeliveryError::transient(format!("publish failed: {err}")))
                }
            }
        })
    }
}
