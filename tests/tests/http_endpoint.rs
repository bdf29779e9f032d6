//! The HTTP surface: health, readiness, and the GraphQL-over-HTTP rules.

use crm_tests::{error_code, TestApp};
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use reqwest::StatusCode;
use serde_json::{json, Value};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

#[tokio::test]
async fn health_and_readiness_report_both_services() {
    let app = TestApp::spawn().await;
    let health = app
        .client
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK);

    let ready = app
        .client
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
    let body: Value = ready.json().await.unwrap();
    assert_eq!(body["status"], "ready", "{body}");
    assert_eq!(body["postgres"]["ok"], true);
    assert_eq!(body["redis"]["ok"], true);
}

#[tokio::test]
async fn readiness_says_degraded_when_redis_is_unreachable() {
    // Nothing listens on port 1: Redis is "down" for this server only.
    let app = TestApp::spawn_with(|c| c.redis_url = "redis://127.0.0.1:1/".into()).await;
    let ready = app
        .client
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
    let body: Value = ready.json().await.unwrap();
    assert_eq!(body["status"], "degraded");
    assert_eq!(body["redis"]["ok"], false);
    // And the API still works from PostgreSQL.
    let tenant = app.sign_up("no-redis").await;
    let me = app
        .gql_as(&tenant, "{ me { tenant { slug } } }", json!({}))
        .await;
    assert_eq!(me["data"]["me"]["tenant"]["slug"], "no-redis");
}

