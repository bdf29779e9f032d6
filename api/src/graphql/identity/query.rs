//! Identity queries.

use async_graphql::{Context, Object, Result};

use super::types::{RoleName, Tenant, TenantMembership, Viewer};
use crate::domain::{api_keys, identity};
use crate::graphql::admin::types::ApiKey;
use crate::graphql::context::{caller, services};

/// `me`, `myTenants`.
#[derive(Default)]
pub struct IdentityQuery;

#[Object]
impl IdentityQuery {
    /// The caller: user or API key, workspace, role and permissions in force.
    async fn me(&self, ctx: &Context<'_>) -> Result<Viewer> {
        let principal = caller(ctx)?;
        let db = &services(ctx).db;
        let tenant = identity::tenant(db, principal.tenant_id).await?;
        let user = match principal.api_key_id() {
            Some(_) => None,
            None => identity::members(db, principal.tenant_id, &[principal.user_id()])
                .await?
                .into_iter()
                .next(),
        };
        let api_key = match principal.api_key_id() {
            Some(id) => api_keys::list(db, principal.tenant_id)
                .await?
                .into_iter()
                .find(|k| k.id == id)
                .map(ApiKey),
            None => None,
        };
        Ok(Viewer::new(
            user,
            api_key,
            tenant,
            principal.role,
            &principal.permissions,
        ))
    }

    /// The workspaces the signed-in user belongs to, with their role in each.
    async fn my_tenants(&self, ctx: &Context<'_>) -> Result<Vec<TenantMembership>> {
        let user_id = caller(ctx)?.require_user()?;
        let tenants = identity::tenants_of(&services(ctx).db, user_id).await?;
        Ok(tenants
            .into_iter()
            .map(|(tenant, role)| TenantMembership {
                tenant: Tenant(tenant),
                role: RoleName::from(role),
            })
            .collect())
    }
}
