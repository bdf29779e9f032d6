//! Identity mutations: signing up, in and out, renewing and switching
//! sessions, and accepting invitations.

use async_graphql::{Context, InputObject, Object, Result};

use super::types::{AuthPayload, SignInInput, SignUpInput};
use crate::auth::flows::{self, SignedIn};
use crate::domain::identity::{self, SignUp};
use crate::domain::invitations::Acceptance;
use crate::domain::values;
use crate::error::Error;
use crate::graphql::context::{caller, request, services};

/// The identity mutations.
#[derive(Default)]
pub struct IdentityMutation;

/// Accepts an invitation.
#[derive(InputObject)]
pub struct AcceptInvitationInput {
    /// The token from the invitation message.
    pub token: String,
    /// A new password (at least 10 characters), or, when the email already
    /// has an account, that account's password.
    pub password: String,
    pub display_name: Option<String>,
}

#[Object]
impl IdentityMutation {
    /// Creates a workspace with the caller as its owner, and signs in.
    async fn sign_up(&self, ctx: &Context<'_>, input: SignUpInput) -> Result<AuthPayload> {
        let sign_up = SignUp {
            tenant_name: values::required_text("tenantName", &input.tenant_name, 200)?,
            tenant_slug: identity::tenant_slug("tenantSlug", &input.tenant_slug)?,
            email: values::email("email", &input.email)?,
            password: identity::new_password("password", &input.password)?,
            display_name: input
                .display_name
                .as_deref()
                .map(|n| values::optional_text("displayName", n, 100))
                .transpose()?
                .flatten(),
            locale: values::locale("locale", input.locale.as_deref().unwrap_or("en"))?,
            base_currency: values::currency(
                "baseCurrency",
                input.base_currency.as_deref().unwrap_or("USD"),
            )?,
        };
        let signed = flows::sign_up(services(ctx), sign_up, &request(ctx).client).await?;
        Ok(payload(signed))
    }

    /// Signs in with email and password, into the named workspace or else the
    /// last one used. Repeated failures make the account and address wait.
    async fn sign_in(&self, ctx: &Context<'_>, input: SignInInput) -> Result<AuthPayload> {
        let signed = flows::sign_in(
            services(ctx),
            &input.email,
            input.password,
            input.tenant_slug.as_deref(),
            &request(ctx).client,
        )
        .await?;
        Ok(payload(signed))
    }

    /// Renews the session: a new access token and a new refresh token. Each
    /// refresh token works once; using one twice revokes the session.
    async fn refresh_session(
        &self,
        ctx: &Context<'_>,
        refresh_token: String,
    ) -> Result<AuthPayload> {
        let signed = flows::refresh(services(ctx), &refresh_token, &request(ctx).client).await?;
        Ok(payload(signed))
    }

    /// Ends the current session at once: its tokens stop working everywhere.
    async fn sign_out(&self, ctx: &Context<'_>) -> Result<bool> {
        let principal = caller(ctx)?;
        let user_id = principal.require_user()?;
        let session_id = principal.session_id().ok_or(Error::Forbidden("session"))?;
        flows::sign_out(
            services(ctx),
            principal.tenant_id,
            session_id,
            user_id,
            &request(ctx).client,
        )
        .await?;
        Ok(true)
    }

    /// Starts a session in another workspace the caller belongs to.
    async fn switch_tenant(&self, ctx: &Context<'_>, tenant_slug: String) -> Result<AuthPayload> {
        let user_id = caller(ctx)?.require_user()?;
        let signed =
            flows::switch_tenant(services(ctx), user_id, &tenant_slug, &request(ctx).client)
                .await?;
        Ok(payload(signed))
    }

    /// Joins the workspace of an invitation and signs in.
    async fn accept_invitation(
        &self,
        ctx: &Context<'_>,
        input: AcceptInvitationInput,
    ) -> Result<AuthPayload> {
        let acceptance = Acceptance {
            token: input.token,
            password: input.password,
            display_name: input
                .display_name
                .as_deref()
                .map(|n| values::optional_text("displayName", n, 100))
                .transpose()?
                .flatten(),
        };
        let signed =
            flows::accept_invitation(services(ctx), acceptance, &request(ctx).client).await?;
        Ok(payload(signed))
    }
}

fn payload(signed: SignedIn) -> AuthPayload {
    AuthPayload {
        access_token: signed.session.access_token,
        refresh_token: signed.session.refresh_token,
        expires_in: signed.session.expires_in.try_into().unwrap_or(i32::MAX),
        user: super::types::User(signed.membership.user),
        tenant: super::types::Tenant(signed.membership.tenant),
    }
}
