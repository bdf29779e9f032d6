//! The customer 360 view: a customer (with its rollups: order summary, open
//! deals, last interaction) with its first contacts, latest interactions,
//! latest orders, open deals, open cases and value, the record every
//! employee opens. It is cached in Redis per
//! tenant and record (cache-aside):
//!
//! - Every write that changes what the view shows calls
//!   [`crate::tenancy::TenantTx::touch_customer`]; when that transaction
//!   commits, the record's version counter in Redis goes up ([`invalidate`]).
//!   Views are stored under the version they were built for, so a read after
//!   a write never finds the old view.
//! - Only one request per process (striped locks) and, through a short Redis
//!   lock, one per cluster rebuilds a missing view at a time; the others wait
//!   briefly for it.
//! - With Redis down, views are built from PostgreSQL on every read.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use entity::{case, contact, customer, deal, interaction, order};

use super::analytics::values::{self, CustomerValue};
use super::{cases, contacts, customers, deals, interactions, orders};
use crate::cache::Cache;
use crate::error::Result;
use crate::tenancy::{TenantScope, TenantTx};

/// Contacts and interactions held in the view (one more is loaded to tell
/// whether there are more).
pub const CONTACTS_IN_VIEW: u64 = 10;
pub const INTERACTIONS_IN_VIEW: u64 = 10;
pub const ORDERS_IN_VIEW: u64 = 10;
pub const OPEN_DEALS_IN_VIEW: u64 = 10;
pub const OPEN_CASES_IN_VIEW: u64 = 10;
/// How long a built view is kept.
const VIEW_TTL: Duration = Duration::from_secs(600);
/// How long a version counter is kept after its last change (longer than any view).
const VERSION_TTL: Duration = Duration::from_secs(86_400);
/// How long one rebuild may hold the cluster-wide lock.
const REBUILD_LOCK_TTL: Duration = Duration::from_secs(2);
/// How long a request waits for another's rebuild before building itself.
const REBUILD_WAIT: Duration = Duration::from_millis(200);

/// What the view holds.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CustomerView {
    pub customer: customer::Model,
    /// Oldest first, up to `CONTACTS_IN_VIEW + 1`.
    pub contacts: Vec<contact::Model>,
    /// Newest first, up to `INTERACTIONS_IN_VIEW + 1`.
    pub interactions: Vec<interaction::Model>,
    /// Newest first, up to `ORDERS_IN_VIEW + 1`. Order writes touch their
    /// customer (`orders::rollups`, `orders::change_status`), so this stays current.
    #[serde(default)]
    pub orders: Vec<order::Model>,
    /// Open deals, newest first, up to `OPEN_DEALS_IN_VIEW + 1`. Deal writes
    /// touch their customer, so this stays current.
    #[serde(default)]
    pub open_deals: Vec<deal::Model>,
    /// The stored value figures of the latest analytics run, if any. A
    /// finished run moves every view of its tenant to a new generation.
    #[serde(default)]
    pub value: Option<CustomerValue>,
    /// Open cases, newest first, up to `OPEN_CASES_IN_VIEW + 1`. Case
    /// writes touch their customer, so this stays current.
    #[serde(default)]
    pub open_cases: Vec<case::Model>,
    /// How many cases of the customer are open.
    #[serde(default)]
    pub open_case_count: i64,
}

/// Reads the version (the record's, then the tenant's generation) and, in
/// the same round trip, the view stored under it.
const READ: &str = r"
local version = (redis.call('GET', KEYS[1]) or '0') .. ':' .. (redis.call('GET', KEYS[3]) or '0')
return {version, redis.call('GET', KEYS[2] .. version) or ''}
";

/// Stores a view only if its version is still current.
const STORE: &str = r"
local version = (redis.call('GET', KEYS[1]) or '0') .. ':' .. (redis.call('GET', KEYS[3]) or '0')
if version == ARGV[1] then
  redis.call('SET', KEYS[2] .. version, ARGV[2], 'PX', ARGV[3])
end
return version
";

fn version_key(cache: &Cache, tenant_id: Uuid, customer_id: Uuid) -> String {
    cache.key(&format!(
        "{{{}}}:c360:{}:version",
        tenant_id.simple(),
        customer_id.simple()
    ))
}

