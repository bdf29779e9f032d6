//! Deals API: pipelines and their stages, deals and their stage history,
//! leads and their conversion, the outbox of domain events, the forecast and
//! the sales-activity report.

pub mod leads;
pub mod loaders;
pub mod mutation;
pub mod query;
pub mod reports;
pub mod types;
