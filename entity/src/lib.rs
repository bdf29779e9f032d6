//! sea-orm entities of the CRM: one module per table, nothing else.
//!
//! Global tables (`tenants`, `users`, `memberships`, `sessions`) are read only
//! through the server's narrow identity functions; every other table is
//! tenant-owned and protected by row-level security.

pub mod customer;
pub mod membership;
pub mod session;
pub mod tenant;
pub mod user;
