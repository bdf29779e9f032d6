//! Redis full, stopped, restarted empty or restored from an older snapshot while
//! the product runs: nothing cached before a change is served after it,
//! no sign-out is undone, and the cache is used again once Redis is back.
//! Each test runs its own Redis server, so the shared one is undisturbed.

use std::time::Duration;

use crm_tests::{RedisServer, TestApp, TestTenant};
use reqwest::StatusCode;
use serde_json::{json, Value};

const VIEW: &str = "query($id: ID!) { customer(id: $id) { id version name
    contacts(first: 10) { edges { node { name } } } } }";

async fn name_seen(app: &TestApp, tenant: &TestTenant, id: &str) -> Value {
    let body = app.gql_as(tenant, VIEW, json!({ "id": id })).await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["customer"]["name"].clone()
}

async fn kept(app: &TestApp) -> u64 {
    app.metric("crm_graphql_kept_responses_total").await
}

async fn rename(app: &TestApp, tenant: &TestTenant, id: &str, version: i64, name: &str) {
    assert_eq!(
        app.rename_customer(tenant, id, version, name).await,
        version + 1
    );
}

/// A server on a private Redis, a workspace and a customer named Globex
/// whose 360 view is cached, held and kept as a whole response.
async fn cached_customer(redis: &RedisServer) -> (TestApp, TestTenant, String) {
    let url = redis.url();
    let app = TestApp::spawn_with(|c| c.redis_url = url).await;
    let acme = app.sign_up("acme").await;
    let customer = app
        .create_customer(&acme, json!({ "kind": "COMPANY", "name": "Globex" }))
        .await;
    let id = customer["id"].as_str().unwrap().to_owned();
    let before = kept(&app).await;
    for _ in 0..3 {
        assert_eq!(name_seen(&app, &acme, &id).await, "Globex");
    }
    assert!(
        kept(&app).await > before,
        "the view was not served from the cache"
    );
    (app, acme, id)
}

/// Reads the view a few times over `span`, asserting every read shows `name`.
async fn always_seen(app: &TestApp, tenant: &TestTenant, id: &str, name: &str, span: Duration) {
    let reads = 8;
    for _ in 0..reads {
        assert_eq!(name_seen(app, tenant, id).await, name);
        tokio::time::sleep(span / reads).await;
    }
}

#[tokio::test]
async fn a_change_redis_refused_is_not_hidden_by_the_cache_afterwards() {
    let redis = RedisServer::start();
    let (app, acme, id) = cached_customer(&redis).await;
    // Redis refuses writes (full) while the customer is renamed: the rename
    // commits; moving the view's version on fails.
    redis.refuse_writes();
    rename(&app, &acme, &id, 1, "Initech").await;
    assert_eq!(name_seen(&app, &acme, &id).await, "Initech");
    redis.accept_writes();
    // Back: neither the held view nor the kept response of "Globex" is
    // served, then or later (once the missed write has been made).
    always_seen(&app, &acme, &id, "Initech", Duration::from_secs(5)).await;
    // And the cache serves again.
    let before = kept(&app).await;
    always_seen(&app, &acme, &id, "Initech", Duration::from_millis(200)).await;
    assert!(kept(&app).await > before, "the cache was not used again");
}

#[tokio::test]
async fn a_sign_out_redis_refused_still_holds_when_it_takes_writes_again() {
    let redis = RedisServer::start();
    let url = redis.url();
    let app = TestApp::spawn_with(|c| c.redis_url = url).await;
    let acme = app.sign_up("acme").await;
    let me = || async {
        app.client
            .post(app.graphql_url())
            .bearer_auth(&acme.token)
            .json(&json!({ "query": "{ me { role } }" }))
            .send()
            .await
            .unwrap()
            .status()
    };
    // The session is cached as live.
    assert_eq!(me().await, StatusCode::OK);
    assert_eq!(me().await, StatusCode::OK);
    redis.refuse_writes();
    let out = app.gql_as(&acme, "mutation { signOut }", json!({})).await;
    assert_eq!(out["data"]["signOut"], true, "{out}");
    redis.accept_writes();
    for _ in 0..8 {
        assert_eq!(me().await, StatusCode::UNAUTHORIZED);
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
}

#[tokio::test]
async fn redis_restored_from_an_older_snapshot_serves_nothing_cached_before_a_later_change() {
    let mut redis = RedisServer::start();
    let (app, acme, id) = cached_customer(&redis).await;
    // A snapshot with the view of "Globex" and its version.
    redis.save();
    rename(&app, &acme, &id, 1, "Initech").await;
    always_seen(&app, &acme, &id, "Initech", Duration::from_millis(200)).await;
    // Redis comes back from that snapshot: the version counters go back to
    // what they were when "Globex" was cached.
    redis.restart();
    always_seen(&app, &acme, &id, "Initech", Duration::from_secs(3)).await;
    // Restarted empty, likewise.
    rename(&app, &acme, &id, 2, "Umbrella").await;
    redis.restart();
    always_seen(&app, &acme, &id, "Umbrella", Duration::from_secs(3)).await;
}

#[tokio::test]
async fn writes_and_reads_succeed_while_redis_is_stopped_and_after_it_returns() {
    let mut redis = RedisServer::start();
    let (app, acme, id) = cached_customer(&redis).await;
    redis.stop();
    rename(&app, &acme, &id, 1, "Initech").await;
    always_seen(&app, &acme, &id, "Initech", Duration::from_millis(500)).await;
    redis.restart();
    always_seen(&app, &acme, &id, "Initech", Duration::from_secs(3)).await;
    let before = kept(&app).await;
    always_seen(&app, &acme, &id, "Initech", Duration::from_millis(200)).await;
    assert!(kept(&app).await > before, "the cache was not used again");
}
