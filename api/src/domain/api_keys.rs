//! Partner API keys: a visible prefix and a secret shown once, stored as a
//! hash, scoped to a subset of the creator's permissions, revocable and
//! optionally expiring. The table is global (keys are looked up before the
//! tenant is known); every function here is scoped to one tenant.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;

use entity::api_key;

use super::domain_events::{self as events, EventKind};

use super::values;
use crate::auth::gate::{ApiKeyToken, API_KEY_PREFIX};
use crate::auth::{Permission, Principal};
use crate::error::{Error, Result};

/// A validated key request.
#[derive(Clone, Debug)]
pub struct NewApiKey {
    pub name: String,
    pub scopes: Vec<Permission>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// Parses requested scopes; each must be a permission the creator holds.
pub fn scopes(creator: &Principal, raw: &[String]) -> Result<Vec<Permission>> {
    if raw.is_empty() {
        return Err(Error::validation("scopes", "give at least one scope"));
    }
    let mut scopes = Vec::new();
    for name in raw {
        let permission = Permission::parse(name.trim())
            .ok_or_else(|| Error::validation("scopes", format!("`{name}` is not a permission")))?;
        if !creator.can(permission) {
            return Err(Error::validation(
                "scopes",
                format!("`{name}` is more than you may do yourself; a key cannot have more rights than its creator"),
            ));
        }
        if !scopes.contains(&permission) {
            scopes.push(permission);
        }
    }
    Ok(scopes)
}

/// A valid key name.
pub fn name(raw: &str) -> Result<String> {
    values::required_text("name", raw, 100)
}

/// Creates a key; returns it with its secret, which is never shown again.
pub async fn create(
    db: &DatabaseConnection,
    creator: &Principal,
    new: NewApiKey,
) -> Result<(api_key::Model, String)> {
    if new.expires_at.is_some_and(|at| at <= Utc::now()) {
        return Err(Error::validation("expiresAt", "must be in the future"));
    }
    let token = ApiKeyToken::generate(creator.tenant_id);
    let tx = bound(db, creator.tenant_id).await?;
    let key = api_key::Entity::insert(api_key::ActiveModel {
        tenant_id: Set(creator.tenant_id),
        id: Set(Uuid::now_v7()),
        name: Set(new.name),
        prefix: Set(token.prefix.clone()),
        secret_hash: Set(token.secret_hash()),
        scopes: Set(new.scopes.iter().map(|p| p.as_str().to_owned()).collect()),
        created_by: Set(creator.user_id()),
        created_at: Set(Utc::now()),
        expires_at: Set(new.expires_at),
        revoked_at: Set(None),
        last_used_at: Set(None),
    })
    .exec_with_returning(&tx)
    .await?;
    events::record_many_on(
        &tx,
        creator.tenant_id,
        Some(creator.user_id()),
        EventKind::ApiKeyCreated,
        &[(
            key.id,
            json!({ "apiKeyId": key.id, "name": key.name, "prefix": visible_prefix(&key),
                    "scopes": key.scopes }),
        )],
    )
    .await?;
    tx.commit().await?;
    Ok((key, token.expose()))
}

/// The tenant's keys, newest first (without secrets: only hashes are stored).
pub async fn list(db: &DatabaseConnection, tenant_id: Uuid) -> Result<Vec<api_key::Model>> {
    Ok(api_key::Entity::find()
        .filter(api_key::Column::TenantId.eq(tenant_id))
        .order_by_desc(api_key::Column::CreatedAt)
        .all(db)
        .await?)
}

/// Revokes a key of the tenant, recording `API_KEY_REVOKED`; returns it.
pub async fn revoke(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    actor: Option<Uuid>,
    id: Uuid,
) -> Result<api_key::Model> {
    let tx = bound(db, tenant_id).await?;
    let revoked = api_key::Entity::update_many()
        .col_expr(api_key::Column::RevokedAt, Expr::current_timestamp().into())
        .filter(api_key::Column::TenantId.eq(tenant_id))
        .filter(api_key::Column::Id.eq(id))
        .filter(api_key::Column::RevokedAt.is_null())
        .exec_with_returning(&tx)
        .await?
        .into_iter()
        .next()
        .ok_or(Error::NotFound("API key"))?;
    events::record_many_on(
        &tx,
        tenant_id,
        actor,
        EventKind::ApiKeyRevoked,
        &[(revoked.id, revoked_payload(&revoked))],
    )
    .await?;
    tx.commit().await?;
    Ok(revoked)
}

/// The `API_KEY_REVOKED` payload of a key.
pub fn revoked_payload(key: &api_key::Model) -> serde_json::Value {
    json!({ "apiKeyId": key.id, "name": key.name, "prefix": visible_prefix(key) })
}

/// A transaction on the global tables bound to `tenant_id` for the
/// tenant-owned rows it also writes (the outbox).
async fn bound(db: &DatabaseConnection, tenant_id: Uuid) -> Result<sea_orm::DatabaseTransaction> {
    let tx = db.begin().await?;
    tx.execute(sea_orm::Statement::from_sql_and_values(
        sea_orm::DbBackend::Postgres,
        "SELECT set_config('app.tenant_id', $1, true)",
        [tenant_id.to_string().into()],
    ))
    .await?;
    Ok(tx)
}

/// The part of a key that may be shown: enough to recognise it.
pub fn visible_prefix(key: &api_key::Model) -> String {
    format!("{API_KEY_PREFIX}…_{}", key.prefix)
}
