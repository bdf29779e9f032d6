//! Search, duplicate detection and merges of customers: what a user typing
//! into a search box, creating a customer twice or merging two records sees.

use std::collections::BTreeSet;

use crm_api::domain::merge::{CUSTOMER_CHILD_TABLES, DERIVED_TABLES, OWN_STEP_TABLES};
use crm_tests::{error_code, error_field, TestApp, TestTenant};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement, TransactionTrait};
use serde_json::{json, Value};

const SEARCH: &str =
    "query($q: String!, $first: Int) { searchCustomers(query: $q, first: $first) { id name } }";
const CREATE: &str = "mutation($input: CreateCustomerInput!) { createCustomer(input: $input) {
    customer { id name }
    duplicates { customer { id name } reasons score } } }";
const MERGE: &str = "mutation($input: MergeCustomersInput!) { mergeCustomers(input: $input) {
    customer { id version name email phone website industry region externalId tags }
    duplicates { score } } }";

/// The names `query` finds for `tenant`, best first.
async fn search(app: &TestApp, tenant: &TestTenant, query: &str) -> Vec<String> {
    let body = app.gql_as(tenant, SEARCH, json!({ "q": query })).await;
    body["data"]["searchCustomers"]
        .as_array()
        .unwrap_or_else(|| panic!("searchCustomers failed: {body}"))
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect()
}

/// Creates a customer; returns its id.
async fn customer(app: &TestApp, tenant: &TestTenant, input: Value) -> String {
    app.create_customer(tenant, input).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn contact(app: &TestApp, tenant: &TestTenant, input: Value) -> String {
    let body = app
        .gql_as(
            tenant,
            "mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id } } }",
            json!({ "input": input }),
        )
        .await;
    body["data"]["createContact"]["contact"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("createContact failed: {body}"))
        .to_owned()
}

async fn note(app: &TestApp, tenant: &TestTenant, customer_id: &str, subject: &str, body: &str) {
    let response = app
        .gql_as(
            tenant,
            "mutation($input: LogInteractionInput!) { logInteraction(input: $input) { interaction { id } } }",
            json!({ "input": { "customerId": customer_id, "kind": "NOTE", "subject": subject, "body": body } }),
        )
        .await;
    assert!(
        response["data"]["logInteraction"]["interaction"].is_object(),
        "logInteraction failed: {response}"
    );
}

async fn delete(app: &TestApp, tenant: &TestTenant, id: &str) {
    let body = app
        .gql_as(
            tenant,
            "mutation($id: ID!) { deleteCustomer(id: $id) }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(body["data"]["deleteCustomer"], true, "{body}");
}

async fn owner_db(app: &TestApp) -> DatabaseConnection {
    Database::connect(app.db.owner_url.as_str()).await.unwrap()
}

/// One number from a query run as the server's role inside `tenant`.
async fn count_as(app: &TestApp, tenant_id: &str, sql: &str) -> i64 {
    let db = app.db.connect_as_app().await;
    let tx = db.begin().await.unwrap();
    tx.execute(Statement::from_string(
        db.get_database_backend(),
        format!("SELECT set_config('app.tenant_id', '{tenant_id}', true)"),
    ))
    .await
    .unwrap();
    let row = tx
        .query_one(Statement::from_string(
            db.get_database_backend(),
            sql.to_owned(),
        ))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .unwrap();
    let n = row.try_get_by_index::<i64>(0).unwrap();
    tx.rollback().await.unwrap();
    n
}

#[tokio::test]
async fn names_are_found_despite_typos_and_exact_matches_come_first() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    for name in [
        "Globex Corporation",
        "Initech",
        "Globex",
        "Umbrella Globex Partners",
        "Vandelay Industries",
    ] {
        customer(&app, &acme, json!({ "kind": "COMPANY", "name": name })).await;
    }

    // A letter missing.
    let found = search(&app, &acme, "Globx").await;
    assert!(found.contains(&"Globex".to_owned()), "{found:?}");
    assert!(!found.contains(&"Initech".to_owned()), "{found:?}");
    // A letter wrong, any case.
    let found = search(&app, &acme, "vandeley industries").await;
    assert_eq!(
        found.first().map(String::as_str),
        Some("Vandelay Industries")
    );

    // The exact name first, then names that start with it, then the rest.
    assert_eq!(
        search(&app, &acme, "globex").await,
        ["Globex", "Globex Corporation", "Umbrella Globex Partners"]
    );
    // A prefix.
    assert_eq!(search(&app, &acme, "Init").await, ["Initech"]);

    // Chinese names: whole, and in part.
    customer(
        &app,
        &acme,
        json!({ "kind": "COMPANY", "name": "北京华为科技有限公司" }),
    )
    .await;
    customer(&app, &acme, json!({ "kind": "PERSON", "name": "王芳" })).await;
    assert_eq!(
        search(&app, &acme, "华为科技").await,
        ["北京华为科技有限公司"]
    );
    assert_eq!(search(&app, &acme, "王芳").await, ["王芳"]);
}

#[tokio::test]
async fn emails_and_phone_numbers_match_however_they_are_written() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    customer(
        &app,
        &acme,
        json!({ "kind": "PERSON", "name": "Ann Lee", "email": "Ann.Lee@Globex.example", "phone": "+1 (555) 013-4567" }),
    )
    .await;
    customer(
        &app,
        &acme,
        json!({ "kind": "PERSON", "name": "Bob Stone", "email": "bob@initech.example", "phone": "555 777 1234" }),
    )
    .await;

    assert_eq!(
        search(&app, &acme, "ann.lee@globex.example").await,
        ["Ann Lee"]
    );
    assert_eq!(search(&app, &acme, "ann.lee@").await, ["Ann Lee"]);
    // A typo in the address.
    assert_eq!(
        search(&app, &acme, "ann.lea@globex.example")
            .await
            .first()
            .map(String::as_str),
        Some("Ann Lee")
    );
    // Other formatting, no formatting, part of the number.
    assert_eq!(search(&app, &acme, "1.555.013.4567").await, ["Ann Lee"]);
    assert_eq!(search(&app, &acme, "15550134567").await, ["Ann Lee"]);
    assert_eq!(search(&app, &acme, "013-4567").await, ["Ann Lee"]);
    assert_eq!(search(&app, &acme, "(555) 777-1234").await, ["Bob Stone"]);
}

