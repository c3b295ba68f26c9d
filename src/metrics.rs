//! Prometheus metrics: counters kept in memory, rendered as the text exposition format.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

/// Label pairs, in output order.
pub type Labels = Vec<(&'static str, String)>;

/// One metric family being rendered.
struct Family<'a> {
    name: &'a str,
    help: &'a str,
    kind: &'a str,
}

/// The engine's counters. Shared by reference; every method takes `&self`.
#[derive(Debug, Default)]
pub struct Metrics {
    counters: Mutex<BTreeMap<(&'static str, Labels), u64>>,
}

/// A metric family sampled at scrape time by the caller.
pub struct Gauge<'a> {
    /// `gauge`, or `counter` for totals kept elsewhere.
    pub kind: &'a str,
    /// Metric name.
    pub name: &'a str,
    /// Help text.
    pub help: &'a str,
    /// Label sets and their values.
    pub samples: Vec<(Labels, i64)>,
}

/// Name and help text of every counter the engine keeps.
const COUNTERS: &[(&str, &str)] = &[(
    "switchboard_http_requests_total",
    "HTTP requests answered, by method, matched route and status.",
)];

impl Metrics {
    /// Adds `by` to the counter `name` with `labels`.
    pub fn increment(&self, name: &'static str, labels: Labels, by: u64) {
        let mut counters = self
            .counters
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *counters.entry((name, labels)).or_default() += by;
    }

    /// Renders every counter plus the `gauges` sampled by the caller at scrape time.
    pub fn render(&self, gauges: &[Gauge<'_>]) -> String {
        let mut out = String::new();
        let counters = self
            .counters
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for (name, help) in COUNTERS {
            write_family(
                &mut out,
                &Family {
                    name,
                    help,
                    kind: "counter",
                },
                counters
                    .iter()
                    .filter(|((n, _), _)| n == name)
                    .map(|((_, labels), v)| (labels, i128::from(*v))),
            );
        }
        for gauge in gauges {
            write_family(
                &mut out,
                &Family {
                    name: gauge.name,
                    help: gauge.help,
                    kind: gauge.kind,
                },
                gauge
                    .samples
                    .iter()
                    .map(|(labels, v)| (labels, i128::from(*v))),
            );
        }
        out
    }
}

fn write_family<'l>(
    out: &mut String,
    family: &Family<'_>,
    samples: impl Iterator<Item = (&'l Labels, i128)>,
) {
    let _ = writeln!(out, "# HELP {} {}", family.name, family.help);
    let _ = writeln!(out, "# TYPE {} {}", family.name, family.kind);
    for (labels, value) in samples {
        out.push_str(family.name);
        if !labels.is_empty() {
            out.push('{');
            for (i, (key, val)) in labels.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let _ = write!(out, "{key}=\"{}\"", escape_label(val));
            }
            out.push('}');
        }
        let _ = writeln!(out, " {value}");
    }
}

/// Escapes a label value as the exposition format requires.
fn escape_label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_gauges() {
        let metrics = Metrics::default();
        let labels = vec![("method", "GET".to_string()), ("status", "200".to_string())];
        metrics.increment("switchboard_http_requests_total", labels.clone(), 1);
        metrics.increment("switchboard_http_requests_total", labels, 2);
        let text = metrics.render(&[Gauge {
            kind: "gauge",
            name: "switchboard_up",
            help: "1 when running.",
            samples: vec![(vec![("x", "a\"b".to_string())], 1)],
        }]);
        assert!(
            text.contains("switchboard_http_requests_total{method=\"GET\",status=\"200\"} 3\n")
        );
        assert!(text.contains("# TYPE switchboard_up gauge\nswitchboard_up{x=\"a\\\"b\"} 1\n"));
    }
}
