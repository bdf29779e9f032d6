//! The audit log: who did what security-relevant thing, when and from where.
//! Entries are only ever added; admins read them as a filtered connection.

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use serde_json::Value as JsonValue;
use uuid::Uuid;

use entity::audit_event::{self, Column, Entity as AuditEvents};

use super::filter::{TextFilter, TimeFilter};
use super::pagination::{fetch_page, Page, PageRequest, SortKey, SortKind, SortValue};
use crate::error::Result;
use crate::tenancy::{TenantScope, TenantTx};

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    SignInSucceeded,
    SignInFailed,
    SessionRevoked,
    SessionReuseDetected,
    ApiKeyCreated,
    ApiKeyRevoked,
    MemberInvited,
    InvitationRevoked,
    InvitationAccepted,
    MemberRoleChanged,
    MemberRemoved,
    WebhookEndpointCreated,
    WebhookEndpointUpdated,
    WebhookSecretRotated,
    WebhookEndpointDeleted,
    /// The delivery worker disabled an endpoint that failed throughout.
    WebhookEndpointDisabled,
    WebhookEventsReplayed,
}

impl Action {
    /// The stored, public name.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::SignInSucceeded => "sign_in.succeeded",
            Action::SignInFailed => "sign_in.failed",
            Action::SessionRevoked => "session.revoked",
            Action::SessionReuseDetected => "session.refresh_token_reused",
            Action::ApiKeyCreated => "api_key.created",
            Action::ApiKeyRevoked => "api_key.revoked",
            Action::MemberInvited => "member.invited",
            Action::InvitationRevoked => "invitation.revoked",
            Action::InvitationAccepted => "invitation.accepted",
            Action::MemberRoleChanged => "member.role_changed",
            Action::MemberRemoved => "member.removed",
            Action::WebhookEndpointCreated => "webhook.created",
            Action::WebhookEndpointUpdated => "webhook.updated",
            Action::WebhookSecretRotated => "webhook.secret_rotated",
            Action::WebhookEndpointDeleted => "webhook.deleted",
            Action::WebhookEndpointDisabled => "webhook.disabled_failing",
            Action::WebhookEventsReplayed => "webhook.replayed",
        }
    }
}

/// Who acted and from where.
#[derive(Clone, Debug, Default)]
pub struct Actor {
    pub user_id: Option<Uuid>,
    pub api_key_id: Option<Uuid>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// One event to record.
#[derive(Clone, Debug)]
pub struct Event {
    pub action: Action,
    pub actor: Actor,
    pub target: Option<(&'static str, String)>,
    pub details: JsonValue,
}

impl Event {
    /// An event without target or details.
    pub fn new(action: Action, actor: Actor) -> Self {
        Event {
            action,
            actor,
            target: None,
            details: JsonValue::Object(Default::default()),
        }
    }

    /// The record the event is about.
    pub fn target(mut self, kind: &'static str, id: impl ToString) -> Self {
        self.target = Some((kind, id.to_string()));
        self
    }

    /// Extra facts, as a JSON object.
    pub fn details(mut self, details: JsonValue) -> Self {
        self.details = details;
        self
    }
}

/// Records `event` in the transaction's tenant, as part of the same change.
pub async fn record(tx: &TenantTx, event: Event) -> Result<()> {
    let (target_type, target_id) = match event.target {
        Some((kind, id)) => (Some(kind.to_owned()), Some(id)),
        None => (None, None),
    };
    AuditEvents::insert(audit_event::ActiveModel {
        tenant_id: Set(tx.tenant_id()),
        id: Set(Uuid::now_v7()),
        occurred_at: Set(chrono::Utc::now()),
        action: Set(event.action.as_str().to_owned()),
        actor_user_id: Set(event.actor.user_id),
        actor_api_key_id: Set(event.actor.api_key_id),
        target_type: Set(target_type),
        target_id: Set(target_id),
        ip: Set(event.actor.ip),
        user_agent: Set(event.actor.user_agent),
        details: Set(event.details),
    })
    .exec_without_returning(&**tx)
    .await?;
    Ok(())
}

/// Records `event` in `tenant_id` in a transaction of its own (for events
/// that happen outside any tenant change, such as a failed sign-in).
pub async fn record_alone(db: &DatabaseConnection, tenant_id: Uuid, event: Event) -> Result<()> {
    let tx = TenantTx::begin_untracked(
        db,
        TenantScope {
            tenant_id,
            user_id: event.actor.user_id,
            customers: None,
        },
    )
    .await?;
    record(&tx, event).await?;
    tx.commit().await
}

/// Which audit events to list.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub action: Option<TextFilter>,
    pub actor_user_id: Option<Uuid>,
    pub actor_api_key_id: Option<Uuid>,
    pub target_id: Option<String>,
    pub occurred_at: Option<TimeFilter>,
}

/// One page of the tenant's audit log, newest first.
pub async fn list(
    tx: &TenantTx,
    filter: &AuditFilter,
    page: &PageRequest,
) -> Result<Page<audit_event::Model>> {
    if let Some(action) = &filter.action {
        action.validate("filter.action")?;
    }
    let mut select = AuditEvents::find().filter(Column::TenantId.eq(tx.tenant_id()));
    if let Some(action) = &filter.action {
        select = select.filter(action.condition(Expr::col((AuditEvents, Column::Action)).into()));
    }
    if let Some(user) = filter.actor_user_id {
        select = select.filter(Column::ActorUserId.eq(user));
    }
    if let Some(key) = filter.actor_api_key_id {
        select = select.filter(Column::ActorApiKeyId.eq(key));
    }
    if let Some(target) = &filter.target_id {
        select = select.filter(Column::TargetId.eq(target.as_str()));
    }
    if let Some(at) = &filter.occurred_at {
        select = select.filter(at.condition(Expr::col((AuditEvents, Column::OccurredAt)).into()));
    }
    let keys = [
        SortKey {
            name: "occurredAt",
            expr: Expr::col((AuditEvents, Column::OccurredAt)).into(),
            kind: SortKind::Time,
            descending: true,
            case_insensitive: false,
            value_cast: None,
        },
        SortKey {
            name: "id",
            expr: Expr::col((AuditEvents, Column::Id)).into(),
            kind: SortKind::Uuid,
            descending: true,
            case_insensitive: false,
            value_cast: None,
        },
    ];
    fetch_page(tx, select, &keys, page, |row| {
        vec![SortValue::Time(row.occurred_at), SortValue::Uuid(row.id)]
    })
    .await
}
