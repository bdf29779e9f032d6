//! Campaign steps: an email, an event invitation or a call list, scheduled
//! on a `PLANNED` or `ACTIVE` campaign and run once due while the campaign
//! is `ACTIVE` ([`super::step_runs`]). Email and invitation steps carry a
//! text per language ([`super::step_texts`]). A step moves
//! `SCHEDULED → RUNNING → DONE` (or `FAILED`); a scheduled one may be
//! changed or `CANCELLED`, and is cancelled when its campaign ends.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select, Set,
};
use uuid::Uuid;

use entity::campaign_step::{self, Column, Entity as Steps};
use entity::campaign_step_text::{self, Entity as Texts};

use super::campaigns::{self, CampaignStatus};
use super::step_texts::{check_languages, StepText, TextLanguage};
use crate::domain::stored::stored_enum;
use crate::error::{Error, Result};
use crate::tenancy::TenantTx;

/// Most steps one campaign has.
pub const MAX_STEPS_PER_CAMPAIGN: u64 = 50;

stored_enum! {
    /// What a step does.
    pub enum StepKind ("campaign step kind") {
        /// An email to each member's contact.
        Email = "EMAIL",
        /// A task for each member's owner to call the customer.
        CallList = "CALL_LIST",
        /// An invitation to an event, sent by email like [`StepKind::Email`].
        EventInvitation = "EVENT_INVITATION",
    }
}

impl StepKind {
    /// Whether the step sends a text (and so needs one).
    pub fn sends_text(self) -> bool {
        matches!(self, StepKind::Email | StepKind::EventInvitation)
    }
}

stored_enum! {
    /// Where a step stands.
    pub enum StepStatus ("campaign step status") {
        Scheduled = "SCHEDULED",
        Running = "RUNNING",
        Done = "DONE",
        Failed = "FAILED",
        Cancelled = "CANCELLED",
    }
}

/// A new step.
#[derive(Clone, Debug)]
pub struct NewStep {
    pub kind: StepKind,
    pub scheduled_at: DateTime<Utc>,
    pub texts: Vec<StepText>,
}

/// Changes to a scheduled step; `None` leaves a part as it is.
#[derive(Clone, Debug, Default)]
pub struct StepChange {
    pub scheduled_at: Option<DateTime<Utc>>,
    pub texts: Option<Vec<StepText>>,
}

fn of_tenant(tx: &TenantTx) -> Select<Steps> {
    Steps::find().filter(Column::TenantId.eq(tx.tenant_id()))
}

/// The step with `id`.
pub async fn find(tx: &TenantTx, id: Uuid) -> Result<Option<campaign_step::Model>> {
    Ok(of_tenant(tx).filter(Column::Id.eq(id)).one(&**tx).await?)
}

