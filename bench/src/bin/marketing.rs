//! Marketing at scale: one workspace with 100,000 customers and 1,000,000
//! orders, through the HTTP GraphQL server.
//!
//! Measured, whole requests as a client sees them:
//! - `createSegment` of a dynamic segment over the 100,000 customers
//!   (filled at once; target under 2 s);
//! - `updateCustomer` one at a time with no dynamic segment, then with ten,
//!   the difference being the upkeep of membership in the write's
//!   transaction (target under 5 ms);
//! - starting a campaign whose audience is a segment of all 100,000
//!   customers (`changeCampaignStatus` to `ACTIVE` takes them all; target
//!   under 10 s);
//! - `campaign.results` (first-touch, last-touch and linear attribution)
//!   over the 1,000,000 orders with every customer reached (target under
//!   1 s).
//!
//! The customers and orders are written with SQL as the owner role, as in
//! the `value` benchmark. Run: `scripts/bench.sh marketing`.

#![recursion_limit = "256"]

use std::time::{Duration, Instant};

use crm_api::startup::connect_database;
use crm_tests::{TestApp, TestTenant};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{json, Value};

const CUSTOMERS: i64 = 100_000;
const ORDERS: i64 = 1_000_000;
const UPDATES: usize = 100;

async fn exec(db: &sea_orm::DatabaseConnection, sql: &str) {
    db.execute(Statement::from_string(DbBackend::Postgres, sql.to_owned()))
        .await
        .unwrap_or_else(|e| panic!("{e}: {sql}"));
}

async fn timed(
    app: &TestApp,
    tenant: &TestTenant,
    label: &str,
    query: &str,
    variables: Value,
) -> (Value, Duration) {
    let began = Instant::now();
    let body = app.gql_as(tenant, query, variables).await;
    let elapsed = began.elapsed();
    assert!(body.get("errors").is_none(), "{label}: {body}");
    println!("{label}: {elapsed:.2?}");
    (body["data"].clone(), elapsed)
}

/// The median and 95th percentile of `updateCustomer` on customers in turn.
async fn update_latency(
    app: &TestApp,
    tenant: &TestTenant,
    ids: &[(String, i64)],
    round: usize,
) -> (Duration, Duration) {
    let mut times = Vec::with_capacity(ids.len());
    for (id, version) in ids {
        let began = Instant::now();
        let body = app
            .gql_as(
                tenant,
                "mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { customer { version } } }",
                json!({ "input": { "id": id, "version": version + round as i64,
                                   "region": if round.is_multiple_of(2) { "US" } else { "EU" } } }),
            )
            .await;
        assert!(body.get("errors").is_none(), "{body}");
        times.push(began.elapsed());
    }
    times.sort();
    (times[times.len() / 2], times[times.len() * 95 / 100])
}

