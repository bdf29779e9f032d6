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
    });
    if postgres {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}
