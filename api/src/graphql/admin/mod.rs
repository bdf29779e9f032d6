//! Administration API: members, organisation units, invitations, API keys,
//! the audit log and outgoing messages.

pub mod mutation;
pub mod query;
pub mod types;
