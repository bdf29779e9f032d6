//! Sales pipelines: tenant-defined, ordered stages that deals move through.
//! Each stage has a win probability (0–100 %), a kind (`OPEN` while the deal
//! is worked, `WON`, `LOST`) and the forecast category its open deals count
//! towards. Every workspace gets a default pipeline when it is created.
//!
//! Positions are 1…n without gaps; the unique key on them is deferred, so a
//! reorder rewrites every position in one statement. Every write of a
//! pipeline or its stages first locks the pipeline's row ([`lock`]), so
//! concurrent writes to one pipeline run one after the other, each seeing
//! the positions the previous one left.

use std::collections::HashMap;

use rust_decimal::Decimal;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, Statement,
};
use uuid::Uuid;

use entity::pipeline::{self, Entity as Pipelines};
use entity::pipeline_stage::{self, Entity as Stages};

use super::values;
use crate::error::{Error, Result};
use crate::tenancy::TenantTx;

/// Most stages in one pipeline.
pub const MAX_STAGES: usize = 30;

/// Whether deals in a stage are still open, won or lost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StageKind {
    Open,
    Won,
    Lost,
}

impl StageKind {
    /// The stored (and API) name.
    pub fn as_str(self) -> &'static str {
        match self {
            StageKind::Open => "OPEN",
            StageKind::Won => "WON",
            StageKind::Lost => "LOST",
        }
    }

    /// Parses a stored name.
    pub fn parse(stored: &str) -> Result<StageKind> {
        [StageKind::Open, StageKind::Won, StageKind::Lost]
            .into_iter()
            .find(|k| k.as_str() == stored)
            .ok_or_else(|| Error::internal(UnknownStored("stage kind", stored.to_owned())))
    }
}

/// Which forecast figure open deals in a stage count towards: every open
/// deal is in the pipeline; best case adds `BEST_CASE` and `COMMIT` stages;
/// commit only `COMMIT` stages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ForecastCategory {
    Pipeline,
    BestCase,
    Commit,
}

impl ForecastCategory {
    /// The stored (and API) name.
    pub fn as_str(self) -> &'static str {
        match self {
            ForecastCategory::Pipeline => "PIPELINE",
            ForecastCategory::BestCase => "BEST_CASE",
            ForecastCategory::Commit => "COMMIT",
        }
    }

    /// Parses a stored name.
    pub fn parse(stored: &str) -> Result<ForecastCategory> {
        [
            ForecastCategory::Pipeline,
            ForecastCategory::BestCase,
            ForecastCategory::Commit,
        ]
        .into_iter()
        .find(|k| k.as_str() == stored)
        .ok_or_else(|| Error::internal(UnknownStored("forecast category", stored.to_owned())))
    }

    /// The category a stage gets when none is given: from its probability.
    pub fn from_probability(probability: Decimal) -> ForecastCategory {
        if probability >= Decimal::from(70) {
            ForecastCategory::Commit
        } else if probability >= Decimal::from(40) {
            ForecastCategory::BestCase
        } else {
            ForecastCategory::Pipeline
        }
    }
}

/// A validated stage to add.
#[derive(Clone, Debug)]
pub struct NewStage {
    pub name: String,
    pub probability: Decimal,
    pub kind: StageKind,
    pub forecast_category: ForecastCategory,
}

/// Field rules.
pub mod rules {
    use super::*;

    /// A pipeline's name.
    pub fn pipeline_name(field: &str, raw: &str) -> Result<String> {
        values::required_text(field, raw, 200)
    }

    /// A stage's name.
    pub fn stage_name(field: &str, raw: &str) -> Result<String> {
        values::required_text(field, raw, 100)
    }

    /// A win probability in percent: 0 to 100, at most 2 decimals.
    pub fn probability(field: &str, value: Decimal) -> Result<Decimal> {
        let value =
            super::super::currencies::bounded_decimal(field, value, 2, Decimal::from(1000))?;
        if value < Decimal::ZERO || value > Decimal::ONE_HUNDRED {
            return Err(Error::validation(
                field,
                "must be between 0 and 100 (percent)",
            ));
        }
        Ok(value)
    }
}

