//! Identity and access: who is calling, and what they may do.

pub mod address;
pub mod flows;
pub mod gate;
pub mod password;
pub mod permissions;
pub mod principal;
pub mod ratelimit;
pub mod sessions;
pub mod throttle;
pub mod tokens;

pub use permissions::{Permission, Role};
pub use principal::{Actor, Principal};
