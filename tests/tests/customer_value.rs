//! Customer value analytics through the API: RFM scores, value tiers and
//! the Pareto view on a hand-computed fixture, filters and sorts on the
//! stored figures, background recomputes (one at a time, consistent while
//! orders are imported), growth, cross-sell rules, multi-dimensional
//! analysis and tenant isolation.

use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{Duration, Utc};
use crm_tests::{error_code, error_field, TestApp, TestTenant};
use sea_orm::{ConnectionTrait, Statement, TransactionTrait};
use serde_json::{json, Value};

const IMPORT: &str = "mutation($input: ImportOrdersInput!) { importOrders(input: $input) {
    ordersCreated ordersRejected errors { row field message } } }";
const VALUE: &str = "value { recency frequency orderCount monetary { amount currency }
    monetaryTotal { amount currency } recencyScore frequencyScore monetaryScore rfmScore segment
    tier probabilityAlive expectedPurchases12m clv12m { amount currency } potentialValue { amount }
    churnRisk computedAt purchaseIntervalDays tenureDays }";

/// An RFC 3339 time `days` days ago (at the current time of day).
fn days_ago(days: i64) -> String {
    (Utc::now() - Duration::days(days)).to_rfc3339()
}

async fn product(
    app: &TestApp,
    tenant: &TestTenant,
    sku: &str,
    category: &str,
    cost: Option<&str>,
) -> Value {
    let mut input = json!({ "sku": sku, "name": format!("Product {sku}"), "category": category });
    if let Some(cost) = cost {
        input["unitCost"] = json!({ "amount": cost, "currency": "USD" });
    }
    let body = app
        .gql_as(
            tenant,
            "mutation($input: CreateProductInput!) { createProduct(input: $input) { product { id sku } } }",
            json!({ "input": input }),
        )
        .await;
    let product = body["data"]["createProduct"]["product"].clone();
    assert!(product.is_object(), "createProduct failed: {body}");
    product
}

/// One import row: an order of `quantity` × `price` of `sku`.
#[allow(clippy::too_many_arguments)]
fn row(
    order: &str,
    customer: &str,
    at: &str,
    currency: &str,
    sku: &str,
    quantity: &str,
    price: &str,
    channel: &str,
) -> Value {
    json!({ "externalOrderId": order, "customerExternalId": customer, "customerName": format!("Customer {customer}"),
            "orderedAt": at, "currency": currency, "sku": sku, "quantity": quantity, "unitPrice": price,
            "channel": channel })
}

async fn import(app: &TestApp, tenant: &TestTenant, rows: Vec<Value>) {
    let body = app
        .gql_as(
            tenant,
            IMPORT,
            json!({ "input": { "rows": rows, "createMissingCustomers": true } }),
        )
        .await;
    let report = &body["data"]["importOrders"];
    assert!(report.is_object(), "importOrders failed: {body}");
    assert_eq!(report["ordersRejected"], 0, "{body}");
}

/// Starts a recompute and waits for its run to finish; returns the run.
async fn recompute(app: &TestApp, tenant: &TestTenant) -> Value {
    let body = app
        .gql_as(
            tenant,
            "mutation { recomputeCustomerValue { id status } }",
            json!({}),
        )
        .await;
    let id = body["data"]["recomputeCustomerValue"]["id"].clone();
    assert!(id.is_string(), "recomputeCustomerValue failed: {body}");
    wait_for(app, tenant, &id).await
}

async fn wait_for(app: &TestApp, tenant: &TestTenant, id: &Value) -> Value {
    for _ in 0..1200 {
        let body = app
            .gql_as(
                tenant,
                "query($id: ID!) { analyticsRun(id: $id) { id status progress stage error trigger
                    customersScored ordersUsed ordersWithoutRate asOf
                    models { bgNbd { r alpha a b logLikelihood iterations converged }
                             gammaGamma { p q v customersUsed } fitError } } }",
                json!({ "id": id }),
            )
            .await;
        let run = body["data"]["analyticsRun"].clone();
        assert!(run.is_object(), "analyticsRun failed: {body}");
        match run["status"].as_str() {
            Some("SUCCEEDED") => return run,
            Some("FAILED") => panic!("the run failed: {run}"),
            _ => tokio::time::sleep(std::time::Duration::from_millis(50)).await,
        }
    }
    panic!("the run did not finish");
}

/// Five buyers with hand-computed figures (base currency USD), and one
/// customer without purchases.
///
/// | customer | orders (days ago × amount) | total | R F M | segment | tier |
/// |----------|----------------------------|-------|-------|---------|------|
/// | C1 | 2,10,20,30,40 × 100 | 500 | 5 5 5 | Champions | A |
/// | C2 | 5,15,25 × 100 | 300 | 4 4 4 | Loyal | A |
/// | C3 | 30,60 × 50 | 100 | 3 3 3 | Need attention | B |
/// | C4 | 90 × 60 | 60 | 2 1 2 | Hibernating | B |
/// | C5 | 200 × 40 | 40 | 1 1 1 | Lost | C |
///
/// Tiers (80/15/5): cumulative share before each customer 0, .5 → A; .8,
/// .9 → B; .96 → C. Top 20 % (one customer) bring 50 %; two customers
/// (40 %) bring 80 %.
async fn fixture(app: &TestApp, tenant: &TestTenant) {
    product(app, tenant, "P-1", "Widgets", Some("30")).await;
    let plan: [(&str, &[i64], &str); 5] = [
        ("C1", &[2, 10, 20, 30, 40], "100"),
        ("C2", &[5, 15, 25], "100"),
        ("C3", &[30, 60], "50"),
        ("C4", &[90], "60"),
        ("C5", &[200], "40"),
    ];
    let mut rows = Vec::new();
    for (customer, days, price) in plan {
        for d in days {
            rows.push(row(
                &format!("{customer}-{d}"),
                customer,
                &days_ago(*d),
                "USD",
                "P-1",
                "1",
                price,
                "DIRECT",
            ));
        }
    }
    import(app, tenant, rows).await;
    app.create_customer(
        tenant,
        json!({ "kind": "PERSON", "name": "No purchases", "externalId": "C6" }),
    )
    .await;
}

async fn customers(app: &TestApp, tenant: &TestTenant, args: &str) -> Value {
    let body = app
        .gql_as(
            tenant,
            &format!(
                "{{ customers({args}) {{ totalCount pageInfo {{ hasNextPage endCursor }}
                edges {{ node {{ externalId {VALUE} }} }} }} }}"
            ),
            json!({}),
        )
        .await;
    let connection = body["data"]["customers"].clone();
    assert!(connection.is_object(), "customers failed: {body}");
    connection
}