#[tokio::test]
async fn contacts_and_notes_lead_to_their_customer() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let globex = customer(&app, &acme, json!({ "kind": "COMPANY", "name": "Globex" })).await;
    let initech = customer(&app, &acme, json!({ "kind": "COMPANY", "name": "Initech" })).await;
    contact(
        &app,
        &acme,
        json!({ "customerId": globex, "name": "Hank Scorpio", "email": "hank@globex.example", "title": "Founder" }),
    )
    .await;
    note(
        &app,
        &acme,
        &initech,
        "Renewal",
        "They asked for a quote on forklift batteries before March. 客户询问下季度的价格",
    )
    .await;

    assert_eq!(search(&app, &acme, "Hank Scorpio").await, ["Globex"]);
    assert_eq!(search(&app, &acme, "hank@globex.example").await, ["Globex"]);
    assert_eq!(search(&app, &acme, "forklift").await, ["Initech"]);
    assert_eq!(search(&app, &acme, "forklift batteries").await, ["Initech"]);
    assert!(search(&app, &acme, "forklift trucks").await.is_empty());
}

#[tokio::test]
async fn search_sees_only_live_customers_of_ones_own_workspace() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let globex = app.sign_up("globex").await;
    let theirs = customer(
        &app,
        &acme,
        json!({ "kind": "COMPANY", "name": "Stark Industries", "email": "tony@stark.example" }),
    )
    .await;
    note(&app, &acme, &theirs, "Secret", "arc reactor prototype").await;
    customer(
        &app,
        &globex,
        json!({ "kind": "COMPANY", "name": "Stark Logistics" }),
    )
    .await;

    assert_eq!(search(&app, &globex, "Stark").await, ["Stark Logistics"]);
    assert!(search(&app, &globex, "tony@stark.example").await.is_empty());
    assert!(search(&app, &globex, "reactor").await.is_empty());
    assert_eq!(search(&app, &acme, "reactor").await, ["Stark Industries"]);

    // Deleted: gone, with its notes.
    delete(&app, &acme, &theirs).await;
    assert!(search(&app, &acme, "Stark").await.is_empty());
    assert!(search(&app, &acme, "reactor").await.is_empty());

    // In the database: the search function answers only for the tenant the
    // transaction is bound to, whatever tenant it is asked about.
    let asked = format!(
        "SELECT count(*) FROM app_search_customers('{}', 'Stark', NULL, 0.5, 20, 100)",
        globex.tenant_id
    );
    assert_eq!(count_as(&app, &globex.tenant_id, &asked).await, 1);
    assert_eq!(count_as(&app, &acme.tenant_id, &asked).await, 0);
    // And the search tables are under the tenant policy for the server role.
    assert_eq!(
        count_as(
            &app,
            &globex.tenant_id,
            "SELECT count(*) FROM search_people"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn workspaces_sharing_a_search_partition_find_only_their_own() {
    // The search tables are split by workspace into 32 partitions; sign up
    // workspaces until two land in the same one.
    let app = TestApp::spawn().await;
    let owner = owner_db(&app).await;
    let partition_of = |tenant_id: String| {
        let owner = &owner;
        async move {
            let row = owner
                .query_one(Statement::from_string(
                    owner.get_database_backend(),
                    format!(
                        "SELECT tableoid::regclass::text FROM search_people WHERE tenant_id = '{tenant_id}'"
                    ),
                ))
                .await
                .unwrap()
                .expect("a search row");
            row.try_get_by_index::<String>(0).unwrap()
        }
    };
    let mut seen: Vec<(String, TestTenant, String)> = Vec::new();
    let (first, second) = 'found: {
        for n in 0..60 {
            let tenant = app.sign_up(&format!("shared{n}")).await;
            let id = customer(
                &app,
                &tenant,
                json!({ "kind": "COMPANY", "name": format!("Umbrella Pharmaceuticals {n}"),
                        "email": format!("sales@umbrella{n}.example"), "phone": format!("+1 555 010 {n:04}") }),
            )
            .await;
            note(&app, &tenant, &id, "Visit", "antiviral shipment confirmed").await;
            let partition = partition_of(tenant.tenant_id.clone()).await;
            if let Some(k) = seen.iter().position(|(p, _, _)| *p == partition) {
                let (_, other, other_id) = seen.swap_remove(k);
                break 'found ((other, other_id), (tenant, id));
            }
            seen.push((partition, tenant, id));
        }
        panic!("60 workspaces in 32 partitions without two sharing one");
    };
    for ((tenant, id), n) in [(&first, 0), (&second, 1)] {
        let ids = |body: Value| -> Vec<String> {
            body["data"]["searchCustomers"]
                .as_array()
                .unwrap_or_else(|| panic!("{body}"))
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_owned())
                .collect()
        };
        for query in [
            "Umbrella Pharmaceuticals",
            "Umbrela Pharmaceuticals",
            "umbrella",
            "antiviral",
            "555 010",
        ] {
            let found = ids(app.gql_as(tenant, SEARCH, json!({ "q": query })).await);
            assert_eq!(found, std::slice::from_ref(id), "{query} in workspace {n}");
        }
    }
}

