//! The authenticated caller of a request.

use uuid::Uuid;

use super::{Permission, Role};
use crate::error::{Error, Result};
use crate::tenancy::TenantScope;

/// A signed-in member acting in one tenant, as proven by an access token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub user_id: Uuid,
    pub tenant_id: Uuid,
    pub role: Role,
    pub session_id: Uuid,
}

impl Principal {
    /// The tenant context this caller's work runs in.
    pub fn scope(&self) -> TenantScope {
        TenantScope {
            tenant_id: self.tenant_id,
            user_id: Some(self.user_id),
        }
    }

    /// Fails with `FORBIDDEN` unless the caller's role grants `permission`.
    pub fn require(&self, permission: Permission) -> Result<()> {
        if self.role.grants(permission) {
            Ok(())
        } else {
            Err(Error::Forbidden(permission.as_str()))
        }
    }
}
