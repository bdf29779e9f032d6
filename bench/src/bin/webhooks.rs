//! Webhook delivery: sustained events per second to a local receiver, and
//! the time from an event's commit to its arrival at 100 events/s.
//!
//! One server (its delivery worker, `CRM_WEBHOOK_CONCURRENCY` 64) and a
//! local receiver (actix-web, answering 200 at once) in this process; the
//! receiver's address is allowed through the development network
//! allowance. Events are recorded in-process as the domain records them
//! (`domain_events::record_many` in a tenant transaction, which queues the
//! deliveries in the same transaction):
//!
//! 1. throughput: a backlog of 20,000 events written in batches of 1,000,
//!    then the time until the receiver has every one (events/s from the
//!    first commit to the last arrival), with each arrival's signature
//!    header present;
//! 2. latency: one event per transaction every 10 ms for 30 s (100
//!    events/s), and per event the time from its commit returning to its
//!    arrival: p50, p95, p99, max.
//!
//! Run: `scripts/bench.sh webhooks` (services up, `perf` build).

// The schema's types nest deeply (the server is built in this binary).
#![recursion_limit = "256"]

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crm_api::domain::domain_events::{self, EventKind};
use crm_api::tenancy::{TenantScope, TenantTx};
use crm_tests::webhook_receiver::Receiver;
use crm_tests::TestApp;
use serde_json::json;
use uuid::Uuid;

const BACKLOG: usize = 20_000;
const BATCH: usize = 1_000;
const RATE_PER_SECOND: u64 = 100;
const RATE_SECONDS: u64 = 30;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() {
    let app = TestApp::spawn_with(|c| {
        c.webhooks.allow_http = true;
        c.webhooks.allowed_networks =
            crm_api::auth::address::parse_networks("127.0.0.0/8").unwrap();
        c.webhooks.concurrency = 64;
        c.webhooks.poll_interval = Duration::from_millis(100);
        c.database_max_connections = 20;
    })
    .await;
    let tenant = app.sign_up("bench-hooks").await;
    let receiver = Receiver::start().await;
    let body = app
        .gql_as(
            &tenant,
            "mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret } }",
            json!({ "input": { "url": receiver.url, "eventTypes": ["CUSTOMER_DELETED"] } }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let db = crm_api::startup::connect_database(&app.config.database_url, 4)
        .await
        .expect("connect");
    let cache =
        crm_api::cache::Cache::new(&app.config.redis_url, &app.config.redis_key_prefix).unwrap();
    let scope = TenantScope::system(tenant.tenant_id.parse().unwrap());

    // 1. Throughput over a backlog.
    let started = Instant::now();
    for _ in 0..BACKLOG / BATCH {
        let events: Vec<_> = (0..BATCH)
            .map(|_| {
                let id = Uuid::now_v7();
                (id, json!({ "customerId": id }))
            })
            .collect();
        let tx = TenantTx::begin(&db, &cache, scope).await.unwrap();
        domain_events::record_many(&tx, EventKind::CustomerDeleted, &events)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    let written = started.elapsed();
    let received = receiver
        .wait_until(Duration::from_secs(600), "the backlog", |r| {
            r.len() >= BACKLOG
        })
        .await;
    let last = received.iter().map(|r| r.at).max().unwrap();
    let elapsed = last - started;
    assert!(received
        .iter()
        .all(|r| r.header("webhook-signature").starts_with("v1,")));
    println!(
        "throughput: {BACKLOG} events written in {:.2} s, all delivered {:.2} s after the first commit: {:.0} events/s",
        written.as_secs_f64(),
        elapsed.as_secs_f64(),
        BACKLOG as f64 / elapsed.as_secs_f64()
    );

    // 2. Commit-to-delivery latency at a steady rate.
    receiver.clear();
    let mut committed: HashMap<String, Instant> = HashMap::new();
    let mut tick = tokio::time::interval(Duration::from_millis(1000 / RATE_PER_SECOND));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let total = (RATE_PER_SECOND * RATE_SECONDS) as usize;
    for _ in 0..total {
        tick.tick().await;
        let id = Uuid::now_v7();
        let tx = TenantTx::begin(&db, &cache, scope).await.unwrap();
        domain_events::record(
            &tx,
            EventKind::CustomerDeleted,
            id,
            json!({ "customerId": id }),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        committed.insert(id.to_string(), Instant::now());
    }
    let received = receiver
        .wait_until(Duration::from_secs(60), "the paced events", |r| {
            r.len() >= total
        })
        .await;
    let mut latencies: Vec<Duration> = received
        .iter()
        .map(|r| {
            let id = r.json()["data"]["customerId"].as_str().unwrap().to_owned();
            r.at.saturating_duration_since(committed[&id])
        })
        .collect();
    latencies.sort();
    println!(
        "latency at {RATE_PER_SECOND} events/s for {RATE_SECONDS} s ({} events): p50 {}, p95 {}, p99 {}, max {}",
        latencies.len(),
        ms(percentile(&latencies, 0.50)),
        ms(percentile(&latencies, 0.95)),
        ms(percentile(&latencies, 0.99)),
        ms(*latencies.last().unwrap())
    );
}
