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
//! - Each process also holds the views it decoded last (up to
//!   [`HELD_BYTES`] of them), each with its version. A read still asks Redis
//!   for the current version, and receives the stored view only when the
//!   held one is not of that version, so a held view is served only while
//!   Redis confirms it is current.
//! - A version that Redis does not have (never written, expired, or lost
//!   with a restart) starts from Redis's clock in microseconds, never from
//!   zero again, so a version once seen is never reused for other contents.
//! - With Redis down, views are built from PostgreSQL on every read.
//! - Each read reports the version it was current as of ([`Read`]), so a
//!   response built from views alone can be kept and served again while
//!   those versions stand (`graphql/responses.rs`).

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, OnceLock};
use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use entity::{case, contact, customer, deal, interaction, order};

use super::analytics::values::{self, CustomerValue};
use super::{cases, contacts, customers, deals, interactions, orders};
use crate::cache::{Cache, Owed, CURRENT_LUA, LIFETIME_LUA};
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

/// How much decoded view a process holds, counted as the size of the
/// views' JSON.
const HELD_BYTES: usize = 64 << 20;

/// Reads the version (Redis's lifetime, the record's counter, then the
/// tenant's generation) and, in the same round trip, the view stored under
/// it; only `=` when the caller already holds that version (ARGV[2]).
static READ: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(&format!(
        "{CURRENT_LUA}{LIFETIME_LUA}
local version = lifetime() .. ':' .. current(KEYS[1], ARGV[1]) .. ':' .. current(KEYS[3], ARGV[1])
if version == ARGV[2] then
  return {{version, '='}}
end
return {{version, redis.call('GET', KEYS[2] .. version) or ''}}"
    ))
});

/// Stores a view only if its version is still current.
static STORE: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(&format!(
        "{CURRENT_LUA}{LIFETIME_LUA}
local version = lifetime() .. ':' .. current(KEYS[1], ARGV[4]) .. ':' .. current(KEYS[3], ARGV[4])
if version == ARGV[1] then
  redis.call('SET', KEYS[2] .. version, ARGV[2], 'PX', ARGV[3])
end
return version"
    ))
});

/// A view this process decoded, with the version it was built for.
struct HeldView {
    version: String,
    view: Arc<CustomerView>,
    bytes: usize,
}

/// The views this process holds, by their key in Redis (which names the
/// deployment, tenant and customer).
#[derive(Default)]
struct Held {
    views: HashMap<String, HeldView>,
    bytes: usize,
}

fn held() -> &'static Mutex<Held> {
    static HELD: OnceLock<Mutex<Held>> = OnceLock::new();
    HELD.get_or_init(Default::default)
}

/// The held view under `key`, with its version.
fn held_view(key: &str) -> Option<(String, Arc<CustomerView>)> {
    let held = held().lock().ok()?;
    held.views
        .get(key)
        .map(|h| (h.version.clone(), h.view.clone()))
}

/// Holds `view` (of `bytes` JSON) as the version `version` of `key`, making
/// room by dropping other views.
fn hold(key: &str, version: &str, view: Arc<CustomerView>, bytes: usize) {
    let Ok(mut held) = held().lock() else {
        return;
    };
    if let Some(old) = held.views.remove(key) {
        held.bytes -= old.bytes;
    }
    while held.bytes + bytes > HELD_BYTES {
        let Some(evicted) = held.views.keys().next().cloned() else {
            break;
        };
        if let Some(old) = held.views.remove(&evicted) {
            held.bytes -= old.bytes;
        }
    }
    if bytes <= HELD_BYTES {
        held.bytes += bytes;
        held.views.insert(
            key.to_owned(),
            HeldView {
                version: version.to_owned(),
                view,
                bytes,
            },
        );
    }
}

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

