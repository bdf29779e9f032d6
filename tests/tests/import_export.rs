//! Customer import (CSV through GraphQL multipart requests) and export
//! (`GET /export/customers.csv`), as a client would use them.

use std::time::Instant;

use crm_api::csv::Reader;
use crm_tests::{TestApp, TestTenant};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{json, Value};

const IMPORT: &str = "mutation($input: ImportCustomersInput!) { importCustomers(input: $input) {
    rowsRead created updated unchanged skipped committed errors { row field message } errorCount } }";
const LIST: &str = "{ customers(first: 100, orderBy: [{ field: NAME }]) { totalCount
    edges { node { id name kind email phone externalId region lifecycleStage tags version owner { email } } } } }";

const BOUNDARY: &str = "----crm-test-boundary-7d1f";

/// A GraphQL multipart request body: `operations`, `map`, one file `0`.
fn multipart_body(input: &Value, csv: &[u8]) -> Vec<u8> {
    let mut input = input.clone();
    input["file"] = Value::Null;
    let operations = json!({ "query": IMPORT, "variables": { "input": input } });
    let map = json!({ "0": ["variables.input.file"] });
    let mut body = Vec::new();
    for (name, value) in [("operations", operations), ("map", map)] {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"0\"; filename=\"customers.csv\"\r\nContent-Type: text/csv\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(csv);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// Sends an import as `token` with the preflight header; returns status and body.
async fn send_import(
    app: &TestApp,
    token: &str,
    csv: &str,
    input: Value,
    preflight: Option<(&str, &str)>,
) -> (u16, Value) {
    let mut request = app
        .client
        .post(app.graphql_url())
        .bearer_auth(token)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(multipart_body(&input, csv.as_bytes()));
    if let Some((name, value)) = preflight {
        request = request.header(name, value);
    }
    let response = request.send().await.expect("send import");
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON answer"))
}

/// Imports `csv` as `token`; returns the report.
async fn import_as(app: &TestApp, token: &str, csv: &str, input: Value) -> Value {
    let (status, body) =
        send_import(app, token, csv, input, Some(("x-csrf-protection", "1"))).await;
    assert_eq!(status, 200, "{body}");
    let report = body["data"]["importCustomers"].clone();
    assert!(report.is_object(), "importCustomers failed: {body}");
    report
}

async fn import(app: &TestApp, tenant: &TestTenant, csv: &str, input: Value) -> Value {
    import_as(app, &tenant.token, csv, input).await
}

async fn customers(app: &TestApp, tenant: &TestTenant) -> Vec<Value> {
    let body = app.gql_as(tenant, LIST, json!({})).await;
    body["data"]["customers"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("customers failed: {body}"))
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

/// Downloads the export as `token`; returns status and the parsed records.
async fn export(
    app: &TestApp,
    token: Option<&str>,
    params: &[(&str, String)],
) -> (u16, reqwest::header::HeaderMap, String) {
    let mut request = app
        .client
        .get(format!("{}/export/customers.csv", app.address))
        .query(params);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("send export");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().await.expect("export body"))
}

fn records(csv: &str) -> Vec<Vec<String>> {
    Reader::new(csv)
        .collect::<Result<Vec<_>, _>>()
        .expect("the export is valid CSV")
}

/// The export's rows as header → value maps.
fn rows(csv: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut records = records(csv).into_iter();
    let header = records.next().expect("a header row");
    records
        .map(|r| header.iter().cloned().zip(r).collect())
        .collect()
}

#[tokio::test]
async fn import_creates_then_upserts_by_external_id_with_history() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up(&crm_tests::unique_slug("imp")).await;
    let csv = "externalId,name,kind,email,region,lifecycleStage,tags,ownerEmail\r\n\
               A-1,Alpha GmbH,company,info@alpha.example,EMEA,customer,vip; b2b,OWNER@acme.example\r\n\
               A-2,Bravo Ltd,,,APAC,,,\r\n\
               A-3,Carla Diaz,PERSON,carla@example.com,,PROSPECT,,\r\n"
        .replace("OWNER@acme.example", &acme.email.to_uppercase());
    let report = import(&app, &acme, &csv, json!({})).await;
    assert_eq!(
        report,
        json!({ "rowsRead": 3, "created": 3, "updated": 0, "unchanged": 0, "skipped": 0,
                "committed": true, "errors": [], "errorCount": 0 })
    );
    let list = customers(&app, &acme).await;
    let alpha = &list[0];
    assert_eq!(alpha["name"], "Alpha GmbH");
    assert_eq!(alpha["kind"], "COMPANY");
    assert_eq!(alpha["lifecycleStage"], "CUSTOMER");
    assert_eq!(alpha["tags"], json!(["vip", "b2b"]));
    assert_eq!(alpha["owner"]["email"], acme.email.as_str());
    assert_eq!(list[1]["name"], "Bravo Ltd");
    assert_eq!(list[1]["lifecycleStage"], "LEAD", "blank stage means LEAD");
    assert_eq!(list[2]["kind"], "PERSON");

    // Again: one renamed, one as it was (blank cells leave fields alone), one new.
    let again = "externalId,name,region\nA-1,Alpha AG,\nA-2,Bravo Ltd,APAC\nA-4,Delta Inc,US\n";
    let report = import(&app, &acme, again, json!({ "matchBy": "EXTERNAL_ID" })).await;
    assert_eq!(
        (&report["created"], &report["updated"], &report["unchanged"]),
        (&json!(1), &json!(1), &json!(1)),
        "{report}"
    );
    let list = customers(&app, &acme).await;
    assert_eq!(list.len(), 4);
    let alpha = list.iter().find(|c| c["externalId"] == "A-1").unwrap();
    assert_eq!(alpha["name"], "Alpha AG");
    assert_eq!(alpha["region"], "EMEA", "a blank cell keeps the value");
    assert_eq!(alpha["version"], 2);
    let bravo = list.iter().find(|c| c["externalId"] == "A-2").unwrap();
    assert_eq!(bravo["version"], 1, "an unchanged row is not written");

    // The update went through the domain: field history records it.
    let history = app
        .gql_as(
            &acme,
            "query($id: ID!) { customerHistory(customerId: $id, field: \"name\") {
                edges { node { action oldValue newValue } } } }",
            json!({ "id": alpha["id"] }),
        )
        .await;
    let edges = history["data"]["customerHistory"]["edges"]
        .as_array()
        .unwrap();
    assert_eq!(edges[0]["node"]["action"], "UPDATE", "{history}");
    assert_eq!(edges[0]["node"]["oldValue"], "Alpha GmbH");
    assert_eq!(edges[0]["node"]["newValue"], "Alpha AG");
    // So does the creation, as a single write's would be.
    assert_eq!(edges.len(), 2, "{history}");
    assert_eq!(
        edges[1]["node"],
        json!({ "action": "CREATE", "oldValue": null, "newValue": "Alpha GmbH" })
    );
}