#[tokio::test]
async fn search_input_is_validated() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    for (query, first, field) in [
        ("   ", json!(null), "query"),
        ("Globex", json!(0), "first"),
        ("Globex", json!(101), "first"),
    ] {
        let body = app
            .gql_as(&acme, SEARCH, json!({ "q": query, "first": first }))
            .await;
        assert_eq!(error_code(&body), Some("VALIDATION"), "{body}");
        assert_eq!(error_field(&body), Some(field));
    }
    let long = "x".repeat(201);
    let body = app.gql_as(&acme, SEARCH, json!({ "q": long })).await;
    assert_eq!(error_field(&body), Some("query"));

    // `first` caps the answer.
    for i in 0..4 {
        customer(
            &app,
            &acme,
            json!({ "kind": "PERSON", "name": format!("Ann {i}") }),
        )
        .await;
    }
    let body = app
        .gql_as(&acme, SEARCH, json!({ "q": "Ann", "first": 2 }))
        .await;
    assert_eq!(body["data"]["searchCustomers"].as_array().unwrap().len(), 2);
    // Anything typed is a query, not syntax.
    for odd in [
        "a & b | !c",
        "'); drop table customers; --",
        "100%_\\",
        ":*",
    ] {
        let body = app.gql_as(&acme, SEARCH, json!({ "q": odd })).await;
        assert!(body["errors"].is_null(), "{odd}: {body}");
    }
}

