//! Pipelines and deals: ordered stages with probabilities, deals that move
//! through them with their stage history, won and lost with reasons, the
//! outbox events of those moves, the customer's open-deal rollups, and the
//! customer visibility rules applied to deals.

use crm_tests::{error_code, error_field, TestApp, TestTenant};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{json, Value};

const PIPELINES: &str =
    "{ pipelines { id version name isDefault stages { id name position probability kind forecastCategory } } }";
const DEAL_FIELDS: &str = "id version name status customerId stageId stage { name kind }
    amount { amount currency } amountInBaseCurrency { amount currency } expectedCloseDate
    closeReason closedAt contacts { contactId role } lines { lineNo quantity unitPrice { amount } total { amount } }
    stageHistory { stageName fromStageId enteredAt leftAt durationSeconds }";

async fn default_pipeline(app: &TestApp, tenant: &TestTenant) -> Value {
    let body = app.gql_as(tenant, PIPELINES, json!({})).await;
    let pipelines = body["data"]["pipelines"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    pipelines
        .into_iter()
        .find(|p| p["isDefault"] == true)
        .unwrap_or_else(|| panic!("no default pipeline: {body}"))
}

fn stage_id(pipeline: &Value, name: &str) -> String {
    pipeline["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no stage {name} in {pipeline}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn create_deal(app: &TestApp, tenant: &TestTenant, input: Value) -> Value {
    let body = app
        .gql_as(
            tenant,
            &format!("mutation($input: CreateDealInput!) {{ createDeal(input: $input) {{ deal {{ {DEAL_FIELDS} }} }} }}"),
            json!({ "input": input }),
        )
        .await;
    let deal = body["data"]["createDeal"]["deal"].clone();
    assert!(deal.is_object(), "createDeal failed: {body}");
    deal
}

async fn move_deal(app: &TestApp, tenant: &TestTenant, input: Value) -> Value {
    app.gql_as(
        tenant,
        &format!("mutation($input: MoveDealInput!) {{ moveDeal(input: $input) {{ deal {{ {DEAL_FIELDS} }} }} }}"),
        json!({ "input": input }),
    )
    .await
}

async fn set_rate(app: &TestApp, tenant: &TestTenant, currency: &str, rate: &str, from: &str) {
    let body = app
        .gql_as(
            tenant,
            "mutation($input: SetExchangeRateInput!) { setExchangeRate(input: $input) { exchangeRate { rate } } }",
            json!({ "input": { "currency": currency, "rate": rate, "validFrom": from } }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
}

#[tokio::test]
async fn every_workspace_starts_with_a_default_pipeline_that_admins_can_reshape() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme-pipes").await;
    let sales = default_pipeline(&app, &acme).await;
    let names: Vec<&str> = sales["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Qualification",
            "Needs analysis",
            "Proposal",
            "Negotiation",
            "Won",
            "Lost"
        ]
    );
    assert_eq!(sales["stages"][3]["probability"], "75");
    assert_eq!(sales["stages"][4]["kind"], "WON");

    // A new pipeline with its own stages.
    let body = app
        .gql_as(
            &acme,
            "mutation($input: CreatePipelineInput!) { createPipeline(input: $input) { pipeline { id name isDefault stages { id name position probability forecastCategory } } } }",
            json!({ "input": { "name": "Renewals", "stages": [
                { "name": "Due", "probability": "30", "kind": "OPEN" },
                { "name": "Quoted", "probability": "80", "kind": "OPEN" },
                { "name": "Renewed", "probability": "100", "kind": "WON" },
                { "name": "Churned", "probability": "0", "kind": "LOST" },
            ] } }),
        )
        .await;
    let renewals = body["data"]["createPipeline"]["pipeline"].clone();
    assert_eq!(renewals["isDefault"], false, "{body}");
    assert_eq!(renewals["stages"][1]["forecastCategory"], "COMMIT");
    let pipeline_id = renewals["id"].as_str().unwrap().to_owned();

    // Add a stage second, rename it, then reorder.
    let body = app
        .gql_as(
            &acme,
            "mutation($input: AddPipelineStageInput!) { addPipelineStage(input: $input) { pipeline { stages { id name position } } } }",
            json!({ "input": { "pipelineId": pipeline_id, "position": 2,
                               "stage": { "name": "Contacted", "probability": "50", "kind": "OPEN" } } }),
        )
        .await;
    let stages = body["data"]["addPipelineStage"]["pipeline"]["stages"].clone();
    let order: Vec<&str> = stages
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        ["Due", "Contacted", "Quoted", "Renewed", "Churned"],
        "{body}"
    );
    let contacted = stages[1]["id"].as_str().unwrap().to_owned();
    let due = stages[0]["id"].as_str().unwrap().to_owned();
    let body = app
        .gql_as(
            &acme,
            "mutation($input: UpdatePipelineStageInput!) { updatePipelineStage(input: $input) { pipeline { stages { name probability } } } }",
            json!({ "input": { "id": contacted, "name": "Reached", "probability": "45.5" } }),
        )
        .await;
    assert_eq!(
        body["data"]["updatePipelineStage"]["pipeline"]["stages"][1]["name"], "Reached",
        "{body}"
    );
    assert_eq!(
        body["data"]["updatePipelineStage"]["pipeline"]["stages"][1]["probability"],
        "45.5"
    );
    let mut ids: Vec<String> = stages
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();
    ids.swap(0, 1);
    let body = app
        .gql_as(
            &acme,
            "mutation($input: ReorderPipelineStagesInput!) { reorderPipelineStages(input: $input) { pipeline { stages { name position } } } }",
            json!({ "input": { "pipelineId": pipeline_id, "stageIds": ids } }),
        )
        .await;
    let stages = &body["data"]["reorderPipelineStages"]["pipeline"]["stages"];
    assert_eq!(stages[0]["name"], "Reached", "{body}");
    assert_eq!(stages[1]["position"], 2);
    let body = app
        .gql_as(
            &acme,
            "mutation($input: ReorderPipelineStagesInput!) { reorderPipelineStages(input: $input) { pipeline { id } } }",
            json!({ "input": { "pipelineId": pipeline_id, "stageIds": [due] } }),
        )
        .await;
    assert_eq!(error_field(&body), Some("stageIds"), "{body}");

    // A stage holding a deal is only deleted when its deals are moved.
    let customer = app
        .create_customer(&acme, json!({ "kind": "COMPANY", "name": "Initech" }))
        .await;
    let deal = create_deal(
        &app,
        &acme,
        json!({
            "name": "Renewal 2027", "customerId": customer["id"], "pipelineId": pipeline_id,
            "stageId": due, "amount": "1000", "currency": "USD",
        }),
    )
    .await;
    let delete = "mutation($input: DeletePipelineStageInput!) { deletePipelineStage(input: $input) { pipeline { stages { name position } } } }";
    let body = app
        .gql_as(&acme, delete, json!({ "input": { "id": due } }))
        .await;
    assert_eq!(error_code(&body), Some("CONFLICT"), "{body}");
    let body = app
        .gql_as(
            &acme,
            delete,
            json!({ "input": { "id": due, "moveDealsTo": contacted } }),
        )
        .await;
    let stages = &body["data"]["deletePipelineStage"]["pipeline"]["stages"];
    assert_eq!(stages.as_array().unwrap().len(), 4, "{body}");
    assert_eq!(stages[3]["position"], 4);
    let body = app
        .gql_as(&acme, "query($id: ID!) { deal(id: $id) { stage { name } stageHistory { stageName leftAt } } }", json!({ "id": deal["id"] }))
        .await;
    assert_eq!(body["data"]["deal"]["stage"]["name"], "Reached", "{body}");
    assert_eq!(body["data"]["deal"]["stageHistory"][0]["stageName"], "Due");
    assert!(body["data"]["deal"]["stageHistory"][0]["leftAt"].is_string());
}

#[tokio::test]
async fn deals_move_through_stages_keeping_history_events_and_customer_rollups() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme-deals").await;
    set_rate(&app, &acme, "EUR", "1.10", "2026-01-01").await;
    let sales = default_pipeline(&app, &acme).await;
    let initech = app
        .create_customer(&acme, json!({ "kind": "COMPANY", "name": "Initech" }))
        .await;
    let globex = app
        .create_customer(&acme, json!({ "kind": "COMPANY", "name": "Globex" }))
        .await;
    let contact = app
        .gql_as(
            &acme,
            "mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id } } }",
            json!({ "input": { "customerId": initech["id"], "name": "Bill Lumbergh" } }),
        )
        .await["data"]["createContact"]["contact"]["id"]
        .clone();

    let big = create_deal(
        &app,
        &acme,
        json!({
            "name": "Printers", "customerId": initech["id"], "amount": "1000.50", "currency": "EUR",
            "expectedCloseDate": "2026-03-31",
            "contacts": [{ "contactId": contact, "role": "decision maker" }],
        }),
    )
    .await;
    assert_eq!(big["status"], "OPEN");
    assert_eq!(big["stage"]["name"], "Qualification");
    assert_eq!(
        big["amount"],
        json!({ "amount": "1000.50", "currency": "EUR" })
    );
    assert_eq!(
        big["amountInBaseCurrency"],
        json!({ "amount": "1100.55", "currency": "USD" })
    );
    assert_eq!(big["contacts"][0]["role"], "decision maker");
    assert_eq!(big["stageHistory"].as_array().unwrap().len(), 1);
    let small = create_deal(
        &app,
        &acme,
        json!({
            "name": "Staplers", "customerId": initech["id"], "amount": "200", "currency": "USD",
        }),
    )
    .await;
    create_deal(
        &app,
        &acme,
        json!({
            "name": "Coffee", "customerId": globex["id"], "amount": "50", "currency": "USD",
        }),
    )
    .await;

    // A contact of another customer is refused.
    let body = app
        .gql_as(
            &acme,
            "mutation($input: CreateDealInput!) { createDeal(input: $input) { deal { id } } }",
            json!({ "input": { "name": "X", "customerId": globex["id"], "currency": "USD",
                               "contacts": [{ "contactId": contact }] } }),
        )
        .await;
    assert_eq!(error_field(&body), Some("contacts[0].contactId"), "{body}");

    // Rollups: open deals and their amount in the base currency.
    let rollups = "query($f: CustomerFilter) { customers(filter: $f, orderBy: [{ field: OPEN_DEAL_AMOUNT, direction: DESC }]) {
        edges { node { name openDealCount openDealAmount { amount currency } } } } }";
    let body = app
        .gql_as(
            &acme,
            rollups,
            json!({ "f": { "openDealAmount": { "gt": "1000" } } }),
        )
        .await;
    let edges = body["data"]["customers"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 1, "{body}");
    assert_eq!(edges[0]["node"]["openDealCount"], 2);
    assert_eq!(
        edges[0]["node"]["openDealAmount"],
        json!({ "amount": "1300.55", "currency": "USD" })
    );

    // Move forward, then win; losing needs a reason.
    let body = move_deal(
        &app,
        &acme,
        json!({ "id": big["id"], "stageId": stage_id(&sales, "Proposal"), "version": 1 }),
    )
    .await;
    let moved = &body["data"]["moveDeal"]["deal"];
    assert_eq!(moved["stage"]["name"], "Proposal", "{body}");
    assert_eq!(moved["version"], 2);
    let history = moved["stageHistory"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert!(history[0]["leftAt"].is_string());
    assert!(history[0]["durationSeconds"].as_i64().unwrap() >= 0);
    assert_eq!(history[1]["stageName"], "Proposal");
    assert!(history[1]["leftAt"].is_null());
    let body = move_deal(
        &app,
        &acme,
        json!({ "id": big["id"], "stageId": stage_id(&sales, "Negotiation"), "version": 1 }),
    )
    .await;
    assert_eq!(error_code(&body), Some("CONFLICT"), "{body}");
    let body = move_deal(
        &app,
        &acme,
        json!({ "id": big["id"], "stageId": stage_id(&sales, "Won"), "reason": "best price" }),
    )
    .await;
    let won = &body["data"]["moveDeal"]["deal"];
    assert_eq!(won["status"], "WON", "{body}");
    assert_eq!(won["closeReason"], "best price");
    assert!(won["closedAt"].is_string());
    let body = move_deal(
        &app,
        &acme,
        json!({ "id": small["id"], "stageId": stage_id(&sales, "Lost") }),
    )
    .await;
    assert_eq!(error_field(&body), Some("reason"), "{body}");
    let body = move_deal(
        &app,
        &acme,
        json!({ "id": small["id"], "stageId": stage_id(&sales, "Lost"), "reason": "no budget" }),
    )
    .await;
    assert_eq!(body["data"]["moveDeal"]["deal"]["status"], "LOST", "{body}");

    // Nothing is open at Initech any more.
    let body = app
        .gql_as(&acme, "query($id: ID!) { customer(id: $id) { openDealCount openDealAmount { amount } deals(first: 10) { edges { node { name status } } } } }", json!({ "id": initech["id"] }))
        .await;
    let customer = &body["data"]["customer"];
    assert_eq!(customer["openDealCount"], 0, "{body}");
    assert_eq!(customer["openDealAmount"]["amount"], "0.00");
    assert_eq!(customer["deals"]["edges"].as_array().unwrap().len(), 2);

    // The deal's story is in the customer's timeline, newest first.
    let body = app
        .gql_as(&acme, "query($id: ID!) { customer(id: $id) { timeline(first: 20) { edges { node { kind dealId dealStage { stageName } } } } } }", json!({ "id": initech["id"] }))
        .await;
    let deal_entries: Vec<(String, String)> = body["data"]["customer"]["timeline"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["node"]["dealId"] == big["id"])
        .map(|e| {
            (
                e["node"]["kind"].as_str().unwrap().to_owned(),
                e["node"]["dealStage"]["stageName"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            )
        })
        .collect();
    assert_eq!(
        deal_entries,
        [
            ("DEAL_WON".to_owned(), "Won".to_owned()),
            ("DEAL_STAGE_CHANGED".to_owned(), "Proposal".to_owned()),
            ("DEAL_CREATED".to_owned(), "Qualification".to_owned())
        ],
        "{body}"
    );

    // The outbox has the stage changes, the win and the loss (besides the
    // customer and contact events of the set-up).
    let body = app
        .gql_as(&acme, "{ domainEvents(first: 20, types: [DEAL_STAGE_CHANGED, DEAL_WON, DEAL_LOST]) { totalCount edges { node { kind aggregateType aggregateId payload } } } }", json!({}))
        .await;
    let kinds: Vec<&str> = body["data"]["domainEvents"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "DEAL_LOST",
            "DEAL_STAGE_CHANGED",
            "DEAL_WON",
            "DEAL_STAGE_CHANGED",
            "DEAL_STAGE_CHANGED"
        ],
        "{body}"
    );
    let lost = &body["data"]["domainEvents"]["edges"][0]["node"];
    assert_eq!(lost["aggregateId"], small["id"]);
    assert_eq!(lost["payload"]["reason"], "no budget");

    // The deals query: filter language and order.
    let body = app
        .gql_as(
            &acme,
            "query($f: DealFilter) { deals(filter: $f, orderBy: [{ field: AMOUNT, direction: DESC }]) { totalCount edges { node { name } } } }",
            json!({ "f": { "or": [{ "status": { "eq": "WON" } }, { "amountInBaseCurrency": { "lt": "100" } }] } }),
        )
        .await;
    let names: Vec<&str> = body["data"]["deals"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Printers", "Coffee"], "{body}");
    assert_eq!(body["data"]["deals"]["totalCount"], 2);
}

#[tokio::test]
async fn interactions_can_be_about_a_deal_of_their_customer() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme-deal-calls").await;
    let initech = app
        .create_customer(&acme, json!({ "kind": "COMPANY", "name": "Initech" }))
        .await;
    let globex = app
        .create_customer(&acme, json!({ "kind": "COMPANY", "name": "Globex" }))
        .await;
    let deal = create_deal(&app, &acme, json!({ "name": "Printers", "customerId": initech["id"], "currency": "USD", "amount": "10" })).await;
    let log = "mutation($input: LogInteractionInput!) { logInteraction(input: $input) { interaction { id dealId } } }";
    let body = app
        .gql_as(&acme, log, json!({ "input": { "customerId": globex["id"], "kind": "CALL", "dealId": deal["id"] } }))
        .await;
    assert_eq!(error_field(&body), Some("dealId"), "{body}");
    let body = app
        .gql_as(&acme, log, json!({ "input": { "customerId": initech["id"], "kind": "CALL", "subject": "pricing", "dealId": deal["id"] } }))
        .await;
    assert_eq!(
        body["data"]["logInteraction"]["interaction"]["dealId"], deal["id"],
        "{body}"
    );
    let body = app
        .gql_as(&acme, "query($id: ID!) { deal(id: $id) { interactions(first: 5) { edges { node { subject } } } } }", json!({ "id": deal["id"] }))
        .await;
    assert_eq!(
        body["data"]["deal"]["interactions"]["edges"][0]["node"]["subject"], "pricing",
        "{body}"
    );
}

