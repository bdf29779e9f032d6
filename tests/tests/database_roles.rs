//! What the database allows the server's role, and who may migrate:
//! `SECURITY DEFINER` functions pin a search path that puts `pg_temp` last,
//! the server role cannot create temporary objects (which could shadow names
//! those functions use), and `crm migrate` refuses to run as the server role.

use crm_api::config::MigrationConfig;
use crm_api::migrate;
use crm_tests::TestDb;
use sea_orm::{ConnectionTrait, Statement};

const SAFE_SEARCH_PATH: &str = "search_path=pg_catalog, public, pg_temp";

#[tokio::test]
async fn security_definer_functions_pin_a_search_path_with_pg_temp_last() {
    let db = TestDb::create().await;
    let owner = db.connect_as_owner().await;
    let rows = owner
        .query_all(Statement::from_string(
            owner.get_database_backend(),
            "SELECT p.oid::regprocedure::text AS function,
                    coalesce(array_to_string(p.proconfig, '; '), '') AS config
               FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
              WHERE p.prosecdef AND n.nspname = 'public'
              ORDER BY 1",
        ))
        .await
        .unwrap();
    assert!(
        rows.len() >= 5,
        "the schema's SECURITY DEFINER functions were not found"
    );
    let unsafe_ones: Vec<String> = rows
        .iter()
        .map(|row| {
            (
                row.try_get::<String>("", "function").unwrap(),
                row.try_get::<String>("", "config").unwrap(),
            )
        })
        .filter(|(_, config)| !config.split("; ").any(|c| c == SAFE_SEARCH_PATH))
        .map(|(function, config)| format!("{function} [{config}]"))
        .collect();
    assert!(
        unsafe_ones.is_empty(),
        "SECURITY DEFINER functions without `{SAFE_SEARCH_PATH}`: {unsafe_ones:?}"
    );
}

#[tokio::test]
async fn the_server_role_cannot_create_temporary_tables() {
    let db = TestDb::create().await;
    let app = db.connect_as_app().await;
    let created = app
        .execute(Statement::from_string(
            app.get_database_backend(),
            "CREATE TEMP TABLE shadow (id int)",
        ))
        .await;
    let err = created.expect_err("crm_app created a temporary table");
    assert!(
        err.to_string().contains("permission denied"),
        "unexpected error: {err}"
    );
    // The migration itself takes the privilege away (on the template the
    // test databases are cloned from), not only the test harness.
    let owner = db.connect_as_owner().await;
    let row = owner
        .query_one(Statement::from_sql_and_values(
            owner.get_database_backend(),
            "SELECT has_database_privilege($1, $2, 'TEMPORARY') AS allowed",
            [migration::APP_ROLE.into(), TestDb::template_name().into()],
        ))
        .await
        .unwrap()
        .unwrap();
    assert!(
        !row.try_get::<bool>("", "allowed").unwrap(),
        "crm_app may create temporary tables in the migrated template"
    );
}

#[tokio::test]
async fn migrate_refuses_to_run_as_the_server_role() {
    let db = TestDb::create().await;
    let as_server = MigrationConfig {
        owner_url: Some(db.app_url.clone()),
        server_url: Some(db.app_url.clone()),
    };
    let err = migrate::run(&as_server)
        .await
        .expect_err("migrating as crm_app was not refused");
    let message = err.to_string();
    assert!(
        message.contains("crm_app") && message.contains("DATABASE_OWNER_URL"),
        "{message}"
    );
}

#[tokio::test]
async fn migrate_needs_the_owner_url_and_does_not_fall_back_to_the_server_url() {
    let db = TestDb::create().await;
    let without_owner = MigrationConfig {
        owner_url: None,
        server_url: Some(db.app_url.clone()),
    };
    let err = migrate::run(&without_owner)
        .await
        .expect_err("migrating without DATABASE_OWNER_URL was not refused");
    assert!(err.to_string().contains("DATABASE_OWNER_URL"), "{err}");
    // As the owner it runs (nothing is pending on a migrated copy).
    let as_owner = MigrationConfig {
        owner_url: Some(db.owner_url.clone()),
        server_url: Some(db.app_url.clone()),
    };
    migrate::run(&as_owner)
        .await
        .expect("migrating as the owner");
}

#[tokio::test]
async fn a_read_only_tenant_transaction_refuses_writes_and_sees_its_tenant_only() {
    use crm_api::tenancy::{TenantScope, TenantTx};
    let db = TestDb::create().await;
    let app = db.connect_as_app().await;
    let tenant = uuid::Uuid::now_v7();
    let tx = TenantTx::begin_read_only(&app, TenantScope::system(tenant))
        .await
        .unwrap();
    let row = tx
        .query_one(Statement::from_string(
            tx.get_database_backend(),
            "SELECT current_setting('transaction_read_only') AS read_only,
                    current_setting('app.tenant_id') AS tenant",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.try_get::<String>("", "read_only").unwrap(), "on");
    assert_eq!(
        row.try_get::<String>("", "tenant").unwrap(),
        tenant.to_string()
    );
    let written = tx
        .execute(Statement::from_string(
            tx.get_database_backend(),
            "UPDATE tenants SET name = name",
        ))
        .await;
    let err = written.expect_err("a read-only transaction wrote");
    assert!(
        err.to_string().contains("read-only transaction"),
        "unexpected error: {err}"
    );
}