#[tokio::test]
async fn creating_a_customer_reports_likely_duplicates() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let other = app.sign_up("other").await;
    let same_email = customer(
        &app,
        &acme,
        json!({ "kind": "COMPANY", "name": "Umbrella Corporation", "email": "info@umbrella.example" }),
    )
    .await;
    let same_phone = customer(
        &app,
        &acme,
        json!({ "kind": "COMPANY", "name": "Raccoon City Labs", "phone": "+1 555 010 2000" }),
    )
    .await;
    let similar = customer(
        &app,
        &acme,
        json!({ "kind": "COMPANY", "name": "Umbrela Corporation" }),
    )
    .await;
    let deleted = customer(
        &app,
        &acme,
        json!({ "kind": "COMPANY", "name": "Old record", "email": "info@umbrella.example" }),
    )
    .await;
    delete(&app, &acme, &deleted).await;
    customer(
        &app,
        &acme,
        json!({ "kind": "COMPANY", "name": "Wayne Enterprises" }),
    )
    .await;
    customer(
        &app,
        &other,
        json!({ "kind": "COMPANY", "name": "Umbrella Corporation", "email": "info@umbrella.example" }),
    )
    .await;

    let body = app
        .gql_as(
            &acme,
            CREATE,
            json!({ "input": { "kind": "COMPANY", "name": "Umbrella Corporation", "email": "INFO@Umbrella.example", "phone": "(+1) 555-010-2000" } }),
        )
        .await;
    let payload = &body["data"]["createCustomer"];
    let new_id = payload["customer"]["id"].as_str().unwrap();
    let duplicates = payload["duplicates"].as_array().unwrap();
    let reasons = |id: &str| -> Vec<&str> {
        duplicates
            .iter()
            .find(|d| d["customer"]["id"] == id)
            .unwrap_or_else(|| panic!("{id} is not reported: {body}"))["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect()
    };
    assert_eq!(duplicates.len(), 3, "{body}");
    assert_eq!(reasons(&same_email), ["SAME_EMAIL", "SIMILAR_NAME"]);
    assert_eq!(reasons(&same_phone), ["SAME_PHONE"]);
    assert_eq!(reasons(&similar), ["SIMILAR_NAME"]);
    assert!(duplicates.iter().all(|d| d["customer"]["id"] != new_id));
    // Most likely first, scores between 0 and 1.
    assert_eq!(duplicates[0]["customer"]["id"], same_email.as_str());
    let scores: Vec<f64> = duplicates
        .iter()
        .map(|d| d["score"].as_f64().unwrap())
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    assert!(scores.iter().all(|s| (0.0..=1.0).contains(s)), "{scores:?}");

    // Nothing alike: nothing reported.
    let body = app
        .gql_as(
            &acme,
            CREATE,
            json!({ "input": { "kind": "PERSON", "name": "Zed Quimby" } }),
        )
        .await;
    assert_eq!(
        body["data"]["createCustomer"]["duplicates"],
        json!([]),
        "{body}"
    );
}

