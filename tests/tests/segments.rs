//! Marketing segments: dynamic ones follow their filter as customers,
//! orders and value runs change them; static lists take customers by hand
//! and from a file; definitions are checked field by field; reads and
//! writes stay inside the workspace and its permissions.

use chrono::{Duration, Utc};
use crm_tests::{error_code, error_field, TestApp, TestTenant};
use serde_json::{json, Value};

const SEGMENT_FIELDS: &str = "id version name kind filter memberCount refreshedAt
    members(first: 50, orderBy: [{ field: NAME }]) { totalCount edges { node { name } } }";

async fn create_segment(app: &TestApp, tenant: &TestTenant, input: Value) -> Value {
    let body = app
        .gql_as(
            tenant,
            &format!("mutation($input: CreateSegmentInput!) {{ createSegment(input: $input) {{ segment {{ {SEGMENT_FIELDS} }} }} }}"),
            json!({ "input": input }),
        )
        .await;
    let segment = body["data"]["createSegment"]["segment"].clone();
    assert!(segment.is_object(), "createSegment failed: {body}");
    segment
}

async fn segment(app: &TestApp, tenant: &TestTenant, id: &Value) -> Value {
    let body = app
        .gql_as(
            tenant,
            &format!("query($id: ID!) {{ segment(id: $id) {{ {SEGMENT_FIELDS} }} }}"),
            json!({ "id": id }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["segment"].clone()
}

fn member_names(segment: &Value) -> Vec<String> {
    segment["members"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("no members in {segment}"))
        .iter()
        .map(|e| e["node"]["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn customer(app: &TestApp, tenant: &TestTenant, name: &str, extra: Value) -> Value {
    let mut input = json!({ "kind": "COMPANY", "name": name });
    for (k, v) in extra.as_object().unwrap() {
        input[k] = v.clone();
    }
    app.create_customer(tenant, input).await
}

async fn update_customer(app: &TestApp, tenant: &TestTenant, id: &Value, changes: Value) {
    let current = app
        .gql_as(
            tenant,
            "query($id: ID!) { customer(id: $id) { version } }",
            json!({ "id": id }),
        )
        .await;
    let mut input = json!({ "id": id, "version": current["data"]["customer"]["version"] });
    for (k, v) in changes.as_object().unwrap() {
        input[k] = v.clone();
    }
    let body = app
        .gql_as(
            tenant,
            "mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { customer { id } } }",
            json!({ "input": input }),
        )
        .await;
    assert!(body["errors"].is_null(), "updateCustomer failed: {body}");
}

#[tokio::test]
async fn a_dynamic_segment_follows_its_customers_as_they_change() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let berlin = customer(
        &app,
        &acme,
        "Berlin GmbH",
        json!({ "region": "EU", "tags": ["vip"] }),
    )
    .await;
    customer(&app, &acme, "Paris SA", json!({ "region": "EU" })).await;
    customer(
        &app,
        &acme,
        "Boston Inc",
        json!({ "region": "US", "tags": ["vip"] }),
    )
    .await;

    let eu = create_segment(
        &app,
        &acme,
        json!({ "name": "Europe", "kind": "DYNAMIC", "filter": { "region": { "eq": "EU" } } }),
    )
    .await;
    assert_eq!(eu["kind"], "DYNAMIC");
    assert_eq!(eu["filter"], json!({ "region": { "eq": "EU" } }), "{eu}");
    assert_eq!(eu["memberCount"], 2, "{eu}");
    assert!(eu["refreshedAt"].is_string(), "{eu}");
    assert_eq!(member_names(&eu), ["Berlin GmbH", "Paris SA"]);

    // A new customer that matches joins at once; one that changes leaves.
    let madrid = customer(&app, &acme, "Madrid SL", json!({ "region": "EU" })).await;
    update_customer(&app, &acme, &berlin["id"], json!({ "region": "US" })).await;
    let now = segment(&app, &acme, &eu["id"]).await;
    assert_eq!(member_names(&now), ["Madrid SL", "Paris SA"]);

    // Deleted customers leave; restored ones come back.
    let deleted = app
        .gql_as(
            &acme,
            "mutation($id: ID!) { deleteCustomer(id: $id) }",
            json!({ "id": madrid["id"] }),
        )
        .await;
    assert_eq!(deleted["data"]["deleteCustomer"], true, "{deleted}");
    assert_eq!(
        member_names(&segment(&app, &acme, &eu["id"]).await),
        ["Paris SA"]
    );
    let restored = app
        .gql_as(
            &acme,
            "mutation($id: ID!) { restoreCustomer(id: $id) { customer { id } } }",
            json!({ "id": madrid["id"] }),
        )
        .await;
    assert!(restored["errors"].is_null(), "{restored}");
    assert_eq!(
        member_names(&segment(&app, &acme, &eu["id"]).await),
        ["Madrid SL", "Paris SA"]
    );

    // The customer shows its segments, and the customer list narrows to one.
    let body = app
        .gql_as(
            &acme,
            "query($id: ID!, $s: ID!) {
                customer(id: $id) { segments { name } }
                customers(filter: { segmentId: { eq: $s } }, orderBy: [{ field: NAME }]) { totalCount edges { node { name } } }
             }",
            json!({ "id": madrid["id"], "s": eu["id"] }),
        )
        .await;
    assert_eq!(
        body["data"]["customer"]["segments"],
        json!([{ "name": "Europe" }]),
        "{body}"
    );
    assert_eq!(body["data"]["customers"]["totalCount"], 2, "{body}");

    // A new filter refills it; its members can be narrowed further.
    let vip = app
        .gql_as(
            &acme,
            "mutation($input: UpdateSegmentInput!) { updateSegment(input: $input) { segment {
                version memberCount filter
                members(first: 10, filter: { name: { startsWith: \"Bos\" } }) { totalCount edges { node { name } } } } } }",
            json!({ "input": { "id": eu["id"], "version": eu["version"],
                               "filter": { "tags": { "contains": "vip" } } } }),
        )
        .await;
    let updated = &vip["data"]["updateSegment"]["segment"];
    assert_eq!(updated["version"], 2, "{vip}");
    assert_eq!(updated["memberCount"], 2, "{vip}");
    assert_eq!(updated["members"]["totalCount"], 1, "{vip}");
    assert_eq!(updated["members"]["edges"][0]["node"]["name"], "Boston Inc");

    // Today's size is recorded.
    let history = app
        .gql_as(
            &acme,
            "query($id: ID!) { segment(id: $id) { sizeHistory(days: 7) { day size } } }",
            json!({ "id": eu["id"] }),
        )
        .await;
    let days = history["data"]["segment"]["sizeHistory"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(days.len(), 1, "{history}");
    assert_eq!(days[0]["day"], Utc::now().date_naive().to_string());
    assert_eq!(days[0]["size"], 2, "{history}");
}

#[tokio::test]
async fn orders_and_value_runs_move_customers_between_segments() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let body = app
        .gql_as(
            &acme,
            "mutation { createProduct(input: { sku: \"P-1\", name: \"Widget\" }) { product { id } } }",
            json!({}),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let repeat = create_segment(
        &app,
        &acme,
        json!({ "name": "Repeat buyers", "kind": "DYNAMIC", "filter": { "orderCount": { "gte": 2 } } }),
    )
    .await;
    let top = create_segment(
        &app,
        &acme,
        json!({ "name": "Tier A", "kind": "DYNAMIC", "filter": { "value": { "tier": { "eq": "A" } } } }),
    )
    .await;
    assert_eq!(repeat["memberCount"], 0);
    assert_eq!(top["memberCount"], 0);

    let at = |days: i64| (Utc::now() - Duration::days(days)).to_rfc3339();
    let row = |order: &str, customer: &str, days: i64, price: &str| {
        json!({ "externalOrderId": order, "customerExternalId": customer,
                "customerName": format!("Customer {customer}"), "orderedAt": at(days),
                "currency": "USD", "sku": "P-1", "quantity": "1", "unitPrice": price })
    };
    let rows = vec![
        row("O-1", "C1", 3, "500"),
        row("O-2", "C1", 9, "500"),
        row("O-3", "C2", 5, "20"),
        row("O-4", "C3", 40, "10"),
    ];
    let body = app
        .gql_as(
            &acme,
            "mutation($input: ImportOrdersInput!) { importOrders(input: $input) { ordersCreated ordersRejected } }",
            json!({ "input": { "rows": rows, "createMissingCustomers": true } }),
        )
        .await;
    assert_eq!(body["data"]["importOrders"]["ordersCreated"], 4, "{body}");
    assert_eq!(
        member_names(&segment(&app, &acme, &repeat["id"]).await),
        ["Customer C1"]
    );
    // Value figures change only with a run: nobody is in tier A before one.
    assert_eq!(segment(&app, &acme, &top["id"]).await["memberCount"], 0);

    app.recompute_customer_value(&acme).await;
    let top_now = segment(&app, &acme, &top["id"]).await;
    let listed = app
        .gql_as(
            &acme,
            "{ customers(filter: { value: { tier: { eq: A } } }, orderBy: [{ field: NAME }]) { edges { node { name } } } }",
            json!({}),
        )
        .await;
    let tier_a: Vec<String> = listed["data"]["customers"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["name"].as_str().unwrap().to_owned())
        .collect();
    assert!(!tier_a.is_empty(), "{listed}");
    assert_eq!(member_names(&top_now), tier_a);
}

#[tokio::test]
async fn static_lists_take_customers_by_hand_and_from_a_file() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let ann = customer(
        &app,
        &acme,
        "Ann Ltd",
        json!({ "email": "buyer@ann.example" }),
    )
    .await;
    let bob = customer(&app, &acme, "Bob Ltd", json!({ "externalId": "B-7" })).await;
    let cyd = customer(&app, &acme, "Cyd Ltd", json!({})).await;
    let list = create_segment(
        &app,
        &acme,
        json!({ "name": "Fair visitors", "kind": "STATIC" }),
    )
    .await;
    assert!(list["filter"].is_null());
    assert_eq!(list["memberCount"], 0);

    let add = "mutation($input: SegmentMembersInput!) { addSegmentMembers(input: $input) { changed segment { memberCount } } }";
    let body = app
        .gql_as(
            &acme,
            add,
            json!({ "input": { "segmentId": list["id"], "customerIds": [ann["id"], cyd["id"]] } }),
        )
        .await;
    assert_eq!(body["data"]["addSegmentMembers"]["changed"], 2, "{body}");
    assert_eq!(
        body["data"]["addSegmentMembers"]["segment"]["memberCount"], 2,
        "{body}"
    );
    let again = app
        .gql_as(
            &acme,
            add,
            json!({ "input": { "segmentId": list["id"], "customerIds": [ann["id"]] } }),
        )
        .await;
    assert_eq!(again["data"]["addSegmentMembers"]["changed"], 0, "{again}");
    let unknown = app
        .gql_as(
            &acme,
            add,
            json!({ "input": { "segmentId": list["id"], "customerIds": [bob["id"], uuid::Uuid::now_v7().to_string()] } }),
        )
        .await;
    assert_eq!(error_code(&unknown), Some("VALIDATION"), "{unknown}");
    assert_eq!(error_field(&unknown), Some("customerIds[1]"), "{unknown}");

    let removed = app
        .gql_as(
            &acme,
            "mutation($input: SegmentMembersInput!) { removeSegmentMembers(input: $input) { changed segment { memberCount } } }",
            json!({ "input": { "segmentId": list["id"], "customerIds": [cyd["id"]] } }),
        )
        .await;
    assert_eq!(
        removed["data"]["removeSegmentMembers"]["changed"], 1,
        "{removed}"
    );
    assert_eq!(
        removed["data"]["removeSegmentMembers"]["segment"]["memberCount"],
        1
    );

    // From a file: by email (any case), with a bad row reported by number.
    let import =
        "mutation($input: ImportSegmentMembersInput!) { importSegmentMembers(input: $input) {
        added alreadyMembers errorCount errors { row message } segment { memberCount } } }";
    let csv = "name,Email\nAnn,BUYER@ann.example\nNobody,nobody@nowhere.example\nCyd,\n";
    let body = app
        .gql_as(
            &acme,
            import,
            json!({ "input": { "segmentId": list["id"], "csv": csv } }),
        )
        .await;
    let report = &body["data"]["importSegmentMembers"];
    assert_eq!(report["added"], 0, "{body}");
    assert_eq!(report["alreadyMembers"], 1, "{body}");
    assert_eq!(report["errorCount"], 2, "{body}");
    assert_eq!(report["errors"][0]["row"], 2, "{body}");
    assert_eq!(report["errors"][1]["row"], 3, "{body}");
    // By external id.
    let body = app
        .gql_as(
            &acme,
            import,
            json!({ "input": { "segmentId": list["id"], "csv": "externalId\nB-7\n" } }),
        )
        .await;
    assert_eq!(body["data"]["importSegmentMembers"]["added"], 1, "{body}");
    assert_eq!(
        body["data"]["importSegmentMembers"]["segment"]["memberCount"],
        2
    );
    // A file without a known column is refused as a whole.
    let body = app
        .gql_as(
            &acme,
            import,
            json!({ "input": { "segmentId": list["id"], "csv": "phone\n123\n" } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("VALIDATION"), "{body}");
    assert_eq!(error_field(&body), Some("csv"), "{body}");
    assert_eq!(
        member_names(&segment(&app, &acme, &list["id"]).await),
        ["Ann Ltd", "Bob Ltd"]
    );

    // A merged customer's lists pass to the survivor.
    let merged = app
        .gql_as(
            &acme,
            "mutation($s: ID!, $m: ID!) { mergeCustomers(input: { survivorId: $s, mergedId: $m }) { customer { segments { name } } } }",
            json!({ "s": cyd["id"], "m": bob["id"] }),
        )
        .await;
    assert_eq!(
        merged["data"]["mergeCustomers"]["customer"]["segments"],
        json!([{ "name": "Fair visitors" }]),
        "{merged}"
    );
    assert_eq!(
        member_names(&segment(&app, &acme, &list["id"]).await),
        ["Ann Ltd", "Cyd Ltd"]
    );

    // The members of a dynamic segment follow its filter only.
    let dynamic = create_segment(
        &app,
        &acme,
        json!({ "name": "Named A", "kind": "DYNAMIC", "filter": { "name": { "startsWith": "A" } } }),
    )
    .await;
    let body = app
        .gql_as(
            &acme,
            add,
            json!({ "input": { "segmentId": dynamic["id"], "customerIds": [cyd["id"]] } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("VALIDATION"), "{body}");
    assert_eq!(error_field(&body), Some("segmentId"), "{body}");
}

#[tokio::test]
async fn segment_definitions_are_checked_field_by_field() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let create = "mutation($input: CreateSegmentInput!) { createSegment(input: $input) { segment { id version } } }";
    let refused = |input: Value| {
        let app = &app;
        let acme = &acme;
        async move {
            let body = app.gql_as(acme, create, json!({ "input": input })).await;
            assert!(body["data"].is_null(), "{body}");
            (
                error_code(&body).map(str::to_owned),
                error_field(&body).map(str::to_owned),
            )
        }
    };
    let v = |f: &str| (Some("VALIDATION".to_owned()), Some(f.to_owned()));
    assert_eq!(
        refused(json!({ "name": "  ", "kind": "STATIC" })).await,
        v("name")
    );
    assert_eq!(
        refused(json!({ "name": "x".repeat(201), "kind": "STATIC" })).await,
        v("name")
    );
    assert_eq!(
        refused(json!({ "name": "No filter", "kind": "DYNAMIC" })).await,
        v("filter")
    );
    assert_eq!(
        refused(
            json!({ "name": "List", "kind": "STATIC", "filter": { "region": { "eq": "EU" } } })
        )
        .await,
        v("filter")
    );
    assert_eq!(
        refused(json!({ "name": "Nested", "kind": "DYNAMIC",
                        "filter": { "or": [{ "segmentId": { "eq": uuid::Uuid::now_v7().to_string() } }] } }))
        .await,
        v("filter.segmentId")
    );
    let unknown_field = refused(json!({ "name": "Custom", "kind": "DYNAMIC",
                                        "filter": { "customFields": [{ "key": "nope", "eq": 1 }] } }))
    .await;
    assert_eq!(
        unknown_field.0.as_deref(),
        Some("VALIDATION"),
        "{unknown_field:?}"
    );
    assert_eq!(
        refused(json!({ "name": "Owner", "kind": "STATIC", "ownerId": uuid::Uuid::now_v7().to_string() })).await,
        v("ownerId")
    );

    let first = create_segment(
        &app,
        &acme,
        json!({ "name": "Newsletter", "kind": "STATIC" }),
    )
    .await;
    assert_eq!(
        refused(json!({ "name": "NEWSLETTER", "kind": "STATIC" })).await,
        (Some("CONFLICT".to_owned()), Some("name".to_owned()))
    );

    let update = "mutation($input: UpdateSegmentInput!) { updateSegment(input: $input) { segment { version name description } } }";
    let renamed = app
        .gql_as(
            &acme,
            update,
            json!({ "input": { "id": first["id"], "version": 1, "name": "Monthly newsletter", "description": "Opted in at the fair" } }),
        )
        .await;
    assert_eq!(
        renamed["data"]["updateSegment"]["segment"]["version"], 2,
        "{renamed}"
    );
    let stale = app
        .gql_as(
            &acme,
            update,
            json!({ "input": { "id": first["id"], "version": 1, "name": "Again" } }),
        )
        .await;
    assert_eq!(error_code(&stale), Some("CONFLICT"), "{stale}");
    assert_eq!(error_field(&stale), Some("version"), "{stale}");
    let cleared = app
        .gql_as(
            &acme,
            update,
            json!({ "input": { "id": first["id"], "version": 2, "description": null } }),
        )
        .await;
    assert!(
        cleared["data"]["updateSegment"]["segment"]["description"].is_null(),
        "{cleared}"
    );

    let deleted = app
        .gql_as(
            &acme,
            "mutation($id: ID!) { deleteSegment(id: $id) }",
            json!({ "id": first["id"] }),
        )
        .await;
    assert_eq!(deleted["data"]["deleteSegment"], true, "{deleted}");
    let again = app
        .gql_as(
            &acme,
            "mutation($id: ID!) { deleteSegment(id: $id) }",
            json!({ "id": first["id"] }),
        )
        .await;
    assert_eq!(error_code(&again), Some("NOT_FOUND"), "{again}");
}

#[tokio::test]
async fn a_segment_on_a_removed_custom_field_does_not_stop_customer_writes() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let body = app
        .gql_as(
            &acme,
            "mutation { defineCustomField(input: { object: CUSTOMER, key: \"score\", label: \"Score\", type: NUMBER }) { id } }",
            json!({}),
        )
        .await;
    let field_id = body["data"]["defineCustomField"]["id"].clone();
    assert!(field_id.is_string(), "{body}");
    let high = customer(
        &app,
        &acme,
        "High",
        json!({ "customFields": { "score": 9 } }),
    )
    .await;
    let seg = create_segment(
        &app,
        &acme,
        json!({ "name": "High score", "kind": "DYNAMIC",
                "filter": { "customFields": [{ "key": "score", "gte": 5 }] } }),
    )
    .await;
    assert_eq!(member_names(&seg), ["High"]);
    let removed = app
        .gql_as(
            &acme,
            "mutation($id: ID!) { removeCustomField(id: $id) }",
            json!({ "id": field_id }),
        )
        .await;
    assert_eq!(removed["data"]["removeCustomField"], true, "{removed}");
    // Customers are still written; the segment keeps its members.
    update_customer(&app, &acme, &high["id"], json!({ "name": "Still high" })).await;
    customer(&app, &acme, "Another", json!({})).await;
    assert_eq!(
        member_names(&segment(&app, &acme, &seg["id"]).await),
        ["Still high"]
    );
}

#[tokio::test]
async fn segments_stay_inside_their_workspace_and_permissions() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let globex = app.sign_up("globex").await;
    let acme_customer = customer(&app, &acme, "Acme's client", json!({ "region": "EU" })).await;
    let globex_customer =
        customer(&app, &globex, "Globex's client", json!({ "region": "EU" })).await;
    let acme_list = create_segment(&app, &acme, json!({ "name": "List", "kind": "STATIC" })).await;
    let globex_eu = create_segment(
        &app,
        &globex,
        json!({ "name": "EU", "kind": "DYNAMIC", "filter": { "region": { "eq": "EU" } } }),
    )
    .await;
    // Each dynamic segment holds its own workspace's customers only.
    assert_eq!(member_names(&globex_eu), ["Globex's client"]);

    // Another workspace's segments and customers are unknown.
    let body = app
        .gql_as(
            &acme,
            "query($id: ID!) { segment(id: $id) { id } }",
            json!({ "id": globex_eu["id"] }),
        )
        .await;
    assert!(body["data"]["segment"].is_null(), "{body}");
    let body = app
        .gql_as(
            &acme,
            "mutation($input: SegmentMembersInput!) { addSegmentMembers(input: $input) { changed } }",
            json!({ "input": { "segmentId": acme_list["id"], "customerIds": [globex_customer["id"]] } }),
        )
        .await;
    assert_eq!(error_field(&body), Some("customerIds[0]"), "{body}");
    let body = app
        .gql_as(
            &acme,
            "mutation($input: UpdateSegmentInput!) { updateSegment(input: $input) { segment { id } } }",
            json!({ "input": { "id": globex_eu["id"], "version": 1, "name": "Taken" } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    let body = app
        .gql_as(
            &acme,
            "query($s: ID!) { customers(filter: { segmentId: { eq: $s } }) { totalCount } }",
            json!({ "s": globex_eu["id"] }),
        )
        .await;
    assert_eq!(body["data"]["customers"]["totalCount"], 0, "{body}");

    // Marketing members read and write segments; sales reps and viewers do not.
    let (marketer, _) = app
        .invite_member(&acme, "mia@acme.example", "MARKETING", None)
        .await;
    let made = app
        .gql_with(
            Some(&marketer),
            "mutation { createSegment(input: { name: \"Mia's\", kind: STATIC }) { segment { owner { displayName } } } }",
            json!({}),
        )
        .await;
    assert!(made["errors"].is_null(), "{made}");
    for role in ["SALES", "VIEWER"] {
        let (token, _) = app
            .invite_member(
                &acme,
                &format!("{}@acme.example", role.to_lowercase()),
                role,
                None,
            )
            .await;
        let read = app
            .gql_with(
                Some(&token),
                "{ segments(first: 5) { totalCount } }",
                json!({}),
            )
            .await;
        assert_eq!(error_code(&read), Some("FORBIDDEN"), "{role}: {read}");
        let edge = app
            .gql_with(
                Some(&token),
                "query($id: ID!) { customer(id: $id) { name segments { name } } }",
                json!({ "id": acme_customer["id"] }),
            )
            .await;
        assert_eq!(error_code(&edge), Some("FORBIDDEN"), "{role}: {edge}");
        let write = app
            .gql_with(
                Some(&token),
                "mutation { createSegment(input: { name: \"Mine\", kind: STATIC }) { segment { id } } }",
                json!({}),
            )
            .await;
        assert_eq!(error_code(&write), Some("FORBIDDEN"), "{role}: {write}");
    }
}

#[tokio::test]
async fn the_hourly_count_records_every_workspaces_segment_sizes() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let globex = app.sign_up("globex").await;
    let list = create_segment(&app, &acme, json!({ "name": "List", "kind": "STATIC" })).await;
    let other = create_segment(&app, &globex, json!({ "name": "List", "kind": "STATIC" })).await;
    let ann = customer(&app, &acme, "Ann", json!({})).await;
    // Written directly, as a change the count has not seen yet.
    let db = app.db.connect_as_owner().await;
    use sea_orm::ConnectionTrait;
    db.execute_unprepared(&format!(
        "SET app.tenant_id = '{}'; INSERT INTO segment_members (tenant_id, segment_id, customer_id) VALUES ('{}', '{}', '{}'); RESET app.tenant_id",
        acme.tenant_id,
        acme.tenant_id,
        list["id"].as_str().unwrap(),
        ann["id"].as_str().unwrap()
    ))
    .await
    .unwrap();
    let app_db = app.db.connect_as_app().await;
    let counted = app_db
        .query_one(sea_orm::Statement::from_string(
            sea_orm::DatabaseBackend::Postgres,
            "SELECT record_segment_sizes() AS counted",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "counted")
        .unwrap();
    assert_eq!(counted, 2);
    let sizes = |tenant: &TestTenant, id: &Value| {
        let app = &app;
        let tenant = tenant.clone();
        let id = id.clone();
        async move {
            app.gql_as(
                &tenant,
                "query($id: ID!) { segment(id: $id) { sizeHistory { size } } }",
                json!({ "id": id }),
            )
            .await["data"]["segment"]["sizeHistory"]
                .clone()
        }
    };
    assert_eq!(sizes(&acme, &list["id"]).await, json!([{ "size": 1 }]));
    assert_eq!(sizes(&globex, &other["id"]).await, json!([{ "size": 0 }]));
}
