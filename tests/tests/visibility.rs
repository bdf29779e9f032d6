//! Ownership and visibility: a workspace setting decides whether sales reps
//! see all customers, their team's or only their own, in every query.

use crm_tests::{error_code, error_field, TestApp, TestTenant};
use serde_json::{json, Value};

const LIST: &str =
    "{ customers(first: 50, orderBy: [{ field: NAME }]) { totalCount edges { node { name } } } }";

/// Invites `email` as a sales rep (optionally in a team) and returns (token, user id).
async fn sales_rep(
    app: &TestApp,
    owner: &TestTenant,
    email: &str,
    team: Option<&str>,
) -> (String, String) {
    app.invite_member(owner, email, "SALES", team).await
}

/// Creates a team and returns its id.
async fn team(app: &TestApp, owner: &TestTenant, name: &str) -> String {
    let body = app
        .gql_as(
            owner,
            "mutation($name: String!) { createTeam(input: { name: $name }) { id } }",
            json!({ "name": name }),
        )
        .await;
    body["data"]["createTeam"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("createTeam failed: {body}"))
        .to_owned()
}

fn names(body: &Value) -> Vec<String> {
    body["data"]["customers"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn set_visibility(app: &TestApp, owner: &TestTenant, visibility: &str) {
    let body = app
        .gql_as(
            owner,
            "mutation($v: CustomerVisibility) { updateTenantSettings(input: { customerVisibility: $v }) { customerVisibility } }",
            json!({ "v": visibility }),
        )
        .await;
    assert_eq!(
        body["data"]["updateTenantSettings"]["customerVisibility"], visibility,
        "{body}"
    );
}

#[tokio::test]
async fn sales_reps_see_all_their_teams_or_their_own_customers_as_the_setting_says() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let east = team(&app, &acme, "East").await;
    let (ann, ann_id) = sales_rep(&app, &acme, "ann@acme.example", Some(&east)).await;
    let (cy, cy_id) = sales_rep(&app, &acme, "cy@acme.example", Some(&east)).await;
    let (bob, bob_id) = sales_rep(&app, &acme, "bob@acme.example", None).await;
    let anns = app
        .create_customer(
            &acme,
            json!({ "kind": "COMPANY", "name": "Ann's client", "ownerId": ann_id }),
        )
        .await;
    app.create_customer(
        &acme,
        json!({ "kind": "COMPANY", "name": "Cy's client", "ownerId": cy_id }),
    )
    .await;
    let bobs = app
        .create_customer(
            &acme,
            json!({ "kind": "COMPANY", "name": "Bob's client", "ownerId": bob_id }),
        )
        .await;
    app.create_customer(
        &acme,
        json!({ "kind": "COMPANY", "name": "Nobody's client" }),
    )
    .await;
    let bobs_id = bobs["id"].as_str().unwrap();

    // ALL (the default): everyone sees everything.
    assert_eq!(
        names(&app.gql_with(Some(&ann), LIST, json!({})).await).len(),
        4
    );

    set_visibility(&app, &acme, "OWN").await;
    let body = app.gql_with(Some(&ann), LIST, json!({})).await;
    assert_eq!(names(&body), ["Ann's client"]);
    assert_eq!(body["data"]["customers"]["totalCount"], 1);
    // Warm the shared 360 cache as the owner, then ask as Ann: nothing leaks.
    app.gql_as(
        &acme,
        "query($id: ID!) { customer(id: $id) { name } }",
        json!({ "id": bobs_id }),
    )
    .await;
    let read = app
        .gql_with(
            Some(&ann),
            "query($id: ID!) { customer(id: $id) { name } }",
            json!({ "id": bobs_id }),
        )
        .await;
    assert!(read["data"]["customer"].is_null(), "{read}");
    let update = app
        .gql_with(
            Some(&ann),
            "mutation($id: ID!) { updateCustomer(input: { id: $id, version: 1, name: \"mine now\" }) { customer { id } } }",
            json!({ "id": bobs_id }),
        )
        .await;
    assert_eq!(error_code(&update), Some("NOT_FOUND"));
    let contact = app
        .gql_with(
            Some(&ann),
            "mutation($id: ID!) { createContact(input: { customerId: $id, name: \"x\" }) { contact { id } } }",
            json!({ "id": bobs_id }),
        )
        .await;
    assert_eq!(error_field(&contact), Some("customerId"));
    // Nor change or delete the contacts of a customer she cannot see.
    let theirs = app
        .gql_as(&acme, "mutation($id: ID!) { createContact(input: { customerId: $id, name: \"Bob's contact\" }) { contact { id } } }", json!({ "id": bobs_id }))
        .await;
    let their_contact = theirs["data"]["createContact"]["contact"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let change = app
        .gql_with(
            Some(&ann),
            "mutation($id: ID!) { updateContact(input: { id: $id, version: 1, name: \"x\" }) { contact { id } } }",
            json!({ "id": their_contact }),
        )
        .await;
    assert_eq!(error_code(&change), Some("NOT_FOUND"), "{change}");
    let delete = app
        .gql_with(
            Some(&ann),
            "mutation($id: ID!) { deleteContact(id: $id) }",
            json!({ "id": their_contact }),
        )
        .await;
    assert_eq!(error_code(&delete), Some("NOT_FOUND"));
    let delete = app
        .gql_with(
            Some(&ann),
            "mutation($id: ID!) { deleteCustomer(id: $id) }",
            json!({ "id": bobs_id }),
        )
        .await;
    assert_eq!(
        error_code(&delete),
        Some("FORBIDDEN"),
        "sales reps delete no customers at all"
    );
    // Ann cannot take Bob's customer for herself either.
    let grab = app
        .gql_with(
            Some(&ann),
            "mutation($ids: [ID!]!, $owner: ID) { reassignCustomers(input: { customerIds: $ids, ownerId: $owner }) }",
            json!({ "ids": [bobs_id], "owner": ann_id }),
        )
        .await;
    assert_eq!(grab["data"]["reassignCustomers"], 0, "{grab}");
    // The owner still sees all.
    assert_eq!(names(&app.gql_as(&acme, LIST, json!({})).await).len(), 4);

    set_visibility(&app, &acme, "TEAM").await;
    assert_eq!(
        names(&app.gql_with(Some(&ann), LIST, json!({})).await),
        ["Ann's client", "Cy's client"]
    );
    assert_eq!(
        names(&app.gql_with(Some(&cy), LIST, json!({})).await),
        ["Ann's client", "Cy's client"]
    );
    // Without a team, a rep sees their own.
    assert_eq!(
        names(&app.gql_with(Some(&bob), LIST, json!({})).await),
        ["Bob's client"]
    );

    // Bulk reassignment by an admin moves customers into Ann's view at once.
    let moved = app
        .gql_as(
            &acme,
            "mutation($ids: [ID!]!, $owner: ID) { reassignCustomers(input: { customerIds: $ids, ownerId: $owner }) }",
            json!({ "ids": [bobs_id, anns["id"]], "owner": ann_id }),
        )
        .await;
    assert_eq!(moved["data"]["reassignCustomers"], 2, "{moved}");
    assert_eq!(
        names(&app.gql_with(Some(&ann), LIST, json!({})).await),
        ["Ann's client", "Bob's client", "Cy's client"]
    );
    assert!(names(&app.gql_with(Some(&bob), LIST, json!({})).await).is_empty());
}

#[tokio::test]
async fn only_admins_change_the_setting() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let (ann, _) = sales_rep(&app, &acme, "ann@acme.example", None).await;
    let body = app
        .gql_with(Some(&ann), "mutation { updateTenantSettings(input: { customerVisibility: ALL }) { customerVisibility } }", json!({}))
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
}

#[tokio::test]
async fn sales_reps_see_and_change_leads_as_they_see_customers() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme-lead-visibility").await;
    let east = team(&app, &acme, "East").await;
    let (ann, ann_id) = sales_rep(&app, &acme, "ann@acme.example", Some(&east)).await;
    let (_, cy_id) = sales_rep(&app, &acme, "cy@acme.example", Some(&east)).await;
    let (bob, bob_id) = sales_rep(&app, &acme, "bob@acme.example", None).await;
    let mut ids = std::collections::HashMap::new();
    for (name, owner) in [
        ("Ann's lead", &ann_id),
        ("Cy's lead", &cy_id),
        ("Bob's lead", &bob_id),
    ] {
        let body = app
            .gql_as(
                &acme,
                "mutation($input: CreateLeadInput!) { createLead(input: $input) { lead { id } } }",
                json!({ "input": { "name": name, "ownerId": owner } }),
            )
            .await;
        ids.insert(name, body["data"]["createLead"]["lead"]["id"].clone());
    }
    let leads_of = |token: &String| {
        let app = &app;
        let token = token.clone();
        async move {
            let body = app
                .gql_with(
                    Some(&token),
                    "{ leads(first: 10) { totalCount edges { node { name } } } }",
                    json!({}),
                )
                .await;
            let mut names: Vec<String> = body["data"]["leads"]["edges"]
                .as_array()
                .unwrap_or_else(|| panic!("{body}"))
                .iter()
                .map(|e| e["node"]["name"].as_str().unwrap().to_owned())
                .collect();
            names.sort();
            assert_eq!(
                body["data"]["leads"]["totalCount"].as_u64().unwrap() as usize,
                names.len()
            );
            names
        }
    };
    assert_eq!(leads_of(&ann).await.len(), 3, "ALL: every lead");

    set_visibility(&app, &acme, "TEAM").await;
    assert_eq!(leads_of(&ann).await, ["Ann's lead", "Cy's lead"]);
    assert_eq!(leads_of(&bob).await, ["Bob's lead"], "no team: own only");

    set_visibility(&app, &acme, "OWN").await;
    assert_eq!(leads_of(&ann).await, ["Ann's lead"]);
    // A lead out of sight cannot be read, changed or converted.
    let cys = &ids["Cy's lead"];
    let body = app
        .gql_with(
            Some(&ann),
            "query($id: ID!) { lead(id: $id) { name } }",
            json!({ "id": cys }),
        )
        .await;
    assert!(body["data"]["lead"].is_null(), "{body}");
    for (query, input) in [
        (
            "mutation($input: UpdateLeadInput!) { updateLead(input: $input) { lead { id } } }",
            json!({ "id": cys, "version": 1, "name": "Taken" }),
        ),
        (
            "mutation($input: QualifyLeadInput!) { qualifyLead(input: $input) { lead { id } } }",
            json!({ "id": cys }),
        ),
        (
            "mutation($input: ConvertLeadInput!) { convertLead(input: $input) { lead { id } } }",
            json!({ "leadId": cys }),
        ),
    ] {
        let body = app
            .gql_with(Some(&ann), query, json!({ "input": input }))
            .await;
        assert_eq!(error_code(&body), Some("NOT_FOUND"), "{query}: {body}");
    }
}

