//! Custom fields: defined per workspace, checked on every write, filtered
//! and sorted like built-in fields.

use crm_tests::{error_code, error_field, TestApp, TestTenant};
use serde_json::{json, Value};

const DEFINE: &str = "mutation($input: DefineCustomFieldInput!) { defineCustomField(input: $input) { id key type options required } }";
const LIST: &str = "query($filter: CustomerFilter, $orderBy: [CustomerOrderBy!], $first: Int, $after: String) {
  customers(filter: $filter, orderBy: $orderBy, first: $first, after: $after) { totalCount edges { node { name customFields } } pageInfo { hasNextPage endCursor } } }";

async fn define(app: &TestApp, tenant: &TestTenant, input: Value) -> Value {
    let body = app.gql_as(tenant, DEFINE, json!({ "input": input })).await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["defineCustomField"].clone()
}

fn names(body: &Value) -> Vec<String> {
    body["data"]["customers"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn setup(app: &TestApp) -> TestTenant {
    let acme = app.sign_up("acme").await;
    define(
        app,
        &acme,
        json!({ "object": "CUSTOMER", "key": "seats", "label": "Seats", "type": "NUMBER" }),
    )
    .await;
    define(
        app,
        &acme,
        json!({ "object": "CUSTOMER", "key": "budget", "label": "Budget", "type": "MONEY" }),
    )
    .await;
    define(app, &acme, json!({ "object": "CUSTOMER", "key": "tier", "label": "Tier", "type": "SINGLE_SELECT", "options": ["gold", "silver"] })).await;
    define(
        app,
        &acme,
        json!({ "object": "CUSTOMER", "key": "renewal", "label": "Renewal", "type": "DATE" }),
    )
    .await;
    define(app, &acme, json!({ "object": "CUSTOMER", "key": "products", "label": "Products", "type": "MULTI_SELECT", "options": ["crm", "erp", "bi"] })).await;
    for (name, fields) in [
        (
            "Alpha",
            json!({ "seats": 120, "budget": { "amount": "15000.00", "currency": "EUR" }, "tier": "gold", "renewal": "2027-01-31", "products": ["crm", "bi"] }),
        ),
        (
            "Beta",
            json!({ "seats": 8, "tier": "silver", "renewal": "2026-12-15", "products": ["erp"] }),
        ),
        (
            "Gamma",
            json!({ "seats": 40.5, "budget": { "amount": 900, "currency": "usd" } }),
        ),
        ("Delta", json!({})),
    ] {
        app.create_customer(
            &acme,
            json!({ "kind": "COMPANY", "name": name, "customFields": fields }),
        )
        .await;
    }
    acme
}

#[tokio::test]
async fn values_are_checked_against_the_definitions() {
    let app = TestApp::spawn().await;
    let acme = setup(&app).await;
    let create = "mutation($f: JSON) { createCustomer(input: { kind: PERSON, name: \"X\", customFields: $f }) { customer { id } } }";
    for (fields, field) in [
        (json!({ "tier": "bronze" }), "customFields.tier"),
        (json!({ "seats": "many" }), "customFields.seats"),
        (json!({ "renewal": "31/01/2027" }), "customFields.renewal"),
        (
            json!({ "budget": { "amount": "ten", "currency": "EUR" } }),
            "customFields.budget",
        ),
        (
            json!({ "budget": { "amount": "10", "currency": "XYZ" } }),
            "customFields.budget.currency",
        ),
        (
            json!({ "products": ["crm", "nope"] }),
            "customFields.products",
        ),
        (json!({ "color": "blue" }), "customFields.color"),
    ] {
        let body = app.gql_as(&acme, create, json!({ "f": fields })).await;
        assert_eq!(error_code(&body), Some("VALIDATION"), "{fields}: {body}");
        assert_eq!(error_field(&body), Some(field), "{fields}: {body}");
    }
    // Stored normalised.
    let body = app
        .gql_as(
            &acme,
            LIST,
            json!({ "filter": { "name": { "eq": "Gamma" } } }),
        )
        .await;
    assert_eq!(
        body["data"]["customers"]["edges"][0]["node"]["customFields"]["budget"],
        json!({ "amount": "900", "currency": "USD" })
    );

    // Another workspace has none of these fields.
    let globex = app.sign_up("globex").await;
    let body = app
        .gql_as(&globex, create, json!({ "f": { "seats": 1 } }))
        .await;
    assert_eq!(error_field(&body), Some("customFields.seats"));

    // A required field must be present from then on.
    define(&app, &acme, json!({ "object": "CUSTOMER", "key": "region", "label": "Sales region", "type": "TEXT", "required": true })).await;
    let body = app.gql_as(&acme, create, json!({ "f": {} })).await;
    assert_eq!(error_field(&body), Some("customFields.region"));
    let body = app
        .gql_as(&acme, create, json!({ "f": { "region": "North" } }))
        .await;
    assert!(
        body["data"]["createCustomer"]["customer"]["id"].is_string(),
        "{body}"
    );
}

#[tokio::test]
async fn updates_merge_custom_fields() {
    let app = TestApp::spawn().await;
    let acme = setup(&app).await;
    let body = app
        .gql_as(
            &acme,
            LIST,
            json!({ "filter": { "name": { "eq": "Beta" } } }),
        )
        .await;
    let list = app
        .gql_as(
            &acme,
            "{ customers(filter: { name: { eq: \"Beta\" } }) { edges { node { id version } } } }",
            json!({}),
        )
        .await;
    let node = &list["data"]["customers"]["edges"][0]["node"];
    assert_eq!(
        body["data"]["customers"]["edges"][0]["node"]["customFields"]["seats"],
        8.0
    );
    let updated = app
        .gql_as(
            &acme,
            "mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { customer { customFields } } }",
            json!({ "input": { "id": node["id"], "version": node["version"], "customFields": { "seats": 9, "tier": null } } }),
        )
        .await;
    let fields = &updated["data"]["updateCustomer"]["customer"]["customFields"];
    assert_eq!(fields["seats"], 9.0, "{updated}");
    assert!(
        fields.get("tier").is_none(),
        "null removes a value: {fields}"
    );
    assert_eq!(fields["renewal"], "2026-12-15", "keys not given stay");
}

#[tokio::test]
async fn custom_fields_filter_and_sort_like_built_in_fields() {
    let app = TestApp::spawn().await;
    let acme = setup(&app).await;
    let find = |filter: Value| {
        let (app, acme) = (&app, &acme);
        async move {
            names(&app.gql_as(acme, LIST, json!({ "filter": { "customFields": [filter] }, "orderBy": [{ "field": "NAME" }] })).await)
        }
    };
    assert_eq!(
        find(json!({ "key": "tier", "eq": "gold" })).await,
        ["Alpha"]
    );
    assert_eq!(
        find(json!({ "key": "tier", "in": ["gold", "silver"] })).await,
        ["Alpha", "Beta"]
    );
    assert_eq!(
        find(json!({ "key": "seats", "gt": 10 })).await,
        ["Alpha", "Gamma"]
    );
    assert_eq!(
        find(json!({ "key": "seats", "gte": 8, "lt": 40.5 })).await,
        ["Beta"]
    );
    assert_eq!(
        find(json!({ "key": "renewal", "lt": "2027-01-01" })).await,
        ["Beta"]
    );
    assert_eq!(
        find(json!({ "key": "budget", "gt": "1000" })).await,
        ["Alpha"]
    );
    assert_eq!(
        find(json!({ "key": "products", "contains": "bi" })).await,
        ["Alpha"]
    );
    assert_eq!(
        find(json!({ "key": "products", "in": ["erp", "bi"] })).await,
        ["Alpha", "Beta"]
    );
    assert_eq!(
        find(json!({ "key": "tier", "isNull": true })).await,
        ["Delta", "Gamma"]
    );
    let body = app
        .gql_as(
            &acme,
            LIST,
            json!({ "filter": { "customFields": [{ "key": "nope", "eq": 1 }] } }),
        )
        .await;
    assert_eq!(error_field(&body), Some("filter.customFields.nope"));
    let body = app
        .gql_as(
            &acme,
            LIST,
            json!({ "filter": { "customFields": [{ "key": "tier", "eq": "bronze" }] } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("VALIDATION"));

    // Sorted by a number, paging one by one: records without a value first.
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let body = app
            .gql_as(&acme, LIST, json!({ "orderBy": [{ "field": "CUSTOM_FIELD", "customField": "seats" }], "first": 1, "after": after }))
            .await;
        assert!(body["errors"].is_null(), "{body}");
        seen.extend(names(&body));
        let info = &body["data"]["customers"]["pageInfo"];
        if !info["hasNextPage"].as_bool().unwrap() {
            break;
        }
        after = info["endCursor"].as_str().map(str::to_owned);
    }
    assert_eq!(seen, ["Delta", "Beta", "Gamma", "Alpha"]);
    let body = app
        .gql_as(&acme, LIST, json!({ "orderBy": [{ "field": "CUSTOM_FIELD", "customField": "renewal", "direction": "DESC" }] }))
        .await;
    // Descending: the latest renewal first, records without a date last.
    let renewals = names(&body);
    assert_eq!(&renewals[..2], ["Alpha", "Beta"]);
    assert_eq!(renewals.len(), 4);
}

#[tokio::test]
async fn removing_a_field_removes_its_values() {
    let app = TestApp::spawn().await;
    let acme = setup(&app).await;
    let defs = app
        .gql_as(
            &acme,
            "{ customFieldDefinitions(object: CUSTOMER) { id key } }",
            json!({}),
        )
        .await;
    let tier = defs["data"]["customFieldDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["key"] == "tier")
        .unwrap()["id"]
        .clone();
    let removed = app
        .gql_as(
            &acme,
            "mutation($id: ID!) { removeCustomField(id: $id) }",
            json!({ "id": tier }),
        )
        .await;
    assert_eq!(removed["data"]["removeCustomField"], true, "{removed}");
    let body = app
        .gql_as(
            &acme,
            LIST,
            json!({ "filter": { "name": { "eq": "Alpha" } } }),
        )
        .await;
    assert!(
        body["data"]["customers"]["edges"][0]["node"]["customFields"]
            .get("tier")
            .is_none()
    );
    let duplicate = app.gql_as(&acme, DEFINE, json!({ "input": { "object": "CUSTOMER", "key": "seats", "label": "x", "type": "TEXT" } })).await;
    assert_eq!(error_code(&duplicate), Some("CONFLICT"));
    let bad = app.gql_as(&acme, DEFINE, json!({ "input": { "object": "CUSTOMER", "key": "Bad Key", "label": "x", "type": "TEXT" } })).await;
    assert_eq!(error_field(&bad), Some("key"));
    let no_options = app.gql_as(&acme, DEFINE, json!({ "input": { "object": "CUSTOMER", "key": "pick", "label": "x", "type": "SINGLE_SELECT" } })).await;
    assert_eq!(error_field(&no_options), Some("options"));
}
