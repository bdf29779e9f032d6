//! What a resolver may take from the request: the caller, the database, the
//! request's tenant transaction and the loaders.

use std::sync::Arc;

use async_graphql::Context;
use sea_orm::DatabaseConnection;

use crate::auth::sessions::ClientInfo;
use crate::auth::tokens::TokenKeys;
use crate::auth::{Permission, Principal};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::tenancy::{RequestTx, RequestTxGuard, TenantTx};

/// Per-request facts placed in the GraphQL context by the HTTP handler.
pub struct RequestInfo {
    pub principal: Option<Principal>,
    pub client: ClientInfo,
}

/// Process-wide services placed in the GraphQL context by the HTTP handler.
#[derive(Clone)]
pub struct Services {
    pub db: DatabaseConnection,
    pub keys: Arc<TokenKeys>,
    pub config: Arc<Config>,
}

/// Shared services.
pub fn services<'a>(ctx: &Context<'a>) -> &'a Services {
    ctx.data_unchecked::<Services>()
}

/// The request's facts.
pub fn request<'a>(ctx: &Context<'a>) -> &'a RequestInfo {
    ctx.data_unchecked::<RequestInfo>()
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

/// The request's shared read transaction, bound to the caller's tenant.
pub async fn read_tx<'a>(ctx: &Context<'a>) -> Result<RequestTxGuard<'a>> {
    caller(ctx)?;
    ctx.data_unchecked::<Arc<RequestTx>>().lock().await
}

/// A new transaction for one mutation, bound to the caller's tenant: commit
/// it when the mutation succeeds; dropping it rolls everything back.
pub async fn write_tx(ctx: &Context<'_>, principal: &Principal) -> Result<TenantTx> {
    TenantTx::begin(&services(ctx).db, principal.scope()).await
}
