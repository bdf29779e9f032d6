//! Test harness: every test gets its own database, cloned from a migrated
//! template, and a real server on a random port, talking to real PostgreSQL
//! and Redis. Tests are black-box: they speak GraphQL over HTTP.
//!
//! The harness reads the URLs that `scripts/services.sh` writes to `.crm/env`
//! (`DATABASE_URL`, `DATABASE_OWNER_URL`, `DATABASE_ADMIN_URL`, `REDIS_URL`);
//! `scripts/test.sh` loads them.

use std::time::Duration;

mod redis_server;
mod tcp_proxy;
pub mod webhook_receiver;
pub use redis_server::RedisServer;
pub use tcp_proxy::TcpProxy;

use crm_api::config::Config;
use crm_api::startup::Application;
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, Statement};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// The signing secret of test servers, so tests can forge tokens on purpose.
pub const TEST_JWT_SECRET: &str = "test-secret-0123456789abcdef0123456789abcdef";

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run the tests with scripts/test.sh, which starts PostgreSQL and Redis and sets it")
    })
}

/// Logs the servers' errors into each test's captured output, so a failing
/// test shows why the server failed it (`TEST_LOG=1` logs everything, as
/// `RUST_LOG` says).
fn init_log() {
    if std::env::var("TEST_LOG").is_ok() {
        crm_api::telemetry::init(crm_api::config::LogFormat::Pretty);
        return;
    }
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("error"))
        .with_test_writer()
        .try_init();
}

/// `url` with its database name replaced by `database`.
pub fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    format!("{}/{database}{query}", &base[..path_start])
}

async fn connect_one(url: &str) -> DatabaseConnection {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(1)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    Database::connect(options)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to PostgreSQL for tests: {e}"))
}

async fn exec(db: &DatabaseConnection, sql: &str) {
    db.execute(Statement::from_string(
        db.get_database_backend(),
        sql.to_owned(),
    ))
    .await
    .unwrap_or_else(|e| panic!("`{sql}` failed: {e}"));
}

/// A database of one's own, cloned from the migrated template. It is
/// dropped when the last handle on it goes (the end of the test), so a
/// whole suite never holds more databases than tests running at once.
pub struct TestDb {
    pub name: String,
    /// As the server's role (`crm_app`).
    pub app_url: String,
    /// As the owner role.
    pub owner_url: String,
    /// Drops the database with the last handle; none for kept databases.
    dropper: Option<std::sync::Arc<Dropper>>,
}

/// Drops a test database when dropped itself.
struct Dropper {
    name: String,
}

impl Drop for Dropper {
    fn drop(&mut self) {
        let (Ok(admin), name) = (std::env::var("DATABASE_ADMIN_URL"), self.name.clone()) else {
            return;
        };
        // Its own thread and runtime: this may run inside a test's runtime.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime to drop the test database");
            runtime.block_on(async {
                let admin = connect_one(&admin).await;
                // The server of the test may still hold connections.
                if let Err(err) = admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await
                {
                    eprintln!("could not drop the test database {name}: {err}");
                }
                admin.close().await.ok();
            });
        });
        let _ = dropped.join();
    }
}

impl TestDb {
    /// Creates a fresh database; builds the template first if needed.
    pub async fn create() -> TestDb {
        let admin = connect_one(&env("DATABASE_ADMIN_URL")).await;
        let template = Self::template_name();
        // One process at a time builds the template and clones it.
        exec(&admin, "SELECT pg_advisory_lock(727274)").await;
        let exists = admin
            .query_one(Statement::from_sql_and_values(
                admin.get_database_backend(),
                "SELECT 1 FROM pg_database WHERE datname = $1",
                [template.clone().into()],
            ))
            .await
            .expect("query pg_database")
            .is_some();
        if !exists {
            exec(&admin, &format!("CREATE DATABASE {template}")).await;
            let owner = connect_one(&with_database(&env("DATABASE_OWNER_URL"), &template)).await;
            if let Err(err) = Migrator::up(&owner, None).await {
                owner.close().await.ok();
                exec(&admin, &format!("DROP DATABASE {template}")).await;
                exec(&admin, "SELECT pg_advisory_unlock(727274)").await;
                panic!("migrating the test template failed: {err}");
            }
            owner.close().await.expect("close template connection");
        }
        let name = format!("crm_test_{}", uuid::Uuid::new_v4().simple());
        exec(
            &admin,
            &format!("CREATE DATABASE {name} TEMPLATE {template}"),
        )
        .await;
        exec(&admin, "SELECT pg_advisory_unlock(727274)").await;
        admin.close().await.ok();
        // A clone does not inherit the template's database privileges.
        let owner = connect_one(&with_database(&env("DATABASE_OWNER_URL"), &name)).await;
        exec(&owner, migration::DATABASE_PRIVILEGES).await;
        owner.close().await.ok();
        TestDb {
            app_url: with_database(&env("DATABASE_URL"), &name),
            owner_url: with_database(&env("DATABASE_OWNER_URL"), &name),
            dropper: Some(std::sync::Arc::new(Dropper { name: name.clone() })),
            name,
        }
    }

