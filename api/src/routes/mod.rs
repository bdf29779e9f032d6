//! HTTP routes: the GraphQL endpoint, health and readiness.

pub mod graphql;
pub mod health;
pub mod pages;
pub mod request_id;
