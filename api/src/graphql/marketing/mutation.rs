//! Marketing mutations: creating, changing and deleting segments, and
//! filling static lists.

use async_graphql::{Context, Object, Result, ID};

use super::types::{
    CreateSegmentInput, ImportSegmentMembersInput, Segment, SegmentImportReport,
    SegmentMembersInput, SegmentMembersPayload, SegmentPayload, UpdateSegmentInput,
};
use crate::auth::Permission;
use crate::domain::marketing::segments;
use crate::error::Error;
use crate::graphql::common::parse_id;
use crate::graphql::context::{authorize, write_tx};

/// Segment mutations.
#[derive(Default)]
pub struct MarketingMutation;

#[Object]
impl MarketingMutation {
    /// Creates a segment. A dynamic one is filled at once and kept current
    /// from then on; a static list starts empty.
    async fn create_segment(
        &self,
        ctx: &Context<'_>,
        input: CreateSegmentInput,
    ) -> Result<SegmentPayload> {
        let principal = authorize(ctx, Permission::MarketingWrite)?;
        let new = input.into_domain(principal.require_user().ok())?;
        let tx = write_tx(ctx, principal).await?;
        let segment = segments::create(&tx, new).await?;
        tx.commit().await?;
        Ok(SegmentPayload {
            segment: Segment(segment),
        })
    }

    /// Changes a segment; a new filter refills a dynamic segment's members.
    async fn update_segment(
        &self,
        ctx: &Context<'_>,
        input: UpdateSegmentInput,
    ) -> Result<SegmentPayload> {
        let principal = authorize(ctx, Permission::MarketingWrite)?;
        let (id, version, changes) = input.into_domain()?;
        let tx = write_tx(ctx, principal).await?;
        let segment = segments::update(&tx, id, version, changes).await?;
        tx.commit().await?;
        Ok(SegmentPayload {
            segment: Segment(segment),
        })
    }

    /// Deletes a segment (its customers stay as they are).
    async fn delete_segment(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        let principal = authorize(ctx, Permission::MarketingWrite)?;
        let id = parse_id("id", &id)?;
        let tx = write_tx(ctx, principal).await?;
        segments::delete(&tx, id).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Puts customers in a static list.
    async fn add_segment_members(
        &self,
        ctx: &Context<'_>,
        input: SegmentMembersInput,
    ) -> Result<SegmentMembersPayload> {
        let principal = authorize(ctx, Permission::MarketingWrite)?;
        let (segment_id, ids) = input.parse()?;
        let tx = write_tx(ctx, principal).await?;
        let changed = segments::add_members(&tx, segment_id, &ids).await?;
        let segment = segments::find(&tx, segment_id)
            .await?
            .ok_or(Error::NotFound("segment"))?;
        tx.commit().await?;
        Ok(SegmentMembersPayload {
            segment: Segment(segment),
            changed: changed as i64,
        })
    }

    /// Takes customers out of a static list.
    async fn remove_segment_members(
        &self,
        ctx: &Context<'_>,
        input: SegmentMembersInput,
    ) -> Result<SegmentMembersPayload> {
        let principal = authorize(ctx, Permission::MarketingWrite)?;
        let (segment_id, ids) = input.parse()?;
        let tx = write_tx(ctx, principal).await?;
        let changed = segments::remove_members(&tx, segment_id, &ids).await?;
        let segment = segments::find(&tx, segment_id)
            .await?
            .ok_or(Error::NotFound("segment"))?;
        tx.commit().await?;
        Ok(SegmentMembersPayload {
            segment: Segment(segment),
            changed: changed as i64,
        })
    }

    /// Fills a static list from a CSV file naming customers by id,
    /// external id or email. Rows naming no customer you may see are
    /// reported; the others are added.
    async fn import_segment_members(
        &self,
        ctx: &Context<'_>,
        input: ImportSegmentMembersInput,
    ) -> Result<SegmentImportReport> {
        let principal = authorize(ctx, Permission::MarketingWrite)?;
        let segment_id = parse_id("segmentId", &input.segment_id)?;
        let tx = write_tx(ctx, principal).await?;
        let report = segments::fill_from_csv(&tx, segment_id, &input.csv).await?;
        let segment = segments::find(&tx, segment_id)
            .await?
            .ok_or(Error::NotFound("segment"))?;
        tx.commit().await?;
        Ok(SegmentImportReport::new(segment, report))
    }
}
