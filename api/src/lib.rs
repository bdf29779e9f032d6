//! The CRM server: a multi-tenant GraphQL API over PostgreSQL and Redis.
//!
//! `startup` wires the application, `config` is its one configuration,
//! `tenancy` holds the tenant transaction every tenant query runs in,
//! `auth` identifies callers, `domain` holds the business rules and
//! `graphql` and `routes` expose them over HTTP.
// The GraphQL schema's futures nest deeply; proving them `Send` needs more
// than the default depth of trait resolution.
#![recursion_limit = "256"]

/// mimalloc instead of the system allocator for every program linking the
/// server (the server, its tests and benchmarks): the system allocator took
/// about a fifth of the server's CPU time under load (`bench/README.md`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod auth;
pub mod cache;
pub mod config;
pub mod csv;
pub mod domain;
pub mod error;
pub mod graphql;
pub mod hostile;
pub mod i18n;
pub mod mail;
pub mod metrics;
pub mod migrate;
pub mod routes;
pub mod services;
pub mod shutdown;
pub mod startup;
pub mod telemetry;
pub mod tenancy;
pub mod workers;

#[cfg(test)]
mod fuzz_tests;
