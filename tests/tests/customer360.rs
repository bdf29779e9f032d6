//! The customer 360 view: served from the cache when current, rebuilt after
//! every write that changes it, never stale, and still served without Redis.

use crm_tests::{TestApp, TestTenant};
use serde_json::{json, Value};

const VIEW: &str = "query($id: ID!) { customer(id: $id) { id version name lifecycleStage
    contacts(first: 10) { edges { node { name } } }
    interactions(first: 10) { edges { node { subject } } } } }";

async fn view(app: &TestApp, tenant: &TestTenant, id: &str) -> Value {
    let body = app.gql_as(tenant, VIEW, json!({ "id": id })).await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["customer"].clone()
}

/// A counter from `/metrics`.
async fn counter(app: &TestApp, name: &str) -> u64 {
    app.metric(name).await
}

async fn statements(app: &TestApp) -> u64 {
    counter(app, "crm_db_statements_total").await
}

/// Responses served again from the kept responses so far.
async fn kept(app: &TestApp) -> u64 {
    counter(app, "crm_graphql_kept_responses_total").await
}

/// Creates a company customer named `name` and returns its id.
async fn company(app: &TestApp, tenant: &TestTenant, name: &str) -> String {
    let customer = app
        .create_customer(tenant, json!({ "kind": "COMPANY", "name": name }))
        .await;
    customer["id"].as_str().unwrap().to_owned()
}

/// Renames the customer (at `version`) and returns its new version.
async fn rename(app: &TestApp, tenant: &TestTenant, id: &str, version: i64, name: &str) -> i64 {
    app.rename_customer(tenant, id, version, name).await
}

fn subjects(view: &Value) -> Vec<String> {
    view["interactions"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["subject"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_read_after_a_write_always_shows_the_write() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let id = company(&app, &acme, "Globex").await;
    let mut version = 1;
    for round in 0..15 {
        // Warm the cache, then change each part of the view and read it back at once.
        view(&app, &acme, &id).await;
        let name = format!("Globex {round}");
        version = rename(&app, &acme, &id, version, &name).await;
        let seen = view(&app, &acme, &id).await;
        assert_eq!(seen["name"], name.as_str());
        assert_eq!(seen["version"], version);

        let contact = format!("Contact {round}");
        app.gql_as(
            &acme,
            "mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id } } }",
            json!({ "input": { "customerId": id, "name": contact } }),
        )
        .await;
        let seen = view(&app, &acme, &id).await;
        let names: Vec<&str> = seen["contacts"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["name"].as_str().unwrap())
            .collect();
        assert!(
            names.contains(&contact.as_str()) || names.len() == 10,
            "{names:?}"
        );

        let subject = format!("Call {round}");
        app.gql_as(
            &acme,
            "mutation($input: LogInteractionInput!) { logInteraction(input: $input) { interaction { id } } }",
            json!({ "input": { "customerId": id, "kind": "CALL", "subject": subject } }),
        )
        .await;
        let seen = view(&app, &acme, &id).await;
        assert_eq!(subjects(&seen)[0], subject);
    }
    let deleted = app
        .gql_as(
            &acme,
            "mutation($id: ID!) { deleteCustomer(id: $id) }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(deleted["data"]["deleteCustomer"], true);
    let gone = app.gql_as(&acme, VIEW, json!({ "id": id })).await;
    assert!(
        gone["data"]["customer"].is_null(),
        "a deleted customer's cached view is gone: {gone}"
    );
}

#[tokio::test]
async fn concurrent_writers_each_read_their_own_write_while_readers_rebuild() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let mut ids = Vec::new();
    for i in 0..4 {
        let customer = app
            .create_customer(&acme, json!({ "kind": "COMPANY", "name": format!("C{i}") }))
            .await;
        ids.push(customer["id"].as_str().unwrap().to_owned());
    }
    let done = std::sync::atomic::AtomicBool::new(false);
    // Readers keep the views warm and keep rebuilding them, racing the writers.
    let readers = (0..4).map(|r| {
        let (app, acme, ids, done) = (&app, &acme, &ids, &done);
        async move {
            let mut reads = 0;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                view(app, acme, &ids[(r + reads) % ids.len()]).await;
                reads += 1;
            }
        }
    });
    let writers = ids.iter().enumerate().map(|(w, id)| {
        let (app, acme) = (&app, &acme);
        async move {
            for round in 0..12 {
                let subject = format!("writer {w} round {round}");
                app.gql_as(
                    acme,
                    "mutation($input: LogInteractionInput!) { logInteraction(input: $input) { interaction { id } } }",
                    json!({ "input": { "customerId": id, "kind": "NOTE", "subject": subject } }),
                )
                .await;
                let seen = view(app, acme, id).await;
                assert_eq!(subjects(&seen)[0], subject, "a read right after a write shows it");
            }
        }
    });
    let writing = async {
        futures_util::future::join_all(writers).await;
        done.store(true, std::sync::atomic::Ordering::Relaxed);
    };
    tokio::join!(writing, futures_util::future::join_all(readers));
}

#[tokio::test]
async fn a_warm_view_is_served_without_touching_postgresql() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let id = company(&app, &acme, "Globex").await;
    view(&app, &acme, &id).await;
    let mut fewest = u64::MAX;
    for _ in 0..3 {
        let before = statements(&app).await;
        view(&app, &acme, &id).await;
        fewest = fewest.min(statements(&app).await - before);
    }
    // No statement at all: the metrics endpoint looks at PostgreSQL at most once a
    // second, so at least two of the three reads count only their own statements.
    assert_eq!(fewest, 0, "a warm 360 view needs no SQL");
}