#[tokio::test]
async fn upsert_by_email_and_a_custom_mapping() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up(&crm_tests::unique_slug("imp")).await;
    app.create_customer(
        &acme,
        json!({ "kind": "PERSON", "name": "Ann", "email": "Ann@Example.com" }),
    )
    .await;
    let csv =
        "Full name,Mail,Phone no.\nAnn Lee,ann@example.com,+1 555 0100\nBen,ben@example.com,\n";
    let mapping = json!([
        { "column": "Full name", "field": "NAME" },
        { "column": "mail", "field": "EMAIL" },
        { "column": "Phone no.", "field": "PHONE" },
    ]);
    let report = import(
        &app,
        &acme,
        csv,
        json!({ "mapping": mapping, "matchBy": "EMAIL" }),
    )
    .await;
    assert_eq!(
        (&report["created"], &report["updated"]),
        (&json!(1), &json!(1)),
        "{report}"
    );
    let list = customers(&app, &acme).await;
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["name"], "Ann Lee");
    assert_eq!(
        list[0]["email"], "ann@example.com",
        "matched ignoring case; the file's value is written"
    );
    assert_eq!(list[0]["phone"], "+1 555 0100");

    // A mapping that names a missing column is refused as a whole.
    let (_, body) = send_import(
        &app,
        &acme.token,
        csv,
        json!({ "mapping": [{ "column": "Website", "field": "WEBSITE" }] }),
        Some(("apollo-require-preflight", "true")),
    )
    .await;
    assert_eq!(crm_tests::error_code(&body), Some("VALIDATION"), "{body}");
    assert_eq!(crm_tests::error_field(&body), Some("mapping"));
}

const BAD_FILE: &str = "externalId,name,email,lifecycleStage\n\
    G-1,Good One,good@example.com,LEAD\n\
    B-1,Bad Email,not-an-email,LEAD\n\
    B-2,,nobody@example.com,\n\
    G-2,Good Two,,customer\n\
    B-3,Bad Stage,,someday\n\
    B-4,Too,many,values,here\n";

fn assert_bad_rows(report: &Value) {
    let errors = report["errors"].as_array().expect("errors");
    let got: Vec<(i64, Option<&str>)> = errors
        .iter()
        .map(|e| (e["row"].as_i64().unwrap(), e["field"].as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (2, Some("email")),
            (3, Some("name")),
            (5, Some("lifecycleStage")),
            (6, None)
        ],
        "{report}"
    );
    assert!(errors[0]["message"]
        .as_str()
        .unwrap()
        .contains("not-an-email"));
    assert!(errors[3]["message"].as_str().unwrap().contains("5 values"));
}

#[tokio::test]
async fn all_or_nothing_writes_nothing_when_a_row_is_bad() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up(&crm_tests::unique_slug("imp")).await;
    let report = import(&app, &acme, BAD_FILE, json!({ "mode": "ALL_OR_NOTHING" })).await;
    assert_bad_rows(&report);
    assert_eq!(report["rowsRead"], 6);
    assert_eq!(report["created"], 0);
    assert_eq!(report["skipped"], 6);
    assert_eq!(report["committed"], false);
    assert!(customers(&app, &acme).await.is_empty());
}

#[tokio::test]
async fn skip_invalid_writes_the_good_rows() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up(&crm_tests::unique_slug("imp")).await;
    // A customer holding an external id the file tries to give another row.
    app.create_customer(
        &acme,
        json!({ "kind": "COMPANY", "name": "Taken", "externalId": "T-1" }),
    )
    .await;
    let file = format!("{BAD_FILE}T-1,Duplicate,,\n");
    let report = import(
        &app,
        &acme,
        &file,
        json!({ "mode": "SKIP_INVALID", "matchBy": "NONE" }),
    )
    .await;
    assert_eq!(report["created"], 2, "{report}");
    assert_eq!(report["skipped"], 5);
    assert_eq!(report["committed"], true);
    let last = &report["errors"][4];
    assert_eq!(last["row"], 7, "{report}");
    assert_eq!(last["field"], "externalId");
    let names: Vec<String> = customers(&app, &acme)
        .await
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, vec!["Good One", "Good Two", "Taken"]);
}

#[tokio::test]
async fn dry_run_reports_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up(&crm_tests::unique_slug("imp")).await;
    let existing = app
        .create_customer(
            &acme,
            json!({ "kind": "COMPANY", "name": "Old", "externalId": "D-1" }),
        )
        .await;
    let csv = "externalId,name\nD-1,New name\nD-2,Fresh\n";
    let report = import(
        &app,
        &acme,
        csv,
        json!({ "dryRun": true, "mode": "SKIP_INVALID" }),
    )
    .await;
    assert_eq!(
        (&report["created"], &report["updated"], &report["committed"]),
        (&json!(1), &json!(1), &json!(false)),
        "{report}"
    );
    let list = customers(&app, &acme).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["name"], "Old");
    assert_eq!(list[0]["version"], existing["version"]);
    // Nothing reached the history either.
    let history = app
        .gql_as(
            &acme,
            "query($id: ID!) { customerHistory(customerId: $id) { edges { node { action } } } }",
            json!({ "id": existing["id"] }),
        )
        .await;
    let actions: Vec<&Value> = history["data"]["customerHistory"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{history}"))
        .iter()
        .map(|e| &e["node"]["action"])
        .collect();
    assert!(actions.iter().all(|a| *a == "CREATE"), "{history}");
}

#[tokio::test]
async fn multipart_needs_a_preflight_header() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up(&crm_tests::unique_slug("imp")).await;
    let csv = "name\nSneaky Corp\n";
    let (status, body) = send_import(&app, &acme.token, csv, json!({}), None).await;
    assert_eq!(status, 400, "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("x-csrf-protection"), "{message}");
    let (status, _) = send_import(
        &app,
        &acme.token,
        csv,
        json!({}),
        Some(("x-csrf-protection", "0")),
    )
    .await;
    assert_eq!(status, 400);
    assert!(customers(&app, &acme).await.is_empty());
    // The preflight lets browsers send the header.
    let preflight = app
        .client
        .request(reqwest::Method::OPTIONS, app.graphql_url())
        .send()
        .await
        .unwrap();
    let allowed = preflight.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(allowed.contains("x-csrf-protection"), "{allowed}");
    // An anonymous upload gets no further than authorisation.
    let (status, body) =
        send_import(&app, "", csv, json!({}), Some(("x-csrf-protection", "1"))).await;
    assert!(
        status == 401 || crm_tests::error_code(&body) == Some("UNAUTHENTICATED"),
        "{body}"
    );
}

#[tokio::test]
async fn uploads_over_the_limit_are_413() {
    let app = TestApp::spawn_with(|c| c.max_upload_bytes = 4096).await;
    let acme = app.sign_up(&crm_tests::unique_slug("imp")).await;
    let csv = format!("name\n{}", "Some Company\n".repeat(1000));
    let (status, _) = send_import(
        &app,
        &acme.token,
        &csv,
        json!({}),
        Some(("x-csrf-protection", "1")),
    )
    .await;
    assert_eq!(status, 413);
    assert!(customers(&app, &acme).await.is_empty());
}