/// The stages every new workspace starts with.
fn default_stages() -> Vec<NewStage> {
    let stage = |name: &str, probability: i64, kind, category| NewStage {
        name: name.to_owned(),
        probability: Decimal::from(probability),
        kind,
        forecast_category: category,
    };
    use ForecastCategory::*;
    use StageKind::*;
    vec![
        stage("Qualification", 10, Open, Pipeline),
        stage("Needs analysis", 25, Open, Pipeline),
        stage("Proposal", 50, Open, BestCase),
        stage("Negotiation", 75, Open, Commit),
        stage("Won", 100, Won, Commit),
        stage("Lost", 0, Lost, Pipeline),
    ]
}

/// Creates the default pipeline of a new tenant, on a connection whose
/// transaction is bound to that tenant (sign-up).
pub async fn create_default(conn: &impl ConnectionTrait, tenant_id: Uuid) -> Result<()> {
    insert(conn, tenant_id, "Sales", true, default_stages()).await?;
    Ok(())
}

async fn insert(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
    name: &str,
    is_default: bool,
    stages: Vec<NewStage>,
) -> Result<pipeline::Model> {
    let now = chrono::Utc::now();
    let pipeline = Pipelines::insert(pipeline::ActiveModel {
        tenant_id: Set(tenant_id),
        id: Set(Uuid::now_v7()),
        version: Set(1),
        name: Set(name.to_owned()),
        is_default: Set(is_default),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_with_returning(conn)
    .await
    .map_err(|err| match err.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
            Error::conflict("a pipeline with this name exists", Some("name"))
        }
        _ => err.into(),
    })?;
    let rows: Vec<pipeline_stage::ActiveModel> = stages
        .into_iter()
        .enumerate()
        .map(|(i, s)| pipeline_stage::ActiveModel {
            tenant_id: Set(tenant_id),
            id: Set(Uuid::now_v7()),
            pipeline_id: Set(pipeline.id),
            name: Set(s.name),
            position: Set(i as i32 + 1),
            probability: Set(s.probability),
            kind: Set(s.kind.as_str().to_owned()),
            forecast_category: Set(s.forecast_category.as_str().to_owned()),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .collect();
    Stages::insert_many(rows)
        .exec_without_returning(conn)
        .await
        .map_err(stage_write_error)?;
    Ok(pipeline)
}

fn stage_write_error(err: sea_orm::DbErr) -> Error {
    match err.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(detail)) if detail.contains("name") => {
            Error::conflict(
                "the pipeline already has a stage with this name",
                Some("name"),
            )
        }
        _ => err.into(),
    }
}

fn check_stages(stages: &[NewStage]) -> Result<()> {
    if stages.is_empty() || stages.len() > MAX_STAGES {
        return Err(Error::validation(
            "stages",
            format!("a pipeline has 1 to {MAX_STAGES} stages"),
        ));
    }
    if !stages.iter().any(|s| s.kind == StageKind::Open) {
        return Err(Error::validation(
            "stages",
            "a pipeline needs at least one OPEN stage",
        ));
    }
    for (i, s) in stages.iter().enumerate() {
        if stages[..i]
            .iter()
            .any(|o| o.name.eq_ignore_ascii_case(&s.name))
        {
            return Err(Error::validation(
                format!("stages[{i}].name"),
                "is used by another stage of the pipeline",
            ));
        }
    }
    Ok(())
}

/// Creates a pipeline with its stages, in the order given.
pub async fn create(tx: &TenantTx, name: String, stages: Vec<NewStage>) -> Result<pipeline::Model> {
    check_stages(&stages)?;
    insert(&**tx, tx.tenant_id(), &name, false, stages).await
}

/// Renames a pipeline, if it is still at `version`.
pub async fn rename(
    tx: &TenantTx,
    id: Uuid,
    version: i32,
    name: String,
) -> Result<pipeline::Model> {
    let current = lock(tx, id).await?;
    if current.version != version {
        return Err(Error::conflict(
            format!("the pipeline was changed by someone else (you sent version {version}, it is now at version {}); reload it and try again", current.version),
            Some("version"),
        ));
    }
    let updated = Pipelines::update_many()
        .col_expr(pipeline::Column::Name, Expr::value(name))
        .col_expr(
            pipeline::Column::Version,
            Expr::col(pipeline::Column::Version).add(1),
        )
        .col_expr(
            pipeline::Column::UpdatedAt,
            Expr::current_timestamp().into(),
        )
        .filter(pipeline::Column::TenantId.eq(tx.tenant_id()))
        .filter(pipeline::Column::Id.eq(id))
        .filter(pipeline::Column::Version.eq(version))
        .exec_with_returning(&**tx)
        .await
        .map_err(|err| match err.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
                Error::conflict("a pipeline with this name exists", Some("name"))
            }
            _ => err.into(),
        })?;
    updated
        .into_iter()
        .next()
        .ok_or(Error::NotFound("pipeline"))
}

