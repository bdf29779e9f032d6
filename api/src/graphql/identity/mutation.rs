//! Identity mutations: the only ones open without a token.

use async_graphql::{Context, Object, Result};

use super::types::{AuthPayload, SignInInput, SignUpInput, Tenant, User};
use crate::auth::sessions;
use crate::domain::identity::{self, Membership, SignUp};
use crate::domain::values;
use crate::graphql::context::{request, services};

/// `signUp`, `signIn`.
#[derive(Default)]
pub struct IdentityMutation;

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
        let membership = identity::sign_up(&services(ctx).db, sign_up).await?;
        start_session(ctx, membership).await
    }

    /// Signs in with email and password, into the named workspace or else the
    /// last one used.
    async fn sign_in(&self, ctx: &Context<'_>, input: SignInInput) -> Result<AuthPayload> {
        let membership = identity::sign_in(
            &services(ctx).db,
            &input.email,
            input.password,
            input.tenant_slug.as_deref(),
        )
        .await?;
        start_session(ctx, membership).await
    }
}

async fn start_session(ctx: &Context<'_>, membership: Membership) -> Result<AuthPayload> {
    let services = services(ctx);
    let issued = sessions::start(
        &services.db,
        &services.keys,
        services.config.jwt.refresh_token_ttl,
        membership.tenant.id,
        membership.user.id,
        membership.role,
        &request(ctx).client,
    )
    .await?;
    Ok(AuthPayload {
        access_token: issued.access_token,
        refresh_token: issued.refresh_token,
        expires_in: issued.expires_in.try_into().unwrap_or(i32::MAX),
        user: User(membership.user),
        tenant: Tenant(membership.tenant),
    })
}
