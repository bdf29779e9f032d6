//! `/healthz` (the process is up) and `/readyz` (its dependencies answer).

use std::time::{Duration, Instant};

use actix_web::{web, HttpResponse};
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
use serde_json::json;

use crate::startup::AppState;

/// Always 200 while the process serves HTTP.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// Prometheus metrics of this process.
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let postgres = tokio::time::timeout(
        Duration::from_secs(2),
        state.db.execute(Statement::from_string(
            DatabaseBackend::Postgres,
            "SELECT 1",
        )),
    )
    .await
    .is_ok_and(|r| r.is_ok());
    let redis = state.cache.ping().await;
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render(postgres, redis))
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

/// 200 when PostgreSQL answers (Redis down only degrades: the product then
/// serves from PostgreSQL), 503 when PostgreSQL does not. The body says
/// which dependency answered and how fast.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
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
    let status = match (postgres, redis) {
        (true, true) => "ready",
        (true, false) => "degraded",
        (false, _) => "unavailable",
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
        "mail": mail_readiness(&state, postgres).await,
    });
    if postgres {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}
