//! Webhooks end to end: a local receiver (allowed through the development
//! network allowance) gets every event type, signed as Standard Webhooks
//! says and checked with an independent implementation (the
//! `standardwebhooks` crate); retries after 500s and timeouts, dead
//! letters and the disabling of failing endpoints, redelivery and replay,
//! secret rotation with an overlap, the address guard, two server nodes
//! that never send one attempt twice, and tenant isolation.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use crm_api::domain::domain_events::EventKind;
use crm_api::domain::event_schemas;
use crm_tests::webhook_receiver::{Answer, Received, Receiver};
use crm_tests::{error_code, error_field, TestApp, TestTenant};
use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::{json, Value};

const CREATE: &str = "mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret endpoint { id version url enabled eventTypes } } }";
const ENDPOINT: &str = "query($id: ID!) { webhookEndpoint(id: $id) { id version enabled disabledReason failingSince lastSuccessAt previousSecretExpiresAt deliveryLog(first: 100) { totalCount edges { node { eventId eventType attempt succeeded statusCode latencyMs responseBody error } } } } }";
const UPDATE: &str = "mutation($input: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(input: $input) { endpoint { id version enabled disabledReason } } }";

/// A server that may deliver to the local receiver, with quick retries.
async fn spawn_with(retries: &str, timeout_secs: u64) -> TestApp {
    let retries = retries.to_owned();
    TestApp::spawn_with(move |c| {
        c.webhooks.allow_http = true;
        c.webhooks.allowed_networks =
            crm_api::auth::address::parse_networks("127.0.0.0/8,::1/128").unwrap();
        c.webhooks.retry_schedule = retries
            .split(',')
            .map(|ms| Duration::from_millis(ms.parse().unwrap()))
            .collect();
        c.webhooks.poll_interval = Duration::from_millis(30);
        c.webhooks.timeout = Duration::from_secs(timeout_secs);
    })
    .await
}

async fn spawn() -> TestApp {
    spawn_with("100,100,100", 10).await
}

fn every_type() -> Vec<&'static str> {
    EventKind::ALL.iter().map(|k| k.as_str()).collect()
}

/// Creates an endpoint; returns its id and secret.
async fn endpoint(
    app: &TestApp,
    tenant: &TestTenant,
    url: &str,
    types: &[&str],
) -> (String, String) {
    let body = app
        .gql_as(
            tenant,
            CREATE,
            json!({ "input": { "url": url, "eventTypes": types, "description": "test receiver" } }),
        )
        .await;
    let created = &body["data"]["createWebhookEndpoint"];
    let secret = created["secret"]
        .as_str()
        .unwrap_or_else(|| panic!("createWebhookEndpoint failed: {body}"))
        .to_owned();
    assert!(secret.starts_with("whsec_"), "{secret}");
    (
        created["endpoint"]["id"].as_str().unwrap().to_owned(),
        secret,
    )
}

async fn must(app: &TestApp, tenant: &TestTenant, query: &str, variables: Value) -> Value {
    let body = app.gql_as(tenant, query, variables).await;
    assert!(body["errors"].is_null(), "{query}: {body}");
    body["data"].clone()
}

/// Whether `received` verifies with `secret`, by the independent
/// Standard Webhooks implementation (which also checks the timestamp).
fn verifies(received: &Received, secret: &str) -> bool {
    standardwebhooks::Webhook::new(secret)
        .expect("a whsec_ secret")
        .verify(&received.body, &received.headers)
        .is_ok()
}

fn types_of(received: &[Received]) -> BTreeSet<String> {
    received
        .iter()
        .map(|r| r.json()["type"].as_str().unwrap().to_owned())
        .collect()
}

async fn log_of(app: &TestApp, tenant: &TestTenant, id: &str) -> Value {
    must(app, tenant, ENDPOINT, json!({ "id": id })).await["webhookEndpoint"].clone()
}

