//! Invitations: an admin invites an email address with a role; the person
//! accepts with a single-use, expiring token sent to them by message.
//!
//! The token carries its tenant id (so acceptance can bind the right tenant
//! before looking it up under row-level security) and 256 random bits; only
//! its hash is stored.

use base64::Engine;
use rand::RngCore;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use entity::{invitation, tenant, user};

use super::{identity, members, outbox, values};
use crate::auth::{password, Principal, Role};
use crate::error::{Error, Result};
use crate::tenancy::{TenantScope, TenantTx};

const TOKEN_PREFIX: &str = "crm_inv_";

/// A validated invitation request.
#[derive(Clone, Debug)]
pub struct NewInvitation {
    pub email: String,
    pub role: Role,
    pub team_id: Option<Uuid>,
}

/// How the invitee proves who they are when accepting.
#[derive(Clone, Debug)]
pub struct Acceptance {
    pub token: String,
    /// The new account's password, or the existing account's.
    pub password: String,
    pub display_name: Option<String>,
}

fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

fn new_token(tenant_id: Uuid) -> String {
    let mut bytes = [0u8; 48];
    bytes[..16].copy_from_slice(tenant_id.as_bytes());
    rand::thread_rng().fill_bytes(&mut bytes[16..]);
    format!(
        "{TOKEN_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

fn token_tenant(token: &str) -> Option<Uuid> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token.trim().strip_prefix(TOKEN_PREFIX)?)
        .ok()?;
    (bytes.len() == 48)
        .then(|| Uuid::from_slice(&bytes[..16]).ok())
        .flatten()
}

/// Invites `new.email`; the message with the link is queued in the same
/// transaction. Earlier pending invitations of the same address end.
pub async fn invite(
    tx: &TenantTx,
    inviter: &Principal,
    tenant: &tenant::Model,
    new: NewInvitation,
    ttl: std::time::Duration,
    public_url: &str,
) -> Result<invitation::Model> {
    if !inviter.role.can_manage(new.role) {
        return Err(Error::Forbidden("admin:members"));
    }
    if members::has_email(&**tx, tx.tenant_id(), &new.email).await? {
        return Err(Error::conflict(
            "this person is already a member",
            Some("email"),
        ));
    }
    invitation::Entity::update_many()
        .col_expr(
            invitation::Column::RevokedAt,
            Expr::current_timestamp().into(),
        )
        .filter(invitation::Column::TenantId.eq(tx.tenant_id()))
        .filter(invitation::Column::Email.eq(new.email.as_str()))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .exec(&**tx)
        .await?;
    let token = new_token(tx.tenant_id());
    let now = chrono::Utc::now();
    let created = invitation::Entity::insert(invitation::ActiveModel {
        tenant_id: Set(tx.tenant_id()),
        id: Set(Uuid::now_v7()),
        email: Set(new.email.clone()),
        role: Set(new.role.as_str().to_owned()),
        team_id: Set(new.team_id),
        token_hash: Set(hash(&token)),
        invited_by: Set(inviter.user_id()),
        created_at: Set(now),
        expires_at: Set(now + chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::days(7))),
        accepted_at: Set(None),
        accepted_by: Set(None),
        revoked_at: Set(None),
    })
    .exec_with_returning(&**tx)
    .await
    .map_err(|err| match err.sql_err() {
        Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(_)) => {
            Error::validation("teamId", "is not a team of this workspace")
        }
        _ => err.into(),
    })?;
    let body = format!(
        "You have been invited to join {name} on the CRM as {role}.\n\n\
         Accept the invitation here (the link works once, until {expires}):\n\
         {public_url}/invitations/accept?token={token}\n\n\
         Frontends and partners can accept it with the GraphQL mutation\n\
         acceptInvitation(input: {{ token, password }}) at {public_url}/graphql.\n",
        name = tenant.name,
        role = new.role.as_str(),
        expires = created.expires_at.format("%Y-%m-%d %H:%M UTC"),
    );
    outbox::enqueue(
        tx,
        "invitation",
        &new.email,
        &format!("Join {} on the CRM", tenant.name),
        &body,
    )
    .await?;
    Ok(created)
}

/// The tenant's invitations, newest first.
pub async fn list(tx: &TenantTx) -> Result<Vec<invitation::Model>> {
    Ok(invitation::Entity::find()
        .filter(invitation::Column::TenantId.eq(tx.tenant_id()))
        .order_by_desc(invitation::Column::CreatedAt)
        .all(&**tx)
        .await?)
}

