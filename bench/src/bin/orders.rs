//! Bulk order import: 1,000,000 order rows (one per order line) for 100,000
//! customers, created by the import itself, against 200 products, a fifth of
//! the lines priced from the price list.
//!
//! Calls the domain import (`orders::import::import`) in-process, in batches
//! of at most 50,000 rows, each in its own tenant transaction exactly as one
//! `importOrders` call runs; the GraphQL layer on top only converts the
//! input. Batches are cut at order boundaries, as partners must cut theirs.
//! Batches run one after another, or on N connections at once (as N
//! concurrent `importOrders` calls would) when N is given. Then re-imports
//! the first batch (every order a duplicate) and reads an aggregate.
//! Finally adds 100,000 deals for those customers (one bulk statement) and
//! times the sales forecast over them.
//!
//! Run: `scripts/bench.sh orders [N]` (services up, release build).
// The schema's resolver futures are deeper than the default limit when
// the `perf` profile computes their layout.
#![recursion_limit = "256"]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crm_api::domain::customers::CustomerKind;
use crm_api::domain::orders::import::{import, ImportMode, ImportOptions, ImportRow};
use crm_api::startup::connect_database;
use crm_api::tenancy::{TenantScope, TenantTx};
use crm_tests::TestApp;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::json;
use uuid::Uuid;

const ROWS: usize = 1_000_000;
const CUSTOMERS: usize = 100_000;
const PRODUCTS: usize = 200;
const BATCH_ROWS: usize = 50_000;
const DEALS: usize = 100_000;

/// A small deterministic generator, so every run imports the same data.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The rows of every order, order by order (1 to 4 lines each).
fn generate() -> Vec<Vec<ImportRow>> {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let channels = ["DIRECT", "PARTNER", "RETAIL", "WEB"];
    let currencies = ["USD", "USD", "USD", "EUR"];
    let mut orders = Vec::new();
    let mut rows = 0;
    while rows < ROWS {
        let n = orders.len();
        // Every customer orders at least once; then customers are picked at random.
        let customer = if n < CUSTOMERS {
            n
        } else {
            rng.below(CUSTOMERS as u64) as usize
        };
        let lines = (1 + rng.below(4) as usize).min(ROWS - rows);
        let day = rng.below(3 * 365);
        let ordered_at = format!(
            "{}T{:02}:{:02}:00Z",
            chrono_date(day),
            rng.below(24),
            rng.below(60)
        );
        let currency = currencies[rng.below(4) as usize];
        let channel = channels[rng.below(4) as usize];
        let order: Vec<ImportRow> = (0..lines)
            .map(|_| {
                let product = rng.below(PRODUCTS as u64);
                let cents = 100 + rng.below(49_900);
                ImportRow {
                    external_order_id: format!("PO-{n:07}"),
                    customer_external_id: format!("C-{customer:06}"),
                    customer_name: Some(format!("Customer {customer}")),
                    ordered_at: ordered_at.clone(),
                    currency: currency.into(),
                    sku: format!("SKU-{product:04}"),
                    quantity: (1 + rng.below(10)).to_string(),
                    // One line in five takes the list price.
                    unit_price: (rng.below(5) != 0)
                        .then(|| format!("{}.{:02}", cents / 100, cents % 100)),
                    discount_percent: (rng.below(4) == 0).then(|| "10".into()),
                    channel: Some(channel.into()),
                    status: Some("PAID".into()),
                    ..ImportRow::default()
                }
            })
            .collect();
        rows += order.len();
        orders.push(order);
    }
    orders
}

/// 2024-01-01 plus `days`, as `YYYY-MM-DD` (good for the three years generated).
fn chrono_date(days: u64) -> String {
    let start = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).expect("valid date");
    (start + chrono::Days::new(days)).to_string()
}

/// Orders packed into batches of at most `BATCH_ROWS` rows, never splitting one.
fn batches(orders: Vec<Vec<ImportRow>>) -> Vec<Vec<ImportRow>> {
    let mut batches: Vec<Vec<ImportRow>> = vec![Vec::new()];
    for order in orders {
        if batches.last().expect("one batch").len() + order.len() > BATCH_ROWS {
            batches.push(Vec::new());
        }
        batches.last_mut().expect("one batch").extend(order);
    }
    batches
}

