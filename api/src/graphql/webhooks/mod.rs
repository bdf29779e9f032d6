//! Webhooks API: a workspace's endpoints, their delivery logs, secrets,
//! redelivery and replay (permission `admin:webhooks`).

pub mod mutation;
pub mod query;
pub mod types;
