//! Customers: create, read, update with versions, soft delete, filters,
//! ordering and cursor pagination.

use std::collections::HashSet;

use crm_tests::{error_code, error_field, TestApp, TestTenant};
use serde_json::{json, Value};

const CUSTOMER: &str = "query($id: ID!) { customer(id: $id) { id version kind name email phone website region industry externalId lifecycleStage tags customFields owner { id email } } }";
const UPDATE: &str = "mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { customer { id version name email region lifecycleStage tags updatedAt } } }";
const DELETE: &str = "mutation($id: ID!) { deleteCustomer(id: $id) }";
const LIST: &str = "query($first: Int, $after: String, $last: Int, $before: String, $filter: CustomerFilter, $orderBy: [CustomerOrderBy!]) {
  customers(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy) {
    totalCount
    edges { cursor node { id name lifecycleStage } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  } }";

async fn list(app: &TestApp, tenant: &TestTenant, variables: Value) -> Value {
    let body = app.gql_as(tenant, LIST, variables).await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["customers"].clone()
}

fn names(connection: &Value) -> Vec<String> {
    connection["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_customer_is_created_read_updated_and_deleted() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let defined = app
        .gql_as(
            &acme,
            "mutation { defineCustomField(input: { object: CUSTOMER, key: \"segment\", label: \"Segment\", type: TEXT }) { id } }",
            json!({}),
        )
        .await;
    assert!(defined["errors"].is_null(), "{defined}");
    let created = app
        .create_customer(
            &acme,
            json!({
                "kind": "COMPANY", "name": "  Globex Corporation ", "email": "buyer@globex.example",
                "phone": "+1 (555) 010-2000", "website": "globex.example", "region": "EMEA",
                "industry": "Manufacturing", "externalId": "ERP-1", "tags": ["vip", "vip", "export"],
                "customFields": { "segment": "enterprise" }, "ownerId": acme.user_id,
            }),
        )
        .await;
    assert_eq!(created["name"], "Globex Corporation");
    assert_eq!(created["version"], 1);
    assert_eq!(created["lifecycleStage"], "LEAD");
    assert_eq!(created["tags"], json!(["vip", "export"]));
    let id = created["id"].as_str().unwrap().to_owned();

    let read = app.gql_as(&acme, CUSTOMER, json!({ "id": id })).await;
    let customer = &read["data"]["customer"];
    assert_eq!(customer["website"], "https://globex.example");
    assert_eq!(customer["customFields"]["segment"], "enterprise");
    assert_eq!(customer["owner"]["email"], acme.email.as_str());
    assert_eq!(customer["externalId"], "ERP-1");

    let updated = app
        .gql_as(
            &acme,
            UPDATE,
            json!({ "input": { "id": id, "version": 1, "lifecycleStage": "CUSTOMER", "email": null } }),
        )
        .await;
    let customer = &updated["data"]["updateCustomer"]["customer"];
    assert_eq!(customer["version"], 2, "{updated}");
    assert_eq!(customer["lifecycleStage"], "CUSTOMER");
    assert!(customer["email"].is_null(), "null clears a field");
    assert_eq!(
        customer["region"], "EMEA",
        "fields not given stay as they were"
    );

    let deleted = app.gql_as(&acme, DELETE, json!({ "id": id })).await;
    assert_eq!(deleted["data"]["deleteCustomer"], true);
    let gone = app.gql_as(&acme, CUSTOMER, json!({ "id": id })).await;
    assert!(gone["data"]["customer"].is_null());
    assert_eq!(list(&app, &acme, json!({})).await["totalCount"], 0);
    let again = app.gql_as(&acme, DELETE, json!({ "id": id })).await;
    assert_eq!(error_code(&again), Some("NOT_FOUND"));
    let update_deleted = app
        .gql_as(
            &acme,
            UPDATE,
            json!({ "input": { "id": id, "version": 3, "name": "X" } }),
        )
        .await;
    assert_eq!(error_code(&update_deleted), Some("NOT_FOUND"));
}

#[tokio::test]
async fn invalid_customer_input_names_the_field_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let create = "mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }";
    let cases = [
        (json!({ "kind": "PERSON", "name": "   " }), "name"),
        (
            json!({ "kind": "PERSON", "name": "Ann", "email": "ann@" }),
            "email",
        ),
        (
            json!({ "kind": "PERSON", "name": "Ann", "phone": "call me maybe" }),
            "phone",
        ),
        (
            json!({ "kind": "PERSON", "name": "Ann", "customFields": [1, 2] }),
            "customFields",
        ),
        (
            json!({ "kind": "PERSON", "name": "Ann", "ownerId": "not-an-id" }),
            "ownerId",
        ),
        (
            json!({ "kind": "PERSON", "name": "Ann", "ownerId": uuid::Uuid::now_v7().to_string() }),
            "ownerId",
        ),
        (json!({ "kind": "PERSON", "name": "x".repeat(201) }), "name"),
        (
            json!({ "kind": "PERSON", "name": "Ann", "tags": [""] }),
            "tags",
        ),
    ];
    for (input, field) in cases {
        let body = app.gql_as(&acme, create, json!({ "input": input })).await;
        assert_eq!(error_code(&body), Some("VALIDATION"), "{input}: {body}");
        assert_eq!(error_field(&body), Some(field), "{input}: {body}");
        assert!(body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with(field));
    }
    // An unknown enum value or input field is a GraphQL validation error.
    let body = app
        .gql_as(
            &acme,
            create,
            json!({ "input": { "kind": "ROBOT", "name": "R2" } }),
        )
        .await;
    assert!(body["errors"].is_array());
    let body = app
        .gql_as(
            &acme,
            create,
            json!({ "input": { "kind": "PERSON", "name": "R2", "color": "blue" } }),
        )
        .await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("color"),
        "{body}"
    );

    assert_eq!(list(&app, &acme, json!({})).await["totalCount"], 0);
}

