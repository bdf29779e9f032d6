//! HTTP routes: the GraphQL endpoint, the CSV export, health and readiness,
//! and the web console.

pub mod console;
pub mod export;
pub mod export_slots;
pub mod graphql;
pub mod health;
pub mod pages;
pub mod request_id;
