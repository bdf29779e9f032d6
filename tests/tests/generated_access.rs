//! Generated access suites (issue #16 §2). The calls are derived from the
//! schema's introspection, so a field added tomorrow is exercised the day it
//! is added, or fails here for want of a mapping:
//!
//! - isolation: every query field, and every mutation taking an id (directly
//!   or in its input), is called by workspace B's owner with workspace A's
//!   ids; nothing of A comes back and A's records stay as they were;
//! - visibility: a sales rep under `OWN`, then `TEAM`, walks every query
//!   field and its edges and never sees the customers hidden from them;
//! - scopes: an API key with a single scope walks every query field and gets
//!   data only of the areas that scope grants.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crm_tests::{error_code, error_field, TestApp, TestTenant};
use futures_util::future::join_all;
use serde_json::{json, Map, Value};

/// Calls sent at once: enough to overlap waits, few enough for two cores.
const BATCH: usize = 8;

// ---------------------------------------------------------------- schema

/// The schema as introspection describes it.
struct Schema {
    types: HashMap<String, Value>,
    query: String,
    mutation: String,
}

impl Schema {
    async fn load(app: &TestApp, token: &str) -> Schema {
        let body = app
            .gql_with(
                Some(token),
                include_str!("introspection.graphql"),
                json!({}),
            )
            .await;
        let schema = &body["data"]["__schema"];
        assert!(schema.is_object(), "introspection failed: {body}");
        Schema {
            types: schema["types"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| (t["name"].as_str().unwrap().to_owned(), t.clone()))
                .collect(),
            query: schema["queryType"]["name"].as_str().unwrap().to_owned(),
            mutation: schema["mutationType"]["name"].as_str().unwrap().to_owned(),
        }
    }

    fn kind(&self, name: &str) -> &str {
        self.types[name]["kind"].as_str().unwrap()
    }

    /// Output fields (or input fields, for input objects) of `name`.
    fn fields(&self, name: &str) -> &[Value] {
        let t = &self.types[name];
        t["fields"]
            .as_array()
            .or(t["inputFields"].as_array())
            .map_or(&[], |f| f.as_slice())
    }

    fn root_fields(&self, mutation: bool) -> &[Value] {
        self.fields(if mutation {
            &self.mutation
        } else {
            &self.query
        })
    }
}

/// The named type under any list and non-null wrappers.
fn named(t: &Value) -> &str {
    t["name"].as_str().unwrap_or_else(|| named(&t["ofType"]))
}

fn non_null(t: &Value) -> bool {
    t["kind"] == "NON_NULL"
}

/// A type reference as written in a variable definition (`[ID!]!`).
fn render(t: &Value) -> String {
    match t["kind"].as_str().unwrap() {
        "NON_NULL" => format!("{}!", render(&t["ofType"])),
        "LIST" => format!("[{}]", render(&t["ofType"])),
        _ => t["name"].as_str().unwrap().to_owned(),
    }
}

fn name(v: &Value) -> &str {
    v["name"].as_str().unwrap()
}

/// Whether an argument or input field must be given.
fn mandatory(v: &Value) -> bool {
    non_null(&v["type"]) && v["defaultValue"].is_null()
}

// ---------------------------------------------------------------- id kinds

/// The kinds of record an id may name; the fixture creates one of each.
const KINDS: &[&str] = &[
    "customer",
    "contact",
    "interaction",
    "deal",
    "pipeline",
    "stage",
    "lead",
    "product",
    "priceList",
    "order",
    "case",
    "team",
    "region",
    "customField",
    "apiKey",
    "invitation",
    "user",
    "analyticsRun",
    "segment",
    "campaign",
    "campaignCost",
    "webhookEndpoint",
    "event",
    "campaignStep",
];

/// Names the heuristic reads as another kind's name.
const ALIASES: &[(&str, &str)] = &[
    ("owner", "user"),
    ("actorUser", "user"),
    ("member", "user"),
    ("parent", "team"),
    ("task", "interaction"),
    ("endpoint", "webhookEndpoint"),
];

/// Ids the name heuristic cannot resolve: (root field or input type, name, kind).
const EXPLICIT_KINDS: &[(&str, &str, &str)] = &[
    ("ChangeCaseStatusInput", "id", "case"),
    ("ChangeOrderStatusInput", "id", "order"),
    ("UpdatePipelineStageInput", "id", "stage"),
    ("DeletePipelineStageInput", "id", "stage"),
    ("DeletePipelineStageInput", "moveDealsTo", "stage"),
    ("MergeCustomersInput", "survivorId", "customer"),
    ("MergeCustomersInput", "mergedId", "customer"),
    ("DomainEventFilter", "aggregateId", "customer"),
    ("AuditEventFilter", "actorApiKeyId", "apiKey"),
    // Shared by qualifyLead and disqualifyLead.
    ("QualifyLeadInput", "id", "lead"),
    ("ChangeCampaignStatusInput", "id", "campaign"),
    ("CampaignPlanInput", "parentId", "campaign"),
    ("CampaignFilter", "parentId", "campaign"),
    ("RotateWebhookSecretInput", "id", "webhookEndpoint"),
    ("CancelCampaignStepInput", "id", "campaignStep"),
];

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_lowercase().chain(chars).collect::<String>()
    })
}

fn known_kind(base: &str) -> Option<&'static str> {
    let base = lower_first(base);
    ALIASES
        .iter()
        .find(|(alias, _)| *alias == base)
        .map(|(_, kind)| *kind)
        .or_else(|| KINDS.iter().copied().find(|k| *k == base))
}

/// The kind of record the id `arg` of `owner` (a root field or an input
/// type) names: `customerId` → customer, `id` of `deleteDeal` or
/// `UpdateDealInput` → deal; None when neither the name nor the table says.
fn kind_of(owner: &str, arg: &str) -> Option<&'static str> {
    if let Some((_, _, kind)) = EXPLICIT_KINDS
        .iter()
        .find(|(o, a, _)| *o == owner && *a == arg)
    {
        return Some(kind);
    }
    if arg == "id" {
        let owner = lower_first(owner);
        let owner = owner
            .strip_suffix("Input")
            .or(owner.strip_suffix("Filter"))
            .unwrap_or(&owner);
        const VERBS: &[&str] = &[
            "delete", "update", "restore", "revoke", "remove", "complete", "rate", "move",
        ];
        let base = VERBS
            .iter()
            .find_map(|v| owner.strip_prefix(v).filter(|rest| !rest.is_empty()))
            .unwrap_or(owner);
        return known_kind(base);
    }
    known_kind(
        arg.strip_suffix("Ids")
            .or(arg.strip_suffix("Id"))
            .unwrap_or(arg),
    )
}

