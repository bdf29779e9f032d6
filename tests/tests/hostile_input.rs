//! Hostile input against a live server, before and after signing in:
//! generated documents, bodies and headers never get a 5xx or an
//! `INTERNAL` error, and the server keeps answering honest requests.
//! (The same generators run 100,000 cases per target in-process in the
//! API's unit tests; here a sample goes through HTTP.)

use crm_api::hostile;
use crm_tests::TestApp;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

const CASES: usize = 600;

/// Sends `body` with `content_type` and optional bearer `token`; fails the
/// test on a 5xx or an INTERNAL error.
async fn send(app: &TestApp, content_type: &str, body: String, token: Option<&str>, what: &str) {
    let mut request = app
        .client
        .post(app.graphql_url())
        .header("content-type", content_type)
        .header("accept", "application/graphql-response+json")
        .body(body.clone());
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status();
    let answer: Value = response.json().await.unwrap_or(Value::Null);
    assert!(
        !status.is_server_error(),
        "{what}: {status} for {body:?}: {answer}"
    );
    assert!(
        !answer.to_string().contains("\"INTERNAL\""),
        "{what}: INTERNAL for {body:?}: {answer}"
    );
}

#[tokio::test]
async fn generated_documents_bodies_and_headers_get_typed_answers() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let mut rng = StdRng::seed_from_u64(29);
    for case in 0..CASES {
        let token = (case % 2 == 1).then_some(acme.token.as_str());
        let document = if case % 3 == 0 {
            hostile::fragment_web(&mut rng)
        } else {
            hostile::document(&mut rng)
        };
        let variables = match rng.gen_range(0..4) {
            0 => json!({ "v": rng.gen::<i64>() }),
            1 => json!({ "v": "x".repeat(rng.gen_range(0..50)) }),
            2 => json!([1, 2]),
            _ => Value::Null,
        };
        let body = json!({ "query": document, "variables": variables }).to_string();
        send(&app, "application/json", body, token, "document").await;
        send(
            &app,
            "application/json",
            hostile::body(&mut rng),
            token,
            "body",
        )
        .await;
        // Odd content types and a bare multipart body.
        let content_type = [
            "text/plain",
            "application/json; charset=latin1",
            "multipart/form-data; boundary=x",
            "",
        ][rng.gen_range(0..4)];
        send(
            &app,
            content_type,
            hostile::body(&mut rng),
            token,
            "content type",
        )
        .await;
    }
    // Odd credentials: each is a clean 401 (or 429), never a 5xx.
    for authorization in [
        "Bearer",
        "Bearer ",
        "Basic abc",
        "Bearer crm_",
        "Bearer crm_x_y_z",
        "Bearer a.b.c",
        "Bearer \u{e9}t\u{e9}",
    ] {
        let response = app
            .client
            .post(app.graphql_url())
            .header("authorization", authorization)
            .json(&json!({ "query": "{ __typename }" }))
            .send()
            .await
            .unwrap();
        assert!(
            matches!(response.status().as_u16(), 401 | 429),
            "{authorization:?}: {}",
            response.status()
        );
    }
    // Still serving honest requests.
    let body = app.gql_as(&acme, "{ me { role } }", json!({})).await;
    assert_eq!(body["data"]["me"]["role"], "OWNER", "{body}");
}