fn external_ids(connection: &Value) -> Vec<String> {
    connection["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["externalId"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn rfm_scores_tiers_and_pareto_match_the_hand_computed_fixture() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    fixture(&app, &acme).await;

    // Before the first run: no figures, an empty summary.
    let body = app
        .gql_as(
            &acme,
            "{ customerValueSummary { asOf customerCount tiers { tier } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["customerValueSummary"],
        json!({ "asOf": null, "customerCount": 0, "tiers": [] }),
        "{body}"
    );

    let run = recompute(&app, &acme).await;
    assert_eq!(run["customersScored"], 5, "{run}");
    assert_eq!(run["ordersUsed"], 12, "{run}");
    assert_eq!(run["ordersWithoutRate"], 0, "{run}");
    assert_eq!(run["progress"], 1.0, "{run}");

    let all = customers(
        &app,
        &acme,
        "first: 10, orderBy: [{ field: MONETARY_TOTAL, direction: DESC }]",
    )
    .await;
    assert_eq!(external_ids(&all), ["C1", "C2", "C3", "C4", "C5", "C6"]);
    let expected = [
        ("C1", 2, 4, 5, "100.00", "500.00", "555", "CHAMPIONS", "A"),
        ("C2", 5, 2, 3, "100.00", "300.00", "444", "LOYAL", "A"),
        (
            "C3",
            30,
            1,
            2,
            "50.00",
            "100.00",
            "333",
            "NEED_ATTENTION",
            "B",
        ),
        ("C4", 90, 0, 1, "60.00", "60.00", "212", "HIBERNATING", "B"),
        ("C5", 200, 0, 1, "40.00", "40.00", "111", "LOST", "C"),
    ];
    for (edge, (id, recency, frequency, orders, avg, total, rfm, segment, tier)) in
        all["edges"].as_array().unwrap().iter().zip(expected)
    {
        let v = &edge["node"]["value"];
        assert_eq!(edge["node"]["externalId"], id);
        assert_eq!(v["recency"], recency, "{id}: {v}");
        assert_eq!(v["frequency"], frequency, "{id}: {v}");
        assert_eq!(v["orderCount"], orders, "{id}: {v}");
        assert_eq!(
            v["monetary"],
            json!({ "amount": avg, "currency": "USD" }),
            "{id}"
        );
        assert_eq!(v["monetaryTotal"]["amount"], total, "{id}");
        assert_eq!(v["rfmScore"], rfm, "{id}");
        assert_eq!(v["segment"], segment, "{id}");
        assert_eq!(v["tier"], tier, "{id}");
        let risk = v["churnRisk"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&risk), "{id}: {v}");
        assert!(v["computedAt"].is_string());
    }
    // Repeat buyers' usual interval: C1 bought every 9.5 days.
    assert_eq!(
        all["edges"][0]["node"]["value"]["purchaseIntervalDays"],
        9.5
    );
    // No purchases, no figures.
    assert_eq!(all["edges"][5]["node"]["value"], Value::Null);

    let body = app
        .gql_as(
            &acme,
            "{ customerValueSummary { asOf customerCount totalRevenue { amount currency }
                tiers { tier customers revenue { amount } customerShare revenueShare }
                segments { segment customers }
                pareto { top20RevenueShare customersFor80Share customersFor80Count curve { customerShare revenueShare } }
                run { id } models { fitError } } }",
            json!({}),
        )
        .await;
    let summary = &body["data"]["customerValueSummary"];
    assert!(summary["asOf"].is_string(), "{body}");
    assert_eq!(summary["run"]["id"], run["id"]);
    assert_eq!(summary["customerCount"], 5);
    assert_eq!(
        summary["totalRevenue"],
        json!({ "amount": "1000.00", "currency": "USD" })
    );
    assert_eq!(
        summary["tiers"],
        json!([
            { "tier": "A", "customers": 2, "revenue": { "amount": "800.00" }, "customerShare": 0.4, "revenueShare": 0.8 },
            { "tier": "B", "customers": 2, "revenue": { "amount": "160.00" }, "customerShare": 0.4, "revenueShare": 0.16 },
            { "tier": "C", "customers": 1, "revenue": { "amount": "40.00" }, "customerShare": 0.2, "revenueShare": 0.04 },
        ])
    );
    assert_eq!(summary["segments"].as_array().unwrap().len(), 5);
    let pareto = &summary["pareto"];
    assert_eq!(pareto["top20RevenueShare"], 0.5);
    assert_eq!(pareto["customersFor80Share"], 0.4);
    assert_eq!(pareto["customersFor80Count"], 2);
    let curve = pareto["curve"].as_array().unwrap();
    assert_eq!(curve.len(), 101);
    let point = |i: usize| {
        (
            curve[i]["customerShare"].as_f64().unwrap(),
            curve[i]["revenueShare"].as_f64().unwrap(),
        )
    };
    let close = |a: (f64, f64), b: (f64, f64)| (a.0 - b.0).abs() < 1e-9 && (a.1 - b.1).abs() < 1e-9;
    assert!(close(point(20), (0.2, 0.5)), "{:?}", point(20));
    assert!(close(point(40), (0.4, 0.8)), "{:?}", point(40));
    assert!(close(point(100), (1.0, 1.0)), "{:?}", point(100));
}

