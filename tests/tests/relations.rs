//! Contacts and interactions of customers, and the nested connections that
//! load them for whole pages of customers at once.

use crm_tests::{error_code, error_field, TestApp, TestTenant};
use serde_json::{json, Value};

const CREATE_CONTACT: &str = "mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id version name email title preferredChannel language } } }";
const LOG: &str = "mutation($input: LogInteractionInput!) { logInteraction(input: $input) { interaction { id kind direction subject occurredAt dueAt completedAt contactId } } }";

async fn contact(app: &TestApp, tenant: &TestTenant, input: Value) -> Value {
    let body = app
        .gql_as(tenant, CREATE_CONTACT, json!({ "input": input }))
        .await;
    let contact = body["data"]["createContact"]["contact"].clone();
    assert!(contact.is_object(), "createContact failed: {body}");
    contact
}

async fn log(app: &TestApp, tenant: &TestTenant, input: Value) -> Value {
    let body = app.gql_as(tenant, LOG, json!({ "input": input })).await;
    let interaction = body["data"]["logInteraction"]["interaction"].clone();
    assert!(interaction.is_object(), "logInteraction failed: {body}");
    interaction
}

#[tokio::test]
async fn contacts_are_added_changed_and_listed_with_their_customer() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let customer = app
        .create_customer(&acme, json!({ "kind": "COMPANY", "name": "Globex" }))
        .await;
    let id = customer["id"].as_str().unwrap();
    let ann = contact(
        &app,
        &acme,
        json!({ "customerId": id, "name": "Ann Lee", "title": "Buyer", "email": "ann@globex.example", "preferredChannel": "EMAIL", "language": "zh-cn" }),
    )
    .await;
    assert_eq!(ann["language"], "zh-CN");
    contact(&app, &acme, json!({ "customerId": id, "name": "Bob" })).await;

    let updated = app
        .gql_as(
            &acme,
            "mutation($input: UpdateContactInput!) { updateContact(input: $input) { contact { version title email } } }",
            json!({ "input": { "id": ann["id"], "version": 1, "title": "Head of purchasing", "email": null } }),
        )
        .await;
    assert_eq!(
        updated["data"]["updateContact"]["contact"]["version"], 2,
        "{updated}"
    );
    assert!(updated["data"]["updateContact"]["contact"]["email"].is_null());
    let stale = app
        .gql_as(
            &acme,
            "mutation($input: UpdateContactInput!) { updateContact(input: $input) { contact { version } } }",
            json!({ "input": { "id": ann["id"], "version": 1, "title": "x" } }),
        )
        .await;
    assert_eq!(error_code(&stale), Some("CONFLICT"));

    let read = app
        .gql_as(&acme, "query($id: ID!) { customer(id: $id) { contacts(first: 10) { edges { node { name title } } pageInfo { hasNextPage } } } }", json!({ "id": id }))
        .await;
    let edges = read["data"]["customer"]["contacts"]["edges"]
        .as_array()
        .unwrap();
    assert_eq!(edges.len(), 2);
    assert_eq!(edges[0]["node"]["name"], "Ann Lee");
    assert_eq!(edges[0]["node"]["title"], "Head of purchasing");

    // Paging within one customer's contacts.
    let first = app
        .gql_as(&acme, "query($id: ID!) { customer(id: $id) { contacts(first: 1) { edges { node { name } } pageInfo { hasNextPage endCursor } } } }", json!({ "id": id }))
        .await;
    let page = &first["data"]["customer"]["contacts"];
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    let second = app
        .gql_as(
            &acme,
            "query($id: ID!, $after: String) { customer(id: $id) { contacts(first: 1, after: $after) { edges { node { name } } pageInfo { hasNextPage } } } }",
            json!({ "id": id, "after": page["pageInfo"]["endCursor"] }),
        )
        .await;
    assert_eq!(
        second["data"]["customer"]["contacts"]["edges"][0]["node"]["name"], "Bob",
        "{second}"
    );
    assert_eq!(
        second["data"]["customer"]["contacts"]["pageInfo"]["hasNextPage"],
        false
    );

    let deleted = app
        .gql_as(
            &acme,
            "mutation($id: ID!) { deleteContact(id: $id) }",
            json!({ "id": ann["id"] }),
        )
        .await;
    assert_eq!(deleted["data"]["deleteContact"], true);
    let gone = app
        .gql_as(
            &acme,
            "query($id: ID!) { contact(id: $id) { name } }",
            json!({ "id": ann["id"] }),
        )
        .await;
    assert!(gone["data"]["contact"].is_null());
}

