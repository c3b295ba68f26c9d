//! Prometheus metrics with the official client (`prometheus-client`): the counters the engine
//! keeps live, and the families sampled at scrape time, encoded as OpenMetrics text.

use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// The content type of [`Metrics::render`]'s text.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Label pairs, in output order.
pub type Labels = Vec<(&'static str, String)>;

/// Labels of `switchboard_http_requests_total`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: String,
}

/// The counters the engine keeps live. Shared by reference; every method takes `&self`.
#[derive(Debug, Default)]
pub struct Metrics {
    http_requests: Family<RequestLabels, Counter>,
}

/// Whether a sampled family counts up since the start or is a level now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A total kept elsewhere (its name ends in `_total`).
    Counter,
    /// A level.
    Gauge,
}

/// A family of values sampled by the caller at scrape time.
#[derive(Debug)]
pub struct Sampled {
    /// Counter or gauge.
    pub kind: Kind,
    /// Metric name (a counter's with its `_total`).
    pub name: &'static str,
    /// Help text.
    pub help: &'static str,
    /// Label sets and their values.
    pub samples: Vec<(Labels, i64)>,
}

/// A family of histograms kept elsewhere (per channel, per destination), read at scrape time.
#[derive(Debug)]
pub struct Histograms {
    /// Metric name.
    pub name: &'static str,
    /// Help text.
    pub help: &'static str,
    /// Label sets and their histograms.
    pub samples: Vec<(Labels, Histogram)>,
}

/// A latency histogram in seconds, with buckets from `first` seconds, each `factor` times the
/// one before, `count` in all.
pub fn latency_histogram(first: f64, factor: f64, count: u16) -> Histogram {
    Histogram::new(exponential_buckets(first, factor, count))
}

impl Metrics {
    /// Counts one answered HTTP request.
    pub fn count_request(&self, method: &str, route: &str, status: u16) {
        self.http_requests
            .get_or_create(&RequestLabels {
                method: method.to_string(),
                route: route.to_string(),
                status: status.to_string(),
            })
            .inc();
    }

    /// The OpenMetrics text of the live counters, the `sampled` families and the `histograms`.
    pub fn render(&self, sampled: Vec<Sampled>, histograms: Vec<Histograms>) -> String {
        let mut registry = Registry::default();
        registry.register(
            "switchboard_http_requests",
            "HTTP requests answered, by method, matched route and status.",
            self.http_requests.clone(),
        );
        registry.register_collector(Box::new(AtScrape {
            sampled,
            histograms,
        }));
        let mut text = String::new();
        if let Err(err) = prometheus_client::encoding::text::encode(&mut text, &registry) {
            tracing::error!(%err, "cannot encode the metrics");
        }
        text
    }
}

/// The families sampled for one scrape.
#[derive(Debug)]
struct AtScrape {
    sampled: Vec<Sampled>,
    histograms: Vec<Histograms>,
}

impl prometheus_client::collector::Collector for AtScrape {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        for family in &self.sampled {
            let (name, metric_type) = match family.kind {
                // The encoder adds `_total` to a counter's samples itself.
                Kind::Counter => (
                    family.name.strip_suffix("_total").unwrap_or(family.name),
                    MetricType::Counter,
                ),
                Kind::Gauge => (family.name, MetricType::Gauge),
            };
            let mut descriptor = encoder.encode_descriptor(name, family.help, None, metric_type)?;
            for (labels, value) in &family.samples {
                let metric = descriptor.encode_family(labels)?;
                match family.kind {
                    Kind::Counter => {
                        ConstCounter::new(u64::try_from(*value).unwrap_or(0)).encode(metric)?;
                    }
                    Kind::Gauge => ConstGauge::new(*value).encode(metric)?,
                }
            }
        }
        for family in &self.histograms {
            let mut descriptor =
                encoder.encode_descriptor(family.name, family.help, None, MetricType::Histogram)?;
            for (labels, histogram) in &family.samples {
                histogram.encode(descriptor.encode_family(labels)?)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_gauges_and_histograms() {
        let metrics = Metrics::default();
        metrics.count_request("GET", "/health", 200);
        metrics.count_request("GET", "/health", 200);
        let latency = latency_histogram(0.001, 2.0, 4);
        latency.observe(0.0015);
        let text = metrics.render(
            vec![
                Sampled {
                    kind: Kind::Gauge,
                    name: "switchboard_up",
                    help: "1 when running.",
                    samples: vec![(vec![("x", "a\"b".to_string())], 1)],
                },
                Sampled {
                    kind: Kind::Counter,
                    name: "switchboard_events_total",
                    help: "Events.",
                    samples: vec![(vec![("event", "sent".to_string())], 3)],
                },
            ],
            vec![Histograms {
                name: "switchboard_latency_seconds",
                help: "Latency.",
                samples: vec![(vec![("channel", "adt".to_string())], latency)],
            }],
        );
        assert!(
            text.contains(
                "switchboard_http_requests_total{method=\"GET\",route=\"/health\",status=\"200\"} 2\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("# TYPE switchboard_up gauge\nswitchboard_up{x=\"a\\\"b\"} 1\n"),
            "{text}"
        );
        assert!(
            text.contains("switchboard_events_total{event=\"sent\"} 3\n"),
            "{text}"
        );
        assert!(
            text.contains("switchboard_latency_seconds_bucket{le=\"0.001\",channel=\"adt\"} 0\n"),
            "{text}"
        );
        assert!(
            text.contains("switchboard_latency_seconds_bucket{le=\"0.002\",channel=\"adt\"} 1\n"),
            "{text}"
        );
        assert!(
            text.contains("switchboard_latency_seconds_count{channel=\"adt\"} 1\n"),
            "{text}"
        );
        assert!(text.ends_with("# EOF\n"), "{text}");
    }
}
