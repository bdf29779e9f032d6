//! A customer's past: field history (who changed which field from what to
//! what, and when), restoring deleted customers, and the timeline that
//! merges interactions with system events.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use crm_tests::{error_code, error_field, TestApp, TestTenant};
use sea_orm::{ConnectionTrait, Statement, TransactionTrait};
use serde_json::{json, Value};

const HISTORY: &str = "query($id: ID!, $first: Int, $after: String, $field: String) {
    customerHistory(customerId: $id, first: $first, after: $after, field: $field) {
        totalCount
        edges { cursor node { id customerId changeSetId action field oldValue newValue version changedAt changedBy } }
        pageInfo { hasNextPage hasPreviousPage endCursor } } }";
const UPDATE: &str = "mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { customer { id version } } }";
const DELETE: &str = "mutation($id: ID!) { deleteCustomer(id: $id) }";
const RESTORE: &str =
    "mutation($id: ID!) { restoreCustomer(id: $id) { customer { id version name lifecycleStage } } }";
const LOG: &str = "mutation($input: LogInteractionInput!) { logInteraction(input: $input) { interaction { id occurredAt } } }";
const TIMELINE: &str = "query($id: ID!, $first: Int, $after: String) { customer(id: $id) {
    timeline(first: $first, after: $after) {
        edges { cursor node { id at kind actorId actor { id }
            interaction { id subject }
            change { field oldValue newValue action changedBy } } }
        pageInfo { hasNextPage hasPreviousPage endCursor } } } }";

/// A member of `owner`'s workspace with `role`, signed in.
async fn add_member(app: &TestApp, owner: &TestTenant, name: &str, role: &str) -> TestTenant {
    let email = format!("{name}@{}.example.com", owner.slug);
    let invited = app
        .gql_as(
            owner,
            "mutation($input: InviteMemberInput!) { inviteMember(input: $input) { invitation { id } } }",
            json!({ "input": { "email": email, "role": role } }),
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
            [email.clone().into()],
        ))
        .await
        .unwrap()
        .expect("an invitation was queued");
    let body: String = row.try_get("", "body").unwrap();
    let start = body
        .find("crm_inv_")
        .expect("the message carries the token");
    let token: String = body[start..]
        .split(char::is_whitespace)
        .next()
        .unwrap()
        .to_owned();
    let password = "a member's long passphrase".to_owned();
    let accepted = app
        .gql(
            "mutation($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { accessToken refreshToken user { id } } }",
            json!({ "input": { "token": token, "password": password } }),
        )
        .await;
    let payload = &accepted["data"]["acceptInvitation"];
    assert!(payload.is_object(), "{accepted}");
    TestTenant {
        slug: owner.slug.clone(),
        email,
        password,
        token: payload["accessToken"].as_str().unwrap().to_owned(),
        refresh_token: payload["refreshToken"].as_str().unwrap().to_owned(),
        tenant_id: owner.tenant_id.clone(),
        user_id: payload["user"]["id"].as_str().unwrap().to_owned(),
    }
}

/// The whole history of a customer, newest first (one page).
async fn history(app: &TestApp, tenant: &TestTenant, id: &str) -> Vec<Value> {
    let body = app
        .gql_as(tenant, HISTORY, json!({ "id": id, "first": 100 }))
        .await;
    let edges = body["data"]["customerHistory"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("customerHistory failed: {body}"));
    edges.iter().map(|e| e["node"].clone()).collect()
}

/// The changes of one change set, keyed by field.
fn by_field<'a>(changes: &'a [Value], action: &str) -> Vec<(&'a str, &'a Value)> {
    changes
        .iter()
        .filter(|c| c["action"] == action)
        .map(|c| (c["field"].as_str().unwrap(), c))
        .collect()
}

async fn update(app: &TestApp, who: &TestTenant, input: Value) -> Value {
    app.gql_as(who, UPDATE, json!({ "input": input })).await
}

