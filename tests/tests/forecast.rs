//! Sales reports on hand-computed fixtures: the forecast (weighted pipeline,
//! best case, commit, closed won by month or quarter, by owner, team or
//! region, in the base currency at the rates in force) and the
//! sales-activity report per rep and team.

use crm_tests::{error_code, TestApp, TestTenant};
use sea_orm::{ConnectionTrait, Statement, TransactionTrait};
use serde_json::{json, Value};

async fn gql_ok(app: &TestApp, tenant: &TestTenant, query: &str, vars: Value) -> Value {
    let body = app.gql_as(tenant, query, vars).await;
    assert!(body["errors"].is_null(), "{query}: {body}");
    body["data"].clone()
}

async fn stages(app: &TestApp, tenant: &TestTenant) -> Value {
    let data = gql_ok(
        app,
        tenant,
        "{ pipelines { stages { id name } } }",
        json!({}),
    )
    .await;
    let mut by_name = serde_json::Map::new();
    for s in data["pipelines"][0]["stages"].as_array().unwrap() {
        by_name.insert(s["name"].as_str().unwrap().to_owned(), s["id"].clone());
    }
    Value::Object(by_name)
}

async fn deal(app: &TestApp, tenant: &TestTenant, input: Value) -> Value {
    let data = gql_ok(
        app,
        tenant,
        "mutation($input: CreateDealInput!) { createDeal(input: $input) { deal { id version } } }",
        json!({ "input": input }),
    )
    .await;
    data["createDeal"]["deal"].clone()
}

async fn move_to(
    app: &TestApp,
    tenant: &TestTenant,
    deal: &Value,
    stage: &Value,
    reason: Option<&str>,
) {
    gql_ok(
        app,
        tenant,
        "mutation($input: MoveDealInput!) { moveDeal(input: $input) { deal { id } } }",
        json!({ "input": { "id": deal["id"], "stageId": stage, "reason": reason } }),
    )
    .await;
}

const FORECAST: &str = "query($input: SalesForecastInput!) { salesForecast(input: $input) { baseCurrency rows {
    period periodStart groupId groupName pipeline { amount currency } weighted { amount } bestCase { amount }
    commit { amount } closedWon { amount } openDeals wonDeals } } }";

fn figures(row: &Value) -> (String, String, String, String, String, String, i64, i64) {
    let a = |k: &str| row[k]["amount"].as_str().unwrap().to_owned();
    (
        row["period"].as_str().unwrap().to_owned(),
        a("pipeline"),
        a("weighted"),
        a("bestCase"),
        a("commit"),
        a("closedWon"),
        row["openDeals"].as_i64().unwrap(),
        row["wonDeals"].as_i64().unwrap(),
    )
}