#[tokio::test]
async fn the_value_summary_counts_only_the_customers_a_rep_may_see() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme-value-visibility").await;
    let (ann, ann_id) = sales_rep(&app, &acme, "ann@acme.example", None).await;
    let body = app
        .gql_as(
            &acme,
            "mutation { createProduct(input: { sku: \"P-1\", name: \"Widget\" }) { product { id } } }",
            json!({}),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let rows: Vec<Value> = (1..=3)
        .map(|c| {
            json!({ "externalOrderId": format!("O-{c}"), "customerExternalId": format!("C-{c}"),
                    "customerName": format!("Customer {c}"), "orderedAt": "2026-01-05",
                    "currency": "USD", "sku": "P-1", "quantity": "1", "unitPrice": format!("{}", c * 100) })
        })
        .collect();
    let body = app
        .gql_as(
            &acme,
            "mutation($input: ImportOrdersInput!) { importOrders(input: $input) { ordersCreated } }",
            json!({ "input": { "rows": rows, "createMissingCustomers": true } }),
        )
        .await;
    assert_eq!(body["data"]["importOrders"]["ordersCreated"], 3, "{body}");
    // Ann owns the customer of the 200 order.
    let body = app
        .gql_as(
            &acme,
            "{ customers(filter: { externalId: { eq: \"C-2\" } }) { edges { node { id version } } } }",
            json!({}),
        )
        .await;
    let c2 = body["data"]["customers"]["edges"][0]["node"].clone();
    let body = app
        .gql_as(
            &acme,
            "mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { customer { id } } }",
            json!({ "input": { "id": c2["id"], "version": c2["version"], "ownerId": ann_id } }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    app.recompute_customer_value(&acme).await;
    const SUMMARY: &str =
        "{ customerValueSummary { customerCount tiers { customers revenue { amount } } } }";
    let tiers = |body: &Value| -> (i64, String) {
        let tiers = body["data"]["customerValueSummary"]["tiers"]
            .as_array()
            .unwrap_or_else(|| panic!("{body}"));
        let customers = tiers.iter().map(|t| t["customers"].as_i64().unwrap()).sum();
        let revenue: f64 = tiers
            .iter()
            .map(|t| {
                t["revenue"]["amount"]
                    .as_str()
                    .unwrap()
                    .parse::<f64>()
                    .unwrap()
            })
            .sum();
        (customers, format!("{revenue:.2}"))
    };
    let everyone = app.gql_as(&acme, SUMMARY, json!({})).await;
    assert_eq!(tiers(&everyone), (3, "600.00".to_owned()), "{everyone}");
    set_visibility(&app, &acme, "OWN").await;
    let own = app.gql_with(Some(&ann), SUMMARY, json!({})).await;
    assert_eq!(tiers(&own), (1, "200.00".to_owned()), "{own}");
}

#[tokio::test]
async fn a_reps_repeated_read_stops_at_once_when_the_setting_hides_the_customer() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let (ann, _) = sales_rep(&app, &acme, "ann@acme.example", None).await;
    let other = app
        .create_customer(&acme, json!({ "kind": "COMPANY", "name": "Not Ann's" }))
        .await;
    let id = other["id"].as_str().unwrap();
    let query = "query($id: ID!) { customer(id: $id) { name } }";
    // Seen under ALL, the same query again and again.
    for _ in 0..3 {
        let read = app.gql_with(Some(&ann), query, json!({ "id": id })).await;
        assert_eq!(read["data"]["customer"]["name"], "Not Ann's", "{read}");
    }
    set_visibility(&app, &acme, "OWN").await;
    let read = app.gql_with(Some(&ann), query, json!({ "id": id })).await;
    assert!(read["data"]["customer"].is_null(), "{read}");
}

#[tokio::test]
async fn a_rep_reaches_no_hidden_customer_through_search_duplicates_orders_or_history() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let (ann, ann_id) = sales_rep(&app, &acme, "ann@acme.example", None).await;
    let hidden = app
        .create_customer(
            &acme,
            json!({ "kind": "COMPANY", "name": "Globex Hidden", "email": "buyer@globex.example",
                    "phone": "+1 555 0100" }),
        )
        .await;
    let hidden_id = hidden["id"].as_str().unwrap().to_owned();
    let mine = app
        .create_customer(
            &acme,
            json!({ "kind": "COMPANY", "name": "Globex Mine", "ownerId": ann_id }),
        )
        .await;
    let body = app
        .gql_as(
            &acme,
            "mutation { createProduct(input: { sku: \"W-1\", name: \"Widget\" }) { product { id } } }",
            json!({}),
        )
        .await;
    let product = body["data"]["createProduct"]["product"]["id"].clone();
    for (customer, external) in [
        (&hidden_id, "H-1"),
        (&mine["id"].as_str().unwrap().to_owned(), "M-1"),
    ] {
        let body = app
            .gql_as(
                &acme,
                "mutation($input: CreateOrderInput!) { createOrder(input: $input) { order { id } } }",
                json!({ "input": {
                    "customerId": customer, "currency": "USD", "externalId": external,
                    "orderedAt": "2026-01-05T10:00:00Z",
                    "lines": [{ "productId": product, "quantity": "1", "unitPrice": "10" }],
                } }),
            )
            .await;
        assert!(
            body["data"]["createOrder"]["order"]["id"].is_string(),
            "{body}"
        );
    }
    set_visibility(&app, &acme, "OWN").await;

    // Search finds Ann's own customer only.
    let body = app
        .gql_with(
            Some(&ann),
            "{ searchCustomers(query: \"Globex\", first: 10) { id name } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["searchCustomers"],
        json!([{ "id": mine["id"], "name": "Globex Mine" }]),
        "{body}"
    );
    let body = app
        .gql_with(
            Some(&ann),
            "{ searchCustomers(query: \"buyer@globex.example\", first: 10) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["searchCustomers"], json!([]), "{body}");

    // A new customer sharing the hidden one's email and phone names no duplicate Ann cannot open.
    let body = app
        .gql_with(
            Some(&ann),
            "mutation { createCustomer(input: { kind: COMPANY, name: \"Globex Hidden\", email: \"buyer@globex.example\", phone: \"+1 555 0100\" }) { customer { id } duplicates { customer { id name email } } } }",
            json!({}),
        )
        .await;
    let duplicates = body["data"]["createCustomer"]["duplicates"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"));
    assert!(
        duplicates
            .iter()
            .all(|d| d["customer"]["id"] != hidden["id"]),
        "{body}"
    );

    // Orders list only the visible customers' orders.
    let body = app
        .gql_with(
            Some(&ann),
            "{ orders(first: 50) { totalCount edges { node { externalId customer { id } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["orders"]["totalCount"], 1, "{body}");
    assert_eq!(
        body["data"]["orders"]["edges"][0]["node"]["externalId"], "M-1",
        "{body}"
    );

    // The hidden customer's history is not found.
    let body = app
        .gql_with(
            Some(&ann),
            "query($id: ID!) { customerHistory(customerId: $id, first: 10) { edges { node { field newValue } } } }",
            json!({ "id": hidden_id }),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    assert!(!body.to_string().contains("buyer@globex.example"), "{body}");
}
