//! Customers API: the records every other area hangs from.

pub mod contact_list;
pub mod custom_fields;
pub mod history;
pub mod import;
pub mod mutation;
pub mod query;
pub mod records;
pub mod relations;
pub mod search;
pub mod types;