/// The pipeline with `id`.
pub async fn find(tx: &TenantTx, id: Uuid) -> Result<Option<pipeline::Model>> {
    Ok(Pipelines::find()
        .filter(pipeline::Column::TenantId.eq(tx.tenant_id()))
        .filter(pipeline::Column::Id.eq(id))
        .one(&**tx)
        .await?)
}

/// Locks the pipeline with `id` until the transaction ends and returns it
/// as it is now: concurrent writes to one pipeline wait for each other
/// instead of racing for stage positions.
pub async fn lock(tx: &TenantTx, id: Uuid) -> Result<pipeline::Model> {
    Pipelines::find()
        .filter(pipeline::Column::TenantId.eq(tx.tenant_id()))
        .filter(pipeline::Column::Id.eq(id))
        .lock_exclusive()
        .one(&**tx)
        .await?
        .ok_or(Error::NotFound("pipeline"))
}

/// The workspace's default pipeline.
pub async fn default_pipeline(tx: &TenantTx) -> Result<pipeline::Model> {
    Pipelines::find()
        .filter(pipeline::Column::TenantId.eq(tx.tenant_id()))
        .filter(pipeline::Column::IsDefault.eq(true))
        .one(&**tx)
        .await?
        .ok_or(Error::NotFound("default pipeline"))
}

/// Every pipeline, default first, then by name.
pub async fn list(tx: &TenantTx) -> Result<Vec<pipeline::Model>> {
    Ok(Pipelines::find()
        .filter(pipeline::Column::TenantId.eq(tx.tenant_id()))
        .order_by_desc(pipeline::Column::IsDefault)
        .order_by_asc(pipeline::Column::Name)
        .all(&**tx)
        .await?)
}

/// The stages of each of `pipelines`, in position order, in one query.
pub async fn stages_of(
    tx: &TenantTx,
    pipelines: &[Uuid],
) -> Result<HashMap<Uuid, Vec<pipeline_stage::Model>>> {
    let rows = Stages::find()
        .filter(pipeline_stage::Column::TenantId.eq(tx.tenant_id()))
        .filter(pipeline_stage::Column::PipelineId.is_in(pipelines.iter().copied()))
        .order_by_asc(pipeline_stage::Column::PipelineId)
        .order_by_asc(pipeline_stage::Column::Position)
        .all(&**tx)
        .await?;
    let mut grouped: HashMap<Uuid, Vec<pipeline_stage::Model>> = HashMap::new();
    for row in rows {
        grouped.entry(row.pipeline_id).or_default().push(row);
    }
    Ok(grouped)
}