#[tokio::test]
async fn readiness_is_503_when_postgres_is_unreachable() {
    let app =
        TestApp::spawn_with(|c| c.database_url = "postgres://nobody:x@127.0.0.1:1/none".into())
            .await;
    let ready = app
        .client
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = ready.json().await.unwrap();
    assert_eq!(body["postgres"]["ok"], false);
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_keeps_a_valid_incoming_one() {
    let app = TestApp::spawn().await;
    let fresh = app
        .client
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .unwrap();
    assert!(fresh.headers().get("x-request-id").is_some());
    let kept = app
        .client
        .get(format!("{}/healthz", app.address))
        .header("x-request-id", "trace-abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(kept.headers()["x-request-id"], "trace-abc-123");
}

#[tokio::test]
async fn queries_work_over_get_but_mutations_do_not() {
    let app = TestApp::spawn().await;
    let ok = app
        .client
        .get(app.graphql_url())
        .query(&[("query", "{ __typename }")])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let body: Value = ok.json().await.unwrap();
    assert_eq!(body["data"]["__typename"], "Query");

    let mutation =
        "mutation { signIn(input: {email: \"a@b.cd\", password: \"x\"}) { accessToken } }";
    let refused = app
        .client
        .get(app.graphql_url())
        .query(&[("query", mutation)])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(refused.headers()["allow"], "POST");

    // A named mutation, the document's only operation, runs without an
    // `operationName`: GET refuses it too.
    let named =
        "mutation SignIn { signIn(input: {email: \"a@b.cd\", password: \"x\"}) { accessToken } }";
    let refused = app
        .client
        .get(app.graphql_url())
        .query(&[("query", named)])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn a_browser_opening_the_endpoint_gets_the_ide() {
    let app = TestApp::spawn().await;
    let page = app
        .client
        .get(app.graphql_url())
        .header(ACCEPT, "text/html,application/xhtml+xml,*/*;q=0.8")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.headers()[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = page.text().await.unwrap();
    assert!(html.contains("graphiql.min.js"));
    let script = app
        .client
        .get(format!("{}/graphql/assets/graphiql.min.js", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(script.status(), StatusCode::OK);
    assert!(script.bytes().await.unwrap().len() > 100_000);
}

#[tokio::test]
async fn only_json_bodies_are_accepted() {
    let app = TestApp::spawn().await;
    let form = app
        .client
        .post(app.graphql_url())
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("query=%7B__typename%7D")
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let text = app
        .client
        .post(app.graphql_url())
        .header(CONTENT_TYPE, "text/plain")
        .body(r#"{"query":"{ __typename }"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(text.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

async fn post_raw(app: &TestApp, body: &str, accept: &str) -> (StatusCode, String, Value) {
    let response = app
        .client
        .post(app.graphql_url())
        .header(CONTENT_TYPE, "application/json")
        .header(ACCEPT, accept)
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let status = response.status();
    let media = response
        .headers()
        .get(CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, media, body)
}

#[tokio::test]
async fn malformed_requests_get_400_with_a_reason() {
    let app = TestApp::spawn().await;
    for (body, reason) in [
        ("{not json", "not valid JSON"),
        (r#"{"variables":{}}"#, "`query` field is missing"),
        (r#"{"query": 42}"#, "`query` must be a string"),
        (
            r#"{"query":"{ __typename }","variables":[1]}"#,
            "`variables` must be an object",
        ),
        (
            r#"[{"query":"{ __typename }"}]"#,
            "batched requests are not supported",
        ),
    ] {
        let (status, _, json) = post_raw(&app, body, "application/json").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let message = json["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(reason), "{body}: {message}");
    }
}

#[tokio::test]
async fn status_codes_follow_the_accepted_media_type() {
    let app = TestApp::spawn().await;
    let syntax_error = r#"{"query":"{ __typename "}"#;
    let (status, media, body) = post_raw(&app, syntax_error, GRAPHQL_RESPONSE).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(media.starts_with(GRAPHQL_RESPONSE));
    assert!(
        body.get("data").is_none(),
        "a request error has no data entry: {body}"
    );

    let (status, media, body) = post_raw(&app, syntax_error, "application/json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(media.starts_with("application/json"));
    assert!(body["errors"].is_array());

    let unknown_field = r#"{"query":"{ noSuchField }"}"#;
    let (status, _, body) = post_raw(&app, unknown_field, GRAPHQL_RESPONSE).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&body), Some("VALIDATION"));
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("noSuchField"));

    let (status, _, _) = post_raw(&app, r#"{"query":"{ __typename }"}"#, "text/csv").await;
    assert_eq!(status, StatusCode::NOT_ACCEPTABLE);
}

#[tokio::test]
async fn oversize_bodies_get_413() {
    let app = TestApp::spawn_with(|c| c.graphql.max_body_bytes = 10_000).await;
    let padding = "x".repeat(20_000);
    let body = json!({ "query": "{ __typename }", "variables": { "pad": padding } }).to_string();
    let (status, _, _) = post_raw(&app, &body, "application/json").await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn limits_stop_hostile_documents_before_execution() {
    let app = TestApp::spawn().await;
    // Too many aliases.
    let aliases: Vec<String> = (0..16).map(|i| format!("a{i}: __typename")).collect();
    let query = format!("{{ {} }}", aliases.join(" "));
    let (status, _, body) = post_raw(
        &app,
        &json!({ "query": query }).to_string(),
        GRAPHQL_RESPONSE,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("aliases"),
        "{body}"
    );

    // Too long.
    let long = format!("{{ __typename }} # {}", "x".repeat(16_000));
    let (status, _, body) = post_raw(
        &app,
        &json!({ "query": long }).to_string(),
        GRAPHQL_RESPONSE,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("characters"),
        "{body}"
    );

    // Too deep (only introspection can nest this far in this schema).
    let deep = format!(
        "{{ __schema {{ types {{ fields {{ type {{ {}name{} }} }} }} }} }}",
        "ofType { ".repeat(14),
        " }".repeat(14)
    );
    let (status, _, body) = post_raw(
        &app,
        &json!({ "query": deep }).to_string(),
        GRAPHQL_RESPONSE,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("deep"),
        "{body}"
    );

    // Too costly: page sizes multiply.
    let costly = "{ a: customers(first: 100) { edges { node { id name email phone region industry tags createdAt updatedAt version } } } b: customers(first: 100) { edges { node { id name email phone region industry tags createdAt updatedAt version } } } c: customers(first: 100) { edges { node { id name email phone region industry tags createdAt updatedAt version } } } d: customers(first: 100) { edges { node { id name email phone region industry tags createdAt updatedAt version } } } e: customers(first: 100) { edges { node { id name email phone region industry tags createdAt updatedAt version } } } }";
    let (status, _, body) = post_raw(
        &app,
        &json!({ "query": costly }).to_string(),
        GRAPHQL_RESPONSE,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("complex"),
        "{body}"
    );
}

#[tokio::test]
async fn a_repeated_document_is_validated_with_each_requests_variables() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let query = "query($n: Int, $m: Int) { customers(first: $n) { edges { node { id
        contacts(first: $m) { edges { node { id name email title } } } } } } }";
    let send = |n: Value, m: Value| {
        let (app, acme) = (&app, &acme);
        async move { app.gql_as(acme, query, json!({ "n": n, "m": m })).await }
    };
    let message = |body: &Value| {
        assert!(body["data"].is_null(), "{body}");
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .to_lowercase()
    };
    // Twice each, in turns: the parse kept for the document
    // (`graphql::documents`) is validated again with each request's variables.
    for _ in 0..2 {
        let small = send(json!(10), json!(10)).await;
        assert!(small["errors"].is_null(), "{small}");
        assert!(small["data"]["customers"]["edges"].is_array(), "{small}");
        // Valid page sizes, but together over the complexity limit.
        let costly = send(json!(100), json!(100)).await;
        assert!(message(&costly).contains("complex"), "{costly}");
        // Not an Int.
        let wrong = send(json!("ten"), json!(10)).await;
        assert!(message(&wrong).contains("invalid value"), "{wrong}");
    }
}

#[tokio::test]
async fn the_ide_introspection_query_is_within_the_limits() {
    let app = TestApp::spawn().await;
    // The query GraphiQL sends on load (abridged only in whitespace).
    let introspection = include_str!("introspection.graphql");
    let (status, _, body) = post_raw(
        &app,
        &json!({ "query": introspection }).to_string(),
        GRAPHQL_RESPONSE,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["data"]["__schema"]["types"].as_array().unwrap().len() > 10);
}

#[tokio::test]
async fn a_bad_bearer_token_is_401_unauthenticated() {
    let app = TestApp::spawn().await;
    for value in ["Bearer not.a.jwt", "Basic dXNlcjpwYXNz", "Bearer "] {
        let response = app
            .client
            .post(app.graphql_url())
            .header(AUTHORIZATION, value)
            .json(&json!({ "query": "{ me { role } }" }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{value}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(error_code(&body), Some("UNAUTHENTICATED"));
    }
    // No token at all: the request runs, and protected fields say why they fail.
    let body = app.gql("{ me { role } }", json!({})).await;
    assert_eq!(error_code(&body), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn cors_preflight_allows_browser_frontends() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .request(reqwest::Method::OPTIONS, app.graphql_url())
        .header("Origin", "https://frontend.example")
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "authorization, content-type",
        )
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    assert!(response.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .contains("authorization"));
}
