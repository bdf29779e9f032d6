//! GraphQL types of campaign steps: the step, its texts, inputs and payload.

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, Enum, InputObject, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};

use super::loaders::CampaignStepTextsLoader;
use crate::domain::marketing::step_texts::StepText;
use crate::domain::marketing::steps::{NewStep, StepChange};
use crate::error::Error;
use crate::graphql::common::{parse_id, to_id};

/// What a campaign step does.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::marketing::steps::StepKind")]
pub enum CampaignStepKind {
    /// An email to each member (its customer's first contact with an
    /// email, else the customer's email), in the contact's language.
    Email,
    /// A task, due at the step's time, for each member's customer owner
    /// (the campaign's owner where the customer has none).
    CallList,
    /// An invitation to an event, sent like an email.
    EventInvitation,
}

/// Where a campaign step stands: `SCHEDULED`, `RUNNING` once due while its
/// campaign is `ACTIVE`, then `DONE` (or `FAILED`); a scheduled step may
/// be `CANCELLED`.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::marketing::steps::StepStatus")]
pub enum CampaignStepStatus {
    Scheduled,
    Running,
    Done,
    Failed,
    Cancelled,
}

/// A language a step's text is written in.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::marketing::step_texts::TextLanguage")]
pub enum CampaignTextLanguage {
    /// English, also sent to contacts of languages without a text.
    #[graphql(name = "EN")]
    En,
    /// Simplified Chinese, sent to contacts whose language is `zh…`.
    #[graphql(name = "ZH_CN")]
    ZhCn,
}

/// A scheduled activity of a campaign.
pub struct CampaignStep(pub entity::campaign_step::Model);

#[Object]
impl CampaignStep {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    async fn campaign_id(&self) -> ID {
        to_id(self.0.campaign_id)
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn kind(&self) -> Result<CampaignStepKind> {
        Ok(crate::domain::marketing::steps::StepKind::parse(&self.0.kind)?.into())
    }
    /// When it runs (once its campaign is `ACTIVE`).
    async fn scheduled_at(&self) -> DateTime<Utc> {
        self.0.scheduled_at
    }
    async fn status(&self) -> Result<CampaignStepStatus> {
        Ok(crate::domain::marketing::steps::StepStatus::parse(&self.0.status)?.into())
    }
    /// Messages queued or tasks made so far.
    async fn sent_count(&self) -> i32 {
        self.0.sent_count
    }
    /// Members passed over: unsubscribed, bounced (emails) or without an email.
    async fn skipped_count(&self) -> i32 {
        self.0.skipped_count
    }
    async fn started_at(&self) -> Option<DateTime<Utc>> {
        self.0.started_at
    }
    /// When it was done, failed or cancelled.
    async fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.0.finished_at
    }
    /// Its texts, one per language (none for a call list).
    async fn texts(&self, ctx: &Context<'_>) -> Result<Vec<CampaignStepText>> {
        let loader = ctx.data_unchecked::<DataLoader<CampaignStepTextsLoader>>();
        Ok(loader
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(CampaignStepText)
            .collect())
    }
}

/// The subject and body of a step in one language, with merge fields
/// `{{contact.name}}`, `{{customer.name}}` and `{{campaign.name}}`.
pub struct CampaignStepText(pub StepText);

#[Object]
impl CampaignStepText {
    async fn language(&self) -> CampaignTextLanguage {
        self.0.language.into()
    }
    async fn subject(&self) -> &str {
        &self.0.subject
    }
    async fn body(&self) -> &str {
        &self.0.body
    }
}

/// A step's text in one language.
#[derive(InputObject)]
pub struct CampaignStepTextInput {
    pub language: CampaignTextLanguage,
    /// Up to 300 characters; merge fields allowed.
    pub subject: String,
    /// Up to 20,000 characters; merge fields allowed.
    pub body: String,
}

fn texts(inputs: Vec<CampaignStepTextInput>) -> Result<Vec<StepText>, Error> {
    inputs
        .into_iter()
        .enumerate()
        .map(|(i, t)| {
            StepText::new(
                &format!("texts[{i}]"),
                t.language.into(),
                &t.subject,
                &t.body,
            )
        })
        .collect()
}

/// A step to add to a `PLANNED` or `ACTIVE` campaign.
#[derive(InputObject)]
pub struct AddCampaignStepInput {
    pub campaign_id: ID,
    pub kind: CampaignStepKind,
    pub scheduled_at: DateTime<Utc>,
    /// For emails and invitations: one per language, English required.
    #[graphql(default)]
    pub texts: Vec<CampaignStepTextInput>,
}

impl AddCampaignStepInput {
    /// The campaign and the checked step.
    pub fn into_domain(self) -> Result<(uuid::Uuid, NewStep), Error> {
        Ok((
            parse_id("campaignId", &self.campaign_id)?,
            NewStep {
                kind: self.kind.into(),
                scheduled_at: self.scheduled_at,
                texts: texts(self.texts)?,
            },
        ))
    }
}

/// Changes to a `SCHEDULED` step; omitted parts stay.
#[derive(InputObject)]
pub struct UpdateCampaignStepInput {
    pub id: ID,
    /// The version you read; a newer one on the server is a `CONFLICT`.
    pub version: i32,
    pub scheduled_at: Option<DateTime<Utc>>,
    /// Replaces every text.
    pub texts: Option<Vec<CampaignStepTextInput>>,
}

impl UpdateCampaignStepInput {
    /// The step, the version and the checked changes.
    pub fn into_domain(self) -> Result<(uuid::Uuid, i32, StepChange), Error> {
        Ok((
            parse_id("id", &self.id)?,
            self.version,
            StepChange {
                scheduled_at: self.scheduled_at,
                texts: self.texts.map(texts).transpose()?,
            },
        ))
    }
}

/// A `SCHEDULED` step to cancel.
#[derive(InputObject)]
pub struct CancelCampaignStepInput {
    pub id: ID,
    pub version: i32,
}

/// The step a mutation wrote.
#[derive(SimpleObject)]
pub struct CampaignStepPayload {
    pub step: CampaignStep,
}
