//! Process metrics in the Prometheus text format, for `GET /metrics`.
//!
//! Counters are plain atomics: cheap enough to bump on every request and
//! every SQL statement. Nothing here is labelled with tenant data.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The process's counters.
#[derive(Default)]
pub struct Metrics {
    requests: [AtomicU64; 5],
    request_micros: AtomicU64,
    statements: AtomicU64,
    statement_micros: AtomicU64,
    rate_limited: AtomicU64,
    kept_responses: AtomicU64,
}

/// Shared handle to the counters.
pub type SharedMetrics = Arc<Metrics>;

impl Metrics {
    /// Counts a finished HTTP request by status class.
    pub fn request(&self, status: u16, elapsed: std::time::Duration) {
        let class = usize::from(status / 100).clamp(1, 5) - 1;
        self.requests[class].fetch_add(1, Ordering::Relaxed);
        self.request_micros
            .fetch_add(elapsed.as_micros() as u64, Ordering::Relaxed);
        if status == 429 {
            self.rate_limited.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Counts a GraphQL response served from the kept responses.
    pub fn kept_response(&self) {
        self.kept_responses.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts an SQL statement.
    pub fn statement(&self, elapsed: std::time::Duration) {
        self.statements.fetch_add(1, Ordering::Relaxed);
        self.statement_micros
            .fetch_add(elapsed.as_micros() as u64, Ordering::Relaxed);
    }

    /// SQL statements run so far.
    pub fn statements(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    /// The Prometheus text exposition, with the dependency states given.
    pub fn render(&self, postgres_up: bool, redis_up: bool) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP crm_http_requests_total HTTP requests served, by status class."
        );
        let _ = writeln!(out, "# TYPE crm_http_requests_total counter");
        for (i, count) in self.requests.iter().enumerate() {
            let _ = writeln!(
                out,
                "crm_http_requests_total{{class=\"{}xx\"}} {}",
                i + 1,
                count.load(Ordering::Relaxed)
            );
        }
        let gauge = |out: &mut String, name: &str, help: &str, kind: &str, value: f64| {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} {kind}");
            let _ = writeln!(out, "{name} {value}");
        };
        let seconds = |v: &AtomicU64| v.load(Ordering::Relaxed) as f64 / 1e6;
        gauge(
            &mut out,
            "crm_http_request_seconds_total",
            "Time spent serving HTTP requests.",
            "counter",
            seconds(&self.request_micros),
        );
        gauge(
            &mut out,
            "crm_http_rate_limited_total",
            "Requests refused with 429.",
            "counter",
            self.rate_limited.load(Ordering::Relaxed) as f64,
        );
        gauge(
            &mut out,
            "crm_graphql_kept_responses_total",
            "GraphQL responses served again from the responses kept for repeated customer 360 queries.",
            "counter",
            self.kept_responses.load(Ordering::Relaxed) as f64,
        );
        gauge(
            &mut out,
            "crm_db_statements_total",
            "SQL statements run.",
            "counter",
            self.statements() as f64,
        );
        gauge(
            &mut out,
            "crm_db_statement_seconds_total",
            "Time spent in SQL statements.",
            "counter",
            seconds(&self.statement_micros),
        );
        gauge(
            &mut out,
            "crm_postgres_up",
            "Whether PostgreSQL answered just now.",
            "gauge",
            f64::from(u8::from(postgres_up)),
        );
        gauge(
            &mut out,
            "crm_redis_up",
            "Whether Redis answered just now (0: serving from PostgreSQL, limits open).",
            "gauge",
            f64::from(u8::from(redis_up)),
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_prometheus_text() {
        let metrics = Metrics::default();
        metrics.request(200, std::time::Duration::from_millis(2));
        metrics.request(429, std::time::Duration::from_millis(1));
        metrics.statement(std::time::Duration::from_micros(300));
        let text = metrics.render(true, false);
        assert!(text.contains("crm_http_requests_total{class=\"2xx\"} 1"));
        assert!(text.contains("crm_http_requests_total{class=\"4xx\"} 1"));
        assert!(text.contains("crm_http_rate_limited_total 1"));
        assert!(text.contains("crm_db_statements_total 1"));
        assert!(text.contains("crm_redis_up 0"));
    }
}
