//! Campaign mutations: planning, moving through statuses, audiences,
//! members and costs.

use async_graphql::{Context, Object, Result, ID};

use super::campaign_types::{
    AddCampaignCostInput, Campaign, CampaignMembersInput, CampaignMembersPayload, CampaignPayload,
    ChangeCampaignStatusInput, CreateCampaignInput, SetCampaignAudienceInput,
    SetCampaignMemberStatusInput, UpdateCampaignInput,
};
use crate::auth::Permission;
use crate::domain::marketing::campaigns;
use crate::error::Error;
use crate::graphql::common::{parse_id, parse_ids};
use crate::graphql::context::{authorize, write_tx};
use crate::tenancy::TenantTx;

/// Campaign mutations.
#[derive(Default)]
pub struct CampaignMutation;

/// The campaign as `tx` left it, committed.
async fn committed(tx: TenantTx, id: uuid::Uuid) -> Result<Campaign> {
    let campaign = campaigns::find(&tx, id)
        .await?
        .ok_or(Error::NotFound("campaign"))?;
    tx.commit().await?;
    Ok(Campaign(campaign))
}

#[Object]
impl CampaignMutation {
    /// Plans a campaign.
    async fn create_campaign(
        &self,
        ctx: &Context<'_>,
        input: CreateCampaignInput,
    ) -> Result<CampaignPayload> {
        let principal = authorize(ctx, Permission::MarketingWrite)?;
        let new = input.into_domain()?;
        let tx = write_tx(ctx, principal).await?;
        let campaign = campaigns::create(&tx, new)
            .await
            .map_err(|e| e.within("plan"))?;
        tx.commit().await?;
        Ok(CampaignPayload {
            campaign: Campaign(campaign),
        })
    }

    /// Changes a campaign's plan.
    async fn update_campaign(
        &self,
        ctx: &Context<'_>,
        input: UpdateCampaignInput,
    ) -> Result<CampaignPayload> {
        let principal = authorize(ctx, Permission::MarketingWrite)?;
        let (id, version, plan) = input.into_domain()?;
        let tx = write_tx(ctx, principal).await?;
        let campaign = campaigns::update(&tx, id, version, plan)
            .await
            .map_err(|e| e.within("plan"))?;
        tx.commit().await?;
        Ok(CampaignPayload {
            campaign: Campaign(campaign),
        })
    }

    /// Moves a campaign to another status; `ACTIVE` takes the members of
    /// its audience's segments as they are now.
    async fn change_campaign_status(
        &self,
        ctx: &Context<'_>,
        input: ChangeCampaignStatusInput,
    ) -> Result<CampaignPayload> {
        let principal = authorize(ctx, Permission::MarketingWrite)?;
        let id = parse_id("id", &input.id)?;
        let tx = write_tx(ctx, principal).await?;
        let campaign =
            campaigns::change_status(&tx, id, input.version, input.status.into()).await?;
        tx.commit().await?;
        Ok(CampaignPayload {
            campaign: Campaign(campaign),
        })
    }

    /// Deletes a campaign that no order or lead names.
    async fn delete_campaign(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        let principal = authorize(ctx, Permission::MarketingWrite)?;
        let id = parse_id("id", &id)?;
        let tx = write_tx(ctx, principal).await?;
        campaigns::delete(&tx, id).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Sets the segments a campaign targets.
    async fn set_campaign_audience(
        &self,
        ctx: &Context<'_>,
        input: SetCampaignAudienceInput,
    ) -> Result<CampaignPayload> {
        let principal = authorize(ctx, Permission::MarketingWrite)?;
        let id = parse_id("campaignId", &input.campaign_id)?;
        let segments = parse_ids("segmentIds", &input.segment_ids)?;
        let tx = write_tx(ctx, principal).await?;
        campaigns::set_audience(&tx, id, &segments).await?;
        Ok(CampaignPayload {
            campaign: committed(tx, id).await?,
        })
    }

    /// Adds customers to a campaign, `TARGETED`.
    async fn add_campaign_members(
        &self,
        ctx: &Context<'_>,
        input: CampaignMembersInput,
    ) -> Result<CampaignMembersPayload> {
        let principal = authorize(ctx, Permission::MarketingWrite)?;
        let (id, customers) = input.parse()?;
        let tx = write_tx(ctx, principal).await?;
        let changed = campaigns::add_members(&tx, id, &customers).await?;
        Ok(CampaignMembersPayload {
            campaign: committed(tx, id).await?,
            changed: changed as i64,
        })
    }

    /// Takes customers out of a campaign.
    async fn remove_campaign_members(
        &self,
        ctx: &Context<'_>,
        input: CampaignMembersInput,
    ) -> Result<CampaignMembersPayload> {
        let principal = authorize(ctx, Permission::MarketingWrite)?;
        let (id, customers) = input.parse()?;
        let tx = write_tx(ctx, principal).await?;
        let changed = campaigns::remove_members(&tx, id, &customers).await?;
        Ok(CampaignMembersPayload {
            campaign: committed(tx, id).await?,
            changed: changed as i64,
        })
    }

    /// Records how far the campaign got with members (sent, opened,
    /// responded, converted, …).
    async fn set_campaign_member_status(
        &self,
        ctx: &Context<'_>,
        input: SetCampaignMemberStatusInput,
    ) -> Result<CampaignMembersPayload> {
        let principal = authorize(ctx, Permission::MarketingWrite)?;
        let id = parse_id("campaignId", &input.campaign_id)?;
        let customers = parse_ids("customerIds", &input.customer_ids)?;
        let tx = write_tx(ctx, principal).await?;
        let changed =
            campaigns::set_member_status(&tx, id, &customers, input.status.into()).await?;
        Ok(CampaignMembersPayload {
            campaign: committed(tx, id).await?,
            changed: changed as i64,
        })
    }

    /// Adds a planned or actual cost line.
    async fn add_campaign_cost(
        &self,
        ctx: &Context<'_>,
        input: AddCampaignCostInput,
    ) -> Result<CampaignPayload> {
        let principal = authorize(ctx, Permission::MarketingWrite)?;
        let (id, cost) = input.into_domain()?;
        let tx = write_tx(ctx, principal).await?;
        campaigns::add_cost(&tx, id, cost).await?;
        Ok(CampaignPayload {
            campaign: committed(tx, id).await?,
        })
    }

    /// Removes a cost line.
    async fn remove_campaign_cost(&self, ctx: &Context<'_>, id: ID) -> Result<CampaignPayload> {
        let principal = authorize(ctx, Permission::MarketingWrite)?;
        let id = parse_id("id", &id)?;
        let tx = write_tx(ctx, principal).await?;
        let campaign_id = campaigns::remove_cost(&tx, id).await?;
        Ok(CampaignPayload {
            campaign: committed(tx, campaign_id).await?,
        })
    }
}
