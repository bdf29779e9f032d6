//! Service mutations: opening, changing, moving and rating cases, and
//! setting the service levels.

use async_graphql::{Context, Object, Result};

use super::types::{
    Case, CasePayload, CaseServiceLevel, ChangeCaseStatusInput, CreateCaseInput, RateCaseInput,
    SetCaseServiceLevelInput, UpdateCaseInput,
};
use crate::auth::Permission;
use crate::domain::{cases, service_levels};
use crate::graphql::common::parse_id;
use crate::graphql::context::{authorize, write_tx};

/// Case mutations.
#[derive(Default)]
pub struct ServiceMutation;

#[Object]
impl ServiceMutation {
    /// Opens a case for a customer: numbered, and due per the service level
    /// of its priority.
    async fn create_case(&self, ctx: &Context<'_>, input: CreateCaseInput) -> Result<CasePayload> {
        let principal = authorize(ctx, Permission::CasesWrite)?;
        let new = input.into_domain()?;
        let tx = write_tx(ctx, principal).await?;
        let case = cases::create(&tx, new).await?;
        tx.commit().await?;
        Ok(CasePayload { case: Case(case) })
    }

    /// Changes a case that is not closed; assigns or unassigns it.
    async fn update_case(&self, ctx: &Context<'_>, input: UpdateCaseInput) -> Result<CasePayload> {
        let principal = authorize(ctx, Permission::CasesWrite)?;
        let (id, version, changes) = input.into_domain()?;
        let tx = write_tx(ctx, principal).await?;
        let case = cases::update(&tx, id, version, changes).await?;
        tx.commit().await?;
        Ok(CasePayload { case: Case(case) })
    }

    /// Moves a case to another status: `OPEN`, `PENDING` (waiting on the
    /// customer), `RESOLVED` (with the resolution as `note`) or `CLOSED`.
    /// A resolved case may be reopened; a closed one is final.
    async fn change_case_status(
        &self,
        ctx: &Context<'_>,
        input: ChangeCaseStatusInput,
    ) -> Result<CasePayload> {
        let principal = authorize(ctx, Permission::CasesWrite)?;
        let id = parse_id("id", &input.id)?;
        let note = input
            .note
            .map(|n| cases::rules::text("note", &n))
            .transpose()?
            .flatten();
        let tx = write_tx(ctx, principal).await?;
        let case = cases::change_status(&tx, id, input.version, input.status.into(), note).await?;
        tx.commit().await?;
        Ok(CasePayload { case: Case(case) })
    }

    /// Records the customer's satisfaction with a resolved or closed case.
    async fn rate_case(&self, ctx: &Context<'_>, input: RateCaseInput) -> Result<CasePayload> {
        let principal = authorize(ctx, Permission::CasesWrite)?;
        let id = parse_id("id", &input.id)?;
        let score = cases::rules::score(input.score)?;
        let comment = input
            .comment
            .map(|c| cases::rules::text("comment", &c))
            .transpose()?
            .flatten();
        let tx = write_tx(ctx, principal).await?;
        let case = cases::rate(&tx, id, score, comment).await?;
        tx.commit().await?;
        Ok(CasePayload { case: Case(case) })
    }

    /// Sets the service level of one priority; cases opened afterwards (or
    /// given that priority afterwards) are due accordingly.
    async fn set_case_service_level(
        &self,
        ctx: &Context<'_>,
        input: SetCaseServiceLevelInput,
    ) -> Result<CaseServiceLevel> {
        let principal = authorize(ctx, Permission::AdminSettings)?;
        let tx = write_tx(ctx, principal).await?;
        let level = service_levels::set(
            &tx,
            input.priority.into(),
            input.first_response_minutes,
            input.resolution_minutes,
        )
        .await?;
        tx.commit().await?;
        Ok(level.into())
    }
}
