//! Customer value analytics in the API: stored figures per customer and for
//! the workspace, recompute runs, settings, growth, cross-sell and analysis.

pub mod loaders;
pub mod mutation;
pub mod query;
pub mod types;