/// One id a root field takes: its path through arguments and input fields,
/// and the kind of record it names (None: unresolved).
struct IdSlot {
    path: Vec<String>,
    kind: Option<&'static str>,
}

/// Every id slot of `field`'s arguments, recursively through input objects.
fn id_slots(schema: &Schema, field: &Value) -> Vec<IdSlot> {
    let mut slots = Vec::new();
    collect_ids(
        schema,
        name(field),
        ("", ""),
        field["args"].as_array().unwrap(),
        &mut Vec::new(),
        &mut slots,
    );
    slots
}

/// The kind of the id `arg` of `owner`, reached through the input field
/// `via` (owner, name): an `IdFilter`'s `eq` names what its field names.
fn slot_kind(owner: &str, via: (&str, &str), arg: &str) -> Option<&'static str> {
    if owner == "IdFilter" {
        kind_of(via.0, via.1)
    } else {
        kind_of(owner, arg)
    }
}

fn collect_ids(
    schema: &Schema,
    owner: &str,
    via: (&str, &str),
    inputs: &[Value],
    path: &mut Vec<String>,
    slots: &mut Vec<IdSlot>,
) {
    for input in inputs {
        let arg = name(input);
        let ty = named(&input["type"]);
        path.push(arg.to_owned());
        if ty == "ID" {
            slots.push(IdSlot {
                path: path.clone(),
                kind: slot_kind(owner, via, arg),
            });
        } else if schema.kind(ty) == "INPUT_OBJECT" && owner != ty && path.len() < 6 {
            collect_ids(schema, ty, (owner, arg), schema.fields(ty), path, slots);
        }
        path.pop();
    }
}

// ---------------------------------------------------------------- calls

/// Optional input fields given anyway: without them the input changes
/// nothing and is refused before its id is looked up.
const EXTRA_FIELDS: &[(&str, &str)] = &[
    ("UpdateCustomerInput", "name"),
    ("UpdateContactInput", "name"),
    ("UpdateProductInput", "name"),
    ("AssignMemberInput", "teamId"),
    ("CreateSegmentInput", "filter"),
    ("CampaignPlanInput", "name"),
    ("ReplayWebhookEventsInput", "since"),
];

/// How a walker fills arguments: ids by kind, and the one slot under test.
struct Args<'a> {
    ids: &'a BTreeMap<&'static str, String>,
    /// The slot to fill (even when optional) with `target.1`.
    target: Option<(&'a [String], &'a str)>,
    /// What `searchCustomers(query:)` and the like look for.
    search: &'a str,
}

impl Args<'_> {
    fn root(&self, schema: &Schema, field: &Value) -> Map<String, Value> {
        let mut path = Vec::new();
        let mut args = self.inputs(
            schema,
            name(field),
            ("", ""),
            field["args"].as_array().unwrap(),
            &mut path,
        );
        let takes_first = field["args"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| name(a) == "first");
        if takes_first && !args.contains_key("first") {
            args.insert("first".into(), json!(50));
        }
        args
    }

    fn on_target(&self, path: &[String]) -> bool {
        self.target
            .is_some_and(|(t, _)| t.len() >= path.len() && t[..path.len()] == *path)
    }

    fn inputs(
        &self,
        schema: &Schema,
        owner: &str,
        via: (&str, &str),
        inputs: &[Value],
        path: &mut Vec<String>,
    ) -> Map<String, Value> {
        let mut values = Map::new();
        for input in inputs {
            path.push(name(input).to_owned());
            let extra = EXTRA_FIELDS.contains(&(owner, name(input)));
            if mandatory(input) || extra || self.on_target(path) {
                let value = self.value(schema, (owner, via), input, &input["type"], path);
                values.insert(name(input).to_owned(), value);
            }
            path.pop();
        }
        values
    }

    fn value(
        &self,
        schema: &Schema,
        at: (&str, (&str, &str)),
        input: &Value,
        ty: &Value,
        path: &mut Vec<String>,
    ) -> Value {
        match ty["kind"].as_str().unwrap() {
            "NON_NULL" => return self.value(schema, at, input, &ty["ofType"], path),
            "LIST" => return json!([self.value(schema, at, input, &ty["ofType"], path)]),
            _ => {}
        }
        let arg = name(input);
        let type_name = named(ty);
        match (schema.kind(type_name), type_name) {
            (_, "ID") => {
                if let Some((_, id)) = self.target.filter(|(t, _)| *t == path.as_slice()) {
                    return json!(id);
                }
                json!(slot_kind(at.0, at.1, arg)
                    .and_then(|k| self.ids.get(k))
                    .map_or("00000000-0000-0000-0000-000000000000", |id| id.as_str()))
            }
            (_, "String") => json!(match arg {
                "currency" => "USD",
                "email" => "generated@example.com",
                "query" => self.search,
                "scopes" => "customers:read",
                "enum" => "CaseKind",
                _ => "x",
            }),
            (_, "Int") => json!(1),
            (_, "Float") => json!(1.0),
            (_, "Boolean") => json!(true),
            (_, "Decimal") => json!("1"),
            (_, "Date") => json!(chrono::Utc::now().date_naive().to_string()),
            (_, "DateTime") => json!(chrono::Utc::now().to_rfc3339()),
            (_, "JSON") => json!({}),
            ("ENUM", _) => json!(schema.types[type_name]["enumValues"][0]["name"]),
            ("INPUT_OBJECT", _) => Value::Object(self.inputs(
                schema,
                type_name,
                (at.0, arg),
                schema.fields(type_name),
                path,
            )),
            (kind, other) => panic!("no generated value for {kind} {other} ({arg})"),
        }
    }
}

/// The fields of `type_name` to select: scalars, `__typename`, and object
/// fields `depth` levels further; each object field reached is recorded in
/// `edges` as `Type.field`.
fn selection(
    schema: &Schema,
    type_name: &str,
    depth: usize,
    edges: &mut BTreeSet<String>,
) -> String {
    let mut parts = vec!["__typename".to_owned()];
    match schema.kind(type_name) {
        "UNION" | "INTERFACE" => {
            if depth > 0 {
                for possible in schema.types[type_name]["possibleTypes"].as_array().unwrap() {
                    let inner = selection(schema, name(possible), depth, edges);
                    parts.push(format!("... on {} {{ {inner} }}", name(possible)));
                }
            }
        }
        _ => {
            for field in schema.fields(type_name) {
                if field["args"].as_array().unwrap().iter().any(mandatory) {
                    continue;
                }
                let target = named(&field["type"]);
                match schema.kind(target) {
                    "SCALAR" | "ENUM" => parts.push(name(field).to_owned()),
                    _ if depth > 0 => {
                        edges.insert(format!("{type_name}.{}", name(field)));
                        let inner = selection(schema, target, depth - 1, edges);
                        parts.push(format!("{} {{ {inner} }}", name(field)));
                    }
                    _ => {}
                }
            }
        }
    }
    parts.join(" ")
}

