//! Purchase records: products and price lists, orders with exact totals,
//! bulk imports that are idempotent and report bad rows by number, and
//! money reported in the base currency at historical exchange rates.

use crm_tests::{error_code, error_field, TestApp, TestTenant};
use sea_orm::{ConnectionTrait, Statement, TransactionTrait};
use serde_json::{json, Value};

const CREATE_PRODUCT: &str = "mutation($input: CreateProductInput!) { createProduct(input: $input) { product { id version sku name category active unitCost { amount currency } } } }";
const CREATE_ORDER: &str = "mutation($input: CreateOrderInput!) { createOrder(input: $input) { order {
    id version externalId currency channel status orderedAt customer { id name }
    lines { lineNo product { sku } quantity unitPrice { amount currency } discountPercent total { amount currency } }
    total { amount currency } } } }";
const IMPORT: &str = "mutation($input: ImportOrdersInput!) { importOrders(input: $input) {
    ordersCreated ordersSkippedAsDuplicates ordersRejected linesCreated customersCreated
    errors { row field message externalOrderId } } }";

async fn product(app: &TestApp, tenant: &TestTenant, input: Value) -> Value {
    let body = app
        .gql_as(tenant, CREATE_PRODUCT, json!({ "input": input }))
        .await;
    let product = body["data"]["createProduct"]["product"].clone();
    assert!(product.is_object(), "createProduct failed: {body}");
    product
}

async fn price_list(app: &TestApp, tenant: &TestTenant, currency: &str, prices: Value) -> Value {
    let body = app
        .gql_as(
            tenant,
            "mutation($input: CreatePriceListInput!) { createPriceList(input: $input) { priceList { id } } }",
            json!({ "input": { "name": format!("{currency} list"), "currency": currency } }),
        )
        .await;
    let id = body["data"]["createPriceList"]["priceList"]["id"].clone();
    assert!(id.is_string(), "createPriceList failed: {body}");
    let body = app
        .gql_as(
            tenant,
            "mutation($input: SetPricesInput!) { setPrices(input: $input) { priceList { id currency prices(first: 10) { totalCount edges { node { product { sku } unitPrice { amount currency } } } } } } }",
            json!({ "input": { "priceListId": id, "prices": prices } }),
        )
        .await;
    let list = body["data"]["setPrices"]["priceList"].clone();
    assert!(list.is_object(), "setPrices failed: {body}");
    list
}

async fn order(app: &TestApp, tenant: &TestTenant, input: Value) -> Value {
    let body = app
        .gql_as(tenant, CREATE_ORDER, json!({ "input": input }))
        .await;
    let order = body["data"]["createOrder"]["order"].clone();
    assert!(order.is_object(), "createOrder failed: {body}");
    order
}

async fn import(app: &TestApp, tenant: &TestTenant, input: Value) -> Value {
    let body = app.gql_as(tenant, IMPORT, json!({ "input": input })).await;
    let report = body["data"]["importOrders"].clone();
    assert!(report.is_object(), "importOrders failed: {body}");
    report
}

async fn set_rate(
    app: &TestApp,
    tenant: &TestTenant,
    currency: &str,
    rate: &str,
    from: &str,
) -> Value {
    app.gql_as(
        tenant,
        "mutation($input: SetExchangeRateInput!) { setExchangeRate(input: $input) { exchangeRate { currency rate validFrom } } }",
        json!({ "input": { "currency": currency, "rate": rate, "validFrom": from } }),
    )
    .await
}

async fn count_orders(app: &TestApp, tenant: &TestTenant) -> i64 {
    let body = app
        .gql_as(tenant, "{ orders { totalCount } }", json!({}))
        .await;
    body["data"]["orders"]["totalCount"]
        .as_i64()
        .unwrap_or_else(|| panic!("orders failed: {body}"))
}

async fn count_customers(app: &TestApp, tenant: &TestTenant) -> i64 {
    let body = app
        .gql_as(tenant, "{ customers { totalCount } }", json!({}))
        .await;
    body["data"]["customers"]["totalCount"].as_i64().unwrap()
}

