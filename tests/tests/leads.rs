//! Leads: captured with source, channel and campaign, qualified or
//! disqualified with a reason, and converted into a customer (matched,
//! chosen or new), a contact and optionally a deal, all or nothing.

use crm_tests::{error_code, error_field, TestApp, TestTenant};
use serde_json::{json, Value};

const CONVERT: &str = "mutation($input: ConvertLeadInput!) { convertLead(input: $input) {
    lead { id status customerId contactId dealId convertedAt }
    customer { id name kind } contact { id name email } deal { id name status stage { name } amount { amount currency } contacts { contactId } }
    matchedExistingCustomer } }";

async fn lead(app: &TestApp, tenant: &TestTenant, input: Value) -> Value {
    let body = app
        .gql_as(
            tenant,
            "mutation($input: CreateLeadInput!) { createLead(input: $input) { lead { id status name company email source channel campaign ownerId } } }",
            json!({ "input": input }),
        )
        .await;
    let lead = body["data"]["createLead"]["lead"].clone();
    assert!(lead.is_object(), "createLead failed: {body}");
    lead
}

async fn customer_count(app: &TestApp, tenant: &TestTenant) -> i64 {
    let body = app
        .gql_as(tenant, "{ customers { totalCount } }", json!({}))
        .await;
    body["data"]["customers"]["totalCount"].as_i64().unwrap()
}