/// Builds the view of a customer as seen by a member who sees only some
/// customers, in a read-only transaction where the restriction applies to
/// every read.
async fn build_restricted(
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

/// Builds the whole view (for members who see every customer) with one
/// statement in one round trip: the database function
/// `customer_view_json` binds the tenant for that statement and returns the
/// view as JSON, which is also what the cache stores.
async fn build_whole(
    db: &DatabaseConnection,
    scope: TenantScope,
    customer_id: Uuid,
) -> Result<Option<(CustomerView, String)>> {
    let limit = |kept: u64| (kept + 1) as i32;
    let open_case_statuses: Vec<String> = cases::CaseStatus::OPEN
        .iter()
        .map(|s| s.as_str().to_owned())
        .collect();
    let row = db
        .query_one(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT customer_view_json($1, $2, $3, $4, $5, $6, $7, $8, $9) AS view",
            [
                scope.tenant_id.into(),
                scope
                    .user_id
                    .map(|u| u.to_string())
                    .unwrap_or_default()
                    .into(),
                customer_id.into(),
                limit(CONTACTS_IN_VIEW).into(),
                limit(INTERACTIONS_IN_VIEW).into(),
                limit(ORDERS_IN_VIEW).into(),
                limit(OPEN_DEALS_IN_VIEW).into(),
                limit(OPEN_CASES_IN_VIEW).into(),
                open_case_statuses.into(),
            ],
        ))
        .await?;
    let Some(json) = row
        .map(|row| row.try_get::<Option<String>>("", "view"))
        .transpose()?
        .flatten()
    else {
        return Ok(None);
    };
    let view = serde_json::from_str(&json).map_err(crate::error::Error::internal)?;
    Ok(Some((view, json)))
}

/// The current version of the customer's view and, when Redis has it, the
/// view itself (the held copy when that is the current version).
async fn read(
    cache: &Cache,
    tenant_id: Uuid,
    customer_id: Uuid,
) -> Option<(String, Option<Arc<CustomerView>>)> {
    let mut conn = cache.connection().await?;
    let key = view_key_prefix(cache, tenant_id, customer_id);
    let held = held_view(&key);
    let reply: redis::RedisResult<(String, String)> = READ
        .key(version_key(cache, tenant_id, customer_id))
        .key(&key)
        .key(generation_key(cache, tenant_id))
        .arg(VERSION_TTL.as_millis() as u64)
        .arg(held.as_ref().map_or("", |(version, _)| version.as_str()))
        .invoke_async(&mut conn)
        .await;
    match reply {
        Ok((version, view)) if view == "=" => {
            let view = held
                .filter(|(held_version, _)| *held_version == version)
                .map(|(_, view)| view);
            Some((version, view))
        }
        Ok((version, view)) => {
            let decoded = serde_json::from_str::<CustomerView>(&view)
                .ok()
                .map(Arc::new);
            if let Some(decoded) = &decoded {
                hold(&key, &version, decoded.clone(), view.len());
            }
            Some((version, decoded))
        }
        Err(err) => {
            tracing::warn!(error = %err, "customer view cache unavailable; reading postgresql");
            None
        }
    }
}

/// A customer's view as read for one request.
pub struct Read {
    /// `None` when the customer does not exist, is deleted or belongs to
    /// another tenant.
    pub view: Option<Arc<CustomerView>>,
    /// The version Redis vouched for when the view was read (the view, or
    /// its absence, is current as of this version); `None` when the view
    /// came from PostgreSQL without Redis (Redis down, or a member who sees
    /// only some customers).
    pub version: Option<String>,
}

