//! Operational metrics in the Prometheus text format. Each server has its own registry (in
//! `AppState`), so servers sharing a process never mix their figures. Counters and histograms
//! are observed where the work happens (requests, intake batches, sweep passes); the queue
//! depths, the index lag and the open cases are read from the database when `/metrics` is
//! scraped (`service::health::figures`) and exist only in that scrape's answer.
//!
//! No label carries personal data or a case number: a request is labelled by its route
//! *pattern* (`/api/v1/cases/{case_no}`), never its path; the other labels are codes
//! (channel, case state) and fixed words.

use std::time::Duration;

use actix_web::http::{Method, StatusCode};
use prometheus::core::Collector;
use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge,
    IntGaugeVec, Opts, Registry, TextEncoder,
};

/// The label of a request that matched no route.
pub const UNMATCHED: &str = "unmatched";

/// The metrics of one server.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    /// Cases stored per group-commit transaction (`service::group_commit`).
    pub intake_batch: Histogram,
    /// Seconds a deadline sweep pass took on this node (only passes it held the lease for).
    pub sweep_seconds: Histogram,
    /// Sweep passes that failed on this node.
    pub sweep_failures: IntCounter,
}

/// What the database says when `/metrics` is scraped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures {
    /// Per outbox channel (`email`, `sms`, `wechat`; every channel listed).
    pub outbox: Vec<QueueDepth>,
    /// Webhook deliveries to ODR businesses (`channel` is `webhook`).
    pub webhooks: QueueDepth,
    /// Events in the log the search index has not taken in yet.
    pub index_lag_events: u64,
    /// Open cases by state code and whether their stage clock is overdue.
    pub open_cases: Vec<OpenCases>,
}

/// Messages waiting in one queue.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueDepth {
    pub channel: &'static str,
    pub waiting: u64,
    pub dead: u64,
    /// Age of the oldest waiting message; 0 when none waits.
    pub oldest_waiting_seconds: u64,
}

/// How many open cases are in one state, overdue or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenCases {
    pub state: &'static str,
    pub overdue: bool,
    pub count: u64,
}

impl Metrics {
    pub fn new() -> Result<Metrics, prometheus::Error> {
        let registry = Registry::new();
        let labels = ["route", "method", "status"];
        let requests = IntCounterVec::new(
            Opts::new(
                "odrdesk_http_requests_total",
                "HTTP requests answered, by route pattern, method and status class",
            ),
            &labels,
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "odrdesk_http_request_duration_seconds",
                "Time to answer an HTTP request (until the head is ready), by route pattern, method and status class",
            ),
            &labels,
        )?;
        let intake_batch = Histogram::with_opts(
            HistogramOpts::new(
                "odrdesk_intake_batch_size",
                "New cases stored per group-commit transaction",
            )
            .buckets(prometheus::exponential_buckets(1.0, 2.0, 13)?),
        )?;
        let sweep_seconds = Histogram::with_opts(
            HistogramOpts::new(
                "odrdesk_sweep_duration_seconds",
                "Duration of the deadline sweep passes this node ran",
            )
            .buckets(vec![
                0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0,
            ]),
        )?;
        let sweep_failures = IntCounter::new(
            "odrdesk_sweep_failures_total",
            "Deadline sweep passes on this node that failed",
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(intake_batch.clone()))?;
        registry.register(Box::new(sweep_seconds.clone()))?;
        registry.register(Box::new(sweep_failures.clone()))?;
        Ok(Metrics {
            registry,
            requests,
            latency,
            intake_batch,
            sweep_seconds,
            sweep_failures,
        })
    }

    /// Counts one answered request. `route` is the matched pattern (`None`: unmatched);
    /// `status` is `None` when the request ended in an error without a response.
    pub fn observe_request(
        &self,
        route: Option<&str>,
        method: &Method,
        status: Option<StatusCode>,
        took: Duration,
    ) {
        let labels = [
            route.unwrap_or(UNMATCHED),
            method_label(method),
            status_class(status),
        ];
        self.requests.with_label_values(&labels).inc();
        self.latency
            .with_label_values(&labels)
            .observe(took.as_secs_f64());
    }

    /// The text exposition of this server's metrics and of `figures`.
    pub fn render(&self, figures: &Figures) -> Result<String, prometheus::Error> {
        let mut families = self.registry.gather();
        for collector in scrape_gauges(figures)? {
            families.extend(
                collector
                    .collect()
                    .into_iter()
                    .filter(|f| !f.get_metric().is_empty()),
            );
        }
        families.sort_by(|a, b| a.name().cmp(b.name()));
        let mut out = Vec::new();
        TextEncoder::new().encode(&families, &mut out)?;
        String::from_utf8(out).map_err(|e| prometheus::Error::Msg(e.to_string()))
    }
}

