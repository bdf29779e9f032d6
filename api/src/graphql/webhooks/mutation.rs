//! Webhook mutations. Each is audited; secrets never reach the audit log.

use async_graphql::{Context, MaybeUndefined, Object, Result};

use super::types::{
    CreateWebhookEndpointInput, CreateWebhookEndpointPayload, DeleteWebhookEndpointInput,
    DeleteWebhookEndpointPayload, RedeliverWebhookEventInput, RedeliverWebhookEventPayload,
    ReplayWebhookEventsInput, ReplayWebhookEventsPayload, RotateWebhookSecretInput,
    RotateWebhookSecretPayload, UpdateWebhookEndpointInput, WebhookDelivery, WebhookEndpoint,
    WebhookEndpointPayload,
};
use crate::auth::Permission;
use crate::domain::audit::{self, Action, Event};
use crate::domain::domain_events::FeedPosition;
use crate::domain::webhooks::deliveries::{self, ReplayFrom};
use crate::domain::webhooks::endpoints::{self, EndpointChanges, EndpointUrl, NewEndpoint};
use crate::error::Error;
use crate::graphql::common::{parse_id, to_id};
use crate::graphql::context::{audit_actor, authorize, services, write_tx};

/// The webhook mutations.
#[derive(Default)]
pub struct WebhookMutation;

