//! Sales API: products and price lists, orders and their bulk import, and
//! exchange rates to report money in the workspace's base currency.

pub mod loaders;
pub mod mutation;
pub mod query;
pub mod types;
