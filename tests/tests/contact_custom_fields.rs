//! Custom fields on contacts: defined per workspace with object `CONTACT`,
//! checked on every write with the customer fields' rules, filtered and
//! sorted on the `contacts` connection.

use crm_tests::{error_code, error_field, TestApp, TestTenant};
use serde_json::{json, Value};

const DEFINE: &str = "mutation($input: DefineCustomFieldInput!) { defineCustomField(input: $input) { id key object } }";
const CREATE: &str = "mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id version name customFields } } }";
const UPDATE: &str = "mutation($input: UpdateContactInput!) { updateContact(input: $input) { contact { version customFields } } }";
const LIST: &str =
    "query($filter: ContactFilter, $orderBy: [ContactOrderBy!], $first: Int, $after: String) {
  contacts(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    totalCount edges { node { name customFields } } pageInfo { hasNextPage endCursor } } }";

async fn define(app: &TestApp, tenant: &TestTenant, input: Value) -> String {
    let body = app.gql_as(tenant, DEFINE, json!({ "input": input })).await;
    assert!(body["errors"].is_null(), "{body}");
    assert_eq!(body["data"]["defineCustomField"]["object"], input["object"]);
    body["data"]["defineCustomField"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn contacts(app: &TestApp, tenant: &TestTenant, filter: Value, order: Value) -> Vec<String> {
    let body = app
        .gql_as(tenant, LIST, json!({ "filter": filter, "orderBy": order }))
        .await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["contacts"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn contact_fields_are_checked_filtered_sorted_and_removed() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let seniority = define(
        &app,
        &acme,
        json!({ "object": "CONTACT", "key": "seniority", "label": "Seniority", "type": "SINGLE_SELECT",
                "options": ["junior", "senior", "executive"] }),
    )
    .await;
    define(
        &app,
        &acme,
        json!({ "object": "CONTACT", "key": "birthday", "label": "Birthday", "type": "DATE" }),
    )
    .await;
    // A customer field of the same key is a different field.
    define(
        &app,
        &acme,
        json!({ "object": "CUSTOMER", "key": "seats", "label": "Seats", "type": "NUMBER" }),
    )
    .await;
    let listed = app
        .gql_as(
            &acme,
            "{ customFieldDefinitions(object: CONTACT) { key } }",
            json!({}),
        )
        .await;
    assert_eq!(
        listed["data"]["customFieldDefinitions"],
        json!([{ "key": "seniority" }, { "key": "birthday" }])
    );

    let hooli = app
        .create_customer(&acme, json!({ "kind": "COMPANY", "name": "Hooli" }))
        .await;
    let other = app
        .create_customer(&acme, json!({ "kind": "COMPANY", "name": "Pied Piper" }))
        .await;
    let mut ids = Vec::new();
    for (customer, name, fields) in [
        (
            &hooli,
            "Gavin",
            json!({ "seniority": "executive", "birthday": "1970-03-01" }),
        ),
        (&hooli, "Denpok", json!({ "seniority": "senior" })),
        (
            &other,
            "Richard",
            json!({ "seniority": "junior", "birthday": "1990-07-15" }),
        ),
        (&other, "Jared", json!({})),
    ] {
        let body = app
            .gql_as(
                &acme,
                CREATE,
                json!({ "input": { "customerId": customer["id"], "name": name, "customFields": fields } }),
            )
            .await;
        assert!(body["errors"].is_null(), "{body}");
        ids.push(body["data"]["createContact"]["contact"]["id"].clone());
    }

    // The same typed rules as on customers.
    for (fields, field) in [
        (json!({ "seniority": "intern" }), "customFields.seniority"),
        (json!({ "birthday": "15/07/1990" }), "customFields.birthday"),
        (json!({ "seats": 3 }), "customFields.seats"),
    ] {
        let body = app
            .gql_as(
                &acme,
                CREATE,
                json!({ "input": { "customerId": hooli["id"], "name": "Bad", "customFields": fields } }),
            )
            .await;
        assert_eq!(error_code(&body), Some("VALIDATION"), "{body}");
        assert_eq!(error_field(&body), Some(field), "{body}");
    }

    // Filters and sorting on the contacts connection.
    assert_eq!(
        contacts(
            &app,
            &acme,
            json!({ "customFields": [{ "key": "seniority", "in": ["senior", "executive"] }] }),
            json!([{ "field": "NAME" }])
        )
        .await,
        ["Denpok", "Gavin"]
    );
    assert_eq!(
        contacts(
            &app,
            &acme,
            json!({ "customFields": [{ "key": "birthday", "gte": "1980-01-01" }] }),
            json!(null)
        )
        .await,
        ["Richard"]
    );
    assert_eq!(
        contacts(
            &app,
            &acme,
            json!({ "or": [{ "customFields": [{ "key": "seniority", "isNull": true }] }, { "name": { "eq": "Gavin" } }] }),
            json!([{ "field": "NAME", "direction": "DESC" }])
        )
        .await,
        ["Jared", "Gavin"]
    );
    assert_eq!(
        contacts(
            &app,
            &acme,
            json!({ "customerId": { "eq": other["id"] } }),
            json!([{ "field": "CUSTOM_FIELD", "customField": "birthday", "direction": "DESC" }])
        )
        .await,
        ["Richard", "Jared"]
    );
    // Keyset pages over a custom field return every contact once.
    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let body = app
            .gql_as(
                &acme,
                LIST,
                json!({ "orderBy": [{ "field": "CUSTOM_FIELD", "customField": "birthday" }], "first": 1, "after": after }),
            )
            .await;
        let connection = &body["data"]["contacts"];
        assert_eq!(connection["totalCount"], 4, "{body}");
        for edge in connection["edges"].as_array().unwrap() {
            seen.push(edge["node"]["name"].as_str().unwrap().to_owned());
        }
        if connection["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = connection["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(seen, ["Denpok", "Jared", "Gavin", "Richard"]);
    let bad_sort = app
        .gql_as(
            &acme,
            LIST,
            json!({ "orderBy": [{ "field": "CUSTOM_FIELD", "customField": "seats" }] }),
        )
        .await;
    assert_eq!(
        error_field(&bad_sort),
        Some("orderBy.customField"),
        "{bad_sort}"
    );

    // Updates merge; null removes a value.
    let updated = app
        .gql_as(
            &acme,
            UPDATE,
            json!({ "input": { "id": ids[0], "version": 1, "customFields": { "birthday": null, "seniority": "senior" } } }),
        )
        .await;
    assert_eq!(
        updated["data"]["updateContact"]["contact"]["customFields"],
        json!({ "seniority": "senior" }),
        "{updated}"
    );

    // Removing the definition removes its values from every contact.
    let removed = app
        .gql_as(
            &acme,
            "mutation($id: ID!) { removeCustomField(id: $id) }",
            json!({ "id": seniority }),
        )
        .await;
    assert_eq!(removed["data"]["removeCustomField"], true, "{removed}");
    let body = app
        .gql_as(&acme, LIST, json!({ "orderBy": [{ "field": "NAME" }] }))
        .await;
    let fields: Vec<&Value> = body["data"]["contacts"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"]["customFields"])
        .collect();
    assert_eq!(
        fields,
        [
            &json!({}),
            &json!({}),
            &json!({}),
            &json!({ "birthday": "1990-07-15" })
        ]
    );
}

#[tokio::test]
async fn required_contact_fields_are_enforced_and_other_workspaces_see_nothing() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let globex = app.sign_up("globex").await;
    define(
        &app,
        &acme,
        json!({ "object": "CONTACT", "key": "department", "label": "Department", "type": "TEXT", "required": true }),
    )
    .await;
    let customer = app
        .create_customer(&acme, json!({ "kind": "COMPANY", "name": "Hooli" }))
        .await;
    let missing = app
        .gql_as(
            &acme,
            CREATE,
            json!({ "input": { "customerId": customer["id"], "name": "Gavin" } }),
        )
        .await;
    assert_eq!(error_code(&missing), Some("VALIDATION"), "{missing}");
    assert_eq!(error_field(&missing), Some("customFields.department"));
    let given = app
        .gql_as(
            &acme,
            CREATE,
            json!({ "input": { "customerId": customer["id"], "name": "Gavin", "customFields": { "department": "Board" } } }),
        )
        .await;
    let contact = &given["data"]["createContact"]["contact"];
    assert!(contact.is_object(), "{given}");
    let cleared = app
        .gql_as(
            &acme,
            UPDATE,
            json!({ "input": { "id": contact["id"], "version": 1, "customFields": { "department": null } } }),
        )
        .await;
    assert_eq!(
        error_field(&cleared),
        Some("customFields.department"),
        "{cleared}"
    );

    assert_eq!(
        contacts(&app, &acme, json!(null), json!(null)).await,
        ["Gavin"]
    );
    assert!(contacts(&app, &globex, json!(null), json!(null))
        .await
        .is_empty());
    let unknown = app
        .gql_as(
            &globex,
            LIST,
            json!({ "filter": { "customFields": [{ "key": "department", "eq": "Board" }] } }),
        )
        .await;
    assert_eq!(error_code(&unknown), Some("VALIDATION"), "{unknown}");
}