#[tokio::test]
async fn another_workspace_is_untouched() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up(&crm_tests::unique_slug("imp")).await;
    let globex = app.sign_up(&crm_tests::unique_slug("imp")).await;
    app.create_customer(
        &globex,
        json!({ "kind": "COMPANY", "name": "Globex's own", "externalId": "X-1", "email": "x@globex.example" }),
    )
    .await;
    let report = import(&app, &acme, "externalId,name\nX-1,Acme's X\n", json!({})).await;
    assert_eq!(
        (&report["created"], &report["updated"]),
        (&json!(1), &json!(0))
    );
    let report = import(
        &app,
        &acme,
        "email,name\nx@globex.example,Renamed\n",
        json!({ "matchBy": "EMAIL" }),
    )
    .await;
    assert_eq!(
        (&report["created"], &report["updated"]),
        (&json!(1), &json!(0))
    );
    let theirs = customers(&app, &globex).await;
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0]["name"], "Globex's own");
    assert_eq!(theirs[0]["version"], 1);
    // Nor does their export show Acme's rows.
    let (_, _, csv) = export(&app, Some(&globex.token), &[]).await;
    assert_eq!(rows(&csv).len(), 1);
}

#[tokio::test]
async fn export_round_trips_awkward_text_and_honours_filters() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up(&crm_tests::unique_slug("imp")).await;
    let mut csv = String::from("\u{feff}externalId,name,email,region,tags,ownerEmail\r\n");
    csv.push_str("Q-1,\"Acme, Inc.\",a@acme.example,\"He said \"\"hi\"\"\",a;b,");
    csv.push_str(&acme.email);
    csv.push_str("\r\n");
    csv.push_str("Q-2,\"Two\nLines\",,EMEA,,\r\n");
    csv.push_str("Q-3,北京科技有限公司,li@例子.example,华北,重点客户;制造业,\r\n");
    let report = import(&app, &acme, &csv, json!({})).await;
    assert_eq!(report["created"], 3, "{report}");

    let (status, headers, body) = export(&app, Some(&acme.token), &[]).await;
    assert_eq!(status, 200, "{body}");
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(headers["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    let exported = rows(&body);
    assert_eq!(exported.len(), 3);
    let by_id = |id: &str| exported.iter().find(|r| r["externalId"] == id).unwrap();
    assert_eq!(by_id("Q-1")["name"], "Acme, Inc.");
    assert_eq!(by_id("Q-1")["region"], "He said \"hi\"");
    assert_eq!(by_id("Q-1")["ownerEmail"], acme.email);
    assert_eq!(by_id("Q-2")["name"], "Two\nLines");
    assert_eq!(by_id("Q-3")["name"], "北京科技有限公司");
    assert_eq!(by_id("Q-3")["region"], "华北");
    assert_eq!(by_id("Q-3")["tags"], "重点客户; 制造业");

    // The export imports back as is into another workspace.
    let globex = app.sign_up(&crm_tests::unique_slug("imp")).await;
    let report = import(&app, &globex, &body, json!({ "mode": "SKIP_INVALID" })).await;
    // Acme's owner is not a member of Globex: that one row is refused.
    assert_eq!(report["created"], 2, "{report}");
    assert_eq!(report["errors"][0]["field"], "ownerEmail");
    let (_, _, again) = export(&app, Some(&globex.token), &[]).await;
    let again = rows(&again);
    for row in &again {
        let original = by_id(&row["externalId"]);
        for field in ["name", "email", "region", "tags", "kind", "lifecycleStage"] {
            assert_eq!(row[field], original[field], "{field}");
        }
    }
    // Re-importing one's own export changes nothing.
    let report = import(&app, &acme, &body, json!({})).await;
    assert_eq!(report["unchanged"], 3, "{report}");

    // A filter and an order.
    let filter = json!({ "region": { "eq": "华北" } }).to_string();
    let (status, _, body) = export(&app, Some(&acme.token), &[("filter", filter)]).await;
    assert_eq!(status, 200);
    let filtered = rows(&body);
    assert_eq!(filtered.len(), 1);
    assert_eq!(filtered[0]["externalId"], "Q-3");
    let order = json!([{ "field": "NAME", "direction": "DESC" }]).to_string();
    let (_, _, body) = export(&app, Some(&acme.token), &[("orderBy", order)]).await;
    let names: Vec<String> = rows(&body).iter().map(|r| r["name"].clone()).collect();
    assert_eq!(names, vec!["北京科技有限公司", "Two\nLines", "Acme, Inc."]);

    // A bad filter is a 400 naming the problem; no token is a 401.
    let (status, _, body) = export(
        &app,
        Some(&acme.token),
        &[("filter", json!({ "region": { "bogus": 1 } }).to_string())],
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("filter.region.bogus"), "{body}");
    let (status, _, body) = export(
        &app,
        Some(&acme.token),
        &[(
            "filter",
            json!({ "lifecycleStage": { "eq": "NOPE" } }).to_string(),
        )],
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let (status, _, _) = export(&app, None, &[]).await;
    assert_eq!(status, 401);
}

/// Invites `email` with `role` and returns their access token.
async fn member(app: &TestApp, owner: &TestTenant, email: &str, role: &str) -> String {
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
            "SELECT body FROM outbound_messages WHERE recipient = $1 ORDER BY created_at DESC LIMIT 1",
            [email.into()],
        ))
        .await
        .unwrap()
        .unwrap();
    let body: String = row.try_get("", "body").unwrap();
    let start = body.find("crm_inv_").unwrap();
    let token = body[start..].split(char::is_whitespace).next().unwrap();
    let accepted = app
        .gql(
            "mutation($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { accessToken } }",
            json!({ "input": { "token": token, "password": "a member's long passphrase" } }),
        )
        .await;
    accepted["data"]["acceptInvitation"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("accept failed: {accepted}"))
        .to_owned()
}

#[tokio::test]
async fn export_shows_only_what_the_caller_may_see() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up(&crm_tests::unique_slug("imp")).await;
    let rep_email = format!("rep@{}.example.com", acme.slug);
    let rep = member(&app, &acme, &rep_email, "SALES").await;
    let csv = format!(
        "name,ownerEmail\nRep's,{rep_email}\nOwner's,{}\nNobody's,\n",
        acme.email
    );
    let report = import(&app, &acme, &csv, json!({})).await;
    assert_eq!(report["created"], 3, "{report}");
    let body = app
        .gql_as(
            &acme,
            "mutation { updateTenantSettings(input: { customerVisibility: OWN }) { customerVisibility } }",
            json!({}),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let (status, _, body) = export(&app, Some(&rep), &[]).await;
    assert_eq!(status, 200, "{body}");
    let names: Vec<String> = rows(&body).iter().map(|r| r["name"].clone()).collect();
    assert_eq!(names, vec!["Rep's"]);
    let (_, _, body) = export(&app, Some(&acme.token), &[]).await;
    assert_eq!(rows(&body).len(), 3);

    // A viewer may export but not import.
    let viewer = member(
        &app,
        &acme,
        &format!("viewer@{}.example.com", acme.slug),
        "VIEWER",
    )
    .await;
    let (status, _, _) = export(&app, Some(&viewer), &[]).await;
    assert_eq!(status, 200);
    let (_, body) = send_import(
        &app,
        &viewer,
        "name\nX\n",
        json!({}),
        Some(("x-csrf-protection", "1")),
    )
    .await;
    assert_eq!(crm_tests::error_code(&body), Some("FORBIDDEN"), "{body}");
}

