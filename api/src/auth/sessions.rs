//! Sessions: started at sign-in, durable in PostgreSQL, renewed by rotating
//! an opaque refresh token (stored only as a hash), revoked at once.

use base64::Engine;
use rand::RngCore;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QuerySelect, Set, TransactionTrait,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use entity::{membership, rotated_refresh_token, session};

use super::tokens::{SessionClaims, TokenKeys};
use super::Role;
use crate::error::{Error, Result};

/// Where a request came from, recorded on sessions and audit events.
#[derive(Clone, Debug, Default)]
pub struct ClientInfo {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// The credentials handed to a client when a session starts or is renewed.
pub struct IssuedSession {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: u64,
    pub claims: SessionClaims,
    pub role: Role,
}

/// What refreshing a session found.
pub enum Refreshed {
    /// The token was current: here are new credentials.
    Renewed(IssuedSession),
    /// The token had already been rotated away: the session is now revoked.
    ReuseDetected {
        tenant_id: Uuid,
        session_id: Uuid,
        user_id: Uuid,
    },
}

const INVALID_REFRESH: Error =
    Error::Unauthenticated("the refresh token is invalid, expired or revoked");

/// Starts a session for `user_id` in `tenant_id` and issues its tokens.
pub async fn start(
    db: &DatabaseConnection,
    keys: &TokenKeys,
    refresh_ttl: std::time::Duration,
    tenant_id: Uuid,
    user_id: Uuid,
    role: Role,
    client: &ClientInfo,
) -> Result<IssuedSession> {
    let refresh_token = new_refresh_token();
    let now = chrono::Utc::now();
    let session = session::ActiveModel {
        tenant_id: Set(tenant_id),
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        refresh_token_hash: Set(hash_refresh_token(&refresh_token)),
        user_agent: Set(client.user_agent.clone()),
        ip: Set(client.ip.clone()),
        created_at: Set(now),
        last_used_at: Set(now),
        expires_at: Set(
            now + chrono::Duration::from_std(refresh_ttl).unwrap_or(chrono::Duration::days(30))
        ),
        revoked_at: Set(None),
    }
    .insert(db)
    .await?;
    issue(keys, tenant_id, user_id, session.id, role, refresh_token)
}

/// Credentials shaped like those of [`start`] that open nothing: no session
/// is stored, the access token's signature is made with a key nobody
/// holds, and the refresh token is not recorded. `signUp` answers them for
/// an email that has an account, so the answer does not tell it has one.
pub fn unusable(
    keys: &TokenKeys,
    tenant_id: Uuid,
    user_id: Uuid,
    role: Role,
) -> Result<IssuedSession> {
    let claims = SessionClaims {
        user_id,
        tenant_id,
        session_id: Uuid::now_v7(),
    };
    Ok(IssuedSession {
        access_token: keys.issue_unusable(&claims, role)?,
        refresh_token: new_refresh_token(),
        expires_in: keys.ttl().as_secs(),
        claims,
        role,
    })
}

fn issue(
    keys: &TokenKeys,
    tenant_id: Uuid,
    user_id: Uuid,
    session_id: Uuid,
    role: Role,
    refresh_token: String,
) -> Result<IssuedSession> {
    let claims = SessionClaims {
        user_id,
        tenant_id,
        session_id,
    };
    Ok(IssuedSession {
        access_token: keys.issue(&claims, role)?,
        refresh_token,
        expires_in: keys.ttl().as_secs(),
        claims,
        role,
    })
}

/// Exchanges a refresh token for new credentials, rotating the token. A token
/// that was already rotated away revokes the whole session: it has leaked.
pub async fn refresh(
    db: &DatabaseConnection,
    keys: &TokenKeys,
    presented: &str,
) -> Result<Refreshed> {
    let hash = hash_refresh_token(presented);
    let tx = db.begin().await?;
    let current = session::Entity::find()
        .filter(session::Column::RefreshTokenHash.eq(hash.clone()))
        .lock_exclusive()
        .one(&tx)
        .await?;
    if let Some(current) = current {
        if current.revoked_at.is_some() || current.expires_at <= chrono::Utc::now() {
            return Err(INVALID_REFRESH);
        }
        let member = membership::Entity::find_by_id((current.tenant_id, current.user_id))
            .one(&tx)
            .await?
            .ok_or(INVALID_REFRESH)?;
        let role = Role::parse(&member.role).ok_or(INVALID_REFRESH)?;
        let next = new_refresh_token();
        rotated_refresh_token::Entity::insert(rotated_refresh_token::ActiveModel {
            token_hash: Set(hash),
            tenant_id: Set(current.tenant_id),
            session_id: Set(current.id),
            rotated_at: Set(chrono::Utc::now()),
        })
        .exec_without_returning(&tx)
        .await?;
        session::Entity::update_many()
            .col_expr(
                session::Column::RefreshTokenHash,
                Expr::value(hash_refresh_token(&next)),
            )
            .col_expr(
                session::Column::LastUsedAt,
                Expr::current_timestamp().into(),
            )
            .filter(session::Column::TenantId.eq(current.tenant_id))
            .filter(session::Column::Id.eq(current.id))
            .exec(&tx)
            .await?;
        tx.commit().await?;
        return Ok(Refreshed::Renewed(issue(
            keys,
            current.tenant_id,
            current.user_id,
            current.id,
            role,
            next,
        )?));
    }
    let rotated = rotated_refresh_token::Entity::find_by_id(hash)
        .one(&tx)
        .await?;
    let Some(rotated) = rotated else {
        return Err(INVALID_REFRESH);
    };
    let revoked = session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::current_timestamp().into())
        .filter(session::Column::TenantId.eq(rotated.tenant_id))
        .filter(session::Column::Id.eq(rotated.session_id))
        .filter(session::Column::RevokedAt.is_null())
        .exec_with_returning(&tx)
        .await?;
    tx.commit().await?;
    match revoked.into_iter().next() {
        Some(s) => Ok(Refreshed::ReuseDetected {
            tenant_id: s.tenant_id,
            session_id: s.id,
            user_id: s.user_id,
        }),
        None => Err(INVALID_REFRESH),
    }
}

/// Revokes one session; true when it was live.
pub async fn revoke(db: &impl ConnectionTrait, tenant_id: Uuid, session_id: Uuid) -> Result<bool> {
    let result = session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::current_timestamp().into())
        .filter(session::Column::TenantId.eq(tenant_id))
        .filter(session::Column::Id.eq(session_id))
        .filter(session::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected > 0)
}

/// Revokes every live session of a member of `tenant_id`; returns their ids.
pub async fn revoke_member(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    user_id: Uuid,
) -> Result<Vec<Uuid>> {
    let revoked = session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::current_timestamp().into())
        .filter(session::Column::TenantId.eq(tenant_id))
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::RevokedAt.is_null())
        .exec_with_returning(db)
        .await?;
    Ok(revoked.into_iter().map(|s| s.id).collect())
}

/// The ids of a member's live sessions.
pub async fn live_of_member(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    user_id: Uuid,
) -> Result<Vec<Uuid>> {
    Ok(session::Entity::find()
        .select_only()
        .column(session::Column::Id)
        .filter(session::Column::TenantId.eq(tenant_id))
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::RevokedAt.is_null())
        .into_tuple()
        .all(db)
        .await?)
}

/// A new opaque refresh token: a recognisable prefix and 256 random bits.
fn new_refresh_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!(
        "crm_rt_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// The stored form of a refresh token. The token carries 256 random bits, so
/// a fast hash is enough: it cannot be guessed from the hash.
fn hash_refresh_token(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}
