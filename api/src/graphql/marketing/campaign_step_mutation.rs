//! Campaign step mutations: adding, changing and cancelling scheduled steps.

use async_graphql::{Context, Object, Result};

use super::campaign_step_types::{
    AddCampaignStepInput, CampaignStep, CampaignStepPayload, CancelCampaignStepInput,
    UpdateCampaignStepInput,
};
use crate::auth::Permission;
use crate::domain::marketing::steps;
use crate::graphql::common::parse_id;
use crate::graphql::context::{authorize, write_tx};

/// Campaign step mutations.
#[derive(Default)]
pub struct CampaignStepMutation;

#[Object]
impl CampaignStepMutation {
    /// Schedules an email, event invitation or call list on a `PLANNED` or
    /// `ACTIVE` campaign; it runs once due while the campaign is `ACTIVE`.
    async fn add_campaign_step(
        &self,
        ctx: &Context<'_>,
        input: AddCampaignStepInput,
    ) -> Result<CampaignStepPayload> {
        let principal = authorize(ctx, Permission::MarketingWrite)?;
        let (campaign_id, new) = input.into_domain()?;
        let tx = write_tx(ctx, principal).await?;
        let step = steps::add(&tx, campaign_id, new).await?;
        tx.commit().await?;
        Ok(CampaignStepPayload {
            step: CampaignStep(step),
        })
    }

    /// Changes the time or texts of a `SCHEDULED` step.
    async fn update_campaign_step(
        &self,
        ctx: &Context<'_>,
        input: UpdateCampaignStepInput,
    ) -> Result<CampaignStepPayload> {
        let principal = authorize(ctx, Permission::MarketingWrite)?;
        let (id, version, change) = input.into_domain()?;
        let tx = write_tx(ctx, principal).await?;
        let step = steps::update(&tx, id, version, change).await?;
        tx.commit().await?;
        Ok(CampaignStepPayload {
            step: CampaignStep(step),
        })
    }

    /// Cancels a `SCHEDULED` step.
    async fn cancel_campaign_step(
        &self,
        ctx: &Context<'_>,
        input: CancelCampaignStepInput,
    ) -> Result<CampaignStepPayload> {
        let principal = authorize(ctx, Permission::MarketingWrite)?;
        let id = parse_id("id", &input.id)?;
        let tx = write_tx(ctx, principal).await?;
        let step = steps::cancel(&tx, id, input.version).await?;
        tx.commit().await?;
        Ok(CampaignStepPayload {
            step: CampaignStep(step),
        })
    }
}