#[tokio::test]
async fn the_view_is_served_from_postgresql_when_redis_is_down() {
    let app = TestApp::spawn_with(|c| c.redis_url = "redis://127.0.0.1:1/".into()).await;
    let acme = app.sign_up("acme").await;
    let id = company(&app, &acme, "Globex").await;
    app.gql_as(
        &acme,
        "mutation($input: LogInteractionInput!) { logInteraction(input: $input) { interaction { id } } }",
        json!({ "input": { "customerId": id, "kind": "CALL", "subject": "hello" } }),
    )
    .await;
    let seen = view(&app, &acme, &id).await;
    assert_eq!(seen["name"], "Globex");
    assert_eq!(subjects(&seen), ["hello"]);
}

#[tokio::test]
async fn a_view_is_never_served_for_a_version_that_redis_lost() {
    let app = TestApp::spawn().await;
    let peer = app.spawn_peer().await;
    let acme = app.sign_up("acme").await;
    let id = company(&app, &acme, "Globex").await;
    // Both servers build or fetch the view and hold it.
    for server in [&app, &peer, &app, &peer] {
        assert_eq!(view(server, &acme, &id).await["name"], "Globex");
    }
    // Redis loses every key of the deployment (a restart without
    // persistence); then the customer changes, and the change moves the
    // view's version on from nothing.
    let redis = redis::Client::open(app.config.redis_url.as_str()).unwrap();
    let mut conn = redis.get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{}:*", app.config.redis_key_prefix))
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(!keys.is_empty());
    let _: () = redis::cmd("DEL")
        .arg(&keys)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(rename(&app, &acme, &id, 1, "Initech").await, 2);
    // Neither server serves the view it holds: Redis no longer vouches for it.
    for server in [&app, &peer] {
        assert_eq!(view(server, &acme, &id).await["name"], "Initech");
    }
}

#[tokio::test]
async fn another_tenant_never_gets_a_cached_view() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let globex = app.sign_up("globex").await;
    let id = company(&app, &acme, "Secret").await;
    view(&app, &acme, &id).await;
    let body = app.gql_as(&globex, VIEW, json!({ "id": id })).await;
    assert!(body["data"]["customer"].is_null(), "{body}");
}

