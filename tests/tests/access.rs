//! Sessions, roles, members, invitations, API keys, rate limits, sign-in
//! throttling and the audit log, as callers of the API experience them.

use std::time::Duration;

use crm_tests::{error_code, error_field, TestApp, TestTenant};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

const ME: &str = "{ me { role permissions user { email } apiKey { name } tenant { slug } } }";
const REFRESH: &str =
    "mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken } }";
const SIGN_IN: &str = "mutation($input: SignInInput!) { signIn(input: $input) { accessToken refreshToken user { id } } }";
const INVITE: &str = "mutation($input: InviteMemberInput!) { inviteMember(input: $input) { invitation { id email role status } } }";
const ACCEPT: &str = "mutation($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { accessToken refreshToken user { id email } tenant { slug } } }";
const CREATE_KEY: &str = "mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id name prefix scopes active } } }";
const CREATE_CUSTOMER: &str =
    "mutation { createCustomer(input: { kind: PERSON, name: \"Ann\" }) { customer { id } } }";

async fn status_of(app: &TestApp, address: &str, token: &str, query: &str) -> (StatusCode, Value) {
    let response = app
        .client
        .post(format!("{address}/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": query }))
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

/// Invites `email` as `role` and accepts for them; returns their signed-in tokens.
async fn add_member(
    app: &TestApp,
    owner: &TestTenant,
    email: &str,
    role: &str,
) -> (String, String, String) {
    let invited = app
        .gql_as(
            owner,
            INVITE,
            json!({ "input": { "email": email, "role": role } }),
        )
        .await;
    assert_eq!(
        invited["data"]["inviteMember"]["invitation"]["status"], "PENDING",
        "{invited}"
    );
    let token = app.invitation_token(&email.to_lowercase()).await;
    let accepted = app
        .gql(
            ACCEPT,
            json!({ "input": { "token": token, "password": "a member's long passphrase" } }),
        )
        .await;
    let payload = &accepted["data"]["acceptInvitation"];
    assert_eq!(payload["tenant"]["slug"], owner.slug.as_str(), "{accepted}");
    (
        payload["accessToken"].as_str().unwrap().to_owned(),
        payload["refreshToken"].as_str().unwrap().to_owned(),
        payload["user"]["id"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn refresh_rotates_and_reusing_an_old_token_revokes_the_session() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let first = app.gql(REFRESH, json!({ "t": acme.refresh_token })).await;
    let renewed = &first["data"]["refreshSession"];
    let access = renewed["accessToken"].as_str().expect("renewed").to_owned();
    let refresh = renewed["refreshToken"].as_str().unwrap().to_owned();
    assert_ne!(refresh, acme.refresh_token);
    let me = app.gql_with(Some(&access), ME, json!({})).await;
    assert_eq!(me["data"]["me"]["role"], "OWNER");

    // The rotated-away token comes back: someone copied it. The session ends.
    let replay = app.gql(REFRESH, json!({ "t": acme.refresh_token })).await;
    assert_eq!(error_code(&replay), Some("UNAUTHENTICATED"));
    let (status, _) = status_of(&app, &app.address, &access, ME).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "access tokens of the session stop working"
    );
    let after = app.gql(REFRESH, json!({ "t": refresh })).await;
    assert_eq!(
        error_code(&after),
        Some("UNAUTHENTICATED"),
        "the newest refresh token is dead too"
    );
    let garbage = app.gql(REFRESH, json!({ "t": "crm_rt_not-a-token" })).await;
    assert_eq!(error_code(&garbage), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn sign_out_is_immediate_on_every_server_node() {
    let app = TestApp::spawn().await;
    let peer = app.spawn_peer().await;
    let acme = app.sign_up("acme").await;
    // Both nodes have served (and cached) the session.
    assert_eq!(
        status_of(&app, &app.address, &acme.token, ME).await.0,
        StatusCode::OK
    );
    assert_eq!(
        status_of(&app, &peer.address, &acme.token, ME).await.0,
        StatusCode::OK
    );

    let out = app.gql_as(&acme, "mutation { signOut }", json!({})).await;
    assert_eq!(out["data"]["signOut"], true, "{out}");
    assert_eq!(
        status_of(&app, &peer.address, &acme.token, ME).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        status_of(&app, &app.address, &acme.token, ME).await.0,
        StatusCode::UNAUTHORIZED
    );
    let refresh = app.gql(REFRESH, json!({ "t": acme.refresh_token })).await;
    assert_eq!(error_code(&refresh), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn sessions_work_from_postgresql_when_redis_is_down() {
    let app = TestApp::spawn_with(|c| c.redis_url = "redis://127.0.0.1:1/".into()).await;
    let acme = app.sign_up("acme").await;
    assert_eq!(
        status_of(&app, &app.address, &acme.token, ME).await.0,
        StatusCode::OK
    );
    app.gql_as(&acme, "mutation { signOut }", json!({})).await;
    assert_eq!(
        status_of(&app, &app.address, &acme.token, ME).await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn invitations_create_members_with_the_invited_role_once() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let (token, _, _) = add_member(&app, &acme, "Rep@Acme.example", "SALES").await;
    let me = app.gql_with(Some(&token), ME, json!({})).await;
    assert_eq!(me["data"]["me"]["role"], "SALES");
    assert_eq!(me["data"]["me"]["user"]["email"], "rep@acme.example");
    let permissions = me["data"]["me"]["permissions"].to_string();
    assert!(
        permissions.contains("customers:write") && !permissions.contains("admin:"),
        "{permissions}"
    );

    // The token works once.
    let token = app.invitation_token("rep@acme.example").await;
    let again = app
        .gql(
            ACCEPT,
            json!({ "input": { "token": token, "password": "whatever long pass" } }),
        )
        .await;
    assert_eq!(error_field(&again), Some("token"));
    // Sales reps cannot invite.
    let rep = token_of_member(&app, "rep@acme.example").await;
    let body = app
        .gql_with(
            Some(&rep),
            INVITE,
            json!({ "input": { "email": "x@acme.example", "role": "VIEWER" } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    // Admins see the message, with the secret masked, and the member list.
    let messages = app
        .gql_as(
            &acme,
            "{ outboundMessages(first: 5) { edges { node { kind recipient body status } } } }",
            json!({}),
        )
        .await;
    let message = &messages["data"]["outboundMessages"]["edges"][0]["node"];
    assert_eq!(message["kind"], "invitation");
    assert!(message["body"].as_str().unwrap().contains("crm_inv_…"));
    assert!(!message["body"].as_str().unwrap().contains(&token));
    let members = app
        .gql_as(&acme, "{ members { role user { email } } }", json!({}))
        .await;
    assert_eq!(members["data"]["members"].as_array().unwrap().len(), 2);
}

async fn token_of_member(app: &TestApp, email: &str) -> String {
    let body = app
        .gql(
            SIGN_IN,
            json!({ "input": { "email": email, "password": "a member's long passphrase" } }),
        )
        .await;
    body["data"]["signIn"]["accessToken"]
        .as_str()
        .expect("member signs in")
        .to_owned()
}

#[tokio::test]
async fn an_invitation_to_an_existing_account_needs_its_password() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let globex = app.sign_up("globex").await;
    app.gql_as(
        &acme,
        INVITE,
        json!({ "input": { "email": globex.email, "role": "VIEWER" } }),
    )
    .await;
    let token = app.invitation_token(&globex.email).await;
    let wrong = app
        .gql(
            ACCEPT,
            json!({ "input": { "token": token, "password": "not their password" } }),
        )
        .await;
    assert_eq!(error_field(&wrong), Some("password"));
    let right = app
        .gql(
            ACCEPT,
            json!({ "input": { "token": token, "password": globex.password } }),
        )
        .await;
    assert_eq!(
        right["data"]["acceptInvitation"]["tenant"]["slug"], "acme",
        "{right}"
    );
    // The user now has two workspaces, and can switch between them.
    let token = right["data"]["acceptInvitation"]["accessToken"]
        .as_str()
        .unwrap();
    let tenants = app
        .gql_with(
            Some(token),
            "{ myTenants { role tenant { slug } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        tenants["data"]["myTenants"].as_array().unwrap().len(),
        2,
        "{tenants}"
    );
    let switched = app
        .gql_with(
            Some(token),
            "mutation { switchTenant(tenantSlug: \"globex\") { accessToken tenant { slug } } }",
            json!({}),
        )
        .await;
    assert_eq!(switched["data"]["switchTenant"]["tenant"]["slug"], "globex");
    let elsewhere = app
        .gql_with(
            Some(token),
            "mutation { switchTenant(tenantSlug: \"initech\") { accessToken } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&elsewhere), Some("NOT_FOUND"));
}

#[tokio::test]
async fn role_changes_apply_at_once_and_the_last_owner_stays() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let (token, _, user_id) = add_member(&app, &acme, "mgr@acme.example", "MANAGER").await;
    let created = app.gql_with(Some(&token), CREATE_CUSTOMER, json!({})).await;
    assert!(
        created["data"]["createCustomer"]["customer"]["id"].is_string(),
        "{created}"
    );

    let change =
        "mutation($input: ChangeMemberRoleInput!) { changeMemberRole(input: $input) { role } }";
    let demoted = app
        .gql_as(
            &acme,
            change,
            json!({ "input": { "userId": user_id, "role": "VIEWER" } }),
        )
        .await;
    assert_eq!(
        demoted["data"]["changeMemberRole"]["role"], "VIEWER",
        "{demoted}"
    );
    let refused = app.gql_with(Some(&token), CREATE_CUSTOMER, json!({})).await;
    assert_eq!(
        error_code(&refused),
        Some("FORBIDDEN"),
        "the old token carries the new role at once"
    );
    let read = app
        .gql_with(Some(&token), "{ customers { totalCount } }", json!({}))
        .await;
    assert_eq!(read["data"]["customers"]["totalCount"], 1);

    let last = app
        .gql_as(
            &acme,
            change,
            json!({ "input": { "userId": acme.user_id, "role": "ADMIN" } }),
        )
        .await;
    assert_eq!(error_code(&last), Some("CONFLICT"));
    let remove = app
        .gql_as(
            &acme,
            "mutation($id: ID!) { removeMember(userId: $id) }",
            json!({ "id": acme.user_id }),
        )
        .await;
    assert_eq!(error_code(&remove), Some("CONFLICT"));
}

#[tokio::test]
async fn a_removed_member_is_locked_out_with_their_keys_on_every_node() {
    let app = TestApp::spawn().await;
    let peer = app.spawn_peer().await;
    let acme = app.sign_up("acme").await;
    let (token, refresh, user_id) = add_member(&app, &acme, "mgr@acme.example", "MANAGER").await;
    let key = app
        .gql_with(
            Some(&token),
            CREATE_KEY,
            json!({ "input": { "name": "sync", "scopes": ["customers:read"] } }),
        )
        .await;
    let secret = key["data"]["createApiKey"]["secret"]
        .as_str()
        .expect("key created")
        .to_owned();
    assert_eq!(
        status_of(&app, &peer.address, &token, ME).await.0,
        StatusCode::OK
    );
    assert_eq!(
        status_of(&app, &peer.address, &secret, ME).await.0,
        StatusCode::OK
    );

    let removed = app
        .gql_as(
            &acme,
            "mutation($id: ID!) { removeMember(userId: $id) }",
            json!({ "id": user_id }),
        )
        .await;
    assert_eq!(removed["data"]["removeMember"], true, "{removed}");
    assert_eq!(
        status_of(&app, &peer.address, &token, ME).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        status_of(&app, &peer.address, &secret, ME).await.0,
        StatusCode::UNAUTHORIZED
    );
    let renewed = app.gql(REFRESH, json!({ "t": refresh })).await;
    assert_eq!(error_code(&renewed), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn api_keys_are_scoped_shown_once_and_revoked_everywhere_at_once() {
    let app = TestApp::spawn_with(|c| c.key_usage_flush_interval = Duration::from_secs(1)).await;
    let peer = app.spawn_peer().await;
    let acme = app.sign_up("acme").await;
    app.create_customer(&acme, json!({ "kind": "PERSON", "name": "Ann" }))
        .await;

    let created = app
        .gql_as(
            &acme,
            CREATE_KEY,
            json!({ "input": { "name": "BI export", "scopes": ["customers:read"] } }),
        )
        .await;
    let payload = &created["data"]["createApiKey"];
    let secret = payload["secret"].as_str().expect("secret shown").to_owned();
    let prefix = payload["apiKey"]["prefix"].as_str().unwrap();
    assert!(secret.starts_with("crm_") && secret.ends_with(&secret[secret.len() - 43..]));
    assert!(secret.contains(prefix.trim_start_matches("crm_…_")));

    // Read-only: reads work, writes are forbidden.
    let (status, read) =
        status_of(&app, &app.address, &secret, "{ customers { totalCount } }").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read["data"]["customers"]["totalCount"], 1);
    let (_, write) = status_of(&app, &app.address, &secret, CREATE_CUSTOMER).await;
    assert_eq!(error_code(&write), Some("FORBIDDEN"));
    let (_, me) = status_of(&app, &app.address, &secret, ME).await;
    assert_eq!(me["data"]["me"]["apiKey"]["name"], "BI export");
    assert_eq!(me["data"]["me"]["permissions"], json!(["customers:read"]));

    // The list never shows the secret; last use is recorded.
    let listed = app
        .gql_as(
            &acme,
            "{ apiKeys { id prefix lastUsedAt active } }",
            json!({}),
        )
        .await;
    assert!(!listed.to_string().contains(&secret[secret.len() - 43..]));
    let mut last_used = Value::Null;
    for _ in 0..50 {
        let listed = app
            .gql_as(&acme, "{ apiKeys { lastUsedAt } }", json!({}))
            .await;
        last_used = listed["data"]["apiKeys"][0]["lastUsedAt"].clone();
        if last_used.is_string() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        last_used.is_string(),
        "last use is written within the flush interval"
    );

    // Revoked through one node: rejected by the other at once.
    assert_eq!(
        status_of(&app, &peer.address, &secret, ME).await.0,
        StatusCode::OK
    );
    let id = payload["apiKey"]["id"].as_str().unwrap();
    let revoked = app
        .gql_as(
            &acme,
            "mutation($id: ID!) { revokeApiKey(id: $id) }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(revoked["data"]["revokeApiKey"], true);
    assert_eq!(
        status_of(&app, &peer.address, &secret, ME).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        status_of(&app, &app.address, &secret, ME).await.0,
        StatusCode::UNAUTHORIZED
    );
    // A key that was never issued, or a tampered one, is refused too.
    let tampered = format!("{}x", &secret[..secret.len() - 1]);
    assert_eq!(
        status_of(&app, &app.address, &tampered, ME).await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_key_cannot_have_more_rights_than_its_creator() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let (manager, _, _) = add_member(&app, &acme, "mgr@acme.example", "MANAGER").await;
    let too_much = app
        .gql_with(
            Some(&manager),
            CREATE_KEY,
            json!({ "input": { "name": "x", "scopes": ["customers:read", "admin:members"] } }),
        )
        .await;
    assert_eq!(error_field(&too_much), Some("scopes"), "{too_much}");
    let unknown = app
        .gql_with(
            Some(&manager),
            CREATE_KEY,
            json!({ "input": { "name": "x", "scopes": ["root"] } }),
        )
        .await;
    assert_eq!(error_field(&unknown), Some("scopes"));
    let expired = app
        .gql_with(
            Some(&manager),
            CREATE_KEY,
            json!({ "input": { "name": "x", "scopes": ["customers:read"], "expiresAt": "2020-01-01T00:00:00Z" } }),
        )
        .await;
    assert_eq!(error_field(&expired), Some("expiresAt"));
    let (viewer, _, _) = add_member(&app, &acme, "view@acme.example", "VIEWER").await;
    let none = app
        .gql_with(
            Some(&viewer),
            CREATE_KEY,
            json!({ "input": { "name": "x", "scopes": ["customers:read"] } }),
        )
        .await;
    assert_eq!(error_code(&none), Some("FORBIDDEN"));
}

#[tokio::test]
async fn over_the_limit_a_caller_gets_429_with_the_time_to_wait() {
    let app = TestApp::spawn_with(|c| {
        c.rate_limits.free.caller_per_minute = 12;
    })
    .await;
    let acme = app.sign_up("acme").await;
    let mut statuses = Vec::new();
    let mut last = None;
    for _ in 0..6 {
        let response = app
            .client
            .post(app.graphql_url())
            .bearer_auth(&acme.token)
            .json(&json!({ "query": "{ me { role } }" }))
            .send()
            .await
            .unwrap();
        statuses.push(response.status());
        last = Some(response);
    }
    // A burst of 12/6 = 2 requests passes, then the caller must wait.
    assert_eq!(statuses[0], StatusCode::OK);
    assert!(
        statuses.contains(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    let last = last.unwrap();
    assert_eq!(last.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = last.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=6).contains(&retry), "{retry}");
    assert_eq!(last.headers()["ratelimit-remaining"], "0");
    let body: Value = last.json().await.unwrap();
    assert_eq!(error_code(&body), Some("RATE_LIMITED"));
    assert_eq!(body["errors"][0]["extensions"]["retryAfter"], retry);

    // Allowed responses say what is left.
    let other = app.sign_up("globex").await;
    let response = app
        .client
        .post(app.graphql_url())
        .bearer_auth(&other.token)
        .json(&json!({ "query": "{ me { role } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "limits are per caller");
    assert_eq!(response.headers()["ratelimit-limit"], "12");
    assert!(response.headers().get("ratelimit-remaining").is_some());
}

#[tokio::test]
async fn limits_fail_open_when_redis_is_down() {
    let app = TestApp::spawn_with(|c| {
        c.redis_url = "redis://127.0.0.1:1/".into();
        c.rate_limits.free.caller_per_minute = 1;
    })
    .await;
    let acme = app.sign_up("acme").await;
    for _ in 0..5 {
        assert_eq!(
            status_of(&app, &app.address, &acme.token, ME).await.0,
            StatusCode::OK
        );
    }
}

#[tokio::test]
async fn repeated_failed_sign_ins_make_the_account_wait() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    for _ in 0..5 {
        let body = app
            .gql(
                SIGN_IN,
                json!({ "input": { "email": acme.email, "password": "wrong password!" } }),
            )
            .await;
        assert_eq!(error_code(&body), Some("UNAUTHENTICATED"));
    }
    let body = app
        .gql(
            SIGN_IN,
            json!({ "input": { "email": acme.email, "password": acme.password } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("RATE_LIMITED"), "{body}");
    assert!(
        body["errors"][0]["extensions"]["retryAfter"]
            .as_u64()
            .unwrap()
            >= 1
    );
    // Another account from the same address is not affected yet.
    let other = app.sign_up("globex").await;
    let body = app
        .gql(
            SIGN_IN,
            json!({ "input": { "email": other.email, "password": other.password } }),
        )
        .await;
    assert!(body["data"]["signIn"]["accessToken"].is_string(), "{body}");
}

#[tokio::test]
async fn common_passwords_are_refused() {
    let app = TestApp::spawn().await;
    let body = app
        .gql(
            "mutation { signUp(input: { tenantName: \"A\", tenantSlug: \"acme\", email: \"a@acme.example\", password: \"qwertyuiop\" }) { accessToken } }",
            json!({}),
        )
        .await;
    assert_eq!(error_field(&body), Some("password"));
}

#[tokio::test]
async fn the_audit_log_records_security_events_for_admins_only() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    app.gql(
        SIGN_IN,
        json!({ "input": { "email": acme.email, "password": "wrong password!" } }),
    )
    .await;
    let (_, _, user_id) = add_member(&app, &acme, "mgr@acme.example", "MANAGER").await;
    app.gql_as(
        &acme,
        "mutation($input: ChangeMemberRoleInput!) { changeMemberRole(input: $input) { role } }",
        json!({ "input": { "userId": user_id, "role": "SALES" } }),
    )
    .await;
    let key = app
        .gql_as(
            &acme,
            CREATE_KEY,
            json!({ "input": { "name": "k", "scopes": ["customers:read"] } }),
        )
        .await;
    let key_id = key["data"]["createApiKey"]["apiKey"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.gql_as(
        &acme,
        "mutation($id: ID!) { revokeApiKey(id: $id) }",
        json!({ "id": key_id }),
    )
    .await;

    let log = app
        .gql_as(&acme, "{ auditLog(first: 50) { edges { node { action actorUserId targetId ip userAgent details } } } }", json!({}))
        .await;
    let actions: Vec<&str> = log["data"]["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["action"].as_str().unwrap())
        .collect();
    for expected in [
        "sign_in.succeeded",
        "sign_in.failed",
        "member.invited",
        "invitation.accepted",
        "member.role_changed",
        "api_key.created",
        "api_key.revoked",
    ] {
        assert!(
            actions.contains(&expected),
            "{expected} missing from {actions:?}"
        );
    }
    assert_eq!(actions[0], "api_key.revoked", "newest first");
    assert!(log["data"]["auditLog"]["edges"][0]["node"]["ip"]
        .as_str()
        .unwrap()
        .starts_with("127.0.0.1"));

    let failed = app
        .gql_as(&acme, "{ auditLog(filter: { action: { eq: \"sign_in.failed\" } }) { edges { node { action actorUserId } } } }", json!({}))
        .await;
    let edges = failed["data"]["auditLog"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 1);
    assert_eq!(edges[0]["node"]["actorUserId"], acme.user_id.as_str());

    let sales = token_of_member(&app, "mgr@acme.example").await;
    let denied = app
        .gql_with(
            Some(&sales),
            "{ auditLog { edges { node { action } } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&denied), Some("FORBIDDEN"));
}

#[tokio::test]
async fn teams_nest_without_cycles_and_members_are_placed_in_them() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let create =
        "mutation($input: CreateTeamInput!) { createTeam(input: $input) { id name parentId } }";
    let sales = app
        .gql_as(&acme, create, json!({ "input": { "name": "Sales" } }))
        .await;
    let sales_id = sales["data"]["createTeam"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let east = app
        .gql_as(
            &acme,
            create,
            json!({ "input": { "name": "Sales East", "parentId": sales_id } }),
        )
        .await;
    let east_id = east["data"]["createTeam"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(east["data"]["createTeam"]["parentId"], sales_id.as_str());
    let duplicate = app
        .gql_as(&acme, create, json!({ "input": { "name": "Sales" } }))
        .await;
    assert_eq!(error_code(&duplicate), Some("CONFLICT"));

    let update = "mutation($input: UpdateTeamInput!) { updateTeam(input: $input) { id parentId } }";
    let cycle = app
        .gql_as(
            &acme,
            update,
            json!({ "input": { "id": sales_id, "parentId": east_id } }),
        )
        .await;
    assert_eq!(error_field(&cycle), Some("parentId"), "{cycle}");
    let delete_parent = app
        .gql_as(
            &acme,
            "mutation($id: ID!) { deleteTeam(id: $id) }",
            json!({ "id": sales_id }),
        )
        .await;
    assert_eq!(error_code(&delete_parent), Some("CONFLICT"));

    let region = app
        .gql_as(
            &acme,
            "mutation { createRegion(input: { name: \"华东\" }) { id name } }",
            json!({}),
        )
        .await;
    let region_id = region["data"]["createRegion"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let assigned = app
        .gql_as(
            &acme,
            "mutation($input: AssignMemberInput!) { assignMember(input: $input) { teamId regionId } }",
            json!({ "input": { "userId": acme.user_id, "teamId": east_id, "regionId": region_id } }),
        )
        .await;
    assert_eq!(
        assigned["data"]["assignMember"]["teamId"],
        east_id.as_str(),
        "{assigned}"
    );
    assert_eq!(
        assigned["data"]["assignMember"]["regionId"],
        region_id.as_str()
    );

    // Another tenant's team cannot be used.
    let globex = app.sign_up("globex").await;
    let theirs = app
        .gql_as(
            &globex,
            "mutation($input: AssignMemberInput!) { assignMember(input: $input) { teamId } }",
            json!({ "input": { "userId": globex.user_id, "teamId": east_id } }),
        )
        .await;
    assert_eq!(error_field(&theirs), Some("teamId"));
    let teams = app
        .gql_as(&globex, "{ teams { id } regions { id } }", json!({}))
        .await;
    assert_eq!(teams["data"]["teams"], json!([]));
    assert_eq!(teams["data"]["regions"], json!([]));
}

/// A minimal SMTP server that accepts one message and hands it over.
async fn smtp_sink() -> (u16, tokio::sync::oneshot::Receiver<(String, String)>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let (read, mut write) = stream.into_split();
        let mut read = BufReader::new(read);
        write.write_all(b"220 sink ready\r\n").await.unwrap();
        let mut recipient = String::new();
        let mut data = String::new();
        let mut in_data = false;
        loop {
            let mut line = String::new();
            if read.read_line(&mut line).await.unwrap() == 0 {
                break;
            }
            if in_data {
                if line == ".\r\n" {
                    in_data = false;
                    write.write_all(b"250 queued\r\n").await.unwrap();
                } else {
                    data.push_str(&line);
                }
                continue;
            }
            let reply: &[u8] = match line.get(..4).unwrap_or("").to_ascii_uppercase().as_str() {
                "EHLO" => b"250-sink\r\n250 8BITMIME\r\n",
                "MAIL" => b"250 ok\r\n",
                "RCPT" => {
                    recipient = line.trim().to_owned();
                    b"250 ok\r\n"
                }
                "DATA" => {
                    in_data = true;
                    b"354 go ahead\r\n"
                }
                "QUIT" => {
                    write.write_all(b"221 bye\r\n").await.unwrap();
                    break;
                }
                _ => b"500 what\r\n",
            };
            write.write_all(reply).await.unwrap();
        }
        let _ = tx.send((recipient, data));
    });
    (port, rx)
}

#[tokio::test]
async fn invitations_are_delivered_by_smtp_when_a_relay_is_configured() {
    let (port, received) = smtp_sink().await;
    let app = TestApp::spawn_with(|c| {
        c.mail.smtp_host = Some("127.0.0.1".into());
        c.mail.smtp_port = port;
        // A relay on the same host, reached without TLS on purpose.
        c.mail.smtp_tls = crm_api::config::SmtpTls::None;
        c.public_url = "https://crm.example".into();
    })
    .await;
    let acme = app.sign_up("acme").await;
    app.gql_as(
        &acme,
        INVITE,
        json!({ "input": { "email": "new@acme.example", "role": "SERVICE" } }),
    )
    .await;
    let (recipient, data) = tokio::time::timeout(Duration::from_secs(20), received)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(recipient, "RCPT TO:<new@acme.example>");
    assert!(
        data.contains("Subject: Join Workspace acme on the CRM"),
        "{data}"
    );
    assert!(
        data.contains("https://crm.example/invitations/accept?token=crm_inv_"),
        "{data}"
    );
    // The link in the mail works.
    let start = data.find("crm_inv_").unwrap();
    let token = data[start..]
        .split(|c: char| c.is_whitespace())
        .next()
        .unwrap();
    let accepted = app
        .gql(
            ACCEPT,
            json!({ "input": { "token": token, "password": "a member's long passphrase" } }),
        )
        .await;
    assert_eq!(
        accepted["data"]["acceptInvitation"]["tenant"]["slug"], "acme",
        "{accepted}"
    );
    let mut status = Value::Null;
    for _ in 0..50 {
        let messages = app
            .gql_as(
                &acme,
                "{ outboundMessages { edges { node { status } } } }",
                json!({}),
            )
            .await;
        status = messages["data"]["outboundMessages"]["edges"][0]["node"]["status"].clone();
        if status == "sent" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, "sent");
}

#[tokio::test]
async fn the_invitation_link_opens_a_page_that_accepts_it() {
    let app = TestApp::spawn().await;
    let page = app
        .client
        .get(format!(
            "{}/invitations/accept?token=crm_inv_x",
            app.address
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(
        page.headers()["referrer-policy"],
        "no-referrer",
        "the token must not leak to other sites"
    );
    let html = page.text().await.unwrap();
    assert!(html.contains("<script src=\"/invitations/accept-invitation.js\">"));
    let script = app.get_text("/invitations/accept-invitation.js").await;
    assert!(script.contains("acceptInvitation"));
}

#[tokio::test]
async fn callers_without_credentials_are_limited_per_address() {
    let app = TestApp::spawn_with(|c| c.rate_limits.anonymous_per_minute = 6).await;
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let response = app
            .client
            .post(app.graphql_url())
            .json(&json!({ "query": "{ __typename }" }))
            .send()
            .await
            .unwrap();
        statuses.push(response.status());
    }
    assert_eq!(statuses[0], StatusCode::OK);
    assert_eq!(
        *statuses.last().unwrap(),
        StatusCode::TOO_MANY_REQUESTS,
        "{statuses:?}"
    );
}

/// `n` anonymous-looking requests with `authorization` (and optionally an
/// `X-Forwarded-For`), returning their statuses.
async fn statuses(
    app: &TestApp,
    authorization: &str,
    forwarded_for: Option<&str>,
    n: usize,
) -> Vec<StatusCode> {
    let mut out = Vec::new();
    for _ in 0..n {
        let mut request = app
            .client
            .post(app.graphql_url())
            .header("authorization", authorization)
            .json(&json!({ "query": "{ __typename }" }));
        if let Some(xff) = forwarded_for {
            request = request.header("x-forwarded-for", xff);
        }
        out.push(request.send().await.unwrap().status());
    }
    out
}

#[tokio::test]
async fn a_stranger_who_knows_a_keys_prefix_cannot_use_up_its_allowance() {
    let app = TestApp::spawn_with(|c| {
        c.rate_limits.free.caller_per_minute = 12;
        c.rate_limits.anonymous_per_minute = 12;
    })
    .await;
    let acme = app.sign_up("acme").await;
    let created = app
        .gql_as(
            &acme,
            CREATE_KEY,
            json!({ "input": { "name": "ERP", "scopes": ["customers:read"] } }),
        )
        .await;
    let secret = created["data"]["createApiKey"]["secret"]
        .as_str()
        .unwrap_or_else(|| panic!("{created}"))
        .to_owned();
    // The same key with another secret of the right shape.
    let forged = format!("{}{}", &secret[..secret.len() - 43], "x".repeat(43));
    assert_ne!(forged, secret);
    let refused = statuses(&app, &format!("Bearer {forged}"), None, 8).await;
    assert_eq!(refused[0], StatusCode::UNAUTHORIZED, "{refused:?}");
    // The forgeries were charged to the sender's address (a burst of 12/6 = 2,
    // one of them used by signing up).
    assert_eq!(refused[7], StatusCode::TOO_MANY_REQUESTS, "{refused:?}");
    // The real integration is untouched: its first two requests (the burst) pass.
    let real = statuses(&app, &format!("Bearer {secret}"), None, 2).await;
    assert_eq!(real, [StatusCode::OK, StatusCode::OK]);
}

#[tokio::test]
async fn garbage_tokens_are_charged_to_the_address_that_sends_them() {
    let app = TestApp::spawn_with(|c| c.rate_limits.anonymous_per_minute = 6).await;
    let seen = statuses(&app, "Bearer not-a-token", None, 4).await;
    assert_eq!(seen[0], StatusCode::UNAUTHORIZED, "{seen:?}");
    assert_eq!(seen[3], StatusCode::TOO_MANY_REQUESTS, "{seen:?}");
}

#[tokio::test]
async fn forwarded_addresses_count_only_through_a_trusted_proxy() {
    // No trusted proxy: the header is the client's own word and is ignored,
    // so both "addresses" share this machine's bucket.
    let direct = TestApp::spawn_with(|c| c.rate_limits.anonymous_per_minute = 6).await;
    let first = statuses(&direct, "Bearer x", Some("198.51.100.1"), 1).await;
    let second = statuses(&direct, "Bearer x", Some("198.51.100.2"), 2).await;
    assert_eq!(first, [StatusCode::UNAUTHORIZED]);
    assert_eq!(second[1], StatusCode::TOO_MANY_REQUESTS, "{second:?}");

    // Behind a trusted proxy each client has its own bucket, and IPv6
    // clients of one /64 share one.
    let proxied = TestApp::spawn_with(|c| {
        c.rate_limits.anonymous_per_minute = 6;
        c.trusted_proxies = crm_api::auth::address::parse_networks("127.0.0.1").unwrap();
    })
    .await;
    for client in ["198.51.100.1", "198.51.100.2", "2001:db8:1:2::1"] {
        assert_eq!(
            statuses(&proxied, "Bearer x", Some(client), 1).await,
            [StatusCode::UNAUTHORIZED],
            "{client}"
        );
    }
    let same_64 = statuses(&proxied, "Bearer x", Some("2001:db8:1:2:ffff::9"), 2).await;
    assert_eq!(same_64[1], StatusCode::TOO_MANY_REQUESTS, "{same_64:?}");
}

/// The secret of a new API key with only `scopes`.
async fn key_with(app: &TestApp, owner: &TestTenant, scopes: &[&str]) -> String {
    let created = app
        .gql_as(
            owner,
            CREATE_KEY,
            json!({ "input": { "name": scopes.join("+"), "scopes": scopes } }),
        )
        .await;
    created["data"]["createApiKey"]["secret"]
        .as_str()
        .unwrap_or_else(|| panic!("{created}"))
        .to_owned()
}

/// The codes of a response's errors, by the field path they name.
fn forbidden_paths(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter(|e| e["extensions"]["code"] == "FORBIDDEN")
                .map(|e| {
                    e["path"]
                        .as_array()
                        .map(|p| p.last().unwrap().to_string().trim_matches('"').to_owned())
                        .unwrap_or_default()
                })
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn an_edge_into_another_area_needs_that_areas_read_permission() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let customer = app
        .create_customer(
            &acme,
            json!({ "kind": "COMPANY", "name": "Globex", "email": "ceo@globex.example" }),
        )
        .await;
    let contact = app
        .gql_as(
            &acme,
            "mutation($id: ID!) { createContact(input: { customerId: $id, name: \"Hank\", email: \"hank@globex.example\" }) { contact { id } } }",
            json!({ "id": customer["id"] }),
        )
        .await["data"]["createContact"]["contact"]["id"]
        .clone();
    let deal = app
        .gql_as(
            &acme,
            "mutation($input: CreateDealInput!) { createDeal(input: $input) { deal { id } } }",
            json!({ "input": { "name": "Big one", "customerId": customer["id"], "currency": "USD",
                               "amount": "1000", "contacts": [{ "contactId": contact }] } }),
        )
        .await;
    assert!(
        deal["data"]["createDeal"]["deal"]["id"].is_string(),
        "{deal}"
    );
    let case = app
        .gql_as(
            &acme,
            "mutation($input: CreateCaseInput!) { createCase(input: $input) { case { id } } }",
            json!({ "input": { "customerId": customer["id"], "contactId": contact,
                               "subject": "Broken", "kind": "COMPLAINT", "channel": "EMAIL" } }),
        )
        .await;
    assert!(
        case["data"]["createCase"]["case"]["id"].is_string(),
        "{case}"
    );

    let deals_only = key_with(&app, &acme, &["deals:read"]).await;
    let body = app
        .gql_with(
            Some(&deals_only),
            "{ deals(first: 5) { edges { node { name customer { email } contacts { contact { email } } } } } }",
            json!({}),
        )
        .await;
    assert!(!body.to_string().contains("globex.example"), "{body}");
    let mut paths = forbidden_paths(&body);
    paths.sort();
    assert_eq!(paths, ["contacts", "customer"], "{body}");

    let cases_only = key_with(&app, &acme, &["cases:read"]).await;
    let body = app
        .gql_with(
            Some(&cases_only),
            "{ cases(first: 5) { edges { node { subject customer { email } contact { email } } } } }",
            json!({}),
        )
        .await;
    assert!(!body.to_string().contains("globex.example"), "{body}");
    let mut paths = forbidden_paths(&body);
    paths.sort();
    assert_eq!(paths, ["contact", "customer"], "{body}");

    // Reading customers does not reveal what they bought or what is in the pipeline.
    let customers_only = key_with(&app, &acme, &["customers:read"]).await;
    let body = app
        .gql_with(
            Some(&customers_only),
            "query($id: ID!) { customer(id: $id) { name orderTotal { amount } } }",
            json!({ "id": customer["id"] }),
        )
        .await;
    assert_eq!(forbidden_paths(&body), ["orderTotal"], "{body}");
    let body = app
        .gql_with(
            Some(&customers_only),
            "query($id: ID!) { customer(id: $id) { name openDealAmount { amount } } }",
            json!({ "id": customer["id"] }),
        )
        .await;
    assert_eq!(forbidden_paths(&body), ["openDealAmount"], "{body}");

    // With both areas, the same reads work.
    let both = key_with(&app, &acme, &["deals:read", "customers:read"]).await;
    let body = app
        .gql_with(
            Some(&both),
            "{ deals(first: 5) { edges { node { customer { email } } } } }",
            json!({}),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    assert_eq!(
        body["data"]["deals"]["edges"][0]["node"]["customer"]["email"],
        "ceo@globex.example"
    );
}

#[tokio::test]
async fn colleagues_addresses_are_shown_only_to_those_who_manage_members() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let (rep, _) = app
        .invite_member(&acme, "rep@acme.example", "SALES", None)
        .await;
    let query = "{ members { user { email } } me { user { email } } }";
    let as_rep = app.gql_with(Some(&rep), query, json!({})).await;
    let emails: Vec<&Value> = as_rep["data"]["members"]
        .as_array()
        .unwrap_or_else(|| panic!("{as_rep}"))
        .iter()
        .map(|m| &m["user"]["email"])
        .collect();
    assert!(emails.contains(&&json!("rep@acme.example")), "{as_rep}");
    assert!(!as_rep.to_string().contains(&acme.email), "{as_rep}");
    assert_eq!(as_rep["data"]["me"]["user"]["email"], "rep@acme.example");
    let as_owner = app.gql_as(&acme, query, json!({})).await;
    assert!(
        as_owner.to_string().contains("rep@acme.example"),
        "{as_owner}"
    );
    assert!(as_owner.to_string().contains(&acme.email), "{as_owner}");
}