/// Ends a pending invitation.
pub async fn revoke(tx: &TenantTx, id: Uuid) -> Result<invitation::Model> {
    let revoked = invitation::Entity::update_many()
        .col_expr(
            invitation::Column::RevokedAt,
            Expr::current_timestamp().into(),
        )
        .filter(invitation::Column::TenantId.eq(tx.tenant_id()))
        .filter(invitation::Column::Id.eq(id))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .exec_with_returning(&**tx)
        .await?;
    revoked
        .into_iter()
        .next()
        .ok_or(Error::NotFound("invitation"))
}

/// Accepts an invitation: creates the account (new email) or checks the
/// existing account's password, adds the membership and uses up the token.
/// Returns the membership to start a session with.
pub async fn accept(
    db: &DatabaseConnection,
    acceptance: Acceptance,
) -> Result<identity::Membership> {
    let invalid = || {
        Error::validation(
            "token",
            "the invitation is invalid, used, revoked or expired",
        )
    };
    let tenant_id = token_tenant(&acceptance.token).ok_or_else(invalid)?;
    let tx = TenantTx::begin_untracked(db, TenantScope::system(tenant_id)).await?;
    // Locked until the acceptance commits: the same token sent twice at once
    // is accepted once, and the other call finds it used.
    let invitation = invitation::Entity::find()
        .filter(invitation::Column::TenantId.eq(tenant_id))
        .filter(invitation::Column::TokenHash.eq(hash(acceptance.token.trim())))
        .lock_exclusive()
        .one(&*tx)
        .await?
        .filter(|i| {
            i.accepted_at.is_none() && i.revoked_at.is_none() && i.expires_at > chrono::Utc::now()
        })
        .ok_or_else(invalid)?;
    let role = Role::parse(&invitation.role).ok_or_else(invalid)?;
    let existing = user::Entity::find()
        .filter(user::Column::Email.eq(invitation.email.as_str()))
        .one(&*tx)
        .await?;
    let user = match existing {
        Some(user) => {
            if !password::verify(acceptance.password, Some(user.password_hash.clone())).await? {
                return Err(Error::validation(
                    "password",
                    "an account with this email exists; give its password to accept",
                ));
            }
            user
        }
        None => {
            let password = identity::new_password("password", &acceptance.password)?;
            let now = chrono::Utc::now();
            user::Entity::insert(user::ActiveModel {
                id: Set(Uuid::now_v7()),
                email: Set(invitation.email.clone()),
                password_hash: Set(password::hash(password).await?),
                display_name: Set(acceptance.display_name),
                locale: Set("en".into()),
                last_tenant_id: Set(Some(tenant_id)),
                created_at: Set(now),
                updated_at: Set(now),
            })
            .exec_with_returning(&*tx)
            .await?
        }
    };
    members::add(&*tx, tenant_id, user.id, role, invitation.team_id).await?;
    let used = invitation::Entity::update_many()
        .col_expr(
            invitation::Column::AcceptedAt,
            Expr::current_timestamp().into(),
        )
        .col_expr(invitation::Column::AcceptedBy, Expr::value(user.id))
        .filter(invitation::Column::TenantId.eq(tenant_id))
        .filter(invitation::Column::Id.eq(invitation.id))
        .filter(invitation::Column::AcceptedAt.is_null())
        .exec(&*tx)
        .await?;
    if used.rows_affected == 0 {
        return Err(invalid());
    }
    let tenant = identity::tenant(db, tenant_id).await?;
    super::audit::record(
        &tx,
        super::audit::Event::new(
            super::audit::Action::InvitationAccepted,
            super::audit::Actor {
                user_id: Some(user.id),
                ..Default::default()
            },
        )
        .target("invitation", invitation.id),
    )
    .await?;
    tx.commit().await?;
    Ok(identity::Membership { user, tenant, role })
}

/// A valid invitee email (stored lower-case).
pub fn email(raw: &str) -> Result<String> {
    values::email("email", raw).map(|e| e.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_carry_their_tenant() {
        let tenant = Uuid::now_v7();
        let token = new_token(tenant);
        assert!(token.starts_with(TOKEN_PREFIX));
        assert_eq!(token_tenant(&token), Some(tenant));
        assert_eq!(token_tenant("crm_inv_short"), None);
        assert_eq!(token_tenant("nonsense"), None);
    }
}