/// The customer's view, from the cache when it holds the current version,
/// else built from PostgreSQL (and cached).
pub async fn load(
    db: &DatabaseConnection,
    cache: &Cache,
    scope: TenantScope,
    customer_id: Uuid,
) -> Result<Read> {
    let tenant_id = scope.tenant_id;
    let unversioned = |view: Option<CustomerView>| Read {
        view: view.map(Arc::new),
        version: None,
    };
    // Members who see only some customers read PostgreSQL, where the
    // restriction is applied; the shared cached view is for everyone else.
    if scope.customers.is_some() {
        return Ok(unversioned(build_restricted(db, scope, customer_id).await?));
    }
    let Some((version, cached)) = read(cache, tenant_id, customer_id).await else {
        return Ok(unversioned(
            build_whole(db, scope, customer_id)
                .await?
                .map(|(view, _)| view),
        ));
    };
    if let Some(view) = cached {
        return Ok(Read {
            view: Some(view),
            version: Some(version),
        });
    }
    let lock_key = format!(
        "{}:{}",
        view_key_prefix(cache, tenant_id, customer_id),
        version
    );
    let _local = rebuild_lock(&lock_key).lock().await;
    // Another request of this process may have rebuilt it meanwhile.
    if let Some((current, Some(view))) = read(cache, tenant_id, customer_id).await {
        return Ok(Read {
            view: Some(view),
            version: Some(current),
        });
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
                if let Some((current, Some(view))) = read(cache, tenant_id, customer_id).await {
                    return Ok(Read {
                        view: Some(view),
                        version: Some(current),
                    });
                }
            }
        }
    }
    let built = build_whole(db, scope, customer_id)
        .await?
        .map(|(view, json)| (Arc::new(view), json));
    let view = built.as_ref().map(|(view, _)| view.clone());
    if let (Some((view, json)), Some(mut conn)) = (&built, cache.connection().await) {
        let key = view_key_prefix(cache, tenant_id, customer_id);
        let stored: redis::RedisResult<String> = STORE
            .key(version_key(cache, tenant_id, customer_id))
            .key(&key)
            .key(generation_key(cache, tenant_id))
            .arg(&version)
            .arg(json)
            .arg(VIEW_TTL.as_millis() as u64)
            .arg(VERSION_TTL.as_millis() as u64)
            .invoke_async(&mut conn)
            .await;
        match stored {
            Ok(current) if current == version => hold(&key, &version, view.clone(), json.len()),
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "could not cache a customer view"),
        }
        if holding {
            let _: redis::RedisResult<()> = redis::cmd("DEL")
                .arg(&cluster_lock)
                .query_async(&mut conn)
                .await;
        }
    }
    Ok(Read {
        view,
        version: Some(version),
    })
}

/// What a view `version` read for this customer stands on: the Redis
/// lifetime it was read in, and the Redis keys with their values (the
/// record's counter, then the tenant's generation). A reader that finds the
/// same lifetime and both keys still holding these values knows the view (or
/// its absence) is still current.
pub fn version_parts(
    cache: &Cache,
    tenant_id: Uuid,
    customer_id: Uuid,
    version: &str,
) -> Option<(String, [(String, String); 2])> {
    let mut parts = version.splitn(3, ':');
    let (lifetime, record, generation) = (parts.next()?, parts.next()?, parts.next()?);
    Some((
        lifetime.to_owned(),
        [
            (
                version_key(cache, tenant_id, customer_id),
                record.to_owned(),
            ),
            (generation_key(cache, tenant_id), generation.to_owned()),
        ],
    ))
}

/// Moves every view of the tenant to a new generation, so the next read of
/// each rebuilds it. Called once a write that changed them all committed.
pub async fn invalidate_tenant(cache: &Cache, tenant_id: Uuid) {
    invalidate_keys(cache, tenant_id, vec![generation_key(cache, tenant_id)]).await;
}

/// Moves the customers' views to a new version, so the next read rebuilds
/// them. Called once the write that changed them has committed.
pub async fn invalidate(cache: &Cache, tenant_id: Uuid, customer_ids: &[Uuid]) {
    let keys = customer_ids
        .iter()
        .map(|id| version_key(cache, tenant_id, *id))
        .collect();
    invalidate_keys(cache, tenant_id, keys).await;
}

/// Moves the versions under `keys` (one tenant's) on; when Redis does not
/// take it, the tenant's generation is owed instead, which covers them all.
async fn invalidate_keys(cache: &Cache, tenant_id: Uuid, keys: Vec<String>) {
    if !cache.advance(&keys, VERSION_TTL).await {
        cache
            .owe(Owed::Advance {
                key: generation_key(cache, tenant_id),
                ttl_ms: VERSION_TTL.as_millis() as u64,
            })
            .await;
    }
}
