//! The customer core at scale: 10 workspaces × 100,000 customers × 3
//! contacts × 10 interactions (1,000,000 customers, 3,000,000 contacts,
//! 10,000,000 interactions), read through the real HTTP GraphQL server by 32
//! concurrent clients, and a CSV import of 100,000 customers.
//!
//! Measured, whole requests as a client sees them (HTTP, authentication and
//! rate limits, GraphQL, the tenant transaction):
//! - `customer(id)` with contacts, latest interactions, orders, open deals,
//!   open cases and value (the 360 view), cold (never read: built from
//!   PostgreSQL) and warm (from Redis);
//! - a filtered page of 50 customers with their contacts;
//! - a cross-relation filter (customers with a contact of a given title
//!   whose last interaction is older than a date);
//! - `searchCustomers` over names, typos, prefixes, emails, phones,
//!   contacts and words of notes;
//! - `importCustomers` of a 100,000-row CSV file (multipart upload), then
//!   the same file again (every row unchanged) and a file changing every row.
//!
//! The records are generated inside PostgreSQL (`bench/sql/customers_data.sql`)
//! as the owner role, with the rollups the API would write; the search rows
//! are then written by `search_rebuild()`, the same rows the triggers write.
//!
//! Run: `scripts/bench.sh customers [workspaces] [customers each] [rows to import]`.
//! With `CRM_BENCH_KEEP=1` the database is left filled (its name is
//! printed); with `CRM_BENCH_DATABASE=<name>` a database so kept is read
//! again, without loading, and imports only with
//! `CRM_BENCH_IMPORT_INTO=<workspace number>` (one not imported into yet).
// The schema's resolver futures are deeper than the default limit when
// the `perf` profile computes their layout.
#![recursion_limit = "256"]

use std::sync::Arc;
use std::time::{Duration, Instant};

use crm_bench::{http1, summarize};
use crm_tests::{TestApp, TestDb, TestTenant};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement, TransactionTrait};
use serde_json::{json, Value};

const TENANTS: usize = 10;
const CUSTOMERS: u32 = 100_000;
const CONTACTS_PER_CUSTOMER: u32 = 3;
const NOTES_PER_CUSTOMER: u32 = 10;
const CLIENTS: usize = 32;
const IMPORT_ROWS: usize = 100_000;

const VIEW: &str = "query($id: ID!) { customer(id: $id) {
    id version name email phone lifecycleStage tags contactCount interactionCount openTaskCount lastInteractionAt
    contacts(first: 10) { edges { node { id name title email phone } } }
    interactions(first: 10) { edges { node { id kind subject occurredAt } } }
    orders(first: 5) { edges { node { id orderedAt status total { amount currency } } } }
    openDeals(first: 5) { edges { node { id name amount { amount currency } } } }
    openCaseCount openCases(first: 5) { edges { node { id number subject status priority resolutionDueAt } } }
    value { tier rfmScore clv12m { amount currency } } } }";

const PAGE: &str = "query($filter: CustomerFilter, $orderBy: [CustomerOrderBy!]) {
    customers(first: 50, filter: $filter, orderBy: $orderBy) {
      edges { node { id name email lifecycleStage region lastInteractionAt
        contacts(first: 3) { edges { node { id name title email } } } } }
      pageInfo { hasNextPage endCursor } } }";

const SEARCH: &str =
    "query($q: String!) { searchCustomers(query: $q, first: 20) { id name email phone } }";