/// The generation of all of a tenant's views: moved on by writes that change
/// every view at once (an analytics run).
fn generation_key(cache: &Cache, tenant_id: Uuid) -> String {
    cache.key(&format!("{{{}}}:c360:generation", tenant_id.simple()))
}

fn view_key_prefix(cache: &Cache, tenant_id: Uuid, customer_id: Uuid) -> String {
    cache.key(&format!(
        "{{{}}}:c360:{}:v",
        tenant_id.simple(),
        customer_id.simple()
    ))
}

fn rebuild_lock(key: &str) -> &'static tokio::sync::Mutex<()> {
    static STRIPES: OnceLock<Vec<tokio::sync::Mutex<()>>> = OnceLock::new();
    let stripes = STRIPES.get_or_init(|| (0..64).map(|_| tokio::sync::Mutex::new(())).collect());
    let hash = key
        .bytes()
        .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    &stripes[(hash % stripes.len() as u64) as usize]
}

/// Builds the view from PostgreSQL in a fresh read-only transaction.
async fn build(
    db: &DatabaseConnection,
    scope: TenantScope,
    customer_id: Uuid,
) -> Result<Option<CustomerView>> {
    let tx = TenantTx::begin_read_only(db, scope).await?;
    let Some(customer) = customers::find(&tx, customer_id).await? else {
        return Ok(None);
    };
    let contacts = contacts::first_of_customers(&tx, &[customer_id], CONTACTS_IN_VIEW)
        .await?
        .remove(&customer_id)
        .unwrap_or_default();
    let interactions = interactions::latest_of_customers(&tx, &[customer_id], INTERACTIONS_IN_VIEW)
        .await?
        .remove(&customer_id)
        .unwrap_or_default();
    let orders = orders::latest_of_customers(&tx, &[customer_id], ORDERS_IN_VIEW)
        .await?
        .remove(&customer_id)
        .unwrap_or_default();
    let open_deals = deals::latest_of_customers(&tx, &[customer_id], OPEN_DEALS_IN_VIEW, true)
        .await?
        .remove(&customer_id)
        .unwrap_or_default();
    let value = values::of_customers(&tx, &[customer_id])
        .await?
        .remove(&customer_id);
    let open_cases = cases::latest_of_customers(&tx, &[customer_id], OPEN_CASES_IN_VIEW, true)
        .await?
        .remove(&customer_id)
        .unwrap_or_default();
    let open_case_count = if (open_cases.len() as u64) <= OPEN_CASES_IN_VIEW {
        open_cases.len() as i64
    } else {
        cases::open_counts(&tx, &[customer_id])
            .await?
            .remove(&customer_id)
            .unwrap_or(0)
    };
    tx.commit().await?;
    Ok(Some(CustomerView {
        customer,
        contacts,
        interactions,
        orders,
        open_deals,
        value,
        open_cases,
        open_case_count,
    }))
}

async fn read(
    cache: &Cache,
    tenant_id: Uuid,
    customer_id: Uuid,
) -> Option<(String, Option<CustomerView>)> {
    let mut conn = cache.connection().await?;
    let reply: redis::RedisResult<(String, String)> = redis::Script::new(READ)
        .key(version_key(cache, tenant_id, customer_id))
        .key(view_key_prefix(cache, tenant_id, customer_id))
        .key(generation_key(cache, tenant_id))
        .invoke_async(&mut conn)
        .await;
    match reply {
        Ok((version, view)) => Some((version, serde_json::from_str(&view).ok())),
        Err(err) => {
            tracing::warn!(error = %err, "customer view cache unavailable; reading postgresql");
            None
        }
    }
}

