//! Customer value mutations: starting a recompute, changing the settings.

use async_graphql::{Context, Object, Result};

use super::types::{AnalyticsRun, CustomerValueSettingsPayload, UpdateCustomerValueSettingsInput};
use crate::auth::Permission;
use crate::domain::analytics::{runs, settings};
use crate::graphql::context::{authorize, services, write_tx};

/// `recomputeCustomerValue`, `updateCustomerValueSettings`.
#[derive(Default)]
pub struct AnalyticsMutation;

#[Object]
impl AnalyticsMutation {
    /// Starts recomputing the workspace's customer value in the background
    /// and returns the run (watch it with `analyticsRun(id)`). While a run is
    /// queued or running, that run is returned instead of a new one.
    async fn recompute_customer_value(&self, ctx: &Context<'_>) -> Result<AnalyticsRun> {
        let principal = authorize(ctx, Permission::AnalyticsRun)?;
        let tx = write_tx(ctx, principal).await?;
        let (run, created) = runs::request(&tx, runs::Trigger::Manual).await?;
        tx.commit().await?;
        if created {
            // This node's worker starts it at once; the worker of any node
            // picks it up if this one stops first.
            services(ctx).analytics_wakeup.notify();
        }
        Ok(AnalyticsRun(run))
    }

    /// Changes how customer value is computed; the next run uses it.
    async fn update_customer_value_settings(
        &self,
        ctx: &Context<'_>,
        input: UpdateCustomerValueSettingsInput,
    ) -> Result<CustomerValueSettingsPayload> {
        let principal = authorize(ctx, Permission::AdminSettings)?;
        let tx = write_tx(ctx, principal).await?;
        let saved = settings::update(&tx, input.into()).await?;
        tx.commit().await?;
        Ok(CustomerValueSettingsPayload {
            settings: saved.into(),
        })
    }
}
