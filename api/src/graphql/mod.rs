//! The public GraphQL API: one module per business area, merged in `schema`.
//!
//! Resolvers are thin: they check the caller's permission, parse input into
//! domain types, call the domain and map the result.

pub mod admin;
pub mod analytics;
pub mod common;
pub mod context;
pub mod customers;
pub mod deals;
pub mod documents;
pub mod identity;
pub mod languages;
pub mod limits;
pub mod loaders;
pub mod marketing;
pub mod responses;
pub mod sales;
pub mod schema;
pub mod service;
pub mod view_queries;
pub mod webhooks;

pub use schema::{build_schema, CrmSchema};