/// The scrape-time figures as gauges of their own, made afresh for each scrape.
fn scrape_gauges(f: &Figures) -> Result<Vec<Box<dyn Collector>>, prometheus::Error> {
    let by_channel = |name: &str, help: &str| IntGaugeVec::new(Opts::new(name, help), &["channel"]);
    let waiting = by_channel(
        "odrdesk_outbox_waiting",
        "Messages not yet sent and not given up, by channel (webhook: deliveries to businesses)",
    )?;
    let dead = by_channel(
        "odrdesk_outbox_dead",
        "Messages given up after too many failures (dead letters), by channel",
    )?;
    let oldest = by_channel(
        "odrdesk_outbox_oldest_waiting_seconds",
        "Age of the oldest waiting message, by channel; 0 when none waits",
    )?;
    for q in &f.outbox {
        waiting
            .with_label_values(&[q.channel])
            .set(gauge(q.waiting));
        dead.with_label_values(&[q.channel]).set(gauge(q.dead));
        oldest
            .with_label_values(&[q.channel])
            .set(gauge(q.oldest_waiting_seconds));
    }
    let hooks = &f.webhooks;
    let webhook_waiting = IntGauge::new(
        "odrdesk_webhook_deliveries_waiting",
        "Webhook deliveries to ODR businesses not yet delivered and not given up",
    )?;
    webhook_waiting.set(gauge(hooks.waiting));
    let webhook_dead = IntGauge::new(
        "odrdesk_webhook_deliveries_dead",
        "Webhook deliveries given up after too many failures and not resent",
    )?;
    webhook_dead.set(gauge(hooks.dead));
    let webhook_oldest = IntGauge::new(
        "odrdesk_webhook_oldest_waiting_seconds",
        "Age of the oldest waiting webhook delivery; 0 when none waits",
    )?;
    webhook_oldest.set(gauge(hooks.oldest_waiting_seconds));
    let lag = IntGauge::new(
        "odrdesk_search_index_lag_events",
        "Events in the log that the search index has not taken in yet",
    )?;
    lag.set(gauge(f.index_lag_events));
    let open = IntGaugeVec::new(
        Opts::new(
            "odrdesk_open_cases",
            "Open cases by state code and whether their stage clock is overdue",
        ),
        &["state", "overdue"],
    )?;
    for o in &f.open_cases {
        let overdue = if o.overdue { "true" } else { "false" };
        open.with_label_values(&[o.state, overdue])
            .set(gauge(o.count));
    }
    Ok(vec![
        Box::new(waiting),
        Box::new(dead),
        Box::new(oldest),
        Box::new(webhook_waiting),
        Box::new(webhook_dead),
        Box::new(webhook_oldest),
        Box::new(lag),
        Box::new(open),
    ])
}

fn gauge(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The method as a label; methods outside HTTP's usual ones are `other`, so a client cannot
/// grow the label set.
fn method_label(method: &Method) -> &'static str {
    const KNOWN: [(Method, &str); 7] = [
        (Method::GET, "GET"),
        (Method::HEAD, "HEAD"),
        (Method::POST, "POST"),
        (Method::PUT, "PUT"),
        (Method::PATCH, "PATCH"),
        (Method::DELETE, "DELETE"),
        (Method::OPTIONS, "OPTIONS"),
    ];
    KNOWN
        .iter()
        .find(|(m, _)| m == method)
        .map_or("other", |(_, name)| name)
}