/// One request: as which workspace, what, with which variables.
type Request = (usize, &'static str, Value);

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut args = std::env::args().skip(1);
    let tenants: usize = args
        .next()
        .map(|n| n.parse().expect("the number of workspaces"))
        .unwrap_or(TENANTS);
    let customers: u32 = args
        .next()
        .map(|n| n.parse().expect("the number of customers per workspace"))
        .unwrap_or(CUSTOMERS);
    let import_rows: usize = args
        .next()
        .map(|n| n.parse().expect("the number of rows to import"))
        .unwrap_or(IMPORT_ROWS);
    let kept = std::env::var("CRM_BENCH_DATABASE").ok();
    let db = match &kept {
        Some(name) => TestDb::existing(name),
        None => TestDb::create().await.keep(),
    };
    let app = TestApp::spawn_on(db, |c| {
        for plan in [
            &mut c.rate_limits.free,
            &mut c.rate_limits.pro,
            &mut c.rate_limits.enterprise,
        ] {
            plan.caller_per_minute = 100_000_000;
            plan.tenant_per_minute = 100_000_000;
        }
        c.database_max_connections = 20;
        // Loading ten workspaces takes longer than an access token lives.
        c.jwt.access_token_ttl = Duration::from_secs(4 * 3600);
        c.max_upload_bytes = 200 * 1024 * 1024;
    })
    .await;
    println!("database {}", app.db.name);
    let mut workspaces = Vec::new();
    for t in 0..tenants {
        let slug = format!("bench{t}");
        workspaces.push(match kept {
            Some(_) => app.sign_in(&slug).await,
            None => app.sign_up(&slug).await,
        });
    }
    let owner = Database::connect(app.db.owner_url.as_str()).await.unwrap();

    if kept.is_none() {
        let started = Instant::now();
        load(&owner, &workspaces, customers).await;
        println!(
            "loaded {tenants} workspaces × {customers} customers × {CONTACTS_PER_CUSTOMER} contacts × \
             {NOTES_PER_CUSTOMER} interactions in {:.0} s",
            started.elapsed().as_secs_f64()
        );
        check_rollups(&owner, &workspaces).await;
        // First, on a quiet server: the imports (into the first workspace, which
        // then holds its generated customers and the imported ones).
        import(&app, &workspaces[0], import_rows).await;
    } else if let Ok(t) = std::env::var("CRM_BENCH_IMPORT_INTO") {
        let t: usize = t
            .parse()
            .expect("CRM_BENCH_IMPORT_INTO: a workspace number");
        import(&app, &workspaces[t], import_rows).await;
    }
    // The reads start once the database has caught up with the writes
    // (the vacuum that would otherwise run during them).
    let began = Instant::now();
    exec(
        &owner,
        "VACUUM ANALYZE customers, customer_changes, search_people, search_interactions",
    )
    .await;
    println!("  vacuum analyze {:.0} s", began.elapsed().as_secs_f64());

    let app = Arc::new(app);
    let workspaces = Arc::new(workspaces);
    let mut rng = XorShift(0x2545_F491_4F6C_DD1D);
    let id = |t: usize, i: u32| format!("00000000-0000-7{t:03x}-8000-{i:012x}");

    // Warm-up: every kind of request a few times (connections, plans, caches).
    let warm_up: Vec<Request> = (0..200)
        .map(|k| {
            let t = k % tenants;
            (t, SEARCH, json!({ "q": format!("Globex {k}") }))
        })
        .collect();
    run(&app, &workspaces, "warm-up", warm_up, CLIENTS).await;

    // 360, cold: customers never read before, each once.
    let cold: Vec<Request> = (0..CLIENTS * 100)
        .map(|k| {
            let t = k % tenants;
            let i = 1 + (k / tenants) as u32 * 7 % customers;
            (t, VIEW, json!({ "id": id(t, i) }))
        })
        .collect();
    run(&app, &workspaces, "customer 360, cold", cold, CLIENTS).await;

    // 360, warm: 2,000 customers read once, then read again and again.
    let hot: Vec<(usize, u32)> = (0..2000)
        .map(|k| (k % tenants, 1 + rng.below(customers as u64) as u32))
        .collect();
    let fill: Vec<Request> = hot
        .iter()
        .map(|&(t, i)| (t, VIEW, json!({ "id": id(t, i) })))
        .collect();
    run(&app, &workspaces, "(filling the cache)", fill, CLIENTS).await;
    let warm: Vec<Request> = (0..CLIENTS * 1000)
        .map(|_| {
            let (t, i) = hot[rng.below(hot.len() as u64) as usize];
            (t, VIEW, json!({ "id": id(t, i) }))
        })
        .collect();
    run(
        &app,
        &workspaces,
        "customer 360, warm",
        warm.clone(),
        CLIENTS,
    )
    .await;
    run(
        &app,
        &workspaces,
        "customer 360, warm, 1 client",
        warm[..2000].to_vec(),
        1,
    )
    .await;

    // A filtered page of 50 with contacts.
    let regions = [
        "North America",
        "Europe",
        "East Asia",
        "South America",
        "Oceania",
        "Africa",
    ];
    let stages = ["LEAD", "PROSPECT", "CUSTOMER", "CHURNED"];
    let pages: Vec<Request> = (0..CLIENTS * 50)
        .map(|k| {
            let t = k % tenants;
            let filter = json!({
                "region": { "eq": regions[rng.below(regions.len() as u64) as usize] },
                "lifecycleStage": { "eq": stages[rng.below(stages.len() as u64) as usize] },
            });
            let order = if k % 2 == 0 {
                json!([{ "field": "NAME" }])
            } else {
                json!([{ "field": "LAST_INTERACTION_AT", "direction": "DESC" }])
            };
            (t, PAGE, json!({ "filter": filter, "orderBy": order }))
        })
        .collect();
    run(
        &app,
        &workspaces,
        "filtered page of 50 with contacts",
        pages.clone(),
        CLIENTS,
    )
    .await;
    run(
        &app,
        &workspaces,
        "filtered page of 50 with contacts, 1 client",
        pages[..400].to_vec(),
        1,
    )
    .await;

    // Across relations: a contact with this title, last contacted before a date.
    let titles = ["CFO", "CTO", "Buyer", "Owner"];
    let cross: Vec<Request> = (0..CLIENTS * 50)
        .map(|k| {
            let t = k % tenants;
            let before = format!("2025-{:02}-01T00:00:00Z", 1 + rng.below(12));
            let filter = json!({
                "contacts": { "title": { "eq": titles[rng.below(titles.len() as u64) as usize] } },
                "lastInteractionAt": { "lt": before },
            });
            (
                t,
                PAGE,
                json!({ "filter": filter, "orderBy": [{ "field": "LAST_INTERACTION_AT", "direction": "DESC" }] }),
            )
        })
        .collect();
    run(
        &app,
        &workspaces,
        "cross-relation filter, page of 50",
        cross.clone(),
        CLIENTS,
    )
    .await;
    run(
        &app,
        &workspaces,
        "cross-relation filter, 1 client",
        cross[..100].to_vec(),
        1,
    )
    .await;

    // Search.
    let queries = search_queries(&owner, &workspaces, customers).await;
    let searches: Vec<Request> = (0..CLIENTS * 60)
        .map(|k| {
            let (t, q) = &queries[k % queries.len()];
            (*t, SEARCH, json!({ "q": q }))
        })
        .collect();
    run(
        &app,
        &workspaces,
        "searchCustomers",
        searches.clone(),
        CLIENTS,
    )
    .await;
    run(
        &app,
        &workspaces,
        "searchCustomers, 1 client",
        searches[..queries.len().min(searches.len())].to_vec(),
        1,
    )
    .await;

    if std::env::var("CRM_BENCH_KEEP").is_ok_and(|v| v == "1") || kept.is_some() {
        println!(
            "done; the records are kept in database {} (read again with CRM_BENCH_DATABASE)",
            app.db.name
        );
        return;
    }
    // Leave an empty database behind, not a large one.
    exec(&owner, "TRUNCATE tenants CASCADE").await;
    println!(
        "done; drop database {} when the process has exited",
        app.db.name
    );
}

