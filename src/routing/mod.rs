//! Routing: evaluates `config/routes.toml` rule sets against a message's facts and decides which
//! of the channel's destinations receive it, recording why.

pub mod facts;

use crate::config::ChannelConfig;
use crate::config::channel::FilterAction;
use crate::config::routes::{Conditions, MatchMode, RoutesConfig};
pub use facts::{Facts, Format};

/// Where a message goes, and the reasons, in the order they were decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Names of the channel's destinations that receive the message, without repeats.
    pub destinations: Vec<String>,
    /// One line per decision, for the message's event trail.
    pub trail: Vec<String>,
}

impl Conditions {
    /// True when every present condition holds for `facts`.
    pub fn matches(&self, facts: &Facts) -> bool {
        let checks: [(&Option<String>, Option<&str>); 11] = [
            (&self.format, facts.format.map(Format::as_str)),
            (&self.message_type, facts.message_type.as_deref()),
            (&self.trigger_event, facts.trigger_event.as_deref()),
            (
                &self.sending_application,
                facts.sending_application.as_deref(),
            ),
            (&self.sending_facility, facts.sending_facility.as_deref()),
            (
                &self.receiving_facility,
                facts.receiving_facility.as_deref(),
            ),
            (&self.transaction_set, facts.transaction_set.as_deref()),
            (&self.sender_id, facts.sender_id.as_deref()),
            (&self.receiver_id, facts.receiver_id.as_deref()),
            (&self.resource_type, facts.resource_type.as_deref()),
            (&self.payer_id, facts.payer_id.as_deref()),
        ];
        checks
            .iter()
            .all(|(wanted, actual)| wanted.as_deref().is_none_or(|w| Some(w) == *actual))
            && self
                .fields
                .iter()
                .all(|(path, wanted)| facts.field(path).as_deref() == Some(wanted.as_str()))
    }
}

/// Applies the channel's filters: `None` when the message passes, else why it was filtered.
pub fn filter(channel: &ChannelConfig, facts: &Facts) -> Option<String> {
    channel.filters.iter().find_map(|filter| {
        let matched = filter.when.matches(facts);
        match (filter.action, matched) {
            (FilterAction::Accept, false) => Some(format!(
                "filter '{}' accepts only matching messages",
                filter.name
            )),
            (FilterAction::Reject, true) => Some(format!("filter '{}' rejected it", filter.name)),
            _ => None,
        }
    })
}

/// Routes a message of `channel`. Without any rule set for the channel, every destination
/// receives it. Otherwise each applicable set adds the destinations of its first (or every)
/// matching rule, or its default when none matched; targets are `channel.destination`.
pub fn route(routes: &RoutesConfig, channel: &ChannelConfig, facts: &Facts) -> Decision {
    let mut decision = Decision {
        destinations: Vec::new(),
        trail: Vec::new(),
    };
    let applicable: Vec<_> = routes
        .rule_sets
        .iter()
        .filter(|set| set.channels.is_empty() || set.channels.contains(&channel.name))
        .collect();
    if applicable.is_empty() {
        decision.destinations = channel
            .destinations
            .iter()
            .map(|d| d.name().to_string())
            .collect();
        decision
            .trail
            .push("no routing rules for this channel: every destination".to_string());
        return decision;
    }
    let prefix = format!("{}.", channel.name);
    let add = |decision: &mut Decision, targets: &[String]| {
        for target in targets {
            if let Some(name) = target.strip_prefix(&prefix)
                && !decision.destinations.iter().any(|d| d == name)
            {
                decision.destinations.push(name.to_string());
            }
        }
    };
    for set in applicable {
        let mut matched_any = false;
        for rule in &set.rules {
            if rule.when.matches(facts) {
                matched_any = true;
                add(&mut decision, &rule.then);
                decision.trail.push(format!(
                    "rule set '{}': rule '{}' matched -> {}",
                    set.name,
                    rule.name,
                    rule.then.join(", ")
                ));
                if set.mode == MatchMode::First {
                    break;
                }
            }
        }
        if !matched_any {
            add(&mut decision, &set.default);
            let targets = if set.default.is_empty() {
                "nothing".to_string()
            } else {
                set.default.join(", ")
            };
            decision.trail.push(format!(
                "rule set '{}': no rule matched, default -> {targets}",
                set.name
            ));
        }
    }
    decision
}
