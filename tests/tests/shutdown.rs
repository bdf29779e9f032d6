//! Stopping a node without failing a request: after SIGTERM it drains
//! (`/readyz` 503 `draining`, every response closing its connection, work
//! still served), then stops accepting and lets requests in flight finish.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crm_tests::TestApp;
use serde_json::{json, Value};

const LIST: &str = "{ customers(first: 50) { totalCount edges { node { id name } } } }";

#[tokio::test]
async fn after_sigterm_the_node_drains_then_stops_with_no_request_failed_in_flight() {
    let app = Arc::new(TestApp::spawn_with(|c| c.shutdown_drain = Duration::from_secs(2)).await);
    let acme = Arc::new(app.sign_up("acme").await);
    for i in 0..20 {
        app.create_customer(&acme, json!({ "kind": "COMPANY", "name": format!("c{i}") }))
            .await;
    }
    // Set when the load balancer in front, polling `/readyz`, has stopped
    // sending this node new requests (well within the drain).
    let stop = Arc::new(AtomicBool::new(false));
    // (sent, answered, ok, connection closed after it)
    let answers = Arc::new(Mutex::new(Vec::<(Instant, Instant, bool, bool)>::new()));
    let mut clients = Vec::new();
    for _ in 0..6 {
        let (app, acme, stop, answers) = (app.clone(), acme.clone(), stop.clone(), answers.clone());
        clients.push(tokio::spawn(async move {
            while !stop.load(Ordering::SeqCst) {
                let sent = Instant::now();
                let response = app
                    .client
                    .post(app.graphql_url())
                    .bearer_auth(&acme.token)
                    .json(&json!({ "query": LIST }))
                    .send()
                    .await;
                let response = match response {
                    Ok(response) => response,
                    // Refused: the node no longer accepts connections.
                    Err(err) if err.is_connect() => {
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    }
                    // Sent, then cut: a request failed in flight.
                    Err(_) => {
                        answers
                            .lock()
                            .unwrap()
                            .push((sent, Instant::now(), false, true));
                        continue;
                    }
                };
                let closes = response
                    .headers()
                    .get("connection")
                    .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"close"));
                let body: Option<Value> = response.json().await.ok();
                let ok = body.is_some_and(|b| b["data"]["customers"]["totalCount"] == 20);
                answers
                    .lock()
                    .unwrap()
                    .push((sent, Instant::now(), ok, closes));
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let stopper = app.stopper.clone();
    let terminated = Instant::now();
    let stopping = tokio::spawn(async move { stopper.terminate().await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Draining: unready, still serving.
    let ready = app
        .client
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 503);
    assert_eq!(ready.json::<Value>().await.unwrap()["status"], "draining");
    tokio::time::sleep(Duration::from_millis(700)).await;
    stop.store(true, Ordering::SeqCst);
    stopping.await.unwrap();
    let stopped = Instant::now();
    for client in clients {
        client.await.unwrap();
    }
    // Stopped: nothing accepted any more.
    assert!(app
        .client
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .is_err());

    let answers = answers.lock().unwrap();
    let before: Vec<_> = answers.iter().filter(|a| a.1 < terminated).collect();
    let draining: Vec<_> = answers
        .iter()
        .filter(|a| a.0 > terminated + Duration::from_millis(100) && a.1 < stopped)
        .collect();
    assert!(
        before.len() > 5 && draining.len() > 5,
        "{} {}",
        before.len(),
        draining.len()
    );
    // Every request that got an answer got a full, correct one.
    let failed: Vec<String> = answers
        .iter()
        .filter(|a| !a.2)
        .map(|a| {
            format!(
                "sent {:?} after SIGTERM, {:?} before the stop",
                a.0.saturating_duration_since(terminated),
                stopped.saturating_duration_since(a.0)
            )
        })
        .collect();
    assert!(failed.is_empty(), "requests failed: {failed:?}");
    // Before the drain connections are kept alive; during it each closes.
    assert!(before.iter().all(|a| !a.3));
    assert!(draining.iter().all(|a| a.3));
}