#[tokio::test]
async fn ten_thousand_rows_import_and_export() {
    let mut app = TestApp::spawn().await;
    // A debug build on a busy machine takes several seconds per import:
    // allow longer than the harness's 60 s.
    app.client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(300))
        .build()
        .unwrap();
    let acme = app.sign_up(&crm_tests::unique_slug("imp")).await;
    let mut csv = String::from("externalId,name,email,region,tags\n");
    for i in 0..10_000 {
        csv.push_str(&format!(
            "BULK-{i:05},\"Company {i}, Ltd\",c{i}@bulk.example,R{},a;b\n",
            i % 7
        ));
    }
    let started = Instant::now();
    let report = import(&app, &acme, &csv, json!({})).await;
    let import_time = started.elapsed();
    assert_eq!(report["rowsRead"], 10_000, "{report}");
    assert_eq!(report["created"], 10_000);
    assert_eq!(report["committed"], true);
    let started = Instant::now();
    let (status, _, body) = export(&app, Some(&acme.token), &[]).await;
    let export_time = started.elapsed();
    assert_eq!(status, 200);
    let exported = rows(&body);
    assert_eq!(exported.len(), 10_000);
    let mut ids: Vec<&str> = exported.iter().map(|r| r["externalId"].as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(
        ids.len(),
        10_000,
        "every customer exactly once across batches"
    );
    // Upserting all of them again: nothing changes.
    let started = Instant::now();
    let report = import(&app, &acme, &csv, json!({})).await;
    let reimport_time = started.elapsed();
    assert_eq!(report["unchanged"], 10_000, "{report}");
    println!(
        "10,000 rows: import {:.2?}, export {:.2?}, unchanged re-import {:.2?}",
        import_time, export_time, reimport_time
    );
}

#[tokio::test]
async fn later_rows_build_on_earlier_rows_of_the_same_file() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up(&crm_tests::unique_slug("imp")).await;
    // K-1 is created and then renamed; K-2 gives up its external id, which
    // a later row then takes for a new customer.
    let csv = "externalId,name,region\n\
               K-1,Kilo,EMEA\n\
               K-2,Lima,\n\
               K-1,Kilo Renamed,\n";
    let report = import(&app, &acme, csv, json!({})).await;
    assert_eq!(
        (&report["created"], &report["updated"], &report["errors"]),
        (&json!(2), &json!(1), &json!([])),
        "{report}"
    );
    let list = customers(&app, &acme).await;
    assert_eq!(list.len(), 2);
    let kilo = list.iter().find(|c| c["externalId"] == "K-1").unwrap();
    assert_eq!(kilo["name"], "Kilo Renamed");
    assert_eq!(kilo["region"], "EMEA");
    assert_eq!(kilo["version"], 2);
    let history = app
        .gql_as(
            &acme,
            "query($id: ID!) { customerHistory(customerId: $id, field: \"name\") {
                edges { node { action oldValue newValue } } } }",
            json!({ "id": kilo["id"] }),
        )
        .await;
    let changes: Vec<(Value, Value, Value)> = history["data"]["customerHistory"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{history}"))
        .iter()
        .map(|e| {
            let n = &e["node"];
            (
                n["action"].clone(),
                n["oldValue"].clone(),
                n["newValue"].clone(),
            )
        })
        .collect();
    assert_eq!(
        changes,
        vec![
            (json!("UPDATE"), json!("Kilo"), json!("Kilo Renamed")),
            (json!("CREATE"), Value::Null, json!("Kilo")),
        ]
    );

    // Matched by name-less email: one row frees an external id, a later one takes it.
    let csv = "email,externalId,name\n\
               m@acme.example,M-1,Mike\n\
               m@acme.example,M-2,\n\
               n@acme.example,M-1,November\n";
    let report = import(&app, &acme, csv, json!({ "matchBy": "EMAIL" })).await;
    assert_eq!(
        (&report["created"], &report["updated"], &report["errors"]),
        (&json!(2), &json!(1), &json!([])),
        "{report}"
    );
    let list = customers(&app, &acme).await;
    let ext = |name: &str| {
        list.iter()
            .find(|c| c["name"] == name)
            .map(|c| c["externalId"].clone())
    };
    assert_eq!(ext("Mike"), Some(json!("M-2")));
    assert_eq!(ext("November"), Some(json!("M-1")));
}

async fn search_names(app: &TestApp, tenant: &TestTenant, q: &str) -> Vec<String> {
    let body = app
        .gql_as(
            tenant,
            "query($q: String!) { searchCustomers(query: $q, first: 5) { name } }",
            json!({ "q": q }),
        )
        .await;
    body["data"]["searchCustomers"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn view(app: &TestApp, tenant: &TestTenant, id: &Value) -> Value {
    app.gql_as(
        tenant,
        "query($id: ID!) { customer(id: $id) { name version } }",
        json!({ "id": id }),
    )
    .await["data"]["customer"]
        .clone()
}

#[tokio::test]
async fn imported_changes_reach_the_cached_view_and_search() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up(&crm_tests::unique_slug("imp")).await;
    let report = import(
        &app,
        &acme,
        "externalId,name,email\nV-1,Victor Trading,victor@trading.example\n",
        json!({}),
    )
    .await;
    assert_eq!(report["created"], 1, "{report}");
    assert_eq!(
        search_names(&app, &acme, "victor@trading.example").await,
        ["Victor Trading"]
    );
    let id = customers(&app, &acme).await[0]["id"].clone();
    // Read twice: the second read is served from the cache.
    assert_eq!(view(&app, &acme, &id).await["name"], "Victor Trading");
    assert_eq!(view(&app, &acme, &id).await["name"], "Victor Trading");
    let report = import(
        &app,
        &acme,
        "externalId,name\nV-1,Whiskey Holdings\n",
        json!({}),
    )
    .await;
    assert_eq!(report["updated"], 1, "{report}");
    let after = view(&app, &acme, &id).await;
    assert_eq!(
        (&after["name"], &after["version"]),
        (&json!("Whiskey Holdings"), &json!(2))
    );
    assert_eq!(
        search_names(&app, &acme, "Whiskey Holdings").await,
        ["Whiskey Holdings"]
    );
    assert!(search_names(&app, &acme, "Victor Trading").await.is_empty());
}

#[tokio::test]
async fn rows_follow_the_workspace_custom_field_rules() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up(&crm_tests::unique_slug("imp")).await;
    let body = app
        .gql_as(
            &acme,
            "mutation { defineCustomField(input: { object: CUSTOMER, key: \"segment\", label: \"Segment\", type: TEXT, required: true }) { id } }",
            json!({}),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    // As for createCustomer: a new customer without the required field is refused.
    let report = import(
        &app,
        &acme,
        "name\nOscar\n",
        json!({ "mode": "SKIP_INVALID" }),
    )
    .await;
    assert_eq!(report["created"], 0, "{report}");
    assert_eq!(report["errors"][0]["row"], 1);
    assert_eq!(report["errors"][0]["field"], "customFields.segment");
    let single = app
        .gql_as(
            &acme,
            "mutation { createCustomer(input: { kind: COMPANY, name: \"Oscar\" }) { customer { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        crm_tests::error_field(&single),
        Some("customFields.segment")
    );
}

const DETAILS: &str = "query($id: ID!) { customer(id: $id) { version email phone
    emails { value label primary } phones { value label primary }
    address { streetLines city stateProvince postalCode country }
    acquisitionSource acquisitionChannel teamId } }";