/// Sends `requests` from `clients` concurrent clients (each takes the next
/// request when its last one is answered) and prints the latencies.
async fn run(
    app: &Arc<TestApp>,
    workspaces: &Arc<Vec<TestTenant>>,
    label: &str,
    requests: Vec<Request>,
    clients: usize,
) {
    let total = requests.len();
    // Bodies are serialised before the clock starts, and each client keeps
    // one connection (`crm_bench::http1`, unless `CRM_BENCH_CLIENT=reqwest`),
    // so the load generator spends the two cores' time on little more than
    // the HTTP exchange itself.
    let requests: Vec<(usize, Vec<u8>)> = requests
        .into_iter()
        .map(|(t, query, variables)| {
            let body = serde_json::to_vec(&json!({ "query": query, "variables": variables }))
                .expect("a request serialises");
            (t, body)
        })
        .collect();
    let queue = Arc::new(std::sync::Mutex::new(requests.into_iter()));
    let mut senders = Vec::with_capacity(clients);
    for _ in 0..clients {
        senders.push(Sender::open(app).await);
    }
    let started = Instant::now();
    let mut running = Vec::new();
    for mut sender in senders {
        let (workspaces, queue) = (workspaces.clone(), queue.clone());
        running.push(tokio::spawn(async move {
            let mut took = Vec::new();
            let mut failed = 0usize;
            loop {
                let next = queue.lock().unwrap().next();
                let Some((t, body)) = next else {
                    return (took, failed);
                };
                let began = Instant::now();
                let answer = sender.post(&workspaces[t].token, body).await;
                took.push(began.elapsed());
                if let Err(answer) = answer {
                    if failed == 0 {
                        eprintln!("{answer}");
                    }
                    failed += 1;
                }
            }
        }));
    }
    let mut all: Vec<Duration> = Vec::with_capacity(total);
    let mut failed = 0;
    for client in running {
        let (took, errors) = client.await.unwrap();
        all.extend(took);
        failed += errors;
    }
    let elapsed = started.elapsed();
    let s = summarize(all);
    println!(
        "{label:<40} {clients:>2} clients  n={:<5} p50={:>7.2} ms  p95={:>7.2} ms  p99={:>7.2} ms  max={:>7.2} ms  {:>6.0} req/s{}",
        s.count,
        s.p50_us / 1000.0,
        s.p95_us / 1000.0,
        s.p99_us / 1000.0,
        s.max_us / 1000.0,
        total as f64 / elapsed.as_secs_f64(),
        if failed > 0 { format!("  ({failed} ERRORS)") } else { String::new() }
    );
}

