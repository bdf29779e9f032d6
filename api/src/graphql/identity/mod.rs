//! Identity API: sign-up, sign-in and the caller's own view (`me`).

pub mod mutation;
pub mod query;
pub mod types;