/// A document calling the root `field` with `args` as variables.
fn document(
    schema: &Schema,
    mutation: bool,
    field: &Value,
    args: &Map<String, Value>,
    depth: usize,
    edges: &mut BTreeSet<String>,
) -> String {
    let defs: Vec<String> = field["args"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| args.contains_key(name(a)))
        .map(|a| format!("${}: {}", name(a), render(&a["type"])))
        .collect();
    let uses: Vec<String> = defs
        .iter()
        .map(|d| {
            let arg = &d[1..d.find(':').unwrap()];
            format!("{arg}: ${arg}")
        })
        .collect();
    let (defs, uses) = if defs.is_empty() {
        (String::new(), String::new())
    } else {
        (
            format!("({})", defs.join(", ")),
            format!("({})", uses.join(", ")),
        )
    };
    let target = named(&field["type"]);
    let selected = match schema.kind(target) {
        "SCALAR" | "ENUM" => String::new(),
        _ => format!(" {{ {} }}", selection(schema, target, depth, edges)),
    };
    let operation = if mutation { "mutation" } else { "query" };
    format!("{operation}{defs} {{ {}{uses}{selected} }}", name(field))
}

/// One generated call and what came back.
struct Call {
    field: String,
    label: String,
    body: Value,
}

/// Sends `calls` (label, field, document, variables) as `token`, a batch at a time.
async fn send_all(
    app: &TestApp,
    token: &str,
    calls: Vec<(String, String, String, Value)>,
) -> Vec<Call> {
    let mut done = Vec::new();
    for chunk in calls.chunks(BATCH) {
        let bodies = join_all(
            chunk
                .iter()
                .map(|(_, _, doc, vars)| app.gql_with(Some(token), doc, vars.clone())),
        )
        .await;
        for ((label, field, doc, _), body) in chunk.iter().zip(bodies) {
            assert!(
                body["data"].is_object() || body["errors"].is_array(),
                "{label}: not a GraphQL answer to {doc}: {body}"
            );
            done.push(Call {
                field: field.clone(),
                label: label.clone(),
                body,
            });
        }
    }
    done
}

/// Every query field called once with arguments from `args` (`first: 50`
/// for lists), selecting `depth` levels.
fn query_walk(
    schema: &Schema,
    args: &Args,
    depth: usize,
    edges: &mut BTreeSet<String>,
) -> Vec<(String, String, String, Value)> {
    schema
        .root_fields(false)
        .iter()
        .map(|field| {
            let vars = args.root(schema, field);
            let doc = document(schema, false, field, &vars, depth, edges);
            (
                name(field).to_owned(),
                name(field).to_owned(),
                doc,
                Value::Object(vars),
            )
        })
        .collect()
}

/// The needles among `needles` that occur in `value` (compared lowercase).
fn leaks<'a>(value: &Value, needles: &'a [String]) -> Vec<&'a str> {
    let text = value.to_string().to_lowercase();
    needles
        .iter()
        .filter(|n| text.contains(&n.to_lowercase()))
        .map(String::as_str)
        .collect()
}

// ---------------------------------------------------------------- fixture

/// A workspace with one record of every kind reachable by id.
struct Workspace {
    owner: TestTenant,
    ids: BTreeMap<&'static str, String>,
    /// The default pipeline with its stages' ids.
    pipeline: Value,
    /// Marks the names of workspace-wide records (products, teams, …).
    open: String,
    /// Marks the names of customers and what belongs to them.
    owned: String,
}

impl Workspace {
    /// Everything that must never reach another workspace: ids and markers.
    fn needles(&self) -> Vec<String> {
        let mut needles: Vec<String> = self.ids.values().cloned().collect();
        needles.push(self.open.clone());
        needles.push(self.owned.clone());
        needles
    }
}

/// Sends a mutation as `token` and returns its data, failing on errors.
async fn must(app: &TestApp, token: &str, query: &str, input: Value) -> Value {
    let body = app
        .gql_with(Some(token), query, json!({ "input": input }))
        .await;
    assert!(body["errors"].is_null(), "{query} failed: {body}");
    body["data"].clone()
}

fn id(value: &Value) -> String {
    value
        .as_str()
        .unwrap_or_else(|| panic!("no id in {value}"))
        .to_owned()
}

/// Creates a customer of `owner` named "Zephyr …" with a contact, a deal
/// (with a line), an order, a case and a task; returns their ids by kind.
async fn customer_with_records(
    app: &TestApp,
    owner: &TestTenant,
    label: &str,
    owner_id: Option<&str>,
    product: &str,
    pipeline: &Value,
) -> BTreeMap<&'static str, String> {
    let t = owner.token.as_str();
    let mut ids = BTreeMap::new();
    let customer = app
        .create_customer(
            owner,
            json!({ "kind": "COMPANY", "name": format!("Zephyr {label}"),
                    "email": format!("{label}@example.com"), "ownerId": owner_id }),
        )
        .await;
    let customer = id(&customer["id"]);
    let contact = must(app, t, "mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id } } }",
        json!({ "customerId": customer, "name": format!("{label} contact"), "email": format!("{label}.contact@example.com") })).await;
    let contact = id(&contact["createContact"]["contact"]["id"]);
    let deal = must(app, t, "mutation($input: CreateDealInput!) { createDeal(input: $input) { deal { id } } }",
        json!({ "customerId": customer, "name": format!("{label} deal"), "currency": "USD", "amount": "100",
                "pipelineId": pipeline["id"], "stageId": pipeline["stages"][0]["id"],
                "contacts": [{ "contactId": contact }],
                "lines": [{ "productId": product, "quantity": "1", "unitPrice": "100" }] })).await;
    let deal = id(&deal["createDeal"]["deal"]["id"]);
    let order = must(app, t, "mutation($input: CreateOrderInput!) { createOrder(input: $input) { order { id } } }",
        json!({ "customerId": customer, "currency": "USD", "dealId": deal, "externalId": format!("{label}-order"),
                "lines": [{ "productId": product, "quantity": "2", "unitPrice": "5" }] })).await;
    let order = id(&order["createOrder"]["order"]["id"]);
    let case = must(
        app,
        t,
        "mutation($input: CreateCaseInput!) { createCase(input: $input) { case { id } } }",
        json!({ "customerId": customer, "contactId": contact, "subject": format!("{label} case"),
                "kind": "INQUIRY", "channel": "EMAIL" }),
    )
    .await;
    let case = id(&case["createCase"]["case"]["id"]);
    let task = must(app, t, "mutation($input: LogInteractionInput!) { logInteraction(input: $input) { interaction { id } } }",
        json!({ "customerId": customer, "contactId": contact, "dealId": deal, "kind": "TASK",
                "subject": format!("{label} task"), "dueAt": "2030-01-01T00:00:00Z" })).await;
    let task = id(&task["logInteraction"]["interaction"]["id"]);
    ids.insert("customer", customer);
    ids.insert("contact", contact);
    ids.insert("deal", deal);
    ids.insert("order", order);
    ids.insert("case", case);
    ids.insert("interaction", task);
    ids
}