/// The steps of `campaign_ids`, by campaign, by schedule.
pub async fn of_campaigns(
    tx: &TenantTx,
    campaign_ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<campaign_step::Model>>> {
    let rows = of_tenant(tx)
        .filter(Column::CampaignId.is_in(campaign_ids.iter().copied()))
        .order_by_asc(Column::ScheduledAt)
        .order_by_asc(Column::Id)
        .all(&**tx)
        .await?;
    let mut out: HashMap<Uuid, Vec<campaign_step::Model>> = HashMap::new();
    for row in rows {
        out.entry(row.campaign_id).or_default().push(row);
    }
    Ok(out)
}

/// The texts of `step_ids`, by step, English first.
pub async fn texts_of(tx: &TenantTx, step_ids: &[Uuid]) -> Result<HashMap<Uuid, Vec<StepText>>> {
    let rows = Texts::find()
        .filter(campaign_step_text::Column::TenantId.eq(tx.tenant_id()))
        .filter(campaign_step_text::Column::StepId.is_in(step_ids.iter().copied()))
        .order_by_asc(campaign_step_text::Column::Language)
        .all(&**tx)
        .await?;
    let mut out: HashMap<Uuid, Vec<StepText>> = HashMap::new();
    for row in rows {
        out.entry(row.step_id).or_default().push(StepText {
            language: TextLanguage::parse(&row.language)?,
            subject: row.subject,
            body: row.body,
        });
    }
    Ok(out)
}

/// Adds a step to a `PLANNED` or `ACTIVE` campaign.
pub async fn add(tx: &TenantTx, campaign_id: Uuid, new: NewStep) -> Result<campaign_step::Model> {
    let campaign = campaigns::lock(tx, campaign_id).await?;
    if !CampaignStatus::parse(&campaign.status)?.open() {
        return Err(Error::validation(
            "campaignId",
            format!("a {} campaign takes no more steps", campaign.status),
        ));
    }
    check_texts(new.kind, &new.texts)?;
    let existing = of_tenant(tx)
        .filter(Column::CampaignId.eq(campaign_id))
        .count(&**tx)
        .await?;
    if existing >= MAX_STEPS_PER_CAMPAIGN {
        return Err(Error::validation(
            "campaignId",
            format!("a campaign has at most {MAX_STEPS_PER_CAMPAIGN} steps"),
        ));
    }
    let now = Utc::now();
    let step = campaign_step::ActiveModel {
        tenant_id: Set(tx.tenant_id()),
        id: Set(Uuid::now_v7()),
        campaign_id: Set(campaign_id),
        version: Set(1),
        kind: Set(new.kind.as_str().to_owned()),
        scheduled_at: Set(new.scheduled_at),
        status: Set(StepStatus::Scheduled.as_str().to_owned()),
        sent_count: Set(0),
        skipped_count: Set(0),
        attempts: Set(0),
        leased_until: Set(None),
        error: Set(None),
        started_at: Set(None),
        finished_at: Set(None),
        created_by: Set(tx.scope().user_id),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&**tx)
    .await?;
    replace_texts(tx, step.id, &new.texts).await?;
    Ok(step)
}

/// Changes a `SCHEDULED` step at `version`.
pub async fn update(
    tx: &TenantTx,
    id: Uuid,
    version: i32,
    change: StepChange,
) -> Result<campaign_step::Model> {
    let current = lock_scheduled(tx, id, version).await?;
    let kind = StepKind::parse(&current.kind)?;
    if let Some(texts) = &change.texts {
        check_texts(kind, texts)?;
        replace_texts(tx, id, texts).await?;
    }
    let mut row: campaign_step::ActiveModel = current.into();
    if let Some(at) = change.scheduled_at {
        row.scheduled_at = Set(at);
    }
    row.version = Set(version + 1);
    row.updated_at = Set(Utc::now());
    Ok(row.update(&**tx).await?)
}

/// Cancels a `SCHEDULED` step at `version`.
pub async fn cancel(tx: &TenantTx, id: Uuid, version: i32) -> Result<campaign_step::Model> {
    let current = lock_scheduled(tx, id, version).await?;
    let now = Utc::now();
    let mut row: campaign_step::ActiveModel = current.into();
    row.status = Set(StepStatus::Cancelled.as_str().to_owned());
    row.finished_at = Set(Some(now));
    row.version = Set(version + 1);
    row.updated_at = Set(now);
    Ok(row.update(&**tx).await?)
}

/// Cancels the `SCHEDULED` steps of a campaign that ended.
pub async fn cancel_scheduled(tx: &TenantTx, campaign_id: Uuid) -> Result<()> {
    let now = Utc::now();
    Steps::update_many()
        .col_expr(Column::Status, Expr::value(StepStatus::Cancelled.as_str()))
        .col_expr(Column::FinishedAt, Expr::value(now))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .col_expr(Column::Version, Expr::col(Column::Version).add(1))
        .filter(Column::TenantId.eq(tx.tenant_id()))
        .filter(Column::CampaignId.eq(campaign_id))
        .filter(Column::Status.eq(StepStatus::Scheduled.as_str()))
        .exec(&**tx)
        .await?;
    Ok(())
}

/// Locks a step to change it: it must be at `version` (else `CONFLICT`)
/// and not yet taken up by the worker (else `VALIDATION` on `id`).
async fn lock_scheduled(tx: &TenantTx, id: Uuid, version: i32) -> Result<campaign_step::Model> {
    let current = of_tenant(tx)
        .filter(Column::Id.eq(id))
        .lock_exclusive()
        .one(&**tx)
        .await?
        .ok_or(Error::NotFound("campaign step"))?;
    if current.version != version {
        return Err(Error::conflict(
            format!(
                "the campaign step was changed by someone else (you sent version {version}, it is now at version {}); reload it and try again",
                current.version
            ),
            Some("version"),
        ));
    }
    if StepStatus::parse(&current.status)? != StepStatus::Scheduled {
        return Err(Error::validation(
            "id",
            format!("a {} step can no longer be changed", current.status),
        ));
    }
    Ok(current)
}

/// Email and invitation steps need texts (English among them); call lists
/// take none.
fn check_texts(kind: StepKind, texts: &[StepText]) -> Result<()> {
    if kind.sends_text() {
        check_languages(texts)
    } else if texts.is_empty() {
        Ok(())
    } else {
        Err(Error::validation("texts", "a call list sends no text"))
    }
}

async fn replace_texts(tx: &TenantTx, step_id: Uuid, texts: &[StepText]) -> Result<()> {
    Texts::delete_many()
        .filter(campaign_step_text::Column::TenantId.eq(tx.tenant_id()))
        .filter(campaign_step_text::Column::StepId.eq(step_id))
        .exec(&**tx)
        .await?;
    if texts.is_empty() {
        return Ok(());
    }
    Texts::insert_many(texts.iter().map(|t| campaign_step_text::ActiveModel {
        tenant_id: Set(tx.tenant_id()),
        step_id: Set(step_id),
        language: Set(t.language.as_str().to_owned()),
        subject: Set(t.subject.clone()),
        body: Set(t.body.clone()),
    }))
    .exec_without_returning(&**tx)
    .await?;
    Ok(())
}
