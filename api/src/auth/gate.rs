//! The door every request passes: who is calling (access token or API key),
//! whether that session or key is still live and with which permissions, and
//! whether the caller is within its rate limits.
//!
//! On the warm path this costs one Redis round trip (the script in
//! `ratelimit.lua` reads the cached identity and counts the request). On a
//! cache miss the identity is read from PostgreSQL and cached for a minute;
//! revocations overwrite the cached entry at once, so every server node sees
//! them on its next request. With Redis down, identities are read from
//! PostgreSQL on every request and rate limits fail open.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use chrono::{DateTime, Utc};
use rand::Rng;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, FromQueryResult, Statement};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::principal::Actor;
use super::ratelimit::{self, Plan, Quota};
use super::tokens::{SessionClaims, TokenKeys};
use super::{Permission, Principal, Role};
use crate::cache::{Cache, Owed};
use crate::config::RateLimits;

/// How long a live identity stays cached.
const IDENTITY_TTL: Duration = Duration::from_secs(60);
/// How long a revocation stays cached: longer than any live entry it replaces.
const REVOKED_TTL: Duration = Duration::from_secs(600);
/// How long a session or key PostgreSQL does not know (or no longer
/// accepts) stays cached: short, since strangers choose these names.
const UNKNOWN_TTL: Duration = Duration::from_secs(60);
/// The visible start of every API key.
pub const API_KEY_PREFIX: &str = "crm_";

/// Why a request was turned away at the door.
#[derive(Debug)]
pub enum Refusal {
    /// The credentials prove nothing (invalid, expired, revoked).
    Unauthenticated,
    /// PostgreSQL, needed to check the credentials, cannot be reached.
    Unavailable,
    /// Over the limit; retry after the given seconds.
    RateLimited { retry_after_secs: u64, quota: Quota },
}

/// A request let in, with its caller (if any) and remaining quota (if counted).
#[derive(Debug)]
pub struct Admission {
    pub principal: Option<Principal>,
    pub quota: Option<Quota>,
    /// The values of the keys asked for with [`Gate::admit_reading`], in
    /// their order (`None`: missing); empty when Redis did not answer.
    pub read: Vec<Option<String>>,
    /// The Redis lifetime (run id) they were read in, when keys were asked
    /// for and Redis answered.
    pub lifetime: Option<String>,
}

/// The parts of an API key: `crm_<tenant>_<prefix>_<secret>`.
#[derive(Debug, PartialEq, Eq)]
pub struct ApiKeyToken {
    pub tenant_id: Uuid,
    pub prefix: String,
    pub secret: String,
}

impl ApiKeyToken {
    /// Parses a presented key; `None` when it is not shaped like one.
    pub fn parse(raw: &str) -> Option<ApiKeyToken> {
        let rest = raw.strip_prefix(API_KEY_PREFIX)?;
        let mut parts = rest.splitn(3, '_');
        let tenant_id = Uuid::try_parse(parts.next()?).ok()?;
        let prefix = parts.next()?;
        let secret = parts.next()?;
        let valid = |s: &str, n: usize| {
            s.len() == n
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        if !valid(prefix, 12) || !valid(secret, 43) {
            return None;
        }
        Some(ApiKeyToken {
            tenant_id,
            prefix: prefix.to_owned(),
            secret: secret.to_owned(),
        })
    }

    /// A new random key for `tenant_id`.
    pub fn generate(tenant_id: Uuid) -> ApiKeyToken {
        const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyz23456789";
        let mut rng = rand::thread_rng();
        let prefix = (0..12)
            .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
            .collect();
        let mut secret = [0u8; 32];
        rng.fill(&mut secret);
        ApiKeyToken {
            tenant_id,
            prefix,
            secret: base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret),
        }
    }

    /// The whole key, as given to its owner once.
    pub fn expose(&self) -> String {
        format!(
            "{API_KEY_PREFIX}{}_{}_{}",
            self.tenant_id.simple(),
            self.prefix,
            self.secret
        )
    }

