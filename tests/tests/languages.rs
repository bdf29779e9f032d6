//! Languages: error messages and enum labels in English or Simplified
//! Chinese, by the user's own setting, else `Accept-Language`; codes and
//! fields never change.

use crm_tests::{error_code, error_field, TestApp};
use serde_json::{json, Value};

/// A GraphQL request with an `Accept-Language` header, anonymously or with `token`.
async fn gql_in(
    app: &TestApp,
    language: &str,
    token: Option<&str>,
    query: &str,
    variables: Value,
) -> Value {
    let mut request = reqwest::Client::new()
        .post(app.graphql_url())
        .header("accept-language", language)
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request
        .send()
        .await
        .expect("send GraphQL request")
        .json()
        .await
        .expect("GraphQL response is JSON")
}

fn message(body: &Value) -> &str {
    body["errors"][0]["message"]
        .as_str()
        .unwrap_or_else(|| panic!("no error: {body}"))
}

const LABELS: &str = "query($enum: String!) { enumLabels(enum: $enum) { value label } }";
const CREATE: &str =
    "mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }";

#[tokio::test]
async fn anonymous_callers_get_the_language_of_accept_language() {
    let app = TestApp::spawn().await;
    let labels = gql_in(
        &app,
        "zh-CN,zh;q=0.9,en;q=0.8",
        None,
        LABELS,
        json!({ "enum": "LifecycleStage" }),
    )
    .await;
    let labels = labels["data"]["enumLabels"]
        .as_array()
        .unwrap_or_else(|| panic!("{labels}"));
    assert_eq!(labels.len(), 8);
    assert_eq!(labels[1], json!({ "value": "LEAD", "label": "线索" }));
    let english = gql_in(
        &app,
        "en-US",
        None,
        LABELS,
        json!({ "enum": "LifecycleStage" }),
    )
    .await;
    assert_eq!(
        english["data"]["enumLabels"][1],
        json!({ "value": "LEAD", "label": "Lead" })
    );
    let unknown = gql_in(&app, "zh-CN", None, LABELS, json!({ "enum": "Nope" })).await;
    assert_eq!(error_code(&unknown), Some("VALIDATION"));
    assert_eq!(error_field(&unknown), Some("enum"));
    assert_eq!(message(&unknown), "enum：不是此 API 的枚举");

    // The same error in both languages: only the message differs.
    let query = "{ me { user { id } } }";
    let chinese = gql_in(&app, "zh-CN", None, query, json!({})).await;
    let english = gql_in(&app, "en", None, query, json!({})).await;
    assert_eq!(error_code(&chinese), Some("UNAUTHENTICATED"), "{chinese}");
    assert_eq!(error_code(&chinese), error_code(&english));
    assert!(message(&chinese).starts_with("请先登录"), "{chinese}");
    assert!(message(&english).starts_with("sign in first"), "{english}");

    // Requests refused before execution follow the header too.
    let aliases = "{ a: __typename b: __typename c: __typename d: __typename e: __typename f: __typename g: __typename h: __typename i: __typename j: __typename k: __typename l: __typename m: __typename n: __typename o: __typename p: __typename }";
    let refused = gql_in(&app, "zh-CN", None, aliases, json!({})).await;
    assert_eq!(error_code(&refused), Some("VALIDATION"), "{refused}");
    assert_eq!(message(&refused), "文档使用了 16 个别名；上限为 15");
}

#[tokio::test]
async fn a_users_own_setting_wins_over_the_header() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let token = Some(acme.token.as_str());
    let bad =
        json!({ "input": { "kind": "COMPANY", "name": "Globex", "address": { "country": "XX" } } });

    // Still English (the setting made at sign-up), whatever the browser says.
    let english = gql_in(&app, "zh-CN", token, CREATE, bad.clone()).await;
    assert_eq!(
        message(&english),
        "address.country: is not an ISO 3166-1 alpha-2 country code such as `CN` or `DE`"
    );

    let set = gql_in(
        &app,
        "en",
        token,
        "mutation($input: UpdateMyProfileInput!) { updateMyProfile(input: $input) { locale } }",
        json!({ "input": { "locale": "zh-Hans" } }),
    )
    .await;
    assert_eq!(set["data"]["updateMyProfile"]["locale"], "zh-CN", "{set}");
    let wrong = gql_in(
        &app,
        "en",
        token,
        "mutation($input: UpdateMyProfileInput!) { updateMyProfile(input: $input) { locale } }",
        json!({ "input": { "locale": "tlh" } }),
    )
    .await;
    assert_eq!(error_field(&wrong), Some("locale"), "{wrong}");

    let chinese = gql_in(&app, "en-US", token, CREATE, bad).await;
    assert_eq!(error_code(&chinese), Some("VALIDATION"));
    assert_eq!(error_field(&chinese), Some("address.country"));
    assert_eq!(
        message(&chinese),
        "address.country：不是 ISO 3166-1 二位字母国家代码（如 `CN` 或 `DE`）"
    );
    // Messages with inserted values, and the record kind of NOT_FOUND.
    let missing = gql_in(
        &app,
        "en",
        token,
        "mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { customer { id } } }",
        json!({ "input": { "id": "0190c3a4-0000-7000-8000-000000000000", "version": 1, "name": "x" } }),
    )
    .await;
    assert_eq!(error_code(&missing), Some("NOT_FOUND"), "{missing}");
    assert_eq!(message(&missing), "未找到客户");
    let labels = gql_in(
        &app,
        "en",
        token,
        LABELS,
        json!({ "enum": "InteractionKind" }),
    )
    .await;
    assert_eq!(labels["data"]["enumLabels"][0]["label"], "电话", "{labels}");

    // Pipelines and deals speak Chinese too; API values stay as they are.
    let no_open = gql_in(
        &app,
        "en",
        token,
        "mutation($input: CreatePipelineInput!) { createPipeline(input: $input) { pipeline { id } } }",
        json!({ "input": { "name": "Renewals", "stages": [
            { "name": "Renewed", "probability": "100", "kind": "WON" },
        ] } }),
    )
    .await;
    assert_eq!(error_field(&no_open), Some("stages"), "{no_open}");
    assert_eq!(message(&no_open), "stages：销售管道至少需要一个 OPEN 阶段");
    let kinds = gql_in(&app, "en", token, LABELS, json!({ "enum": "StageKind" })).await;
    assert_eq!(
        kinds["data"]["enumLabels"][1],
        json!({ "value": "WON", "label": "赢单" }),
        "{kinds}"
    );
}