#[tokio::main]
async fn main() {
    let app = TestApp::spawn().await;
    let tenant = app.sign_up("bench").await;
    let scope = TenantScope {
        tenant_id: Uuid::parse_str(&tenant.tenant_id).unwrap(),
        user_id: Some(Uuid::parse_str(&tenant.user_id).unwrap()),
        customers: None,
    };
    let cache =
        crm_api::cache::Cache::new(&app.config.redis_url, &app.config.redis_key_prefix).unwrap();
    // Products and their list prices in USD and EUR, through the API.
    let mut ids = Vec::new();
    for p in 0..PRODUCTS {
        let body = app
            .gql_as(
                &tenant,
                "mutation($input: CreateProductInput!) { createProduct(input: $input) { product { id } } }",
                json!({ "input": { "sku": format!("SKU-{p:04}"), "name": format!("Product {p}"), "category": format!("Category {}", p % 10) } }),
            )
            .await;
        ids.push(body["data"]["createProduct"]["product"]["id"].clone());
    }
    for currency in ["USD", "EUR"] {
        let body = app
            .gql_as(
                &tenant,
                "mutation($input: CreatePriceListInput!) { createPriceList(input: $input) { priceList { id } } }",
                json!({ "input": { "name": currency, "currency": currency } }),
            )
            .await;
        let list = body["data"]["createPriceList"]["priceList"]["id"].clone();
        let prices: Vec<_> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| json!({ "productId": id, "unitPrice": format!("{}.99", 5 + i % 50) }))
            .collect();
        let body = app
            .gql_as(
                &tenant,
                "mutation($input: SetPricesInput!) { setPrices(input: $input) { priceList { id } } }",
                json!({ "input": { "priceListId": list, "prices": prices } }),
            )
            .await;
        assert!(body["data"]["setPrices"].is_object(), "{body}");
    }

    let started = Instant::now();
    let batches = batches(generate());
    println!(
        "generated {} rows in {} batches in {:.2?}",
        batches.iter().map(Vec::len).sum::<usize>(),
        batches.len(),
        started.elapsed()
    );

    let workers: usize = std::env::args()
        .nth(1)
        .map(|n| n.parse().expect("the number of concurrent batches"))
        .unwrap_or(1);
    let db = connect_database(&app.config.database_url, workers as u32 + 1)
        .await
        .unwrap();
    let options = ImportOptions {
        mode: ImportMode::AllOrNothing,
        create_missing_customers: true,
        new_customer_kind: CustomerKind::Person,
    };
    let batches = Arc::new(batches);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut running = Vec::new();
    for _ in 0..workers {
        let (db, batches, next, cache) = (db.clone(), batches.clone(), next.clone(), cache.clone());
        running.push(tokio::spawn(async move {
            let mut totals = [0u64; 4];
            let mut slowest = Duration::ZERO;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(batch) = batches.get(i) else {
                    return (totals, slowest);
                };
                let began = Instant::now();
                let tx = TenantTx::begin(&db, &cache, scope).await.unwrap();
                let report = import(&tx, batch, options).await.unwrap();
                tx.commit().await.unwrap();
                slowest = slowest.max(began.elapsed());
                assert!(report.errors.is_empty(), "{:?}", &report.errors[..1]);
                totals[0] += report.orders_created;
                totals[1] += report.lines_created;
                totals[2] += report.customers_created;
                totals[3] += report.orders_skipped_as_duplicates;
            }
        }));
    }
    let mut totals = [0u64; 4];
    let mut slowest = Duration::ZERO;
    for worker in running {
        let (sums, worst) = worker.await.unwrap();
        for (total, sum) in totals.iter_mut().zip(sums) {
            *total += sum;
        }
        slowest = slowest.max(worst);
    }
    let elapsed = started.elapsed();
    println!(
        "imported {} rows on {workers} connection(s): {} orders, {} lines, {} customers created \
         ({} duplicates) in {:.2?} ({:.0} rows/s; slowest batch {:.2?})",
        batches.iter().map(Vec::len).sum::<usize>(),
        totals[0],
        totals[1],
        totals[2],
        totals[3],
        elapsed,
        ROWS as f64 / elapsed.as_secs_f64(),
        slowest
    );
    assert_eq!(totals[1] as usize, ROWS);
    assert_eq!(totals[2] as usize, CUSTOMERS);

    let began = Instant::now();
    let tx = TenantTx::begin(&db, &cache, scope).await.unwrap();
    let again = import(&tx, &batches[0], options).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(again.orders_created, 0);
    println!(
        "re-importing the first batch ({} rows): {} orders skipped as duplicates in {:.2?}",
        batches[0].len(),
        again.orders_skipped_as_duplicates,
        began.elapsed()
    );

    let tx = TenantTx::begin_read_only(&db, scope).await.unwrap();
    let began = Instant::now();
    let row = tx
        .query_one(Statement::from_string(
            DbBackend::Postgres,
            "SELECT count(*) AS orders, sum(total_amount)::text AS revenue FROM orders WHERE currency = 'USD'",
        ))
        .await
        .unwrap()
        .unwrap();
    println!(
        "USD orders and revenue over all orders: {} orders, {} USD, in {:.2?}",
        row.try_get::<i64>("", "orders").unwrap(),
        row.try_get::<String>("", "revenue").unwrap(),
        began.elapsed()
    );
    tx.commit().await.unwrap();

    forecast_bench(&db, &cache, scope).await;
    db.close().await.ok();

    // The bench database is large: empty it (the server still holds
    // connections to it, so it cannot be dropped here).
    let owner = connect_database(&app.db.owner_url, 1).await.unwrap();
    owner
        .execute(Statement::from_string(
            DbBackend::Postgres,
            "TRUNCATE tenants CASCADE".to_owned(),
        ))
        .await
        .unwrap();
}