#[tokio::main]
async fn main() {
    let app = TestApp::spawn_with(|c| {
        c.analytics_poll_interval = Duration::from_secs(3600);
        c.database_max_connections = 8;
    })
    .await;
    let tenant = app.sign_up("bench").await;
    let tenant_id = &tenant.tenant_id;

    let began = Instant::now();
    let owner = connect_database(&app.db.owner_url, 1).await.unwrap();
    exec(
        &owner,
        &format!("SELECT set_config('app.tenant_id', '{tenant_id}', false)"),
    )
    .await;
    exec(
        &owner,
        &format!(
            "INSERT INTO customers (tenant_id, id, kind, name, external_id, lifecycle_stage, region, tags)
             SELECT '{tenant_id}', gen_random_uuid(), 'PERSON', 'Customer ' || i, 'C-' || i, 'CUSTOMER',
                    (ARRAY['EU', 'US', 'APAC', 'LATAM'])[1 + i % 4],
                    CASE WHEN i % 10 = 0 THEN ARRAY['vip'] ELSE ARRAY[]::text[] END
               FROM generate_series(1, {CUSTOMERS}) i"
        ),
    )
    .await;
    exec(
        &owner,
        &format!(
            "WITH c AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM customers WHERE tenant_id = '{tenant_id}'),
                  g AS (SELECT i, 1 + (i % {CUSTOMERS}) AS n FROM generate_series(1, {ORDERS}) i)
             INSERT INTO orders (tenant_id, id, customer_id, ordered_at, currency, channel, status, total_amount)
             SELECT '{tenant_id}', gen_random_uuid(), c.id, now() - random() * interval '180 days',
                    'USD', 'WEB', 'PAID', round((5 + random() * 200)::numeric, 2)
               FROM g JOIN c ON c.n = g.n"
        ),
    )
    .await;
    exec(&owner, "ANALYZE").await;
    println!(
        "generated {CUSTOMERS} customers and {ORDERS} orders in {:.2?}",
        began.elapsed()
    );

    // Customer writes without, then with, dynamic segments.
    let sample = app
        .gql_as(
            &tenant,
            &format!("{{ customers(first: {UPDATES}) {{ edges {{ node {{ id version }} }} }} }}"),
            json!({}),
        )
        .await;
    let ids: Vec<(String, i64)> = sample["data"]["customers"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("customers: {sample}"))
        .iter()
        .map(|e| {
            (
                e["node"]["id"].as_str().unwrap().to_owned(),
                e["node"]["version"].as_i64().unwrap(),
            )
        })
        .collect();
    let (p50, p95) = update_latency(&app, &tenant, &ids, 0).await;
    println!(
        "updateCustomer, no dynamic segment: median {p50:.2?}, p95 {p95:.2?} ({UPDATES} writes)"
    );

    let (created, _) = timed(
        &app,
        &tenant,
        "createSegment (dynamic, region EU or vip, over 100,000 customers)",
        "mutation { createSegment(input: { name: \"Europe or VIP\", kind: DYNAMIC,
            filter: { or: [{ region: { eq: \"EU\" } }, { tags: { contains: \"vip\" } }] } }) { segment { id memberCount } } }",
        json!({}),
    )
    .await;
    println!(
        "  members: {}",
        created["createSegment"]["segment"]["memberCount"]
    );
    for i in 0..9 {
        app.gql_as(
            &tenant,
            "mutation($name: String!, $n: String!) { createSegment(input: { name: $name, kind: DYNAMIC,
                filter: { name: { startsWith: $n }, region: { ne: \"APAC\" } } }) { segment { id } } }",
            json!({ "name": format!("Segment {i}"), "n": format!("Customer {i}") }),
        )
        .await;
    }
    let (p50s, p95s) = update_latency(&app, &tenant, &ids, 1).await;
    println!(
        "updateCustomer, 10 dynamic segments: median {p50s:.2?}, p95 {p95s:.2?}; upkeep ≈ {:.2?} (median difference)",
        p50s.saturating_sub(p50)
    );

    // A campaign to everyone.
    let (all, _) = timed(
        &app,
        &tenant,
        "createSegment (dynamic, every customer)",
        "mutation { createSegment(input: { name: \"Everyone\", kind: DYNAMIC, filter: {} }) { segment { id memberCount } } }",
        json!({}),
    )
    .await;
    let everyone = all["createSegment"]["segment"]["id"].clone();
    let campaign = app
        .gql_as(
            &tenant,
            "mutation { createCampaign(input: { code: \"ALL\", plan: { name: \"Everyone\", kind: EMAIL } }) { campaign { id } } }",
            json!({}),
        )
        .await["data"]["createCampaign"]["campaign"]["id"]
        .clone();
    app.gql_as(
        &tenant,
        "mutation($c: ID!, $s: ID!) { setCampaignAudience(input: { campaignId: $c, segmentIds: [$s] }) { campaign { id } } }",
        json!({ "c": campaign, "s": everyone }),
    )
    .await;
    timed(
        &app,
        &tenant,
        "changeCampaignStatus ACTIVE (takes 100,000 members)",
        "mutation($c: ID!) { changeCampaignStatus(input: { id: $c, version: 1, status: ACTIVE }) { campaign { status } } }",
        json!({ "c": campaign }),
    )
    .await;

    // Every member reached 200 days ago, a second campaign reaching a third
    // of them 30 days ago; then the results over the 1,000,000 orders.
    exec(
        &owner,
        &format!(
            "UPDATE campaign_members SET status = 'SENT', touched_at = now() - interval '200 days'
              WHERE tenant_id = '{tenant_id}'"
        ),
    )
    .await;
    let second = app
        .gql_as(
            &tenant,
            "mutation { createCampaign(input: { code: \"RE\", plan: { name: \"Reminder\", kind: SMS } }) { campaign { id } } }",
            json!({}),
        )
        .await["data"]["createCampaign"]["campaign"]["id"]
        .clone();
    exec(
        &owner,
        &format!(
            "INSERT INTO campaign_members (tenant_id, campaign_id, customer_id, status, touched_at)
             SELECT tenant_id, '{}', id, 'SENT', now() - interval '30 days'
               FROM customers WHERE tenant_id = '{tenant_id}' AND abs(hashtext(id::text)) % 3 = 0",
            second.as_str().unwrap()
        ),
    )
    .await;
    exec(&owner, "ANALYZE campaign_members").await;
    let query = "query($c: ID!) { campaign(id: $c) { results(windowDays: 365) { memberCount reached
        first: attributedRevenue(model: FIRST_TOUCH) { amount } last: attributedRevenue(model: LAST_TOUCH) { amount }
        linear: attributedRevenue(model: LINEAR) { amount } acquisitions } } }";
    for round in ["cold", "again"] {
        let (r, _) = timed(
            &app,
            &tenant,
            &format!("campaign.results over {ORDERS} orders ({round})"),
            query,
            json!({ "c": campaign }),
        )
        .await;
        println!("  {}", r["campaign"]["results"]);
    }
}