    /// The stored form of the secret (256 random bits: a fast hash suffices).
    pub fn secret_hash(&self) -> Vec<u8> {
        Sha256::digest(self.secret.as_bytes()).to_vec()
    }
}

/// What the cache holds for a session or key.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "s", rename_all = "lowercase")]
enum Identity {
    Active {
        role: String,
        plan: String,
        user: Uuid,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        key: Option<KeyRecord>,
    },
    Revoked,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct KeyRecord {
    id: Uuid,
    hash: String,
    scopes: Vec<String>,
    expires_at: Option<DateTime<Utc>>,
}

enum Credential {
    Anonymous,
    Session(SessionClaims),
    ApiKey(ApiKeyToken),
}

/// Redis key names of a session's or key's cache entry and buckets. The
/// tenant id is a hash tag, so one tenant's keys live together in a cluster.
fn session_cache_key(tenant_id: Uuid, session_id: Uuid) -> String {
    format!("{{{}}}:session:{}", tenant_id.simple(), session_id.simple())
}

fn api_key_cache_key(tenant_id: Uuid, prefix: &str) -> String {
    format!("{{{}}}:apikey:{prefix}", tenant_id.simple())
}

/// Authenticates, authorises and counts requests.
pub struct Gate {
    db: DatabaseConnection,
    cache: Cache,
    keys: Arc<TokenKeys>,
    limits: [u32; 7],
    script: redis::Script,
    key_usage: Mutex<HashMap<(Uuid, Uuid), DateTime<Utc>>>,
}

impl Gate {
    /// A gate over these services.
    pub fn new(
        db: DatabaseConnection,
        cache: Cache,
        keys: Arc<TokenKeys>,
        limits: &RateLimits,
    ) -> Self {
        Gate {
            db,
            cache,
            keys,
            limits: ratelimit::limits_arguments(limits),
            script: ratelimit::script(),
            key_usage: Mutex::new(HashMap::new()),
        }
    }

    /// Decides whether a request with this `Authorization` header from `ip`
    /// may proceed, and as whom.
    pub async fn admit(&self, authorization: Option<&str>, ip: &str) -> Result<Admission, Refusal> {
        self.admit_reading(authorization, ip, &[]).await
    }