#[tokio::test]
async fn contacts_and_interactions_stay_inside_their_tenant() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let globex = app.sign_up("globex").await;
    let theirs = app
        .create_customer(&acme, json!({ "kind": "PERSON", "name": "Acme's" }))
        .await;
    let their_contact = contact(
        &app,
        &acme,
        json!({ "customerId": theirs["id"], "name": "Ann" }),
    )
    .await;

    let body = app
        .gql_as(
            &globex,
            CREATE_CONTACT,
            json!({ "input": { "customerId": theirs["id"], "name": "x" } }),
        )
        .await;
    assert_eq!(error_field(&body), Some("customerId"));
    let body = app
        .gql_as(
            &globex,
            LOG,
            json!({ "input": { "customerId": theirs["id"], "kind": "NOTE", "body": "x" } }),
        )
        .await;
    assert_eq!(error_field(&body), Some("customerId"));
    let mine = app
        .create_customer(&globex, json!({ "kind": "PERSON", "name": "Globex's" }))
        .await;
    let body = app
        .gql_as(&globex, LOG, json!({ "input": { "customerId": mine["id"], "contactId": their_contact["id"], "kind": "CALL" } }))
        .await;
    assert_eq!(error_field(&body), Some("contactId"));
    let read = app
        .gql_as(
            &globex,
            "query($id: ID!) { contact(id: $id) { name } }",
            json!({ "id": their_contact["id"] }),
        )
        .await;
    assert!(read["data"]["contact"].is_null());
    let update = app
        .gql_as(
            &globex,
            "mutation($input: UpdateContactInput!) { updateContact(input: $input) { contact { id } } }",
            json!({ "input": { "id": their_contact["id"], "version": 1, "name": "pwned" } }),
        )
        .await;
    assert_eq!(error_code(&update), Some("NOT_FOUND"));
}

#[tokio::test]
async fn interactions_come_newest_first_and_tasks_get_done() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let customer = app
        .create_customer(&acme, json!({ "kind": "COMPANY", "name": "Globex" }))
        .await;
    let id = customer["id"].as_str().unwrap();
    let ann = contact(&app, &acme, json!({ "customerId": id, "name": "Ann" })).await;
    log(&app, &acme, json!({ "customerId": id, "kind": "CALL", "direction": "INBOUND", "subject": "Complaint about delivery", "occurredAt": "2026-01-05T10:00:00Z", "durationSeconds": 300, "contactId": ann["id"] })).await;
    log(&app, &acme, json!({ "customerId": id, "kind": "EMAIL", "direction": "OUTBOUND", "subject": "Apology", "occurredAt": "2026-01-06T09:00:00Z" })).await;
    let task = log(&app, &acme, json!({ "customerId": id, "kind": "TASK", "subject": "Call back", "occurredAt": "2026-01-04T09:00:00Z", "dueAt": "2026-01-07T09:00:00Z" })).await;
    assert_eq!(task["direction"], "INTERNAL");

    let read = app
        .gql_as(&acme, "query($id: ID!) { customer(id: $id) { interactions(first: 10) { edges { node { kind subject } } } } }", json!({ "id": id }))
        .await;
    let subjects: Vec<&str> = read["data"]["customer"]["interactions"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["subject"].as_str().unwrap())
        .collect();
    assert_eq!(
        subjects,
        ["Apology", "Complaint about delivery", "Call back"]
    );

    let done = app
        .gql_as(
            &acme,
            "mutation($id: ID!) { completeTask(id: $id) { interaction { completedAt } } }",
            json!({ "id": task["id"] }),
        )
        .await;
    assert!(
        done["data"]["completeTask"]["interaction"]["completedAt"].is_string(),
        "{done}"
    );
    let again = app
        .gql_as(
            &acme,
            "mutation($id: ID!) { completeTask(id: $id) { interaction { completedAt } } }",
            json!({ "id": task["id"] }),
        )
        .await;
    assert_eq!(error_code(&again), Some("CONFLICT"));

    let bad = app
        .gql_as(&acme, LOG, json!({ "input": { "customerId": id, "kind": "CALL", "dueAt": "2026-01-07T09:00:00Z" } }))
        .await;
    assert_eq!(error_field(&bad), Some("dueAt"));
    let bad = app
        .gql_as(
            &acme,
            LOG,
            json!({ "input": { "customerId": id, "kind": "CALL", "durationSeconds": -5 } }),
        )
        .await;
    assert_eq!(error_field(&bad), Some("durationSeconds"));
}

