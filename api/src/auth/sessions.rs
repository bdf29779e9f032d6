//! Sessions: started at sign-in, durable in PostgreSQL, with an opaque
//! refresh token stored only as a hash.

use base64::Engine;
use rand::RngCore;
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::tokens::TokenKeys;
use super::{Principal, Role};
use crate::error::Result;

/// Where a sign-in came from, recorded on the session.
#[derive(Clone, Debug, Default)]
pub struct ClientInfo {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// The credentials handed to a client when a session starts.
pub struct IssuedSession {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: u64,
    pub principal: Principal,
}

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
    let session = entity::session::ActiveModel {
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
    let principal = Principal {
        user_id,
        tenant_id,
        role,
        session_id: session.id,
    };
    Ok(IssuedSession {
        access_token: keys.issue(&principal)?,
        refresh_token,
        expires_in: keys.ttl().as_secs(),
        principal,
    })
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