#[tokio::test]
async fn the_view_shows_new_orders_and_status_changes_and_serves_them_warm() {
    const ORDERS_VIEW: &str = "query($id: ID!) { customer(id: $id) { orderCount lastOrderAt
        orders(first: 5) { edges { node { externalId status total { amount currency } } } } } }";
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let id = company(&app, &acme, "Globex").await;
    let body = app
        .gql_as(
            &acme,
            "mutation($input: CreateProductInput!) { createProduct(input: $input) { product { id } } }",
            json!({ "input": { "sku": "W-1", "name": "Widget" } }),
        )
        .await;
    let product = body["data"]["createProduct"]["product"]["id"].clone();
    assert!(product.is_string(), "{body}");
    let read = || async {
        let body = app.gql_as(&acme, ORDERS_VIEW, json!({ "id": id })).await;
        assert!(body["errors"].is_null(), "{body}");
        body["data"]["customer"].clone()
    };
    // Cached while the customer has no orders.
    assert_eq!(read().await["orders"]["edges"], json!([]));

    let body = app
        .gql_as(
            &acme,
            "mutation($input: CreateOrderInput!) { createOrder(input: $input) { order { id } } }",
            json!({ "input": {
                "customerId": id, "currency": "USD", "externalId": "WEB-1",
                "orderedAt": "2026-01-05T10:00:00Z",
                "lines": [{ "productId": product, "quantity": "2", "unitPrice": "10" }],
            } }),
        )
        .await;
    let order = body["data"]["createOrder"]["order"]["id"].clone();
    assert!(order.is_string(), "{body}");
    let seen = read().await;
    assert_eq!(seen["orderCount"], 1);
    assert_eq!(seen["lastOrderAt"], "2026-01-05T10:00:00+00:00");
    assert_eq!(
        seen["orders"]["edges"],
        json!([{ "node": { "externalId": "WEB-1", "status": "PLACED",
                           "total": { "amount": "20.00", "currency": "USD" } } }])
    );

    // PLACED → PAID changes no rollup, but the view shows the status.
    let body = app
        .gql_as(
            &acme,
            "mutation($input: ChangeOrderStatusInput!) { changeOrderStatus(input: $input) { order { status } } }",
            json!({ "input": { "id": order, "version": 1, "status": "PAID" } }),
        )
        .await;
    assert_eq!(
        body["data"]["changeOrderStatus"]["order"]["status"], "PAID",
        "{body}"
    );
    assert_eq!(read().await["orders"]["edges"][0]["node"]["status"], "PAID");

    // Warm, the orders come from the view too: no SQL.
    let mut fewest = u64::MAX;
    for _ in 0..3 {
        let before = statements(&app).await;
        read().await;
        fewest = fewest.min(statements(&app).await - before);
    }
    assert_eq!(fewest, 0, "a warm 360 view with orders needs no SQL");
}