    /// [`Gate::admit`], also reading the Redis keys `read` (keys of the
    /// caller's tenant) in the same round trip, for callers with
    /// credentials that are let through.
    pub async fn admit_reading(
        &self,
        authorization: Option<&str>,
        ip: &str,
        read: &[String],
    ) -> Result<Admission, Refusal> {
        // Credentials that prove nothing are counted against the address
        // that sent them, never against the caller they name.
        let Ok(credential) = self.parse(authorization) else {
            return Err(self.refuse(ip).await);
        };
        let presented_hash = match &credential {
            Credential::ApiKey(token) => hex(&token.secret_hash()),
            _ => String::new(),
        };
        let (identity_key, caller_bucket, tenant_bucket) = match &credential {
            Credential::Anonymous => (String::new(), self.address_bucket(ip), String::new()),
            Credential::Session(claims) => (
                self.cache
                    .key(&session_cache_key(claims.tenant_id, claims.session_id)),
                self.cache.key(&format!(
                    "{{{}}}:rl:user:{}",
                    claims.tenant_id.simple(),
                    claims.user_id.simple()
                )),
                self.cache
                    .key(&format!("{{{}}}:rl:tenant", claims.tenant_id.simple())),
            ),
            Credential::ApiKey(token) => (
                self.cache
                    .key(&api_key_cache_key(token.tenant_id, &token.prefix)),
                self.cache.key(&format!(
                    "{{{}}}:rl:key:{}",
                    token.tenant_id.simple(),
                    token.prefix
                )),
                self.cache
                    .key(&format!("{{{}}}:rl:tenant", token.tenant_id.simple())),
            ),
        };

        let read = match credential {
            Credential::Anonymous => &[][..],
            _ => read,
        };
        let mut counted: Option<Counted> = None;
        if let Some(mut conn) = self.cache.connection().await {
            for attempt in 0..2 {
                let reply: redis::RedisResult<Vec<redis::Value>> = self
                    .script
                    .key(&identity_key)
                    .key(&caller_bucket)
                    .key(&tenant_bucket)
                    .key(read)
                    .arg(&self.limits[..])
                    .arg(&presented_hash)
                    .invoke_async(&mut conn)
                    .await;
                match reply.map(parse_reply) {
                    Ok(Reply::Miss) if attempt == 0 => {
                        let identity = self.load(&credential).await?;
                        let ttl = match identity {
                            Identity::Active { .. } => IDENTITY_TTL,
                            Identity::Revoked => UNKNOWN_TTL,
                        };
                        let value = serde_json::to_string(&identity).expect("identity serializes");
                        self.store(&identity_key, &value, ttl).await;
                    }
                    Ok(Reply::Revoked | Reply::Forged) => return Err(self.refuse(ip).await),
                    Ok(Reply::Counted {
                        identity,
                        allowed,
                        quota,
                        retry_after_ms,
                        values,
                    }) => {
                        let identity = match (identity, &credential) {
                            (Some(identity), _) => identity,
                            (None, Credential::Anonymous) => Identity::Revoked,
                            (None, _) => self.load(&credential).await?,
                        };
                        counted = Some((identity, allowed, quota, retry_after_ms, values));
                        break;
                    }
                    Ok(_) => break,
                    Err(err) => {
                        tracing::warn!(error = %err, "rate limiting unavailable; letting the request through");
                        break;
                    }
                }
            }
        }

        let (identity, quota, lifetime, read) = match counted {
            Some((identity, allowed, quota, retry_after_ms, mut values)) => {
                if !allowed {
                    return Err(Refusal::RateLimited {
                        retry_after_secs: retry_after_ms.div_ceil(1000).max(1),
                        quota,
                    });
                }
                // With keys to read, the script answers the lifetime first.
                let lifetime = if read.is_empty() || values.is_empty() {
                    None
                } else {
                    values.remove(0)
                };
                (identity, Some(quota), lifetime, values)
            }
            // Redis unavailable: PostgreSQL answers, limits fail open.
            None => match credential {
                Credential::Anonymous => (Identity::Revoked, None, None, Vec::new()),
                _ => (self.load(&credential).await?, None, None, Vec::new()),
            },
        };
        let principal = match credential {
            Credential::Anonymous => None,
            Credential::Session(claims) => match session_principal(&claims, identity) {
                Ok(principal) => Some(principal),
                Err(_) => return Err(self.refuse(ip).await),
            },
            Credential::ApiKey(token) => {
                let Ok(principal) = key_principal(&token, identity) else {
                    return Err(self.refuse(ip).await);
                };
                if let Some(key_id) = principal.api_key_id() {
                    self.record_key_use(token.tenant_id, key_id);
                }
                Some(principal)
            }
        };
        Ok(Admission {
            principal,
            quota,
            read,
            lifetime,
        })
    }

    /// The bucket requests without valid credentials from `ip` share.
    fn address_bucket(&self, ip: &str) -> String {
        self.cache
            .key(&format!("{{ip:{}}}:rl", super::address::bucket(ip)))
    }