/// What a response is checked for: data, and no errors.
#[derive(serde::Deserialize)]
struct Answer {
    data: Option<serde::de::IgnoredAny>,
    errors: Option<serde::de::IgnoredAny>,
}

/// One simulated client's way of sending requests: the lean HTTP/1.1
/// client, or reqwest with `CRM_BENCH_CLIENT=reqwest` (the load generator
/// of the results recorded before 2026-11-26 14:00, for comparison).
enum Sender {
    Lean(http1::Connection),
    Reqwest(Arc<TestApp>),
}

impl Sender {
    async fn open(app: &Arc<TestApp>) -> Sender {
        if std::env::var("CRM_BENCH_CLIENT").is_ok_and(|v| v == "reqwest") {
            return Sender::Reqwest(app.clone());
        }
        Sender::Lean(
            http1::Connection::open(&app.address)
                .await
                .expect("connect to the server"),
        )
    }

    /// Posts a serialised GraphQL request as the holder of `token` and
    /// checks the answer.
    async fn post(&mut self, token: &str, body: Vec<u8>) -> Result<(), String> {
        match self {
            Sender::Lean(connection) => {
                let (status, bytes) = connection
                    .post("/graphql", token, &body)
                    .await
                    .map_err(|e| e.to_string())?;
                check(status, bytes)
            }
            Sender::Reqwest(app) => {
                let response = app
                    .client
                    .post(app.graphql_url())
                    .bearer_auth(token)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                let status = response.status().as_u16();
                let bytes = response.bytes().await.map_err(|e| e.to_string())?;
                check(status, &bytes)
            }
        }
    }
}

/// Whether a response is a success with data and without errors (read
/// whole: every byte of it is parsed).
fn check(status: u16, bytes: &[u8]) -> Result<(), String> {
    match serde_json::from_slice::<Answer>(bytes) {
        Ok(Answer {
            data: Some(_),
            errors: None,
        }) if status == 200 => Ok(()),
        _ => Err(format!("{status}: {}", String::from_utf8_lossy(bytes))),
    }
}

