//! Tenant isolation, proven twice: through the API (another tenant's records
//! do not exist for you) and in the database itself (row-level security
//! stops the server's role even when the application forgets a filter).

use crm_tests::{error_code, TestApp};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement, TransactionTrait};
use serde_json::json;

#[tokio::test]
async fn tenants_see_only_their_own_customers_through_every_operation() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let globex = app.sign_up("globex").await;
    let secret = app
        .create_customer(
            &acme,
            json!({ "kind": "COMPANY", "name": "Acme's secret client", "externalId": "A-1" }),
        )
        .await;
    let secret_id = secret["id"].as_str().unwrap();
    app.create_customer(
        &globex,
        json!({ "kind": "COMPANY", "name": "Globex client" }),
    )
    .await;

    // Read by a guessed (known) id: it simply does not exist.
    let read = app
        .gql_as(
            &globex,
            "query($id: ID!) { customer(id: $id) { name } }",
            json!({ "id": secret_id }),
        )
        .await;
    assert!(read["data"]["customer"].is_null(), "{read}");
    assert!(read["errors"].is_null());

    // Lists, filters and counts hold only one's own.
    let listed = app
        .gql_as(
            &globex,
            "{ customers(first: 100) { totalCount edges { node { name } } } }",
            json!({}),
        )
        .await;
    assert_eq!(listed["data"]["customers"]["totalCount"], 1);
    assert_eq!(
        listed["data"]["customers"]["edges"][0]["node"]["name"],
        "Globex client"
    );
    let filtered = app
        .gql_as(
            &globex,
            "{ customers(filter: { externalId: { eq: \"A-1\" } }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(filtered["data"]["customers"]["totalCount"], 0);

    // Writes to the other tenant's record are NOT_FOUND, never FORBIDDEN.
    let update = app
        .gql_as(
            &globex,
            "mutation($id: ID!) { updateCustomer(input: { id: $id, version: 1, name: \"pwned\" }) { customer { id } } }",
            json!({ "id": secret_id }),
        )
        .await;
    assert_eq!(error_code(&update), Some("NOT_FOUND"), "{update}");
    let delete = app
        .gql_as(
            &globex,
            "mutation($id: ID!) { deleteCustomer(id: $id) }",
            json!({ "id": secret_id }),
        )
        .await;
    assert_eq!(error_code(&delete), Some("NOT_FOUND"));

    // Another tenant's member cannot be made owner of one's customers.
    let owner = app
        .gql_as(
            &globex,
            "mutation($owner: ID!) { createCustomer(input: { kind: PERSON, name: \"x\", ownerId: $owner }) { customer { id } } }",
            json!({ "owner": acme.user_id }),
        )
        .await;
    assert_eq!(error_code(&owner), Some("VALIDATION"));

    // And the record is untouched for its owner.
    let mine = app
        .gql_as(
            &acme,
            "query($id: ID!) { customer(id: $id) { name version } }",
            json!({ "id": secret_id }),
        )
        .await;
    assert_eq!(mine["data"]["customer"]["name"], "Acme's secret client");
    assert_eq!(mine["data"]["customer"]["version"], 1);
}

