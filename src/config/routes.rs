//! `config/routes.toml`: ordered routing rules that send a message's facts to named destinations.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::problem::{Document, Problem};

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

/// Facts a rule can test. Each present condition must equal the message's fact (case-sensitive).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Conditions {
    /// `hl7v2`, `fhir` or `x12`.
    pub format: Option<String>,
    /// HL7 v2 MSH-9.1 (e.g. `ADT`).
    pub message_type: Option<String>,
    /// HL7 v2 MSH-9.2 (e.g. `A01`).
    pub trigger_event: Option<String>,
    /// HL7 v2 MSH-3.
    pub sending_application: Option<String>,
    /// HL7 v2 MSH-4.
    pub sending_facility: Option<String>,
    /// HL7 v2 MSH-6.
    pub receiving_facility: Option<String>,
    /// X12 ST01 (e.g. `835`).
    pub transaction_set: Option<String>,
    /// X12 ISA06 sender id.
    pub sender_id: Option<String>,
    /// X12 ISA08 receiver id.
    pub receiver_id: Option<String>,
    /// FHIR `resourceType`.
    pub resource_type: Option<String>,
    /// Payer id known for the message.
    pub payer_id: Option<String>,
    /// Any field by path (`PID-3.4`, `CLP02`, ...) and the value it must have.
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
}

const FORMATS: [&str; 3] = ["hl7v2", "fhir", "x12"];

impl Conditions {
    /// What is wrong with these conditions on their own (unknown format, empty field paths).
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if let Some(format) = &self.format
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
