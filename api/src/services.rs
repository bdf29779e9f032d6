//! The process-wide services every request may use.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::auth::gate::Gate;
use crate::auth::throttle::SignInThrottle;
use crate::auth::tokens::TokenKeys;
use crate::cache::Cache;
use crate::config::Config;

/// Database, Redis, token keys, the request gate, sign-in throttling and configuration.
#[derive(Clone)]
pub struct Services {
    pub db: DatabaseConnection,
    pub cache: Cache,
    pub keys: Arc<TokenKeys>,
    pub gate: Arc<Gate>,
    pub throttle: SignInThrottle,
    pub config: Arc<Config>,
    /// Starts this node's analytics worker at once when a run is requested.
    pub analytics_wakeup: crate::workers::analytics::Wakeup,
}
