//! Plans and their request limits, counted in Redis by one atomic script.

use crate::config::RateLimits;

/// A tenant's subscription plan; it sets the tenant's request limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Plan {
    Free,
    Pro,
    Enterprise,
}

impl Plan {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Plan::Free => "free",
            Plan::Pro => "pro",
            Plan::Enterprise => "enterprise",
        }
    }

    /// Parses a stored name; unknown plans get the free plan's limits.
    pub fn parse(name: &str) -> Plan {
        match name {
            "pro" => Plan::Pro,
            "enterprise" => Plan::Enterprise,
            _ => Plan::Free,
        }
    }
}

/// The script that reads the cached identity and applies the limits.
pub fn script() -> redis::Script {
    redis::Script::new(&format!(
        "{}{}",
        crate::cache::LIFETIME_LUA,
        include_str!("ratelimit.lua")
    ))
}

/// The limits as the script's arguments, in the order it reads them.
pub fn limits_arguments(limits: &RateLimits) -> [u32; 7] {
    [
        limits.free.caller_per_minute,
        limits.free.tenant_per_minute,
        limits.pro.caller_per_minute,
        limits.pro.tenant_per_minute,
        limits.enterprise.caller_per_minute,
        limits.enterprise.tenant_per_minute,
        limits.anonymous_per_minute,
    ]
    .map(|n| n.max(1))
}

/// What the caller has left, for the `RateLimit-*` response headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quota {
    pub limit: u32,
    pub remaining: u32,
    /// Seconds until the caller's allowance is whole again.
    pub reset_secs: u64,
}
