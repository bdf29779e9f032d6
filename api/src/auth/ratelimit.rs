//! Plans and their request limits, counted in Redis by one atomic script.

use serde_json::json;

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

/// The plan name the script uses for callers without credentials.
pub const ANONYMOUS: &str = "anonymous";

/// The script that reads the cached identity and applies the limits.
pub fn script() -> redis::Script {
    redis::Script::new(include_str!("ratelimit.lua"))
}

/// The limits as the script's `ARGV[1]`.
pub fn limits_argument(limits: &RateLimits) -> String {
    let pair = |l: &crate::config::PlanLimits| {
        json!([l.caller_per_minute.max(1), l.tenant_per_minute.max(1)])
    };
    json!({
        "free": pair(&limits.free),
        "pro": pair(&limits.pro),
        "enterprise": pair(&limits.enterprise),
        ANONYMOUS: [limits.anonymous_per_minute.max(1), 1],
    })
    .to_string()
}

/// What the caller has left, for the `RateLimit-*` response headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quota {
    pub limit: u32,
    pub remaining: u32,
    /// Seconds until the caller's allowance is whole again.
    pub reset_secs: u64,
}