#[tokio::test]
async fn every_kind_of_change_is_recorded_with_old_and_new_values_and_who_made_it() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let bob = add_member(&app, &acme, "bob", "SALES").await;
    let carol = add_member(&app, &acme, "carol", "MANAGER").await;
    let seats = app
        .gql_as(
            &acme,
            "mutation { defineCustomField(input: { object: CUSTOMER, key: \"seats\", label: \"Seats\", type: NUMBER }) { id } }",
            json!({}),
        )
        .await;
    assert!(seats["errors"].is_null(), "{seats}");
    let customer = app
        .create_customer(
            &acme,
            json!({ "kind": "COMPANY", "name": "Globex", "email": "info@globex.example",
                    "tags": ["b2b"], "customFields": { "seats": 10 }, "lifecycleStage": "PROSPECT" }),
        )
        .await;
    let id = customer["id"].as_str().unwrap();

    // Creation: every field given, from nothing, by the creator, as one change set.
    let created = history(&app, &acme, id).await;
    let fields: HashSet<&str> = created
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        HashSet::from([
            "kind",
            "name",
            "email",
            "emails",
            "lifecycleStage",
            "tags",
            "customFields"
        ]),
        "{created:?}"
    );
    for change in &created {
        assert_eq!(change["action"], "CREATE");
        assert!(change["oldValue"].is_null());
        assert_eq!(change["changedBy"], acme.user_id.as_str());
        assert_eq!(change["version"], 1);
        assert_eq!(change["customerId"], id);
        assert_eq!(change["changeSetId"], created[0]["changeSetId"]);
    }
    let value_of = |field: &str| {
        created
            .iter()
            .find(|c| c["field"] == field)
            .map(|c| c["newValue"].clone())
            .unwrap()
    };
    assert_eq!(value_of("email"), "info@globex.example");
    assert_eq!(value_of("tags"), json!(["b2b"]));
    assert_eq!(value_of("customFields"), json!({ "seats": 10 }));
    assert_eq!(value_of("lifecycleStage"), "PROSPECT");

    // An edit of every field by another member.
    let edited = update(
        &app,
        &bob,
        json!({ "id": id, "version": 1, "kind": "PERSON", "name": "Globex Ltd", "email": null,
                "phone": "+44 20 7946 0000", "website": "https://globex.example", "industry": "Energy",
                "region": "EMEA", "externalId": "G-1", "lifecycleStage": "CUSTOMER",
                "ownerId": bob.user_id, "tags": ["b2b", "vip"], "customFields": { "seats": 12 } }),
    )
    .await;
    assert_eq!(
        edited["data"]["updateCustomer"]["customer"]["version"], 2,
        "{edited}"
    );
    let all = history(&app, &acme, id).await;
    let updates = by_field(&all, "UPDATE");
    let expected = [
        ("kind", json!("COMPANY"), json!("PERSON")),
        ("name", json!("Globex"), json!("Globex Ltd")),
        ("email", json!("info@globex.example"), Value::Null),
        ("phone", Value::Null, json!("+44 20 7946 0000")),
        (
            "emails",
            json!([{ "value": "info@globex.example", "label": "WORK", "primary": true }]),
            json!([]),
        ),
        (
            "phones",
            json!([]),
            json!([{ "value": "+44 20 7946 0000", "label": "WORK", "primary": true }]),
        ),
        ("website", Value::Null, json!("https://globex.example")),
        ("industry", Value::Null, json!("Energy")),
        ("region", Value::Null, json!("EMEA")),
        ("externalId", Value::Null, json!("G-1")),
        ("lifecycleStage", json!("PROSPECT"), json!("CUSTOMER")),
        ("ownerId", Value::Null, json!(bob.user_id)),
        ("tags", json!(["b2b"]), json!(["b2b", "vip"])),
        (
            "customFields",
            json!({ "seats": 10 }),
            json!({ "seats": 12 }),
        ),
    ];
    assert_eq!(updates.len(), expected.len(), "{updates:?}");
    for (field, old, new) in expected {
        let (_, change) = updates
            .iter()
            .find(|(f, _)| *f == field)
            .unwrap_or_else(|| panic!("no change of {field} recorded"));
        assert_eq!(change["oldValue"], old, "old {field}");
        assert_eq!(change["newValue"], new, "new {field}");
        assert_eq!(change["changedBy"], bob.user_id.as_str(), "{field}");
        assert_eq!(change["version"], 2);
        assert_eq!(change["changeSetId"], updates[0].1["changeSetId"]);
    }
    // The edit is newer than the creation: the list is newest first.
    assert_eq!(all[0]["action"], "UPDATE");
    assert_eq!(all.last().unwrap()["action"], "CREATE");

    // Giving a field its current value changes nothing and records nothing.
    let same = update(
        &app,
        &acme,
        json!({ "id": id, "version": 2, "name": "Globex Ltd", "region": "APAC" }),
    )
    .await;
    assert_eq!(
        same["data"]["updateCustomer"]["customer"]["version"], 3,
        "{same}"
    );
    let all = history(&app, &acme, id).await;
    assert_eq!(all[0]["field"], "region");
    assert_eq!(all[0]["oldValue"], "EMEA");
    assert_eq!(all[1]["version"], 2, "only the region was recorded");

    // Delete and restore are changes of `deletedAt`.
    let deleted = app.gql_as(&acme, DELETE, json!({ "id": id })).await;
    assert_eq!(deleted["data"]["deleteCustomer"], true, "{deleted}");
    let restored = app.gql_as(&carol, RESTORE, json!({ "id": id })).await;
    assert_eq!(
        restored["data"]["restoreCustomer"]["customer"]["version"], 5,
        "{restored}"
    );
    let all = history(&app, &acme, id).await;
    let (restore, delete) = (&all[0], &all[1]);
    assert_eq!(
        (delete["action"].as_str(), delete["field"].as_str()),
        (Some("DELETE"), Some("deletedAt"))
    );
    assert!(delete["oldValue"].is_null());
    let deleted_at: DateTime<Utc> = delete["newValue"].as_str().unwrap().parse().unwrap();
    assert!((Utc::now() - deleted_at).num_seconds().abs() < 60);
    assert_eq!(delete["changedBy"], acme.user_id.as_str());
    assert_eq!(delete["version"], 4);
    assert_eq!(
        (restore["action"].as_str(), restore["field"].as_str()),
        (Some("RESTORE"), Some("deletedAt"))
    );
    assert_eq!(restore["oldValue"], delete["newValue"]);
    assert!(restore["newValue"].is_null());
    assert_eq!(restore["changedBy"], carol.user_id.as_str());
    assert_eq!(restore["version"], 5);

    // One field's history, newest first, and counts.
    let names = app
        .gql_as(&acme, HISTORY, json!({ "id": id, "field": "name" }))
        .await;
    let connection = &names["data"]["customerHistory"];
    assert_eq!(connection["totalCount"], 2, "{names}");
    let values: Vec<&Value> = connection["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"]["newValue"])
        .collect();
    assert_eq!(values, [&json!("Globex Ltd"), &json!("Globex")]);
    let total = app.gql_as(&acme, HISTORY, json!({ "id": id })).await;
    assert_eq!(
        total["data"]["customerHistory"]["totalCount"],
        7 + 14 + 1 + 2
    );
    let unknown = app
        .gql_as(
            &acme,
            HISTORY,
            json!({ "id": id, "field": "lifecycle_stage" }),
        )
        .await;
    assert_eq!(error_code(&unknown), Some("VALIDATION"));
    assert_eq!(error_field(&unknown), Some("field"));

    // Paging through the history returns every change once.
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = app
            .gql_as(
                &acme,
                HISTORY,
                json!({ "id": id, "first": 4, "after": after }),
            )
            .await;
        let connection = &page["data"]["customerHistory"];
        for edge in connection["edges"].as_array().unwrap() {
            seen.push(edge["node"]["id"].as_str().unwrap().to_owned());
        }
        if connection["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = connection["pageInfo"]["endCursor"]
            .as_str()
            .map(str::to_owned);
    }
    let all: Vec<String> = history(&app, &acme, id)
        .await
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(seen, all);
}

