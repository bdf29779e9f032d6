//! Marketing campaigns: planned and moved through their statuses, aimed at
//! segments (taken when they start) and single customers, costed, and
//! evaluated: orders and leads name them by code, revenue is attributed
//! under first-touch, last-touch and linear models, ROI and cost per lead
//! and acquisition follow; programmes roll up their campaigns.

use chrono::{Duration, Utc};
use crm_tests::{error_code, error_field, TestApp, TestTenant};
use serde_json::{json, Value};

const CAMPAIGN: &str =
    "id version code name kind status budget { amount currency } startsOn endsOn parentId";

async fn must(app: &TestApp, tenant: &TestTenant, query: &str, variables: Value) -> Value {
    let body = app.gql_as(tenant, query, variables).await;
    assert!(body["errors"].is_null(), "{query} failed: {body}");
    body["data"].clone()
}

async fn create_campaign(app: &TestApp, tenant: &TestTenant, input: Value) -> Value {
    must(
        app,
        tenant,
        &format!("mutation($input: CreateCampaignInput!) {{ createCampaign(input: $input) {{ campaign {{ {CAMPAIGN} }} }} }}"),
        json!({ "input": input }),
    )
    .await["createCampaign"]["campaign"]
        .clone()
}

async fn change_status(
    app: &TestApp,
    tenant: &TestTenant,
    campaign: &Value,
    status: &str,
) -> Value {
    app.gql_as(
        tenant,
        "mutation($input: ChangeCampaignStatusInput!) { changeCampaignStatus(input: $input) { campaign { version status startedAt } } }",
        json!({ "input": { "id": campaign["id"], "version": campaign["version"], "status": status } }),
    )
    .await
}

async fn customer(app: &TestApp, tenant: &TestTenant, name: &str, region: &str) -> Value {
    app.create_customer(
        tenant,
        json!({ "kind": "COMPANY", "name": name, "region": region, "externalId": name }),
    )
    .await
}

/// Imports orders: (external order id, customer external id, days ago, amount, campaign).
async fn orders(
    app: &TestApp,
    tenant: &TestTenant,
    rows: &[(&str, &str, i64, &str, Option<&str>)],
) {
    let rows: Vec<Value> = rows
        .iter()
        .map(|(order, customer, days, amount, campaign)| {
            let mut row = json!({ "externalOrderId": order, "customerExternalId": customer,
                "orderedAt": (Utc::now() - Duration::days(*days)).to_rfc3339(),
                "currency": "USD", "sku": "P-1", "quantity": "1", "unitPrice": amount });
            if let Some(c) = campaign {
                row["campaign"] = json!(c);
            }
            row
        })
        .collect();
    let body = must(
        app,
        tenant,
        "mutation($input: ImportOrdersInput!) { importOrders(input: $input) { ordersCreated ordersRejected errors { row field message } } }",
        json!({ "input": { "rows": rows } }),
    )
    .await;
    assert_eq!(body["importOrders"]["ordersRejected"], 0, "{body}");
}

async fn set_status(
    app: &TestApp,
    tenant: &TestTenant,
    campaign: &Value,
    customers: &[&Value],
    status: &str,
) -> i64 {
    let ids: Vec<&Value> = customers.iter().map(|c| &c["id"]).collect();
    must(
        app,
        tenant,
        "mutation($input: SetCampaignMemberStatusInput!) { setCampaignMemberStatus(input: $input) { changed } }",
        json!({ "input": { "campaignId": campaign["id"], "customerIds": ids, "status": status } }),
    )
    .await["setCampaignMemberStatus"]["changed"]
        .as_i64()
        .unwrap()
}

/// Sets when members were first reached (the campaigns of the test ran
/// days ago).
async fn reached_days_ago(app: &TestApp, tenant: &TestTenant, campaign: &Value, days: i64) {
    use sea_orm::ConnectionTrait;
    let db = app.db.connect_as_owner().await;
    db.execute_unprepared(&format!(
        "SET app.tenant_id = '{}'; UPDATE campaign_members SET touched_at = now() - interval '{days} days'
          WHERE campaign_id = '{}' AND touched_at IS NOT NULL; RESET app.tenant_id",
        tenant.tenant_id,
        campaign["id"].as_str().unwrap()
    ))
    .await
    .unwrap();
}

const RESULTS: &str = "query($id: ID!) { campaign(id: $id) { results {
    memberCount reached responses leads convertedLeads orders orderRevenue { amount currency }
    plannedCost { amount } actualCost { amount }
    first: attributedRevenue(model: FIRST_TOUCH) { amount }
    last: attributedRevenue(model: LAST_TOUCH) { amount }
    linear: attributedRevenue(model: LINEAR) { amount }
    acquisitions roi costPerLead { amount } costPerAcquisition { amount }
    membersByStatus { status count } } } }";