#[tokio::test]
async fn the_view_holds_open_deals_and_value_and_renews_them_on_deal_moves_and_recomputes() {
    const DEALS_VIEW: &str = "query($id: ID!) { customer(id: $id) { openDealCount
        openDeals(first: 5) { edges { node { name status } } }
        value { tier rfmScore monetaryTotal { amount } } } }";
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme-360-deals").await;
    let customer = app
        .create_customer(
            &acme,
            json!({ "kind": "COMPANY", "name": "Globex", "externalId": "G-1" }),
        )
        .await;
    let id = customer["id"].as_str().unwrap().to_owned();
    let read = || async {
        let body = app.gql_as(&acme, DEALS_VIEW, json!({ "id": id })).await;
        assert!(body["errors"].is_null(), "{body}");
        body["data"]["customer"].clone()
    };
    let body = app
        .gql_as(
            &acme,
            "mutation($input: CreateDealInput!) { createDeal(input: $input) { deal { id version } } }",
            json!({ "input": { "name": "Renewal", "customerId": id, "amount": "900", "currency": "USD" } }),
        )
        .await;
    let deal = body["data"]["createDeal"]["deal"].clone();
    assert!(deal.is_object(), "{body}");
    let seen = read().await;
    assert_eq!(seen["openDealCount"], 1);
    assert_eq!(
        seen["openDeals"]["edges"],
        json!([{ "node": { "name": "Renewal", "status": "OPEN" } }])
    );
    assert!(seen["value"].is_null(), "no run yet: {seen}");

    // Won: no longer open, at once.
    let pipelines = app
        .gql_as(&acme, "{ pipelines { stages { id kind } } }", json!({}))
        .await;
    let won = pipelines["data"]["pipelines"][0]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "WON")
        .unwrap()["id"]
        .clone();
    let body = app
        .gql_as(
            &acme,
            "mutation($input: MoveDealInput!) { moveDeal(input: $input) { deal { status } } }",
            json!({ "input": { "id": deal["id"], "stageId": won, "version": deal["version"] } }),
        )
        .await;
    assert_eq!(body["data"]["moveDeal"]["deal"]["status"], "WON", "{body}");
    let seen = read().await;
    assert_eq!(seen["openDealCount"], 0);
    assert_eq!(seen["openDeals"]["edges"], json!([]), "{seen}");

    // A finished analytics run renews the (warm) view with the customer's value.
    let body = app
        .gql_as(
            &acme,
            "mutation { createProduct(input: { sku: \"W-1\", name: \"Widget\" }) { product { id } } }",
            json!({}),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let body = app
        .gql_as(
            &acme,
            "mutation($input: ImportOrdersInput!) { importOrders(input: $input) { ordersCreated } }",
            json!({ "input": { "rows": [
                { "externalOrderId": "O-1", "customerExternalId": "G-1", "orderedAt": "2026-01-05",
                  "currency": "USD", "sku": "W-1", "quantity": "1", "unitPrice": "250" } ] } }),
        )
        .await;
    assert_eq!(body["data"]["importOrders"]["ordersCreated"], 1, "{body}");
    assert!(read().await["value"].is_null());
    app.recompute_customer_value(&acme).await;
    let seen = read().await;
    assert_eq!(seen["value"]["monetaryTotal"]["amount"], "250.00", "{seen}");
    assert_eq!(seen["value"]["tier"], "A", "{seen}");

    // Warm, deals and value come from the view: no SQL.
    let mut fewest = u64::MAX;
    for _ in 0..3 {
        let before = statements(&app).await;
        read().await;
        fewest = fewest.min(statements(&app).await - before);
    }
    assert_eq!(
        fewest, 0,
        "a warm 360 view with deals and value needs no SQL"
    );
}

#[tokio::test]
async fn a_repeated_view_is_answered_again_until_a_write_changes_it() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let id = company(&app, &acme, "Globex").await;
    view(&app, &acme, &id).await;
    let before = kept(&app).await;
    assert_eq!(view(&app, &acme, &id).await["name"], "Globex");
    assert_eq!(
        kept(&app).await,
        before + 1,
        "the same query again is answered from the kept response"
    );

    assert_eq!(rename(&app, &acme, &id, 1, "Initech").await, 2);
    assert_eq!(view(&app, &acme, &id).await["name"], "Initech");
    assert_eq!(
        kept(&app).await,
        before + 1,
        "the write made the kept response stale"
    );
    assert_eq!(view(&app, &acme, &id).await["name"], "Initech");
    assert_eq!(kept(&app).await, before + 2);

    // Different variables are a different response.
    let other = app
        .create_customer(&acme, json!({ "kind": "PERSON", "name": "Ada" }))
        .await;
    assert_eq!(
        view(&app, &acme, other["id"].as_str().unwrap()).await["name"],
        "Ada"
    );
    assert_eq!(kept(&app).await, before + 2);
}