#[tokio::test]
async fn a_creation_is_listed_field_by_field_in_pages_counts_and_field_filters() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let customer = app
        .create_customer(
            &acme,
            json!({ "kind": "PERSON", "name": "Dana", "email": "dana@example.com",
                    "phone": "+1 555 0100", "region": "EMEA", "tags": ["vip"] }),
        )
        .await;
    let id = customer["id"].as_str().unwrap();
    let all = history(&app, &acme, id).await;
    let fields: Vec<&str> = all.iter().map(|c| c["field"].as_str().unwrap()).collect();
    // Newest first: within one write, the fields in reverse of the API's order.
    assert_eq!(
        fields,
        [
            "tags",
            "lifecycleStage",
            "region",
            "phones",
            "emails",
            "phone",
            "email",
            "name",
            "kind"
        ]
    );

    // One entry per page: each entry once, then no next page.
    let (mut seen, mut after) = (Vec::new(), Value::Null);
    loop {
        let body = app
            .gql_as(
                &acme,
                HISTORY,
                json!({ "id": id, "first": 1, "after": after }),
            )
            .await;
        let page = &body["data"]["customerHistory"];
        assert_eq!(page["totalCount"], all.len(), "{body}");
        let edges = page["edges"].as_array().unwrap();
        assert_eq!(edges.len(), 1, "{body}");
        seen.push(edges[0]["node"].clone());
        if page["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(seen, all);
    let ids: HashSet<&str> = all.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), all.len(), "every entry has its own id");

    // One field: its first value, then its edit, newest first.
    update(
        &app,
        &acme,
        json!({ "id": id, "version": 1, "region": "APAC" }),
    )
    .await;
    let body = app
        .gql_as(&acme, HISTORY, json!({ "id": id, "field": "region" }))
        .await;
    let page = &body["data"]["customerHistory"];
    let values: Vec<(&Value, &Value, &Value)> = page["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                &e["node"]["action"],
                &e["node"]["oldValue"],
                &e["node"]["newValue"],
            )
        })
        .collect();
    assert_eq!(
        values,
        [
            (&json!("UPDATE"), &json!("EMEA"), &json!("APAC")),
            (&json!("CREATE"), &Value::Null, &json!("EMEA")),
        ],
        "{body}"
    );
    assert_eq!(page["totalCount"], 2);
    let none = app
        .gql_as(&acme, HISTORY, json!({ "id": id, "field": "website" }))
        .await;
    assert_eq!(none["data"]["customerHistory"]["totalCount"], 0, "{none}");
}

