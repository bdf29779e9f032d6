//! The Redis handle: a cache and coordinator, never the only copy of data.
//!
//! The connection is made lazily and remade after failures, so the server
//! starts and keeps serving from PostgreSQL while Redis is down. Every call
//! has a short timeout and reports failure instead of blocking a request.
//!
//! What Redis holds must never be served after a change it does not show,
//! whatever happens to Redis:
//! - A change that could not be written to Redis (down, paused, timed out)
//!   is owed ([`Owed`]): this process does not use Redis again until every
//!   owed write went through, so it serves from PostgreSQL meanwhile.
//! - Versions read for cached views carry Redis's run id ([`LIFETIME_LUA`]),
//!   which changes on every restart and failover; a Redis restored from an
//!   older snapshot, whose counters went back, therefore matches nothing
//!   cached before.
//! - A version counter Redis does not have starts from its clock
//!   ([`CURRENT_LUA`]), so an emptied Redis never reuses a version.

use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::sync::RwLock;

/// How long one Redis command may take before it counts as failed.
const COMMAND_TIMEOUT: Duration = Duration::from_millis(500);
/// How long to wait before trying to connect again after a failure.
const RECONNECT_BACKOFF: Duration = Duration::from_secs(2);

/// Shared, cloneable access to Redis.
#[derive(Clone)]
pub struct Cache {
    inner: Arc<Inner>,
}

struct Inner {
    client: redis::Client,
    prefix: String,
    state: RwLock<State>,
}

struct State {
    conn: Option<ConnectionManager>,
    last_attempt: Option<Instant>,
    /// Writes that did not get through, oldest first.
    owed: Vec<Owed>,
}

/// A write to Redis that did not get through. Until it does, what Redis
/// holds may predate a committed change, so the process does not use Redis.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Owed {
    /// Move a version counter on (kept for `ttl_ms` after).
    Advance { key: String, ttl_ms: u64 },
    /// Set a key to a value for `ttl_ms`.
    Set {
        key: String,
        value: String,
        ttl_ms: u64,
    },
    /// Delete a key.
    Delete(String),
}

impl Owed {
    fn key(&self) -> &str {
        match self {
            Owed::Advance { key, .. } | Owed::Set { key, .. } | Owed::Delete(key) => key,
        }
    }
}

/// Lua: `current(key, ttl)`, the version under `key`; a missing one starts
/// from Redis's clock (seconds and microseconds), so versions are never reused
/// after Redis lost them.
pub const CURRENT_LUA: &str = r"
local function current(key, ttl)
  local v = redis.call('GET', key)
  if not v then
    local t = redis.call('TIME')
    v = t[1] .. string.format('%06d', tonumber(t[2]))
    redis.call('SET', key, v, 'PX', ttl)
  end
  return v
end
";

/// Lua: `lifetime()`, the run id of the Redis server process, new on every
/// restart and failover. Versions read with it never match those read from
/// an earlier dataset, even when a restored snapshot brings counters back.
pub const LIFETIME_LUA: &str = r"
local function lifetime()
  return string.match(redis.call('INFO', 'server'), 'run_id:(%x+)') or ''
end
";

/// Moves each version under KEYS on; ARGV[1] is how long they are kept.
static ADVANCE: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(&format!(
        "{CURRENT_LUA}
for _, key in ipairs(KEYS) do
  current(key, ARGV[1])
  redis.call('INCR', key)
  redis.call('PEXPIRE', key, ARGV[1])
end
return 0"
    ))
});

impl Cache {
    /// A handle for `url` whose keys all start with `prefix`; nothing is
    /// connected yet.
    pub fn new(url: &str, prefix: &str) -> Result<Self, redis::RedisError> {
        Ok(Cache {
            inner: Arc::new(Inner {
                client: redis::Client::open(url)?,
                prefix: prefix.to_owned(),
                state: RwLock::new(State {
                    conn: None,
                    last_attempt: None,
                    owed: Vec::new(),
                }),
            }),
        })
    }

    /// The full Redis key for `name`, under this deployment's prefix (so
    /// that several deployments, or test servers, can share one Redis).
    pub fn key(&self, name: &str) -> String {
        format!("{}:{name}", self.inner.prefix)
    }

