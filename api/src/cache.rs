//! The Redis handle: a cache and coordinator, never the only copy of data.
//!
//! The connection is made lazily and remade after failures, so the server
//! starts and keeps serving from PostgreSQL while Redis is down. Every call
//! has a short timeout and reports failure instead of blocking a request.

use std::sync::Arc;
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
}

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
                }),
            }),
        })
    }

    /// The full Redis key for `name`, under this deployment's prefix (so
    /// that several deployments, or test servers, can share one Redis).
    pub fn key(&self, name: &str) -> String {
        format!("{}:{name}", self.inner.prefix)
    }

    /// A live connection, or `None` while Redis is unreachable.
    pub async fn connection(&self) -> Option<ConnectionManager> {
        if let Some(conn) = self.inner.state.read().await.conn.clone() {
            return Some(conn);
        }
        let mut state = self.inner.state.write().await;
        if let Some(conn) = state.conn.clone() {
            return Some(conn);
        }
        if state
            .last_attempt
            .is_some_and(|at| at.elapsed() < RECONNECT_BACKOFF)
        {
            return None;
        }
        state.last_attempt = Some(Instant::now());
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
                state.conn = Some(conn.clone());
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
