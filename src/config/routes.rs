//! `config/routes.toml`: ordered routing rules that send a message's facts to named destinations.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::problem::{Document, Problem};
use crate::message::FACT_NAMES;

/// The routing file: rule sets, each applying to some channels.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RoutesConfig {
    /// Rule sets, evaluated in file order.
    #[serde(default, rename = "rule_set")]
    pub rule_sets: Vec<RuleSet>,
}

/// A named, ordered list of rules.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RuleSet {
    /// Name used in the message's event trail.
    pub name: String,
    /// Channels whose messages this set routes; empty means every channel.
    #[serde(default)]
    pub channels: Vec<String>,
    /// `first`: the first matching rule decides; `all`: every matching rule adds destinations.
    #[serde(default)]
    pub mode: MatchMode,
    /// The rules, in order.
    #[serde(default, rename = "rule")]
    pub rules: Vec<Rule>,
    /// Destinations (`channel.destination`) used when no rule matches.
    #[serde(default)]
    pub default: Vec<String>,
}

/// How a rule set combines matching rules.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum MatchMode {
    /// The first matching rule wins.
    #[default]
    First,
    /// Every matching rule contributes its destinations.
    All,
}

/// One rule: conditions on message facts, and where matching messages go.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Name used in the message's event trail.
    pub name: String,
    /// Conditions; all must hold. No conditions match every message.
    #[serde(default)]
    pub when: Conditions,
    /// Destinations (`channel.destination`) for matching messages.
    pub then: Vec<String>,
}

/// What a rule tests. Each condition must equal the message's value (case-sensitive).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct Conditions {
    /// Any field by path (`PID-3.4`, `CLP02`, ...) and the value it must have.
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    /// Message facts by name (see [`crate::message::FACT_NAMES`]: `format`, `message_type`,
    /// `transaction_set`, ...) and the value each must have.
    #[serde(flatten)]
    pub facts: BTreeMap<String, String>,
}

const FORMATS: [&str; 3] = ["hl7v2", "fhir", "x12"];

impl Conditions {
    /// What is wrong with these conditions on their own (unknown format, empty field paths).
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for name in self.facts.keys() {
            if !FACT_NAMES.contains(&name.as_str()) {
                problems.push(format!(
                    "unknown fact '{name}' (expected fields or one of {})",
                    FACT_NAMES.join(", ")
                ));
            }
        }
        if let Some(format) = self.facts.get("format")
            && !FORMATS.contains(&format.as_str())
        {
            problems.push(format!(
                "unknown format '{format}' (expected hl7v2, fhir or x12)"
            ));
        }
        if self.fields.keys().any(|path| path.trim().is_empty()) {
            problems.push("field paths must not be empty".to_string());
        }
        problems
    }
}

impl RoutesConfig {
    /// Checks formats and that every named channel and destination exists.
    /// `destinations` holds every `channel.destination` defined by the channel files.
    pub fn validate(
        &self,
        doc: &Document<'_>,
        channels: &BTreeSet<String>,
        destinations: &BTreeSet<String>,
    ) -> Vec<Problem> {
        let mut problems = Vec::new();
        let check_targets = |field: String, targets: &[String], problems: &mut Vec<Problem>| {
            for (i, target) in targets.iter().enumerate() {
                if !destinations.contains(target) {
                    problems.push(doc.problem(
                        format!("{field}[{i}]"),
                        format!("no destination '{target}' (expected channel.destination)"),
                    ));
                }
            }
        };
        for (s, set) in self.rule_sets.iter().enumerate() {
            let set_field = format!("rule_set[{s}]");
            for (c, channel) in set.channels.iter().enumerate() {
                if !channels.contains(channel) {
                    problems.push(doc.problem(
                        format!("{set_field}.channels[{c}]"),
                        format!("no channel named '{channel}'"),
                    ));
                }
            }
            check_targets(format!("{set_field}.default"), &set.default, &mut problems);
            let outside = |target: &String| {
                !set.channels.is_empty()
                    && target
                        .split_once('.')
                        .is_some_and(|(channel, _)| !set.channels.iter().any(|c| c == channel))
            };
            for (r, rule) in set.rules.iter().enumerate() {
                for (t, target) in rule.then.iter().enumerate() {
                    if outside(target) {
                        problems.push(doc.problem(
                            format!("{set_field}.rule[{r}].then[{t}]"),
                            format!("'{target}' belongs to a channel this rule set does not route"),
                        ));
                    }
                }
            }
            for (r, rule) in set.rules.iter().enumerate() {
                let rule_field = format!("{set_field}.rule[{r}]");
                for reason in rule.when.problems() {
                    problems.push(doc.problem(format!("{rule_field}.when"), reason));
                }
                if rule.then.is_empty() {
                    problems.push(doc.problem(
                        format!("{rule_field}.then"),
                        "a rule needs at least one destination",
                    ));
                }
                check_targets(format!("{rule_field}.then"), &rule.then, &mut problems);
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_name_known_facts_only() {
        let when: Conditions = toml::from_str(
            "mesage_type = \"ADT\"\nformat = \"x12\"\nfields = { \"PID-3\" = \"1\" }",
        )
        .unwrap();
        assert_eq!(when.fields.len(), 1);
        let problems = when.problems();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].starts_with("unknown fact 'mesage_type'"),
            "{problems:?}"
        );
        let misspelt_format: Conditions = toml::from_str("format = \"hl7\"").unwrap();
        assert!(misspelt_format.problems()[0].contains("unknown format 'hl7'"));
    }
}