/// Stages by id, in one query.
pub async fn find_stages(
    tx: &TenantTx,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, pipeline_stage::Model>> {
    let rows = Stages::find()
        .filter(pipeline_stage::Column::TenantId.eq(tx.tenant_id()))
        .filter(pipeline_stage::Column::Id.is_in(ids.iter().copied()))
        .all(&**tx)
        .await?;
    Ok(rows.into_iter().map(|s| (s.id, s)).collect())
}

/// The stage with `id`.
pub async fn find_stage(tx: &TenantTx, id: Uuid) -> Result<Option<pipeline_stage::Model>> {
    Ok(find_stages(tx, &[id]).await?.remove(&id))
}

/// The stage with `id`, read again after locking its pipeline (a stage
/// deleted meanwhile is not found).
async fn locked_stage(tx: &TenantTx, id: Uuid) -> Result<pipeline_stage::Model> {
    let stage = find_stage(tx, id).await?.ok_or(Error::NotFound("stage"))?;
    lock(tx, stage.pipeline_id).await?;
    find_stage(tx, id).await?.ok_or(Error::NotFound("stage"))
}

/// Adds a stage to a pipeline at `position` (1 = first; at the end when not
/// given), moving later stages down by one.
pub async fn add_stage(
    tx: &TenantTx,
    pipeline_id: Uuid,
    stage: NewStage,
    position: Option<i32>,
) -> Result<pipeline_stage::Model> {
    lock(tx, pipeline_id).await?;
    let count = Stages::find()
        .filter(pipeline_stage::Column::TenantId.eq(tx.tenant_id()))
        .filter(pipeline_stage::Column::PipelineId.eq(pipeline_id))
        .count(&**tx)
        .await? as i32;
    if count as usize >= MAX_STAGES {
        return Err(Error::validation(
            "pipelineId",
            format!("a pipeline has at most {MAX_STAGES} stages"),
        ));
    }
    let position = position.unwrap_or(count + 1);
    if !(1..=count + 1).contains(&position) {
        return Err(Error::validation(
            "position",
            format!("must be between 1 and {}", count + 1),
        ));
    }
    tx.execute(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "UPDATE pipeline_stages SET position = position + 1, updated_at = now()
          WHERE tenant_id = $1 AND pipeline_id = $2 AND position >= $3",
        [tx.tenant_id().into(), pipeline_id.into(), position.into()],
    ))
    .await?;
    let now = chrono::Utc::now();
    let stage = Stages::insert(pipeline_stage::ActiveModel {
        tenant_id: Set(tx.tenant_id()),
        id: Set(Uuid::now_v7()),
        pipeline_id: Set(pipeline_id),
        name: Set(stage.name),
        position: Set(position),
        probability: Set(stage.probability),
        kind: Set(stage.kind.as_str().to_owned()),
        forecast_category: Set(stage.forecast_category.as_str().to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_with_returning(&**tx)
    .await
    .map_err(stage_write_error)?;
    touch_pipeline(tx, pipeline_id).await?;
    Ok(stage)
}

/// Changes to a stage; only the given ones apply. The kind of a stage is
/// fixed (deals in it are open, won or lost by it).
#[derive(Clone, Debug, Default)]
pub struct StageChanges {
    pub name: Option<String>,
    pub probability: Option<Decimal>,
    pub forecast_category: Option<ForecastCategory>,
}

/// Renames a stage or changes its probability or forecast category.
pub async fn update_stage(
    tx: &TenantTx,
    id: Uuid,
    changes: StageChanges,
) -> Result<pipeline_stage::Model> {
    let current = locked_stage(tx, id).await?;
    let mut update = Stages::update_many()
        .col_expr(
            pipeline_stage::Column::UpdatedAt,
            Expr::current_timestamp().into(),
        )
        .filter(pipeline_stage::Column::TenantId.eq(tx.tenant_id()))
        .filter(pipeline_stage::Column::Id.eq(id));
    if let Some(name) = changes.name {
        update = update.col_expr(pipeline_stage::Column::Name, Expr::value(name));
    }
    if let Some(p) = changes.probability {
        update = update.col_expr(pipeline_stage::Column::Probability, Expr::value(p));
    }
    if let Some(c) = changes.forecast_category {
        update = update.col_expr(
            pipeline_stage::Column::ForecastCategory,
            Expr::value(c.as_str()),
        );
    }
    let updated = update
        .exec_with_returning(&**tx)
        .await
        .map_err(stage_write_error)?;
    touch_pipeline(tx, current.pipeline_id).await?;
    updated.into_iter().next().ok_or(Error::NotFound("stage"))
}

/// Puts a pipeline's stages in the order of `stage_ids`, which must name
/// each of its stages exactly once.
pub async fn reorder_stages(tx: &TenantTx, pipeline_id: Uuid, stage_ids: &[Uuid]) -> Result<()> {
    lock(tx, pipeline_id).await?;
    let mut stages = stages_of(tx, &[pipeline_id])
        .await?
        .remove(&pipeline_id)
        .unwrap_or_default();
    if stages.is_empty() {
        return Err(Error::NotFound("pipeline"));
    }
    let mut given = stage_ids.to_vec();
    given.sort();
    given.dedup();
    stages.sort_by_key(|s| s.id);
    if given.len() != stage_ids.len() || given != stages.iter().map(|s| s.id).collect::<Vec<_>>() {
        return Err(Error::validation(
            "stageIds",
            "must list every stage of the pipeline exactly once",
        ));
    }
    let positions: Vec<i32> = (1..=stage_ids.len() as i32).collect();
    tx.execute(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "UPDATE pipeline_stages s SET position = o.position, updated_at = now()
           FROM unnest($3::uuid[], $4::int[]) AS o (id, position)
          WHERE s.tenant_id = $1 AND s.pipeline_id = $2 AND s.id = o.id",
        [
            tx.tenant_id().into(),
            pipeline_id.into(),
            stage_ids.to_vec().into(),
            positions.into(),
        ],
    ))
    .await?;
    touch_pipeline(tx, pipeline_id).await
}

/// Deletes a stage. A stage that holds deals is only deleted with
/// `move_deals_to`: another stage of the same pipeline and kind, which the
/// deals move to (their stage history records the move). Later stages move
/// up by one.
pub async fn delete_stage(tx: &TenantTx, id: Uuid, move_deals_to: Option<Uuid>) -> Result<u64> {
    let stage = locked_stage(tx, id).await?;
    // Every deal the stage holds counts, hidden from the member or not.
    let held = super::finder::including_hidden::<entity::deal::Entity>(tx)
        .filter(entity::deal::Column::StageId.eq(id))
        .count(&**tx)
        .await?;
    let remaining = Stages::find()
        .filter(pipeline_stage::Column::TenantId.eq(tx.tenant_id()))
        .filter(pipeline_stage::Column::PipelineId.eq(stage.pipeline_id))
        .filter(pipeline_stage::Column::Kind.eq(StageKind::Open.as_str()))
        .filter(pipeline_stage::Column::Id.ne(id))
        .count(&**tx)
        .await?;
    if stage.kind == StageKind::Open.as_str() && remaining == 0 {
        return Err(Error::conflict(
            "a pipeline keeps at least one OPEN stage",
            Some("id"),
        ));
    }
    let mut moved = 0;
    if held > 0 {
        let target_id = move_deals_to.ok_or_else(|| {
            Error::conflict(
                format!(
                    "the stage holds {held} deal(s); name a stage to move them to (moveDealsTo)"
                ),
                Some("moveDealsTo"),
            )
        })?;
        let target = find_stage(tx, target_id)
            .await?
            .filter(|t| t.pipeline_id == stage.pipeline_id && t.id != id)
            .ok_or_else(|| {
                Error::validation("moveDealsTo", "is not another stage of the same pipeline")
            })?;
        if target.kind != stage.kind {
            return Err(Error::validation(
                "moveDealsTo",
                format!(
                    "deals in a {} stage move to another {} stage",
                    stage.kind, stage.kind
                ),
            ));
        }
        moved = super::deals::move_all(tx, &stage, &target).await?;
    }
    Stages::delete_many()
        .filter(pipeline_stage::Column::TenantId.eq(tx.tenant_id()))
        .filter(pipeline_stage::Column::Id.eq(id))
        .exec(&**tx)
        .await?;
    tx.execute(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "UPDATE pipeline_stages SET position = position - 1, updated_at = now()
          WHERE tenant_id = $1 AND pipeline_id = $2 AND position > $3",
        [
            tx.tenant_id().into(),
            stage.pipeline_id.into(),
            stage.position.into(),
        ],
    ))
    .await?;
    touch_pipeline(tx, stage.pipeline_id).await?;
    Ok(moved)
}

/// Bumps a pipeline's version after a change of its stages.
async fn touch_pipeline(tx: &TenantTx, id: Uuid) -> Result<()> {
    Pipelines::update_many()
        .col_expr(
            pipeline::Column::Version,
            Expr::col(pipeline::Column::Version).add(1),
        )
        .col_expr(
            pipeline::Column::UpdatedAt,
            Expr::current_timestamp().into(),
        )
        .filter(pipeline::Column::TenantId.eq(tx.tenant_id()))
        .filter(pipeline::Column::Id.eq(id))
        .exec(&**tx)
        .await?;
    Ok(())
}

/// A stored value this build does not know.
#[derive(Debug, thiserror::Error)]
#[error("unknown stored {0} `{1}`")]
struct UnknownStored(&'static str, String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_stages_are_ordered_and_complete() {
        let stages = default_stages();
        assert!(check_stages(&stages).is_ok());
        assert!(stages.iter().any(|s| s.kind == StageKind::Won));
        assert!(stages.iter().any(|s| s.kind == StageKind::Lost));
        assert_eq!(
            ForecastCategory::from_probability(Decimal::from(75)),
            ForecastCategory::Commit
        );
        assert!(rules::probability("p", Decimal::from(101)).is_err());
    }
}
