//! The public contract: the schema's SDL is kept in `api/schema.graphql`, so
//! every change to the API shows up in review. Regenerate it with
//! `UPDATE_SCHEMA=1 cargo test -p crm-tests --test schema`.

use crm_api::config::GraphqlLimits;
use crm_api::graphql::build_schema;

#[test]
fn the_schema_matches_the_committed_sdl() {
    let sdl = build_schema(&GraphqlLimits::default()).sdl();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../api/schema.graphql");
    if std::env::var("UPDATE_SCHEMA").is_ok() {
        std::fs::write(path, &sdl).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == sdl,
        "the schema changed; review it and run `UPDATE_SCHEMA=1 cargo test -p crm-tests --test schema`"
    );
}

#[test]
fn the_agreed_names_of_the_core_api_are_present() {
    let committed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../api/schema.graphql"
    ))
    .unwrap();
    for name in [
        "signUp(input: SignUpInput!): AuthPayload!",
        "signIn(input: SignInInput!): AuthPayload!",
        "me: Viewer!",
        "customer(id: ID!): Customer",
        "createCustomer(input: CreateCustomerInput!): CustomerPayload!",
        "updateCustomer(input: UpdateCustomerInput!): CustomerPayload!",
        "deleteCustomer(id: ID!): Boolean!",
        "input CustomerFilter",
        "enum CustomerOrderField",
        "type CustomerConnection",
        "refreshSession(refreshToken: String!): AuthPayload!",
        "signOut: Boolean!",
        "createApiKey(input: CreateApiKeyInput!): CreateApiKeyPayload!",
        "revokeApiKey(id: ID!): Boolean!",
        "createOrder(input: CreateOrderInput!): OrderPayload!",
        "importOrders(input: ImportOrdersInput!): ImportReport!",
        "orders(first: Int, after: String): OrderConnection!",
    ] {
        assert!(committed.contains(name), "missing `{name}`");
    }
}
