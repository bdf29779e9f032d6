//! Partner API keys: a visible prefix and a secret shown once, stored as a
//! hash, scoped to a subset of the creator's permissions, revocable and
//! optionally expiring. The table is global (keys are looked up before the
//! tenant is known); every function here is scoped to one tenant.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use entity::api_key;

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
    .exec_with_returning(db)
    .await?;
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

/// Revokes a key of the tenant; returns it.
pub async fn revoke(db: &DatabaseConnection, tenant_id: Uuid, id: Uuid) -> Result<api_key::Model> {
    let revoked = api_key::Entity::update_many()
        .col_expr(api_key::Column::RevokedAt, Expr::current_timestamp().into())
        .filter(api_key::Column::TenantId.eq(tenant_id))
        .filter(api_key::Column::Id.eq(id))
        .filter(api_key::Column::RevokedAt.is_null())
        .exec_with_returning(db)
        .await?;
    revoked.into_iter().next().ok_or(Error::NotFound("API key"))
}

/// The part of a key that may be shown: enough to recognise it.
pub fn visible_prefix(key: &api_key::Model) -> String {
    format!("{API_KEY_PREFIX}…_{}", key.prefix)
}