#[tokio::test]
async fn order_totals_are_exact_and_missing_prices_come_from_the_price_list() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let widget = product(
        &app,
        &acme,
        json!({ "sku": "W-1", "name": "Widget", "category": "Tools", "unitCost": { "amount": "4.10", "currency": "usd" } }),
    )
    .await;
    assert_eq!(
        widget["unitCost"],
        json!({ "amount": "4.10", "currency": "USD" })
    );
    let gadget = product(&app, &acme, json!({ "sku": "G-1", "name": "Gadget" })).await;
    let list = price_list(
        &app,
        &acme,
        "USD",
        json!([{ "productId": gadget["id"], "unitPrice": "7.5" }]),
    )
    .await;
    assert_eq!(list["prices"]["totalCount"], 1);
    assert_eq!(
        list["prices"]["edges"][0]["node"]["unitPrice"],
        json!({ "amount": "7.50", "currency": "USD" })
    );
    let customer = app
        .create_customer(&acme, json!({ "kind": "COMPANY", "name": "Globex" }))
        .await;

    // 3 × 19.99 = 59.97, less 10 % = 53.973 → 53.97; 2 × 7.50 (list price) = 15.00.
    let placed = order(
        &app,
        &acme,
        json!({
            "customerId": customer["id"], "currency": "USD", "channel": "WEB", "externalId": "WEB-1001",
            "orderedAt": "2026-01-05T10:00:00Z",
            "lines": [
                { "productId": widget["id"], "quantity": "3", "unitPrice": "19.99", "discountPercent": "10" },
                { "productId": gadget["id"], "quantity": "2" },
            ],
        }),
    )
    .await;
    assert_eq!(placed["status"], "PLACED");
    assert_eq!(placed["channel"], "WEB");
    assert_eq!(placed["customer"]["name"], "Globex");
    assert_eq!(
        placed["lines"],
        json!([
            { "lineNo": 1, "product": { "sku": "W-1" }, "quantity": "3", "unitPrice": { "amount": "19.99", "currency": "USD" },
              "discountPercent": "10", "total": { "amount": "53.97", "currency": "USD" } },
            { "lineNo": 2, "product": { "sku": "G-1" }, "quantity": "2", "unitPrice": { "amount": "7.50", "currency": "USD" },
              "discountPercent": "0", "total": { "amount": "15.00", "currency": "USD" } },
        ])
    );
    assert_eq!(
        placed["total"],
        json!({ "amount": "68.97", "currency": "USD" })
    );

    // Read back: the same exact figures, and in the base currency (USD) unchanged.
    let read = app
        .gql_as(
            &acme,
            "query($id: ID!) { order(id: $id) { total { amount } totalInBaseCurrency { amount currency } lines { total { amount } } } }",
            json!({ "id": placed["id"] }),
        )
        .await;
    assert_eq!(read["data"]["order"]["total"]["amount"], "68.97", "{read}");
    assert_eq!(
        read["data"]["order"]["totalInBaseCurrency"],
        json!({ "amount": "68.97", "currency": "USD" })
    );

    // A price list price does not cross currencies: EUR has no list.
    let body = app
        .gql_as(
            &acme,
            CREATE_ORDER,
            json!({ "input": { "customerId": customer["id"], "currency": "EUR",
                               "lines": [{ "productId": gadget["id"], "quantity": "1" }] } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("VALIDATION"));
    assert_eq!(error_field(&body), Some("lines[0].unitPrice"));

    // The external id is unique in the workspace.
    let body = app
        .gql_as(
            &acme,
            CREATE_ORDER,
            json!({ "input": { "customerId": customer["id"], "currency": "USD", "externalId": "WEB-1001",
                               "lines": [{ "productId": gadget["id"], "quantity": "1" }] } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("CONFLICT"));
    assert_eq!(error_field(&body), Some("externalId"));
}

#[tokio::test]
async fn bad_order_input_is_a_validation_error_naming_the_field() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let widget = product(&app, &acme, json!({ "sku": "W-1", "name": "Widget" })).await;
    let retired = product(
        &app,
        &acme,
        json!({ "sku": "OLD", "name": "Old", "active": false }),
    )
    .await;
    let customer = app
        .create_customer(&acme, json!({ "kind": "PERSON", "name": "Ann" }))
        .await;
    let line = |extra: Value| {
        let mut line = json!({ "productId": widget["id"], "quantity": "1", "unitPrice": "5" });
        line.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        line
    };
    let cases = [
        (
            json!({ "lines": [line(json!({ "quantity": "-2" }))] }),
            "lines[0].quantity",
        ),
        (
            json!({ "lines": [line(json!({})), line(json!({ "quantity": "0" }))] }),
            "lines[1].quantity",
        ),
        (
            json!({ "lines": [line(json!({ "unitPrice": "-0.01" }))] }),
            "lines[0].unitPrice",
        ),
        (
            json!({ "lines": [line(json!({ "discountPercent": "150" }))] }),
            "lines[0].discountPercent",
        ),
        (json!({ "currency": "EURO" }), "currency"),
        (
            json!({ "lines": [line(json!({ "productId": "0190f0e0-0000-7000-8000-000000000000" }))] }),
            "lines[0].productId",
        ),
        (
            json!({ "lines": [line(json!({ "productId": retired["id"] }))] }),
            "lines[0].productId",
        ),
        (json!({ "lines": [] }), "lines"),
        (
            json!({ "customerId": "0190f0e0-0000-7000-8000-000000000000" }),
            "customerId",
        ),
    ];
    for (changes, field) in cases {
        let mut input =
            json!({ "customerId": customer["id"], "currency": "USD", "lines": [line(json!({}))] });
        input
            .as_object_mut()
            .unwrap()
            .extend(changes.as_object().unwrap().clone());
        let body = app
            .gql_as(&acme, CREATE_ORDER, json!({ "input": input }))
            .await;
        assert_eq!(error_code(&body), Some("VALIDATION"), "{input}: {body}");
        assert_eq!(error_field(&body), Some(field), "{input}: {body}");
    }
    assert_eq!(count_orders(&app, &acme).await, 0);
}

#[tokio::test]
async fn another_workspace_cannot_use_or_see_products_customers_and_orders() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let globex = app.sign_up("globex").await;
    let acme_product = product(&app, &acme, json!({ "sku": "A-1", "name": "Acme's" })).await;
    let acme_customer = app
        .create_customer(
            &acme,
            json!({ "kind": "COMPANY", "name": "Acme's customer" }),
        )
        .await;
    let acme_order = order(
        &app,
        &acme,
        json!({ "customerId": acme_customer["id"], "currency": "USD",
                "lines": [{ "productId": acme_product["id"], "quantity": "1", "unitPrice": "10" }] }),
    )
    .await;
    let globex_product = product(
        &app,
        &globex,
        json!({ "sku": "A-1", "name": "Same SKU, other workspace" }),
    )
    .await;
    let globex_customer = app
        .create_customer(
            &globex,
            json!({ "kind": "COMPANY", "name": "Globex's customer" }),
        )
        .await;

    let body = app
        .gql_as(
            &globex,
            CREATE_ORDER,
            json!({ "input": { "customerId": acme_customer["id"], "currency": "USD",
                               "lines": [{ "productId": globex_product["id"], "quantity": "1", "unitPrice": "1" }] } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("VALIDATION"), "{body}");
    assert_eq!(error_field(&body), Some("customerId"));
    let body = app
        .gql_as(
            &globex,
            CREATE_ORDER,
            json!({ "input": { "customerId": globex_customer["id"], "currency": "USD",
                               "lines": [{ "productId": acme_product["id"], "quantity": "1", "unitPrice": "1" }] } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("VALIDATION"), "{body}");
    assert_eq!(error_field(&body), Some("lines[0].productId"));

    let read = app
        .gql_as(
            &globex,
            "query($o: ID!, $p: ID!) { order(id: $o) { id } product(id: $p) { id } orders { totalCount } }",
            json!({ "o": acme_order["id"], "p": acme_product["id"] }),
        )
        .await;
    assert!(read["data"]["order"].is_null(), "{read}");
    assert!(read["data"]["product"].is_null());
    assert_eq!(read["data"]["orders"]["totalCount"], 0);
    let body = app
        .gql_as(
            &globex,
            "mutation($input: ChangeOrderStatusInput!) { changeOrderStatus(input: $input) { order { id } } }",
            json!({ "input": { "id": acme_order["id"], "version": 1, "status": "CANCELLED" } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    let body = app
        .gql_as(
            &globex,
            "mutation($input: UpdateProductInput!) { updateProduct(input: $input) { product { id } } }",
            json!({ "input": { "id": acme_product["id"], "version": 1, "name": "pwned" } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    let body = app
        .gql_as(
            &globex,
            "mutation($id: ID!) { deleteProduct(id: $id) }",
            json!({ "id": acme_product["id"] }),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    // Globex's price list cannot price Acme's product.
    let body = app
        .gql_as(
            &globex,
            "mutation { createPriceList(input: { name: \"USD\", currency: \"USD\" }) { priceList { id } } }",
            json!({}),
        )
        .await;
    let list = body["data"]["createPriceList"]["priceList"]["id"].clone();
    let body = app
        .gql_as(
            &globex,
            "mutation($input: SetPricesInput!) { setPrices(input: $input) { priceList { id } } }",
            json!({ "input": { "priceListId": list, "prices": [{ "productId": acme_product["id"], "unitPrice": "1" }] } }),
        )
        .await;
    assert_eq!(error_field(&body), Some("prices[0].productId"), "{body}");
    // An import naming Acme's customer's external id finds nothing in Globex.
    let acme_known = app
        .create_customer(
            &acme,
            json!({ "kind": "COMPANY", "name": "Known", "externalId": "C-1" }),
        )
        .await;
    assert!(acme_known.is_object());
    let report = import(
        &app,
        &globex,
        json!({ "rows": [{ "externalOrderId": "X-1", "customerExternalId": "C-1", "orderedAt": "2026-01-05",
                          "currency": "USD", "sku": "A-1", "quantity": "1", "unitPrice": "1" }] }),
    )
    .await;
    assert_eq!(report["ordersCreated"], 0);
    assert_eq!(report["errors"][0]["field"], "customerExternalId");
    // Acme still sees its order untouched.
    assert_eq!(count_orders(&app, &acme).await, 1);
}

#[tokio::test]
async fn orders_are_filtered_paged_per_customer_and_change_status_forward_only() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let widget = product(&app, &acme, json!({ "sku": "W-1", "name": "Widget" })).await;
    let ann = app
        .create_customer(&acme, json!({ "kind": "PERSON", "name": "Ann" }))
        .await;
    let bob = app
        .create_customer(&acme, json!({ "kind": "PERSON", "name": "Bob" }))
        .await;
    let mut ids = Vec::new();
    for (customer, day, channel) in [
        (&ann, "01", "WEB"),
        (&ann, "02", "RETAIL"),
        (&ann, "03", "WEB"),
        (&bob, "02", "PARTNER"),
    ] {
        let placed = order(
            &app,
            &acme,
            json!({ "customerId": customer["id"], "currency": "USD", "channel": channel,
                    "orderedAt": format!("2026-03-{day}T12:00:00Z"),
                    "lines": [{ "productId": widget["id"], "quantity": "1", "unitPrice": day }] }),
        )
        .await;
        ids.push(placed["id"].as_str().unwrap().to_owned());
    }

    let body = app
        .gql_as(
            &acme,
            "query($c: ID!) { orders(filter: { customerId: { eq: $c }, orderedAt: { gte: \"2026-03-02T00:00:00Z\" } }) { totalCount edges { node { total { amount } } } } }",
            json!({ "c": ann["id"] }),
        )
        .await;
    let totals: Vec<&str> = body["data"]["orders"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|e| e["node"]["total"]["amount"].as_str().unwrap())
        .collect();
    assert_eq!(totals, ["3.00", "2.00"], "newest first");
    let body = app
        .gql_as(
            &acme,
            "{ orders(filter: { channel: { in: [WEB, PARTNER] } }, orderBy: { field: ORDERED_AT, direction: ASC }) { edges { node { channel total { amount } } } } }",
            json!({}),
        )
        .await;
    let seen: Vec<(&str, &str)> = body["data"]["orders"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["node"]["channel"].as_str().unwrap(),
                e["node"]["total"]["amount"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [("WEB", "1.00"), ("PARTNER", "2.00"), ("WEB", "3.00")]
    );

    // Customer.orders: the first page for a whole page of customers, then the next.
    let body = app
        .gql_as(
            &acme,
            "{ customers(orderBy: [{ field: NAME }]) { edges { node { name orders(first: 2) { edges { cursor node { total { amount } } } pageInfo { hasNextPage endCursor } } } } } }",
            json!({}),
        )
        .await;
    let edges = body["data"]["customers"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"));
    let ann_orders = &edges[0]["node"]["orders"];
    assert_eq!(
        ann_orders["edges"].as_array().map(Vec::len),
        Some(2),
        "{body}"
    );
    assert_eq!(ann_orders["pageInfo"]["hasNextPage"], true);
    assert_eq!(
        edges[1]["node"]["orders"]["edges"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let body = app
        .gql_as(
            &acme,
            "query($id: ID!, $after: String) { customer(id: $id) { orders(first: 2, after: $after) { edges { node { total { amount } } } pageInfo { hasNextPage } } } }",
            json!({ "id": ann["id"], "after": ann_orders["pageInfo"]["endCursor"] }),
        )
        .await;
    let rest = &body["data"]["customer"]["orders"];
    assert_eq!(
        rest["edges"][0]["node"]["total"]["amount"], "1.00",
        "{body}"
    );
    assert_eq!(rest["pageInfo"]["hasNextPage"], false);

    // Status: forward only, with the version checked.
    const CHANGE: &str = "mutation($input: ChangeOrderStatusInput!) { changeOrderStatus(input: $input) { order { status version } } }";
    let paid = app
        .gql_as(
            &acme,
            CHANGE,
            json!({ "input": { "id": ids[0], "version": 1, "status": "PAID" } }),
        )
        .await;
    assert_eq!(
        paid["data"]["changeOrderStatus"]["order"],
        json!({ "status": "PAID", "version": 2 })
    );
    let stale = app
        .gql_as(
            &acme,
            CHANGE,
            json!({ "input": { "id": ids[0], "version": 1, "status": "SHIPPED" } }),
        )
        .await;
    assert_eq!(error_code(&stale), Some("CONFLICT"));
    let backwards = app
        .gql_as(
            &acme,
            CHANGE,
            json!({ "input": { "id": ids[0], "version": 2, "status": "PLACED" } }),
        )
        .await;
    assert_eq!(error_code(&backwards), Some("VALIDATION"));
    assert_eq!(error_field(&backwards), Some("status"));
    let body = app
        .gql_as(
            &acme,
            "{ orders(filter: { status: { eq: PAID } }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["orders"]["totalCount"], 1);
}

fn import_rows() -> Value {
    json!([
        { "externalOrderId": "PO-1", "customerExternalId": "C-OLD", "orderedAt": "2026-01-05T09:30:00Z",
          "currency": "EUR", "sku": "W-1", "quantity": "3", "unitPrice": "19.99", "discountPercent": "10", "channel": "partner" },
        { "externalOrderId": "PO-1", "customerExternalId": "C-OLD", "orderedAt": "2026-01-05T09:30:00Z",
          "currency": "EUR", "sku": "G-1", "quantity": "1", "unitPrice": "5", "channel": "PARTNER" },
        { "externalOrderId": "PO-2", "customerExternalId": "C-NEW", "customerName": "Newcomer Ltd",
          "orderedAt": "2026-01-06", "currency": "EUR", "sku": "G-1", "quantity": "2" },
        { "externalOrderId": "PO-3", "customerExternalId": "C-NEW", "orderedAt": "2026-01-07",
          "currency": "EUR", "sku": "W-1", "quantity": "1", "unitPrice": "20", "status": "PAID" },
    ])
}

async fn import_fixture(app: &TestApp, tenant: &TestTenant) {
    product(app, tenant, json!({ "sku": "W-1", "name": "Widget" })).await;
    let gadget = product(app, tenant, json!({ "sku": "G-1", "name": "Gadget" })).await;
    price_list(
        app,
        tenant,
        "EUR",
        json!([{ "productId": gadget["id"], "unitPrice": "4.25" }]),
    )
    .await;
    app.create_customer(
        tenant,
        json!({ "kind": "COMPANY", "name": "Old Customer", "externalId": "C-OLD" }),
    )
    .await;
}

#[tokio::test]
async fn importing_the_same_rows_twice_creates_nothing_twice() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    import_fixture(&app, &acme).await;
    let input = json!({ "rows": import_rows(), "createMissingCustomers": true, "newCustomerKind": "COMPANY" });

    let first = import(&app, &acme, input.clone()).await;
    assert_eq!(
        first,
        json!({ "ordersCreated": 3, "ordersSkippedAsDuplicates": 0, "ordersRejected": 0, "linesCreated": 4,
                "customersCreated": 1, "errors": [] })
    );
    let again = import(&app, &acme, input).await;
    assert_eq!(
        again,
        json!({ "ordersCreated": 0, "ordersSkippedAsDuplicates": 3, "ordersRejected": 0, "linesCreated": 0,
                "customersCreated": 0, "errors": [] })
    );
    assert_eq!(count_orders(&app, &acme).await, 3);
    assert_eq!(count_customers(&app, &acme).await, 2);

    // The imported orders carry exact totals, list prices and the created customer.
    let body = app
        .gql_as(
            &acme,
            "{ orders(orderBy: { field: ORDERED_AT, direction: ASC }) { edges { node {
                externalId channel status total { amount currency } customer { name externalId lifecycleStage }
                lines { lineNo unitPrice { amount } total { amount } } } } } }",
            json!({}),
        )
        .await;
    let orders = body["data"]["orders"]["edges"].as_array().unwrap();
    let po1 = &orders[0]["node"];
    assert_eq!(po1["externalId"], "PO-1");
    assert_eq!(po1["channel"], "PARTNER");
    assert_eq!(
        po1["total"],
        json!({ "amount": "58.97", "currency": "EUR" })
    );
    assert_eq!(po1["lines"][0]["total"]["amount"], "53.97");
    let po2 = &orders[1]["node"];
    assert_eq!(
        po2["lines"][0]["unitPrice"]["amount"], "4.25",
        "from the EUR list"
    );
    assert_eq!(po2["total"]["amount"], "8.50");
    assert_eq!(
        po2["customer"],
        json!({ "name": "Newcomer Ltd", "externalId": "C-NEW", "lifecycleStage": "CUSTOMER" })
    );
    assert_eq!(orders[2]["node"]["status"], "PAID");
}

#[tokio::test]
async fn a_malformed_row_is_reported_by_number_and_poisons_only_its_order_unless_all_or_nothing() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    import_fixture(&app, &acme).await;
    let mut rows = import_rows().as_array().unwrap().clone();
    rows.push(
        json!({ "externalOrderId": "PO-4", "customerExternalId": "C-OLD", "orderedAt": "2026-01-08",
                      "currency": "EUR", "sku": "W-1", "quantity": "two", "unitPrice": "1" }),
    );
    rows.push(
        json!({ "externalOrderId": "PO-5", "customerExternalId": "C-OLD", "orderedAt": "not a date",
                      "currency": "EUR", "sku": "NOPE", "quantity": "1", "unitPrice": "1" }),
    );
    rows.push(
        json!({ "externalOrderId": "PO-6", "customerExternalId": "C-OLD", "orderedAt": "2026-01-09",
                      "currency": "EUR", "sku": "NOPE", "quantity": "1", "unitPrice": "1" }),
    );
    rows.push(json!({ "externalOrderId": "PO-7", "customerExternalId": "C-GONE", "orderedAt": "2026-01-09",
                      "currency": "EUR", "sku": "W-1", "quantity": "1", "unitPrice": "1" }));
    // A second line of PO-1 that disagrees on the currency.
    rows.insert(
        2,
        json!({ "externalOrderId": "PO-1", "customerExternalId": "C-OLD", "orderedAt": "2026-01-05T09:30:00Z",
                "currency": "USD", "sku": "G-1", "quantity": "1", "unitPrice": "5", "channel": "PARTNER" }),
    );
    let expected_errors = json!([
        { "row": 3, "field": "currency", "message": "differs from row 1 of the same order", "externalOrderId": "PO-1" },
        { "row": 6, "field": "quantity", "externalOrderId": "PO-4" },
        { "row": 7, "field": "orderedAt", "externalOrderId": "PO-5" },
        { "row": 8, "field": "sku", "externalOrderId": "PO-6" },
        { "row": 9, "field": "customerName", "externalOrderId": "PO-7" },
    ]);
    let check_errors = |report: &Value| {
        let errors = report["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 5, "{report}");
        for (error, expected) in errors.iter().zip(expected_errors.as_array().unwrap()) {
            for (key, value) in expected.as_object().unwrap() {
                assert_eq!(&error[key], value, "{error}");
            }
            assert!(!error["message"].as_str().unwrap().is_empty());
        }
    };

    // All or nothing (the default): nothing is written, every problem is reported.
    let report = import(
        &app,
        &acme,
        json!({ "rows": rows, "createMissingCustomers": true }),
    )
    .await;
    check_errors(&report);
    assert_eq!(report["ordersCreated"], 0);
    assert_eq!(report["customersCreated"], 0);
    assert_eq!(report["ordersRejected"], 7);
    assert_eq!(count_orders(&app, &acme).await, 0);
    assert_eq!(count_customers(&app, &acme).await, 1);

    // Skip invalid: the good orders (PO-2 and PO-3 once C-NEW may be created) go in.
    let report = import(
        &app,
        &acme,
        json!({ "rows": rows, "createMissingCustomers": true, "mode": "SKIP_INVALID" }),
    )
    .await;
    // The same problems (C-GONE has no customerName, so it cannot be created).
    check_errors(&report);
    assert_eq!(report["ordersCreated"], 2, "{report}");
    assert_eq!(report["customersCreated"], 1);
    assert_eq!(report["ordersRejected"], 5);
    assert_eq!(report["linesCreated"], 2);
    assert_eq!(count_orders(&app, &acme).await, 2);

    // The fixed rows of the rejected orders go in on the next run; the rest are duplicates.
    let fixed = json!([
        { "externalOrderId": "PO-1", "customerExternalId": "C-OLD", "orderedAt": "2026-01-05T09:30:00Z",
          "currency": "EUR", "sku": "W-1", "quantity": "3", "unitPrice": "19.99", "discountPercent": "10" },
        { "externalOrderId": "PO-2", "customerExternalId": "C-NEW", "orderedAt": "2026-01-06",
          "currency": "EUR", "sku": "G-1", "quantity": "2" },
        { "externalOrderId": "PO-4", "customerExternalId": "C-OLD", "orderedAt": "2026-01-08",
          "currency": "EUR", "sku": "W-1", "quantity": "2", "unitPrice": "1" },
    ]);
    let report = import(
        &app,
        &acme,
        json!({ "rows": fixed, "mode": "SKIP_INVALID" }),
    )
    .await;
    assert_eq!(report["ordersCreated"], 2, "{report}");
    assert_eq!(report["ordersSkippedAsDuplicates"], 1);
    assert_eq!(report["errors"], json!([]));
    assert_eq!(count_orders(&app, &acme).await, 4);
}

#[tokio::test]
async fn money_converts_to_the_base_currency_at_the_rate_in_force_on_the_date() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await; // base currency USD
    let widget = product(&app, &acme, json!({ "sku": "W-1", "name": "Widget" })).await;
    let customer = app
        .create_customer(&acme, json!({ "kind": "COMPANY", "name": "Globex" }))
        .await;
    for (currency, rate, from) in [
        ("EUR", "1.10", "2026-01-01"),
        ("EUR", "1.2", "2026-02-01"),
        ("JPY", "0.0067", "2026-01-01"),
    ] {
        let body = set_rate(&app, &acme, currency, rate, from).await;
        assert!(body["data"]["setExchangeRate"].is_object(), "{body}");
    }
    // Setting the same day again replaces the rate.
    let body = set_rate(&app, &acme, "EUR", "1.1", "2026-01-01").await;
    assert_eq!(
        body["data"]["setExchangeRate"]["exchangeRate"],
        json!({ "currency": "EUR", "rate": "1.1", "validFrom": "2026-01-01" })
    );

    let mut totals = Vec::new();
    for (currency, at, price) in [
        ("EUR", "2026-01-31T23:59:59Z", "53.97"),
        ("EUR", "2026-02-01T00:00:00Z", "53.97"),
        ("JPY", "2026-01-15T08:00:00Z", "1499"),
        ("EUR", "2025-12-31T12:00:00Z", "10"),
    ] {
        let placed = order(
            &app,
            &acme,
            json!({ "customerId": customer["id"], "currency": currency, "orderedAt": at,
                    "lines": [{ "productId": widget["id"], "quantity": "1", "unitPrice": price }] }),
        )
        .await;
        let body = app
            .gql_as(
                &acme,
                "query($id: ID!) { order(id: $id) { total { amount currency } totalInBaseCurrency { amount currency } } }",
                json!({ "id": placed["id"] }),
            )
            .await;
        totals.push(body);
    }
    // 53.97 × 1.1 = 59.367 → 59.37; × 1.2 = 64.764 → 64.76; 1499 JPY × 0.0067 = 10.0433 → 10.04.
    assert_eq!(
        totals[0]["data"]["order"]["totalInBaseCurrency"],
        json!({ "amount": "59.37", "currency": "USD" }),
        "{}",
        totals[0]
    );
    assert_eq!(
        totals[1]["data"]["order"]["totalInBaseCurrency"]["amount"],
        "64.76"
    );
    assert_eq!(totals[2]["data"]["order"]["total"]["amount"], "1499");
    assert_eq!(
        totals[2]["data"]["order"]["totalInBaseCurrency"]["amount"],
        "10.04"
    );
    // Before the first EUR rate: a clear error on that field, the order itself still reads.
    let early = &totals[3];
    assert_eq!(early["data"]["order"]["total"]["amount"], "10.00");
    assert!(early["data"]["order"]["totalInBaseCurrency"].is_null());
    assert_eq!(error_code(early), Some("VALIDATION"));
    let message = early["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("EUR") && message.contains("2025-12-31"),
        "{message}"
    );

    let body = app
        .gql_as(
            &acme,
            "{ a: convertToBaseCurrency(money: { amount: \"100\", currency: \"EUR\" }, on: \"2026-01-15\") { amount currency }
               b: convertToBaseCurrency(money: { amount: \"100\", currency: \"EUR\" }, on: \"2026-06-30\") { amount }
               rates: exchangeRates(filter: { currency: { eq: \"EUR\" } }) { totalCount edges { node { rate validFrom } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["a"],
        json!({ "amount": "110.00", "currency": "USD" }),
        "{body}"
    );
    assert_eq!(body["data"]["b"]["amount"], "120.00");
    assert_eq!(body["data"]["rates"]["totalCount"], 2);
    assert_eq!(
        body["data"]["rates"]["edges"][0]["node"],
        json!({ "rate": "1.2", "validFrom": "2026-02-01" })
    );

    // The base currency has no rate; rates are positive.
    let body = set_rate(&app, &acme, "USD", "1", "2026-01-01").await;
    assert_eq!(error_field(&body), Some("currency"));
    let body = set_rate(&app, &acme, "EUR", "0", "2026-01-01").await;
    assert_eq!(error_field(&body), Some("rate"));
}

#[tokio::test]
async fn products_are_listed_filtered_paged_and_kept_while_ordered() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    for (sku, name, category) in [
        ("T-100", "Hammer", "Tools"),
        ("T-200", "saw", "Tools"),
        ("G-100", "Garden hose", "Garden"),
        ("T-300", "Drill", "Tools"),
    ] {
        product(
            &app,
            &acme,
            json!({ "sku": sku, "name": name, "category": category }),
        )
        .await;
    }
    let body = app
        .gql_as(
            &acme,
            CREATE_PRODUCT,
            json!({ "input": { "sku": "T-100", "name": "Again" } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("CONFLICT"));
    assert_eq!(error_field(&body), Some("sku"));

    const LIST: &str = "query($f: ProductFilter, $after: String) { products(first: 2, after: $after, filter: $f) { totalCount edges { node { sku } } pageInfo { hasNextPage endCursor } } }";
    let first = app
        .gql_as(
            &acme,
            LIST,
            json!({ "f": { "category": { "eq": "Tools" } } }),
        )
        .await;
    let page = &first["data"]["products"];
    assert_eq!(page["totalCount"], 3, "{first}");
    assert_eq!(page["edges"][0]["node"]["sku"], "T-100");
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    let second = app
        .gql_as(
            &acme,
            LIST,
            json!({ "f": { "category": { "eq": "Tools" } }, "after": page["pageInfo"]["endCursor"] }),
        )
        .await;
    assert_eq!(
        second["data"]["products"]["edges"],
        json!([{ "node": { "sku": "T-300" } }])
    );
    let by_name = app
        .gql_as(
            &acme,
            "{ products(filter: { name: { contains: \"SAW\" } }, orderBy: [{ field: NAME }]) { edges { node { sku } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        by_name["data"]["products"]["edges"][0]["node"]["sku"],
        "T-200"
    );
    let by_sku = app
        .gql_as(
            &acme,
            LIST,
            json!({ "f": { "sku": { "startsWith": "G-" } } }),
        )
        .await;
    assert_eq!(by_sku["data"]["products"]["totalCount"], 1);

    // A product on an order is kept; deactivating it is the way to retire it.
    let hammer = app
        .gql_as(
            &acme,
            "{ products(filter: { sku: { eq: \"T-100\" } }) { edges { node { id version } } } }",
            json!({}),
        )
        .await["data"]["products"]["edges"][0]["node"]
        .clone();
    let customer = app
        .create_customer(&acme, json!({ "kind": "PERSON", "name": "Ann" }))
        .await;
    order(
        &app,
        &acme,
        json!({ "customerId": customer["id"], "currency": "USD",
                "lines": [{ "productId": hammer["id"], "quantity": "1", "unitPrice": "12" }] }),
    )
    .await;
    let body = app
        .gql_as(
            &acme,
            "mutation($id: ID!) { deleteProduct(id: $id) }",
            json!({ "id": hammer["id"] }),
        )
        .await;
    assert_eq!(error_code(&body), Some("CONFLICT"), "{body}");
    let body = app
        .gql_as(
            &acme,
            "mutation($input: UpdateProductInput!) { updateProduct(input: $input) { product { active version category unitCost { amount } } } }",
            json!({ "input": { "id": hammer["id"], "version": hammer["version"], "active": false, "category": null,
                               "unitCost": { "amount": "3.5", "currency": "USD" } } }),
        )
        .await;
    assert_eq!(
        body["data"]["updateProduct"]["product"],
        json!({ "active": false, "version": 2, "category": null, "unitCost": { "amount": "3.50" } })
    );
    let drill = app
        .gql_as(
            &acme,
            "{ products(filter: { sku: { eq: \"T-300\" } }) { edges { node { id } } } }",
            json!({}),
        )
        .await["data"]["products"]["edges"][0]["node"]["id"]
        .clone();
    let body = app
        .gql_as(
            &acme,
            "mutation($id: ID!) { deleteProduct(id: $id) }",
            json!({ "id": drill }),
        )
        .await;
    assert_eq!(body["data"]["deleteProduct"], true, "{body}");

    // One price list per currency; a product shows its prices.
    price_list(
        &app,
        &acme,
        "EUR",
        json!([{ "productId": hammer["id"], "unitPrice": "11" }]),
    )
    .await;
    let body = app
        .gql_as(
            &acme,
            "mutation { createPriceList(input: { name: \"Again\", currency: \"EUR\" }) { priceList { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), Some("CONFLICT"));
    assert_eq!(error_field(&body), Some("currency"));
    let body = app
        .gql_as(
            &acme,
            "query($id: ID!) { product(id: $id) { prices { unitPrice { amount currency } } } }",
            json!({ "id": hammer["id"] }),
        )
        .await;
    assert_eq!(
        body["data"]["product"]["prices"],
        json!([{ "unitPrice": { "amount": "11.00", "currency": "EUR" } }])
    );
}

#[tokio::test]
async fn an_api_key_scoped_to_reading_orders_cannot_write_them() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let body = app
        .gql_as(
            &acme,
            "mutation { createApiKey(input: { name: \"BI\", scopes: [\"orders:read\"] }) { secret } }",
            json!({}),
        )
        .await;
    let secret = body["data"]["createApiKey"]["secret"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned();
    let read = app
        .gql_with(
            Some(&secret),
            "{ orders { totalCount } products { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(read["data"]["orders"]["totalCount"], 0, "{read}");
    let write = app
        .gql_with(Some(&secret), IMPORT, json!({ "input": { "rows": [] } }))
        .await;
    assert_eq!(error_code(&write), Some("FORBIDDEN"));
    assert_eq!(
        write["errors"][0]["extensions"]["permission"],
        "orders:write"
    );
}

#[tokio::test]
async fn an_import_larger_than_the_body_limit_is_refused_with_the_limit_named() {
    let app = TestApp::spawn_with(|c| c.graphql.max_body_bytes = 20_000).await;
    let acme = app.sign_up("acme").await;
    let rows: Vec<Value> = (0..200)
        .map(|i| json!({ "externalOrderId": format!("PO-{i}"), "customerExternalId": "C-1", "orderedAt": "2026-01-05",
                          "currency": "EUR", "sku": "W-1", "quantity": "1", "unitPrice": "1" }))
        .collect();
    let response = app
        .client
        .post(app.graphql_url())
        .bearer_auth(&acme.token)
        .json(&json!({ "query": IMPORT, "variables": { "input": { "rows": rows } } }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 413);
    let body: Value = response.json().await.unwrap();
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("20000 bytes"), "{message}");
    assert!(message.contains("importOrders"), "{message}");
}

#[tokio::test]
async fn row_level_security_confines_every_sales_table_to_the_tenant_set() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let globex = app.sign_up("globex").await;
    for tenant in [&acme, &globex] {
        import_fixture(&app, tenant).await;
        let report = import(
            &app,
            tenant,
            json!({ "rows": import_rows(), "createMissingCustomers": true }),
        )
        .await;
        assert_eq!(report["ordersCreated"], 3, "{report}");
        let body = set_rate(&app, tenant, "EUR", "1.1", "2026-01-01").await;
        assert!(body["data"]["setExchangeRate"].is_object(), "{body}");
    }

    let db = app.db.connect_as_app().await;
    let tx = db.begin().await.unwrap();
    tx.execute(Statement::from_string(
        tx.get_database_backend(),
        format!(
            "SELECT set_config('app.tenant_id', '{}', true)",
            acme.tenant_id
        ),
    ))
    .await
    .unwrap();
    let count = |sql: String| {
        let tx = &tx;
        async move {
            tx.query_one(Statement::from_string(
                tx.get_database_backend(),
                sql.clone(),
            ))
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .unwrap()
            .try_get_by_index::<i64>(0)
            .unwrap()
        }
    };
    for table in [
        "products",
        "price_lists",
        "price_list_prices",
        "orders",
        "order_lines",
        "exchange_rates",
    ] {
        // Forced row-level security, and a query that forgets the tenant sees only Acme's rows.
        let forced = count(format!(
            "SELECT count(*) FROM pg_class WHERE relname = '{table}' AND relrowsecurity AND relforcerowsecurity"
        ))
        .await;
        assert_eq!(forced, 1, "{table} must force row-level security");
        let own = count(format!("SELECT count(*) FROM {table}")).await;
        let others = count(format!(
            "SELECT count(*) FROM {table} WHERE tenant_id <> '{}'",
            acme.tenant_id
        ))
        .await;
        assert!(own > 0, "{table} holds Acme's rows");
        assert_eq!(others, 0, "{table} shows another tenant's rows");
    }
    tx.rollback().await.unwrap();
}

async fn rollups(app: &TestApp, tenant: &TestTenant, id: &Value) -> Value {
    let body = app
        .gql_as(
            tenant,
            "query($id: ID!) { customer(id: $id) { orderCount orderTotal { amount currency } lastOrderAt } }",
            json!({ "id": id }),
        )
        .await;
    let customer = body["data"]["customer"].clone();
    assert!(customer.is_object(), "customer failed: {body}");
    customer
}

#[tokio::test]
async fn customer_order_rollups_follow_orders_statuses_rates_imports_and_merges() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await; // base currency USD
    let widget = product(&app, &acme, json!({ "sku": "W-1", "name": "Widget" })).await;
    let a = app
        .create_customer(
            &acme,
            json!({ "kind": "COMPANY", "name": "Alpha", "externalId": "C-A" }),
        )
        .await;
    let b = app
        .create_customer(&acme, json!({ "kind": "COMPANY", "name": "Beta" }))
        .await;
    let line =
        |price: &str| json!([{ "productId": widget["id"], "quantity": "1", "unitPrice": price }]);

    assert_eq!(
        rollups(&app, &acme, &a["id"]).await,
        json!({ "orderCount": 0, "orderTotal": { "amount": "0.00", "currency": "USD" }, "lastOrderAt": null })
    );
    let big = order(
        &app,
        &acme,
        json!({ "customerId": a["id"], "currency": "USD", "orderedAt": "2026-03-01T10:00:00Z", "lines": line("100") }),
    )
    .await;
    // No EUR rate yet: the order counts but adds nothing to the total.
    order(
        &app,
        &acme,
        json!({ "customerId": a["id"], "currency": "EUR", "orderedAt": "2026-03-02T10:00:00Z", "lines": line("50") }),
    )
    .await;
    assert_eq!(
        rollups(&app, &acme, &a["id"]).await,
        json!({ "orderCount": 2, "orderTotal": { "amount": "100.00", "currency": "USD" },
                "lastOrderAt": "2026-03-02T10:00:00+00:00" })
    );
    // A rate in force from before the order brings it in: 50 × 1.1 = 55.
    let body = set_rate(&app, &acme, "EUR", "1.1", "2026-01-01").await;
    assert!(body["data"]["setExchangeRate"].is_object(), "{body}");
    assert_eq!(
        rollups(&app, &acme, &a["id"]).await["orderTotal"]["amount"],
        "155.00"
    );

    // Imported orders count; a cancelled one does not.
    let report = import(
        &app,
        &acme,
        json!({ "rows": [
            { "externalOrderId": "O-1", "customerExternalId": "C-A", "orderedAt": "2026-04-01", "currency": "USD",
              "sku": "W-1", "quantity": "2", "unitPrice": "5" },
            { "externalOrderId": "O-2", "customerExternalId": "C-A", "orderedAt": "2026-05-01", "currency": "USD",
              "sku": "W-1", "quantity": "1", "unitPrice": "1000", "status": "CANCELLED" } ] }),
    )
    .await;
    assert_eq!(report["ordersCreated"], 2, "{report}");
    assert_eq!(
        rollups(&app, &acme, &a["id"]).await,
        json!({ "orderCount": 3, "orderTotal": { "amount": "165.00", "currency": "USD" },
                "lastOrderAt": "2026-04-01T00:00:00+00:00" })
    );

    // Cancelling an order takes it out.
    let body = app
        .gql_as(
            &acme,
            "mutation($input: ChangeOrderStatusInput!) { changeOrderStatus(input: $input) { order { status } } }",
            json!({ "input": { "id": big["id"], "version": big["version"], "status": "CANCELLED" } }),
        )
        .await;
    assert_eq!(
        body["data"]["changeOrderStatus"]["order"]["status"], "CANCELLED",
        "{body}"
    );
    assert_eq!(
        rollups(&app, &acme, &a["id"]).await["orderTotal"]["amount"],
        "65.00"
    );

    // Filter and sort by the rollups.
    order(
        &app,
        &acme,
        json!({ "customerId": b["id"], "currency": "USD", "orderedAt": "2026-06-01T00:00:00Z", "lines": line("5") }),
    )
    .await;
    let body = app
        .gql_as(
            &acme,
            "{ big: customers(filter: { orderTotal: { gt: \"60\" } }) { edges { node { name } } }
               none: customers(filter: { orderCount: { eq: 0 } }) { totalCount }
               sorted: customers(orderBy: [{ field: ORDER_TOTAL, direction: DESC }]) { edges { node { name orderTotal { amount } } } }
               recent: customers(orderBy: [{ field: LAST_ORDER_AT, direction: DESC }], first: 1) { edges { node { name } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["big"]["edges"],
        json!([{ "node": { "name": "Alpha" } }]),
        "{body}"
    );
    assert_eq!(body["data"]["none"]["totalCount"], 0);
    assert_eq!(
        body["data"]["sorted"]["edges"],
        json!([{ "node": { "name": "Alpha", "orderTotal": { "amount": "65.00" } } },
               { "node": { "name": "Beta", "orderTotal": { "amount": "5.00" } } }])
    );
    assert_eq!(body["data"]["recent"]["edges"][0]["node"]["name"], "Beta");
    // Pages by amount continue after the cursor's amount.
    let page = "query($after: String) { customers(first: 1, after: $after, orderBy: [{ field: ORDER_TOTAL, direction: ASC }]) {
        edges { node { name } } pageInfo { endCursor hasNextPage } } }";
    let first = app.gql_as(&acme, page, json!({})).await;
    assert_eq!(
        first["data"]["customers"]["edges"][0]["node"]["name"], "Beta",
        "{first}"
    );
    let second = app
        .gql_as(
            &acme,
            page,
            json!({ "after": first["data"]["customers"]["pageInfo"]["endCursor"] }),
        )
        .await;
    assert_eq!(
        second["data"]["customers"]["edges"][0]["node"]["name"], "Alpha",
        "{second}"
    );
    assert_eq!(
        second["data"]["customers"]["pageInfo"]["hasNextPage"],
        false
    );

    // Merging moves the orders and their rollups to the survivor.
    let body = app
        .gql_as(
            &acme,
            "mutation($input: MergeCustomersInput!) { mergeCustomers(input: $input) { customer { orderCount orderTotal { amount } lastOrderAt } } }",
            json!({ "input": { "survivorId": a["id"], "mergedId": b["id"] } }),
        )
        .await;
    assert_eq!(
        body["data"]["mergeCustomers"]["customer"],
        json!({ "orderCount": 3, "orderTotal": { "amount": "70.00" }, "lastOrderAt": "2026-06-01T00:00:00+00:00" }),
        "{body}"
    );

    // The survivor's timeline shows every order (cancelled ones too) and the merge.
    let body = app
        .gql_as(
            &acme,
            "query($id: ID!) { customer(id: $id) { timeline(first: 20) { edges { node {
                kind order { externalId total { amount currency } } mergedCustomerId mergedCustomerName } } } } }",
            json!({ "id": a["id"] }),
        )
        .await;
    let entries = body["data"]["customer"]["timeline"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("timeline failed: {body}"));
    let orders: Vec<&Value> = entries
        .iter()
        .filter(|e| e["node"]["kind"] == "ORDER_PLACED")
        .map(|e| &e["node"]["order"])
        .collect();
    assert_eq!(orders.len(), 5, "{body}");
    // Newest first: Beta's order of June, then the imported ones.
    assert_eq!(
        orders[0]["total"],
        json!({ "amount": "5.00", "currency": "USD" })
    );
    assert_eq!(orders[1]["externalId"], "O-2");
    let merged: Vec<&Value> = entries
        .iter()
        .filter(|e| e["node"]["kind"] == "CUSTOMER_MERGED")
        .collect();
    assert_eq!(merged.len(), 1, "{body}");
    assert_eq!(merged[0]["node"]["mergedCustomerId"], b["id"]);
    assert_eq!(merged[0]["node"]["mergedCustomerName"], "Beta");
}

async fn deal_of(app: &TestApp, tenant: &TestTenant, customer: &Value, name: &str) -> String {
    let body = app
        .gql_as(
            tenant,
            "mutation($input: CreateDealInput!) { createDeal(input: $input) { deal { id } } }",
            json!({ "input": { "name": name, "customerId": customer["id"], "amount": "500", "currency": "USD" } }),
        )
        .await;
    body["data"]["createDeal"]["deal"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("createDeal failed: {body}"))
        .to_owned()
}

#[tokio::test]
async fn orders_name_the_deal_they_close_and_the_campaign_that_brought_them() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme-order-links").await;
    import_fixture(&app, &acme).await;
    let old = app
        .gql_as(
            &acme,
            "{ customers(filter: { externalId: { eq: \"C-OLD\" } }) { edges { node { id } } } }",
            json!({}),
        )
        .await["data"]["customers"]["edges"][0]["node"]
        .clone();
    let other = app
        .create_customer(&acme, json!({ "kind": "COMPANY", "name": "Other Ltd" }))
        .await;
    let renewal = deal_of(&app, &acme, &old, "Renewal").await;
    let foreign = deal_of(&app, &acme, &other, "Other's deal").await;
    let widget = app
        .gql_as(
            &acme,
            "{ products(first: 5) { edges { node { id sku } } } }",
            json!({}),
        )
        .await["data"]["products"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["sku"] == "W-1")
        .unwrap()["node"]["id"]
        .clone();
    let line = json!([{ "productId": widget, "quantity": "1", "unitPrice": "10" }]);

    let created = app
        .gql_as(
            &acme,
            "mutation($input: CreateOrderInput!) { createOrder(input: $input) { order { id dealId deal { name } campaign } } }",
            json!({ "input": { "customerId": old["id"], "currency": "EUR", "dealId": renewal,
                               "campaign": "  Spring promo ", "lines": line } }),
        )
        .await;
    let order = &created["data"]["createOrder"]["order"];
    assert_eq!(order["dealId"], renewal.as_str(), "{created}");
    assert_eq!(order["deal"]["name"], "Renewal");
    assert_eq!(order["campaign"], "Spring promo", "campaigns are trimmed");

    // A deal of another customer, or no deal at all, is refused by field.
    for deal in [
        foreign.clone(),
        "0190aaaa-0000-7000-8000-000000000000".to_owned(),
    ] {
        let body = app
            .gql_as(
                &acme,
                CREATE_ORDER,
                json!({ "input": { "customerId": old["id"], "currency": "EUR", "dealId": deal, "lines": line } }),
            )
            .await;
        assert_eq!(error_code(&body), Some("VALIDATION"), "{body}");
        assert_eq!(error_field(&body), Some("dealId"), "{body}");
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("not a deal of this customer"),
            "{body}"
        );
    }
    let body = app
        .gql_as(
            &acme,
            CREATE_ORDER,
            json!({ "input": { "customerId": old["id"], "currency": "EUR", "campaign": "x".repeat(201), "lines": line } }),
        )
        .await;
    assert_eq!(error_field(&body), Some("campaign"), "{body}");

    // Imported orders carry both; a deal of another customer poisons only its order.
    let report = import(
        &app,
        &acme,
        json!({ "rows": [
            { "externalOrderId": "PO-D1", "customerExternalId": "C-OLD", "orderedAt": "2026-02-01",
              "currency": "EUR", "sku": "W-1", "quantity": "1", "unitPrice": "7", "dealId": renewal, "campaign": "Newsletter" },
            { "externalOrderId": "PO-D2", "customerExternalId": "C-OLD", "orderedAt": "2026-02-02",
              "currency": "EUR", "sku": "W-1", "quantity": "1", "unitPrice": "8", "dealId": foreign },
            { "externalOrderId": "PO-D3", "customerExternalId": "C-OLD", "orderedAt": "2026-02-03",
              "currency": "EUR", "sku": "W-1", "quantity": "1", "unitPrice": "9", "dealId": "not-an-id" },
        ], "mode": "SKIP_INVALID" }),
    )
    .await;
    assert_eq!(report["ordersCreated"], 1, "{report}");
    assert_eq!(report["ordersRejected"], 2, "{report}");
    let errors: Vec<(i64, &str)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_i64().unwrap(), e["field"].as_str().unwrap()))
        .collect();
    assert_eq!(errors, [(2, "dealId"), (3, "dealId")], "{report}");

    // The deal lists its orders; orders filter by deal and by campaign.
    let body = app
        .gql_as(
            &acme,
            "query($deal: ID!) { deal(id: $deal) { orders(first: 10) { edges { node { externalId campaign } } } }
               byDeal: orders(filter: { dealId: { eq: $deal } }) { totalCount }
               byCampaign: orders(filter: { campaign: { eq: \"Newsletter\" } }) { edges { node { externalId dealId } } } }",
            json!({ "deal": renewal }),
        )
        .await;
    let listed: Vec<&Value> = body["data"]["deal"]["orders"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|e| &e["node"]["campaign"])
        .collect();
    assert_eq!(
        listed,
        [&json!("Spring promo"), &json!("Newsletter")],
        "newest first: {body}"
    );
    assert_eq!(body["data"]["byDeal"]["totalCount"], 2);
    assert_eq!(
        body["data"]["byCampaign"]["edges"][0]["node"]["externalId"], "PO-D1",
        "{body}"
    );
}

#[tokio::test]
async fn concurrent_imports_whose_orders_share_customers_all_land() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme-concurrent-imports").await;
    product(&app, &acme, json!({ "sku": "W-1", "name": "Widget" })).await;
    // Two partners send, at the same time, orders for the same 40 customers
    // (one in ascending, one in descending customer order), several times.
    let rows = |partner: &str, round: usize, descending: bool| -> Value {
        let mut customers: Vec<usize> = (0..40).collect();
        if descending {
            customers.reverse();
        }
        Value::Array(
            customers
                .iter()
                .map(|c| {
                    json!({
                        "externalOrderId": format!("{partner}-{round}-{c}"),
                        "customerExternalId": format!("C-{c}"),
                        "customerName": format!("Customer {c}"),
                        "orderedAt": "2026-03-01", "currency": "USD", "sku": "W-1",
                        "quantity": "1", "unitPrice": "10",
                    })
                })
                .collect(),
        )
    };
    for round in 0..6 {
        let (a, b) = tokio::join!(
            app.gql_as(
                &acme,
                IMPORT,
                json!({ "input": { "rows": rows("A", round, false), "createMissingCustomers": true } }),
            ),
            app.gql_as(
                &acme,
                IMPORT,
                json!({ "input": { "rows": rows("B", round, true), "createMissingCustomers": true } }),
            ),
        );
        for body in [&a, &b] {
            assert!(body["errors"].is_null(), "round {round}: {body}");
            assert_eq!(body["data"]["importOrders"]["ordersCreated"], 40, "{body}");
        }
    }
    assert_eq!(count_orders(&app, &acme).await, 6 * 2 * 40);
    let body = app
        .gql_as(
            &acme,
            "{ customers(first: 50) { totalCount edges { node { orderCount orderTotal { amount } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["customers"]["totalCount"], 40, "{body}");
    for edge in body["data"]["customers"]["edges"].as_array().unwrap() {
        assert_eq!(edge["node"]["orderCount"], 12, "{body}");
        assert_eq!(edge["node"]["orderTotal"]["amount"], "120.00", "{body}");
    }
}

#[tokio::test]
async fn customers_an_import_creates_start_with_their_orders_counted() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme-created-rollups").await;
    product(&app, &acme, json!({ "sku": "W-1", "name": "Widget" })).await;
    let body = set_rate(&app, &acme, "EUR", "1.1", "2026-01-01").await;
    assert!(body["data"]["setExchangeRate"].is_object(), "{body}");
    // A customer the import creates starts with its imported orders counted,
    // each converted at the rate of its date.
    let report = import(
        &app,
        &acme,
        json!({ "createMissingCustomers": true, "rows": [
            { "externalOrderId": "N-1", "customerExternalId": "C-NEW", "customerName": "Newcomer",
              "orderedAt": "2026-02-01", "currency": "EUR", "sku": "W-1", "quantity": "3", "unitPrice": "10" },
            { "externalOrderId": "N-2", "customerExternalId": "C-NEW", "orderedAt": "2026-05-15T12:00:00Z",
              "currency": "USD", "sku": "W-1", "quantity": "1", "unitPrice": "7.5" },
            { "externalOrderId": "N-3", "customerExternalId": "C-NEW", "orderedAt": "2026-07-01",
              "currency": "USD", "sku": "W-1", "quantity": "1", "unitPrice": "999", "status": "CANCELLED" } ] }),
    )
    .await;
    assert_eq!(report["customersCreated"], 1, "{report}");
    let created = app
        .gql_as(
            &acme,
            "{ customers(filter: { externalId: { eq: \"C-NEW\" } }) { edges { node { id } } } }",
            json!({}),
        )
        .await["data"]["customers"]["edges"][0]["node"]["id"]
        .clone();
    assert_eq!(
        rollups(&app, &acme, &created).await,
        json!({ "orderCount": 2, "orderTotal": { "amount": "40.50", "currency": "USD" },
                "lastOrderAt": "2026-05-15T12:00:00+00:00" })
    );
}

#[tokio::test]
async fn removing_prices_of_products_not_in_the_workspace_names_them() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let globex = app.sign_up("globex").await;
    let mine = product(&app, &acme, json!({ "sku": "A-1", "name": "Acme's" })).await;
    let theirs = product(&app, &globex, json!({ "sku": "G-1", "name": "Globex's" })).await;
    let list = price_list(
        &app,
        &acme,
        "USD",
        json!([{ "productId": mine["id"], "unitPrice": "10" }]),
    )
    .await;
    let remove = "mutation($input: RemovePricesInput!) { removePrices(input: $input) {
        priceList { prices(first: 10) { totalCount } } } }";
    for (bad, field) in [
        (json!([mine["id"], theirs["id"]]), "productIds[1]"),
        (
            json!([uuid::Uuid::now_v7().to_string(), mine["id"]]),
            "productIds[0]",
        ),
    ] {
        let body = app
            .gql_as(
                &acme,
                remove,
                json!({ "input": { "priceListId": list["id"], "productIds": bad } }),
            )
            .await;
        assert_eq!(error_code(&body), Some("VALIDATION"), "{body}");
        assert_eq!(error_field(&body), Some(field), "{body}");
        assert!(body["data"].is_null(), "{body}");
    }
    // The refused calls removed nothing; a good call removes.
    let body = app
        .gql_as(
            &acme,
            "query($id: ID!) { priceList(id: $id) { prices(first: 10) { totalCount } } }",
            json!({ "id": list["id"] }),
        )
        .await;
    assert_eq!(
        body["data"]["priceList"]["prices"]["totalCount"], 1,
        "{body}"
    );
    let body = app
        .gql_as(
            &acme,
            remove,
            json!({ "input": { "priceListId": list["id"], "productIds": [mine["id"]] } }),
        )
        .await;
    assert_eq!(
        body["data"]["removePrices"]["priceList"]["prices"]["totalCount"], 0,
        "{body}"
    );
}

#[tokio::test]
async fn reported_order_row_errors_are_capped_with_their_total() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    import_fixture(&app, &acme).await;
    let rows: Vec<Value> = (0..1_200)
        .map(|i| {
            json!({ "externalOrderId": format!("BAD-{i}"), "customerExternalId": "C-OLD",
                          "orderedAt": "2026-01-05", "currency": "EUR", "sku": "W-1",
                          "quantity": "many", "unitPrice": "1" })
        })
        .collect();
    let body = app
        .gql_as(
            &acme,
            "mutation($input: ImportOrdersInput!) { importOrders(input: $input) {
                ordersRejected errorCount errors { row field } } }",
            json!({ "input": { "rows": rows, "mode": "SKIP_INVALID" } }),
        )
        .await;
    let report = &body["data"]["importOrders"];
    assert_eq!(
        report["errors"].as_array().map(Vec::len),
        Some(1_000),
        "{body}"
    );
    assert_eq!(report["errorCount"], 1_200, "{body}");
    assert_eq!(report["errors"][999]["row"], 1_000);
    assert_eq!(report["ordersRejected"], 1_200);
}