/// Signs up `slug` and creates one record of every kind, named with
/// `{slug}open` (workspace-wide records) and `{slug}owned` (customer-owned).
async fn workspace(app: &TestApp, slug: &str) -> Workspace {
    let owner = app.sign_up(slug).await;
    let t = owner.token.as_str();
    let open = format!("{slug}open");
    let owned = format!("{slug}owned");
    let mut ids = BTreeMap::new();
    ids.insert("user", owner.user_id.clone());

    let team = must(
        app,
        t,
        "mutation($input: CreateTeamInput!) { createTeam(input: $input) { id } }",
        json!({ "name": format!("{open} team") }),
    )
    .await;
    ids.insert("team", id(&team["createTeam"]["id"]));
    let region = must(
        app,
        t,
        "mutation($input: CreateRegionInput!) { createRegion(input: $input) { id } }",
        json!({ "name": format!("{open} region") }),
    )
    .await;
    ids.insert("region", id(&region["createRegion"]["id"]));
    let product = must(
        app,
        t,
        "mutation($input: CreateProductInput!) { createProduct(input: $input) { product { id } } }",
        json!({ "sku": format!("{open}-sku"), "name": format!("{open} product") }),
    )
    .await;
    let product = id(&product["createProduct"]["product"]["id"]);
    ids.insert("product", product.clone());
    let list = must(app, t, "mutation($input: CreatePriceListInput!) { createPriceList(input: $input) { priceList { id } } }",
        json!({ "name": format!("{open} prices"), "currency": "USD" })).await;
    let list = id(&list["createPriceList"]["priceList"]["id"]);
    must(
        app,
        t,
        "mutation($input: SetPricesInput!) { setPrices(input: $input) { priceList { id } } }",
        json!({ "priceListId": list, "prices": [{ "productId": product, "unitPrice": "10" }] }),
    )
    .await;
    ids.insert("priceList", list);
    let pipelines = app
        .gql_as(
            &owner,
            "{ pipelines { id isDefault stages { id } } }",
            json!({}),
        )
        .await;
    let pipeline = pipelines["data"]["pipelines"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["isDefault"] == true))
        .unwrap_or_else(|| panic!("no default pipeline: {pipelines}"))
        .clone();
    ids.insert("pipeline", id(&pipeline["id"]));
    ids.insert("stage", id(&pipeline["stages"][0]["id"]));
    ids.extend(customer_with_records(app, &owner, &owned, None, &product, &pipeline).await);
    let lead = must(
        app,
        t,
        "mutation($input: CreateLeadInput!) { createLead(input: $input) { lead { id } } }",
        json!({ "name": format!("{owned} lead"), "email": format!("{owned}.lead@example.com") }),
    )
    .await;
    ids.insert("lead", id(&lead["createLead"]["lead"]["id"]));
    let segment = must(
        app,
        t,
        "mutation($input: CreateSegmentInput!) { createSegment(input: $input) { segment { id } } }",
        json!({ "name": format!("{owned} list"), "kind": "STATIC" }),
    )
    .await;
    let segment_id = id(&segment["createSegment"]["segment"]["id"]);
    must(
        app,
        t,
        "mutation($input: SegmentMembersInput!) { addSegmentMembers(input: $input) { changed } }",
        json!({ "segmentId": segment_id, "customerIds": [ids["customer"]] }),
    )
    .await;
    must(
        app,
        t,
        "mutation($input: CreateSegmentInput!) { createSegment(input: $input) { segment { id } } }",
        json!({ "name": format!("{owned} dynamic"), "kind": "DYNAMIC", "filter": { "name": { "startsWith": SEARCH } } }),
    )
    .await;
    let campaign = must(
        app,
        t,
        "mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { campaign { id } } }",
        json!({ "code": format!("{owned} campaign"), "plan": { "name": format!("{owned} campaign"),
                "budget": { "amount": "100", "currency": "USD" } } }),
    )
    .await;
    let campaign_id = id(&campaign["createCampaign"]["campaign"]["id"]);
    let cost = must(
        app,
        t,
        "mutation($input: AddCampaignCostInput!) { addCampaignCost(input: $input) { campaign { costs { id } } } }",
        json!({ "campaignId": campaign_id, "kind": "ACTUAL", "category": format!("{open} media"),
                "amount": { "amount": "10", "currency": "USD" }, "incurredOn": "2026-11-01" }),
    )
    .await;
    ids.insert(
        "campaignCost",
        id(&cost["addCampaignCost"]["campaign"]["costs"][0]["id"]),
    );
    let step = must(
        app,
        t,
        "mutation($input: AddCampaignStepInput!) { addCampaignStep(input: $input) { step { id } } }",
        json!({ "campaignId": campaign_id, "kind": "EMAIL", "scheduledAt": "2099-01-01T00:00:00Z",
                "texts": [{ "language": "EN", "subject": format!("{open} step"), "body": "Hello {{contact.name}}" }] }),
    )
    .await;
    ids.insert("campaignStep", id(&step["addCampaignStep"]["step"]["id"]));
    must(
        app,
        t,
        "mutation($input: SetCampaignAudienceInput!) { setCampaignAudience(input: $input) { campaign { id } } }",
        json!({ "campaignId": campaign_id, "segmentIds": [segment_id] }),
    )
    .await;
    must(
        app,
        t,
        "mutation($input: CampaignMembersInput!) { addCampaignMembers(input: $input) { changed } }",
        json!({ "campaignId": campaign_id, "customerIds": [ids["customer"]] }),
    )
    .await;
    ids.insert("campaign", campaign_id);
    ids.insert("segment", segment_id);
    let field = must(app, t, "mutation($input: DefineCustomFieldInput!) { defineCustomField(input: $input) { id } }",
        json!({ "object": "CUSTOMER", "key": "generated", "label": format!("{open} field"), "type": "TEXT" })).await;
    ids.insert("customField", id(&field["defineCustomField"]["id"]));
    let key = must(
        app,
        t,
        "mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { apiKey { id } } }",
        json!({ "name": format!("{open} key"), "scopes": ["customers:read"] }),
    )
    .await;
    ids.insert("apiKey", id(&key["createApiKey"]["apiKey"]["id"]));
    let invitation = must(app, t, "mutation($input: InviteMemberInput!) { inviteMember(input: $input) { invitation { id } } }",
        json!({ "email": format!("{open}.invitee@example.com"), "role": "VIEWER" })).await;
    ids.insert(
        "invitation",
        id(&invitation["inviteMember"]["invitation"]["id"]),
    );
    app.recompute_customer_value(&owner).await;
    let runs = app
        .gql_as(
            &owner,
            "{ analyticsRuns(first: 1) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    ids.insert(
        "analyticsRun",
        id(&runs["data"]["analyticsRuns"]["edges"][0]["node"]["id"]),
    );
    // A name that resolves to loopback: the address guard refuses every
    // delivery, so the suites reach nothing outside this machine.
    let hook = must(
        app,
        t,
        "mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { endpoint { id } } }",
        json!({ "url": format!("https://localhost/{open}"), "eventTypes": ["CUSTOMER_CREATED"] }),
    )
    .await;
    ids.insert(
        "webhookEndpoint",
        id(&hook["createWebhookEndpoint"]["endpoint"]["id"]),
    );
    let events = must(
        app,
        t,
        "query($input: [DomainEventKind!]) { domainEvents(first: 1, types: $input) { edges { node { id } } } }",
        json!(["CUSTOMER_CREATED"]),
    )
    .await;
    ids.insert(
        "event",
        id(&events["domainEvents"]["edges"][0]["node"]["id"]),
    );
    for kind in KINDS {
        assert!(ids.contains_key(kind), "the fixture lacks a {kind}");
    }
    Workspace {
        owner,
        ids,
        pipeline,
        open,
        owned,
    }
}

