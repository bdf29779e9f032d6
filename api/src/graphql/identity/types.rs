//! Identity types of the API.

use async_graphql::{Context, Enum, InputObject, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

use crate::auth::{Permission, Role as DomainRole};
use crate::graphql::admin::types::ApiKey;
use crate::graphql::common::to_id;

/// A member's role in a workspace; it decides the member's permissions.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(name = "Role", remote = "crate::auth::Role")]
pub enum RoleName {
    Owner,
    Admin,
    Manager,
    Sales,
    Service,
    Marketing,
    Viewer,
}

/// Which customers sales reps see.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::visibility::CustomerVisibility")]
pub enum CustomerVisibility {
    /// Every customer of the workspace.
    All,
    /// Customers they or their team members own.
    Team,
    /// Customers they own.
    Own,
}

/// A person who can sign in.
pub struct User(pub entity::user::Model);

#[Object]
impl User {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    /// The member's sign-in address: shown to the member, to those who
    /// manage members (`admin:members`) and in the answer to one's own
    /// sign-up, sign-in or invitation; null to everyone else, so a list of
    /// colleagues or a record's owner does not hand out addresses.
    async fn email(&self, ctx: &Context<'_>) -> Option<&str> {
        let shown = match &crate::graphql::context::request(ctx).principal {
            // Anonymous requests reach users only through the sign-in flows,
            // which return the user who signed in.
            None => true,
            Some(p) => {
                (p.user_id() == self.0.id && p.api_key_id().is_none())
                    || p.can(crate::auth::Permission::AdminMembers)
            }
        };
        shown.then_some(self.0.email.as_str())
    }
    async fn display_name(&self) -> Option<&str> {
        self.0.display_name.as_deref()
    }
    /// Preferred language: `en` or `zh-CN`.
    async fn locale(&self) -> &str {
        &self.0.locale
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A company using the product: the unit of data isolation.
pub struct Tenant(pub entity::tenant::Model);

#[Object]
impl Tenant {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    /// The workspace address used to sign in.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// ISO 4217 code that money aggregates are reported in.
    async fn base_currency(&self) -> &str {
        &self.0.base_currency
    }
    async fn default_locale(&self) -> &str {
        &self.0.default_locale
    }
    /// `free`, `pro` or `enterprise`.
    async fn plan(&self) -> &str {
        &self.0.plan
    }
    /// Which customers sales reps see.
    async fn customer_visibility(&self) -> Option<CustomerVisibility> {
        crate::domain::visibility::CustomerVisibility::parse(&self.0.customer_visibility)
            .ok()
            .map(Into::into)
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// The caller: who they are, in which workspace, and what they may do.
#[derive(SimpleObject)]
pub struct Viewer {
    /// The signed-in user; null for API keys.
    pub user: Option<User>,
    /// The API key in use; null for signed-in users.
    pub api_key: Option<ApiKey>,
    pub tenant: Tenant,
    /// The member's role; for an API key, its creator's.
    pub role: RoleName,
    /// Permission names in force, such as `customers:read`.
    pub permissions: Vec<String>,
}

impl Viewer {
    /// The view of a caller acting as `role` with `permissions` in `tenant`.
    pub fn new(
        user: Option<entity::user::Model>,
        api_key: Option<ApiKey>,
        tenant: entity::tenant::Model,
        role: DomainRole,
        permissions: &[Permission],
    ) -> Self {
        Viewer {
            user: user.map(User),
            api_key,
            tenant: Tenant(tenant),
            role: role.into(),
            permissions: permissions.iter().map(|p| p.as_str().to_owned()).collect(),
        }
    }
}

/// A workspace the user belongs to.
#[derive(SimpleObject)]
pub struct TenantMembership {
    pub tenant: Tenant,
    pub role: RoleName,
}

/// Credentials of a new session.
#[derive(SimpleObject)]
pub struct AuthPayload {
    /// Short-lived JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// Opaque secret that renews the session.
    pub refresh_token: String,
    /// Seconds until the access token expires.
    pub expires_in: i32,
    pub user: User,
    pub tenant: Tenant,
}

/// Creates a workspace and its owner.
#[derive(InputObject)]
pub struct SignUpInput {
    pub tenant_name: String,
    /// Workspace address: 3–63 lower-case letters, digits and hyphens.
    pub tenant_slug: String,
    pub email: String,
    /// At least 10 characters.
    pub password: String,
    pub display_name: Option<String>,
    /// `en` (default) or `zh-CN`.
    pub locale: Option<String>,
    /// ISO 4217 code, `USD` by default.
    pub base_currency: Option<String>,
}

/// Email and password, and optionally which workspace to enter.
#[derive(InputObject)]
pub struct SignInInput {
    pub email: String,
    pub password: String,
    pub tenant_slug: Option<String>,
}
