//! Identity queries.

use async_graphql::{Context, Object, Result};

use super::types::Viewer;
use crate::domain::identity;
use crate::graphql::context::{caller, services};

/// `me`.
#[derive(Default)]
pub struct IdentityQuery;

#[Object]
impl IdentityQuery {
    /// The caller: user, workspace, role and permissions.
    async fn me(&self, ctx: &Context<'_>) -> Result<Viewer> {
        let principal = caller(ctx)?;
        let db = &services(ctx).db;
        let tenant = identity::tenant(db, principal.tenant_id).await?;
        let user = identity::members(db, principal.tenant_id, &[principal.user_id])
            .await?
            .into_iter()
            .next();
        Ok(Viewer::new(user, tenant, principal.role))
    }
}
