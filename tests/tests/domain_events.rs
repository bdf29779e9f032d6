//! The outbox of domain events: orders created one by one or imported in
//! bulk write their events in the same transaction; a failed write leaves
//! none. Customers an import creates get their "created" field history
//! and `CUSTOMER_CREATED` events. The pull feed reads every event once, in
//! order, from a kept cursor; events past their retention are pruned.

use crm_tests::{error_code, TestApp, TestTenant};
use serde_json::{json, Value};

const EVENTS: &str = "query($f: DomainEventFilter) { domainEvents(first: 50, filter: $f) { totalCount edges { node { kind aggregateType aggregateId payload actor } } } }";

async fn sku(app: &TestApp, tenant: &TestTenant) -> String {
    let body = app
        .gql_as(
            tenant,
            "mutation { createProduct(input: { sku: \"PEN\", name: \"Pen\" }) { product { id } } }",
            json!({}),
        )
        .await;
    body["data"]["createProduct"]["product"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned()
}

fn order_events(body: &Value) -> Vec<Value> {
    body["data"]["domainEvents"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

#[tokio::test]
async fn created_and_imported_orders_write_their_events_in_the_same_transaction() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme-events").await;
    let product = sku(&app, &acme).await;
    let customer = app
        .create_customer(
            &acme,
            json!({ "kind": "COMPANY", "name": "Initech", "externalId": "C-1" }),
        )
        .await;
    let create =
        "mutation($input: CreateOrderInput!) { createOrder(input: $input) { order { id } } }";
    let body = app
        .gql_as(
            &acme,
            create,
            json!({ "input": { "customerId": customer["id"], "currency": "USD",
            "lines": [{ "productId": product, "quantity": "2", "unitPrice": "1.50" }] } }),
        )
        .await;
    let order_id = body["data"]["createOrder"]["order"]["id"].clone();
    assert!(order_id.is_string(), "{body}");
    // A failed order (unknown product) writes no event.
    let body = app
        .gql_as(
            &acme,
            create,
            json!({ "input": { "customerId": customer["id"], "currency": "USD",
            "lines": [{ "productId": customer["id"], "quantity": "1", "unitPrice": "1" }] } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("VALIDATION"), "{body}");

    let events = order_events(
        &app.gql_as(
            &acme,
            EVENTS,
            json!({ "f": { "kindIn": ["ORDER_CREATED"] } }),
        )
        .await,
    );
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["aggregateType"], "ORDER");
    assert_eq!(events[0]["aggregateId"], order_id);
    assert_eq!(events[0]["payload"]["total"], "3");
    assert_eq!(events[0]["actor"], acme.user_id.as_str());

    // An import writes one event per order created, none for duplicates.
    let rows = json!([
        { "externalOrderId": "O-1", "customerExternalId": "C-1", "orderedAt": "2026-01-05", "currency": "USD", "sku": "PEN", "quantity": "1", "unitPrice": "2" },
        { "externalOrderId": "O-1", "customerExternalId": "C-1", "orderedAt": "2026-01-05", "currency": "USD", "sku": "PEN", "quantity": "1", "unitPrice": "3" },
        { "externalOrderId": "O-2", "customerExternalId": "C-NEW", "customerName": "Globex", "orderedAt": "2026-01-06", "currency": "USD", "sku": "PEN", "quantity": "4", "unitPrice": "1" },
    ]);
    let import = "mutation($input: ImportOrdersInput!) { importOrders(input: $input) { ordersCreated customersCreated errors { row message } } }";
    for (round, created) in [(1, 2), (2, 0)] {
        let body = app
            .gql_as(
                &acme,
                import,
                json!({ "input": { "rows": rows, "createMissingCustomers": true } }),
            )
            .await;
        assert_eq!(
            body["data"]["importOrders"]["ordersCreated"], created,
            "round {round}: {body}"
        );
    }
    let events = order_events(
        &app.gql_as(
            &acme,
            EVENTS,
            json!({ "f": { "kindIn": ["ORDER_CREATED"] } }),
        )
        .await,
    );
    let mut totals: Vec<(String, String)> = events
        .iter()
        .filter(|e| e["payload"]["externalId"].is_string())
        .map(|e| {
            (
                e["payload"]["externalId"].as_str().unwrap().to_owned(),
                e["payload"]["total"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    totals.sort();
    assert_eq!(
        totals,
        [
            ("O-1".to_owned(), "5".to_owned()),
            ("O-2".to_owned(), "4".to_owned())
        ]
    );
    assert_eq!(events.len(), 3);

    // The customer the import created has its "created" history.
    let body = app
        .gql_as(
            &acme,
            "{ customers(filter: { externalId: { eq: \"C-NEW\" } }) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let globex = body["data"]["customers"]["edges"][0]["node"]["id"].clone();
    let body = app
        .gql_as(&acme, "query($id: ID!) { customerHistory(customerId: $id) { edges { node { action field newValue } } } }", json!({ "id": globex }))
        .await;
    let fields: Vec<&str> = body["data"]["customerHistory"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .inspect(|e| assert_eq!(e["node"]["action"], "CREATE"))
        .map(|e| e["node"]["field"].as_str().unwrap())
        .collect();
    for field in ["name", "externalId", "lifecycleStage", "kind"] {
        assert!(fields.contains(&field), "{field} missing from {body}");
    }
    // The bulk creation recorded its customer event with the orders'.
    let created = app
        .gql_as(
            &acme,
            EVENTS,
            json!({ "f": { "kindIn": ["CUSTOMER_CREATED"], "aggregateId": globex } }),
        )
        .await;
    assert_eq!(
        created["data"]["domainEvents"]["totalCount"], 1,
        "{created}"
    );
}

const FEED: &str = "query($after: String, $types: [DomainEventKind!]) { domainEvents(order: FEED, first: 2, after: $after, types: $types) { pageInfo { hasNextPage endCursor } edges { cursor node { kind payload payloadVersion } } } }";

/// Reads the whole feed two events at a time from `after`; returns the
/// events and the last cursor.
async fn read_feed(
    app: &TestApp,
    tenant: &TestTenant,
    mut after: Value,
    types: Value,
) -> (Vec<Value>, Value) {
    let mut events = Vec::new();
    loop {
        let body = app
            .gql_as(tenant, FEED, json!({ "after": after, "types": types }))
            .await;
        let page = &body["data"]["domainEvents"];
        let edges = page["edges"].as_array().unwrap_or_else(|| panic!("{body}"));
        events.extend(edges.iter().map(|e| e["node"].clone()));
        if let Some(last) = edges.last() {
            after = last["cursor"].clone();
        }
        if page["pageInfo"]["hasNextPage"] != true {
            return (events, after);
        }
    }
}

#[tokio::test]
async fn the_feed_reads_every_event_once_in_order_from_a_kept_cursor() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme-feed").await;
    for name in ["A", "B", "C", "D", "E"] {
        app.create_customer(&acme, json!({ "kind": "COMPANY", "name": name }))
            .await;
    }
    let (events, cursor) = read_feed(&app, &acme, Value::Null, json!(["CUSTOMER_CREATED"])).await;
    let names: Vec<&str> = events
        .iter()
        .map(|e| e["payload"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["A", "B", "C", "D", "E"]);
    assert!(events.iter().all(|e| e["payloadVersion"] == 1));
    // From the kept cursor, only what came after, of the asked types.
    let first = app
        .create_customer(&acme, json!({ "kind": "COMPANY", "name": "F" }))
        .await;
    app.gql_as(
        &acme,
        "mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { customer { id } } }",
        json!({ "input": { "id": first["id"], "version": 1, "name": "F2" } }),
    )
    .await;
    let (later, _) = read_feed(&app, &acme, cursor.clone(), Value::Null).await;
    let kinds: Vec<&str> = later.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["CUSTOMER_CREATED", "CUSTOMER_UPDATED"]);
    assert_eq!(later[1]["payload"]["changedFields"], json!(["name"]));
    // Another workspace's feed is its own.
    let globex = app.sign_up("globex-feed").await;
    let (theirs, _) = read_feed(&app, &globex, Value::Null, Value::Null).await;
    assert!(theirs.is_empty(), "{theirs:?}");
    let body = app.gql_as(&globex, FEED, json!({ "after": cursor })).await;
    assert_eq!(body["data"]["domainEvents"]["edges"], json!([]), "{body}");
    // The feed reads forwards only.
    let body = app
        .gql_as(
            &acme,
            "{ domainEvents(order: FEED, last: 2) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), Some("VALIDATION"));
    let body = app.gql_as(&acme, FEED, json!({ "after": "garbage" })).await;
    assert_eq!(error_code(&body), Some("VALIDATION"));
}

#[tokio::test]
async fn events_past_their_retention_are_pruned() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme-retention").await;
    let old = app
        .create_customer(&acme, json!({ "kind": "COMPANY", "name": "Old" }))
        .await;
    app.create_customer(&acme, json!({ "kind": "COMPANY", "name": "New" }))
        .await;
    let db = sea_orm::Database::connect(app.db.owner_url.as_str())
        .await
        .unwrap();
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let tx = db.begin().await.unwrap();
    tx.execute(sea_orm::Statement::from_sql_and_values(
        sea_orm::DbBackend::Postgres,
        "SELECT set_config('app.tenant_id', $1, true)",
        [acme.tenant_id.clone().into()],
    ))
    .await
    .unwrap();
    let aged = tx
        .execute(sea_orm::Statement::from_sql_and_values(
            sea_orm::DbBackend::Postgres,
            "UPDATE domain_events SET occurred_at = now() - interval '31 days' WHERE aggregate_id = $1::uuid",
            [old["id"].as_str().unwrap().into()],
        ))
        .await
        .unwrap();
    assert_eq!(aged.rows_affected(), 1);
    tx.commit().await.unwrap();
    // A node prunes when it starts (then hourly).
    let _peer = app.spawn_peer().await;
    let count =
        "{ domainEvents(types: [CUSTOMER_CREATED]) { totalCount edges { node { payload } } } }";
    for _ in 0..100 {
        let body = app.gql_as(&acme, count, json!({})).await;
        if body["data"]["domainEvents"]["totalCount"] == 1 {
            assert_eq!(
                body["data"]["domainEvents"]["edges"][0]["node"]["payload"]["name"],
                "New"
            );
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the old event was not pruned");
}