#[tokio::test]
async fn a_campaign_runs_from_plan_to_roi() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    must(
        &app,
        &acme,
        "mutation { createProduct(input: { sku: \"P-1\", name: \"Widget\" }) { product { id } } }",
        json!({}),
    )
    .await;
    let ann = customer(&app, &acme, "Ann", "EU").await;
    let bob = customer(&app, &acme, "Bob", "EU").await;
    let cyd = customer(&app, &acme, "Cyd", "US").await;
    let eu = must(
        &app,
        &acme,
        "mutation { createSegment(input: { name: \"Europe\", kind: DYNAMIC, filter: { region: { eq: \"EU\" } } }) { segment { id } } }",
        json!({}),
    )
    .await["createSegment"]["segment"]["id"]
        .clone();

    let spring = create_campaign(
        &app,
        &acme,
        json!({ "code": "SPRING-26", "plan": { "name": "Spring mailing", "kind": "EMAIL",
                "startsOn": "2026-03-01", "endsOn": "2026-03-31",
                "budget": { "amount": "1000", "currency": "USD" } } }),
    )
    .await;
    assert_eq!(spring["status"], "PLANNED");
    assert_eq!(spring["code"], "SPRING-26");
    assert_eq!(
        spring["budget"],
        json!({ "amount": "1000.00", "currency": "USD" })
    );
    must(
        &app,
        &acme,
        "mutation($input: SetCampaignAudienceInput!) { setCampaignAudience(input: $input) { campaign { audience { name } } } }",
        json!({ "input": { "campaignId": spring["id"], "segmentIds": [eu] } }),
    )
    .await;
    // Planned: nobody is a member yet. Starting takes the segment's members.
    let started = change_status(&app, &acme, &spring, "ACTIVE").await;
    assert_eq!(
        started["data"]["changeCampaignStatus"]["campaign"]["status"], "ACTIVE",
        "{started}"
    );
    let spring = json!({ "id": spring["id"], "version": 2 });
    // Cyd joins the campaign by hand; a later EU customer does not join.
    must(
        &app,
        &acme,
        "mutation($input: CampaignMembersInput!) { addCampaignMembers(input: $input) { changed } }",
        json!({ "input": { "campaignId": spring["id"], "customerIds": [cyd["id"]] } }),
    )
    .await;
    customer(&app, &acme, "Dee", "EU").await;
    let members = must(
        &app,
        &acme,
        "query($id: ID!) { campaign(id: $id) { members(first: 10) { edges { node { customer { name } status sourceSegmentId } } } } }",
        json!({ "id": spring["id"] }),
    )
    .await;
    let names: Vec<&str> = members["campaign"]["members"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["customer"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 3, "{members}");
    for name in ["Ann", "Bob", "Cyd"] {
        assert!(names.contains(&name), "{members}");
    }

    // Sent to all, Ann and Bob respond; they were reached 20 days ago.
    assert_eq!(
        set_status(&app, &acme, &spring, &[&ann, &bob, &cyd], "SENT").await,
        3
    );
    assert_eq!(
        set_status(&app, &acme, &spring, &[&ann, &bob], "RESPONDED").await,
        2
    );
    reached_days_ago(&app, &acme, &spring, 20).await;
    // A second campaign reaches Bob 10 days ago.
    let webinar = create_campaign(
        &app,
        &acme,
        json!({ "code": "WEB-1", "plan": { "name": "Webinar", "kind": "WEBINAR" } }),
    )
    .await;
    change_status(&app, &acme, &webinar, "ACTIVE").await;
    must(
        &app,
        &acme,
        "mutation($input: CampaignMembersInput!) { addCampaignMembers(input: $input) { changed } }",
        json!({ "input": { "campaignId": webinar["id"], "customerIds": [bob["id"]] } }),
    )
    .await;
    set_status(&app, &acme, &webinar, &[&bob], "CONVERTED").await;
    reached_days_ago(&app, &acme, &webinar, 10).await;

    // Orders: Ann 300 (5 days ago), Bob 200 (2 days ago), Cyd 50 naming
    // the spring campaign by code (1 day ago), and an order of Ann's from
    // before any campaign (100 days ago, outside the 90-day window).
    orders(
        &app,
        &acme,
        &[
            ("O-1", "Ann", 5, "300", None),
            ("O-2", "Bob", 2, "200", None),
            ("O-3", "Cyd", 1, "50", Some("SPRING-26")),
            ("O-4", "Ann", 100, "999", None),
        ],
    )
    .await;
    // A lead names it too.
    must(
        &app,
        &acme,
        "mutation { createLead(input: { name: \"Eve\", campaign: \"SPRING-26\" }) { lead { campaignId } } }",
        json!({}),
    )
    .await;
    // Costs: 600 spent, 1,000 planned.
    for (kind, amount) in [("PLANNED", "1000"), ("ACTUAL", "400"), ("ACTUAL", "200")] {
        must(
            &app,
            &acme,
            "mutation($input: AddCampaignCostInput!) { addCampaignCost(input: $input) { campaign { id } } }",
            json!({ "input": { "campaignId": spring["id"], "kind": kind, "category": "Mailing house",
                               "amount": { "amount": amount, "currency": "USD" }, "incurredOn": "2026-11-20" } }),
        )
        .await;
    }

    let r = must(&app, &acme, RESULTS, json!({ "id": spring["id"] })).await["campaign"]["results"]
        .clone();
    assert_eq!(r["memberCount"], 3, "{r}");
    assert_eq!(r["reached"], 3, "{r}");
    assert_eq!(r["responses"], 2, "{r}");
    assert_eq!(r["leads"], 1, "{r}");
    assert_eq!(r["orders"], 1, "{r}");
    assert_eq!(
        r["orderRevenue"],
        json!({ "amount": "50.00", "currency": "USD" }),
        "{r}"
    );
    assert_eq!(r["plannedCost"]["amount"], "1000.00", "{r}");
    assert_eq!(r["actualCost"]["amount"], "600.00", "{r}");
    // Touches: Ann spring(-20); Bob spring(-20), webinar(-10); Cyd spring(-20), spring order(-1).
    // First touch: Ann 300 + Bob 200 + Cyd 50 = 550.
    assert_eq!(r["first"]["amount"], "550.00", "{r}");
    // Last touch: Ann 300 + Cyd 50 (Bob's goes to the webinar) = 350.
    assert_eq!(r["last"]["amount"], "350.00", "{r}");
    // Linear: Ann 300 + Bob 200/2 + Cyd 50 (both touches spring) = 450.
    assert_eq!(r["linear"]["amount"], "450.00", "{r}");
    assert_eq!(r["acquisitions"], 2, "{r}");
    // ROI (last touch): (350 − 600) / 600.
    let roi = r["roi"].as_f64().unwrap();
    assert!((roi - (350.0 - 600.0) / 600.0).abs() < 1e-9, "{r}");
    assert_eq!(r["costPerLead"]["amount"], "600.00", "{r}");
    assert_eq!(r["costPerAcquisition"]["amount"], "300.00", "{r}");

    let w = must(&app, &acme, RESULTS, json!({ "id": webinar["id"] })).await["campaign"]["results"]
        .clone();
    assert_eq!(w["last"]["amount"], "200.00", "{w}");
    assert_eq!(w["first"]["amount"], "0.00", "{w}");
    assert_eq!(w["linear"]["amount"], "100.00", "{w}");
    assert!(w["roi"].is_null(), "no costs, no ROI: {w}");

    // A programme rolls up its campaigns.
    let programme =
        create_campaign(&app, &acme, json!({ "plan": { "name": "2026 growth" } })).await;
    assert_eq!(
        programme["code"], "2026 growth",
        "the code defaults to the name"
    );
    for child in [&spring, &webinar] {
        let version = must(
            &app,
            &acme,
            "query($id: ID!) { campaign(id: $id) { version } }",
            json!({ "id": child["id"] }),
        )
        .await["campaign"]["version"]
            .clone();
        must(
            &app,
            &acme,
            "mutation($input: UpdateCampaignInput!) { updateCampaign(input: $input) { campaign { parentId } } }",
            json!({ "input": { "id": child["id"], "version": version, "plan": { "parentId": programme["id"] } } }),
        )
        .await;
    }
    let p = must(
        &app,
        &acme,
        "query($id: ID!) { campaign(id: $id) { children { name } results { memberCount last: attributedRevenue { amount } actualCost { amount } }
            alone: results(includeChildren: false) { memberCount } } }",
        json!({ "id": programme["id"] }),
    )
    .await;
    assert_eq!(
        p["campaign"]["children"],
        json!([{ "name": "Spring mailing" }, { "name": "Webinar" }])
    );
    assert_eq!(p["campaign"]["results"]["memberCount"], 4, "{p}");
    assert_eq!(p["campaign"]["results"]["last"]["amount"], "550.00", "{p}");
    assert_eq!(
        p["campaign"]["results"]["actualCost"]["amount"], "600.00",
        "{p}"
    );
    assert_eq!(p["campaign"]["alone"]["memberCount"], 0, "{p}");

    // Campaigns side by side, with their results.
    let list = must(
        &app,
        &acme,
        "{ campaigns(first: 10, filter: { topLevel: false }, orderBy: [{ field: NAME }]) { totalCount edges { node { name results { last: attributedRevenue { amount } } } } } }",
        json!({}),
    )
    .await;
    assert_eq!(list["campaigns"]["totalCount"], 2, "{list}");
    assert_eq!(
        list["campaigns"]["edges"][0]["node"]["results"]["last"]["amount"],
        "350.00"
    );
    assert_eq!(
        list["campaigns"]["edges"][1]["node"]["results"]["last"]["amount"],
        "200.00"
    );
}