    /// A live connection, or `None` while Redis is unreachable or owed
    /// writes have not gone through yet.
    pub async fn connection(&self) -> Option<ConnectionManager> {
        {
            let state = self.inner.state.read().await;
            if let (Some(conn), true) = (&state.conn, state.owed.is_empty()) {
                return Some(conn.clone());
            }
        }
        let mut state = self.inner.state.write().await;
        if state.conn.is_some() && state.owed.is_empty() {
            return state.conn.clone();
        }
        if state
            .last_attempt
            .is_some_and(|at| at.elapsed() < RECONNECT_BACKOFF)
        {
            return None;
        }
        state.last_attempt = Some(Instant::now());
        let mut conn = match state.conn.clone() {
            Some(conn) => conn,
            None => {
                let conn = self.connect().await?;
                state.conn = Some(conn.clone());
                conn
            }
        };
        if !state.owed.is_empty() {
            let owed = state.owed.clone();
            for write in &owed {
                if let Err(err) = pay(&mut conn, write).await {
                    tracing::warn!(error = %err, owed = owed.len(), "redis still refuses owed writes; serving from postgresql");
                    return None;
                }
            }
            state.owed.drain(..owed.len());
            tracing::info!(paid = owed.len(), "owed redis writes went through");
        }
        Some(conn)
    }

    /// Records a write that did not get through; Redis is not used again
    /// until it has. A later write to the same key replaces it.
    pub async fn owe(&self, write: Owed) {
        let mut state = self.inner.state.write().await;
        state.owed.retain(|owed| owed.key() != write.key());
        state.owed.push(write);
    }

    /// Makes `write` now, or owes it when Redis does not take it.
    pub async fn write(&self, write: Owed) {
        let made = match self.connection().await {
            Some(mut conn) => pay(&mut conn, &write)
                .await
                .inspect_err(|err| tracing::warn!(error = %err, "redis refused a write; owed"))
                .is_ok(),
            None => false,
        };
        if !made {
            self.owe(write).await;
        }
    }

    /// Moves the versions under `keys` on, a thousand per call so that a
    /// large change does not hold Redis up; `false` when it did not happen
    /// (the caller owes it).
    pub async fn advance(&self, keys: &[String], ttl: Duration) -> bool {
        let Some(mut conn) = self.connection().await else {
            return false;
        };
        for chunk in keys.chunks(1000) {
            let mut invocation = ADVANCE.prepare_invoke();
            for key in chunk {
                invocation.key(key);
            }
            let done: redis::RedisResult<i64> = invocation
                .arg(ttl.as_millis() as u64)
                .invoke_async(&mut conn)
                .await;
            if let Err(err) = done {
                tracing::warn!(error = %err, "could not move cached versions on");
                return false;
            }
        }
        true
    }

    async fn connect(&self) -> Option<ConnectionManager> {
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(COMMAND_TIMEOUT)
            .set_response_timeout(COMMAND_TIMEOUT)
            .set_number_of_retries(1);
        match tokio::time::timeout(
            COMMAND_TIMEOUT * 2,
            ConnectionManager::new_with_config(self.inner.client.clone(), config),
        )
        .await
        {
            Ok(Ok(conn)) => {
                tracing::info!("connected to redis");
                Some(conn)
            }
            Ok(Err(err)) => {
                tracing::warn!(error = %err, "redis unavailable; serving from postgresql");
                None
            }
            Err(_) => {
                tracing::warn!("redis connection timed out; serving from postgresql");
                None
            }
        }
    }

    /// Whether Redis answers `PING` now.
    pub async fn ping(&self) -> bool {
        let Some(mut conn) = self.connection().await else {
            return false;
        };
        let reply: Result<Result<String, _>, _> =
            tokio::time::timeout(COMMAND_TIMEOUT, redis::cmd("PING").query_async(&mut conn)).await;
        matches!(reply, Ok(Ok(ref pong)) if pong == "PONG")
    }
}

/// Makes one owed write.
async fn pay(conn: &mut ConnectionManager, write: &Owed) -> redis::RedisResult<()> {
    let call = async {
        match write {
            Owed::Advance { key, ttl_ms } => {
                ADVANCE
                    .key(key)
                    .arg(*ttl_ms)
                    .invoke_async::<i64>(conn)
                    .await?;
                Ok(())
            }
            Owed::Set { key, value, ttl_ms } => {
                redis::cmd("SET")
                    .arg(key)
                    .arg(value)
                    .arg("PX")
                    .arg(*ttl_ms)
                    .query_async::<()>(conn)
                    .await
            }
            Owed::Delete(key) => redis::cmd("DEL").arg(key).query_async::<()>(conn).await,
        }
    };
    match tokio::time::timeout(COMMAND_TIMEOUT, call).await {
        Ok(done) => done,
        Err(_) => Err(redis::RedisError::from(std::io::Error::from(
            std::io::ErrorKind::TimedOut,
        ))),
    }
}
