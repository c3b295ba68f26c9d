//! Routing: evaluates `config/routes.toml` rule sets against a message's facts and decides which
//! of the channel's destinations receive it, recording why.

use serde::{Deserialize, Serialize};

use crate::config::routes::{Conditions, MatchMode, RoutesConfig};
use crate::message::Message;

/// Where a message goes, and the reasons, in the order they were decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Names of the channel's destinations that receive the message, without repeats.
    pub destinations: Vec<String>,
    /// One line per decision, for the message's event trail.
    pub trail: Vec<String>,
}

impl Conditions {
    /// True when every present condition holds for `message`.
    pub fn matches(&self, message: &Message) -> bool {
        self.facts
            .iter()
            .all(|(name, wanted)| message.facts.get(name) == Some(wanted.as_str()))
            && self
                .fields
                .iter()
                .all(|(path, wanted)| message.field(path).as_deref() == Some(wanted.as_str()))
    }
}

/// A channel filter.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FilterConfig {
    /// Name used in the message's event trail.
    pub name: String,
    /// `accept`: only matching messages pass; `reject`: matching messages are filtered out.
    pub action: FilterAction,
    /// Conditions on message facts; all must hold for the filter to match.
    #[serde(default)]
    pub when: Conditions,
    /// A script in `mappings/` (without `.rhai`) that answers whether the filter matches,
    /// instead of `when`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub script: Option<String>,
}

/// What a filter does with a matching message.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum FilterAction {
    /// Only matching messages pass.
    Accept,
    /// Matching messages are filtered out.
    Reject,
}

/// Applies a channel's filters in order: `Ok(None)` when the message passes, else why it was
/// filtered. A filter with a script matches when `scripted(index of the filter)` says so; its
/// error stops the filtering and is returned.
pub fn filter<E>(
    filters: &[FilterConfig],
    message: &Message,
    mut scripted: impl FnMut(usize) -> Result<bool, E>,
) -> Result<Option<String>, E> {
    for (index, filter) in filters.iter().enumerate() {
        let matched = match filter.script {
            Some(_) => scripted(index)?,
            None => filter.when.matches(message),
        };
        match (filter.action, matched) {
            (FilterAction::Accept, false) => {
                return Ok(Some(format!(
                    "filter '{}' accepts only matching messages",
                    filter.name
                )));
            }
            (FilterAction::Reject, true) => {
                return Ok(Some(format!("filter '{}' rejected it", filter.name)));
            }
            _ => {}
        }
    }
    Ok(None)
}

