//! Administration types of the API.

use async_graphql::{Enum, InputObject, Json, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

use crate::domain::{api_keys, members, outbox};
use crate::error::Result;
use crate::graphql::common::{to_id, DateTimeFilter, PageInfo, StringFilter};
use crate::graphql::identity::types::{RoleName, User};

/// A member of the workspace.
pub struct Member(pub members::Member);

#[Object]
impl Member {
    async fn user(&self) -> User {
        User(self.0.user.clone())
    }
    async fn role(&self) -> Result<RoleName> {
        Ok(self.0.role()?.into())
    }
    async fn team_id(&self) -> Option<ID> {
        self.0.membership.team_id.map(to_id)
    }
    async fn region_id(&self) -> Option<ID> {
        self.0.membership.region_id.map(to_id)
    }
    async fn joined_at(&self) -> DateTime<Utc> {
        self.0.membership.created_at
    }
}

/// A team or department; teams nest.
pub struct Team(pub entity::team::Model);

#[Object]
impl Team {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The team this one belongs to; null at the top.
    async fn parent_id(&self) -> Option<ID> {
        self.0.parent_id.map(to_id)
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A sales or service region.
pub struct Region(pub entity::region::Model);

#[Object]
impl Region {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// Where an invitation stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum InvitationStatus {
    Pending,
    Accepted,
    Revoked,
    Expired,
}

/// An invitation to join the workspace.
pub struct Invitation(pub entity::invitation::Model);

#[Object]
impl Invitation {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    async fn email(&self) -> &str {
        &self.0.email
    }
    async fn role(&self) -> Result<RoleName> {
        crate::auth::Role::parse(&self.0.role)
            .map(Into::into)
            .ok_or_else(|| crate::error::Error::NotFound("role"))
    }
    async fn team_id(&self) -> Option<ID> {
        self.0.team_id.map(to_id)
    }
    /// The member who invited.
    async fn invited_by(&self) -> ID {
        to_id(self.0.invited_by)
    }
    async fn status(&self) -> InvitationStatus {
        if self.0.accepted_at.is_some() {
            InvitationStatus::Accepted
        } else if self.0.revoked_at.is_some() {
            InvitationStatus::Revoked
        } else if self.0.expires_at <= Utc::now() {
            InvitationStatus::Expired
        } else {
            InvitationStatus::Pending
        }
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn expires_at(&self) -> DateTime<Utc> {
        self.0.expires_at
    }
    async fn accepted_at(&self) -> Option<DateTime<Utc>> {
        self.0.accepted_at
    }
}

/// The invitation a mutation wrote.
#[derive(SimpleObject)]
pub struct InvitationPayload {
    pub invitation: Invitation,
}

/// A partner API key (its secret is never shown after creation).
pub struct ApiKey(pub entity::api_key::Model);

#[Object]
impl ApiKey {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The visible part of the key, to recognise it.
    async fn prefix(&self) -> String {
        api_keys::visible_prefix(&self.0)
    }
    /// Permission names the key may use (never more than its creator has).
    async fn scopes(&self) -> &[String] {
        &self.0.scopes
    }
    /// The member who created the key.
    async fn created_by(&self) -> ID {
        to_id(self.0.created_by)
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.expires_at
    }
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
    /// When the key was last used (recorded within a minute).
    async fn last_used_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_used_at
    }
    /// Neither revoked nor expired.
    async fn active(&self) -> bool {
        self.0.revoked_at.is_none() && self.0.expires_at.is_none_or(|at| at > Utc::now())
    }
}

/// A new API key and its secret, shown only here.
#[derive(SimpleObject)]
pub struct CreateApiKeyPayload {
    pub api_key: ApiKey,
    /// The whole key for `Authorization: Bearer`; store it now, it is not shown again.
    pub secret: String,
}

/// One entry of the audit log.
pub struct AuditEvent(pub entity::audit_event::Model);

#[Object]
impl AuditEvent {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }
    /// What happened, such as `sign_in.failed` or `api_key.revoked`.
    async fn action(&self) -> &str {
        &self.0.action
    }
    async fn actor_user_id(&self) -> Option<ID> {
        self.0.actor_user_id.map(to_id)
    }
    async fn actor_api_key_id(&self) -> Option<ID> {
        self.0.actor_api_key_id.map(to_id)
    }
    async fn target_type(&self) -> Option<&str> {
        self.0.target_type.as_deref()
    }
    async fn target_id(&self) -> Option<&str> {
        self.0.target_id.as_deref()
    }
    async fn ip(&self) -> Option<&str> {
        self.0.ip.as_deref()
    }
    async fn user_agent(&self) -> Option<&str> {
        self.0.user_agent.as_deref()
    }
    async fn details(&self) -> Json<serde_json::Value> {
        Json(self.0.details.clone())
    }
}

/// One audit entry in a page.
#[derive(SimpleObject)]
pub struct AuditEventEdge {
    pub cursor: String,
    pub node: AuditEvent,
}

/// A page of the audit log, newest first.
#[derive(SimpleObject)]
pub struct AuditEventConnection {
    pub edges: Vec<AuditEventEdge>,
    pub page_info: PageInfo,
}

/// Which audit entries to list.
#[derive(InputObject, Default)]
pub struct AuditEventFilter {
    pub action: Option<StringFilter>,
    pub actor_user_id: Option<ID>,
    pub actor_api_key_id: Option<ID>,
    pub target_id: Option<String>,
    pub occurred_at: Option<DateTimeFilter>,
}

/// A message to a person outside the product.
pub struct OutboundMessage(pub entity::outbound_message::Model);

#[Object]
impl OutboundMessage {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    /// Such as `invitation`.
    async fn kind(&self) -> &str {
        &self.0.kind
    }
    async fn recipient(&self) -> &str {
        &self.0.recipient
    }
    async fn subject(&self) -> &str {
        &self.0.subject
    }
    /// The text, with secrets (invitation tokens) masked.
    async fn body(&self) -> String {
        outbox::redact(&self.0.body)
    }
    /// `pending`, `sent`, `printed` (development, no mail relay) or `failed`.
    async fn status(&self) -> &str {
        &self.0.status
    }
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn sent_at(&self) -> Option<DateTime<Utc>> {
        self.0.sent_at
    }
}

/// One message in a page.
#[derive(SimpleObject)]
pub struct OutboundMessageEdge {
    pub cursor: String,
    pub node: OutboundMessage,
}

/// A page of outgoing messages, newest first.
#[derive(SimpleObject)]
pub struct OutboundMessageConnection {
    pub edges: Vec<OutboundMessageEdge>,
    pub page_info: PageInfo,
}

/// Invites someone by email.
#[derive(InputObject)]
pub struct InviteMemberInput {
    pub email: String,
    pub role: RoleName,
    pub team_id: Option<ID>,
}

/// Changes a member's role.
#[derive(InputObject)]
pub struct ChangeMemberRoleInput {
    pub user_id: ID,
    pub role: RoleName,
}

/// Places a member in a team and a region; `null` takes them out.
#[derive(InputObject)]
pub struct AssignMemberInput {
    pub user_id: ID,
    pub team_id: async_graphql::MaybeUndefined<ID>,
    pub region_id: async_graphql::MaybeUndefined<ID>,
}

/// A new team.
#[derive(InputObject)]
pub struct CreateTeamInput {
    pub name: String,
    pub parent_id: Option<ID>,
}

/// Changes to a team; `parentId: null` moves it to the top.
#[derive(InputObject)]
pub struct UpdateTeamInput {
    pub id: ID,
    pub name: Option<String>,
    pub parent_id: async_graphql::MaybeUndefined<ID>,
}

/// A new region.
#[derive(InputObject)]
pub struct CreateRegionInput {
    pub name: String,
}

/// A new API key.
#[derive(InputObject)]
pub struct CreateApiKeyInput {
    pub name: String,
    /// Permission names, each one you hold yourself (see `me.permissions`).
    pub scopes: Vec<String>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// Workspace settings to change.
#[derive(InputObject)]
pub struct UpdateTenantSettingsInput {
    pub customer_visibility: Option<crate::graphql::identity::types::CustomerVisibility>,
}