#[tokio::test]
async fn a_failed_write_records_nothing() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let id = app
        .create_customer(
            &acme,
            json!({ "kind": "PERSON", "name": "Ann", "externalId": "A-1" }),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.create_customer(
        &acme,
        json!({ "kind": "PERSON", "name": "Bea", "externalId": "B-1" }),
    )
    .await;
    let before = history(&app, &acme, &id).await;

    let stale = update(&app, &acme, json!({ "id": id, "version": 7, "name": "x" })).await;
    assert_eq!(error_code(&stale), Some("CONFLICT"), "{stale}");
    let invalid = update(
        &app,
        &acme,
        json!({ "id": id, "version": 1, "name": "y", "email": "not an address" }),
    )
    .await;
    assert_eq!(error_field(&invalid), Some("email"), "{invalid}");
    let taken = update(
        &app,
        &acme,
        json!({ "id": id, "version": 1, "name": "z", "externalId": "B-1" }),
    )
    .await;
    assert_eq!(error_code(&taken), Some("CONFLICT"), "{taken}");
    assert_eq!(error_field(&taken), Some("externalId"));
    let stranger = update(
        &app,
        &acme,
        json!({ "id": id, "version": 1, "lifecycleStage": "CUSTOMER", "ownerId": uuid::Uuid::new_v4() }),
    )
    .await;
    assert_eq!(error_field(&stranger), Some("ownerId"), "{stranger}");
    let live = app.gql_as(&acme, RESTORE, json!({ "id": id })).await;
    assert_eq!(error_code(&live), Some("CONFLICT"), "{live}");

    assert_eq!(history(&app, &acme, &id).await, before);
    let read = app
        .gql_as(
            &acme,
            "query($id: ID!) { customer(id: $id) { name version lifecycleStage } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        read["data"]["customer"],
        json!({ "name": "Ann", "version": 1, "lifecycleStage": "LEAD" })
    );
}

#[tokio::test]
async fn of_simultaneous_edits_at_one_version_one_wins_and_only_it_is_recorded() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let id = app
        .create_customer(&acme, json!({ "kind": "PERSON", "name": "Ann" }))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let edits = (0..8).map(|n| {
        update(
            &app,
            &acme,
            json!({ "id": id, "version": 1, "name": format!("Ann {n}") }),
        )
    });
    let results = futures_util::future::join_all(edits).await;
    let won: Vec<&Value> = results
        .iter()
        .filter(|r| r["data"]["updateCustomer"].is_object())
        .collect();
    assert_eq!(won.len(), 1, "{results:?}");
    assert!(results
        .iter()
        .filter(|r| !r["data"]["updateCustomer"].is_object())
        .all(|r| error_code(r) == Some("CONFLICT")));
    let names: Vec<Value> = history(&app, &acme, &id)
        .await
        .into_iter()
        .filter(|c| c["field"] == "name")
        .map(|c| c["newValue"].clone())
        .collect();
    let read = app
        .gql_as(
            &acme,
            "query($id: ID!) { customer(id: $id) { name } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        names,
        [read["data"]["customer"]["name"].clone(), json!("Ann")]
    );
}

