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

/// A document of `depth` fragments, each spreading the next four times:
/// about 1.2 KB at depth 13, 4^12 spreads if expanded.
fn fragment_fan_out(depth: usize) -> String {
    let mut doc = String::from("query Q { ...F0 }");
    for level in 0..depth {
        let next = format!(" ...F{}", level + 1);
        doc.push_str(&format!(
            " fragment F{level} on Query {{{} }}",
            next.repeat(4)
        ));
    }
    doc.push_str(&format!(" fragment F{depth} on Query {{ __typename }}"));
    doc
}

#[tokio::test]
async fn fragment_explosions_are_refused_at_once_while_others_are_served() {
    let app = TestApp::spawn().await;
    let hostile = json!({ "query": fragment_fan_out(13) }).to_string();
    let cyclic =
        json!({ "query": "{ ...A } fragment A on Query { ...A ...A ...A ...A }" }).to_string();
    let started = std::time::Instant::now();
    let attacks = futures_util::future::join_all((0..4).map(|i| {
        post_raw(
            &app,
            if i % 2 == 0 { &hostile } else { &cyclic },
            GRAPHQL_RESPONSE,
        )
    }));
    let honest = app.gql("{ __typename }", json!({}));
    let (attacks, honest) = tokio::join!(attacks, honest);
    // Walked naively, one such document took seconds of CPU and gigabytes.
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
    for (status, _, body) in attacks {
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.contains("expands to more than") || message.contains("cycles"),
            "{body}"
        );
        assert_eq!(error_code(&body), Some("VALIDATION"), "{body}");
    }
    assert_eq!(honest["data"]["__typename"], "Query", "{honest}");
}

#[tokio::test]
async fn anonymous_documents_count_against_the_limit_before_they_are_read() {
    // A burst of 12/6 = 2 requests.
    let app = TestApp::spawn_with(|c| c.rate_limits.anonymous_per_minute = 12).await;
    let broken = json!({ "query": "{ customer(id: " }).to_string();
    for _ in 0..2 {
        let (status, _, body) = post_raw(&app, &broken, GRAPHQL_RESPONSE).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    }
    let (status, _, body) = post_raw(&app, &broken, GRAPHQL_RESPONSE).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(error_code(&body), Some("RATE_LIMITED"), "{body}");
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
    let acme = app.sign_up("acme").await;
    // The query GraphiQL sends on load (abridged only in whitespace).
    let introspection = include_str!("introspection.graphql");
    let response = app
        .client
        .post(app.graphql_url())
        .bearer_auth(&acme.token)
        .header(ACCEPT, GRAPHQL_RESPONSE)
        .json(&json!({ "query": introspection }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert!(body["data"]["__schema"]["types"].as_array().unwrap().len() > 10);
}

#[tokio::test]
async fn strangers_may_not_introspect_or_be_told_field_names() {
    let app = TestApp::spawn().await;
    for query in [
        "{ __schema { queryType { name } } }",
        "{ ...F } fragment F on Query { __type(name: \"Customer\") { name } }",
    ] {
        let (status, _, body) = post_raw(
            &app,
            &json!({ "query": query }).to_string(),
            GRAPHQL_RESPONSE,
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(error_code(&body), Some("UNAUTHENTICATED"), "{body}");
    }
    // A misspelt field is refused without naming the fields that exist.
    let acme = app.sign_up("acme").await;
    let body = app
        .gql_as(&acme, "{ customrs(first: 1) { totalCount } }", json!({}))
        .await;
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(!message.contains("customers"), "{message}");
    assert!(
        !message.to_lowercase().contains("did you mean"),
        "{message}"
    );
}

#[tokio::test]
async fn every_page_carries_a_content_security_policy_without_inline_scripts() {
    let app = TestApp::spawn().await;
    for path in ["/graphql", "/invitations/accept?token=x"] {
        let response = app
            .client
            .get(format!("{}{path}", app.address))
            .header(ACCEPT, "text/html")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let csp = response.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        let scripts = csp
            .split(';')
            .find(|d| d.trim().starts_with("script-src"))
            .unwrap_or_else(|| panic!("no script-src in {csp}"));
        assert_eq!(scripts.trim(), "script-src 'self'", "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        let html = response.text().await.unwrap();
        // Every script is a file the policy allows, none inline.
        assert!(!html.contains("<script>"), "{path} has an inline script");
        for src in html.split("<script src=\"").skip(1) {
            let src = &src[..src.find('"').unwrap()];
            let script = app
                .client
                .get(format!("{}{src}", app.address))
                .send()
                .await
                .unwrap();
            assert_eq!(script.status(), StatusCode::OK, "{src}");
        }
    }
}

#[tokio::test]
async fn metrics_need_the_token_when_one_is_set() {
    let app = TestApp::spawn_with(|c| c.metrics_token = Some("metrics-secret-token".into())).await;
    let url = format!("{}/metrics", app.address);
    let anonymous = app.client.get(&url).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::NOT_FOUND);
    let wrong = app
        .client
        .get(&url)
        .bearer_auth("guess")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::NOT_FOUND);
    let right = app
        .client
        .get(&url)
        .bearer_auth("metrics-secret-token")
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), StatusCode::OK);
    assert!(right.text().await.unwrap().contains("crm_"));
}

#[tokio::test]
async fn an_upload_is_refused_from_its_headers_before_its_body_is_read() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::spawn().await;
    let address = app.address.trim_start_matches("http://").to_owned();
    let mut socket = tokio::net::TcpStream::connect(&address).await.unwrap();
    // Announces 40 MB (within the upload limit) and sends almost none of it.
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: {address}\r\nContent-Type: multipart/form-data; boundary=b\r\n\
         x-csrf-protection: 1\r\nContent-Length: 40000000\r\n\r\n--b\r\n"
    );
    socket.write_all(head.as_bytes()).await.unwrap();
    let mut answer = vec![0u8; 512];
    let read = tokio::time::timeout(std::time::Duration::from_secs(5), socket.read(&mut answer))
        .await
        .expect("answered without waiting for the body")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer[..read]);
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
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
