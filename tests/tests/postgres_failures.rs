//! PostgreSQL going away under load (every connection dropped, new ones
//! refused, as in a restart or failover) and coming back: clients get a
//! clear 503 `UNAVAILABLE` with `Retry-After` (never a 500, and never a 401
//! that would sign them out), `/readyz` says 503, service resumes within
//! seconds of the database, and every write acknowledged is kept.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crm_tests::{with_database, TcpProxy, TestApp, TestDb};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};
use serde_json::{json, Value};

const CREATE: &str = "mutation($name: String!) { createCustomer(input: { kind: COMPANY, name: $name }) { customer { id } } }";

/// One answer a client got: when it was asked and answered, its status,
/// and the body.
struct Answer {
    sent: Instant,
    at: Instant,
    status: StatusCode,
    body: Value,
    retry_after: Option<String>,
}

#[tokio::test]
async fn a_database_outage_is_answered_503_and_service_resumes_with_every_acknowledged_write() {
    let db = TestDb::create().await;
    let url = reqwest::Url::parse(&db.app_url).unwrap();
    let proxy = TcpProxy::start(format!(
        "{}:{}",
        url.host_str().unwrap(),
        url.port().unwrap_or(5432)
    ))
    .await;
    let mut proxied = url.clone();
    proxied.set_port(Some(proxy.port())).unwrap();
    let proxied = with_database(proxied.as_str(), &db.name);
    let app = Arc::new(TestApp::spawn_on(db, |c| c.database_url = proxied).await);
    let acme = Arc::new(app.sign_up("acme").await);

    let stop = Arc::new(AtomicBool::new(false));
    let answers = Arc::new(Mutex::new(Vec::<Answer>::new()));
    let mut clients = Vec::new();
    for client in 0..8 {
        let (app, acme, stop, answers) = (app.clone(), acme.clone(), stop.clone(), answers.clone());
        clients.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::SeqCst) {
                n += 1;
                let sent = Instant::now();
                let response = app
                    .client
                    .post(app.graphql_url())
                    .bearer_auth(&acme.token)
                    .json(&json!({ "query": CREATE, "variables": { "name": format!("c{client}-{n}") } }))
                    .send()
                    .await
                    .unwrap();
                let status = response.status();
                let retry_after = response
                    .headers()
                    .get("retry-after")
                    .map(|v| v.to_str().unwrap().to_owned());
                let body: Value = response.json().await.unwrap();
                answers.lock().unwrap().push(Answer {
                    sent,
                    at: Instant::now(),
                    status,
                    body,
                    retry_after,
                });
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }));
    }
    let ready = |app: Arc<TestApp>| async move {
        app.client
            .get(format!("{}/readyz", app.address))
            .send()
            .await
            .unwrap()
            .status()
    };

    tokio::time::sleep(Duration::from_secs(1)).await;
    proxy.cut();
    let cut_at = Instant::now();
    let mut ready_during = Vec::new();
    while cut_at.elapsed() < Duration::from_secs(4) {
        ready_during.push(ready(app.clone()).await);
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    proxy.restore();
    let restored_at = Instant::now();
    tokio::time::sleep(Duration::from_secs(7)).await;
    stop.store(true, Ordering::SeqCst);
    for client in clients {
        client.await.unwrap();
    }
    // `/readyz` is cached for a second.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(ready(app.clone()).await, StatusCode::OK);
    assert!(
        ready_during.contains(&StatusCode::SERVICE_UNAVAILABLE),
        "{ready_during:?}"
    );

    let answers = std::mem::take(&mut *answers.lock().unwrap());
    let mut acknowledged = Vec::new();
    let mut unavailable = 0;
    for answer in &answers {
        match answer.body["data"]["createCustomer"]["customer"]["id"].as_str() {
            Some(id) if answer.status == StatusCode::OK => acknowledged.push(id.to_owned()),
            _ => {
                assert_eq!(
                    (
                        answer.status,
                        answer.body["errors"][0]["extensions"]["code"].as_str()
                    ),
                    (StatusCode::SERVICE_UNAVAILABLE, Some("UNAVAILABLE")),
                    "{}",
                    answer.body
                );
                assert_eq!(answer.retry_after.as_deref(), Some("1"));
                unavailable += 1;
            }
        }
    }
    assert!(unavailable > 0, "the outage was not noticed");
    let first_after = answers
        .iter()
        .filter(|a| a.at > restored_at && a.status == StatusCode::OK)
        .map(|a| a.at - restored_at)
        .min()
        .expect("no write succeeded after the database came back");
    assert!(first_after < Duration::from_secs(5), "{first_after:?}");
    let failed_after: Vec<String> = answers
        .iter()
        .filter(|a| a.sent > restored_at + first_after && a.status != StatusCode::OK)
        .map(|a| format!("{:?} after the restore: {}", a.at - restored_at, a.body))
        .collect();
    assert!(
        failed_after.is_empty(),
        "writes sent after service resumed failed (first success {first_after:?}): {failed_after:?}"
    );

    // Every acknowledged write is in the database.
    let owner = app.db.connect_as_owner().await.begin().await.unwrap();
    owner
        .execute(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT set_config('app.tenant_id', $1, true)",
            [acme.tenant_id.clone().into()],
        ))
        .await
        .unwrap();
    let ids: Vec<uuid::Uuid> = acknowledged.iter().map(|id| id.parse().unwrap()).collect();
    let row = owner
        .query_one(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT count(*) AS n FROM customers WHERE id = ANY($1)",
            [ids.into()],
        ))
        .await
        .unwrap()
        .unwrap();
    let kept: i64 = row.try_get("", "n").unwrap();
    assert_eq!(kept as usize, acknowledged.len());
    assert!(acknowledged.len() > 50, "{}", acknowledged.len());
}
