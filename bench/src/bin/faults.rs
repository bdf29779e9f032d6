//! Failure and endurance under load: a `crm serve` process (the `perf`
//! build) on a fresh database, 32 clients sending a mix of 360 reads, list
//! pages and writes, and one fault in the middle of the run:
//!
//! - `redis`: its Redis (a private one) shut down without saving for ten
//!   seconds, then started again empty;
//! - `postgres`: the private PostgreSQL stopped (fast shutdown) for five
//!   seconds and started again (`scripts/services.sh pg-stop` / `pg-start`);
//! - `sigterm`: the server sent SIGTERM while requests are in flight;
//! - `soak [minutes] [requests per second]`: no fault, a fixed rate for a
//!   long time, with the server's resident memory sampled;
//! - `hostile [cases]`: generated hostile input through HTTP, `cases` per
//!   target (default 100,000): documents with odd variables, raw bodies,
//!   odd content types, odd headers (credentials, language, request id),
//!   CSV uploads to a dry-run import; every answer must be a typed client
//!   error or a success, never a 5xx or `INTERNAL`.
//!
//! Every answer is classified (success, 503 `UNAVAILABLE`, other status,
//! connection error); writes remember the last name acknowledged per
//! customer, and after the run every customer is read back through the API
//! (its 360 view, which may come from the cache) and compared.
// The schema's resolver futures are deeper than the default limit when
// the `perf` profile computes their layout.
#![recursion_limit = "256"]

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crm_bench::http1::Connection;
use crm_bench::summarize;
use crm_tests::{RedisServer, TestDb, TEST_JWT_SECRET};
use serde_json::{json, Value};

const CLIENTS: usize = 32;
const CUSTOMERS: usize = 1_000;
const VIEW: &str = "query($id: ID!) { customer(id: $id) { id version name
    contacts(first: 10) { edges { node { name } } }
    orders(first: 5) { edges { node { id } } } } }";
const PAGE: &str = "query($after: String) { customers(first: 50, after: $after) {
    edges { cursor node { id name contacts(first: 3) { edges { node { name } } } } } } }";
const RENAME: &str = "mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { customer { version } } }";

/// What one request got.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Outcome {
    Ok,
    /// 503 with `UNAVAILABLE`.
    Unavailable,
    /// A version conflict on a write (another request of the same client
    /// cannot cause it; counted to be sure).
    Conflict,
    /// Any other status or error code.
    Other(u16),
    /// The connection failed or closed before an answer.
    Connection,
}

/// One request's record.
struct Sample {
    sent: Duration,
    latency: Duration,
    outcome: Outcome,
    write: bool,
}

/// The server process under test.
struct Server {
    child: Child,
    address: String,
}

