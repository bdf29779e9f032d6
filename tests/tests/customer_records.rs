//! Customer and contact records: several labelled emails and phones with one
//! primary, postal address, acquisition, team; their history, filters,
//! sorting, duplicates, search and merges.

use crm_tests::{error_code, error_field, TestApp, TestTenant};
use serde_json::{json, Value};

const FIELDS: &str = "id version name email phone emails { value label primary }
    phones { value label primary } address { streetLines city stateProvince postalCode country }
    acquisitionSource acquisitionChannel teamId website";

async fn create(app: &TestApp, tenant: &TestTenant, input: Value) -> Value {
    app.gql_as(
        tenant,
        &format!(
            "mutation($input: CreateCustomerInput!) {{ createCustomer(input: $input) {{
                customer {{ {FIELDS} }} duplicates {{ customer {{ name }} reasons }} }} }}"
        ),
        json!({ "input": input }),
    )
    .await
}

async fn update(app: &TestApp, tenant: &TestTenant, input: Value) -> Value {
    app.gql_as(
        tenant,
        &format!(
            "mutation($input: UpdateCustomerInput!) {{ updateCustomer(input: $input) {{ customer {{ {FIELDS} }} }} }}"
        ),
        json!({ "input": input }),
    )
    .await
}

async fn names(app: &TestApp, tenant: &TestTenant, filter: Value, order: Value) -> Vec<String> {
    let body = app
        .gql_as(
            tenant,
            "query($filter: CustomerFilter, $orderBy: [CustomerOrderBy!]) {
               customers(filter: $filter, orderBy: $orderBy) { edges { node { name } } } }",
            json!({ "filter": filter, "orderBy": order }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["customers"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn team(app: &TestApp, tenant: &TestTenant, name: &str) -> String {
    let body = app
        .gql_as(
            tenant,
            "mutation($input: CreateTeamInput!) { createTeam(input: $input) { id } }",
            json!({ "input": { "name": name } }),
        )
        .await;
    body["data"]["createTeam"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned()
}

#[tokio::test]
async fn a_customer_keeps_labelled_emails_and_phones_an_address_acquisition_and_team() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let sales = team(&app, &acme, "Sales").await;
    let body = create(
        &app,
        &acme,
        json!({
            "kind": "COMPANY", "name": "Globex",
            "emails": [
                { "value": "info@globex.example", "label": "WORK" },
                { "value": "ceo@globex.example", "label": "OTHER", "primary": true }
            ],
            "phones": [{ "value": "+86 10 6552 9988", "label": "MOBILE" }],
            "address": { "streetLines": ["1 Chang'an Ave", " "], "city": "Beijing",
                         "postalCode": "100000", "country": "cn" },
            "acquisitionSource": "Canton Fair 2026", "acquisitionChannel": "EVENT",
            "teamId": sales, "website": "globex.example"
        }),
    )
    .await;
    let customer = &body["data"]["createCustomer"]["customer"];
    assert!(customer.is_object(), "{body}");
    // The primary one is the API's `email`, and first in the list.
    assert_eq!(customer["email"], "ceo@globex.example");
    assert_eq!(
        customer["emails"],
        json!([
            { "value": "ceo@globex.example", "label": "OTHER", "primary": true },
            { "value": "info@globex.example", "label": "WORK", "primary": false }
        ])
    );
    assert_eq!(customer["phone"], "+86 10 6552 9988");
    assert_eq!(customer["phones"][0]["label"], "MOBILE");
    assert_eq!(
        customer["address"],
        json!({ "streetLines": ["1 Chang'an Ave"], "city": "Beijing", "stateProvince": null,
                "postalCode": "100000", "country": "CN" })
    );
    assert_eq!(customer["acquisitionChannel"], "EVENT");
    assert_eq!(customer["acquisitionSource"], "Canton Fair 2026");
    assert_eq!(customer["teamId"], sales.as_str());
    assert_eq!(customer["website"], "https://globex.example");
    let id = customer["id"].as_str().unwrap();

    // Changing the primary email keeps the others; clearing it promotes the next.
    let body = update(
        &app,
        &acme,
        json!({ "id": id, "version": 1, "email": "sales@globex.example" }),
    )
    .await;
    let customer = &body["data"]["updateCustomer"]["customer"];
    assert_eq!(
        customer["emails"],
        json!([
            { "value": "sales@globex.example", "label": "OTHER", "primary": true },
            { "value": "info@globex.example", "label": "WORK", "primary": false }
        ]),
        "{body}"
    );
    let body = update(
        &app,
        &acme,
        json!({ "id": id, "version": 2, "email": null }),
    )
    .await;
    let customer = &body["data"]["updateCustomer"]["customer"];
    assert_eq!(customer["email"], "info@globex.example", "{body}");
    assert_eq!(customer["emails"].as_array().unwrap().len(), 1);

    // The address is replaced whole, and cleared with null.
    let body = update(
        &app,
        &acme,
        json!({ "id": id, "version": 3, "address": { "city": "Shanghai", "country": "CN" },
                "acquisitionChannel": null, "teamId": null }),
    )
    .await;
    let customer = &body["data"]["updateCustomer"]["customer"];
    assert_eq!(customer["address"]["city"], "Shanghai", "{body}");
    assert_eq!(customer["address"]["postalCode"], Value::Null);
    assert_eq!(customer["acquisitionChannel"], Value::Null);
    assert_eq!(customer["teamId"], Value::Null);
    // A stale version is still a conflict.
    let stale = update(
        &app,
        &acme,
        json!({ "id": id, "version": 1, "address": null }),
    )
    .await;
    assert_eq!(error_code(&stale), Some("CONFLICT"), "{stale}");

    // Every field's history is kept.
    let history = app
        .gql_as(
            &acme,
            "query($id: ID!) { customerHistory(customerId: $id, first: 50) { edges { node { field oldValue newValue } } } }",
            json!({ "id": id }),
        )
        .await;
    let fields: Vec<&str> = history["data"]["customerHistory"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{history}"))
        .iter()
        .map(|e| e["node"]["field"].as_str().unwrap())
        .collect();
    for field in [
        "emails",
        "phones",
        "address",
        "acquisitionSource",
        "acquisitionChannel",
        "teamId",
    ] {
        assert!(fields.contains(&field), "{field} missing in {fields:?}");
    }
}

#[tokio::test]
async fn bad_emails_phones_addresses_and_teams_are_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let other = app.sign_up("other").await;
    let foreign_team = team(&app, &other, "Theirs").await;
    for (input, field) in [
        (
            json!({ "emails": [{ "value": "a@x.example" }, { "value": "not an email" }] }),
            "emails[1].value",
        ),
        (
            json!({ "emails": [{ "value": "a@x.example" }, { "value": "A@X.example" }] }),
            "emails[1].value",
        ),
        (
            json!({ "phones": [{ "value": "1234", "primary": true }, { "value": "5678", "primary": true }] }),
            "phones",
        ),
        (json!({ "address": { "country": "XX" } }), "address.country"),
        (
            json!({ "address": { "country": "CHN" } }),
            "address.country",
        ),
        (
            json!({ "address": { "streetLines": ["1", "2", "3", "4", "5"] } }),
            "address.streetLines",
        ),
        (json!({ "website": "not a website" }), "website"),
        (json!({ "teamId": foreign_team }), "teamId"),
        // List values are single lines (a CSV cell may hold one per line).
        (
            json!({ "address": { "streetLines": ["Unit 5\nBlock B"] } }),
            "address.streetLines[0]",
        ),
        (json!({ "tags": ["north\nsouth"] }), "tags"),
    ] {
        let mut input = input;
        input["kind"] = json!("COMPANY");
        input["name"] = json!("Bad");
        let body = create(&app, &acme, input.clone()).await;
        assert_eq!(error_code(&body), Some("VALIDATION"), "{input}: {body}");
        assert_eq!(error_field(&body), Some(field), "{input}: {body}");
    }
}

#[tokio::test]
async fn filters_match_any_email_or_phone_and_the_new_fields_filter_and_sort() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let sales = team(&app, &acme, "Sales").await;
    for input in [
        json!({ "name": "Alpha", "emails": [{ "value": "a@alpha.example" }, { "value": "billing@alpha.example", "label": "OTHER" }],
                "phones": [{ "value": "+1 555 0100" }, { "value": "+1 555 0199", "label": "HOME" }],
                "address": { "city": "berlin", "country": "DE" }, "acquisitionSource": "Newsletter",
                "acquisitionChannel": "EMAIL", "teamId": sales }),
        json!({ "name": "Beta", "email": "b@beta.example", "address": { "city": "Austin", "country": "US" },
                "acquisitionChannel": "REFERRAL" }),
        json!({ "name": "Gamma", "address": { "country": "CN" } }),
        json!({ "name": "Delta" }),
    ] {
        let mut input = input;
        input["kind"] = json!("COMPANY");
        let body = create(&app, &acme, input).await;
        assert!(body["errors"].is_null(), "{body}");
    }
    let none = json!(null);
    assert_eq!(
        names(
            &app,
            &acme,
            json!({ "email": { "eq": "billing@alpha.example" } }),
            none.clone()
        )
        .await,
        ["Alpha"]
    );
    assert_eq!(
        names(
            &app,
            &acme,
            json!({ "email": { "contains": "example" } }),
            none.clone()
        )
        .await,
        ["Alpha", "Beta"]
    );
    assert_eq!(
        names(
            &app,
            &acme,
            json!({ "email": { "ne": "billing@alpha.example" } }),
            none.clone()
        )
        .await,
        ["Beta", "Gamma", "Delta"]
    );
    assert_eq!(
        names(
            &app,
            &acme,
            json!({ "email": { "isNull": true } }),
            none.clone()
        )
        .await,
        ["Gamma", "Delta"]
    );
    assert_eq!(
        names(
            &app,
            &acme,
            json!({ "phone": { "contains": "0199" } }),
            none.clone()
        )
        .await,
        ["Alpha"]
    );
    assert_eq!(
        names(
            &app,
            &acme,
            json!({ "country": { "in": ["DE", "CN"] } }),
            none.clone()
        )
        .await,
        ["Alpha", "Gamma"]
    );
    assert_eq!(
        names(
            &app,
            &acme,
            json!({ "acquisitionChannel": { "in": ["EMAIL", "REFERRAL"] } }),
            none.clone()
        )
        .await,
        ["Alpha", "Beta"]
    );
    assert_eq!(
        names(
            &app,
            &acme,
            json!({ "acquisitionSource": { "startsWith": "news" } }),
            none.clone()
        )
        .await,
        ["Alpha"]
    );
    assert_eq!(
        names(
            &app,
            &acme,
            json!({ "teamId": { "eq": sales } }),
            none.clone()
        )
        .await,
        ["Alpha"]
    );
    // Sorting: customers without a value come first; cities ignore case.
    assert_eq!(
        names(
            &app,
            &acme,
            none.clone(),
            json!([{ "field": "COUNTRY", "direction": "ASC" }])
        )
        .await,
        ["Delta", "Gamma", "Alpha", "Beta"]
    );
    assert_eq!(
        names(&app, &acme, none.clone(), json!([{ "field": "CITY", "direction": "DESC" }, { "field": "NAME", "direction": "ASC" }])).await,
        ["Alpha", "Beta", "Delta", "Gamma"]
    );
}

#[tokio::test]
async fn any_email_or_phone_finds_duplicates_and_search_results_and_merges_unite_them() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let first = create(
        &app,
        &acme,
        json!({ "kind": "COMPANY", "name": "Initech",
                "emails": [{ "value": "hello@initech.example" }, { "value": "peter@initech.example", "label": "OTHER" }],
                "phones": [{ "value": "+1 555 0100" }],
                "address": { "city": "Austin", "country": "US" }, "acquisitionSource": "Trade fair" }),
    )
    .await;
    let first_id = first["data"]["createCustomer"]["customer"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{first}"))
        .to_owned();
    // A second email of the new record equals a second email of the old one.
    let second = create(
        &app,
        &acme,
        json!({ "kind": "PERSON", "name": "Peter Gibbons",
                "emails": [{ "value": "pg@home.example", "label": "HOME" }, { "value": "Peter@Initech.example" }],
                "phones": [{ "value": "+1 555 0177", "label": "MOBILE" }] }),
    )
    .await;
    let duplicates = &second["data"]["createCustomer"]["duplicates"];
    assert_eq!(
        duplicates,
        &json!([{ "customer": { "name": "Initech" }, "reasons": ["SAME_EMAIL"] }]),
        "{second}"
    );
    let second_id = second["data"]["createCustomer"]["customer"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Search finds a customer by an email or phone that is not its primary one.
    let search = |query: &'static str| {
        let app = &app;
        let acme = &acme;
        async move {
            let body = app
                .gql_as(
                    acme,
                    "query($q: String!) { searchCustomers(query: $q) { name } }",
                    json!({ "q": query }),
                )
                .await;
            body["data"]["searchCustomers"]
                .as_array()
                .unwrap_or_else(|| panic!("{body}"))
                .iter()
                .map(|c| c["name"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert!(search("pg@home.example")
        .await
        .contains(&"Peter Gibbons".to_owned()));
    assert!(search("555 0177")
        .await
        .contains(&"Peter Gibbons".to_owned()));

    // The merge unites emails and phones and fills the empty address and source.
    let merged = app
        .gql_as(
            &acme,
            &format!(
                "mutation($input: MergeCustomersInput!) {{ mergeCustomers(input: $input) {{ customer {{ {FIELDS} }} }} }}"
            ),
            json!({ "input": { "survivorId": second_id, "mergedId": first_id } }),
        )
        .await;
    let survivor = &merged["data"]["mergeCustomers"]["customer"];
    assert_eq!(survivor["email"], "pg@home.example", "{merged}");
    let emails: Vec<&str> = survivor["emails"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["value"].as_str().unwrap())
        .collect();
    assert_eq!(
        emails,
        [
            "pg@home.example",
            "Peter@Initech.example",
            "hello@initech.example"
        ]
    );
    assert_eq!(survivor["phones"].as_array().unwrap().len(), 2);
    assert_eq!(survivor["address"]["city"], "Austin");
    assert_eq!(survivor["acquisitionSource"], "Trade fair");
}

#[tokio::test]
async fn contacts_keep_several_emails_and_phones_and_match_on_any() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    let customer = app
        .create_customer(&acme, json!({ "kind": "COMPANY", "name": "Hooli" }))
        .await;
    let create = app
        .gql_as(
            &acme,
            "mutation($input: CreateContactInput!) { createContact(input: $input) { contact {
                id version email emails { value label primary } phones { value label primary } language preferredChannel } } }",
            json!({ "input": { "customerId": customer["id"], "name": "Gavin",
                    "emails": [{ "value": "gavin@hooli.example" }, { "value": "g@belson.example", "label": "HOME" }],
                    "phones": [{ "value": "+1 555 0142", "label": "MOBILE" }],
                    "language": "zh-Hans", "preferredChannel": "PHONE" } }),
        )
        .await;
    let contact = &create["data"]["createContact"]["contact"];
    assert_eq!(contact["email"], "gavin@hooli.example", "{create}");
    assert_eq!(contact["emails"][1]["label"], "HOME");
    assert_eq!(contact["phones"][0]["label"], "MOBILE");
    assert_eq!(contact["language"], "zh-CN");
    assert_eq!(contact["preferredChannel"], "PHONE");

    let updated = app
        .gql_as(
            &acme,
            "mutation($input: UpdateContactInput!) { updateContact(input: $input) { contact { version email emails { value primary } } } }",
            json!({ "input": { "id": contact["id"], "version": 1, "email": null } }),
        )
        .await;
    assert_eq!(
        updated["data"]["updateContact"]["contact"]["email"], "g@belson.example",
        "{updated}"
    );
    let bad = app
        .gql_as(
            &acme,
            "mutation($input: UpdateContactInput!) { updateContact(input: $input) { contact { id } } }",
            json!({ "input": { "id": contact["id"], "version": 2, "language": "not a language!" } }),
        )
        .await;
    assert_eq!(error_field(&bad), Some("language"), "{bad}");

    // Customers whose contacts have a given email, primary or not.
    assert_eq!(
        names(
            &app,
            &acme,
            json!({ "contacts": { "email": { "eq": "g@belson.example" } } }),
            json!(null)
        )
        .await,
        ["Hooli"]
    );
    assert!(names(
        &app,
        &acme,
        json!({ "contacts": { "email": { "eq": "gavin@hooli.example" } } }),
        json!(null)
    )
    .await
    .is_empty());
}