/// A server whose document limits let generated walks through: the suites
/// test who sees what, not the size limits (tested elsewhere).
async fn spawn() -> TestApp {
    TestApp::spawn_with(|c| {
        c.graphql.max_complexity = 1_000_000;
        c.graphql.max_document_chars = 1_000_000;
        c.graphql.max_depth = 64;
    })
    .await
}

/// What `customerId`-style generated searches look for: every fixture
/// customer's name starts with it.
const SEARCH: &str = "Zephyr";

// ---------------------------------------------------------------- isolation

/// Whether an answer refused (NOT_FOUND or VALIDATION only) or came back
/// empty: no record (nothing with an `id`), no list item, no count.
fn refused_or_empty(body: &Value, field: &str) -> bool {
    if let Some(errors) = body["errors"].as_array() {
        return errors.iter().all(|e| {
            matches!(
                e["extensions"]["code"].as_str(),
                Some("NOT_FOUND" | "VALIDATION")
            )
        });
    }
    empty(&body["data"][field])
}

fn empty(value: &Value) -> bool {
    match value {
        Value::Null | Value::Bool(_) | Value::String(_) => true,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::Array(items) => items.is_empty(),
        Value::Object(fields) => fields
            .iter()
            .all(|(k, v)| (k != "id" || v.is_null()) && empty(v)),
    }
}