/// Adds [`DEALS`] deals spread over the default pipeline's stages, two
/// years of expected close dates, USD and EUR, then times the forecast.
async fn forecast_bench(
    db: &sea_orm::DatabaseConnection,
    cache: &crm_api::cache::Cache,
    scope: TenantScope,
) {
    use chrono::NaiveDate;
    use crm_api::domain::currencies::{self, NewExchangeRate};
    use crm_api::domain::forecast::{forecast, ForecastRequest, Grouping, Period};

    let tx = TenantTx::begin(db, cache, scope).await.unwrap();
    for (rate, from) in [("1.08", "2024-01-01"), ("1.12", "2025-07-01")] {
        currencies::set_rate(
            &tx,
            NewExchangeRate {
                currency: "EUR".into(),
                rate: rate.parse().unwrap(),
                valid_from: from.parse().unwrap(),
            },
        )
        .await
        .unwrap();
    }
    let customers: Vec<Uuid> = tx
        .query_all(Statement::from_string(
            DbBackend::Postgres,
            "SELECT id FROM customers ORDER BY id",
        ))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<Uuid>("", "id").unwrap())
        .collect();
    let stages: Vec<(Uuid, Uuid, String)> = tx
        .query_all(Statement::from_string(
            DbBackend::Postgres,
            "SELECT s.id, s.pipeline_id, s.kind FROM pipeline_stages s
               JOIN pipelines p ON p.tenant_id = s.tenant_id AND p.id = s.pipeline_id AND p.is_default
              ORDER BY s.position",
        ))
        .await
        .unwrap()
        .iter()
        .map(|r| {
            (
                r.try_get("", "id").unwrap(),
                r.try_get("", "pipeline_id").unwrap(),
                r.try_get("", "kind").unwrap(),
            )
        })
        .collect();
    let mut rng = XorShift(0xD1B5_4A32_D192_ED03);
    let start = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let (mut ids, mut custs, mut pipes, mut stage_ids, mut kinds) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut amounts, mut currencies_, mut dates) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..DEALS {
        let (stage, pipeline, kind) = &stages[rng.below(stages.len() as u64) as usize];
        ids.push(Uuid::now_v7());
        custs.push(customers[rng.below(customers.len() as u64) as usize]);
        pipes.push(*pipeline);
        stage_ids.push(*stage);
        kinds.push(kind.clone());
        let cents = 10_000 + rng.below(5_000_000);
        amounts.push(format!("{}.{:02}", cents / 100, cents % 100));
        currencies_.push(if rng.below(4) == 0 { "EUR" } else { "USD" }.to_owned());
        dates.push(start + chrono::Days::new(rng.below(730)));
    }
    let began = Instant::now();
    tx.execute(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "INSERT INTO deals (tenant_id, id, name, customer_id, pipeline_id, stage_id, owner_id, amount, currency,
                            amount_base, expected_close_date, status, closed_at, created_by)
         SELECT $1, d.id, 'Deal', d.customer_id, d.pipeline_id, d.stage_id, $2, d.amount::numeric, d.currency,
                d.amount::numeric, d.close_date, d.kind, CASE WHEN d.kind <> 'OPEN' THEN now() END, $2
           FROM unnest($3::uuid[], $4::uuid[], $5::uuid[], $6::uuid[], $7::text[], $8::text[], $9::text[],
                       $10::date[]) AS d (id, customer_id, pipeline_id, stage_id, kind, amount, currency, close_date)",
        [
            scope.tenant_id.into(),
            scope.user_id.into(),
            ids.into(),
            custs.into(),
            pipes.into(),
            stage_ids.into(),
            kinds.into(),
            amounts.into(),
            currencies_.into(),
            dates.into(),
        ],
    ))
    .await
    .unwrap();
    tx.commit().await.unwrap();
    println!("inserted {DEALS} deals in {:.2?}", began.elapsed());

    let runs = [
        ("quarter by team", Period::Quarter, Grouping::Team),
        ("month by owner", Period::Month, Grouping::Owner),
        ("month, no grouping", Period::Month, Grouping::None),
    ];
    for (label, period, grouping) in runs {
        let request = ForecastRequest {
            period,
            grouping,
            from: start,
            to: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
            pipeline_id: None,
        };
        let mut times = Vec::new();
        let mut rows = 0;
        for _ in 0..5 {
            let tx = TenantTx::begin_read_only(db, scope).await.unwrap();
            let began = Instant::now();
            let result = forecast(&tx, &request).await.unwrap();
            times.push(began.elapsed());
            rows = result.rows.len();
            tx.commit().await.unwrap();
        }
        times.sort();
        println!(
            "forecast over {DEALS} deals, {label}: {rows} rows; median {:.2?}, best {:.2?} (5 runs)",
            times[2], times[0]
        );
    }
}