#[Object]
impl WebhookMutation {
    /// Adds an endpoint, enabled; its signing secret is shown only in the
    /// answer.
    async fn create_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        input: CreateWebhookEndpointInput,
    ) -> Result<CreateWebhookEndpointPayload> {
        let principal = authorize(ctx, Permission::AdminWebhooks)?;
        let config = &services(ctx).config.webhooks;
        let new = NewEndpoint {
            url: EndpointUrl::parse("url", &input.url, config)?,
            description: input
                .description
                .as_deref()
                .map(|d| endpoints::description("description", d))
                .transpose()?
                .flatten(),
            event_kinds: endpoints::event_kinds(
                "eventTypes",
                input.event_types.into_iter().map(Into::into).collect(),
            )?,
        };
        let tx = write_tx(ctx, principal).await?;
        let (endpoint, secret) = endpoints::create(&tx, new).await?;
        audit::record(
            &tx,
            Event::new(Action::WebhookEndpointCreated, audit_actor(ctx))
                .target("webhook_endpoint", endpoint.id)
                .details(
                    serde_json::json!({ "url": endpoint.url, "eventTypes": endpoint.event_kinds }),
                ),
        )
        .await?;
        tx.commit().await?;
        Ok(CreateWebhookEndpointPayload {
            endpoint: WebhookEndpoint(endpoint),
            secret,
        })
    }

    /// Changes an endpoint's address, description, event types or enabled
    /// flag (only the fields given).
    async fn update_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        input: UpdateWebhookEndpointInput,
    ) -> Result<WebhookEndpointPayload> {
        let principal = authorize(ctx, Permission::AdminWebhooks)?;
        let config = &services(ctx).config.webhooks;
        let id = parse_id("id", &input.id)?;
        let changes = EndpointChanges {
            url: input
                .url
                .map(|u| EndpointUrl::parse("url", &u, config))
                .transpose()?,
            description: match input.description {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(d) => Some(endpoints::description("description", &d)?),
            },
            event_kinds: input
                .event_types
                .map(|t| {
                    endpoints::event_kinds("eventTypes", t.into_iter().map(Into::into).collect())
                })
                .transpose()?,
            enabled: input.enabled,
        };
        let tx = write_tx(ctx, principal).await?;
        let endpoint = endpoints::update(&tx, id, input.version, changes).await?;
        audit::record(
            &tx,
            Event::new(Action::WebhookEndpointUpdated, audit_actor(ctx))
                .target("webhook_endpoint", endpoint.id)
                .details(
                    serde_json::json!({ "url": endpoint.url, "eventTypes": endpoint.event_kinds,
                                             "enabled": endpoint.enabled }),
                ),
        )
        .await?;
        tx.commit().await?;
        Ok(WebhookEndpointPayload {
            endpoint: WebhookEndpoint(endpoint),
        })
    }

    /// Gives an endpoint a new signing secret, shown only in the answer;
    /// the old one keeps signing beside it for `overlapSeconds`.
    async fn rotate_webhook_secret(
        &self,
        ctx: &Context<'_>,
        input: RotateWebhookSecretInput,
    ) -> Result<RotateWebhookSecretPayload> {
        let principal = authorize(ctx, Permission::AdminWebhooks)?;
        let id = parse_id("id", &input.id)?;
        let overlap = chrono::Duration::seconds(i64::from(input.overlap_seconds));
        let tx = write_tx(ctx, principal).await?;
        let (endpoint, secret) = endpoints::rotate_secret(&tx, id, overlap).await?;
        audit::record(
            &tx,
            Event::new(Action::WebhookSecretRotated, audit_actor(ctx))
                .target("webhook_endpoint", endpoint.id)
                .details(serde_json::json!({ "overlapSeconds": input.overlap_seconds })),
        )
        .await?;
        tx.commit().await?;
        Ok(RotateWebhookSecretPayload {
            endpoint: WebhookEndpoint(endpoint),
            secret,
        })
    }

    /// Deletes an endpoint with its pending deliveries and its log.
    async fn delete_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        input: DeleteWebhookEndpointInput,
    ) -> Result<DeleteWebhookEndpointPayload> {
        let principal = authorize(ctx, Permission::AdminWebhooks)?;
        let id = parse_id("id", &input.id)?;
        let tx = write_tx(ctx, principal).await?;
        let endpoint = endpoints::delete(&tx, id).await?;
        audit::record(
            &tx,
            Event::new(Action::WebhookEndpointDeleted, audit_actor(ctx))
                .target("webhook_endpoint", endpoint.id)
                .details(serde_json::json!({ "url": endpoint.url })),
        )
        .await?;
        tx.commit().await?;
        Ok(DeleteWebhookEndpointPayload {
            deleted_id: to_id(endpoint.id),
        })
    }

    /// Sends one event to an endpoint again, now, as a new series of
    /// attempts.
    async fn redeliver_webhook_event(
        &self,
        ctx: &Context<'_>,
        input: RedeliverWebhookEventInput,
    ) -> Result<RedeliverWebhookEventPayload> {
        let principal = authorize(ctx, Permission::AdminWebhooks)?;
        let endpoint_id = parse_id("endpointId", &input.endpoint_id)?;
        let event_id = parse_id("eventId", &input.event_id)?;
        let tx = write_tx(ctx, principal).await?;
        let delivery = deliveries::redeliver(&tx, endpoint_id, event_id).await?;
        tx.commit().await?;
        Ok(RedeliverWebhookEventPayload {
            delivery: WebhookDelivery(delivery),
        })
    }

    /// Queues again every kept event of the endpoint's types after a feed
    /// cursor or since a time.
    async fn replay_webhook_events(
        &self,
        ctx: &Context<'_>,
        input: ReplayWebhookEventsInput,
    ) -> Result<ReplayWebhookEventsPayload> {
        let principal = authorize(ctx, Permission::AdminWebhooks)?;
        let endpoint_id = parse_id("endpointId", &input.endpoint_id)?;
        let from = match (input.after, input.since) {
            (Some(cursor), None) => {
                ReplayFrom::Cursor(FeedPosition::decode(&cursor).ok_or_else(|| {
                    Error::validation("after", "is not a cursor of the event feed")
                })?)
            }
            (None, Some(at)) => ReplayFrom::Time(at),
            _ => return Err(Error::validation("after", "give either `after` or `since`").into()),
        };
        let tx = write_tx(ctx, principal).await?;
        let queued = deliveries::replay(&tx, endpoint_id, from).await?;
        audit::record(
            &tx,
            Event::new(Action::WebhookEventsReplayed, audit_actor(ctx))
                .target("webhook_endpoint", endpoint_id)
                .details(serde_json::json!({ "queued": queued })),
        )
        .await?;
        tx.commit().await?;
        Ok(ReplayWebhookEventsPayload {
            queued: queued.min(i32::MAX as u64) as i32,
        })
    }
}
