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

// ---------------------------------------------------------------- scheduled steps

const STEP: &str =
    "id version kind status scheduledAt sentCount skippedCount texts { language subject body }";

async fn add_step(app: &TestApp, tenant: &TestTenant, input: Value) -> Value {
    app.gql_as(
        tenant,
        &format!("mutation($input: AddCampaignStepInput!) {{ addCampaignStep(input: $input) {{ step {{ {STEP} }} }} }}"),
        json!({ "input": input }),
    )
    .await
}

/// An active campaign of `tenant` with `members` (customers' ids) and owner `owner_id`.
async fn active_campaign(
    app: &TestApp,
    tenant: &TestTenant,
    name: &str,
    owner_id: Option<&str>,
    members: &[&Value],
) -> Value {
    let campaign = create_campaign(
        app,
        tenant,
        json!({ "code": name, "plan": { "name": name, "kind": "EMAIL", "ownerId": owner_id } }),
    )
    .await;
    let ids: Vec<&Value> = members.iter().map(|c| &c["id"]).collect();
    must(
        app,
        tenant,
        "mutation($input: CampaignMembersInput!) { addCampaignMembers(input: $input) { changed } }",
        json!({ "input": { "campaignId": campaign["id"], "customerIds": ids } }),
    )
    .await;
    let started = change_status(app, tenant, &campaign, "ACTIVE").await;
    assert!(started["errors"].is_null(), "{started}");
    campaign
}

/// A customer with one contact (`email`, `language`), or none.
async fn contact_customer(
    app: &TestApp,
    tenant: &TestTenant,
    name: &str,
    contact: Option<(&str, &str, Option<&str>)>,
) -> Value {
    let customer = customer(app, tenant, name, "EU").await;
    if let Some((contact_name, email, language)) = contact {
        must(
            app,
            tenant,
            "mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id } } }",
            json!({ "input": { "customerId": customer["id"], "name": contact_name, "email": email,
                    "language": language } }),
        )
        .await;
    }
    customer
}

async fn set_member_status(
    app: &TestApp,
    tenant: &TestTenant,
    campaign: &Value,
    customer: &Value,
    status: &str,
) {
    must(
        app,
        tenant,
        "mutation($input: SetCampaignMemberStatusInput!) { setCampaignMemberStatus(input: $input) { changed } }",
        json!({ "input": { "campaignId": campaign["id"], "customerIds": [customer["id"]], "status": status } }),
    )
    .await;
}

/// One round of the step worker, as a node would run it.
async fn step_round(app: &TestApp) -> usize {
    let db = app.db.connect_as_app().await;
    let cache =
        crm_api::cache::Cache::new(&app.config.redis_url, &app.config.redis_key_prefix).unwrap();
    crm_api::workers::campaign_steps::round(&db, &cache)
        .await
        .unwrap()
}

/// The campaign messages queued for `tenant`: (recipient, subject, body), by recipient.
async fn campaign_messages(app: &TestApp, tenant: &TestTenant) -> Vec<(String, String, String)> {
    use sea_orm::{ConnectionTrait, Database, Statement};
    let owner = Database::connect(app.db.owner_url.as_str()).await.unwrap();
    let rows = owner
        .query_all(Statement::from_sql_and_values(
            owner.get_database_backend(),
            "SELECT recipient, subject, body FROM outbound_messages
              WHERE tenant_id = $1::uuid AND kind = 'campaign' ORDER BY recipient, created_at",
            [tenant.tenant_id.clone().into()],
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            (
                r.try_get("", "recipient").unwrap(),
                r.try_get("", "subject").unwrap(),
                r.try_get("", "body").unwrap(),
            )
        })
        .collect()
}

async fn steps_of(app: &TestApp, tenant: &TestTenant, campaign: &Value) -> Value {
    must(
        app,
        tenant,
        &format!("query($id: ID!) {{ campaign(id: $id) {{ steps {{ {STEP} }} members {{ edges {{ node {{ status customer {{ name }} }} }} }} }} }}"),
        json!({ "id": campaign["id"] }),
    )
    .await["campaign"]
        .clone()
}

fn email_texts() -> Value {
    json!([
        { "language": "EN", "subject": "{{campaign.name}} for {{customer.name}}",
          "body": "Dear {{ contact.name }}, see you at {{campaign.name}}." },
        { "language": "ZH_CN", "subject": "{{campaign.name}}：{{customer.name}}",
          "body": "{{contact.name}}，您好！" },
    ])
}