#[tokio::test]
async fn the_rfm_grid_and_value_distributions_count_each_visible_scored_customer_once() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    fixture(&app, &acme).await;
    recompute(&app, &acme).await;
    const SUMMARY: &str = "{ customerValueSummary {
        rfmGrid { recencyScore frequencyScore customers revenue { amount currency } }
        spend: distribution(figure: MONETARY_TOTAL, buckets: 4) { lower upper customers }
        churn: distribution(figure: CHURN_RISK, buckets: 10) { lower upper customers } } }";
    let body = app.gql_as(&acme, SUMMARY, json!({})).await;
    let summary = &body["data"]["customerValueSummary"];
    // The fixture's scores (R and F of each customer's RFM score).
    let cells: Vec<(i64, i64, i64, &str)> = summary["rfmGrid"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|c| {
            (
                c["recencyScore"].as_i64().unwrap(),
                c["frequencyScore"].as_i64().unwrap(),
                c["customers"].as_i64().unwrap(),
                c["revenue"]["amount"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        cells,
        [
            (1, 1, 1, "40.00"),
            (2, 1, 1, "60.00"),
            (3, 3, 1, "100.00"),
            (4, 4, 1, "300.00"),
            (5, 5, 1, "500.00")
        ]
    );
    // Total spend 40, 60, 100, 300 and 500 in four buckets of 115 from 40.
    assert_eq!(
        summary["spend"],
        json!([
            { "lower": 40.0, "upper": 155.0, "customers": 3 },
            { "lower": 155.0, "upper": 270.0, "customers": 0 },
            { "lower": 270.0, "upper": 385.0, "customers": 1 },
            { "lower": 385.0, "upper": 500.0, "customers": 1 },
        ])
    );
    let churn = summary["churn"].as_array().unwrap();
    assert_eq!(churn.len(), 10);
    assert_eq!(
        (churn[0]["lower"].as_f64(), churn[9]["upper"].as_f64()),
        (Some(0.0), Some(1.0))
    );
    let counted: i64 = churn.iter().map(|b| b["customers"].as_i64().unwrap()).sum();
    assert_eq!(counted, 5);

    let body = app
        .gql_as(
            &acme,
            "{ customerValueSummary { distribution(figure: CLV, buckets: 0) { customers } } }",
            json!({}),
        )
        .await;
    assert_eq!(crm_tests::error_field(&body), Some("buckets"), "{body}");

    // A sales rep who sees only their own customers (none) counts none.
    let visibility = app
        .gql_as(
            &acme,
            "mutation { updateTenantSettings(input: { customerVisibility: OWN }) { customerVisibility } }",
            json!({}),
        )
        .await;
    assert_eq!(
        visibility["data"]["updateTenantSettings"]["customerVisibility"],
        "OWN"
    );
    let (rep, _) = app
        .invite_member(&acme, "rep@acme.example", "SALES", None)
        .await;
    let body = app.gql_with(Some(&rep), SUMMARY, json!({})).await;
    assert_eq!(
        body["data"]["customerValueSummary"],
        json!({ "rfmGrid": [], "spend": [], "churn": [] }),
        "{body}"
    );
}

#[tokio::test]
async fn value_figures_filter_sort_and_page_like_any_field() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    fixture(&app, &acme).await;
    recompute(&app, &acme).await;

    let tier_a = customers(&app, &acme, "filter: { value: { tier: { eq: A } } }, orderBy: [{ field: MONETARY_TOTAL, direction: ASC }]").await;
    assert_eq!(external_ids(&tier_a), ["C2", "C1"]);
    assert_eq!(tier_a["totalCount"], 2);

    let lapsed = customers(&app, &acme, "filter: { value: { recency: { gte: 30 }, segment: { in: [HIBERNATING, LOST, NEED_ATTENTION] } } }, orderBy: [{ field: RECENCY, direction: DESC }]").await;
    assert_eq!(external_ids(&lapsed), ["C5", "C4", "C3"]);

    let big = customers(
        &app,
        &acme,
        "filter: { value: { monetaryTotal: { gt: \"100\" } } }",
    )
    .await;
    assert_eq!(big["totalCount"], 2);
    let without = customers(&app, &acme, "filter: { value: { computed: false } }").await;
    assert_eq!(external_ids(&without), ["C6"]);
    let combined = customers(
        &app,
        &acme,
        "filter: { or: [{ value: { tier: { eq: C } } }, { not: { value: { computed: true } } }] }",
    )
    .await;
    assert_eq!(combined["totalCount"], 2);

    // Keyset pages over a value order: two at a time, no row lost or repeated.
    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let page = customers(
            &app,
            &acme,
            &format!(
                "first: 2, after: {after}, orderBy: [{{ field: CLV_12M, direction: DESC }}, {{ field: MONETARY_TOTAL, direction: DESC }}]"
            ),
        )
        .await;
        seen.extend(external_ids(&page));
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    seen.sort();
    assert_eq!(seen, ["C1", "C2", "C3", "C4", "C5", "C6"]);

    // Win-back candidates: high past value (tiers A and B), churn risk ≥ 0.5.
    // C4 bought once, 90 days ago, where customers usually buy every 10 days.
    let body = app
        .gql_as(
            &acme,
            &format!("{{ winBackCandidates(first: 10) {{ externalId {VALUE} }} }}"),
            json!({}),
        )
        .await;
    let candidates = body["data"]["winBackCandidates"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .clone();
    let ids: Vec<&str> = candidates
        .iter()
        .map(|c| c["externalId"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"C4"), "{body}");
    assert!(
        !ids.contains(&"C5"),
        "tier C is no win-back candidate: {body}"
    );
    for c in &candidates {
        assert!(c["value"]["churnRisk"].as_f64().unwrap() >= 0.5, "{c}");
        assert!(
            c["value"]["tier"] == "A" || c["value"]["tier"] == "B",
            "{c}"
        );
    }

    // Bad filter input names its field.
    let body = app
        .gql_as(
            &acme,
            "{ winBackCandidates(minChurnRisk: 2) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), Some("VALIDATION"));
    assert_eq!(error_field(&body), Some("minChurnRisk"));
}

#[tokio::test]
async fn one_run_at_a_time_per_workspace_and_settings_apply_to_the_next() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    fixture(&app, &acme).await;
    let first = recompute(&app, &acme).await;

    // Another node is running a recompute: asking again returns that run.
    let db = app.db.connect_as_app().await;
    let tx = db.begin().await.unwrap();
    tx.execute(Statement::from_string(
        tx.get_database_backend(),
        format!(
            "SELECT set_config('app.tenant_id', '{}', true)",
            acme.tenant_id
        ),
    ))
    .await
    .unwrap();
    tx.execute(Statement::from_string(
        tx.get_database_backend(),
        format!(
            "INSERT INTO analytics_runs (tenant_id, id, trigger, status, started_at, heartbeat_at)
             VALUES ('{}', '018f0000-0000-7000-8000-000000000001', 'SCHEDULE', 'RUNNING', now(), now())",
            acme.tenant_id
        ),
    ))
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let body = app
        .gql_as(
            &acme,
            "mutation { recomputeCustomerValue { id status trigger } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["recomputeCustomerValue"],
        json!({ "id": "018f0000-0000-7000-8000-000000000001", "status": "RUNNING", "trigger": "SCHEDULE" }),
        "{body}"
    );
    let body = app
        .gql_as(
            &acme,
            "{ analyticsRuns(first: 10) { totalCount edges { node { id status } } } }",
            json!({}),
        )
        .await;
    let runs = &body["data"]["analyticsRuns"];
    assert_eq!(runs["totalCount"], 2, "{body}");
    assert_eq!(runs["edges"][0]["node"]["status"], "RUNNING");
    assert_eq!(runs["edges"][1]["node"]["id"], first["id"]);

    // That run finishes (here: fails); a new recompute may start.
    let tx = db.begin().await.unwrap();
    tx.execute(Statement::from_string(
        tx.get_database_backend(),
        format!(
            "SELECT set_config('app.tenant_id', '{}', true)",
            acme.tenant_id
        ),
    ))
    .await
    .unwrap();
    tx.execute(Statement::from_string(
        tx.get_database_backend(),
        "UPDATE analytics_runs SET status = 'FAILED', finished_at = now() WHERE status = 'RUNNING'"
            .to_owned(),
    ))
    .await
    .unwrap();
    tx.commit().await.unwrap();

    // Tiers 50/30/20 instead of 80/15/5: C1 alone is A (0 < .5), C2 is B
    // (.5 ≤ .5 < .8), the rest C.
    let body = app
        .gql_as(
            &acme,
            "mutation { updateCustomerValueSettings(input: { tierAShare: \"0.5\", tierBShare: \"0.3\", horizonMonths: 6 }) {
                settings { tierAShare tierBShare horizonMonths annualDiscountRate scheduleEnabled scheduleIntervalHours version } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["updateCustomerValueSettings"]["settings"],
        json!({ "tierAShare": "0.5", "tierBShare": "0.3", "horizonMonths": 6, "annualDiscountRate": "0.1",
                "scheduleEnabled": true, "scheduleIntervalHours": 24, "version": 1 }),
        "{body}"
    );
    let body = app
        .gql_as(&acme, "mutation { updateCustomerValueSettings(input: { tierAShare: \"0.9\" }) { settings { version } } }", json!({}))
        .await;
    assert_eq!(error_code(&body), Some("VALIDATION"), "{body}");
    assert_eq!(error_field(&body), Some("input.tierBShare"));

    let second = recompute(&app, &acme).await;
    assert_ne!(second["id"], first["id"]);
    let all = customers(
        &app,
        &acme,
        "orderBy: [{ field: MONETARY_TOTAL, direction: DESC }]",
    )
    .await;
    let tiers: Vec<Value> = all["edges"].as_array().unwrap()[..5]
        .iter()
        .map(|e| e["node"]["value"]["tier"].clone())
        .collect();
    assert_eq!(tiers, ["A", "B", "C", "C", "C"]);

    // Starting recomputes is a permission of its own.
    let body = app.gql_as(&acme, "{ me { permissions } }", json!({})).await;
    assert!(body["data"]["me"]["permissions"]
        .as_array()
        .unwrap()
        .contains(&json!("analytics:run")));
}

#[tokio::test]
async fn a_recompute_during_concurrent_imports_sees_whole_imports_only() {
    const CUSTOMERS: usize = 40;
    const BATCHES: usize = 8;
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    product(&app, &acme, "P-1", "Widgets", None).await;
    // Batch b gives every customer one order of 10 on day b (all committed at once).
    let batch = |b: usize| -> Vec<Value> {
        (0..CUSTOMERS)
            .map(|c| {
                row(
                    &format!("O-{b}-{c}"),
                    &format!("C{c}"),
                    &days_ago(50 - b as i64),
                    "USD",
                    "P-1",
                    "1",
                    "10",
                    "WEB",
                )
            })
            .collect()
    };
    import(&app, &acme, batch(0)).await;

    let done = AtomicBool::new(false);
    let imports = async {
        for b in 1..BATCHES {
            import(&app, &acme, batch(b)).await;
        }
        done.store(true, Ordering::SeqCst);
    };
    let recomputes = async {
        let mut observed = Vec::new();
        loop {
            let finished = done.load(Ordering::SeqCst);
            recompute(&app, &acme).await;
            let all = customers(&app, &acme, &format!("first: {CUSTOMERS}")).await;
            let counts: Vec<i64> = all["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"]["value"]["orderCount"].as_i64().unwrap_or(0))
                .collect();
            // Every customer saw the same imports: a whole number of batches.
            assert!(
                counts.iter().all(|c| *c == counts[0]),
                "mixed snapshot: {counts:?}"
            );
            for e in all["edges"].as_array().unwrap() {
                let total = e["node"]["value"]["monetaryTotal"]["amount"]
                    .as_str()
                    .unwrap_or("0");
                assert_eq!(total, format!("{}.00", counts[0] * 10), "{e}");
            }
            observed.push(counts[0]);
            if finished {
                break observed;
            }
        }
    };
    let (_, observed) = tokio::join!(imports, recomputes);
    assert!(!observed.is_empty());
    assert!(observed.windows(2).all(|w| w[0] <= w[1]), "{observed:?}");

    let run = recompute(&app, &acme).await;
    assert_eq!(run["ordersUsed"], (CUSTOMERS * BATCHES) as i64, "{run}");
    let all = customers(&app, &acme, &format!("first: {CUSTOMERS}")).await;
    for e in all["edges"].as_array().unwrap() {
        assert_eq!(e["node"]["value"]["orderCount"], BATCHES as i64, "{e}");
    }
}

#[tokio::test]
async fn analyze_sums_match_hand_totals_in_the_base_currency() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    product(&app, &acme, "W-1", "Widgets", Some("4")).await;
    product(&app, &acme, "G-1", "Gadgets", None).await;
    let body = app
        .gql_as(
            &acme,
            "mutation { setExchangeRate(input: { currency: \"EUR\", rate: \"2\", validFrom: \"2025-01-01\" }) { exchangeRate { rate } } }",
            json!({}),
        )
        .await;
    assert!(body["data"]["setExchangeRate"].is_object(), "{body}");
    // Revenue (USD): O1 3×10 W = 30 (cost 12); O2 EUR 2×5 G = 10 EUR = 20 USD;
    // O3 1×10 W = 10 (cost 4) + 1×15 G = 15.
    import(
        &app,
        &acme,
        vec![
            row(
                "O1",
                "A",
                "2026-01-10T10:00:00Z",
                "USD",
                "W-1",
                "3",
                "10",
                "DIRECT",
            ),
            row(
                "O2",
                "B",
                "2026-01-20T10:00:00Z",
                "EUR",
                "G-1",
                "2",
                "5",
                "WEB",
            ),
            row(
                "O3",
                "A",
                "2026-02-03T10:00:00Z",
                "USD",
                "W-1",
                "1",
                "10",
                "WEB",
            ),
            row(
                "O3",
                "A",
                "2026-02-03T10:00:00Z",
                "USD",
                "G-1",
                "1",
                "15",
                "WEB",
            ),
        ],
    )
    .await;
    let analyze = |dimensions: &str| {
        let query = format!(
            "{{ analyze(measures: [REVENUE, COST, MARGIN, ORDER_COUNT, CUSTOMER_COUNT, AVERAGE_ORDER_VALUE],
                        dimensions: [{dimensions}], filter: {{ from: \"2026-01-01T00:00:00Z\", to: \"2026-03-01T00:00:00Z\" }}) {{
                currency rows {{ keys {{ dimension value label }} revenue {{ amount }} cost {{ amount }} margin {{ amount }}
                      orderCount customerCount averageOrderValue {{ amount }} }}
                total {{ revenue {{ amount }} cost {{ amount }} margin {{ amount }} orderCount customerCount averageOrderValue {{ amount }} }} }} }}"
        );
        let app = &app;
        let acme = &acme;
        async move {
            let body = app.gql_as(acme, &query, json!({})).await;
            let result = body["data"]["analyze"].clone();
            assert!(result.is_object(), "analyze failed: {body}");
            result
        }
    };
    let by_channel = analyze("SALES_CHANNEL").await;
    assert_eq!(by_channel["currency"], "USD");
    assert_eq!(
        by_channel["total"],
        json!({ "revenue": { "amount": "75.00" }, "cost": { "amount": "16.00" }, "margin": { "amount": "59.00" },
                "orderCount": 3, "customerCount": 2, "averageOrderValue": { "amount": "25.00" } })
    );
    assert_eq!(
        by_channel["rows"],
        json!([
            { "keys": [{ "dimension": "SALES_CHANNEL", "value": "DIRECT", "label": "DIRECT" }],
              "revenue": { "amount": "30.00" }, "cost": { "amount": "12.00" }, "margin": { "amount": "18.00" },
              "orderCount": 1, "customerCount": 1, "averageOrderValue": { "amount": "30.00" } },
            { "keys": [{ "dimension": "SALES_CHANNEL", "value": "WEB", "label": "WEB" }],
              "revenue": { "amount": "45.00" }, "cost": { "amount": "4.00" }, "margin": { "amount": "41.00" },
              "orderCount": 2, "customerCount": 2, "averageOrderValue": { "amount": "22.50" } },
        ])
    );
    let by_category_month = analyze("PRODUCT_CATEGORY, MONTH").await;
    let cells: Vec<(String, String, String)> = by_category_month["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["keys"][0]["value"].as_str().unwrap().to_owned(),
                r["keys"][1]["label"].as_str().unwrap().to_owned(),
                r["revenue"]["amount"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        cells,
        [
            ("Gadgets".into(), "2026-01".into(), "20.00".into()),
            ("Gadgets".into(), "2026-02".into(), "15.00".into()),
            ("Widgets".into(), "2026-01".into(), "30.00".into()),
            ("Widgets".into(), "2026-02".into(), "10.00".into()),
        ]
    );
    // Periods: keyed by their first day, labelled by the period.
    let keys = |result: &Value| -> Vec<(String, String)> {
        result["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["keys"][0]["value"].as_str().unwrap().to_owned(),
                    r["keys"][0]["label"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    assert_eq!(
        keys(&analyze("WEEK").await),
        [
            ("2026-01-05".into(), "2026-W02".into()),
            ("2026-01-19".into(), "2026-W04".into()),
            ("2026-02-02".into(), "2026-W06".into()),
        ]
    );
    assert_eq!(
        keys(&analyze("QUARTER").await),
        [("2026-01-01".into(), "2026-Q1".into())]
    );
    assert_eq!(
        keys(&analyze("YEAR").await),
        [("2026-01-01".into(), "2026".into())]
    );
    // After a recompute, by value tier: customer A brings 55 of 75 (73 %),
    // short of 80 %, so B (who crosses it) is tier A too.
    recompute(&app, &acme).await;
    let by_tier = analyze("VALUE_TIER").await;
    assert_eq!(by_tier["rows"].as_array().unwrap().len(), 1, "{by_tier}");
    assert_eq!(by_tier["rows"][0]["keys"][0]["value"], "A");
    assert_eq!(by_tier["rows"][0]["revenue"]["amount"], "75.00");

    let body = app
        .gql_as(
            &acme,
            "{ analyze(measures: [], dimensions: [DAY]) { currency } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), Some("VALIDATION"));
    assert_eq!(error_field(&body), Some("measures"));

    // By the order's currency: amounts in it and in the base currency; no
    // grand total of amounts in different currencies.
    let by_currency = app
        .gql_as(
            &acme,
            "{ analyze(measures: [REVENUE, REVENUE_IN_ORDER_CURRENCY, ORDER_COUNT], dimensions: [CURRENCY]) {
                rows { keys { value } revenue { amount currency } revenueInOrderCurrency { amount currency } orderCount }
                total { revenue { amount } revenueInOrderCurrency { amount } orderCount } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        by_currency["data"]["analyze"],
        json!({ "rows": [
            { "keys": [{ "value": "EUR" }], "revenue": { "amount": "20.00", "currency": "USD" },
              "revenueInOrderCurrency": { "amount": "10.00", "currency": "EUR" }, "orderCount": 1 },
            { "keys": [{ "value": "USD" }], "revenue": { "amount": "55.00", "currency": "USD" },
              "revenueInOrderCurrency": { "amount": "55.00", "currency": "USD" }, "orderCount": 2 },
        ], "total": { "revenue": { "amount": "75.00" }, "revenueInOrderCurrency": null, "orderCount": 3 } }),
        "{by_currency}"
    );
    let body = app
        .gql_as(
            &acme,
            "{ analyze(measures: [REVENUE_IN_ORDER_CURRENCY], dimensions: [SALES_CHANNEL]) { currency } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), Some("VALIDATION"), "{body}");
    assert_eq!(error_field(&body), Some("measures"));

    // By the customer's own region and team (not the owner's): counts alone
    // are read from the orders without their lines, and agree with them.
    let customers = app
        .gql_as(
            &acme,
            "{ customers(first: 10) { edges { node { id version externalId } } } }",
            json!({}),
        )
        .await;
    let team = app
        .gql_as(
            &acme,
            "mutation { createTeam(input: { name: \"Enterprise\" }) { id } }",
            json!({}),
        )
        .await;
    let team = team["data"]["createTeam"]["id"].clone();
    for edge in customers["data"]["customers"]["edges"].as_array().unwrap() {
        let node = &edge["node"];
        let (region, team) = if node["externalId"] == "A" {
            ("North", team.clone())
        } else {
            ("South", Value::Null)
        };
        let body = app
            .gql_as(
                &acme,
                "mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { customer { id } } }",
                json!({ "input": { "id": node["id"], "version": node["version"], "region": region, "teamId": team } }),
            )
            .await;
        assert!(body["errors"].is_null(), "{body}");
    }
    for measures in [
        "REVENUE, ORDER_COUNT, CUSTOMER_COUNT",
        "ORDER_COUNT, CUSTOMER_COUNT",
    ] {
        let body = app
            .gql_as(
                &acme,
                &format!(
                    "{{ analyze(measures: [{measures}], dimensions: [CUSTOMER_REGION, CUSTOMER_TEAM]) {{
                        rows {{ keys {{ value label }} orderCount customerCount }} }} }}"
                ),
                json!({}),
            )
            .await;
        assert_eq!(
            body["data"]["analyze"]["rows"],
            json!([
                { "keys": [{ "value": "North", "label": "North" }, { "value": team, "label": "Enterprise" }],
                  "orderCount": 2, "customerCount": 1 },
                { "keys": [{ "value": "South", "label": "South" }, { "value": null, "label": null }],
                  "orderCount": 1, "customerCount": 1 },
            ]),
            "{measures}: {body}"
        );
    }
}

#[tokio::test]
async fn growth_compares_a_period_with_the_one_before() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    product(&app, &acme, "P-1", "Widgets", None).await;
    product(&app, &acme, "P-2", "Widgets", None).await;
    // Period: the last 30 days; previous: the 30 before.
    // X: new (10 days ago). Y: 40 and 5 days ago (retained; buys P-2, new to Y).
    // Z: 300 and 3 days ago (won back after > 180 days). W: 45 days ago only (churned).
    import(
        &app,
        &acme,
        vec![
            row("X1", "X", &days_ago(10), "USD", "P-1", "1", "10", "WEB"),
            row("Y1", "Y", &days_ago(40), "USD", "P-1", "1", "20", "WEB"),
            row("Y2", "Y", &days_ago(5), "USD", "P-2", "1", "30", "WEB"),
            row("Z1", "Z", &days_ago(300), "USD", "P-1", "1", "5", "WEB"),
            row("Z2", "Z", &days_ago(3), "USD", "P-1", "1", "20", "WEB"),
            row("W1", "W", &days_ago(45), "USD", "P-1", "1", "50", "WEB"),
        ],
    )
    .await;
    let to = Utc::now() + Duration::minutes(1);
    let from = to - Duration::days(30);
    let body = app
        .gql_as(
            &acme,
            "query($from: DateTime!, $to: DateTime!) { customerGrowth(from: $from, to: $to) {
                wider { activeCustomers { current previous change } newCustomers { current previous } wonBackCustomers { current } }
                longer { retentionRate { current } churnRate { current } }
                deeper { productsPerCustomer { current } crossSellRate { current }
                         revenue { current { amount } previous { amount } change { amount } }
                         revenuePerCustomer { current { amount } } } } }",
            json!({ "from": from.to_rfc3339(), "to": to.to_rfc3339() }),
        )
        .await;
    let g = &body["data"]["customerGrowth"];
    assert!(g.is_object(), "{body}");
    assert_eq!(
        g["wider"]["activeCustomers"],
        json!({ "current": 3.0, "previous": 2.0, "change": 1.0 })
    );
    assert_eq!(
        g["wider"]["newCustomers"],
        json!({ "current": 1.0, "previous": 2.0 })
    );
    assert_eq!(g["wider"]["wonBackCustomers"]["current"], 1.0);
    assert_eq!(g["longer"]["retentionRate"]["current"], 0.5);
    assert_eq!(g["longer"]["churnRate"]["current"], 0.5);
    assert_eq!(g["deeper"]["productsPerCustomer"]["current"], 1.0);
    // Returning buyers Y and Z; Y bought a product new to them.
    assert_eq!(g["deeper"]["crossSellRate"]["current"], 0.5);
    assert_eq!(
        g["deeper"]["revenue"],
        json!({ "current": { "amount": "60.00" }, "previous": { "amount": "70.00" }, "change": { "amount": "-10.00" } })
    );
    assert_eq!(
        g["deeper"]["revenuePerCustomer"]["current"]["amount"],
        "20.00"
    );
}