async fn statements(app: &TestApp) -> u64 {
    app.statements().await
}

#[tokio::test]
async fn a_page_of_customers_with_relations_takes_the_same_statements_whatever_its_size() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    for i in 0..50 {
        let customer = app
            .create_customer(
                &acme,
                json!({ "kind": "COMPANY", "name": format!("C{i:02}"), "ownerId": acme.user_id }),
            )
            .await;
        let id = customer["id"].as_str().unwrap().to_owned();
        contact(
            &app,
            &acme,
            json!({ "customerId": id, "name": format!("Contact of C{i:02}") }),
        )
        .await;
        log(
            &app,
            &acme,
            json!({ "customerId": id, "kind": "NOTE", "subject": format!("Note on C{i:02}") }),
        )
        .await;
    }
    let query = "query($n: Int) { customers(first: $n, orderBy: [{ field: NAME }]) { edges { node { name owner { email }
        contacts(first: 3) { edges { node { name } } } interactions(first: 2) { edges { node { subject } } } } } } }";
    let mut cost = Vec::new();
    for n in [5, 50] {
        let mut fewest = u64::MAX;
        // Background workers run statements too: the fewest of several runs
        // is the page's own cost.
        for _ in 0..5 {
            let before = statements(&app).await;
            let body = app.gql_as(&acme, query, json!({ "n": n })).await;
            let after = statements(&app).await;
            fewest = fewest.min(after - before);
            let edges = body["data"]["customers"]["edges"].as_array().unwrap();
            assert_eq!(edges.len(), n as usize, "{body}");
            for edge in edges {
                let name = edge["node"]["name"].as_str().unwrap();
                assert_eq!(
                    edge["node"]["contacts"]["edges"][0]["node"]["name"],
                    format!("Contact of {name}")
                );
                assert_eq!(
                    edge["node"]["interactions"]["edges"][0]["node"]["subject"],
                    format!("Note on {name}")
                );
                assert_eq!(edge["node"]["owner"]["email"], acme.email.as_str());
            }
        }
        cost.push(fewest);
    }
    assert_eq!(
        cost[0], cost[1],
        "statements for 5 and 50 customers: {cost:?}"
    );
    assert!(
        cost[1] <= 12,
        "a page with relations takes a handful of statements, not one per row: {cost:?}"
    );
}