#[tokio::test]
async fn the_forecast_matches_a_hand_computed_fixture_in_two_currencies() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme-forecast").await;
    for (rate, from) in [("1.10", "2026-01-01"), ("1.20", "2026-04-01")] {
        gql_ok(&app, &acme, "mutation($input: SetExchangeRateInput!) { setExchangeRate(input: $input) { exchangeRate { rate } } }",
            json!({ "input": { "currency": "EUR", "rate": rate, "validFrom": from } })).await;
    }
    let team = gql_ok(
        &app,
        &acme,
        "mutation { createTeam(input: { name: \"East\" }) { id } }",
        json!({}),
    )
    .await["createTeam"]["id"]
        .clone();
    let region = gql_ok(
        &app,
        &acme,
        "mutation { createRegion(input: { name: \"North\" }) { id } }",
        json!({}),
    )
    .await["createRegion"]["id"]
        .clone();
    gql_ok(
        &app,
        &acme,
        "mutation($input: AssignMemberInput!) { assignMember(input: $input) { role } }",
        json!({ "input": { "userId": acme.user_id, "teamId": team, "regionId": region } }),
    )
    .await;
    let s = stages(&app, &acme).await;
    let customer = app
        .create_customer(&acme, json!({ "kind": "COMPANY", "name": "Initech" }))
        .await;
    let c = &customer["id"];

    // A: 1000 USD in Negotiation (75 %, commit), closing Feb.
    deal(&app, &acme, json!({ "name": "A", "customerId": c, "amount": "1000", "currency": "USD", "stageId": s["Negotiation"], "expectedCloseDate": "2026-02-15" })).await;
    // B: 500 EUR × 1.10 = 550 in Proposal (50 %, best case), closing March.
    deal(&app, &acme, json!({ "name": "B", "customerId": c, "amount": "500", "currency": "EUR", "stageId": s["Proposal"], "expectedCloseDate": "2026-03-10" })).await;
    // G: 333.33 USD in Needs analysis (25 %): weighted 83.3325.
    deal(&app, &acme, json!({ "name": "G", "customerId": c, "amount": "333.33", "currency": "USD", "stageId": s["Needs analysis"], "expectedCloseDate": "2026-03-01" })).await;
    // C: 200 EUR × 1.20 (the May rate) = 240 in Qualification (10 %), without an owner.
    let deal_c = deal(&app, &acme, json!({ "name": "C", "customerId": c, "amount": "200", "currency": "EUR", "expectedCloseDate": "2026-05-20" })).await;
    gql_ok(
        &app,
        &acme,
        "mutation($input: UpdateDealInput!) { updateDeal(input: $input) { deal { ownerId } } }",
        json!({ "input": { "id": deal_c["id"], "version": deal_c["version"], "ownerId": null } }),
    )
    .await;
    // D: 300 EUR × 1.10 = 330, won; E: lost; F: open without a date. E and F count nowhere.
    let deal_d = deal(&app, &acme, json!({ "name": "D", "customerId": c, "amount": "300", "currency": "EUR", "expectedCloseDate": "2026-02-20" })).await;
    move_to(&app, &acme, &deal_d, &s["Won"], None).await;
    let deal_e = deal(&app, &acme, json!({ "name": "E", "customerId": c, "amount": "999", "currency": "USD", "expectedCloseDate": "2026-02-01" })).await;
    move_to(&app, &acme, &deal_e, &s["Lost"], Some("no budget")).await;
    deal(
        &app,
        &acme,
        json!({ "name": "F", "customerId": c, "amount": "100", "currency": "USD" }),
    )
    .await;

    let data = gql_ok(&app, &acme, FORECAST, json!({ "input": { "period": "QUARTER", "groupBy": "TEAM", "from": "2026-01-01", "to": "2026-12-31" } })).await;
    let rows = data["salesForecast"]["rows"].as_array().unwrap();
    assert_eq!(data["salesForecast"]["baseCurrency"], "USD");
    assert_eq!(rows.len(), 2, "{data}");
    assert_eq!(rows[0]["groupId"], team);
    assert_eq!(rows[0]["groupName"], "East");
    assert_eq!(rows[0]["pipeline"]["currency"], "USD");
    // Q1: pipeline 1000 + 550 + 333.33; weighted 750 + 275 + 83.3325; won 330;
    // commit 330 + 1000; best case 1330 + 550.
    assert_eq!(
        figures(&rows[0]),
        (
            "2026-Q1".into(),
            "1883.33".into(),
            "1108.33".into(),
            "1880.00".into(),
            "1330.00".into(),
            "330.00".into(),
            3,
            1
        )
    );
    assert!(rows[1]["groupId"].is_null());
    assert_eq!(
        figures(&rows[1]),
        (
            "2026-Q2".into(),
            "240.00".into(),
            "24.00".into(),
            "0.00".into(),
            "0.00".into(),
            "0.00".into(),
            1,
            0
        )
    );

    let data = gql_ok(
        &app,
        &acme,
        FORECAST,
        json!({ "input": { "period": "MONTH", "from": "2026-01-01", "to": "2026-12-31" } }),
    )
    .await;
    let months: Vec<_> = data["salesForecast"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(figures)
        .collect();
    assert_eq!(
        months,
        [
            (
                "2026-02".into(),
                "1000.00".into(),
                "750.00".into(),
                "1330.00".into(),
                "1330.00".into(),
                "330.00".into(),
                1,
                1
            ),
            (
                "2026-03".into(),
                "883.33".into(),
                "358.33".into(),
                "550.00".into(),
                "0.00".into(),
                "0.00".into(),
                2,
                0
            ),
            (
                "2026-05".into(),
                "240.00".into(),
                "24.00".into(),
                "0.00".into(),
                "0.00".into(),
                "0.00".into(),
                1,
                0
            ),
        ]
    );

    // By owner and by region: the owner's rows; the range cuts May off.
    let data = gql_ok(&app, &acme, FORECAST, json!({ "input": { "period": "QUARTER", "groupBy": "OWNER", "from": "2026-01-01", "to": "2026-03-31" } })).await;
    let rows = data["salesForecast"]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{data}");
    assert_eq!(rows[0]["groupId"], acme.user_id.as_str());
    assert_eq!(rows[0]["groupName"], acme.email.as_str());
    let data = gql_ok(&app, &acme, FORECAST, json!({ "input": { "period": "QUARTER", "groupBy": "REGION", "from": "2026-01-01", "to": "2026-03-31" } })).await;
    assert_eq!(data["salesForecast"]["rows"][0]["groupName"], "North");
    assert_eq!(
        data["salesForecast"]["rows"][0]["weighted"]["amount"],
        "1108.33"
    );

    let body = app
        .gql_as(
            &acme,
            FORECAST,
            json!({ "input": { "period": "MONTH", "from": "2026-02-01", "to": "2026-01-01" } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("VALIDATION"), "{body}");
}

#[tokio::test]
async fn sales_activity_counts_interactions_deals_win_rate_and_cycle_per_rep_and_team() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme-activity").await;
    let team = gql_ok(
        &app,
        &acme,
        "mutation { createTeam(input: { name: \"East\" }) { id } }",
        json!({}),
    )
    .await["createTeam"]["id"]
        .clone();
    gql_ok(
        &app,
        &acme,
        "mutation($input: AssignMemberInput!) { assignMember(input: $input) { role } }",
        json!({ "input": { "userId": acme.user_id, "teamId": team } }),
    )
    .await;
    let customer = app
        .create_customer(&acme, json!({ "kind": "COMPANY", "name": "Initech" }))
        .await;
    let c = &customer["id"];
    for kind in ["CALL", "CALL", "MEETING", "EMAIL", "NOTE"] {
        gql_ok(&app, &acme, "mutation($input: LogInteractionInput!) { logInteraction(input: $input) { interaction { id } } }",
            json!({ "input": { "customerId": c, "kind": kind } })).await;
    }
    let s = stages(&app, &acme).await;
    let x = deal(
        &app,
        &acme,
        json!({ "name": "X", "customerId": c, "currency": "USD", "amount": "1" }),
    )
    .await;
    let y = deal(
        &app,
        &acme,
        json!({ "name": "Y", "customerId": c, "currency": "USD", "amount": "1" }),
    )
    .await;
    let z = deal(
        &app,
        &acme,
        json!({ "name": "Z", "customerId": c, "currency": "USD", "amount": "1" }),
    )
    .await;
    // X was opened 10 days ago, Y 20 days ago: an average cycle of 15 days.
    let owner = sea_orm::Database::connect(app.db.owner_url.as_str())
        .await
        .unwrap();
    let tx = owner.begin().await.unwrap();
    tx.execute(Statement::from_sql_and_values(
        owner.get_database_backend(),
        "SELECT set_config('app.tenant_id', $1, true)",
        [acme.tenant_id.clone().into()],
    ))
    .await
    .unwrap();
    for (d, days) in [(&x, 10), (&y, 20)] {
        let moved = tx
            .execute(Statement::from_sql_and_values(
                owner.get_database_backend(),
                "UPDATE deals SET created_at = now() - make_interval(days => $2) WHERE id = $1::uuid",
                [d["id"].as_str().unwrap().into(), days.into()],
            ))
            .await
            .unwrap();
        assert_eq!(moved.rows_affected(), 1);
    }
    tx.commit().await.unwrap();
    move_to(&app, &acme, &x, &s["Won"], None).await;
    move_to(&app, &acme, &y, &s["Won"], None).await;
    move_to(&app, &acme, &z, &s["Lost"], Some("too expensive")).await;

    let query = "query($from: DateTime!, $to: DateTime!) { salesActivity(from: $from, to: $to) {
        reps { userId name teamId figures { calls meetings emails dealsCreated dealsWon dealsLost winRate averageSalesCycleDays } }
        teams { teamId name figures { calls dealsWon winRate averageSalesCycleDays } } } }";
    let now = chrono::Utc::now();
    let data = gql_ok(
        &app,
        &acme,
        query,
        json!({
            "from": (now - chrono::Duration::days(30)).to_rfc3339(),
            "to": (now + chrono::Duration::days(1)).to_rfc3339(),
        }),
    )
    .await;
    let reps = data["salesActivity"]["reps"].as_array().unwrap();
    assert_eq!(reps.len(), 1, "{data}");
    assert_eq!(reps[0]["userId"], acme.user_id.as_str());
    assert_eq!(reps[0]["teamId"], team);
    assert_eq!(
        reps[0]["figures"],
        json!({ "calls": 2, "meetings": 1, "emails": 1, "dealsCreated": 3, "dealsWon": 2, "dealsLost": 1,
                "winRate": "0.6667", "averageSalesCycleDays": "15.0" })
    );
    let teams = data["salesActivity"]["teams"].as_array().unwrap();
    assert_eq!(teams[0]["name"], "East");
    assert_eq!(
        teams[0]["figures"],
        json!({ "calls": 2, "dealsWon": 2, "winRate": "0.6667", "averageSalesCycleDays": "15.0" })
    );

    // A period before all of it is empty.
    let data = gql_ok(
        &app,
        &acme,
        query,
        json!({ "from": "2020-01-01T00:00:00Z", "to": "2020-02-01T00:00:00Z" }),
    )
    .await;
    assert_eq!(data["salesActivity"]["reps"], json!([]));
}
