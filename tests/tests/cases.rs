//! Service cases: numbered per workspace, due by the service level of their
//! priority, moved through their lifecycle by agents and by replies logged
//! as interactions, rated, filtered and sorted, shown in the customer 360
//! view and timeline, moved by merges, and never seen across workspaces or
//! by reps who may not see the customer.

use chrono::{DateTime, Duration, Utc};
use crm_tests::{error_code, error_field, TestApp, TestTenant};
use sea_orm::{ConnectionTrait, Statement, TransactionTrait};
use serde_json::{json, Value};

const CASE_FIELDS: &str =
    "id number version subject description kind status priority channel isOpen
    customerId contactId ownerId firstResponseDueAt resolutionDueAt firstRespondedAt
    firstResponseBreached resolutionBreached resolvedAt resolution closedAt
    satisfaction { score comment } createdAt
    history { kind from to note }";

async fn create_case(app: &TestApp, tenant: &TestTenant, input: Value) -> Value {
    let body = app
        .gql_as(
            tenant,
            &format!("mutation($input: CreateCaseInput!) {{ createCase(input: $input) {{ case {{ {CASE_FIELDS} }} }} }}"),
            json!({ "input": input }),
        )
        .await;
    let case = body["data"]["createCase"]["case"].clone();
    assert!(case.is_object(), "createCase failed: {body}");
    case
}

async fn change_status(
    app: &TestApp,
    tenant: &TestTenant,
    id: &Value,
    status: &str,
    note: Option<&str>,
) -> Value {
    app.gql_as(
        tenant,
        &format!("mutation($input: ChangeCaseStatusInput!) {{ changeCaseStatus(input: $input) {{ case {{ {CASE_FIELDS} }} }} }}"),
        json!({ "input": { "id": id, "status": status, "note": note } }),
    )
    .await
}

async fn log(app: &TestApp, tenant: &TestTenant, input: Value) -> Value {
    app.gql_as(
        tenant,
        "mutation($input: LogInteractionInput!) { logInteraction(input: $input) { interaction { id caseId } } }",
        json!({ "input": input }),
    )
    .await
}

async fn case(app: &TestApp, tenant: &TestTenant, id: &Value) -> Value {
    let body = app
        .gql_as(
            tenant,
            &format!("query($id: ID!) {{ case(id: $id) {{ {CASE_FIELDS} }} }}"),
            json!({ "id": id }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["case"].clone()
}

fn time(value: &Value) -> DateTime<Utc> {
    value
        .as_str()
        .unwrap_or_else(|| panic!("not a time: {value}"))
        .parse()
        .unwrap()
}

fn history_kinds(case: &Value) -> Vec<String> {
    case["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e["kind"].as_str().unwrap(),
                e["to"].as_str().unwrap_or("-")
            )
        })
        .collect()
}

async fn customer_with_contact(app: &TestApp, tenant: &TestTenant, name: &str) -> (Value, Value) {
    let customer = app
        .create_customer(tenant, json!({ "kind": "COMPANY", "name": name }))
        .await;
    let body = app
        .gql_as(
            tenant,
            "mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id } } }",
            json!({ "input": { "customerId": customer["id"], "name": format!("Someone at {name}") } }),
        )
        .await;
    let contact = body["data"]["createContact"]["contact"].clone();
    assert!(contact.is_object(), "{body}");
    (customer, contact)
}

