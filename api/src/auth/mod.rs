//! Identity and access: who is calling, and what they may do.

pub mod password;
pub mod permissions;
pub mod principal;
pub mod sessions;
pub mod tokens;

pub use permissions::{Permission, Role};
pub use principal::Principal;
