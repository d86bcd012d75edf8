//! Prometheus metrics at `/metrics`: requests by route and status, their durations, and the
//! errors the platform answered with.

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use std::time::Instant;

type Labels = Vec<(&'static str, String)>;

pub struct Metrics {
    registry: Registry,
    requests: Family<Labels, Counter>,
    durations: Family<Labels, Histogram>,
    security_events: Family<Labels, Counter>,
    security_alerts: Counter,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = <Registry>::with_prefix("onewindow");
        let requests = Family::<Labels, Counter>::default();
        let durations = Family::<Labels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.0005, 2.0, 16))
        });
        registry.register(
            "http_requests",
            "HTTP requests by method, route and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "HTTP request durations by route",
            durations.clone(),
        );
        let security_events = Family::<Labels, Counter>::default();
        registry.register(
            "security_events",
            "Refused requests for records and failed sign-ins, by kind (the security log)",
            security_events.clone(),
        );
        let security_alerts = Counter::default();
        registry.register(
            "security_alerts",
            "Sources that reached the security log's alert threshold within its window",
            security_alerts.clone(),
        );
        Metrics {
            registry,
            requests,
            durations,
            security_events,
            security_alerts,
        }
    }
}

impl Metrics {
    pub fn security_event(&self, kind: &str) {
        self.security_events
            .get_or_create(&vec![("kind", kind.to_string())])
            .inc();
    }

    pub fn security_alert(&self) {
        self.security_alerts.inc();
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }
}

/// Records every request under its route pattern (not the raw path, which would make one series
/// per id).
pub async fn track(
    State(state): State<crate::state::AppState>,
    req: Request,
    next: Next,
) -> Response {
    let start = Instant::now();
    let method = req.method().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    state
        .metrics
        .requests
        .get_or_create(&vec![
            ("method", method),
            ("route", route.clone()),
            ("status", status),
        ])
        .inc();
    state
        .metrics
        .durations
        .get_or_create(&vec![("route", route)])
        .observe(start.elapsed().as_secs_f64());
    res
}