#[tokio::test]
async fn a_stale_version_is_a_conflict_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let customer = app
        .create_customer(&acme, json!({ "kind": "PERSON", "name": "Ann" }))
        .await;
    let id = customer["id"].as_str().unwrap();
    let first = app
        .gql_as(
            &acme,
            UPDATE,
            json!({ "input": { "id": id, "version": 1, "name": "Ann Lee" } }),
        )
        .await;
    assert_eq!(first["data"]["updateCustomer"]["customer"]["version"], 2);
    let stale = app
        .gql_as(
            &acme,
            UPDATE,
            json!({ "input": { "id": id, "version": 1, "name": "Ann Smith" } }),
        )
        .await;
    assert_eq!(error_code(&stale), Some("CONFLICT"), "{stale}");
    assert_eq!(error_field(&stale), Some("version"));
    let read = app.gql_as(&acme, CUSTOMER, json!({ "id": id })).await;
    assert_eq!(read["data"]["customer"]["name"], "Ann Lee");
    assert_eq!(read["data"]["customer"]["version"], 2);
}

#[tokio::test]
async fn an_external_id_is_unique_per_workspace_only() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let globex = app.sign_up("globex").await;
    app.create_customer(
        &acme,
        json!({ "kind": "PERSON", "name": "Ann", "externalId": "C-1" }),
    )
    .await;
    app.create_customer(
        &globex,
        json!({ "kind": "PERSON", "name": "Bob", "externalId": "C-1" }),
    )
    .await;
    let body = app
        .gql_as(
            &acme,
            "mutation { createCustomer(input: { kind: PERSON, name: \"Cy\", externalId: \"C-1\" }) { customer { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), Some("CONFLICT"));
    assert_eq!(error_field(&body), Some("externalId"));
}

