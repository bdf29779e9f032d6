//! Marketing API: segments of customers (dynamic by filter, or static
//! lists), their members and sizes over time; campaigns with audiences,
//! members, costs, scheduled steps and results.

pub mod campaign_mutation;
pub mod campaign_query;
pub mod campaign_step_mutation;
pub mod campaign_step_types;
pub mod campaign_types;
pub mod loaders;
pub mod mutation;
pub mod query;
pub mod types;
