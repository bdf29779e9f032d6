//! DataLoaders of the marketing area: whole pages of customers' segments,
//! segments' member counts, campaigns' results, costs, sub-campaigns and
//! steps (with their texts), each in one round per batch.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use uuid::Uuid;

use crate::domain::marketing::{campaign_results, campaigns, segments, step_texts, steps};
use crate::tenancy::RequestTx;

/// Adds the marketing loaders to a request, all reading the request's transaction.
pub fn register(request: async_graphql::Request, tx: &Arc<RequestTx>) -> async_graphql::Request {
    request
        .data(DataLoader::new(
            CustomerSegmentsLoader { tx: tx.clone() },
            tokio::spawn,
        ))
        .data(DataLoader::new(
            SegmentMemberCountLoader { tx: tx.clone() },
            tokio::spawn,
        ))
        .data(DataLoader::new(
            CampaignResultsLoader { tx: tx.clone() },
            tokio::spawn,
        ))
        .data(DataLoader::new(
            CampaignCostsLoader { tx: tx.clone() },
            tokio::spawn,
        ))
        .data(DataLoader::new(
            ChildCampaignsLoader { tx: tx.clone() },
            tokio::spawn,
        ))
        .data(DataLoader::new(
            CampaignStepsLoader { tx: tx.clone() },
            tokio::spawn,
        ))
        .data(DataLoader::new(
            CampaignStepTextsLoader { tx: tx.clone() },
            tokio::spawn,
        ))
}

/// The steps of campaigns, by schedule.
pub struct CampaignStepsLoader {
    tx: Arc<RequestTx>,
}

impl Loader<Uuid> for CampaignStepsLoader {
    type Value = Vec<entity::campaign_step::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let tx = self.tx.lock().await?;
        Ok(steps::of_campaigns(&tx, ids).await?)
    }
}

/// The texts of campaign steps, per language.
pub struct CampaignStepTextsLoader {
    tx: Arc<RequestTx>,
}

impl Loader<Uuid> for CampaignStepTextsLoader {
    type Value = Vec<step_texts::StepText>;
    type Error = async_graphql::Error;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let tx = self.tx.lock().await?;
        Ok(steps::texts_of(&tx, ids).await?)
    }
}

/// What campaigns brought, keyed by (campaign, with its sub-campaigns,
/// attribution window in days).
pub struct CampaignResultsLoader {
    tx: Arc<RequestTx>,
}

impl Loader<(Uuid, bool, i32)> for CampaignResultsLoader {
    type Value = campaign_results::CampaignResults;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[(Uuid, bool, i32)],
    ) -> Result<HashMap<(Uuid, bool, i32), Self::Value>, Self::Error> {
        let tx = self.tx.lock().await?;
        let mut out = HashMap::new();
        let mut asks: HashMap<(bool, i32), Vec<Uuid>> = HashMap::new();
        for (id, children, window) in keys {
            asks.entry((*children, *window)).or_default().push(*id);
        }
        for ((children, window), ids) in asks {
            for (id, results) in campaign_results::results(&tx, &ids, children, window).await? {
                out.insert((id, children, window), results);
            }
        }
        Ok(out)
    }
}

/// The cost lines of campaigns, oldest first.
pub struct CampaignCostsLoader {
    tx: Arc<RequestTx>,
}

impl Loader<Uuid> for CampaignCostsLoader {
    type Value = Vec<entity::campaign_cost::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let tx = self.tx.lock().await?;
        Ok(campaigns::costs_of(&tx, ids).await?)
    }
}

/// The campaigns of programmes, by name.
pub struct ChildCampaignsLoader {
    tx: Arc<RequestTx>,
}

impl Loader<Uuid> for ChildCampaignsLoader {
    type Value = Vec<entity::campaign::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let tx = self.tx.lock().await?;
        Ok(campaigns::children_of(&tx, ids).await?)
    }
}

/// The segments customers are in, by name.
pub struct CustomerSegmentsLoader {
    tx: Arc<RequestTx>,
}

impl Loader<Uuid> for CustomerSegmentsLoader {
    type Value = Vec<entity::segment::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let tx = self.tx.lock().await?;
        Ok(segments::of_customers(&tx, ids).await?)
    }
}

/// How many members of segments the caller may see.
pub struct SegmentMemberCountLoader {
    tx: Arc<RequestTx>,
}

impl Loader<Uuid> for SegmentMemberCountLoader {
    type Value = u64;
    type Error = async_graphql::Error;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let tx = self.tx.lock().await?;
        Ok(segments::member_counts(&tx, ids).await?)
    }
}
