//! Deals mutations: each runs in its own tenant transaction, all or nothing.

use async_graphql::{Context, Object, Result};

use super::types::{
    AddPipelineStageInput, CreateDealInput, CreatePipelineInput, Deal, DealPayload,
    DeletePipelineStageInput, MoveDealInput, Pipeline, PipelinePayload, ReorderPipelineStagesInput,
    UpdateDealInput, UpdatePipelineInput, UpdatePipelineStageInput,
};
use crate::auth::Permission;
use crate::domain::{deals, pipelines};
use crate::error::Error;
use crate::graphql::common::parse_id;
use crate::graphql::context::{authorize, write_tx};
use crate::tenancy::TenantTx;

/// Pipeline and deal mutations.
#[derive(Default)]
pub struct DealMutation;

async fn pipeline_payload(tx: TenantTx, id: uuid::Uuid) -> Result<PipelinePayload> {
    let pipeline = pipelines::find(&tx, id)
        .await?
        .ok_or(Error::NotFound("pipeline"))?;
    tx.commit().await?;
    Ok(PipelinePayload {
        pipeline: Pipeline(pipeline),
    })
}

#[Object]
impl DealMutation {
    /// Creates a pipeline with its stages (administrators).
    async fn create_pipeline(
        &self,
        ctx: &Context<'_>,
        input: CreatePipelineInput,
    ) -> Result<PipelinePayload> {
        let principal = authorize(ctx, Permission::PipelinesAdmin)?;
        let name = pipelines::rules::pipeline_name("name", &input.name)?;
        let stages = input
            .stages
            .into_iter()
            .enumerate()
            .map(|(i, s)| s.into_domain(&format!("stages[{i}].")))
            .collect::<Result<Vec<_>, _>>()?;
        let tx = write_tx(ctx, principal).await?;
        let pipeline = pipelines::create(&tx, name, stages).await?;
        pipeline_payload(tx, pipeline.id).await
    }

    /// Renames a pipeline, if `version` is still current (administrators).
    async fn update_pipeline(
        &self,
        ctx: &Context<'_>,
        input: UpdatePipelineInput,
    ) -> Result<PipelinePayload> {
        let principal = authorize(ctx, Permission::PipelinesAdmin)?;
        let id = parse_id("id", &input.id)?;
        let name = pipelines::rules::pipeline_name("name", &input.name)?;
        let tx = write_tx(ctx, principal).await?;
        pipelines::rename(&tx, id, input.version, name).await?;
        pipeline_payload(tx, id).await
    }

    /// Adds a stage to a pipeline (administrators).
    async fn add_pipeline_stage(
        &self,
        ctx: &Context<'_>,
        input: AddPipelineStageInput,
    ) -> Result<PipelinePayload> {
        let principal = authorize(ctx, Permission::PipelinesAdmin)?;
        let pipeline_id = parse_id("pipelineId", &input.pipeline_id)?;
        let stage = input.stage.into_domain("stage.")?;
        let tx = write_tx(ctx, principal).await?;
        pipelines::add_stage(&tx, pipeline_id, stage, input.position).await?;
        pipeline_payload(tx, pipeline_id).await
    }

    /// Renames a stage or changes its probability or forecast category (administrators).
    async fn update_pipeline_stage(
        &self,
        ctx: &Context<'_>,
        input: UpdatePipelineStageInput,
    ) -> Result<PipelinePayload> {
        let principal = authorize(ctx, Permission::PipelinesAdmin)?;
        let (id, changes) = input.into_domain()?;
        let tx = write_tx(ctx, principal).await?;
        let stage = pipelines::update_stage(&tx, id, changes).await?;
        pipeline_payload(tx, stage.pipeline_id).await
    }

    /// Puts a pipeline's stages in a new order (administrators).
    async fn reorder_pipeline_stages(
        &self,
        ctx: &Context<'_>,
        input: ReorderPipelineStagesInput,
    ) -> Result<PipelinePayload> {
        let principal = authorize(ctx, Permission::PipelinesAdmin)?;
        let pipeline_id = parse_id("pipelineId", &input.pipeline_id)?;
        let ids = crate::graphql::common::parse_ids("stageIds", &input.stage_ids)?;
        let tx = write_tx(ctx, principal).await?;
        pipelines::reorder_stages(&tx, pipeline_id, &ids).await?;
        pipeline_payload(tx, pipeline_id).await
    }

    /// Deletes a stage; one that holds deals needs `moveDealsTo` (administrators).
    async fn delete_pipeline_stage(
        &self,
        ctx: &Context<'_>,
        input: DeletePipelineStageInput,
    ) -> Result<PipelinePayload> {
        let principal = authorize(ctx, Permission::PipelinesAdmin)?;
        let id = parse_id("id", &input.id)?;
        let target = input
            .move_deals_to
            .map(|t| parse_id("moveDealsTo", &t))
            .transpose()?;
        let tx = write_tx(ctx, principal).await?;
        let stage = pipelines::find_stage(&tx, id)
            .await?
            .ok_or(Error::NotFound("stage"))?;
        pipelines::delete_stage(&tx, id, target).await?;
        pipeline_payload(tx, stage.pipeline_id).await
    }

    /// Creates a deal for a customer you may see.
    async fn create_deal(&self, ctx: &Context<'_>, input: CreateDealInput) -> Result<DealPayload> {
        let principal = authorize(ctx, Permission::DealsWrite)?;
        let new = input.into_domain()?;
        let tx = write_tx(ctx, principal).await?;
        let deal = deals::create(&tx, new).await?;
        tx.commit().await?;
        Ok(DealPayload { deal: Deal(deal) })
    }

    /// Changes the given fields of a deal, if `version` is still current.
    async fn update_deal(&self, ctx: &Context<'_>, input: UpdateDealInput) -> Result<DealPayload> {
        let principal = authorize(ctx, Permission::DealsWrite)?;
        let (id, version, changes) = input.into_domain()?;
        let tx = write_tx(ctx, principal).await?;
        let deal = deals::update(&tx, id, version, changes).await?;
        tx.commit().await?;
        Ok(DealPayload { deal: Deal(deal) })
    }

    /// Moves a deal to another stage, keeping its stage history. A WON or
    /// LOST stage closes the deal (lost needs a `reason`).
    async fn move_deal(&self, ctx: &Context<'_>, input: MoveDealInput) -> Result<DealPayload> {
        let principal = authorize(ctx, Permission::DealsWrite)?;
        let id = parse_id("id", &input.id)?;
        let stage_id = parse_id("stageId", &input.stage_id)?;
        let reason = input
            .reason
            .map(|r| deals::rules::reason("reason", &r))
            .transpose()?
            .flatten();
        let tx = write_tx(ctx, principal).await?;
        let deal = deals::move_deal(&tx, id, input.version, stage_id, reason).await?;
        tx.commit().await?;
        Ok(DealPayload { deal: Deal(deal) })
    }
}