#[tokio::test]
async fn merging_moves_everything_to_the_survivor_and_the_merged_customer_disappears() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let survivor = customer(
        &app,
        &acme,
        json!({ "kind": "COMPANY", "name": "Globex", "phone": "555 0100", "tags": ["vip"] }),
    )
    .await;
    let merged = customer(
        &app,
        &acme,
        json!({ "kind": "COMPANY", "name": "Globex Corp", "email": "hello@globex.example", "phone": "555 0199",
                "industry": "Energy", "externalId": "ERP-7", "tags": ["partner", "vip"] }),
    )
    .await;
    contact(
        &app,
        &acme,
        json!({ "customerId": survivor, "name": "Ann" }),
    )
    .await;
    contact(
        &app,
        &acme,
        json!({ "customerId": merged, "name": "Hank Scorpio" }),
    )
    .await;
    note(&app, &acme, &merged, "Kickoff", "doomsday device demo").await;

    let body = app
        .gql_as(
            &acme,
            MERGE,
            json!({ "input": { "survivorId": survivor, "mergedId": merged, "survivorVersion": 1 } }),
        )
        .await;
    let result = &body["data"]["mergeCustomers"]["customer"];
    assert_eq!(result["id"], survivor.as_str(), "{body}");
    assert_eq!(result["version"], 2);
    assert_eq!(result["name"], "Globex");
    // Its own values stay; empty ones are filled; tags are united.
    assert_eq!(result["phone"], "555 0100");
    assert_eq!(result["email"], "hello@globex.example");
    assert_eq!(result["industry"], "Energy");
    assert_eq!(result["externalId"], "ERP-7");
    assert_eq!(result["tags"], json!(["vip", "partner"]));
    assert_eq!(body["data"]["mergeCustomers"]["duplicates"], json!([]));

    let read = app
        .gql_as(
            &acme,
            "query($id: ID!, $merged: ID!) {
                customer(id: $id) { contacts(first: 10) { edges { node { name customerId } } }
                                    interactions(first: 10) { edges { node { subject customerId } } } }
                merged: customer(id: $merged) { id } }",
            json!({ "id": survivor, "merged": merged }),
        )
        .await;
    let names: Vec<&str> = read["data"]["customer"]["contacts"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Ann", "Hank Scorpio"], "{read}");
    assert_eq!(
        read["data"]["customer"]["interactions"]["edges"][0]["node"]["subject"],
        "Kickoff"
    );
    assert!(read["data"]["merged"].is_null(), "{read}");

    // Search follows: the merged name is gone, its contact and note lead to
    // the survivor.
    assert_eq!(search(&app, &acme, "Globex").await, ["Globex"]);
    assert_eq!(search(&app, &acme, "Hank Scorpio").await, ["Globex"]);
    assert_eq!(search(&app, &acme, "doomsday").await, ["Globex"]);

    // The merge is recorded, with the merged record as it was.
    assert_eq!(
        count_as(
            &app,
            &acme.tenant_id,
            &format!(
                "SELECT count(*) FROM customer_merges WHERE survivor_id = '{survivor}' AND merged_id = '{merged}'
                    AND merged_by = '{}' AND snapshot->>'name' = 'Globex Corp' AND snapshot->>'external_id' = 'ERP-7'",
                acme.user_id
            )
        )
        .await,
        1
    );

    // The merged customer cannot be merged again.
    let again = app
        .gql_as(
            &acme,
            MERGE,
            json!({ "input": { "survivorId": survivor, "mergedId": merged } }),
        )
        .await;
    assert_eq!(error_code(&again), Some("NOT_FOUND"), "{again}");
}