/// Creates a team named `name`; returns its id.
async fn create_team(app: &TestApp, tenant: &TestTenant, name: &str) -> String {
    create_team_in(app, tenant, name, None).await
}

/// Creates a team inside `parent` (or at the top); returns its id.
async fn create_team_in(
    app: &TestApp,
    tenant: &TestTenant,
    name: &str,
    parent: Option<&str>,
) -> String {
    let body = app
        .gql_as(
            tenant,
            "mutation($input: CreateTeamInput!) { createTeam(input: $input) { id } }",
            json!({ "input": { "name": name, "parentId": parent } }),
        )
        .await;
    body["data"]["createTeam"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("createTeam failed: {body}"))
        .to_owned()
}

/// A customer's emails, phones, address, acquisition and team.
async fn details(app: &TestApp, tenant: &TestTenant, id: &Value) -> Value {
    let body = app.gql_as(tenant, DETAILS, json!({ "id": id })).await;
    let customer = body["data"]["customer"].clone();
    assert!(customer.is_object(), "customer failed: {body}");
    customer
}

/// The id of the customer with `external_id`.
async fn id_of(app: &TestApp, tenant: &TestTenant, external_id: &str) -> Value {
    customers(app, tenant)
        .await
        .into_iter()
        .find(|c| c["externalId"] == external_id)
        .unwrap_or_else(|| panic!("no customer {external_id}"))["id"]
        .clone()
}

/// The fields of a customer's latest change set, sorted.
async fn last_change_fields(app: &TestApp, tenant: &TestTenant, id: &Value) -> Vec<String> {
    let body = app
        .gql_as(
            tenant,
            "query($id: ID!) { customerHistory(customerId: $id, first: 50) {
                edges { node { changeSetId action field } } } }",
            json!({ "id": id }),
        )
        .await;
    let edges = body["data"]["customerHistory"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("customerHistory failed: {body}"));
    let last = &edges[0]["node"];
    assert_eq!(last["action"], "UPDATE", "{body}");
    let mut fields: Vec<String> = edges
        .iter()
        .map(|e| &e["node"])
        .filter(|n| n["changeSetId"] == last["changeSetId"])
        .map(|n| n["field"].as_str().unwrap().to_owned())
        .collect();
    fields.sort();
    fields
}

fn point(value: &str, label: &str, primary: bool) -> Value {
    json!({ "value": value, "label": label, "primary": primary })
}

#[tokio::test]
async fn import_fills_emails_phones_address_acquisition_and_team() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up(&crm_tests::unique_slug("imp")).await;
    let sales = create_team(&app, &acme, "Sales EMEA").await;
    let csv = "externalId,name,email,otherEmails,phone,otherPhones,street,city,stateProvince,postalCode,country,acquisitionSource,acquisitionChannel,team\r\n\
        D-1,Delta GmbH,info@delta.example,sales@delta.example; billing@delta.example,+49 30 1234,+49 30 9999,\"Hauptstr. 1\nHinterhaus\",Berlin,Berlin,10115,de,Trade fair,paid search,sales emea\r\n\
        D-2,Echo Ltd,,extra@echo.example,,,Unit 4; 12 High St,London,,EC1A 1BB,GB,,REFERRAL,\r\n";
    let report = import(&app, &acme, csv, json!({})).await;
    assert_eq!(
        (&report["created"], &report["errors"]),
        (&json!(2), &json!([])),
        "{report}"
    );
    let delta_id = id_of(&app, &acme, "D-1").await;
    let delta = details(&app, &acme, &delta_id).await;
    assert_eq!(
        delta["emails"],
        json!([
            point("info@delta.example", "WORK", true),
            point("sales@delta.example", "WORK", false),
            point("billing@delta.example", "WORK", false),
        ])
    );
    assert_eq!(
        delta["phones"],
        json!([
            point("+49 30 1234", "WORK", true),
            point("+49 30 9999", "WORK", false)
        ])
    );
    assert_eq!(
        delta["address"],
        json!({ "streetLines": ["Hauptstr. 1", "Hinterhaus"], "city": "Berlin",
                "stateProvince": "Berlin", "postalCode": "10115", "country": "DE" })
    );
    assert_eq!(delta["acquisitionSource"], "Trade fair");
    assert_eq!(delta["acquisitionChannel"], "PAID_SEARCH");
    assert_eq!(delta["teamId"], sales.as_str());
    // Without a primary email, the first other one is primary.
    let echo = details(&app, &acme, &id_of(&app, &acme, "D-2").await).await;
    assert_eq!(echo["email"], "extra@echo.example");
    assert_eq!(
        echo["emails"],
        json!([point("extra@echo.example", "WORK", true)])
    );
    assert_eq!(
        echo["address"]["streetLines"],
        json!(["Unit 4", "12 High St"])
    );
    assert_eq!(echo["acquisitionChannel"], "REFERRAL");
    assert_eq!(echo["teamId"], Value::Null);

    // Only the city and the other phones change; the rest is kept.
    let change = "externalId,city,otherPhones\nD-1,Potsdam,+49 331 5555\n";
    let report = import(&app, &acme, change, json!({})).await;
    assert_eq!(
        (&report["updated"], &report["unchanged"], &report["errors"]),
        (&json!(1), &json!(0), &json!([])),
        "{report}"
    );
    let after = details(&app, &acme, &delta_id).await;
    assert_eq!(after["version"], 2);
    assert_eq!(
        after["address"],
        json!({ "streetLines": ["Hauptstr. 1", "Hinterhaus"], "city": "Potsdam",
                "stateProvince": "Berlin", "postalCode": "10115", "country": "DE" })
    );
    assert_eq!(
        after["phones"],
        json!([
            point("+49 30 1234", "WORK", true),
            point("+49 331 5555", "WORK", false)
        ])
    );
    for unchanged in [
        "emails",
        "acquisitionSource",
        "acquisitionChannel",
        "teamId",
    ] {
        assert_eq!(after[unchanged], delta[unchanged], "{unchanged}");
    }
    assert_eq!(
        last_change_fields(&app, &acme, &delta_id).await,
        ["address", "phones"]
    );
    // The same file again changes nothing.
    let report = import(&app, &acme, change, json!({})).await;
    assert_eq!(report["unchanged"], 1, "{report}");
}