#[tokio::test]
async fn a_failed_mutation_leaves_no_trace_and_does_not_undo_earlier_ones() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    app.create_customer(
        &acme,
        json!({ "kind": "PERSON", "name": "Ann", "externalId": "dup" }),
    )
    .await;
    let body = app
        .gql_as(
            &acme,
            "mutation {
               ok: createCustomer(input: { kind: PERSON, name: \"Bob\" }) { customer { id } }
               bad: createCustomer(input: { kind: PERSON, name: \"Cy\", externalId: \"dup\" }) { customer { id } }
             }",
            json!({}),
        )
        .await;
    assert!(body["data"]["ok"]["customer"]["id"].is_string(), "{body}");
    assert_eq!(error_code(&body), Some("CONFLICT"));
    let all = list(&app, &acme, json!({ "orderBy": [{ "field": "NAME" }] })).await;
    assert_eq!(names(&all), ["Ann", "Bob"]);
}

#[tokio::test]
async fn filters_combine_and_order_by_name_ignores_case() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    for (name, stage, tags) in [
        ("alpha Trading", "LEAD", vec!["a"]),
        ("Beta Trading", "CUSTOMER", vec!["a", "b"]),
        ("gamma Foods", "CUSTOMER", vec![]),
        ("Delta Foods", "CHURNED", vec!["b"]),
        ("100% Pure_Water", "PROSPECT", vec![]),
    ] {
        app.create_customer(
            &acme,
            json!({ "kind": "COMPANY", "name": name, "lifecycleStage": stage, "tags": tags }),
        )
        .await;
    }
    let by_name = json!([{ "field": "NAME", "direction": "ASC" }]);
    let all = list(&app, &acme, json!({ "orderBy": by_name })).await;
    assert_eq!(
        names(&all),
        [
            "100% Pure_Water",
            "alpha Trading",
            "Beta Trading",
            "Delta Foods",
            "gamma Foods"
        ]
    );

    let customers = list(
        &app,
        &acme,
        json!({ "filter": { "lifecycleStage": { "eq": "CUSTOMER" } }, "orderBy": by_name }),
    )
    .await;
    assert_eq!(names(&customers), ["Beta Trading", "gamma Foods"]);
    assert_eq!(customers["totalCount"], 2);

    let trading = list(
        &app,
        &acme,
        json!({ "filter": { "name": { "contains": "TRADING" } }, "orderBy": by_name }),
    )
    .await;
    assert_eq!(names(&trading), ["alpha Trading", "Beta Trading"]);

    let literal = list(
        &app,
        &acme,
        json!({ "filter": { "name": { "contains": "0% P" } } }),
    )
    .await;
    assert_eq!(names(&literal), ["100% Pure_Water"]);
    let wildcard_is_literal = list(
        &app,
        &acme,
        json!({ "filter": { "name": { "contains": "_" } } }),
    )
    .await;
    assert_eq!(names(&wildcard_is_literal), ["100% Pure_Water"]);

    let either = list(
        &app,
        &acme,
        json!({ "filter": { "or": [ { "lifecycleStage": { "eq": "CHURNED" } }, { "name": { "startsWith": "ALPHA" } } ] }, "orderBy": by_name }),
    )
    .await;
    assert_eq!(names(&either), ["alpha Trading", "Delta Foods"]);

    let not_foods = list(
        &app,
        &acme,
        json!({ "filter": { "not": { "name": { "contains": "foods" } }, "lifecycleStage": { "in": ["LEAD", "CUSTOMER"] } }, "orderBy": by_name }),
    )
    .await;
    assert_eq!(names(&not_foods), ["alpha Trading", "Beta Trading"]);

    let tagged = list(
        &app,
        &acme,
        json!({ "filter": { "tags": { "contains": "b" } }, "orderBy": by_name }),
    )
    .await;
    assert_eq!(names(&tagged), ["Beta Trading", "Delta Foods"]);

    let desc = list(
        &app,
        &acme,
        json!({ "orderBy": [{ "field": "NAME", "direction": "DESC" }], "first": 2 }),
    )
    .await;
    assert_eq!(names(&desc), ["gamma Foods", "Delta Foods"]);
}

#[tokio::test]
async fn hostile_filters_and_page_sizes_are_refused_clearly() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let mut deep = json!({ "name": { "eq": "x" } });
    for _ in 0..8 {
        deep = json!({ "not": deep });
    }
    let body = app.gql_as(&acme, LIST, json!({ "filter": deep })).await;
    assert_eq!(error_code(&body), Some("VALIDATION"));
    assert_eq!(error_field(&body), Some("filter"));

    let body = app.gql_as(&acme, LIST, json!({ "first": 101 })).await;
    assert_eq!(error_field(&body), Some("first"));
    let body = app.gql_as(&acme, LIST, json!({ "first": -1 })).await;
    assert_eq!(error_field(&body), Some("first"));
    let body = app
        .gql_as(&acme, LIST, json!({ "after": "bm90LWEtY3Vyc29y" }))
        .await;
    assert_eq!(error_field(&body), Some("after"));
}

