//! Webhooks: endpoints of a workspace that receive its events, signed as
//! the Standard Webhooks specification says, retried with back-off for
//! about three days, logged, redeliverable and replayable. The delivery
//! itself (HTTP) is the worker's (`workers::webhooks`); this module holds
//! the rules and the storage.

pub mod address_guard;
pub mod deliveries;
pub mod endpoints;
pub mod signing;

use sea_orm::DatabaseConnection;

use crate::auth::Role;
use crate::domain::{audit, identity, members, outbox};
use crate::error::Result;
use crate::tenancy::{TenantScope, TenantTx};

/// Disables the endpoint of a dead letter when it failed throughout the
/// letter's series of attempts, and tells the workspace's owners and
/// admins (a message through the outgoing-mail queue, and the audit log).
/// Returns whether it disabled the endpoint.
pub async fn disable_if_failing(
    db: &DatabaseConnection,
    dead: &deliveries::DeadLetter,
) -> Result<bool> {
    let tx = TenantTx::begin_untracked(db, TenantScope::system(dead.tenant_id)).await?;
    let Some(endpoint) =
        endpoints::disable_failing(&tx, dead.endpoint_id, dead.series_started_at).await?
    else {
        return Ok(false);
    };
    audit::record(
        &tx,
        audit::Event::new(audit::Action::WebhookEndpointDisabled, Default::default())
            .target("webhook_endpoint", endpoint.id)
            .details(serde_json::json!({
                "url": endpoint.url,
                "failingSince": endpoint.failing_since,
                "deliveryId": dead.delivery_id,
            })),
    )
    .await?;
    let tenant = identity::tenant(db, dead.tenant_id).await?;
    let subject = format!("Webhook endpoint disabled in {}", tenant.name);
    let body = format!(
        "The webhook endpoint {url} of the workspace {name} failed every delivery attempt \
         since {since} and has been disabled: events are no longer queued for it.\n\n\
         When it answers again, enable it (updateWebhookEndpoint with enabled: true) and \
         replay the events it missed (replayWebhookEvents from a time or a feed cursor).\n",
        url = endpoint.url,
        name = tenant.name,
        since = endpoint
            .failing_since
            .map(|t| t.to_rfc3339())
            .unwrap_or_else(|| "its first attempt".into()),
    );
    for member in members::list(db, dead.tenant_id).await? {
        if matches!(member.role(), Ok(Role::Owner | Role::Admin)) {
            outbox::enqueue(&tx, "webhook_disabled", &member.user.email, &subject, &body).await?;
        }
    }
    tx.commit().await?;
    tracing::warn!(tenant_id = %dead.tenant_id, endpoint_id = %endpoint.id, "webhook endpoint disabled after failing throughout");
    Ok(true)
}