/// An answer with its timestamps (`…At`) masked, to compare two answers.
fn masked(value: &Value) -> Value {
    match value {
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| {
                    let v = if k.ends_with("At") {
                        Value::Null
                    } else {
                        masked(v)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(masked).collect()),
        other => other.clone(),
    }
}

/// Whether two answers say the same (error codes, or data up to timestamps).
fn same_answer(one: &Value, other: &Value) -> bool {
    let codes = |b: &Value| -> Vec<Value> {
        b["errors"].as_array().map_or(Vec::new(), |e| {
            e.iter().map(|e| e["extensions"]["code"].clone()).collect()
        })
    };
    codes(one) == codes(other) && masked(&one["data"]) == masked(&other["data"])
}

/// `value` without figures that change with the clock alone (how long a
/// deal has been in its current stage).
fn without_clock(value: &Value) -> Value {
    match value {
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .filter(|(k, _)| *k != "durationSeconds")
                .map(|(k, v)| (k.clone(), without_clock(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_clock).collect()),
        other => other.clone(),
    }
}

/// The paths where `before` and `after` differ, with both values.
fn differences(before: &Value, after: &Value, path: &str, found: &mut Vec<String>) {
    match (before, after) {
        (Value::Object(b), Value::Object(a)) if b.len() == a.len() => {
            for (k, v) in b {
                differences(
                    v,
                    &a.get(k).cloned().unwrap_or_default(),
                    &format!("{path}.{k}"),
                    found,
                );
            }
        }
        (Value::Array(b), Value::Array(a)) if b.len() == a.len() => {
            for (i, (b, a)) in b.iter().zip(a).enumerate() {
                differences(b, a, &format!("{path}.{i}"), found);
            }
        }
        _ if before != after => found.push(format!("{path}: {before} -> {after}")),
        _ => {}
    }
}

/// How a call with A's id in a slot was answered, for the summary.
fn outcome(call: &Call) -> String {
    // An id filter's `eq` or `in` is named by the field holding the filter.
    let leaf = call
        .label
        .trim_end_matches(')')
        .rsplit(['.', '('])
        .find(|part| !matches!(*part, "eq" | "in"))
        .unwrap_or_default();
    match (error_code(&call.body), error_field(&call.body)) {
        (Some("VALIDATION"), Some(field)) if !field.contains(leaf) => {
            format!("VALIDATION of {field} ({})", call.label)
        }
        (Some(code), _) => code.to_owned(),
        (None, _) if empty(&call.body["data"][&call.field]) => "empty".to_owned(),
        (None, _) => format!("as for an unknown id ({})", call.label),
    }
}

/// Root query fields whose answers make up a workspace's data, read as its
/// owner before and after a sweep.
const SNAPSHOT: &[&str] = &[
    "customers",
    "contacts",
    "deals",
    "orders",
    "cases",
    "leads",
    "products",
    "priceLists",
    "pipelines",
    "teams",
    "regions",
    "invitations",
    "apiKeys",
    "members",
    "customFieldDefinitions",
    "customer",
    "contact",
    "deal",
    "order",
    "case",
    "lead",
    "product",
    "priceList",
];

async fn snapshot(app: &TestApp, schema: &Schema, ws: &Workspace) -> BTreeMap<String, Value> {
    let args = Args {
        ids: &ws.ids,
        target: None,
        search: SEARCH,
    };
    let calls: Vec<_> = query_walk(schema, &args, 3, &mut BTreeSet::new())
        .into_iter()
        .filter(|(_, field, _, _)| SNAPSHOT.contains(&field.as_str()))
        .collect();
    assert_eq!(calls.len(), SNAPSHOT.len(), "a snapshot field is gone");
    send_all(app, &ws.owner.token, calls)
        .await
        .into_iter()
        .map(|call| {
            let data = &call.body["data"][&call.field];
            assert!(
                call.body["errors"].is_null() && !empty(data),
                "{}: {}",
                call.label,
                call.body
            );
            (call.field, without_clock(data))
        })
        .collect()
}

#[tokio::test]
async fn another_workspace_reaches_nothing_of_a_through_any_generated_call() {
    let app = spawn().await;
    let (a, b) = tokio::join!(workspace(&app, "alphaws"), workspace(&app, "bravows"));
    let schema = Schema::load(&app, &b.owner.token).await;

    let mut unresolved = Vec::new();
    let mut calls = Vec::new();
    let mut edges = BTreeSet::new();
    // Root fields called, by query (false) and mutation (true).
    let mut called: BTreeMap<bool, BTreeSet<String>> = BTreeMap::new();
    let mut slots_called = 0;
    for mutation in [false, true] {
        for field in schema.root_fields(mutation) {
            let slots = id_slots(&schema, field);
            if slots.is_empty() && !mutation {
                let args = Args {
                    ids: &b.ids,
                    target: None,
                    search: SEARCH,
                };
                let vars = args.root(&schema, field);
                let doc = document(&schema, false, field, &vars, 3, &mut edges);
                calls.push((
                    name(field).to_owned(),
                    name(field).to_owned(),
                    doc,
                    Value::Object(vars),
                ));
                called
                    .entry(false)
                    .or_default()
                    .insert(name(field).to_owned());
            }
            for slot in slots {
                let label = format!("{}({})", name(field), slot.path.join("."));
                let Some(kind) = slot.kind else {
                    unresolved.push(label);
                    continue;
                };
                // The same call with an id nothing has, to compare with.
                let unknown = uuid::Uuid::new_v4().to_string();
                for (id, label) in [
                    (&a.ids[kind], label.clone()),
                    (&unknown, format!("{label}~unknown")),
                ] {
                    let args = Args {
                        ids: &b.ids,
                        target: Some((&slot.path, id)),
                        search: SEARCH,
                    };
                    let vars = args.root(&schema, field);
                    let depth = if mutation { 2 } else { 3 };
                    let doc = document(&schema, mutation, field, &vars, depth, &mut edges);
                    calls.push((label, name(field).to_owned(), doc, Value::Object(vars)));
                }
                called
                    .entry(mutation)
                    .or_default()
                    .insert(name(field).to_owned());
                slots_called += 1;
            }
        }
    }
    assert!(
        unresolved.is_empty(),
        "ids of unknown kind (name them in EXPLICIT_KINDS): {unresolved:#?}"
    );

    let before = snapshot(&app, &schema, &a).await;
    let total = calls.len();
    let needles = a.needles();
    let markers = [a.open.clone(), a.owned.clone()];
    let mut failures = Vec::new();
    let mut outcomes = BTreeMap::new();
    let answers = send_all(&app, &b.owner.token, calls).await;
    let by_label: HashMap<&str, &Value> = answers
        .iter()
        .map(|c| (c.label.as_str(), &c.body))
        .collect();
    for call in answers.iter().filter(|c| !c.label.ends_with("~unknown")) {
        let leaked = [
            leaks(&call.body["data"], &needles),
            leaks(&call.body["errors"], &markers),
        ]
        .concat();
        let unknown = by_label.get(format!("{}~unknown", call.label).as_str());
        if !leaked.is_empty() {
            failures.push(format!("{} leaked {leaked:?}: {}", call.label, call.body));
        } else if let Some(unknown) = unknown {
            *outcomes.entry(outcome(call)).or_insert(0) += 1;
            // A's id must be refused, find nothing, or be taken for an id
            // that does not exist.
            if !refused_or_empty(&call.body, &call.field) && !same_answer(&call.body, unknown) {
                failures.push(format!(
                    "{} answered with A's id: {}\n  and with an unknown id: {unknown}",
                    call.label, call.body
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {total} calls failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let mut changed = Vec::new();
    differences(
        &Value::from_iter(before),
        &Value::from_iter(snapshot(&app, &schema, &a).await),
        "",
        &mut changed,
    );
    assert!(
        changed.is_empty(),
        "A's records changed:\n{}",
        changed.join("\n")
    );

    println!("isolation outcomes of A's ids: {outcomes:?}");
    let missed: Vec<_> = outcomes
        .keys()
        .filter(|o| o.starts_with("VALIDATION of"))
        .collect();
    assert!(
        missed.is_empty(),
        "refused before the id was looked up (give the field in EXTRA_FIELDS): {missed:?}"
    );
    println!(
        "isolation: {total} calls (half of the id calls with an unknown id): {} query fields (of {}), {} mutations, {slots_called} id slots with A's ids, {} edges selected",
        called[&false].len(),
        schema.root_fields(false).len(),
        called[&true].len(),
        edges.len()
    );
    assert_eq!(
        called[&false].len(),
        schema.root_fields(false).len(),
        "every query field is called"
    );
    assert!(
        slots_called > 80,
        "only {slots_called} id slots were called"
    );
}

// ---------------------------------------------------------------- visibility

async fn set_visibility(app: &TestApp, owner: &TestTenant, visibility: &str) {
    must(
        app,
        &owner.token,
        "mutation($input: UpdateTenantSettingsInput!) { updateTenantSettings(input: $input) { customerVisibility } }",
        json!({ "customerVisibility": visibility }),
    )
    .await;
}

/// Walks every query field as `token` twice (ids of `hidden`, then of
/// `visible`, records), selecting three levels; returns the answers and
/// the number of edges selected.
async fn rep_walk(
    app: &TestApp,
    schema: &Schema,
    token: &str,
    hidden: &BTreeMap<&'static str, String>,
    visible: &BTreeMap<&'static str, String>,
) -> (Vec<Call>, usize) {
    let mut edges = BTreeSet::new();
    let mut calls = Vec::new();
    for ids in [hidden, visible] {
        let args = Args {
            ids,
            target: None,
            search: SEARCH,
        };
        calls.extend(query_walk(schema, &args, 3, &mut edges));
    }
    (send_all(app, token, calls).await, edges.len())
}

#[tokio::test]
async fn a_restricted_sales_rep_sees_no_hidden_customer_through_any_field_or_edge() {
    let app = spawn().await;
    let a = workspace(&app, "alphaws").await;
    let schema = Schema::load(&app, &a.owner.token).await;
    let team = a.ids["team"].clone();
    let (rep, rep_id) = app
        .invite_member(&a.owner, "rep@example.com", "SALES", Some(&team))
        .await;
    let (_, mate_id) = app
        .invite_member(&a.owner, "mate@example.com", "SALES", Some(&team))
        .await;
    let product = &a.ids["product"];
    let mut own = a.ids.clone();
    own.extend(
        customer_with_records(
            &app,
            &a.owner,
            "repvisible",
            Some(&rep_id),
            product,
            &a.pipeline,
        )
        .await,
    );
    let mates = customer_with_records(
        &app,
        &a.owner,
        "matevisible",
        Some(&mate_id),
        product,
        &a.pipeline,
    )
    .await;
    let second = app
        .create_customer(
            &a.owner,
            json!({ "kind": "PERSON", "name": format!("Zephyr {} second", a.owned) }),
        )
        .await;

    // The owner's customers and what belongs to them are hidden from the rep.
    const OWNED: &[&str] = &[
        "customer",
        "contact",
        "interaction",
        "deal",
        "order",
        "case",
    ];
    let mut hidden: Vec<String> = OWNED.iter().map(|k| a.ids[k].clone()).collect();
    hidden.push(id(&second["id"]));
    hidden.push(a.owned.clone());
    let mut hidden_own = hidden.clone();
    hidden_own.extend(OWNED.iter().map(|k| mates[k].clone()));
    hidden_own.push("matevisible".into());

    for (visibility, needles) in [("OWN", &hidden_own), ("TEAM", &hidden)] {
        set_visibility(&app, &a.owner, visibility).await;
        let (calls, edges) = rep_walk(&app, &schema, &rep, &a.ids, &own).await;
        let mut failures = Vec::new();
        for call in &calls {
            let leaked = leaks(&call.body, needles);
            if !leaked.is_empty() {
                failures.push(format!("{} showed {leaked:?}: {}", call.label, call.body));
            }
        }
        assert!(
            failures.is_empty(),
            "under {visibility}:\n{}",
            failures.join("\n")
        );
        // The walk does reach what the rep may see.
        let mut expected = vec![
            ("customers", &own["customer"]),
            ("searchCustomers", &own["customer"]),
            ("orders", &own["order"]),
        ];
        if visibility == "TEAM" {
            expected.push(("customers", &mates["customer"]));
        }
        for (field, record) in expected {
            assert!(
                calls.iter().any(|c| c.field == field
                    && c.body["data"][field].to_string().contains(record.as_str())),
                "under {visibility}, {field} does not show {record}: {:?}",
                calls
                    .iter()
                    .filter(|c| c.field == field)
                    .map(|c| &c.body)
                    .collect::<Vec<_>>()
            );
        }
        println!(
            "visibility {visibility}: {} calls over {} query fields, {edges} edges",
            calls.len(),
            schema.root_fields(false).len()
        );
        assert!(edges > 100, "only {edges} edges were selected");
    }
}

// ---------------------------------------------------------------- scopes

/// The area of each object type a query can reach; `neutral` types carry
/// nothing of an area themselves (their parent's area rules).
const AREAS: &[(&str, &[&str])] = &[
    (
        "neutral",
        &[
            "Viewer",
            "User",
            "Tenant",
            "TenantMembership",
            "PageInfo",
            "Money",
            "EnumLabel",
        ],
    ),
    (
        "customers",
        &[
            "Customer",
            "CustomerConnection",
            "CustomerEdge",
            "Contact",
            "ContactConnection",
            "ContactEdge",
            "ContactListConnection",
            "ContactPoint",
            "PostalAddress",
            "Interaction",
            "InteractionConnection",
            "InteractionEdge",
            "CustomerChange",
            "CustomerChangeConnection",
            "CustomerChangeEdge",
            "TimelineConnection",
            "TimelineEdge",
            "TimelineEntry",
            "DuplicateCandidate",
            "CustomFieldDefinition",
            "Member",
            "Team",
            "Region",
        ],
    ),
    (
        "orders",
        &[
            "Order",
            "OrderConnection",
            "OrderEdge",
            "OrderLine",
            "Product",
            "ProductConnection",
            "ProductEdge",
            "ProductPrice",
            "Price",
            "PriceConnection",
            "PriceEdge",
            "PriceList",
            "PriceListConnection",
            "PriceListEdge",
            "ExchangeRate",
            "ExchangeRateConnection",
            "ExchangeRateEdge",
        ],
    ),
    (
        "deals",
        &[
            "Deal",
            "DealConnection",
            "DealEdge",
            "DealContact",
            "DealLine",
            "DealStageVisit",
            "Pipeline",
            "PipelineStage",
        ],
    ),
    ("leads", &["Lead", "LeadConnection", "LeadEdge"]),
    (
        "reports",
        &[
            "SalesForecast",
            "SalesForecastRow",
            "SalesActivityReport",
            "SalesActivityFigures",
            "RepSalesActivity",
            "TeamSalesActivity",
        ],
    ),
    (
        "cases",
        &[
            "Case",
            "CaseConnection",
            "CaseEdge",
            "CaseEvent",
            "CaseSatisfaction",
            "CaseServiceLevel",
            "ServiceSummary",
        ],
    ),
    (
        "admin",
        &[
            "ApiKey",
            "AuditEvent",
            "AuditEventConnection",
            "AuditEventEdge",
            "OutboundMessage",
            "OutboundMessageConnection",
            "OutboundMessageEdge",
            "Invitation",
            "DomainEvent",
            "DomainEventConnection",
            "DomainEventEdge",
            "WebhookEndpoint",
            "WebhookEndpointConnection",
            "WebhookEndpointEdge",
            "WebhookAttempt",
            "WebhookAttemptConnection",
            "WebhookAttemptEdge",
        ],
    ),
    (
        "analytics",
        &[
            "AnalyticsRun",
            "AnalyticsRunConnection",
            "AnalyticsRunEdge",
            "CustomerValue",
            "CustomerValueModels",
            "BgNbdModel",
            "GammaGammaModel",
            "CustomerValueSettings",
            "CustomerValueSummary",
            "TierSummary",
            "SegmentSummary",
            "RfmCell",
            "ValueBucket",
            "ParetoSummary",
            "ParetoPoint",
            "CustomerGrowth",
            "GrowthMetric",
            "GrowthMoneyMetric",
            "DeeperGrowth",
            "LongerGrowth",
            "WiderGrowth",
            "AnalysisResult",
            "AnalysisRow",
            "AnalysisKey",
            "CrossSellRecommendation",
        ],
    ),
    (
        "marketing",
        &[
            "Segment",
            "SegmentConnection",
            "SegmentEdge",
            "SegmentSize",
            "Campaign",
            "CampaignConnection",
            "CampaignEdge",
            "CampaignCost",
            "CampaignMember",
            "CampaignMemberConnection",
            "CampaignMemberEdge",
            "CampaignMemberStatusCount",
            "CampaignResults",
            "CampaignStep",
            "CampaignStepText",
        ],
    ),
];

/// Figures of another area on a customer (README, "Roles and permissions").
const FIELD_AREAS: &[(&str, &str, &str)] = &[
    ("Customer", "orderCount", "orders"),
    ("Customer", "orderTotal", "orders"),
    ("Customer", "lastOrderAt", "orders"),
    ("Customer", "openDealCount", "deals"),
    ("Customer", "openDealAmount", "deals"),
    ("Customer", "openCaseCount", "cases"),
];

fn area_of(type_name: &str) -> Option<&'static str> {
    AREAS
        .iter()
        .find(|(_, types)| types.contains(&type_name))
        .map(|(area, _)| *area)
}

/// The areas a permission lets a caller read (writing implies no reading;
/// granting more here only makes the suite more lenient).
fn granted(permission: &str) -> Vec<&'static str> {
    let (area, _) = permission.split_once(':').expect("area:action");
    match area {
        "customers" => vec!["customers"],
        // Customer value analytics are read with orders:read.
        "orders" | "products" | "exchange_rates" => vec!["orders", "analytics"],
        "deals" | "pipelines" => vec!["deals"],
        "leads" => vec!["leads"],
        "sales" => vec!["reports"],
        "cases" => vec!["cases"],
        "admin" => vec!["admin"],
        "analytics" => vec!["analytics"],
        "marketing" => vec!["marketing"],
        other => panic!("no areas for the permission area {other}"),
    }
}

/// Object types reachable from the query root.
fn reachable(schema: &Schema) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo = vec![schema.query.clone()];
    while let Some(t) = todo.pop() {
        let kind = schema.kind(&t);
        if !matches!(kind, "OBJECT" | "INTERFACE" | "UNION") || !seen.insert(t.clone()) {
            continue;
        }
        for f in schema.fields(&t) {
            todo.push(named(&f["type"]).to_owned());
        }
        if let Some(possible) = schema.types[&t]["possibleTypes"].as_array() {
            todo.extend(possible.iter().map(|p| name(p).to_owned()));
        }
    }
    seen.remove(&schema.query);
    seen
}

/// Data of areas outside `areas` in `value` (every object carries its
/// `__typename`): objects with a value of their own, and foreign figures.
fn foreign_data(value: &Value, areas: &[&str], path: &str, found: &mut Vec<String>) {
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                foreign_data(item, areas, &format!("{path}.{i}"), found);
            }
        }
        Value::Object(fields) => {
            // A JSON scalar (custom fields) belongs to the object holding it.
            let Some(type_name) = fields.get("__typename").and_then(Value::as_str) else {
                return;
            };
            let area = area_of(type_name).unwrap_or_else(|| panic!("{type_name} has no area"));
            let own_value = fields
                .iter()
                .any(|(k, v)| k != "__typename" && !v.is_null() && !v.is_object() && !v.is_array());
            if area != "neutral" && !areas.contains(&area) && own_value {
                found.push(format!("{path}: {type_name} ({area})"));
            }
            for (t, field, area) in FIELD_AREAS {
                if *t == type_name
                    && !fields.get(*field).unwrap_or(&Value::Null).is_null()
                    && !areas.contains(area)
                {
                    found.push(format!("{path}.{field} ({area})"));
                }
            }
            for (k, v) in fields {
                foreign_data(v, areas, &format!("{path}.{k}"), found);
            }
        }
        _ => {}
    }
}

#[tokio::test]
async fn a_single_scope_key_reads_data_of_its_areas_only() {
    let app = spawn().await;
    let a = workspace(&app, "alphaws").await;
    let schema = Schema::load(&app, &a.owner.token).await;
    let unmapped: Vec<_> = reachable(&schema)
        .into_iter()
        .filter(|t| area_of(t).is_none())
        .collect();
    assert!(
        unmapped.is_empty(),
        "object types without an area (add them to AREAS): {unmapped:?}"
    );

    let me = app
        .gql_as(&a.owner, "{ me { permissions } }", json!({}))
        .await;
    let permissions: Vec<String> =
        serde_json::from_value(me["data"]["me"]["permissions"].clone()).unwrap();
    assert!(permissions.len() >= 20, "{me}");
    let args = Args {
        ids: &a.ids,
        target: None,
        search: SEARCH,
    };
    let mut failures = Vec::new();
    let mut read = BTreeMap::new();
    let (mut total, mut forbidden) = (0, 0);
    for permission in &permissions {
        let key = must(
            &app,
            &a.owner.token,
            "mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }",
            json!({ "name": format!("only {permission}"), "scopes": [permission] }),
        )
        .await;
        let secret = key["createApiKey"]["secret"].as_str().unwrap().to_owned();
        let areas = granted(permission);
        let calls = send_all(
            &app,
            &secret,
            query_walk(&schema, &args, 3, &mut BTreeSet::new()),
        )
        .await;
        total += calls.len();
        for call in &calls {
            let mut found = Vec::new();
            foreign_data(&call.body["data"], &areas, &call.field, &mut found);
            if !found.is_empty() {
                failures.push(format!("{permission} read {found:?}: {}", call.body));
            }
            let errors = call.body["errors"].as_array().into_iter().flatten();
            forbidden += usize::from(
                errors
                    .clone()
                    .any(|e| e["extensions"]["code"] == "FORBIDDEN"),
            );
            if call.body["data"][&call.field].is_object()
                || call.body["data"][&call.field]
                    .as_array()
                    .is_some_and(|l| !l.is_empty())
            {
                *read.entry(permission.clone()).or_insert(0) += 1;
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} answers with data of other areas:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The keys do read their own areas, so the walk reaches data at all.
    for permission in [
        "customers:read",
        "orders:read",
        "deals:read",
        "leads:read",
        "cases:read",
        "admin:audit",
    ] {
        assert!(
            read.get(permission).copied().unwrap_or(0) > 0,
            "{permission} read nothing: {read:?}"
        );
    }
    println!(
        "scopes: {} single-scope keys, {total} calls over {} query fields, {forbidden} answered FORBIDDEN",
        permissions.len(),
        schema.root_fields(false).len()
    );
}