#[tokio::test]
async fn a_cursor_is_tied_to_its_order() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    for name in ["a", "b", "c"] {
        app.create_customer(&acme, json!({ "kind": "PERSON", "name": name }))
            .await;
    }
    let page = list(&app, &acme, json!({ "first": 1 })).await;
    let cursor = page["pageInfo"]["endCursor"].as_str().unwrap();
    let body = app
        .gql_as(
            &acme,
            LIST,
            json!({ "first": 1, "after": cursor, "orderBy": [{ "field": "NAME" }] }),
        )
        .await;
    assert_eq!(error_code(&body), Some("VALIDATION"));
    assert_eq!(error_field(&body), Some("after"));
}

async fn seed(
    app: &TestApp,
    tenant: &TestTenant,
    names: impl Iterator<Item = String>,
) -> Vec<String> {
    let mut ids = Vec::new();
    let names: Vec<String> = names.collect();
    for chunk in names.chunks(25) {
        let creations = chunk
            .iter()
            .map(|name| app.create_customer(tenant, json!({ "kind": "PERSON", "name": name })));
        for customer in futures_util::future::join_all(creations).await {
            ids.push(customer["id"].as_str().unwrap().to_owned());
        }
    }
    ids
}

#[tokio::test]
async fn paging_through_250_customers_returns_each_once_in_order_even_with_inserts() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let seeded: HashSet<String> = seed(&app, &acme, (0..250).map(|i| format!("Customer {i:03}")))
        .await
        .into_iter()
        .collect();
    assert_eq!(seeded.len(), 250);

    for order in [
        json!([{ "field": "NAME", "direction": "ASC" }]),
        json!([{ "field": "CREATED_AT", "direction": "DESC" }]),
    ] {
        let mut seen: Vec<(String, String)> = Vec::new();
        let mut after: Option<String> = None;
        let mut pages = 0;
        loop {
            let page = list(
                &app,
                &acme,
                json!({ "first": 40, "after": after, "orderBy": order }),
            )
            .await;
            pages += 1;
            for edge in page["edges"].as_array().unwrap() {
                seen.push((
                    edge["node"]["id"].as_str().unwrap().to_owned(),
                    edge["node"]["name"].as_str().unwrap().to_owned(),
                ));
            }
            if pages == 2 {
                // Rows inserted mid-way: earlier in name order ("A…"), and newer in time.
                seed(&app, &acme, (0..5).map(|i| format!("Aardvark {i} {pages}"))).await;
            }
            if !page["pageInfo"]["hasNextPage"].as_bool().unwrap() {
                break;
            }
            assert_eq!(page["edges"].as_array().unwrap().len(), 40);
            after = page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        }
        let ids: Vec<&String> = seen.iter().map(|(id, _)| id).collect();
        let unique: HashSet<&String> = ids.iter().copied().collect();
        assert_eq!(unique.len(), ids.len(), "no customer is returned twice");
        assert!(
            seeded.iter().all(|id| unique.contains(id)),
            "every customer that existed throughout is returned"
        );
        if order[0]["field"] == "NAME" {
            let names: Vec<String> = seen.iter().map(|(_, n)| n.to_lowercase()).collect();
            let mut sorted = names.clone();
            sorted.sort();
            assert_eq!(names, sorted, "pages come in name order");
        }
    }
}

#[tokio::test]
async fn paging_backward_mirrors_paging_forward() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    seed(&app, &acme, (0..30).map(|i| format!("C{i:02}"))).await;
    let order = json!([{ "field": "NAME" }]);
    let first = list(&app, &acme, json!({ "first": 10, "orderBy": order })).await;
    assert_eq!(first["pageInfo"]["hasPreviousPage"], false);
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    let second = list(
        &app,
        &acme,
        json!({ "first": 10, "after": first["pageInfo"]["endCursor"], "orderBy": order }),
    )
    .await;
    assert_eq!(names(&second).first().unwrap(), "C10");
    assert_eq!(second["pageInfo"]["hasPreviousPage"], true);

    let back = list(
        &app,
        &acme,
        json!({ "last": 10, "before": second["pageInfo"]["startCursor"], "orderBy": order }),
    )
    .await;
    assert_eq!(names(&back), names(&first));
    assert_eq!(back["pageInfo"]["hasPreviousPage"], false);
    assert_eq!(back["pageInfo"]["hasNextPage"], true);

    let tail = list(&app, &acme, json!({ "last": 5, "orderBy": order })).await;
    assert_eq!(names(&tail), ["C25", "C26", "C27", "C28", "C29"]);
    assert_eq!(tail["pageInfo"]["hasPreviousPage"], true);
    assert_eq!(tail["totalCount"], 30);
}