#[tokio::test]
async fn cross_sell_recommends_products_bought_together_that_the_customer_lacks() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let p1 = product(&app, &acme, "P-1", "Widgets", None).await;
    let p2 = product(&app, &acme, "P-2", "Widgets", None).await;
    product(&app, &acme, "P-3", "Widgets", None).await;
    // Baskets: A {1,2}, B {1,2}, C {1,3}, D {1}.
    let at = days_ago(3);
    import(
        &app,
        &acme,
        vec![
            row("A1", "A", &at, "USD", "P-1", "1", "1", "WEB"),
            row("A1", "A", &at, "USD", "P-2", "1", "1", "WEB"),
            row("B1", "B", &at, "USD", "P-1", "1", "1", "WEB"),
            row("B1", "B", &at, "USD", "P-2", "1", "1", "WEB"),
            row("C1", "C", &at, "USD", "P-1", "1", "1", "WEB"),
            row("C1", "C", &at, "USD", "P-3", "1", "1", "WEB"),
            row("D1", "D", &at, "USD", "P-1", "1", "1", "WEB"),
        ],
    )
    .await;
    let d = customers(&app, &acme, "filter: { externalId: { eq: \"D\" } }").await;
    let body = app
        .gql_as(
            &acme,
            "{ customers(filter: { externalId: { eq: \"D\" } }) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let d_id = body["data"]["customers"]["edges"][0]["node"]["id"].clone();
    assert_eq!(d["totalCount"], 1);
    let query = "query($id: ID!, $min: Int) { crossSellRecommendations(customerId: $id, minCustomers: $min) {
        product { id sku } becauseOf { id } support confidence lift customersWithBoth } }";
    let body = app.gql_as(&acme, query, json!({ "id": d_id })).await;
    // P-1 → P-2: 2 of 4 customers bought both (support .5); 2 of P-1's 4
    // buyers took P-2 (confidence .5); P-2's share is .5, so lift 1. P-3
    // has one co-buyer only, under the default minimum of 2.
    assert_eq!(
        body["data"]["crossSellRecommendations"],
        json!([{ "product": { "id": p2["id"], "sku": "P-2" }, "becauseOf": { "id": p1["id"] },
                 "support": 0.5, "confidence": 0.5, "lift": 1.0, "customersWithBoth": 2 }]),
        "{body}"
    );
    let body = app
        .gql_as(&acme, query, json!({ "id": d_id, "min": 1 }))
        .await;
    let skus: Vec<&str> = body["data"]["crossSellRecommendations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["product"]["sku"].as_str().unwrap())
        .collect();
    assert_eq!(skus, ["P-2", "P-3"]);
}