#[tokio::test]
async fn a_deleted_customer_is_restored_as_it_was() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let sales = add_member(&app, &acme, "sam", "SALES").await;
    let id = app
        .create_customer(
            &acme,
            json!({ "kind": "COMPANY", "name": "Initech", "lifecycleStage": "CUSTOMER" }),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let deleted = app.gql_as(&acme, DELETE, json!({ "id": id })).await;
    assert_eq!(deleted["data"]["deleteCustomer"], true);
    let gone = app
        .gql_as(
            &acme,
            "query($id: ID!) { customer(id: $id) { id } customers { totalCount } }",
            json!({ "id": id }),
        )
        .await;
    assert!(gone["data"]["customer"].is_null());
    assert_eq!(gone["data"]["customers"]["totalCount"], 0);
    // Deleting again finds nothing; the history of a deleted customer stays readable.
    let again = app.gql_as(&acme, DELETE, json!({ "id": id })).await;
    assert_eq!(error_code(&again), Some("NOT_FOUND"));
    assert_eq!(history(&app, &acme, &id).await[0]["action"], "DELETE");

    // Restoring needs `customers:delete`.
    let forbidden = app.gql_as(&sales, RESTORE, json!({ "id": id })).await;
    assert_eq!(error_code(&forbidden), Some("FORBIDDEN"), "{forbidden}");

    let restored = app.gql_as(&acme, RESTORE, json!({ "id": id })).await;
    assert_eq!(
        restored["data"]["restoreCustomer"]["customer"],
        json!({ "id": id, "version": 3, "name": "Initech", "lifecycleStage": "CUSTOMER" }),
        "{restored}"
    );
    let back = app
        .gql_as(
            &acme,
            "query($id: ID!) { customer(id: $id) { version } customers { totalCount } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(back["data"]["customer"]["version"], 3);
    assert_eq!(back["data"]["customers"]["totalCount"], 1);
    // It is live again: restoring twice is a conflict, and it can be edited at its new version.
    let twice = app.gql_as(&acme, RESTORE, json!({ "id": id })).await;
    assert_eq!(error_code(&twice), Some("CONFLICT"));
    let edited = update(
        &app,
        &sales,
        json!({ "id": id, "version": 3, "name": "Initech Inc" }),
    )
    .await;
    assert_eq!(
        edited["data"]["updateCustomer"]["customer"]["version"], 4,
        "{edited}"
    );

    let unknown = app
        .gql_as(&acme, RESTORE, json!({ "id": uuid::Uuid::now_v7() }))
        .await;
    assert_eq!(error_code(&unknown), Some("NOT_FOUND"));
    let malformed = app.gql_as(&acme, RESTORE, json!({ "id": "nope" })).await;
    assert_eq!(error_field(&malformed), Some("id"));
}

#[tokio::test]
async fn history_and_timeline_stay_inside_their_tenant() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let globex = app.sign_up("globex").await;
    let theirs = app
        .create_customer(&acme, json!({ "kind": "PERSON", "name": "Acme's" }))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    update(
        &app,
        &acme,
        json!({ "id": theirs, "version": 1, "lifecycleStage": "CUSTOMER" }),
    )
    .await;
    let mine = app
        .create_customer(&globex, json!({ "kind": "PERSON", "name": "Globex's" }))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Another workspace's customer has no history, timeline or restore: it does not exist.
    let read = app.gql_as(&globex, HISTORY, json!({ "id": theirs })).await;
    assert_eq!(error_code(&read), Some("NOT_FOUND"), "{read}");
    let unknown = app
        .gql_as(&globex, HISTORY, json!({ "id": uuid::Uuid::now_v7() }))
        .await;
    assert_eq!(error_code(&unknown), Some("NOT_FOUND"));
    let timeline = app.gql_as(&globex, TIMELINE, json!({ "id": theirs })).await;
    assert!(timeline["data"]["customer"].is_null(), "{timeline}");
    app.gql_as(&acme, DELETE, json!({ "id": theirs })).await;
    let restore = app.gql_as(&globex, RESTORE, json!({ "id": theirs })).await;
    assert_eq!(error_code(&restore), Some("NOT_FOUND"));
    // ... and one's own customer shows only its own past.
    let own = history(&app, &globex, &mine).await;
    assert!(own.iter().all(|c| c["customerId"] == mine.as_str()));
    assert!(own
        .iter()
        .all(|c| c["changedBy"] == globex.user_id.as_str()));

    // In the database: row-level security confines history to the tenant
    // set, and the server's role can append to it but never rewrite it.
    let db = app.db.connect_as_app().await;
    let tx = db.begin().await.unwrap();
    let sql = |s: String| Statement::from_string(db.get_database_backend(), s);
    tx.execute(sql(format!(
        "SELECT set_config('app.tenant_id', '{}', true)",
        globex.tenant_id
    )))
    .await
    .unwrap();
    let row = tx
        .query_one(sql("SELECT count(*) AS n, count(*) FILTER (WHERE tenant_id <> app_current_tenant()) AS foreign FROM customer_change_entries".into()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.try_get::<i64>("", "n").unwrap(), own.len() as i64);
    assert_eq!(row.try_get::<i64>("", "foreign").unwrap(), 0);
    let planted = tx
        .execute(sql(format!(
            "INSERT INTO customer_changes (tenant_id, id, customer_id, change_set_id, action, field, new_value, version, changed_at)
             VALUES ('{}', gen_random_uuid(), '{theirs}', gen_random_uuid(), 'UPDATE', 'name', '\"x\"', 9, now())",
            acme.tenant_id
        )))
        .await;
    assert!(planted
        .unwrap_err()
        .to_string()
        .contains("row-level security"));
    tx.rollback().await.unwrap();
    for statement in [
        "UPDATE customer_changes SET new_value = '\"rewritten\"'",
        "DELETE FROM customer_changes",
    ] {
        let tx = db.begin().await.unwrap();
        tx.execute(sql(format!(
            "SELECT set_config('app.tenant_id', '{}', true)",
            globex.tenant_id
        )))
        .await
        .unwrap();
        let refused = tx.execute(sql(statement.into())).await;
        assert!(
            refused
                .unwrap_err()
                .to_string()
                .contains("permission denied"),
            "{statement} must be refused"
        );
        tx.rollback().await.unwrap();
    }
}

/// The whole timeline, read one page of `first` at a time, checking each
/// page's size and page information on the way.
async fn timeline_in_pages(app: &TestApp, who: &TestTenant, id: &str, first: i64) -> Vec<Value> {
    let mut entries = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let body = app
            .gql_as(
                who,
                TIMELINE,
                json!({ "id": id, "first": first, "after": after }),
            )
            .await;
        let timeline = &body["data"]["customer"]["timeline"];
        let edges = timeline["edges"]
            .as_array()
            .unwrap_or_else(|| panic!("timeline failed: {body}"));
        assert!(edges.len() as i64 <= first);
        assert_eq!(timeline["pageInfo"]["hasPreviousPage"], after.is_some());
        entries.extend(edges.iter().map(|e| e["node"].clone()));
        if timeline["pageInfo"]["hasNextPage"] != true {
            break;
        }
        assert_eq!(edges.len() as i64, first, "only the last page may be short");
        after = timeline["pageInfo"]["endCursor"]
            .as_str()
            .map(str::to_owned);
    }
    entries
}

