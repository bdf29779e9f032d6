//! `/healthz` (the process is up) and `/readyz` (its dependencies answer).

use std::time::{Duration, Instant};

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
use serde_json::json;

use crate::startup::AppState;

/// Always 200 while the process serves HTTP.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// How long one look at PostgreSQL and Redis answers `/readyz` and
/// `/metrics`: however often they are called, the services are asked at
/// most this often.
const PROBE_FRESH_FOR: Duration = Duration::from_secs(1);

/// What the last look at the services found.
#[derive(Clone, Debug)]
pub struct Probe {
    pub postgres: bool,
    pub postgres_ms: u64,
    pub redis: bool,
    pub redis_ms: u64,
    /// How outgoing mail leaves this node (`/readyz`'s `mail`).
    pub mail: serde_json::Value,
}

/// The last probe and when it was made, shared by the process's requests.
#[derive(Default)]
pub struct Probes(tokio::sync::Mutex<Option<(Instant, Probe)>>);

impl Probes {
    /// A probe at most [`PROBE_FRESH_FOR`] old; callers arriving while one
    /// runs wait for it instead of starting their own.
    pub async fn current(&self, state: &AppState) -> Probe {
        let mut last = self.0.lock().await;
        if let Some((at, probe)) = &*last {
            if at.elapsed() < PROBE_FRESH_FOR {
                return probe.clone();
            }
        }
        let probe = probe(state).await;
        *last = Some((Instant::now(), probe.clone()));
        probe
    }
}

async fn probe(state: &AppState) -> Probe {
    let started = Instant::now();
    let postgres = tokio::time::timeout(
        Duration::from_secs(2),
        state.db.execute(Statement::from_string(
            DatabaseBackend::Postgres,
            "SELECT 1",
        )),
    )
    .await
    .is_ok_and(|r| r.is_ok());
    let postgres_ms = started.elapsed().as_millis() as u64;
    let started = Instant::now();
    let redis = state.cache.ping().await;
    let redis_ms = started.elapsed().as_millis() as u64;
    Probe {
        postgres,
        postgres_ms,
        redis,
        redis_ms,
        mail: mail_readiness(state, postgres).await,
    }
}

/// How outgoing mail leaves this node. Without a relay (and outside
/// development printing) messages wait in the queue: the answer counts them
/// (one capped count, only in that case) so that operators notice. Mail does
/// not change the readiness status: the API serves without it.
async fn mail_readiness(state: &AppState, postgres: bool) -> serde_json::Value {
    let mail = &state.config.mail;
    if mail.smtp_host.is_some() {
        return json!({ "relay": true, "status": "relay configured" });
    }
    if mail.print {
        return json!({ "relay": false, "status": "no relay configured, printing messages (development)" });
    }
    let waiting = if postgres {
        tokio::time::timeout(
            Duration::from_secs(2),
            crate::domain::outbox::count_waiting(&state.db),
        )
        .await
        .map_err(|_| crate::error::Error::internal(std::io::Error::other("timed out")))
        .and_then(|counted| counted)
        .inspect_err(|err| tracing::warn!(error = ?err, "readiness: cannot count waiting messages"))
        .ok()
    } else {
        None
    };
    let status = match waiting {
        Some(n) if n >= i64::from(crate::domain::outbox::WAITING_COUNT_CAP) => {
            format!("no relay configured, at least {n} messages waiting")
        }
        Some(1) => "no relay configured, 1 message waiting".to_owned(),
        Some(n) => format!("no relay configured, {n} messages waiting"),
        None => "no relay configured, messages waiting (count unavailable)".to_owned(),
    };
    json!({ "relay": false, "waiting": waiting, "status": status })
}

/// Prometheus metrics of this process: for callers with the configured
/// `CRM_METRICS_TOKEN` as a bearer token, or, without one, for callers on
/// this machine only.
pub async fn metrics(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    if !may_read_metrics(&req, &state) {
        return HttpResponse::NotFound().finish();
    }
    let probe = state.probes.current(&state).await;
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(state.metrics.render(probe.postgres, probe.redis))
}

fn may_read_metrics(req: &HttpRequest, state: &AppState) -> bool {
    match &state.config.metrics_token {
        Some(token) => req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|given| {
                use sha2::Digest;
                // Compared as digests: equal length, no early exit on content.
                sha2::Sha256::digest(given.as_bytes()) == sha2::Sha256::digest(token.as_bytes())
            }),
        None => super::graphql::client_address(req, state)
            .and_then(|ip| ip.parse::<std::net::IpAddr>().ok())
            .is_some_and(|ip| ip.is_loopback()),
    }
}

/// 200 when PostgreSQL answers (Redis down only degrades: the product then
/// serves from PostgreSQL), 503 when PostgreSQL does not or the process is
/// draining before it stops. The body says which dependency answered and
/// how fast.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let Probe {
        postgres,
        postgres_ms,
        redis,
        redis_ms,
        mail,
    } = state.probes.current(&state).await;
    let draining = state.draining.is_on();
    let status = match (draining, postgres, redis) {
        (true, _, _) => "draining",
        (false, true, true) => "ready",
        (false, true, false) => "degraded",
        (false, false, _) => "unavailable",
    };
    if !redis {
        tracing::warn!("readiness: redis is not answering");
    }
    if !postgres {
        tracing::error!("readiness: postgresql is not answering");
    }
    let body = json!({
        "status": status,
        "postgres": { "ok": postgres, "latencyMs": postgres_ms },
        "redis": { "ok": redis, "latencyMs": redis_ms },
        "mail": mail,
    });
    if postgres && !draining {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}