#[tokio::test]
async fn leads_are_qualified_and_converted_into_customer_contact_and_deal() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme-leads").await;
    let peter = lead(
        &app,
        &acme,
        json!({
            "name": "Peter Gibbons", "company": "Initrode", "email": "peter@initrode.example",
            "source": "trade show", "channel": "in person", "campaign": "Spring expo",
        }),
    )
    .await;
    assert_eq!(peter["status"], "NEW");
    assert_eq!(peter["ownerId"], acme.user_id.as_str());
    let qualify = "mutation($input: QualifyLeadInput!) { qualifyLead(input: $input) { lead { status statusReason } } }";
    let body = app
        .gql_as(
            &acme,
            qualify,
            json!({ "input": { "id": peter["id"], "reason": "has budget" } }),
        )
        .await;
    assert_eq!(
        body["data"]["qualifyLead"]["lead"]["status"], "QUALIFIED",
        "{body}"
    );

    let body = app
        .gql_as(&acme, CONVERT, json!({ "input": { "leadId": peter["id"], "deal": { "amount": "5000", "currency": "USD" } } }))
        .await;
    let done = &body["data"]["convertLead"];
    assert_eq!(done["matchedExistingCustomer"], false, "{body}");
    assert_eq!(done["customer"]["name"], "Initrode");
    assert_eq!(done["customer"]["kind"], "COMPANY");
    assert_eq!(done["contact"]["name"], "Peter Gibbons");
    assert_eq!(done["contact"]["email"], "peter@initrode.example");
    assert_eq!(done["deal"]["name"], "Initrode");
    assert_eq!(done["deal"]["stage"]["name"], "Qualification");
    assert_eq!(
        done["deal"]["contacts"][0]["contactId"],
        done["contact"]["id"]
    );
    assert_eq!(done["lead"]["status"], "CONVERTED");
    assert_eq!(done["lead"]["customerId"], done["customer"]["id"]);
    assert_eq!(done["lead"]["contactId"], done["contact"]["id"]);
    assert_eq!(done["lead"]["dealId"], done["deal"]["id"]);
    let body = app
        .gql_as(
            &acme,
            CONVERT,
            json!({ "input": { "leadId": peter["id"] } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("CONFLICT"), "{body}");

    // A second lead from the same company email is matched to the customer.
    let michael = lead(&app, &acme, json!({ "name": "Michael Bolton", "company": "Initrode Inc", "email": "peter@initrode.example" })).await;
    let body = app
        .gql_as(
            &acme,
            CONVERT,
            json!({ "input": { "leadId": michael["id"] } }),
        )
        .await;
    let done = &body["data"]["convertLead"];
    assert_eq!(done["matchedExistingCustomer"], true, "{body}");
    assert_eq!(done["customer"]["name"], "Initrode");
    assert!(done["deal"].is_null());
    assert_eq!(customer_count(&app, &acme).await, 1);

    // Or into a customer named explicitly.
    let globex = app
        .create_customer(&acme, json!({ "kind": "COMPANY", "name": "Globex" }))
        .await;
    let samir = lead(&app, &acme, json!({ "name": "Samir" })).await;
    let body = app
        .gql_as(
            &acme,
            CONVERT,
            json!({ "input": { "leadId": samir["id"], "customerId": globex["id"] } }),
        )
        .await;
    assert_eq!(
        body["data"]["convertLead"]["customer"]["id"], globex["id"],
        "{body}"
    );

    // Disqualifying needs a reason, and a disqualified lead is not converted.
    let milton = lead(
        &app,
        &acme,
        json!({ "name": "Milton", "source": "cold call" }),
    )
    .await;
    let disqualify = "mutation($input: QualifyLeadInput!) { disqualifyLead(input: $input) { lead { status statusReason } } }";
    let body = app
        .gql_as(
            &acme,
            disqualify,
            json!({ "input": { "id": milton["id"] } }),
        )
        .await;
    assert_eq!(error_field(&body), Some("reason"), "{body}");
    let body = app
        .gql_as(
            &acme,
            disqualify,
            json!({ "input": { "id": milton["id"], "reason": "wants his stapler only" } }),
        )
        .await;
    assert_eq!(
        body["data"]["disqualifyLead"]["lead"]["status"], "DISQUALIFIED",
        "{body}"
    );
    let body = app
        .gql_as(
            &acme,
            CONVERT,
            json!({ "input": { "leadId": milton["id"] } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("CONFLICT"), "{body}");

    let body = app
        .gql_as(&acme, "{ leads(filter: { statusIn: [CONVERTED] }) { totalCount edges { node { name campaign } } } }", json!({}))
        .await;
    assert_eq!(body["data"]["leads"]["totalCount"], 3, "{body}");
}

#[tokio::test]
async fn a_conversion_that_fails_half_way_leaves_nothing_behind() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme-lead-atomic").await;
    let peter = lead(&app, &acme, json!({ "name": "Peter Gibbons", "company": "Initrode", "email": "peter@initrode.example" })).await;
    // The customer and contact are written before the deal, whose stage is unknown.
    let body = app
        .gql_as(
            &acme,
            CONVERT,
            json!({ "input": { "leadId": peter["id"],
            "deal": { "currency": "USD", "stageId": "0190b5a0-0000-7000-8000-000000000000" } } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("VALIDATION"), "{body}");
    assert_eq!(error_field(&body), Some("deal.stageId"), "{body}");
    assert_eq!(customer_count(&app, &acme).await, 0);
    let body = app
        .gql_as(
            &acme,
            "query($id: ID!) { lead(id: $id) { status customerId contactId dealId } }",
            json!({ "id": peter["id"] }),
        )
        .await;
    assert_eq!(
        body["data"]["lead"],
        json!({ "status": "NEW", "customerId": null, "contactId": null, "dealId": null })
    );
    let body = app
        .gql_as(&acme, "{ deals { totalCount } }", json!({}))
        .await;
    assert_eq!(body["data"]["deals"]["totalCount"], 0);
    // Retried with a valid deal, it goes through.
    let body = app
        .gql_as(
            &acme,
            CONVERT,
            json!({ "input": { "leadId": peter["id"], "deal": { "currency": "USD" } } }),
        )
        .await;
    assert_eq!(
        body["data"]["convertLead"]["lead"]["status"], "CONVERTED",
        "{body}"
    );
    assert_eq!(customer_count(&app, &acme).await, 1);
}

const UPDATE: &str = "mutation($input: UpdateLeadInput!) { updateLead(input: $input) { lead { id version name company email phone campaign ownerId status } } }";

#[tokio::test]
async fn leads_are_changed_until_converted_and_filtered_by_their_fields() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme-lead-edits").await;
    let peter = lead(
        &app,
        &acme,
        json!({ "name": "Peter", "phone": "+1 555 0100", "source": "web form", "campaign": "Spring" }),
    )
    .await;
    lead(
        &app,
        &acme,
        json!({ "name": "Samir", "source": "referral", "campaign": "Autumn" }),
    )
    .await;

    let body = app
        .gql_as(
            &acme,
            UPDATE,
            json!({ "input": { "id": peter["id"], "version": 1, "name": "Peter Gibbons",
                               "company": "Initrode", "phone": null, "campaign": "Summer" } }),
        )
        .await;
    let changed = &body["data"]["updateLead"]["lead"];
    assert_eq!(changed["version"], 2, "{body}");
    assert_eq!(changed["name"], "Peter Gibbons");
    assert_eq!(changed["company"], "Initrode");
    assert!(changed["phone"].is_null(), "null clears a field: {body}");
    assert_eq!(changed["campaign"], "Summer");

    // A stale version and a bad value are refused by field; nothing changes.
    let body = app
        .gql_as(
            &acme,
            UPDATE,
            json!({ "input": { "id": peter["id"], "version": 1, "name": "Lost update" } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("CONFLICT"), "{body}");
    assert_eq!(error_field(&body), Some("version"), "{body}");
    let body = app
        .gql_as(
            &acme,
            UPDATE,
            json!({ "input": { "id": peter["id"], "version": 2, "email": "not an email" } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("VALIDATION"), "{body}");
    assert_eq!(error_field(&body), Some("email"), "{body}");

    // Filters on the lead's own fields.
    let filtered = |filter: Value| {
        let app = &app;
        let acme = &acme;
        async move {
            let body = app
                .gql_as(
                    acme,
                    "query($f: LeadFilter) { leads(filter: $f) { totalCount edges { node { name } } } }",
                    json!({ "f": filter }),
                )
                .await;
            body["data"]["leads"]["edges"]
                .as_array()
                .unwrap_or_else(|| panic!("{body}"))
                .iter()
                .map(|e| e["node"]["name"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        filtered(json!({ "campaign": { "eq": "Summer" } })).await,
        ["Peter Gibbons"]
    );
    assert_eq!(
        filtered(json!({ "source": { "contains": "refer" } })).await,
        ["Samir"]
    );
    assert_eq!(
        filtered(json!({ "ownerId": { "eq": acme.user_id } }))
            .await
            .len(),
        2
    );
    assert!(
        filtered(json!({ "createdAt": { "lt": "2000-01-01T00:00:00Z" } }))
            .await
            .is_empty()
    );

    // A converted lead keeps what it was converted from.
    let body = app
        .gql_as(
            &acme,
            CONVERT,
            json!({ "input": { "leadId": peter["id"], "matchExistingCustomer": false } }),
        )
        .await;
    assert_eq!(
        body["data"]["convertLead"]["lead"]["status"], "CONVERTED",
        "{body}"
    );
    let body = app
        .gql_as(
            &acme,
            UPDATE,
            json!({ "input": { "id": peter["id"], "version": 3, "name": "Too late" } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("CONFLICT"), "{body}");
    assert_eq!(error_field(&body), Some("id"), "{body}");
}
