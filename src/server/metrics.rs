//! `/metrics`, in the Prometheus text format: requests by route, method and status, their
//! latency, validation failures by code, the card-link outbox and its deliveries.
//!
//! The counters are process-wide (one registry a process, as Prometheus scrapes a process);
//! the outbox's depth is read from the database at each scrape, so every node reports the
//! shared queue.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

use crate::Code;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: &'static str,
    method: &'static str,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CodeLabels {
    code: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

/// What a delivery attempt of a card link came to.
#[derive(Clone, Copy, Debug)]
pub enum Delivery {
    /// The webhook took it (2xx).
    Sent,
    /// Without a webhook: written to the log and marked sent.
    Logged,
    /// Refused or unreachable; tried again later.
    Retried,
    /// Out of attempts; marked failed.
    Failed,
}

struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    validation_failures: Family<CodeLabels, Counter>,
    outbox_pending: Gauge,
    deliveries: Family<OutcomeLabels, Counter>,
    /// Matched routes as `'static` labels: the set is the router's, so it stays small.
    routes: Mutex<HashMap<String, &'static str>>,
}

fn latency_histogram() -> Histogram {
    // 50 µs to about 3 s.
    Histogram::new(exponential_buckets(0.000_05, 3.0, 11))
}

static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
    let mut registry = Registry::default();
    let requests = Family::<RequestLabels, Counter>::default();
    registry.register("http_requests", "HTTP requests answered, by route, method and status", requests.clone());
    let latency = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(
        latency_histogram as fn() -> Histogram,
    );
    registry.register("http_request_duration_seconds", "Time to answer a request, by route", latency.clone());
    let validation_failures = Family::<CodeLabels, Counter>::default();
    registry.register(
        "validation_failures",
        "Violations reported by the validation and create routes, by code",
        validation_failures.clone(),
    );
    let outbox_pending = Gauge::default();
    registry.register("card_link_outbox_pending", "Card links queued and not yet delivered", outbox_pending.clone());
    let deliveries = Family::<OutcomeLabels, Counter>::default();
    registry.register("card_link_deliveries", "Card-link delivery attempts, by outcome", deliveries.clone());
    Metrics {
        registry,
        requests,
        latency,
        validation_failures,
        outbox_pending,
        deliveries,
        routes: Mutex::new(HashMap::new()),
    }
});

fn route_label(route: Option<&MatchedPath>) -> &'static str {
    let Some(route) = route else { return "static" };
    let mut routes = METRICS.routes.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(label) = routes.get(route.as_str()) {
        return label;
    }
    let label: &'static str = Box::leak(route.as_str().to_owned().into_boxed_str());
    routes.insert(route.as_str().to_owned(), label);
    label
}

fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Middleware: counts and times every request.
pub async fn track(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = route_label(req.extensions().get::<MatchedPath>());
    let method = method_label(req.method());
    let resp = next.run(req).await;
    METRICS.requests.get_or_create(&RequestLabels { route, method, status: resp.status().as_u16() }).inc();
    METRICS.latency.get_or_create(&RouteLabels { route }).observe(started.elapsed().as_secs_f64());
    resp
}

/// Counts the violations a route reported.
pub fn validation_failures<'a>(codes: impl IntoIterator<Item = &'a Code>) {
    for code in codes {
        METRICS.validation_failures.get_or_create(&CodeLabels { code: code.as_str() }).inc();
    }
}

/// Counts one delivery attempt.
pub fn delivery(outcome: Delivery) {
    let outcome = match outcome {
        Delivery::Sent => "sent",
        Delivery::Logged => "logged",
        Delivery::Retried => "retried",
        Delivery::Failed => "failed",
    };
    METRICS.deliveries.get_or_create(&OutcomeLabels { outcome }).inc();
}

/// The text exposition, with the outbox depth as last read from the database.
pub fn render(outbox_pending: i64) -> String {
    METRICS.outbox_pending.set(outbox_pending);
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = prometheus_client::encoding::text::encode(&mut out, &METRICS.registry);
    out
}
