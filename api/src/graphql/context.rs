//! What a resolver may take from the request: the caller, the database, the
//! request's tenant transaction and the loaders.

use std::sync::Arc;

use async_graphql::Context;

use crate::auth::sessions::ClientInfo;
use crate::auth::{Permission, Principal};
use crate::error::{Error, Result};
pub use crate::services::Services;
use crate::tenancy::{RequestTx, RequestTxGuard, TenantTx};

/// Per-request facts placed in the GraphQL context by the HTTP handler.
pub struct RequestInfo {
    pub principal: Option<Principal>,
    pub client: ClientInfo,
}

/// Shared services.
pub fn services<'a>(ctx: &Context<'a>) -> &'a Services {
    ctx.data_unchecked::<Services>()
}

/// The request's facts.
pub fn request<'a>(ctx: &Context<'a>) -> &'a RequestInfo {
    ctx.data_unchecked::<RequestInfo>()
}

/// The caller and where the request came from, as an audit actor.
pub fn audit_actor(ctx: &Context<'_>) -> crate::domain::audit::Actor {
    let request = request(ctx);
    crate::domain::audit::Actor {
        user_id: request.principal.as_ref().map(Principal::user_id),
        api_key_id: request.principal.as_ref().and_then(Principal::api_key_id),
        ip: request.client.ip.clone(),
        user_agent: request.client.user_agent.clone(),
    }
}

/// The language of the request's messages and labels: the signed-in
/// user's setting, else `Accept-Language`, else English.
pub async fn locale(ctx: &Context<'_>) -> crate::i18n::Locale {
    match ctx.data_opt::<Arc<crate::i18n::RequestLocale>>() {
        Some(locale) => locale.get().await,
        None => crate::i18n::Locale::En,
    }
}

/// The caller, or `UNAUTHENTICATED`.
pub fn caller<'a>(ctx: &Context<'a>) -> Result<&'a Principal> {
    request(ctx)
        .principal
        .as_ref()
        .ok_or(Error::Unauthenticated(
            "sign in first: send `Authorization: Bearer <access token>`",
        ))
}

/// The caller, if their role grants `permission`.
pub fn authorize<'a>(ctx: &Context<'a>, permission: Permission) -> Result<&'a Principal> {
    let principal = caller(ctx)?;
    principal.require(permission)?;
    Ok(principal)
}

/// An edge from one business area into another (a deal's customer, a
/// customer's order figures): the caller must hold the read permission of
/// the area the edge leads into, whatever let them reach its start. Every
/// such edge goes through here.
pub fn edge_into(ctx: &Context<'_>, area_read: Permission) -> Result<()> {
    authorize(ctx, area_read).map(|_| ())
}

/// The request's shared read transaction, bound to the caller's tenant.
pub async fn read_tx<'a>(ctx: &Context<'a>) -> Result<RequestTxGuard<'a>> {
    caller(ctx)?;
    ctx.data::<Arc<RequestTx>>()
        .map_err(|_| Error::Unauthenticated("sign in first"))?
        .lock()
        .await
}

/// A new transaction for one mutation, bound to the caller's tenant: commit
/// it when the mutation succeeds; dropping it rolls everything back.
pub async fn write_tx(ctx: &Context<'_>, principal: &Principal) -> Result<TenantTx> {
    let services = services(ctx);
    TenantTx::begin(&services.db, &services.cache, principal.scope()).await
}