#[tokio::test]
async fn value_results_are_confined_to_their_workspace() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let globex = app.sign_up("globex").await;
    fixture(&app, &acme).await;
    let run = recompute(&app, &acme).await;

    let body = app
        .gql_as(&globex, "query($id: ID!) { analyticsRun(id: $id) { id } customerValueSummary { asOf customerCount } analyticsRuns { totalCount } }", json!({ "id": run["id"] }))
        .await;
    assert_eq!(
        body["data"],
        json!({ "analyticsRun": null, "customerValueSummary": { "asOf": null, "customerCount": 0 }, "analyticsRuns": { "totalCount": 0 } }),
        "{body}"
    );

    let db = app.db.connect_as_app().await;
    let tx = db.begin().await.unwrap();
    tx.execute(Statement::from_string(
        tx.get_database_backend(),
        format!(
            "SELECT set_config('app.tenant_id', '{}', true)",
            globex.tenant_id
        ),
    ))
    .await
    .unwrap();
    for table in [
        "customer_values",
        "analytics_runs",
        "customer_value_settings",
    ] {
        let forced = tx
            .query_one(Statement::from_string(
                tx.get_database_backend(),
                format!("SELECT count(*) FROM pg_class WHERE relname = '{table}' AND relrowsecurity AND relforcerowsecurity"),
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get_by_index::<i64>(0)
            .unwrap();
        assert_eq!(forced, 1, "{table} must force row-level security");
        let visible = tx
            .query_one(Statement::from_string(
                tx.get_database_backend(),
                format!("SELECT count(*) FROM {table}"),
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get_by_index::<i64>(0)
            .unwrap();
        assert_eq!(visible, 0, "Globex sees none of Acme's {table}");
    }
}

/// Runs `sql` as the server role inside `tenant`'s row-level security context.
async fn as_tenant(app: &TestApp, tenant: &TestTenant, sql: &str) {
    let db = app.db.connect_as_app().await;
    let tx = db.begin().await.unwrap();
    tx.execute(Statement::from_string(
        tx.get_database_backend(),
        format!(
            "SELECT set_config('app.tenant_id', '{}', true)",
            tenant.tenant_id
        ),
    ))
    .await
    .unwrap();
    tx.execute(Statement::from_string(
        tx.get_database_backend(),
        sql.to_owned(),
    ))
    .await
    .unwrap_or_else(|e| panic!("{sql}: {e}"));
    tx.commit().await.unwrap();
    db.close().await.ok();
}

#[tokio::test]
async fn the_worker_runs_runs_left_behind_and_scheduled_recomputes() {
    let app =
        TestApp::spawn_with(|c| c.analytics_poll_interval = std::time::Duration::from_secs(1))
            .await;
    let acme = app.sign_up("acme").await;
    let globex = app.sign_up("globex").await;
    fixture(&app, &acme).await;

    // A run queued by a node that stopped before starting it.
    let left = "018f0000-0000-7000-8000-000000000002";
    as_tenant(
        &app,
        &acme,
        &format!(
            "INSERT INTO analytics_runs (tenant_id, id, trigger, status) VALUES ('{}', '{left}', 'MANUAL', 'QUEUED')",
            acme.tenant_id
        ),
    )
    .await;
    let run = wait_for(&app, &acme, &json!(left)).await;
    assert_eq!(run["customersScored"], 5, "{run}");

    // Hourly schedules, last runs two hours ago: the worker queues and runs
    // one for Acme, none for Globex, which has no orders.
    let body = app
        .gql_as(&globex, "mutation { updateCustomerValueSettings(input: { scheduleIntervalHours: 1 }) { settings { version } } }", json!({}))
        .await;
    assert_eq!(
        body["data"]["updateCustomerValueSettings"]["settings"]["version"], 1,
        "{body}"
    );
    as_tenant(
        &app,
        &globex,
        &format!(
            "INSERT INTO analytics_runs (tenant_id, id, trigger, status, created_at, finished_at)
             VALUES ('{}', '018f0000-0000-7000-8000-000000000003', 'MANUAL', 'FAILED', now() - interval '2 hours', now())",
            globex.tenant_id
        ),
    )
    .await;
    let body = app
        .gql_as(&acme, "mutation { updateCustomerValueSettings(input: { scheduleIntervalHours: 1 }) { settings { scheduleIntervalHours } } }", json!({}))
        .await;
    assert_eq!(
        body["data"]["updateCustomerValueSettings"]["settings"]["scheduleIntervalHours"], 1,
        "{body}"
    );
    as_tenant(
        &app,
        &acme,
        "UPDATE analytics_runs SET created_at = now() - interval '2 hours'",
    )
    .await;
    let mut scheduled = None;
    for _ in 0..300 {
        let body = app
            .gql_as(
                &acme,
                "{ analyticsRuns(first: 5) { edges { node { id trigger status } } } }",
                json!({}),
            )
            .await;
        scheduled = body["data"]["analyticsRuns"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["node"]["trigger"] == "SCHEDULE" && e["node"]["status"] == "SUCCEEDED")
            .cloned();
        if scheduled.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(scheduled.is_some(), "no scheduled run succeeded");

    let body = app
        .gql_as(&globex, "{ analyticsRuns { totalCount } }", json!({}))
        .await;
    assert_eq!(body["data"]["analyticsRuns"]["totalCount"], 1, "{body}");
}

#[tokio::test]
async fn a_run_interrupted_by_shutdown_goes_back_to_the_queue_and_finishes_later() {
    use crm_api::domain::analytics::{recompute, runs};
    use crm_api::tenancy::{TenantScope, TenantTx};
    // The node's own worker stays asleep: this test plays the nodes.
    let app =
        TestApp::spawn_with(|c| c.analytics_poll_interval = std::time::Duration::from_secs(3600))
            .await;
    let acme = app.sign_up("acme").await;
    fixture(&app, &acme).await;
    // A pool, as a node has: the computation reports progress beside its transaction.
    let db = crm_api::startup::connect_database(&app.db.app_url, 4)
        .await
        .unwrap();
    let cache =
        crm_api::cache::Cache::new(&app.config.redis_url, &app.config.redis_key_prefix).unwrap();
    let tenant_id = uuid::Uuid::parse_str(&acme.tenant_id).unwrap();
    let scope = TenantScope {
        tenant_id,
        user_id: None,
        customers: None,
    };
    let tx = TenantTx::begin_untracked(&db, scope).await.unwrap();
    let (run, created) = runs::request(&tx, runs::Trigger::Manual).await.unwrap();
    tx.commit().await.unwrap();
    assert!(created);
    let status = || async {
        let body = app
            .gql_as(
                &acme,
                "query($id: ID!) { analyticsRun(id: $id) { status } }",
                json!({ "id": run.id }),
            )
            .await;
        body["data"]["analyticsRun"]["status"]
            .as_str()
            .unwrap_or_else(|| panic!("{body}"))
            .to_owned()
    };

    // A node claims the run and is asked to stop while computing it.
    assert!(runs::claim(&db, tenant_id, run.id).await.unwrap().is_some());
    assert_eq!(status().await, "RUNNING");
    let (_stop, stopping) = tokio::sync::watch::channel(true);
    let finished = recompute::run_claimed(&db, &cache, tenant_id, run.id, stopping)
        .await
        .unwrap();
    assert!(!finished);
    assert_eq!(status().await, "QUEUED", "handed back, not lost");

    // Another node picks it up and finishes it.
    let (_keep, running) = tokio::sync::watch::channel(false);
    assert!(recompute::execute(&db, &cache, tenant_id, run.id, running)
        .await
        .unwrap());
    let body = app
        .gql_as(
            &acme,
            "query($id: ID!) { analyticsRun(id: $id) { status error } }",
            json!({ "id": run.id }),
        )
        .await;
    assert_eq!(
        body["data"]["analyticsRun"]["status"], "SUCCEEDED",
        "{body}"
    );
}

/// Revenue (base currency) and order count per order currency, as `analyze`
/// reads them from the orders (no line detail) and as it sums the lines
/// (per product), which must agree.
async fn revenue_both_ways(app: &TestApp, tenant: &TestTenant) -> Vec<(String, String, i64)> {
    let by_order = app
        .gql_as(
            tenant,
            "{ analyze(measures: [REVENUE, ORDER_COUNT], dimensions: [CURRENCY]) {
                rows { keys { value } revenue { amount } orderCount } } }",
            json!({}),
        )
        .await;
    let by_line = app
        .gql_as(
            tenant,
            "{ analyze(measures: [REVENUE, COST], dimensions: [CURRENCY, PRODUCT]) {
                rows { keys { value } revenue { amount } } } }",
            json!({}),
        )
        .await;
    let rows = |body: &Value| {
        body["data"]["analyze"]["rows"]
            .as_array()
            .cloned()
            .unwrap_or_else(|| panic!("{body}"))
    };
    let cents = |amount: &Value| -> i64 {
        let amount = amount.as_str().unwrap();
        let (whole, fraction) = amount.split_once('.').unwrap_or((amount, "0"));
        whole.parse::<i64>().unwrap() * 100 + format!("{fraction:0<2}")[..2].parse::<i64>().unwrap()
    };
    let mut line_sums: std::collections::BTreeMap<String, i64> = Default::default();
    for row in rows(&by_line) {
        *line_sums
            .entry(row["keys"][0]["value"].as_str().unwrap().to_owned())
            .or_default() += cents(&row["revenue"]["amount"]);
    }
    let mut seen = Vec::new();
    for row in rows(&by_order) {
        let currency = row["keys"][0]["value"].as_str().unwrap().to_owned();
        let revenue = row["revenue"]["amount"].as_str().unwrap().to_owned();
        assert_eq!(
            cents(&row["revenue"]["amount"]),
            line_sums.remove(&currency).unwrap_or(0),
            "{currency}: orders {by_order} lines {by_line}"
        );
        seen.push((currency, revenue, row["orderCount"].as_i64().unwrap()));
    }
    assert!(line_sums.is_empty(), "{line_sums:?}");
    seen
}