/// Routes a message of the channel `channel`, whose destinations are `destinations`. Without
/// any rule set for the channel, every destination receives it. Otherwise each applicable set
/// adds the destinations of its first (or every) matching rule, or its default when none
/// matched; targets are `channel.destination`.
pub fn route(
    routes: &RoutesConfig,
    channel: &str,
    destinations: &[&str],
    message: &Message,
) -> Decision {
    let mut decision = Decision {
        destinations: Vec::new(),
        trail: Vec::new(),
    };
    let applicable: Vec<_> = routes
        .rule_sets
        .iter()
        .filter(|set| set.channels.is_empty() || set.channels.iter().any(|c| c == channel))
        .collect();
    if applicable.is_empty() {
        decision.destinations = destinations.iter().map(|d| d.to_string()).collect();
        decision
            .trail
            .push("no routing rules for this channel: every destination".to_string());
        return decision;
    }
    let prefix = format!("{channel}.");
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
            if rule.when.matches(message) {
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::config::problem::Document;

    fn from_toml<T: serde::de::DeserializeOwned>(text: &str) -> T {
        Document::parse(Path::new("test.toml"), text)
            .unwrap()
            .deserialize()
            .unwrap()
    }

    const ROUTES: &str = r#"
[[rule_set]]
name = "hl7"
channels = ["in"]
mode = "first"
default = ["in.archive"]

[[rule_set.rule]]
name = "admissions"
when = { format = "hl7v2", message_type = "ADT", trigger_event = "A01" }
then = ["in.adt"]

[[rule_set.rule]]
name = "any-adt"
when = { message_type = "ADT" }
then = ["in.adt", "in.audit"]

[[rule_set.rule]]
name = "by-field"
when = { fields = { "PID-3.4" = "OTHERHOSP" } }
then = ["in.other"]

[[rule_set]]
name = "everything-audited"
channels = ["in"]
mode = "all"

[[rule_set.rule]]
name = "from-lab"
when = { sending_application = "LAB" }
then = ["in.audit"]

[[rule_set.rule]]
name = "charges"
when = { message_type = "DFT" }
then = ["in.billing"]
"#;

    fn facts(message: &str) -> Message {
        Message::read(message.as_bytes()).unwrap()
    }

    fn decide(message: &str) -> Vec<String> {
        let routes: RoutesConfig = from_toml(ROUTES);
        let destinations = ["adt", "audit", "archive", "other", "billing"];
        route(&routes, "in", &destinations, &facts(message)).destinations
    }

    #[test]
    fn first_match_wins_within_a_first_mode_set() {
        let a01 = "MSH|^~\\&|EHR|H|||1||ADT^A01|1|P|2.5\rPID|1||M1^^^HOSP\r";
        assert_eq!(decide(a01), ["adt"]);
        let a08 = "MSH|^~\\&|EHR|H|||1||ADT^A08|1|P|2.5\rPID|1||M1^^^HOSP\r";
        assert_eq!(decide(a08), ["adt", "audit"]);
    }

    #[test]
    fn the_default_route_applies_when_no_rule_matches() {
        let oru = "MSH|^~\\&|EHR|H|||1||ORU^R01|1|P|2.5\rPID|1||M1^^^HOSP\r";
        assert_eq!(decide(oru), ["archive"]);
        let routes: RoutesConfig = from_toml(ROUTES);
        let decision = route(&routes, "in", &["archive"], &facts(oru));
        assert!(
            decision.trail[0].contains("no rule matched, default -> in.archive"),
            "{:?}",
            decision.trail
        );
    }

    #[test]
    fn field_conditions_and_all_mode_sets_combine() {
        let other = "MSH|^~\\&|LAB|H|||1||ORU^R01|1|P|2.5\rPID|1||M1^^^OTHERHOSP\r";
        assert_eq!(decide(other), ["other", "audit"]);
        let dft = "MSH|^~\\&|EHR|H|||1||DFT^P03|1|P|2.5\rPID|1||M1^^^HOSP\r";
        assert_eq!(decide(dft), ["archive", "billing"]);
    }

    #[test]
    fn a_channel_without_rule_sets_sends_to_every_destination() {
        let routes: RoutesConfig = from_toml(ROUTES);
        let decision = route(
            &routes,
            "elsewhere",
            &["a", "b"],
            &Message::read(b"").unwrap(),
        );
        assert_eq!(decision.destinations, ["a", "b"]);
        // A set that names no channels routes every channel.
        let global: RoutesConfig = from_toml("[[rule_set]]\nname = \"g\"\n");
        let decision = route(&global, "elsewhere", &["a"], &Message::read(b"").unwrap());
        assert!(decision.destinations.is_empty());
        let none = RoutesConfig::default();
        let decision = route(&none, "in", &["x"], &Message::read(b"").unwrap());
        assert_eq!(decision.destinations, ["x"]);
    }

    #[test]
    fn filters_accept_and_reject() {
        let filters = from_toml::<FiltersFile>(
            "[[filters]]\nname = \"hl7-only\"\naction = \"accept\"\nwhen = { format = \"hl7v2\" }\n\
             [[filters]]\nname = \"no-tests\"\naction = \"reject\"\nwhen = { sending_facility = \"TEST\" }\n",
        )
        .filters;
        let filter = |filters: &[FilterConfig], message: &Message| {
            filter(filters, message, |_| Ok::<bool, ()>(true)).unwrap()
        };
        let ok = facts("MSH|^~\\&|EHR|H|||1||ADT^A01|1|P|2.5\r");
        assert_eq!(filter(&filters, &ok), None);
        let test = facts("MSH|^~\\&|EHR|TEST|||1||ADT^A01|1|P|2.5\r");
        assert_eq!(
            filter(&filters, &test).unwrap(),
            "filter 'no-tests' rejected it"
        );
        let json = facts("{\"resourceType\":\"Patient\"}");
        assert!(filter(&filters, &json).unwrap().contains("hl7-only"));
    }

    #[derive(serde::Deserialize)]
    struct FiltersFile {
        filters: Vec<FilterConfig>,
    }
}