#[tokio::test]
async fn rollups_follow_contacts_and_interactions_and_can_be_filtered_and_sorted() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let quiet = app
        .create_customer(&acme, json!({ "kind": "COMPANY", "name": "Quiet Ltd" }))
        .await;
    let busy = app
        .create_customer(&acme, json!({ "kind": "COMPANY", "name": "Busy Inc" }))
        .await;
    let old = app
        .create_customer(&acme, json!({ "kind": "COMPANY", "name": "Old Co" }))
        .await;
    let busy_id = busy["id"].as_str().unwrap();
    let ann = contact(&app, &acme, json!({ "customerId": busy_id, "name": "Ann", "email": "ann@busy.example", "title": "CFO" })).await;
    contact(&app, &acme, json!({ "customerId": busy_id, "name": "Bob" })).await;
    log(
        &app,
        &acme,
        json!({ "customerId": busy_id, "kind": "CALL", "occurredAt": "2026-10-01T10:00:00Z" }),
    )
    .await;
    log(
        &app,
        &acme,
        json!({ "customerId": busy_id, "kind": "MEETING", "occurredAt": "2026-11-01T10:00:00Z" }),
    )
    .await;
    let task = log(&app, &acme, json!({ "customerId": busy_id, "kind": "TASK", "occurredAt": "2026-09-01T10:00:00Z", "dueAt": "2026-12-01T10:00:00Z" })).await;
    log(
        &app,
        &acme,
        json!({ "customerId": old["id"], "kind": "EMAIL", "occurredAt": "2025-01-01T10:00:00Z" }),
    )
    .await;

    let read = app
        .gql_as(&acme, "query($id: ID!) { customer(id: $id) { contactCount interactionCount openTaskCount lastInteractionAt } }", json!({ "id": busy_id }))
        .await;
    let c = &read["data"]["customer"];
    assert_eq!(
        (
            c["contactCount"].as_i64(),
            c["interactionCount"].as_i64(),
            c["openTaskCount"].as_i64()
        ),
        (Some(2), Some(3), Some(1)),
        "{read}"
    );
    assert_eq!(c["lastInteractionAt"], "2026-11-01T10:00:00+00:00");

    app.gql_as(
        &acme,
        "mutation($id: ID!) { completeTask(id: $id) { interaction { id } } }",
        json!({ "id": task["id"] }),
    )
    .await;
    app.gql_as(
        &acme,
        "mutation($id: ID!) { deleteContact(id: $id) }",
        json!({ "id": ann["id"] }),
    )
    .await;
    let read = app
        .gql_as(
            &acme,
            "query($id: ID!) { customer(id: $id) { contactCount openTaskCount } }",
            json!({ "id": busy_id }),
        )
        .await;
    assert_eq!(read["data"]["customer"]["contactCount"], 1);
    assert_eq!(read["data"]["customer"]["openTaskCount"], 0);

    let names = |body: &Value| -> Vec<String> {
        body["data"]["customers"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let list = "query($filter: CustomerFilter, $orderBy: [CustomerOrderBy!], $first: Int, $after: String) {
        customers(filter: $filter, orderBy: $orderBy, first: $first, after: $after) { edges { node { name } } pageInfo { hasNextPage endCursor } } }";
    // Across relations: a contact with a title, a kind of interaction.
    let body = app
        .gql_as(
            &acme,
            list,
            json!({ "filter": { "contacts": { "name": { "eq": "Bob" } } } }),
        )
        .await;
    assert_eq!(names(&body), ["Busy Inc"], "{body}");
    let body = app
        .gql_as(
            &acme,
            list,
            json!({ "filter": { "contacts": { "email": { "contains": "busy" } } } }),
        )
        .await;
    assert!(
        names(&body).is_empty(),
        "deleted contacts do not match: {body}"
    );
    let body = app
        .gql_as(
            &acme,
            list,
            json!({ "filter": { "interactions": { "kind": ["EMAIL"] } } }),
        )
        .await;
    assert_eq!(names(&body), ["Old Co"]);
    // Not contacted since a date (or never).
    let body = app
        .gql_as(
            &acme,
            list,
            json!({ "filter": { "or": [ { "lastInteractionAt": { "lt": "2026-06-01T00:00:00Z" } }, { "lastInteractionAt": { "isNull": true } } ] }, "orderBy": [{ "field": "NAME" }] }),
        )
        .await;
    assert_eq!(names(&body), ["Old Co", "Quiet Ltd"]);
    let body = app
        .gql_as(
            &acme,
            list,
            json!({ "filter": { "interactionCount": { "gte": 2 } } }),
        )
        .await;
    assert_eq!(names(&body), ["Busy Inc"]);

    // Sorted by a rollup, paging one at a time: never-contacted first when ascending.
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let body = app
            .gql_as(&acme, list, json!({ "orderBy": [{ "field": "LAST_INTERACTION_AT" }], "first": 1, "after": after }))
            .await;
        seen.extend(names(&body));
        let info = &body["data"]["customers"]["pageInfo"];
        if !info["hasNextPage"].as_bool().unwrap() {
            break;
        }
        after = info["endCursor"].as_str().map(str::to_owned);
    }
    assert_eq!(seen, ["Quiet Ltd", "Old Co", "Busy Inc"]);
    let body = app
        .gql_as(
            &acme,
            list,
            json!({ "orderBy": [{ "field": "INTERACTION_COUNT", "direction": "DESC" }] }),
        )
        .await;
    assert_eq!(names(&body), ["Busy Inc", "Old Co", "Quiet Ltd"]);
    let _ = quiet;
}