fn kinds(entries: &[Value]) -> Vec<&str> {
    entries
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn the_timeline_merges_interactions_and_system_events_newest_first() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let bob = add_member(&app, &acme, "bob", "MANAGER").await;
    let id = app
        .create_customer(&acme, json!({ "kind": "COMPANY", "name": "Hooli" }))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let log = |subject: &'static str, occurred_at: Option<DateTime<Utc>>| {
        let app = &app;
        let acme = &acme;
        let id = id.clone();
        async move {
            let body = app
                .gql_as(
                    acme,
                    LOG,
                    json!({ "input": { "customerId": id, "kind": "CALL", "subject": subject, "occurredAt": occurred_at } }),
                )
                .await;
            assert!(body["errors"].is_null(), "{body}");
        }
    };
    // Interleave interactions (logged now, or dated in the past) with stage
    // and owner changes, an edit the timeline does not show, a delete and a restore.
    log("first call", None).await;
    update(
        &app,
        &bob,
        json!({ "id": id, "version": 1, "lifecycleStage": "PROSPECT" }),
    )
    .await;
    log("second call", None).await;
    update(
        &app,
        &acme,
        json!({ "id": id, "version": 2, "name": "Hooli XYZ", "industry": "Tech" }),
    )
    .await;
    update(
        &app,
        &bob,
        json!({ "id": id, "version": 3, "lifecycleStage": "CUSTOMER", "ownerId": bob.user_id }),
    )
    .await;
    log(
        "call about last year",
        Some(Utc::now() - Duration::days(365)),
    )
    .await;
    log("third call", None).await;
    app.gql_as(&acme, DELETE, json!({ "id": id })).await;
    let restored = app.gql_as(&acme, RESTORE, json!({ "id": id })).await;
    assert!(restored["errors"].is_null(), "{restored}");

    let all = timeline_in_pages(&app, &acme, &id, 50).await;
    let mut found = kinds(&all);
    // One edit changed stage and owner: two entries at the same instant,
    // whose order is that of their ids (checked below with all the others).
    assert_eq!(all[3]["at"], all[4]["at"]);
    found[3..5].sort_unstable();
    assert_eq!(
        found,
        [
            "CUSTOMER_RESTORED",
            "CUSTOMER_DELETED",
            "INTERACTION",
            "LIFECYCLE_STAGE_CHANGED",
            "OWNER_CHANGED",
            "INTERACTION",
            "LIFECYCLE_STAGE_CHANGED",
            "INTERACTION",
            "CUSTOMER_CREATED",
            "INTERACTION",
        ],
        "{all:#?}"
    );
    let subjects: Vec<&str> = all
        .iter()
        .filter_map(|e| e["interaction"]["subject"].as_str())
        .collect();
    assert_eq!(
        subjects,
        [
            "third call",
            "second call",
            "first call",
            "call about last year"
        ]
    );
    // Ordered by (at, id), newest first.
    for pair in all.windows(2) {
        let at = |e: &Value| e["at"].as_str().unwrap().parse::<DateTime<Utc>>().unwrap();
        let key = |e: &Value| (at(e), e["id"].as_str().unwrap().to_owned());
        assert!(key(&pair[0]) > key(&pair[1]), "{pair:?}");
    }
    // System events carry their change and who acted; the creation is the customer itself.
    let stage_changes: Vec<&Value> = all
        .iter()
        .filter(|e| e["kind"] == "LIFECYCLE_STAGE_CHANGED")
        .collect();
    assert_eq!(stage_changes[0]["change"]["oldValue"], "PROSPECT");
    assert_eq!(stage_changes[0]["change"]["newValue"], "CUSTOMER");
    assert_eq!(stage_changes[1]["change"]["oldValue"], "LEAD");
    assert_eq!(stage_changes[1]["actorId"], bob.user_id.as_str());
    assert_eq!(stage_changes[1]["actor"]["id"], bob.user_id.as_str());
    let owner = all.iter().find(|e| e["kind"] == "OWNER_CHANGED").unwrap();
    assert_eq!(owner["change"]["newValue"], bob.user_id.as_str());
    assert!(owner["interaction"].is_null());
    let created = all
        .iter()
        .find(|e| e["kind"] == "CUSTOMER_CREATED")
        .unwrap();
    assert_eq!(created["id"], id.as_str());
    assert_eq!(created["actorId"], acme.user_id.as_str());
    assert!(created["change"].is_null() && created["interaction"].is_null());
    assert_eq!(all[0]["change"]["field"], "deletedAt");

    // Any page size walks the same timeline, each entry exactly once.
    for first in [1, 2, 3, 4] {
        let paged = timeline_in_pages(&app, &acme, &id, first).await;
        let ids = |entries: &[Value]| -> Vec<String> {
            entries
                .iter()
                .map(|e| e["id"].as_str().unwrap().to_owned())
                .collect()
        };
        assert_eq!(ids(&paged), ids(&all), "pages of {first}");
    }
}