    /// Turns away credentials that prove nothing, counting the attempt
    /// against the sender's address like a request without credentials:
    /// `RateLimited` once the address is over its allowance.
    async fn refuse(&self, ip: &str) -> Refusal {
        let Some(mut conn) = self.cache.connection().await else {
            return Refusal::Unauthenticated;
        };
        let reply: redis::RedisResult<Vec<redis::Value>> = self
            .script
            .key("")
            .key(self.address_bucket(ip))
            .key("")
            .arg(&self.limits[..])
            .arg("")
            .invoke_async(&mut conn)
            .await;
        match reply.map(parse_reply) {
            Ok(Reply::Counted {
                allowed: false,
                quota,
                retry_after_ms,
                ..
            }) => Refusal::RateLimited {
                retry_after_secs: retry_after_ms.div_ceil(1000).max(1),
                quota,
            },
            _ => Refusal::Unauthenticated,
        }
    }

    /// Forgets the cached state of a session, so its next request reads
    /// PostgreSQL (after a role change), or marks it revoked (after sign-out).
    pub async fn session_changed(&self, tenant_id: Uuid, session_id: Uuid, revoked: bool) {
        self.changed(
            self.cache.key(&session_cache_key(tenant_id, session_id)),
            revoked,
        )
        .await;
    }

    /// Like [`Gate::session_changed`], for an API key.
    pub async fn api_key_changed(&self, tenant_id: Uuid, prefix: &str, revoked: bool) {
        self.changed(
            self.cache.key(&api_key_cache_key(tenant_id, prefix)),
            revoked,
        )
        .await;
    }

    /// Revokes or forgets the cached identity under `key`; a change Redis
    /// did not take is owed, so no node of this process trusts Redis until
    /// it has (`cache.rs`).
    async fn changed(&self, key: String, revoked: bool) {
        let write = if revoked {
            Owed::Set {
                key,
                value: serde_json::to_string(&Identity::Revoked).expect("identity serializes"),
                ttl_ms: REVOKED_TTL.as_millis() as u64,
            }
        } else {
            Owed::Delete(key)
        };
        self.cache.write(write).await;
    }

    /// Caches `value` (a serialised identity) under `key`; whether Redis took it.
    async fn store(&self, key: &str, value: &str, ttl: Duration) -> bool {
        let Some(mut conn) = self.cache.connection().await else {
            return false;
        };
        let stored: redis::RedisResult<()> = redis::cmd("SET")
            .arg(key)
            .arg(value)
            .arg("PX")
            .arg(ttl.as_millis() as u64)
            .query_async(&mut conn)
            .await;
        if let Err(err) = &stored {
            tracing::warn!(error = %err, "could not cache an identity");
        }
        stored.is_ok()
    }

    fn parse(&self, authorization: Option<&str>) -> Result<Credential, Refusal> {
        let Some(value) = authorization else {
            return Ok(Credential::Anonymous);
        };
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(Refusal::Unauthenticated)?;
        if token.starts_with(API_KEY_PREFIX) {
            return ApiKeyToken::parse(token)
                .map(Credential::ApiKey)
                .ok_or(Refusal::Unauthenticated);
        }
        self.keys
            .verify(token)
            .map(Credential::Session)
            .map_err(|_| Refusal::Unauthenticated)
    }