#[tokio::test]
async fn merges_are_refused_across_workspaces_without_rights_or_with_bad_input() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let globex = app.sign_up("globex").await;
    let ours = customer(&app, &acme, json!({ "kind": "COMPANY", "name": "Ours" })).await;
    let also_ours = customer(
        &app,
        &acme,
        json!({ "kind": "COMPANY", "name": "Also ours" }),
    )
    .await;
    let theirs = customer(
        &app,
        &globex,
        json!({ "kind": "COMPANY", "name": "Theirs" }),
    )
    .await;

    // Another workspace's customer does not exist, whichever side it is on.
    for (survivor, merged) in [(&theirs, &ours), (&ours, &theirs)] {
        let body = app
            .gql_as(
                &acme,
                MERGE,
                json!({ "input": { "survivorId": survivor, "mergedId": merged } }),
            )
            .await;
        assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    }
    let same = app
        .gql_as(
            &acme,
            MERGE,
            json!({ "input": { "survivorId": ours, "mergedId": ours } }),
        )
        .await;
    assert_eq!(error_code(&same), Some("VALIDATION"));
    assert_eq!(error_field(&same), Some("mergedId"));
    let stale = app
        .gql_as(
            &acme,
            MERGE,
            json!({ "input": { "survivorId": ours, "mergedId": also_ours, "survivorVersion": 7 } }),
        )
        .await;
    assert_eq!(error_code(&stale), Some("CONFLICT"));
    assert_eq!(error_field(&stale), Some("survivorVersion"));

    // Writing customers is not enough: the merged one is deleted.
    let key = app
        .gql_as(
            &acme,
            "mutation { createApiKey(input: { name: \"sync\", scopes: [\"customers:read\", \"customers:write\"] }) { secret } }",
            json!({}),
        )
        .await;
    let secret = key["data"]["createApiKey"]["secret"].as_str().unwrap();
    let body = app
        .gql_with(
            Some(secret),
            MERGE,
            json!({ "input": { "survivorId": ours, "mergedId": also_ours } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");

    // Nothing changed anywhere.
    let mine = search(&app, &acme, "ours").await;
    assert_eq!(mine, ["Ours", "Also ours"]);
    assert_eq!(search(&app, &globex, "Theirs").await, ["Theirs"]);
}

#[tokio::test]
async fn a_merge_that_fails_at_its_last_step_leaves_nothing_half_done() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let survivor = customer(&app, &acme, json!({ "kind": "COMPANY", "name": "Initech" })).await;
    let merged = customer(
        &app,
        &acme,
        json!({ "kind": "COMPANY", "name": "Initrode", "email": "info@initrode.example", "externalId": "X-1" }),
    )
    .await;
    contact(
        &app,
        &acme,
        json!({ "customerId": merged, "name": "Bill Lumbergh" }),
    )
    .await;
    note(
        &app,
        &acme,
        &merged,
        "TPS",
        "cover sheets for the TPS reports",
    )
    .await;

    // Recording the merge, the last step, fails.
    let owner = owner_db(&app).await;
    for sql in [
        "CREATE FUNCTION fail_merge() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$",
        "CREATE TRIGGER fail_merge BEFORE INSERT ON customer_merges FOR EACH ROW EXECUTE FUNCTION fail_merge()",
    ] {
        owner
            .execute(Statement::from_string(owner.get_database_backend(), sql.to_owned()))
            .await
            .unwrap();
    }
    let body = app
        .gql_as(
            &acme,
            MERGE,
            json!({ "input": { "survivorId": survivor, "mergedId": merged } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("INTERNAL"), "{body}");
    assert!(!body.to_string().contains("disk full"), "{body}");

    let read = app
        .gql_as(
            &acme,
            "query($s: ID!, $m: ID!) {
                survivor: customer(id: $s) { version email externalId contacts(first: 5) { edges { node { name } } } }
                merged: customer(id: $m) { version externalId contacts(first: 5) { edges { node { name } } }
                                           interactions(first: 5) { edges { node { subject } } } } }",
            json!({ "s": survivor, "m": merged }),
        )
        .await;
    let data = &read["data"];
    assert_eq!(data["survivor"]["version"], 1, "{read}");
    assert!(data["survivor"]["email"].is_null());
    assert!(data["survivor"]["externalId"].is_null());
    assert_eq!(data["survivor"]["contacts"]["edges"], json!([]));
    assert_eq!(data["merged"]["version"], 1);
    assert_eq!(data["merged"]["externalId"], "X-1");
    assert_eq!(
        data["merged"]["contacts"]["edges"][0]["node"]["name"],
        "Bill Lumbergh"
    );
    assert_eq!(
        data["merged"]["interactions"]["edges"][0]["node"]["subject"],
        "TPS"
    );
    assert_eq!(search(&app, &acme, "Lumbergh").await, ["Initrode"]);
    assert_eq!(search(&app, &acme, "reports").await, ["Initrode"]);
}

#[tokio::test]
async fn merges_move_every_table_that_belongs_to_customers() {
    let app = TestApp::spawn().await;
    let owner = owner_db(&app).await;
    let rows = owner
        .query_all(Statement::from_string(
            owner.get_database_backend(),
            "SELECT c.table_name::text FROM information_schema.columns c
               JOIN pg_class k ON k.relname = c.table_name AND NOT k.relispartition
                              AND k.relkind IN ('r', 'p')
              WHERE c.table_schema = 'public' AND c.column_name = 'customer_id'"
                .to_owned(),
        ))
        .await
        .unwrap();
    let in_database: BTreeSet<String> = rows
        .iter()
        .map(|r| r.try_get_by_index::<String>(0).unwrap())
        .filter(|t| !DERIVED_TABLES.contains(&t.as_str()))
        .filter(|t| !OWN_STEP_TABLES.contains(&t.as_str()))
        .collect();
    let moved: BTreeSet<String> = CUSTOMER_CHILD_TABLES
        .iter()
        .map(|t| t.table.to_owned())
        .collect();
    assert_eq!(
        in_database, moved,
        "every table with a customer_id must be listed in CUSTOMER_CHILD_TABLES (api/src/domain/merge.rs)"
    );
}