async fn exec(db: &impl ConnectionTrait, sql: &str) {
    db.execute_unprepared(sql)
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", &sql[..sql.len().min(200)]));
}

/// Generates every workspace's records, one transaction each (row-level
/// security is forced for the owner too, so the tenant is set first), with
/// the search triggers off; then writes the search rows in one pass per
/// workspace and refreshes the planner's statistics.
async fn load(owner: &DatabaseConnection, workspaces: &[TestTenant], customers: u32) {
    for table in ["customers", "contacts", "interactions"] {
        exec(owner, &format!("ALTER TABLE {table} DISABLE TRIGGER USER")).await;
    }
    // The search tables' GIN indexes are built once after the load: filling
    // them row by row takes about ten times as long.
    let gin: Vec<(String, String)> = owner
        .query_all(Statement::from_string(
            owner.get_database_backend(),
            "SELECT indexname, indexdef FROM pg_indexes
              WHERE tablename IN ('search_people', 'search_interactions') AND indexdef LIKE '% USING gin %'"
                .to_owned(),
        ))
        .await
        .unwrap()
        .iter()
        .map(|r| {
            let definition: String = r.try_get("", "indexdef").unwrap();
            // A partitioned table's index is listed "ON ONLY" the parent;
            // built without ONLY, it is built on every partition.
            (
                r.try_get("", "indexname").unwrap(),
                definition.replace(" ON ONLY ", " ON "),
            )
        })
        .collect();
    for (name, _) in &gin {
        exec(owner, &format!("DROP INDEX {name}")).await;
    }
    for (t, tenant) in workspaces.iter().enumerate() {
        let began = Instant::now();
        let sql = include_str!("../../sql/customers_data.sql")
            .replace("{tenant}", &tenant.tenant_id)
            .replace("{tenant_no}", &format!("{t:03x}"))
            .replace("{customers}", &customers.to_string())
            .replace("{contacts}", &CONTACTS_PER_CUSTOMER.to_string())
            .replace("{notes}", &NOTES_PER_CUSTOMER.to_string());
        let tx = owner.begin().await.unwrap();
        exec(
            &tx,
            &format!(
                "SELECT set_config('app.tenant_id', '{}', true)",
                tenant.tenant_id
            ),
        )
        .await;
        exec(&tx, &sql).await;
        tx.commit().await.unwrap();
        let records = began.elapsed();
        // Fresh statistics first: with those of the earlier workspaces only,
        // the planner expects no rows of this one and joins its million
        // interactions to its customers by nested loops over sequential scans.
        exec(
            owner,
            "ANALYZE customers, contacts, interactions, cases, search_people, search_interactions",
        )
        .await;
        exec(
            owner,
            &format!("SELECT search_rebuild('{}')", tenant.tenant_id),
        )
        .await;
        println!(
            "  workspace {t}: records {:.0} s, search rows {:.0} s",
            records.as_secs_f64(),
            (began.elapsed() - records).as_secs_f64()
        );
    }
    let began = Instant::now();
    let tx = owner.begin().await.unwrap();
    exec(&tx, "SET LOCAL maintenance_work_mem = '512MB'").await;
    for (_, definition) in &gin {
        exec(&tx, definition).await;
    }
    tx.commit().await.unwrap();
    println!(
        "  search indexes built in {:.0} s",
        began.elapsed().as_secs_f64()
    );
    for table in ["customers", "contacts", "interactions"] {
        exec(owner, &format!("ALTER TABLE {table} ENABLE TRIGGER USER")).await;
    }
    let began = Instant::now();
    exec(
        owner,
        "VACUUM ANALYZE customers, contacts, interactions, search_people, search_interactions",
    )
    .await;
    println!("  vacuum analyze {:.0} s", began.elapsed().as_secs_f64());
}

