//! The sign-in flows, from credentials to a started session, with the
//! throttling, audit entries and cache updates each one implies.

use uuid::Uuid;

use super::sessions::{self, ClientInfo, IssuedSession, Refreshed};
use crate::domain::audit::{self, Action, Event};
use crate::domain::identity::{self, Membership, SignUp, SignUpOutcome};
use crate::domain::invitations::{self, Acceptance};
use crate::domain::sign_up_notice;
use crate::error::{Error, Result};
use crate::services::Services;

/// A started session with the user and tenant it belongs to.
pub struct SignedIn {
    pub membership: Membership,
    pub session: IssuedSession,
}

fn actor(user_id: Option<Uuid>, client: &ClientInfo) -> audit::Actor {
    audit::Actor {
        user_id,
        api_key_id: None,
        ip: client.ip.clone(),
        user_agent: client.user_agent.clone(),
    }
}

async fn start(
    services: &Services,
    membership: Membership,
    client: &ClientInfo,
) -> Result<SignedIn> {
    let session = sessions::start(
        &services.db,
        &services.keys,
        services.config.jwt.refresh_token_ttl,
        membership.tenant.id,
        membership.user.id,
        membership.role,
        client,
    )
    .await?;
    audit::record_alone(
        &services.db,
        membership.tenant.id,
        Event::new(
            Action::SignInSucceeded,
            actor(Some(membership.user.id), client),
        )
        .target("session", session.claims.session_id),
    )
    .await?;
    Ok(SignedIn {
        membership,
        session,
    })
}

/// Creates a workspace and signs its owner in.
///
/// For an email that has an account, given without its password, nothing is
/// created, yet the answer has the same shape: a workspace and user echoing
/// the input and credentials that open nothing
/// ([`sessions::unusable`]). The account's owner is told by mail, and the
/// attempt counts as a failed sign-in for the email and address (the same
/// back-off), since a correct password does create a workspace.
pub async fn sign_up(services: &Services, input: SignUp, client: &ClientInfo) -> Result<SignedIn> {
    let ip = client.ip.as_deref().unwrap_or("unknown");
    services.throttle.check(&input.email, ip).await?;
    match identity::sign_up(&services.db, input.clone()).await? {
        SignUpOutcome::Created(membership) => start(services, membership, client).await,
        SignUpOutcome::EmailTaken(account) => {
            services.throttle.failed(&input.email, ip).await;
            sign_up_notice::tell_owner(&services.db, &services.config.public_url, &account, &input)
                .await?;
            let membership = sign_up_notice::echo(&input);
            let session = sessions::unusable(
                &services.keys,
                membership.tenant.id,
                membership.user.id,
                membership.role,
            )?;
            Ok(SignedIn {
                membership,
                session,
            })
        }
    }
}

/// Checks the credentials (throttled per account and address) and signs in.
pub async fn sign_in(
    services: &Services,
    email: &str,
    password: String,
    tenant_slug: Option<&str>,
    client: &ClientInfo,
) -> Result<SignedIn> {
    let ip = client.ip.as_deref().unwrap_or("unknown");
    services.throttle.check(email, ip).await?;
    match identity::sign_in(&services.db, email, password, tenant_slug).await {
        Ok(membership) => {
            services.throttle.succeeded(email).await;
            start(services, membership, client).await
        }
        Err(err @ Error::Unauthenticated(_)) => {
            services.throttle.failed(email, ip).await;
            if let Some((tenant_id, user_id)) =
                identity::failure_target(&services.db, email, tenant_slug).await?
            {
                audit::record_alone(
                    &services.db,
                    tenant_id,
                    Event::new(Action::SignInFailed, actor(Some(user_id), client))
                        .details(serde_json::json!({ "tenantSlug": tenant_slug })),
                )
                .await?;
            }
            Err(err)
        }
        Err(err) => Err(err),
    }
}

/// Renews a session with its refresh token. Reuse of a rotated token revokes
/// the session everywhere at once and is recorded.
pub async fn refresh(
    services: &Services,
    refresh_token: &str,
    client: &ClientInfo,
) -> Result<SignedIn> {
    match sessions::refresh(&services.db, &services.keys, refresh_token).await? {
        Refreshed::Renewed(session) => {
            let tenant = identity::tenant(&services.db, session.claims.tenant_id).await?;
            let user = identity::members(&services.db, tenant.id, &[session.claims.user_id])
                .await?
                .into_iter()
                .next()
                .ok_or(Error::Unauthenticated(
                    "the refresh token is invalid, expired or revoked",
                ))?;
            let role = session.role;
            Ok(SignedIn {
                membership: Membership { user, tenant, role },
                session,
            })
        }
        Refreshed::ReuseDetected {
            tenant_id,
            session_id,
            user_id,
        } => {
            services
                .gate
                .session_changed(tenant_id, session_id, true)
                .await;
            audit::record_alone(
                &services.db,
                tenant_id,
                Event::new(Action::SessionReuseDetected, actor(Some(user_id), client))
                    .target("session", session_id),
            )
            .await?;
            Err(Error::Unauthenticated(
                "the refresh token was already used; the session has been revoked",
            ))
        }
    }
}

/// Ends a session at once, on every server node.
pub async fn sign_out(
    services: &Services,
    tenant_id: Uuid,
    session_id: Uuid,
    user_id: Uuid,
    client: &ClientInfo,
) -> Result<()> {
    sessions::revoke(&services.db, tenant_id, session_id).await?;
    services
        .gate
        .session_changed(tenant_id, session_id, true)
        .await;
    audit::record_alone(
        &services.db,
        tenant_id,
        Event::new(Action::SessionRevoked, actor(Some(user_id), client))
            .target("session", session_id)
            .details(serde_json::json!({ "reason": "sign_out" })),
    )
    .await
}

/// Starts a session in another tenant the user belongs to.
pub async fn switch_tenant(
    services: &Services,
    user_id: Uuid,
    tenant_slug: &str,
    client: &ClientInfo,
) -> Result<SignedIn> {
    let membership = identity::membership_by_slug(&services.db, user_id, tenant_slug).await?;
    start(services, membership, client).await
}

/// Accepts an invitation and signs the new member in.
pub async fn accept_invitation(
    services: &Services,
    acceptance: Acceptance,
    client: &ClientInfo,
) -> Result<SignedIn> {
    let membership = invitations::accept(&services.db, acceptance).await?;
    start(services, membership, client).await
}
