//! The one table of connector kinds: `type = "..."` in a channel file names one of these, and
//! the settings of that kind are the connector module's own struct.
//!
//! Adding a connector: write its module (a settings struct implementing
//! [`SourceSettings`] or [`DestinationSettings`], and the [`super::Source`] or
//! [`super::Destination`] it builds), then add its line below. Nothing else names connectors.

use serde::{Deserialize, Serialize};

use super::config::{ChannelConfig, Checks};
use super::{
    DestinationContext, DestinationSettings, SourceSettings, acknowledge, amqp, canonical, claims,
    database, fhir, file, forward, http, mllp, payer_sim, schedule, sftp, store, subscriptions,
};

/// Declares the enum of one side's connector kinds (tagged by `type`) and its dispatch to the
/// settings of the kind in hand.
macro_rules! connectors {
    (
        $(#[$doc:meta])*
        $name:ident: $settings:ident {
            $($(#[$variant_doc:meta])* $kind:literal => $variant:ident($config:ty),)*
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
        #[serde(tag = "type")]
        pub enum $name {
            $($(#[$variant_doc])* #[serde(rename = $kind)] $variant($config),)*
        }

        impl $name {
            /// The connector's `type`.
            pub fn kind(&self) -> &'static str {
                match self {
                    $($name::$variant(_) => $kind,)*
                }
            }

            /// The connector's settings.
            pub fn settings(&self) -> &dyn $settings {
                match self {
                    $($name::$variant(settings) => settings,)*
                }
            }
        }
    };
}

connectors! {
    /// The kinds of source a channel can have.
    SourceConfig: SourceSettings {
        /// HL7 v2 over MLLP (TCP).
        "mllp" => Mllp(mllp::MllpSource),
        /// HTTP POST bodies on a listener of the channel's own.
        "http" => Http(http::HttpSource),
        /// Files dropped in a folder.
        "file" => File(file::FileSource),
        /// An AMQP 0-9-1 (RabbitMQ) queue.
        "amqp" => Amqp(amqp::AmqpSource),
        /// What other channels and the engine hand the channel.
        "channel" => Channel(forward::ChannelSource),
        /// A fixed body on a cron schedule.
        "schedule" => Schedule(schedule::ScheduleSource),
        /// Files in a folder on an SSH server.
        "sftp" => Sftp(sftp::SftpSource),
        /// Rows of a database query.
        "database" => Database(database::DatabaseSource),
        /// What changes in the canonical store.
        "canonical" => Canonical(canonical::CanonicalSource),
    }
}

connectors! {
    /// The kinds of destination a channel can have.
    DestinationKind: DestinationSettings {
        /// A file per message in a folder.
        "file" => File(file::FileDestinationConfig),
        /// An HTTP request per message.
        "http" => Http(http::HttpDestinationConfig),
        /// An AMQP exchange.
        "amqp" => Amqp(amqp::AmqpDestinationConfig),
        /// Another HL7 v2 system over MLLP.
        "mllp" => Mllp(mllp::MllpDestinationConfig),
        /// A FHIR server, as transaction Bundles.
        "fhir" => Fhir(fhir::FhirDestinationConfig),
        /// The canonical store.
        "store" => Store(store::StoreDestinationConfig),
        /// Our claims (999, 277CA, 835).
        "claims" => Claims(claims::ClaimsDestinationConfig),
        /// A 999 for each inbound interchange, through another channel.
        "acknowledge" => Acknowledge(acknowledge::AcknowledgeDestinationConfig),
        /// A simulated payer's answers to each 837.
        "payer-sim" => PayerSim(payer_sim::PayerSimDestinationConfig),
        /// Another channel.
        "channel" => Channel(forward::ChannelDestinationConfig),
        /// A file per message in a folder on an SSH server.
        "sftp" => Sftp(sftp::SftpDestinationConfig),
        /// A statement per message in a database.
        "database" => Database(database::DatabaseDestinationConfig),
        /// The FHIR rest-hook Subscriptions a resource matches.
        "fhir-subscriptions" => Subscriptions(subscriptions::SubscriptionsDestinationConfig),
    }
}

impl SourceConfig {
    /// Records every setting of the source that is wrong.
    pub fn check(&self, checks: &mut Checks<'_>) {
        self.settings().check(checks);
    }

    /// The running source.
    pub fn build(&self) -> Box<dyn super::Source> {
        self.settings().build()
    }
}

impl DestinationKind {
    /// Records every setting of the destination that is wrong in `channel`.
    pub fn check(&self, checks: &mut Checks<'_>, channel: &ChannelConfig) {
        self.settings().check(checks, channel);
    }

    /// The running destination.
    pub fn build(
        &self,
        context: &DestinationContext<'_>,
    ) -> std::sync::Arc<dyn super::Destination> {
        self.settings().build(context)
    }
}
