//! Webhook types of the API. Secrets appear only in the payloads of
//! `createWebhookEndpoint` and `rotateWebhookSecret`.

use async_graphql::{ComplexObject, Context, Enum, InputObject, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

use crate::auth::Permission;
use crate::config::GraphqlLimits;
use crate::domain::domain_events::EventKind;
use crate::domain::webhooks::deliveries::{self, DeliveryStatus};
use crate::domain::webhooks::endpoints::{self, DisabledReason};
use crate::error::{Error, Result};
use crate::graphql::common::{page_cost, page_request, to_id, PageInfo};
use crate::graphql::context::{authorize, read_tx};
use crate::graphql::deals::types::DomainEventKind;

/// Why an endpoint is disabled.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::webhooks::endpoints::DisabledReason")]
pub enum WebhookDisabledReason {
    /// A member disabled it.
    Manual,
    /// Every attempt of a delivery's whole retry series failed.
    Failing,
}

/// Where a delivery stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::webhooks::deliveries::DeliveryStatus")]
pub enum WebhookDeliveryStatus {
    /// Waiting for its next attempt.
    Pending,
    /// An attempt got a 2xx answer.
    Succeeded,
    /// Every attempt of its series failed: a dead letter.
    Dead,
}

/// An address that receives the workspace's events of the types it
/// subscribes to, signed with its secret (Standard Webhooks).
pub struct WebhookEndpoint(pub entity::webhook_endpoint::Model);

#[Object]
impl WebhookEndpoint {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    /// Moves on with every change; updates must send the version read.
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn url(&self) -> &str {
        &self.0.url
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// The event types it receives.
    async fn event_types(&self) -> Result<Vec<DomainEventKind>> {
        self.0
            .event_kinds
            .iter()
            .map(|k| {
                EventKind::parse(k)
                    .map(Into::into)
                    .ok_or_else(|| Error::unknown_stored("event kind", k))
            })
            .collect()
    }
    async fn enabled(&self) -> bool {
        self.0.enabled
    }
    /// Why it is disabled; null while enabled.
    async fn disabled_reason(&self) -> Result<Option<WebhookDisabledReason>> {
        self.0
            .disabled_reason
            .as_deref()
            .map(|r| DisabledReason::parse(r).map(Into::into))
            .transpose()
    }
    async fn disabled_at(&self) -> Option<DateTime<Utc>> {
        self.0.disabled_at
    }
    /// Since when every attempt failed; null after a success.
    async fn failing_since(&self) -> Option<DateTime<Utc>> {
        self.0.failing_since
    }
    async fn last_success_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_success_at
    }
    /// Until when the secret replaced by the last rotation still signs
    /// (each request then carries both signatures); null without overlap.
    async fn previous_secret_expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.previous_secret_until.filter(|t| *t > Utc::now())
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// The delivery log: every attempt, newest first.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn delivery_log(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<WebhookAttemptConnection> {
        authorize(ctx, Permission::AdminWebhooks)?;
        let page = page_request(
            ctx.data_unchecked::<GraphqlLimits>(),
            first,
            after,
            last,
            before,
        )?;
        let tx = read_tx(ctx).await?;
        let page = deliveries::log(&tx, self.0.id, &page).await?;
        let cursors: Vec<&str> = page.rows.iter().map(|(c, _)| c.as_str()).collect();
        let page_info = PageInfo::new(&cursors, page.has_next_page, page.has_previous_page);
        Ok(WebhookAttemptConnection {
            edges: page
                .rows
                .into_iter()
                .map(|(cursor, row)| WebhookAttemptEdge {
                    cursor,
                    node: WebhookAttempt(row),
                })
                .collect(),
            page_info,
            endpoint_id: self.0.id,
        })
    }
}

/// One attempt at delivering an event to an endpoint.
pub struct WebhookAttempt(pub entity::webhook_attempt::Model);

#[Object]
impl WebhookAttempt {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    async fn delivery_id(&self) -> ID {
        to_id(self.0.delivery_id)
    }
    /// The event delivered (also the `webhook-id` header).
    async fn event_id(&self) -> ID {
        to_id(self.0.event_id)
    }
    async fn event_type(&self) -> Result<DomainEventKind> {
        EventKind::parse(&self.0.event_kind)
            .map(Into::into)
            .ok_or_else(|| Error::unknown_stored("event kind", &self.0.event_kind))
    }
    /// 1 for the first attempt of the delivery.
    async fn attempt(&self) -> i32 {
        self.0.attempt
    }
    async fn attempted_at(&self) -> DateTime<Utc> {
        self.0.attempted_at
    }
    /// Whether the endpoint answered 2xx.
    async fn succeeded(&self) -> bool {
        self.0.succeeded
    }
    /// The HTTP status of the answer; null when there was none.
    async fn status_code(&self) -> Option<i32> {
        self.0.status_code
    }
    /// Milliseconds from sending to the end of the answer (or the failure).
    async fn latency_ms(&self) -> i32 {
        self.0.latency_ms
    }
    /// The start of the answer's body (at most 1,000 characters).
    async fn response_body(&self) -> Option<&str> {
        self.0.response_body.as_deref()
    }
    /// Why there was no acceptable answer (timeout, refused address, …).
    async fn error(&self) -> Option<&str> {
        self.0.error.as_deref()
    }
}