#[tokio::test]
async fn orders_and_leads_name_campaigns_by_code() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let known = create_campaign(
        &app,
        &acme,
        json!({ "code": "FAIR", "plan": { "name": "Trade fair", "kind": "EVENT" } }),
    )
    .await;
    let lead = must(
        &app,
        &acme,
        "mutation { a: createLead(input: { name: \"Ann\", campaign: \"FAIR\" }) { lead { campaign campaignId } }
                    b: createLead(input: { name: \"Bob\", campaign: \"Radio spot\" }) { lead { campaign campaignId } } }",
        json!({}),
    )
    .await;
    assert_eq!(lead["a"]["lead"]["campaignId"], known["id"], "{lead}");
    // A code no campaign had starts one, active, that can then be planned properly.
    let started = lead["b"]["lead"]["campaignId"].clone();
    assert!(started.is_string(), "{lead}");
    let found = must(
        &app,
        &acme,
        "query($id: ID!) { campaign(id: $id) { code name kind status } }",
        json!({ "id": started }),
    )
    .await;
    assert_eq!(
        found["campaign"],
        json!({ "code": "Radio spot", "name": "Radio spot", "kind": "OTHER", "status": "ACTIVE" })
    );
    let again = must(
        &app,
        &acme,
        "mutation { createLead(input: { name: \"Cyd\", campaign: \"Radio spot\" }) { lead { campaignId } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        again["createLead"]["lead"]["campaignId"], started,
        "one campaign per code"
    );
    // A merged customer's campaigns pass to the survivor.
    let ann = customer(&app, &acme, "Ann", "EU").await;
    let annie = customer(&app, &acme, "Annie", "EU").await;
    must(
        &app,
        &acme,
        "mutation($input: CampaignMembersInput!) { addCampaignMembers(input: $input) { changed } }",
        json!({ "input": { "campaignId": known["id"], "customerIds": [annie["id"]] } }),
    )
    .await;
    must(
        &app,
        &acme,
        "mutation($s: ID!, $m: ID!) { mergeCustomers(input: { survivorId: $s, mergedId: $m }) { customer { id } } }",
        json!({ "s": ann["id"], "m": annie["id"] }),
    )
    .await;
    let members = must(
        &app,
        &acme,
        "query($id: ID!) { campaign(id: $id) { members(first: 5) { edges { node { customer { name } } } } } }",
        json!({ "id": known["id"] }),
    )
    .await;
    assert_eq!(
        members["campaign"]["members"]["edges"],
        json!([{ "node": { "customer": { "name": "Ann" } } }]),
        "{members}"
    );
    // A campaign that orders or leads name cannot be deleted.
    let refused = app
        .gql_as(
            &acme,
            "mutation($id: ID!) { deleteCampaign(id: $id) }",
            json!({ "id": known["id"] }),
        )
        .await;
    assert_eq!(error_code(&refused), Some("CONFLICT"), "{refused}");
    // Another workspace's code is its own.
    let globex = app.sign_up("globex").await;
    let other = must(
        &app,
        &globex,
        "mutation { createLead(input: { name: \"Dee\", campaign: \"FAIR\" }) { lead { campaignId } } }",
        json!({}),
    )
    .await;
    assert_ne!(other["createLead"]["lead"]["campaignId"], known["id"]);
    let body = app
        .gql_as(
            &globex,
            "query($id: ID!) { campaign(id: $id) { id } }",
            json!({ "id": known["id"] }),
        )
        .await;
    assert!(body["data"]["campaign"].is_null(), "{body}");
}

#[tokio::test]
async fn campaign_plans_and_moves_are_checked_field_by_field() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let create = "mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { campaign { id } } }";
    let refused = |input: Value| {
        let (app, acme) = (&app, &acme);
        async move {
            let body = app.gql_as(acme, create, json!({ "input": input })).await;
            (
                error_code(&body).map(str::to_owned),
                error_field(&body).map(str::to_owned),
            )
        }
    };
    let v = |f: &str| (Some("VALIDATION".to_owned()), Some(f.to_owned()));
    assert_eq!(refused(json!({ "plan": {} })).await, v("plan.name"));
    assert_eq!(
        refused(json!({ "plan": { "name": " " } })).await,
        v("plan.name")
    );
    assert_eq!(
        refused(
            json!({ "plan": { "name": "x", "startsOn": "2026-05-02", "endsOn": "2026-05-01" } })
        )
        .await,
        v("plan.endsOn")
    );
    assert_eq!(
        refused(
            json!({ "plan": { "name": "x", "budget": { "amount": "-1", "currency": "USD" } } })
        )
        .await,
        v("plan.budget.amount")
    );
    assert_eq!(
        refused(json!({ "plan": { "name": "x", "budget": { "amount": "1", "currency": "XYZ" } } }))
            .await,
        v("plan.budget.currency")
    );
    assert_eq!(
        refused(
            json!({ "plan": { "name": "x", "budget": { "amount": "1", "currency": "USD" },
                                  "expectedRevenue": { "amount": "5", "currency": "EUR" } } })
        )
        .await,
        v("plan.expectedRevenue.currency")
    );
    assert_eq!(
        refused(json!({ "plan": { "name": "x", "parentId": uuid::Uuid::now_v7().to_string() } }))
            .await,
        v("plan.parentId")
    );
    let first = create_campaign(&app, &acme, json!({ "code": "A", "plan": { "name": "A" } })).await;
    assert_eq!(
        refused(json!({ "code": "A", "plan": { "name": "Another" } })).await,
        (Some("CONFLICT".to_owned()), Some("code".to_owned()))
    );
    // A campaign cannot sit under itself, directly or further down.
    let child = create_campaign(
        &app,
        &acme,
        json!({ "code": "B", "plan": { "name": "B", "parentId": first["id"] } }),
    )
    .await;
    let cycle = app
        .gql_as(
            &acme,
            "mutation($input: UpdateCampaignInput!) { updateCampaign(input: $input) { campaign { id } } }",
            json!({ "input": { "id": first["id"], "version": 1, "plan": { "parentId": child["id"] } } }),
        )
        .await;
    assert_eq!(error_field(&cycle), Some("plan.parentId"), "{cycle}");
    // Statuses move forward only.
    let done = change_status(&app, &acme, &first, "COMPLETED").await;
    assert_eq!(error_field(&done), Some("status"), "{done}");
    assert_eq!(
        change_status(&app, &acme, &first, "ACTIVE").await["data"]["changeCampaignStatus"]
            ["campaign"]["status"],
        "ACTIVE"
    );
    let stale = change_status(&app, &acme, &first, "COMPLETED").await;
    assert_eq!(error_code(&stale), Some("CONFLICT"), "{stale}");
    assert_eq!(error_field(&stale), Some("version"), "{stale}");
    let cancelled = change_status(
        &app,
        &acme,
        &json!({ "id": first["id"], "version": 2 }),
        "CANCELLED",
    )
    .await;
    assert_eq!(
        cancelled["data"]["changeCampaignStatus"]["campaign"]["status"], "CANCELLED",
        "{cancelled}"
    );
    // An ended campaign takes no members.
    let ann = customer(&app, &acme, "Ann", "EU").await;
    let late = app
        .gql_as(
            &acme,
            "mutation($input: CampaignMembersInput!) { addCampaignMembers(input: $input) { changed } }",
            json!({ "input": { "campaignId": first["id"], "customerIds": [ann["id"]] } }),
        )
        .await;
    assert_eq!(error_field(&late), Some("campaignId"), "{late}");
    // Window bounds.
    let body = app
        .gql_as(
            &acme,
            "query($id: ID!) { campaign(id: $id) { results(windowDays: 0) { memberCount } } }",
            json!({ "id": first["id"] }),
        )
        .await;
    assert_eq!(error_field(&body), Some("windowDays"), "{body}");
    // Sales reps neither read nor write campaigns.
    let (rep, _) = app
        .invite_member(&acme, "rep@acme.example", "SALES", None)
        .await;
    let read = app
        .gql_with(
            Some(&rep),
            "{ campaigns(first: 1) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&read), Some("FORBIDDEN"), "{read}");
}
