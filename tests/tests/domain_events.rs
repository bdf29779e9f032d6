//! The outbox of domain events: orders created one by one or imported in
//! bulk write their events in the same transaction; a failed write leaves
//! none. Customers an import creates get their "created" field history.

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
}