    /// A database kept from an earlier run, by name; it is not dropped.
    pub fn existing(name: &str) -> TestDb {
        TestDb {
            name: name.to_owned(),
            app_url: with_database(&env("DATABASE_URL"), name),
            owner_url: with_database(&env("DATABASE_OWNER_URL"), name),
            dropper: None,
        }
    }

    /// The same database, kept after the handle goes (for benchmarks that
    /// reuse their data in a later run).
    pub fn keep(mut self) -> TestDb {
        if let Some(dropper) = self.dropper.take() {
            if let Ok(dropper) = std::sync::Arc::try_unwrap(dropper) {
                std::mem::forget(dropper);
            }
        }
        self
    }

    /// Another handle on the same database (a second server on it).
    fn share(&self) -> TestDb {
        TestDb {
            name: self.name.clone(),
            app_url: self.app_url.clone(),
            owner_url: self.owner_url.clone(),
            dropper: self.dropper.clone(),
        }
    }

    /// The migrated template databases are cloned from: named after the
    /// migrations, so a new migration makes a new template.
    pub fn template_name() -> String {
        let migrations: Vec<String> = Migrator::migrations()
            .iter()
            .map(|m| m.name().to_owned())
            .collect();
        format!(
            "crm_tpl_{}",
            &format!("{:x}", Sha256::digest(migrations.join(",").as_bytes()))[..16]
        )
    }

    /// A single connection as the owner role.
    pub async fn connect_as_owner(&self) -> DatabaseConnection {
        connect_one(&self.owner_url).await
    }

    /// A single connection as the server's role, for tests that check what
    /// the database itself allows.
    pub async fn connect_as_app(&self) -> DatabaseConnection {
        connect_one(&self.app_url).await
    }
}

/// A running server on its own database (and its own Redis key prefix).
pub struct TestApp {
    pub address: String,
    pub db: TestDb,
    pub client: reqwest::Client,
    pub config: Config,
    /// Stops this server as SIGTERM or SIGINT would.
    pub stopper: crm_api::shutdown::Stopper,
}

/// A workspace created through `signUp`, with its owner's credentials.
#[derive(Clone, Debug)]
pub struct TestTenant {
    pub slug: String,
    pub email: String,
    pub password: String,
    pub token: String,
    pub refresh_token: String,
    pub tenant_id: String,
    pub user_id: String,
}