async fn scalar(db: &impl ConnectionTrait, sql: &str) -> i64 {
    let row = db
        .query_one(Statement::from_string(
            db.get_database_backend(),
            sql.to_owned(),
        ))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

async fn as_tenant(db: &DatabaseConnection, tenant_id: &str) -> sea_orm::DatabaseTransaction {
    let tx = db.begin().await.unwrap();
    tx.execute(Statement::from_string(
        db.get_database_backend(),
        format!("SELECT set_config('app.tenant_id', '{tenant_id}', true)"),
    ))
    .await
    .unwrap();
    tx
}

#[tokio::test]
async fn row_level_security_confines_the_server_role_to_the_tenant_set() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let globex = app.sign_up("globex").await;
    let theirs = app
        .create_customer(&globex, json!({ "kind": "PERSON", "name": "Globex only" }))
        .await;
    let theirs = theirs["id"].as_str().unwrap();
    app.create_customer(&acme, json!({ "kind": "PERSON", "name": "Acme only" }))
        .await;

    let db = app.db.connect_as_app().await;
    // The role the server uses is no superuser and owns no table.
    assert_eq!(scalar(&db, "SELECT count(*) FROM pg_roles WHERE rolname = current_user AND (rolsuper OR rolbypassrls)").await, 0);
    assert_eq!(scalar(&db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user").await, 0);

    let tx = as_tenant(&db, &acme.tenant_id).await;
    // Queries that "forget" the tenant filter still see only tenant A.
    assert_eq!(scalar(&tx, "SELECT count(*) FROM customers").await, 1);
    assert_eq!(
        scalar(
            &tx,
            &format!(
                "SELECT count(*) FROM customers WHERE tenant_id = '{}'",
                globex.tenant_id
            )
        )
        .await,
        0
    );
    // Updates and deletes of B's rows touch nothing.
    let updated = tx
        .execute(Statement::from_string(
            tx.get_database_backend(),
            format!("UPDATE customers SET name = 'pwned' WHERE id = '{theirs}'"),
        ))
        .await
        .unwrap();
    assert_eq!(updated.rows_affected(), 0);
    let deleted = tx
        .execute(Statement::from_string(
            tx.get_database_backend(),
            format!("DELETE FROM customers WHERE id = '{theirs}'"),
        ))
        .await
        .unwrap();
    assert_eq!(deleted.rows_affected(), 0);
    // Moving one's own row into B is refused.
    let moved = tx
        .execute(Statement::from_string(
            tx.get_database_backend(),
            format!("UPDATE customers SET tenant_id = '{}'", globex.tenant_id),
        ))
        .await;
    assert!(moved.is_err(), "moving a row to another tenant must fail");
    tx.rollback().await.unwrap();

    // Inserting a row for B while acting as A is refused.
    let tx = as_tenant(&db, &acme.tenant_id).await;
    let inserted = tx
        .execute(Statement::from_string(
            tx.get_database_backend(),
            format!("INSERT INTO customers (tenant_id, id, kind, name) VALUES ('{}', gen_random_uuid(), 'PERSON', 'planted')", globex.tenant_id),
        ))
        .await;
    let message = inserted.unwrap_err().to_string();
    assert!(message.contains("row-level security"), "{message}");
    tx.rollback().await.unwrap();

    // Turning row security off is not a way around it for this role.
    let tx = as_tenant(&db, &acme.tenant_id).await;
    tx.execute(Statement::from_string(
        tx.get_database_backend(),
        "SET LOCAL row_security = off".to_owned(),
    ))
    .await
    .unwrap();
    let bypass = tx
        .query_one(Statement::from_string(
            tx.get_database_backend(),
            "SELECT count(*) FROM customers".to_owned(),
        ))
        .await;
    assert!(
        bypass.is_err(),
        "with row_security off, a query subject to a policy must fail, not bypass it"
    );
    tx.rollback().await.unwrap();

    // B's row is intact.
    let tx = as_tenant(&db, &globex.tenant_id).await;
    assert_eq!(
        scalar(
            &tx,
            &format!(
                "SELECT count(*) FROM customers WHERE id = '{theirs}' AND name = 'Globex only'"
            )
        )
        .await,
        1
    );
    tx.rollback().await.unwrap();
}

#[tokio::test]
async fn without_a_tenant_set_there_are_no_rows_and_no_error() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    app.create_customer(&acme, json!({ "kind": "PERSON", "name": "Ann" }))
        .await;
    let db = app.db.connect_as_app().await;
    // Never set on this connection.
    assert_eq!(scalar(&db, "SELECT count(*) FROM customers").await, 0);
    // Set in an earlier transaction, which reverts it to '' afterwards.
    let tx = as_tenant(&db, &acme.tenant_id).await;
    assert_eq!(scalar(&tx, "SELECT count(*) FROM customers").await, 1);
    tx.commit().await.unwrap();
    assert_eq!(scalar(&db, "SELECT count(*) FROM customers").await, 0);
}
