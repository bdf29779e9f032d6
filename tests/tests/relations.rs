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
    let text = app
        .client
        .get(format!("{}/metrics", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("crm_db_statements_total "))
        .expect("metric present")
        .trim()
        .parse::<f64>()
        .unwrap() as u64
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
        for _ in 0..3 {
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