#[tokio::test]
async fn a_kept_response_is_served_only_to_the_same_live_session() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let globex = app.sign_up("globex").await;
    let id = company(&app, &acme, "Secret").await;
    view(&app, &acme, &id).await;
    view(&app, &acme, &id).await;
    let before = kept(&app).await;

    // Another tenant sending the very same query and variables.
    let body = app.gql_as(&globex, VIEW, json!({ "id": id })).await;
    assert!(body["data"]["customer"].is_null(), "{body}");
    // The same user in another session.
    let again = app.sign_in("acme").await;
    assert_eq!(view(&app, &again, &id).await["name"], "Secret");
    assert_eq!(
        kept(&app).await,
        before,
        "another session's credentials get their own response"
    );

    // A session that ended is refused, kept response or not.
    let signed_out = app.gql_as(&acme, "mutation { signOut }", json!({})).await;
    assert_eq!(signed_out["data"]["signOut"], true, "{signed_out}");
    let refused = app
        .client
        .post(app.graphql_url())
        .bearer_auth(&acme.token)
        .json(&json!({ "query": VIEW, "variables": { "id": id } }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), reqwest::StatusCode::UNAUTHORIZED);
    assert_eq!(kept(&app).await, before);
}

#[tokio::test]
async fn a_query_reaching_beyond_the_view_is_answered_fresh_every_time() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let customer = app
        .create_customer(
            &acme,
            json!({ "kind": "COMPANY", "name": "Globex", "ownerId": acme.user_id }),
        )
        .await;
    let id = customer["id"].as_str().unwrap().to_owned();
    // The owner is read through a loader, not from the view: changing the
    // owner's profile does not touch the customer.
    let query = "query($id: ID!) { customer(id: $id) { name owner { locale } } }";
    let before = kept(&app).await;
    for _ in 0..2 {
        let body = app.gql_as(&acme, query, json!({ "id": id })).await;
        assert_eq!(body["data"]["customer"]["owner"]["locale"], "en", "{body}");
    }
    let changed = app
        .gql_as(
            &acme,
            "mutation { updateMyProfile(input: { locale: \"zh-CN\" }) { locale } }",
            json!({}),
        )
        .await;
    assert_eq!(
        changed["data"]["updateMyProfile"]["locale"], "zh-CN",
        "{changed}"
    );
    let body = app.gql_as(&acme, query, json!({ "id": id })).await;
    assert_eq!(
        body["data"]["customer"]["owner"]["locale"], "zh-CN",
        "{body}"
    );
    assert_eq!(kept(&app).await, before);
}

#[tokio::test]
async fn deleting_a_team_or_removing_an_owner_renews_the_views_that_showed_them() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let team = app
        .gql_as(
            &acme,
            "mutation { createTeam(input: { name: \"North\" }) { id } }",
            json!({}),
        )
        .await["data"]["createTeam"]["id"]
        .clone();
    let (_, agent_id) = app
        .invite_member(&acme, "agent@acme.example", "SERVICE", None)
        .await;
    let customer = app
        .create_customer(
            &acme,
            json!({ "kind": "COMPANY", "name": "Globex", "teamId": team }),
        )
        .await;
    let case = app
        .gql_as(
            &acme,
            "mutation($input: CreateCaseInput!) { createCase(input: $input) { case { id } } }",
            json!({ "input": { "customerId": customer["id"], "subject": "Broken", "kind": "COMPLAINT",
                               "channel": "EMAIL", "ownerId": agent_id } }),
        )
        .await;
    assert!(
        case["data"]["createCase"]["case"]["id"].is_string(),
        "{case}"
    );
    let read = || async {
        let body = app
            .gql_as(
                &acme,
                "query($id: ID!) { customer(id: $id) { name teamId openCases(first: 5) { edges { node { ownerId } } } } }",
                json!({ "id": customer["id"] }),
            )
            .await;
        assert!(body["errors"].is_null(), "{body}");
        body["data"]["customer"].clone()
    };
    let case_owner = |seen: &Value| seen["openCases"]["edges"][0]["node"]["ownerId"].clone();
    // Read twice: the view is cached and the response kept.
    for _ in 0..2 {
        let seen = read().await;
        assert_eq!(seen["teamId"], team);
        assert_eq!(case_owner(&seen), json!(agent_id));
    }
    let body = app
        .gql_as(
            &acme,
            "mutation($id: ID!) { deleteTeam(id: $id) }",
            json!({ "id": team }),
        )
        .await;
    assert_eq!(body["data"]["deleteTeam"], true, "{body}");
    assert_eq!(read().await["teamId"], Value::Null);

    let body = app
        .gql_as(
            &acme,
            "mutation($id: ID!) { removeMember(userId: $id) }",
            json!({ "id": agent_id }),
        )
        .await;
    assert_eq!(body["data"]["removeMember"], true, "{body}");
    assert_eq!(case_owner(&read().await), Value::Null);
}