#[tokio::test]
async fn bad_detail_cells_are_reported_per_row_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up(&crm_tests::unique_slug("imp")).await;
    create_team(&app, &acme, "Sales").await;
    let csv = "externalId,name,otherEmails,street,country,acquisitionChannel,team\n\
        OK-1,Good,ok@x.example,1 Main St,cn,direct,SALES\n\
        B-1,Bad Country,,,Germany,,\n\
        B-2,Bad Channel,,,,carrier pigeon,\n\
        B-3,Bad Team,,,,,Marketing\n\
        B-4,Long Street,,1;2;3;4;5,,,\n\
        B-5,Bad Other Email,ok@x.example; not-an-email,,,,\n";
    let report = import(
        &app,
        &acme,
        csv,
        json!({ "dryRun": true, "mode": "SKIP_INVALID" }),
    )
    .await;
    let errors: Vec<(i64, &str)> = report["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("{report}"))
        .iter()
        .map(|e| (e["row"].as_i64().unwrap(), e["field"].as_str().unwrap()))
        .collect();
    assert_eq!(
        errors,
        vec![
            (2, "country"),
            (3, "acquisitionChannel"),
            (4, "team"),
            (5, "street"),
            (6, "otherEmails")
        ],
        "{report}"
    );
    let message = |i: usize| report["errors"][i]["message"].as_str().unwrap();
    assert!(message(1).contains("PAID_SEARCH"), "{}", message(1));
    assert!(message(2).contains("Marketing"), "{}", message(2));
    assert!(message(4).contains("not-an-email"), "{}", message(4));
    assert_eq!(
        (&report["created"], &report["committed"]),
        (&json!(1), &json!(false)),
        "{report}"
    );
    assert!(customers(&app, &acme).await.is_empty());
}

#[tokio::test]
async fn rows_match_by_phone_or_by_email_then_phone() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up(&crm_tests::unique_slug("imp")).await;
    let ann = app
        .create_customer(
            &acme,
            json!({ "kind": "PERSON", "name": "Ann", "email": "ann@x.example",
                    "phones": [{ "value": "+1 555 0100" }, { "value": "+1 555 0101", "label": "MOBILE" }] }),
        )
        .await;
    let ben = app
        .create_customer(
            &acme,
            json!({ "kind": "PERSON", "name": "Ben", "phone": "+44 20 7946 0000",
                    "emails": [{ "value": "ben@x.example" }, { "value": "ben.home@x.example", "label": "HOME" }] }),
        )
        .await;
    for name in ["Twin A", "Twin B"] {
        app.create_customer(
            &acme,
            json!({ "kind": "COMPANY", "name": name, "phone": "+1 555 0199" }),
        )
        .await;
    }

    // By phone: any of a customer's phones, however written.
    let csv = "phone,name,region\n\
               1-555-0101,,EMEA\n\
               +1 (555) 0199,Twin,\n\
               +1 555 0142,Newco,APAC\n";
    let report = import(
        &app,
        &acme,
        csv,
        json!({ "matchBy": "PHONE", "mode": "SKIP_INVALID" }),
    )
    .await;
    assert_eq!(
        (&report["created"], &report["updated"]),
        (&json!(1), &json!(1)),
        "{report}"
    );
    assert_eq!(report["errors"][0]["row"], 2, "{report}");
    assert_eq!(report["errors"][0]["field"], "phone");
    assert!(report["errors"][0]["message"]
        .as_str()
        .unwrap()
        .starts_with("2 customers"));
    let ann_now = details(&app, &acme, &ann["id"]).await;
    assert_eq!(
        ann_now["phone"], "+1 555 0100",
        "a phone the customer has among its others names it; the primary stays"
    );
    let list = customers(&app, &acme).await;
    let region = |name: &str| {
        list.iter()
            .find(|c| c["name"] == name)
            .map(|c| c["region"].clone())
    };
    assert_eq!(region("Ann"), Some(json!("EMEA")));
    assert_eq!(region("Newco"), Some(json!("APAC")));

    // Email first, else phone; Ben is found by his other email.
    let csv = "email,phone,industry\n\
               ben.home@x.example,,Retail\n\
               nobody@x.example,+1 555 0100,Banking\n\
               ben@x.example,+1 555 0101,Mining\n\
               someone@x.example,+1 555 0199,Shipping\n";
    let report = import(
        &app,
        &acme,
        csv,
        json!({ "matchBy": "EMAIL_OR_PHONE", "mode": "SKIP_INVALID" }),
    )
    .await;
    assert_eq!(
        (&report["created"], &report["updated"]),
        (&json!(0), &json!(2)),
        "{report}"
    );
    let errors: Vec<(&Value, &Value)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (&e["row"], &e["field"]))
        .collect();
    assert_eq!(
        errors,
        vec![(&json!(3), &json!("email")), (&json!(4), &json!("phone"))],
        "two different customers, then an ambiguous phone: {report}"
    );
    let ben_now = details(&app, &acme, &ben["id"]).await;
    assert_eq!(ben_now["email"], "ben@x.example");
    let ann_now = details(&app, &acme, &ann["id"]).await;
    assert_eq!(
        ann_now["email"], "nobody@x.example",
        "matched by phone, the row's new email becomes the primary one"
    );
    let list = customers(&app, &acme).await;
    assert_eq!(list.len(), 5);

    // EMAIL_OR_PHONE needs one of the two columns.
    let (_, body) = send_import(
        &app,
        &acme.token,
        "name\nX\n",
        json!({ "matchBy": "EMAIL_OR_PHONE" }),
        Some(("x-csrf-protection", "1")),
    )
    .await;
    assert_eq!(crm_tests::error_field(&body), Some("matchBy"), "{body}");
}

