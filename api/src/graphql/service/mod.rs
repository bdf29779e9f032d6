//! Service API: cases (service requests) with their history, the service
//! levels they are handled against, and the service summary.

pub mod loaders;
pub mod mutation;
pub mod query;
pub mod types;