#[tokio::test]
async fn stored_order_revenue_agrees_with_the_lines_after_imports_rates_orders_status_changes_and_merges(
) {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme-revenue-base").await;
    product(&app, &acme, "W-1", "Widgets", Some("1")).await;
    let gadget = product(&app, &acme, "G-1", "Gadgets", None).await;
    // Amounts whose per-line conversion rounds.
    import(
        &app,
        &acme,
        vec![
            row(
                "O1",
                "A",
                "2026-01-10T10:00:00Z",
                "EUR",
                "W-1",
                "3",
                "3.33",
                "WEB",
            ),
            row(
                "O1",
                "A",
                "2026-01-10T10:00:00Z",
                "EUR",
                "G-1",
                "1",
                "0.05",
                "WEB",
            ),
            row(
                "O2",
                "B",
                "2026-02-10T10:00:00Z",
                "EUR",
                "G-1",
                "7",
                "1.01",
                "WEB",
            ),
            row(
                "O3",
                "B",
                "2026-02-11T10:00:00Z",
                "USD",
                "W-1",
                "1",
                "20",
                "DIRECT",
            ),
        ],
    )
    .await;
    // No EUR rate yet: EUR orders count but add nothing.
    assert_eq!(
        revenue_both_ways(&app, &acme).await,
        [
            ("EUR".into(), "0.00".into(), 2),
            ("USD".into(), "20.00".into(), 1)
        ]
    );
    let set_rate = |rate: &'static str, from: &'static str| {
        let app = &app;
        let acme = &acme;
        async move {
            let body = app
                .gql_as(
                    acme,
                    "mutation($rate: Decimal!, $from: Date!) { setExchangeRate(input: { currency: \"EUR\", rate: $rate, validFrom: $from }) { exchangeRate { rate } } }",
                    json!({ "rate": rate, "from": from }),
                )
                .await;
            assert!(body["errors"].is_null(), "{body}");
        }
    };
    // 9.99 × 1.1 = 10.989 → 10.99; 0.05 × 1.1 = 0.055 → 0.06; 7.07 × 1.1 = 7.777 → 7.78.
    set_rate("1.1", "2025-01-01").await;
    assert_eq!(
        revenue_both_ways(&app, &acme).await,
        [
            ("EUR".into(), "18.83".into(), 2),
            ("USD".into(), "20.00".into(), 1)
        ]
    );
    // A later rate changes only the orders from its date: 7.07 × 1.3 = 9.191 → 9.19.
    set_rate("1.3", "2026-02-01").await;
    let settled: Vec<(String, String, i64)> = vec![
        ("EUR".into(), "20.24".into(), 2),
        ("USD".into(), "20.00".into(), 1),
    ];
    assert_eq!(revenue_both_ways(&app, &acme).await, settled);
    // An order entered by hand: 2 × 4.444 = 8.888 → 8.89 EUR → 11.5544 → 11.56.
    let customers = app
        .gql_as(
            &acme,
            "{ customers(first: 10, orderBy: [{ field: NAME }]) { edges { node { id version } } } }",
            json!({}),
        )
        .await;
    let a = customers["data"]["customers"]["edges"][0]["node"].clone();
    let b = customers["data"]["customers"]["edges"][1]["node"].clone();
    let body = app
        .gql_as(
            &acme,
            "mutation($input: CreateOrderInput!) { createOrder(input: $input) { order { id version } } }",
            json!({ "input": { "customerId": a["id"], "orderedAt": "2026-03-01T09:00:00Z", "currency": "EUR",
                               "lines": [{ "productId": gadget["id"], "quantity": "2", "unitPrice": "4.444" }] } }),
        )
        .await;
    let order = body["data"]["createOrder"]["order"].clone();
    assert!(order.is_object(), "{body}");
    let after_create = revenue_both_ways(&app, &acme).await;
    assert_eq!(after_create[0].2, 3, "{after_create:?}");
    // A cancelled order leaves both.
    let body = app
        .gql_as(
            &acme,
            "mutation($input: ChangeOrderStatusInput!) { changeOrderStatus(input: $input) { order { status } } }",
            json!({ "input": { "id": order["id"], "version": order["version"], "status": "CANCELLED" } }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    assert_eq!(revenue_both_ways(&app, &acme).await, settled);
    // A merge moves the orders and changes no amount.
    let body = app
        .gql_as(
            &acme,
            "mutation($input: MergeCustomersInput!) { mergeCustomers(input: $input) { customer { id } } }",
            json!({ "input": { "survivorId": a["id"], "mergedId": b["id"] } }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    assert_eq!(revenue_both_ways(&app, &acme).await, settled);
}