/// Waits until the endpoint's log satisfies `done`.
async fn wait_for_log(
    app: &TestApp,
    tenant: &TestTenant,
    id: &str,
    what: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    for _ in 0..500 {
        let endpoint = log_of(app, tenant, id).await;
        if done(&endpoint) {
            return endpoint;
        }
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
    panic!("{what}: {}", log_of(app, tenant, id).await);
}

/// Makes one event of every type in `tenant`'s workspace; returns the
/// secret of the API key it created (no event may carry it).
async fn every_kind_of_change(app: &TestApp, tenant: &TestTenant) -> String {
    let customer = app
        .create_customer(
            tenant,
            json!({ "kind": "COMPANY", "name": "Initech", "externalId": "C-1" }),
        )
        .await;
    let cid = customer["id"].clone();
    must(app, tenant, "mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { customer { id } } }",
        json!({ "input": { "id": cid, "version": 1, "name": "Initech Corp", "industry": "Software" } })).await;
    must(
        app,
        tenant,
        "mutation($input: ReassignCustomersInput!) { reassignCustomers(input: $input) }",
        json!({ "input": { "customerIds": [cid], "ownerId": tenant.user_id } }),
    )
    .await;
    let other = app
        .create_customer(tenant, json!({ "kind": "PERSON", "name": "Peter Gibbons" }))
        .await;
    must(
        app,
        tenant,
        "mutation($id: ID!) { deleteCustomer(id: $id) }",
        json!({ "id": other["id"] }),
    )
    .await;
    must(
        app,
        tenant,
        "mutation($id: ID!) { restoreCustomer(id: $id) { customer { id } } }",
        json!({ "id": other["id"] }),
    )
    .await;
    must(app, tenant, "mutation($s: ID!, $m: ID!) { mergeCustomers(input: { survivorId: $s, mergedId: $m }) { customer { id } } }",
        json!({ "s": cid, "m": other["id"] })).await;
    let contact = must(app, tenant, "mutation($id: ID!) { createContact(input: { customerId: $id, name: \"Bill\" }) { contact { id version } } }",
        json!({ "id": cid })).await;
    let contact_id = contact["createContact"]["contact"]["id"].clone();
    must(
        app,
        tenant,
        "mutation($input: UpdateContactInput!) { updateContact(input: $input) { contact { id } } }",
        json!({ "input": { "id": contact_id, "version": 1, "title": "Boss" } }),
    )
    .await;
    must(
        app,
        tenant,
        "mutation($id: ID!) { deleteContact(id: $id) }",
        json!({ "id": contact_id }),
    )
    .await;
    must(app, tenant, "mutation($input: LogInteractionInput!) { logInteraction(input: $input) { interaction { id } } }",
        json!({ "input": { "customerId": cid, "kind": "CALL", "subject": "hello" } })).await;
    let lead = must(app, tenant, "mutation { createLead(input: { name: \"Milton\", email: \"milton@example.com\" }) { lead { id } } }", json!({})).await;
    must(
        app,
        tenant,
        "mutation($input: ConvertLeadInput!) { convertLead(input: $input) { customer { id } } }",
        json!({ "input": { "leadId": lead["createLead"]["lead"]["id"] } }),
    )
    .await;
    let pipelines = must(
        app,
        tenant,
        "{ pipelines { isDefault stages { id kind } } }",
        json!({}),
    )
    .await;
    let stages = pipelines["pipelines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["isDefault"] == true)
        .unwrap()["stages"]
        .clone();
    let stage = |kind: &str, nth: usize| {
        stages
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["kind"] == kind)
            .nth(nth)
            .unwrap()["id"]
            .clone()
    };
    for (target, reason) in [(stage("WON", 0), None), (stage("LOST", 0), Some("price"))] {
        let deal = must(app, tenant, "mutation($input: CreateDealInput!) { createDeal(input: $input) { deal { id } } }",
            json!({ "input": { "name": "Deal", "customerId": cid, "amount": "100", "currency": "USD" } })).await;
        let id = deal["createDeal"]["deal"]["id"].clone();
        must(
            app,
            tenant,
            "mutation($input: MoveDealInput!) { moveDeal(input: $input) { deal { id } } }",
            json!({ "input": { "id": id, "stageId": stage("OPEN", 1) } }),
        )
        .await;
        must(
            app,
            tenant,
            "mutation($input: MoveDealInput!) { moveDeal(input: $input) { deal { id } } }",
            json!({ "input": { "id": id, "stageId": target, "reason": reason } }),
        )
        .await;
    }
    let product = must(
        app,
        tenant,
        "mutation { createProduct(input: { sku: \"PEN\", name: \"Pen\" }) { product { id } } }",
        json!({}),
    )
    .await;
    let order = must(app, tenant, "mutation($input: CreateOrderInput!) { createOrder(input: $input) { order { id version } } }",
        json!({ "input": { "customerId": cid, "currency": "USD",
                "lines": [{ "productId": product["createProduct"]["product"]["id"], "quantity": "2", "unitPrice": "1.50" }] } })).await;
    must(app, tenant, "mutation($input: ChangeOrderStatusInput!) { changeOrderStatus(input: $input) { order { id } } }",
        json!({ "input": { "id": order["createOrder"]["order"]["id"], "version": order["createOrder"]["order"]["version"], "status": "PAID" } })).await;
    let case = must(app, tenant, "mutation($input: CreateCaseInput!) { createCase(input: $input) { case { id } } }",
        json!({ "input": { "customerId": cid, "subject": "Stapler", "kind": "COMPLAINT", "channel": "EMAIL" } })).await;
    let case_id = case["createCase"]["case"]["id"].clone();
    must(app, tenant, "mutation($input: ChangeCaseStatusInput!) { changeCaseStatus(input: $input) { case { id } } }",
        json!({ "input": { "id": case_id, "status": "RESOLVED", "note": "found it" } })).await;
    must(
        app,
        tenant,
        "mutation($input: RateCaseInput!) { rateCase(input: $input) { case { id } } }",
        json!({ "input": { "id": case_id, "score": 5 } }),
    )
    .await;
    app.recompute_customer_value(tenant).await;
    let email = format!("member.{}@example.com", tenant.slug);
    let (_, member) = app.invite_member(tenant, &email, "VIEWER", None).await;
    must(
        app,
        tenant,
        "mutation($id: ID!) { removeMember(userId: $id) }",
        json!({ "id": member }),
    )
    .await;
    let key = must(app, tenant, "mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { apiKey { id } secret } }",
        json!({ "input": { "name": "partner", "scopes": ["customers:read"] } })).await;
    must(
        app,
        tenant,
        "mutation($id: ID!) { revokeApiKey(id: $id) }",
        json!({ "id": key["createApiKey"]["apiKey"]["id"] }),
    )
    .await;
    key["createApiKey"]["secret"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn every_event_type_is_delivered_signed_and_as_its_schema_says() {
    let app = spawn().await;
    let acme = app.sign_up("hooks-every").await;
    let receiver = Receiver::start().await;
    let (_, secret) = endpoint(&app, &acme, &receiver.url, &every_type()).await;
    let key_secret = every_kind_of_change(&app, &acme).await;
    let wanted: BTreeSet<String> = every_type().into_iter().map(str::to_owned).collect();
    let received = receiver
        .wait_until(Duration::from_secs(30), "every event type", |r| {
            types_of(r).is_superset(&wanted)
        })
        .await;
    // The feed lists the same events the endpoint received, once each.
    let feed = must(
        &app,
        &acme,
        "{ domainEvents(order: FEED, first: 100) { edges { node { id kind } } } }",
        json!({}),
    )
    .await;
    let feed_ids: BTreeSet<String> = feed["domainEvents"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
        .collect();
    let mut seen = BTreeMap::new();
    for r in &received {
        assert!(
            verifies(r, &secret),
            "the signature does not verify: {:?}",
            r.headers
        );
        let body = r.json();
        assert_eq!(r.header("webhook-id"), body["id"].as_str().unwrap());
        assert_eq!(r.header("content-type"), "application/json");
        let kind = EventKind::parse(body["type"].as_str().unwrap()).expect("a known type");
        assert_eq!(body["version"], 1);
        assert_eq!(body["aggregateType"], kind.aggregate_type());
        event_schemas::conforms(kind, &body["data"])
            .unwrap_or_else(|e| panic!("{}: {e}: {body}", kind.as_str()));
        assert!(feed_ids.contains(body["id"].as_str().unwrap()), "{body}");
        *seen
            .entry(body["id"].as_str().unwrap().to_owned())
            .or_insert(0) += 1;
    }
    assert!(
        seen.values().all(|n| *n == 1),
        "an event came twice: {seen:?}"
    );
    // A changed field list, and no secret in any payload.
    let updated = received
        .iter()
        .map(Received::json)
        .find(|b| b["type"] == "CUSTOMER_UPDATED" && b["data"]["version"] == 2)
        .unwrap();
    let fields: BTreeSet<&str> = updated["data"]["changedFields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(
        fields.contains("name") && fields.contains("industry"),
        "{updated}"
    );
    for r in &received {
        let text = String::from_utf8_lossy(&r.body);
        assert!(
            !text.contains("crm_inv_")
                && !text.contains(&secret[6..])
                && !text.contains(&key_secret),
            "{text}"
        );
    }
}

#[tokio::test]
async fn failed_attempts_are_retried_after_server_errors_and_timeouts() {
    let app = spawn_with("150,150,150,150", 1).await;
    let acme = app.sign_up("hooks-retry").await;
    let receiver = Receiver::start().await;
    receiver.script(
        vec![
            Answer::Status(500),
            Answer::Stall(Duration::from_millis(1800)),
            Answer::Status(503),
            Answer::Status(302),
        ],
        Answer::Accept,
    );
    let (id, secret) = endpoint(&app, &acme, &receiver.url, &["CUSTOMER_CREATED"]).await;
    app.create_customer(&acme, json!({ "kind": "COMPANY", "name": "Retry Co" }))
        .await;
    let endpoint = wait_for_log(&app, &acme, &id, "a success after four failures", |e| {
        e["deliveryLog"]["edges"]
            .as_array()
            .is_some_and(|l| l.iter().any(|a| a["node"]["succeeded"] == true))
    })
    .await;
    let mut log: Vec<Value> = endpoint["deliveryLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect();
    log.sort_by_key(|a| a["attempt"].as_i64());
    assert_eq!(log.len(), 5, "{log:?}");
    assert_eq!(log[0]["statusCode"], 500);
    assert_eq!(log[0]["responseBody"], "answered 500");
    assert!(log[1]["statusCode"].is_null());
    assert_eq!(log[1]["error"], "no answer within 1 s");
    assert!(log[1]["latencyMs"].as_i64().unwrap() >= 900);
    assert_eq!(log[2]["statusCode"], 503);
    // A redirect is not followed: a failure like any other answer.
    assert_eq!(log[3]["statusCode"], 302);
    assert_eq!(log[3]["succeeded"], false);
    assert_eq!(log[3]["error"], "answered 302; redirects are not followed");
    assert_eq!(log[4]["statusCode"], 200);
    assert_eq!(log[4]["succeeded"], true);
    assert!(log.iter().all(|a| a["eventType"] == "CUSTOMER_CREATED"));
    assert!(endpoint["failingSince"].is_null() && endpoint["lastSuccessAt"].is_string());
    // Every attempt carried the same webhook-id and a valid signature.
    let received = receiver.received();
    assert!(received.len() >= 5);
    let ids: BTreeSet<&str> = received.iter().map(|r| r.header("webhook-id")).collect();
    assert_eq!(ids.len(), 1);
    assert!(received.iter().all(|r| verifies(r, &secret)));
}

#[tokio::test]
async fn an_endpoint_failing_throughout_gets_a_dead_letter_is_disabled_and_its_admins_are_told() {
    let app = spawn_with("50,50", 10).await;
    let acme = app.sign_up("hooks-dead").await;
    let receiver = Receiver::start().await;
    receiver.script(vec![], Answer::Status(500));
    let (id, _) = endpoint(&app, &acme, &receiver.url, &["CUSTOMER_CREATED"]).await;
    app.create_customer(&acme, json!({ "kind": "COMPANY", "name": "Dead Co" }))
        .await;
    let endpoint = wait_for_log(&app, &acme, &id, "the endpoint disabled", |e| {
        e["enabled"] == false
    })
    .await;
    assert_eq!(endpoint["disabledReason"], "FAILING", "{endpoint}");
    let log = endpoint["deliveryLog"]["edges"].as_array().unwrap();
    assert_eq!(log.len(), 3, "one attempt and two retries: {endpoint}");
    assert!(log.iter().all(|a| a["node"]["succeeded"] == false));
    // Its admins are told: a message to the owner, and an audit entry.
    let db = Database::connect(app.db.owner_url.as_str()).await.unwrap();
    let row = db
        .query_one(Statement::from_sql_and_values(
            db.get_database_backend(),
            "SELECT recipient, body FROM outbound_messages WHERE kind = 'webhook_disabled'",
            [],
        ))
        .await
        .unwrap()
        .expect("the owner was told");
    let recipient: String = row.try_get("", "recipient").unwrap();
    assert_eq!(recipient, acme.email);
    let audit = must(
        &app,
        &acme,
        "{ auditLog(first: 20) { edges { node { action } } } }",
        json!({}),
    )
    .await;
    assert!(
        audit.to_string().contains("webhook.disabled_failing"),
        "{audit}"
    );
    // Events of a disabled endpoint are not queued; enabled again and
    // redelivered, the dead letter arrives.
    receiver.script(vec![], Answer::Accept);
    app.create_customer(
        &acme,
        json!({ "kind": "COMPANY", "name": "While Disabled" }),
    )
    .await;
    let enabled = must(
        &app,
        &acme,
        UPDATE,
        json!({ "input": { "id": id, "version": endpoint["version"], "enabled": true } }),
    )
    .await;
    assert_eq!(
        enabled["updateWebhookEndpoint"]["endpoint"]["disabledReason"],
        Value::Null
    );
    let event = log[0]["node"]["eventId"].clone();
    let redelivered = must(&app, &acme, "mutation($input: RedeliverWebhookEventInput!) { redeliverWebhookEvent(input: $input) { delivery { status attempts } } }",
        json!({ "input": { "endpointId": id, "eventId": event } })).await;
    assert_eq!(
        redelivered["redeliverWebhookEvent"]["delivery"]["status"],
        "PENDING"
    );
    let got = receiver
        .wait_until(
            Duration::from_secs(10),
            "the redelivered dead letter",
            |r| {
                r.iter()
                    .any(|r| r.json()["id"] == event && r.json()["data"]["name"] == "Dead Co")
            },
        )
        .await;
    assert!(got
        .iter()
        .all(|r| r.json()["data"]["name"] != "While Disabled"));
}

#[tokio::test]
async fn redelivery_and_replay_send_events_again() {
    let app = spawn().await;
    let acme = app.sign_up("hooks-replay").await;
    let receiver = Receiver::start().await;
    let (id, secret) = endpoint(
        &app,
        &acme,
        &receiver.url,
        &["CUSTOMER_CREATED", "CUSTOMER_DELETED"],
    )
    .await;
    for name in ["One", "Two", "Three"] {
        app.create_customer(&acme, json!({ "kind": "COMPANY", "name": name }))
            .await;
    }
    receiver
        .wait_until(Duration::from_secs(10), "three creations", |r| r.len() == 3)
        .await;
    let feed = must(&app, &acme, "{ domainEvents(order: FEED, types: [CUSTOMER_CREATED], first: 10) { edges { cursor node { id payload } } } }", json!({})).await;
    let edges = feed["domainEvents"]["edges"].as_array().unwrap().clone();
    assert_eq!(edges.len(), 3);
    assert_eq!(edges[0]["node"]["payload"]["name"], "One");
    assert_eq!(edges[2]["node"]["payload"]["name"], "Three");
    // One event again: the same webhook-id a second time.
    receiver.clear();
    let first = edges[0]["node"]["id"].clone();
    must(&app, &acme, "mutation($input: RedeliverWebhookEventInput!) { redeliverWebhookEvent(input: $input) { delivery { id } } }",
        json!({ "input": { "endpointId": id, "eventId": first } })).await;
    let again = receiver
        .wait_until(Duration::from_secs(10), "the redelivery", |r| r.len() == 1)
        .await;
    assert_eq!(again[0].header("webhook-id"), first.as_str().unwrap());
    assert!(verifies(&again[0], &secret));
    // Everything after the first event's cursor: the second and third.
    receiver.clear();
    let replayed = must(&app, &acme, "mutation($input: ReplayWebhookEventsInput!) { replayWebhookEvents(input: $input) { queued } }",
        json!({ "input": { "endpointId": id, "after": edges[0]["cursor"] } })).await;
    assert_eq!(replayed["replayWebhookEvents"]["queued"], 2);
    let got = receiver
        .wait_until(Duration::from_secs(10), "the replay from a cursor", |r| {
            r.len() == 2
        })
        .await;
    let names: BTreeSet<String> = got
        .iter()
        .map(|r| r.json()["data"]["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        names,
        BTreeSet::from(["Two".to_owned(), "Three".to_owned()])
    );
    // Everything since a time: all three (and none of an unsubscribed type).
    receiver.clear();
    let replayed = must(&app, &acme, "mutation($input: ReplayWebhookEventsInput!) { replayWebhookEvents(input: $input) { queued } }",
        json!({ "input": { "endpointId": id, "since": "2020-01-01T00:00:00Z" } })).await;
    assert_eq!(replayed["replayWebhookEvents"]["queued"], 3);
    receiver
        .wait_until(Duration::from_secs(10), "the replay from a time", |r| {
            r.len() == 3
        })
        .await;
    let body = app
        .gql_as(&acme, "mutation($input: ReplayWebhookEventsInput!) { replayWebhookEvents(input: $input) { queued } }",
            json!({ "input": { "endpointId": id, "after": "not-a-cursor" } }))
        .await;
    assert_eq!(error_code(&body), Some("VALIDATION"));
    assert_eq!(error_field(&body), Some("after"));
    // The log keeps every attempt: 3 + 1 + 2 + 3.
    let endpoint = log_of(&app, &acme, &id).await;
    assert_eq!(endpoint["deliveryLog"]["totalCount"], 9, "{endpoint}");
}

#[tokio::test]
async fn a_rotated_secret_signs_beside_the_old_one_during_the_overlap() {
    let app = spawn().await;
    let acme = app.sign_up("hooks-rotate").await;
    let receiver = Receiver::start().await;
    let (id, old) = endpoint(&app, &acme, &receiver.url, &["CUSTOMER_CREATED"]).await;
    let rotate = "mutation($input: RotateWebhookSecretInput!) { rotateWebhookSecret(input: $input) { secret endpoint { previousSecretExpiresAt } } }";
    let rotated = must(
        &app,
        &acme,
        rotate,
        json!({ "input": { "id": id, "overlapSeconds": 3600 } }),
    )
    .await;
    let new = rotated["rotateWebhookSecret"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(new, old);
    assert!(rotated["rotateWebhookSecret"]["endpoint"]["previousSecretExpiresAt"].is_string());
    app.create_customer(&acme, json!({ "kind": "COMPANY", "name": "Overlap" }))
        .await;
    let got = receiver
        .wait_until(
            Duration::from_secs(10),
            "a delivery during the overlap",
            |r| r.len() == 1,
        )
        .await;
    let signatures: Vec<&str> = got[0].header("webhook-signature").split(' ').collect();
    assert_eq!(signatures.len(), 2, "{signatures:?}");
    assert!(signatures.iter().all(|s| s.starts_with("v1,")));
    assert!(verifies(&got[0], &old) && verifies(&got[0], &new));
    // Without an overlap, only the newest secret signs.
    receiver.clear();
    let rotated = must(
        &app,
        &acme,
        rotate,
        json!({ "input": { "id": id, "overlapSeconds": 0 } }),
    )
    .await;
    let newest = rotated["rotateWebhookSecret"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    app.create_customer(&acme, json!({ "kind": "COMPANY", "name": "No overlap" }))
        .await;
    let got = receiver
        .wait_until(
            Duration::from_secs(10),
            "a delivery after the overlap",
            |r| r.len() == 1,
        )
        .await;
    assert_eq!(got[0].header("webhook-signature").split(' ').count(), 1);
    assert!(verifies(&got[0], &newest));
    assert!(!verifies(&got[0], &new) && !verifies(&got[0], &old));
    let body = app
        .gql_as(
            &acme,
            rotate,
            json!({ "input": { "id": id, "overlapSeconds": 700000 } }),
        )
        .await;
    assert_eq!(error_field(&body), Some("overlapSeconds"));
    // The secret is never shown again.
    let read = app
        .gql_as(
            &acme,
            "query($id: ID!) { webhookEndpoint(id: $id) { secret } }",
            json!({ "id": id }),
        )
        .await;
    assert!(read["errors"].is_array());
}

#[tokio::test]
async fn the_address_guard_refuses_internal_addresses() {
    // No network allowed, plain HTTP allowed (so a local name reaches the guard).
    let app = TestApp::spawn_with(|c| {
        c.webhooks.allow_http = true;
        c.webhooks.retry_schedule = vec![Duration::from_millis(50)];
        c.webhooks.poll_interval = Duration::from_millis(30);
    })
    .await;
    let acme = app.sign_up("hooks-guard").await;
    for url in [
        "https://127.0.0.1/hook",
        "https://10.0.0.8/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://[fd00::1]/hook",
        "https://100.64.0.1/hook",
        "https://2130706433/hook",
        "https://user:pass@example.com/hook",
        "ftp://example.com/hook",
        "not a url",
    ] {
        let body = app
            .gql_as(
                &acme,
                CREATE,
                json!({ "input": { "url": url, "eventTypes": ["CUSTOMER_CREATED"] } }),
            )
            .await;
        assert_eq!(error_code(&body), Some("VALIDATION"), "{url}: {body}");
        assert_eq!(error_field(&body), Some("url"), "{url}: {body}");
    }
    // A name that resolves to loopback is refused when resolved, before
    // any connection: the receiver hears nothing, the log says why.
    let receiver = Receiver::start().await;
    let url = format!("http://localhost:{}/hook", receiver.port);
    let (id, _) = endpoint(&app, &acme, &url, &["CUSTOMER_CREATED"]).await;
    app.create_customer(&acme, json!({ "kind": "COMPANY", "name": "Guarded" }))
        .await;
    let endpoint = wait_for_log(&app, &acme, &id, "a refused attempt", |e| {
        e["deliveryLog"]["totalCount"].as_i64().unwrap_or(0) >= 1
    })
    .await;
    let attempt = &endpoint["deliveryLog"]["edges"][0]["node"];
    assert!(
        attempt["error"]
            .as_str()
            .unwrap()
            .contains("resolves to no public address"),
        "{attempt}"
    );
    assert!(attempt["statusCode"].is_null());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(receiver.received().is_empty());
    // Plain HTTP is refused unless configured.
    let strict = TestApp::spawn().await;
    let beta = strict.sign_up("hooks-strict").await;
    let body = strict
        .gql_as(&beta, CREATE, json!({ "input": { "url": "http://example.com/hook", "eventTypes": ["CUSTOMER_CREATED"] } }))
        .await;
    assert_eq!(error_field(&body), Some("url"), "{body}");
}

#[tokio::test]
async fn two_server_nodes_never_send_one_attempt_twice() {
    let app = spawn().await;
    let peer = app.spawn_peer().await;
    let acme = app.sign_up("hooks-nodes").await;
    let receiver = Receiver::start().await;
    let (id, secret) = endpoint(&app, &acme, &receiver.url, &["CUSTOMER_CREATED"]).await;
    let total = 240;
    for batch in 0..(total / 12) {
        let calls = (0..12).map(|i| {
            let node = if i % 2 == 0 { &app } else { &peer };
            node.create_customer(
                &acme,
                json!({ "kind": "COMPANY", "name": format!("Node {batch}-{i}") }),
            )
        });
        futures_util::future::join_all(calls).await;
    }
    let received = receiver
        .wait_until(Duration::from_secs(30), "every creation", |r| {
            r.len() >= total
        })
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let received = if receiver.received().len() > received.len() {
        receiver.received()
    } else {
        received
    };
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &received {
        *count.entry(r.header("webhook-id")).or_default() += 1;
    }
    let twice: Vec<_> = count.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "sent more than once: {twice:?}");
    assert_eq!(count.len(), total);
    assert!(received.iter().all(|r| verifies(r, &secret)));
    // Both nodes delivered some (each claims what the other has not).
    let endpoint = log_of(&app, &acme, &id).await;
    assert_eq!(endpoint["deliveryLog"]["totalCount"], total as i64);
}

#[tokio::test]
async fn another_workspace_cannot_see_or_touch_endpoints_or_deliveries() {
    let app = spawn().await;
    let acme = app.sign_up("hooks-acme").await;
    let globex = app.sign_up("hooks-globex").await;
    let acme_receiver = Receiver::start().await;
    let globex_receiver = Receiver::start().await;
    let (id, _) = endpoint(&app, &acme, &acme_receiver.url, &["CUSTOMER_CREATED"]).await;
    endpoint(&app, &globex, &globex_receiver.url, &["CUSTOMER_CREATED"]).await;
    app.create_customer(&acme, json!({ "kind": "COMPANY", "name": "Acme's" }))
        .await;
    app.create_customer(&globex, json!({ "kind": "COMPANY", "name": "Globex's" }))
        .await;
    acme_receiver
        .wait_until(Duration::from_secs(10), "acme's event", |r| r.len() == 1)
        .await;
    globex_receiver
        .wait_until(Duration::from_secs(10), "globex's event", |r| r.len() == 1)
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(acme_receiver.received().len(), 1);
    assert_eq!(
        globex_receiver.received()[0].json()["data"]["name"],
        "Globex's"
    );

    let seen = must(&app, &globex, "query($id: ID!) { webhookEndpoint(id: $id) { id } webhookEndpoints(first: 10) { totalCount edges { node { id } } } }", json!({ "id": id })).await;
    assert!(seen["webhookEndpoint"].is_null(), "{seen}");
    assert_eq!(seen["webhookEndpoints"]["totalCount"], 1);
    assert_ne!(
        seen["webhookEndpoints"]["edges"][0]["node"]["id"],
        json!(id)
    );
    let event =
        log_of(&app, &acme, &id).await["deliveryLog"]["edges"][0]["node"]["eventId"].clone();
    for (query, input) in [
        (UPDATE, json!({ "id": id, "version": 1, "enabled": false })),
        ("mutation($input: RotateWebhookSecretInput!) { rotateWebhookSecret(input: $input) { secret } }", json!({ "id": id })),
        ("mutation($input: DeleteWebhookEndpointInput!) { deleteWebhookEndpoint(input: $input) { deletedId } }", json!({ "id": id })),
        ("mutation($input: RedeliverWebhookEventInput!) { redeliverWebhookEvent(input: $input) { delivery { id } } }", json!({ "endpointId": id, "eventId": event })),
        ("mutation($input: ReplayWebhookEventsInput!) { replayWebhookEvents(input: $input) { queued } }", json!({ "endpointId": id, "since": "2020-01-01T00:00:00Z" })),
    ] {
        let body = app.gql_as(&globex, query, json!({ "input": input })).await;
        assert_eq!(error_code(&body), Some("NOT_FOUND"), "{query}: {body}");
    }
    let still = log_of(&app, &acme, &id).await;
    assert_eq!(still["enabled"], true);
    assert_eq!(still["deliveryLog"]["totalCount"], 1);
    assert_eq!(acme_receiver.received().len(), 1);
    // A member without admin:webhooks is refused, as is a key without it.
    let (manager, _) = app
        .invite_member(&acme, "manager.hooks@example.com", "MANAGER", None)
        .await;
    for query in [
        "{ webhookEndpoints(first: 5) { totalCount } }".to_owned(),
        format!("{{ webhookEndpoint(id: \"{id}\") {{ id }} }}"),
    ] {
        let body = app.gql_with(Some(&manager), &query, json!({})).await;
        assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    }
    let body = app
        .gql_with(
            Some(&manager),
            CREATE,
            json!({ "input": { "url": acme_receiver.url, "eventTypes": ["CUSTOMER_CREATED"] } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
}