#[tokio::test]
async fn an_email_step_sends_once_to_each_reachable_member_in_their_language() {
    let app = TestApp::spawn_with(|c| {
        c.campaign_step_poll_interval = std::time::Duration::from_secs(3600)
    })
    .await;
    let acme = app.sign_up(&crm_tests::unique_slug("steps")).await;
    let ann = contact_customer(
        &app,
        &acme,
        "Acme",
        Some(("Ann", "ann@acme.example", Some("en"))),
    )
    .await;
    let li = contact_customer(
        &app,
        &acme,
        "北京贸易",
        Some(("李雷", "li@bj.example", Some("zh-CN"))),
    )
    .await;
    let de = contact_customer(
        &app,
        &acme,
        "Berlin GmbH",
        Some(("Dora", "dora@berlin.example", Some("de"))),
    )
    .await;
    let mailless = contact_customer(&app, &acme, "No Mail", None).await;
    let gone = contact_customer(&app, &acme, "Gone", Some(("Gus", "gus@gone.example", None))).await;
    let bounced = contact_customer(
        &app,
        &acme,
        "Bounce",
        Some(("Bo", "bo@bounce.example", None)),
    )
    .await;
    let campaign = active_campaign(
        &app,
        &acme,
        "Spring Fair",
        None,
        &[&ann, &li, &de, &mailless, &gone, &bounced],
    )
    .await;
    set_member_status(&app, &acme, &campaign, &gone, "UNSUBSCRIBED").await;
    set_member_status(&app, &acme, &campaign, &bounced, "BOUNCED").await;
    let later = add_step(
        &app,
        &acme,
        json!({ "campaignId": campaign["id"], "kind": "EMAIL",
                "scheduledAt": (Utc::now() + Duration::days(1)).to_rfc3339(), "texts": email_texts() }),
    )
    .await;
    assert!(later["errors"].is_null(), "{later}");
    let step = add_step(
        &app,
        &acme,
        json!({ "campaignId": campaign["id"], "kind": "EMAIL",
                "scheduledAt": (Utc::now() - Duration::minutes(1)).to_rfc3339(), "texts": email_texts() }),
    )
    .await;
    assert_eq!(
        step["data"]["addCampaignStep"]["step"]["status"], "SCHEDULED",
        "{step}"
    );

    // Two nodes' workers at once: one of them runs the due step, once.
    let (a, b) = tokio::join!(step_round(&app), step_round(&app));
    assert_eq!(a + b, 1, "exactly one worker runs the due step");
    assert_eq!(step_round(&app).await, 0, "nothing left to run");

    let sent = campaign_messages(&app, &acme).await;
    assert_eq!(
        sent,
        vec![
            (
                "ann@acme.example".to_owned(),
                "Spring Fair for Acme".to_owned(),
                "Dear Ann, see you at Spring Fair.".to_owned()
            ),
            (
                "dora@berlin.example".to_owned(),
                "Spring Fair for Berlin GmbH".to_owned(),
                "Dear Dora, see you at Spring Fair.".to_owned()
            ),
            (
                "li@bj.example".to_owned(),
                "Spring Fair：北京贸易".to_owned(),
                "李雷，您好！".to_owned()
            ),
        ]
    );
    let read = steps_of(&app, &acme, &campaign).await;
    let steps = read["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 2, "{read}");
    assert_eq!(steps[0]["status"], "DONE", "{read}");
    assert_eq!(steps[0]["sentCount"], 3, "{read}");
    assert_eq!(steps[0]["skippedCount"], 3, "{read}");
    assert_eq!(
        steps[1]["status"], "SCHEDULED",
        "the later step waits: {read}"
    );
    assert_eq!(steps[1]["texts"][1]["language"], "ZH_CN", "{read}");
    let status_of = |name: &str| {
        read["members"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["node"]["customer"]["name"] == name)
            .map(|e| e["node"]["status"].clone())
            .unwrap()
    };
    assert_eq!(status_of("Acme"), "SENT");
    assert_eq!(status_of("北京贸易"), "SENT");
    assert_eq!(status_of("No Mail"), "TARGETED");
    assert_eq!(status_of("Gone"), "UNSUBSCRIBED");
    assert_eq!(status_of("Bounce"), "BOUNCED");
    // A sent member counts as reached from now on.
    let results = must(
        &app,
        &acme,
        "query($id: ID!) { campaign(id: $id) { results { reached } } }",
        json!({ "id": campaign["id"] }),
    )
    .await;
    assert_eq!(
        results["campaign"]["results"]["reached"],
        3 + 1,
        "{results}"
    );
}

#[tokio::test]
async fn a_step_taken_up_again_after_a_crash_never_sends_twice() {
    let app =
        TestApp::spawn_with(|c| c.campaign_step_poll_interval = std::time::Duration::from_secs(1))
            .await;
    let peer = app.spawn_peer().await;
    let acme = app.sign_up(&crm_tests::unique_slug("steps")).await;
    let mut members = Vec::new();
    for name in ["Alpha", "Beta", "Gamma"] {
        let email = format!("{}@crash.example", name.to_lowercase());
        members.push(contact_customer(&app, &acme, name, Some((name, &email, None))).await);
    }
    let campaign = create_campaign(
        &app,
        &acme,
        json!({ "code": "Crash", "plan": { "name": "Crash" } }),
    )
    .await;
    let ids: Vec<&Value> = members.iter().map(|c| &c["id"]).collect();
    must(
        &app,
        &acme,
        "mutation($input: CampaignMembersInput!) { addCampaignMembers(input: $input) { changed } }",
        json!({ "input": { "campaignId": campaign["id"], "customerIds": ids } }),
    )
    .await;
    // Due, but its campaign is only planned: no worker takes it.
    let step = add_step(
        &app,
        &acme,
        json!({ "campaignId": campaign["id"], "kind": "EMAIL",
                "scheduledAt": (Utc::now() - Duration::minutes(1)).to_rfc3339(),
                "texts": [{ "language": "EN", "subject": "Hi {{contact.name}}", "body": "Hello" }] }),
    )
    .await;
    let step_id = step["data"]["addCampaignStep"]["step"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert!(campaign_messages(&app, &acme).await.is_empty());
    assert_eq!(
        steps_of(&app, &acme, &campaign).await["steps"][0]["status"],
        "SCHEDULED"
    );

    // A node claimed the step and reached Alpha, then stopped: the step
    // is RUNNING with a lease that ran out.
    use sea_orm::{ConnectionTrait, Statement, TransactionTrait};
    let db = app.db.connect_as_app().await;
    let tx = db.begin().await.unwrap();
    tx.execute(Statement::from_sql_and_values(
        db.get_database_backend(),
        "SELECT set_config('app.tenant_id', $1, true)",
        [acme.tenant_id.clone().into()],
    ))
    .await
    .unwrap();
    tx.execute(Statement::from_sql_and_values(
        db.get_database_backend(),
        "WITH crashed AS (
                 UPDATE campaign_steps SET status = 'RUNNING', attempts = 1,
                        leased_until = now() - interval '1 second', sent_count = 1
                  WHERE id = $1::uuid RETURNING tenant_id, id)
             INSERT INTO campaign_step_deliveries (tenant_id, step_id, customer_id, outcome)
             SELECT tenant_id, id, $2::uuid, 'SENT' FROM crashed",
        [
            step_id.clone().into(),
            members[0]["id"].as_str().unwrap().into(),
        ],
    ))
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let started = change_status(&app, &acme, &campaign, "ACTIVE").await;
    assert!(started["errors"].is_null(), "{started}");

    // Both servers' workers look for due steps every second.
    let mut read = Value::Null;
    for _ in 0..60 {
        read = steps_of(&app, &acme, &campaign).await;
        if read["steps"][0]["status"] == "DONE" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    assert_eq!(read["steps"][0]["status"], "DONE", "{read}");
    assert_eq!(read["steps"][0]["sentCount"], 3, "{read}");
    let recipients: Vec<String> = campaign_messages(&app, &acme)
        .await
        .into_iter()
        .map(|(to, _, _)| to)
        .collect();
    assert_eq!(recipients, ["beta@crash.example", "gamma@crash.example"]);
    drop(peer);
}

#[tokio::test]
async fn a_call_list_makes_a_task_for_each_owner() {
    let app = TestApp::spawn_with(|c| {
        c.campaign_step_poll_interval = std::time::Duration::from_secs(3600)
    })
    .await;
    let acme = app.sign_up(&crm_tests::unique_slug("calls")).await;
    let (_, marketer_id) = app
        .invite_member(&acme, "marketer@calls.example", "MARKETING", None)
        .await;
    let owned = app
        .create_customer(
            &acme,
            json!({ "kind": "COMPANY", "name": "Owned", "ownerId": acme.user_id }),
        )
        .await;
    let unowned = app
        .create_customer(&acme, json!({ "kind": "COMPANY", "name": "Unowned" }))
        .await;
    let gone = app
        .create_customer(&acme, json!({ "kind": "COMPANY", "name": "Gone" }))
        .await;
    let campaign = active_campaign(
        &app,
        &acme,
        "Calls",
        Some(&marketer_id),
        &[&owned, &unowned, &gone],
    )
    .await;
    set_member_status(&app, &acme, &campaign, &gone, "UNSUBSCRIBED").await;
    let due = (Utc::now() - Duration::minutes(5)).to_rfc3339();
    let step = add_step(
        &app,
        &acme,
        json!({ "campaignId": campaign["id"], "kind": "CALL_LIST", "scheduledAt": due }),
    )
    .await;
    assert!(step["errors"].is_null(), "{step}");
    assert_eq!(step_round(&app).await, 1);
    assert_eq!(step_round(&app).await, 0);

    let tasks = |customer: &Value| {
        let id = customer["id"].clone();
        let app = &app;
        let acme = &acme;
        async move {
            must(
                app,
                acme,
                "query($id: ID!) { customer(id: $id) { openTaskCount interactions { edges { node { kind subject dueAt loggedBy } } } } }",
                json!({ "id": id }),
            )
            .await["customer"]
                .clone()
        }
    };
    let owned_tasks = tasks(&owned).await;
    assert_eq!(owned_tasks["openTaskCount"], 1, "{owned_tasks}");
    let task = &owned_tasks["interactions"]["edges"][0]["node"];
    assert_eq!(task["kind"], "TASK", "{owned_tasks}");
    assert_eq!(task["subject"], "Calls: Owned", "{owned_tasks}");
    assert_eq!(
        task["loggedBy"],
        acme.user_id.as_str(),
        "the customer's owner"
    );
    let due_at = chrono::DateTime::parse_from_rfc3339(task["dueAt"].as_str().unwrap()).unwrap();
    let scheduled = chrono::DateTime::parse_from_rfc3339(&due).unwrap();
    assert!(
        (due_at - scheduled).num_milliseconds().abs() < 1,
        "due at the step's time"
    );
    let unowned_tasks = tasks(&unowned).await;
    assert_eq!(
        unowned_tasks["interactions"]["edges"][0]["node"]["loggedBy"],
        marketer_id.as_str(),
        "the campaign's owner where the customer has none: {unowned_tasks}"
    );
    assert_eq!(tasks(&gone).await["openTaskCount"], 0);
    let read = steps_of(&app, &acme, &campaign).await;
    assert_eq!(read["steps"][0]["sentCount"], 2, "{read}");
    assert_eq!(read["steps"][0]["skippedCount"], 1, "{read}");
    assert!(
        campaign_messages(&app, &acme).await.is_empty(),
        "a call list sends no mail"
    );
}

#[tokio::test]
async fn steps_are_checked_versioned_and_kept_within_their_workspace() {
    let app = TestApp::spawn_with(|c| {
        c.campaign_step_poll_interval = std::time::Duration::from_secs(3600)
    })
    .await;
    let acme = app.sign_up(&crm_tests::unique_slug("stepcheck")).await;
    let globex = app.sign_up(&crm_tests::unique_slug("stepcheck")).await;
    let campaign = create_campaign(
        &app,
        &acme,
        json!({ "code": "Checks", "plan": { "name": "Checks" } }),
    )
    .await;
    let at = (Utc::now() + Duration::days(2)).to_rfc3339();
    let refused = |input: Value| {
        let app = &app;
        let acme = &acme;
        async move {
            let body = add_step(app, acme, input).await;
            assert_eq!(error_code(&body), Some("VALIDATION"), "{body}");
            error_field(&body).map(str::to_owned)
        }
    };
    let unknown = add_step(
        &app,
        &acme,
        json!({ "campaignId": campaign["id"], "kind": "EMAIL", "scheduledAt": at,
                "texts": [{ "language": "EN", "subject": "Hi", "body": "Dear {{contact.title}}" }] }),
    )
    .await;
    assert_eq!(error_code(&unknown), Some("VALIDATION"), "{unknown}");
    assert_eq!(error_field(&unknown), Some("texts[0].body"), "{unknown}");
    let message = unknown["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("contact.title"), "{unknown}");
    assert_eq!(
        refused(
            json!({ "campaignId": campaign["id"], "kind": "EMAIL", "scheduledAt": at,
            "texts": [{ "language": "ZH_CN", "subject": "你好", "body": "你好" }] })
        )
        .await
        .as_deref(),
        Some("texts"),
        "English is required"
    );
    assert_eq!(
        refused(
            json!({ "campaignId": campaign["id"], "kind": "CALL_LIST", "scheduledAt": at,
            "texts": [{ "language": "EN", "subject": "Hi", "body": "Hi" }] })
        )
        .await
        .as_deref(),
        Some("texts")
    );
    assert_eq!(
        refused(
            json!({ "campaignId": campaign["id"], "kind": "EMAIL", "scheduledAt": at,
            "texts": [{ "language": "EN", "subject": "{{campaign.name", "body": "Hi" }] })
        )
        .await
        .as_deref(),
        Some("texts[0].subject")
    );

    let step = add_step(
        &app,
        &acme,
        json!({ "campaignId": campaign["id"], "kind": "EVENT_INVITATION", "scheduledAt": at,
                "texts": [{ "language": "EN", "subject": "Join us", "body": "Dear {{contact.name}}" }] }),
    )
    .await["data"]["addCampaignStep"]["step"]
        .clone();
    assert_eq!(step["kind"], "EVENT_INVITATION", "{step}");
    let update = "mutation($input: UpdateCampaignStepInput!) { updateCampaignStep(input: $input) { step { id version scheduledAt texts { language subject } } } }";
    let later = (Utc::now() + Duration::days(3)).to_rfc3339();
    let updated = must(
        &app,
        &acme,
        update,
        json!({ "input": { "id": step["id"], "version": step["version"], "scheduledAt": later,
                "texts": email_texts() } }),
    )
    .await["updateCampaignStep"]["step"]
        .clone();
    assert_eq!(updated["version"], 2, "{updated}");
    assert_eq!(updated["texts"].as_array().unwrap().len(), 2, "{updated}");
    let stale = app
        .gql_as(
            &acme,
            update,
            json!({ "input": { "id": step["id"], "version": 1, "scheduledAt": at } }),
        )
        .await;
    assert_eq!(error_code(&stale), Some("CONFLICT"), "{stale}");
    assert_eq!(error_field(&stale), Some("version"), "{stale}");

    // Another workspace neither sees nor touches the step or its campaign.
    let cancel = "mutation($input: CancelCampaignStepInput!) { cancelCampaignStep(input: $input) { step { status version } } }";
    for (document, input) in [
        (
            update,
            json!({ "id": step["id"], "version": 2, "scheduledAt": at }),
        ),
        (cancel, json!({ "id": step["id"], "version": 2 })),
    ] {
        let body = app
            .gql_as(&globex, document, json!({ "input": input }))
            .await;
        assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    }
    let foreign = add_step(
        &app,
        &globex,
        json!({ "campaignId": campaign["id"], "kind": "CALL_LIST", "scheduledAt": at }),
    )
    .await;
    assert_eq!(error_code(&foreign), Some("NOT_FOUND"), "{foreign}");
    let seen = app
        .gql_as(
            &globex,
            "query($id: ID!) { campaign(id: $id) { steps { id } } }",
            json!({ "id": campaign["id"] }),
        )
        .await;
    assert!(seen["data"]["campaign"].is_null(), "{seen}");

    // Cancelled: no longer changed; an ended campaign takes no steps.
    let cancelled = must(
        &app,
        &acme,
        cancel,
        json!({ "input": { "id": step["id"], "version": 2 } }),
    )
    .await;
    assert_eq!(
        cancelled["cancelCampaignStep"]["step"]["status"],
        "CANCELLED"
    );
    let again = app
        .gql_as(
            &acme,
            cancel,
            json!({ "input": { "id": step["id"], "version": 3 } }),
        )
        .await;
    assert_eq!(error_code(&again), Some("VALIDATION"), "{again}");
    assert_eq!(error_field(&again), Some("id"), "{again}");
    let pending = add_step(
        &app,
        &acme,
        json!({ "campaignId": campaign["id"], "kind": "CALL_LIST", "scheduledAt": at }),
    )
    .await;
    assert!(pending["errors"].is_null(), "{pending}");
    let ended = change_status(&app, &acme, &campaign, "CANCELLED").await;
    assert!(ended["errors"].is_null(), "{ended}");
    let read = steps_of(&app, &acme, &campaign).await;
    let statuses: Vec<&Value> = read["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["status"])
        .collect();
    assert_eq!(
        statuses,
        ["CANCELLED", "CANCELLED"],
        "an ended campaign's steps do not run: {read}"
    );
    assert_eq!(
        refused(json!({ "campaignId": campaign["id"], "kind": "CALL_LIST", "scheduledAt": at }))
            .await
            .as_deref(),
        Some("campaignId")
    );
    // Steps need marketing:write.
    let (sales_token, _) = app
        .invite_member(&acme, "rep@stepcheck.example", "SALES", None)
        .await;
    let other = create_campaign(
        &app,
        &acme,
        json!({ "code": "Other", "plan": { "name": "Other" } }),
    )
    .await;
    let body = app
        .gql_with(
            Some(&sales_token),
            "mutation($input: AddCampaignStepInput!) { addCampaignStep(input: $input) { step { id } } }",
            json!({ "input": { "campaignId": other["id"], "kind": "CALL_LIST", "scheduledAt": at } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
}