impl TestApp {
    /// Starts a server with the default test configuration.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    /// Starts a server after `adjust` has changed the test configuration.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
        Self::spawn_on(TestDb::create().await, adjust).await
    }

    /// Starts a server on `db` (a database of one's own, or one kept from an
    /// earlier run) after `adjust` has changed the test configuration.
    pub async fn spawn_on(db: TestDb, adjust: impl FnOnce(&mut Config)) -> TestApp {
        init_log();
        let app_url = db.app_url.clone();
        let redis_url = env("REDIS_URL");
        let prefix = format!("crm-test:{}", db.name);
        let mut config = Config::from_lookup(|name| match name {
            "DATABASE_URL" => Some(app_url.clone()),
            "REDIS_URL" => Some(redis_url.clone()),
            "CRM_REDIS_KEY_PREFIX" => Some(prefix.clone()),
            "CRM_JWT_SECRET" => Some(TEST_JWT_SECRET.into()),
            "CRM_LISTEN" => Some("127.0.0.1:0".into()),
            "CRM_DB_MAX_CONNECTIONS" => Some("5".into()),
            // Tests send bursts; the rate-limit tests set their own limits.
            name if name.starts_with("CRM_RATE_") => Some("1000000".into()),
            _ => None,
        })
        .expect("test configuration");
        adjust(&mut config);
        let (address, stopper) = Self::start(config.clone()).await;
        TestApp {
            address,
            stopper,
            db,
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .expect("http client"),
            config,
        }
    }

    async fn start(config: Config) -> (String, crm_api::shutdown::Stopper) {
        let app = Application::build(config)
            .await
            .expect("build the application");
        let address = format!("http://127.0.0.1:{}", app.port());
        let stopper = app.stopper();
        tokio::spawn(app.run_until_stopped());
        (address, stopper)
    }

    /// A second server sharing this one's database and Redis, as another
    /// node behind a load balancer would.
    pub async fn spawn_peer(&self) -> TestApp {
        let (address, stopper) = Self::start(self.config.clone()).await;
        TestApp {
            address,
            stopper,
            db: self.db.share(),
            client: self.client.clone(),
            config: self.config.clone(),
        }
    }

    /// The body of `GET path` (such as `/metrics` or a page's script).
    pub async fn get_text(&self, path: &str) -> String {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
            .text()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    /// A counter or gauge from `/metrics`.
    pub async fn metric(&self, name: &str) -> u64 {
        self.get_text("/metrics")
            .await
            .lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
            .unwrap_or_else(|| panic!("{name} is not in /metrics"))
            .trim()
            .parse::<f64>()
            .unwrap_or_else(|e| panic!("{name}: {e}")) as u64
    }

    /// SQL statements the server has run so far.
    pub async fn statements(&self) -> u64 {
        self.metric("crm_db_statements_total").await
    }

    /// The GraphQL endpoint.
    pub fn graphql_url(&self) -> String {
        format!("{}/graphql", self.address)
    }

    /// Posts a GraphQL request, anonymously or with `token`, and returns the
    /// JSON body.
    pub async fn gql_with(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request = self
            .client
            .post(self.graphql_url())
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("send GraphQL request");
        response.json().await.expect("GraphQL response is JSON")
    }

    /// An anonymous GraphQL request.
    pub async fn gql(&self, query: &str, variables: Value) -> Value {
        self.gql_with(None, query, variables).await
    }

    /// A GraphQL request as `tenant`'s owner.
    pub async fn gql_as(&self, tenant: &TestTenant, query: &str, variables: Value) -> Value {
        self.gql_with(Some(&tenant.token), query, variables).await
    }

    /// Signs up a workspace `slug` with a new owner.
    pub async fn sign_up(&self, slug: &str) -> TestTenant {
        self.owner_session(
            slug,
            "signUp",
            "mutation($input: SignUpInput!) { signUp(input: $input) {
                accessToken refreshToken tenant { id } user { id } } }",
            |email, password| {
                json!({
                    "tenantName": format!("Workspace {slug}"),
                    "tenantSlug": slug,
                    "email": email,
                    "password": password,
                })
            },
        )
        .await
    }

    /// Signs in to the workspace `slug` made by [`TestApp::sign_up`] (in
    /// this or an earlier run on the same database).
    pub async fn sign_in(&self, slug: &str) -> TestTenant {
        self.owner_session(
            slug,
            "signIn",
            "mutation($input: SignInInput!) { signIn(input: $input) {
                accessToken refreshToken tenant { id } user { id } } }",
            |email, password| json!({ "email": email, "password": password, "tenantSlug": slug }),
        )
        .await
    }

    /// The owner of workspace `slug`, with the tokens that `mutation`
    /// (answering as `field`) gives for the input `input(email, password)`.
    async fn owner_session(
        &self,
        slug: &str,
        field: &str,
        mutation: &str,
        input: impl FnOnce(&str, &str) -> Value,
    ) -> TestTenant {
        let email = format!("owner@{slug}.example.com");
        let password = format!("passphrase for {slug}");
        let body = self
            .gql(mutation, json!({ "input": input(&email, &password) }))
            .await;
        let payload = &body["data"][field];
        assert!(payload.is_object(), "{field} failed: {body}");
        TestTenant {
            slug: slug.to_owned(),
            email,
            password,
            token: payload["accessToken"].as_str().unwrap().to_owned(),
            refresh_token: payload["refreshToken"].as_str().unwrap().to_owned(),
            tenant_id: payload["tenant"]["id"].as_str().unwrap().to_owned(),
            user_id: payload["user"]["id"].as_str().unwrap().to_owned(),
        }
    }

    /// Creates a customer as `tenant`; returns the customer object.
    pub async fn create_customer(&self, tenant: &TestTenant, input: Value) -> Value {
        let body = self
            .gql_as(
                tenant,
                "mutation($input: CreateCustomerInput!) { createCustomer(input: $input) {
                    customer { id version name email lifecycleStage tags createdAt } } }",
                json!({ "input": input }),
            )
            .await;
        let customer = body["data"]["createCustomer"]["customer"].clone();
        assert!(customer.is_object(), "createCustomer failed: {body}");
        customer
    }

    /// Renames a customer at `version`; its new version.
    pub async fn rename_customer(
        &self,
        tenant: &TestTenant,
        id: &str,
        version: i64,
        name: &str,
    ) -> i64 {
        let updated = self
            .gql_as(
                tenant,
                "mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { customer { version } } }",
                json!({ "input": { "id": id, "version": version, "name": name } }),
            )
            .await;
        updated["data"]["updateCustomer"]["customer"]["version"]
            .as_i64()
            .unwrap_or_else(|| panic!("updated: {updated}"))
    }

    /// Invites `email` into `owner`'s workspace with `role` (and optionally
    /// a team), accepts the invitation from the emailed token and returns
    /// the new member's (access token, user id).
    pub async fn invite_member(
        &self,
        owner: &TestTenant,
        email: &str,
        role: &str,
        team: Option<&str>,
    ) -> (String, String) {
        let invited = self
            .gql_as(
                owner,
                "mutation($input: InviteMemberInput!) { inviteMember(input: $input) { invitation { id } } }",
                json!({ "input": { "email": email, "role": role, "teamId": team } }),
            )
            .await;
        assert!(invited["errors"].is_null(), "{invited}");
        let token = self.invitation_token(email).await;
        let accepted = self
            .gql(
                "mutation($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { accessToken user { id } } }",
                json!({ "input": { "token": token, "password": "a member's long passphrase" } }),
            )
            .await;
        let payload = &accepted["data"]["acceptInvitation"];
        (
            payload["accessToken"]
                .as_str()
                .unwrap_or_else(|| panic!("acceptInvitation failed: {accepted}"))
                .to_owned(),
            payload["user"]["id"].as_str().unwrap().to_owned(),
        )
    }

    /// The token of the latest invitation emailed to `email`, read from the
    /// outgoing message.
    pub async fn invitation_token(&self, email: &str) -> String {
        let db = Database::connect(self.db.owner_url.as_str()).await.unwrap();
        let row = db
            .query_one(Statement::from_sql_and_values(
                db.get_database_backend(),
                "SELECT body FROM outbound_messages WHERE recipient = $1 ORDER BY created_at DESC LIMIT 1",
                [email.into()],
            ))
            .await
            .unwrap()
            .expect("the invitation was emailed");
        db.close().await.ok();
        let body: String = row.try_get("", "body").unwrap();
        let start = body.find("crm_inv_").expect("the email holds the token");
        body[start..]
            .split(char::is_whitespace)
            .next()
            .unwrap()
            .to_owned()
    }

    /// Starts a customer value recompute as `tenant` and waits until the run
    /// has succeeded (panics if it fails or takes over 30 s).
    pub async fn recompute_customer_value(&self, tenant: &TestTenant) {
        let body = self
            .gql_as(
                tenant,
                "mutation { recomputeCustomerValue { id } }",
                json!({}),
            )
            .await;
        let run = body["data"]["recomputeCustomerValue"]["id"].clone();
        assert!(run.is_string(), "recomputeCustomerValue failed: {body}");
        for _ in 0..600 {
            let body = self
                .gql_as(
                    tenant,
                    "query($id: ID!) { analyticsRun(id: $id) { status error } }",
                    json!({ "id": run }),
                )
                .await;
            match body["data"]["analyticsRun"]["status"].as_str() {
                Some("SUCCEEDED") => return,
                Some("FAILED") => panic!("the run failed: {body}"),
                _ => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
        panic!("the run did not finish");
    }
}

/// The `extensions.code` of the first error of a GraphQL response.
pub fn error_code(body: &Value) -> Option<&str> {
    body["errors"][0]["extensions"]["code"].as_str()
}

/// The `extensions.field` of the first error of a GraphQL response.
pub fn error_field(body: &Value) -> Option<&str> {
    body["errors"][0]["extensions"]["field"].as_str()
}

/// A workspace slug no other test uses.
pub fn unique_slug(prefix: &str) -> String {
    format!(
        "{prefix}-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..10]
    )
}