/// Every field the 360 view feeds, with its lists.
const WHOLE_VIEW: &str = "query($id: ID!) { customer(id: $id) {
    id version kind name email phone emails { value label primary } phones { value label primary }
    website address { streetLines city stateProvince postalCode country } acquisitionSource acquisitionChannel
    teamId industry region externalId lifecycleStage owner { id } tags customFields
    contactCount interactionCount openTaskCount lastInteractionAt orderCount orderTotal { amount currency }
    lastOrderAt openDealCount openDealAmount { amount currency } openCaseCount createdAt updatedAt
    contacts(first: 10) { pageInfo { hasNextPage } edges { cursor node { id name title email phone createdAt } } }
    interactions(first: 10) { pageInfo { hasNextPage } edges { cursor node { id kind subject body occurredAt } } }
    orders(first: 10) { pageInfo { hasNextPage } edges { cursor node { id externalId orderedAt currency status
        total { amount currency } } } }
    openDeals(first: 10) { pageInfo { hasNextPage } edges { cursor node { id name status expectedCloseDate
        amount { amount currency } amountInBaseCurrency { amount currency } } } }
    openCases(first: 10) { pageInfo { hasNextPage } edges { cursor node { id number subject status priority } } }
    value { recency frequency orderCount monetary { amount } monetaryTotal { amount } firstPurchaseAt
        lastPurchaseAt tenureDays recencyScore frequencyScore monetaryScore rfmScore segment tier
        purchaseIntervalDays probabilityAlive expectedPurchases clv { amount } potentialValue { amount }
        churnRisk computedAt runId } } }";

