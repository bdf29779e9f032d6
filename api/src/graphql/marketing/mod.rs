//! Marketing API: segments of customers (dynamic by filter, or static
//! lists), their members and sizes over time.

pub mod loaders;
pub mod mutation;
pub mod query;
pub mod types;