    /// Reads a session's or key's current state from PostgreSQL.
    async fn load(&self, credential: &Credential) -> Result<Identity, Refusal> {
        let failed = |err: sea_orm::DbErr| {
            tracing::error!(error = %err, "cannot read credentials from postgresql");
            if crate::error::database_unreachable(&err) {
                Refusal::Unavailable
            } else {
                Refusal::Unauthenticated
            }
        };
        match credential {
            Credential::Anonymous => Ok(Identity::Revoked),
            Credential::Session(claims) => {
                let row = SessionRow::find_by_statement(Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    "SELECT m.role, t.plan FROM sessions s
                       JOIN memberships m ON m.tenant_id = s.tenant_id AND m.user_id = s.user_id
                       JOIN tenants t ON t.id = s.tenant_id
                      WHERE s.tenant_id = $1 AND s.id = $2 AND s.user_id = $3
                        AND s.revoked_at IS NULL AND s.expires_at > now()",
                    [
                        claims.tenant_id.into(),
                        claims.session_id.into(),
                        claims.user_id.into(),
                    ],
                ))
                .one(&self.db)
                .await
                .map_err(failed)?;
                Ok(match row {
                    Some(row) => Identity::Active {
                        role: row.role,
                        plan: row.plan,
                        user: claims.user_id,
                        key: None,
                    },
                    None => Identity::Revoked,
                })
            }
            Credential::ApiKey(token) => {
                let row = KeyRow::find_by_statement(Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    "SELECT k.id, k.secret_hash, k.scopes, k.created_by, k.expires_at, m.role, t.plan
                       FROM api_keys k
                       JOIN memberships m ON m.tenant_id = k.tenant_id AND m.user_id = k.created_by
                       JOIN tenants t ON t.id = k.tenant_id
                      WHERE k.tenant_id = $1 AND k.prefix = $2 AND k.revoked_at IS NULL",
                    [token.tenant_id.into(), token.prefix.clone().into()],
                ))
                .one(&self.db)
                .await
                .map_err(failed)?;
                Ok(match row {
                    Some(row) => Identity::Active {
                        role: row.role,
                        plan: row.plan,
                        user: row.created_by,
                        key: Some(KeyRecord {
                            id: row.id,
                            hash: hex(&row.secret_hash),
                            scopes: row.scopes,
                            expires_at: row.expires_at,
                        }),
                    },
                    None => Identity::Revoked,
                })
            }
        }
    }

    fn record_key_use(&self, tenant_id: Uuid, key_id: Uuid) {
        if let Ok(mut usage) = self.key_usage.lock() {
            usage.insert((tenant_id, key_id), Utc::now());
        }
    }

    /// Writes the API keys' last-used times gathered since the last call:
    /// one statement per interval instead of a write per request.
    pub async fn flush_key_usage(&self) {
        let usage: Vec<((Uuid, Uuid), DateTime<Utc>)> = match self.key_usage.lock() {
            Ok(mut usage) => usage.drain().collect(),
            Err(_) => return,
        };
        if usage.is_empty() {
            return;
        }
        let ids: Vec<Uuid> = usage.iter().map(|((_, id), _)| *id).collect();
        let times: Vec<DateTime<Utc>> = usage.iter().map(|(_, at)| *at).collect();
        let written = self
            .db
            .execute(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "UPDATE api_keys k SET last_used_at = GREATEST(k.last_used_at, u.at)
                   FROM unnest($1::uuid[], $2::timestamptz[]) AS u(id, at)
                  WHERE k.id = u.id",
                [ids.into(), times.into()],
            ))
            .await;
        if let Err(err) = written {
            tracing::warn!(error = %err, "could not record API key use");
        }
    }
}

/// A counted request: identity, allowed, quota, retry after (ms), values read.
type Counted = (Identity, bool, Quota, u64, Vec<Option<String>>);

enum Reply {
    Miss,
    Revoked,
    /// An API key whose presented secret is not the key's.
    Forged,
    Counted {
        identity: Option<Identity>,
        allowed: bool,
        quota: Quota,
        retry_after_ms: u64,
        values: Vec<Option<String>>,
    },
    Unexpected,
}

fn parse_reply(values: Vec<redis::Value>) -> Reply {
    fn text(value: Option<&redis::Value>) -> Option<String> {
        match value? {
            redis::Value::BulkString(bytes) => String::from_utf8(bytes.clone()).ok(),
            redis::Value::SimpleString(s) => Some(s.clone()),
            _ => None,
        }
    }
    fn int(value: Option<&redis::Value>) -> u64 {
        match value {
            Some(redis::Value::Int(n)) => (*n).max(0) as u64,
            _ => 0,
        }
    }
    match text(values.first()).as_deref() {
        Some("miss") => Reply::Miss,
        Some("revoked") => Reply::Revoked,
        Some("forged") => Reply::Forged,
        Some("ok") => Reply::Counted {
            identity: text(values.get(1))
                .filter(|s| !s.is_empty())
                .and_then(|s| serde_json::from_str(&s).ok()),
            allowed: int(values.get(2)) == 1,
            quota: Quota {
                limit: int(values.get(3)) as u32,
                remaining: int(values.get(4)) as u32,
                reset_secs: int(values.get(6)).div_ceil(1000),
            },
            retry_after_ms: int(values.get(5)),
            values: values.iter().skip(7).map(|v| text(Some(v))).collect(),
        },
        _ => Reply::Unexpected,
    }
}

