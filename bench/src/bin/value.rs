//! Customer value recompute: one workspace with 100,000 customers and
//! 1,000,000 orders (a quarter in EUR, converted at dated rates), one line
//! each.
//!
//! The data is written with SQL as the owner role (generating it through
//! `importOrders` is what the `orders` benchmark measures). Then a run is
//! queued and executed in-process exactly as the worker or the node that
//! received `recomputeCustomerValue` executes it: read the aggregated
//! history, fit BG/NBD and Gamma-Gamma, score, replace the stored results.
//! A second run measures the steady state (results replaced, not created).
//! Finally a few reads through the API: the summary, a page sorted by CLV,
//! a filter on tier and churn risk, an analysis and the growth figures.
//!
//! Run: `scripts/bench.sh value` (services up, release build).
// The schema's resolver futures are deeper than the default limit when
// the `perf` profile computes their layout.
#![recursion_limit = "256"]

use std::time::{Duration, Instant};

use crm_api::domain::analytics::{recompute, runs};
use crm_api::startup::connect_database;
use crm_api::tenancy::{TenantScope, TenantTx};
use crm_tests::TestApp;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{json, Value};
use uuid::Uuid;

const CUSTOMERS: i64 = 100_000;
const ORDERS: i64 = 1_000_000;
const PRODUCTS: i64 = 200;

async fn exec(db: &sea_orm::DatabaseConnection, sql: &str) {
    db.execute(Statement::from_string(DbBackend::Postgres, sql.to_owned()))
        .await
        .unwrap_or_else(|e| panic!("{e}: {sql}"));
}

async fn timed_gql(
    app: &TestApp,
    tenant: &crm_tests::TestTenant,
    label: &str,
    query: &str,
) -> Value {
    let began = Instant::now();
    let body = app.gql_as(tenant, query, json!({})).await;
    let elapsed = began.elapsed();
    assert!(body.get("errors").is_none(), "{label}: {body}");
    println!("{label}: {elapsed:.2?}");
    body
}