#[tokio::test]
async fn a_case_is_numbered_due_by_its_service_level_and_moves_through_its_lifecycle() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme-cases").await;
    let (customer, contact) = customer_with_contact(&app, &acme, "Initech").await;
    let body = app
        .gql_as(
            &acme,
            "mutation { setCaseServiceLevel(input: { priority: URGENT, firstResponseMinutes: 30, resolutionMinutes: 120 }) { priority firstResponseMinutes resolutionMinutes isDefault } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["setCaseServiceLevel"],
        json!({ "priority": "URGENT", "firstResponseMinutes": 30, "resolutionMinutes": 120, "isDefault": false }),
        "{body}"
    );

    let urgent = create_case(
        &app,
        &acme,
        json!({ "customerId": customer["id"], "contactId": contact["id"], "subject": "Printer on fire",
                "description": "Smoke from tray 2", "kind": "PROBLEM", "priority": "URGENT", "channel": "PHONE" }),
    )
    .await;
    assert_eq!(urgent["number"], 1);
    assert_eq!(urgent["status"], "NEW");
    assert_eq!(urgent["isOpen"], true);
    assert_eq!(urgent["ownerId"], acme.user_id.as_str());
    assert_eq!(urgent["contactId"], contact["id"]);
    let opened = time(&urgent["createdAt"]);
    assert_eq!(
        time(&urgent["firstResponseDueAt"]),
        opened + Duration::minutes(30)
    );
    assert_eq!(
        time(&urgent["resolutionDueAt"]),
        opened + Duration::minutes(120)
    );
    assert_eq!(urgent["firstResponseBreached"], false);
    assert_eq!(history_kinds(&urgent), vec!["OPENED NEW"]);

    // Priorities the workspace never set use the defaults (normal: 8 h / 3 days).
    let normal = create_case(
        &app,
        &acme,
        json!({ "customerId": customer["id"], "subject": "How do I reset my password?", "kind": "INQUIRY", "channel": "WEB" }),
    )
    .await;
    assert_eq!(normal["number"], 2);
    assert_eq!(normal["priority"], "NORMAL");
    assert_eq!(
        time(&normal["resolutionDueAt"]) - time(&normal["createdAt"]),
        Duration::days(3)
    );

    // The agent's reply is the first response and opens the case.
    let replied_at = "2026-11-26T09:00:00Z";
    let body = log(
        &app,
        &acme,
        json!({ "customerId": customer["id"], "caseId": urgent["id"], "kind": "CALL",
                "direction": "OUTBOUND", "subject": "Called back", "occurredAt": replied_at }),
    )
    .await;
    assert_eq!(
        body["data"]["logInteraction"]["interaction"]["caseId"], urgent["id"],
        "{body}"
    );
    let seen = case(&app, &acme, &urgent["id"]).await;
    assert_eq!(seen["status"], "OPEN");
    assert_eq!(time(&seen["firstRespondedAt"]), time(&json!(replied_at)));

    // Waiting on the customer, who answers: open again.
    let body = change_status(
        &app,
        &acme,
        &urgent["id"],
        "PENDING",
        Some("asked for the model"),
    )
    .await;
    assert_eq!(
        body["data"]["changeCaseStatus"]["case"]["status"], "PENDING",
        "{body}"
    );
    let body = log(
        &app,
        &acme,
        json!({ "customerId": customer["id"], "caseId": urgent["id"], "kind": "EMAIL",
                "direction": "INBOUND", "subject": "Model LX-9" }),
    )
    .await;
    assert!(body["errors"].is_null(), "{body}");
    assert_eq!(case(&app, &acme, &urgent["id"]).await["status"], "OPEN");

    // Resolved with its resolution, then rated.
    let body = change_status(
        &app,
        &acme,
        &urgent["id"],
        "RESOLVED",
        Some("Replaced the fuser"),
    )
    .await;
    let resolved = &body["data"]["changeCaseStatus"]["case"];
    assert_eq!(resolved["status"], "RESOLVED", "{body}");
    assert_eq!(resolved["isOpen"], false);
    assert_eq!(resolved["resolution"], "Replaced the fuser");
    assert!(resolved["resolvedAt"].is_string());
    let body = app
        .gql_as(
            &acme,
            "mutation($input: RateCaseInput!) { rateCase(input: $input) { case { satisfaction { score comment } } } }",
            json!({ "input": { "id": urgent["id"], "score": 5, "comment": "Fast!" } }),
        )
        .await;
    assert_eq!(
        body["data"]["rateCase"]["case"]["satisfaction"],
        json!({ "score": 5, "comment": "Fast!" }),
        "{body}"
    );

    // A resolved case may be reopened or closed, not put back to pending.
    let body = change_status(&app, &acme, &urgent["id"], "PENDING", None).await;
    assert_eq!(error_code(&body), Some("CONFLICT"), "{body}");
    assert_eq!(error_field(&body), Some("status"));
    let body = change_status(&app, &acme, &urgent["id"], "OPEN", Some("smoke again")).await;
    let reopened = &body["data"]["changeCaseStatus"]["case"];
    assert_eq!(reopened["status"], "OPEN", "{body}");
    assert!(reopened["resolvedAt"].is_null());
    assert!(reopened["resolution"].is_null());
    let body = change_status(&app, &acme, &urgent["id"], "CLOSED", None).await;
    let closed = body["data"]["changeCaseStatus"]["case"].clone();
    assert_eq!(closed["status"], "CLOSED", "{body}");
    assert!(closed["closedAt"].is_string() && closed["resolvedAt"].is_string());
    assert_eq!(
        history_kinds(&closed),
        vec![
            "OPENED NEW",
            "STATUS_CHANGED OPEN",
            "STATUS_CHANGED PENDING",
            "STATUS_CHANGED OPEN",
            "STATUS_CHANGED RESOLVED",
            "RATED 5",
            "STATUS_CHANGED OPEN",
            "STATUS_CHANGED CLOSED",
        ]
    );

    // Closed is final: no status change, no edit, no interaction about it.
    let body = change_status(&app, &acme, &urgent["id"], "OPEN", None).await;
    assert_eq!(error_code(&body), Some("CONFLICT"), "{body}");
    let body = app
        .gql_as(
            &acme,
            "mutation($input: UpdateCaseInput!) { updateCase(input: $input) { case { id } } }",
            json!({ "input": { "id": urgent["id"], "version": closed["version"], "subject": "x" } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("CONFLICT"), "{body}");
    let body = log(
        &app,
        &acme,
        json!({ "customerId": customer["id"], "caseId": urgent["id"], "kind": "NOTE" }),
    )
    .await;
    assert_eq!(error_code(&body), Some("VALIDATION"), "{body}");
    assert_eq!(error_field(&body), Some("caseId"));
}

#[tokio::test]
async fn changing_a_case_checks_its_version_moves_due_times_and_keeps_the_assignments() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme-case-edits").await;
    let (customer, contact) = customer_with_contact(&app, &acme, "Globex").await;
    let (_, other_contact) = customer_with_contact(&app, &acme, "Hooli").await;
    let created = create_case(
        &app,
        &acme,
        json!({ "customerId": customer["id"], "subject": "Invoice twice", "kind": "COMPLAINT", "priority": "LOW", "channel": "EMAIL" }),
    )
    .await;
    const UPDATE: &str = "mutation($input: UpdateCaseInput!) { updateCase(input: $input) { case { version subject priority ownerId contactId description firstResponseDueAt resolutionDueAt createdAt history { kind from to } } } }";
    let body = app
        .gql_as(
            &acme,
            UPDATE,
            json!({ "input": { "id": created["id"], "version": created["version"], "priority": "HIGH",
                              "ownerId": null, "description": "Charged on the 1st and the 2nd" } }),
        )
        .await;
    let updated = body["data"]["updateCase"]["case"].clone();
    assert_eq!(updated["version"], 2, "{body}");
    assert_eq!(updated["priority"], "HIGH");
    assert!(updated["ownerId"].is_null());
    assert_eq!(updated["description"], "Charged on the 1st and the 2nd");
    // High: 4 h / 1 day from the opening.
    let opened = time(&updated["createdAt"]);
    assert_eq!(
        time(&updated["firstResponseDueAt"]),
        opened + Duration::hours(4)
    );
    assert_eq!(
        time(&updated["resolutionDueAt"]),
        opened + Duration::days(1)
    );
    assert_eq!(
        updated["history"],
        json!([
            { "kind": "OPENED", "from": null, "to": "NEW" },
            { "kind": "DESCRIPTION_CHANGED", "from": null, "to": "Charged on the 1st and the 2nd" },
            { "kind": "PRIORITY_CHANGED", "from": "LOW", "to": "HIGH" },
            { "kind": "ASSIGNED", "from": acme.user_id, "to": null },
        ])
    );

    // A stale version, a contact of another customer, an owner who is no member.
    let body = app
        .gql_as(
            &acme,
            UPDATE,
            json!({ "input": { "id": created["id"], "version": 1, "subject": "Late edit" } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("CONFLICT"), "{body}");
    assert_eq!(error_field(&body), Some("version"));
    let body = app
        .gql_as(
            &acme,
            UPDATE,
            json!({ "input": { "id": created["id"], "version": 2, "contactId": other_contact["id"] } }),
        )
        .await;
    assert_eq!(error_field(&body), Some("contactId"), "{body}");
    let body = app
        .gql_as(
            &acme,
            UPDATE,
            json!({ "input": { "id": created["id"], "version": 2, "ownerId": uuid::Uuid::now_v7().to_string() } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("VALIDATION"), "{body}");
    assert_eq!(error_field(&body), Some("ownerId"));
    // Nothing of the refused writes stuck.
    let seen = case(&app, &acme, &created["id"]).await;
    assert_eq!(seen["version"], 2);
    assert_eq!(seen["subject"], "Invoice twice");

    // Every edited field is in the history, from and to; an unchanged one is not.
    let body = app
        .gql_as(
            &acme,
            UPDATE,
            json!({ "input": { "id": created["id"], "version": 2, "subject": "Invoiced twice in March",
                              "kind": "PROBLEM", "channel": "PHONE", "contactId": contact["id"],
                              "priority": "HIGH", "description": "Charged on the 1st and the 2nd" } }),
        )
        .await;
    let history = body["data"]["updateCase"]["case"]["history"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"));
    assert_eq!(
        history[4..],
        [
            json!({ "kind": "SUBJECT_CHANGED", "from": "Invoice twice", "to": "Invoiced twice in March" }),
            json!({ "kind": "KIND_CHANGED", "from": "COMPLAINT", "to": "PROBLEM" }),
            json!({ "kind": "CHANNEL_CHANGED", "from": "EMAIL", "to": "PHONE" }),
            json!({ "kind": "CONTACT_CHANGED", "from": null, "to": contact["id"] }),
        ],
        "{body}"
    );
}

#[tokio::test]
async fn bad_case_input_gets_typed_errors_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme-case-input").await;
    let other = app.sign_up("other-case-input").await;
    let (customer, _) = customer_with_contact(&app, &acme, "Initech").await;
    let (_, foreign_contact) = customer_with_contact(&app, &acme, "Vandelay").await;
    let (theirs, _) = customer_with_contact(&app, &other, "Theirs").await;
    const CREATE: &str =
        "mutation($input: CreateCaseInput!) { createCase(input: $input) { case { id } } }";
    let base = json!({ "customerId": customer["id"], "subject": "Help", "kind": "INQUIRY", "channel": "CHAT" });
    let with = |change: Value| {
        let mut input = base.clone();
        for (k, v) in change.as_object().unwrap() {
            input[k] = v.clone();
        }
        json!({ "input": input })
    };
    for (change, code, field) in [
        (json!({ "subject": "   " }), "VALIDATION", "subject"),
        (
            json!({ "subject": "x".repeat(301) }),
            "VALIDATION",
            "subject",
        ),
        (
            json!({ "customerId": theirs["id"] }),
            "VALIDATION",
            "customerId",
        ),
        (
            json!({ "customerId": "not-an-id" }),
            "VALIDATION",
            "customerId",
        ),
        (
            json!({ "contactId": foreign_contact["id"] }),
            "VALIDATION",
            "contactId",
        ),
        (
            json!({ "ownerId": uuid::Uuid::now_v7().to_string() }),
            "VALIDATION",
            "ownerId",
        ),
    ] {
        let body = app.gql_as(&acme, CREATE, with(change.clone())).await;
        assert_eq!(error_code(&body), Some(code), "{change}: {body}");
        assert_eq!(error_field(&body), Some(field), "{change}: {body}");
    }
    let body = app
        .gql_as(&acme, CREATE, with(json!({ "kind": "RANT" })))
        .await;
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("RANT"));
    let body = app
        .gql_as(&acme, "{ cases { totalCount } }", json!({}))
        .await;
    assert_eq!(body["data"]["cases"]["totalCount"], 0, "{body}");

    // The next good case still gets number 1: refused ones used none.
    let good = create_case(&app, &acme, base.clone()).await;
    assert_eq!(good["number"], 1);
    let body = app
        .gql_as(
            &acme,
            "mutation($input: RateCaseInput!) { rateCase(input: $input) { case { id } } }",
            json!({ "input": { "id": good["id"], "score": 4 } }),
        )
        .await;
    assert_eq!(
        error_code(&body),
        Some("CONFLICT"),
        "open cases are not rated: {body}"
    );
    change_status(&app, &acme, &good["id"], "RESOLVED", None).await;
    let body = app
        .gql_as(
            &acme,
            "mutation($input: RateCaseInput!) { rateCase(input: $input) { case { id } } }",
            json!({ "input": { "id": good["id"], "score": 6 } }),
        )
        .await;
    assert_eq!(error_field(&body), Some("score"), "{body}");
    for (first, resolution, field) in [
        (0, 10, "firstResponseMinutes"),
        (60, 30, "resolutionMinutes"),
        (60, 600_000, "resolutionMinutes"),
    ] {
        let body = app
            .gql_as(
                &acme,
                "mutation($f: Int!, $r: Int!) { setCaseServiceLevel(input: { priority: LOW, firstResponseMinutes: $f, resolutionMinutes: $r }) { priority } }",
                json!({ "f": first, "r": resolution }),
            )
            .await;
        assert_eq!(error_code(&body), Some("VALIDATION"), "{body}");
        assert_eq!(error_field(&body), Some(field), "{body}");
    }
    let body = app
        .gql_as(
            &acme,
            "{ caseServiceLevels { priority firstResponseMinutes resolutionMinutes isDefault } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["caseServiceLevels"][3],
        json!({ "priority": "LOW", "firstResponseMinutes": 1440, "resolutionMinutes": 10080, "isDefault": true }),
        "{body}"
    );

    // A viewer reads cases but opens none.
    let (viewer, _) = app
        .invite_member(&acme, "viewer@acme-case-input.example", "VIEWER", None)
        .await;
    let body = app
        .gql_with(Some(&viewer), CREATE, json!({ "input": base }))
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    let body = app
        .gql_with(Some(&viewer), "{ cases { totalCount } }", json!({}))
        .await;
    assert_eq!(body["data"]["cases"]["totalCount"], 1, "{body}");
}

#[tokio::test]
async fn cases_are_filtered_sorted_and_paged() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme-case-lists").await;
    let (initech, _) = customer_with_contact(&app, &acme, "Initech").await;
    let (globex, _) = customer_with_contact(&app, &acme, "Globex").await;
    let mut ids = Vec::new();
    for (customer, subject, kind, priority) in [
        (&initech, "A", "INQUIRY", "LOW"),
        (&initech, "B", "COMPLAINT", "URGENT"),
        (&globex, "C", "COMPLAINT", "NORMAL"),
        (&globex, "D", "PROBLEM", "HIGH"),
        (&globex, "E", "SUGGESTION", "LOW"),
    ] {
        let c = create_case(
            &app,
            &acme,
            json!({ "customerId": customer["id"], "subject": subject, "kind": kind, "priority": priority, "channel": "EMAIL" }),
        )
        .await;
        ids.push(c["id"].clone());
    }
    change_status(&app, &acme, &ids[2], "RESOLVED", None).await;
    // Case D is long overdue.
    let db = app.db.connect_as_app().await;
    let tx = db.begin().await.unwrap();
    for sql in [
        format!(
            "SELECT set_config('app.tenant_id', '{}', true)",
            acme.tenant_id
        ),
        format!(
            "UPDATE cases SET resolution_due_at = now() - interval '1 hour' WHERE id = '{}'",
            ids[3].as_str().unwrap()
        ),
    ] {
        tx.execute(Statement::from_string(tx.get_database_backend(), sql))
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();

    const LIST: &str = "query($f: CaseFilter, $o: [CaseOrderBy!], $first: Int, $after: String) {
        cases(filter: $f, orderBy: $o, first: $first, after: $after) {
            totalCount edges { cursor node { subject } } pageInfo { hasNextPage endCursor } } }";
    let subjects = |body: &Value| -> Vec<String> {
        body["data"]["cases"]["edges"]
            .as_array()
            .unwrap_or_else(|| panic!("{body}"))
            .iter()
            .map(|e| e["node"]["subject"].as_str().unwrap().to_owned())
            .collect()
    };
    for (filter, expected) in [
        (json!({ "open": true }), vec!["E", "D", "B", "A"]),
        (json!({ "open": false }), vec!["C"]),
        (json!({ "overdue": true }), vec!["D"]),
        (json!({ "kind": { "eq": "COMPLAINT" } }), vec!["C", "B"]),
        (
            json!({ "customerId": { "eq": initech["id"] } }),
            vec!["B", "A"],
        ),
        (
            json!({ "or": [{ "priority": { "in": ["URGENT", "HIGH"] } }, { "subject": { "eq": "A" } }] }),
            vec!["D", "B", "A"],
        ),
        (
            json!({ "open": true, "not": { "priority": { "eq": "LOW" } } }),
            vec!["D", "B"],
        ),
        (json!({ "number": 3 }), vec!["C"]),
        (json!({ "unassigned": true }), vec![]),
    ] {
        let body = app
            .gql_as(&acme, LIST, json!({ "f": filter, "first": 10 }))
            .await;
        assert_eq!(subjects(&body), expected, "{filter}: {body}");
        assert_eq!(
            body["data"]["cases"]["totalCount"],
            expected.len(),
            "{filter}"
        );
    }

    // Most urgent first, then by number; two at a time.
    let order = json!([{ "field": "PRIORITY", "direction": "DESC" }, { "field": "NUMBER", "direction": "ASC" }]);
    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let body = app
            .gql_as(
                &acme,
                LIST,
                json!({ "o": order, "first": 2, "after": after }),
            )
            .await;
        seen.extend(subjects(&body));
        let info = &body["data"]["cases"]["pageInfo"];
        if info["hasNextPage"] != true {
            break;
        }
        after = info["endCursor"].clone();
    }
    assert_eq!(seen, vec!["B", "D", "C", "A", "E"]);
    let body = app
        .gql_as(
            &acme,
            LIST,
            json!({ "o": [{ "field": "NUMBER", "direction": "ASC" }, { "field": "NUMBER", "direction": "DESC" }] }),
        )
        .await;
    assert_eq!(error_field(&body), Some("orderBy"), "{body}");
    let body = app
        .gql_as(&acme, LIST, json!({ "first": 2, "after": "garbage" }))
        .await;
    assert_eq!(error_code(&body), Some("VALIDATION"), "{body}");

    // The service summary over these five.
    let body = app
        .gql_as(
            &acme,
            "{ serviceSummary { opened openNow overdueNow resolved firstResponseMetShare resolutionMetShare rated averageSatisfaction } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["serviceSummary"],
        json!({ "opened": 5, "openNow": 4, "overdueNow": 1, "resolved": 1,
                "firstResponseMetShare": 1.0, "resolutionMetShare": 1.0, "rated": 0, "averageSatisfaction": null }),
        "{body}"
    );
}

#[tokio::test]
async fn the_customer_360_and_timeline_show_cases_and_a_merge_moves_them() {
    const VIEW: &str = "query($id: ID!) { customer(id: $id) { openCaseCount
        openCases(first: 5) { edges { node { subject status } } }
        cases(first: 5) { totalCount edges { node { subject } } }
        timeline(first: 10) { edges { node { kind caseId caseEvent { kind to } } } } } }";
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme-case-360").await;
    let (initech, _) = customer_with_contact(&app, &acme, "Initech").await;
    let read = |id: Value| {
        let app = &app;
        let acme = &acme;
        async move {
            let body = app.gql_as(acme, VIEW, json!({ "id": id })).await;
            assert!(body["errors"].is_null(), "{body}");
            body["data"]["customer"].clone()
        }
    };
    // Warm the cached view, then write: the next read shows the write.
    assert_eq!(read(initech["id"].clone()).await["openCaseCount"], 0);
    let opened = create_case(
        &app,
        &acme,
        json!({ "customerId": initech["id"], "subject": "Stapler missing", "kind": "COMPLAINT", "channel": "IN_PERSON" }),
    )
    .await;
    let seen = read(initech["id"].clone()).await;
    assert_eq!(seen["openCaseCount"], 1);
    assert_eq!(
        seen["openCases"]["edges"],
        json!([{ "node": { "subject": "Stapler missing", "status": "NEW" } }])
    );
    let first = &seen["timeline"]["edges"][0]["node"];
    assert_eq!(first["kind"], "CASE_OPENED", "{seen}");
    assert_eq!(first["caseId"], opened["id"]);
    change_status(&app, &acme, &opened["id"], "RESOLVED", Some("Found it")).await;
    let seen = read(initech["id"].clone()).await;
    assert_eq!(seen["openCaseCount"], 0, "{seen}");
    assert_eq!(seen["openCases"]["edges"], json!([]));
    assert_eq!(seen["cases"]["totalCount"], 1);
    let first = &seen["timeline"]["edges"][0]["node"];
    assert_eq!(first["kind"], "CASE_RESOLVED", "{seen}");
    assert_eq!(
        first["caseEvent"],
        json!({ "kind": "STATUS_CHANGED", "to": "RESOLVED" })
    );

    // Merging moves the merged customer's cases to the survivor.
    let (duplicate, _) = customer_with_contact(&app, &acme, "Initech Inc").await;
    create_case(
        &app,
        &acme,
        json!({ "customerId": duplicate["id"], "subject": "TPS reports", "kind": "REQUEST", "channel": "EMAIL" }),
    )
    .await;
    let body = app
        .gql_as(
            &acme,
            "mutation($input: MergeCustomersInput!) { mergeCustomers(input: $input) { customer { id } } }",
            json!({ "input": { "survivorId": initech["id"], "mergedId": duplicate["id"] } }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let seen = read(initech["id"].clone()).await;
    assert_eq!(seen["cases"]["totalCount"], 2, "{seen}");
    assert_eq!(seen["openCaseCount"], 1);
    assert_eq!(
        seen["openCases"]["edges"][0]["node"]["subject"],
        "TPS reports"
    );

    // Opening and status changes reach the outbox.
    let body = app
        .gql_as(
            &acme,
            "{ domainEvents(first: 10, filter: { kindIn: [CASE_OPENED, CASE_STATUS_CHANGED] }) { edges { node { kind aggregateType payload } } } }",
            json!({}),
        )
        .await;
    let events = body["data"]["domainEvents"]["edges"].as_array().unwrap();
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| e["node"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        vec!["CASE_OPENED", "CASE_STATUS_CHANGED", "CASE_OPENED"],
        "{body}"
    );
    let resolved = &events[1]["node"];
    assert_eq!(resolved["aggregateType"], "CASE");
    assert_eq!(resolved["payload"]["status"], "RESOLVED");
    assert_eq!(resolved["payload"]["fromStatus"], "NEW");
}

#[tokio::test]
async fn cases_stay_in_their_workspace_and_follow_customer_visibility() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme-case-walls").await;
    let evil = app.sign_up("evil-case-walls").await;
    let (customer, _) = customer_with_contact(&app, &acme, "Initech").await;
    let secret = create_case(
        &app,
        &acme,
        json!({ "customerId": customer["id"], "subject": "Secret complaint", "kind": "COMPLAINT", "channel": "PHONE" }),
    )
    .await;
    let (evil_customer, _) = customer_with_contact(&app, &evil, "Mine").await;
    let body = app
        .gql_as(
            &evil,
            "query($id: ID!) { case(id: $id) { id } caseByNumber(number: 1) { id } cases { totalCount } }",
            json!({ "id": secret["id"] }),
        )
        .await;
    assert_eq!(
        body["data"],
        json!({ "case": null, "caseByNumber": null, "cases": { "totalCount": 0 } }),
        "{body}"
    );
    let body = change_status(&app, &evil, &secret["id"], "CLOSED", None).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    let body = log(
        &app,
        &evil,
        json!({ "customerId": evil_customer["id"], "caseId": secret["id"], "kind": "NOTE" }),
    )
    .await;
    assert_eq!(error_field(&body), Some("caseId"), "{body}");
    // The other workspace numbers its own cases from 1.
    let theirs = create_case(
        &app,
        &evil,
        json!({ "customerId": evil_customer["id"], "subject": "Mine", "kind": "INQUIRY", "channel": "WEB" }),
    )
    .await;
    assert_eq!(theirs["number"], 1);
    assert_eq!(case(&app, &acme, &secret["id"]).await["status"], "NEW");

    // A sales rep who sees only their own customers sees only their cases.
    let body = app
        .gql_as(
            &acme,
            "mutation { updateTenantSettings(input: { customerVisibility: OWN }) { customerVisibility } }",
            json!({}),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let (rep, rep_id) = app
        .invite_member(&acme, "rep@acme-case-walls.example", "SALES", None)
        .await;
    let mine = app
        .create_customer(
            &acme,
            json!({ "kind": "PERSON", "name": "Rep's customer", "ownerId": rep_id }),
        )
        .await;
    let rep_case = create_case(
        &app,
        &acme,
        json!({ "customerId": mine["id"], "subject": "Rep's case", "kind": "INQUIRY", "channel": "EMAIL" }),
    )
    .await;
    let body = app
        .gql_with(
            Some(&rep),
            "query($id: ID!) { case(id: $id) { id } cases { totalCount edges { node { subject } } } }",
            json!({ "id": secret["id"] }),
        )
        .await;
    assert!(body["data"]["case"].is_null(), "{body}");
    assert_eq!(body["data"]["cases"]["totalCount"], 1);
    assert_eq!(
        body["data"]["cases"]["edges"][0]["node"]["subject"],
        "Rep's case"
    );
    let body = app
        .gql_with(
            Some(&rep),
            "mutation($input: ChangeCaseStatusInput!) { changeCaseStatus(input: $input) { case { status } } }",
            json!({ "input": { "id": secret["id"], "status": "OPEN" } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    let body = app
        .gql_with(
            Some(&rep),
            "mutation($input: ChangeCaseStatusInput!) { changeCaseStatus(input: $input) { case { status } } }",
            json!({ "input": { "id": rep_case["id"], "status": "OPEN" } }),
        )
        .await;
    assert_eq!(
        body["data"]["changeCaseStatus"]["case"]["status"], "OPEN",
        "{body}"
    );
}