#[tokio::test]
async fn the_whole_view_read_in_one_statement_equals_the_view_a_restricted_member_reads() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme-360-whole").await;
    let (rep_token, rep_id) = app
        .invite_member(&acme, "rep@acme-360-whole.example.com", "SALES", None)
        .await;
    let ok = |body: &Value| assert!(body["errors"].is_null(), "{body}");
    ok(&app
        .gql_as(
            &acme,
            "mutation { updateTenantSettings(input: { customerVisibility: OWN }) { customerVisibility } }",
            json!({}),
        )
        .await);
    let customer = app
        .create_customer(
            &acme,
            json!({ "kind": "COMPANY", "name": "Initech", "externalId": "I-1", "email": "buy@initech.example",
                    "ownerId": rep_id, "tags": ["key", "emea"], "customFields": {},
                    "address": { "streetLines": ["1 Main St"], "city": "Austin", "country": "US" } }),
        )
        .await;
    let id = customer["id"].as_str().unwrap().to_owned();
    // More of every list than the view keeps, so each says it has more.
    for n in 0..12 {
        ok(&app
            .gql_as(
                &acme,
                "mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id } } }",
                json!({ "input": { "customerId": id, "name": format!("Person {n}"), "title": "Buyer",
                                   "email": format!("p{n}@initech.example") } }),
            )
            .await);
        ok(&app
            .gql_as(
                &acme,
                "mutation($input: LogInteractionInput!) { logInteraction(input: $input) { interaction { id } } }",
                json!({ "input": { "customerId": id, "kind": "NOTE", "subject": format!("Note {n}"),
                                   "body": "Spoke about renewal", "occurredAt": format!("2026-02-{:02}T10:00:00Z", n + 1) } }),
            )
            .await);
        ok(&app
            .gql_as(
                &acme,
                "mutation($input: CreateCaseInput!) { createCase(input: $input) { case { id } } }",
                json!({ "input": { "customerId": id, "subject": format!("Case {n}"), "kind": "INQUIRY", "channel": "WEB" } }),
            )
            .await);
    }
    for n in 0..11 {
        ok(&app
            .gql_as(
                &acme,
                "mutation($input: CreateDealInput!) { createDeal(input: $input) { deal { id } } }",
                json!({ "input": { "name": format!("Deal {n}"), "customerId": id, "amount": "1234.5678",
                                   "currency": "USD", "expectedCloseDate": "2026-03-31", "ownerId": rep_id } }),
            )
            .await);
    }
    ok(&app
        .gql_as(
            &acme,
            "mutation { createProduct(input: { sku: \"W-1\", name: \"Widget\" }) { product { id } } }",
            json!({}),
        )
        .await);
    let rows: Vec<Value> = (0..12)
        .map(|n| {
            json!({ "externalOrderId": format!("O-{n}"), "customerExternalId": "I-1",
                    "orderedAt": format!("2026-01-{:02}", n + 1), "currency": "USD", "sku": "W-1",
                    "quantity": "3", "unitPrice": "19.99" })
        })
        .collect();
    let body = app
        .gql_as(
            &acme,
            "mutation($input: ImportOrdersInput!) { importOrders(input: $input) { ordersCreated } }",
            json!({ "input": { "rows": rows } }),
        )
        .await;
    assert_eq!(body["data"]["importOrders"]["ordersCreated"], 12, "{body}");
    app.recompute_customer_value(&acme).await;

    // The owner sees every customer: a cold read of a customer with its
    // contacts and orders is one statement (the fewest of three customers:
    // background workers of the same process count theirs too).
    const FIRST_OPEN: &str =
        "query($id: ID!) { customer(id: $id) { id name email region lifecycleStage
        createdAt contacts(first: 10) { edges { node { id name email phone title } } }
        orders(first: 5) { edges { node { id orderedAt currency status total { amount } } } } } }";
    let mut fewest = u64::MAX;
    for n in 0..3 {
        let cold = company(&app, &acme, &format!("Cold {n}")).await;
        let before = statements(&app).await;
        let first = app.gql_as(&acme, FIRST_OPEN, json!({ "id": cold })).await;
        fewest = fewest.min(statements(&app).await - before);
        ok(&first);
    }
    assert_eq!(fewest, 1, "a cold 360 read is one SQL statement");
    let first = app.gql_as(&acme, FIRST_OPEN, json!({ "id": id })).await;
    ok(&first);
    assert_eq!(
        first["data"]["customer"]["orders"]["edges"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
    let whole = app.gql_as(&acme, WHOLE_VIEW, json!({ "id": id })).await;
    ok(&whole);
    // The rep sees only their own customers: the view is read in a
    // transaction where that restriction applies, and it is the same.
    let restricted = app
        .gql_with(Some(&rep_token), WHOLE_VIEW, json!({ "id": id }))
        .await;
    ok(&restricted);
    assert_eq!(whole, restricted);
    let view = &whole["data"]["customer"];
    assert_eq!(view["contacts"]["edges"].as_array().unwrap().len(), 10);
    assert_eq!(view["contacts"]["pageInfo"]["hasNextPage"], true);
    assert_eq!(
        view["interactions"]["edges"][0]["node"]["subject"],
        "Note 11"
    );
    assert_eq!(view["orders"]["edges"][0]["node"]["externalId"], "O-11");
    assert_eq!(
        view["orders"]["edges"][0]["node"]["total"]["amount"],
        "59.97"
    );
    assert_eq!(
        view["openDeals"]["edges"][0]["node"]["amount"]["amount"],
        "1234.5678"
    );
    assert_eq!(
        view["openDeals"]["edges"][0]["node"]["expectedCloseDate"],
        "2026-03-31"
    );
    assert_eq!(view["openCaseCount"], 12);
    assert_eq!(view["value"]["orderCount"], 12, "{view}");
    // Another workspace reads nothing of it.
    let other = app.sign_up("acme-360-whole-other").await;
    let body = app.gql_as(&other, WHOLE_VIEW, json!({ "id": id })).await;
    assert!(body["data"]["customer"].is_null(), "{body}");
}
