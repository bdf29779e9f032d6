//! The authenticated caller of a request.

use uuid::Uuid;

use super::ratelimit::Plan;
use super::{Permission, Role};
use crate::error::{Error, Result};
use crate::tenancy::{CustomerRestriction, TenantScope};

/// Who is behind a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    /// A member signed in through a session.
    User { user_id: Uuid, session_id: Uuid },
    /// A partner system using an API key created by a member.
    ApiKey { key_id: Uuid, created_by: Uuid },
}

/// A caller acting in one tenant, with the permissions in force right now
/// (read from the session or key on every request, not from the token).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub tenant_id: Uuid,
    pub actor: Actor,
    /// The member's role; for an API key, its creator's role.
    pub role: Role,
    pub permissions: Vec<Permission>,
    pub plan: Plan,
    /// Which customers the caller may see (`None`: all of the tenant's).
    pub customers: Option<CustomerRestriction>,
}

impl Principal {
    /// The member acting: the signed-in user, or the creator of the API key.
    pub fn user_id(&self) -> Uuid {
        match self.actor {
            Actor::User { user_id, .. } => user_id,
            Actor::ApiKey { created_by, .. } => created_by,
        }
    }

    /// The session, for callers signed in with a session.
    pub fn session_id(&self) -> Option<Uuid> {
        match self.actor {
            Actor::User { session_id, .. } => Some(session_id),
            Actor::ApiKey { .. } => None,
        }
    }

    /// The API key, for partner callers.
    pub fn api_key_id(&self) -> Option<Uuid> {
        match self.actor {
            Actor::ApiKey { key_id, .. } => Some(key_id),
            Actor::User { .. } => None,
        }
    }

    /// The tenant context this caller's work runs in.
    pub fn scope(&self) -> TenantScope {
        TenantScope {
            tenant_id: self.tenant_id,
            user_id: Some(self.user_id()),
            customers: self.customers,
        }
    }

    /// Whether the caller holds `permission`.
    pub fn can(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }

    /// Fails with `FORBIDDEN` unless the caller holds `permission`.
    pub fn require(&self, permission: Permission) -> Result<()> {
        if self.can(permission) {
            Ok(())
        } else {
            Err(Error::Forbidden(permission.as_str()))
        }
    }

    /// Fails with `FORBIDDEN` unless the caller is a signed-in person (some
    /// actions, such as managing sessions, are not for API keys).
    pub fn require_user(&self) -> Result<Uuid> {
        match self.actor {
            Actor::User { user_id, .. } => Ok(user_id),
            Actor::ApiKey { .. } => Err(Error::Forbidden("session")),
        }
    }
}