fn session_principal(claims: &SessionClaims, identity: Identity) -> Result<Principal, Refusal> {
    let Identity::Active {
        role,
        plan,
        user,
        key: None,
    } = identity
    else {
        return Err(Refusal::Unauthenticated);
    };
    if user != claims.user_id {
        return Err(Refusal::Unauthenticated);
    }
    let role = Role::parse(&role).ok_or(Refusal::Unauthenticated)?;
    Ok(Principal {
        tenant_id: claims.tenant_id,
        actor: Actor::User {
            user_id: claims.user_id,
            session_id: claims.session_id,
        },
        role,
        permissions: role.permissions().to_vec(),
        plan: Plan::parse(&plan),
        customers: None,
    })
}

fn key_principal(token: &ApiKeyToken, identity: Identity) -> Result<Principal, Refusal> {
    let Identity::Active {
        role,
        plan,
        user,
        key: Some(key),
    } = identity
    else {
        return Err(Refusal::Unauthenticated);
    };
    if !constant_time_eq(hex(&token.secret_hash()).as_bytes(), key.hash.as_bytes()) {
        return Err(Refusal::Unauthenticated);
    }
    if key.expires_at.is_some_and(|at| at <= Utc::now()) {
        return Err(Refusal::Unauthenticated);
    }
    let role = Role::parse(&role).ok_or(Refusal::Unauthenticated)?;
    // A key never has more rights than its creator has now.
    let permissions = role
        .permissions()
        .iter()
        .copied()
        .filter(|p| key.scopes.iter().any(|s| Permission::parse(s) == Some(*p)))
        .collect();
    Ok(Principal {
        tenant_id: token.tenant_id,
        actor: Actor::ApiKey {
            key_id: key.id,
            created_by: user,
        },
        role,
        permissions,
        plan: Plan::parse(&plan),
        customers: None,
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[derive(FromQueryResult)]
struct SessionRow {
    role: String,
    plan: String,
}

#[derive(FromQueryResult)]
struct KeyRow {
    id: Uuid,
    secret_hash: Vec<u8>,
    scopes: Vec<String>,
    created_by: Uuid,
    expires_at: Option<DateTime<Utc>>,
    role: String,
    plan: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_keys_round_trip_and_reject_lookalikes() {
        let tenant = Uuid::now_v7();
        let key = ApiKeyToken::generate(tenant);
        let exposed = key.expose();
        assert!(exposed.starts_with("crm_"));
        assert_eq!(ApiKeyToken::parse(&exposed), Some(key));
        assert_eq!(ApiKeyToken::parse("crm_nope"), None);
        assert_eq!(ApiKeyToken::parse(&format!("{exposed}x")), None);
    }

    #[test]
    fn cached_identities_have_the_shape_the_script_matches() {
        let active = Identity::Active {
            role: "owner".into(),
            plan: "pro".into(),
            user: Uuid::nil(),
            key: None,
        };
        let text = serde_json::to_string(&active).unwrap();
        assert!(text.starts_with(r#"{"s":"active","#), "{text}");
        assert!(text.contains(r#""plan":"pro""#), "{text}");
        assert!(!serde_json::to_string(&Identity::Revoked)
            .unwrap()
            .starts_with(r#"{"s":"active","#));
    }

    #[test]
    fn equal_only_when_equal() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
