//! Sign-in throttling: after repeated failures for one account or from one
//! address, sign-in is refused for a while that doubles with each further
//! failure. Counted in Redis; without Redis it fails open.

use sha2::{Digest, Sha256};

use crate::cache::Cache;
use crate::error::{Error, Result};

/// Failures for one account before back-off starts.
pub const ACCOUNT_FAILURES: u32 = 5;
/// Failures from one address before back-off starts.
pub const ADDRESS_FAILURES: u32 = 20;
/// Failures are forgotten this long after the last one.
const WINDOW_MS: u64 = 15 * 60 * 1000;
/// Longest wait imposed.
const MAX_WAIT_MS: u64 = 15 * 60 * 1000;

const RECORD_FAILURE: &str = r"
local n = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
local free = tonumber(ARGV[2])
if n >= free then
  local wait = math.min(1000 * 2 ^ (n - free), tonumber(ARGV[3]))
  redis.call('SET', KEYS[2], '1', 'PX', math.floor(wait))
end
return n
";

/// Throttles sign-in attempts per account and per address.
#[derive(Clone)]
pub struct SignInThrottle {
    cache: Cache,
}

impl SignInThrottle {
    /// Counter and wait keys of an account. They hold a hash of the email,
    /// never the address itself.
    fn account_keys(&self, email: &str) -> (String, String) {
        let digest = Sha256::digest(email.trim().to_lowercase().as_bytes());
        let id: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
        (
            self.cache.key(&format!("signin:acct:{id}:n")),
            self.cache.key(&format!("signin:acct:{id}:wait")),
        )
    }

    /// Counter and wait keys of an address.
    fn address_keys(&self, ip: &str) -> (String, String) {
        let bucket = super::address::bucket(ip);
        (
            self.cache.key(&format!("signin:ip:{bucket}:n")),
            self.cache.key(&format!("signin:ip:{bucket}:wait")),
        )
    }

    /// A throttle counting in `cache`.
    pub fn new(cache: Cache) -> Self {
        SignInThrottle { cache }
    }

    /// `RATE_LIMITED` while the account or the address must wait.
    pub async fn check(&self, email: &str, ip: &str) -> Result<()> {
        let Some(mut conn) = self.cache.connection().await else {
            return Ok(());
        };
        let (_, account_wait) = self.account_keys(email);
        let (_, address_wait) = self.address_keys(ip);
        let waits: redis::RedisResult<(i64, i64)> = redis::pipe()
            .cmd("PTTL")
            .arg(&account_wait)
            .cmd("PTTL")
            .arg(&address_wait)
            .query_async(&mut conn)
            .await;
        match waits {
            Ok((a, b)) if a.max(b) > 0 => Err(Error::RateLimited {
                retry_after_secs: (a.max(b) as u64).div_ceil(1000),
            }),
            Ok(_) => Ok(()),
            Err(err) => {
                tracing::warn!(error = %err, "sign-in throttling unavailable");
                Ok(())
            }
        }
    }

    /// Counts a failed attempt.
    pub async fn failed(&self, email: &str, ip: &str) {
        let Some(mut conn) = self.cache.connection().await else {
            return;
        };
        let script = redis::Script::new(RECORD_FAILURE);
        for ((count, wait), free) in [
            (self.account_keys(email), ACCOUNT_FAILURES),
            (self.address_keys(ip), ADDRESS_FAILURES),
        ] {
            let counted: redis::RedisResult<i64> = script
                .key(count)
                .key(wait)
                .arg(WINDOW_MS)
                .arg(free)
                .arg(MAX_WAIT_MS)
                .invoke_async(&mut conn)
                .await;
            if let Err(err) = counted {
                tracing::warn!(error = %err, "could not count a failed sign-in");
            }
        }
    }

    /// Clears the account's failures after a successful sign-in.
    pub async fn succeeded(&self, email: &str) {
        let Some(mut conn) = self.cache.connection().await else {
            return;
        };
        let (count, _) = self.account_keys(email);
        let _: redis::RedisResult<()> = redis::cmd("DEL").arg(count).query_async(&mut conn).await;
    }
}