#[tokio::test]
async fn sales_reps_see_only_the_deals_of_customers_they_see() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme-deal-vis").await;
    // A rep, invited and accepted.
    let invited = app
        .gql_as(
            &acme,
            "mutation($input: InviteMemberInput!) { inviteMember(input: $input) { invitation { id } } }",
            json!({ "input": { "email": "rep@acme-deal-vis.example.com", "role": "SALES" } }),
        )
        .await;
    assert!(invited["errors"].is_null(), "{invited}");
    let db = sea_orm::Database::connect(app.db.owner_url.as_str())
        .await
        .unwrap();
    let row = db
        .query_one(Statement::from_sql_and_values(
            db.get_database_backend(),
            "SELECT body FROM outbound_messages WHERE recipient = $1",
            ["rep@acme-deal-vis.example.com".into()],
        ))
        .await
        .unwrap()
        .unwrap();
    let body: String = row.try_get("", "body").unwrap();
    let start = body.find("crm_inv_").unwrap();
    let token = body[start..].split(char::is_whitespace).next().unwrap();
    let accepted = app
        .gql(
            "mutation($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { accessToken user { id } } }",
            json!({ "input": { "token": token, "password": "a rep's long passphrase" } }),
        )
        .await;
    let rep_token = accepted["data"]["acceptInvitation"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let rep_id = accepted["data"]["acceptInvitation"]["user"]["id"].clone();
    let body = app
        .gql_as(&acme, "mutation { updateTenantSettings(input: { customerVisibility: OWN }) { customerVisibility } }", json!({}))
        .await;
    assert!(body["errors"].is_null(), "{body}");

    let mine = app
        .create_customer(
            &acme,
            json!({ "kind": "COMPANY", "name": "Mine", "ownerId": rep_id }),
        )
        .await;
    let theirs = app
        .create_customer(&acme, json!({ "kind": "COMPANY", "name": "Theirs" }))
        .await;
    let my_deal = create_deal(
        &app,
        &acme,
        json!({ "name": "Mine", "customerId": mine["id"], "currency": "USD", "amount": "1" }),
    )
    .await;
    let their_deal = create_deal(
        &app,
        &acme,
        json!({ "name": "Theirs", "customerId": theirs["id"], "currency": "USD", "amount": "1" }),
    )
    .await;

    let body = app
        .gql_with(
            Some(&rep_token),
            "{ deals { totalCount edges { node { name } } } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["deals"]["totalCount"], 1, "{body}");
    assert_eq!(body["data"]["deals"]["edges"][0]["node"]["name"], "Mine");
    let body = app
        .gql_with(
            Some(&rep_token),
            "query($id: ID!) { deal(id: $id) { id } }",
            json!({ "id": their_deal["id"] }),
        )
        .await;
    assert!(body["data"]["deal"].is_null(), "{body}");
    let sales = default_pipeline(&app, &acme).await;
    let body = app
        .gql_with(
            Some(&rep_token),
            "mutation($input: MoveDealInput!) { moveDeal(input: $input) { deal { id } } }",
            json!({ "input": { "id": their_deal["id"], "stageId": stage_id(&sales, "Proposal") } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    let body = app
        .gql_with(
            Some(&rep_token),
            "mutation($input: MoveDealInput!) { moveDeal(input: $input) { deal { stage { name } } } }",
            json!({ "input": { "id": my_deal["id"], "stageId": stage_id(&sales, "Proposal") } }),
        )
        .await;
    assert_eq!(
        body["data"]["moveDeal"]["deal"]["stage"]["name"], "Proposal",
        "{body}"
    );
    // Reps neither shape pipelines nor read the outbox.
    let body = app
        .gql_with(Some(&rep_token), "mutation { createPipeline(input: { name: \"Mine\", stages: [{ name: \"A\", probability: \"10\", kind: OPEN }] }) { pipeline { id } } }", json!({}))
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    let body = app
        .gql_with(
            Some(&rep_token),
            "{ domainEvents { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
}

#[tokio::test]
async fn row_level_security_confines_every_deal_table_to_the_tenant_set() {
    use sea_orm::TransactionTrait;
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme-deal-rls").await;
    let globex = app.sign_up("globex-deal-rls").await;
    for tenant in [&acme, &globex] {
        let customer = app
            .create_customer(tenant, json!({ "kind": "COMPANY", "name": "Initech" }))
            .await;
        let contact = app
            .gql_as(
                tenant,
                "mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id } } }",
                json!({ "input": { "customerId": customer["id"], "name": "Bill" } }),
            )
            .await["data"]["createContact"]["contact"]["id"]
            .clone();
        let product = app
            .gql_as(tenant, "mutation { createProduct(input: { sku: \"P1\", name: \"Printer\" }) { product { id } } }", json!({}))
            .await["data"]["createProduct"]["product"]["id"]
            .clone();
        let deal = create_deal(
            &app,
            tenant,
            json!({
                "name": "Printers", "customerId": customer["id"], "currency": "USD",
                "contacts": [{ "contactId": contact, "role": "buyer" }],
                "lines": [{ "productId": product, "quantity": "2", "unitPrice": "10" }],
            }),
        )
        .await;
        assert_eq!(
            deal["amount"]["amount"], "20.00",
            "the amount is the lines' sum"
        );
        let sales = default_pipeline(&app, tenant).await;
        let body = move_deal(
            &app,
            tenant,
            json!({ "id": deal["id"], "stageId": stage_id(&sales, "Proposal") }),
        )
        .await;
        assert!(body["errors"].is_null(), "{body}");
        let body = app
            .gql_as(
                tenant,
                "mutation { createLead(input: { name: \"Peter\" }) { lead { id } } }",
                json!({}),
            )
            .await;
        assert!(body["errors"].is_null(), "{body}");
    }

    let db = app.db.connect_as_app().await;
    let tx = db.begin().await.unwrap();
    let count = |sql: String| {
        let tx = &tx;
        async move {
            let row = tx
                .query_one(Statement::from_string(tx.get_database_backend(), sql))
                .await
                .unwrap()
                .unwrap();
            row.try_get_by_index::<i64>(0).unwrap()
        }
    };
    let tables = [
        "pipelines",
        "pipeline_stages",
        "deals",
        "deal_contacts",
        "deal_lines",
        "deal_stage_history",
        "leads",
        "domain_events",
    ];
    for table in tables {
        assert_eq!(
            count(format!("SELECT count(*) FROM {table}")).await,
            0,
            "{table} without a tenant"
        );
    }
    tx.execute(Statement::from_string(
        tx.get_database_backend(),
        format!(
            "SELECT set_config('app.tenant_id', '{}', true)",
            acme.tenant_id
        ),
    ))
    .await
    .unwrap();
    for table in tables {
        let forced = count(format!(
            "SELECT count(*) FROM pg_class WHERE relname = '{table}' AND relrowsecurity AND relforcerowsecurity"
        ))
        .await;
        assert_eq!(forced, 1, "{table} must force row-level security");
        assert!(
            count(format!("SELECT count(*) FROM {table}")).await > 0,
            "{table} holds Acme's rows"
        );
        let others = count(format!(
            "SELECT count(*) FROM {table} WHERE tenant_id <> '{}'",
            acme.tenant_id
        ))
        .await;
        assert_eq!(others, 0, "{table} shows another tenant's rows");
    }
    tx.rollback().await.unwrap();
}