#[tokio::main]
async fn main() {
    // The worker must not pick the benchmark's runs up first.
    let app = TestApp::spawn_with(|c| c.analytics_poll_interval = Duration::from_secs(3600)).await;
    let tenant = app.sign_up("bench").await;
    let tenant_id = Uuid::parse_str(&tenant.tenant_id).unwrap();

    let began = Instant::now();
    let owner = connect_database(&app.db.owner_url, 1).await.unwrap();
    // Row-level security is forced for the owner too: act in the workspace.
    exec(
        &owner,
        &format!("SELECT set_config('app.tenant_id', '{tenant_id}', false)"),
    )
    .await;
    exec(
        &owner,
        &format!(
            "INSERT INTO products (tenant_id, id, sku, name, category, unit_cost, unit_cost_currency)
             SELECT '{tenant_id}', gen_random_uuid(), 'SKU-' || i, 'Product ' || i, 'Category ' || (i % 10),
                    (1 + i % 40)::numeric, 'USD'
               FROM generate_series(1, {PRODUCTS}) i"
        ),
    )
    .await;
    exec(
        &owner,
        &format!(
            "INSERT INTO exchange_rates (tenant_id, currency, valid_from, rate)
             SELECT '{tenant_id}', 'EUR', d::date, round((1.05 + 0.1 * random())::numeric, 6)
               FROM generate_series(date '2022-01-01', date '2026-12-01', interval '1 month') d"
        ),
    )
    .await;
    exec(
        &owner,
        &format!(
            "INSERT INTO customers (tenant_id, id, kind, name, external_id, lifecycle_stage, region)
             SELECT '{tenant_id}', gen_random_uuid(), 'PERSON', 'Customer ' || i, 'C-' || i, 'CUSTOMER',
                    'Region ' || (i % 8)
               FROM generate_series(1, {CUSTOMERS}) i"
        ),
    )
    .await;
    // Every customer orders once at their start; the other orders go to
    // customers picked with a skew (a few buy a lot), spread over each
    // customer's active life after the start.
    exec(
        &owner,
        &format!(
            "WITH c AS (
                 SELECT id, row_number() OVER (ORDER BY id) AS n,
                        (random() * 900)::int AS start_day, 30 + (random() * 700)::int AS life
                   FROM customers WHERE tenant_id = '{tenant_id}'
             ), g AS (
                 SELECT i, CASE WHEN i <= {CUSTOMERS} THEN i
                                ELSE 1 + floor({CUSTOMERS} * power(random(), 2))::int END AS n
                   FROM generate_series(1, {ORDERS}) i
             )
             INSERT INTO orders (tenant_id, id, customer_id, ordered_at, currency, channel, status, total_amount)
             SELECT '{tenant_id}', gen_random_uuid(), c.id,
                    timestamptz '2022-06-01 00:00+00'
                        + (c.start_day + CASE WHEN g.i <= {CUSTOMERS} THEN 0 ELSE random() * c.life END)
                          * interval '1 day',
                    CASE WHEN random() < 0.25 THEN 'EUR' ELSE 'USD' END,
                    (ARRAY['DIRECT', 'PARTNER', 'RETAIL', 'WEB'])[1 + (random() * 3)::int],
                    'PAID', round((5 + random() * 200)::numeric, 2)
               FROM g JOIN c ON c.n = g.n"
        ),
    )
    .await;
    exec(
        &owner,
        &format!(
            "WITH p AS (SELECT array_agg(id ORDER BY sku) AS ids FROM products WHERE tenant_id = '{tenant_id}')
             INSERT INTO order_lines (tenant_id, order_id, line_no, product_id, quantity, unit_price, net_amount)
             SELECT o.tenant_id, o.id, 1, p.ids[1 + (abs(hashtext(o.id::text)) % {PRODUCTS})], 1, o.total_amount,
                    o.total_amount
               FROM orders o, p
              WHERE o.tenant_id = '{tenant_id}'"
        ),
    )
    .await;
    exec(&owner, "ANALYZE").await;
    println!(
        "generated {CUSTOMERS} customers, {ORDERS} orders with one line each in {:.2?}",
        began.elapsed()
    );

    let db = connect_database(&app.config.database_url, 4).await.unwrap();
    // Orders written with SQL get their stored base-currency revenue as the
    // server stores it.
    let stored = Instant::now();
    let tx = TenantTx::begin_untracked(&db, TenantScope::system(tenant_id))
        .await
        .unwrap();
    for currency in ["EUR", "USD"] {
        crm_api::domain::orders::revenue_base::store_for_rate(
            &tx,
            currency,
            chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap(),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    exec(&owner, "VACUUM ANALYZE orders").await;
    println!("stored order revenue in {:.2?}", stored.elapsed());
    let cache =
        crm_api::cache::Cache::new(&app.config.redis_url, &app.config.redis_key_prefix).unwrap();
    let scope = TenantScope::system(tenant_id);
    for attempt in [
        "first run (no stored results)",
        "second run (results replaced)",
    ] {
        let tx = TenantTx::begin_untracked(&db, scope).await.unwrap();
        let (run, created) = runs::request(&tx, runs::Trigger::Manual).await.unwrap();
        tx.commit().await.unwrap();
        assert!(created);
        let began = Instant::now();
        let (_keep_running, running) = tokio::sync::watch::channel(false);
        assert!(recompute::execute(&db, &cache, tenant_id, run.id, running)
            .await
            .unwrap());
        let elapsed = began.elapsed();
        let tx = TenantTx::begin_read_only(&db, scope).await.unwrap();
        let done = runs::find(&tx, run.id).await.unwrap().unwrap();
        tx.commit().await.unwrap();
        assert_eq!(done.status, "SUCCEEDED", "{:?}", done.error);
        println!(
            "{attempt}: {elapsed:.2?} in all: read {} ms, fit and score {} ms (model fits {} ms), write {} ms; \
             {} customers, {} orders, {} without a rate",
            done.read_ms.unwrap_or(0),
            (elapsed.as_millis() as i64
                - i64::from(done.read_ms.unwrap_or(0))
                - i64::from(done.write_ms.unwrap_or(0))),
            done.fit_ms.unwrap_or(0),
            done.write_ms.unwrap_or(0),
            done.customers_scored.unwrap_or(0),
            done.orders_used.unwrap_or(0),
            done.orders_without_rate.unwrap_or(0),
        );
        println!(
            "  BG/NBD r={:.4} alpha={:.4} a={:.4} b={:.4} ({} iterations, converged {}); \
             Gamma-Gamma p={:.4} q={:.4} v={:.4} ({} iterations); fit error: {:?}",
            done.bgnbd_r.unwrap_or(f64::NAN),
            done.bgnbd_alpha.unwrap_or(f64::NAN),
            done.bgnbd_a.unwrap_or(f64::NAN),
            done.bgnbd_b.unwrap_or(f64::NAN),
            done.bgnbd_iterations.unwrap_or(0),
            done.bgnbd_converged.unwrap_or(false),
            done.gamma_gamma_p.unwrap_or(f64::NAN),
            done.gamma_gamma_q.unwrap_or(f64::NAN),
            done.gamma_gamma_v.unwrap_or(f64::NAN),
            done.gamma_gamma_iterations.unwrap_or(0),
            done.fit_error,
        );
        println!(
            "  top 20 % bring {:.1} % of revenue; {:.1} % of customers bring 80 %",
            100.0 * done.top_20_revenue_share.unwrap_or(f64::NAN),
            100.0 * done.customers_for_80_share.unwrap_or(f64::NAN)
        );
    }

    timed_gql(&app, &tenant, "customerValueSummary", "{ customerValueSummary { asOf customerCount tiers { tier customers revenue { amount } } pareto { top20RevenueShare } } }").await;
    timed_gql(&app, &tenant, "customers: first 50 by CLV, descending, with value", "{ customers(first: 50, orderBy: [{ field: CLV_12M, direction: DESC }]) { edges { node { id value { clv12m { amount } churnRisk tier } } } } }").await;
    timed_gql(&app, &tenant, "customers: tier A with churn risk >= 0.5, count and first 50", "{ customers(first: 50, filter: { value: { tier: { eq: A }, churnRisk: { gte: 0.5 } } }) { totalCount edges { node { id } } } }").await;
    timed_gql(
        &app,
        &tenant,
        "winBackCandidates(first: 50)",
        "{ winBackCandidates(first: 50) { id } }",
    )
    .await;
    timed_gql(&app, &tenant, "analyze revenue, cost, margin, orders, customers by tier x month", "{ analyze(measures: [REVENUE, COST, MARGIN, ORDER_COUNT, CUSTOMER_COUNT], dimensions: [VALUE_TIER, MONTH]) { rows { revenue { amount } } } }").await;
    timed_gql(&app, &tenant, "analyze revenue, orders by tier x month", "{ analyze(measures: [REVENUE, ORDER_COUNT], dimensions: [VALUE_TIER, MONTH]) { rows { revenue { amount } } } }").await;
    timed_gql(&app, &tenant, "analyze orders and revenue by customer region x currency", "{ analyze(measures: [ORDER_COUNT, REVENUE], dimensions: [CUSTOMER_REGION, CURRENCY]) { rows { orderCount revenue { amount } } } }").await;
    timed_gql(&app, &tenant, "customerGrowth over 2025", "{ customerGrowth(from: \"2025-01-01T00:00:00Z\", to: \"2026-01-01T00:00:00Z\") { wider { newCustomers { current previous } } } }").await;

    db.close().await.ok();
    exec(&owner, "TRUNCATE tenants CASCADE").await;
}