/// Fails unless every generated customer's rollups equal what its contacts
/// and interactions give (the definition `customers::recompute_rollups` uses).
async fn check_rollups(owner: &DatabaseConnection, workspaces: &[TestTenant]) {
    for tenant in workspaces {
        let tx = owner.begin().await.unwrap();
        exec(
            &tx,
            &format!(
                "SELECT set_config('app.tenant_id', '{}', true)",
                tenant.tenant_id
            ),
        )
        .await;
        let row = tx
            .query_one(Statement::from_string(
                tx.get_database_backend(),
                "SELECT count(*) AS wrong FROM customers c
                  LEFT JOIN (SELECT customer_id, count(*) AS n FROM contacts WHERE deleted_at IS NULL
                              GROUP BY customer_id) k ON k.customer_id = c.id
                  LEFT JOIN (SELECT customer_id, count(*) AS n, max(occurred_at) AS last,
                                    count(*) FILTER (WHERE kind = 'TASK' AND completed_at IS NULL) AS open
                               FROM interactions GROUP BY customer_id) i ON i.customer_id = c.id
                  WHERE c.contact_count <> coalesce(k.n, 0) OR c.interaction_count <> coalesce(i.n, 0)
                     OR c.open_task_count <> coalesce(i.open, 0)
                     OR c.last_interaction_at IS DISTINCT FROM i.last"
                    .to_owned(),
            ))
            .await
            .unwrap()
            .unwrap();
        tx.commit().await.unwrap();
        let wrong: i64 = row.try_get("", "wrong").unwrap();
        assert_eq!(
            wrong, 0,
            "customers with rollups that differ from their records"
        );
    }
    println!("  rollups checked against the records: all equal");
}

/// Search queries from a sample of each workspace's customers: exact names,
/// names with a typo, prefixes, emails, phone digits, contact names, and
/// words of notes.
async fn search_queries(
    owner: &DatabaseConnection,
    workspaces: &[TestTenant],
    customers: u32,
) -> Vec<(usize, String)> {
    let mut queries = Vec::new();
    for (t, tenant) in workspaces.iter().enumerate() {
        let tx = owner.begin().await.unwrap();
        exec(
            &tx,
            &format!(
                "SELECT set_config('app.tenant_id', '{}', true)",
                tenant.tenant_id
            ),
        )
        .await;
        let rows = tx
            .query_all(Statement::from_string(
                tx.get_database_backend(),
                format!(
                    "SELECT c.name, c.email, c.phone,
                            (SELECT ct.name FROM contacts ct WHERE ct.tenant_id = c.tenant_id
                                AND ct.customer_id = c.id ORDER BY ct.id LIMIT 1) AS contact
                       FROM customers c
                      WHERE c.tenant_id = '{}' AND c.external_id = ANY(ARRAY(
                            SELECT 'EXT-' || (1 + (g * 7919) % {customers}) FROM generate_series(1, 12) g))",
                    tenant.tenant_id
                ),
            ))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        for (k, row) in rows.iter().enumerate() {
            let name: String = row.try_get("", "name").unwrap();
            let email: Option<String> = row.try_get("", "email").unwrap();
            let phone: Option<String> = row.try_get("", "phone").unwrap();
            let contact: Option<String> = row.try_get("", "contact").unwrap();
            queries.push((t, name.clone()));
            if name.is_ascii() {
                queries.push((t, typo(&name, k)));
                queries.push((
                    t,
                    name.chars()
                        .take(4 + k % 3)
                        .collect::<String>()
                        .to_lowercase(),
                ));
            }
            if let Some(email) = email {
                queries.push((t, email.to_uppercase()));
            }
            if let Some(phone) = phone {
                queries.push((t, phone.chars().filter(char::is_ascii_digit).collect()));
            }
            if let Some(contact) = contact {
                queries.push((t, contact));
            }
        }
        for words in [
            "forklift",
            "warehouse integration",
            "quarterly invoice",
            "续约条款",
        ] {
            queries.push((t, words.to_owned()));
        }
    }
    queries
}