#[tokio::test]
async fn an_export_with_every_detail_imports_back_unchanged() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up(&crm_tests::unique_slug("imp")).await;
    let team = create_team(&app, &acme, "Key Accounts").await;
    app.create_customer(
        &acme,
        json!({ "kind": "COMPANY", "name": "Foxtrot", "externalId": "F-1",
                "emails": [{ "value": "hq@foxtrot.example", "label": "OTHER" },
                           { "value": "cfo@foxtrot.example", "label": "HOME" }],
                "phones": [{ "value": "+86 10 1234 5678", "label": "MOBILE" }],
                "address": { "streetLines": ["Building 3", "88 Jianguo Rd"], "city": "北京",
                             "postalCode": "100022", "country": "cn" },
                "acquisitionSource": "Spring fair, hall 2", "acquisitionChannel": "EVENT",
                "teamId": team }),
    )
    .await;
    app.create_customer(
        &acme,
        json!({ "kind": "PERSON", "name": "Golf", "externalId": "G-1",
                "address": { "streetLines": ["Unit 5; Block B"] },
                "tags": ["north; south", "vip"] }),
    )
    .await;
    let csv = "externalId,name,email,otherEmails,team,acquisitionChannel\n\
               H-1,Hotel,h@hotel.example,front@hotel.example,key accounts,social\n";
    let report = import(&app, &acme, csv, json!({})).await;
    assert_eq!(report["created"], 1, "{report}");

    let (status, _, body) = export(&app, Some(&acme.token), &[]).await;
    assert_eq!(status, 200, "{body}");
    let header = records(&body).remove(0);
    for column in [
        "otherEmails",
        "otherPhones",
        "street",
        "city",
        "stateProvince",
        "postalCode",
        "country",
        "acquisitionSource",
        "acquisitionChannel",
        "team",
    ] {
        assert!(header.iter().any(|h| h == column), "{column}: {header:?}");
    }
    let exported = rows(&body);
    let foxtrot = exported.iter().find(|r| r["externalId"] == "F-1").unwrap();
    assert_eq!(foxtrot["email"], "hq@foxtrot.example");
    assert_eq!(foxtrot["otherEmails"], "cfo@foxtrot.example");
    // A leading `+` would start a formula in a spreadsheet: quoted, and
    // unquoted again by the import below.
    assert_eq!(foxtrot["phone"], "'+86 10 1234 5678");
    assert_eq!(foxtrot["otherPhones"], "");
    assert_eq!(foxtrot["street"], "Building 3; 88 Jianguo Rd");
    assert_eq!(foxtrot["city"], "北京");
    assert_eq!(foxtrot["country"], "CN");
    assert_eq!(foxtrot["acquisitionSource"], "Spring fair, hall 2");
    assert_eq!(foxtrot["acquisitionChannel"], "EVENT");
    assert_eq!(foxtrot["team"], "Key Accounts");
    // Values holding the list separator: one per line.
    let golf = exported.iter().find(|r| r["externalId"] == "G-1").unwrap();
    assert_eq!(golf["street"], "Unit 5; Block B\n");
    assert_eq!(golf["tags"], "north; south\nvip");
    let hotel = exported.iter().find(|r| r["externalId"] == "H-1").unwrap();
    assert_eq!(hotel["team"], "Key Accounts");
    assert_eq!(hotel["acquisitionChannel"], "SOCIAL");

    // Every row matches its customer and changes nothing, labels included.
    let report = import(&app, &acme, &body, json!({})).await;
    assert_eq!(
        report,
        json!({ "rowsRead": 3, "created": 0, "updated": 0, "unchanged": 3, "skipped": 0,
                "committed": true, "errors": [], "errorCount": 0 })
    );
    let list = customers(&app, &acme).await;
    assert!(list.iter().all(|c| c["version"] == 1), "{list:?}");
    let foxtrot = details(&app, &acme, &id_of(&app, &acme, "F-1").await).await;
    assert_eq!(
        foxtrot["emails"],
        json!([
            point("hq@foxtrot.example", "OTHER", true),
            point("cfo@foxtrot.example", "HOME", false)
        ])
    );
}

#[tokio::test]
async fn row_problems_are_reported_in_the_users_language() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up(&crm_tests::unique_slug("imp")).await;
    let set = app
        .gql_as(
            &acme,
            "mutation { updateMyProfile(input: { locale: \"zh-CN\" }) { locale } }",
            json!({}),
        )
        .await;
    assert_eq!(set["data"]["updateMyProfile"]["locale"], "zh-CN", "{set}");
    for name in ["Dup One", "Dup Two"] {
        app.create_customer(
            &acme,
            json!({ "kind": "PERSON", "name": name, "email": "dup@example.com" }),
        )
        .await;
    }
    let csv = "name,email\nAnn,not-an-email\nBen,dup@example.com\nCy,cy@example.com,extra\n";
    let report = import(
        &app,
        &acme,
        csv,
        json!({ "matchBy": "EMAIL", "dryRun": true }),
    )
    .await;
    let messages: Vec<(&Value, &str)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (&e["row"], e["message"].as_str().unwrap()))
        .collect();
    assert_eq!(messages.len(), 3, "{report}");
    // A field rule's message, as createCustomer gives it in Chinese.
    assert_eq!(messages[0].0, 1);
    assert!(
        messages[0]
            .1
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "{report}"
    );
    assert_eq!(
        messages[1],
        (&json!(2), "有 2 个客户使用此邮箱；请改为按 externalId 匹配")
    );
    assert_eq!(messages[2], (&json!(3), "有 3 个值，但表头有 2 列"));

    // Order rows too.
    let body = app
        .gql_as(
            &acme,
            "mutation($input: ImportOrdersInput!) { importOrders(input: $input) { errors { field message } } }",
            json!({ "input": { "rows": [{ "externalOrderId": "X-1", "customerExternalId": "C-1",
                "customerName": "Cy", "orderedAt": "2026-01-05", "currency": "USD", "sku": "NOPE",
                "quantity": "1", "unitPrice": "1" }], "createMissingCustomers": true } }),
        )
        .await;
    let errors = &body["data"]["importOrders"]["errors"];
    assert_eq!(
        errors[0],
        json!({ "field": "sku", "message": "此工作区中没有 SKU 为 `NOPE` 的产品" }),
        "{body}"
    );
}

#[tokio::test]
async fn teams_sharing_a_name_are_told_apart_by_their_path() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up(&crm_tests::unique_slug("imp")).await;
    let north = create_team_in(&app, &acme, "North", None).await;
    let south = create_team_in(&app, &acme, "South", None).await;
    let north_sales = create_team_in(&app, &acme, "Sales", Some(&north)).await;
    let south_sales = create_team_in(&app, &acme, "Sales", Some(&south)).await;

    // A bare name that several teams have is refused, pointing at paths.
    let csv = "externalId,name,team\nT-1,Tango,sales\n";
    let report = import(&app, &acme, csv, json!({ "dryRun": true })).await;
    assert_eq!(report["errors"][0]["field"], "team", "{report}");
    assert!(
        report["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Sales / North"),
        "{report}"
    );

    // Paths (any case) name one team each; a unique name still works.
    let csv = "externalId,name,team\nT-1,Tango,north / sales\nT-2,Uniform,South / Sales\nT-3,Victor,south\n";
    let report = import(&app, &acme, csv, json!({})).await;
    assert_eq!(report["created"], 3, "{report}");
    for (external_id, team) in [
        ("T-1", &north_sales),
        ("T-2", &south_sales),
        ("T-3", &south),
    ] {
        let customer = details(&app, &acme, &id_of(&app, &acme, external_id).await).await;
        assert_eq!(
            customer["teamId"],
            team.as_str(),
            "{external_id}: {customer}"
        );
    }

    // The export writes the path where the name repeats, and imports back.
    let (status, _, body) = export(&app, Some(&acme.token), &[]).await;
    assert_eq!(status, 200, "{body}");
    let exported = rows(&body);
    let team_of = |x: &str| exported.iter().find(|r| r["externalId"] == x).unwrap()["team"].clone();
    assert_eq!(team_of("T-1"), "North / Sales");
    assert_eq!(team_of("T-2"), "South / Sales");
    assert_eq!(team_of("T-3"), "South");
    let report = import(&app, &acme, &body, json!({})).await;
    assert_eq!(report["unchanged"], 3, "{report}");
}