impl Server {
    fn start(db: &TestDb, redis_url: &str, log: &str) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let binary = std::env::var("CRM_BENCH_SERVER").unwrap_or_else(|_| {
            let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
            format!("{target}/perf/crm")
        });
        let log = std::fs::File::create(log).expect("a log file");
        let mut command = Command::new(&binary);
        command
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", &db.app_url)
            .env("REDIS_URL", redis_url)
            .env("CRM_REDIS_KEY_PREFIX", format!("crm-bench:{}", db.name))
            .env("CRM_JWT_SECRET", TEST_JWT_SECRET)
            .env("CRM_LISTEN", format!("127.0.0.1:{port}"))
            .env("CRM_LOG_FORMAT", "json")
            .env("CRM_CONSOLE_DIR", "/nonexistent")
            // One sign-in serves the whole run, soaks included (the load
            // generator does not renew sessions).
            .env("CRM_ACCESS_TOKEN_TTL_SECS", "86400")
            .stdout(log.try_clone().expect("log"))
            .stderr(log);
        for name in [
            "CRM_RATE_ANONYMOUS_PER_MIN",
            "CRM_RATE_FREE_CALLER_PER_MIN",
            "CRM_RATE_FREE_TENANT_PER_MIN",
            "CRM_RATE_PRO_CALLER_PER_MIN",
            "CRM_RATE_PRO_TENANT_PER_MIN",
            "CRM_RATE_ENTERPRISE_CALLER_PER_MIN",
            "CRM_RATE_ENTERPRISE_TENANT_PER_MIN",
        ] {
            command.env(name, "100000000");
        }
        let child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {binary}: {e}"));
        let address = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "the server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Server { child, address }
    }

    /// Resident memory in KiB, from `/proc`.
    fn rss_kib(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .ok()
            .and_then(|status| {
                status
                    .lines()
                    .find_map(|l| l.strip_prefix("VmRSS:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            })
            .unwrap_or(0)
    }

    fn signal(&self, signal: &str) {
        Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .expect("kill");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A signed-up workspace with customers.
struct Workspace {
    token: String,
    customers: Vec<String>,
}

async fn graphql(
    client: &reqwest::Client,
    address: &str,
    token: Option<&str>,
    query: &str,
    variables: Value,
) -> Value {
    let mut request = client
        .post(format!("{address}/graphql"))
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json")
}

async fn seed(address: &str) -> Workspace {
    let client = reqwest::Client::new();
    let signed = graphql(
        &client,
        address,
        None,
        "mutation($input: SignUpInput!) { signUp(input: $input) { accessToken } }",
        json!({ "input": {
            "tenantName": "Faults", "tenantSlug": format!("faults-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]),
            "email": format!("owner-{}@faults.example", uuid::Uuid::new_v4().simple()),
            "password": "a long bench passphrase", "displayName": "Owner"
        } }),
    )
    .await;
    let token = signed["data"]["signUp"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("sign-up: {signed}"))
        .to_owned();
    let mut customers = Vec::with_capacity(CUSTOMERS);
    for chunk in (0..CUSTOMERS).collect::<Vec<_>>().chunks(50) {
        let creates = chunk.iter().map(|i| {
            graphql(
                &client,
                address,
                Some(&token),
                "mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }",
                json!({ "input": { "kind": "COMPANY", "name": format!("customer {i}"),
                    "email": format!("c{i}@faults.example") } }),
            )
        });
        for created in futures_util::future::join_all(creates).await {
            customers.push(
                created["data"]["createCustomer"]["customer"]["id"]
                    .as_str()
                    .unwrap_or_else(|| panic!("create: {created}"))
                    .to_owned(),
            );
        }
    }
    Workspace { token, customers }
}

fn classify(status: u16, body: &[u8]) -> Outcome {
    let value: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let code = value["errors"][0]["extensions"]["code"].as_str();
    match (status, code) {
        (200, None) => Outcome::Ok,
        (503, Some("UNAVAILABLE")) => Outcome::Unavailable,
        (200, Some("CONFLICT")) => Outcome::Conflict,
        (status, _) => Outcome::Other(status),
    }
}

/// What the clients share.
struct Load {
    address: String,
    token: String,
    customers: Vec<String>,
    started: Instant,
    stop: AtomicBool,
    samples: Mutex<Vec<Sample>>,
    /// The last name acknowledged per customer, with its version.
    acknowledged: Mutex<HashMap<String, (String, i64)>>,
    /// Requests per second per client; 0 for as fast as answered.
    pace: f64,
}

impl Load {
    /// The customer's 360 view as the API answers it now.
    async fn view(&self, client: &reqwest::Client, id: &str) -> Value {
        graphql(
            client,
            &self.address,
            Some(&self.token),
            VIEW,
            json!({ "id": id }),
        )
        .await
    }
}

async fn client(load: Arc<Load>, index: usize) {
    let mut connection: Option<Connection> = None;
    let mut n: u64 = 0;
    let mine: Vec<&String> = load.customers.iter().skip(index).step_by(CLIENTS).collect();
    let mut versions: HashMap<&String, i64> = mine.iter().map(|id| (*id, 1)).collect();
    let mut rng = index as u64 * 7919 + 1;
    let mut next = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    while !load.stop.load(Ordering::SeqCst) {
        n += 1;
        if load.pace > 0.0 {
            let due = Duration::from_secs_f64(n as f64 / load.pace);
            let now = load.started.elapsed();
            if due > now {
                tokio::time::sleep(due - now).await;
            }
        }
        let pick = next() % 10;
        let (body, write, renamed) = if pick < 2 {
            let id = mine[(next() % mine.len() as u64) as usize];
            let name = format!("client {index} write {n}");
            let body = json!({ "query": RENAME, "variables": { "input": { "id": id, "version": versions[id], "name": name } } });
            (body, true, Some((id, name)))
        } else if pick < 4 {
            (
                json!({ "query": PAGE, "variables": { "after": null } }),
                false,
                None,
            )
        } else {
            let id = &load.customers[(next() % load.customers.len() as u64) as usize];
            (
                json!({ "query": VIEW, "variables": { "id": id } }),
                false,
                None,
            )
        };
        let body = serde_json::to_vec(&body).expect("json");
        let sent = load.started.elapsed();
        let start = Instant::now();
        if connection.is_none() {
            connection = Connection::open(&load.address).await.ok();
        }
        let answer = match connection.as_mut() {
            Some(c) => c
                .post("/graphql", &load.token, &body)
                .await
                .map(|(status, body)| (status, body.to_vec())),
            None => Err(std::io::Error::other("no connection")),
        };
        let latency = start.elapsed();
        if connection.as_ref().is_some_and(|c| !c.reusable()) {
            connection = None;
        }
        let outcome = match &answer {
            Ok((status, body)) => classify(*status, body),
            Err(_) => {
                connection = None;
                tokio::time::sleep(Duration::from_millis(50)).await;
                Outcome::Connection
            }
        };
        if let (Outcome::Ok, Some((id, name)), Ok((_, body))) = (outcome, &renamed, &answer) {
            let value: Value = serde_json::from_slice(body).expect("json");
            if let Some(version) = value["data"]["updateCustomer"]["customer"]["version"].as_i64() {
                versions.insert(id, version);
                load.acknowledged
                    .lock()
                    .unwrap()
                    .insert((*id).clone(), (name.clone(), version));
            }
        }
        if outcome == Outcome::Conflict {
            // The write may have committed while its answer was lost:
            // read the version again.
            if let Some((id, _)) = renamed {
                let seen = load.view(&reqwest::Client::new(), id).await;
                if let Some(v) = seen["data"]["customer"]["version"].as_i64() {
                    versions.insert(id, v);
                }
            }
        }
        load.samples.lock().unwrap().push(Sample {
            sent,
            latency,
            outcome,
            write,
        });
    }
}

fn counts<'a>(samples: impl Iterator<Item = &'a Sample>) -> HashMap<Outcome, usize> {
    let mut counts = HashMap::new();
    for s in samples {
        *counts.entry(s.outcome).or_insert(0) += 1;
    }
    counts
}

fn report_window(label: &str, samples: &[&Sample]) {
    if samples.is_empty() {
        println!("| {label} | 0 | | | | | |");
        return;
    }
    let counts = counts(samples.iter().copied());
    let ok: Vec<Duration> = samples
        .iter()
        .filter(|s| s.outcome == Outcome::Ok)
        .map(|s| s.latency)
        .collect();
    let span = samples
        .last()
        .unwrap()
        .sent
        .saturating_sub(samples[0].sent)
        .as_secs_f64()
        .max(1.0);
    let summary = (!ok.is_empty()).then(|| summarize(ok));
    let others: usize = counts
        .iter()
        .filter(|(o, _)| matches!(o, Outcome::Other(_) | Outcome::Conflict))
        .map(|(_, n)| n)
        .sum();
    println!(
        "| {label} | {} | {:.0} | {} | {} | {} | {} | {} |",
        samples.len(),
        samples.len() as f64 / span,
        counts.get(&Outcome::Ok).unwrap_or(&0),
        counts.get(&Outcome::Unavailable).unwrap_or(&0),
        others,
        counts.get(&Outcome::Connection).unwrap_or(&0),
        summary.map_or("-".into(), |s| format!(
            "{:.1} / {:.1}",
            s.p50_us / 1000.0,
            s.p99_us / 1000.0
        )),
    );
}

/// Reads every written customer's 360 view back and compares its name with
/// the last one acknowledged; the number that differ.
async fn stale_or_lost(load: &Load) -> (usize, usize) {
    let client = reqwest::Client::new();
    let acknowledged = load.acknowledged.lock().unwrap().clone();
    let mut wrong = 0;
    for (id, (name, version)) in &acknowledged {
        for _ in 0..2 {
            let seen = load.view(&client, id).await;
            let customer = &seen["data"]["customer"];
            // A later write may have committed with its answer lost
            // (a connection cut): then the version is higher.
            let fine = customer["name"] == name.as_str()
                || customer["version"].as_i64().is_some_and(|v| v > *version);
            if !fine {
                wrong += 1;
                println!("  {id}: acknowledged {name:?} (version {version}), read {customer}");
            }
        }
    }
    (acknowledged.len(), wrong)
}

async fn ready(address: &str) -> u16 {
    reqwest::get(format!("{address}/readyz"))
        .await
        .map_or(0, |r| r.status().as_u16())
}

fn services(action: &str) {
    let status = Command::new("scripts/services.sh")
        .arg(action)
        .stdout(Stdio::null())
        .status()
        .expect("scripts/services.sh");
    assert!(status.success(), "scripts/services.sh {action}");
}

/// What the hostile requests of one target got.
#[derive(Default)]
struct Tally {
    by_status: std::collections::BTreeMap<u16, usize>,
    failures: Vec<String>,
}

const BOUNDARY: &str = "----crm-bench-boundary";

/// One hostile request of `target`, case `case`: its method of sending.
fn hostile_request(
    client: &reqwest::Client,
    address: &str,
    token: &str,
    target: &str,
    rng: &mut rand::rngs::StdRng,
) -> (reqwest::RequestBuilder, String) {
    use crm_api::hostile;
    use rand::Rng;
    let url = format!("{address}/graphql");
    let signed = rng.gen_bool(0.5);
    let base = |request: reqwest::RequestBuilder| {
        if signed {
            request.bearer_auth(token)
        } else {
            request
        }
    };
    match target {
        "documents" => {
            let document = if rng.gen_bool(0.3) {
                hostile::fragment_web(rng)
            } else {
                hostile::document(rng)
            };
            let variables = match rng.gen_range(0..6) {
                0 => json!({ "id": rng.gen::<i64>(), "first": rng.gen::<i32>() }),
                1 => json!({ "id": "x".repeat(rng.gen_range(0..300)) }),
                2 => json!([1, 2]),
                3 => json!({ "input": { "name": hostile::csv_text(rng, 30), "kind": "PERSON" } }),
                4 => json!("variables"),
                _ => Value::Null,
            };
            let body = json!({ "query": document, "variables": variables }).to_string();
            (
                base(
                    client
                        .post(&url)
                        .header("content-type", "application/json")
                        .body(body.clone()),
                ),
                body,
            )
        }
        "bodies" => {
            let body = hostile::body(rng);
            (
                base(
                    client
                        .post(&url)
                        .header("content-type", "application/json")
                        .body(body.clone()),
                ),
                body,
            )
        }
        "content types" => {
            let content_type = [
                "text/plain",
                "application/json; charset=latin1",
                "multipart/form-data; boundary=x",
                "application/graphql",
                "application/x-www-form-urlencoded",
                "",
            ][rng.gen_range(0..6)];
            let body = hostile::body(rng);
            (
                base(
                    client
                        .post(&url)
                        .header("content-type", content_type)
                        .header("x-csrf-protection", "1")
                        .body(body.clone()),
                ),
                format!("{content_type}: {body}"),
            )
        }
        "headers" => {
            let odd = |rng: &mut rand::rngs::StdRng| -> String {
                hostile::csv_text(rng, 60)
                    .chars()
                    .filter(|c| (' '..='~').contains(c))
                    .collect()
            };
            let authorization = match rng.gen_range(0..5) {
                0 => format!("Bearer {}", odd(rng)),
                1 => format!(
                    "Bearer crm_{}_{}_{}",
                    uuid::Uuid::new_v4().simple(),
                    odd(rng),
                    odd(rng)
                ),
                2 => format!("Bearer {}.{}.{}", odd(rng), odd(rng), odd(rng)),
                3 => odd(rng),
                _ => format!("Bearer {token}"),
            };
            let language = odd(rng);
            let request_id = odd(rng);
            let mut request = client
                .post(&url)
                .header("content-type", "application/json")
                .body(r#"{"query":"{ me { role } }"}"#);
            for (name, value) in [
                ("authorization", &authorization),
                ("accept-language", &language),
                ("x-request-id", &request_id),
                ("x-forwarded-for", &odd(rng)),
            ] {
                if let Ok(value) = reqwest::header::HeaderValue::from_str(value) {
                    request = request.header(name, value);
                }
            }
            (
                request,
                format!("{authorization:?} {language:?} {request_id:?}"),
            )
        }
        _ => {
            let csv = hostile::csv_text(rng, 400);
            let operations = json!({
                "query": "mutation($input: ImportCustomersInput!) { importCustomers(input: $input) { rowsRead errorCount } }",
                "variables": { "input": { "file": null, "dryRun": true } }
            });
            let mut body = Vec::new();
            for (name, value) in [
                ("operations", operations),
                ("map", json!({ "0": ["variables.input.file"] })),
            ] {
                body.extend_from_slice(
                    format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
                );
            }
            body.extend_from_slice(
                format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"0\"; filename=\"c.csv\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes(),
            );
            body.extend_from_slice(csv.as_bytes());
            body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
            (
                client
                    .post(&url)
                    .bearer_auth(token)
                    .header(
                        "content-type",
                        format!("multipart/form-data; boundary={BOUNDARY}"),
                    )
                    .header("x-csrf-protection", "1")
                    .body(body),
                csv,
            )
        }
    }
}

/// Sends `cases` hostile requests per target on 16 connections and reports
/// the statuses; any 5xx or `INTERNAL` is printed with its input.
async fn hostile(address: &str, token: &str, cases: usize) {
    use rand::SeedableRng;
    println!("\n| target | cases | statuses | 5xx or INTERNAL | seconds |");
    println!("| --- | --- | --- | --- | --- |");
    for target in [
        "documents",
        "bodies",
        "content types",
        "headers",
        "csv uploads",
    ] {
        let started = Instant::now();
        let tally = Arc::new(Mutex::new(Tally::default()));
        let tasks: Vec<_> = (0..16)
            .map(|worker| {
                let (tally, address, token) = (tally.clone(), address.to_owned(), token.to_owned());
                tokio::spawn(async move {
                    let client = reqwest::Client::new();
                    let mut rng = rand::rngs::StdRng::seed_from_u64(
                        worker as u64 * 1_000_003 + target.len() as u64,
                    );
                    for _ in (worker..cases).step_by(16) {
                        let (request, input) =
                            hostile_request(&client, &address, &token, target, &mut rng);
                        let (status, body) = match request.send().await {
                            Ok(response) => {
                                let status = response.status().as_u16();
                                (status, response.text().await.unwrap_or_default())
                            }
                            Err(err) => (0, err.to_string()),
                        };
                        let mut tally = tally.lock().unwrap();
                        *tally.by_status.entry(status).or_insert(0) += 1;
                        if status >= 500 || status == 0 || body.contains("\"INTERNAL\"") {
                            if tally.failures.len() < 5 {
                                tally
                                    .failures
                                    .push(format!("{status} for {input:?}: {body}"));
                            } else {
                                tally.failures.push(String::new());
                            }
                        }
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.expect("a worker");
        }
        let tally = tally.lock().unwrap();
        println!(
            "| {target} | {cases} | {} | {} | {:.0} |",
            tally
                .by_status
                .iter()
                .map(|(status, n)| format!("{status}: {n}"))
                .collect::<Vec<_>>()
                .join(", "),
            tally.failures.len(),
            started.elapsed().as_secs_f64()
        );
        for failure in tally.failures.iter().filter(|f| !f.is_empty()) {
            println!("  {failure}");
        }
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let scenario = args.first().map(String::as_str).unwrap_or("");
    if !matches!(
        scenario,
        "redis" | "postgres" | "sigterm" | "soak" | "hostile"
    ) {
        eprintln!("usage: faults <redis|postgres|sigterm|soak [minutes] [requests per second]|hostile [cases]>");
        std::process::exit(2);
    }
    let soak_minutes: f64 = args.get(1).and_then(|m| m.parse().ok()).unwrap_or(30.0);
    let soak_rate: f64 = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(300.0);

    let mut redis = RedisServer::start();
    let db = TestDb::create().await;
    let log = format!("target/faults-{scenario}.log");
    let server = Server::start(&db, &redis.url(), &log);
    let workspace = seed(&server.address).await;
    if scenario == "hostile" {
        let cases = args.get(1).and_then(|c| c.parse().ok()).unwrap_or(100_000);
        hostile(&server.address, &workspace.token, cases).await;
        return;
    }
    println!(
        "{scenario}: server {} (log {log}), {} customers, {CLIENTS} clients",
        server.address,
        workspace.customers.len()
    );
    let load = Arc::new(Load {
        address: server.address.clone(),
        token: workspace.token.clone(),
        customers: workspace.customers,
        started: Instant::now(),
        stop: AtomicBool::new(false),
        samples: Mutex::new(Vec::new()),
        acknowledged: Mutex::new(HashMap::new()),
        pace: if scenario == "soak" {
            soak_rate / CLIENTS as f64
        } else {
            0.0
        },
    });
    let clients: Vec<_> = (0..CLIENTS)
        .map(|i| tokio::spawn(client(load.clone(), i)))
        .collect();

    let mut readiness: Vec<(Duration, u16)> = Vec::new();
    let mut marks: Vec<(Duration, &str)> = Vec::new();
    let mut rss: Vec<(Duration, u64)> = Vec::new();
    let mut server = Some(server);
    let poll = |readiness: &mut Vec<(Duration, u16)>, status: u16| {
        readiness.push((load.started.elapsed(), status));
    };
    match scenario {
        "redis" | "postgres" => {
            let address = load.address.clone();
            let until = |secs: u64| load.started + Duration::from_secs(secs);
            let mut step = 0;
            while Instant::now() < until(30) {
                let now = load.started.elapsed().as_secs();
                if step == 0 && now >= 10 {
                    marks.push((load.started.elapsed(), "fault"));
                    if scenario == "redis" {
                        redis.stop();
                    } else {
                        services("pg-stop");
                    }
                    marks.push((load.started.elapsed(), "down"));
                    step = 1;
                }
                let back_at = if scenario == "redis" { 20 } else { 15 };
                if step == 1 && now >= back_at {
                    marks.push((load.started.elapsed(), "restore"));
                    if scenario == "redis" {
                        redis.restart();
                    } else {
                        services("pg-start");
                    }
                    marks.push((load.started.elapsed(), "back"));
                    step = 2;
                }
                poll(&mut readiness, ready(&address).await);
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
        "sigterm" => {
            tokio::time::sleep(Duration::from_secs(10)).await;
            marks.push((load.started.elapsed(), "SIGTERM"));
            let s = server.take().unwrap();
            s.signal("-TERM");
            // A load balancer polling `/readyz` (503 while draining) stops
            // sending this node requests within a second or so.
            tokio::time::sleep(Duration::from_secs(1)).await;
            poll(&mut readiness, ready(&load.address).await);
            load.stop.store(true, Ordering::SeqCst);
            marks.push((load.started.elapsed(), "balancer moved away"));
            let mut s = s;
            let exited = tokio::task::spawn_blocking(move || {
                let status = s.child.wait();
                (status, Instant::now())
            })
            .await
            .unwrap();
            marks.push((exited.1 - load.started, "exited"));
            println!(
                "server exit: {:?}; /readyz while draining: {:?}",
                exited.0, readiness
            );
        }
        _ => {
            let end = load.started + Duration::from_secs_f64(soak_minutes * 60.0);
            while Instant::now() < end {
                if let Some(s) = &server {
                    rss.push((load.started.elapsed(), s.rss_kib()));
                }
                tokio::time::sleep(Duration::from_secs(10)).await;
            }
        }
    }
    load.stop.store(true, Ordering::SeqCst);
    for c in clients {
        let _ = c.await;
    }

    let samples = std::mem::take(&mut *load.samples.lock().unwrap());
    let mark = |name: &str| marks.iter().find(|(_, m)| *m == name).map(|(at, _)| *at);
    println!(
        "\nmarks: {:?}",
        marks
            .iter()
            .map(|(at, m)| format!("{m} at {:.2}s", at.as_secs_f64()))
            .collect::<Vec<_>>()
    );
    println!("\n| window | requests | req/s | ok | 503 UNAVAILABLE | other | connection errors | ok p50 / p99 ms |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    let window = |from: Duration, to: Duration| -> Vec<&Sample> {
        samples
            .iter()
            .filter(|s| s.sent >= from && s.sent < to)
            .collect()
    };
    let end = samples.iter().map(|s| s.sent).max().unwrap_or_default() + Duration::from_millis(1);
    match scenario {
        "redis" | "postgres" => {
            let (down, back) = (mark("fault").unwrap(), mark("back").unwrap());
            report_window("before", &window(Duration::ZERO, down));
            report_window("fault", &window(down, back));
            report_window("after", &window(back, end));
            report_window("whole run", &window(Duration::ZERO, end));
            let first_ok_write = samples
                .iter()
                .filter(|s| s.write && s.sent >= back && s.outcome == Outcome::Ok)
                .map(|s| s.sent + s.latency - back)
                .min();
            println!("\nfirst acknowledged write after the service came back: {first_ok_write:?}");
            let unready: Vec<f64> = readiness
                .iter()
                .filter(|(_, status)| *status != 200)
                .map(|(at, _)| at.as_secs_f64())
                .collect();
            println!(
                "/readyz not 200 at {} of {} polls, from {:.1}s to {:.1}s",
                unready.len(),
                readiness.len(),
                unready.first().copied().unwrap_or(0.0),
                unready.last().copied().unwrap_or(0.0)
            );
            let (written, wrong) = stale_or_lost(&load).await;
            println!("customers written: {written}; read back stale or lost: {wrong}");
        }
        "sigterm" => {
            let term = mark("SIGTERM").unwrap();
            report_window("before SIGTERM", &window(Duration::ZERO, term));
            report_window("draining", &window(term, end));
            let in_flight: Vec<&Sample> = samples
                .iter()
                .filter(|s| s.sent < term && s.sent + s.latency >= term)
                .collect();
            let failed = in_flight
                .iter()
                .filter(|s| s.outcome != Outcome::Ok)
                .count();
            println!(
                "\nin flight at SIGTERM: {}, failed: {failed}",
                in_flight.len()
            );
        }
        _ => {
            println!();
            for minute in 0..(soak_minutes.ceil() as u64) {
                let from = Duration::from_secs(minute * 60);
                report_window(
                    &format!("minute {}", minute + 1),
                    &window(from, from + Duration::from_secs(60)),
                );
            }
            report_window("whole run", &window(Duration::ZERO, end));
            println!("\nresident memory (MiB) every 10 s:");
            println!(
                "{}",
                rss.iter()
                    .map(|(_, kib)| format!("{:.0}", *kib as f64 / 1024.0))
                    .collect::<Vec<_>>()
                    .join(" ")
            );
            let (written, wrong) = stale_or_lost(&load).await;
            println!("customers written: {written}; read back stale or lost: {wrong}");
        }
    }
    drop(server);
    redis.stop();
}