#[tokio::test]
async fn timeline_pages_split_entries_that_share_a_moment_exactly_once() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let id = app
        .create_customer(&acme, json!({ "kind": "PERSON", "name": "Ann" }))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let moment = Utc::now() - Duration::hours(1);
    for n in 0..7 {
        let body = app
            .gql_as(
                &acme,
                LOG,
                json!({ "input": { "customerId": id, "kind": "NOTE", "subject": format!("note {n}"), "occurredAt": moment } }),
            )
            .await;
        assert!(body["errors"].is_null(), "{body}");
    }
    for (version, stage) in [(1, "PROSPECT"), (2, "OPPORTUNITY"), (3, "CUSTOMER")] {
        update(
            &app,
            &acme,
            json!({ "id": id, "version": version, "lifecycleStage": stage }),
        )
        .await;
    }
    let all = timeline_in_pages(&app, &acme, &id, 100).await;
    assert_eq!(
        kinds(&all),
        [
            "LIFECYCLE_STAGE_CHANGED",
            "LIFECYCLE_STAGE_CHANGED",
            "LIFECYCLE_STAGE_CHANGED",
            "CUSTOMER_CREATED",
            "INTERACTION",
            "INTERACTION",
            "INTERACTION",
            "INTERACTION",
            "INTERACTION",
            "INTERACTION",
            "INTERACTION",
        ]
    );
    let ids: Vec<&str> = all.iter().map(|e| e["id"].as_str().unwrap()).collect();
    for first in [2, 3, 5] {
        let paged = timeline_in_pages(&app, &acme, &id, first).await;
        let paged: Vec<&str> = paged.iter().map(|e| e["id"].as_str().unwrap()).collect();
        assert_eq!(paged, ids, "pages of {first}");
    }
    // A cursor from another list is refused, naming the argument.
    let customers = app
        .gql_as(
            &acme,
            "{ customers(first: 1) { pageInfo { endCursor } } }",
            json!({}),
        )
        .await;
    let foreign = customers["data"]["customers"]["pageInfo"]["endCursor"].clone();
    let body = app
        .gql_as(
            &acme,
            TIMELINE,
            json!({ "id": id, "first": 2, "after": foreign }),
        )
        .await;
    assert_eq!(error_field(&body), Some("after"), "{body}");

    // A page of customers loads each one's own timeline.
    let other = app
        .create_customer(&acme, json!({ "kind": "PERSON", "name": "Bea" }))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let page = app
        .gql_as(
            &acme,
            "{ customers(first: 10) { edges { node { id timeline(first: 2) { edges { node { kind } } pageInfo { hasNextPage } } } } } }",
            json!({}),
        )
        .await;
    let edges = page["data"]["customers"]["edges"].as_array().unwrap();
    let timeline_of = |customer: &str| {
        edges
            .iter()
            .find(|e| e["node"]["id"] == customer)
            .map(|e| e["node"]["timeline"].clone())
            .unwrap()
    };
    assert_eq!(timeline_of(&id)["edges"].as_array().unwrap().len(), 2);
    assert_eq!(timeline_of(&id)["pageInfo"]["hasNextPage"], true);
    assert_eq!(
        timeline_of(&other),
        json!({ "edges": [{ "node": { "kind": "CUSTOMER_CREATED" } }], "pageInfo": { "hasNextPage": false } })
    );
}