/// One attempt in a page.
#[derive(SimpleObject)]
pub struct WebhookAttemptEdge {
    pub cursor: String,
    pub node: WebhookAttempt,
}

/// A page of an endpoint's delivery log.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct WebhookAttemptConnection {
    pub edges: Vec<WebhookAttemptEdge>,
    pub page_info: PageInfo,
    #[graphql(skip)]
    pub endpoint_id: uuid::Uuid,
}

#[ComplexObject]
impl WebhookAttemptConnection {
    /// How many attempts the log holds.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i64> {
        let tx = read_tx(ctx).await?;
        Ok(deliveries::log_count(&tx, self.endpoint_id).await? as i64)
    }
}

/// The delivery of one event to one endpoint.
pub struct WebhookDelivery(pub entity::webhook_delivery::Model);

#[Object]
impl WebhookDelivery {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    async fn endpoint_id(&self) -> ID {
        to_id(self.0.endpoint_id)
    }
    async fn event_id(&self) -> ID {
        to_id(self.0.event_id)
    }
    async fn status(&self) -> Result<WebhookDeliveryStatus> {
        Ok(DeliveryStatus::parse(&self.0.status)?.into())
    }
    /// Attempts made so far, over every series.
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    /// When the next attempt is due (while pending).
    async fn next_attempt_at(&self) -> Option<DateTime<Utc>> {
        (self.0.status == DeliveryStatus::Pending.as_str()).then_some(self.0.next_attempt_at)
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// One endpoint in a page.
#[derive(SimpleObject)]
pub struct WebhookEndpointEdge {
    pub cursor: String,
    pub node: WebhookEndpoint,
}

/// A page of the workspace's endpoints, newest first.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct WebhookEndpointConnection {
    pub edges: Vec<WebhookEndpointEdge>,
    pub page_info: PageInfo,
}

#[ComplexObject]
impl WebhookEndpointConnection {
    /// How many endpoints the workspace has.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i64> {
        let tx = read_tx(ctx).await?;
        Ok(endpoints::count(&tx).await? as i64)
    }
}

/// A new endpoint.
#[derive(InputObject)]
pub struct CreateWebhookEndpointInput {
    /// `https://…` (plain `http://` only where the operator allows it).
    pub url: String,
    pub description: Option<String>,
    /// The event types it receives; at least one.
    pub event_types: Vec<DomainEventKind>,
}

/// The new endpoint and its signing secret.
#[derive(SimpleObject)]
pub struct CreateWebhookEndpointPayload {
    pub endpoint: WebhookEndpoint,
    /// `whsec_…`, shown only here: keep it to verify signatures.
    pub secret: String,
}

/// Changes of an endpoint; only the fields given change.
#[derive(InputObject)]
pub struct UpdateWebhookEndpointInput {
    pub id: ID,
    /// The version read; a stale one is a `CONFLICT`.
    pub version: i32,
    pub url: Option<String>,
    pub description: async_graphql::MaybeUndefined<String>,
    pub event_types: Option<Vec<DomainEventKind>>,
    /// Disable or enable; enabling clears the disabled reason.
    pub enabled: Option<bool>,
}

/// An endpoint after a change.
#[derive(SimpleObject)]
pub struct WebhookEndpointPayload {
    pub endpoint: WebhookEndpoint,
}

/// A secret rotation.
#[derive(InputObject)]
pub struct RotateWebhookSecretInput {
    pub id: ID,
    /// How long the old secret keeps signing beside the new one (0 to
    /// 604,800 s; one day by default).
    #[graphql(default = 86400)]
    pub overlap_seconds: i32,
}

/// The endpoint and its new secret.
#[derive(SimpleObject)]
pub struct RotateWebhookSecretPayload {
    pub endpoint: WebhookEndpoint,
    /// The new `whsec_…` secret, shown only here.
    pub secret: String,
}

/// The endpoint to delete.
#[derive(InputObject)]
pub struct DeleteWebhookEndpointInput {
    pub id: ID,
}

/// What was deleted.
#[derive(SimpleObject)]
pub struct DeleteWebhookEndpointPayload {
    pub deleted_id: ID,
}

/// One event to send to one endpoint again.
#[derive(InputObject)]
pub struct RedeliverWebhookEventInput {
    pub endpoint_id: ID,
    pub event_id: ID,
}

/// The delivery queued again.
#[derive(SimpleObject)]
pub struct RedeliverWebhookEventPayload {
    pub delivery: WebhookDelivery,
}

/// Where a replay starts: give exactly one.
#[derive(InputObject)]
pub struct ReplayWebhookEventsInput {
    pub endpoint_id: ID,
    /// A cursor of `domainEvents(order: FEED)`: every event after it.
    pub after: Option<String>,
    /// Every event that occurred at or after this time.
    pub since: Option<DateTime<Utc>>,
}

/// How many deliveries a replay queued.
#[derive(SimpleObject)]
pub struct ReplayWebhookEventsPayload {
    pub queued: i32,
}