/// The customer's view, from the cache when it holds the current version,
/// else built from PostgreSQL (and cached). `None` when the customer does
/// not exist, is deleted or belongs to another tenant.
pub async fn load(
    db: &DatabaseConnection,
    cache: &Cache,
    scope: TenantScope,
    customer_id: Uuid,
) -> Result<Option<Arc<CustomerView>>> {
    let tenant_id = scope.tenant_id;
    // Members who see only some customers read PostgreSQL, where the
    // restriction is applied; the shared cached view is for everyone else.
    if scope.customers.is_some() {
        return Ok(build(db, scope, customer_id).await?.map(Arc::new));
    }
    let Some((version, cached)) = read(cache, tenant_id, customer_id).await else {
        return Ok(build(db, scope, customer_id).await?.map(Arc::new));
    };
    if let Some(view) = cached {
        return Ok(Some(Arc::new(view)));
    }
    let lock_key = format!(
        "{}:{}",
        view_key_prefix(cache, tenant_id, customer_id),
        version
    );
    let _local = rebuild_lock(&lock_key).lock().await;
    // Another request of this process may have rebuilt it meanwhile.
    if let Some((_, Some(view))) = read(cache, tenant_id, customer_id).await {
        return Ok(Some(Arc::new(view)));
    }
    let cluster_lock = format!("{lock_key}:lock");
    let mut holding = false;
    if let Some(mut conn) = cache.connection().await {
        let acquired: redis::RedisResult<Option<String>> = redis::cmd("SET")
            .arg(&cluster_lock)
            .arg("1")
            .arg("NX")
            .arg("PX")
            .arg(REBUILD_LOCK_TTL.as_millis() as u64)
            .query_async(&mut conn)
            .await;
        holding = matches!(acquired, Ok(Some(_)));
        if !holding {
            // Another node is rebuilding: wait briefly for its result.
            let deadline = tokio::time::Instant::now() + REBUILD_WAIT;
            while tokio::time::Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(10)).await;
                if let Some((_, Some(view))) = read(cache, tenant_id, customer_id).await {
                    return Ok(Some(Arc::new(view)));
                }
            }
        }
    }
    let view = build(db, scope, customer_id).await?;
    if let (Some(view), Some(mut conn)) = (&view, cache.connection().await) {
        let json = serde_json::to_string(view).map_err(crate::error::Error::internal)?;
        let stored: redis::RedisResult<String> = redis::Script::new(STORE)
            .key(version_key(cache, tenant_id, customer_id))
            .key(view_key_prefix(cache, tenant_id, customer_id))
            .key(generation_key(cache, tenant_id))
            .arg(&version)
            .arg(json)
            .arg(VIEW_TTL.as_millis() as u64)
            .invoke_async(&mut conn)
            .await;
        if let Err(err) = stored {
            tracing::warn!(error = %err, "could not cache a customer view");
        }
        if holding {
            let _: redis::RedisResult<()> = redis::cmd("DEL")
                .arg(&cluster_lock)
                .query_async(&mut conn)
                .await;
        }
    }
    Ok(view.map(Arc::new))
}

/// Moves every view of the tenant to a new generation, so the next read of
/// each rebuilds it. Called once a write that changed them all committed.
pub async fn invalidate_tenant(cache: &Cache, tenant_id: Uuid) {
    let Some(mut conn) = cache.connection().await else {
        return;
    };
    let key = generation_key(cache, tenant_id);
    let done: redis::RedisResult<()> = redis::pipe()
        .cmd("INCR")
        .arg(&key)
        .ignore()
        .cmd("PEXPIRE")
        .arg(&key)
        .arg(VERSION_TTL.as_millis() as u64)
        .ignore()
        .query_async(&mut conn)
        .await;
    if let Err(err) = done {
        tracing::warn!(error = %err, "could not invalidate a workspace's cached customer views");
    }
}

/// Moves the customers' views to a new version, so the next read rebuilds
/// them. Called once the write that changed them has committed.
pub async fn invalidate(cache: &Cache, tenant_id: Uuid, customer_ids: &[Uuid]) {
    let Some(mut conn) = cache.connection().await else {
        return;
    };
    let mut pipe = redis::pipe();
    for id in customer_ids {
        let key = version_key(cache, tenant_id, *id);
        pipe.cmd("INCR").arg(&key).ignore();
        pipe.cmd("PEXPIRE")
            .arg(&key)
            .arg(VERSION_TTL.as_millis() as u64)
            .ignore();
    }
    let done: redis::RedisResult<()> = pipe.query_async(&mut conn).await;
    if let Err(err) = done {
        tracing::warn!(error = %err, "could not invalidate cached customer views");
    }
}
