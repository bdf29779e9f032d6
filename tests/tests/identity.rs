//! Sign-up, sign-in, `me`, and the checks every access token goes through.

use crm_tests::{error_code, error_field, TestApp, TEST_JWT_SECRET};
use jsonwebtoken::{encode, EncodingKey, Header};
use reqwest::StatusCode;
use serde_json::{json, Value};

const SIGN_UP: &str = "mutation($input: SignUpInput!) { signUp(input: $input) { accessToken refreshToken expiresIn tenant { id slug baseCurrency } user { id email } } }";
const SIGN_IN: &str = "mutation($input: SignInInput!) { signIn(input: $input) { accessToken tenant { slug } user { email } } }";
const ME: &str = "{ me { role permissions user { email displayName } tenant { slug name plan } } }";

fn sign_up_input(slug: &str, email: &str, password: &str) -> Value {
    json!({ "input": { "tenantName": "Acme 中国", "tenantSlug": slug, "email": email, "password": password, "displayName": "Ann", "baseCurrency": "cny" } })
}

#[tokio::test]
async fn a_new_user_signs_up_and_sees_their_workspace() {
    let app = TestApp::spawn().await;
    let body = app
        .gql(
            SIGN_UP,
            sign_up_input("acme", "Ann@Example.com", "a long passphrase"),
        )
        .await;
    let payload = &body["data"]["signUp"];
    assert_eq!(payload["tenant"]["slug"], "acme", "{body}");
    assert_eq!(payload["tenant"]["baseCurrency"], "CNY");
    assert_eq!(payload["user"]["email"], "ann@example.com");
    assert_eq!(payload["expiresIn"], 900);
    assert!(payload["refreshToken"]
        .as_str()
        .unwrap()
        .starts_with("crm_rt_"));

    let token = payload["accessToken"].as_str().unwrap();
    let me = app.gql_with(Some(token), ME, json!({})).await;
    let me = &me["data"]["me"];
    assert_eq!(me["role"], "OWNER");
    assert_eq!(me["tenant"]["name"], "Acme 中国");
    assert_eq!(me["tenant"]["plan"], "free");
    assert_eq!(me["user"]["displayName"], "Ann");
    let permissions: Vec<&str> = me["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(permissions.contains(&"customers:write"));
    assert!(permissions.contains(&"admin:members"));
}

#[tokio::test]
async fn sign_up_input_is_validated_field_by_field() {
    let app = TestApp::spawn().await;
    let cases = [
        (
            sign_up_input("ok-slug", "not-an-email", "a long passphrase"),
            "email",
        ),
        (sign_up_input("ok-slug", "a@b.example", "short"), "password"),
        (
            sign_up_input("Bad Slug", "a@b.example", "a long passphrase"),
            "tenantSlug",
        ),
        (
            json!({ "input": { "tenantName": "  ", "tenantSlug": "ok-slug", "email": "a@b.example", "password": "a long passphrase" } }),
            "tenantName",
        ),
        (
            json!({ "input": { "tenantName": "X", "tenantSlug": "ok-slug", "email": "a@b.example", "password": "a long passphrase", "baseCurrency": "QQQ" } }),
            "baseCurrency",
        ),
        (
            json!({ "input": { "tenantName": "X", "tenantSlug": "ok-slug", "email": "a@b.example", "password": "a long passphrase", "locale": "fr" } }),
            "locale",
        ),
    ];
    for (variables, field) in cases {
        let body = app.gql(SIGN_UP, variables).await;
        assert_eq!(error_code(&body), Some("VALIDATION"), "{body}");
        assert_eq!(error_field(&body), Some(field), "{body}");
    }
    // Nothing was created by the failed attempts.
    let body = app
        .gql(
            SIGN_UP,
            sign_up_input("ok-slug", "a@b.example", "a long passphrase"),
        )
        .await;
    assert_eq!(
        body["data"]["signUp"]["tenant"]["slug"], "ok-slug",
        "{body}"
    );
}

#[tokio::test]
async fn a_taken_workspace_address_is_a_conflict() {
    let app = TestApp::spawn().await;
    app.sign_up("taken").await;
    let body = app
        .gql(
            SIGN_UP,
            sign_up_input("taken", "other@example.com", "a long passphrase"),
        )
        .await;
    assert_eq!(error_code(&body), Some("CONFLICT"));
    assert_eq!(error_field(&body), Some("tenantSlug"));
}

#[tokio::test]
async fn sign_in_does_not_reveal_which_part_was_wrong() {
    let app = TestApp::spawn().await;
    let tenant = app.sign_up("acme").await;
    let ok = app
        .gql(SIGN_IN, json!({ "input": { "email": tenant.email.to_uppercase(), "password": tenant.password } }))
        .await;
    assert_eq!(ok["data"]["signIn"]["tenant"]["slug"], "acme", "{ok}");

    let wrong_password = app
        .gql(
            SIGN_IN,
            json!({ "input": { "email": tenant.email, "password": "not the password" } }),
        )
        .await;
    let unknown_email = app
        .gql(
            SIGN_IN,
            json!({ "input": { "email": "nobody@example.com", "password": "not the password" } }),
        )
        .await;
    let wrong_workspace = app
        .gql(SIGN_IN, json!({ "input": { "email": tenant.email, "password": tenant.password, "tenantSlug": "other" } }))
        .await;
    for body in [&wrong_password, &unknown_email, &wrong_workspace] {
        assert_eq!(error_code(body), Some("UNAUTHENTICATED"), "{body}");
        assert!(body["data"].is_null());
    }
    assert_eq!(
        wrong_password["errors"][0]["message"],
        unknown_email["errors"][0]["message"]
    );
    assert_eq!(
        wrong_password["errors"][0]["message"],
        wrong_workspace["errors"][0]["message"]
    );
}

#[tokio::test]
async fn one_user_can_own_several_workspaces_and_choose_at_sign_in() {
    let app = TestApp::spawn().await;
    let first = app.sign_up("first-ws").await;
    // Same email, same password: a second workspace for the same user.
    let body = app
        .gql(
            SIGN_UP,
            sign_up_input("second-ws", &first.email, &first.password),
        )
        .await;
    assert_eq!(
        body["data"]["signUp"]["user"]["id"],
        first.user_id.as_str(),
        "{body}"
    );
    // Same email, wrong password: no workspace is made, and the tokens
    // answered (shaped like any others, so the answer does not tell that
    // the email has an account) open nothing.
    let body = app
        .gql(
            SIGN_UP,
            sign_up_input("third-ws", &first.email, "wrong passphrase"),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let decoy = body["data"]["signUp"]["accessToken"].as_str().unwrap();
    let me = app.gql_with(Some(decoy), ME, json!({})).await;
    assert_eq!(error_code(&me), Some("UNAUTHENTICATED"), "{me}");
    let third = app
        .gql(SIGN_IN, json!({ "input": { "email": first.email, "password": first.password, "tenantSlug": "third-ws" } }))
        .await;
    assert_eq!(error_code(&third), Some("UNAUTHENTICATED"), "{third}");

    let named = app
        .gql(SIGN_IN, json!({ "input": { "email": first.email, "password": first.password, "tenantSlug": "first-ws" } }))
        .await;
    assert_eq!(named["data"]["signIn"]["tenant"]["slug"], "first-ws");
    // Without a slug: the workspace used last.
    let last_used = app
        .gql(
            SIGN_IN,
            json!({ "input": { "email": first.email, "password": first.password } }),
        )
        .await;
    assert_eq!(last_used["data"]["signIn"]["tenant"]["slug"], "first-ws");
}

#[derive(serde::Serialize, Clone)]
struct Claims {
    iss: String,
    aud: String,
    sub: String,
    tid: String,
    sid: String,
    role: String,
    iat: i64,
    nbf: i64,
    exp: i64,
}

fn forge(claims: &Claims, secret: &str, kid: Option<&str>) -> String {
    let mut header = Header::new(jsonwebtoken::Algorithm::HS256);
    header.kid = kid.map(str::to_owned);
    encode(
        &header,
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

fn session_id_of(token: &str) -> String {
    use base64::Engine;
    let payload = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    let claims: Value = serde_json::from_slice(&bytes).unwrap();
    claims["sid"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn expired_forged_and_foreign_tokens_are_rejected() {
    let app = TestApp::spawn().await;
    let tenant = app.sign_up("acme").await;
    let other = app.sign_up("globex").await;
    let now = chrono::Utc::now().timestamp();
    let valid = Claims {
        iss: "crm".into(),
        aud: "crm-api".into(),
        sub: tenant.user_id.clone(),
        tid: tenant.tenant_id.clone(),
        sid: session_id_of(&tenant.token),
        role: "owner".into(),
        iat: now,
        nbf: now,
        exp: now + 600,
    };
    // The harness can mint a valid token, so each rejection below is about the one thing changed.
    let control = forge(&valid, TEST_JWT_SECRET, Some("k1"));
    let me = app
        .gql_with(Some(&control), "{ me { role } }", json!({}))
        .await;
    assert_eq!(me["data"]["me"]["role"], "OWNER", "{me}");

    let expired = Claims {
        exp: now - 3600,
        iat: now - 7200,
        nbf: now - 7200,
        ..valid.clone()
    };
    let not_yet = Claims {
        nbf: now + 3600,
        ..valid.clone()
    };
    let wrong_audience = Claims {
        aud: "another-api".into(),
        ..valid.clone()
    };
    let wrong_issuer = Claims {
        iss: "someone-else".into(),
        ..valid.clone()
    };
    // Signed correctly, but claiming another tenant (or user) for this session.
    let swapped_tenant = Claims {
        tid: other.tenant_id.clone(),
        ..valid.clone()
    };
    let swapped_user = Claims {
        sub: other.user_id.clone(),
        ..valid.clone()
    };
    let unknown_session = Claims {
        sid: uuid::Uuid::now_v7().to_string(),
        ..valid.clone()
    };
    let unsigned = {
        let payload = control.split('.').nth(1).unwrap();
        // {"alg":"none","typ":"JWT","kid":"k1"}
        format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIiwia2lkIjoiazEifQ.{payload}.")
    };
    let rs256_header = {
        let mut parts = control.split('.');
        let _ = parts.next();
        let payload = parts.next().unwrap();
        let signature = parts.next().unwrap();
        // {"alg":"RS256","typ":"JWT","kid":"k1"}: algorithm confusion
        format!("eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0.{payload}.{signature}")
    };
    let tokens = [
        forge(&expired, TEST_JWT_SECRET, Some("k1")),
        forge(&not_yet, TEST_JWT_SECRET, Some("k1")),
        forge(&wrong_audience, TEST_JWT_SECRET, Some("k1")),
        forge(&wrong_issuer, TEST_JWT_SECRET, Some("k1")),
        forge(&swapped_tenant, TEST_JWT_SECRET, Some("k1")),
        forge(&swapped_user, TEST_JWT_SECRET, Some("k1")),
        forge(&unknown_session, TEST_JWT_SECRET, Some("k1")),
        forge(&valid, "some-other-secret-0123456789abcdef0123", Some("k1")),
        forge(&valid, TEST_JWT_SECRET, Some("unknown-key")),
        forge(&valid, TEST_JWT_SECRET, None),
        unsigned,
        rs256_header,
    ];
    for token in tokens {
        let response = app
            .client
            .post(app.graphql_url())
            .bearer_auth(&token)
            .json(&json!({ "query": "{ me { role } }" }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{token}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(error_code(&body), Some("UNAUTHENTICATED"));
    }
}

#[tokio::test]
async fn passwords_are_stored_as_argon2id_hashes() {
    let app = TestApp::spawn().await;
    let tenant = app.sign_up("acme").await;
    let db = sea_orm::Database::connect(app.db.owner_url.as_str())
        .await
        .unwrap();
    use sea_orm::{ConnectionTrait, Statement};
    let row = db
        .query_one(Statement::from_string(
            db.get_database_backend(),
            format!(
                "SELECT password_hash FROM users WHERE id = '{}'",
                tenant.user_id
            ),
        ))
        .await
        .unwrap()
        .unwrap();
    let hash: String = row.try_get("", "password_hash").unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains(&tenant.password));
}

/// The JSON types of `value`, with strings described by their kind, so two
/// answers can be compared without their ids and secrets.
fn shape(value: &Value) -> Value {
    match value {
        Value::Object(fields) => fields
            .iter()
            .map(|(k, v)| (k.clone(), shape(v)))
            .collect::<serde_json::Map<_, _>>()
            .into(),
        Value::Array(items) => items.iter().map(shape).collect(),
        Value::String(text) if text.starts_with("eyJ") && text.split('.').count() == 3 => {
            json!("jwt")
        }
        Value::String(text) if text.starts_with("crm_rt_") => {
            json!(format!("refresh:{}", text.len()))
        }
        Value::String(text) if uuid::Uuid::parse_str(text).is_ok() => json!("uuid"),
        Value::String(_) => json!("string"),
        Value::Number(_) => json!("number"),
        other => other.clone(),
    }
}

#[tokio::test]
async fn sign_up_does_not_tell_whether_an_email_has_an_account() {
    let app = TestApp::spawn().await;
    let taken = app.sign_up("taken-ws").await;
    let send = |slug: &str, email: &str| {
        let request = app
            .client
            .post(app.graphql_url())
            .json(&json!({ "query": SIGN_UP, "variables": sign_up_input(slug, email, "another long passphrase") }));
        async move {
            let response = request.send().await.unwrap();
            let status = response.status();
            (status, response.json::<Value>().await.unwrap())
        }
    };
    let (new_status, new_body) = send("fresh-ws", "nobody@fresh.example").await;
    let (taken_status, taken_body) = send("other-ws", &taken.email).await;
    assert_eq!(new_status, StatusCode::OK);
    assert_eq!(taken_status, new_status);
    assert!(new_body["errors"].is_null(), "{new_body}");
    assert_eq!(taken_body["errors"], new_body["errors"], "{taken_body}");
    assert_eq!(
        shape(&taken_body),
        shape(&new_body),
        "{taken_body} / {new_body}"
    );
    assert_eq!(
        taken_body["data"]["signUp"]["user"]["email"],
        taken.email.as_str()
    );
    assert_eq!(taken_body["data"]["signUp"]["tenant"]["slug"], "other-ws");
    assert_eq!(
        taken_body["data"]["signUp"]["tenant"]["baseCurrency"],
        "CNY"
    );

    // The address's owner is told, in their workspace's outgoing messages,
    // with no secret in the text.
    let messages = app
        .gql_as(
            &taken,
            "{ outboundMessages { edges { node { kind recipient subject body } } } }",
            json!({}),
        )
        .await;
    let edges = messages["data"]["outboundMessages"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{messages}"));
    let note = edges
        .iter()
        .map(|e| &e["node"])
        .find(|m| m["kind"] == "sign_up_attempt")
        .unwrap_or_else(|| panic!("no mail to the owner: {messages}"));
    assert_eq!(note["recipient"], taken.email.as_str());
    let text = note["body"].as_str().unwrap();
    assert!(text.contains("other-ws"), "{text}");
    assert!(
        text.contains("signIn") || text.contains("sign in"),
        "{text}"
    );
    assert!(!text.contains("another long passphrase"), "{text}");
    // The genuine new user's answer works; the other opened nothing.
    let fresh = new_body["data"]["signUp"]["accessToken"].as_str().unwrap();
    let me = app.gql_with(Some(fresh), ME, json!({})).await;
    assert_eq!(me["data"]["me"]["tenant"]["slug"], "fresh-ws", "{me}");
}