/// SQL statements the server has run so far (from `/metrics`).
async fn statements(app: &TestApp) -> u64 {
    app.statements().await
}

#[tokio::test]
async fn timelines_of_a_page_of_customers_take_the_same_statements_whatever_its_size() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    for i in 0..30 {
        let id = app
            .create_customer(
                &acme,
                json!({ "kind": "PERSON", "name": format!("C{i:02}") }),
            )
            .await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        update(
            &app,
            &acme,
            json!({ "id": id, "version": 1, "lifecycleStage": "CUSTOMER" }),
        )
        .await;
        let logged = app
            .gql_as(
                &acme,
                LOG,
                json!({ "input": { "customerId": id, "kind": "NOTE", "subject": format!("Note on C{i:02}") } }),
            )
            .await;
        assert!(logged["errors"].is_null(), "{logged}");
    }
    let query = "query($n: Int) { customers(first: $n, orderBy: [{ field: NAME }]) { edges { node { name
        timeline(first: 3) { edges { node { kind interaction { subject } change { newValue } } } } } } } }";
    let mut cost = Vec::new();
    for n in [3, 30] {
        // The fewest of a few runs: the loaders batch what arrives together.
        let mut fewest = u64::MAX;
        for _ in 0..3 {
            let before = statements(&app).await;
            let body = app.gql_as(&acme, query, json!({ "n": n })).await;
            fewest = fewest.min(statements(&app).await - before);
            let edges = body["data"]["customers"]["edges"].as_array().unwrap();
            assert_eq!(edges.len(), n as usize, "{body}");
            for edge in edges {
                let name = edge["node"]["name"].as_str().unwrap();
                let entries = edge["node"]["timeline"]["edges"].as_array().unwrap();
                assert_eq!(
                    kinds(
                        &entries
                            .iter()
                            .map(|e| e["node"].clone())
                            .collect::<Vec<_>>()
                    ),
                    ["INTERACTION", "LIFECYCLE_STAGE_CHANGED", "CUSTOMER_CREATED"]
                );
                assert_eq!(
                    entries[0]["node"]["interaction"]["subject"],
                    format!("Note on {name}")
                );
                assert_eq!(entries[1]["node"]["change"]["newValue"], "CUSTOMER");
            }
        }
        cost.push(fewest);
    }
    assert_eq!(
        cost[0], cost[1],
        "statements for 3 and 30 customers: {cost:?}"
    );
}