/// `name` with one letter of its longest word dropped or changed.
fn typo(name: &str, i: usize) -> String {
    let words: Vec<&str> = name.split(' ').collect();
    let longest = (0..words.len()).max_by_key(|&w| words[w].len()).unwrap();
    let mut chars: Vec<char> = words[longest].chars().collect();
    let at = chars.len() / 2;
    if i.is_multiple_of(2) {
        chars.remove(at);
    } else {
        chars[at] = if chars[at] == 'e' { 'a' } else { 'e' };
    }
    let changed: String = chars.into_iter().collect();
    words
        .iter()
        .enumerate()
        .map(|(w, word)| if w == longest { changed.as_str() } else { word })
        .collect::<Vec<_>>()
        .join(" ")
}

const IMPORT: &str = "mutation($input: ImportCustomersInput!) { importCustomers(input: $input) {
    rowsRead created updated unchanged skipped committed errors { row field message } } }";
const BOUNDARY: &str = "----crm-bench-boundary-5c2e";

/// A file of `rows` new customers (or, with `changed`, the same customers
/// in another region and stage).
fn import_file(rows: usize, changed: bool) -> String {
    let mut csv = String::from(
        "externalId,name,kind,email,phone,website,industry,region,lifecycleStage,tags\n",
    );
    for i in 0..rows {
        let region = if changed { "Antarctica" } else { "Europe" };
        let stage = if changed { "customer" } else { "lead" };
        csv.push_str(&format!(
            "IMP-{i:06},\"Imported {i}, Ltd\",{},info{i}@imported{}.example,+49 30 {:07},https://imported{i}.example,Trade,{region},{stage},import;batch{}\n",
            if i % 3 == 0 { "PERSON" } else { "COMPANY" },
            i % 97,
            i,
            i % 10
        ));
    }
    csv
}

/// Posts `csv` to `importCustomers` as a GraphQL multipart request; returns
/// the report and the time taken.
async fn send_import(app: &TestApp, tenant: &TestTenant, csv: &str) -> (Value, Duration) {
    let operations = json!({ "query": IMPORT, "variables": { "input": { "file": null } } });
    let map = json!({ "0": ["variables.input.file"] });
    let mut body = Vec::new();
    for (name, value) in [("operations", operations), ("map", map)] {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"0\"; filename=\"customers.csv\"\r\nContent-Type: text/csv\r\n\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(csv.as_bytes());
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(900))
        .build()
        .unwrap();
    let began = Instant::now();
    let response = client
        .post(app.graphql_url())
        .bearer_auth(&tenant.token)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header("x-csrf-protection", "1")
        .body(body)
        .send()
        .await
        .expect("send the import");
    let body: Value = response.json().await.expect("a JSON answer");
    let took = began.elapsed();
    let report = body["data"]["importCustomers"].clone();
    assert!(report.is_object(), "import failed: {body}");
    (report, took)
}

async fn import(app: &TestApp, tenant: &TestTenant, rows: usize) {
    let file = import_file(rows, false);
    println!(
        "import file: {rows} rows, {:.1} MB, into a workspace with the generated customers",
        file.len() as f64 / 1e6
    );
    let (report, took) = send_import(app, tenant, &file).await;
    assert_eq!(report["created"], rows, "{report}");
    println!(
        "importCustomers, {rows} new customers:       {:>6.1} s ({:.0} rows/s)",
        took.as_secs_f64(),
        rows as f64 / took.as_secs_f64()
    );
    let (report, took) = send_import(app, tenant, &file).await;
    assert_eq!(report["unchanged"], rows, "{report}");
    println!(
        "importCustomers, the same file again (unchanged): {:>6.1} s",
        took.as_secs_f64()
    );
    let (report, took) = send_import(app, tenant, &import_file(rows, true)).await;
    assert_eq!(report["updated"], rows, "{report}");
    println!(
        "importCustomers, {rows} customers updated:   {:>6.1} s ({:.0} rows/s)",
        took.as_secs_f64(),
        rows as f64 / took.as_secs_f64()
    );
}

/// A small deterministic generator, so every run asks the same.
struct XorShift(u64);

impl XorShift {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}
