//! HTTP routes: the GraphQL endpoint, health and readiness.

pub mod graphql;
pub mod health;
pub mod ide;
pub mod request_id;