fn status_class(status: Option<StatusCode>) -> &'static str {
    match status.map(|s| s.as_u16() / 100) {
        Some(1) => "1xx",
        Some(2) => "2xx",
        Some(3) => "3xx",
        Some(4) => "4xx",
        _ => "5xx",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_patterns_classes_and_known_methods() {
        let m = Metrics::new().unwrap();
        let odd = Method::from_bytes(b"BREW").unwrap();
        m.observe_request(
            Some("/api/v1/cases/{case_no}"),
            &Method::GET,
            Some(StatusCode::NOT_FOUND),
            Duration::from_millis(3),
        );
        m.observe_request(None, &odd, None, Duration::ZERO);
        let text = m.render(&Figures::default()).unwrap();
        assert!(text.contains(
            r#"odrdesk_http_requests_total{method="GET",route="/api/v1/cases/{case_no}",status="4xx"} 1"#
        ), "{text}");
        assert!(
            text.contains(
                r#"odrdesk_http_requests_total{method="other",route="unmatched",status="5xx"} 1"#
            ),
            "{text}"
        );
        assert!(text.contains("odrdesk_search_index_lag_events 0"), "{text}");
    }
}

/// `[metrics]` in the TOML file.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsFile {
    /// A bearer token that opens `/metrics` to callers other than loopback ones.
    pub token: Option<String>,
    /// The most events the search index may lag for `/readyz` to answer 200.
    pub max_index_lag: Option<u64>,
    /// Whether direct loopback callers need no token (default false: a reverse proxy on the
    /// same host that adds no forwarding header would otherwise open `/metrics` to everyone).
    pub allow_loopback: Option<bool>,
}

/// Who may read `/metrics`, and what `/readyz` tolerates.
#[derive(Clone)]
pub struct MetricsSettings {
    /// `None`: loopback callers only.
    pub token: Option<String>,
    pub max_index_lag: u64,
    /// Direct loopback callers (no forwarding header) need no token.
    pub allow_loopback: bool,
}

/// The default of `[metrics] max_index_lag`.
pub const DEFAULT_MAX_INDEX_LAG: u64 = 1000;

impl MetricsSettings {
    /// From the environment's or flag's token over the file's.
    pub fn resolve(token: Option<String>, file: MetricsFile) -> MetricsSettings {
        MetricsSettings {
            token: token
                .or(file.token)
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty()),
            max_index_lag: file.max_index_lag.unwrap_or(DEFAULT_MAX_INDEX_LAG),
            allow_loopback: file.allow_loopback.unwrap_or(false),
        }
    }

    /// Whether a request may read `/metrics`: it came over loopback from no proxy (no
    /// forwarding header) where `allow_loopback` is set, or it carries the configured bearer
    /// token.
    pub fn admits(&self, direct_loopback: bool, bearer: Option<&str>) -> bool {
        use sha2::{Digest, Sha256};
        if direct_loopback && self.allow_loopback {
            return true;
        }
        match (&self.token, bearer) {
            // Compared as digests, so the time taken says nothing about the token.
            (Some(token), Some(given)) => {
                Sha256::digest(token.as_bytes()) == Sha256::digest(given.as_bytes())
            }
            _ => false,
        }
    }
}

impl Default for MetricsSettings {
    fn default() -> MetricsSettings {
        MetricsSettings::resolve(None, MetricsFile::default())
    }
}

impl std::fmt::Debug for MetricsSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetricsSettings")
            .field("token", &self.token.as_ref().map(|_| "…"))
            .field("max_index_lag", &self.max_index_lag)
            .field("allow_loopback", &self.allow_loopback)
            .finish()
    }
}