#[tokio::test]
async fn customer_files_over_the_row_cap_are_refused_whole() {
    let app = TestApp::spawn_with(|c| c.bulk.customer_import_max_rows = 3).await;
    let acme = app.sign_up(&crm_tests::unique_slug("imp")).await;
    let (status, body) = send_import(
        &app,
        &acme.token,
        "name\nOne\nTwo\nThree\nFour\n",
        json!({}),
        Some(("x-csrf-protection", "1")),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(crm_tests::error_code(&body), Some("VALIDATION"), "{body}");
    assert_eq!(crm_tests::error_field(&body), Some("file"), "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("at most 3 rows"), "{message}");
    assert!(customers(&app, &acme).await.is_empty());
    // At the cap, the file is imported.
    let report = import(&app, &acme, "name\nOne\nTwo\nThree\n", json!({})).await;
    assert_eq!(report["created"], 3, "{report}");
}

#[tokio::test]
async fn reported_row_errors_are_capped_with_their_total() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up(&crm_tests::unique_slug("imp")).await;
    let mut csv = String::from("name,kind\n");
    for i in 0..1_200 {
        csv.push_str(&format!("Bad {i},ROBOT\n"));
    }
    csv.push_str("Good,COMPANY\n");
    let (status, body) = send_import(
        &app,
        &acme.token,
        &csv,
        json!({ "mode": "SKIP_INVALID" }),
        Some(("x-csrf-protection", "1")),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let report = &body["data"]["importCustomers"];
    assert_eq!(
        report["errors"].as_array().map(Vec::len),
        Some(1_000),
        "{body}"
    );
    assert_eq!(report["errorCount"], 1_200, "{body}");
    assert_eq!(report["errors"][999]["row"], 1_000);
    assert_eq!(report["skipped"], 1_200);
    assert_eq!(report["created"], 1);
}

/// Starts an export as `token` in the background.
fn start_export(
    app: &TestApp,
    token: &str,
) -> tokio::task::JoinHandle<(u16, reqwest::header::HeaderMap, String)> {
    let request = app
        .client
        .get(format!("{}/export/customers.csv", app.address))
        .bearer_auth(token);
    tokio::spawn(async move {
        let response = request.send().await.expect("send export");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        (status, headers, response.text().await.expect("export body"))
    })
}

/// Waits until `count` statements of the database wait for a lock.
async fn wait_for_blocked(db: &sea_orm::DatabaseConnection, count: i64) {
    for _ in 0..200 {
        let row = db
            .query_one(Statement::from_string(
                db.get_database_backend(),
                "SELECT count(*) AS n FROM pg_locks WHERE NOT granted
                   AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            ))
            .await
            .unwrap()
            .unwrap();
        if row.try_get::<i64>("", "n").unwrap() >= count {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the exports did not start");
}

#[tokio::test]
async fn exports_running_at_once_are_limited_per_caller_and_per_workspace() {
    let app = TestApp::spawn_with(|c| {
        c.bulk.exports_per_caller = 1;
        c.bulk.exports_per_tenant = 2;
    })
    .await;
    let acme = app.sign_up(&crm_tests::unique_slug("exp")).await;
    app.create_customer(&acme, json!({ "kind": "COMPANY", "name": "Alpha" }))
        .await;
    let ann = member(&app, &acme, "ann@acme.example", "MANAGER").await;
    let bob = member(&app, &acme, "bob@acme.example", "MANAGER").await;

    // Hold the customers table so that exports stay in progress.
    let owner = sea_orm::Database::connect(app.db.owner_url.as_str())
        .await
        .unwrap();
    let lock = sea_orm::TransactionTrait::begin(&owner).await.unwrap();
    lock.execute(Statement::from_string(
        owner.get_database_backend(),
        "LOCK TABLE customers IN ACCESS EXCLUSIVE MODE",
    ))
    .await
    .unwrap();
    let first = start_export(&app, &acme.token);
    let second = start_export(&app, &ann);
    wait_for_blocked(&owner, 2).await;

    // The owner already runs one; Bob's workspace already runs two.
    for (token, limit) in [(acme.token.as_str(), "caller"), (bob.as_str(), "workspace")] {
        let (status, headers, body) = export(&app, Some(token), &[]).await;
        assert_eq!(status, 429, "{body}");
        assert!(headers.contains_key("retry-after"));
        let body: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(crm_tests::error_code(&body), Some("RATE_LIMITED"), "{body}");
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(limit), "{message}");
    }

    lock.rollback().await.unwrap();
    for running in [first, second] {
        let (status, _, body) = running.await.unwrap();
        assert_eq!(status, 200, "{body}");
        assert_eq!(rows(&body).len(), 1);
    }
    // Finished exports free their places.
    let (status, _, body) = export(&app, Some(&bob), &[]).await;
    assert_eq!(status, 200, "{body}");
    let (status, _, body) = export(&app, Some(&acme.token), &[]).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn formula_cells_are_neutralised_on_export_and_import_back_unchanged() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up(&crm_tests::unique_slug("csv")).await;
    let awkward = [
        (
            "F-1",
            "=HYPERLINK(\"https://evil.example\",\"click\")",
            "+1 555 0100",
            "'quoted",
        ),
        ("F-2", "@SUM(A1:A2)", "-555-0199", "'=already quoted"),
        ("F-3", "-minus Ltd", "", "@home"),
    ];
    for (external_id, name, phone, region) in awkward {
        let mut input =
            json!({ "kind": "COMPANY", "name": name, "externalId": external_id, "region": region });
        if !phone.is_empty() {
            input["phone"] = json!(phone);
        }
        app.create_customer(&acme, input).await;
    }
    let (status, _, body) = export(&app, Some(&acme.token), &[]).await;
    assert_eq!(status, 200, "{body}");
    let exported = rows(&body);
    let by_id = |id: &str| exported.iter().find(|r| r["externalId"] == id).unwrap();
    // No cell starts with a character a spreadsheet would run as a formula.
    for row in &exported {
        for (column, cell) in row {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{column}: {cell}"
            );
        }
    }
    assert_eq!(
        by_id("F-1")["name"],
        "'=HYPERLINK(\"https://evil.example\",\"click\")"
    );
    assert_eq!(by_id("F-1")["phone"], "'+1 555 0100");
    assert_eq!(by_id("F-1")["region"], "'quoted");
    assert_eq!(by_id("F-2")["region"], "''=already quoted");
    assert_eq!(by_id("F-2")["phone"], "'-555-0199");
    assert_eq!(by_id("F-3")["name"], "'-minus Ltd");
    assert_eq!(by_id("F-3")["region"], "'@home");

    // Imported into another workspace, every value comes back as it was.
    let globex = app.sign_up(&crm_tests::unique_slug("csv")).await;
    let body = body.replace(&acme.email, "");
    let report = import(&app, &globex, &body, json!({})).await;
    assert_eq!(report["created"], 3, "{report}");
    let imported = customers(&app, &globex).await;
    for (external_id, name, phone, region) in awkward {
        let customer = imported
            .iter()
            .find(|c| c["externalId"] == external_id)
            .unwrap();
        assert_eq!(customer["name"], name);
        assert_eq!(customer["region"], region);
        if !phone.is_empty() {
            assert_eq!(customer["phone"], phone);
        }
    }
    // Re-importing one's own export changes nothing.
    let report = import(&app, &acme, &body, json!({})).await;
    assert_eq!(report["unchanged"], 3, "{report}");
}
