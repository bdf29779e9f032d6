//! What authentication adds to a request: verifying the access token (or
//! API key), checking that the session or key is live with its role in
//! force, and counting the request against the rate limits, with Redis warm.
//! Measures `Gate::admit` in-process, as the HTTP handler calls it.
//!
//! Run: `scripts/bench.sh auth` (services up, release build).
// The schema's resolver futures are deeper than the default limit when
// the `perf` profile computes their layout.
#![recursion_limit = "256"]

use std::sync::Arc;
use std::time::{Duration, Instant};

use crm_api::auth::gate::Gate;
use crm_api::auth::tokens::TokenKeys;
use crm_api::cache::Cache;
use crm_api::startup::connect_database;
use crm_bench::summarize;
use crm_tests::TestApp;
use serde_json::json;

const ROUNDS: usize = 20_000;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let app = TestApp::spawn_with(|c| {
        c.rate_limits.free.caller_per_minute = 100_000_000;
        c.rate_limits.free.tenant_per_minute = 100_000_000;
    })
    .await;
    let tenant = app.sign_up("bench").await;
    let key = app
        .gql_as(
            &tenant,
            "mutation { createApiKey(input: { name: \"bench\", scopes: [\"customers:read\"] }) { secret } }",
            json!({}),
        )
        .await;
    let secret = key["data"]["createApiKey"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();

    let config = &app.config;
    let db = connect_database(&config.database_url, 4).await.unwrap();
    let cache = Cache::new(&config.redis_url, &config.redis_key_prefix).unwrap();
    let keys = Arc::new(TokenKeys::new(&config.jwt));
    let gate = Gate::new(db, cache.clone(), keys, &config.rate_limits);

    for (name, header) in [
        ("access token", format!("Bearer {}", tenant.token)),
        ("API key", format!("Bearer {secret}")),
    ] {
        // Warm the cache and the connection.
        for _ in 0..200 {
            gate.admit(Some(&header), "127.0.0.1").await.unwrap();
        }
        let mut samples = Vec::with_capacity(ROUNDS);
        for _ in 0..ROUNDS {
            let started = Instant::now();
            let admission = gate.admit(Some(&header), "127.0.0.1").await.unwrap();
            samples.push(started.elapsed());
            assert!(admission.principal.is_some());
        }
        println!("authentication with {name}: {}", summarize(samples));
    }
    let mut samples: Vec<Duration> = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let started = Instant::now();
        let _ = gate.admit(None, "10.0.0.1").await;
        samples.push(started.elapsed());
    }
    println!("anonymous (rate limit only): {}", summarize(samples));

    // The floor: one Redis round trip through the same client.
    let mut conn = cache.connection().await.expect("redis is up");
    let mut samples: Vec<Duration> = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let started = Instant::now();
        let _: String = redis::cmd("PING").query_async(&mut conn).await.unwrap();
        samples.push(started.elapsed());
    }
    println!("redis PING round trip (floor): {}", summarize(samples));
}
